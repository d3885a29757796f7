/* SPDX-License-Identifier: BSD-3-Clause */
/* dpx-test: with no argument, list the cases; with a name, run that case. */
#include <dirent.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include <dpx_malloc.h>

#include "dpx_test.h"

static struct dpx_test_case *cases;

void
dpx_test_register(struct dpx_test_case *tc)
{
	struct dpx_test_case **p = &cases;

	/* keep the list sorted by name so listings are stable */
	while (*p != NULL && strcmp((*p)->name, tc->name) < 0)
		p = &(*p)->next;
	tc->next = *p;
	*p = tc;
}

#define TEST_MAX_EAL_ARGS 64
#define TEST_MAX_RUNTIME_DIRS 16

/* Runtime directories the case's EAL inits created: none may be left when it ends. */
static char runtime_dirs[TEST_MAX_RUNTIME_DIRS][PATH_MAX];
static unsigned int nb_runtime_dirs;

static void
remember_runtime_dir(void)
{
	const char *dir = dpx_eal_runtime_dir();

	if (dir == NULL || dir[0] == '\0' || nb_runtime_dirs == TEST_MAX_RUNTIME_DIRS)
		return;
	for (unsigned int i = 0; i < nb_runtime_dirs; i++)
		if (strcmp(runtime_dirs[i], dir) == 0)
			return;
	snprintf(runtime_dirs[nb_runtime_dirs++], PATH_MAX, "%s", dir);
}

const char *
dpx_test_huge_dir(void)
{
	const char *dir = getenv("DPX_TEST_HUGE_DIR");

	return dir != NULL && dir[0] != '\0' ? dir : "/dev/hugepages";
}

int
dpx_test_eal_init(const char *first, ...)
{
	static char prefix[64];
	static char log_level[96];
	static char *argv[TEST_MAX_EAL_ARGS + 4];
	const char *env_level = getenv("DPX_TEST_LOG_LEVEL");
	int argc = 0;
	int has_prefix = 0, picks_memory = 0;
	va_list ap;

	argv[argc++] = "dpx-test";
	va_start(ap, first);
	for (const char *a = first; a != NULL && argc < TEST_MAX_EAL_ARGS; a = va_arg(ap, const char *)) {
		if (strncmp(a, "--file-prefix", 13) == 0 || strcmp(a, "--in-memory") == 0)
			has_prefix = 1;
		if (strcmp(a, "--no-huge") == 0 || strncmp(a, "--huge-dir", 10) == 0)
			picks_memory = 1;
		argv[argc++] = (char *)a;
	}
	va_end(ap);
	if (!has_prefix) {
		snprintf(prefix, sizeof(prefix), "--file-prefix=dpxtest-%d", (int)getpid());
		argv[argc++] = prefix;
	}
	/*
	 * Hugepage cases look for their files in DPX_TEST_HUGE_DIR (default
	 * /dev/hugepages, where dpx-hugepages --setup-for-tests mounts): make the
	 * EAL use that mount too, not whichever 2 MB mount /proc/mounts lists first.
	 */
	if (!picks_memory) {
		argv[argc++] = "--huge-dir";
		argv[argc++] = (char *)dpx_test_huge_dir();
	}
	if (env_level != NULL) {
		snprintf(log_level, sizeof(log_level), "--log-level=%s", env_level);
		argv[argc++] = log_level;
	}
	argv[argc] = NULL;
	int rc = dpx_eal_init(argc, argv);
	if (rc >= 0)
		remember_runtime_dir();
	return rc;
}

int
dpx_test_count_entries(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	int n = 0;

	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

double
dpx_test_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int
dpx_test_count_fds(void)
{
	return dpx_test_count_entries("/proc/self/fd") - 1; /* the opendir fd itself */
}

int
dpx_test_count_threads(void)
{
	return dpx_test_count_entries("/proc/self/task");
}

int
dpx_test_heap_empty(int socket)
{
	struct dpx_malloc_socket_stats st;

	DPX_TEST_ASSERT_EQUAL(dpx_malloc_get_socket_stats(socket, &st), 0, "socket %d", socket);
	DPX_TEST_ASSERT_EQUAL(st.alloc_count, 0, "allocations left on socket %d", socket);
	DPX_TEST_ASSERT_EQUAL(st.heap_totalsz_bytes, 0, "heap bytes left on socket %d", socket);
	DPX_TEST_ASSERT_EQUAL(st.pages_mapped, 0, "pages left on socket %d", socket);
	return DPX_TEST_SUCCESS;
}

long
dpx_test_meminfo(const char *key)
{
	FILE *f = fopen("/proc/meminfo", "r");
	char line[256];
	long v = -1;
	size_t klen = strlen(key);

	while (f != NULL && fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, key, klen) == 0 && line[klen] == ':')
			v = strtol(line + klen + 1, NULL, 10);
	if (f != NULL)
		fclose(f);
	return v;
}

/*
 * Each case is its own process: what its EAL leaves on disk (the runtime
 * directory in /run/dpx, its lock) outlives it, one directory per run. So
 * the runner takes down an EAL the case left up, as a process's owner must,
 * and fails the case when a runtime directory survives that (an lcore still
 * running, a file some library left in it).
 * @return DPX_TEST_SUCCESS or DPX_TEST_FAILED, after printing what was left.
 */
static int
check_nothing_left(void)
{
	int rc = DPX_TEST_SUCCESS;

	if (dpx_eal_is_initialized()) {
		remember_runtime_dir();
		if (dpx_eal_cleanup() != 0)
			printf("FAIL: the case left the EAL initialised and dpx_eal_cleanup "
			       "failed\n");
	}
	for (unsigned int i = 0; i < nb_runtime_dirs; i++) {
		if (access(runtime_dirs[i], F_OK) != 0)
			continue;
		printf("FAIL: runtime directory %s left behind\n", runtime_dirs[i]);
		rc = DPX_TEST_FAILED;
	}
	return rc;
}

static void
list_cases(void)
{
	for (struct dpx_test_case *tc = cases; tc != NULL; tc = tc->next)
		if (strcmp(tc->suite, "helper") != 0)
			printf("%-40s %s\n", tc->name, tc->suite);
}

int
main(int argc, char **argv)
{
	if (argc < 2) {
		list_cases();
		return 0;
	}
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
		printf("usage: %s [CASE]\n  with no CASE, list the cases and their suites\n",
		       argv[0]);
		return 0;
	}
	for (struct dpx_test_case *tc = cases; tc != NULL; tc = tc->next) {
		if (strcmp(tc->name, argv[1]) != 0)
			continue;
		setvbuf(stdout, NULL, _IOLBF, 0);
		int rc = tc->fn();
		int left = check_nothing_left();

		if (left != DPX_TEST_SUCCESS && rc != DPX_TEST_FAILED)
			rc = left;
		if (rc == DPX_TEST_SUCCESS)
			printf("PASS %s\n", tc->name);
		else if (rc == DPX_TEST_SKIPPED)
			printf("SKIPPED %s\n", tc->name);
		else
			printf("FAILED %s (%d)\n", tc->name, rc);
		return rc == DPX_TEST_SUCCESS || rc == DPX_TEST_SKIPPED ? rc : DPX_TEST_FAILED;
	}
	fprintf(stderr, "%s: no test case named '%s' (run with no argument to list them)\n",
		argv[0], argv[1]);
	return 2;
}
