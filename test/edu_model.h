/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A model of QEMU's edu device for the fast suite: a thread that serves the
 * DMA registers of a fake VFIO device's BAR0 (test/vfio_kernel_fake.h) as
 * hw/misc/edu.c does, and moves bytes through the fake kernel's IOMMU (the
 * default container's model): a read of an unmapped IOVA fills the buffer
 * with zeros, a write to one is dropped, as QEMU's IOMMU emulation does.
 * Transfers finish at once (or after delay_us, or never while held), not
 * after edu's 100 ms. A transfer QEMU 7.2 would stop the VM for (a range
 * outside the buffer or ending at its last byte, a zero count) is counted
 * in violations and not run.
 */
#ifndef EDU_MODEL_H
#define EDU_MODEL_H

#include <stdbool.h>
#include <stdint.h>

struct edu_model_stats {
	uint64_t transfers;  /* run */
	uint64_t violations; /* refused: QEMU 7.2 would have stopped */
	uint64_t dropped;    /* bytes written to unmapped IOVAs */
	uint64_t zeroed;     /* bytes read from unmapped IOVAs */
	uint64_t irqs;	     /* interrupts raised */
};

/* Serve every device the fake kernel opens from now on (one at a time). */
void edu_model_install(void);

/* Stop the thread (after dpx_eal_cleanup) and forget the device. */
void edu_model_uninstall(void);

/* Each transfer takes this long from now on (0: at once). */
void edu_model_set_delay(unsigned int delay_us);

/* While held, started transfers never finish. */
void edu_model_hold(bool hold);

/* Counters since install. */
void edu_model_stats(struct edu_model_stats *st);

#endif
