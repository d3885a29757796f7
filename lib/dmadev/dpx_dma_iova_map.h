/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IOVA -> VA translation of a DMA engine bound to a VFIO container (driver
 * tier; dma_sw translates through it, dma_edu checks IOVAs with it): an
 * immutable, sorted snapshot of the container's mappings (pure logic, no
 * system calls, no locks). The engine's worker looks IOVAs up in the
 * snapshot it holds; a change of the container publishes a new snapshot
 * (dma_sw_bind.c), never edits one in place, so a lookup needs no lock.
 *
 * Invariants of a snapshot: entries sorted by iova, never overlapping, and no
 * two neighbours contiguous in both IOVA and VA (those are merged), so a
 * range inside one IOVA-contiguous, VA-contiguous stretch is one entry.
 */
#ifndef DPX_DMA_IOVA_MAP_H
#define DPX_DMA_IOVA_MAP_H

#include <stdbool.h>
#include <stdint.h>

#include <dpx_vfio.h>

struct dpx_dma_iova_map {
	unsigned int n;
	struct dpx_vfio_dma_mapping e[];
};

/*
 * A snapshot of maps[0..n-1] (in IOVA order, as a DMA listener gets them).
 * NULL on -ENOMEM (dpx_errno set) or when the input overlaps or is not
 * sorted (EINVAL). Free with free().
 */
struct dpx_dma_iova_map *dpx_dma_iova_map_build(const struct dpx_vfio_dma_mapping *maps,
						unsigned int n);

/* Index of the entry holding iova, or -1 (also for a NULL map). O(log n). */
static inline int
dpx_dma_iova_map_find(const struct dpx_dma_iova_map *m, uint64_t iova)
{
	unsigned int lo = 0, hi;

	if (m == NULL || m->n == 0)
		return -1;
	hi = m->n;
	/* the last entry with e.iova <= iova */
	while (hi - lo > 1) {
		unsigned int mid = lo + (hi - lo) / 2;
		if (m->e[mid].iova <= iova)
			lo = mid;
		else
			hi = mid;
	}
	if (iova < m->e[lo].iova || iova - m->e[lo].iova >= m->e[lo].len)
		return -1;
	return (int)lo;
}

/*
 * Translate the start of a range: *va and *room (bytes from iova to the end
 * of its entry). false when iova is not mapped.
 */
static inline bool
dpx_dma_iova_map_lookup(const struct dpx_dma_iova_map *m, uint64_t iova, uint64_t *va,
			uint64_t *room)
{
	int i = dpx_dma_iova_map_find(m, iova);

	if (i < 0)
		return false;
	*va = m->e[i].va + (iova - m->e[i].iova);
	*room = m->e[i].len - (iova - m->e[i].iova);
	return true;
}

/*
 * Translate the end of a range, for copying it backwards: iova_end is one
 * past its last byte; *va_end is one past that byte's VA and *room the bytes
 * from the start of its entry to iova_end. false when iova_end - 1 is not
 * mapped (or iova_end is 0).
 */
static inline bool
dpx_dma_iova_map_lookup_end(const struct dpx_dma_iova_map *m, uint64_t iova_end, uint64_t *va_end,
			    uint64_t *room)
{
	int i = iova_end != 0 ? dpx_dma_iova_map_find(m, iova_end - 1) : -1;

	if (i < 0)
		return false;
	*room = iova_end - m->e[i].iova;
	*va_end = m->e[i].va + *room;
	return true;
}

/* true when every byte of [iova, iova + len) is mapped (len 0: always). */
bool dpx_dma_iova_map_covers(const struct dpx_dma_iova_map *m, uint64_t iova, uint64_t len);

#endif /* DPX_DMA_IOVA_MAP_H */
