/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * PCI bus internals, never installed. The pure parts (addresses, the -a/-b
 * policy, id matching) are in pci_common.c; reading a sysfs tree is in
 * pci_sysfs.c (any folder: the fast suite points it at a fake tree); the bus
 * itself (VFIO setup, probe, cleanup) is in pci_bus.c.
 */
#ifndef PCI_PRIVATE_H
#define PCI_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>

#include <dpx_log.h>

#include "dpx_bus_pci_driver.h"

extern int bus_pci_logtype;
#define PCI_LOG(level, fmt, ...) DPX_LOG(level, bus_pci_logtype, "PCI: " fmt, ##__VA_ARGS__)

/* Where sysfs lists PCI devices unless SYSFS_PCI_DEVICES names another folder. */
#define PCI_SYSFS_DEVICES "/sys/bus/pci/devices"

/* Most -a or -b arguments (the EAL's own limit). */
#define PCI_MAX_DEVARGS 64

/* One -a or -b argument, parsed. */
struct pci_devarg {
	struct dpx_pci_addr addr;
	const char *args; /* after the BDF's ',' ("" when none); points into the argument */
};

/* The -a and -b lists. At most one of them is non-empty (the option parser checks). */
struct pci_policy {
	struct pci_devarg allow[PCI_MAX_DEVARGS];
	unsigned int allow_count;
	struct pci_devarg block[PCI_MAX_DEVARGS];
	unsigned int block_count;
};

/*
 * Parse the -a and -b arguments ("BDF[,devargs]", "BDF"). Pure. On error err
 * holds one line naming the argument. Returns 0, or -EINVAL (a malformed
 * address, a device given twice to -a, too many arguments).
 */
int pci_policy_parse(struct pci_policy *policy, const char *const *allow, unsigned int allow_count,
		     const char *const *block, unsigned int block_count, char *err, size_t errlen);

/*
 * Whether the device at addr may be probed: DPX_PCI_STATE_PROBED (yes; *arg
 * is its -a entry, or NULL when no -a was given), DPX_PCI_STATE_BLOCKED or
 * DPX_PCI_STATE_NOT_ALLOWED. Pure.
 */
enum dpx_pci_state pci_policy_check(const struct pci_policy *policy,
				    const struct dpx_pci_addr *addr, const struct pci_devarg **arg);

/* Whether an id table names the device's ids (DPX_PCI_ANY_ID and 0 match any subsystem). */
bool pci_id_match(const struct dpx_pci_id *table, const struct dpx_pci_device_info *info);

/*
 * Read one device's folder base/name: vendor and device (required), the
 * subsystem ids, class, numa_node, the kernel driver (the basename of the
 * driver link) and the IOMMU group (of the iommu_group link).
 * Returns 0, -EINVAL (name is not a PCI address, or a file holds something
 * else than its number), -ENOENT (no vendor or device file: not a device).
 */
int pci_sysfs_read_device(const char *base, const char *name, struct dpx_pci_device_info *info);

/*
 * Every device under base, sorted by address, in a calloc'ed array (free it).
 * Entries that are not devices are skipped with a log line. A missing base
 * gives no device. Returns 0 with *list (NULL when *count is 0) and *count,
 * or -ENOMEM, or the errno of opendir.
 */
int pci_sysfs_scan(const char *base, struct dpx_pci_device_info **list, unsigned int *count);

/* The folder the bus scans: $SYSFS_PCI_DEVICES or PCI_SYSFS_DEVICES. */
const char *pci_sysfs_devices(void);

#endif /* PCI_PRIVATE_H */
