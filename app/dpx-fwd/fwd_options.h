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
	FWD_MODE_IO = 0,   /**< forward unchanged to the peer port */
	FWD_MODE_MAC,	   /**< src := tx port MAC, dst := --eth-peer of the tx port */
	FWD_MODE_MACSWAP,  /**< swap src and dst MAC */
	FWD_MODE_RXONLY,   /**< receive and free */
	FWD_MODE_TXONLY,   /**< generate UDP/IPv4 packets */
	FWD_MODE_ICMPECHO, /**< answer ARP requests and ICMP echo requests, free the rest */
	FWD_MODE_CSUM,	   /**< verify and recompute IPv4/UDP/TCP checksums in software */
	FWD_MODE_FLOWGEN,  /**< generate UDP/IPv4 packets over FWD_FLOWGEN_FLOWS destinations */
	FWD_MODE_5TSWAP,   /**< swap MAC, IP addresses and L4 ports */
	FWD_MODE_COUNT,
};

/** How ports are paired into streams (testpmd's --port-topology). */
enum fwd_topology {
	FWD_TOPO_PAIRED = 0, /**< 0<->1, 2<->3, ...; an odd last port to itself */
	FWD_TOPO_CHAINED,    /**< 0->1->2->...->0 */
	FWD_TOPO_LOOP,	     /**< each port to itself */
};

#define FWD_MAX_TXSEGS 8
#define FWD_MAX_BURST 512
#define FWD_MAX_QUEUES 64
#define FWD_MIN_DESC 16
#define FWD_MAX_DESC 32768
#define FWD_MIN_PKT_LEN 64 /* Ethernet minimum (without FCS: 60; keep 64 like testpmd) */
#define FWD_MAX_PKT_LEN 9600
#define FWD_TXONLY_HDR_LEN 42 /* Ethernet 14 + IPv4 20 + UDP 8 */
#define FWD_FLOWGEN_FLOWS 1024 /* testpmd's flowgen default */
#define FWD_MBUF_HEADROOM 128  /* DPX_PKTMBUF_HEADROOM, without pulling in dpx_mbuf.h */
#define FWD_MIN_MTU 68	       /* RFC 791 */
#define FWD_FRAME_OVERHEAD 18  /* Ethernet header and FCS around the MTU */

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
	enum fwd_topology topology;
	uint64_t portmask;	  /**< ports (by id) that forward; 0 = all */
	uint32_t mbuf_size;	  /**< mbuf data room with headroom; 0 = from --max-pkt-len */
	uint32_t mtu;		  /**< 0 = from --max-pkt-len */
	int tx_first;		  /**< send one txonly burst per stream before forwarding */
	int txonly_multi_flow;	  /**< txonly: a different source IP per packet */
	int no_promisc;		  /**< leave ports non-promiscuous */
	const char *cmdline_file; /**< commands to run before the prompt (points into argv) */
	unsigned int verbose;	  /**< 1: dump received, 2: sent, 3: both (prompt only) */
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

/** @return "paired", "chained" or "loop" ("?" for an invalid value). */
const char *fwd_topology_name(enum fwd_topology t);

/** Write "io, mac, ..., or 5tswap" (every mode's name) into buf. */
void fwd_mode_list(char *buf, size_t len);

/**
 * Parse a txonly segment list "LEN[,LEN...]" into o->txpkts (the prompt's
 * "set txpkts" and --txpkts share it); what names it in messages ("--txpkts").
 * o is unchanged on error; the total length is checked by the caller.
 * @return 0, or -EINVAL with a one-line message in err.
 */
int fwd_parse_txpkts(const char *v, const char *what, struct fwd_options *o, char *err,
		     size_t errlen);

/** @return the total txonly packet length (sum of the segment lengths). */
uint32_t fwd_options_txpkt_len(const struct fwd_options *o);

#endif /* FWD_OPTIONS_H */
