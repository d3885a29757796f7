/* SPDX-License-Identifier: BSD-3-Clause */
/* mempool: argument errors, cache behaviour and counts, exhaustion, iteration and IOVA, lcores. */
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>

#include <dpx_memory.h>
#include <dpx_mempool.h>

#include "dpx_test.h"
#include "test_pkt.h"

/* avail + in_use == size, and avail is what the model says */
#define CHECK_COUNTS(mp, expect_avail)                                                             \
	do {                                                                                       \
		DPX_TEST_ASSERT_EQUAL(dpx_mempool_avail_count(mp), (expect_avail), "avail");       \
		DPX_TEST_ASSERT_EQUAL(dpx_mempool_avail_count(mp) + dpx_mempool_in_use_count(mp),  \
				      dpx_mempool_get_size(mp), "avail + in_use");                 \
	} while (0)

static int
test_mempool_create_errors(void)
{
	struct dpx_mempool *mp;
	unsigned int allocs;

	DPX_TEST_ASSERT(dpx_test_eal_init("--no-huge", "--in-memory", NULL) > 0, "init");
	allocs = heap_allocs();
	DPX_TEST_ASSERT(dpx_mempool_create("p", 0, 64, 0, 0, NULL, NULL, -1, 0) == NULL, "");
	DPX_TEST_ASSERT_EQUAL(dpx_errno, EINVAL, "n = 0");
	DPX_TEST_ASSERT(dpx_mempool_create("p", 64, 0, 0, 0, NULL, NULL, -1, 0) == NULL, "");
	DPX_TEST_ASSERT_EQUAL(dpx_errno, EINVAL, "elt_size = 0");
	DPX_TEST_ASSERT(dpx_mempool_create("p", 4096, 64, 513, 0, NULL, NULL, -1, 0) == NULL, "");
	DPX_TEST_ASSERT_EQUAL(dpx_errno, EINVAL, "cache above the maximum");
	DPX_TEST_ASSERT(dpx_mempool_create("p", 100, 64, 68, 0, NULL, NULL, -1, 0) == NULL, "");
	DPX_TEST_ASSERT_EQUAL(dpx_errno, EINVAL, "1.5 x cache > n");
	DPX_TEST_ASSERT(dpx_mempool_create("p", 100, 64, 0, 0, NULL, NULL, -1, 0x80) == NULL, "");
	DPX_TEST_ASSERT_EQUAL(dpx_errno, EINVAL, "unknown flag");
	DPX_TEST_ASSERT(dpx_mempool_create(NULL, 100, 64, 0, 0, NULL, NULL, -1, 0) == NULL, "");
	DPX_TEST_ASSERT_EQUAL(dpx_errno, EINVAL, "no name");
	mp = dpx_mempool_create("p", 100, 64, 66, 24, NULL, NULL, DPX_SOCKET_ID_ANY, 0);
	DPX_TEST_ASSERT(mp != NULL, "create: %s", dpx_strerror(dpx_errno));
	DPX_TEST_ASSERT(dpx_mempool_create("p", 10, 8, 0, 0, NULL, NULL, -1, 0) == NULL, "");
	DPX_TEST_ASSERT_EQUAL(dpx_errno, EEXIST, "duplicate name");
	DPX_TEST_ASSERT(dpx_mempool_lookup("p") == mp, "");
	DPX_TEST_ASSERT(dpx_mempool_lookup("q") == NULL, "");
	DPX_TEST_ASSERT_EQUAL(dpx_errno, ENOENT, "");
	DPX_TEST_ASSERT_EQUAL(dpx_mempool_get_size(mp), 100, "");
	DPX_TEST_ASSERT_EQUAL(dpx_mempool_get_elt_size(mp), 64, "");
	DPX_TEST_ASSERT_EQUAL(dpx_mempool_get_cache_size(mp), 66, "");
	DPX_TEST_ASSERT_EQUAL(dpx_mempool_get_private_data_size(mp), 24, "");
	unsigned char *priv = dpx_mempool_get_priv(mp);
	for (unsigned int i = 0; i < 24; i++)
		DPX_TEST_ASSERT_EQUAL(priv[i], 0, "private area zeroed at %u", i);
	DPX_TEST_ASSERT(dpx_mempool_full(mp) && !dpx_mempool_empty(mp), "");
	CHECK_COUNTS(mp, 100);
	dpx_mempool_free(mp);
	DPX_TEST_ASSERT(dpx_mempool_lookup("p") == NULL, "freed pool is gone");
	dpx_mempool_free(NULL);
	DPX_TEST_ASSERT_EQUAL(heap_allocs(), allocs, "failed creates and free left nothing");
	DPX_TEST_ASSERT_EQUAL(dpx_eal_cleanup(), 0, "");
	return DPX_TEST_SUCCESS;
}
DPX_TEST_REGISTER(mempool_create_errors, fast, test_mempool_create_errors);

struct nonlcore_arg {
	struct dpx_mempool *mp;
	int rc;
};

static void *
nonlcore_get_put(void *arg)
{
	struct nonlcore_arg *a = arg;
	void *objs[10];

	a->rc = dpx_mempool_get_bulk(a->mp, objs, 10);
	if (a->rc == 0)
		dpx_mempool_put_bulk(a->mp, objs, 10);
	return NULL;
}

static int
test_mempool_cache(void)
{
	enum { N = 1024, CACHE = 32 };
	struct dpx_mempool_stats st;
	void *a, *b, *objs[64];
	unsigned int me;

	DPX_TEST_ASSERT(dpx_test_eal_init("--no-huge", "--in-memory", NULL) > 0, "init");
	me = dpx_lcore_id();
	struct dpx_mempool *mp = dpx_mempool_create("c", N, 100, CACHE, 0, NULL, NULL, -1, 0);
	DPX_TEST_ASSERT(mp != NULL, "");
	DPX_TEST_ASSERT_EQUAL(dpx_mempool_cache_count(mp, me), 0, "");
	/* first get: the cache is refilled with the request plus cache_size */
	DPX_TEST_ASSERT_EQUAL(dpx_mempool_get(mp, &a), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_mempool_cache_count(mp, me), CACHE, "refilled to size");
	CHECK_COUNTS(mp, N - 1);
	/* put then get: the same object comes back from the cache (LIFO) */
	dpx_mempool_put(mp, a);
	DPX_TEST_ASSERT_EQUAL(dpx_mempool_cache_count(mp, me), CACHE + 1, "");
	DPX_TEST_ASSERT_EQUAL(dpx_mempool_get(mp, &b), 0, "");
	DPX_TEST_ASSERT(a == b, "object back from the cache");
	DPX_TEST_ASSERT_EQUAL(dpx_mempool_stats_get(mp, &st), 0, "");
	DPX_TEST_ASSERT_EQUAL(st.get_cache_objs, 1, "one cache hit");
	DPX_TEST_ASSERT_EQUAL(st.get_success_objs, 2, "");
	DPX_TEST_ASSERT_EQUAL(st.put_cache_objs, 1, "");
	CHECK_COUNTS(mp, N - 1);
	/* fill past the flush threshold (1.5 x 32 = 48): back to 32 in the cache */
	DPX_TEST_ASSERT_EQUAL(dpx_mempool_get_bulk(mp, objs, 31), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_mempool_cache_count(mp, me), 1, "31 of 32 from the cache");
	DPX_TEST_ASSERT_EQUAL(dpx_mempool_get_bulk(mp, objs + 31, 16), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_mempool_cache_count(mp, me), CACHE, "refill: 16 + 32");
	CHECK_COUNTS(mp, N - 48);
	dpx_mempool_put_bulk(mp, objs, 15);
	DPX_TEST_ASSERT_EQUAL(dpx_mempool_cache_count(mp, me), 47, "just under the threshold");
	dpx_mempool_put(mp, b);
	DPX_TEST_ASSERT_EQUAL(dpx_mempool_cache_count(mp, me), CACHE, "flushed at 48 back to 32");
	CHECK_COUNTS(mp, N - 32);
	/* requests larger than the cache go to the ring; the cache is untouched */
	void *big[33];
	DPX_TEST_ASSERT_EQUAL(dpx_mempool_get_bulk(mp, big, 33), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_mempool_cache_count(mp, me), CACHE, "33 > cache size");
	CHECK_COUNTS(mp, N - 32 - 33);
	dpx_mempool_put_bulk(mp, big, 33);
	DPX_TEST_ASSERT_EQUAL(dpx_mempool_cache_count(mp, me), CACHE, "");
	/* a put of exactly cache_size goes to the cache, then flushes back to size */
	dpx_mempool_put_bulk(mp, objs + 15, 32);
	DPX_TEST_ASSERT_EQUAL(dpx_mempool_cache_count(mp, me), CACHE, "64 flushed to 32");
	CHECK_COUNTS(mp, N);
	/* a thread without an lcore bypasses the cache */
	struct nonlcore_arg na = {mp, -1};
	pthread_t t;
	DPX_TEST_ASSERT_EQUAL(pthread_create(&t, NULL, nonlcore_get_put, &na), 0, "");
	pthread_join(t, NULL);
	DPX_TEST_ASSERT_EQUAL(na.rc, 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_mempool_cache_count(mp, me), CACHE, "");
	CHECK_COUNTS(mp, N);
	/* the counters add up: every object got was put back */
	DPX_TEST_ASSERT_EQUAL(dpx_mempool_stats_get(mp, &st), 0, "");
	DPX_TEST_ASSERT_EQUAL(st.get_success_objs, st.put_objs, "");
	DPX_TEST_ASSERT_EQUAL(st.get_success_objs, 1 + 1 + 31 + 16 + 33 + 10, "");
	DPX_TEST_ASSERT_EQUAL(st.get_cache_objs, 1 + 31, "");
	DPX_TEST_ASSERT_EQUAL(st.put_cache_objs, 1 + 15 + 1 + 32, "");
	DPX_TEST_ASSERT_EQUAL(st.get_success_bulk, 6, "");
	DPX_TEST_ASSERT_EQUAL(st.get_fail_bulk, 0, "");
	dpx_mempool_cache_flush(mp);
	DPX_TEST_ASSERT_EQUAL(dpx_mempool_cache_count(mp, me), 0, "");
	CHECK_COUNTS(mp, N);
	dpx_mempool_stats_reset(mp);
	DPX_TEST_ASSERT_EQUAL(dpx_mempool_stats_get(mp, &st), 0, "");
	DPX_TEST_ASSERT_EQUAL(st.put_objs, 0, "");
	dpx_mempool_dump(stdout, mp);
	dpx_mempool_free(mp);
	DPX_TEST_ASSERT_EQUAL(dpx_eal_cleanup(), 0, "");
	return DPX_TEST_SUCCESS;
}
DPX_TEST_REGISTER(mempool_cache, fast, test_mempool_cache);

/*
 * A get larger than the cache when the ring alone holds too few: this
 * thread's cached objects are available to it and make up the rest (all or
 * none), including when the cache alone holds them all.
 */
static int
test_mempool_get_beyond_cache(void)
{
	enum { N = 100, CACHE = 64 };
	void *objs[N + 1];
	unsigned int me;

	DPX_TEST_ASSERT(dpx_test_eal_init("--no-huge", "--in-memory", NULL) > 0, "init");
	me = dpx_lcore_id();
	struct dpx_mempool *mp = dpx_mempool_create("big", N, 64, CACHE, 0, NULL, NULL, -1, 0);
	DPX_TEST_ASSERT(mp != NULL, "");
	/* the first get refills: 64 + 64 is more than the ring has, so just 64 */
	DPX_TEST_ASSERT_EQUAL(dpx_mempool_get_bulk(mp, objs, CACHE), 0, "");
	dpx_mempool_put_bulk(mp, objs, CACHE); /* 64 < 96: all stay in the cache */
	DPX_TEST_ASSERT_EQUAL(dpx_mempool_cache_count(mp, me), CACHE, "");
	DPX_TEST_ASSERT_EQUAL(dpx_mempool_avail_count(mp), N, "");
	/* 80 > cache size; the ring has 36, the cache 64 */
	DPX_TEST_ASSERT_EQUAL(dpx_mempool_get_bulk(mp, objs, 80), 0, "64 cached + 16 from ring");
	DPX_TEST_ASSERT_EQUAL(dpx_mempool_cache_count(mp, me), 0, "the cached ones first");
	DPX_TEST_ASSERT_EQUAL(dpx_mempool_avail_count(mp), N - 80, "");
	DPX_TEST_ASSERT_EQUAL(dpx_mempool_get_bulk(mp, objs + 80, 21), -ENOENT, "only 20 left");
	DPX_TEST_ASSERT_EQUAL(dpx_mempool_get_bulk(mp, objs + 80, 65), -ENOENT, "beyond the cache");
	DPX_TEST_ASSERT_EQUAL(dpx_mempool_avail_count(mp), N - 80, "nothing taken");
	DPX_TEST_ASSERT_EQUAL(dpx_mempool_get_bulk(mp, objs + 80, 20), 0, "");
	for (unsigned int i = 0; i < N; i++)
		for (unsigned int j = 0; j < i; j++)
			DPX_TEST_ASSERT(objs[i] != objs[j], "object %u handed out twice", i);
	dpx_mempool_put_bulk(mp, objs, N);
	/* the cache alone holds a request beyond its size: 94 cached (< 96), 6 in the ring */
	DPX_TEST_ASSERT_EQUAL(dpx_mempool_get_bulk(mp, objs, CACHE), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_mempool_get_bulk(mp, objs + CACHE, 30), 0, "");
	dpx_mempool_put_bulk(mp, objs, CACHE);
	dpx_mempool_put_bulk(mp, objs + CACHE, 30);
	DPX_TEST_ASSERT_EQUAL(dpx_mempool_cache_count(mp, me), 94, "");
	DPX_TEST_ASSERT_EQUAL(dpx_mempool_get_bulk(mp, objs, 70), 0, "all 70 from the cache");
	DPX_TEST_ASSERT_EQUAL(dpx_mempool_cache_count(mp, me), 24, "");
	dpx_mempool_put_bulk(mp, objs, 70);
	return pool_and_eal_done(mp, N);
}
DPX_TEST_REGISTER(mempool_get_beyond_cache, fast, test_mempool_get_beyond_cache);

static int
exhaust(unsigned int cache_size)
{
	enum { N = 100 };
	struct dpx_mempool_stats st;
	void *objs[N + 1];
	struct dpx_mempool *mp = dpx_mempool_create("x", N, 32, cache_size, 0, NULL, NULL, -1, 0);
	unsigned int got = 0;

	DPX_TEST_ASSERT(mp != NULL, "");
	while (got + 10 <= N) {
		DPX_TEST_ASSERT_EQUAL(dpx_mempool_get_bulk(mp, objs + got, 10), 0, "at %u", got);
		got += 10;
		CHECK_COUNTS(mp, N - got);
	}
	DPX_TEST_ASSERT(dpx_mempool_empty(mp), "");
	DPX_TEST_ASSERT_EQUAL(dpx_mempool_get(mp, &objs[N]), -ENOENT, "");
	dpx_mempool_put_bulk(mp, objs + N - 3, 3);
	CHECK_COUNTS(mp, 3);
	DPX_TEST_ASSERT_EQUAL(dpx_mempool_get_bulk(mp, objs + N - 3, 5), -ENOENT, "3 of 5");
	CHECK_COUNTS(mp, 3);
	DPX_TEST_ASSERT_EQUAL(dpx_mempool_get_bulk(mp, objs + N - 3, 3), 0, "exactly 3");
	CHECK_COUNTS(mp, 0);
	for (unsigned int i = 0; i < N; i++)
		for (unsigned int j = i + 1; j < N; j++)
			DPX_TEST_ASSERT(objs[i] != objs[j], "object %u handed out twice", i);
	DPX_TEST_ASSERT_EQUAL(dpx_mempool_stats_get(mp, &st), 0, "");
	DPX_TEST_ASSERT_EQUAL(st.get_fail_bulk, 2, "");
	DPX_TEST_ASSERT_EQUAL(st.get_fail_objs, 6, "");
	dpx_mempool_put_bulk(mp, objs, N);
	CHECK_COUNTS(mp, N);
	dpx_mempool_free(mp);
	return DPX_TEST_SUCCESS;
}

static int
test_mempool_exhaustion(void)
{
	DPX_TEST_ASSERT(dpx_test_eal_init("--no-huge", "--in-memory", NULL) > 0, "init");
	DPX_TEST_RUN(exhaust(0));
	DPX_TEST_RUN(exhaust(16));
	DPX_TEST_ASSERT_EQUAL(dpx_eal_cleanup(), 0, "");
	return DPX_TEST_SUCCESS;
}
DPX_TEST_REGISTER(mempool_exhaustion, fast, test_mempool_exhaustion);

struct iter_state {
	unsigned int visits;
	unsigned int errors;
	unsigned int elt_size;
};

static void
init_obj(struct dpx_mempool *mp, void *opaque, void *obj, unsigned int idx)
{
	(void)mp;
	*(unsigned int *)obj = idx;
	(*(unsigned int *)opaque)++;
}

static void
check_obj(struct dpx_mempool *mp, void *arg, void *obj, unsigned int idx)
{
	struct iter_state *s = arg;

	if (*(unsigned int *)obj != idx || dpx_mempool_from_obj(obj) != mp ||
	    ((uintptr_t)obj % DPX_CACHE_LINE_SIZE) != 0 ||
	    dpx_mempool_virt2iova(obj) != dpx_mem_virt2iova(obj)) {
		printf("object %u at %p: value %u iova %#" PRIx64 " (memory says %#" PRIx64 ")\n",
		       idx, obj, *(unsigned int *)obj, dpx_mempool_virt2iova(obj),
		       dpx_mem_virt2iova(obj));
		s->errors++;
	}
	if (dpx_mempool_virt2iova(obj) != DPX_BAD_IOVA &&
	    dpx_mem_virt2iova((char *)obj + s->elt_size - 1) !=
		    dpx_mempool_virt2iova(obj) + s->elt_size - 1)
		s->errors++;
	s->visits++;
}

static int
iter_check(unsigned int n, unsigned int elt_size)
{
	struct iter_state s = {0, 0, elt_size};
	unsigned int inits = 0;
	struct dpx_mempool *mp = dpx_mempool_create("it", n, elt_size, 0, 0, init_obj, &inits, -1, 0);

	DPX_TEST_ASSERT(mp != NULL, "");
	DPX_TEST_ASSERT_EQUAL(inits, n, "obj_init ran once per object");
	DPX_TEST_ASSERT_EQUAL(dpx_mempool_obj_iter(mp, check_obj, &s), n, "");
	DPX_TEST_ASSERT_EQUAL(s.visits, n, "");
	DPX_TEST_ASSERT_EQUAL(s.errors, 0, "");
	dpx_mempool_free(mp);
	return DPX_TEST_SUCCESS;
}

static int
test_mempool_iter_iova(void)
{
	DPX_TEST_ASSERT(dpx_test_eal_init("--no-huge", "--in-memory", NULL) > 0, "init");
	DPX_TEST_RUN(iter_check(1000, 24));
	DPX_TEST_RUN(iter_check(300, 2304));
	DPX_TEST_RUN(iter_check(20, 9000));
	DPX_TEST_ASSERT_EQUAL(dpx_eal_cleanup(), 0, "");
	return DPX_TEST_SUCCESS;
}
DPX_TEST_REGISTER(mempool_iter_iova, fast, test_mempool_iter_iova);

/*
 * Several lcores get and put through their caches at once; each writes its
 * id into what it holds and checks it is still there before putting back (an
 * object handed to two lcores would be overwritten). At the end every object
 * is available again. The four lcores share one CPU on purpose: a thread
 * preempted inside a ring call holds up the others until they yield to it
 * (ring.md, "Waiting on a preempted reserver").
 */
struct mt_state {
	struct dpx_mempool *mp;
	unsigned long errors;
};

static int
mt_worker(void *arg)
{
	struct mt_state *s = arg;
	uintptr_t me = dpx_lcore_id() + 1;
	void *objs[40];

	for (unsigned int round = 0; round < 20000; round++) {
		unsigned int n = 1 + round % 40;
		if (dpx_mempool_get_bulk(s->mp, objs, n) != 0) {
			sched_yield();
			continue;
		}
		for (unsigned int i = 0; i < n; i++)
			*(volatile uintptr_t *)objs[i] = me;
		for (unsigned int i = 0; i < n; i++)
			if (*(volatile uintptr_t *)objs[i] != me)
				__atomic_fetch_add(&s->errors, 1, __ATOMIC_RELAXED);
		dpx_mempool_put_bulk(s->mp, objs, n);
	}
	return 0;
}

static int
test_mempool_lcores(void)
{
	int cpu = sched_getcpu();
	char map[32];
	struct mt_state s = {0};

	snprintf(map, sizeof(map), "0-3@%d", cpu);
	DPX_TEST_ASSERT(dpx_test_eal_init("--no-huge", "--in-memory", "--lcores", map, NULL) > 0, "");
	s.mp = dpx_mempool_create("mt", 256, 64, 32, 0, NULL, NULL, -1, 0);
	DPX_TEST_ASSERT(s.mp != NULL, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eal_mp_remote_launch(mt_worker, &s, 1), 0, "");
	dpx_eal_mp_wait_lcore();
	DPX_TEST_ASSERT_EQUAL(s.errors, 0, "objects shared between lcores");
	CHECK_COUNTS(s.mp, 256);
	struct dpx_mempool_stats st;
	dpx_mempool_stats_get(s.mp, &st);
	DPX_TEST_ASSERT_EQUAL(st.get_success_objs, st.put_objs, "");
	DPX_TEST_ASSERT(st.get_cache_objs > 0, "caches used");
	dpx_mempool_free(s.mp);
	DPX_TEST_ASSERT_EQUAL(dpx_eal_cleanup(), 0, "");
	return DPX_TEST_SUCCESS;
}
DPX_TEST_REGISTER(mempool_lcores, fast, test_mempool_lcores);
