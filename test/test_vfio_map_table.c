/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The VFIO DMA mapping table against a model of the kernel (type1 v2, sPAPR,
 * no-IOMMU): fixed scenarios, randomized sequences checked against a plain
 * page-by-page reference after every step, and the cost per operation.
 */
#include <stdlib.h>

#include "dpx_test.h"
#include "vfio_kernel_model.h"
#include "common/vfio_map_table.h"

#define PG 4096ULL
#define VA_OFF 0x100000000ULL /* va = iova + VA_OFF in these tests */

extern int vfio_logtype;

/* Table errors are logged at ERR; the scenarios below provoke hundreds. */
static unsigned int
quiet_vfio_log(void)
{
	unsigned int old = (unsigned int)dpx_log_get_level(vfio_logtype);

	dpx_log_set_level(vfio_logtype, DPX_LOG_EMERG);
	return old;
}

struct entries {
	struct vfio_map_entry e[256];
	unsigned int n;
};

static int
collect(const struct vfio_map_entry *e, void *arg)
{
	struct entries *c = arg;

	if (c->n < DPX_DIM(c->e))
		c->e[c->n] = *e;
	c->n++;
	return 0;
}

/* Check the table holds exactly the given entries (iova, len, chunk; va = iova + VA_OFF). */
static int
expect_entries(const struct vfio_map_table *t, unsigned int n, const uint64_t (*want)[3])
{
	struct entries c = {.n = 0};

	vfio_map_table_walk(t, collect, &c);
	DPX_TEST_ASSERT_EQUAL(c.n, n, "entry count");
	DPX_TEST_ASSERT_EQUAL(vfio_map_table_count(t), n, "");
	for (unsigned int i = 0; i < n; i++) {
		DPX_TEST_ASSERT_EQUAL(c.e[i].iova, want[i][0], "entry %u iova", i);
		DPX_TEST_ASSERT_EQUAL(c.e[i].len, want[i][1], "entry %u len", i);
		DPX_TEST_ASSERT_EQUAL(c.e[i].chunk, want[i][2], "entry %u chunk", i);
		DPX_TEST_ASSERT_EQUAL(c.e[i].va, want[i][0] + VA_OFF, "entry %u va", i);
	}
	return DPX_TEST_SUCCESS;
}

/* Check the kernel model holds exactly these mappings (iova, len). */
static int
expect_kernel(const struct kmodel *k, unsigned int n, const uint64_t (*want)[2])
{
	DPX_TEST_ASSERT_EQUAL(k->n, n, "kernel mapping count");
	for (unsigned int i = 0; i < n; i++) {
		DPX_TEST_ASSERT_EQUAL(k->maps[i].iova, want[i][0], "kernel mapping %u iova", i);
		DPX_TEST_ASSERT_EQUAL(k->maps[i].len, want[i][1], "kernel mapping %u len", i);
		DPX_TEST_ASSERT_EQUAL(k->maps[i].va, want[i][0] + VA_OFF, "kernel mapping %u va",
				      i);
	}
	return DPX_TEST_SUCCESS;
}

static int
tmap(struct vfio_map_table *t, struct kmodel *k, uint64_t iova, uint64_t len)
{
	struct vfio_dma_backend be = kmodel_backend(k);

	return vfio_map_table_map(t, iova + VA_OFF, iova, len, 0, &be);
}

static int
tunmap(struct vfio_map_table *t, struct kmodel *k, uint64_t iova, uint64_t len)
{
	struct vfio_dma_backend be = kmodel_backend(k);

	return vfio_map_table_unmap(t, iova + VA_OFF, iova, len, &be);
}

static struct vfio_map_table *
table_for(enum kmodel_type type)
{
	struct vfio_map_table *t = vfio_map_table_create();

	if (t != NULL)
		vfio_map_table_set_partial(t, type != KMODEL_TYPE1V2);
	return t;
}

/* map A, map B adjacent (different size), unmap A, unmap B: on every type. */
static int
seed_case(enum kmodel_type type)
{
	struct vfio_map_table *t = table_for(type);
	struct kmodel k;
	uint64_t chunk_a = type == KMODEL_TYPE1V2 ? 2 * PG : 0;
	uint64_t chunk_b = type == KMODEL_TYPE1V2 ? 4 * PG : 0;

	kmodel_init(&k, type);
	DPX_TEST_ASSERT_EQUAL(tmap(t, &k, 0x100000, 2 * PG), 0, "map A");
	DPX_TEST_ASSERT_EQUAL(tmap(t, &k, 0x100000 + 2 * PG, 4 * PG), 0, "map B");
	if (type == KMODEL_TYPE1V2)
		DPX_TEST_RUN(expect_entries(
			t, 2,
			(const uint64_t[][3]){{0x100000, 2 * PG, chunk_a},
					      {0x100000 + 2 * PG, 4 * PG, chunk_b}}));
	else
		DPX_TEST_RUN(expect_entries(t, 1, (const uint64_t[][3]){{0x100000, 6 * PG, 0}}));
	DPX_TEST_ASSERT_EQUAL(tunmap(t, &k, 0x100000, 2 * PG), 0, "unmap A");
	DPX_TEST_RUN(
		expect_entries(t, 1, (const uint64_t[][3]){{0x100000 + 2 * PG, 4 * PG, chunk_b}}));
	if (type != KMODEL_NOIOMMU)
		DPX_TEST_RUN(
			expect_kernel(&k, 1, (const uint64_t[][2]){{0x100000 + 2 * PG, 4 * PG}}));
	DPX_TEST_ASSERT_EQUAL(tunmap(t, &k, 0x100000 + 2 * PG, 4 * PG), 0, "unmap B");
	DPX_TEST_ASSERT_EQUAL(vfio_map_table_count(t), 0, "");
	DPX_TEST_ASSERT_EQUAL(k.n, 0, "kernel mappings left");
	/* equal sizes merge into one entry of two chunks; each half still goes alone */
	DPX_TEST_ASSERT_EQUAL(tmap(t, &k, 0x200000, 2 * PG), 0, "");
	DPX_TEST_ASSERT_EQUAL(tmap(t, &k, 0x200000 + 2 * PG, 2 * PG), 0, "");
	DPX_TEST_RUN(expect_entries(t, 1, (const uint64_t[][3]){{0x200000, 4 * PG, chunk_a}}));
	DPX_TEST_ASSERT_EQUAL(tunmap(t, &k, 0x200000, 2 * PG), 0, "unmap first half");
	DPX_TEST_ASSERT_EQUAL(tunmap(t, &k, 0x200000 + 2 * PG, 2 * PG), 0, "unmap second half");
	DPX_TEST_ASSERT_EQUAL(k.n, 0, "");
	vfio_map_table_destroy(t);
	kmodel_fini(&k);
	return DPX_TEST_SUCCESS;
}

static int
test_vfio_table_seed(void)
{
	unsigned int lvl = quiet_vfio_log();

	DPX_TEST_RUN(seed_case(KMODEL_TYPE1V2));
	DPX_TEST_RUN(seed_case(KMODEL_SPAPR));
	DPX_TEST_RUN(seed_case(KMODEL_NOIOMMU));
	dpx_log_set_level(vfio_logtype, lvl);
	return DPX_TEST_SUCCESS;
}
DPX_TEST_REGISTER(vfio_table_seed, fast, test_vfio_table_seed);

/* One 1 MB map, then unmap 64 KB from its middle. */
static int
partial_case(enum kmodel_type type)
{
	struct vfio_map_table *t = table_for(type);
	struct kmodel k;
	uint64_t base = 0x40000000, mid = base + 0x40000;

	kmodel_init(&k, type);
	DPX_TEST_ASSERT_EQUAL(tmap(t, &k, base, 0x100000), 0, "");
	if (type == KMODEL_TYPE1V2) {
		DPX_TEST_ASSERT_EQUAL(tunmap(t, &k, mid, 0x10000), -ENOTSUP, "sub-range on type1");
		DPX_TEST_ASSERT_EQUAL(tunmap(t, &k, base, 0x10000), -ENOTSUP, "head only");
		DPX_TEST_ASSERT_EQUAL(tunmap(t, &k, base + 0xf0000, 0x10000), -ENOTSUP,
				      "tail only");
		DPX_TEST_RUN(
			expect_entries(t, 1, (const uint64_t[][3]){{base, 0x100000, 0x100000}}));
		DPX_TEST_RUN(expect_kernel(&k, 1, (const uint64_t[][2]){{base, 0x100000}}));
		DPX_TEST_ASSERT_EQUAL(k.unmap_calls, 0, "refused before reaching the kernel");
	} else {
		DPX_TEST_ASSERT_EQUAL(tunmap(t, &k, mid, 0x10000), 0, "sub-range");
		DPX_TEST_RUN(expect_entries(
			t, 2,
			(const uint64_t[][3]){{base, 0x40000, 0}, {mid + 0x10000, 0xb0000, 0}}));
		if (type == KMODEL_SPAPR)
			DPX_TEST_RUN(expect_kernel(
				&k, 2,
				(const uint64_t[][2]){{base, 0x40000}, {mid + 0x10000, 0xb0000}}));
		/* an unmap spanning the hole just made */
		DPX_TEST_ASSERT_EQUAL(tunmap(t, &k, base, 0x100000), -EINVAL, "hole");
		DPX_TEST_ASSERT_EQUAL(tunmap(t, &k, base, PG), 0, "first page of the head");
	}
	vfio_map_table_destroy(t);
	kmodel_fini(&k);
	return DPX_TEST_SUCCESS;
}

static int
test_vfio_table_partial_unmap(void)
{
	unsigned int lvl = quiet_vfio_log();

	DPX_TEST_RUN(partial_case(KMODEL_TYPE1V2));
	DPX_TEST_RUN(partial_case(KMODEL_SPAPR));
	DPX_TEST_RUN(partial_case(KMODEL_NOIOMMU));
	dpx_log_set_level(vfio_logtype, lvl);
	return DPX_TEST_SUCCESS;
}
DPX_TEST_REGISTER(vfio_table_partial_unmap, fast, test_vfio_table_partial_unmap);

/* Three adjacent equal-size maps, unmaps spanning them; different chunks never merge. */
static int
test_vfio_table_chunks(void)
{
	struct vfio_map_table *t = table_for(KMODEL_TYPE1V2);
	struct kmodel k;
	unsigned int lvl = quiet_vfio_log();

	kmodel_init(&k, KMODEL_TYPE1V2);
	for (int i = 0; i < 3; i++)
		DPX_TEST_ASSERT_EQUAL(tmap(t, &k, 0x10000 + i * 2 * PG, 2 * PG), 0, "map %d", i);
	DPX_TEST_RUN(expect_entries(t, 1, (const uint64_t[][3]){{0x10000, 6 * PG, 2 * PG}}));
	DPX_TEST_ASSERT_EQUAL(k.n, 3, "three kernel mappings");
	DPX_TEST_ASSERT_EQUAL(tunmap(t, &k, 0x10000 + PG, 4 * PG), -ENOTSUP, "inside chunks");
	DPX_TEST_ASSERT_EQUAL(tunmap(t, &k, 0x10000, 5 * PG), -ENOTSUP, "end inside a chunk");
	DPX_TEST_ASSERT_EQUAL(tunmap(t, &k, 0x10000 + 2 * PG, 2 * PG), 0, "middle chunk");
	DPX_TEST_RUN(expect_entries(t, 2,
				    (const uint64_t[][3]){{0x10000, 2 * PG, 2 * PG},
							  {0x10000 + 4 * PG, 2 * PG, 2 * PG}}));
	DPX_TEST_ASSERT_EQUAL(tmap(t, &k, 0x10000 + 2 * PG, 2 * PG), 0, "map it again");
	DPX_TEST_RUN(expect_entries(t, 1, (const uint64_t[][3]){{0x10000, 6 * PG, 2 * PG}}));
	DPX_TEST_ASSERT_EQUAL(tunmap(t, &k, 0x10000, 6 * PG), 0, "all three at once");
	DPX_TEST_ASSERT_EQUAL(k.n, 0, "");

	/* different chunks: 1, 2 and 1 pages stay three entries; a span across them works */
	DPX_TEST_ASSERT_EQUAL(tmap(t, &k, 0x20000, PG), 0, "");
	DPX_TEST_ASSERT_EQUAL(tmap(t, &k, 0x20000 + PG, 2 * PG), 0, "");
	DPX_TEST_ASSERT_EQUAL(tmap(t, &k, 0x20000 + 3 * PG, PG), 0, "");
	DPX_TEST_RUN(expect_entries(t, 3,
				    (const uint64_t[][3]){{0x20000, PG, PG},
							  {0x20000 + PG, 2 * PG, 2 * PG},
							  {0x20000 + 3 * PG, PG, PG}}));
	DPX_TEST_ASSERT_EQUAL(tunmap(t, &k, 0x20000, 2 * PG), -ENOTSUP, "bisects the middle");
	DPX_TEST_ASSERT_EQUAL(tunmap(t, &k, 0x20000, 3 * PG), 0, "first two");
	DPX_TEST_RUN(expect_entries(t, 1, (const uint64_t[][3]){{0x20000 + 3 * PG, PG, PG}}));
	DPX_TEST_ASSERT_EQUAL(tunmap(t, &k, 0x20000 + 3 * PG, PG), 0, "");

	/* contiguous in IOVA but not in VA: no merge, and one va cannot unmap both */
	struct vfio_dma_backend be = kmodel_backend(&k);
	DPX_TEST_ASSERT_EQUAL(vfio_map_table_map(t, 0x900000, 0x30000, PG, 0, &be), 0, "");
	DPX_TEST_ASSERT_EQUAL(vfio_map_table_map(t, 0x800000, 0x30000 + PG, PG, 0, &be), 0, "");
	DPX_TEST_ASSERT_EQUAL(vfio_map_table_count(t), 2, "");
	DPX_TEST_ASSERT_EQUAL(vfio_map_table_unmap(t, 0x900000, 0x30000, 2 * PG, &be), -EINVAL,
			      "va mismatch on the second entry");
	DPX_TEST_ASSERT_EQUAL(vfio_map_table_unmap(t, 0x800000, 0x30000, PG, &be), -EINVAL,
			      "va mismatch");
	DPX_TEST_ASSERT_EQUAL(vfio_map_table_unmap(t, 0x900000, 0x30000, PG, &be), 0, "");
	DPX_TEST_ASSERT_EQUAL(vfio_map_table_unmap(t, 0x800000, 0x30000 + PG, PG, &be), 0, "");
	DPX_TEST_ASSERT_EQUAL(k.n, 0, "");
	vfio_map_table_destroy(t);
	kmodel_fini(&k);
	dpx_log_set_level(vfio_logtype, lvl);
	return DPX_TEST_SUCCESS;
}
DPX_TEST_REGISTER(vfio_table_chunks, fast, test_vfio_table_chunks);

/* Every error code, and the table left as it was. */
static int
test_vfio_table_errors(void)
{
	struct vfio_map_table *t = table_for(KMODEL_TYPE1V2);
	struct kmodel k;
	struct vfio_dma_backend be = kmodel_backend(&k);
	unsigned int lvl = quiet_vfio_log();

	kmodel_init(&k, KMODEL_TYPE1V2);
	DPX_TEST_ASSERT_EQUAL(tmap(t, &k, 0x10000, 0), -EINVAL, "len 0");
	DPX_TEST_ASSERT_EQUAL(tmap(t, &k, UINT64_MAX - PG + 1, 2 * PG), -EINVAL, "iova overflow");
	DPX_TEST_ASSERT_EQUAL(vfio_map_table_map(t, UINT64_MAX - PG + 1, 0, 2 * PG, 0, &be),
			      -EINVAL, "va overflow");
	DPX_TEST_ASSERT_EQUAL(vfio_map_table_map(t, VA_OFF, 0, 3 * PG, 2 * PG, &be), -EINVAL,
			      "len not a multiple of the chunk");
	DPX_TEST_ASSERT_EQUAL(tmap(t, &k, 0x10000, 4 * PG), 0, "");
	DPX_TEST_ASSERT_EQUAL(tmap(t, &k, 0x10000 + 3 * PG, 4 * PG), -EEXIST, "overlaps the end");
	DPX_TEST_ASSERT_EQUAL(tmap(t, &k, 0x10000 - PG, 2 * PG), -EEXIST, "overlaps the start");
	DPX_TEST_ASSERT_EQUAL(tmap(t, &k, 0x10000 + PG, PG), -EEXIST, "inside");
	DPX_TEST_ASSERT_EQUAL(tmap(t, &k, 0, 0x100000), -EEXIST, "around");
	DPX_TEST_ASSERT_EQUAL(tunmap(t, &k, 0x10000, 0), -EINVAL, "len 0");
	DPX_TEST_ASSERT_EQUAL(tunmap(t, &k, 0x50000, PG), -EINVAL, "not mapped");
	DPX_TEST_ASSERT_EQUAL(tunmap(t, &k, 0x10000, 8 * PG), -EINVAL, "runs past the end");
	DPX_TEST_ASSERT_EQUAL(tunmap(t, &k, 0x10000 - PG, 5 * PG), -EINVAL, "starts before");
	DPX_TEST_ASSERT_EQUAL(tmap(t, &k, 0x10000 + 5 * PG, 4 * PG), 0, "");
	DPX_TEST_ASSERT_EQUAL(tunmap(t, &k, 0x10000, 9 * PG), -EINVAL, "spans a hole");
	DPX_TEST_RUN(expect_entries(t, 2,
				    (const uint64_t[][3]){{0x10000, 4 * PG, 4 * PG},
							  {0x10000 + 5 * PG, 4 * PG, 4 * PG}}));
	DPX_TEST_ASSERT_EQUAL(k.unmap_calls, 0, "no error reached the kernel");
	DPX_TEST_ASSERT_EQUAL(k.map_calls, 2, "");

	/* the kernel reports another size than asked: -EIO */
	k.short_unmap = true;
	DPX_TEST_ASSERT_EQUAL(tunmap(t, &k, 0x10000, 4 * PG), -EIO, "short unmap");
	k.short_unmap = false;
	vfio_map_table_destroy(t);
	kmodel_fini(&k);
	dpx_log_set_level(vfio_logtype, lvl);
	return DPX_TEST_SUCCESS;
}
DPX_TEST_REGISTER(vfio_table_errors, fast, test_vfio_table_errors);

/* A kernel failure in the middle of a multi-call operation leaves everything as it was. */
static int
test_vfio_table_kernel_failure(void)
{
	struct vfio_map_table *t = table_for(KMODEL_TYPE1V2);
	struct kmodel k;
	struct vfio_dma_backend be = kmodel_backend(&k);
	unsigned int lvl = quiet_vfio_log();

	kmodel_init(&k, KMODEL_TYPE1V2);
	DPX_TEST_ASSERT_EQUAL(tmap(t, &k, 0x10000, 2 * PG), 0, "");
	/* 8 pages, one kernel mapping per page; the 5th call fails */
	kmodel_fail(&k, 5, EFAULT);
	DPX_TEST_ASSERT_EQUAL(vfio_map_table_map(t, 0x20000 + VA_OFF, 0x20000, 8 * PG, PG, &be),
			      -EFAULT, "");
	DPX_TEST_RUN(expect_entries(t, 1, (const uint64_t[][3]){{0x10000, 2 * PG, 2 * PG}}));
	DPX_TEST_RUN(expect_kernel(&k, 1, (const uint64_t[][2]){{0x10000, 2 * PG}}));
	DPX_TEST_ASSERT_EQUAL(vfio_map_table_map(t, 0x20000 + VA_OFF, 0x20000, 8 * PG, PG, &be), 0,
			      "");
	DPX_TEST_ASSERT_EQUAL(k.n, 9, "one kernel mapping per page");
	kmodel_fail(&k, 1, EBUSY);
	DPX_TEST_ASSERT_EQUAL(tunmap(t, &k, 0x20000 + 2 * PG, 3 * PG), -EBUSY, "");
	DPX_TEST_RUN(expect_entries(
		t, 2, (const uint64_t[][3]){{0x10000, 2 * PG, 2 * PG}, {0x20000, 8 * PG, PG}}));
	DPX_TEST_ASSERT_EQUAL(k.n, 9, "");
	DPX_TEST_ASSERT_EQUAL(tunmap(t, &k, 0x20000 + 2 * PG, 3 * PG), 0, "single pages go");
	DPX_TEST_RUN(expect_entries(t, 3,
				    (const uint64_t[][3]){{0x10000, 2 * PG, 2 * PG},
							  {0x20000, 2 * PG, PG},
							  {0x20000 + 5 * PG, 3 * PG, PG}}));
	DPX_TEST_ASSERT_EQUAL(k.n, 6, "");
	vfio_map_table_clear(t, &be);
	DPX_TEST_ASSERT_EQUAL(k.n, 0, "clear unmaps everything");
	DPX_TEST_ASSERT_EQUAL(vfio_map_table_count(t), 0, "");
	vfio_map_table_destroy(t);
	kmodel_fini(&k);
	dpx_log_set_level(vfio_logtype, lvl);
	return DPX_TEST_SUCCESS;
}
DPX_TEST_REGISTER(vfio_table_kernel_failure, fast, test_vfio_table_kernel_failure);

/* Mappings made with no group attached are recorded, then replayed chunk by chunk. */
static int
test_vfio_table_replay(void)
{
	struct vfio_map_table *t = vfio_map_table_create();
	struct kmodel k;
	struct vfio_dma_backend be = kmodel_backend(&k);
	unsigned int lvl = quiet_vfio_log();

	kmodel_init(&k, KMODEL_TYPE1V2);
	DPX_TEST_ASSERT_EQUAL(vfio_map_table_map(t, 0x10000 + VA_OFF, 0x10000, 2 * PG, 0, NULL), 0,
			      "");
	DPX_TEST_ASSERT_EQUAL(vfio_map_table_map(t, 0x12000 + VA_OFF, 0x12000, 2 * PG, 0, NULL), 0,
			      "");
	DPX_TEST_ASSERT_EQUAL(vfio_map_table_map(t, 0x40000 + VA_OFF, 0x40000, 4 * PG, PG, NULL), 0,
			      "pages");
	DPX_TEST_ASSERT_EQUAL(vfio_map_table_unmap(t, 0x41000 + VA_OFF, 0x41000, PG, NULL), 0,
			      "a page goes before attach");
	DPX_TEST_ASSERT_EQUAL(vfio_map_table_unmap(t, 0x11000 + VA_OFF, 0x11000, PG, NULL),
			      -ENOTSUP, "chunks hold before attach too");
	/* a failing replay undoes itself */
	kmodel_fail(&k, 3, EIO);
	DPX_TEST_ASSERT_EQUAL(vfio_map_table_replay(t, &be), -EIO, "");
	DPX_TEST_ASSERT_EQUAL(k.n, 0, "replay rolled back");
	DPX_TEST_ASSERT_EQUAL(vfio_map_table_replay(t, &be), 0, "");
	DPX_TEST_RUN(expect_kernel(&k, 5,
				   (const uint64_t[][2]){{0x10000, 2 * PG},
							 {0x12000, 2 * PG},
							 {0x40000, PG},
							 {0x42000, PG},
							 {0x43000, PG}}));
	/* the kernel's mappings match the table's chunks: each goes on its own */
	DPX_TEST_ASSERT_EQUAL(tunmap(t, &k, 0x10000, 2 * PG), 0, "A");
	DPX_TEST_ASSERT_EQUAL(tunmap(t, &k, 0x43000, PG), 0, "a page");
	DPX_TEST_RUN(expect_kernel(
		&k, 3, (const uint64_t[][2]){{0x12000, 2 * PG}, {0x40000, PG}, {0x42000, PG}}));
	/* switching to an IOMMU that unmaps partially: chunks drop, neighbours merge */
	vfio_map_table_map(t, 0x14000 + VA_OFF, 0x14000, PG, 0, NULL);
	vfio_map_table_set_partial(t, true);
	DPX_TEST_RUN(expect_entries(
		t, 3,
		(const uint64_t[][3]){{0x12000, 3 * PG, 0}, {0x40000, PG, 0}, {0x42000, PG, 0}}));
	vfio_map_table_set_partial(t, false);
	DPX_TEST_RUN(expect_entries(t, 3,
				    (const uint64_t[][3]){{0x12000, 3 * PG, 3 * PG},
							  {0x40000, PG, PG},
							  {0x42000, PG, PG}}));
	vfio_map_table_destroy(t);
	kmodel_fini(&k);
	dpx_log_set_level(vfio_logtype, lvl);
	return DPX_TEST_SUCCESS;
}
DPX_TEST_REGISTER(vfio_table_replay, fast, test_vfio_table_replay);

/* More than 100000 entries: no fixed limit. */
static int
test_vfio_table_many(void)
{
	const unsigned int blocks = 98, n = 2 + blocks * 1024; /* 100354 */
	struct vfio_map_table *t = table_for(KMODEL_TYPE1V2);
	struct kmodel k;

	kmodel_init(&k, KMODEL_TYPE1V2);
	/* every other page: nothing merges */
	for (unsigned int i = 0; i < n; i++)
		DPX_TEST_ASSERT_EQUAL(tmap(t, &k, (uint64_t)i * 2 * PG, PG), 0, "map %u", i);
	DPX_TEST_ASSERT_EQUAL(vfio_map_table_count(t), n, "");
	DPX_TEST_ASSERT_EQUAL(k.n, n, "");
	/* a 1-page map filling the gap between two 1-page entries merges all three */
	DPX_TEST_ASSERT_EQUAL(tmap(t, &k, PG, PG), 0, "a gap filled by a 1-page map merges");
	DPX_TEST_ASSERT_EQUAL(vfio_map_table_count(t), n - 1, "three entries became one");
	/*
	 * Unmap entries 2..n-1 in a scattered order inside blocks of 1024, last
	 * block first: the kernel model's array stays cheap to update.
	 */
	for (unsigned int i = 0; i < n - 2; i++) {
		unsigned int blk = i / 1024, off = i % 1024;
		unsigned int j = 2 + (blocks - 1 - blk) * 1024 + (off * 7919) % 1024;
		DPX_TEST_ASSERT_EQUAL(tunmap(t, &k, (uint64_t)j * 2 * PG, PG), 0, "unmap %u", j);
	}
	DPX_TEST_ASSERT_EQUAL(vfio_map_table_count(t), 1, "");
	DPX_TEST_ASSERT_EQUAL(tunmap(t, &k, PG, PG), 0, "a page in the middle of the merged entry");
	DPX_TEST_ASSERT_EQUAL(vfio_map_table_count(t), 2, "");
	DPX_TEST_ASSERT_EQUAL(k.n, 2, "");
	vfio_map_table_destroy(t);
	kmodel_fini(&k);
	return DPX_TEST_SUCCESS;
}
DPX_TEST_REGISTER(vfio_table_many, fast, test_vfio_table_many);

/*
 * Randomized sequences. The reference is a plain array of pages: each page
 * knows whether it is mapped, its va, its chunk size and where its chunk
 * starts. Entries are derived from it as maximal runs of pages contiguous in
 * va with equal chunk size, which is exactly what the merge rule promises.
 */
#define REF_PAGES 192

struct ref_page {
	bool mapped;
	uint64_t va;
	uint64_t chunk;	      /* bytes, 0 in partial mode */
	uint64_t chunk_start; /* iova of the chunk holding this page */
};

struct ref {
	struct ref_page p[REF_PAGES];
	bool partial;
};

static int
ref_map(struct ref *r, uint64_t va, uint64_t iova, uint64_t len, uint64_t chunk_size, int inject)
{
	uint64_t first = iova / PG, n = len / PG;

	if (len == 0 || (chunk_size != 0 && len % chunk_size != 0))
		return -EINVAL;
	for (uint64_t i = first; i < first + n; i++)
		if (r->p[i].mapped)
			return -EEXIST;
	if (inject)
		return inject;
	uint64_t chunk = r->partial ? 0 : (chunk_size != 0 ? chunk_size : len);
	for (uint64_t i = 0; i < n; i++) {
		struct ref_page *pg = &r->p[first + i];
		pg->mapped = true;
		pg->va = va + i * PG;
		pg->chunk = chunk;
		pg->chunk_start = chunk != 0 ? iova + (i * PG / chunk) * chunk : 0;
	}
	return 0;
}

static int
ref_unmap(struct ref *r, uint64_t va, uint64_t iova, uint64_t len, int inject)
{
	uint64_t first = iova / PG, n = len / PG;

	if (len == 0)
		return -EINVAL;
	for (uint64_t i = 0; i < n; i++) {
		const struct ref_page *pg = &r->p[first + i];
		if (!pg->mapped || pg->va != va + i * PG)
			return -EINVAL;
	}
	const struct ref_page *a = &r->p[first], *b = &r->p[first + n - 1];
	if (!r->partial && (a->chunk_start != iova || b->chunk_start + b->chunk != iova + len))
		return -ENOTSUP;
	if (inject)
		return inject;
	for (uint64_t i = 0; i < n; i++)
		r->p[first + i].mapped = false;
	return 0;
}

/* The entries the reference implies, compared with the table's. */
static int
compare_with_ref(const struct ref *r, const struct vfio_map_table *t, uint64_t step)
{
	struct entries c = {.n = 0};
	unsigned int n = 0;

	vfio_map_table_walk(t, collect, &c);
	for (unsigned int i = 0; i < REF_PAGES;) {
		if (!r->p[i].mapped) {
			i++;
			continue;
		}
		unsigned int j = i + 1;
		while (j < REF_PAGES && r->p[j].mapped && r->p[j].va == r->p[j - 1].va + PG &&
		       r->p[j].chunk == r->p[i].chunk)
			j++;
		DPX_TEST_ASSERT(n < c.n, "step %" PRIu64 ": table lacks entry at iova 0x%x", step,
				i * (unsigned int)PG);
		const struct vfio_map_entry *e = &c.e[n++];
		DPX_TEST_ASSERT(e->iova == i * PG && e->len == (j - i) * PG &&
					e->va == r->p[i].va && e->chunk == r->p[i].chunk,
				"step %" PRIu64 ": table entry iova 0x%" PRIx64 " len 0x%" PRIx64
				" va 0x%" PRIx64 " chunk 0x%" PRIx64
				", reference iova 0x%x len 0x%x"
				" chunk 0x%" PRIx64,
				step, e->iova, e->len, e->va, e->chunk, i * (unsigned int)PG,
				(j - i) * (unsigned int)PG, r->p[i].chunk);
		i = j;
	}
	DPX_TEST_ASSERT_EQUAL(c.n, n, "step %" PRIu64 ": entry count", step);
	return DPX_TEST_SUCCESS;
}

/* The kernel model holds what the table says: per chunk (type1) or per byte (sPAPR). */
static int
compare_with_kernel(const struct ref *r, const struct kmodel *k, uint64_t step)
{
	uint64_t bytes = 0;

	if (k->type == KMODEL_NOIOMMU)
		return DPX_TEST_SUCCESS;
	for (unsigned int i = 0; i < REF_PAGES; i++) {
		const struct ref_page *pg = &r->p[i];
		long m = kmodel_find(k, i * PG);
		DPX_TEST_ASSERT(pg->mapped == (m >= 0),
				"step %" PRIu64 ": page 0x%x %s in the kernel", step,
				i * (unsigned int)PG, pg->mapped ? "missing" : "left");
		if (!pg->mapped)
			continue;
		bytes += PG;
		DPX_TEST_ASSERT(k->maps[m].va + (i * PG - k->maps[m].iova) == pg->va,
				"step %" PRIu64 ": page 0x%x va", step, i * (unsigned int)PG);
		if (pg->chunk != 0)
			DPX_TEST_ASSERT(
				k->maps[m].iova == pg->chunk_start && k->maps[m].len == pg->chunk,
				"step %" PRIu64 ": page 0x%x: kernel mapping 0x%" PRIx64
				"+0x%" PRIx64 " is not its chunk",
				step, i * (unsigned int)PG, k->maps[m].iova, k->maps[m].len);
	}
	DPX_TEST_ASSERT_EQUAL(kmodel_bytes_mapped(k), bytes, "step %" PRIu64, step);
	return DPX_TEST_SUCCESS;
}

/* An unmap range likely to be accepted: from a chunk start to a chunk end, no hole. */
static void
pick_unmap(const struct ref *r, uint64_t *s, uint64_t *va, uint64_t *iova, uint64_t *len)
{
	unsigned int a = (unsigned int)(dpx_test_rand(s) % REF_PAGES), b, limit;

	if (dpx_test_rand(s) % 5 == 0 || !r->p[a].mapped) {
		*iova = a * PG;
		*len = (1 + dpx_test_rand(s) % 12) * PG;
		if (*iova + *len > REF_PAGES * PG)
			*len = REF_PAGES * PG - *iova;
		*va = *iova + VA_OFF + (dpx_test_rand(s) % 8 == 0 ? PG : 0);
		return;
	}
	if (!r->partial && dpx_test_rand(s) % 8 != 0)
		a = (unsigned int)(r->p[a].chunk_start / PG);
	limit = a + (unsigned int)(dpx_test_rand(s) % 24);
	for (b = a; b + 1 < REF_PAGES && b < limit && r->p[b + 1].mapped &&
		    r->p[b + 1].va == r->p[b].va + PG;
	     b++)
		;
	if (!r->partial && dpx_test_rand(s) % 8 != 0)
		b = (unsigned int)((r->p[b].chunk_start + r->p[b].chunk) / PG) - 1;
	*iova = a * PG;
	*len = (uint64_t)(b - a + 1) * PG;
	*va = r->p[a].va;
}

/* A map range likely to be accepted: in the free pages from a random one. */
static void
pick_map(const struct ref *r, uint64_t *s, uint64_t *va, uint64_t *iova, uint64_t *len,
	 uint64_t *cs)
{
	unsigned int a = (unsigned int)(dpx_test_rand(s) % REF_PAGES), n = 1 + (unsigned int)(dpx_test_rand(s) % 8);

	*cs = 0;
	if (dpx_test_rand(s) % 3 == 0)
		n *= 2, *cs = 2 * PG; /* page-pair chunks, as hotplug does with its pages */
	if (dpx_test_rand(s) % 4 != 0) {
		while (a < REF_PAGES - 1 && r->p[a].mapped)
			a++;
		unsigned int free_run = 0;
		while (a + free_run < REF_PAGES && !r->p[a + free_run].mapped && free_run < n)
			free_run++;
		if (free_run < n && *cs != 0)
			free_run &= ~1u;
		n = free_run != 0 ? free_run : n;
	}
	if (a + n > REF_PAGES)
		n = REF_PAGES - a;
	*iova = a * PG;
	*len = (uint64_t)n * PG;
	/* neighbours in IOVA sometimes are not in VA: they must not merge */
	*va = *iova + VA_OFF + (dpx_test_rand(s) % 6 == 0 ? 64 * PG : 0);
}

static unsigned int outcome[2][5];

static int
random_run(enum kmodel_type type, uint64_t seed, unsigned int steps, unsigned int *accepted)
{
	struct vfio_map_table *t = table_for(type);
	struct ref *r = calloc(1, sizeof(*r));
	struct kmodel k;
	struct vfio_dma_backend be = kmodel_backend(&k);
	uint64_t s = seed;
	int rc = DPX_TEST_SUCCESS;

	kmodel_init(&k, type);
	r->partial = type != KMODEL_TYPE1V2;
	for (uint64_t step = 0; step < steps && rc == DPX_TEST_SUCCESS; step++) {
		uint64_t va, iova, len, cs = 0;
		int inject = dpx_test_rand(&s) % 16 == 0 ? -EIO : 0;
		int got, want;
		bool is_map = dpx_test_rand(&s) % 2 == 0;

		if (is_map) {
			pick_map(r, &s, &va, &iova, &len, &cs);
			/* fail any one of the kernel calls the map makes (one per chunk) */
			uint64_t calls = cs != 0 && !r->partial && len >= cs ? len / cs : 1;
			if (inject)
				kmodel_fail(&k, 1 + (unsigned int)(dpx_test_rand(&s) % calls), EIO);
			want = ref_map(r, va, iova, len, cs, inject);
			got = vfio_map_table_map(t, va, iova, len, cs, &be);
		} else {
			pick_unmap(r, &s, &va, &iova, &len);
			if (inject)
				kmodel_fail(&k, 1, EIO);
			want = ref_unmap(r, va, iova, len, inject);
			got = vfio_map_table_unmap(t, va, iova, len, &be);
		}
		kmodel_fail(&k, 0, 0);
		if (got != want) {
			printf("FAIL seed %" PRIu64 " step %" PRIu64 ": %s va 0x%" PRIx64
			       " iova 0x%" PRIx64 " len 0x%" PRIx64 " chunk 0x%" PRIx64
			       " returned %d, reference %d\n",
			       seed, step, is_map ? "map" : "unmap", va, iova, len, cs, got, want);
			vfio_map_table_dump(t, stdout);
			rc = DPX_TEST_FAILED;
			break;
		}
		*accepted += got == 0;
		outcome[is_map][got == 0	  ? 0
				: got == -EINVAL  ? 1
				: got == -EEXIST  ? 2
				: got == -ENOTSUP ? 3
						  : 4]++;
		rc = compare_with_ref(r, t, step);
		if (rc == DPX_TEST_SUCCESS)
			rc = compare_with_kernel(r, &k, step);
		if (rc != DPX_TEST_SUCCESS)
			printf("  (seed %" PRIu64 ")\n", seed);
	}
	vfio_map_table_destroy(t);
	kmodel_fini(&k);
	free(r);
	return rc;
}

static int
test_vfio_table_random(void)
{
	static const uint64_t seeds[] = {1, 0xdeadbeef, 20261121, 0x5eed5eed5eedULL};
	static const enum kmodel_type types[] = {KMODEL_TYPE1V2, KMODEL_SPAPR, KMODEL_NOIOMMU};
	static const char *const names[] = {"type1v2", "spapr", "noiommu"};
	unsigned int lvl = quiet_vfio_log();

	for (unsigned int ti = 0; ti < DPX_DIM(types); ti++) {
		for (unsigned int si = 0; si < DPX_DIM(seeds); si++) {
			unsigned int accepted = 0, steps = 5000;
			printf("random %s seed %" PRIu64 ": %u steps\n", names[ti], seeds[si],
			       steps);
			DPX_TEST_RUN(random_run(types[ti], seeds[si], steps, &accepted));
			/* a run that accepts little would prove little */
			DPX_TEST_ASSERT(accepted > steps / 3, "only %u operations accepted",
					accepted);
			/* a run that accepts nothing would prove nothing */
			printf("  %u accepted\n", accepted);
			for (int m = 0; m < 2; m++)
				printf("  %s: ok %u einval %u eexist %u enotsup %u other %u\n",
				       m ? "map" : "unmap", outcome[m][0], outcome[m][1],
				       outcome[m][2], outcome[m][3], outcome[m][4]);
			memset(outcome, 0, sizeof(outcome));
		}
	}
	dpx_log_set_level(vfio_logtype, lvl);
	return DPX_TEST_SUCCESS;
}
DPX_TEST_REGISTER(vfio_table_random, fast, test_vfio_table_random);

/* Map and unmap cost with n entries already in the table (no kernel). */
static double
ns_per_op(unsigned int n, unsigned int ops, bool do_map)
{
	struct vfio_map_table *t = table_for(KMODEL_TYPE1V2);
	uint64_t s = 42, t0, elapsed = 0;

	/* entries every other 2 pages; the ops use the free pages between them */
	for (unsigned int i = 0; i < n; i++)
		vfio_map_table_map(t, (uint64_t)i * 4 * PG + VA_OFF, (uint64_t)i * 4 * PG, PG, 0,
				   NULL);
	for (unsigned int done = 0; done < ops;) {
		uint64_t iova[64], first = dpx_test_rand(&s) % n;
		unsigned int batch = DPX_MIN(DPX_MIN(64u, n), ops - done);
		/* distinct free slots between entries, scattered (7919 is prime to every n here) */
		for (unsigned int b = 0; b < batch; b++)
			iova[b] = ((first + (uint64_t)b * 7919) % n) * 4 * PG + 2 * PG;
		t0 = dpx_get_time_ns();
		for (unsigned int b = 0; b < batch; b++)
			vfio_map_table_map(t, iova[b] + VA_OFF, iova[b], PG, 0, NULL);
		if (do_map)
			elapsed += dpx_get_time_ns() - t0;
		t0 = dpx_get_time_ns();
		for (unsigned int b = 0; b < batch; b++)
			vfio_map_table_unmap(t, iova[b] + VA_OFF, iova[b], PG, NULL);
		if (!do_map)
			elapsed += dpx_get_time_ns() - t0;
		done += batch;
	}
	vfio_map_table_destroy(t);
	return (double)elapsed / ops;
}

static int
test_vfio_table_perf(void)
{
	static const unsigned int sizes[] = {10, 1000, 100000};
	double map_ns[3], unmap_ns[3];
	char name[64];
	unsigned int lvl = quiet_vfio_log();

	DPX_TEST_ASSERT(dpx_test_eal_init("--no-huge", "--in-memory", NULL) > 0, "init");
	for (unsigned int i = 0; i < DPX_DIM(sizes); i++) {
		map_ns[i] = ns_per_op(sizes[i], 200000, true);
		unmap_ns[i] = ns_per_op(sizes[i], 200000, false);
		snprintf(name, sizeof(name), "vfio table map, %u entries", sizes[i]);
		DPX_TEST_PERF(name, map_ns[i], "ns/op");
		DPX_TEST_PERF(name, 1e3 / map_ns[i], "Mops/s");
		snprintf(name, sizeof(name), "vfio table unmap, %u entries", sizes[i]);
		DPX_TEST_PERF(name, unmap_ns[i], "ns/op");
		DPX_TEST_PERF(name, 1e3 / unmap_ns[i], "Mops/s");
	}
	DPX_TEST_PERF("map cost ratio 1000/10 entries (log ratio 3.0)", map_ns[1] / map_ns[0], "x");
	DPX_TEST_PERF("map cost ratio 100000/1000 entries (log ratio 1.67)", map_ns[2] / map_ns[1],
		      "x");
	DPX_TEST_PERF("unmap cost ratio 1000/10 entries", unmap_ns[1] / unmap_ns[0], "x");
	DPX_TEST_PERF("unmap cost ratio 100000/1000 entries", unmap_ns[2] / unmap_ns[1], "x");
	DPX_TEST_ASSERT_EQUAL(dpx_eal_cleanup(), 0, "");
	dpx_log_set_level(vfio_logtype, lvl);
	return DPX_TEST_SUCCESS;
}
DPX_TEST_REGISTER(vfio_table_perf, perf, test_vfio_table_perf);
