/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dma_sw bound to a VFIO container: the worker translates every IOVA through
 * a snapshot of the container's mapping table, and a job that touches an
 * IOVA outside it fails (INVALID_SRC_ADDR / INVALID_DST_ADDR) and copies
 * nothing, as an IOMMU fault would.
 *
 * The container tells the engine its table after every change, from inside
 * the map or unmap call (dpx_vfio_container_dma_listener_register). The
 * listener builds a new snapshot, swaps it in, waits until the worker has
 * left any round that may hold the old one, and frees the old one. Hence the
 * guarantee, for a map or unmap call that returned at time T:
 *   - every job whose round starts after T translates through the new table;
 *   - a job submitted after T is in such a round (the worker reads a job
 *     only after acquiring its submit, which happened after T), so no job
 *     submitted after an unmap returned can reach the removed mapping;
 *   - no copy through the old table is still running at T: a round that
 *     held the old snapshot has finished (the wait), so once an unmap has
 *     returned the engine no longer touches the removed memory at all.
 *     Jobs submitted before the unmap that touch it and had not run yet fail.
 * The worker's fast path takes no lock: one seq_cst store and one load per
 * round, and an O(log n) search of an immutable array per address.
 */
#include <sched.h>
#include <stdlib.h>

#include "dma_sw_private.h"

/*
 * Partner of round_bound(): the exchange and the read of seq are seq_cst,
 * like the worker's store of an odd seq and its read of the map, so either
 * the worker's round reads the new map or this read sees the round's odd seq
 * and waits for it to end (the acquire pairs with the round's release).
 */
static void
publish(struct sw_dev *sw, struct dpx_dma_iova_map *m)
{
	struct dpx_dma_iova_map *old = __atomic_exchange_n(&sw->bind.map, m, __ATOMIC_SEQ_CST);
	uint64_t seq = __atomic_load_n(&sw->bind.seq, __ATOMIC_SEQ_CST);

	for (unsigned int spins = 0;
	     (seq & 1) != 0 && __atomic_load_n(&sw->bind.seq, __ATOMIC_ACQUIRE) == seq; spins++) {
		/* a round is at most nb_vchans * SW_BURST copies: spin, then let it run */
		if (spins < 1000)
			dpx_pause();
		else
			sched_yield();
	}
	free(old);
	__atomic_store_n(&sw->bind.nb_mappings, m != NULL ? m->n : 0, __ATOMIC_RELAXED);
	__atomic_store_n(&sw->bind.snapshots, sw->bind.snapshots + 1, __ATOMIC_RELAXED);
}

static void
listener(void *arg, const struct dpx_vfio_dma_mapping *maps, unsigned int n)
{
	struct sw_dev *sw = arg;
	struct dpx_dma_iova_map *m = maps != NULL ? dpx_dma_iova_map_build(maps, n) : NULL;

	if (maps == NULL)
		SW_LOG(WARNING, "%s: container %d gone or not readable: every job now faults",
		       sw->name, sw->bind.container_fd);
	else if (m == NULL)
		SW_LOG(ERR,
		       "%s: cannot copy the %u mappings of container %d (%s): every job "
		       "faults until its next change",
		       sw->name, n, sw->bind.container_fd, dpx_strerror(dpx_errno));
	publish(sw, m);
}

int
dma_sw_bind(struct sw_dev *sw, int container_fd)
{
	int rc;

	dma_sw_unbind(sw);
	sw->bind.bound = true;
	sw->bind.container_fd = container_fd;
	__atomic_store_n(&sw->bind.snapshots, 0, __ATOMIC_RELAXED);
	rc = dpx_vfio_container_dma_listener_register(container_fd, listener, sw);
	if (rc != 0) {
		SW_LOG(ERR, "%s: cannot follow container %d: %s", sw->name, container_fd,
		       dpx_strerror(rc));
		sw->bind.bound = false;
	}
	return rc;
}

void
dma_sw_unbind(struct sw_dev *sw)
{
	if (!sw->bind.bound)
		return;
	/* -EINVAL when the container was destroyed: nothing to stop following then */
	dpx_vfio_container_dma_listener_unregister(sw->bind.container_fd, listener, sw);
	free(sw->bind.map);
	sw->bind.map = NULL;
	__atomic_store_n(&sw->bind.nb_mappings, 0, __ATOMIC_RELAXED);
	sw->bind.bound = false;
}
