/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A parser of testpmd 22.11's statistics text, written from testpmd's real
 * output (test/data/testpmd-22.11), the way a user's script reads it: line
 * by line, by testpmd's labels. The tests run it on testpmd's captures and
 * on dpx-fwd's output, so dpx-fwd's text is checked to read the same.
 */
#ifndef FWD_PARSE_H
#define FWD_PARSE_H

#include <stdint.h>

#define FWD_PARSE_MAX_PORTS 8
#define FWD_PARSE_MAX_STREAMS 16

/** A "Forward statistics for port N" block (or the accumulated one). */
struct fwd_parsed_port {
	unsigned int port;
	uint64_t rx_packets, rx_dropped, rx_total;
	uint64_t tx_packets, tx_dropped, tx_total;
	int has_csum;
	uint64_t bad_ip, bad_l4, bad_outer_l4, bad_outer_ip;
	int has_nombuf;
	uint64_t rx_error, rx_nombufs;
};

/** A "Forward Stats for RX Port= P/Queue= Q -> TX Port= P/Queue= Q" block. */
struct fwd_parsed_stream {
	unsigned int rx_port, rx_queue, tx_port, tx_queue;
	uint64_t rx, tx, dropped;
	int has_csum;
	uint64_t bad_ip, bad_l4;
};

/** One report: what stop (or "show fwd stats all") prints. */
struct fwd_parsed_fwd {
	struct fwd_parsed_stream streams[FWD_PARSE_MAX_STREAMS];
	int nb_streams;
	struct fwd_parsed_port ports[FWD_PARSE_MAX_PORTS];
	int nb_ports;
	struct fwd_parsed_port total;
	int has_cycles;
	double cycles_per_packet;
	uint64_t total_cycles, total_packets;
	char cycles_mode[16];
	unsigned int mhz;
	int done; /**< "Done." followed */
};

/**
 * Parse the first report in text (up to and including its accumulated
 * block, the cycles line and "Done." when they follow).
 * @return a pointer just past it (to parse the next one), or NULL when there
 *   is no complete report.
 */
const char *fwd_parse_fwd_stats(const char *text, struct fwd_parsed_fwd *out);

/** A "NIC statistics for port N" block ("show port stats"). */
struct fwd_parsed_nic {
	unsigned int port;
	uint64_t rx_packets, rx_missed, rx_bytes, rx_errors, rx_nombuf;
	uint64_t tx_packets, tx_errors, tx_bytes;
	uint64_t rx_pps, rx_bps, tx_pps, tx_bps;
};

/** @return the next NIC block parsed from text (pointer past it), or NULL. */
const char *fwd_parse_nic_stats(const char *text, struct fwd_parsed_nic *out);

/** The stream list printed at start and by "show config fwd". */
struct fwd_parsed_config {
	char mode[16];
	unsigned int ports, cores, streams;
	int nb_cores;
	unsigned int core_lcore[FWD_PARSE_MAX_STREAMS], core_streams[FWD_PARSE_MAX_STREAMS];
	int nb_lines;
	struct {
		unsigned int rx_port, rx_queue, tx_port, tx_queue;
		char peer[18];
	} line[FWD_PARSE_MAX_STREAMS];
};

/** @return a pointer past the next stream list in text, or NULL. */
const char *fwd_parse_config(const char *text, struct fwd_parsed_config *out);

/** A whole file, NUL-terminated, or NULL. Free it with free(). */
char *fwd_parse_read_file(const char *path);

#endif /* FWD_PARSE_H */
