/* SPDX-License-Identifier: BSD-3-Clause */
/* edu DMA driver internals: the pure parts, for the fast suite. */
#ifndef EDU_PRIVATE_H
#define EDU_PRIVATE_H

#include <stdbool.h>
#include <stdint.h>

#include <dpx_vfio.h>

/*
 * Whether [iova, iova + len) lies wholly in the mappings (sorted by IOVA,
 * not overlapping; a range may span several contiguous ones). len 0 is
 * covered. O(log n) plus the mappings the range spans.
 */
bool edu_iova_covered(const struct dpx_vfio_dma_mapping *maps, unsigned int n, uint64_t iova,
		      uint64_t len);

/* Bytes of the next chunk of a job with left bytes to go (verify halves the buffer). */
uint32_t edu_chunk_len(uint64_t left, bool verify);

#endif /* EDU_PRIVATE_H */
