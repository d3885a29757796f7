/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A fake sysfs tree for PCI tests, laid out as the kernel's:
 *   ROOT/bus/pci/devices/<bdf>/{vendor,device,subsystem_vendor,subsystem_device,class,numa_node}
 *   ROOT/bus/pci/devices/<bdf>/driver      -> ../../../../bus/pci/drivers/<name>
 *   ROOT/bus/pci/devices/<bdf>/iommu_group -> ../../../../kernel/iommu_groups/<n>
 *   ROOT/kernel/iommu_groups/<n>/devices/<bdf>
 * The PCI bus reads ROOT/bus/pci/devices (SYSFS_PCI_DEVICES), dpx-devbind
 * reads ROOT (--sysfs).
 */
#ifndef PCI_FAKE_SYSFS_H
#define PCI_FAKE_SYSFS_H

#include <stddef.h>

struct pci_fake_dev {
	const char *bdf;    /* "0000:00:03.0" */
	const char *vendor; /* file contents, "0x1234"; NULL: no file */
	const char *device;
	const char *class;  /* NULL: no file */
	const char *driver; /* NULL: no driver link */
	int group;	    /* -1: no iommu_group link */
	const char *numa;   /* NULL: no file */
};

/* Make an empty tree in a new folder under /tmp; root gets its path. 0 or -1. */
int pci_fake_sysfs_create(char *root, size_t len);

/* Add a device. 0 or -1. */
int pci_fake_sysfs_add(const char *root, const struct pci_fake_dev *dev);

/* The folder the bus scans: ROOT/bus/pci/devices, into buf. */
const char *pci_fake_sysfs_devices(const char *root, char *buf, size_t len);

/* Remove the whole tree. 0 or -1. */
int pci_fake_sysfs_remove(const char *root);

/*
 * dpx_eal_init on the fake VFIO kernel (groups 11 and 5, type1 v2) and the
 * tree at root (SYSFS_PCI_DEVICES), with --no-huge --in-memory and up to
 * three more options (NULL ends them). Returns what dpx_eal_init returns.
 */
int pci_fake_eal_init(const char *root, const char *a1, const char *a2, const char *a3);

/* dpx_eal_cleanup, then check that no device fd is left and the bus is empty. */
int pci_fake_eal_fini(void);

#endif
