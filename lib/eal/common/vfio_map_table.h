/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The chunk-granular VFIO DMA mapping table of one container: pure logic, no
 * system calls. The kernel is reached only through a vfio_dma_backend (the
 * container passes its IOMMU type's calls; tests pass a model of the kernel).
 *
 * Entries {va, iova, len, chunk}, kept sorted by iova in a skip list
 * (O(log n) expected per lookup, insert and remove; no size limit).
 * Invariants, true after every call:
 *   - entries never overlap in IOVA space;
 *   - chunk == 0, or chunk > 0 and len is a multiple of chunk: the entry is
 *     len / chunk kernel mappings of chunk bytes each;
 *   - in strict mode (an IOMMU that cannot unmap part of a kernel mapping)
 *     every entry has chunk > 0; in partial mode every entry has chunk == 0;
 *   - no two neighbours are contiguous in both VA and IOVA with equal chunk
 *     (every pair that may merge has merged);
 *   - the table changes only after the kernel calls it needed succeeded.
 */
#ifndef VFIO_MAP_TABLE_H
#define VFIO_MAP_TABLE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct vfio_map_table;

struct vfio_map_entry {
	uint64_t va;
	uint64_t iova;
	uint64_t len;
	uint64_t chunk; /* 0: any sub-range may be unmapped */
};

/*
 * The kernel side of a container. map makes one kernel mapping; unmap removes
 * every kernel mapping inside the range and reports the bytes it removed in
 * *unmapped (the table checks it equals len). Both return 0 or -errno.
 */
struct vfio_dma_backend {
	int (*map)(void *ctx, uint64_t va, uint64_t iova, uint64_t len);
	int (*unmap)(void *ctx, uint64_t va, uint64_t iova, uint64_t len, uint64_t *unmapped);
	void *ctx;
};

/* An empty table in strict mode. NULL on -ENOMEM (dpx_errno set). */
struct vfio_map_table *vfio_map_table_create(void);
void vfio_map_table_destroy(struct vfio_map_table *t);

/*
 * Record [iova, iova + len) -> va. chunk_size 0 means "one piece": the entry
 * gets chunk = len in strict mode; a non-zero chunk_size (a page size) makes
 * every chunk_size piece its own kernel mapping so single pieces can be
 * unmapped later (len must be a multiple of it). In partial mode chunk is 0.
 * With be == NULL (no group attached yet) the mapping is only recorded.
 * Returns 0, -EINVAL (len 0, overflow, len not a multiple of chunk_size),
 * -EEXIST (overlaps an entry), -ENOMEM, or the backend's error (table unchanged).
 */
int vfio_map_table_map(struct vfio_map_table *t, uint64_t va, uint64_t iova, uint64_t len,
		       uint64_t chunk_size, const struct vfio_dma_backend *be);

/*
 * Remove [iova, iova + len) (mapped from va). It may span several entries and
 * leaves at most a head and a tail piece. Returns 0, -EINVAL (len 0, overflow,
 * a part not mapped, a hole, va not matching the entries' va), -ENOTSUP
 * (start or end inside a chunk in strict mode), -ENOMEM, -EIO (the kernel
 * unmapped another size than asked), or the backend's error (table unchanged).
 */
int vfio_map_table_unmap(struct vfio_map_table *t, uint64_t va, uint64_t iova, uint64_t len,
			 const struct vfio_dma_backend *be);

/*
 * Switch mode for the IOMMU type a container got. Partial: every chunk
 * becomes 0 and contiguous neighbours merge. Strict: an entry with chunk 0
 * becomes one piece (chunk = len). No kernel calls.
 */
void vfio_map_table_set_partial(struct vfio_map_table *t, bool partial);
bool vfio_map_table_is_partial(const struct vfio_map_table *t);

/*
 * Make every recorded entry in the kernel: one map call per chunk (one per
 * entry when chunk is 0). On failure the calls already made are undone and
 * the backend's error returned.
 */
int vfio_map_table_replay(const struct vfio_map_table *t, const struct vfio_dma_backend *be);

/* Remove every entry from the kernel (one unmap per entry) and the table. */
void vfio_map_table_clear(struct vfio_map_table *t, const struct vfio_dma_backend *be);

/* Number of entries. */
unsigned int vfio_map_table_count(const struct vfio_map_table *t);

/* Call fn on every entry in IOVA order until it returns non-zero (returned). */
int vfio_map_table_walk(const struct vfio_map_table *t,
			int (*fn)(const struct vfio_map_entry *e, void *arg), void *arg);

/* Print one line per entry. */
void vfio_map_table_dump(const struct vfio_map_table *t, FILE *f);

#endif /* VFIO_MAP_TABLE_H */
