/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Guest memory table: regions sorted by guest-physical address, each a
 * separate object added and removed on its own. Pure: the caller maps and
 * unmaps; this unit only checks bounds and overlaps and translates.
 *
 * Translation never returns a host address outside a region: a request that
 * runs past the end of the region holding its start is clamped (*len shrinks)
 * and the caller continues with the rest, which may be in another region.
 */
#ifndef VHOST_MEM_H
#define VHOST_MEM_H

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>

#include "dpx_vhost.h"

struct vhost_mem_region {
	uint64_t gpa;	 /* guest-physical start */
	uint64_t size;	 /* bytes */
	uint64_t uva;	 /* front-end (QEMU) virtual start */
	uint64_t hva;	 /* our address of gpa */
	void *mmap_addr; /* the mapping holding it (owned by the caller) */
	size_t mmap_size;
};

/*
 * Address space one device may map (its regions and dirty log): 1 TiB, so
 * DPX_VHOST_MAX_DEVICES of them together take at most half of x86-64's
 * 128 TiB of user space, and one front-end cannot take it all.
 */
#define VHOST_MEM_MAX_MAPPED (1ULL << 40)

struct vhost_mem {
	uint32_t n;
	struct vhost_mem_region regions[DPX_VHOST_MAX_MEM_SLOTS]; /* sorted by gpa */
};

/*
 * Check that a new region may join the table: non-empty, no wrap of gpa, uva
 * or mmap offset, no overlap (in gpa or in uva) with a region already there,
 * room left.
 * @return 0, or -EINVAL (empty, wraps), -EEXIST (overlap), -ENOSPC (full).
 */
int vhost_mem_check_new(const struct vhost_mem *m, uint64_t gpa, uint64_t size, uint64_t uva,
			uint64_t mmap_offset, const char **why);

/* Insert a checked region keeping the order. @return its index or -ENOSPC. */
int vhost_mem_insert(struct vhost_mem *m, const struct vhost_mem_region *r);

/* @return the index of the region with exactly these gpa, size (and uva), or -ENOENT. */
int vhost_mem_find(const struct vhost_mem *m, uint64_t gpa, uint64_t size, uint64_t uva);

/* @return the bytes the regions' mappings take (their mmap_size summed). */
uint64_t vhost_mem_mapped(const struct vhost_mem *m);

/* Remove region idx, handing it back in *out (the caller unmaps it). */
void vhost_mem_remove(struct vhost_mem *m, unsigned int idx, struct vhost_mem_region *out);

/*
 * Front-end virtual (ring addresses) to host address; the whole [uva, uva+len)
 * must lie in one region. Control path only (linear scan).
 * @return the host address or NULL.
 */
void *vhost_mem_uva_to_hva(const struct vhost_mem *m, uint64_t uva, uint64_t len);

/* Front-end virtual to guest-physical (whole range in one region): 0 or -EFAULT. */
int vhost_mem_uva_to_gpa(const struct vhost_mem *m, uint64_t uva, uint64_t len, uint64_t *gpa);

/* Whole range [gpa, gpa+len) inside one region: host address or NULL. */
void *vhost_mem_gpa_to_hva_whole(const struct vhost_mem *m, uint64_t gpa, uint64_t len,
				 unsigned int *hint);

static inline bool
vhost_mem_region_has(const struct vhost_mem_region *r, uint64_t gpa)
{
	return gpa >= r->gpa && gpa - r->gpa < r->size;
}

/*
 * Guest-physical to host address. *hint is the caller's last-hit index (one
 * per queue), tried first; misses binary-search the sorted table.
 * @param len in: bytes wanted; out: bytes available in that region (<= in).
 * @return the host address of gpa, or NULL when no region holds gpa.
 */
static inline void *
vhost_mem_gpa_to_hva(const struct vhost_mem *m, uint64_t gpa, uint64_t *len, unsigned int *hint)
{
	const struct vhost_mem_region *r;
	unsigned int lo = 0, hi = m->n, mid;
	uint64_t avail;

	if (*hint < m->n && vhost_mem_region_has(&m->regions[*hint], gpa)) {
		r = &m->regions[*hint];
	} else {
		r = NULL;
		while (lo < hi) {
			mid = (lo + hi) / 2;
			if (gpa < m->regions[mid].gpa) {
				hi = mid;
			} else if (gpa - m->regions[mid].gpa >= m->regions[mid].size) {
				lo = mid + 1;
			} else {
				r = &m->regions[mid];
				*hint = mid;
				break;
			}
		}
		if (r == NULL)
			return NULL;
	}
	avail = r->size - (gpa - r->gpa);
	if (*len > avail)
		*len = avail;
	return (void *)(uintptr_t)(r->hva + (gpa - r->gpa));
}

#endif /* VHOST_MEM_H */
