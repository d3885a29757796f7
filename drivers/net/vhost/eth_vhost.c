/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * net_vhost: a port backed by a vhost-user device. Port rx queue q dequeues
 * the guest's transmit vring 2q+1; port tx queue q enqueues to the guest's
 * receive vring 2q. The link is up while the guest driver runs the device
 * (new_device .. destroy_device).
 *
 *   --vdev net_vhost0,iface=/path/sock[,queues=N][,client=0|1][,max_connections=N]
 *          [,dmas=[txq0@DMA;rxq0@DMA]][,dma_ring_size=N][,dma_copy_threshold=N]
 *          [,page_pool=0|1][,pp_size=N]
 *
 * Queues named in dmas= copy on a DMA engine (async vhost, eth_vhost_async.c).
 * Dequeued packets' mbufs come from a page pool per rx queue (doc/page_pool.md)
 * unless page_pool=0.
 *
 * Bursts run on lcores, callbacks on the vhost thread. A queue's gate
 * (struct dpx_eth_gate) is the handshake between them: destroy_device closes
 * every gate and waits for the bursts inside, so no burst touches a vid after
 * destroy_device returns.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dpx_bus_vdev_driver.h>
#include <dpx_errno.h>
#include <dpx_ethdev_driver.h>
#include <dpx_kvargs.h>
#include <dpx_mbuf.h>
#include <dpx_mempool.h>
#include <dpx_page_pool.h>
#include <dpx_vhost.h>
#include <virtio_net_port.h>

#include "eth_vhost_async.h"

DPX_LOG_REGISTER(net_vhost_logtype, "pmd.net.vhost");

/* One front-end runs a port; room for one more, so a front-end coming back is
 * not refused while the back-end has yet to see its old connection close. */
#define VH_DEFAULT_MAX_CONNECTIONS 2
#define VH_BINS 7
/* per queue: the size bins, guest errors, notifications */
#define VH_XSTATS_PER_QUEUE (VH_BINS + 2)

struct vh_port;

/* One per cache line: queues polled by different lcores share no line. */
struct vh_queue {
	struct dpx_eth_sw_queue_stats stats; /* first: see dpx_eth_sw_stats_get */
	struct vh_port *port;
	struct dpx_mempool *mp; /* rx only */
	struct dpx_page_pool *pp; /* rx only: where dequeued mbufs come from (NULL: mp) */
	uint16_t vring;
	uint16_t port_id;
	struct dpx_eth_gate gate;
	/* tx: this queue's async state when dmas= names it; rx: when the port
	 * has any async queue (an rx burst collects its tx twin's completions) */
	struct vh_async_queue *async;
} __dpx_cache_aligned;

DPX_ETH_SW_STATS_FIRST(struct vh_queue, stats);

struct vh_port {
	char iface[108];
	bool client;
	uint16_t queues;
	unsigned int max_connections;
	bool page_pool;	      /* devarg page_pool */
	unsigned int pp_size; /* devarg pp_size */
	int vid; /* -1 while no guest runs the device */
	bool started;
	struct dpx_eth_dev *dev;
	struct vh_queue rxq[VH_MAX_QUEUES];
	struct vh_queue txq[VH_MAX_QUEUES];
	/* library counters (guest errors, notifications, size bins) of devices
	 * that came and went, by vring; ethdev's counters keep packets and bytes */
	struct dpx_vhost_vring_stats base[DPX_VHOST_MAX_VRINGS];
	struct vh_async_port async;
};

static const char *const bin_names[VH_BINS] = {
	"size_64_packets",	 "size_65_127_packets",	  "size_128_255_packets",
	"size_256_511_packets",	 "size_512_1023_packets", "size_1024_1518_packets",
	"size_1519_max_packets",
};

/* ---- data path ---- */

/* Rx and tx share one body: bursts repeat until the ring gives no more. */
static __dpx_always_inline uint16_t
vh_burst(struct vh_queue *q, struct dpx_mbuf **pkts, uint16_t n, const bool rx)
{
	uint16_t done = 0, r, i, ask;
	uint64_t bytes = 0;
	int vid;

	if (!dpx_eth_gate_enter(&q->gate))
		return 0;
	vid = __atomic_load_n(&q->port->vid, __ATOMIC_RELAXED);
	/* the library takes at most VH_LIB_BURST a call; fewer means the ring
	 * had no more, and asking again would only cost a call */
	do {
		ask = (uint16_t)DPX_MIN(n - done, VH_LIB_BURST);
		if (!rx)
			r = dpx_vhost_enqueue_burst(vid, q->vring, pkts + done, ask);
		else if (q->pp != NULL)
			r = dpx_vhost_dequeue_burst_page_pool(vid, q->vring, q->pp, pkts + done,
							      ask);
		else
			r = dpx_vhost_dequeue_burst(vid, q->vring, q->mp, pkts + done, ask);
		done = (uint16_t)(done + r);
	} while (r == ask && done < n);
	dpx_eth_gate_leave(&q->gate);
	for (i = 0; i < done; i++) {
		if (rx)
			pkts[i]->port = q->port_id;
		bytes += pkts[i]->pkt_len;
	}
	dpx_eth_sw_count(&q->stats, done, bytes);
	return done;
}

/* Async queues: the same gate and counters around net_vhost's async bursts
 * (eth_vhost_async.c). rx with n == 0 only collects the tx twin's completions. */
static __dpx_always_inline uint16_t
vh_burst_async(struct vh_queue *q, struct dpx_mbuf **pkts, uint16_t n, const bool rx)
{
	struct vh_port *p = q->port;
	uint64_t bytes = 0;
	uint16_t done, i;
	int vid;

	if (!dpx_eth_gate_enter(&q->gate))
		return 0;
	vid = __atomic_load_n(&p->vid, __ATOMIC_RELAXED);
	if (rx) {
		done = vh_async_rx(q->async, &p->async.txq[q->vring / 2], vid, q->mp, pkts, n);
		for (i = 0; i < done; i++) {
			pkts[i]->port = q->port_id;
			bytes += pkts[i]->pkt_len;
		}
	} else {
		done = vh_async_tx(q->async, vid, pkts, n, &bytes);
	}
	dpx_eth_gate_leave(&q->gate);
	if (done > 0)
		dpx_eth_sw_count(&q->stats, done, bytes);
	return done;
}

static uint16_t
vh_rx(void *queue, struct dpx_mbuf **pkts, uint16_t n)
{
	struct vh_queue *q = queue;
	uint16_t got;

	if (q->async == NULL)
		return vh_burst(q, pkts, n, true);
	if (vh_async_on(q->async))
		return vh_burst_async(q, pkts, n, true);
	/* a sync queue (or one not registered yet) of a port with async queues */
	got = vh_burst(q, pkts, n, true);
	vh_burst_async(q, NULL, 0, true);
	return got;
}

static uint16_t
vh_tx(void *queue, struct dpx_mbuf **pkts, uint16_t n)
{
	struct vh_queue *q = queue;
	uint16_t sent;

	/* async: vhost holds the sent mbufs until their copies completed, then
	 * net_vhost frees them */
	if (q->async != NULL && vh_async_on(q->async))
		return vh_burst_async(q, pkts, n, false);
	sent = vh_burst(q, pkts, n, false);
	/* the guest has copies: the sent mbufs are done; the rest stay the caller's */
	dpx_pktmbuf_free_bulk(pkts, sent);
	return sent;
}

/* ---- link and device life ---- */

/* The library counters the port keeps across devices (not packets and bytes). */
static void
lib_stats_add(struct dpx_vhost_vring_stats *to, const struct dpx_vhost_vring_stats *from)
{
	unsigned int b;

	to->errors += from->errors;
	to->notifications += from->notifications;
	for (b = 0; b < VH_BINS; b++)
		to->size_bins[b] += from->size_bins[b];
}

static void
link_set(struct vh_port *p, int up)
{
	struct dpx_eth_link link = {
		.link_speed = DPX_ETH_SPEED_NUM_10G,
		.link_duplex = DPX_ETH_LINK_FULL_DUPLEX,
		.link_autoneg = DPX_ETH_LINK_FIXED,
		.link_status = (uint16_t)(up ? DPX_ETH_LINK_UP : DPX_ETH_LINK_DOWN),
	};

	if (dpx_eth_linkstatus_set(p->dev, &link))
		dpx_eth_dev_callback_process(p->dev, DPX_ETH_EVENT_LSC, NULL);
}

static void
queues_allow(struct vh_port *p, uint32_t allow)
{
	unsigned int i;

	for (i = 0; i < VH_MAX_QUEUES; i++) {
		dpx_eth_gate_set(&p->rxq[i].gate, allow);
		dpx_eth_gate_set(&p->txq[i].gate, allow);
	}
	if (allow)
		return;
	/* wait for bursts already inside: they saw the gate open before we closed it */
	for (i = 0; i < VH_MAX_QUEUES; i++) {
		dpx_eth_gate_wait_idle(&p->rxq[i].gate);
		dpx_eth_gate_wait_idle(&p->txq[i].gate);
	}
}

static int
vh_new_device(int vid)
{
	struct vh_port *p = dpx_vhost_get_ctx(vid);

	if (p == NULL)
		return -ENODEV;
	if (__atomic_load_n(&p->vid, __ATOMIC_ACQUIRE) >= 0) {
		VH_LOG(ERR, "%s: a second front-end (vid %d) on a port that has vid %d", p->iface,
		       vid, p->vid);
		return -EBUSY;
	}
	/* the async channels exist before any burst may use the vid */
	vh_async_new_device(&p->async, vid);
	__atomic_store_n(&p->vid, vid, __ATOMIC_RELEASE);
	if (p->started)
		queues_allow(p, 1);
	link_set(p, 1);
	VH_LOG(INFO, "port %u: guest up on %s (vid %d)", p->dev->data->port_id, p->iface, vid);
	return 0;
}

static void
vh_destroy_device(int vid)
{
	struct vh_port *p = dpx_vhost_get_ctx(vid);
	struct dpx_vhost_vring_stats st;
	unsigned int r;

	if (p == NULL || p->vid != vid)
		return;
	queues_allow(p, 0);
	/* no burst inside: the packets vhost holds come back before the vid goes */
	vh_async_destroy_device(&p->async, vid);
	for (r = 0; r < DPX_VHOST_MAX_VRINGS; r++) {
		if (dpx_vhost_vring_stats_get(vid, (uint16_t)r, &st, 0) == 0)
			lib_stats_add(&p->base[r], &st);
	}
	__atomic_store_n(&p->vid, -1, __ATOMIC_RELEASE);
	link_set(p, 0);
	VH_LOG(INFO, "port %u: guest down on %s (vid %d)", p->dev->data->port_id, p->iface, vid);
}

static int
vh_vring_state(int vid, uint16_t vring, int enable)
{
	struct vh_port *p = dpx_vhost_get_ctx(vid);
	struct dpx_eth_event_queue_state qs = {(uint16_t)(vring / 2), (uint8_t)(vring & 1),
					       (uint8_t)enable};

	if (p == NULL)
		return 0;
	/* a queue pair set up after new_device: its vrings go async now */
	if (enable)
		vh_async_vring_enabled(&p->async, vid, vring);
	dpx_eth_dev_callback_process(p->dev, DPX_ETH_EVENT_QUEUE_STATE, &qs);
	return 0;
}

static const struct dpx_vhost_device_ops vh_vhost_ops = {
	.new_device = vh_new_device,
	.destroy_device = vh_destroy_device,
	.vring_state_changed = vh_vring_state,
};

/* ---- ethdev ops ---- */

static struct vh_port *
priv(struct dpx_eth_dev *dev)
{
	return dev->data->dev_private;
}

static int
vh_infos(struct dpx_eth_dev *dev, struct dpx_eth_dev_info *info)
{
	virtio_net_port_info(info, priv(dev)->queues);
	return 0;
}

static int
vh_start(struct dpx_eth_dev *dev)
{
	struct vh_port *p = priv(dev);

	p->started = true;
	if (__atomic_load_n(&p->vid, __ATOMIC_ACQUIRE) >= 0)
		queues_allow(p, 1);
	return 0;
}

static int
vh_stop(struct dpx_eth_dev *dev)
{
	struct vh_port *p = priv(dev);

	p->started = false;
	queues_allow(p, 0);
	/* no burst inside: what vhost holds comes back (sent mbufs freed,
	 * received ones dropped) while the device may keep running */
	vh_async_stop(&p->async, __atomic_load_n(&p->vid, __ATOMIC_ACQUIRE));
	/* the application stopped polling: the pools give every buffer they
	 * hold back to the mempools */
	for (uint16_t q = 0; q < dev->data->nb_rx_queues; q++)
		if (p->rxq[q].pp != NULL)
			dpx_page_pool_drain(p->rxq[q].pp);
	return 0;
}

static int
vh_close(struct dpx_eth_dev *dev)
{
	struct vh_port *p = priv(dev);

	/* destroys the connected device (our callback runs) and closes the socket */
	dpx_vhost_driver_unregister(p->iface);
	vh_async_release(&p->async);
	free(p);
	dev->data->dev_private = NULL;
	return 0;
}

static int
vh_link_update(struct dpx_eth_dev *dev, int wait)
{
	(void)dev, (void)wait; /* the callbacks keep the link state current */
	return 0;
}

static int
vh_rxq_setup(struct dpx_eth_dev *dev, uint16_t qid, uint16_t nb_desc, int socket,
	     const struct dpx_eth_rxconf *conf, struct dpx_mempool *mp, void **queue)
{
	struct vh_queue *q = &priv(dev)->rxq[qid];

	(void)nb_desc, (void)socket, (void)conf;
	if (priv(dev)->page_pool) {
		q->pp = dpx_page_pool_create_rxq(dev->data->name, qid, mp, priv(dev)->pp_size);
		if (q->pp == NULL)
			return -dpx_errno;
	}
	memset(&q->stats, 0, sizeof(q->stats));
	q->port = priv(dev);
	q->mp = mp;
	q->vring = (uint16_t)(2 * qid + 1);
	q->port_id = dev->data->port_id;
	q->async = priv(dev)->async.any ? &priv(dev)->async.rxq[qid] : NULL;
	*queue = q;
	return 0;
}

static int
vh_txq_setup(struct dpx_eth_dev *dev, uint16_t qid, uint16_t nb_desc, int socket,
	     const struct dpx_eth_txconf *conf, void **queue)
{
	struct vh_queue *q = &priv(dev)->txq[qid];

	(void)nb_desc, (void)socket, (void)conf;
	memset(&q->stats, 0, sizeof(q->stats));
	q->port = priv(dev);
	q->vring = (uint16_t)(2 * qid);
	q->port_id = dev->data->port_id;
	q->async = priv(dev)->async.txq[qid].dma_id >= 0 ? &priv(dev)->async.txq[qid] : NULL;
	*queue = q;
	return 0;
}

static void
vh_queue_release(struct dpx_eth_dev *dev, void *queue)
{
	struct vh_queue *q = queue;

	(void)dev; /* queues live in the port; an rx queue's page pool goes */
	dpx_page_pool_destroy(q->pp);
	q->pp = NULL;
}

/* Library counters of one vring: devices gone plus the running one. */
static void
vring_stats(struct vh_port *p, uint16_t vring, struct dpx_vhost_vring_stats *out)
{
	struct dpx_vhost_vring_stats cur;
	int vid = __atomic_load_n(&p->vid, __ATOMIC_ACQUIRE);

	*out = p->base[vring];
	if (vid >= 0 && dpx_vhost_vring_stats_get(vid, vring, &cur, 0) == 0)
		lib_stats_add(out, &cur);
}

static int
vh_stats_get(struct dpx_eth_dev *dev, struct dpx_eth_stats *st)
{
	struct vh_port *p = priv(dev);
	struct dpx_vhost_vring_stats rx, tx;
	uint16_t q;

	/* packets and bytes: ethdev's software counters; the guest's bad chains
	 * are seen only inside the library, which counts them per vring */
	dpx_eth_sw_stats_get(dev, st);
	for (q = 0; q < p->queues; q++) {
		vring_stats(p, (uint16_t)(2 * q + 1), &rx);
		vring_stats(p, (uint16_t)(2 * q), &tx);
		st->ierrors += rx.errors;
		st->oerrors += tx.errors;
		if (q < DPX_ETHDEV_QUEUE_STAT_CNTRS)
			st->q_errors[q] += rx.errors;
	}
	/* async: received packets freed at stop (DMA errors are in the rings' errors) */
	vh_async_add_stats(&p->async, &st->imissed);
	return 0;
}

static int
vh_stats_reset(struct dpx_eth_dev *dev)
{
	struct vh_port *p = priv(dev);
	struct dpx_vhost_vring_stats st;
	int vid = __atomic_load_n(&p->vid, __ATOMIC_ACQUIRE);
	uint16_t r;

	dpx_eth_sw_stats_reset(dev);
	memset(p->base, 0, sizeof(p->base));
	for (r = 0; vid >= 0 && r < DPX_VHOST_MAX_VRINGS; r++)
		dpx_vhost_vring_stats_get(vid, r, &st, 1);
	vh_async_stats_reset(&p->async, vid);
	return 0;
}

/* the driver's own, then the async queues' (vh_async_xstats) */
static unsigned int
own_count(struct vh_port *p)
{
	return 2u * p->queues * VH_XSTATS_PER_QUEUE + vh_async_xstats(&p->async, -1, 0, NULL, NULL);
}

/* The rx queues' page pools' xstats (rx_qN_pp_*), after the driver's own. */
static unsigned int
pp_xstats(struct dpx_eth_dev *dev, struct dpx_eth_xstat_name *names, struct dpx_eth_xstat *xs,
	  unsigned int size)
{
	struct dpx_page_pool *pools[VH_MAX_QUEUES];
	uint16_t nb = DPX_MIN(dev->data->nb_rx_queues, (uint16_t)VH_MAX_QUEUES);
	unsigned int own = own_count(priv(dev));

	for (uint16_t q = 0; q < nb; q++)
		pools[q] = priv(dev)->rxq[q].pp;
	if (names == NULL && xs == NULL)
		return dpx_page_pool_eth_xstats(pools, nb, NULL, NULL, 0, 0);
	return dpx_page_pool_eth_xstats(pools, nb, names ? names + own : NULL, xs ? xs + own : NULL,
					size - own, own);
}

static unsigned int
xstats_count(struct dpx_eth_dev *dev)
{
	return own_count(priv(dev)) + pp_xstats(dev, NULL, NULL, 0);
}

static int
vh_xstats_get_names(struct dpx_eth_dev *dev, struct dpx_eth_xstat_name *names, unsigned int size)
{
	struct vh_port *p = priv(dev);
	unsigned int n = 0, d, q, b;

	if (names == NULL || size < xstats_count(dev))
		return (int)xstats_count(dev);
	for (d = 0; d < 2; d++) {
		const char *dir = d == 0 ? "rx" : "tx";

		for (q = 0; q < p->queues; q++) {
			for (b = 0; b < VH_BINS; b++)
				snprintf(names[n++].name, sizeof(names[0].name), "%s_q%u_%s", dir,
					 q, bin_names[b]);
			snprintf(names[n++].name, sizeof(names[0].name), "%s_q%u_guest_errors", dir,
				 q);
			snprintf(names[n++].name, sizeof(names[0].name), "%s_q%u_notifications",
				 dir, q);
		}
	}
	n += vh_async_xstats(&p->async, -1, n, names + n, NULL);
	return (int)(n + pp_xstats(dev, names, NULL, size));
}

static int
vh_xstats_get(struct dpx_eth_dev *dev, struct dpx_eth_xstat *xs, unsigned int size)
{
	struct vh_port *p = priv(dev);
	struct dpx_vhost_vring_stats st;
	unsigned int n = 0, d, q, b;

	if (xs == NULL || size < xstats_count(dev))
		return (int)xstats_count(dev);
	for (d = 0; d < 2; d++) {
		for (q = 0; q < p->queues; q++) {
			vring_stats(p, (uint16_t)(2 * q + (d == 0 ? 1 : 0)), &st);
			for (b = 0; b < VH_BINS; b++, n++)
				xs[n] = (struct dpx_eth_xstat){n, st.size_bins[b]};
			xs[n] = (struct dpx_eth_xstat){n, st.errors};
			n++;
			xs[n] = (struct dpx_eth_xstat){n, st.notifications};
			n++;
		}
	}
	n += vh_async_xstats(&p->async, __atomic_load_n(&p->vid, __ATOMIC_ACQUIRE), n, NULL,
			     xs + n);
	return (int)(n + pp_xstats(dev, NULL, xs, size));
}

static int
vh_xstats_reset(struct dpx_eth_dev *dev)
{
	/* the library counters went with stats_reset (ethdev calls it first) */
	for (unsigned int q = 0; q < VH_MAX_QUEUES; q++)
		if (priv(dev)->rxq[q].pp != NULL)
			dpx_page_pool_stats_reset(priv(dev)->rxq[q].pp);
	return 0;
}

static int
vh_mtu_set(struct dpx_eth_dev *dev, uint16_t mtu)
{
	(void)dev, (void)mtu; /* ethdev checked the range; the guest's MTU is its own */
	return 0;
}

static int
vh_promisc(struct dpx_eth_dev *dev)
{
	(void)dev; /* every frame the guest sends is received */
	return 0;
}

static const struct dpx_eth_dev_ops vh_ops = {
	.dev_infos_get = vh_infos,
	.dev_start = vh_start,
	.dev_stop = vh_stop,
	.dev_close = vh_close,
	.link_update = vh_link_update,
	.promiscuous_enable = vh_promisc,
	.promiscuous_disable = vh_promisc,
	.allmulticast_enable = vh_promisc,
	.allmulticast_disable = vh_promisc,
	.mtu_set = vh_mtu_set,
	.rx_queue_setup = vh_rxq_setup,
	.rx_queue_release = vh_queue_release,
	.tx_queue_setup = vh_txq_setup,
	.tx_queue_release = vh_queue_release,
	.stats_get = vh_stats_get,
	.stats_reset = vh_stats_reset,
	.xstats_get_names = vh_xstats_get_names,
	.xstats_get = vh_xstats_get,
	.xstats_reset = vh_xstats_reset,
};

/* ---- probe / remove ---- */

static int
parse_args(struct dpx_vdev_device *vdev, struct vh_port *p)
{
	const struct dpx_kvargs *kv = dpx_vdev_device_kvargs(vdev);
	const char *iface = NULL;
	uint64_t queues, max_conn;
	int rc;

	rc = dpx_kvargs_get_str(kv, "iface", &iface);
	if (rc == 0 && (iface == NULL || iface[0] == '\0' || strlen(iface) >= sizeof(p->iface))) {
		VH_LOG(ERR, "%s: iface=<socket path> is required (at most %zu characters)",
		       dpx_vdev_device_name(vdev), sizeof(p->iface) - 1);
		rc = -EINVAL;
	}
	if (rc == 0)
		rc = dpx_kvargs_get_u64(kv, "queues", 1, 1, VH_MAX_QUEUES, &queues);
	if (rc == 0)
		rc = dpx_kvargs_get_bool(kv, "client", false, &p->client);
	if (rc == 0)
		rc = dpx_kvargs_get_u64(kv, "max_connections", VH_DEFAULT_MAX_CONNECTIONS, 1,
					DPX_VHOST_MAX_DEVICES, &max_conn);
	if (rc == 0)
		rc = dpx_page_pool_kvargs(kv, dpx_vdev_device_name(vdev), &p->page_pool,
					  &p->pp_size);
	if (rc == 0) {
		strcpy(p->iface, iface);
		p->queues = (uint16_t)queues;
		p->max_connections = (unsigned int)max_conn;
		/* last: on success it holds DMA devices, which a failure gives back */
		rc = vh_async_setup(&p->async, dpx_vdev_device_name(vdev), kv, p->queues);
	}
	return rc;
}

static int
vhost_attach(struct vh_port *p)
{
	int rc = dpx_vhost_driver_register(p->iface, p->client ? DPX_VHOST_CLIENT : 0);

	if (rc < 0)
		return rc;
	rc = dpx_vhost_driver_callback_register(p->iface, &vh_vhost_ops, p);
	/* a guest with more queue pairs than the port is refused at start
	 * (GET_QUEUE_NUM), not left with queues nobody polls */
	if (rc == 0)
		rc = dpx_vhost_driver_set_max_queue_pairs(p->iface, p->queues);
	if (rc == 0 && !p->client)
		rc = dpx_vhost_driver_set_max_connections(p->iface, p->max_connections);
	if (rc == 0)
		rc = dpx_vhost_driver_start(p->iface);
	if (rc < 0)
		dpx_vhost_driver_unregister(p->iface);
	return rc;
}

static int
vh_probe(struct dpx_vdev_device *vdev)
{
	const char *name = dpx_vdev_device_name(vdev);
	/* aligned: its queues each start a cache line */
	struct vh_port *p =
		aligned_alloc(DPX_CACHE_LINE_SIZE, DPX_ALIGN_CEIL(sizeof(*p), DPX_CACHE_LINE_SIZE));
	struct dpx_eth_dev *dev;
	int rc;

	if (p == NULL)
		return -ENOMEM;
	memset(p, 0, sizeof(*p));
	p->vid = -1;
	rc = parse_args(vdev, p);
	if (rc != 0) {
		free(p);
		return rc;
	}
	dev = dpx_eth_dev_allocate(name);
	if (dev == NULL) {
		vh_async_release(&p->async);
		free(p);
		return -dpx_errno;
	}
	p->dev = dev;
	dev->data->dev_private = p;
	dpx_eth_random_addr(&dev->data->mac_addr);
	dev->data->numa_node = dpx_vdev_device_numa_node(vdev);
	dev->dev_ops = &vh_ops;
	dev->driver_name = "net_vhost";
	dev->device = vdev;
	dev->rx_pkt_burst = vh_rx;
	dev->tx_pkt_burst = vh_tx;
	rc = vhost_attach(p);
	if (rc < 0) {
		VH_LOG(ERR, "%s: vhost-user socket %s: %s", name, p->iface, dpx_strerror(rc));
		dpx_eth_dev_release_port(dev);
		vh_async_release(&p->async);
		free(p);
		return rc;
	}
	dpx_eth_dev_probing_finish(dev);
	VH_LOG(INFO, "%s: port %u on %s (%s), %u queue pair(s)", name, dev->data->port_id, p->iface,
	       p->client ? "client" : "server", p->queues);
	return 0;
}

static int
vh_remove(struct dpx_vdev_device *vdev)
{
	struct dpx_eth_dev *dev = dpx_eth_dev_allocated(dpx_vdev_device_name(vdev));

	if (dev == NULL)
		return 0;
	dpx_eth_dev_stop(dev->data->port_id);
	return dpx_eth_dev_close(dev->data->port_id);
}

static const char *const vh_keys[] = {"iface",
				      "queues",
				      "client",
				      "max_connections",
				      "dmas",
				      "dma_ring_size",
				      "dma_copy_threshold",
				      DPX_PAGE_POOL_KVARGS_KEYS,
				      NULL};

static struct dpx_vdev_driver vh_drv = {
	.valid_keys = vh_keys,
	.probe = vh_probe,
	.remove = vh_remove,
};

DPX_PMD_REGISTER_VDEV(net_vhost, vh_drv);
