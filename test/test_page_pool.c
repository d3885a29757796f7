/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/page_pool against a model and on its exact paths.
 *
 * page_pool_model: random allocations and frees (single, bulk, chains,
 * shared segments) on two lcores, the owner and another, in lockstep, plus
 * drains; after every step the pool's counters, cache, ring and in-flight
 * count equal a count-only model's, and cache + ring + in flight + mempool
 * available = mempool size. Every buffer handed out is checked against a
 * tag written at its last free, so none is ever handed out twice.
 * page_pool_paths: each path with exact numbers. page_pool_concurrent: both
 * lcores at once (receive on one, free on the other). page_pool_destroy_*:
 * a pool destroyed with buffers in flight. page_pool_dma_mapped_once: the
 * fake VFIO kernel shows every buffer mapped, once, at its IOVA.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <dpx_errno.h>
#include <dpx_lcore.h>
#include <dpx_malloc.h>
#include <dpx_mbuf.h>
#include <dpx_mbuf_home.h>
#include <dpx_mempool.h>
#include <dpx_page_pool.h>
#include <dpx_vfio.h>

#include "dpx_test.h"
#include "page_pool_private.h"
#include "test_pkt.h"
#include "vfio_kernel_fake.h"

#define TAG_OUT 0x6f75742d70702d31ull  /* udata64 of a buffer the pool handed out */
#define TAG_HOME 0x686f6d652d707031ull /* udata64 written by the test before a free */

static int
eal_two_lcores(void)
{
	char map[64];

	lcore_map(map, sizeof(map), 2);
	DPX_TEST_ASSERT(dpx_test_eal_init("--no-huge", "--in-memory", "-m", "64", "--lcores", map,
					  NULL) > 0,
			"init");
	return DPX_TEST_SUCCESS;
}

/* ---- running a call on lcore 1, in lockstep ---- */

struct remote_op {
	struct dpx_page_pool *pp;
	int alloc; /* 1: alloc_bulk(n), 0: free */
	int bulk;  /* free: free_bulk rather than one free per packet */
	unsigned int n;
	struct dpx_mbuf **mbufs;
	int rc;
};

static int
remote_fn(void *arg)
{
	struct remote_op *op = arg;

	if (op->alloc) {
		op->rc = dpx_page_pool_alloc_bulk(op->pp, op->mbufs, op->n);
	} else if (op->bulk) {
		dpx_pktmbuf_free_bulk(op->mbufs, op->n);
	} else {
		for (unsigned int i = 0; i < op->n; i++)
			dpx_pktmbuf_free(op->mbufs[i]);
	}
	return 0;
}

/* Run op on lcore 1 (1) or here, lcore 0 (0). */
static int
run_on(unsigned int lcore, struct remote_op *op)
{
	if (lcore == 0)
		return remote_fn(op);
	if (dpx_eal_remote_launch(remote_fn, op, 1) != 0)
		return -1;
	return dpx_eal_wait_lcore(1);
}

static int
alloc_on(unsigned int lcore, struct dpx_page_pool *pp, struct dpx_mbuf **m, unsigned int n)
{
	struct remote_op op = {.pp = pp, .alloc = 1, .n = n, .mbufs = m};

	run_on(lcore, &op);
	return op.rc;
}

static void
free_on(unsigned int lcore, struct dpx_mbuf **m, unsigned int n, int bulk)
{
	struct remote_op op = {.alloc = 0, .bulk = bulk, .n = n, .mbufs = m};

	run_on(lcore, &op);
}

/* Handed out: never a buffer already out, reset, home id of the pool. */
static int
check_handed_out(struct dpx_page_pool *pp, struct dpx_mbuf **m, unsigned int n)
{
	struct dpx_page_pool_info info;

	dpx_page_pool_info_get(pp, &info);
	for (unsigned int i = 0; i < n; i++) {
		DPX_TEST_ASSERT(m[i]->udata64 != TAG_OUT, "buffer %p handed out twice",
				(void *)m[i]);
		DPX_TEST_ASSERT_EQUAL(m[i]->home_id, info.home_id, "");
		DPX_TEST_ASSERT_EQUAL(dpx_mbuf_refcnt_read(m[i]), 1, "");
		DPX_TEST_ASSERT(m[i]->next == NULL && m[i]->nb_segs == 1 && m[i]->data_len == 0,
				"");
		m[i]->udata64 = TAG_OUT;
	}
	return DPX_TEST_SUCCESS;
}

static void
tag_home(struct dpx_mbuf *m)
{
	for (; m != NULL; m = m->next)
		m->udata64 = TAG_HOME;
}

/* ---- the model: counts only ---- */

struct model {
	unsigned int cache, ring, mp, size, total;
	int owner; /* -1: none */
	bool active;
	struct dpx_page_pool_stats st;
};

static void
model_alloc_uncached(struct model *md, unsigned int n, int *rc)
{
	unsigned int r = DPX_MIN(md->ring, n);

	if (r == 0)
		md->st.alloc_empty++;
	if (n - r > md->mp) {
		*rc = -ENOENT;
		return;
	}
	md->ring -= r;
	md->mp -= n - r;
	md->st.alloc_refill += r;
	md->st.alloc_slow += n - r;
	md->st.in_flight += n;
	*rc = 0;
}

static void
model_alloc(struct model *md, int lcore, unsigned int n, int *rc)
{
	unsigned int fast, got = 0, want, refill;

	md->active = true;
	if (md->owner != lcore) {
		if (md->owner >= 0)
			return model_alloc_uncached(md, n, rc);
		md->owner = lcore;
	}
	if (n > DPX_PAGE_POOL_CACHE_SIZE)
		return model_alloc_uncached(md, n, rc);
	fast = DPX_MIN(n, md->cache);
	if (md->cache < n) {
		want = DPX_MIN(n - md->cache + DPX_PAGE_POOL_REFILL,
			       DPX_PAGE_POOL_CACHE_SIZE - md->cache);
		got = DPX_MIN(md->ring, want);
		if (got == 0)
			md->st.alloc_empty++;
		md->ring -= got;
		md->cache += got;
	}
	if (md->cache < n) {
		want = DPX_MIN(n - md->cache + DPX_PAGE_POOL_REFILL,
			       DPX_PAGE_POOL_CACHE_SIZE - md->cache);
		if (md->mp < want)
			want = n - md->cache;
		if (md->mp < want) {
			*rc = -ENOENT;
			return;
		}
		md->mp -= want;
		md->cache += want;
	}
	md->cache -= n;
	refill = DPX_MIN(n - fast, got);
	md->st.alloc_fast += fast;
	md->st.alloc_refill += refill;
	md->st.alloc_slow += n - fast - refill;
	md->st.in_flight += n;
	*rc = 0;
}

/* One segment whose last reference went, freed on lcore. */
static void
model_home(struct model *md, int lcore)
{
	md->st.in_flight--;
	if (!md->active) {
		md->st.alloc_waive++;
		md->mp++;
		return;
	}
	if (lcore == md->owner) {
		if (md->cache < DPX_PAGE_POOL_CACHE_SIZE) {
			md->cache++;
			md->st.recycle_cached++;
			return;
		}
		md->st.recycle_cache_full++;
	}
	if (md->ring < md->size) {
		md->ring++;
		md->st.recycle_ring++;
	} else {
		md->st.recycle_ring_full++;
		md->mp++;
	}
}

static void
model_drain(struct model *md)
{
	md->mp += md->cache + md->ring;
	md->cache = md->ring = 0;
	md->active = false;
	md->owner = -1;
}

static int
model_check(struct dpx_page_pool *pp, struct dpx_mempool *mp, const struct model *md,
	    unsigned int step)
{
	struct dpx_page_pool_stats st;
	struct dpx_page_pool_info info;
	const uint64_t *got = (const uint64_t *)&st, *want = (const uint64_t *)&md->st;

	DPX_TEST_ASSERT_EQUAL(dpx_page_pool_stats_get(pp, &st), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_page_pool_info_get(pp, &info), 0, "");
	for (unsigned int i = 0; i < DPX_PAGE_POOL_NB_STATS; i++)
		DPX_TEST_ASSERT_EQUAL(got[i], want[i], "step %u: %s", step,
				      dpx_page_pool_stat_name(i));
	DPX_TEST_ASSERT_EQUAL(info.cache_count, md->cache, "step %u", step);
	DPX_TEST_ASSERT_EQUAL(info.ring_count, md->ring, "step %u", step);
	DPX_TEST_ASSERT_EQUAL(dpx_mempool_avail_count(mp), md->mp, "step %u", step);
	DPX_TEST_ASSERT_EQUAL(info.cache_count + info.ring_count + st.in_flight +
				      dpx_mempool_avail_count(mp),
			      md->total, "step %u: cache + ring + in flight + mempool", step);
	DPX_TEST_ASSERT_EQUAL(info.active, md->active, "step %u", step);
	return DPX_TEST_SUCCESS;
}

/* ---- the random case ---- */

#define MODEL_N 640
#define MODEL_STEPS 3000

/* The test's packets: a head and the references the test holds on it (1 or 2). */
struct pkt {
	struct dpx_mbuf *m;
	unsigned int refs;
};

struct world {
	struct dpx_page_pool *pp;
	struct dpx_mempool *mp;
	struct model md;
	struct pkt pkts[MODEL_N];
	unsigned int npkts;
	uint64_t rnd;
};

static unsigned int
pick(struct world *w, unsigned int n)
{
	return (unsigned int)(dpx_test_rand(&w->rnd) % n);
}

static int
step_alloc(struct world *w, int lcore)
{
	struct dpx_mbuf *m[160];
	unsigned int n = pick(w, 10) == 0 ? 129 + pick(w, 31) : 1 + pick(w, 48);
	int want_rc, rc;

	model_alloc(&w->md, lcore, n, &want_rc);
	rc = alloc_on((unsigned int)lcore, w->pp, m, n);
	DPX_TEST_ASSERT_EQUAL(rc, want_rc, "alloc %u on lcore %d", n, lcore);
	if (rc != 0)
		return DPX_TEST_SUCCESS;
	DPX_TEST_RUN(check_handed_out(w->pp, m, n));
	for (unsigned int i = 0; i < n; i++)
		w->pkts[w->npkts++] = (struct pkt){m[i], 1};
	return DPX_TEST_SUCCESS;
}

/* Chain two to four single-segment packets the test holds once. */
static void
step_chain(struct world *w)
{
	unsigned int k = 2 + pick(w, 3), head;

	if (w->npkts < k)
		return;
	head = pick(w, w->npkts - k + 1);
	for (unsigned int i = 0; i < k; i++)
		if (w->pkts[head + i].refs != 1)
			return;
	for (unsigned int i = 1; i < k; i++)
		dpx_pktmbuf_chain(w->pkts[head].m, w->pkts[head + i].m);
	memmove(&w->pkts[head + 1], &w->pkts[head + k], (w->npkts - head - k) * sizeof(w->pkts[0]));
	w->npkts -= k - 1;
}

static void
step_share(struct world *w)
{
	struct pkt *p;

	if (w->npkts == 0)
		return;
	p = &w->pkts[pick(w, w->npkts)];
	if (p->refs == 1 && p->m->nb_segs == 1) {
		dpx_mbuf_refcnt_update(p->m, 1);
		p->refs = 2;
	}
}

static void
step_free(struct world *w, int lcore)
{
	struct dpx_mbuf *m[64];
	unsigned int want = 1 + pick(w, 48), n = DPX_MIN(w->npkts, want), segs;

	for (unsigned int i = 0; i < n; i++) {
		unsigned int j = pick(w, w->npkts);
		struct pkt p = w->pkts[j];

		m[i] = p.m;
		if (p.refs == 2) {
			w->pkts[j].refs = 1;
			w->md.st.recycle_released_refcnt++;
			continue; /* the same packet may be picked again: its last free */
		}
		tag_home(p.m);
		segs = p.m->nb_segs;
		for (unsigned int s = 0; s < segs; s++)
			model_home(&w->md, lcore);
		w->pkts[j] = w->pkts[--w->npkts];
	}
	free_on((unsigned int)lcore, m, n, (int)pick(w, 2));
}

static int
test_page_pool_model(void)
{
	static struct world w;
	struct dpx_page_pool_params prm = {.name = "model", .size = 256};

	DPX_TEST_RUN(eal_two_lcores());
	w.mp = dpx_pktmbuf_pool_create("model_mp", MODEL_N, 0, 0, 256, -1);
	DPX_TEST_ASSERT(w.mp != NULL, "");
	prm.mp = w.mp;
	w.pp = dpx_page_pool_create(&prm);
	DPX_TEST_ASSERT(w.pp != NULL, "%s", dpx_strerror(dpx_errno));
	w.md = (struct model){.mp = MODEL_N, .size = 256, .total = MODEL_N, .owner = -1};
	w.rnd = 0x9e3779b97f4a7c15ull;
	printf("seed %#" PRIx64 ", %u steps\n", w.rnd, MODEL_STEPS);
	for (unsigned int step = 0; step < MODEL_STEPS; step++) {
		unsigned int what = pick(&w, 100);
		int lcore = (int)pick(&w, 2);

		if (what < 40)
			DPX_TEST_RUN(step_alloc(&w, lcore));
		else if (what < 80)
			step_free(&w, lcore);
		else if (what < 88)
			step_chain(&w);
		else if (what < 97)
			step_share(&w);
		else if (w.md.owner < 0 || pick(&w, 4) == 0) {
			/* a stop: the test holds the owner lcore still (lockstep) */
			model_drain(&w.md);
			dpx_page_pool_drain(w.pp);
		}
		DPX_TEST_RUN(model_check(w.pp, w.mp, &w.md, step));
	}
	printf("counters: fast %" PRIu64 " slow %" PRIu64 " refill %" PRIu64 " empty %" PRIu64
	       " waive %" PRIu64 " cached %" PRIu64 " cache_full %" PRIu64 " ring %" PRIu64
	       " ring_full %" PRIu64 " released_refcnt %" PRIu64 "\n",
	       w.md.st.alloc_fast, w.md.st.alloc_slow, w.md.st.alloc_refill, w.md.st.alloc_empty,
	       w.md.st.alloc_waive, w.md.st.recycle_cached, w.md.st.recycle_cache_full,
	       w.md.st.recycle_ring, w.md.st.recycle_ring_full, w.md.st.recycle_released_refcnt);
	/* the case must have gone through every path, or it proves less than it says */
	for (unsigned int i = 0; i + 1 < DPX_PAGE_POOL_NB_STATS; i++)
		DPX_TEST_ASSERT(((const uint64_t *)&w.md.st)[i] > 0, "%s never happened",
				dpx_page_pool_stat_name(i));
	while (w.npkts > 0) {
		step_free(&w, 0);
		DPX_TEST_RUN(model_check(w.pp, w.mp, &w.md, MODEL_STEPS));
	}
	dpx_page_pool_destroy(w.pp);
	return pool_and_eal_done(w.mp, MODEL_N);
}
DPX_TEST_REGISTER(page_pool_model, fast, test_page_pool_model);

/* ---- exact paths ---- */

static int
expect_stats(struct dpx_page_pool *pp, const struct dpx_page_pool_stats *want, const char *what)
{
	struct dpx_page_pool_stats st;
	const uint64_t *g = (const uint64_t *)&st, *w = (const uint64_t *)want;

	DPX_TEST_ASSERT_EQUAL(dpx_page_pool_stats_get(pp, &st), 0, "");
	for (unsigned int i = 0; i < DPX_PAGE_POOL_NB_STATS; i++)
		DPX_TEST_ASSERT_EQUAL(g[i], w[i], "%s: %s", what, dpx_page_pool_stat_name(i));
	return DPX_TEST_SUCCESS;
}

static unsigned int
cache_of(struct dpx_page_pool *pp)
{
	struct dpx_page_pool_info info;

	dpx_page_pool_info_get(pp, &info);
	return info.cache_count;
}

static unsigned int
ring_of(struct dpx_page_pool *pp)
{
	struct dpx_page_pool_info info;

	dpx_page_pool_info_get(pp, &info);
	return info.ring_count;
}

static void
free_tagged(struct dpx_mbuf **m, unsigned int n, unsigned int lcore, int bulk)
{
	for (unsigned int i = 0; i < n; i++)
		tag_home(m[i]);
	free_on(lcore, m, n, bulk);
}

static void *
thread_free(void *arg)
{
	dpx_pktmbuf_free(arg); /* a thread that is no EAL lcore (a control thread) */
	return NULL;
}

static void *
thread_alloc(void *arg)
{
	struct dpx_page_pool *pp = arg;

	return dpx_page_pool_alloc(pp);
}

/* Owner allocations, frees on the other lcore, the ring, the ring full, a non-EAL thread. */
static int
paths_alloc_recycle(struct dpx_page_pool *pp, struct dpx_mempool *mp)
{
	struct dpx_page_pool_stats want = {0};
	struct dpx_mbuf *m[128], *x;
	pthread_t t;

	/* first allocation on lcore 0: it owns the pool; empty cache and ring: slow
	 * path, the request plus a refill batch from the mempool */
	DPX_TEST_ASSERT_EQUAL(alloc_on(0, pp, m, 32), 0, "");
	DPX_TEST_RUN(check_handed_out(pp, m, 32));
	want.alloc_slow = 32, want.alloc_empty = 1, want.in_flight = 32;
	DPX_TEST_RUN(expect_stats(pp, &want, "first alloc"));
	DPX_TEST_ASSERT_EQUAL(cache_of(pp), 64, "the surplus of the slow path is cached");
	DPX_TEST_ASSERT_EQUAL(dpx_mempool_avail_count(mp), 512 - 96, "");
	/* freed on the other lcore: the ring, not the cache */
	free_tagged(m, 32, 1, 1);
	want.recycle_ring = 32, want.in_flight = 0;
	DPX_TEST_RUN(expect_stats(pp, &want, "freed on lcore 1"));
	DPX_TEST_ASSERT_EQUAL(ring_of(pp), 32, "");
	DPX_TEST_ASSERT_EQUAL(cache_of(pp), 64, "");
	/* 96: the 64 cached (fast), then the ring refills the rest (refill) */
	DPX_TEST_ASSERT_EQUAL(alloc_on(0, pp, m, 96), 0, "");
	DPX_TEST_RUN(check_handed_out(pp, m, 96));
	want.alloc_fast = 64, want.alloc_refill = 32, want.in_flight = 96;
	DPX_TEST_RUN(expect_stats(pp, &want, "fast then refill"));
	DPX_TEST_ASSERT_EQUAL(ring_of(pp) + cache_of(pp), 0, "");
	/* freed on the owner lcore, one by one: the cache */
	free_tagged(m, 96, 0, 0);
	want.recycle_cached = 96, want.in_flight = 0;
	DPX_TEST_RUN(expect_stats(pp, &want, "freed on the owner"));
	DPX_TEST_ASSERT_EQUAL(cache_of(pp), 96, "");
	/* 128 out, 128 + 32 back on the owner: the cache holds 128, the rest
	 * is cache_full and goes to the ring (32 = its size): then ring_full */
	DPX_TEST_ASSERT_EQUAL(alloc_on(0, pp, m, 96), 0, "");
	DPX_TEST_RUN(check_handed_out(pp, m, 96));
	DPX_TEST_ASSERT_EQUAL(alloc_on(1, pp, m + 96, 32), 0, "not the owner: ring, then mempool");
	DPX_TEST_RUN(check_handed_out(pp, m + 96, 32));
	want.alloc_fast += 96, want.alloc_slow += 32, want.alloc_empty += 1, want.in_flight = 128;
	DPX_TEST_RUN(expect_stats(pp, &want, "owner and other lcore"));
	DPX_TEST_ASSERT_EQUAL(cache_of(pp), 0, "the other lcore did not touch the cache");
	free_tagged(m, 128, 0, 1);
	want.recycle_cached += 128, want.in_flight = 0;
	DPX_TEST_RUN(expect_stats(pp, &want, "cache filled"));
	DPX_TEST_ASSERT_EQUAL(alloc_on(1, pp, m, 40), 0, "");
	DPX_TEST_RUN(check_handed_out(pp, m, 40));
	want.alloc_slow += 40, want.alloc_empty += 1, want.in_flight = 40;
	unsigned int avail = dpx_mempool_avail_count(mp);
	free_tagged(m, 40, 0, 1);
	want.recycle_cache_full += 40, want.recycle_ring += 32, want.recycle_ring_full += 8;
	want.in_flight = 0;
	DPX_TEST_RUN(expect_stats(pp, &want, "cache full, ring full"));
	DPX_TEST_ASSERT_EQUAL(dpx_mempool_avail_count(mp), avail + 8, "released to the mempool");
	for (unsigned int i = 32; i < 40; i++)
		DPX_TEST_ASSERT_EQUAL(m[i]->home_id, 0, "a released buffer is the mempool's again");
	/* a thread that is no lcore: allocation from the ring only, free to the ring */
	DPX_TEST_ASSERT_EQUAL(pthread_create(&t, NULL, thread_alloc, pp), 0, "");
	DPX_TEST_ASSERT_EQUAL(pthread_join(t, (void **)&x), 0, "");
	DPX_TEST_ASSERT(x != NULL, "");
	DPX_TEST_RUN(check_handed_out(pp, &x, 1));
	want.alloc_refill += 1, want.in_flight = 1;
	DPX_TEST_RUN(expect_stats(pp, &want, "non-EAL allocation"));
	DPX_TEST_ASSERT_EQUAL(cache_of(pp), 128, "");
	tag_home(x);
	DPX_TEST_ASSERT_EQUAL(pthread_create(&t, NULL, thread_free, x), 0, "");
	pthread_join(t, NULL);
	want.recycle_ring += 1, want.in_flight = 0;
	DPX_TEST_RUN(expect_stats(pp, &want, "non-EAL free"));
	DPX_TEST_ASSERT_EQUAL(ring_of(pp), 32, "");
	return DPX_TEST_SUCCESS;
}

/* Chains and shared segments come home once each, at their last free. */
static int
paths_chains_shared(struct dpx_page_pool *pp, struct dpx_mempool *mp, struct dpx_mempool *plain)
{
	struct dpx_page_pool_stats st0, st;
	struct dpx_mbuf *m[8], *p;
	unsigned int cache0, plain0 = dpx_mempool_avail_count(plain);

	dpx_page_pool_drain(pp);
	DPX_TEST_ASSERT_EQUAL(alloc_on(0, pp, m, 8), 0, "");
	DPX_TEST_RUN(check_handed_out(pp, m, 8));
	dpx_page_pool_stats_get(pp, &st0);
	cache0 = cache_of(pp);
	/* a chain of three pooled segments and a plain one */
	p = dpx_pktmbuf_alloc(plain);
	DPX_TEST_ASSERT(p != NULL, "");
	DPX_TEST_ASSERT_EQUAL(dpx_pktmbuf_chain(m[0], m[1]), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_pktmbuf_chain(m[0], m[2]), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_pktmbuf_chain(m[0], p), 0, "");
	tag_home(m[0]);
	dpx_pktmbuf_free(m[0]);
	DPX_TEST_ASSERT_EQUAL(cache_of(pp), cache0 + 3, "three pooled segments home");
	DPX_TEST_ASSERT_EQUAL(dpx_mempool_avail_count(plain), plain0, "the plain one to its pool");
	/* refcount 2: the first free only drops a reference */
	dpx_mbuf_refcnt_update(m[3], 1);
	dpx_pktmbuf_free(m[3]);
	dpx_page_pool_stats_get(pp, &st);
	DPX_TEST_ASSERT_EQUAL(st.recycle_released_refcnt, st0.recycle_released_refcnt + 1, "");
	DPX_TEST_ASSERT_EQUAL(st.in_flight, 5, "m[3] is still out");
	DPX_TEST_ASSERT_EQUAL(cache_of(pp), cache0 + 3, "");
	m[3]->udata64 = TAG_HOME;
	free_on(1, &m[3], 1, 0);
	DPX_TEST_ASSERT_EQUAL(ring_of(pp), 1, "last free on lcore 1: the ring, once");
	/* one segment at the end of two chains (refcnt 2): home at the second */
	DPX_TEST_ASSERT_EQUAL(dpx_pktmbuf_chain(m[4], m[6]), 0, "");
	dpx_mbuf_refcnt_update(m[6], 1);
	m[5]->next = m[6]; /* the second chain shares its tail */
	m[5]->nb_segs = 2;
	m[5]->pkt_len = m[5]->data_len + m[6]->data_len;
	m[4]->udata64 = m[5]->udata64 = TAG_HOME;
	struct dpx_mbuf *two[2] = {m[4], m[5]};
	dpx_pktmbuf_free(two[0]);
	DPX_TEST_ASSERT_EQUAL(cache_of(pp), cache0 + 4, "m[4] home, m[6] still referenced");
	m[6]->udata64 = TAG_HOME;
	dpx_pktmbuf_free_bulk(&two[1], 1);
	DPX_TEST_ASSERT_EQUAL(cache_of(pp), cache0 + 6, "m[5] and m[6] home");
	dpx_page_pool_stats_get(pp, &st);
	DPX_TEST_ASSERT_EQUAL(st.recycle_released_refcnt, st0.recycle_released_refcnt + 2, "");
	DPX_TEST_ASSERT_EQUAL(st.recycle_cached - st0.recycle_cached, 6, "each segment once");
	DPX_TEST_ASSERT_EQUAL(st.recycle_ring - st0.recycle_ring, 1, "");
	DPX_TEST_ASSERT_EQUAL(st.in_flight, 1, "m[7]");
	/* a raw free sends a pooled segment home too */
	m[7]->udata64 = TAG_HOME;
	dpx_mbuf_raw_free(m[7]);
	DPX_TEST_ASSERT_EQUAL(cache_of(pp), cache0 + 7, "");
	(void)mp;
	return DPX_TEST_SUCCESS;
}

/* A stop gives everything back; buffers freed while stopped go to the mempool. */
static int
paths_stop(struct dpx_page_pool *pp, struct dpx_mempool *mp)
{
	struct dpx_page_pool_stats st0, st;
	struct dpx_page_pool_info info;
	struct dpx_mbuf *m[20];
	unsigned int held;

	DPX_TEST_ASSERT_EQUAL(alloc_on(1, pp, m, 20), 0, "");
	DPX_TEST_RUN(check_handed_out(pp, m, 20));
	dpx_page_pool_stats_get(pp, &st0);
	held = cache_of(pp) + ring_of(pp);
	DPX_TEST_ASSERT(held > 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_page_pool_drain(pp), held, "");
	dpx_page_pool_info_get(pp, &info);
	DPX_TEST_ASSERT(!info.active && info.owner_lcore == DPX_LCORE_ID_ANY, "");
	DPX_TEST_ASSERT_EQUAL(info.cache_count + info.ring_count, 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_mempool_avail_count(mp), 512 - 20, "all but the 20 in flight");
	free_tagged(m, 10, 0, 1);
	free_tagged(m + 10, 10, 1, 0);
	dpx_page_pool_stats_get(pp, &st);
	DPX_TEST_ASSERT_EQUAL(st.alloc_waive - st0.alloc_waive, 20, "");
	DPX_TEST_ASSERT_EQUAL(st.in_flight, 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_mempool_avail_count(mp), 512, "everything back");
	for (unsigned int i = 0; i < 20; i++)
		DPX_TEST_ASSERT_EQUAL(m[i]->home_id, 0, "");
	/* the next allocation starts the pool again, with a new owner */
	DPX_TEST_ASSERT_EQUAL(alloc_on(1, pp, m, 4), 0, "");
	dpx_page_pool_info_get(pp, &info);
	DPX_TEST_ASSERT(info.active && info.owner_lcore == 1, "");
	free_tagged(m, 4, 1, 1);
	DPX_TEST_ASSERT_EQUAL(cache_of(pp), 68, "lcore 1 owns it now: 4 + 64 from the mempool");
	/* a reset zeroes the counters; in flight is a level */
	dpx_page_pool_stats_reset(pp);
	DPX_TEST_ASSERT_EQUAL(alloc_on(1, pp, m, 2), 0, "");
	struct dpx_page_pool_stats want = {.alloc_fast = 2, .in_flight = 2};
	DPX_TEST_RUN(expect_stats(pp, &want, "after reset"));
	free_tagged(m, 2, 1, 0);
	dpx_page_pool_drain(pp);
	return DPX_TEST_SUCCESS;
}

static int
test_page_pool_paths(void)
{
	struct dpx_page_pool_params prm = {.name = "paths", .size = 32};
	struct dpx_mempool *mp, *plain;
	struct dpx_page_pool *pp;

	DPX_TEST_RUN(eal_two_lcores());
	mp = dpx_pktmbuf_pool_create("paths_mp", 512, 0, 0, 256, -1);
	plain = dpx_pktmbuf_pool_create("plain_mp", 16, 0, 0, 256, -1);
	DPX_TEST_ASSERT(mp != NULL && plain != NULL, "");
	prm.mp = mp;
	pp = dpx_page_pool_create(&prm);
	DPX_TEST_ASSERT(pp != NULL, "");
	DPX_TEST_ASSERT(dpx_page_pool_lookup("paths") == pp, "");
	DPX_TEST_RUN(paths_alloc_recycle(pp, mp));
	DPX_TEST_RUN(paths_chains_shared(pp, mp, plain));
	DPX_TEST_RUN(paths_stop(pp, mp));
	dpx_page_pool_destroy(pp);
	DPX_TEST_ASSERT(dpx_page_pool_lookup("paths") == NULL && dpx_errno == ENOENT, "");
	DPX_TEST_ASSERT_EQUAL(dpx_mempool_avail_count(plain), 16, "");
	dpx_mempool_free(plain);
	return pool_and_eal_done(mp, 512);
}
DPX_TEST_REGISTER(page_pool_paths, fast, test_page_pool_paths);

/* Bad parameters, names, and a destroy with buffers in flight. */
static int
test_page_pool_destroy_in_flight(void)
{
	struct dpx_page_pool_params prm = {.name = "dif"};
	struct dpx_page_pool *pp, *again;
	struct dpx_mbuf *m[16];
	uint16_t id;

	DPX_TEST_RUN(eal_two_lcores());
	prm.mp = dpx_pktmbuf_pool_create("dif_mp", 256, 0, 0, 256, -1);
	DPX_TEST_ASSERT(prm.mp != NULL, "");
	DPX_TEST_ASSERT(dpx_page_pool_create(NULL) == NULL && dpx_errno == EINVAL, "");
	struct dpx_page_pool_params bad = prm;
	bad.size = DPX_PAGE_POOL_SIZE_MIN - 1;
	DPX_TEST_ASSERT(dpx_page_pool_create(&bad) == NULL && dpx_errno == EINVAL, "");
	bad = prm, bad.name = "";
	DPX_TEST_ASSERT(dpx_page_pool_create(&bad) == NULL && dpx_errno == EINVAL, "");
	bad = prm, bad.mp = NULL;
	DPX_TEST_ASSERT(dpx_page_pool_create(&bad) == NULL && dpx_errno == EINVAL, "");
	pp = dpx_page_pool_create(&prm);
	DPX_TEST_ASSERT(pp != NULL, "");
	DPX_TEST_ASSERT(dpx_page_pool_create(&prm) == NULL && dpx_errno == EEXIST, "");
	DPX_TEST_ASSERT_EQUAL(dpx_page_pool_alloc_bulk(pp, m, 16), 0, "");
	id = m[0]->home_id;
	DPX_TEST_ASSERT(dpx_mbuf_homes[id] != NULL, "");
	/* the queue goes while the application holds 16 packets */
	dpx_page_pool_destroy(pp);
	DPX_TEST_ASSERT(dpx_page_pool_lookup("dif") == NULL, "the name is free at once");
	DPX_TEST_ASSERT(dpx_mbuf_homes[id] != NULL, "the home stays while buffers are out");
	DPX_TEST_ASSERT_EQUAL(dpx_mempool_avail_count(prm.mp), 256 - 16, "");
	dpx_pktmbuf_free_bulk(m, 8);
	free_on(1, m + 8, 8, 0);
	DPX_TEST_ASSERT_EQUAL(dpx_mempool_avail_count(prm.mp), 256, "freed: to the mempool");
	/* the next create reclaims it (and may take its name and id) */
	again = dpx_page_pool_create(&prm);
	DPX_TEST_ASSERT(again != NULL, "");
	DPX_TEST_ASSERT(dpx_mbuf_homes[id] == NULL || dpx_mbuf_homes[id] == &again->home,
			"the destroyed pool left the home table");
	dpx_page_pool_destroy(again);
	return pool_and_eal_done(prm.mp, 256);
}
DPX_TEST_REGISTER(page_pool_destroy_in_flight, fast, test_page_pool_destroy_in_flight);

/* ---- both lcores at once: receive on 0, free on 1 (and some on 0) ---- */

#define CONC_PKTS 200000

struct conc {
	struct dpx_page_pool *pp;
	struct dpx_ring *handoff; /* SP/SC: lcore 0 to lcore 1 */
	uint64_t freed_remote, bad;
	int done;
};

static int
conc_free_side(void *arg)
{
	struct conc *c = arg;
	struct dpx_mbuf *m[32];

	for (;;) {
		unsigned int n = dpx_ring_dequeue_burst(c->handoff, (void **)m, 32, NULL);
		if (n == 0) {
			/* acquire: pairs with the release store of done after the last enqueue */
			if (__atomic_load_n(&c->done, __ATOMIC_ACQUIRE) &&
			    dpx_ring_count(c->handoff) == 0)
				break;
			continue;
		}
		for (unsigned int i = 0; i < n; i++) {
			if (m[i]->udata64 != TAG_OUT || m[i]->home_id == 0)
				c->bad++;
			m[i]->udata64 = TAG_HOME;
		}
		dpx_pktmbuf_free_bulk(m, n);
		c->freed_remote += n;
	}
	return 0;
}

static int
test_page_pool_concurrent(void)
{
	struct dpx_page_pool_params prm = {.name = "conc", .size = 256};
	struct dpx_page_pool_stats st;
	struct dpx_page_pool_info info;
	struct dpx_mbuf *m[32];
	uint64_t out = 0, freed_here = 0, rnd = 12345, nombuf = 0;
	static struct conc c;

	DPX_TEST_RUN(eal_two_lcores());
	prm.mp = dpx_pktmbuf_pool_create("conc_mp", 2048, 0, 0, 256, -1);
	DPX_TEST_ASSERT(prm.mp != NULL, "");
	c.pp = dpx_page_pool_create(&prm);
	c.handoff =
		dpx_ring_create("conc_handoff", 1024, -1, DPX_RING_F_SP_ENQ | DPX_RING_F_SC_DEQ);
	DPX_TEST_ASSERT(c.pp != NULL && c.handoff != NULL, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eal_remote_launch(conc_free_side, &c, 1), 0, "");
	while (out < CONC_PKTS) {
		unsigned int n = 1 + (unsigned int)(dpx_test_rand(&rnd) % 32), sent;
		if (dpx_page_pool_alloc_bulk(c.pp, m, n) != 0) {
			nombuf++;
			continue;
		}
		DPX_TEST_RUN(check_handed_out(c.pp, m, n));
		out += n;
		/* one burst in eight is consumed here (same lcore), the rest crosses */
		if (dpx_test_rand(&rnd) % 8 == 0) {
			for (unsigned int i = 0; i < n; i++)
				m[i]->udata64 = TAG_HOME;
			dpx_pktmbuf_free_bulk(m, n);
			freed_here += n;
			continue;
		}
		sent = dpx_ring_enqueue_burst(c.handoff, (void *const *)m, n, NULL);
		for (unsigned int i = sent; i < n; i++)
			m[i]->udata64 = TAG_HOME;
		dpx_pktmbuf_free_bulk(m + sent, n - sent);
		freed_here += n - sent;
	}
	__atomic_store_n(&c.done, 1, __ATOMIC_RELEASE);
	DPX_TEST_ASSERT_EQUAL(dpx_eal_wait_lcore(1), 0, "");
	DPX_TEST_ASSERT_EQUAL(c.bad, 0, "buffers that came to lcore 1 not as handed out");
	dpx_page_pool_stats_get(c.pp, &st);
	dpx_page_pool_info_get(c.pp, &info);
	printf("%" PRIu64 " handed out (%" PRIu64 " freed on lcore 0, %" PRIu64
	       " on lcore 1), %" PRIu64 " alloc failures; fast %" PRIu64 " refill %" PRIu64
	       " slow %" PRIu64 " cached %" PRIu64 " ring %" PRIu64 " ring_full %" PRIu64 "\n",
	       out, freed_here, c.freed_remote, nombuf, st.alloc_fast, st.alloc_refill,
	       st.alloc_slow, st.recycle_cached, st.recycle_ring, st.recycle_ring_full);
	DPX_TEST_ASSERT_EQUAL(st.alloc_fast + st.alloc_refill + st.alloc_slow, out, "");
	DPX_TEST_ASSERT_EQUAL(st.recycle_cached + st.recycle_ring + st.recycle_ring_full,
			      freed_here + c.freed_remote, "");
	DPX_TEST_ASSERT_EQUAL(st.in_flight, 0, "");
	DPX_TEST_ASSERT(st.recycle_ring > 0 && st.alloc_refill > 0, "buffers crossed lcores");
	DPX_TEST_ASSERT_EQUAL(info.cache_count + info.ring_count + dpx_mempool_avail_count(prm.mp),
			      2048, "");
	dpx_page_pool_destroy(c.pp);
	dpx_ring_free(c.handoff);
	return pool_and_eal_done(prm.mp, 2048);
}
DPX_TEST_REGISTER(page_pool_concurrent, fast, test_page_pool_concurrent);

/* ---- DMA: mapped once, for the pool's life, at the IOVA fixed at creation ---- */

#define DMA_N 1024

struct dma_check {
	const struct kmodel *k[2];
	dpx_iova_t iova[DMA_N];
	unsigned int idx, bad;
};

/* [va, va + len) is mapped at [iova, iova + len) by the kernel's mappings, piece by piece. */
static bool
kernel_maps(const struct kmodel *k, uintptr_t va, dpx_iova_t iova, size_t len)
{
	while (len > 0) {
		long i = kmodel_find(k, iova);
		if (i < 0 || k->maps[i].va + (iova - k->maps[i].iova) != va)
			return false;
		size_t piece = DPX_MIN(len, (size_t)(k->maps[i].iova + k->maps[i].len - iova));
		va += piece, iova += piece, len -= piece;
	}
	return true;
}

static void
dma_check_obj(struct dpx_mempool *mp, void *arg, void *obj, unsigned int idx)
{
	struct dma_check *c = arg;
	struct dpx_mbuf *m = obj;

	(void)mp;
	if (m->buf_iova == DPX_BAD_IOVA || (c->iova[idx] != 0 && c->iova[idx] != m->buf_iova))
		c->bad++;
	c->iova[idx] = m->buf_iova;
	for (unsigned int i = 0; i < 2; i++)
		if (!kernel_maps(c->k[i], (uintptr_t)m->buf_addr, m->buf_iova, m->buf_len))
			c->bad++;
}

static int
dma_traffic(struct dpx_page_pool *pp)
{
	struct dpx_mbuf *m[32];

	for (unsigned int r = 0; r < 2000; r++) {
		DPX_TEST_ASSERT_EQUAL(alloc_on(r % 2, pp, m, 32), 0, "");
		for (unsigned int i = 0; i < 32; i++)
			DPX_TEST_ASSERT_EQUAL(dpx_pktmbuf_iova(m[i]),
					      dpx_mem_virt2iova(dpx_pktmbuf_mtod(m[i], void *)),
					      "");
		free_on((r / 2) % 2, m, 32, 1);
	}
	return DPX_TEST_SUCCESS;
}

static int
test_page_pool_dma_mapped_once(void)
{
	struct dpx_page_pool_params prm = {.name = "dma"};
	static struct dma_check c;
	uint64_t calls[2];
	int uc;

	kfake_reset(KMODEL_TYPE1V2);
	kfake_add_group(7, true);
	kfake_add_group(8, true);
	DPX_TEST_ASSERT_EQUAL(vfio_set_kernel_ops(&kfake_ops), 0, "");
	DPX_TEST_RUN(eal_two_lcores());
	uc = dpx_vfio_container_create();
	DPX_TEST_ASSERT(uc >= 0, "");
	DPX_TEST_ASSERT(dpx_vfio_container_group_bind(DPX_VFIO_DEFAULT_CONTAINER_FD, 7) >= 0, "");
	DPX_TEST_ASSERT(dpx_vfio_container_group_bind(uc, 8) >= 0, "");
	c.k[0] = kfake_default_model();
	c.k[1] = kfake_container_model(uc);
	prm.mp = dpx_pktmbuf_pool_create("dma_mp", DMA_N, 0, 0, DPX_MBUF_DEFAULT_BUF_SIZE, -1);
	DPX_TEST_ASSERT(prm.mp != NULL, "");
	/* every buffer's whole data room is in both containers at buf_iova */
	DPX_TEST_ASSERT_EQUAL(dpx_mempool_obj_iter(prm.mp, dma_check_obj, &c), DMA_N, "");
	DPX_TEST_ASSERT_EQUAL(c.bad, 0, "buffers not mapped at their IOVA in every container");
	for (unsigned int i = 0; i < 2; i++)
		calls[i] = c.k[i]->map_calls + c.k[i]->unmap_calls;
	/* a pool's life: create, traffic on both lcores, drain, destroy: no VFIO call */
	struct dpx_page_pool *pp = dpx_page_pool_create(&prm);
	DPX_TEST_ASSERT(pp != NULL, "");
	DPX_TEST_RUN(dma_traffic(pp));
	dpx_page_pool_drain(pp);
	dpx_page_pool_destroy(pp);
	for (unsigned int i = 0; i < 2; i++)
		DPX_TEST_ASSERT_EQUAL(c.k[i]->map_calls + c.k[i]->unmap_calls, calls[i],
				      "container %u: a map or unmap during the pool's life", i);
	/* the same IOVAs, still mapped, after all of it */
	DPX_TEST_ASSERT_EQUAL(dpx_mempool_obj_iter(prm.mp, dma_check_obj, &c), DMA_N, "");
	DPX_TEST_ASSERT_EQUAL(c.bad, 0, "an IOVA changed or a mapping went");
	DPX_TEST_ASSERT_EQUAL(dpx_mempool_avail_count(prm.mp), DMA_N, "");
	dpx_mempool_free(prm.mp);
	DPX_TEST_ASSERT_EQUAL(dpx_vfio_container_destroy(uc), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eal_cleanup(), 0, "");
	DPX_TEST_ASSERT_EQUAL(vfio_set_kernel_ops(NULL), 0, "");
	return DPX_TEST_SUCCESS;
}
DPX_TEST_REGISTER(page_pool_dma_mapped_once, fast, test_page_pool_dma_mapped_once);
