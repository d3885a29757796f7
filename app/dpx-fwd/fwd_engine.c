/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Forwarding engines. burst_loop() is the one body; each mode's function
 * calls it with a constant mode, so the compiler specialises it (no per-packet
 * branch on the mode at run time).
 */
#include <string.h>

#include <dpx_cycles.h>
#include <dpx_ethdev.h>
#include <dpx_mbuf.h>

#include "fwd_engine.h"

#define STAT_ADD(fs, field, v) \
	__atomic_store_n(&(fs)->stats.field, (fs)->stats.field + (v), __ATOMIC_RELAXED)

void
fwd_macswap_burst(struct dpx_mbuf **pkts, uint16_t n)
{
	for (uint16_t i = 0; i < n; i++)
		if (pkts[i]->data_len >= FWD_ETHER_HDR_LEN)
			fwd_ether_swap(dpx_pktmbuf_mtod(pkts[i], uint8_t *));
}

void
fwd_mac_burst(struct dpx_mbuf **pkts, uint16_t n, const uint8_t *src, const uint8_t *dst)
{
	for (uint16_t i = 0; i < n; i++)
		if (pkts[i]->data_len >= FWD_ETHER_HDR_LEN)
			fwd_ether_rewrite(dpx_pktmbuf_mtod(pkts[i], uint8_t *), src, dst);
}

/* Templates made so far: each gets a cookie of its own (0 is no template). */
static uint64_t tmpl_generation;

int
fwd_txonly_tmpl_init(struct fwd_txonly_tmpl *t, const struct fwd_txonly_cfg *cfg,
		     const uint16_t *seg_len, unsigned int nb_segs)
{
	uint32_t len = 0;

	if (nb_segs == 0 || nb_segs > FWD_MAX_TXSEGS)
		return -EINVAL;
	for (unsigned int i = 0; i < nb_segs; i++)
		len += seg_len[i];
	if (len > FWD_MAX_PKT_LEN || fwd_txonly_build(t->frame, len, cfg) < 0)
		return -EINVAL;
	t->len = len;
	t->nb_segs = nb_segs;
	t->cookie = __atomic_add_fetch(&tmpl_generation, 1, __ATOMIC_RELAXED);
	memcpy(t->seg_len, seg_len, nb_segs * sizeof(seg_len[0]));
	return 0;
}

/*
 * Copy the template into one packet made of t->nb_segs mbufs (segs[0] is the
 * head). A one-segment packet skips the copy when its mbuf carried this very
 * template before: txonly is the only user of the pool while it runs (no rx
 * is polled, transmitting reads the data), a fresh mbuf's data always starts
 * at the same offset, and every start makes a new template, so data written
 * into the mbuf by an earlier run in another mode never passes for it.
 * testpmd does not write the payload at all; this keeps every byte exact.
 */
static void
txonly_fill(struct dpx_mbuf **segs, const struct fwd_txonly_tmpl *t)
{
	uint32_t off = 0;

	if (t->nb_segs == 1) {
		struct dpx_mbuf *m = segs[0];

		if (m->udata64 != t->cookie) {
			memcpy(dpx_pktmbuf_mtod(m, uint8_t *), t->frame, t->len);
			m->udata64 = t->cookie;
		}
		m->data_len = (uint16_t)t->len;
		m->pkt_len = t->len;
		return;
	}

	for (unsigned int s = 0; s < t->nb_segs; s++) {
		struct dpx_mbuf *m = segs[s];

		memcpy(dpx_pktmbuf_mtod(m, uint8_t *), t->frame + off, t->seg_len[s]);
		m->data_len = t->seg_len[s];
		m->next = s + 1 < t->nb_segs ? segs[s + 1] : NULL;
		off += t->seg_len[s];
	}
	segs[0]->pkt_len = t->len;
	segs[0]->nb_segs = (uint16_t)t->nb_segs;
}

uint16_t
fwd_txonly_alloc_burst(struct dpx_mempool *pool, const struct fwd_txonly_tmpl *t,
		       struct dpx_mbuf **pkts, uint16_t n)
{
	struct dpx_mbuf *segs[FWD_MAX_BURST * FWD_MAX_TXSEGS];
	unsigned int need = (unsigned int)n * t->nb_segs;

	if (n > FWD_MAX_BURST || dpx_pktmbuf_alloc_bulk(pool, segs, need) != 0)
		return 0;
	for (uint16_t i = 0; i < n; i++) {
		txonly_fill(&segs[i * t->nb_segs], t);
		pkts[i] = segs[i * t->nb_segs];
	}
	return n;
}

/* Send n packets; what the queue refuses is freed and counted as dropped. */
static inline void
send_burst(struct fwd_stream *fs, struct dpx_mbuf **pkts, uint16_t n)
{
	uint16_t sent = dpx_eth_tx_burst(fs->tx_port, fs->tx_queue, pkts, n);

	if (sent < n)
		dpx_pktmbuf_free_bulk(&pkts[sent], n - sent);
	STAT_ADD(fs, tx_packets, sent);
	if (sent < n)
		STAT_ADD(fs, fwd_dropped, (uint64_t)(n - sent));
}

static __dpx_always_inline void
burst_loop(struct fwd_stream *fs, const enum fwd_mode mode)
{
	struct dpx_mbuf *pkts[FWD_MAX_BURST];
	uint64_t start = fs->record_cycles ? dpx_get_tsc_cycles() : 0;
	uint16_t n;

	if (mode == FWD_MODE_TXONLY) {
		if (fs->tx_gap_cycles != 0) {
			uint64_t now = dpx_get_tsc_cycles();

			if (now < fs->next_tx_cycles)
				return;
			/* no catching up after a stall: the rate is a ceiling */
			fs->next_tx_cycles = DPX_MAX(fs->next_tx_cycles + fs->tx_gap_cycles, now);
		}
		n = fwd_txonly_alloc_burst(fs->pool, fs->tmpl, pkts, fs->burst);
		if (n != 0)
			STAT_ADD(fs, generated, n);
	} else {
		n = dpx_eth_rx_burst(fs->rx_port, fs->rx_queue, pkts, fs->burst);
		if (n != 0)
			STAT_ADD(fs, rx_packets, n);
	}
	if (n == 0)
		return; /* idle polls are not busy cycles */
	if (mode == FWD_MODE_MAC)
		fwd_mac_burst(pkts, n, fs->tx_src_mac, fs->tx_dst_mac);
	else if (mode == FWD_MODE_MACSWAP)
		fwd_macswap_burst(pkts, n);
	if (mode == FWD_MODE_RXONLY) {
		dpx_pktmbuf_free_bulk(pkts, n);
		STAT_ADD(fs, consumed, n);
	} else {
		send_burst(fs, pkts, n);
	}
	if (fs->record_cycles)
		STAT_ADD(fs, core_cycles, dpx_get_tsc_cycles() - start);
}

void
fwd_engine_io(struct fwd_stream *fs)
{
	burst_loop(fs, FWD_MODE_IO);
}

void
fwd_engine_mac(struct fwd_stream *fs)
{
	burst_loop(fs, FWD_MODE_MAC);
}

void
fwd_engine_macswap(struct fwd_stream *fs)
{
	burst_loop(fs, FWD_MODE_MACSWAP);
}

void
fwd_engine_rxonly(struct fwd_stream *fs)
{
	burst_loop(fs, FWD_MODE_RXONLY);
}

void
fwd_engine_txonly(struct fwd_stream *fs)
{
	burst_loop(fs, FWD_MODE_TXONLY);
}

fwd_engine_t *
fwd_engine_get(enum fwd_mode mode)
{
	/* clang-format off */
	static fwd_engine_t *const engines[FWD_MODE_COUNT] = {
		[FWD_MODE_IO] = fwd_engine_io,
		[FWD_MODE_MAC] = fwd_engine_mac,
		[FWD_MODE_MACSWAP] = fwd_engine_macswap,
		[FWD_MODE_RXONLY] = fwd_engine_rxonly,
		[FWD_MODE_TXONLY] = fwd_engine_txonly,
	};
	/* clang-format on */

	return (unsigned int)mode < FWD_MODE_COUNT ? engines[mode] : NULL;
}
