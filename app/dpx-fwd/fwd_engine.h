/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Forwarding engines: one function per mode, each one pass of the shared
 * burst loop over one stream (receive or generate, transform, send, count).
 * A stream is polled by exactly one core, so its counters have one writer.
 */
#ifndef FWD_ENGINE_H
#define FWD_ENGINE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <dpx_common.h>

#include "fwd_options.h"
#include "fwd_pkt.h"
#include "fwd_stats.h"

struct dpx_mbuf;
struct dpx_mempool;

/**
 * --tx-pps pacing (pure): by TSC time start + t, floor(t * pps / hz) + 1
 * packets are due, so every second carries exactly pps of them, bursts are
 * cut to what is due, and a fraction left over one second is carried into
 * the next. A stall earns no more than one burst of credit: the rate is a
 * ceiling, not a debt.
 */
struct fwd_pacer {
	uint64_t hz;	   /**< TSC frequency */
	uint64_t pps;	   /**< 0: unpaced */
	uint64_t start;	   /**< TSC origin */
	uint64_t credited; /**< packets counted against the schedule so far */
};

static inline void
fwd_pacer_init(struct fwd_pacer *p, uint64_t hz, uint64_t pps, uint64_t now)
{
	p->hz = hz;
	p->pps = pps;
	p->start = now;
	p->credited = 0;
}

/** @return how many packets may go now, at most burst (burst when unpaced). */
static inline uint16_t
fwd_pacer_allow(struct fwd_pacer *p, uint64_t now, uint16_t burst)
{
	uint64_t due;

	if (p->pps == 0)
		return burst;
	due = (uint64_t)((unsigned __int128)(now - p->start) * p->pps / p->hz) + 1;
	if (due > p->credited + burst)
		p->credited = due - burst;
	return (uint16_t)(due - p->credited);
}

/** Count n packets against the schedule (what fwd_pacer_allow allowed and was built). */
static inline void
fwd_pacer_sent(struct fwd_pacer *p, uint16_t n)
{
	p->credited += n;
}

/** What txonly needs to build its packets; shared read-only by the streams of a port. */
struct fwd_txonly_tmpl {
	uint8_t frame[FWD_MAX_PKT_LEN]; /**< the whole packet, checksums valid */
	uint32_t len;
	uint16_t seg_len[FWD_MAX_TXSEGS];
	unsigned int nb_segs;
	/** Never 0, new at every fwd_txonly_tmpl_init: a one-segment mbuf whose
	 *  udata64 holds it already has frame in its data room (see txonly_fill). */
	uint64_t cookie;
};

struct fwd_stream {
	uint16_t rx_port, rx_queue; /**< port ids (not indexes) */
	uint16_t tx_port, tx_queue;
	uint16_t burst;
	int enabled; /**< 0 when a port it needs failed to start */
	int record_cycles;
	uint8_t tx_src_mac[FWD_ETHER_ADDR_LEN]; /**< mac mode: the tx port's address */
	uint8_t tx_dst_mac[FWD_ETHER_ADDR_LEN]; /**< mac mode: --eth-peer of the tx port */
	uint8_t rx_mac[FWD_ETHER_ADDR_LEN];	/**< icmpecho: replies come from the rx port */
	struct dpx_mempool *pool;		/**< txonly, flowgen, tx_first */
	const struct fwd_txonly_tmpl *tmpl;	/**< txonly, flowgen, tx_first */
	struct fwd_pacer pacer;			/**< --tx-pps */
	int multi_flow;	       /**< txonly --txonly-multi-flow: vary the source address */
	uint32_t flow;	       /**< next flow (flowgen, multi-flow) */
	uint32_t base_ip;      /**< address the flows count from */
	unsigned int verbose;  /**< "set verbose": 1 dump rx, 2 dump tx (written by the prompt) */
	FILE *dump;	       /**< where the dumps go */
	const char *pool_name; /**< shown in the dumps */
	struct fwd_stream_stats stats __dpx_cache_aligned;
} __dpx_cache_aligned;

typedef void(fwd_engine_t)(struct fwd_stream *fs);

void fwd_engine_io(struct fwd_stream *fs);
void fwd_engine_mac(struct fwd_stream *fs);
void fwd_engine_macswap(struct fwd_stream *fs);
void fwd_engine_rxonly(struct fwd_stream *fs);
void fwd_engine_txonly(struct fwd_stream *fs);
void fwd_engine_icmpecho(struct fwd_stream *fs);
void fwd_engine_csum(struct fwd_stream *fs);
void fwd_engine_flowgen(struct fwd_stream *fs);
void fwd_engine_5tswap(struct fwd_stream *fs);

/** @return the engine of a mode (NULL for an invalid mode). */
fwd_engine_t *fwd_engine_get(enum fwd_mode mode);

/* The per-packet steps, exposed for tests on crafted mbufs. */

/**
 * "start tx_first": one burst of template packets on the stream's tx queue,
 * counted as generated and sent or dropped (or gen_nombuf when the pool is
 * empty). Runs before the stream's core starts.
 * @return the packets sent.
 */
uint16_t fwd_tx_first_burst(struct fwd_stream *fs);

/**
 * csum mode on one packet (its chain of up to 16 segments): verify, count
 * bad checksums in fs->stats, recompute (fwd_csum_fix).
 */
void fwd_csum_packet(struct fwd_stream *fs, struct dpx_mbuf *m);

/**
 * icmpecho on a burst of n (at most FWD_MAX_BURST) packets: the requests
 * become replies, packed at the front in order; the rest is freed and
 * counted as consumed. @return the replies.
 */
uint16_t fwd_icmpecho_burst(struct fwd_stream *fs, struct dpx_mbuf **pkts, uint16_t n);

/** Swap the MAC addresses of each packet (frames shorter than 14 bytes are left alone). */
void fwd_macswap_burst(struct dpx_mbuf **pkts, uint16_t n);

/** Set src/dst MAC of each packet (frames shorter than 14 bytes are left alone). */
void fwd_mac_burst(struct dpx_mbuf **pkts, uint16_t n, const uint8_t *src, const uint8_t *dst);

/**
 * Allocate and fill up to n txonly packets from the template (one mbuf per
 * segment, chained). All or nothing.
 * @param txonly_pool true only when nothing but this template's packets is
 *   written into the pool's mbufs while the template lives (txonly mode: no
 *   receive polled); a one-segment packet whose mbuf carried the template
 *   before then keeps its bytes instead of having them copied again. flowgen
 *   and tx_first receive into the same pool, so they pass false.
 * @return n, or 0 when the pool ran out.
 */
uint16_t fwd_txonly_alloc_burst(struct dpx_mempool *pool, const struct fwd_txonly_tmpl *t,
				struct dpx_mbuf **pkts, uint16_t n, bool txonly_pool);

/**
 * Fill a template: the txonly frame of the configured length from tx port
 * MAC src to dst, split into the given segment lengths.
 * @return 0, or -EINVAL (total length out of 42..FWD_MAX_PKT_LEN, no segment).
 */
int fwd_txonly_tmpl_init(struct fwd_txonly_tmpl *t, const struct fwd_txonly_cfg *cfg,
			 const uint16_t *seg_len, unsigned int nb_segs);

#endif /* FWD_ENGINE_H */
