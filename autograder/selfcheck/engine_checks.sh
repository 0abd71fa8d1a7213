# engine_checks.sh - the checks of the grader itself that need no reference
# solution: its engine's unit tests, the sandbox's behaviour, ipclab's own
# tests. Sourced by check.sh (the kit's make check) and by edition-check.sh
# (the student edition's make check), after run_check.sh; they use the
# caller's ROOT (the kit's top, the current directory) and WORK (scratch).
# shellcheck shell=bash

check_engine_tests() {
	"$ROOT/build/selftest/test_report" --jobs=1
}

# The sandbox's own tests (autograder/selftest/test_sandbox.c), in both modes:
# each must end with the status and message the sandbox owes it (one phrase
# a line below; a test may have several), and the host's System V objects
# must be exactly as they were. Without root, only
# with namespaces: the fallback mode cannot keep an ordinary user's kill(-1)
# from the user's other processes, the tests running beside it included
# (README.md, Instructors), so its expectations hold for root alone.
check_sandbox_behaviour() {
	local mode records host_before bad=0 modes=(ns fallback)
	if [[ $(id -u) != 0 ]]; then
		modes=(ns)
		echo "not root: the sandbox is checked with namespaces only"
	fi
	host_before=$(cat /proc/sysvipc/msg /proc/sysvipc/sem /proc/sysvipc/shm; ls /dev/shm)
	for mode in "${modes[@]}"; do
		records=$WORK/sandbox-$mode.records
		IPCLAB_SANDBOX=$mode IPCLAB_RECORDS=$records timeout -k 5 120 \
			build/selftest/test_sandbox -j2 >/dev/null 2>&1 || true
		while IFS='|' read -r name status words; do
			line=$(grep -P "^result\tsandbox\t$name\t" "$records" || true)
			if [[ $(cut -f6 <<<"$line") != "$status" || $line != *"$words"* ]]; then
				echo "$mode: $name: expected $status with \"$words\", got: ${line:0:300}"
				bad=1
			fi
		done <<'EOF'
starts_empty|passed|
leaked_queue_is_named|leak|System V message queue (key 0x
leaked_semaphore_set_is_named|leak|System V semaphore set (key 0x
leaked_semaphore_set_is_named|leak|) left after the test body: semctl(IPC_RMID) each set you create
fork_loop_is_stopped|crashed|reached the limit of 64
hang_is_diagnosed|timeout|still open in: pid
hang_is_diagnosed|timeout|, syscall read]
fifo_wait_is_named|timeout|client is waiting for the server to open its reply FIFO
fifo_wait_is_named|timeout|, syscall openat]
semaphore_wait_is_described|timeout|(waiter): in semop() on semaphore set
semaphore_wait_is_described|timeout|waiting to take 1 from semaphore 0 (the mutex): its value is 0, 1 process waits for it to rise and 0 for it to be zero
semaphore_wait_is_described|timeout|which has exited: a process that ends holding a semaphore it took without SEM_UNDO leaves it taken
semaphore_deadlock_is_described|timeout|(the test): in semop() on semaphore set
subject_semaphore_wait_is_described|timeout|(the test): waiting for your code (pid
subject_semaphore_wait_is_described|timeout|(your code): in semop() on semaphore set
subject_semaphore_wait_is_described|timeout|waiting to take 1 from semaphore 0 (the lock): its value is 0
semaphore_deadlock_is_described|timeout|waiting for semaphore 2 (diners still eating) to be zero: its value is 2
semaphore_deadlock_is_described|timeout|waiting to take 1 from semaphore 1 (the right fork): its value is 0, 1 process waits for it to rise and 0 for it to be zero; the last to operate on it was pid
semaphore_deadlock_is_described|timeout|(right) [wchan
semaphore_deadlock_is_described|timeout|(left) [wchan
kill_all_is_contained|crashed|signal 9
exit_is_reported|failed|did a graded function call exit()
many_helpers_keep_their_judges|passed|
interrupts_any_blocking_call|passed|
subject_cannot_reach_judge|passed|
leaked_shm_name_is_named|leak|leak: /dev/shm/ag-
leaked_shm_name_is_named|leak| (4096 bytes) left after the test body: shm_unlink("/ag-
leaked_mapping_is_named|leak|/kept (rw-s, 8192 bytes at 0x
leaked_mapping_is_named|leak|still mapped after map_and_keep returned: munmap()
sigbus_names_the_page|failed|killed by signal 7 (Bus error): SIGBUS at address 0x
sigbus_names_the_page|failed|(rw-s), page 1 of the file /
sigbus_names_the_page|failed|/short (byte 5000), which was 100 bytes long (pages 0 to 0): a page past the end of a file cannot be touched; ftruncate()
sigsegv_after_munmap_is_named|failed|killed by signal 11 (Segmentation fault): SIGSEGV at address 0x
sigsegv_after_munmap_is_named|failed|, which no mapping holds (never mapped, or used after munmap()?)
child_sigbus_is_told|failed|the child was killed by signal 7
child_sigbus_is_told|failed|grader: pid 
child_sigbus_is_told|failed|was killed by SIGBUS at address 0x
EOF
		# A leak keeps half of an odd number of points: 2.5 of 5, not 2.
		if ! grep -qP "^result\tsandbox\tleaked_semaphore_set_is_named\t2\.5\t5\tleak\t" \
			"$records"; then
			echo "$mode: leaked_semaphore_set_is_named: expected score 2.5 of 5, got:" \
				"$(grep -P "^result\tsandbox\tleaked_semaphore_set_is_named\t" "$records" |
					cut -f1-6)"
			bad=1
		fi
	done
	# An ordinary user (a student in the VM) cannot read the test's own
	# system calls; what the code under test waits for is still said.
	if [[ $(id -u) == 0 ]]; then
		chmod a+x "$WORK"
		install -d -o 65534 -g 65534 "$WORK/sandbox-nonroot"
		records=$WORK/sandbox-nonroot/records
		setpriv --reuid=65534 --regid=65534 --clear-groups env IPCLAB_SANDBOX=ns \
			IPCLAB_RECORDS="$records" timeout -k 5 60 build/selftest/test_sandbox -j1 \
			--filter='sandbox/subject_semaphore_wait_is_described' >/dev/null 2>&1 || true
		for words in "(the test): waiting for your code (pid" \
			"waiting to take 1 from semaphore 0 (the lock): its value is 0"; do
			grep -qF "$words" "$records" ||
				{ echo "as uid 65534: no \"$words\" in: $(cut -c1-300 "$records")"; bad=1; }
		done
	fi
	if [[ " ${modes[*]} " == *" fallback "* ]] &&
		! grep -q "the grader removed 1 message queue" "$WORK/sandbox-fallback.records"; then
		echo "fallback: the leaked queue was not removed by the grader"
		bad=1
	fi
	if [[ " ${modes[*]} " == *" fallback "* ]] &&
		! grep -q "the grader removed 1 /dev/shm name(s)" "$WORK/sandbox-fallback.records"; then
		echo "fallback: the leaked /dev/shm name was not removed by the grader"
		bad=1
	fi
	[[ $host_before == "$(cat /proc/sysvipc/msg /proc/sysvipc/sem /proc/sysvipc/shm; ls /dev/shm)" ]] ||
		{ echo "the host's System V objects or /dev/shm names changed"; bad=1; }
	return $bad
}

check_cli_tests() {
	"$ROOT/autograder/ipclab/tests/check.sh"
}
