/* SPDX-License-Identifier: BSD-3-Clause */
/* edu DMA driver: pure helpers (IOVA coverage, chunk sizes). */
#include "edu_private.h"
#include "edu_regs.h"

bool
edu_iova_covered(const struct dpx_vfio_dma_mapping *maps, unsigned int n, uint64_t iova,
		 uint64_t len)
{
	unsigned int lo = 0, hi = n;
	uint64_t last = iova + len - 1; /* last bytes, so that a range may end at 2^64 */

	if (len == 0)
		return true;
	if (last < iova)
		return false; /* wraps past 2^64 */
	/* the last mapping starting at or below iova */
	while (lo < hi) {
		unsigned int mid = lo + (hi - lo) / 2;
		if (maps[mid].iova <= iova)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return false;
	for (unsigned int i = lo - 1; i < n; i++) {
		uint64_t m_last = maps[i].iova + maps[i].len - 1;
		if (maps[i].iova > iova || m_last < iova)
			return false; /* a hole before this mapping, or it ends before iova */
		if (m_last >= last)
			return true;
		iova = m_last + 1; /* the rest must start where this one ends */
	}
	return false;
}

uint32_t
edu_chunk_len(uint64_t left, bool verify)
{
	/* verify reads the destination back into the buffer's second half */
	uint32_t max = verify ? EDU_XFER_MAX / 2 : EDU_XFER_MAX;

	return left < max ? (uint32_t)left : max;
}
