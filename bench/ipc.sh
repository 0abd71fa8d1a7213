#!/usr/bin/env bash
# ipc.sh - the floors of this machine that every IPC figure is compared with,
# the plain pipe against them, and issue 18's bar (the kit's fastest IPC against
# the same floors), measured in one run (Lab 07's calibration).
#
# Usage: bench/ipc.sh [SECONDS]   (default 0.5 s of timing a figure; about 10 s in all)
#
# Builds bench/ipc_floor.c and bench/ipc_bar.c into a temporary directory and
# runs them. It prints a line a figure (this 2-vCPU KVM guest, AMD EPYC, a quiet moment):
#   timer:    resolution 1 ns; a clock_gettime call 29.4 ns
#   syscall:  a null system call 127.9 ns
#   memcpy:   1 MiB blocks 70.9 GB/s, 64 MiB blocks 15.7 GB/s
#   line:     a cache line's round trip between the CPUs 117 ns
#   pipe:     1-byte round trip, same CPU: p50 4627 ns, p99 7101 ns, ...
#   pipe:     1-byte round trip, across CPUs: p50 52748 ns, p99 102343 ns, ...
#   pipe:     64 KiB writes, same CPU 4.34 GB/s, across CPUs 1.30 GB/s
#   ratios:   across CPUs: pipe round trip / line round trip 452x, ...
# then the bar's figures (see bench/ipc_bar.c) and a line a target:
#   ring:     1 MiB messages, across CPUs 46.26 GB/s (4 slots, copied in and out; ...)
#   splice:   write / read,      64 KiB pipe    0.93 GB/s   1.0x (runs 0.91 to 1.04)
#   splice:   vmsplice / splice, 1 MiB pipe    29.92 GB/s  32.2x (runs 29.22 to 30.95)
#   ring:     8-byte round trip, across CPUs: p50 120 ns, p99 170 ns, ...
#   bar:      ring 1 MiB messages / memcpy 1 MiB 65.2% (target >= 60%) ok
#   bar:      pipe 64 KiB writes / memcpy 1 MiB 1.8% (target >= 8%) MISSED
# The ratios are what to compare between machines: absolute figures change
# from run to run (a shared host), ratios much less.
# Exit status: 0 done, whether or not the bar is met; 1 a system call failed;
# 2 bad usage.
set -euo pipefail

cd "$(dirname "$0")/.."
BUILD=$(mktemp -d "${TMPDIR:-/tmp}/ipc-bench.XXXXXX")
trap 'rm -rf "$BUILD"' EXIT

cc -std=gnu11 -O2 -Wall -Wextra -Werror -o "$BUILD/ipc_floor" \
	bench/ipc_floor.c bench/ipc_bar.c
"$BUILD/ipc_floor" "$@"
