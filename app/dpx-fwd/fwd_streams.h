/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Streams and their cores (pure). A stream is one (rx port, rx queue) polled
 * by one forwarding core and sent to (tx port, tx queue). Ports are joined
 * as testpmd's --port-topology says: paired 0<->1, 2<->3, ... (an odd last
 * port loops to itself), chained 0->1->...->0, or loop (each to itself).
 * Port numbers here are indexes into the forwarding port list.
 */
#ifndef FWD_STREAMS_H
#define FWD_STREAMS_H

#include <stdint.h>

#include "fwd_options.h"

struct fwd_stream_map {
	uint16_t rx_port, rx_queue;
	uint16_t tx_port, tx_queue;
	unsigned int core; /**< index of the forwarding core, 0..nb_cores-1 */
};

/**
 * @return the port index that port index idx sends to among nb_ports: a
 *   bijection for every topology, so no tx queue serves two streams.
 */
uint16_t fwd_peer_port(uint16_t idx, uint16_t nb_ports, enum fwd_topology topo);

/** @return how many streams fwd_streams_build makes: nb_ports * min(nb_rxq, nb_txq). */
unsigned int fwd_streams_count(uint16_t nb_ports, uint16_t nb_rxq, uint16_t nb_txq);

/**
 * Lay out the streams and spread them over the cores, queue-major (every
 * port's queue 0 first) so that one core's streams span ports. Each core gets
 * a contiguous run of streams, the runs differing in length by at most one.
 * Invariants (tested): every (rx port, rx queue) and every (tx port, tx queue)
 * appears in at most one stream, so no queue is shared between cores.
 * @param nb_cores  cores available; only min(nb_cores, streams) are used
 * @param out       room for max streams
 * @param used_cores receives the number of cores that got streams
 * @return the number of streams, or -EINVAL (no ports, queues or cores),
 *   -ENOSPC (more streams than max).
 */
int fwd_streams_build(uint16_t nb_ports, uint16_t nb_rxq, uint16_t nb_txq, unsigned int nb_cores,
		      enum fwd_topology topo, struct fwd_stream_map *out, unsigned int max,
		      unsigned int *used_cores);

#endif /* FWD_STREAMS_H */
