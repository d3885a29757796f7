/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dma_sw internals: a DMA engine whose copies run on a worker thread.
 *
 * Per vchan, one ring of job slots shared by two threads:
 *   the vchan's fast-path thread ("app")     the worker
 *   copy:      fills jobs[head], head++
 *              (write-prefetches jobs[head + 16] if free)
 *   submit:    submitted = head  --------->  reads jobs[done..submitted)
 *              (release, no fence)
 *                                            copies each, marks failures in
 *                                            status[], then done += k
 *   completed: reads done, status[] <-------
 *              collected += n  (slots free again)
 * Counters are free-running uint32_t (ring sizes are powers of two <= 32768,
 * so slot = counter & mask and the 16-bit job index is (uint16_t)counter).
 * Invariant: collected <= done <= submitted <= head <= collected + size.
 *
 * status[slot] is 0 (successful) except for a failed job: the worker writes
 * its code before publishing done, the app zeroes it when it reports the job,
 * so a successful job costs the worker no store but the batch's done.
 * errors_total counts failed jobs published so far; the app compares it with
 * the failures it reported (errors_seen) and scans status[] only when they
 * differ.
 */
#ifndef DMA_SW_PRIVATE_H
#define DMA_SW_PRIVATE_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include <dpx_dmadev_driver.h>
#include <dpx_log.h>

#include "dpx_dma_iova_map.h"

extern int dma_sw_logtype;
#define SW_LOG(level, fmt, ...) DPX_LOG(level, dma_sw_logtype, "dma_sw: " fmt, ##__VA_ARGS__)

#define SW_MIN_DESC 16
#define SW_MAX_DESC 32768 /* a power of two whose counters stay unambiguous in 16 bits */
#define SW_DEFAULT_MAX_DESC 4096
/* Jobs the worker takes from one vchan before it looks at the next one. */
#define SW_BURST 32

struct sw_job {
	uint64_t src;
	uint64_t dst;
	uint32_t len;
};

struct sw_vchan {
	/* set at vchan setup, read by both threads while started (a line nobody writes then) */
	struct sw_job *jobs;
	uint8_t *status;
	uint32_t mask;
	uint32_t size; /* 0: not set up */

	/* the app's (the vchan's fast-path thread), on lines the worker never reads */
	uint32_t head __dpx_cache_aligned;
	uint32_t collected;
	uint32_t errors_seen;
	struct dpx_dma_vchan_stats stats;

	/* app -> worker: jobs [done, submitted) may run. Release store in submit, acquire in the
	 * worker. */
	uint32_t submitted __dpx_cache_aligned;

	/* worker -> app: jobs below done are finished. Release store in the worker, acquire in
	 * completed. */
	uint32_t done __dpx_cache_aligned;
	uint32_t errors_total; /* written before done, read after it */
} __dpx_cache_aligned;

/* How the worker runs. */
enum sw_thread_kind {
	SW_THREAD_OWN,	 /* a pthread of the driver, pinned when cpu >= 0 */
	SW_THREAD_LCORE, /* an EAL worker lcore, launched at start */
};

/* The container binding (dma_sw_bind.c). */
struct sw_binding {
	bool bound;
	int container_fd;
	/*
	 * The snapshot the worker translates through (NULL while bound: nothing
	 * is mapped). Replaced by the listener (seq_cst exchange), read by the
	 * worker after it made seq odd (seq_cst): see dma_sw_bind.c.
	 */
	struct dpx_dma_iova_map *map;
	/*
	 * What dump shows, written by the listener (relaxed): dump may run while
	 * a map or unmap on another thread frees the snapshot, so it never
	 * dereferences map.
	 */
	uint32_t nb_mappings; /* entries of map */
	uint64_t snapshots;   /* published since bind */
	/* odd while the worker is inside a round that may use a snapshot */
	uint64_t seq __dpx_cache_aligned;
};

struct sw_dev {
	struct sw_vchan vchans[DPX_DMA_MAX_VCHANS];
	uint16_t nb_vchans;
	char name[DPX_DMA_NAME_MAX_LEN];

	/* settings (devargs) */
	enum sw_thread_kind kind;
	unsigned int lcore; /* SW_THREAD_LCORE */
	int cpu;	    /* SW_THREAD_OWN: -1 unpinned */
	uint16_t max_desc;
	uint64_t idle_us;      /* 0: never sleep */
	uint64_t nt_threshold; /* copies of this many bytes or more use non-temporal stores; 0:
				  never */

	/* worker control */
	pthread_t thread;
	bool running;
	uint64_t idle_cycles;
	/* 1 while the worker sleeps on it (futex); the app wakes it (dma_sw_worker.c) */
	uint32_t asleep __dpx_cache_aligned;
	/*
	 * Set at start: submit needs no store-load fence, because the worker
	 * never sleeps (idle_us=0) or runs membarrier() before it does
	 * (dma_sw_worker.c); submit is then a plain release store. Beside
	 * asleep: submit reads both, one line.
	 */
	bool submit_unfenced;
	uint32_t stop;	 /* set by dev_stop, read by the worker */
	uint64_t sleeps; /* written by the worker, read by dump (relaxed) */

	struct sw_binding bind;
};

/*
 * dma_sw_fp.c: the fast-path functions dma_sw puts in dev->fp: dma_sw_fp
 * where the CPU has PREFETCHW (dma_sw_prefetchw_available), the other on
 * the rest.
 */
extern const struct dpx_dma_fp_object dma_sw_fp;
extern const struct dpx_dma_fp_object dma_sw_fp_noprefetch;
bool dma_sw_prefetchw_available(void);

/* dma_sw_worker.c */
int dma_sw_worker_start(struct sw_dev *sw);
void dma_sw_worker_stop(struct sw_dev *sw);
/* Wake the worker if it sleeps (after the app published new jobs). */
void dma_sw_worker_wake(struct sw_dev *sw);
/* The copy the worker does (memcpy, or non-temporal stores from nt_threshold on). */
void dma_sw_copy(const struct sw_dev *sw, void *dst, const void *src, uint64_t len);
/* true when this CPU has the non-temporal copy (AVX2). */
bool dma_sw_nt_available(void);
/*
 * Tests: probe and start engines as if the kernel had no membarrier (submit
 * then fences itself) or the CPU no PREFETCHW (dma_sw_fp_noprefetch).
 */
struct dma_sw_test_hooks {
	bool no_membarrier;
	bool no_prefetchw;
};
extern struct dma_sw_test_hooks dma_sw_test_hooks;

/* dma_sw_bind.c: follow a container's table (device stopped); 0 or -errno. */
int dma_sw_bind(struct sw_dev *sw, int container_fd);
void dma_sw_unbind(struct sw_dev *sw);

#endif /* DMA_SW_PRIVATE_H */
