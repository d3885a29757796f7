/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The short ways (vhost_data.c, enqueue_fast and dequeue_fast) against the
 * general way they stand in for. One random sequence of receive buffers (one
 * descriptor of many lengths, two-descriptor chains, buffers too short) and
 * of mbuf bursts (one segment or chained, 0 to 1500 bytes) runs twice on
 * fresh devices: once with the CPU copy backend, where the short way takes
 * what it can, once with a copy backend that is the same memcpy, where
 * every packet goes the general way. The guest must see the same thing
 * both times: the same bursts accepted, the same packets (every byte checked
 * against its mbuf), the same used lengths, the same guest memory at the end
 * (headers, payloads, bytes never written) and the same counters. The copies
 * the first run kept out of the batch show the short way took its share.
 * Dequeue likewise: random transmit chains (one descriptor or several,
 * device-writable ones that are dropped), into mbufs that hold every packet
 * and into small ones that chain the longer ones.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <dpx_mbuf.h>
#include <dpx_mempool.h>

#include "dpx_test.h"
#include "vhost_frontend.h"
#include "vhost_private.h"

#define F(bit) (1ULL << (bit))
#define ROUNDS 300
#define BUFLEN 1024 /* vfe_bring_up's receive buffers */

static uint8_t
pattern(unsigned int pkt, uint32_t off)
{
	return (uint8_t)(pkt * 13 + off * 5 + (off >> 7));
}

/* The general way's copies, by the same memcpy: a copy backend other than
 * vhost_copy_cpu keeps every packet off the short way. */
static void
copy_general(void *ctx, const struct vhost_copy *c, unsigned int n)
{
	(void)ctx;
	vhost_copy_cpu.run(NULL, c, n);
}

static const struct vhost_copy_backend copy_plain = {"general", copy_general, NULL};

/* What the guest saw, summed up. */
struct seen {
	uint64_t hash;	 /* accepted counts, packet lengths and bytes, in order */
	uint64_t memory; /* the receive data area at the end */
	uint64_t packets;
	uint64_t batched; /* copies that went through the copy batch */
	struct dpx_vhost_vring_stats st;
};

static uint64_t
fnv(uint64_t h, const void *p, size_t n)
{
	const uint8_t *b = p;
	size_t i;

	for (i = 0; i < n; i++)
		h = (h ^ b[i]) * 0x100000001b3ULL;
	return h;
}

/*
 * Post about `want` receive chains of random shapes (bounded by free
 * descriptors). A chain too short for the packet at the head stops the ring
 * for good without MRG_RXBUF (as DPDK's does), so there they all hold 1500
 * bytes; with it, short ones are merged with the next (the header never
 * spans chains, so 12 bytes at least).
 */
static void
post_random(struct vfe *fe, bool mrg, unsigned int want, unsigned int *seed)
{
	static const uint32_t short_lens[] = {12, 13, 60, 71, 72, 73, 500, 1011, 1012, 1013, 1024,
					      1512, 1524, 2048};
	static const uint32_t whole_lens[] = {1512, 1513, 1524, 2048};
	const uint32_t *lens = mrg ? short_lens : whole_lens;
	unsigned int nlens = mrg ? DPX_DIM(short_lens) : DPX_DIM(whole_lens);
	struct vfe_queue *q = &fe->q[0];
	unsigned int i;
	uint16_t id;

	for (i = 0; i < want; i++) {
		if (rand_r(seed) % 5 == 0) {
			if (vfe_rx_post(fe, 0, 1, 2) != 1)
				return;
			continue;
		}
		/* one descriptor in the slot's own area (VFE_MAX_IND buffers long) */
		id = q->packed ? q->next_avail : q->free_head;
		if (vfe_rx_post_at(fe, 0, q->data_gpa + (uint64_t)id * VFE_MAX_IND * BUFLEN,
				   lens[rand_r(seed) % nlens]) != 0)
			return;
	}
}

/* vfe_bring_up with rings of `size` entries (packed: any size, so a wrap
 * comes every few descriptors and inside a burst). */
static int
bring_up(struct vfe *fe, uint64_t want, uint16_t size)
{
	DPX_TEST_ASSERT_EQUAL(vfe_negotiate(fe, want), 0, "");
	DPX_TEST_ASSERT_EQUAL(vfe_set_mem_table(fe), 0, "");
	DPX_TEST_ASSERT_EQUAL(vfe_queue_setup(fe, 0, size, BUFLEN, false), 0, "");
	DPX_TEST_ASSERT_EQUAL(vfe_queue_setup(fe, 1, size, 2048, false), 0, "");
	DPX_TEST_ASSERT_EQUAL(vfe_driver_ok(fe), 0, "");
	DPX_TEST_ASSERT(vfe_wait_count(&vfe_ev.new_calls, 1), "new_device called");
	return DPX_TEST_SUCCESS;
}

/* One run of the sequence; general: every packet the general way. */
static int
run(bool packed, bool mrg, uint16_t size, bool general, unsigned int seed0, struct seen *out)
{
	static const uint32_t sizes[] = {0, 1, 14, 59, 60, 61, 64, 500, 999, 1000, 1001, 1500};
	static uint8_t got[4096];
	struct dpx_mbuf *pkts[VHOST_MAX_BURST];
	unsigned int seed = seed0, r, i, n, taken;
	uint64_t want = ~0ULL;
	struct dpx_mempool *mp;
	struct vhost_vq *vq;
	struct vfe_queue *q;
	uint32_t len[VHOST_MAX_BURST], k;
	char path[108];
	struct vfe fe;
	int vid, l;

	if (!packed)
		want &= ~F(VIRTIO_F_RING_PACKED);
	if (!mrg)
		want &= ~F(VIRTIO_NET_F_MRG_RXBUF);
	mp = dpx_pktmbuf_pool_create(general ? "fast-g" : "fast-f", 512, 0, 0,
				     DPX_MBUF_DEFAULT_BUF_SIZE, -1);
	DPX_TEST_ASSERT(mp != NULL, "pool: %s", dpx_strerror(dpx_errno));
	vfe_ev = (struct vfe_events){0};
	DPX_TEST_RUN(vfe_session_open(&fe, path, sizeof(path), general ? "fast-g" : "fast-f"));
	DPX_TEST_RUN(bring_up(&fe, want, size));
	vid = vfe_ev.vid;
	q = &fe.q[0];
	memset(vfe_ptr(&fe, q->data_gpa), 0xa5, (size_t)BUFLEN * VFE_MAX_IND * q->size);
	vq = vhost_dev_get(vid)->vq[0];
	if (general)
		vhost_dev_get(vid)->copy = &copy_plain;
	*out = (struct seen){0xcbf29ce484222325ULL, 0, 0, 0, {0}};
	for (r = 0; r < ROUNDS; r++) {
		post_random(&fe, mrg, rand_r(&seed) % 48, &seed);
		n = 1 + rand_r(&seed) % 32;
		for (i = 0; i < n; i++) {
			len[i] = sizes[rand_r(&seed) % DPX_DIM(sizes)];
			/* one in four chained: 400-byte segments */
			pkts[i] = vfe_mbuf_chain(mp, len[i], rand_r(&seed) % 4 ? 2048 : 400,
						 r * 64 + i, pattern);
			DPX_TEST_ASSERT(pkts[i] != NULL, "");
		}
		taken = dpx_vhost_enqueue_burst(vid, 0, pkts, (uint16_t)n);
		dpx_pktmbuf_free_bulk(pkts, n);
		out->hash = fnv(out->hash, &taken, sizeof(taken));
		for (i = 0; i < taken; i++) {
			l = vfe_rx_take(&fe, 0, got, sizeof(got));
			DPX_TEST_ASSERT_EQUAL(l, (int)len[i], "round %u packet %u", r, i);
			for (k = 0; k < len[i]; k++)
				DPX_TEST_ASSERT_EQUAL(got[k], pattern(r * 64 + i, k),
						      "round %u packet %u byte %u", r, i, k);
			out->hash = fnv(out->hash, got, len[i]);
			out->hash = fnv(out->hash, &len[i], sizeof(len[i]));
		}
		DPX_TEST_ASSERT_EQUAL(vfe_rx_take(&fe, 0, got, sizeof(got)), 0, "round %u", r);
		out->packets += taken;
	}
	out->batched = vq->batch.flushed;
	out->memory = fnv(0xcbf29ce484222325ULL, vfe_ptr(&fe, q->data_gpa),
			  (size_t)BUFLEN * VFE_MAX_IND * q->size);
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_vring_stats_get(vid, 0, &out->st, 0), 0, "");
	DPX_TEST_RUN(vfe_session_close(&fe, path));
	vfe_closes_wait();
	DPX_TEST_ASSERT_EQUAL(dpx_mempool_in_use_count(mp), 0, "every mbuf back");
	dpx_mempool_free(mp);
	return DPX_TEST_SUCCESS;
}

static int
fast_vs_general(bool packed, bool mrg, uint16_t size)
{
	static bool eal_up;
	struct seen fast, general;
	unsigned int seed;

	if (!eal_up)
		DPX_TEST_ASSERT(dpx_test_eal_init("--no-huge", NULL) > 0, "");
	eal_up = true;
	for (seed = 1; seed <= 3; seed++) {
		DPX_TEST_RUN(run(packed, mrg, size, false, seed, &fast));
		DPX_TEST_RUN(run(packed, mrg, size, true, seed, &general));
		DPX_TEST_ASSERT(fast.packets > ROUNDS, "seed %u: %" PRIu64 " packets", seed,
				fast.packets);
		DPX_TEST_ASSERT_EQUAL(fast.packets, general.packets, "seed %u", seed);
		DPX_TEST_ASSERT(fast.hash == general.hash, "seed %u: the guest saw other packets",
				seed);
		DPX_TEST_ASSERT(fast.memory == general.memory,
				"seed %u: guest memory differs after the runs", seed);
		DPX_TEST_ASSERT(memcmp(&fast.st, &general.st, sizeof(fast.st)) == 0,
				"seed %u: counters differ (packets %" PRIu64 "/%" PRIu64
				", errors %" PRIu64 "/%" PRIu64 ")",
				seed, fast.st.packets, general.st.packets, fast.st.errors,
				general.st.errors);
		DPX_TEST_ASSERT_EQUAL(fast.st.packets, fast.packets, "seed %u", seed);
		/* a packet the short way takes puts no copy in the batch, one the
		 * general way takes two at least (header, payload) */
		DPX_TEST_ASSERT(general.batched - fast.batched > fast.packets / 2,
				"seed %u: the short way took too few packets (%" PRIu64
				" copies batched, %" PRIu64 " the general way)",
				seed, fast.batched, general.batched);
	}
	return DPX_TEST_SUCCESS;
}

/* ---- dequeue ---- */

/* The guest sends about `want` packets of random shapes: one descriptor or
 * several, 0 to 1500 bytes, now and then a device-writable descriptor (a
 * broken chain, dropped). @return packets posted (not the broken ones). */
static unsigned int
send_random(struct vfe *fe, unsigned int want, unsigned int round, unsigned int *seed)
{
	static const uint32_t sizes[] = {0, 1, 14, 60, 64, 499, 500, 501, 1000, 1500};
	static uint8_t buf[2048];
	struct vfe_queue *q = &fe->q[1];
	unsigned int i, sent = 0;
	uint32_t len, k;

	for (i = 0; i < want; i++) {
		if (rand_r(seed) % 16 == 0) {
			uint16_t id = q->packed ? q->next_avail : q->free_head;

			if (vfe_rx_post_at(fe, 1, q->data_gpa + (uint64_t)id * VFE_MAX_IND * 2048,
					   64) != 0)
				break;
			continue;
		}
		len = sizes[rand_r(seed) % DPX_DIM(sizes)];
		for (k = 0; k < len; k++)
			buf[k] = pattern(round * 64 + sent, k);
		if (vfe_tx_post(fe, 1, buf, len, rand_r(seed) % 4 ? 1 : 2 + rand_r(seed) % 2) != 0)
			break;
		sent++;
	}
	return sent;
}

/* One run of the dequeue sequence into mp's mbufs; general: every chain the general way. */
static int
run_dequeue(bool packed, bool general, unsigned int seed0, struct dpx_mempool *mp,
	    struct seen *out)
{
	static uint8_t got[2048];
	struct dpx_mbuf *rx[VHOST_MAX_BURST];
	unsigned int seed = seed0, r, i, sent, taken, left;
	uint64_t want = ~0ULL;
	struct vhost_vq *vq;
	const uint8_t *p;
	struct dpx_mbuf *m;
	char path[108];
	struct vfe fe;
	uint32_t k;
	int vid;

	if (!packed)
		want &= ~F(VIRTIO_F_RING_PACKED);
	vfe_ev = (struct vfe_events){0};
	DPX_TEST_RUN(vfe_session_open(&fe, path, sizeof(path), general ? "fastd-g" : "fastd-f"));
	DPX_TEST_RUN(bring_up(&fe, want, 256));
	vid = vfe_ev.vid;
	vq = vhost_dev_get(vid)->vq[1];
	if (general)
		vhost_dev_get(vid)->copy = &copy_plain;
	*out = (struct seen){0xcbf29ce484222325ULL, 0, 0, 0, {0}};
	for (r = 0; r < ROUNDS; r++) {
		sent = send_random(&fe, rand_r(&seed) % 40, r, &seed);
		left = sent;
		do {
			taken = dpx_vhost_dequeue_burst(vid, 1, mp, rx,
							(uint16_t)(1 + rand_r(&seed) % 32));
			out->hash = fnv(out->hash, &taken, sizeof(taken));
			for (i = 0; i < taken; i++) {
				p = dpx_pktmbuf_read(rx[i], 0, rx[i]->pkt_len, got);
				for (k = 0; k < rx[i]->pkt_len; k++)
					DPX_TEST_ASSERT_EQUAL(p[k],
							      pattern(r * 64 + sent - left + i, k),
							      "round %u packet %u byte %u", r, i, k);
				out->hash = fnv(out->hash, p, rx[i]->pkt_len);
				for (m = rx[i]; m != NULL; m = m->next)
					out->hash = fnv(out->hash, &m->data_len, sizeof(m->data_len));
			}
			dpx_pktmbuf_free_bulk(rx, taken);
			left -= taken;
			out->packets += taken;
		} while (taken > 0 && left > 0);
		DPX_TEST_ASSERT_EQUAL(left, 0, "round %u: %u packets not taken", r, left);
		vfe_tx_reclaim(&fe, 1);
	}
	out->batched = vq->batch.flushed;
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_vring_stats_get(vid, 1, &out->st, 0), 0, "");
	DPX_TEST_RUN(vfe_session_close(&fe, path));
	vfe_closes_wait();
	DPX_TEST_ASSERT_EQUAL(dpx_mempool_in_use_count(mp), 0, "every mbuf back");
	return DPX_TEST_SUCCESS;
}

/* Into 2 KiB mbufs (every packet in one) and 512-byte ones (the longer
 * packets chained, the general way's). */
static int
fast_vs_general_dequeue(bool packed)
{
	struct dpx_mempool *mp[2];
	struct seen fast, general;
	unsigned int seed, j;

	DPX_TEST_ASSERT(dpx_test_eal_init("--no-huge", NULL) > 0, "");
	mp[0] = dpx_pktmbuf_pool_create("fastd-big", 512, 0, 0, DPX_MBUF_DEFAULT_BUF_SIZE, -1);
	mp[1] = dpx_pktmbuf_pool_create("fastd-small", 512, 0, 0, 512 + DPX_PKTMBUF_HEADROOM, -1);
	DPX_TEST_ASSERT(mp[0] != NULL && mp[1] != NULL, "pools: %s", dpx_strerror(dpx_errno));
	for (seed = 1; seed <= 2; seed++)
		for (j = 0; j < 2; j++) {
			DPX_TEST_RUN(run_dequeue(packed, false, seed, mp[j], &fast));
			DPX_TEST_RUN(run_dequeue(packed, true, seed, mp[j], &general));
			DPX_TEST_ASSERT(fast.packets > ROUNDS, "seed %u: %" PRIu64 " packets", seed,
					fast.packets);
			DPX_TEST_ASSERT(fast.hash == general.hash,
					"seed %u pool %u: the host got other packets", seed, j);
			DPX_TEST_ASSERT(memcmp(&fast.st, &general.st, sizeof(fast.st)) == 0,
					"seed %u pool %u: counters differ (errors %" PRIu64
					"/%" PRIu64 ")",
					seed, j, fast.st.errors, general.st.errors);
			DPX_TEST_ASSERT(fast.st.errors > 0, "broken chains were sent and dropped");
			DPX_TEST_ASSERT(general.batched - fast.batched > fast.packets / 4,
					"seed %u pool %u: the short way took too few packets",
					seed, j);
		}
	dpx_mempool_free(mp[0]);
	dpx_mempool_free(mp[1]);
	return DPX_TEST_SUCCESS;
}

CASE_OF(test_vhost_fast_dequeue_split, fast_vs_general_dequeue(false))

CASE_OF(test_vhost_fast_dequeue_packed, fast_vs_general_dequeue(true))

/* ---- IN_ORDER ---- */

/* A packed transmit burst is told with one used descriptor when IN_ORDER is
 * negotiated: at the burst's first place, the last buffer's id; the
 * descriptors between keep the driver's flags. */
static int
test_vhost_in_order_tx_packed(void)
{
	static const unsigned int nseg[] = {1, 1, 1, 1, 1, 2, 1, 1, 1};
	struct vring_packed_desc *ring;
	struct dpx_mbuf *rx[VHOST_MAX_BURST];
	struct dpx_mempool *mp;
	uint8_t buf[200], got[200];
	const uint8_t *p;
	struct vfe_queue *q;
	char path[108];
	struct vfe fe;
	unsigned int i, k;
	uint16_t used_flags = VRING_PACKED_DESC_F_AVAIL | VRING_PACKED_DESC_F_USED;
	int vid;

	DPX_TEST_ASSERT(dpx_test_eal_init("--no-huge", NULL) > 0, "");
	mp = dpx_pktmbuf_pool_create("in-order", 256, 0, 0, DPX_MBUF_DEFAULT_BUF_SIZE, -1);
	DPX_TEST_ASSERT(mp != NULL, "pool: %s", dpx_strerror(dpx_errno));
	DPX_TEST_RUN(vfe_session_open(&fe, path, sizeof(path), "in-order"));
	fe.in_order = true;
	DPX_TEST_RUN(bring_up(&fe, ~0ULL, 256));
	DPX_TEST_ASSERT(fe.features & F(VIRTIO_F_IN_ORDER), "IN_ORDER offered and taken");
	vid = vfe_ev.vid;
	q = &fe.q[1];
	ring = vfe_ptr(&fe, q->desc_gpa);
	/* six packets, the sixth in two descriptors (ids 0-5, ring places 0-6),
	 * then three more (ids 7-9, places 7-9) */
	for (i = 0; i < DPX_DIM(nseg); i++) {
		for (k = 0; k < sizeof(buf); k++)
			buf[k] = pattern(i, k);
		DPX_TEST_ASSERT_EQUAL(vfe_tx_post(&fe, 1, buf, 100 + i, nseg[i]), 0, "");
		if (i != 5)
			continue;
		DPX_TEST_ASSERT_EQUAL(dpx_vhost_dequeue_burst(vid, 1, mp, rx, VHOST_MAX_BURST), 6,
				      "");
		DPX_TEST_ASSERT_EQUAL(ring[0].flags & used_flags, used_flags, "told at place 0");
		DPX_TEST_ASSERT_EQUAL(ring[0].id, 5, "with the last buffer's id");
		for (k = 1; k < 7; k++)
			DPX_TEST_ASSERT(!(ring[k].flags & VRING_PACKED_DESC_F_USED),
					"place %u left as the driver wrote it", k);
		for (k = 0; k < 6; k++) {
			DPX_TEST_ASSERT_EQUAL(rx[k]->pkt_len, 100 + k, "");
			p = dpx_pktmbuf_read(rx[k], 0, rx[k]->pkt_len, got);
			for (uint32_t b = 0; b < rx[k]->pkt_len; b++)
				DPX_TEST_ASSERT_EQUAL(p[b], pattern(k, b), "packet %u byte %u", k, b);
		}
		dpx_pktmbuf_free_bulk(rx, 6);
	}
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_dequeue_burst(vid, 1, mp, rx, VHOST_MAX_BURST), 3, "");
	DPX_TEST_ASSERT_EQUAL(ring[7].flags & used_flags, used_flags, "the next burst at place 7");
	DPX_TEST_ASSERT_EQUAL(ring[7].id, 9, "");
	DPX_TEST_ASSERT(!(ring[8].flags & VRING_PACKED_DESC_F_USED), "");
	DPX_TEST_ASSERT(!(ring[9].flags & VRING_PACKED_DESC_F_USED), "");
	dpx_pktmbuf_free_bulk(rx, 3);
	DPX_TEST_RUN(vfe_session_close(&fe, path));
	vfe_closes_wait();
	DPX_TEST_ASSERT_EQUAL(dpx_mempool_in_use_count(mp), 0, "every mbuf back");
	dpx_mempool_free(mp);
	return DPX_TEST_SUCCESS;
}

CASE_OF(test_vhost_fast_split, fast_vs_general(false, false, 256))

CASE_OF(test_vhost_fast_split_mrg, fast_vs_general(false, true, 256))

CASE_OF(test_vhost_fast_packed, fast_vs_general(true, false, 256))

CASE_OF(test_vhost_fast_packed_mrg, fast_vs_general(true, true, 256))

/* Packed rings of 7 and 3 entries: wraps inside bursts, prefetches that wrap. */
static int
test_vhost_fast_packed_small(void)
{
	DPX_TEST_RUN(fast_vs_general(true, true, 7));
	return fast_vs_general(true, false, 3);
}

/*
 * A receive descriptor that starts in guest memory and runs far past it:
 * the general way breaks the ring on it ("buffer address outside guest
 * memory"); the short way, which would only write the packet's first bytes,
 * must not take it instead.
 */
static int
test_vhost_fast_rx_past_memory(void)
{
	struct dpx_mbuf *m;
	struct dpx_mempool *mp;
	char path[108];
	struct vfe fe;
	bool packed;
	int vid;

	DPX_TEST_ASSERT(dpx_test_eal_init("--no-huge", NULL) > 0, "");
	mp = dpx_pktmbuf_pool_create("fast-past", 64, 0, 0, DPX_MBUF_DEFAULT_BUF_SIZE, -1);
	DPX_TEST_ASSERT(mp != NULL, "pool: %s", dpx_strerror(dpx_errno));
	for (packed = false;; packed = true) {
		vfe_ev = (struct vfe_events){0};
		DPX_TEST_RUN(vfe_session_open(&fe, path, sizeof(path), packed ? "past-p" : "past-s"));
		DPX_TEST_RUN(bring_up(&fe, packed ? ~0ULL : ~F(VIRTIO_F_RING_PACKED), 256));
		vid = vfe_ev.vid;
		DPX_TEST_ASSERT_EQUAL(vfe_rx_post_at(&fe, 0, VFE_SESSION_MEM_SIZE - 2048, 0x10000000),
				      0, "");
		m = vfe_mbuf_chain(mp, 60, 2048, 1, pattern);
		DPX_TEST_ASSERT(m != NULL, "");
		DPX_TEST_ASSERT_EQUAL(dpx_vhost_enqueue_burst(vid, 0, &m, 1), 0, "packed %d", packed);
		DPX_TEST_ASSERT(vhost_dev_get(vid)->vq[0]->broken, "packed %d: ring not stopped",
				packed);
		dpx_pktmbuf_free(m);
		DPX_TEST_RUN(vfe_session_close(&fe, path));
		vfe_closes_wait();
		if (packed)
			break;
	}
	DPX_TEST_ASSERT_EQUAL(dpx_mempool_in_use_count(mp), 0, "every mbuf back");
	dpx_mempool_free(mp);
	return DPX_TEST_SUCCESS;
}

DPX_TEST_REGISTER(vhost_fast_split, fast, test_vhost_fast_split);
DPX_TEST_REGISTER(vhost_fast_split_mrg, fast, test_vhost_fast_split_mrg);
DPX_TEST_REGISTER(vhost_fast_packed, fast, test_vhost_fast_packed);
DPX_TEST_REGISTER(vhost_fast_packed_mrg, fast, test_vhost_fast_packed_mrg);
DPX_TEST_REGISTER(vhost_fast_packed_small, fast, test_vhost_fast_packed_small);
DPX_TEST_REGISTER(vhost_fast_rx_past_memory, fast, test_vhost_fast_rx_past_memory);
DPX_TEST_REGISTER(vhost_fast_dequeue_split, fast, test_vhost_fast_dequeue_split);
DPX_TEST_REGISTER(vhost_fast_dequeue_packed, fast, test_vhost_fast_dequeue_packed);
DPX_TEST_REGISTER(vhost_in_order_tx_packed, fast, test_vhost_in_order_tx_packed);
