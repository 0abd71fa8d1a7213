#!/usr/bin/env bash
# ipc.sh - the floors of this machine that every IPC figure is compared with,
# and the plain pipe against them, measured in one run (Lab 07's calibration).
#
# Usage: bench/ipc.sh [SECONDS]   (default 0.5 s of timing a figure; about 6 s in all)
#
# Builds bench/ipc_floor.c into a temporary directory and runs it. It prints a
# line a figure (this 2-vCPU KVM guest, AMD EPYC, a quiet moment):
#   timer:    resolution 1 ns; a clock_gettime call 28.4 ns
#   syscall:  a null system call 168.6 ns
#   memcpy:   1 MiB blocks 47.2 GB/s, 64 MiB blocks 9.4 GB/s
#   line:     a cache line's round trip between the CPUs 101 ns
#   pipe:     1-byte round trip, same CPU: p50 4798 ns, p99 7972 ns, ...
#   pipe:     1-byte round trip, across CPUs: p50 39068 ns, p99 59559 ns, ...
#   pipe:     64 KiB writes, same CPU 4.25 GB/s, across CPUs 1.37 GB/s
#   ratios:   across CPUs: pipe round trip / line round trip 387x, / null syscall 232x; ...
# The ratios are what to compare between machines: absolute figures change
# from run to run (a shared host), ratios much less.
# Exit status: 0 done; 1 a system call failed; 2 bad usage.
set -euo pipefail

cd "$(dirname "$0")/.."
BUILD=$(mktemp -d "${TMPDIR:-/tmp}/ipc-bench.XXXXXX")
trap 'rm -rf "$BUILD"' EXIT

cc -std=gnu11 -O2 -Wall -Wextra -Werror -o "$BUILD/ipc_floor" bench/ipc_floor.c
"$BUILD/ipc_floor" "$@"
