/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vhost end to end against the in-process front-end (vhost_frontend.c):
 * negotiation, split and packed traffic with every byte checked, mergeable
 * and indirect buffers, event idx, memory regions added and removed while
 * traffic flows, client-mode reconnect, malformed messages and rings.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include <dpx_log.h>
#include <dpx_mbuf.h>
#include <dpx_mempool.h>

#include "dpx_test.h"
#include "vhost_frontend.h"
#include "vhost_private.h"

#define MEM_SIZE VFE_SESSION_MEM_SIZE
#define WANT_ALL (~0ULL)
#define F(bit) (1ULL << (bit))


/* ---- packets as segments ---- */

struct host_pkts {
	unsigned int n;
	unsigned int nseg; /* segments each source packet is cut into */
	uint8_t *data[VHOST_MAX_BURST];
	uint32_t len[VHOST_MAX_BURST];
};

static uint8_t
pattern(unsigned int pkt, uint32_t off)
{
	return (uint8_t)(pkt * 31 + off * 7 + (off >> 8));
}

static void
pkts_make(struct host_pkts *p, unsigned int n, const uint32_t *lens, unsigned int nseg,
	  unsigned int seed)
{
	unsigned int i;
	uint32_t k;

	p->n = n;
	p->nseg = nseg;
	for (i = 0; i < n; i++) {
		p->len[i] = lens[i];
		p->data[i] = malloc(lens[i]);
		for (k = 0; k < lens[i]; k++)
			p->data[i][k] = pattern(seed + i, k);
	}
}

static void
pkts_free(struct host_pkts *p)
{
	unsigned int i;

	for (i = 0; i < p->n; i++) {
		free(p->data[i]);
		p->data[i] = NULL;
	}
	p->n = 0;
}

static int
src_segs(void *ctx, uint16_t i, struct vhost_seg *segs, unsigned int max)
{
	struct host_pkts *p = ctx;
	uint32_t per = (p->len[i] + p->nseg - 1) / p->nseg, at = 0;
	unsigned int k = 0;

	while (at < p->len[i] && k < max) {
		uint32_t l = p->len[i] - at < per ? p->len[i] - at : per;

		segs[k++] = (struct vhost_seg){p->data[i] + at, l};
		at += l;
	}
	return at == p->len[i] ? (int)k : -E2BIG;
}

static int
dst_alloc(void *ctx, uint16_t i, uint32_t len, struct vhost_seg *segs, unsigned int max)
{
	struct host_pkts *p = ctx;
	unsigned int k = 0;
	uint32_t at = 0;

	/* 700-byte destination segments: a chained mbuf's shape */
	p->data[i] = malloc(len ? len : 1);
	p->len[i] = len;
	if (p->data[i] == NULL)
		return -ENOMEM;
	while (at < len && k < max) {
		uint32_t l = len - at < 700 ? len - at : 700;

		segs[k++] = (struct vhost_seg){p->data[i] + at, l};
		at += l;
	}
	if (i + 1u > p->n)
		p->n = i + 1u;
	return (int)k;
}

static const struct vhost_pkt_ops seg_ops = {src_segs, dst_alloc};

/* Set while the vhost thread may hold the queue locks (memory changes): a
 * burst that finds its queue locked returns 0 and is simply tried again. */
static int retry_locked;

/* One burst to the guest (vring 0) or from it (vring 1). */
static uint16_t
burst(int vid, struct host_pkts *p, uint16_t n, bool to_guest)
{
	uint16_t r;
	long tries = 0;

	do {
		r = to_guest ? vhost_enqueue_segs(vid, 0, &seg_ops, p, n)
			     : vhost_dequeue_segs(vid, 1, &seg_ops, p, n);
	} while (r == 0 && retry_locked && ++tries < 10000000);
	return r;
}

/* Host to guest: enqueue n packets of lens, check each byte the guest gets. */
static int
check_to_guest(struct vfe *fe, int vid, unsigned int n, const uint32_t *lens, unsigned int nseg,
	       unsigned int seed)
{
	static uint8_t got[70000];
	struct host_pkts p;
	unsigned int i;
	uint32_t k;
	int len;

	pkts_make(&p, n, lens, nseg, seed);
	DPX_TEST_ASSERT_EQUAL(burst(vid, &p, (uint16_t)n, true), n, "");
	for (i = 0; i < n; i++) {
		len = vfe_rx_take(fe, 0, got, sizeof(got));
		DPX_TEST_ASSERT_EQUAL(len, lens[i], "packet %u", i);
		for (k = 0; k < lens[i]; k++)
			DPX_TEST_ASSERT_EQUAL(got[k], pattern(seed + i, k), "packet %u byte %u", i,
					      k);
	}
	DPX_TEST_ASSERT_EQUAL(vfe_rx_take(fe, 0, got, sizeof(got)), 0, "nothing more");
	pkts_free(&p);
	return DPX_TEST_SUCCESS;
}

/* Guest to host: the guest sends n packets cut in nseg descriptors. */
static int
check_to_host(struct vfe *fe, int vid, unsigned int n, const uint32_t *lens, unsigned int nseg,
	      unsigned int seed)
{
	uint8_t buf[16384];
	struct host_pkts p = {0};
	unsigned int i;
	uint32_t k;

	for (i = 0; i < n; i++) {
		for (k = 0; k < lens[i]; k++)
			buf[k] = pattern(seed + i, k);
		DPX_TEST_ASSERT_EQUAL(vfe_tx_post(fe, 1, buf, lens[i], nseg), 0, "packet %u", i);
	}
	DPX_TEST_ASSERT_EQUAL(burst(vid, &p, VHOST_MAX_BURST, false), n, "");
	for (i = 0; i < n; i++) {
		DPX_TEST_ASSERT_EQUAL(p.len[i], lens[i], "packet %u", i);
		for (k = 0; k < lens[i]; k++)
			DPX_TEST_ASSERT_EQUAL(p.data[i][k], pattern(seed + i, k),
					      "packet %u byte %u", i, k);
	}
	DPX_TEST_ASSERT_EQUAL(vfe_tx_reclaim(fe, 1), n, "every tx buffer returned");
	pkts_free(&p);
	return DPX_TEST_SUCCESS;
}

static int
test_vhost_negotiate(void)
{
	char path[108], name[108];
	struct vfe fe;
	uint64_t f, u;
	uint16_t mtu;
	int fds0, vid;

	DPX_TEST_ASSERT(dpx_test_eal_init("--no-huge", NULL) > 0, "");
	fds0 = dpx_test_count_fds();
	vfe_sock_path(path, sizeof(path), "neg");
	DPX_TEST_RUN(vfe_server_start(path, 0));
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_driver_register(path, 0), -EEXIST, "");
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_driver_start(path), -EBUSY, "");
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_driver_register("", 0), -EINVAL, "");
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_driver_start("/nonexistent"), -ENOENT, "");
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_driver_get_features(path, &f), 0, "");
	DPX_TEST_ASSERT_EQUAL(f & (F(32) | F(15) | F(29) | F(28) | F(34) | F(21) | F(26) | F(35)),
			      F(32) | F(15) | F(29) | F(28) | F(34) | F(21) | F(26) | F(35),
			      "offered");
	DPX_TEST_ASSERT_EQUAL(vfe_init(&fe, MEM_SIZE), 0, "");
	DPX_TEST_ASSERT_EQUAL(vfe_connect(&fe, path), 0, "");
	DPX_TEST_RUN(vfe_bring_up(&fe, WANT_ALL & ~F(VIRTIO_F_RING_PACKED), false, 1));
	vid = vfe_ev.vid;
	DPX_TEST_ASSERT(dpx_vhost_get_ctx(vid) == (void *)0x1234, "");
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_get_ifname(vid, name, sizeof(name)), 0, "");
	DPX_TEST_ASSERT(strcmp(name, path) == 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_get_ifname(vid, name, 4), -ERANGE, "");
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_get_negotiated_features(vid, &f), 0, "");
	DPX_TEST_ASSERT_EQUAL(f, fe.features, "");
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_get_vring_num(vid), 2, "");
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_get_mtu(vid, &mtu), -ENOENT, "");
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_get_vring_num(63), -ENODEV, "");
	DPX_TEST_ASSERT_EQUAL(vfe_ev.feature_calls, 1, "");
	/* getters over the socket */
	DPX_TEST_ASSERT_EQUAL(vfe_request(&fe, VHOST_USER_GET_MAX_MEM_SLOTS, NULL, 0, NULL, 0, &u),
			      0, "");
	DPX_TEST_ASSERT_EQUAL(u, DPX_VHOST_MAX_MEM_SLOTS, "");
	DPX_TEST_ASSERT_EQUAL(vfe_request(&fe, VHOST_USER_GET_QUEUE_NUM, NULL, 0, NULL, 0, &u), 0,
			      "");
	DPX_TEST_ASSERT_EQUAL(u, DPX_VHOST_MAX_QUEUE_PAIRS, "");
	DPX_TEST_ASSERT_EQUAL(vfe_request(&fe, VHOST_USER_GET_STATUS, NULL, 0, NULL, 0, &u), 0, "");
	DPX_TEST_ASSERT_EQUAL(u, 15, "");
	u = 1500;
	DPX_TEST_ASSERT_EQUAL(vfe_request(&fe, VHOST_USER_NET_SET_MTU, &u, 8, NULL, 0, NULL), 0,
			      "");
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_get_mtu(vid, &mtu), 0, "");
	DPX_TEST_ASSERT_EQUAL(mtu, 1500, "");
	u = 10;
	DPX_TEST_ASSERT_EQUAL(vfe_request(&fe, VHOST_USER_NET_SET_MTU, &u, 8, NULL, 0, NULL), -EIO,
			      "nack, then the device is closed");
	DPX_TEST_ASSERT_EQUAL(vfe_wait_closed(&fe, 3000), 0, "");
	DPX_TEST_ASSERT(vfe_wait_count(&vfe_ev.destroy_calls, 1), "destroy_device called");
	vfe_fini(&fe);
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_driver_unregister(path), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_driver_unregister(path), -ENOENT, "");
	vfe_closes_wait();
	DPX_TEST_ASSERT_EQUAL(dpx_test_count_fds(), fds0, "no fd leaked");
	DPX_TEST_ASSERT(access(path, F_OK) != 0, "socket file removed");
	return DPX_TEST_SUCCESS;
}

/* Traffic both ways on one layout and feature set. */
static int
traffic(bool packed, bool mrg, bool indirect, const char *name)
{
	static const uint32_t small[] = {60, 64, 65, 128, 256, 511, 512, 1000};
	static const uint32_t big[] = {1514, 3000, 9000, 60, 1519};
	static const uint32_t tx[] = {42, 60, 1514, 100, 2000, 777};
	uint64_t want = WANT_ALL, bins = 0;
	struct dpx_vhost_vring_stats st;
	char path[108];
	struct vfe fe;
	unsigned int i;
	int fds0, vid;

	if (!packed)
		want &= ~F(VIRTIO_F_RING_PACKED);
	if (!mrg)
		want &= ~F(VIRTIO_NET_F_MRG_RXBUF);
	DPX_TEST_ASSERT(dpx_test_eal_init("--no-huge", NULL) > 0, "");
	fds0 = dpx_test_count_fds();
	DPX_TEST_RUN(vfe_session_open(&fe, path, sizeof(path), name));
	DPX_TEST_RUN(vfe_bring_up(&fe, want, indirect, 1));
	vid = vfe_ev.vid;
	DPX_TEST_ASSERT_EQUAL(vfe_rx_post(&fe, 0, 200, mrg ? 1 : 2), 200, "");
	/* nothing to dequeue yet; wrong directions refused */
	DPX_TEST_ASSERT_EQUAL(vhost_dequeue_segs(vid, 0, &seg_ops, NULL, 1), 0, "");
	DPX_TEST_ASSERT_EQUAL(vhost_enqueue_segs(vid, 1, &seg_ops, NULL, 1), 0, "");
	DPX_TEST_RUN(check_to_guest(&fe, vid, DPX_DIM(small), small, 1, 1));
	DPX_TEST_RUN(check_to_guest(&fe, vid, DPX_DIM(small), small, 3, 2));
	if (mrg) {
		DPX_TEST_RUN(check_to_guest(&fe, vid, DPX_DIM(big), big, 4, 3));
	} else {
		/* 3000 bytes + header do not fit one 2 x 1024 chain without MRG_RXBUF */
		struct host_pkts p;

		pkts_make(&p, 2, &big[0], 1, 3);
		DPX_TEST_ASSERT_EQUAL(vhost_enqueue_segs(vid, 0, &seg_ops, &p, 2), 1, "");
		pkts_free(&p);
		uint8_t got[4096];
		DPX_TEST_ASSERT_EQUAL(vfe_rx_take(&fe, 0, got, sizeof(got)), 1514, "");
	}
	/* many rounds: the rings wrap several times */
	for (i = 0; i < 40; i++) {
		DPX_TEST_ASSERT(vfe_rx_post(&fe, 0, 8, mrg ? 1 : 2) == 8 || i > 0, "");
		DPX_TEST_RUN(check_to_host(&fe, vid, DPX_DIM(tx), tx, 1 + i % 3, 10 + i));
		DPX_TEST_RUN(check_to_guest(&fe, vid, 4, small + (i % 4), 1 + i % 2, 100 + i));
		vfe_rx_post(&fe, 0, 8, mrg ? 1 : 2);
	}
	/* counters add up */
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_vring_stats_get(vid, 1, &st, 0), 0, "");
	DPX_TEST_ASSERT_EQUAL(st.packets, 40 * DPX_DIM(tx), "");
	DPX_TEST_ASSERT_EQUAL(st.bytes, 40 * (42 + 60 + 1514 + 100 + 2000 + 777), "");
	for (i = 0; i < 7; i++)
		bins += st.size_bins[i];
	DPX_TEST_ASSERT_EQUAL(bins, st.packets, "");
	DPX_TEST_ASSERT_EQUAL(st.size_bins[0], 80, "42 and 60");
	DPX_TEST_ASSERT_EQUAL(st.size_bins[6], 40, "2000");
	DPX_TEST_ASSERT(st.notifications > 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_vring_stats_get(vid, 0, &st, 1), 0, "");
	DPX_TEST_ASSERT_EQUAL(st.errors, mrg ? 0 : 1, "");
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_vring_stats_get(vid, 0, &st, 0), 0, "");
	DPX_TEST_ASSERT_EQUAL(st.packets, 0, "reset");
	DPX_TEST_RUN(vfe_session_close(&fe, path));
	vfe_closes_wait();
	DPX_TEST_ASSERT_EQUAL(dpx_test_count_fds(), fds0, "no fd leaked");
	return DPX_TEST_SUCCESS;
}

CASE_OF(test_vhost_split_mrg, traffic(false, true, false, "split-mrg"))
CASE_OF(test_vhost_split_indirect, traffic(false, false, true, "split-ind"))
CASE_OF(test_vhost_packed_mrg, traffic(true, true, false, "packed-mrg"))
CASE_OF(test_vhost_packed_indirect, traffic(true, false, true, "packed-ind"))

DPX_TEST_REGISTER(vhost_negotiate, fast, test_vhost_negotiate);
DPX_TEST_REGISTER(vhost_split_mrg, fast, test_vhost_split_mrg);
DPX_TEST_REGISTER(vhost_split_indirect, fast, test_vhost_split_indirect);
DPX_TEST_REGISTER(vhost_packed_mrg, fast, test_vhost_packed_mrg);
DPX_TEST_REGISTER(vhost_packed_indirect, fast, test_vhost_packed_indirect);

/* ---- event idx ---- */

static int
event_idx(bool packed, const char *name)
{
	static const uint32_t one[] = {100};
	uint64_t want = WANT_ALL & ~(packed ? 0 : F(VIRTIO_F_RING_PACKED));
	static const int expect[] = {1, 0, 1, 0, 0};
	char path[108];
	struct vfe fe;
	unsigned int i;
	int vid;

	DPX_TEST_ASSERT(dpx_test_eal_init("--no-huge", NULL) > 0, "");
	DPX_TEST_RUN(vfe_session_open(&fe, path, sizeof(path), name));
	DPX_TEST_RUN(vfe_bring_up(&fe, want, false, 1));
	DPX_TEST_ASSERT(fe.features & F(VIRTIO_RING_F_EVENT_IDX), "");
	vid = vfe_ev.vid;
	vfe_rx_post(&fe, 0, 64, 1);
	vfe_calls(&fe, 0);
	/* 2.6.7.2: the guest wants a call once used index 2 has been written (after
	 * the first burst, always signalled); bursts 2..5 put one buffer each */
	for (i = 0; i < DPX_DIM(expect); i++) {
		if (i == 1)
			vfe_set_used_event(&fe, 0, 2);
		DPX_TEST_RUN(check_to_guest(&fe, vid, 1, one, 1, i));
		DPX_TEST_ASSERT_EQUAL(vfe_calls(&fe, 0), expect[i], "burst %u", i);
	}
	DPX_TEST_RUN(vfe_session_close(&fe, path));
	return DPX_TEST_SUCCESS;
}

CASE_OF(test_vhost_split_event_idx, event_idx(false, "split-ev"))
CASE_OF(test_vhost_packed_event_idx, event_idx(true, "packed-ev"))

DPX_TEST_REGISTER(vhost_split_event_idx, fast, test_vhost_split_event_idx);
DPX_TEST_REGISTER(vhost_packed_event_idx, fast, test_vhost_packed_event_idx);

/* ---- memory regions added and removed while traffic flows ---- */

struct worker {
	struct vfe *fe;
	int vid;
	int stop;
	int rounds;
	int result;
};

static void *
traffic_worker(void *arg)
{
	static const uint32_t tx[] = {60, 1514, 300};
	struct worker *w = arg;

	w->result = DPX_TEST_SUCCESS;
	while (!__atomic_load_n(&w->stop, __ATOMIC_ACQUIRE) && w->result == DPX_TEST_SUCCESS) {
		vfe_rx_post(w->fe, 0, 4, 1); /* 60, 300: one buffer each; 1514: two */
		w->result = check_to_host(w->fe, w->vid, 3, tx, 2, (unsigned int)w->rounds);
		if (w->result == DPX_TEST_SUCCESS)
			w->result =
				check_to_guest(w->fe, w->vid, 3, tx, 2, (unsigned int)w->rounds);
		__atomic_fetch_add(&w->rounds, 1, __ATOMIC_RELEASE);
	}
	return NULL;
}

static int
test_vhost_mem_hotplug(void)
{
	static const uint32_t lens[] = {60, 1514, 4000};
	uint64_t data0[2];
	struct worker w = {0};
	char path[108];
	pthread_t t;
	struct vfe fe;
	int i, vid, fds0;

	DPX_TEST_ASSERT(dpx_test_eal_init("--no-huge", NULL) > 0, "");
	fds0 = dpx_test_count_fds();
	vfe_sock_path(path, sizeof(path), "hotplug");
	DPX_TEST_RUN(vfe_server_start(path, 0));
	DPX_TEST_ASSERT_EQUAL(vfe_init(&fe, MEM_SIZE), 0, "");
	vfe_region_set(&fe, 0, 0, 16 << 20, 0);
	DPX_TEST_ASSERT_EQUAL(vfe_connect(&fe, path), 0, "");
	DPX_TEST_RUN(vfe_bring_up(&fe, WANT_ALL & ~F(VIRTIO_F_RING_PACKED), false, 1));
	DPX_TEST_ASSERT(fe.pfeatures & F(VHOST_USER_PROTOCOL_F_CONFIGURE_MEM_SLOTS), "");
	vid = vfe_ev.vid;
	DPX_TEST_ASSERT_EQUAL(vfe_ev.regions_added, 1, "");
	data0[0] = fe.q[0].data_gpa;
	data0[1] = fe.q[1].data_gpa;
	/* region 1 at 4 GiB, buffers move there */
	vfe_region_set(&fe, 1, 1ULL << 32, 16 << 20, 16 << 20);
	DPX_TEST_ASSERT_EQUAL(vfe_add_region(&fe, 1), 0, "");
	DPX_TEST_ASSERT_EQUAL(vfe_ev.regions_added, 2, "");
	fe.q[0].data_gpa = 1ULL << 32;
	fe.q[1].data_gpa = (1ULL << 32) + (8 << 20);
	/* exactly the 1 + 2 + 4 buffers these packets take: none left in region 1 */
	DPX_TEST_ASSERT_EQUAL(vfe_rx_post(&fe, 0, 7, 1), 7, "");
	DPX_TEST_RUN(check_to_guest(&fe, vid, 3, lens, 2, 1));
	DPX_TEST_ASSERT_EQUAL(fe.q[0].outstanding, 0, "");
	DPX_TEST_RUN(check_to_host(&fe, vid, 3, lens, 3, 2));
	/* QEMU < 8.0 repeats ADD/REM_MEM_REG once per queue pair: a repeat is
	 * ignored (no second mapping), a partial overlap is still refused below */
	DPX_TEST_ASSERT_EQUAL(vfe_add_region(&fe, 1), 0, "repeat");
	DPX_TEST_ASSERT_EQUAL(vfe_ev.regions_added, 2, "not mapped twice");
	vfe_region_set(&fe, 3, 3ULL << 32, 4 << 20, 40 << 20);
	DPX_TEST_ASSERT_EQUAL(vfe_rem_region(&fe, 3), 0, "removing what is not there: ignored");
	fe.regions[3].size = 0;
	/* region 2 at 8 GiB; buffers move again, region 1 goes */
	vfe_region_set(&fe, 2, 2ULL << 32, 16 << 20, 32 << 20);
	DPX_TEST_ASSERT_EQUAL(vfe_add_region(&fe, 2), 0, "");
	fe.q[0].data_gpa = 2ULL << 32;
	fe.q[1].data_gpa = (2ULL << 32) + (8 << 20);
	DPX_TEST_ASSERT_EQUAL(vfe_rem_region(&fe, 1), 0, "");
	DPX_TEST_ASSERT_EQUAL(vfe_ev.regions_removed, 1, "");
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_vring_is_enabled(vid, 0), 1, "");
	vfe_rx_post(&fe, 0, 16, 1);
	DPX_TEST_RUN(check_to_guest(&fe, vid, 3, lens, 1, 3));
	DPX_TEST_RUN(check_to_host(&fe, vid, 3, lens, 3, 4));
	/* concurrent: traffic on region 0 buffers while region 1 comes and goes */
	fe.q[0].data_gpa = data0[0];
	fe.q[1].data_gpa = data0[1];
	w.fe = &fe;
	w.vid = vid;
	retry_locked = 1;
	DPX_TEST_ASSERT_EQUAL(pthread_create(&t, NULL, traffic_worker, &w), 0, "");
	/* at least 20 hotplug rounds, overlapping at least 20 traffic rounds
	 * (however the two threads get scheduled) */
	for (i = 0; i < 20 || (__atomic_load_n(&w.rounds, __ATOMIC_ACQUIRE) < 20 &&
			       w.result == DPX_TEST_SUCCESS && i < 100000);
	     i++) {
		vfe_region_set(&fe, 1, 1ULL << 32, 16 << 20, 16 << 20);
		DPX_TEST_ASSERT_EQUAL(vfe_add_region(&fe, 1), 0, "round %d", i);
		DPX_TEST_ASSERT_EQUAL(vfe_rem_region(&fe, 1), 0, "round %d", i);
	}
	__atomic_store_n(&w.stop, 1, __ATOMIC_RELEASE);
	pthread_join(t, NULL);
	retry_locked = 0;
	DPX_TEST_ASSERT_EQUAL(w.result, DPX_TEST_SUCCESS, "traffic during hotplug, %d rounds",
			      w.rounds);
	DPX_TEST_ASSERT(w.rounds >= 20, "%d traffic rounds", w.rounds);
	DPX_TEST_ASSERT_EQUAL(vfe_ev.regions_added, 3 + i, "");
	DPX_TEST_ASSERT_EQUAL(vfe_ev.regions_removed, 1 + i, "");
	/* removing the region holding the rings stops the device */
	DPX_TEST_ASSERT_EQUAL(vfe_rem_region(&fe, 0), 0, "");
	DPX_TEST_ASSERT(vfe_wait_count(&vfe_ev.destroy_calls, 1), "");
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_vring_is_enabled(vid, 0), 0, "");
	DPX_TEST_ASSERT_EQUAL(vhost_enqueue_segs(vid, 0, &seg_ops, NULL, 1), 0, "");
	vfe_fini(&fe);
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_driver_unregister(path), 0, "");
	DPX_TEST_ASSERT_EQUAL(vfe_ev.regions_removed, 3 + i, "every region unmapped");
	vfe_closes_wait();
	DPX_TEST_ASSERT_EQUAL(dpx_test_count_fds(), fds0, "no fd leaked");
	return DPX_TEST_SUCCESS;
}

DPX_TEST_REGISTER(vhost_mem_hotplug, fast, test_vhost_mem_hotplug);

/* ---- client mode: the front-end restarts, we reconnect ---- */

static int
test_vhost_reconnect(void)
{
	static const uint32_t lens[] = {60, 1514};
	char path[108];
	struct vfe fe;
	int lfd, fds0, round;

	DPX_TEST_ASSERT(dpx_test_eal_init("--no-huge", NULL) > 0, "");
	fds0 = dpx_test_count_fds();
	vfe_sock_path(path, sizeof(path), "client");
	lfd = vfe_listen(path);
	DPX_TEST_ASSERT(lfd >= 0, "listen: %d", lfd);
	DPX_TEST_RUN(vfe_server_start(path, DPX_VHOST_CLIENT));
	for (round = 1; round <= 3; round++) {
		DPX_TEST_ASSERT_EQUAL(vfe_init(&fe, MEM_SIZE), 0, "");
		DPX_TEST_ASSERT_EQUAL(vfe_accept(&fe, lfd, 5000), 0, "round %d: backend connected",
				      round);
		DPX_TEST_RUN(vfe_bring_up(&fe, WANT_ALL, round == 2, round));
		vfe_rx_post(&fe, 0, 8, 1);
		DPX_TEST_RUN(check_to_guest(&fe, vfe_ev.vid, 2, lens, 1, (unsigned int)round));
		DPX_TEST_RUN(check_to_host(&fe, vfe_ev.vid, 2, lens, 2, (unsigned int)round));
		vfe_fini(&fe); /* the front-end goes away */
		DPX_TEST_ASSERT(vfe_wait_count(&vfe_ev.destroy_calls, round), "round %d", round);
	}
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_driver_unregister(path), 0, "");
	close(lfd);
	unlink(path);
	vfe_closes_wait();
	DPX_TEST_ASSERT_EQUAL(dpx_test_count_fds(), fds0, "no fd leaked");
	return DPX_TEST_SUCCESS;
}

DPX_TEST_REGISTER(vhost_reconnect, fast, test_vhost_reconnect);

/* ---- hostile front-ends ---- */

/* A fresh connection that sends one bad thing: it must be closed, with the
 * reason in the log, and nothing else disturbed. */
struct bad_case {
	const char *name;
	const char *reason; /* expected in the log line */
	int (*send)(struct vfe *fe);
};

static int
send_hdr(struct vfe *fe, uint32_t req, uint32_t flags, uint32_t size, const void *payload,
	 uint32_t sent, const int *fds, unsigned int nfds)
{
	uint8_t buf[600];
	struct vhost_user_hdr h = {req, flags, size};

	memcpy(buf, &h, sizeof(h));
	if (sent > 0)
		memcpy(buf + sizeof(h), payload, sent);
	return vfe_send_raw(fe, buf, sizeof(h) + sent, fds, nfds);
}

static int
bad_truncated(struct vfe *fe)
{
	uint64_t f = 0;

	return send_hdr(fe, VHOST_USER_SET_FEATURES, 1, 8, &f, 4, NULL, 0);
}

static int
bad_fd_count(struct vfe *fe)
{
	uint64_t f = 0;
	int fd = eventfd(0, EFD_CLOEXEC), rc;

	rc = vfe_send(fe, VHOST_USER_SET_FEATURES, 0, &f, 8, &fd, 1);
	close(fd);
	return rc;
}

static int
bad_too_many_fds(struct vfe *fe)
{
	int fds[12], i, rc;

	for (i = 0; i < 12; i++)
		fds[i] = eventfd(0, EFD_CLOEXEC);
	rc = vfe_send(fe, VHOST_USER_SET_OWNER, 0, NULL, 0, fds, 12);
	for (i = 0; i < 12; i++)
		close(fds[i]);
	return rc;
}

static int
bad_unknown(struct vfe *fe)
{
	return vfe_send(fe, 21, 0, NULL, 0, NULL, 0);
}

static int
bad_version(struct vfe *fe)
{
	return send_hdr(fe, VHOST_USER_GET_FEATURES, 2, 0, NULL, 0, NULL, 0);
}

static int
mem_table(struct vfe *fe, const struct vhost_user_mem_region *r, unsigned int n)
{
	struct vhost_user_mem_table t = {n, 0, {{0}}};
	int fds[8] = {fe->memfd, fe->memfd, fe->memfd, fe->memfd};

	memcpy(t.regions, r, n * sizeof(*r));
	return vfe_send(fe, VHOST_USER_SET_MEM_TABLE, 0, &t, 8 + 32 * n, fds, n);
}

static int
bad_overlap(struct vfe *fe)
{
	uint64_t base = (uint64_t)(uintptr_t)fe->mem;
	struct vhost_user_mem_region r[2] = {{0, 1 << 20, base, 0},
					     {1 << 19, 1 << 20, base + (2 << 20), 2 << 20}};

	return mem_table(fe, r, 2);
}

static int
bad_past_file(struct vfe *fe)
{
	struct vhost_user_mem_region r = {0, 64 << 20, (uint64_t)(uintptr_t)fe->mem, 0};

	return mem_table(fe, &r, 1);
}

static int
bad_wrap(struct vfe *fe)
{
	struct vhost_user_mem_region r = {~0ULL - 4095, 8192, (uint64_t)(uintptr_t)fe->mem, 0};

	return mem_table(fe, &r, 1);
}

static int
good_table(struct vfe *fe)
{
	struct vhost_user_mem_region r = {0, 1 << 20, (uint64_t)(uintptr_t)fe->mem, 0};

	return mem_table(fe, &r, 1);
}

static int
bad_add_overlap(struct vfe *fe)
{
	struct vhost_user_mem_single m = {
		0, {1 << 19, 1 << 20, (uint64_t)(uintptr_t)fe->mem + (2 << 20), 2 << 20}};

	if (good_table(fe) < 0)
		return -1;
	return vfe_send(fe, VHOST_USER_ADD_MEM_REG, 0, &m, sizeof(m), &fe->memfd, 1);
}

static int
bad_ring_addr(struct vfe *fe)
{
	struct vhost_user_vring_state st = {0, 256};
	uint64_t base = (uint64_t)(uintptr_t)fe->mem;
	struct vhost_user_vring_addr a = {0, 0, base + (1 << 20) - 1024, base + 8192, base + 16384,
					  0};

	if (good_table(fe) < 0 ||
	    vfe_send(fe, VHOST_USER_SET_VRING_NUM, 0, &st, sizeof(st), NULL, 0) < 0)
		return -1;
	/* the descriptor table (4 KiB) runs 3 KiB past the only region */
	return vfe_send(fe, VHOST_USER_SET_VRING_ADDR, 0, &a, sizeof(a), NULL, 0);
}

static int
bad_ring_size(struct vfe *fe)
{
	struct vhost_user_vring_state st = {0, 100};

	return vfe_send(fe, VHOST_USER_SET_VRING_NUM, 0, &st, sizeof(st), NULL, 0);
}

static int
bad_vring_index(struct vfe *fe)
{
	struct vhost_user_vring_state st = {200, 256};

	return vfe_send(fe, VHOST_USER_SET_VRING_NUM, 0, &st, sizeof(st), NULL, 0);
}

static const struct bad_case bad_cases[] = {
	{"truncated", "truncated payload", bad_truncated},
	{"fd count", "wrong number of fds", bad_fd_count},
	{"too many fds", "more fds than any message carries", bad_too_many_fds},
	{"unknown request", "request not supported", bad_unknown},
	{"version", "bad version", bad_version},
	{"overlap", "overlaps another in guest-physical space", bad_overlap},
	{"past file", "runs past the end of its file", bad_past_file},
	{"wrap", "wraps the address space", bad_wrap},
	{"add overlap", "ADD_MEM_REG gpa 0x80000 size 0x100000 offset 0x200000: region overlaps",
	 bad_add_overlap},
	{"ring address", "ring outside guest memory", bad_ring_addr},
	{"ring size", "ring size not in", bad_ring_size},
	{"vring index", "vring index out of range", bad_vring_index},
};

static int
test_vhost_malformed_messages(void)
{
	static const uint32_t lens[] = {60, 1514};
	char path[108];
	struct vfe good, bad;
	unsigned int i;
	int fds0;

	DPX_TEST_ASSERT(dpx_test_eal_init("--no-huge", NULL) > 0, "");
	fds0 = dpx_test_count_fds();
	DPX_TEST_RUN(vfe_session_open(&good, path, sizeof(path), "bad-msg"));
	DPX_TEST_RUN(vfe_bring_up(&good, WANT_ALL, false, 1));
	vfe_log_capture();
	for (i = 0; i < DPX_DIM(bad_cases); i++) {
		DPX_TEST_ASSERT_EQUAL(vfe_init(&bad, 4 << 20), 0, "");
		DPX_TEST_ASSERT_EQUAL(vfe_connect(&bad, path), 0, "");
		DPX_TEST_ASSERT_EQUAL(bad_cases[i].send(&bad), 0, "%s: sent", bad_cases[i].name);
		DPX_TEST_ASSERT_EQUAL(vfe_wait_closed(&bad, 3000), 0, "%s: connection closed",
				      bad_cases[i].name);
		DPX_TEST_ASSERT(vfe_log_has(bad_cases[i].reason), "%s: log names \"%s\"",
				bad_cases[i].name, bad_cases[i].reason);
		vfe_fini(&bad);
	}
	vfe_log_release();
	/* the good device kept serving */
	vfe_rx_post(&good, 0, 8, 1);
	DPX_TEST_RUN(check_to_guest(&good, vfe_ev.vid, 2, lens, 1, 1));
	DPX_TEST_RUN(check_to_host(&good, vfe_ev.vid, 2, lens, 1, 2));
	DPX_TEST_RUN(vfe_session_close(&good, path));
	vfe_closes_wait();
	DPX_TEST_ASSERT_EQUAL(dpx_test_count_fds(), fds0, "no fd leaked (received fds closed)");
	return DPX_TEST_SUCCESS;
}

DPX_TEST_REGISTER(vhost_malformed_messages, fast, test_vhost_malformed_messages);

/* ---- hostile rings: the ring stops, the device and process go on ---- */

enum bad_ring { RING_LOOP, RING_INDEX, RING_INDIRECT, RING_AVAIL_JUMP, RING_NESTED };

static int
bad_ring(struct vfe *fe, enum bad_ring kind)
{
	struct vring_desc *d = vfe_split_desc(fe, 1);
	struct vring_avail *av = vfe_ptr(fe, fe->q[1].avail_gpa);
	uint64_t buf = fe->q[1].data_gpa;

	switch (kind) {
	case RING_LOOP:
		/* empty buffers: only the loop bound can stop this walk */
		d[0] = (struct vring_desc){buf, 0, VRING_DESC_F_NEXT, 1};
		d[1] = (struct vring_desc){buf, 0, VRING_DESC_F_NEXT, 0};
		vfe_split_publish(fe, 1, 0);
		return 0;
	case RING_INDEX:
		vfe_split_publish(fe, 1, 300);
		return 0;
	case RING_INDIRECT:
		d[0] = (struct vring_desc){MEM_SIZE - 16, 64, VRING_DESC_F_INDIRECT, 0};
		vfe_split_publish(fe, 1, 0);
		return 0;
	case RING_NESTED:
		d[0] = (struct vring_desc){buf, 32, VRING_DESC_F_INDIRECT, 0};
		*(struct vring_desc *)vfe_ptr(fe, buf) =
			(struct vring_desc){buf, 32, VRING_DESC_F_INDIRECT, 0};
		vfe_split_publish(fe, 1, 0);
		return 0;
	default:
		__atomic_store_n(&av->idx, (uint16_t)1000, __ATOMIC_RELEASE);
		return 0;
	}
}

static int
test_vhost_malformed_rings(void)
{
	static const char *const reasons[] = {
		/* a loop in a ring of 256: the 64-descriptor bound ends it first */
		"chain has too many descriptors",
		"head index past the ring",
		"indirect table outside guest memory",
		"avail index moved more than the ring size",
		"nested indirect table",
	};
	static const uint32_t lens[] = {60, 1514};
	struct host_pkts p = {0};
	char path[108];
	struct vfe fe, good;
	unsigned int k;
	int fds0, vid, errfd;
	uint64_t u;

	DPX_TEST_ASSERT(dpx_test_eal_init("--no-huge", NULL) > 0, "");
	fds0 = dpx_test_count_fds();
	DPX_TEST_RUN(vfe_session_open(&good, path, sizeof(path), "bad-ring"));
	DPX_TEST_RUN(vfe_bring_up(&good, WANT_ALL & ~F(VIRTIO_F_RING_PACKED), false, 1));
	vfe_log_capture();
	for (k = 0; k < DPX_DIM(reasons); k++) {
		DPX_TEST_ASSERT_EQUAL(vfe_init(&fe, MEM_SIZE), 0, "");
		DPX_TEST_ASSERT_EQUAL(vfe_connect(&fe, path), 0, "");
		DPX_TEST_RUN(
			vfe_bring_up(&fe, WANT_ALL & ~F(VIRTIO_F_RING_PACKED), false, (int)k + 2));
		vid = vfe_ev.vid;
		errfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		u = 1;
		DPX_TEST_ASSERT_EQUAL(
			vfe_request(&fe, VHOST_USER_SET_VRING_ERR, &u, 8, &errfd, 1, NULL), 0, "");
		DPX_TEST_ASSERT_EQUAL(bad_ring(&fe, (enum bad_ring)k), 0, "");
		DPX_TEST_ASSERT_EQUAL(vhost_dequeue_segs(vid, 1, &seg_ops, &p, 32), 0, "case %u",
				      k);
		DPX_TEST_ASSERT(vfe_log_has(reasons[k]), "case %u: log names \"%s\"", k,
				reasons[k]);
		DPX_TEST_ASSERT_EQUAL(dpx_vhost_vring_is_enabled(vid, 1), 0, "ring stopped");
		DPX_TEST_ASSERT_EQUAL(read(errfd, &u, 8), 8, "error eventfd signalled");
		DPX_TEST_ASSERT_EQUAL(vhost_dequeue_segs(vid, 1, &seg_ops, &p, 32), 0,
				      "stays stopped");
		/* the device's other ring still works */
		vfe_rx_post(&fe, 0, 4, 1);
		DPX_TEST_RUN(check_to_guest(&fe, vid, 2, lens, 1, k));
		close(errfd);
		vfe_fini(&fe);
		DPX_TEST_ASSERT(vfe_wait_count(&vfe_ev.destroy_calls, (int)k + 1), "");
	}
	vfe_log_release();
	vfe_rx_post(&good, 0, 8, 1);
	DPX_TEST_RUN(check_to_guest(&good, 0, 2, lens, 1, 1));
	DPX_TEST_RUN(check_to_host(&good, 0, 2, lens, 1, 2));
	vfe_fini(&good);
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_driver_unregister(path), 0, "");
	vfe_closes_wait();
	DPX_TEST_ASSERT_EQUAL(dpx_test_count_fds(), fds0, "no fd leaked");
	return DPX_TEST_SUCCESS;
}

DPX_TEST_REGISTER(vhost_malformed_rings, fast, test_vhost_malformed_rings);

/* ---- dirty page log (LOG_ALL + LOG_SHMFD) ---- */

static int
log_bit(const uint8_t *log, uint64_t gpa)
{
	return (log[gpa / 4096 / 8] >> ((gpa / 4096) % 8)) & 1;
}

/* The front-end's view of the log while a burst runs: a backend that clears
 * the bitmap just before it copies is a front-end that reads and clears it
 * between a mark and its copy. Pages marked before the copy are then lost. */
static uint8_t *log_seen;
static size_t log_seen_size;

static void
copy_clearing_log(void *ctx, const struct vhost_copy *c, unsigned int n)
{
	(void)ctx;
	memset(log_seen, 0, log_seen_size);
	vhost_copy_cpu.run(NULL, c, n);
}

static const struct vhost_copy_backend copy_clearing = {"clearing", copy_clearing_log, NULL};

static int
dirty_log(bool packed, const char *name, bool clear_in_copy)
{
	static const uint32_t lens[] = {3000, 100};
	struct vhost_user_log l = {MEM_SIZE / 4096 / 8, 0};
	struct vhost_user_vring_addr a = {0};
	char path[108];
	struct vfe fe;
	uint8_t *log;
	uint64_t gpa, pages = 0;
	int lfd, fds0, vid;

	DPX_TEST_ASSERT(dpx_test_eal_init("--no-huge", NULL) > 0, "");
	fds0 = dpx_test_count_fds();
	DPX_TEST_RUN(vfe_session_open(&fe, path, sizeof(path), name));
	DPX_TEST_RUN(
		vfe_bring_up(&fe, WANT_ALL & ~(packed ? 0 : F(VIRTIO_F_RING_PACKED)), false, 1));
	DPX_TEST_ASSERT(fe.features & F(VHOST_F_LOG_ALL), "");
	vid = vfe_ev.vid;
	lfd = memfd_create("vfe-log", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	DPX_TEST_ASSERT(lfd >= 0 && ftruncate(lfd, (off_t)l.mmap_size) == 0, "");
	DPX_TEST_ASSERT_EQUAL(fcntl(lfd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW), 0, "");
	log = mmap(NULL, l.mmap_size, PROT_READ | PROT_WRITE, MAP_SHARED, lfd, 0);
	DPX_TEST_ASSERT(log != MAP_FAILED, "");
	DPX_TEST_ASSERT_EQUAL(
		vfe_request(&fe, VHOST_USER_SET_LOG_BASE, &l, sizeof(l), &lfd, 1, NULL), 0, "");
	close(lfd);
	/* log used-ring writes of the receive queue */
	a = (struct vhost_user_vring_addr){0,
					   VHOST_VRING_F_LOG,
					   (uint64_t)(uintptr_t)vfe_ptr(&fe, fe.q[0].desc_gpa),
					   (uint64_t)(uintptr_t)vfe_ptr(&fe, fe.q[0].used_gpa),
					   (uint64_t)(uintptr_t)vfe_ptr(&fe, fe.q[0].avail_gpa),
					   fe.q[0].used_gpa};
	DPX_TEST_ASSERT_EQUAL(
		vfe_request(&fe, VHOST_USER_SET_VRING_ADDR, &a, sizeof(a), NULL, 0, NULL), 0, "");
	vfe_rx_post(&fe, 0, 8, 1);
	if (clear_in_copy) {
		log_seen = log;
		log_seen_size = l.mmap_size;
		vhost_dev_get(vid)->copy = &copy_clearing;
	}
	DPX_TEST_RUN(check_to_guest(&fe, vid, 2, lens, 1, 7));
	/* 3012 bytes in three 1 KiB buffers of slots 0, 1, 2, 112 in slot 3's;
	 * the used ring's page */
	for (gpa = 0; gpa < MEM_SIZE; gpa += 4096)
		pages += log_bit(log, gpa);
	DPX_TEST_ASSERT(log_bit(log, fe.q[0].data_gpa), "first buffer's page");
	DPX_TEST_ASSERT(log_bit(log, fe.q[0].data_gpa + 2 * VFE_MAX_IND * 1024ULL),
			"third buffer's page");
	DPX_TEST_ASSERT(log_bit(log, fe.q[0].data_gpa + 3 * VFE_MAX_IND * 1024ULL),
			"fourth buffer's page (a packet in one buffer)");
	if (packed) {
		/* the used descriptors are written into the descriptor ring */
		DPX_TEST_ASSERT(log_bit(log, fe.q[0].desc_gpa), "descriptor ring page");
		DPX_TEST_ASSERT(!log_bit(log, fe.q[0].avail_gpa), "driver area not written");
	} else {
		DPX_TEST_ASSERT(log_bit(log, fe.q[0].used_gpa), "used ring page");
		DPX_TEST_ASSERT(!log_bit(log, fe.q[0].desc_gpa), "descriptor table not written");
	}
	DPX_TEST_ASSERT(pages >= 4 && pages <= 6, "%" PRIu64 " pages marked", pages);
	munmap(log, l.mmap_size);
	DPX_TEST_RUN(vfe_session_close(&fe, path));
	vfe_closes_wait();
	DPX_TEST_ASSERT_EQUAL(dpx_test_count_fds(), fds0, "no fd leaked");
	return DPX_TEST_SUCCESS;
}

CASE_OF(test_vhost_dirty_log, dirty_log(false, "log", false))
CASE_OF(test_vhost_dirty_log_packed, dirty_log(true, "log-packed", false))
CASE_OF(test_vhost_dirty_log_after_copy, dirty_log(false, "log-copy", true))
CASE_OF(test_vhost_dirty_log_after_copy_packed, dirty_log(true, "log-copy-packed", true))

DPX_TEST_REGISTER(vhost_dirty_log, fast, test_vhost_dirty_log);
DPX_TEST_REGISTER(vhost_dirty_log_packed, fast, test_vhost_dirty_log_packed);
DPX_TEST_REGISTER(vhost_dirty_log_after_copy, fast, test_vhost_dirty_log_after_copy);
DPX_TEST_REGISTER(vhost_dirty_log_after_copy_packed, fast, test_vhost_dirty_log_after_copy_packed);

/* ---- the mbuf API ---- */

static struct dpx_mbuf *
mbuf_chain_make(struct dpx_mempool *mp, uint32_t len, uint32_t seg, unsigned int seed)
{
	return vfe_mbuf_chain(mp, len, seg, seed, pattern);
}

static int
test_vhost_mbuf_burst(void)
{
	static const uint32_t lens[] = {60, 1514, 5000, 9000};
	struct dpx_mempool *mp, *small;
	struct dpx_mbuf *pkts[8], *rx[8];
	uint8_t got[10000], tmp[10000];
	const uint8_t *p;
	char path[108];
	struct vfe fe;
	unsigned int i;
	uint32_t k;
	int vid, fds0;

	DPX_TEST_ASSERT(dpx_test_eal_init("--no-huge", NULL) > 0, "");
	mp = dpx_pktmbuf_pool_create("vh_mp", 256, 0, 0, DPX_MBUF_DEFAULT_BUF_SIZE, -1);
	small = dpx_pktmbuf_pool_create("vh_small", 64, 0, 0, 512 + DPX_PKTMBUF_HEADROOM, -1);
	DPX_TEST_ASSERT(mp != NULL && small != NULL, "pools: %s", dpx_strerror(dpx_errno));
	fds0 = dpx_test_count_fds();
	DPX_TEST_RUN(vfe_session_open(&fe, path, sizeof(path), "mbuf"));
	DPX_TEST_RUN(vfe_bring_up(&fe, WANT_ALL, false, 1));
	vid = vfe_ev.vid;
	/* host to guest: chains of 700-byte segments */
	for (i = 0; i < DPX_DIM(lens); i++) {
		pkts[i] = mbuf_chain_make(mp, lens[i], 700, i);
		DPX_TEST_ASSERT(pkts[i] != NULL, "");
	}
	vfe_rx_post(&fe, 0, 64, 1);
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_enqueue_burst(vid, 0, pkts, DPX_DIM(lens)), DPX_DIM(lens),
			      "");
	for (i = 0; i < DPX_DIM(lens); i++) {
		DPX_TEST_ASSERT_EQUAL(vfe_rx_take(&fe, 0, got, sizeof(got)), lens[i], "");
		for (k = 0; k < lens[i]; k++)
			DPX_TEST_ASSERT_EQUAL(got[k], pattern(i, k), "packet %u byte %u", i, k);
	}
	dpx_pktmbuf_free_bulk(pkts, DPX_DIM(lens));
	/* guest to host into 512-byte mbufs: chains as long as needed */
	for (i = 0; i < 3; i++) {
		for (k = 0; k < lens[i]; k++)
			tmp[k] = pattern(10 + i, k);
		DPX_TEST_ASSERT_EQUAL(vfe_tx_post(&fe, 1, tmp, lens[i], 3), 0, "");
	}
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_dequeue_burst(vid, 1, small, rx, 8), 3, "");
	for (i = 0; i < 3; i++) {
		DPX_TEST_ASSERT_EQUAL(rx[i]->pkt_len, lens[i], "");
		DPX_TEST_ASSERT_EQUAL(rx[i]->nb_segs, (lens[i] + 511) / 512, "");
		p = dpx_pktmbuf_read(rx[i], 0, lens[i], got);
		for (k = 0; k < lens[i]; k++)
			DPX_TEST_ASSERT_EQUAL(p[k], pattern(10 + i, k), "packet %u byte %u", i, k);
	}
	dpx_pktmbuf_free_bulk(rx, 3);
	DPX_TEST_ASSERT_EQUAL(vfe_tx_reclaim(&fe, 1), 3, "");
	/* pool exhausted: the packet stays in the guest's ring until mbufs come back */
	struct dpx_mbuf *hold[64];
	unsigned int nhold = 0;
	while (nhold < 64 && (hold[nhold] = dpx_pktmbuf_alloc(small)) != NULL)
		nhold++;
	for (k = 0; k < 1514; k++)
		tmp[k] = pattern(20, k);
	DPX_TEST_ASSERT_EQUAL(vfe_tx_post(&fe, 1, tmp, 1514, 1), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_dequeue_burst(vid, 1, small, rx, 8), 0, "no mbufs");
	DPX_TEST_ASSERT_EQUAL(vfe_tx_reclaim(&fe, 1), 0, "not consumed");
	dpx_pktmbuf_free_bulk(hold, nhold);
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_dequeue_burst(vid, 1, small, rx, 8), 1, "");
	p = dpx_pktmbuf_read(rx[0], 0, 1514, got);
	for (k = 0; k < 1514; k++)
		DPX_TEST_ASSERT_EQUAL(p[k], pattern(20, k), "byte %u", k);
	dpx_pktmbuf_free(rx[0]);
	DPX_TEST_ASSERT_EQUAL(dpx_mempool_in_use_count(mp), 0, "every mbuf back");
	DPX_TEST_ASSERT_EQUAL(dpx_mempool_in_use_count(small), 0, "every mbuf back");
	DPX_TEST_RUN(vfe_session_close(&fe, path));
	vfe_closes_wait();
	DPX_TEST_ASSERT_EQUAL(dpx_test_count_fds(), fds0, "no fd leaked");
	dpx_mempool_free(mp);
	dpx_mempool_free(small);
	return DPX_TEST_SUCCESS;
}

DPX_TEST_REGISTER(vhost_mbuf_burst, fast, test_vhost_mbuf_burst);

/* ---- data path failures and counters ---- */

/* A chain no mbuf chain can hold is dropped (returned, counted once); the
 * packets behind it still flow. Only an empty pool leaves a chain in the ring. */
static int
dequeue_drop(bool packed, const char *name)
{
	struct dpx_vhost_vring_stats st;
	struct dpx_mbuf *rx[8];
	struct dpx_mempool *tiny;
	uint8_t tmp[3000], got[128];
	const uint8_t *p;
	char path[108];
	struct vfe fe;
	uint32_t k;
	int vid, r;

	DPX_TEST_ASSERT(dpx_test_eal_init("--no-huge", NULL) > 0, "");
	/* 64 data bytes a mbuf, 32 segments a packet at most: 2048 bytes */
	tiny = dpx_pktmbuf_pool_create(name, 256, 0, 0, 64 + DPX_PKTMBUF_HEADROOM, -1);
	DPX_TEST_ASSERT(tiny != NULL, "pool: %s", dpx_strerror(dpx_errno));
	DPX_TEST_RUN(vfe_session_open(&fe, path, sizeof(path), name));
	DPX_TEST_RUN(vfe_bring_up(&fe, WANT_ALL & ~(packed ? 0 : F(VIRTIO_F_RING_PACKED)), false, 1));
	vid = vfe_ev.vid;
	for (k = 0; k < sizeof(tmp); k++)
		tmp[k] = pattern(3, k);
	DPX_TEST_ASSERT_EQUAL(vfe_tx_post(&fe, 1, tmp, 3000, 2), 0, "");
	DPX_TEST_ASSERT_EQUAL(vfe_tx_post(&fe, 1, tmp, 100, 1), 0, "");
	r = dpx_vhost_dequeue_burst(vid, 1, tiny, rx, 8);
	DPX_TEST_ASSERT_EQUAL(r, 1, "the 3000-byte chain dropped, the next one delivered");
	DPX_TEST_ASSERT_EQUAL(rx[0]->pkt_len, 100, "");
	DPX_TEST_ASSERT_EQUAL(rx[0]->nb_segs, 2, "");
	p = dpx_pktmbuf_read(rx[0], 0, 100, got);
	for (k = 0; k < 100; k++)
		DPX_TEST_ASSERT_EQUAL(p[k], pattern(3, k), "byte %u", k);
	dpx_pktmbuf_free(rx[0]);
	DPX_TEST_ASSERT_EQUAL(vfe_tx_reclaim(&fe, 1), 2, "both chains returned to the guest");
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_dequeue_burst(vid, 1, tiny, rx, 8), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_dequeue_burst(vid, 1, tiny, rx, 8), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_vring_stats_get(vid, 1, &st, 0), 0, "");
	DPX_TEST_ASSERT_EQUAL(st.errors, 1, "counted once, not on every poll");
	DPX_TEST_ASSERT_EQUAL(st.packets, 1, "");
	DPX_TEST_ASSERT_EQUAL(dpx_mempool_in_use_count(tiny), 0, "every mbuf back");
	DPX_TEST_RUN(vfe_session_close(&fe, path));
	dpx_mempool_free(tiny);
	return DPX_TEST_SUCCESS;
}

CASE_OF(test_vhost_dequeue_drop, dequeue_drop(false, "deq-drop"))
CASE_OF(test_vhost_dequeue_drop_packed, dequeue_drop(true, "deq-drop-packed"))

DPX_TEST_REGISTER(vhost_dequeue_drop, fast, test_vhost_dequeue_drop);
DPX_TEST_REGISTER(vhost_dequeue_drop_packed, fast, test_vhost_dequeue_drop_packed);

/* A packet that does not fit leaves the guest's buffers as they were: its
 * copies are taken out of the batch with it. */
static int
enqueue_undo(bool packed, bool mrg, const char *name)
{
	static const uint32_t big[] = {1500}, small[] = {200};
	struct vfe_queue *q;
	char path[108];
	uint8_t *data;
	size_t size, k;
	struct vfe fe;
	struct host_pkts p;
	uint64_t want = WANT_ALL;
	int vid;

	DPX_TEST_ASSERT(dpx_test_eal_init("--no-huge", NULL) > 0, "");
	if (!packed)
		want &= ~F(VIRTIO_F_RING_PACKED);
	if (!mrg)
		want &= ~F(VIRTIO_NET_F_MRG_RXBUF);
	DPX_TEST_RUN(vfe_session_open(&fe, path, sizeof(path), name));
	DPX_TEST_RUN(vfe_bring_up(&fe, want, false, 1));
	vid = vfe_ev.vid;
	q = &fe.q[0];
	size = (size_t)q->buflen * VFE_MAX_IND * q->size;
	data = vfe_ptr(&fe, q->data_gpa);
	DPX_TEST_ASSERT(data != NULL, "");
	memset(data, 0xa5, size);
	/* one 1024-byte buffer: 1500 bytes never fit without MRG_RXBUF, and with
	 * it there is no second buffer yet */
	DPX_TEST_ASSERT_EQUAL(vfe_rx_post(&fe, 0, 1, 1), 1, "");
	pkts_make(&p, 1, big, 1, 5);
	DPX_TEST_ASSERT_EQUAL(vhost_enqueue_segs(vid, 0, &seg_ops, &p, 1), 0, "");
	pkts_free(&p);
	for (k = 0; k < size; k++)
		DPX_TEST_ASSERT_EQUAL(data[k], 0xa5, "guest byte %zu written by an undone packet", k);
	/* the buffer is still the guest's to use: the next packet lands in it */
	DPX_TEST_RUN(check_to_guest(&fe, vid, 1, small, 1, 9));
	DPX_TEST_RUN(vfe_session_close(&fe, path));
	return DPX_TEST_SUCCESS;
}

CASE_OF(test_vhost_enqueue_undo, enqueue_undo(false, false, "undo"))
CASE_OF(test_vhost_enqueue_undo_mrg, enqueue_undo(false, true, "undo-mrg"))
CASE_OF(test_vhost_enqueue_undo_packed, enqueue_undo(true, true, "undo-packed"))

DPX_TEST_REGISTER(vhost_enqueue_undo, fast, test_vhost_enqueue_undo);
DPX_TEST_REGISTER(vhost_enqueue_undo_mrg, fast, test_vhost_enqueue_undo_mrg);
DPX_TEST_REGISTER(vhost_enqueue_undo_packed, fast, test_vhost_enqueue_undo_packed);

/* A reset while a burst is counting: the counters read after it never hold
 * more than what moved since (a reset that zeroed them under a counting
 * burst lost itself to the burst's store of the old value plus one). */
struct race {
	struct vfe *fe;
	int vid;
	uint64_t moved; /* packets the burst thread saw delivered (atomic) */
	int stop;
};

static void *
race_bursts(void *arg)
{
	static const uint32_t lens[VHOST_MAX_BURST] = {[0 ... VHOST_MAX_BURST - 1] = 64};
	struct race *r = arg;
	struct host_pkts p;
	uint8_t got[2048];
	uint16_t n;

	pkts_make(&p, 32, lens, 1, 1);
	while (!__atomic_load_n(&r->stop, __ATOMIC_ACQUIRE)) {
		vfe_rx_post(r->fe, 0, 32, 1);
		n = vhost_enqueue_segs(r->vid, 0, &seg_ops, &p, 32);
		__atomic_fetch_add(&r->moved, n, __ATOMIC_RELEASE);
		while (vfe_rx_take(r->fe, 0, got, sizeof(got)) > 0)
			;
	}
	pkts_free(&p);
	return NULL;
}

static int
test_vhost_stats_reset_race(void)
{
	static const uint32_t lens3[] = {60, 60, 60};
	struct dpx_vhost_vring_stats st, owned;
	struct race r = {0};
	uint64_t before, after, bad = 0, worst = 0, resets = 0, last, next = 0;
	char path[108];
	struct vfe fe;
	pthread_t t;
	unsigned int i;

	DPX_TEST_ASSERT(dpx_test_eal_init("--no-huge", NULL) > 0, "");
	DPX_TEST_RUN(vfe_session_open(&fe, path, sizeof(path), "stats-race"));
	DPX_TEST_RUN(vfe_bring_up(&fe, WANT_ALL & ~F(VIRTIO_F_RING_PACKED), false, 1));
	r.fe = &fe;
	r.vid = vfe_ev.vid;
	vfe_no_interrupts(&fe, 0);
	/* what makes the race impossible: a reset never writes the counters a
	 * burst owns (it moves a base the readers subtract) */
	vfe_rx_post(&fe, 0, 8, 1);
	DPX_TEST_RUN(check_to_guest(&fe, r.vid, 3, lens3, 1, 4));
	owned = vhost_dev_get(r.vid)->vq[0]->stats;
	DPX_TEST_ASSERT_EQUAL(owned.packets, 3, "");
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_vring_stats_get(r.vid, 0, &st, 1), 0, "");
	DPX_TEST_ASSERT_EQUAL(st.packets, 3, "");
	DPX_TEST_ASSERT(memcmp(&owned, &vhost_dev_get(r.vid)->vq[0]->stats, sizeof(owned)) == 0,
			"the reset wrote the burst's counters");
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_vring_stats_get(r.vid, 0, &st, 0), 0, "");
	DPX_TEST_ASSERT_EQUAL(st.packets + st.bytes + st.size_bins[0], 0, "read as zero after it");
	DPX_TEST_ASSERT_EQUAL(pthread_create(&t, NULL, race_bursts, &r), 0, "");
	/* a reset every 1000 packets or so, over 2 million: a reset lost to a
	 * counting burst leaves a thousand packets or more in the next read */
	for (i = 0; i < 200000000; i++) {
		last = __atomic_load_n(&r.moved, __ATOMIC_ACQUIRE);
		if (last >= 2000000)
			break;
		if (last < next)
			continue;
		next = last + 1000;
		resets++;
		before = __atomic_load_n(&r.moved, __ATOMIC_ACQUIRE);
		DPX_TEST_ASSERT_EQUAL(dpx_vhost_vring_stats_get(r.vid, 0, &st, 1), 0, "");
		DPX_TEST_ASSERT_EQUAL(dpx_vhost_vring_stats_get(r.vid, 0, &st, 0), 0, "");
		after = __atomic_load_n(&r.moved, __ATOMIC_ACQUIRE);
		/* one burst may have counted without being added to moved yet */
		if (st.packets > after - before + VHOST_MAX_BURST) {
			bad++;
			worst = DPX_MAX(worst, st.packets - (after - before));
		}
		i = 0; /* the bound is on polls without progress, not on resets */
	}
	__atomic_store_n(&r.stop, 1, __ATOMIC_RELEASE);
	pthread_join(t, NULL);
	DPX_TEST_ASSERT_EQUAL(bad, 0,
			      "reads after a reset above what moved (worst by %" PRIu64
			      ", %" PRIu64 " resets)",
			      worst, resets);
	DPX_TEST_ASSERT(resets >= 20, "%" PRIu64 " resets while bursts ran", resets);
	DPX_TEST_RUN(vfe_session_close(&fe, path));
	return DPX_TEST_SUCCESS;
}

DPX_TEST_REGISTER(vhost_stats_reset_race, fast, test_vhost_stats_reset_race);

/* ---- ring stop/restart, RARP, a second queue pair ---- */

static int
test_vhost_ring_control(void)
{
	static const uint32_t lens[] = {60, 1514, 300};
	struct vhost_user_vring_state st = {1, 0};
	uint8_t mac[8] = {0x52, 0x54, 0x00, 0xab, 0xcd, 0xef, 0, 0};
	struct host_pkts p = {0};
	char path[108];
	struct vfe fe;
	uint64_t base, u;
	int vid, fds0;

	DPX_TEST_ASSERT(dpx_test_eal_init("--no-huge", NULL) > 0, "");
	fds0 = dpx_test_count_fds();
	DPX_TEST_RUN(vfe_session_open(&fe, path, sizeof(path), "ringctl"));
	DPX_TEST_RUN(vfe_bring_up(&fe, WANT_ALL & ~F(VIRTIO_F_RING_PACKED), false, 1));
	vid = vfe_ev.vid;
	DPX_TEST_RUN(check_to_host(&fe, vid, 3, lens, 1, 1));
	/* SEND_RARP: the next dequeue starts with a RARP frame for that MAC */
	memcpy(&u, mac, 8);
	DPX_TEST_ASSERT_EQUAL(vfe_request(&fe, VHOST_USER_SEND_RARP, &u, 8, NULL, 0, NULL), 0, "");
	DPX_TEST_ASSERT_EQUAL(vhost_dequeue_segs(vid, 1, &seg_ops, &p, 8), 1, "");
	DPX_TEST_ASSERT_EQUAL(p.len[0], 60, "");
	DPX_TEST_ASSERT(memcmp(p.data[0] + 6, mac, 6) == 0 && p.data[0][12] == 0x80 &&
				p.data[0][13] == 0x35 && memcmp(p.data[0] + 22, mac, 6) == 0,
			"RARP frame");
	pkts_free(&p);
	DPX_TEST_ASSERT_EQUAL(vhost_dequeue_segs(vid, 1, &seg_ops, &p, 8), 0, "only once");
	/* a second queue pair: vrings 2 and 3, state changes reported while running */
	DPX_TEST_ASSERT_EQUAL(vfe_queue_setup(&fe, 2, 128, 2048, false), 0, "");
	DPX_TEST_ASSERT_EQUAL(vfe_queue_setup(&fe, 3, 128, 2048, false), 0, "");
	DPX_TEST_ASSERT_EQUAL(vfe_ev.state_calls, 2, "SET_VRING_ENABLE of vrings 2 and 3");
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_get_vring_num(vid), 4, "");
	vfe_rx_post(&fe, 2, 4, 1);
	pkts_make(&p, 2, lens, 2, 5);
	DPX_TEST_ASSERT_EQUAL(vhost_enqueue_segs(vid, 2, &seg_ops, &p, 2), 2, "");
	pkts_free(&p);
	uint8_t got[2048];
	DPX_TEST_ASSERT_EQUAL(vfe_rx_take(&fe, 2, got, sizeof(got)), 60, "");
	DPX_TEST_ASSERT_EQUAL(vfe_rx_take(&fe, 2, got, sizeof(got)), 1514, "");
	DPX_TEST_ASSERT_EQUAL(got[1513], pattern(5 + 1, 1513), "");
	/* GET_VRING_BASE stops the ring and reports where the device stopped */
	DPX_TEST_ASSERT_EQUAL(
		vfe_request(&fe, VHOST_USER_GET_VRING_BASE, &st, sizeof(st), NULL, 0, &base), 0,
		"");
	DPX_TEST_ASSERT_EQUAL(base >> 32, 3, "next avail index: 3 packets taken");
	DPX_TEST_ASSERT(vfe_wait_count(&vfe_ev.destroy_calls, 1), "device stopped");
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_vring_is_enabled(vid, 1), 0, "");
	DPX_TEST_ASSERT_EQUAL(vhost_dequeue_segs(vid, 1, &seg_ops, &p, 8), 0, "");
	/* restart the ring where it stopped (SET_VRING_BASE, KICK): running again */
	st.num = 3;
	DPX_TEST_ASSERT_EQUAL(
		vfe_request(&fe, VHOST_USER_SET_VRING_BASE, &st, sizeof(st), NULL, 0, NULL), 0, "");
	u = 1;
	DPX_TEST_ASSERT_EQUAL(
		vfe_request(&fe, VHOST_USER_SET_VRING_KICK, &u, 8, &fe.q[1].kickfd, 1, NULL), 0,
		"");
	DPX_TEST_ASSERT(vfe_wait_count(&vfe_ev.new_calls, 2), "running again");
	DPX_TEST_RUN(check_to_host(&fe, vid, 3, lens, 2, 9));
	vfe_fini(&fe);
	DPX_TEST_ASSERT(vfe_wait_count(&vfe_ev.destroy_calls, 2), "");
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_driver_unregister(path), 0, "");
	vfe_closes_wait();
	DPX_TEST_ASSERT_EQUAL(dpx_test_count_fds(), fds0, "no fd leaked");
	return DPX_TEST_SUCCESS;
}

DPX_TEST_REGISTER(vhost_ring_control, fast, test_vhost_ring_control);

/* ---- tiny guest buffers: the header spans descriptors, packets span chains ---- */

static int
test_vhost_tiny_buffers(void)
{
	static const uint32_t lens[] = {1, 20, 52, 100, 333};
	char path[108];
	struct vfe fe;
	int vid;

	DPX_TEST_ASSERT(dpx_test_eal_init("--no-huge", NULL) > 0, "");
	DPX_TEST_RUN(vfe_session_open(&fe, path, sizeof(path), "tiny"));
	DPX_TEST_ASSERT_EQUAL(vfe_negotiate(&fe, WANT_ALL & ~F(VIRTIO_F_RING_PACKED)), 0, "");
	DPX_TEST_ASSERT_EQUAL(vfe_set_mem_table(&fe), 0, "");
	/* receive chains of 8 descriptors of 8 bytes: 64 bytes per chain */
	DPX_TEST_ASSERT_EQUAL(vfe_queue_setup(&fe, 0, 256, 8, false), 0, "");
	DPX_TEST_ASSERT_EQUAL(vfe_queue_setup(&fe, 1, 256, 64, false), 0, "");
	DPX_TEST_ASSERT_EQUAL(vfe_driver_ok(&fe), 0, "");
	DPX_TEST_ASSERT(vfe_wait_count(&vfe_ev.new_calls, 1), "");
	vid = vfe_ev.vid;
	vfe_rx_post(&fe, 0, 30, 8);
	DPX_TEST_RUN(check_to_guest(&fe, vid, DPX_DIM(lens), lens, 3, 40));
	/* transmit chains of 8 x 64 bytes: the header in a descriptor of its own or split */
	DPX_TEST_RUN(check_to_host(&fe, vid, 3, lens + 2, 8, 41));
	DPX_TEST_RUN(vfe_session_close(&fe, path));
	return DPX_TEST_SUCCESS;
}

DPX_TEST_REGISTER(vhost_tiny_buffers, fast, test_vhost_tiny_buffers);

/* A packed ring's base given before the features made it packed, past the
 * ring: refused when the ring is set up (no read outside the ring). */
static int
test_vhost_packed_base_order(void)
{
	struct vhost_user_vring_state st = {0, 256};
	struct vhost_user_vring_addr a = {0};
	char path[108];
	struct vfe fe;
	uint64_t f;

	DPX_TEST_ASSERT(dpx_test_eal_init("--no-huge", NULL) > 0, "");
	DPX_TEST_RUN(vfe_session_open(&fe, path, sizeof(path), "base-order"));
	vfe_log_capture();
	DPX_TEST_ASSERT_EQUAL(
		vfe_request(&fe, VHOST_USER_SET_VRING_NUM, &st, sizeof(st), NULL, 0, NULL), 0, "");
	st.num = 1000; /* a split ring may stop anywhere: accepted */
	DPX_TEST_ASSERT_EQUAL(
		vfe_request(&fe, VHOST_USER_SET_VRING_BASE, &st, sizeof(st), NULL, 0, NULL), 0, "");
	f = F(VIRTIO_F_VERSION_1) | F(VIRTIO_F_RING_PACKED);
	DPX_TEST_ASSERT_EQUAL(vfe_request(&fe, VHOST_USER_SET_FEATURES, &f, 8, NULL, 0, NULL), 0,
			      "");
	fe.features = f;
	DPX_TEST_ASSERT_EQUAL(vfe_set_mem_table(&fe), 0, "");
	a.desc_user_addr = (uint64_t)(uintptr_t)vfe_ptr(&fe, 0x10000);
	a.avail_user_addr = (uint64_t)(uintptr_t)vfe_ptr(&fe, 0x20000);
	a.used_user_addr = (uint64_t)(uintptr_t)vfe_ptr(&fe, 0x21000);
	/* the ring's addresses are checked with the base it will run from */
	DPX_TEST_ASSERT_EQUAL(vfe_send(&fe, VHOST_USER_SET_VRING_ADDR, 0, &a, sizeof(a), NULL, 0),
			      0, "");
	DPX_TEST_ASSERT_EQUAL(vfe_wait_closed(&fe, 3000), 0, "device closed");
	DPX_TEST_ASSERT(vfe_log_has("size 256: packed ring base past the ring"), "");
	vfe_log_release();
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_vring_is_enabled(0, 0), -ENODEV, "device gone");
	DPX_TEST_ASSERT_EQUAL(vfe_ev.new_calls, 0, "");
	vfe_fini(&fe);
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_driver_unregister(path), 0, "");
	return DPX_TEST_SUCCESS;
}

DPX_TEST_REGISTER(vhost_packed_base_order, fast, test_vhost_packed_base_order);

/* ---- random hostile message sequences while the data path runs ---- */

static int soak_allow = 0;
static int soak_busy = 0;
static int soak_vid = -1;

static int soak_runs;

static int
soak_new(int vid)
{
	soak_vid = vid;
	soak_runs++;
	__atomic_store_n(&soak_allow, 1, __ATOMIC_SEQ_CST);
	return 0;
}

static void
soak_destroy(int vid)
{
	(void)vid;
	/* the application's side of the contract: no burst after this returns */
	__atomic_store_n(&soak_allow, 0, __ATOMIC_SEQ_CST);
	while (__atomic_load_n(&soak_busy, __ATOMIC_SEQ_CST))
		;
}

static const struct dpx_vhost_device_ops soak_ops = {.new_device = soak_new,
						     .destroy_device = soak_destroy};

static uint64_t soak_rng = 0x9e3779b97f4a7c15ULL;

static uint64_t
rnd(void)
{
	return dpx_test_rand(&soak_rng);
}

/* A message that is sometimes right and often a little wrong. */
static void
soak_message(struct vfe *fe, int *fds, unsigned int *nfds, uint8_t *buf, size_t *len)
{
	static const uint32_t reqs[] = {1,  2,	3,  4,	5,  6,	7,  8,	9,  10, 11, 12, 13, 14,
					15, 16, 17, 18, 19, 20, 21, 36, 37, 38, 39, 40, 99};
	uint32_t req = reqs[rnd() % DPX_DIM(reqs)];
	const struct vhost_msg_rule *r = vhost_msg_rule_get(req);
	struct vhost_user_hdr h = {req, VHOST_USER_VERSION, 0};
	union vhost_user_payload p;
	uint64_t base = (uint64_t)(uintptr_t)fe->mem, k;

	memset(&p, 0, sizeof(p));
	for (k = 0; k < sizeof(p) / 8; k++)
		((uint64_t *)&p)[k] = rnd() % 4 == 0 ? rnd() : rnd() % 4096;
	switch (req) {
	case VHOST_USER_SET_MEM_TABLE:
		p.mem.nregions = 1 + (uint32_t)(rnd() % 2);
		for (k = 0; k < p.mem.nregions; k++)
			p.mem.regions[k] = (struct vhost_user_mem_region){
				k << 22, (rnd() % 2 ? 4ULL : 1 + rnd() % 64) << 20,
				base + (k << 22), k << 22};
		break;
	case VHOST_USER_ADD_MEM_REG:
	case VHOST_USER_REM_MEM_REG:
		k = rnd() % 8;
		p.mem_reg.region = (struct vhost_user_mem_region){k << 22, 4ULL << 20,
								  base + (k << 22), k << 22};
		break;
	case VHOST_USER_SET_VRING_ADDR:
		p.addr.index = (uint32_t)(rnd() % 3);
		p.addr.desc_user_addr = base + (rnd() % 64) * 4096;
		p.addr.avail_user_addr = base + (rnd() % 64) * 4096 + (rnd() % 2) * 6;
		p.addr.used_user_addr = base + (rnd() % 64) * 4096;
		break;
	case VHOST_USER_SET_VRING_NUM:
	case VHOST_USER_SET_VRING_BASE:
	case VHOST_USER_GET_VRING_BASE:
	case VHOST_USER_SET_VRING_ENABLE:
		p.state.index = (uint32_t)(rnd() % 3);
		p.state.num = (uint32_t)(rnd() % 3 == 0 ? rnd() : 1u << (rnd() % 10));
		if (req == VHOST_USER_SET_VRING_ENABLE)
			p.state.num = (uint32_t)(rnd() % 3);
		break;
	case VHOST_USER_SET_FEATURES:
		p.u64 = rnd() & ~0ULL;
		if (rnd() % 2)
			p.u64 = F(VIRTIO_F_VERSION_1) | F(VIRTIO_NET_F_MRG_RXBUF) |
				(rnd() % 2 ? F(VIRTIO_F_RING_PACKED) : 0) |
				F(VIRTIO_RING_F_INDIRECT_DESC) | F(VIRTIO_RING_F_EVENT_IDX);
		break;
	case VHOST_USER_SET_VRING_KICK:
	case VHOST_USER_SET_VRING_CALL:
	case VHOST_USER_SET_VRING_ERR:
		p.u64 = rnd() % 3 | (rnd() % 4 == 0 ? VHOST_USER_VRING_NOFD_MASK : 0);
		break;
	default:
		break;
	}
	h.size = r != NULL && r->size_rule == VHOST_MSG_SIZE_EXACT ? r->size : 0;
	if (req == VHOST_USER_SET_MEM_TABLE)
		h.size = 8 + 32 * p.mem.nregions;
	if (rnd() % 8 == 0)
		h.size = (uint32_t)(rnd() % 300);
	if (rnd() % 16 == 0)
		h.flags = (uint32_t)rnd();
	*nfds = (unsigned int)(rnd() % 8 == 0 ? rnd() % 3 : 0);
	if (r != NULL && (r->fds_min > 0 || req == VHOST_USER_SET_MEM_TABLE))
		*nfds = req == VHOST_USER_SET_MEM_TABLE ? p.mem.nregions : 1;
	if ((req >= VHOST_USER_SET_VRING_KICK && req <= VHOST_USER_SET_VRING_ERR))
		*nfds = (p.u64 & VHOST_USER_VRING_NOFD_MASK) ? 0 : 1;
	for (k = 0; k < *nfds; k++)
		fds[k] = (req == 5 || req == 6 || req == 37) ? fe->memfd : eventfd(0, EFD_CLOEXEC);
	memcpy(buf, &h, sizeof(h));
	memcpy(buf + sizeof(h), &p, h.size < sizeof(p) ? h.size : sizeof(p));
	*len = sizeof(h) + (h.size < sizeof(p) ? h.size : sizeof(p));
}

static void
soak_burst(void)
{
	static const uint32_t lens[] = {60, 1514, 3000};
	struct host_pkts p;

	__atomic_store_n(&soak_busy, 1, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&soak_allow, __ATOMIC_SEQ_CST)) {
		pkts_make(&p, 3, lens, 2, 1);
		vhost_enqueue_segs(soak_vid, 0, &seg_ops, &p, 3);
		pkts_free(&p);
		memset(&p, 0, sizeof(p));
		vhost_dequeue_segs(soak_vid, 1, &seg_ops, &p, 8);
		pkts_free(&p);
	}
	__atomic_store_n(&soak_busy, 0, __ATOMIC_SEQ_CST);
}

static int
test_vhost_hostile_sequences(void)
{
	uint8_t buf[600], junk[4096];
	int fds[8], fds0, closed = 0, started = 0;
	unsigned int nfds, i, k;
	char path[108];
	struct vfe fe;
	size_t len;

	DPX_TEST_ASSERT(dpx_test_eal_init("--no-huge", NULL) > 0, "");
	dpx_log_set_global_level(DPX_LOG_CRIT); /* thousands of expected error lines */
	fds0 = dpx_test_count_fds();
	vfe_sock_path(path, sizeof(path), "soak");
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_driver_register(path, 0), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_driver_callback_register(path, &soak_ops, NULL), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_driver_start(path), 0, "");
	DPX_TEST_ASSERT_EQUAL(vfe_init(&fe, 32 << 20), 0, "");
	DPX_TEST_ASSERT_EQUAL(vfe_connect(&fe, path), 0, "");
	if (getenv("DPX_TEST_SEED") != NULL)
		soak_rng = strtoull(getenv("DPX_TEST_SEED"), NULL, 0) | 1;
	printf("seed 0x%" PRIx64 " (DPX_TEST_SEED)\n", soak_rng);
	for (i = 0; i < 20000; i++) {
		if (i % 50 == 0) {
			/* now and then a proper start, so the hostile part hits running rings */
			vfe_disconnect(&fe);
			DPX_TEST_ASSERT_EQUAL(vfe_connect(&fe, path), 0, "");
			if (vfe_negotiate(&fe,
					  WANT_ALL & ~(i % 100 ? 0 : F(VIRTIO_F_RING_PACKED))) ==
				    0 &&
			    vfe_set_mem_table(&fe) == 0 &&
			    vfe_queue_setup(&fe, 0, 64, 2048, false) == 0 &&
			    vfe_queue_setup(&fe, 1, 64, 2048, false) == 0 &&
			    vfe_driver_ok(&fe) == 0) {
				vfe_rx_post(&fe, 0, 16, 1);
				started++;
			}
			fe.bump = 0x1000;
		}
		soak_message(&fe, fds, &nfds, buf, &len);
		int rc = vfe_send_raw(&fe, buf, len, fds, nfds);

		for (k = 0; k < nfds; k++)
			if (fds[k] != fe.memfd)
				close(fds[k]);
		/* a guest scribbling on its rings meanwhile */
		for (k = 0; k < 8; k++)
			((uint64_t *)fe.mem)[rnd() % (64 * 4096 / 8)] = rnd();
		soak_burst();
		ssize_t r = recv(fe.sock, junk, sizeof(junk), MSG_DONTWAIT);
		if (rc < 0 || r == 0) {
			vfe_disconnect(&fe);
			closed++;
			DPX_TEST_ASSERT_EQUAL(vfe_connect(&fe, path), 0, "reconnect %d", closed);
		}
	}
	printf("20000 messages, %d proper starts, %d devices ran, %d connections closed by the "
	       "backend\n",
	       started, soak_runs, closed);
	DPX_TEST_ASSERT(soak_runs > 0, "the data path ran against hostile rings");
	DPX_TEST_ASSERT(closed > 10, "hostile messages were refused");
	vfe_fini(&fe);
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_driver_unregister(path), 0, "");
	vfe_closes_wait();
	DPX_TEST_ASSERT_EQUAL(dpx_test_count_fds(), fds0, "no fd leaked");
	return DPX_TEST_SUCCESS;
}

DPX_TEST_REGISTER(vhost_hostile_sequences, fast, test_vhost_hostile_sequences);
