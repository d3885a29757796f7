/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The default container follows EAL memory, on the fake kernel: heap pages
 * are mapped one kernel mapping per page as the heap grows (replayed when
 * the first group binds), unmapped when it shrinks; a refused mapping fails
 * the allocation; external memory with an IOVA follows its registration.
 * User containers follow it the same way: all containers map a new page or
 * none does, a late container starts with the pages mapped so far.
 */
#include <stdlib.h>
#include <string.h>
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
	k = kfake_default_model();

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

/* A container's table as its dump prints it, without the container's own header line. */
static char *
table_text(int fd)
{
	char *buf = NULL, *text;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (f == NULL)
		return NULL;
	dpx_vfio_container_dump(f, fd);
	fclose(f);
	text = strchr(buf, '\n');
	text = strdup(text != NULL ? text + 1 : "");
	free(buf);
	return text;
}

/* The tables of containers a and b hold the same entries. */
static int
expect_same_table(int a, int b)
{
	char *ta = table_text(a), *tb = table_text(b);
	int same = ta != NULL && tb != NULL && strcmp(ta, tb) == 0;

	if (!same)
		printf("container %d:\n%s\ncontainer %d:\n%s\n", a, ta, b, tb);
	free(ta);
	free(tb);
	DPX_TEST_ASSERT(same, "tables of containers %d and %d differ", a, b);
	return DPX_TEST_SUCCESS;
}

/* The default container and c[0..n) hold every EAL page, in their tables and kernels. */
static int
expect_all_follow(const int *c, unsigned int n, unsigned int *pages)
{
	unsigned int p;

	DPX_TEST_RUN(expect_pages_mapped(kfake_default_model(), pages));
	for (unsigned int i = 0; i < n; i++) {
		DPX_TEST_RUN(expect_pages_mapped(kfake_container_model(c[i]), &p));
		DPX_TEST_ASSERT_EQUAL(p, *pages, "");
		DPX_TEST_RUN(expect_same_table(DEF, c[i]));
	}
	return DPX_TEST_SUCCESS;
}

static int
hook_eal_init(void)
{
	kfake_reset(KMODEL_TYPE1V2);
	kfake_add_group(7, true);
	kfake_add_group(8, true);
	kfake_add_group(9, true);
	DPX_TEST_ASSERT_EQUAL(vfio_set_kernel_ops(&kfake_ops), 0, "");
	DPX_TEST_ASSERT(dpx_test_eal_init("--no-huge", "--in-memory", NULL) > 0, "init");
	DPX_TEST_ASSERT_EQUAL(dpx_vfio_is_enabled(), 1, "");
	return DPX_TEST_SUCCESS;
}

static int
hook_eal_fini(void)
{
	DPX_TEST_ASSERT_EQUAL(dpx_eal_cleanup(), 0, "");
	DPX_TEST_ASSERT_EQUAL(vfio_set_kernel_ops(NULL), 0, "");
	for (unsigned int i = 0; i < KFAKE_MAX; i++)
		DPX_TEST_ASSERT_EQUAL(kfake.containers[i].fd, -1, "container left open");
	for (unsigned int i = 0; i < kfake.group_count; i++)
		DPX_TEST_ASSERT_EQUAL(kfake.groups[i].fd, -1, "group %d left open",
				      kfake.groups[i].num);
	return DPX_TEST_SUCCESS;
}

/* A refused map in the second user container: nothing changes anywhere. */
static int
refused_in_second(const int *c, unsigned int pages)
{
	char *def_table = table_text(DEF), *c0_table = table_text(c[0]);
	struct kmodel *k2 = kfake_container_model(c[1]);
	unsigned int lvl = (unsigned int)dpx_log_get_level(vfio_logtype), p;
	void *q;

	DPX_TEST_ASSERT(def_table != NULL && c0_table != NULL, "");
	/* the second page of the new range: c[1] must undo its first page as well */
	kmodel_fail(k2, 2, EIO);
	dpx_log_set_level(vfio_logtype, DPX_LOG_EMERG);
	q = dpx_malloc("vfio-test", 10u << 20, 0);
	dpx_log_set_level(vfio_logtype, lvl);
	DPX_TEST_ASSERT(q == NULL, "allocation not refused");
	DPX_TEST_ASSERT_EQUAL(k2->fail_in, 0, "the failure was consumed");
	DPX_TEST_RUN(expect_all_follow(c, 2, &p));
	DPX_TEST_ASSERT_EQUAL(p, pages, "pages mapped before the refusal");
	char *def_after = table_text(DEF), *c0_after = table_text(c[0]);
	DPX_TEST_ASSERT(strcmp(def_table, def_after) == 0, "default table changed");
	DPX_TEST_ASSERT(strcmp(c0_table, c0_after) == 0, "first container's table changed");
	free(def_table), free(c0_table), free(def_after), free(c0_after);
	return DPX_TEST_SUCCESS;
}

/* Two user containers and the default one follow the heap and external memory. */
static int
test_vfio_mem_hook_containers(void)
{
	unsigned int pages0, pages1, pages2;
	int fds = dpx_test_count_fds();
	void *p, *keep;
	int c[2];

	DPX_TEST_RUN(hook_eal_init());
	c[0] = dpx_vfio_container_create();
	c[1] = dpx_vfio_container_create();
	DPX_TEST_ASSERT(c[0] >= 0 && c[1] >= 0, "%d %d", c[0], c[1]);
	DPX_TEST_ASSERT(dpx_vfio_container_group_bind(DEF, 7) >= 0, "");
	DPX_TEST_ASSERT(dpx_vfio_container_group_bind(c[0], 8) >= 0, "");
	DPX_TEST_ASSERT(dpx_vfio_container_group_bind(c[1], 9) >= 0, "");
	/* pages that stay mapped throughout, so the tables compared below are not empty */
	keep = dpx_malloc("vfio-test", 3u << 20, 0);
	DPX_TEST_ASSERT(keep != NULL, "");
	DPX_TEST_RUN(expect_all_follow(c, 2, &pages0));
	DPX_TEST_ASSERT(pages0 >= 2, "3 MB on 2 MB pages: %u pages", pages0);

	/* grow: every container maps the new pages; shrink: every one unmaps them */
	p = dpx_malloc("vfio-test", 10u << 20, 0);
	DPX_TEST_ASSERT(p != NULL, "");
	DPX_TEST_RUN(expect_all_follow(c, 2, &pages1));
	DPX_TEST_ASSERT(pages1 >= pages0 + 5, "%u pages after 10 MB more, %u before", pages1,
			pages0);
	dpx_free(p);
	DPX_TEST_RUN(expect_all_follow(c, 2, &pages2));
	DPX_TEST_ASSERT(pages2 < pages1, "the heap gave pages back: %u -> %u", pages1, pages2);
	DPX_TEST_ASSERT(pages2 >= pages0, "");

	DPX_TEST_RUN(refused_in_second(c, pages2));
	p = dpx_malloc("vfio-test", 10u << 20, 0);
	DPX_TEST_ASSERT(p != NULL, "works again");
	DPX_TEST_RUN(expect_all_follow(c, 2, &pages1));
	dpx_free(p);

	/* external memory with IOVAs reaches every container, and leaves every one */
	uint8_t *ext =
		mmap(NULL, 2 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	dpx_iova_t iovas[2] = {0x900000000, 0x900004000};
	DPX_TEST_ASSERT(ext != MAP_FAILED, "");
	DPX_TEST_ASSERT_EQUAL(dpx_extmem_register(ext, 2 * 4096, iovas, 2, 4096), 0, "");
	for (unsigned int i = 0; i < 2; i++)
		DPX_TEST_ASSERT(kfake_container_model(c[i])->n == kfake_default_model()->n &&
					kmodel_find(kfake_container_model(c[i]), 0x900004000) >= 0,
				"external page missing in container %d", c[i]);
	DPX_TEST_RUN(expect_same_table(DEF, c[1]));
	DPX_TEST_ASSERT_EQUAL(dpx_extmem_unregister(ext, 2 * 4096), 0, "");
	DPX_TEST_RUN(expect_all_follow(c, 2, &pages1));
	munmap(ext, 2 * 4096);

	dpx_free(keep);
	DPX_TEST_ASSERT_EQUAL(dpx_vfio_container_destroy(c[0]), 0, "");
	DPX_TEST_RUN(hook_eal_fini());
	DPX_TEST_ASSERT_EQUAL(dpx_test_count_fds(), fds, "fds leaked");
	return DPX_TEST_SUCCESS;
}
DPX_TEST_REGISTER(vfio_mem_hook_containers, fast, test_vfio_mem_hook_containers);

static int in_callback_rc[2];

/* A memory event callback may not create or destroy a container (the hotplug lock is held). */
static int
create_in_callback(enum dpx_mem_event event, const void *addr, size_t len, void *arg)
{
	(void)event, (void)addr, (void)len, (void)arg;
	in_callback_rc[0] = dpx_vfio_container_create();
	in_callback_rc[1] = dpx_vfio_container_destroy(12345);
	return 0;
}

/*
 * A container created after the heap grew starts with its pages and replays
 * them on its first group; destroying it with pages mapped leaks nothing.
 */
static int
test_vfio_mem_hook_late_container(void)
{
	int fds = dpx_test_count_fds();
	unsigned int pages, p;
	void *q;
	int c;

	DPX_TEST_RUN(hook_eal_init());
	DPX_TEST_ASSERT(dpx_vfio_container_group_bind(DEF, 7) >= 0, "");
	q = dpx_malloc("vfio-test", 6u << 20, 0);
	DPX_TEST_ASSERT(q != NULL, "");
	DPX_TEST_RUN(expect_pages_mapped(kfake_default_model(), &pages));
	DPX_TEST_ASSERT(pages >= 3, "%u pages", pages);

	int fds_before = dpx_test_count_fds();
	c = dpx_vfio_container_create();
	DPX_TEST_ASSERT(c >= 0, "%d", c);
	DPX_TEST_RUN(expect_same_table(DEF, c));
	DPX_TEST_ASSERT_EQUAL(kfake_container_model(c)->n, 0, "no group: nothing in the kernel");
	DPX_TEST_ASSERT(dpx_vfio_container_group_bind(c, 8) >= 0, "");
	DPX_TEST_RUN(expect_all_follow(&c, 1, &p));
	DPX_TEST_ASSERT_EQUAL(p, pages, "replayed on the first group, one mapping per page");

	/* destroyed with every page mapped: its group, fd and table go */
	DPX_TEST_ASSERT_EQUAL(dpx_vfio_container_destroy(c), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_test_count_fds(), fds_before, "fds leaked by destroy");
	DPX_TEST_ASSERT_EQUAL(dpx_vfio_container_dma_count(c), -EINVAL, "gone");
	dpx_free(q);
	DPX_TEST_RUN(expect_pages_mapped(kfake_default_model(), &p));
	DPX_TEST_ASSERT(p < pages, "the default container still follows: %u -> %u", pages, p);

	/* from a memory event callback: refused, no deadlock */
	DPX_TEST_ASSERT_EQUAL(
		dpx_mem_event_callback_register("vfio-test", create_in_callback, NULL), 0, "");
	unsigned int lvl = (unsigned int)dpx_log_get_level(vfio_logtype);
	dpx_log_set_level(vfio_logtype, DPX_LOG_EMERG);
	q = dpx_malloc("vfio-test", 6u << 20, 0);
	dpx_log_set_level(vfio_logtype, lvl);
	DPX_TEST_ASSERT(q != NULL, "");
	DPX_TEST_ASSERT_EQUAL(in_callback_rc[0], -EDEADLK, "");
	DPX_TEST_ASSERT_EQUAL(in_callback_rc[1], -EDEADLK, "");
	dpx_free(q);
	DPX_TEST_ASSERT_EQUAL(dpx_mem_event_callback_unregister("vfio-test", NULL), 0, "");
	DPX_TEST_RUN(hook_eal_fini());
	DPX_TEST_ASSERT_EQUAL(dpx_test_count_fds(), fds, "fds leaked");
	return DPX_TEST_SUCCESS;
}
DPX_TEST_REGISTER(vfio_mem_hook_late_container, fast, test_vfio_mem_hook_late_container);
