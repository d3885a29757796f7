/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Memseg file descriptors (dpx_memseg_get_fd, dpx_memseg_fd_walk): another
 * mapping of the fd at the given offset sees the heap's bytes, runs are
 * maximal and cover every heap page once, released pages leave the file, and
 * the fds close at cleanup. In each backing: --no-huge memfd (fast),
 * hugetlbfs files and --in-memory hugetlb memfd (hugepage).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include <dpx_malloc.h>
#include <dpx_memory.h>

#include "dpx_test.h"

#define PG ((size_t)2 << 20)
#define MAX_RUNS 64

struct runs {
	unsigned int n;
	struct dpx_memseg_fd_run r[MAX_RUNS];
};

static int
collect(const struct dpx_memseg_fd_run *run, void *arg)
{
	struct runs *rs = arg;

	if (rs->n == MAX_RUNS)
		return -ENOSPC;
	rs->r[rs->n++] = *run;
	return 0;
}

/* Each mapped heap page lies in exactly one run, at the offset the run implies. */
static int
page_in_runs(const struct dpx_memseg *ms, void *arg)
{
	const struct runs *rs = arg;
	unsigned int hits = 0;
	uint64_t off;
	int fd;

	if (ms->flags & DPX_MEMSEG_FLAG_EXTERNAL)
		return 0;
	if (dpx_memseg_get_fd(ms, &fd, &off) != 0)
		return -1;
	for (unsigned int i = 0; i < rs->n; i++) {
		const struct dpx_memseg_fd_run *r = &rs->r[i];
		size_t at = DPX_PTR_DIFF(ms->addr, r->va);
		if ((uintptr_t)ms->addr >= (uintptr_t)r->va && at < r->len) {
			hits++;
			if (r->fd != fd || r->offset + at != off)
				return -2;
		}
	}
	return hits == 1 ? 0 : -3;
}

/* Neighbouring runs never share an fd at following offsets (they would be one). */
static int
runs_maximal(const struct runs *rs)
{
	for (unsigned int i = 0; i + 1 < rs->n; i++) {
		const struct dpx_memseg_fd_run *a = &rs->r[i], *b = &rs->r[i + 1];
		if (b->va == DPX_PTR_ADD(a->va, a->len) && b->fd == a->fd &&
		    b->offset == a->offset + a->len)
			return 0;
	}
	return 1;
}

static int
check_fds(const char *mode, bool list_memfd, int fds0)
{
	struct runs rs = {0};
	struct dpx_memseg fake = {0};
	uint64_t off;
	int fd;

	/* 5 MB: three pages of which the middle one is wholly inside */
	uint8_t *p = dpx_malloc("fdtest", 5 * PG / 2, 0);
	DPX_TEST_ASSERT(p != NULL, "%s", dpx_strerror(dpx_errno));
	uint8_t *mid = (uint8_t *)DPX_ALIGN_CEIL((uintptr_t)p + 1, PG);
	memset(p, 0x5a, 5 * PG / 2);
	const struct dpx_memseg *ms = dpx_mem_virt2memseg(mid);
	DPX_TEST_ASSERT(ms != NULL && ms->addr == mid, "%s", mode);
	DPX_TEST_ASSERT_EQUAL(dpx_memseg_get_fd(ms, &fd, &off), 0, "%s", mode);
	DPX_TEST_ASSERT(fd >= 0, "");
	/* a second mapping of the fd is the same memory, both ways */
	uint8_t *q = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)off);
	DPX_TEST_ASSERT(q != MAP_FAILED, "%s: mmap fd %d offset %" PRIu64, mode, fd, off);
	DPX_TEST_ASSERT_EQUAL(q[0], 0x5a, "%s", mode);
	DPX_TEST_ASSERT_EQUAL(q[PG - 1], 0x5a, "%s", mode);
	q[100] = 0xa5;
	DPX_TEST_ASSERT_EQUAL(mid[100], 0xa5, "%s: written through the fd", mode);
	munmap(q, PG);

	DPX_TEST_ASSERT_EQUAL(dpx_memseg_fd_walk(collect, &rs), 0, "");
	DPX_TEST_ASSERT(rs.n > 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_memseg_walk(page_in_runs, &rs), 0, "%s: runs cover pages once",
			      mode);
	DPX_TEST_ASSERT(runs_maximal(&rs), "%s", mode);
	for (unsigned int i = 0; i < rs.n; i++)
		DPX_TEST_ASSERT(rs.r[i].len % PG == 0 && rs.r[i].len > 0, "");

	/* errors */
	DPX_TEST_ASSERT_EQUAL(dpx_memseg_get_fd(NULL, &fd, &off), -EINVAL, "");
	DPX_TEST_ASSERT_EQUAL(dpx_memseg_get_fd(ms, NULL, &off), -EINVAL, "");
	DPX_TEST_ASSERT_EQUAL(dpx_memseg_fd_walk(NULL, NULL), -EINVAL, "");
	fake.addr = &fake;
	DPX_TEST_ASSERT_EQUAL(dpx_memseg_get_fd(&fake, &fd, &off), -ENOENT, "not a memseg");
	void *ext =
		mmap(NULL, 2 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	DPX_TEST_ASSERT(ext != MAP_FAILED, "");
	DPX_TEST_ASSERT_EQUAL(dpx_extmem_register(ext, 2 * 4096, NULL, 2, 4096), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_memseg_get_fd(dpx_mem_virt2memseg(ext), &fd, &off), -ENOTSUP,
			      "external memory has no fd");
	struct runs rs2 = {0};
	DPX_TEST_ASSERT_EQUAL(dpx_memseg_fd_walk(collect, &rs2), 0, "");
	DPX_TEST_ASSERT_EQUAL(rs2.n, rs.n, "external memory is not walked");
	DPX_TEST_ASSERT_EQUAL(dpx_extmem_unregister(ext, 2 * 4096), 0, "");
	munmap(ext, 2 * 4096);

	/* a released page leaves the list's memfd: it reads zeros there (a
	 * hugetlbfs file is unlinked instead, and lives on while we hold it) */
	int keep = dup(fd);
	DPX_TEST_ASSERT(keep >= 0, "");
	dpx_free(p);
	DPX_TEST_ASSERT(dpx_mem_virt2memseg(mid) == NULL, "%s: page released", mode);
	uint8_t b = 1;
	if (list_memfd) {
		DPX_TEST_ASSERT_EQUAL(pread(keep, &b, 1, (off_t)off + 100), 1, "");
		DPX_TEST_ASSERT_EQUAL(b, 0, "%s: the page's memory left the file", mode);
	}
	close(keep);
	DPX_TEST_ASSERT_EQUAL(dpx_eal_cleanup(), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_test_count_fds(), fds0, "%s: every page fd closed", mode);
	return DPX_TEST_SUCCESS;
}

static int
test_memseg_fd_no_huge(void)
{
	int fds0 = dpx_test_count_fds();

	DPX_TEST_ASSERT(dpx_test_eal_init("--no-huge", NULL) > 0, "");
	return check_fds("--no-huge", true, fds0);
}

static int
need_pages(void)
{
	if (dpx_test_meminfo("Hugepagesize") != 2048)
		DPX_TEST_SKIP("default hugepage size is not 2 MB");
	if (dpx_test_meminfo("HugePages_Free") < 8) {
		if (getenv("DPX_TEST_REQUIRE_HUGEPAGES") != NULL) {
			printf("FAIL: fewer than 8 free hugepages (DPX_TEST_REQUIRE_HUGEPAGES "
			       "set)\n");
			return DPX_TEST_FAILED;
		}
		DPX_TEST_SKIP("fewer than 8 free 2 MB hugepages");
	}
	return DPX_TEST_SUCCESS;
}

static int
test_memseg_fd_hugetlbfs(void)
{
	DPX_TEST_RUN(need_pages());
	int fds0 = dpx_test_count_fds();
	DPX_TEST_ASSERT(dpx_test_eal_init("-m", "64", NULL) > 0, "");
	return check_fds("hugetlbfs files", false, fds0);
}

static int
test_memseg_fd_in_memory(void)
{
	DPX_TEST_RUN(need_pages());
	int fds0 = dpx_test_count_fds();
	DPX_TEST_ASSERT(dpx_test_eal_init("--in-memory", "-m", "64", NULL) > 0, "");
	return check_fds("--in-memory", true, fds0);
}

DPX_TEST_REGISTER(memseg_fd_no_huge, fast, test_memseg_fd_no_huge);
DPX_TEST_REGISTER(memseg_fd_hugetlbfs, hugepage, test_memseg_fd_hugetlbfs);
DPX_TEST_REGISTER(memseg_fd_in_memory, hugepage, test_memseg_fd_in_memory);
