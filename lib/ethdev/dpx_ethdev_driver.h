/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * ethdev, driver side: how a driver makes a port and serves its operations.
 *
 * A vdev driver's probe:
 *     dev = dpx_eth_dev_allocate(name);            // port id reserved, state ATTACHED
 *     dev->data->dev_private = <driver state>;     // the driver owns it
 *     dev->dev_ops = &ops; dev->rx_pkt_burst = ...; dev->tx_pkt_burst = ...;
 *     dev->data->mac_addr = ...; dev->data->dev_link = ...;
 *     dpx_eth_dev_probing_finish(dev);             // fires DPX_ETH_EVENT_NEW
 * and its remove: look the port up by name; if still there, stop and
 * dpx_eth_dev_close() it (dev_close frees the driver state; the port is
 * released by ethdev after dev_close returns).
 *
 * A driver that counts packets in software embeds a struct
 * dpx_eth_sw_queue_stats as the first member of its rx and tx queue structs
 * (checked at build time by DPX_ETH_SW_STATS_FIRST), counts with dpx_eth_sw_count*() and sets .stats_get = dpx_eth_sw_stats_get,
 * .stats_reset = dpx_eth_sw_stats_reset. A driver whose link is fixed (no
 * wire) uses dpx_eth_link_fixed_set from start/stop/set_link_up/down, and a
 * vdev driver's remove is dpx_eth_dev_remove_by_name(its device name).
 *
 * ethdev calls the ops only in allowed states (configure/queue setup while
 * stopped, start when every queue is set up...), so ops need no state checks.
 * Queue arrays data->rx_queues/tx_queues are sized at configure and hold what
 * the queue-setup ops return through *queue; ethdev calls the release ops
 * before it drops them (on a new configure, a queue set up again, or close).
 */
#ifndef DPX_ETHDEV_DRIVER_H
#define DPX_ETHDEV_DRIVER_H

#include <stdbool.h>
#include <stddef.h>

#include <dpx_common.h>
#include <dpx_errno.h>
#include <dpx_ethdev.h>

struct dpx_eth_dev;

struct dpx_eth_dev_ops {
	/** Required: fill info (ethdev fills driver_name, nb_*_queues, numa_node after). */
	int (*dev_infos_get)(struct dpx_eth_dev *dev, struct dpx_eth_dev_info *info);
	/** Optional: the new data->dev_conf and queue counts are in place. */
	int (*dev_configure)(struct dpx_eth_dev *dev);
	/** Optional: start; ethdev switches the fast-path entry after success. */
	int (*dev_start)(struct dpx_eth_dev *dev);
	/** Optional: stop; ethdev has already switched the fast-path entry to the dummies. */
	int (*dev_stop)(struct dpx_eth_dev *dev);
	/** Optional: free driver resources; queues were released before. */
	int (*dev_close)(struct dpx_eth_dev *dev);
	/** Optional: refresh data->dev_link (with dpx_eth_linkstatus_set). */
	int (*link_update)(struct dpx_eth_dev *dev, int wait_to_complete);
	int (*dev_set_link_up)(struct dpx_eth_dev *dev);
	int (*dev_set_link_down)(struct dpx_eth_dev *dev);
	int (*promiscuous_enable)(struct dpx_eth_dev *dev);
	int (*promiscuous_disable)(struct dpx_eth_dev *dev);
	int (*allmulticast_enable)(struct dpx_eth_dev *dev);
	int (*allmulticast_disable)(struct dpx_eth_dev *dev);
	/** Range-checked by ethdev against dev_info min/max_mtu. */
	int (*mtu_set)(struct dpx_eth_dev *dev, uint16_t mtu);
	int (*mac_addr_set)(struct dpx_eth_dev *dev, struct dpx_ether_addr *addr);
	/** Required: create the queue; store it in *queue. */
	int (*rx_queue_setup)(struct dpx_eth_dev *dev, uint16_t queue_id, uint16_t nb_desc,
			      int socket_id, const struct dpx_eth_rxconf *conf,
			      struct dpx_mempool *mp, void **queue);
	/** Required: free what rx_queue_setup made. */
	void (*rx_queue_release)(struct dpx_eth_dev *dev, void *queue);
	int (*tx_queue_setup)(struct dpx_eth_dev *dev, uint16_t queue_id, uint16_t nb_desc,
			      int socket_id, const struct dpx_eth_txconf *conf, void **queue);
	void (*tx_queue_release)(struct dpx_eth_dev *dev, void *queue);
	/** Required: fill the totals and per-queue counters (stats arrives zeroed). */
	int (*stats_get)(struct dpx_eth_dev *dev, struct dpx_eth_stats *stats);
	int (*stats_reset)(struct dpx_eth_dev *dev);
	/** Optional: the driver's own xstats names; return their count (fill only if <= size). */
	int (*xstats_get_names)(struct dpx_eth_dev *dev, struct dpx_eth_xstat_name *names,
				unsigned int size);
	/** Optional: values in the same order, ids from 0; return their count (fill only if <= n). */
	int (*xstats_get)(struct dpx_eth_dev *dev, struct dpx_eth_xstat *xstats, unsigned int n);
	/** Optional: zero the driver's own xstats. */
	int (*xstats_reset)(struct dpx_eth_dev *dev);
};

/** Port data (the part shared with the driver). */
struct dpx_eth_dev_data {
	char name[DPX_ETH_NAME_MAX_LEN];
	uint16_t port_id;
	int numa_node;
	void **rx_queues; /**< nb_rx_queues entries, NULL until set up */
	void **tx_queues;
	uint16_t nb_rx_queues;
	uint16_t nb_tx_queues;
	struct dpx_eth_conf dev_conf;
	struct dpx_eth_link dev_link;
	struct dpx_ether_addr mac_addr;
	uint16_t mtu;
	uint8_t promiscuous;
	uint8_t all_multicast;
	uint8_t dev_configured;
	uint8_t dev_started;
	void *dev_private; /**< owned by the driver */
};

enum dpx_eth_dev_state {
	DPX_ETH_DEV_UNUSED = 0,
	DPX_ETH_DEV_ATTACHED, /**< allocated, probe under way */
	DPX_ETH_DEV_READY,    /**< probing finished (NEW fired) */
};

struct dpx_eth_dev {
	dpx_eth_rx_burst_t rx_pkt_burst; /**< copied to the fast-path table at start */
	dpx_eth_tx_burst_t tx_pkt_burst;
	const struct dpx_eth_dev_ops *dev_ops;
	struct dpx_eth_dev_data *data;
	enum dpx_eth_dev_state state;
	void *device; /**< the bus device (struct dpx_vdev_device *) */
	const char *driver_name;
};

/**
 * Reserve a port id and its data for a new port.
 * @return the port (state ATTACHED, data zeroed but for name, port_id,
 *   mtu = DPX_ETHER_MTU, link down), or NULL with dpx_errno:
 *   EINVAL (empty or too long name), EEXIST (a port has that name),
 *   ENOSPC (all DPX_MAX_ETHPORTS ids in use), ENOMEM.
 */
struct dpx_eth_dev *dpx_eth_dev_allocate(const char *name);

/** @return the port of that name (attached), or NULL. */
struct dpx_eth_dev *dpx_eth_dev_allocated(const char *name);

/** @return the attached port with that id, or NULL. */
struct dpx_eth_dev *dpx_eth_dev_get(uint16_t port_id);

/**
 * Free the port id and its data (not dev_private). Fires DPX_ETH_EVENT_DESTROY
 * first if probing had finished. Used by dpx_eth_dev_close and by a probe
 * that fails after allocate.
 * @return 0, or -EINVAL (NULL or already released port).
 */
int dpx_eth_dev_release_port(struct dpx_eth_dev *dev);

/** Mark probing finished and fire DPX_ETH_EVENT_NEW. */
void dpx_eth_dev_probing_finish(struct dpx_eth_dev *dev);

/**
 * Call the callbacks registered for this event on this port (and on
 * DPX_ETH_ALL), in registration order.
 * @return the last callback's return value, 0 when none ran.
 */
int dpx_eth_dev_callback_process(struct dpx_eth_dev *dev, enum dpx_eth_event_type ev,
				 void *ret_param);

/**
 * Store a new link state atomically (readers on other threads see either the
 * old or the new state whole).
 * @return 1 when the state differs from the previous one, else 0.
 */
int dpx_eth_linkstatus_set(struct dpx_eth_dev *dev, const struct dpx_eth_link *link);

/** Read the link state stored by dpx_eth_linkstatus_set. */
void dpx_eth_linkstatus_get(const struct dpx_eth_dev *dev, struct dpx_eth_link *link);

/** Software counters of one queue (see struct dpx_eth_sw_queue_stats). */
struct dpx_eth_sw_counters {
	uint64_t packets;
	uint64_t bytes;
	uint64_t errors; /**< rx: ierrors and q_errors; tx: oerrors */
	uint64_t nombuf; /**< rx only: rx_nombuf */
};

/**
 * Per-queue software statistics: the FIRST member of a driver's rx and tx
 * queue structs, so that dpx_eth_sw_stats_get/reset find it through
 * data->rx_queues/tx_queues. Zeroed with the queue at queue setup.
 *
 * Only the queue's polling thread writes cnt (the dpx_eth_sw_count*
 * functions: relaxed stores, so a reader on another thread sees whole
 * values); only the control thread writes base. A reset records cnt in base
 * rather than zeroing cnt, so it never races with the datapath's
 * read-modify-write: counters read as cnt - base.
 */
struct dpx_eth_sw_queue_stats {
	struct dpx_eth_sw_counters cnt;
	struct dpx_eth_sw_counters base;
};

/**
 * Compile-time check that queue struct @p type begins with its software
 * counters, member @p member (put it after the struct definition).
 */
#define DPX_ETH_SW_STATS_FIRST(type, member)                                          \
	_Static_assert(offsetof(type, member) == 0 &&                                    \
			       __builtin_types_compatible_p(__typeof__(((type *)0)->member), \
							    struct dpx_eth_sw_queue_stats), \
		       #type " must begin with struct dpx_eth_sw_queue_stats")

/** Count @p pkts packets of @p bytes bytes in all on a queue (its polling thread only). */
static inline void
dpx_eth_sw_count(struct dpx_eth_sw_queue_stats *s, uint64_t pkts, uint64_t bytes)
{
	__atomic_store_n(&s->cnt.packets, s->cnt.packets + pkts, __ATOMIC_RELAXED);
	__atomic_store_n(&s->cnt.bytes, s->cnt.bytes + bytes, __ATOMIC_RELAXED);
}

/** Count @p n bad packets (rx) or packets accepted but not sent (tx). */
static inline void
dpx_eth_sw_count_errors(struct dpx_eth_sw_queue_stats *s, uint64_t n)
{
	__atomic_store_n(&s->cnt.errors, s->cnt.errors + n, __ATOMIC_RELAXED);
}

/** Count @p n rx mbuf allocation failures. */
static inline void
dpx_eth_sw_count_nombuf(struct dpx_eth_sw_queue_stats *s, uint64_t n)
{
	__atomic_store_n(&s->cnt.nombuf, s->cnt.nombuf + n, __ATOMIC_RELAXED);
}

/**
 * A queue's counters since the last reset.
 * @param queue a queue struct that begins with struct dpx_eth_sw_queue_stats
 */
void dpx_eth_sw_queue_counters(const void *queue, struct dpx_eth_sw_counters *out);

/**
 * stats_get op for drivers with software counters: sums the queues set up
 * (non-NULL data->rx_queues/tx_queues entries) and fills the per-queue
 * arrays of the first DPX_ETHDEV_QUEUE_STAT_CNTRS queues.
 * @return 0
 */
int dpx_eth_sw_stats_get(struct dpx_eth_dev *dev, struct dpx_eth_stats *stats);

/** stats_reset op for drivers with software counters. @return 0 */
int dpx_eth_sw_stats_reset(struct dpx_eth_dev *dev);

/**
 * A queue's gate between the lcore that polls it and a control thread that
 * must know no burst is inside before it resets or frees what bursts use
 * (a vhost device going away, a ring being reset). A burst:
 *     if (!dpx_eth_gate_enter(&q->gate)) return 0;  ...  dpx_eth_gate_leave(&q->gate);
 * The control side: dpx_eth_gate_set(&g, 0) on every queue, then
 * dpx_eth_gate_wait_idle(&g) on each; dpx_eth_gate_set(&g, 1) reopens.
 * enter stores busy then reads allow, the control side stores allow then
 * reads busy, both sequentially consistent: one of the two sees the other.
 */
struct dpx_eth_gate {
	uint32_t allow;
	uint32_t busy;
};

/** Burst side: @return true (and busy is set) when the gate is open. */
static inline bool
dpx_eth_gate_enter(struct dpx_eth_gate *g)
{
	if (!__atomic_load_n(&g->allow, __ATOMIC_ACQUIRE))
		return false;
	/* seq_cst store then load: pairs with dpx_eth_gate_set's store and
	 * dpx_eth_gate_wait_idle's load */
	__atomic_store_n(&g->busy, 1, __ATOMIC_SEQ_CST);
	if (!__atomic_load_n(&g->allow, __ATOMIC_SEQ_CST)) {
		__atomic_store_n(&g->busy, 0, __ATOMIC_RELEASE);
		return false;
	}
	return true;
}

/** Burst side: done (release: the burst's accesses happen before the control side goes on). */
static inline void
dpx_eth_gate_leave(struct dpx_eth_gate *g)
{
	__atomic_store_n(&g->busy, 0, __ATOMIC_RELEASE);
}

/** Control side: open (1) or close (0) the gate. */
static inline void
dpx_eth_gate_set(struct dpx_eth_gate *g, uint32_t allow)
{
	__atomic_store_n(&g->allow, allow, __ATOMIC_SEQ_CST);
}

/** Control side, after closing: wait for a burst that entered before to leave. */
static inline void
dpx_eth_gate_wait_idle(struct dpx_eth_gate *g)
{
	while (__atomic_load_n(&g->busy, __ATOMIC_SEQ_CST))
		dpx_pause();
}

/**
 * Store a fixed link (full duplex, no autonegotiation) of @p speed Mbps, up
 * or down, and fire DPX_ETH_EVENT_LSC when that changes the link.
 * @return 0 (so it can end a start/stop/set_link op)
 */
int dpx_eth_link_fixed_set(struct dpx_eth_dev *dev, uint32_t speed, int up);

/**
 * A vdev driver's remove: stop and close the port of that name.
 * @return 0 (also when the application closed the port already), or what
 *   dpx_eth_dev_close returned.
 */
int dpx_eth_dev_remove_by_name(const char *name);

#endif /* DPX_ETHDEV_DRIVER_H */
