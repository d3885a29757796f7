/* SPDX-License-Identifier: BSD-3-Clause */
/* Helpers shared by the port driver tests: start a port, make and compare packets. */
#ifndef TEST_ETHDEV_UTIL_H
#define TEST_ETHDEV_UTIL_H

#include <dpx_ethdev.h>
#include <dpx_mbuf.h>
#include <dpx_mempool.h>
#include <dpx_page_pool.h>

#include "dpx_test.h"
#include "test_pkt.h"

/* Configure nb_q rx and tx queues (rx from mp), set them all up and start. */
static inline int
port_start(uint16_t port, uint16_t nb_rxq, uint16_t nb_txq, struct dpx_mempool *mp)
{
	DPX_TEST_ASSERT_EQUAL(dpx_eth_dev_configure(port, nb_rxq, nb_txq, NULL), 0, "port %u", port);
	for (uint16_t q = 0; q < nb_rxq; q++)
		DPX_TEST_ASSERT_EQUAL(dpx_eth_rx_queue_setup(port, q, 0, -1, NULL, mp), 0, "rxq %u", q);
	for (uint16_t q = 0; q < nb_txq; q++)
		DPX_TEST_ASSERT_EQUAL(dpx_eth_tx_queue_setup(port, q, 0, -1, NULL), 0, "txq %u", q);
	DPX_TEST_ASSERT_EQUAL(dpx_eth_dev_start(port), 0, "port %u", port);
	return DPX_TEST_SUCCESS;
}

static inline uint16_t
port_of(const char *name)
{
	uint16_t p = UINT16_MAX;

	dpx_eth_dev_get_port_by_name(name, &p);
	return p;
}

/* Byte i of test packet `seq`: recognisable and different per packet. */
static inline uint8_t
pattern_byte(unsigned int seq, unsigned int i)
{
	return (uint8_t)(seq * 31 + i * 7 + (i >> 8));
}

/* A packet of len bytes of pattern `seq`, split into segments of at most seg bytes. */
static inline struct dpx_mbuf *
pattern_packet(struct dpx_mempool *mp, unsigned int seq, uint32_t len, uint16_t seg)
{
	struct dpx_mbuf *head = NULL;
	uint32_t off = 0;

	do {
		struct dpx_mbuf *m = dpx_pktmbuf_alloc(mp);
		uint16_t chunk = (uint16_t)DPX_MIN(len - off, seg);
		if (m == NULL)
			goto fail;
		uint8_t *p = (uint8_t *)dpx_pktmbuf_append(m, chunk);
		if (p == NULL) {
			dpx_pktmbuf_free(m);
			goto fail;
		}
		for (uint16_t i = 0; i < chunk; i++)
			p[i] = pattern_byte(seq, off + i);
		off += chunk;
		if (head == NULL)
			head = m;
		else if (dpx_pktmbuf_chain(head, m) != 0) {
			dpx_pktmbuf_free(m);
			goto fail;
		}
	} while (off < len);
	return head;
fail:
	dpx_pktmbuf_free(head);
	return NULL;
}

/* 1 when m holds exactly len bytes of pattern `seq`, across its segments. */
static inline int
pattern_check(const struct dpx_mbuf *m, unsigned int seq, uint32_t len)
{
	uint32_t off = 0, total = 0;
	unsigned int segs = 0;

	if (m == NULL || m->pkt_len != len)
		return 0;
	for (const struct dpx_mbuf *s = m; s != NULL; s = s->next, segs++) {
		const uint8_t *p = dpx_pktmbuf_mtod(s, const uint8_t *);
		for (uint16_t i = 0; i < s->data_len; i++)
			if (p[i] != pattern_byte(seq, off + i))
				return 0;
		off += s->data_len;
		total += s->data_len;
	}
	return total == len && segs == m->nb_segs;
}

/* An xstat's value by name, UINT64_MAX when the port has none of that name. */
static inline uint64_t
xstat_of(uint16_t port, const char *name)
{
	uint64_t v = UINT64_MAX;

	dpx_eth_xstats_get_by_name(port, name, &v);
	return v;
}

/* How many of the port's xstat names contain needle ("_pp_"), or a negative errno. */
static inline int
xstat_names_with(uint16_t port, const char *needle)
{
	struct dpx_eth_xstat_name names[512];
	int n = dpx_eth_xstats_get_names(port, names, 512), found = 0;

	for (int i = 0; i < n && i < 512; i++)
		found += strstr(names[i].name, needle) != NULL;
	return n < 0 ? n : found;
}

/* Rx queue q's page pool counters as the port exports them (rx_q<q>_pp_*). */
static inline int
pp_xstats_of(uint16_t port, uint16_t q, struct dpx_page_pool_stats *st)
{
	uint64_t *v = (uint64_t *)st;
	char name[DPX_ETH_XSTATS_NAME_SIZE];

	for (unsigned int i = 0; i < DPX_PAGE_POOL_NB_STATS; i++) {
		snprintf(name, sizeof(name), "rx_q%u_pp_%s", q, dpx_page_pool_stat_name(i));
		v[i] = xstat_of(port, name);
		DPX_TEST_ASSERT(v[i] != UINT64_MAX, "port %u has no xstat %s", port, name);
	}
	return DPX_TEST_SUCCESS;
}

#endif /* TEST_ETHDEV_UTIL_H */
