#!/usr/bin/env bash
# grader.sh - how fast the grader answers, measured in one run on this machine.
#
# Usage: bench/grader.sh [RUNS [BASELINE]]   (default 5 runs per figure; medians printed)
#
# BASELINE is another built checkout of the kit (a git worktree of an older
# commit, say): the student loop (the first two figures) is then measured for
# both kits in this one run, a run of each in turn, and printed as ratios.
#
# Prints, for Lab 01 (and every lab where it says so):
#   - `ipclab test 01` on the reference solution right after editing its
#     source (recompile and relink included)           target: under 1 s
#   - one test rerun (`ipclab test 01 NAME`)            target: under 0.3 s
#   - for every lab, grading its reference solution    target: under 3 s
#   - each hostile submission of every lab: the whole grading run, and the test that came
#     closest to its own deadline                      target: deadline + 1 s at most
#   - batch: a class of 100 lab 01 submissions (50 copies of the reference, 50
#     mutants) graded by one `ipclab grade 01 CLASS`, once target: 30 a minute or more
# Machines are shared and noisy: read medians, not single runs.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
RUNS=${1:-5}
BASELINE=${2:-}
KIT=$(mktemp -d "${TMPDIR:-/tmp}/ipclab-bench.XXXXXX")
trap 'rm -rf "$KIT"' EXIT

[[ -x bin/ipclab && -d build/ref/01-pipes ]] || { echo "run make first" >&2; exit 2; }

# private_kit SOURCE DIR: a copy of SOURCE's kit whose student copy of lab 01 is the reference.
private_kit() {
	cp -r "$1/bin" "$1/build" "$1/labs" "$2/"
	cp "$1/build/ref/01-pipes/pipes.c" "$2/labs/01-pipes/pipes.c"
}
private_kit "$ROOT" "$KIT"
export IPCLAB_ROOT=$KIT

now() { date +%s.%N; }

# median: the median of the numbers on stdin, one a line.
median() { sort -n | awk '{v[NR] = $1} END {printf "%.3f", v[int((NR + 1) / 2)]}'; }

# median_of CMD...: runs CMD RUNS times; prints the median wall time in seconds.
median_of() {
	local times=() start
	for ((i = 0; i < RUNS; i++)); do
		start=$(now)
		"$@" >/dev/null 2>&1 || true
		times+=("$(echo "$(now) - $start" | bc -l)")
	done
	printf '%s\n' "${times[@]}" | median
}

# touch_and_test KIT: a real change (ipclab skips a file whose bytes did not
# change), then the whole lab: rebuild included.
touch_and_test() {
	echo "/* edit $RANDOM$RANDOM */" >>"$1/labs/01-pipes/pipes.c"
	IPCLAB_ROOT=$1 "$1/bin/ipclab" test 01
}

# rerun KIT: one test again, nothing to rebuild.
rerun() { IPCLAB_ROOT=$1 "$1/bin/ipclab" test 01 read_full_stops_at_eof; }

# compare WHAT FUNCTION: FUNCTION on this kit and on the baseline's, in turn,
# RUNS times each; prints both medians and their ratio.
compare() {
	local a=() b=() start ma mb
	for ((i = 0; i < RUNS; i++)); do
		start=$(now)
		"$2" "$KIT" >/dev/null 2>&1 || true
		a+=("$(echo "$(now) - $start" | bc -l)")
		start=$(now)
		"$2" "$BASE" >/dev/null 2>&1 || true
		b+=("$(echo "$(now) - $start" | bc -l)")
	done
	ma=$(printf '%s\n' "${a[@]}" | median)
	mb=$(printf '%s\n' "${b[@]}" | median)
	printf '%-44s %6.3f s, baseline %6.3f s: x%.2f (target <= 1.5: %s)\n' "$1" "$ma" "$mb" \
		"$(echo "$ma / $mb" | bc -l)" "$(verdict "$(echo "$ma / $mb" | bc -l)" 1.5001)"
}

verdict() { # verdict VALUE LIMIT
	if (($(echo "$1 < $2" | bc -l))); then echo "ok"; else echo "OVER TARGET"; fi
}

"$KIT/bin/ipclab" test 01 >/dev/null 2>&1 || true # warm the build
full=$(median_of touch_and_test "$KIT")
printf '%-44s %6s s (target < 1 s: %s)\n' "ipclab test 01, pipes.c just edited" "$full" \
	"$(verdict "$full" 1)"
one=$(median_of rerun "$KIT")
printf '%-44s %6s s (target < 0.3 s: %s)\n' "ipclab test 01 read_full_stops_at_eof" "$one" \
	"$(verdict "$one" 0.3)"
if [[ -n $BASELINE ]]; then
	BASE=$KIT/baseline
	mkdir "$BASE"
	private_kit "$BASELINE" "$BASE"
	IPCLAB_ROOT=$BASE "$BASE/bin/ipclab" test 01 >/dev/null 2>&1 || true
	compare "vs $(basename "$BASELINE"): edit + ipclab test 01" touch_and_test
	compare "vs $(basename "$BASELINE"): one test rerun" rerun
fi

# The test of a JUnit report that came closest to (or went past) its own deadline.
closest_to_deadline() { # closest_to_deadline JUNIT PLAN -> "name seconds deadline"
	python3 - "$1" "$2" <<'EOF'
import sys, xml.etree.ElementTree as ET
deadline = {}
for line in open(sys.argv[2]):
    f = line.rstrip("\n").split("\t")
    if f[0] == "plan":
        deadline[f[2]] = int(f[4]) / 1000
cases = [(float(c.get("time")) - deadline[c.get("name")], c.get("name"), float(c.get("time")))
         for c in ET.parse(sys.argv[1]).getroot().iter("testcase")]
margin, name, seconds = max(cases)
print(name, seconds, deadline[name])
EOF
}

for ref in build/ref/*/; do
	lab=$(basename "$ref")
	graded=$(median_of "$KIT/bin/ipclab" grade "${lab%%-*}" "$KIT/$ref")
	printf '%-44s %6s s (target < 3 s: %s)\n' "ipclab grade ${lab%%-*}, reference solution" \
		"$graded" "$(verdict "$graded" 3)"
done

for patch in "$ROOT"/autograder/hostile/*/*.patch; do
	lab=$(basename "$(dirname "$patch")")
	name=$(basename "$patch" .patch)
	dir=$KIT/hostile-$lab-$name
	mkdir -p "$dir"
	cp build/ref/"$lab"/*.c "$dir/"
	patch -s -p1 -d "$dir" <"$patch"
	start=$(now)
	"$KIT/bin/ipclab" grade "${lab%%-*}" "$dir" --junit "$dir.xml" >/dev/null 2>&1 || true
	total=$(echo "$(now) - $start" | bc -l)
	read -r worst_name worst_time worst_deadline < <(closest_to_deadline "$dir.xml" \
		"build/tests/$lab/plan.records")
	printf '%-30s run %5.2f s; nearest its deadline: %-32s %5.2f s (deadline %s + 1 s: %s)\n' \
		"hostile ${lab%%-*}/$name:" "$total" "$worst_name" "$worst_time" "$worst_deadline" \
		"$(verdict "$worst_time" "$(echo "$worst_deadline + 1" | bc -l)")"
done

# A class: 50 copies of the reference and 50 mutants (the lab's, in turn).
class=$KIT/class
mapfile -t mutants < <(ls "$ROOT"/autograder/mutants/01-pipes/*.patch)
for ((i = 1; i <= 50; i++)); do
	mkdir -p "$class/ref-$i" "$class/mutant-$i"
	cp build/ref/01-pipes/pipes.c "$class/ref-$i/"
	cp build/ref/01-pipes/pipes.c "$class/mutant-$i/"
	patch -s -p1 -d "$class/mutant-$i" <"${mutants[i % ${#mutants[@]}]}"
done
start=$(now)
"$KIT/bin/ipclab" grade 01 "$class" --out "$KIT/grades" >"$KIT/batch.txt" 2>&1 || true
seconds=$(echo "$(now) - $start" | bc -l)
graded=$(grep -c '^[^,]*,graded,' "$KIT/grades/gradebook.csv" || true)
rate=$(echo "$graded * 60 / $seconds" | bc -l)
printf '%-44s %6.1f a minute (%d graded in %.0f s, %d CPUs; target >= 30: %s)\n' \
	"batch: 50 references + 50 mutants of lab 01" "$rate" "$graded" "$seconds" "$(nproc)" \
	"$(verdict 30 "$rate")"
