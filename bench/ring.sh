#!/usr/bin/env bash
# ring.sh - throughput of Lab 06's SPSC ring buffer, its three stages measured in one run.
#
# Usage: bench/ring.sh [RECORDS [RUNS]]   (default 5000000 records a run, 3 runs a stage)
#
# Builds bench/ring_stages.c into a temporary directory and runs it: a producer
# and a consumer process, pinned to two CPUs, pass RECORDS 64-byte records
# through a 1024-slot ring in shared memory, for each stage of the lab:
#   stage 1 plain   head and tail on one cache line, each read on every push/pop
#   stage 2 padded  head and tail on cache lines of their own
#   stage 3 cached  as 2, and each side keeps a copy of the other's index
# The stages run interleaved (1 2 3 1 2 3 ...), RUNS times each. Prints, one
# line each, ready to paste in a handout (2-vCPU KVM guest, AMD EPYC, a quiet moment):
#   cpus: producer on CPU 0, consumer on CPU 1
#   ring: 1024 slots of 64 bytes; 5000000 records a run; median of 3 runs a stage
#   stage 1 plain:     17.9 M records/s  ( 1148 MB/s of slots; runs 17.7 to 18.4)
#   stage 2 padded:    16.5 M records/s  ( 1055 MB/s of slots; runs 16.2 to 16.5)
#   stage 3 cached:    14.9 M records/s  (  954 MB/s of slots; runs 14.6 to 15.0)
#   padded / plain: 0.92x   cached / plain: 0.83x   cached / padded: 0.90x
#   off CPU: producer and consumer waited for a CPU 0.5% of the time
# (medians of the runs; the ratios are of the medians), and a warning when other
# programs kept the two sides off their CPUs: a spinning ring moves only while
# both run at once.
# Exit status: 0 done; 1 a record arrived wrong (the message names the stage and
# the record) or a system call failed; 2 bad usage.
# Machines are shared and noisy: compare stages within one run, not across runs.
set -euo pipefail

cd "$(dirname "$0")/.."
BUILD=$(mktemp -d "${TMPDIR:-/tmp}/ring-bench.XXXXXX")
trap 'rm -rf "$BUILD"' EXIT

cc -std=gnu11 -O2 -Wall -Wextra -Werror -o "$BUILD/ring_stages" bench/ring_stages.c
"$BUILD/ring_stages" "$@"
