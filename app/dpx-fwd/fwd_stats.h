/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Forward statistics (pure: sums and text). Each stream's counters are
 * written only by the core that forwards it; others read them relaxed.
 *
 * Counting rule, per stream: every packet received (or generated, in txonly)
 * is either sent (tx) or freed because the tx queue refused it (dropped):
 *     rx + generated = tx + dropped + consumed
 * where consumed counts rxonly's freed packets; so in io/mac/macswap
 * rx = tx + dropped, in txonly generated = tx + dropped, in rxonly rx = consumed.
 */
#ifndef FWD_STATS_H
#define FWD_STATS_H

#include <stdint.h>
#include <stdio.h>

#include "fwd_streams.h"

struct fwd_stream_stats {
	uint64_t rx_packets;
	uint64_t tx_packets;
	uint64_t fwd_dropped; /**< refused by the tx queue, freed */
	uint64_t generated;   /**< built by txonly */
	uint64_t consumed;    /**< freed by rxonly */
	uint64_t core_cycles; /**< busy cycles (bursts that moved packets), --record-core-cycles */
};

/** Per-port sums: rx side (rx, consumed) from streams receiving on it, tx side (tx,
 *  dropped, generated) from streams sending on it. */
struct fwd_port_totals {
	uint64_t rx_packets;
	uint64_t rx_dropped; /**< the port's own imissed + rx_nombuf over the run */
	uint64_t tx_packets;
	uint64_t tx_dropped;
	uint64_t generated;
	uint64_t consumed;
	uint64_t core_cycles; /**< cycles of the streams receiving on it (generating streams:
				 sending) */
	uint64_t packets;     /**< packets those cycles were spent on */
};

/** Read a stream's counters consistently enough for display (relaxed atomic loads). */
void fwd_stream_stats_read(const struct fwd_stream_stats *live, struct fwd_stream_stats *copy);

/** @return packets a stream worked on: received, or generated in txonly. */
uint64_t fwd_stream_packets(const struct fwd_stream_stats *s);

/** Sum the streams of port index port into t (t is zeroed first; rx_dropped left 0). */
void fwd_port_totals(const struct fwd_stream_map *map, const struct fwd_stream_stats *stats,
		     unsigned int nb_streams, uint16_t port, struct fwd_port_totals *t);

/** Add b into a. */
void fwd_port_totals_add(struct fwd_port_totals *a, const struct fwd_port_totals *b);

/** One line per stream: "Stream N: port A/queue Q -> port B/queue R (lcore L): rx .. tx .. dropped
 * ..". */
void fwd_print_stream(FILE *f, unsigned int idx, const struct fwd_stream_map *m,
		      const uint16_t *port_ids, unsigned int lcore,
		      const struct fwd_stream_stats *s);

/** testpmd's per-port block; cycles per packet when with_cycles. */
void fwd_print_port(FILE *f, uint16_t port_id, const struct fwd_port_totals *t, int with_cycles);

/** The accumulated block for all ports. */
void fwd_print_totals(FILE *f, const struct fwd_port_totals *t, int with_cycles);

/** @return (cur - prev) per second over ns nanoseconds (0 when ns is 0 or counters went back). */
double fwd_rate_per_sec(uint64_t prev, uint64_t cur, uint64_t ns);

#endif /* FWD_STATS_H */
