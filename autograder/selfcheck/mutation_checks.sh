# mutation_checks.sh - sourced by check.sh: the kit measures its own tests with
# mechanical mutants (autograder/selfcheck/mutate.py, which says how). Uses
# check.sh's LABS and WORK.
# shellcheck shell=bash

# In every lab, the tests kill at least 90% of the mechanical mutants of the
# reference that autograder/mutants/NN-topic/equivalent.txt does not list, and
# that file holds no stale id. Each lab's whole report is kept in
# build/mutation/NN-topic.txt; the last lines repeat each lab's score, since a
# failing check shows only the end of its output.
check_mutation_score() {
	local lab bad=0
	mkdir -p build/mutation
	for lab in "${LABS[@]}"; do
		timeout -k 5 900 python3 autograder/selfcheck/mutate.py "$lab" \
			--out "$WORK/mutation" >"build/mutation/$lab.txt" 2>&1 || bad=1
		cat "build/mutation/$lab.txt"
	done
	echo "full reports: $(printf 'build/mutation/%s.txt ' "${LABS[@]}")"
	for lab in "${LABS[@]}"; do
		tail -n 1 "build/mutation/$lab.txt"
	done
	return $bad
}
