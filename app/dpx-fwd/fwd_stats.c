/* SPDX-License-Identifier: BSD-3-Clause */
/* Forward statistics: sums and text (pure). */
#include <inttypes.h>
#include <string.h>

#include "fwd_stats.h"

void
fwd_stream_stats_read(const struct fwd_stream_stats *live, struct fwd_stream_stats *copy)
{
	/* single writer per stream (its core); relaxed loads see whole 64-bit values */
	copy->rx_packets = __atomic_load_n(&live->rx_packets, __ATOMIC_RELAXED);
	copy->tx_packets = __atomic_load_n(&live->tx_packets, __ATOMIC_RELAXED);
	copy->fwd_dropped = __atomic_load_n(&live->fwd_dropped, __ATOMIC_RELAXED);
	copy->generated = __atomic_load_n(&live->generated, __ATOMIC_RELAXED);
	copy->consumed = __atomic_load_n(&live->consumed, __ATOMIC_RELAXED);
	copy->core_cycles = __atomic_load_n(&live->core_cycles, __ATOMIC_RELAXED);
}

uint64_t
fwd_stream_packets(const struct fwd_stream_stats *s)
{
	return s->rx_packets + s->generated;
}

void
fwd_port_totals(const struct fwd_stream_map *map, const struct fwd_stream_stats *stats,
		unsigned int nb_streams, uint16_t port, struct fwd_port_totals *t)
{
	memset(t, 0, sizeof(*t));
	for (unsigned int i = 0; i < nb_streams; i++) {
		const struct fwd_stream_stats *s = &stats[i];

		/* a stream's cycles belong to the port it works on: the one it
		 * receives on, or for a generating (txonly) stream the one it sends on */
		uint16_t work_port = s->generated != 0 ? map[i].tx_port : map[i].rx_port;

		if (map[i].rx_port == port) {
			t->rx_packets += s->rx_packets;
			t->consumed += s->consumed;
		}
		if (map[i].tx_port == port) {
			t->tx_packets += s->tx_packets;
			t->tx_dropped += s->fwd_dropped;
			t->generated += s->generated;
		}
		if (work_port == port) {
			t->core_cycles += s->core_cycles;
			t->packets += fwd_stream_packets(s);
		}
	}
}

void
fwd_port_totals_add(struct fwd_port_totals *a, const struct fwd_port_totals *b)
{
	a->rx_packets += b->rx_packets;
	a->rx_dropped += b->rx_dropped;
	a->tx_packets += b->tx_packets;
	a->tx_dropped += b->tx_dropped;
	a->generated += b->generated;
	a->consumed += b->consumed;
	a->core_cycles += b->core_cycles;
	a->packets += b->packets;
}

void
fwd_print_stream(FILE *f, unsigned int idx, const struct fwd_stream_map *m,
		 const uint16_t *port_ids, unsigned int lcore, const struct fwd_stream_stats *s)
{
	fprintf(f,
		"  Stream %u: port %u/queue %u -> port %u/queue %u (lcore %u): rx %" PRIu64
		" generated %" PRIu64 " tx %" PRIu64 " dropped %" PRIu64 " consumed %" PRIu64 "\n",
		idx, port_ids[m->rx_port], m->rx_queue, port_ids[m->tx_port], m->tx_queue, lcore,
		s->rx_packets, s->generated, s->tx_packets, s->fwd_dropped, s->consumed);
}

static void
print_cycles(FILE *f, uint64_t cycles, uint64_t packets)
{
	if (packets == 0)
		fprintf(f, "  CPU cycles/packet: n/a (no packets)\n");
	else
		fprintf(f,
			"  CPU cycles/packet: %.2f (busy cycles %" PRIu64 ", packets %" PRIu64
			")\n",
			(double)cycles / (double)packets, cycles, packets);
}

void
fwd_print_port(FILE *f, uint16_t port_id, const struct fwd_port_totals *t, int with_cycles)
{
	fprintf(f,
		"  ---------------------- Forward statistics for port %-2u "
		"----------------------\n",
		port_id);
	fprintf(f,
		"  RX-packets: %-14" PRIu64 " RX-dropped: %-14" PRIu64 " RX-total: %" PRIu64 "\n",
		t->rx_packets, t->rx_dropped, t->rx_packets + t->rx_dropped);
	fprintf(f,
		"  TX-packets: %-14" PRIu64 " TX-dropped: %-14" PRIu64 " TX-total: %" PRIu64 "\n",
		t->tx_packets, t->tx_dropped, t->tx_packets + t->tx_dropped);
	if (t->generated != 0 || t->consumed != 0)
		fprintf(f, "  Generated:  %-14" PRIu64 " Consumed:   %" PRIu64 "\n", t->generated,
			t->consumed);
	if (with_cycles)
		print_cycles(f, t->core_cycles, t->packets);
	fprintf(f,
		"  ----------------------------------------------------------------------------\n");
}

void
fwd_print_totals(FILE *f, const struct fwd_port_totals *t, int with_cycles)
{
	fprintf(f,
		"  +++++++++++++++ Accumulated forward statistics for all ports +++++++++++++++\n");
	fprintf(f,
		"  RX-packets: %-14" PRIu64 " RX-dropped: %-14" PRIu64 " RX-total: %" PRIu64 "\n",
		t->rx_packets, t->rx_dropped, t->rx_packets + t->rx_dropped);
	fprintf(f,
		"  TX-packets: %-14" PRIu64 " TX-dropped: %-14" PRIu64 " TX-total: %" PRIu64 "\n",
		t->tx_packets, t->tx_dropped, t->tx_packets + t->tx_dropped);
	if (t->generated != 0 || t->consumed != 0)
		fprintf(f, "  Generated:  %-14" PRIu64 " Consumed:   %" PRIu64 "\n", t->generated,
			t->consumed);
	if (with_cycles)
		print_cycles(f, t->core_cycles, t->packets);
	fprintf(f,
		"  ++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++\n");
}

double
fwd_rate_per_sec(uint64_t prev, uint64_t cur, uint64_t ns)
{
	if (ns == 0 || cur < prev)
		return 0.0;
	return (double)(cur - prev) * 1e9 / (double)ns;
}
