/* SPDX-License-Identifier: BSD-3-Clause */
/* Page pool internals: the pool's layout and its counters; never installed. */
#ifndef PAGE_POOL_PRIVATE_H
#define PAGE_POOL_PRIVATE_H

#include <stdbool.h>
#include <stdint.h>

#include <dpx_lcore.h>
#include <dpx_log.h>
#include <dpx_mbuf_home.h>
#include <dpx_mempool.h>
#include <dpx_page_pool.h>
#include <dpx_ring.h>

extern int page_pool_logtype;
#define PP_LOG(level, fmt, ...) DPX_LOG(level, page_pool_logtype, "page_pool: " fmt, ##__VA_ARGS__)

/* No thread has this lcore id (DPX_LCORE_ID_ANY is a non-EAL thread's). */
#define PP_NO_OWNER ((uint32_t)DPX_MAX_LCORE)

/* Written by the allocating thread (one at a time per queue). */
struct pp_alloc_counters {
	uint64_t fast, slow, empty, refill;
};

/*
 * Written by the freeing threads: one line per EAL lcore (single writer,
 * release stores), one shared by every non-EAL thread (atomic adds).
 */
struct pp_recycle_counters {
	uint64_t cached, cache_full, ring, ring_full, released_refcnt, waive;
} __dpx_cache_aligned;

struct dpx_page_pool {
	struct dpx_mbuf_home home; /* first: the mbuf library calls put/shared with it */
	/* read by every freeing thread */
	uint32_t owner;	       /* lcore id or PP_NO_OWNER (relaxed atomic) */
	uint8_t active;	       /* allocated from since the last drain (relaxed atomic) */
	uint16_t home_id;      /* what its buffers carry in m->home_id */
	struct dpx_ring *ring; /* MP/SC: buffers freed off the owner lcore */
	struct dpx_mempool *mp;
	struct pp_recycle_counters *local[DPX_MAX_LCORE]; /* NULL: lcore not enabled at create */
	struct pp_recycle_counters shared;		  /* non-EAL threads */

	/* the allocating thread's; the cache is the owner lcore's alone */
	struct pp_alloc_counters alloc __dpx_cache_aligned;
	uint32_t cache_len; /* written by the owner only, pp_cache_len_set */
	struct dpx_mbuf *cache[DPX_PAGE_POOL_CACHE_SIZE];

	/* control (create/destroy/stats, under the list lock or a snapshot) */
	char name[DPX_PAGE_POOL_NAMESIZE] __dpx_cache_aligned;
	unsigned int size;
	bool dying;			 /* destroyed, waits for its buffers in flight */
	struct dpx_page_pool_stats base; /* counters at the last reset */
	struct pp_recycle_counters *local_block;
	struct dpx_page_pool *next_zombie;
};

/* The owner's cache length: relaxed stores, as info_get reads it from any thread. */
static inline void
pp_cache_len_set(struct dpx_page_pool *pp, uint32_t len)
{
	__atomic_store_n(&pp->cache_len, len, __ATOMIC_RELAXED);
}

/* The data path's put and shared (page_pool.c), installed by create. */
dpx_mbuf_home_put_t pp_home_put;
dpx_mbuf_home_shared_t pp_home_shared;

/* Give buffers of the pool back to the mempool (home_id 0 first). */
void pp_release(struct dpx_page_pool *pp, struct dpx_mbuf *const *segs, unsigned int n);

/* Counters now (not less base), home side read first: in_flight never negative. */
void pp_counters_read(const struct dpx_page_pool *pp, struct dpx_page_pool_stats *st);

#endif /* PAGE_POOL_PRIVATE_H */
