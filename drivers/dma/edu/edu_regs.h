/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * QEMU's edu device (PCI 1234:11e8), BAR0 registers as hw/misc/edu.c and
 * docs/specs/edu.rst define them. Registers below 0x80 take 4-byte accesses
 * only, the DMA registers 4 or 8.
 */
#ifndef EDU_REGS_H
#define EDU_REGS_H

#define EDU_VENDOR_ID 0x1234
#define EDU_DEVICE_ID 0x11e8

#define EDU_REG_IDENT 0x00 /* 0xRRrr00ed: major, minor, 0xed */
#define EDU_IDENT_MAGIC 0xed
#define EDU_REG_IRQ_STATUS 0x24
#define EDU_REG_IRQ_ACK 0x64 /* write the bits to lower */
#define EDU_REG_DMA_SRC 0x80
#define EDU_REG_DMA_DST 0x88
#define EDU_REG_DMA_CNT 0x90
#define EDU_REG_DMA_CMD 0x98
#define EDU_BAR_MIN_SIZE 0x100 /* every register above */

#define EDU_CMD_RUN 0x1	   /* set by the driver, cleared by the device when done */
#define EDU_CMD_TO_RAM 0x2 /* else RAM -> the device's buffer */
#define EDU_CMD_IRQ 0x4	   /* raise EDU_IRQ_DMA when done */
#define EDU_IRQ_DMA 0x100

/* The device's buffer, as addressed in DMA_SRC/DMA_DST. */
#define EDU_BUF_ADDR 0x40000
#define EDU_BUF_SIZE 4096

/*
 * Longest transfer the driver asks for. QEMU 7.2 (Debian 12) treats a
 * transfer that ends at the buffer's last byte as out of bounds and stops
 * the whole VM (hw_error); later releases accept it. One byte less is safe
 * on both.
 */
#define EDU_XFER_MAX (EDU_BUF_SIZE - 1)

/*
 * The device runs a transfer from a timer 100 ms (QEMU virtual clock) after
 * the command is written, one transfer at a time.
 */
#define EDU_XFER_DELAY_MS 100

#endif /* EDU_REGS_H */
