/* SPDX-License-Identifier: BSD-3-Clause */
/* vhost internals: devices, virtqueues, the copy batch, the socket layer. */
#ifndef VHOST_PRIVATE_H
#define VHOST_PRIVATE_H

#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/un.h>

#include <dpx_common.h>
#include <dpx_dmadev.h>
#include <dpx_errno.h>
#include <dpx_log.h>

#include "dpx_vhost.h"
#include "dpx_vhost_async.h"
#include "vhost_desc.h"
#include "vhost_mem.h"
#include "vhost_msg.h"
#include "virtio_defs.h"

extern int vhost_config_logtype;
extern int vhost_data_logtype;
#define VHOST_LOG(level, fmt, ...) \
	DPX_LOG(level, vhost_config_logtype, "vhost: " fmt, ##__VA_ARGS__)
#define VHOST_DLOG(level, fmt, ...) DPX_LOG(level, vhost_data_logtype, "vhost: " fmt, ##__VA_ARGS__)

/* Largest ring the guest may set (virtio 1.x queue size limit). */
#define VHOST_MAX_RING_SIZE 32768
/* Most packets one burst handles (the used-entry shadow is this big). */
#define VHOST_MAX_BURST 64
/* Copy descriptors batched before the copy backend runs. */
#define VHOST_COPY_BATCH 256
/* Used entries one burst may produce (mergeable packets take several). */
#define VHOST_USED_SHADOW 512

/*
 * One copy of the data path. Enqueue and dequeue only build these; the copy
 * backend executes a batch (sync), or each packet's batch becomes CPU copies
 * and DMA jobs (async): both ends are plain addresses, which are also the
 * IOVAs (guest regions are DMA-mapped at our address of them), with the
 * guest-physical side noted for the dirty log.
 */
struct vhost_copy {
	void *dst;
	const void *src;
	uint32_t len;
	/* guest-physical address of dst, marked dirty once the copy is done
	 * (dirty logging on), or VHOST_COPY_NO_LOG (dst is host memory) */
	uint64_t log_gpa;
};

#define VHOST_COPY_NO_LOG UINT64_MAX

struct vhost_copy_backend {
	const char *name;
	/* run n copies; when it returns, all of them are complete */
	void (*run)(void *ctx, const struct vhost_copy *copies, unsigned int n);
	void *ctx;
};

struct vhost_copy_batch {
	unsigned int n;
	unsigned int flushes; /* batches run so far: tells a rollback whether its copies ran */
	uint64_t flushed;     /* copies those batches ran (async counts them as CPU copies) */
	struct vhost_copy copies[VHOST_COPY_BATCH];
};

struct vhost_used_entry {
	uint16_t id;
	uint16_t ndesc;
	uint32_t len;
};

/* ---- async (vhost_async.c, and the async bodies in vhost_data.c) ---- */

/* In-flight entries of an async vring, of each kind: at least any ring
 * size, so a vring never holds more than this of honest work. */
#define VHOST_ASYNC_RING 32768
#define VHOST_ASYNC_MASK (VHOST_ASYNC_RING - 1)
/* The longest the vhost thread waits for a device's copies to complete
 * before memory or a ring changes: a DMA engine finishes a ring of jobs in
 * microseconds; the software engine's worker may be descheduled for a few
 * ms on a loaded host. An engine slower than this is taken as hung. */
#define VHOST_ASYNC_DRAIN_MS 1000
/* DMA vchans vhost can use at once, and VFIO containers behind them. */
#define VHOST_ASYNC_MAX_CONTAINERS 8

/* One packet (or one used entry without a packet: a dropped transmit chain)
 * between submit and its return to the application. */
struct vhost_async_pkt {
	struct dpx_mbuf *mbuf; /* NULL: none to return (no packet, or dropped and freed) */
	uint32_t len;	       /* packet bytes, counted when it completes */
	uint16_t nused;	       /* used entries it took, in the async used ring */
	uint16_t nlog;	       /* dirty-log ranges it wrote, in the async log ring */
	bool packet;	       /* a packet (counted in submitted/completed) */
	/* written by whoever collects the packet's DMA vchan: error relaxed,
	 * then done with release; the vring's owner reads done with acquire */
	uint8_t done;
	uint8_t error;
};

struct vhost_log_range {
	uint64_t gpa;
	uint64_t len;
};

/* Counters written by the vring's lock holder only (relaxed stores). */
struct vhost_async_counters {
	uint64_t dma_copies;
	uint64_t cpu_copies;
	uint64_t submitted;
	uint64_t completed;
	uint64_t dma_errors;
};

/*
 * An async vring's in-flight state: three rings (packets, their used
 * entries, their dirty-log ranges) with free-running 16-bit indexes.
 * pkt_tail <= pkt_pub <= pkt_head: [pub, head) have copies outstanding or
 * wait for an older packet; [tail, pub) are published to the guest and wait
 * for the application to take their mbufs. Only the vring's lock holder moves
 * the indexes.
 */
struct vhost_async {
	bool rx; /* an even vring: enqueue (host to guest) */
	uint16_t vring;
	uint16_t pkt_head, pkt_pub, pkt_tail;
	uint16_t used_head, used_pub;
	uint16_t log_head, log_pub;
	struct vhost_async_counters cnt;
	struct vhost_async_counters base; /* a reset moves it (vhost mutex) */
	/* the DMA vchan of the last async burst, dma_id << 16 | vchan, UINT32_MAX
	 * before any: the lock holder stores it, telemetry loads it (relaxed) */
	uint32_t last_vchan;
	struct vhost_async_pkt pkts[VHOST_ASYNC_RING];
	struct vhost_used_entry used[VHOST_ASYNC_RING];
	struct vhost_log_range log[VHOST_ASYNC_RING];
};

/*
 * A DMA vchan vhost uses (dpx_vhost_async_dma_configure). One job slot per
 * ring entry of the vchan, indexed by job index: the packet the job belongs
 * to, with bit 0 set on the packet's last job (jobs of a vchan complete in
 * order, so when the last completes the packet's others have). Everything
 * but `configured` changes under `lock`, which serializes vhost's calls on
 * the vchan (dmadev requires one thread at a time) across the vrings that
 * share it. One cache line each: net_vhost gives a port's queues a device's
 * vchans in turn, and queues polled by different lcores would otherwise
 * take the lock and write issued/in_flight on one shared line every burst.
 */
struct vhost_async_vchan {
	uint32_t lock;
	bool configured;
	int container; /* index in the container set, or -1 (IOVA = VA, no container) */
	uint16_t mask;
	uint16_t issued;    /* index after the last job vhost gave it */
	uint32_t in_flight; /* jobs given and not yet reported */
	uintptr_t *slots;
} __dpx_cache_aligned;

/* The per-queue access lock: held by the data path for a burst, taken by the
 * vhost thread (for every queue of the device) before it changes what the
 * data path reads: the memory table, ring addresses, the log. */
static inline bool
vhost_lock_try(uint32_t *l)
{
	uint32_t expect = 0;
	/* acquire pairs with the release in vhost_lock_release */
	return __atomic_compare_exchange_n(l, &expect, 1, false, __ATOMIC_ACQUIRE,
					   __ATOMIC_RELAXED);
}

static inline void
vhost_lock_take(uint32_t *l)
{
	while (!vhost_lock_try(l))
		dpx_pause();
}

static inline void
vhost_lock_release(uint32_t *l)
{
	__atomic_store_n(l, 0, __ATOMIC_RELEASE);
}

struct vhost_vq {
	uint32_t access_lock;
	uint16_t size;
	bool packed;
	bool enabled;	 /* SET_VRING_ENABLE (or enabled by default without PROTOCOL_FEATURES) */
	bool enable_set; /* SET_VRING_ENABLE received: the default no longer applies */
	bool ready;	 /* addresses translated and kick received: the data path may run */
	bool broken;	 /* the guest broke this ring: no more processing until reset */
	bool log;	 /* VHOST_VRING_F_LOG: log used-ring writes */
	/* split */
	struct vring_desc *desc;
	struct vring_avail *avail;
	struct vring_used *used;
	/* packed */
	struct vring_packed_desc *desc_packed;
	struct vring_packed_event *driver_event;
	struct vring_packed_event *device_event;
	uint64_t desc_gpa; /* packed: where used descriptors are logged */
	uint64_t device_event_gpa;
	uint16_t last_avail_idx;
	uint16_t last_used_idx;
	bool avail_wrap;
	bool used_wrap;
	uint16_t signalled_used;
	bool signalled_used_valid;
	unsigned int mem_hint;
	bool fast_ahead; /* the last short-way burst found every head it looked for */
	int kickfd;
	int callfd;
	int errfd;
	bool addr_set;
	struct vhost_user_vring_addr addr;
	/* written by the data path only (relaxed atomic stores); a reset moves
	 * stats_base (vhost mutex) instead of zeroing what a burst is counting */
	struct dpx_vhost_vring_stats stats;
	struct dpx_vhost_vring_stats stats_base;
	struct vhost_copy_batch batch;
	struct vhost_used_entry used_shadow[VHOST_USED_SHADOW];
	struct vhost_chain chain;
	struct vhost_async *async; /* registered async (set and cleared under access_lock) */
};

struct vhost_socket;

/* A message must be whole within this long of its first byte, or its peer is
 * disconnected: the vhost thread never waits for one peer (doc/vhost.md). */
#define VHOST_MSG_DEADLINE_MS 1000

/* The message a connection is receiving: bytes and fds gathered across
 * wake-ups of the vhost thread, and the deadline it must be whole by. */
struct vhost_rx {
	struct vhost_user_msg msg;
	size_t got;	      /* header and payload bytes received so far */
	uint64_t deadline_ms; /* vhost_now_ms() clock; meaningful while got > 0 */
};

struct vhost_dev {
	int vid;
	int fd; /* connection */
	struct vhost_socket *sock;
	uint64_t features;
	uint64_t protocol_features;
	bool features_set;
	bool running;	/* new_device accepted, destroy_device not yet called */
	bool came_up;	/* running once on this connection (a client path reconnects at once) */
	bool refused;	/* new_device refused it: offered again when a device of its path stops */
	bool broken;	/* a fatal protocol error: the connection is closed */
	uint8_t status; /* SET_STATUS */
	uint16_t mtu;
	uint32_t nr_vring; /* highest vring index touched + 1 */
	uint8_t rarp_mac[6];
	uint32_t rarp_pending; /* set by SEND_RARP, consumed by a dequeue */
	uint32_t hdr_len;      /* virtio-net header bytes for the negotiated features */
	struct vhost_mem *mem;
	uint8_t *log_base; /* dirty log bitmap (LOG_ALL) */
	uint64_t log_size;
	void *log_map;
	size_t log_map_size;
	const struct vhost_copy_backend *copy;
	uint32_t async_threshold;  /* copies shorter than this are done by the CPU (relaxed) */
	unsigned int async_vrings; /* vrings registered async */
	bool async_mapped;	   /* guest regions are DMA-mapped into the async containers */
	bool async_keep_memory;	   /* a drain expired under an engine without IOMMU: never
				      unmap guest memory (it may still write there) */
	struct vhost_rx rx;
	struct vhost_vq *vq[DPX_VHOST_MAX_VRINGS];
};

struct vhost_socket {
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	uint64_t flags;
	uint64_t features; /* offered */
	int fd;		   /* listening socket (server) or -1 */
	bool started;
	bool reconnect_pending; /* client: connect again at retry_at_ms */
	bool connect_failing;	/* client: the outage is logged */
	uint64_t retry_at_ms;
	uint64_t connected_at_ms;  /* client: when the connection now open was made */
	uint64_t listen_resume_ms; /* server: listener out of epoll until then (0: in) */
	int nconn;
	unsigned int max_conn;	  /* connections served at once (server) */
	uint16_t max_queue_pairs; /* GET_QUEUE_NUM */
	struct dpx_vhost_device_ops ops;
	void *ctx;
	struct vhost_socket *next;
};

/* the vhost mutex (vhost_socket.c): held by the vhost thread while it handles
 * messages and by the control calls and getters; never by the data path */
void vhost_global_lock(void);
void vhost_global_unlock(void);

/* device table (vhost_user.c) */
struct vhost_dev *vhost_dev_get(int vid);
struct vhost_dev *vhost_dev_new(struct vhost_socket *s, int fd);
void vhost_dev_destroy(struct vhost_dev *dev);
/* a running device of s stopped: offer the ready devices new_device refused again */
void vhost_dev_reoffer(const struct vhost_socket *s);
/* handle one validated message; fills *reply for answered requests.
 * @return 0, 1 (send reply), or -errno: the device is broken. */
int vhost_user_dispatch(struct vhost_dev *dev, struct vhost_user_msg *msg,
			struct vhost_user_msg *reply);
/* read what has arrived of dev's next message, never waiting: @return 0 (dev->rx.msg
 * is whole), -EAGAIN (not yet), -ECONNRESET (peer gone), or -errno (bad message). */
int vhost_user_recv(struct vhost_dev *dev, const char **why);
/* send without waiting: @return 0, -EAGAIN (the peer's socket buffer is full), -errno */
int vhost_user_send(int fd, const struct vhost_user_msg *msg);
/* close the fds a message still holds (those no handler kept) */
void vhost_user_close_fds(struct vhost_user_msg *msg);

/*
 * A guest memory or dirty log fd, judged from /proc before anything asks its
 * file system (vhost_fd.c): memory (memfd, tmpfs, hugetlbfs) and local block
 * file systems pass; FUSE, network, stacked and unknown ones are refused.
 * @return 0, -EPERM (refused), -EINVAL (/proc text unparsable), -errno (/proc
 * unreadable); *why then names the fd, its file system type and the reason
 * (valid until the next check on this thread).
 */
int vhost_mem_fd_check(int fd, const char **why);
/* Close an fd a front-end passed and dpx does not keep, without waiting for
 * the front-end: memory, eventfds and pipes at once, anything else on the
 * detached closer thread (whose close may wait for a FUSE server). */
void vhost_peer_fd_close(int fd);
/* Peer fds handed to the closer thread and not yet closed (tests). */
unsigned int vhost_peer_fd_closes_pending(void);
/* Peer fds never closed (the closer's queue was full, or it could not start). */
unsigned long vhost_peer_fd_left_open(void);
/* Keep /proc/self/mountinfo open (while the vhost thread runs), its text
 * read again only when poll() says the table changed. @return 0 or -errno
 * (then it is read for each fd, as without). */
int vhost_mountinfo_watch(void);
void vhost_mountinfo_unwatch(void);
/* Times the mount table was read (tests). */
unsigned long vhost_mountinfo_reads(void);
/* handle everything readable on a device connection: @return 0 or <0 to close. */
int vhost_user_handle(struct vhost_dev *dev);
/* when the message dev is receiving must be whole (UINT64_MAX: none under way) */
uint64_t vhost_user_deadline(const struct vhost_dev *dev);
/* @return true (logged) when dev's message missed its deadline: close it */
bool vhost_user_overdue(const struct vhost_dev *dev, uint64_t now_ms);
/* the vhost thread's clock (CLOCK_MONOTONIC), in ms */
uint64_t vhost_now_ms(void);

/* the virtio-net header size for these features */
uint32_t vhost_net_hdr_len(uint64_t features);
/* mark [gpa, gpa+len) dirty when LOG_ALL is on */
void vhost_log_write(struct vhost_dev *dev, uint64_t gpa, uint64_t len);

/* Dirty logging is on: the data path reads it once per burst (the vhost
 * thread changes the log only with every queue lock held). */
static inline bool
vhost_log_on(const struct vhost_dev *dev)
{
	return dev->log_base != NULL && ((dev->features >> VHOST_F_LOG_ALL) & 1);
}

/* One vring's counters since the last reset; with reset, the next read
 * starts from now. Caller holds the vhost mutex; bursts may be counting. */
void vhost_vq_stats_read(struct vhost_vq *vq, struct dpx_vhost_vring_stats *out, bool reset);
/* translate a ring's addresses; @return 0 or -EFAULT */
int vhost_vq_translate(struct vhost_dev *dev, struct vhost_vq *vq);

extern const struct vhost_copy_backend vhost_copy_cpu;

/* ---- async: data path (vhost_data.c) ---- */

/* Indexed by DMA device and vchan; `configured` is written under the vhost
 * mutex with release and read by bursts with acquire, the rest under the
 * vchan's lock (a burst checks `configured` again once it holds it). */
extern struct vhost_async_vchan vhost_async_vchans[DPX_DMADEV_MAX_DEVS][DPX_DMA_MAX_VCHANS];

static inline struct vhost_async_vchan *
vhost_async_vchan_get(int16_t dma_id, uint16_t vchan)
{
	struct vhost_async_vchan *vc;

	if (dma_id < 0 || dma_id >= DPX_DMADEV_MAX_DEVS || vchan >= DPX_DMA_MAX_VCHANS)
		return NULL;
	vc = &vhost_async_vchans[dma_id][vchan];
	/* acquire: pairs with the release store in dpx_vhost_async_dma_configure */
	return __atomic_load_n(&vc->configured, __ATOMIC_ACQUIRE) ? vc : NULL;
}

/* Packets an async vring holds: its lock holder, or any thread loading
 * relaxed (completed first, so the difference is never negative). */
static inline int
vhost_async_held(const struct vhost_async *as)
{
	uint64_t done = __atomic_load_n(&as->cnt.completed, __ATOMIC_RELAXED);

	return (int)(__atomic_load_n(&as->cnt.submitted, __ATOMIC_RELAXED) - done);
}

/* Publish the packets of an async vring whose copies completed, in ring
 * order (dirty-log marks, then used entries, then one call). Caller holds
 * the vring's lock. @return packets published. */
unsigned int vhost_async_complete(struct vhost_dev *dev, struct vhost_vq *vq);
/* Collect every configured vchan that has jobs of vhost in flight. */
void vhost_async_collect_all(void);
/* Collect one vchan's completions, marking its packets; caller holds vc->lock. */
void vhost_async_vchan_collect(int16_t dma_id, uint16_t vchan, struct vhost_async_vchan *vc);

/* ---- async: control (vhost_async.c), vhost thread with the vhost mutex ---- */

/* Complete and publish an async vring's in-flight copies, waiting at most
 * VHOST_ASYNC_DRAIN_MS; on expiry the vring's in-flight packets are
 * abandoned (never returned), the vring and device are broken.
 * Caller holds the vring's lock. @return 0 or -ETIMEDOUT. */
int vhost_async_drain(struct vhost_dev *dev, struct vhost_vq *vq);
/* vhost_async_drain against a deadline the caller took once
 * (vhost_async_deadline) for all of a device's vrings: a hung engine holds
 * the vhost thread, and every other device's messages, one
 * VHOST_ASYNC_DRAIN_MS per message, not one per vring. */
int vhost_async_drain_by(struct vhost_dev *dev, struct vhost_vq *vq, uint64_t deadline);
/* VHOST_ASYNC_DRAIN_MS from now on the drain's clock. */
uint64_t vhost_async_deadline(void);
/* The drain's clock, vhost_now_ms; a test replaces it with a clock that
 * advances per read, so that what a drain waits is counted, not timed. */
extern uint64_t (*vhost_async_clock_ms)(void);
/* Free a vring's async state; mbufs still held are freed (abandoned ones are not). */
void vhost_async_vq_free(struct vhost_dev *dev, struct vhost_vq *vq);
/* DMA-map a new region into every async container when the device is async
 * (nothing left mapped on failure). @return 0 or -errno. */
int vhost_async_region_map(struct vhost_dev *dev, const struct vhost_mem_region *r);
/* Undo vhost_async_region_map for a region that goes. */
void vhost_async_region_unmap(struct vhost_dev *dev, const struct vhost_mem_region *r);
/* Close a device's connection from outside its messages (the vhost thread
 * sees the end of its socket and destroys it). */
void vhost_dev_break(struct vhost_dev *dev);
/* An async vring's counters as dpx_vhost_async_stats_get gives them (vhost mutex). */
void vhost_async_stats_read(struct vhost_async *as, struct dpx_vhost_async_stats *stats,
			    bool reset);

/*
 * Data path over plain segments, for tests that check the bytes without mbufs.
 * Enqueue: src_segs describes packet i. Dequeue: dst_alloc gives room for a
 * packet of len bytes (-ENOMEM: none now, the chain stays in the ring for a
 * later burst; any other error drops the chain). The mbuf API
 * (dpx_vhost_enqueue_burst, dpx_vhost_dequeue_burst) shares the bodies, with
 * mbuf code inlined in place of these calls.
 */
struct vhost_seg {
	void *addr;
	uint32_t len;
};

#define VHOST_PKT_MAX_SEGS 32

struct vhost_pkt_ops {
	int (*src_segs)(void *ctx, uint16_t i, struct vhost_seg *segs, unsigned int max);
	int (*dst_alloc)(void *ctx, uint16_t i, uint32_t len, struct vhost_seg *segs,
			 unsigned int max);
};

uint16_t vhost_enqueue_segs(int vid, uint16_t vring, const struct vhost_pkt_ops *ops, void *ctx,
			    uint16_t n);
uint16_t vhost_dequeue_segs(int vid, uint16_t vring, const struct vhost_pkt_ops *ops, void *ctx,
			    uint16_t n);

#endif /* VHOST_PRIVATE_H */
