/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dpx-fwd options: the application's own command line (what follows the EAL
 * options and "--"). Parsing is pure: no I/O, no EAL; the first error is one
 * line naming the option, written into the caller's buffer.
 */
#ifndef FWD_OPTIONS_H
#define FWD_OPTIONS_H

#include <stddef.h>
#include <stdio.h>
#include <stdint.h>

#include <dpx_config.h>

/** Forwarding modes (testpmd's names). */
enum fwd_mode {
	FWD_MODE_IO = 0,  /**< forward unchanged to the peer port */
	FWD_MODE_MAC,	  /**< src := tx port MAC, dst := --eth-peer of the tx port */
	FWD_MODE_MACSWAP, /**< swap src and dst MAC */
	FWD_MODE_RXONLY,  /**< receive and free */
	FWD_MODE_TXONLY,  /**< generate UDP/IPv4 packets */
	FWD_MODE_COUNT,
};

#define FWD_MAX_TXSEGS 8
#define FWD_MAX_BURST 512
#define FWD_MAX_QUEUES 64
#define FWD_MIN_DESC 16
#define FWD_MAX_DESC 32768
#define FWD_MIN_PKT_LEN 64 /* Ethernet minimum (without FCS: 60; keep 64 like testpmd) */
#define FWD_MAX_PKT_LEN 9600
#define FWD_TXONLY_HDR_LEN 42 /* Ethernet 14 + IPv4 20 + UDP 8 */

struct fwd_options {
	unsigned int nb_cores; /**< forwarding cores; 0 = every available one */
	enum fwd_mode mode;
	uint16_t txpkts[FWD_MAX_TXSEGS]; /**< txonly segment lengths */
	unsigned int nb_txpkts;
	uint16_t burst;
	uint16_t nb_rxq, nb_txq;
	uint16_t nb_rxd, nb_txd;
	uint8_t peer_set[DPX_MAX_ETHPORTS];
	uint8_t peer_mac[DPX_MAX_ETHPORTS][6];
	unsigned int stats_period; /**< seconds; 0 = no live rates */
	unsigned int run_time;	   /**< seconds; 0 = until stopped */
	uint32_t tx_pps; /**< txonly packets per second per stream; 0 = as fast as possible */
	int auto_start;
	int record_core_cycles;
	int interactive;
	uint32_t total_num_mbufs; /**< 0 = computed from ports, queues, descriptors */
	uint32_t max_pkt_len;
};

/** Fill the defaults (io mode, burst 32, one queue, 512 descriptors, 64-byte txonly). */
void fwd_options_defaults(struct fwd_options *o);

/**
 * Parse the application's arguments; argv[0] is the program name.
 * Both "--opt=value" and "--opt value" are accepted.
 * @param err  receives a one-line message (no newline) on error
 * @return 0; -EINVAL for an unknown option, a missing or malformed value
 *   (message names the option and the value); -ECANCELED for -h/--help.
 */
int fwd_options_parse(int argc, char *const argv[], struct fwd_options *o, char *err,
		      size_t errlen);

/** Print the application's usage text. */
void fwd_options_usage(FILE *f, const char *prgname);

/** @return the mode's name ("io", "mac", ...) or "?" for an invalid value. */
const char *fwd_mode_name(enum fwd_mode mode);

/** @return the mode for a name, or -EINVAL. */
int fwd_mode_parse(const char *name);

/** Parse "aa:bb:cc:dd:ee:ff" (hex, ':' separated). @return 0 or -EINVAL. */
int fwd_parse_mac(const char *s, uint8_t mac[6]);

/** @return the total txonly packet length (sum of the segment lengths). */
uint32_t fwd_options_txpkt_len(const struct fwd_options *o);

#endif /* FWD_OPTIONS_H */
