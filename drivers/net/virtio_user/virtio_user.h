/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * net_virtio_user internals: the driver side of virtio rings (virtio_user_ring.c),
 * the vhost-user front-end protocol and shared memory (virtio_user_dev.c) and
 * the ethdev port (eth_virtio_user.c).
 */
#ifndef VIRTIO_USER_H
#define VIRTIO_USER_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include <dpx_ethdev_driver.h>
#include <dpx_log.h>
#include <dpx_mbuf.h>
#include <dpx_memory.h>
#include <dpx_page_pool.h>

#include "vhost_user_wire.h"
#include "virtio_defs.h"

extern int net_virtio_user_logtype;
#define VU_LOG(level, fmt, ...) \
	DPX_LOG(level, net_virtio_user_logtype, "virtio_user: " fmt, ##__VA_ARGS__)

#define VU_MAX_QUEUE_PAIRS 8
#define VU_MAX_RING 4096
/* every control request must be answered within this (else: link down, reconnect);
 * a memory event's whole exchange too: the allocating thread waits with the
 * hotplug and heap locks held, so every allocation in the process waits */
#define VU_CTRL_TIMEOUT_MS 2000
/* a whole set-up (negotiation, one region per page, every vring) within this:
 * the port's lock is held meanwhile, and the next memory event waits for it */
#define VU_SETUP_TIMEOUT_MS 5000
/* a stopping port gives the back-end this long to send what its tx rings hold */
#define VU_TX_DRAIN_MS 200
/* mem table: vhost-user's SET_MEM_TABLE carries at most this many regions */
#define VU_MAX_TABLE_REGIONS VHOST_MEMORY_BASELINE_NREGIONS
/* regions (pages) the port tracks with ADD_MEM_REG/REM_MEM_REG */
#define VU_MAX_SLOTS 512
/* pieces of heap memory (runs of one fd) the table is built from */
#define VU_MAX_RUNS 256

/*
 * One buffer handed to the device: its mbuf (head of the chain for tx). The
 * free list lives here, never in the shared descriptor table, whose next
 * fields the device can overwrite.
 */
struct vu_slot {
	struct dpx_mbuf *m;
	uint16_t ndesc; /* ring descriptors it took */
	uint16_t next;	/* split: next free (or chained) descriptor; packed: next free id */
};

/* Counters beyond ethdev's packets/bytes/errors (exported as xstats). */
struct vu_queue_xstats {
	uint64_t kicks;	       /* eventfd writes to the back-end */
	uint64_t ring_full;    /* tx: packets left to the caller for want of descriptors */
	uint64_t mrg_segments; /* rx: buffers beyond the first of a merged packet */
	uint64_t nombuf;       /* rx: refills short of mbufs */
};

/*
 * One virtqueue, driver side. The ring memory (desc, avail/driver event,
 * used/device event, tx headers) is one heap allocation so the back-end
 * reaches it through the memory table.
 */
struct vu_vq {
	struct dpx_eth_sw_queue_stats stats; /* first: see dpx_eth_sw_stats_get */
	struct vu_queue_xstats xs;	     /* written by the queue's lcore only */
	struct vu_queue_xstats xs_base;	     /* xs at the last xstats reset */
	struct vu_port *port;
	uint16_t index; /* vring number: 2q rx, 2q+1 tx */
	uint16_t size;
	uint16_t mask;
	bool packed;
	bool event_idx;
	bool mrg_rxbuf;
	uint16_t port_id;
	struct dpx_mempool *mp;	  /* rx: the queue's mempool */
	struct dpx_page_pool *pp; /* rx: where receive buffers come from (NULL: mp) */
	struct dpx_eth_gate gate; /* bursts against the control thread's resets */
	/* ring memory */
	void *mem;
	size_t mem_len;
	struct vring_desc *desc;
	struct vring_avail *avail;
	struct vring_used *used;
	struct vring_packed_desc *pdesc;
	struct vring_packed_event *driver_event;
	struct vring_packed_event *device_event;
	struct virtio_net_hdr_mrg_rxbuf *tx_hdrs; /* tx: one per descriptor id */
	/* driver state */
	uint16_t free_cnt;   /* descriptors free */
	uint16_t free_head;  /* split: first free descriptor; packed: first free id */
	uint16_t avail_idx;  /* split: next avail->idx; packed: next slot */
	uint16_t used_idx;   /* split: next used->ring entry; packed: next slot */
	uint16_t kicked_idx; /* split: avail idx at the last kick (event idx) */
	bool avail_wrap;
	bool used_wrap;
	uint16_t pending;    /* published since the last kick check */
	uint16_t used_ready; /* split: entries the device published past used_idx, not taken */
	bool broken;	     /* the device broke the ring's rules: the queue stops until a reset */
	bool warned;	     /* a malformed buffer was logged on this connection */
	int kickfd;
	int callfd;
	struct vu_slot *slots; /* by id (split: head descriptor) */
};

DPX_ETH_SW_STATS_FIRST(struct vu_vq, stats);

/* A piece of heap memory as the back-end maps it: [va, va + len) is fd at offset. */
struct vu_region {
	uint64_t va;
	uint64_t len;
	uint64_t offset;
	int fd;
};

struct vu_port {
	char path[108];
	bool server;
	bool kernel;	/* path is /dev/vhost-net: ioctls and a TAP (virtio_user_kernel.c) */
	char iface[16]; /* kernel: the TAP's name (IFNAMSIZ) */
	int tapfd;
	bool packed_vq;
	bool mrg_rxbuf;
	bool in_order;
	bool page_pool;	      /* rx buffers from a page pool per queue (devarg page_pool) */
	unsigned int pp_size; /* its recycle ring (devarg pp_size) */
	uint16_t queues; /* queue pairs asked for */
	uint16_t queue_size;
	struct dpx_eth_dev *dev;
	struct vu_vq rxq[VU_MAX_QUEUE_PAIRS];
	struct vu_vq txq[VU_MAX_QUEUE_PAIRS];

	/* control: everything below under lock, taken by the control thread,
	 * the ethdev ops and the memory event callback (never while allocating) */
	pthread_mutex_t lock;
	pthread_t thread;
	bool thread_up;
	int wakefd;		    /* eventfd: stop the control thread */
	int listenfd;		    /* server mode */
	int sock;		    /* the connection, -1 while none */
	bool started;		    /* the application started the port */
	bool running;		    /* the device is set up: queues flow */
	int64_t deadline_ms;	    /* the exchange under way ends by then (CLOCK_MONOTONIC) */
	uint64_t features;	    /* negotiated */
	uint64_t protocol_features; /* negotiated */
	bool slots_mode; /* CONFIGURE_MEM_SLOTS: one region per page, added/removed alone */
	uint64_t max_slots;
	unsigned int nregions; /* what the back-end holds now */
	struct vu_region regions[VU_MAX_SLOTS];
	/* scratch for building the next table (under lock) */
	struct vu_region want[VU_MAX_SLOTS];
	unsigned int nruns;
	struct dpx_memseg_fd_run runs[VU_MAX_RUNS];
	bool warned_unsealed;	 /* the back-end was given fds it can truncate (logged) */
	uint64_t connects;	 /* successful set-ups */
	uint64_t setup_failures; /* set-ups that failed (the connection was dropped) */
	int64_t retry_at_ms;	 /* client: no new connection before (CLOCK_MONOTONIC) */
};

/* ---- rings (virtio_user_ring.c) ---- */

/* Size and lay out a queue's ring memory (size a power of two). @return 0, -ENOMEM. */
int vu_vq_alloc(struct vu_vq *vq, uint16_t size, bool packed, int socket);
void vu_vq_free(struct vu_vq *vq);
/* Start over: empty ring, every buffer the device had back (rx: freed, tx: freed). */
void vu_vq_reset(struct vu_vq *vq, uint64_t features);
/* Rx, at device set-up (gate closed): fill every free descriptor with a buffer. */
void vu_vq_rx_refill(struct vu_vq *vq);
/* Did the device break the ring? (the control thread then resets the device) */
bool vu_vq_broken(const struct vu_vq *vq);
/* Tx, gate closed: free what the device has sent. @return descriptors it still holds. */
unsigned int vu_vq_tx_outstanding(struct vu_vq *vq);
uint16_t vu_rx_burst(void *queue, struct dpx_mbuf **pkts, uint16_t n);
uint16_t vu_tx_burst(void *queue, struct dpx_mbuf **pkts, uint16_t n);

/* ---- vhost-user front-end (virtio_user_dev.c) ---- */

/* @return CLOCK_MONOTONIC in milliseconds (control deadlines and retries). */
int64_t vu_now_ms(void);
/* @return the request's name ("SET_MEM_TABLE") for logs. */
const char *vu_req_name(uint32_t req);

/* Negotiate and set up the device on p->sock (lock held). @return 0 or -errno. */
int vu_dev_setup(struct vu_port *p);
/* Memory hotplug, lock held: share (ALLOC) or withdraw (FREE) [va, va + len). */
int vu_dev_mem_alloc(struct vu_port *p, const void *va, size_t len);
void vu_dev_mem_free(struct vu_port *p, const void *va, size_t len);

/*
 * Pure: the regions the back-end should hold for a set of fd runs (heap
 * memory), less [excl, excl + excl_len). Slots mode gives one region per page
 * (each removable on its own); table mode merges neighbours of one fd.
 * @return the number of regions, or -ENOSPC when more than max are needed.
 */
int vu_regions_build(const struct dpx_memseg_fd_run *runs, unsigned int nruns, uint64_t excl,
		     uint64_t excl_len, bool per_page, size_t page_sz, struct vu_region *out,
		     unsigned int max);

#endif /* VIRTIO_USER_H */
