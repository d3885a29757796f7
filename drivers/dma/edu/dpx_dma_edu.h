/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * The edu DMA driver's own call (doc/dmadev.md, "edu"). Its devices are
 * named by their PCI address ("0000:00:03.0") and probed by the PCI bus:
 *     -a 0000:00:03.0,dma_bits=48[,irq=1][,verify=1][,iova_check=0][,timeout_ms=N]
 */
#ifndef DPX_DMA_EDU_H
#define DPX_DMA_EDU_H

#include <stdint.h>

/**
 * The eventfd an edu device probed with irq=1 signals when a transfer ends:
 * wait for POLLIN on it (poll, epoll), then call dpx_dma_completed() or
 * dpx_dma_completed_status(), which read it and move the jobs on.
 * @return the fd (>= 0), or -ENODEV (no such device, or not an edu device),
 *   -ENOTSUP (the device polls its status register: irq=0).
 */
int dpx_dma_edu_intr_fd(int16_t dev_id);

#endif /* DPX_DMA_EDU_H */
