/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Async vhost, control side: the DMA vchans vhost may use and the VFIO
 * containers behind them; channel registration; the DMA mapping of guest
 * memory (one map call per region and container, IOVA = this process's
 * address of the region, so each region is one chunk that goes on its own
 * while its neighbours stay); the drain that completes in-flight copies
 * before memory or a ring changes. The data path is in vhost_data.c.
 *
 * Everything here runs with the vhost mutex held (the public calls take it,
 * the vhost thread's handlers hold it): the vchans' `configured`, the
 * container set and every device's mapping state change only under it. A
 * vring's async state is attached and detached under its access lock too, a
 * vchan's job slots change under the vchan's lock.
 */
#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>

#include <dpx_eal.h>
#include <dpx_mbuf.h>
#include <dpx_vfio.h>

#include "vhost_private.h"

struct vhost_async_vchan vhost_async_vchans[DPX_DMADEV_MAX_DEVS][DPX_DMA_MAX_VCHANS];

/* The vchans configured, for the drain to collect them all. */
static struct {
	int16_t dma;
	uint16_t vchan;
} configured[DPX_DMADEV_MAX_DEVS * DPX_DMA_MAX_VCHANS];
static unsigned int nconfigured;

/* A VFIO container behind configured vchans: guest memory is mapped in it. */
struct async_container {
	int fd;
	unsigned int vchans; /* 0: slot free */
};
static struct async_container containers[VHOST_ASYNC_MAX_CONTAINERS];

/* ---- guest memory in the containers ---- */

/* The pages of a region: IOMMUs map whole pages, and our mapping of the region
 * is page-aligned (mmap), so the span stays inside it. */
static void
region_span(const struct vhost_mem_region *r, uint64_t *va, uint64_t *len)
{
	uint64_t start = DPX_ALIGN_FLOOR(r->hva, 4096);

	*va = start;
	*len = DPX_ALIGN_CEIL(r->hva + r->size, 4096) - start;
}

/* DMA-map (or unmap) one region in one container, logging a failure. */
static int
region_dma(struct vhost_dev *dev, const struct vhost_mem_region *r, int fd, bool map)
{
	uint64_t va, len;
	int rc;

	region_span(r, &va, &len);
	rc = map ? dpx_vfio_container_dma_map(fd, va, va, len)
		 : dpx_vfio_container_dma_unmap(fd, va, va, len);
	if (rc < 0)
		VHOST_LOG(ERR,
			  "vid %d: DMA %s of region gpa 0x%" PRIx64 " size 0x%" PRIx64
			  " (iova 0x%" PRIx64 ") in container %d failed: %s",
			  dev->vid, map ? "map" : "unmap", r->gpa, r->size, va, fd,
			  dpx_strerror(rc));
	return rc;
}

static int
region_map_one(struct vhost_dev *dev, const struct vhost_mem_region *r, int fd)
{
	return region_dma(dev, r, fd, true);
}

static void
region_unmap_one(struct vhost_dev *dev, const struct vhost_mem_region *r, int fd)
{
	(void)region_dma(dev, r, fd, false);
}

/* One region into every container; on failure the containers done are undone. */
static int
region_map_containers(struct vhost_dev *dev, const struct vhost_mem_region *r)
{
	unsigned int c, k;
	int rc;

	for (c = 0; c < VHOST_ASYNC_MAX_CONTAINERS; c++) {
		if (containers[c].vchans == 0)
			continue;
		rc = region_map_one(dev, r, containers[c].fd);
		if (rc < 0) {
			for (k = 0; k < c; k++)
				if (containers[k].vchans > 0)
					region_unmap_one(dev, r, containers[k].fd);
			return rc;
		}
	}
	return 0;
}

static void
region_unmap_containers(struct vhost_dev *dev, const struct vhost_mem_region *r)
{
	unsigned int c;

	for (c = 0; c < VHOST_ASYNC_MAX_CONTAINERS; c++)
		if (containers[c].vchans > 0)
			region_unmap_one(dev, r, containers[c].fd);
}

int
vhost_async_region_map(struct vhost_dev *dev, const struct vhost_mem_region *r)
{
	return dev->async_mapped ? region_map_containers(dev, r) : 0;
}

void
vhost_async_region_unmap(struct vhost_dev *dev, const struct vhost_mem_region *r)
{
	if (dev->async_mapped)
		region_unmap_containers(dev, r);
}

/* Every region of a device (its first async vring); all or nothing. */
static int
dev_map(struct vhost_dev *dev)
{
	unsigned int i, k;
	int rc;

	for (i = 0; i < dev->mem->n; i++) {
		rc = region_map_containers(dev, &dev->mem->regions[i]);
		if (rc < 0) {
			for (k = 0; k < i; k++)
				region_unmap_containers(dev, &dev->mem->regions[k]);
			return rc;
		}
	}
	dev->async_mapped = true;
	return 0;
}

static void
dev_unmap(struct vhost_dev *dev)
{
	unsigned int i;

	for (i = 0; i < dev->mem->n; i++)
		region_unmap_containers(dev, &dev->mem->regions[i]);
	dev->async_mapped = false;
}

/* Every mapped device's regions into a new container; all or nothing. */
static int
container_map_devices(int fd)
{
	struct vhost_dev *dev;
	unsigned int i, k;
	int vid, v, rc;

	for (vid = 0; vid < DPX_VHOST_MAX_DEVICES; vid++) {
		dev = vhost_dev_get(vid);
		if (dev == NULL || !dev->async_mapped)
			continue;
		for (i = 0; i < dev->mem->n; i++) {
			rc = region_map_one(dev, &dev->mem->regions[i], fd);
			if (rc == 0)
				continue;
			for (k = 0; k < i; k++)
				region_unmap_one(dev, &dev->mem->regions[k], fd);
			for (v = 0; v < vid; v++) {
				struct vhost_dev *d = vhost_dev_get(v);

				for (k = 0; d != NULL && d->async_mapped && k < d->mem->n; k++)
					region_unmap_one(d, &d->mem->regions[k], fd);
			}
			return rc;
		}
	}
	return 0;
}

static void
container_unmap_devices(int fd)
{
	struct vhost_dev *dev;
	unsigned int i;
	int vid;

	for (vid = 0; vid < DPX_VHOST_MAX_DEVICES; vid++) {
		dev = vhost_dev_get(vid);
		for (i = 0; dev != NULL && dev->async_mapped && i < dev->mem->n; i++)
			region_unmap_one(dev, &dev->mem->regions[i], fd);
	}
}

/* The container slot of fd, joined by one more vchan. @return its index or -errno. */
static int
container_get(int fd)
{
	int c, free_slot = -1, rc;

	for (c = 0; c < VHOST_ASYNC_MAX_CONTAINERS; c++) {
		if (containers[c].vchans > 0 && containers[c].fd == fd) {
			containers[c].vchans++;
			return c;
		}
		if (containers[c].vchans == 0 && free_slot < 0)
			free_slot = c;
	}
	if (free_slot < 0)
		return -ENOSPC;
	rc = container_map_devices(fd);
	if (rc < 0)
		return rc;
	containers[free_slot] = (struct async_container){fd, 1};
	return free_slot;
}

static void
container_put(int c)
{
	if (c < 0 || --containers[c].vchans > 0)
		return;
	container_unmap_devices(containers[c].fd);
}

/* ---- DMA vchans ---- */

/* The capabilities that make a device usable, and its container slot. */
static int
vchan_check(int16_t dma_id, uint16_t vchan, struct dpx_dma_info *info, int *fd)
{
	int rc;

	if (!dpx_dma_is_valid(dma_id))
		return -ENODEV;
	rc = dpx_dma_info_get(dma_id, info);
	if (rc < 0)
		return rc;
	if (vchan >= info->nb_vchans)
		return -EINVAL;
	if (!(info->dev_capa & DPX_DMA_CAPA_OPS_COPY) ||
	    !(info->dev_capa & DPX_DMA_CAPA_MEM_TO_MEM))
		return -ENOTSUP;
	rc = dpx_dma_container_get(dma_id, fd);
	if (rc == -ENOENT)
		return (info->dev_capa & DPX_DMA_CAPA_SVA) ? 0 : -ENOTSUP;
	if (rc < 0)
		return rc;
	/* guest memory goes in at IOVA = VA, mbufs at their VA: only where the
	 * EAL's IOVAs are VAs too do they all meet without colliding */
	if (dpx_eal_iova_mode() == DPX_IOVA_PA)
		return -ENOTSUP;
	return 1;
}

static int
vchan_configure(int16_t dma_id, uint16_t vchan)
{
	struct vhost_async_vchan *vc = &vhost_async_vchans[dma_id][vchan];
	struct dpx_dma_info info;
	uint32_t slots = 1;
	uintptr_t *table;
	int fd = 0, c = -1, rc;

	rc = vchan_check(dma_id, vchan, &info, &fd);
	if (rc < 0)
		return rc;
	/* one slot per job the vchan can hold; a power of two divides 65536,
	 * so job index & mask stays right when the index wraps */
	while (slots < info.max_desc)
		slots <<= 1;
	table = calloc(slots, sizeof(*table));
	if (table == NULL)
		return -ENOMEM;
	if (rc == 1) {
		c = container_get(fd);
		if (c < 0) {
			free(table);
			return c;
		}
	}
	/* a burst that saw it configured before an unconfigure takes the lock
	 * and checks again: the slots change only under the lock */
	vhost_lock_take(&vc->lock);
	free(vc->slots);
	vc->slots = table;
	vc->mask = (uint16_t)(slots - 1);
	vc->container = c;
	vc->in_flight = 0;
	/* release: pairs with the acquire load in vhost_async_vchan_get */
	__atomic_store_n(&vc->configured, true, __ATOMIC_RELEASE);
	vhost_lock_release(&vc->lock);
	configured[nconfigured].dma = dma_id;
	configured[nconfigured].vchan = vchan;
	nconfigured++;
	VHOST_LOG(INFO, "async: DMA %d vchan %u configured (%u job slots, %s)", dma_id, vchan,
		  slots, c < 0 ? "IOVA = VA" : "behind a VFIO container");
	return 0;
}

int
dpx_vhost_async_dma_configure(int16_t dma_id, uint16_t vchan)
{
	int rc = 0;

	if (dma_id < 0 || dma_id >= DPX_DMADEV_MAX_DEVS || !dpx_dma_is_valid(dma_id))
		rc = -ENODEV;
	else if (vchan >= DPX_DMA_MAX_VCHANS)
		rc = -EINVAL;
	if (rc < 0) {
		VHOST_LOG(ERR, "async: DMA %d vchan %u: %s", dma_id, vchan, dpx_strerror(rc));
		return rc;
	}
	vhost_global_lock();
	if (!vhost_async_vchans[dma_id][vchan].configured)
		rc = vchan_configure(dma_id, vchan);
	vhost_global_unlock();
	if (rc < 0)
		VHOST_LOG(ERR, "async: DMA %d vchan %u not configured: %s", dma_id, vchan,
			  dpx_strerror(rc));
	return rc;
}

int
dpx_vhost_async_dma_unconfigure(int16_t dma_id, uint16_t vchan)
{
	struct vhost_async_vchan *vc;
	uint32_t in_flight;
	unsigned int i;
	int c = -1;

	vhost_global_lock();
	vc = vhost_async_vchan_get(dma_id, vchan);
	if (vc == NULL) {
		vhost_global_unlock();
		return -EINVAL;
	}
	vhost_lock_take(&vc->lock);
	vhost_async_vchan_collect(dma_id, vchan, vc);
	in_flight = vc->in_flight;
	if (in_flight == 0) {
		/* a burst that read it configured re-checks under the lock */
		__atomic_store_n(&vc->configured, false, __ATOMIC_RELAXED);
		c = vc->container;
		vc->container = -1;
	}
	vhost_lock_release(&vc->lock);
	if (in_flight == 0) {
		container_put(c);
		for (i = 0; i < nconfigured; i++)
			if (configured[i].dma == dma_id && configured[i].vchan == vchan)
				configured[i] = configured[--nconfigured];
	}
	vhost_global_unlock();
	if (in_flight > 0) {
		VHOST_LOG(ERR, "async: DMA %d vchan %u: %u jobs not completed: not unconfigured",
			  dma_id, vchan, in_flight);
		return -EBUSY;
	}
	return 0;
}

void
vhost_async_collect_all(void)
{
	unsigned int i;

	for (i = 0; i < nconfigured; i++) {
		struct vhost_async_vchan *vc =
			&vhost_async_vchans[configured[i].dma][configured[i].vchan];

		if (__atomic_load_n(&vc->in_flight, __ATOMIC_RELAXED) == 0)
			continue;
		vhost_lock_take(&vc->lock);
		vhost_async_vchan_collect(configured[i].dma, configured[i].vchan, vc);
		vhost_lock_release(&vc->lock);
	}
}

/* ---- drain ---- */

/*
 * The engine missed the deadline: no job of this vring may mark its packets
 * any more (their slots are cleared), and their mbufs are never returned,
 * since the engine may still read or write them. Behind an IOMMU the
 * regions' unmap makes the engine fault from then on; without one, the
 * device's guest memory must stay mapped for good.
 */
static void
abandon(struct vhost_dev *dev, struct vhost_vq *vq)
{
	struct vhost_async *as = vq->async;
	uintptr_t lo = (uintptr_t)as->pkts, hi = (uintptr_t)(as->pkts + VHOST_ASYNC_RING);
	unsigned int i, leaked = 0, packets = 0;
	uint16_t p, idx, k;

	for (i = 0; i < nconfigured; i++) {
		struct vhost_async_vchan *vc =
			&vhost_async_vchans[configured[i].dma][configured[i].vchan];
		unsigned int cleared = 0;

		vhost_lock_take(&vc->lock);
		for (k = 0; k < DPX_MIN(vc->in_flight, (uint32_t)vc->mask + 1); k++) {
			idx = (uint16_t)(vc->issued - 1 - k);
			uintptr_t s = vc->slots[idx & vc->mask] & ~(uintptr_t)1;

			if (s >= lo && s < hi) {
				vc->slots[idx & vc->mask] = 0;
				cleared++;
			}
		}
		vhost_lock_release(&vc->lock);
		if (cleared > 0 && vc->container < 0)
			dev->async_keep_memory = true;
	}
	for (p = as->pkt_pub; p != as->pkt_head; p++) {
		struct vhost_async_pkt *e = &as->pkts[p & VHOST_ASYNC_MASK];

		leaked += e->mbuf != NULL;
		packets += e->packet;
		e->mbuf = NULL;
	}
	as->pkt_pub = as->pkt_head;
	as->used_pub = as->used_head;
	as->log_pub = as->log_head;
	/* dropped like a packet whose copy failed (async_drop): counted in both */
	__atomic_store_n(&as->cnt.dma_errors, as->cnt.dma_errors + packets, __ATOMIC_RELAXED);
	__atomic_store_n(&vq->stats.errors, vq->stats.errors + packets, __ATOMIC_RELAXED);
	vq->broken = true;
	dev->broken = true;
	VHOST_LOG(ERR,
		  "vid %d vring %u: DMA copies not complete after %u ms: %u packets abandoned, "
		  "%u mbufs never returned; device broken%s",
		  dev->vid, as->vring, VHOST_ASYNC_DRAIN_MS, packets, leaked,
		  dev->async_keep_memory ? "; its guest memory stays mapped (an engine without "
					   "IOMMU may still write there)"
					 : "");
}

uint64_t (*vhost_async_clock_ms)(void) = vhost_now_ms;

uint64_t
vhost_async_deadline(void)
{
	return vhost_async_clock_ms() + VHOST_ASYNC_DRAIN_MS;
}

int
vhost_async_drain_by(struct vhost_dev *dev, struct vhost_vq *vq, uint64_t deadline)
{
	struct vhost_async *as = vq->async;

	if (as == NULL || as->pkt_pub == as->pkt_head)
		return 0;
	/* past the deadline still one look: another vring's wait may have let
	 * this one's copies complete */
	for (;;) {
		vhost_async_collect_all();
		vhost_async_complete(dev, vq);
		if (as->pkt_pub == as->pkt_head)
			return 0;
		if (vhost_async_clock_ms() >= deadline)
			break;
		sched_yield();
	}
	abandon(dev, vq);
	return -ETIMEDOUT;
}

int
vhost_async_drain(struct vhost_dev *dev, struct vhost_vq *vq)
{
	return vhost_async_drain_by(dev, vq, vhost_async_deadline());
}

void
vhost_async_vq_free(struct vhost_dev *dev, struct vhost_vq *vq)
{
	struct vhost_async *as = vq->async;
	unsigned int freed = 0;
	uint16_t p;

	if (as == NULL)
		return;
	/* drained before: what is left waits for the application, which is gone */
	for (p = as->pkt_tail; p != as->pkt_head; p++) {
		struct vhost_async_pkt *e = &as->pkts[p & VHOST_ASYNC_MASK];

		if (e->mbuf != NULL) {
			dpx_pktmbuf_free(e->mbuf);
			freed++;
		}
	}
	if (freed > 0)
		VHOST_LOG(WARNING,
			  "vid %d vring %u: %u mbufs the application did not collect freed",
			  dev->vid, as->vring, freed);
	vq->async = NULL;
	free(as);
	dev->async_vrings--;
}

/* ---- channels ---- */

int
dpx_vhost_async_channel_register(int vid, uint16_t vring)
{
	struct vhost_async *as = calloc(1, sizeof(*as));
	struct vhost_dev *dev;
	struct vhost_vq *vq;
	int rc = 0;

	if (as == NULL)
		return -ENOMEM;
	vhost_global_lock();
	dev = vhost_dev_get(vid);
	vq = dev != NULL && vring < DPX_VHOST_MAX_VRINGS ? dev->vq[vring] : NULL;
	if (dev == NULL)
		rc = -ENODEV;
	else if (vq == NULL)
		rc = -EINVAL;
	else if (vq->async != NULL)
		rc = -EEXIST;
	else if (!dev->async_mapped)
		rc = dev_map(dev);
	if (rc == 0) {
		as->rx = (vring & 1) == 0;
		as->vring = vring;
		as->last_vchan = UINT32_MAX;
		vhost_lock_take(&vq->access_lock);
		vq->async = as;
		vhost_lock_release(&vq->access_lock);
		dev->async_vrings++;
		as = NULL;
	}
	vhost_global_unlock();
	free(as);
	if (rc < 0)
		VHOST_LOG(ERR, "vid %d vring %u: async channel not registered: %s", vid, vring,
			  dpx_strerror(rc));
	return rc;
}

int
dpx_vhost_async_channel_unregister(int vid, uint16_t vring)
{
	struct vhost_dev *dev;
	struct vhost_vq *vq;
	int rc = 0;

	vhost_global_lock();
	dev = vhost_dev_get(vid);
	vq = dev != NULL && vring < DPX_VHOST_MAX_VRINGS ? dev->vq[vring] : NULL;
	if (dev == NULL) {
		rc = -ENODEV;
	} else if (vq == NULL || vq->async == NULL) {
		rc = -EINVAL;
	} else {
		vhost_lock_take(&vq->access_lock);
		rc = vhost_async_drain(dev, vq);
		if (rc == 0 && vhost_async_held(vq->async) > 0)
			rc = -EBUSY;
		if (rc == 0)
			vhost_async_vq_free(dev, vq);
		vhost_lock_release(&vq->access_lock);
		if (rc == -ETIMEDOUT)
			vhost_dev_break(dev);
		if (rc == 0 && dev->async_vrings == 0 && dev->async_mapped)
			dev_unmap(dev);
	}
	vhost_global_unlock();
	if (rc < 0 && rc != -EBUSY)
		VHOST_LOG(ERR, "vid %d vring %u: async channel not unregistered: %s", vid, vring,
			  dpx_strerror(rc));
	return rc;
}

int
dpx_vhost_async_set_copy_threshold(int vid, uint32_t bytes)
{
	struct vhost_dev *dev;
	int rc = -ENODEV;

	vhost_global_lock();
	dev = vhost_dev_get(vid);
	if (dev != NULL) {
		/* read once per burst, relaxed: the next burst uses it */
		__atomic_store_n(&dev->async_threshold, bytes, __ATOMIC_RELAXED);
		rc = 0;
	}
	vhost_global_unlock();
	return rc;
}

/* The async state of a vring, under the vhost mutex; NULL with *rc set. */
static struct vhost_async *
async_of(int vid, uint16_t vring, int *rc)
{
	struct vhost_dev *dev = vhost_dev_get(vid);
	struct vhost_vq *vq = dev != NULL && vring < DPX_VHOST_MAX_VRINGS ? dev->vq[vring] : NULL;

	*rc = dev == NULL ? -ENODEV : (vq == NULL || vq->async == NULL) ? -EINVAL : 0;
	return *rc == 0 ? vq->async : NULL;
}

int
dpx_vhost_async_get_inflight(int vid, uint16_t vring)
{
	struct vhost_async *as;
	int rc;

	vhost_global_lock();
	as = async_of(vid, vring, &rc);
	if (as != NULL)
		rc = vhost_async_held(as);
	vhost_global_unlock();
	return rc;
}

void
vhost_async_stats_read(struct vhost_async *as, struct dpx_vhost_async_stats *stats, bool reset)
{
	const uint64_t *now = (const uint64_t *)&as->cnt;
	uint64_t *base = (uint64_t *)&as->base, *out = (uint64_t *)stats, v;
	unsigned int i;

	/* the counters come first in the same order in both structs */
	_Static_assert(offsetof(struct dpx_vhost_async_stats, dma_errors) ==
			       offsetof(struct vhost_async_counters, dma_errors),
		       "async counters in the public order");
	for (i = 0; i < sizeof(as->cnt) / sizeof(uint64_t); i++) {
		v = __atomic_load_n(&now[i], __ATOMIC_RELAXED);
		out[i] = v - base[i];
		if (reset)
			base[i] = v;
	}
	stats->in_flight = (uint64_t)vhost_async_held(as);
}

int
dpx_vhost_async_stats_get(int vid, uint16_t vring, struct dpx_vhost_async_stats *stats, int reset)
{
	struct vhost_async *as;
	int rc;

	vhost_global_lock();
	as = async_of(vid, vring, &rc);
	if (as != NULL)
		vhost_async_stats_read(as, stats, reset != 0);
	vhost_global_unlock();
	return rc;
}
