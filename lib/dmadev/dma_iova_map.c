/* SPDX-License-Identifier: BSD-3-Clause */
/* The dma_sw engine's IOVA snapshot (see dpx_dma_iova_map.h). */
#include <errno.h>
#include <stdlib.h>

#include <dpx_errno.h>

#include "dpx_dma_iova_map.h"

static bool
contiguous(const struct dpx_vfio_dma_mapping *a, const struct dpx_vfio_dma_mapping *b)
{
	return a->iova + a->len == b->iova && a->va + a->len == b->va;
}

struct dpx_dma_iova_map *
dpx_dma_iova_map_build(const struct dpx_vfio_dma_mapping *maps, unsigned int n)
{
	struct dpx_dma_iova_map *m = malloc(sizeof(*m) + (size_t)n * sizeof(m->e[0]));

	if (m == NULL) {
		dpx_errno = ENOMEM;
		return NULL;
	}
	m->n = 0;
	for (unsigned int i = 0; i < n; i++) {
		struct dpx_vfio_dma_mapping *last = m->n > 0 ? &m->e[m->n - 1] : NULL;

		if (maps[i].len == 0 || maps[i].iova + maps[i].len < maps[i].iova ||
		    (last != NULL && maps[i].iova < last->iova + last->len)) {
			free(m);
			dpx_errno = EINVAL;
			return NULL;
		}
		if (last != NULL && contiguous(last, &maps[i]))
			last->len += maps[i].len;
		else
			m->e[m->n++] = maps[i];
	}
	return m;
}

bool
dpx_dma_iova_map_covers(const struct dpx_dma_iova_map *m, uint64_t iova, uint64_t len)
{
	int i;

	if (len == 0)
		return true;
	if (iova + len < iova)
		return false;
	i = dpx_dma_iova_map_find(m, iova);
	if (i < 0)
		return false;
	/* neighbours not contiguous in VA are still contiguous in IOVA for the device */
	for (;;) {
		uint64_t end = m->e[i].iova + m->e[i].len;
		if (iova + len <= end)
			return true;
		if ((unsigned int)i + 1 == m->n || m->e[i + 1].iova != end)
			return false;
		i++;
	}
}
