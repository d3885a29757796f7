/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * dma_sw, the software DMA engine (doc/dmadev.md): what only it can do.
 *
 * By default a dma_sw engine takes IOVAs as virtual addresses of the process
 * (DPX_DMA_CAPA_SVA). Bound to a VFIO container it behaves like a device
 * behind that container's IOMMU (DPX_DMA_CAPA_IOMMU): only IOVAs mapped in
 * the container reach memory, translated to the VAs they were mapped from,
 * and a job touching anything else completes with
 * DPX_DMA_STATUS_INVALID_SRC_ADDR or _DST_ADDR and writes nothing.
 * dpx_dma_container_get() then returns the container.
 *
 * Guarantee on unmap: once dpx_vfio_container_dma_unmap() (or a memory
 * event's unmap) has returned, the engine is not copying through the
 * removed mapping, and no job it runs afterwards can reach it (jobs
 * submitted before and not yet run fail if they touch it).
 */
#ifndef DPX_DMA_SW_H
#define DPX_DMA_SW_H

#include <stdint.h>

/**
 * Bind a stopped dma_sw device to a VFIO container's mapping table (the
 * default one is DPX_VFIO_DEFAULT_CONTAINER_FD), replacing an earlier
 * binding. Holds until unbind or close; if the container is destroyed first,
 * every job faults.
 * @return 0, or -ENODEV (no such device, or not a dma_sw device, or VFIO
 *   unavailable), -EBUSY (started), -EINVAL (unknown container), -ENOSPC
 *   (the container has the most listeners it takes).
 */
int dpx_dma_sw_bind_container(int16_t dev_id, int container_fd);

/**
 * Back to IOVA-as-VA: forget the container.
 * @return 0 (also when not bound), or -ENODEV (not a dma_sw device),
 *   -EBUSY (started).
 */
int dpx_dma_sw_unbind_container(int16_t dev_id);

#endif /* DPX_DMA_SW_H */
