#!/usr/bin/env bash
# setup.sh - Gradescope runs this once, as root, when it builds the
# autograder's image (Ubuntu), from /autograder/source where it unpacked the
# zip of `make gradescope LAB=NN`: installs the course's packages
# (vm/provision.sh --guest --packages-only: the versions of vm/packages.lock
# where the mirror has them, the mirror's own otherwise) and builds the kit in
# place. run_autograder then grades each submission with it.
#
# AUTOGRADER_ROOT (default /autograder), for a test in a fake root: the kit
# is this script's own directory, expected to be $AUTOGRADER_ROOT/source.
set -euo pipefail

cd "$(dirname "$0")"
source_dir=$(realpath -m "${AUTOGRADER_ROOT:-/autograder}/source")
[[ $(pwd -P) == "$source_dir" ]] ||
	echo "setup.sh: warning: run from $PWD, not $source_dir, where run_autograder looks for the kit"
./vm/provision.sh --guest --packages-only </dev/null
make -s all
# Graded code runs as an unprivileged uid of its own (Gradescope has no user
# namespaces): it must not read the tests, hidden ones included, nor the
# reference solutions. ipclab, as root, still reads and links them.
for path in autograder/tests autograder/hidden solutions build/tests build/ref; do
	[[ ! -e $path ]] || chmod -R go-rwx "$path"
done
echo "setup.sh: the kit is built in $PWD"
