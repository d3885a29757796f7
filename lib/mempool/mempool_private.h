/* SPDX-License-Identifier: BSD-3-Clause */
/* Mempool internals: layout of a pool, its lcore caches and object headers; never installed. */
#ifndef MEMPOOL_PRIVATE_H
#define MEMPOOL_PRIVATE_H

#include <stdbool.h>
#include <stdint.h>

#include <dpx_lcore.h>
#include <dpx_log.h>
#include <dpx_mempool.h>
#include <dpx_ring.h>

extern int mempool_logtype;
#define MEMPOOL_LOG(level, fmt, ...) DPX_LOG(level, mempool_logtype, "mempool: " fmt, ##__VA_ARGS__)

/*
 * Object header, in the cache line just before each object: the object's
 * pool and IOVA, found from the object pointer alone. A slot whose bytes are
 * not IOVA-contiguous is left unused (mp == NULL) when IOVAs exist.
 */
struct mempool_objhdr {
	struct dpx_mempool *mp;
	dpx_iova_t iova;
};
#define MEMPOOL_HEADER_SIZE DPX_ALIGN_CEIL(sizeof(struct mempool_objhdr), DPX_CACHE_LINE_SIZE)

static inline struct mempool_objhdr *
mempool_objhdr(const void *obj)
{
	return (struct mempool_objhdr *)((uintptr_t)obj - sizeof(struct mempool_objhdr));
}

/* Counters of one lcore (one writer) or of all non-EAL threads (atomic adds). */
struct mempool_counters {
	uint64_t put_bulk, put_objs, put_cache_objs;
	uint64_t get_success_bulk, get_success_objs, get_cache_objs;
	uint64_t get_fail_bulk, get_fail_objs;
};

/*
 * Per-lcore state, only touched by that lcore's thread (readers elsewhere:
 * counts and stats, relaxed snapshots). objs is a LIFO stack of len objects.
 * len < flushthresh between calls; a put may take it to flushthresh - 1 + size
 * before the flush, hence 3 x size slots.
 */
struct mempool_local {
	struct mempool_counters stats;
	uint32_t size;        /* target fill: cache_size */
	uint32_t flushthresh; /* 1.5 x size */
	uint32_t len;         /* objects in objs (relaxed atomic stores: read by avail_count) */
	void *objs[];         /* 3 x size */
} __dpx_cache_aligned;

struct dpx_mempool {
	char name[DPX_MEMPOOL_NAMESIZE];
	unsigned int size;          /* objects */
	unsigned int elt_size;      /* as asked */
	unsigned int total_elt_size; /* header + object rounded to a cache line: slot stride */
	unsigned int cache_size;
	unsigned int private_data_size;
	unsigned int flags;
	int socket_id;
	unsigned int nb_slots;      /* slots in chunk (>= size; extras are unusable slots) */
	void *chunk;                /* the objects' memory */
	struct dpx_ring *ring;      /* free objects not in a cache */
	struct mempool_local *local[DPX_MAX_LCORE]; /* NULL for lcores not enabled at creation */
	struct mempool_counters nonlcore_stats;     /* threads without an lcore (atomic adds) */
	/* the private data area follows, cache-line aligned */
} __dpx_cache_aligned;

/* Bump a single-writer counter (plain load/store, atomic so readers see whole values). */
static inline void
mempool_count(uint64_t *c, uint64_t v)
{
	__atomic_store_n(c, __atomic_load_n(c, __ATOMIC_RELAXED) + v, __ATOMIC_RELAXED);
}

/* Put objects straight into the ring (never fails: the ring holds every object). */
void mempool_ring_put(struct dpx_mempool *mp, void *const *objs, unsigned int n);

#endif /* MEMPOOL_PRIVATE_H */
