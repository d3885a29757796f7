/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A DMA engine for tests whose jobs run only when the test says so: while
 * held, submitted jobs wait (in flight for as long as the test wants, or
 * forever: an engine that hangs); dma_fake_run() runs some of them from the
 * test's thread; released, the next completed call runs every submitted job
 * first (so the vhost thread's drain completes them). A job can be made to
 * fail, writing nothing. IOVAs are virtual addresses (DPX_DMA_CAPA_SVA).
 * One vchan; one device at a time.
 */
#ifndef DMA_FAKE_H
#define DMA_FAKE_H

#include <stdbool.h>
#include <stdint.h>

/* Make, configure (one vchan of ring slots) and start "dma_fake0". @return its id or -errno. */
int dma_fake_create(uint16_t ring);
/* Stop and close it (every job still held runs first, as dpx_dma_stop says). */
int dma_fake_destroy(int16_t id);
/* While held, submitted jobs wait; released, completed() runs them all first. */
void dma_fake_hold(bool hold);
/* Run up to n submitted jobs, oldest first. @return how many ran. */
unsigned int dma_fake_run(unsigned int n);
/* Jobs submitted and not yet run. */
unsigned int dma_fake_pending(void);
/* The job enqueued with this index fails (INVALID_DST_ADDR) and writes nothing. */
void dma_fake_fail(uint16_t job);
/* Jobs run so far (successful or not) since create. */
uint64_t dma_fake_ran(void);

#endif
