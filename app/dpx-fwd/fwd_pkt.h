/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Packet bytes for the forwarding engines (pure, no mbufs): MAC swap and
 * rewrite, and the txonly UDP/IPv4 frame with its checksums.
 */
#ifndef FWD_PKT_H
#define FWD_PKT_H

#include <stddef.h>
#include <stdint.h>

#define FWD_ETHER_ADDR_LEN 6
#define FWD_ETHER_HDR_LEN 14
#define FWD_IPV4_HDR_LEN 20
#define FWD_UDP_HDR_LEN 8

/** txonly frame parameters; addresses and ports in host order. */
struct fwd_txonly_cfg {
	uint8_t src_mac[FWD_ETHER_ADDR_LEN];
	uint8_t dst_mac[FWD_ETHER_ADDR_LEN];
	uint32_t src_ip, dst_ip;
	uint16_t src_port, dst_port;
};

/** testpmd's defaults: 198.18.0.1 -> 198.18.0.2 (RFC 2544 benchmark range), UDP 9 -> 9. */
void fwd_txonly_cfg_defaults(struct fwd_txonly_cfg *cfg);

/** Swap destination and source MAC of an Ethernet frame (at least 12 bytes). */
void fwd_ether_swap(uint8_t *frame);

/** Set the source MAC to src and the destination MAC to dst. */
void fwd_ether_rewrite(uint8_t *frame, const uint8_t src[FWD_ETHER_ADDR_LEN],
		       const uint8_t dst[FWD_ETHER_ADDR_LEN]);

/** Internet checksum (RFC 1071) of len bytes folded onto sum; returns the unfolded sum. */
uint32_t fwd_cksum_add(uint32_t sum, const uint8_t *p, size_t len);

/** Fold a sum and complement it: the value to store in a checksum field. */
uint16_t fwd_cksum_fold(uint32_t sum);

/**
 * Write a complete Ethernet/IPv4/UDP frame of len bytes into buf: headers per
 * cfg, payload bytes (i & 0xff) counting from the start of the payload, IPv4
 * header checksum and UDP checksum (over the pseudo-header) both valid.
 * @return 0, or -EINVAL when len is below the 42 header bytes or above 65535.
 */
int fwd_txonly_build(uint8_t *buf, size_t len, const struct fwd_txonly_cfg *cfg);

/**
 * Check a frame built by fwd_txonly_build (or any UDP/IPv4 frame):
 * @return 0 when the IPv4 header checksum and UDP checksum verify and the
 *   lengths match len; -EINVAL otherwise.
 */
int fwd_udp4_verify(const uint8_t *buf, size_t len);

/** A piece of a packet (one mbuf segment's data). */
struct fwd_seg {
	uint8_t *data;
	uint32_t len;
};

/**
 * Internet checksum sum of bytes [off, off + len) of the concatenated
 * segments, folded onto sum (unfolded result, as fwd_cksum_add). A segment
 * starting at an odd position of the range contributes its sum byte-swapped
 * (RFC 1071 section 2(B)), so any segmentation gives the same sum.
 */
uint32_t fwd_cksum_segs(uint32_t sum, const struct fwd_seg *segs, unsigned int nb_segs,
			uint32_t off, uint32_t len);

/** Where the headers of a frame are (offsets from the Ethernet header). */
struct fwd_hdrs {
	uint16_t ether_type; /**< after at most one 802.1Q tag */
	uint8_t l3;	     /**< 4 or 6 (0: not IP) */
	uint8_t l4_proto;    /**< IP protocol / IPv6 next header (no extension headers) */
	uint8_t frag;	     /**< an IPv4 fragment: its L4 is not parsed (l4_hdr_len 0) */
	uint16_t l2_len, l3_len, l4_hdr_len; /**< l4_hdr_len: 8 UDP, TCP data offset, 8 ICMP */
	uint32_t l4_len; /**< L4 header + payload: from the IP length field (UDP: its own) */
};

/**
 * Parse Ethernet (one VLAN tag allowed), IPv4 or IPv6, and UDP/TCP/ICMP
 * headers, all of which must be within the first avail bytes; the IP length
 * must fit in pkt_len. The L4 header of an IPv4 fragment is not parsed: a
 * later fragment carries payload where the header would be, and a first
 * fragment's L4 checksum covers bytes that are not in it.
 * @return 0 (IP, maybe with an unknown L4 or a fragment: l4_hdr_len 0),
 *   -EINVAL (not IP, truncated or inconsistent headers).
 */
int fwd_parse_hdrs(const uint8_t *frame, size_t avail, uint32_t pkt_len, struct fwd_hdrs *h);

/** What fwd_csum_fix found. */
struct fwd_csum_result {
	uint8_t ip_bad; /**< IPv4 header checksum did not verify */
	uint8_t l4_bad; /**< UDP/TCP checksum did not verify */
	uint8_t l4;	/**< 1 when a UDP/TCP checksum was checked and recomputed */
};

/**
 * csum mode's work on one packet whose headers are in segs[0]: verify the
 * IPv4 header checksum and the UDP/TCP checksum (IPv4 or IPv6 pseudo-header),
 * then write correct ones. A UDP/IPv4 checksum of 0 means "none": not bad.
 * @return 0 with r filled, or -EINVAL (not an IP packet this mode knows:
 *   left unchanged).
 */
int fwd_csum_fix(struct fwd_seg *segs, unsigned int nb_segs, uint32_t pkt_len,
		 struct fwd_csum_result *r);

/** Verdicts of fwd_icmpecho_reply. */
enum fwd_echo_verdict {
	FWD_ECHO_DROP = 0, /**< not a request icmpecho answers */
	FWD_ECHO_ARP,	   /**< turned into an ARP reply */
	FWD_ECHO_ICMP,	   /**< turned into an ICMP echo reply */
};

/**
 * icmpecho mode: turn an ARP request (for any address: icmpecho answers as
 * every host, like testpmd) into the reply from port_mac, or an ICMPv4 echo
 * request into its echo reply (addresses swapped, checksum updated); leave
 * anything else alone. Behind one 802.1Q tag too: the reply keeps the tag.
 * @param len bytes available in frame (the first segment)
 */
enum fwd_echo_verdict fwd_icmpecho_reply(uint8_t *frame, size_t len,
					 const uint8_t port_mac[FWD_ETHER_ADDR_LEN]);

/**
 * 5tswap mode: swap the MAC addresses, and for IPv4/IPv6 the addresses, and
 * for UDP/TCP the ports, as far as the headers lie within len. Checksums stay
 * valid: swapping 16-bit words does not change a one's complement sum.
 * @return the deepest layer swapped: 2, 3 or 4 (0 for a frame under 14 bytes).
 */
int fwd_5tswap(uint8_t *frame, size_t len);

/**
 * Set the source (dst == 0) or destination IPv4 address of a UDP/IPv4 frame
 * built by fwd_txonly_build, updating the IPv4 and UDP checksums
 * incrementally (RFC 1624) rather than summing the payload again.
 */
void fwd_udp4_set_addr(uint8_t *frame, int dst, uint32_t addr);

/**
 * One line describing a packet for "set verbose", in testpmd's words:
 * "src=.. - dst=.. - pool=P - type=0x0800 - length=64 - nb_segs=1 - sw ptype:
 * L2_ETHER L3_IPV4 L4_UDP  - l2_len=14 - l3_len=20 - l4_len=8 - Receive
 * queue=0x0" (no newline).
 */
void fwd_pkt_describe(char *buf, size_t size, const uint8_t *frame, size_t avail, uint32_t pkt_len,
		      uint16_t nb_segs, const char *pool, int rx, uint16_t queue);

#endif /* FWD_PKT_H */
