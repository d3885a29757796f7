/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The mbuf face of the data path: enqueue reads each mbuf chain as segments,
 * dequeue fills chains of mbufs from the application's pool. The copies
 * themselves are the data path's (vhost_data.c).
 */
#include <errno.h>

#include <dpx_mbuf.h>
#include <dpx_mempool.h>

#include "vhost_private.h"

struct mbuf_ctx {
	struct dpx_mbuf **pkts;
	struct dpx_mempool *mp;
};

static int
mbuf_src_segs(void *ctx, uint16_t i, struct vhost_seg *segs, unsigned int max)
{
	struct mbuf_ctx *c = ctx;
	struct dpx_mbuf *m;
	unsigned int k = 0;

	for (m = c->pkts[i]; m != NULL; m = m->next) {
		if (k == max)
			return -E2BIG;
		segs[k++] = (struct vhost_seg){dpx_pktmbuf_mtod(m, void *), m->data_len};
	}
	return (int)k;
}

static int
mbuf_dst_alloc(void *ctx, uint16_t i, uint32_t len, struct vhost_seg *segs, unsigned int max)
{
	struct mbuf_ctx *c = ctx;
	struct dpx_mbuf *chain[VHOST_PKT_MAX_SEGS];
	uint16_t data_room = dpx_pktmbuf_data_room_size(c->mp);
	/* a fresh mbuf's data starts at min(headroom, room), as dpx_pktmbuf_reset sets it */
	uint32_t room = data_room - DPX_MIN(data_room, DPX_PKTMBUF_HEADROOM), at = 0;
	unsigned int n, k;

	if (room == 0 || room > UINT16_MAX)
		return -EINVAL;
	n = len == 0 ? 1 : (len + room - 1) / room;
	if (n > max || n > VHOST_PKT_MAX_SEGS)
		return -E2BIG;
	if (dpx_pktmbuf_alloc_bulk(c->mp, chain, n) != 0)
		return -ENOMEM;
	for (k = 0; k < n; k++) {
		uint32_t l = DPX_MIN(room, len - at);

		chain[k]->data_len = (uint16_t)l;
		chain[k]->next = k + 1 < n ? chain[k + 1] : NULL;
		segs[k] = (struct vhost_seg){dpx_pktmbuf_mtod(chain[k], void *), l};
		at += l;
	}
	chain[0]->nb_segs = (uint16_t)n;
	chain[0]->pkt_len = len;
	c->pkts[i] = chain[0];
	return (int)n;
}

static void
mbuf_dst_free(void *ctx, uint16_t i)
{
	struct mbuf_ctx *c = ctx;

	dpx_pktmbuf_free(c->pkts[i]);
	c->pkts[i] = NULL;
}

static const struct vhost_pkt_ops mbuf_ops = {mbuf_src_segs, mbuf_dst_alloc, mbuf_dst_free};

uint16_t
dpx_vhost_enqueue_burst(int vid, uint16_t vring, struct dpx_mbuf **pkts, uint16_t n)
{
	struct mbuf_ctx c = {pkts, NULL};

	return vhost_enqueue_segs(vid, vring, &mbuf_ops, &c, n);
}

uint16_t
dpx_vhost_dequeue_burst(int vid, uint16_t vring, struct dpx_mempool *mp, struct dpx_mbuf **pkts,
			uint16_t n)
{
	struct mbuf_ctx c = {pkts, mp};

	return vhost_dequeue_segs(vid, vring, &mbuf_ops, &c, n);
}
