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
	copy->gen_nombuf = __atomic_load_n(&live->gen_nombuf, __ATOMIC_RELAXED);
	copy->bad_ip_csum = __atomic_load_n(&live->bad_ip_csum, __ATOMIC_RELAXED);
	copy->bad_l4_csum = __atomic_load_n(&live->bad_l4_csum, __ATOMIC_RELAXED);
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
			t->bad_ip_csum += s->bad_ip_csum;
			t->bad_l4_csum += s->bad_l4_csum;
		}
		if (map[i].tx_port == port) {
			t->tx_packets += s->tx_packets;
			t->tx_dropped += s->fwd_dropped;
			t->generated += s->generated;
			t->gen_nombuf += s->gen_nombuf;
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
	a->rx_errors += b->rx_errors;
	a->rx_nombuf += b->rx_nombuf;
	a->gen_nombuf += b->gen_nombuf;
	a->bad_ip_csum += b->bad_ip_csum;
	a->bad_l4_csum += b->bad_l4_csum;
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

void
fwd_print_stream_block(FILE *f, const struct fwd_stream_map *m, const uint16_t *port_ids,
		       const struct fwd_stream_stats *s, const struct fwd_stats_fmt *fmt)
{
	fprintf(f,
		"\n  ------- Forward Stats for RX Port=%2u/Queue=%2u -> TX Port=%2u/Queue=%2u "
		"-------\n",
		port_ids[m->rx_port], m->rx_queue, port_ids[m->tx_port], m->tx_queue);
	fprintf(f,
		"  RX-packets: %-14" PRIu64 " TX-packets: %-14" PRIu64 " TX-dropped: %-14" PRIu64,
		s->rx_packets, s->tx_packets, s->fwd_dropped);
	if (fmt->csum)
		/* dpx has no tunnels: the outer-header counters are always 0 */
		fprintf(f,
			"  RX- bad IP checksum: %-14" PRIu64 "  Rx- bad L4 checksum: %-14" PRIu64
			" Rx- bad outer L4 checksum: %-14d\n RX- bad outer IP checksum: %-14d",
			s->bad_ip_csum, s->bad_l4_csum, 0, 0);
	fputc('\n', f);
}

/* RX and TX lines shared by the per-port and the accumulated block. */
static void
print_rx_line(FILE *f, const struct fwd_port_totals *t)
{
	fprintf(f, "  RX-packets: %-14" PRIu64 " RX-dropped: %-14" PRIu64 "RX-total: %" PRIu64 "\n",
		t->rx_packets, t->rx_dropped, t->rx_packets + t->rx_dropped);
}

static void
print_tx_line(FILE *f, const struct fwd_port_totals *t)
{
	fprintf(f, "  TX-packets: %-14" PRIu64 " TX-dropped: %-14" PRIu64 "TX-total: %" PRIu64 "\n",
		t->tx_packets, t->tx_dropped, t->tx_packets + t->tx_dropped);
}

/* dpx's own counters, one line testpmd's parsers do not know (printed only when non-zero). */
static void
print_dpx_counters(FILE *f, const struct fwd_port_totals *t)
{
	if (t->generated != 0 || t->consumed != 0 || t->gen_nombuf != 0)
		fprintf(f,
			"  Generated: %-14" PRIu64 "  Gen-nombuf: %-14" PRIu64 "Consumed: %" PRIu64
			"\n",
			t->generated, t->gen_nombuf, t->consumed);
}

void
fwd_print_port(FILE *f, uint16_t port_id, const struct fwd_port_totals *t,
	       const struct fwd_stats_fmt *fmt)
{
	fprintf(f,
		"\n  ---------------------- Forward statistics for port %-2u "
		"----------------------\n",
		port_id);
	print_rx_line(f, t);
	if (fmt->csum) {
		fprintf(f,
			"  Bad-ipcsum: %-14" PRIu64 " Bad-l4csum: %-14" PRIu64
			"Bad-outer-l4csum: %-14d\n  Bad-outer-ipcsum: %-14d\n",
			t->bad_ip_csum, t->bad_l4_csum, 0, 0);
	}
	if (t->rx_errors + t->rx_nombuf > 0)
		fprintf(f, "  RX-error: %" PRIu64 "\n  RX-nombufs: %-14" PRIu64 "\n", t->rx_errors,
			t->rx_nombuf);
	print_tx_line(f, t);
	print_dpx_counters(f, t);
	fprintf(f,
		"  ----------------------------------------------------------------------------\n");
}

void
fwd_print_totals(FILE *f, const struct fwd_port_totals *t, const struct fwd_stats_fmt *fmt)
{
	fprintf(f, "\n  +++++++++++++++ Accumulated forward statistics for all ports"
		   "+++++++++++++++\n");
	print_rx_line(f, t);
	print_tx_line(f, t);
	print_dpx_counters(f, t);
	fprintf(f,
		"  ++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++\n");
	/* testpmd: one line for all cores, over the packets its engines worked on */
	if (fmt->cycles && t->packets != 0)
		fprintf(f,
			"\n  CPU cycles/packet=%.2f (total cycles=%" PRIu64
			" / total %s packets=%" PRIu64 ") at %" PRIu64 " MHz Clock\n",
			(double)t->core_cycles / (double)t->packets, t->core_cycles, fmt->mode,
			t->packets, fmt->tsc_hz / 1000000);
}

void
fwd_print_nic_stats(FILE *f, uint16_t port_id, const struct fwd_nic_stats *s)
{
	fprintf(f,
		"\n  ######################## NIC statistics for port %-2u "
		"########################\n",
		port_id);
	fprintf(f,
		"  RX-packets: %-10" PRIu64 " RX-missed: %-10" PRIu64 " RX-bytes:  %" PRIu64 "\n",
		s->ipackets, s->imissed, s->ibytes);
	fprintf(f, "  RX-errors: %" PRIu64 "\n  RX-nombuf:  %-10" PRIu64 "\n", s->ierrors,
		s->rx_nombuf);
	fprintf(f,
		"  TX-packets: %-10" PRIu64 " TX-errors: %-10" PRIu64 " TX-bytes:  %" PRIu64 "\n",
		s->opackets, s->oerrors, s->obytes);
	fprintf(f, "\n  Throughput (since last show)\n");
	fprintf(f, "  Rx-pps: %12" PRIu64 "          Rx-bps: %12" PRIu64 "\n", s->rx_pps,
		s->rx_bps);
	fprintf(f, "  Tx-pps: %12" PRIu64 "          Tx-bps: %12" PRIu64 "\n", s->tx_pps,
		s->tx_bps);
	fprintf(f,
		"  ############################################################################\n");
}

double
fwd_rate_per_sec(uint64_t prev, uint64_t cur, uint64_t ns)
{
	if (ns == 0 || cur < prev)
		return 0.0;
	return (double)(cur - prev) * 1e9 / (double)ns;
}
