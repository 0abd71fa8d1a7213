#!/usr/bin/env python3
"""deck_code.py - the code format rule of the decks, checked (check.sh's decks_code_compiles).

Usage: deck_code.py WORKDIR DECK.md...

The rule, for every slide of every deck (slides/README.md, "The format rule"):
  1. a fenced code block shown on a slide has at most 8 lines;
  2. a slide that shows C (a ```c block) has presenter notes (an HTML comment
     <!-- ... --> in the slide) holding the full program as one ```c block;
     that program compiles and links with gcc -std=gnu11 -Wall -Wextra -Werror,
     and, when the notes hold a line "run:", runs and exits 0 within 10 s;
  3. every line of a C block shown on the slide appears, in order, in that
     program (leading and trailing blanks ignored); consecutive lines of the
     excerpt are consecutive in the program, and a line "..." stands for lines
     left out. So the excerpt on the slide is proven to compile, in context;
  4. on a slide whose program runs ("run:"), every other block shown (```text)
     is what it prints: its lines appear, in order, in the program's output
     (stdout, then stderr), by the same rule as 3.
Prints one line per deck, then one per broken rule; exits 1 when one is broken.
"""
import os
import re
import subprocess
import sys

MAX_LINES = 8
CC = ["gcc", "-std=gnu11", "-Wall", "-Wextra", "-Werror"]
FENCE = re.compile(r"^\s*(```+|~~~+)\s*([\w+-]*)")


def slides_of(text):
    """The slides of a Marp deck: lists of (line number, line), front matter left out."""
    lines = text.split("\n")
    start = 0
    if lines and lines[0].strip() == "---":
        start = next((i + 1 for i in range(1, len(lines)) if lines[i].strip() == "---"), 0)
    slides, current, fence, comment = [], [], None, False
    for number, line in enumerate(lines[start:], start + 1):
        if fence is None and not comment and line.strip() == "---":
            slides.append(current)
            current = []
            continue
        current.append((number, line))
        if fence is not None:
            if line.strip().startswith(fence):
                fence = None
        elif comment:
            comment = "-->" not in line
        elif FENCE.match(line):
            fence = FENCE.match(line).group(1)
        elif line.lstrip().startswith("<!--"):
            comment = "-->" not in line.split("<!--", 1)[1]
    slides.append(current)
    return [s for s in slides if any(line.strip() for _, line in s)]


def blocks_of(lines):
    """The fenced blocks of LINES: (first line number, language, body lines, in notes?)."""
    blocks, comment, i = [], False, 0
    while i < len(lines):
        number, line = lines[i]
        match = FENCE.match(line)
        if match:
            body, i = [], i + 1
            while i < len(lines) and not lines[i][1].strip().startswith(match.group(1)):
                body.append(lines[i][1])
                i += 1
            blocks.append((number, match.group(2), body, comment))
        elif comment:
            comment = "-->" not in line
        elif line.lstrip().startswith("<!--"):
            comment = "-->" not in line.split("<!--", 1)[1]
        i += 1
    return blocks


def notes_of(lines):
    """The text of the slide's HTML comments (Marp's presenter notes)."""
    text = "\n".join(line for _, line in lines)
    return "\n".join(re.findall(r"<!--(.*?)-->", text, re.S))


def excerpt_missing(excerpt, program):
    """The first excerpt line not found where the rule wants it, or None."""
    prog = [line.strip() for line in program]
    chunks, chunk = [], []
    for line in excerpt:
        if line.strip() == "...":
            chunks.append(chunk)
            chunk = []
        else:
            chunk.append(line.strip())
    chunks.append(chunk)
    at = 0
    for chunk in filter(None, chunks):
        found = next((i for i in range(at, len(prog) - len(chunk) + 1)
                      if prog[i:i + len(chunk)] == chunk), None)
        if found is None:
            # name the first line that breaks the chunk, for the message
            for size in range(1, len(chunk) + 1):
                if not any(prog[i:i + size] == chunk[:size] for i in range(at, len(prog))):
                    return chunk[size - 1]
            return chunk[0]
        at = found + len(chunk)
    return None


def build_and_run(source, name, workdir, run):
    """Compiles (and runs) one program; returns (problem or None, its output lines)."""
    path = os.path.join(workdir, name)
    with open(path + ".c", "w") as f:
        f.write(source)
    cc = subprocess.run(CC + ["-o", path, path + ".c"], capture_output=True, text=True)
    if cc.returncode != 0:
        errors = [l for l in cc.stderr.split("\n") if "error" in l] or cc.stderr.split("\n")
        first = errors[0].replace(path + ".c:", "line ", 1).strip()
        return f"the program in the notes does not compile: {first}", []
    if not run:
        return None, []
    try:
        done = subprocess.run([path], capture_output=True, text=True, timeout=10,
                              cwd=workdir, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        return "the notes say run:, but the program was still running after 10 s", []
    if done.returncode != 0:
        return (f"the notes say run:, but the program exited {done.returncode}: "
                f"{done.stderr.strip()[:200]}"), []
    return None, (done.stdout + done.stderr).split("\n")


def check_slide(lines, where, index, workdir):
    """The rule's problems on one slide, and how many programs it built (0 or 1)."""
    problems, programs = [], 0
    heading = next((l.strip("# ").strip() for _, l in lines if l.startswith("#")), "(no heading)")
    blocks = blocks_of(lines)
    shown = [b for b in blocks if not b[3]]
    for number, lang, body, _ in shown:
        if len(body) > MAX_LINES:
            problems.append(f"a ```{lang} block of {len(body)} lines (line {number}): "
                            f"at most {MAX_LINES} fit on a slide")
    c_shown = [b for b in shown if b[1] == "c"]
    if c_shown:
        full = [b for b in blocks if b[3] and b[1] == "c"]
        if len(full) != 1:
            problems.append(f"shows C but its notes hold {len(full)} ```c blocks: "
                            "put the full program, once, in an HTML comment on the slide")
        else:
            programs = 1
            program = full[0][2]
            for number, _, body, _ in c_shown:
                missing = excerpt_missing(body, program)
                if missing is not None:
                    problems.append(f"line '{missing}' of the C block at line {number} is not "
                                    "in the program of the notes (in that order)")
            run = re.search(r"^\s*run:", notes_of(lines), re.M) is not None
            name = f"{where}-{index:02d}"
            problem, output = build_and_run("\n".join(program) + "\n", name, workdir, run)
            if problem:
                problems.append(problem)
            outputs = [b for b in shown if b[1] != "c"] if run and not problem else []
            for number, lang, body, _ in outputs:
                missing = excerpt_missing(body, output)
                if missing is not None:
                    problems.append(f"line '{missing}' of the ```{lang} block at line {number} "
                                    "is not what the program of the notes prints")
    return [f'{where} slide {index} "{heading}": {p}' for p in problems], programs


def main():
    if len(sys.argv) < 3:
        sys.exit("usage: deck_code.py WORKDIR DECK.md...")
    workdir, decks = sys.argv[1], sys.argv[2:]
    problems = []
    for deck in decks:
        where = os.path.basename(deck)[:-3] if deck.endswith(".md") else deck
        with open(deck, encoding="utf-8") as f:
            slides = slides_of(f.read())
        count = 0
        for index, lines in enumerate(slides, 1):
            found, programs = check_slide(lines, where, index, workdir)
            problems += found
            count += programs
        print(f"{where}: {len(slides)} slides, {count} programs built")
    for problem in problems:
        print(problem)
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
