/* SPDX-License-Identifier: BSD-3-Clause */
/* Guest memory table: bounds, overlaps, ordered insert/remove (no I/O). */
#include <errno.h>
#include <string.h>

#include "vhost_mem.h"

static bool
ranges_overlap(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	/* both ranges are non-empty and do not wrap (checked before) */
	return a < b + blen && b < a + alen;
}

int
vhost_mem_check_new(const struct vhost_mem *m, uint64_t gpa, uint64_t size, uint64_t uva,
		    uint64_t mmap_offset, const char **why)
{
	unsigned int i;

	if (size == 0) {
		*why = "region of size 0";
		return -EINVAL;
	}
	if (gpa + size < gpa || uva + size < uva || mmap_offset + size < mmap_offset ||
	    gpa + size == 0 || uva + size == 0) {
		*why = "region wraps the address space";
		return -EINVAL;
	}
	for (i = 0; i < m->n; i++) {
		const struct vhost_mem_region *r = &m->regions[i];

		if (ranges_overlap(gpa, size, r->gpa, r->size)) {
			*why = "region overlaps another in guest-physical space";
			return -EEXIST;
		}
		if (ranges_overlap(uva, size, r->uva, r->size)) {
			*why = "region overlaps another in front-end address space";
			return -EEXIST;
		}
	}
	if (m->n >= DPX_VHOST_MAX_MEM_SLOTS) {
		*why = "all memory slots in use";
		return -ENOSPC;
	}
	return 0;
}

int
vhost_mem_insert(struct vhost_mem *m, const struct vhost_mem_region *r)
{
	unsigned int pos = 0;

	if (m->n >= DPX_VHOST_MAX_MEM_SLOTS)
		return -ENOSPC;
	while (pos < m->n && m->regions[pos].gpa < r->gpa)
		pos++;
	memmove(&m->regions[pos + 1], &m->regions[pos], (m->n - pos) * sizeof(*r));
	m->regions[pos] = *r;
	m->n++;
	return (int)pos;
}

int
vhost_mem_find(const struct vhost_mem *m, uint64_t gpa, uint64_t size, uint64_t uva)
{
	unsigned int i;

	for (i = 0; i < m->n; i++) {
		const struct vhost_mem_region *r = &m->regions[i];

		if (r->gpa == gpa && r->size == size && r->uva == uva)
			return (int)i;
	}
	return -ENOENT;
}

uint64_t
vhost_mem_mapped(const struct vhost_mem *m)
{
	uint64_t sum = 0;
	unsigned int i;

	for (i = 0; i < m->n; i++)
		sum += m->regions[i].mmap_size;
	return sum;
}

void
vhost_mem_remove(struct vhost_mem *m, unsigned int idx, struct vhost_mem_region *out)
{
	*out = m->regions[idx];
	memmove(&m->regions[idx], &m->regions[idx + 1], (m->n - idx - 1) * sizeof(*out));
	m->n--;
}

void *
vhost_mem_uva_to_hva(const struct vhost_mem *m, uint64_t uva, uint64_t len)
{
	unsigned int i;

	if (len == 0 || uva + len < uva)
		return NULL;
	for (i = 0; i < m->n; i++) {
		const struct vhost_mem_region *r = &m->regions[i];

		if (uva >= r->uva && uva - r->uva < r->size && len <= r->size - (uva - r->uva))
			return (void *)(uintptr_t)(r->hva + (uva - r->uva));
	}
	return NULL;
}

int
vhost_mem_uva_to_gpa(const struct vhost_mem *m, uint64_t uva, uint64_t len, uint64_t *gpa)
{
	unsigned int i;

	for (i = 0; i < m->n; i++) {
		const struct vhost_mem_region *r = &m->regions[i];

		if (len > 0 && uva >= r->uva && uva - r->uva < r->size &&
		    len <= r->size - (uva - r->uva)) {
			*gpa = r->gpa + (uva - r->uva);
			return 0;
		}
	}
	return -EFAULT;
}

void *
vhost_mem_gpa_to_hva_whole(const struct vhost_mem *m, uint64_t gpa, uint64_t len,
			   unsigned int *hint)
{
	uint64_t got = len;
	void *p;

	if (len == 0 || gpa + len < gpa)
		return NULL;
	p = vhost_mem_gpa_to_hva(m, gpa, &got, hint);
	return (p != NULL && got == len) ? p : NULL;
}
