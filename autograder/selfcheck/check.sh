#!/usr/bin/env bash
# check.sh - the kit's self-check, run by `make check`: proves the grader.
#
# Solutions score full marks, skeletons score 0, every mutant loses points in
# the test it names, every hostile submission is contained, the reports parse,
# the student edition is what `make skeletons` makes, and the sandbox works as
# root, as an ordinary user and without namespaces. Ends with "N passed, N failed".
#
# Usage: autograder/selfcheck/check.sh [CHECK...]   (names as printed; default all)
set -euo pipefail

cd "$(dirname "$0")/../.."
ROOT=$PWD
IPCLAB=$ROOT/bin/ipclab
mapfile -t LABS < <(cd solutions && ls -d [0-9][0-9]-*)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/ipclab-check.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
# shellcheck source=autograder/selfcheck/run_check.sh
. autograder/selfcheck/run_check.sh

# lab_sources LAB: the files a submission of LAB holds (from ipclab's lab table).
lab_sources() {
	case $1 in
	01-pipes) echo pipes.c ;;
	02-fifos) echo fifos.c ;;
	03-msgqueues) echo msgqueues.c ;;
	*) fail "unknown lab $1" ;;
	esac
}

# grade LAB DIR OUT.json [ipclab options]: grades DIR; exit status of ipclab is not judged.
grade() {
	local lab=$1 dir=$2 json=$3
	shift 3
	timeout -k 5 300 "$IPCLAB" grade "${lab%%-*}" "$dir" --results "$json" "$@" \
		>"$json.txt" 2>&1 || true
	[[ -s $json ]] || fail "no results.json written; ipclab said:$(tail -n 20 "$json.txt")"
}

score_of() { jq -r '.score' "$1"; }
max_of() { jq -r '.max_score // ([.tests[].max_score] | add)' "$1"; }
# What the tests students see are worth: 100 per lab. Hidden tests (README.md,
# "Hidden tests") add their points on top, so max_of is 100 + the hidden points.
visible_max_of() { jq -r '[.tests[] | select(.visibility != "hidden") | .max_score] | add' "$1"; }
# full_marks JSON: every point of the lab, whose visible tests are worth 100.
full_marks() { [[ $(score_of "$1") == "$(max_of "$1")" && $(visible_max_of "$1") == 100 ]]; }
test_score() { jq -r --arg t "$2" '.tests[] | select(.name == $t) | .score' "$1"; }
test_max() { jq -r --arg t "$2" '.tests[] | select(.name == $t) | .max_score' "$1"; }

# ---- the student edition ----

check_skeletons_current() {
	local lab file
	for lab in "${LABS[@]}"; do
		for file in $(cd "solutions/$lab" && ls ./*.c ./*.h); do
			cmp -s "build/pristine/$lab/$file" "labs/$lab/$file" ||
				fail "labs/$lab/$file differs from 'make skeletons' output: run make skeletons"
		done
	done
}

check_no_solution_in_labs() {
	if grep -rn SOLUTION labs/; then
		fail "the word SOLUTION appears under labs/ (above): solution code may have leaked"
	fi
}

check_skeletons_build() {
	local lab
	for lab in "${LABS[@]}"; do
		for file in labs/"$lab"/*.c; do
			cc -std=gnu11 -Wall -Wextra -Werror -c "$file" -o "$WORK/skel.o" ||
				fail "$file does not build with -Werror"
		done
	done
}

# ---- the grader's own tests ----

check_engine_tests() {
	"$ROOT/build/selftest/test_report" --jobs=1
}

check_reference_full_marks() {
	local lab json
	for lab in "${LABS[@]}"; do
		json=$WORK/ref-$lab.json
		grade "$lab" "build/ref/$lab" "$json"
		full_marks "$json" ||
			fail "$lab reference scored $(score_of "$json")/$(max_of "$json")" \
				"(visible tests: $(visible_max_of "$json")/100):$(cat "$json.txt")"
	done
}

check_skeleton_scores_zero() {
	local lab json
	for lab in "${LABS[@]}"; do
		json=$WORK/skel-$lab.json
		grade "$lab" "labs/$lab" "$json"
		[[ $(score_of "$json") == 0 ]] ||
			fail "$lab skeleton scored $(score_of "$json"):$(cat "$json.txt")"
	done
}

# A copy of the reference with one patch applied.
patched_copy() {
	local lab=$1 patch=$2 dir=$3 file
	mkdir -p "$dir"
	for file in $(lab_sources "$lab"); do
		cp "build/ref/$lab/$file" "$dir/"
	done
	patch -s -p1 -d "$dir" <"$patch" || fail "$patch does not apply to the reference"
}

# Each mutant names, in a "Catches:" line, the tests that must lose points.
# Mutants of hidden tests live with them, in autograder/hidden/NN-topic/mutants/.
check_mutants_caught() {
	local lab patch name dir json test bad=0
	for lab in "${LABS[@]}"; do
		for patch in autograder/mutants/"$lab"/*.patch autograder/hidden/"$lab"/mutants/*.patch; do
			[[ -e $patch ]] || continue	# no hidden mutants for this lab
			name=$(basename "$patch" .patch)
			dir=$WORK/mutant-$lab-$name
			patched_copy "$lab" "$patch" "$dir"
			grade "$lab" "$dir" "$dir.json"
			for test in $(sed -n 's/^Catches: *//p' "$patch"); do
				if [[ $(test_score "$dir.json" "$test") -ge $(test_max "$dir.json" "$test") ]]; then
					echo "mutant $lab/$name was not caught by $test"
					bad=1
				else
					echo "mutant $lab/$name caught by $test"
				fi
			done
		done
	done
	return $bad
}

# expect_zero_lines PATCH JSON: the tests on PATCH's "Zero:" line scored 0,
# every other test full marks.
expect_zero_lines() {
	local patch=$1 json=$2 zero test score bad=0
	zero=" $(sed -n 's/^Zero: *//p' "$patch") "
	for test in $(jq -r '.tests[].name' "$json"); do
		score=$(test_score "$json" "$test")
		if [[ $zero == *" $test "* && $score != 0 ]]; then
			echo "$(basename "$patch" .patch): $test scored $score, expected 0"
			bad=1
		elif [[ $zero != *" $test "* && $score != $(test_max "$json" "$test") ]]; then
			echo "$(basename "$patch" .patch): $test scored $score, expected full marks"
			bad=1
		fi
	done
	return $bad
}

# Each hostile submission names, in a "Zero:" line, the tests it must fail;
# every other test keeps full marks, and nothing outside the sandbox is touched.
check_hostile_contained() {
	local lab patch dir bad=0 sentinel ipc_before
	sleep 600 &
	sentinel=$!
	ipc_before=$(cat /proc/sysvipc/msg /proc/sysvipc/sem /proc/sysvipc/shm)
	for lab in "${LABS[@]}"; do
		for patch in autograder/hostile/"$lab"/*.patch; do
			dir=$WORK/hostile-$lab-$(basename "$patch" .patch)
			patched_copy "$lab" "$patch" "$dir"
			grade "$lab" "$dir" "$dir.json"
			expect_zero_lines "$patch" "$dir.json" || bad=1
			echo "hostile $lab/$(basename "$patch" .patch): $(score_of "$dir.json")/$(max_of "$dir.json")"
		done
	done
	kill -0 "$sentinel" || { echo "a process outside the sandbox was killed"; bad=1; }
	kill "$sentinel"
	[[ $ipc_before == "$(cat /proc/sysvipc/msg /proc/sysvipc/sem /proc/sysvipc/shm)" ]] ||
		{ echo "System V objects outside the sandbox changed"; bad=1; }
	return $bad
}

# ---- sandbox modes ----

# The sandbox's own tests (autograder/selftest/test_sandbox.c), in both modes:
# each must end with the status and message the sandbox owes it, and the
# host's System V objects must be exactly as they were.
check_sandbox_behaviour() {
	local mode records host_before bad=0
	host_before=$(cat /proc/sysvipc/msg /proc/sysvipc/sem /proc/sysvipc/shm)
	for mode in ns fallback; do
		records=$WORK/sandbox-$mode.records
		IPCLAB_SANDBOX=$mode IPCLAB_RECORDS=$records timeout -k 5 120 \
			build/selftest/test_sandbox -j2 >/dev/null 2>&1 || true
		while IFS='|' read -r name status words; do
			line=$(grep -P "^result\tsandbox\t$name\t" "$records" || true)
			if [[ $(cut -f6 <<<"$line") != "$status" || $line != *"$words"* ]]; then
				echo "$mode: $name: expected $status with \"$words\", got: ${line:0:300}"
				bad=1
			fi
		done <<'EOF'
starts_empty|passed|
leaked_queue_is_named|leak|System V message queue (key 0x
fork_loop_is_stopped|crashed|reached the limit of 64
hang_is_diagnosed|timeout|still open in: pid
fifo_wait_is_named|timeout|client is waiting for the server to open its reply FIFO
kill_all_is_contained|crashed|signal 9
exit_is_reported|failed|did a graded function call exit()
EOF
	done
	grep -q "the grader removed the message queue" "$WORK/sandbox-fallback.records" ||
		{ echo "fallback: the leaked queue was not removed by the grader"; bad=1; }
	[[ $host_before == "$(cat /proc/sysvipc/msg /proc/sysvipc/sem /proc/sysvipc/shm)" ]] ||
		{ echo "the host's System V objects changed"; bad=1; }
	return $bad
}

# plan_count LAB: how many graded tests LAB has.
plan_count() { grep -c '^plan' "build/tests/$1/plan.records"; }

# runner_for LAB DIR OUT [CFLAGS...]: links DIR's sources with LAB's tests into OUT.
runner_for() {
	local lab=$1 dir=$2 out=$3 file sources=()
	shift 3
	for file in $(lab_sources "$lab"); do
		sources+=("$dir/$file")
	done
	cc -std=gnu11 "$@" -I"build/pristine/$lab" -o "$out" "${sources[@]}" \
		build/tests/"$lab"/*.o build/lib/runner.o build/lib/libgrader.a -lcriterion
}

# The tests are Criterion tests: Criterion's own runner runs them too.
check_criterion_runner() {
	local lab runner out count
	for lab in "${LABS[@]}"; do
		runner=$WORK/criterion-runner-$lab
		count=$(plan_count "$lab")
		runner_for "$lab" "build/ref/$lab" "$runner"
		out=$(env -u IPCLAB_RECORDS timeout -k 5 120 "$runner" 2>&1) || fail "$lab: $out"
		grep -q "Synthesis: Tested: $count | Passing: $count | Failing: 0 | Crashing: 0" <<<"$out" ||
			fail "$lab, Criterion's runner: $(tail -n 3 <<<"$out")"
		[[ $("$runner" --list | grep -c "├\|└") == "$count" ]] ||
			fail "$lab: --list does not list $count tests"
		echo "$lab: Criterion's runner passed $count/$count"
	done
}

# Without namespaces, hostile code is still contained: a fork loop is stopped,
# kill(-1) reaches only the test's own uid, and every other test keeps its marks.
check_fallback_hostile() {
	local patch dir bad=0
	for patch in autograder/hostile/01-pipes/{fork-bomb,kill-everything}.patch; do
		dir=$WORK/fallback-$(basename "$patch" .patch)
		patched_copy 01-pipes "$patch" "$dir"
		IPCLAB_SANDBOX=fallback grade 01-pipes "$dir" "$dir.json"
		expect_zero_lines "$patch" "$dir.json" || bad=1
	done
	return $bad
}

check_fallback_mode() {
	local lab json
	for lab in "${LABS[@]}"; do
		json=$WORK/fallback-$lab.json
		IPCLAB_SANDBOX=fallback grade "$lab" "build/ref/$lab" "$json"
		full_marks "$json" ||
			fail "$lab in fallback mode scored $(score_of "$json")/$(max_of "$json"):$(cat "$json.txt")"
		grep -q "not isolated" "$json.txt" ||
			fail "$lab: fallback mode did not say tests are not isolated"
	done
}

# As an ordinary user (uid 65534), on a copy of the kit that user can read.
check_non_root() {
	local kit=$WORK/kit lab json
	[[ $(id -u) == 0 ]] || { echo "not root: this whole run is the non-root check"; return 0; }
	mkdir -p "$kit"
	cp -r bin build labs "$kit/"
	chmod -R a+rX "$WORK"
	chown 65534:65534 "$WORK"
	for lab in "${LABS[@]}"; do
		json=$WORK/nonroot-$lab.json
		setpriv --reuid=65534 --regid=65534 --clear-groups env HOME="$WORK" TMPDIR="$WORK" \
			timeout -k 5 300 "$kit/bin/ipclab" grade "${lab%%-*}" "$kit/build/ref/$lab" \
			--results "$json" >"$json.txt" 2>&1 || true
		{ [[ -s $json ]] && full_marks "$json"; } ||
			fail "$lab as uid 65534 scored ${json:+$(score_of "$json" 2>/dev/null)}:$(cat "$json.txt")"
		if grep -q "not isolated" "$json.txt"; then
			fail "$lab as uid 65534: tests were not isolated: $(grep 'not isolated' "$json.txt")"
		fi
	done
}

# ---- reports on every path ----

check_compile_error_report() {
	local dir=$WORK/broken json
	mkdir -p "$dir"
	printf 'int read_full(void) { return syntax error }\n' >"$dir/pipes.c"
	json=$dir.json
	grade 01-pipes "$dir" "$json"
	[[ $(score_of "$json") == 0 && $(jq '.tests | length' "$json") -ge 12 ]] ||
		fail "compile error: expected score 0 and every test listed"
	jq -r .output "$json" | grep -q "error" || fail "compile error: compiler messages missing"
	tail -n 1 "$json.txt" | grep -qx "score: 0/$(max_of "$json")" ||
		fail "last line is not score: 0/$(max_of "$json")"
}

check_global_deadline_report() {
	local dir=$WORK/slow json
	patched_copy 01-pipes autograder/hostile/01-pipes/endless-loop.patch "$dir"
	json=$dir.json
	grade 01-pipes "$dir" "$json" --deadline 3
	jq -e '.tests | length >= 12' "$json" >/dev/null || fail "tests missing after global deadline"
	jq -r '.tests[].output' "$json" | grep -q "deadline" || fail "no test says the deadline passed"
	tail -n 1 "$json.txt" | grep -q "^score: [0-9]*/$(max_of "$json")$" ||
		fail "last line is not score: N/$(max_of "$json")"
}

check_results_parse() {
	local json=$WORK/ref-01-pipes.json
	[[ -s $json ]] || grade 01-pipes build/ref/01-pipes "$json"
	python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); assert d["tests"]' "$json"
	"$IPCLAB" grade 01 build/ref/01-pipes --junit "$WORK/junit.xml" >/dev/null
	xmllint --noout "$WORK/junit.xml"
}

# ---- hidden tests ----

# The lab 01 hidden test (autograder/hidden/01-pipes/) is in the plan, hidden
# in results.json and marked in the reports, its points on top of the 100;
# and a kit without autograder/hidden/ (the student edition) builds, tests
# and grades out of 100. Skipped where the directory is not (the student edition).
# A check's status is that of its last command: `fail` alone does not stop it,
# hence `|| return` after each one here.
check_hidden_tests() {
	local name=pipeline_failed_exec_writes_nothing json=$WORK/hidden-ref.json
	local kit=$WORK/kit-without-hidden plan=build/tests/01-pipes/plan.records out
	if [[ ! -d autograder/hidden/01-pipes ]]; then
		echo "no autograder/hidden/01-pipes (the student edition?): nothing to check"
		return 0
	fi
	grep -qP "^plan\tpipes\t$name\t5\t[0-9]+\t.*\thidden$" "$plan" ||
		fail "$plan does not plan $name as hidden, 5 points" || return
	grade 01-pipes build/ref/01-pipes "$json" --junit "$json.xml" || return
	jq -e --arg t "$name" '[.tests[] | .visibility == (if .name == $t then "hidden"
		else "visible" end)] | all' "$json" >/dev/null ||
		fail "expected $name hidden and every other test visible: $(jq -c \
			'[.tests[] | [.name, .visibility]]' "$json")" || return
	jq -r .output "$json" | grep -qx "Your total includes 1 hidden test worth 5 points; .*" ||
		fail "the text above the tests does not count the hidden test: $(jq .output "$json")" ||
		return
	[[ $(score_of "$json")/$(max_of "$json") == 105/105 ]] ||
		fail "lab 01 reference: expected 105/105 (100 + 5 hidden)," \
			"got $(score_of "$json")/$(max_of "$json")" || return
	grep -q "^  ok    5/5  $name \[hidden\]  " "$json.txt" ||
		fail "the terminal report does not mark $name: $(grep "$name" "$json.txt")" || return
	grep -q '<property name="visibility" value="hidden"/>' "$json.xml" ||
		fail "the JUnit report does not mark $name hidden" || return
	echo "with autograder/hidden: lab 01 reference $(tail -n 1 "$json.txt"), $name hidden"

	# The student edition: the same kit without autograder/hidden/, built from scratch.
	mkdir -p "$kit"
	cp -r Makefile autograder labs solutions "$kit/"
	rm -rf "$kit/autograder/hidden"
	out=$(timeout -k 5 600 make -s -C "$kit" all 2>&1) ||
		fail "make without autograder/hidden failed: $out" || return
	if grep -qP "\thidden$" "$kit/$plan"; then
		fail "without autograder/hidden, the plan still has a hidden test" || return
	fi
	env -u IPCLAB_ROOT timeout -k 5 300 "$kit/bin/ipclab" grade 01 "$kit/build/ref/01-pipes" \
		--results "$kit/ref.json" >"$kit/ref.txt" 2>&1 || true
	[[ -s $kit/ref.json && $(score_of "$kit/ref.json")/$(max_of "$kit/ref.json") == 100/100 ]] ||
		fail "without autograder/hidden, lab 01 reference: $(tail -n 20 "$kit/ref.txt")" ||
		return
	jq -e '[.tests[].visibility == "visible"] | all' "$kit/ref.json" >/dev/null ||
		fail "without autograder/hidden, a test is not visible" || return
	if jq -r .output "$kit/ref.json" | grep -q "hidden test"; then
		fail "without autograder/hidden, the text above the tests speaks of hidden tests" ||
			return
	fi
	if out=$(cd "$kit" && env -u IPCLAB_ROOT timeout -k 5 300 bin/ipclab test 01 2>&1); then
		fail "without autograder/hidden, ipclab test 01 passed on the skeleton" || return
	fi
	[[ $(tail -n 1 <<<"$out") == "score: 0/100" ]] ||
		fail "without autograder/hidden, ipclab test 01: $(tail -n 5 <<<"$out")" || return
	echo "without autograder/hidden: lab 01 reference $(tail -n 1 "$kit/ref.txt")," \
		"skeleton (ipclab test 01) $(tail -n 1 <<<"$out")"
}

# ---- the command line ----

# provision.sh refuses, with exit 2 and a reason, to run as an ordinary user.
check_provision_refuses_non_root() {
	local copy=$WORK/provision.sh out status=0
	[[ $(id -u) == 0 ]] || { echo "not root: cannot switch to another user"; return 0; }
	cp vm/provision.sh "$copy"
	chmod a+rx "$WORK" "$copy"
	out=$(setpriv --reuid=65534 --regid=65534 --clear-groups "$copy" 2>&1) || status=$?
	[[ $status == 2 && $out == *"must run as root"* ]] ||
		fail "expected exit 2 and 'must run as root', got exit $status: $out"
}

# A second provisioning changes nothing: no apt call, every locked package
# listed, and (run as root after CI's own provisioning) quick.
check_provision_idempotent() {
	local out count start seconds options=()
	[[ $(id -u) == 0 ]] || { echo "not root: provision.sh cannot run"; return 0; }
	[[ ! -e /etc/ipclab-guest ]] || options=(--guest)
	start=$(date +%s)
	out=$(timeout -k 5 600 vm/provision.sh "${options[@]}" </dev/null 2>&1) ||
		fail "provision.sh failed: $(tail -n 20 <<<"$out")"
	seconds=$(($(date +%s) - start))
	if grep -q "installing\|apt-get" <<<"$out"; then
		fail "the second provisioning installed something: $(grep "installing" <<<"$out")"
	fi
	count=$(grep -c '^  [a-z0-9.+-]* ' <<<"$out" || true)
	[[ $count -ge $(grep -c ' course$' vm/packages.lock) ]] ||
		fail "provision.sh listed $count packages: $(head -n 25 <<<"$out")"
	grep -q "^all labs *[0-9]*/[0-9]*$" <<<"$out" || fail "no scoreboard at the end: $(tail -n 5 <<<"$out")"
	echo "second provisioning: $count packages checked against the lock, nothing installed, ${seconds} s"
}

check_cli_tests() {
	"$ROOT/autograder/ipclab/tests/check.sh"
}

# ---- valgrind ----

# memcheck LAB DIR LOGS [RUNNER OPTIONS]: runs LAB's tests on DIR's sources under
# valgrind, judged from valgrind's own logs (a test's status says nothing about
# memory errors). Prints what valgrind found; returns 1 when it found errors.
memcheck() {
	local lab=$1 dir=$2 logs=$3
	shift 3
	mkdir -p "$logs"
	runner_for "$lab" "$dir" "$logs/runner" -g -O0
	IPCLAB_SANDBOX=none IPCLAB_TIME_SCALE=20 IPCLAB_RECORDS=$logs/records \
		timeout -k 5 600 valgrind -q --vgdb=no --trace-children=yes \
		--trace-children-skip='/usr/*,/bin/*' --log-file="$logs/vg.%p" \
		"$logs/runner" -j2 "$@" >"$logs/out" 2>&1 ||
		fail "runner failed under valgrind: $(tail -n 20 "$logs/out")"
	if grep -q "ERROR SUMMARY: [1-9]\|Invalid \|uninitialised" "$logs"/vg.*; then
		grep -hv WARNING "$logs"/vg.* | head -n 40
		return 1
	fi
}

check_reference_memcheck() {
	local lab logs passed count
	for lab in "${LABS[@]}"; do
		logs=$WORK/vg-$lab
		count=$(plan_count "$lab")
		memcheck "$lab" "build/ref/$lab" "$logs" ||
			fail "memcheck found errors in the $lab reference (above)"
		passed=$(grep -c "^result.*	passed	" "$logs/records" || true)
		[[ $passed == "$count" ]] || fail "$lab: only $passed of $count tests passed under valgrind"
		echo "memcheck $lab: $(find "$logs" -name 'vg.*' | wc -l) processes checked, 0 errors, $passed/$count passed"
	done
}

# The check above can fail: a one-byte heap overflow that no test notices.
check_memcheck_catches_control() {
	local dir=$WORK/memcheck-control
	patched_copy 01-pipes autograder/selfcheck/memcheck-control.patch "$dir"
	if memcheck 01-pipes "$dir" "$dir.vg" --filter='*/messages_arrive_whole' >/dev/null; then
		fail "valgrind did not report the planted heap overflow"
	fi
	grep -q "Invalid write" "$dir.vg"/vg.* || fail "no 'Invalid write' in valgrind's logs"
}

# ---- documents ----

check_docs_no_warnings() {
	local log=$WORK/doxygen.log
	make -s docs >"$log" 2>&1 || fail "make docs failed: $(tail "$log")"
	if grep -i "warning" "$log"; then
		fail "doxygen warnings (above)"
	fi
}

# ---- the VM and the container ----

# vagrant_run [NAME=VALUE...] -- VAGRANT ARGS...: vagrant in the repository top,
# with a throwaway HOME, ~/.vagrant.d and .vagrant/ (nothing written into the
# user's or the repository's), no version check over the network.
vagrant_run() {
	local vars=()
	while [[ $1 != -- ]]; do
		vars+=("$1")
		shift
	done
	shift
	mkdir -p "$WORK/vagrant/home"
	env HOME="$WORK/vagrant/home" VAGRANT_HOME="$WORK/vagrant/vagrant.d" \
		VAGRANT_DOTFILE_PATH="$WORK/vagrant/dot" VAGRANT_CHECKPOINT_DISABLE=1 \
		VAGRANT_DEFAULT_PROVIDER= "${vars[@]}" timeout -k 5 120 vagrant "$@" </dev/null
}

# The Vagrantfile validates with its defaults and with every override, so each
# of its branches is parsed; bad overrides are refused with a reason. Where no
# provider is usable (CI: no hypervisor) it validates with --ignore-provider:
# the provider blocks still run, but no provider plugin judges their settings.
check_vagrant_validate() {
	local variant out flags=() vars
	if ! command -v vagrant >/dev/null; then
		if [[ -e /etc/ipclab-guest ]]; then
			echo "guest: vagrant validate is checked on the host"
			return 0
		fi
		fail "vagrant not installed: run sudo ./vm/provision.sh"
	fi
	vagrant_run -- --version
	if ! out=$(vagrant_run -- validate 2>&1); then
		grep -q "No usable default provider\|isn't usable\|could not be found" <<<"$out" ||
			fail "vagrant validate failed: $out"
		flags=(--ignore-provider)
		echo "no usable provider here: validating with --ignore-provider"
	fi
	while IFS= read -r variant; do
		read -ra vars <<<"$variant"
		out=$(vagrant_run "${vars[@]}" -- validate "${flags[@]}" 2>&1) ||
			fail "vagrant validate${variant:+ with $variant} failed: $out"
		grep -q "validated successfully" <<<"$out" ||
			fail "vagrant validate${variant:+ with $variant} did not say it validated: $out"
		echo "vagrant validate${variant:+ with $variant}: validated"
	done <<'EOF'

IPCLAB_ARCH=arm64
IPCLAB_ARCH=amd64 IPCLAB_CPUS=4 IPCLAB_MEMORY=4096
IPCLAB_BOX=debian/bookworm64
IPCLAB_BOX_VERSION= IPCLAB_LIBVIRT_BOX_VERSION=
IPCLAB_LIBVIRT_BOX=debian/bookworm64 IPCLAB_LIBVIRT_BOX_VERSION=
EOF
	while IFS='|' read -r variant words; do
		read -ra vars <<<"$variant"
		if out=$(vagrant_run "${vars[@]}" -- validate "${flags[@]}" 2>&1); then
			fail "vagrant validate with $variant passed; expected: $words"
		fi
		[[ $out == *"$words"* ]] || fail "vagrant validate with $variant: expected \"$words\", got: $out"
		echo "vagrant validate with $variant: refused ($words)"
	done <<'EOF'
IPCLAB_CPUS=two|IPCLAB_CPUS="two": expected a whole number
IPCLAB_MEMORY=256|IPCLAB_MEMORY="256": expected a whole number, at least 512
IPCLAB_ARCH=sparc|IPCLAB_ARCH="sparc": expected amd64, arm64 or auto
EOF
}

# The container path: the image builds from the Dockerfile and grades the lab
# 01 reference at 100, with Docker's default confinement (the grader's fallback
# mode) and with the confinement README.md documents (namespaces, when the
# host allows them). Skipped, with the reason, where no Docker engine runs.
check_docker_build() {
	local info out image=ipc-labs:selfcheck opts mode
	if ! command -v docker >/dev/null; then
		echo "skipped: no docker command here"
		return 0
	fi
	if ! info=$(timeout -k 5 30 docker info 2>&1); then
		echo "skipped: no Docker engine here (docker info: $(grep -m 1 -i "cannot\|error" <<<"$info" ||
			tail -n 1 <<<"$info"))"
		return 0
	fi
	timeout -k 10 1800 docker build --tag "$image" . >"$WORK/docker-build.txt" 2>&1 ||
		fail "docker build failed: $(tail -n 30 "$WORK/docker-build.txt")"
	echo "docker build: $image built"
	for opts in "" "--security-opt seccomp=unconfined --security-opt apparmor=unconfined --security-opt systempaths=unconfined"; do
		# shellcheck disable=SC2086 # opts is a list of options
		out=$(timeout -k 10 600 docker run --rm --ipc=private --shm-size=512m $opts "$image" \
			bin/ipclab grade 01 build/ref/01-pipes 2>&1) || true
		# full marks: 100, or more when the image holds hidden tests
		[[ $(tail -n 1 <<<"$out") =~ ^score:\ ([0-9]+)/([0-9]+)$ &&
			${BASH_REMATCH[1]} == "${BASH_REMATCH[2]}" && ${BASH_REMATCH[2]} -ge 100 ]] ||
			fail "docker run ${opts:-(default options)}: lab 01 reference: $(tail -n 20 <<<"$out")"
		mode="isolated"
		grep -q "not isolated" <<<"$out" && mode="fallback mode, not isolated"
		echo "docker run ${opts:-(default options)}: lab 01 reference: $(tail -n 1 <<<"$out") ($mode)"
	done
}

ALL=(skeletons_current no_solution_in_labs skeletons_build engine_tests
	reference_full_marks skeleton_scores_zero mutants_caught hostile_contained
	sandbox_behaviour criterion_runner fallback_mode fallback_hostile non_root compile_error_report global_deadline_report results_parse
	cli_tests provision_refuses_non_root provision_idempotent reference_memcheck memcheck_catches_control
	docs_no_warnings vagrant_validate docker_build hidden_tests)
ONLY="$*"
for name in "${ALL[@]}"; do
	run_check "$name" "check_$name"
done
echo "$passed passed, $failed failed"
[[ $failed == 0 ]]
