#!/usr/bin/env bash
# container-check.sh - `make container-check`: the Dockerfile built and run
# with Debian's podman, as a step of .ci/run.
#
# No registry of container images is reachable from CI, so the Dockerfile's
# base image is made here: the Debian 12 root filesystem of make vm-check's
# image (build/vm/image-KEY/root.img, which `make vm-smoke` builds first) is
# unpacked with debugfs, imported with `podman import`, and stands in for the
# FROM line (podman build --from). The build runs the Dockerfile's
# vm/provision.sh --guest (it grades every reference); then lab 05, whose
# tests leave System V objects for the grader to remove, is graded in a
# container started as README.md says, and must score full marks.
#
# Two things of this machine, not of the kit, that podman needs told:
# - crun (podman's default runtime) refuses a host whose cgroups are mounted
#   half v1, half v2 ("cgroups in hybrid mode not supported"): runc is used;
# - root here has no CAP_SYS_RESOURCE, so a container may not raise its limits
#   above ours (podman asks for 1048576 open files): the limits are ours.
#
# Usage: sudo vm/container-check.sh   (or: sudo make container-check)
# Exit status: 0 passed, 1 failed, 2 podman or the image could not be used.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
WORK=$ROOT/build/container
BASE=localhost/ipclab-debian12:base
IMAGE=localhost/ipc-labs:check

die() {
	echo "container-check: $*" >&2
	exit 2
}
say() { echo "container-check: $*"; }
now() { date +%s; }

for tool in podman:podman runc:runc debugfs:e2fsprogs; do
	command -v "${tool%%:*}" >/dev/null ||
		die "${tool%%:*} not found (Debian package ${tool#*:}): run sudo ./vm/provision.sh"
done
[[ $(id -u) == 0 ]] || die "podman build and run need root here: sudo make container-check"
disk=$(find build/vm -maxdepth 2 -name root.img -path 'build/vm/image-*' -print -quit 2>/dev/null)
[[ -n $disk ]] ||
	die "no Debian 12 image in build/vm/: run sudo make vm-smoke first (it builds the image)"

# limit OPTION MAX: our hard limit (ulimit -H OPTION), at most MAX.
limit() {
	local hard
	hard=$(ulimit -H "$1")
	if [[ $hard == unlimited ]] || ((hard > $2)); then
		hard=$2
	fi
	echo "$hard"
}
# Podman caps its own process count at 32768: a container cannot have more.
files=$(limit -n 1048576)
procs=$(limit -u 32768)
LIMITS=(--ulimit "nofile=$files:$files" --ulimit "nproc=$procs:$procs")

cleanup() {
	rm -rf "$WORK/rootfs"
	podman --runtime runc rmi -f "$IMAGE" "$BASE" >/dev/null 2>&1 || true
}
trap cleanup EXIT
trap 'exit 130' INT TERM

start=$(now)
rm -rf "$WORK"
mkdir -p "$WORK/rootfs"
debugfs -R "rdump / $WORK/rootfs" "$disk" >"$WORK/debugfs.log" 2>&1 ||
	die "debugfs could not unpack $disk: $(tail -n 3 "$WORK/debugfs.log")"
tar -C "$WORK/rootfs" -cf - . | podman import - "$BASE" >"$WORK/import.log" 2>&1 ||
	die "podman import failed: $(tail -n 3 "$WORK/import.log")"
rm -rf "$WORK/rootfs"
say "base image $BASE: ${disk#build/vm/} imported in $(($(now) - start)) s (stands for $(awk '/^FROM / {print $2; exit}' Dockerfile))"

start=$(now)
if ! podman --runtime runc build --pull=never --from "$BASE" --network none "${LIMITS[@]}" \
	--tag "$IMAGE" . >"$WORK/build.log" 2>&1; then
	say "FAILED: podman build; the last lines of $WORK/build.log:"
	tail -n 25 "$WORK/build.log"
	exit 1
fi
say "podman build: $IMAGE built in $(($(now) - start)) s; its reference scores:"
sed -n '/reference score$/,/^all labs /p' "$WORK/build.log" | sed 's/^/  /'

start=$(now)
out=$(podman --runtime runc run --rm --network none --ipc=private --shm-size=512m "${LIMITS[@]}" \
	"$IMAGE" bin/ipclab grade 05 build/ref/05-shm 2>&1) || true
score=$(tail -n 1 <<<"$out")
if ! [[ $score =~ ^score:\ ([0-9.]+)/([0-9.]+)$ && ${BASH_REMATCH[1]} == "${BASH_REMATCH[2]}" ]]; then
	say "FAILED: lab 05's reference in the container:"
	tail -n 30 <<<"$out"
	exit 1
fi
mode=isolated
grep -q "not isolated" <<<"$out" && mode="the grader's fallback mode, not isolated"
say "podman run: lab 05 reference $score ($mode), in $(($(now) - start)) s"
say "passed"
