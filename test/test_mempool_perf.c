/* SPDX-License-Identifier: BSD-3-Clause */
/* mempool and mbuf benchmarks: get+put (with and without cache), alloc+free of mbufs. */
#include <dpx_memory.h>
#include <dpx_mbuf.h>
#include <dpx_mempool.h>

#include "dpx_test.h"

#define PERF_OBJS (1u << 22)

static void
get_put(struct dpx_mempool *mp, unsigned int bulk, const char *what)
{
	void *objs[64];
	char name[96];
	uint64_t t0 = dpx_get_tsc_cycles();

	for (unsigned int i = 0; i < PERF_OBJS / bulk; i++) {
		if (dpx_mempool_get_bulk(mp, objs, bulk) == 0)
			dpx_mempool_put_bulk(mp, objs, bulk);
	}
	uint64_t cycles = dpx_get_tsc_cycles() - t0;
	snprintf(name, sizeof(name), "mempool get+put bulk %u, %s", bulk, what);
	DPX_TEST_PERF(name, (double)cycles / PERF_OBJS, "cycles/object");
}

static int
test_mempool_perf(void)
{
	static const unsigned int bulks[] = {1, 8, 32};
	static const unsigned int caches[] = {0, 256};

	DPX_TEST_ASSERT(dpx_test_eal_init("--no-huge", "--in-memory", NULL) > 0, "init");
	for (unsigned int c = 0; c < DPX_DIM(caches); c++) {
		struct dpx_mempool *mp = dpx_mempool_create("perf", 8192, 2048, caches[c], 0, NULL,
							    NULL, DPX_SOCKET_ID_ANY, 0);
		DPX_TEST_ASSERT(mp != NULL, "");
		for (unsigned int b = 0; b < DPX_DIM(bulks); b++)
			get_put(mp, bulks[b], caches[c] ? "cache 256" : "no cache");
		struct dpx_mempool_stats st;
		dpx_mempool_stats_get(mp, &st);
		printf("  gets %" PRIu64 " objects, %" PRIu64 " from the cache\n",
		       st.get_success_objs, st.get_cache_objs);
		DPX_TEST_ASSERT_EQUAL(dpx_mempool_avail_count(mp), 8192, "");
		dpx_mempool_free(mp);
	}
	DPX_TEST_ASSERT_EQUAL(dpx_eal_cleanup(), 0, "");
	return DPX_TEST_SUCCESS;
}
DPX_TEST_REGISTER(mempool_perf, perf, test_mempool_perf);

/* mbuf alloc_bulk + free_bulk, the rx/tx pattern of a forwarding loop. */
static int
test_mbuf_perf(void)
{
	static const unsigned int bulks[] = {1, 8, 32};
	struct dpx_mbuf *ms[32];

	DPX_TEST_ASSERT(dpx_test_eal_init("--no-huge", "--in-memory", NULL) > 0, "init");
	struct dpx_mempool *mp = dpx_pktmbuf_pool_create("perf", 8192, 256, 0,
							 DPX_MBUF_DEFAULT_BUF_SIZE, -1);
	DPX_TEST_ASSERT(mp != NULL, "");
	for (unsigned int b = 0; b < DPX_DIM(bulks); b++) {
		char name[96];
		uint64_t t0 = dpx_get_tsc_cycles();

		for (unsigned int i = 0; i < PERF_OBJS / bulks[b]; i++) {
			if (dpx_pktmbuf_alloc_bulk(mp, ms, bulks[b]) == 0)
				dpx_pktmbuf_free_bulk(ms, bulks[b]);
		}
		uint64_t cycles = dpx_get_tsc_cycles() - t0;
		snprintf(name, sizeof(name), "mbuf alloc_bulk+free_bulk %u, cache 256", bulks[b]);
		DPX_TEST_PERF(name, (double)cycles / PERF_OBJS, "cycles/mbuf");
	}
	DPX_TEST_ASSERT_EQUAL(dpx_mempool_avail_count(mp), 8192, "");
	dpx_mempool_free(mp);
	DPX_TEST_ASSERT_EQUAL(dpx_eal_cleanup(), 0, "");
	return DPX_TEST_SUCCESS;
}
DPX_TEST_REGISTER(mbuf_perf, perf, test_mbuf_perf);
