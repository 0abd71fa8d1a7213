#!/usr/bin/env bash
# gradescope.sh - `make gradescope LAB=NN`: Gradescope's autograder for lab
# NN, build/gradescope/NN-topic.zip. At the zip's top: setup.sh and
# run_autograder (from autograder/editions/gradescope/, the lab put in) and
# the kit as the student edition holds it (tree.sh), with the hidden tests
# (autograder/hidden/) if there are any: no solutions, no mutants.
# Before it writes anything, it checks that the lab's visible tests are worth
# 100 points together (build/tests/NN-topic/plan.records); hidden tests add
# theirs, and the total is printed (set the Gradescope assignment to it).
#
# Usage: autograder/editions/gradescope.sh NN   (after make; NN as 01, 1 or 01-pipes)
set -euo pipefail

cd "$(dirname "$0")/../.."
# shellcheck source=autograder/editions/tree.sh
. autograder/editions/tree.sh

die() {
	echo "gradescope: $*" >&2
	exit 2
}

[[ $# == 1 && -n $1 ]] || die "which lab? make gradescope LAB=NN (for example LAB=01)"
[[ $1 =~ ^([0-9]{1,2})(-.*)?$ ]] || die "'$1' is not a lab number (make gradescope LAB=01)"
number=$(printf '%02d' "$((10#${BASH_REMATCH[1]}))")
lab=$(cd solutions && ls -d "$number"-* 2>/dev/null) || die "no lab $number under solutions/"

plan=build/tests/$lab/plan.records
[[ -s $plan ]] || die "$plan is missing: run make"
# Visible tests: 100 points; hidden ones (the plan line's last field) come on top.
visible=$(awk -F'\t' '$1 == "plan" && $8 != "hidden" { sum += $4 } END { print sum + 0 }' "$plan")
points=$(awk -F'\t' '$1 == "plan" { sum += $4 } END { print sum + 0 }' "$plan")
[[ $visible == 100 ]] ||
	die "the visible tests of lab $lab are worth $visible points together, not 100 (see $plan):" \
		"fix the points in autograder/tests/$lab/ before handing it to Gradescope"

out=build/gradescope
stage=$out/$lab
edition_tree "$stage" autograder/hidden/
sed "s/@LAB@/$number/g" autograder/editions/gradescope/run_autograder >"$stage/run_autograder"
cp autograder/editions/gradescope/setup.sh "$stage/setup.sh"
chmod 755 "$stage/run_autograder" "$stage/setup.sh"
rm -f "$out/$lab.zip"
(cd "$stage" && zip -q -r -X "../$lab.zip" .)
echo "gradescope: $out/$lab.zip ($(du -k "$out/$lab.zip" | cut -f1) KiB; tests worth $points points," \
	"$((points - visible)) of them hidden: give the assignment $points points)"
