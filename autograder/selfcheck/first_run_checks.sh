# first_run_checks.sh - what a student meets first: tests grouped by the
# handout's tasks, a report that fits the terminal, a place to start.
# Sourced by check.sh (needs fail, LABS, WORK, IPCLAB).

# The handout's tasks of LAB: "NUMBER POINTS" per heading "### 3.2 TITLE (N points)".
handout_tasks() {
	sed -n 's/^### \([0-9]*\.[0-9]*\) .*(\([0-9]*\) points\{0,1\})$/\1 \2/p' "labs/$1/README.md"
}

# Every test names a task of its handout, and each task's visible tests are
# worth the points its heading says.
check_tasks_match_handout() {
	local lab problems
	for lab in "${LABS[@]}"; do
		problems=$(awk -F'\t' -v lab="$lab" '
			FNR == NR { points[$1] = $2; next }
			$1 != "plan" { next }
			$9 == "" { print lab ": test " $3 " names no task (.task = \"3.N\")"; next }
			!($9 in points) { print lab ": test " $3 " names task " $9 ", not a heading of the handout"; next }
			$8 != "hidden" { sum[$9] += $4 }
			END {
				for (t in points)
					if (sum[t] != points[t])
						print lab ": task " t " is worth " points[t] " points in the handout, its tests " sum[t] + 0
			}' <(handout_tasks "$lab" | tr ' ' '\t') "build/tests/$lab/plan.records")
		[[ -z $problems ]] || fail "$problems" || return
		[[ -n $(handout_tasks "$lab") ]] || fail "$lab: no task headings found in its handout" || return
	done
	echo "${#LABS[@]} labs: every test in a task, every task's points as its heading says"
}

# The anchor GitHub gives a heading (labs.c, heading_anchor).
heading_anchor() {
	tr 'A-Z ' 'a-z-' <<<"$1" | tr -cd 'a-z0-9_\n-'
}

# The skeleton's first `ipclab test NN` fits 80 columns (and COLUMNS=50), groups
# the tests by task in the handout's order and ends with where to start.
check_first_run_guides() {
	local lab out width first heading
	for lab in "${LABS[@]}"; do
		out=$WORK/first-run-$lab.txt
		for width in 80 50; do
			COLUMNS=$width "$IPCLAB" test "${lab%%-*}" >"$out" 2>&1 || true
			LC_ALL=C awk -v w="$width" -v lab="$lab" '
				{ n = split($0, c, ""); cols = 0
				  for (i = 1; i <= n; i++) cols += c[i] !~ /[\200-\277]/
				  if (cols > w) { print lab ": a line of " cols " columns with COLUMNS=" w ": " $0; exit 1 } }' \
				"$out" >"$out.wide" || fail "$(cat "$out.wide")" || return
		done
		COLUMNS=80 "$IPCLAB" test "${lab%%-*}" >"$out" 2>&1 || true
		# the task headings, in the handout's order
		diff <(handout_tasks "$lab" | cut -d' ' -f1) \
			<(sed -n 's/^\([0-9]*\.[0-9]*\) .* [0-9.]*\/[0-9]*.*$/\1/p' "$out") >/dev/null ||
			fail "$lab: the tasks in the report are not the handout's, in its order:" \
				"$(grep '^[0-9]*\.[0-9]* ' "$out")" || return
		first=$(handout_tasks "$lab" | head -n 1 | cut -d' ' -f1)
		heading=$(sed -n "s/^### \(${first//./\\.} .*\)$/\1/p" "labs/$lab/README.md")
		# "start here: 3.1 TITLE, in labs/NN-topic/README.md#ANCHOR", maybe on two lines
		sed -n '/^start here: /,$p' "$out" | tr -s ' \n' ' ' |
			grep -qF "start here: ${heading% (*}, in labs/$lab/README.md#$(heading_anchor "$heading") score: " ||
			fail "$lab: the lines before the score do not say start here: $first" \
				"(labs/$lab/README.md#$(heading_anchor "$heading")):$(tail -n 3 "$out")" || return
		tail -n 1 "$out" | grep -q '^score: 0/' || fail "$lab: the last line is not the score" || return
		echo "$lab: $(wc -l <"$out") lines, at most 80 columns; start here: $first"
	done
}
