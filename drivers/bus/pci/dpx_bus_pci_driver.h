/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * The PCI bus, driver side: register a driver with an id table; the bus calls
 * its probe() for each matching device bound to vfio-pci, after it has
 *   - opened the device through VFIO (dpx_vfio_setup_device: IOMMU group,
 *     container, device fd),
 *   - mmapped every memory BAR VFIO lets it map (mem_resource[]),
 *   - set bus mastering in the command register (no DMA without it),
 *   - made one eventfd for the device's best interrupt (MSI-X, MSI, INTx in
 *     that order), not yet enabled (dpx_pci_intr_enable).
 * remove() is called at dpx_eal_cleanup(), before the bus undoes all that.
 * Drivers register from a constructor (DPX_PCI_DRIVER_REGISTER); the list is
 * written only before main.
 */
#ifndef DPX_BUS_PCI_DRIVER_H
#define DPX_BUS_PCI_DRIVER_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <dpx_common.h>
#include <dpx_kvargs.h>

#include "dpx_bus_pci.h"

/** An id-table field that matches any value. */
#define DPX_PCI_ANY_ID 0xffff
/** BARs of a type-0 header. */
#define DPX_PCI_MAX_BARS 6

/** One entry of a driver's id table; the table ends with a zero vendor_id. */
struct dpx_pci_id {
	uint16_t vendor_id;
	uint16_t device_id;
	uint16_t subsystem_vendor_id; /**< DPX_PCI_ANY_ID (or 0) for any */
	uint16_t subsystem_device_id; /**< DPX_PCI_ANY_ID (or 0) for any */
};

/** A vendor:device entry, any subsystem. */
#define DPX_PCI_DEVICE(vend, dev)                             \
	{                                                     \
		(vend), (dev), DPX_PCI_ANY_ID, DPX_PCI_ANY_ID \
	}

/** A BAR: addr is NULL when VFIO cannot mmap it (an I/O BAR); len is its size. */
struct dpx_pci_resource {
	void *addr;
	uint64_t len;
};

/** The interrupt eventfd the bus made at probe. */
struct dpx_pci_intr {
	int fd;		/**< eventfd (non-blocking), -1 when the device has none */
	uint32_t index; /**< VFIO_PCI_MSIX_IRQ_INDEX, _MSI_ or _INTX_ */
	bool enabled;	/**< between dpx_pci_intr_enable and _disable */
};

struct dpx_pci_driver;

/** A device handed to a driver; valid from probe() to the end of remove(). */
struct dpx_pci_device {
	struct dpx_pci_device_info info; /**< name, address, ids, node, kernel driver, group */
	struct dpx_pci_resource mem_resource[DPX_PCI_MAX_BARS];
	int vfio_fd;		/**< the VFIO device fd */
	uint64_t config_offset; /**< of the config space region in vfio_fd */
	struct dpx_pci_intr intr;
	const char *args;		 /**< the devargs after the BDF in -a ("" when none) */
	const struct dpx_kvargs *kvargs; /**< args parsed against the driver's valid_keys */
	const struct dpx_pci_driver *driver;
	void *priv; /**< the driver's */
};

/** A PCI driver. */
struct dpx_pci_driver {
	/** "dma_edu": the dpx driver name shown in the device list */
	const char *name;
	/** ids this driver takes; ends with an entry whose vendor_id is 0 */
	const struct dpx_pci_id *id_table;
	/** keys accepted after the BDF in -a (NULL-terminated), or NULL: none */
	const char *const *valid_keys;
	/**
	 * Take a device. @return 0 or a negative errno (the bus then undoes its
	 * own setup; the driver must have undone its own).
	 */
	int (*probe)(struct dpx_pci_device *dev);
	/** Release a device. @return 0 or a negative errno (logged; removal goes on). */
	int (*remove)(struct dpx_pci_device *dev);
	/** Registry link; set by dpx_pci_driver_register. */
	struct dpx_pci_driver *next;
};

/**
 * Add a driver (normally from DPX_PCI_DRIVER_REGISTER). A driver without a
 * name, id table, probe or remove, or with a name already registered, is
 * refused with a log line (there is no caller to return an error to).
 */
void dpx_pci_driver_register(struct dpx_pci_driver *drv);

/** Register a PCI driver at load time. */
#define DPX_PCI_DRIVER_REGISTER(nm, drv)                                            \
	__attribute__((constructor)) static void dpx_pci_driver_register_##nm(void) \
	{                                                                           \
		(drv).name = DPX_STR(nm);                                           \
		dpx_pci_driver_register(&(drv));                                    \
	}

/**
 * Read from the device's configuration space.
 * @return 0, or -EINVAL (NULL, len 0), -EIO (a short read), or the errno of pread.
 */
int dpx_pci_config_read(const struct dpx_pci_device *dev, void *buf, size_t len, off_t offset);

/**
 * Write to the device's configuration space.
 * @return 0, or -EINVAL, -EIO (a short write), or the errno of pwrite.
 */
int dpx_pci_config_write(const struct dpx_pci_device *dev, const void *buf, size_t len,
			 off_t offset);

/**
 * Have the device's interrupt signal dev->intr.fd (an MSI vector 0, or INTx).
 * @return 0, or -ENOTSUP (the device has no interrupt), or dpx_vfio_irq_enable's error.
 */
int dpx_pci_intr_enable(struct dpx_pci_device *dev);

/**
 * After an INTx interrupt was handled: unmask it (VFIO masks INTx when it
 * fires). Nothing to do for MSI and MSI-X.
 * @return 0, or -ENOTSUP (no interrupt), or the kernel's error.
 */
int dpx_pci_intr_ack(struct dpx_pci_device *dev);

/**
 * Stop signalling the eventfd.
 * @return 0 (also when not enabled), or the kernel's error.
 */
int dpx_pci_intr_disable(struct dpx_pci_device *dev);

#endif /* DPX_BUS_PCI_DRIVER_H */
