/* SPDX-License-Identifier: BSD-3-Clause */
/* Memzones: reserve, lookup, duplicate names, alignment, free. */
#include <dpx_malloc.h>
#include <dpx_memzone.h>

#include "dpx_test.h"

static int
test_memzone_reserve_lookup_free(void)
{
	const struct dpx_memzone *a, *b;
	struct dpx_malloc_socket_stats st;

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
	DPX_TEST_ASSERT_EQUAL(dpx_malloc_get_socket_stats(0, &st), 0, "");
	DPX_TEST_ASSERT_EQUAL(st.alloc_count, 0, "");
	DPX_TEST_ASSERT_EQUAL(st.heap_totalsz_bytes, 0, "pages given back");
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
