# alternatives_checks.sh - sourced by check.sh: "judge behaviour, not the path
# to it". Every solution under autograder/alternatives/NN-topic/NAME/ is
# correct by the lab's header and handout and differs from the reference in
# how it gets there (poll before read, posix_spawn, O_RDWR, ...): each must
# score what the reference scores.
#
# A test that fails a correct alternative judges the path; until it is fixed,
# NAME/KNOWN says so in a line "Known: TEST ...", and the check reports it as
# a known failure instead of failing. Remove KNOWN and the check is strict.
# Uses check.sh's LABS, WORK, lab_sources, grade, full_marks, memcheck.
# shellcheck shell=bash

# alternative_dirs LAB: the alternatives of LAB, one directory a line.
alternative_dirs() {
	local dir
	for dir in autograder/alternatives/"$1"/*/; do
		[[ -d $dir ]] && echo "${dir%/}"
	done
	return 0
}

# known_failures DIR: the tests DIR/KNOWN expects to fail, space-separated.
known_failures() {
	[[ -f $1/KNOWN ]] || return 0
	sed -n 's/^Known: *//p' "$1/KNOWN" | tr '\n' ' '
}

# alternative_builds LAB DIR: DIR holds every source of LAB, each building
# with -Wall -Wextra -Werror against the kit's own header.
alternative_builds() {
	local lab=$1 dir=$2 file
	for file in $(lab_sources "$lab"); do
		[[ -f $dir/$file ]] || fail "$dir has no $file"
		sed -n '1,3{/^\/\*/q0};$q1' "$dir/$file" ||
			fail "$dir/$file does not open with a comment saying how it differs"
		cc -std=gnu11 -Wall -Wextra -Werror -I"build/pristine/$lab" -c "$dir/$file" \
			-o "$WORK/alternative.o" || fail "$dir/$file does not build with -Werror"
	done
}

# judge_alternative LAB DIR JSON: full marks, or every lost point in a test
# that DIR/KNOWN names. Prints the score, then each known failure.
judge_alternative() {
	local lab=$1 dir=$2 json=$3 known test details="" noted="" bad=0
	known=" $(known_failures "$dir") "
	for test in $known; do
		[[ -n $(test_max "$json" "$test") ]] ||
			{ details+="  $dir/KNOWN names $test, which $lab has no test of"$'\n'; bad=1; }
	done
	for test in $(jq -r '.tests[] | select(.score < .max_score) | .name' "$json"); do
		if [[ $known == *" $test "* ]]; then
			noted+=" $test"
			details+="  known failure: $test ($(test_score "$json" "$test")/$(test_max \
				"$json" "$test")): $(jq -r --arg t "$test" \
				'.tests[] | select(.name == $t) | .output' "$json" |
				tr '\n' ' ' | cut -c1-160)"$'\n'
		else
			details+="  FAILED: $test ($(test_score "$json" "$test")/$(test_max "$json" \
				"$test")), not in $dir/KNOWN"$'\n'
			bad=1
		fi
	done
	for test in $known; do
		[[ " $noted " == *" $test "* || -z $(test_max "$json" "$test") ]] ||
			details+="  $test now passes: remove it from $dir/KNOWN"$'\n'
	done
	[[ $(visible_max_of "$json") == 100 ]] ||
		{ details+="  its visible tests are worth $(visible_max_of "$json"), not 100"$'\n'; bad=1; }
	if full_marks "$json"; then
		echo "alternative ${dir#autograder/alternatives/}: $(score_of "$json")/$(max_of "$json"), full marks"
	else
		echo "alternative ${dir#autograder/alternatives/}: $(score_of "$json")/$(max_of "$json")"
	fi
	printf '%s' "$details"
	return $bad
}

check_alternatives_full_marks() {
	local lab dir json count=0 bad=0
	for lab in "${LABS[@]}"; do
		while read -r dir; do
			alternative_builds "$lab" "$dir"
			json=$WORK/alt-${dir//\//-}.json
			grade "$lab" "$dir" "$json"
			judge_alternative "$lab" "$dir" "$json" || bad=1
			count=$((count + 1))
		done < <(alternative_dirs "$lab")
		[[ $(alternative_dirs "$lab" | wc -l) -ge 2 ]] ||
			{ echo "$lab has fewer than two alternatives"; bad=1; }
	done
	echo "$count alternatives graded"
	return $bad
}

# Each alternative under valgrind, as check_reference_memcheck runs the
# reference: no memory error in any process, and every test memcheck counts
# passes (the check runs inside `while read`, hence `|| return`).
check_alternatives_memcheck() {
	local lab dir logs passes
	for lab in "${LABS[@]}"; do
		while read -r dir; do
			logs=$WORK/vg-alt-${dir//\//-}
			memcheck "$lab" "$dir" "$logs" ||
				fail "memcheck found errors in $dir (above)" || return
			passes=$(memcheck_passes "$lab" "$logs") ||
				fail "$dir: only $passes visible tests passed under valgrind" || return
			echo "memcheck $dir: $(find "$logs" -name 'vg.*' | wc -l) processes checked," \
				"0 errors, $passes passed"
		done < <(alternative_dirs "$lab")
	done
}
