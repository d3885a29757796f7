/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Virtual device bus, the drivers' side (driver tier: applications cannot
 * include it): a vdev driver registers with DPX_PMD_REGISTER_VDEV, and its
 * probe and remove read the device through the accessors below.
 */
#ifndef DPX_BUS_VDEV_DRIVER_H
#define DPX_BUS_VDEV_DRIVER_H

#include <dpx_common.h>
#include <dpx_kvargs.h>

#include <dpx_bus_vdev.h>

/** One virtual device (opaque; use the accessors). */
struct dpx_vdev_device;

struct dpx_vdev_driver {
	/** Driver name, also the device-name prefix ("net_null"); set by DPX_PMD_REGISTER_VDEV. */
	const char *name;
	/** NULL-terminated keys the driver accepts (NULL: no arguments accepted). */
	const char *const *valid_keys;
	/** Create the device. @return 0 or a negative errno (the device is then forgotten). */
	int (*probe)(struct dpx_vdev_device *dev);
	/** Destroy the device and everything probe made. @return 0 or a negative errno. */
	int (*remove)(struct dpx_vdev_device *dev);
	/** Registry link; set by dpx_vdev_register. */
	struct dpx_vdev_driver *next;
};

/**
 * Add a driver (normally through DPX_PMD_REGISTER_VDEV). A driver with a NULL
 * or duplicate name, or without probe/remove, is refused with a log line.
 */
void dpx_vdev_register(struct dpx_vdev_driver *drv);

/** Register a vdev driver at load time under the name `nm`. */
#define DPX_PMD_REGISTER_VDEV(nm, drv)                                                             \
	__attribute__((constructor)) static void dpx_vdev_register_##nm(void)                    \
	{                                                                                          \
		(drv).name = DPX_STR(nm);                                                          \
		dpx_vdev_register(&(drv));                                                         \
	}

/** @return the device name ("net_null0"). */
const char *dpx_vdev_device_name(const struct dpx_vdev_device *dev);

/** @return the argument string as given ("size=64,..."), "" when none. */
const char *dpx_vdev_device_args(const struct dpx_vdev_device *dev);

/**
 * @return the device arguments parsed against the driver's valid_keys (empty
 *   list when none); valid from the start of probe until remove returns.
 */
const struct dpx_kvargs *dpx_vdev_device_kvargs(const struct dpx_vdev_device *dev);

/** @return the NUMA node for the device's memory (the caller's node at creation). */
int dpx_vdev_device_numa_node(const struct dpx_vdev_device *dev);

/** Attach driver data to the device (for remove to find). */
void dpx_vdev_device_set_private(struct dpx_vdev_device *dev, void *priv);

/** @return the driver data set by dpx_vdev_device_set_private, or NULL. */
void *dpx_vdev_device_get_private(const struct dpx_vdev_device *dev);

#endif /* DPX_BUS_VDEV_DRIVER_H */
