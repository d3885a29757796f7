/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Virtual device bus: software devices created from `--vdev NAME,ARGS` at
 * dpx_eal_init() or with dpx_vdev_init() at run time.
 *
 * A device name is matched to a driver by prefix: "net_null0" and
 * "net_null_a" go to driver "net_null"; when several driver names are
 * prefixes of a device name, the longest wins. Device arguments are parsed
 * with dpx_kvargs against the driver's valid_keys before the driver's probe
 * runs, so a driver's probe only sees well-formed pairs with known keys.
 *
 * Control path: the bus serialises its own calls with a mutex; a driver's
 * probe/remove runs under it and must not call dpx_vdev_init/uninit.
 * Drivers register with dpx_bus_vdev_driver.h.
 */
#ifndef DPX_BUS_VDEV_H
#define DPX_BUS_VDEV_H

#include <dpx_common.h>

/** Longest device name, terminating NUL included. */
#define DPX_VDEV_NAME_MAX 64

/**
 * Create a virtual device and probe its driver.
 * @param name  device name ("net_ring0"), 1..DPX_VDEV_NAME_MAX-1 characters.
 * @param args  "key=value,..." or NULL/"" for none.
 * @return 0, or (with one log line naming the device and the cause):
 *   -EINVAL  empty or too long name, or args rejected by dpx_kvargs_parse
 *            (malformed pair, key the driver does not accept);
 *   -ENOENT  no registered driver's name is a prefix of the device name;
 *   -EEXIST  a device with that name already exists;
 *   -ENOMEM  out of memory;
 *   or the driver's probe error (e.g. -EINVAL for a bad value).
 */
int dpx_vdev_init(const char *name, const char *args);

/**
 * Remove a virtual device: its driver's remove runs, then the device is freed
 * (even if remove failed, so the name can be reused).
 * The vdev calls may be made from callbacks that a driver's probe or remove
 * triggers (ethdev NEW/DESTROY events) on the same thread.
 * @return 0, -EINVAL (NULL name), -ENOENT (no such device), -EBUSY (the
 *   device is still being probed or removed, e.g. from its own event
 *   callback), or remove's error.
 */
int dpx_vdev_uninit(const char *name);

/** @return 1 when a device of that name exists, else 0. */
int dpx_vdev_exists(const char *name);

/** @return the number of devices on the vdev bus. */
unsigned int dpx_vdev_count(void);

#endif /* DPX_BUS_VDEV_H */
