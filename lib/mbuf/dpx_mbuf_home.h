/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Mbuf homes (driver tier): where a freed mbuf goes when it is not its
 * mempool.
 *
 * An mbuf's home_id is 0 when it belongs to its mempool (every mbuf, until
 * something borrows it). A home (the page pool, lib/page_pool) registers
 * here, gets an id, writes it into the mbufs it takes from their mempool and
 * writes 0 back before it returns them. dpx_pktmbuf_free, _free_bulk and
 * dpx_mbuf_raw_free hand a segment whose last reference went to its home's
 * put() instead of dpx_mempool_put() (free_bulk: one call per run of
 * consecutive segments of one home), and tell its home through shared()
 * when a free leaves other references.
 *
 * Ordering: a home is registered before any mbuf carries its id, and the
 * mbuf reaches other threads through a ring or a thread start, whose
 * release/acquire order the table write before their read of the entry.
 */
#ifndef DPX_MBUF_HOME_H
#define DPX_MBUF_HOME_H

#include <stdint.h>

#include <dpx_mbuf.h>

/** Most homes registered at once (ids 1 .. DPX_MBUF_HOME_MAX - 1). */
#define DPX_MBUF_HOME_MAX 1024

struct dpx_mbuf_home;

/**
 * Take @p n segments of this home whose last reference went: each is one
 * segment, refcnt 1, next NULL, nb_segs 1 (as dpx_pktmbuf_prefree_seg
 * leaves it). Called on any thread.
 */
typedef void(dpx_mbuf_home_put_t)(struct dpx_mbuf_home *home, struct dpx_mbuf *const *segs,
				  unsigned int n);

/** A free of one of this home's segments left other references (any thread). */
typedef void(dpx_mbuf_home_shared_t)(struct dpx_mbuf_home *home);

/** A home: embed it in the home's own struct. */
struct dpx_mbuf_home {
	dpx_mbuf_home_put_t *put;
	dpx_mbuf_home_shared_t *shared;
};

/** The registered homes by id (entry 0 unused). Read on the free path. */
extern struct dpx_mbuf_home *dpx_mbuf_homes[DPX_MBUF_HOME_MAX];

/**
 * Register a home.
 * @return its id (1 .. DPX_MBUF_HOME_MAX - 1), or -EINVAL (NULL home or
 *   ops), -ENOSPC (every id taken).
 */
int dpx_mbuf_home_register(struct dpx_mbuf_home *home);

/**
 * Forget a home: no mbuf may carry its id any more.
 * @return 0, or -EINVAL (id not registered).
 */
int dpx_mbuf_home_unregister(uint16_t id);

/**
 * The body of dpx_pktmbuf_reset, inline for the per-packet loops of
 * libraries (the exported function is an interposable symbol: calls to it
 * go through the PLT and are never inlined). home_id and refcnt are kept.
 */
static inline void
dpx_mbuf_reset_inline(struct dpx_mbuf *m)
{
	m->next = NULL;
	m->pkt_len = 0;
	m->tx_offload = 0;
	m->vlan_tci = 0;
	m->nb_segs = 1;
	m->port = DPX_MBUF_PORT_INVALID;
	m->ol_flags = 0;
	m->packet_type = 0;
	m->rss_hash = 0;
	m->queue_id_hint = 0;
	m->data_off = DPX_MIN((uint16_t)DPX_PKTMBUF_HEADROOM, m->buf_len);
	m->data_len = 0;
}

#endif /* DPX_MBUF_HOME_H */
