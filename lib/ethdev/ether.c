/* SPDX-License-Identifier: BSD-3-Clause */
/* Ethernet address text forms and random local addresses. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/random.h>

#include "dpx_ether.h"

void
dpx_ether_format_addr(char *buf, size_t size, const struct dpx_ether_addr *a)
{
	const uint8_t *b = a->addr_bytes;

	snprintf(buf, size, "%02x:%02x:%02x:%02x:%02x:%02x", b[0], b[1], b[2], b[3], b[4], b[5]);
}

static int
hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)tolower((unsigned char)c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

int
dpx_ether_unformat_addr(const char *s, struct dpx_ether_addr *a)
{
	struct dpx_ether_addr tmp;

	if (s == NULL || a == NULL)
		return -EINVAL;
	for (unsigned int i = 0; i < DPX_ETHER_ADDR_LEN; i++) {
		int hi = hex_value(s[0]), lo = hi < 0 ? -1 : hex_value(s[1]);
		char sep = lo < 0 ? '?' : s[2];
		if (lo < 0 || (i < DPX_ETHER_ADDR_LEN - 1 ? sep != ':' && sep != '-' : sep != '\0'))
			return -EINVAL;
		tmp.addr_bytes[i] = (uint8_t)(hi << 4 | lo);
		s += 3;
	}
	*a = tmp;
	return 0;
}

void
dpx_eth_random_addr(struct dpx_ether_addr *a)
{
	if (getrandom(a->addr_bytes, sizeof(a->addr_bytes), 0) != (ssize_t)sizeof(a->addr_bytes))
		for (unsigned int i = 0; i < DPX_ETHER_ADDR_LEN; i++)
			a->addr_bytes[i] = (uint8_t)random();
	a->addr_bytes[0] &= 0xfe; /* unicast */
	a->addr_bytes[0] |= 0x02; /* locally administered */
}
