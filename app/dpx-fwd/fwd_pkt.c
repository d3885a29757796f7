/* SPDX-License-Identifier: BSD-3-Clause */
/* Packet bytes for the engines (pure). */
#include <endian.h>
#include <errno.h>
#include <stdio.h>
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
	uint64_t acc = 0;
	size_t i = 0;

	/*
	 * RFC 1071 section 2: the one's complement sum does not depend on byte
	 * order (B) and carries may be deferred (C). So add 8 bytes at a time, as
	 * two native 32-bit halves, into 64 bits (no overflow below 16 GB), fold
	 * once, and turn the native 16-bit result into network order at the end.
	 */
	for (; i + 8 <= len; i += 8) {
		uint64_t w;

		memcpy(&w, p + i, sizeof(w));
		acc += (w & 0xffffffff) + (w >> 32);
	}
	for (; i + 2 <= len; i += 2) {
		uint16_t w;

		memcpy(&w, p + i, sizeof(w));
		acc += w;
	}
	acc = (acc & 0xffffffff) + (acc >> 32);
	acc = (acc & 0xffffffff) + (acc >> 32);
	acc = (acc & 0xffff) + (acc >> 16);
	acc = (acc & 0xffff) + (acc >> 16);
	acc = be16toh((uint16_t)acc);
	if (i < len) /* an odd last byte is the high half of a word padded with zero */
		acc += (uint32_t)p[i] << 8;
	acc += sum;
	acc = (acc & 0xffffffff) + (acc >> 32);
	acc = (acc & 0xffff) + (acc >> 16);
	return (uint32_t)((acc & 0xffff) + (acc >> 16));
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

#define ETHER_TYPE_IPV6 0x86dd
#define ETHER_TYPE_ARP 0x0806
#define ETHER_TYPE_VLAN 0x8100
#define IPPROTO_ICMP_NUM 1
#define IPPROTO_TCP_NUM 6
#define IPV6_HDR_LEN 40
#define TCP_MIN_HDR_LEN 20
#define ICMP_HDR_LEN 8
#define ARP_LEN 28
#define IPV4_MF_OFFSET 0x3fff /* more-fragments flag and fragment offset (RFC 791) */

static uint32_t
fold16(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return sum;
}

uint32_t
fwd_cksum_segs(uint32_t sum, const struct fwd_seg *segs, unsigned int nb_segs, uint32_t off,
	       uint32_t len)
{
	uint32_t pos = 0; /* bytes of the range summed so far */

	for (unsigned int i = 0; i < nb_segs && pos < len; i++) {
		uint32_t n, part;

		if (off >= segs[i].len) {
			off -= segs[i].len;
			continue;
		}
		n = segs[i].len - off < len - pos ? segs[i].len - off : len - pos;
		part = fold16(fwd_cksum_add(0, segs[i].data + off, n));
		if (pos & 1) /* its first byte is a low-order byte of the range's words */
			part = (part >> 8 | part << 8) & 0xffff;
		sum = fold16(sum + part);
		pos += n;
		off = 0;
	}
	return sum;
}

/* Parse the L4 header of h (IP parsed) at off; 0 with l4_hdr_len 0 for other protocols. */
static int
parse_l4(const uint8_t *frame, size_t avail, uint32_t off, struct fwd_hdrs *h)
{
	uint16_t need = 0;

	if (h->l4_proto == IPPROTO_UDP_NUM)
		need = FWD_UDP_HDR_LEN;
	else if (h->l4_proto == IPPROTO_TCP_NUM)
		need = TCP_MIN_HDR_LEN;
	else if (h->l4_proto == IPPROTO_ICMP_NUM && h->l3 == 4)
		need = ICMP_HDR_LEN;
	if (need == 0)
		return 0;
	if (h->l4_len < need || off + need > avail)
		return -EINVAL;
	if (h->l4_proto == IPPROTO_UDP_NUM) {
		uint16_t ulen = get16(frame + off + 4);

		/* RFC 768: the datagram is as long as its own field says; bytes after it
		 * are not covered (receivers trim them), and a length past the IP
		 * packet leaves no datagram to judge */
		if (ulen < FWD_UDP_HDR_LEN || ulen > h->l4_len)
			return 0;
		h->l4_len = ulen;
	}
	if (h->l4_proto == IPPROTO_TCP_NUM) {
		need = (uint16_t)((frame[off + 12] >> 4) * 4);
		if (need < TCP_MIN_HDR_LEN || h->l4_len < need || off + need > avail)
			return -EINVAL;
	}
	h->l4_hdr_len = need;
	return 0;
}

int
fwd_parse_hdrs(const uint8_t *frame, size_t avail, uint32_t pkt_len, struct fwd_hdrs *h)
{
	const uint8_t *ip;
	uint32_t ip_len;

	memset(h, 0, sizeof(*h));
	if (avail < FWD_ETHER_HDR_LEN)
		return -EINVAL;
	h->l2_len = FWD_ETHER_HDR_LEN;
	h->ether_type = get16(frame + 12);
	if (h->ether_type == ETHER_TYPE_VLAN) {
		if (avail < FWD_ETHER_HDR_LEN + 4u)
			return -EINVAL;
		h->l2_len += 4;
		h->ether_type = get16(frame + 16);
	}
	ip = frame + h->l2_len;
	if (h->ether_type == ETHER_TYPE_IPV4) {
		if (avail < h->l2_len + (size_t)FWD_IPV4_HDR_LEN || ip[0] >> 4 != 4)
			return -EINVAL;
		h->l3 = 4;
		h->l3_len = (uint16_t)((ip[0] & 0xf) * 4);
		ip_len = get16(ip + 2);
		h->l4_proto = ip[9];
		h->frag = (get16(ip + 6) & IPV4_MF_OFFSET) != 0;
	} else if (h->ether_type == ETHER_TYPE_IPV6) {
		if (avail < h->l2_len + (size_t)IPV6_HDR_LEN || ip[0] >> 4 != 6)
			return -EINVAL;
		h->l3 = 6;
		h->l3_len = IPV6_HDR_LEN;
		ip_len = IPV6_HDR_LEN + (uint32_t)get16(ip + 4);
		h->l4_proto = ip[6];
	} else {
		return -EINVAL;
	}
	if (h->l3_len < FWD_IPV4_HDR_LEN || ip_len < h->l3_len ||
	    h->l2_len + (size_t)h->l3_len > avail || h->l2_len + ip_len > pkt_len)
		return -EINVAL;
	h->l4_len = ip_len - h->l3_len;
	if (h->frag)
		return 0;
	return parse_l4(frame, avail, h->l2_len + h->l3_len, h);
}

/*
 * Pseudo-header sum (RFC 768, RFC 8200 section 8.1) of the L4 part of h: the
 * addresses from the header, then protocol and length as the 16-bit words
 * they would be (the IPv6 32-bit length is two).
 */
static uint32_t
pseudo_sum(const uint8_t *ip, const struct fwd_hdrs *h)
{
	uint32_t words = h->l4_proto + (h->l4_len >> 16) + (h->l4_len & 0xffff);

	if (h->l3 == 4)
		return fwd_cksum_add(words, ip + 12, 8);
	return fwd_cksum_add(words, ip + 8, 32);
}

/* RFC 1624 eqn. 3: the checksum of a sum taken with the old field in it. */
static uint16_t
cksum_without(uint32_t sum, uint16_t old)
{
	return fwd_cksum_fold(fold16(sum + (uint16_t)~old));
}

static void
fix_ipv4_header(uint8_t *ip, const struct fwd_hdrs *h, struct fwd_csum_result *r)
{
	uint32_t sum = fwd_cksum_add(0, ip, h->l3_len);

	r->ip_bad = fwd_cksum_fold(sum) != 0;
	put16(ip + 10, cksum_without(sum, get16(ip + 10)));
}

int
fwd_csum_fix(struct fwd_seg *segs, unsigned int nb_segs, uint32_t pkt_len,
	     struct fwd_csum_result *r)
{
	struct fwd_hdrs h;
	uint8_t *ip, *field;
	uint32_t l4_off, sum;
	uint16_t old, ck;

	memset(r, 0, sizeof(*r));
	if (nb_segs == 0 || fwd_parse_hdrs(segs[0].data, segs[0].len, pkt_len, &h) < 0)
		return -EINVAL;
	ip = segs[0].data + h.l2_len;
	if (h.l3 == 4)
		fix_ipv4_header(ip, &h, r);
	if (h.l4_hdr_len == 0 || (h.l4_proto != IPPROTO_UDP_NUM && h.l4_proto != IPPROTO_TCP_NUM))
		return 0;
	l4_off = h.l2_len + h.l3_len;
	field = segs[0].data + l4_off + (h.l4_proto == IPPROTO_UDP_NUM ? 6 : 16);
	old = get16(field);
	sum = fwd_cksum_segs(pseudo_sum(ip, &h), segs, nb_segs, l4_off, h.l4_len);
	r->l4 = 1;
	/* UDP over IPv4 may carry no checksum (0); over IPv6 it must (RFC 8200 8.1) */
	if (!(h.l4_proto == IPPROTO_UDP_NUM && h.l3 == 4 && old == 0))
		r->l4_bad = fwd_cksum_fold(sum) != 0;
	ck = cksum_without(sum, old);
	if (h.l4_proto == IPPROTO_UDP_NUM && ck == 0)
		ck = 0xffff; /* RFC 768: 0 would mean "no checksum" */
	put16(field, ck);
	return 0;
}

/* RFC 1624 eqn. 3: the checksum after one 16-bit word changes from m to m2. */
static uint16_t
cksum_update(uint16_t ck, uint16_t m, uint16_t m2)
{
	return (uint16_t)~fold16((uint16_t)~ck + (uint32_t)(uint16_t)~m + m2);
}

static void
swap_bytes(uint8_t *a, uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		uint8_t t = a[i];

		a[i] = b[i];
		b[i] = t;
	}
}

/* The ARP request at frame + l2 (after the Ethernet header and any VLAN tag). */
static enum fwd_echo_verdict
arp_reply(uint8_t *frame, size_t l2, size_t len, const uint8_t *mac)
{
	uint8_t *arp = frame + l2;

	/* Ethernet/IPv4 ARP request: htype 1, ptype 0x0800, hlen 6, plen 4, op 1 (RFC 826) */
	if (len < l2 + ARP_LEN || get16(arp) != 1 || get16(arp + 2) != ETHER_TYPE_IPV4 ||
	    arp[4] != 6 || arp[5] != 4 || get16(arp + 6) != 1)
		return FWD_ECHO_DROP;
	put16(arp + 6, 2);
	memcpy(arp + 18, arp + 8, FWD_ETHER_ADDR_LEN); /* target hw := requester */
	swap_bytes(arp + 14, arp + 24, 4);	       /* sender ip <-> target ip */
	memcpy(arp + 8, mac, FWD_ETHER_ADDR_LEN);
	fwd_ether_rewrite(frame, mac, arp + 18);
	return FWD_ECHO_ARP;
}

enum fwd_echo_verdict
fwd_icmpecho_reply(uint8_t *frame, size_t len, const uint8_t port_mac[FWD_ETHER_ADDR_LEN])
{
	struct fwd_hdrs h;
	uint8_t *ip, *icmp;
	size_t l2 = FWD_ETHER_HDR_LEN;
	uint16_t type;

	if (len < FWD_ETHER_HDR_LEN)
		return FWD_ECHO_DROP;
	/* one 802.1Q tag, as fwd_parse_hdrs: the reply keeps it and goes back on that VLAN */
	type = get16(frame + 12);
	if (type == ETHER_TYPE_VLAN && len >= FWD_ETHER_HDR_LEN + 4u) {
		l2 += 4;
		type = get16(frame + 16);
	}
	if (type == ETHER_TYPE_ARP)
		return arp_reply(frame, l2, len, port_mac);
	if (fwd_parse_hdrs(frame, len, (uint32_t)len, &h) < 0 || h.l3 != 4 ||
	    h.l4_proto != IPPROTO_ICMP_NUM || h.l4_hdr_len == 0)
		return FWD_ECHO_DROP;
	ip = frame + h.l2_len;
	icmp = ip + h.l3_len;
	if (icmp[0] != 8 || icmp[1] != 0) /* echo request, code 0 (RFC 792) */
		return FWD_ECHO_DROP;
	icmp[0] = 0;
	put16(icmp + 2, cksum_update(get16(icmp + 2), 0x0800, 0x0000));
	swap_bytes(ip + 12, ip + 16, 4);
	fwd_ether_rewrite(frame, port_mac, frame + FWD_ETHER_ADDR_LEN);
	return FWD_ECHO_ICMP;
}

int
fwd_5tswap(uint8_t *frame, size_t len)
{
	struct fwd_hdrs h;
	uint8_t *ip, *l4;

	if (len < FWD_ETHER_HDR_LEN)
		return 0;
	fwd_ether_swap(frame);
	if (fwd_parse_hdrs(frame, len, UINT32_MAX, &h) < 0)
		return 2;
	ip = frame + h.l2_len;
	if (h.l3 == 4)
		swap_bytes(ip + 12, ip + 16, 4);
	else
		swap_bytes(ip + 8, ip + 24, 16);
	if (h.l4_hdr_len == 0 || (h.l4_proto != IPPROTO_UDP_NUM && h.l4_proto != IPPROTO_TCP_NUM))
		return 3;
	l4 = ip + h.l3_len;
	swap_bytes(l4, l4 + 2, 2);
	return 4;
}

void
fwd_udp4_set_addr(uint8_t *frame, int dst, uint32_t addr)
{
	uint8_t *ip = frame + FWD_ETHER_HDR_LEN, *a = ip + (dst ? 16 : 12);
	uint8_t *udp = ip + (ip[0] & 0xf) * 4;
	uint16_t old_hi = get16(a), old_lo = get16(a + 2);
	uint16_t hi = (uint16_t)(addr >> 16), lo = (uint16_t)addr;
	uint16_t ck;

	put32(a, addr);
	ck = cksum_update(cksum_update(get16(ip + 10), old_hi, hi), old_lo, lo);
	put16(ip + 10, ck);
	if (get16(udp + 6) == 0)
		return; /* no UDP checksum to keep */
	ck = cksum_update(cksum_update(get16(udp + 6), old_hi, hi), old_lo, lo);
	put16(udp + 6, ck == 0 ? 0xffff : ck);
}

static const char *
l4_name(const struct fwd_hdrs *h)
{
	uint8_t proto = h->l4_proto;

	return h->frag			   ? "L4_FRAG"
	       : proto == IPPROTO_UDP_NUM  ? "L4_UDP"
	       : proto == IPPROTO_TCP_NUM  ? "L4_TCP"
	       : proto == IPPROTO_ICMP_NUM ? "L4_ICMP"
					   : "L4_NONFRAG";
}

void
fwd_pkt_describe(char *buf, size_t size, const uint8_t *frame, size_t avail, uint32_t pkt_len,
		 uint16_t nb_segs, const char *pool, int rx, uint16_t queue)
{
	static const uint8_t zero[12];
	const uint8_t *m = avail >= 12 ? frame : zero;
	struct fwd_hdrs h;
	size_t off;

	off = (size_t)snprintf(
		buf, size,
		"src=%02X:%02X:%02X:%02X:%02X:%02X - dst=%02X:%02X:%02X:%02X:%02X:%02X"
		" - pool=%s - type=0x%04x - length=%u - nb_segs=%u - sw ptype: ",
		m[6], m[7], m[8], m[9], m[10], m[11], m[0], m[1], m[2], m[3], m[4], m[5], pool,
		avail >= 14 ? get16(frame + 12) : 0, pkt_len, nb_segs);
	if (off >= size)
		return;
	if (fwd_parse_hdrs(frame, avail, pkt_len, &h) == 0)
		off += (size_t)snprintf(buf + off, size - off,
					"L2_ETHER L3_IPV%u %s  - l2_len=%u - l3_len=%u - l4_len=%u",
					h.l3, l4_name(&h), h.l2_len, h.l3_len,
					h.l4_hdr_len);
	else
		off += (size_t)snprintf(buf + off, size - off, "%s - l2_len=%d",
					avail >= 14 && get16(frame + 12) == ETHER_TYPE_ARP
						? "L2_ETHER_ARP "
						: "L2_ETHER ",
					FWD_ETHER_HDR_LEN);
	if (off < size)
		snprintf(buf + off, size - off, " - %s queue=0x%x", rx ? "Receive" : "Send", queue);
}
