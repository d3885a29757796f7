/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Mempool: a pool of fixed-size objects in EAL memory.
 *
 * Shape: the objects live in one block of EAL memory, each preceded by a
 * header that records its pool and its IOVA (computed once at creation with
 * dpx_mem_virt2iova, so a driver can hand objects to a DMA engine). Free
 * objects sit in a ring; each EAL lcore has its own cache (a LIFO stack) in
 * front of that ring so most get/put calls touch no shared cache line.
 *
 * Cache rules (as in DPDK): a put goes to the calling lcore's cache; when
 * the cache reaches its flush threshold (1.5 x cache_size) everything above
 * cache_size goes back to the ring. A get served by the cache takes the most
 * recently put objects; when the cache has too few, it is refilled from the
 * ring with the request plus cache_size. Requests larger than the cache, and
 * every call from a thread that is not an EAL lcore (dpx_lcore_id() ==
 * DPX_LCORE_ID_ANY), go to the ring directly.
 *
 * Counting: avail = objects in the ring + objects in every cache;
 * in_use = size - avail. Objects in another lcore's cache are not available
 * to this lcore's get: a get may fail with -ENOENT while avail > 0.
 *
 * Thread safety: get/put from any threads (unless created with
 * DPX_MEMPOOL_F_SP_PUT / DPX_MEMPOOL_F_SC_GET); one lcore's cache is used only
 * by the thread of that lcore. create/free/lookup are serialised by a lock.
 */
#ifndef DPX_MEMPOOL_H
#define DPX_MEMPOOL_H

#include <stdio.h>
#include <stdint.h>

#include <dpx_common.h>
#include <dpx_memory.h>

/** Longest mempool name, terminating NUL included. */
#define DPX_MEMPOOL_NAMESIZE 32
/** Largest per-lcore cache size. */
#define DPX_MEMPOOL_CACHE_MAX_SIZE 512

/** Puts come from one thread at a time (single-producer ring). */
#define DPX_MEMPOOL_F_SP_PUT 0x1
/** Gets come from one thread at a time (single-consumer ring). */
#define DPX_MEMPOOL_F_SC_GET 0x2
/** Every flag a mempool accepts. */
#define DPX_MEMPOOL_F_MASK (DPX_MEMPOOL_F_SP_PUT | DPX_MEMPOOL_F_SC_GET)

struct dpx_mempool;

/**
 * Object constructor, called once per object at creation.
 * @param mp the pool
 * @param opaque the opaque argument given to dpx_mempool_create
 * @param obj the object
 * @param idx the object's index (0 .. n - 1)
 */
typedef void(dpx_mempool_obj_cb_t)(struct dpx_mempool *mp, void *opaque, void *obj,
				   unsigned int idx);

/**
 * Create a mempool of @p n objects of @p elt_size bytes each.
 *
 * Every object starts on a cache line. The private data area
 * (dpx_mempool_get_priv) is zeroed and belongs to the creator. The pool
 * lives in EAL memory: free it before dpx_eal_cleanup(). Lcore caches exist
 * for the lcores enabled when the pool is created.
 *
 * @param name unique pool name (< DPX_MEMPOOL_NAMESIZE)
 * @param n number of objects (>= 1)
 * @param elt_size size of one object in bytes (>= 1)
 * @param cache_size per-lcore cache size, 0 .. DPX_MEMPOOL_CACHE_MAX_SIZE; a
 *   cache larger than n / 1.5 is rejected (it could hide the whole pool)
 * @param private_data_size bytes of the pool's private area
 * @param obj_init called for each object at creation (may be NULL)
 * @param opaque passed to obj_init
 * @param socket_id NUMA node of the memory, or DPX_SOCKET_ID_ANY
 * @param flags DPX_MEMPOOL_F_*
 * @return the pool, or NULL with dpx_errno set to EINVAL (bad name, n,
 *   elt_size, cache_size or flags), EEXIST (a pool of that name exists),
 *   ENOMEM (no memory).
 */
struct dpx_mempool *dpx_mempool_create(const char *name, unsigned int n, unsigned int elt_size,
				       unsigned int cache_size, unsigned int private_data_size,
				       dpx_mempool_obj_cb_t *obj_init, void *opaque,
				       int socket_id, unsigned int flags);

/**
 * Release a pool and all its memory. NULL is ignored. Objects still in use
 * become invalid; no thread may use the pool meanwhile.
 */
void dpx_mempool_free(struct dpx_mempool *mp);

/**
 * Find a pool by name.
 * @return the pool, or NULL with dpx_errno = ENOENT (none) or EINVAL (NULL name).
 */
struct dpx_mempool *dpx_mempool_lookup(const char *name);

/**
 * Take @p n objects: all of them or none.
 * @return 0, or -ENOENT when fewer than n objects are available to this
 *   thread (then nothing was taken).
 */
int dpx_mempool_get_bulk(struct dpx_mempool *mp, void **objs, unsigned int n);

/**
 * Return @p n objects taken from this pool. Never fails: the pool has room
 * for every object it owns.
 */
void dpx_mempool_put_bulk(struct dpx_mempool *mp, void *const *objs, unsigned int n);

/** Take one object. @return 0, or -ENOENT. */
int dpx_mempool_get(struct dpx_mempool *mp, void **obj);

/** Return one object. */
void dpx_mempool_put(struct dpx_mempool *mp, void *obj);

/**
 * Objects available: in the ring plus in every lcore cache. A snapshot when
 * other threads are active.
 */
unsigned int dpx_mempool_avail_count(const struct dpx_mempool *mp);

/** Objects in use: size - avail (a snapshot when other threads are active). */
unsigned int dpx_mempool_in_use_count(const struct dpx_mempool *mp);

/** @return 1 when every object is available, 0 otherwise. */
int dpx_mempool_full(const struct dpx_mempool *mp);

/** @return 1 when no object is available, 0 otherwise. */
int dpx_mempool_empty(const struct dpx_mempool *mp);

/**
 * IOVA of an object of any pool (from its header, set at creation).
 * @return the IOVA, or DPX_BAD_IOVA when the memory has none (or its bytes
 *   are not IOVA-contiguous).
 */
dpx_iova_t dpx_mempool_virt2iova(const void *obj);

/** @return the pool an object belongs to. */
struct dpx_mempool *dpx_mempool_from_obj(const void *obj);

/**
 * Call @p fn(mp, arg, obj, idx) for every object of the pool, in memory order,
 * whether in use or not.
 * @return the number of objects visited (the pool's size).
 */
uint32_t dpx_mempool_obj_iter(struct dpx_mempool *mp,
			      void (*fn)(struct dpx_mempool *mp, void *arg, void *obj,
					 unsigned int idx),
			      void *arg);

/** @return the pool's private data area (private_data_size bytes). */
void *dpx_mempool_get_priv(struct dpx_mempool *mp);

/** @return the pool's name. */
const char *dpx_mempool_get_name(const struct dpx_mempool *mp);
/** @return the number of objects of the pool. */
unsigned int dpx_mempool_get_size(const struct dpx_mempool *mp);
/** @return the object size asked for at creation. */
unsigned int dpx_mempool_get_elt_size(const struct dpx_mempool *mp);
/** @return the per-lcore cache size. */
unsigned int dpx_mempool_get_cache_size(const struct dpx_mempool *mp);
/** @return the private data area size. */
unsigned int dpx_mempool_get_private_data_size(const struct dpx_mempool *mp);

/** Counters of a pool, summed over every lcore and non-EAL threads. */
struct dpx_mempool_stats {
	uint64_t put_bulk;         /**< put calls */
	uint64_t put_objs;         /**< objects put */
	uint64_t put_cache_objs;   /**< objects put into an lcore cache */
	uint64_t get_success_bulk; /**< get calls that succeeded */
	uint64_t get_success_objs; /**< objects got */
	uint64_t get_cache_objs;   /**< objects got straight from an lcore cache (cache hits) */
	uint64_t get_fail_bulk;    /**< get calls that failed (-ENOENT: pool empty for the caller) */
	uint64_t get_fail_objs;    /**< objects those failed calls asked for */
};

/**
 * Read a pool's counters.
 * @return 0, or -EINVAL for a NULL argument.
 */
int dpx_mempool_stats_get(const struct dpx_mempool *mp, struct dpx_mempool_stats *stats);

/** Zero a pool's counters (no other thread may use the pool meanwhile). */
void dpx_mempool_stats_reset(struct dpx_mempool *mp);

/**
 * Objects currently in one lcore's cache.
 * @return the count, or 0 when the pool has no cache or lcore_id is out of range.
 */
unsigned int dpx_mempool_cache_count(const struct dpx_mempool *mp, unsigned int lcore_id);

/**
 * Move every object of the calling lcore's cache back to the ring (e.g.
 * before the lcore stops using the pool). No effect from a non-EAL thread.
 */
void dpx_mempool_cache_flush(struct dpx_mempool *mp);

/** Print the pool's shape, counts, caches and counters. */
void dpx_mempool_dump(FILE *f, struct dpx_mempool *mp);

/** Print every pool. */
void dpx_mempool_list_dump(FILE *f);

#endif /* DPX_MEMPOOL_H */
