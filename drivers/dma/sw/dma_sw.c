/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dma_sw: a DMA engine whose copies run on a worker thread (an EAL worker
 * lcore, or a thread of its own, pinned to a CPU or not), so the thread
 * that submits pays for the ring, not for the copy.
 *
 *   --vdev dma_sw0[,lcore=N | ,cpu=N][,ring_size=N][,idle_us=N][,nt_threshold=N]
 *
 * The worker runs from dpx_dma_start to dpx_dma_stop. This file: devargs,
 * probe/remove and the control ops; dma_sw_fp.c the fast path,
 * dma_sw_worker.c the worker, dma_sw_bind.c the container binding.
 */
#include <errno.h>
#include <inttypes.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <dpx_bus_vdev_driver.h>
#include <dpx_lcore.h>
#include <dpx_malloc.h>
#include <dpx_memory.h>

#include "dma_sw_private.h"
#include "dpx_dma_sw.h"

DPX_LOG_REGISTER(dma_sw_logtype, "pmd.dma.sw");

#define SW_DEFAULT_IDLE_US 1000
/*
 * Copies from 1 MiB on use streaming stores: the dma_sw_copy perf case
 * measures both ways, and this is where streaming started to win here (see
 * doc/dmadev.md for the figures). Packet copies are far below it.
 */
#define SW_DEFAULT_NT_THRESHOLD (UINT64_C(1) << 20)
#define SW_MIN_NT_THRESHOLD 256

static const struct dpx_dma_dev_ops sw_ops;

static struct sw_dev *
priv(const struct dpx_dma_dev *dev)
{
	return dev->dev_private;
}

/* ---- control ops ---- */

static int
sw_info(const struct dpx_dma_dev *dev, struct dpx_dma_info *info)
{
	const struct sw_dev *sw = priv(dev);

	info->dev_capa = DPX_DMA_CAPA_MEM_TO_MEM | DPX_DMA_CAPA_HANDLES_ERRORS |
			 DPX_DMA_CAPA_OPS_COPY |
			 (sw->bind.bound ? DPX_DMA_CAPA_IOMMU : DPX_DMA_CAPA_SVA);
	info->max_vchans = DPX_DMA_MAX_VCHANS;
	info->max_desc = sw->max_desc;
	info->min_desc = SW_MIN_DESC;
	return 0;
}

static void
vchan_free(struct sw_vchan *vc)
{
	dpx_free(vc->jobs);
	dpx_free(vc->status);
	memset(vc, 0, sizeof(*vc));
}

static int
sw_configure(struct dpx_dma_dev *dev, const struct dpx_dma_conf *conf)
{
	struct sw_dev *sw = priv(dev);

	for (unsigned int v = 0; v < DPX_DMA_MAX_VCHANS; v++)
		vchan_free(&sw->vchans[v]);
	sw->nb_vchans = conf->nb_vchans;
	return 0;
}

static int
sw_vchan_setup(struct dpx_dma_dev *dev, uint16_t vchan, const struct dpx_dma_vchan_conf *conf)
{
	struct sw_vchan *vc = &priv(dev)->vchans[vchan];
	int socket = dev->numa_node >= 0 ? dev->numa_node : DPX_SOCKET_ID_ANY;
	uint32_t size = conf->nb_desc;

	if (!DPX_IS_POWER_OF_2(size)) {
		SW_LOG(ERR, "%s: vchan %u: ring of %u is not a power of two", dev->name, vchan,
		       size);
		return -EINVAL;
	}
	vchan_free(vc);
	vc->jobs = dpx_zmalloc_socket("dma_sw jobs", size * sizeof(vc->jobs[0]),
				      DPX_CACHE_LINE_SIZE, socket);
	vc->status = dpx_zmalloc_socket("dma_sw status", size, DPX_CACHE_LINE_SIZE, socket);
	if (vc->jobs == NULL || vc->status == NULL) {
		SW_LOG(ERR, "%s: vchan %u: no memory for a ring of %u on NUMA node %d", dev->name,
		       vchan, size, socket);
		vchan_free(vc);
		return -ENOMEM;
	}
	vc->size = size;
	vc->mask = size - 1;
	return 0;
}

static int
sw_start(struct dpx_dma_dev *dev)
{
	struct sw_dev *sw = priv(dev);

	for (uint16_t v = 0; v < sw->nb_vchans; v++) {
		struct sw_vchan *vc = &sw->vchans[v];

		/* the worker is not running: plain stores, published by its start */
		vc->head = vc->collected = vc->submitted = vc->done = 0;
		vc->errors_seen = vc->errors_total = 0;
		memset(vc->status, 0, vc->size);
	}
	return dma_sw_worker_start(sw);
}

static int
sw_stop(struct dpx_dma_dev *dev)
{
	struct sw_dev *sw = priv(dev);

	/* the fast path is quiet (dmadev's rule): this thread stands in for it */
	for (uint16_t v = 0; v < sw->nb_vchans; v++) {
		struct sw_vchan *vc = &sw->vchans[v];
		uint32_t n = vc->head - vc->submitted;

		if (n == 0)
			continue;
		/* release: partner of the worker's acquire, as in publish() */
		__atomic_store_n(&vc->submitted, vc->head, __ATOMIC_RELEASE);
		dpx_dma_vchan_stats_submitted(&vc->stats, n);
	}
	dma_sw_worker_stop(sw);
	return 0;
}

static int
sw_close(struct dpx_dma_dev *dev)
{
	struct sw_dev *sw = priv(dev);

	dma_sw_unbind(sw);
	for (unsigned int v = 0; v < DPX_DMA_MAX_VCHANS; v++)
		vchan_free(&sw->vchans[v]);
	return 0;
}

static int
sw_stats_get(const struct dpx_dma_dev *dev, uint16_t vchan, struct dpx_dma_stats *stats)
{
	dpx_dma_vchan_stats_read(&priv(dev)->vchans[vchan].stats, stats);
	return 0;
}

static int
sw_stats_reset(struct dpx_dma_dev *dev, uint16_t vchan)
{
	dpx_dma_vchan_stats_reset(&priv(dev)->vchans[vchan].stats);
	return 0;
}

static int
sw_dump(const struct dpx_dma_dev *dev, FILE *f)
{
	const struct sw_dev *sw = priv(dev);

	if (sw->kind == SW_THREAD_LCORE)
		fprintf(f, "  worker: lcore %u", sw->lcore);
	else if (sw->cpu >= 0)
		fprintf(f, "  worker: thread on cpu %d", sw->cpu);
	else
		fprintf(f, "  worker: thread, not pinned");
	fprintf(f, "%s, idle_us %" PRIu64 ", nt_threshold %" PRIu64 ", slept %" PRIu64 " times\n",
		sw->running ? " (running)" : "", sw->idle_us, sw->nt_threshold,
		__atomic_load_n(&sw->sleeps, __ATOMIC_RELAXED));
	if (sw->bind.bound)
		fprintf(f, "  bound to VFIO container %d: %u mappings, %" PRIu64 " snapshots\n",
			sw->bind.container_fd,
			__atomic_load_n(&sw->bind.nb_mappings, __ATOMIC_RELAXED),
			__atomic_load_n(&sw->bind.snapshots, __ATOMIC_RELAXED));
	else
		fprintf(f, "  not bound: IOVA is VA\n");
	for (uint16_t v = 0; v < sw->nb_vchans; v++) {
		const struct sw_vchan *vc = &sw->vchans[v];
		fprintf(f, "  vchan %u: enqueued %u, submitted %u, done %u, collected %u\n", v,
			vc->head, __atomic_load_n(&vc->submitted, __ATOMIC_RELAXED),
			__atomic_load_n(&vc->done, __ATOMIC_RELAXED), vc->collected);
	}
	return 0;
}

static int
sw_container_get(const struct dpx_dma_dev *dev, int *container_fd)
{
	const struct sw_dev *sw = priv(dev);

	if (!sw->bind.bound)
		return -ENOENT;
	*container_fd = sw->bind.container_fd;
	return 0;
}

static const struct dpx_dma_dev_ops sw_ops = {
	.dev_info_get = sw_info,
	.dev_configure = sw_configure,
	.vchan_setup = sw_vchan_setup,
	.dev_start = sw_start,
	.dev_stop = sw_stop,
	.dev_close = sw_close,
	.stats_get = sw_stats_get,
	.stats_reset = sw_stats_reset,
	.dev_dump = sw_dump,
	.container_get = sw_container_get,
};

/* ---- binding (dpx_dma_sw.h) ---- */

/* The stopped dma_sw device with that id, or NULL and *rc set. */
static struct sw_dev *
stopped_sw_dev(int16_t dev_id, int *rc)
{
	struct dpx_dma_dev *dev = dpx_dma_pmd_get(dev_id);

	if (dev == NULL || dev->dev_ops != &sw_ops) {
		SW_LOG(ERR, "DMA device %d is not a dma_sw device", dev_id);
		*rc = -ENODEV;
		return NULL;
	}
	if (dev->started) {
		SW_LOG(ERR, "%s: bind or unbind while started", dev->name);
		*rc = -EBUSY;
		return NULL;
	}
	return priv(dev);
}

int
dpx_dma_sw_bind_container(int16_t dev_id, int container_fd)
{
	int rc = 0;
	struct sw_dev *sw = stopped_sw_dev(dev_id, &rc);

	return sw != NULL ? dma_sw_bind(sw, container_fd) : rc;
}

int
dpx_dma_sw_unbind_container(int16_t dev_id)
{
	int rc = 0;
	struct sw_dev *sw = stopped_sw_dev(dev_id, &rc);

	if (sw != NULL)
		dma_sw_unbind(sw);
	return rc;
}

/* ---- devargs, probe, remove ---- */

static const char *const sw_keys[] = {"lcore", "cpu", "ring_size", "idle_us", "nt_threshold", NULL};

static int
parse_worker(const char *name, const struct dpx_kvargs *kv, struct sw_dev *sw)
{
	bool has_lcore = dpx_kvargs_get(kv, "lcore") != NULL;
	long ncpu = sysconf(_SC_NPROCESSORS_CONF);
	uint64_t v;
	int rc;

	if (has_lcore && dpx_kvargs_get(kv, "cpu") != NULL) {
		SW_LOG(ERR, "%s: lcore= and cpu= both given: the worker is one or the other", name);
		return -EINVAL;
	}
	sw->kind = has_lcore ? SW_THREAD_LCORE : SW_THREAD_OWN;
	rc = dpx_kvargs_get_u64(kv, "lcore", 0, 0, DPX_MAX_LCORE - 1, &v);
	if (rc == 0 && has_lcore &&
	    (!dpx_lcore_is_enabled((unsigned int)v) || v == dpx_get_main_lcore())) {
		SW_LOG(ERR, "%s: lcore %" PRIu64 " is not a worker lcore of this process", name, v);
		return -EINVAL;
	}
	sw->lcore = (unsigned int)v;
	if (rc == 0)
		rc = dpx_kvargs_get_u64(kv, "cpu", UINT64_MAX, 0,
					(uint64_t)DPX_MIN(ncpu, CPU_SETSIZE) - 1, &v);
	sw->cpu = rc == 0 && v != UINT64_MAX ? (int)v : -1;
	return rc;
}

static int
parse_args(const char *name, const struct dpx_kvargs *kv, struct sw_dev *sw)
{
	uint64_t ring;
	int rc = parse_worker(name, kv, sw);

	if (rc == 0)
		rc = dpx_kvargs_get_u64(kv, "ring_size", SW_DEFAULT_MAX_DESC, SW_MIN_DESC,
					SW_MAX_DESC, &ring);
	if (rc == 0 && !DPX_IS_POWER_OF_2(ring)) {
		SW_LOG(ERR, "%s: ring_size=%" PRIu64 " is not a power of two", name, ring);
		return -EINVAL;
	}
	sw->max_desc = (uint16_t)ring;
	if (rc == 0)
		rc = dpx_kvargs_get_u64(kv, "idle_us", SW_DEFAULT_IDLE_US, 0, UINT32_MAX,
					&sw->idle_us);
	if (rc == 0)
		rc = dpx_kvargs_get_u64(kv, "nt_threshold", SW_DEFAULT_NT_THRESHOLD, 0, UINT32_MAX,
					&sw->nt_threshold);
	if (rc == 0 && sw->nt_threshold != 0 && sw->nt_threshold < SW_MIN_NT_THRESHOLD) {
		SW_LOG(ERR, "%s: nt_threshold=%" PRIu64 ": 0 (never) or %u and more", name,
		       sw->nt_threshold, SW_MIN_NT_THRESHOLD);
		return -EINVAL;
	}
	if (!dma_sw_nt_available())
		sw->nt_threshold = 0;
	/* out of range is a bad argument like any other for dpx_vdev_init */
	return rc == -ERANGE ? -EINVAL : rc;
}

static int
sw_probe(struct dpx_vdev_device *vdev)
{
	const char *name = dpx_vdev_device_name(vdev);
	struct sw_dev settings = {0};
	struct dpx_dma_dev *dev;
	int rc = parse_args(name, dpx_vdev_device_kvargs(vdev), &settings);

	if (rc != 0)
		return rc;
	dev = dpx_dma_pmd_allocate(name, dpx_vdev_device_numa_node(vdev), sizeof(struct sw_dev));
	if (dev == NULL)
		return -dpx_errno;
	struct sw_dev *sw = dev->dev_private;
	*sw = settings;
	snprintf(sw->name, sizeof(sw->name), "%s", name);
	dev->dev_ops = &sw_ops;
	dev->driver_name = "dma_sw";
	dev->device = vdev;
	dev->fp = dma_sw_prefetchw_available() && !dma_sw_test_hooks.no_prefetchw
			  ? dma_sw_fp
			  : dma_sw_fp_noprefetch;
	dpx_dma_pmd_probing_finish(dev);
	SW_LOG(INFO, "%s: DMA device %d, worker %s", name, dev->dev_id,
	       sw->kind == SW_THREAD_LCORE ? "on an lcore" : "thread");
	return 0;
}

static int
sw_remove(struct dpx_vdev_device *vdev)
{
	return dpx_dma_pmd_remove_by_name(dpx_vdev_device_name(vdev));
}

static struct dpx_vdev_driver sw_driver = {
	.valid_keys = sw_keys,
	.probe = sw_probe,
	.remove = sw_remove,
};
DPX_PMD_REGISTER_VDEV(dma_sw, sw_driver);
