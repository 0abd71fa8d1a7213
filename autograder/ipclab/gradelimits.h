/*
 * gradelimits.h - `ipclab grade --limits gradescope`: grade as a Gradescope
 * container would, so that an instructor sees locally what students will see
 * there.
 *
 * Gradescope's defaults: about half a CPU, 768 MB of memory for the whole
 * grading, a 64 MB /dev/shm (Docker's), and no namespaces (its containers
 * forbid unshare, so the grader runs in fallback mode). As root, the grading
 * process moves into a cgroup of its own (v2 at the hierarchy's root, v1
 * under its current cpu and memory cgroups) with a CPU quota of 50 ms per
 * 100 ms and a memory limit of 768 MiB, and mounts a 64 MiB /dev/shm in a
 * mount namespace of its own. Without a writable cgroup (not root, or a
 * container), it is pinned to one CPU instead, and says so.
 */
#ifndef IPCLAB_GRADELIMITS_H
#define IPCLAB_GRADELIMITS_H

#define LIMITS_CPU_QUOTA_US 50000	/* per LIMITS_CPU_PERIOD_US: half a CPU */
#define LIMITS_CPU_PERIOD_US 100000
#define LIMITS_MEMORY (768LL << 20)
#define LIMITS_SHM "size=64m,mode=1777"

/* True for a limits name ipclab knows: "gradescope". */
int limits_known(const char *name);

/*
 * Applies the named limits (one that limits_known knows) to this process and
 * what it starts. Returns a malloc'd sentence of what was applied and what
 * could not be.
 */
char *limits_apply(const char *name);

/*
 * Leaves the cgroups made by limits_apply and removes them. Returns what
 * their counters said (how often the CPU quota held the grading back, its
 * memory peak) as a malloc'd sentence, or NULL.
 */
char *limits_release(void);

#endif
