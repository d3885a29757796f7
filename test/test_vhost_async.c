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

#define CASE_OF(fn, call)    \
	static int fn(void)  \
	{                    \
		return call; \
	}

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
		int id = dma_fake_create(1024);

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

/* Negotiate, memory, rings (receive buffers of RX_BUF, transmit descriptors
 * of TX_BUF), DRIVER_OK; both vrings async. */
static int
dev_up(struct env *e, const char *name, uint64_t want, bool indirect)
{
	DPX_TEST_RUN(vfe_session_open(&e->fe, e->path, sizeof(e->path), name));
	DPX_TEST_ASSERT_EQUAL(vfe_negotiate(&e->fe, want), 0, "");
	DPX_TEST_ASSERT_EQUAL(vfe_set_mem_table(&e->fe), 0, "");
	DPX_TEST_ASSERT_EQUAL(vfe_queue_setup(&e->fe, 0, 256, RX_BUF, indirect), 0, "");
	DPX_TEST_ASSERT_EQUAL(vfe_queue_setup(&e->fe, 1, 256, TX_BUF, indirect), 0, "");
	DPX_TEST_ASSERT_EQUAL(vfe_driver_ok(&e->fe), 0, "");
	DPX_TEST_ASSERT(vfe_wait_count(&vfe_ev.new_calls, 1), "new_device called");
	e->vid = vfe_ev.vid;
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
	struct dpx_mbuf *head = NULL, *m;
	uint32_t at = 0, l, k;

	do {
		m = dpx_pktmbuf_alloc(mp);
		if (m == NULL)
			return NULL;
		l = len - at < seg ? len - at : seg;
		uint8_t *d = (uint8_t *)dpx_pktmbuf_append(m, (uint16_t)l);
		for (k = 0; k < l; k++)
			d[k] = pattern(seed, at + k);
		if (head == NULL)
			head = m;
		else if (dpx_pktmbuf_chain(head, m) != 0)
			return NULL;
		at += l;
	} while (at < len);
	return head;
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
