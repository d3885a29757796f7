/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Forwarding engines. burst_loop() is the one body; each mode's function
 * calls it with a constant mode, so the compiler specialises it (no per-packet
 * branch on the mode at run time).
 */
#include <stdio.h>
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
 * head). With txonly_pool, a one-segment packet skips the copy when its mbuf
 * carried this very template before: the caller says it is the only writer
 * of the pool's mbufs (txonly polls no rx, transmitting reads the data), a
 * fresh mbuf's data always starts at the same offset, and every start makes
 * a new template, so data written into the mbuf by an earlier run in another
 * mode never passes for it. A mode that also receives into the pool (flowgen,
 * tx_first) must copy: a received frame keeps the cookie of the template its
 * mbuf last carried. testpmd does not write the payload at all; this keeps
 * every byte exact.
 */
static void
txonly_fill(struct dpx_mbuf **segs, const struct fwd_txonly_tmpl *t, bool txonly_pool)
{
	uint32_t off = 0;

	if (t->nb_segs == 1) {
		struct dpx_mbuf *m = segs[0];

		if (!txonly_pool || m->udata64 != t->cookie) {
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
		       struct dpx_mbuf **pkts, uint16_t n, bool txonly_pool)
{
	struct dpx_mbuf *segs[FWD_MAX_BURST * FWD_MAX_TXSEGS];
	unsigned int need = (unsigned int)n * t->nb_segs;

	if (n > FWD_MAX_BURST || dpx_pktmbuf_alloc_bulk(pool, segs, need) != 0)
		return 0;
	for (uint16_t i = 0; i < n; i++) {
		txonly_fill(&segs[i * t->nb_segs], t, txonly_pool);
		pkts[i] = segs[i * t->nb_segs];
	}
	return n;
}

/* "set verbose": the burst, one line per packet, in one piece among the cores' output. */
static void
dump_burst(const struct fwd_stream *fs, struct dpx_mbuf **pkts, uint16_t n, int rx)
{
	char line[512];

	flockfile(fs->dump);
	fprintf(fs->dump, "port %u/queue %u: %s %u packets\n", rx ? fs->rx_port : fs->tx_port,
		rx ? fs->rx_queue : fs->tx_queue, rx ? "received" : "sent", n);
	for (uint16_t i = 0; i < n; i++) {
		fwd_pkt_describe(line, sizeof(line), dpx_pktmbuf_mtod(pkts[i], uint8_t *),
				 pkts[i]->data_len, pkts[i]->pkt_len, pkts[i]->nb_segs,
				 fs->pool_name, rx, rx ? fs->rx_queue : fs->tx_queue);
		fprintf(fs->dump, "  %s\n", line);
	}
	fflush(fs->dump);
	funlockfile(fs->dump);
}

static inline unsigned int
verbose(const struct fwd_stream *fs)
{
	return __atomic_load_n(&fs->verbose, __ATOMIC_RELAXED); /* the prompt writes it */
}

/* Send n packets; what the queue refuses is freed and counted as dropped. */
static inline void
send_burst(struct fwd_stream *fs, struct dpx_mbuf **pkts, uint16_t n)
{
	uint16_t sent;

	if (dpx_unlikely(verbose(fs) & 2))
		dump_burst(fs, pkts, n, 0);
	sent = dpx_eth_tx_burst(fs->tx_port, fs->tx_queue, pkts, n);
	if (sent < n)
		dpx_pktmbuf_free_bulk(&pkts[sent], n - sent);
	STAT_ADD(fs, tx_packets, sent);
	if (sent < n)
		STAT_ADD(fs, fwd_dropped, (uint64_t)(n - sent));
}

uint16_t
fwd_tx_first_burst(struct fwd_stream *fs)
{
	struct dpx_mbuf *pkts[FWD_MAX_BURST];
	uint16_t n = fwd_txonly_alloc_burst(fs->pool, fs->tmpl, pkts, fs->burst, false);
	uint64_t before = fs->stats.tx_packets;

	if (n == 0) {
		STAT_ADD(fs, gen_nombuf, fs->burst);
		return 0;
	}
	STAT_ADD(fs, generated, n);
	send_burst(fs, pkts, n);
	return (uint16_t)(fs->stats.tx_packets - before);
}

void
fwd_csum_packet(struct fwd_stream *fs, struct dpx_mbuf *m)
{
	struct fwd_seg segs[16];
	struct fwd_csum_result r;
	unsigned int n = 0;

	for (struct dpx_mbuf *s = m; s != NULL; s = s->next) {
		if (n == DPX_DIM(segs))
			return; /* longer chains are forwarded unchecked (doc/dpx-fwd.md) */
		segs[n].data = dpx_pktmbuf_mtod(s, uint8_t *);
		segs[n++].len = s->data_len;
	}
	if (fwd_csum_fix(segs, n, m->pkt_len, &r) < 0)
		return;
	if (r.ip_bad)
		STAT_ADD(fs, bad_ip_csum, 1);
	if (r.l4_bad)
		STAT_ADD(fs, bad_l4_csum, 1);
}

uint16_t
fwd_icmpecho_burst(struct fwd_stream *fs, struct dpx_mbuf **pkts, uint16_t n)
{
	struct dpx_mbuf *drop[FWD_MAX_BURST];
	uint16_t k = 0, d = 0;

	/* most of a burst is usually not a request: free those in one call, not one each */
	for (uint16_t i = 0; i < n; i++) {
		if (fwd_icmpecho_reply(dpx_pktmbuf_mtod(pkts[i], uint8_t *), pkts[i]->data_len,
				       fs->rx_mac) != FWD_ECHO_DROP)
			pkts[k++] = pkts[i];
		else
			drop[d++] = pkts[i];
	}
	if (d != 0) {
		dpx_pktmbuf_free_bulk(drop, d);
		STAT_ADD(fs, consumed, d);
	}
	return k;
}

/* Build what the pacer allows; flowgen and multi-flow give each packet its own address. */
static __dpx_always_inline uint16_t
generate(struct fwd_stream *fs, struct dpx_mbuf **pkts, const enum fwd_mode mode)
{
	uint16_t want = fs->pacer.pps != 0
				? fwd_pacer_allow(&fs->pacer, dpx_get_tsc_cycles(), fs->burst)
				: fs->burst;
	uint16_t n;

	if (want == 0)
		return 0;
	n = fwd_txonly_alloc_burst(fs->pool, fs->tmpl, pkts, want, mode == FWD_MODE_TXONLY);
	if (n == 0) {
		STAT_ADD(fs, gen_nombuf, want);
		return 0;
	}
	fwd_pacer_sent(&fs->pacer, n);
	STAT_ADD(fs, generated, n);
	if (mode == FWD_MODE_FLOWGEN || fs->multi_flow) {
		for (uint16_t i = 0; i < n; i++) {
			fwd_udp4_set_addr(dpx_pktmbuf_mtod(pkts[i], uint8_t *),
					  mode == FWD_MODE_FLOWGEN, fs->base_ip + fs->flow);
			fs->flow = (fs->flow + 1) % FWD_FLOWGEN_FLOWS;
		}
	}
	return n;
}

static __dpx_always_inline uint16_t
receive(struct fwd_stream *fs, struct dpx_mbuf **pkts)
{
	uint16_t n = dpx_eth_rx_burst(fs->rx_port, fs->rx_queue, pkts, fs->burst);

	if (n == 0)
		return 0;
	STAT_ADD(fs, rx_packets, n);
	if (dpx_unlikely(verbose(fs) & 1))
		dump_burst(fs, pkts, n, 1);
	return n;
}

static __dpx_always_inline void
burst_loop(struct fwd_stream *fs, const enum fwd_mode mode)
{
	struct dpx_mbuf *pkts[FWD_MAX_BURST];
	uint64_t start = fs->record_cycles ? dpx_get_tsc_cycles() : 0;
	uint16_t n;

	if (mode == FWD_MODE_FLOWGEN) {
		/* flowgen only generates: what arrives is received and freed (as testpmd) */
		n = receive(fs, pkts);
		if (n != 0) {
			dpx_pktmbuf_free_bulk(pkts, n);
			STAT_ADD(fs, consumed, n);
		}
	}
	if (mode == FWD_MODE_TXONLY || mode == FWD_MODE_FLOWGEN)
		n = generate(fs, pkts, mode);
	else
		n = receive(fs, pkts);
	if (n == 0)
		return; /* idle polls are not busy cycles */
	if (mode == FWD_MODE_MAC || mode == FWD_MODE_CSUM)
		fwd_mac_burst(pkts, n, fs->tx_src_mac, fs->tx_dst_mac);
	else if (mode == FWD_MODE_MACSWAP)
		fwd_macswap_burst(pkts, n);
	if (mode == FWD_MODE_CSUM)
		for (uint16_t i = 0; i < n; i++)
			fwd_csum_packet(fs, pkts[i]);
	if (mode == FWD_MODE_5TSWAP)
		for (uint16_t i = 0; i < n; i++)
			fwd_5tswap(dpx_pktmbuf_mtod(pkts[i], uint8_t *), pkts[i]->data_len);
	if (mode == FWD_MODE_ICMPECHO)
		n = fwd_icmpecho_burst(fs, pkts, n);
	if (mode == FWD_MODE_RXONLY) {
		dpx_pktmbuf_free_bulk(pkts, n);
		STAT_ADD(fs, consumed, n);
	} else if (n != 0) {
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

void
fwd_engine_icmpecho(struct fwd_stream *fs)
{
	burst_loop(fs, FWD_MODE_ICMPECHO);
}

void
fwd_engine_csum(struct fwd_stream *fs)
{
	burst_loop(fs, FWD_MODE_CSUM);
}

void
fwd_engine_flowgen(struct fwd_stream *fs)
{
	burst_loop(fs, FWD_MODE_FLOWGEN);
}

void
fwd_engine_5tswap(struct fwd_stream *fs)
{
	burst_loop(fs, FWD_MODE_5TSWAP);
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
		[FWD_MODE_ICMPECHO] = fwd_engine_icmpecho,
		[FWD_MODE_CSUM] = fwd_engine_csum,
		[FWD_MODE_FLOWGEN] = fwd_engine_flowgen,
		[FWD_MODE_5TSWAP] = fwd_engine_5tswap,
	};
	/* clang-format on */

	return (unsigned int)mode < FWD_MODE_COUNT ? engines[mode] : NULL;
}
