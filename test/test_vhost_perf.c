/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vhost data path cost: enqueue and dequeue cycles per packet at 64 and 1518
 * bytes, split and packed rings, driven by the in-process front-end on one
 * core. Only the vhost calls are timed; the guest driver's work is not.
 */
#include <stdlib.h>
#include <unistd.h>

#include <dpx_cycles.h>

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

static uint8_t src_buf[BURST][2048];
static uint8_t dst_buf[BURST][2048];
static uint32_t pkt_len;

static int
perf_src(void *ctx, uint16_t i, struct vhost_seg *segs, unsigned int max)
{
	(void)ctx, (void)max;
	segs[0] = (struct vhost_seg){src_buf[i], pkt_len};
	return 1;
}

static int
perf_dst(void *ctx, uint16_t i, uint32_t len, struct vhost_seg *segs, unsigned int max)
{
	(void)ctx, (void)max;
	if (len > sizeof(dst_buf[0]))
		return -1;
	segs[0] = (struct vhost_seg){dst_buf[i], len};
	return 1;
}

static void
perf_dst_free(void *ctx, uint16_t i)
{
	(void)ctx, (void)i;
}

static const struct vhost_pkt_ops perf_pkt_ops = {perf_src, perf_dst, perf_dst_free};

/* Cycles and packets of one direction's bursts, and its fastest full burst. */
struct dir_time {
	uint64_t cycles;
	uint64_t pkts;
	uint64_t best;
};

/* One timed burst to the guest (vring 0) or from it (vring 1). */
static void
timed_burst(bool to_guest, struct dir_time *d)
{
	uint64_t t0 = dpx_get_tsc_cycles(), t;
	uint16_t got = to_guest ? vhost_enqueue_segs(perf_vid, 0, &perf_pkt_ops, NULL, BURST)
				: vhost_dequeue_segs(perf_vid, 1, &perf_pkt_ops, NULL, BURST);

	t = dpx_get_tsc_cycles() - t0;
	d->cycles += t;
	d->pkts += got;
	if (got == BURST && t < d->best)
		d->best = t;
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
		timed_burst(true, &enq);
		vfe_tx_reclaim(fe, 0);
		for (i = 0; i < BURST; i++)
			if (vfe_tx_post(fe, 1, src_buf[i], len, 1) < 0)
				break;
		timed_burst(false, &deq);
		vfe_tx_reclaim(fe, 1);
	}
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

	DPX_TEST_ASSERT(dpx_test_eal_init("--no-huge", NULL) > 0, "");
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
	DPX_TEST_RUN(measure(&fe, packed, 64));
	DPX_TEST_RUN(measure(&fe, packed, 1518));
	vfe_fini(&fe);
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_driver_unregister(path), 0, "");
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
