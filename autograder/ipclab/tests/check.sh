#!/usr/bin/env bash
# check.sh - ipclab's own tests: every subcommand, its usage errors and exit
# codes, and every path of a run (normal, compile error, runner crash, hang
# past the global deadline, output flood, orphans, SIGINT), on a fake kit
# whose test runner is tests/fake_runner.c. Ends with "N passed, N failed".
#
# Usage: autograder/ipclab/tests/check.sh [IPCLAB]   (default: bin/ipclab of the kit)
# Needs: cc, python3 (to parse results.json), script (util-linux, for a terminal).
set -euo pipefail

cd "$(dirname "$0")/../../.."
ROOT=$PWD
IPCLAB=$(realpath "${1:-$ROOT/bin/ipclab}")
WORK=$(mktemp -d "${TMPDIR:-/tmp}/ipclab-selftest.XXXXXX")
KIT=$WORK/kit
trap 'rm -rf "$WORK"' EXIT
export IPCLAB_ROOT=$KIT
unset NO_COLOR
# shellcheck source=autograder/selfcheck/run_check.sh
. autograder/selfcheck/run_check.sh

# ipc ARGS...: runs ipclab on the fake kit; stdout+stderr in $WORK/out, status in $status.
ipc() {
	status=0
	timeout -k 5 60 "$IPCLAB" "$@" >"$WORK/out" 2>&1 </dev/null || status=$?
}

expect_status() {
	[[ $status == "$1" ]] || fail "expected exit status $1, got $status: $(tail -n 15 "$WORK/out")"
}

expect_out() {
	grep -q -- "$1" "$WORK/out" || fail "expected '$1' in: $(tail -n 25 "$WORK/out")"
}

expect_line() {	# expect_line N TEXT: line N of the output starts with TEXT
	[[ $(sed -n "$1p" "$WORK/out") == "$2"* ]] ||
		fail "expected line $1 to start with '$2', got: $(head -n 5 "$WORK/out")"
}

expect_last_line() {
	[[ $(tail -n 1 "$WORK/out") == "$1" ]] ||
		fail "expected last line '$1', got '$(tail -n 1 "$WORK/out")'"
}

json() {	# json FILE EXPR: a Python expression over d, the parsed file
	python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"
}

json_has() {	# json_has FILE EXPR TEXT
	local value
	value=$(json "$1" "$2")
	[[ $value == *"$3"* ]] || fail "$2 in $1 does not hold '$3': $value"
}

no_leftovers() {
	local pattern=$1
	sleep 0.2
	if pgrep -f "$pattern" >/dev/null; then
		pkill -KILL -f "$pattern" || true
		fail "a process '$pattern' was left behind"
	fi
}

make_kit() {
	local lib=$KIT/build/lib tests=$KIT/build/tests/01-pipes pristine=$KIT/build/pristine/01-pipes
	mkdir -p "$lib" "$tests" "$pristine" "$KIT/labs/01-pipes" "$WORK/obj"
	printf 'number := 01\nsources := pipes.c\nheaders := pipes.h\n' >"$KIT/labs/01-pipes/lab.mk"
	# Lab 02 is in the kit (its manifest) but not built.
	mkdir -p "$KIT/labs/02-fifos"
	printf 'number := 02\ntitle := Lab 02: FIFOs\nsources := fifos.c\n' >"$KIT/labs/02-fifos/lab.mk"
	printf 'int answer(void);\n' >"$pristine/pipes.h"
	printf '#include "pipes.h"\nint answer(void) { return 0; }\n' >"$pristine/pipes.c"
	cp "$pristine/pipes.c" "$KIT/labs/01-pipes/"
	printf 'int fake_test_objects;\n' >"$WORK/obj/t.c"
	cc -c "$WORK/obj/t.c" -o "$tests/t.o"
	# The runner's main is linked as an object, as the real build/lib/runner.o is.
	cc -std=gnu11 -Wall -Wextra -Werror -Iautograder/lib -c autograder/ipclab/tests/fake_runner.c \
		-o "$lib/runner.o"
	cc -std=gnu11 -Wall -Wextra -Werror -c autograder/lib/records.c -o "$WORK/obj/records.o"
	ar rcs "$lib/libgrader.a" "$WORK/obj/records.o"
	for name in alpha_works beta_works gamma_works; do
		printf 'plan\tfake\t%s\t10\t2000\tthe thing works\tHandout 1.1: read it.\tvisible\t%s\n' \
			"$name" "$([[ $name == gamma_works ]] && echo 3.2 || echo 3.1)"
	done >"$tests/plan.records"
	# The handout: two tasks, and traps that cite them.
	printf '%s\n' "# Lab 01" "### 3.1 Alpha, and beta (20 points)" "### 3.2 Gamma (10 points)" \
		"## 5 Common traps" "" "**5.1 The alpha trap.** It bites (§3.1)." "" \
		"**5.2 The gamma trap.** Elsewhere (§3.2)." >"$KIT/labs/01-pipes/README.md"
	# Two scenarios: demo, built (a script that says where it runs), and unbuilt.
	mkdir -p "$KIT/scenarios/05-shm" "$KIT/build/scenarios"
	printf '/*\n * %s.c - a scenario\n * %s\n */\n' demo "shows the demo" \
		>"$KIT/scenarios/05-shm/demo.c"
	printf '/*\n * %s.c - a scenario\n * %s\n */\n' unbuilt "is never built" \
		>"$KIT/scenarios/05-shm/unbuilt.c"
	cat >"$KIT/build/scenarios/demo" <<'SCENARIO'
#!/bin/sh
echo "scenario $IPCLAB_SCENARIO"
echo "ipc $(readlink /proc/self/ns/ipc)"
echo "mnt $(readlink /proc/self/ns/mnt)"
echo "tmp $(stat -f -c %T /tmp)"
exit 3
SCENARIO
	chmod +x "$KIT/build/scenarios/demo"
}

submission() {	# submission DIR [CONTENT]: a directory holding pipes.c
	mkdir -p "$1"
	local good='int answer(void) { return 42; }'
	printf '%s\n' "${2:-$good}" >"$1/pipes.c"
}

# ---- the command line ----

check_usage_errors() {
	local cmd
	for cmd in "test" "grade" "hint" "list" "watch" "reset" "doctor" "scenario" "progress" "help"; do
		ipc "$cmd" --no-such-option
		expect_status 2
		expect_out "usage: ipclab $cmd"
	done
	for cmd in "grade 01" "hint" "list" "watch" "reset"; do
		# shellcheck disable=SC2086 # the words are meant to split
		ipc $cmd
		expect_status 2
		expect_out "usage: ipclab ${cmd%% *}"
	done
	ipc frobnicate
	expect_status 2
	expect_out "usage: ipclab"
	ipc test 09
	expect_status 2
	expect_out "no lab named '09'"
	ipc test 02
	expect_status 2
	expect_out "lab 02 is not built"
	ipc test 07
	expect_status 2
	expect_out "no lab named '07'"
	expect_out "labs: 01 pipes, 02 fifos$"
	ipc test 01 not-a-name
	expect_status 2
	ipc test 01 no_such_test
	expect_status 2
	expect_out "no test named 'no_such_test'"
}

check_help() {
	local cmd
	for arg in help -h --help; do
		ipc "$arg"
		expect_status 0
		for cmd in test grade hint watch reset doctor scenario; do
			expect_out "ipclab $cmd"
		done
	done
	ipc test --help
	expect_status 0
	expect_out "usage: ipclab test \\[NN"
}

# ---- ipclab test ----

check_test_normal() {
	local names=(01 1 01-pipes pipes) name
	for name in "${names[@]}"; do
		ipc test "$name"
		expect_status 1
		expect_last_line "score: 20/30"
	done
	expect_out "FAIL.*beta_works"
	expect_out "rerun: ipclab test 01 beta_works"
	expect_out "^3.1 Alpha, and beta  *10/20$"
	expect_out "^start here: 3.1 Alpha, and beta, in$"
	expect_out "^            labs/01-pipes/README.md#31-alpha-and-beta-20-points$"
	grep -q $'\033' "$WORK/out" && fail "colour codes when stdout is not a terminal"
	[[ -s $KIT/build/last/01-pipes.results ]] || fail "build/last/01-pipes.results not written"
}

check_test_one_test_keeps_the_rest() {
	ipc test 01
	ipc test 01 gamma_works
	expect_status 0
	expect_last_line "score: 10/10"
	ipc
	expect_status 0
	expect_out "^01 pipes  *20/30  *last run"
}

check_test_does_not_recompile() {
	local object=$KIT/build/work/01-pipes/pipes.o before
	ipc test 01
	before=$(stat -c %Y.%y "$object")
	touch "$KIT/labs/01-pipes/pipes.c"
	ipc test 01
	[[ $(stat -c %Y.%y "$object") == "$before" ]] || fail "an unchanged source was compiled again"
	printf 'int answer(void) { return 1; }\n' >"$KIT/labs/01-pipes/pipes.c"
	ipc test 01
	[[ $(stat -c %Y.%y "$object") != "$before" ]] || fail "a changed source was not compiled"
}

check_test_warnings_shown_every_time() {
	printf 'int answer(void) { int unused; return 0; }\n' >"$KIT/labs/01-pipes/pipes.c"
	ipc test 01
	expect_out "unused variable"
	ipc test 01
	expect_out "unused variable"
	cp "$KIT/build/pristine/01-pipes/pipes.c" "$KIT/labs/01-pipes/"
}

check_test_compile_error() {
	printf 'int answer(void) { return x; }\n' >"$KIT/labs/01-pipes/pipes.c"
	ipc test 01
	expect_status 1
	expect_out "error: .x. undeclared"
	expect_out "did not compile"
	expect_last_line "score: 0/30"
	cp "$KIT/build/pristine/01-pipes/pipes.c" "$KIT/labs/01-pipes/"
}

check_test_missing_source() {
	mv "$KIT/labs/01-pipes/pipes.c" "$WORK/pipes.c.saved"
	ipc test 01
	mv "$WORK/pipes.c.saved" "$KIT/labs/01-pipes/pipes.c"
	expect_status 2
	expect_out "labs/01-pipes/pipes.c is missing"
	expect_out "ipclab reset 01"
}

# `ipclab test` alone: every lab whose copy is not the skeleton (02 is not built).
check_test_started_labs() {
	cp "$KIT/build/pristine/01-pipes/pipes.c" "$KIT/labs/01-pipes/"
	ipc test
	expect_status 2
	expect_out "No lab is started yet"
	expect_out "ipclab test 01"
	sed -i 's/$/\r/' "$KIT/labs/01-pipes/pipes.c"	# carriage returns: still the skeleton
	ipc test
	expect_status 2
	printf 'int answer(void) { return 1; }\n' >"$KIT/labs/01-pipes/pipes.c"
	ipc test
	cp "$KIT/build/pristine/01-pipes/pipes.c" "$KIT/labs/01-pipes/"
	expect_status 1
	expect_out "^Lab 01"
	expect_last_line "score: 20/30"
}

check_list() {
	ipc list 01
	expect_status 0
	expect_out "3 tests"
	expect_out "^  10  alpha_works$"
	expect_out "^      the thing works$"
	ipc list 09
	expect_status 2
}

check_test_progress_on_a_terminal() {
	local typescript=$WORK/typescript
	timeout 60 script -qec "$IPCLAB test 01" "$typescript" >/dev/null </dev/null || true
	grep -q '\[3/3\] ' "$typescript" || fail "no progress line on a terminal"
	grep -q $'\033\\[31mFAIL' "$typescript" || fail "no colour on a terminal"
	NO_COLOR=1 timeout 60 script -qec "$IPCLAB test 01" "$typescript" >/dev/null </dev/null || true
	grep -q $'\033\\[31m' "$typescript" && fail "colour despite NO_COLOR"
	return 0
}

# ---- ipclab grade: every path writes the reports ----

# grade_fake MODE [ARGS...]: grades a good submission with the fake runner in MODE.
grade_fake() {
	local mode=$1
	shift
	submission "$WORK/sub"
	rm -f "$WORK/results.json" "$WORK/junit.xml"
	FAKE=$mode ipc grade 01 "$WORK/sub" --results "$WORK/results.json" \
		--junit "$WORK/junit.xml" "$@"
	python3 -c 'import xml.dom.minidom, sys; xml.dom.minidom.parse(sys.argv[1])' "$WORK/junit.xml" ||
		fail "junit.xml does not parse"
}

check_grade_normal() {
	grade_fake normal
	expect_status 1
	expect_last_line "score: 20/30"
	[[ $(json "$WORK/results.json" 'd["score"], d["max_score"], len(d["tests"])') == "(20, 30, 3)" ]] ||
		fail "results.json: $(cat "$WORK/results.json")"
	expect_out "rerun: ipclab grade 01 $WORK/sub beta_works"
}

check_grade_never_writes_into_dir() {
	submission "$WORK/ro"
	chmod a-w "$WORK/ro"
	local before
	# (not ls -a: ".." is $WORK, where ipc writes its output)
	before=$(stat -c '%n %s %Y' "$WORK/ro" && ls -lA --time-style=full-iso "$WORK/ro")
	ipc grade 01 "$WORK/ro"
	chmod u+w "$WORK/ro"
	[[ $(stat -c '%n %s %Y' "$WORK/ro" && ls -lA --time-style=full-iso "$WORK/ro") == "$before" ]] ||
		fail "grade changed DIR"
	expect_last_line "score: 20/30"
}

check_grade_compile_error() {
	submission "$WORK/broken" 'int answer(void) { return syntax error }'
	ipc grade 01 "$WORK/broken" --results "$WORK/broken.json"
	expect_status 1
	expect_last_line "score: 0/30"
	[[ $(json "$WORK/broken.json" 'd["score"], len(d["tests"])') == "(0, 3)" ]] ||
		fail "compile error: not every test listed with 0"
	json_has "$WORK/broken.json" 'd["output"]' "error"
	json_has "$WORK/broken.json" 'd["tests"][0]["output"]' "did not compile"
}

# One submission (--results says so) whose files are in a folder, as when
# Gradescope unpacks a zipped folder.
check_grade_finds_a_folder() {
	submission "$WORK/zipped/lab01"
	ipc grade 01 "$WORK/zipped" --results "$WORK/zipped.json"
	expect_status 1
	expect_last_line "score: 20/30"
}

check_grade_unusable_submissions() {
	local dir
	mkdir -p "$WORK/empty" "$WORK/link" "$WORK/big"
	ln -sf /etc/hostname "$WORK/link/pipes.c"
	head -c 2000000 /dev/zero >"$WORK/big/pipes.c"
	for dir in empty link big missing; do
		rm -f "$WORK/$dir.json"
		ipc grade 01 "$WORK/$dir" --results "$WORK/$dir.json"
		expect_status 2
		expect_last_line "score: 0/30"
		[[ $(json "$WORK/$dir.json" 'd["score"], d["max_score"]') == "(0, 30)" ]] ||
			fail "$dir: results.json $(cat "$WORK/$dir.json")"
	done
	json_has "$WORK/empty.json" 'd["output"]' "pipes.c is missing"
	json_has "$WORK/link.json" 'd["output"]' "symbolic link"
	json_has "$WORK/big.json" 'd["output"]' "larger than 1 MiB"
}

# A submission the compiler cannot judge plainly gets one plain sentence first.
check_grade_plain_first_line() {
	submission "$WORK/own-main" 'int answer(void) { return 42; } int main(void) { return 0; }'
	mkdir -p "$WORK/binary" "$WORK/latin1"
	cp /bin/true "$WORK/binary/pipes.c"
	printf 'int answer(void) { return 42; }\n/* caf\xe9 */\n' >"$WORK/latin1/pipes.c"
	ipc grade 01 "$WORK/own-main"
	expect_status 1
	expect_line 2 "did not compile: your pipes.c defines main; the tests provide main: move"
	ipc grade 01 "$WORK/binary"
	expect_line 2 "did not compile: pipes.c is not a text file: it holds NUL bytes, as a"
	ipc grade 01 "$WORK/latin1"
	expect_line 2 "did not compile: pipes.c is not a text file: line 2 holds bytes that are"
	grep -q "FAIL" "$WORK/out" && fail "one reason for every test, yet tests listed: $(cat "$WORK/out")"
	ipc grade 01 "$WORK/nowhere"
	expect_status 2
	[[ $(grep -c "nowhere does not exist" "$WORK/out") == 2 ]] ||	# stderr, and the report
		fail "the missing path is not said once in the report: $(cat "$WORK/out")"
}

# One archive, as a batch takes it; the master of solutions/, refused.
check_grade_archive_and_master() {
	submission "$WORK/zipme"
	(cd "$WORK/zipme" && python3 -m zipfile -c "$WORK/one.zip" pipes.c)
	ipc grade 01 "$WORK/one.zip" --results "$WORK/one.json"
	expect_status 1
	expect_last_line "score: 20/30"
	mkdir -p "$KIT/solutions/01-pipes"
	cp "$KIT/build/pristine/01-pipes/pipes.c" "$KIT/solutions/01-pipes/"
	ipc grade 01 "$KIT/solutions/01-pipes"
	expect_status 2
	expect_out "is the master that the skeleton and the reference are made from"
	expect_out "ipclab grade 01 .*build/ref/01-pipes"
	rm -r "$KIT/solutions"
}

check_runner_crash() {
	grade_fake crash
	expect_status 1
	expect_out "the test runner crashed (signal 11"
	expect_out "last words before the crash"
	expect_last_line "score: 10/30"
	json_has "$WORK/results.json" '[t["status"] for t in d["tests"]]' \
		"'passed', 'failed', 'failed'"
}

check_runner_without_plan() {
	grade_fake noplan
	expect_status 1
	expect_out "dying before the plan"
	expect_last_line "score: 0/30"
	[[ $(json "$WORK/results.json" 'len(d["tests"])') == 3 ]] || fail "plan.records not used"
}

check_runner_ends_early() {
	grade_fake early
	expect_status 1
	expect_out "ended early"
	expect_last_line "score: 10/30"
}

check_global_deadline() {
	local start=$SECONDS
	grade_fake hang --deadline 2
	expect_status 1
	((SECONDS - start < 10)) || fail "the global deadline took $((SECONDS - start)) s"
	expect_out "global deadline (2 s) passed"
	expect_last_line "score: 10/30"
	no_leftovers "sleep 987654"
}

check_output_flood() {
	grade_fake flood
	expect_status 1
	expect_last_line "score: 10/30"
	(($(stat -c %s "$WORK/results.json") < 100000)) || fail "results.json is too large"
}

check_orphan_holding_output() {
	local start=$SECONDS
	grade_fake orphan
	((SECONDS - start < 5)) || fail "an orphan holding the output pipe delayed the end"
	expect_last_line "score: 20/30"
	no_leftovers "sleep 987655"
}

check_huge_record_line() {
	grade_fake bigline
	expect_last_line "score: 20/30"
	expect_out "more bytes not shown"
}

check_sigint_cleans_up() {
	submission "$WORK/sub"
	rm -f "$WORK/int.json"
	FAKE=hang "$IPCLAB" grade 01 "$WORK/sub" --results "$WORK/int.json" >"$WORK/out" 2>&1 &
	local pid=$!
	sleep 1
	kill -INT "$pid"
	status=0
	wait "$pid" || status=$?
	expect_status 130
	expect_out "interrupted (SIGINT)"
	expect_last_line "score: 10/30"
	[[ -s $WORK/int.json ]] || fail "no results.json after SIGINT"
	no_leftovers "sleep 987654"
}

# ---- hint, progress, reset, watch, doctor ----

check_hint() {
	rm -f "$KIT/build/last/01-pipes.results"
	ipc hint 01
	expect_status 0
	expect_out "has not been run yet"
	expect_out "^  alpha_works (10 points)$"
	expect_out "^1 more test to do in later tasks"
	ipc test 01
	ipc hint 01
	expect_status 0
	expect_out "beta_works (failed, 0/10)"
	expect_out "^read: 3.1 Alpha, and beta, in$"
	expect_out "^      labs/01-pipes/README.md#31-alpha-and-beta-20-points$"
	expect_out "^  5.1 The alpha trap. It bites (§3.1).$"
	grep -q "alpha_works" "$WORK/out" && fail "hint shows a test that passed"
	grep -q "gamma trap" "$WORK/out" && fail "hint shows a trap of another task"
	ipc hint 01 alpha_works
	expect_status 0
	expect_out "alpha_works (passed"
	ipc hint 01 no_such_test
	expect_status 2
}

check_progress() {
	rm -rf "$KIT/build/last"
	ipc
	expect_status 0
	expect_out "^01 pipes *not started"
	expect_out "^02 fifos *not built: run \`make\`"
	if grep -q "^0[3-9]" "$WORK/out"; then
		fail "a lab without a manifest is listed: $(cat "$WORK/out")"
	fi
	FAKE=normal ipc test 01
	ipc
	expect_out "^01 pipes  *20/30  *last run just now"
	expect_out "0 of 2 labs at full marks"
}

# A leak keeps half of an odd number of points: 2.5 of 5, in every output.
check_leak_keeps_half() {
	FAKE=leak ipc test 01
	expect_status 1
	expect_out "^  LEAK  2.5/5  beta_works"
	expect_last_line "score: 22.5/25"
	ipc hint 01 beta_works
	expect_out "beta_works (leak, 2.5/5)"
	ipc
	expect_out "^01 pipes  *22.5/30  *last run just now"
	submission "$WORK/leaky"
	FAKE=leak ipc grade 01 "$WORK/leaky" --results "$WORK/leak.json"
	json_has "$WORK/leak.json" 'd["score"]' 22.5
	json_has "$WORK/leak.json" 'd["tests"][1]["score"]' 2.5
}

check_reset() {
	local lab=$KIT/labs/01-pipes
	rm -rf "$lab/.backup"
	printf '/* my work */\n' >"$lab/pipes.c"
	ipc reset 01
	expect_status 2
	expect_out "rerun with --yes"
	ipc reset 01 --yes
	expect_status 0
	cmp -s "$lab/pipes.c" "$KIT/build/pristine/01-pipes/pipes.c" || fail "not reset"
	grep -q "my work" "$lab"/.backup/*/pipes.c || fail "no backup of the student's file"
	ipc reset 01 --yes
	expect_status 0
	expect_out "nothing to reset"
	printf '/* more work */\n' >"$lab/pipes.c"
	printf 'n\n' | timeout 10 script -qec "$IPCLAB reset 01" /dev/null >"$WORK/out" 2>&1 || true
	expect_out "Reset labs/01-pipes/pipes.c to the skeleton? Your current files are saved in"
	grep -q "more work" "$lab/pipes.c" || fail "answering n reset the file"
	cp "$KIT/build/pristine/01-pipes/pipes.c" "$lab/"
}

# seen FILE REGEX: how many times REGEX matches in FILE (0 if it is not there yet).
seen() {
	grep -o -- "$2" "$1" 2>/dev/null | wc -l
}

# watch_twice OUT COMMAND...: starts COMMAND (an ipclab watch) in the background,
# waits for its first report in OUT, touches the source, waits for the second
# report and stops it. The waits poll, up to 30 s each: a loaded machine is slow.
watch_twice() {
	local out=$1 tries
	shift
	timeout 70 "$@" </dev/null >/dev/null 2>&1 &
	local pid=$!
	for ((tries = 0; tries < 300 && $(seen "$out" 'score: ') < 1; tries++)); do sleep 0.1; done
	touch "$KIT/labs/01-pipes/pipes.c"
	for ((tries = 0; tries < 300 && $(seen "$out" 'score: ') < 2; tries++)); do sleep 0.1; done
	kill "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
}

check_watch_on_a_terminal() {
	local typescript=$WORK/watch-typescript
	watch_twice "$typescript" script -qfec "$IPCLAB watch 01" "$typescript"
	(($(seen "$typescript" $'\033\\[H\033\\[2J') >= 2)) ||
		fail "the screen is not cleared before each run: $(head -c 300 "$typescript" | cat -v)"
	grep -q '\[3/3\] ' "$typescript" || fail "no progress line in watch"
}

check_watch_reruns_on_save() {
	local out=$WORK/watch.out
	watch_twice "$out" sh -c 'exec "$0" watch 01 >"$1" 2>&1' "$IPCLAB" "$out"
	(($(grep -c '^score: ' "$out") >= 2)) || fail "no second report: $(cat "$out")"
	grep -q "watching labs/01-pipes/" "$out" || fail "watch does not say what it watches"
}

check_doctor() {
	ipc doctor
	[[ $status == 0 || $status == 2 ]] || fail "doctor exited $status"
	expect_out "environment: "
	expect_out "kernel features: "
	expect_out "sandbox: "
	expect_out "System V IPC: "
	expect_out "/dev/shm: "
	ipc doctor extra
	expect_status 2
}

# ---- scenario ----

check_scenario_list() {
	ipc scenario
	expect_status 0
	expect_out "^  demo  *lab 05-shm: shows the demo$"
	expect_out "^  unbuilt  *lab 05-shm: is never built (not built: run \`make\`)$"
}

check_scenario_unknown_name() {
	ipc scenario frobnicate
	expect_status 2
	expect_out "no scenario named 'frobnicate'; the scenarios: demo, unbuilt$"
	ipc scenario unbuilt
	expect_status 2
	expect_out "scenario unbuilt is not built"
	ipc scenario demo unbuilt
	expect_status 2
	expect_out "usage: ipclab scenario"
}

# The scenario's exit status, in namespaces other than ours, with a tmpfs on /tmp.
check_scenario_runs_apart() {
	ipc scenario demo
	if grep -q "refuses" "$WORK/out"; then
		expect_status 2
		echo "namespaces refused here: ipclab said so and ran nothing"
		return 0
	fi
	expect_status 3
	expect_out "^scenario demo$"
	expect_out "^tmp tmpfs$"
	grep -qx "ipc $(readlink /proc/self/ns/ipc)" "$WORK/out" &&
		fail "the scenario ran in this IPC namespace"
	grep -qx "mnt $(readlink /proc/self/ns/mnt)" "$WORK/out" &&
		fail "the scenario ran in this mount namespace"
	return 0
}

make_kit
mapfile -t checks < <(declare -F | awk '$3 ~ /^check_/ { print substr($3, 7) }')
run_checks "${checks[@]}"
