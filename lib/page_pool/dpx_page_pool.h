/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Page pool: receive buffers that recycle per queue (doc/page_pool.md).
 *
 * One pool per receive queue, over the pktmbuf pool the queue was given.
 * The driver allocates its receive buffers from the pool; the application
 * frees packets with the ordinary mbuf calls (dpx_pktmbuf_free, _free_bulk,
 * chains, shared segments) and each buffer goes back to its queue:
 *
 *  - freed on the pool's owner lcore (the EAL lcore that allocates from it):
 *    into the alloc cache, which only that lcore touches (no atomics);
 *  - freed anywhere else: into the recycle ring (multi-producer, single
 *    consumer), or, when the ring is full, back to the mempool;
 *  - an allocation takes from the cache, refills it from the ring, and goes
 *    to the mempool in bulk only when both are short.
 *
 * Buffers stay mbufs of their mempool (m->pool unchanged); while a pool
 * holds or has lent a buffer, its m->home_id names the pool.
 *
 * DMA: the buffers are mempool objects, hence EAL heap memory, mapped into
 * every VFIO container by the EAL's memory hook for as long as the mempool
 * exists, at the IOVA (buf_iova) fixed when the mempool was created. The
 * pool makes no mapping call, at create or per packet.
 *
 * Threads: alloc from one thread at a time (ethdev's rule for a queue);
 * frees from any thread; drain and destroy on the owner lcore or while the
 * owner lcore frees none of the pool's buffers.
 */
#ifndef DPX_PAGE_POOL_H
#define DPX_PAGE_POOL_H

#include <stdbool.h>
#include <stdint.h>

#include <dpx_ethdev.h>
#include <dpx_kvargs.h>
#include <dpx_mbuf.h>

/** Longest pool name, terminating NUL included. */
#define DPX_PAGE_POOL_NAMESIZE 80
/** Buffers the owner lcore's alloc cache holds. */
#define DPX_PAGE_POOL_CACHE_SIZE 128
/** Buffers a refill takes beyond the request (from the ring, or the mempool). */
#define DPX_PAGE_POOL_REFILL 64
/** Recycle ring size when none is given (devarg pp_size). */
#define DPX_PAGE_POOL_SIZE_DEFAULT 1024
/** Smallest recycle ring. */
#define DPX_PAGE_POOL_SIZE_MIN 32
/** Largest recycle ring. */
#define DPX_PAGE_POOL_SIZE_MAX 65536

struct dpx_page_pool;

/** What a pool is made of. */
struct dpx_page_pool_params {
	const char *name;	/**< unique, < DPX_PAGE_POOL_NAMESIZE ("net_tap0_rxq0") */
	struct dpx_mempool *mp; /**< a pktmbuf pool (dpx_pktmbuf_pool_create) */
	unsigned int size; /**< recycle ring capacity, DPX_PAGE_POOL_SIZE_MIN..MAX; 0: default */
};

/**
 * Create a pool. It holds no buffer until the first allocation. Its own
 * memory (cache, ring, counters) is the C heap, first touched by the
 * calling thread; the buffers stay in the mempool's EAL memory.
 * @return the pool, or NULL with dpx_errno set to EINVAL (NULL params, name
 *   or mp, name too long, size out of range), EEXIST (a pool of that name
 *   exists), ENOSPC (DPX_MBUF_HOME_MAX - 1 pools exist), ENOMEM.
 */
struct dpx_page_pool *dpx_page_pool_create(const struct dpx_page_pool_params *params);

/**
 * Destroy a pool: every buffer it holds goes back to the mempool. Buffers
 * still in flight go to the mempool as they are freed (counted
 * alloc_waive); the pool's memory is reclaimed once the last is home, by a
 * later create or destroy. NULL is ignored. No allocation may run meanwhile.
 */
void dpx_page_pool_destroy(struct dpx_page_pool *pp);

/**
 * Allocate @p n reset mbufs (as dpx_pktmbuf_alloc_bulk): all or none.
 * The first call on an EAL lcore while the pool has no owner makes that
 * lcore the owner; calls on other threads do not use the cache.
 * @return 0, or -ENOENT when the cache, the ring and the mempool together
 *   have fewer than n for this thread (nothing handed out).
 */
int dpx_page_pool_alloc_bulk(struct dpx_page_pool *pp, struct dpx_mbuf **mbufs, unsigned int n);

/**
 * Allocate @p n reset mbufs from the ring and the mempool only: the caller
 * does not become the owner and the cache is not touched. For buffers
 * posted outside the queue's data path (a device set up by a control
 * thread or by the thread that starts the port), so that the lcore that
 * polls the queue is the one that owns it.
 * @return 0, or -ENOENT (nothing handed out).
 */
int dpx_page_pool_alloc_bulk_nocache(struct dpx_page_pool *pp, struct dpx_mbuf **mbufs,
				     unsigned int n);

/**
 * Allocate one reset mbuf.
 * @return the mbuf, or NULL with dpx_errno = ENOENT.
 */
struct dpx_mbuf *dpx_page_pool_alloc(struct dpx_page_pool *pp);

/**
 * Stop the pool (its queue stops): the cache and the ring go back to the
 * mempool, the pool has no owner, and buffers freed from now on go to the
 * mempool (alloc_waive) until the next allocation starts the pool again.
 * @return the buffers given back.
 */
unsigned int dpx_page_pool_drain(struct dpx_page_pool *pp);

/** Counters of a pool (doc/page_pool.md, "Counters"). */
struct dpx_page_pool_stats {
	uint64_t alloc_fast;	 /**< buffers handed out from what the cache held */
	uint64_t alloc_slow;	 /**< buffers handed out from the mempool */
	uint64_t alloc_empty;	 /**< refills that found the recycle ring empty */
	uint64_t alloc_refill;	 /**< buffers handed out from the recycle ring */
	uint64_t alloc_waive;	 /**< buffers that came home to a stopped pool: to the mempool */
	uint64_t recycle_cached; /**< freed on the owner lcore into the cache */
	uint64_t recycle_cache_full;	  /**< freed on the owner lcore with the cache full */
	uint64_t recycle_ring;		  /**< put on the recycle ring */
	uint64_t recycle_ring_full;	  /**< ring full: released to the mempool */
	uint64_t recycle_released_refcnt; /**< frees that left other references */
	uint64_t in_flight;		  /**< handed out and not home (a level: not reset) */
};

/** Number of counters in struct dpx_page_pool_stats. */
#define DPX_PAGE_POOL_NB_STATS 11

/**
 * Read a pool's counters (since the last reset; in_flight always whole).
 * @return 0, or -EINVAL (NULL argument).
 */
int dpx_page_pool_stats_get(const struct dpx_page_pool *pp, struct dpx_page_pool_stats *stats);

/** Reset a pool's counters (in_flight is a level and stays). Any thread. */
void dpx_page_pool_stats_reset(struct dpx_page_pool *pp);

/** @return the name of counter @p i of struct dpx_page_pool_stats ("alloc_fast"), or NULL. */
const char *dpx_page_pool_stat_name(unsigned int i);

/** What a pool holds now (snapshots while traffic runs). */
struct dpx_page_pool_info {
	const char *name;
	struct dpx_mempool *mp;
	unsigned int size;	  /**< recycle ring capacity */
	unsigned int cache_count; /**< buffers in the alloc cache */
	unsigned int ring_count;  /**< buffers in the recycle ring */
	unsigned int owner_lcore; /**< the owner, or DPX_LCORE_ID_ANY when none */
	bool active;		  /**< started (allocated from since the last drain) */
	uint16_t home_id;	  /**< the id its buffers carry (struct dpx_mbuf home_id) */
};

/** @return 0, or -EINVAL (NULL argument). */
int dpx_page_pool_info_get(const struct dpx_page_pool *pp, struct dpx_page_pool_info *info);

/** @return the mempool the pool draws from (its params.mp). */
struct dpx_mempool *dpx_page_pool_mempool(const struct dpx_page_pool *pp);

/** @return the pool of that name, or NULL with dpx_errno = ENOENT or EINVAL. */
struct dpx_page_pool *dpx_page_pool_lookup(const char *name);

/** Call fn(pool, arg) for every pool (not destroyed), newest first; fn must not create or destroy.
 */
void dpx_page_pool_walk(void (*fn)(struct dpx_page_pool *pp, void *arg), void *arg);

/* ---- for drivers ---- */

/** The devargs a driver with a page pool accepts (add them to its valid keys). */
#define DPX_PAGE_POOL_KVARGS_KEYS "page_pool", "pp_size"

/**
 * Parse page_pool=0|1 (default 1) and pp_size=N (default
 * DPX_PAGE_POOL_SIZE_DEFAULT, DPX_PAGE_POOL_SIZE_MIN..MAX).
 * @return 0, or -EINVAL (bad value, logged with the device name).
 */
int dpx_page_pool_kvargs(const struct dpx_kvargs *kv, const char *devname, bool *enabled,
			 unsigned int *size);

/**
 * The pool of a port's rx queue: named "<port_name>_rxq<queue_id>", over the
 * queue's mempool, with a recycle ring of @p size (0: the default).
 * @return the pool, or NULL with dpx_errno as dpx_page_pool_create.
 */
struct dpx_page_pool *dpx_page_pool_create_rxq(const char *port_name, uint16_t queue_id,
					       struct dpx_mempool *mp, unsigned int size);

/**
 * A port's page-pool xstats, for a driver's xstats ops: for each queue q
 * with a pool (pools[q] != NULL), DPX_PAGE_POOL_NB_STATS names
 * "rx_q<q>_pp_<counter>"; queues without one have none.
 * @param names if not NULL, filled from names[0]
 * @param values if not NULL, filled from values[0], ids from @p first_id
 * @param size entries names/values hold: nothing is filled when the count exceeds it
 * @return the count.
 */
unsigned int dpx_page_pool_eth_xstats(struct dpx_page_pool *const *pools, uint16_t nb_queues,
				      struct dpx_eth_xstat_name *names,
				      struct dpx_eth_xstat *values, unsigned int size,
				      unsigned int first_id);

#endif /* DPX_PAGE_POOL_H */
