/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dma_edu in the fast suite: the pure helpers against references, and the
 * whole driver (probed by the PCI bus from a fake sysfs tree, through the
 * fake VFIO kernel) serving a model of the edu device (test/edu_model.c)
 * whose DMA goes through the fake kernel's IOMMU model: byte-exact copies
 * of every size, chunking, job indices and ring limits, statuses for what
 * the IOMMU would refuse, verify catching a dropped write, interrupts,
 * stop with jobs in flight, a hung device.
 * The guest case (dma_edu_guest) runs the driver against QEMU's own edu
 * device behind an emulated VT-d, bound to the real vfio-pci, inside a
 * guest (dpx-test copied in): the bus finds it with -a, heap copies land
 * byte-exact, a copy to an unmapped IOVA does not arrive (and what the
 * driver reports in each mode), an unmapped region stops receiving while
 * its neighbour still does; with polling and with MSI.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <dpx_bus_pci.h>
#include <dpx_dma_edu.h>
#include <dpx_dmadev.h>
#include <dpx_malloc.h>
#include <dpx_vfio.h>

#include "../drivers/dma/edu/edu_private.h"
#include "../drivers/dma/edu/edu_regs.h"
#include "dpx_test.h"
#include "edu_model.h"
#include "guest_helpers.h"
#include "pci_fake_sysfs.h"

#define EDU_BDF "0000:00:03.0"
#define DEF DPX_VFIO_DEFAULT_CONTAINER_FD

/* ---- chunks ---- */

static int
test_dma_edu_chunk_len(void)
{
	/* the buffer's last byte is never part of a transfer (QEMU 7.2) */
	DPX_TEST_ASSERT_EQUAL(edu_chunk_len(100000, false), EDU_BUF_SIZE - 1, "");
	DPX_TEST_ASSERT(2 * edu_chunk_len(100000, true) < EDU_BUF_SIZE, "");
	DPX_TEST_ASSERT_EQUAL(edu_chunk_len(7, true), 7, "");
	DPX_TEST_ASSERT_EQUAL(edu_chunk_len(0, false), 0, "");
	return DPX_TEST_SUCCESS;
}
DPX_TEST_REGISTER(dma_edu_chunk_len, fast, test_dma_edu_chunk_len);

/* ---- the driver on the model ---- */

static const struct pci_fake_dev edu_fake = {EDU_BDF,	 "0x1234", "0x11e8", "0x00ff00",
					     "vfio-pci", 11,	   "-1"};

/* A buffer at a chosen IOVA below 2^28, with unmapped neighbours. */
#define IOVA_A 0x100000ULL
#define IOVA_HOLE (IOVA_A + 0x10000)
#define A_LEN 0x10000
#define H_LEN 0x4000

struct edu_env {
	char root[256];
	int16_t dev;
	int fds;
	uint8_t *a; /* A_LEN bytes mapped at IOVA_A while a_mapped */
	bool a_mapped;
	uint8_t *h; /* H_LEN bytes of heap, at hiova */
	uint64_t hiova;
};

/* Probe the model with these devargs and start one vchan of nb_desc slots. */
static int
env_up(struct edu_env *e, const char *devargs, uint16_t nb_desc)
{
	struct dpx_dma_vchan_conf vc = {.direction = DPX_DMA_DIR_MEM_TO_MEM, .nb_desc = nb_desc};
	struct dpx_dma_conf conf = {.nb_vchans = 1};
	char arg[256];
	int id;

	e->fds = dpx_test_count_fds();
	DPX_TEST_ASSERT_EQUAL(pci_fake_sysfs_create(e->root, sizeof(e->root)), 0, "");
	DPX_TEST_ASSERT_EQUAL(pci_fake_sysfs_add(e->root, &edu_fake), 0, "");
	edu_model_install();
	snprintf(arg, sizeof(arg), "%s,%s", EDU_BDF, devargs);
	DPX_TEST_ASSERT(pci_fake_eal_init(e->root, "-a", arg, NULL) > 0, "init with -a %s", arg);
	id = dpx_dma_get_dev_id_by_name(EDU_BDF);
	DPX_TEST_ASSERT(id >= 0, "no dmadev named %s: %d", EDU_BDF, id);
	e->dev = (int16_t)id;
	DPX_TEST_ASSERT_EQUAL(dpx_dma_configure(e->dev, &conf), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_dma_vchan_setup(e->dev, 0, &vc), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_dma_start(e->dev), 0, "");
	e->a = mmap(NULL, A_LEN, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	DPX_TEST_ASSERT(e->a != MAP_FAILED, "");
	DPX_TEST_ASSERT_EQUAL(dpx_vfio_container_dma_map(DEF, (uintptr_t)e->a, IOVA_A, A_LEN), 0,
			      "");
	e->a_mapped = true;
	e->h = dpx_malloc("t", H_LEN, 64);
	DPX_TEST_ASSERT(e->h != NULL, "");
	e->hiova = dpx_malloc_virt2iova(e->h);
	return DPX_TEST_SUCCESS;
}

static int
env_down(struct edu_env *e)
{
	struct edu_model_stats st;

	if (e->a_mapped)
		DPX_TEST_ASSERT_EQUAL(
			dpx_vfio_container_dma_unmap(DEF, (uintptr_t)e->a, IOVA_A, A_LEN), 0, "");
	munmap(e->a, A_LEN);
	dpx_free(e->h);
	DPX_TEST_RUN(pci_fake_eal_fini());
	edu_model_stats(&st);
	edu_model_uninstall();
	pci_fake_sysfs_remove(e->root);
	DPX_TEST_ASSERT_EQUAL(st.violations, 0, "a transfer QEMU 7.2 would stop the VM for");
	DPX_TEST_ASSERT_EQUAL(dpx_test_count_fds(), e->fds, "fds leaked");
	return DPX_TEST_SUCCESS;
}

/* Collect every completion until n jobs are reported; statuses into st (may be NULL). */
static int
collect(int16_t dev, unsigned int n, enum dpx_dma_status_code *st, uint16_t *last)
{
	enum dpx_dma_status_code tmp[64];
	unsigned int got = 0;

	for (unsigned long spins = 0; got < n; spins++) {
		uint16_t k = dpx_dma_completed_status(dev, 0, (uint16_t)DPX_MIN(n - got, 64u), last,
						      tmp);
		if (st != NULL)
			memcpy(st + got, tmp, k * sizeof(*tmp));
		got += k;
		DPX_TEST_ASSERT(spins < 200000000UL, "only %u of %u jobs completed", got, n);
	}
	return DPX_TEST_SUCCESS;
}

static void
fill(uint8_t *p, size_t len, uint64_t *seed)
{
	for (size_t i = 0; i < len; i++)
		p[i] = (uint8_t)dpx_test_rand(seed);
}

/* Random copies between heap buffers, in bursts up to the ring's capacity. */
static int
random_copies(int16_t dev, uint16_t nb_desc, uint16_t first, unsigned int jobs, uint64_t *seed)
{
	const size_t len = 64 * 1024;
	uint8_t *src = dpx_malloc("t", len, 64), *dst = dpx_malloc("t", len, 64);
	uint8_t *ref = malloc(len);
	unsigned int done = 0;

	DPX_TEST_ASSERT(src != NULL && dst != NULL && ref != NULL, "");
	fill(src, len, seed);
	fill(dst, len, seed);
	memcpy(ref, dst, len);
	while (done < jobs) {
		uint16_t cap = dpx_dma_burst_capacity(dev, 0), burst = 0, last;
		DPX_TEST_ASSERT_EQUAL(cap, nb_desc, "an empty ring");
		/* small and large (several chunks), any offset: the copies never overlap */
		for (size_t at = 0; burst < cap && done + burst < jobs; burst++) {
			size_t n =
				1 + dpx_test_rand(seed) % (dpx_test_rand(seed) % 4 ? 300 : 12000);
			if (at + n > len)
				break;
			size_t s = dpx_test_rand(seed) % (len - n);
			int idx = dpx_dma_copy(dev, 0, dpx_malloc_virt2iova(src + s),
					       dpx_malloc_virt2iova(dst + at), (uint32_t)n, 0);
			DPX_TEST_ASSERT_EQUAL(idx, (uint16_t)(first + done + burst), "job index");
			memcpy(ref + at, src + s, n);
			at += n + dpx_test_rand(seed) % 64;
		}
		if (burst == cap)
			DPX_TEST_ASSERT_EQUAL(dpx_dma_copy(dev, 0, 0, 0, 1, 0), -ENOSPC,
					      "full ring");
		DPX_TEST_ASSERT_EQUAL(dpx_dma_burst_capacity(dev, 0), cap - burst, "");
		DPX_TEST_ASSERT_EQUAL(dpx_dma_submit(dev, 0), 0, "");
		unsigned int got = 0;
		bool err = false;
		while (got < burst) {
			got += dpx_dma_completed(dev, 0, burst, &last, &err);
			DPX_TEST_ASSERT(!err, "a copy failed");
		}
		DPX_TEST_ASSERT_EQUAL(last, (uint16_t)(first + done + burst - 1), "last index");
		DPX_TEST_ASSERT(memcmp(dst, ref, len) == 0, "bytes differ after job %u", done);
		done += burst;
	}
	dpx_free(src);
	dpx_free(dst);
	free(ref);
	return DPX_TEST_SUCCESS;
}

static int
test_dma_edu_copy(void)
{
	struct edu_model_stats before, after;
	struct dpx_dma_stats st;
	struct dpx_dma_info info;
	struct edu_env e;
	uint64_t seed = 0xed0c0ffee;
	int container;

	DPX_TEST_RUN(env_up(&e, "dma_bits=48", 16));
	DPX_TEST_ASSERT_EQUAL(dpx_dma_info_get(e.dev, &info), 0, "");
	DPX_TEST_ASSERT(strcmp(info.driver_name, "dma_edu") == 0, "");
	DPX_TEST_ASSERT(info.dev_capa & DPX_DMA_CAPA_IOMMU, "");
	DPX_TEST_ASSERT_EQUAL(info.max_vchans, 1, "one DMA engine");
	DPX_TEST_ASSERT_EQUAL(dpx_dma_container_get(e.dev, &container), 0, "");
	DPX_TEST_ASSERT_EQUAL(container, DEF, "");
	DPX_TEST_ASSERT_EQUAL(dpx_dma_edu_intr_fd(e.dev), -ENOTSUP, "polling");
	edu_model_stats(&before);
	DPX_TEST_RUN(random_copies(e.dev, 16, 0, 400, &seed));
	edu_model_stats(&after);
	DPX_TEST_ASSERT_EQUAL(dpx_dma_stats_get(e.dev, 0, &st), 0, "");
	DPX_TEST_ASSERT(st.submitted == 400 && st.completed == 400 && st.errors == 0,
			"%" PRIu64 " %" PRIu64 " %" PRIu64, st.submitted, st.completed, st.errors);
	DPX_TEST_ASSERT(after.transfers - before.transfers >= 800, "two transfers per chunk");
	DPX_TEST_ASSERT_EQUAL(after.zeroed + after.dropped, 0, "the IOMMU refused nothing");
	DPX_TEST_RUN(env_down(&e));
	return DPX_TEST_SUCCESS;
}
DPX_TEST_REGISTER(dma_edu_copy, fast, test_dma_edu_copy);

/* Job indices wrap at 65536 (zero-length jobs reach no device); the ring keeps working. */
static int
test_dma_edu_wrap(void)
{
	struct edu_env e;
	uint64_t seed = 0x77;
	uint16_t last;

	DPX_TEST_RUN(env_up(&e, "dma_bits=48", 64));
	unsigned int i;

	for (i = 0; i < 65536 + 40; i += 64) {
		for (unsigned int k = 0; k < 64; k++)
			DPX_TEST_ASSERT_EQUAL(dpx_dma_copy(e.dev, 0, 0, 0, 0, 0), (uint16_t)(i + k),
					      "");
		dpx_dma_submit(e.dev, 0);
		DPX_TEST_ASSERT_EQUAL(dpx_dma_completed(e.dev, 0, 64, &last, NULL), 64, "");
		DPX_TEST_ASSERT_EQUAL(last, (uint16_t)(i + 63), "");
	}
	DPX_TEST_RUN(random_copies(e.dev, 64, (uint16_t)i, 100, &seed));
	DPX_TEST_RUN(env_down(&e));
	return DPX_TEST_SUCCESS;
}
DPX_TEST_REGISTER(dma_edu_wrap, fast, test_dma_edu_wrap);

/* One job; its status. */
static int
one_job(int16_t dev, uint64_t src, uint64_t dst, uint32_t len, enum dpx_dma_status_code *st)
{
	uint16_t last;

	DPX_TEST_ASSERT(dpx_dma_copy(dev, 0, src, dst, len, DPX_DMA_OP_FLAG_SUBMIT) >= 0, "");
	return collect(dev, 1, st, &last);
}

/* iova_check: a job outside the container's mappings fails whole and writes nothing. */
static int
test_dma_edu_iova_check(void)
{
	enum dpx_dma_status_code st[4];
	struct dpx_dma_stats ds;
	struct edu_model_stats ms;
	struct edu_env e;
	uint8_t *a, *h;
	uint64_t hiova;
	uint16_t last;
	bool err = false;

	DPX_TEST_RUN(env_up(&e, "dma_bits=48", 8));
	a = e.a;
	h = e.h;
	hiova = e.hiova;
	memset(a, 0x11, A_LEN);
	memset(h, 0x22, H_LEN);
	/* dst ends past A: refused before a byte moves (the first 0xff00 would fit) */
	DPX_TEST_RUN(one_job(e.dev, hiova, IOVA_A + 0x100, 0x10000, st));
	DPX_TEST_ASSERT_EQUAL(st[0], DPX_DMA_STATUS_INVALID_DST_ADDR, "");
	DPX_TEST_ASSERT(a[0x100] == 0x11 && a[0xffff] == 0x11, "a refused job wrote");
	DPX_TEST_RUN(one_job(e.dev, IOVA_HOLE, hiova, 16, st));
	DPX_TEST_ASSERT_EQUAL(st[0], DPX_DMA_STATUS_INVALID_SRC_ADDR, "");
	DPX_TEST_ASSERT(h[0] == 0x22, "");
	/* completed() stops at the failed job; the jobs after it still run */
	dpx_dma_copy(e.dev, 0, hiova, IOVA_A, 100, 0);
	dpx_dma_copy(e.dev, 0, hiova, IOVA_HOLE, 100, 0);
	dpx_dma_copy(e.dev, 0, hiova, IOVA_A + 200, 100, DPX_DMA_OP_FLAG_SUBMIT);
	unsigned int got = 0;
	for (unsigned long spins = 0; !err; spins++) {
		got += dpx_dma_completed(e.dev, 0, 3, &last, &err);
		DPX_TEST_ASSERT(spins < 100000000UL, "");
	}
	DPX_TEST_ASSERT_EQUAL(got, 1, "stopped before the failed job");
	DPX_TEST_ASSERT_EQUAL(last, 2, "");
	DPX_TEST_RUN(collect(e.dev, 2, st, &last));
	DPX_TEST_ASSERT(st[0] == DPX_DMA_STATUS_INVALID_DST_ADDR &&
				st[1] == DPX_DMA_STATUS_SUCCESSFUL,
			"%d %d", st[0], st[1]);
	DPX_TEST_ASSERT(a[0] == 0x22 && a[299] == 0x22 && a[100] == 0x11, "");
	/* the mapping goes: the next job to it is refused */
	DPX_TEST_ASSERT_EQUAL(dpx_vfio_container_dma_unmap(DEF, (uintptr_t)a, IOVA_A, A_LEN), 0,
			      "");
	e.a_mapped = false;
	memset(a, 0x11, A_LEN);
	DPX_TEST_RUN(one_job(e.dev, hiova, IOVA_A, 100, st));
	DPX_TEST_ASSERT_EQUAL(st[0], DPX_DMA_STATUS_INVALID_DST_ADDR, "after the unmap");
	DPX_TEST_ASSERT(a[0] == 0x11, "");
	DPX_TEST_ASSERT_EQUAL(dpx_dma_stats_get(e.dev, 0, &ds), 0, "");
	DPX_TEST_ASSERT(ds.completed == 6 && ds.errors == 4, "%" PRIu64 " %" PRIu64, ds.completed,
			ds.errors);
	edu_model_stats(&ms);
	DPX_TEST_ASSERT_EQUAL(ms.zeroed + ms.dropped, 0, "the device never met a refusal");
	DPX_TEST_RUN(env_down(&e));
	return DPX_TEST_SUCCESS;
}
DPX_TEST_REGISTER(dma_edu_iova_check, fast, test_dma_edu_iova_check);

/*
 * iova_check=0: only the IOMMU stands between the device and an unmapped
 * IOVA. It drops the write; the device reports success. verify=1 reads the
 * destination back and reports the job failed, unless the bytes were zeros.
 */
static int
dropped_write(bool verify)
{
	enum dpx_dma_status_code st;
	struct edu_model_stats ms;
	struct edu_env e;
	uint8_t *a, *h;
	uint64_t hiova;

	DPX_TEST_RUN(env_up(
		&e, verify ? "dma_bits=48,iova_check=0,verify=1" : "dma_bits=48,iova_check=0", 8));
	a = e.a;
	h = e.h;
	hiova = e.hiova;
	memset(h, 0x5a, H_LEN);
	DPX_TEST_RUN(one_job(e.dev, hiova, IOVA_A, 6000, &st));
	DPX_TEST_ASSERT_EQUAL(st, DPX_DMA_STATUS_SUCCESSFUL, "mapped");
	DPX_TEST_ASSERT(a[0] == 0x5a && a[5999] == 0x5a && a[6000] == 0, "");
	DPX_TEST_RUN(one_job(e.dev, hiova, IOVA_HOLE, 6000, &st));
	edu_model_stats(&ms);
	/* verify stops the job at its first chunk that did not land */
	DPX_TEST_ASSERT_EQUAL(ms.dropped, verify ? edu_chunk_len(6000, true) : 6000,
			      "bytes the IOMMU model dropped");
	DPX_TEST_ASSERT_EQUAL(st,
			      verify ? DPX_DMA_STATUS_INVALID_DST_ADDR : DPX_DMA_STATUS_SUCCESSFUL,
			      "verify %d", verify);
	/* zeros read back as zeros from nowhere: not detectable, even with verify */
	memset(h, 0, H_LEN);
	DPX_TEST_RUN(one_job(e.dev, hiova, IOVA_HOLE, 100, &st));
	DPX_TEST_ASSERT_EQUAL(st, DPX_DMA_STATUS_SUCCESSFUL, "");
	/* a refused read is not detectable either: the buffer gets zeros, which land */
	memset(a, 0x33, 200);
	DPX_TEST_RUN(one_job(e.dev, IOVA_HOLE, IOVA_A, 100, &st));
	DPX_TEST_ASSERT_EQUAL(st, DPX_DMA_STATUS_SUCCESSFUL, "");
	DPX_TEST_ASSERT(a[0] == 0 && a[99] == 0 && a[100] == 0x33, "zeros from the refused read");
	DPX_TEST_RUN(env_down(&e));
	return DPX_TEST_SUCCESS;
}

static int
test_dma_edu_verify(void)
{
	DPX_TEST_RUN(dropped_write(false));
	DPX_TEST_RUN(dropped_write(true));
	return DPX_TEST_SUCCESS;
}
DPX_TEST_REGISTER(dma_edu_verify, fast, test_dma_edu_verify);

/* Without dma_bits the device's own 28-bit mask applies: higher IOVAs are refused. */
static int
test_dma_edu_dma_bits(void)
{
	enum dpx_dma_status_code st;
	struct edu_env e;
	uint64_t hiova;

	DPX_TEST_RUN(env_up(&e, "verify=0", 8));
	hiova = e.hiova;
	DPX_TEST_ASSERT(hiova >= (1ULL << 28), "heap IOVA 0x%" PRIx64 " is low", hiova);
	DPX_TEST_RUN(one_job(e.dev, hiova, IOVA_A, 64, &st));
	DPX_TEST_ASSERT_EQUAL(st, DPX_DMA_STATUS_INVALID_ADDR, "");
	DPX_TEST_RUN(one_job(e.dev, IOVA_A, IOVA_A + 0x1000, 64, &st));
	DPX_TEST_ASSERT_EQUAL(st, DPX_DMA_STATUS_SUCCESSFUL, "below 2^28");
	DPX_TEST_RUN(env_down(&e));
	/* verify's scratch page (heap, above 2^28) would be out of the device's reach */
	DPX_TEST_ASSERT_EQUAL(pci_fake_sysfs_create(e.root, sizeof(e.root)), 0, "");
	DPX_TEST_ASSERT_EQUAL(pci_fake_sysfs_add(e.root, &edu_fake), 0, "");
	edu_model_install();
	DPX_TEST_ASSERT_EQUAL(pci_fake_eal_init(e.root, "-a", EDU_BDF ",verify=1", NULL), -EINVAL,
			      "");
	edu_model_uninstall(); /* a failed init gave the real kernel calls back */
	unsetenv("SYSFS_PCI_DEVICES");
	pci_fake_sysfs_remove(e.root);
	return DPX_TEST_SUCCESS;
}
DPX_TEST_REGISTER(dma_edu_dma_bits, fast, test_dma_edu_dma_bits);

/* irq=1: completion through the interrupt's eventfd, one per transfer. */
static int
test_dma_edu_irq(void)
{
	struct edu_model_stats before, after;
	struct edu_env e;
	uint64_t seed = 0x1a;
	int fd;

	DPX_TEST_RUN(env_up(&e, "dma_bits=48,irq=1", 8));
	fd = dpx_dma_edu_intr_fd(e.dev);
	DPX_TEST_ASSERT(fd >= 0, "%d", fd);
	DPX_TEST_ASSERT_EQUAL(dpx_dma_edu_intr_fd(99), -ENODEV, "");
	edu_model_stats(&before);
	/* one job: the application can sleep in poll() until the device is done */
	uint8_t *b = dpx_malloc("t", 8192, 64);
	uint64_t iova = dpx_malloc_virt2iova(b);
	memset(b, 7, 4096);
	DPX_TEST_ASSERT(dpx_dma_copy(e.dev, 0, iova, iova + 4096, 100, DPX_DMA_OP_FLAG_SUBMIT) >= 0,
			"");
	unsigned int got = 0;
	while (got == 0) {
		struct pollfd pfd = {.fd = fd, .events = POLLIN};
		DPX_TEST_ASSERT_EQUAL(poll(&pfd, 1, 60000), 1, "no interrupt");
		got = dpx_dma_completed(e.dev, 0, 1, NULL, NULL);
	}
	DPX_TEST_ASSERT(b[4096] == 7 && b[4195] == 7 && b[4196] == 0, "");
	dpx_free(b);
	DPX_TEST_RUN(random_copies(e.dev, 8, 1, 60, &seed));
	edu_model_stats(&after);
	DPX_TEST_ASSERT(after.irqs - before.irqs == after.transfers - before.transfers,
			"%" PRIu64 " interrupts for %" PRIu64 " transfers",
			after.irqs - before.irqs, after.transfers - before.transfers);
	DPX_TEST_RUN(env_down(&e));
	return DPX_TEST_SUCCESS;
}
DPX_TEST_REGISTER(dma_edu_irq, fast, test_dma_edu_irq);

/* Stop finishes the jobs in flight; a transfer that never ends hangs the device. */
static int
test_dma_edu_stop(void)
{
	enum dpx_dma_status_code st[8];
	struct edu_env e;
	uint8_t *b = NULL;
	uint64_t iova;
	uint16_t last;

	DPX_TEST_RUN(env_up(&e, "dma_bits=48,timeout_ms=20", 8));
	b = dpx_malloc("t", 65536, 64);
	iova = dpx_malloc_virt2iova(b);
	memset(b, 9, 32768);
	edu_model_set_delay(2000);
	for (unsigned int i = 0; i < 6; i++)
		DPX_TEST_ASSERT(dpx_dma_copy(e.dev, 0, iova, iova + 32768 + i * 4096, 4000, 0) >= 0,
				"");
	DPX_TEST_ASSERT_EQUAL(dpx_dma_submit(e.dev, 0), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_dma_copy(e.dev, 0, iova, iova + 57344, 100, 0), 6,
			      "enqueued, not submitted");
	DPX_TEST_ASSERT_EQUAL(dpx_dma_stop(e.dev), 0, "");
	DPX_TEST_ASSERT(b[57344] == 9 && b[32768 + 5 * 4096 + 3999] == 9, "stop left jobs undone");
	DPX_TEST_ASSERT_EQUAL(dpx_dma_copy(e.dev, 0, iova, iova, 1, 0), -ENODEV, "stopped");
	DPX_TEST_RUN(collect(e.dev, 7, st, &last));
	DPX_TEST_ASSERT_EQUAL(last, 6, "completions collected after the stop");
	for (unsigned int i = 0; i < 7; i++)
		DPX_TEST_ASSERT_EQUAL(st[i], DPX_DMA_STATUS_SUCCESSFUL, "job %u", i);

	/* the device holds a transfer: after timeout_ms its job fails, those after are not run */
	edu_model_set_delay(0);
	DPX_TEST_ASSERT_EQUAL(dpx_dma_start(e.dev), 0, "");
	edu_model_hold(true);
	dpx_dma_copy(e.dev, 0, iova, iova + 32768, 100, 0);
	dpx_dma_copy(e.dev, 0, iova, iova + 33000, 100, DPX_DMA_OP_FLAG_SUBMIT);
	DPX_TEST_RUN(collect(e.dev, 2, st, &last));
	DPX_TEST_ASSERT(st[0] == DPX_DMA_STATUS_ERROR_UNKNOWN &&
				st[1] == DPX_DMA_STATUS_NOT_ATTEMPTED,
			"%d %d", st[0], st[1]);
	DPX_TEST_ASSERT_EQUAL(dpx_dma_stop(e.dev), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_dma_start(e.dev), -EBUSY, "the device still runs a transfer");
	edu_model_hold(false);
	for (unsigned long spins = 0; dpx_dma_start(e.dev) != 0; spins++)
		DPX_TEST_ASSERT(spins < 100000000UL, "the device never finished");
	memset(b + 40000, 0, 100);
	DPX_TEST_RUN(one_job(e.dev, iova, iova + 40000, 100, st));
	DPX_TEST_ASSERT(st[0] == DPX_DMA_STATUS_SUCCESSFUL && b[40099] == 9, "after the restart");
	dpx_free(b);
	DPX_TEST_RUN(env_down(&e));
	return DPX_TEST_SUCCESS;
}
DPX_TEST_REGISTER(dma_edu_stop, fast, test_dma_edu_stop);

/* ---- the guest suite: QEMU's edu device behind VT-d, the real vfio-pci and type1 ---- */

#define IOVA_B (IOVA_A + 0x4000)
#define REGION 0x4000

static int
guest_up(const char *bdf, const char *devargs, int16_t *dev)
{
	struct dpx_dma_vchan_conf vc = {.direction = DPX_DMA_DIR_MEM_TO_MEM, .nb_desc = 64};
	struct dpx_dma_conf conf = {.nb_vchans = 1};
	char arg[160];
	int id;

	snprintf(arg, sizeof(arg), "%s,%s", bdf, devargs);
	DPX_TEST_ASSERT(dpx_test_eal_init("--no-huge", "--in-memory", "-a", arg, NULL) > 0,
			"init with -a %s", arg);
	id = dpx_dma_get_dev_id_by_name(bdf);
	DPX_TEST_ASSERT(id >= 0, "no dmadev %s", bdf);
	*dev = (int16_t)id;
	DPX_TEST_ASSERT_EQUAL(dpx_dma_configure(*dev, &conf), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_dma_vchan_setup(*dev, 0, &vc), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_dma_start(*dev), 0, "");
	return DPX_TEST_SUCCESS;
}

/* The bus found the device with -a, as sysfs shows it. */
static int
guest_bus_checks(const char *bdf)
{
	const char *group = getenv("DPX_GUEST_VFIO_GROUP");
	struct dpx_pci_device_info info;
	int entries = dpx_test_count_entries("/sys/bus/pci/devices");

	DPX_TEST_ASSERT(entries > 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_pci_device_count(), entries, "devices in sysfs");
	DPX_TEST_ASSERT_EQUAL(dpx_pci_device_info_find(bdf, &info), 0, "%s", bdf);
	DPX_TEST_ASSERT_EQUAL(info.state, DPX_PCI_STATE_PROBED, "%s",
			      dpx_pci_state_name(info.state));
	DPX_TEST_ASSERT(info.vendor_id == 0x1234 && info.device_id == 0x11e8, "");
	DPX_TEST_ASSERT(strcmp(info.kernel_driver, "vfio-pci") == 0, "%s", info.kernel_driver);
	DPX_TEST_ASSERT(strcmp(info.driver, "dma_edu") == 0, "%s", info.driver);
	DPX_TEST_ASSERT(group != NULL && info.iommu_group == atoi(group), "group %d, guest says %s",
			info.iommu_group, group != NULL ? group : "?");
	dpx_pci_dump(stdout);
	return DPX_TEST_SUCCESS;
}

/* Heap to heap through the IOMMU: byte-exact, nothing around the copies touched. */
static int
guest_heap_copies(int16_t dev, const char *mode)
{
	static const uint32_t sizes[] = {1, 777, 4095, 4096, 9000};
	const size_t len = 64 * 1024, big = 32 * 1024;
	uint8_t *src = dpx_malloc("t", len, 64), *dst = dpx_malloc("t", len, 64);
	uint8_t *ref = malloc(len);
	uint64_t seed = 0x9e57;
	size_t at = 0;
	char name[128];

	DPX_TEST_ASSERT(src != NULL && dst != NULL && ref != NULL, "");
	fill(src, len, &seed);
	fill(dst, len, &seed);
	memcpy(ref, dst, len);
	for (size_t i = 0; i < DPX_DIM(sizes); i++) {
		size_t s = dpx_test_rand(&seed) % (len - sizes[i]);
		DPX_TEST_ASSERT(dpx_dma_copy(dev, 0, dpx_malloc_virt2iova(src + s),
					     dpx_malloc_virt2iova(dst + at), sizes[i], 0) >= 0,
				"");
		memcpy(ref + at, src + s, sizes[i]);
		at += sizes[i] + 1 + dpx_test_rand(&seed) % 100;
	}
	dpx_dma_submit(dev, 0);
	enum dpx_dma_status_code st[DPX_DIM(sizes)];
	uint16_t last;
	DPX_TEST_RUN(collect(dev, DPX_DIM(sizes), st, &last));
	for (size_t i = 0; i < DPX_DIM(sizes); i++)
		DPX_TEST_ASSERT_EQUAL(st[i], DPX_DMA_STATUS_SUCCESSFUL, "size %u", sizes[i]);
	DPX_TEST_ASSERT(memcmp(dst, ref, len) == 0, "the copies did not land byte-exact");
	/* throughput of one large copy (emulated: edu runs each transfer from a 100 ms timer) */
	double t0 = dpx_test_seconds();
	DPX_TEST_ASSERT(dpx_dma_copy(dev, 0, dpx_malloc_virt2iova(src), dpx_malloc_virt2iova(dst),
				     (uint32_t)big, DPX_DMA_OP_FLAG_SUBMIT) >= 0,
			"");
	DPX_TEST_RUN(collect(dev, 1, st, &last));
	double t = dpx_test_seconds() - t0;
	DPX_TEST_ASSERT(st[0] == DPX_DMA_STATUS_SUCCESSFUL && memcmp(dst, src, big) == 0, "");
	snprintf(name, sizeof(name), "dma_edu guest %s 32 KiB copy (emulated) KB/s", mode);
	DPX_TEST_PERF(name, big / 1000.0 / t, "KB/s");
	snprintf(name, sizeof(name), "dma_edu guest %s ms per 4095-byte chunk", mode);
	DPX_TEST_PERF(name, t * 1000 / ((big + EDU_XFER_MAX - 1) / EDU_XFER_MAX), "ms");
	dpx_free(src);
	dpx_free(dst);
	free(ref);
	return DPX_TEST_SUCCESS;
}

/* Job from the heap to iova; whether the byte at va landed, and the status. */
static int
guest_copy_to(int16_t dev, const uint8_t *heap, uint64_t iova, volatile uint8_t *va, uint32_t len,
	      enum dpx_dma_status_code *st, bool *arrived)
{
	memset((void *)(uintptr_t)va, 0, len);
	DPX_TEST_RUN(one_job(dev, dpx_malloc_virt2iova(heap), iova, len, st));
	*arrived = memcmp((const void *)(uintptr_t)va, heap, len) == 0;
	return DPX_TEST_SUCCESS;
}

/*
 * Regions A and B adjacent, mapped by two calls; copies to both arrive; A is
 * unmapped: copies to it stop arriving, B still works. want_unmapped is the
 * status the driver gives a copy to A after its unmap.
 */
static int
guest_neighbours(int16_t dev, enum dpx_dma_status_code want_unmapped)
{
	uint8_t *ab =
		mmap(NULL, 2 * REGION, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint8_t *heap = dpx_malloc("t", 4096, 64);
	enum dpx_dma_status_code st;
	bool arrived;

	DPX_TEST_ASSERT(ab != MAP_FAILED && heap != NULL, "");
	for (unsigned int i = 0; i < 4096; i++)
		heap[i] = (uint8_t)(i * 7 + 1);
	DPX_TEST_ASSERT_EQUAL(dpx_vfio_container_dma_map(DEF, (uintptr_t)ab, IOVA_A, REGION), 0,
			      "");
	DPX_TEST_ASSERT_EQUAL(
		dpx_vfio_container_dma_map(DEF, (uintptr_t)ab + REGION, IOVA_B, REGION), 0, "");
	DPX_TEST_RUN(guest_copy_to(dev, heap, IOVA_A + 0x100, ab + 0x100, 1000, &st, &arrived));
	DPX_TEST_ASSERT(st == DPX_DMA_STATUS_SUCCESSFUL && arrived, "to A: status %d", st);
	DPX_TEST_RUN(guest_copy_to(dev, heap, IOVA_B, ab + REGION, 1000, &st, &arrived));
	DPX_TEST_ASSERT(st == DPX_DMA_STATUS_SUCCESSFUL && arrived, "to B: status %d", st);
	DPX_TEST_ASSERT_EQUAL(dpx_vfio_container_dma_unmap(DEF, (uintptr_t)ab, IOVA_A, REGION), 0,
			      "");
	DPX_TEST_RUN(guest_copy_to(dev, heap, IOVA_A + 0x100, ab + 0x100, 1000, &st, &arrived));
	DPX_TEST_ASSERT(!arrived, "a copy to A arrived after A's unmap");
	DPX_TEST_ASSERT_EQUAL(st, want_unmapped, "the driver's status for it");
	DPX_TEST_RUN(
		guest_copy_to(dev, heap, IOVA_B + 0x200, ab + REGION + 0x200, 1000, &st, &arrived));
	DPX_TEST_ASSERT(st == DPX_DMA_STATUS_SUCCESSFUL && arrived, "B went with A: status %d", st);
	/* an IOVA never mapped: nothing arrives anywhere the test can see */
	DPX_TEST_ASSERT(one_job(dev, dpx_malloc_virt2iova(heap), IOVA_HOLE, 1000, &st) == 0, "");
	DPX_TEST_ASSERT_EQUAL(st, want_unmapped, "to a hole");
	DPX_TEST_ASSERT_EQUAL(
		dpx_vfio_container_dma_unmap(DEF, (uintptr_t)ab + REGION, IOVA_B, REGION), 0, "");
	munmap(ab, 2 * REGION);
	dpx_free(heap);
	return DPX_TEST_SUCCESS;
}

static int
guest_inner(const char *bdf)
{
	unsigned int faults;
	int16_t dev;
	int fd;

	/* polling, every IOVA checked against the container's table */
	DPX_TEST_RUN(guest_up(bdf, "dma_bits=48", &dev));
	DPX_TEST_RUN(guest_bus_checks(bdf));
	DPX_TEST_RUN(guest_heap_copies(dev, "polling"));
	DPX_TEST_RUN(guest_neighbours(dev, DPX_DMA_STATUS_INVALID_DST_ADDR));
	dpx_dma_dump(dev, stdout);
	DPX_TEST_ASSERT_EQUAL(dpx_eal_cleanup(), 0, "");

	/* the IOMMU alone refuses: verify sees the dropped writes */
	faults = dpx_test_guest_kmsg_count("fault addr");
	DPX_TEST_RUN(guest_up(bdf, "dma_bits=48,iova_check=0,verify=1", &dev));
	DPX_TEST_RUN(guest_neighbours(dev, DPX_DMA_STATUS_INVALID_DST_ADDR));
	dpx_dma_dump(dev, stdout);
	DPX_TEST_ASSERT_EQUAL(dpx_eal_cleanup(), 0, "");
	/* the refusals were the IOMMU's: the guest kernel logged its fault reports */
	faults = dpx_test_guest_kmsg_count("fault addr") - faults;
	printf("guest kernel: %u DMAR fault reports\n", faults);
	DPX_TEST_ASSERT(faults > 0, "the IOMMU reported no fault for the dropped writes");

	/* and without verify the driver cannot tell: the job "succeeds", nothing arrives */
	DPX_TEST_RUN(guest_up(bdf, "dma_bits=48,iova_check=0", &dev));
	DPX_TEST_RUN(guest_neighbours(dev, DPX_DMA_STATUS_SUCCESSFUL));
	DPX_TEST_ASSERT_EQUAL(dpx_eal_cleanup(), 0, "");

	/* completion by MSI on an eventfd */
	DPX_TEST_RUN(guest_up(bdf, "dma_bits=48,irq=1", &dev));
	fd = dpx_dma_edu_intr_fd(dev);
	DPX_TEST_ASSERT(fd >= 0, "%d", fd);
	DPX_TEST_RUN(guest_heap_copies(dev, "MSI"));
	dpx_dma_dump(dev, stdout);
	DPX_TEST_ASSERT_EQUAL(dpx_eal_cleanup(), 0, "");
	return DPX_TEST_SUCCESS;
}

static int
test_dma_edu_guest(void)
{
	const char *bdf = getenv("DPX_GUEST_VFIO_BDF");

	if (bdf != NULL)
		return guest_inner(bdf);
	return dpx_test_guest_case("dma_edu_guest", "--vfio --timeout 600");
}
DPX_TEST_REGISTER(dma_edu_guest, guest, test_dma_edu_guest);
