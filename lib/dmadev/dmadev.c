/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dmadev: the device table, the device state machine and the fast-path table.
 *
 * Invariants:
 * - dma_devices[i].state != UNUSED  <=>  the id i and its name are taken.
 * - dpx_dma_fp_objs[i] holds the driver's functions exactly while
 *   dma_devices[i].started; after a stop only completed and
 *   completed_status are the driver's (the stop's jobs can be collected);
 *   before the first start and after close every function is a dummy.
 * - vchans_set_up has bits only below conf.nb_vchans; a start needs them all.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <dpx_log.h>

#include "dpx_dmadev_driver.h"

DPX_LOG_REGISTER_STATIC(dmadev_logtype, "lib.dmadev");
#define DMA_LOG(level, fmt, ...) DPX_LOG(level, dmadev_logtype, "dmadev: " fmt, ##__VA_ARGS__)

struct dpx_dma_fp_object dpx_dma_fp_objs[DPX_DMADEV_MAX_DEVS];

static struct dpx_dma_dev dma_devices[DPX_DMADEV_MAX_DEVS];
/* Guards the id and name table; the ops of one device are the caller's to serialise. */
static pthread_mutex_t devs_lock = PTHREAD_MUTEX_INITIALIZER;

/* ---- the dummies of a device that is not started ---- */

static int
dummy_copy(void *dev_private, uint16_t vchan, uint64_t src, uint64_t dst, uint32_t len,
	   uint64_t flags)
{
	(void)dev_private, (void)vchan, (void)src, (void)dst, (void)len, (void)flags;
	return -ENODEV;
}

static int
dummy_submit(void *dev_private, uint16_t vchan)
{
	(void)dev_private, (void)vchan;
	return -ENODEV;
}

static uint16_t
dummy_completed(void *dev_private, uint16_t vchan, uint16_t nb_cpls, uint16_t *last_idx,
		bool *has_error)
{
	(void)dev_private, (void)vchan, (void)nb_cpls, (void)last_idx, (void)has_error;
	return 0;
}

static uint16_t
dummy_completed_status(void *dev_private, uint16_t vchan, uint16_t nb_cpls, uint16_t *last_idx,
		       enum dpx_dma_status_code *status)
{
	(void)dev_private, (void)vchan, (void)nb_cpls, (void)last_idx, (void)status;
	return 0;
}

static uint16_t
dummy_burst_capacity(const void *dev_private, uint16_t vchan)
{
	(void)dev_private, (void)vchan;
	return 0;
}

static const struct dpx_dma_fp_object dummy_fp = {
	.copy = dummy_copy,
	.submit = dummy_submit,
	.completed = dummy_completed,
	.completed_status = dummy_completed_status,
	.burst_capacity = dummy_burst_capacity,
};

/* nb_vchans stays what the device has, so that debug checks still reject vchans beyond it. */
static void
fp_reset(struct dpx_dma_dev *dev)
{
	struct dpx_dma_fp_object *fp = &dpx_dma_fp_objs[dev->dev_id];

	*fp = dummy_fp;
	fp->nb_vchans = dev->state != DPX_DMA_DEV_UNUSED ? dev->conf.nb_vchans : 0;
}

__attribute__((constructor)) static void
fp_init(void)
{
	for (unsigned int i = 0; i < DPX_DMADEV_MAX_DEVS; i++)
		dpx_dma_fp_objs[i] = dummy_fp;
}

void
dpx_dma_fp_check_failed(const char *fn, int16_t dev_id, uint16_t vchan)
{
	DMA_LOG(ERR, "%s: invalid device %d or vchan %u (or NULL status array)", fn, dev_id, vchan);
}

/* ---- device table ---- */

static struct dpx_dma_dev *
dev_get(int16_t dev_id)
{
	/* acquire: partner of dpx_dma_pmd_probing_finish's release (the device is filled in) */
	if (dev_id < 0 || dev_id >= DPX_DMADEV_MAX_DEVS ||
	    __atomic_load_n(&dma_devices[dev_id].state, __ATOMIC_ACQUIRE) != DPX_DMA_DEV_READY)
		return NULL;
	return &dma_devices[dev_id];
}

/* The ready device with that id, or NULL after logging. */
static struct dpx_dma_dev *
dev_get_checked(int16_t dev_id, const char *fn)
{
	struct dpx_dma_dev *dev = dev_get(dev_id);

	if (dev == NULL)
		DMA_LOG(ERR, "%s: invalid DMA device %d", fn, dev_id);
	return dev;
}

#define DMA_GET_OR_RET(dev, dev_id)                          \
	do {                                                 \
		(dev) = dev_get_checked((dev_id), __func__); \
		if ((dev) == NULL)                           \
			return -ENODEV;                      \
	} while (0)

static struct dpx_dma_dev *
find_by_name_locked(const char *name)
{
	for (unsigned int i = 0; name != NULL && i < DPX_DMADEV_MAX_DEVS; i++)
		if (dma_devices[i].state != DPX_DMA_DEV_UNUSED &&
		    strcmp(dma_devices[i].name, name) == 0)
			return &dma_devices[i];
	return NULL;
}

static int
allocate_locked(const char *name, size_t len, struct dpx_dma_dev **out)
{
	unsigned int i;

	if (find_by_name_locked(name) != NULL) {
		DMA_LOG(ERR, "DMA device name %s already in use", name);
		return EEXIST;
	}
	for (i = 0; i < DPX_DMADEV_MAX_DEVS && dma_devices[i].state != DPX_DMA_DEV_UNUSED; i++)
		;
	if (i == DPX_DMADEV_MAX_DEVS) {
		DMA_LOG(ERR, "cannot allocate %s: all %d DMA device ids in use", name,
			DPX_DMADEV_MAX_DEVS);
		return ENOSPC;
	}
	struct dpx_dma_dev *dev = &dma_devices[i];
	memset(dev, 0, sizeof(*dev));
	memcpy(dev->name, name, len + 1);
	dev->dev_id = (int16_t)i;
	dev->state = DPX_DMA_DEV_ATTACHED;
	*out = dev;
	return 0;
}

struct dpx_dma_dev *
dpx_dma_pmd_allocate(const char *name, int numa_node, size_t private_size)
{
	size_t len = name != NULL ? strnlen(name, DPX_DMA_NAME_MAX_LEN) : 0;
	struct dpx_dma_dev *dev = NULL;
	void *priv = NULL;
	int err;

	if (len == 0 || len >= DPX_DMA_NAME_MAX_LEN) {
		DMA_LOG(ERR, "DMA device name \"%.*s\" %s", (int)len, name != NULL ? name : "",
			len == 0 ? "is empty" : "is too long");
		dpx_errno = EINVAL;
		return NULL;
	}
	if (private_size > 0 &&
	    posix_memalign(&priv, DPX_CACHE_LINE_SIZE,
			   DPX_ALIGN_CEIL(private_size, DPX_CACHE_LINE_SIZE)) != 0) {
		dpx_errno = ENOMEM;
		return NULL;
	}
	if (priv != NULL)
		memset(priv, 0, private_size);
	pthread_mutex_lock(&devs_lock);
	err = allocate_locked(name, len, &dev);
	if (err == 0) {
		dev->dev_private = priv;
		dev->numa_node = numa_node;
	}
	pthread_mutex_unlock(&devs_lock);
	if (err != 0) {
		free(priv);
		dpx_errno = err;
		return NULL;
	}
	return dev;
}

void
dpx_dma_pmd_probing_finish(struct dpx_dma_dev *dev)
{
	if (dev == NULL || dev->state != DPX_DMA_DEV_ATTACHED)
		return;
	fp_reset(dev);
	/* release: partner of dev_get's acquire, for threads that look devices up */
	__atomic_store_n(&dev->state, DPX_DMA_DEV_READY, __ATOMIC_RELEASE);
}

struct dpx_dma_dev *
dpx_dma_pmd_get(int16_t dev_id)
{
	return dev_get(dev_id);
}

struct dpx_dma_dev *
dpx_dma_pmd_get_by_name(const char *name)
{
	struct dpx_dma_dev *dev;

	pthread_mutex_lock(&devs_lock);
	dev = find_by_name_locked(name);
	pthread_mutex_unlock(&devs_lock);
	return dev;
}

int
dpx_dma_pmd_release(struct dpx_dma_dev *dev)
{
	if (dev == NULL || dev->state == DPX_DMA_DEV_UNUSED)
		return -EINVAL;
	pthread_mutex_lock(&devs_lock);
	dev->state = DPX_DMA_DEV_UNUSED;
	fp_reset(dev);
	free(dev->dev_private);
	memset(dev, 0, sizeof(*dev));
	pthread_mutex_unlock(&devs_lock);
	return 0;
}

int
dpx_dma_pmd_remove_by_name(const char *name)
{
	struct dpx_dma_dev *dev = dpx_dma_pmd_get_by_name(name);
	int rc;

	if (dev == NULL)
		return 0;
	if (dev->state != DPX_DMA_DEV_READY)
		return dpx_dma_pmd_release(dev);
	rc = dpx_dma_stop(dev->dev_id);
	return rc != 0 ? rc : dpx_dma_close(dev->dev_id);
}

uint16_t
dpx_dma_count_avail(void)
{
	uint16_t n = 0;

	for (unsigned int i = 0; i < DPX_DMADEV_MAX_DEVS; i++)
		n += dma_devices[i].state == DPX_DMA_DEV_READY;
	return n;
}

int
dpx_dma_is_valid(int16_t dev_id)
{
	return dev_get(dev_id) != NULL;
}

int16_t
dpx_dma_next_dev(int16_t start_dev_id)
{
	for (int16_t i = DPX_MAX(start_dev_id, 0); i < DPX_DMADEV_MAX_DEVS; i++)
		if (dma_devices[i].state == DPX_DMA_DEV_READY)
			return i;
	return -1;
}

int
dpx_dma_get_dev_id_by_name(const char *name)
{
	struct dpx_dma_dev *dev;

	if (name == NULL)
		return -EINVAL;
	dev = dpx_dma_pmd_get_by_name(name);
	return dev != NULL && dev->state == DPX_DMA_DEV_READY ? dev->dev_id : -ENODEV;
}

/* ---- control ---- */

static int
dev_info(const struct dpx_dma_dev *dev, struct dpx_dma_info *info)
{
	int rc;

	memset(info, 0, sizeof(*info));
	rc = dev->dev_ops->dev_info_get(dev, info);
	if (rc != 0)
		return rc;
	info->max_vchans = DPX_MIN(info->max_vchans, DPX_DMA_MAX_VCHANS);
	info->dev_name = dev->name;
	info->driver_name = dev->driver_name;
	info->nb_vchans = dev->configured ? dev->conf.nb_vchans : 0;
	info->numa_node = dev->numa_node;
	return 0;
}

int
dpx_dma_info_get(int16_t dev_id, struct dpx_dma_info *info)
{
	struct dpx_dma_dev *dev;

	DMA_GET_OR_RET(dev, dev_id);
	if (info == NULL)
		return -EINVAL;
	return dev_info(dev, info);
}

static int
check_stopped(const struct dpx_dma_dev *dev, const char *what)
{
	if (dev->started) {
		DMA_LOG(ERR, "%s: %s while started", dev->name, what);
		return -EBUSY;
	}
	return 0;
}

/* What configure and vchan setup begin with: the device, a conf, stopped, its info. */
static int
prepare_stopped(int16_t dev_id, const void *conf, const char *what, struct dpx_dma_dev **dev,
		struct dpx_dma_info *info)
{
	int rc;

	*dev = dev_get_checked(dev_id, what);
	if (*dev == NULL)
		return -ENODEV;
	if (conf == NULL)
		return -EINVAL;
	rc = check_stopped(*dev, what);
	return rc != 0 ? rc : dev_info(*dev, info);
}

int
dpx_dma_configure(int16_t dev_id, const struct dpx_dma_conf *conf)
{
	struct dpx_dma_info info;
	struct dpx_dma_dev *dev;
	int rc = prepare_stopped(dev_id, conf, "configure", &dev, &info);

	if (rc != 0)
		return rc;
	if (conf->nb_vchans == 0 || conf->nb_vchans > info.max_vchans) {
		DMA_LOG(ERR, "%s: %u vchans, want 1..%u", dev->name, conf->nb_vchans,
			info.max_vchans);
		return -EINVAL;
	}
	dev->configured = false;
	dev->vchans_set_up = 0;
	rc = dev->dev_ops->dev_configure(dev, conf);
	if (rc != 0)
		return rc;
	dev->conf = *conf;
	dev->configured = true;
	fp_reset(dev);
	return 0;
}

static int
check_vchan_conf(const struct dpx_dma_dev *dev, uint16_t vchan,
		 const struct dpx_dma_vchan_conf *conf, const struct dpx_dma_info *info)
{
	if (!dev->configured || vchan >= dev->conf.nb_vchans) {
		DMA_LOG(ERR, "%s: vchan %u: %s", dev->name, vchan,
			dev->configured ? "beyond the configured vchans" : "device not configured");
		return -EINVAL;
	}
	if (conf->direction != DPX_DMA_DIR_MEM_TO_MEM ||
	    !(info->dev_capa & DPX_DMA_CAPA_MEM_TO_MEM)) {
		DMA_LOG(ERR, "%s: vchan %u: direction %d not supported", dev->name, vchan,
			(int)conf->direction);
		return -EINVAL;
	}
	if (conf->nb_desc < info->min_desc || conf->nb_desc > info->max_desc) {
		DMA_LOG(ERR, "%s: vchan %u: ring of %u, want %u..%u", dev->name, vchan,
			conf->nb_desc, info->min_desc, info->max_desc);
		return -EINVAL;
	}
	return 0;
}

int
dpx_dma_vchan_setup(int16_t dev_id, uint16_t vchan, const struct dpx_dma_vchan_conf *conf)
{
	struct dpx_dma_info info;
	struct dpx_dma_dev *dev;
	int rc = prepare_stopped(dev_id, conf, "vchan setup", &dev, &info);

	if (rc == 0)
		rc = check_vchan_conf(dev, vchan, conf, &info);
	if (rc != 0)
		return rc;
	dev->vchans_set_up &= ~(UINT32_C(1) << vchan);
	rc = dev->dev_ops->vchan_setup(dev, vchan, conf);
	if (rc != 0)
		return rc;
	dev->vchan_conf[vchan] = *conf;
	dev->vchans_set_up |= UINT32_C(1) << vchan;
	return 0;
}

int
dpx_dma_start(int16_t dev_id)
{
	struct dpx_dma_fp_object *fp;
	struct dpx_dma_dev *dev;
	uint32_t all;
	int rc;

	DMA_GET_OR_RET(dev, dev_id);
	if (dev->started)
		return 0;
	all = dev->configured ? (UINT32_C(1) << dev->conf.nb_vchans) - 1 : 0;
	if (!dev->configured || dev->vchans_set_up != all) {
		DMA_LOG(ERR, "%s: start: %s", dev->name,
			dev->configured ? "a vchan is not set up" : "not configured");
		return -EINVAL;
	}
	rc = dev->dev_ops->dev_start(dev);
	if (rc != 0)
		return rc;
	fp = &dpx_dma_fp_objs[dev_id];
	*fp = dev->fp;
	fp->dev_private = dev->dev_private;
	fp->nb_vchans = dev->conf.nb_vchans;
	dev->started = true;
	return 0;
}

int
dpx_dma_stop(int16_t dev_id)
{
	struct dpx_dma_fp_object *fp;
	struct dpx_dma_dev *dev;

	DMA_GET_OR_RET(dev, dev_id);
	if (!dev->started)
		return 0;
	/* no new job from here on; what the stop finishes stays collectable */
	fp = &dpx_dma_fp_objs[dev_id];
	fp->copy = dummy_copy;
	fp->submit = dummy_submit;
	fp->burst_capacity = dummy_burst_capacity;
	dev->started = false;
	return dev->dev_ops->dev_stop(dev);
}

int
dpx_dma_close(int16_t dev_id)
{
	struct dpx_dma_dev *dev;
	int rc;

	DMA_GET_OR_RET(dev, dev_id);
	rc = check_stopped(dev, "close");
	if (rc != 0)
		return rc;
	fp_reset(dev);
	rc = dev->dev_ops->dev_close != NULL ? dev->dev_ops->dev_close(dev) : 0;
	dpx_dma_pmd_release(dev);
	return rc;
}

/* ---- counters, dump, container ---- */

static int
check_stats_vchan(const struct dpx_dma_dev *dev, uint16_t vchan)
{
	if (!dev->configured || (vchan >= dev->conf.nb_vchans && vchan != DPX_DMA_ALL_VCHAN)) {
		DMA_LOG(ERR, "%s: stats of vchan %u: %s", dev->name, vchan,
			dev->configured ? "no such vchan" : "device not configured");
		return -EINVAL;
	}
	return 0;
}

int
dpx_dma_stats_get(int16_t dev_id, uint16_t vchan, struct dpx_dma_stats *stats)
{
	struct dpx_dma_stats one;
	struct dpx_dma_dev *dev;
	int rc;

	DMA_GET_OR_RET(dev, dev_id);
	if (stats == NULL)
		return -EINVAL;
	rc = check_stats_vchan(dev, vchan);
	if (rc != 0)
		return rc;
	if (vchan != DPX_DMA_ALL_VCHAN)
		return dev->dev_ops->stats_get(dev, vchan, stats);
	memset(stats, 0, sizeof(*stats));
	for (uint16_t v = 0; v < dev->conf.nb_vchans; v++) {
		rc = dev->dev_ops->stats_get(dev, v, &one);
		if (rc != 0)
			return rc;
		stats->submitted += one.submitted;
		stats->completed += one.completed;
		stats->errors += one.errors;
	}
	return 0;
}

int
dpx_dma_stats_reset(int16_t dev_id, uint16_t vchan)
{
	struct dpx_dma_dev *dev;
	int rc;

	DMA_GET_OR_RET(dev, dev_id);
	rc = check_stats_vchan(dev, vchan);
	if (rc != 0 || vchan != DPX_DMA_ALL_VCHAN)
		return rc != 0 ? rc : dev->dev_ops->stats_reset(dev, vchan);
	for (uint16_t v = 0; v < dev->conf.nb_vchans && rc == 0; v++)
		rc = dev->dev_ops->stats_reset(dev, v);
	return rc;
}

int
dpx_dma_dump(int16_t dev_id, FILE *f)
{
	struct dpx_dma_stats st;
	struct dpx_dma_info info;
	struct dpx_dma_dev *dev;
	int rc;

	DMA_GET_OR_RET(dev, dev_id);
	if (f == NULL)
		return -EINVAL;
	rc = dev_info(dev, &info);
	if (rc != 0)
		return rc;
	fprintf(f,
		"DMA device %d %s (driver %s, NUMA node %d): %s, capabilities 0x%" PRIx64
		", vchans %u of %u, ring %u..%u\n",
		dev->dev_id, dev->name, dev->driver_name, dev->numa_node,
		dev->started	  ? "started"
		: dev->configured ? "stopped"
				  : "not configured",
		info.dev_capa, info.nb_vchans, info.max_vchans, info.min_desc, info.max_desc);
	for (uint16_t v = 0; dev->configured && v < dev->conf.nb_vchans; v++) {
		if (!(dev->vchans_set_up & (UINT32_C(1) << v))) {
			fprintf(f, "  vchan %u: not set up\n", v);
			continue;
		}
		if (dev->dev_ops->stats_get(dev, v, &st) != 0)
			memset(&st, 0, sizeof(st));
		fprintf(f,
			"  vchan %u: ring %u, submitted %" PRIu64 ", completed %" PRIu64
			", errors %" PRIu64 "\n",
			v, dev->vchan_conf[v].nb_desc, st.submitted, st.completed, st.errors);
	}
	return dev->dev_ops->dev_dump != NULL ? dev->dev_ops->dev_dump(dev, f) : 0;
}

int
dpx_dma_container_get(int16_t dev_id, int *container_fd)
{
	struct dpx_dma_dev *dev;

	DMA_GET_OR_RET(dev, dev_id);
	if (container_fd == NULL)
		return -EINVAL;
	if (dev->dev_ops->container_get == NULL)
		return -ENOENT;
	return dev->dev_ops->container_get(dev, container_fd);
}

const char *
dpx_dma_status_str(enum dpx_dma_status_code status)
{
	switch (status) {
	case DPX_DMA_STATUS_SUCCESSFUL:
		return "successful";
	case DPX_DMA_STATUS_USER_ABORT:
		return "aborted";
	case DPX_DMA_STATUS_NOT_ATTEMPTED:
		return "not attempted";
	case DPX_DMA_STATUS_INVALID_SRC_ADDR:
		return "invalid source address";
	case DPX_DMA_STATUS_INVALID_DST_ADDR:
		return "invalid destination address";
	case DPX_DMA_STATUS_INVALID_ADDR:
		return "invalid address";
	case DPX_DMA_STATUS_INVALID_LENGTH:
		return "invalid length";
	case DPX_DMA_STATUS_BUS_READ_ERROR:
		return "bus read error";
	case DPX_DMA_STATUS_BUS_WRITE_ERROR:
		return "bus write error";
	case DPX_DMA_STATUS_ERROR_UNKNOWN:
		break;
	}
	return "unknown error";
}

const char *
dpx_dma_capability_name(uint64_t capa)
{
	switch (capa) {
	case DPX_DMA_CAPA_MEM_TO_MEM:
		return "mem-to-mem";
	case DPX_DMA_CAPA_SVA:
		return "iova-is-va";
	case DPX_DMA_CAPA_IOMMU:
		return "iommu";
	case DPX_DMA_CAPA_HANDLES_ERRORS:
		return "handles-errors";
	case DPX_DMA_CAPA_OPS_COPY:
		return "copy";
	}
	return NULL;
}

void
dpx_dma_vchan_stats_read(const struct dpx_dma_vchan_stats *s, struct dpx_dma_stats *out)
{
	out->submitted = __atomic_load_n(&s->cnt.submitted, __ATOMIC_RELAXED) - s->base.submitted;
	out->completed = __atomic_load_n(&s->cnt.completed, __ATOMIC_RELAXED) - s->base.completed;
	out->errors = __atomic_load_n(&s->cnt.errors, __ATOMIC_RELAXED) - s->base.errors;
}

void
dpx_dma_vchan_stats_reset(struct dpx_dma_vchan_stats *s)
{
	s->base.submitted = __atomic_load_n(&s->cnt.submitted, __ATOMIC_RELAXED);
	s->base.completed = __atomic_load_n(&s->cnt.completed, __ATOMIC_RELAXED);
	s->base.errors = __atomic_load_n(&s->cnt.errors, __ATOMIC_RELAXED);
}
