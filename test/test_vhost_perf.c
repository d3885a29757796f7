/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vhost data path cost: enqueue and dequeue cycles per packet at 64 and 1518
 * bytes, split and packed rings, driven by the in-process front-end on one
 * core. What a forwarder pays is timed: the mbuf API with a real pool,
 * dequeue's allocation and the free of what was received, enqueue and the
 * free of what was sent (as net_vhost's tx does). The guest driver's work
 * and the making of the packets to send are not timed.
 */
#include <stdlib.h>
#include <unistd.h>

#include <dpx_cycles.h>
#include <dpx_mbuf.h>
#include <dpx_mempool.h>

#include "dpx_test.h"
#include "vhost_frontend.h"
#include "vhost_private.h"

#define BURST 32
#define ROUNDS 3000

static volatile int perf_vid = -1;

static int
perf_new(int vid)
{
	perf_vid = vid;
	return 0;
}

static const struct dpx_vhost_device_ops perf_ops = {.new_device = perf_new};

static struct dpx_mempool *perf_pool;
static uint8_t src_buf[2048];
static uint32_t pkt_len;

/* Cycles and packets of one direction's bursts, and its fastest full burst. */
struct dir_time {
	uint64_t cycles;
	uint64_t pkts;
	uint64_t best;
};

/* One timed burst to the guest (vring 0) or from it (vring 1). */
static int
timed_burst(bool to_guest, struct dir_time *d)
{
	struct dpx_mbuf *pkts[BURST];
	uint64_t t0, t;
	uint16_t got, i;

	if (to_guest) {
		if (dpx_pktmbuf_alloc_bulk(perf_pool, pkts, BURST) != 0)
			return -1;
		for (i = 0; i < BURST; i++)
			if (dpx_pktmbuf_append(pkts[i], (uint16_t)pkt_len) == NULL)
				return -1;
	}
	t0 = dpx_get_tsc_cycles();
	got = to_guest ? dpx_vhost_enqueue_burst(perf_vid, 0, pkts, BURST)
		       : dpx_vhost_dequeue_burst(perf_vid, 1, perf_pool, pkts, BURST);
	dpx_pktmbuf_free_bulk(pkts, got);
	t = dpx_get_tsc_cycles() - t0;
	if (to_guest && got < BURST)
		dpx_pktmbuf_free_bulk(pkts + got, BURST - got);
	d->cycles += t;
	d->pkts += got;
	if (got == BURST && t < d->best)
		d->best = t;
	return 0;
}

static void
report(const char *dir, bool packed, uint32_t len, const char *what, double v)
{
	char name[64];

	snprintf(name, sizeof(name), "vhost %s %s %u B%s", dir, packed ? "packed" : "split", len,
		 what);
	DPX_TEST_PERF(name, v, "cycles/pkt");
}

static int
measure(struct vfe *fe, bool packed, uint32_t len)
{
	struct dir_time enq = {0, 0, ~0ULL}, deq = {0, 0, ~0ULL};
	unsigned int r, i;

	pkt_len = len;
	/* the data path alone: no eventfd write per burst on either layout */
	vfe_no_interrupts(fe, 0);
	vfe_no_interrupts(fe, 1);
	for (r = 0; r < ROUNDS; r++) {
		vfe_rx_post(fe, 0, BURST, 1);
		DPX_TEST_ASSERT_EQUAL(timed_burst(true, &enq), 0, "mbufs to send");
		vfe_tx_reclaim(fe, 0);
		for (i = 0; i < BURST; i++)
			if (vfe_tx_post(fe, 1, src_buf, len, 1) < 0)
				break;
		DPX_TEST_ASSERT_EQUAL(timed_burst(false, &deq), 0, "");
		vfe_tx_reclaim(fe, 1);
	}
	DPX_TEST_ASSERT_EQUAL(dpx_mempool_in_use_count(perf_pool), 0, "every mbuf back");
	DPX_TEST_ASSERT_EQUAL(enq.pkts, (uint64_t)ROUNDS * BURST, "every packet enqueued");
	DPX_TEST_ASSERT_EQUAL(deq.pkts, (uint64_t)ROUNDS * BURST, "every packet dequeued");
	report("enqueue", packed, len, "", (double)enq.cycles / (double)enq.pkts);
	report("dequeue", packed, len, "", (double)deq.cycles / (double)deq.pkts);
	/* the machine may be shared: the best burst shows the cost without interference */
	report("enqueue", packed, len, " best burst", (double)enq.best / BURST);
	report("dequeue", packed, len, " best burst", (double)deq.best / BURST);
	return DPX_TEST_SUCCESS;
}

static int
run(bool packed)
{
	uint64_t want = ~0ULL;
	char path[108];
	struct vfe fe;
	int i;

	/* -m: an address-space reservation valgrind (callgrind) can make too */
	DPX_TEST_ASSERT(dpx_test_eal_init("--no-huge", "-m", "256", NULL) > 0, "");
	/* as dpx-fwd makes its pool: 2048 bytes + headroom, a 256-mbuf lcore cache */
	perf_pool = dpx_pktmbuf_pool_create(packed ? "perf_packed" : "perf_split", 4096, 256, 0,
					    DPX_MBUF_DEFAULT_BUF_SIZE, -1);
	DPX_TEST_ASSERT(perf_pool != NULL, "pool: %s", dpx_strerror(dpx_errno));
	if (!packed)
		want &= ~(1ULL << VIRTIO_F_RING_PACKED);
	snprintf(path, sizeof(path), "/tmp/dpx-vhost-perf-%d.sock", (int)getpid());
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_driver_register(path, 0), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_driver_callback_register(path, &perf_ops, NULL), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_driver_start(path), 0, "");
	DPX_TEST_ASSERT_EQUAL(vfe_init(&fe, 64 << 20), 0, "");
	DPX_TEST_ASSERT_EQUAL(vfe_connect(&fe, path), 0, "");
	DPX_TEST_ASSERT_EQUAL(vfe_negotiate(&fe, want), 0, "");
	DPX_TEST_ASSERT_EQUAL(vfe_set_mem_table(&fe), 0, "");
	DPX_TEST_ASSERT_EQUAL(vfe_queue_setup(&fe, 0, 256, 2048, false), 0, "");
	DPX_TEST_ASSERT_EQUAL(vfe_queue_setup(&fe, 1, 256, 2048, false), 0, "");
	DPX_TEST_ASSERT_EQUAL(vfe_driver_ok(&fe), 0, "");
	for (i = 0; i < 5000 && perf_vid < 0; i++)
		usleep(1000);
	DPX_TEST_ASSERT(perf_vid >= 0, "device running");
	/* DPX_VHOST_PERF_LEN=N measures one length only (for profilers) */
	if (getenv("DPX_VHOST_PERF_LEN") != NULL) {
		DPX_TEST_RUN(measure(&fe, packed, (uint32_t)atoi(getenv("DPX_VHOST_PERF_LEN"))));
	} else {
		DPX_TEST_RUN(measure(&fe, packed, 64));
		DPX_TEST_RUN(measure(&fe, packed, 1518));
	}
	vfe_fini(&fe);
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_driver_unregister(path), 0, "");
	dpx_mempool_free(perf_pool);
	return DPX_TEST_SUCCESS;
}

static int
test_vhost_perf_split(void)
{
	return run(false);
}

static int
test_vhost_perf_packed(void)
{
	return run(true);
}

DPX_TEST_REGISTER(vhost_perf_split, perf, test_vhost_perf_split);
DPX_TEST_REGISTER(vhost_perf_packed, perf, test_vhost_perf_packed);
