# handout_checks.sh - sourced by check.sh: every shell block of every handout
# runs and prints what the handout shows (handout_check.py says how).
# shellcheck shell=bash

# handout_kit DIR: a scratch copy of the kit in DIR, as a student who has done
# every lab would have it: the reference solution in each lab folder, built.
handout_kit() {
	local kit=$1 lab
	rm -rf "$kit"
	mkdir -p "$kit"
	{
		if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
			git ls-files -co --exclude-standard
		else
			# The course VM's copy of the kit has no .git (nor, maybe, git).
			find . \( -path ./bin -o -path ./build -o -path ./slides/node_modules \) -prune \
				-o -type f -print
		fi
		find bin build -type f ! -path 'build/work/*'
	} | tar -cf - -T - | tar -xf - -C "$kit"
	for lab in "${LABS[@]}"; do
		cp "build/ref/$lab/"* "$kit/labs/$lab/"
		make -s -C "$kit/labs/$lab" >/dev/null || fail "make in $kit/labs/$lab failed"
	done
}

check_handouts_run() {
	local kit=$WORK/handouts/kit lab handouts=()
	handout_kit "$kit" || return 1
	for lab in "${LABS[@]}"; do
		handouts+=("labs/$lab/README.md")
	done
	timeout -k 5 900 python3 autograder/selfcheck/handout_check.py --kit "$kit" "${handouts[@]}" ||
		fail "a handout shows what its commands do not print (above): run the block, paste" \
			"what it prints, or mark what varies (autograder/selfcheck/handout_check.py --help)"
}

# The check can fail: a planted handout with a changed output, a hang, a block
# cut short and an untagged block is caught for each.
check_handout_check_can_fail() {
	local kit=$WORK/handouts/planted out words
	mkdir -p "$kit/labs/99-planted" "$kit/bin"
	cat >"$kit/labs/99-planted/README.md" <<'PLANTED'
# Planted

```
$ echo one
two
```

<!-- check: deadline 1 -->
```
$ sleep 5; echo late
late
```
PLANTED
	out=$(python3 autograder/selfcheck/handout_check.py --kit "$kit" "$kit/labs/99-planted/README.md") &&
		{ fail "the planted handout passed: $out"; return 1; }
	for words in "'echo one' printed something else" "+one" "'sleep 5; echo late' still running after 1 s"; do
		[[ $out == *"$words"* ]] || { fail "not reported: '$words'; the check said: $out"; return 1; }
	done
	printf '%s\n' '# Planted' '' '```' '$ python3 -c '"'"'print(1)' '```' '' '```' 'untagged' '```' \
		>"$kit/labs/99-planted/README.md"
	out=$(python3 autograder/selfcheck/handout_check.py --kit "$kit" "$kit/labs/99-planted/README.md") &&
		{ fail "the planted handout passed: $out"; return 1; }
	for words in "the block ends inside the command" "an untagged block"; do
		[[ $out == *"$words"* ]] || { fail "not reported: '$words'; the check said: $out"; return 1; }
	done
	echo "caught: a changed output, a hang, a block cut short, an untagged block"
}
