/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Forwarding engines: one function per mode, each one pass of the shared
 * burst loop over one stream (receive or generate, transform, send, count).
 * A stream is polled by exactly one core, so its counters have one writer.
 */
#ifndef FWD_ENGINE_H
#define FWD_ENGINE_H

#include <stdint.h>

#include <dpx_common.h>

#include "fwd_options.h"
#include "fwd_pkt.h"
#include "fwd_stats.h"

struct dpx_mbuf;
struct dpx_mempool;

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
	struct dpx_mempool *pool;		/**< txonly */
	const struct fwd_txonly_tmpl *tmpl;	/**< txonly */
	uint64_t tx_gap_cycles; /**< txonly --tx-pps: cycles between bursts (0: none) */
	uint64_t next_tx_cycles;
	struct fwd_stream_stats stats __dpx_cache_aligned;
} __dpx_cache_aligned;

typedef void(fwd_engine_t)(struct fwd_stream *fs);

void fwd_engine_io(struct fwd_stream *fs);
void fwd_engine_mac(struct fwd_stream *fs);
void fwd_engine_macswap(struct fwd_stream *fs);
void fwd_engine_rxonly(struct fwd_stream *fs);
void fwd_engine_txonly(struct fwd_stream *fs);

/** @return the engine of a mode (NULL for an invalid mode). */
fwd_engine_t *fwd_engine_get(enum fwd_mode mode);

/* The per-packet steps, exposed for tests on crafted mbufs. */

/** Swap the MAC addresses of each packet (frames shorter than 14 bytes are left alone). */
void fwd_macswap_burst(struct dpx_mbuf **pkts, uint16_t n);

/** Set src/dst MAC of each packet (frames shorter than 14 bytes are left alone). */
void fwd_mac_burst(struct dpx_mbuf **pkts, uint16_t n, const uint8_t *src, const uint8_t *dst);

/**
 * Allocate and fill up to n txonly packets from the template (one mbuf per
 * segment, chained). All or nothing.
 * @return n, or 0 when the pool ran out.
 */
uint16_t fwd_txonly_alloc_burst(struct dpx_mempool *pool, const struct fwd_txonly_tmpl *t,
				struct dpx_mbuf **pkts, uint16_t n);

/**
 * Fill a template: the txonly frame of the configured length from tx port
 * MAC src to dst, split into the given segment lengths.
 * @return 0, or -EINVAL (total length out of 42..FWD_MAX_PKT_LEN, no segment).
 */
int fwd_txonly_tmpl_init(struct fwd_txonly_tmpl *t, const struct fwd_txonly_cfg *cfg,
			 const uint16_t *seg_len, unsigned int nb_segs);

#endif /* FWD_ENGINE_H */
