# run_check.sh - sourced by the kit's check scripts: one way to run a check,
# count it and show why it failed. Callers print "$passed passed, $failed failed".
# shellcheck shell=bash
passed=0
failed=0

# run_check NAME COMMAND...: runs one check, prints ok/FAIL and, on failure, its
# output. With ONLY set (names separated by spaces), other checks are skipped.
# The check runs as a background job: there, unlike in `if out=$(...)`, set -e
# holds, so the first `... || fail` ends it.
run_check() {
	local name=$1 log
	shift
	if [[ -n ${ONLY:-} && " $ONLY " != *" $name "* ]]; then
		return 0
	fi
	log=$(mktemp)
	("$@") >"$log" 2>&1 &
	if wait "$!"; then
		passed=$((passed + 1))
		echo "ok   $name"
	else
		failed=$((failed + 1))
		echo "FAIL $name"
		tail -n 40 "$log" | sed 's/^/     /'
	fi
	rm -f "$log"
}

# fail MESSAGE...: says why a check failed, and fails.
fail() {
	echo "$*"
	return 1
}

# run_checks NAME...: run_check for each NAME (the function check_NAME), then
# the summary line; fails when a check failed.
run_checks() {
	local name
	for name; do
		run_check "$name" "check_$name"
	done
	echo "$passed passed, $failed failed"
	[[ $failed == 0 ]]
}
