/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * net_pcap: one rx queue fed by a capture file (rx_pcap) or a live interface
 * (iface), one tx queue writing to a capture file (tx_pcap) or the interface.
 *
 *   --vdev net_pcap0,rx_pcap=in.pcap,tx_pcap=out.pcap[,infinite_rx=1]
 *   --vdev net_pcap1,iface=eth0
 *
 * Everything is opened at probe, so a missing or corrupt file is an error of
 * dpx_vdev_init, not of the first burst. A file read ends at EOF (rx returns
 * 0 from then on) unless infinite_rx=1, which loads the whole file at probe
 * and replays it forever. A read error inside the file (a truncated last
 * record) counts one rx error, is logged once, and ends the file.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include <pcap.h>

#include <dpx_bus_vdev_driver.h>
#include <dpx_ethdev_driver.h>
#include <dpx_mbuf.h>
#include <dpx_mempool.h>

DPX_LOG_REGISTER_STATIC(net_pcap_logtype, "pmd.net.pcap");
#define PCAP_LOG(level, fmt, ...) DPX_LOG(level, net_pcap_logtype, "net_pcap: " fmt, ##__VA_ARGS__)

#define PCAP_SNAPLEN 65535

struct pcap_packet {
	uint32_t len;
	uint8_t *data;
};

struct pcap_rxq {
	struct dpx_eth_sw_queue_stats stats; /* first: see dpx_eth_sw_stats_get */
	pcap_t *pcap;              /* file or live; NULL with infinite_rx */
	struct pcap_packet *pkts;  /* infinite_rx: the whole file */
	unsigned int nb_pkts, next;
	struct dpx_mempool *mp;
	uint16_t port_id;
	bool ended;                /* EOF or read error: no more packets */
};
DPX_ETH_SW_STATS_FIRST(struct pcap_rxq, stats);

struct pcap_txq {
	struct dpx_eth_sw_queue_stats stats; /* first: see dpx_eth_sw_stats_get */
	pcap_dumper_t *dumper;     /* tx_pcap */
	pcap_t *live;              /* iface */
	uint8_t *linear;           /* multi-segment packets are gathered here */
};
DPX_ETH_SW_STATS_FIRST(struct pcap_txq, stats);

struct pcap_port {
	const char *rx_path, *tx_path, *iface; /* point into the vdev's kvargs */
	bool infinite_rx;
	pcap_t *rx_pcap, *tx_dead, *live;
	pcap_dumper_t *dumper;
	struct pcap_rxq rxq;
	struct pcap_txq txq;
};

/* ---- rx ---- */

/* Copy len bytes into a chain of mbufs from mp; NULL when the pool runs dry. */
static struct dpx_mbuf *
copy_to_mbufs(struct dpx_mempool *mp, const uint8_t *data, uint32_t len)
{
	struct dpx_mbuf *head = NULL, *last = NULL;
	uint32_t off = 0;

	do {
		struct dpx_mbuf *m = dpx_pktmbuf_alloc(mp);
		if (m == NULL) {
			dpx_pktmbuf_free(head);
			return NULL;
		}
		uint16_t chunk = (uint16_t)DPX_MIN(len - off, dpx_pktmbuf_tailroom(m));
		memcpy(dpx_pktmbuf_mtod(m, uint8_t *), data + off, chunk);
		m->data_len = chunk;
		off += chunk;
		if (head == NULL) {
			head = m;
		} else {
			last->next = m;
			head->nb_segs++;
		}
		last = m;
	} while (off < len);
	head->pkt_len = len;
	return head;
}

/* Next packet of a file or interface: 1 got one, 0 none now, -1 ended. */
static int
read_packet(struct pcap_rxq *q, const uint8_t **data, uint32_t *len)
{
	struct pcap_pkthdr *hdr;
	int rc;

	if (q->ended)
		return -1;
	rc = pcap_next_ex(q->pcap, &hdr, data);
	if (rc == 1) {
		*len = hdr->caplen;
		return 1;
	}
	if (rc == 0)
		return 0; /* live interface: nothing yet */
	if (rc == PCAP_ERROR) {
		PCAP_LOG(ERR, "port %u: capture read error: %s", q->port_id, pcap_geterr(q->pcap));
		dpx_eth_sw_count_errors(&q->stats, 1);
	}
	q->ended = true;
	return -1;
}

/* Next packet to hand out: replayed from memory with infinite_rx, else read. */
static int
next_packet(struct pcap_rxq *q, const uint8_t **data, uint32_t *len)
{
	if (q->pkts == NULL)
		return read_packet(q, data, len);
	*data = q->pkts[q->next].data;
	*len = q->pkts[q->next].len;
	q->next = (q->next + 1) % q->nb_pkts;
	return 1;
}

static uint16_t
pcap_rx(void *queue, struct dpx_mbuf **pkts, uint16_t n)
{
	struct pcap_rxq *q = queue;
	uint64_t bytes = 0;
	uint16_t got = 0;

	while (got < n) {
		const uint8_t *data;
		uint32_t len;
		if (next_packet(q, &data, &len) <= 0)
			break;
		struct dpx_mbuf *m = copy_to_mbufs(q->mp, data, len);
		if (m == NULL) {
			/* the packet is dropped: a file cannot be rewound by one */
			dpx_eth_sw_count_nombuf(&q->stats, 1);
			break;
		}
		m->port = q->port_id;
		pkts[got++] = m;
		bytes += len;
	}
	dpx_eth_sw_count(&q->stats, got, bytes);
	return got;
}

/* ---- tx ---- */

static const uint8_t *
linearize(struct pcap_txq *q, const struct dpx_mbuf *m)
{
	if (m->nb_segs == 1)
		return dpx_pktmbuf_mtod(m, const uint8_t *);
	return dpx_pktmbuf_read(m, 0, m->pkt_len, q->linear);
}

static int
send_one(struct pcap_txq *q, const struct dpx_mbuf *m)
{
	struct pcap_pkthdr hdr;
	const uint8_t *data;

	if (m->pkt_len > PCAP_SNAPLEN || (data = linearize(q, m)) == NULL)
		return -EINVAL;
	if (q->live != NULL)
		return pcap_sendpacket(q->live, data, (int)m->pkt_len) == 0 ? 0 : -EIO;
	gettimeofday(&hdr.ts, NULL);
	hdr.caplen = hdr.len = m->pkt_len;
	pcap_dump((u_char *)q->dumper, &hdr, data);
	return 0;
}

static uint16_t
pcap_tx(void *queue, struct dpx_mbuf **pkts, uint16_t n)
{
	struct pcap_txq *q = queue;
	uint64_t bytes = 0;
	uint16_t sent = 0;

	for (uint16_t i = 0; i < n; i++) {
		if (send_one(q, pkts[i]) == 0) {
			sent++;
			bytes += pkts[i]->pkt_len;
		}
	}
	dpx_eth_sw_count(&q->stats, sent, bytes);
	if (sent < n)
		dpx_eth_sw_count_errors(&q->stats, n - sent);
	dpx_pktmbuf_free_bulk(pkts, n);
	return n;
}

/* ---- control ---- */

static struct pcap_port *
priv(struct dpx_eth_dev *dev)
{
	return dev->data->dev_private;
}

static int
pcap_infos(struct dpx_eth_dev *dev, struct dpx_eth_dev_info *info)
{
	struct pcap_port *pp = priv(dev);

	info->max_rx_queues = pp->rx_pcap != NULL || pp->rxq.pkts != NULL ||
			      (pp->live != NULL && pp->rx_path == NULL);
	info->max_tx_queues = pp->dumper != NULL || (pp->live != NULL && pp->tx_path == NULL);
	info->max_rx_pktlen = PCAP_SNAPLEN;
	info->max_mtu = PCAP_SNAPLEN - DPX_ETHER_HDR_LEN;
	info->tx_offload_capa = DPX_ETH_TX_OFFLOAD_MULTI_SEGS;
	info->rx_offload_capa = DPX_ETH_RX_OFFLOAD_SCATTER;
	return 0;
}

static int
pcap_rxq_setup(struct dpx_eth_dev *dev, uint16_t qid, uint16_t nb_desc, int socket,
	       const struct dpx_eth_rxconf *conf, struct dpx_mempool *mp, void **queue)
{
	struct pcap_rxq *q = &priv(dev)->rxq;

	(void)qid, (void)nb_desc, (void)socket, (void)conf;
	/* no byte past the headroom: every packet would take mbufs until the pool ran dry */
	if (dpx_pktmbuf_data_room_size(mp) <= DPX_PKTMBUF_HEADROOM) {
		PCAP_LOG(ERR, "%s: rx queue: mbufs of %u bytes hold nothing past %u of headroom",
			 dev->data->name, dpx_pktmbuf_data_room_size(mp), DPX_PKTMBUF_HEADROOM);
		return -EINVAL;
	}
	q->mp = mp;
	q->port_id = dev->data->port_id;
	*queue = q;
	return 0;
}

static int
pcap_txq_setup(struct dpx_eth_dev *dev, uint16_t qid, uint16_t nb_desc, int socket,
	       const struct dpx_eth_txconf *conf, void **queue)
{
	(void)qid, (void)nb_desc, (void)socket, (void)conf;
	*queue = &priv(dev)->txq;
	return 0;
}

static void
pcap_queue_release(struct dpx_eth_dev *dev, void *queue)
{
	(void)dev, (void)queue; /* the files belong to the port, closed at close */
}

static int
pcap_start(struct dpx_eth_dev *dev)
{
	return dpx_eth_link_fixed_set(dev, DPX_ETH_SPEED_NUM_10G, 1);
}

static int
pcap_stop(struct dpx_eth_dev *dev)
{
	/* what was sent is on disk once the port is stopped */
	if (priv(dev)->dumper != NULL && pcap_dump_flush(priv(dev)->dumper) != 0)
		PCAP_LOG(ERR, "%s: flushing %s failed", dev->data->name, priv(dev)->tx_path);
	return dpx_eth_link_fixed_set(dev, DPX_ETH_SPEED_NUM_10G, 0);
}

static void
free_port(struct pcap_port *pp)
{
	for (unsigned int i = 0; i < pp->rxq.nb_pkts; i++)
		free(pp->rxq.pkts[i].data);
	free(pp->rxq.pkts);
	if (pp->rx_pcap != NULL)
		pcap_close(pp->rx_pcap);
	if (pp->dumper != NULL)
		pcap_dump_close(pp->dumper);
	if (pp->tx_dead != NULL)
		pcap_close(pp->tx_dead);
	if (pp->live != NULL)
		pcap_close(pp->live);
	free(pp->txq.linear);
	free(pp);
}

static int
pcap_close_dev(struct dpx_eth_dev *dev)
{
	free_port(priv(dev));
	dev->data->dev_private = NULL;
	return 0;
}

static const struct dpx_eth_dev_ops pcap_ops = {
	.dev_infos_get = pcap_infos,
	.dev_start = pcap_start,
	.dev_stop = pcap_stop,
	.dev_close = pcap_close_dev,
	.rx_queue_setup = pcap_rxq_setup,
	.rx_queue_release = pcap_queue_release,
	.tx_queue_setup = pcap_txq_setup,
	.tx_queue_release = pcap_queue_release,
	.stats_get = dpx_eth_sw_stats_get,
	.stats_reset = dpx_eth_sw_stats_reset,
};

/* ---- probe: open everything ---- */

static int
open_rx_file(const char *name, struct pcap_port *pp)
{
	char err[PCAP_ERRBUF_SIZE];

	if (access(pp->rx_path, R_OK) != 0) {
		int e = errno;
		PCAP_LOG(ERR, "%s: rx_pcap=%s: %s", name, pp->rx_path, strerror(e));
		return -e;
	}
	pp->rx_pcap = pcap_open_offline(pp->rx_path, err);
	if (pp->rx_pcap == NULL) {
		PCAP_LOG(ERR, "%s: rx_pcap=%s is not a capture file: %s", name, pp->rx_path, err);
		return -EINVAL;
	}
	if (pcap_datalink(pp->rx_pcap) != DLT_EN10MB) {
		PCAP_LOG(ERR, "%s: rx_pcap=%s: link type %d, want Ethernet (%d)", name, pp->rx_path,
			 pcap_datalink(pp->rx_pcap), DLT_EN10MB);
		return -EINVAL;
	}
	pp->rxq.pcap = pp->rx_pcap;
	return 0;
}

/* infinite_rx: hold the whole file in memory; the file must read cleanly. */
static int
load_rx_file(const char *name, struct pcap_port *pp)
{
	struct pcap_rxq *q = &pp->rxq;
	unsigned int cap = 0;
	const uint8_t *data;
	uint32_t len;
	int rc;

	while ((rc = read_packet(q, &data, &len)) == 1) {
		if (q->nb_pkts == cap) {
			cap = cap ? cap * 2 : 64;
			struct pcap_packet *p = realloc(q->pkts, cap * sizeof(*p));
			if (p == NULL)
				return -ENOMEM;
			q->pkts = p;
		}
		q->pkts[q->nb_pkts].data = malloc(len);
		if (q->pkts[q->nb_pkts].data == NULL)
			return -ENOMEM;
		memcpy(q->pkts[q->nb_pkts].data, data, len);
		q->pkts[q->nb_pkts++].len = len;
	}
	/* no queue polls yet: the probe may read and clear the counters directly */
	if (q->stats.cnt.errors > 0 || q->nb_pkts == 0) {
		PCAP_LOG(ERR, "%s: infinite_rx: %s %s", name, pp->rx_path,
			 q->stats.cnt.errors ? "has a read error" : "holds no packet to repeat");
		return -EINVAL;
	}
	q->pcap = NULL;
	return 0;
}

static int
open_tx_file(const char *name, struct pcap_port *pp)
{
	pp->tx_dead = pcap_open_dead(DLT_EN10MB, PCAP_SNAPLEN);
	if (pp->tx_dead == NULL)
		return -ENOMEM;
	errno = 0;
	pp->dumper = pcap_dump_open(pp->tx_dead, pp->tx_path);
	if (pp->dumper == NULL) {
		int e = errno != 0 ? errno : EIO;
		PCAP_LOG(ERR, "%s: tx_pcap=%s: %s", name, pp->tx_path, pcap_geterr(pp->tx_dead));
		return -e;
	}
	pp->txq.dumper = pp->dumper;
	return 0;
}

static int
live_error(const char *name, const char *iface, pcap_t *p, int rc)
{
	PCAP_LOG(ERR, "%s: iface=%s: %s", name, iface, pcap_geterr(p));
	if (rc == PCAP_ERROR_NO_SUCH_DEVICE)
		return -ENODEV;
	if (rc == PCAP_ERROR_PERM_DENIED)
		return -EPERM;
	return -EIO;
}

static int
open_live(const char *name, struct pcap_port *pp)
{
	char err[PCAP_ERRBUF_SIZE];
	int rc;

	pp->live = pcap_create(pp->iface, err);
	if (pp->live == NULL) {
		PCAP_LOG(ERR, "%s: iface=%s: %s", name, pp->iface, err);
		return -ENODEV;
	}
	pcap_set_snaplen(pp->live, PCAP_SNAPLEN);
	pcap_set_promisc(pp->live, 1);
	pcap_set_immediate_mode(pp->live, 1);
	rc = pcap_activate(pp->live);
	if (rc < 0)
		return live_error(name, pp->iface, pp->live, rc);
	/* rx sees what arrives, not what this port sends */
	if (pcap_setnonblock(pp->live, 1, err) != 0 || pcap_setdirection(pp->live, PCAP_D_IN) != 0)
		return live_error(name, pp->iface, pp->live, PCAP_ERROR);
	if (pp->rx_path == NULL)
		pp->rxq.pcap = pp->live;
	if (pp->tx_path == NULL)
		pp->txq.live = pp->live;
	return 0;
}

static int
parse_args(const char *name, const struct dpx_kvargs *kv, struct pcap_port *pp)
{
	int rc = dpx_kvargs_get_str(kv, "rx_pcap", &pp->rx_path);

	if (rc == 0)
		rc = dpx_kvargs_get_str(kv, "tx_pcap", &pp->tx_path);
	if (rc == 0)
		rc = dpx_kvargs_get_str(kv, "iface", &pp->iface);
	if (rc == 0)
		rc = dpx_kvargs_get_bool(kv, "infinite_rx", false, &pp->infinite_rx);
	if (rc != 0)
		return rc;
	if ((pp->rx_path == NULL && pp->tx_path == NULL && pp->iface == NULL) ||
	    (pp->infinite_rx && pp->rx_path == NULL) ||
	    (pp->iface != NULL && pp->rx_path != NULL && pp->tx_path != NULL)) {
		PCAP_LOG(ERR, "%s: give rx_pcap and/or tx_pcap, or iface (with at most one of "
			 "them); infinite_rx needs rx_pcap", name);
		return -EINVAL;
	}
	return 0;
}

static int
open_all(const char *name, struct pcap_port *pp)
{
	int rc = 0;

	if (pp->rx_path != NULL)
		rc = open_rx_file(name, pp);
	if (rc == 0 && pp->infinite_rx)
		rc = load_rx_file(name, pp);
	if (rc == 0 && pp->tx_path != NULL)
		rc = open_tx_file(name, pp);
	if (rc == 0 && pp->iface != NULL)
		rc = open_live(name, pp);
	if (rc == 0 && (pp->txq.linear = malloc(PCAP_SNAPLEN)) == NULL)
		rc = -ENOMEM;
	return rc;
}

static int
pcap_probe(struct dpx_vdev_device *vdev)
{
	const char *name = dpx_vdev_device_name(vdev);
	struct pcap_port *pp = calloc(1, sizeof(*pp));
	struct dpx_eth_dev *dev;
	int rc;

	if (pp == NULL)
		return -ENOMEM;
	rc = parse_args(name, dpx_vdev_device_kvargs(vdev), pp);
	if (rc == 0)
		rc = open_all(name, pp);
	if (rc == 0 && (dev = dpx_eth_dev_allocate(name)) == NULL)
		rc = -dpx_errno;
	if (rc != 0) {
		free_port(pp);
		return rc;
	}
	dev->data->dev_private = pp;
	dev->data->numa_node = dpx_vdev_device_numa_node(vdev);
	dpx_eth_random_addr(&dev->data->mac_addr);
	dev->dev_ops = &pcap_ops;
	dev->driver_name = "net_pcap";
	dev->device = vdev;
	dev->rx_pkt_burst = pcap_rx;
	dev->tx_pkt_burst = pcap_tx;
	dpx_eth_dev_probing_finish(dev);
	return 0;
}

static int
pcap_remove(struct dpx_vdev_device *vdev)
{
	return dpx_eth_dev_remove_by_name(dpx_vdev_device_name(vdev));
}

static const char *const pcap_keys[] = {"rx_pcap", "tx_pcap", "iface", "infinite_rx", NULL};

static struct dpx_vdev_driver pcap_drv = {
	.valid_keys = pcap_keys,
	.probe = pcap_probe,
	.remove = pcap_remove,
};

DPX_PMD_REGISTER_VDEV(net_pcap, pcap_drv);
