/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Async vhost (dpx_vhost_async.h) against the in-process front-end: the
 * software engine bound to a container of the fake VFIO kernel (so only
 * DMA-mapped memory is reachable, as behind an IOMMU), or the test engine
 * (dma_fake.h) whose jobs run when the case says, for in-flight states
 * that must not depend on timing. Every byte the guest or the host gets is
 * checked; so are the order of used entries, counters that add up, the
 * kernel's mappings (one per guest region) after every step, and what the
 * guest sees of a packet dropped for a DMA error.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include <dpx_bus_vdev.h>
#include <dpx_dma_sw.h>
#include <dpx_dmadev.h>
#include <dpx_mbuf.h>
#include <dpx_mempool.h>
#include <dpx_vfio.h>
#include <dpx_vhost_async.h>

#include "dma_fake.h"
#include "dpx_test.h"
#include "vfio_kernel_fake.h"
#include "vhost_frontend.h"
#include "vhost_private.h"

#define F(bit) (1ULL << (bit))
#define WANT_ALL (~0ULL)
#define SPLIT (~F(VIRTIO_F_RING_PACKED))
#define GROUP 11
#define RX_BUF 1024 /* bytes per receive buffer */
#define TX_BUF 8448 /* bytes per transmit descriptor: 64 KiB packets (and header) in 8 */
#define MAX_PKT 65535
#define WAIT_LOOPS 200000 /* guard against a hang, never a timing assertion */


enum engine { ENGINE_SW, ENGINE_FAKE };

/* One case's world: EAL over the fake kernel, a container with a group (its
 * kernel model holds the real mappings), an engine, a pool, a front-end. */
struct env {
	enum engine engine;
	int c;
	int16_t dma;
	struct kmodel *k;
	size_t k0; /* kernel mappings before any guest memory */
	struct dpx_mempool *mp;
	struct vfe fe;
	char path[108];
	int vid;
};

static uint8_t
pattern(unsigned int pkt, uint32_t off)
{
	return (uint8_t)(pkt * 29 + off * 13 + (off >> 9));
}

/* The engine's vchan ring (the test engine only). */
static uint16_t fake_ring = 1024;

static int
env_init(struct env *e, enum engine engine)
{
	struct dpx_dma_conf conf = {.nb_vchans = 1};
	struct dpx_dma_vchan_conf vconf = {.direction = DPX_DMA_DIR_MEM_TO_MEM, .nb_desc = 1024};

	memset(e, 0, sizeof(*e));
	e->engine = engine;
	kfake_reset(KMODEL_TYPE1V2);
	kfake_add_group(GROUP, true);
	DPX_TEST_ASSERT_EQUAL(vfio_set_kernel_ops(&kfake_ops), 0, "");
	DPX_TEST_ASSERT(dpx_test_eal_init("--no-huge", "-m", "128", NULL) > 0, "");
	/* 2048-byte mbufs: a 64 KiB packet is a chain of 32 */
	e->mp = dpx_pktmbuf_pool_create("async_mp", 2048, 0, 0, DPX_MBUF_DEFAULT_BUF_SIZE, -1);
	DPX_TEST_ASSERT(e->mp != NULL, "pool: %s", dpx_strerror(dpx_errno));
	e->c = dpx_vfio_container_create();
	DPX_TEST_ASSERT(e->c >= 0, "%d", e->c);
	DPX_TEST_ASSERT(dpx_vfio_container_group_bind(e->c, GROUP) >= 0, "");
	e->k = kfake_container_model(e->c);
	e->k0 = e->k->n;
	if (engine == ENGINE_FAKE) {
		int id = dma_fake_create(fake_ring);

		DPX_TEST_ASSERT(id >= 0, "%d", id);
		e->dma = (int16_t)id;
	} else {
		DPX_TEST_ASSERT_EQUAL(dpx_vdev_init("dma_sw0", "idle_us=100"), 0, "");
		e->dma = (int16_t)dpx_dma_get_dev_id_by_name("dma_sw0");
		DPX_TEST_ASSERT(e->dma >= 0, "");
		DPX_TEST_ASSERT_EQUAL(dpx_dma_configure(e->dma, &conf), 0, "");
		DPX_TEST_ASSERT_EQUAL(dpx_dma_vchan_setup(e->dma, 0, &vconf), 0, "");
		DPX_TEST_ASSERT_EQUAL(dpx_dma_sw_bind_container(e->dma, e->c), 0, "");
		DPX_TEST_ASSERT_EQUAL(dpx_dma_start(e->dma), 0, "");
	}
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_async_dma_configure(e->dma, 0), 0, "");
	return DPX_TEST_SUCCESS;
}

static int
env_fini(struct env *e)
{
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_async_dma_unconfigure(e->dma, 0), 0, "");
	DPX_TEST_ASSERT_EQUAL(e->k->n, e->k0, "no guest mapping left in the kernel");
	if (e->engine == ENGINE_FAKE)
		DPX_TEST_ASSERT_EQUAL(dma_fake_destroy(e->dma), 0, "");
	else
		DPX_TEST_ASSERT_EQUAL(dpx_vdev_uninit("dma_sw0"), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_mempool_in_use_count(e->mp), 0, "every mbuf back");
	dpx_mempool_free(e->mp);
	DPX_TEST_ASSERT_EQUAL(dpx_vfio_container_destroy(e->c), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eal_cleanup(), 0, "");
	DPX_TEST_ASSERT_EQUAL(vfio_set_kernel_ops(NULL), 0, "");
	return DPX_TEST_SUCCESS;
}

/* Guest memory as three regions (async_regions) or one: region 0 holds the
 * rings and the queues' buffer areas, regions 1 and 2 what a case posts there. */
#define R0 (32ULL << 20)
#define R1 (8ULL << 20)

/* Negotiate, memory, rings (receive buffers of RX_BUF, transmit descriptors
 * of TX_BUF), DRIVER_OK. */
static int
dev_connect(struct env *e, const char *name, uint64_t want, bool indirect, unsigned int nregions)
{
	DPX_TEST_RUN(vfe_session_open(&e->fe, e->path, sizeof(e->path), name));
	if (nregions == 3) {
		vfe_region_set(&e->fe, 0, 0, R0, 0);
		vfe_region_set(&e->fe, 1, R0, R1, R0);
		vfe_region_set(&e->fe, 2, R0 + R1, R1, R0 + R1);
	}
	DPX_TEST_ASSERT_EQUAL(vfe_negotiate(&e->fe, want), 0, "");
	DPX_TEST_ASSERT_EQUAL(vfe_set_mem_table(&e->fe), 0, "");
	DPX_TEST_ASSERT_EQUAL(vfe_queue_setup(&e->fe, 0, 256, RX_BUF, indirect), 0, "");
	DPX_TEST_ASSERT_EQUAL(vfe_queue_setup(&e->fe, 1, 256, TX_BUF, indirect), 0, "");
	DPX_TEST_ASSERT_EQUAL(vfe_driver_ok(&e->fe), 0, "");
	DPX_TEST_ASSERT(vfe_wait_count(&vfe_ev.new_calls, 1), "new_device called");
	e->vid = vfe_ev.vid;
	return DPX_TEST_SUCCESS;
}

/* dev_connect, then both vrings async. */
static int
dev_up(struct env *e, const char *name, uint64_t want, bool indirect)
{
	DPX_TEST_RUN(dev_connect(e, name, want, indirect, 1));
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_async_channel_register(e->vid, 0), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_async_channel_register(e->vid, 1), 0, "");
	return DPX_TEST_SUCCESS;
}

static int
dev_down(struct env *e)
{
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_async_get_inflight(e->vid, 0), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_async_get_inflight(e->vid, 1), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_async_channel_unregister(e->vid, 0), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_async_channel_unregister(e->vid, 1), 0, "");
	DPX_TEST_ASSERT_EQUAL(e->k->n, e->k0, "the last vring unregistered unmaps guest memory");
	DPX_TEST_RUN(vfe_session_close(&e->fe, e->path));
	return DPX_TEST_SUCCESS;
}

static struct dpx_mbuf *
chain_make(struct dpx_mempool *mp, uint32_t len, uint32_t seg, unsigned int seed)
{
	return vfe_mbuf_chain(mp, len, seg, seed, pattern);
}

/* Used entries the guest has not taken yet are in ring order (IN_ORDER):
 * split, used slot k holds the head made available at avail slot k; packed,
 * the front-end gives a chain the id of its first slot. @return 1 or 0. */
static int
used_in_order(struct vfe *fe, unsigned int qi)
{
	struct vfe_queue *q = &fe->q[qi];

	if (!q->packed) {
		struct vring_used *u = vfe_ptr(fe, q->used_gpa);
		struct vring_avail *av = vfe_ptr(fe, q->avail_gpa);
		uint16_t end = __atomic_load_n(&u->idx, __ATOMIC_ACQUIRE), k;

		for (k = q->used_idx; k != end; k++)
			if (u->ring[k % q->size].id != av->ring[k % q->size])
				return 0;
		return 1;
	}
	struct vring_packed_desc *d = vfe_ptr(fe, q->desc_gpa);
	uint16_t pos = q->next_used;
	bool wrap = q->used_wrap;

	for (;;) {
		uint16_t f = __atomic_load_n(&d[pos].flags, __ATOMIC_ACQUIRE);

		if (!!(f & VRING_PACKED_DESC_F_AVAIL) != wrap ||
		    !!(f & VRING_PACKED_DESC_F_USED) != wrap)
			return 1;
		if (d[pos].id != pos)
			return 0;
		pos = (uint16_t)(pos + q->chains[pos].ndesc);
		if (pos >= q->size) {
			pos = (uint16_t)(pos - q->size);
			wrap = !wrap;
		}
	}
}

/* Send pkts to the guest (submit until all are accepted, collecting as we
 * go) and free the mbufs the polls return. @return DPX_TEST_*. */
static int
to_guest(struct env *e, struct dpx_mbuf **pkts, uint16_t n)
{
	struct dpx_mbuf *done[64];
	uint16_t sent = 0, back = 0, k;
	unsigned int loops;

	for (loops = 0; back < n && loops < WAIT_LOOPS; loops++) {
		if (sent < n)
			sent += dpx_vhost_submit_enqueue_burst(e->vid, 0, pkts + sent, n - sent,
							       e->dma, 0);
		k = dpx_vhost_poll_enqueue_completed(e->vid, 0, done, 64, e->dma, 0);
		dpx_pktmbuf_free_bulk(done, k);
		back += k;
		if (e->engine == ENGINE_FAKE)
			dma_fake_run(1000);
	}
	DPX_TEST_ASSERT_EQUAL(back, n, "sent %u", sent);
	return DPX_TEST_SUCCESS;
}

/* Receive n packets from the guest. @return DPX_TEST_*. */
static int
from_guest(struct env *e, struct dpx_mbuf **out, uint16_t n)
{
	uint16_t got = 0;
	unsigned int loops;
	int inflight = 0;

	for (loops = 0; got < n && loops < WAIT_LOOPS; loops++) {
		got += dpx_vhost_async_try_dequeue_burst(e->vid, 1, e->mp, out + got, n - got,
							 &inflight, e->dma, 0);
		if (e->engine == ENGINE_FAKE)
			dma_fake_run(1000);
	}
	DPX_TEST_ASSERT_EQUAL(got, n, "%d in flight", inflight);
	return DPX_TEST_SUCCESS;
}

static int
check_mbuf(struct dpx_mbuf *m, uint32_t len, unsigned int seed)
{
	static uint8_t buf[MAX_PKT];
	const uint8_t *p;
	uint32_t k;

	DPX_TEST_ASSERT_EQUAL(m->pkt_len, len, "");
	p = dpx_pktmbuf_read(m, 0, len, buf);
	for (k = 0; k < len; k++)
		DPX_TEST_ASSERT_EQUAL(p[k], pattern(seed, k), "packet %u byte %u", seed, k);
	return DPX_TEST_SUCCESS;
}

static int
check_guest_pkt(struct vfe *fe, uint32_t len, unsigned int seed)
{
	static uint8_t got[MAX_PKT + 64];
	uint32_t k;

	DPX_TEST_ASSERT_EQUAL(vfe_rx_take(fe, 0, got, sizeof(got)), len, "packet %u", seed);
	for (k = 0; k < len; k++)
		DPX_TEST_ASSERT_EQUAL(got[k], pattern(seed, k), "packet %u byte %u", seed, k);
	return DPX_TEST_SUCCESS;
}

/* ---- bytes both ways ---- */

static const uint32_t byte_lens[] = {1, 14, 60, 64, 200, 511, 512, 1024, 1518, 3000, 9000, MAX_PKT};

/*
 * Every length both ways, as one-segment and as chained mbufs, with the
 * default threshold and with every copy above 12 bytes on the engine; the
 * used entries in ring order; counters adding up with the engine's own.
 */
static int
async_bytes(const char *name, uint64_t want, bool indirect)
{
	struct dpx_mbuf *pkts[DPX_DIM(byte_lens)], *rx[DPX_DIM(byte_lens)];
	static uint8_t tmp[MAX_PKT];
	struct dpx_vhost_async_stats st0, st1;
	struct dpx_dma_stats ds;
	struct env e;
	unsigned int i, round, seed;
	uint32_t k;

	DPX_TEST_RUN(env_init(&e, ENGINE_SW));
	DPX_TEST_RUN(dev_up(&e, name, want, indirect));
	for (round = 0; round < 4; round++) {
		uint32_t seg = round % 2 == 0 ? 2048 : 700;

		DPX_TEST_ASSERT_EQUAL(
			dpx_vhost_async_set_copy_threshold(e.vid, round < 2 ? 0 : 256), 0, "");
		/* host to guest: mergeable buffers of RX_BUF, one per chain */
		DPX_TEST_ASSERT(vfe_rx_post(&e.fe, 0, 200, 1) > 0, "");
		for (i = 0; i < DPX_DIM(byte_lens); i++) {
			seed = round * 100 + i;
			/* a packet is at most 32 mbufs */
			pkts[i] = chain_make(e.mp, byte_lens[i],
					     byte_lens[i] > 32 * seg ? 2048 : seg, seed);
			DPX_TEST_ASSERT(pkts[i] != NULL, "");
		}
		DPX_TEST_RUN(to_guest(&e, pkts, DPX_DIM(byte_lens)));
		DPX_TEST_ASSERT(used_in_order(&e.fe, 0), "round %u", round);
		for (i = 0; i < DPX_DIM(byte_lens); i++)
			DPX_TEST_RUN(check_guest_pkt(&e.fe, byte_lens[i], round * 100 + i));
		/* guest to host, each packet over up to 8 descriptors */
		for (i = 0; i < DPX_DIM(byte_lens); i++) {
			seed = round * 100 + 50 + i;
			for (k = 0; k < byte_lens[i]; k++)
				tmp[k] = pattern(seed, k);
			unsigned int nseg = 1 + (i + round) % 8;

			nseg = DPX_MAX(nseg, (byte_lens[i] + 12 + TX_BUF - 1) / TX_BUF);
			DPX_TEST_ASSERT_EQUAL(vfe_tx_post(&e.fe, 1, tmp, byte_lens[i], nseg), 0,
					      "");
		}
		DPX_TEST_RUN(from_guest(&e, rx, DPX_DIM(byte_lens)));
		DPX_TEST_ASSERT(used_in_order(&e.fe, 1), "round %u", round);
		for (i = 0; i < DPX_DIM(byte_lens); i++)
			DPX_TEST_RUN(check_mbuf(rx[i], byte_lens[i], round * 100 + 50 + i));
		dpx_pktmbuf_free_bulk(rx, DPX_DIM(byte_lens));
		DPX_TEST_ASSERT_EQUAL(vfe_tx_reclaim(&e.fe, 1), DPX_DIM(byte_lens), "");
	}
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_async_stats_get(e.vid, 0, &st0, 0), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_async_stats_get(e.vid, 1, &st1, 0), 0, "");
	DPX_TEST_ASSERT(st0.submitted == 4 * DPX_DIM(byte_lens) && st0.completed == st0.submitted &&
				st0.in_flight == 0 && st0.dma_errors == 0,
			"enqueue: %" PRIu64 " %" PRIu64 " %" PRIu64, st0.submitted, st0.completed,
			st0.in_flight);
	DPX_TEST_ASSERT(st1.submitted == 4 * DPX_DIM(byte_lens) && st1.completed == st1.submitted &&
				st1.in_flight == 0 && st1.dma_errors == 0,
			"dequeue");
	DPX_TEST_ASSERT_EQUAL(dpx_dma_stats_get(e.dma, 0, &ds), 0, "");
	DPX_TEST_ASSERT_EQUAL(ds.completed, st0.dma_copies + st1.dma_copies,
			      "every job vhost gave the engine");
	DPX_TEST_ASSERT(st0.dma_copies > 0 && st0.cpu_copies > 0 && st1.dma_copies > 0, "");
	DPX_TEST_ASSERT_EQUAL(ds.errors, 0, "");
	DPX_TEST_RUN(dev_down(&e));
	DPX_TEST_RUN(env_fini(&e));
	return DPX_TEST_SUCCESS;
}

CASE_OF(test_vhost_async_bytes_split, async_bytes("async-split", SPLIT, false))
CASE_OF(test_vhost_async_bytes_packed, async_bytes("async-packed", WANT_ALL, false))
CASE_OF(test_vhost_async_bytes_split_indirect, async_bytes("async-split-ind", SPLIT, true))
CASE_OF(test_vhost_async_bytes_packed_indirect, async_bytes("async-packed-ind", WANT_ALL, true))

DPX_TEST_REGISTER(vhost_async_bytes_split, fast, test_vhost_async_bytes_split);
DPX_TEST_REGISTER(vhost_async_bytes_packed, fast, test_vhost_async_bytes_packed);
DPX_TEST_REGISTER(vhost_async_bytes_split_indirect, fast, test_vhost_async_bytes_split_indirect);
DPX_TEST_REGISTER(vhost_async_bytes_packed_indirect, fast, test_vhost_async_bytes_packed_indirect);

/* ---- ordering: nothing shown or returned before its copies landed ---- */

static uint16_t
poll_rx(struct env *e, struct dpx_mbuf **done, uint16_t n)
{
	return dpx_vhost_poll_enqueue_completed(e->vid, 0, done, n, e->dma, 0);
}

static void
poison(struct dpx_mbuf **m, uint16_t n)
{
	for (uint16_t i = 0; i < n; i++)
		for (struct dpx_mbuf *s = m[i]; s != NULL; s = s->next)
			memset(dpx_pktmbuf_mtod(s, void *), 0xee, s->data_len);
}

/*
 * The test engine holds the jobs: a packet is published and its mbuf
 * returned only once every one of its jobs ran, in ring order (a packet of
 * CPU copies only waits behind older ones); mbufs are poisoned as soon as
 * they come back, before the remaining jobs run, so a packet returned early
 * would reach the guest poisoned. Dequeue: the guest gets no buffer back
 * and the host no packet while the copies wait.
 */
static int
async_order(const char *name, uint64_t want)
{
	static const uint32_t lens[] = {1518, 1518, 1518, 1518, 12};
	struct dpx_mbuf *pkts[DPX_DIM(lens)], *done[8], *rx[4];
	struct dpx_vhost_async_stats st;
	uint8_t tmp[1000];
	struct env e;
	unsigned int i;
	uint16_t k;
	int inflight;

	DPX_TEST_RUN(env_init(&e, ENGINE_FAKE));
	DPX_TEST_RUN(dev_up(&e, name, want, false));
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_async_set_copy_threshold(e.vid, 0), 0, "");
	dma_fake_hold(true);
	vfe_rx_post(&e.fe, 0, 64, 1);
	for (i = 0; i < DPX_DIM(lens); i++)
		pkts[i] = chain_make(e.mp, lens[i], 2048, i);
	DPX_TEST_ASSERT_EQUAL(
		dpx_vhost_submit_enqueue_burst(e.vid, 0, pkts, DPX_DIM(lens), e.dma, 0),
		DPX_DIM(lens), "");
	/* 1518 B in two 1 KiB buffers: two jobs each, the 12-byte packet none */
	DPX_TEST_ASSERT_EQUAL(dma_fake_pending(), 8, "");
	DPX_TEST_ASSERT_EQUAL(poll_rx(&e, done, 8), 0, "nothing ran");
	DPX_TEST_ASSERT_EQUAL(vfe_rx_take(&e.fe, 0, tmp, sizeof(tmp)), 0, "no used entry yet");
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_async_get_inflight(e.vid, 0), 5, "");
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_async_stats_get(e.vid, 0, &st, 0), 0, "");
	DPX_TEST_ASSERT(st.submitted == 5 && st.completed == 0 && st.in_flight == 5 &&
				st.dma_copies == 8 && st.cpu_copies == 6,
			"dma %" PRIu64 " cpu %" PRIu64, st.dma_copies, st.cpu_copies);
	DPX_TEST_ASSERT_EQUAL(dma_fake_run(1), 1, "");
	DPX_TEST_ASSERT_EQUAL(poll_rx(&e, done, 8), 0, "half a packet is no packet");
	DPX_TEST_ASSERT_EQUAL(dma_fake_run(1), 1, "");
	DPX_TEST_ASSERT_EQUAL(poll_rx(&e, done, 8), 1, "packet 0 complete");
	DPX_TEST_ASSERT(done[0] == pkts[0], "");
	poison(done, 1);
	dpx_pktmbuf_free(done[0]);
	DPX_TEST_RUN(check_guest_pkt(&e.fe, 1518, 0));
	DPX_TEST_ASSERT_EQUAL(vfe_rx_take(&e.fe, 0, tmp, sizeof(tmp)), 0, "packet 1 not yet");
	for (i = 1; i < 4; i++) {
		DPX_TEST_ASSERT_EQUAL(dma_fake_run(2), 2, "");
		k = poll_rx(&e, done, 8);
		/* the CPU-only packet comes with the last one, not before */
		DPX_TEST_ASSERT_EQUAL(k, i < 3 ? 1 : 2, "after packet %u's jobs", i);
		poison(done, k);
		dpx_pktmbuf_free_bulk(done, k);
	}
	DPX_TEST_ASSERT(used_in_order(&e.fe, 0), "");
	for (i = 1; i < DPX_DIM(lens); i++)
		DPX_TEST_RUN(check_guest_pkt(&e.fe, lens[i], i));
	/* guest to host */
	for (i = 0; i < 3; i++) {
		for (k = 0; k < sizeof(tmp); k++)
			tmp[k] = pattern(20 + i, k);
		DPX_TEST_ASSERT_EQUAL(vfe_tx_post(&e.fe, 1, tmp, sizeof(tmp), 1), 0, "");
	}
	DPX_TEST_ASSERT_EQUAL(
		dpx_vhost_async_try_dequeue_burst(e.vid, 1, e.mp, rx, 4, &inflight, e.dma, 0), 0,
		"");
	DPX_TEST_ASSERT_EQUAL(inflight, 3, "");
	DPX_TEST_ASSERT_EQUAL(vfe_tx_reclaim(&e.fe, 1), 0, "no chain back before it was read");
	DPX_TEST_ASSERT_EQUAL(dma_fake_run(100), 3, "");
	DPX_TEST_ASSERT_EQUAL(
		dpx_vhost_async_try_dequeue_burst(e.vid, 1, e.mp, rx, 4, &inflight, e.dma, 0), 3,
		"");
	DPX_TEST_ASSERT_EQUAL(inflight, 0, "");
	for (i = 0; i < 3; i++)
		DPX_TEST_RUN(check_mbuf(rx[i], sizeof(tmp), 20 + i));
	dpx_pktmbuf_free_bulk(rx, 3);
	DPX_TEST_ASSERT_EQUAL(vfe_tx_reclaim(&e.fe, 1), 3, "");
	dma_fake_hold(false);
	DPX_TEST_RUN(dev_down(&e));
	DPX_TEST_RUN(env_fini(&e));
	return DPX_TEST_SUCCESS;
}

CASE_OF(test_vhost_async_order_split, async_order("async-order", SPLIT))
CASE_OF(test_vhost_async_order_packed, async_order("async-order-p", WANT_ALL))

DPX_TEST_REGISTER(vhost_async_order_split, fast, test_vhost_async_order_split);
DPX_TEST_REGISTER(vhost_async_order_packed, fast, test_vhost_async_order_packed);

/* ---- DMA errors: exactly that packet dropped, the ring consistent ---- */

/*
 * Host to guest with mergeable buffers: the middle packet takes three
 * buffers and its second job fails; the guest (dropping short buffers as
 * Linux does) sees the first and third packets whole and three length
 * errors, never a misparsed header. Guest to host: the middle packet's job
 * fails; the host gets the other two, the guest gets all three chains back.
 */
static int
async_dma_error(const char *name, uint64_t want)
{
	static const uint32_t lens[] = {1518, 2040, 1518};
	struct dpx_mbuf *pkts[3], *done[8], *rx[4];
	struct dpx_vhost_vring_stats vs;
	struct dpx_vhost_async_stats st;
	uint8_t tmp[1000];
	struct env e;
	unsigned int i;
	uint16_t k, got = 0;

	DPX_TEST_RUN(env_init(&e, ENGINE_FAKE));
	DPX_TEST_RUN(dev_up(&e, name, want, false));
	e.fe.q[0].drop_short = true;
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_async_set_copy_threshold(e.vid, 0), 0, "");
	vfe_rx_post(&e.fe, 0, 64, 1);
	for (i = 0; i < 3; i++)
		pkts[i] = chain_make(e.mp, lens[i], 2048, i);
	/* jobs: packet 0 idx 0-1; packet 1 idx 2-3 (1012 and 1024 B; its last
	 * 4 bytes by the CPU); packet 2 idx 4-5 */
	dma_fake_fail(3);
	DPX_TEST_RUN(to_guest(&e, pkts, 3));
	DPX_TEST_RUN(check_guest_pkt(&e.fe, lens[0], 0));
	DPX_TEST_RUN(check_guest_pkt(&e.fe, lens[2], 2));
	DPX_TEST_ASSERT_EQUAL(e.fe.q[0].rx_length_errors, 3, "each of its buffers dropped alone");
	DPX_TEST_ASSERT_EQUAL(vfe_rx_take(&e.fe, 0, tmp, sizeof(tmp)), 0, "nothing else");
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_async_stats_get(e.vid, 0, &st, 0), 0, "");
	DPX_TEST_ASSERT(st.submitted == 3 && st.completed == 3 && st.dma_errors == 1 &&
				st.in_flight == 0,
			"errors %" PRIu64, st.dma_errors);
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_vring_stats_get(e.vid, 0, &vs, 0), 0, "");
	DPX_TEST_ASSERT(vs.packets == 2 && vs.errors == 1, "%" PRIu64 " %" PRIu64, vs.packets,
			vs.errors);
	/* guest to host: one job per packet, idx 6-8 */
	dma_fake_fail(7);
	for (i = 0; i < 3; i++) {
		for (k = 0; k < sizeof(tmp); k++)
			tmp[k] = pattern(30 + i, k);
		DPX_TEST_ASSERT_EQUAL(vfe_tx_post(&e.fe, 1, tmp, sizeof(tmp), 1), 0, "");
	}
	for (unsigned int loops = 0; loops < 100 && got < 2; loops++) {
		got += dpx_vhost_async_try_dequeue_burst(e.vid, 1, e.mp, rx + got, 4, NULL, e.dma,
							 0);
		dma_fake_run(100);
	}
	DPX_TEST_ASSERT_EQUAL(got, 2, "");
	DPX_TEST_RUN(check_mbuf(rx[0], sizeof(tmp), 30));
	DPX_TEST_RUN(check_mbuf(rx[1], sizeof(tmp), 32));
	dpx_pktmbuf_free_bulk(rx, 2);
	DPX_TEST_ASSERT_EQUAL(vfe_tx_reclaim(&e.fe, 1), 3, "every chain back to the guest");
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_async_stats_get(e.vid, 1, &st, 0), 0, "");
	DPX_TEST_ASSERT(st.submitted == 3 && st.completed == 3 && st.dma_errors == 1, "");
	DPX_TEST_ASSERT_EQUAL(poll_rx(&e, done, 8), 0, "");
	DPX_TEST_RUN(dev_down(&e));
	DPX_TEST_RUN(env_fini(&e));
	return DPX_TEST_SUCCESS;
}

CASE_OF(test_vhost_async_dma_error_split, async_dma_error("async-err", SPLIT))
CASE_OF(test_vhost_async_dma_error_packed, async_dma_error("async-err-p", WANT_ALL))

DPX_TEST_REGISTER(vhost_async_dma_error_split, fast, test_vhost_async_dma_error_split);
DPX_TEST_REGISTER(vhost_async_dma_error_packed, fast, test_vhost_async_dma_error_packed);

/* ---- guest memory in the container ---- */

static void
region_span(const struct vhost_mem_region *r, uint64_t *va, uint64_t *len)
{
	*va = r->hva & ~4095ULL;
	*len = ((r->hva + r->size + 4095) & ~4095ULL) - *va;
}

/*
 * The container's kernel holds the EAL's mappings and, for each region of
 * the device when mapped, exactly one more: the region's pages at IOVA =
 * our address of them. Reads the device's table between messages (every
 * request here is answered before the next).
 */
static int
check_mappings(struct env *e, bool mapped, unsigned int nregions)
{
	struct vhost_dev *dev = vhost_dev_get(e->vid);
	uint64_t va, len;
	unsigned int i;

	DPX_TEST_ASSERT_EQUAL(dev->mem->n, nregions, "regions");
	DPX_TEST_ASSERT_EQUAL(e->k->n, e->k0 + (mapped ? nregions : 0), "kernel mappings");
	for (i = 0; mapped && i < dev->mem->n; i++) {
		region_span(&dev->mem->regions[i], &va, &len);
		long m = kmodel_find(e->k, va);

		DPX_TEST_ASSERT(m >= 0, "region %u", i);
		DPX_TEST_ASSERT(e->k->maps[m].iova == va && e->k->maps[m].va == va &&
					e->k->maps[m].len == len,
				"region %u: one mapping, iova 0x%" PRIx64 " len 0x%" PRIx64, i,
				e->k->maps[m].iova, e->k->maps[m].len);
	}
	return DPX_TEST_SUCCESS;
}

static void
fill(struct vfe *fe, uint64_t gpa, uint64_t len, uint8_t v)
{
	memset(vfe_ptr(fe, gpa), v, len);
}

static int
all_is(struct vfe *fe, uint64_t gpa, uint64_t len, uint8_t v)
{
	const uint8_t *p = vfe_ptr(fe, gpa);

	for (uint64_t k = 0; k < len; k++)
		DPX_TEST_ASSERT_EQUAL(p[k], v,
				      "byte 0x%" PRIx64 " of [0x%" PRIx64 ", +0x%" PRIx64 ")", k,
				      gpa, len);
	return DPX_TEST_SUCCESS;
}

/*
 * A copy the IOMMU refuses: region 1 unmapped behind vhost's back, a
 * receive buffer and a transmit packet there. Exactly those packets drop;
 * the failed job wrote nothing (the header is the CPU's).
 */
static int
unmapped_copy(struct env *e)
{
	struct vhost_dev *dev = vhost_dev_get(e->vid);
	struct dpx_mbuf *pkts[3], *rx[4];
	struct dpx_vhost_async_stats st0, st1;
	uint8_t tmp[1000];
	uint64_t va, len;
	uint16_t got = 0;
	unsigned int i;

	region_span(&dev->mem->regions[1], &va, &len);
	DPX_TEST_ASSERT_EQUAL(dpx_vfio_container_dma_unmap(e->c, va, va, len), 0, "");
	fill(&e->fe, R0, R1, 0x5a);
	vfe_rx_post(&e->fe, 0, 1, 1);
	DPX_TEST_ASSERT_EQUAL(vfe_rx_post_at(&e->fe, 0, R0 + 4096, RX_BUF), 0, "");
	vfe_rx_post(&e->fe, 0, 1, 1);
	for (i = 0; i < 3; i++)
		pkts[i] = chain_make(e->mp, 1000, 2048, 40 + i);
	DPX_TEST_RUN(to_guest(e, pkts, 3));
	DPX_TEST_RUN(check_guest_pkt(&e->fe, 1000, 40));
	DPX_TEST_RUN(check_guest_pkt(&e->fe, 1000, 42));
	DPX_TEST_ASSERT_EQUAL(e->fe.q[0].rx_length_errors, 1, "");
	DPX_TEST_RUN(all_is(&e->fe, R0 + 4096 + 12, R1 - 4096 - 12, 0x5a));
	for (i = 0; i < 3; i++) {
		for (uint32_t k = 0; k < sizeof(tmp); k++)
			tmp[k] = pattern(50 + i, k);
		DPX_TEST_ASSERT_EQUAL(
			i == 1 ? vfe_tx_post_at(&e->fe, 1, R0 + 65536, tmp, sizeof(tmp))
			       : vfe_tx_post(&e->fe, 1, tmp, sizeof(tmp), 1),
			0, "");
	}
	for (unsigned int loops = 0; loops < WAIT_LOOPS && got < 2; loops++)
		got += dpx_vhost_async_try_dequeue_burst(e->vid, 1, e->mp, rx + got, 4, NULL,
							 e->dma, 0);
	DPX_TEST_ASSERT_EQUAL(got, 2, "");
	DPX_TEST_RUN(check_mbuf(rx[0], sizeof(tmp), 50));
	DPX_TEST_RUN(check_mbuf(rx[1], sizeof(tmp), 52));
	dpx_pktmbuf_free_bulk(rx, 2);
	for (unsigned int loops = 0; loops < WAIT_LOOPS && got < 5; loops++)
		got += vfe_tx_reclaim(&e->fe, 1);
	DPX_TEST_ASSERT_EQUAL(got, 5, "every chain back");
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_async_stats_get(e->vid, 0, &st0, 0), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_async_stats_get(e->vid, 1, &st1, 0), 0, "");
	DPX_TEST_ASSERT(st0.dma_errors == 1 && st1.dma_errors == 1, "");
	DPX_TEST_ASSERT_EQUAL(dpx_vfio_container_dma_map(e->c, va, va, len), 0, "");
	return DPX_TEST_SUCCESS;
}

/*
 * Copies in flight into region 1 when REM_MEM_REG removes it: they land and
 * are published before the reply, and nothing lands there after it (a
 * guard pattern written after the reply survives later traffic).
 */
static int
rem_under_traffic(struct env *e)
{
	struct dpx_mbuf *pkts[32];
	unsigned int i;

	for (i = 0; i < 32; i++)
		DPX_TEST_ASSERT_EQUAL(vfe_rx_post_at(&e->fe, 0, R0 + i * 8192ULL, RX_BUF), 0, "");
	for (i = 0; i < 32; i++)
		pkts[i] = chain_make(e->mp, 1000, 2048, 60 + i);
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_submit_enqueue_burst(e->vid, 0, pkts, 32, e->dma, 0), 32,
			      "");
	DPX_TEST_ASSERT_EQUAL(vfe_rem_region(&e->fe, 1), 0, "");
	DPX_TEST_RUN(check_mappings(e, true, 2));
	/* published by the drain: the guest has them before anyone polled */
	for (i = 0; i < 32; i++)
		DPX_TEST_RUN(check_guest_pkt(&e->fe, 1000, 60 + i));
	fill(&e->fe, R0, R1, 0xa5);
	struct dpx_mbuf *done[32];
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_poll_enqueue_completed(e->vid, 0, done, 32, e->dma, 0), 32,
			      "");
	dpx_pktmbuf_free_bulk(done, 32);
	vfe_rx_post(&e->fe, 0, 64, 1);
	for (i = 0; i < 32; i++)
		pkts[i] = chain_make(e->mp, 1000, 2048, 100 + i);
	DPX_TEST_RUN(to_guest(e, pkts, 32));
	for (i = 0; i < 32; i++)
		DPX_TEST_RUN(check_guest_pkt(&e->fe, 1000, 100 + i));
	DPX_TEST_RUN(all_is(&e->fe, R0, R1, 0xa5));
	return DPX_TEST_SUCCESS;
}

static int
test_vhost_async_regions(void)
{
	struct env e;
	unsigned int i;

	DPX_TEST_RUN(env_init(&e, ENGINE_SW));
	DPX_TEST_RUN(dev_connect(&e, "async-regions", SPLIT, false, 3));
	e.fe.q[0].drop_short = true;
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_async_set_copy_threshold(e.vid, 0), 0, "");
	DPX_TEST_RUN(check_mappings(&e, false, 3));
	/* regions there before the first async vring are mapped when it registers */
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_async_channel_register(e.vid, 0), 0, "");
	DPX_TEST_RUN(check_mappings(&e, true, 3));
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_async_channel_register(e.vid, 1), 0, "");
	DPX_TEST_RUN(check_mappings(&e, true, 3));
	/* each region goes and comes on its own, its neighbours stay */
	DPX_TEST_ASSERT_EQUAL(vfe_rem_region(&e.fe, 1), 0, "");
	DPX_TEST_RUN(check_mappings(&e, true, 2));
	DPX_TEST_ASSERT_EQUAL(vfe_add_region(&e.fe, 1), 0, "");
	DPX_TEST_RUN(check_mappings(&e, true, 3));
	/* a new table: the old regions unmapped, the new ones mapped */
	DPX_TEST_ASSERT_EQUAL(vfe_set_mem_table(&e.fe), 0, "");
	DPX_TEST_RUN(check_mappings(&e, true, 3));
	for (i = 0; i < 1000; i++) {
		DPX_TEST_ASSERT_EQUAL(vfe_rem_region(&e.fe, 2), 0, "cycle %u", i);
		DPX_TEST_ASSERT_EQUAL(e.k->n, e.k0 + 2, "cycle %u", i);
		DPX_TEST_ASSERT_EQUAL(vfe_add_region(&e.fe, 2), 0, "cycle %u", i);
		DPX_TEST_ASSERT_EQUAL(e.k->n, e.k0 + 3, "cycle %u", i);
	}
	DPX_TEST_RUN(check_mappings(&e, true, 3));
	DPX_TEST_RUN(unmapped_copy(&e));
	DPX_TEST_RUN(check_mappings(&e, true, 3));
	DPX_TEST_RUN(rem_under_traffic(&e));
	/* a map the kernel refuses: the error reply (and, as after any failed
	 * message, the connection closes), nothing left mapped */
	DPX_TEST_ASSERT_EQUAL(vfe_rem_region(&e.fe, 2), 0, "");
	DPX_TEST_RUN(check_mappings(&e, true, 1));
	vfe_log_capture();
	kfake.fail_map_in = 1;
	DPX_TEST_ASSERT_EQUAL(vfe_add_region(&e.fe, 2), -EIO, "nack");
	DPX_TEST_ASSERT(vfe_log_has("DMA map of the region failed"), "");
	vfe_log_release();
	/* the front-end goes with the vrings still async: everything unmapped */
	DPX_TEST_RUN(vfe_session_close(&e.fe, e.path));
	DPX_TEST_ASSERT_EQUAL(e.k->n, e.k0, "disconnect unmaps");
	DPX_TEST_RUN(env_fini(&e));
	return DPX_TEST_SUCCESS;
}

DPX_TEST_REGISTER(vhost_async_regions, fast, test_vhost_async_regions);

/* ---- draining: a ring stops, a vring unregisters, copies in flight ---- */

static int
get_vring_base(struct vfe *fe, uint32_t vring, uint64_t *base)
{
	struct vhost_user_vring_state st = {vring, 0};

	return vfe_request(fe, VHOST_USER_GET_VRING_BASE, &st, sizeof(st), NULL, 0, base);
}

/*
 * Copies in flight when a vring unregisters: they complete and are
 * published, and the unregister waits for the mbufs to be collected
 * (-EBUSY until dpx_vhost_clear_queue() returned them). Copies in flight
 * when GET_VRING_BASE stops a ring: published before the reply, so the
 * base counts only buffers the guest has back; the stopped ring's mbufs
 * come back through clear_queue.
 */
static int
async_drain(const char *name, uint64_t want)
{
	struct dpx_mbuf *pkts[4], *done[8];
	uint8_t tmp[1000];
	struct env e;
	uint64_t base = 0;
	unsigned int i;
	uint32_t k;
	int inflight;

	DPX_TEST_RUN(env_init(&e, ENGINE_FAKE));
	DPX_TEST_RUN(dev_up(&e, name, want, false));
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_async_set_copy_threshold(e.vid, 0), 0, "");
	dma_fake_hold(true);
	for (i = 0; i < 2; i++) {
		for (k = 0; k < sizeof(tmp); k++)
			tmp[k] = pattern(70 + i, k);
		DPX_TEST_ASSERT_EQUAL(vfe_tx_post(&e.fe, 1, tmp, sizeof(tmp), 2), 0, "");
	}
	DPX_TEST_ASSERT_EQUAL(
		dpx_vhost_async_try_dequeue_burst(e.vid, 1, e.mp, done, 8, &inflight, e.dma, 0), 0,
		"");
	DPX_TEST_ASSERT_EQUAL(inflight, 2, "");
	/* released: the vhost thread's collection runs them */
	dma_fake_hold(false);
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_async_channel_unregister(e.vid, 1), -EBUSY,
			      "mbufs not collected");
	DPX_TEST_ASSERT_EQUAL(dma_fake_pending(), 0, "the unregister completed them");
	DPX_TEST_ASSERT_EQUAL(vfe_tx_reclaim(&e.fe, 1), 2, "and published them");
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_clear_queue(e.vid, 1, done, 8, e.dma, 0), 2, "");
	for (i = 0; i < 2; i++)
		DPX_TEST_RUN(check_mbuf(done[i], sizeof(tmp), 70 + i));
	dpx_pktmbuf_free_bulk(done, 2);
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_async_channel_unregister(e.vid, 1), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_async_get_inflight(e.vid, 1), -EINVAL, "not async now");
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_async_channel_register(e.vid, 1), 0, "");
	/* GET_VRING_BASE with four packets' copies waiting */
	dma_fake_hold(true);
	vfe_rx_post(&e.fe, 0, 8, 1);
	for (i = 0; i < 4; i++)
		pkts[i] = chain_make(e.mp, 1000, 2048, 80 + i);
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_submit_enqueue_burst(e.vid, 0, pkts, 4, e.dma, 0), 4, "");
	DPX_TEST_ASSERT_EQUAL(dma_fake_pending(), 4, "");
	dma_fake_hold(false);
	DPX_TEST_ASSERT_EQUAL(get_vring_base(&e.fe, 0, &base), 0, "");
	DPX_TEST_ASSERT_EQUAL((base >> 32) & 0x7fff, 4, "four buffers used"); /* {index, num} */
	DPX_TEST_ASSERT(vfe_wait_count(&vfe_ev.destroy_calls, 1), "ring 0 stopped");
	for (i = 0; i < 4; i++)
		DPX_TEST_RUN(check_guest_pkt(&e.fe, 1000, 80 + i));
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_submit_enqueue_burst(e.vid, 0, pkts, 4, e.dma, 0), 0,
			      "stopped");
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_async_get_inflight(e.vid, 0), 4, "not collected yet");
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_clear_queue(e.vid, 0, done, 8, e.dma, 0), 4, "");
	for (i = 0; i < 4; i++)
		DPX_TEST_ASSERT(done[i] == pkts[i], "in order");
	dpx_pktmbuf_free_bulk(done, 4);
	DPX_TEST_RUN(dev_down(&e));
	DPX_TEST_RUN(env_fini(&e));
	return DPX_TEST_SUCCESS;
}

CASE_OF(test_vhost_async_drain_split, async_drain("async-drain", SPLIT))
CASE_OF(test_vhost_async_drain_packed, async_drain("async-drain-p", WANT_ALL))

DPX_TEST_REGISTER(vhost_async_drain_split, fast, test_vhost_async_drain_split);
DPX_TEST_REGISTER(vhost_async_drain_packed, fast, test_vhost_async_drain_packed);

/* REM_MEM_REG with the engine hung: refused after the deadline, the device
 * broken. @return DPX_TEST_*. */
static int
rem_region_hung(struct env *e)
{
	DPX_TEST_ASSERT_EQUAL(vfe_rem_region(&e->fe, 0), -EIO, "refused after the deadline");
	DPX_TEST_ASSERT_EQUAL(vfe_wait_closed(&e->fe, 5000), 0, "the device is broken");
	return DPX_TEST_SUCCESS;
}

/* After rem_region_hung: the n packets were never returned; the engine wakes
 * up (its copies land in memory still mapped) and the application, which
 * knows its engine is done, frees them; the case ends. @return DPX_TEST_*. */
static int
hung_end(struct env *e, struct dpx_mbuf **pkts, unsigned int n)
{
	DPX_TEST_ASSERT(vfe_wait_count(&vfe_ev.destroy_calls, 1), "");
	DPX_TEST_ASSERT_EQUAL(dpx_mempool_in_use_count(e->mp), n, "never returned");
	dma_fake_hold(false);
	DPX_TEST_ASSERT_EQUAL(dma_fake_run(100), n, "");
	dpx_pktmbuf_free_bulk(pkts, n);
	DPX_TEST_RUN(vfe_session_close(&e->fe, e->path));
	return env_fini(e);
}

/*
 * An engine that never completes: REM_MEM_REG waits its bounded time, then
 * the device is broken (error reply, connection closed, one log line); its
 * packets are never returned, and with no IOMMU in front of the engine the
 * guest memory stays mapped in this process, so the late copies that run
 * once the engine is released land there harmlessly.
 */
static int
test_vhost_async_drain_timeout(void)
{
	struct dpx_mbuf *pkts[4];
	struct env e;
	unsigned int i;

	DPX_TEST_RUN(env_init(&e, ENGINE_FAKE));
	DPX_TEST_RUN(dev_up(&e, "async-hung", SPLIT, false));
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_async_set_copy_threshold(e.vid, 0), 0, "");
	dma_fake_hold(true);
	vfe_rx_post(&e.fe, 0, 8, 1);
	for (i = 0; i < 4; i++)
		pkts[i] = chain_make(e.mp, 1000, 2048, 90 + i);
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_submit_enqueue_burst(e.vid, 0, pkts, 4, e.dma, 0), 4, "");
	vfe_log_capture();
	DPX_TEST_RUN(rem_region_hung(&e));
	DPX_TEST_ASSERT(vfe_log_has("DMA copies not complete after 1000 ms: 4 packets abandoned"),
			"");
	DPX_TEST_ASSERT(vfe_log_has("stays mapped in this process"), "");
	vfe_log_release();
	return hung_end(&e, pkts, 4);
}

DPX_TEST_REGISTER(vhost_async_drain_timeout, fast, test_vhost_async_drain_timeout);

/* A clock that advances 100 ms per read: a drain's wait is counted in reads. */
static uint64_t virtual_ms;

static uint64_t
virtual_clock(void)
{
	return __atomic_add_fetch(&virtual_ms, 100, __ATOMIC_RELAXED);
}

/*
 * Two queue pairs, the engine hung under both receive vrings: REM_MEM_REG
 * waits one deadline for the device, not one per vring (the vhost thread,
 * and every other device's messages, wait behind it). The drain's clock
 * advances per read, so the wait is a count: one deadline and a few ticks
 * (the disconnect's drain reads it once more), where one per vring would be
 * two deadlines or more. Both vrings' packets are abandoned, each line logged once.
 */
static int
test_vhost_async_drain_timeout_mq(void)
{
	struct dpx_mbuf *pkts[7];
	struct env e;
	unsigned int i;
	uint64_t waited;
	int rc;

	DPX_TEST_RUN(env_init(&e, ENGINE_FAKE));
	DPX_TEST_RUN(dev_up(&e, "async-hung-mq", SPLIT, false));
	DPX_TEST_ASSERT_EQUAL(vfe_queue_setup(&e.fe, 2, 256, RX_BUF, false), 0, "");
	DPX_TEST_ASSERT_EQUAL(vfe_queue_setup(&e.fe, 3, 256, TX_BUF, false), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_async_channel_register(e.vid, 2), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_async_set_copy_threshold(e.vid, 0), 0, "");
	dma_fake_hold(true);
	vfe_rx_post(&e.fe, 0, 8, 1);
	vfe_rx_post(&e.fe, 2, 8, 1);
	for (i = 0; i < 7; i++)
		pkts[i] = chain_make(e.mp, 1000, 2048, 100 + i);
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_submit_enqueue_burst(e.vid, 0, pkts, 4, e.dma, 0), 4, "");
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_submit_enqueue_burst(e.vid, 2, pkts + 4, 3, e.dma, 0), 3,
			      "");
	vfe_log_capture();
	virtual_ms = 0;
	vhost_async_clock_ms = virtual_clock;
	DPX_TEST_RUN(rem_region_hung(&e));
	waited = __atomic_load_n(&virtual_ms, __ATOMIC_RELAXED);
	DPX_TEST_ASSERT(waited < 2 * VHOST_ASYNC_DRAIN_MS,
			"one deadline for the device: the drain read %" PRIu64 " ms of its clock",
			waited);
	DPX_TEST_ASSERT_EQUAL(vfe_log_count("packets abandoned"), 2, "one line per vring");
	DPX_TEST_ASSERT(vfe_log_has("vring 0: DMA copies not complete after 1000 ms: 4 packets "
				    "abandoned"),
			"");
	DPX_TEST_ASSERT(vfe_log_has("vring 2: DMA copies not complete after 1000 ms: 3 packets "
				    "abandoned"),
			"");
	vfe_log_release();
	rc = hung_end(&e, pkts, 7);
	/* the device and its path are gone: no vhost thread reads the clock now */
	vhost_async_clock_ms = vhost_now_ms;
	return rc;
}

DPX_TEST_REGISTER(vhost_async_drain_timeout_mq, fast, test_vhost_async_drain_timeout_mq);

/* Submit one packet on vring 2 and collect it (the engine runs): the
 * copies it cost, CPU and DMA. @return DPX_TEST_*. */
static int
vring2_once(struct env *e, struct dpx_mbuf *m, uint64_t *cpu, uint64_t *dma)
{
	struct dpx_vhost_async_stats a, b;
	struct dpx_mbuf *done[4];
	unsigned int loops;
	uint16_t back = 0;

	DPX_TEST_ASSERT_EQUAL(dpx_vhost_async_stats_get(e->vid, 2, &a, 0), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_submit_enqueue_burst(e->vid, 2, &m, 1, e->dma, 0), 1, "");
	for (loops = 0; back == 0 && loops < WAIT_LOOPS; loops++) {
		dma_fake_run(1000);
		back = dpx_vhost_poll_enqueue_completed(e->vid, 2, done, 4, e->dma, 0);
	}
	DPX_TEST_ASSERT_EQUAL(back, 1, "");
	dpx_pktmbuf_free_bulk(done, back);
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_async_stats_get(e->vid, 2, &b, 0), 0, "");
	*cpu = b.cpu_copies - a.cpu_copies;
	*dma = b.dma_copies - a.dma_copies;
	return DPX_TEST_SUCCESS;
}

/*
 * A packet of more copies than the batch (40000 bytes into 128-byte
 * buffers: some 330) has its first 256 run by the CPU before its commit;
 * when the rest then finds no DMA room it goes back to the guest's ring,
 * and its copies are counted once, when it goes through: as many as the
 * same packet costs with the engine idle, and none in the refused burst.
 */
static int
test_vhost_async_rollback_counts(void)
{
	struct dpx_vhost_async_stats st0, st1;
	struct dpx_mbuf *small, *big[2];
	uint64_t cpu0, dma0, cpu1, dma1;
	struct env e;
	unsigned int i;

	fake_ring = 64;
	DPX_TEST_RUN(env_init(&e, ENGINE_FAKE));
	fake_ring = 1024;
	DPX_TEST_RUN(dev_up(&e, "async-rollback", SPLIT, false));
	DPX_TEST_ASSERT_EQUAL(vfe_queue_setup(&e.fe, 2, 1024, 128, false), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_async_channel_register(e.vid, 2), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_async_set_copy_threshold(e.vid, 0), 0, "");
	vfe_rx_post(&e.fe, 2, 1000, 1);
	for (i = 0; i < 2; i++)
		big[i] = chain_make(e.mp, 40000, 2048, 160 + i);
	/* the engine idle: what the packet costs */
	DPX_TEST_RUN(vring2_once(&e, big[0], &cpu0, &dma0));
	DPX_TEST_ASSERT(cpu0 + dma0 > VHOST_COPY_BATCH, "%" PRIu64 " copies", cpu0 + dma0);
	/* 8 jobs on the engine, held: the big packet's rest finds no room */
	dma_fake_hold(true);
	small = chain_make(e.mp, 1000, 2048, 170);
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_submit_enqueue_burst(e.vid, 2, &small, 1, e.dma, 0), 1, "");
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_async_stats_get(e.vid, 2, &st0, 0), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_submit_enqueue_burst(e.vid, 2, &big[1], 1, e.dma, 0), 0,
			      "no DMA room: it waits");
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_async_stats_get(e.vid, 2, &st1, 0), 0, "");
	DPX_TEST_ASSERT_EQUAL(st1.cpu_copies, st0.cpu_copies, "a refused packet costs nothing");
	DPX_TEST_ASSERT_EQUAL(st1.dma_copies, st0.dma_copies, "");
	dma_fake_hold(false);
	DPX_TEST_ASSERT_EQUAL(dma_fake_run(1000), 8, "the small packet's jobs");
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_poll_enqueue_completed(e.vid, 2, &small, 1, e.dma, 0), 1,
			      "");
	dpx_pktmbuf_free(small);
	DPX_TEST_RUN(vring2_once(&e, big[1], &cpu1, &dma1));
	DPX_TEST_ASSERT_EQUAL(cpu1, cpu0, "counted once, what it cost");
	DPX_TEST_ASSERT_EQUAL(dma1, dma0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_async_channel_unregister(e.vid, 2), 0, "");
	DPX_TEST_RUN(dev_down(&e));
	DPX_TEST_RUN(env_fini(&e));
	return DPX_TEST_SUCCESS;
}

DPX_TEST_REGISTER(vhost_async_rollback_counts, fast, test_vhost_async_rollback_counts);

/* ---- dirty log (live migration) under async ---- */

static int
log_bit(const uint8_t *log, uint64_t gpa)
{
	return (log[gpa / 4096 / 8] >> ((gpa / 4096) % 8)) & 1;
}

static uint64_t
log_pages(const uint8_t *log, uint64_t size)
{
	uint64_t gpa, n = 0;

	for (gpa = 0; gpa < size; gpa += 4096)
		n += log_bit(log, gpa);
	return n;
}

/*
 * Every page a packet's copies wrote is marked, and only once they have
 * completed: nothing is marked while the engine holds the jobs, all of it
 * (and the used ring's page) once the completion is published. Then the
 * log is switched off with copies in flight: they complete and are marked
 * before SET_FEATURES is answered.
 */
static int
async_dirty_log(const char *name, uint64_t want)
{
	struct vhost_user_log l = {VFE_SESSION_MEM_SIZE / 4096 / 8, 0};
	struct dpx_mbuf *pkts[2], *done[4];
	struct env e;
	uint8_t *log;
	uint64_t f;
	int lfd;

	DPX_TEST_RUN(env_init(&e, ENGINE_FAKE));
	DPX_TEST_RUN(dev_up(&e, name, want, false));
	DPX_TEST_ASSERT(e.fe.features & F(VHOST_F_LOG_ALL), "");
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_async_set_copy_threshold(e.vid, 0), 0, "");
	lfd = memfd_create("async-log", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	DPX_TEST_ASSERT(lfd >= 0 && ftruncate(lfd, (off_t)l.mmap_size) == 0, "");
	DPX_TEST_ASSERT_EQUAL(fcntl(lfd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW), 0, "");
	log = mmap(NULL, l.mmap_size, PROT_READ | PROT_WRITE, MAP_SHARED, lfd, 0);
	DPX_TEST_ASSERT(log != MAP_FAILED, "");
	DPX_TEST_ASSERT_EQUAL(
		vfe_request(&e.fe, VHOST_USER_SET_LOG_BASE, &l, sizeof(l), &lfd, 1, NULL), 0, "");
	close(lfd);
	struct vhost_user_vring_addr a = {0,
					  VHOST_VRING_F_LOG,
					  (uint64_t)(uintptr_t)vfe_ptr(&e.fe, e.fe.q[0].desc_gpa),
					  (uint64_t)(uintptr_t)vfe_ptr(&e.fe, e.fe.q[0].used_gpa),
					  (uint64_t)(uintptr_t)vfe_ptr(&e.fe, e.fe.q[0].avail_gpa),
					  e.fe.q[0].packed ? e.fe.q[0].desc_gpa
							   : e.fe.q[0].used_gpa};
	DPX_TEST_ASSERT_EQUAL(
		vfe_request(&e.fe, VHOST_USER_SET_VRING_ADDR, &a, sizeof(a), NULL, 0, NULL), 0, "");
	dma_fake_hold(true);
	vfe_rx_post(&e.fe, 0, 8, 1);
	pkts[0] = chain_make(e.mp, 3000, 2048, 1); /* three buffers, three slot areas */
	pkts[1] = chain_make(e.mp, 100, 2048, 2);
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_submit_enqueue_burst(e.vid, 0, pkts, 2, e.dma, 0), 2, "");
	DPX_TEST_ASSERT_EQUAL(log_pages(log, VFE_SESSION_MEM_SIZE), 0,
			      "nothing marked before the copies ran");
	dma_fake_run(100);
	DPX_TEST_ASSERT_EQUAL(log_pages(log, VFE_SESSION_MEM_SIZE), 0,
			      "nor before their completion was collected");
	DPX_TEST_ASSERT_EQUAL(poll_rx(&e, done, 4), 2, "");
	dpx_pktmbuf_free_bulk(done, 2);
	for (unsigned int s = 0; s < 4; s++)
		DPX_TEST_ASSERT(
			log_bit(log, e.fe.q[0].data_gpa + s * VFE_MAX_IND * (uint64_t)RX_BUF),
			"buffer of slot %u", s);
	DPX_TEST_ASSERT(log_bit(log, e.fe.q[0].packed ? e.fe.q[0].desc_gpa : e.fe.q[0].used_gpa),
			"the used entries' page");
	DPX_TEST_RUN(check_guest_pkt(&e.fe, 3000, 1));
	DPX_TEST_RUN(check_guest_pkt(&e.fe, 100, 2));
	/* the log goes off with a packet's copies in flight: they are marked first */
	memset(log, 0, l.mmap_size);
	pkts[0] = chain_make(e.mp, 1000, 2048, 3);
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_submit_enqueue_burst(e.vid, 0, pkts, 1, e.dma, 0), 1, "");
	dma_fake_hold(false);
	f = e.fe.features & ~F(VHOST_F_LOG_ALL);
	DPX_TEST_ASSERT_EQUAL(vfe_request(&e.fe, VHOST_USER_SET_FEATURES, &f, 8, NULL, 0, NULL), 0,
			      "");
	DPX_TEST_ASSERT(log_bit(log, e.fe.q[0].data_gpa + 4 * VFE_MAX_IND * (uint64_t)RX_BUF),
			"marked before the log went off");
	DPX_TEST_RUN(check_guest_pkt(&e.fe, 1000, 3));
	DPX_TEST_ASSERT_EQUAL(poll_rx(&e, done, 4), 1, "");
	dpx_pktmbuf_free_bulk(done, 1);
	munmap(log, l.mmap_size);
	DPX_TEST_RUN(dev_down(&e));
	DPX_TEST_RUN(env_fini(&e));
	return DPX_TEST_SUCCESS;
}

CASE_OF(test_vhost_async_dirty_log_split, async_dirty_log("async-log", SPLIT))
CASE_OF(test_vhost_async_dirty_log_packed, async_dirty_log("async-log-p", WANT_ALL))

DPX_TEST_REGISTER(vhost_async_dirty_log_split, fast, test_vhost_async_dirty_log_split);
DPX_TEST_REGISTER(vhost_async_dirty_log_packed, fast, test_vhost_async_dirty_log_packed);

/* ---- hostile guests with copies in flight ---- */

/*
 * A broken chain behind packets in flight stops the ring; those packets
 * still complete, are published and come back. A guest that scribbles over
 * its descriptor table and avail ring while copies are in flight changes
 * nothing we use: the copies go where the chains said when we read them.
 * REM_MEM_REG of the region the rings live in, copies in flight: they land
 * and are published first, then the ring stops.
 */
static int
test_vhost_async_hostile(void)
{
	struct dpx_mbuf *pkts[4], *done[8];
	struct vring_used *used;
	struct vring_desc *d;
	struct env e;
	unsigned int i;

	DPX_TEST_RUN(env_init(&e, ENGINE_FAKE));
	DPX_TEST_RUN(dev_up(&e, "async-hostile", SPLIT, false));
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_async_set_copy_threshold(e.vid, 0), 0, "");
	used = vfe_ptr(&e.fe, e.fe.q[0].used_gpa);
	/* scribbled while in flight */
	dma_fake_hold(true);
	vfe_rx_post(&e.fe, 0, 4, 1);
	for (i = 0; i < 4; i++)
		pkts[i] = chain_make(e.mp, 1000, 2048, 110 + i);
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_submit_enqueue_burst(e.vid, 0, pkts, 4, e.dma, 0), 4, "");
	d = vfe_split_desc(&e.fe, 0);
	struct vring_desc saved[4];
	memcpy(saved, d, sizeof(saved));
	memset(d, 0xff, 16 * 4);
	dma_fake_run(100);
	DPX_TEST_ASSERT_EQUAL(poll_rx(&e, done, 8), 4, "");
	dpx_pktmbuf_free_bulk(done, 4);
	DPX_TEST_ASSERT_EQUAL(used->idx, 4, "");
	for (i = 0; i < 4; i++)
		DPX_TEST_ASSERT_EQUAL(used->ring[i].id, i, "the chains we read");
	memcpy(d, saved, sizeof(saved));
	for (i = 0; i < 4; i++)
		DPX_TEST_RUN(check_guest_pkt(&e.fe, 1000, 110 + i));
	/* a broken chain behind two packets in flight */
	vfe_rx_post(&e.fe, 0, 2, 1);
	for (i = 0; i < 3; i++)
		pkts[i] = chain_make(e.mp, 1000, 2048, 120 + i);
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_submit_enqueue_burst(e.vid, 0, pkts, 2, e.dma, 0), 2, "");
	d[100] = (struct vring_desc){e.fe.q[0].data_gpa, 64, VRING_DESC_F_WRITE | VRING_DESC_F_NEXT,
				     999};
	vfe_split_publish(&e.fe, 0, 100);
	vfe_log_capture();
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_submit_enqueue_burst(e.vid, 0, pkts + 2, 1, e.dma, 0), 0,
			      "");
	DPX_TEST_ASSERT(vfe_log_has("guest ring broken: next index past the table"), "");
	vfe_log_release();
	dpx_pktmbuf_free(pkts[2]);
	dma_fake_run(100);
	DPX_TEST_ASSERT_EQUAL(poll_rx(&e, done, 8), 2, "the ring is broken, its packets done");
	dpx_pktmbuf_free_bulk(done, 2);
	DPX_TEST_RUN(check_guest_pkt(&e.fe, 1000, 120));
	DPX_TEST_RUN(check_guest_pkt(&e.fe, 1000, 121));
	DPX_TEST_RUN(dev_down(&e));
	/* REM_MEM_REG of the rings' region with copies in flight */
	DPX_TEST_RUN(dev_up(&e, "async-hostile-rem", SPLIT, false));
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_async_set_copy_threshold(e.vid, 0), 0, "");
	dma_fake_hold(true);
	vfe_rx_post(&e.fe, 0, 4, 1);
	for (i = 0; i < 4; i++)
		pkts[i] = chain_make(e.mp, 1000, 2048, 130 + i);
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_submit_enqueue_burst(e.vid, 0, pkts, 4, e.dma, 0), 4, "");
	dma_fake_hold(false);
	DPX_TEST_ASSERT_EQUAL(vfe_rem_region(&e.fe, 0), 0, "");
	DPX_TEST_ASSERT(vfe_wait_count(&vfe_ev.destroy_calls, 1), "the rings are gone");
	for (i = 0; i < 4; i++)
		DPX_TEST_RUN(check_guest_pkt(&e.fe, 1000, 130 + i));
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_clear_queue(e.vid, 0, done, 8, e.dma, 0), 4, "");
	dpx_pktmbuf_free_bulk(done, 4);
	DPX_TEST_RUN(dev_down(&e));
	DPX_TEST_RUN(env_fini(&e));
	return DPX_TEST_SUCCESS;
}

DPX_TEST_REGISTER(vhost_async_hostile, fast, test_vhost_async_hostile);

/* ---- the API's errors ---- */

static int
test_vhost_async_api(void)
{
	struct dpx_mbuf *pkts[2], *done[4];
	struct dpx_vhost_async_stats st;
	static uint8_t tmp[100];
	struct env e;
	char line[64];
	unsigned int i;
	int inflight;

	DPX_TEST_RUN(env_init(&e, ENGINE_FAKE));
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_async_dma_configure(-1, 0), -ENODEV, "");
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_async_dma_configure(63, 0), -ENODEV, "no such device");
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_async_dma_configure(e.dma, 1), -EINVAL, "one vchan");
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_async_dma_configure(e.dma, 0), 0, "again: nothing to do");
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_async_dma_unconfigure(e.dma, 3), -EINVAL, "");
	DPX_TEST_RUN(dev_connect(&e, "async-api", SPLIT, false, 1));
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_async_channel_register(e.vid + 1, 0), -ENODEV, "");
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_async_channel_register(e.vid, DPX_VHOST_MAX_VRINGS),
			      -EINVAL, "");
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_async_channel_register(e.vid, 2), -EINVAL, "not set up");
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_async_channel_unregister(e.vid, 0), -EINVAL, "not async");
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_async_get_inflight(e.vid, 0), -EINVAL, "");
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_async_get_inflight(e.vid + 1, 0), -ENODEV, "");
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_async_stats_get(e.vid, 0, &st, 0), -EINVAL, "");
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_async_set_copy_threshold(e.vid + 1, 0), -ENODEV, "");
	pkts[0] = chain_make(e.mp, 100, 2048, 1);
	pkts[1] = chain_make(e.mp, 100, 2048, 2);
	vfe_rx_post(&e.fe, 0, 8, 1);
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_submit_enqueue_burst(e.vid, 0, pkts, 2, e.dma, 0), 0,
			      "a sync vring takes no async burst");
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_async_channel_register(e.vid, 0), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_async_channel_register(e.vid, 0), -EEXIST, "");
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_enqueue_burst(e.vid, 0, pkts, 2), 0,
			      "an async vring takes no sync burst");
	/* each unconfigured vchan is logged once, at its first burst */
	vfe_log_capture();
	for (i = 0; i < 2; i++) {
		DPX_TEST_ASSERT_EQUAL(
			dpx_vhost_submit_enqueue_burst(e.vid, 0, pkts, 2, e.dma + 1, 0), 0,
			"a vchan not configured");
		DPX_TEST_ASSERT_EQUAL(
			dpx_vhost_submit_enqueue_burst(e.vid, 0, pkts, 2, e.dma + 1, 1), 0, "");
		DPX_TEST_ASSERT_EQUAL(dpx_vhost_submit_enqueue_burst(e.vid, 0, pkts, 2, e.dma, 3),
				      0, "");
		DPX_TEST_ASSERT_EQUAL(dpx_vhost_submit_enqueue_burst(e.vid, 0, pkts, 2, -1, 0), 0,
				      "");
	}
	snprintf(line, sizeof(line), "DMA %d vchan 0, which", e.dma + 1);
	DPX_TEST_ASSERT_EQUAL(vfe_log_count(line), 1, "%s", line);
	snprintf(line, sizeof(line), "DMA %d vchan 1, which", e.dma + 1);
	DPX_TEST_ASSERT_EQUAL(vfe_log_count(line), 1, "%s", line);
	snprintf(line, sizeof(line), "DMA %d vchan 3, which", e.dma);
	DPX_TEST_ASSERT_EQUAL(vfe_log_count(line), 1, "%s", line);
	DPX_TEST_ASSERT_EQUAL(vfe_log_count("DMA -1 vchan 0, which"), 1, "");
	vfe_log_release();
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_poll_enqueue_completed(e.vid, 1, done, 4, e.dma, 0), 0,
			      "odd vring");
	/* no pool: 0, one line, the guest's chain left for a call with one */
	memset(tmp, 0x5a, 100);
	DPX_TEST_ASSERT_EQUAL(vfe_tx_post(&e.fe, 1, tmp, 100, 1), 0, "");
	vfe_log_capture();
	for (i = 0; i < 2; i++) {
		DPX_TEST_ASSERT_EQUAL(dpx_vhost_dequeue_burst(e.vid, 1, NULL, done, 4), 0, "");
		DPX_TEST_ASSERT_EQUAL(dpx_vhost_dequeue_burst_page_pool(e.vid, 1, NULL, done, 4), 0,
				      "");
	}
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_async_channel_register(e.vid, 1), 0, "");
	DPX_TEST_ASSERT_EQUAL(
		dpx_vhost_async_try_dequeue_burst(e.vid, 1, NULL, done, 4, &inflight, e.dma, 0), 0,
		"");
	DPX_TEST_ASSERT_EQUAL(inflight, 0, "nothing taken");
	DPX_TEST_ASSERT_EQUAL(vfe_log_count("dequeue burst without a mempool"), 1, "");
	vfe_log_release();
	DPX_TEST_ASSERT_EQUAL(
		dpx_vhost_async_try_dequeue_burst(e.vid, 1, e.mp, done, 4, &inflight, e.dma, 0), 1,
		"the chain, taken with a pool");
	DPX_TEST_ASSERT_EQUAL(done[0]->pkt_len, 100, "");
	dpx_pktmbuf_free(done[0]);
	DPX_TEST_ASSERT_EQUAL(vfe_tx_reclaim(&e.fe, 1), 1, "");
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_async_channel_unregister(e.vid, 1), 0, "");
	dma_fake_hold(true);
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_async_set_copy_threshold(e.vid, 0), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_submit_enqueue_burst(e.vid, 0, pkts, 2, e.dma, 0), 2, "");
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_async_dma_unconfigure(e.dma, 0), -EBUSY, "jobs in flight");
	dma_fake_run(100);
	DPX_TEST_ASSERT_EQUAL(poll_rx(&e, done, 4), 2, "");
	dpx_pktmbuf_free_bulk(done, 2);
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_async_stats_get(e.vid, 0, &st, 1), 0, "");
	DPX_TEST_ASSERT(st.submitted == 2 && st.completed == 2 && st.dma_copies == 2 &&
				st.cpu_copies == 2,
			"");
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_async_stats_get(e.vid, 0, &st, 0), 0, "");
	DPX_TEST_ASSERT(st.submitted == 0 && st.completed == 0 && st.dma_copies == 0 &&
				st.in_flight == 0,
			"after the reset");
	dma_fake_hold(false);
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_async_channel_unregister(e.vid, 0), 0, "");
	DPX_TEST_RUN(vfe_session_close(&e.fe, e.path));
	DPX_TEST_RUN(env_fini(&e));
	return DPX_TEST_SUCCESS;
}

DPX_TEST_REGISTER(vhost_async_api, fast, test_vhost_async_api);

/*
 * A vchan of 16 slots: a 64 KiB packet's copies (some 70 jobs each way)
 * could never all be on it at once; the packet is copied by the CPU instead
 * of waiting for ever, and the ones around it still go to the engine.
 */
static int
test_vhost_async_small_ring(void)
{
	static uint8_t tmp[MAX_PKT];
	struct dpx_mbuf *pkts[3], *rx[3];
	struct dpx_vhost_async_stats st;
	static const uint32_t lens[3] = {1000, MAX_PKT, 1000};
	struct env e;
	unsigned int i;

	fake_ring = 16;
	DPX_TEST_RUN(env_init(&e, ENGINE_FAKE));
	fake_ring = 1024;
	DPX_TEST_RUN(dev_up(&e, "async-small", SPLIT, false));
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_async_set_copy_threshold(e.vid, 0), 0, "");
	vfe_rx_post(&e.fe, 0, 100, 1);
	for (i = 0; i < 3; i++)
		pkts[i] = chain_make(e.mp, lens[i], 2048, 140 + i);
	DPX_TEST_RUN(to_guest(&e, pkts, 3));
	for (i = 0; i < 3; i++)
		DPX_TEST_RUN(check_guest_pkt(&e.fe, lens[i], 140 + i));
	for (i = 0; i < 3; i++) {
		for (uint32_t k = 0; k < lens[i]; k++)
			tmp[k] = pattern(150 + i, k);
		DPX_TEST_ASSERT_EQUAL(vfe_tx_post(&e.fe, 1, tmp, lens[i], 8), 0, "");
	}
	DPX_TEST_RUN(from_guest(&e, rx, 3));
	for (i = 0; i < 3; i++)
		DPX_TEST_RUN(check_mbuf(rx[i], lens[i], 150 + i));
	dpx_pktmbuf_free_bulk(rx, 3);
	DPX_TEST_ASSERT_EQUAL(vfe_tx_reclaim(&e.fe, 1), 3, "");
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_async_stats_get(e.vid, 0, &st, 0), 0, "");
	DPX_TEST_ASSERT(st.dma_copies == 2 && st.completed == 3,
			"the 1000-byte packets on the engine: %" PRIu64, st.dma_copies);
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_async_stats_get(e.vid, 1, &st, 0), 0, "");
	DPX_TEST_ASSERT(st.dma_copies >= 2 && st.completed == 3, "%" PRIu64, st.dma_copies);
	DPX_TEST_RUN(dev_down(&e));
	DPX_TEST_RUN(env_fini(&e));
	return DPX_TEST_SUCCESS;
}

DPX_TEST_REGISTER(vhost_async_small_ring, fast, test_vhost_async_small_ring);

/*
 * Queues of one port get a device's vchans in turn (net_vhost) and may be
 * polled by different lcores: each vchan's state (its lock, written every
 * burst) is on a cache line of its own, so they never take a line from
 * each other.
 */
static int
test_vhost_async_vchan_lines(void)
{
	uintptr_t a = (uintptr_t)&vhost_async_vchans[0][0];
	uintptr_t b = (uintptr_t)&vhost_async_vchans[0][1];

	DPX_TEST_ASSERT_EQUAL(a % DPX_CACHE_LINE_SIZE, 0, "the table starts a line");
	DPX_TEST_ASSERT_EQUAL(b - a, DPX_CACHE_LINE_SIZE, "one line per vchan");
	return DPX_TEST_SUCCESS;
}

DPX_TEST_REGISTER(vhost_async_vchan_lines, fast, test_vhost_async_vchan_lines);
