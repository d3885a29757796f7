/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ethdev: the port table and the port state machine.
 *
 * Invariants:
 * - eth_devices[i].state != UNUSED  <=>  eth_devices[i].data != NULL.
 * - dpx_eth_fp_ops[i] points at the driver's bursts and the port's queue
 *   arrays exactly while data->dev_started; otherwise at the dummies, so a
 *   burst on a stopped or closed port returns 0 without a state check.
 * - data->rx_queues/tx_queues have nb_rx/tx_queues entries once configured;
 *   a non-NULL entry is a queue the driver made and has not released.
 * - What a port's getters follow (its data, queue arrays and queues, the
 *   driver's state) is freed or replaced only under ports_lock, and a port
 *   becomes READY under it: see ethdev_ports_lock.
 */
#include <errno.h>
#include <stdbool.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "ethdev_private.h"

DPX_LOG_REGISTER(ethdev_logtype, "lib.ethdev");

struct dpx_eth_fp_ops dpx_eth_fp_ops[DPX_MAX_ETHPORTS];

static struct dpx_eth_dev eth_devices[DPX_MAX_ETHPORTS];
/*
 * Held by allocation and release, by the control calls that free or replace
 * what the getters read (configure, queue setup, start, stop, close, the end
 * of a probe) or that write fields wider than a word (MAC address), and by
 * the telemetry handlers (ethdev_telemetry.c) for a whole reply: they run on
 * the telemetry thread while the application controls its ports from its
 * own. Recursive: close releases the port, and the DESTROY callbacks fired
 * from the release run with it held and may call ethdev.
 */
static pthread_mutex_t ports_lock = PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP;

void
ethdev_ports_lock(void)
{
	pthread_mutex_lock(&ports_lock);
}

void
ethdev_ports_unlock(void)
{
	pthread_mutex_unlock(&ports_lock);
}

/* What a stopped port's fast-path entry points at. */
static void *dummy_queues[DPX_ETHDEV_MAX_QUEUES];

static uint16_t
dummy_burst(void *queue, struct dpx_mbuf **pkts, uint16_t n)
{
	(void)queue;
	(void)pkts;
	(void)n;
	return 0;
}

static void
fp_ops_reset(uint16_t port_id)
{
	struct dpx_eth_fp_ops *fp = &dpx_eth_fp_ops[port_id];

	fp->rx_pkt_burst = dummy_burst;
	fp->tx_pkt_burst = dummy_burst;
	fp->rxq_data = dummy_queues;
	fp->txq_data = dummy_queues;
	fp->nb_rx_queues = DPX_ETHDEV_MAX_QUEUES;
	fp->nb_tx_queues = DPX_ETHDEV_MAX_QUEUES;
}

static void
fp_ops_setup(struct dpx_eth_dev *dev)
{
	struct dpx_eth_fp_ops *fp = &dpx_eth_fp_ops[dev->data->port_id];

	fp->rxq_data = dev->data->rx_queues != NULL ? dev->data->rx_queues : dummy_queues;
	fp->txq_data = dev->data->tx_queues != NULL ? dev->data->tx_queues : dummy_queues;
	fp->nb_rx_queues = dev->data->nb_rx_queues;
	fp->nb_tx_queues = dev->data->nb_tx_queues;
	fp->rx_pkt_burst = dev->rx_pkt_burst != NULL ? dev->rx_pkt_burst : dummy_burst;
	fp->tx_pkt_burst = dev->tx_pkt_burst != NULL ? dev->tx_pkt_burst : dummy_burst;
}

__attribute__((constructor)) static void
fp_ops_init(void)
{
	for (uint16_t i = 0; i < DPX_MAX_ETHPORTS; i++)
		fp_ops_reset(i);
}

void
dpx_eth_fp_check_failed(const char *fn, uint16_t port_id, uint16_t queue_id)
{
	ETHDEV_LOG(ERR, "%s: invalid port %u or queue %u (or NULL packet array)", fn, port_id,
		   queue_id);
}

/* ---- port table ---- */

struct dpx_eth_dev *
dpx_eth_dev_get(uint16_t port_id)
{
	if (port_id >= DPX_MAX_ETHPORTS || eth_devices[port_id].state == DPX_ETH_DEV_UNUSED)
		return NULL;
	return &eth_devices[port_id];
}

struct dpx_eth_dev *
ethdev_get_checked(uint16_t port_id, const char *fn)
{
	struct dpx_eth_dev *dev = dpx_eth_dev_get(port_id);

	if (dev == NULL)
		ETHDEV_LOG(ERR, "%s: invalid port %u", fn, port_id);
	return dev;
}

int
dpx_eth_dev_is_valid_port(uint16_t port_id)
{
	return dpx_eth_dev_get(port_id) != NULL;
}

uint16_t
dpx_eth_find_next(uint16_t port_id)
{
	while (port_id < DPX_MAX_ETHPORTS && eth_devices[port_id].state == DPX_ETH_DEV_UNUSED)
		port_id++;
	return port_id < DPX_MAX_ETHPORTS ? port_id : DPX_MAX_ETHPORTS;
}

int
dpx_eth_dev_count_avail(void)
{
	int n = 0;
	uint16_t p;

	DPX_ETH_FOREACH_DEV(p)
		n++;
	return n;
}

struct dpx_eth_dev *
dpx_eth_dev_allocated(const char *name)
{
	for (uint16_t p = 0; name != NULL && p < DPX_MAX_ETHPORTS; p++)
		if (eth_devices[p].state != DPX_ETH_DEV_UNUSED &&
		    strcmp(eth_devices[p].data->name, name) == 0)
			return &eth_devices[p];
	return NULL;
}

static int
allocate_locked(const char *name, size_t len, struct dpx_eth_dev **out)
{
	uint16_t p;

	if (dpx_eth_dev_allocated(name) != NULL) {
		ETHDEV_LOG(ERR, "port name %s already in use", name);
		return EEXIST;
	}
	for (p = 0; p < DPX_MAX_ETHPORTS && eth_devices[p].state != DPX_ETH_DEV_UNUSED; p++)
		;
	if (p == DPX_MAX_ETHPORTS) {
		ETHDEV_LOG(ERR, "cannot allocate %s: all %d port ids in use", name,
			   DPX_MAX_ETHPORTS);
		return ENOSPC;
	}
	struct dpx_eth_dev *dev = &eth_devices[p];
	memset(dev, 0, sizeof(*dev));
	dev->data = calloc(1, sizeof(*dev->data));
	if (dev->data == NULL)
		return ENOMEM;
	memcpy(dev->data->name, name, len + 1);
	dev->data->port_id = p;
	dev->data->mtu = DPX_ETHER_MTU;
	dev->state = DPX_ETH_DEV_ATTACHED;
	fp_ops_reset(p);
	*out = dev;
	return 0;
}

struct dpx_eth_dev *
dpx_eth_dev_allocate(const char *name)
{
	struct dpx_eth_dev *dev = NULL;
	size_t len = name != NULL ? strnlen(name, DPX_ETH_NAME_MAX_LEN) : 0;
	int err;

	if (len == 0 || len >= DPX_ETH_NAME_MAX_LEN) {
		ETHDEV_LOG(ERR, "port name \"%.*s\" %s", (int)len, name != NULL ? name : "",
			   len == 0 ? "is empty" : "is too long");
		dpx_errno = EINVAL;
		return NULL;
	}
	pthread_mutex_lock(&ports_lock);
	err = allocate_locked(name, len, &dev);
	pthread_mutex_unlock(&ports_lock);
	if (err != 0) {
		dpx_errno = err;
		return NULL;
	}
	return dev;
}

void
dpx_eth_dev_probing_finish(struct dpx_eth_dev *dev)
{
	bool ready = false;

	if (dev == NULL)
		return;
	/* the unlock publishes what the driver wrote into the port to the next locker (telemetry) */
	ethdev_ports_lock();
	if (dev->state == DPX_ETH_DEV_ATTACHED) {
		dev->state = DPX_ETH_DEV_READY;
		ready = true;
	}
	ethdev_ports_unlock();
	if (ready)
		dpx_eth_dev_callback_process(dev, DPX_ETH_EVENT_NEW, NULL);
}

static int
release_port_locked(struct dpx_eth_dev *dev)
{
	if (dev == NULL || dev->state == DPX_ETH_DEV_UNUSED)
		return -EINVAL;
	uint16_t port_id = dev->data->port_id;
	if (dev->state == DPX_ETH_DEV_READY)
		dpx_eth_dev_callback_process(dev, DPX_ETH_EVENT_DESTROY, NULL);
	fp_ops_reset(port_id);
	ethdev_callbacks_drop_port(port_id);
	free(dev->data->rx_queues);
	free(dev->data->tx_queues);
	free(dev->data);
	memset(dev, 0, sizeof(*dev));
	return 0;
}

int
dpx_eth_dev_release_port(struct dpx_eth_dev *dev)
{
	return PORTS_LOCKED(release_port_locked(dev));
}

int
dpx_eth_dev_get_port_by_name(const char *name, uint16_t *port_id)
{
	struct dpx_eth_dev *dev;

	if (name == NULL || port_id == NULL)
		return -EINVAL;
	dev = dpx_eth_dev_allocated(name);
	if (dev == NULL)
		return -ENODEV;
	*port_id = dev->data->port_id;
	return 0;
}

int
dpx_eth_dev_get_name_by_port(uint16_t port_id, char *name)
{
	struct dpx_eth_dev *dev;

	ETHDEV_GET_OR_RET(dev, port_id);
	if (name == NULL)
		return -EINVAL;
	memcpy(name, dev->data->name, DPX_ETH_NAME_MAX_LEN);
	return 0;
}

int
dpx_eth_dev_socket_id(uint16_t port_id)
{
	struct dpx_eth_dev *dev;

	ETHDEV_GET_OR_RET(dev, port_id);
	return dev->data->numa_node;
}

int
ethdev_info(struct dpx_eth_dev *dev, struct dpx_eth_dev_info *info)
{
	int rc;

	memset(info, 0, sizeof(*info));
	info->min_mtu = DPX_ETHER_MIN_MTU;
	info->max_mtu = UINT16_MAX;
	info->rx_desc_max = UINT16_MAX;
	info->tx_desc_max = UINT16_MAX;
	info->default_rx_ring_size = 512;
	info->default_tx_ring_size = 512;
	rc = dev->dev_ops->dev_infos_get(dev, info);
	if (rc != 0)
		return rc;
	info->driver_name = dev->driver_name;
	info->numa_node = dev->data->numa_node;
	info->nb_rx_queues = dev->data->nb_rx_queues;
	info->nb_tx_queues = dev->data->nb_tx_queues;
	return 0;
}

int
dpx_eth_dev_info_get(uint16_t port_id, struct dpx_eth_dev_info *info)
{
	struct dpx_eth_dev *dev;

	ETHDEV_GET_OR_RET(dev, port_id);
	if (info == NULL)
		return -EINVAL;
	return ethdev_info(dev, info);
}

/* ---- configure and queues ---- */

static void
release_queues(struct dpx_eth_dev *dev)
{
	struct dpx_eth_dev_data *d = dev->data;

	for (uint16_t q = 0; d->rx_queues != NULL && q < d->nb_rx_queues; q++)
		if (d->rx_queues[q] != NULL)
			dev->dev_ops->rx_queue_release(dev, d->rx_queues[q]);
	for (uint16_t q = 0; d->tx_queues != NULL && q < d->nb_tx_queues; q++)
		if (d->tx_queues[q] != NULL)
			dev->dev_ops->tx_queue_release(dev, d->tx_queues[q]);
	free(d->rx_queues);
	free(d->tx_queues);
	d->rx_queues = NULL;
	d->tx_queues = NULL;
	d->nb_rx_queues = 0;
	d->nb_tx_queues = 0;
	d->dev_configured = 0;
}

static int
check_config(struct dpx_eth_dev *dev, uint16_t nb_rx_q, uint16_t nb_tx_q,
	     const struct dpx_eth_conf *conf)
{
	struct dpx_eth_dev_info info;
	uint16_t port = dev->data->port_id;
	int rc = ethdev_info(dev, &info);

	if (rc != 0)
		return rc;
	if ((nb_rx_q == 0 && nb_tx_q == 0) || nb_rx_q > info.max_rx_queues ||
	    nb_tx_q > info.max_tx_queues) {
		ETHDEV_LOG(ERR, "port %u: %u rx / %u tx queues, want 1..%u rx and 1..%u tx "
			   "(not both 0)", port, nb_rx_q, nb_tx_q, info.max_rx_queues,
			   info.max_tx_queues);
		return -EINVAL;
	}
	uint32_t mtu = conf->mtu != 0 ? conf->mtu : DPX_ETHER_MTU;
	if (mtu < info.min_mtu || mtu > info.max_mtu) {
		ETHDEV_LOG(ERR, "port %u: MTU %u outside %u..%u", port, mtu, info.min_mtu,
			   info.max_mtu);
		return -EINVAL;
	}
	if ((conf->rx_offloads & ~info.rx_offload_capa) || (conf->tx_offloads & ~info.tx_offload_capa)) {
		ETHDEV_LOG(ERR, "port %u: offloads rx 0x%llx tx 0x%llx beyond capabilities "
			   "rx 0x%llx tx 0x%llx", port, (unsigned long long)conf->rx_offloads,
			   (unsigned long long)conf->tx_offloads,
			   (unsigned long long)info.rx_offload_capa,
			   (unsigned long long)info.tx_offload_capa);
		return -EINVAL;
	}
	return 0;
}

static int
configure_locked(uint16_t port_id, uint16_t nb_rx_q, uint16_t nb_tx_q,
		 const struct dpx_eth_conf *conf)
{
	static const struct dpx_eth_conf defaults;
	struct dpx_eth_dev *dev;
	struct dpx_eth_dev_data *d;
	int rc;

	ETHDEV_GET_OR_RET(dev, port_id);
	d = dev->data;
	if (d->dev_started) {
		ETHDEV_LOG(ERR, "port %u: configure while started", port_id);
		return -EBUSY;
	}
	conf = conf != NULL ? conf : &defaults;
	rc = check_config(dev, nb_rx_q, nb_tx_q, conf);
	if (rc != 0)
		return rc;
	release_queues(dev);
	d->rx_queues = calloc(DPX_MAX(nb_rx_q, 1), sizeof(void *));
	d->tx_queues = calloc(DPX_MAX(nb_tx_q, 1), sizeof(void *));
	if (d->rx_queues == NULL || d->tx_queues == NULL) {
		release_queues(dev);
		return -ENOMEM;
	}
	d->nb_rx_queues = nb_rx_q;
	d->nb_tx_queues = nb_tx_q;
	d->dev_conf = *conf;
	d->mtu = (uint16_t)(conf->mtu != 0 ? conf->mtu : DPX_ETHER_MTU);
	rc = dev->dev_ops->dev_configure != NULL ? dev->dev_ops->dev_configure(dev) : 0;
	if (rc != 0) {
		ETHDEV_LOG(ERR, "port %u: driver configure failed: %s", port_id, dpx_strerror(rc));
		release_queues(dev);
		return rc;
	}
	d->dev_configured = 1;
	return 0;
}

int
dpx_eth_dev_configure(uint16_t port_id, uint16_t nb_rx_q, uint16_t nb_tx_q,
		      const struct dpx_eth_conf *conf)
{
	return PORTS_LOCKED(configure_locked(port_id, nb_rx_q, nb_tx_q, conf));
}

/* Common checks of rx and tx queue setup. */
static int
check_queue_setup(struct dpx_eth_dev *dev, const char *dir, uint16_t queue, uint16_t nb_queues,
		  uint16_t nb_desc, uint16_t desc_max, uint64_t offloads, uint64_t capa)
{
	uint16_t port = dev->data->port_id;

	if (dev->data->dev_started) {
		ETHDEV_LOG(ERR, "port %u: %s queue %u setup while started", port, dir, queue);
		return -EBUSY;
	}
	if (!dev->data->dev_configured || queue >= nb_queues) {
		ETHDEV_LOG(ERR, "port %u: %s queue %u: %s", port, dir, queue,
			   dev->data->dev_configured ? "beyond the configured queue count"
						     : "port not configured");
		return -EINVAL;
	}
	if (nb_desc > desc_max || (offloads & ~capa)) {
		ETHDEV_LOG(ERR, "port %u: %s queue %u: %u descriptors (max %u), offloads 0x%llx "
			   "(capabilities 0x%llx)", port, dir, queue, nb_desc, desc_max,
			   (unsigned long long)offloads, (unsigned long long)capa);
		return -EINVAL;
	}
	return 0;
}

/*
 * What rx and tx queue setup share: the checks (an rx queue without a pool
 * is refused after the state checks, as documented), then the queue set up
 * before released by the driver, then the defaults for nb_desc and socket.
 */
static int
queue_setup_prepare(struct dpx_eth_dev *dev, bool rx, uint16_t queue, uint16_t *nb_desc,
		    int *socket_id, uint64_t offloads, bool no_pool)
{
	struct dpx_eth_dev_data *d = dev->data;
	struct dpx_eth_dev_info info;
	int rc = ethdev_info(dev, &info);

	if (rc == 0)
		rc = check_queue_setup(dev, rx ? "rx" : "tx", queue,
				       rx ? d->nb_rx_queues : d->nb_tx_queues, *nb_desc,
				       rx ? info.rx_desc_max : info.tx_desc_max, offloads,
				       rx ? info.rx_offload_capa : info.tx_offload_capa);
	if (rc == 0 && no_pool) {
		ETHDEV_LOG(ERR, "port %u: rx queue %u: no mempool", d->port_id, queue);
		rc = -EINVAL;
	}
	if (rc != 0)
		return rc;
	void **slot = rx ? &d->rx_queues[queue] : &d->tx_queues[queue];
	if (*slot != NULL) {
		(rx ? dev->dev_ops->rx_queue_release : dev->dev_ops->tx_queue_release)(dev, *slot);
		*slot = NULL;
	}
	if (*nb_desc == 0)
		*nb_desc = rx ? info.default_rx_ring_size : info.default_tx_ring_size;
	if (*socket_id < 0)
		*socket_id = d->numa_node;
	return 0;
}

/* After the driver's setup op: keep the new queue, or log why there is none. */
static int
queue_setup_finish(struct dpx_eth_dev *dev, bool rx, uint16_t queue, int rc, void *q)
{
	if (rc != 0) {
		ETHDEV_LOG(ERR, "port %u: %s queue %u setup failed: %s", dev->data->port_id,
			   rx ? "rx" : "tx", queue, dpx_strerror(rc));
		return rc;
	}
	if (rx)
		dev->data->rx_queues[queue] = q;
	else
		dev->data->tx_queues[queue] = q;
	return 0;
}

static int
rx_queue_setup_locked(uint16_t port_id, uint16_t queue, uint16_t nb_desc, int socket_id,
		      const struct dpx_eth_rxconf *conf, struct dpx_mempool *mp)
{
	static const struct dpx_eth_rxconf defaults;
	struct dpx_eth_dev *dev;
	void *q = NULL;
	int rc;

	ETHDEV_GET_OR_RET(dev, port_id);
	conf = conf != NULL ? conf : &defaults;
	rc = queue_setup_prepare(dev, true, queue, &nb_desc, &socket_id, conf->offloads,
				 mp == NULL);
	if (rc != 0)
		return rc;
	rc = dev->dev_ops->rx_queue_setup(dev, queue, nb_desc, socket_id, conf, mp, &q);
	return queue_setup_finish(dev, true, queue, rc, q);
}

int
dpx_eth_rx_queue_setup(uint16_t port_id, uint16_t queue, uint16_t nb_desc, int socket_id,
		       const struct dpx_eth_rxconf *conf, struct dpx_mempool *mp)
{
	return PORTS_LOCKED(rx_queue_setup_locked(port_id, queue, nb_desc, socket_id, conf, mp));
}

static int
tx_queue_setup_locked(uint16_t port_id, uint16_t queue, uint16_t nb_desc, int socket_id,
		      const struct dpx_eth_txconf *conf)
{
	static const struct dpx_eth_txconf defaults;
	struct dpx_eth_dev *dev;
	void *q = NULL;
	int rc;

	ETHDEV_GET_OR_RET(dev, port_id);
	conf = conf != NULL ? conf : &defaults;
	rc = queue_setup_prepare(dev, false, queue, &nb_desc, &socket_id, conf->offloads, false);
	if (rc != 0)
		return rc;
	rc = dev->dev_ops->tx_queue_setup(dev, queue, nb_desc, socket_id, conf, &q);
	return queue_setup_finish(dev, false, queue, rc, q);
}

int
dpx_eth_tx_queue_setup(uint16_t port_id, uint16_t queue, uint16_t nb_desc, int socket_id,
		       const struct dpx_eth_txconf *conf)
{
	return PORTS_LOCKED(tx_queue_setup_locked(port_id, queue, nb_desc, socket_id, conf));
}

/* ---- start, stop, close ---- */

static int
check_queues_ready(struct dpx_eth_dev *dev)
{
	struct dpx_eth_dev_data *d = dev->data;

	for (uint16_t q = 0; q < d->nb_rx_queues; q++)
		if (d->rx_queues[q] == NULL) {
			ETHDEV_LOG(ERR, "port %u: start: rx queue %u not set up", d->port_id, q);
			return -EINVAL;
		}
	for (uint16_t q = 0; q < d->nb_tx_queues; q++)
		if (d->tx_queues[q] == NULL) {
			ETHDEV_LOG(ERR, "port %u: start: tx queue %u not set up", d->port_id, q);
			return -EINVAL;
		}
	return 0;
}

static int
start_locked(uint16_t port_id)
{
	struct dpx_eth_dev *dev;
	int rc;

	ETHDEV_GET_OR_RET(dev, port_id);
	if (dev->data->dev_started)
		return 0;
	if (!dev->data->dev_configured) {
		ETHDEV_LOG(ERR, "port %u: start before configure", port_id);
		return -EINVAL;
	}
	rc = check_queues_ready(dev);
	if (rc != 0)
		return rc;
	rc = dev->dev_ops->dev_start != NULL ? dev->dev_ops->dev_start(dev) : 0;
	if (rc != 0) {
		ETHDEV_LOG(ERR, "port %u: driver start failed: %s", port_id, dpx_strerror(rc));
		return rc;
	}
	dev->data->dev_started = 1;
	fp_ops_setup(dev);
	return 0;
}

int
dpx_eth_dev_start(uint16_t port_id)
{
	return PORTS_LOCKED(start_locked(port_id));
}

static int
stop_locked(uint16_t port_id)
{
	struct dpx_eth_dev *dev;
	int rc;

	ETHDEV_GET_OR_RET(dev, port_id);
	if (!dev->data->dev_started)
		return 0;
	/* bursts see the dummies from here; the driver may then tear down */
	fp_ops_reset(port_id);
	dev->data->dev_started = 0;
	rc = dev->dev_ops->dev_stop != NULL ? dev->dev_ops->dev_stop(dev) : 0;
	if (rc != 0)
		ETHDEV_LOG(ERR, "port %u: driver stop failed: %s", port_id, dpx_strerror(rc));
	return rc;
}

int
dpx_eth_dev_stop(uint16_t port_id)
{
	return PORTS_LOCKED(stop_locked(port_id));
}

static int
close_locked(uint16_t port_id)
{
	struct dpx_eth_dev *dev;
	int rc;

	ETHDEV_GET_OR_RET(dev, port_id);
	if (dev->data->dev_started) {
		ETHDEV_LOG(ERR, "port %u: close while started (stop it first)", port_id);
		return -EBUSY;
	}
	release_queues(dev);
	rc = dev->dev_ops->dev_close != NULL ? dev->dev_ops->dev_close(dev) : 0;
	if (rc != 0)
		ETHDEV_LOG(ERR, "port %u: driver close failed: %s", port_id, dpx_strerror(rc));
	dpx_eth_dev_release_port(dev);
	return rc;
}

int
dpx_eth_dev_close(uint16_t port_id)
{
	return PORTS_LOCKED(close_locked(port_id));
}

int
dpx_eth_dev_is_started(uint16_t port_id)
{
	struct dpx_eth_dev *dev;

	ETHDEV_GET_OR_RET(dev, port_id);
	return dev->data->dev_started;
}

/* ---- address, MTU, promiscuous ---- */

int
dpx_eth_macaddr_get(uint16_t port_id, struct dpx_ether_addr *mac)
{
	struct dpx_eth_dev *dev;

	ETHDEV_GET_OR_RET(dev, port_id);
	if (mac == NULL)
		return -EINVAL;
	*mac = dev->data->mac_addr;
	return 0;
}

static int
default_mac_addr_set_locked(uint16_t port_id, struct dpx_ether_addr *mac)
{
	struct dpx_eth_dev *dev;
	int rc;

	ETHDEV_GET_OR_RET(dev, port_id);
	if (mac == NULL || !dpx_is_valid_assigned_ether_addr(mac)) {
		ETHDEV_LOG(ERR, "port %u: MAC address must be unicast and not zero", port_id);
		return -EINVAL;
	}
	if (dev->dev_ops->mac_addr_set == NULL)
		return -ENOTSUP;
	rc = dev->dev_ops->mac_addr_set(dev, mac);
	if (rc == 0)
		dev->data->mac_addr = *mac;
	return rc;
}

int
dpx_eth_dev_default_mac_addr_set(uint16_t port_id, struct dpx_ether_addr *mac)
{
	return PORTS_LOCKED(default_mac_addr_set_locked(port_id, mac));
}

int
dpx_eth_dev_get_mtu(uint16_t port_id, uint16_t *mtu)
{
	struct dpx_eth_dev *dev;

	ETHDEV_GET_OR_RET(dev, port_id);
	if (mtu == NULL)
		return -EINVAL;
	*mtu = dev->data->mtu;
	return 0;
}

static int
set_mtu_locked(uint16_t port_id, uint16_t mtu)
{
	struct dpx_eth_dev_info info;
	struct dpx_eth_dev *dev;
	int rc;

	ETHDEV_GET_OR_RET(dev, port_id);
	if (dev->dev_ops->mtu_set == NULL)
		return -ENOTSUP;
	rc = ethdev_info(dev, &info);
	if (rc != 0)
		return rc;
	if (mtu < info.min_mtu || mtu > info.max_mtu) {
		ETHDEV_LOG(ERR, "port %u: MTU %u outside %u..%u", port_id, mtu, info.min_mtu,
			   info.max_mtu);
		return -EINVAL;
	}
	rc = dev->dev_ops->mtu_set(dev, mtu);
	if (rc == 0)
		dev->data->mtu = mtu;
	return rc;
}

int
dpx_eth_dev_set_mtu(uint16_t port_id, uint16_t mtu)
{
	return PORTS_LOCKED(set_mtu_locked(port_id, mtu));
}

/* Promiscuous or all-multicast mode: ethdev keeps the state, the driver applies it. */
static int
rx_mode_set(uint16_t port_id, uint8_t on, int allmulti)
{
	const struct dpx_eth_dev_ops *ops;
	struct dpx_eth_dev *dev;
	int rc;

	ETHDEV_GET_OR_RET(dev, port_id);
	ops = dev->dev_ops;
	rc = allmulti ? ethdev_call_on_off(dev, on, ops->allmulticast_enable,
					   ops->allmulticast_disable)
		      : ethdev_call_on_off(dev, on, ops->promiscuous_enable,
					   ops->promiscuous_disable);
	if (rc == 0)
		*(allmulti ? &dev->data->all_multicast : &dev->data->promiscuous) = on;
	return rc;
}

int
dpx_eth_promiscuous_enable(uint16_t port_id)
{
	return rx_mode_set(port_id, 1, 0);
}

int
dpx_eth_promiscuous_disable(uint16_t port_id)
{
	return rx_mode_set(port_id, 0, 0);
}

int
dpx_eth_promiscuous_get(uint16_t port_id)
{
	struct dpx_eth_dev *dev;

	ETHDEV_GET_OR_RET(dev, port_id);
	return dev->data->promiscuous;
}

int
dpx_eth_allmulticast_enable(uint16_t port_id)
{
	return rx_mode_set(port_id, 1, 1);
}

int
dpx_eth_allmulticast_disable(uint16_t port_id)
{
	return rx_mode_set(port_id, 0, 1);
}

int
dpx_eth_allmulticast_get(uint16_t port_id)
{
	struct dpx_eth_dev *dev;

	ETHDEV_GET_OR_RET(dev, port_id);
	return dev->data->all_multicast;
}

int
dpx_eth_dev_dump(FILE *f, uint16_t port_id)
{
	struct dpx_eth_stats st;
	struct dpx_eth_dev *dev;
	char mac[DPX_ETHER_ADDR_FMT_SIZE];

	ETHDEV_GET_OR_RET(dev, port_id);
	dpx_ether_format_addr(mac, sizeof(mac), &dev->data->mac_addr);
	fprintf(f, "port %u %s (%s): %s, %s, mac %s, mtu %u, %u rx / %u tx queues\n", port_id,
		dev->data->name, dev->driver_name != NULL ? dev->driver_name : "?",
		dev->data->dev_configured ? "configured" : "not configured",
		dev->data->dev_started ? "started" : "stopped", mac, dev->data->mtu,
		dev->data->nb_rx_queues, dev->data->nb_tx_queues);
	if (dpx_eth_stats_get(port_id, &st) == 0)
		fprintf(f, "  rx %llu pkts %llu bytes, tx %llu pkts %llu bytes, missed %llu, "
			"rx errors %llu, tx errors %llu, rx nombuf %llu\n",
			(unsigned long long)st.ipackets, (unsigned long long)st.ibytes,
			(unsigned long long)st.opackets, (unsigned long long)st.obytes,
			(unsigned long long)st.imissed, (unsigned long long)st.ierrors,
			(unsigned long long)st.oerrors, (unsigned long long)st.rx_nombuf);
	return 0;
}

static int
remove_by_name_locked(const char *name)
{
	struct dpx_eth_dev *dev = dpx_eth_dev_allocated(name);

	if (dev == NULL)
		return 0; /* the application closed the port already */
	dpx_eth_dev_stop(dev->data->port_id); /* logs its own failure; close must run anyway */
	return dpx_eth_dev_close(dev->data->port_id);
}

int
dpx_eth_dev_remove_by_name(const char *name)
{
	return PORTS_LOCKED(remove_by_name_locked(name));
}
