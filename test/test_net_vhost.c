/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * net_vhost as an ethdev port, against the in-process front-end: link follows
 * the guest driver, tx/rx bursts carry exact bytes, stats and xstats add up
 * across a guest that comes back, nothing leaks at close.
 */
#include <errno.h>
#include <unistd.h>

#include <dpx_ethdev.h>
#include <dpx_mbuf.h>
#include <dpx_mempool.h>
#include <dpx_page_pool.h>

#include "dpx_test.h"
#include "test_ethdev_util.h"
#include "vhost_frontend.h"

static int lsc_events;

static int
on_lsc(uint16_t port_id, enum dpx_eth_event_type ev, void *arg, void *ret)
{
	(void)port_id, (void)ev, (void)arg, (void)ret;
	__atomic_fetch_add(&lsc_events, 1, __ATOMIC_RELEASE);
	return 0;
}

static int
wait_link(uint16_t port, int up)
{
	struct dpx_eth_link l;
	int i;

	for (i = 0; i < 5000; i++) {
		if (dpx_eth_link_get_nowait(port, &l) == 0 && l.link_status == up)
			return 1;
		usleep(1000);
	}
	return 0;
}

static uint8_t
pat(unsigned int p, uint32_t k)
{
	return (uint8_t)(p * 13 + k * 5 + (k >> 7));
}

static int
guest_session(uint16_t port, const char *path, unsigned int seed)
{
	static const uint32_t lens[] = {60, 200, 1514, 4000};
	struct dpx_mbuf *tx[4], *rx[8];
	uint8_t buf[8192];
	const uint8_t *p;
	struct vfe fe;
	unsigned int i;
	uint32_t k;
	struct dpx_mempool *mp = dpx_mempool_lookup("nv_mp");

	DPX_TEST_ASSERT_EQUAL(vfe_init(&fe, 32 << 20), 0, "");
	DPX_TEST_ASSERT_EQUAL(vfe_connect(&fe, path), 0, "");
	DPX_TEST_ASSERT_EQUAL(vfe_negotiate(&fe, ~0ULL), 0, "");
	DPX_TEST_ASSERT_EQUAL(vfe_set_mem_table(&fe), 0, "");
	DPX_TEST_ASSERT_EQUAL(vfe_queue_setup(&fe, 0, 256, 2048, false), 0, "");
	DPX_TEST_ASSERT_EQUAL(vfe_queue_setup(&fe, 1, 256, 2048, false), 0, "");
	DPX_TEST_ASSERT(wait_link(port, 0), "link down before DRIVER_OK");
	DPX_TEST_ASSERT_EQUAL(vfe_driver_ok(&fe), 0, "");
	DPX_TEST_ASSERT(wait_link(port, 1), "link up");
	/* host to guest: tx burst */
	vfe_rx_post(&fe, 0, 32, 1);
	for (i = 0; i < 4; i++) {
		tx[i] = dpx_pktmbuf_alloc(mp);
		uint8_t *d = (uint8_t *)dpx_pktmbuf_append(
			tx[i], (uint16_t)(lens[i] > 2000 ? 2000 : lens[i]));
		DPX_TEST_ASSERT(d != NULL, "");
		for (k = 0; k < tx[i]->data_len; k++)
			d[k] = pat(seed + i, k);
		if (lens[i] > 2000) {
			struct dpx_mbuf *m2 = dpx_pktmbuf_alloc(mp);
			uint8_t *d2 = (uint8_t *)dpx_pktmbuf_append(m2, (uint16_t)(lens[i] - 2000));
			for (k = 0; k < lens[i] - 2000; k++)
				d2[k] = pat(seed + i, 2000 + k);
			DPX_TEST_ASSERT_EQUAL(dpx_pktmbuf_chain(tx[i], m2), 0, "");
		}
	}
	DPX_TEST_ASSERT_EQUAL(dpx_eth_tx_burst(port, 0, tx, 4), 4, "");
	for (i = 0; i < 4; i++) {
		DPX_TEST_ASSERT_EQUAL(vfe_rx_take(&fe, 0, buf, sizeof(buf)), lens[i], "");
		for (k = 0; k < lens[i]; k++)
			DPX_TEST_ASSERT_EQUAL(buf[k], pat(seed + i, k), "pkt %u byte %u", i, k);
	}
	/* guest to host: rx burst */
	for (i = 0; i < 3; i++) {
		for (k = 0; k < lens[i]; k++)
			buf[k] = pat(seed + 10 + i, k);
		DPX_TEST_ASSERT_EQUAL(vfe_tx_post(&fe, 1, buf, lens[i], 2), 0, "");
	}
	DPX_TEST_ASSERT_EQUAL(dpx_eth_rx_burst(port, 0, rx, 8), 3, "");
	for (i = 0; i < 3; i++) {
		DPX_TEST_ASSERT_EQUAL(rx[i]->pkt_len, lens[i], "");
		DPX_TEST_ASSERT_EQUAL(rx[i]->port, port, "");
		p = dpx_pktmbuf_read(rx[i], 0, lens[i], buf);
		for (k = 0; k < lens[i]; k++)
			DPX_TEST_ASSERT_EQUAL(p[k], pat(seed + 10 + i, k), "pkt %u byte %u", i, k);
	}
	dpx_pktmbuf_free_bulk(rx, 3);
	vfe_fini(&fe);
	DPX_TEST_ASSERT(wait_link(port, 0), "link down when the guest goes");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_rx_burst(port, 0, rx, 8), 0, "no device");
	return DPX_TEST_SUCCESS;
}

/*
 * Dequeued packets' mbufs from the page pool: 6 one-segment packets, all
 * freed. A packed ring's burst takes a bulk of heads for the whole request
 * and frees what no packet used at once, so more are handed out than
 * received, and every one of them is home.
 */
static int
check_page_pool(uint16_t port, bool pooled)
{
	struct dpx_page_pool_stats s, *st = &s;
	int pp = xstat_names_with(port, "_pp_");

	if (!pooled) {
		DPX_TEST_ASSERT_EQUAL(pp, 0, "page_pool=0: no rx_qN_pp_* names");
		return DPX_TEST_SUCCESS;
	}
	DPX_TEST_ASSERT_EQUAL(pp, DPX_PAGE_POOL_NB_STATS, "");
	DPX_TEST_RUN(pp_xstats_of(port, 0, st));
	uint64_t out = st->alloc_fast + st->alloc_slow + st->alloc_refill;
	DPX_TEST_ASSERT(out >= 6, "one buffer per packet dequeued at least: %" PRIu64, out);
	DPX_TEST_ASSERT_EQUAL(st->recycle_cached, out, "all freed on the lcore that dequeued");
	DPX_TEST_ASSERT_EQUAL(st->in_flight, 0, "");
	DPX_TEST_ASSERT(st->alloc_fast > 0, "the second guest's packets came from the cache");
	return DPX_TEST_SUCCESS;
}

static int
port_case(const char *extra)
{
	char path[108], arg[200];
	struct dpx_eth_xstat_name names[64];
	struct dpx_eth_stats st;
	struct dpx_mempool *mp;
	uint64_t v;
	uint16_t port;
	int fds0, n, i, found = 0;

	snprintf(path, sizeof(path), "/tmp/dpx-net-vhost-%d.sock", (int)getpid());
	snprintf(arg, sizeof(arg), "net_vhost0,iface=%s,queues=1%s", path, extra);
	DPX_TEST_ASSERT(dpx_test_eal_init("--no-huge", "--vdev", arg, NULL) > 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_dev_get_port_by_name("net_vhost0", &port), 0, "");
	mp = dpx_pktmbuf_pool_create("nv_mp", 512, 0, 0, DPX_MBUF_DEFAULT_BUF_SIZE, -1);
	DPX_TEST_ASSERT(mp != NULL, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_dev_configure(port, 2, 1, NULL), -EINVAL, "queues=1");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_dev_configure(port, 1, 1, NULL), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_rx_queue_setup(port, 0, 256, -1, NULL, mp), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_tx_queue_setup(port, 0, 256, -1, NULL), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_dev_callback_register(port, DPX_ETH_EVENT_LSC, on_lsc, NULL),
			      0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_dev_start(port), 0, "");
	fds0 = dpx_test_count_fds();
	DPX_TEST_RUN(guest_session(port, path, 1));
	DPX_TEST_ASSERT_EQUAL(__atomic_load_n(&lsc_events, __ATOMIC_ACQUIRE), 2, "up and down");
	DPX_TEST_RUN(guest_session(port, path, 2)); /* the guest comes back */
	DPX_TEST_ASSERT_EQUAL(__atomic_load_n(&lsc_events, __ATOMIC_ACQUIRE), 4, "");
	DPX_TEST_ASSERT_EQUAL(dpx_test_count_fds(), fds0, "no fd kept per guest");
	/* counters of both guests add up */
	DPX_TEST_ASSERT_EQUAL(dpx_eth_stats_get(port, &st), 0, "");
	DPX_TEST_ASSERT_EQUAL(st.opackets, 8, "");
	DPX_TEST_ASSERT_EQUAL(st.obytes, 2 * (60 + 200 + 1514 + 4000), "");
	DPX_TEST_ASSERT_EQUAL(st.ipackets, 6, "");
	DPX_TEST_ASSERT_EQUAL(st.ibytes, 2 * (60 + 200 + 1514), "");
	n = dpx_eth_xstats_get_names(port, names, DPX_DIM(names));
	DPX_TEST_ASSERT(n > 0 && n <= (int)DPX_DIM(names), "%d xstats", n);
	for (i = 0; i < n; i++)
		found += strcmp(names[i].name, "tx_q0_size_1024_1518_packets") == 0 ||
			 strcmp(names[i].name, "rx_q0_notifications") == 0;
	DPX_TEST_ASSERT_EQUAL(found, 2, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_xstats_get_by_name(port, "tx_q0_size_64_packets", &v), 0, "");
	DPX_TEST_ASSERT_EQUAL(v, 2, "60-byte packets");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_xstats_get_by_name(port, "tx_q0_size_1519_max_packets", &v),
			      0, "");
	DPX_TEST_ASSERT_EQUAL(v, 2, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_xstats_get_by_name(port, "rx_q0_size_128_255_packets", &v), 0,
			      "");
	DPX_TEST_ASSERT_EQUAL(v, 2, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_xstats_get_by_name(port, "tx_q0_notifications", &v), 0, "");
	DPX_TEST_ASSERT(v >= 2, "one call per burst at least once per guest");
	DPX_TEST_RUN(check_page_pool(port, strstr(extra, "page_pool=0") == NULL));
	DPX_TEST_ASSERT_EQUAL(dpx_eth_stats_reset(port), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_stats_get(port, &st), 0, "");
	DPX_TEST_ASSERT_EQUAL(st.opackets + st.ipackets, 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_dev_stop(port), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_dev_close(port), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_test_count_fds(), fds0 - 4,
			      "socket, epoll, wake and mountinfo fds closed");
	DPX_TEST_ASSERT(access(path, F_OK) != 0, "socket file removed");
	DPX_TEST_ASSERT_EQUAL(dpx_mempool_in_use_count(mp), 0, "every mbuf back");
	dpx_mempool_free(mp);
	return DPX_TEST_SUCCESS;
}

static int
test_net_vhost_port(void)
{
	return port_case("");
}

static int
test_net_vhost_port_no_page_pool(void)
{
	return port_case(",page_pool=0");
}

static int
test_net_vhost_args(void)
{
	DPX_TEST_ASSERT(dpx_test_eal_init("--no-huge", "--vdev", "net_vhost0,queues=2", NULL) < 0,
			"iface required");
	return DPX_TEST_SUCCESS;
}

DPX_TEST_REGISTER(net_vhost_port, fast, test_net_vhost_port);
DPX_TEST_REGISTER(net_vhost_port_no_page_pool, fast, test_net_vhost_port_no_page_pool);
DPX_TEST_REGISTER(net_vhost_args, fast, test_net_vhost_args);
