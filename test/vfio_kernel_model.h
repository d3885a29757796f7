/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A model of the kernel's VFIO IOMMU drivers, for tests: it keeps its own
 * list of kernel mappings and answers map/unmap the way the real driver does.
 *   type1 v2: a map overlapping a mapping fails with EEXIST; an unmap whose
 *             start or end bisects a mapping fails with EINVAL; otherwise it
 *             removes every mapping inside the range and reports their size.
 *   sPAPR:    as type1 v2 for map; an unmap may cut mappings (partial).
 *   no-IOMMU: the kernel programs nothing: every call succeeds.
 * It can be told to fail the n-th next call, or to report a wrong size.
 */
#ifndef VFIO_KERNEL_MODEL_H
#define VFIO_KERNEL_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/vfio_map_table.h"

enum kmodel_type { KMODEL_TYPE1V2, KMODEL_SPAPR, KMODEL_NOIOMMU };

struct kmodel_map {
	uint64_t va, iova, len;
};

struct kmodel {
	enum kmodel_type type;
	struct kmodel_map *maps; /* sorted by iova, never overlapping */
	size_t n, cap;
	unsigned int fail_in; /* 0: off; n: the n-th next call fails */
	int fail_errno;	      /* positive */
	bool short_unmap;     /* report one page less than removed */
	uint64_t map_calls, unmap_calls;
};

void kmodel_init(struct kmodel *k, enum kmodel_type type);
void kmodel_fini(struct kmodel *k);
int kmodel_map(struct kmodel *k, uint64_t va, uint64_t iova, uint64_t len);
int kmodel_unmap(struct kmodel *k, uint64_t va, uint64_t iova, uint64_t len, uint64_t *unmapped);
/* Fail the n-th next call (1 = the next one) with -err. */
void kmodel_fail(struct kmodel *k, unsigned int n, int err);
/* A backend for vfio_map_table calling this model. */
struct vfio_dma_backend kmodel_backend(struct kmodel *k);
/* Bytes mapped in [iova, iova + len) by the model (for coverage checks). */
uint64_t kmodel_bytes_mapped(const struct kmodel *k);
/* Index of the mapping containing iova, or -1. */
long kmodel_find(const struct kmodel *k, uint64_t iova);

#endif
