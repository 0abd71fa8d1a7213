# new_lab_checks.sh - sourced by check.sh: a new lab is new folders only.
#
# In a scratch copy of the kit (a git repository of its own), the check adds
# a small made-up lab, 08-adder, by creating files in that lab's folders only:
# its master source with a SOLUTION block and its header (solutions/), its
# manifest, Makefile and handout (labs/), one graded test (autograder/tests/),
# one mutant (autograder/mutants/) and a deck (slides/). Then it shows that
# make, ipclab test, ipclab's progress view, the per-lab self-checks, make
# docs, the student edition and make gradescope all pick the lab up, and that
# no other file of the kit changed.
# shellcheck shell=bash

NEW_LAB=08-adder

# new_lab_files KIT: writes the made-up lab's files into KIT.
# shellcheck disable=SC2016 # the backquotes in single quotes are Markdown
new_lab_files() {
	local kit=$1
	mkdir -p "$kit"/{solutions,labs,autograder/tests,autograder/mutants}/$NEW_LAB "$kit/slides"
	cat >"$kit/solutions/$NEW_LAB/adder.h" <<'EOF'
/**
 * @file adder.h
 * @brief Lab 08, a made-up lab of the self-check: adding two numbers.
 */
#ifndef ADDER_H
#define ADDER_H

/**
 * Adds two numbers.
 * @param a the first
 * @param b the second
 * @return a + b
 */
int add(int a, int b);

#endif
EOF
	cat >"$kit/solutions/$NEW_LAB/adder.c" <<'EOF'
/* adder.c - Lab 08: your code. The contract is adder.h. */
#include <errno.h>
#include "adder.h"

int add(int a, int b)
{
#ifdef SOLUTION
	return a + b;
#else
	/* TODO(lab08): add them. */
	(void)a;
	(void)b;
	errno = ENOSYS;
	return -1;
#endif
}
EOF
	printf '%s\n' 'number  := 08' 'title   := Lab 08: adding' 'sources := adder.c' \
		'headers := adder.h' 'demos   :=' >"$kit/labs/$NEW_LAB/lab.mk"
	printf '%s\n' 'include lab.mk' 'include ../rules.mk' >"$kit/labs/$NEW_LAB/Makefile"
	printf '%s\n' '# Lab 08: adding' '' 'Write `add()` in `adder.c` (the contract is' \
		'`adder.h`), then run `../../bin/ipclab test 08`.' >"$kit/labs/$NEW_LAB/README.md"
	printf '%s\n' '---' 'marp: true' '---' '' '# Lab 08: adding' '' '`add(2, 3)` is 5.' \
		>"$kit/slides/$NEW_LAB.md"
	cat >"$kit/autograder/tests/$NEW_LAB/test_adder.c" <<'EOF'
/* test_adder.c - the graded test of Lab 08 (a made-up lab), 100 points. */
#include "grader.h"
#include "adder.h"

GRADED_TEST(adder, add_adds, .points = 100,
	    .desc = "add(2, 3) is 5",
	    .hint = "Handout: add the two numbers.")
{
	int sum = add(2, 3);

	expect(sum == 5, "expected add(2, 3) to be 5, got %d", sum);
}
EOF
	# A patch to the reference, build/ref/08-adder/adder.c (no #ifdef lines there).
	cat >"$kit/autograder/mutants/$NEW_LAB/subtracts.patch" <<'EOF'
Mutant: add() subtracts
Catches: add_adds

--- a/adder.c
+++ b/adder.c
@@ -5,4 +5,4 @@
 int add(int a, int b)
 {
-	return a + b;
+	return a - b;
 }
EOF
}

# in_kit KIT COMMAND...: runs COMMAND in KIT, as that kit's own (no IPCLAB_ROOT).
in_kit() {
	local kit=$1
	shift
	(cd "$kit" && env -u IPCLAB_ROOT timeout -k 5 600 "$@")
}

check_new_lab_is_one_folder() {
	local kit=$WORK/new-lab/ipc-labs out status changed list
	local git=(git -c user.name=check -c user.email=check@localhost -c init.defaultBranch=main)
	command -v git >/dev/null || { echo "no git here (a course VM?): nothing to check"; return 0; }
	mkdir -p "$kit"
	git ls-files -z | xargs -0 cp --parents -p -t "$kit"
	in_kit "$kit" "${git[@]}" init -q
	in_kit "$kit" "${git[@]}" add -A
	in_kit "$kit" "${git[@]}" commit -qm "the kit as it is" || fail "cannot commit the copy"

	new_lab_files "$kit"
	out=$(in_kit "$kit" make -s skeletons 2>&1) || fail "make skeletons: $out"
	out=$(in_kit "$kit" make -s -j2 all 2>&1) || fail "make: $out"
	changed=$(in_kit "$kit" git status --porcelain --untracked-files=all |
		grep -v -E "^\?\? (solutions|labs|autograder/tests|autograder/mutants)/$NEW_LAB/|^\?\? slides/$NEW_LAB\.md$" || true)
	[[ -z $changed ]] || fail "adding the lab changed other files of the kit: $changed"
	in_kit "$kit" "${git[@]}" add -A
	in_kit "$kit" "${git[@]}" commit -qm "add lab 08" || fail "cannot commit the new lab"
	[[ -s $kit/build/tests/$NEW_LAB/plan.records ]] || fail "make built no plan for $NEW_LAB"
	echo "make: built build/tests/$NEW_LAB/ ($(grep -c '^plan' "$kit/build/tests/$NEW_LAB/plan.records") test)"

	status=0
	out=$(cd "$kit/labs/$NEW_LAB" && env -u IPCLAB_ROOT timeout -k 5 120 ../../bin/ipclab test 08 2>&1) ||
		status=$?
	[[ $status == 1 && $(tail -n 1 <<<"$out") == "score: 0/100" ]] ||
		fail "ipclab test 08 on the skeleton: exit $status: $(tail -n 5 <<<"$out")"
	echo "ipclab test 08, the skeleton: $(tail -n 1 <<<"$out")"
	out=$(in_kit "$kit" bin/ipclab 2>&1) || fail "ipclab: $out"
	grep -q "^08 adder *0/100 *last run" <<<"$out" || fail "ipclab's progress view: $out"
	echo "ipclab progress: $(grep '^08' <<<"$out")"

	out=$(in_kit "$kit" env IPCLAB_CHECK_LABS=$NEW_LAB autograder/selfcheck/check.sh \
		skeletons_current reference_full_marks skeleton_scores_zero mutants_caught 2>&1) ||
		fail "the lab's self-checks: $out"
	echo "its self-checks: $(tail -n 1 <<<"$out")"

	out=$(in_kit "$kit" make -s docs 2>&1) || fail "make docs: $out"
	[[ -z $out && -s $kit/build/docs/html/adder_8h.html ]] ||
		fail "make docs: no page for adder.h, or warnings: $out"
	grep -q "Lab 08: adding" "$kit/build/docs/html/index.html" ||
		fail "make docs: the main page does not list lab 08"
	echo "make docs: adder.h documented, no warning"

	out=$(in_kit "$kit" make -s student-edition 2>&1) || fail "make student-edition: $out"
	# (listed first: grep -q would end the pipe early, and pipefail fail it)
	list=$(tar -tzf "$kit/build/student-edition/ipc-labs.tar.gz")
	grep -qx "ipc-labs/labs/$NEW_LAB/lab.mk" <<<"$list" ||
		fail "the student edition has no labs/$NEW_LAB/lab.mk"
	grep -qx "ipc-labs/autograder/pristine/$NEW_LAB/adder.c" <<<"$list" ||
		fail "the student edition has no skeleton of $NEW_LAB"
	echo "make student-edition: lab 08 in it"

	out=$(in_kit "$kit" make -s gradescope LAB=08 2>&1) || fail "make gradescope LAB=08: $out"
	list=$(unzip -Z1 "$kit/build/gradescope/$NEW_LAB.zip")
	grep -qx "autograder/tests/$NEW_LAB/test_adder.c" <<<"$list" ||
		fail "build/gradescope/$NEW_LAB.zip has no test of lab 08"
	echo "make gradescope LAB=08: $(tail -n 1 <<<"$out")"
}

# Each lab's .gitignore covers what its make builds (labs/rules.mk: the
# manifest's demos and objects): make in a scratch copy of the lab's tracked
# files, and every file it adds is one git ignores.
check_lab_builds_ignored() {
	local lab copy path out built
	for lab in "${LABS[@]}"; do
		copy=$WORK/lab-build-$lab
		mkdir -p "$copy"
		git ls-files -z "labs/$lab" labs/rules.mk | xargs -0 cp --parents -t "$copy"
		out=$(make -s -C "$copy/labs/$lab" 2>&1) || fail "make in labs/$lab: $out" || return
		built=0
		while IFS= read -r path; do
			git ls-files --error-unmatch "$path" >/dev/null 2>&1 && continue
			git check-ignore -q --no-index "$path" ||
				fail "make in labs/$lab built $path, which labs/$lab/.gitignore" \
					"does not ignore: add it there" || return
			built=$((built + 1))
		done < <(cd "$copy" && find "labs/$lab" -type f)
		echo "labs/$lab: make built $built files, each ignored"
	done
}
