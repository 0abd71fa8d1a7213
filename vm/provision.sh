#!/usr/bin/env bash
# provision.sh - the one install script of ipc-labs: for the Vagrant VM, for
# CI and for a bare Debian 12 (or Ubuntu) machine.
#
# Usage: sudo ./vm/provision.sh
#
# Installs the Debian packages the kit needs (and nothing else), builds the
# kit, and ends with the course's main job: every reference solution graded,
# with the scoreboard printed. Safe to run again: installed packages are
# skipped and the build is incremental. Non-interactive.
# Then run `make check` for the whole self-check.
set -euo pipefail

# What the kit needs, by Debian package name:
#   build-essential   gcc, make           libcriterion-dev  the test framework
#   pkg-config        finds Criterion     unifdef           skeletons from solutions
#   valgrind          memcheck of the reference solutions (and valgrind.h for the runner)
#   doxygen           make docs           jq, python3, libxml2-utils  reading the reports
#   patch             mutants             util-linux, procps  setpriv, unshare, ps
#   bc                bench/grader.sh
PACKAGES=(build-essential pkg-config libcriterion-dev unifdef valgrind doxygen
	jq python3 libxml2-utils patch util-linux procps bc)

die() {
	echo "provision.sh: $*" >&2
	exit 2
}

[[ $(id -u) == 0 ]] || die "must run as root: sudo $0"
[[ -r /etc/os-release ]] || die "no /etc/os-release: this script supports Debian 12 and Ubuntu"
# shellcheck source=/dev/null
. /etc/os-release
[[ " ${ID:-} ${ID_LIKE:-} " == *" debian "* ]] ||
	die "this is ${PRETTY_NAME:-an unknown system}, not Debian-like: install the packages ${PACKAGES[*]} by hand, then run make"
command -v apt-get >/dev/null || die "apt-get not found on a Debian-like system"

cd "$(dirname "$0")/.."

missing=()
for package in "${PACKAGES[@]}"; do
	dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" ||
		missing+=("$package")
done
if ((${#missing[@]})); then
	echo "provision.sh: installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q
	apt-get install -y -q --no-install-recommends "${missing[@]}"
else
	echo "provision.sh: all ${#PACKAGES[@]} packages already installed"
fi

echo "provision.sh: building"
make -s all

echo "provision.sh: grading the reference solutions"
make -s grade
