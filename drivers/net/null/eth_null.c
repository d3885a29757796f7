/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * net_null: rx makes `size`-byte packets (an Ethernet header from the port's
 * MAC to broadcast, EtherType 0x88B5 "local experimental", then zeroed
 * payload); tx counts and frees. With copy=1 rx copies a whole template
 * packet and tx copies each packet's first segment out, so that the cost of
 * touching packet data shows in benchmarks; copy=0 writes only the header.
 *
 *   --vdev net_null0[,size=64][,copy=0|1]
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include <dpx_bus_vdev_driver.h>
#include <dpx_ethdev_driver.h>
#include <dpx_mbuf.h>
#include <dpx_mempool.h>

DPX_LOG_REGISTER_STATIC(net_null_logtype, "pmd.net.null");
#define NULL_LOG(level, fmt, ...) DPX_LOG(level, net_null_logtype, "net_null: " fmt, ##__VA_ARGS__)

#define NULL_MAX_QUEUES 16
#define NULL_DEFAULT_SIZE 64
#define NULL_MAX_SIZE 9018
#define NULL_ETHER_TYPE 0x88B5

struct null_queue {
	struct dpx_eth_sw_queue_stats stats; /* first: see dpx_eth_sw_stats_get */
	struct dpx_mempool *mp;              /* rx only */
	uint8_t *scratch;       /* copy=1: tx copy destination; rx template */
	uint16_t port_id;
	uint16_t queue_id;
	const struct null_port *port;
};
DPX_ETH_SW_STATS_FIRST(struct null_queue, stats);

struct null_port {
	uint32_t size;
	bool copy;
	struct dpx_ether_addr mac;
	struct null_queue rxq[NULL_MAX_QUEUES], txq[NULL_MAX_QUEUES];
};

static void
write_header(uint8_t *p, const struct dpx_ether_addr *src)
{
	struct dpx_ether_hdr *eh = (struct dpx_ether_hdr *)p;

	memset(&eh->dst_addr, 0xff, sizeof(eh->dst_addr));
	eh->src_addr = *src;
	eh->ether_type = htons(NULL_ETHER_TYPE);
}

/*
 * The port's settings are read once per burst into locals: the stores into
 * the mbufs may alias them as far as the compiler knows, so reading them in
 * the loop reloads them for every packet.
 */
static uint16_t
null_rx(void *queue, struct dpx_mbuf **pkts, uint16_t n)
{
	struct null_queue *q = queue;
	const struct null_port *np = q->port;
	const uint32_t size = np->size;
	const uint16_t port_id = q->port_id, queue_id = q->queue_id;
	const uint8_t *tmpl = np->copy ? q->scratch : NULL;
	uint8_t hdr[DPX_ETHER_HDR_LEN];

	if (n == 0)
		return 0;
	write_header(hdr, &np->mac); /* then one 14-byte copy per packet */
	if (dpx_pktmbuf_alloc_bulk(q->mp, pkts, n) != 0) {
		dpx_eth_sw_count_nombuf(&q->stats, n);
		return 0;
	}
	for (unsigned int i = 0; i < n; i++) {
		struct dpx_mbuf *m = pkts[i];
		uint8_t *data = dpx_pktmbuf_mtod(m, uint8_t *);

		if (tmpl != NULL)
			memcpy(data, tmpl, size);
		else
			memcpy(data, hdr, sizeof(hdr));
		m->data_len = (uint16_t)size;
		m->pkt_len = size;
		m->port = port_id;
		m->queue_id_hint = queue_id;
	}
	dpx_eth_sw_count(&q->stats, n, (uint64_t)n * size);
	return n;
}

static uint16_t
null_tx(void *queue, struct dpx_mbuf **pkts, uint16_t n)
{
	struct null_queue *q = queue;
	uint8_t *scratch = q->port->copy ? q->scratch : NULL;
	uint64_t bytes = 0;

	for (unsigned int i = 0; i < n; i++) {
		bytes += pkts[i]->pkt_len;
		if (scratch != NULL)
			memcpy(scratch, dpx_pktmbuf_mtod(pkts[i], void *),
			       DPX_MIN(pkts[i]->data_len, NULL_MAX_SIZE));
	}
	dpx_pktmbuf_free_bulk(pkts, n);
	dpx_eth_sw_count(&q->stats, n, bytes);
	return n;
}

static struct null_port *
priv(struct dpx_eth_dev *dev)
{
	return dev->data->dev_private;
}

static int
null_infos(struct dpx_eth_dev *dev, struct dpx_eth_dev_info *info)
{
	(void)dev;
	info->max_rx_queues = NULL_MAX_QUEUES;
	info->max_tx_queues = NULL_MAX_QUEUES;
	info->max_mtu = NULL_MAX_SIZE - DPX_ETHER_HDR_LEN - DPX_ETHER_CRC_LEN;
	info->max_rx_pktlen = NULL_MAX_SIZE;
	info->tx_offload_capa = DPX_ETH_TX_OFFLOAD_MULTI_SEGS;
	info->speed_capa = DPX_ETH_SPEED_NUM_10G;
	return 0;
}

static int
queue_init(struct dpx_eth_dev *dev, struct null_queue *q, uint16_t qid)
{
	*q = (struct null_queue){.port_id = dev->data->port_id, .queue_id = qid, .port = priv(dev)};
	if (!priv(dev)->copy)
		return 0;
	q->scratch = calloc(1, NULL_MAX_SIZE);
	if (q->scratch == NULL)
		return -ENOMEM;
	write_header(q->scratch, &priv(dev)->mac);
	return 0;
}

static int
null_rxq_setup(struct dpx_eth_dev *dev, uint16_t qid, uint16_t nb_desc, int socket,
	       const struct dpx_eth_rxconf *conf, struct dpx_mempool *mp, void **queue)
{
	struct null_queue *q = &priv(dev)->rxq[qid];
	uint32_t room = dpx_pktmbuf_data_room_size(mp);

	(void)nb_desc, (void)socket, (void)conf;
	if (room < DPX_PKTMBUF_HEADROOM + priv(dev)->size) {
		NULL_LOG(ERR, "port %u rx queue %u: mbufs of %u bytes (headroom %u) cannot hold "
			 "size=%u", dev->data->port_id, qid, room, DPX_PKTMBUF_HEADROOM,
			 priv(dev)->size);
		return -EINVAL;
	}
	int rc = queue_init(dev, q, qid);
	if (rc != 0)
		return rc;
	q->mp = mp;
	*queue = q;
	return 0;
}

static int
null_txq_setup(struct dpx_eth_dev *dev, uint16_t qid, uint16_t nb_desc, int socket,
	       const struct dpx_eth_txconf *conf, void **queue)
{
	struct null_queue *q = &priv(dev)->txq[qid];

	(void)nb_desc, (void)socket, (void)conf;
	int rc = queue_init(dev, q, qid);
	if (rc == 0)
		*queue = q;
	return rc;
}

static void
null_queue_release(struct dpx_eth_dev *dev, void *queue)
{
	struct null_queue *q = queue;

	(void)dev;
	free(q->scratch);
	memset(q, 0, sizeof(*q));
}

static int
null_start(struct dpx_eth_dev *dev)
{
	return dpx_eth_link_fixed_set(dev, DPX_ETH_SPEED_NUM_10G, 1);
}

static int
null_stop(struct dpx_eth_dev *dev)
{
	return dpx_eth_link_fixed_set(dev, DPX_ETH_SPEED_NUM_10G, 0);
}

static int
null_promisc(struct dpx_eth_dev *dev)
{
	(void)dev; /* every packet is accepted anyway */
	return 0;
}

static int
null_mtu_set(struct dpx_eth_dev *dev, uint16_t mtu)
{
	(void)dev, (void)mtu; /* ethdev checked the range; nothing is sent anywhere */
	return 0;
}

static int
null_mac_set(struct dpx_eth_dev *dev, struct dpx_ether_addr *mac)
{
	struct null_port *np = priv(dev);

	np->mac = *mac;
	for (unsigned int q = 0; q < NULL_MAX_QUEUES; q++)
		if (np->rxq[q].scratch != NULL)
			write_header(np->rxq[q].scratch, mac);
	return 0;
}

static int
null_close(struct dpx_eth_dev *dev)
{
	free(dev->data->dev_private);
	dev->data->dev_private = NULL;
	return 0;
}

static const struct dpx_eth_dev_ops null_ops = {
	.dev_infos_get = null_infos,
	.dev_start = null_start,
	.dev_stop = null_stop,
	.dev_close = null_close,
	.dev_set_link_up = null_start,
	.dev_set_link_down = null_stop,
	.promiscuous_enable = null_promisc,
	.promiscuous_disable = null_promisc,
	.allmulticast_enable = null_promisc,
	.allmulticast_disable = null_promisc,
	.mtu_set = null_mtu_set,
	.mac_addr_set = null_mac_set,
	.rx_queue_setup = null_rxq_setup,
	.rx_queue_release = null_queue_release,
	.tx_queue_setup = null_txq_setup,
	.tx_queue_release = null_queue_release,
	.stats_get = dpx_eth_sw_stats_get,
	.stats_reset = dpx_eth_sw_stats_reset,
};

static int
parse_args(struct dpx_vdev_device *vdev, struct null_port *np)
{
	const struct dpx_kvargs *kv = dpx_vdev_device_kvargs(vdev);
	uint64_t size;
	int rc;

	rc = dpx_kvargs_get_u64(kv, "size", NULL_DEFAULT_SIZE, DPX_ETHER_HDR_LEN, NULL_MAX_SIZE,
				&size);
	if (rc == 0)
		rc = dpx_kvargs_get_bool(kv, "copy", false, &np->copy);
	np->size = (uint32_t)size;
	/* out of range is a bad argument like any other for dpx_vdev_init */
	return rc == -ERANGE ? -EINVAL : rc;
}

static int
null_probe(struct dpx_vdev_device *vdev)
{
	const char *name = dpx_vdev_device_name(vdev);
	struct null_port *np = calloc(1, sizeof(*np));
	struct dpx_eth_dev *dev;
	int rc;

	if (np == NULL)
		return -ENOMEM;
	rc = parse_args(vdev, np);
	if (rc != 0) {
		free(np);
		return rc;
	}
	dev = dpx_eth_dev_allocate(name);
	if (dev == NULL) {
		free(np);
		return -dpx_errno;
	}
	dpx_eth_random_addr(&np->mac);
	dev->data->dev_private = np;
	dev->data->mac_addr = np->mac;
	dev->data->numa_node = dpx_vdev_device_numa_node(vdev);
	dev->dev_ops = &null_ops;
	dev->driver_name = "net_null";
	dev->device = vdev;
	dev->rx_pkt_burst = null_rx;
	dev->tx_pkt_burst = null_tx;
	dpx_eth_dev_probing_finish(dev);
	NULL_LOG(INFO, "%s: port %u, size %u, copy %d", name, dev->data->port_id, np->size,
		 np->copy);
	return 0;
}

static int
null_remove(struct dpx_vdev_device *vdev)
{
	return dpx_eth_dev_remove_by_name(dpx_vdev_device_name(vdev));
}

static const char *const null_keys[] = {"size", "copy", NULL};

static struct dpx_vdev_driver null_drv = {
	.valid_keys = null_keys,
	.probe = null_probe,
	.remove = null_remove,
};

DPX_PMD_REGISTER_VDEV(net_null, null_drv);
