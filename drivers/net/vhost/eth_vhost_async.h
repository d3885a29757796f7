/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * net_vhost's async queues (devarg dmas=): which port queue copies on which
 * DMA vchan, the DMA devices net_vhost sets up itself, the async channels
 * registered at the vhost callbacks, the async bursts, and what stop and
 * teardown collect. eth_vhost.c calls these around its own gates and
 * counters; nothing here knows its structs.
 *
 *   dmas=[txq0@dma_sw0;rxq0@dma_sw1]  txq q: host -> guest, vring 2q (enqueue)
 *                                     rxq q: guest -> host, vring 2q+1 (dequeue)
 *   dma_ring_size=N        ring of each vchan net_vhost sets up (default 1024)
 *   dma_copy_threshold=N   copies shorter than N bytes are done by the CPU
 *                          (default: the library's, 512)
 *
 * Who owns an mbuf. A tx burst hands the packets it accepts to vhost; vhost
 * returns each once its copies completed (dpx_vhost_poll_enqueue_completed,
 * dpx_vhost_clear_queue), and net_vhost frees it then, exactly once. An rx
 * burst gets only packets whose copies completed. `held` counts what vhost
 * holds for a queue, so stop and teardown know when they have it all.
 */
#ifndef ETH_VHOST_ASYNC_H
#define ETH_VHOST_ASYNC_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include <dpx_common.h>
#include <dpx_ethdev.h>
#include <dpx_kvargs.h>
#include <dpx_log.h>
#include <dpx_vhost.h>
#include <dpx_vhost_async.h>

extern int net_vhost_logtype;
#define VH_LOG(level, fmt, ...) DPX_LOG(level, net_vhost_logtype, "net_vhost: " fmt, ##__VA_ARGS__)

#define VH_MAX_QUEUES DPX_VHOST_MAX_QUEUE_PAIRS
/* packets one library burst call handles at most */
#define VH_LIB_BURST 64
/* ring of each vchan net_vhost sets up itself, unless dma_ring_size says */
#define VH_ASYNC_DEFAULT_RING 1024
/* The longest stop or teardown waits for a queue's copies: as long as the
 * vhost library's own drain, which an engine slower than that also fails. */
#define VH_ASYNC_COLLECT_MS 1000
/* async xstats per async queue: see vh_async_xstats */
#define VH_ASYNC_XSTATS 6

/* One port queue's async state, on a cache line of its own (the tx burst
 * writes lock, held and bursts; an rx burst on another lcore reads them). */
struct vh_async_queue {
	int16_t dma_id; /* -1: the queue is sync */
	uint16_t vchan;
	uint16_t vring;
	/* registered async on the running device: the vhost thread stores it
	 * (release, after the registration) and the bursts load it (acquire) */
	uint32_t on;
	/* tx: held by the tx burst, tried by the rx burst of the same queue
	 * pair when it collects the tx completions (a vring's async calls come
	 * from one thread at a time) */
	uint32_t lock;
	uint32_t held;	  /* packets vhost holds for the queue; see the file comment */
	uint64_t bursts;  /* tx: bursts so far, for the rx side to see the queue idle */
	uint64_t seen;	  /* rx: the tx queue's bursts at the last look */
	uint64_t dropped; /* rx: packets freed at stop or teardown (the port's imissed) */
	struct dpx_vhost_async_stats base; /* counters of the devices gone */
} __dpx_cache_aligned;

/* A port's async configuration (probe) and queues. */
struct vh_async_port {
	char name[64]; /* the port's device name, for the log */
	bool any;      /* some queue is async */
	bool threshold_set;
	uint32_t threshold;
	uint16_t ring_size;
	unsigned int ndmas;
	int16_t dmas[2 * VH_MAX_QUEUES]; /* the distinct DMA devices the port uses */
	/* stop (application thread) and the vhost callbacks collect and
	 * (un)register under it; neither calls a function that takes the vhost
	 * mutex while holding it from the application side */
	pthread_mutex_t lock;
	struct vh_async_queue rxq[VH_MAX_QUEUES];
	struct vh_async_queue txq[VH_MAX_QUEUES];
};

/* One dmas= entry. */
struct vh_dmas_entry {
	bool tx;
	uint16_t queue;
	char dma[64];
};

/*
 * Parse a dmas= value (pure): "[txq0@dma_sw0;rxq0@dma_sw1]".
 * @param queues the port's queue pairs (queue numbers must be below)
 * @return entries (>= 1) in out[0..], or -EINVAL with why[] saying what is wrong.
 */
int vh_dmas_parse(const char *value, uint16_t queues, struct vh_dmas_entry *out, unsigned int cap,
		  char *why, size_t whylen);

/* The async devargs: parse them, find the DMA devices, set up and start those
 * not started, configure the vchans for vhost. @return 0 or -errno, logged. */
int vh_async_setup(struct vh_async_port *a, const char *name, const struct dpx_kvargs *kv,
		   uint16_t queues);
/* Give the DMA vchans back (the port closes, its devices are gone). */
void vh_async_release(struct vh_async_port *a);

/* vhost callbacks (vhost thread). */
void vh_async_new_device(struct vh_async_port *a, int vid);
void vh_async_vring_enabled(struct vh_async_port *a, int vid, uint16_t vring);
void vh_async_destroy_device(struct vh_async_port *a, int vid);
/* Port stop, every gate closed: collect every queue's packets. */
void vh_async_stop(struct vh_async_port *a, int vid);

/*
 * Bursts, inside the port queue's gate. tx: submit, count the bytes of what
 * was accepted (*bytes), collect and free what completed. rx: the packets
 * whose copies completed when the queue is on, then the completions of the
 * tx queue of the same pair when that queue is async and idle (its guest
 * would otherwise wait for the next tx burst to see them).
 */
uint16_t vh_async_tx(struct vh_async_queue *q, int vid, struct dpx_mbuf **pkts, uint16_t n,
		     uint64_t *bytes);
uint16_t vh_async_rx(struct vh_async_queue *q, struct vh_async_queue *txq, int vid,
		     struct dpx_mempool *mp, struct dpx_mbuf **pkts, uint16_t n);

/* Counters of one queue: devices gone plus the running one. */
void vh_async_queue_stats(struct vh_async_queue *q, int vid, struct dpx_vhost_async_stats *out);
/* ethdev stats the async queues add: received packets dropped at stop. A
 * packet a DMA error dropped is already in its vring's errors (ierrors,
 * oerrors), which the library counts with dma_errors. */
void vh_async_add_stats(struct vh_async_port *a, uint64_t *imissed);
void vh_async_stats_reset(struct vh_async_port *a, int vid);
/* xstats after the port's own, numbered from first. @return their count;
 * names and values filled when not NULL. */
unsigned int vh_async_xstats(struct vh_async_port *a, int vid, unsigned int first,
			     struct dpx_eth_xstat_name *names, struct dpx_eth_xstat *xs);

/* A queue that copies async right now (registered on the running device). */
static inline bool
vh_async_on(const struct vh_async_queue *q)
{
	/* acquire: pairs with the release store after the registration */
	return __atomic_load_n(&q->on, __ATOMIC_ACQUIRE) != 0;
}

#endif /* ETH_VHOST_ASYNC_H */
