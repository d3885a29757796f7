/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Forward statistics (pure: sums and text). Each stream's counters are
 * written only by the core that forwards it; others read them relaxed.
 *
 * Counting rule, per stream: every packet received (or generated, in txonly)
 * is either sent (tx) or freed because the tx queue refused it (dropped):
 *     rx + generated = tx + dropped + consumed
 * where consumed counts the packets a mode frees on purpose (rxonly all it
 * receives, icmpecho what is not a request, flowgen what it receives); so in
 * io/mac/macswap/csum/5tswap rx = tx + dropped, in txonly generated = tx +
 * dropped, in rxonly rx = consumed.
 *
 * The text is testpmd 22.11's, byte for byte where testpmd prints the same
 * thing (test/data/testpmd-22.11 holds its real output; test_fwd.c checks
 * these functions reproduce it), with dpx's own counters on lines of their
 * own that testpmd's parsers skip.
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
	uint64_t consumed;    /**< freed on purpose (rxonly, icmpecho, flowgen's rx) */
	uint64_t core_cycles; /**< busy cycles (bursts that moved packets), --record-core-cycles */
	uint64_t gen_nombuf;  /**< packets txonly/flowgen/tx_first could not build: no mbuf */
	uint64_t bad_ip_csum; /**< csum: IPv4 header checksums that did not verify */
	uint64_t bad_l4_csum; /**< csum: UDP/TCP checksums that did not verify */
};

/** Per-port sums: rx side (rx, consumed) from streams receiving on it, tx side (tx,
 *  dropped, generated) from streams sending on it. */
struct fwd_port_totals {
	uint64_t rx_packets;
	uint64_t rx_dropped; /**< the port's own imissed over the run (testpmd's RX-dropped) */
	uint64_t rx_errors;  /**< the port's ierrors over the run */
	uint64_t rx_nombuf;  /**< the port's rx mbuf allocation failures over the run */
	uint64_t tx_packets;
	uint64_t tx_dropped;
	uint64_t generated;
	uint64_t consumed;
	uint64_t core_cycles; /**< cycles of the streams receiving on it (generating streams:
				 sending) */
	uint64_t packets;     /**< packets those cycles were spent on */
	uint64_t gen_nombuf;
	uint64_t bad_ip_csum;
	uint64_t bad_l4_csum;
};

/** What the text shows besides the counters. */
struct fwd_stats_fmt {
	const char *mode; /**< forwarding mode name (cycles line) */
	int csum;	  /**< csum mode: the bad-checksum lines */
	int cycles;	  /**< --record-core-cycles: the cycles line */
	uint64_t tsc_hz;  /**< for "at N MHz Clock" */
};

/** A port's counters as "show port stats" shows them, and its rates since the last show. */
struct fwd_nic_stats {
	uint64_t ipackets, imissed, ibytes, ierrors, rx_nombuf;
	uint64_t opackets, oerrors, obytes;
	uint64_t rx_pps, rx_bps, tx_pps, tx_bps;
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

/** dpx's line per stream: "Stream N: port A/queue Q -> port B/queue R (lcore L): rx ..". */
void fwd_print_stream(FILE *f, unsigned int idx, const struct fwd_stream_map *m,
		      const uint16_t *port_ids, unsigned int lcore,
		      const struct fwd_stream_stats *s);

/** testpmd's per-stream block ("------- Forward Stats for RX Port= 0/Queue= 0 -> ..."). */
void fwd_print_stream_block(FILE *f, const struct fwd_stream_map *m, const uint16_t *port_ids,
			    const struct fwd_stream_stats *s, const struct fwd_stats_fmt *fmt);

/** testpmd's per-port block ("---- Forward statistics for port N ----"). */
void fwd_print_port(FILE *f, uint16_t port_id, const struct fwd_port_totals *t,
		    const struct fwd_stats_fmt *fmt);

/** The accumulated block for all ports, then the cycles line when fmt->cycles. */
void fwd_print_totals(FILE *f, const struct fwd_port_totals *t, const struct fwd_stats_fmt *fmt);

/** testpmd's "show port stats" block. */
void fwd_print_nic_stats(FILE *f, uint16_t port_id, const struct fwd_nic_stats *s);

/** @return (cur - prev) per second over ns nanoseconds (0 when ns is 0 or counters went back). */
double fwd_rate_per_sec(uint64_t prev, uint64_t cur, uint64_t ns);

#endif /* FWD_STATS_H */
