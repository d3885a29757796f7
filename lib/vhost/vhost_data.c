/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Data path: host-to-guest enqueue and guest-to-host dequeue. One body per
 * direction serves split and packed rings (the `packed` argument is a
 * constant at each call site, so the compiler makes two specialised copies).
 * Payload bytes move only through the per-queue copy batch, executed by the
 * device's copy backend: the one place a DMA engine will plug in. Dirty pages
 * are marked when a batch has run, never before its bytes are in guest memory.
 *
 * Packets come from and go to mbufs (the API) or plain segments (tests): the
 * bodies take a constant `mbufs` flag, so the mbuf code is inlined in place
 * (no call per packet). Dequeue takes a burst's mbufs in one bulk allocation
 * and returns the unused ones in one bulk free.
 *
 * Ordering partners: the guest publishes buffers with a release store of
 * avail->idx (split) or of a descriptor's flags (packed), read here with
 * acquire; we publish used buffers with a release store of used->idx or the
 * used descriptor's flags, which the guest driver reads with acquire
 * (virtio_rmb). The seq_cst fence before reading the event-suppression area
 * pairs with the guest's fence between writing it and re-reading used.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <dpx_mbuf.h>
#include <dpx_mempool.h>
#include <dpx_page_pool.h>

#include "vhost_private.h"

DPX_LOG_REGISTER(vhost_data_logtype, "lib.vhost.data");

#define FEAT(f, bit) (((f) >> (bit)) & 1)

static __dpx_always_inline void
copy_cpu(const struct vhost_copy *c, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		memcpy(c[i].dst, c[i].src, c[i].len);
}

static void
copy_cpu_run(void *ctx, const struct vhost_copy *c, unsigned int n)
{
	(void)ctx;
	copy_cpu(c, n);
}

const struct vhost_copy_backend vhost_copy_cpu = {"cpu", copy_cpu_run, NULL};

/* Run the batch, then mark what it wrote: a front-end that reads and clears
 * the bitmap between a mark and its copy would migrate a stale page. */
static __dpx_always_inline void
batch_flush(struct vhost_dev *dev, struct vhost_vq *vq, const bool log)
{
	struct vhost_copy_batch *b = &vq->batch;
	unsigned int i;

	if (b->n == 0)
		return;
	if (dev->copy == &vhost_copy_cpu)
		copy_cpu(b->copies, b->n);
	else
		dev->copy->run(dev->copy->ctx, b->copies, b->n);
	if (log)
		for (i = 0; i < b->n; i++)
			if (b->copies[i].log_gpa != VHOST_COPY_NO_LOG)
				vhost_log_write(dev, b->copies[i].log_gpa, b->copies[i].len);
	b->n = 0;
	b->flushes++;
}

static __dpx_always_inline void
batch_add(struct vhost_dev *dev, struct vhost_vq *vq, void *dst, const void *src, uint32_t len,
	  uint64_t log_gpa, const bool log)
{
	if (dpx_unlikely(vq->batch.n == VHOST_COPY_BATCH))
		batch_flush(dev, vq, log);
	vq->batch.copies[vq->batch.n++] = (struct vhost_copy){dst, src, len, log_gpa};
}

static void
ring_broken(struct vhost_dev *dev, struct vhost_vq *vq, uint16_t vring, const char *why, int rc)
{
	uint64_t one = 1;

	vq->broken = true;
	VHOST_DLOG(ERR, "vid %d vring %u: guest ring broken: %s (%s); ring stopped", dev->vid,
		   vring, why, dpx_strerror(rc));
	/* vhost-user.rst: the error eventfd tells the front-end about it */
	if (vq->errfd >= 0 && write(vq->errfd, &one, sizeof(one)) < 0)
		VHOST_DLOG(WARNING, "vid %d vring %u: error eventfd write failed", dev->vid, vring);
}

/* Counters have one writer, the burst holding the queue lock; readers load
 * them relaxed (vhost_vq_stats_read), so each store is a whole value. */
#define STAT_ADD(vq, field, v) \
	__atomic_store_n(&(vq)->stats.field, (vq)->stats.field + (v), __ATOMIC_RELAXED)

static __dpx_always_inline void
count_packet(struct vhost_vq *vq, uint32_t len)
{
	/* bins: <= 64, 65-127, 128-255, 256-511, 512-1023, 1024-1518, more */
	unsigned int b = len <= 64     ? 0
			 : len > 1518  ? 6
			 : len >= 1024 ? 5
				       : (unsigned int)(31 - __builtin_clz(len)) - 5;

	STAT_ADD(vq, size_bins[b], 1);
	STAT_ADD(vq, packets, 1);
	STAT_ADD(vq, bytes, len);
}

void
vhost_vq_stats_read(struct vhost_vq *vq, struct dpx_vhost_vring_stats *out, bool reset)
{
	const uint64_t *now = (const uint64_t *)&vq->stats;
	uint64_t *base = (uint64_t *)&vq->stats_base, *o = (uint64_t *)out, v;
	unsigned int i;

	_Static_assert(sizeof(*out) % sizeof(uint64_t) == 0, "vring stats are 64-bit counters");
	for (i = 0; i < sizeof(*out) / sizeof(uint64_t); i++) {
		v = __atomic_load_n(&now[i], __ATOMIC_RELAXED);
		o[i] = v - base[i];
		if (reset)
			base[i] = v;
	}
}

/* ---- ring access, one body for both layouts ---- */

struct cursor {
	uint16_t idx; /* next ring index to read (split: free-running avail index) */
	uint16_t end; /* split: avail->idx seen */
	bool wrap;    /* packed: avail wrap counter */
};

static __dpx_always_inline int
cursor_init(struct vhost_vq *vq, struct cursor *cur, const bool packed)
{
	cur->idx = vq->last_avail_idx;
	cur->wrap = vq->avail_wrap;
	if (packed)
		return 0;
	/* acquire: pairs with the guest's release store of avail->idx */
	cur->end = __atomic_load_n(&vq->avail->idx, __ATOMIC_ACQUIRE);
	if ((uint16_t)(cur->end - cur->idx) > vq->size)
		return -ERANGE;
	return 0;
}

static __dpx_always_inline void
cursor_commit(struct vhost_vq *vq, const struct cursor *cur)
{
	vq->last_avail_idx = cur->idx;
	vq->avail_wrap = cur->wrap;
}

/* The head at the cursor is available: split, avail->idx is past it; packed,
 * its flags say so for our wrap counter (acquire: pairs with the guest's
 * release store of the head's flags). */
static __dpx_always_inline bool
head_avail(const struct vhost_vq *vq, const struct cursor *cur, const bool packed)
{
	uint16_t flags;

	if (!packed)
		return cur->idx != cur->end;
	flags = __atomic_load_n(&vq->desc_packed[cur->idx].flags, __ATOMIC_ACQUIRE);
	return !!(flags & VRING_PACKED_DESC_F_AVAIL) == cur->wrap &&
	       !!(flags & VRING_PACKED_DESC_F_USED) != cur->wrap;
}

/* @return 1 chain fetched, 0 none available, <0 broken ring (*why set) */
static __dpx_always_inline int
fetch_chain(struct vhost_vq *vq, const struct vhost_ring_view *v, struct cursor *cur,
	    const bool packed, const char **why)
{
	uint16_t head;
	int rc;

	if (!head_avail(vq, cur, packed))
		return 0;
	if (packed) {
		rc = vhost_chain_walk_inline(v, cur->idx, true, &vq->mem_hint, &vq->chain, why);
		if (rc < 0)
			return rc;
		cur->idx += vq->chain.ndesc;
		if (cur->idx >= vq->size) {
			cur->idx -= vq->size;
			cur->wrap = !cur->wrap;
		}
		/* the next head's descriptor: its line is read by the next fetch */
		__builtin_prefetch(&vq->desc_packed[cur->idx]);
		return 1;
	}
	head = __atomic_load_n(&vq->avail->ring[cur->idx & (vq->size - 1)], __ATOMIC_RELAXED);
	rc = vhost_chain_walk_inline(v, head, false, &vq->mem_hint, &vq->chain, why);
	if (rc < 0)
		return rc;
	cur->idx++;
	if (cur->idx != cur->end)
		__builtin_prefetch(
			&vq->desc[vq->avail->ring[cur->idx & (vq->size - 1)] & (vq->size - 1)]);
	return 1;
}

/*
 * Packed: the used descriptors of a burst are written with the first one's
 * flags last. The driver reads used descriptors in ring order, so it sees
 * none of the burst until all of it is there, instead of taking the line
 * back and forth with us descriptor by descriptor.
 */
static __dpx_always_inline void
used_publish_packed(struct vhost_dev *dev, struct vhost_vq *vq, unsigned int n, const bool log_used)
{
	uint16_t first = vq->last_used_idx, first_flags = 0, flags;
	unsigned int k;

	for (k = 0; k < n; k++) {
		const struct vhost_used_entry *e = &vq->used_shadow[k];
		struct vring_packed_desc *d = &vq->desc_packed[vq->last_used_idx];

		flags = vq->used_wrap ? VRING_PACKED_DESC_F_AVAIL | VRING_PACKED_DESC_F_USED : 0;
		d->id = e->id;
		d->len = e->len;
		if (k == 0) {
			first_flags = flags;
		} else {
			/* ordered before the first one's flags by the release store below */
			__atomic_store_n(&d->flags, flags, __ATOMIC_RELAXED);
			if (log_used)
				vhost_log_write(dev,
						vq->desc_gpa +
							(uint64_t)vq->last_used_idx * sizeof(*d),
						sizeof(*d));
		}
		vq->last_used_idx += e->ndesc;
		if (vq->last_used_idx >= vq->size) {
			vq->last_used_idx -= vq->size;
			vq->used_wrap = !vq->used_wrap;
		}
	}
	if (n == 0)
		return;
	/* release: pairs with the guest's acquire load of these flags */
	__atomic_store_n(&vq->desc_packed[first].flags, first_flags, __ATOMIC_RELEASE);
	if (log_used)
		vhost_log_write(dev,
				vq->desc_gpa + (uint64_t)first * sizeof(struct vring_packed_desc),
				sizeof(struct vring_packed_desc));
}

static __dpx_always_inline void
used_publish(struct vhost_dev *dev, struct vhost_vq *vq, unsigned int n, const bool packed,
	     const bool log)
{
	const bool log_used = log && vq->log;
	unsigned int k;

	if (packed) {
		used_publish_packed(dev, vq, n, log_used);
		return;
	}
	for (k = 0; k < n; k++) {
		const struct vhost_used_entry *e = &vq->used_shadow[k];
		uint16_t slot = (uint16_t)((vq->last_used_idx + k) & (vq->size - 1));

		vq->used->ring[slot].id = e->id;
		vq->used->ring[slot].len = e->len;
		if (log_used)
			vhost_log_write(dev,
					vq->addr.log_guest_addr +
						offsetof(struct vring_used, ring) + slot * 8ULL,
					8);
	}
	if (n > 0) {
		vq->last_used_idx += (uint16_t)n;
		/* release: pairs with the guest's acquire load of used->idx */
		__atomic_store_n(&vq->used->idx, vq->last_used_idx, __ATOMIC_RELEASE);
		if (log_used)
			vhost_log_write(
				dev, vq->addr.log_guest_addr + offsetof(struct vring_used, idx), 2);
	}
}

static __dpx_always_inline bool
need_notify(struct vhost_dev *dev, struct vhost_vq *vq, const bool packed)
{
	bool event_idx = FEAT(dev->features, VIRTIO_RING_F_EVENT_IDX);
	uint16_t old = vq->signalled_used, new = vq->last_used_idx, off, flags;
	bool valid = vq->signalled_used_valid, wrap = vq->used_wrap;

	/* 2.6.7.2 / 2.7.10: our used write before reading the guest's event area */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	vq->signalled_used = new;
	vq->signalled_used_valid = true;
	if (!packed) {
		if (!event_idx)
			return !(__atomic_load_n(&vq->avail->flags, __ATOMIC_RELAXED) &
				 VRING_AVAIL_F_NO_INTERRUPT);
		off = __atomic_load_n(&vq->avail->ring[vq->size], __ATOMIC_RELAXED);
		return !valid || vring_need_event(off, new, old);
	}
	flags = __atomic_load_n(&vq->driver_event->flags, __ATOMIC_RELAXED);
	if (flags != VRING_PACKED_EVENT_FLAG_DESC)
		return flags == VRING_PACKED_EVENT_FLAG_ENABLE;
	if (!valid)
		return true;
	off = __atomic_load_n(&vq->driver_event->off_wrap, __ATOMIC_RELAXED);
	if (new < old) {
		new = (uint16_t)(new + vq->size);
		wrap = !wrap;
	}
	if (wrap != (bool)(off >> VRING_PACKED_EVENT_WRAP_SHIFT))
		off = (uint16_t)((off & 0x7fff) - vq->size);
	else
		off &= 0x7fff;
	return vring_need_event(off, new, old);
}

/* One call per burst at most: the burst is the interrupt coalescing unit. */
static __dpx_always_inline void
notify(struct vhost_dev *dev, struct vhost_vq *vq, const bool packed)
{
	uint64_t one = 1;

	if (vq->callfd >= 0 && need_notify(dev, vq, packed) &&
	    write(vq->callfd, &one, sizeof(one)) == sizeof(one))
		vq->stats.notifications++;
}

/* ---- packets: mbufs (the API) or plain segments (tests) ---- */

/* What a burst moves packets from or to; `mbufs` is constant per body. */
struct pkt_io {
	const struct vhost_pkt_ops *ops; /* segments */
	void *ctx;
	struct dpx_mbuf **pkts; /* mbufs */
	struct dpx_mempool *mp; /* dequeue */
	struct dpx_page_pool *pp; /* dequeue: mp's page pool, where mbufs come from (or NULL) */
	uint32_t room;		/* data bytes of one of mp's mbufs */
	uint16_t prepared;	/* pkts[0..prepared): fresh mbufs of the burst's bulk allocation */
};

/* Dequeue: n fresh mbufs, from the page pool when the port has one. @return 0 or -ENOENT. */
static __dpx_always_inline int
io_alloc(struct pkt_io *io, struct dpx_mbuf **m, unsigned int n)
{
	if (io->pp != NULL)
		return dpx_page_pool_alloc_bulk(io->pp, m, n);
	return dpx_pktmbuf_alloc_bulk(io->mp, m, n);
}

/* Enqueue: the segments of packet i. @return their count or <0. */
static __dpx_always_inline int
src_segs(struct pkt_io *io, uint16_t i, struct vhost_seg *segs, const bool mbufs)
{
	struct dpx_mbuf *m;
	unsigned int k = 0;

	if (!mbufs)
		return io->ops->src_segs(io->ctx, i, segs, VHOST_PKT_MAX_SEGS);
	for (m = io->pkts[i]; m != NULL; m = m->next) {
		if (dpx_unlikely(k == VHOST_PKT_MAX_SEGS))
			return -E2BIG;
		segs[k++] = (struct vhost_seg){dpx_pktmbuf_mtod(m, void *), m->data_len};
	}
	return (int)k;
}

/*
 * Dequeue: room for packet i of len bytes, a chain of mbufs as long as needed;
 * the head comes from the burst's bulk allocation when it has one left.
 * @return segments, -ENOMEM (no mbufs now: retry later) or -E2BIG (never fits).
 * On failure pkts[i] is as it was.
 */
static __dpx_always_inline int
dst_alloc(struct pkt_io *io, uint16_t i, uint32_t len, struct vhost_seg *segs, const bool mbufs)
{
	struct dpx_mbuf *chain[VHOST_PKT_MAX_SEGS];
	uint32_t room = io->room, at = 0, l;
	unsigned int n, k;

	if (!mbufs)
		return io->ops->dst_alloc(io->ctx, i, len, segs, VHOST_PKT_MAX_SEGS);
	n = len <= room ? 1 : (len + room - 1) / room;
	if (dpx_unlikely(n > VHOST_PKT_MAX_SEGS))
		return -E2BIG;
	if (i < io->prepared)
		chain[0] = io->pkts[i];
	else if (io_alloc(io, chain, 1) != 0)
		return -ENOMEM;
	if (dpx_unlikely(n > 1) && io_alloc(io, chain + 1, n - 1) != 0) {
		if (i >= io->prepared)
			dpx_pktmbuf_free(chain[0]);
		return -ENOMEM;
	}
	for (k = 0; k < n; k++) {
		l = DPX_MIN(room, len - at);
		chain[k]->data_len = (uint16_t)l;
		segs[k] = (struct vhost_seg){dpx_pktmbuf_mtod(chain[k], void *), l};
		at += l;
	}
	if (dpx_unlikely(n > 1)) {
		for (k = 0; k + 1 < n; k++)
			chain[k]->next = chain[k + 1];
		chain[0]->nb_segs = (uint16_t)n;
	}
	chain[0]->pkt_len = len;
	io->pkts[i] = chain[0];
	return (int)n;
}

/* Dequeue: the heads of pkts[from..to) in one bulk allocation, when the pool has them. */
static __dpx_always_inline void
dst_prepare(struct pkt_io *io, uint16_t from, uint16_t to, const bool mbufs)
{
	if (mbufs && to > from && io_alloc(io, io->pkts + from, to - from) == 0)
		io->prepared = to;
}

/* Dequeue: what the bulk allocation gave and no packet took goes back in one free. */
static __dpx_always_inline void
dst_release(struct pkt_io *io, uint16_t used, const bool mbufs)
{
	if (mbufs && io->prepared > used)
		dpx_pktmbuf_free_bulk(io->pkts + used, io->prepared - used);
}

/* ---- copies between guest buffers and segment lists ---- */

struct seg_cursor {
	const struct vhost_seg *segs;
	unsigned int n;
	unsigned int i;
	uint32_t off;
};

/* Move up to len bytes between one guest piece (at guest-physical gpa) and
 * the cursor's segments; to_guest is constant per call site.
 * @return bytes moved. */
static __dpx_always_inline uint32_t
xfer(struct vhost_dev *dev, struct vhost_vq *vq, struct seg_cursor *s, uint8_t *guest, uint64_t gpa,
     uint32_t len, const bool to_guest, const bool log)
{
	uint32_t done = 0, chunk;

	while (done < len && s->i < s->n) {
		const struct vhost_seg *g = &s->segs[s->i];

		chunk = DPX_MIN(g->len - s->off, len - done);
		if (chunk > 0) {
			if (to_guest)
				batch_add(dev, vq, guest + done, (uint8_t *)g->addr + s->off, chunk,
					  gpa + done, log);
			else
				batch_add(dev, vq, (uint8_t *)g->addr + s->off, guest + done, chunk,
					  VHOST_COPY_NO_LOG, log);
		}
		done += chunk;
		s->off += chunk;
		if (s->off == g->len) {
			s->i++;
			s->off = 0;
		}
	}
	return done;
}

/* ---- enqueue ---- */

struct hdr_dst {
	unsigned int n;
	struct vhost_buf pieces[sizeof(struct virtio_net_hdr_mrg_rxbuf)];
};

/* Fill one receive chain: the header room (first chain only) then payload. */
static __dpx_always_inline uint32_t
fill_chain(struct vhost_dev *dev, struct vhost_vq *vq, struct seg_cursor *src, uint32_t hdr_skip,
	   struct hdr_dst *hd, const bool log)
{
	struct vhost_chain *c = &vq->chain;
	uint32_t written = 0, k, skip, moved;

	for (k = c->nread; k < c->nbufs; k++) {
		struct vhost_buf *b = &c->bufs[k];

		skip = DPX_MIN(hdr_skip, b->len);
		if (skip > 0) {
			hd->pieces[hd->n++] = (struct vhost_buf){b->hva, b->gpa, skip};
			hdr_skip -= skip;
			written += skip;
		}
		moved = xfer(dev, vq, src, (uint8_t *)b->hva + skip, b->gpa + skip, b->len - skip,
			     true, log);
		written += moved;
		if (moved < b->len - skip)
			break;
	}
	return written;
}

/* Forget a packet that will not be published: its cursor, used entries and
 * the copies it queued (a flush since its start ran them into buffers the
 * guest still owns as available, which is harmless; the rest never run). */
static __dpx_always_inline void
place_undo(struct vhost_vq *vq, struct cursor *cur, const struct cursor *start, unsigned int *nused,
	   unsigned int first, unsigned int mark, unsigned int flushes)
{
	*cur = *start;
	*nused = first;
	vq->batch.n = vq->batch.flushes == flushes ? mark : 0;
}

/* The packet of plen bytes at src and its header into the chain's one buffer. */
static __dpx_always_inline int
place_whole(struct vhost_dev *dev, struct vhost_vq *vq, unsigned int *nused, const void *src,
	    uint32_t plen, struct virtio_net_hdr_mrg_rxbuf *hdr, const bool log)
{
	const struct vhost_buf *b = &vq->chain.bufs[0];
	uint32_t hl = dev->hdr_len;

	vq->used_shadow[(*nused)++] =
		(struct vhost_used_entry){vq->chain.id, vq->chain.ndesc, plen + hl};
	if (plen > 0)
		batch_add(dev, vq, (uint8_t *)b->hva + hl, src, plen, b->gpa + hl, log);
	memset(hdr, 0, sizeof(*hdr));
	hdr->num_buffers = 1;
	batch_add(dev, vq, b->hva, hdr, hl, b->gpa, log);
	return 1;
}

/* @return 1 placed, 0 no room (state untouched), <0 broken ring or -EMSGSIZE */
static __dpx_always_inline int
place_packet(struct vhost_dev *dev, struct vhost_vq *vq, const struct vhost_ring_view *v,
	     struct cursor *cur, unsigned int *nused, const struct vhost_seg *segs,
	     unsigned int nsegs, uint64_t plen, struct virtio_net_hdr_mrg_rxbuf *hdr,
	     const bool packed, const bool log, const char **why)
{
	struct seg_cursor src = {segs, nsegs, 0, 0};
	bool mrg = FEAT(dev->features, VIRTIO_NET_F_MRG_RXBUF);
	struct cursor start = *cur;
	unsigned int first = *nused, k, mark = vq->batch.n, flushes = vq->batch.flushes;
	uint64_t left = plen + dev->hdr_len;
	struct hdr_dst hd;
	uint32_t w;
	int rc;

	hd.n = 0;
	do {
		if (*nused == VHOST_USED_SHADOW)
			goto no_room;
		rc = fetch_chain(vq, v, cur, packed, why);
		if (rc == 0)
			goto no_room;
		if (rc < 0)
			return rc;
		if (vq->chain.nread > 0) {
			*why = "device-readable buffer in a receive chain";
			return -EINVAL;
		}
		/* the common case: one segment into one buffer that holds it with
		 * the header, two copies and no piece bookkeeping */
		if (*nused == first && nsegs == 1 && vq->chain.nbufs == 1 &&
		    vq->chain.bufs[0].len >= left)
			return place_whole(dev, vq, nused, segs[0].addr, (uint32_t)plen, hdr, log);
		w = fill_chain(dev, vq, &src, *nused == first ? dev->hdr_len : 0, &hd, log);
		vq->used_shadow[(*nused)++] =
			(struct vhost_used_entry){vq->chain.id, vq->chain.ndesc, w};
		left -= w;
	} while (left > 0 && mrg);
	for (k = 0, w = 0; k < hd.n; k++)
		w += hd.pieces[k].len;
	if (left > 0 || w != dev->hdr_len || src.i < src.n) {
		place_undo(vq, cur, &start, nused, first, mark, flushes);
		return -EMSGSIZE;
	}
	memset(hdr, 0, sizeof(*hdr));
	hdr->num_buffers = (uint16_t)(*nused - first);
	/* the header goes last: num_buffers is final before its copy is queued */
	for (k = 0, w = 0; k < hd.n; w += hd.pieces[k].len, k++)
		batch_add(dev, vq, hd.pieces[k].hva, (uint8_t *)hdr + w, hd.pieces[k].len,
			  hd.pieces[k].gpa, log);
	return 1;
no_room:
	place_undo(vq, cur, &start, nused, first, mark, flushes);
	return 0;
}

/* Both directions end a burst alike: the copies land (and their pages are
 * marked), then the used entries are published, then the guest is called if
 * it wants to be. */
static __dpx_always_inline void
burst_finish(struct vhost_dev *dev, struct vhost_vq *vq, const struct cursor *cur,
	     unsigned int nused, const bool packed, const bool log)
{
	batch_flush(dev, vq, log);
	cursor_commit(vq, cur);
	used_publish(dev, vq, nused, packed, log);
	if (nused > 0)
		notify(dev, vq, packed);
}

static __dpx_always_inline uint16_t
enqueue_body(struct vhost_dev *dev, struct vhost_vq *vq, uint16_t vring, struct pkt_io *io,
	     uint16_t n, const bool packed, const bool mbufs)
{
	struct virtio_net_hdr_mrg_rxbuf hdrs[VHOST_MAX_BURST];
	struct vhost_seg segs[VHOST_PKT_MAX_SEGS];
	const struct vhost_ring_view v = {
		dev->mem, packed ? (const void *)vq->desc_packed : vq->desc, vq->size,
		FEAT(dev->features, VIRTIO_RING_F_INDIRECT_DESC)};
	const bool log = vhost_log_on(dev);
	const char *why = "";
	unsigned int nused = 0, k;
	struct cursor cur;
	uint64_t plen;
	uint16_t i;
	int ns, rc = 0;

	if (cursor_init(vq, &cur, packed) < 0) {
		ring_broken(dev, vq, vring, "avail index moved more than the ring size", -ERANGE);
		return 0;
	}
	for (i = 0; i < n; i++) {
		ns = src_segs(io, i, segs, mbufs);
		if (ns < 0) {
			STAT_ADD(vq, errors, 1);
			break;
		}
		for (plen = 0, k = 0; k < (unsigned int)ns; k++)
			plen += segs[k].len;
		rc = place_packet(dev, vq, &v, &cur, &nused, segs, (unsigned int)ns, plen, &hdrs[i],
				  packed, log, &why);
		if (rc <= 0)
			break;
		count_packet(vq, (uint32_t)plen);
	}
	if (rc == -EMSGSIZE)
		STAT_ADD(vq, errors, 1);
	else if (rc < 0)
		ring_broken(dev, vq, vring, why, rc);
	burst_finish(dev, vq, &cur, nused, packed, log);
	return i;
}

/* ---- dequeue ---- */

/* @return 0, or the dst_alloc error (nothing queued then) */
static __dpx_always_inline int
take_packet(struct vhost_dev *dev, struct vhost_vq *vq, struct pkt_io *io, uint16_t out,
	    const bool mbufs, const bool log)
{
	struct vhost_chain *c = &vq->chain;
	struct vhost_seg dsegs[VHOST_PKT_MAX_SEGS];
	uint64_t plen = c->read_len - dev->hdr_len;
	uint32_t skip = dev->hdr_len, s;
	struct seg_cursor dst;
	unsigned int k;
	int nd;

	nd = dst_alloc(io, out, (uint32_t)plen, dsegs, mbufs);
	if (nd < 0)
		return nd;
	if (nd == 1 && c->nread == 1) {
		/* the common case: header and packet in one buffer, one mbuf */
		if (plen > 0)
			batch_add(dev, vq, dsegs[0].addr, (uint8_t *)c->bufs[0].hva + skip,
				  (uint32_t)plen, VHOST_COPY_NO_LOG, log);
		count_packet(vq, (uint32_t)plen);
		return 0;
	}
	dst = (struct seg_cursor){dsegs, (unsigned int)nd, 0, 0};
	for (k = 0; k < c->nread; k++) {
		s = DPX_MIN(skip, c->bufs[k].len);
		skip -= s;
		xfer(dev, vq, &dst, (uint8_t *)c->bufs[k].hva + s, c->bufs[k].gpa + s,
		     c->bufs[k].len - s, false, log);
	}
	count_packet(vq, (uint32_t)plen);
	return 0;
}

/* SEND_RARP: after a migration the guest's MAC is announced on its behalf. */
static uint16_t
inject_rarp(struct vhost_dev *dev, struct vhost_vq *vq, struct pkt_io *io, uint8_t *frame,
	    const bool mbufs)
{
	static const uint8_t tail[] = {0x80, 0x35, 0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x03};
	struct vhost_seg d[VHOST_PKT_MAX_SEGS];
	struct seg_cursor dst;
	int nd;

	memset(frame, 0, 60);
	memset(frame, 0xff, 6);
	memcpy(frame + 6, dev->rarp_mac, 6);
	memcpy(frame + 12, tail, sizeof(tail)); /* ethertype RARP, ARP header, op 3 */
	memcpy(frame + 22, dev->rarp_mac, 6);	/* sender hw */
	memcpy(frame + 32, dev->rarp_mac, 6);	/* target hw */
	nd = dst_alloc(io, 0, 60, d, mbufs);
	if (nd < 0)
		return 0;
	dst = (struct seg_cursor){d, (unsigned int)nd, 0, 0};
	xfer(dev, vq, &dst, frame, 0, 60, false, false);
	return 1;
}

static __dpx_always_inline uint16_t
dequeue_body(struct vhost_dev *dev, struct vhost_vq *vq, uint16_t vring, struct pkt_io *io,
	     uint16_t n, const bool packed, const bool mbufs)
{
	const struct vhost_ring_view v = {
		dev->mem, packed ? (const void *)vq->desc_packed : vq->desc, vq->size,
		FEAT(dev->features, VIRTIO_RING_F_INDIRECT_DESC)};
	const bool log = vhost_log_on(dev);
	uint8_t rarp[60];
	const char *why = "";
	unsigned int nused = 0;
	struct cursor cur, before;
	uint16_t out = 0, want;
	int rc = 0;

	if (cursor_init(vq, &cur, packed) < 0) {
		ring_broken(dev, vq, vring, "avail index moved more than the ring size", -ERANGE);
		return 0;
	}
	/* acquire: pairs with the release store in the SEND_RARP handler */
	if (n > 0 && __atomic_load_n(&dev->rarp_pending, __ATOMIC_RELAXED) &&
	    __atomic_exchange_n(&dev->rarp_pending, 0, __ATOMIC_ACQUIRE))
		out = inject_rarp(dev, vq, io, rarp, mbufs);
	if (out == n || !head_avail(vq, &cur, packed))
		goto done;
	/* split: the chains the guest made available bound the allocation */
	want = packed ? n : (uint16_t)DPX_MIN(n, out + (uint16_t)(cur.end - cur.idx));
	dst_prepare(io, out, want, mbufs);
	while (out < n && nused < VHOST_USED_SHADOW) {
		before = cur;
		rc = fetch_chain(vq, &v, &cur, packed, &why);
		if (rc <= 0)
			break;
		vq->used_shadow[nused++] =
			(struct vhost_used_entry){vq->chain.id, vq->chain.ndesc, 0};
		if (vq->chain.read_len < dev->hdr_len ||
		    vq->chain.read_len - dev->hdr_len > 65535) {
			/* a bad packet is returned to the guest unread, not fatal */
			VHOST_DLOG(DEBUG, "vid %d vring %u: tx chain of %" PRIu64 " bytes dropped",
				   dev->vid, vring, vq->chain.read_len);
			STAT_ADD(vq, errors, 1);
			continue;
		}
		rc = take_packet(dev, vq, io, out, mbufs, log);
		if (rc == -ENOMEM) {
			/* no mbufs now: the chain stays in the ring for a later burst */
			cur = before;
			nused--;
			STAT_ADD(vq, errors, 1);
			rc = 0;
			break;
		}
		if (rc < 0) {
			/* it can never fit: returned to the guest unread, like a bad chain */
			VHOST_DLOG(DEBUG,
				   "vid %d vring %u: tx chain of %" PRIu64 " bytes dropped: %s",
				   dev->vid, vring, vq->chain.read_len, dpx_strerror(rc));
			STAT_ADD(vq, errors, 1);
			rc = 0;
			continue;
		}
		out++;
	}
	if (rc < 0)
		ring_broken(dev, vq, vring, why, rc);
	dst_release(io, out, mbufs);
done:
	burst_finish(dev, vq, &cur, nused, packed, log);
	return out;
}

/* ---- entry points ---- */

static struct vhost_vq *
vq_enter(int vid, uint16_t vring, bool rx, struct vhost_dev **devp)
{
	struct vhost_dev *dev = vhost_dev_get(vid);
	struct vhost_vq *vq;

	if (dev == NULL || vring >= DPX_VHOST_MAX_VRINGS || (vring & 1) == rx)
		return NULL;
	vq = dev->vq[vring];
	if (vq == NULL || !vhost_lock_try(&vq->access_lock))
		return NULL;
	if (!vq->ready || !vq->enabled || vq->broken) {
		vhost_lock_release(&vq->access_lock);
		return NULL;
	}
	*devp = dev;
	return vq;
}

/*
 * Both directions and both packet kinds share one entry: the lock, the burst
 * cap and the release are the same, and each body is specialized by the
 * constant ring-layout and mbuf flags.
 */
static __dpx_always_inline uint16_t
vq_burst(int vid, uint16_t vring, struct pkt_io *io, uint16_t n, const bool rx, const bool mbufs)
{
	struct vhost_dev *dev;
	struct vhost_vq *vq = vq_enter(vid, vring, rx, &dev);
	uint16_t done;

	if (vq == NULL)
		return 0;
	n = DPX_MIN(n, VHOST_MAX_BURST);
	if (rx)
		done = vq->packed ? enqueue_body(dev, vq, vring, io, n, true, mbufs)
				  : enqueue_body(dev, vq, vring, io, n, false, mbufs);
	else
		done = vq->packed ? dequeue_body(dev, vq, vring, io, n, true, mbufs)
				  : dequeue_body(dev, vq, vring, io, n, false, mbufs);
	vhost_lock_release(&vq->access_lock);
	return done;
}

uint16_t
vhost_enqueue_segs(int vid, uint16_t vring, const struct vhost_pkt_ops *ops, void *ctx, uint16_t n)
{
	struct pkt_io io = {.ops = ops, .ctx = ctx};

	return vq_burst(vid, vring, &io, n, true, false);
}

uint16_t
vhost_dequeue_segs(int vid, uint16_t vring, const struct vhost_pkt_ops *ops, void *ctx, uint16_t n)
{
	struct pkt_io io = {.ops = ops, .ctx = ctx};

	return vq_burst(vid, vring, &io, n, false, false);
}

uint16_t
dpx_vhost_enqueue_burst(int vid, uint16_t vring, struct dpx_mbuf **pkts, uint16_t n)
{
	struct pkt_io io = {.pkts = pkts};

	return vq_burst(vid, vring, &io, n, true, true);
}

/* Dequeue into mbufs of mp, taken from pp when it is not NULL (pp's mempool is mp). */
static uint16_t
dequeue(int vid, uint16_t vring, struct dpx_mempool *mp, struct dpx_page_pool *pp,
	struct dpx_mbuf **pkts, uint16_t n)
{
	uint16_t data_room = dpx_pktmbuf_data_room_size(mp);
	/* a fresh mbuf's data starts at min(headroom, room), as dpx_pktmbuf_reset sets it */
	struct pkt_io io = {.pkts = pkts,
			    .mp = mp,
			    .pp = pp,
			    .room = data_room - DPX_MIN(data_room, DPX_PKTMBUF_HEADROOM)};

	if (io.room == 0)
		return 0; /* no packet fits such mbufs: documented, nothing taken */
	return vq_burst(vid, vring, &io, n, false, true);
}

uint16_t
dpx_vhost_dequeue_burst(int vid, uint16_t vring, struct dpx_mempool *mp, struct dpx_mbuf **pkts,
			uint16_t n)
{
	return dequeue(vid, vring, mp, NULL, pkts, n);
}

uint16_t
dpx_vhost_dequeue_burst_page_pool(int vid, uint16_t vring, struct dpx_page_pool *pp,
				  struct dpx_mbuf **pkts, uint16_t n)
{
	return dequeue(vid, vring, dpx_page_pool_mempool(pp), pp, pkts, n);
}
