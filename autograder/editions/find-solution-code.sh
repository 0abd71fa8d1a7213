#!/usr/bin/env bash
# find-solution-code.sh - fails when DIR, an edition of the kit made for
# students or graders, holds solution code, and names each file and line:
#   - a directory named solutions, mutants or hostile;
#   - the word SOLUTION (the masters' #ifdef), except in the two lines that
#     name the macro: the Makefile's unifdef rules and README.md's map;
#   - any line of reference-only code: a line of build/ref/NN-*/ that unifdef
#     left out of build/pristine/NN-*/ (so the solution's own code), less the
#     lines too common to tell: blank, only braces, `return -1;`, comments,
#     shorter than 20 characters, or listed in common-lines.txt.
# Used by check.sh's student_edition and gradescope_bundle checks.
#
# Usage: autograder/editions/find-solution-code.sh DIR   (in the instructors' kit, after make)
set -euo pipefail

dir=$(realpath "$1")
cd "$(dirname "$0")/../.."
common=$PWD/autograder/editions/common-lines.txt
patterns=$(mktemp)
trap 'rm -f "$patterns"' EXIT
found=0

if find "$dir" -type d \( -name solutions -o -name mutants -o -name hostile \) | grep .; then
	echo "(above) directories of solution code or of patches to it"
	found=1
fi

if (cd "$dir" && grep -rn SOLUTION .) | grep -Ev \
	-e '^\./Makefile:[0-9]+:	unifdef -[UD]SOLUTION ' \
	-e '^\./README\.md:[0-9]+:solutions/NN-topic/ .* with #ifdef SOLUTION blocks$'; then
	echo "(above) the word SOLUTION: a master or a part of one is in the edition"
	found=1
fi

for ref in build/ref/*/*; do
	grep -vxF -f "build/pristine/${ref#build/ref/}" "$ref" || true
done | sed 's/^[[:space:]]*//; s/[[:space:]]*$//' |
	grep -Ev '^$|^[{}();]*$|^return -1;$|^(/\*|\*( |/|$)|//)' | awk 'length >= 20' |
	grep -vxF -f "$common" | sort -u >"$patterns" || true
[[ -s $patterns ]] || { echo "no reference-only lines to look for: run make first"; exit 2; }
if (cd "$dir" && grep -rnF -f "$patterns" .); then
	echo "(above) lines of the reference solutions that the skeletons do not have." \
		"A line that is common code, not the solution's, goes in $common"
	found=1
fi
((found == 0)) || exit 1
echo "no solution code in $dir ($(wc -l <"$patterns") reference-only lines looked for)"
