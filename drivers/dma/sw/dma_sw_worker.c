/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dma_sw worker: the thread that does the copies. It polls every vchan in
 * turn, takes up to SW_BURST submitted jobs from each, runs them in order,
 * and publishes them done. After idle_us without work it sleeps on a futex
 * until the app submits again (asleep: the app's publish() wakes it).
 *
 * Sleeping without losing a wake-up (Dekker):
 *   worker: asleep = 1; FENCE; if (nothing submitted) futex_wait(asleep == 1)
 *   app:    submitted = head; FENCE; if (asleep) { asleep = 0; futex_wake }
 * Either the worker's re-read sees the new submitted, or the app's read sees
 * asleep = 1 and wakes it; futex_wait returns at once if asleep is already 0.
 * The app's FENCE is paid per submit, the worker's once per sleep (after
 * idle_us without a job), so it is the worker that pays: with submit_unfenced
 * its membarrier(PRIVATE_EXPEDITED) runs a full barrier on every CPU running a
 * thread of the process (a thread not running passed one when switched out),
 * which orders any app's store of submitted before its load of asleep as if
 * it had fenced itself (an asymmetric fence, as liburcu and folly do), and the
 * app's FENCE is a compiler barrier only. Without membarrier (an old kernel, or
 * a seccomp filter) both FENCEs are seq_cst operations.
 */
#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

#include <dpx_cycles.h>
#include <dpx_lcore.h>

#include "dma_sw_private.h"

/* ---- the copy ---- */

#if defined(__x86_64__)
/*
 * Non-temporal copy: 32-byte streaming stores past the destination's
 * alignment head. Its stores are weakly ordered: the worker issues an sfence
 * before it publishes done (vchan_run).
 */
__attribute__((target("avx2"))) static void
copy_nt(uint8_t *dst, const uint8_t *src, uint64_t len)
{
	uint64_t head = (-(uintptr_t)dst) & 31;

	memmove(dst, src, head);
	dst += head, src += head, len -= head;
	for (; len >= 128; len -= 128, dst += 128, src += 128) {
		__m256i a = _mm256_loadu_si256((const __m256i *)src);
		__m256i b = _mm256_loadu_si256((const __m256i *)(src + 32));
		__m256i c = _mm256_loadu_si256((const __m256i *)(src + 64));
		__m256i d = _mm256_loadu_si256((const __m256i *)(src + 96));
		_mm256_stream_si256((__m256i *)dst, a);
		_mm256_stream_si256((__m256i *)(dst + 32), b);
		_mm256_stream_si256((__m256i *)(dst + 64), c);
		_mm256_stream_si256((__m256i *)(dst + 96), d);
	}
	memmove(dst, src, len);
}

bool
dma_sw_nt_available(void)
{
	return __builtin_cpu_supports("avx2");
}

static void
store_fence(void)
{
	_mm_sfence();
}
#else
static void
copy_nt(uint8_t *dst, const uint8_t *src, uint64_t len)
{
	memmove(dst, src, len);
}

bool
dma_sw_nt_available(void)
{
	return false;
}

static void
store_fence(void)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}
#endif

/*
 * Overlapping ranges are copied as memmove does (glibc's memcpy and memmove
 * are one routine on x86-64, so this costs nothing), and never overlap with
 * the non-temporal path's 128-byte blocks because that path is used only
 * for ranges the caller does not overlap (nt_threshold is far above a block).
 */
void
dma_sw_copy(const struct sw_dev *sw, void *dst, const void *src, uint64_t len)
{
	if (sw->nt_threshold != 0 && len >= sw->nt_threshold &&
	    ((uintptr_t)dst + len <= (uintptr_t)src || (uintptr_t)src + len <= (uintptr_t)dst))
		copy_nt(dst, src, len);
	else
		memmove(dst, src, len);
}

/* ---- jobs ---- */

/*
 * A job whose ranges cross from one mapping into the next (IOVA-contiguous,
 * not VA-contiguous): copied piece by piece, each piece inside one mapping
 * on both sides. memmove's promise holds for the whole job, in IOVA space:
 * when the destination starts inside the source, the pieces go from the end
 * backwards, so that no source byte is overwritten before it is read.
 */
static __attribute__((noinline, cold)) uint8_t
run_spanning(const struct sw_dev *sw, const struct dpx_dma_iova_map *m, const struct sw_job *job)
{
	uint64_t src = job->src, dst = job->dst, left = job->len;
	bool backwards = dst > src && dst - src < left;

	/* both sides checked whole first: a job that faults copies nothing */
	if (!dpx_dma_iova_map_covers(m, src, left))
		return DPX_DMA_STATUS_INVALID_SRC_ADDR;
	if (!dpx_dma_iova_map_covers(m, dst, left))
		return DPX_DMA_STATUS_INVALID_DST_ADDR;
	while (left > 0) {
		uint64_t s, d, s_room, d_room, n;
		/* covered above: every lookup succeeds */
		bool ok = backwards
				  ? dpx_dma_iova_map_lookup_end(m, src + left, &s, &s_room) &&
					    dpx_dma_iova_map_lookup_end(m, dst + left, &d, &d_room)
				  : dpx_dma_iova_map_lookup(m, src, &s, &s_room) &&
					    dpx_dma_iova_map_lookup(m, dst, &d, &d_room);

		if (!ok)
			return DPX_DMA_STATUS_INVALID_ADDR;
		n = DPX_MIN(left, DPX_MIN(s_room, d_room));
		if (backwards)
			s -= n, d -= n;
		else
			src += n, dst += n;
		dma_sw_copy(sw, (void *)(uintptr_t)d, (const void *)(uintptr_t)s, n);
		left -= n;
	}
	return DPX_DMA_STATUS_SUCCESSFUL;
}

/* One job; its status (0: copied). bound is a constant in each caller. */
static __dpx_always_inline uint8_t
run_job(const struct sw_dev *sw, const struct dpx_dma_iova_map *m, const struct sw_job *job,
	const bool bound)
{
	uint64_t s, d, s_room, d_room;

	/* an empty job touches nothing, whatever its addresses (NULL included) */
	if (dpx_unlikely(job->len == 0))
		return DPX_DMA_STATUS_SUCCESSFUL;
	if (!bound) {
		dma_sw_copy(sw, (void *)(uintptr_t)job->dst, (const void *)(uintptr_t)job->src,
			    job->len);
		return DPX_DMA_STATUS_SUCCESSFUL;
	}
	if (!dpx_dma_iova_map_lookup(m, job->src, &s, &s_room))
		return DPX_DMA_STATUS_INVALID_SRC_ADDR;
	if (!dpx_dma_iova_map_lookup(m, job->dst, &d, &d_room))
		return DPX_DMA_STATUS_INVALID_DST_ADDR;
	if (dpx_unlikely(s_room < job->len || d_room < job->len))
		return run_spanning(sw, m, job);
	dma_sw_copy(sw, (void *)(uintptr_t)d, (const void *)(uintptr_t)s, job->len);
	return DPX_DMA_STATUS_SUCCESSFUL;
}

/* Run up to SW_BURST submitted jobs of one vchan; how many ran. */
static __dpx_always_inline uint32_t
vchan_run(struct sw_dev *sw, struct sw_vchan *vc, const struct dpx_dma_iova_map *m,
	  const bool bound)
{
	uint32_t done = vc->done; /* the worker is its only writer */
	/* acquire: partner of the release store in publish() (dma_sw_fp.c) and in sw_stop() */
	uint32_t n = __atomic_load_n(&vc->submitted, __ATOMIC_ACQUIRE) - done;
	uint32_t errors = 0;

	n = DPX_MIN(n, (uint32_t)SW_BURST);
	for (uint32_t i = 0; i < n; i++) {
		uint32_t slot = (done + i) & vc->mask;
		uint8_t st = run_job(sw, m, &vc->jobs[slot], bound);

		if (dpx_unlikely(st != 0)) {
			vc->status[slot] = st;
			errors++;
		}
	}
	if (n == 0)
		return 0;
	/* streaming stores are not ordered by the release below */
	if (sw->nt_threshold != 0)
		store_fence();
	if (errors != 0)
		__atomic_store_n(&vc->errors_total, vc->errors_total + errors, __ATOMIC_RELAXED);
	/* release: partner of the acquire in the app's finished() */
	__atomic_store_n(&vc->done, done + n, __ATOMIC_RELEASE);
	return n;
}

static uint32_t
round_unbound(struct sw_dev *sw)
{
	uint32_t work = 0;

	for (uint16_t v = 0; v < sw->nb_vchans; v++)
		work += vchan_run(sw, &sw->vchans[v], NULL, false);
	return work;
}

/*
 * A bound round holds one snapshot from start to end. seq goes odd before
 * the snapshot is read and even after the round: the listener that replaces
 * the snapshot waits while seq stays at the odd value it read, so a snapshot
 * is freed only when no round can still use it (dma_sw_bind.c).
 */
static uint32_t
round_bound(struct sw_dev *sw)
{
	uint64_t seq = sw->bind.seq;
	const struct dpx_dma_iova_map *m;
	uint32_t work = 0;

	/* seq_cst store then seq_cst load: the partner of the listener's exchange then read */
	__atomic_store_n(&sw->bind.seq, seq + 1, __ATOMIC_SEQ_CST);
	m = __atomic_load_n(&sw->bind.map, __ATOMIC_SEQ_CST);
	for (uint16_t v = 0; v < sw->nb_vchans; v++)
		work += vchan_run(sw, &sw->vchans[v], m, true);
	/*
	 * release: the round's reads of m happen before the listener frees it
	 * (partner: the acquire loads of seq in dma_sw_bind.c's publish())
	 */
	__atomic_store_n(&sw->bind.seq, seq + 2, __ATOMIC_RELEASE);
	return work;
}

/* ---- the thread ---- */

static bool
work_pending(struct sw_dev *sw)
{
	for (uint16_t v = 0; v < sw->nb_vchans; v++)
		if (__atomic_load_n(&sw->vchans[v].submitted, __ATOMIC_SEQ_CST) !=
		    sw->vchans[v].done)
			return true;
	return false;
}

struct dma_sw_test_hooks dma_sw_test_hooks;

/* membarrier(2) commands, spelled here: glibc has no wrapper */
#define MEMBARRIER_QUERY 0
#define MEMBARRIER_PRIVATE_EXPEDITED (1 << 3)
#define MEMBARRIER_REGISTER_PRIVATE_EXPEDITED (1 << 4)

static long
membarrier(int cmd)
{
	return syscall(SYS_membarrier, cmd, 0, 0);
}

/* Whether this process may use membarrier(PRIVATE_EXPEDITED): registered once, kept. */
static bool
heavy_fence_available(void)
{
	/* 0: not asked yet, 1: yes, -1: no (relaxed: asking twice is harmless) */
	static int state;
	int s = __atomic_load_n(&state, __ATOMIC_RELAXED);

	if (s == 0) {
		long cmds = membarrier(MEMBARRIER_QUERY);
		s = cmds >= 0 && (cmds & MEMBARRIER_PRIVATE_EXPEDITED) &&
				    membarrier(MEMBARRIER_REGISTER_PRIVATE_EXPEDITED) == 0
			    ? 1
			    : -1;
		__atomic_store_n(&state, s, __ATOMIC_RELAXED);
	}
	return s == 1 && !dma_sw_test_hooks.no_membarrier;
}

static void
sleep_until_work(struct sw_dev *sw)
{
	__atomic_store_n(&sw->asleep, 1, __ATOMIC_SEQ_CST);
	/* the other side of publish()'s signal fence; if it fails, do not sleep */
	if (sw->submit_unfenced && membarrier(MEMBARRIER_PRIVATE_EXPEDITED) != 0) {
		__atomic_store_n(&sw->asleep, 0, __ATOMIC_RELAXED);
		return;
	}
	/* seq_cst: dma_sw_worker_stop's store of stop and its wake pair with these two */
	if (!work_pending(sw) && !__atomic_load_n(&sw->stop, __ATOMIC_SEQ_CST)) {
		/* relaxed: dpx_dma_dump reads it from another thread */
		__atomic_store_n(&sw->sleeps, sw->sleeps + 1, __ATOMIC_RELAXED);
		/* returns at once (EAGAIN) if the app already set asleep back to 0 */
		syscall(SYS_futex, &sw->asleep, FUTEX_WAIT_PRIVATE, 1, NULL, NULL, 0);
	}
	__atomic_store_n(&sw->asleep, 0, __ATOMIC_RELAXED);
}

void
dma_sw_worker_wake(struct sw_dev *sw)
{
	if (__atomic_exchange_n(&sw->asleep, 0, __ATOMIC_SEQ_CST) != 0)
		syscall(SYS_futex, &sw->asleep, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}

static int
worker_main(void *arg)
{
	struct sw_dev *sw = arg;
	const bool bound = sw->bind.bound;
	uint64_t last_work = dpx_get_tsc_cycles();

	for (;;) {
		uint32_t work = bound ? round_bound(sw) : round_unbound(sw);

		if (work != 0) {
			last_work = dpx_get_tsc_cycles();
			continue;
		}
		/* acquire: partner of dev_stop's release; every job was submitted before it */
		if (__atomic_load_n(&sw->stop, __ATOMIC_ACQUIRE) && !work_pending(sw))
			break;
		if (sw->idle_cycles != 0 && dpx_get_tsc_cycles() - last_work > sw->idle_cycles) {
			sleep_until_work(sw);
			last_work = dpx_get_tsc_cycles();
		} else {
			dpx_pause();
		}
	}
	return 0;
}

static void *
thread_main(void *arg)
{
	worker_main(arg);
	return NULL;
}

static int
thread_start(struct sw_dev *sw)
{
	pthread_attr_t attr;
	char tname[16];
	cpu_set_t set;
	int rc;

	pthread_attr_init(&attr);
	if (sw->cpu >= 0) {
		CPU_ZERO(&set);
		CPU_SET(sw->cpu, &set);
		pthread_attr_setaffinity_np(&attr, sizeof(set), &set);
	}
	rc = pthread_create(&sw->thread, &attr, thread_main, sw);
	pthread_attr_destroy(&attr);
	if (rc != 0) {
		SW_LOG(ERR, "%s: cannot start the worker thread (cpu %d): %s", sw->name, sw->cpu,
		       strerror(rc));
		return -rc;
	}
	snprintf(tname, sizeof(tname), "dma-%.11s", sw->name);
	pthread_setname_np(sw->thread, tname);
	return 0;
}

int
dma_sw_worker_start(struct sw_dev *sw)
{
	int rc;

	sw->stop = 0;
	sw->asleep = 0;
	/* before the worker starts: the thread's creation publishes it to the worker */
	sw->submit_unfenced = sw->idle_us == 0 || heavy_fence_available();
	sw->idle_cycles = sw->idle_us * (dpx_get_tsc_hz() / 1000000);
	if (sw->kind == SW_THREAD_OWN) {
		rc = thread_start(sw);
	} else {
		rc = dpx_eal_remote_launch(worker_main, sw, sw->lcore);
		if (rc != 0)
			SW_LOG(ERR, "%s: cannot launch the worker on lcore %u: %s", sw->name,
			       sw->lcore, dpx_strerror(rc));
	}
	sw->running = rc == 0;
	return rc;
}

void
dma_sw_worker_stop(struct sw_dev *sw)
{
	if (!sw->running)
		return;
	/*
	 * Partner of the worker's acquire (the final submitted values come
	 * before), seq_cst with the wake so that a worker going to sleep sees it.
	 */
	__atomic_store_n(&sw->stop, 1, __ATOMIC_SEQ_CST);
	dma_sw_worker_wake(sw);
	if (sw->kind == SW_THREAD_OWN)
		pthread_join(sw->thread, NULL);
	else
		dpx_eal_wait_lcore(sw->lcore);
	sw->running = false;
}
