/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * The dmadev fast-path table, needed by the inline functions of
 * dpx_dmadev.h. Applications must not read or write it.
 *
 * One cache-aligned entry per device holds what a job call needs: the
 * driver's functions and its private data. An entry is switched only by the
 * control calls (which never run concurrently with the device's fast path):
 * - not started (or no device): every function is a dummy (copy and submit
 *   return -ENODEV, the others 0);
 * - started: the driver's functions;
 * - stopped after a start: copy, submit and burst_capacity are dummies again,
 *   completed and completed_status stay the driver's, so that the jobs the
 *   stop finished can be collected.
 */
#ifndef DPX_DMADEV_CORE_H
#define DPX_DMADEV_CORE_H

#include <stdbool.h>
#include <stdint.h>

#include <dpx_common.h>

enum dpx_dma_status_code;

/** Driver copy: enqueue one job; the job index, or -ENOSPC. */
typedef int (*dpx_dma_copy_t)(void *dev_private, uint16_t vchan, uint64_t src, uint64_t dst,
			      uint32_t len, uint64_t flags);
/** Driver submit: start what was enqueued; 0. */
typedef int (*dpx_dma_submit_t)(void *dev_private, uint16_t vchan);
/**
 * Driver completed: as dpx_dma_completed(), with last_idx and has_error never
 * NULL and *has_error already false.
 */
typedef uint16_t (*dpx_dma_completed_t)(void *dev_private, uint16_t vchan, uint16_t nb_cpls,
					uint16_t *last_idx, bool *has_error);
/** Driver completed_status: as dpx_dma_completed_status(), last_idx never NULL. */
typedef uint16_t (*dpx_dma_completed_status_t)(void *dev_private, uint16_t vchan, uint16_t nb_cpls,
					       uint16_t *last_idx,
					       enum dpx_dma_status_code *status);
/** Driver burst_capacity: free ring slots of the vchan. */
typedef uint16_t (*dpx_dma_burst_capacity_t)(const void *dev_private, uint16_t vchan);

/** The functions of a device's fast path (also what a driver gives at probe). */
struct dpx_dma_fp_object {
	void *dev_private; /**< passed to every function */
	dpx_dma_copy_t copy;
	dpx_dma_submit_t submit;
	dpx_dma_completed_t completed;
	dpx_dma_completed_status_t completed_status;
	dpx_dma_burst_capacity_t burst_capacity;
	/* Read only by DPX_DEBUG_CHECKS: vchans configured, 0 when no device. */
	uint16_t nb_vchans;
} __dpx_cache_aligned;

/** Indexed by device id; written only by the dmadev control calls. */
extern struct dpx_dma_fp_object dpx_dma_fp_objs[];

/** Log a rejected fast-path call (DPX_DEBUG_CHECKS builds only). */
void dpx_dma_fp_check_failed(const char *fn, int16_t dev_id, uint16_t vchan);

#endif /* DPX_DMADEV_CORE_H */
