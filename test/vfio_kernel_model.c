/* SPDX-License-Identifier: BSD-3-Clause */
/* Model of the kernel's VFIO IOMMU drivers (see vfio_kernel_model.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "vfio_kernel_model.h"

#define KMODEL_PAGE 4096u

void
kmodel_init(struct kmodel *k, enum kmodel_type type)
{
	memset(k, 0, sizeof(*k));
	k->type = type;
}

void
kmodel_fini(struct kmodel *k)
{
	free(k->maps);
	memset(k, 0, sizeof(*k));
}

void
kmodel_fail(struct kmodel *k, unsigned int n, int err)
{
	k->fail_in = n;
	k->fail_errno = err;
}

static bool
injected_failure(struct kmodel *k)
{
	if (k->fail_in == 0)
		return false;
	return --k->fail_in == 0;
}

/* First mapping whose end is above iova (index n if none). */
static size_t
first_ending_after(const struct kmodel *k, uint64_t iova)
{
	size_t lo = 0, hi = k->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (k->maps[mid].iova + k->maps[mid].len <= iova)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

long
kmodel_find(const struct kmodel *k, uint64_t iova)
{
	size_t i = first_ending_after(k, iova);

	return i < k->n && k->maps[i].iova <= iova ? (long)i : -1;
}

static int
insert_at(struct kmodel *k, size_t i, struct kmodel_map m)
{
	if (k->n == k->cap) {
		size_t cap = k->cap ? k->cap * 2 : 64;
		struct kmodel_map *p = realloc(k->maps, cap * sizeof(*p));
		if (p == NULL)
			return -ENOMEM;
		k->maps = p;
		k->cap = cap;
	}
	memmove(&k->maps[i + 1], &k->maps[i], (k->n - i) * sizeof(*k->maps));
	k->maps[i] = m;
	k->n++;
	return 0;
}

int
kmodel_map(struct kmodel *k, uint64_t va, uint64_t iova, uint64_t len)
{
	size_t i;

	k->map_calls++;
	if (injected_failure(k))
		return -k->fail_errno;
	if (len == 0 || iova % KMODEL_PAGE || len % KMODEL_PAGE || va % KMODEL_PAGE ||
	    iova + len < iova)
		return -EINVAL;
	if (k->type == KMODEL_NOIOMMU)
		return 0;
	i = first_ending_after(k, iova);
	if (i < k->n && k->maps[i].iova < iova + len)
		return -EEXIST;
	return insert_at(k, i, (struct kmodel_map){va, iova, len});
}

/* Cut the first mapping ending after bound in two at bound if it straddles it;
 * *idx is then the index of the first mapping at or above bound. */
static int
split_at(struct kmodel *k, uint64_t bound, size_t *idx)
{
	size_t i = first_ending_after(k, bound);

	if (i < k->n && k->maps[i].iova < bound) {
		struct kmodel_map m = k->maps[i];
		uint64_t cut = bound - m.iova;
		if (insert_at(k, i + 1, (struct kmodel_map){m.va + cut, bound, m.len - cut}) != 0)
			return -ENOMEM;
		k->maps[i].len = cut;
		i++;
	}
	*idx = i;
	return 0;
}

static int
unmap_partial(struct kmodel *k, uint64_t iova, uint64_t end, uint64_t *unmapped)
{
	size_t i, j;

	/* split a mapping that straddles either bound, then remove whole ones */
	if (split_at(k, iova, &i) != 0 || split_at(k, end, &j) != 0)
		return -ENOMEM;
	for (size_t x = i; x < j; x++)
		*unmapped += k->maps[x].len;
	memmove(&k->maps[i], &k->maps[j], (k->n - j) * sizeof(*k->maps));
	k->n -= j - i;
	return 0;
}

int
kmodel_unmap(struct kmodel *k, uint64_t va, uint64_t iova, uint64_t len, uint64_t *unmapped)
{
	uint64_t end = iova + len;
	size_t i, j;

	(void)va;
	*unmapped = 0;
	k->unmap_calls++;
	if (injected_failure(k))
		return -k->fail_errno;
	if (len == 0 || iova % KMODEL_PAGE || len % KMODEL_PAGE || end < iova)
		return -EINVAL;
	if (k->type == KMODEL_NOIOMMU) {
		*unmapped = len;
	} else if (k->type == KMODEL_SPAPR) {
		int rc = unmap_partial(k, iova, end, unmapped);
		if (rc != 0)
			return rc;
	} else {
		i = first_ending_after(k, iova);
		if (i < k->n && k->maps[i].iova < iova)
			return -EINVAL; /* bisects the mapping holding the start */
		j = first_ending_after(k, end);
		if (j < k->n && k->maps[j].iova < end)
			return -EINVAL; /* bisects the mapping holding the end */
		for (size_t x = i; x < j; x++)
			*unmapped += k->maps[x].len;
		memmove(&k->maps[i], &k->maps[j], (k->n - j) * sizeof(*k->maps));
		k->n -= j - i;
	}
	if (k->short_unmap && *unmapped >= KMODEL_PAGE)
		*unmapped -= KMODEL_PAGE;
	return 0;
}

uint64_t
kmodel_bytes_mapped(const struct kmodel *k)
{
	uint64_t sum = 0;

	for (size_t i = 0; i < k->n; i++)
		sum += k->maps[i].len;
	return sum;
}

static int
backend_map(void *ctx, uint64_t va, uint64_t iova, uint64_t len)
{
	return kmodel_map(ctx, va, iova, len);
}

static int
backend_unmap(void *ctx, uint64_t va, uint64_t iova, uint64_t len, uint64_t *unmapped)
{
	return kmodel_unmap(ctx, va, iova, len, unmapped);
}

struct vfio_dma_backend
kmodel_backend(struct kmodel *k)
{
	return (struct vfio_dma_backend){backend_map, backend_unmap, k};
}
