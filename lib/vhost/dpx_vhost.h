/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * vhost-user backend: QEMU (the front-end) hands a virtio-net device's rings
 * and guest memory to this process over a unix socket; the application moves
 * packets with dpx_vhost_enqueue_burst() (host to guest) and
 * dpx_vhost_dequeue_burst() (guest to host).
 *
 * One socket path = one listening (server) or connecting (client) socket; each
 * connection is a device, named by its vid. A library thread polls every
 * socket (epoll) and runs the application's callbacks; the data path runs on
 * the application's lcores. See doc/vhost.md.
 */
#ifndef DPX_VHOST_H
#define DPX_VHOST_H

#include <stddef.h>
#include <stdint.h>

struct dpx_mbuf;
struct dpx_mempool;
struct dpx_page_pool;

/** Memory slots offered through GET_MAX_MEM_SLOTS (CONFIGURE_MEM_SLOTS). */
#define DPX_VHOST_MAX_MEM_SLOTS 509
/** Devices (connections) served at once. */
#define DPX_VHOST_MAX_DEVICES 64
/** Queue pairs per device (GET_QUEUE_NUM). */
#define DPX_VHOST_MAX_QUEUE_PAIRS 8
/** Virtqueues per device: vring 2q is the guest's rx q, 2q+1 its tx q. */
#define DPX_VHOST_MAX_VRINGS (2 * DPX_VHOST_MAX_QUEUE_PAIRS)

/** Connections a server path accepts at once unless set otherwise
 *  (dpx_vhost_driver_set_max_connections()). */
#define DPX_VHOST_DEFAULT_MAX_CONNECTIONS 8

/** dpx_vhost_driver_register() flag: connect to the path (QEMU is the server). */
#define DPX_VHOST_CLIENT (1ULL << 0)

/**
 * Application callbacks, run on the vhost thread with the vhost mutex held:
 * they may call the dpx_vhost_get_* and dpx_vhost_vring_* getters, not the
 * dpx_vhost_driver_* functions. Return values of vring_state_changed and
 * features_changed are ignored.
 */
struct dpx_vhost_device_ops {
	/** The guest driver is ready (rings of pair 0 set up and enabled, DRIVER_OK).
	 *  Non-zero refuses the device (it stays connected but not running). */
	int (*new_device)(int vid);
	/** The device stops running (ring stopped, reset, disconnect). After the
	 *  callback returns the application must not use the vid's queues. */
	void (*destroy_device)(int vid);
	/** A vring was enabled or disabled (SET_VRING_ENABLE) while running. */
	int (*vring_state_changed)(int vid, uint16_t vring, int enable);
	/** SET_FEATURES changed the negotiated features. */
	int (*features_changed)(int vid, uint64_t features);
	/** A guest memory region was mapped (the place for a DMA map).
	 *  Non-zero refuses the region: the message fails. */
	int (*mem_region_added)(int vid, uint64_t gpa, void *hva, uint64_t len);
	/** A guest memory region is about to be unmapped (the place for a DMA unmap). */
	void (*mem_region_removed)(int vid, uint64_t gpa, void *hva, uint64_t len);
};

/** Per-vring counters (a net_vhost port exports them as xstats). */
struct dpx_vhost_vring_stats {
	uint64_t packets;
	uint64_t bytes;
	uint64_t errors;	/**< packets dropped: too big, bad header, no mbuf */
	uint64_t notifications; /**< call eventfd writes (guest interrupts) */
	uint64_t size_bins[7];	/**< 64 (and less), 65-127, 128-255, 256-511,
				     512-1023, 1024-1518, 1519 and more */
};

/**
 * Create a socket for a path (not yet listening or connecting).
 * @param flags 0 (server: we listen) or DPX_VHOST_CLIENT (we connect, and
 *   reconnect every second after the front-end goes).
 * @return 0, -EINVAL (path empty or too long for a unix socket, unknown flag),
 *   -EEXIST (path already registered), -ENOMEM.
 */
int dpx_vhost_driver_register(const char *path, uint64_t flags);

/**
 * Close a path's socket; each connected device is destroyed (destroy_device
 * called) and its memory unmapped. The vhost thread ends with the last path.
 * @return 0, -ENOENT (path not registered).
 */
int dpx_vhost_driver_unregister(const char *path);

/**
 * Set the callbacks of a path (before start). ctx is returned by dpx_vhost_get_ctx().
 * @return 0, -ENOENT, -EBUSY (already started).
 */
int dpx_vhost_driver_callback_register(const char *path, const struct dpx_vhost_device_ops *ops,
				       void *ctx);

/**
 * Remove virtio feature bits from those offered (before start), for example
 * (1ULL << 34) to refuse packed rings.
 * @return 0, -ENOENT, -EBUSY (already started), -EINVAL (bit that must stay:
 *   VERSION_1 or PROTOCOL_FEATURES).
 */
int dpx_vhost_driver_disable_features(const char *path, uint64_t features);

/**
 * Set how many queue pairs a path offers (GET_QUEUE_NUM, before start). A
 * front-end that negotiated the MQ protocol feature may use vrings
 * 0..2*pairs-1; without it, vrings 0 and 1. A message naming another vring
 * closes the connection.
 * @param pairs 1..DPX_VHOST_MAX_QUEUE_PAIRS (the default).
 * @return 0, -ENOENT, -EBUSY (already started), -EINVAL (pairs out of range).
 */
int dpx_vhost_driver_set_max_queue_pairs(const char *path, uint16_t pairs);

/**
 * Set how many connections a server path serves at once (before start); one
 * more is accepted and closed at once, with a log line. Each connection is a
 * device, and all paths share DPX_VHOST_MAX_DEVICES: the cap keeps one path's
 * peers from taking every device of the others.
 * @param max 1..DPX_VHOST_MAX_DEVICES; DPX_VHOST_DEFAULT_MAX_CONNECTIONS by default.
 * @return 0, -ENOENT, -EBUSY (already started), -EINVAL (max out of range).
 */
int dpx_vhost_driver_set_max_connections(const char *path, unsigned int max);

/** Features a path offers. @return 0, -ENOENT. */
int dpx_vhost_driver_get_features(const char *path, uint64_t *features);

/**
 * Start listening (server) or connecting (client; a failed connect is retried
 * every second). Starts the vhost thread on the first start.
 * @return 0, -ENOENT, -EBUSY (already started), -EADDRINUSE (server: the path
 *   exists and a process listens on it), or the -errno of socket/bind/listen
 *   or thread creation.
 */
int dpx_vhost_driver_start(const char *path);

/** @return the ctx given at callback registration, or NULL for a bad vid. */
void *dpx_vhost_get_ctx(int vid);

/** Copy the device's socket path. @return 0, -ENODEV (bad vid), -ERANGE (buffer too small). */
int dpx_vhost_get_ifname(int vid, char *buf, size_t len);

/** @return 0 and the negotiated virtio features, or -ENODEV. */
int dpx_vhost_get_negotiated_features(int vid, uint64_t *features);

/** @return number of vrings the front-end set up (2 per queue pair), or -ENODEV. */
int dpx_vhost_get_vring_num(int vid);

/** @return 0 and the MTU the front-end set (NET_SET_MTU), -ENODEV, -ENOENT (none set). */
int dpx_vhost_get_mtu(int vid, uint16_t *mtu);

/** @return 1 if the vring is enabled and ready, 0 if not, -ENODEV, -EINVAL (vring). */
int dpx_vhost_vring_is_enabled(int vid, uint16_t vring);

/**
 * Read (and with reset != 0 clear) one vring's counters. A reset may run
 * while a burst is counting on another lcore: the next read counts from the
 * reset on, and no packet counted after it is lost.
 * @return 0, -ENODEV, -EINVAL.
 */
int dpx_vhost_vring_stats_get(int vid, uint16_t vring, struct dpx_vhost_vring_stats *stats,
			      int reset);

/**
 * Host to guest: copy packets into the guest's receive buffers of a vring
 * (an even one: 2q is the guest's receive queue q). Multi-segment mbufs are
 * read whole; with MRG_RXBUF a packet may take several guest buffers. The
 * mbufs stay the caller's (it frees all of them, sent or not).
 * @return packets delivered, from the front of pkts (0 when the vring is not
 *   running, is being reconfigured this instant, or has no buffers). Stops at
 *   a packet that does not fit (counted in the vring's errors). At most 64
 *   per call.
 */
uint16_t dpx_vhost_enqueue_burst(int vid, uint16_t vring, struct dpx_mbuf **pkts, uint16_t n);

/**
 * Guest to host: turn the guest's transmit chains of a vring (an odd one)
 * into packets, each a chain of mbufs from mp as long as needed.
 * @return packets stored in pkts (the caller owns them). A chain shorter than
 *   the virtio-net header, longer than 64 KiB, or longer than 32 of mp's
 *   mbufs hold is returned to the guest unread and counted in errors. When
 *   mp is empty the chain stays in the ring for a later call (counted in
 *   errors each time). At most 64 per call; 0 for a pool whose data room
 *   is no larger than DPX_PKTMBUF_HEADROOM, and 0 for a NULL mp (logged
 *   once per process), nothing taken from the ring either way.
 */
uint16_t dpx_vhost_dequeue_burst(int vid, uint16_t vring, struct dpx_mempool *mp,
				 struct dpx_mbuf **pkts, uint16_t n);

/**
 * As dpx_vhost_dequeue_burst, the mbufs taken from a page pool (over the
 * mempool it was created with; lib/page_pool): a net_vhost rx queue's.
 * Freed packets go back to the pool with the ordinary mbuf frees.
 * @return packets stored in pkts, as dpx_vhost_dequeue_burst (0 for a NULL pp).
 */
uint16_t dpx_vhost_dequeue_burst_page_pool(int vid, uint16_t vring, struct dpx_page_pool *pp,
					   struct dpx_mbuf **pkts, uint16_t n);

#endif /* DPX_VHOST_H */
