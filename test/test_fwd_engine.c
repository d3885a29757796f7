/* SPDX-License-Identifier: BSD-3-Clause */
/* dpx-fwd engines on crafted mbufs: macswap, mac rewrite, txonly packets and chains, icmpecho. */
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
 * scribble, overwrite their bytes (as a receive would) before freeing;
 * txonly_pool as fwd_txonly_alloc_burst's. */
static int
txonly_all(struct dpx_mempool *mp, const struct fwd_txonly_tmpl *t, bool scribble,
	   bool txonly_pool)
{
	static struct dpx_mbuf *all[NB_MBUFS];
	unsigned int n = 0, i;

	while (n + 32 <= NB_MBUFS && fwd_txonly_alloc_burst(mp, t, all + n, 32, txonly_pool) == 32)
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
	DPX_TEST_ASSERT_EQUAL(fwd_txonly_alloc_burst(mp, &t, pkts, 32, true), 32, "");
	for (int i = 0; i < 32; i++)
		DPX_TEST_RUN(check_txonly_pkt(pkts[i], &t));
	DPX_TEST_ASSERT_EQUAL(dpx_pktmbuf_mtod(pkts[0], uint8_t *)[11], 0x77, "source MAC");
	dpx_pktmbuf_free_bulk(pkts, 32);
	/* every mbuf of the pool twice: the bytes an mbuf holds pass for the
	 * template only while it is the same one; after another mode wrote into
	 * them and a new start, they are written again */
	DPX_TEST_RUN(txonly_all(mp, &t, false, true));
	DPX_TEST_RUN(txonly_all(mp, &t, true, true));
	DPX_TEST_ASSERT_EQUAL(fwd_txonly_tmpl_init(&t, &cfg, one, 1), 0, "");
	DPX_TEST_RUN(txonly_all(mp, &t, false, true));
	/* a mode that receives into the pool (flowgen, tx_first): a received
	 * frame keeps its mbuf's cookie, so the same template must copy again */
	DPX_TEST_RUN(txonly_all(mp, &t, true, false));
	DPX_TEST_RUN(txonly_all(mp, &t, false, false));
	DPX_TEST_ASSERT_EQUAL(fwd_txonly_tmpl_init(&t, &cfg, three, 3), 0, "");
	DPX_TEST_ASSERT_EQUAL(t.len, 151, "");
	DPX_TEST_ASSERT_EQUAL(fwd_txonly_alloc_burst(mp, &t, pkts, 16, true), 16, "");
	for (int i = 0; i < 16; i++)
		DPX_TEST_RUN(check_txonly_pkt(pkts[i], &t));
	dpx_pktmbuf_free_bulk(pkts, 16);
	DPX_TEST_ASSERT_EQUAL(dpx_mempool_avail_count(mp), before, "every segment came back");
	/* all or nothing when the pool runs short: 200 x 3 segments > 512 mbufs */
	{
		static struct dpx_mbuf *many[200];

		DPX_TEST_ASSERT_EQUAL(fwd_txonly_alloc_burst(mp, &t, many, 200, true), 0, "");
		DPX_TEST_ASSERT_EQUAL(dpx_mempool_avail_count(mp), before, "nothing taken");
	}
	DPX_TEST_ASSERT_EQUAL(fwd_txonly_tmpl_init(&t, &cfg, three, 0), -EINVAL, "");
	return DPX_TEST_SUCCESS;
}

/* A UDP/IPv4 frame of len bytes from txonly's builder, in one mbuf. */
static struct dpx_mbuf *
udp_mbuf(struct dpx_mempool *mp, uint16_t len)
{
	struct dpx_mbuf *m = dpx_pktmbuf_alloc(mp);
	struct fwd_txonly_cfg cfg;
	uint8_t *p;

	if (m == NULL || (p = (uint8_t *)dpx_pktmbuf_append(m, len)) == NULL)
		return NULL;
	fwd_txonly_cfg_defaults(&cfg);
	fwd_txonly_build(p, len, &cfg);
	return m;
}

/* The UDP frame made an ICMP echo request (IPv4 and ICMP checksums valid). */
static struct dpx_mbuf *
echo_mbuf(struct dpx_mempool *mp, uint16_t len)
{
	struct dpx_mbuf *m = udp_mbuf(mp, len);
	struct fwd_seg seg;
	struct fwd_csum_result r;
	uint8_t *p;
	uint16_t ck;

	if (m == NULL)
		return NULL;
	p = dpx_pktmbuf_mtod(m, uint8_t *);
	p[23] = 1, p[34] = 8, p[35] = 0, p[36] = p[37] = 0;
	ck = fwd_cksum_fold(fwd_cksum_add(0, p + 34, len - 34u));
	p[36] = (uint8_t)(ck >> 8), p[37] = (uint8_t)ck;
	seg = (struct fwd_seg){p, len};
	fwd_csum_fix(&seg, 1, len, &r); /* the IPv4 header checksum after the protocol change */
	return m;
}

/* icmpecho on a mixed burst: replies packed at the front in order, the rest freed and counted. */
static int
check_icmpecho(struct dpx_mempool *mp)
{
	static struct fwd_stream fs;
	struct dpx_mbuf *pkts[6], *echo1, *echo2;
	unsigned int before = dpx_mempool_avail_count(mp);

	memset(&fs, 0, sizeof(fs));
	fs.rx_mac[0] = 2, fs.rx_mac[5] = 0x42;
	DPX_TEST_ASSERT((pkts[0] = crafted(mp, 60, 0)) != NULL, "");
	DPX_TEST_ASSERT((pkts[1] = echo1 = echo_mbuf(mp, 98)) != NULL, "");
	DPX_TEST_ASSERT((pkts[2] = udp_mbuf(mp, 64)) != NULL, "");
	DPX_TEST_ASSERT((pkts[3] = crafted(mp, 10, 0)) != NULL, "a runt");
	DPX_TEST_ASSERT((pkts[4] = echo2 = echo_mbuf(mp, 64)) != NULL, "");
	DPX_TEST_ASSERT((pkts[5] = crafted(mp, 200, 7)) != NULL, "");
	DPX_TEST_ASSERT_EQUAL(fwd_icmpecho_burst(&fs, pkts, 6), 2, "two requests");
	DPX_TEST_ASSERT(pkts[0] == echo1 && pkts[1] == echo2, "the replies, in order");
	for (int i = 0; i < 2; i++) {
		const uint8_t *p = dpx_pktmbuf_mtod(pkts[i], uint8_t *);

		DPX_TEST_ASSERT(p[34] == 0 && memcmp(p + 6, fs.rx_mac, 6) == 0,
				"an echo reply from the rx port");
	}
	DPX_TEST_ASSERT_EQUAL(fs.stats.consumed, 4, "the others are consumed");
	dpx_pktmbuf_free_bulk(pkts, 2);
	DPX_TEST_ASSERT_EQUAL(dpx_mempool_avail_count(mp), before, "every mbuf came back");
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
	if (rc == DPX_TEST_SUCCESS)
		rc = check_icmpecho(mp);
	engine_teardown(mp);
	return rc;
}

DPX_TEST_REGISTER(fwd_engine_mbufs, fast, test_fwd_engine_mbufs);
