#!/usr/bin/env bash
# edition-check.sh - `make check` in the student edition, which has no
# reference solutions and so cannot prove that the tests pass good code or
# catch bad code (the instructors' kit does that: autograder/selfcheck/check.sh).
# What it checks: the grader's engine tests, the sandbox's behaviour on this
# machine, ipclab's own tests, and, for each lab, that the pristine skeleton
# builds with -Werror and is graded end to end: every test of the lab runs and
# reports, and the skeleton, which implements nothing, scores 0.
# Ends with "N passed, N failed".
#
# Usage: autograder/selfcheck/edition-check.sh [CHECK...]   (default all)
set -euo pipefail

cd "$(dirname "$0")/../.."
ROOT=$PWD
mapfile -t LABS < <(cd autograder/pristine && ls -d [0-9][0-9]-*)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/ipclab-check.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
# shellcheck source=autograder/selfcheck/run_check.sh
. autograder/selfcheck/run_check.sh
# shellcheck source=autograder/selfcheck/engine_checks.sh
. autograder/selfcheck/engine_checks.sh

check_skeletons_build() {
	local lab file
	for lab in "${LABS[@]}"; do
		for file in build/pristine/"$lab"/*.c; do
			cc -std=gnu11 -Wall -Wextra -Werror -c "$file" -o "$WORK/skeleton.o" ||
				fail "$file does not build with -Werror"
		done
	done
}

check_skeletons_graded() {
	local lab json planned
	for lab in "${LABS[@]}"; do
		json=$WORK/$lab.json
		timeout -k 5 300 bin/ipclab grade "${lab%%-*}" "build/pristine/$lab" \
			--results "$json" >"$json.txt" 2>&1 || true
		[[ -s $json ]] || fail "$lab: no results.json written: $(tail -n 20 "$json.txt")"
		planned=$(grep -c '^plan' "build/tests/$lab/plan.records")
		[[ $(jq '.tests | length' "$json") == "$planned" ]] ||
			fail "$lab: $planned tests planned, $(jq '.tests | length' "$json") reported"
		[[ $(jq '.score' "$json") == 0 && $(tail -n 1 "$json.txt") == "score: 0/"* ]] ||
			fail "$lab: the skeleton scored $(jq '.score' "$json"): $(tail -n 20 "$json.txt")"
		echo "$lab: the skeleton ran $planned tests and scored 0, as it should"
	done
}

ALL=(skeletons_build engine_tests sandbox_behaviour cli_tests skeletons_graded)
ONLY="$*"
run_checks "${ALL[@]}"
