/* SPDX-License-Identifier: BSD-3-Clause */
/* Heap allocator: the pure unit against a model, and dpx_malloc & co over --no-huge pages. */
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>

#include <dpx_malloc.h>

#include "dpx_test.h"
#include "malloc_heap.h"

static uint64_t rng_state = 88172645463325252ULL;

static uint64_t
rnd(void)
{
	return dpx_test_rand(&rng_state);
}

/* ---- pure unit: malloc_heap.c over ordinary memory, checked against a model ---- */

#define MODEL_PAGE 4096u
#define MODEL_PAGES 256u
#define MODEL_SLOTS 300

struct model_alloc {
	uint8_t *p;
	size_t size;
	uint8_t fill;
};

/* Model of the pages: 1 = in the heap. Released ranges must be in the heap and go out of it. */
static uint8_t page_in_heap[MODEL_PAGES];

static int
model_release(uint8_t *area, const struct mheap_release *rel)
{
	if (rel->len == 0)
		return DPX_TEST_SUCCESS;
	DPX_TEST_ASSERT(((uintptr_t)rel->va - (uintptr_t)area) % MODEL_PAGE == 0, "page aligned");
	DPX_TEST_ASSERT(rel->len % MODEL_PAGE == 0, "whole pages");
	size_t first = ((uintptr_t)rel->va - (uintptr_t)area) / MODEL_PAGE;
	for (size_t i = first; i < first + rel->len / MODEL_PAGE; i++) {
		DPX_TEST_ASSERT(i < MODEL_PAGES && page_in_heap[i], "page %zu released twice", i);
		page_in_heap[i] = 0;
		memset(area + i * MODEL_PAGE, 0xdd, MODEL_PAGE); /* as if unmapped: poison it */
	}
	return DPX_TEST_SUCCESS;
}

/* Grow like the EAL does: first run of free model pages that fits. */
static int
model_grow(struct mheap *h, uint8_t *area, size_t len)
{
	size_t n = len / MODEL_PAGE, run = 0;

	for (size_t i = 0; i < MODEL_PAGES; i++) {
		run = page_in_heap[i] ? 0 : run + 1;
		if (run == n) {
			size_t first = i + 1 - n;
			memset(page_in_heap + first, 1, n);
			mheap_add_memory(h, area + first * MODEL_PAGE, len);
			return 1;
		}
	}
	return 0;
}

static int
check_contents(const struct model_alloc *a)
{
	for (size_t i = 0; i < a->size; i++)
		DPX_TEST_ASSERT(a->p[i] == (uint8_t)(a->fill + i), "byte %zu of %zu", i, a->size);
	return DPX_TEST_SUCCESS;
}

static int
model_step(struct mheap *h, uint8_t *area, struct model_alloc *slots)
{
	struct model_alloc *a = &slots[rnd() % MODEL_SLOTS];
	struct mheap_release rel;

	if (a->p != NULL && rnd() % 4 == 0) {
		/* resize in place: contents kept up to the smaller size */
		size_t size = 1 + rnd() % (2 * a->size + 64);
		DPX_TEST_RUN(check_contents(a));
		if (mheap_resize(h, a->p, size)) {
			DPX_TEST_ASSERT(mheap_usable(mheap_elem_of(a->p)) >= size, "");
			for (size_t i = a->size; i < size; i++)
				a->p[i] = (uint8_t)(a->fill + i);
			a->size = size;
		}
		return DPX_TEST_SUCCESS;
	}
	if (a->p != NULL) {
		DPX_TEST_RUN(check_contents(a));
		mheap_free(h, a->p, &rel);
		a->p = NULL;
		return model_release(area, &rel);
	}
	size_t size = 1 + rnd() % (rnd() % 4 == 0 ? 3 * MODEL_PAGE : 300);
	size_t align = (size_t)1 << (rnd() % 13);
	a->p = mheap_alloc(h, size, align);
	if (a->p == NULL && model_grow(h, area, mheap_grow_len(size, align, MODEL_PAGE)))
		a->p = mheap_alloc(h, size, align);
	if (a->p == NULL)
		return DPX_TEST_SUCCESS; /* model memory full */
	DPX_TEST_ASSERT(((uintptr_t)a->p & (align - 1)) == 0, "align %zu", align);
	a->size = size;
	a->fill = (uint8_t)rnd();
	for (size_t i = 0; i < size; i++)
		a->p[i] = (uint8_t)(a->fill + i);
	return DPX_TEST_SUCCESS;
}

static int
test_malloc_heap_model(void)
{
	uint8_t *area = aligned_alloc(MODEL_PAGE, MODEL_PAGE * MODEL_PAGES);
	static struct model_alloc slots[MODEL_SLOTS];
	struct mheap h;
	struct mheap_release rel;

	DPX_TEST_ASSERT(area != NULL, "");
	mheap_init(&h, MODEL_PAGE, 0);
	for (int step = 0; step < 40000; step++) {
		int rc = model_step(&h, area, slots);
		if (rc != DPX_TEST_SUCCESS) {
			free(area);
			return rc;
		}
		if (step % 97 == 0)
			DPX_TEST_ASSERT_EQUAL(mheap_check(&h), 0, "step %d", step);
	}
	for (int i = 0; i < MODEL_SLOTS; i++) {
		if (slots[i].p == NULL)
			continue;
		DPX_TEST_RUN(check_contents(&slots[i]));
		mheap_free(&h, slots[i].p, &rel);
		slots[i].p = NULL;
		DPX_TEST_RUN(model_release(area, &rel));
	}
	DPX_TEST_ASSERT_EQUAL(mheap_check(&h), 0, "");
	/* every page went back: nothing is left in the heap */
	struct mheap_stats st;
	mheap_get_stats(&h, &st);
	DPX_TEST_ASSERT_EQUAL(st.total_bytes, 0, "");
	DPX_TEST_ASSERT_EQUAL(st.free_count + st.busy_count, 0, "");
	for (unsigned int i = 0; i < MODEL_PAGES; i++)
		DPX_TEST_ASSERT_EQUAL(page_in_heap[i], 0, "page %u", i);
	DPX_TEST_ASSERT(mheap_elem_of(area + 64) == NULL, "stray pointer not taken for ours");
	free(area);
	return DPX_TEST_SUCCESS;
}
DPX_TEST_REGISTER(malloc_heap_model, fast, test_malloc_heap_model);

/* ---- dpx_malloc over --no-huge ---- */

static int
stats_add_up(int socket, struct dpx_malloc_socket_stats *st)
{
	DPX_TEST_ASSERT_EQUAL(dpx_malloc_get_socket_stats(socket, st), 0, "");
	DPX_TEST_ASSERT_EQUAL(st->heap_totalsz_bytes, st->heap_freesz_bytes + st->heap_allocsz_bytes,
			      "total = free + allocated");
	DPX_TEST_ASSERT(st->greatest_free_size <= st->heap_freesz_bytes, "");
	return DPX_TEST_SUCCESS;
}

#define RANDOM_SLOTS 200

static int
test_malloc_random(void)
{
	static struct model_alloc slots[RANDOM_SLOTS];
	struct dpx_malloc_socket_stats st;

	DPX_TEST_ASSERT(dpx_test_eal_init("--no-huge", NULL) > 0, "init");
	for (int step = 0; step < 20000; step++) {
		struct model_alloc *a = &slots[rnd() % RANDOM_SLOTS];
		if (a->p != NULL) {
			DPX_TEST_RUN(check_contents(a));
			dpx_free(a->p);
			a->p = NULL;
			continue;
		}
		size_t size = 1 + rnd() % (rnd() % 16 == 0 ? (5u << 20) : 2000);
		unsigned int align = rnd() % 3 == 0 ? 0 : 1u << (rnd() % 16);
		a->p = dpx_malloc("test", size, align);
		DPX_TEST_ASSERT(a->p != NULL, "size %zu align %u: %s", size, align,
				dpx_strerror(dpx_errno));
		DPX_TEST_ASSERT(((uintptr_t)a->p & ((align ? align : DPX_CACHE_LINE_SIZE) - 1)) == 0,
				"align %u", align);
		DPX_TEST_ASSERT(dpx_malloc_usable_size(a->p) >= size, "");
		DPX_TEST_ASSERT(dpx_mem_virt2iova(a->p) == (dpx_iova_t)(uintptr_t)a->p, "IOVA as VA");
		a->size = size;
		a->fill = (uint8_t)rnd();
		for (size_t i = 0; i < size; i++)
			a->p[i] = (uint8_t)(a->fill + i);
		if (step % 1000 == 0)
			DPX_TEST_RUN(stats_add_up(0, &st));
	}
	DPX_TEST_RUN(stats_add_up(0, &st));
	DPX_TEST_ASSERT(st.grow_count > 0 && st.shrink_count > 0, "grew %" PRIu64 " shrank %" PRIu64,
			st.grow_count, st.shrink_count);
	for (int i = 0; i < RANDOM_SLOTS; i++) {
		if (slots[i].p != NULL)
			DPX_TEST_RUN(check_contents(&slots[i]));
		dpx_free(slots[i].p);
		slots[i].p = NULL;
	}
	/* every page given back */
	DPX_TEST_RUN(stats_add_up(0, &st));
	DPX_TEST_RUN(dpx_test_heap_empty(0));
	DPX_TEST_ASSERT_EQUAL(dpx_eal_cleanup(), 0, "");
	return DPX_TEST_SUCCESS;
}
DPX_TEST_REGISTER(malloc_random, fast, test_malloc_random);

static int
test_malloc_zmalloc_calloc(void)
{
	DPX_TEST_ASSERT(dpx_test_eal_init("--no-huge", NULL) > 0, "init");
	/* dirty memory first, so zeroes cannot come from fresh pages by luck */
	uint8_t *d = dpx_malloc("dirty", 100000, 0);
	DPX_TEST_ASSERT(d != NULL, "");
	memset(d, 0xa5, 100000);
	uint8_t *keep = dpx_malloc("keep", 64, 0); /* holds the page so it is reused */
	dpx_free(d);
	uint8_t *z = dpx_zmalloc("z", 99000, 0);
	DPX_TEST_ASSERT(z == d, "reuses the freed element (%p vs %p)", (void *)z, (void *)d);
	for (size_t i = 0; i < 99000; i++)
		DPX_TEST_ASSERT_EQUAL(z[i], 0, "byte %zu", i);
	dpx_free(z);
	uint32_t *c = dpx_calloc("c", 1000, sizeof(uint32_t), 4096);
	DPX_TEST_ASSERT(c != NULL && ((uintptr_t)c & 4095) == 0, "");
	for (size_t i = 0; i < 1000; i++)
		DPX_TEST_ASSERT_EQUAL(c[i], 0, "word %zu", i);
	dpx_free(c);
	DPX_TEST_ASSERT(dpx_calloc("c", SIZE_MAX / 2, 4, 0) == NULL, "overflow");
	DPX_TEST_ASSERT_EQUAL(dpx_errno, EINVAL, "");
	dpx_free(keep);
	DPX_TEST_ASSERT_EQUAL(dpx_eal_cleanup(), 0, "");
	return DPX_TEST_SUCCESS;
}
DPX_TEST_REGISTER(malloc_zmalloc_calloc, fast, test_malloc_zmalloc_calloc);

static int
test_malloc_realloc(void)
{
	DPX_TEST_ASSERT(dpx_test_eal_init("--no-huge", NULL) > 0, "init");
	uint8_t *p = dpx_realloc(NULL, 100, 0);
	DPX_TEST_ASSERT(p != NULL, "NULL behaves as malloc");
	for (int i = 0; i < 100; i++)
		p[i] = (uint8_t)i;
	uint8_t *q = dpx_realloc(p, 120, 0);
	DPX_TEST_ASSERT(q == p, "fits in the same element (usable %zu)", dpx_malloc_usable_size(p));
	q = dpx_realloc(p, 5000, 0);
	DPX_TEST_ASSERT(q == p, "grows in place into the free neighbour");
	uint8_t *block = dpx_malloc("block", 64, 0); /* sits right after q */
	uint8_t *r = dpx_realloc(q, 3u << 20, 0);
	DPX_TEST_ASSERT(r != NULL && r != q, "moved");
	for (int i = 0; i < 100; i++)
		DPX_TEST_ASSERT_EQUAL(r[i], i, "byte %d kept", i);
	uint8_t *s = dpx_realloc(r, 10, 1 << 20);
	DPX_TEST_ASSERT(s != NULL && ((uintptr_t)s & ((1 << 20) - 1)) == 0, "new alignment");
	for (int i = 0; i < 10; i++)
		DPX_TEST_ASSERT_EQUAL(s[i], i, "byte %d kept", i);
	DPX_TEST_ASSERT(dpx_realloc(s, 0, 0) == NULL && dpx_errno == EINVAL, "size 0");
	int local;
	DPX_TEST_ASSERT(dpx_realloc(&local, 10, 0) == NULL && dpx_errno == EINVAL, "not ours");
	dpx_free(s);
	dpx_free(block);
	struct dpx_malloc_socket_stats st;
	DPX_TEST_RUN(stats_add_up(0, &st));
	DPX_TEST_RUN(dpx_test_heap_empty(0));
	DPX_TEST_ASSERT_EQUAL(dpx_eal_cleanup(), 0, "");
	return DPX_TEST_SUCCESS;
}
DPX_TEST_REGISTER(malloc_realloc, fast, test_malloc_realloc);

static int
test_malloc_errors(void)
{
	int local = 0;

	DPX_TEST_ASSERT(dpx_malloc("x", 10, 0) == NULL && dpx_errno == EINVAL, "before init");
	DPX_TEST_ASSERT(dpx_test_eal_init("--no-huge", "-m", "8", NULL) > 0, "init");
	DPX_TEST_ASSERT(dpx_malloc("x", 0, 0) == NULL && dpx_errno == EINVAL, "size 0");
	DPX_TEST_ASSERT(dpx_malloc("x", 10, 48) == NULL && dpx_errno == EINVAL, "align 48");
	DPX_TEST_ASSERT(dpx_malloc_socket("x", 10, 0, DPX_MAX_NUMA_NODES) == NULL &&
				dpx_errno == EINVAL, "no such socket");
	/* -m 8: four 2 MB units at most */
	DPX_TEST_ASSERT(dpx_malloc("x", 9u << 20, 0) == NULL && dpx_errno == ENOMEM, "over the cap");
	void *a = dpx_malloc("x", 7u << 20, 0);
	DPX_TEST_ASSERT(a != NULL, "within the cap: %s", dpx_strerror(dpx_errno));
	DPX_TEST_ASSERT(dpx_malloc("x", 2u << 20, 0) == NULL && dpx_errno == ENOMEM, "cap reached");
	dpx_free(&local); /* logged and ignored */
	dpx_free(a);
	dpx_free(a); /* double free: logged and ignored */
	void *b = dpx_malloc("x", 7u << 20, 0);
	DPX_TEST_ASSERT(b != NULL, "pages came back under the cap");
	dpx_free(b);
	DPX_TEST_ASSERT_EQUAL(dpx_malloc_usable_size(&local), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_malloc_virt2iova(&local), DPX_BAD_IOVA, "");
	DPX_TEST_ASSERT_EQUAL(dpx_malloc_get_socket_stats(DPX_MAX_NUMA_NODES, NULL), -EINVAL, "");
	dpx_malloc_dump_stats(stdout, NULL);
	DPX_TEST_ASSERT_EQUAL(dpx_eal_cleanup(), 0, "");
	return DPX_TEST_SUCCESS;
}
DPX_TEST_REGISTER(malloc_errors, fast, test_malloc_errors);

/*
 * Sizes and alignments whose arithmetic overflows somewhere (header rounding,
 * the page count of a heap growth, num * size) are refused with an error: the
 * heap never takes in memory that was not mapped for it.
 */
static int
test_malloc_huge_sizes(void)
{
	static const size_t sizes[] = {
		SIZE_MAX, SIZE_MAX - 63, SIZE_MAX - (4u << 20), (size_t)1 << 63,
		((size_t)1 << 53) + 1, /* 2^32 + 1 pages of 2 MB: the count wraps to 1 */
		((size_t)1 << 53) - 128, /* exactly 2^32 pages: the count wraps to 0 */
		(size_t)1 << 40,
	};

	DPX_TEST_ASSERT(dpx_test_eal_init("--no-huge", "--in-memory", NULL) > 0, "init");
	for (size_t i = 0; i < DPX_DIM(sizes); i++) {
		DPX_TEST_ASSERT(dpx_malloc("x", sizes[i], 0) == NULL, "size %zu", sizes[i]);
		DPX_TEST_ASSERT_EQUAL(dpx_errno, ENOMEM, "size %zu", sizes[i]);
		DPX_TEST_ASSERT(dpx_malloc("x", sizes[i], 1u << 31) == NULL, "size %zu", sizes[i]);
		DPX_TEST_ASSERT_EQUAL(dpx_errno, ENOMEM, "size %zu, align 2^31", sizes[i]);
	}
	DPX_TEST_ASSERT(dpx_calloc("x", SIZE_MAX / 2, 3, 0) == NULL && dpx_errno == EINVAL, "");
	void *p = dpx_malloc("x", 100, 0);
	DPX_TEST_ASSERT(p != NULL, "");
	DPX_TEST_ASSERT(dpx_realloc(p, SIZE_MAX - 10, 0) == NULL && dpx_errno == ENOMEM, "");
	DPX_TEST_ASSERT(dpx_realloc(p, (size_t)1 << 53, 0) == NULL && dpx_errno == ENOMEM, "");
	DPX_TEST_ASSERT_EQUAL(dpx_malloc_usable_size(p) >= 100, 1, "old allocation untouched");
	/* a big alignment still works where it can */
	void *q = dpx_malloc("x", 64, 1u << 22);
	DPX_TEST_ASSERT(q != NULL && ((uintptr_t)q & ((1u << 22) - 1)) == 0, "4 MB aligned");
	dpx_free(q);
	dpx_free(p);
	DPX_TEST_RUN(dpx_test_heap_empty(0));
	DPX_TEST_ASSERT_EQUAL(dpx_eal_cleanup(), 0, "");
	return DPX_TEST_SUCCESS;
}
DPX_TEST_REGISTER(malloc_huge_sizes, fast, test_malloc_huge_sizes);

#define CONC_ITERS 3000
#define CONC_SLOTS 64

static int
concurrent_worker(void *arg)
{
	uint64_t seed = 0x9e3779b97f4a7c15ULL * (dpx_lcore_id() + 1);
	struct model_alloc slots[CONC_SLOTS] = {{0}};
	int bad = 0;

	(void)arg;
	for (int it = 0; it < CONC_ITERS; it++) {
		dpx_test_rand(&seed);
		struct model_alloc *a = &slots[seed % CONC_SLOTS];
		if (a->p != NULL) {
			for (size_t i = 0; i < a->size; i++)
				bad |= a->p[i] != (uint8_t)(a->fill + i);
			dpx_free(a->p);
			a->p = NULL;
			continue;
		}
		a->size = 1 + (seed >> 20) % ((seed & 64) ? 300000 : 1000);
		a->p = dpx_malloc("conc", a->size, 0);
		if (a->p == NULL)
			return -1;
		a->fill = (uint8_t)(seed >> 8);
		for (size_t i = 0; i < a->size; i++)
			a->p[i] = (uint8_t)(a->fill + i);
	}
	for (int i = 0; i < CONC_SLOTS; i++)
		dpx_free(slots[i].p);
	return bad;
}

static int
test_malloc_concurrent(void)
{
	char map[32];
	unsigned int i;
	struct dpx_malloc_socket_stats st;

	snprintf(map, sizeof(map), "0-3@%d", sched_getcpu());
	DPX_TEST_ASSERT(dpx_test_eal_init("--no-huge", "--lcores", map, NULL) > 0, "init");
	DPX_TEST_ASSERT_EQUAL(dpx_eal_mp_remote_launch(concurrent_worker, NULL, 0), 0, "");
	DPX_TEST_ASSERT_EQUAL(concurrent_worker(NULL), 0, "main lcore saw its bytes intact");
	DPX_LCORE_FOREACH_WORKER(i)
		DPX_TEST_ASSERT_EQUAL(dpx_eal_wait_lcore(i), 0, "lcore %u saw its bytes intact", i);
	DPX_TEST_RUN(stats_add_up(0, &st));
	DPX_TEST_ASSERT(st.grow_count > 0, "");
	DPX_TEST_RUN(dpx_test_heap_empty(0));
	DPX_TEST_ASSERT_EQUAL(dpx_eal_cleanup(), 0, "");
	return DPX_TEST_SUCCESS;
}
DPX_TEST_REGISTER(malloc_concurrent, fast, test_malloc_concurrent);

static int
test_malloc_socket_mem_cap(void)
{
	struct dpx_malloc_socket_stats st;

	DPX_TEST_ASSERT(dpx_test_eal_init("--no-huge", "--socket-mem", "6", NULL) < 0,
			"--socket-mem needs hugepages (the parser says so)");
	/* the cap is enforced the same way for -m; --socket-mem checks need a hugepage run */
	DPX_TEST_ASSERT(dpx_test_eal_init("--no-huge", "-m", "6", NULL) > 0, "init");
	void *a = dpx_malloc_socket("x", 3u << 20, 0, 0);
	DPX_TEST_ASSERT(a != NULL, "");
	DPX_TEST_ASSERT(dpx_malloc_socket("x", 2u << 20, 0, 0) == NULL && dpx_errno == ENOMEM,
			"two units taken, a third would pass 6 MB");
	void *b = dpx_malloc_socket("x", 512u << 10, 0, 0);
	DPX_TEST_ASSERT(b != NULL, "fits in the pages already mapped");
	DPX_TEST_ASSERT_EQUAL(dpx_malloc_get_socket_stats(0, &st), 0, "");
	DPX_TEST_ASSERT_EQUAL(st.pages_mapped, 2, "");
	dpx_free(a);
	dpx_free(b);
	DPX_TEST_ASSERT_EQUAL(dpx_eal_cleanup(), 0, "");
	return DPX_TEST_SUCCESS;
}
DPX_TEST_REGISTER(malloc_socket_mem_cap, fast, test_malloc_socket_mem_cap);

static int
test_mem_init_option_errors(void)
{
	/* both are refused before any hugepage is looked for: fast on any machine */
	DPX_TEST_ASSERT_EQUAL(dpx_test_eal_init("--no-huge", "--iova-mode=pa", NULL), -EINVAL,
			      "PA needs hugepages");
	DPX_TEST_ASSERT(!dpx_eal_is_initialized(), "");
	DPX_TEST_ASSERT_EQUAL(dpx_test_eal_init("--huge-dir", "/proc", NULL), -EINVAL,
			      "not a hugetlbfs mount");
	DPX_TEST_ASSERT(!dpx_eal_is_initialized(), "");
	DPX_TEST_ASSERT(dpx_test_eal_init("--no-huge", "--iova-mode=va", NULL) > 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eal_iova_mode(), DPX_IOVA_VA, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eal_cleanup(), 0, "");
	return DPX_TEST_SUCCESS;
}
DPX_TEST_REGISTER(mem_init_option_errors, fast, test_mem_init_option_errors);
