/* SPDX-License-Identifier: BSD-3-Clause */
/* EAL internals shared between its source files; never installed. */
#ifndef EAL_PRIVATE_H
#define EAL_PRIVATE_H

#include <limits.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>

#include <dpx_eal.h>

#define EAL_MAX_VDEV_ARGS 64
#define EAL_MAX_PCI_ARGS 64
#define EAL_MAX_LOG_PATTERNS 32
#define EAL_FILE_PREFIX_MAX 64

struct eal_log_pattern {
	char pattern[128];
	unsigned int level;
	bool regex; /* "--log-level=REGEX,LEVEL" (else a glob: "GLOB:LEVEL") */
};

/* Everything the command line says, as parsed by eal_options_parse (no I/O). */
struct eal_options {
	/* lcore id -> cpu id, -1 when the lcore is not enabled */
	int lcore_cpu[DPX_MAX_LCORE];
	unsigned int lcore_count;
	int main_lcore; /* -1: lowest enabled lcore */
	char file_prefix[EAL_FILE_PREFIX_MAX];
	const char *vdev_args[EAL_MAX_VDEV_ARGS];
	unsigned int vdev_count;
	/* -a and -b: "BDF[,devargs]" strings, checked by the PCI bus when it scans */
	const char *pci_allow_args[EAL_MAX_PCI_ARGS];
	unsigned int pci_allow_count;
	const char *pci_block_args[EAL_MAX_PCI_ARGS];
	unsigned int pci_block_count;
	bool no_pci;
	uint64_t memory_mb;                         /* -m, 0 = no cap */
	uint64_t socket_mem_mb[DPX_MAX_NUMA_NODES]; /* --socket-mem */
	bool socket_mem_set;
	bool no_huge;
	bool in_memory;
	bool no_telemetry;
	bool syslog;
	bool help;
	char huge_dir[PATH_MAX];
	enum dpx_iova_mode iova_mode;
	struct eal_log_pattern log_patterns[EAL_MAX_LOG_PATTERNS];
	unsigned int log_pattern_count;
	unsigned int log_global_level; /* 0: unchanged */
	bool log_help;		       /* --log-level=help: list the types and stop */
	bool show_version;	       /* -v */
	unsigned int mem_channels;     /* -n: accepted, no effect (dpx does no channel striping) */
	char err_detail[160];	       /* why a handler refused its value (for the message) */
	/* the arguments the EAL took (argv[1..]), set by dpx_eal_init for /eal/params */
	char *const *args;
	unsigned int arg_count;
};

/* Set defaults: no lcore chosen yet, prefix "dpx". */
void eal_options_init(struct eal_options *opts);

/*
 * Parse argv[1..] up to "--" or the first non-option. Pure: no output, no
 * system calls. On error, err holds one line naming the option.
 * Returns the number of arguments consumed (the "--" included), or -EINVAL.
 * argv strings are referenced, not copied (vdev_args point into argv).
 */
int eal_options_parse(struct eal_options *opts, int argc, char **argv, char *err, size_t errlen);

/*
 * Parse a core list "0-3,6" (for -l) or an lcore map "0-3@1,4" (for --lcores)
 * into lcore_cpu[]. Returns the number of lcores, or -EINVAL.
 */
int eal_parse_lcore_list(const char *s, int lcore_cpu[DPX_MAX_LCORE], bool allow_cpu_map);

/* Log type of the EAL itself. */
extern int eal_logtype;
#define EAL_LOG(level, fmt, ...) DPX_LOG(level, eal_logtype, "EAL: " fmt, ##__VA_ARGS__)

/* The options this process was started with (valid after init). */
const struct eal_options *eal_get_options(void);

/* lcore threads (linux/eal_lcore.c) */
int eal_lcores_start(const struct eal_options *opts);
void eal_lcores_stop(void);
/* The id of a worker still running a function, or -1 when all are idle. */
int eal_lcores_running(void);

/* runtime directory and its lock (linux/eal_runtime_dir.c) */
int eal_runtime_dir_create(const struct eal_options *opts);
void eal_runtime_dir_remove(void);

/* cycle counter calibration (linux/eal_cycles.c) */
void eal_cycles_calibrate(void);

/* The CPUs the main thread could run on before init pinned it (valid after the lcores stage). */
const cpu_set_t *eal_lcores_startup_affinity(void);

/* telemetry (common/eal_telemetry.c): the socket unless --no-telemetry or --in-memory */
int eal_telemetry_init(const struct eal_options *opts);
void eal_telemetry_fini(void);

/* bus registry (common/eal_bus.c): scan then probe every bus; cleanup in reverse */
int eal_bus_probe_all(const struct eal_options *opts);
void eal_bus_cleanup_all(void);

#endif /* EAL_PRIVATE_H */
