#!/usr/bin/env python3
"""mutate.py - the kit measures its own tests: mechanical mutants of a lab.

Each mutant is the reference solution of a lab with one small change to one
line of SOLUTION code (between `#ifdef SOLUTION` and its `#else`/`#endif` in
the lab's sources, `sources :=` in labs/NN-topic/lab.mk, masters in
solutions/NN-topic/). Every mutant is graded by `ipclab grade` in batch mode;
a mutant is killed when it scores less than the unchanged reference, graded in
the same batch. A mutant that does not compile is reported apart and not
counted. A survivor must be caught by a test, or be listed, with a reason a
reviewer can check, in autograder/mutants/NN-topic/equivalent.txt:

    pipes.c:read_full:lt-to-le:1  done == count ends the loop either way

An id listed there that is no longer generated, or is killed, is stale.

Usage (run `make` first: it needs bin/ipclab and build/):
    mutate.py LAB...            grade every mutant; print the score and survivors
    mutate.py --list LAB...     print every mutant without grading
  LAB is 01, 01-pipes or pipes. Options: --jobs N (submissions graded at once,
  default 2), --deadline SECONDS (one mutant's whole grading, default 10),
  --out DIR (keep the mutants and their grades there; default a temporary
  directory), --min PERCENT (default 90). Exit status: 0 every lab at or above
  the minimum with no stale entry, 1 otherwise, 2 usage or environment error.

Operators (one line changed; a call that would be deleted but is used as a
value, as in `if (close(fd) == -1)`, becomes 0, so that the mutant compiles):
    del-close      a close(), or a helper named close_* (close_end, ...)
    del-wait       a wait(), waitpid(), or a helper named reap_*
    del-dup2, del-unlink (and unlink_*), del-shmdt, del-munmap, del-ftruncate
    del-rmid       msgctl/semctl/shmctl with IPC_RMID
    del-signal     signal(), sigaction(), sigprocmask(), pthread_sigmask()
    eintr-retry-off  `errno == EINTR` becomes 0, `errno != EINTR` becomes 1
    while-to-if    the loop runs its body at most once (written as
                   `for (int mutant_once = 1; mutant_once--; ) if (...)`,
                   so that a continue or break in the body still compiles)
    drop-FLAG      FLAG removed (`A | FLAG` is A, a lone FLAG is 0), for
                   IPC_NOWAIT O_NONBLOCK IPC_EXCL SEM_UNDO MSG_NOERROR
                   MSG_EXCEPT
    void-minus-one-to-null  `(void *) -1` and MAP_FAILED become NULL
    lt-to-le, gt-to-ge     a comparison `<` becomes `<=`, `>` becomes `>=`
    relax-order    a memory order (memory_order_acquire, _release, _acq_rel,
                   _seq_cst, and the builtins' __ATOMIC_ ones) becomes relaxed
Only calls, conditions and flags written on one line are mutated; comments,
strings and preprocessor lines never are.

Ids are FILE:FUNCTION:OPERATOR:N, N counting that operator's mutants in that
function from 1 in source order: an edit elsewhere in the file leaves them
alone. Code outside a function has FUNCTION "-".
"""
import argparse
import csv
import re
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

CALLS = {
    "del-close": r"close|close_\w+",
    "del-wait": r"wait|waitpid|reap_\w+",
    "del-dup2": r"dup2",
    "del-unlink": r"unlink|unlink_\w+",
    "del-shmdt": r"shmdt",
    "del-munmap": r"munmap",
    "del-ftruncate": r"ftruncate",
    "del-signal": r"signal|sigaction|sigprocmask|pthread_sigmask",
    "del-rmid": r"msgctl|semctl|shmctl",
}
# Not O_CLOEXEC: no lab's contract promises close-on-exec, so no test may ask for it.
FLAGS = ["IPC_NOWAIT", "O_NONBLOCK", "IPC_EXCL", "SEM_UNDO", "MSG_NOERROR", "MSG_EXCEPT"]
GRADEBOOK_COLUMNS = ("submission", "status", "score", "max_score", "reason")
NOT_FUNCTIONS = {"__attribute__", "if", "while", "for", "switch", "return", "sizeof"}


def mask(text):
    """The text with comments blanked and literals' insides replaced, same length."""
    out, i, n = [], 0, len(text)
    while i < n:
        two = text[i:i + 2]
        if two in ("/*", "//"):
            end = text.find("*/", i + 2) + 2 if two == "/*" else text.find("\n", i)
            end = n if end < 2 or end == -1 else end
            out.append(re.sub(r"[^\n]", " ", text[i:end]))
            i = end
        elif text[i] in "\"'":
            j = i + 1
            while j < n and text[j] != text[i]:
                j += 2 if text[j] == "\\" else 1
            out.append(text[i] + "_" * (j - i - 1) + text[i])
            i = j + 1
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


def closing_paren(line, start):
    """Index just past the parenthesis matching the one at start, or None."""
    depth = 0
    for j in range(start, len(line)):
        depth += {"(": 1, ")": -1}.get(line[j], 0)
        if depth == 0:
            return j + 1
    return None


def call_edits(masked, names, need=None):
    """(start, end, replacement) deleting each call of names on the line."""
    edits = []
    if not masked[:1].isspace():
        return edits  # a definition or declaration at column 0
    for m in re.finditer(r"(?<![\w.>])(?:%s)\s*\(" % names, masked):
        end = closing_paren(masked, m.end() - 1)
        if end is None or (need and need not in masked[m.start():end]):
            continue
        before = masked[:m.start()].rstrip()
        alone = masked[end:].strip() == ";" and (before == "" or before[-1] in ";{})"
                                                  or before.endswith("else"))
        edits.append((m.start(), end, "(void)0" if alone else "0"))
    return edits


def eintr_edits(masked):
    return [(m.start(), m.end(), "0" if m.group(1) == "==" else "1")
            for m in re.finditer(r"errno\s*(==|!=)\s*EINTR\b", masked)]


def while_edits(masked):
    m = re.match(r"(\s*)while\s*\(", masked)
    if not m or masked.rstrip().endswith(";"):
        return []  # not a loop's head (a do ... while's tail)
    return [(m.end(1), m.end(), "for (int mutant_once = 1; mutant_once--; ) if (")]


def flag_edits(masked, flag):
    edits = []
    for m in re.finditer(r"\b%s\b" % flag, masked):
        left = re.search(r"\s*(?<!\|)\|\s*$", masked[:m.start()])
        right = re.match(r"\s*\|(?!\|)\s*", masked[m.end():])
        if left:
            edits.append((left.start(), m.end(), ""))
        elif right:
            edits.append((m.start(), m.end() + right.end(), ""))
        else:
            edits.append((m.start(), m.end(), "0"))
    return edits


def null_edits(masked):
    return [(m.start(), m.end(), "NULL")
            for m in re.finditer(r"\(\s*void\s*\*\s*\)\s*-\s*1\b|\bMAP_FAILED\b", masked)]


def compare_edits(masked, op):
    pattern = r"(?<![<\-])<(?![<=])" if op == "<" else r"(?<![>\-])>(?![>=])"
    return [(m.start(), m.end(), op + "=") for m in re.finditer(pattern, masked)]


def order_edits(masked):
    pattern = r"\bmemory_order_(acquire|release|acq_rel|seq_cst)\b|\b__ATOMIC_(ACQUIRE|RELEASE|ACQ_REL|SEQ_CST)\b"
    return [(m.start(), m.end(), "memory_order_relaxed" if m.group(1) else "__ATOMIC_RELAXED")
            for m in re.finditer(pattern, masked)]


def operators(masked):
    """Every (operator, start, end, replacement) for one masked line."""
    found = []
    for name, calls in CALLS.items():
        need = "IPC_RMID" if name == "del-rmid" else None
        found += [(name,) + e for e in call_edits(masked, calls, need)]
    found += [("eintr-retry-off",) + e for e in eintr_edits(masked)]
    found += [("while-to-if",) + e for e in while_edits(masked)]
    for flag in FLAGS:
        found += [("drop-" + flag,) + e for e in flag_edits(masked, flag)]
    found += [("void-minus-one-to-null",) + e for e in null_edits(masked)]
    found += [("lt-to-le",) + e for e in compare_edits(masked, "<")]
    found += [("gt-to-ge",) + e for e in compare_edits(masked, ">")]
    found += [("relax-order",) + e for e in order_edits(masked)]
    return sorted(found, key=lambda f: (f[1], f[0]))


def function_name(masked_line):
    """The function a definition at column 0 starts, or None."""
    if not masked_line[:1].isalpha() and masked_line[:1] != "_":
        return None
    for name in re.findall(r"(\w+)\s*\(", masked_line):
        if name not in NOT_FUNCTIONS:
            return name
    return None


def mutants_of(path):
    """Every mutant of one master file: dicts with id, line (1-based), text."""
    lines = path.read_text().split("\n")
    masked = mask("\n".join(lines)).split("\n")
    conds, function, pending, counts, found = [], "-", None, {}, []
    for number, (line, m) in enumerate(zip(lines, masked), 1):
        directive = re.match(r"\s*#\s*(\w+)\s*(\w*)", m)
        if directive:
            word, arg = directive.groups()
            if word in ("if", "ifdef", "ifndef"):
                conds.append("sol" if word == "ifdef" and arg == "SOLUTION" else "other")
            elif word in ("else", "elif") and conds and conds[-1] == "sol":
                conds[-1] = "not-sol"
            elif word == "endif" and conds:
                conds.pop()
            continue
        if m.startswith("{"):
            function = pending or "-"
        elif m.startswith("}"):
            function = "-"
        elif function_name(m):
            pending = function_name(m)
        if "sol" not in conds or "not-sol" in conds:
            continue
        for op, start, end, new in operators(m):
            key = (function, op)
            counts[key] = counts.get(key, 0) + 1
            found.append({
                "id": "%s:%s:%s:%d" % (path.name, function, op, counts[key]),
                "file": path.name, "line": number,
                "text": line[:start] + new + line[end:],
            })
    return lines, found


def lab_dir(name):
    for d in sorted((ROOT / "labs").glob("[0-9][0-9]-*")):
        if name in (d.name, d.name[:2], d.name[3:], d.name[:2].lstrip("0")):
            return d.name
    sys.exit("mutate.py: no lab %r under %s/labs" % (name, ROOT))


def lab_sources(lab):
    manifest = (ROOT / "labs" / lab / "lab.mk").read_text()
    found = re.search(r"^sources[ \t]*:=[ \t]*([^#\n]*)", manifest, re.M)
    if not found or not found.group(1).split():
        sys.exit(f"mutate.py: labs/{lab}/lab.mk has no 'sources := FILE...' line")
    return found.group(1).split()


def reference_of(text):
    """unifdef -DSOLUTION of a master's text, as the Makefile makes build/ref."""
    run = subprocess.run(["unifdef", "-DSOLUTION"], input=text, capture_output=True,
                         text=True)
    if run.returncode not in (0, 1):
        sys.exit("mutate.py: unifdef failed: " + run.stderr)
    return run.stdout


def compiles(lab, source):
    run = subprocess.run(["cc", "-std=gnu11", "-fsyntax-only", "-I",
                          str(ROOT / "build/pristine" / lab), str(source)],
                         capture_output=True)
    return run.returncode == 0


def equivalent_path(lab):
    return ROOT / "autograder/mutants" / lab / "equivalent.txt"


def read_equivalent(lab):
    """{id: reason} from the lab's equivalent.txt (absent: none)."""
    path = equivalent_path(lab)
    entries = {}
    if path.exists():
        for line in path.read_text().splitlines():
            if line.strip() and not line.startswith("#"):
                ident, _, reason = line.partition(" ")
                entries[ident] = reason.strip()
    return entries


def write_class(lab, sources, out):
    """Writes OUT/class/NAME/ for the reference and each mutant; returns the mutants."""
    refs = {f: (ROOT / "build/ref" / lab / f).read_text() for f in sources}
    (out / "class/reference").mkdir(parents=True)
    for f, text in refs.items():
        (out / "class/reference" / f).write_text(text)
    every = []
    for f in sources:
        lines, mutants = mutants_of(ROOT / "solutions" / lab / f)
        for m in mutants:
            m["dir"] = out / "class" / ("m%03d" % (len(every) + 1))
            m["dir"].mkdir()
            for other, text in refs.items():
                (m["dir"] / other).write_text(text)
            changed = lines[:m["line"] - 1] + [m["text"]] + lines[m["line"]:]
            (m["dir"] / f).write_text(reference_of("\n".join(changed)))
            every.append(m)
    return every


def grade_class(lab, out, args):
    """Grades OUT/class with ipclab; returns {submission: gradebook row}."""
    command = [str(ROOT / "bin/ipclab"), "grade", lab[:2], str(out / "class"), "--out",
               str(out / "grades"), "--jobs", str(args.jobs), "--deadline",
               str(args.deadline), "--regrade"]
    with open(out / "grade.log", "w") as log:
        subprocess.run(command, stdout=log, stderr=subprocess.STDOUT,
                       stdin=subprocess.DEVNULL)
    book = out / "grades/gradebook.csv"
    if not book.exists():
        sys.exit("mutate.py: ipclab wrote no %s; see %s" % (book, out / "grade.log"))
    with open(book, newline="", encoding="utf-8") as f:
        return {row["submission"]: row for row in csv.DictReader(f)}


def set_aside_uncompilable(lab, mutants, out, jobs):
    """Moves the mutants that do not compile out of the class, to OUT/no-compile."""
    with ThreadPoolExecutor(jobs) as pool:
        ok = list(pool.map(lambda m: compiles(lab, m["dir"] / m["file"]), mutants))
    (out / "no-compile").mkdir()
    for m, compiled in zip(mutants, ok):
        m["compiled"] = compiled
        if not compiled:
            m["dir"] = m["dir"].rename(out / "no-compile" / m["dir"].name)


def score_lab(lab, args, out):
    """Grades one lab's mutants and prints the outcome; True when the lab passes."""
    start = time.monotonic()
    equivalent = read_equivalent(lab)
    mutants = write_class(lab, lab_sources(lab), out)
    set_aside_uncompilable(lab, mutants, out, args.jobs)
    rows = grade_class(lab, out, args)
    ref = rows.get("reference")
    if not ref or ref["status"] != "graded" or ref["score"] != ref["max_score"]:
        print("%s: the unchanged reference did not score full marks, so no mutant can "
              "be judged: see %s" % (lab, out / "grades/reference-*/report.txt"))
        return False
    tests = [t for t in ref if t not in GRADEBOOK_COLUMNS]
    problems, killed, survived, no_compile = [], 0, 0, 0
    for m in mutants:
        row = rows.get(m["dir"].name)
        where = "%s:%d  %s" % (m["file"], m["line"], m["text"].strip())
        if not m["compiled"]:
            no_compile += 1
            print("did not compile  %s  %s" % (m["id"], where))
        elif not row or row["status"] != "graded":
            problems.append("%s (%s) was not graded: %s" % (
                m["id"], m["dir"].name, row["reason"] if row else "no gradebook row"))
        elif float(row["score"]) < float(ref["score"]):  # halves: 2.5
            killed += 1
            lost = " ".join(t for t in tests if row[t] != ref[t])
            if m["id"] in equivalent:
                problems.append("stale: %s is in equivalent.txt, but %s kills it" %
                                (m["id"], lost))
            if args.verbose:
                print("killed    %s  by %s" % (m["id"], lost))
        elif m["id"] not in equivalent:
            survived += 1
            print("SURVIVED  %s  %s" % (m["id"], where))
    generated = {m["id"] for m in mutants if m["compiled"]}
    problems += ["stale: %s is in equivalent.txt, but no such mutant compiles now" % i
                 for i in equivalent if i not in generated]
    counted = killed + survived
    percent = 100.0 * killed / counted if counted else 100.0
    if percent < args.min:
        problems.append("%s: %.1f%% of the non-equivalent mutants killed, expected at "
                        "least %g%%: kill the survivors above, or list the ones that "
                        "cannot be told apart in %s" % (lab, percent, args.min,
                                                        equivalent_path(lab).relative_to(ROOT)))
    for p in problems:
        print(p)
    print("%s: %d / %d killed (%.1f%%); %d equivalent, %d did not compile; %.0f s" %
          (lab, killed, counted, percent, len(generated) - counted, no_compile,
           time.monotonic() - start))
    return not problems


def main():
    parser = argparse.ArgumentParser(
        description="Mechanical mutants of a lab's reference, graded by ipclab "
        "(see the top of this file).")
    parser.add_argument("labs", nargs="+", metavar="LAB")
    parser.add_argument("--list", action="store_true", help="list mutants, grade nothing")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--deadline", type=float, default=10)
    parser.add_argument("--out", help="keep mutants and grades in OUT/LAB")
    parser.add_argument("--min", type=float, default=90)
    parser.add_argument("-v", "--verbose", action="store_true", help="name the killers too")
    args = parser.parse_args()
    labs = [lab_dir(name) for name in args.labs]
    if args.list:
        for lab in labs:
            for f in lab_sources(lab):
                for m in mutants_of(ROOT / "solutions" / lab / f)[1]:
                    print("%s  %s:%d  %s" % (m["id"], f, m["line"], m["text"].strip()))
        return 0
    for needed in ("bin/ipclab", "build/ref", "build/pristine"):
        if not (ROOT / needed).exists():
            print("mutate.py: no %s: run make in %s" % (needed, ROOT), file=sys.stderr)
            return 2
    passed = True
    for lab in labs:
        with tempfile.TemporaryDirectory(prefix="mutate-") as tmp:
            out = Path(args.out) / lab if args.out else Path(tmp)
            if args.out and out.exists():
                print("mutate.py: %s exists; give another --out" % out, file=sys.stderr)
                return 2
            out.mkdir(parents=True, exist_ok=True)
            passed = score_lab(lab, args, out) and passed
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
