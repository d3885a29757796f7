/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Data path: host-to-guest enqueue and guest-to-host dequeue. One body per
 * direction serves split and packed rings (the `packed` argument is a
 * constant at each call site, so the compiler makes two specialised copies).
 * Payload bytes move only through the per-queue copy batch, executed by the
 * device's copy backend: the one place a DMA engine will plug in.
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

#include "vhost_private.h"

DPX_LOG_REGISTER(vhost_data_logtype, "lib.vhost.data");

#define FEAT(f, bit) (((f) >> (bit)) & 1)

static void
copy_cpu_run(void *ctx, const struct vhost_copy *c, unsigned int n)
{
	unsigned int i;

	(void)ctx;
	for (i = 0; i < n; i++)
		memcpy(c[i].dst, c[i].src, c[i].len);
}

const struct vhost_copy_backend vhost_copy_cpu = {"cpu", copy_cpu_run, NULL};

static inline void
batch_flush(struct vhost_dev *dev, struct vhost_vq *vq)
{
	if (vq->batch.n > 0) {
		dev->copy->run(dev->copy->ctx, vq->batch.copies, vq->batch.n);
		vq->batch.n = 0;
	}
}

static inline void
batch_add(struct vhost_dev *dev, struct vhost_vq *vq, void *dst, const void *src, uint32_t len)
{
	if (vq->batch.n == VHOST_COPY_BATCH)
		batch_flush(dev, vq);
	vq->batch.copies[vq->batch.n++] = (struct vhost_copy){dst, src, len};
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

static void
count_packet(struct vhost_vq *vq, uint32_t len)
{
	static const uint32_t limits[] = {64, 127, 255, 511, 1023, 1518};
	unsigned int b = 0;

	while (b < DPX_DIM(limits) && len > limits[b])
		b++;
	vq->stats.size_bins[b]++;
	vq->stats.packets++;
	vq->stats.bytes += len;
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

/* @return 1 chain fetched, 0 none available, <0 broken ring (*why set) */
static __dpx_always_inline int
fetch_chain(struct vhost_dev *dev, struct vhost_vq *vq, struct cursor *cur, const bool packed,
	    const char **why)
{
	struct vhost_ring_view v = {dev->mem, NULL, vq->size,
				    FEAT(dev->features, VIRTIO_RING_F_INDIRECT_DESC)};
	uint16_t head, flags;
	int rc;

	if (packed) {
		/* acquire: pairs with the guest's release store of the head's flags */
		flags = __atomic_load_n(&vq->desc_packed[cur->idx].flags, __ATOMIC_ACQUIRE);
		if (!!(flags & VRING_PACKED_DESC_F_AVAIL) != cur->wrap ||
		    !!(flags & VRING_PACKED_DESC_F_USED) == cur->wrap)
			return 0;
		v.desc = vq->desc_packed;
		rc = vhost_chain_walk(&v, cur->idx, true, &vq->mem_hint, &vq->chain, why);
		if (rc < 0)
			return rc;
		cur->idx += vq->chain.ndesc;
		if (cur->idx >= vq->size) {
			cur->idx -= vq->size;
			cur->wrap = !cur->wrap;
		}
		return 1;
	}
	if (cur->idx == cur->end)
		return 0;
	head = __atomic_load_n(&vq->avail->ring[cur->idx & (vq->size - 1)], __ATOMIC_RELAXED);
	v.desc = vq->desc;
	rc = vhost_chain_walk(&v, head, false, &vq->mem_hint, &vq->chain, why);
	if (rc < 0)
		return rc;
	cur->idx++;
	return 1;
}

static __dpx_always_inline void
used_publish(struct vhost_dev *dev, struct vhost_vq *vq, unsigned int n, const bool packed)
{
	unsigned int k;

	for (k = 0; k < n; k++) {
		const struct vhost_used_entry *e = &vq->used_shadow[k];

		if (packed) {
			struct vring_packed_desc *d = &vq->desc_packed[vq->last_used_idx];
			uint16_t flags =
				vq->used_wrap ? VRING_PACKED_DESC_F_AVAIL | VRING_PACKED_DESC_F_USED
					      : 0;

			d->id = e->id;
			d->len = e->len;
			/* release: pairs with the guest's acquire load of these flags */
			__atomic_store_n(&d->flags, flags, __ATOMIC_RELEASE);
			if (vq->log)
				vhost_log_write(dev,
						vq->desc_gpa +
							(uint64_t)vq->last_used_idx * sizeof(*d),
						sizeof(*d));
			vq->last_used_idx += e->ndesc;
			if (vq->last_used_idx >= vq->size) {
				vq->last_used_idx -= vq->size;
				vq->used_wrap = !vq->used_wrap;
			}
		} else {
			uint16_t slot = (uint16_t)((vq->last_used_idx + k) & (vq->size - 1));

			vq->used->ring[slot].id = e->id;
			vq->used->ring[slot].len = e->len;
			if (vq->log)
				vhost_log_write(dev,
						vq->addr.log_guest_addr +
							offsetof(struct vring_used, ring) +
							slot * 8ULL,
						8);
		}
	}
	if (!packed && n > 0) {
		vq->last_used_idx += (uint16_t)n;
		/* release: pairs with the guest's acquire load of used->idx */
		__atomic_store_n(&vq->used->idx, vq->last_used_idx, __ATOMIC_RELEASE);
		if (vq->log)
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

/* ---- copies between guest buffers and segment lists ---- */

struct seg_cursor {
	const struct vhost_seg *segs;
	unsigned int n;
	unsigned int i;
	uint32_t off;
};

/* Move up to len bytes between one guest piece and the cursor's segments;
 * to_guest is constant per call site. @return bytes moved. */
static __dpx_always_inline uint32_t
xfer(struct vhost_dev *dev, struct vhost_vq *vq, struct seg_cursor *s, uint8_t *guest, uint32_t len,
     const bool to_guest)
{
	uint32_t done = 0, chunk;

	while (done < len && s->i < s->n) {
		const struct vhost_seg *g = &s->segs[s->i];

		chunk = DPX_MIN(g->len - s->off, len - done);
		if (chunk > 0) {
			if (to_guest)
				batch_add(dev, vq, guest + done, (uint8_t *)g->addr + s->off,
					  chunk);
			else
				batch_add(dev, vq, (uint8_t *)g->addr + s->off, guest + done,
					  chunk);
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
	struct vhost_seg pieces[sizeof(struct virtio_net_hdr_mrg_rxbuf)];
};

/* Fill one receive chain: the header room (first chain only) then payload. */
static __dpx_always_inline uint32_t
fill_chain(struct vhost_dev *dev, struct vhost_vq *vq, struct seg_cursor *src, uint32_t hdr_skip,
	   struct hdr_dst *hd)
{
	struct vhost_chain *c = &vq->chain;
	uint32_t written = 0, k, skip, moved;

	for (k = c->nread; k < c->nbufs; k++) {
		struct vhost_buf *b = &c->bufs[k];

		skip = DPX_MIN(hdr_skip, b->len);
		if (skip > 0) {
			hd->pieces[hd->n++] = (struct vhost_seg){b->hva, skip};
			vhost_log_write(dev, b->gpa, skip);
			hdr_skip -= skip;
			written += skip;
		}
		moved = xfer(dev, vq, src, (uint8_t *)b->hva + skip, b->len - skip, true);
		vhost_log_write(dev, b->gpa + skip, moved);
		written += moved;
		if (moved < b->len - skip)
			break;
	}
	return written;
}

/* @return 1 placed, 0 no room (state untouched), <0 broken ring or -EMSGSIZE */
static __dpx_always_inline int
place_packet(struct vhost_dev *dev, struct vhost_vq *vq, struct cursor *cur, unsigned int *nused,
	     const struct vhost_seg *segs, unsigned int nsegs, uint64_t plen,
	     struct virtio_net_hdr_mrg_rxbuf *hdr, const bool packed, const char **why)
{
	struct seg_cursor src = {segs, nsegs, 0, 0};
	bool mrg = FEAT(dev->features, VIRTIO_NET_F_MRG_RXBUF);
	struct cursor start = *cur;
	unsigned int first = *nused, k;
	uint64_t left = plen + dev->hdr_len;
	struct hdr_dst hd = {0};
	uint32_t w;
	int rc;

	do {
		if (*nused == VHOST_USED_SHADOW)
			goto no_room;
		rc = fetch_chain(dev, vq, cur, packed, why);
		if (rc == 0)
			goto no_room;
		if (rc < 0)
			return rc;
		if (vq->chain.nread > 0) {
			*why = "device-readable buffer in a receive chain";
			return -EINVAL;
		}
		w = fill_chain(dev, vq, &src, *nused == first ? dev->hdr_len : 0, &hd);
		vq->used_shadow[(*nused)++] =
			(struct vhost_used_entry){vq->chain.id, vq->chain.ndesc, w};
		left -= w;
	} while (left > 0 && mrg);
	for (k = 0, w = 0; k < hd.n; k++)
		w += hd.pieces[k].len;
	if (left > 0 || w != dev->hdr_len || src.i < src.n) {
		*cur = start;
		*nused = first;
		return -EMSGSIZE;
	}
	memset(hdr, 0, sizeof(*hdr));
	hdr->num_buffers = (uint16_t)(*nused - first);
	/* the header goes last: num_buffers is final before its copy is queued */
	for (k = 0, w = 0; k < hd.n; w += hd.pieces[k].len, k++)
		batch_add(dev, vq, hd.pieces[k].addr, (uint8_t *)hdr + w, hd.pieces[k].len);
	return 1;
no_room:
	*cur = start;
	*nused = first;
	return 0;
}

/* Both directions end a burst alike: the copies land, then the used entries
 * are published, then the guest is called if it wants to be. */
static __dpx_always_inline void
burst_finish(struct vhost_dev *dev, struct vhost_vq *vq, const struct cursor *cur,
	     unsigned int nused, const bool packed)
{
	batch_flush(dev, vq);
	cursor_commit(vq, cur);
	used_publish(dev, vq, nused, packed);
	if (nused > 0)
		notify(dev, vq, packed);
}

static __dpx_always_inline uint16_t
enqueue_body(struct vhost_dev *dev, struct vhost_vq *vq, uint16_t vring,
	     const struct vhost_pkt_ops *ops, void *ctx, uint16_t n, const bool packed)
{
	struct virtio_net_hdr_mrg_rxbuf hdrs[VHOST_MAX_BURST];
	struct vhost_seg segs[VHOST_PKT_MAX_SEGS];
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
		ns = ops->src_segs(ctx, i, segs, VHOST_PKT_MAX_SEGS);
		if (ns < 0) {
			vq->stats.errors++;
			break;
		}
		for (plen = 0, k = 0; k < (unsigned int)ns; k++)
			plen += segs[k].len;
		rc = place_packet(dev, vq, &cur, &nused, segs, (unsigned int)ns, plen, &hdrs[i],
				  packed, &why);
		if (rc <= 0)
			break;
		count_packet(vq, (uint32_t)plen);
	}
	if (rc == -EMSGSIZE)
		vq->stats.errors++;
	else if (rc < 0)
		ring_broken(dev, vq, vring, why, rc);
	burst_finish(dev, vq, &cur, nused, packed);
	return i;
}

/* ---- dequeue ---- */

static __dpx_always_inline int
take_packet(struct vhost_dev *dev, struct vhost_vq *vq, const struct vhost_pkt_ops *ops, void *ctx,
	    uint16_t out)
{
	struct vhost_chain *c = &vq->chain;
	struct vhost_seg dsegs[VHOST_PKT_MAX_SEGS];
	uint64_t plen = c->read_len - dev->hdr_len;
	uint32_t skip = dev->hdr_len, s;
	struct seg_cursor dst;
	unsigned int k;
	int nd;

	nd = ops->dst_alloc(ctx, out, (uint32_t)plen, dsegs, VHOST_PKT_MAX_SEGS);
	if (nd < 0)
		return nd;
	dst = (struct seg_cursor){dsegs, (unsigned int)nd, 0, 0};
	for (k = 0; k < c->nread; k++) {
		s = DPX_MIN(skip, c->bufs[k].len);
		skip -= s;
		xfer(dev, vq, &dst, (uint8_t *)c->bufs[k].hva + s, c->bufs[k].len - s, false);
	}
	count_packet(vq, (uint32_t)plen);
	return 0;
}

/* SEND_RARP: after a migration the guest's MAC is announced on its behalf. */
static uint16_t
inject_rarp(struct vhost_dev *dev, struct vhost_vq *vq, const struct vhost_pkt_ops *ops, void *ctx,
	    uint8_t *frame)
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
	nd = ops->dst_alloc(ctx, 0, 60, d, VHOST_PKT_MAX_SEGS);
	if (nd < 0)
		return 0;
	dst = (struct seg_cursor){d, (unsigned int)nd, 0, 0};
	xfer(dev, vq, &dst, frame, 60, false);
	return 1;
}

static __dpx_always_inline uint16_t
dequeue_body(struct vhost_dev *dev, struct vhost_vq *vq, uint16_t vring,
	     const struct vhost_pkt_ops *ops, void *ctx, uint16_t n, const bool packed)
{
	uint8_t rarp[60];
	const char *why = "";
	unsigned int nused = 0;
	struct cursor cur, before;
	uint16_t out = 0;
	int rc = 0;

	if (cursor_init(vq, &cur, packed) < 0) {
		ring_broken(dev, vq, vring, "avail index moved more than the ring size", -ERANGE);
		return 0;
	}
	/* acquire: pairs with the release store in the SEND_RARP handler */
	if (n > 0 && __atomic_load_n(&dev->rarp_pending, __ATOMIC_RELAXED) &&
	    __atomic_exchange_n(&dev->rarp_pending, 0, __ATOMIC_ACQUIRE))
		out = inject_rarp(dev, vq, ops, ctx, rarp);
	while (out < n && nused < VHOST_USED_SHADOW) {
		before = cur;
		rc = fetch_chain(dev, vq, &cur, packed, &why);
		if (rc <= 0)
			break;
		vq->used_shadow[nused++] =
			(struct vhost_used_entry){vq->chain.id, vq->chain.ndesc, 0};
		if (vq->chain.read_len < dev->hdr_len ||
		    vq->chain.read_len - dev->hdr_len > 65535) {
			/* a bad packet is returned to the guest unread, not fatal */
			VHOST_DLOG(DEBUG, "vid %d vring %u: tx chain of %" PRIu64 " bytes dropped",
				   dev->vid, vring, vq->chain.read_len);
			vq->stats.errors++;
			continue;
		}
		if (take_packet(dev, vq, ops, ctx, out) < 0) {
			cur = before;
			nused--;
			vq->stats.errors++;
			break;
		}
		out++;
	}
	if (rc < 0)
		ring_broken(dev, vq, vring, why, rc);
	burst_finish(dev, vq, &cur, nused, packed);
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
 * Both directions share one entry: the lock, the burst cap and the release are
 * the same, and each body is specialized by the constant ring-layout flag.
 */
static __dpx_always_inline uint16_t
vq_burst(int vid, uint16_t vring, const struct vhost_pkt_ops *ops, void *ctx, uint16_t n,
	 const bool rx)
{
	struct vhost_dev *dev;
	struct vhost_vq *vq = vq_enter(vid, vring, rx, &dev);
	uint16_t done;

	if (vq == NULL)
		return 0;
	n = DPX_MIN(n, VHOST_MAX_BURST);
	if (rx)
		done = vq->packed ? enqueue_body(dev, vq, vring, ops, ctx, n, true)
				  : enqueue_body(dev, vq, vring, ops, ctx, n, false);
	else
		done = vq->packed ? dequeue_body(dev, vq, vring, ops, ctx, n, true)
				  : dequeue_body(dev, vq, vring, ops, ctx, n, false);
	vhost_lock_release(&vq->access_lock);
	return done;
}

uint16_t
vhost_enqueue_segs(int vid, uint16_t vring, const struct vhost_pkt_ops *ops, void *ctx, uint16_t n)
{
	return vq_burst(vid, vring, ops, ctx, n, true);
}

uint16_t
vhost_dequeue_segs(int vid, uint16_t vring, const struct vhost_pkt_ops *ops, void *ctx, uint16_t n)
{
	return vq_burst(vid, vring, ops, ctx, n, false);
}
