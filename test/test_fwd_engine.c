/* SPDX-License-Identifier: BSD-3-Clause */
/* dpx-fwd engines on crafted mbufs: macswap, mac rewrite, txonly packets and chains. */
#include "dpx_test.h"

#include <stdbool.h>

#include <dpx_mbuf.h>
#include <dpx_mempool.h>

#include "fwd_engine.h"
#include "fwd_pkt.h"

#define NB_MBUFS 512

static struct dpx_mempool *
engine_setup(void)
{
	if (dpx_test_eal_init("--no-huge", "--in-memory", NULL) <= 0)
		return NULL;
	return dpx_pktmbuf_pool_create("fwd_engine_test", NB_MBUFS, 0, 0, DPX_MBUF_DEFAULT_BUF_SIZE,
				       DPX_SOCKET_ID_ANY);
}

static void
engine_teardown(struct dpx_mempool *mp)
{
	dpx_mempool_free(mp);
	dpx_eal_cleanup();
}

/* A frame of len bytes: byte i = i + seed. */
static struct dpx_mbuf *
crafted(struct dpx_mempool *mp, uint16_t len, uint8_t seed)
{
	struct dpx_mbuf *m = dpx_pktmbuf_alloc(mp);
	uint8_t *p;

	if (m == NULL || (p = (uint8_t *)dpx_pktmbuf_append(m, len)) == NULL)
		return NULL;
	for (uint16_t i = 0; i < len; i++)
		p[i] = (uint8_t)(i + seed);
	return m;
}

static int
check_mac_modes(struct dpx_mempool *mp)
{
	static const uint8_t src[6] = {2, 0, 0, 0, 0, 0xaa}, dst[6] = {2, 0, 0, 0, 0, 0xbb};
	struct dpx_mbuf *pkts[4];
	uint8_t *p;

	for (int i = 0; i < 3; i++)
		DPX_TEST_ASSERT((pkts[i] = crafted(mp, 60, (uint8_t)(i * 16))) != NULL, "");
	DPX_TEST_ASSERT((pkts[3] = crafted(mp, 10, 0)) != NULL, "a runt");
	fwd_macswap_burst(pkts, 4);
	for (int i = 0; i < 3; i++) {
		p = dpx_pktmbuf_mtod(pkts[i], uint8_t *);
		for (int b = 0; b < 6; b++) {
			DPX_TEST_ASSERT_EQUAL(p[b], (uint8_t)(b + 6 + i * 16), "pkt %d dst byte %d",
					      i, b);
			DPX_TEST_ASSERT_EQUAL(p[b + 6], (uint8_t)(b + i * 16), "pkt %d src byte %d",
					      i, b);
		}
		for (int b = 12; b < 60; b++)
			DPX_TEST_ASSERT_EQUAL(p[b], (uint8_t)(b + i * 16), "payload untouched");
	}
	p = dpx_pktmbuf_mtod(pkts[3], uint8_t *);
	for (int b = 0; b < 10; b++)
		DPX_TEST_ASSERT_EQUAL(p[b], b, "runt left alone");
	fwd_mac_burst(pkts, 4, src, dst);
	for (int i = 0; i < 3; i++) {
		p = dpx_pktmbuf_mtod(pkts[i], uint8_t *);
		DPX_TEST_ASSERT(memcmp(p, dst, 6) == 0 && memcmp(p + 6, src, 6) == 0, "pkt %d", i);
		DPX_TEST_ASSERT_EQUAL(p[12], (uint8_t)(12 + i * 16), "ethertype untouched");
	}
	dpx_pktmbuf_free_bulk(pkts, 4);
	return DPX_TEST_SUCCESS;
}

/* Reassemble a chain and compare with the template; check each segment length. */
static int
check_txonly_pkt(const struct dpx_mbuf *m, const struct fwd_txonly_tmpl *t)
{
	uint8_t flat[FWD_MAX_PKT_LEN];
	const void *data;
	unsigned int s = 0;

	DPX_TEST_ASSERT_EQUAL(m->pkt_len, t->len, "");
	DPX_TEST_ASSERT_EQUAL(m->nb_segs, t->nb_segs, "");
	for (const struct dpx_mbuf *seg = m; seg != NULL; seg = seg->next, s++)
		DPX_TEST_ASSERT_EQUAL(seg->data_len, t->seg_len[s], "segment %u", s);
	DPX_TEST_ASSERT_EQUAL(s, t->nb_segs, "");
	data = dpx_pktmbuf_read(m, 0, m->pkt_len, flat);
	DPX_TEST_ASSERT(data != NULL, "");
	DPX_TEST_ASSERT(memcmp(data, t->frame, t->len) == 0, "bytes as the template");
	DPX_TEST_ASSERT_EQUAL(fwd_udp4_verify(data, m->pkt_len), 0, "checksums valid");
	return DPX_TEST_SUCCESS;
}

/* Take every mbuf of the pool as txonly packets and check them; with
 * scribble, overwrite their bytes (as a receive would) before freeing. */
static int
txonly_all(struct dpx_mempool *mp, const struct fwd_txonly_tmpl *t, bool scribble)
{
	static struct dpx_mbuf *all[NB_MBUFS];
	unsigned int n = 0, i;

	while (n + 32 <= NB_MBUFS && fwd_txonly_alloc_burst(mp, t, all + n, 32) == 32)
		n += 32;
	DPX_TEST_ASSERT(n > 0 && dpx_mempool_avail_count(mp) < 32, "the pool drained");
	for (i = 0; i < n; i++) {
		DPX_TEST_RUN(check_txonly_pkt(all[i], t));
		if (scribble)
			memset(dpx_pktmbuf_mtod(all[i], uint8_t *), 0xee, t->len);
	}
	dpx_pktmbuf_free_bulk(all, n);
	return DPX_TEST_SUCCESS;
}

static int
check_txonly(struct dpx_mempool *mp)
{
	static const uint16_t one[] = {64}, three[] = {42, 100, 9};
	static struct fwd_txonly_tmpl t;
	struct fwd_txonly_cfg cfg;
	struct dpx_mbuf *pkts[32];
	unsigned int before = dpx_mempool_avail_count(mp);

	fwd_txonly_cfg_defaults(&cfg);
	cfg.src_mac[0] = 0x02, cfg.src_mac[5] = 0x77;
	DPX_TEST_ASSERT_EQUAL(fwd_txonly_tmpl_init(&t, &cfg, one, 1), 0, "");
	DPX_TEST_ASSERT_EQUAL(fwd_txonly_alloc_burst(mp, &t, pkts, 32), 32, "");
	for (int i = 0; i < 32; i++)
		DPX_TEST_RUN(check_txonly_pkt(pkts[i], &t));
	DPX_TEST_ASSERT_EQUAL(dpx_pktmbuf_mtod(pkts[0], uint8_t *)[11], 0x77, "source MAC");
	dpx_pktmbuf_free_bulk(pkts, 32);
	/* every mbuf of the pool twice: the bytes an mbuf holds pass for the
	 * template only while it is the same one; after another mode wrote into
	 * them and a new start, they are written again */
	DPX_TEST_RUN(txonly_all(mp, &t, false));
	DPX_TEST_RUN(txonly_all(mp, &t, true));
	DPX_TEST_ASSERT_EQUAL(fwd_txonly_tmpl_init(&t, &cfg, one, 1), 0, "");
	DPX_TEST_RUN(txonly_all(mp, &t, false));
	DPX_TEST_ASSERT_EQUAL(fwd_txonly_tmpl_init(&t, &cfg, three, 3), 0, "");
	DPX_TEST_ASSERT_EQUAL(t.len, 151, "");
	DPX_TEST_ASSERT_EQUAL(fwd_txonly_alloc_burst(mp, &t, pkts, 16), 16, "");
	for (int i = 0; i < 16; i++)
		DPX_TEST_RUN(check_txonly_pkt(pkts[i], &t));
	dpx_pktmbuf_free_bulk(pkts, 16);
	DPX_TEST_ASSERT_EQUAL(dpx_mempool_avail_count(mp), before, "every segment came back");
	/* all or nothing when the pool runs short: 200 x 3 segments > 512 mbufs */
	{
		static struct dpx_mbuf *many[200];

		DPX_TEST_ASSERT_EQUAL(fwd_txonly_alloc_burst(mp, &t, many, 200), 0, "");
		DPX_TEST_ASSERT_EQUAL(dpx_mempool_avail_count(mp), before, "nothing taken");
	}
	DPX_TEST_ASSERT_EQUAL(fwd_txonly_tmpl_init(&t, &cfg, three, 0), -EINVAL, "");
	return DPX_TEST_SUCCESS;
}

static int
test_fwd_engine_mbufs(void)
{
	struct dpx_mempool *mp = engine_setup();
	int rc;

	DPX_TEST_ASSERT(mp != NULL, "EAL and pool: %s", dpx_strerror(dpx_errno));
	rc = check_mac_modes(mp);
	if (rc == DPX_TEST_SUCCESS)
		rc = check_txonly(mp);
	engine_teardown(mp);
	return rc;
}

DPX_TEST_REGISTER(fwd_engine_mbufs, fast, test_fwd_engine_mbufs);
