/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Bus registry, for buses (driver tier: applications cannot include it). A
 * bus (vdev, pci) registers itself from a constructor with
 * DPX_REGISTER_BUS. The EAL's "bus probe" stage, the last but telemetry of
 * dpx_eal_init(), calls every bus's scan() and then every bus's
 * probe(), in registration order; dpx_eal_cleanup() calls cleanup() of each
 * bus in reverse order, which removes every device the bus probed (those
 * added at run time too).
 */
#ifndef DPX_BUS_DRIVER_H
#define DPX_BUS_DRIVER_H

#include <stdio.h>

#include <dpx_common.h>

/** Longest bus name, terminating NUL included. */
#define DPX_BUS_NAME_MAX 32

struct dpx_bus {
	/** Bus name, unique ("vdev"). */
	const char *name;
	/**
	 * Find the devices on this bus (for vdev: read the --vdev options).
	 * Keeps nothing that cleanup() would free: cleanup() runs only after
	 * a successful probe(), and another bus may fail before this one probes.
	 * @return 0 or a negative errno; a failure fails dpx_eal_init().
	 */
	int (*scan)(void);
	/**
	 * Attach a driver to every device found by scan().
	 * @return 0 or a negative errno; on failure the bus has already undone
	 *   its own partial work, and dpx_eal_init() fails with this error.
	 */
	int (*probe)(void);
	/**
	 * Remove every device this bus probed. Called once per successful
	 * probe(), from dpx_eal_cleanup() (or a failed dpx_eal_init()).
	 * @return 0 or the first negative errno met (removal goes on past errors).
	 */
	int (*cleanup)(void);
	/** Registry link; set by dpx_bus_register. */
	struct dpx_bus *next;
};

/**
 * Add a bus to the registry (normally from DPX_REGISTER_BUS). A bus with a
 * NULL or duplicate name is refused with a log line (registration runs in a
 * constructor, so there is no caller to return an error to).
 */
void dpx_bus_register(struct dpx_bus *bus);

/** @return the registered bus of that name, or NULL. */
struct dpx_bus *dpx_bus_find_by_name(const char *name);

/** Print the registered buses. */
void dpx_bus_dump(FILE *f);

/** Register a bus at load time. */
#define DPX_REGISTER_BUS(nm, bus)                                                                  \
	__attribute__((constructor)) static void dpx_bus_register_##nm(void)                     \
	{                                                                                          \
		(bus).name = DPX_STR(nm);                                                          \
		dpx_bus_register(&(bus));                                                          \
	}

#endif /* DPX_BUS_DRIVER_H */
