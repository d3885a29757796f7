/* SPDX-License-Identifier: BSD-3-Clause */
/* testpmd 22.11's statistics text, read by its labels (see fwd_parse.h). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fwd_parse.h"

/* Copy the line at p (without its newline) into buf; @return the next line, or NULL at the end. */
static const char *
next_line(const char *p, char *buf, size_t len)
{
	size_t n = strcspn(p, "\n");

	if (*p == '\0')
		return NULL;
	snprintf(buf, len, "%.*s", (int)(n < len ? n : len - 1), p);
	return p[n] == '\n' ? p + n + 1 : p + n;
}

static int
all_of(const char *line, char c)
{
	line += strspn(line, " ");
	if (*line == '\0')
		return 0;
	while (*line == c)
		line++;
	return *line == '\0';
}

/* A counter line of a port or accumulated block. */
static void
port_line(const char *line, struct fwd_parsed_port *p)
{
	if (sscanf(line, "  RX-packets: %" SCNu64 " RX-dropped: %" SCNu64 " RX-total: %" SCNu64,
		   &p->rx_packets, &p->rx_dropped, &p->rx_total) == 3)
		return;
	if (sscanf(line, "  TX-packets: %" SCNu64 " TX-dropped: %" SCNu64 " TX-total: %" SCNu64,
		   &p->tx_packets, &p->tx_dropped, &p->tx_total) == 3)
		return;
	if (sscanf(line,
		   "  Bad-ipcsum: %" SCNu64 " Bad-l4csum: %" SCNu64 " Bad-outer-l4csum: %" SCNu64,
		   &p->bad_ip, &p->bad_l4, &p->bad_outer_l4) == 3) {
		p->has_csum = 1;
		return;
	}
	if (sscanf(line, "  Bad-outer-ipcsum: %" SCNu64, &p->bad_outer_ip) == 1)
		return;
	if (sscanf(line, "  RX-error: %" SCNu64, &p->rx_error) == 1)
		return;
	if (sscanf(line, "  RX-nombufs: %" SCNu64, &p->rx_nombufs) == 1)
		p->has_nombuf = 1;
}

static void
stream_line(const char *line, struct fwd_parsed_stream *s)
{
	const char *bad = strstr(line, "RX- bad IP checksum:");

	if (sscanf(line, "  RX-packets: %" SCNu64 " TX-packets: %" SCNu64 " TX-dropped: %" SCNu64,
		   &s->rx, &s->tx, &s->dropped) != 3)
		return;
	if (bad != NULL &&
	    sscanf(bad, "RX- bad IP checksum: %" SCNu64 " Rx- bad L4 checksum: %" SCNu64,
		   &s->bad_ip, &s->bad_l4) == 2)
		s->has_csum = 1;
}

/* After the accumulated block: the cycles line and "Done." when they come next. */
static const char *
report_tail(const char *p, struct fwd_parsed_fwd *out)
{
	char line[512];
	const char *q;

	while (p != NULL && (q = next_line(p, line, sizeof(line))) != NULL) {
		if (line[0] == '\0') {
			p = q;
		} else if (sscanf(line,
				  "  CPU cycles/packet=%lf (total cycles=%" SCNu64 " / total %15s "
				  "packets=%" SCNu64 ") at %u MHz Clock",
				  &out->cycles_per_packet, &out->total_cycles, out->cycles_mode,
				  &out->total_packets, &out->mhz) == 5) {
			out->has_cycles = 1;
			p = q;
		} else if (strcmp(line, "Done.") == 0) {
			out->done = 1;
			return q;
		} else {
			return p;
		}
	}
	return p;
}

const char *
fwd_parse_fwd_stats(const char *text, struct fwd_parsed_fwd *out)
{
	struct fwd_parsed_port *port = NULL;
	struct fwd_parsed_stream *stream = NULL;
	const char *p = text, *q;
	char line[512];
	int in_total = 0;

	memset(out, 0, sizeof(*out));
	while (p != NULL && (q = next_line(p, line, sizeof(line))) != NULL) {
		struct fwd_parsed_stream s = {0};
		unsigned int id;

		p = q;
		if (sscanf(line,
			   "  ------- Forward Stats for RX Port=%u/Queue=%u -> TX Port=%u/Queue=%u",
			   &s.rx_port, &s.rx_queue, &s.tx_port, &s.tx_queue) == 4) {
			if (out->nb_streams == FWD_PARSE_MAX_STREAMS)
				return NULL;
			stream = &out->streams[out->nb_streams++];
			*stream = s;
			port = NULL;
		} else if (sscanf(line, "  ---------------------- Forward statistics for port %u",
				  &id) == 1) {
			if (out->nb_ports == FWD_PARSE_MAX_PORTS)
				return NULL;
			port = &out->ports[out->nb_ports++];
			port->port = id;
			stream = NULL;
		} else if (strstr(line, "Accumulated forward statistics for all ports") != NULL) {
			port = &out->total;
			stream = NULL;
			in_total = 1;
		} else if (in_total && all_of(line, '+')) {
			return report_tail(p, out);
		} else if (port != NULL && all_of(line, '-')) {
			port = NULL;
		} else if (port != NULL) {
			port_line(line, port);
		} else if (stream != NULL) {
			stream_line(line, stream);
		}
	}
	return NULL;
}

const char *
fwd_parse_nic_stats(const char *text, struct fwd_parsed_nic *out)
{
	const char *p = strstr(text, "NIC statistics for port "), *q;
	char line[512];

	memset(out, 0, sizeof(*out));
	if (p == NULL || sscanf(p, "NIC statistics for port %u", &out->port) != 1)
		return NULL;
	p = strchr(p, '\n');
	while (p != NULL && (q = next_line(p + (*p == '\n'), line, sizeof(line))) != NULL) {
		p = q;
		if (all_of(line, '#'))
			return p;
		if (sscanf(line,
			   "  RX-packets: %" SCNu64 " RX-missed: %" SCNu64 " RX-bytes: %" SCNu64,
			   &out->rx_packets, &out->rx_missed, &out->rx_bytes) == 3 ||
		    sscanf(line, "  RX-errors: %" SCNu64, &out->rx_errors) == 1 ||
		    sscanf(line, "  RX-nombuf: %" SCNu64, &out->rx_nombuf) == 1 ||
		    sscanf(line,
			   "  TX-packets: %" SCNu64 " TX-errors: %" SCNu64 " TX-bytes: %" SCNu64,
			   &out->tx_packets, &out->tx_errors, &out->tx_bytes) == 3 ||
		    sscanf(line, "  Rx-pps: %" SCNu64 " Rx-bps: %" SCNu64, &out->rx_pps,
			   &out->rx_bps) == 2)
			continue;
		sscanf(line, "  Tx-pps: %" SCNu64 " Tx-bps: %" SCNu64, &out->tx_pps, &out->tx_bps);
	}
	return NULL;
}

const char *
fwd_parse_config(const char *text, struct fwd_parsed_config *out)
{
	const char *p = strstr(text, " packet forwarding - ports="), *q;
	char line[512];

	memset(out, 0, sizeof(*out));
	while (p != NULL && p > text && p[-1] != '\n')
		p--;
	if (p == NULL || sscanf(p, "%15s packet forwarding - ports=%u - cores=%u - streams=%u",
				out->mode, &out->ports, &out->cores, &out->streams) != 4)
		return NULL;
	p = strchr(p, '\n');
	while (p != NULL && (q = next_line(p + 1, line, sizeof(line))) != NULL) {
		unsigned int lcore, socket, n, rs, ts;

		if (sscanf(line, "Logical Core %u (socket %u) forwards packets on %u streams:",
			   &lcore, &socket, &n) == 3 &&
		    out->nb_cores < FWD_PARSE_MAX_STREAMS) {
			out->core_lcore[out->nb_cores] = lcore;
			out->core_streams[out->nb_cores++] = n;
		} else if (out->nb_lines < FWD_PARSE_MAX_STREAMS &&
			   sscanf(line,
				  "  RX P=%u/Q=%u (socket %u) -> TX P=%u/Q=%u (socket %u) "
				  "peer=%17s",
				  &out->line[out->nb_lines].rx_port,
				  &out->line[out->nb_lines].rx_queue, &rs,
				  &out->line[out->nb_lines].tx_port,
				  &out->line[out->nb_lines].tx_queue, &ts,
				  out->line[out->nb_lines].peer) == 7) {
			out->nb_lines++;
		} else {
			return p + 1; /* the list ends at its blank line */
		}
		p = q - 1;
	}
	return NULL;
}

char *
fwd_parse_read_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long len;

	if (f == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (len = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
	    (buf = malloc((size_t)len + 1)) != NULL) {
		if (fread(buf, 1, (size_t)len, f) != (size_t)len) {
			free(buf);
			buf = NULL;
		} else {
			buf[len] = '\0';
		}
	}
	fclose(f);
	return buf;
}
