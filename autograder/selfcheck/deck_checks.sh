# deck_checks.sh - sourced by check.sh: the lecture decks slides/NN-topic.md
# render, fit their slides and show only code that compiles.
#   decks_fit            Marp + headless Chromium: no slide overflows, every image
#                        loads, no console error (deck_fit.cjs)
#   decks_code_compiles  the format rule of slides/README.md (deck_code.py)
# Each proves it can fail on a planted deck. The decks of the labs checked
# (IPCLAB_CHECK_LABS) are checked.
# shellcheck shell=bash

MARP=slides/node_modules/.bin/marp
# A PNG of one slide, deck 01's descriptor tables, to look at without rendering.
DECK_SHOT="01-pipes:After the closes:build/slides/01-pipes-fd-tables.png"

# decks: the deck of each lab checked, when it has one.
decks() {
	local lab
	for lab in "${LABS[@]}"; do
		[[ ! -e slides/$lab.md ]] || echo "slides/$lab.md"
	done
}

# render_decks DIR DECK...: each DECK rendered as presented in DIR/shown and with
# every slide laid out (template bare) in DIR/bare, beside the images they show.
render_decks() {
	local dir=$1 deck template
	shift
	for template in shown bare; do
		mkdir -p "$dir/$template"
		[[ ! -d slides/img ]] || cp -R slides/img "$dir/$template/"
	done
	for deck; do
		for template in shown bare; do
			"$MARP" --html --template "$([[ $template == bare ]] && echo bare || echo bespoke)" \
				"$deck" -o "$dir/$template/$(basename "$deck" .md).html" >"$dir/marp.log" 2>&1 ||
				{ fail "marp could not render $deck: $(tail -n 5 "$dir/marp.log")"; return 1; }
		done
	done
}

# decks_tools_missing: what the decks need to render and this machine lacks.
decks_tools_missing() {
	local missing=
	command -v chromium >/dev/null || missing="chromium"
	[[ -x $MARP ]] || missing="${missing:+$missing and }the Marp packages (slides/node_modules)"
	echo "$missing"
}

# A planted deck: slide 2 too long, slide 3 with a missing image and a console error.
plant_unfit_deck() {
	local line
	printf '%s\n' '---' 'marp: true' '---' '' '# Fits' '' 'one line' '' '---' '' '# Too long' ''
	for line in $(seq 1 30); do
		echo "- item $line"
	done
	printf '%s\n' '' '---' '' '# Broken' '' '![](img/planted-missing.svg)' '' \
		'<script>console.error("planted error")</script>'
}

check_decks_fit() {
	local dir=$WORK/decks out words missing
	local -a list
	missing=$(decks_tools_missing)
	if [[ -n $missing && -e /etc/ipclab-guest ]]; then
		echo "guest: no $missing in the course VM (group instructor of vm/packages.lock);"
		echo "the decks are rendered and measured on the host"
		return 0
	fi
	[[ -z $missing ]] || fail "$missing not installed: run sudo ./vm/provision.sh"
	mapfile -t list < <(decks)
	((${#list[@]})) || { echo "no deck for the labs checked (${LABS[*]})"; return 0; }
	mkdir -p build/slides
	render_decks "$dir" "${list[@]}" || return 1
	node autograder/selfcheck/deck_fit.cjs --shot "$DECK_SHOT" "$dir/shown" "$dir/bare" ||
		fail "the slides above do not fit, or the decks load badly (node autograder/selfcheck/deck_fit.cjs --help)"
	mkdir -p "$WORK/unfit"
	plant_unfit_deck >"$WORK/unfit/99-planted.md"
	render_decks "$WORK/unfit/html" "$WORK/unfit/99-planted.md" || return 1
	if out=$(node autograder/selfcheck/deck_fit.cjs "$WORK/unfit/html/shown" "$WORK/unfit/html/bare" 2>&1); then
		fail "a planted deck with a too-long slide passed: $out"
	fi
	for words in '99-planted slide 2 "Too long": content is' 'planted-missing.svg' \
		'console error: planted error'; do
		[[ $out == *"$words"* ]] || fail "the check did not report '$words' in a planted deck: $out"
	done
	echo "caught in a planted deck: $(grep -c '^99-planted' <<<"$out") problems, among them"
	grep -m 1 'Too long' <<<"$out"
}

# A planted deck breaking each part of the rule, one slide each.
plant_bad_code_deck() {
	local fence='```'
	printf '%s\n' '---' 'marp: true' '---' '' '# Typo in the excerpt' '' "${fence}c" \
		'if (pipe(fd) == -1)' "$fence" '' '<!--' "${fence}c" '#include <unistd.h>' \
		'int main(void)' '{' '	int fds[2];' '	if (pipe(fds) == -1)' '		return 1;' \
		'	return 0;' '}' "$fence" '-->' '' '---' '' '# No notes' '' "${fence}c" \
		'int main(void) { return 0; }' "$fence" '' '---' '' '# Does not compile' '' \
		"${fence}c" 'return undeclared;' "$fence" '' '<!--' "${fence}c" \
		'int main(void)' '{' '	return undeclared;' '}' "$fence" '-->' '' '---' '' \
		'# Too many lines' '' "${fence}text"
	seq 1 9
	printf '%s\n' "$fence" '' '---' '' '# Wrong output' '' "${fence}c" 'puts("hello");' "$fence" \
		"${fence}text" 'goodbye' "$fence" '' '<!--' 'run:' "${fence}c" '#include <stdio.h>' \
		'int main(void)' '{' '	puts("hello");' '	return 0;' '}' "$fence" '-->'
}

check_decks_code_compiles() {
	local out words
	local -a list
	mapfile -t list < <(decks)
	((${#list[@]})) || { echo "no deck for the labs checked (${LABS[*]})"; return 0; }
	mkdir -p "$WORK/deck-code" "$WORK/deck-code-planted"
	python3 autograder/selfcheck/deck_code.py "$WORK/deck-code" "${list[@]}" ||
		fail "the slides above break the format rule (slides/README.md, \"The format rule\")"
	plant_bad_code_deck >"$WORK/99-planted.md"
	if out=$(python3 autograder/selfcheck/deck_code.py "$WORK/deck-code-planted" \
		"$WORK/99-planted.md" 2>&1); then
		fail "a planted deck breaking the rule passed: $out"
	fi
	for words in "slide 1 \"Typo in the excerpt\": line 'if (pipe(fd) == -1)'" \
		'slide 2 "No notes": shows C but its notes hold 0' \
		'slide 3 "Does not compile": the program in the notes does not compile' \
		'slide 4 "Too many lines": a ```text block of 9 lines' \
		"slide 5 \"Wrong output\": line 'goodbye' of the \`\`\`text block"; do
		[[ $out == *"$words"* ]] || fail "the check did not report '$words' in a planted deck: $out"
	done
	echo "caught in a planted deck: $(grep -c '^99-planted slide' <<<"$out") broken rules, as expected"
}
