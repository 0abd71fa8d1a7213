#!/usr/bin/env bash
# vm-check.sh - `make vm-check`: the kit checked in a VM that really boots.
#
# Builds a minimal Debian 12 image by debootstrap from deb.debian.org, with
# the course packages of vm/packages.lock (installed in the image by
# vm/provision.sh --guest --packages-only) and Debian's kernel. Boots it under
# qemu (software emulation when there is no KVM) with a copy of this working
# tree at /vagrant, and runs vm/guest-init there:
# vm/provision.sh --guest, make check, lab 02 (FIFOs) graded, ipclab doctor.
# The guest needs no network. Prints the guest's output as it comes (also in
# build/vm/guest.log) and the time of each phase. Exit status: 0 all passed,
# 1 something failed in the guest, 2 the VM could not be built or run.
#
# Cached in build/vm/: the image (rebuilt when vm/packages.lock, provision.sh
# or this recipe change) and the downloaded packages. Needs root to build the
# image, and the host packages of vm/packages.lock (debootstrap, e2fsprogs,
# qemu-system-x86).
#
# VM_CHECK_MODE=smoke (make vm-smoke, a step of .ci/run) runs a shorter guest:
# vm/provision.sh --guest, every lab's reference graded in the guest's ext4
# /vagrant, and the scenarios checked against FACTS.md; no make check.
#
# Usage: sudo vm/vm-check.sh      (or: sudo make vm-check, sudo make vm-smoke)
# Environment: VM_CHECK_MODE     full (default) or smoke
#              VM_CHECK_TIMEOUT  seconds the guest may run (default 3600,
#                                smoke 1800)
#              VM_CHECK_CPUS, VM_CHECK_MEM  guest CPUs (default 2) and MiB (3072)
#              VM_CHECK_ACCEL  kvm or tcg (default: kvm when /dev/kvm is
#                              writable and a KVM guest really runs, which a
#                              10-second probe boot finds out; else tcg)
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
VM=$ROOT/build/vm
LOCK=vm/packages.lock
SUITE=bookworm
MIRROR=http://deb.debian.org/debian
SECURITY=http://deb.debian.org/debian-security
# Besides the course packages: the kernel (its initramfs finds the virtio disk).
BOOT_PACKAGES=(linux-image-amd64)
MODE=${VM_CHECK_MODE:-full}
case $MODE in
full) GUEST_TIMEOUT=${VM_CHECK_TIMEOUT:-3600} ;;
smoke) GUEST_TIMEOUT=${VM_CHECK_TIMEOUT:-1800} ;;
*)
	echo "vm-check: VM_CHECK_MODE is '$MODE': full or smoke" >&2
	exit 2
	;;
esac
GUEST_CPUS=${VM_CHECK_CPUS:-2}
GUEST_MEM=${VM_CHECK_MEM:-3072}

die() {
	echo "vm-check: $*" >&2
	exit 2
}
say() { echo "vm-check: $*"; }
now() { date +%s; }
STARTED=$(now)
TIMES=()
# took NAME START: records how long the phase NAME that began at START took.
took() { TIMES+=("$1 $(($(now) - $2)) s"); }

# need COMMAND PACKAGE: dies naming the package when COMMAND is missing.
need() {
	command -v "$1" >/dev/null ||
		die "$1 not found (Debian package $2, a host package of $LOCK):" \
			"run sudo ./vm/provision.sh (it installs the host tools), or sudo apt-get install $2"
}

# ---- the recipe of the image ----

[[ -r $LOCK ]] || die "$LOCK not found: it lists the course packages the image holds"
[[ -x vm/provision.sh ]] || die "vm/provision.sh not found: it installs the image's packages"

# The image's only own file: PID 1 mounts the working tree's disk at /vagrant
# and hands over to its vm/guest-init (which is not in the image, so changing
# it needs no new image).
STUB='#!/bin/sh
# ipclab-vm-init: PID 1 of the make vm-check guest (written by vm/vm-check.sh).
mountpoint -q /proc || mount -t proc proc /proc
mkdir -p /vagrant
if mount -t ext4 /dev/vdb /vagrant && [ -x /vagrant/vm/guest-init ]; then
	exec /vagrant/vm/guest-init
fi
echo "vm-check: cannot run /vagrant/vm/guest-init from the second disk (/dev/vdb)"
echo "vm-check: guest result: 125"
echo o >/proc/sysrq-trigger
sleep 30'

mkdir -p "$VM"
exec 9>"$VM/lock"
flock -n 9 || die "another make vm-check is running here (it holds $VM/lock)"

QEMU_PID=
cleanup() {
	[[ -z $QEMU_PID ]] || kill "$QEMU_PID" 2>/dev/null || true
	rm -rf "$VM/rootfs.tmp" "$VM/repo.tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

need qemu-system-x86_64 qemu-system-x86
need mkfs.ext4 e2fsprogs

# ---- the image: build/vm/image-KEY/{root.img,vmlinuz,initrd.img} ----

build_image() {
	local rootfs=$VM/rootfs.tmp mib
	[[ $(id -u) == 0 ]] ||
		die "building the image needs root (debootstrap, chroot): sudo make vm-check"
	need debootstrap debootstrap
	need unshare util-linux
	say "building the image ${IMAGE#"$ROOT"/} (the course packages of $LOCK + ${BOOT_PACKAGES[*]}):" \
		"debootstrap from $MIRROR, several minutes"
	rm -rf "$rootfs" "$IMAGE" "$IMAGE.tmp"
	mkdir -p "$rootfs" "$VM/cache/debootstrap" "$VM/cache/apt"
	# A mount namespace of its own: the chroot's mounts end with it, even on failure.
	timeout -k 10 1800 unshare --mount --propagation private \
		debootstrap --variant=minbase --cache-dir="$VM/cache/debootstrap" \
		"$SUITE" "$rootfs" "$MIRROR" >"$VM/debootstrap.log" 2>&1 ||
		die "debootstrap failed (network to deb.debian.org?); the last lines of $VM/debootstrap.log:
$(tail -n 15 "$VM/debootstrap.log")"
	cat >"$rootfs/etc/apt/sources.list" <<-EOF
		deb $MIRROR $SUITE main
		deb $MIRROR $SUITE-updates main
		deb $SECURITY $SUITE-security main
	EOF
	# The course packages by provision.sh itself (a copy, run in the chroot),
	# then the kernel.
	mkdir -p "$rootfs/tmp/ipclab/vm"
	cp vm/provision.sh "$LOCK" "$rootfs/tmp/ipclab/vm/"
	# shellcheck disable=SC2016 # expanded by sh -c
	timeout -k 10 1800 unshare --mount --propagation private sh -euc '
		root=$1 cache=$2
		shift 2
		mount -t proc proc "$root/proc"
		mount -t sysfs sysfs "$root/sys"
		mount --bind "$cache" "$root/var/cache/apt/archives"
		export DEBIAN_FRONTEND=noninteractive LANG=C.UTF-8
		chroot "$root" /tmp/ipclab/vm/provision.sh --guest --packages-only
		chroot "$root" apt-get install -y -q --no-install-recommends "$@"
	' sh "$rootfs" "$VM/cache/apt" "${BOOT_PACKAGES[@]}" >"$VM/apt.log" 2>&1 ||
		die "installing the packages in the image failed; the last lines of $VM/apt.log:
$(tail -n 15 "$VM/apt.log")"
	rm -rf "$rootfs/tmp/ipclab"
	grep '^provision.sh: warning' "$VM/apt.log" | sed 's/^provision.sh: /vm-check: image: /' || true
	printf '%s\n' "$STUB" >"$rootfs/sbin/ipclab-vm-init"
	chmod 755 "$rootfs/sbin/ipclab-vm-init"
	echo ipclab-vm >"$rootfs/etc/hostname"
	mkdir -p "$IMAGE.tmp"
	cp "$rootfs"/boot/vmlinuz-* "$IMAGE.tmp/vmlinuz"
	cp "$rootfs"/boot/initrd.img-* "$IMAGE.tmp/initrd.img"
	rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/*.bin
	mib=$(($(du -sm "$rootfs" | cut -f1) * 13 / 10 + 512))
	mkfs.ext4 -q -F -L ipclab-root -d "$rootfs" "$IMAGE.tmp/root.img" "${mib}M" >/dev/null ||
		die "mkfs.ext4 -d could not make the image from $rootfs"
	rm -rf "$rootfs" "$IMAGE"
	mv "$IMAGE.tmp" "$IMAGE"
	# Older images (other keys) are of no more use.
	find "$VM" -maxdepth 1 -name 'image-*' ! -path "$IMAGE" -exec rm -rf {} +
}

# The image's cache key: everything it is built from (the lock, provision.sh,
# the stub, and build_image's own code).
RECIPE="$SUITE $MIRROR $SECURITY
$(<"$LOCK")
$(<vm/provision.sh)
${BOOT_PACKAGES[*]}
$STUB
$(declare -f build_image)"
KEY=$(sha256sum <<<"$RECIPE" | cut -c1-16)
IMAGE=$VM/image-$KEY

start=$(now)
if [[ -s $IMAGE/root.img ]]; then
	say "image ${IMAGE#"$ROOT"/} cached (delete build/vm to rebuild it)"
	took "image (cached)" "$start"
else
	build_image
	took "image build" "$start"
fi

# ---- the working tree's disk: tracked and untracked-not-ignored files ----

start=$(now)
REPO=$VM/repo.tmp
rm -rf "$REPO"
mkdir -p "$REPO"
# (safe.directory: under sudo, the clone belongs to another user.)
if git -c safe.directory="$ROOT" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	git -c safe.directory="$ROOT" ls-files -z -co --exclude-standard |
		while IFS= read -r -d '' file; do
			# Deleted but still tracked files are not copied.
			[[ -e $file || -L $file ]] && printf '%s\0' "$file"
		done |
		tar --null -T - -cf - | tar -xf - -C "$REPO"
else
	tar --exclude=./build --exclude=./bin --exclude=./.git --exclude=./slides/node_modules \
		-cf - . | tar -xf - -C "$REPO"
fi
[[ -x $REPO/vm/guest-init ]] || die "vm/guest-init is missing from the copy of the working tree"
mib=$(($(du -sm "$REPO" | cut -f1) * 4 + 1024))
rm -f "$VM/repo.img"
mkfs.ext4 -q -F -L vagrant -d "$REPO" "$VM/repo.img" "${mib}M" >/dev/null ||
	die "mkfs.ext4 -d could not make the working tree's disk"
rm -rf "$REPO"
took "working tree disk" "$start"

# ---- boot ----

# kvm_runs: boots the image's kernel under KVM, with no disk, for at most
# 10 s; true as soon as it prints its banner. Where /dev/kvm exists but the
# machine cannot run a guest with it (a VM without nested virtualisation),
# qemu starts, the guest prints nothing and would wait for its whole timeout.
kvm_runs() {
	local log=$VM/kvm-probe.log pid tenths=0
	: >"$log"
	qemu-system-x86_64 -accel kvm -m 256 -nodefaults -no-user-config -display none \
		-monitor none -serial "file:$log" -nic none -no-reboot -kernel "$IMAGE/vmlinuz" \
		-append "console=ttyS0 panic=-1 loglevel=4" </dev/null >"$VM/kvm-probe.qemu" 2>&1 &
	pid=$!
	# Polled: qemu writes the serial log as the kernel prints, with no event to wait on.
	until grep -q 'Linux version' "$log" || ((tenths == 100)) || ! kill -0 "$pid" 2>/dev/null; do
		sleep 0.1
		tenths=$((tenths + 1))
	done
	kill "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	grep -q 'Linux version' "$log"
}

LOG=$VM/guest.log
case ${VM_CHECK_ACCEL:-} in
kvm) accel=kvm ;;
tcg) accel=tcg,thread=multi ;;
'')
	accel=tcg,thread=multi
	if [[ ! -w /dev/kvm ]]; then
		say "no writable /dev/kvm: software emulation (tcg), several times slower"
	elif kvm_runs; then
		accel=kvm
	else
		say "/dev/kvm is there, but a KVM guest printed nothing in 10 s (no nested" \
			"virtualisation here?): software emulation (tcg) instead; VM_CHECK_ACCEL=kvm forces KVM"
	fi
	;;
*) die "VM_CHECK_ACCEL is '$VM_CHECK_ACCEL': kvm or tcg" ;;
esac
say "booting the guest ($MODE check, $accel, $GUEST_CPUS CPUs, $GUEST_MEM MiB, at most $GUEST_TIMEOUT s);" \
	"its console follows, and is in ${LOG#"$ROOT"/}"
: >"$LOG"
start=$(now)
timeout -k 10 "$GUEST_TIMEOUT" qemu-system-x86_64 -accel "$accel" \
	-smp "$GUEST_CPUS" -m "$GUEST_MEM" -nodefaults -no-user-config \
	-display none -monitor none -serial "file:$LOG" -nic none -no-reboot \
	-kernel "$IMAGE/vmlinuz" -initrd "$IMAGE/initrd.img" \
	-append "root=/dev/vda rootfstype=ext4 rw console=ttyS0 init=/sbin/ipclab-vm-init quiet loglevel=3 panic=1 fsck.mode=skip ipclab_accel=${accel%%,*} ipclab_mode=$MODE" \
	-drive "file=$IMAGE/root.img,if=virtio,format=raw,snapshot=on" \
	-drive "file=$VM/repo.img,if=virtio,format=raw" \
	</dev/null >"$VM/qemu.log" 2>&1 &
QEMU_PID=$!
tail -n +1 -f --pid="$QEMU_PID" "$LOG" | sed -u 's/\r$//; s/^/guest| /' &
TAIL_PID=$!
qemu_status=0
wait "$QEMU_PID" || qemu_status=$?
QEMU_PID=
wait "$TAIL_PID" || true
took "guest, qemu start to power off" "$start"

# ---- the verdict ----

tr -d '\r' <"$LOG" >"$LOG.tmp" && mv "$LOG.tmp" "$LOG"
result=$(sed -n 's/^vm-check: guest result: \([0-9]*\)$/\1/p' "$LOG" | tail -n 1)
say "times:"
printf '  %s\n' "${TIMES[@]:0:${#TIMES[@]}-1}"
sed -n 's/^vm-check: guest up after \([0-9.]*\) s.*/  guest boot, kernel to init \1 s/p' "$LOG"
sed -n 's/^vm-check: phase \([a-z-]*\): status \([0-9]*\), \([0-9]*\) s$/  guest \1 \3 s (status \2)/p' "$LOG"
printf '  %s\n' "${TIMES[-1]}" "total $(($(now) - STARTED)) s"
grep '^vm-check: summary: ' "$LOG" | sed 's/^vm-check: /vm-check: guest /' || true
if ((qemu_status == 124)); then
	die "FAILED: the guest did not finish within $GUEST_TIMEOUT s (VM_CHECK_TIMEOUT); see $LOG"
elif [[ -z $result ]]; then
	die "FAILED: the guest stopped without a result line (qemu exit $qemu_status:" \
		"$(tail -n 3 "$VM/qemu.log" | tr '\n' ' ')); see $LOG"
elif ((result != 0)); then
	say "FAILED: guest result $result; the guest's output is in $LOG"
	exit 1
fi
if [[ $MODE == smoke ]]; then
	say "passed: provision, every reference and the scenarios in the VM; the guest's output is in $LOG"
else
	say "passed: provision and make check in the VM; the guest's output is in $LOG"
fi
