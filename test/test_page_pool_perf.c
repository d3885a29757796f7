/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Page pool benchmarks and the free-path cost for mbufs without a page pool.
 *
 * page_pool_perf: see below.
 *
 * mbuf_free_cost (a helper, run under callgrind by bench/mbuf-free-cost.sh):
 * frees of one-segment mbufs of a plain pktmbuf pool, FREE_COST_ROUNDS x 32
 * single frees and FREE_COST_ROUNDS bulk frees of 32, so the instructions
 * callgrind counts inside dpx_pktmbuf_free / dpx_pktmbuf_free_bulk divided
 * by the frees give the cost per free.
 */
#include <stdlib.h>
#include <string.h>

#include <dpx_cycles.h>
#include <dpx_lcore.h>
#include <dpx_mbuf.h>
#include <dpx_mempool.h>
#include <dpx_page_pool.h>
#include <dpx_ring.h>

#include "dpx_test.h"
#include "test_pkt.h"

#define FREE_COST_ROUNDS 10000

static int
mbuf_free_cost(void)
{
	struct dpx_mbuf *ms[32];

	DPX_TEST_ASSERT(dpx_test_eal_init("--no-huge", "--in-memory", "-m", "64", NULL) > 0,
			"init");
	struct dpx_mempool *mp =
		dpx_pktmbuf_pool_create("cost", 1024, 256, 0, DPX_MBUF_DEFAULT_BUF_SIZE, -1);
	DPX_TEST_ASSERT(mp != NULL, "");
	for (unsigned int r = 0; r < FREE_COST_ROUNDS; r++) {
		DPX_TEST_ASSERT_EQUAL(dpx_pktmbuf_alloc_bulk(mp, ms, 32), 0, "");
		for (unsigned int i = 0; i < 32; i++)
			dpx_pktmbuf_free(ms[i]);
		DPX_TEST_ASSERT_EQUAL(dpx_pktmbuf_alloc_bulk(mp, ms, 32), 0, "");
		dpx_pktmbuf_free_bulk(ms, 32);
	}
	printf("%u single frees, %u bulk frees of 32\n", FREE_COST_ROUNDS * 32, FREE_COST_ROUNDS);
	return pool_and_eal_done(mp, 1024);
}
DPX_TEST_HELPER(mbuf_free_cost, mbuf_free_cost);

/* One lcore, alloc_bulk + free_bulk of 32: a plain pool or a page pool (callgrind per wrapper). */
static __attribute__((noinline)) void
cycle_mempool(struct dpx_mempool *mp, struct dpx_mbuf **ms)
{
	if (dpx_pktmbuf_alloc_bulk(mp, ms, 32) == 0)
		dpx_pktmbuf_free_bulk(ms, 32);
}

static __attribute__((noinline)) void
cycle_page_pool(struct dpx_page_pool *pp, struct dpx_mbuf **ms)
{
	if (dpx_page_pool_alloc_bulk(pp, ms, 32) == 0)
		dpx_pktmbuf_free_bulk(ms, 32);
}

static int
page_pool_cycle_cost(void)
{
	struct dpx_mbuf *ms[32];

	DPX_TEST_ASSERT(dpx_test_eal_init("--no-huge", "--in-memory", "-m", "64", NULL) > 0, "");
	struct dpx_mempool *a =
		dpx_pktmbuf_pool_create("cost_a", 1024, 256, 0, DPX_MBUF_DEFAULT_BUF_SIZE, -1);
	struct dpx_mempool *b =
		dpx_pktmbuf_pool_create("cost_b", 1024, 256, 0, DPX_MBUF_DEFAULT_BUF_SIZE, -1);
	DPX_TEST_ASSERT(a != NULL && b != NULL, "");
	struct dpx_page_pool_params prm = {.name = "cost", .mp = b};
	struct dpx_page_pool *pp = dpx_page_pool_create(&prm);
	DPX_TEST_ASSERT(pp != NULL, "");
	for (unsigned int r = 0; r < FREE_COST_ROUNDS; r++) {
		cycle_mempool(a, ms);
		cycle_page_pool(pp, ms);
	}
	printf("%u rounds of 32 each\n", FREE_COST_ROUNDS);
	dpx_page_pool_destroy(pp);
	dpx_mempool_free(b);
	return pool_and_eal_done(a, 1024);
}
DPX_TEST_HELPER(page_pool_cycle_cost, page_pool_cycle_cost);

/*
 * page_pool_perf: receive + free, cycles per packet, a page pool against the
 * plain mempool, on one lcore and across two (receive on lcore 0, free on
 * lcore 1: the cpumap case). "Receive" is what a driver's refill and a copy
 * into the buffer do: a bulk of 32 buffers (dpx_page_pool_alloc_bulk, or
 * dpx_pktmbuf_alloc_bulk from the queue's mempool), a 64-byte frame written
 * into each. "Free" is dpx_pktmbuf_free_bulk of the 32, on the same lcore
 * or on lcore 1 after a handoff ring (SP/SC, 256 slots). One pktmbuf pool
 * under every variant (the page pools are over it): 8192 mbufs, lcore cache
 * 256 (the usual DPDK setting). A fifth variant is a
 * diagnostic: the page pool across lcores with 6000 buffers waiting in its
 * ring, so that buffers come back as long after their free as the
 * mempool's do (see perf_age).
 *
 * The machine is shared: a thread preempted in the middle of a burst makes
 * that burst cost milliseconds, and a wall-clock figure across two spinning
 * lcores measures the scheduler. So each side times every burst of work
 * (TSC around receive+handoff on lcore 0, around dequeue+free on lcore 1;
 * empty polls are not work), bursts above PERF_OUTLIER x the run's median
 * burst are dropped as preempted (and counted), and a run's figure is
 * (sum of lcore 0's kept bursts / their count + the same for lcore 1) / 32:
 * the cycles both lcores spend per packet, amortized refills and flushes
 * included. Rounds interleave the four variants; medians and best-of
 * ratios are printed, and the wall-clock figure beside them. It reports,
 * it does not judge.
 */
#define PERF_PKTS (1u << 20)
#define PERF_BURST 32
#define PERF_BURSTS (PERF_PKTS / PERF_BURST)
#define PERF_ROUNDS 7
#define PERF_OUTLIER 8
#define PERF_AGED 6000

struct perf_side {
	uint32_t *cycles; /* per burst of work */
	unsigned int n;
};

struct perf_run {
	struct dpx_mempool *mp;
	struct dpx_page_pool *pp; /* NULL: the mempool */
	struct dpx_ring *handoff; /* NULL: free on the receiving lcore */
	struct perf_side rx, free;
	int aged;	/* the pool's ring holds PERF_AGED buffers before the run (FIFO) */
	uint64_t freed; /* by lcore 1 */
	int done;
};

static inline int
perf_receive(const struct perf_run *r, struct dpx_mbuf **m)
{
	int rc = r->pp != NULL ? dpx_page_pool_alloc_bulk(r->pp, m, PERF_BURST)
			       : dpx_pktmbuf_alloc_bulk(r->mp, m, PERF_BURST);

	if (rc != 0)
		return rc;
	for (unsigned int i = 0; i < PERF_BURST; i++) {
		char *d = dpx_pktmbuf_append(m[i], 64);
		memset(d, (int)i, 64);
	}
	return 0;
}

static inline void
sample(struct perf_side *s, uint64_t t0)
{
	if (s->n < PERF_BURSTS + 64)
		s->cycles[s->n++] =
			(uint32_t)DPX_MIN(dpx_get_tsc_cycles() - t0, (uint64_t)UINT32_MAX);
}

static int
perf_free_side(void *arg)
{
	struct perf_run *r = arg;
	struct dpx_mbuf *m[PERF_BURST];

	for (;;) {
		uint64_t t0 = dpx_get_tsc_cycles();
		unsigned int n = dpx_ring_dequeue_burst(r->handoff, (void **)m, PERF_BURST, NULL);
		if (n > 0) {
			dpx_pktmbuf_free_bulk(m, n);
			r->freed += n;
			sample(&r->free, t0);
			continue;
		}
		/* acquire: pairs with the release store of done after the last enqueue */
		if (__atomic_load_n(&r->done, __ATOMIC_ACQUIRE) && dpx_ring_count(r->handoff) == 0)
			return 0;
	}
}

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* Mean of the bursts not above PERF_OUTLIER x the median; *dropped counts the others. */
static double
kept_mean(struct perf_side *s, unsigned int *dropped)
{
	uint64_t sum = 0, cut;
	unsigned int kept = 0;

	if (s->n == 0)
		return 0;
	qsort(s->cycles, s->n, sizeof(*s->cycles), cmp_u32);
	cut = (uint64_t)s->cycles[s->n / 2] * PERF_OUTLIER;
	for (unsigned int i = 0; i < s->n && s->cycles[i] <= cut; i++, kept++)
		sum += s->cycles[i];
	*dropped += s->n - kept;
	return (double)sum / kept;
}

struct perf_result {
	double cpp;    /* both lcores' cycles per packet, preempted bursts dropped */
	double rx_cpp; /* lcore 0's part */
	double wall;   /* TSC from the first receive to the last free, per packet */
	unsigned int dropped;
};

static int
perf_free_bulk(void *arg)
{
	dpx_pktmbuf_free_bulk(arg, PERF_AGED);
	return 0;
}

/*
 * The diagnostic variant: PERF_AGED buffers wait in the pool's ring (freed
 * on lcore 1, FIFO), so a buffer comes back to lcore 0 about as long after
 * its free as the mempool's ring makes it (it holds most of its 8192).
 */
static int
perf_age(struct perf_run *r)
{
	static struct dpx_mbuf *m[PERF_AGED];

	if (dpx_page_pool_alloc_bulk_nocache(r->pp, m, PERF_AGED) != 0 ||
	    dpx_eal_remote_launch(perf_free_bulk, m, 1) != 0)
		return -1;
	return dpx_eal_wait_lcore(1);
}

/* One run. @return 0, or -1 when the work was not all done. */
static int
perf_one(struct perf_run *r, struct perf_result *res)
{
	struct dpx_mbuf *m[PERF_BURST];
	uint64_t t0, t, got = 0;

	if (r->aged && perf_age(r) != 0)
		return -1;
	r->freed = 0;
	r->done = 0;
	r->rx.n = r->free.n = 0;
	if (r->handoff != NULL && dpx_eal_remote_launch(perf_free_side, r, 1) != 0)
		return -1;
	t0 = dpx_get_tsc_cycles();
	while (got < PERF_PKTS) {
		t = dpx_get_tsc_cycles();
		if (perf_receive(r, m) != 0)
			continue; /* buffers are on their way back from lcore 1 */
		got += PERF_BURST;
		if (r->handoff == NULL) {
			dpx_pktmbuf_free_bulk(m, PERF_BURST);
			sample(&r->rx, t);
			continue;
		}
		unsigned int sent =
			dpx_ring_enqueue_burst(r->handoff, (void *const *)m, PERF_BURST, NULL);
		sample(&r->rx, t);
		while (sent < PERF_BURST) /* lcore 1 is behind: waiting is not work */
			sent += dpx_ring_enqueue_burst(r->handoff, (void *const *)(m + sent),
						       PERF_BURST - sent, NULL);
	}
	if (r->handoff != NULL) {
		__atomic_store_n(&r->done, 1, __ATOMIC_RELEASE);
		dpx_eal_wait_lcore(1);
	}
	res->wall = (double)(dpx_get_tsc_cycles() - t0) / PERF_PKTS;
	if (r->handoff != NULL && r->freed != PERF_PKTS)
		return -1;
	res->dropped = 0;
	res->rx_cpp = kept_mean(&r->rx, &res->dropped) / PERF_BURST;
	res->cpp = res->rx_cpp + kept_mean(&r->free, &res->dropped) / PERF_BURST;
	if (r->pp != NULL)
		dpx_page_pool_drain(r->pp); /* the next run starts from the same state */
	if (dpx_mempool_avail_count(r->mp) != dpx_mempool_get_size(r->mp))
		return -1;
	return 0;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Sorts v. */
static double
median(double *v, unsigned int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

#define PERF_VARIANTS 5
static const char *const perf_names[PERF_VARIANTS] = {
	"mempool, one lcore", "page pool, one lcore", "mempool, across lcores",
	"page pool, across lcores", "page pool, across, aged"};

static void
perf_report(double cpp[PERF_VARIANTS][PERF_ROUNDS], double wall[PERF_VARIANTS][PERF_ROUNDS])
{
	double med[PERF_VARIANTS], best[PERF_VARIANTS], wmed[PERF_VARIANTS];
	char label[96];

	for (unsigned int v = 0; v < PERF_VARIANTS; v++) {
		printf("  %-26s", perf_names[v]);
		for (unsigned int round = 0; round < PERF_ROUNDS; round++)
			printf(" %6.1f", cpp[v][round]);
		printf("   wall:");
		for (unsigned int round = 0; round < PERF_ROUNDS; round++)
			printf(" %.0f", wall[v][round]);
		printf("\n");
	}
	for (unsigned int v = 0; v < PERF_VARIANTS; v++) {
		med[v] = median(cpp[v], PERF_ROUNDS);
		best[v] = cpp[v][0]; /* sorted by median() */
		wmed[v] = median(wall[v], PERF_ROUNDS);
		snprintf(label, sizeof(label), "receive+free, %s (median)", perf_names[v]);
		DPX_TEST_PERF(label, med[v], "cycles/packet");
		snprintf(label, sizeof(label), "  wall clock, %s (median)", perf_names[v]);
		DPX_TEST_PERF(label, wmed[v], "cycles/packet");
	}
	DPX_TEST_PERF("one lcore: mempool / page pool (medians)", med[0] / med[1], "x");
	DPX_TEST_PERF("one lcore: mempool / page pool (best of each)", best[0] / best[1], "x");
	DPX_TEST_PERF("across lcores: mempool / page pool (medians)", med[2] / med[3], "x");
	DPX_TEST_PERF("across lcores: mempool / page pool (best of each)", best[2] / best[3], "x");
	DPX_TEST_PERF("across lcores: mempool / aged page pool (medians)", med[2] / med[4], "x");
}

static int
perf_rounds(struct perf_run *runs, double cpp[PERF_VARIANTS][PERF_ROUNDS],
	    double wall[PERF_VARIANTS][PERF_ROUNDS])
{
	struct perf_result res;
	unsigned int dropped = 0, samples = 0;
	double rx_part[PERF_VARIANTS] = {0};

	for (unsigned int v = 0; v < PERF_VARIANTS; v++) /* warm-up */
		DPX_TEST_ASSERT_EQUAL(perf_one(&runs[v], &res), 0, "%s: work not all done",
				      perf_names[v]);
	dpx_page_pool_stats_reset(runs[1].pp);
	for (unsigned int round = 0; round < PERF_ROUNDS; round++)
		for (unsigned int k = 0; k < PERF_VARIANTS; k++) {
			/* alternate the order: A B B A, so neither always runs first */
			unsigned int v = round % 2 && k < 4 ? (k ^ 1) : k;
			DPX_TEST_ASSERT_EQUAL(perf_one(&runs[v], &res), 0, "%s: work not all done",
					      perf_names[v]);
			cpp[v][round] = res.cpp;
			rx_part[v] += res.rx_cpp / PERF_ROUNDS;
			wall[v][round] = res.wall;
			dropped += res.dropped;
			samples += runs[v].rx.n + runs[v].free.n;
		}
	printf("bursts dropped as preempted (> %u x median): %u of %u\n", PERF_OUTLIER, dropped,
	       samples);
	for (unsigned int v = 2; v < PERF_VARIANTS; v++)
		printf("  %s: lcore 0 (receive) %.1f cycles/packet on average, lcore 1 (free) the "
		       "rest\n",
		       perf_names[v], rx_part[v]);
	return DPX_TEST_SUCCESS;
}

static int
test_page_pool_perf(void)
{
	static double cpp[PERF_VARIANTS][PERF_ROUNDS], wall[PERF_VARIANTS][PERF_ROUNDS];
	struct perf_run runs[PERF_VARIANTS];
	struct dpx_page_pool_stats st;
	char map[64];

	lcore_map(map, sizeof(map), 2);
	DPX_TEST_ASSERT(dpx_test_eal_init("--no-huge", "--in-memory", "-m", "128", "--lcores", map,
					  NULL) > 0,
			"init");
	printf("lcores %s; %u packets per run, bursts of %u, %u rounds interleaved\n", map,
	       PERF_PKTS, PERF_BURST, PERF_ROUNDS);
	/* one mempool under every variant: no variant gets luckier memory */
	struct dpx_mempool *mp =
		dpx_pktmbuf_pool_create("perf_mp", 8192, 256, 0, DPX_MBUF_DEFAULT_BUF_SIZE, -1);
	struct dpx_ring *handoff =
		dpx_ring_create("perf_handoff", 256, -1, DPX_RING_F_SP_ENQ | DPX_RING_F_SC_DEQ);
	DPX_TEST_ASSERT(mp != NULL && handoff != NULL, "");
	struct dpx_page_pool_params prm = {.name = "perf", .mp = mp};
	struct dpx_page_pool *pp = dpx_page_pool_create(&prm);
	struct dpx_page_pool_params prm_aged = {.name = "perf_aged", .mp = mp, .size = 8192};
	struct dpx_page_pool *pp_aged = dpx_page_pool_create(&prm_aged);
	DPX_TEST_ASSERT(pp != NULL && pp_aged != NULL, "");
	static uint32_t samples[2 * PERF_VARIANTS][PERF_BURSTS + 64];
	runs[0] = (struct perf_run){.mp = mp};
	runs[1] = (struct perf_run){.mp = mp, .pp = pp};
	runs[2] = (struct perf_run){.mp = mp, .handoff = handoff};
	runs[3] = (struct perf_run){.mp = mp, .pp = pp, .handoff = handoff};
	runs[4] = (struct perf_run){.mp = mp, .pp = pp_aged, .handoff = handoff, .aged = 1};
	for (unsigned int v = 0; v < PERF_VARIANTS; v++) {
		runs[v].rx.cycles = samples[2 * v];
		runs[v].free.cycles = samples[2 * v + 1];
	}
	DPX_TEST_RUN(perf_rounds(runs, cpp, wall));
	dpx_page_pool_stats_get(pp, &st);
	DPX_TEST_ASSERT_EQUAL(st.alloc_fast + st.alloc_slow + st.alloc_refill,
			      2ull * PERF_ROUNDS * PERF_PKTS, "every packet came from the pool");
	DPX_TEST_ASSERT_EQUAL(st.in_flight, 0, "");
	printf("page pool counters over the timed runs: fast %" PRIu64 " refill %" PRIu64
	       " slow %" PRIu64 " empty %" PRIu64 " cached %" PRIu64 " ring %" PRIu64
	       " ring_full %" PRIu64 "\n",
	       st.alloc_fast, st.alloc_refill, st.alloc_slow, st.alloc_empty, st.recycle_cached,
	       st.recycle_ring, st.recycle_ring_full);
	perf_report(cpp, wall);
	dpx_page_pool_destroy(pp);
	dpx_page_pool_destroy(pp_aged);
	dpx_ring_free(handoff);
	return pool_and_eal_done(mp, 8192);
}
DPX_TEST_REGISTER(page_pool_perf, perf, test_page_pool_perf);
