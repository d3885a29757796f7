/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Bus registry and the EAL "bus probe" stage. Buses register from
 * constructors (before main), so the list is only read after that; the
 * stage scans every bus, then probes every bus (vdev last), and cleanup walks
 * the probed ones in reverse.
 */
#include <errno.h>
#include <string.h>

#include "eal_private.h"
#include "dpx_bus_driver.h"

static struct dpx_bus *bus_list;   /* in registration order */
static struct dpx_bus *probed[64]; /* buses whose probe succeeded, in order */
static unsigned int probed_count;

void
dpx_bus_register(struct dpx_bus *bus)
{
	struct dpx_bus **p = &bus_list;

	if (bus == NULL || bus->name == NULL || bus->scan == NULL || bus->probe == NULL ||
	    bus->cleanup == NULL) {
		EAL_LOG(ERR, "bus %s refused: name, scan, probe and cleanup are required",
			bus != NULL && bus->name != NULL ? bus->name : "(null)");
		return;
	}
	if (dpx_bus_find_by_name(bus->name) != NULL) {
		EAL_LOG(ERR, "bus %s refused: already registered", bus->name);
		return;
	}
	while (*p != NULL)
		p = &(*p)->next;
	bus->next = NULL;
	*p = bus;
}

struct dpx_bus *
dpx_bus_find_by_name(const char *name)
{
	for (struct dpx_bus *b = bus_list; b != NULL && name != NULL; b = b->next)
		if (strcmp(b->name, name) == 0)
			return b;
	return NULL;
}

void
dpx_bus_dump(FILE *f)
{
	for (struct dpx_bus *b = bus_list; b != NULL; b = b->next)
		fprintf(f, "bus %s\n", b->name);
}

void
eal_bus_cleanup_all(void)
{
	while (probed_count > 0) {
		struct dpx_bus *b = probed[--probed_count];
		int rc = b->cleanup();
		if (rc != 0)
			EAL_LOG(WARNING, "bus %s cleanup: %s", b->name, dpx_strerror(rc));
	}
}

/* Probe one bus and record it for cleanup. @return 0 or the probe's error (all cleaned up). */
static int
bus_probe(struct dpx_bus *b, unsigned long errors)
{
	int rc;

	if (probed_count == DPX_DIM(probed)) {
		EAL_LOG(ERR, "more than %zu buses", DPX_DIM(probed));
		eal_bus_cleanup_all();
		return -ENOSPC;
	}
	rc = b->probe();
	if (rc != 0) {
		/* the bus or its driver named the device that failed */
		DPX_LOG_UNSAID(errors, eal_logtype, "EAL: bus %s probe failed: %s", b->name,
			       dpx_strerror(rc));
		eal_bus_cleanup_all();
		return rc;
	}
	probed[probed_count++] = b;
	return 0;
}

int
eal_bus_probe_all(const struct eal_options *opts)
{
	(void)opts;
	unsigned long errors = dpx_log_error_count();
	struct dpx_bus *vdev = dpx_bus_find_by_name("vdev");
	int rc;

	for (struct dpx_bus *b = bus_list; b != NULL; b = b->next) {
		rc = b->scan();
		if (rc != 0) {
			DPX_LOG_UNSAID(errors, eal_logtype, "EAL: bus %s scan failed: %s", b->name,
				       dpx_strerror(rc));
			return rc;
		}
	}
	/* vdev last, as DPDK's rte_bus_probe does: a virtual device may use a
	 * device of another bus (net_vhost's dmas= can name an edu engine on the
	 * PCI bus), and cleanup, in reverse, removes it before what it uses */
	for (struct dpx_bus *b = bus_list; b != NULL; b = b->next)
		if (b != vdev && (rc = bus_probe(b, errors)) != 0)
			return rc;
	return vdev != NULL ? bus_probe(vdev, errors) : 0;
}
