/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Page pool benchmarks and the free-path cost for mbufs without a page pool.
 *
 * mbuf_free_cost (a helper, run under callgrind by bench/mbuf-free-cost.sh):
 * frees of one-segment mbufs of a plain pktmbuf pool, FREE_COST_ROUNDS x 32
 * single frees and FREE_COST_ROUNDS bulk frees of 32, so the instructions
 * callgrind counts inside dpx_pktmbuf_free / dpx_pktmbuf_free_bulk divided
 * by the frees give the cost per free.
 */
#include <dpx_mbuf.h>
#include <dpx_mempool.h>

#include "dpx_test.h"
#include "test_pkt.h"

#define FREE_COST_ROUNDS 10000

static int
mbuf_free_cost(void)
{
	struct dpx_mbuf *ms[32];

	DPX_TEST_ASSERT(dpx_test_eal_init("--no-huge", "--in-memory", "-m", "64", NULL) > 0,
			"init");
	struct dpx_mempool *mp = dpx_pktmbuf_pool_create("cost", 1024, 256, 0,
							 DPX_MBUF_DEFAULT_BUF_SIZE, -1);
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
