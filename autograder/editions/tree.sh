# tree.sh - sourced by the edition scripts (student-edition.sh, gradescope.sh):
# what of the kit an edition without solutions holds, and how it is copied.
# shellcheck shell=bash

# Left out of every edition, as path prefixes of `git ls-files` (a prefix
# ending in / is a directory). Untracked files never ship at all.
EDITION_EXCLUDE=(
	solutions/			# the reference solutions
	autograder/mutants/		# patches to the reference: they quote it
	autograder/hostile/		# the same
	autograder/forgers/		# attacks on the judge: only check.sh grades them
	autograder/hidden/		# the instructors' hidden tests
	autograder/alternatives/	# other correct solutions: whole answers
	autograder/selfcheck/alternatives_checks.sh	# part of check.sh: grades them
	autograder/editions/		# these scripts: they need solutions/
	autograder/selfcheck/check.sh	# the instructors' make check: needs solutions/
	autograder/selfcheck/batch_checks.sh	# part of it: grades the reference
	autograder/selfcheck/scoreboard.sh	# make grade: grades the reference
	autograder/selfcheck/new_lab_checks.sh	# part of check.sh: writes a master
	autograder/selfcheck/cross_checks.sh	# part of check.sh, which the edition has not
	autograder/selfcheck/memcheck-control.patch	# a patch to the reference
	autograder/selfcheck/mutate.py	# mutation score: mutates solutions/
	autograder/selfcheck/mutation_checks.sh	# part of make check: runs mutate.py
	bench/				# the grader's benchmark: grades the reference
	.ci/				# the kit's own CI: provisions and runs the whole make check
	build/
	bin/
)

# edition_excluded PATH [KEPT...]: true when PATH is left out (KEPT: prefixes
# of EDITION_EXCLUDE that this edition holds after all).
edition_excluded() {
	local path=$1 prefix
	shift
	# Planted bugs quote the reference, wherever they are (autograder/hidden/NN/mutants/).
	[[ $path != */mutants/* ]] || return 0
	for prefix in "${EDITION_EXCLUDE[@]}"; do
		[[ " $* " != *" $prefix "* ]] || continue
		if [[ $path == "$prefix" || ($prefix == */ && $path == "$prefix"*) ]]; then
			return 0
		fi
	done
	return 1
}

# edition_tree DEST [KEPT...]: a fresh DEST holding the kit's tracked files
# less the excluded ones (see edition_excluded), as they are in the working
# tree, and each lab's pristine skeleton and headers (build/pristine/NN-*/,
# made by `make`) as autograder/pristine/NN-*/: the edition's Makefile builds
# from those, since it has no solutions/. Run from the kit's top.
edition_tree() {
	local dest=$1 path lab files=()
	shift
	[[ -d solutions && -d build/pristine ]] ||
		{ echo "edition: run make in the instructors' kit (with solutions/) first" >&2; return 2; }
	while IFS= read -r -d '' path; do
		edition_excluded "$path" "$@" || files+=("$path")
	done < <(git ls-files -z)
	rm -rf "$dest"
	mkdir -p "$dest/autograder/pristine"
	cp --parents -p -- "${files[@]}" "$dest/"
	for lab in solutions/[0-9][0-9]-*/; do
		lab=$(basename "$lab")
		[[ -d build/pristine/$lab ]] ||
			{ echo "edition: build/pristine/$lab is missing: run make" >&2; return 2; }
		cp -rp "build/pristine/$lab" "$dest/autograder/pristine/"
	done
}
