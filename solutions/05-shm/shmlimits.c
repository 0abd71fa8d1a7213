/*
 * shmlimits.c - Lab 05 demo: the shared-memory limits, read twice.
 *
 * Usage:   ./shmlimits
 *
 * Prints SHMMAX, SHMALL and SHMMNI as shmctl(IPC_INFO) gives them and as
 * /proc/sys/kernel says, with SHMMAX in MiB too (the old default was 32).
 * Exit status: 0 done, 1 error.
 * Partner: shm.c (shm_limits). Handout: README.md §3.6.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "shm.h"

int main(void)
{
	struct shm_limits kernel, proc;

	if (shm_limits(&kernel, &proc) == -1) {
		fprintf(stderr, "shmlimits: %s\n", strerror(errno));
		return 1;
	}
	printf("%-8s %22s %22s\n", "", "shmctl(IPC_INFO)", "/proc/sys/kernel");
	printf("%-8s %22llu %22llu\n", "SHMMAX", kernel.max_bytes, proc.max_bytes);
	printf("%-8s %22llu %22llu\n", "SHMALL", kernel.all_pages, proc.all_pages);
	printf("%-8s %22llu %22llu\n", "SHMMNI", kernel.max_segments, proc.max_segments);
	printf("SHMMAX is %llu MiB\n", kernel.max_bytes >> 20);
	return 0;
}
