/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * The PCI bus (doc/pci.md): PCI devices bound to vfio-pci, found in sysfs and
 * probed by the dpx driver whose id table names their vendor:device.
 *
 * At EAL init the bus lists every device under /sys/bus/pci/devices (or the
 * folder in the SYSFS_PCI_DEVICES environment variable, as DPDK reads it),
 * then probes each one that (1) passes -a/--allow and -b/--block, (2) has a
 * dpx driver for its id, and (3) is bound to vfio-pci. A device named with -a
 * that cannot be probed fails dpx_eal_init(); a device found by the scan alone
 * that fails is logged and skipped. --no-pci skips the scan. dpx_eal_cleanup()
 * removes every probed device.
 *
 * This header is what applications see: addresses and the list of devices
 * the scan found, each with its state. The list does not change between
 * dpx_eal_init() and dpx_eal_cleanup(). Drivers use dpx_bus_pci_driver.h.
 */
#ifndef DPX_BUS_PCI_H
#define DPX_BUS_PCI_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/** Longest device name ("0000:00:03.0", up to 8 domain digits), NUL included. */
#define DPX_PCI_NAME_MAX 20
/** Longest kernel driver name kept, NUL included. */
#define DPX_PCI_KDRV_NAME_MAX 32

/** A PCI address: domain:bus:device.function. */
struct dpx_pci_addr {
	uint32_t domain;
	uint8_t bus;
	uint8_t devid;	  /**< 0 to 0x1f */
	uint8_t function; /**< 0 to 7 */
};

/** What the bus did with a device it found. */
enum dpx_pci_state {
	DPX_PCI_STATE_PROBED,	   /**< a dpx driver has it */
	DPX_PCI_STATE_NO_DRIVER,   /**< no dpx driver's id table names its id */
	DPX_PCI_STATE_BLOCKED,	   /**< named by -b */
	DPX_PCI_STATE_NOT_ALLOWED, /**< -a was given and does not name it */
	DPX_PCI_STATE_NOT_VFIO,	   /**< a driver matches but the kernel driver is not vfio-pci */
	DPX_PCI_STATE_FAILED,	   /**< VFIO setup or the driver's probe failed */
};

/** A device as the bus sees it (a copy: it stays valid after cleanup). */
struct dpx_pci_device_info {
	char name[DPX_PCI_NAME_MAX]; /**< "0000:00:03.0", sysfs's spelling */
	struct dpx_pci_addr addr;
	uint16_t vendor_id;
	uint16_t device_id;
	uint16_t subsystem_vendor_id;
	uint16_t subsystem_device_id;
	uint32_t class_id; /**< class, subclass, prog-if: 0x00ff00 */
	int numa_node;	   /**< -1 when sysfs does not say */
	/** kernel driver bound to it ("vfio-pci"), "" when none */
	char kernel_driver[DPX_PCI_KDRV_NAME_MAX];
	int iommu_group; /**< -1 when it has none (IOMMU off) */
	enum dpx_pci_state state;
	/** the dpx driver that matched its id ("dma_edu"), NULL when none */
	const char *driver;
};

/**
 * Parse "DDDD:BB:DD.F" or "BB:DD.F" (hex; domain 0 when absent; upper or
 * lower case).
 * @return 0 with *addr set, or -EINVAL (NULL argument, malformed, a field out
 *   of range, trailing characters).
 */
int dpx_pci_addr_parse(const char *s, struct dpx_pci_addr *addr);

/**
 * Write an address as sysfs names it: "%04x:%02x:%02x.%x".
 * @return the length written (without the NUL), or -EINVAL (NULL argument),
 *   -ENOSPC (len too small: buf holds a cut, NUL-terminated string).
 */
int dpx_pci_addr_format(const struct dpx_pci_addr *addr, char *buf, size_t len);

/** @return <0, 0, >0 as a sorts before, with or after b (domain, bus, device, function). */
int dpx_pci_addr_cmp(const struct dpx_pci_addr *a, const struct dpx_pci_addr *b);

/** @return the number of devices the last scan found (0 before init, after cleanup, --no-pci). */
unsigned int dpx_pci_device_count(void);

/**
 * Copy the description of the index-th device found (in address order).
 * @return 0, or -EINVAL (info NULL), -ENOENT (index >= dpx_pci_device_count()).
 */
int dpx_pci_device_info_get(unsigned int index, struct dpx_pci_device_info *info);

/**
 * Find a device by name ("0000:00:03.0" or "00:03.0").
 * @return 0 with *info filled, or -EINVAL (malformed name, NULL), -ENOENT.
 */
int dpx_pci_device_info_find(const char *name, struct dpx_pci_device_info *info);

/** @return a short name for a state ("probed", "no driver", ...). */
const char *dpx_pci_state_name(enum dpx_pci_state state);

/**
 * Print every device found, one a line, with the columns dpx-devbind
 * --status shows (device, vendor:device, kernel driver, IOMMU group) and the
 * bus's own (class, NUMA node, state, dpx driver).
 * @return 0, or -EINVAL (f NULL).
 */
int dpx_pci_dump(FILE *f);

#endif /* DPX_BUS_PCI_H */
