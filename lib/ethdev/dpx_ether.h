/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Ethernet addresses and header.
 */
#ifndef DPX_ETHER_H
#define DPX_ETHER_H

#include <stdint.h>
#include <stddef.h>

#include <dpx_common.h>

#define DPX_ETHER_ADDR_LEN 6
#define DPX_ETHER_HDR_LEN 14
#define DPX_ETHER_CRC_LEN 4
#define DPX_ETHER_MIN_LEN 64    /**< smallest frame on the wire, CRC included */
#define DPX_ETHER_MTU 1500      /**< default MTU */
#define DPX_ETHER_MIN_MTU 68    /**< RFC 791 minimum IPv4 MTU */
/** Buffer size for dpx_ether_format_addr ("xx:xx:xx:xx:xx:xx" + NUL). */
#define DPX_ETHER_ADDR_FMT_SIZE 18

/* EtherTypes, host byte order (the header field is network order: htons()). */
#define DPX_ETHER_TYPE_IPV4 0x0800
#define DPX_ETHER_TYPE_ARP 0x0806
#define DPX_ETHER_TYPE_VLAN 0x8100
#define DPX_ETHER_TYPE_IPV6 0x86DD

struct dpx_ether_addr {
	uint8_t addr_bytes[DPX_ETHER_ADDR_LEN];
} __attribute__((aligned(2)));

struct dpx_ether_hdr {
	struct dpx_ether_addr dst_addr;
	struct dpx_ether_addr src_addr;
	uint16_t ether_type; /**< network byte order */
} __attribute__((aligned(2)));

/** @return 1 for a multicast (group) address, broadcast included. */
static inline int
dpx_is_multicast_ether_addr(const struct dpx_ether_addr *a)
{
	return a->addr_bytes[0] & 0x01;
}

/** @return 1 for a unicast address that is not all zeros. */
static inline int
dpx_is_valid_assigned_ether_addr(const struct dpx_ether_addr *a)
{
	static const struct dpx_ether_addr zero;
	for (unsigned int i = 0; i < DPX_ETHER_ADDR_LEN; i++)
		if (a->addr_bytes[i] != zero.addr_bytes[i])
			return !dpx_is_multicast_ether_addr(a);
	return 0;
}

/** Write "xx:xx:xx:xx:xx:xx" into buf (size >= DPX_ETHER_ADDR_FMT_SIZE, else truncated). */
void dpx_ether_format_addr(char *buf, size_t size, const struct dpx_ether_addr *a);

/**
 * Parse "xx:xx:xx:xx:xx:xx" (hex digits, either case; '-' also accepted).
 * @return 0, or -EINVAL for any other form.
 */
int dpx_ether_unformat_addr(const char *s, struct dpx_ether_addr *a);

/** Fill a random locally administered unicast address. */
void dpx_eth_random_addr(struct dpx_ether_addr *a);

#endif /* DPX_ETHER_H */
