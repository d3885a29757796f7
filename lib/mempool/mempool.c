/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Mempool data path: get/put through the calling lcore's cache, the ring
 * behind it, counts and counters. No allocation, no system call.
 *
 * Ordering: objects move between threads only through the ring, whose
 * release/acquire tail pairs (lib/ring/ring.c) order the object's contents;
 * a cache is private to its lcore's thread. Other threads read a cache's
 * len and counters only as relaxed snapshots (avail_count, stats_get).
 */
#include <errno.h>
#include <string.h>

#include <dpx_errno.h>

#include "mempool_private.h"

DPX_LOG_REGISTER(mempool_logtype, "lib.mempool");

static inline struct mempool_local *
local_of_caller(const struct dpx_mempool *mp)
{
	unsigned int lcore = dpx_lcore_id();

	return lcore < DPX_MAX_LCORE ? mp->local[lcore] : NULL;
}

/* Counters of the caller: its lcore's (single writer) or the shared ones (atomic). */
static inline void
count(struct dpx_mempool *mp, struct mempool_local *local, size_t field, uint64_t v)
{
	if (local != NULL)
		mempool_count((uint64_t *)((char *)&local->stats + field), v);
	else
		__atomic_fetch_add((uint64_t *)((char *)&mp->nonlcore_stats + field), v,
				   __ATOMIC_RELAXED);
}
#define COUNT(mp, local, f, v) count(mp, local, offsetof(struct mempool_counters, f), v)

void
mempool_ring_put(struct dpx_mempool *mp, void *const *objs, unsigned int n)
{
	/* the ring's capacity is the pool's size and every object has one place
	 * (in use, in a cache or in the ring): this cannot fail for valid objects */
	unsigned int done = dpx_ring_enqueue_bulk(mp->ring, objs, n, NULL);

	if (dpx_unlikely(done != n))
		MEMPOOL_LOG(ERR, "%s: put of %u objects found the ring full: objects put twice or "
			    "from another pool", mp->name, n);
}

#ifdef DPX_DEBUG_CHECKS
/* -Ddebug_checks=true: refuse objects of another pool (they would corrupt both). */
static int
check_owner(const struct dpx_mempool *mp, void *const *objs, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		if (objs[i] == NULL || mempool_objhdr(objs[i])->mp != mp) {
			MEMPOOL_LOG(ERR, "%s: put of object %p (#%u of %u) that is not one of its own",
				    mp->name, objs[i], i, n);
			return -EINVAL;
		}
	}
	return 0;
}
#endif

void
dpx_mempool_put_bulk(struct dpx_mempool *mp, void *const *objs, unsigned int n)
{
	struct mempool_local *local = local_of_caller(mp);
	uint32_t len;

#ifdef DPX_DEBUG_CHECKS
	if (check_owner(mp, objs, n) != 0)
		return;
#endif

	COUNT(mp, local, put_bulk, 1);
	COUNT(mp, local, put_objs, n);
	if (local == NULL || local->size == 0 || n > local->size) {
		mempool_ring_put(mp, objs, n);
		return;
	}
	len = local->len;
	memcpy(&local->objs[len], objs, n * sizeof(void *));
	len += n;
	COUNT(mp, local, put_cache_objs, n);
	if (len >= local->flushthresh) {
		/* back to size, as DPDK does: the objects above size leave in one
		 * contiguous copy, leaving room for the next puts before a flush */
		mempool_ring_put(mp, &local->objs[local->size], len - local->size);
		len = local->size;
	}
	__atomic_store_n(&local->len, len, __ATOMIC_RELAXED);
}

void
dpx_mempool_put(struct dpx_mempool *mp, void *obj)
{
	dpx_mempool_put_bulk(mp, &obj, 1);
}

/* Refill a cache holding fewer than n objects: n - len plus size if the ring
 * has them, else just the n - len missing. Returns 0 or -ENOENT. */
static int
cache_refill(struct dpx_mempool *mp, struct mempool_local *local, unsigned int n)
{
	uint32_t len = local->len;
	unsigned int missing = n - len;

	if (dpx_ring_dequeue_bulk(mp->ring, &local->objs[len], missing + local->size, NULL) != 0)
		len += missing + local->size;
	else if (dpx_ring_dequeue_bulk(mp->ring, &local->objs[len], missing, NULL) != 0)
		len += missing;
	else
		return -ENOENT;
	__atomic_store_n(&local->len, len, __ATOMIC_RELAXED);
	return 0;
}

static int
get_fail(struct dpx_mempool *mp, struct mempool_local *local, unsigned int n)
{
	COUNT(mp, local, get_fail_bulk, 1);
	COUNT(mp, local, get_fail_objs, n);
	return -ENOENT;
}

/*
 * A request larger than the cache goes to the ring. When the ring alone has
 * fewer than n, this thread's cached objects (all of them, up to n: the
 * warmest) and the rest from the ring serve it, all or none: cached objects
 * are available to this thread, and the header promises ENOENT only when
 * fewer than n are.
 */
static int
get_beyond_cache(struct dpx_mempool *mp, struct mempool_local *local, void **objs,
		 unsigned int n)
{
	uint32_t len = local != NULL ? local->len : 0;
	unsigned int from_cache;

	if (dpx_ring_dequeue_bulk(mp->ring, objs, n, NULL) == n)
		return 0;
	from_cache = DPX_MIN(len, n);
	if (from_cache == 0)
		return -ENOENT;
	if (from_cache < n &&
	    dpx_ring_dequeue_bulk(mp->ring, objs + from_cache, n - from_cache, NULL) == 0)
		return -ENOENT;
	for (unsigned int i = 0; i < from_cache; i++)
		objs[i] = local->objs[--len];
	__atomic_store_n(&local->len, len, __ATOMIC_RELAXED);
	COUNT(mp, local, get_cache_objs, from_cache);
	return 0;
}

int
dpx_mempool_get_bulk(struct dpx_mempool *mp, void **objs, unsigned int n)
{
	struct mempool_local *local = local_of_caller(mp);
	uint32_t len;

	if (local == NULL || local->size == 0 || n > local->size) {
		if (get_beyond_cache(mp, local, objs, n) != 0)
			return get_fail(mp, local, n);
	} else {
		if (local->len >= n)
			COUNT(mp, local, get_cache_objs, n);
		else if (cache_refill(mp, local, n) != 0)
			return get_fail(mp, local, n);
		/* LIFO: the most recently put objects are the warmest in the CPU cache */
		len = local->len;
		for (unsigned int i = 0; i < n; i++)
			objs[i] = local->objs[--len];
		__atomic_store_n(&local->len, len, __ATOMIC_RELAXED);
	}
	COUNT(mp, local, get_success_bulk, 1);
	COUNT(mp, local, get_success_objs, n);
	return 0;
}

int
dpx_mempool_get(struct dpx_mempool *mp, void **obj)
{
	return dpx_mempool_get_bulk(mp, obj, 1);
}

unsigned int
dpx_mempool_cache_count(const struct dpx_mempool *mp, unsigned int lcore_id)
{
	if (lcore_id >= DPX_MAX_LCORE || mp->local[lcore_id] == NULL)
		return 0;
	return __atomic_load_n(&mp->local[lcore_id]->len, __ATOMIC_RELAXED);
}

void
dpx_mempool_cache_flush(struct dpx_mempool *mp)
{
	struct mempool_local *local = local_of_caller(mp);

	if (local == NULL || local->len == 0)
		return;
	mempool_ring_put(mp, local->objs, local->len);
	__atomic_store_n(&local->len, 0, __ATOMIC_RELAXED);
}

unsigned int
dpx_mempool_avail_count(const struct dpx_mempool *mp)
{
	unsigned int avail = dpx_ring_count(mp->ring);

	for (unsigned int i = 0; i < DPX_MAX_LCORE; i++)
		avail += dpx_mempool_cache_count(mp, i);
	/* snapshots of the ring and caches taken at different times may overlap */
	return avail > mp->size ? mp->size : avail;
}

unsigned int
dpx_mempool_in_use_count(const struct dpx_mempool *mp)
{
	return mp->size - dpx_mempool_avail_count(mp);
}

int
dpx_mempool_full(const struct dpx_mempool *mp)
{
	return dpx_mempool_avail_count(mp) == mp->size;
}

int
dpx_mempool_empty(const struct dpx_mempool *mp)
{
	return dpx_mempool_avail_count(mp) == 0;
}

dpx_iova_t
dpx_mempool_virt2iova(const void *obj)
{
	return mempool_objhdr(obj)->iova;
}

struct dpx_mempool *
dpx_mempool_from_obj(const void *obj)
{
	return mempool_objhdr(obj)->mp;
}

static void
add_counters(struct dpx_mempool_stats *s, const struct mempool_counters *c)
{
	s->put_bulk += __atomic_load_n(&c->put_bulk, __ATOMIC_RELAXED);
	s->put_objs += __atomic_load_n(&c->put_objs, __ATOMIC_RELAXED);
	s->put_cache_objs += __atomic_load_n(&c->put_cache_objs, __ATOMIC_RELAXED);
	s->get_success_bulk += __atomic_load_n(&c->get_success_bulk, __ATOMIC_RELAXED);
	s->get_success_objs += __atomic_load_n(&c->get_success_objs, __ATOMIC_RELAXED);
	s->get_cache_objs += __atomic_load_n(&c->get_cache_objs, __ATOMIC_RELAXED);
	s->get_fail_bulk += __atomic_load_n(&c->get_fail_bulk, __ATOMIC_RELAXED);
	s->get_fail_objs += __atomic_load_n(&c->get_fail_objs, __ATOMIC_RELAXED);
}

int
dpx_mempool_stats_get(const struct dpx_mempool *mp, struct dpx_mempool_stats *stats)
{
	if (mp == NULL || stats == NULL)
		return -EINVAL;
	memset(stats, 0, sizeof(*stats));
	for (unsigned int i = 0; i < DPX_MAX_LCORE; i++)
		if (mp->local[i] != NULL)
			add_counters(stats, &mp->local[i]->stats);
	add_counters(stats, &mp->nonlcore_stats);
	return 0;
}

void
dpx_mempool_stats_reset(struct dpx_mempool *mp)
{
	for (unsigned int i = 0; i < DPX_MAX_LCORE; i++)
		if (mp->local[i] != NULL)
			memset(&mp->local[i]->stats, 0, sizeof(mp->local[i]->stats));
	memset(&mp->nonlcore_stats, 0, sizeof(mp->nonlcore_stats));
}
