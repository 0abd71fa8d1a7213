# batch_checks.sh - sourced by check.sh: the checks of `ipclab grade` on a
# whole class (batch mode). Uses check.sh's ROOT, IPCLAB, WORK, fail,
# patched_copy, plan_count and its Chromium helpers.
# shellcheck shell=bash

# Lab 01's points (hidden tests included), from its plan.
lab01_max() { awk -F'\t' '$1 == "plan" { sum += $4 } END { print sum }' build/tests/01-pipes/plan.records; }

# The awkward name every reader of the gradebook must keep intact.
ODD_NAME='Zoë Ünal, "Jr" (2nd try)'

# make_class DIR: a class of lab 01 submissions, one of each kind an
# instructor meets, as directories and archives.
make_class() {
	local class=$1 ref=build/ref/01-pipes/pipes.c
	mkdir -p "$class"/{ref-dir,skeleton,nested/lab01,empty,missing,symlink,big,twice/a,twice/b}
	cp "$ref" "$class/ref-dir/"
	mkdir -p "$class/$ODD_NAME" && cp "$ref" "$class/$ODD_NAME/"
	cp labs/01-pipes/pipes.c "$class/skeleton/"
	cp "$ref" "$class/nested/lab01/"
	patched_copy 01-pipes autograder/mutants/01-pipes/parent-keeps-both-ends.patch "$class/mutant"
	# Leaves zombies: two 5-point tests leak and keep 2.5 each; one fails (0/5).
	patched_copy 01-pipes autograder/mutants/01-pipes/first-child-not-reaped.patch "$class/leaky"
	# Does not compile: one reason, whatever the number of tests.
	mkdir -p "$class/broken"
	sed 's|^ssize_t read_full(int fd, void \*buf, size_t count)$|& oops|' "$ref" >"$class/broken/pipes.c"
	# The skeleton with CRLF line ends, as an editor on Windows saves it.
	mkdir -p "$class/skeleton-crlf"
	sed 's/$/\r/' labs/01-pipes/pipes.c >"$class/skeleton-crlf/pipes.c"
	echo "notes" >"$class/missing/README.txt"
	ln -s "$ROOT/$ref" "$class/symlink/pipes.c"
	truncate -s 2G "$class/big/pipes.c"
	cp "$ref" "$class/twice/a/" && cp "$ref" "$class/twice/b/"
	# (tar's "./" prefix: entries "./" and "./pipes.c")
	(cd "$class/ref-dir" && tar -czf ../ref-tgz.tar.gz .)
	# A submission that looks for the reference and for the others' files.
	mkdir -p "$class/snoop"
	{
		sed 's|^ssize_t read_full(int fd, void \*buf, size_t count)$|ssize_t read_full_real(int, void *, size_t);\nvoid snoop(void);\n&\n{ snoop(); return read_full_real(fd, buf, count); }\nssize_t read_full_real(int fd, void *buf, size_t count)|' "$ref"
		echo '#include <stdlib.h>'
		echo 'void snoop(void)'
		echo '{'
		echo "	system(\"cat $ROOT/solutions/01-pipes/pipes.c $ROOT/$ref $class/ref-dir/pipes.c 2>&1 | head -c 300; grep -rl write_full $class $WORK 2>&1 | head -n 3\");"
		echo '}'
	} >"$class/snoop/pipes.c"
	python3 - "$class" <<-'EOF'
		import sys, zipfile
		d = sys.argv[1]
		with zipfile.ZipFile(f"{d}/ref-zip.zip", "w") as z:
		    z.write("build/ref/01-pipes/pipes.c", "lab01/pipes.c")
		with zipfile.ZipFile(f"{d}/traversal.zip", "w") as z:
		    z.writestr("../../escaped-by-zip", "x")
		    z.write("build/ref/01-pipes/pipes.c", "pipes.c")
		with zipfile.ZipFile(f"{d}/zip-symlink.zip", "w") as z:
		    link = zipfile.ZipInfo("pipes.c")
		    link.external_attr = 0o120777 << 16
		    z.writestr(link, "/etc/passwd")
		with zipfile.ZipFile(f"{d}/empty-zip.zip", "w"):
		    pass
		open(f"{d}/garbage.tar.gz", "wb").write(b"this is no archive")
	EOF
}

# A digest of every file and link under a directory (names, kinds, bytes).
tree_digest() {
	(cd "$1" && find . -printf '%p %y %s %l\n' | sort && find . -type f -size -2M -exec cat {} +) |
		sha256sum
}

# gradebook_rows CSV: "name|status|score|reason" per row, read by Python's csv module.
gradebook_rows() {
	python3 - "$1" <<-'EOF'
		import csv, sys
		with open(sys.argv[1], newline="", encoding="utf-8") as f:
		    rows = list(csv.DictReader(f))
		for r in rows:
		    print("|".join([r["submission"], r["status"], r["score"], r["reason"]]))
	EOF
}

# expect_row ROWS NAME STATUS OP SCORE REASON_WORDS: one row, as expected
# (OP: -eq -lt -ge, compared as numbers: a score can be a half, 2.5).
expect_row() {
	local rows=$1 name=$2 status=$3 op=$4 value=$5 words=$6 row score
	row=$(awk -F'|' -v name="$name" '$1 == name' <<<"$rows" | head -n 1)
	[[ -n $row ]] || fail "no gradebook row for '$name'"
	IFS='|' read -r _ got_status score reason <<<"$row"
	[[ $got_status == "$status" ]] || fail "'$name': status '$got_status', expected '$status' ($row)"
	awk -v a="$score" -v b="$value" -v op="$op" 'BEGIN {
		if (op == "-eq") ok = a + 0 == b + 0; else if (op == "-lt") ok = a + 0 < b + 0
		else ok = a + 0 >= b + 0
		exit !ok }' ||
		fail "'$name': score $score, expected $op $value"
	[[ $reason == *"$words"* ]] || fail "'$name': reason '$reason' does not say '$words'"
	echo "  $name: $status, $score, ${reason:-(graded)}"
}

# batch_half_points OUT: the leaky submission's two leaks are 2.5 of 5 each, in
# its gradebook columns, its results.json, its report and the batch's summary.
batch_half_points() {
	local out=$1 json
	json=$(ls "$out"/leaky-*/results.json)
	python3 - "$out/gradebook.csv" "$json" <<-'EOF' || fail "the leaks of 'leaky' are not 2.5 everywhere (above)"
		import csv, json, sys
		row = next(r for r in csv.DictReader(open(sys.argv[1], newline="", encoding="utf-8"))
		           if r["submission"] == "leaky")
		tests = {t["name"]: t for t in json.load(open(sys.argv[2]))["tests"]}
		leaks = sorted(n for n, t in tests.items() if t["score"] == 2.5 and t["max_score"] == 5)
		bad = [n for n in leaks if row[n] != "2.5"] + [n for n in tests if row[n] != f"{tests[n]['score']:g}"]
		if len(leaks) != 2 or bad:
		    sys.exit(print(f"leaks at 2.5 of 5: {leaks}, expected 2; gradebook disagrees on {bad}"))
		print(f"  leaky: {', '.join(leaks)} at 2.5/5 in results.json and gradebook.csv")
	EOF
	grep -qx '  LEAK  2\.5/5  pipeline_reader_sees_eof' "${json%/results.json}/report.txt" ||
		fail "leaky's report.txt does not show LEAK 2.5/5"
	grep -q "^\[[0-9]*/20\] leaky: $(($(lab01_max) - 10))/$(lab01_max) (" "$WORK/batch.txt" ||
		fail "the batch's progress line for leaky is not $(($(lab01_max) - 10))/$(lab01_max)"
}

# batch_failures_table HTML: the submission that did not compile is one row of the
# most common failures, the two skeletons another, and the mutants' failures are
# still there.
batch_failures_table() {
	python3 - "$1" <<-'EOF' || fail "the class report's failures table is wrong (above)"
		import re, sys
		page = open(sys.argv[1], encoding="utf-8").read()
		table = re.search(r'<table id="failures">.*?</table>', page, re.S).group(0)
		rows = re.findall(r"<tr[^>]*>(.*?)</tr>", table, re.S)[1:]
		cells = [[re.sub("<[^>]+>", "", c) for c in re.findall(r"<td[^>]*>(.*?)</td>", r, re.S)]
		         for r in rows]
		problems = []
		for verdict, count in (("did not compile", "1"), ("the skeleton, unchanged", "2")):
		    mine = [c for c in cells if verdict in c[2] or verdict in c[3]]
		    if [(c[0], c[2]) for c in mine] != [(count, verdict)]:
		        problems.append(f"{verdict!r}: rows {mine}, expected one counting {count}")
		tests = [c for c in cells if c[1] != "every test"]
		if not any(c[1] == "pipeline_reader_sees_eof" for c in tests):
		    problems.append(f"the mutants' failures are not in the table: {cells}")
		print("\n".join(problems) if problems else
		      f"  failures table: {len(tests)} rows of test failures, one of each verdict")
		sys.exit(1 if problems else 0)
	EOF
}

check_batch_grading() {
	local class=$WORK/class out=$WORK/grades rows before status=0 seconds max
	max=$(lab01_max)
	make_class "$class"
	before=$(tree_digest "$class")
	seconds=$SECONDS
	timeout -k 5 600 "$IPCLAB" grade 01 "$class" --out "$out" >"$WORK/batch.txt" 2>&1 || status=$?
	seconds=$((SECONDS - seconds))
	[[ $status == 1 ]] || fail "exit status $status, expected 1 (some not graded): $(tail -n 20 "$WORK/batch.txt")"
	rows=$(gradebook_rows "$out/gradebook.csv")
	[[ $(wc -l <<<"$rows") == 20 ]] || fail "20 rows expected in the gradebook: $rows"
	expect_row "$rows" ref-dir graded -eq "$max" ""
	expect_row "$rows" ref-zip graded -eq "$max" ""
	expect_row "$rows" ref-tgz graded -eq "$max" ""
	expect_row "$rows" nested graded -eq "$max" ""
	expect_row "$rows" "$ODD_NAME" graded -eq "$max" ""
	expect_row "$rows" skeleton graded -eq 0 "the skeleton, unchanged"
	expect_row "$rows" skeleton-crlf graded -eq 0 "the skeleton, unchanged"
	expect_row "$rows" broken graded -eq 0 "did not compile: pipes.c:75:52: error: "
	expect_row "$rows" mutant graded -lt "$max" ""
	expect_row "$rows" leaky graded -eq "$((max - 10))" ""
	batch_half_points "$out"
	batch_failures_table "$out/class-report.html"
	expect_row "$rows" snoop graded -ge 0 ""
	expect_row "$rows" empty "not graded" -eq 0 "empty submission"
	expect_row "$rows" empty-zip "not graded" -eq 0 "empty submission"
	expect_row "$rows" missing "not graded" -eq 0 "pipes.c is missing"
	expect_row "$rows" symlink "not graded" -eq 0 "symbolic link"
	expect_row "$rows" zip-symlink "not graded" -eq 0 "symbolic link"
	expect_row "$rows" big "not graded" -eq 0 "larger than 1 MiB"
	expect_row "$rows" twice "not graded" -eq 0 "there twice"
	expect_row "$rows" traversal "not graded" -eq 0 "path traversal"
	expect_row "$rows" garbage "not graded" -eq 0 "not a readable"
	# Nothing written outside the output directory.
	[[ $(tree_digest "$class") == "$before" ]] || fail "the class directory changed"
	[[ ! -e $WORK/escaped-by-zip && ! -e $class/../../escaped-by-zip ]] ||
		fail "the zip's ../../ entry was written"
	# The snooping submission saw neither the reference nor another submission.
	jq -r '.tests[].output // empty' "$out"/snoop-*/results.json >"$WORK/snoop.txt"
	if grep -q 'Lab 01: pipes\|/pipes\.c$' "$WORK/snoop.txt"; then
		fail "a submission read the reference or another submission: $(head -n 5 "$WORK/snoop.txt")"
	fi
	# (hidden paths: "Permission denied" now that graded code has no capability)
	grep -q 'No such file\|Permission denied' "$WORK/snoop.txt" ||
		fail "the snoop's output is not in its report"
	# Every submission has its own results.json, agreeing with the gradebook.
	for json in "$out"/*/results.json; do
		jq -e --argjson n "$(plan_count 01-pipes)" '.score >= 0 and (.tests | length) == $n' "$json" >/dev/null ||
			fail "$json is not a complete results.json"
	done
	[[ $(find "$out" -name results.json | wc -l) == 20 ]] || fail "not 20 results.json files"
	grep -q '^failures by test' "$out/summary.txt" || fail "no failures by test in summary.txt"
	xmllint --noout "$out/class-report.html" || fail "class-report.html is not well-formed"
	grep -q 'Zoë Ünal, &quot;Jr&quot;' "$out/class-report.html" ||
		fail "class-report.html lacks the escaped name '$ODD_NAME'"
	if [[ -d autograder/hidden/01-pipes ]]; then
		grep -q '</code> (hidden)' "$out/class-report.html" ||
			fail "class-report.html does not mark the hidden test"
	fi
	# The batch's own class report, in the browser (class_report_renders checks
	# the writer on a made-up class in more detail).
	if command -v chromium >/dev/null; then
		render_dom "$out/class-report.html" "$WORK/batch-report"
		render_png "$out/class-report.html" "$WORK/batch-report"
		chromium_log_clean "$WORK/batch-report.log" "$out/class-report.html"
		png_not_blank "$WORK/batch-report.png" 1280 2000
		grep -q 'Zoë Ünal' "$WORK/batch-report.dom" || fail "the rendered report lacks '$ODD_NAME'"
		cp "$WORK/batch-report.png" build/class-report-batch.png
		echo "class report rendered: build/class-report-batch.png"
	fi
	echo "20 submissions in ${seconds} s; class directory unchanged; snoop saw nothing"
}

check_batch_resumes() {
	local class=$WORK/resume out=$WORK/resume-grades i pid
	for i in 1 2 3 4 5 6; do
		mkdir -p "$class/student$i"
		cp build/ref/01-pipes/pipes.c "$class/student$i/"
	done
	# Interrupted once two are graded, then run again: those two are not regraded.
	timeout -k 5 300 "$IPCLAB" grade 01 "$class" --out "$out" --jobs 1 >"$WORK/resume1.txt" 2>&1 &
	pid=$!
	for _ in $(seq 600); do
		[[ $(grep -c "$(lab01_max)/$(lab01_max)" "$WORK/resume1.txt") -ge 2 ]] && break
		sleep 0.1
	done
	kill -INT "$pid"
	wait "$pid" && fail "the interrupted batch exited 0"
	[[ ! -e $out/gradebook.csv ]] || fail "an interrupted batch wrote a gradebook"
	timeout -k 5 300 "$IPCLAB" grade 01 "$class" --out "$out" >"$WORK/resume2.txt" 2>&1 ||
		fail "the resumed batch failed: $(tail -n 5 "$WORK/resume2.txt")"
	[[ $(grep -c 'graded before' "$WORK/resume2.txt") -ge 2 ]] ||
		fail "the resumed batch regraded everything: $(cat "$WORK/resume2.txt")"
	[[ $(gradebook_rows "$out/gradebook.csv" | grep -c "|graded|$(lab01_max)|") == 6 ]] ||
		fail "the resumed gradebook does not have 6 full marks: $(gradebook_rows "$out/gradebook.csv")"
	echo "interrupted after $(grep -c "$(lab01_max)/$(lab01_max)" "$WORK/resume1.txt"), resumed: $(grep -c 'graded before' "$WORK/resume2.txt") not regraded"
	# A changed submission is graded again; --regrade grades all again.
	cp labs/01-pipes/pipes.c "$class/student3/"
	timeout -k 5 300 "$IPCLAB" grade 01 "$class" --out "$out" >"$WORK/resume3.txt" 2>&1 || true
	[[ $(grep -c 'graded before' "$WORK/resume3.txt") == 5 ]] ||
		fail "a changed submission was not the only one regraded: $(cat "$WORK/resume3.txt")"
	grep -q '^student3|graded|0|' <<<"$(gradebook_rows "$out/gradebook.csv")" ||
		fail "student3's new files were not graded"
	# On a terminal (script(1) gives one), a progress bar redrawn in place.
	timeout -k 5 300 script -qec "$IPCLAB grade 01 $class --out $out --regrade" /dev/null \
		>"$WORK/resume4.txt" 2>&1 || true
	! grep -q 'graded before' "$WORK/resume4.txt" || fail "--regrade skipped some"
	grep -q $'\r.*\[#*\.*\] [0-9]*/6' "$WORK/resume4.txt" ||
		fail "no progress bar on a terminal: $(head -c 300 "$WORK/resume4.txt")"
	echo "changed submission regraded alone; --regrade regrades all, with a progress bar"
}

check_limits_gradescope() {
	local json=$WORK/limits.json text
	timeout -k 5 300 "$IPCLAB" grade 01 build/ref/01-pipes --limits gradescope \
		--results "$json" >"$WORK/limits.txt" 2>&1 || fail "the reference failed: $(tail -n 20 "$WORK/limits.txt")"
	text=$(jq -r .output "$json")
	grep -q '^limits gradescope: .*64 MiB.*no namespaces' <<<"$text" || fail "no limits line: $text"
	grep -q 'not isolated' "$WORK/limits.txt" || fail "the tests did not run in fallback mode"
	if grep -q 'half a CPU' <<<"$text"; then
		grep -q 'the CPU quota held the grading back [0-9]* times; its memory peaked at [0-9]* MiB' <<<"$text" ||
			fail "a cgroup was made, but its counters were not reported: $text"
	else
		grep -q 'one CPU, not half' <<<"$text" || fail "neither half a CPU nor one: $text"
	fi
	if [[ -n $(find /sys/fs/cgroup -maxdepth 4 -name 'ipclab-*' 2>/dev/null) ]]; then
		fail "cgroups left behind: $(find /sys/fs/cgroup -maxdepth 4 -name 'ipclab-*')"
	fi
	# A batch passes the limits on to each grading.
	mkdir -p "$WORK/limits-class/a" "$WORK/limits-class/b"
	cp build/ref/01-pipes/pipes.c "$WORK/limits-class/a/"
	cp build/ref/01-pipes/pipes.c "$WORK/limits-class/b/"
	timeout -k 5 300 "$IPCLAB" grade 01 "$WORK/limits-class" --out "$WORK/limits-out" \
		--limits gradescope >"$WORK/limits-batch.txt" 2>&1 || fail "batch: $(tail -n 5 "$WORK/limits-batch.txt")"
	[[ $(grep -l '^limits gradescope' "$WORK"/limits-out/*/report.txt | wc -l) == 2 ]] ||
		fail "the batch's gradings were not limited"
	grep '^limits gradescope' <<<"$text"
}
