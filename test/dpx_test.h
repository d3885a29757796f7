/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dpx-test: one binary, many cases. A test file registers each case with
 *
 *     DPX_TEST_REGISTER(name, suite, function);
 *
 * on a line of its own; test/meson.build reads those lines and makes each case
 * its own `meson test` entry in its suite (fast, hugepage, guest, perf).
 * A case returns DPX_TEST_SUCCESS, DPX_TEST_FAILED, or DPX_TEST_SKIPPED (77,
 * after printing why, through DPX_TEST_SKIP).
 */
#ifndef DPX_TEST_H
#define DPX_TEST_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <inttypes.h>

#include <dpx_eal.h>

#define DPX_TEST_SUCCESS 0
#define DPX_TEST_FAILED 1
#define DPX_TEST_SKIPPED 77

struct dpx_test_case {
	const char *name;
	const char *suite;
	int (*fn)(void);
	struct dpx_test_case *next;
};

void dpx_test_register(struct dpx_test_case *tc);

/* A case function that runs one variant of a shared body (split/packed and
 * feature variants); meson reads only the DPX_TEST_REGISTER lines. */
#define CASE_OF(fn, call)    \
	static int fn(void)  \
	{                    \
		return call; \
	}

#define DPX_TEST_REGISTER(name, suite, fn)                                            \
	static struct dpx_test_case dpx_test_case_##name = {#name, #suite, fn, NULL}; \
	__attribute__((constructor)) static void dpx_test_ctor_##name(void)           \
	{                                                                             \
		dpx_test_register(&dpx_test_case_##name);                             \
	}

/*
 * A helper case: runnable by name (dpx-test NAME) but in no suite and not
 * listed; for cases that check the runner itself by running it.
 */
#define DPX_TEST_HELPER(name, fn)                                                       \
	static struct dpx_test_case dpx_test_case_##name = {#name, "helper", fn, NULL}; \
	__attribute__((constructor)) static void dpx_test_ctor_##name(void)             \
	{                                                                               \
		dpx_test_register(&dpx_test_case_##name);                               \
	}

#define DPX_TEST_ASSERT(cond, fmt, ...)                                                            \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			printf("FAIL %s:%d: %s: " fmt "\n", __FILE__, __LINE__, #cond,             \
			       ##__VA_ARGS__);                                                     \
			return DPX_TEST_FAILED;                                                    \
		}                                                                                  \
	} while (0)

#define DPX_TEST_ASSERT_EQUAL(a, b, fmt, ...)                                                      \
	do {                                                                                       \
		long long va_ = (long long)(a), vb_ = (long long)(b);                              \
		if (va_ != vb_) {                                                                  \
			printf("FAIL %s:%d: %s == %s: got %lld, expected %lld: " fmt "\n",         \
			       __FILE__, __LINE__, #a, #b, va_, vb_, ##__VA_ARGS__);               \
			return DPX_TEST_FAILED;                                                    \
		}                                                                                  \
	} while (0)

/* Run a sub-check returning a DPX_TEST_* code and propagate a failure or skip. */
#define DPX_TEST_RUN(expr)                                                                         \
	do {                                                                                       \
		int rc_ = (expr);                                                                  \
		if (rc_ != DPX_TEST_SUCCESS)                                                       \
			return rc_;                                                                \
	} while (0)

#define DPX_TEST_SKIP(fmt, ...)                                                                    \
	do {                                                                                       \
		printf("SKIP: " fmt "\n", ##__VA_ARGS__);                                          \
		return DPX_TEST_SKIPPED;                                                           \
	} while (0)

/*
 * Skip for a missing resource, unless the environment variable `require`
 * (DPX_TEST_REQUIRE_HUGEPAGES, DPX_TEST_REQUIRE_DPDK: what usertools/dpx-setup
 * sets once it provided the resource, as in CI) is set and not "0": then the
 * case fails, so a suite cannot pass by skipping what it was given.
 */
#define DPX_TEST_SKIP_UNLESS_REQUIRED(require, fmt, ...)                                           \
	do {                                                                                       \
		const char *req_ = getenv(require);                                                \
		if (req_ == NULL || strcmp(req_, "0") == 0)                                        \
			DPX_TEST_SKIP(fmt, ##__VA_ARGS__);                                         \
		printf("FAIL (%s is set): " fmt "\n", require, ##__VA_ARGS__);                     \
		return DPX_TEST_FAILED;                                                            \
	} while (0)

/*
 * Initialise the EAL for a test: the given options (NULL-terminated) plus a
 * file prefix unique to this process (unless one is given), and the log level
 * from DPX_TEST_LOG_LEVEL. Returns what dpx_eal_init returns.
 */
int dpx_test_eal_init(const char *first, ...) __attribute__((sentinel));

/*
 * The hugetlbfs mount hugepage cases use: $DPX_TEST_HUGE_DIR, or
 * /dev/hugepages. dpx_test_eal_init passes it as --huge-dir unless the case
 * gives --no-huge or its own --huge-dir.
 */
const char *dpx_test_huge_dir(void);

/* Entries of a directory, "." names left out (/proc/<pid>/fd, /proc/<pid>/task), or -1. */
int dpx_test_count_entries(const char *path);

/* Seconds on the monotonic clock (for elapsed times a case prints, never asserts on). */
double dpx_test_seconds(void);

/* Number of open fds of this process (for leak checks). */
int dpx_test_count_fds(void);

/* Number of threads of this process (for leak checks). */
int dpx_test_count_threads(void);

/* Assert that the heap of socket holds nothing: no allocation, no byte, no page. */
int dpx_test_heap_empty(int socket);

/* The number after "key:" in /proc/meminfo (kB for sizes), or -1 if absent. */
long dpx_test_meminfo(const char *key);

/*
 * xorshift64: a fast, reproducible pseudo-random sequence for randomized
 * cases. The state is the caller's (non-zero), so threads keep their own and
 * a case can print its seed.
 */
static inline uint64_t
dpx_test_rand(uint64_t *state)
{
	*state ^= *state << 13;
	*state ^= *state >> 7;
	*state ^= *state << 17;
	return *state;
}

/* Report a benchmark figure on one line: "PERF name: value unit". */
#define DPX_TEST_PERF(name, value, unit)                                                           \
	printf("PERF %-48s %14.2f %s\n", name, (double)(value), unit)

#endif /* DPX_TEST_H */
