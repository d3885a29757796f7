/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dpx's VFIO code against the real Linux type1 driver: a QEMU guest with an
 * emulated VT-d IOMMU and QEMU's edu device bound to vfio-pci runs this same
 * case (dpx-test copied in). The edu device's DMA engine reads memory through
 * the IOMMU, so every claim about the kernel's mappings is checked by DMA:
 * a mapped IOVA delivers its bytes, an unmapped one never does.
 *
 * On the host the case boots the guest; in the guest (DPX_GUEST_VFIO_BDF set
 * by dpx-guest-run --vfio) it runs the checks.
 */
#include <poll.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <unistd.h>

#include <dpx_malloc.h>
#include <dpx_memory.h>
#include <dpx_vfio.h>

#include "dpx_test.h"
#include "guest_helpers.h"

#define DEF DPX_VFIO_DEFAULT_CONTAINER_FD
#define SYSFS_PCI "/sys/bus/pci/devices"

/* QEMU hw/misc/edu.c registers */
#define EDU_IDENT 0x00
#define EDU_LIVENESS 0x04
#define EDU_IRQ_RAISE 0x60
#define EDU_IRQ_ACK 0x64
#define EDU_DMA_SRC 0x80
#define EDU_DMA_DST 0x88
#define EDU_DMA_CNT 0x90
#define EDU_DMA_CMD 0x98
#define EDU_DMA_START 0x1
#define EDU_DMA_TO_RAM 0x2 /* else RAM -> edu buffer */
#define EDU_BUF 0x40000	   /* the device's 4 KB buffer in its DMA space */

#define IOVA_A 0x100000ULL
#define IOVA_B (IOVA_A + 0x4000)
#define IOVA_R 0x200000ULL
#define BUF_LEN 0x4000
/* QEMU 7.2's edu refuses (hw_error) a DMA that ends exactly at its buffer's end */
#define DMA_LEN 2048

struct edu {
	volatile uint8_t *bar;
	size_t bar_len;
	int fd;
};

static uint32_t
rd32(const struct edu *e, unsigned int off)
{
	return *(volatile uint32_t *)(e->bar + off);
}

static void
wr64(const struct edu *e, unsigned int off, uint64_t v)
{
	*(volatile uint64_t *)(e->bar + off) = v;
}

/* One DMA between RAM (iova) and the edu buffer; 0, or -1 when it never finished. */
static int
edu_dma(const struct edu *e, uint64_t iova, bool to_ram)
{
	wr64(e, EDU_DMA_SRC, to_ram ? EDU_BUF : iova);
	wr64(e, EDU_DMA_DST, to_ram ? iova : EDU_BUF);
	wr64(e, EDU_DMA_CNT, DMA_LEN);
	wr64(e, EDU_DMA_CMD, EDU_DMA_START | (to_ram ? EDU_DMA_TO_RAM : 0));
	/* edu runs the DMA from a timer 100 ms (virtual) later; bound the wait */
	for (int i = 0; i < 20000; i++) {
		if (!(rd32(e, EDU_DMA_CMD) & EDU_DMA_START))
			return 0;
		usleep(500);
	}
	return -1;
}

/*
 * Copy DMA_LEN bytes from src_iova to the page at r (mapped at IOVA_R) through the
 * device. r and the device's buffer are cleared first so that stale bytes
 * cannot pass for a copy when the read from src_iova faults.
 */
static int
dma_copy(const struct edu *e, uint64_t src_iova, uint8_t *r)
{
	memset(r, 0, 4096);
	if (edu_dma(e, IOVA_R, false) != 0 || edu_dma(e, src_iova, false) != 0 ||
	    edu_dma(e, IOVA_R, true) != 0)
		return -1;
	return 0;
}

/* PCI_COMMAND bus master: edu's DMA is dropped without it. */
static int
enable_bus_master(int device_fd)
{
	struct vfio_region_info cfg;
	uint16_t cmd;

	if (dpx_vfio_get_region_info(device_fd, VFIO_PCI_CONFIG_REGION_INDEX, &cfg) != 0)
		return -1;
	if (pread(device_fd, &cmd, 2, (off_t)cfg.offset + 4) != 2)
		return -1;
	cmd |= 0x4;
	return pwrite(device_fd, &cmd, 2, (off_t)cfg.offset + 4) == 2 ? 0 : -1;
}

static void
fill(uint8_t *p, size_t len, uint8_t seed)
{
	for (size_t i = 0; i < len; i++)
		p[i] = (uint8_t)(seed + i * 7);
}

static int
open_edu(const char *bdf, struct edu *e, struct vfio_device_info *info)
{
	DPX_TEST_ASSERT_EQUAL(dpx_vfio_setup_device(SYSFS_PCI, bdf, &e->fd, info), 0, "%s", bdf);
	e->bar = dpx_vfio_map_region(e->fd, VFIO_PCI_BAR0_REGION_INDEX, &e->bar_len);
	DPX_TEST_ASSERT(e->bar != NULL, "BAR0 mmap: %s", dpx_strerror(dpx_errno));
	DPX_TEST_ASSERT_EQUAL(rd32(e, EDU_IDENT) & 0xff, 0xed, "edu ident 0x%x",
			      rd32(e, EDU_IDENT));
	*(volatile uint32_t *)(e->bar + EDU_LIVENESS) = 0x12345678;
	DPX_TEST_ASSERT_EQUAL(rd32(e, EDU_LIVENESS), (uint32_t)~0x12345678u, "liveness");
	DPX_TEST_ASSERT_EQUAL(enable_bus_master(e->fd), 0, "bus master");
	return DPX_TEST_SUCCESS;
}

static void
close_edu(const char *bdf, struct edu *e)
{
	dpx_vfio_unmap_region((void *)(uintptr_t)e->bar, e->bar_len);
	dpx_vfio_release_device(SYSFS_PCI, bdf, e->fd);
}

/* Early maps, replay, seed case, the partial-unmap refusal: all seen by DMA. */
static int
guest_table_checks(const struct edu *e, uint8_t *a, uint8_t *b, uint8_t *r)
{
	DPX_TEST_ASSERT_EQUAL(dma_copy(e, IOVA_A, r), 0, "DMA from A");
	DPX_TEST_ASSERT(memcmp(r, a, DMA_LEN) == 0, "A was replayed into the kernel");
	DPX_TEST_ASSERT_EQUAL(dma_copy(e, IOVA_B + 0x1000, r), 0, "");
	DPX_TEST_ASSERT(memcmp(r, b + 0x1000, DMA_LEN) == 0, "B was replayed into the kernel");

	/* seed case: A and B adjacent, unmap A, then B */
	DPX_TEST_ASSERT_EQUAL(dpx_vfio_container_dma_unmap(DEF, (uintptr_t)a, IOVA_A, BUF_LEN), 0,
			      "unmap A");
	DPX_TEST_ASSERT_EQUAL(dma_copy(e, IOVA_A, r), 0, "");
	DPX_TEST_ASSERT(memcmp(r, a, DMA_LEN) != 0, "the device still reads A after its unmap");
	DPX_TEST_ASSERT_EQUAL(dma_copy(e, IOVA_B, r), 0, "");
	DPX_TEST_ASSERT(memcmp(r, b, DMA_LEN) == 0, "B went with A");
	DPX_TEST_ASSERT_EQUAL(dpx_vfio_container_dma_unmap(DEF, (uintptr_t)b, IOVA_B, BUF_LEN), 0,
			      "unmap B");
	DPX_TEST_ASSERT_EQUAL(dma_copy(e, IOVA_B, r), 0, "");
	DPX_TEST_ASSERT(memcmp(r, b, DMA_LEN) != 0, "the device still reads B after its unmap");

	/* one 16 KB mapping: a 4 KB hole in it is refused and the mapping stays whole */
	DPX_TEST_ASSERT_EQUAL(dpx_vfio_container_dma_map(DEF, (uintptr_t)a, IOVA_A, BUF_LEN), 0,
			      "");
	DPX_TEST_ASSERT_EQUAL(
		dpx_vfio_container_dma_unmap(DEF, (uintptr_t)a + 0x1000, IOVA_A + 0x1000, 0x1000),
		-ENOTSUP, "");
	DPX_TEST_ASSERT_EQUAL(dma_copy(e, IOVA_A + 0x1000, r), 0, "");
	DPX_TEST_ASSERT(memcmp(r, a + 0x1000, DMA_LEN) == 0, "refused unmap changed the kernel");
	DPX_TEST_ASSERT_EQUAL(dpx_vfio_container_dma_unmap(DEF, (uintptr_t)a, IOVA_A, BUF_LEN), 0,
			      "");
	return DPX_TEST_SUCCESS;
}

/* Whether a container's table covers iova (from its dump). */
static int
table_covers(int container_fd, uint64_t iova)
{
	char *buf = NULL, *line;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	int found = 0;

	dpx_vfio_container_dump(f, container_fd);
	fclose(f);
	for (line = strstr(buf, "iova 0x"); line != NULL; line = strstr(line + 1, "iova 0x")) {
		unsigned long long lo, hi;
		if (sscanf(line, "iova 0x%llx-0x%llx", &lo, &hi) == 2 && iova >= lo && iova < hi)
			found = 1;
	}
	free(buf);
	return found;
}

/* The heap grows: its pages reach the device (in container c); it shrinks: they stop. */
static int
guest_hotplug_checks(const struct edu *e, int c, uint8_t *r)
{
	const size_t big = 16u << 20;
	uint8_t *p = dpx_malloc("vfio-guest", big, 0);
	uint64_t mid_iova, mid_va;

	DPX_TEST_ASSERT(p != NULL, "dpx_malloc %zu", big);
	mid_va = (uintptr_t)p + big / 2;
	mid_iova = dpx_malloc_virt2iova((void *)(uintptr_t)mid_va);
	DPX_TEST_ASSERT(mid_iova != DPX_BAD_IOVA, "");
	fill((uint8_t *)(uintptr_t)mid_va, 4096, 0x3c);
	DPX_TEST_ASSERT(table_covers(c, mid_iova), "new heap page not in the table");
	DPX_TEST_ASSERT_EQUAL(dma_copy(e, mid_iova, r), 0, "");
	DPX_TEST_ASSERT(memcmp(r, (void *)(uintptr_t)mid_va, DMA_LEN) == 0,
			"the device cannot read a new heap page at iova 0x%" PRIx64, mid_iova);
	uint8_t copy[4096];
	memcpy(copy, (void *)(uintptr_t)mid_va, sizeof(copy));
	dpx_free(p);
	DPX_TEST_ASSERT(!table_covers(c, mid_iova), "a released heap page stays in the table");
	DPX_TEST_ASSERT_EQUAL(dma_copy(e, mid_iova, r), 0, "");
	DPX_TEST_ASSERT(memcmp(r, copy, DMA_LEN) != 0, "the device still reads a released page");
	return DPX_TEST_SUCCESS;
}

/* INTx on an eventfd: edu raises it on request. */
static int
guest_irq_checks(const struct edu *e)
{
	int efd = eventfd(0, EFD_CLOEXEC);
	struct pollfd pfd = {.fd = efd, .events = POLLIN};
	uint64_t n;

	DPX_TEST_ASSERT(efd >= 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_vfio_irq_enable(e->fd, VFIO_PCI_INTX_IRQ_INDEX, &efd, 1), 0, "");
	*(volatile uint32_t *)(e->bar + EDU_IRQ_RAISE) = 1;
	DPX_TEST_ASSERT_EQUAL(poll(&pfd, 1, 10000), 1, "no interrupt on the eventfd");
	DPX_TEST_ASSERT_EQUAL(read(efd, &n, sizeof(n)), (long)sizeof(n), "");
	*(volatile uint32_t *)(e->bar + EDU_IRQ_ACK) = 1;
	DPX_TEST_ASSERT_EQUAL(dpx_vfio_irq_unmask(e->fd, VFIO_PCI_INTX_IRQ_INDEX), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_vfio_irq_disable(e->fd, VFIO_PCI_INTX_IRQ_INDEX), 0, "");
	close(efd);
	return DPX_TEST_SUCCESS;
}

/*
 * The device in a user container: a heap page allocated before the container
 * was created is replayed on its first group, and the heap's growth and
 * shrinking reach the device through this container's mappings.
 */
static int
guest_user_container_checks(const char *bdf, uint8_t *r)
{
	uint8_t *old = dpx_malloc("vfio-guest", 4096, 4096);
	struct vfio_device_info info;
	uint64_t old_iova;
	struct edu e;
	int c, group;

	DPX_TEST_ASSERT(old != NULL, "");
	fill(old, 4096, 0x42);
	old_iova = dpx_malloc_virt2iova(old);
	DPX_TEST_ASSERT_EQUAL(dpx_vfio_get_group_num(SYSFS_PCI, bdf, &group), 0, "");
	c = dpx_vfio_container_create();
	DPX_TEST_ASSERT(c >= 0, "container create: %d", c);
	DPX_TEST_ASSERT(table_covers(c, old_iova), "a new container lacks an existing heap page");
	DPX_TEST_ASSERT_EQUAL(dpx_vfio_container_dma_map(c, (uintptr_t)r, IOVA_R, 4096), 0, "");
	DPX_TEST_ASSERT(dpx_vfio_container_group_bind(c, group) >= 0, "");
	DPX_TEST_RUN(open_edu(bdf, &e, &info));
	DPX_TEST_ASSERT(dpx_vfio_container_iommu_type(DEF) == NULL, "edu went to the default");
	DPX_TEST_ASSERT_EQUAL(dma_copy(&e, old_iova, r), 0, "");
	DPX_TEST_ASSERT(memcmp(r, old, DMA_LEN) == 0,
			"the user container did not replay an existing heap page");
	DPX_TEST_RUN(guest_hotplug_checks(&e, c, r));
	close_edu(bdf, &e);
	dpx_free(old);
	DPX_TEST_ASSERT_EQUAL(dpx_vfio_container_destroy(c), 0, "");
	return DPX_TEST_SUCCESS;
}

static int
guest_inner(const char *bdf)
{
	struct vfio_device_info info;
	struct edu e;
	uint8_t *a, *b, *r;

	/* --no-pci: this case opens edu itself; the PCI bus would probe it for dma_edu */
	DPX_TEST_ASSERT(dpx_test_eal_init("--no-huge", "--in-memory", "--no-pci", NULL) > 0,
			"init");
	DPX_TEST_ASSERT_EQUAL(dpx_vfio_is_enabled(), 1, "no VFIO in the guest");
	a = mmap(NULL, 2 * BUF_LEN + 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1,
		 0);
	DPX_TEST_ASSERT(a != MAP_FAILED, "");
	b = a + BUF_LEN;
	r = b + BUF_LEN;
	fill(a, BUF_LEN, 0xa5);
	fill(b, BUF_LEN, 0x5b);
	/* before any group: recorded, replayed when the device's group binds */
	DPX_TEST_ASSERT_EQUAL(dpx_vfio_container_dma_map(DEF, (uintptr_t)a, IOVA_A, BUF_LEN), 0,
			      "");
	DPX_TEST_ASSERT_EQUAL(dpx_vfio_container_dma_map(DEF, (uintptr_t)b, IOVA_B, BUF_LEN), 0,
			      "");
	DPX_TEST_ASSERT_EQUAL(dpx_vfio_container_dma_map(DEF, (uintptr_t)r, IOVA_R, 4096), 0, "");
	DPX_TEST_ASSERT(dpx_vfio_container_iommu_type(DEF) == NULL, "");
	DPX_TEST_RUN(open_edu(bdf, &e, &info));
	DPX_TEST_ASSERT(strcmp(dpx_vfio_container_iommu_type(DEF), "Type 1 v2") == 0, "%s",
			dpx_vfio_container_iommu_type(DEF));
	DPX_TEST_RUN(guest_table_checks(&e, a, b, r));
	DPX_TEST_RUN(guest_hotplug_checks(&e, DEF, r));
	DPX_TEST_RUN(guest_irq_checks(&e));
	/* the last device goes: the kernel drops the IOMMU; the next bind replays R */
	close_edu(bdf, &e);
	DPX_TEST_ASSERT(dpx_vfio_container_iommu_type(DEF) == NULL, "group still bound");
	DPX_TEST_RUN(open_edu(bdf, &e, &info));
	fill(a, 4096, 0x77);
	DPX_TEST_ASSERT_EQUAL(dpx_vfio_container_dma_map(DEF, (uintptr_t)a, IOVA_A, 4096), 0, "");
	DPX_TEST_ASSERT_EQUAL(dma_copy(&e, IOVA_A, r), 0, "");
	DPX_TEST_ASSERT(memcmp(r, a, DMA_LEN) == 0, "R was not replayed on the second bind");
	close_edu(bdf, &e);
	DPX_TEST_RUN(guest_user_container_checks(bdf, r));
	munmap(a, 2 * BUF_LEN + 4096);
	DPX_TEST_ASSERT_EQUAL(dpx_eal_cleanup(), 0, "");
	return DPX_TEST_SUCCESS;
}

static int
test_vfio_guest_type1(void)
{
	const char *bdf = getenv("DPX_GUEST_VFIO_BDF");

	if (bdf != NULL)
		return guest_inner(bdf);
	return dpx_test_guest_case("vfio_guest_type1", "--vfio --timeout 600");
}
DPX_TEST_REGISTER(vfio_guest_type1, guest, test_vfio_guest_type1);
