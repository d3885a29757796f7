/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Descriptor chain walker: turns one chain a guest posted (split or packed,
 * direct or through an indirect table) into a list of host buffers. Pure: it
 * reads the ring memory it is given and translates through the memory table,
 * nothing else. Every index, length and address comes from a hostile guest:
 * a walk is bounded by the ring (or indirect table) size, so a loop is an
 * error, never a hang.
 */
#ifndef VHOST_DESC_H
#define VHOST_DESC_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>

#include <dpx_common.h>

#include "vhost_mem.h"
#include "virtio_defs.h"

/* Most buffers one chain may yield (after splitting at region ends). */
#define VHOST_CHAIN_MAX_BUFS 64

struct vhost_buf {
	void *hva;
	uint64_t gpa;
	uint32_t len;
};

struct vhost_chain {
	uint16_t id;	/* split: head index; packed: buffer id */
	uint16_t ndesc; /* ring slots the chain takes (packed ring accounting) */
	uint16_t nbufs; /* bufs[0..nread) device-readable, the rest device-writable */
	uint16_t nread;
	uint64_t read_len;
	uint64_t write_len;
	struct vhost_buf bufs[VHOST_CHAIN_MAX_BUFS];
};

struct vhost_ring_view {
	const struct vhost_mem *mem;
	const void *desc; /* descriptor table (split) or descriptor ring (packed) */
	uint16_t size;	  /* entries */
	bool indirect;	  /* VIRTIO_RING_F_INDIRECT_DESC negotiated */
};

/*
 * Walk the chain starting at ring index idx.
 * @param packed constant at the call sites: the two layouts share this body.
 * @param hint the queue's last-hit memory region index.
 * @return 0 with *c filled, or
 *   -ERANGE  an index (head or next) past the ring or indirect table,
 *   -ELOOP   more descriptors than the table holds (a loop),
 *   -EFAULT  a buffer or indirect table not inside guest memory,
 *   -EINVAL  bad indirect use (not negotiated, nested, with NEXT, size not a
 *            multiple of 16 or 0, more entries than the ring) or a
 *            device-readable buffer after a device-writable one,
 *   -E2BIG   more than VHOST_CHAIN_MAX_BUFS buffers, or more than
 *            VHOST_CHAIN_MAX_BUFS descriptors read (zero-length ones and
 *            the one pointing to an indirect table included).
 *   *why names the fault for the log line.
 * The data path uses the inline body (vhost_chain_walk_inline); this
 * out-of-line copy serves the tests and the fuzz target.
 */
int vhost_chain_walk(const struct vhost_ring_view *v, uint16_t idx, bool packed, unsigned int *hint,
		     struct vhost_chain *c, const char **why);

struct vhost_desc_copy {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
	uint16_t id;
};

/*
 * Copy one descriptor out of guest memory once: every check below is made on
 * this private copy, so a guest rewriting the ring meanwhile cannot make us
 * use a value we did not check.
 */
static __dpx_always_inline void
vhost_desc_read(const void *table, uint32_t i, const bool packed, struct vhost_desc_copy *d)
{
	if (packed) {
		const volatile struct vring_packed_desc *p =
			(const volatile struct vring_packed_desc *)table + i;

		d->addr = p->addr;
		d->len = p->len;
		d->flags = p->flags;
		d->id = p->id;
		d->next = 0;
	} else {
		const volatile struct vring_desc *s = (const volatile struct vring_desc *)table + i;

		d->addr = s->addr;
		d->len = s->len;
		d->flags = s->flags;
		d->next = s->next;
		d->id = (uint16_t)i;
	}
}

static __dpx_always_inline int
vhost_chain_add_bufs(const struct vhost_ring_view *v, const struct vhost_desc_copy *d,
		     unsigned int *hint, struct vhost_chain *c, const char **why)
{
	bool writable = (d->flags & VRING_DESC_F_WRITE) != 0;
	uint64_t gpa = d->addr, left = d->len, got;
	void *hva;

	if (!writable && c->nbufs > c->nread) {
		*why = "device-readable descriptor after a device-writable one";
		return -EINVAL;
	}
	while (left > 0) {
		got = left;
		hva = vhost_mem_gpa_to_hva(v->mem, gpa, &got, hint);
		if (dpx_unlikely(hva == NULL)) {
			*why = "buffer address outside guest memory";
			return -EFAULT;
		}
		if (dpx_unlikely(c->nbufs >= VHOST_CHAIN_MAX_BUFS)) {
			*why = "chain has too many buffers";
			return -E2BIG;
		}
		c->bufs[c->nbufs++] = (struct vhost_buf){hva, gpa, (uint32_t)got};
		if (writable) {
			c->write_len += got;
		} else {
			c->nread++;
			c->read_len += got;
		}
		gpa += got;
		left -= got;
	}
	return 0;
}

int vhost_chain_enter_indirect(const struct vhost_ring_view *v, const struct vhost_desc_copy *d,
			       unsigned int *hint, const void **table, uint32_t *tsize,
			       const char **why);

static __dpx_always_inline int
vhost_chain_walk_inline(const struct vhost_ring_view *v, uint16_t idx, const bool packed,
			unsigned int *hint, struct vhost_chain *c, const char **why)
{
	const void *table = v->desc;
	/* seen: descriptors of the current table (loop bound); walked: of the
	 * whole chain, every one counted, so zero-length ones cannot make a
	 * walk long (an indirect table is bounded by the ring size too) */
	uint32_t tsize = v->size, i = idx, seen = 0, walked = 0;
	bool indirect = false;
	struct vhost_desc_copy d;
	int rc;

	c->nbufs = c->nread = c->ndesc = 0;
	c->read_len = c->write_len = 0;
	c->id = idx;
	if (dpx_unlikely(idx >= v->size)) {
		*why = "head index past the ring";
		return -ERANGE;
	}
	for (;;) {
		if (dpx_unlikely(++walked > VHOST_CHAIN_MAX_BUFS)) {
			*why = "chain has too many descriptors";
			return -E2BIG;
		}
		vhost_desc_read(table, i, packed, &d);
		seen++;
		if (!indirect) {
			c->ndesc++;
			/* packed: the buffer id is the one in the chain's last descriptor */
			if (packed)
				c->id = d.id;
		}
		if (d.flags & VRING_DESC_F_INDIRECT) {
			if (dpx_unlikely(indirect)) {
				*why = "nested indirect table";
				return -EINVAL;
			}
			rc = vhost_chain_enter_indirect(v, &d, hint, &table, &tsize, why);
			if (rc < 0)
				return rc;
			indirect = true;
			i = 0;
			seen = 0;
			continue;
		}
		rc = vhost_chain_add_bufs(v, &d, hint, c, why);
		if (dpx_unlikely(rc < 0))
			return rc;
		/* 2.7.5.3.1: a packed indirect table is used in order, without NEXT */
		if (packed && indirect) {
			if (++i >= tsize)
				return 0;
			continue;
		}
		if (!(d.flags & VRING_DESC_F_NEXT))
			return 0;
		if (dpx_unlikely(seen >= tsize)) {
			*why = "descriptor chain longer than its table (loop)";
			return -ELOOP;
		}
		i = packed ? (i + 1 == tsize ? 0 : i + 1) : d.next;
		if (dpx_unlikely(i >= tsize)) {
			*why = "next index past the table";
			return -ERANGE;
		}
	}
}

#endif /* VHOST_DESC_H */
