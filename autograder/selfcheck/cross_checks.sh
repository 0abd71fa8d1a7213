# cross_checks.sh - the kit compiled for arm64, the course VM's other
# architecture (the Vagrantfile's IPCLAB_ARCH=arm64), with Debian's cross
# compiler. Sourced by check.sh; uses its ROOT and WORK.
# shellcheck shell=bash

# cross_compile OUT.o FILE [OPTIONS...]: FILE compiled for arm64 into OUT.o, with
# the CROSS_CFLAGS and CROSS_INCLUDE check_cross_build sets; on failure, prints
# the command and the compiler's messages.
cross_compile() {
	local obj=$1 file=$2 errors
	shift 2
	# shellcheck disable=SC2086 # CROSS_CFLAGS is a list of options
	errors=$(aarch64-linux-gnu-gcc $CROSS_CFLAGS -I"$CROSS_INCLUDE" "$@" -c -o "$obj" \
		"$file" 2>&1) && return 0
	echo "$file does not compile for arm64 (a call arm64 lacks? its table is" \
		"/usr/include/asm-generic/unistd.h; guard such a call with #ifdef SYS_name):"
	echo "  aarch64-linux-gnu-gcc $CROSS_CFLAGS -I$CROSS_INCLUDE $* -c $file"
	printf '%s\n' "$errors" | head -n 20 | sed 's/^/  /'
	return 1
}

# The engine, ipclab, the engine's own tests, the scenarios, every lab's tests
# (hidden ones too), references, skeletons and demos compile for arm64 with the Makefile's
# CFLAGS, so no x86_64 syscall number or x86_64-only call (SYS_poll,
# SYS_open, SYS_pause...) slipped in unguarded.
# Compiled, not linked: linking needs arm64 builds of Criterion and libarchive.
# Their headers are the same on every architecture; build/cross/include links
# to just those, so no other amd64 header can stand in for a missing arm64 one.
check_cross_build() {
	local cc=aarch64-linux-gnu-gcc objs=build/cross/obj file lab count=0 bad=0 machine edition
	if [[ -e /etc/ipclab-guest ]]; then
		echo "guest: no arm64 cross compiler in the course VM (group host of" \
			"vm/packages.lock); the arm64 build is checked on the host"
		return 0
	fi
	command -v "$cc" >/dev/null ||
		fail "$cc not installed: run sudo ./vm/provision.sh (group host)" || return
	CROSS_CFLAGS=$(sed -n 's/^CFLAGS *?= *//p' Makefile)
	[[ -n $CROSS_CFLAGS ]] || fail "no 'CFLAGS ?=' line in the Makefile" || return
	CROSS_INCLUDE=build/cross/include
	rm -rf build/cross
	mkdir -p "$CROSS_INCLUDE" "$objs"
	ln -s /usr/include/criterion /usr/include/archive.h /usr/include/archive_entry.h \
		"$CROSS_INCLUDE/"
	for file in autograder/lib/*.c autograder/ipclab/*.c autograder/selftest/*.c; do
		cross_compile "$objs/$(basename "$file" .c).o" "$file" \
			-Iautograder/lib -Iautograder/ipclab || bad=1
	done
	for file in scenarios/[0-9][0-9]-*/*.c; do
		[[ -e $file ]] || continue	# a kit without scenarios
		cross_compile "$objs/scenario-$(basename "$file" .c).o" "$file" || bad=1
	done
	for lab in "${LABS[@]}"; do
		# What students build there: the reference, the skeleton and the demos.
		for file in build/ref/"$lab"/*.c build/pristine/"$lab"/*.c; do
			edition=${file#build/}	# ref/LAB/F.c or pristine/LAB/F.c
			cross_compile "$objs/$lab-${edition%%/*}-$(basename "$file" .c).o" \
				"$file" -I"$(dirname "$file")" || bad=1
		done
		for file in autograder/tests/"$lab"/*.c; do
			cross_compile "$objs/$lab-$(basename "$file" .c).o" "$file" \
				-Iautograder/lib -I"build/pristine/$lab" || bad=1
		done
		for file in autograder/hidden/"$lab"/*.c; do
			[[ -e $file ]] || continue	# a lab without hidden tests
			cross_compile "$objs/$lab-hidden-$(basename "$file" .c).o" "$file" \
				-DAG_HIDDEN_DEFAULT=1 -Iautograder/lib -I"build/pristine/$lab" || bad=1
		done
	done
	((bad == 0)) || return 1
	for file in "$objs"/*.o; do
		machine=$(readelf -h "$file" | sed -n 's/^ *Machine: *//p')
		[[ $machine == AArch64 ]] || fail "$file is for '$machine', not AArch64" || return
		count=$((count + 1))
	done
	echo "$count objects compiled for AArch64 by $($cc -dumpfullversion) $cc" \
		"($CROSS_CFLAGS) in $objs; not linked: no arm64 Criterion or libarchive here"
}
