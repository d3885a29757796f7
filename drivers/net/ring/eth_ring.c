/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * net_ring. A port holds two arrays of ring pointers (rx_rings, tx_rings),
 * copied into its queues at dev_start, so pairing may rewire a stopped peer.
 * Rings the driver creates come in a refcounted ring_set; each port holds a
 * reference on every set it reads or writes, so a pair's rings outlive the
 * first port closed (the survivor keeps valid, if orphaned, rings).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <dpx_bus_vdev_driver.h>
#include <dpx_ethdev_driver.h>
#include <dpx_mbuf.h>
#include <dpx_ring.h>

#include "dpx_eth_ring.h"

DPX_LOG_REGISTER_STATIC(net_ring_logtype, "pmd.net.ring");
#define RING_LOG(level, fmt, ...) DPX_LOG(level, net_ring_logtype, "net_ring: " fmt, ##__VA_ARGS__)

#define RING_DEFAULT_SIZE 1024
#define RING_MAX_SIZE 65536
#define RING_TX_CHUNK 32

struct ring_set {
	unsigned int refcnt;
	unsigned int n;
	struct dpx_ring *rings[DPX_ETH_RING_MAX_QUEUES];
};

struct ring_queue {
	struct dpx_eth_sw_queue_stats stats; /* first: see dpx_eth_sw_stats_get */
	struct dpx_ring *ring;
	uint16_t port_id;
	uint64_t full, full_base; /* tx packets refused by a full ring; full at the last reset */
};
DPX_ETH_SW_STATS_FIRST(struct ring_queue, stats);

struct ring_port {
	unsigned int nb_rx, nb_tx;
	struct dpx_ring *rx_rings[DPX_ETH_RING_MAX_QUEUES];
	struct dpx_ring *tx_rings[DPX_ETH_RING_MAX_QUEUES];
	struct ring_set *sets[2]; /* references held (NULL for an application's rings) */
	char peer[DPX_ETH_NAME_MAX_LEN];
	struct ring_queue rxq[DPX_ETH_RING_MAX_QUEUES], txq[DPX_ETH_RING_MAX_QUEUES];
};

static unsigned int ring_serial; /* unique ring names across ports */

/* ---- fast path ---- */

static uint16_t
ring_rx(void *queue, struct dpx_mbuf **pkts, uint16_t n)
{
	struct ring_queue *q = queue;
	unsigned int got = dpx_ring_dequeue_burst(q->ring, (void **)pkts, n, NULL);
	uint64_t bytes = 0;

	for (unsigned int i = 0; i < got; i++) {
		pkts[i]->port = q->port_id;
		bytes += pkts[i]->pkt_len;
	}
	dpx_eth_sw_count(&q->stats, got, bytes);
	return (uint16_t)got;
}

static uint16_t
ring_tx(void *queue, struct dpx_mbuf **pkts, uint16_t n)
{
	struct ring_queue *q = queue;
	uint32_t len[RING_TX_CHUNK + 1];
	uint64_t bytes = 0;
	uint16_t sent = 0;

	/* lengths are read before the enqueue: once enqueued, the peer owns (and may free) them */
	while (sent < n) {
		unsigned int chunk = DPX_MIN(n - sent, RING_TX_CHUNK), done;
		len[0] = 0;
		for (unsigned int i = 0; i < chunk; i++)
			len[i + 1] = len[i] + pkts[sent + i]->pkt_len;
		done = dpx_ring_enqueue_burst(q->ring, (void *const *)(pkts + sent), chunk, NULL);
		bytes += len[done];
		sent += done;
		if (done < chunk)
			break;
	}
	dpx_eth_sw_count(&q->stats, sent, bytes);
	if (sent < n) /* same single-writer rule as the sw counters */
		__atomic_store_n(&q->full, q->full + n - sent, __ATOMIC_RELAXED);
	return sent;
}

/* ---- control ---- */

static struct ring_port *
priv(struct dpx_eth_dev *dev)
{
	return dev->data->dev_private;
}

static int
ring_infos(struct dpx_eth_dev *dev, struct dpx_eth_dev_info *info)
{
	info->max_rx_queues = (uint16_t)priv(dev)->nb_rx;
	info->max_tx_queues = (uint16_t)priv(dev)->nb_tx;
	info->tx_offload_capa = DPX_ETH_TX_OFFLOAD_MULTI_SEGS;
	info->rx_offload_capa = DPX_ETH_RX_OFFLOAD_SCATTER;
	info->speed_capa = DPX_ETH_SPEED_NUM_10G;
	return 0;
}

static int
ring_rxq_setup(struct dpx_eth_dev *dev, uint16_t qid, uint16_t nb_desc, int socket,
	       const struct dpx_eth_rxconf *conf, struct dpx_mempool *mp, void **queue)
{
	(void)nb_desc, (void)socket, (void)conf, (void)mp;
	struct ring_queue *q = &priv(dev)->rxq[qid];
	q->port_id = dev->data->port_id;
	q->ring = priv(dev)->rx_rings[qid];
	*queue = q;
	return 0;
}

static int
ring_txq_setup(struct dpx_eth_dev *dev, uint16_t qid, uint16_t nb_desc, int socket,
	       const struct dpx_eth_txconf *conf, void **queue)
{
	(void)nb_desc, (void)socket, (void)conf;
	struct ring_queue *q = &priv(dev)->txq[qid];
	q->port_id = dev->data->port_id;
	q->ring = priv(dev)->tx_rings[qid];
	*queue = q;
	return 0;
}

static void
ring_queue_release(struct dpx_eth_dev *dev, void *queue)
{
	(void)dev;
	((struct ring_queue *)queue)->ring = NULL;
}

static int
ring_start(struct dpx_eth_dev *dev)
{
	struct ring_port *rp = priv(dev);

	/* pairing may have rewired the rings since the queues were set up */
	for (uint16_t q = 0; q < dev->data->nb_rx_queues; q++)
		rp->rxq[q].ring = rp->rx_rings[q];
	for (uint16_t q = 0; q < dev->data->nb_tx_queues; q++)
		rp->txq[q].ring = rp->tx_rings[q];
	return dpx_eth_link_fixed_set(dev, DPX_ETH_SPEED_NUM_10G, 1);
}

static int
ring_stop(struct dpx_eth_dev *dev)
{
	return dpx_eth_link_fixed_set(dev, DPX_ETH_SPEED_NUM_10G, 0);
}

static int
ring_link_up(struct dpx_eth_dev *dev)
{
	return dpx_eth_link_fixed_set(dev, DPX_ETH_SPEED_NUM_10G, 1);
}

/* tx_ring_full is reset with the basic counters (dpx_eth_stats_reset), as before */
static int
ring_stats_reset(struct dpx_eth_dev *dev)
{
	struct ring_port *rp = priv(dev);

	for (unsigned int q = 0; q < DPX_ETH_RING_MAX_QUEUES; q++)
		rp->txq[q].full_base = __atomic_load_n(&rp->txq[q].full, __ATOMIC_RELAXED);
	return dpx_eth_sw_stats_reset(dev);
}

/* Driver xstats: tx_ring_full, packets tx refused because the ring was full. */
static int
ring_xstats_names(struct dpx_eth_dev *dev, struct dpx_eth_xstat_name *names, unsigned int size)
{
	(void)dev;
	if (names != NULL && size >= 1)
		snprintf(names[0].name, sizeof(names[0].name), "tx_ring_full");
	return 1;
}

static int
ring_xstats_get(struct dpx_eth_dev *dev, struct dpx_eth_xstat *xs, unsigned int n)
{
	uint64_t full = 0;

	for (unsigned int q = 0; q < DPX_ETH_RING_MAX_QUEUES; q++)
		full += __atomic_load_n(&priv(dev)->txq[q].full, __ATOMIC_RELAXED) -
			priv(dev)->txq[q].full_base;
	if (xs != NULL && n >= 1)
		xs[0].value = full;
	return 1;
}

static int
ring_nop(struct dpx_eth_dev *dev)
{
	(void)dev; /* rings carry every packet: promiscuous by nature */
	return 0;
}

static int
ring_mtu_set(struct dpx_eth_dev *dev, uint16_t mtu)
{
	(void)dev, (void)mtu; /* no wire: any MTU ethdev accepted is fine */
	return 0;
}

static int
ring_mac_set(struct dpx_eth_dev *dev, struct dpx_ether_addr *mac)
{
	(void)dev, (void)mac; /* ethdev stores it; rings do not filter */
	return 0;
}

static void
ring_set_put(struct ring_set *set)
{
	struct dpx_mbuf *left[32];
	unsigned int n;

	if (set == NULL || --set->refcnt > 0)
		return;
	/* no port reads these rings any more: what is left in them would leak */
	for (unsigned int i = 0; i < set->n; i++) {
		while ((n = dpx_ring_dequeue_burst(set->rings[i], (void **)left, 32, NULL)) > 0)
			dpx_pktmbuf_free_bulk(left, n);
		dpx_ring_free(set->rings[i]);
	}
	free(set);
}

static int
ring_close(struct dpx_eth_dev *dev)
{
	struct ring_port *rp = priv(dev);

	ring_set_put(rp->sets[0]);
	ring_set_put(rp->sets[1]);
	free(rp);
	dev->data->dev_private = NULL;
	return 0;
}

static const struct dpx_eth_dev_ops ring_ops = {
	.dev_infos_get = ring_infos,
	.dev_start = ring_start,
	.dev_stop = ring_stop,
	.dev_close = ring_close,
	.dev_set_link_up = ring_link_up,
	.dev_set_link_down = ring_stop,
	.promiscuous_enable = ring_nop,
	.promiscuous_disable = ring_nop,
	.allmulticast_enable = ring_nop,
	.allmulticast_disable = ring_nop,
	.mtu_set = ring_mtu_set,
	.mac_addr_set = ring_mac_set,
	.rx_queue_setup = ring_rxq_setup,
	.rx_queue_release = ring_queue_release,
	.tx_queue_setup = ring_txq_setup,
	.tx_queue_release = ring_queue_release,
	.stats_get = dpx_eth_sw_stats_get,
	.stats_reset = ring_stats_reset,
	.xstats_get_names = ring_xstats_names,
	.xstats_get = ring_xstats_get,
};

/* Allocate the port around rp (not yet published: probing_finish does that). */
static struct dpx_eth_dev *
port_alloc(const char *name, struct ring_port *rp, int numa_node, void *device)
{
	struct dpx_eth_dev *dev = dpx_eth_dev_allocate(name);

	if (dev == NULL)
		return NULL;
	dev->data->dev_private = rp;
	dev->data->numa_node = numa_node;
	dpx_eth_random_addr(&dev->data->mac_addr);
	dev->dev_ops = &ring_ops;
	dev->driver_name = "net_ring";
	dev->device = device;
	dev->rx_pkt_burst = ring_rx;
	dev->tx_pkt_burst = ring_tx;
	return dev;
}

int
dpx_eth_from_rings(const char *name, struct dpx_ring *const rx_queues[], unsigned int nb_rx,
		   struct dpx_ring *const tx_queues[], unsigned int nb_tx, int numa_node)
{
	struct ring_port *rp;

	if (name == NULL || rx_queues == NULL || tx_queues == NULL || nb_rx == 0 || nb_tx == 0 ||
	    nb_rx > DPX_ETH_RING_MAX_QUEUES || nb_tx > DPX_ETH_RING_MAX_QUEUES) {
		RING_LOG(ERR, "%s: %u rx / %u tx rings, want 1..%d each", name ? name : "(null)",
			 nb_rx, nb_tx, DPX_ETH_RING_MAX_QUEUES);
		return -EINVAL;
	}
	rp = calloc(1, sizeof(*rp));
	if (rp == NULL)
		return -ENOMEM;
	rp->nb_rx = nb_rx;
	rp->nb_tx = nb_tx;
	for (unsigned int i = 0; i < DPX_MAX(nb_rx, nb_tx); i++) {
		if ((i < nb_rx && rx_queues[i] == NULL) || (i < nb_tx && tx_queues[i] == NULL)) {
			RING_LOG(ERR, "%s: ring %u is NULL", name, i);
			free(rp);
			return -EINVAL;
		}
		rp->rx_rings[i] = i < nb_rx ? rx_queues[i] : NULL;
		rp->tx_rings[i] = i < nb_tx ? tx_queues[i] : NULL;
	}
	struct dpx_eth_dev *dev = port_alloc(name, rp, numa_node, NULL);
	if (dev == NULL) {
		free(rp);
		return -dpx_errno;
	}
	dpx_eth_dev_probing_finish(dev);
	return dev->data->port_id;
}

/* ---- vdev ---- */

static struct ring_set *
ring_set_create(unsigned int n, unsigned int size, int numa_node)
{
	struct ring_set *set = calloc(1, sizeof(*set));
	char rname[DPX_RING_NAMESIZE];

	if (set == NULL)
		return NULL;
	set->refcnt = 1;
	for (set->n = 0; set->n < n; set->n++) {
		snprintf(rname, sizeof(rname), "eth_ring%u",
			 __atomic_fetch_add(&ring_serial, 1, __ATOMIC_RELAXED));
		/* one producer (a tx queue) and one consumer (an rx queue) per ring */
		set->rings[set->n] = dpx_ring_create(rname, size, numa_node,
						     DPX_RING_F_SP_ENQ | DPX_RING_F_SC_DEQ);
		if (set->rings[set->n] == NULL) {
			RING_LOG(ERR, "cannot create ring %s of %u slots: %s", rname, size,
				 dpx_strerror(dpx_errno));
			ring_set_put(set);
			return NULL;
		}
	}
	return set;
}

struct ring_args {
	uint64_t queues, size;
	const char *peer;
	struct dpx_eth_dev *peer_dev;
};

static int
parse_args(const char *name, const struct dpx_kvargs *kv, struct ring_args *a)
{
	int rc = dpx_kvargs_get_u64(kv, "queues", 1, 1, DPX_ETH_RING_MAX_QUEUES, &a->queues);

	if (rc == 0)
		rc = dpx_kvargs_get_u64(kv, "size", RING_DEFAULT_SIZE, 2, RING_MAX_SIZE, &a->size);
	if (rc == -ERANGE)
		rc = -EINVAL; /* out of range is a bad argument like any other for dpx_vdev_init */
	if (rc == 0 && !DPX_IS_POWER_OF_2(a->size)) {
		RING_LOG(ERR, "%s: size=%llu is not a power of two", name,
			 (unsigned long long)a->size);
		rc = -EINVAL;
	}
	if (rc == 0)
		rc = dpx_kvargs_get_str(kv, "peer", &a->peer);
	return rc;
}

/* The peer must be a stopped, unpaired net_ring vdev port with the same queue count. */
static int
check_peer(const char *name, const struct dpx_kvargs *kv, struct ring_args *a)
{
	struct dpx_eth_dev *p = dpx_eth_dev_allocated(a->peer);

	if (p == NULL || p->dev_ops != &ring_ops || p->device == NULL) {
		RING_LOG(ERR, "%s: peer=%s is not a net_ring vdev port", name, a->peer);
		return -ENODEV;
	}
	if (p->data->dev_started || priv(p)->peer[0] != '\0') {
		RING_LOG(ERR, "%s: peer %s is %s", name, a->peer,
			 p->data->dev_started ? "started" : "paired already");
		return -EBUSY;
	}
	if (dpx_kvargs_count(kv, "queues") > 0 && a->queues != priv(p)->nb_rx) {
		RING_LOG(ERR, "%s: queues=%llu but peer %s has %u", name,
			 (unsigned long long)a->queues, a->peer, priv(p)->nb_rx);
		return -EINVAL;
	}
	a->queues = priv(p)->nb_rx;
	a->peer_dev = p;
	return 0;
}

/* This port sends on a new set the peer now receives from, and receives the peer's sends. */
static void
pair_with(struct ring_port *rp, struct ring_set *mine, const char *name, struct dpx_eth_dev *peer)
{
	struct ring_port *pp = priv(peer);

	rp->sets[1] = pp->sets[0];
	rp->sets[1]->refcnt++;
	mine->refcnt++;
	pp->sets[1] = mine;
	for (unsigned int i = 0; i < rp->nb_rx; i++) {
		rp->rx_rings[i] = pp->tx_rings[i];
		pp->rx_rings[i] = mine->rings[i];
	}
	snprintf(rp->peer, sizeof(rp->peer), "%s", peer->data->name);
	snprintf(pp->peer, sizeof(pp->peer), "%s", name);
}

static int
ring_probe(struct dpx_vdev_device *vdev)
{
	const char *name = dpx_vdev_device_name(vdev);
	const struct dpx_kvargs *kv = dpx_vdev_device_kvargs(vdev);
	int numa = dpx_vdev_device_numa_node(vdev);
	struct ring_args a = {0};
	struct ring_port *rp;
	int rc = parse_args(name, kv, &a);

	if (rc == 0 && a.peer != NULL)
		rc = check_peer(name, kv, &a);
	if (rc != 0)
		return rc;
	rp = calloc(1, sizeof(*rp));
	if (rp == NULL || (rp->sets[0] = ring_set_create((unsigned int)a.queues,
							 (unsigned int)a.size, numa)) == NULL) {
		free(rp);
		return -ENOMEM;
	}
	rp->nb_rx = rp->nb_tx = (unsigned int)a.queues;
	for (unsigned int i = 0; i < rp->nb_rx; i++)
		rp->rx_rings[i] = rp->tx_rings[i] = rp->sets[0]->rings[i]; /* loopback */
	struct dpx_eth_dev *dev = port_alloc(name, rp, numa, vdev);
	if (dev == NULL) {
		rc = -dpx_errno;
		ring_set_put(rp->sets[0]);
		free(rp);
		return rc;
	}
	if (a.peer_dev != NULL)
		pair_with(rp, rp->sets[0], name, a.peer_dev);
	dpx_eth_dev_probing_finish(dev);
	return 0;
}

static int
ring_remove(struct dpx_vdev_device *vdev)
{
	return dpx_eth_dev_remove_by_name(dpx_vdev_device_name(vdev));
}

static const char *const ring_keys[] = {"queues", "size", "peer", NULL};

static struct dpx_vdev_driver ring_drv = {
	.valid_keys = ring_keys,
	.probe = ring_probe,
	.remove = ring_remove,
};

DPX_PMD_REGISTER_VDEV(net_ring, ring_drv);
