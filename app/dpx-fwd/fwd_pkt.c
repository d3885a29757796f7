/* SPDX-License-Identifier: BSD-3-Clause */
/* Packet bytes for the engines (pure). */
#include <errno.h>
#include <string.h>

#include "fwd_pkt.h"

#define ETHER_TYPE_IPV4 0x0800
#define IPPROTO_UDP_NUM 17

void
fwd_txonly_cfg_defaults(struct fwd_txonly_cfg *cfg)
{
	static const uint8_t dst[FWD_ETHER_ADDR_LEN] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x02};

	memset(cfg, 0, sizeof(*cfg));
	memcpy(cfg->dst_mac, dst, sizeof(dst));
	cfg->src_ip = 198u << 24 | 18u << 16 | 1;
	cfg->dst_ip = 198u << 24 | 18u << 16 | 2;
	cfg->src_port = 9;
	cfg->dst_port = 9;
}

void
fwd_ether_swap(uint8_t *frame)
{
	uint8_t tmp[FWD_ETHER_ADDR_LEN];

	memcpy(tmp, frame, FWD_ETHER_ADDR_LEN);
	memcpy(frame, frame + FWD_ETHER_ADDR_LEN, FWD_ETHER_ADDR_LEN);
	memcpy(frame + FWD_ETHER_ADDR_LEN, tmp, FWD_ETHER_ADDR_LEN);
}

void
fwd_ether_rewrite(uint8_t *frame, const uint8_t src[FWD_ETHER_ADDR_LEN],
		  const uint8_t dst[FWD_ETHER_ADDR_LEN])
{
	memcpy(frame, dst, FWD_ETHER_ADDR_LEN);
	memcpy(frame + FWD_ETHER_ADDR_LEN, src, FWD_ETHER_ADDR_LEN);
}

uint32_t
fwd_cksum_add(uint32_t sum, const uint8_t *p, size_t len)
{
	size_t i;

	/* 16-bit big-endian words; an odd last byte is padded with zero (RFC 1071) */
	for (i = 0; i + 1 < len; i += 2) {
		sum += (uint32_t)p[i] << 8 | p[i + 1];
		sum = (sum & 0xffff) + (sum >> 16);
	}
	if (i < len) {
		sum += (uint32_t)p[i] << 8;
		sum = (sum & 0xffff) + (sum >> 16);
	}
	return sum;
}

uint16_t
fwd_cksum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void
put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

static uint16_t
get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* Sum of the UDP pseudo-header (RFC 768): addresses, protocol, UDP length. */
static uint32_t
udp_pseudo_sum(const uint8_t *ip, uint16_t udp_len)
{
	uint8_t ph[4];

	put16(ph, IPPROTO_UDP_NUM);
	put16(ph + 2, udp_len);
	return fwd_cksum_add(fwd_cksum_add(0, ip + 12, 8), ph, sizeof(ph));
}

static void
build_ipv4(uint8_t *ip, uint16_t total_len, const struct fwd_txonly_cfg *cfg)
{
	memset(ip, 0, FWD_IPV4_HDR_LEN);
	ip[0] = 0x45; /* version 4, 5 words */
	put16(ip + 2, total_len);
	ip[8] = 64; /* TTL */
	ip[9] = IPPROTO_UDP_NUM;
	put32(ip + 12, cfg->src_ip);
	put32(ip + 16, cfg->dst_ip);
	put16(ip + 10, fwd_cksum_fold(fwd_cksum_add(0, ip, FWD_IPV4_HDR_LEN)));
}

int
fwd_txonly_build(uint8_t *buf, size_t len, const struct fwd_txonly_cfg *cfg)
{
	uint8_t *ip = buf + FWD_ETHER_HDR_LEN, *udp = ip + FWD_IPV4_HDR_LEN;
	size_t hdr = FWD_ETHER_HDR_LEN + FWD_IPV4_HDR_LEN + FWD_UDP_HDR_LEN;
	uint16_t udp_len;
	uint16_t ck;

	if (len < hdr || len - FWD_ETHER_HDR_LEN > 0xffff)
		return -EINVAL;
	udp_len = (uint16_t)(len - FWD_ETHER_HDR_LEN - FWD_IPV4_HDR_LEN);
	fwd_ether_rewrite(buf, cfg->src_mac, cfg->dst_mac);
	put16(buf + 12, ETHER_TYPE_IPV4);
	build_ipv4(ip, (uint16_t)(len - FWD_ETHER_HDR_LEN), cfg);
	for (size_t i = hdr; i < len; i++)
		buf[i] = (uint8_t)(i - hdr);
	put16(udp, cfg->src_port);
	put16(udp + 2, cfg->dst_port);
	put16(udp + 4, udp_len);
	put16(udp + 6, 0);
	ck = fwd_cksum_fold(fwd_cksum_add(udp_pseudo_sum(ip, udp_len), udp, udp_len));
	/* RFC 768: a computed 0 is sent as all ones (0 means "no checksum") */
	put16(udp + 6, ck == 0 ? 0xffff : ck);
	return 0;
}

int
fwd_udp4_verify(const uint8_t *buf, size_t len)
{
	const uint8_t *ip = buf + FWD_ETHER_HDR_LEN, *udp;
	size_t ihl;
	uint16_t udp_len;

	if (len < FWD_ETHER_HDR_LEN + FWD_IPV4_HDR_LEN + FWD_UDP_HDR_LEN ||
	    get16(buf + 12) != ETHER_TYPE_IPV4 || ip[0] >> 4 != 4 || ip[9] != IPPROTO_UDP_NUM)
		return -EINVAL;
	ihl = (size_t)(ip[0] & 0xf) * 4;
	if (ihl < FWD_IPV4_HDR_LEN || len < FWD_ETHER_HDR_LEN + ihl + FWD_UDP_HDR_LEN ||
	    get16(ip + 2) != len - FWD_ETHER_HDR_LEN ||
	    fwd_cksum_fold(fwd_cksum_add(0, ip, ihl)) != 0)
		return -EINVAL;
	udp = ip + ihl;
	udp_len = get16(udp + 4);
	if (udp_len != len - FWD_ETHER_HDR_LEN - ihl)
		return -EINVAL;
	if (get16(udp + 6) != 0 &&
	    fwd_cksum_fold(fwd_cksum_add(udp_pseudo_sum(ip, udp_len), udp, udp_len)) != 0)
		return -EINVAL;
	return 0;
}
