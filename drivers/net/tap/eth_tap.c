/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * net_tap: each queue pair is one fd of a multi-queue TAP interface. What tx
 * writes, the kernel receives on the interface; what the kernel sends out of
 * the interface, rx reads. The link follows the kernel interface's IFF_UP:
 * start/stop and set_link_up/down change it, and a change made outside (ip
 * link set ... down) is seen by the next link query, which fires LSC.
 *
 *   --vdev net_tap0[,iface=NAME][,mac=02:00:00:00:00:01][,queues=N][,page_pool=0|1][,pp_size=N]
 *
 * iface defaults to "dtap%d" (the kernel picks the number); mac is this
 * port's address (random if absent), distinct from the kernel interface's.
 * Receive buffers come from a page pool per rx queue (doc/page_pool.md)
 * unless page_pool=0; a queue keeps one buffer ready across empty polls.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <linux/if_tun.h>

#include <dpx_bus_vdev_driver.h>
#include <dpx_ethdev_driver.h>
#include <dpx_mbuf.h>
#include <dpx_mempool.h>
#include <dpx_page_pool.h>

DPX_LOG_REGISTER_STATIC(net_tap_logtype, "pmd.net.tap");
#define TAP_LOG(level, fmt, ...) DPX_LOG(level, net_tap_logtype, "net_tap: " fmt, ##__VA_ARGS__)

#define TAP_MAX_QUEUES 8
#define TAP_MAX_FRAME 65536
#define TAP_MAX_SEGS 64

struct tap_rxq {
	struct dpx_eth_sw_queue_stats stats; /* first: see dpx_eth_sw_stats_get */
	int fd;
	struct dpx_mempool *mp;
	struct dpx_page_pool *pp; /* where buffers come from (NULL: mp) */
	struct dpx_mbuf *spare;	  /* a buffer a read found nothing for, kept for the next */
	uint8_t *overflow; /* bytes beyond the first mbuf land here, then go to chained mbufs */
	uint16_t port_id;
};
DPX_ETH_SW_STATS_FIRST(struct tap_rxq, stats);

struct tap_txq {
	struct dpx_eth_sw_queue_stats stats; /* first: see dpx_eth_sw_stats_get */
	int fd;
};
DPX_ETH_SW_STATS_FIRST(struct tap_txq, stats);

struct tap_port {
	char ifname[IFNAMSIZ];
	unsigned int if_index;
	unsigned int nb_queues;
	bool page_pool;	      /* devarg page_pool */
	unsigned int pp_size; /* devarg pp_size */
	int fds[TAP_MAX_QUEUES];
	int ioctl_sock; /* AF_INET datagram socket for SIOC[GS]IF*, in dpx's network namespace */
	bool away_logged; /* the interface left dpx's namespace: said once */
	struct tap_rxq rxq[TAP_MAX_QUEUES];
	struct tap_txq txq[TAP_MAX_QUEUES];
};

/* ---- rx ---- */

static struct dpx_mbuf *
rx_buffer(struct tap_rxq *q)
{
	return q->pp != NULL ? dpx_page_pool_alloc(q->pp) : dpx_pktmbuf_alloc(q->mp);
}

/* Move the bytes past the first segment from the overflow buffer into a chain. */
static int
chain_overflow(struct tap_rxq *q, struct dpx_mbuf *head, uint32_t extra)
{
	struct dpx_mbuf *last = head;
	uint32_t off = 0;

	while (off < extra) {
		struct dpx_mbuf *m = rx_buffer(q);
		if (m == NULL)
			return -ENOMEM;
		uint16_t chunk = (uint16_t)DPX_MIN(extra - off, dpx_pktmbuf_tailroom(m));
		memcpy(dpx_pktmbuf_mtod(m, uint8_t *), q->overflow + off, chunk);
		m->data_len = chunk;
		last->next = m;
		last = m;
		head->nb_segs++;
		head->pkt_len += chunk;
		off += chunk;
	}
	return 0;
}

/* Read one frame: 1 got it, 0 nothing to read, -1 stop (error counted). */
static int
read_one(struct tap_rxq *q, struct dpx_mbuf **out)
{
	struct dpx_mbuf *m = q->spare != NULL ? q->spare : rx_buffer(q);
	struct iovec iov[2];
	ssize_t n;

	q->spare = NULL;
	if (m == NULL) {
		dpx_eth_sw_count_nombuf(&q->stats, 1);
		return -1;
	}
	iov[0] = (struct iovec){dpx_pktmbuf_mtod(m, void *), dpx_pktmbuf_tailroom(m)};
	iov[1] = (struct iovec){q->overflow, TAP_MAX_FRAME};
	n = readv(q->fd, iov, 2);
	if (n <= 0) {
		bool again = n < 0 && (errno == EAGAIN || errno == EINTR);

		/* an empty poll keeps its buffer: no alloc and free per poll */
		q->spare = m;
		if (n < 0 && !again)
			dpx_eth_sw_count_errors(&q->stats, 1);
		return again ? 0 : -1;
	}
	m->data_len = (uint16_t)DPX_MIN((size_t)n, iov[0].iov_len);
	m->pkt_len = m->data_len;
	if ((size_t)n > iov[0].iov_len && chain_overflow(q, m, (uint32_t)(n - m->data_len)) != 0) {
		dpx_pktmbuf_free(m);
		dpx_eth_sw_count_nombuf(&q->stats, 1);
		return -1;
	}
	m->port = q->port_id;
	*out = m;
	return 1;
}

static uint16_t
tap_rx(void *queue, struct dpx_mbuf **pkts, uint16_t n)
{
	struct tap_rxq *q = queue;
	uint64_t bytes = 0;
	uint16_t got = 0;

	while (got < n && read_one(q, &pkts[got]) == 1) {
		bytes += pkts[got]->pkt_len;
		got++;
	}
	dpx_eth_sw_count(&q->stats, got, bytes);
	return got;
}

/* ---- tx ---- */

static uint16_t
tap_tx(void *queue, struct dpx_mbuf **pkts, uint16_t n)
{
	struct tap_txq *q = queue;
	struct iovec iov[TAP_MAX_SEGS];
	uint16_t i;

	for (i = 0; i < n; i++) {
		struct dpx_mbuf *m = pkts[i];
		unsigned int segs = 0;
		for (struct dpx_mbuf *s = m; s != NULL && segs < TAP_MAX_SEGS; s = s->next)
			iov[segs++] = (struct iovec){dpx_pktmbuf_mtod(s, void *), s->data_len};
		ssize_t w = -1;
		errno = EMSGSIZE; /* too many segments: dropped, not retried */
		if (m->nb_segs <= TAP_MAX_SEGS)
			w = writev(q->fd, iov, (int)segs);
		if (w < 0 && errno == EAGAIN)
			break; /* the kernel queue is full: the caller keeps the rest */
		if (w == (ssize_t)m->pkt_len)
			dpx_eth_sw_count(&q->stats, 1, m->pkt_len);
		else
			dpx_eth_sw_count_errors(&q->stats, 1);
		dpx_pktmbuf_free(m);
	}
	return i;
}

/* ---- kernel interface ---- */

static struct tap_port *
priv(struct dpx_eth_dev *dev)
{
	return dev->data->dev_private;
}

/*
 * Name the interface for a SIOC*IF* ioctl, or -ENODEV when it is no longer
 * in dpx's network namespace. The ioctls go by name in the namespace of
 * ioctl_sock; once the interface is moved elsewhere (ip link set ... netns)
 * that name is free here and may even be another interface's, so the name
 * the tun fd reports (renames follow) must still give our index here.
 */
static int
if_locate(struct tap_port *tp, struct ifreq *ifr)
{
	struct ifreq q = {0};

	if (ioctl(tp->fds[0], TUNGETIFF, &q) != 0)
		return -errno;
	snprintf(ifr->ifr_name, IFNAMSIZ, "%s", q.ifr_name);
	memset(&q.ifr_ifru, 0, sizeof(q.ifr_ifru));
	if (ioctl(tp->ioctl_sock, SIOCGIFINDEX, &q) != 0 ||
	    (unsigned int)q.ifr_ifindex != tp->if_index)
		return -ENODEV;
	return 0;
}

static int
if_ioctl(struct tap_port *tp, unsigned long req, struct ifreq *ifr)
{
	int rc = if_locate(tp, ifr);

	if (rc != 0) {
		TAP_LOG(ERR, "%s: interface index %u is not in this network namespace any more",
			tp->ifname, tp->if_index);
		return rc;
	}
	if (ioctl(tp->ioctl_sock, req, ifr) != 0) {
		int e = errno;
		TAP_LOG(ERR, "%s: ioctl 0x%lx: %s", ifr->ifr_name, req, strerror(e));
		return -e;
	}
	return 0;
}

/* Set (on) or clear the given kernel interface flags. */
static int
if_flags_set(struct tap_port *tp, short flags, int on)
{
	struct ifreq ifr = {0};
	int rc = if_ioctl(tp, SIOCGIFFLAGS, &ifr);

	if (rc != 0)
		return rc;
	ifr.ifr_flags = (short)(on ? ifr.ifr_flags | flags : ifr.ifr_flags & ~flags);
	return if_ioctl(tp, SIOCSIFFLAGS, &ifr);
}

static int
tap_link_update(struct dpx_eth_dev *dev, int wait)
{
	struct ifreq ifr = {0};
	int rc = if_ioctl(priv(dev), SIOCGIFFLAGS, &ifr);
	struct dpx_eth_link link = {
		.link_speed = DPX_ETH_SPEED_NUM_10G,
		.link_duplex = DPX_ETH_LINK_FULL_DUPLEX,
	};

	(void)wait;
	if (rc != 0)
		return rc;
	link.link_status = (ifr.ifr_flags & IFF_UP) ? DPX_ETH_LINK_UP : DPX_ETH_LINK_DOWN;
	if (dpx_eth_linkstatus_set(dev, &link))
		dpx_eth_dev_callback_process(dev, DPX_ETH_EVENT_LSC, NULL);
	return 0;
}

static int
set_up(struct dpx_eth_dev *dev, int up)
{
	int rc = if_flags_set(priv(dev), IFF_UP, up);

	return rc != 0 ? rc : tap_link_update(dev, 0);
}

static int
tap_start(struct dpx_eth_dev *dev)
{
	return set_up(dev, 1);
}

/* Link down: the kernel interface down too, when it is still in our namespace. */
static int
tap_link_down(struct dpx_eth_dev *dev)
{
	return set_up(dev, 0);
}

/*
 * Stop always succeeds: an interface moved to another network namespace is
 * someone else's to bring down (said once, at info); the port's link is down.
 */
/* Every receive buffer back to its mempool: the spares, then the pools. */
static void
rxqs_drain(struct tap_port *tp)
{
	for (unsigned int q = 0; q < TAP_MAX_QUEUES; q++) {
		dpx_pktmbuf_free(tp->rxq[q].spare);
		tp->rxq[q].spare = NULL;
		if (tp->rxq[q].pp != NULL)
			dpx_page_pool_drain(tp->rxq[q].pp);
	}
}

static int
tap_stop(struct dpx_eth_dev *dev)
{
	struct tap_port *tp = priv(dev);
	struct dpx_eth_link link = {.link_speed = DPX_ETH_SPEED_NUM_10G,
				    .link_duplex = DPX_ETH_LINK_FULL_DUPLEX,
				    .link_status = DPX_ETH_LINK_DOWN};
	struct ifreq ifr = {0};

	rxqs_drain(tp);
	if (if_locate(tp, &ifr) == 0)
		return set_up(dev, 0);
	if (!tp->away_logged)
		TAP_LOG(INFO, "%s: interface index %u left this network namespace: its state is "
			"left to its new namespace", tp->ifname, tp->if_index);
	tp->away_logged = true;
	if (dpx_eth_linkstatus_set(dev, &link))
		dpx_eth_dev_callback_process(dev, DPX_ETH_EVENT_LSC, NULL);
	return 0;
}

static int
tap_link_up(struct dpx_eth_dev *dev)
{
	return set_up(dev, 1);
}

static int
tap_promisc_on(struct dpx_eth_dev *dev)
{
	return if_flags_set(priv(dev), IFF_PROMISC, 1);
}

static int
tap_promisc_off(struct dpx_eth_dev *dev)
{
	return if_flags_set(priv(dev), IFF_PROMISC, 0);
}

static int
tap_allmulti_on(struct dpx_eth_dev *dev)
{
	return if_flags_set(priv(dev), IFF_ALLMULTI, 1);
}

static int
tap_allmulti_off(struct dpx_eth_dev *dev)
{
	return if_flags_set(priv(dev), IFF_ALLMULTI, 0);
}

static int
tap_mtu_set(struct dpx_eth_dev *dev, uint16_t mtu)
{
	struct ifreq ifr = {.ifr_mtu = mtu};

	return if_ioctl(priv(dev), SIOCSIFMTU, &ifr);
}

static int
tap_mac_set(struct dpx_eth_dev *dev, struct dpx_ether_addr *mac)
{
	(void)dev, (void)mac; /* this port's own address: ethdev stores it, the kernel keeps its own */
	return 0;
}

static int
tap_configure(struct dpx_eth_dev *dev)
{
	/* the kernel interface carries the configured MTU */
	return tap_mtu_set(dev, dev->data->mtu);
}

static int
tap_infos(struct dpx_eth_dev *dev, struct dpx_eth_dev_info *info)
{
	info->if_index = priv(dev)->if_index;
	info->max_rx_queues = (uint16_t)priv(dev)->nb_queues;
	info->max_tx_queues = (uint16_t)priv(dev)->nb_queues;
	info->max_mtu = TAP_MAX_FRAME - DPX_ETHER_HDR_LEN;
	info->max_rx_pktlen = TAP_MAX_FRAME;
	info->tx_offload_capa = DPX_ETH_TX_OFFLOAD_MULTI_SEGS;
	info->rx_offload_capa = DPX_ETH_RX_OFFLOAD_SCATTER;
	info->speed_capa = DPX_ETH_SPEED_NUM_10G;
	return 0;
}

static void
tap_rxq_release(struct dpx_eth_dev *dev, void *queue)
{
	struct tap_rxq *q = queue;

	(void)dev;
	free(q->overflow);
	q->overflow = NULL;
	dpx_pktmbuf_free(q->spare);
	q->spare = NULL;
	dpx_page_pool_destroy(q->pp);
	q->pp = NULL;
}

static int
tap_rxq_setup(struct dpx_eth_dev *dev, uint16_t qid, uint16_t nb_desc, int socket,
	      const struct dpx_eth_rxconf *conf, struct dpx_mempool *mp, void **queue)
{
	struct tap_rxq *q = &priv(dev)->rxq[qid];

	(void)nb_desc, (void)socket, (void)conf;
	/* no byte past the headroom: every frame would take mbufs until the pool ran dry */
	if (dpx_pktmbuf_data_room_size(mp) <= DPX_PKTMBUF_HEADROOM) {
		TAP_LOG(ERR, "%s: rx queue %u: mbufs of %u bytes hold nothing past the %u of "
			"headroom", dev->data->name, qid, dpx_pktmbuf_data_room_size(mp),
			DPX_PKTMBUF_HEADROOM);
		return -EINVAL;
	}
	q->overflow = malloc(TAP_MAX_FRAME);
	if (q->overflow == NULL)
		return -ENOMEM;
	if (priv(dev)->page_pool) {
		q->pp = dpx_page_pool_create_rxq(dev->data->name, qid, mp, priv(dev)->pp_size);
		if (q->pp == NULL) {
			int rc = -dpx_errno;
			tap_rxq_release(dev, q);
			return rc;
		}
	}
	q->fd = priv(dev)->fds[qid];
	q->mp = mp;
	q->port_id = dev->data->port_id;
	*queue = q;
	return 0;
}

static int
tap_txq_setup(struct dpx_eth_dev *dev, uint16_t qid, uint16_t nb_desc, int socket,
	      const struct dpx_eth_txconf *conf, void **queue)
{
	(void)nb_desc, (void)socket, (void)conf;
	priv(dev)->txq[qid].fd = priv(dev)->fds[qid];
	*queue = &priv(dev)->txq[qid];
	return 0;
}

static void
tap_txq_release(struct dpx_eth_dev *dev, void *queue)
{
	(void)dev, (void)queue; /* the fd belongs to the port */
}

static void
free_port(struct tap_port *tp)
{
	for (unsigned int q = 0; q < TAP_MAX_QUEUES; q++)
		if (tp->fds[q] >= 0)
			close(tp->fds[q]);
	if (tp->ioctl_sock >= 0)
		close(tp->ioctl_sock);
	free(tp);
}

static int
tap_close(struct dpx_eth_dev *dev)
{
	free_port(priv(dev)); /* the last fd closed removes the kernel interface */
	dev->data->dev_private = NULL;
	return 0;
}

/* ---- xstats: the rx queues' page pools (rx_qN_pp_*) ---- */

static unsigned int
tap_pp_xstats(struct dpx_eth_dev *dev, struct dpx_eth_xstat_name *names, struct dpx_eth_xstat *xs,
	      unsigned int size)
{
	struct dpx_page_pool *pools[TAP_MAX_QUEUES];
	uint16_t nb = DPX_MIN(dev->data->nb_rx_queues, (uint16_t)TAP_MAX_QUEUES);

	for (uint16_t q = 0; q < nb; q++)
		pools[q] = priv(dev)->rxq[q].pp;
	return dpx_page_pool_eth_xstats(pools, nb, names, xs, size, 0);
}

static int
tap_xstats_get_names(struct dpx_eth_dev *dev, struct dpx_eth_xstat_name *names, unsigned int size)
{
	return (int)tap_pp_xstats(dev, names, NULL, names == NULL ? 0 : size);
}

static int
tap_xstats_get(struct dpx_eth_dev *dev, struct dpx_eth_xstat *xs, unsigned int size)
{
	return (int)tap_pp_xstats(dev, NULL, xs, xs == NULL ? 0 : size);
}

static int
tap_xstats_reset(struct dpx_eth_dev *dev)
{
	for (unsigned int q = 0; q < TAP_MAX_QUEUES; q++)
		if (priv(dev)->rxq[q].pp != NULL)
			dpx_page_pool_stats_reset(priv(dev)->rxq[q].pp);
	return 0;
}

static const struct dpx_eth_dev_ops tap_ops = {
	.dev_infos_get = tap_infos,
	.dev_configure = tap_configure,
	.dev_start = tap_start,
	.dev_stop = tap_stop,
	.dev_close = tap_close,
	.link_update = tap_link_update,
	.dev_set_link_up = tap_link_up,
	.dev_set_link_down = tap_link_down,
	.promiscuous_enable = tap_promisc_on,
	.promiscuous_disable = tap_promisc_off,
	.allmulticast_enable = tap_allmulti_on,
	.allmulticast_disable = tap_allmulti_off,
	.mtu_set = tap_mtu_set,
	.mac_addr_set = tap_mac_set,
	.rx_queue_setup = tap_rxq_setup,
	.rx_queue_release = tap_rxq_release,
	.tx_queue_setup = tap_txq_setup,
	.tx_queue_release = tap_txq_release,
	.stats_get = dpx_eth_sw_stats_get,
	.stats_reset = dpx_eth_sw_stats_reset,
	.xstats_get_names = tap_xstats_get_names,
	.xstats_get = tap_xstats_get,
	.xstats_reset = tap_xstats_reset,
};

/* ---- probe ---- */

/* Open one queue fd of the interface; the first call creates it and learns its name. */
static int
open_queue(const char *devname, struct tap_port *tp, unsigned int q)
{
	/* the first queue creates the interface and must not attach to an existing one */
	struct ifreq ifr = {.ifr_flags = (short)(IFF_TAP | IFF_NO_PI | IFF_MULTI_QUEUE |
						 (q == 0 ? IFF_TUN_EXCL : 0))};
	int fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0) {
		int e = errno;
		TAP_LOG(ERR, "%s: /dev/net/tun: %s", devname, strerror(e));
		return -e;
	}
	snprintf(ifr.ifr_name, IFNAMSIZ, "%s", tp->ifname);
	if (ioctl(fd, TUNSETIFF, &ifr) != 0) {
		int e = errno;
		/* the kernel names a "dtap%d" interface itself: do not print the template */
		TAP_LOG(ERR, "%s: cannot create TAP interface %s (queue %u): %s%s", devname,
			strchr(tp->ifname, '%') != NULL ? "dtapN" : tp->ifname, q, strerror(e),
			e == EPERM ? "; it needs CAP_NET_ADMIN (run as root)" : "");
		close(fd);
		return -e;
	}
	snprintf(tp->ifname, sizeof(tp->ifname), "%s", ifr.ifr_name);
	tp->fds[q] = fd;
	return 0;
}

static int
parse_args(const char *name, const struct dpx_kvargs *kv, struct tap_port *tp,
	   struct dpx_ether_addr *mac, bool *mac_given)
{
	const char *iface, *mac_str;
	uint64_t queues;
	int rc = dpx_kvargs_get_str(kv, "iface", &iface);

	if (rc == 0)
		rc = dpx_kvargs_get_str(kv, "mac", &mac_str);
	if (rc == 0)
		rc = dpx_kvargs_get_u64(kv, "queues", 1, 1, TAP_MAX_QUEUES, &queues);
	if (rc == 0)
		rc = dpx_page_pool_kvargs(kv, name, &tp->page_pool, &tp->pp_size);
	if (rc != 0)
		return rc == -ERANGE ? -EINVAL : rc; /* out of range is a bad argument */
	if (iface != NULL && (iface[0] == '\0' || strlen(iface) >= IFNAMSIZ)) {
		TAP_LOG(ERR, "%s: iface=%s: 1..%d characters", name, iface, IFNAMSIZ - 1);
		return -EINVAL;
	}
	*mac_given = mac_str != NULL;
	if (mac_str != NULL &&
	    (dpx_ether_unformat_addr(mac_str, mac) != 0 || !dpx_is_valid_assigned_ether_addr(mac))) {
		TAP_LOG(ERR, "%s: mac=%s is not a unicast xx:xx:xx:xx:xx:xx address", name, mac_str);
		return -EINVAL;
	}
	snprintf(tp->ifname, sizeof(tp->ifname), "%s", iface != NULL ? iface : "dtap%d");
	tp->nb_queues = (unsigned int)queues;
	return 0;
}

static int
open_interface(const char *name, struct tap_port *tp)
{
	int rc = 0;

	for (unsigned int q = 0; rc == 0 && q < tp->nb_queues; q++)
		rc = open_queue(name, tp, q);
	if (rc != 0)
		return rc;
	tp->ioctl_sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (tp->ioctl_sock < 0)
		return -errno;
	tp->if_index = if_nametoindex(tp->ifname);
	return tp->if_index != 0 ? 0 : -errno;
}

static int
tap_probe(struct dpx_vdev_device *vdev)
{
	const char *name = dpx_vdev_device_name(vdev);
	struct tap_port *tp = calloc(1, sizeof(*tp));
	struct dpx_ether_addr mac;
	struct dpx_eth_dev *dev = NULL;
	bool mac_given = false;
	int rc;

	if (tp == NULL)
		return -ENOMEM;
	tp->ioctl_sock = -1;
	for (unsigned int q = 0; q < TAP_MAX_QUEUES; q++)
		tp->fds[q] = -1;
	rc = parse_args(name, dpx_vdev_device_kvargs(vdev), tp, &mac, &mac_given);
	if (rc == 0)
		rc = open_interface(name, tp);
	if (rc == 0 && (dev = dpx_eth_dev_allocate(name)) == NULL)
		rc = -dpx_errno;
	if (rc != 0) {
		free_port(tp);
		return rc;
	}
	if (!mac_given)
		dpx_eth_random_addr(&mac);
	dev->data->mac_addr = mac;
	dev->data->dev_private = tp;
	dev->data->numa_node = dpx_vdev_device_numa_node(vdev);
	dev->dev_ops = &tap_ops;
	dev->driver_name = "net_tap";
	dev->device = vdev;
	dev->rx_pkt_burst = tap_rx;
	dev->tx_pkt_burst = tap_tx;
	tap_link_update(dev, 0);
	dpx_eth_dev_probing_finish(dev);
	TAP_LOG(INFO, "%s: port %u on interface %s (index %u), %u queue(s)", name,
		dev->data->port_id, tp->ifname, tp->if_index, tp->nb_queues);
	return 0;
}

static int
tap_remove(struct dpx_vdev_device *vdev)
{
	return dpx_eth_dev_remove_by_name(dpx_vdev_device_name(vdev));
}

static const char *const tap_keys[] = {"iface", "mac", "queues", DPX_PAGE_POOL_KVARGS_KEYS, NULL};

static struct dpx_vdev_driver tap_drv = {
	.valid_keys = tap_keys,
	.probe = tap_probe,
	.remove = tap_remove,
};

DPX_PMD_REGISTER_VDEV(net_tap, tap_drv);
