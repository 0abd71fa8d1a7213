#!/usr/bin/env bash
# check.sh - the kit's self-check, run by `make check`: proves the grader.
#
# Solutions score full marks, skeletons score 0, every mutant loses points in
# the test it names, every hostile submission is contained, the reports parse,
# labs/ is what `make skeletons` makes, the sandbox works as root, as an
# ordinary user and without namespaces, and the editions made for students
# and for Gradescope hold no solution code and grade on their own.
# Ends with "N passed, N failed".
#
# Usage: autograder/selfcheck/check.sh [CHECK...]   (names as printed; default all)
set -euo pipefail

cd "$(dirname "$0")/../.."
ROOT=$PWD
IPCLAB=$ROOT/bin/ipclab
# Every lab: a folder labs/NN-topic/ with its manifest, lab.mk.
# IPCLAB_CHECK_LABS="NN-topic ..." checks only those.
mapfile -t LABS < <(cd labs && dirname -- [0-9][0-9]-*/lab.mk)
[[ -z ${IPCLAB_CHECK_LABS:-} ]] || read -ra LABS <<<"$IPCLAB_CHECK_LABS"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/ipclab-check.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
# shellcheck source=autograder/selfcheck/run_check.sh
. autograder/selfcheck/run_check.sh
# shellcheck source=autograder/selfcheck/batch_checks.sh
. autograder/selfcheck/batch_checks.sh
# shellcheck source=autograder/selfcheck/mutation_checks.sh
. autograder/selfcheck/mutation_checks.sh
# engine_tests, sandbox_behaviour, cli_tests: shared with the student edition.
# shellcheck source=autograder/selfcheck/engine_checks.sh
. autograder/selfcheck/engine_checks.sh
# shellcheck source=autograder/selfcheck/new_lab_checks.sh
. autograder/selfcheck/new_lab_checks.sh
# shellcheck source=autograder/selfcheck/cross_checks.sh
. autograder/selfcheck/cross_checks.sh
# tasks_match_handout, first_run_guides: the report as a student first meets it.
# shellcheck source=autograder/selfcheck/first_run_checks.sh
. autograder/selfcheck/first_run_checks.sh
# handouts_run, handout_check_can_fail: every shell block of every handout.
# shellcheck source=autograder/selfcheck/handout_checks.sh
. autograder/selfcheck/handout_checks.sh
# alternatives_full_marks, alternatives_memcheck: other correct solutions.
# shellcheck source=autograder/selfcheck/alternatives_checks.sh
. autograder/selfcheck/alternatives_checks.sh
# scenarios_match_facts, scenario_check_can_fail: the scenarios show FACTS.md.
# shellcheck source=autograder/selfcheck/scenario_checks.sh
. autograder/selfcheck/scenario_checks.sh
# decks_fit, decks_code_compiles: the lecture decks render, fit and compile.
# shellcheck source=autograder/selfcheck/deck_checks.sh
. autograder/selfcheck/deck_checks.sh

# manifest LAB KEY: the value of KEY in LAB's manifest (labs/LAB/lab.mk).
manifest() { sed -n "s/ *#.*//; s/^$2 *:= *//p" "labs/$1/lab.mk"; }
# lab_sources LAB: the files a submission of LAB holds.
lab_sources() { manifest "$1" sources; }

# grade LAB DIR OUT.json [ipclab options]: grades DIR; exit status of ipclab is not judged.
grade() {
	local lab=$1 dir=$2 json=$3
	shift 3
	timeout -k 5 300 "$IPCLAB" grade "${lab%%-*}" "$dir" --results "$json" "$@" \
		>"$json.txt" 2>&1 || true
	[[ -s $json ]] || fail "no results.json written; ipclab said:$(tail -n 20 "$json.txt")"
}

# junit_valid XML JSON [TEXT]: XML, written with JSON by one grading, fits
# autograder/selfcheck/junit.xsd (Jenkins' junit-10.xsd structure), and GitLab's
# and GitHub's readers find in it JSON's tests (junit_readers.py); with TEXT,
# every failure shows it.
junit_valid() {
	local out
	out=$(xmllint --noout --schema autograder/selfcheck/junit.xsd "$1" 2>&1) ||
		fail "$1 does not fit autograder/selfcheck/junit.xsd: $(head -n 5 <<<"$out")" ||
		return
	python3 autograder/selfcheck/junit_readers.py "$1" "$2" ${3:+--failures-contain "$3"}
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
# below A B: A < B, as numbers (scores can be halves, 2.5: not for [[ -lt ]]).
below() { jq -en --argjson a "$1" --argjson b "$2" '$a < $b' >/dev/null; }

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
		grade "$lab" "labs/$lab" "$json" --junit "$json.xml"
		[[ $(score_of "$json") == 0 ]] ||
			fail "$lab skeleton scored $(score_of "$json"):$(cat "$json.txt")"
		junit_valid "$json.xml" "$json"
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
	local lab patch name dir json test tests bad=0
	for lab in "${LABS[@]}"; do
		for patch in autograder/mutants/"$lab"/*.patch autograder/hidden/"$lab"/mutants/*.patch; do
			[[ -e $patch ]] || continue	# no hidden mutants for this lab
			name=$(basename "$patch" .patch)
			dir=$WORK/mutant-$lab-$name
			read -ra tests <<<"$(sed -n 's/^Catches: *//p' "$patch")"
			((${#tests[@]})) || { echo "mutant $lab/$name: no Catches: line"; bad=1; continue; }
			patched_copy "$lab" "$patch" "$dir"
			# Only the tests it names: a mutant that hangs elsewhere costs no deadline.
			grade "$lab" "$dir" "$dir.json" "${tests[@]}"
			for test in "${tests[@]}"; do
				if ! below "$(test_score "$dir.json" "$test")" "$(test_max "$dir.json" "$test")"; then
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
			[[ -e $patch ]] || continue # a lab without hostile submissions
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

# Each forging submission (autograder/forgers/NN-topic/NAME/) attacks the
# judge instead of doing the work: writes the verdict page, the judge's
# descriptors, fake reports; kills or traces the judge; exits 0. It scores
# what its "Score:" line says (what its real behaviour earns), with and
# without namespaces. A forger is the lab's source files, or a forge.c that
# goes before the lab's stubs.c (each graded function calls forge()); an
# attack that fits every lab lives in autograder/forgers/NAME.c, and each
# lab's NAME/forge.c is a link to it.
check_forgers_score_nothing() {
	local lab forger dir json expected mode file sources bad=0
	for lab in "${LABS[@]}"; do
		for forger in autograder/forgers/"$lab"/*/; do
			[[ -d $forger ]] || continue
			expected=$(sed -n 's/.*Score: *\([0-9]*\).*/\1/p' "$forger"/*.c | head -n 1)
			for mode in ns fallback; do
				dir=$WORK/forger-$lab-$(basename "$forger")-$mode
				mkdir -p "$dir"
				if [[ -e $forger/forge.c ]]; then
					# stubs.c holds every function: a lab's other sources are empty.
					read -ra sources <<<"$(lab_sources "$lab")"
					cat "$forger/forge.c" "autograder/forgers/$lab/stubs.c" \
						>"$dir/${sources[0]}"
					for file in "${sources[@]:1}"; do : >"$dir/$file"; done
				else
					cp "$forger"/*.c "$dir/"
				fi
				json=$dir.json
				IPCLAB_SANDBOX=$mode grade "$lab" "$dir" "$json"
				echo "forger $lab/$(basename "$forger") ($mode): $(score_of "$json")/$(max_of "$json")"
				[[ $(score_of "$json") == "$expected" ]] ||
					{ echo "  expected $expected"; bad=1; }
			done
		done
	done
	return $bad
}

# ---- sandbox modes ----

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

# sanitized_for LAB DIR OUTDIR: LAB's ThreadSanitizer programs (build/tests/LAB/tsan/)
# linked with DIR's sources built with -fsanitize=thread, into OUTDIR beside a
# runner there, as ipclab builds them (build.c).
sanitized_for() {
	local lab=$1 dir=$2 outdir=$3 file program sources=()
	for file in $(lab_sources "$lab"); do
		sources+=("$dir/$file")
	done
	for program in build/tests/"$lab"/tsan/*.o; do
		[[ -e $program ]] || continue
		cc -std=gnu11 -g -O1 -w -fsanitize=thread -I"build/pristine/$lab" \
			-o "$outdir/$(basename "$program" .o)" "${sources[@]}" "$program" -lpthread
	done
}

# The tests are Criterion tests: Criterion's own runner runs them too.
check_criterion_runner() {
	local lab runner out count
	for lab in "${LABS[@]}"; do
		mkdir -p "$WORK/criterion-$lab"
		runner=$WORK/criterion-$lab/runner
		count=$(plan_count "$lab")
		runner_for "$lab" "build/ref/$lab" "$runner"
		sanitized_for "$lab" "build/ref/$lab" "$WORK/criterion-$lab"
		out=$(env -u IPCLAB_RECORDS timeout -k 5 120 "$runner" 2>&1) || fail "$lab: $out"
		grep -q "Synthesis: Tested: $count | Passing: $count | Failing: 0 | Crashing: 0" <<<"$out" ||
			fail "$lab, Criterion's runner: $(tail -n 3 <<<"$out")"
		[[ $("$runner" --list | grep -c "├\|└") == "$count" ]] ||
			fail "$lab: --list does not list $count tests"
		echo "$lab: Criterion's runner passed $count/$count"
	done
}

# criterion_defines DIR [FIND-TESTS]: the names that the headers under DIR (as
# find DIR FIND-TESTS selects) define: macros, struct, union and enum tags,
# typedefs, CR_API functions.
criterion_defines() {
	find "$@" -name '*.h' -exec cat {} + | sed -E 's,//.*,,' | grep -oE \
		-e '^ *# *define +[A-Za-z_][A-Za-z0-9_]*' \
		-e '(struct|union|enum) +[A-Za-z_][A-Za-z0-9_]* *\{' \
		-e '^ *typedef [^;]*\(\* *[A-Za-z_][A-Za-z0-9_]*' \
		-e '^ *typedef [^(]*[A-Za-z_][A-Za-z0-9_]* *;' \
		-e '^ *CR_API [^(]*[A-Za-z_][A-Za-z0-9_]* *\(' |
		sed -E 's/[^A-Za-z0-9_]+$//; s/.*[^A-Za-z0-9_]//' | sort -u
}

# The kit builds with any Criterion 2.4: its sources use only the public API.
# criterion/internal/ changes between releases (Gradescope's Ubuntu may not
# have Debian's 2.4.1), so no source includes it or names what only it
# defines (FOREACH_SET, struct criterion_ordered_set, ...).
check_criterion_public_api() {
	local inc names sources
	inc=$(pkg-config --variable=includedir criterion 2>/dev/null || echo /usr/include)/criterion
	[[ -d $inc/internal ]] || fail "no Criterion headers in $inc/internal"
	names=$WORK/criterion-internal-names
	comm -23 <(criterion_defines "$inc/internal") \
		<(criterion_defines "$inc" -path "$inc/internal" -prune -o) >"$names"
	[[ -s $names ]] || fail "found no names that only $inc/internal/ defines"
	sources=$WORK/kit-sources
	find autograder labs solutions scenarios bench -name '*.[ch]' -print0 >"$sources"
	if xargs -0 grep -nE '#[[:space:]]*include[[:space:]]*[<"]criterion/internal/' <"$sources"; then
		fail "(above) kit sources include Criterion's internal headers"
	fi
	if xargs -0 grep -nwF -f "$names" <"$sources"; then
		fail "(above) kit sources use names that only Criterion's internal headers" \
			"define: use the public API of $inc/*.h"
	fi
	echo "$(tr '\0' '\n' <"$sources" | wc -l) sources, none uses any of the" \
		"$(wc -l <"$names") names of $inc/internal/"
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

# Without namespaces, nothing of a submission outlives its grading, even as
# root without CAP_SYS_ADMIN (a container's root): one that fills every System
# V table (4,096 segments, 32,000 sets and queues) is graded in a private IPC
# namespace, where what is left can be counted, and is 0.
check_fallback_cleanup() {
	local dir=$WORK/fallback-sysv-flood left lab
	patched_copy 03-msgqueues autograder/hostile/03-msgqueues/sysv-flood.patch "$dir"
	left=$(unshare --ipc bash -c '
		IPCLAB_SANDBOX=fallback timeout -k 5 300 "$1" grade 03 "$2" --results "$2.json" \
			>"$2.txt" 2>&1
		cat /proc/sysvipc/msg /proc/sysvipc/sem /proc/sysvipc/shm | grep -vc "^ *key" || true
	' bash "$IPCLAB" "$dir")
	[[ -s $dir.json ]] || fail "no results.json written; ipclab said:$(tail -n 20 "$dir.txt")"
	[[ $left == 0 ]] || fail "$left System V objects were left after grading sysv-flood"
	grep -q "removed 4096 shared memory segment" "$dir.txt" ||
		fail "the report does not say the grader removed the 4096 segments"
	echo "sysv-flood graded without namespaces: 0 objects left"
	# Every reference in mode none (as under valgrind), where even objects a
	# passing test leaves by design (at keys it made with ftok) must go.
	for lab in "${LABS[@]}"; do
		left=$(unshare --ipc bash -c '
			IPCLAB_SANDBOX=none timeout -k 5 300 "$1" grade "$2" "build/ref/$2" >"$3" 2>&1
			cat /proc/sysvipc/msg /proc/sysvipc/sem /proc/sysvipc/shm | grep -vc "^ *key" || true
		' bash "$IPCLAB" "$lab" "$WORK/none-$lab.txt")
		[[ $left == 0 ]] || fail "$lab's reference graded with IPCLAB_SANDBOX=none left $left" \
			"System V objects (ipcs in that namespace); ipclab said:$(tail -n 5 "$WORK/none-$lab.txt")"
	done
	echo "every reference graded with IPCLAB_SANDBOX=none: 0 objects left"
	# Every reference in fallback mode as root without CAP_SYS_ADMIN, as in a
	# Docker or Podman container: what a test's uid made must still go (root
	# without that capability cannot IPC_RMID another uid's object), or the
	# next test finds it at the same ftok key and fails with EACCES.
	for lab in "${LABS[@]}"; do
		left=$(unshare --ipc setpriv --bounding-set -sys_admin --inh-caps -sys_admin bash -c '
			IPCLAB_SANDBOX=fallback timeout -k 5 300 "$1" grade "$2" "build/ref/$2" \
				--results "$3.json" >"$3" 2>&1
			cat /proc/sysvipc/msg /proc/sysvipc/sem /proc/sysvipc/shm | grep -vc "^ *key" || true
		' bash "$IPCLAB" "$lab" "$WORK/nosysadmin-$lab.txt")
		full_marks "$WORK/nosysadmin-$lab.txt.json" ||
			fail "$lab's reference in fallback mode without CAP_SYS_ADMIN scored" \
				"$(score_of "$WORK/nosysadmin-$lab.txt.json")/$(max_of "$WORK/nosysadmin-$lab.txt.json"):" \
				"$(grep -A2 FAIL "$WORK/nosysadmin-$lab.txt" | head -n 12)"
		[[ $left == 0 ]] || fail "$lab's reference in fallback mode without CAP_SYS_ADMIN left $left" \
			"System V objects (ipcs in that namespace)"
	done
	echo "every reference in fallback mode without CAP_SYS_ADMIN (as in a container): full marks, 0 objects left"
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
	local dir=$WORK/broken json error
	mkdir -p "$dir"
	printf 'int read_full(void) { return syntax error }\n' >"$dir/pipes.c"
	json=$dir.json
	grade 01-pipes "$dir" "$json" --junit "$json.xml"
	[[ $(score_of "$json") == 0 && $(jq '.tests | length' "$json") -ge 12 ]] ||
		fail "compile error: expected score 0 and every test listed"
	# The compiler's own line, in the text above the tests and in each JUnit failure.
	error=$(grep -m 1 "^pipes.c:1:[0-9]*: error: " "$json.txt") ||
		fail "compile error: no compiler error in ipclab's output: $(head "$json.txt")"
	grep -qxF "$error" <<<"$(jq -r .output "$json")" ||
		fail "compile error: results.json's output lacks the compiler's messages"
	junit_valid "$json.xml" "$json" "$error"
	grep -qF "$error" <<<"$(xmllint --xpath 'string(//testsuite/system-out)' "$json.xml")" ||
		fail "compile error: the JUnit suite's system-out lacks the compiler's messages"
	tail -n 1 "$json.txt" | grep -qx "score: 0/$(max_of "$json")" ||
		fail "last line is not score: 0/$(max_of "$json")"
}

check_global_deadline_report() {
	local dir=$WORK/slow json
	patched_copy 01-pipes autograder/hostile/01-pipes/endless-loop.patch "$dir"
	json=$dir.json
	grade 01-pipes "$dir" "$json" --deadline 3 --junit "$json.xml"
	jq -e '.tests | length >= 12' "$json" >/dev/null || fail "tests missing after global deadline"
	# timeouts (<error>) or tests the deadline left unrun (<skipped>): their messages end cleanly
	[[ $(xmllint --xpath 'count(//error | //skipped)' "$json.xml") -gt 0 ]] ||
		fail "global deadline: no timed-out or skipped test in the JUnit file"
	junit_valid "$json.xml" "$json"
	grep -q "deadline" <<<"$(jq -r '.tests[].output' "$json")" || fail "no test says the deadline passed"
	tail -n 1 "$json.txt" | grep -q "^score: [0-9]*\(\.5\)\?/$(max_of "$json")$" ||
		fail "last line is not score: N/$(max_of "$json")"
}

check_results_parse() {
	local json=$WORK/ref-01-pipes.json
	[[ -s $json ]] || grade 01-pipes build/ref/01-pipes "$json"
	python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); assert d["tests"]' "$json"
	"$IPCLAB" grade 01 build/ref/01-pipes --junit "$WORK/junit.xml" --results "$WORK/junit.json" \
		>/dev/null
	junit_valid "$WORK/junit.xml" "$WORK/junit.json"
}

# ---- hidden tests ----

# hidden_wording_true JSON: the text above lab 01's tests and the README say
# what Gradescope shows (FORMATS.md, from its autograder specifications):
# while a test is hidden, students see no total score. Neither may say they
# see one, and both say it in the same words.
hidden_wording_true() {
	local said readme
	said=$(jq -r .output "$1" | grep "hidden test") ||
		fail "the text above the tests does not count the hidden test: $(jq .output "$1")" ||
		return
	if grep -Eiq "you see .*total|total includes" <<<"$said"; then
		fail "the text above the tests says students see a total: $said" || return
	fi
	grep -q "^1 hidden test worth 5 points .*while a test is hidden Gradescope does not show" \
		<<<"$said" || fail "the text above the tests does not say the total is hidden: $said" ||
		return
	readme=$(tr -s ' \n' '  ' <README.md)
	if grep -Eiq "you see [^.]*only in the total|total includes [0-9]" <<<"$readme"; then
		fail "README.md says students see a total with hidden tests" || return
	fi
	grep -qF "(\"$said\")" <<<"$readme" ||
		fail "README.md does not quote the text above the tests: $said"
}

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
	grep -qP "^plan\tpipes\t$name\t5\t[0-9]+\t.*\thidden\t3\.2$" "$plan" ||
		fail "$plan does not plan $name as hidden, 5 points" || return
	grade 01-pipes build/ref/01-pipes "$json" --junit "$json.xml" || return
	junit_valid "$json.xml" "$json" || return
	jq -e --arg t "$name" '[.tests[] | .visibility == (if .name == $t then "hidden"
		else "visible" end)] | all' "$json" >/dev/null ||
		fail "expected $name hidden and every other test visible: $(jq -c \
			'[.tests[] | [.name, .visibility]]' "$json")" || return
	hidden_wording_true "$json" || return
	[[ $(score_of "$json")/$(max_of "$json") == 105/105 ]] ||
		fail "lab 01 reference: expected 105/105 (100 + 5 hidden)," \
			"got $(score_of "$json")/$(max_of "$json")" || return
	grep -q "^  ok    5/5  $name \[hidden\]$" "$json.txt" ||
		fail "the terminal report does not mark $name: $(grep "$name" "$json.txt")" || return
	grep -q "<property name=\"visibility:$name\" value=\"hidden\"/>" "$json.xml" ||
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
	grep -q "^What to conclude\|scenarios not run here" <<<"$out" ||
		fail "provision.sh ran no scenario: $(tail -n 5 <<<"$out")"
	echo "second provisioning: $count packages checked against the lock, nothing installed, ${seconds} s"
}

# ---- valgrind ----

# memcheck LAB DIR LOGS [RUNNER OPTIONS]: runs LAB's tests on DIR's sources under
# valgrind, judged from valgrind's own logs (a test's status says nothing about
# memory errors). One test at a time: without a sandbox (IPCLAB_SANDBOX=none)
# tests share one IPC namespace, and a test's leak check would count the
# queues of the test beside it. Prints what valgrind found; returns 1 when it found errors.
memcheck() {
	local lab=$1 dir=$2 logs=$3
	shift 3
	mkdir -p "$logs"
	runner_for "$lab" "$dir" "$logs/runner" -g -O0
	IPCLAB_SANDBOX=none IPCLAB_TIME_SCALE=20 IPCLAB_RECORDS=$logs/records \
		timeout -k 5 600 valgrind -q --vgdb=no --trace-children=yes \
		--trace-children-skip='/usr/*,/bin/*' --log-file="$logs/vg.%p" \
		"$logs/runner" -j1 "$@" >"$logs/out" 2>&1 ||
		{ fail "runner failed under valgrind: $(tail -n 20 "$logs/out")"; return 1; }
	# (callers test this function's status, so set -e is off in it: return by hand)
	compgen -G "$logs/vg.*" >/dev/null ||
		{ fail "valgrind wrote no log: $(tail -n 20 "$logs/out")"; return 1; }
	if grep -q "ERROR SUMMARY: [1-9]\|Invalid \|uninitialised" "$logs"/vg.*; then
		grep -hv WARNING "$logs"/vg.* | head -n 40
		return 1
	fi
}

# Not counted under valgrind (their memory errors are still judged): after a
# seccomp filter makes fork(2) fail, valgrind 3.19 dies of SIGSEGV in these
# tests without a word in its log; natively, in every mode, they pass. And
# valgrind runs posix_spawn's CLONE_VM|CLONE_VFORK child as a plain fork, so
# glibc's posix_spawnp cannot pass an exec failure back to its caller there:
# the cloexec-spawn alternative then returns the child's 127, not ENOENT.
MEMCHECK_UNCOUNTED=" pipeline_fork_failure_cleans_up feed_command_fork_failure_cleans_up "
MEMCHECK_UNCOUNTED+="feed_command_reports_exec_failure "
# In mode none the tests run as the grader, root in CI, whom RLIMIT_NPROC
# does not bind: lab 06's third fork does not fail there.
MEMCHECK_UNCOUNTED+="workers_fail_cleanly "
# A ThreadSanitizer program cannot run under valgrind, and the runner memcheck
# builds (runner_for) has no ring_race beside it: lab 06's race test fails there.
MEMCHECK_UNCOUNTED+="ring_has_no_data_race "

# memcheck_passes LAB LOGS: prints "N/M", the tests memcheck counts that
# passed in LOGS out of all it counts; fails unless all did. Visible tests
# only: under valgrind (--trace-children), lab 01's hidden test
# pipeline_failed_exec_writes_nothing finds the caller's stdio buffer in the
# pipe after the reference's failed execvp(), which it does not natively;
# memory errors are still judged in every test.
memcheck_passes() {
	local counted count passed
	counted=$(awk -F'\t' -v skip="$MEMCHECK_UNCOUNTED" \
		'$1 == "plan" && $8 != "hidden" && index(skip, " " $3 " ") == 0 { print $3 }' \
		"build/tests/$1/plan.records")
	passed=$(awk -F'\t' 'NR == FNR { counted[$0] = 1; next }
		$1 == "result" && ($3 in counted) && $6 == "passed" { n++ } END { print n + 0 }' \
		<(printf '%s\n' "$counted") "$2/records")
	count=$(wc -l <<<"$counted")
	echo "$passed/$count"
	[[ $passed == "$count" ]]
}

check_reference_memcheck() {
	local lab logs passes
	for lab in "${LABS[@]}"; do
		logs=$WORK/vg-$lab
		memcheck "$lab" "build/ref/$lab" "$logs" ||
			fail "memcheck found errors in the $lab reference (above)"
		passes=$(memcheck_passes "$lab" "$logs") ||
			fail "$lab: only $passes visible tests passed under valgrind"
		echo "memcheck $lab: $(find "$logs" -name 'vg.*' | wc -l) processes checked, 0 errors, $passes passed"
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

# ---- the class report ----

# chromium_headless ARGS...: Debian's Chromium, headless, in a throwaway profile,
# with its background services (updates, sync, first-run) turned off.
chromium_headless() {
	local profile
	profile=$(mktemp -d "$WORK/chromium-profile.XXXXXX")
	timeout -k 5 120 chromium --headless --no-sandbox --disable-gpu --disable-quic \
		--no-first-run --disable-background-networking --disable-component-update \
		--disable-sync --user-data-dir="$profile" "$@" </dev/null
}

# html_well_formed FILE: libxml2's HTML parser reports nothing but the SVG element
# names (libxml2 2.9 knows HTML 4 only), the file is well-formed XML, and Python's
# html.parser reads valid UTF-8 in which every element opened is closed, in order.
html_well_formed() {
	local file=$1 errors
	errors=$(xmllint --html --noout "$file" 2>&1 | grep -E "error|warning" |
		grep -Ev "HTML parser error : Tag (svg|line|rect|text) invalid$" || true)
	[[ -z $errors ]] || { fail "xmllint --html $file: $errors"; return 1; }
	errors=$(xmllint --noout "$file" 2>&1) ||
		{ fail "$file is not well-formed XML: $errors"; return 1; }
	python3 - "$file" <<'EOF' || { fail "html.parser: $file is not well-formed (above)"; return 1; }
import sys
from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}

class Balance(HTMLParser):
    def __init__(self):
        super().__init__()
        self.open, self.problems = [], []

    def handle_starttag(self, tag, attrs):
        if tag not in VOID:
            self.open.append((tag, self.getpos()[0]))

    def handle_startendtag(self, tag, attrs):
        pass  # <rect .../>: opened and closed

    def handle_endtag(self, tag):
        if self.open and self.open[-1][0] == tag:
            self.open.pop()
        else:
            inner = self.open[-1] if self.open else ("nothing", 0)
            self.problems.append(f"line {self.getpos()[0]}: </{tag}> closes <{inner[0]}> of line {inner[1]}")

parser = Balance()
parser.feed(open(sys.argv[1], encoding="utf-8").read())
parser.close()
problems = parser.problems + [f"<{tag}> of line {line} is never closed" for tag, line in parser.open]
if problems:
    sys.exit("\n".join(problems[:10]))
EOF
}

# page_self_contained FILE: no script, no frame or embedded object, and nothing that
# loads another file or URL (src, href, srcset, CSS url() or @import).
page_self_contained() {
	python3 - "$1" <<'EOF' || { fail "$1 is not self-contained (above)"; return 1; }
import re, sys
from html.parser import HTMLParser

ACTIVE = {"script", "iframe", "frame", "object", "embed", "img", "link", "audio", "video", "source", "base"}
LOADS = re.compile(r"url\s*\(|@import", re.I)

class Loads(HTMLParser):
    def __init__(self):
        super().__init__()
        self.found, self.in_style = [], False

    def handle_starttag(self, tag, attrs):
        line = self.getpos()[0]
        self.in_style = tag == "style"
        if tag in ACTIVE:
            self.found.append(f"line {line}: <{tag}>")
        for name, value in attrs:
            if name in ("src", "href", "srcset", "xlink:href") or name.startswith("on") or \
                    (name == "style" and LOADS.search(value or "")):
                self.found.append(f"line {line}: <{tag} {name}=...>")

    def handle_endtag(self, tag):
        self.in_style = False

    def handle_data(self, data):
        if self.in_style and LOADS.search(data):
            self.found.append(f"line {self.getpos()[0]}: CSS loads something")

parser = Loads()
parser.feed(open(sys.argv[1], encoding="utf-8").read())
parser.close()
if parser.found:
    sys.exit("\n".join(parser.found[:10]))
EOF
}

# chromium_log_clean LOG PAGE: Chromium's log of loading the file PAGE (made with
# --enable-logging=stderr --vmodule=file_url_loader_factory=1) shows no console
# message (an uncaught exception, console.error, a blocked load) and no file
# loaded but PAGE itself. Prints every problem found.
chromium_log_clean() {
	local log=$1 page=$2 problems
	grep -qF "FileURLLoader::Start: file://$page" "$log" ||
		{ fail "Chromium's log does not show it loading $page (FileURLLoader::Start):" \
			"this check cannot see loads any more; update it"; return 1; }
	problems=$(grep -F ":CONSOLE" "$log" || true)
	problems+=$(awk -v page="file://$page" \
		'/FileURLLoader::Start: / && $NF != page { print "\nloaded " $NF }' "$log")
	[[ -z $problems ]] || { fail "the page logged or loaded something: $problems"; return 1; }
}

# png_not_blank PNG WIDTH HEIGHT: a PNG of that size with something drawn on it.
# Counts the non-zero bytes of the filtered scanlines (PNG filters make a plain
# background all zeros): 3 on a blank 1280x2000 page, some 300000 on the report.
png_not_blank() {
	python3 - "$@" <<'EOF' || { fail "$1 looks blank or is not a PNG (above)"; return 1; }
import struct, sys, zlib

path, want_width, want_height = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
data = open(path, "rb").read()
if data[:8] != b"\x89PNG\r\n\x1a\n":
    sys.exit(print(f"{path}: not a PNG file") or 1)
pos, idat = 8, []
while pos < len(data):
    length, kind = struct.unpack(">I4s", data[pos:pos + 8])
    body = data[pos + 8:pos + 8 + length]
    if kind == b"IHDR":
        width, height, depth, colour = struct.unpack(">IIBB", body[:10])
    elif kind == b"IDAT":
        idat.append(body)
    pos += 12 + length
channels = {0: 1, 2: 3, 4: 2, 6: 4}.get(colour)
if depth != 8 or channels is None:
    sys.exit(print(f"{path}: unexpected PNG format (depth {depth}, colour type {colour})") or 1)
raw = zlib.decompress(b"".join(idat))
stride = 1 + width * channels
filters = sum(1 for row in range(height) if raw[row * stride])
drawn = len(raw) - raw.count(0) - filters
print(f"{width}x{height}, {len(data)} bytes, {drawn} non-zero filtered bytes")
sys.exit(0 if (width, height) == (want_width, want_height) and drawn > 20000 else 1)
EOF
}

# dom_shows_report DOM "submissions N graded N not-graded N": the rendered page
# shows those counts, a mean and a median that agree with its own table of
# submissions, a histogram of every graded one, and the hostile names as text.
dom_shows_report() {
	python3 - "$@" <<'EOF' || { fail "the rendered report is wrong (above)"; return 1; }
import statistics, sys
from html.parser import HTMLParser

dom = open(sys.argv[1], encoding="utf-8").read()
words = sys.argv[2].split()
expected = dict(zip(words[::2], words[1::2]))

class Report(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids, self.id_open, self.rows, self.bins = {}, None, [], []
        self.failures = []
        self.in_list = self.in_count = self.in_failures = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id") in ("submissions", "graded", "not-graded", "mean", "median"):
            self.id_open = attrs["id"]
            self.ids[self.id_open] = ""
        self.in_list |= attrs.get("id") == "submission-list"
        if self.in_list and tag == "tr":
            self.rows.append([])
        if self.in_list and tag == "td":
            self.rows[-1].append("")
        self.in_failures |= attrs.get("id") == "failures"
        if self.in_failures and tag == "tr":
            self.failures.append([])
        if self.in_failures and tag == "td":
            self.failures[-1].append("")
        self.in_count = tag == "text" and attrs.get("class") == "count"

    def handle_endtag(self, tag):
        if tag == "div":
            self.id_open = None
        if tag == "table":
            self.in_list = self.in_failures = False

    def handle_data(self, data):
        if self.id_open:
            self.ids[self.id_open] += data
        if self.in_list and self.rows and self.rows[-1]:
            self.rows[-1][-1] += data
        if self.in_failures and self.failures and self.failures[-1]:
            self.failures[-1][-1] += data
        if self.in_count:
            self.bins.append(int(data))
            self.in_count = False

report = Report()
report.feed(dom)
problems = []
for key in ("submissions", "graded", "not-graded"):
    if report.ids.get(key) != expected[key]:
        problems.append(f"{key}: shows {report.ids.get(key)!r}, expected {expected[key]}")
rows = [[cell.strip() for cell in row] for row in report.rows if row]
scores = [float(row[1].split("/")[0]) for row in rows if row[3] != "not graded"]
if len(rows) != int(expected["submissions"]) or len(scores) != int(expected["graded"]):
    problems.append(f"the table of submissions has {len(rows)} rows, {len(scores)} graded")
if scores:
    for key, value in (("mean", statistics.mean(scores)), ("median", statistics.median(scores))):
        if report.ids.get(key) != f"{value:.1f}":
            problems.append(f"{key}: shows {report.ids.get(key)!r}, the table gives {value:.1f}")
# A submission that did not compile, or an unchanged skeleton, is one row of the
# failures table, counting submissions; the tests' own failures keep their rows.
failures = [[cell.strip() for cell in row] for row in report.failures if row]
for verdict, key in (("did not compile", "no-build"), ("the skeleton, unchanged", "skeleton")):
    rows_of = [row for row in failures if row[2] == verdict]
    if [row[0] for row in rows_of] != [expected[key]]:
        problems.append(f"failures table: rows {rows_of} for {verdict!r}, expected one "
                        f"counting {expected[key]} submissions")
    stray = [row for row in failures if row[2] != verdict and verdict in row[3]]
    if stray:
        problems.append(f"failures table: {verdict!r} counted per test: {stray[:3]}")
if len([row for row in failures if row[1] != "every test"]) < 8:
    problems.append(f"failures table: fewer than 8 rows of test failures: {failures}")
if len(report.bins) != 10 or sum(report.bins) != int(expected["graded"]):
    problems.append(f"histogram counts {report.bins}: expected 10 bins summing to {expected['graded']}")
for text in ("&lt;script&gt;alert(1)&lt;/script&gt;", "Zo\u00eb \u00dcnal", "bad\ufffdname",
             "Doe, John", "O'Neil \"Shaq\"", "fish &amp; chips"):
    if text not in dom:
        problems.append(f"the page does not show {text!r}")
if "<script" in dom.lower():
    problems.append("the page holds a <script> element")
print("\n".join(problems) if problems else
      f"DOM: {expected['submissions']} submissions, {expected['graded']} graded, "
      f"{expected['not-graded']} not graded, mean {report.ids['mean']}, median "
      f"{report.ids['median']}, histogram {report.bins}, {len(failures)} failure rows")
sys.exit(1 if problems else 0)
EOF
}

# render_dom HTML OUT: Chromium's DOM of the page HTML in OUT.dom, its log in OUT.log.
render_dom() {
	chromium_headless --enable-logging=stderr --v=0 --vmodule=file_url_loader_factory=1 \
		--dump-dom "file://$1" >"$2.dom" 2>"$2.log" ||
		{ fail "chromium --dump-dom failed: $(tail -n 5 "$2.log")"; return 1; }
}

# render_png HTML OUT: a 1280x2000 screenshot of the page HTML in OUT.png.
render_png() {
	chromium_headless --window-size=1280,2000 --screenshot="$2.png" "file://$1" \
		>"$2.png.log" 2>&1 ||
		{ fail "chromium --screenshot failed: $(tail -n 5 "$2.png.log")"; return 1; }
}

# The class report of ipclab grade's batch mode (classreport.c), for a made-up
# class with hostile names: well-formed, self-contained, and rendered by Chromium
# without a console message, showing the right numbers and the names as text.
check_class_report_renders() {
	local html=$WORK/class-report.html counts
	counts=$(build/selftest/class_report_demo "$html") ||
		{ fail "class_report_demo failed: $counts"; return 1; }
	build/selftest/class_report_demo "$WORK/empty.html" empty >/dev/null ||
		{ fail "class_report_demo failed on an empty class"; return 1; }
	grep -q "no graded submissions" "$WORK/empty.html" ||
		{ fail "the report of an empty class does not say it has no graded submissions"; return 1; }
	html_well_formed "$html" && html_well_formed "$WORK/empty.html" || return 1
	page_self_contained "$html" || return 1
	if ! command -v chromium >/dev/null; then
		if [[ -e /etc/ipclab-guest ]]; then
			echo "guest: no Chromium in the course VM (group instructor of vm/packages.lock);"
			echo "the report is well-formed and self-contained; it is rendered on the host"
			return 0
		fi
		fail "chromium not installed: run sudo ./vm/provision.sh (group instructor)"
		return 1
	fi
	render_dom "$html" "$WORK/class-report" && render_png "$html" "$WORK/class-report" ||
		return 1
	chromium_log_clean "$WORK/class-report.log" "$html" || return 1
	dom_shows_report "$WORK/class-report.dom" "$counts" || return 1
	png_not_blank "$WORK/class-report.png" 1280 2000 || return 1
	cp "$WORK/class-report.png" "$html" build/
	echo "$(chromium --version 2>/dev/null); report $(stat -c %s "$html") bytes;" \
		"screenshot build/class-report.png"
}

# The checks above can fail: a page that throws, logs an error and loads a missing
# image, and a blank page are each caught.
check_class_report_check_can_fail() {
	local bad=$WORK/planted.html blank=$WORK/blank.html out words
	command -v chromium >/dev/null || { echo "skipped: no chromium here"; return 0; }
	printf '%s\n' '<!DOCTYPE html><html><head><meta charset="utf-8"/><title>planted</title>' \
		'</head><body><p>planted</p><img src="missing.png" alt=""/>' \
		'<script>console.error("planted error"); throw new Error("planted");</script>' \
		'</body></html>' >"$bad"
	printf '%s\n' '<!DOCTYPE html><html><head><meta charset="utf-8"/><title>blank</title>' \
		'</head><body></body></html>' >"$blank"
	render_dom "$bad" "$WORK/planted" && render_png "$blank" "$WORK/blank" || return 1
	if out=$(chromium_log_clean "$WORK/planted.log" "$bad" 2>&1); then
		fail "the log check passed a page that throws and loads a missing image"
		return 1
	fi
	for words in "Uncaught Error: planted" "planted error" "loaded file://$WORK/missing.png"; do
		[[ $out == *"$words"* ]] || { fail "the log check did not report '$words': $out"; return 1; }
	done
	echo "caught by the log check: $out"
	if out=$(page_self_contained "$bad" 2>&1); then
		fail "the static check passed a page with <script> and <img src>"
		return 1
	fi
	echo "caught by the static check: $out"
	if out=$(png_not_blank "$WORK/blank.png" 1280 2000 2>&1); then
		fail "the blank check passed a blank page's screenshot: $out"
		return 1
	fi
	echo "caught by the blank check: $out"
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

# ---- the editions ----

# make student-edition holds no solution code, and its tarball, unpacked
# elsewhere, builds and grades lab 01's skeleton on its own (0/100, exit 1).
# In the course VM, whose copy of the kit has no .git (Vagrant's rsync and
# make vm-check leave it out), the editions cannot be made: they ship what git
# tracks, and an instructor makes them on the host. True there, and says so.
editions_skipped_in_guest() {
	[[ -e /etc/ipclab-guest ]] && ! git rev-parse --is-inside-work-tree >/dev/null 2>&1 &&
		echo "guest: no git clone here; the editions are made and checked on the host"
}

# student_readme_checked EDITION: the built EDITION's README.md is written
# for students: it names nothing the edition leaves out or only instructors
# use, and every make target, ipclab command, directory it cd's to and ./
# script its ```sh blocks name is there.
student_readme_checked() {
	local edition=$1 commands=$WORK/readme-commands word target out
	if grep -nEi 'solutions/|make (grade|skeletons)|hidden|ipclab grade|class.report|gradebook' \
		"$edition/README.md"; then
		fail "(above) the edition's README.md names what students do not have"
	fi
	awk '/^```sh$/ { block = 1; next } /^```$/ { block = 0 } block' "$edition/README.md" |
		sed 's/ *#.*//' >"$commands"
	[[ -s $commands ]] || fail "the edition's README.md has no sh blocks"
	while read -r word; do
		target=${word#make}
		out=$(make -n -C "$edition" ${target:+"${target# }"} 2>&1) ||
			fail "README.md: '$word' fails in the edition: $(tail -n 3 <<<"$out")"
		! grep -q 'needs solutions/' <<<"$out" || fail "README.md: '$word' needs solutions/"
	done < <(grep -oE '(^| )make( [a-z][a-z-]*)?' "$commands" | sed 's/^ //' | sort -u)
	while read -r word; do
		target=${word#ipclab }
		[[ $target != ipclab ]] || target=progress	# plain ipclab: its progress
		"$edition/bin/ipclab" help | grep -qE "^  ipclab $target( |$)" ||
			fail "README.md: '$word' is not a command of the edition's ipclab"
	done < <(grep -oE 'ipclab( [a-z]+)?' "$commands" | sort -u)
	while read -r word; do
		[[ -e $edition/${word#cd } ]] || fail "README.md: '$word': no such directory in the edition"
	done < <(grep -oE '^cd [^ ]+' "$commands")
	while read -r word; do
		[[ -x $edition/$word ]] || fail "README.md: $word is not in the edition"
	done < <(grep -oE '(^| )\./[^ ]+' "$commands" | sed 's/^ //')
	echo "the edition's README.md: $(wc -l <"$commands") command lines, each target there"
}

check_student_edition() {
	editions_skipped_in_guest && return 0
	local out=build/student-edition unpacked=$WORK/edition status=0 report
	timeout -k 5 120 make -s student-edition >"$WORK/edition.txt" 2>&1 ||
		fail "make student-edition failed: $(tail -n 20 "$WORK/edition.txt")"
	if tar -tzf "$out/ipc-labs.tar.gz" | grep -E '(^|/)\.git(/|$)'; then
		fail "the tarball holds version control (above)"
	fi
	mkdir -p "$unpacked"
	tar -xzf "$out/ipc-labs.tar.gz" -C "$unpacked" || fail "cannot unpack the tarball"
	autograder/editions/find-solution-code.sh "$out/ipc-labs" || return 1
	autograder/editions/find-solution-code.sh "$unpacked/ipc-labs" || return 1
	(cd "$unpacked/ipc-labs" && timeout -k 5 300 make -s) >"$WORK/edition-make.txt" 2>&1 ||
		fail "make in the unpacked edition failed: $(tail -n 20 "$WORK/edition-make.txt")"
	[[ ! -e $unpacked/ipc-labs/build/ref ]] || fail "the edition built a reference (build/ref)"
	student_readme_checked "$unpacked/ipc-labs"
	report=$(cd "$unpacked/ipc-labs/labs/01-pipes" &&
		timeout -k 5 120 ../../bin/ipclab test 01 2>&1) || status=$?
	[[ $status == 1 && $(tail -n 1 <<<"$report") == "score: 0/100" ]] ||
		fail "ipclab test 01 in the edition: exit $status, expected 1 and score: 0/100:" \
			"$(tail -n 20 <<<"$report")"
	echo "unpacked: make built it, ipclab test 01 said $(tail -n 1 <<<"$report") (exit $status)"
}

# gradescope_submit ROOT FILE JSON: FILE as the only submission in the fake
# Gradescope ROOT, graded by run_autograder; its results.json copied to JSON.
gradescope_submit() {
	local root=$1 file=$2 json=$3 status=0
	rm -rf "$root/submission" "$root/results"
	mkdir -p "$root/submission"
	cp "$file" "$root/submission/" || fail "cannot submit $file"
	AUTOGRADER_ROOT=$root timeout -k 5 300 "$root/run_autograder" </dev/null \
		>"$json.txt" 2>&1 || status=$?
	[[ $status == 0 ]] || fail "run_autograder exited $status: $(tail -n 20 "$json.txt")"
	jq -e '.tests | length > 0' "$root/results/results.json" >/dev/null ||
		fail "no valid results.json with tests: $(tail -n 20 "$json.txt")"
	cp "$root/results/results.json" "$json" || fail "cannot copy results.json"
}

# setup_versions_checked SOURCE: the unpacked zip's setup.sh --check-versions,
# with stand-ins for dpkg-query and cc on PATH, stops on a made-up Ubuntu
# 22.04 (its libcriterion-dev, 2.4.0-rc-18-g1cc3911-1, and gcc 11.4.0; the rest
# at the lock's versions), naming both with the versions found and needed and
# giving the one line of advice that README.md gives too; it passes the lock's.
setup_versions_checked() {
	local source=$1 fake=$WORK/fake-ubuntu out status=0 advice
	mkdir -p "$fake/bin"
	awk '!/^#/ && NF == 3 { print $1, $2 }' "$source/vm/packages.lock" >"$fake/locked"
	sed 's/^libcriterion-dev .*/libcriterion-dev 2.4.0-rc-18-g1cc3911-1/' "$fake/locked" \
		>"$fake/jammy"
	cat >"$fake/bin/dpkg-query" <<'END'
#!/bin/sh
# dpkg-query -W -f=FORMAT NAME, as setup.sh asks: NAME's version in $FAKE_VERSIONS.
for name; do :; done
version=$(awk -v name="$name" '$1 == name { print $2 }' "$FAKE_VERSIONS")
[ -n "$version" ] && printf 'install ok installed %s' "$version"
END
	# shellcheck disable=SC2016 # FAKE_CC expands when the stand-in runs
	printf '#!/bin/sh\necho "$FAKE_CC"\n' >"$fake/bin/cc"	# cc -dumpfullversion
	chmod 755 "$fake/bin/dpkg-query" "$fake/bin/cc"
	out=$(FAKE_VERSIONS=$fake/jammy FAKE_CC=11.4.0 PATH=$fake/bin:$PATH \
		"$source/setup.sh" --check-versions 2>&1) || status=$?
	[[ $status == 1 ]] || fail "setup.sh --check-versions passed Ubuntu 22.04's (exit $status): $out"
	grep -qxF "setup.sh: libcriterion-dev 2.4.0-rc-18-g1cc3911-1 is installed; the kit needs 2.4.1 or later" \
		<<<"$out" || fail "setup.sh did not name Criterion's versions found and needed: $out"
	grep -qxF "setup.sh: cc (gcc) 11.4.0 is installed; the kit needs gcc 12 or later" <<<"$out" ||
		fail "setup.sh did not name gcc's versions found and needed: $out"
	[[ $(grep -c '; the kit needs' <<<"$out") == 2 ]] || fail "setup.sh named more than those two: $out"
	advice=$(sed -n 's/^BASE_IMAGE="\(.*\)"$/\1/p' "$source/setup.sh")
	[[ -n $advice ]] || fail "setup.sh has no BASE_IMAGE line"
	grep -qxF "setup.sh: $advice" <<<"$out" || fail "setup.sh did not say which base image to pick: $out"
	grep -qF -- "$advice" README.md ||
		fail "README.md does not give setup.sh's advice in the same words: $advice"
	FAKE_VERSIONS=$fake/locked FAKE_CC=12.2.0 PATH=$fake/bin:$PATH \
		"$source/setup.sh" --check-versions >"$WORK/versions.txt" 2>&1 ||
		fail "setup.sh refused the lock's versions: $(cat "$WORK/versions.txt")"
	echo "setup.sh --check-versions: stops on Ubuntu 22.04's Criterion and gcc, passes the lock's"
}

# make gradescope LAB=01: the zip holds no solution code; unpacked as
# Gradescope does into a fake /autograder, setup.sh builds it, and
# run_autograder scores the reference 100 and a mutant less.
check_gradescope_bundle() {
	editions_skipped_in_guest && return 0
	local zip=build/gradescope/01-pipes.zip root=$WORK/gradescope/autograder status=0
	local mutant=autograder/mutants/01-pipes/pipeline-raw-wait-status.patch
	timeout -k 5 120 make -s gradescope LAB=01 >"$WORK/gradescope.txt" 2>&1 ||
		fail "make gradescope LAB=01 failed: $(tail -n 20 "$WORK/gradescope.txt")"
	if unzip -Z1 "$zip" | grep -E '^(solutions|autograder/mutants)/'; then
		fail "the zip holds solutions or mutants (above)"
	fi
	mkdir -p "$root/source"
	unzip -q "$zip" -d "$root/source" || fail "cannot unzip $zip"
	autograder/editions/find-solution-code.sh "$root/source" || return 1
	setup_versions_checked "$root/source"
	if [[ $(id -u) == 0 ]]; then
		local mark_before
		mark_before=$(ls -l --time-style=full-iso /etc/ipclab-guest 2>&1 || true)
		AUTOGRADER_ROOT=$root timeout -k 5 300 "$root/source/setup.sh" </dev/null \
			>"$WORK/setup.txt" 2>&1 || status=$?
		[[ $(ls -l --time-style=full-iso /etc/ipclab-guest 2>&1 || true) == "$mark_before" ]] ||
			fail "setup.sh (provision.sh --packages-only) changed /etc/ipclab-guest"
		[[ $status == 0 ]] || fail "setup.sh failed (exit $status): $(tail -n 20 "$WORK/setup.txt")"
		if grep "installing" "$WORK/setup.txt"; then
			fail "setup.sh installed packages here (above): provision the machine first"
		fi
	else
		echo "not root: setup.sh's provisioning cannot run; the bundle is built with make"
		(cd "$root/source" && timeout -k 5 300 make -s all) >"$WORK/setup.txt" 2>&1 ||
			fail "make in the bundle failed: $(tail -n 20 "$WORK/setup.txt")"
	fi
	cp "$root/source/run_autograder" "$root/" || fail "no run_autograder in the zip"
	gradescope_submit "$root" build/ref/01-pipes/pipes.c "$WORK/gs-ref.json"
	full_marks "$WORK/gs-ref.json" ||
		fail "the reference scored $(score_of "$WORK/gs-ref.json")/$(max_of "$WORK/gs-ref.json"):" \
			"$(tail -n 20 "$WORK/gs-ref.json.txt")"
	jq -e '[.tests[] | select(.visibility == "hidden")] | length > 0' "$WORK/gs-ref.json" >/dev/null ||
		fail "the bundle's grading has no hidden test: autograder/hidden/ did not ship"
	# Graded code runs as an unprivileged uid there: it cannot read the tests.
	if [[ $(id -u) == 0 ]] && setpriv --reuid=200001 --regid=200001 --clear-groups \
		cat "$root/source/autograder/hidden/01-pipes/test_hidden.c" >/dev/null 2>&1; then
		fail "an unprivileged uid can read the bundle's hidden tests"
	fi
	patched_copy 01-pipes "$mutant" "$WORK/gs-mutant" || return 1
	gradescope_submit "$root" "$WORK/gs-mutant/pipes.c" "$WORK/gs-mutant.json"
	below "$(score_of "$WORK/gs-mutant.json")" "$(max_of "$WORK/gs-mutant.json")" ||
		fail "mutant $(basename "$mutant" .patch) scored $(score_of "$WORK/gs-mutant.json")"
	echo "$zip: $(du -k "$zip" | cut -f1) KiB; reference $(score_of "$WORK/gs-ref.json"), mutant" \
		"$(basename "$mutant" .patch) $(score_of "$WORK/gs-mutant.json")"
}

ALL=(skeletons_current no_solution_in_labs skeletons_build engine_tests cross_build
	reference_full_marks skeleton_scores_zero mutants_caught mutation_score hostile_contained forgers_score_nothing
	sandbox_behaviour criterion_runner criterion_public_api fallback_mode fallback_hostile fallback_cleanup non_root compile_error_report global_deadline_report results_parse
	cli_tests provision_refuses_non_root provision_idempotent reference_memcheck memcheck_catches_control
	docs_no_warnings class_report_renders class_report_check_can_fail decks_fit decks_code_compiles
	vagrant_validate
	docker_build student_edition gradescope_bundle batch_grading batch_resumes
	limits_gradescope hidden_tests tasks_match_handout first_run_guides new_lab_is_one_folder lab_builds_ignored alternatives_full_marks
	alternatives_memcheck handouts_run handout_check_can_fail scenarios_match_facts
	scenario_check_can_fail)
ONLY="$*"
run_checks "${ALL[@]}"
