# scenario_checks.sh - sourced by check.sh: the scenarios (bin/ipclab scenario)
# run here, in their namespaces, and show what FACTS.md says
# (scenario_facts.py holds the table of facts and their FACTS.md rows).
# shellcheck shell=bash

check_scenarios_match_facts() {
	timeout -k 5 300 python3 autograder/selfcheck/scenario_facts.py --ipclab "$IPCLAB" ||
		fail "a scenario does not show what FACTS.md says (above): fix the scenario," \
			"or, if this kernel really differs, measure again and correct FACTS.md"
}

# The check can fail: planted outputs with a changed value, a missing fact, an
# unknown fact and a filesystem fact against its kind are each caught.
check_scenario_check_can_fail() {
	local planted=$WORK/scenarios out words
	mkdir -p "$planted"
	cat >"$planted/segment-life" <<'PLANTED'
fact: shmget with a larger size fails with: nothing
fact: no such fact: yes
PLANTED
	printf '%s\n' 'fact: recreated file on tmpfs keeps its key: yes' >"$planted/ftok-collision"
	out=$(python3 autograder/selfcheck/scenario_facts.py --ipclab "$IPCLAB" \
		--output "segment-life=$planted/segment-life" \
		--output "ftok-collision=$planted/ftok-collision" 2>&1) &&
		{ fail "the planted outputs passed: $out"; return 1; }
	for words in "says EINVAL, measured nothing" "'exec detaches' not printed" \
		"'no such fact: yes' is not in scenario_facts.py's table" \
		"says no on tmpfs, measured yes" "ok   shmat-leak"; do
		[[ $out == *"$words"* ]] || { fail "not reported: '$words'; the check said: $out"; return 1; }
	done
	echo "caught: a changed value, a missing fact, an unknown fact, a filesystem fact"
}
