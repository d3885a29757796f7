/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * net_null and net_ring: packets made and dropped by net_null; net_ring
 * loopback, cross-connected pairs and application rings, byte-exact, with
 * statistics that add up per queue and every mbuf back in its pool.
 */
#include <arpa/inet.h>

#include <dpx_bus_vdev.h>
#include <dpx_eth_ring.h>
#include <dpx_ring.h>

#include "test_ethdev_util.h"
#include "test_pkt.h"

#define POOL_SIZE 2047

static struct dpx_mempool *
make_pool(const char *name, uint16_t room)
{
	return dpx_pktmbuf_pool_create(name, POOL_SIZE, 0, 0, room, -1);
}

static int
check_null_packets(uint16_t port, struct dpx_mbuf **pkts, uint16_t n, uint32_t size)
{
	struct dpx_ether_addr mac;

	DPX_TEST_ASSERT_EQUAL(dpx_eth_macaddr_get(port, &mac), 0, "");
	for (uint16_t i = 0; i < n; i++) {
		const struct dpx_ether_hdr *eh = dpx_pktmbuf_mtod(pkts[i], const struct dpx_ether_hdr *);
		DPX_TEST_ASSERT_EQUAL(pkts[i]->pkt_len, size, "packet %u", i);
		DPX_TEST_ASSERT_EQUAL(pkts[i]->data_len, size, "packet %u", i);
		DPX_TEST_ASSERT_EQUAL(pkts[i]->port, port, "");
		DPX_TEST_ASSERT(memcmp(&eh->src_addr, &mac, sizeof(mac)) == 0, "source is the port");
		DPX_TEST_ASSERT(dpx_is_multicast_ether_addr(&eh->dst_addr), "broadcast destination");
		DPX_TEST_ASSERT_EQUAL(ntohs(eh->ether_type), 0x88B5, "");
	}
	return DPX_TEST_SUCCESS;
}

static int
null_rx_tx(const char *args, uint32_t size)
{
	struct dpx_mbuf *pkts[32];
	struct dpx_eth_stats st;
	struct dpx_mempool *mp = make_pool("null_pool", DPX_MBUF_DEFAULT_BUF_SIZE);
	uint16_t port;

	DPX_TEST_ASSERT(mp != NULL, "pool: %s", dpx_strerror(dpx_errno));
	DPX_TEST_ASSERT_EQUAL(dpx_vdev_init("net_null0", args), 0, "%s", args);
	port = port_of("net_null0");
	DPX_TEST_RUN(port_start(port, 2, 1, mp));
	for (int round = 0; round < 3; round++) {
		DPX_TEST_ASSERT_EQUAL(dpx_eth_rx_burst(port, round & 1, pkts, 32), 32, "");
		DPX_TEST_RUN(check_null_packets(port, pkts, 32, size));
		DPX_TEST_ASSERT_EQUAL(dpx_eth_tx_burst(port, 0, pkts, 32), 32, "tx takes all");
	}
	DPX_TEST_ASSERT_EQUAL(dpx_mempool_avail_count(mp), POOL_SIZE, "tx freed every packet");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_stats_get(port, &st), 0, "");
	DPX_TEST_ASSERT_EQUAL(st.ipackets, 96, "");
	DPX_TEST_ASSERT_EQUAL(st.ibytes, 96 * size, "");
	DPX_TEST_ASSERT_EQUAL(st.q_ipackets[0], 64, "");
	DPX_TEST_ASSERT_EQUAL(st.q_ipackets[1], 32, "");
	DPX_TEST_ASSERT_EQUAL(st.opackets, 96, "");
	DPX_TEST_ASSERT_EQUAL(st.obytes, 96 * size, "");

	/* an empty pool: rx gives nothing and counts it */
	struct dpx_mbuf *all[POOL_SIZE];
	DPX_TEST_ASSERT_EQUAL(dpx_pktmbuf_alloc_bulk(mp, all, POOL_SIZE), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_rx_burst(port, 0, pkts, 32), 0, "");
	uint64_t nombuf;
	DPX_TEST_ASSERT_EQUAL(dpx_eth_xstats_get_by_name(port, "rx_mbuf_allocation_errors",
							 &nombuf), 0, "");
	DPX_TEST_ASSERT_EQUAL(nombuf, 32, "");
	dpx_pktmbuf_free_bulk(all, POOL_SIZE);

	DPX_TEST_ASSERT_EQUAL(dpx_vdev_uninit("net_null0"), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_dev_count_avail(), 0, "");
	dpx_mempool_free(mp);
	return DPX_TEST_SUCCESS;
}

static int
test_pmd_null(void)
{
	DPX_TEST_ASSERT(dpx_test_eal_init("--no-huge", "--in-memory", NULL) > 0, "init");
	DPX_TEST_RUN(null_rx_tx(NULL, 64));
	DPX_TEST_RUN(null_rx_tx("size=1514,copy=1", 1514));
	DPX_TEST_RUN(null_rx_tx("copy=0,size=60", 60));

	/* bad arguments: exact errors, no port left behind */
	DPX_TEST_ASSERT_EQUAL(dpx_vdev_init("net_null0", "size=13"), -EINVAL, "below a header");
	DPX_TEST_ASSERT_EQUAL(dpx_vdev_init("net_null0", "size=9019"), -EINVAL, "");
	DPX_TEST_ASSERT_EQUAL(dpx_vdev_init("net_null0", "size=abc"), -EINVAL, "");
	DPX_TEST_ASSERT_EQUAL(dpx_vdev_init("net_null0", "copy=2"), -EINVAL, "");
	DPX_TEST_ASSERT_EQUAL(dpx_vdev_init("net_null0", "size=64,size=64"), -EINVAL, "");
	DPX_TEST_ASSERT_EQUAL(dpx_vdev_init("net_null0", "mtu=64"), -EINVAL, "unknown key");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_dev_count_avail(), 0, "");

	/* a packet size the pool's mbufs cannot hold is refused at queue setup */
	struct dpx_mempool *small = make_pool("small", DPX_PKTMBUF_HEADROOM + 256);
	DPX_TEST_ASSERT_EQUAL(dpx_vdev_init("net_null1", "size=257"), 0, "");
	uint16_t port = port_of("net_null1");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_dev_configure(port, 1, 1, NULL), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_rx_queue_setup(port, 0, 0, -1, NULL, small), -EINVAL, "");
	DPX_TEST_ASSERT_EQUAL(dpx_vdev_uninit("net_null1"), 0, "");
	dpx_mempool_free(small);
	DPX_TEST_ASSERT_EQUAL(dpx_eal_cleanup(), 0, "");
	return DPX_TEST_SUCCESS;
}
DPX_TEST_REGISTER(pmd_null, fast, test_pmd_null);

/* Send `count` pattern packets from (tx port, queue) and check they arrive at (rx port, queue). */
static int
send_and_check(struct dpx_mempool *mp, uint16_t tx, uint16_t rx, uint16_t q, unsigned int seq0,
	       unsigned int count, uint64_t *bytes)
{
	struct dpx_mbuf *pkts[64];

	DPX_TEST_ASSERT(count <= 64, "");
	for (unsigned int i = 0; i < count; i++) {
		uint32_t len = 60 + (seq0 + i) * 13 % 1400;
		pkts[i] = pattern_packet(mp, seq0 + i, len, i % 3 == 0 ? 500 : 2048);
		DPX_TEST_ASSERT(pkts[i] != NULL, "");
		*bytes += len;
	}
	DPX_TEST_ASSERT_EQUAL(dpx_eth_tx_burst(tx, q, pkts, (uint16_t)count), count, "");
	memset(pkts, 0, sizeof(pkts));
	DPX_TEST_ASSERT_EQUAL(dpx_eth_rx_burst(rx, q, pkts, 64), count, "port %u queue %u", rx, q);
	for (unsigned int i = 0; i < count; i++) {
		DPX_TEST_ASSERT(pattern_check(pkts[i], seq0 + i, 60 + (seq0 + i) * 13 % 1400),
				"packet %u intact and in order", i);
		DPX_TEST_ASSERT_EQUAL(pkts[i]->port, rx, "");
	}
	dpx_pktmbuf_free_bulk(pkts, count);
	return DPX_TEST_SUCCESS;
}

static int
check_port_stats(uint16_t port, const uint64_t q_in[2], const uint64_t q_out[2], uint64_t ibytes,
		 uint64_t obytes)
{
	struct dpx_eth_stats st;
	uint64_t v;

	DPX_TEST_ASSERT_EQUAL(dpx_eth_stats_get(port, &st), 0, "");
	DPX_TEST_ASSERT_EQUAL(st.ipackets, q_in[0] + q_in[1], "port %u", port);
	DPX_TEST_ASSERT_EQUAL(st.opackets, q_out[0] + q_out[1], "port %u", port);
	DPX_TEST_ASSERT_EQUAL(st.ibytes, ibytes, "port %u", port);
	DPX_TEST_ASSERT_EQUAL(st.obytes, obytes, "port %u", port);
	for (int q = 0; q < 2; q++) {
		DPX_TEST_ASSERT_EQUAL(st.q_ipackets[q], q_in[q], "port %u queue %d", port, q);
		DPX_TEST_ASSERT_EQUAL(st.q_opackets[q], q_out[q], "port %u queue %d", port, q);
	}
	DPX_TEST_ASSERT_EQUAL(dpx_eth_xstats_get_by_name(port, "rx_good_packets", &v), 0, "");
	DPX_TEST_ASSERT_EQUAL(v, st.ipackets, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_xstats_get_by_name(port, "tx_good_bytes", &v), 0, "");
	DPX_TEST_ASSERT_EQUAL(v, st.obytes, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_xstats_get_by_name(port, "rx_q1_packets", &v), 0, "");
	DPX_TEST_ASSERT_EQUAL(v, q_in[1], "");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_xstats_get_by_name(port, "tx_q0_packets", &v), 0, "");
	DPX_TEST_ASSERT_EQUAL(v, q_out[0], "");
	return DPX_TEST_SUCCESS;
}

static int
test_pmd_ring_pair(void)
{
	uint64_t a_bytes = 0, b_bytes = 0;
	struct dpx_mempool *mp;
	uint16_t a, b;

	DPX_TEST_ASSERT(dpx_test_eal_init("--no-huge", "--in-memory", "--vdev",
					  "net_ring_a,queues=2,size=64", NULL) > 0, "init");
	mp = make_pool("ring_pool", DPX_MBUF_DEFAULT_BUF_SIZE);
	DPX_TEST_ASSERT(mp != NULL, "");
	DPX_TEST_ASSERT_EQUAL(dpx_vdev_init("net_ring_b", "peer=net_ring_a"), 0, "");
	a = port_of("net_ring_a");
	b = port_of("net_ring_b");
	DPX_TEST_RUN(port_start(a, 2, 2, mp));
	DPX_TEST_RUN(port_start(b, 2, 2, mp));
	DPX_TEST_RUN(send_and_check(mp, a, b, 0, 0, 10, &a_bytes));
	DPX_TEST_RUN(send_and_check(mp, a, b, 1, 100, 5, &a_bytes));
	DPX_TEST_RUN(send_and_check(mp, b, a, 1, 200, 7, &b_bytes));
	DPX_TEST_RUN(send_and_check(mp, b, a, 0, 300, 1, &b_bytes));
	struct dpx_mbuf *none[4];
	DPX_TEST_ASSERT_EQUAL(dpx_eth_rx_burst(a, 0, none, 4), 0, "a does not hear itself");
	DPX_TEST_RUN(check_port_stats(a, (uint64_t[]){1, 7}, (uint64_t[]){10, 5}, b_bytes, a_bytes));
	DPX_TEST_RUN(check_port_stats(b, (uint64_t[]){10, 5}, (uint64_t[]){1, 7}, a_bytes, b_bytes));

	/* a full ring: tx takes size - 1 packets, the caller keeps the rest */
	struct dpx_mbuf *pkts[70];
	DPX_TEST_ASSERT_EQUAL(dpx_pktmbuf_alloc_bulk(mp, pkts, 70), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_tx_burst(a, 0, pkts, 70), 63, "");
	uint64_t full;
	DPX_TEST_ASSERT_EQUAL(dpx_eth_xstats_get_by_name(a, "tx_ring_full", &full), 0, "");
	DPX_TEST_ASSERT_EQUAL(full, 7, "");
	dpx_pktmbuf_free_bulk(pkts + 63, 7);
	uint16_t got = 0, n;
	while ((n = dpx_eth_rx_burst(b, 0, pkts, 32)) > 0) {
		dpx_pktmbuf_free_bulk(pkts, n);
		got += n;
	}
	DPX_TEST_ASSERT_EQUAL(got, 63, "");
	DPX_TEST_ASSERT_EQUAL(dpx_mempool_avail_count(mp), POOL_SIZE, "every mbuf back");

	/* pairing errors */
	DPX_TEST_ASSERT_EQUAL(dpx_vdev_init("net_ring_c", "peer=net_ring_a"), -EBUSY, "paired");
	DPX_TEST_ASSERT_EQUAL(dpx_vdev_init("net_ring_c", "peer=net_ring_zz"), -ENODEV, "");
	DPX_TEST_ASSERT_EQUAL(dpx_vdev_init("net_ring_d", NULL), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_vdev_init("net_ring_c", "peer=net_ring_d,queues=2"), -EINVAL,
			      "queue count differs");
	DPX_TEST_RUN(port_start(port_of("net_ring_d"), 1, 1, mp));
	DPX_TEST_ASSERT_EQUAL(dpx_vdev_init("net_ring_c", "peer=net_ring_d"), -EBUSY, "started");
	DPX_TEST_ASSERT_EQUAL(dpx_vdev_init("net_ring_c", "size=1000"), -EINVAL, "not 2^n");
	DPX_TEST_ASSERT_EQUAL(dpx_vdev_init("net_ring_c", "queues=17"), -EINVAL, "");
	DPX_TEST_ASSERT_EQUAL(dpx_vdev_init("net_ring_c", "queues=0"), -EINVAL, "");
	DPX_TEST_ASSERT_EQUAL(dpx_vdev_exists("net_ring_c"), 0, "");

	/* closing one side first leaves the other working on orphaned rings */
	DPX_TEST_ASSERT_EQUAL(dpx_eth_dev_stop(a), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_dev_close(a), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_tx_burst(a, 0, pkts, 1), 0, "closed port");
	DPX_TEST_ASSERT(dpx_pktmbuf_alloc_bulk(mp, pkts, 2) == 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_tx_burst(b, 0, pkts, 2), 2, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_rx_burst(b, 0, pkts + 2, 2), 0, "");
	/* the last port on a ring frees the packets left in it */
	DPX_TEST_ASSERT_EQUAL(dpx_vdev_uninit("net_ring_b"), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_vdev_uninit("net_ring_d"), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_mempool_avail_count(mp), POOL_SIZE, "");
	dpx_mempool_free(mp);
	DPX_TEST_ASSERT_EQUAL(dpx_eal_cleanup(), 0, "");
	return DPX_TEST_SUCCESS;
}
DPX_TEST_REGISTER(pmd_ring_pair, fast, test_pmd_ring_pair);

static int
test_pmd_ring_loopback_and_app_rings(void)
{
	struct dpx_ring *r[2];
	uint64_t bytes = 0;
	struct dpx_mempool *mp;

	DPX_TEST_ASSERT(dpx_test_eal_init("--no-huge", "--in-memory", "--vdev", "net_ring0", NULL) >
			0, "init");
	mp = make_pool("ring_pool", DPX_MBUF_DEFAULT_BUF_SIZE);
	DPX_TEST_ASSERT(mp != NULL, "");
	uint16_t lo = port_of("net_ring0");
	DPX_TEST_RUN(port_start(lo, 1, 1, mp));
	DPX_TEST_RUN(send_and_check(mp, lo, lo, 0, 0, 20, &bytes));

	/* two ports over an application's rings, crossed */
	r[0] = dpx_ring_create("app_r0", 256, -1, 0);
	r[1] = dpx_ring_create("app_r1", 256, -1, 0);
	DPX_TEST_ASSERT(r[0] != NULL && r[1] != NULL, "");
	int x = dpx_eth_from_rings("ring_x", &r[0], 1, &r[1], 1, 0);
	int y = dpx_eth_from_rings("ring_y", &r[1], 1, &r[0], 1, 0);
	DPX_TEST_ASSERT(x >= 0 && y >= 0, "x %d y %d", x, y);
	DPX_TEST_ASSERT_EQUAL(dpx_eth_from_rings("ring_x", &r[0], 1, &r[1], 1, 0), -EEXIST, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_from_rings("ring_z", &r[0], 0, &r[1], 1, 0), -EINVAL, "");
	struct dpx_ring *nul = NULL;
	DPX_TEST_ASSERT_EQUAL(dpx_eth_from_rings("ring_z", &nul, 1, &r[1], 1, 0), -EINVAL, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_from_rings(NULL, &r[0], 1, &r[1], 1, 0), -EINVAL, "");
	DPX_TEST_RUN(port_start((uint16_t)x, 1, 1, mp));
	DPX_TEST_RUN(port_start((uint16_t)y, 1, 1, mp));
	DPX_TEST_RUN(send_and_check(mp, (uint16_t)x, (uint16_t)y, 0, 40, 33, &bytes));
	DPX_TEST_RUN(send_and_check(mp, (uint16_t)y, (uint16_t)x, 0, 80, 3, &bytes));
	DPX_TEST_ASSERT_EQUAL(dpx_eth_dev_configure((uint16_t)x, 2, 1, NULL), -EBUSY, "started");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_dev_stop((uint16_t)x), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_dev_configure((uint16_t)x, 2, 1, NULL), -EINVAL, "one ring");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_dev_close((uint16_t)x), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_dev_stop((uint16_t)y), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_dev_close((uint16_t)y), 0, "");
	DPX_TEST_ASSERT(dpx_ring_lookup("app_r0") == r[0], "application rings untouched");
	dpx_ring_free(r[0]);
	dpx_ring_free(r[1]);
	DPX_TEST_ASSERT_EQUAL(dpx_vdev_uninit("net_ring0"), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_mempool_avail_count(mp), POOL_SIZE, "");
	dpx_mempool_free(mp);
	DPX_TEST_ASSERT_EQUAL(dpx_eal_cleanup(), 0, "");
	return DPX_TEST_SUCCESS;
}
DPX_TEST_REGISTER(pmd_ring_loopback_and_app_rings, fast, test_pmd_ring_loopback_and_app_rings);

/* Packets per second through rx+tx of one port pair, one lcore, bursts of 32. */
static double
burst_rate(uint16_t rx, uint16_t tx, unsigned int rounds, uint64_t *cycles)
{
	struct dpx_mbuf *pkts[32];
	uint64_t moved = 0, t0 = dpx_get_tsc_cycles();

	for (unsigned int i = 0; i < rounds; i++) {
		uint16_t n = dpx_eth_rx_burst(rx, 0, pkts, 32);
		uint16_t s = dpx_eth_tx_burst(tx, 0, pkts, n);
		dpx_pktmbuf_free_bulk(pkts + s, n - s);
		moved += s;
	}
	*cycles = dpx_get_tsc_cycles() - t0;
	return moved > 0 ? (double)*cycles / (double)moved : 0;
}

static int
test_pmd_null_ring_perf(void)
{
	struct dpx_mempool *mp;
	uint64_t cycles;
	double cpp;

	DPX_TEST_ASSERT(dpx_test_eal_init("--no-huge", "--in-memory", "--vdev", "net_null0",
					  "--vdev", "net_null1,copy=1", "--vdev", "net_ring0", NULL) > 0,
			"init");
	mp = make_pool("perf_pool", DPX_MBUF_DEFAULT_BUF_SIZE);
	DPX_TEST_ASSERT(mp != NULL, "");
	uint16_t n0 = port_of("net_null0"), n1 = port_of("net_null1"), r0 = port_of("net_ring0");
	DPX_TEST_RUN(port_start(n0, 1, 1, mp));
	DPX_TEST_RUN(port_start(n1, 1, 1, mp));
	DPX_TEST_RUN(port_start(r0, 1, 1, mp));
	cpp = burst_rate(n0, n0, 200000, &cycles);
	DPX_TEST_PERF("net_null rx+tx 64B burst 32, cycles/packet", cpp, "cycles");
	DPX_TEST_PERF("net_null rx+tx 64B burst 32", dpx_get_tsc_hz() / cpp / 1e6, "Mpps");
	cpp = burst_rate(n1, n1, 200000, &cycles);
	DPX_TEST_PERF("net_null copy=1 rx+tx 64B burst 32, cycles/packet", cpp, "cycles");
	/* net_ring: net_null feeds the ring port's loopback, which forwards to net_null */
	struct dpx_mbuf *pkts[32];
	uint64_t t0 = dpx_get_tsc_cycles(), moved = 0;
	for (unsigned int i = 0; i < 200000; i++) {
		uint16_t n = dpx_eth_rx_burst(n0, 0, pkts, 32);
		uint16_t s = dpx_eth_tx_burst(r0, 0, pkts, n);
		dpx_pktmbuf_free_bulk(pkts + s, n - s);
		n = dpx_eth_rx_burst(r0, 0, pkts, 32);
		moved += n;
		dpx_eth_tx_burst(n0, 0, pkts, n);
	}
	cycles = dpx_get_tsc_cycles() - t0;
	DPX_TEST_PERF("net_null->net_ring->net_null 64B burst 32, cycles/packet",
		      moved ? (double)cycles / (double)moved : 0, "cycles");
	DPX_TEST_ASSERT_EQUAL(dpx_vdev_uninit("net_null0"), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_vdev_uninit("net_null1"), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_vdev_uninit("net_ring0"), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_mempool_avail_count(mp), POOL_SIZE, "every mbuf back");
	dpx_mempool_free(mp);
	DPX_TEST_ASSERT_EQUAL(dpx_eal_cleanup(), 0, "");
	return DPX_TEST_SUCCESS;
}
DPX_TEST_REGISTER(pmd_null_ring_perf, perf, test_pmd_null_ring_perf);

/* Two lcores each send on their own tx queue of one port; the main lcore receives on the peer. */
#define MT_PKTS 20000

struct mt_sender {
	uint16_t port, queue;
	struct dpx_mempool *mp;
	unsigned int sent;
};

static int
mt_send(void *arg)
{
	struct mt_sender *s = arg;

	while (s->sent < MT_PKTS) {
		struct dpx_mbuf *m = dpx_pktmbuf_alloc(s->mp);
		if (m == NULL)
			continue; /* the receiver frees; try again */
		uint32_t *seq = (uint32_t *)dpx_pktmbuf_append(m, 64);
		seq[0] = s->sent;
		seq[1] = s->queue;
		while (dpx_eth_tx_burst(s->port, s->queue, &m, 1) == 0)
			dpx_pause();
		s->sent++;
	}
	return 0;
}

static int
test_pmd_ring_lcores(void)
{
	char map[64];
	struct mt_sender snd[2];
	unsigned int next[2] = {0, 0};
	struct dpx_mbuf *pkts[32];

	lcore_map(map, sizeof(map), 3); /* over the CPUs we may use: real parallelism if any */
	DPX_TEST_ASSERT(dpx_test_eal_init("--no-huge", "--in-memory", "--lcores", map, "--vdev",
					  "net_ring_a,queues=2,size=256", "--vdev",
					  "net_ring_b,peer=net_ring_a", NULL) > 0, "init");
	struct dpx_mempool *mp = make_pool("mt_pool", DPX_MBUF_DEFAULT_BUF_SIZE);
	DPX_TEST_ASSERT(mp != NULL, "");
	uint16_t a = port_of("net_ring_a"), b = port_of("net_ring_b");
	DPX_TEST_RUN(port_start(a, 2, 2, mp));
	DPX_TEST_RUN(port_start(b, 2, 2, mp));
	for (uint16_t q = 0; q < 2; q++) {
		snd[q] = (struct mt_sender){a, q, mp, 0};
		DPX_TEST_ASSERT_EQUAL(dpx_eal_remote_launch(mt_send, &snd[q], 1u + q), 0, "");
	}
	/* bounded by the packet count: senders always make progress while we drain */
	while (next[0] + next[1] < 2 * MT_PKTS) {
		for (uint16_t q = 0; q < 2; q++) {
			uint16_t n = dpx_eth_rx_burst(b, q, pkts, 32);
			for (uint16_t i = 0; i < n; i++) {
				const uint32_t *seq = dpx_pktmbuf_mtod(pkts[i], const uint32_t *);
				DPX_TEST_ASSERT(seq[1] == q && seq[0] == next[q],
						"queue %u: got #%u from queue %u, expected #%u", q, seq[0],
						seq[1], next[q]);
				next[q]++;
			}
			dpx_pktmbuf_free_bulk(pkts, n);
		}
	}
	DPX_TEST_ASSERT_EQUAL(dpx_eal_wait_lcore(1), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eal_wait_lcore(2), 0, "");
	struct dpx_eth_stats sa, sb;
	DPX_TEST_ASSERT_EQUAL(dpx_eth_stats_get(a, &sa), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_stats_get(b, &sb), 0, "");
	DPX_TEST_ASSERT_EQUAL(sa.q_opackets[0], MT_PKTS, "");
	DPX_TEST_ASSERT_EQUAL(sa.q_opackets[1], MT_PKTS, "");
	DPX_TEST_ASSERT_EQUAL(sb.ipackets, 2 * MT_PKTS, "");
	DPX_TEST_ASSERT_EQUAL(sb.ibytes, sa.obytes, "");
	DPX_TEST_ASSERT_EQUAL(sb.ibytes, 2 * MT_PKTS * 64, "");
	DPX_TEST_ASSERT_EQUAL(dpx_vdev_uninit("net_ring_b"), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_vdev_uninit("net_ring_a"), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_mempool_avail_count(mp), POOL_SIZE, "");
	dpx_mempool_free(mp);
	DPX_TEST_ASSERT_EQUAL(dpx_eal_cleanup(), 0, "");
	return DPX_TEST_SUCCESS;
}
DPX_TEST_REGISTER(pmd_ring_lcores, fast, test_pmd_ring_lcores);
