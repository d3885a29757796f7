/* SPDX-License-Identifier: BSD-3-Clause */
/* A DMA engine whose jobs run when the test says so (see dma_fake.h). */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <dpx_dmadev_driver.h>

#include "dma_fake.h"

#define FAKE_MAX_RING 4096

struct fake_job {
	uint64_t src, dst;
	uint32_t len;
	bool fail;
	enum dpx_dma_status_code st;
};

/* One device: the state is the file's, under one mutex (the test's thread
 * and the vhost thread may call in at once; dmadev's rule is one thread
 * at a time per vchan, which vhost keeps, not the test). */
static struct {
	pthread_mutex_t lock;
	struct dpx_dma_dev *dev;
	uint16_t size;
	/* free-running: enqueued <= submitted... ; [reported, ran) finished, [ran, submitted)
	 * waiting */
	uint16_t enqueued, submitted, ran, reported;
	bool hold;
	uint32_t fail_mask[65536 / 32];
	uint64_t ran_total;
	struct fake_job jobs[FAKE_MAX_RING];
	struct dpx_dma_vchan_stats stats;
} F = {.lock = PTHREAD_MUTEX_INITIALIZER};

static void
run_locked(unsigned int n)
{
	while (n-- > 0 && F.ran != F.submitted) {
		struct fake_job *j = &F.jobs[F.ran % F.size];

		if (F.fail_mask[F.ran / 32] & (1u << (F.ran % 32))) {
			F.fail_mask[F.ran / 32] &= ~(1u << (F.ran % 32));
			j->st = DPX_DMA_STATUS_INVALID_DST_ADDR;
		} else {
			memmove((void *)(uintptr_t)j->dst, (const void *)(uintptr_t)j->src, j->len);
			j->st = DPX_DMA_STATUS_SUCCESSFUL;
		}
		F.ran++;
		F.ran_total++;
	}
}

static int
fake_copy(void *p, uint16_t vchan, uint64_t src, uint64_t dst, uint32_t len, uint64_t flags)
{
	int idx;

	(void)p, (void)vchan;
	pthread_mutex_lock(&F.lock);
	if ((uint16_t)(F.enqueued - F.reported) == F.size) {
		pthread_mutex_unlock(&F.lock);
		return -ENOSPC;
	}
	F.jobs[F.enqueued % F.size] = (struct fake_job){src, dst, len, false, 0};
	idx = F.enqueued++;
	if (flags & DPX_DMA_OP_FLAG_SUBMIT)
		F.submitted = F.enqueued;
	pthread_mutex_unlock(&F.lock);
	return idx;
}

static int
fake_submit(void *p, uint16_t vchan)
{
	(void)p, (void)vchan;
	pthread_mutex_lock(&F.lock);
	dpx_dma_vchan_stats_submitted(&F.stats, (uint16_t)(F.enqueued - F.submitted));
	F.submitted = F.enqueued;
	pthread_mutex_unlock(&F.lock);
	return 0;
}

/* Report finished jobs: the successful run (status NULL stops at a failure). */
static uint16_t
report(uint16_t n, uint16_t *last, bool *has_error, enum dpx_dma_status_code *st)
{
	uint16_t k = 0, errors = 0;

	pthread_mutex_lock(&F.lock);
	if (!F.hold)
		run_locked(F.size);
	while (k < n && F.reported != F.ran) {
		struct fake_job *j = &F.jobs[F.reported % F.size];

		if (st == NULL && j->st != DPX_DMA_STATUS_SUCCESSFUL) {
			*has_error = true;
			break;
		}
		if (st != NULL)
			st[k] = j->st;
		errors += j->st != DPX_DMA_STATUS_SUCCESSFUL;
		F.reported++;
		k++;
	}
	*last = (uint16_t)(F.reported - 1);
	dpx_dma_vchan_stats_completed(&F.stats, k, errors);
	pthread_mutex_unlock(&F.lock);
	return k;
}

static uint16_t
fake_completed(void *p, uint16_t vchan, uint16_t n, uint16_t *last, bool *has_error)
{
	(void)p, (void)vchan;
	return report(n, last, has_error, NULL);
}

static uint16_t
fake_completed_status(void *p, uint16_t vchan, uint16_t n, uint16_t *last,
		      enum dpx_dma_status_code *st)
{
	bool err;

	(void)p, (void)vchan;
	return report(n, last, &err, st);
}

static uint16_t
fake_capacity(const void *p, uint16_t vchan)
{
	uint16_t c;

	(void)p, (void)vchan;
	pthread_mutex_lock(&F.lock);
	c = (uint16_t)(F.size - (uint16_t)(F.enqueued - F.reported));
	pthread_mutex_unlock(&F.lock);
	return c;
}

static int
fake_info(const struct dpx_dma_dev *dev, struct dpx_dma_info *info)
{
	(void)dev;
	info->dev_capa = DPX_DMA_CAPA_MEM_TO_MEM | DPX_DMA_CAPA_SVA | DPX_DMA_CAPA_HANDLES_ERRORS |
			 DPX_DMA_CAPA_OPS_COPY;
	info->max_vchans = 1;
	info->max_desc = FAKE_MAX_RING;
	info->min_desc = 16;
	return 0;
}

static int
fake_configure(struct dpx_dma_dev *dev, const struct dpx_dma_conf *conf)
{
	(void)dev, (void)conf;
	return 0;
}

static int
fake_vchan_setup(struct dpx_dma_dev *dev, uint16_t vchan, const struct dpx_dma_vchan_conf *conf)
{
	(void)dev, (void)vchan;
	F.size = conf->nb_desc;
	return 0;
}

static int
fake_start(struct dpx_dma_dev *dev)
{
	(void)dev;
	F.enqueued = F.submitted = F.ran = F.reported = 0;
	return 0;
}

static int
fake_stop(struct dpx_dma_dev *dev)
{
	(void)dev;
	pthread_mutex_lock(&F.lock);
	F.submitted = F.enqueued;
	run_locked(F.size);
	pthread_mutex_unlock(&F.lock);
	return 0;
}

static int
fake_stats_get(const struct dpx_dma_dev *dev, uint16_t vchan, struct dpx_dma_stats *stats)
{
	(void)dev, (void)vchan;
	dpx_dma_vchan_stats_read(&F.stats, stats);
	return 0;
}

static int
fake_stats_reset(struct dpx_dma_dev *dev, uint16_t vchan)
{
	(void)dev, (void)vchan;
	dpx_dma_vchan_stats_reset(&F.stats);
	return 0;
}

static const struct dpx_dma_dev_ops fake_ops = {
	.dev_info_get = fake_info,
	.dev_configure = fake_configure,
	.vchan_setup = fake_vchan_setup,
	.dev_start = fake_start,
	.dev_stop = fake_stop,
	.stats_get = fake_stats_get,
	.stats_reset = fake_stats_reset,
};

int
dma_fake_create(uint16_t ring)
{
	struct dpx_dma_conf conf = {.nb_vchans = 1};
	struct dpx_dma_vchan_conf vconf = {.direction = DPX_DMA_DIR_MEM_TO_MEM, .nb_desc = ring};
	struct dpx_dma_dev *dev;
	int rc;

	if (ring > FAKE_MAX_RING || ring < 16)
		return -EINVAL;
	dev = dpx_dma_pmd_allocate("dma_fake0", -1, 0);
	if (dev == NULL)
		return -dpx_errno;
	dev->dev_ops = &fake_ops;
	dev->driver_name = "dma_fake";
	dev->fp.copy = fake_copy;
	dev->fp.submit = fake_submit;
	dev->fp.completed = fake_completed;
	dev->fp.completed_status = fake_completed_status;
	dev->fp.burst_capacity = fake_capacity;
	dpx_dma_pmd_probing_finish(dev);
	F.dev = dev;
	F.hold = false;
	F.ran_total = 0;
	memset(F.fail_mask, 0, sizeof(F.fail_mask));
	memset(&F.stats, 0, sizeof(F.stats));
	rc = dpx_dma_configure(dev->dev_id, &conf);
	if (rc == 0)
		rc = dpx_dma_vchan_setup(dev->dev_id, 0, &vconf);
	if (rc == 0)
		rc = dpx_dma_start(dev->dev_id);
	return rc < 0 ? rc : dev->dev_id;
}

int
dma_fake_destroy(int16_t id)
{
	(void)id;
	F.dev = NULL;
	return dpx_dma_pmd_remove_by_name("dma_fake0");
}

void
dma_fake_hold(bool hold)
{
	pthread_mutex_lock(&F.lock);
	F.hold = hold;
	pthread_mutex_unlock(&F.lock);
}

unsigned int
dma_fake_run(unsigned int n)
{
	uint16_t before;

	pthread_mutex_lock(&F.lock);
	before = F.ran;
	run_locked(n);
	n = (uint16_t)(F.ran - before);
	pthread_mutex_unlock(&F.lock);
	return n;
}

unsigned int
dma_fake_pending(void)
{
	unsigned int n;

	pthread_mutex_lock(&F.lock);
	n = (uint16_t)(F.submitted - F.ran);
	pthread_mutex_unlock(&F.lock);
	return n;
}

void
dma_fake_fail(uint16_t job)
{
	pthread_mutex_lock(&F.lock);
	F.fail_mask[job / 32] |= 1u << (job % 32);
	pthread_mutex_unlock(&F.lock);
}

uint64_t
dma_fake_ran(void)
{
	uint64_t n;

	pthread_mutex_lock(&F.lock);
	n = F.ran_total;
	pthread_mutex_unlock(&F.lock);
	return n;
}
