#!/usr/bin/env python3
"""handout_check.py - runs every shell block of a handout and compares what it
prints with what the handout shows.

Usage: handout_check.py [--kit DIR] [--list] [-v] README.md...

A handout is a lab's README.md. Each of its fenced blocks is one of:

  a transcript   its first line starts with "$ ". A command is a "$ " line and
                 its continuation lines, up to where bash sees the command
                 complete (open quotes, here-documents, a trailing backslash);
                 every other line is output, as the terminal showed it;
  code           any other block, which must carry a language tag (```c,
                 ```text, ...); it is not run. An untagged block that is not a
                 transcript is an error: say what it is.

HTML comments on the lines just above a transcript (invisible when rendered):

  <!-- check: vary REGEX -->     text matching REGEX (Python re) in the output
                                 is a value that changes from run to run
  <!-- check: skip REASON -->    the block cannot run unattended; it is counted
                                 and its reason printed
  <!-- check: deadline SECONDS -->  each command's deadline (default 30 s)
  <!-- check: commands-only -->  the block shows commands and no output: they
                                 run and must exit 0, their output is not shown
  <!-- check: mutant NAME -->    the block shows what a broken solution does:
                                 it runs with the lab's hand-written mutant
                                 NAME (autograder/mutants/LAB/NAME.patch)
                                 applied to the reference, rebuilt with make

All transcripts of one handout run in order in one bash shell, as in a
student's terminal: variables, $!, jobs and the working directory carry over.
The shell starts in the lab's folder of a scratch copy of the kit (DIR, made by
the caller: the reference solution in place and built), as root in IPC, mount
and PID namespaces of the handout's own (so the ids of its objects start at 0
whatever handouts ran before), with a private empty /tmp (the kit is mounted at
/tmp/ipc-labs, and the handouts are read from there) and the kit's bin/ on
PATH; commands write to a pseudo-terminal, 80 columns wide. When the last
block has run, the namespace ends and every process left goes with it.

Output is compared word by word, per command, as a terminal shows it (a
carriage return goes back to the line's start, ESC [ K erases to its end,
colours are dropped), after removing bash's job lines ("[1] 1234", "[1]+  Done
..."); where lines break and how many blanks are between words is not
compared, since ipclab's reports wrap at 80 columns around values that vary
between machines. These always vary: /proc/NUMBER, pipe:[N] and socket:[N],
ls -l dates, clock times, hexadecimal numbers of 8 or more digits. A command
still running at its deadline, a changed or missing word, or a block that
ends inside a command fails the check. Exit status: 0 when every block printed what it shows.
"""
import argparse
import difflib
import os
import pty
import re
import select
import shutil
import signal
import struct
import subprocess
import sys
import termios
import fcntl
import time

DEADLINE = 30
MARK = "\x1e"
ALWAYS_VARY = [
	r"/proc/\d+",
	r"\b(pipe|socket|anon_inode):\[\d+\]",
	r"\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [ \d]\d ( \d{4}|\d\d:\d\d)\b",
	r"\b\d\d:\d\d:\d\d(\.\d+)?\b",
	r"\b0x[0-9a-fA-F]{8,}\b",
	r"\b(?=[0-9a-f]*[a-f])[0-9a-f]{8,}\b",
]
JOB_LINE = re.compile(r"^\[\d+\][+-]? *(\d+|(Done|Exit \d+|Terminated|Killed|Stopped|Running)\b.*)$")
FENCE = re.compile(r"^( *)(```+|~~~+)\s*(\S*)\s*$")
MARKER = re.compile(r"^\s*<!-- check: ([\w-]+)\s*(.*?)\s*-->\s*$")
MARKERS = ("vary", "skip", "deadline", "commands-only", "mutant")
CSI = re.compile(r"\x1b\[([0-9;?]*)([@-~])")


class Block:
	def __init__(self, path, line, tag, lines, markers):
		self.path, self.line, self.tag = path, line, tag
		self.lines, self.markers = lines, markers
		self.transcript = bool(lines) and lines[0].startswith("$ ")
		self.steps, self.cut = commands_of(self) if self.transcript else ([], None)

	def where(self):
		return f"{self.path}:{self.line}"

	def marker(self, name):
		return [value for key, value in self.markers if key == name]


def blocks_of(path):
	"""The fenced blocks of a markdown file, with the markers above each."""
	text = open(path, encoding="utf-8").read().split("\n")
	blocks, i = [], 0
	while i < len(text):
		m = FENCE.match(text[i])
		if not m:
			i += 1
			continue
		indent, fence, tag = len(m.group(1)), m.group(2), m.group(3)
		markers, j = [], i - 1
		while j >= 0 and MARKER.match(text[j]):
			markers.insert(0, MARKER.match(text[j]).groups())
			j -= 1
		body, i = [], i + 1
		while i < len(text) and not (text[i].strip().startswith(fence[0] * len(fence))
						and text[i].strip().strip(fence[0]) == ""):
			body.append(text[i][indent:] if text[i][:indent].strip() == "" else text[i])
			i += 1
		if i == len(text):
			raise SystemExit(f"{path}: the block opened at line {len(text) - len(body)} never closes")
		blocks.append(Block(path, i - len(body), tag, body, markers))
		i += 1
	return blocks


def complete(command):
	"""True when bash would run COMMAND as it stands (no open quote or here-document)."""
	if command.endswith("\\"):
		return False
	res = subprocess.run(["bash", "-n"], input=command + "\n", capture_output=True, text=True)
	return res.returncode == 0 and "here-document" not in res.stderr


def commands_of(block):
	"""A transcript's [(command, [output lines])], and what cut it short or None."""
	steps = []
	lines = list(block.lines)
	while lines:
		line = lines.pop(0)
		if not line.startswith("$ "):
			steps[-1][1].append(line)
			continue
		command = line[2:]
		while not complete(command):
			if not lines:
				return steps, f"{block.where()}: the block ends inside the command '{line[2:]}'"
			command += "\n" + lines.pop(0)
		steps.append((command, []))
	return steps, None


def problems_of(blocks):
	"""What is wrong with the blocks before anything runs."""
	out = []
	for b in blocks:
		for key, value in b.markers:
			if key not in MARKERS:
				out.append(f"{b.where()}: unknown marker 'check: {key}' ({', '.join(MARKERS)})")
			elif key == "vary":
				try:
					re.compile(value)
				except re.error as e:
					out.append(f"{b.where()}: 'check: vary {value}' is no regular expression: {e}")
			elif key == "deadline" and not value.isdigit():
				out.append(f"{b.where()}: 'check: deadline {value}': expected seconds")
		if b.markers and not b.transcript:
			out.append(f"{b.where()}: a check marker above a block that is no transcript")
		if not b.transcript and not b.tag:
			out.append(f"{b.where()}: an untagged block that is no transcript (its first line does "
				   f"not start with '$ '): tag it with its language (```text, ```c, ...)")
		if b.cut:
			out.append(b.cut)
		if b.marker("commands-only") and any(shown for _, shown in b.steps):
			out.append(f"{b.where()}: 'check: commands-only' above a block that shows output")
		for command, _ in b.steps:
			if re.search(r"/proc/\d+\b", command):
				out.append(f"{b.where()}: the command '{command.splitlines()[0]}' names a pid "
					   "from an earlier run: take it from $!, jobs -p, pgrep or the output")
	return out


def on_screen(line):
	"""LINE as a terminal shows it: CR returns, ESC [ K erases, colours dropped."""
	screen, col, pos = [], 0, 0
	while pos < len(line):
		m = CSI.match(line, pos)
		if m:
			if m.group(2) == "K":
				del screen[col:]
			pos = m.end()
			continue
		c = line[pos]
		if c == "\r":
			col = 0
		else:
			screen[col:col + 1] = [c]
			col += 1
		pos += 1
	return "".join(screen)


def normalise(lines, patterns):
	out = []
	for line in lines:
		line = on_screen(line).rstrip()
		if JOB_LINE.match(line):
			continue
		for p in patterns:
			line = re.sub(p, "\u2039varies\u203a", line)
		out.append(line)
	while out and out[-1] == "":
		out.pop()
	return out


def words(lines):
	"""The words of LINES, in order. Where a line breaks is not compared: a report
	wraps at 80 columns, around values that vary from one machine to another."""
	return " ".join(lines).split()


class Shell:
	"""One bash, its output on a pseudo-terminal; run() gives a command's output."""

	def __init__(self, cwd, kit):
		master, slave = pty.openpty()
		fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
		env = {"PATH": f"{kit}/bin:/usr/local/bin:/usr/bin:/bin:/usr/local/sbin:/usr/sbin:/sbin",
		       "HOME": "/root", "TERM": "xterm", "LC_ALL": "C.UTF-8", "TZ": "UTC",
		       "USER": "root", "LOGNAME": "root", "SHELL": "/bin/bash"}
		self.bash = subprocess.Popen(["bash", "--norc", "--noprofile"], cwd=cwd, env=env,
					     stdin=subprocess.PIPE, stdout=slave, stderr=slave,
					     start_new_session=True)
		os.close(slave)
		self.master = master
		self.pending = b""

	def run(self, command, deadline):
		quoted = "$'" + "".join(c if c.isalnum() or c in " _-./" else f"\\x{ord(c):02x}"
					 if ord(c) < 128 else c for c in command) + "'"
		self.bash.stdin.write(f"eval {quoted} </dev/null; printf '{MARK}%s{MARK}' \"$?\"\n"
				      .encode())
		self.bash.stdin.flush()
		end = time.monotonic() + deadline
		while True:
			text = self.pending.decode("utf-8", "replace")
			m = re.search(MARK + r"(\d+)" + MARK, text)
			if m:
				self.pending = text[m.end():].encode()
				return text[:m.start()], int(m.group(1))
			left = end - time.monotonic()
			if left <= 0 or not select.select([self.master], [], [], left)[0]:
				return text, None
			try:
				chunk = os.read(self.master, 65536)
			except OSError:
				chunk = b""
			if not chunk:
				return text, None
			self.pending += chunk


def run_handout(path, kit, verbose):
	"""Runs the transcripts of one handout; returns (failures, counts)."""
	blocks = blocks_of(path)
	failures = problems_of(blocks)
	counts = {"run": 0, "commands": 0, "with markers": 0, "marked": 0, "code": 0}
	if failures:
		return failures, counts
	lab = os.path.basename(os.path.dirname(os.path.abspath(path)))
	lab_dir = os.path.join(kit, "labs", lab)
	shell = Shell(lab_dir, kit)
	for b in blocks:
		if not b.transcript:
			counts["code"] += 1
			continue
		if b.marker("skip"):
			counts["marked"] += 1
			print(f"  marked {b.where()}: {b.marker('skip')[0]}")
			continue
		counts["run"] += 1
		counts["with markers"] += bool(b.markers)
		patterns = ALWAYS_VARY + b.marker("vary")
		deadline = int((b.marker("deadline") or [DEADLINE])[0])
		mutant = b.marker("mutant")
		if mutant:
			failures += apply_mutant(kit, lab, mutant[0], b)
		for command, shown in b.steps:
			counts["commands"] += 1
			printed, status = shell.run(command, deadline)
			head = command.splitlines()[0]
			if status is None:
				failures.append(f"{b.where()}: '{head}' still running after {deadline} s (hangs); "
						f"it printed:\n" + indent(printed))
				return failures, counts
			if verbose:
				print(f"  {b.where()}: $ {head} (exit {status})")
			if b.marker("commands-only"):
				if status != 0:
					failures.append(f"{b.where()}: '{head}' exited {status}; it printed:\n" +
							indent(printed))
				continue
			want = normalise(shown, patterns)
			got = normalise(printed.split("\n"), patterns)
			if words(want) != words(got):
				diff = difflib.unified_diff(want, got, "the handout shows", "the command printed",
							    lineterm="", n=2)
				failures.append(f"{b.where()}: '{head}' printed something else:\n" +
						indent("\n".join(diff)))
		if mutant:
			failures += apply_mutant(kit, lab, mutant[0], b, "-R")
	return failures, counts


def apply_mutant(kit, lab, name, block, *flags):
	"""Applies (or with -R reverts) mutant NAME to the lab's sources and rebuilds."""
	patch = os.path.join(kit, "autograder", "mutants", lab, name + ".patch")
	lab_dir = os.path.join(kit, "labs", lab)
	res = subprocess.run(f"patch -s -p1 {' '.join(flags)} -d '{lab_dir}' <'{patch}' && "
			     f"make -s -C '{lab_dir}'", shell=True, capture_output=True, text=True)
	if res.returncode:
		return [f"{block.where()}: mutant {name} {'reverts' if flags else 'applies'} badly: "
			+ res.stdout + res.stderr]
	return []


def indent(text):
	return "\n".join("    " + line for line in text.split("\n"))


def inside(args):
	"""In the namespaces: a private /tmp with the kit at /tmp/ipc-labs, then run."""
	kit = os.open(args.kit, os.O_RDONLY | os.O_DIRECTORY)
	subprocess.run(["mount", "--make-rprivate", "/"], check=True)
	subprocess.run(["mount", "-t", "tmpfs", "-o", "mode=1777", "handout-tmp", "/tmp"], check=True)
	os.mkdir("/tmp/ipc-labs")
	subprocess.run(["mount", "--bind", f"/proc/self/fd/{kit}", "/tmp/ipc-labs"], check=True,
		       pass_fds=[kit])
	os.close(kit)
	bad = 0
	for path in args.handouts:
		lab = os.path.basename(os.path.dirname(os.path.abspath(path)))
		failures, c = run_handout(os.path.join("/tmp/ipc-labs/labs", lab, "README.md"),
					  "/tmp/ipc-labs", args.verbose)
		print(f"labs/{lab}/README.md: {c['run']} blocks run ({c['commands']} commands, "
		      f"{c['with markers']} blocks with markers), {c['marked']} marked skip "
		      f"(cannot run unattended), {c['code']} code blocks not run")
		for f in failures:
			print(f.replace("/tmp/ipc-labs/", ""))
		bad += len(failures)
	return 1 if bad else 0


def main():
	parser = argparse.ArgumentParser(description="Runs every shell block of a handout.",
					 formatter_class=argparse.RawDescriptionHelpFormatter,
					 epilog=__doc__.split("\n\n", 2)[2])
	parser.add_argument("handouts", nargs="+", metavar="README.md")
	parser.add_argument("--kit", help="the scratch copy of the kit to run in (reference built)")
	parser.add_argument("--list", action="store_true", help="list the blocks, run nothing")
	parser.add_argument("-v", "--verbose", action="store_true", help="print each command run")
	parser.add_argument("--inside", action="store_true", help=argparse.SUPPRESS)
	args = parser.parse_args()
	if args.list:
		bad = 0
		for path in args.handouts:
			blocks = blocks_of(path)
			for b in blocks:
				kind = ("skip: " + b.marker("skip")[0] if b.marker("skip") else
					f"{len(b.steps)} commands") if b.transcript else b.tag or "untagged"
				print(f"{b.where()}: {kind}")
			for p in problems_of(blocks):
				print(p)
				bad += 1
		return 1 if bad else 0
	if not args.kit:
		parser.error("--kit DIR is needed to run the blocks (or --list); "
			     "'autograder/selfcheck/check.sh handouts_run' makes one and runs every handout "
			     "(IPCLAB_CHECK_LABS=NN-topic for one)")
	if args.inside:
		return inside(args)
	missing = [h for h in args.handouts if not os.path.isfile(h)]
	if missing:
		print(f"{missing[0]}: no such handout: every lab folder has its README.md "
		      "(STYLE.md, Handouts)", file=sys.stderr)
		return 1
	flags = ["--ipc", "--mount", "--pid", "--fork", "--mount-proc"]
	if os.getuid() != 0:
		flags = ["--user", "--map-root-user"] + flags
	failed = 0
	for handout in args.handouts:
		failed |= subprocess.run(["unshare"] + flags + [sys.executable,
			os.path.abspath(__file__), "--inside", "--kit", os.path.abspath(args.kit)] +
			(["-v"] if args.verbose else []) + [os.path.abspath(handout)]).returncode
	return failed


if __name__ == "__main__":
	sys.exit(main())
