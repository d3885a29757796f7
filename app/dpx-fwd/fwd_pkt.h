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

#endif /* FWD_PKT_H */
