/* SPDX-License-Identifier: BSD-3-Clause */
/* A model of QEMU's edu device on the fake VFIO kernel (see edu_model.h). */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../drivers/dma/edu/edu_regs.h"
#include "edu_model.h"
#include "vfio_kernel_fake.h"

static struct {
	pthread_t thread;
	bool running, stop, hold;
	unsigned int delay_us;
	volatile uint8_t *bar;
	uint8_t buf[EDU_BUF_SIZE];
	struct edu_model_stats st;
} m;

static uint64_t
reg64(unsigned int off)
{
	return __atomic_load_n((volatile uint64_t *)(m.bar + off), __ATOMIC_ACQUIRE);
}

/* Move len bytes between the buffer and IOVA space through the IOMMU model. */
static void
iommu_copy(uint64_t iova, uint8_t *buf, uint64_t len, bool to_ram)
{
	kfake_lock();
	struct kmodel *k = kfake_default_model();
	while (len > 0) {
		long i = k != NULL ? kmodel_find(k, iova) : -1;
		uint64_t n = len;
		if (i >= 0) {
			const struct kmodel_map *map = &k->maps[i];
			n = len < map->iova + map->len - iova ? len : map->iova + map->len - iova;
			uint8_t *va = (uint8_t *)(uintptr_t)(map->va + (iova - map->iova));
			if (to_ram)
				memcpy(va, buf, n);
			else
				memcpy(buf, va, n);
		} else {
			/* up to the next mapping, if any starts inside the range */
			for (size_t j = 0; k != NULL && j < k->n; j++)
				if (k->maps[j].iova > iova && k->maps[j].iova - iova < n)
					n = k->maps[j].iova - iova;
			if (to_ram) {
				m.st.dropped += n;
			} else {
				memset(buf, 0, n);
				m.st.zeroed += n;
			}
		}
		iova += n;
		buf += n;
		len -= n;
	}
	kfake_unlock();
}

/* QEMU 7.2's check: [addr, addr + cnt) inside the buffer, not ending at its end. */
static bool
range_ok(uint64_t addr, uint64_t cnt)
{
	uint64_t end = addr + cnt, buf_end = EDU_BUF_ADDR + EDU_BUF_SIZE;

	return addr >= EDU_BUF_ADDR && addr < buf_end && end > addr && end < buf_end;
}

static void
run_transfer(uint64_t cmd)
{
	uint64_t src = reg64(EDU_REG_DMA_SRC), dst = reg64(EDU_REG_DMA_DST);
	uint64_t cnt = reg64(EDU_REG_DMA_CNT);
	bool to_ram = cmd & EDU_CMD_TO_RAM;
	uint64_t off = to_ram ? src : dst;

	if (!range_ok(off, cnt)) {
		m.st.violations++;
		fprintf(stderr, "edu model: transfer 0x%lx -> 0x%lx count %lu refused\n",
			(unsigned long)src, (unsigned long)dst, (unsigned long)cnt);
	} else if (to_ram) {
		iommu_copy(dst, m.buf + (off - EDU_BUF_ADDR), cnt, true);
	} else {
		iommu_copy(src, m.buf + (off - EDU_BUF_ADDR), cnt, false);
	}
	m.st.transfers++;
	/* RELEASE: the bytes moved before the driver sees the end (its ACQUIRE load) */
	__atomic_store_n((volatile uint64_t *)(m.bar + EDU_REG_DMA_CMD), cmd & ~EDU_CMD_RUN,
			 __ATOMIC_RELEASE);
	if (cmd & EDU_CMD_IRQ) {
		uint64_t one = 1;
		*(volatile uint32_t *)(m.bar + EDU_REG_IRQ_STATUS) |= EDU_IRQ_DMA;
		m.st.irqs++;
		if (kfake.irq_fd >= 0 && write(kfake.irq_fd, &one, sizeof(one)) != sizeof(one))
			fprintf(stderr, "edu model: cannot signal the interrupt\n");
	}
}

static void *
model_thread(void *arg)
{
	(void)arg;
	while (!__atomic_load_n(&m.stop, __ATOMIC_ACQUIRE)) {
		uint64_t cmd = reg64(EDU_REG_DMA_CMD);
		uint32_t ack = *(volatile uint32_t *)(m.bar + EDU_REG_IRQ_ACK);

		if (ack != 0) {
			*(volatile uint32_t *)(m.bar + EDU_REG_IRQ_STATUS) &= ~ack;
			*(volatile uint32_t *)(m.bar + EDU_REG_IRQ_ACK) = 0;
		}
		if (!(cmd & EDU_CMD_RUN) || __atomic_load_n(&m.hold, __ATOMIC_ACQUIRE)) {
			usleep(20);
			continue;
		}
		if (m.delay_us != 0)
			usleep(m.delay_us);
		run_transfer(cmd);
	}
	return NULL;
}

static void
device_opened(int fd)
{
	void *bar =
		mmap(NULL, EDU_BUF_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, KFAKE_BAR0_OFFSET);

	if (bar == MAP_FAILED || m.running) {
		fprintf(stderr, "edu model: cannot serve device fd %d\n", fd);
		return;
	}
	m.bar = bar;
	memset(bar, 0, EDU_BUF_SIZE);
	*(volatile uint32_t *)(m.bar + EDU_REG_IDENT) = 0x010000ed;
	m.stop = false;
	m.running = pthread_create(&m.thread, NULL, model_thread, NULL) == 0;
}

void
edu_model_install(void)
{
	memset(&m.st, 0, sizeof(m.st));
	m.delay_us = 0;
	m.hold = false;
	kfake.device_opened = device_opened;
}

void
edu_model_uninstall(void)
{
	kfake.device_opened = NULL;
	if (m.running) {
		__atomic_store_n(&m.stop, true, __ATOMIC_RELEASE);
		pthread_join(m.thread, NULL);
		m.running = false;
	}
	if (m.bar != NULL)
		munmap((void *)(uintptr_t)m.bar, EDU_BUF_SIZE);
	m.bar = NULL;
}

void
edu_model_set_delay(unsigned int delay_us)
{
	m.delay_us = delay_us;
}

void
edu_model_hold(bool hold)
{
	__atomic_store_n(&m.hold, hold, __ATOMIC_RELEASE);
}

void
edu_model_stats(struct edu_model_stats *st)
{
	*st = m.st;
}
