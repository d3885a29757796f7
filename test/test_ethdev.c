/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ethdev: the state machine with exact errors, port table, events, and
 * statistics/xstats that add up. The port under test is "test_loop", a vdev
 * driver defined here: tx queue i hands its packets to rx queue i untouched
 * (it never reads an mbuf, so any pointer does as a packet), counting a
 * fixed 60 bytes per packet.
 */
#include <stdlib.h>

#include <dpx_bus_vdev_driver.h>
#include <dpx_ethdev_driver.h>

#include "dpx_test.h"

#define LOOP_QUEUES 4
#define LOOP_DEPTH 64
#define LOOP_PKT_BYTES 60

struct loop_queue {
	struct dpx_eth_sw_queue_stats stats; /* tx errors: refused, the peer queue being full */
	struct dpx_mbuf *slots[LOOP_DEPTH];
	unsigned int head, count;
	struct loop_queue *peer; /* tx -> its rx queue */
};
DPX_ETH_SW_STATS_FIRST(struct loop_queue, stats);

struct loop_port {
	struct loop_queue rxq[LOOP_QUEUES], txq[LOOP_QUEUES];
	int closed;
};

static uint16_t
loop_rx(void *q, struct dpx_mbuf **pkts, uint16_t n)
{
	struct loop_queue *rq = q;
	uint16_t i;

	for (i = 0; i < n && rq->count > 0; i++, rq->count--) {
		pkts[i] = rq->slots[rq->head];
		rq->head = (rq->head + 1) % LOOP_DEPTH;
	}
	dpx_eth_sw_count(&rq->stats, i, (uint64_t)i * LOOP_PKT_BYTES);
	return i;
}

static uint16_t
loop_tx(void *q, struct dpx_mbuf **pkts, uint16_t n)
{
	struct loop_queue *tq = q, *rq = tq->peer;
	uint16_t i;

	for (i = 0; i < n && rq->count < LOOP_DEPTH; i++, rq->count++)
		rq->slots[(rq->head + rq->count) % LOOP_DEPTH] = pkts[i];
	dpx_eth_sw_count(&tq->stats, i, (uint64_t)i * LOOP_PKT_BYTES);
	dpx_eth_sw_count_errors(&tq->stats, n - i);
	return i;
}

static struct loop_port *
loop_priv(struct dpx_eth_dev *dev)
{
	return dev->data->dev_private;
}

static int
loop_infos(struct dpx_eth_dev *dev, struct dpx_eth_dev_info *info)
{
	(void)dev;
	info->max_rx_queues = LOOP_QUEUES;
	info->max_tx_queues = LOOP_QUEUES;
	info->min_mtu = 68;
	info->max_mtu = 9000;
	info->rx_desc_max = LOOP_DEPTH;
	info->tx_desc_max = LOOP_DEPTH;
	info->tx_offload_capa = DPX_ETH_TX_OFFLOAD_MULTI_SEGS;
	return 0;
}

static int
loop_rxq_setup(struct dpx_eth_dev *dev, uint16_t qid, uint16_t nb_desc, int socket,
	       const struct dpx_eth_rxconf *conf, struct dpx_mempool *mp, void **q)
{
	(void)nb_desc, (void)socket, (void)conf, (void)mp;
	memset(&loop_priv(dev)->rxq[qid], 0, sizeof(struct loop_queue));
	*q = &loop_priv(dev)->rxq[qid];
	return 0;
}

static int
loop_txq_setup(struct dpx_eth_dev *dev, uint16_t qid, uint16_t nb_desc, int socket,
	       const struct dpx_eth_txconf *conf, void **q)
{
	(void)nb_desc, (void)socket, (void)conf;
	struct loop_queue *tq = &loop_priv(dev)->txq[qid];
	memset(tq, 0, sizeof(*tq));
	tq->peer = &loop_priv(dev)->rxq[qid];
	*q = tq;
	return 0;
}

static int queue_releases;

static void
loop_queue_release(struct dpx_eth_dev *dev, void *q)
{
	(void)dev, (void)q;
	queue_releases++;
}

static int
loop_xstats_names(struct dpx_eth_dev *dev, struct dpx_eth_xstat_name *names, unsigned int size)
{
	(void)dev;
	if (names != NULL && size >= 1)
		snprintf(names[0].name, sizeof(names[0].name), "loop_tx_ring_full");
	return 1;
}

static int
loop_xstats_get(struct dpx_eth_dev *dev, struct dpx_eth_xstat *xs, unsigned int n)
{
	struct dpx_eth_sw_counters c;
	uint64_t full = 0;

	for (unsigned int q = 0; q < LOOP_QUEUES; q++) {
		dpx_eth_sw_queue_counters(&loop_priv(dev)->txq[q], &c);
		full += c.errors;
	}
	if (xs != NULL && n >= 1)
		xs[0].value = full;
	return 1;
}

static int
loop_link_up(struct dpx_eth_dev *dev)
{
	return dpx_eth_link_fixed_set(dev, DPX_ETH_SPEED_NUM_10G, 1);
}

static int
loop_link_down(struct dpx_eth_dev *dev)
{
	return dpx_eth_link_fixed_set(dev, DPX_ETH_SPEED_NUM_10G, 0);
}

static int
loop_promisc(struct dpx_eth_dev *dev)
{
	(void)dev;
	return 0;
}

static int
loop_mtu_set(struct dpx_eth_dev *dev, uint16_t mtu)
{
	(void)dev, (void)mtu;
	return 0;
}

static int
loop_close(struct dpx_eth_dev *dev)
{
	free(dev->data->dev_private);
	dev->data->dev_private = NULL;
	return 0;
}

static const struct dpx_eth_dev_ops loop_ops = {
	.dev_infos_get = loop_infos,
	.dev_close = loop_close,
	.dev_set_link_up = loop_link_up,
	.dev_set_link_down = loop_link_down,
	.promiscuous_enable = loop_promisc,
	.promiscuous_disable = loop_promisc,
	.mtu_set = loop_mtu_set,
	.rx_queue_setup = loop_rxq_setup,
	.rx_queue_release = loop_queue_release,
	.tx_queue_setup = loop_txq_setup,
	.tx_queue_release = loop_queue_release,
	.stats_get = dpx_eth_sw_stats_get,
	.stats_reset = dpx_eth_sw_stats_reset,
	.xstats_get_names = loop_xstats_names,
	.xstats_get = loop_xstats_get,
};

static int
loop_probe(struct dpx_vdev_device *vdev)
{
	struct dpx_eth_dev *dev = dpx_eth_dev_allocate(dpx_vdev_device_name(vdev));

	if (dev == NULL)
		return -dpx_errno;
	dev->data->dev_private = calloc(1, sizeof(struct loop_port));
	if (dev->data->dev_private == NULL) {
		dpx_eth_dev_release_port(dev);
		return -ENOMEM;
	}
	dev->dev_ops = &loop_ops;
	dev->driver_name = "test_loop";
	dev->rx_pkt_burst = loop_rx;
	dev->tx_pkt_burst = loop_tx;
	dev->device = vdev;
	dev->data->mac_addr = (struct dpx_ether_addr){{0x02, 0, 0, 0, 0, 0x01}};
	dpx_eth_dev_probing_finish(dev);
	return 0;
}

static int
loop_remove(struct dpx_vdev_device *vdev)
{
	return dpx_eth_dev_remove_by_name(dpx_vdev_device_name(vdev));
}

static struct dpx_vdev_driver loop_drv = {
	.probe = loop_probe,
	.remove = loop_remove,
};
DPX_PMD_REGISTER_VDEV(test_loop, loop_drv);

/* ---- event recording ---- */

struct event_log {
	unsigned int count[DPX_ETH_EVENT_MAX];
	uint16_t last_port[DPX_ETH_EVENT_MAX];
	struct dpx_eth_event_queue_state last_qs;
};

static int
record_event(uint16_t port_id, enum dpx_eth_event_type ev, void *arg, void *ret_param)
{
	struct event_log *log = arg;

	log->count[ev]++;
	log->last_port[ev] = port_id;
	if (ev == DPX_ETH_EVENT_QUEUE_STATE)
		log->last_qs = *(struct dpx_eth_event_queue_state *)ret_param;
	return 7;
}

static int
make_loop_port(const char *name, uint16_t *port)
{
	DPX_TEST_ASSERT_EQUAL(dpx_vdev_init(name, NULL), 0, "%s", name);
	DPX_TEST_ASSERT_EQUAL(dpx_eth_dev_get_port_by_name(name, port), 0, "%s", name);
	return DPX_TEST_SUCCESS;
}

/* Any non-NULL pointer serves as a pool and as packets: test_loop never reads them. */
static char fake_objects[64];
#define FAKE_POOL ((struct dpx_mempool *)fake_objects)
#define FAKE_PKT(i) ((struct dpx_mbuf *)&fake_objects[(i) % 64])

static int
test_ethdev_state_machine(void)
{
	struct event_log log = {0};
	struct dpx_mbuf *pkts[8];
	uint16_t port, bad = DPX_MAX_ETHPORTS - 1;

	DPX_TEST_ASSERT(dpx_test_eal_init("--no-huge", "--in-memory", NULL) > 0, "init");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_dev_callback_register(DPX_ETH_ALL, DPX_ETH_EVENT_NEW,
							    record_event, &log), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_dev_callback_register(DPX_ETH_ALL, DPX_ETH_EVENT_DESTROY,
							    record_event, &log), 0, "");
	DPX_TEST_RUN(make_loop_port("test_loop0", &port));
	DPX_TEST_ASSERT_EQUAL(log.count[DPX_ETH_EVENT_NEW], 1, "NEW delivered");
	DPX_TEST_ASSERT_EQUAL(log.last_port[DPX_ETH_EVENT_NEW], port, "");

	/* invalid port: -ENODEV everywhere */
	DPX_TEST_ASSERT_EQUAL(dpx_eth_dev_configure(bad, 1, 1, NULL), -ENODEV, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_dev_configure(DPX_MAX_ETHPORTS, 1, 1, NULL), -ENODEV, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_rx_queue_setup(bad, 0, 0, -1, NULL, FAKE_POOL), -ENODEV, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_tx_queue_setup(bad, 0, 0, -1, NULL), -ENODEV, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_dev_start(bad), -ENODEV, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_dev_stop(bad), -ENODEV, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_dev_close(bad), -ENODEV, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_dev_is_started(bad), -ENODEV, "");

	/* not configured yet */
	DPX_TEST_ASSERT_EQUAL(dpx_eth_dev_start(port), -EINVAL, "start without configure");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_rx_queue_setup(port, 0, 0, -1, NULL, FAKE_POOL), -EINVAL, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_tx_queue_setup(port, 0, 0, -1, NULL), -EINVAL, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_tx_burst(port, 0, pkts, 0), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_rx_burst(port, 0, pkts, 8), 0, "burst before start");

	/* configure: counts and conf checked */
	DPX_TEST_ASSERT_EQUAL(dpx_eth_dev_configure(port, 0, 0, NULL), -EINVAL, "no queues");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_dev_configure(port, LOOP_QUEUES + 1, 1, NULL), -EINVAL, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_dev_configure(port, 1, LOOP_QUEUES + 1, NULL), -EINVAL, "");
	struct dpx_eth_conf conf = {.mtu = 9001};
	DPX_TEST_ASSERT_EQUAL(dpx_eth_dev_configure(port, 1, 1, &conf), -EINVAL, "MTU too big");
	conf = (struct dpx_eth_conf){.tx_offloads = DPX_ETH_TX_OFFLOAD_TCP_TSO};
	DPX_TEST_ASSERT_EQUAL(dpx_eth_dev_configure(port, 1, 1, &conf), -EINVAL, "no TSO");
	conf = (struct dpx_eth_conf){.mtu = 9000, .tx_offloads = DPX_ETH_TX_OFFLOAD_MULTI_SEGS};
	DPX_TEST_ASSERT_EQUAL(dpx_eth_dev_configure(port, 2, 2, &conf), 0, "");
	uint16_t mtu;
	DPX_TEST_ASSERT_EQUAL(dpx_eth_dev_get_mtu(port, &mtu), 0, "");
	DPX_TEST_ASSERT_EQUAL(mtu, 9000, "configured MTU");

	/* queue setup: ids and arguments */
	DPX_TEST_ASSERT_EQUAL(dpx_eth_rx_queue_setup(port, 2, 0, -1, NULL, FAKE_POOL), -EINVAL,
			      "queue id out of range");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_tx_queue_setup(port, 2, 0, -1, NULL), -EINVAL, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_rx_queue_setup(port, 0, 0, -1, NULL, NULL), -EINVAL, "no pool");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_rx_queue_setup(port, 0, LOOP_DEPTH + 1, -1, NULL, FAKE_POOL),
			      -EINVAL, "too many descriptors");
	struct dpx_eth_rxconf rxconf = {.offloads = DPX_ETH_RX_OFFLOAD_TCP_LRO};
	DPX_TEST_ASSERT_EQUAL(dpx_eth_rx_queue_setup(port, 0, 0, -1, &rxconf, FAKE_POOL), -EINVAL,
			      "offload not offered");
	for (uint16_t q = 0; q < 2; q++)
		DPX_TEST_ASSERT_EQUAL(dpx_eth_rx_queue_setup(port, q, 0, -1, NULL, FAKE_POOL), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_tx_queue_setup(port, 0, 0, -1, NULL), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_dev_start(port), -EINVAL, "tx queue 1 not set up");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_tx_queue_setup(port, 1, 0, -1, NULL), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_tx_queue_setup(port, 1, 0, -1, NULL), 0, "set up again");
	DPX_TEST_ASSERT_EQUAL(queue_releases, 1, "the replaced queue was released");

	/* started */
	DPX_TEST_ASSERT_EQUAL(dpx_eth_dev_is_started(port), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_dev_start(port), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_dev_start(port), 0, "start again is a no-op");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_dev_is_started(port), 1, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_dev_configure(port, 1, 1, NULL), -EBUSY, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_rx_queue_setup(port, 0, 0, -1, NULL, FAKE_POOL), -EBUSY, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_tx_queue_setup(port, 0, 0, -1, NULL), -EBUSY, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_dev_close(port), -EBUSY, "close while started");
	for (int i = 0; i < 8; i++)
		pkts[i] = FAKE_PKT(i);
	DPX_TEST_ASSERT_EQUAL(dpx_eth_tx_burst(port, 1, pkts, 5), 5, "");
	memset(pkts, 0, sizeof(pkts));
	DPX_TEST_ASSERT_EQUAL(dpx_eth_rx_burst(port, 0, pkts, 8), 0, "queue 0 is empty");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_rx_burst(port, 1, pkts, 8), 5, "");
	for (int i = 0; i < 5; i++)
		DPX_TEST_ASSERT(pkts[i] == FAKE_PKT(i), "packet %d in order", i);

	/* stopped: bursts return 0 again, setup allowed again */
	DPX_TEST_ASSERT_EQUAL(dpx_eth_tx_burst(port, 0, pkts, 3), 3, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_dev_stop(port), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_dev_stop(port), 0, "stop again is a no-op");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_rx_burst(port, 0, pkts, 8), 0, "burst after stop");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_tx_burst(port, 0, pkts, 8), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_dev_start(port), 0, "restart");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_rx_burst(port, 0, pkts, 8), 3, "queued packets kept");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_dev_stop(port), 0, "");
	queue_releases = 0;
	DPX_TEST_ASSERT_EQUAL(dpx_eth_dev_configure(port, 1, 1, NULL), 0, "reconfigure");
	DPX_TEST_ASSERT_EQUAL(queue_releases, 4, "old queues released");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_dev_start(port), -EINVAL, "new queues not set up");

	/* close: DESTROY, then the id is invalid; the device stays on the bus */
	DPX_TEST_ASSERT_EQUAL(dpx_eth_dev_close(port), 0, "");
	DPX_TEST_ASSERT_EQUAL(log.count[DPX_ETH_EVENT_DESTROY], 1, "DESTROY delivered");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_dev_start(port), -ENODEV, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_dev_close(port), -ENODEV, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_dev_count_avail(), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_vdev_uninit("test_loop0"), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eal_cleanup(), 0, "");
	return DPX_TEST_SUCCESS;
}
DPX_TEST_REGISTER(ethdev_state_machine, fast, test_ethdev_state_machine);

static int
test_ethdev_ports(void)
{
	char name[DPX_ETH_NAME_MAX_LEN];
	uint16_t p0, p1, p, seen = 0;

	DPX_TEST_ASSERT(dpx_test_eal_init("--no-huge", "--in-memory", "--vdev", "test_loop_a",
					  "--vdev", "test_loop_b", NULL) > 0, "init");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_dev_count_avail(), 2, "ports from --vdev");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_dev_get_port_by_name("test_loop_a", &p0), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_dev_get_port_by_name("test_loop_b", &p1), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_dev_get_port_by_name("test_loop_c", &p), -ENODEV, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_dev_get_port_by_name(NULL, &p), -EINVAL, "");
	DPX_TEST_ASSERT(p0 != p1, "");
	DPX_ETH_FOREACH_DEV(p)
		seen++;
	DPX_TEST_ASSERT_EQUAL(seen, 2, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_dev_get_name_by_port(p1, name), 0, "");
	DPX_TEST_ASSERT(strcmp(name, "test_loop_b") == 0, "got %s", name);
	DPX_TEST_ASSERT_EQUAL(dpx_eth_dev_get_name_by_port(DPX_MAX_ETHPORTS - 1, name), -ENODEV, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_dev_get_name_by_port(p1, NULL), -EINVAL, "");

	struct dpx_eth_dev_info info;
	DPX_TEST_ASSERT_EQUAL(dpx_eth_dev_info_get(p0, &info), 0, "");
	DPX_TEST_ASSERT(strcmp(info.driver_name, "test_loop") == 0, "");
	DPX_TEST_ASSERT_EQUAL(info.max_rx_queues, LOOP_QUEUES, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_dev_info_get(p0, NULL), -EINVAL, "");

	/* the allocator: exact errors */
	DPX_TEST_ASSERT(dpx_eth_dev_allocate("test_loop_a") == NULL, "");
	DPX_TEST_ASSERT_EQUAL(dpx_errno, EEXIST, "");
	DPX_TEST_ASSERT(dpx_eth_dev_allocate("") == NULL, "");
	DPX_TEST_ASSERT_EQUAL(dpx_errno, EINVAL, "");
	struct dpx_eth_dev *devs[DPX_MAX_ETHPORTS];
	unsigned int n = 0;
	for (; n < DPX_MAX_ETHPORTS; n++) {
		snprintf(name, sizeof(name), "raw%u", n);
		devs[n] = dpx_eth_dev_allocate(name);
		if (devs[n] == NULL)
			break;
	}
	DPX_TEST_ASSERT_EQUAL(n, DPX_MAX_ETHPORTS - 2, "every free id allocated");
	DPX_TEST_ASSERT_EQUAL(dpx_errno, ENOSPC, "table full");
	for (unsigned int i = 0; i < n; i++)
		DPX_TEST_ASSERT_EQUAL(dpx_eth_dev_release_port(devs[i]), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_dev_release_port(devs[0]), -EINVAL, "released twice");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_dev_count_avail(), 2, "");

	/* MAC, MTU, promiscuous */
	struct dpx_ether_addr mac, mc = {{0x01, 0, 0x5e, 0, 0, 1}};
	DPX_TEST_ASSERT_EQUAL(dpx_eth_macaddr_get(p0, &mac), 0, "");
	DPX_TEST_ASSERT_EQUAL(mac.addr_bytes[5], 0x01, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_macaddr_get(p0, NULL), -EINVAL, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_dev_default_mac_addr_set(p0, &mc), -EINVAL, "multicast");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_dev_default_mac_addr_set(p0, &mac), -ENOTSUP, "no op");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_dev_set_mtu(p0, 67), -EINVAL, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_dev_set_mtu(p0, 9001), -EINVAL, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_dev_set_mtu(p0, 4000), 0, "");
	uint16_t mtu;
	DPX_TEST_ASSERT_EQUAL(dpx_eth_dev_get_mtu(p0, &mtu), 0, "");
	DPX_TEST_ASSERT_EQUAL(mtu, 4000, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_promiscuous_get(p0), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_promiscuous_enable(p0), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_promiscuous_get(p0), 1, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_promiscuous_disable(p0), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_promiscuous_get(p0), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_promiscuous_get(DPX_MAX_ETHPORTS), -ENODEV, "");

	/* cleanup closes what --vdev made */
	DPX_TEST_ASSERT_EQUAL(dpx_eal_cleanup(), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_dev_count_avail(), 0, "");
	return DPX_TEST_SUCCESS;
}
DPX_TEST_REGISTER(ethdev_ports, fast, test_ethdev_ports);

static int
unregister_self(uint16_t port_id, enum dpx_eth_event_type ev, void *arg, void *ret_param)
{
	(void)ret_param;
	(*(int *)arg)++;
	return dpx_eth_dev_callback_unregister(port_id, ev, unregister_self, arg);
}

static int
test_ethdev_events(void)
{
	struct event_log on_port = {0}, on_all = {0};
	struct dpx_eth_link link;
	char text[64];
	int self_calls = 0;
	uint16_t port;

	DPX_TEST_ASSERT(dpx_test_eal_init("--no-huge", "--in-memory", NULL) > 0, "init");
	DPX_TEST_RUN(make_loop_port("test_loop0", &port));
	DPX_TEST_ASSERT_EQUAL(dpx_eth_dev_callback_register(port, DPX_ETH_EVENT_LSC, NULL, NULL),
			      -EINVAL, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_dev_callback_register(port, DPX_ETH_EVENT_MAX, record_event,
							    NULL), -EINVAL, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_dev_callback_register(77, DPX_ETH_EVENT_LSC, record_event,
							    NULL), -ENODEV, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_dev_callback_register(port, DPX_ETH_EVENT_LSC, record_event,
							    &on_port), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_dev_callback_register(port, DPX_ETH_EVENT_LSC, record_event,
							    &on_port), 0, "twice is once");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_dev_callback_register(DPX_ETH_ALL, DPX_ETH_EVENT_LSC,
							    record_event, &on_all), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_dev_callback_register(port, DPX_ETH_EVENT_LSC,
							    unregister_self, &self_calls), 0, "");

	DPX_TEST_ASSERT_EQUAL(dpx_eth_link_get_nowait(port, &link), 0, "");
	DPX_TEST_ASSERT_EQUAL(link.link_status, DPX_ETH_LINK_DOWN, "new port: link down");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_dev_set_link_up(port), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_link_get_nowait(port, &link), 0, "");
	DPX_TEST_ASSERT_EQUAL(link.link_status, DPX_ETH_LINK_UP, "");
	DPX_TEST_ASSERT_EQUAL(link.link_speed, DPX_ETH_SPEED_NUM_10G, "");
	dpx_eth_link_to_str(text, sizeof(text), &link);
	DPX_TEST_ASSERT(strcmp(text, "Link up at 10 Gbps FDX Fixed") == 0, "got %s", text);
	DPX_TEST_ASSERT_EQUAL(on_port.count[DPX_ETH_EVENT_LSC], 1, "");
	DPX_TEST_ASSERT_EQUAL(on_all.count[DPX_ETH_EVENT_LSC], 1, "");
	DPX_TEST_ASSERT_EQUAL(self_calls, 1, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_dev_set_link_up(port), 0, "");
	DPX_TEST_ASSERT_EQUAL(on_port.count[DPX_ETH_EVENT_LSC], 1, "no change, no event");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_dev_set_link_down(port), 0, "");
	DPX_TEST_ASSERT_EQUAL(on_port.count[DPX_ETH_EVENT_LSC], 2, "");
	DPX_TEST_ASSERT_EQUAL(self_calls, 1, "unregistered itself");
	dpx_eth_link_to_str(text, sizeof(text), &(struct dpx_eth_link){0});
	DPX_TEST_ASSERT(strcmp(text, "Link down") == 0, "got %s", text);

	/* a driver's queue-state event carries its parameter; the return comes back */
	struct dpx_eth_event_queue_state qs = {.queue_id = 3, .rx = 1, .enabled = 1};
	DPX_TEST_ASSERT_EQUAL(dpx_eth_dev_callback_register(port, DPX_ETH_EVENT_QUEUE_STATE,
							    record_event, &on_port), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_dev_callback_process(dpx_eth_dev_get(port),
							   DPX_ETH_EVENT_QUEUE_STATE, &qs), 7, "");
	DPX_TEST_ASSERT_EQUAL(on_port.count[DPX_ETH_EVENT_QUEUE_STATE], 1, "");
	DPX_TEST_ASSERT(on_port.last_qs.queue_id == 3 && on_port.last_qs.rx && on_port.last_qs.enabled,
			"");

	DPX_TEST_ASSERT_EQUAL(dpx_eth_dev_callback_unregister(port, DPX_ETH_EVENT_LSC, record_event,
							      (void *)-1), 0, "any argument");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_dev_callback_unregister(port, DPX_ETH_EVENT_LSC, record_event,
							      &on_port), -ENOENT, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_dev_set_link_up(port), 0, "");
	DPX_TEST_ASSERT_EQUAL(on_port.count[DPX_ETH_EVENT_LSC], 2, "unregistered");
	DPX_TEST_ASSERT_EQUAL(on_all.count[DPX_ETH_EVENT_LSC], 3, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eal_cleanup(), 0, "");
	return DPX_TEST_SUCCESS;
}
DPX_TEST_REGISTER(ethdev_events, fast, test_ethdev_events);

static int
check_xstat(uint16_t port, const char *name, uint64_t expect)
{
	uint64_t v = UINT64_MAX, id = UINT64_MAX, by_id = UINT64_MAX;

	DPX_TEST_ASSERT_EQUAL(dpx_eth_xstats_get_by_name(port, name, &v), 0, "%s", name);
	DPX_TEST_ASSERT(v == expect, "%s = %" PRIu64 ", expected %" PRIu64, name, v, expect);
	DPX_TEST_ASSERT_EQUAL(dpx_eth_xstats_get_id_by_name(port, name, &id), 0, "%s", name);
	DPX_TEST_ASSERT_EQUAL(dpx_eth_xstats_get_by_id(port, &id, &by_id, 1), 1, "%s", name);
	DPX_TEST_ASSERT(by_id == expect, "%s by id", name);
	return DPX_TEST_SUCCESS;
}

static int
test_ethdev_xstats(void)
{
	struct dpx_mbuf *pkts[LOOP_DEPTH + 8];
	struct dpx_eth_stats st;
	uint16_t port;

	DPX_TEST_ASSERT(dpx_test_eal_init("--no-huge", "--in-memory", NULL) > 0, "init");
	DPX_TEST_RUN(make_loop_port("test_loop0", &port));
	DPX_TEST_ASSERT_EQUAL(dpx_eth_dev_configure(port, 2, 3, NULL), 0, "");
	for (uint16_t q = 0; q < 2; q++)
		DPX_TEST_ASSERT_EQUAL(dpx_eth_rx_queue_setup(port, q, 0, -1, NULL, FAKE_POOL), 0, "");
	for (uint16_t q = 0; q < 3; q++)
		DPX_TEST_ASSERT_EQUAL(dpx_eth_tx_queue_setup(port, q, 0, -1, NULL), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_dev_start(port), 0, "");
	for (int i = 0; i < LOOP_DEPTH + 8; i++)
		pkts[i] = FAKE_PKT(i);
	DPX_TEST_ASSERT_EQUAL(dpx_eth_tx_burst(port, 0, pkts, 10), 10, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_tx_burst(port, 1, pkts, LOOP_DEPTH + 8), LOOP_DEPTH, "full");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_rx_burst(port, 0, pkts, 4), 4, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_rx_burst(port, 1, pkts, 32), 32, "");

	DPX_TEST_ASSERT_EQUAL(dpx_eth_stats_get(port, &st), 0, "");
	DPX_TEST_ASSERT_EQUAL(st.opackets, 10 + LOOP_DEPTH, "");
	DPX_TEST_ASSERT_EQUAL(st.oerrors, 8, "");
	DPX_TEST_ASSERT_EQUAL(st.ipackets, 36, "");
	DPX_TEST_ASSERT_EQUAL(st.ibytes, 36 * LOOP_PKT_BYTES, "");
	DPX_TEST_ASSERT_EQUAL(st.q_ipackets[0] + st.q_ipackets[1], st.ipackets, "queues add up");
	DPX_TEST_ASSERT_EQUAL(st.q_opackets[0] + st.q_opackets[1] + st.q_opackets[2], st.opackets, "");

	/* names: 8 port-wide, 3 per rx queue, 2 per tx queue, then the driver's one */
	int n = dpx_eth_xstats_get_names(port, NULL, 0);
	DPX_TEST_ASSERT_EQUAL(n, 8 + 2 * 3 + 3 * 2 + 1, "");
	struct dpx_eth_xstat_name names[32];
	struct dpx_eth_xstat xs[32];
	DPX_TEST_ASSERT_EQUAL(dpx_eth_xstats_get_names(port, names, 3), n, "short array: count only");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_xstats_get_names(port, NULL, 3), -EINVAL, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_xstats_get_names(port, names, 32), n, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_xstats_get(port, xs, 32), n, "");
	DPX_TEST_ASSERT(strcmp(names[0].name, "rx_good_packets") == 0, "%s", names[0].name);
	DPX_TEST_ASSERT(strcmp(names[8].name, "rx_q0_packets") == 0, "%s", names[8].name);
	DPX_TEST_ASSERT(strcmp(names[14].name, "tx_q0_packets") == 0, "%s", names[14].name);
	DPX_TEST_ASSERT(strcmp(names[19].name, "tx_q2_bytes") == 0, "%s", names[19].name);
	DPX_TEST_ASSERT(strcmp(names[20].name, "loop_tx_ring_full") == 0, "%s", names[20].name);
	for (int i = 0; i < n; i++)
		DPX_TEST_ASSERT_EQUAL(xs[i].id, i, "ids are indexes");

	/* by name equals basic */
	DPX_TEST_RUN(check_xstat(port, "rx_good_packets", st.ipackets));
	DPX_TEST_RUN(check_xstat(port, "tx_good_packets", st.opackets));
	DPX_TEST_RUN(check_xstat(port, "rx_good_bytes", st.ibytes));
	DPX_TEST_RUN(check_xstat(port, "tx_good_bytes", st.obytes));
	DPX_TEST_RUN(check_xstat(port, "tx_errors", st.oerrors));
	DPX_TEST_RUN(check_xstat(port, "rx_q1_packets", 32));
	DPX_TEST_RUN(check_xstat(port, "tx_q1_packets", LOOP_DEPTH));
	DPX_TEST_RUN(check_xstat(port, "tx_q2_packets", 0));
	DPX_TEST_RUN(check_xstat(port, "loop_tx_ring_full", 8));
	uint64_t v, id = 99;
	DPX_TEST_ASSERT_EQUAL(dpx_eth_xstats_get_by_name(port, "rx_q2_packets", &v), -ENOENT,
			      "only 2 rx queues");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_xstats_get_by_name(port, NULL, &v), -EINVAL, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_xstats_get_by_name(DPX_MAX_ETHPORTS, "x", &v), -ENODEV, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_xstats_get_by_id(port, &id, &v, 1), -EINVAL, "bad id");

	DPX_TEST_ASSERT_EQUAL(dpx_eth_xstats_reset(port), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_stats_get(port, &st), 0, "");
	DPX_TEST_ASSERT(st.ipackets == 0 && st.opackets == 0 && st.oerrors == 0, "reset");
	DPX_TEST_RUN(check_xstat(port, "loop_tx_ring_full", 0));
	/* software counters count on from the reset (dpx_eth_sw_stats_reset keeps a base) */
	DPX_TEST_ASSERT_EQUAL(dpx_eth_rx_burst(port, 1, pkts, 3), 3, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_tx_burst(port, 1, pkts, 40), 35, "64 - 32 + 3 free slots");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_stats_get(port, &st), 0, "");
	DPX_TEST_ASSERT(st.ipackets == 3 && st.q_ipackets[1] == 3 && st.ibytes == 3 * LOOP_PKT_BYTES,
			"%" PRIu64, st.ipackets);
	DPX_TEST_ASSERT(st.opackets == 35 && st.q_opackets[1] == 35 && st.oerrors == 5, "");
	DPX_TEST_RUN(check_xstat(port, "loop_tx_ring_full", 5));
	DPX_TEST_ASSERT_EQUAL(dpx_eth_dev_stop(port), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eal_cleanup(), 0, "");
	return DPX_TEST_SUCCESS;
}
DPX_TEST_REGISTER(ethdev_xstats, fast, test_ethdev_xstats);

static int
test_ethdev_debug_checks(void)
{
#ifdef DPX_DEBUG_CHECKS
	struct dpx_mbuf *pkts[4] = {FAKE_PKT(0), FAKE_PKT(1), FAKE_PKT(2), FAKE_PKT(3)};
	uint16_t port;

	DPX_TEST_ASSERT(dpx_test_eal_init("--no-huge", "--in-memory", NULL) > 0, "init");
	DPX_TEST_RUN(make_loop_port("test_loop0", &port));
	DPX_TEST_ASSERT_EQUAL(dpx_eth_dev_configure(port, 1, 1, NULL), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_rx_queue_setup(port, 0, 0, -1, NULL, FAKE_POOL), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_tx_queue_setup(port, 0, 0, -1, NULL), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_dev_start(port), 0, "");
	/* checked bursts refuse what would index out of the tables */
	DPX_TEST_ASSERT_EQUAL(dpx_eth_tx_burst(port, 1, pkts, 4), 0, "queue beyond the count");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_rx_burst(DPX_MAX_ETHPORTS, 0, pkts, 4), 0, "port id");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_rx_burst(port, 0, NULL, 4), 0, "NULL array");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_tx_burst(port, 0, pkts, 4), 4, "valid calls still work");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_rx_burst(port, 0, pkts, 4), 4, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_dev_stop(port), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_rx_burst(port, DPX_ETHDEV_MAX_QUEUES, pkts, 4), 0,
			      "stopped: queue beyond the dummy table");
	DPX_TEST_ASSERT_EQUAL(dpx_eal_cleanup(), 0, "");
	return DPX_TEST_SUCCESS;
#else
	DPX_TEST_SKIP("built without -Ddebug_checks=true: bursts do not check arguments");
#endif
}
DPX_TEST_REGISTER(ethdev_debug_checks, debug, test_ethdev_debug_checks);

/* Equal links compare equal whatever the padding bits of the caller's struct hold. */
static int
test_ethdev_linkstatus_padding(void)
{
	struct dpx_eth_link a, b, got;
	uint16_t port;

	DPX_TEST_ASSERT(dpx_test_eal_init("--no-huge", "--in-memory", NULL) > 0, "init");
	DPX_TEST_RUN(make_loop_port("test_loop0", &port));
	struct dpx_eth_dev *dev = dpx_eth_dev_get(port);
	DPX_TEST_ASSERT(dev != NULL, "");
	memset(&a, 0x00, sizeof(a));
	memset(&b, 0xa5, sizeof(b)); /* the padding of b is all garbage */
	a.link_speed = b.link_speed = DPX_ETH_SPEED_NUM_10G;
	a.link_duplex = b.link_duplex = DPX_ETH_LINK_FULL_DUPLEX;
	a.link_autoneg = b.link_autoneg = DPX_ETH_LINK_FIXED;
	a.link_status = b.link_status = DPX_ETH_LINK_UP;
	DPX_TEST_ASSERT_EQUAL(dpx_eth_linkstatus_set(dev, &a), 1, "down -> up");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_linkstatus_set(dev, &b), 0, "same link, other padding");
	dpx_eth_linkstatus_get(dev, &got);
	DPX_TEST_ASSERT(got.link_speed == DPX_ETH_SPEED_NUM_10G && got.link_status == 1 &&
				got.link_duplex == 1 && got.link_autoneg == 0,
			"");
	b.link_status = DPX_ETH_LINK_DOWN;
	DPX_TEST_ASSERT_EQUAL(dpx_eth_linkstatus_set(dev, &b), 1, "up -> down");
	DPX_TEST_ASSERT_EQUAL(dpx_eal_cleanup(), 0, "");
	return DPX_TEST_SUCCESS;
}
DPX_TEST_REGISTER(ethdev_linkstatus_padding, fast, test_ethdev_linkstatus_padding);
