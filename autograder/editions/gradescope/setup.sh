#!/usr/bin/env bash
# setup.sh - Gradescope runs this once, as root, when it builds the
# autograder's image (Ubuntu), from /autograder/source where it unpacked the
# zip of `make gradescope LAB=NN`: installs the course's packages
# (vm/provision.sh --guest --packages-only: the versions of vm/packages.lock
# where the mirror has them, the mirror's own otherwise), checks that what is
# installed is not older than what the kit is checked with (below), and
# builds the kit in place. run_autograder then grades each submission with it.
#
# Usage: setup.sh                   (as root: install, check, build)
#        setup.sh --check-versions  (only the check; any user)
#
# AUTOGRADER_ROOT (default /autograder), for a test in a fake root: the kit
# is this script's own directory, expected to be $AUTOGRADER_ROOT/source.
set -euo pipefail

# The one line of advice, word for word in README.md ("The Gradescope autograder").
BASE_IMAGE="Gradescope base image: pick Ubuntu 24.04 (Criterion 2.4.1, gcc 13); Ubuntu 22.04, its default, has Criterion 2.4.0-rc and gcc 11, older than the kit needs."
# What the build and the grading need (gcc and make, Criterion, libarchive for
# ipclab, valgrind's header for the runner), each at least at the upstream part
# of its version in vm/packages.lock; and a C compiler (cc) at least this gcc.
NEEDED=(build-essential libcriterion-dev libarchive-dev valgrind)
GCC_NEEDED=12

cd "$(dirname "$0")"

# upstream VERSION: without its epoch and Debian revision (1:3.19.0-1 is 3.19.0).
upstream() {
	local version=${1#*:}
	echo "${version%-*}"
}

installed_version() {
	{ dpkg-query -W -f='${Status} ${Version}' "$1" 2>/dev/null || true; } |
		awk '$1 == "install" && $3 == "installed" { print $4 }'
}

# too_old NAME FOUND NEEDED: says so (FOUND may be empty: not installed).
too_old() {
	echo "setup.sh: $1 ${2:-is not installed}${2:+ is installed}; the kit needs $3 or later" >&2
}

# check_versions: fails, naming each package that is missing or too old.
check_versions() {
	local name locked found compiler bad=0
	for name in "${NEEDED[@]}"; do
		locked=$(awk -v name="$name" '!/^#/ && $1 == name { print $2 }' vm/packages.lock)
		[[ -n $locked ]] || { echo "setup.sh: $name is not in vm/packages.lock" >&2; return 2; }
		found=$(installed_version "$name")
		if [[ -z $found ]] ||
			! dpkg --compare-versions "$(upstream "$found")" ge "$(upstream "$locked")"; then
			too_old "$name" "$found" "$(upstream "$locked")"
			bad=1
		fi
	done
	compiler=$(cc -dumpfullversion 2>/dev/null || cc -dumpversion 2>/dev/null || true)
	if [[ -z $compiler ]] || ! dpkg --compare-versions "$compiler" ge "$GCC_NEEDED"; then
		too_old "cc (gcc)" "$compiler" "gcc $GCC_NEEDED"
		bad=1
	fi
	((bad == 0)) || { echo "setup.sh: $BASE_IMAGE" >&2; return 1; }
	echo "setup.sh: ${NEEDED[*]} and cc $compiler are recent enough"
}

if [[ ${1:-} == --check-versions ]]; then
	check_versions
	exit
fi
source_dir=$(realpath -m "${AUTOGRADER_ROOT:-/autograder}/source")
[[ $(pwd -P) == "$source_dir" ]] ||
	echo "setup.sh: warning: run from $PWD, not $source_dir, where run_autograder looks for the kit"
./vm/provision.sh --guest --packages-only </dev/null
check_versions
make -s all
# Graded code runs as an unprivileged uid of its own (Gradescope has no user
# namespaces): it must not read the tests, hidden ones included, nor the
# reference solutions. ipclab, as root, still reads and links them.
for path in autograder/tests autograder/hidden solutions build/tests build/ref; do
	[[ ! -e $path ]] || chmod -R go-rwx "$path"
done
echo "setup.sh: the kit is built in $PWD"
