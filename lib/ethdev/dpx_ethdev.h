/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Ethernet ports (ethdev), in DPDK's shape.
 *
 * A port is made by a driver (for virtual ports: a vdev driver probed with
 * `--vdev net_ring0,...` or dpx_vdev_init()). Its life:
 *
 *     (probe) -> ATTACHED --configure--> CONFIGURED --queue setup--> ...
 *             --start--> STARTED --stop--> CONFIGURED (stopped) --close--> gone
 *
 * - dpx_eth_dev_configure() and the queue setups are allowed while stopped
 *   (again and again: a new configure drops the old queues); they return
 *   -EBUSY while started.
 * - dpx_eth_dev_start() needs a configure and every configured queue set up,
 *   else -EINVAL. Starting a started port, or stopping a stopped one, is a
 *   no-op returning 0.
 * - dpx_eth_dev_close() needs the port stopped (-EBUSY while started); after
 *   it the port id is free and every call on it returns -ENODEV.
 * - rx/tx bursts on a port that is not started return 0 packets.
 *
 * Common errors of every control function taking a port id:
 *   -ENODEV  the port id is not an attached port (out of range, never
 *            allocated, or closed);
 *   -EINVAL  a NULL output pointer or an argument out of range (each function
 *            names its own);
 *   -ENOTSUP the driver does not provide the operation.
 * Errors are logged once (log type "ethdev") with the port and the values.
 *
 * Control functions are not thread safe between themselves (one control
 * thread per port, as in DPDK); bursts on distinct queues may run on distinct
 * lcores while the port is started.
 *
 * Extended statistics: the generic ones first (names as in DPDK:
 * rx_good_packets, tx_good_packets, rx_good_bytes, tx_good_bytes,
 * rx_missed_errors, rx_errors, tx_errors, rx_mbuf_allocation_errors, then per
 * queue rx_q<N>_packets, rx_q<N>_bytes, rx_q<N>_errors, tx_q<N>_packets,
 * tx_q<N>_bytes for the first DPX_ETHDEV_QUEUE_STAT_CNTRS queues), then the
 * driver's own. The id of an xstat is its index in that list, stable while the
 * port's queue counts do not change.
 */
#ifndef DPX_ETHDEV_H
#define DPX_ETHDEV_H

#include <stdint.h>
#include <stdio.h>

#include <dpx_common.h>
#include <dpx_log.h>
#include <dpx_ether.h>
#include <dpx_ethdev_core.h>

struct dpx_mbuf;
struct dpx_mempool;

/** Longest port name, terminating NUL included. */
#define DPX_ETH_NAME_MAX_LEN 64
/** Per-queue counters in struct dpx_eth_stats (queues beyond are not counted there). */
#define DPX_ETHDEV_QUEUE_STAT_CNTRS 16
/** Longest xstat name, terminating NUL included. */
#define DPX_ETH_XSTATS_NAME_SIZE 64
/** Port id meaning "every port" for callback (un)registration. */
#define DPX_ETH_ALL UINT16_MAX

/* Link speeds (Mbps) and duplex. */
#define DPX_ETH_SPEED_NUM_NONE 0
#define DPX_ETH_SPEED_NUM_10M 10
#define DPX_ETH_SPEED_NUM_100M 100
#define DPX_ETH_SPEED_NUM_1G 1000
#define DPX_ETH_SPEED_NUM_10G 10000
#define DPX_ETH_SPEED_NUM_UNKNOWN UINT32_MAX
#define DPX_ETH_LINK_HALF_DUPLEX 0
#define DPX_ETH_LINK_FULL_DUPLEX 1
#define DPX_ETH_LINK_DOWN 0
#define DPX_ETH_LINK_UP 1
#define DPX_ETH_LINK_FIXED 0
#define DPX_ETH_LINK_AUTONEG 1

/* Offloads (capabilities in dpx_eth_dev_info, requests in conf structs). */
#define DPX_ETH_RX_OFFLOAD_IPV4_CKSUM (1ULL << 1)
#define DPX_ETH_RX_OFFLOAD_UDP_CKSUM (1ULL << 2)
#define DPX_ETH_RX_OFFLOAD_TCP_CKSUM (1ULL << 3)
#define DPX_ETH_RX_OFFLOAD_TCP_LRO (1ULL << 4)
#define DPX_ETH_RX_OFFLOAD_SCATTER (1ULL << 13)
#define DPX_ETH_TX_OFFLOAD_IPV4_CKSUM (1ULL << 1)
#define DPX_ETH_TX_OFFLOAD_UDP_CKSUM (1ULL << 2)
#define DPX_ETH_TX_OFFLOAD_TCP_CKSUM (1ULL << 3)
#define DPX_ETH_TX_OFFLOAD_TCP_TSO (1ULL << 5)
#define DPX_ETH_TX_OFFLOAD_UDP_TSO (1ULL << 6)
#define DPX_ETH_TX_OFFLOAD_MULTI_SEGS (1ULL << 15)

/** Port configuration, for dpx_eth_dev_configure. Zeroed means defaults. */
struct dpx_eth_conf {
	uint32_t mtu;         /**< 0: DPX_ETHER_MTU (checked against min_mtu..max_mtu) */
	uint64_t rx_offloads; /**< DPX_ETH_RX_OFFLOAD_*, a subset of rx_offload_capa */
	uint64_t tx_offloads; /**< DPX_ETH_TX_OFFLOAD_*, a subset of tx_offload_capa */
};

/** Rx queue configuration; NULL means zeroed. */
struct dpx_eth_rxconf {
	uint64_t offloads; /**< per-queue offloads added to the port's (subset of capa) */
};

/** Tx queue configuration; NULL means zeroed. */
struct dpx_eth_txconf {
	uint64_t offloads;
};

/** What a port can do and how it is configured. */
struct dpx_eth_dev_info {
	const char *driver_name;  /**< "net_ring" */
	unsigned int if_index;    /**< kernel interface index, 0 when none */
	int numa_node;
	uint16_t min_mtu;
	uint16_t max_mtu;
	uint32_t max_rx_pktlen;   /**< largest frame received, header included */
	uint16_t max_rx_queues;
	uint16_t max_tx_queues;
	uint16_t nb_rx_queues;    /**< configured (0 before configure) */
	uint16_t nb_tx_queues;
	uint16_t rx_desc_max;     /**< largest nb_desc for an rx queue */
	uint16_t tx_desc_max;
	uint16_t default_rx_ring_size; /**< used when nb_desc is 0 */
	uint16_t default_tx_ring_size;
	uint64_t rx_offload_capa;
	uint64_t tx_offload_capa;
	uint32_t speed_capa;      /**< highest speed, Mbps (0 unknown) */
};

/** Basic statistics. Per-queue arrays count queues 0..DPX_ETHDEV_QUEUE_STAT_CNTRS-1. */
struct dpx_eth_stats {
	uint64_t ipackets;  /**< packets received (handed to the application) */
	uint64_t opackets;  /**< packets transmitted (accepted by tx and sent) */
	uint64_t ibytes;
	uint64_t obytes;
	uint64_t imissed;   /**< dropped on receive for lack of room */
	uint64_t ierrors;   /**< bad packets received */
	uint64_t oerrors;   /**< packets that tx accepted but could not send */
	uint64_t rx_nombuf; /**< rx mbuf allocation failures */
	uint64_t q_ipackets[DPX_ETHDEV_QUEUE_STAT_CNTRS];
	uint64_t q_opackets[DPX_ETHDEV_QUEUE_STAT_CNTRS];
	uint64_t q_ibytes[DPX_ETHDEV_QUEUE_STAT_CNTRS];
	uint64_t q_obytes[DPX_ETHDEV_QUEUE_STAT_CNTRS];
	uint64_t q_errors[DPX_ETHDEV_QUEUE_STAT_CNTRS]; /**< rx errors of the queue */
};

struct dpx_eth_xstat {
	uint64_t id;
	uint64_t value;
};

struct dpx_eth_xstat_name {
	char name[DPX_ETH_XSTATS_NAME_SIZE];
};

struct dpx_eth_link {
	uint32_t link_speed;      /**< Mbps, DPX_ETH_SPEED_NUM_* */
	uint16_t link_duplex : 1; /**< DPX_ETH_LINK_{HALF,FULL}_DUPLEX */
	uint16_t link_autoneg : 1;
	uint16_t link_status : 1; /**< DPX_ETH_LINK_{DOWN,UP} */
} __attribute__((aligned(8))); /* 8 bytes: stored and loaded as one atomic word */

enum dpx_eth_event_type {
	DPX_ETH_EVENT_LSC = 0,     /**< link status changed; ret_param NULL */
	DPX_ETH_EVENT_QUEUE_STATE, /**< a queue was enabled/disabled by the peer;
				      ret_param: struct dpx_eth_event_queue_state * */
	DPX_ETH_EVENT_NEW,         /**< port probed and ready; ret_param NULL */
	DPX_ETH_EVENT_DESTROY,     /**< port about to be released; ret_param NULL */
	DPX_ETH_EVENT_MAX,
};

/** ret_param of a DPX_ETH_EVENT_QUEUE_STATE callback. */
struct dpx_eth_event_queue_state {
	uint16_t queue_id;
	uint8_t rx;      /**< 1: rx queue, 0: tx queue */
	uint8_t enabled; /**< 1: enabled, 0: disabled */
};

/**
 * Event callback. Runs on the thread that caused the event (the control
 * thread for NEW/DESTROY/LSC from dpx_eth_dev_set_link_*, the driver's thread
 * otherwise). Its return value is handed back to the driver that fired it.
 */
typedef int (*dpx_eth_dev_cb_fn)(uint16_t port_id, enum dpx_eth_event_type event, void *cb_arg,
				 void *ret_param);

/* ---- ports ---- */

/** @return the number of attached ports. */
int dpx_eth_dev_count_avail(void);

/** @return 1 when port_id is an attached port, else 0. */
int dpx_eth_dev_is_valid_port(uint16_t port_id);

/** @return the first attached port id >= port_id, or DPX_MAX_ETHPORTS when none. */
uint16_t dpx_eth_find_next(uint16_t port_id);

/** Iterate over attached ports. */
#define DPX_ETH_FOREACH_DEV(p)                                                                     \
	for ((p) = dpx_eth_find_next(0); (p) < DPX_MAX_ETHPORTS; (p) = dpx_eth_find_next((p) + 1))

/**
 * Find a port by name.
 * @return 0 and *port_id set, -EINVAL (NULL argument), -ENODEV (no port has that name).
 */
int dpx_eth_dev_get_port_by_name(const char *name, uint16_t *port_id);

/**
 * Copy the port name into name (at least DPX_ETH_NAME_MAX_LEN bytes).
 * @return 0, -ENODEV, -EINVAL (NULL name).
 */
int dpx_eth_dev_get_name_by_port(uint16_t port_id, char *name);

/** @return the port's NUMA node (>= 0), or -ENODEV. */
int dpx_eth_dev_socket_id(uint16_t port_id);

/**
 * Describe the port.
 * @return 0, -ENODEV, -EINVAL (NULL info), or the driver's error.
 */
int dpx_eth_dev_info_get(uint16_t port_id, struct dpx_eth_dev_info *info);

/* ---- state machine ---- */

/**
 * Configure the port's queue counts and settings. Drops queues set up by an
 * earlier configure.
 * @param conf  NULL means all defaults.
 * @return 0, or:
 *   -ENODEV  invalid port;
 *   -EBUSY   the port is started;
 *   -EINVAL  nb_rx_q and nb_tx_q both 0, a count above max_rx/tx_queues,
 *            an MTU outside min_mtu..max_mtu, offloads outside the capabilities;
 *   -ENOMEM, or the driver's error (the port is then left unconfigured).
 */
int dpx_eth_dev_configure(uint16_t port_id, uint16_t nb_rx_q, uint16_t nb_tx_q,
			  const struct dpx_eth_conf *conf);

/**
 * Set up (or set up again) rx queue `queue`, whose packets come from mp.
 * @param nb_desc  ring size; 0 means default_rx_ring_size.
 * @param socket_id NUMA node for the queue's memory, or -1 (DPX_SOCKET_ID_ANY) for the port's.
 * @return 0, or:
 *   -ENODEV  invalid port;
 *   -EBUSY   the port is started;
 *   -EINVAL  not configured, queue >= the configured rx queue count, mp NULL,
 *            nb_desc above rx_desc_max, offloads outside the capabilities;
 *   -ENOMEM, or the driver's error.
 */
int dpx_eth_rx_queue_setup(uint16_t port_id, uint16_t queue, uint16_t nb_desc, int socket_id,
			   const struct dpx_eth_rxconf *conf, struct dpx_mempool *mp);

/**
 * Set up (or set up again) tx queue `queue`.
 * @return 0, or -ENODEV, -EBUSY (started), -EINVAL (not configured, queue out of
 *   range, nb_desc above tx_desc_max, offloads outside the capabilities),
 *   -ENOMEM, or the driver's error.
 */
int dpx_eth_tx_queue_setup(uint16_t port_id, uint16_t queue, uint16_t nb_desc, int socket_id,
			   const struct dpx_eth_txconf *conf);

/**
 * Start the port: bursts begin to move packets.
 * @return 0 (also when already started), or -ENODEV, -EINVAL (not configured,
 *   or a configured queue not set up; the log names it), or the driver's error.
 */
int dpx_eth_dev_start(uint16_t port_id);

/**
 * Stop the port: bursts return 0 from now on. The caller makes sure no lcore
 * is inside a burst on this port (as in DPDK).
 * @return 0 (also when not started), -ENODEV, or the driver's error (logged;
 *   the port is stopped all the same, so close may follow).
 */
int dpx_eth_dev_stop(uint16_t port_id);

/**
 * Close the port: release its queues and the port id (a DESTROY event fires
 * first). The underlying device stays until its bus removes it.
 * @return 0, -ENODEV, -EBUSY (started), or the driver's error (the port is
 *   released anyway).
 */
int dpx_eth_dev_close(uint16_t port_id);

/** @return 1 when started, 0 when not, -ENODEV. */
int dpx_eth_dev_is_started(uint16_t port_id);

/* ---- fast path ---- */

/**
 * Receive up to n packets from an rx queue. The mbufs belong to the caller.
 * @return the number of packets stored in pkts (0 when the port is not started).
 * Arguments are checked only in builds with -Ddebug_checks=true (then an
 * invalid port or queue logs once per call and returns 0).
 */
static inline uint16_t
dpx_eth_rx_burst(uint16_t port_id, uint16_t queue, struct dpx_mbuf **pkts, uint16_t n)
{
	struct dpx_eth_fp_ops *fp;

#ifdef DPX_DEBUG_CHECKS
	if (port_id >= DPX_MAX_ETHPORTS || queue >= dpx_eth_fp_ops[port_id].nb_rx_queues ||
	    pkts == NULL) {
		dpx_eth_fp_check_failed(__func__, port_id, queue);
		return 0;
	}
#endif
	fp = &dpx_eth_fp_ops[port_id];
	return fp->rx_pkt_burst(fp->rxq_data[queue], pkts, n);
}

/**
 * Transmit up to n packets on a tx queue. The driver owns (and frees) the
 * packets it accepts; the caller keeps pkts[ret..n-1].
 * @return the number of packets accepted (0 when the port is not started).
 * Arguments are checked only with -Ddebug_checks=true.
 */
static inline uint16_t
dpx_eth_tx_burst(uint16_t port_id, uint16_t queue, struct dpx_mbuf **pkts, uint16_t n)
{
	struct dpx_eth_fp_ops *fp;

#ifdef DPX_DEBUG_CHECKS
	if (port_id >= DPX_MAX_ETHPORTS || queue >= dpx_eth_fp_ops[port_id].nb_tx_queues ||
	    (pkts == NULL && n > 0)) {
		dpx_eth_fp_check_failed(__func__, port_id, queue);
		return 0;
	}
#endif
	fp = &dpx_eth_fp_ops[port_id];
	return fp->tx_pkt_burst(fp->txq_data[queue], pkts, n);
}

/* ---- link, address, MTU, promiscuous ---- */

/**
 * Read the link state without waiting (the driver refreshes it first; a
 * change fires DPX_ETH_EVENT_LSC).
 * @return 0, -ENODEV, -EINVAL (NULL link).
 */
int dpx_eth_link_get_nowait(uint16_t port_id, struct dpx_eth_link *link);

/**
 * Read the link state, letting the driver wait up to its own bound (9 s in
 * DPDK drivers; dpx virtual ports do not wait).
 * @return 0, -ENODEV, -EINVAL.
 */
int dpx_eth_link_get(uint16_t port_id, struct dpx_eth_link *link);

/**
 * Bring the link up / down administratively (fires DPX_ETH_EVENT_LSC on change).
 * @return 0, -ENODEV, -ENOTSUP, or the driver's error.
 */
int dpx_eth_dev_set_link_up(uint16_t port_id);
int dpx_eth_dev_set_link_down(uint16_t port_id);

/** Format a link as "Link up at 10 Gbps FDX Fixed" / "Link down" into buf. */
void dpx_eth_link_to_str(char *buf, size_t len, const struct dpx_eth_link *link);

/** @return 0 and *mac set, -ENODEV, -EINVAL (NULL mac). */
int dpx_eth_macaddr_get(uint16_t port_id, struct dpx_ether_addr *mac);

/**
 * Change the port's MAC address.
 * @return 0, -ENODEV, -EINVAL (NULL, multicast or all-zero address), -ENOTSUP,
 *   or the driver's error.
 */
int dpx_eth_dev_default_mac_addr_set(uint16_t port_id, struct dpx_ether_addr *mac);

/** @return 0 and *mtu set, -ENODEV, -EINVAL (NULL mtu). */
int dpx_eth_dev_get_mtu(uint16_t port_id, uint16_t *mtu);

/**
 * Set the MTU (allowed started or stopped).
 * @return 0, -ENODEV, -EINVAL (outside min_mtu..max_mtu), -ENOTSUP, or the driver's error.
 */
int dpx_eth_dev_set_mtu(uint16_t port_id, uint16_t mtu);

/** @return 0, -ENODEV, -ENOTSUP, or the driver's error. */
int dpx_eth_promiscuous_enable(uint16_t port_id);
/** @return 0, -ENODEV, -ENOTSUP, or the driver's error. */
int dpx_eth_promiscuous_disable(uint16_t port_id);
/** @return 1 enabled, 0 disabled, -ENODEV. */
int dpx_eth_promiscuous_get(uint16_t port_id);

/**
 * Receive every multicast frame, not only those of the groups joined. Off
 * when a port is allocated, as promiscuous mode is.
 * @return 0, -ENODEV, -ENOTSUP (the driver cannot), or the driver's error.
 */
int dpx_eth_allmulticast_enable(uint16_t port_id);
/** @return 0, -ENODEV, -ENOTSUP, or the driver's error. */
int dpx_eth_allmulticast_disable(uint16_t port_id);
/** @return 1 enabled, 0 disabled, -ENODEV. */
int dpx_eth_allmulticast_get(uint16_t port_id);

/* ---- statistics ---- */

/** @return 0 and *stats filled, -ENODEV, -EINVAL (NULL), -ENOTSUP, or the driver's error. */
int dpx_eth_stats_get(uint16_t port_id, struct dpx_eth_stats *stats);

/** Zero basic (and so generic extended) statistics. @return 0, -ENODEV, -ENOTSUP. */
int dpx_eth_stats_reset(uint16_t port_id);

/**
 * Names of the extended statistics (see the file comment for the order).
 * @param names  filled when size is large enough; may be NULL with size 0.
 * @return the number of xstats (fill happened only if <= size), or -ENODEV,
 *   -EINVAL (names NULL with size > 0), or the driver's error.
 */
int dpx_eth_xstats_get_names(uint16_t port_id, struct dpx_eth_xstat_name *names,
			     unsigned int size);

/**
 * Values of the extended statistics, id = index.
 * @return the number of xstats (fill happened only if <= n), or -ENODEV,
 *   -EINVAL (xstats NULL with n > 0), or the driver's error.
 */
int dpx_eth_xstats_get(uint16_t port_id, struct dpx_eth_xstat *xstats, unsigned int n);

/**
 * Value of one extended statistic by name.
 * @return 0, -ENODEV, -EINVAL (NULL argument), -ENOENT (no such name).
 */
int dpx_eth_xstats_get_by_name(uint16_t port_id, const char *name, uint64_t *value);

/** Id of an xstat name. @return 0, -ENODEV, -EINVAL, -ENOENT. */
int dpx_eth_xstats_get_id_by_name(uint16_t port_id, const char *name, uint64_t *id);

/**
 * Values of the xstats whose ids are given.
 * @return n, or -ENODEV, -EINVAL (NULL arrays, or an id out of range: logged).
 */
int dpx_eth_xstats_get_by_id(uint16_t port_id, const uint64_t *ids, uint64_t *values,
			     unsigned int n);

/** Zero every statistic, basic and driver-specific. @return 0, -ENODEV, -ENOTSUP. */
int dpx_eth_xstats_reset(uint16_t port_id);

/* ---- events ---- */

/**
 * Call cb for event ev on a port, or on every port (present and future) with
 * port_id DPX_ETH_ALL. The same (cb, cb_arg) registered twice is one callback.
 * @return 0, -ENODEV (invalid port other than DPX_ETH_ALL), -EINVAL (cb NULL,
 *   ev out of range), -ENOMEM.
 */
int dpx_eth_dev_callback_register(uint16_t port_id, enum dpx_eth_event_type ev,
				  dpx_eth_dev_cb_fn cb, void *cb_arg);

/**
 * Remove callbacks registered with the same port_id, ev and cb; cb_arg
 * (void *)-1 matches any argument.
 * @return 0, -ENODEV, -EINVAL (cb NULL, ev out of range), -ENOENT (none matched).
 */
int dpx_eth_dev_callback_unregister(uint16_t port_id, enum dpx_eth_event_type ev,
				    dpx_eth_dev_cb_fn cb, void *cb_arg);

/** Print the port's state, queues and basic statistics. @return 0 or -ENODEV. */
int dpx_eth_dev_dump(FILE *f, uint16_t port_id);

#endif /* DPX_ETHDEV_H */
