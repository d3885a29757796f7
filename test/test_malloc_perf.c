/* SPDX-License-Identifier: BSD-3-Clause */
/* Benchmarks: malloc/free rates, and growing/shrinking the heap by 512 MB. No time is asserted. */
#include <unistd.h>

#include <dpx_malloc.h>

#include "dpx_test.h"

#define BATCH 8192

static void *ptrs[BATCH];

static long
free_hugepages_2m(void)
{
	FILE *f = fopen("/sys/kernel/mm/hugepages/hugepages-2048kB/free_hugepages", "r");
	long n = 0;

	if (f != NULL) {
		if (fscanf(f, "%ld", &n) != 1)
			n = 0;
		fclose(f);
	}
	return n;
}

/* Hugepages when enough are free for 512 MB (and a mount exists), else --no-huge; says which. */
static int
perf_init(const char **mode)
{
	if (free_hugepages_2m() >= 260 && dpx_test_eal_init("-l", "0", NULL) > 0) {
		*mode = "hugepages";
		return 0;
	}
	*mode = "--no-huge";
	return dpx_test_eal_init("--no-huge", "-l", "0", NULL) > 0 ? 0 : -1;
}

static double
rate(size_t size, unsigned int rounds)
{
	uint64_t t0 = dpx_get_time_ns();

	for (unsigned int r = 0; r < rounds; r++) {
		for (unsigned int i = 0; i < BATCH; i++)
			ptrs[i] = dpx_malloc("perf", size, 0);
		for (unsigned int i = 0; i < BATCH; i++)
			dpx_free(ptrs[i]);
	}
	uint64_t ns = dpx_get_time_ns() - t0;
	return (double)rounds * BATCH * 2 / ((double)ns / 1e9);
}

static int
test_malloc_perf_rate(void)
{
	const char *mode;
	char name[96];

	DPX_TEST_ASSERT(perf_init(&mode) == 0, "init");
	printf("memory: %s\n", mode);
	/* keep one page in the heap so small rounds measure the allocator, not the kernel */
	void *hold = dpx_malloc("hold", 64, 0);
	snprintf(name, sizeof(name), "malloc+free 64 B (%s)", mode);
	DPX_TEST_PERF(name, rate(64, 20) / 1e6, "Mops/s");
	snprintf(name, sizeof(name), "malloc+free 1500 B (%s)", mode);
	DPX_TEST_PERF(name, rate(1500, 10) / 1e6, "Mops/s");
	/* 1 MB fits beside hold in its page; 4 MB maps and unmaps pages every round */
	static const size_t large[] = {1u << 20, 4u << 20};
	for (unsigned int k = 0; k < 2; k++) {
		uint64_t t0 = dpx_get_time_ns();
		unsigned int n = 0;
		for (unsigned int r = 0; r < 200; r++, n += 2)
			dpx_free(dpx_malloc("perf", large[k], 0));
		snprintf(name, sizeof(name), "malloc+free %zu MB%s (%s)", large[k] >> 20,
			 k ? ", pages mapped each time" : "", mode);
		DPX_TEST_PERF(name, (double)n / ((double)(dpx_get_time_ns() - t0) / 1e9) / 1e3,
			      "kops/s");
	}
	dpx_free(hold);
	DPX_TEST_ASSERT_EQUAL(dpx_eal_cleanup(), 0, "");
	return DPX_TEST_SUCCESS;
}
DPX_TEST_REGISTER(malloc_perf_rate, perf, test_malloc_perf_rate);

static unsigned int alloc_events, free_events;

static int
count_events(enum dpx_mem_event ev, const void *addr, size_t len, void *arg)
{
	(void)addr, (void)len, (void)arg;
	if (ev == DPX_MEM_EVENT_ALLOC)
		alloc_events++;
	else
		free_events++;
	return 0;
}

#define GROW_PAGES 256 /* 512 MB of 2 MB pages */

static int
test_mem_perf_grow_512mb(void)
{
	static void *blocks[GROW_PAGES];
	const char *mode;
	char name[96];
	struct dpx_malloc_socket_stats st;

	DPX_TEST_ASSERT(perf_init(&mode) == 0, "init");
	DPX_TEST_ASSERT_EQUAL(dpx_mem_event_callback_register("count", count_events, NULL), 0, "");
	/* 2 MB minus the element header: each block is exactly one fresh page */
	size_t size = ((size_t)2 << 20) - 64;
	uint64_t t0 = dpx_get_time_ns();
	for (int i = 0; i < GROW_PAGES; i++) {
		blocks[i] = dpx_malloc("grow", size, 0);
		DPX_TEST_ASSERT(blocks[i] != NULL, "page %d (%s): %s", i, mode, dpx_strerror(dpx_errno));
	}
	uint64_t grow_ns = dpx_get_time_ns() - t0;
	DPX_TEST_ASSERT_EQUAL(dpx_malloc_get_socket_stats(0, &st), 0, "");
	DPX_TEST_ASSERT_EQUAL(st.pages_mapped, GROW_PAGES, "");
	t0 = dpx_get_time_ns();
	for (int i = 0; i < GROW_PAGES; i++)
		dpx_free(blocks[i]);
	uint64_t shrink_ns = dpx_get_time_ns() - t0;
	DPX_TEST_ASSERT_EQUAL(dpx_malloc_get_socket_stats(0, &st), 0, "");
	DPX_TEST_ASSERT_EQUAL(st.pages_mapped, 0, "");
	printf("memory: %s\n", mode);
	snprintf(name, sizeof(name), "grow heap by 512 MB, 2 MB pages (%s)", mode);
	DPX_TEST_PERF(name, (double)grow_ns / 1e6, "ms");
	snprintf(name, sizeof(name), "  ALLOC events");
	DPX_TEST_PERF(name, alloc_events, "events");
	snprintf(name, sizeof(name), "shrink heap by 512 MB (%s)", mode);
	DPX_TEST_PERF(name, (double)shrink_ns / 1e6, "ms");
	snprintf(name, sizeof(name), "  FREE events");
	DPX_TEST_PERF(name, free_events, "events");
	DPX_TEST_ASSERT_EQUAL(dpx_eal_cleanup(), 0, "");
	return DPX_TEST_SUCCESS;
}
DPX_TEST_REGISTER(mem_perf_grow_512mb, perf, test_mem_perf_grow_512mb);
