/* SPDX-License-Identifier: BSD-3-Clause */
/* Stream layout and core assignment (pure). */
#include <errno.h>

#include "fwd_streams.h"

uint16_t
fwd_peer_port(uint16_t idx, uint16_t nb_ports, enum fwd_topology topo)
{
	uint16_t peer = idx ^ 1;

	if (topo == FWD_TOPO_LOOP)
		return idx;
	if (topo == FWD_TOPO_CHAINED)
		return (uint16_t)((idx + 1u) % nb_ports);
	return peer < nb_ports ? peer : idx;
}

unsigned int
fwd_streams_count(uint16_t nb_ports, uint16_t nb_rxq, uint16_t nb_txq)
{
	/* stream q sends on tx queue q: a port's rx queues beyond its tx queues have
	 * no tx queue of their own, and sharing one would need a lock */
	return (unsigned int)nb_ports * (nb_rxq < nb_txq ? nb_rxq : nb_txq);
}

int
fwd_streams_build(uint16_t nb_ports, uint16_t nb_rxq, uint16_t nb_txq, unsigned int nb_cores,
		  enum fwd_topology topo, struct fwd_stream_map *out, unsigned int max,
		  unsigned int *used_cores)
{
	unsigned int n = fwd_streams_count(nb_ports, nb_rxq, nb_txq);
	unsigned int nb_q = nb_rxq < nb_txq ? nb_rxq : nb_txq;
	unsigned int cores, s = 0;

	if (n == 0 || nb_cores == 0)
		return -EINVAL;
	if (n > max)
		return -ENOSPC;
	cores = nb_cores < n ? nb_cores : n;
	for (unsigned int q = 0; q < nb_q; q++) {
		for (uint16_t p = 0; p < nb_ports; p++, s++) {
			out[s].rx_port = p;
			out[s].rx_queue = (uint16_t)q;
			out[s].tx_port = fwd_peer_port(p, nb_ports, topo);
			out[s].tx_queue = (uint16_t)q;
			/* stream s belongs to the core whose run [c*n/cores, (c+1)*n/cores) holds
			 * it */
			out[s].core = (unsigned int)(((unsigned long)s * cores) / n);
		}
	}
	*used_cores = cores;
	return (int)n;
}
