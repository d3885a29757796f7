/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Environment Abstraction Layer: process start-up and shutdown.
 *
 * Options (the ones DPDK users know):
 *   -l, --lcores LIST     lcores to run, "0-3,6"; --lcores also takes
 *                         "lcores@cpu" groups, e.g. "0-3@1" (4 lcores on cpu 1)
 *   --main-lcore ID       lcore of the calling thread (default: lowest)
 *   --log-level [GLOB:]LEVEL   repeatable, e.g. --log-level=lib.vhost.*:debug;
 *                         REGEX,LEVEL as DPDK: --log-level='pmd\.net\..*',8
 *   --syslog              also log to syslog
 *   --file-prefix NAME    runtime directory name (default "dpx")
 *   --vdev ARGS           virtual device, repeatable, probed by the vdev bus
 *   -a, --allow BDF[,ARGS]  probe only the PCI devices named (repeatable), with
 *                         driver arguments; a named device that cannot be
 *                         probed fails init
 *   -b, --block BDF       never probe this PCI device (repeatable; not with -a)
 *   --no-pci              do not scan the PCI bus
 *   -m MB                 memory cap for all NUMA nodes
 *   --socket-mem MB,MB..  memory cap per NUMA node
 *   --no-huge             anonymous memory instead of hugepages
 *   --huge-dir DIR        hugetlbfs mount to use
 *   --iova-mode va|pa     IOVA mode (default: chosen at init)
 *   --in-memory           leave no files in the runtime or hugetlbfs dirs
 *   --no-telemetry        no telemetry socket in the runtime dir (dpx_telemetry.h)
 *   -h, --help            print this and return -ECANCELED
 * Both "--opt=value" and "--opt value" forms are accepted; "--" ends EAL
 * options and the program's own follow.
 */
#ifndef DPX_EAL_H
#define DPX_EAL_H

#include <stdio.h>

#include <dpx_common.h>
#include <dpx_errno.h>
#include <dpx_log.h>
#include <dpx_lcore.h>
#include <dpx_cycles.h>

/** IOVA mode: how device addresses relate to process memory. */
enum dpx_iova_mode {
	DPX_IOVA_DC = 0, /**< don't care: chosen at init */
	DPX_IOVA_PA,     /**< physical addresses */
	DPX_IOVA_VA,     /**< IOVA equals the virtual address */
};

/**
 * Initialise the EAL from the command line.
 *
 * On success argv is rearranged so that argv[ret] is the program name: the
 * program parses its own options with (argc - ret, argv + ret).
 *
 * @return the number of arguments consumed (EAL options and the "--"), or:
 *   -EINVAL    an unknown or malformed option (one line logged naming it);
 *   -ECANCELED --help was given; usage was printed and nothing initialised;
 *   -EALREADY  the EAL is already initialised;
 *   -EBUSY     another process holds the same --file-prefix;
 *   -ENODEV    an lcore names a CPU this process may not run on;
 *   -ENOENT    no hugetlbfs mount for the hugepage size (and no --in-memory);
 *   -ENOMEM    too few free hugepages (the log says how many and how to get them);
 *   -ENOMEM, or an errno from the system when a resource cannot be had.
 */
int dpx_eal_init(int argc, char **argv);

/**
 * Release every thread, fd, file and mapping the EAL made. Worker lcores must
 * be idle (their functions returned). Safe to call once after a successful init;
 * dpx_eal_init may then be called again.
 * @return 0, or -EALREADY when the EAL is not initialised, -EBUSY when a
 *   worker lcore is still running a function (nothing is released), or -EPERM in a
 *   child forked after init (nothing is released: the threads, prefix lock,
 *   runtime directory and hugepage files belong to the parent).
 */
int dpx_eal_cleanup(void);

/** @return 1 between a successful dpx_eal_init and dpx_eal_cleanup. */
int dpx_eal_is_initialized(void);

/** Print the EAL usage text. */
void dpx_eal_usage(FILE *f, const char *prgname);

/** @return the runtime directory of this process ("" before init or with --in-memory). */
const char *dpx_eal_runtime_dir(void);

/** @return the --file-prefix in use. */
const char *dpx_eal_file_prefix(void);

/** @return the IOVA mode chosen at init. */
enum dpx_iova_mode dpx_eal_iova_mode(void);

/** @return how many --vdev arguments were given. */
unsigned int dpx_eal_vdev_count(void);

/** @return the i-th --vdev argument ("name,key=value,..."), or NULL. */
const char *dpx_eal_vdev_arg(unsigned int i);

/** @return how many -a/--allow arguments were given. */
unsigned int dpx_eal_pci_allow_count(void);

/** @return the i-th -a argument ("BDF[,key=value,...]"), or NULL. */
const char *dpx_eal_pci_allow_arg(unsigned int i);

/** @return how many -b/--block arguments were given. */
unsigned int dpx_eal_pci_block_count(void);

/** @return the i-th -b argument (a BDF), or NULL. */
const char *dpx_eal_pci_block_arg(unsigned int i);

/** @return 1 when running with --no-pci. */
int dpx_eal_no_pci(void);

/** @return 1 when running with --no-huge. */
int dpx_eal_no_huge(void);

/** @return 1 when running with --in-memory. */
int dpx_eal_in_memory(void);

#endif /* DPX_EAL_H */
