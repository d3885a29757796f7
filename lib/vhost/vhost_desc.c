/* SPDX-License-Identifier: BSD-3-Clause */
/* Descriptor chain walker, one body for split and packed layouts (no I/O). */
#include <errno.h>

#include <dpx_common.h>

#include "vhost_desc.h"

struct desc {
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
desc_read(const void *table, uint32_t i, bool packed, struct desc *d)
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

static int
add_bufs(const struct vhost_ring_view *v, const struct desc *d, unsigned int *hint,
	 struct vhost_chain *c, const char **why)
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
		if (hva == NULL) {
			*why = "buffer address outside guest memory";
			return -EFAULT;
		}
		if (c->nbufs >= VHOST_CHAIN_MAX_BUFS) {
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

static int
enter_indirect(const struct vhost_ring_view *v, const struct desc *d, unsigned int *hint,
	       const void **table, uint32_t *tsize, const char **why)
{
	if (!v->indirect) {
		*why = "indirect descriptor without INDIRECT_DESC";
		return -EINVAL;
	}
	if (d->flags & VRING_DESC_F_NEXT) {
		*why = "indirect descriptor with NEXT";
		return -EINVAL;
	}
	if (d->len == 0 || d->len % sizeof(struct vring_desc) != 0) {
		*why = "indirect table size not a non-zero multiple of 16";
		return -EINVAL;
	}
	*table = vhost_mem_gpa_to_hva_whole(v->mem, d->addr, d->len, hint);
	if (*table == NULL) {
		*why = "indirect table outside guest memory";
		return -EFAULT;
	}
	*tsize = d->len / sizeof(struct vring_desc);
	return 0;
}

int
vhost_chain_walk(const struct vhost_ring_view *v, uint16_t idx, bool packed, unsigned int *hint,
		 struct vhost_chain *c, const char **why)
{
	const void *table = v->desc;
	uint32_t tsize = v->size, i = idx, seen = 0;
	bool indirect = false;
	struct desc d;
	int rc;

	c->nbufs = c->nread = c->ndesc = 0;
	c->read_len = c->write_len = 0;
	c->id = idx;
	if (idx >= v->size) {
		*why = "head index past the ring";
		return -ERANGE;
	}
	for (;;) {
		desc_read(table, i, packed, &d);
		seen++;
		if (!indirect) {
			c->ndesc++;
			/* packed: the buffer id is the one in the chain's last descriptor */
			if (packed)
				c->id = d.id;
		}
		if (d.flags & VRING_DESC_F_INDIRECT) {
			if (indirect) {
				*why = "nested indirect table";
				return -EINVAL;
			}
			rc = enter_indirect(v, &d, hint, &table, &tsize, why);
			if (rc < 0)
				return rc;
			indirect = true;
			i = 0;
			seen = 0;
			continue;
		}
		rc = add_bufs(v, &d, hint, c, why);
		if (rc < 0)
			return rc;
		/* 2.7.5.3.1: a packed indirect table is used in order, without NEXT */
		if (packed && indirect) {
			if (++i >= tsize)
				return 0;
			continue;
		}
		if (!(d.flags & VRING_DESC_F_NEXT))
			return 0;
		if (seen >= tsize) {
			*why = "descriptor chain longer than its table (loop)";
			return -ELOOP;
		}
		i = packed ? (i + 1 == tsize ? 0 : i + 1) : d.next;
		if (i >= tsize) {
			*why = "next index past the table";
			return -ERANGE;
		}
	}
}
