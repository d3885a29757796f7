/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dma_edu: QEMU's edu device as a dmadev with one vchan. The device has one
 * DMA engine and a 4 KiB buffer: a copy is a transfer from memory into the
 * buffer and one from the buffer to memory, both through the IOMMU; longer
 * jobs go in chunks. Jobs run one at a time, in order, so every job is
 * fenced. The driver moves a job on whenever the application calls
 * submit or completed*: it checks whether the transfer in flight is done
 * (the status register, or with irq=1 the interrupt's eventfd) and starts
 * the next one. Nothing runs in the background.
 *
 * What the device cannot report: edu ignores the result of its DMA, so a
 * transfer the IOMMU refuses "succeeds" (QEMU drops the write; a refused read
 * fills the buffer with zeros). Hence three checks of the driver's own:
 *   - iova_check (default on): before each chunk, both ranges must be mapped
 *     in the device's container (the table the IOMMU was given, followed by
 *     a VFIO DMA listener), else the job ends INVALID_SRC/DST_ADDR; the job
 *     as a whole is checked before its first byte moves, so a refused job
 *     writes nothing;
 *   - verify (default off): after each chunk the destination is read back
 *     through the IOMMU and compared, which catches a write the IOMMU
 *     dropped (unless the bytes were zeros, which a refused read returns);
 *   - a transfer that does not finish within timeout_ms ends its job with
 *     ERROR_UNKNOWN; the device is then taken as hung until the next start.
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <dpx_bus_pci_driver.h>
#include <dpx_cycles.h>
#include <dpx_dmadev_driver.h>
#include <dpx_log.h>
#include <dpx_malloc.h>
#include <dpx_vfio.h>

#include "dpx_dma_edu.h"
#include "edu_private.h"
#include "edu_regs.h"
/* the dma_sw engine's snapshot of a container's table serves here too */
#include "dpx_dma_iova_map.h"

DPX_LOG_REGISTER_STATIC(dma_edu_logtype, "pmd.dma.edu");
#define EDU_LOG(level, fmt, ...) DPX_LOG(level, dma_edu_logtype, "dma_edu: " fmt, ##__VA_ARGS__)

#define EDU_DRIVER_NAME "dma_edu"
#define EDU_MIN_DESC 2
#define EDU_MAX_DESC 4096
#define EDU_DEFAULT_DMA_BITS 28 /* edu's own default dma_mask: 256 MiB */
#define EDU_DEFAULT_TIMEOUT_MS 10000

struct edu_job {
	uint64_t src, dst;
	uint32_t len;
	uint16_t status; /* enum dpx_dma_status_code, valid once finished */
};

/* What the transfer in flight is; one chunk of the head job is READ, WRITE[, CHECK, OUT]. */
enum edu_phase {
	EDU_IDLE,
	EDU_READ,  /* source -> buffer[0, chunk) */
	EDU_WRITE, /* buffer[0, chunk) -> destination */
	EDU_CHECK, /* verify: destination -> buffer[chunk, 2 chunk) */
	EDU_OUT,   /* verify: buffer[0, 2 chunk) -> scratch, compared by the CPU */
};

struct edu_counters {
	uint64_t transfers, interrupts, lost_interrupts, chunks;
	uint64_t iova_refused, verify_mismatches, timeouts;
};

struct edu_priv {
	volatile uint8_t *bar;
	struct dpx_pci_device *pci;
	/* the ring: job indices are 16-bit and wrap; slot = index & mask.
	 * reported <= head <= submitted <= enq <= reported + nb_desc */
	struct edu_job *ring;
	uint16_t nb_desc, mask;
	uint16_t enq;	    /* next index dpx_dma_copy gives */
	uint16_t submitted; /* jobs before it may run */
	uint16_t head;	    /* the job running or next to run; those before it are finished */
	uint16_t reported;  /* jobs before it were reported to the application */
	enum edu_phase phase;
	uint32_t off;	    /* bytes of the head job done */
	uint32_t chunk;	    /* bytes of the chunk in flight */
	uint64_t issued_at; /* TSC of the transfer in flight */
	bool hung;
	/* configuration (devargs) */
	bool irq, verify, iova_check;
	uint64_t iova_limit; /* first IOVA above the device's DMA mask (0: none) */
	uint64_t timeout_cycles;
	/* verify: a page of EAL memory (mapped in every container) the buffer is copied to */
	uint8_t *scratch;
	uint64_t scratch_iova;
	/* the container's table, from the VFIO listener (another thread swaps it) */
	pthread_mutex_t maps_lock;
	struct dpx_dma_iova_map *map; /* NULL: nothing counts as mapped */
	bool listening;
	struct dpx_dma_vchan_stats stats;
	struct edu_counters cnt;
};

/* ---- registers ---- */

static uint32_t
reg_read32(const struct edu_priv *p, unsigned int off)
{
	/* ACQUIRE: the bytes a transfer wrote are read only after its end is seen */
	return __atomic_load_n((volatile uint32_t *)(p->bar + off), __ATOMIC_ACQUIRE);
}

static void
reg_write32(struct edu_priv *p, unsigned int off, uint32_t v)
{
	*(volatile uint32_t *)(p->bar + off) = v;
}

static void
reg_write64(struct edu_priv *p, unsigned int off, uint64_t v)
{
	*(volatile uint64_t *)(p->bar + off) = v;
}

static void
xfer_start(struct edu_priv *p, uint64_t src, uint64_t dst, uint32_t cnt, bool to_ram)
{
	uint64_t cmd = EDU_CMD_RUN | (to_ram ? EDU_CMD_TO_RAM : 0) | (p->irq ? EDU_CMD_IRQ : 0);

	reg_write64(p, EDU_REG_DMA_SRC, src);
	reg_write64(p, EDU_REG_DMA_DST, dst);
	reg_write64(p, EDU_REG_DMA_CNT, cnt);
	/* RELEASE: the addresses, and the CPU's writes to scratch, before the command */
	__atomic_store_n((volatile uint64_t *)(p->bar + EDU_REG_DMA_CMD), cmd, __ATOMIC_RELEASE);
	p->issued_at = dpx_get_tsc_cycles();
	p->cnt.transfers++;
}

/* The interrupt of the transfer in flight, consumed and acknowledged; false when none yet. */
static bool
intr_take(struct edu_priv *p)
{
	uint64_t n;

	if (read(p->pci->intr.fd, &n, sizeof(n)) != (ssize_t)sizeof(n))
		return false;
	p->cnt.interrupts++;
	/* lower the device's line (INTx) or status bit, then let VFIO signal again */
	reg_write32(p, EDU_REG_IRQ_ACK, EDU_IRQ_DMA);
	dpx_pci_intr_ack(p->pci);
	return true;
}

/* 1: the transfer in flight ended; 0: not yet; -1: it overstayed timeout_ms. */
static int
xfer_done(struct edu_priv *p)
{
	/* an interrupt that overtook a lost-interrupt timeout belongs to an earlier transfer */
	if (p->irq && intr_take(p) && !(reg_read32(p, EDU_REG_DMA_CMD) & EDU_CMD_RUN))
		return 1;
	/* with irq=1 the register is read only once the wait got long: a lost interrupt */
	if (!p->irq || dpx_get_tsc_cycles() - p->issued_at > p->timeout_cycles) {
		if (!(reg_read32(p, EDU_REG_DMA_CMD) & EDU_CMD_RUN)) {
			p->cnt.lost_interrupts += p->irq;
			return 1;
		}
	}
	return dpx_get_tsc_cycles() - p->issued_at > p->timeout_cycles ? -1 : 0;
}

/* ---- jobs ---- */

static struct edu_job *
head_job(struct edu_priv *p)
{
	return &p->ring[p->head & p->mask];
}

static void
job_finish(struct edu_priv *p, enum dpx_dma_status_code status)
{
	head_job(p)->status = (uint16_t)status;
	p->head++;
	p->phase = EDU_IDLE;
	p->off = 0;
}

static bool
maps_cover(struct edu_priv *p, uint64_t iova, uint64_t len)
{
	bool ok;

	/* a lock per chunk costs nothing beside edu's 100 ms per transfer */
	pthread_mutex_lock(&p->maps_lock);
	ok = dpx_dma_iova_map_covers(p->map, iova, len);
	pthread_mutex_unlock(&p->maps_lock);
	return ok;
}

/* Whether the device may touch [src, +len) and [dst, +len): a status. */
static enum dpx_dma_status_code
range_check(struct edu_priv *p, uint64_t src, uint64_t dst, uint64_t len)
{
	/* edu masks addresses with its dma_mask: a wider one would reach another IOVA */
	if (p->iova_limit != 0 && (src + len > p->iova_limit || dst + len > p->iova_limit ||
				   src + len < src || dst + len < dst))
		return DPX_DMA_STATUS_INVALID_ADDR;
	if (!p->iova_check)
		return DPX_DMA_STATUS_SUCCESSFUL;
	if (!maps_cover(p, src, len))
		return DPX_DMA_STATUS_INVALID_SRC_ADDR;
	if (!maps_cover(p, dst, len))
		return DPX_DMA_STATUS_INVALID_DST_ADDR;
	return DPX_DMA_STATUS_SUCCESSFUL;
}

/* Check and start the next chunk of the head job, or finish the job with the error. */
static void
chunk_start(struct edu_priv *p)
{
	struct edu_job *j = head_job(p);
	enum dpx_dma_status_code st;

	p->chunk = edu_chunk_len(j->len - p->off, p->verify);
	/* again per chunk: a mapping may have gone since the job started */
	st = range_check(p, j->src + p->off, j->dst + p->off, p->chunk);
	if (st != DPX_DMA_STATUS_SUCCESSFUL) {
		p->cnt.iova_refused++;
		job_finish(p, st);
		return;
	}
	xfer_start(p, j->src + p->off, EDU_BUF_ADDR, p->chunk, false);
	p->phase = EDU_READ;
}

static void
chunk_done(struct edu_priv *p, enum dpx_dma_status_code st)
{
	p->cnt.chunks++;
	if (st != DPX_DMA_STATUS_SUCCESSFUL) {
		job_finish(p, st);
		return;
	}
	p->off += p->chunk;
	if (p->off == head_job(p)->len)
		job_finish(p, DPX_DMA_STATUS_SUCCESSFUL);
	else
		chunk_start(p);
}

/* The transfer in flight ended: start the chunk's next one, or end the chunk. */
static void
phase_next(struct edu_priv *p)
{
	struct edu_job *j = head_job(p);

	switch (p->phase) {
	case EDU_READ:
		xfer_start(p, EDU_BUF_ADDR, j->dst + p->off, p->chunk, true);
		p->phase = EDU_WRITE;
		break;
	case EDU_WRITE:
		if (!p->verify) {
			chunk_done(p, DPX_DMA_STATUS_SUCCESSFUL);
			break;
		}
		xfer_start(p, j->dst + p->off, EDU_BUF_ADDR + p->chunk, p->chunk, false);
		p->phase = EDU_CHECK;
		break;
	case EDU_CHECK:
		/* halves that differ, so that a dropped OUT transfer is a mismatch too */
		memset(p->scratch, 0x00, p->chunk);
		memset(p->scratch + p->chunk, 0xff, p->chunk);
		xfer_start(p, EDU_BUF_ADDR, p->scratch_iova, 2 * p->chunk, true);
		p->phase = EDU_OUT;
		break;
	case EDU_OUT:
		if (memcmp(p->scratch, p->scratch + p->chunk, p->chunk) == 0) {
			chunk_done(p, DPX_DMA_STATUS_SUCCESSFUL);
			break;
		}
		p->cnt.verify_mismatches++;
		EDU_LOG(DEBUG, "%s: job %u: destination 0x%" PRIx64 " (+%u) reads back other bytes",
			p->pci->info.name, p->head, j->dst + p->off, p->chunk);
		chunk_done(p, DPX_DMA_STATUS_INVALID_DST_ADDR);
		break;
	case EDU_IDLE:
		break;
	}
}

/* Start the head job: checked whole first, so that a refused job writes nothing. */
static void
job_start(struct edu_priv *p)
{
	struct edu_job *j = head_job(p);
	enum dpx_dma_status_code st;

	if (p->hung) {
		job_finish(p, DPX_DMA_STATUS_NOT_ATTEMPTED);
		return;
	}
	if (j->len == 0) {
		job_finish(p, DPX_DMA_STATUS_SUCCESSFUL); /* edu cannot move 0 bytes */
		return;
	}
	st = range_check(p, j->src, j->dst, j->len);
	if (st != DPX_DMA_STATUS_SUCCESSFUL) {
		p->cnt.iova_refused++;
		job_finish(p, st);
		return;
	}
	chunk_start(p);
}

/* Move the jobs on as far as the device lets us without waiting. */
static void
progress(struct edu_priv *p)
{
	for (;;) {
		if (p->phase != EDU_IDLE) {
			int rc = xfer_done(p);
			if (rc == 0)
				return;
			if (rc < 0) {
				EDU_LOG(ERR,
					"%s: transfer of job %u not done after %" PRIu64
					" cycles: the device is taken as hung until restart",
					p->pci->info.name, p->head, p->timeout_cycles);
				p->cnt.timeouts++;
				p->hung = true;
				job_finish(p, DPX_DMA_STATUS_ERROR_UNKNOWN);
				continue;
			}
			phase_next(p);
			continue;
		}
		if (p->head == p->submitted)
			return;
		job_start(p);
	}
}

/* ---- fast path ---- */

static int edu_copy(void *dev_private, uint16_t vchan, uint64_t src, uint64_t dst, uint32_t len,
		    uint64_t flags);

static int
edu_submit(void *dev_private, uint16_t vchan)
{
	struct edu_priv *p = dev_private;

	(void)vchan;
	dpx_dma_vchan_stats_submitted(&p->stats, (uint16_t)(p->enq - p->submitted));
	p->submitted = p->enq;
	progress(p);
	return 0;
}

static int
edu_copy(void *dev_private, uint16_t vchan, uint64_t src, uint64_t dst, uint32_t len,
	 uint64_t flags)
{
	struct edu_priv *p = dev_private;
	struct edu_job *j;
	uint16_t idx;

	/* FENCE needs nothing: jobs run one at a time, in order */
	if ((uint16_t)(p->enq - p->reported) == p->nb_desc)
		return -ENOSPC;
	idx = p->enq++;
	j = &p->ring[idx & p->mask];
	*j = (struct edu_job){.src = src, .dst = dst, .len = len};
	if (flags & DPX_DMA_OP_FLAG_SUBMIT)
		edu_submit(p, vchan);
	return idx;
}

/* Report n finished jobs, errors of them failed. */
static uint16_t
report(struct edu_priv *p, uint16_t n, uint16_t errors, uint16_t *last_idx)
{
	p->reported += n;
	*last_idx = (uint16_t)(p->reported - 1);
	dpx_dma_vchan_stats_completed(&p->stats, n, errors);
	return n;
}

static uint16_t
edu_completed(void *dev_private, uint16_t vchan, uint16_t nb_cpls, uint16_t *last_idx,
	      bool *has_error)
{
	struct edu_priv *p = dev_private;
	uint16_t done, n = 0;

	(void)vchan;
	progress(p);
	done = (uint16_t)(p->head - p->reported);
	while (n < nb_cpls && n < done) {
		if (p->ring[(p->reported + n) & p->mask].status != DPX_DMA_STATUS_SUCCESSFUL) {
			*has_error = true;
			break;
		}
		n++;
	}
	return report(p, n, 0, last_idx);
}

static uint16_t
edu_completed_status(void *dev_private, uint16_t vchan, uint16_t nb_cpls, uint16_t *last_idx,
		     enum dpx_dma_status_code *status)
{
	struct edu_priv *p = dev_private;
	uint16_t done, n, errors = 0;

	(void)vchan;
	progress(p);
	done = (uint16_t)(p->head - p->reported);
	n = DPX_MIN(nb_cpls, done);
	for (uint16_t i = 0; i < n; i++) {
		status[i] = p->ring[(p->reported + i) & p->mask].status;
		errors += status[i] != DPX_DMA_STATUS_SUCCESSFUL;
	}
	return report(p, n, errors, last_idx);
}

static uint16_t
edu_burst_capacity(const void *dev_private, uint16_t vchan)
{
	const struct edu_priv *p = dev_private;

	(void)vchan;
	return (uint16_t)(p->nb_desc - (uint16_t)(p->enq - p->reported));
}

/* ---- control ---- */

static int
edu_info_get(const struct dpx_dma_dev *dev, struct dpx_dma_info *info)
{
	(void)dev;
	info->dev_capa = DPX_DMA_CAPA_MEM_TO_MEM | DPX_DMA_CAPA_OPS_COPY |
			 DPX_DMA_CAPA_HANDLES_ERRORS | DPX_DMA_CAPA_IOMMU;
	info->max_vchans = 1; /* one DMA engine */
	info->max_desc = EDU_MAX_DESC;
	info->min_desc = EDU_MIN_DESC;
	return 0;
}

static int
edu_configure(struct dpx_dma_dev *dev, const struct dpx_dma_conf *conf)
{
	(void)dev;
	(void)conf; /* dmadev checked nb_vchans <= 1 */
	return 0;
}

static int
edu_vchan_setup(struct dpx_dma_dev *dev, uint16_t vchan, const struct dpx_dma_vchan_conf *conf)
{
	struct edu_priv *p = dev->dev_private;
	struct edu_job *ring;

	(void)vchan;
	if (!DPX_IS_POWER_OF_2(conf->nb_desc)) {
		EDU_LOG(ERR, "%s: ring size %u is not a power of two", dev->name, conf->nb_desc);
		return -EINVAL;
	}
	ring = calloc(conf->nb_desc, sizeof(*ring));
	if (ring == NULL)
		return -ENOMEM;
	free(p->ring);
	p->ring = ring;
	p->nb_desc = conf->nb_desc;
	p->mask = (uint16_t)(conf->nb_desc - 1);
	return 0;
}

static int
edu_start(struct dpx_dma_dev *dev)
{
	struct edu_priv *p = dev->dev_private;

	/* a device still running a transfer would ignore the next one's registers */
	if (reg_read32(p, EDU_REG_DMA_CMD) & EDU_CMD_RUN) {
		EDU_LOG(ERR, "%s: the device is still running a transfer (hung?)", dev->name);
		return -EBUSY;
	}
	p->enq = p->submitted = p->head = p->reported = 0;
	p->phase = EDU_IDLE;
	p->off = 0;
	p->hung = false;
	return 0;
}

static int
edu_stop(struct dpx_dma_dev *dev)
{
	struct edu_priv *p = dev->dev_private;

	edu_submit(p, 0);
	/* each transfer takes edu's 100 ms timer: sleep between looks */
	while (p->head != p->enq) {
		if (p->irq) {
			struct pollfd pfd = {.fd = p->pci->intr.fd, .events = POLLIN};
			poll(&pfd, 1, 10);
		} else {
			usleep(1000);
		}
		progress(p);
	}
	return 0;
}

static int
edu_stats_get(const struct dpx_dma_dev *dev, uint16_t vchan, struct dpx_dma_stats *stats)
{
	const struct edu_priv *p = dev->dev_private;

	(void)vchan;
	dpx_dma_vchan_stats_read(&p->stats, stats);
	return 0;
}

static int
edu_stats_reset(struct dpx_dma_dev *dev, uint16_t vchan)
{
	struct edu_priv *p = dev->dev_private;

	(void)vchan;
	dpx_dma_vchan_stats_reset(&p->stats);
	return 0;
}

static int
edu_dump(const struct dpx_dma_dev *dev, FILE *f)
{
	const struct edu_priv *p = dev->dev_private;
	const struct edu_counters *c = &p->cnt;

	fprintf(f,
		"  edu %s: completion by %s, verify %s, iova_check %s, dma limit 0x%" PRIx64 "%s\n",
		p->pci->info.name, p->irq ? "interrupt" : "polling", p->verify ? "on" : "off",
		p->iova_check ? "on" : "off", p->iova_limit, p->hung ? ", HUNG" : "");
	fprintf(f,
		"  transfers %" PRIu64 " chunks %" PRIu64 " interrupts %" PRIu64
		" lost interrupts %" PRIu64 "\n",
		c->transfers, c->chunks, c->interrupts, c->lost_interrupts);
	fprintf(f,
		"  refused by iova check %" PRIu64 " verify mismatches %" PRIu64
		" timeouts %" PRIu64 "\n",
		c->iova_refused, c->verify_mismatches, c->timeouts);
	return 0;
}

static int
edu_container_get(const struct dpx_dma_dev *dev, int *container_fd)
{
	(void)dev;
	/* the PCI bus probes at EAL init, when a group can only go to the default container */
	*container_fd = DPX_VFIO_DEFAULT_CONTAINER_FD;
	return 0;
}

/* VFIO calls this with the container's whole table after every change (VFIO lock held). */
static void
maps_listener(void *arg, const struct dpx_vfio_dma_mapping *maps, unsigned int n)
{
	struct edu_priv *p = arg;
	/* no memory for the snapshot: NULL, nothing counts as mapped, the safe side */
	struct dpx_dma_iova_map *map = maps != NULL ? dpx_dma_iova_map_build(maps, n) : NULL, *old;

	pthread_mutex_lock(&p->maps_lock);
	old = p->map;
	p->map = map;
	pthread_mutex_unlock(&p->maps_lock);
	free(old);
}

/* What probe set up beside the ring; safe on a partly set up device. */
static void
priv_release(struct edu_priv *p)
{
	if (p->listening)
		dpx_vfio_container_dma_listener_unregister(DPX_VFIO_DEFAULT_CONTAINER_FD,
							   maps_listener, p);
	p->listening = false;
	if (p->irq)
		dpx_pci_intr_disable(p->pci);
	dpx_free(p->scratch);
	p->scratch = NULL;
	free(p->ring);
	p->ring = NULL;
	free(p->map);
	p->map = NULL;
	pthread_mutex_destroy(&p->maps_lock);
}

static int
edu_close(struct dpx_dma_dev *dev)
{
	priv_release(dev->dev_private);
	return 0;
}

static const struct dpx_dma_dev_ops edu_ops = {
	.dev_info_get = edu_info_get,
	.dev_configure = edu_configure,
	.vchan_setup = edu_vchan_setup,
	.dev_start = edu_start,
	.dev_stop = edu_stop,
	.dev_close = edu_close,
	.stats_get = edu_stats_get,
	.stats_reset = edu_stats_reset,
	.dev_dump = edu_dump,
	.container_get = edu_container_get,
};

/* ---- PCI ---- */

static const char *const edu_keys[] = {"irq",	   "verify",	 "iova_check",
				       "dma_bits", "timeout_ms", NULL};

static int
parse_args(struct edu_priv *p, const struct dpx_kvargs *kv)
{
	uint64_t bits, ms;
	int rc;

	if ((rc = dpx_kvargs_get_bool(kv, "irq", false, &p->irq)) != 0 ||
	    (rc = dpx_kvargs_get_bool(kv, "verify", false, &p->verify)) != 0 ||
	    (rc = dpx_kvargs_get_bool(kv, "iova_check", true, &p->iova_check)) != 0 ||
	    (rc = dpx_kvargs_get_u64(kv, "dma_bits", EDU_DEFAULT_DMA_BITS, 12, 64, &bits)) != 0 ||
	    (rc = dpx_kvargs_get_u64(kv, "timeout_ms", EDU_DEFAULT_TIMEOUT_MS, 1, 3600 * 1000,
				     &ms)) != 0)
		return rc;
	p->iova_limit = bits == 64 ? 0 : UINT64_C(1) << bits;
	p->timeout_cycles = dpx_get_tsc_hz() / 1000 * ms;
	return 0;
}

/* Devargs, the device's identity, scratch, interrupt, listener. */
static int
priv_setup(struct edu_priv *p, struct dpx_pci_device *pci)
{
	uint32_t ident;
	int rc;

	pthread_mutex_init(&p->maps_lock, NULL);
	p->pci = pci;
	p->bar = pci->mem_resource[0].addr;
	rc = parse_args(p, pci->kvargs);
	if (rc != 0)
		return rc;
	if (p->bar == NULL || pci->mem_resource[0].len < EDU_BAR_MIN_SIZE) {
		EDU_LOG(ERR, "%s: BAR0 not mapped or smaller than 0x%x", pci->info.name,
			EDU_BAR_MIN_SIZE);
		return -ENODEV;
	}
	ident = reg_read32(p, EDU_REG_IDENT);
	if ((ident & 0xff) != EDU_IDENT_MAGIC || ident == UINT32_MAX) {
		EDU_LOG(ERR, "%s: identification register 0x%08x: not an edu device",
			pci->info.name, ident);
		return -ENODEV;
	}
	if (p->verify) {
		p->scratch = dpx_malloc("dma_edu", EDU_BUF_SIZE, EDU_BUF_SIZE);
		p->scratch_iova = p->scratch != NULL ? dpx_malloc_virt2iova(p->scratch) : 0;
		if (p->scratch == NULL || p->scratch_iova == DPX_BAD_IOVA)
			return -ENOMEM;
		/* the device writes the scratch page too: it must be within its mask */
		if (p->iova_limit != 0 && p->scratch_iova + EDU_BUF_SIZE > p->iova_limit) {
			EDU_LOG(ERR,
				"%s: verify=1: its scratch page at IOVA 0x%" PRIx64
				" is beyond dma_bits; give dma_bits=48",
				pci->info.name, p->scratch_iova);
			return -EINVAL;
		}
	}
	if (p->irq && (rc = dpx_pci_intr_enable(pci)) != 0) {
		EDU_LOG(ERR, "%s: irq=1 but its interrupt cannot be enabled: %s", pci->info.name,
			dpx_strerror(rc));
		p->irq = false;
		return rc;
	}
	if (p->iova_check) {
		rc = dpx_vfio_container_dma_listener_register(DPX_VFIO_DEFAULT_CONTAINER_FD,
							      maps_listener, p);
		if (rc != 0)
			return rc;
		p->listening = true;
	}
	EDU_LOG(INFO, "%s: edu %u.%u, %s, verify %s, iova_check %s", pci->info.name, ident >> 24,
		(ident >> 16) & 0xff, p->irq ? "interrupts" : "polling", p->verify ? "on" : "off",
		p->iova_check ? "on" : "off");
	return 0;
}

static int
edu_probe(struct dpx_pci_device *pci)
{
	struct dpx_dma_dev *dev;
	int rc;

	dev = dpx_dma_pmd_allocate(pci->info.name, pci->info.numa_node, sizeof(struct edu_priv));
	if (dev == NULL)
		return -dpx_errno;
	rc = priv_setup(dev->dev_private, pci);
	if (rc != 0) {
		priv_release(dev->dev_private);
		dpx_dma_pmd_release(dev);
		return rc;
	}
	dev->dev_ops = &edu_ops;
	dev->driver_name = EDU_DRIVER_NAME;
	dev->device = pci;
	dev->fp.copy = edu_copy;
	dev->fp.submit = edu_submit;
	dev->fp.completed = edu_completed;
	dev->fp.completed_status = edu_completed_status;
	dev->fp.burst_capacity = edu_burst_capacity;
	pci->priv = dev;
	dpx_dma_pmd_probing_finish(dev);
	return 0;
}

static int
edu_remove(struct dpx_pci_device *pci)
{
	/* stops (finishing every job) and closes, unless the application closed it */
	return dpx_dma_pmd_remove_by_name(pci->info.name);
}

int
dpx_dma_edu_intr_fd(int16_t dev_id)
{
	struct dpx_dma_info info;
	struct dpx_dma_dev *dev;
	const struct edu_priv *p;

	if (dpx_dma_info_get(dev_id, &info) != 0 || strcmp(info.driver_name, EDU_DRIVER_NAME) != 0)
		return -ENODEV;
	dev = dpx_dma_pmd_get_by_name(info.dev_name);
	if (dev == NULL)
		return -ENODEV;
	p = dev->dev_private;
	return p->irq ? p->pci->intr.fd : -ENOTSUP;
}

static const struct dpx_pci_id edu_ids[] = {DPX_PCI_DEVICE(EDU_VENDOR_ID, EDU_DEVICE_ID), {0}};

static struct dpx_pci_driver edu_driver = {
	.id_table = edu_ids,
	.valid_keys = edu_keys,
	.probe = edu_probe,
	.remove = edu_remove,
};

DPX_PCI_DRIVER_REGISTER(dma_edu, edu_driver);
