/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The driver side of virtio rings (virtio 1.1, 2.6 split and 2.7 packed) for
 * net_virtio_user. Descriptors carry virtual addresses: the memory table
 * maps guest-physical = our virtual, as every vhost-user front-end without a
 * guest does. Receive and transmit, split and packed, share one body each,
 * specialised by a constant flag.
 *
 * The data path never waits for the back-end: a full ring returns fewer
 * packets, a kick is one non-blocking eventfd write, and completions are
 * reaped at the next burst.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <dpx_malloc.h>
#include <dpx_mempool.h>

#include "virtio_user.h"

#define RX_REFILL_BATCH 32
/* VERSION_1 is always negotiated: the header is 12 bytes, num_buffers
 * included, mergeable buffers or not (5.1.6); a constant, so the tx header
 * is cleared by two stores rather than a memset call */
#define VU_HDR_LEN ((uint16_t)sizeof(struct virtio_net_hdr_mrg_rxbuf))

static size_t
align4k(size_t v)
{
	return DPX_ALIGN_CEIL(v, 4096);
}

int
vu_vq_alloc(struct vu_vq *vq, uint16_t size, bool packed, int socket)
{
	size_t desc = 16u * size, drv, dev, hdrs = sizeof(*vq->tx_hdrs) * size;

	/* split: avail ring + used_event, used ring + avail_event (2.6); packed: 2 event structs */
	drv = packed ? sizeof(struct vring_packed_event) : 4u + 2u * size + 2u;
	dev = packed ? sizeof(struct vring_packed_event) : 4u + 8u * size + 2u;
	vq->mem_len = align4k(desc) + align4k(drv) + align4k(dev) + align4k(hdrs);
	vq->mem = dpx_zmalloc_socket("virtio_user_ring", vq->mem_len, 4096, socket);
	vq->slots = calloc(size, sizeof(*vq->slots));
	if (vq->mem == NULL || vq->slots == NULL) {
		vu_vq_free(vq);
		return -ENOMEM;
	}
	uint8_t *p = vq->mem;
	vq->desc = (struct vring_desc *)p;
	vq->pdesc = (struct vring_packed_desc *)p;
	p += align4k(desc);
	vq->avail = (struct vring_avail *)p;
	vq->driver_event = (struct vring_packed_event *)p;
	p += align4k(drv);
	vq->used = (struct vring_used *)p;
	vq->device_event = (struct vring_packed_event *)p;
	p += align4k(dev);
	vq->tx_hdrs = (struct virtio_net_hdr_mrg_rxbuf *)p;
	vq->size = size;
	vq->mask = (uint16_t)(size - 1);
	vq->packed = packed;
	return 0;
}

void
vu_vq_free(struct vu_vq *vq)
{
	dpx_free(vq->mem);
	free(vq->slots);
	vq->mem = NULL;
	vq->slots = NULL;
}

static void
slots_release(struct vu_vq *vq)
{
	for (uint16_t i = 0; i < vq->size; i++) {
		if (vq->slots[i].m != NULL)
			dpx_pktmbuf_free(vq->slots[i].m);
		vq->slots[i] = (struct vu_slot){.next = (uint16_t)(i + 1)};
	}
}

void
vu_vq_reset(struct vu_vq *vq, uint64_t features)
{
	if (vq->mem == NULL)
		return;
	slots_release(vq);
	/* the tx headers stay zero: no offloads are negotiated */
	memset(vq->mem, 0, vq->mem_len);
	vq->event_idx = features & (1ULL << VIRTIO_RING_F_EVENT_IDX);
	vq->mrg_rxbuf = features & (1ULL << VIRTIO_NET_F_MRG_RXBUF);
	vq->free_cnt = vq->size;
	vq->free_head = 0;
	vq->avail_idx = vq->used_idx = vq->kicked_idx = 0;
	vq->avail_wrap = vq->used_wrap = true;
	vq->pending = 0;
	vq->used_ready = 0;
	vq->warned = false;
	__atomic_store_n(&vq->broken, false, __ATOMIC_RELAXED); /* the gate is closed */
	if (!vq->packed) {
		/* we poll: no interrupts (with event idx, used_event 0 asks for at most
		 * one per 2^16 buffers) */
		vq->avail->flags = VRING_AVAIL_F_NO_INTERRUPT;
	} else {
		vq->driver_event->flags = VRING_PACKED_EVENT_FLAG_DISABLE;
	}
}

/* ---- what the device gets wrong ---- */

/*
 * The device broke the ring's rules (an id it does not hold, more used
 * entries than buffers in flight): our view of the ring can no longer be
 * trusted. Log once, count one error, stop the queue; the control thread
 * sees the flag and resets the device (release: pairs with vu_vq_broken).
 */
static __attribute__((noinline, cold)) void
vq_break(struct vu_vq *vq, const char *what, unsigned int value, unsigned int limit)
{
	if (vq->broken)
		return;
	VU_LOG(ERR,
	       "port %u vring %u broken by the back-end: %s (%u, at most %u): resetting the device",
	       vq->port_id, vq->index, what, value, limit);
	dpx_eth_sw_count_errors(&vq->stats, 1);
	__atomic_store_n(&vq->broken, true, __ATOMIC_RELEASE);
}

bool
vu_vq_broken(const struct vu_vq *vq)
{
	return __atomic_load_n(&vq->broken, __ATOMIC_ACQUIRE);
}

/*
 * A buffer the device filled wrongly (written length below the header or
 * beyond the buffer, a num_buffers it cannot complete): dropped and counted;
 * the ring itself is sound. Logged once per connection, so a device that
 * does it at line rate cannot flood the log from the data path.
 */
static __attribute__((noinline, cold)) void
rx_malformed(struct vu_vq *vq, struct dpx_mbuf *head, uint32_t len, uint16_t nbuf)
{
	if (!vq->warned)
		VU_LOG(ERR,
		       "port %u vring %u: malformed receive buffer from the back-end (%u bytes "
		       "written, num_buffers %u): dropped; later ones are only counted (rx errors)",
		       vq->port_id, vq->index, len, nbuf);
	vq->warned = true;
	dpx_pktmbuf_free(head);
	dpx_eth_sw_count_errors(&vq->stats, 1);
}

/* ---- kicks ---- */

/* 2.6.10 / 2.7.10: does the device want a notification for what we published? */
static __dpx_always_inline bool
need_kick(struct vu_vq *vq, const bool packed)
{
	/* publish before reading the device's suppression: pairs with the
	 * device's store of its flags/event then load of our avail index */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (packed) /* a DESC event is treated as ENABLE: a kick too many is harmless */
		return __atomic_load_n(&vq->device_event->flags, __ATOMIC_ACQUIRE) !=
		       VRING_PACKED_EVENT_FLAG_DISABLE;
	if (vq->event_idx) {
		uint16_t event =
			__atomic_load_n((uint16_t *)&vq->used->ring[vq->size], __ATOMIC_ACQUIRE);
		return vring_need_event(event, vq->avail_idx, vq->kicked_idx);
	}
	return !(__atomic_load_n(&vq->used->flags, __ATOMIC_ACQUIRE) & VRING_USED_F_NO_NOTIFY);
}

/*
 * End of a burst: make what was posted visible, then notify if asked. Split:
 * one avail->idx store per burst (release: pairs with the device's acquire
 * load of avail->idx), so the device sees the burst whole and works in
 * batches; packed descriptors became visible one by one in post().
 */
static __dpx_always_inline void
kick(struct vu_vq *vq, const bool packed)
{
	static const uint64_t one = 1;

	if (vq->pending == 0)
		return;
	if (!packed)
		__atomic_store_n(&vq->avail->idx, vq->avail_idx, __ATOMIC_RELEASE);
	if (need_kick(vq, packed) && vq->kickfd >= 0) {
		/* non-blocking eventfd: a counter near overflow is a wake-up pending anyway */
		if (write(vq->kickfd, &one, sizeof(one)) == sizeof(one))
			vq->xs.kicks++;
	}
	vq->kicked_idx = vq->avail_idx;
	vq->pending = 0;
}

/* ---- posting ---- */

struct seg {
	uint64_t addr;
	uint32_t len;
};

/*
 * Post one buffer of n segments (device-writable when write) and remember m
 * under its id. The caller checked free_cnt >= n and calls kick() at the end
 * of the burst. Split: descriptors from the free list, the head in the avail
 * ring, avail->idx stored by kick(). Packed: descriptors in ring order, the
 * head's flags written last (release: pairs with the device's acquire load
 * of the head's flags).
 */
static __dpx_always_inline void
post(struct vu_vq *vq, const struct seg *s, uint16_t n, bool write, struct dpx_mbuf *m,
     const bool packed)
{
	uint16_t wflag = write ? VRING_DESC_F_WRITE : 0;

	if (!packed) {
		uint16_t head = vq->free_head, d = head;
		for (uint16_t i = 0; i < n; i++) {
			/* the chain follows our free list: desc->next only tells the device */
			uint16_t next = vq->slots[d].next;
			vq->desc[d].addr = s[i].addr;
			vq->desc[d].len = s[i].len;
			if (i + 1 < n) {
				vq->desc[d].flags = (uint16_t)(wflag | VRING_DESC_F_NEXT);
				vq->desc[d].next = next;
			} else {
				vq->desc[d].flags = wflag;
			}
			d = next;
		}
		vq->free_head = d;
		vq->slots[head].m = m;
		vq->slots[head].ndesc = n;
		vq->avail->ring[vq->avail_idx & vq->mask] = head;
		vq->avail_idx++;
	} else {
		uint16_t id = vq->free_head, head = vq->avail_idx, pos = head, head_flags = 0;
		bool wrap = vq->avail_wrap;
		vq->free_head = vq->slots[id].next;
		for (uint16_t i = 0; i < n; i++) {
			uint16_t f = (uint16_t)(wflag | (i + 1 < n ? VRING_DESC_F_NEXT : 0) |
						(wrap ? VRING_PACKED_DESC_F_AVAIL
						      : VRING_PACKED_DESC_F_USED));
			vq->pdesc[pos].addr = s[i].addr;
			vq->pdesc[pos].len = s[i].len;
			vq->pdesc[pos].id = id;
			if (i == 0)
				head_flags = f;
			else
				vq->pdesc[pos].flags = f;
			if (++pos == vq->size) {
				pos = 0;
				wrap = !wrap;
			}
		}
		vq->slots[id].m = m;
		vq->slots[id].ndesc = n;
		__atomic_store_n(&vq->pdesc[head].flags, head_flags, __ATOMIC_RELEASE);
		vq->avail_idx = pos;
		vq->avail_wrap = wrap;
	}
	vq->free_cnt = (uint16_t)(vq->free_cnt - n);
	vq->pending++;
}

/*
 * Split: how many entries the device has published past used_idx, from one
 * acquire load of used->idx (pairs with the device's release store of it).
 * Each entry is a distinct buffer in flight, and a buffer takes at least a
 * descriptor: more than that is a device that made entries up.
 */
static __dpx_always_inline bool
used_refresh(struct vu_vq *vq)
{
	uint16_t n = (uint16_t)(__atomic_load_n(&vq->used->idx, __ATOMIC_ACQUIRE) - vq->used_idx);
	uint16_t in_flight = (uint16_t)(vq->size - vq->free_cnt);

	if (dpx_unlikely(n > in_flight)) {
		vq_break(vq, "used entries beyond the buffers in flight", n, in_flight);
		return false;
	}
	vq->used_ready = n;
	return n != 0;
}

/*
 * The next used buffer: its id and written length. Split: entries counted by
 * used_refresh. Packed: the slot's flags loaded with acquire (pairs with the
 * device's release store of them). @return false when the device has
 * returned nothing more (or broke the ring).
 */
static __dpx_always_inline bool
used_peek(struct vu_vq *vq, uint16_t *id, uint32_t *len, const bool packed)
{
	if (!packed) {
		if (vq->used_ready == 0 && !used_refresh(vq))
			return false;
		const struct vring_used_elem *e = &vq->used->ring[vq->used_idx & vq->mask];
		*id = (uint16_t)e->id;
		*len = e->len;
		return true;
	}
	uint16_t f = __atomic_load_n(&vq->pdesc[vq->used_idx].flags, __ATOMIC_ACQUIRE);
	if ((bool)(f & VRING_PACKED_DESC_F_AVAIL) != vq->used_wrap ||
	    (bool)(f & VRING_PACKED_DESC_F_USED) != vq->used_wrap)
		return false;
	*id = vq->pdesc[vq->used_idx].id;
	*len = vq->pdesc[vq->used_idx].len;
	return true;
}

/* Has the device returned k + 1 more buffers (of one descriptor each, as rx posts)? */
static __dpx_always_inline bool
used_ready_at(struct vu_vq *vq, uint16_t k, const bool packed)
{
	if (!packed)
		return k < vq->used_ready || (used_refresh(vq) && k < vq->used_ready);
	uint32_t pos = (uint32_t)vq->used_idx + k;
	bool wrap = vq->used_wrap ^ (pos >= vq->size);
	uint16_t f = __atomic_load_n(&vq->pdesc[pos % vq->size].flags, __ATOMIC_ACQUIRE);
	return (bool)(f & VRING_PACKED_DESC_F_AVAIL) == wrap &&
	       (bool)(f & VRING_PACKED_DESC_F_USED) == wrap;
}

/*
 * Take the buffer id off the ring: @return its mbuf, or NULL for an id the
 * device does not hold (out of range, or returned twice): the ring is broken.
 */
static __dpx_always_inline struct dpx_mbuf *
used_take(struct vu_vq *vq, uint16_t id, const bool packed)
{
	struct vu_slot *s;
	struct dpx_mbuf *m;

	if (dpx_unlikely(id >= vq->size || vq->slots[id].m == NULL)) {
		vq_break(vq, "a used id the device does not hold", id, vq->size - 1u);
		return NULL;
	}
	s = &vq->slots[id];
	m = s->m;
	s->m = NULL;
	if (!packed) {
		/* give the chain's descriptors back to the free list */
		uint16_t last = id;
		for (uint16_t i = 1; i < s->ndesc; i++)
			last = vq->slots[last].next;
		vq->slots[last].next = vq->free_head;
		vq->free_head = id;
		vq->used_idx++;
		vq->used_ready--;
	} else {
		s->next = vq->free_head;
		vq->free_head = id;
		vq->used_idx = (uint16_t)(vq->used_idx + s->ndesc);
		if (vq->used_idx >= vq->size) {
			vq->used_idx = (uint16_t)(vq->used_idx - vq->size);
			vq->used_wrap = !vq->used_wrap;
		}
	}
	vq->free_cnt = (uint16_t)(vq->free_cnt + s->ndesc);
	return m;
}

/* ---- receive ---- */

/*
 * Where receive buffers come from: the queue's page pool, or its mempool
 * with page_pool=0. A refill at device set-up (not in a burst: a control
 * thread, or the thread starting the port) leaves the pool's cache to the
 * lcore that will poll the queue. Buffers go back with the ordinary frees
 * (vu_vq_reset, the application): a pooled mbuf finds its pool by itself.
 */
static __dpx_always_inline int
rx_buffers_get(struct vu_vq *vq, struct dpx_mbuf **m, unsigned int n, const bool in_burst)
{
	if (vq->pp == NULL)
		return dpx_pktmbuf_alloc_bulk(vq->mp, m, n);
	return in_burst ? dpx_page_pool_alloc_bulk(vq->pp, m, n)
			: dpx_page_pool_alloc_bulk_nocache(vq->pp, m, n);
}

/* Each buffer: the virtio-net header in the headroom, then the data room. */
static __dpx_always_inline void
rx_post(struct vu_vq *vq, struct dpx_mbuf *m, const bool packed)
{
	struct seg s = {
		.addr = (uint64_t)(uintptr_t)m->buf_addr + m->data_off - VU_HDR_LEN,
		.len = (uint32_t)(m->buf_len - m->data_off + VU_HDR_LEN),
	};

	post(vq, &s, 1, true, m, packed);
}

static __dpx_always_inline void
rx_refill(struct vu_vq *vq, const bool packed, const bool in_burst)
{
	struct dpx_mbuf *m[RX_REFILL_BATCH];

	while (vq->free_cnt > 0) {
		unsigned int n = DPX_MIN(vq->free_cnt, (uint16_t)RX_REFILL_BATCH);
		if (rx_buffers_get(vq, m, n, in_burst) != 0) {
			vq->xs.nombuf++;
			dpx_eth_sw_count_nombuf(&vq->stats, n);
			break;
		}
		for (unsigned int i = 0; i < n; i++)
			rx_post(vq, m[i], packed);
	}
	kick(vq, packed);
}

void
vu_vq_rx_refill(struct vu_vq *vq)
{
	if (vq->packed)
		rx_refill(vq, true, false);
	else
		rx_refill(vq, false, false);
}

/*
 * A used buffer of len bytes as a segment: the header is in front of
 * data_off. @return false when the device says it wrote more than the
 * buffer holds (a first buffer's len is at least the header: rx_one checks).
 */
static __dpx_always_inline bool
rx_seg_fill(struct dpx_mbuf *m, uint32_t len, bool first)
{
	/* the device wrote len bytes from the descriptor's start (header included) */
	uint32_t room = (uint32_t)(m->buf_len - m->data_off) + VU_HDR_LEN;

	if (dpx_unlikely(len > room))
		return false;
	if (first) {
		m->data_len = (uint16_t)(len - VU_HDR_LEN);
	} else {
		/* later buffers carry data from their first byte, where the header would be */
		m->data_off = (uint16_t)(m->data_off - VU_HDR_LEN);
		m->data_len = (uint16_t)len;
	}
	return true;
}

/*
 * One packet: num_buffers used buffers (mergeable) or one. @return 1 with
 * the head in *out; 0 when there is nothing to take (the device has not
 * returned all of a packet's buffers yet: nothing is consumed then), or the
 * ring broke; -1 when the packet was malformed (consumed, counted).
 */
static __dpx_always_inline int
rx_one(struct vu_vq *vq, struct dpx_mbuf **out, const bool packed)
{
	uint16_t id, nbuf = 1;
	uint32_t len;
	struct dpx_mbuf *head, *tail;

	if (!used_peek(vq, &id, &len, packed))
		return 0;
	/* every buffer of the packet is one the device holds, this one included */
	uint16_t in_flight = (uint16_t)(vq->size - vq->free_cnt);
	/* a buffer shorter than a header has none: it is dropped alone, as
	 * Linux's receive_buf drops it, never read for a num_buffers (an async
	 * back-end returns each buffer of a packet it dropped with length 0;
	 * their first bytes are payload, or stale) */
	if (vq->mrg_rxbuf && len >= VU_HDR_LEN && id < vq->size && vq->slots[id].m != NULL) {
		const struct virtio_net_hdr_mrg_rxbuf *h =
			(const void *)((const char *)vq->slots[id].m->buf_addr +
				       vq->slots[id].m->data_off - VU_HDR_LEN);
		nbuf = h->num_buffers;
		/* take none of a packet's buffers before all are used (5.1.6.4) */
		if (nbuf > 1 && nbuf <= in_flight &&
		    !used_ready_at(vq, (uint16_t)(nbuf - 1), packed))
			return 0;
	}
	head = used_take(vq, id, packed);
	if (head == NULL)
		return 0;
	if (dpx_unlikely(nbuf == 0 || nbuf > in_flight || len < VU_HDR_LEN ||
			 !rx_seg_fill(head, len, true))) {
		rx_malformed(vq, head, len, nbuf);
		return -1;
	}
	head->pkt_len = head->data_len;
	head->port = vq->port_id;
	tail = head;
	for (uint16_t k = 1; k < nbuf; k++) {
		struct dpx_mbuf *m;
		if (dpx_unlikely(!used_peek(vq, &id, &len, packed))) {
			/* packed: the device rewrote flags used_ready_at had seen */
			rx_malformed(vq, head, 0, nbuf);
			return -1;
		}
		m = used_take(vq, id, packed);
		if (dpx_unlikely(m == NULL)) {
			dpx_pktmbuf_free(head);
			return 0;
		}
		tail->next = m;
		tail = m;
		head->nb_segs++;
		if (dpx_unlikely(!rx_seg_fill(m, len, false))) {
			rx_malformed(vq, head, len, nbuf);
			return -1;
		}
		head->pkt_len += m->data_len;
		vq->xs.mrg_segments++;
	}
	*out = head;
	return 1;
}

static __dpx_always_inline uint16_t
rx_burst(struct vu_vq *vq, struct dpx_mbuf **pkts, uint16_t n, const bool packed)
{
	uint16_t got = 0;
	uint64_t bytes = 0;

	if (dpx_unlikely(vq->broken))
		return 0; /* until the control thread resets the device */
	while (got < n) {
		struct dpx_mbuf *m;
		int r = rx_one(vq, &m, packed);
		if (r == 0)
			break;
		if (r > 0) {
			bytes += m->pkt_len;
			pkts[got++] = m;
		}
	}
	if (got > 0)
		dpx_eth_sw_count(&vq->stats, got, bytes);
	if (dpx_likely(!vq->broken))
		rx_refill(vq, packed, true);
	return got;
}

/* ---- transmit ---- */

#define TX_MAX_SEGS 64

/*
 * One packet: the header pushed into the first segment's headroom when we
 * own it alone, else a descriptor to the id's header slot; then one
 * descriptor per segment. @return 1 posted, 0 when the ring lacks
 * descriptors, -1 when the packet has too many segments (the caller drops it).
 */
static __dpx_always_inline int
tx_one(struct vu_vq *vq, struct dpx_mbuf *m, const bool packed)
{
	struct seg s[TX_MAX_SEGS];
	uint16_t n = 0, id = vq->free_head; /* split: head descriptor; packed: buffer id */
	bool push = dpx_mbuf_refcnt_read(m) == 1 && dpx_pktmbuf_headroom(m) >= VU_HDR_LEN;
	uint32_t need = (uint32_t)m->nb_segs + (push ? 0 : 1);

	if (dpx_unlikely(need > TX_MAX_SEGS || need > vq->size))
		return -1;
	if (need > vq->free_cnt)
		return 0;
	if (push) {
		void *h = dpx_pktmbuf_mtod_offset(m, char *, -(int)VU_HDR_LEN);
		memset(h, 0, VU_HDR_LEN);
		s[n++] = (struct seg){(uint64_t)(uintptr_t)h, (uint32_t)(m->data_len + VU_HDR_LEN)};
		if (dpx_likely(m->next == NULL)) {
			/* the common frame: one descriptor, post() unrolled for it */
			post(vq, s, 1, false, m, packed);
			return 1;
		}
	} else {
		s[n++] = (struct seg){(uint64_t)(uintptr_t)&vq->tx_hdrs[id], VU_HDR_LEN};
		s[n++] = (struct seg){dpx_pktmbuf_mtod(m, uint64_t), m->data_len};
	}
	for (struct dpx_mbuf *seg = m->next; seg != NULL; seg = seg->next)
		s[n++] = (struct seg){dpx_pktmbuf_mtod(seg, uint64_t), seg->data_len};
	post(vq, s, n, false, m, packed);
	return 1;
}

#define TX_REAP_BATCH 32

/* Free what the device has sent, in bulk (one pool put per batch, not per mbuf). */
static __dpx_always_inline void
tx_reap(struct vu_vq *vq, const bool packed)
{
	struct dpx_mbuf *done[TX_REAP_BATCH];
	unsigned int n = 0;
	uint16_t id;
	uint32_t len;

	while (used_peek(vq, &id, &len, packed)) {
		struct dpx_mbuf *m = used_take(vq, id, packed);
		if (m == NULL)
			break; /* broken: the reset takes the rest back */
		done[n++] = m;
		if (n == TX_REAP_BATCH) {
			dpx_pktmbuf_free_bulk(done, n);
			n = 0;
		}
	}
	if (n > 0)
		dpx_pktmbuf_free_bulk(done, n);
}

static __dpx_always_inline uint16_t
tx_burst(struct vu_vq *vq, struct dpx_mbuf **pkts, uint16_t n, const bool packed)
{
	uint16_t sent = 0, posted = 0;
	uint64_t bytes = 0;

	if (dpx_unlikely(vq->broken))
		return 0;
	tx_reap(vq, packed);
	if (dpx_unlikely(vq->broken))
		return 0;
	for (; sent < n; sent++) {
		uint32_t len = pkts[sent]->pkt_len;
		int rc = tx_one(vq, pkts[sent], packed);
		if (rc == 0) {
			vq->xs.ring_full += (uint64_t)(n - sent);
			break;
		}
		if (dpx_unlikely(rc < 0)) { /* taken and dropped: the caller must not retry it */
			dpx_pktmbuf_free(pkts[sent]);
			dpx_eth_sw_count_errors(&vq->stats, 1);
			continue;
		}
		bytes += len;
		posted++;
	}
	kick(vq, packed);
	if (posted > 0)
		dpx_eth_sw_count(&vq->stats, posted, bytes);
	return sent;
}

unsigned int
vu_vq_tx_outstanding(struct vu_vq *vq)
{
	if (vq->mem == NULL)
		return 0;
	if (vq->packed)
		tx_reap(vq, true);
	else
		tx_reap(vq, false);
	return (unsigned int)(vq->size - vq->free_cnt);
}

/* ---- entry points: the queue's gate (see eth_virtio_user.c), then the body ---- */

uint16_t
vu_rx_burst(void *queue, struct dpx_mbuf **pkts, uint16_t n)
{
	struct vu_vq *vq = queue;
	uint16_t got;

	if (!dpx_eth_gate_enter(&vq->gate))
		return 0;
	got = vq->packed ? rx_burst(vq, pkts, n, true) : rx_burst(vq, pkts, n, false);
	dpx_eth_gate_leave(&vq->gate);
	return got;
}

uint16_t
vu_tx_burst(void *queue, struct dpx_mbuf **pkts, uint16_t n)
{
	struct vu_vq *vq = queue;
	uint16_t sent;

	if (!dpx_eth_gate_enter(&vq->gate))
		return 0;
	sent = vq->packed ? tx_burst(vq, pkts, n, true) : tx_burst(vq, pkts, n, false);
	dpx_eth_gate_leave(&vq->gate);
	return sent;
}
