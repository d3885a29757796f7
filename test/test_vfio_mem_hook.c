/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The default container follows EAL memory, on the fake kernel: heap pages
 * are mapped one kernel mapping per page as the heap grows (replayed when
 * the first group binds), unmapped when it shrinks; a refused mapping fails
 * the allocation; external memory with an IOVA follows its registration.
 */
#include <sys/mman.h>

#include <dpx_malloc.h>
#include <dpx_memory.h>
#include <dpx_vfio.h>

#include "dpx_test.h"
#include "vfio_kernel_fake.h"

#define DEF DPX_VFIO_DEFAULT_CONTAINER_FD

extern int vfio_logtype;

struct page_check {
	const struct kmodel *k;
	unsigned int pages;
	int bad;
};

/* Every segment with an IOVA is exactly one kernel mapping. */
static int
check_seg(const struct dpx_memseg *ms, void *arg)
{
	struct page_check *c = arg;
	long m;

	if (ms->iova == DPX_BAD_IOVA)
		return 0;
	c->pages++;
	m = kmodel_find(c->k, ms->iova);
	if (m < 0 || c->k->maps[m].iova != ms->iova || c->k->maps[m].len != ms->len ||
	    c->k->maps[m].va != (uintptr_t)ms->addr) {
		printf("page %p iova 0x%" PRIx64 " len %zu: kernel mapping %ld is not that page\n",
		       ms->addr, ms->iova, ms->len, m);
		c->bad++;
	}
	return 0;
}

static int
expect_pages_mapped(const struct kmodel *k, unsigned int *pages)
{
	struct page_check c = {.k = k};

	dpx_memseg_walk(check_seg, &c);
	DPX_TEST_ASSERT_EQUAL(c.bad, 0, "");
	DPX_TEST_ASSERT_EQUAL(k->n, c.pages, "kernel mappings = EAL pages");
	*pages = c.pages;
	return DPX_TEST_SUCCESS;
}

static struct kmodel *
default_model(void)
{
	for (unsigned int i = 0; i < KFAKE_MAX; i++)
		if (kfake.containers[i].fd >= 0)
			return &kfake.containers[i].k;
	return NULL;
}

static int
test_vfio_mem_hook(void)
{
	unsigned int pages0, pages1, pages2, lvl;
	struct kmodel *k;
	void *early, *p;

	kfake_reset(KMODEL_TYPE1V2);
	kfake_add_group(7, true);
	DPX_TEST_ASSERT_EQUAL(vfio_set_kernel_ops(&kfake_ops), 0, "");
	DPX_TEST_ASSERT(dpx_test_eal_init("--no-huge", "--in-memory", NULL) > 0, "init");
	lvl = (unsigned int)dpx_log_get_level(vfio_logtype);
	DPX_TEST_ASSERT_EQUAL(dpx_vfio_is_enabled(), 1, "");
	k = default_model();

	/* before any group: the heap grows, the table records, the kernel has nothing */
	early = dpx_malloc("vfio-test", 3u << 20, 0);
	DPX_TEST_ASSERT(early != NULL, "");
	DPX_TEST_ASSERT(dpx_vfio_container_dma_count(DEF) > 0, "heap pages recorded");
	DPX_TEST_ASSERT_EQUAL(k->n, 0, "");
	DPX_TEST_ASSERT(dpx_vfio_container_group_bind(DEF, 7) >= 0, "");
	DPX_TEST_RUN(expect_pages_mapped(k, &pages0));
	DPX_TEST_ASSERT(pages0 >= 2, "3 MB on 2 MB pages: %u pages", pages0);

	/* the heap grows and shrinks: the kernel follows page by page */
	p = dpx_malloc("vfio-test", 10u << 20, 0);
	DPX_TEST_ASSERT(p != NULL, "");
	DPX_TEST_RUN(expect_pages_mapped(k, &pages1));
	DPX_TEST_ASSERT(pages1 >= pages0 + 5, "%u pages after 10 MB more, %u before", pages1,
			pages0);
	dpx_free(p);
	DPX_TEST_RUN(expect_pages_mapped(k, &pages2));
	DPX_TEST_ASSERT(pages2 < pages1, "the heap gave pages back: %u -> %u", pages1, pages2);

	/* a mapping the kernel refuses refuses the allocation; nothing stays mapped */
	dpx_log_set_level(vfio_logtype, DPX_LOG_EMERG);
	kfake.fail_map_in = 3;
	int entries = dpx_vfio_container_dma_count(DEF);
	DPX_TEST_ASSERT(dpx_malloc("vfio-test", 10u << 20, 0) == NULL, "allocation not refused");
	DPX_TEST_ASSERT_EQUAL(kfake.fail_map_in, 0, "the failure was consumed");
	DPX_TEST_RUN(expect_pages_mapped(k, &pages1));
	DPX_TEST_ASSERT_EQUAL(pages1, pages2, "");
	DPX_TEST_ASSERT_EQUAL(dpx_vfio_container_dma_count(DEF), entries, "");
	dpx_log_set_level(vfio_logtype, lvl);
	p = dpx_malloc("vfio-test", 10u << 20, 0);
	DPX_TEST_ASSERT(p != NULL, "works again");
	dpx_free(p);

	/* external memory: mapped at the IOVAs it was registered with, unmapped with it */
	uint8_t *ext =
		mmap(NULL, 4 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	dpx_iova_t iovas[4] = {0x900000000, 0x900001000, 0x900002000, 0x900008000};
	DPX_TEST_ASSERT(ext != MAP_FAILED, "");
	size_t before = k->n;
	DPX_TEST_ASSERT_EQUAL(dpx_extmem_register(ext, 4 * 4096, iovas, 4, 4096), 0, "");
	DPX_TEST_ASSERT_EQUAL(k->n, before + 4, "one kernel mapping per external page");
	DPX_TEST_ASSERT(kmodel_find(k, 0x900008000) >= 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_extmem_unregister(ext, 4 * 4096), 0, "");
	DPX_TEST_ASSERT_EQUAL(k->n, before, "");
	/* no IOVA known: not mapped (the application maps it itself) */
	DPX_TEST_ASSERT_EQUAL(dpx_extmem_register(ext, 4 * 4096, NULL, 4, 4096), 0, "");
	DPX_TEST_ASSERT_EQUAL(k->n, before, "");
	DPX_TEST_ASSERT_EQUAL(
		dpx_vfio_container_dma_map(DEF, (uintptr_t)ext, 0x900000000, 4 * 4096), 0, "");
	DPX_TEST_ASSERT_EQUAL(k->n, before + 1, "");
	DPX_TEST_ASSERT_EQUAL(
		dpx_vfio_container_dma_unmap(DEF, (uintptr_t)ext, 0x900000000, 4 * 4096), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_extmem_unregister(ext, 4 * 4096), 0, "");
	munmap(ext, 4 * 4096);

	dpx_free(early);
	DPX_TEST_ASSERT_EQUAL(dpx_eal_cleanup(), 0, "");
	DPX_TEST_ASSERT_EQUAL(vfio_set_kernel_ops(NULL), 0, "");
	for (unsigned int i = 0; i < KFAKE_MAX; i++)
		DPX_TEST_ASSERT_EQUAL(kfake.containers[i].fd, -1, "container left open");
	return DPX_TEST_SUCCESS;
}
DPX_TEST_REGISTER(vfio_mem_hook, fast, test_vfio_mem_hook);
