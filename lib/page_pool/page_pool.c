/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Page pool data path: allocation (cache, ring, mempool) and the home side
 * the mbuf library calls for a freed buffer (cache on the owner lcore, ring
 * elsewhere, mempool when the ring is full or the pool is stopped).
 *
 * Ordering: the cache is the owner lcore's alone. Buffers reach the owner
 * from other threads only through the ring, whose release store of the
 * producer tail pairs with the owner's acquire load of it in the dequeue
 * (lib/ring), ordering the buffer's contents. owner and active are relaxed:
 * a freeing thread that reads a stale value takes the ring or the mempool,
 * which is right for any thread; only the owner can read "owner is me".
 * Recycle counters are release stores (adds for non-EAL threads), the last
 * thing a put does with the pool: pp_counters_read's acquire loads see a
 * buffer home only once its put no longer touches the pool, which is what
 * lets destroy free a pool whose buffers are all home.
 */
#include <errno.h>
#include <string.h>

#include <dpx_errno.h>

#include "page_pool_private.h"

DPX_LOG_REGISTER(page_pool_logtype, "lib.page_pool");

#define COUNTER(c, f) ((uint64_t *)((char *)(c) + offsetof(struct pp_recycle_counters, f)))

/* The caller's recycle counter line: its lcore's, or NULL (the shared one). */
static inline struct pp_recycle_counters *
local_of(struct dpx_page_pool *pp, unsigned int lcore)
{
	return lcore < DPX_MAX_LCORE ? pp->local[lcore] : NULL;
}

static inline void
recycle_count(struct dpx_page_pool *pp, struct pp_recycle_counters *c, size_t off, uint64_t v)
{
	uint64_t *p;

	if (v == 0)
		return;
	if (c != NULL) {
		p = (uint64_t *)((char *)c + off);
		/* single writer: load + release store; pairs with pp_counters_read */
		__atomic_store_n(p, __atomic_load_n(p, __ATOMIC_RELAXED) + v, __ATOMIC_RELEASE);
	} else {
		__atomic_fetch_add((uint64_t *)((char *)&pp->shared + off), v, __ATOMIC_RELEASE);
	}
}
#define RECYCLE_COUNT(pp, c, f, v) recycle_count(pp, c, offsetof(struct pp_recycle_counters, f), v)

/* Allocating thread only (one at a time): relaxed stores so readers see whole values. */
static inline void
alloc_count(uint64_t *c, uint64_t v)
{
	__atomic_store_n(c, __atomic_load_n(c, __ATOMIC_RELAXED) + v, __ATOMIC_RELAXED);
}

void
pp_release(struct dpx_page_pool *pp, struct dpx_mbuf *const *segs, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		segs[i]->home_id = 0;
	dpx_mempool_put_bulk(pp->mp, (void *const *)segs, n);
}

/* Buffers taken from the mempool become the pool's. */
static inline void
take(struct dpx_page_pool *pp, struct dpx_mbuf **segs, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		segs[i]->home_id = pp->home_id;
}

/* ---- home side: a freed buffer of this pool ---- */

void
pp_home_put(struct dpx_mbuf_home *home, struct dpx_mbuf *const *segs, unsigned int n)
{
	struct dpx_page_pool *pp = (struct dpx_page_pool *)home;
	unsigned int lcore = dpx_lcore_id(), cached = 0, ring;
	struct pp_recycle_counters *c = local_of(pp, lcore);

	if (dpx_unlikely(!__atomic_load_n(&pp->active, __ATOMIC_RELAXED))) {
		pp_release(pp, segs, n);
		RECYCLE_COUNT(pp, c, waive, n);
		return;
	}
	if (lcore == __atomic_load_n(&pp->owner, __ATOMIC_RELAXED)) {
		uint32_t len = pp->cache_len;

		cached = DPX_MIN(n, (unsigned int)DPX_PAGE_POOL_CACHE_SIZE - len);
		memcpy(&pp->cache[len], segs, cached * sizeof(*segs));
		pp_cache_len_set(pp, len + cached);
		RECYCLE_COUNT(pp, c, cached, cached);
		if (cached == n)
			return;
		RECYCLE_COUNT(pp, c, cache_full, n - cached);
	}
	ring = dpx_ring_enqueue_burst(pp->ring, (void *const *)(segs + cached), n - cached, NULL);
	if (dpx_unlikely(cached + ring < n))
		pp_release(pp, segs + cached + ring, n - cached - ring);
	RECYCLE_COUNT(pp, c, ring, ring);
	RECYCLE_COUNT(pp, c, ring_full, n - cached - ring);
}

void
pp_home_shared(struct dpx_mbuf_home *home)
{
	struct dpx_page_pool *pp = (struct dpx_page_pool *)home;

	RECYCLE_COUNT(pp, local_of(pp, dpx_lcore_id()), released_refcnt, 1);
}

/* ---- allocation ---- */

static inline void
hand_out(struct dpx_mbuf **mbufs, struct dpx_mbuf *const *from, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		dpx_mbuf_reset_inline(from[i]);
		mbufs[i] = from[i];
	}
}

/*
 * Not the owner (or more than the cache holds): the ring, then the mempool,
 * nothing cached. All or none: what the ring gave goes back to it (or, full
 * meanwhile, to the mempool) when the mempool cannot make up the rest.
 */
static int
alloc_uncached(struct dpx_page_pool *pp, struct dpx_mbuf **mbufs, unsigned int n)
{
	unsigned int got = dpx_ring_dequeue_burst(pp->ring, (void **)mbufs, n, NULL), back;

	if (got == 0)
		alloc_count(&pp->alloc.empty, 1);
	if (got < n) {
		if (dpx_mempool_get_bulk(pp->mp, (void **)(mbufs + got), n - got) != 0) {
			back = dpx_ring_enqueue_burst(pp->ring, (void *const *)mbufs, got, NULL);
			pp_release(pp, mbufs + back, got - back);
			return -ENOENT;
		}
		take(pp, mbufs + got, n - got);
	}
	for (unsigned int i = 0; i < n; i++)
		dpx_mbuf_reset_inline(mbufs[i]);
	alloc_count(&pp->alloc.refill, got);
	alloc_count(&pp->alloc.slow, n - got);
	return 0;
}

/*
 * Bring the cache (len buffers, fewer than n) to at least n: the ring first
 * (n - len plus a refill batch), then the mempool (the same, or just the
 * missing ones). @return 0 with *from_ring, or -ENOENT (what was gathered
 * stays in the cache).
 */
static int
cache_fill(struct dpx_page_pool *pp, unsigned int n, unsigned int *from_ring)
{
	uint32_t len = pp->cache_len;
	unsigned int want = DPX_MIN(n - len + DPX_PAGE_POOL_REFILL, DPX_PAGE_POOL_CACHE_SIZE - len);
	unsigned int got = dpx_ring_dequeue_burst(pp->ring, (void **)&pp->cache[len], want, NULL);

	*from_ring = got;
	if (got == 0)
		alloc_count(&pp->alloc.empty, 1);
	len += got;
	if (len < n) {
		want = DPX_MIN(n - len + DPX_PAGE_POOL_REFILL, DPX_PAGE_POOL_CACHE_SIZE - len);
		if (dpx_mempool_get_bulk(pp->mp, (void **)&pp->cache[len], want) != 0) {
			want = n - len;
			if (dpx_mempool_get_bulk(pp->mp, (void **)&pp->cache[len], want) != 0) {
				pp_cache_len_set(pp, len);
				return -ENOENT;
			}
		}
		take(pp, &pp->cache[len], want);
		len += want;
	}
	pp_cache_len_set(pp, len);
	return 0;
}

/*
 * The owner: n from the top of the cache (LIFO, the warmest first), filled
 * first when short. Counted by where the buffers were when the call began:
 * as many as the cache held are fast, then up to what the ring gave are
 * refill, the rest slow.
 */
static int
alloc_owner(struct dpx_page_pool *pp, struct dpx_mbuf **mbufs, unsigned int n)
{
	unsigned int fast = DPX_MIN(n, pp->cache_len), from_ring = 0, refill;

	if (fast < n && cache_fill(pp, n, &from_ring) != 0)
		return -ENOENT;
	pp_cache_len_set(pp, pp->cache_len - n);
	hand_out(mbufs, &pp->cache[pp->cache_len], n);
	refill = DPX_MIN(n - fast, from_ring);
	alloc_count(&pp->alloc.fast, fast);
	alloc_count(&pp->alloc.refill, refill);
	alloc_count(&pp->alloc.slow, n - fast - refill);
	return 0;
}

/* An allocation (re)starts a drained pool: frees recycle again. */
static inline void
pool_start(struct dpx_page_pool *pp)
{
	if (dpx_unlikely(!__atomic_load_n(&pp->active, __ATOMIC_RELAXED)))
		__atomic_store_n(&pp->active, 1, __ATOMIC_RELAXED);
}

int
dpx_page_pool_alloc_bulk(struct dpx_page_pool *pp, struct dpx_mbuf **mbufs, unsigned int n)
{
	unsigned int lcore = dpx_lcore_id();
	uint32_t owner = __atomic_load_n(&pp->owner, __ATOMIC_RELAXED);

	pool_start(pp);
	if (dpx_unlikely(owner != lcore)) {
		/* the first EAL lcore to allocate owns the cache until a drain */
		if (owner != PP_NO_OWNER || lcore >= DPX_MAX_LCORE)
			return alloc_uncached(pp, mbufs, n);
		__atomic_store_n(&pp->owner, lcore, __ATOMIC_RELAXED);
	}
	if (dpx_unlikely(n > DPX_PAGE_POOL_CACHE_SIZE))
		return alloc_uncached(pp, mbufs, n);
	return alloc_owner(pp, mbufs, n);
}

int
dpx_page_pool_alloc_bulk_nocache(struct dpx_page_pool *pp, struct dpx_mbuf **mbufs, unsigned int n)
{
	pool_start(pp);
	return alloc_uncached(pp, mbufs, n);
}

struct dpx_mbuf *
dpx_page_pool_alloc(struct dpx_page_pool *pp)
{
	struct dpx_mbuf *m;

	if (dpx_page_pool_alloc_bulk(pp, &m, 1) != 0) {
		dpx_errno = ENOENT;
		return NULL;
	}
	return m;
}

/* ---- counters ---- */

static void
add_recycle(struct dpx_page_pool_stats *st, const struct pp_recycle_counters *c)
{
	/* acquire: partners of recycle_count's release stores */
	st->recycle_cached += __atomic_load_n(&c->cached, __ATOMIC_ACQUIRE);
	st->recycle_cache_full += __atomic_load_n(&c->cache_full, __ATOMIC_ACQUIRE);
	st->recycle_ring += __atomic_load_n(&c->ring, __ATOMIC_ACQUIRE);
	st->recycle_ring_full += __atomic_load_n(&c->ring_full, __ATOMIC_ACQUIRE);
	st->recycle_released_refcnt += __atomic_load_n(&c->released_refcnt, __ATOMIC_ACQUIRE);
	st->alloc_waive += __atomic_load_n(&c->waive, __ATOMIC_ACQUIRE);
}

void
pp_counters_read(const struct dpx_page_pool *pp, struct dpx_page_pool_stats *st)
{
	uint64_t out, home;

	memset(st, 0, sizeof(*st));
	/* home side first: a buffer allocated and freed after this read is
	 * missing from both sides or counted out only, never home only */
	for (unsigned int i = 0; i < DPX_MAX_LCORE; i++)
		if (pp->local[i] != NULL)
			add_recycle(st, pp->local[i]);
	add_recycle(st, &pp->shared);
	st->alloc_fast = __atomic_load_n(&pp->alloc.fast, __ATOMIC_RELAXED);
	st->alloc_slow = __atomic_load_n(&pp->alloc.slow, __ATOMIC_RELAXED);
	st->alloc_empty = __atomic_load_n(&pp->alloc.empty, __ATOMIC_RELAXED);
	st->alloc_refill = __atomic_load_n(&pp->alloc.refill, __ATOMIC_RELAXED);
	out = st->alloc_fast + st->alloc_slow + st->alloc_refill;
	home = st->recycle_cached + st->recycle_ring + st->recycle_ring_full + st->alloc_waive;
	st->in_flight = out > home ? out - home : 0;
}
