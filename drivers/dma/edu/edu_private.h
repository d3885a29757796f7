/* SPDX-License-Identifier: BSD-3-Clause */
/* edu DMA driver internals shared with the fast suite. */
#ifndef EDU_PRIVATE_H
#define EDU_PRIVATE_H

#include <stdbool.h>
#include <stdint.h>

#include "edu_regs.h"

/* Bytes of the next chunk of a job with left bytes to go. */
static inline uint32_t
edu_chunk_len(uint64_t left, bool verify)
{
	/* verify reads the destination back into the buffer's second half */
	uint32_t max = verify ? EDU_XFER_MAX / 2 : EDU_XFER_MAX;

	return left < max ? (uint32_t)left : max;
}

#endif /* EDU_PRIVATE_H */
