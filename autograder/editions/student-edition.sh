#!/usr/bin/env bash
# student-edition.sh - `make student-edition`: the kit as students get it,
# without solutions. Writes build/student-edition/ipc-labs/ and
# build/student-edition/ipc-labs.tar.gz (one top directory, ipc-labs/).
#
# What it holds and leaves out: tree.sh. Its README.md is the students' own,
# autograder/editions/student/README.md, not the instructors'. The edition
# builds and grades on its own: `make` there takes each lab's pristine skeleton from
# autograder/pristine/, `bin/ipclab test 01` grades labs/01-pipes/, and
# `make check` runs autograder/selfcheck/edition-check.sh.
# check.sh's student_edition check proves it, and greps the edition for
# solution code (autograder/editions/find-solution-code.sh).
#
# Usage: autograder/editions/student-edition.sh   (after make, from any directory)
set -euo pipefail

cd "$(dirname "$0")/../.."
# shellcheck source=autograder/editions/tree.sh
. autograder/editions/tree.sh
OUT=build/student-edition

edition_tree "$OUT/ipc-labs"
cp autograder/editions/student/README.md "$OUT/ipc-labs/README.md"
# The same bytes from the same commit: names sorted, no owners, the commit's
# date on every file, no timestamp in the gzip header.
tar -C "$OUT" --sort=name --owner=0 --group=0 --numeric-owner \
	--mtime="@$(git log -1 --format=%ct)" -cf - ipc-labs | gzip -n -9 >"$OUT/ipc-labs.tar.gz"
echo "student edition: $OUT/ipc-labs/ ($(find "$OUT/ipc-labs" -type f | wc -l) files)," \
	"$OUT/ipc-labs.tar.gz ($(du -k "$OUT/ipc-labs.tar.gz" | cut -f1) KiB)"
