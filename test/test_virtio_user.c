/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * net_virtio_user against dpx's own vhost-user back-end (lib/vhost) in the
 * same process: both ring layouts, mergeable buffers on and off, two queue
 * pairs, every byte checked both ways; the heap growing while traffic runs
 * (the back-end maps the new page, buffers in it carry traffic) and shrinking
 * (the region goes); a back-end that refuses a region refuses the
 * allocation; the back-end restarting in server mode and in client mode.
 * In a guest with VT-d (vhost_async_edu_guest): the back-end async on QEMU's
 * edu through the real IOMMU both ways, and a removed region's IOVA gone from it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <dpx_dmadev.h>
#include <dpx_ethdev.h>
#include <dpx_ethdev_driver.h>
#include <dpx_malloc.h>
#include <dpx_mbuf.h>
#include <dpx_memory.h>
#include <dpx_mempool.h>
#include <dpx_page_pool.h>
#include <dpx_vhost.h>
#include <dpx_vhost_async.h>

#include "dma_fake.h"
#include "dpx_test.h"
#include "fwd_pkt.h"
#include "guest_helpers.h"
#include "test_ethdev_util.h"
#include "virtio_user.h"

#define MAX_REGIONS 64

/* What the back-end's callbacks saw (vhost thread writes, test reads). */
static struct {
	int vid;
	int refuse; /* mem_region_added refuses while set */
	unsigned int added, removed, nregions;
	struct {
		uint64_t gpa, len, hva; /* hva: the back-end's mapping, its IOVA when async */
	} regions[MAX_REGIONS];
} be;

static int
be_new(int vid)
{
	__atomic_store_n(&be.vid, vid, __ATOMIC_RELEASE);
	return 0;
}

static void
be_destroy(int vid)
{
	(void)vid;
	__atomic_store_n(&be.vid, -1, __ATOMIC_RELEASE);
}

static int
be_region_added(int vid, uint64_t gpa, void *hva, uint64_t len)
{
	(void)vid;
	if (__atomic_load_n(&be.refuse, __ATOMIC_ACQUIRE))
		return -1;
	if (be.nregions < MAX_REGIONS) {
		be.regions[be.nregions].gpa = gpa;
		be.regions[be.nregions].len = len;
		be.regions[be.nregions].hva = (uint64_t)(uintptr_t)hva;
		be.nregions++;
	}
	__atomic_fetch_add(&be.added, 1, __ATOMIC_RELEASE);
	return 0;
}

static void
be_region_removed(int vid, uint64_t gpa, void *hva, uint64_t len)
{
	(void)vid, (void)hva, (void)len;
	for (unsigned int i = 0; i < be.nregions; i++)
		if (be.regions[i].gpa == gpa) {
			be.regions[i] = be.regions[--be.nregions];
			break;
		}
	__atomic_fetch_add(&be.removed, 1, __ATOMIC_RELEASE);
}

static const struct dpx_vhost_device_ops be_ops = {
	.new_device = be_new,
	.destroy_device = be_destroy,
	.mem_region_added = be_region_added,
	.mem_region_removed = be_region_removed,
};

/* Does the back-end map [va, va + len)? (gpa = the front-end's va) */
static bool
be_maps(const void *va, size_t len)
{
	uint64_t a = (uint64_t)(uintptr_t)va;

	for (unsigned int i = 0; i < be.nregions; i++)
		if (a >= be.regions[i].gpa && a + len <= be.regions[i].gpa + be.regions[i].len)
			return true;
	return false;
}

static int
be_start(const char *path, uint64_t flags)
{
	be.vid = -1;
	be.nregions = 0;
	if (dpx_vhost_driver_register(path, flags) != 0 ||
	    dpx_vhost_driver_callback_register(path, &be_ops, NULL) != 0 ||
	    dpx_vhost_driver_start(path) != 0)
		return -1;
	return 0;
}

static unsigned int link_downs;

static int
on_lsc(uint16_t port_id, enum dpx_eth_event_type ev, void *arg, void *ret)
{
	struct dpx_eth_link l;

	(void)ev, (void)arg, (void)ret;
	if (dpx_eth_link_get_nowait(port_id, &l) == 0 && l.link_status == DPX_ETH_LINK_DOWN)
		__atomic_fetch_add(&link_downs, 1, __ATOMIC_RELEASE);
	return 0;
}

/* Bounded waits (the control threads run at their own pace). */
static bool
wait_vid(bool up)
{
	for (int i = 0; i < 10000; i++) {
		if ((__atomic_load_n(&be.vid, __ATOMIC_ACQUIRE) >= 0) == up)
			return true;
		usleep(1000);
	}
	return false;
}

static bool
wait_link(uint16_t port, int up)
{
	struct dpx_eth_link l;

	for (int i = 0; i < 10000; i++) {
		if (dpx_eth_link_get_nowait(port, &l) == 0 && l.link_status == up)
			return true;
		usleep(1000);
	}
	return false;
}

static uint8_t
pat(uint32_t seed, uint32_t k)
{
	return (uint8_t)(seed * 31 + k * 7 + (k >> 8));
}

/* A packet of len bytes of pattern seed, in segments of at most seg bytes. */
static struct dpx_mbuf *
make_pkt(struct dpx_mempool *mp, uint32_t seed, uint32_t len, uint32_t seg)
{
	struct dpx_mbuf *head = NULL;

	for (uint32_t at = 0; at < len;) {
		struct dpx_mbuf *m = dpx_pktmbuf_alloc(mp);
		uint32_t n = DPX_MIN(seg, len - at);
		uint8_t *d = m != NULL ? (uint8_t *)dpx_pktmbuf_append(m, (uint16_t)n) : NULL;
		if (d == NULL) {
			dpx_pktmbuf_free(m);
			dpx_pktmbuf_free(head);
			return NULL;
		}
		for (uint32_t k = 0; k < n; k++)
			d[k] = pat(seed, at + k);
		if (head == NULL)
			head = m;
		else if (dpx_pktmbuf_chain(head, m) != 0)
			return NULL;
		at += n;
	}
	return head;
}

static int
check_pkt(const struct dpx_mbuf *m, uint32_t seed, uint32_t len)
{
	static uint8_t buf[65536];

	DPX_TEST_ASSERT_EQUAL(m->pkt_len, len, "seed %u", seed);
	const uint8_t *d = dpx_pktmbuf_read(m, 0, len, buf);
	DPX_TEST_ASSERT(d != NULL, "");
	for (uint32_t k = 0; k < len; k++)
		DPX_TEST_ASSERT_EQUAL(d[k], pat(seed, k), "seed %u byte %u of %u", seed, k, len);
	return DPX_TEST_SUCCESS;
}

static const uint32_t lens[] = {60, 64, 333, 1514, 1518, 4000, 9000};

/*
 * n packets each way on queue pair q, lengths cycling through lens (the big
 * ones only with mergeable buffers), several ring laps. Front-end tx uses
 * 1000-byte segments and every third packet shared (refcnt 2) so both the
 * pushed-header and the header-slot forms are sent.
 */
static int
traffic(uint16_t port, uint16_t q, struct dpx_mempool *mp, unsigned int n, bool mrg, uint32_t seed0)
{
	unsigned int nlens = mrg ? DPX_DIM(lens) : 5;
	struct dpx_mbuf *pkts[32], *got[64];
	int vid = __atomic_load_n(&be.vid, __ATOMIC_ACQUIRE);

	/* back-end to front-end (vring 2q is the front-end's receive queue) */
	for (unsigned int sent = 0, rcvd = 0, tries = 0; rcvd < n && tries < 100000; tries++) {
		unsigned int b = DPX_MIN(32u, n - sent), e = 0;
		for (unsigned int i = 0; i < b; i++) {
			uint32_t s = seed0 + sent + i;
			pkts[i] = make_pkt(mp, s, lens[s % nlens], 2000);
			DPX_TEST_ASSERT(pkts[i] != NULL, "");
		}
		if (b > 0)
			e = dpx_vhost_enqueue_burst(vid, (uint16_t)(2 * q), pkts, (uint16_t)b);
		dpx_pktmbuf_free_bulk(pkts, b);
		sent += e;
		uint16_t r = dpx_eth_rx_burst(port, q, got, 64);
		for (uint16_t i = 0; i < r; i++) {
			uint32_t s = seed0 + rcvd + i;
			DPX_TEST_RUN(check_pkt(got[i], s, lens[s % nlens]));
			DPX_TEST_ASSERT_EQUAL(got[i]->port, port, "");
		}
		dpx_pktmbuf_free_bulk(got, r);
		rcvd += r;
		if (tries == 99999)
			DPX_TEST_ASSERT(false, "q%u: %u of %u received", q, rcvd, n);
	}
	/* front-end to back-end */
	for (unsigned int sent = 0, rcvd = 0, tries = 0; rcvd < n; tries++) {
		DPX_TEST_ASSERT(tries < 100000, "q%u: %u of %u dequeued", q, rcvd, n);
		unsigned int b = DPX_MIN(32u, n - sent), t = 0;
		for (unsigned int i = 0; i < b; i++) {
			uint32_t s = seed0 + 7777 + sent + i;
			pkts[i] = make_pkt(mp, s, lens[s % nlens], 1000);
			DPX_TEST_ASSERT(pkts[i] != NULL, "");
			/* shared: a second reference on every segment (the header
			 * cannot go in a headroom someone else may read) */
			for (struct dpx_mbuf *m = pkts[i]; s % 3 == 0 && m != NULL; m = m->next)
				dpx_mbuf_refcnt_update(m, 1);
		}
		if (b > 0)
			t = dpx_eth_tx_burst(port, q, pkts, (uint16_t)b);
		for (unsigned int i = 0; i < b; i++) {
			uint32_t s = seed0 + 7777 + sent + i;
			if (s % 3 == 0)
				dpx_pktmbuf_free(
					pkts[i]); /* our reference (the ring has the other) */
		}
		dpx_pktmbuf_free_bulk(pkts + t, b - t);
		sent += t;
		uint16_t r = dpx_vhost_dequeue_burst(vid, (uint16_t)(2 * q + 1), mp, got, 64);
		for (uint16_t i = 0; i < r; i++) {
			uint32_t s = seed0 + 7777 + rcvd + i;
			DPX_TEST_RUN(check_pkt(got[i], s, lens[s % nlens]));
		}
		dpx_pktmbuf_free_bulk(got, r);
		rcvd += r;
	}
	return DPX_TEST_SUCCESS;
}

struct env {
	char path[108];
	uint16_t port;
	struct dpx_mempool *mp;
	int fds0;
};

/* The port and the back-end in this process; allow (may be NULL) adds "-a allow". */
static int
env_up_allow(struct env *e, const char *opts, bool server, const char *allow)
{
	char arg[256];

	e->fds0 = dpx_test_count_fds();
	snprintf(e->path, sizeof(e->path), "/tmp/dpx-vu-%d.sock", (int)getpid());
	unlink(e->path);
	snprintf(arg, sizeof(arg), "net_virtio_user0,path=%s,queues=2,server=%d%s%s", e->path,
		 server, opts[0] ? "," : "", opts);
	/* without allow the list ends at "-a"'s place */
	DPX_TEST_ASSERT(dpx_test_eal_init("--no-huge", "-m", "256", "--vdev", arg,
					  allow != NULL ? "-a" : NULL, allow, NULL) > 0,
			"");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_dev_get_port_by_name("net_virtio_user0", &e->port), 0, "");
	DPX_TEST_ASSERT_EQUAL(be_start(e->path, server ? DPX_VHOST_CLIENT : 0), 0, "");
	e->mp = dpx_pktmbuf_pool_create("vu_mp", 4096, 0, 0, DPX_MBUF_DEFAULT_BUF_SIZE, -1);
	DPX_TEST_ASSERT(e->mp != NULL, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_dev_configure(e->port, 2, 2, NULL), 0, "");
	for (uint16_t q = 0; q < 2; q++) {
		DPX_TEST_ASSERT_EQUAL(dpx_eth_rx_queue_setup(e->port, q, 256, -1, NULL, e->mp), 0,
				      "");
		DPX_TEST_ASSERT_EQUAL(dpx_eth_tx_queue_setup(e->port, q, 256, -1, NULL), 0, "");
	}
	DPX_TEST_ASSERT_EQUAL(
		dpx_eth_dev_callback_register(e->port, DPX_ETH_EVENT_LSC, on_lsc, NULL), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_dev_start(e->port), 0, "");
	DPX_TEST_ASSERT(wait_vid(true), "back-end device running");
	DPX_TEST_ASSERT(wait_link(e->port, 1), "link up");
	return DPX_TEST_SUCCESS;
}

static int
env_up(struct env *e, const char *opts, bool server)
{
	return env_up_allow(e, opts, server, NULL);
}

/*
 * Every mbuf is home: in the mempool, or in the cache or ring of its queue's
 * page pool (which keeps them for the next set-up), none in flight.
 */
static int
all_home(struct env *e, const char *what)
{
	struct dpx_page_pool_stats st;
	struct dpx_page_pool_info info;
	unsigned int pooled = 0;

	for (uint16_t q = 0; q < 2; q++) {
		const struct vu_port *vp = dpx_eth_dev_get(e->port)->data->dev_private;
		struct dpx_page_pool *pp = vp->rxq[q].pp;
		if (pp == NULL)
			continue;
		dpx_page_pool_stats_get(pp, &st);
		dpx_page_pool_info_get(pp, &info);
		DPX_TEST_ASSERT_EQUAL(st.in_flight, 0, "%s: rx queue %u", what, q);
		pooled += info.cache_count + info.ring_count;
	}
	DPX_TEST_ASSERT_EQUAL(dpx_mempool_in_use_count(e->mp), pooled, "%s", what);
	return DPX_TEST_SUCCESS;
}

static int
env_down(struct env *e)
{
	DPX_TEST_ASSERT_EQUAL(dpx_eth_dev_stop(e->port), 0, "");
	DPX_TEST_ASSERT(wait_vid(false), "the back-end's device goes with the stop");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_dev_close(e->port), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_driver_unregister(e->path), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_mempool_in_use_count(e->mp), 0, "every mbuf back");
	dpx_mempool_free(e->mp);
	DPX_TEST_ASSERT_EQUAL(dpx_eal_cleanup(), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_test_count_fds(), e->fds0, "no fd left");
	DPX_TEST_ASSERT(access(e->path, F_OK) != 0, "socket file gone");
	return DPX_TEST_SUCCESS;
}

static int
traffic_case(const char *opts, bool mrg)
{
	struct env e;
	struct dpx_eth_stats st;
	uint64_t v;

	DPX_TEST_RUN(env_up(&e, opts, false));
	DPX_TEST_RUN(traffic(e.port, 0, e.mp, 700, mrg, 1));
	DPX_TEST_RUN(traffic(e.port, 1, e.mp, 700, mrg, 50000));
	DPX_TEST_ASSERT_EQUAL(dpx_eth_stats_get(e.port, &st), 0, "");
	DPX_TEST_ASSERT_EQUAL(st.ipackets, 1400, "");
	DPX_TEST_ASSERT_EQUAL(st.opackets, 1400, "");
	DPX_TEST_ASSERT_EQUAL(st.q_ipackets[0], 700, "");
	DPX_TEST_ASSERT_EQUAL(st.q_opackets[1], 700, "");
	DPX_TEST_ASSERT_EQUAL(st.ierrors + st.oerrors, 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_xstats_get_by_name(e.port, "rx_q0_mrg_segments", &v), 0, "");
	if (mrg)
		DPX_TEST_ASSERT(v > 0, "4000- and 9000-byte packets took several buffers");
	else
		DPX_TEST_ASSERT_EQUAL(v, 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_xstats_get_by_name(e.port, "tx_q1_kicks", &v), 0, "");
	/* lib/vhost asks for kicks on split rings and disables them on packed ones */
	if (strstr(opts, "packed_vq=1") == NULL)
		DPX_TEST_ASSERT(v > 0, "split: the back-end wants kicks");
	else
		DPX_TEST_ASSERT_EQUAL(v, 0, "packed: the back-end's event flags say DISABLE");
	return env_down(&e);
}

/*
 * The page pool's counters add up to what the queue received: every buffer
 * handed out is a received one (one per packet, plus the merged ones) or one
 * still posted; every received one came home when the test freed it.
 */
static int
pp_counters_add_up(uint16_t port, uint16_t q)
{
	struct dpx_page_pool_stats s, *st = &s;
	uint64_t pkts, mrg;
	char n[64];

	DPX_TEST_RUN(pp_xstats_of(port, q, st));
	snprintf(n, sizeof(n), "rx_q%u_packets", q);
	pkts = xstat_of(port, n);
	snprintf(n, sizeof(n), "rx_q%u_mrg_segments", q);
	mrg = xstat_of(port, n);
	printf("rx_q%u: %" PRIu64 " packets, %" PRIu64 " merged buffers; pp fast %" PRIu64
	       " slow %" PRIu64 " refill %" PRIu64 " cached %" PRIu64 " ring %" PRIu64
	       " in flight %" PRIu64 "\n",
	       q, pkts, mrg, st->alloc_fast, st->alloc_slow, st->alloc_refill, st->recycle_cached,
	       st->recycle_ring, st->in_flight);
	DPX_TEST_ASSERT_EQUAL(st->in_flight, 256, "the posted buffers (queue_size)");
	DPX_TEST_ASSERT_EQUAL(st->alloc_fast + st->alloc_slow + st->alloc_refill,
			      pkts + mrg + st->in_flight, "handed out = received + posted");
	DPX_TEST_ASSERT_EQUAL(st->recycle_cached + st->recycle_ring + st->recycle_ring_full +
				      st->alloc_waive,
			      pkts + mrg, "home = received (all freed)");
	DPX_TEST_ASSERT(st->recycle_cached > 0 && st->alloc_fast > 0,
			"polled and freed on one lcore: the cache serves");
	return DPX_TEST_SUCCESS;
}

/* Receive buffers from the page pool (the default), and with page_pool=0. */
static int
page_pool_case(const char *opts, bool mrg)
{
	struct env e;

	DPX_TEST_RUN(env_up(&e, opts, false));
	DPX_TEST_RUN(traffic(e.port, 0, e.mp, 700, mrg, 1));
	DPX_TEST_RUN(traffic(e.port, 1, e.mp, 300, mrg, 9000));
	if (strstr(opts, "page_pool=0") != NULL) {
		DPX_TEST_ASSERT_EQUAL(xstat_names_with(e.port, "_pp_"), 0, "no pool: no rx_qN_pp_* names");
		DPX_TEST_ASSERT(dpx_page_pool_lookup("net_virtio_user0_rxq0") == NULL, "");
		return env_down(&e);
	}
	DPX_TEST_ASSERT_EQUAL(xstat_names_with(e.port, "_pp_"), 2 * DPX_PAGE_POOL_NB_STATS, "");
	DPX_TEST_ASSERT(dpx_page_pool_lookup("net_virtio_user0_rxq1") != NULL, "");
	DPX_TEST_RUN(pp_counters_add_up(e.port, 0));
	DPX_TEST_RUN(pp_counters_add_up(e.port, 1));
	/* a stop returns everything to the mempool */
	DPX_TEST_ASSERT_EQUAL(dpx_eth_dev_stop(e.port), 0, "");
	DPX_TEST_ASSERT_EQUAL(xstat_of(e.port, "rx_q0_pp_in_flight"), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_mempool_in_use_count(e.mp), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_xstats_reset(e.port), 0, "");
	DPX_TEST_ASSERT_EQUAL(xstat_of(e.port, "rx_q1_pp_alloc_fast"), 0, "reset");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_dev_start(e.port), 0, "");
	DPX_TEST_ASSERT(wait_link(e.port, 1), "link up again");
	DPX_TEST_RUN(traffic(e.port, 0, e.mp, 100, mrg, 20000));
	return env_down(&e);
}

static int
test_virtio_user_page_pool(void)
{
	return page_pool_case("", true);
}

static int
test_virtio_user_page_pool_packed(void)
{
	return page_pool_case("packed_vq=1,mrg_rxbuf=0,pp_size=64", false);
}

static int
test_virtio_user_page_pool_off(void)
{
	return page_pool_case("page_pool=0", true);
}

static int
test_virtio_user_split(void)
{
	return traffic_case("", true);
}

static int
test_virtio_user_split_no_mrg(void)
{
	return traffic_case("mrg_rxbuf=0", false);
}

static int
test_virtio_user_packed(void)
{
	return traffic_case("packed_vq=1", true);
}

static int
test_virtio_user_packed_no_mrg(void)
{
	return traffic_case("packed_vq=1,mrg_rxbuf=0,queue_size=64", false);
}

/* Send one packet from an mbuf of mp and take it at the back-end, byte-exact. */
static int
one_tx(uint16_t port, struct dpx_mempool *mp, struct dpx_mempool *rx_mp, uint32_t seed)
{
	struct dpx_mbuf *m = make_pkt(mp, seed, 1200, 2000), *got = NULL;
	int vid = __atomic_load_n(&be.vid, __ATOMIC_ACQUIRE);

	DPX_TEST_ASSERT(m != NULL, "");
	DPX_TEST_ASSERT(be_maps(m->buf_addr, m->buf_len), "the back-end maps the new mbuf");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_tx_burst(port, 0, &m, 1), 1, "");
	for (int i = 0; i < 1000 && got == NULL; i++)
		if (dpx_vhost_dequeue_burst(vid, 1, rx_mp, &got, 1) == 0)
			usleep(100);
	DPX_TEST_ASSERT(got != NULL, "");
	DPX_TEST_RUN(check_pkt(got, seed, 1200));
	dpx_pktmbuf_free(got);
	dpx_eth_tx_burst(port, 0, NULL, 0); /* reap the sent mbuf */
	return DPX_TEST_SUCCESS;
}

static int
test_virtio_user_mem_hotplug(void)
{
	struct env e;
	struct dpx_malloc_socket_stats st0, st1;

	DPX_TEST_RUN(env_up(&e, "", false));
	unsigned int added0 = __atomic_load_n(&be.added, __ATOMIC_ACQUIRE);
	unsigned int removed0 = __atomic_load_n(&be.removed, __ATOMIC_ACQUIRE);
	DPX_TEST_ASSERT(added0 > 0, "the heap shared at set-up");
	/* grow while traffic runs: a pool of 12 MB needs new pages */
	DPX_TEST_RUN(traffic(e.port, 0, e.mp, 100, true, 1));
	DPX_TEST_ASSERT_EQUAL(dpx_malloc_get_socket_stats(0, &st0), 0, "");
	struct dpx_mempool *big =
		dpx_pktmbuf_pool_create("vu_big", 5000, 0, 0, DPX_MBUF_DEFAULT_BUF_SIZE, -1);
	DPX_TEST_ASSERT(big != NULL, "%s", dpx_strerror(dpx_errno));
	DPX_TEST_ASSERT_EQUAL(dpx_malloc_get_socket_stats(0, &st1), 0, "");
	unsigned int grown = (unsigned int)(st1.pages_mapped - st0.pages_mapped);
	DPX_TEST_ASSERT(grown > 0, "the pool took new pages");
	DPX_TEST_ASSERT_EQUAL(__atomic_load_n(&be.added, __ATOMIC_ACQUIRE) - added0, grown,
			      "one ADD_MEM_REG per new page");
	for (uint32_t s = 0; s < 300; s++)
		DPX_TEST_RUN(one_tx(e.port, big, e.mp, 900 + s));
	DPX_TEST_RUN(traffic(e.port, 1, e.mp, 100, true, 2));
	/* shrink: the pool's pages go, and with them their regions */
	dpx_mempool_free(big);
	DPX_TEST_ASSERT_EQUAL(dpx_malloc_get_socket_stats(0, &st1), 0, "");
	unsigned int shrunk = (unsigned int)(st0.pages_mapped + grown - st1.pages_mapped);
	DPX_TEST_ASSERT(shrunk > 0, "pages released");
	DPX_TEST_ASSERT_EQUAL(__atomic_load_n(&be.removed, __ATOMIC_ACQUIRE) - removed0, shrunk,
			      "one REM_MEM_REG per released page");
	DPX_TEST_RUN(traffic(e.port, 0, e.mp, 100, true, 3));

	/* a back-end that refuses the region refuses the allocation */
	DPX_TEST_ASSERT_EQUAL(dpx_malloc_get_socket_stats(0, &st0), 0, "");
	unsigned int downs = __atomic_load_n(&link_downs, __ATOMIC_ACQUIRE);
	__atomic_store_n(&be.refuse, 1, __ATOMIC_RELEASE);
	void *p = dpx_malloc("vu_refused", 8u << 20, 0);
	__atomic_store_n(&be.refuse, 0, __ATOMIC_RELEASE);
	DPX_TEST_ASSERT(p == NULL, "allocation refused");
	DPX_TEST_ASSERT_EQUAL(dpx_errno, EPERM, "");
	DPX_TEST_ASSERT_EQUAL(dpx_malloc_get_socket_stats(0, &st1), 0, "");
	DPX_TEST_ASSERT_EQUAL(st1.pages_mapped, st0.pages_mapped, "nothing stays mapped");
	/* lib/vhost closes a connection after any nack: the port sets up anew */
	for (int i = 0; i < 10000 && __atomic_load_n(&link_downs, __ATOMIC_ACQUIRE) == downs; i++)
		usleep(1000);
	DPX_TEST_ASSERT(__atomic_load_n(&link_downs, __ATOMIC_ACQUIRE) > downs, "link went down");
	DPX_TEST_ASSERT(wait_link(e.port, 1) && wait_vid(true), "and came back");
	p = dpx_malloc("vu_accepted", 8u << 20, 0);
	DPX_TEST_ASSERT(p != NULL, "accepted again");
	dpx_free(p);
	DPX_TEST_RUN(traffic(e.port, 1, e.mp, 100, true, 4));
	return env_down(&e);
}

/* The back-end goes and comes back: link down, then up, and traffic flows again. */
static int
restart_case(bool server)
{
	struct env e;

	DPX_TEST_RUN(env_up(&e, "packed_vq=1", server));
	DPX_TEST_RUN(traffic(e.port, 0, e.mp, 300, true, 1));
	for (int round = 0; round < 2; round++) {
		DPX_TEST_ASSERT_EQUAL(dpx_vhost_driver_unregister(e.path), 0, "");
		DPX_TEST_ASSERT(wait_link(e.port, 0), "link down when the back-end goes");
		struct dpx_mbuf *m = make_pkt(e.mp, 1, 100, 2000);
		DPX_TEST_ASSERT_EQUAL(dpx_eth_tx_burst(e.port, 0, &m, 1), 0,
				      "no traffic meanwhile");
		dpx_pktmbuf_free(m);
		DPX_TEST_RUN(all_home(&e, "every buffer the back-end held came back"));
		DPX_TEST_ASSERT_EQUAL(be_start(e.path, server ? DPX_VHOST_CLIENT : 0), 0, "");
		DPX_TEST_ASSERT(wait_vid(true), "back-end runs the device again");
		DPX_TEST_ASSERT(wait_link(e.port, 1), "link up again");
		DPX_TEST_RUN(traffic(e.port, 0, e.mp, 300, true, 1000u * (unsigned int)round));
		DPX_TEST_RUN(traffic(e.port, 1, e.mp, 300, true, 5000u * (unsigned int)round));
	}
	/* each new connection negotiated from scratch at the first try (a
	 * REPLY_ACK left from the last one would wait for an answer never sent) */
	const struct vu_port *vp = dpx_eth_dev_get(e.port)->data->dev_private;
	DPX_TEST_ASSERT_EQUAL(vp->setup_failures, 0, "");
	DPX_TEST_ASSERT_EQUAL(vp->connects, 3, "");
	return env_down(&e);
}

static int
test_virtio_user_server_restart(void)
{
	return restart_case(true);
}

static int
test_virtio_user_client_restart(void)
{
	return restart_case(false);
}

static int
test_virtio_user_args(void)
{
	static const char *const bad[] = {
		"net_virtio_user0",
		"net_virtio_user0,path=/tmp/x,queues=9",
		"net_virtio_user0,path=/tmp/x,queue_size=100",
		"net_virtio_user0,path=/tmp/x,in_order=1",
		"net_virtio_user0,path=/tmp/x,mac=01:00:00:00:00:01",
		"net_virtio_user0,path=/tmp/x,mac=02:00:00",
		"net_virtio_user0,path=/tmp/x,bogus=1",
		"net_virtio_user0,path=/tmp/x,iface=tap0", /* a TAP only for /dev/vhost-net */
	};
	int fds0 = dpx_test_count_fds();

	for (unsigned int i = 0; i < DPX_DIM(bad); i++)
		DPX_TEST_ASSERT(dpx_test_eal_init("--no-huge", "--vdev", bad[i], NULL) < 0, "%s",
				bad[i]);
	DPX_TEST_ASSERT(
		dpx_test_eal_init("--no-huge", "--vdev",
				  "net_virtio_user0,path=/tmp/dpx-vu-args.sock,mac=02:11:22:"
				  "33:44:55",
				  NULL) > 0,
		"");
	uint16_t port;
	struct dpx_ether_addr mac;
	struct dpx_eth_link l;
	DPX_TEST_ASSERT_EQUAL(dpx_eth_dev_get_port_by_name("net_virtio_user0", &port), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_macaddr_get(port, &mac), 0, "");
	DPX_TEST_ASSERT_EQUAL(mac.addr_bytes[5], 0x55, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_link_get_nowait(port, &l), 0, "");
	DPX_TEST_ASSERT_EQUAL(l.link_status, DPX_ETH_LINK_DOWN, "no back-end: link down");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_dev_configure(port, 2, 2, NULL), -EINVAL, "queues=1");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_dev_configure(port, 1, 1, NULL), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eal_cleanup(), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_test_count_fds(), fds0, "");
	return DPX_TEST_SUCCESS;
}

/* ---- against DPDK 22.11's vhost back-end: memory by SET_MEM_TABLE ---- */

/* Send n frames from mbufs of mp on queue 0, retrying while the ring is full. */
static int
send_n(uint16_t port, struct dpx_mempool *mp, unsigned int n, uint32_t seed)
{
	for (unsigned int sent = 0, tries = 0; sent < n; tries++) {
		struct dpx_mbuf *m = make_pkt(mp, seed + sent, 64 + sent % 1400, 2000);
		DPX_TEST_ASSERT(m != NULL, "");
		DPX_TEST_ASSERT(tries < 1000000, "%u of %u sent", sent, n);
		if (dpx_eth_tx_burst(port, 0, &m, 1) == 1)
			sent++;
		else
			dpx_pktmbuf_free(m);
	}
	return DPX_TEST_SUCCESS;
}

static unsigned int
count_str(const char *text, const char *needle)
{
	unsigned int n = 0;

	for (const char *p = text; (p = strstr(p, needle)) != NULL; p += strlen(needle))
		n++;
	return n;
}

/*
 * DPDK's vhost offers no CONFIGURE_MEM_SLOTS: every heap growth and shrink is
 * a new SET_MEM_TABLE (answered: REPLY_ACK), and frames from mbufs in the new
 * memory reach DPDK's rxonly, which counts exactly what was sent.
 */
static int
test_virtio_user_dpdk_mem_table(void)
{
	static char text[1 << 20];
	char cmd[1024], out[64], arg[160], path[108];
	struct dpx_eth_stats st;
	uint16_t port;

	if (access("/usr/bin/dpdk-testpmd", X_OK) != 0)
		DPX_TEST_SKIP_UNLESS_REQUIRED("DPX_TEST_REQUIRE_DPDK",
					      "dpdk-testpmd not installed (apt-get install dpdk-dev)");
	snprintf(path, sizeof(path), "/tmp/dpx-vu-dpdk-%d.sock", (int)getpid());
	snprintf(out, sizeof(out), "/tmp/dpx-vu-dpdk-%d.out", (int)getpid());
	unlink(path);
	snprintf(cmd, sizeof(cmd),
		 "exec dpdk-testpmd --lcores=0@1,1@1 --no-pci --no-huge -m 512 "
		 "--file-prefix=vudpdk-%d --vdev net_vhost0,iface=%s,queues=1 -- -i "
		 "--total-num-mbufs=8192 --forward-mode=rxonly >%s 2>&1",
		 (int)getpid(), path, out);
	FILE *pmd = popen(cmd, "w");
	DPX_TEST_ASSERT(pmd != NULL, "");
	fputs("start\n", pmd);
	fflush(pmd);
	for (int i = 0; i < 10000 && access(path, F_OK) != 0; i++)
		usleep(1000);
	snprintf(arg, sizeof(arg), "net_virtio_user0,path=%s", path);
	DPX_TEST_ASSERT(dpx_test_eal_init("--no-huge", "-m", "256", "--vdev", arg, NULL) > 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_dev_get_port_by_name("net_virtio_user0", &port), 0, "");
	struct dpx_mempool *mp =
		dpx_pktmbuf_pool_create("vu_mp", 2048, 0, 0, DPX_MBUF_DEFAULT_BUF_SIZE, -1);
	DPX_TEST_ASSERT(mp != NULL, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_dev_configure(port, 1, 1, NULL), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_rx_queue_setup(port, 0, 256, -1, NULL, mp), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_tx_queue_setup(port, 0, 256, -1, NULL), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_dev_start(port), 0, "");
	DPX_TEST_ASSERT(wait_link(port, 1), "link up with DPDK's vhost");
	DPX_TEST_RUN(send_n(port, mp, 1000, 1));
	struct dpx_mempool *big =
		dpx_pktmbuf_pool_create("vu_big", 5000, 0, 0, DPX_MBUF_DEFAULT_BUF_SIZE, -1);
	DPX_TEST_ASSERT(big != NULL, "the back-end took the new table");
	DPX_TEST_RUN(send_n(port, big, 1000, 2));
	DPX_TEST_ASSERT_EQUAL(dpx_eth_dev_stop(port), 0, ""); /* sends what the ring holds */
	DPX_TEST_ASSERT_EQUAL(dpx_eth_dev_start(port), 0, "");
	DPX_TEST_ASSERT(wait_link(port, 1), "");
	dpx_mempool_free(big); /* its pages go: a table without them */
	DPX_TEST_RUN(send_n(port, mp, 1000, 3));
	DPX_TEST_ASSERT_EQUAL(dpx_eth_stats_get(port, &st), 0, "");
	DPX_TEST_ASSERT_EQUAL(st.opackets, 3000, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_dev_stop(port), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_dev_close(port), 0, "");
	fputs("stop\nquit\n", pmd);
	DPX_TEST_ASSERT_EQUAL(pclose(pmd), 0, "testpmd exit status");
	/* DPDK's EAL leaves its runtime folder behind */
	snprintf(cmd, sizeof(cmd), "rm -rf /var/run/dpdk/vudpdk-%d", (int)getpid());
	if (system(cmd) != 0)
		printf("could not remove DPDK's runtime folder\n");
	FILE *f = fopen(out, "r");
	DPX_TEST_ASSERT(f != NULL, "");
	text[fread(text, 1, sizeof(text) - 1, f)] = '\0';
	fclose(f);
	unlink(out);
	const char *acc = strstr(text, "Accumulated forward statistics");
	unsigned long rx = 0;
	DPX_TEST_ASSERT(acc != NULL &&
				sscanf(strstr(acc, "RX-packets:"), "RX-packets: %lu", &rx) == 1,
			"testpmd output:\n%s", text);
	DPX_TEST_ASSERT_EQUAL(rx, 3000, "DPDK received every frame, the new memory's too");
	/* set-up twice (one per start), the growth, the shrink */
	unsigned int tables = count_str(text, "read message VHOST_USER_SET_MEM_TABLE");
	DPX_TEST_ASSERT(tables >= 4, "%u SET_MEM_TABLE", tables);
	DPX_TEST_ASSERT_EQUAL(dpx_mempool_in_use_count(mp), 0, "");
	dpx_mempool_free(mp);
	DPX_TEST_ASSERT_EQUAL(dpx_eal_cleanup(), 0, "");
	return DPX_TEST_SUCCESS;
}

/* ---- the Linux kernel's vhost-net as back-end, a TAP and the kernel's stack ---- */

#define VN_TAP "vutap0"
#define VN_FRAMES 200

static const uint8_t vn_port_mac[6] = {0x02, 0, 0, 0, 0, 0x01};
static const uint8_t vn_tap_mac[6] = {0x02, 0, 0, 0, 0, 0x02};

/* A UDP datagram to the TAP's 198.18.0.2, port 9 (nothing listens there). */
static struct dpx_mbuf *
vn_frame(struct dpx_mempool *mp, uint8_t *copy)
{
	struct fwd_txonly_cfg cfg;
	struct dpx_mbuf *m = dpx_pktmbuf_alloc(mp);
	uint8_t *d = m != NULL ? (uint8_t *)dpx_pktmbuf_append(m, 100) : NULL;

	if (d == NULL) {
		dpx_pktmbuf_free(m);
		return NULL;
	}
	fwd_txonly_cfg_defaults(&cfg); /* 198.18.0.1:9 -> 198.18.0.2:9 */
	memcpy(cfg.src_mac, vn_port_mac, 6);
	memcpy(cfg.dst_mac, vn_tap_mac, 6);
	fwd_txonly_build(d, 100, &cfg);
	memcpy(copy, d, 100);
	return m;
}

/*
 * One ICMP port unreachable from the stack to 198.18.0.1 quoting our IPv4
 * header and the first 8 bytes of our UDP datagram, byte for byte (RFC 792).
 * @return 1 it is, 0 another frame (IPv6 noise), -1 a bad reply.
 */
static int
vn_is_reply(const struct dpx_mbuf *m, const uint8_t *sent)
{
	uint8_t buf[256];
	const uint8_t *d = dpx_pktmbuf_read(m, 0, DPX_MIN(m->pkt_len, sizeof(buf)), buf);

	if (m->pkt_len < 14 + 20 + 8 + 28 || d[12] != 0x08 || d[13] != 0x00)
		return 0;
	if (memcmp(d, vn_port_mac, 6) != 0 || memcmp(d + 6, vn_tap_mac, 6) != 0 || d[23] != 1)
		return -1;
	const uint8_t *icmp = d + 14 + (d[14] & 0xf) * 4;
	if (icmp[0] != 3 || icmp[1] != 3)
		return -1;
	return memcmp(icmp + 8, sent + 14, 28) == 0 ? 1 : -1;
}

static long
vn_tap_counter(const char *name)
{
	char path[128], buf[32] = "";
	snprintf(path, sizeof(path), "/sys/class/net/" VN_TAP "/statistics/%s", name);
	FILE *f = fopen(path, "r");
	if (f == NULL)
		return -1;
	if (fgets(buf, sizeof(buf), f) == NULL)
		buf[0] = '\0';
	fclose(f);
	return atol(buf);
}

/* Send n datagrams from mp and take n replies. */
static int
vn_round(uint16_t port, struct dpx_mempool *mp, unsigned int n)
{
	uint8_t sent[100];
	unsigned int replies = 0;

	for (unsigned int i = 0; i < n; i++) {
		struct dpx_mbuf *m = vn_frame(mp, sent), *rx[32];
		DPX_TEST_ASSERT(m != NULL, "");
		for (int t = 0; t < 100000 && dpx_eth_tx_burst(port, 0, &m, 1) == 0; t++)
			usleep(10);
		/* one at a time: the reply is in before the next datagram goes (a
		 * TCG guest on a busy host can take seconds; 10 s is a hang) */
		for (int t = 0; t < 100000; t++) {
			uint16_t r = dpx_eth_rx_burst(port, 0, rx, 32);
			int got = 0;
			for (uint16_t k = 0; k < r; k++) {
				int v = vn_is_reply(rx[k], sent);
				DPX_TEST_ASSERT(v >= 0, "a bad reply to datagram %u", i);
				got += v;
			}
			dpx_pktmbuf_free_bulk(rx, r);
			replies += (unsigned int)got;
			if (replies == i + 1)
				break;
			usleep(100);
		}
		if (replies != i + 1) {
			uint64_t k = 0, kr = 0;
			dpx_eth_xstats_get_by_name(port, "tx_q0_kicks", &k);
			dpx_eth_xstats_get_by_name(port, "rx_q0_kicks", &kr);
			printf("datagram %u: tap rx %ld tx %ld, kicks tx %" PRIu64 " rx %" PRIu64
			       "\n",
			       i, vn_tap_counter("rx_packets"), vn_tap_counter("tx_packets"), k,
			       kr);
			const struct vu_port *vp = dpx_eth_dev_get(port)->data->dev_private;
			for (int qi = 0; qi < 2; qi++) {
				const struct vu_vq *q = qi == 0 ? &vp->rxq[0] : &vp->txq[0];
				printf("vring %u: avail %u (ring %u) used %u (ring %u) free %u "
				       "avail_event %u used_event %u flags %x\n",
				       q->index, q->avail_idx, q->avail->idx, q->used_idx,
				       q->used->idx, q->free_cnt,
				       *(const uint16_t *)&q->used->ring[q->size],
				       q->avail->ring[q->size], q->used->flags);
			}
		}
		DPX_TEST_ASSERT_EQUAL(replies, i + 1, "the stack answered datagram %u", i);
	}
	return DPX_TEST_SUCCESS;
}

static int
vn_inner(void)
{
	uint16_t port;
	struct dpx_eth_stats st;

	DPX_TEST_ASSERT(dpx_test_eal_init("--no-huge", "--vdev",
					  "net_virtio_user0,path=/dev/vhost-net,iface=" VN_TAP
					  ",mac=02:00:00:00:00:01",
					  NULL) > 0,
			"");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_dev_get_port_by_name("net_virtio_user0", &port), 0, "");
	struct dpx_mempool *mp =
		dpx_pktmbuf_pool_create("vn_mp", 1024, 0, 0, DPX_MBUF_DEFAULT_BUF_SIZE, -1);
	DPX_TEST_ASSERT(mp != NULL, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_dev_configure(port, 1, 1, NULL), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_rx_queue_setup(port, 0, 256, -1, NULL, mp), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_tx_queue_setup(port, 0, 256, -1, NULL), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_dev_start(port), 0, "");
	DPX_TEST_ASSERT(wait_link(port, 1), "vhost-net set up");
	/* the stack's side: an address, our MAC known (no ARP), and no ICMP type
	 * rate limited (the global limiter drops at random: icmp_msgs_per_sec) */
	DPX_TEST_ASSERT_EQUAL(system("ip link set " VN_TAP " address 02:00:00:00:00:02 && "
				     "ip addr add 198.18.0.2/24 dev " VN_TAP " && "
				     "ip link set " VN_TAP " up && "
				     "arp -i " VN_TAP " -s 198.18.0.1 02:00:00:00:00:01 && "
				     "echo 0 > /proc/sys/net/ipv4/icmp_ratemask"),
			      0, "configuring " VN_TAP);
	long rx0 = vn_tap_counter("rx_packets");
	DPX_TEST_RUN(vn_round(port, mp, VN_FRAMES));
	/* the heap grows: a new table, and buffers in the new memory carry frames */
	struct dpx_mempool *big =
		dpx_pktmbuf_pool_create("vn_big", 5000, 0, 0, DPX_MBUF_DEFAULT_BUF_SIZE, -1);
	DPX_TEST_ASSERT(big != NULL, "the kernel took the new table");
	DPX_TEST_RUN(vn_round(port, big, 50));
	DPX_TEST_ASSERT_EQUAL(vn_tap_counter("rx_packets") - rx0, VN_FRAMES + 50,
			      "the TAP received every datagram");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_stats_get(port, &st), 0, "");
	DPX_TEST_ASSERT_EQUAL(st.opackets, VN_FRAMES + 50, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_dev_stop(port), 0, "");
	dpx_mempool_free(big);
	DPX_TEST_ASSERT_EQUAL(dpx_eth_dev_close(port), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_mempool_in_use_count(mp), 0, "");
	dpx_mempool_free(mp);
	DPX_TEST_ASSERT_EQUAL(dpx_eal_cleanup(), 0, "");
	return DPX_TEST_SUCCESS;
}

/*
 * Where /dev/vhost-net exists (a guest, or a host that has it) the case runs
 * in place; elsewhere it boots a guest with vhost_net and runs itself there.
 */
static int
test_virtio_user_vhost_net(void)
{
	static char out[262144];
	char why[512];

	if (access("/dev/vhost-net", R_OK | W_OK) == 0)
		return vn_inner();
	if (dpx_test_guest_prepare(why, sizeof(why)) != 0)
		DPX_TEST_SKIP("%s", why);
	/* with libdpx at /lib: the guest's /tmp is a tmpfs, which hides a
	 * build tree under /tmp from the loader */
	DPX_TEST_ASSERT_EQUAL(dpx_test_guest_run_self("virtio_user_vhost_net",
						      "--vhost-net --timeout 600", out, sizeof(out)),
			      0, "the case in the guest");
	DPX_TEST_ASSERT(strstr(out, "PASS virtio_user_vhost_net") != NULL,
			"no PASS from the guest");
	return DPX_TEST_SUCCESS;
}

/* ---- the memory table builder against a model ---- */

#define PGSZ 4096u

/* Model: a byte-per-page map of which pages (of fd, offset) are shared. */
static int
regions_model_check(uint64_t seed)
{
	struct dpx_memseg_fd_run runs[8];
	struct vu_region out[256];
	uint8_t want[128] = {0}, got[128] = {0};
	unsigned int nruns = 0;
	uint64_t va = 0;

	/* runs over a 128-page space: gaps between, fd 3 or 4 */
	while (nruns < 8) {
		va += (dpx_test_rand(&seed) % 3) * PGSZ;
		uint64_t len = (1 + dpx_test_rand(&seed) % 10) * PGSZ;
		if (va + len > 128 * PGSZ)
			break;
		runs[nruns] = (struct dpx_memseg_fd_run){(void *)(uintptr_t)(va + (1ull << 30)),
							 len, 3 + (int)(nruns % 2), va + 5 * PGSZ};
		for (uint64_t p = 0; p < len / PGSZ; p++)
			want[va / PGSZ + p] = 1;
		va += len;
		nruns++;
	}
	uint64_t ex = (dpx_test_rand(&seed) % 128) * PGSZ, exl = (dpx_test_rand(&seed) % 20) * PGSZ;
	for (uint64_t p = ex / PGSZ; p < (ex + exl) / PGSZ && p < 128; p++)
		want[p] = 0;
	bool per_page = dpx_test_rand(&seed) & 1;
	int n = vu_regions_build(runs, nruns, ex + (1ull << 30), exl, per_page, PGSZ, out, 256);
	DPX_TEST_ASSERT(n >= 0, "seed %" PRIu64, seed);
	for (int i = 0; i < n; i++) {
		uint64_t a = out[i].va - (1ull << 30);
		DPX_TEST_ASSERT(out[i].len > 0 && out[i].len % PGSZ == 0, "");
		DPX_TEST_ASSERT(!per_page || out[i].len == PGSZ, "slots: one page each");
		DPX_TEST_ASSERT_EQUAL(out[i].offset, a + 5 * PGSZ, "offset follows the run");
		for (uint64_t p = 0; p < out[i].len / PGSZ; p++) {
			DPX_TEST_ASSERT_EQUAL(got[a / PGSZ + p], 0, "page in one region only");
			got[a / PGSZ + p] = 1;
		}
	}
	DPX_TEST_ASSERT(memcmp(want, got, sizeof(want)) == 0, "every shared page, no other");
	/* too small an output says so */
	if (n > 1)
		DPX_TEST_ASSERT_EQUAL(vu_regions_build(runs, nruns, ex + (1ull << 30), exl,
						       per_page, PGSZ, out, (unsigned int)n - 1),
				      -ENOSPC, "");
	return DPX_TEST_SUCCESS;
}

static int
test_virtio_user_regions(void)
{
	for (uint64_t seed = 1; seed <= 2000; seed++)
		DPX_TEST_RUN(regions_model_check(seed * 0x9e3779b97f4a7c15ull));
	return DPX_TEST_SUCCESS;
}

/* ---- the data path's cost, for callgrind ---- */

#define HOT_BURST 32
#define HOT_ROUNDS 2000

/*
 * Steady-state bursts between the port and lib/vhost in this process: each
 * round the port sends HOT_BURST frames of DPX_VU_HOT_LEN bytes (64) that
 * the back-end dequeues, and the back-end enqueues HOT_BURST frames the
 * port receives; both counts are checked. DPX_VU_HOT_OPTS adds devargs
 * (packed_vq=1, mrg_rxbuf=0). Under callgrind the inclusive costs of
 * vu_tx_burst / vu_rx_burst against dpx_vhost_dequeue_burst /
 * dpx_vhost_enqueue_burst, over HOT_ROUNDS x HOT_BURST, are instructions
 * per packet (doc/virtio_user.md, Benchmark).
 */
static int
helper_virtio_user_hotpath(void)
{
	const char *opts = getenv("DPX_VU_HOT_OPTS"), *lenv = getenv("DPX_VU_HOT_LEN");
	uint32_t len = lenv != NULL ? (uint32_t)atoi(lenv) : 64;
	struct dpx_mbuf *pkts[HOT_BURST], *got[HOT_BURST];
	uint64_t tx = 0, rx = 0;
	struct env e;

	DPX_TEST_RUN(env_up(&e, opts != NULL ? opts : "", false));
	int vid = __atomic_load_n(&be.vid, __ATOMIC_ACQUIRE);
	for (unsigned int r = 0; r < HOT_ROUNDS + 100; r++) {
		if (r == 100) /* warmed up: the rings have lapped, the pools are hot */
			tx = rx = 0;
		for (unsigned int i = 0; i < HOT_BURST; i++) {
			pkts[i] = make_pkt(e.mp, r + i, len, 2048);
			DPX_TEST_ASSERT(pkts[i] != NULL, "");
		}
		uint16_t t = dpx_eth_tx_burst(e.port, 0, pkts, HOT_BURST);
		dpx_pktmbuf_free_bulk(pkts + t, HOT_BURST - t);
		uint16_t d = dpx_vhost_dequeue_burst(vid, 1, e.mp, got, HOT_BURST);
		dpx_pktmbuf_free_bulk(got, d);
		tx += d;
		for (unsigned int i = 0; i < HOT_BURST; i++) {
			pkts[i] = make_pkt(e.mp, r + i, len, 2048);
			DPX_TEST_ASSERT(pkts[i] != NULL, "");
		}
		uint16_t q = dpx_vhost_enqueue_burst(vid, 0, pkts, HOT_BURST);
		dpx_pktmbuf_free_bulk(pkts, HOT_BURST);
		uint16_t g = dpx_eth_rx_burst(e.port, 0, got, HOT_BURST);
		DPX_TEST_ASSERT_EQUAL(g, q, "round %u", r);
		dpx_pktmbuf_free_bulk(got, g);
		rx += g;
	}
	printf("hotpath %s, %u bytes: %" PRIu64 " packets sent, %" PRIu64 " received over %u "
	       "bursts of %u\n",
	       opts != NULL ? opts : "split", len, tx, rx, HOT_ROUNDS, HOT_BURST);
	/* the work was done: every frame both ways (the first burst of a round
	 * is reaped by the next, so the back-end sees each round whole) */
	DPX_TEST_ASSERT_EQUAL(tx, (uint64_t)HOT_ROUNDS * HOT_BURST, "");
	DPX_TEST_ASSERT_EQUAL(rx, (uint64_t)HOT_ROUNDS * HOT_BURST, "");
	return env_down(&e);
}

DPX_TEST_HELPER(virtio_user_hotpath, helper_virtio_user_hotpath);

DPX_TEST_REGISTER(virtio_user_split, fast, test_virtio_user_split);
DPX_TEST_REGISTER(virtio_user_split_no_mrg, fast, test_virtio_user_split_no_mrg);
DPX_TEST_REGISTER(virtio_user_packed, fast, test_virtio_user_packed);
DPX_TEST_REGISTER(virtio_user_packed_no_mrg, fast, test_virtio_user_packed_no_mrg);
DPX_TEST_REGISTER(virtio_user_mem_hotplug, fast, test_virtio_user_mem_hotplug);
DPX_TEST_REGISTER(virtio_user_page_pool, fast, test_virtio_user_page_pool);
DPX_TEST_REGISTER(virtio_user_page_pool_packed, fast, test_virtio_user_page_pool_packed);
DPX_TEST_REGISTER(virtio_user_page_pool_off, fast, test_virtio_user_page_pool_off);
DPX_TEST_REGISTER(virtio_user_server_restart, fast, test_virtio_user_server_restart);
DPX_TEST_REGISTER(virtio_user_client_restart, fast, test_virtio_user_client_restart);
DPX_TEST_REGISTER(virtio_user_args, fast, test_virtio_user_args);
DPX_TEST_REGISTER(virtio_user_regions, fast, test_virtio_user_regions);
DPX_TEST_REGISTER(virtio_user_dpdk_mem_table, interop, test_virtio_user_dpdk_mem_table);
DPX_TEST_REGISTER(virtio_user_vhost_net, guest, test_virtio_user_vhost_net);

/*
 * Submit pkts async on vring 0 and free them as the polls return them. The
 * test engine runs its jobs when told (fake); a real one in its own time.
 */
static int
async_send(int vid, int dma, struct dpx_mbuf **pkts, uint16_t n, bool fake)
{
	struct dpx_mbuf *done[8];
	unsigned int back = 0, sent = 0;

	for (unsigned int tries = 0; back < n && tries < 100000; tries++) {
		if (sent < n)
			sent += dpx_vhost_submit_enqueue_burst(
				vid, 0, pkts + sent, (uint16_t)(n - sent), (int16_t)dma, 0);
		if (fake)
			dma_fake_run(100);
		else
			usleep(1000); /* edu under TCG: a transfer per 100 ms */
		uint16_t k = dpx_vhost_poll_enqueue_completed(vid, 0, done, 8, (int16_t)dma, 0);
		dpx_pktmbuf_free_bulk(done, k);
		back += k;
	}
	DPX_TEST_ASSERT_EQUAL(back, n, "");
	return DPX_TEST_SUCCESS;
}

/* Receive exactly n packets of len[i] bytes, seeds from seed by step 1. */
static int
rx_expect(uint16_t port, unsigned int n, uint32_t seed, const uint32_t *len)
{
	struct dpx_mbuf *got[8];
	unsigned int rcvd = 0;

	for (unsigned int tries = 0; rcvd < n && tries < 100000; tries++) {
		uint16_t r = dpx_eth_rx_burst(port, 0, got, 8);

		for (uint16_t i = 0; i < r; i++)
			DPX_TEST_RUN(check_pkt(got[i], seed + rcvd + i, len[rcvd + i]));
		dpx_pktmbuf_free_bulk(got, r);
		rcvd += r;
	}
	DPX_TEST_ASSERT_EQUAL(rcvd, n, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_rx_burst(port, 0, got, 8), 0, "nothing else");
	return DPX_TEST_SUCCESS;
}

/*
 * A packet the back-end drops for a DMA error comes back as each of its
 * mergeable buffers used with length 0 (doc/vhost.md, "DMA errors"): the
 * port drops each one alone and at once, never reading a num_buffers from
 * it (its first bytes are the dropped packet's payload, which here says 5),
 * and the packets before and after it arrive whole.
 */
static int
test_virtio_user_async_drop(void)
{
	struct dpx_mbuf *pkts[2];
	struct dpx_eth_stats st;
	struct env e;
	int dma, vid;

	DPX_TEST_RUN(env_up(&e, "", false));
	dma = dma_fake_create(256);
	DPX_TEST_ASSERT(dma >= 0, "%d", dma);
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_async_dma_configure((int16_t)dma, 0), 0, "");
	vid = __atomic_load_n(&be.vid, __ATOMIC_ACQUIRE);
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_async_channel_register(vid, 0), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_async_set_copy_threshold(vid, 0), 0, "");
	DPX_TEST_ASSERT((pkts[0] = make_pkt(e.mp, 90, 1000, 2000)) != NULL, "");
	DPX_TEST_ASSERT((pkts[1] = make_pkt(e.mp, 91, 4000, 2000)) != NULL, "");
	/* job 0: the first packet; job 1: the first of the 4000-byte packet's,
	 * whose second buffer then starts with payload: where that buffer's
	 * num_buffers would be, the payload says 5 (the first buffer holds room
	 * minus header bytes of payload: 2048 after the 12-byte header) */
	uint32_t at = DPX_MBUF_DEFAULT_BUF_SIZE - DPX_PKTMBUF_HEADROOM + 10 - 2000;
	uint8_t *d = dpx_pktmbuf_mtod(pkts[1]->next, uint8_t *);
	d[at] = 5, d[at + 1] = 0;
	dma_fake_fail(1);
	DPX_TEST_RUN(async_send(vid, dma, pkts, 2, true));
	DPX_TEST_RUN(rx_expect(e.port, 1, 90, (const uint32_t[]){1000}));
	DPX_TEST_ASSERT_EQUAL(dpx_eth_stats_get(e.port, &st), 0, "");
	DPX_TEST_ASSERT_EQUAL(st.ierrors, 2, "each of its two buffers dropped alone, at once");
	DPX_TEST_ASSERT((pkts[0] = make_pkt(e.mp, 92, 1000, 2000)) != NULL, "");
	DPX_TEST_RUN(async_send(vid, dma, pkts, 1, true));
	DPX_TEST_RUN(rx_expect(e.port, 1, 92, (const uint32_t[]){1000}));
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_async_channel_unregister(vid, 0), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_async_dma_unconfigure((int16_t)dma, 0), 0, "");
	DPX_TEST_ASSERT_EQUAL(dma_fake_destroy((int16_t)dma), 0, "");
	return env_down(&e);
}

DPX_TEST_REGISTER(virtio_user_async_drop, fast, test_virtio_user_async_drop);

/* ---- async on QEMU's edu behind VT-d, in a guest ---- */

/*
 * Inside a TCG guest with an emulated VT-d and QEMU's edu bound to vfio-pci:
 * lib/vhost runs vring 0 (the port's receive queue) async on edu, the
 * port's memory shared with it as one region per 2 MB page. edu runs with
 * iova_check=0 and verify=1, so no table of dpx's stands between its jobs
 * and the real IOMMU: a write the IOMMU drops is seen by the read-back.
 * The only mapping of an IOVA that is a back-end address (be.regions[].hva)
 * is lib/vhost's own, so a copy that lands there proves that map call, and
 * a copy that no longer lands there proves its unmap.
 *
 * The vchan is vhost's: the test's own jobs run only while vhost has none
 * in flight and are collected before vhost submits again (vhost finds its
 * packets by job index).
 */
#define EDU_SCRATCH 4096
#define EDU_LEN 1000 /* bytes of each of the test's own copies */

static const uint32_t edu_lens[] = {60, 333, 1000, 1514};

/* One job of the test's own, src (heap) to iova; its status. */
static int
edu_job(int16_t dev, const void *src, uint64_t iova, enum dpx_dma_status_code *st)
{
	uint16_t last;

	if (dpx_dma_copy(dev, 0, dpx_malloc_virt2iova(src), iova, EDU_LEN, DPX_DMA_OP_FLAG_SUBMIT) <
	    0)
		return DPX_TEST_FAILED;
	for (unsigned int tries = 0; tries < 100000; tries++) {
		if (dpx_dma_completed_status(dev, 0, 1, &last, st) == 1)
			return DPX_TEST_SUCCESS;
		usleep(1000);
	}
	return DPX_TEST_FAILED;
}

/* The back-end region holding [va, va + len) of the port's memory, or -1. */
static int
be_region_of(const void *va, size_t len)
{
	uint64_t a = (uint64_t)(uintptr_t)va;

	for (unsigned int i = 0; i < be.nregions; i++)
		if (a >= be.regions[i].gpa && a + len <= be.regions[i].gpa + be.regions[i].len)
			return (int)i;
	return -1;
}

/* IOVA (back-end address) of the port's va in region i. */
static uint64_t
be_iova(unsigned int i, const void *va)
{
	return be.regions[i].hva + ((uint64_t)(uintptr_t)va - be.regions[i].gpa);
}

/* n packets enqueued async on edu, received by the port byte-exact. */
static int
edu_round(uint16_t port, struct dpx_mempool *mp, int vid, int16_t dev, unsigned int n,
	  uint32_t seed)
{
	struct dpx_mbuf *pkts[DPX_DIM(edu_lens)];
	uint32_t len[DPX_DIM(edu_lens)];

	for (unsigned int i = 0; i < n; i++) {
		len[i] = edu_lens[i % DPX_DIM(edu_lens)];
		DPX_TEST_ASSERT((pkts[i] = make_pkt(mp, seed + i, len[i], 2048)) != NULL, "");
	}
	DPX_TEST_RUN(async_send(vid, dev, pkts, (uint16_t)n, false));
	return rx_expect(port, n, seed, len);
}

/* n packets sent by the port, dequeued async on edu byte-exact. */
static int
edu_dequeue(uint16_t port, struct dpx_mempool *mp, int vid, int16_t dev, unsigned int n,
	    uint32_t seed)
{
	struct dpx_mbuf *pkts[DPX_DIM(edu_lens)], *got[DPX_DIM(edu_lens)];
	unsigned int rcvd = 0;
	int inflight = 0;

	for (unsigned int i = 0; i < n; i++)
		DPX_TEST_ASSERT((pkts[i] = make_pkt(mp, seed + i, edu_lens[i], 2048)) != NULL, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_tx_burst(port, 0, pkts, (uint16_t)n), n, "");
	for (unsigned int tries = 0; rcvd < n && tries < 100000; tries++) {
		uint16_t r = dpx_vhost_async_try_dequeue_burst(
			vid, 1, mp, got, (uint16_t)(n - rcvd), &inflight, dev, 0);
		for (uint16_t i = 0; i < r; i++)
			DPX_TEST_RUN(check_pkt(got[i], seed + rcvd + i, edu_lens[rcvd + i]));
		dpx_pktmbuf_free_bulk(got, r);
		rcvd += r;
		if (r == 0)
			usleep(1000);
	}
	DPX_TEST_ASSERT(rcvd == n && inflight == 0, "%u of %u dequeued, %d in flight", rcvd, n,
			inflight);
	dpx_eth_tx_burst(port, 0, NULL, 0); /* reap the sent mbufs */
	return DPX_TEST_SUCCESS;
}

/*
 * What the removal's FREE event looks like from after the port's callback:
 * REM_MEM_REG has been answered, the page is still mapped here (it is
 * released after the callbacks), and a copy to the region's IOVA must not
 * reach it. Filled by edu_on_free, checked by the case.
 */
static struct {
	int16_t dev;
	const uint8_t *src; /* the copies' source, heap that stays */
	uint8_t *gone;	    /* the port's address inside the removed region */
	uint64_t gone_iova; /* its IOVA (the back-end's address) */
	uint8_t *kept;	    /* a buffer in a region that stays */
	uint64_t kept_iova;
	bool ran, gone_untouched, kept_arrived, gone_mapped;
	enum dpx_dma_status_code gone_st, kept_st;
} ef;

static int
edu_on_free(enum dpx_mem_event ev, const void *addr, size_t len, void *arg)
{
	(void)arg;
	if (ev != DPX_MEM_EVENT_FREE || (const uint8_t *)addr > ef.gone ||
	    ef.gone + EDU_LEN > (const uint8_t *)addr + len)
		return 0;
	ef.ran = true;
	ef.gone_mapped = be_region_of(ef.gone, EDU_LEN) >= 0;
	memset(ef.gone, 0xa5, EDU_LEN); /* the guard */
	if (edu_job(ef.dev, ef.src, ef.gone_iova, &ef.gone_st) != DPX_TEST_SUCCESS)
		return 0;
	ef.gone_untouched = true;
	for (unsigned int k = 0; k < EDU_LEN; k++)
		ef.gone_untouched &= ef.gone[k] == 0xa5;
	memset(ef.kept, 0, EDU_LEN);
	if (edu_job(ef.dev, ef.src, ef.kept_iova, &ef.kept_st) != DPX_TEST_SUCCESS)
		return 0;
	ef.kept_arrived = memcmp(ef.kept, ef.src, EDU_LEN) == 0;
	return 0;
}

static int
async_edu_inner(const char *bdf)
{
	struct dpx_dma_vchan_conf vc = {.direction = DPX_DMA_DIR_MEM_TO_MEM, .nb_desc = 64};
	struct dpx_dma_conf conf = {.nb_vchans = 1};
	struct dpx_vhost_async_stats as;
	enum dpx_dma_status_code st;
	struct dpx_dma_stats ds;
	char allow[160], needle[64];
	struct env e;
	int vid, id;

	/* only the IOMMU refuses, and the read-back sees it */
	snprintf(allow, sizeof(allow), "%s,dma_bits=48,iova_check=0,verify=1", bdf);
	DPX_TEST_RUN(env_up_allow(&e, "", false, allow));
	id = dpx_dma_get_dev_id_by_name(bdf);
	DPX_TEST_ASSERT(id >= 0, "no dmadev %s", bdf);
	ef.dev = (int16_t)id;
	DPX_TEST_ASSERT_EQUAL(dpx_dma_configure(ef.dev, &conf), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_dma_vchan_setup(ef.dev, 0, &vc), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_dma_start(ef.dev), 0, "");
	vid = __atomic_load_n(&be.vid, __ATOMIC_ACQUIRE);
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_async_dma_configure(ef.dev, 0), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_async_channel_register(vid, 0), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_async_set_copy_threshold(vid, 0), 0, "");
	unsigned int faults0 = dpx_test_guest_kmsg_count("fault addr");

	/* (a) packets land in the port's buffers by edu copies through the IOMMU */
	DPX_TEST_RUN(edu_round(e.port, e.mp, vid, ef.dev, 4, 100));
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_async_stats_get(vid, 0, &as, 0), 0, "");
	printf("async vring 0: %" PRIu64 " DMA copies, %" PRIu64 " CPU copies, %" PRIu64
	       " packets, %" PRIu64 " DMA errors\n",
	       as.dma_copies, as.cpu_copies, as.completed, as.dma_errors);
	DPX_TEST_ASSERT(as.dma_copies == 4 && as.cpu_copies == 4 && as.completed == 4 &&
				as.dma_errors == 0,
			"each payload on edu, each header by the CPU");
	DPX_TEST_ASSERT_EQUAL(dpx_dma_stats_get(ef.dev, 0, &ds), 0, "");
	DPX_TEST_ASSERT(ds.completed == 4 && ds.errors == 0, "edu ran the 4 copies");
	/* and the other way: the port's frames copied out of its memory by edu */
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_async_channel_register(vid, 1), 0, "");
	DPX_TEST_RUN(edu_dequeue(e.port, e.mp, vid, ef.dev, 2, 300));
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_async_stats_get(vid, 1, &as, 0), 0, "");
	printf("async vring 1: %" PRIu64 " DMA copies, %" PRIu64 " CPU copies, %" PRIu64
	       " packets, %" PRIu64 " DMA errors\n",
	       as.dma_copies, as.cpu_copies, as.completed, as.dma_errors);
	/* the header, pushed into the payload's descriptor, is read, not copied */
	DPX_TEST_ASSERT(as.dma_copies == 2 && as.cpu_copies == 0 && as.completed == 2 &&
				as.dma_errors == 0,
			"each payload on edu");
	DPX_TEST_ASSERT_EQUAL(dpx_dma_stats_get(ef.dev, 0, &ds), 0, "");
	DPX_TEST_ASSERT(ds.completed == 4 + 2 && ds.errors == 0, "");

	/* (b) the heap grows: new pages, each an ADD_MEM_REG vhost maps */
	uint8_t *src = dpx_malloc("edu_src", EDU_SCRATCH, 64);
	uint8_t *kept = dpx_malloc("edu_kept", EDU_SCRATCH, 64);
	DPX_TEST_ASSERT(src != NULL && kept != NULL, "");
	for (unsigned int k = 0; k < EDU_SCRATCH; k++)
		src[k] = (uint8_t)(k * 13 + 7);
	unsigned int added0 = __atomic_load_n(&be.added, __ATOMIC_ACQUIRE);
	unsigned int removed0 = __atomic_load_n(&be.removed, __ATOMIC_ACQUIRE);
	unsigned int n0 = be.nregions;
	const size_t grow_len = 5u << 20;
	uint8_t *grow = dpx_malloc("edu_grow", grow_len, 0);
	DPX_TEST_ASSERT(grow != NULL, "");
	DPX_TEST_ASSERT(__atomic_load_n(&be.added, __ATOMIC_ACQUIRE) > added0, "ADD_MEM_REG");
	/* a page new to the back-end (mapped at its ADD_MEM_REG, not at the
	 * registration) wholly inside grow: released when grow is freed */
	int g = -1;
	for (unsigned int i = n0; i < be.nregions && g < 0; i++)
		if (be.regions[i].gpa >= (uintptr_t)grow &&
		    be.regions[i].gpa + be.regions[i].len <= (uintptr_t)grow + grow_len)
			g = (int)i;
	DPX_TEST_ASSERT(g >= 0, "no region inside the new memory");
	int k = be_region_of(kept, EDU_LEN);
	DPX_TEST_ASSERT(k >= 0, "");
	ef.src = src;
	ef.gone = (uint8_t *)(uintptr_t)be.regions[g].gpa + 0x1000;
	ef.gone_iova = be_iova((unsigned int)g, ef.gone);
	ef.kept = kept;
	ef.kept_iova = be_iova((unsigned int)k, kept);
	printf("region %d: port %p, IOVA 0x%" PRIx64 " (the back-end's address); kept at IOVA "
	       "0x%" PRIx64 "\n",
	       g, (void *)ef.gone, ef.gone_iova, ef.kept_iova);
	/* both regions receive the test's copies at their IOVA, before the removal */
	memset(ef.gone, 0, EDU_LEN);
	DPX_TEST_RUN(edu_job(ef.dev, src, ef.gone_iova, &st));
	DPX_TEST_ASSERT(st == DPX_DMA_STATUS_SUCCESSFUL && memcmp(ef.gone, src, EDU_LEN) == 0,
			"a copy into the new region did not arrive (status %d)", st);
	memset(kept, 0, EDU_LEN);
	DPX_TEST_RUN(edu_job(ef.dev, src, ef.kept_iova, &st));
	DPX_TEST_ASSERT(st == DPX_DMA_STATUS_SUCCESSFUL && memcmp(kept, src, EDU_LEN) == 0,
			"a copy into a kept region did not arrive (status %d)", st);

	/* the heap shrinks: REM_MEM_REG, then the test looks before the page goes */
	DPX_TEST_ASSERT_EQUAL(dpx_mem_event_callback_register("edu_on_free", edu_on_free, NULL), 0,
			      "");
	dpx_free(grow);
	DPX_TEST_ASSERT_EQUAL(dpx_mem_event_callback_unregister("edu_on_free", NULL), 0, "");
	DPX_TEST_ASSERT(__atomic_load_n(&be.removed, __ATOMIC_ACQUIRE) > removed0, "REM_MEM_REG");
	DPX_TEST_ASSERT(ef.ran, "the FREE event of the region never came");
	DPX_TEST_ASSERT(!ef.gone_mapped, "the back-end still had the region");
	printf("after REM_MEM_REG: copy to the removed region's IOVA: status %d, guard %s; "
	       "to a kept region: status %d, %s\n",
	       ef.gone_st, ef.gone_untouched ? "untouched" : "OVERWRITTEN", ef.kept_st,
	       ef.kept_arrived ? "arrived" : "MISSING");
	DPX_TEST_ASSERT_EQUAL(ef.gone_st, DPX_DMA_STATUS_INVALID_DST_ADDR,
			      "edu's read-back found its write dropped");
	DPX_TEST_ASSERT(ef.gone_untouched, "a copy to the removed region's IOVA arrived");
	DPX_TEST_ASSERT(ef.kept_st == DPX_DMA_STATUS_SUCCESSFUL && ef.kept_arrived,
			"the kept region stopped receiving");
	unsigned int faults = dpx_test_guest_kmsg_count("fault addr") - faults0;
	snprintf(needle, sizeof(needle), "fault addr 0x%" PRIx64, ef.gone_iova & ~(uint64_t)0xfff);
	unsigned int named = dpx_test_guest_kmsg_count(needle);
	printf("guest kernel: %u DMAR fault reports, %u naming 0x%" PRIx64 "\n", faults, named,
	       ef.gone_iova & ~(uint64_t)0xfff);
	DPX_TEST_ASSERT(faults > 0 && named > 0, "the IOMMU reported no fault at the removed IOVA");

	/* async traffic still lands in the regions that stay */
	DPX_TEST_RUN(edu_round(e.port, e.mp, vid, ef.dev, 2, 200));
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_async_stats_get(vid, 0, &as, 0), 0, "");
	DPX_TEST_ASSERT(as.dma_copies == 6 && as.cpu_copies == 6 && as.dma_errors == 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_dma_stats_get(ef.dev, 0, &ds), 0, "");
	DPX_TEST_ASSERT(ds.completed == 6 + 2 + 4 && ds.errors == 1,
			"edu: %" PRIu64 " jobs, %" PRIu64 " failed", ds.completed, ds.errors);
	dpx_dma_dump(ef.dev, stdout);
	dpx_free(src);
	dpx_free(kept);
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_async_channel_unregister(vid, 0), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_async_channel_unregister(vid, 1), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_async_dma_unconfigure(ef.dev, 0), 0, "");
	return env_down(&e);
}

static int
test_vhost_async_edu_guest(void)
{
	const char *bdf = getenv("DPX_GUEST_VFIO_BDF");

	if (bdf != NULL)
		return async_edu_inner(bdf);
	return dpx_test_guest_case("vhost_async_edu_guest", "--vfio --mem 512M --timeout 600");
}

DPX_TEST_REGISTER(vhost_async_edu_guest, guest, test_vhost_async_edu_guest);
