/* SPDX-License-Identifier: BSD-3-Clause */
/* Descriptor chain walker: the out-of-line pieces (no I/O); the body is inline in vhost_desc.h. */
#include "vhost_desc.h"

int
vhost_chain_enter_indirect(const struct vhost_ring_view *v, const struct vhost_desc_copy *d,
			   unsigned int *hint, const void **table, uint32_t *tsize,
			   const char **why)
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
	/* a table needs no more entries than the ring has (DPDK refuses more too);
	 * without this bound a 2^28-entry table could be walked */
	if (d->len / sizeof(struct vring_desc) > v->size) {
		*why = "indirect table has more entries than the ring";
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
	return packed ? vhost_chain_walk_inline(v, idx, true, hint, c, why)
		      : vhost_chain_walk_inline(v, idx, false, hint, c, why);
}
