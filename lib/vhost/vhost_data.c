/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Data path: host-to-guest enqueue and guest-to-host dequeue. One body per
 * direction serves split and packed rings (the `packed` argument is a
 * constant at each call site, so the compiler makes two specialised copies).
 * Payload bytes move through the per-queue copy batch, executed by the
 * device's copy backend, except on the short ways (enqueue_fast,
 * dequeue_fast): one-descriptor chains and one-segment packets of sync
 * bursts with the CPU backend, copied in place, never while dirty logging
 * is on. Dirty pages are marked when a batch has run, never before its
 * bytes are in guest memory.
 *
 * Async (dpx_vhost_async.h): the bodies also take a constant `async` flag.
 * Each packet's batch then runs at once, short copies by the CPU and the
 * rest as DMA jobs, and the packet waits in the vring's in-flight ring
 * (struct vhost_async) with its used entries and dirty-log ranges until its
 * jobs completed; async_publish walks that ring in order, so used entries
 * are published in ring order and only after their bytes landed.
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

#include <dpx_dmadev.h>
#include <dpx_mbuf.h>
#include <dpx_mempool.h>
#include <dpx_page_pool.h>
#include <dpx_prefetch.h>

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
	b->flushed += b->n;
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

/* Past a chain of ndesc descriptors (split: one avail entry, whatever its length). */
static __dpx_always_inline void
cursor_advance(struct vhost_vq *vq, struct cursor *cur, uint16_t ndesc, const bool packed)
{
	if (!packed) {
		cur->idx++;
		return;
	}
	cur->idx = (uint16_t)(cur->idx + ndesc);
	if (cur->idx >= vq->size) {
		cur->idx = (uint16_t)(cur->idx - vq->size);
		cur->wrap = !cur->wrap;
	}
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
		cursor_advance(vq, cur, vq->chain.ndesc, true);
		/* the next head's descriptor: its line is read by the next fetch */
		__builtin_prefetch(&vq->desc_packed[cur->idx]);
		return 1;
	}
	head = __atomic_load_n(&vq->avail->ring[cur->idx & (vq->size - 1)], __ATOMIC_RELAXED);
	rc = vhost_chain_walk_inline(v, head, false, &vq->mem_hint, &vq->chain, why);
	if (rc < 0)
		return rc;
	cursor_advance(vq, cur, 1, false);
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
used_publish_packed(struct vhost_dev *dev, struct vhost_vq *vq, const struct vhost_used_entry *used,
		    unsigned int n, const bool log_used)
{
	uint16_t first = vq->last_used_idx, first_flags = 0, flags;
	unsigned int k;

	for (k = 0; k < n; k++) {
		const struct vhost_used_entry *e = &used[k];
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

/* Publish n used entries (the burst's shadow, or a run of the async used ring). */
static __dpx_always_inline void
used_publish(struct vhost_dev *dev, struct vhost_vq *vq, const struct vhost_used_entry *used,
	     unsigned int n, const bool packed, const bool log)
{
	const bool log_used = log && vq->log;
	unsigned int k;

	if (packed) {
		used_publish_packed(dev, vq, used, n, log_used);
		return;
	}
	for (k = 0; k < n; k++) {
		const struct vhost_used_entry *e = &used[k];
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

/* ---- async: the batch's copies become CPU copies or DMA jobs ---- */

/* What an async burst works with; the sync bodies get NULL and never look. */
struct async_io {
	struct vhost_async *as;
	struct vhost_async_vchan *vc;
	int16_t dma;
	uint16_t vchan;
	uint32_t threshold;
	uint16_t room;	  /* jobs the vchan takes for the rest of the burst */
	uint16_t jobs;	  /* jobs this burst gave it (one submit at the end) */
	uint64_t flushed; /* batch.flushed at the last commit: mid-packet flushes ran by CPU */
	bool log;
};

static __dpx_always_inline bool
copy_by_cpu(const struct vhost_copy *c, uint32_t threshold)
{
	return c->len <= DPX_VHOST_ASYNC_CPU_COPY_MAX || c->len < threshold;
}

#define ASYNC_STAT_ADD(as, field, v) \
	__atomic_store_n(&(as)->cnt.field, (as)->cnt.field + (v), __ATOMIC_RELAXED)

/* A dirty-log range of packet p, merged into its previous one when contiguous. */
static __dpx_always_inline void
async_log_add(struct vhost_async *as, struct vhost_async_pkt *p, uint64_t gpa, uint32_t len)
{
	struct vhost_log_range *r = &as->log[(uint16_t)(as->log_head - 1) & VHOST_ASYNC_MASK];

	if (p->nlog > 0 && r->gpa + r->len == gpa) {
		r->len += len;
		return;
	}
	as->log[as->log_head++ & VHOST_ASYNC_MASK] = (struct vhost_log_range){gpa, len};
	p->nlog++;
}

/* The vchan takes `need` more jobs now, or never will: with none of ours
 * outstanding its room is its whole ring (the packet is then the CPU's). */
static __dpx_always_inline bool
async_fits(const struct async_io *a, unsigned int need)
{
	return need <= a->room || a->vc->in_flight == 0;
}

/*
 * Run one packet's batch: copies below the threshold (and cpu_only ones:
 * sources on the caller's stack) by memcpy now, the rest as DMA jobs whose
 * slots point at the packet, which becomes the next in-flight entry. Its
 * dirty-log ranges are kept for the publish, after every copy completed. A
 * packet of more jobs than the vchan's ring holds is copied by the CPU.
 * @return 0, or -ENOSPC (the vchan's ring or the log ring lacks room now;
 *   nothing run, the batch kept for the caller to drop)
 */
static __dpx_always_inline int
async_commit(struct vhost_vq *vq, struct async_io *a, struct dpx_mbuf *m, bool packet, uint32_t len,
	     uint16_t nused, bool cpu_only)
{
	struct vhost_copy_batch *b = &vq->batch;
	struct vhost_async *as = a->as;
	struct vhost_async_pkt *p = &as->pkts[as->pkt_head & VHOST_ASYNC_MASK];
	uint64_t cpu = b->flushed - a->flushed;
	unsigned int i, need = 0, dma = 0;
	int idx, last = -1;

	if (!cpu_only && b->n > a->room) {
		for (i = 0; i < b->n; i++)
			need += !copy_by_cpu(&b->copies[i], a->threshold);
		if (!async_fits(a, need))
			return -ENOSPC;
		cpu_only = need > a->room;
	}
	if (a->log && (uint16_t)(as->log_head - as->log_pub) > VHOST_ASYNC_RING - b->n)
		return -ENOSPC;
	/* no job can mark it before the submit, which this thread does (vchan lock held) */
	*p = (struct vhost_async_pkt){m, len, nused, 0, packet, 0, 0};
	for (i = 0; i < b->n; i++) {
		const struct vhost_copy *c = &b->copies[i];

		if (a->log && c->log_gpa != VHOST_COPY_NO_LOG)
			async_log_add(as, p, c->log_gpa, c->len);
		if (cpu_only || copy_by_cpu(c, a->threshold)) {
			memcpy(c->dst, c->src, c->len);
			cpu++;
			continue;
		}
		/* IOVA = VA on both sides: guest regions are mapped at their
		 * address here, and the EAL runs IOVA-as-VA (dma_configure checks) */
		idx = dpx_dma_copy(a->dma, a->vchan, (uint64_t)(uintptr_t)c->src,
				   (uint64_t)(uintptr_t)c->dst, c->len, 0);
		if (dpx_unlikely(idx < 0)) {
			/* the room was measured under the vchan lock: only a device
			 * stopped under us gets here; the packet is dropped as failed */
			p->error = 1;
			continue;
		}
		a->vc->slots[idx & a->vc->mask] = (uintptr_t)p;
		last = idx;
		dma++;
	}
	if (last >= 0) {
		a->vc->slots[last & a->vc->mask] |= 1;
		a->vc->issued = (uint16_t)(last + 1);
		a->vc->in_flight += dma;
		a->room = (uint16_t)(a->room - dma);
		a->jobs = (uint16_t)(a->jobs + dma);
	} else {
		p->done = 1;
	}
	a->flushed = b->flushed;
	b->n = 0;
	as->pkt_head++;
	ASYNC_STAT_ADD(as, cpu_copies, cpu);
	ASYNC_STAT_ADD(as, dma_copies, dma);
	if (packet)
		ASYNC_STAT_ADD(as, submitted, 1);
	return 0;
}

/* Whether this is the first burst on an unconfigured (dma, vchan): each
 * such pair is logged once, every out-of-range one under one last bit. */
static bool
unconfigured_first(int16_t dma, uint16_t vchan)
{
	enum { PAIRS = DPX_DMADEV_MAX_DEVS * DPX_DMA_MAX_VCHANS };
	static uint64_t logged[PAIRS / 64 + 1];
	unsigned int bit = dma >= 0 && dma < DPX_DMADEV_MAX_DEVS && vchan < DPX_DMA_MAX_VCHANS
				   ? (unsigned int)dma * DPX_DMA_MAX_VCHANS + vchan
				   : PAIRS;
	uint64_t mask = UINT64_C(1) << (bit % 64);

	return !(__atomic_fetch_or(&logged[bit / 64], mask, __ATOMIC_RELAXED) & mask);
}

/* Room for a whole burst in the in-flight rings (a dequeue burst adds up to
 * VHOST_USED_SHADOW entries of each), and the vchan: then take its lock. */
static __dpx_always_inline bool
async_begin(struct vhost_dev *dev, struct vhost_vq *vq, struct async_io *a, int16_t dma,
	    uint16_t vchan)
{
	struct vhost_async *as = vq->async;

	if ((uint16_t)(as->pkt_head - as->pkt_tail) > VHOST_ASYNC_RING - VHOST_USED_SHADOW - 1 ||
	    (uint16_t)(as->used_head - as->used_pub) > VHOST_ASYNC_RING - VHOST_USED_SHADOW)
		return false;
	a->vc = vhost_async_vchan_get(dma, vchan);
	if (a->vc == NULL) {
		if (unconfigured_first(dma, vchan))
			VHOST_DLOG(ERR,
				   "vid %d: async burst on DMA %d vchan %u, which "
				   "dpx_vhost_async_dma_configure() did not configure (logged once "
				   "for this vchan)",
				   dev->vid, dma, vchan);
		return false;
	}
	a->as = as;
	a->dma = dma;
	a->vchan = vchan;
	if (as->last_vchan != ((uint32_t)(uint16_t)dma << 16 | vchan))
		__atomic_store_n(&as->last_vchan, (uint32_t)(uint16_t)dma << 16 | vchan,
				 __ATOMIC_RELAXED);
	a->threshold = __atomic_load_n(&dev->async_threshold, __ATOMIC_RELAXED);
	a->jobs = 0;
	a->flushed = vq->batch.flushed;
	a->log = vhost_log_on(dev);
	vhost_lock_take(&a->vc->lock);
	/* unconfigured meanwhile: its slots are no longer vhost's to use */
	if (!a->vc->configured) {
		vhost_lock_release(&a->vc->lock);
		return false;
	}
	a->room = dpx_dma_burst_capacity(dma, vchan);
	return true;
}

static __dpx_always_inline void
async_end(struct async_io *a)
{
	if (a->jobs > 0)
		dpx_dma_submit(a->dma, a->vchan);
	vhost_lock_release(&a->vc->lock);
}

/* The burst's cursor and used entries, kept in flight instead of published. */
static __dpx_always_inline void
async_finish(struct vhost_vq *vq, const struct cursor *cur, unsigned int nused)
{
	struct vhost_async *as = vq->async;
	unsigned int k;

	cursor_commit(vq, cur);
	for (k = 0; k < nused; k++)
		as->used[(uint16_t)(as->used_head + k) & VHOST_ASYNC_MASK] = vq->used_shadow[k];
	as->used_head = (uint16_t)(as->used_head + nused);
}

/* Mark the packets of n jobs a vchan reported, the last at job index last. */
static void
vchan_mark(struct vhost_async_vchan *vc, uint16_t last, uint16_t n,
	   const enum dpx_dma_status_code *st)
{
	uint16_t i, idx;

	for (i = 0; i < n; i++) {
		idx = (uint16_t)(last - (n - 1) + i);
		uintptr_t slot = vc->slots[idx & vc->mask];
		struct vhost_async_pkt *p = (struct vhost_async_pkt *)(slot & ~(uintptr_t)1);

		vc->slots[idx & vc->mask] = 0;
		if (p == NULL)
			continue; /* its vring gave it up (a drain that expired) */
		/* seen by the owner through done's release below, or through the
		 * vchan lock (release at unlock, acquire at lock) when the
		 * packet's last job is reported by a later collection */
		if (st != NULL && st[i] != DPX_DMA_STATUS_SUCCESSFUL)
			__atomic_store_n(&p->error, 1, __ATOMIC_RELAXED);
		/* release: pairs with the acquire load of done in async_publish */
		if (slot & 1)
			__atomic_store_n(&p->done, 1, __ATOMIC_RELEASE);
	}
	vc->in_flight -= n;
}

/* dmadev: completed() stops before a failed job, which only
 * completed_status() reports and gets past. */
void
vhost_async_vchan_collect(int16_t dma, uint16_t vchan, struct vhost_async_vchan *vc)
{
	enum dpx_dma_status_code st[64];
	unsigned int rounds;
	uint16_t n, last;
	bool err;

	for (rounds = 0; rounds < 16 && vc->in_flight > 0; rounds++) {
		n = dpx_dma_completed(dma, vchan, 64, &last, &err);
		vchan_mark(vc, last, n, NULL);
		if (err) {
			uint16_t k = dpx_dma_completed_status(dma, vchan, 64, &last, st);

			vchan_mark(vc, last, k, st);
			n = (uint16_t)(n + k);
		}
		if (n == 0)
			break;
	}
}

/* A packet one of whose copies failed: dropped, the ring kept consistent. */
static void
async_drop(struct vhost_vq *vq, struct vhost_async *as, struct vhost_async_pkt *p, uint16_t used)
{
	unsigned int k;

	if (as->rx) {
		/* each receive buffer goes back with length 0: shorter than a
		 * header, so the driver drops it alone (Linux: receive_buf's
		 * "short packet", rx_length_errors) and never reads num_buffers
		 * from a buffer the packet half wrote */
		for (k = 0; k < p->nused; k++)
			as->used[(uint16_t)(used + k) & VHOST_ASYNC_MASK].len = 0;
	} else if (p->mbuf != NULL) {
		/* the chain was read (or not) and goes back used; the mbuf is ours to free */
		dpx_pktmbuf_free(p->mbuf);
		p->mbuf = NULL;
	}
	ASYNC_STAT_ADD(as, dma_errors, 1);
	STAT_ADD(vq, errors, 1);
}

/* Publish, in ring order, the in-flight packets whose copies completed: their
 * dirty pages, then their used entries, then one call. */
static __dpx_always_inline unsigned int
async_publish(struct vhost_dev *dev, struct vhost_vq *vq, const bool packed)
{
	struct vhost_async *as = vq->async;
	const bool log = vhost_log_on(dev);
	uint16_t p = as->pkt_pub, u = as->used_pub, l = as->log_pub;
	unsigned int nused = 0, npkts = 0, first, k;

	while (p != as->pkt_head) {
		struct vhost_async_pkt *e = &as->pkts[p & VHOST_ASYNC_MASK];

		/* acquire: pairs with the release store of done in vchan_mark
		 * (the bytes its DMA jobs wrote are visible after it) */
		if (!__atomic_load_n(&e->done, __ATOMIC_ACQUIRE))
			break;
		if (dpx_unlikely(__atomic_load_n(&e->error, __ATOMIC_RELAXED)))
			async_drop(vq, as, e, (uint16_t)(u + nused));
		else if (e->packet)
			count_packet(vq, e->len);
		/* the drain before any log change keeps `log` what it was at submit */
		for (k = 0; log && k < e->nlog; k++) {
			const struct vhost_log_range *r =
				&as->log[(uint16_t)(l + k) & VHOST_ASYNC_MASK];

			vhost_log_write(dev, r->gpa, r->len);
		}
		l = (uint16_t)(l + e->nlog);
		nused += e->nused;
		p++;
		npkts++;
	}
	if (npkts == 0)
		return 0;
	/* not ready: the ring's addresses may be stale (only after an expired drain) */
	if (vq->ready && nused > 0) {
		first = DPX_MIN(nused, (unsigned int)(VHOST_ASYNC_RING - (u & VHOST_ASYNC_MASK)));
		used_publish(dev, vq, &as->used[u & VHOST_ASYNC_MASK], first, packed, log);
		if (nused > first)
			used_publish(dev, vq, as->used, nused - first, packed, log);
		notify(dev, vq, packed);
	}
	as->pkt_pub = p;
	as->used_pub = (uint16_t)(u + nused);
	as->log_pub = l;
	return npkts;
}

unsigned int
vhost_async_complete(struct vhost_dev *dev, struct vhost_vq *vq)
{
	return vq->packed ? async_publish(dev, vq, true) : async_publish(dev, vq, false);
}

/* Give the application the mbufs of published packets, in ring order. */
static uint16_t
async_return(struct vhost_async *as, struct dpx_mbuf **pkts, uint16_t n)
{
	uint64_t done = 0;
	uint16_t k = 0;

	while (as->pkt_tail != as->pkt_pub && k < n) {
		struct vhost_async_pkt *e = &as->pkts[as->pkt_tail & VHOST_ASYNC_MASK];

		done += e->packet;
		if (e->mbuf != NULL)
			pkts[k++] = e->mbuf;
		as->pkt_tail++;
	}
	ASYNC_STAT_ADD(as, completed, done);
	return k;
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

/* ---- enqueue: the common packet, the short way ---- */

/*
 * Most receive buffers are one direct descriptor the driver made
 * device-writable, large enough for the header and the packet (Linux's and
 * DPDK's drivers post them so), and most packets are one mbuf. Such packets
 * skip the chain walk and the copy batch, a whole burst at a time: their
 * heads are checked (each field read once) and their buffers prefetched as
 * they are, so the lines the driver holds come over during the gather, then
 * each header is written by the CPU and each payload copied. Anything else, and any burst with a copy
 * backend, the dirty log or async, goes the general way (place_packet),
 * which takes over at the first packet this way does not.
 */

/* The head at the cursor, when it is one direct descriptor, device-writable
 * (receive) or not (transmit), of need to max bytes, all inside one region
 * (as the general way translates it: a descriptor running out of guest
 * memory breaks the ring there, whatever the packet): its host address,
 * else NULL. *len is the descriptor's length. */
static __dpx_always_inline uint8_t *
fast_head(struct vhost_dev *dev, struct vhost_vq *vq, const struct cursor *cur, uint32_t need,
	  uint32_t max, uint32_t *len, uint16_t *id, const bool packed, const bool writable)
{
	const uint16_t kind = VRING_DESC_F_NEXT | VRING_DESC_F_INDIRECT | VRING_DESC_F_WRITE;
	const uint16_t want_kind = writable ? VRING_DESC_F_WRITE : 0;
	uint64_t addr, got;
	uint16_t flags, head;
	void *hva;

	if (packed) {
		const volatile struct vring_packed_desc *d = &vq->desc_packed[cur->idx];
		uint16_t want_flags =
			(cur->wrap ? VRING_PACKED_DESC_F_AVAIL : VRING_PACKED_DESC_F_USED) | want_kind;

		/* acquire: pairs with the driver's release store of the flags */
		flags = __atomic_load_n(&vq->desc_packed[cur->idx].flags, __ATOMIC_ACQUIRE);
		if ((flags & (VRING_PACKED_DESC_F_AVAIL | VRING_PACKED_DESC_F_USED | kind)) !=
		    want_flags)
			return NULL;
		addr = d->addr;
		*len = d->len;
		*id = d->id;
	} else {
		const volatile struct vring_desc *d;

		if (cur->idx == cur->end)
			return NULL;
		head = __atomic_load_n(&vq->avail->ring[cur->idx & (vq->size - 1)],
				       __ATOMIC_RELAXED);
		if (dpx_unlikely(head >= vq->size))
			return NULL;
		d = &vq->desc[head];
		flags = d->flags;
		if ((flags & kind) != want_kind)
			return NULL;
		addr = d->addr;
		*len = d->len;
		*id = head;
	}
	if (*len < need || *len > max)
		return NULL;
	got = *len;
	hva = vhost_mem_gpa_to_hva(dev->mem, addr, &got, &vq->mem_hint);
	return dpx_likely(hva != NULL && got == *len) ? hva : NULL;
}

/*
 * The descriptors of the next n heads, fetched at once rather than one miss
 * after another. Packed: their lines owned, since the burst writes them back
 * as used descriptors, but only while the ring has been keeping ahead of the
 * bursts: taking a line the driver is writing a descriptor into slows the
 * driver (guest to host 64 B lost 10 % so). Split: the heads the avail ring
 * names, all of them made available (a hint only: fast_head reads and
 * checks each again).
 */
static __dpx_always_inline void
fast_prefetch_heads(struct vhost_vq *vq, const struct cursor *cur, unsigned int n,
		    const bool packed)
{
	unsigned int k, at = cur->idx;

	if (packed) {
		/* not into lines the driver may be writing now: only when the
		 * last short-way burst found all it looked for */
		if (!vq->fast_ahead)
			return;
		/* line by line (4 descriptors each) from the head's, wrapping */
		n = DPX_MIN(n + (at & 3), (unsigned int)vq->size);
		at &= ~3u;
		for (k = 0; k < n; k += 4) {
			dpx_prefetch_write(&vq->desc_packed[at]);
			at += 4;
			if (at >= vq->size)
				at = 0;
		}
		return;
	}
	n = DPX_MIN(n, (uint16_t)(cur->end - cur->idx));
	for (k = 0; k < n; k++, at++)
		dpx_prefetch_read(&vq->desc[__atomic_load_n(&vq->avail->ring[at & (vq->size - 1)],
							    __ATOMIC_RELAXED) &
					    (vq->size - 1)]);
}

/* After a short way's gather: the ring kept ahead of it when it found all
 * it looked for, fell behind when it stopped at a head not yet available;
 * a head or packet that did not qualify says nothing about the ring. */
static __dpx_always_inline void
fast_ahead_note(struct vhost_vq *vq, const struct cursor *cur, bool all, const bool packed)
{
	if (all)
		vq->fast_ahead = true;
	else if (!head_avail(vq, cur, packed))
		vq->fast_ahead = false;
}

/* The header of a packet in one buffer: no offload, one buffer. */
static __dpx_always_inline void
fast_hdr(uint8_t *dst, uint32_t hdr_len)
{
	static const struct virtio_net_hdr_mrg_rxbuf one = {.num_buffers = 1};

	/* constant lengths, so each is two stores */
	if (hdr_len == sizeof(one))
		memcpy(dst, &one, sizeof(one));
	else
		memcpy(dst, &one, sizeof(one.hdr));
}

/* The lines of a buffer between its first and its last, for writing */
static __dpx_always_inline void
fast_prefetch_inner(const uint8_t *p, uint32_t len)
{
	uintptr_t line = ((uintptr_t)p | 63) + 1, last = ((uintptr_t)p + len - 1) & ~(uintptr_t)63;

	for (; line < last; line += 64)
		dpx_prefetch_write((const void *)line);
}

/* Place pkts[0..k) the short way, k <= n the first that do not qualify. @return k */
static __dpx_always_inline unsigned int
enqueue_fast(struct vhost_dev *dev, struct vhost_vq *vq, struct cursor *cur,
	     struct dpx_mbuf **pkts, unsigned int n, unsigned int *nused, const bool packed)
{
	uint32_t hl = dev->hdr_len;
	uint8_t *dst[VHOST_MAX_BURST];
	uint16_t id[VHOST_MAX_BURST];
	unsigned int k, i;
	uint32_t blen;

	n = DPX_MIN(n, DPX_MIN((unsigned int)VHOST_MAX_BURST, VHOST_USED_SHADOW - *nused));
	if (pkts[0]->next != NULL)
		return 0;
	/* once a burst: a retry after the general way took a packet has them */
	if (*nused == 0)
		fast_prefetch_heads(vq, cur, n, packed);
	for (k = 0; k < n; k++) {
		if (pkts[k]->next != NULL)
			break;
		dst[k] = fast_head(dev, vq, cur, pkts[k]->data_len + hl, UINT32_MAX, &blen, &id[k],
				   packed, true);
		if (dst[k] == NULL)
			break;
		/* owned by the time its copy comes, after the rest of the gather:
		 * the header's line and the packet's last (the next one when the
		 * buffer starts late in a line, as in a DPDK guest's mbufs) */
		dpx_prefetch_write(dst[k]);
		dpx_prefetch_write(dst[k] + hl + pkts[k]->data_len - 1);
		cursor_advance(vq, cur, 1, packed);
	}
	fast_ahead_note(vq, cur, k == n, packed);
	/* the first packet's inner lines too; each later one's come a copy ahead */
	if (k > 0)
		fast_prefetch_inner(dst[0], hl + pkts[0]->data_len);
	for (i = 0; i < k; i++) {
		uint32_t len = pkts[i]->data_len;

		if (i + 1 < k)
			fast_prefetch_inner(dst[i + 1], hl + pkts[i + 1]->data_len);
		fast_hdr(dst[i], hl);
		memcpy(dst[i] + hl, dpx_pktmbuf_mtod(pkts[i], void *), len);
		vq->used_shadow[(*nused)++] = (struct vhost_used_entry){id[i], 1, len + hl};
		count_packet(vq, len);
	}
	return k;
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
	used_publish(dev, vq, vq->used_shadow, nused, packed, log);
	if (nused > 0)
		notify(dev, vq, packed);
}

/*
 * async (constant): each placed packet's batch runs at once (CPU copies and
 * DMA jobs) and the packet joins the in-flight ring; the burst's used
 * entries wait there for async_publish instead of being published now.
 */
static __dpx_always_inline uint16_t
enqueue_body(struct vhost_dev *dev, struct vhost_vq *vq, uint16_t vring, struct pkt_io *io,
	     uint16_t n, const bool packed, const bool mbufs, const bool async, struct async_io *a)
{
	struct virtio_net_hdr_mrg_rxbuf hdrs[VHOST_MAX_BURST];
	struct vhost_seg segs[VHOST_PKT_MAX_SEGS];
	const struct vhost_ring_view v = {
		dev->mem, packed ? (const void *)vq->desc_packed : vq->desc, vq->size,
		FEAT(dev->features, VIRTIO_RING_F_INDIRECT_DESC)};
	const bool log = vhost_log_on(dev);
	const bool fast = mbufs && !async && !log && dev->copy == &vhost_copy_cpu;
	const char *why = "";
	unsigned int nused = 0, first, k;
	struct cursor cur, start;
	uint64_t plen;
	uint16_t i;
	int ns, rc = 0;

	if (cursor_init(vq, &cur, packed) < 0) {
		ring_broken(dev, vq, vring, "avail index moved more than the ring size", -ERANGE);
		return 0;
	}
	for (i = 0; i < n; i++) {
		if (fast && (k = enqueue_fast(dev, vq, &cur, io->pkts + i, n - i, &nused, packed)) > 0) {
			i = (uint16_t)(i + k - 1);
			continue;
		}
		ns = src_segs(io, i, segs, mbufs);
		if (ns < 0) {
			STAT_ADD(vq, errors, 1);
			break;
		}
		for (plen = 0, k = 0; k < (unsigned int)ns; k++)
			plen += segs[k].len;
		start = cur;
		first = nused;
		rc = place_packet(dev, vq, &v, &cur, &nused, segs, (unsigned int)ns, plen, &hdrs[i],
				  packed, log, &why);
		if (rc <= 0)
			break;
		if (!async) {
			count_packet(vq, (uint32_t)plen);
			continue;
		}
		if (async_commit(vq, a, io->pkts[i], true, (uint32_t)plen,
				 (uint16_t)(nused - first), false) < 0) {
			/* no DMA room: the packet waits for a later burst, as with no buffers */
			cur = start;
			nused = first;
			vq->batch.n = 0;
			rc = 0;
			break;
		}
	}
	if (rc == -EMSGSIZE)
		STAT_ADD(vq, errors, 1);
	else if (rc < 0)
		ring_broken(dev, vq, vring, why, rc);
	if (async)
		async_finish(vq, &cur, nused);
	else
		burst_finish(dev, vq, &cur, nused, packed, log);
	return i;
}

/* ---- dequeue ---- */

/* @return 0, or the dst_alloc error (nothing queued then) */
static __dpx_always_inline int
take_packet(struct vhost_dev *dev, struct vhost_vq *vq, struct pkt_io *io, uint16_t out,
	    const bool mbufs, const bool log, const bool async)
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
		if (!async)
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
	if (!async)
		count_packet(vq, (uint32_t)plen);
	return 0;
}

/*
 * Dequeue's short way: a chain of one direct device-readable descriptor
 * holding the header and a packet one mbuf holds (DPDK's and Linux's
 * drivers send so when the header fits in front of the packet) goes into
 * the next mbuf of the burst's bulk allocation, without the chain walk or
 * the copy batch: the burst's heads first, each packet's first line
 * prefetched, then the copies. Stops at the first chain it does not take,
 * or when the bulk allocation is used up; the general way goes on from there.
 * @return packets taken, into io->pkts[out..)
 */
static __dpx_always_inline unsigned int
dequeue_fast(struct vhost_dev *dev, struct vhost_vq *vq, struct cursor *cur, struct pkt_io *io,
	     uint16_t out, uint16_t n, unsigned int *nused, const bool packed)
{
	uint32_t hl = dev->hdr_len, max = hl + DPX_MIN(io->room, 65535u), len[VHOST_MAX_BURST];
	const uint8_t *src[VHOST_MAX_BURST];
	uint16_t id[VHOST_MAX_BURST];
	unsigned int k, i, want;

	if (io->prepared <= out)
		return 0;
	want = DPX_MIN((unsigned int)(DPX_MIN(n, io->prepared) - out), VHOST_USED_SHADOW - *nused);
	/* once a burst: a retry after the general way took a chain has them */
	if (*nused == 0)
		fast_prefetch_heads(vq, cur, want, packed);
	for (k = 0; k < want; k++) {
		src[k] = fast_head(dev, vq, cur, hl, max, &len[k], &id[k], packed, false);
		if (src[k] == NULL)
			break;
		dpx_prefetch_read(src[k] + hl);
		cursor_advance(vq, cur, 1, packed);
	}
	fast_ahead_note(vq, cur, k == want, packed);
	for (i = 0; i < k; i++) {
		struct dpx_mbuf *m = io->pkts[out + i];
		uint32_t plen = len[i] - hl;

		m->data_len = (uint16_t)plen;
		m->pkt_len = plen;
		memcpy(dpx_pktmbuf_mtod(m, void *), src[i] + hl, plen);
		vq->used_shadow[(*nused)++] = (struct vhost_used_entry){id[i], 1, 0};
		count_packet(vq, plen);
	}
	return k;
}

/*
 * IN_ORDER, packed (virtio 1.1, 2.8.20.1): the device may tell a batch of
 * used buffers with one used descriptor, written where the batch's first
 * would go, with the buffer id of its last, the ring then skipping the
 * batch's descriptors. A transmit burst is told so: the driver reads one
 * used descriptor a burst instead of one a packet, and the descriptors
 * between keep what the driver wrote. (Receive needs each buffer's
 * length, so it is told in full.) @return the shadow's entries: 1
 */
static __dpx_always_inline unsigned int
used_in_order_batch(struct vhost_vq *vq, unsigned int nused)
{
	uint32_t ndesc = 0;
	unsigned int k;

	for (k = 0; k < nused; k++)
		ndesc += vq->used_shadow[k].ndesc;
	/* at most the ring's size: each descriptor is used once a burst */
	vq->used_shadow[0] =
		(struct vhost_used_entry){vq->used_shadow[nused - 1].id, (uint16_t)ndesc, 0};
	return 1;
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

/* The mbufs of `room` data bytes a packet of len bytes takes. */
static __dpx_always_inline unsigned int
pkt_mbufs(uint64_t len, uint32_t room)
{
	return len <= room ? 1 : (unsigned int)((len + room - 1) / room);
}

/* async: a used entry that carries no packet (a dropped chain) keeps its place in ring order */
static __dpx_always_inline void
async_no_packet(struct vhost_vq *vq, struct async_io *a, const bool async)
{
	if (async)
		(void)async_commit(vq, a, NULL, false, 0, 1, true); /* no copies: cannot fail */
}

/*
 * async (constant): each packet's copies start at once and the packet joins
 * the in-flight ring with its used entry (the chain goes back to the guest
 * only after the copies read it); dropped chains join it too, in order.
 */
static __dpx_always_inline uint16_t
dequeue_body(struct vhost_dev *dev, struct vhost_vq *vq, uint16_t vring, struct pkt_io *io,
	     uint16_t n, const bool packed, const bool mbufs, const bool async, struct async_io *a)
{
	const struct vhost_ring_view v = {
		dev->mem, packed ? (const void *)vq->desc_packed : vq->desc, vq->size,
		FEAT(dev->features, VIRTIO_RING_F_INDIRECT_DESC)};
	const bool log = vhost_log_on(dev);
	const bool fast = mbufs && !async && dev->copy == &vhost_copy_cpu;
	uint8_t rarp[60];
	const char *why = "";
	unsigned int nused = 0, k;
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
	/* the frame is on this stack: copied by the CPU, now */
	if (async && out > 0)
		(void)async_commit(vq, a, io->pkts[0], true, 60, 0, true);
	if (out == n || !head_avail(vq, &cur, packed))
		goto done;
	/* split: the chains the guest made available bound the allocation */
	want = packed ? n : (uint16_t)DPX_MIN(n, out + (uint16_t)(cur.end - cur.idx));
	dst_prepare(io, out, want, mbufs);
	while (out < n && nused < VHOST_USED_SHADOW) {
		if (fast && (k = dequeue_fast(dev, vq, &cur, io, out, n, &nused, packed)) > 0) {
			out = (uint16_t)(out + k);
			continue;
		}
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
			async_no_packet(vq, a, async);
			continue;
		}
		/* a packet's copies are at most its buffers plus its mbufs: with
		 * that much DMA room (or an idle vchan) its commit cannot fail */
		if (async && !async_fits(a, vq->chain.nread + pkt_mbufs(vq->chain.read_len -
									    dev->hdr_len,
									io->room))) {
			cur = before;
			nused--;
			break;
		}
		rc = take_packet(dev, vq, io, out, mbufs, log, async);
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
			async_no_packet(vq, a, async);
			rc = 0;
			continue;
		}
		if (async)
			(void)async_commit(vq, a, io->pkts[out], true,
					   (uint32_t)(vq->chain.read_len - dev->hdr_len), 1, false);
		out++;
	}
	if (rc < 0)
		ring_broken(dev, vq, vring, why, rc);
	dst_release(io, out, mbufs);
done:
	if (async) {
		async_finish(vq, &cur, nused);
		return out;
	}
	if (packed && nused > 1 && FEAT(dev->features, VIRTIO_F_IN_ORDER))
		nused = used_in_order_batch(vq, nused);
	burst_finish(dev, vq, &cur, nused, packed, log);
	return out;
}

/* ---- entry points ---- */

/* The vring of a burst, locked, when it runs and is async exactly when the
 * burst is (a sync burst on an async vring would publish out of order). */
static struct vhost_vq *
vq_enter(int vid, uint16_t vring, bool rx, const bool async, struct vhost_dev **devp)
{
	struct vhost_dev *dev = vhost_dev_get(vid);
	struct vhost_vq *vq;

	if (dev == NULL || vring >= DPX_VHOST_MAX_VRINGS || (vring & 1) == rx)
		return NULL;
	/* acquire: pairs with the vring's publication (vq_get) */
	vq = __atomic_load_n(&dev->vq[vring], __ATOMIC_ACQUIRE);
	if (vq == NULL || !vhost_lock_try(&vq->access_lock))
		return NULL;
	if (!vq->ready || !vq->enabled || vq->broken || (vq->async != NULL) != async) {
		vhost_lock_release(&vq->access_lock);
		return NULL;
	}
	*devp = dev;
	return vq;
}

/*
 * Both directions, both packet kinds and both modes share one entry: the
 * lock, the burst cap and the release are the same, and each body is
 * specialized by the constant ring-layout, mbuf and async flags. Async: the
 * vchan is held for the burst and its jobs submitted at the end, and the
 * vring is handed back still locked (*vqp) for the caller to collect.
 */
static __dpx_always_inline uint16_t
vq_burst(int vid, uint16_t vring, struct pkt_io *io, uint16_t n, const bool rx, const bool mbufs,
	 const bool async, struct async_io *a, struct vhost_vq **vqp)
{
	struct vhost_dev *dev;
	struct vhost_vq *vq = vq_enter(vid, vring, rx, async, &dev);
	uint16_t done;

	if (vq == NULL)
		return 0;
	n = DPX_MIN(n, VHOST_MAX_BURST);
	if (async && !async_begin(dev, vq, a, a->dma, a->vchan)) {
		*vqp = vq;
		return 0;
	}
	if (rx)
		done = vq->packed ? enqueue_body(dev, vq, vring, io, n, true, mbufs, async, a)
				  : enqueue_body(dev, vq, vring, io, n, false, mbufs, async, a);
	else
		done = vq->packed ? dequeue_body(dev, vq, vring, io, n, true, mbufs, async, a)
				  : dequeue_body(dev, vq, vring, io, n, false, mbufs, async, a);
	if (async) {
		async_end(a);
		*vqp = vq;
		return done;
	}
	vhost_lock_release(&vq->access_lock);
	return done;
}

uint16_t
vhost_enqueue_segs(int vid, uint16_t vring, const struct vhost_pkt_ops *ops, void *ctx, uint16_t n)
{
	struct pkt_io io = {.ops = ops, .ctx = ctx};

	return vq_burst(vid, vring, &io, n, true, false, false, NULL, NULL);
}

uint16_t
vhost_dequeue_segs(int vid, uint16_t vring, const struct vhost_pkt_ops *ops, void *ctx, uint16_t n)
{
	struct pkt_io io = {.ops = ops, .ctx = ctx};

	return vq_burst(vid, vring, &io, n, false, false, false, NULL, NULL);
}

uint16_t
dpx_vhost_enqueue_burst(int vid, uint16_t vring, struct dpx_mbuf **pkts, uint16_t n)
{
	struct pkt_io io = {.pkts = pkts};

	return vq_burst(vid, vring, &io, n, true, true, false, NULL, NULL);
}

/* Data bytes of one of mp's mbufs: a fresh mbuf's data starts at
 * min(headroom, room), as dpx_pktmbuf_reset sets it. */
static uint32_t
pool_room(struct dpx_mempool *mp)
{
	uint16_t data_room = dpx_pktmbuf_data_room_size(mp);

	return data_room - DPX_MIN(data_room, DPX_PKTMBUF_HEADROOM);
}

/* pool_room of a dequeue's pool; a NULL one is the caller's error: 0 (no
 * chain taken), logged once per process (a poll loop repeats it every burst). */
static uint32_t
dequeue_room(int vid, uint16_t vring, struct dpx_mempool *mp)
{
	static bool logged;

	if (dpx_likely(mp != NULL))
		return pool_room(mp);
	if (!__atomic_exchange_n(&logged, true, __ATOMIC_RELAXED))
		VHOST_DLOG(ERR,
			   "vid %d vring %u: dequeue burst without a mempool: no chain taken "
			   "(logged once)",
			   vid, vring);
	return 0;
}

/* Dequeue into mbufs of mp, taken from pp when it is not NULL (pp's mempool is mp). */
static uint16_t
dequeue(int vid, uint16_t vring, struct dpx_mempool *mp, struct dpx_page_pool *pp,
	struct dpx_mbuf **pkts, uint16_t n)
{
	struct pkt_io io = {.pkts = pkts, .mp = mp, .pp = pp, .room = dequeue_room(vid, vring, mp)};

	if (io.room == 0)
		return 0; /* no packet fits such mbufs: documented, nothing taken */
	return vq_burst(vid, vring, &io, n, false, true, false, NULL, NULL);
}

/* ---- async entry points ---- */

/* An async vring, locked (spin: waits for a burst), running or not: what
 * completed can be collected and returned whatever the ring's state.
 * rx: 1 an even vring, 0 an odd one, -1 either. */
static struct vhost_vq *
async_enter(int vid, uint16_t vring, int rx, bool spin, struct vhost_dev **devp)
{
	struct vhost_dev *dev = vhost_dev_get(vid);
	struct vhost_vq *vq;

	if (dev == NULL || vring >= DPX_VHOST_MAX_VRINGS || (rx >= 0 && (vring & 1) == rx))
		return NULL;
	vq = __atomic_load_n(&dev->vq[vring], __ATOMIC_ACQUIRE);
	if (vq == NULL)
		return NULL;
	if (spin)
		vhost_lock_take(&vq->access_lock);
	else if (!vhost_lock_try(&vq->access_lock))
		return NULL;
	if (vq->async == NULL) {
		vhost_lock_release(&vq->access_lock);
		return NULL;
	}
	*devp = dev;
	return vq;
}

static void
async_collect(int16_t dma, uint16_t vchan)
{
	struct vhost_async_vchan *vc = vhost_async_vchan_get(dma, vchan);

	if (vc == NULL || __atomic_load_n(&vc->in_flight, __ATOMIC_RELAXED) == 0)
		return;
	vhost_lock_take(&vc->lock);
	if (vc->configured)
		vhost_async_vchan_collect(dma, vchan, vc);
	vhost_lock_release(&vc->lock);
}

/* Collect the vchan, publish what completed, return mbufs; then unlock. */
static uint16_t
async_reap(struct vhost_dev *dev, struct vhost_vq *vq, struct dpx_mbuf **pkts, uint16_t n,
	   int16_t dma, uint16_t vchan, int *nr_inflight)
{
	uint16_t got;

	async_collect(dma, vchan);
	vhost_async_complete(dev, vq);
	got = async_return(vq->async, pkts, n);
	if (nr_inflight != NULL)
		*nr_inflight = vhost_async_held(vq->async);
	vhost_lock_release(&vq->access_lock);
	return got;
}

uint16_t
dpx_vhost_submit_enqueue_burst(int vid, uint16_t vring, struct dpx_mbuf **pkts, uint16_t n,
			       int16_t dma_id, uint16_t vchan)
{
	struct pkt_io io = {.pkts = pkts};
	struct async_io a = {.dma = dma_id, .vchan = vchan};
	struct vhost_vq *vq = NULL;
	uint16_t done = vq_burst(vid, vring, &io, n, true, true, true, &a, &vq);

	if (vq != NULL)
		vhost_lock_release(&vq->access_lock);
	return done;
}

uint16_t
dpx_vhost_poll_enqueue_completed(int vid, uint16_t vring, struct dpx_mbuf **pkts, uint16_t n,
				 int16_t dma_id, uint16_t vchan)
{
	struct vhost_dev *dev;
	struct vhost_vq *vq = async_enter(vid, vring, 1, false, &dev);

	return vq == NULL ? 0 : async_reap(dev, vq, pkts, n, dma_id, vchan, NULL);
}

uint16_t
dpx_vhost_async_try_dequeue_burst(int vid, uint16_t vring, struct dpx_mempool *mp,
				  struct dpx_mbuf **pkts, uint16_t n, int *nr_inflight,
				  int16_t dma_id, uint16_t vchan)
{
	struct dpx_mbuf *fresh[VHOST_MAX_BURST];
	struct pkt_io io = {.pkts = fresh, .mp = mp, .room = dequeue_room(vid, vring, mp)};
	struct async_io a = {.dma = dma_id, .vchan = vchan};
	struct vhost_vq *vq = NULL;
	struct vhost_dev *dev;

	if (nr_inflight != NULL)
		*nr_inflight = -1;
	/* new chains only when the ring runs; completions whatever its state */
	if (io.room > 0)
		(void)vq_burst(vid, vring, &io, n, false, true, true, &a, &vq);
	if (vq == NULL && (vq = async_enter(vid, vring, 0, false, &dev)) == NULL)
		return 0;
	return async_reap(vhost_dev_get(vid), vq, pkts, n, dma_id, vchan, nr_inflight);
}

uint16_t
dpx_vhost_clear_queue(int vid, uint16_t vring, struct dpx_mbuf **pkts, uint16_t n, int16_t dma_id,
		      uint16_t vchan)
{
	struct vhost_dev *dev;
	struct vhost_vq *vq = async_enter(vid, vring, -1, true, &dev);

	return vq == NULL ? 0 : async_reap(dev, vq, pkts, n, dma_id, vchan, NULL);
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
	return dequeue(vid, vring, pp != NULL ? dpx_page_pool_mempool(pp) : NULL, pp, pkts, n);
}
