/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * dmadev: DMA engines that copy memory while the CPU does something else
 * (DPDK's dmadev shape, dpx names; guide: doc/dmadev.md).
 *
 * A device (id 0..DPX_DMADEV_MAX_DEVS-1, and a name) has one or more
 * virtual channels (vchans), each an independent, in-order queue of jobs:
 *
 *     dpx_dma_info_get -> dpx_dma_configure(nb_vchans) ->
 *     dpx_dma_vchan_setup(each vchan: direction, ring size) -> dpx_dma_start
 *     ... dpx_dma_copy / dpx_dma_submit / dpx_dma_completed ...
 *     dpx_dma_stop -> (reconfigure, restart) -> dpx_dma_close
 *
 * Jobs. dpx_dma_copy() puts a copy on a vchan's ring and returns its job
 * index, a 16-bit number that goes up by one per job and wraps (the first
 * job after dpx_dma_start() is 0). Nothing starts before dpx_dma_submit()
 * (or DPX_DMA_OP_FLAG_SUBMIT on the copy). Jobs of one vchan complete in
 * the order they were enqueued; dpx_dma_completed() reports a run of
 * successful ones, dpx_dma_completed_status() reports every finished job with
 * a status. A job's ring slot is free again once its completion was reported,
 * so a ring of nb_desc slots holds nb_desc jobs enqueued and not yet reported.
 * Once a job is reported complete its bytes are visible to every CPU.
 *
 * Addresses are IOVAs: what the engine puts on the bus. For an engine behind
 * a VFIO container (DPX_DMA_CAPA_IOMMU, see dpx_dma_container_get()) only
 * IOVAs mapped in that container reach memory; a job touching anything else
 * completes with an error status and writes nothing, as an IOMMU fault does.
 * Otherwise IOVAs are what the device's driver documents (for the software
 * engine when it is not bound to a container: virtual addresses).
 *
 * Threads. The control calls of one device must not run concurrently with
 * each other or with its fast-path calls; the fast-path calls of one vchan
 * must come from one thread at a time (different vchans may be driven by
 * different threads). Fast-path arguments are checked only in builds with
 * -Ddebug_checks=true.
 */
#ifndef DPX_DMADEV_H
#define DPX_DMADEV_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <dpx_common.h>
#include <dpx_errno.h>

/** Highest number of DMA devices. */
#define DPX_DMADEV_MAX_DEVS 64
/** Longest device name, terminating NUL included. */
#define DPX_DMA_NAME_MAX_LEN 64
/** Highest number of vchans of one device. */
#define DPX_DMA_MAX_VCHANS 16
/** "Every vchan" for dpx_dma_stats_get() and dpx_dma_stats_reset(). */
#define DPX_DMA_ALL_VCHAN 0xFFFFu

/**
 * @name Capabilities (struct dpx_dma_info::dev_capa)
 * @{
 */
/** Copies from memory to memory (DPX_DMA_DIR_MEM_TO_MEM). */
#define DPX_DMA_CAPA_MEM_TO_MEM (UINT64_C(1) << 0)
/** IOVAs are the process's virtual addresses (no IOMMU, no translation table). */
#define DPX_DMA_CAPA_SVA (UINT64_C(1) << 4)
/** A failed job is reported with its status and the jobs after it still run. */
#define DPX_DMA_CAPA_HANDLES_ERRORS (UINT64_C(1) << 6)
/** IOVAs go through a VFIO container's mappings (dpx_dma_container_get()). */
#define DPX_DMA_CAPA_IOMMU (UINT64_C(1) << 16)
/** dpx_dma_copy(). */
#define DPX_DMA_CAPA_OPS_COPY (UINT64_C(1) << 32)
/** @} */

/**
 * @name Job flags (dpx_dma_copy())
 * @{
 */
/** The job starts only after every job enqueued before it on the vchan has completed. */
#define DPX_DMA_OP_FLAG_FENCE (UINT64_C(1) << 0)
/** Submit this job and every job enqueued before it, as dpx_dma_submit() does. */
#define DPX_DMA_OP_FLAG_SUBMIT (UINT64_C(1) << 1)
/** @} */

/** What a device is and can do. */
struct dpx_dma_info {
	const char *dev_name;	 /**< the device's name (valid until close) */
	const char *driver_name; /**< "dma_sw", "dma_edu" */
	uint64_t dev_capa;	 /**< DPX_DMA_CAPA_* */
	uint16_t max_vchans;	 /**< most vchans dpx_dma_configure() accepts */
	uint16_t max_desc;	 /**< largest ring (nb_desc) of a vchan */
	uint16_t min_desc;	 /**< smallest ring of a vchan */
	uint16_t nb_vchans;	 /**< vchans configured (0 before dpx_dma_configure()) */
	int numa_node;		 /**< NUMA node of the device, or -1 when unknown */
};

/** Device configuration. */
struct dpx_dma_conf {
	uint16_t nb_vchans; /**< 1..info.max_vchans */
};

/** Transfer direction of a vchan. */
enum dpx_dma_direction {
	DPX_DMA_DIR_MEM_TO_MEM = 0, /**< the only one dpx's engines do */
};

/** vchan configuration. */
struct dpx_dma_vchan_conf {
	enum dpx_dma_direction direction;
	/** ring slots: info.min_desc..info.max_desc; drivers may require a power of two */
	uint16_t nb_desc;
};

/**
 * Job counters of a vchan (or the sum over a device's vchans), since start
 * of the device's life or the last reset. completed <= submitted and
 * errors <= completed at all times.
 */
struct dpx_dma_stats {
	uint64_t submitted; /**< jobs handed to the engine by dpx_dma_submit() or the SUBMIT flag */
	uint64_t completed; /**< jobs reported by dpx_dma_completed*(), successful or not */
	uint64_t errors;    /**< of those, jobs that failed */
};

/** Status of a finished job (dpx_dma_completed_status()). */
enum dpx_dma_status_code {
	DPX_DMA_STATUS_SUCCESSFUL = 0,	      /**< the bytes were copied */
	DPX_DMA_STATUS_USER_ABORT,	      /**< cancelled before it ran */
	DPX_DMA_STATUS_NOT_ATTEMPTED,	      /**< not run because of an earlier error */
	DPX_DMA_STATUS_INVALID_SRC_ADDR,      /**< the source is not reachable (IOMMU fault) */
	DPX_DMA_STATUS_INVALID_DST_ADDR,      /**< the destination is not reachable (IOMMU fault) */
	DPX_DMA_STATUS_INVALID_ADDR,	      /**< an address is not reachable, side unknown */
	DPX_DMA_STATUS_INVALID_LENGTH,	      /**< a length the device cannot do */
	DPX_DMA_STATUS_BUS_READ_ERROR,	      /**< the device's read failed */
	DPX_DMA_STATUS_BUS_WRITE_ERROR,	      /**< the device's write failed */
	DPX_DMA_STATUS_ERROR_UNKNOWN = 0x100, /**< any other failure */
};

/* ---- devices ---- */

/** @return the number of DMA devices (probed, not closed). */
uint16_t dpx_dma_count_avail(void);

/** @return 1 when dev_id is a DMA device (probed, not closed), else 0. */
int dpx_dma_is_valid(int16_t dev_id);

/**
 * @return the first device id >= start_dev_id, or -1 when there is none.
 */
int16_t dpx_dma_next_dev(int16_t start_dev_id);

/** Iterate over every DMA device. */
#define DPX_DMA_FOREACH_DEV(p) \
	for ((p) = dpx_dma_next_dev(0); (p) >= 0; (p) = dpx_dma_next_dev((int16_t)((p) + 1)))

/**
 * @return the id (>= 0) of the device with that name, or -EINVAL (NULL
 *   name), -ENODEV (no device of that name).
 */
int dpx_dma_get_dev_id_by_name(const char *name);

/**
 * Describe a device.
 * @return 0, or -ENODEV (no such device), -EINVAL (NULL info), or the
 *   driver's error.
 */
int dpx_dma_info_get(int16_t dev_id, struct dpx_dma_info *info);

/**
 * Configure a stopped device; vchans set up before are forgotten and must be
 * set up again.
 * @return 0, or -ENODEV, -EINVAL (NULL conf, nb_vchans 0 or above
 *   info.max_vchans), -EBUSY (started), -ENOMEM, or the driver's error.
 */
int dpx_dma_configure(int16_t dev_id, const struct dpx_dma_conf *conf);

/**
 * Set up (or set up again) a vchan of a configured, stopped device.
 * @return 0, or -ENODEV, -EINVAL (NULL conf, vchan >= nb_vchans, a direction
 *   the device lacks, nb_desc outside min_desc..max_desc or refused by the
 *   driver, e.g. not a power of two), -EBUSY (started), -ENOMEM, or the
 *   driver's error.
 */
int dpx_dma_vchan_setup(int16_t dev_id, uint16_t vchan, const struct dpx_dma_vchan_conf *conf);

/**
 * Start a configured device whose vchans are all set up. Job indices start
 * again at 0; completions not collected before are dropped.
 * @return 0 (also when already started), or -ENODEV, -EINVAL (not
 *   configured, or a vchan not set up), or the driver's error (e.g. the
 *   worker thread could not start).
 */
int dpx_dma_start(int16_t dev_id);

/**
 * Stop a device. Every job enqueued before is run to completion first (jobs
 * not yet submitted are submitted): when this returns the device touches no
 * memory, and the completions can still be collected with
 * dpx_dma_completed() and dpx_dma_completed_status() until the next start.
 * dpx_dma_copy() and dpx_dma_submit() on a stopped device return -ENODEV and
 * dpx_dma_burst_capacity() returns 0.
 * @return 0 (also when not started), or -ENODEV, or the driver's error.
 */
int dpx_dma_stop(int16_t dev_id);

/**
 * Release a stopped device: its id and name become free. Completions not
 * collected are dropped.
 * @return 0, or -ENODEV, -EBUSY (started), or the driver's error (the device
 *   is released anyway).
 */
int dpx_dma_close(int16_t dev_id);

/**
 * Read job counters.
 * @param vchan a vchan, or DPX_DMA_ALL_VCHAN for the sum over every vchan
 * @return 0, or -ENODEV, -EINVAL (NULL stats, vchan >= nb_vchans and not
 *   DPX_DMA_ALL_VCHAN, device not configured).
 */
int dpx_dma_stats_get(int16_t dev_id, uint16_t vchan, struct dpx_dma_stats *stats);

/**
 * Zero job counters (of one vchan, or every vchan with DPX_DMA_ALL_VCHAN).
 * @return 0, or -ENODEV, -EINVAL as dpx_dma_stats_get().
 */
int dpx_dma_stats_reset(int16_t dev_id, uint16_t vchan);

/**
 * Print a device's state, configuration, counters and the driver's own
 * details.
 * @return 0, or -ENODEV, -EINVAL (NULL f).
 */
int dpx_dma_dump(int16_t dev_id, FILE *f);

/**
 * The VFIO container whose mappings the device's IOVAs go through (the
 * mappings a DMA user such as async vhost must make for guest memory).
 * @param container_fd set to the container's fd (DPX_VFIO_DEFAULT_CONTAINER_FD
 *   for the default container)
 * @return 0, or -ENODEV, -EINVAL (NULL container_fd), -ENOENT (the device
 *   reaches memory without a container: DPX_DMA_CAPA_IOMMU is not set).
 */
int dpx_dma_container_get(int16_t dev_id, int *container_fd);

/** @return a constant name for a status code ("successful", "invalid source address"...). */
const char *dpx_dma_status_str(enum dpx_dma_status_code status);

/**
 * @param capa one DPX_DMA_CAPA_* bit
 * @return its constant name ("mem-to-mem", "iova-is-va", "iommu",
 *   "handles-errors", "copy"), or NULL for a bit that has none (or several bits).
 */
const char *dpx_dma_capability_name(uint64_t capa);

/* ---- fast path ---- */

#include <dpx_dmadev_core.h>

#ifdef DPX_DEBUG_CHECKS
#define DPX_DMA_FP_CHECK(dev_id, vchan, ret)                                  \
	do {                                                                  \
		if ((dev_id) < 0 || (dev_id) >= DPX_DMADEV_MAX_DEVS ||        \
		    (vchan) >= dpx_dma_fp_objs[(dev_id)].nb_vchans) {         \
			dpx_dma_fp_check_failed(__func__, (dev_id), (vchan)); \
			return (ret);                                         \
		}                                                             \
	} while (0)
#else
#define DPX_DMA_FP_CHECK(dev_id, vchan, ret) ((void)0)
#endif

/**
 * Enqueue a copy of len bytes from src to dst.
 * @param flags DPX_DMA_OP_FLAG_FENCE, DPX_DMA_OP_FLAG_SUBMIT
 * @return the job index (0..65535), or -ENOSPC (the ring is full: collect
 *   completions first), -ENODEV (the device is not started), -EINVAL (only
 *   with debug checks: bad dev_id or vchan).
 */
static inline int
dpx_dma_copy(int16_t dev_id, uint16_t vchan, uint64_t src, uint64_t dst, uint32_t len,
	     uint64_t flags)
{
	const struct dpx_dma_fp_object *obj;

	DPX_DMA_FP_CHECK(dev_id, vchan, -EINVAL);
	obj = &dpx_dma_fp_objs[dev_id];
	return obj->copy(obj->dev_private, vchan, src, dst, len, flags);
}

/**
 * Let the engine start every job enqueued so far on the vchan.
 * @return 0, or -ENODEV (the device is not started), -EINVAL (debug checks).
 */
static inline int
dpx_dma_submit(int16_t dev_id, uint16_t vchan)
{
	const struct dpx_dma_fp_object *obj;

	DPX_DMA_FP_CHECK(dev_id, vchan, -EINVAL);
	obj = &dpx_dma_fp_objs[dev_id];
	return obj->submit(obj->dev_private, vchan);
}

/**
 * Collect up to nb_cpls successful completions, oldest first. Stops before
 * the first failed job: that one (and those after it) is reported by
 * dpx_dma_completed_status(), which must be called to get past it.
 * @param last_idx (may be NULL) set to the index of the last job reported:
 *   by this call, or when it reports none, before it (65535 right after start)
 * @param has_error (may be NULL) set to true when the call stopped at a failed job
 * @return the number of jobs reported (0 also for a bad argument under debug checks)
 */
static inline uint16_t
dpx_dma_completed(int16_t dev_id, uint16_t vchan, uint16_t nb_cpls, uint16_t *last_idx,
		  bool *has_error)
{
	const struct dpx_dma_fp_object *obj;
	uint16_t idx;
	bool err;

	DPX_DMA_FP_CHECK(dev_id, vchan, 0);
	obj = &dpx_dma_fp_objs[dev_id];
	/* drivers always get both pointers, so their loops have no NULL checks */
	if (last_idx == NULL)
		last_idx = &idx;
	if (has_error == NULL)
		has_error = &err;
	*has_error = false;
	return obj->completed(obj->dev_private, vchan, nb_cpls, last_idx, has_error);
}

/**
 * Collect up to nb_cpls finished jobs, successful or not, oldest first, with
 * a status each.
 * @param last_idx (may be NULL) as for dpx_dma_completed()
 * @param status array of nb_cpls entries; status[i] is the i-th job's
 * @return the number of jobs reported (0 also for a bad argument under debug checks)
 */
static inline uint16_t
dpx_dma_completed_status(int16_t dev_id, uint16_t vchan, uint16_t nb_cpls, uint16_t *last_idx,
			 enum dpx_dma_status_code *status)
{
	const struct dpx_dma_fp_object *obj;
	uint16_t idx;

	DPX_DMA_FP_CHECK(dev_id, vchan, 0);
#ifdef DPX_DEBUG_CHECKS
	if (status == NULL && nb_cpls > 0) {
		dpx_dma_fp_check_failed(__func__, dev_id, vchan);
		return 0;
	}
#endif
	obj = &dpx_dma_fp_objs[dev_id];
	if (last_idx == NULL)
		last_idx = &idx;
	return obj->completed_status(obj->dev_private, vchan, nb_cpls, last_idx, status);
}

/**
 * @return how many more jobs dpx_dma_copy() accepts on the vchan right now
 *   (0 when the device is not started, or for a bad argument under debug checks)
 */
static inline uint16_t
dpx_dma_burst_capacity(int16_t dev_id, uint16_t vchan)
{
	const struct dpx_dma_fp_object *obj;

	DPX_DMA_FP_CHECK(dev_id, vchan, 0);
	obj = &dpx_dma_fp_objs[dev_id];
	return obj->burst_capacity(obj->dev_private, vchan);
}

#endif /* DPX_DMADEV_H */
