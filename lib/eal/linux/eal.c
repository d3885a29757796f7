/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dpx_eal_init / dpx_eal_cleanup: parse the options, then bring up each EAL
 * stage in order; a failing stage rolls back the ones before it, and cleanup
 * takes them down in reverse order.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "eal_memory_private.h"
#include "eal_private.h"
#include "log_private.h"
#include "vfio_private.h"

DPX_LOG_REGISTER(eal_logtype, "lib.eal");

static struct eal_options options;
static bool initialized;
static unsigned int stages_up;
static pid_t init_pid; /* the process that ran init owns the threads, lock and files */

struct eal_stage {
	const char *name;
	int (*init)(const struct eal_options *opts);
	void (*fini)(void);
};

static int
cycles_init(const struct eal_options *opts)
{
	(void)opts;
	eal_cycles_calibrate();
	return 0;
}

/* Later subsystems (memory, VFIO, buses) add one line here, in dependency order. */
static const struct eal_stage stages[] = {
	{"runtime directory", eal_runtime_dir_create, eal_runtime_dir_remove},
	{"cycle counter", cycles_init, NULL},
	{"memory", eal_memory_init, eal_memory_fini},
	{"lcores", eal_lcores_start, eal_lcores_stop},
	{"vfio", eal_vfio_init, eal_vfio_fini},
	{"bus probe", eal_bus_probe_all, eal_bus_cleanup_all},
	/* last: its commands may look at everything above, and it goes down first */
	{"telemetry", eal_telemetry_init, eal_telemetry_fini},
};

const struct eal_options *
eal_get_options(void)
{
	return &options;
}

int
dpx_eal_is_initialized(void)
{
	return initialized;
}

void
dpx_eal_usage(FILE *f, const char *prgname)
{
	fprintf(f,
		"Usage: %s [EAL options] -- [program options]\n"
		"EAL options:\n"
		"  -l, --lcores LIST       lcores to use: \"0-3,6\"; \"0-3@1\" runs lcores 0-3 on "
		"cpu 1\n"
		"  --main-lcore ID         lcore of the main thread (default: lowest)\n"
		"  --log-level [GLOB:]LVL  log level, globally or per type (lib.vhost.*:debug);\n"
		"  --log-level REGEX,LVL   or per type by regex ('pmd\\.net\\..*',8); help lists "
		"them\n"
		"  --syslog                also log to syslog\n"
		"  --file-prefix NAME      runtime directory name (default: dpx)\n"
		"  --vdev ARGS             add a virtual device: name,key=value,...\n"
		"  -a, --allow BDF[,ARGS]  probe only these PCI devices (repeatable)\n"
		"  -b, --block BDF         never probe this PCI device (repeatable)\n"
		"  --no-pci                do not scan the PCI bus\n"
		"  -m MB                   memory to use at most, all NUMA nodes\n"
		"  --socket-mem MB,MB...   memory to use at most, per NUMA node\n"
		"  --no-huge               use anonymous memory instead of hugepages\n"
		"  --huge-dir DIR          hugetlbfs mount to use\n"
		"  --iova-mode va|pa       IOVA mode\n"
		"  --in-memory             leave no files on disk; no prefix lock\n"
		"  --no-telemetry          no telemetry socket (and no telemetry thread)\n"
		"  -h, --help              show this help\n"
		"DPDK options accepted for compatibility:\n"
		"  -c COREMASK             lcores as a hexadecimal mask (each on its own CPU)\n"
		"  -n CHANNELS             memory channels: accepted, no effect\n"
		"  -v                      print the dpx version at start-up\n"
		"  --proc-type primary|auto  every dpx process is a primary (no secondary)\n"
		"  --huge-unlink=existing  what dpx does anyway (always/never: not supported)\n"
		"(--single-file-segments is refused: one file per hugepage)\n",
		prgname);
}

/* A pattern that matches no type is almost always a typo or an old name: say so. */
static void
warn_unmatched(const struct eal_log_pattern *lp)
{
	if (log_count_matches(lp->pattern, lp->regex) != 0)
		return;
	EAL_LOG(WARNING,
		"--log-level=%s%c%u matches no log type; --log-level=help lists them "
		"(names follow DPDK: lib.eal, lib.vhost.config, pmd.net.vhost, bus.vdev)",
		lp->pattern, lp->regex ? ',' : ':', lp->level);
}

static void
apply_log_options(const struct eal_options *opts)
{
	if (opts->log_global_level != 0)
		dpx_log_set_global_level(opts->log_global_level);
	for (unsigned int i = 0; i < opts->log_pattern_count; i++) {
		const struct eal_log_pattern *lp = &opts->log_patterns[i];

		if (lp->regex)
			dpx_log_set_level_regexp(lp->pattern, lp->level);
		else
			dpx_log_set_level_pattern(lp->pattern, lp->level);
		warn_unmatched(lp);
	}
	if (opts->syslog) {
		openlog("dpx", LOG_PID | LOG_NDELAY, LOG_DAEMON);
		dpx_log_set_syslog(1);
	}
}

static void
undo_log_options(const struct eal_options *opts)
{
	if (opts->syslog) {
		dpx_log_set_syslog(0);
		closelog();
	}
}

static void
stages_down(void)
{
	while (stages_up > 0) {
		const struct eal_stage *s = &stages[--stages_up];
		if (s->fini != NULL)
			s->fini();
	}
}

int
dpx_eal_init(int argc, char **argv)
{
	char err[256];
	int consumed, rc;

	if (initialized)
		return -EALREADY;
	eal_options_init(&options);
	consumed = eal_options_parse(&options, argc, argv, err, sizeof(err));
	if (consumed < 0) {
		EAL_LOG(ERR, "%s (see --help)", err);
		eal_options_init(&options);
		return consumed;
	}
	if (options.help) {
		dpx_eal_usage(stdout, argc > 0 ? argv[0] : "dpx");
		eal_options_init(&options);
		return -ECANCELED;
	}
	if (options.log_help) {
		dpx_log_dump(stdout);
		eal_options_init(&options);
		return -ECANCELED;
	}
	apply_log_options(&options);
	if (options.show_version)
		EAL_LOG(NOTICE, "dpx version %s", DPX_VERSION);
	options.args = argv + 1;
	options.arg_count = (unsigned int)consumed;
	for (stages_up = 0; stages_up < DPX_DIM(stages); stages_up++) {
		unsigned long errors = dpx_log_error_count();

		rc = stages[stages_up].init(&options);
		if (rc != 0) {
			/* the stage said why, in one line naming the option or device */
			DPX_LOG_UNSAID(errors, eal_logtype, "EAL: initialisation failed at %s: %s",
				       stages[stages_up].name, dpx_strerror(rc));
			stages_down();
			undo_log_options(&options); /* a failed init leaves no syslog connection */
			eal_options_init(&options);
			return rc;
		}
	}
	initialized = true;
	init_pid = getpid();
	if (consumed > 0 && argc > 0)
		argv[consumed] = argv[0]; /* the program parses (argc - consumed, argv + consumed) */
	return consumed;
}

int
dpx_eal_cleanup(void)
{
	if (!initialized)
		return -EALREADY;
	if (getpid() != init_pid) {
		/* a forked child has no worker threads to join, and the lock, runtime
		 * directory and hugepage files are the parent's, still in use */
		EAL_LOG(ERR, "dpx_eal_cleanup in pid %d: the EAL belongs to pid %d, which "
			     "must clean it up",
			(int)getpid(), (int)init_pid);
		return -EPERM;
	}
	int busy = eal_lcores_running();
	if (busy >= 0) {
		/* joining it would wait for a function that may never return */
		EAL_LOG(ERR, "dpx_eal_cleanup: lcore %d is still running a function; wait for it "
			     "(dpx_eal_mp_wait_lcore) first",
			busy);
		return -EBUSY;
	}
	stages_down();
	undo_log_options(&options);
	/* the accessors stop returning pointers into the caller's argv */
	eal_options_init(&options);
	initialized = false;
	return 0;
}

const char *
dpx_eal_file_prefix(void)
{
	return options.file_prefix;
}

enum dpx_iova_mode
dpx_eal_iova_mode(void)
{
	/* the mode the memory stage chose; before init, what the options ask for */
	if (eal_mem_iova_mode() != DPX_IOVA_DC)
		return eal_mem_iova_mode();
	return options.iova_mode == DPX_IOVA_DC ? DPX_IOVA_VA : options.iova_mode;
}

unsigned int
dpx_eal_vdev_count(void)
{
	return options.vdev_count;
}

const char *
dpx_eal_vdev_arg(unsigned int i)
{
	return i < options.vdev_count ? options.vdev_args[i] : NULL;
}

unsigned int
dpx_eal_pci_allow_count(void)
{
	return options.pci_allow_count;
}

const char *
dpx_eal_pci_allow_arg(unsigned int i)
{
	return i < options.pci_allow_count ? options.pci_allow_args[i] : NULL;
}

unsigned int
dpx_eal_pci_block_count(void)
{
	return options.pci_block_count;
}

const char *
dpx_eal_pci_block_arg(unsigned int i)
{
	return i < options.pci_block_count ? options.pci_block_args[i] : NULL;
}

int
dpx_eal_no_pci(void)
{
	return options.no_pci;
}

int
dpx_eal_no_huge(void)
{
	return options.no_huge;
}

int
dpx_eal_in_memory(void)
{
	return options.in_memory;
}
