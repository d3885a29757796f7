/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * dmadev, driver side: how a driver makes a DMA device and serves it.
 *
 * Probe (a vdev or PCI driver):
 *     dev = dpx_dma_pmd_allocate(name, numa_node, sizeof(struct my_priv));
 *     struct my_priv *p = dev->dev_private;        // zeroed, cache aligned
 *     dev->dev_ops = &ops; dev->driver_name = "dma_x"; dev->device = bus_dev;
 *     dev->fp.copy = ...; .submit, .completed, .completed_status, .burst_capacity
 *     dpx_dma_pmd_probing_finish(dev);             // visible to applications
 * Remove: dpx_dma_pmd_remove_by_name(name) (stops and closes the device if
 * the application has not closed it already).
 *
 * dmadev calls the ops only in allowed states and with checked arguments:
 * dev_configure and vchan_setup while stopped, with nb_vchans <=
 * info.max_vchans, vchan < nb_vchans, a direction in the capabilities and
 * min_desc <= nb_desc <= max_desc; dev_start when configured with every
 * vchan set up; dev_close when stopped. The control ops of one device are
 * never called concurrently.
 *
 * Fast path: dmadev passes dev->dev_private (fp.dev_private is ignored at
 * probe) and a vchan below nb_vchans (checked only with debug checks). The
 * functions of dev->fp are called only while the device is started, except
 * completed and completed_status, which are also called after dev_stop
 * returned and until the next dev_start or dev_close: they must report the
 * jobs that stop finished. Job indices start at 0 at every dev_start.
 *
 * Counters: a driver that counts in software keeps a struct
 * dpx_dma_vchan_stats per vchan and uses the helpers at the end.
 */
#ifndef DPX_DMADEV_DRIVER_H
#define DPX_DMADEV_DRIVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <dpx_dmadev.h>

struct dpx_dma_dev;

struct dpx_dma_dev_ops {
	/**
	 * Required: fill dev_capa, max_vchans (<= DPX_DMA_MAX_VCHANS), max_desc
	 * and min_desc; dmadev fills dev_name, driver_name, nb_vchans, numa_node.
	 */
	int (*dev_info_get)(const struct dpx_dma_dev *dev, struct dpx_dma_info *info);
	/** Required: take conf->nb_vchans vchans; vchans set up before are forgotten. */
	int (*dev_configure)(struct dpx_dma_dev *dev, const struct dpx_dma_conf *conf);
	/** Required: (re)make vchan's ring of conf->nb_desc slots. */
	int (*vchan_setup)(struct dpx_dma_dev *dev, uint16_t vchan,
			   const struct dpx_dma_vchan_conf *conf);
	/** Required: start every vchan, job indices from 0; dmadev switches dev->fp in after. */
	int (*dev_start)(struct dpx_dma_dev *dev);
	/**
	 * Required: run every job enqueued (submitted or not) to completion,
	 * then touch memory no more. dmadev has switched copy, submit and
	 * burst_capacity to its dummies before the call.
	 */
	int (*dev_stop)(struct dpx_dma_dev *dev);
	/** Optional: free what the driver made; dev_private itself is freed by dmadev. */
	int (*dev_close)(struct dpx_dma_dev *dev);
	/** Required: one vchan's counters (dmadev sums them for DPX_DMA_ALL_VCHAN). */
	int (*stats_get)(const struct dpx_dma_dev *dev, uint16_t vchan,
			 struct dpx_dma_stats *stats);
	/** Required: zero one vchan's counters. */
	int (*stats_reset)(struct dpx_dma_dev *dev, uint16_t vchan);
	/** Optional: print the driver's own state, after dmadev's lines. */
	int (*dev_dump)(const struct dpx_dma_dev *dev, FILE *f);
	/**
	 * Optional: set *container_fd to the VFIO container the device's IOVAs
	 * go through and return 0, or return -ENOENT (none now). A driver that
	 * can return 0 sets DPX_DMA_CAPA_IOMMU whenever it does.
	 */
	int (*container_get)(const struct dpx_dma_dev *dev, int *container_fd);
};

enum dpx_dma_dev_state {
	DPX_DMA_DEV_UNUSED = 0,
	DPX_DMA_DEV_ATTACHED, /**< allocated, probe under way: not visible to applications */
	DPX_DMA_DEV_READY,    /**< probing finished */
};

struct dpx_dma_dev {
	/* set by the driver at probe */
	const struct dpx_dma_dev_ops *dev_ops;
	const char *driver_name;
	void *device; /**< the bus device (struct dpx_vdev_device *...) */
	/** fast-path functions (dev_private and nb_vchans here are dmadev's to fill) */
	struct dpx_dma_fp_object fp;

	/* dmadev's: drivers read them, never write them */
	char name[DPX_DMA_NAME_MAX_LEN];
	int16_t dev_id;
	int numa_node;
	enum dpx_dma_dev_state state;
	void *dev_private; /**< private_size bytes, zeroed, cache aligned */
	struct dpx_dma_conf conf;
	struct dpx_dma_vchan_conf vchan_conf[DPX_DMA_MAX_VCHANS];
	uint32_t vchans_set_up; /**< bit v: vchan v set up since the last configure */
	bool configured;
	bool started;
};

/**
 * Reserve a device id and name for a new device.
 * @param numa_node the device's node (-1: unknown)
 * @param private_size bytes of driver data (dev->dev_private), 0 for none
 * @return the device (state ATTACHED), or NULL with dpx_errno: EINVAL (empty
 *   or too long name), EEXIST (a device has that name), ENOSPC (all
 *   DPX_DMADEV_MAX_DEVS ids in use), ENOMEM.
 */
struct dpx_dma_dev *dpx_dma_pmd_allocate(const char *name, int numa_node, size_t private_size);

/** Make an allocated device visible to applications (state READY). */
void dpx_dma_pmd_probing_finish(struct dpx_dma_dev *dev);

/** @return the device with that id (ready), or NULL. */
struct dpx_dma_dev *dpx_dma_pmd_get(int16_t dev_id);

/** @return the device of that name (attached or ready), or NULL. */
struct dpx_dma_dev *dpx_dma_pmd_get_by_name(const char *name);

/**
 * Free a device's id, name and dev_private without calling its ops (a probe
 * that fails after allocate).
 * @return 0, or -EINVAL (NULL or already released).
 */
int dpx_dma_pmd_release(struct dpx_dma_dev *dev);

/**
 * A driver's remove: stop and close the device of that name.
 * @return 0 (also when the application closed it already), or the error of
 *   dpx_dma_stop() or dpx_dma_close().
 */
int dpx_dma_pmd_remove_by_name(const char *name);

/* ---- software counters ---- */

/**
 * Counters of one vchan. cnt is written only by the thread driving the
 * vchan's fast path (relaxed stores, so readers on other threads see whole
 * values); base only by the control thread: a reset records cnt in base
 * instead of zeroing cnt, so it never races with the fast path's
 * read-modify-write. Values read as cnt - base.
 */
struct dpx_dma_vchan_stats {
	struct dpx_dma_stats cnt;
	struct dpx_dma_stats base;
};

/** Count n jobs submitted (the vchan's fast-path thread only). */
static inline void
dpx_dma_vchan_stats_submitted(struct dpx_dma_vchan_stats *s, uint64_t n)
{
	__atomic_store_n(&s->cnt.submitted, s->cnt.submitted + n, __ATOMIC_RELAXED);
}

/** Count n jobs reported complete, errors of them failed (fast-path thread only). */
static inline void
dpx_dma_vchan_stats_completed(struct dpx_dma_vchan_stats *s, uint64_t n, uint64_t errors)
{
	__atomic_store_n(&s->cnt.completed, s->cnt.completed + n, __ATOMIC_RELAXED);
	if (errors != 0)
		__atomic_store_n(&s->cnt.errors, s->cnt.errors + errors, __ATOMIC_RELAXED);
}

/** Read the counters since the last reset (any thread). */
void dpx_dma_vchan_stats_read(const struct dpx_dma_vchan_stats *s, struct dpx_dma_stats *out);

/** Zero the counters (the control thread). */
void dpx_dma_vchan_stats_reset(struct dpx_dma_vchan_stats *s);

#endif /* DPX_DMADEV_DRIVER_H */
