/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * net_virtio_user: an ethdev port that is the vhost-user front-end of a
 * virtio-net device, the back-end being another process (dpx-fwd's net_vhost,
 * DPDK's vhost PMD, a vswitch) or this one.
 *
 *   --vdev net_virtio_user0,path=SOCK[,queues=N][,queue_size=N][,server=0|1]
 *          [,packed_vq=0|1][,mrg_rxbuf=0|1][,in_order=0][,mac=XX:XX:XX:XX:XX:XX]
 *          [,page_pool=0|1][,pp_size=N]
 *   --vdev net_virtio_user0,path=/dev/vhost-net[,iface=TAP]...   (the kernel's vhost-net)
 *
 * A control thread per port owns the connection: it connects (server=0) or
 * accepts (server=1), sets the device up when the port is started, notices
 * the back-end going (link down: the rings are taken back) and, when it comes
 * again, sets everything up anew (link up). Port rx queue q is vring 2q (the
 * device's receive queue), tx queue q vring 2q+1. See doc/virtio_user.md.
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <dpx_bus_vdev_driver.h>
#include <dpx_errno.h>
#include <dpx_kvargs.h>
#include <dpx_mempool.h>
#include <virtio_net_port.h>

#include "virtio_user.h"
#include "virtio_user_kernel.h"

DPX_LOG_REGISTER(net_virtio_user_logtype, "pmd.net.virtio_user");

#define DEFAULT_QUEUE_SIZE 256
#define RECONNECT_MS 100
/* after a set-up that failed, the same back-end is not asked again before this */
#define RETRY_AFTER_FAILURE_MS 1000

static struct vu_port *
priv(struct dpx_eth_dev *dev)
{
	return dev->data->dev_private;
}

/* ---- link and the data-path gate ---- */

static void
link_set(struct vu_port *p, int up)
{
	dpx_eth_link_fixed_set(p->dev, DPX_ETH_SPEED_NUM_10G, up);
}

/* Open (1) or close (0) every queue's gate; closing returns once no burst is
 * inside, so the rings can be reset. */
static void
queues_allow(struct vu_port *p, uint32_t allow)
{
	for (unsigned int i = 0; i < VU_MAX_QUEUE_PAIRS; i++) {
		dpx_eth_gate_set(&p->rxq[i].gate, allow);
		dpx_eth_gate_set(&p->txq[i].gate, allow);
	}
	for (unsigned int i = 0; !allow && i < VU_MAX_QUEUE_PAIRS; i++) {
		dpx_eth_gate_wait_idle(&p->rxq[i].gate);
		dpx_eth_gate_wait_idle(&p->txq[i].gate);
	}
}

/* ---- connection (lock held) ---- */

static void
disconnect(struct vu_port *p)
{
	bool was_running = p->running;

	if (p->sock >= 0)
		close(p->sock);
	p->sock = -1;
	p->running = false;
	p->nregions = 0;
	p->protocol_features = 0;
	/* every buffer the back-end held comes back (it may not finish them); a
	 * stopped port's queues are the application's (it may be setting them
	 * up right now, without the lock) and were reset at the stop */
	if (p->started) {
		queues_allow(p, 0);
		for (unsigned int q = 0; q < VU_MAX_QUEUE_PAIRS; q++) {
			vu_vq_reset(&p->rxq[q], 0);
			vu_vq_reset(&p->txq[q], 0);
		}
	}
	link_set(p, 0);
	if (was_running)
		VU_LOG(INFO, "port %u: back-end on %s gone", p->dev->data->port_id, p->path);
}

static void
run_if_ready(struct vu_port *p)
{
	if (p->sock < 0 || !p->started || p->running)
		return;
	if (vu_dev_setup(p) != 0) {
		p->setup_failures++;
		disconnect(p);
		p->retry_at_ms = vu_now_ms() + RETRY_AFTER_FAILURE_MS;
		return;
	}
	p->running = true;
	p->connects++;
	queues_allow(p, 1);
	link_set(p, 1);
	VU_LOG(INFO, "port %u: running on %s, features 0x%" PRIx64 ", %s", p->dev->data->port_id,
	       p->path, p->features,
	       p->slots_mode ? "memory by slots (ADD/REM_MEM_REG)" : "memory by SET_MEM_TABLE");
}

static int
sock_nonblock(void)
{
	return socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
}

static void
path_addr(const struct vu_port *p, struct sockaddr_un *a)
{
	memset(a, 0, sizeof(*a));
	a->sun_family = AF_UNIX;
	memcpy(a->sun_path, p->path, strlen(p->path));
}

static void
try_connect(struct vu_port *p)
{
	struct sockaddr_un a;
	int fd;

	if (vu_now_ms() < p->retry_at_ms)
		return;
	if (p->kernel) {
		/* a new vhost-net device: the kernel forgets the last one at its close */
		p->sock = open(p->path, O_RDWR | O_CLOEXEC);
		if (p->sock < 0) {
			VU_LOG(ERR, "port %u: %s: %s", p->dev->data->port_id, p->path,
			       strerror(errno));
			p->retry_at_ms = vu_now_ms() + RETRY_AFTER_FAILURE_MS;
		}
		return;
	}
	fd = sock_nonblock();
	if (fd < 0)
		return;
	path_addr(p, &a);
	/* a unix socket connects at once or not at all (no EINPROGRESS wait) */
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0) {
		close(fd);
		return;
	}
	p->sock = fd;
	VU_LOG(DEBUG, "port %u: connected to %s", p->dev->data->port_id, p->path);
}

static void
try_accept(struct vu_port *p)
{
	int fd = accept4(p->listenfd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);

	if (fd >= 0) {
		p->sock = fd;
		VU_LOG(DEBUG, "port %u: back-end connected on %s", p->dev->data->port_id, p->path);
	}
}

/* Did the back-end break a ring the data path uses? (it logged why) */
static bool
rings_broken(const struct vu_port *p)
{
	for (uint16_t q = 0; q < p->dev->data->nb_rx_queues; q++)
		if (vu_vq_broken(&p->rxq[q]) || vu_vq_broken(&p->txq[q]))
			return true;
	return false;
}

/* The back-end speaks only when asked, and we ask under the lock: anything
 * readable now is the end of the connection or a protocol error. */
static void
check_conn(struct vu_port *p)
{
	char c;
	ssize_t n = recv(p->sock, &c, 1, MSG_PEEK | MSG_DONTWAIT);

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n > 0)
		VU_LOG(ERR, "port %u: unrequested message from the back-end on %s",
		       p->dev->data->port_id, p->path);
	disconnect(p);
}

static void *
control_thread(void *arg)
{
	struct vu_port *p = arg;

	for (;;) {
		struct pollfd pfd[2] = {{.fd = p->wakefd, .events = POLLIN}, {.fd = -1}};
		pthread_mutex_lock(&p->lock);
		/* a vhost-net fd says nothing: nothing to watch there; after a failed
		 * set-up the next back-end waits in the listen backlog until retry_at */
		if (!p->kernel && p->sock >= 0)
			pfd[1].fd = p->sock;
		else if (!p->kernel && p->server && vu_now_ms() >= p->retry_at_ms)
			pfd[1].fd = p->listenfd;
		pthread_mutex_unlock(&p->lock);
		pfd[1].events = POLLIN | POLLRDHUP;
		if (poll(pfd, 2, RECONNECT_MS) < 0 && errno != EINTR)
			break;
		if (pfd[0].revents)
			break;
		pthread_mutex_lock(&p->lock);
		if (p->sock >= 0 && pfd[1].fd == p->sock && pfd[1].revents)
			check_conn(p);
		else if (p->sock < 0 && p->server && pfd[1].revents)
			try_accept(p);
		else if (p->sock < 0 && !p->server)
			try_connect(p);
		if (p->running && rings_broken(p)) {
			/* a device reset: the rings and every buffer back, then a new set-up */
			disconnect(p);
			p->retry_at_ms = vu_now_ms() + RETRY_AFTER_FAILURE_MS;
		}
		run_if_ready(p);
		pthread_mutex_unlock(&p->lock);
	}
	return NULL;
}

/* ---- memory events: the back-end must map every page a buffer may use ---- */

static int
mem_event(enum dpx_mem_event ev, const void *addr, size_t len, void *arg)
{
	struct vu_port *p = arg;
	int rc = 0;

	pthread_mutex_lock(&p->lock);
	if (ev == DPX_MEM_EVENT_ALLOC)
		rc = vu_dev_mem_alloc(p, addr, len);
	else
		vu_dev_mem_free(p, addr, len);
	pthread_mutex_unlock(&p->lock);
	return rc;
}

/* ---- ethdev ops ---- */

static int
vu_infos(struct dpx_eth_dev *dev, struct dpx_eth_dev_info *info)
{
	virtio_net_port_info(info, priv(dev)->queues);
	return 0;
}

static int
vu_configure(struct dpx_eth_dev *dev)
{
	if (dev->data->nb_rx_queues != dev->data->nb_tx_queues) {
		VU_LOG(ERR, "%s: %u rx and %u tx queues: virtio-net queues come in pairs",
		       dev->data->name, dev->data->nb_rx_queues, dev->data->nb_tx_queues);
		return -EINVAL;
	}
	return 0;
}

static int
vu_start(struct dpx_eth_dev *dev)
{
	struct vu_port *p = priv(dev);

	pthread_mutex_lock(&p->lock);
	p->started = true;
	run_if_ready(p); /* else the control thread does it when the back-end comes */
	pthread_mutex_unlock(&p->lock);
	return 0;
}

/*
 * Packets a tx burst accepted are the back-end's to send: before the device
 * goes, give it a bounded time to take them (a dead or stuck one costs
 * VU_TX_DRAIN_MS, no more; what is left is freed unsent).
 */
static void
tx_drain(struct vu_port *p)
{
	queues_allow(p, 0);
	for (unsigned int waited = 0; waited < VU_TX_DRAIN_MS; waited++) {
		unsigned int left = 0;
		for (uint16_t q = 0; q < p->dev->data->nb_tx_queues; q++)
			left += vu_vq_tx_outstanding(&p->txq[q]);
		if (left == 0)
			return;
		usleep(1000);
	}
	VU_LOG(WARNING, "port %u: the back-end on %s did not send all it was given",
	       p->dev->data->port_id, p->path);
}

static int
vu_stop(struct dpx_eth_dev *dev)
{
	struct vu_port *p = priv(dev);

	pthread_mutex_lock(&p->lock);
	if (p->running)
		tx_drain(p);
	/* the back-end forgets the device (the rings are reset while still
	 * started: see disconnect); a start sets it up anew */
	if (p->running)
		disconnect(p);
	p->started = false;
	pthread_mutex_unlock(&p->lock);
	/* the rings gave their buffers back (disconnect): now the page pools
	 * give theirs to the mempools; the application stopped polling */
	for (uint16_t q = 0; q < dev->data->nb_rx_queues; q++)
		if (p->rxq[q].pp != NULL)
			dpx_page_pool_drain(p->rxq[q].pp);
	return 0;
}

static void
vq_release(struct vu_vq *vq)
{
	vu_vq_free(vq);
	dpx_page_pool_destroy(vq->pp);
	vq->pp = NULL;
	if (vq->kickfd >= 0)
		close(vq->kickfd);
	if (vq->callfd >= 0)
		close(vq->callfd);
	vq->kickfd = vq->callfd = -1;
}

static void
control_stop(struct vu_port *p)
{
	static const uint64_t one = 1;

	if (p->thread_up) {
		if (write(p->wakefd, &one, sizeof(one)) != sizeof(one))
			VU_LOG(ERR, "%s: cannot wake the control thread", p->path);
		pthread_join(p->thread, NULL);
		p->thread_up = false;
	}
}

static void
port_free(struct vu_port *p)
{
	control_stop(p);
	dpx_mem_event_callback_unregister("net_virtio_user", p);
	pthread_mutex_lock(&p->lock);
	disconnect(p);
	pthread_mutex_unlock(&p->lock);
	for (unsigned int q = 0; q < VU_MAX_QUEUE_PAIRS; q++) {
		vq_release(&p->rxq[q]);
		vq_release(&p->txq[q]);
	}
	if (p->listenfd >= 0) {
		close(p->listenfd);
		unlink(p->path);
	}
	if (p->wakefd >= 0)
		close(p->wakefd);
	if (p->tapfd >= 0)
		close(p->tapfd);
	pthread_mutex_destroy(&p->lock);
	free(p);
}

static int
vu_close(struct dpx_eth_dev *dev)
{
	port_free(priv(dev));
	dev->data->dev_private = NULL;
	return 0;
}

static int
vu_link_update(struct dpx_eth_dev *dev, int wait)
{
	(void)dev, (void)wait; /* the control thread keeps the link state current */
	return 0;
}

static int
vq_setup(struct dpx_eth_dev *dev, struct vu_vq *vq, uint16_t index, int socket)
{
	struct vu_port *p = priv(dev);

	vq_release(vq);
	memset(vq, 0, sizeof(*vq));
	vq->kickfd = vq->callfd = -1;
	vq->port = p;
	vq->index = index;
	vq->port_id = dev->data->port_id;
	/* not under the lock: the allocation's memory event takes it */
	int rc = vu_vq_alloc(vq, p->queue_size, p->packed_vq,
			     socket == DPX_SOCKET_ID_ANY ? dev->data->numa_node : socket);
	if (rc != 0)
		VU_LOG(ERR, "%s: no memory for vring %u of %u entries", dev->data->name, index,
		       p->queue_size);
	return rc;
}

static int
vu_rxq_setup(struct dpx_eth_dev *dev, uint16_t qid, uint16_t nb_desc, int socket,
	     const struct dpx_eth_rxconf *conf, struct dpx_mempool *mp, void **queue)
{
	struct vu_port *p = priv(dev);
	struct vu_vq *vq = &p->rxq[qid];
	uint16_t room = dpx_pktmbuf_data_room_size(mp);

	(void)nb_desc, (void)conf; /* the ring size is the device's (queue_size) */
	/* the header goes in the headroom; without mergeable buffers one buffer
	 * must hold a whole frame (virtio 1.1, 5.1.6.3.1) */
	if (room < DPX_PKTMBUF_HEADROOM + 64 ||
	    (!p->mrg_rxbuf && room < DPX_PKTMBUF_HEADROOM + 1518)) {
		VU_LOG(ERR, "%s: mbufs of %u bytes (%u headroom) too small for receive buffers%s",
		       dev->data->name, room, DPX_PKTMBUF_HEADROOM,
		       p->mrg_rxbuf ? "" : " without mrg_rxbuf (1518 needed)");
		return -EINVAL;
	}
	int rc = vq_setup(dev, vq, (uint16_t)(2 * qid), socket);
	if (rc != 0)
		return rc;
	vq->mp = mp;
	if (p->page_pool) {
		vq->pp = dpx_page_pool_create_rxq(dev->data->name, qid, mp, p->pp_size);
		if (vq->pp == NULL) {
			rc = -dpx_errno;
			vq_release(vq);
			return rc;
		}
	}
	*queue = vq;
	return 0;
}

static int
vu_txq_setup(struct dpx_eth_dev *dev, uint16_t qid, uint16_t nb_desc, int socket,
	     const struct dpx_eth_txconf *conf, void **queue)
{
	struct vu_vq *vq = &priv(dev)->txq[qid];

	(void)nb_desc, (void)conf;
	int rc = vq_setup(dev, vq, (uint16_t)(2 * qid + 1), socket);
	if (rc == 0)
		*queue = vq;
	return rc;
}

static void
vu_queue_release(struct dpx_eth_dev *dev, void *queue)
{
	(void)dev;
	vq_release(queue); /* the port is stopped: no back-end holds the ring */
}

/* ---- xstats: per queue, beyond ethdev's packets/bytes/errors ---- */

struct xstat_def {
	const char *name;
	size_t off;
	bool rx;
};

static const struct xstat_def xstat_defs[] = {
	{"kicks", offsetof(struct vu_queue_xstats, kicks), true},
	{"mrg_segments", offsetof(struct vu_queue_xstats, mrg_segments), true},
	{"nombuf", offsetof(struct vu_queue_xstats, nombuf), true},
	{"kicks", offsetof(struct vu_queue_xstats, kicks), false},
	{"ring_full", offsetof(struct vu_queue_xstats, ring_full), false},
};

static uint64_t
xstat_value(const struct vu_queue_xstats *xs, size_t off)
{
	return __atomic_load_n((const uint64_t *)((const char *)xs + off), __ATOMIC_RELAXED);
}

/* The rx queues' page pools, for dpx_page_pool_eth_xstats (NULL: none). */
static void
rx_pools(struct vu_port *p, struct dpx_page_pool **pools)
{
	for (uint16_t q = 0; q < p->dev->data->nb_rx_queues; q++)
		pools[q] = p->rxq[q].pp;
}

/* Calls fn for each (name, value) in id order. @return the count. */
static unsigned int
xstats_walk(struct vu_port *p, void (*fn)(unsigned int, const char *, uint64_t, void *), void *arg)
{
	char name[DPX_ETH_XSTATS_NAME_SIZE];
	unsigned int n = 0;

	for (unsigned int d = 0; d < DPX_DIM(xstat_defs); d++)
		for (uint16_t q = 0; q < p->dev->data->nb_rx_queues; q++) {
			const struct vu_vq *vq = xstat_defs[d].rx ? &p->rxq[q] : &p->txq[q];
			snprintf(name, sizeof(name), "%s_q%u_%s", xstat_defs[d].rx ? "rx" : "tx", q,
				 xstat_defs[d].name);
			fn(n++, name,
			   xstat_value(&vq->xs, xstat_defs[d].off) -
				   xstat_value(&vq->xs_base, xstat_defs[d].off),
			   arg);
		}
	return n;
}

struct xstat_out {
	unsigned int size;
	struct dpx_eth_xstat_name *names;
	struct dpx_eth_xstat *values;
};

static void
xstat_put(unsigned int id, const char *name, uint64_t value, void *arg)
{
	struct xstat_out *o = arg;

	if (id >= o->size)
		return;
	if (o->names != NULL)
		snprintf(o->names[id].name, sizeof(o->names[id].name), "%s", name);
	if (o->values != NULL)
		o->values[id] = (struct dpx_eth_xstat){id, value};
}

static unsigned int
own_count(struct vu_port *p)
{
	return (unsigned int)DPX_DIM(xstat_defs) * p->dev->data->nb_rx_queues;
}

/* The driver's own xstats, then the page pools' (rx_qN_pp_*), ids in that order. */
static int
xstats_all(struct vu_port *p, struct dpx_eth_xstat_name *names, struct dpx_eth_xstat *xs,
	   unsigned int size)
{
	struct dpx_page_pool *pools[VU_MAX_QUEUE_PAIRS];
	unsigned int own = own_count(p), count;
	struct xstat_out o = {size, names, xs};

	rx_pools(p, pools);
	count = own + dpx_page_pool_eth_xstats(pools, p->dev->data->nb_rx_queues, NULL, NULL, 0, 0);
	if ((names == NULL && xs == NULL) || size < count)
		return (int)count;
	xstats_walk(p, xstat_put, &o);
	dpx_page_pool_eth_xstats(pools, p->dev->data->nb_rx_queues, names ? names + own : NULL,
				 xs ? xs + own : NULL, size - own, own);
	return (int)count;
}

static int
vu_xstats_get_names(struct dpx_eth_dev *dev, struct dpx_eth_xstat_name *names, unsigned int size)
{
	return xstats_all(priv(dev), names, NULL, size);
}

static int
vu_xstats_get(struct dpx_eth_dev *dev, struct dpx_eth_xstat *xs, unsigned int size)
{
	return xstats_all(priv(dev), NULL, xs, size);
}

static int
vu_xstats_reset(struct dpx_eth_dev *dev)
{
	/* the lcores keep counting in xs: a reset moves the base (as ethdev's
	 * software counters do), never racing with their increments */
	for (unsigned int q = 0; q < VU_MAX_QUEUE_PAIRS; q++) {
		struct vu_vq *v[2] = {&priv(dev)->rxq[q], &priv(dev)->txq[q]};
		for (unsigned int k = 0; k < 2; k++)
			for (size_t off = 0; off < sizeof(v[k]->xs); off += sizeof(uint64_t))
				*(uint64_t *)((char *)&v[k]->xs_base + off) =
					xstat_value(&v[k]->xs, off);
		if (v[0]->pp != NULL)
			dpx_page_pool_stats_reset(v[0]->pp);
	}
	return 0;
}

static int
vu_mtu_set(struct dpx_eth_dev *dev, uint16_t mtu)
{
	(void)dev, (void)mtu; /* ethdev checked the range; buffers do not depend on it */
	return 0;
}

static int
vu_promisc(struct dpx_eth_dev *dev)
{
	(void)dev; /* the back-end delivers every frame: no filter here */
	return 0;
}

static const struct dpx_eth_dev_ops vu_ops = {
	.dev_infos_get = vu_infos,
	.dev_configure = vu_configure,
	.dev_start = vu_start,
	.dev_stop = vu_stop,
	.dev_close = vu_close,
	.link_update = vu_link_update,
	.promiscuous_enable = vu_promisc,
	.promiscuous_disable = vu_promisc,
	.mtu_set = vu_mtu_set,
	.rx_queue_setup = vu_rxq_setup,
	.rx_queue_release = vu_queue_release,
	.tx_queue_setup = vu_txq_setup,
	.tx_queue_release = vu_queue_release,
	.stats_get = dpx_eth_sw_stats_get,
	.stats_reset = dpx_eth_sw_stats_reset,
	.xstats_get_names = vu_xstats_get_names,
	.xstats_get = vu_xstats_get,
	.xstats_reset = vu_xstats_reset,
};

/* ---- probe / remove ---- */

static int
parse_mac(const char *s, struct dpx_ether_addr *mac)
{
	unsigned int b[6];
	char end;

	if (sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5],
		   &end) != 6)
		return -EINVAL;
	for (unsigned int i = 0; i < 6; i++)
		mac->addr_bytes[i] = (uint8_t)b[i];
	return (mac->addr_bytes[0] & 1) ? -EINVAL : 0; /* a port's address is unicast */
}

/* A character device path is the kernel's vhost-net: one queue pair, a TAP, no server. */
static int
parse_kernel_args(const struct dpx_kvargs *kv, const char *name, struct vu_port *p)
{
	const char *iface = NULL;
	struct stat st;
	int rc = dpx_kvargs_get_str(kv, "iface", &iface);

	p->kernel = stat(p->path, &st) == 0 && S_ISCHR(st.st_mode);
	if (rc == 0 && iface != NULL && (!p->kernel || strlen(iface) >= sizeof(p->iface))) {
		VU_LOG(ERR, "%s: iface=%s: a TAP name (< %zu characters) for path=/dev/vhost-net",
		       name, iface, sizeof(p->iface));
		rc = -EINVAL;
	}
	if (rc == 0 && p->kernel && (p->server || p->queues > 1 || p->packed_vq)) {
		VU_LOG(ERR, "%s: the kernel's vhost-net (%s) takes one split queue pair, as client",
		       name, p->path);
		rc = -ENOTSUP;
	}
	if (rc == 0)
		snprintf(p->iface, sizeof(p->iface), "%s", iface != NULL ? iface : "vutap%d");
	return rc;
}

static int
parse_args(struct dpx_vdev_device *vdev, struct vu_port *p, struct dpx_ether_addr *mac,
	   bool *mac_set)
{
	const struct dpx_kvargs *kv = dpx_vdev_device_kvargs(vdev);
	const char *name = dpx_vdev_device_name(vdev), *path = NULL, *macs = NULL;
	uint64_t queues, qsize;
	bool in_order;
	int rc = dpx_kvargs_get_str(kv, "path", &path);

	if (rc == 0 && (path == NULL || path[0] == '\0' || strlen(path) >= sizeof(p->path))) {
		VU_LOG(ERR, "%s: path=<socket path> is required (at most %zu characters)", name,
		       sizeof(p->path) - 1);
		rc = -EINVAL;
	}
	if (rc == 0)
		rc = dpx_kvargs_get_u64(kv, "queues", 1, 1, VU_MAX_QUEUE_PAIRS, &queues);
	if (rc == 0)
		rc = dpx_kvargs_get_u64(kv, "queue_size", DEFAULT_QUEUE_SIZE, 16, VU_MAX_RING,
					&qsize);
	if (rc == 0 && !DPX_IS_POWER_OF_2(qsize)) {
		VU_LOG(ERR, "%s: queue_size=%" PRIu64 " is not a power of two", name, qsize);
		rc = -EINVAL;
	}
	if (rc == 0)
		rc = dpx_kvargs_get_bool(kv, "server", false, &p->server);
	if (rc == 0)
		rc = dpx_kvargs_get_bool(kv, "packed_vq", false, &p->packed_vq);
	if (rc == 0)
		rc = dpx_kvargs_get_bool(kv, "mrg_rxbuf", true, &p->mrg_rxbuf);
	if (rc == 0)
		rc = dpx_kvargs_get_bool(kv, "in_order", false, &in_order);
	if (rc == 0 && in_order) {
		VU_LOG(ERR,
		       "%s: in_order=1 is not supported (VIRTIO_F_IN_ORDER is never "
		       "negotiated)",
		       name);
		rc = -ENOTSUP;
	}
	if (rc == 0)
		rc = dpx_page_pool_kvargs(kv, name, &p->page_pool, &p->pp_size);
	if (rc == 0)
		rc = dpx_kvargs_get_str(kv, "mac", &macs);
	if (rc == 0 && macs != NULL) {
		rc = parse_mac(macs, mac);
		if (rc != 0)
			VU_LOG(ERR, "%s: mac=%s is not a unicast XX:XX:XX:XX:XX:XX", name, macs);
		*mac_set = rc == 0;
	}
	if (rc == 0) {
		memcpy(p->path, path, strlen(path) + 1);
		p->queues = (uint16_t)queues;
		p->queue_size = (uint16_t)qsize;
		rc = parse_kernel_args(kv, name, p);
	}
	return rc;
}

static int
listen_on(struct vu_port *p)
{
	struct sockaddr_un a;
	int fd = sock_nonblock(), rc;

	if (fd < 0)
		return -errno;
	path_addr(p, &a);
	/* a socket file nobody listens on is stale: a live one makes bind fail */
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0) {
		close(fd);
		return -EADDRINUSE;
	}
	unlink(p->path);
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) != 0 || listen(fd, 1) != 0) {
		rc = -errno;
		close(fd);
		return rc;
	}
	p->listenfd = fd;
	return 0;
}

static int
port_init(struct vu_port *p)
{
	int rc;

	pthread_mutex_init(&p->lock, NULL);
	p->sock = p->listenfd = p->tapfd = -1;
	for (unsigned int q = 0; q < VU_MAX_QUEUE_PAIRS; q++)
		p->rxq[q].kickfd = p->rxq[q].callfd = p->txq[q].kickfd = p->txq[q].callfd = -1;
	p->wakefd = eventfd(0, EFD_CLOEXEC);
	if (p->wakefd < 0)
		return -errno;
	if (p->server && (rc = listen_on(p)) != 0)
		return rc;
	if (p->kernel) {
		p->tapfd = vu_kernel_tap_open(p->iface, sizeof(p->iface));
		if (p->tapfd < 0)
			return p->tapfd;
	}
	rc = dpx_mem_event_callback_register("net_virtio_user", mem_event, p);
	if (rc != 0)
		return rc;
	rc = -pthread_create(&p->thread, NULL, control_thread, p);
	p->thread_up = rc == 0;
	return rc;
}

static int
vu_probe(struct dpx_vdev_device *vdev)
{
	const char *name = dpx_vdev_device_name(vdev);
	struct vu_port *p = calloc(1, sizeof(*p));
	struct dpx_ether_addr mac;
	bool mac_set = false;
	struct dpx_eth_dev *dev;
	int rc;

	if (p == NULL)
		return -ENOMEM;
	rc = parse_args(vdev, p, &mac, &mac_set);
	if (rc != 0) {
		free(p);
		return rc;
	}
	dev = dpx_eth_dev_allocate(name);
	if (dev == NULL) {
		free(p);
		return -dpx_errno;
	}
	p->dev = dev;
	dev->data->dev_private = p;
	if (mac_set)
		dev->data->mac_addr = mac;
	else
		dpx_eth_random_addr(&dev->data->mac_addr);
	dev->data->numa_node = dpx_vdev_device_numa_node(vdev);
	dev->dev_ops = &vu_ops;
	dev->driver_name = "net_virtio_user";
	dev->device = vdev;
	dev->rx_pkt_burst = vu_rx_burst;
	dev->tx_pkt_burst = vu_tx_burst;
	rc = port_init(p);
	if (rc != 0) {
		VU_LOG(ERR, "%s: %s: %s", name, p->path, dpx_strerror(rc));
		port_free(p);
		dev->data->dev_private = NULL;
		dpx_eth_dev_release_port(dev);
		return rc;
	}
	dpx_eth_dev_probing_finish(dev);
	VU_LOG(INFO, "%s: port %u on %s (%s), %u queue pair(s) of %u, %s ring%s", name,
	       dev->data->port_id, p->path, p->server ? "server" : "client", p->queues,
	       p->queue_size, p->packed_vq ? "packed" : "split",
	       p->mrg_rxbuf ? ", mergeable rx buffers" : "");
	return 0;
}

static int
vu_remove(struct dpx_vdev_device *vdev)
{
	return dpx_eth_dev_remove_by_name(dpx_vdev_device_name(vdev));
}

static const char *const vu_keys[] = {
	"iface",     "path",	  "queues",   "queue_size", "server",
	"packed_vq", "mrg_rxbuf", "in_order", "mac",	    DPX_PAGE_POOL_KVARGS_KEYS,
	NULL};

static struct dpx_vdev_driver vu_drv = {
	.valid_keys = vu_keys,
	.probe = vu_probe,
	.remove = vu_remove,
};

DPX_PMD_REGISTER_VDEV(net_virtio_user, vu_drv);
