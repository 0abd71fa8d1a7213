#!/usr/bin/env python3
"""scenario_facts.py - the scenarios show what FACTS.md says (check scenarios_match_facts).

Runs every scenario that `bin/ipclab scenario` lists, through `bin/ipclab
scenario NAME` (private namespaces), and compares the "fact: WHAT: VALUE" lines
at the end of its output with the table below, in which each fact names the
FACTS.md row it comes from. A mismatch names the fact, what FACTS.md says and
what was measured; a fact the table expects but the scenario did not print,
or one it printed that the table does not know, fails too (a new scenario
adds its rows here). A fact that depends on the filesystem is matched against
the filesystem kind the scenario names in it.

Usage: scenario_facts.py [--ipclab PATH] [--output NAME=FILE]...
  --output NAME=FILE  judge FILE as NAME's output instead of running NAME
                      (the self-check's planted outputs)
"""
import argparse
import re
import subprocess
import sys

# (scenario, fact as printed, value FACTS.md gives, FACTS.md section and row)
TABLE = [
    ("mapping-bounds", "within the last page past the end reads 0", "yes",
     "mmap (lab 06): access beyond end of file"),
    ("mapping-bounds", "a page past the end of the file is", "SIGBUS",
     "mmap (lab 06): access beyond end of file"),
    ("mapping-bounds", "a store past the end changes the file's length", "no",
     "mmap (lab 06): access beyond end of file (zero-filled, not the file's)"),
    ("mapping-bounds", "after munmap access is", "SIGSEGV", "mmap (lab 06): after munmap"),
    ("mapping-bounds", "a MAP_PRIVATE store is seen by the file or other mappings", "no",
     "mmap (lab 06): MAP_PRIVATE"),
    ("mapping-bounds", "a MAP_SHARED store is in the file at once", "yes",
     "mmap (lab 06): MAP_SHARED file"),
    ("mapping-bounds", "a write to a full tmpfs is", "SIGBUS",
     "Environment pitfalls: Docker default (a full tmpfs gives SIGBUS on touch)"),
    ("ftok-collision", "ftok equals the formula", "yes", "ftok: formula (glibc)"),
    ("ftok-collision", "proj_id 1 and 257 give the same key", "yes", "ftok: collisions"),
    ("ftok-collision", "inode numbers 65536 apart give the same key", "yes",
     "ftok: collisions"),
    ("ftok-collision", "a hard link gives the same key", "yes", "ftok: links"),
    ("ftok-collision", "a symlink gives the same key", "yes", "ftok: links"),
    ("ftok-collision", "IPC_EXCL on a colliding key fails with", "EEXIST", "ftok: lesson"),
    ("shmat-leak", "each shmat gives a new address", "yes",
     "System V shared memory: attaching the same segment again"),
    ("shmat-leak", "each shmat adds 1 to shm_nattch", "yes",
     "System V shared memory: attaching the same segment again"),
    ("shmat-leak", "shmat without shmdt fails with", "ENOMEM",
     "System V shared memory: attaching the same segment again"),
    ("shmat-leak", "with default limits the limit hit is", "vm.max_map_count",
     "System V shared memory: attaching the same segment again (vm.max_map_count, 65530)"),
    ("shmat-leak", "with RLIMIT_AS lowered the limit hit is", "RLIMIT_AS",
     "System V shared memory: attaching the same segment again (RLIMIT_AS)"),
    ("shmat-leak", "a per-process SHMSEG limit stopped it", "no",
     "System V shared memory: attaching the same segment again (no SHMSEG limit)"),
    ("shmat-leak", "attach once and reuse holds shm_nattch at 1", "yes",
     "System V shared memory: attaching the same segment again (nothing is reused)"),
    ("shmat-leak", "shmdt of every address brings shm_nattch to 0", "yes",
     "System V shared memory: attaching the same segment again"),
    ("segment-life", "shmget with a smaller size returns the same id", "yes",
     "System V shared memory: shmget on an existing key"),
    ("segment-life", "shmget with size 0 returns the same id", "yes",
     "System V shared memory: shmget on an existing key"),
    ("segment-life", "shmget with a larger size fails with", "EINVAL",
     "System V shared memory: shmget on an existing key"),
    ("segment-life", "the segment's size stays", "yes",
     "System V shared memory: shmget on an existing key (size never changes)"),
    ("segment-life", "the segment outlives its last shmdt", "yes",
     "System V shared memory: last shmdt"),
    ("segment-life", "IPC_RMID while attached shows dest", "yes",
     "System V shared memory: IPC_RMID while attached"),
    ("segment-life", "IPC_RMID while attached shows key 0", "yes",
     "System V shared memory: IPC_RMID while attached"),
    ("segment-life", "memory usable after IPC_RMID", "yes",
     "System V shared memory: IPC_RMID while attached"),
    ("segment-life", "shmat by id after IPC_RMID succeeds", "yes",
     "System V shared memory: IPC_RMID while attached"),
    ("segment-life", "gone after the last shmdt once removed", "yes",
     "System V shared memory: IPC_RMID while attached (freed at the last detach)"),
    ("segment-life", "fork adds 1 to shm_nattch", "yes",
     "System V shared memory: fork / exec / exit"),
    ("segment-life", "exec detaches", "yes", "System V shared memory: fork / exec / exit"),
    ("segment-life", "exit detaches", "yes", "System V shared memory: fork / exec / exit"),
    ("segment-life", "shmmax", "18446744073692774399", "System V shared memory: limits"),
    ("segment-life", "shmall", "18446744073692774399", "System V shared memory: limits"),
    ("segment-life", "shmmni", "4096", "System V shared memory: limits"),
    ("segment-life", "shmmax is 32 MiB", "no",
     "System V shared memory: limits (Myth: SHMMAX is 32 MiB)"),
]

# Facts whose value depends on the filesystem the scenario names in them:
# (scenario, pattern with the kind as group 1, {kind: FACTS.md's value}, row).
BY_FILESYSTEM = [
    ("ftok-collision", r"recreated file on (\S+) keeps its key", {"ext4": "yes", "tmpfs": "no"},
     "ftok: file deleted and recreated (ext4 often reuses the inode, tmpfs gives a new one)"),
]

FACT = re.compile(r"^fact: (.*): (.*)$")


def scenario_names(ipclab):
    out = subprocess.run([ipclab, "scenario"], capture_output=True, text=True, timeout=30)
    if out.returncode != 0:
        sys.exit(f"`ipclab scenario` exited {out.returncode}: {out.stderr.strip()}")
    return [m.group(1) for m in re.finditer(r"^  (\S+) +lab ", out.stdout, re.M)]


def output_of(ipclab, name, planted):
    if name in planted:
        with open(planted[name], encoding="utf-8") as f:
            return 0, f.read()
    try:
        out = subprocess.run([ipclab, "scenario", name], capture_output=True, text=True,
                             timeout=60)
    except subprocess.TimeoutExpired:
        return -1, f"still running after 60 s (each should take a few seconds)"
    return out.returncode, out.stdout + out.stderr


def judge(name, text):
    """The problems with one scenario's output, as lines."""
    problems = []
    printed = {}
    for line in text.splitlines():
        m = FACT.match(line)
        if m:
            printed[m.group(1)] = m.group(2).strip()
    for scenario, fact, expected, row in TABLE:
        if scenario != name:
            continue
        got = printed.pop(fact, None)
        if got is None:
            problems.append(f"fact '{fact}' not printed (FACTS.md, {row}: {expected})")
        elif got != expected:
            problems.append(f"fact '{fact}': FACTS.md ({row}) says {expected}, measured {got}")
    for scenario, pattern, values, row in BY_FILESYSTEM:
        if scenario != name:
            continue
        for fact in [f for f in printed if re.fullmatch(pattern, f)]:
            kind, got = re.fullmatch(pattern, fact).group(1), printed.pop(fact)
            if kind not in values:
                print(f"  {name}: '{fact}: {got}': FACTS.md has no row for {kind}: not judged")
            elif got != values[kind]:
                problems.append(f"fact '{fact}': FACTS.md ({row}) says {values[kind]}"
                                f" on {kind}, measured {got}")
    for fact, got in printed.items():
        problems.append(f"fact '{fact}: {got}' is not in scenario_facts.py's table:"
                        " add it, with its FACTS.md row")
    return problems


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--ipclab", default="bin/ipclab")
    parser.add_argument("--output", action="append", default=[], metavar="NAME=FILE")
    args = parser.parse_args()
    planted = dict(o.split("=", 1) for o in args.output)
    names = scenario_names(args.ipclab)
    expected = sorted({row[0] for row in TABLE + BY_FILESYSTEM})
    bad = 0
    for name in sorted(set(expected) - set(names)):
        print(f"FAIL {name}: the table has its facts, but `ipclab scenario` does not list it")
        bad += 1
    for name in names:
        status, text = output_of(args.ipclab, name, planted)
        problems = judge(name, text) if status == 0 else \
            [f"exited {status}: " + " | ".join(text.strip().splitlines()[-5:])]
        facts = sum(1 for line in text.splitlines() if FACT.match(line))
        if problems:
            bad += 1
            print(f"FAIL {name} (rerun: bin/ipclab scenario {name})")
            for problem in problems:
                print(f"  {problem}")
        else:
            print(f"ok   {name}: {facts} facts as FACTS.md says")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
