/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Hugepages: the heap grows by hugepages and gives them back, PA mode IOVAs,
 * two prefixes side by side, --in-memory leaves no files, a too small
 * reservation gives the clear error. Skips (77) when hugepages cannot be had:
 * CI reserves them with usertools/dpx-hugepages --setup-for-tests.
 */
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <linux/capability.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <dpx_malloc.h>
#include <dpx_memory.h>

#include "dpx_test.h"

#define HP ((size_t)2 << 20)

/*
 * Skip unless the default hugepage size is 2 MB with at least n free and a
 * mount. Where dpx-setup reserved them (DPX_TEST_REQUIRE_HUGEPAGES set, as in
 * CI) a missing resource is a failure: the suite must not pass by skipping.
 */
#define NEED_HUGEPAGES_FAIL(fmt, ...) \
	DPX_TEST_SKIP_UNLESS_REQUIRED("DPX_TEST_REQUIRE_HUGEPAGES", fmt, ##__VA_ARGS__)

static int
need_hugepages(long n)
{
	if (dpx_test_meminfo("Hugepagesize") != 2048)
		DPX_TEST_SKIP("default hugepage size is %ld kB, these cases use 2 MB",
			      dpx_test_meminfo("Hugepagesize"));
	if (dpx_test_meminfo("HugePages_Free") < n)
		NEED_HUGEPAGES_FAIL("%ld free 2 MB hugepages, %ld needed (usertools/dpx-hugepages "
				    "--setup-for-tests reserves them)",
				    dpx_test_meminfo("HugePages_Free"), n);
	if (access(dpx_test_huge_dir(), W_OK) != 0)
		NEED_HUGEPAGES_FAIL("%s is not writable (dpx-hugepages mount, or set "
				    "DPX_TEST_HUGE_DIR)", dpx_test_huge_dir());
	return DPX_TEST_SUCCESS;
}

/* Files in the test hugetlbfs mount whose name starts with prefix ("" counts all). */
static int
huge_files(const char *prefix)
{
	DIR *d = opendir(dpx_test_huge_dir());
	struct dirent *e;
	int n = 0;

	while (d != NULL && (e = readdir(d)) != NULL)
		if (e->d_name[0] != '.' && strncmp(e->d_name, prefix, strlen(prefix)) == 0)
			n++;
	if (d != NULL)
		closedir(d);
	return n;
}

static int
test_hugepage_grow_shrink(void)
{
	struct dpx_malloc_socket_stats st;
	char prefix[64];

	DPX_TEST_RUN(need_hugepages(16));
	snprintf(prefix, sizeof(prefix), "hpgrow%d", (int)getpid());
	char opt[80];
	snprintf(opt, sizeof(opt), "--file-prefix=%s", prefix);
	long free0 = dpx_test_meminfo("HugePages_Free");
	DPX_TEST_ASSERT(dpx_test_eal_init(opt, NULL) > 0, "init");
	DPX_TEST_ASSERT(!dpx_eal_no_huge(), "");
	uint8_t *p = dpx_malloc("big", 20u << 20, 0);
	DPX_TEST_ASSERT(p != NULL, "%s", dpx_strerror(dpx_errno));
	memset(p, 0x77, 20u << 20);
	const struct dpx_memseg *ms = dpx_mem_virt2memseg(p);
	DPX_TEST_ASSERT(ms != NULL && ms->hugepage_sz == HP && ms->len == HP, "");
	DPX_TEST_ASSERT_EQUAL(dpx_malloc_get_socket_stats(0, &st), 0, "");
	DPX_TEST_ASSERT_EQUAL(st.pages_mapped, 11, "20 MB + header = 11 pages");
	DPX_TEST_ASSERT_EQUAL(dpx_test_meminfo("HugePages_Free"), free0 - 11, "hugepages taken");
	DPX_TEST_ASSERT_EQUAL(huge_files(prefix), 11, "one file per page");
	void *small = dpx_malloc("small", 100, 0);
	DPX_TEST_ASSERT_EQUAL(dpx_test_meminfo("HugePages_Free"), free0 - 11, "fits in the last page");
	dpx_free(p);
	DPX_TEST_ASSERT_EQUAL(dpx_test_meminfo("HugePages_Free"), free0 - 1, "all but the page of small");
	DPX_TEST_ASSERT_EQUAL(huge_files(prefix), 1, "");
	dpx_free(small);
	DPX_TEST_ASSERT_EQUAL(dpx_test_meminfo("HugePages_Free"), free0, "every page back");
	DPX_TEST_ASSERT_EQUAL(huge_files(prefix), 0, "files removed");
	DPX_TEST_ASSERT(dpx_malloc("leak", 3u << 20, 0) != NULL, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eal_cleanup(), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_test_meminfo("HugePages_Free"), free0, "cleanup gives leaked pages back");
	DPX_TEST_ASSERT_EQUAL(huge_files(prefix), 0, "");
	return DPX_TEST_SUCCESS;
}
DPX_TEST_REGISTER(hugepage_grow_shrink, hugepage, test_hugepage_grow_shrink);

static uint64_t
pagemap_phys(const void *va)
{
	int fd = open("/proc/self/pagemap", O_RDONLY);
	uint64_t e = 0;
	long pg = sysconf(_SC_PAGESIZE);

	if (fd < 0)
		return 0;
	if (pread(fd, &e, 8, (off_t)((uintptr_t)va / (uintptr_t)pg) * 8) != 8)
		e = 0;
	close(fd);
	if (!(e >> 63))
		return 0;
	return (e & ((1ULL << 55) - 1)) * (uint64_t)pg + ((uintptr_t)va & (uintptr_t)(pg - 1));
}

static int
test_hugepage_iova_pa(void)
{
	DPX_TEST_RUN(need_hugepages(8));
	if (geteuid() != 0)
		DPX_TEST_SKIP("physical addresses need root (CAP_SYS_ADMIN) to read pagemap");
	DPX_TEST_ASSERT(dpx_test_eal_init("--iova-mode=pa", NULL) > 0, "init");
	if (dpx_eal_iova_mode() != DPX_IOVA_PA) {
		dpx_eal_cleanup();
		DPX_TEST_SKIP("pagemap gave no physical addresses: IOVA as VA was used");
	}
	uint8_t *p = dpx_malloc("pa", 5u << 20, 0);
	DPX_TEST_ASSERT(p != NULL, "");
	for (size_t off = 0; off < (5u << 20); off += 65536 + 4096 + 123) {
		uint64_t phys = pagemap_phys(p + off);
		DPX_TEST_ASSERT(phys != 0, "");
		DPX_TEST_ASSERT_EQUAL(dpx_mem_virt2iova(p + off), phys, "offset %zu", off);
	}
	const struct dpx_memseg *ms = dpx_mem_virt2memseg(p);
	DPX_TEST_ASSERT_EQUAL(ms->iova, pagemap_phys(ms->addr), "memseg iova = its physical address");
	dpx_free(p);
	DPX_TEST_ASSERT_EQUAL(dpx_eal_cleanup(), 0, "");
	return DPX_TEST_SUCCESS;
}
DPX_TEST_REGISTER(hugepage_iova_pa, hugepage, test_hugepage_iova_pa);

/* Child without CAP_SYS_ADMIN: pagemap PFNs read as 0, so PA falls back to VA. */
static int
child_pa_without_cap(void)
{
	struct __user_cap_header_struct hdr = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct data[2];

	if (syscall(SYS_capget, &hdr, data) != 0)
		return 10;
	data[0].effective &= ~(1u << CAP_SYS_ADMIN);
	if (syscall(SYS_capset, &hdr, data) != 0)
		return 11;
	if (dpx_test_eal_init("--iova-mode=pa", "--in-memory", NULL) <= 0)
		return 12;
	if (dpx_eal_iova_mode() != DPX_IOVA_VA)
		return 13;
	uint8_t *p = dpx_malloc("x", 100, 0);
	if (p == NULL || dpx_mem_virt2iova(p) != (dpx_iova_t)(uintptr_t)p)
		return 14;
	dpx_free(p);
	return dpx_eal_cleanup() == 0 ? 0 : 15;
}

static int
test_hugepage_pa_fallback(void)
{
	int status;

	DPX_TEST_RUN(need_hugepages(4));
	if (geteuid() != 0)
		DPX_TEST_SKIP("needs root to start with CAP_SYS_ADMIN and drop it");
	pid_t pid = fork();
	DPX_TEST_ASSERT(pid >= 0, "");
	if (pid == 0)
		_exit(child_pa_without_cap());
	DPX_TEST_ASSERT_EQUAL(waitpid(pid, &status, 0), pid, "");
	DPX_TEST_ASSERT(WIFEXITED(status), "");
	DPX_TEST_ASSERT_EQUAL(WEXITSTATUS(status), 0, "child: PA asked, VA used, IOVA = VA");
	return DPX_TEST_SUCCESS;
}
DPX_TEST_REGISTER(hugepage_pa_fallback, hugepage, test_hugepage_pa_fallback);

/* Child: init with its own prefix, take 4 pages, report and wait to be told to go. */
static int
child_process(int ready_fd, int go_fd)
{
	char opt[80];
	char c = 0;

	snprintf(opt, sizeof(opt), "--file-prefix=hpchild%d", (int)getpid());
	if (dpx_test_eal_init(opt, NULL) <= 0)
		return 2;
	uint8_t *p = dpx_malloc("child", 7u << 20, 0);
	if (p == NULL)
		return 3;
	memset(p, 0xc1, 7u << 20);
	c = 1;
	if (write(ready_fd, &c, 1) != 1 || read(go_fd, &c, 1) != 1)
		return 4;
	for (size_t i = 0; i < (7u << 20); i += 4096)
		if (p[i] != 0xc1)
			return 5;
	dpx_free(p);
	return dpx_eal_cleanup() == 0 ? 0 : 6;
}

static int
test_hugepage_two_prefixes(void)
{
	int ready[2], go[2], status;
	char c, prefix[64], opt[80];

	DPX_TEST_RUN(need_hugepages(16));
	DPX_TEST_ASSERT(pipe(ready) == 0 && pipe(go) == 0, "");
	long free0 = dpx_test_meminfo("HugePages_Free");
	pid_t pid = fork();
	DPX_TEST_ASSERT(pid >= 0, "");
	if (pid == 0)
		_exit(child_process(ready[1], go[0]));
	DPX_TEST_ASSERT_EQUAL(read(ready[0], &c, 1), 1, "child up");
	snprintf(prefix, sizeof(prefix), "hpchild%d", (int)pid);
	DPX_TEST_ASSERT_EQUAL(huge_files(prefix), 4, "child's pages");
	snprintf(prefix, sizeof(prefix), "hpparent%d", (int)getpid());
	snprintf(opt, sizeof(opt), "--file-prefix=%s", prefix);
	DPX_TEST_ASSERT(dpx_test_eal_init(opt, NULL) > 0, "init beside the child");
	uint8_t *p = dpx_malloc("parent", 7u << 20, 0);
	DPX_TEST_ASSERT(p != NULL, "");
	memset(p, 0x9a, 7u << 20);
	DPX_TEST_ASSERT_EQUAL(huge_files(prefix), 4, "parent's pages");
	DPX_TEST_ASSERT_EQUAL(dpx_test_meminfo("HugePages_Free"), free0 - 8, "");
	DPX_TEST_ASSERT_EQUAL(write(go[1], &c, 1), 1, "");
	DPX_TEST_ASSERT_EQUAL(waitpid(pid, &status, 0), pid, "");
	DPX_TEST_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child status %d", status);
	for (size_t i = 0; i < (7u << 20); i += 4096)
		DPX_TEST_ASSERT_EQUAL(p[i], 0x9a, "parent's bytes intact at %zu", i);
	dpx_free(p);
	DPX_TEST_ASSERT_EQUAL(dpx_eal_cleanup(), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_test_meminfo("HugePages_Free"), free0, "");
	return DPX_TEST_SUCCESS;
}
DPX_TEST_REGISTER(hugepage_two_prefixes, hugepage, test_hugepage_two_prefixes);

static int
test_hugepage_in_memory(void)
{
	DPX_TEST_RUN(need_hugepages(8));
	int files0 = huge_files("");
	long free0 = dpx_test_meminfo("HugePages_Free");
	int fds0 = dpx_test_count_fds();
	DPX_TEST_ASSERT(dpx_test_eal_init("--in-memory", NULL) > 0, "init");
	/* one memfd per node, opened at init: pages add none */
	int fds_init = dpx_test_count_fds();
	DPX_TEST_ASSERT(fds_init > fds0, "the node's memfd");
	uint8_t *p = dpx_malloc("inmem", 5u << 20, 0);
	DPX_TEST_ASSERT(p != NULL, "%s", dpx_strerror(dpx_errno));
	memset(p, 1, 5u << 20);
	DPX_TEST_ASSERT_EQUAL(dpx_test_meminfo("HugePages_Free"), free0 - 3, "real hugepages");
	DPX_TEST_ASSERT_EQUAL(huge_files(""), files0, "no file on hugetlbfs");
	DPX_TEST_ASSERT_EQUAL(dpx_test_count_fds(), fds_init, "no fd kept per page");
	DPX_TEST_ASSERT_EQUAL(dpx_eal_runtime_dir()[0], '\0', "no runtime dir");
	dpx_free(p);
	DPX_TEST_ASSERT_EQUAL(dpx_test_meminfo("HugePages_Free"), free0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eal_cleanup(), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_test_count_fds(), fds0, "the memfd closed at cleanup");
	return DPX_TEST_SUCCESS;
}
DPX_TEST_REGISTER(hugepage_in_memory, hugepage, test_hugepage_in_memory);

static int
test_hugepage_too_few(void)
{
	char mopt[32], expect[128], text[2048] = "";

	DPX_TEST_RUN(need_hugepages(1));
	long free0 = dpx_test_meminfo("HugePages_Free");
	long want = free0 + 100;
	snprintf(mopt, sizeof(mopt), "%ld", want * 2);
	FILE *log = tmpfile();
	DPX_TEST_ASSERT(log != NULL, "");
	dpx_log_set_stream(log);
	int rc = dpx_test_eal_init("-m", mopt, NULL);
	dpx_log_set_stream(NULL);
	rewind(log);
	size_t n = fread(text, 1, sizeof(text) - 1, log);
	text[n] = '\0';
	fclose(log);
	printf("%s", text);
	DPX_TEST_ASSERT_EQUAL(rc, -ENOMEM, "");
	DPX_TEST_ASSERT(!dpx_eal_is_initialized(), "");
	snprintf(expect, sizeof(expect), "need %ld free hugepages of 2048 kB, %ld free", want, free0);
	DPX_TEST_ASSERT(strstr(text, expect) != NULL, "says how many: '%s'", expect);
	DPX_TEST_ASSERT(strstr(text, "dpx-hugepages reserve") != NULL, "says the command");

	/* per node with --socket-mem */
	snprintf(mopt, sizeof(mopt), "%ld", want * 2);
	log = tmpfile();
	DPX_TEST_ASSERT(log != NULL, "");
	dpx_log_set_stream(log);
	rc = dpx_test_eal_init("--socket-mem", mopt, NULL);
	dpx_log_set_stream(NULL);
	rewind(log);
	n = fread(text, 1, sizeof(text) - 1, log);
	text[n] = '\0';
	fclose(log);
	printf("%s", text);
	DPX_TEST_ASSERT_EQUAL(rc, -ENOMEM, "");
	snprintf(expect, sizeof(expect), "need %ld free hugepages of 2048 kB on node 0", want);
	DPX_TEST_ASSERT(strstr(text, expect) != NULL, "says how many on which node: '%s'", expect);
	DPX_TEST_ASSERT(strstr(text, "--node 0") != NULL, "says the command");

	/* at run time, past what the kernel has: the same advice, and nothing kept */
	DPX_TEST_ASSERT(dpx_test_eal_init("-l", "0", NULL) > 0, "init");
	DPX_TEST_ASSERT(dpx_malloc("huge", (size_t)(free0 + 10) * HP, 0) == NULL, "");
	DPX_TEST_ASSERT_EQUAL(dpx_errno, ENOMEM, "");
	DPX_TEST_ASSERT_EQUAL(dpx_test_meminfo("HugePages_Free"), free0, "the pages mapped so far went back");
	DPX_TEST_ASSERT_EQUAL(dpx_eal_cleanup(), 0, "");
	return DPX_TEST_SUCCESS;
}
DPX_TEST_REGISTER(hugepage_too_few, hugepage, test_hugepage_too_few);

static int
test_hugepage_socket_mem_huge_dir(void)
{
	struct dpx_malloc_socket_stats st;

	DPX_TEST_RUN(need_hugepages(8));
	DPX_TEST_ASSERT(dpx_test_eal_init("--socket-mem", "8", "--huge-dir", dpx_test_huge_dir(), NULL) >
				0, "init");
	void *a = dpx_malloc_socket("a", 5u << 20, 0, 0);
	DPX_TEST_ASSERT(a != NULL, "3 pages of the 4 allowed on node 0");
	DPX_TEST_ASSERT(dpx_malloc_socket("b", 3u << 20, 0, 0) == NULL, "would need 2 more");
	DPX_TEST_ASSERT_EQUAL(dpx_errno, ENOMEM, "");
	void *b = dpx_malloc_socket("b", 1u << 20, 0, 0);
	DPX_TEST_ASSERT(b != NULL, "one more page is within the cap");
	DPX_TEST_ASSERT_EQUAL(dpx_malloc_get_socket_stats(0, &st), 0, "");
	DPX_TEST_ASSERT(st.pages_mapped <= 4, "%zu pages", st.pages_mapped);
	dpx_free(a);
	dpx_free(b);
	DPX_TEST_ASSERT_EQUAL(dpx_eal_cleanup(), 0, "");
	return DPX_TEST_SUCCESS;
}
DPX_TEST_REGISTER(hugepage_socket_mem_huge_dir, hugepage, test_hugepage_socket_mem_huge_dir);
