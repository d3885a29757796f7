/* SPDX-License-Identifier: BSD-3-Clause */
/* Memzones: reserve, lookup, duplicate names, alignment, free. */
#include <sched.h>

#include <dpx_malloc.h>
#include <dpx_memzone.h>

#include "dpx_test.h"

static int
test_memzone_reserve_lookup_free(void)
{
	const struct dpx_memzone *a, *b;

	DPX_TEST_ASSERT(dpx_test_eal_init("--no-huge", NULL) > 0, "init");
	a = dpx_memzone_reserve("zone_a", 10000, DPX_SOCKET_ID_ANY, 0x5);
	DPX_TEST_ASSERT(a != NULL, "%s", dpx_strerror(dpx_errno));
	DPX_TEST_ASSERT(strcmp(a->name, "zone_a") == 0, "");
	DPX_TEST_ASSERT_EQUAL(a->len, 10000, "");
	DPX_TEST_ASSERT_EQUAL(a->flags, 0x5, "flags kept");
	DPX_TEST_ASSERT_EQUAL(a->socket_id, 0, "");
	DPX_TEST_ASSERT_EQUAL(a->iova, dpx_mem_virt2iova(a->addr), "");
	DPX_TEST_ASSERT_EQUAL((uintptr_t)a->addr % DPX_CACHE_LINE_SIZE, 0, "");
	for (size_t i = 0; i < a->len; i++)
		DPX_TEST_ASSERT_EQUAL(((uint8_t *)a->addr)[i], 0, "zeroed at %zu", i);
	memset(a->addr, 0x11, a->len);

	b = dpx_memzone_reserve_aligned("zone_b", 300, 0, 0, 1 << 16);
	DPX_TEST_ASSERT(b != NULL && ((uintptr_t)b->addr & 0xffff) == 0, "64 kB aligned");
	DPX_TEST_ASSERT(dpx_memzone_lookup("zone_a") == a, "");
	DPX_TEST_ASSERT(dpx_memzone_lookup("zone_b") == b, "");
	DPX_TEST_ASSERT(dpx_memzone_lookup("zone_c") == NULL && dpx_errno == ENOENT, "");
	DPX_TEST_ASSERT(dpx_memzone_lookup(NULL) == NULL && dpx_errno == EINVAL, "");

	DPX_TEST_ASSERT(dpx_memzone_reserve("zone_a", 10, DPX_SOCKET_ID_ANY, 0) == NULL, "");
	DPX_TEST_ASSERT_EQUAL(dpx_errno, EEXIST, "duplicate name");
	DPX_TEST_ASSERT(dpx_memzone_reserve("", 10, DPX_SOCKET_ID_ANY, 0) == NULL, "");
	DPX_TEST_ASSERT_EQUAL(dpx_errno, EINVAL, "empty name");
	DPX_TEST_ASSERT(dpx_memzone_reserve("zone_d", 0, DPX_SOCKET_ID_ANY, 0) == NULL, "");
	DPX_TEST_ASSERT_EQUAL(dpx_errno, EINVAL, "len 0");
	DPX_TEST_ASSERT(dpx_memzone_reserve("0123456789012345678901234567890123", 10, -1, 0) == NULL,
			"");
	DPX_TEST_ASSERT_EQUAL(dpx_errno, ENAMETOOLONG, "");
	DPX_TEST_ASSERT(dpx_memzone_reserve_aligned("zone_e", 10, -1, 0, 100) == NULL, "");
	DPX_TEST_ASSERT_EQUAL(dpx_errno, EINVAL, "align not a power of two");
	DPX_TEST_ASSERT(dpx_memzone_reserve("zone_f", 10, DPX_MAX_NUMA_NODES, 0) == NULL, "");
	DPX_TEST_ASSERT_EQUAL(dpx_errno, EINVAL, "bad socket");
	dpx_memzone_dump(stdout);

	DPX_TEST_ASSERT_EQUAL(dpx_memzone_free(a), 0, "");
	DPX_TEST_ASSERT(dpx_memzone_lookup("zone_a") == NULL, "gone");
	DPX_TEST_ASSERT_EQUAL(dpx_memzone_free(a), -EINVAL, "freed twice");
	DPX_TEST_ASSERT_EQUAL(dpx_memzone_free(NULL), -EINVAL, "");
	a = dpx_memzone_reserve("zone_a", 100, DPX_SOCKET_ID_ANY, 0);
	DPX_TEST_ASSERT(a != NULL, "name free again");
	for (size_t i = 0; i < a->len; i++)
		DPX_TEST_ASSERT_EQUAL(((uint8_t *)a->addr)[i], 0, "zeroed at %zu", i);
	DPX_TEST_ASSERT_EQUAL(dpx_memzone_free(a), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_memzone_free(b), 0, "");
	DPX_TEST_RUN(dpx_test_heap_empty(0));
	DPX_TEST_ASSERT_EQUAL(dpx_eal_cleanup(), 0, "");
	return DPX_TEST_SUCCESS;
}
DPX_TEST_REGISTER(memzone_reserve_lookup_free, fast, test_memzone_reserve_lookup_free);

static int
test_memzone_table_full_and_cleanup(void)
{
	char name[DPX_MEMZONE_NAMESIZE];
	int i;

	DPX_TEST_ASSERT(dpx_test_eal_init("--no-huge", NULL) > 0, "init");
	for (i = 0; i < DPX_MAX_MEMZONE; i++) {
		snprintf(name, sizeof(name), "mz%d", i);
		DPX_TEST_ASSERT(dpx_memzone_reserve(name, 64, DPX_SOCKET_ID_ANY, 0) != NULL, "%d", i);
	}
	DPX_TEST_ASSERT(dpx_memzone_reserve("one_more", 64, DPX_SOCKET_ID_ANY, 0) == NULL, "");
	DPX_TEST_ASSERT_EQUAL(dpx_errno, ENOSPC, "");
	/* cleanup releases zones left reserved; a new init starts empty */
	DPX_TEST_ASSERT_EQUAL(dpx_eal_cleanup(), 0, "");
	DPX_TEST_ASSERT(dpx_test_eal_init("--no-huge", NULL) > 0, "init again");
	DPX_TEST_ASSERT(dpx_memzone_lookup("mz0") == NULL, "");
	DPX_TEST_ASSERT(dpx_memzone_reserve("mz0", 64, DPX_SOCKET_ID_ANY, 0) != NULL, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eal_cleanup(), 0, "");
	return DPX_TEST_SUCCESS;
}
DPX_TEST_REGISTER(memzone_table_full_and_cleanup, fast, test_memzone_table_full_and_cleanup);

static const struct dpx_memzone *cb_zone;
static int cb_armed, cb_entered, cb_lookup_ok, cb_free_rc;

/* ALLOC callback: waits a moment for the main thread to be inside a reserve, then looks up. */
static int
lookup_in_callback(enum dpx_mem_event ev, const void *addr, size_t len, void *arg)
{
	(void)addr;
	(void)len;
	(void)arg;
	if (ev != DPX_MEM_EVENT_ALLOC || !__atomic_exchange_n(&cb_armed, 0, __ATOMIC_ACQ_REL))
		return 0;
	__atomic_store_n(&cb_entered, 1, __ATOMIC_RELEASE);
	dpx_delay_ms_sleep(100); /* ordering hint only: lets main block in its reserve */
	cb_lookup_ok = dpx_memzone_lookup("known") == cb_zone;
	cb_free_rc = dpx_memzone_free(cb_zone);
	return 0;
}

static int
grow_heap(void *arg)
{
	void *p = dpx_malloc("grow", 3u << 20, 0);

	(void)arg;
	dpx_free(p);
	return p != NULL ? 0 : -1;
}

/*
 * A memory event callback may look zones up while another thread reserves a
 * zone that grows the heap: the reserve must not hold the zone table across
 * the allocation (that deadlocked). Freeing a zone from a callback is refused.
 */
static int
test_memzone_lookup_from_callback(void)
{
	char map[32];

	snprintf(map, sizeof(map), "0-1@%d", sched_getcpu());
	DPX_TEST_ASSERT(dpx_test_eal_init("--no-huge", "--lcores", map, NULL) > 0, "init");
	cb_zone = dpx_memzone_reserve("known", 64, DPX_SOCKET_ID_ANY, 0);
	DPX_TEST_ASSERT(cb_zone != NULL, "");
	DPX_TEST_ASSERT_EQUAL(dpx_mem_event_callback_register("mzlook", lookup_in_callback, NULL),
			      0, "");
	__atomic_store_n(&cb_armed, 1, __ATOMIC_RELEASE);
	DPX_TEST_ASSERT_EQUAL(dpx_eal_remote_launch(grow_heap, NULL, 1), 0, "");
	while (!__atomic_load_n(&cb_entered, __ATOMIC_ACQUIRE))
		dpx_pause();
	const struct dpx_memzone *z = dpx_memzone_reserve("big", 5u << 20, DPX_SOCKET_ID_ANY, 0);
	DPX_TEST_ASSERT(z != NULL, "%s", dpx_strerror(dpx_errno));
	DPX_TEST_ASSERT_EQUAL(dpx_eal_wait_lcore(1), 0, "worker grew the heap");
	DPX_TEST_ASSERT(cb_lookup_ok, "lookup from the callback");
	DPX_TEST_ASSERT_EQUAL(cb_free_rc, -EDEADLK, "free from the callback refused");
	DPX_TEST_ASSERT(dpx_memzone_lookup("known") == cb_zone, "zone still reserved");
	/* a duplicate name gives the memory it took back */
	DPX_TEST_ASSERT(dpx_memzone_reserve("big", 5u << 20, DPX_SOCKET_ID_ANY, 0) == NULL &&
				dpx_errno == EEXIST, "");
	DPX_TEST_ASSERT_EQUAL(dpx_memzone_free(z), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_memzone_free(cb_zone), 0, "");
	struct dpx_malloc_socket_stats st;
	DPX_TEST_ASSERT_EQUAL(dpx_malloc_get_socket_stats(0, &st), 0, "");
	DPX_TEST_ASSERT_EQUAL(st.alloc_count, 0, "nothing leaked");
	DPX_TEST_ASSERT_EQUAL(dpx_mem_event_callback_unregister("mzlook", NULL), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eal_cleanup(), 0, "");
	return DPX_TEST_SUCCESS;
}
DPX_TEST_REGISTER(memzone_lookup_from_callback, fast, test_memzone_lookup_from_callback);
