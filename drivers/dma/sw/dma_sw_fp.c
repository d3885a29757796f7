/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dma_sw fast path, run by the vchan's thread: enqueue, submit, collect
 * (the ring protocol is in dma_sw_private.h). Nothing here waits for the
 * worker, and nothing fences: the shared stores are the job slots, submitted
 * (one release per submit) and, on error completions only, the status bytes
 * given back.
 */
#include <errno.h>

#if defined(__x86_64__)
#include <cpuid.h>
#endif

#include "dma_sw_private.h"

static struct sw_vchan *
vchan_of(void *dev_private, uint16_t vchan)
{
	return &((struct sw_dev *)dev_private)->vchans[vchan];
}

/*
 * The store of submitted is a release (its partner: the worker's acquire in
 * vchan_run) that publishes the job slots written before it. Then the
 * worker must either see it or be woken, which is Dekker's pattern with the
 * worker's store of asleep and re-read of submitted (dma_sw_worker.c): it
 * needs a full fence between this store and the load of asleep below.
 * With submit_unfenced the worker never sleeps, or its membarrier() makes
 * every thread of the process pass one before it re-reads, so this side
 * pays nothing but keeping the compiler from swapping the two (a signal
 * fence); otherwise both are seq_cst here, an xchg that waits for every
 * slot store to drain.
 */
static __dpx_always_inline void
publish(struct sw_dev *sw, struct sw_vchan *vc)
{
	uint32_t n = vc->head - vc->submitted;
	uint32_t asleep;

	if (n == 0)
		return;
	if (dpx_likely(sw->submit_unfenced)) {
		__atomic_store_n(&vc->submitted, vc->head, __ATOMIC_RELEASE);
		__atomic_signal_fence(__ATOMIC_SEQ_CST);
		asleep = __atomic_load_n(&sw->asleep, __ATOMIC_RELAXED);
	} else {
		__atomic_store_n(&vc->submitted, vc->head, __ATOMIC_SEQ_CST);
		asleep = __atomic_load_n(&sw->asleep, __ATOMIC_SEQ_CST);
	}
	dpx_dma_vchan_stats_submitted(&vc->stats, n);
	if (dpx_unlikely(asleep != 0))
		dma_sw_worker_wake(sw);
}

/* Out of line, so that a copy without the SUBMIT flag saves no register. */
static __attribute__((noinline)) int
copy_and_publish(struct sw_dev *sw, struct sw_vchan *vc, uint32_t head)
{
	publish(sw, vc);
	return (uint16_t)head;
}

/*
 * The slots the next copies write were last read by the worker on another
 * core, so each store waits for its line to come back from there (an
 * upgrade, a core-to-core round trip), and in-order stores wait for them one
 * after the other. A write prefetch of the slot SW_PREFETCH_AHEAD jobs ahead
 * starts that round trip while the copies before it are written. Only a free
 * slot: one still in flight is the worker's to read first, and taking its
 * line away would make the worker fetch it back.
 */
#define SW_PREFETCH_AHEAD 16

/* One body for both tables; prefetchw is a constant in each. */
static __dpx_always_inline int
copy_body(void *dev_private, uint16_t vchan, uint64_t src, uint64_t dst, uint32_t len,
	  uint64_t flags, const bool prefetchw)
{
	struct sw_vchan *vc = vchan_of(dev_private, vchan);
	uint32_t head = vc->head, room = vc->size - (head - vc->collected);
	struct sw_job *job;

	if (dpx_unlikely(room == 0))
		return -ENOSPC;
	/*
	 * Branch-free: when the slot ahead is not free, the one written now is
	 * prefetched instead (a no-op). __builtin_prefetch(, 1) is PREFETCHW in
	 * a function built for prfchw (sw_copy).
	 */
	if (prefetchw)
		__builtin_prefetch(
			&vc->jobs[(head + (room > SW_PREFETCH_AHEAD ? SW_PREFETCH_AHEAD : 0)) &
				  vc->mask],
			1, 3);
	job = &vc->jobs[head & vc->mask];
	/*
	 * No flags in the slot: one worker runs a vchan's jobs in order, each
	 * finished before the next, so every job is fenced already.
	 */
	job->src = src;
	job->dst = dst;
	job->len = len;
	vc->head = head + 1;
	if (dpx_unlikely(flags & DPX_DMA_OP_FLAG_SUBMIT))
		return copy_and_publish(dev_private, vc, head);
	return (uint16_t)head;
}

#if defined(__x86_64__)
__attribute__((target("prfchw")))
#endif
static int
sw_copy(void *dev_private, uint16_t vchan, uint64_t src, uint64_t dst, uint32_t len, uint64_t flags)
{
	return copy_body(dev_private, vchan, src, dst, len, flags, true);
}

static int
sw_copy_noprefetch(void *dev_private, uint16_t vchan, uint64_t src, uint64_t dst, uint32_t len,
		   uint64_t flags)
{
	return copy_body(dev_private, vchan, src, dst, len, flags, false);
}

static int
sw_submit(void *dev_private, uint16_t vchan)
{
	publish(dev_private, vchan_of(dev_private, vchan));
	return 0;
}

/* Jobs finished and not reported yet, at most max. */
static uint32_t
finished(struct sw_vchan *vc, uint16_t max)
{
	/* acquire: partner of the worker's release store of done */
	uint32_t done = __atomic_load_n(&vc->done, __ATOMIC_ACQUIRE);

	return DPX_MIN(done - vc->collected, (uint32_t)max);
}

static void
report(struct sw_vchan *vc, uint32_t n, uint32_t errors, uint16_t *last_idx)
{
	vc->collected += n;
	vc->errors_seen += errors;
	*last_idx = (uint16_t)(vc->collected - 1);
	dpx_dma_vchan_stats_completed(&vc->stats, n, errors);
}

static uint16_t
sw_completed(void *dev_private, uint16_t vchan, uint16_t nb_cpls, uint16_t *last_idx,
	     bool *has_error)
{
	struct sw_vchan *vc = vchan_of(dev_private, vchan);
	uint32_t n = finished(vc, nb_cpls), ok = n;

	/* read after done's acquire: counts at least the failures below done */
	if (dpx_unlikely(__atomic_load_n(&vc->errors_total, __ATOMIC_RELAXED) != vc->errors_seen)) {
		for (ok = 0; ok < n && vc->status[(vc->collected + ok) & vc->mask] == 0; ok++)
			;
		*has_error = ok < n;
	}
	report(vc, ok, 0, last_idx);
	return (uint16_t)ok;
}

static uint16_t
sw_completed_status(void *dev_private, uint16_t vchan, uint16_t nb_cpls, uint16_t *last_idx,
		    enum dpx_dma_status_code *status)
{
	struct sw_vchan *vc = vchan_of(dev_private, vchan);
	uint32_t n = finished(vc, nb_cpls), errors = 0;

	if (dpx_likely(__atomic_load_n(&vc->errors_total, __ATOMIC_RELAXED) == vc->errors_seen)) {
		for (uint32_t i = 0; i < n; i++)
			status[i] = DPX_DMA_STATUS_SUCCESSFUL;
	} else {
		for (uint32_t i = 0; i < n; i++) {
			uint8_t *s = &vc->status[(vc->collected + i) & vc->mask];
			/* the slot is the app's again from here: give the byte back zeroed */
			status[i] = *s == 0 ? DPX_DMA_STATUS_SUCCESSFUL
					    : (enum dpx_dma_status_code) * s;
			errors += *s != 0;
			*s = 0;
		}
	}
	report(vc, n, errors, last_idx);
	return (uint16_t)n;
}

static uint16_t
sw_burst_capacity(const void *dev_private, uint16_t vchan)
{
	const struct sw_vchan *vc = &((const struct sw_dev *)dev_private)->vchans[vchan];

	return (uint16_t)DPX_MIN(vc->size - (vc->head - vc->collected), UINT16_MAX);
}

const struct dpx_dma_fp_object dma_sw_fp = {
	.copy = sw_copy,
	.submit = sw_submit,
	.completed = sw_completed,
	.completed_status = sw_completed_status,
	.burst_capacity = sw_burst_capacity,
};

const struct dpx_dma_fp_object dma_sw_fp_noprefetch = {
	.copy = sw_copy_noprefetch,
	.submit = sw_submit,
	.completed = sw_completed,
	.completed_status = sw_completed_status,
	.burst_capacity = sw_burst_capacity,
};

bool
dma_sw_prefetchw_available(void)
{
#if defined(__x86_64__)
	unsigned int eax, ebx, ecx, edx;

	/* PRFCHW: leaf 0x80000001, ecx bit 8 (AMD since 3DNow!, Intel since Broadwell) */
	return __get_cpuid(0x80000001, &eax, &ebx, &ecx, &edx) && (ecx & (1u << 8)) != 0;
#else
	return false;
#endif
}
