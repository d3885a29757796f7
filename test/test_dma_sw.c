/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dmadev and the software engine (drivers/dma/sw): bytes land exactly where
 * asked and nowhere else, job indices wrap, completions come in order, a
 * full ring says -ENOSPC as burst_capacity predicts, failed jobs are
 * reported by completed_status and counted, stop and close with jobs in
 * flight, two vchans, and the engine bound to a VFIO container (the kernel
 * fake): IOVAs translated, unmapped ones fault and copy nothing, an unmap
 * takes effect before it returns. No thread or fd is left after close.
 */
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <dpx_bus_vdev.h>
#include <dpx_cycles.h>
#include <dpx_dma_sw.h>
#include <dpx_dmadev.h>
#include <dpx_lcore.h>
#include <dpx_vfio.h>

#include "dma_sw_private.h"
#include "dpx_test.h"
#include "dpx_dma_iova_map.h"
#include "vfio_kernel_fake.h"

#define KIB 1024u
#define MAX_LEN (64 * KIB)
#define WAIT_NS (20ull * 1000 * 1000 * 1000) /* only a hang hits this */

extern int vfio_logtype;

static void *
buf_alloc(size_t len, uint64_t *seed)
{
	uint8_t *p = aligned_alloc(4096, DPX_ALIGN_CEIL(len, 4096));

	for (size_t i = 0; p != NULL && i < len; i++)
		p[i] = seed != NULL ? (uint8_t)dpx_test_rand(seed) : 0;
	return p;
}

static uint64_t
iova_of(const void *p)
{
	return (uint64_t)(uintptr_t)p;
}

/* Probe dma_sw0 with args, configure nb_vchans vchans of ring slots each. */
static int
sw_open(const char *args, uint16_t nb_vchans, uint16_t ring, int16_t *id)
{
	struct dpx_dma_conf conf = {.nb_vchans = nb_vchans};
	struct dpx_dma_vchan_conf vconf = {.direction = DPX_DMA_DIR_MEM_TO_MEM, .nb_desc = ring};

	DPX_TEST_ASSERT_EQUAL(dpx_vdev_init("dma_sw0", args), 0, "args %s", args);
	*id = (int16_t)dpx_dma_get_dev_id_by_name("dma_sw0");
	DPX_TEST_ASSERT(*id >= 0, "%d", *id);
	DPX_TEST_ASSERT_EQUAL(dpx_dma_configure(*id, &conf), 0, "");
	for (uint16_t v = 0; v < nb_vchans; v++)
		DPX_TEST_ASSERT_EQUAL(dpx_dma_vchan_setup(*id, v, &vconf), 0, "vchan %u", v);
	return DPX_TEST_SUCCESS;
}

/*
 * Collect exactly n completions of a vchan (statuses into st when not NULL),
 * checking that they come in order from *next_idx on.
 */
static int
collect(int16_t id, uint16_t vchan, uint32_t n, uint16_t *next_idx, enum dpx_dma_status_code *st)
{
	enum dpx_dma_status_code tmp[64];
	uint64_t deadline = dpx_get_time_ns() + WAIT_NS;
	uint32_t got = 0;

	while (got < n) {
		uint16_t want = (uint16_t)DPX_MIN(n - got, DPX_DIM(tmp)), last = 0;
		uint16_t k = dpx_dma_completed_status(id, vchan, want, &last, tmp);

		if (k > 0) {
			DPX_TEST_ASSERT_EQUAL(last, (uint16_t)(*next_idx + k - 1), "in order");
			*next_idx = (uint16_t)(*next_idx + k);
		}
		for (uint16_t i = 0; st != NULL && i < k; i++)
			st[got + i] = tmp[i];
		got += k;
		DPX_TEST_ASSERT(k > 0 || dpx_get_time_ns() < deadline, "%u of %u jobs completed",
				got, n);
	}
	return DPX_TEST_SUCCESS;
}

/* The EAL without hugepages; lcores NULL: the EAL's default (the CPUs this process may use). */
static int
env_init(const char *lcores)
{
	if (lcores == NULL)
		DPX_TEST_ASSERT(dpx_test_eal_init("--no-huge", "--in-memory", NULL) > 0, "");
	else
		DPX_TEST_ASSERT(
			dpx_test_eal_init("--no-huge", "--in-memory", "-l", lcores, NULL) > 0, "");
	return DPX_TEST_SUCCESS;
}

/* The kernel fake under the EAL, so that containers exist on this host. */
static int
fake_env_init(void)
{
	kfake_reset(KMODEL_TYPE1V2);
	DPX_TEST_ASSERT_EQUAL(vfio_set_kernel_ops(&kfake_ops), 0, "");
	DPX_TEST_RUN(env_init(NULL));
	DPX_TEST_ASSERT_EQUAL(dpx_vfio_is_enabled(), 1, "");
	return DPX_TEST_SUCCESS;
}

static int
fake_env_fini(void)
{
	DPX_TEST_ASSERT_EQUAL(dpx_eal_cleanup(), 0, "");
	DPX_TEST_ASSERT_EQUAL(vfio_set_kernel_ops(NULL), 0, "");
	return DPX_TEST_SUCCESS;
}

/* ---- copies ---- */

#define RND_SPAN (1024 * KIB)
#define RND_GUARD (4 * KIB)
#define RND_JOBS 100000
#define RND_CHECK_EVERY 2048

/* 1 .. 64 KiB, log-uniform: as many tiny copies as large ones */
static uint32_t
random_len(uint64_t *seed)
{
	uint32_t bits = (uint32_t)(dpx_test_rand(seed) % 17);

	return 1 + (uint32_t)(dpx_test_rand(seed) % (1u << bits)) % MAX_LEN;
}

/* Enqueue one copy, making room by collecting when the ring is full. */
static int
copy_one(int16_t id, uint64_t src, uint64_t dst, uint32_t len, uint32_t job, uint16_t *next_idx,
	 uint32_t *outstanding)
{
	int idx = dpx_dma_copy(id, 0, src, dst, len, (job % 8 == 7) ? DPX_DMA_OP_FLAG_SUBMIT : 0);

	if (idx == -ENOSPC) {
		DPX_TEST_ASSERT_EQUAL(dpx_dma_burst_capacity(id, 0), 0, "full ring");
		DPX_TEST_ASSERT_EQUAL(dpx_dma_submit(id, 0), 0, "");
		DPX_TEST_RUN(collect(id, 0, *outstanding, next_idx, NULL));
		*outstanding = 0;
		idx = dpx_dma_copy(id, 0, src, dst, len, 0);
	}
	DPX_TEST_ASSERT_EQUAL(idx, (uint16_t)job, "job indices count up and wrap");
	(*outstanding)++;
	return DPX_TEST_SUCCESS;
}

/* 10^5 random copies land byte-exact, in order, and nothing else changes. */
static int
test_dma_sw_random_copies(void)
{
	uint64_t seed = 0x5eed0d3a;
	uint8_t *src = buf_alloc(RND_SPAN, &seed);
	uint8_t *dst = buf_alloc(RND_SPAN + RND_GUARD, &seed);
	uint8_t *model = malloc(RND_SPAN + RND_GUARD);
	uint32_t outstanding = 0;
	uint16_t next_idx = 0;
	int16_t id;

	DPX_TEST_ASSERT(src != NULL && dst != NULL && model != NULL, "");
	memcpy(model, dst, RND_SPAN + RND_GUARD);
	DPX_TEST_RUN(env_init(NULL));
	DPX_TEST_RUN(sw_open("ring_size=1024", 1, 1024, &id));
	DPX_TEST_ASSERT_EQUAL(dpx_dma_start(id), 0, "");
	for (uint32_t job = 0; job < RND_JOBS; job++) {
		uint32_t len = random_len(&seed);
		uint32_t so = (uint32_t)(dpx_test_rand(&seed) % (RND_SPAN - len + 1));
		uint32_t dof = (uint32_t)(dpx_test_rand(&seed) % (RND_SPAN - len + 1));

		DPX_TEST_RUN(copy_one(id, iova_of(src + so), iova_of(dst + dof), len, job,
				      &next_idx, &outstanding));
		/* jobs run in order, so the model applies them in order too */
		memcpy(model + dof, src + so, len);
		if (job % RND_CHECK_EVERY == RND_CHECK_EVERY - 1 || job == RND_JOBS - 1) {
			DPX_TEST_ASSERT_EQUAL(dpx_dma_submit(id, 0), 0, "");
			DPX_TEST_RUN(collect(id, 0, outstanding, &next_idx, NULL));
			outstanding = 0;
			DPX_TEST_ASSERT(memcmp(dst, model, RND_SPAN + RND_GUARD) == 0,
					"after job %u (seed 0x5eed0d3a)", job);
		}
	}
	struct dpx_dma_stats st;
	DPX_TEST_ASSERT_EQUAL(dpx_dma_stats_get(id, 0, &st), 0, "");
	DPX_TEST_ASSERT(st.submitted == RND_JOBS && st.completed == RND_JOBS && st.errors == 0,
			"submitted %" PRIu64 " completed %" PRIu64 " errors %" PRIu64, st.submitted,
			st.completed, st.errors);
	DPX_TEST_ASSERT_EQUAL(dpx_dma_stop(id), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_vdev_uninit("dma_sw0"), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_dma_count_avail(), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eal_cleanup(), 0, "");
	free(src), free(dst), free(model);
	return DPX_TEST_SUCCESS;
}
DPX_TEST_REGISTER(dma_sw_random_copies, fast, test_dma_sw_random_copies);

/* A ring of 16: -ENOSPC exactly when burst_capacity says 0; completed and its last_idx. */
static int
ring_full_once(void)
{
	uint64_t seed = 7;
	uint8_t *src = buf_alloc(4096, &seed), *dst = buf_alloc(4096, NULL);
	uint16_t last = 1, next_idx = 0;
	bool err = true;
	int16_t id;

	DPX_TEST_RUN(env_init(NULL));
	DPX_TEST_RUN(sw_open(NULL, 1, 16, &id));
	DPX_TEST_ASSERT_EQUAL(dpx_dma_copy(id, 0, iova_of(src), iova_of(dst), 1, 0), -ENODEV,
			      "not started");
	DPX_TEST_ASSERT_EQUAL(dpx_dma_burst_capacity(id, 0), 0, "not started");
	DPX_TEST_ASSERT_EQUAL(dpx_dma_start(id), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_dma_completed(id, 0, 16, &last, &err), 0, "");
	DPX_TEST_ASSERT(last == 65535 && !err, "right after start: last %u", last);
	for (unsigned int round = 0; round < 3; round++) {
		for (unsigned int i = 0; i < 16; i++) {
			DPX_TEST_ASSERT_EQUAL(dpx_dma_burst_capacity(id, 0), 16 - i, "");
			DPX_TEST_ASSERT_EQUAL(dpx_dma_copy(id, 0, iova_of(src + i * 256),
							   iova_of(dst + i * 256), 256, 0),
					      round * 16 + i, "");
		}
		DPX_TEST_ASSERT_EQUAL(dpx_dma_burst_capacity(id, 0), 0, "");
		DPX_TEST_ASSERT_EQUAL(dpx_dma_copy(id, 0, iova_of(src), iova_of(dst), 1, 0),
				      -ENOSPC, "full");
		DPX_TEST_ASSERT_EQUAL(dpx_dma_submit(id, 0), 0, "");
		/* completed in two parts: the run of 16 is cut at nb_cpls */
		uint64_t deadline = dpx_get_time_ns() + WAIT_NS;
		unsigned int got = 0;
		while (got < 16) {
			uint16_t k = dpx_dma_completed(id, 0, (uint16_t)(got < 5 ? 5 - got : 16),
						       &last, &err);
			DPX_TEST_ASSERT(!err, "");
			if (k > 0)
				DPX_TEST_ASSERT_EQUAL(last, (uint16_t)(next_idx + k - 1), "");
			next_idx = (uint16_t)(next_idx + k);
			got += k;
			DPX_TEST_ASSERT(got <= 5 || k == 0 || got == 16, "");
			DPX_TEST_ASSERT(dpx_get_time_ns() < deadline, "%u completed", got);
		}
		DPX_TEST_ASSERT_EQUAL(dpx_dma_burst_capacity(id, 0), 16, "free again");
		DPX_TEST_ASSERT(memcmp(src, dst, 4096) == 0, "round %u", round);
		memset(dst, 0, 4096);
	}
	DPX_TEST_ASSERT_EQUAL(dpx_dma_completed(id, 0, 16, NULL, NULL), 0, "NULL outputs are fine");
	/* an empty job touches nothing: even NULL addresses succeed (UBSan watches memmove's) */
	DPX_TEST_ASSERT_EQUAL(dpx_dma_copy(id, 0, 0, 0, 0, DPX_DMA_OP_FLAG_SUBMIT), 48, "");
	enum dpx_dma_status_code st0;
	DPX_TEST_RUN(collect(id, 0, 1, &next_idx, &st0));
	DPX_TEST_ASSERT_EQUAL(st0, DPX_DMA_STATUS_SUCCESSFUL, "");
	DPX_TEST_ASSERT_EQUAL(dpx_vdev_uninit("dma_sw0"), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eal_cleanup(), 0, "");
	free(src), free(dst);
	return DPX_TEST_SUCCESS;
}

/* With the copy that prefetches the slots ahead, and with the one for CPUs without PREFETCHW. */
static int
test_dma_sw_ring_full(void)
{
	DPX_TEST_RUN(ring_full_once());
	dma_sw_test_hooks.no_prefetchw = true;
	int rc = ring_full_once();
	dma_sw_test_hooks.no_prefetchw = false;
	return rc;
}
DPX_TEST_REGISTER(dma_sw_ring_full, fast, test_dma_sw_ring_full);

/* Two vchans: their own indices, rings and counters; the ALL sum. */
static int
test_dma_sw_two_vchans(void)
{
	struct dpx_dma_vchan_conf big = {.direction = DPX_DMA_DIR_MEM_TO_MEM, .nb_desc = 64};
	uint64_t seed = 3;
	uint8_t *src = buf_alloc(64 * KIB, &seed), *dst = buf_alloc(128 * KIB, NULL);
	uint16_t next[2] = {0, 0};
	struct dpx_dma_stats st[2], all;
	int16_t id;

	DPX_TEST_RUN(env_init(NULL));
	DPX_TEST_RUN(sw_open(NULL, 2, 16, &id));
	DPX_TEST_ASSERT_EQUAL(dpx_dma_vchan_setup(id, 1, &big), 0, "set up again, bigger");
	DPX_TEST_ASSERT_EQUAL(dpx_dma_start(id), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_dma_burst_capacity(id, 0), 16, "");
	DPX_TEST_ASSERT_EQUAL(dpx_dma_burst_capacity(id, 1), 64, "");
	for (unsigned int i = 0; i < 48; i++) {
		uint16_t v = i % 3 == 0 ? 0 : 1; /* 16 jobs on vchan 0, 32 on vchan 1 */
		uint64_t off = (uint64_t)i * KIB;
		int idx = dpx_dma_copy(id, v, iova_of(src + off), iova_of(dst + v * 64 * KIB + off),
				       KIB, DPX_DMA_OP_FLAG_SUBMIT);
		DPX_TEST_ASSERT_EQUAL(idx, v == 0 ? i / 3 : i - i / 3 - 1, "vchan %u", v);
	}
	DPX_TEST_RUN(collect(id, 1, 32, &next[1], NULL));
	DPX_TEST_RUN(collect(id, 0, 16, &next[0], NULL));
	for (unsigned int i = 0; i < 48; i++) {
		uint16_t v = i % 3 == 0 ? 0 : 1;
		uint64_t off = (uint64_t)i * KIB;
		DPX_TEST_ASSERT(memcmp(dst + v * 64 * KIB + off, src + off, KIB) == 0, "job %u", i);
	}
	DPX_TEST_ASSERT_EQUAL(dpx_dma_stats_get(id, 0, &st[0]), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_dma_stats_get(id, 1, &st[1]), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_dma_stats_get(id, DPX_DMA_ALL_VCHAN, &all), 0, "");
	DPX_TEST_ASSERT(st[0].submitted == 16 && st[0].completed == 16 && st[1].submitted == 32 &&
				st[1].completed == 32 && all.submitted == 48 && all.completed == 48,
			"");
	DPX_TEST_ASSERT_EQUAL(dpx_dma_stats_get(id, 2, &all), -EINVAL, "no vchan 2");
	DPX_TEST_ASSERT_EQUAL(dpx_dma_stats_reset(id, 1), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_dma_stats_get(id, DPX_DMA_ALL_VCHAN, &all), 0, "");
	DPX_TEST_ASSERT(all.submitted == 16 && all.completed == 16, "after resetting vchan 1");
	DPX_TEST_ASSERT_EQUAL(dpx_dma_stats_reset(id, DPX_DMA_ALL_VCHAN), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_dma_stats_get(id, DPX_DMA_ALL_VCHAN, &all), 0, "");
	DPX_TEST_ASSERT(all.submitted == 0 && all.completed == 0 && all.errors == 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_vdev_uninit("dma_sw0"), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eal_cleanup(), 0, "");
	free(src), free(dst);
	return DPX_TEST_SUCCESS;
}
DPX_TEST_REGISTER(dma_sw_two_vchans, fast, test_dma_sw_two_vchans);

/*
 * Stop with jobs in flight (submitted and not): every job runs before stop
 * returns, its completion stays collectable, new jobs are refused; close and
 * remove leave no thread and no fd. Repeated on an EAL worker lcore.
 */
static int
stop_close_inflight(const char *args)
{
	uint64_t seed = 11;
	uint8_t *src = buf_alloc(64 * 64 * KIB, &seed), *dst = buf_alloc(64 * 64 * KIB, NULL);
	enum dpx_dma_status_code st[64];
	int fds = dpx_test_count_fds(), threads = dpx_test_count_threads();
	bool own_thread = strstr(args, "lcore=") == NULL;
	uint16_t next_idx = 0;
	int16_t id;

	DPX_TEST_RUN(sw_open(args, 1, 64, &id));
	DPX_TEST_ASSERT_EQUAL(dpx_dma_start(id), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_dma_start(id), 0, "started already");
	DPX_TEST_ASSERT_EQUAL(dpx_test_count_threads(), threads + own_thread, "the worker");
	for (unsigned int i = 0; i < 64; i++)
		DPX_TEST_ASSERT_EQUAL(dpx_dma_copy(id, 0, iova_of(src + i * 64 * KIB),
						   iova_of(dst + i * 64 * KIB), 64 * KIB,
						   i == 31 ? DPX_DMA_OP_FLAG_SUBMIT : 0),
				      i, "");
	DPX_TEST_ASSERT_EQUAL(dpx_dma_close(id), -EBUSY, "close while started");
	DPX_TEST_ASSERT_EQUAL(dpx_dma_stop(id), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_test_count_threads(), threads, "worker gone at stop");
	DPX_TEST_ASSERT(memcmp(src, dst, 64 * 64 * KIB) == 0, "every job ran before stop returned");
	DPX_TEST_ASSERT_EQUAL(dpx_dma_copy(id, 0, iova_of(src), iova_of(dst), 1, 0), -ENODEV, "");
	DPX_TEST_ASSERT_EQUAL(dpx_dma_submit(id, 0), -ENODEV, "");
	DPX_TEST_ASSERT_EQUAL(dpx_dma_burst_capacity(id, 0), 0, "");
	DPX_TEST_RUN(collect(id, 0, 64, &next_idx, st));
	for (unsigned int i = 0; i < 64; i++)
		DPX_TEST_ASSERT_EQUAL(st[i], DPX_DMA_STATUS_SUCCESSFUL, "job %u", i);
	struct dpx_dma_stats s;
	DPX_TEST_ASSERT_EQUAL(dpx_dma_stats_get(id, 0, &s), 0, "");
	DPX_TEST_ASSERT(s.submitted == 64 && s.completed == 64, "the stop submitted the other 32");
	/* restart: indices from 0 again; then close with jobs in flight */
	DPX_TEST_ASSERT_EQUAL(dpx_dma_start(id), 0, "");
	for (unsigned int i = 0; i < 64; i++)
		DPX_TEST_ASSERT_EQUAL(dpx_dma_copy(id, 0, iova_of(src), iova_of(dst), 64 * KIB,
						   DPX_DMA_OP_FLAG_SUBMIT),
				      i, "after restart");
	DPX_TEST_ASSERT_EQUAL(dpx_dma_stop(id), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_dma_close(id), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_dma_is_valid(id), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_dma_completed(id, 0, 1, NULL, NULL), 0, "closed");
	DPX_TEST_ASSERT_EQUAL(dpx_vdev_uninit("dma_sw0"), 0, "remove after close");
	DPX_TEST_ASSERT_EQUAL(dpx_test_count_threads(), threads, "");
	DPX_TEST_ASSERT_EQUAL(dpx_test_count_fds(), fds, "");
	/* remove with the engine running: the bus stops and closes it */
	DPX_TEST_RUN(sw_open(args, 1, 64, &id));
	DPX_TEST_ASSERT_EQUAL(dpx_dma_start(id), 0, "");
	for (unsigned int i = 0; i < 64; i++)
		DPX_TEST_ASSERT(dpx_dma_copy(id, 0, iova_of(src), iova_of(dst), 64 * KIB,
					     DPX_DMA_OP_FLAG_SUBMIT) >= 0,
				"");
	DPX_TEST_ASSERT_EQUAL(dpx_vdev_uninit("dma_sw0"), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_dma_count_avail(), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_test_count_threads(), threads, "");
	DPX_TEST_ASSERT_EQUAL(dpx_test_count_fds(), fds, "");
	free(src), free(dst);
	return DPX_TEST_SUCCESS;
}

/* EAL cleanup with an engine still started: the bus stops it first, unless it holds an lcore. */
static int
cleanup_started(const char *args, int want)
{
	uint8_t src[256] = {1}, dst[256];
	int threads = dpx_test_count_threads();
	int16_t id;

	DPX_TEST_RUN(env_init("0-1"));
	DPX_TEST_RUN(sw_open(args, 1, 16, &id));
	DPX_TEST_ASSERT_EQUAL(dpx_dma_start(id), 0, "");
	DPX_TEST_ASSERT(dpx_dma_copy(id, 0, iova_of(src), iova_of(dst), sizeof(src),
				     DPX_DMA_OP_FLAG_SUBMIT) == 0,
			"");
	DPX_TEST_ASSERT_EQUAL(dpx_eal_cleanup(), want, "%s", args);
	if (want != 0) {
		/* the lcore runs the worker: the EAL refuses, stopping the engine frees it */
		DPX_TEST_ASSERT_EQUAL(dpx_dma_stop(id), 0, "");
		DPX_TEST_ASSERT_EQUAL(dpx_eal_cleanup(), 0, "");
	}
	DPX_TEST_ASSERT_EQUAL(dpx_dma_count_avail(), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_test_count_threads(), threads, "");
	return DPX_TEST_SUCCESS;
}

static int
test_dma_sw_stop_close(void)
{
	cpu_set_t set;

	if (sched_getaffinity(0, sizeof(set), &set) != 0 || !CPU_ISSET(0, &set) ||
	    !CPU_ISSET(1, &set))
		DPX_TEST_SKIP(
			"the case pins workers to CPUs 0 and 1, and this process may not use both");
	DPX_TEST_RUN(env_init("0-1"));
	DPX_TEST_RUN(stop_close_inflight("idle_us=0"));
	DPX_TEST_RUN(stop_close_inflight("cpu=0"));
	DPX_TEST_RUN(stop_close_inflight("lcore=1"));
	DPX_TEST_ASSERT_EQUAL(dpx_eal_get_lcore_state(1), DPX_LCORE_WAIT, "lcore given back");
	DPX_TEST_ASSERT_EQUAL(dpx_eal_cleanup(), 0, "");
	DPX_TEST_RUN(cleanup_started("cpu=1", 0));
	DPX_TEST_RUN(cleanup_started("lcore=1", -EBUSY));
	return DPX_TEST_SUCCESS;
}
DPX_TEST_REGISTER(dma_sw_stop_close, fast, test_dma_sw_stop_close);

/* Read the dump into buf. */
static int
dump_of(int16_t id, char *buf, size_t size)
{
	FILE *f = tmpfile();
	size_t n;

	DPX_TEST_ASSERT(f != NULL, "");
	DPX_TEST_ASSERT_EQUAL(dpx_dma_dump(id, f), 0, "");
	rewind(f);
	n = fread(buf, 1, size - 1, f);
	buf[n] = '\0';
	fclose(f);
	return DPX_TEST_SUCCESS;
}

/* An idle worker sleeps (idle_us), and the next submit wakes it. */
static int
test_dma_sw_idle_sleep(void)
{
	uint8_t src[64] = {1, 2, 3}, dst[64] = {0};
	uint16_t next_idx = 0;
	char buf[2048];
	int16_t id;

	DPX_TEST_RUN(env_init(NULL));
	DPX_TEST_RUN(sw_open("idle_us=50", 1, 16, &id));
	DPX_TEST_ASSERT_EQUAL(dpx_dma_start(id), 0, "");
	for (unsigned int round = 1; round <= 3; round++) {
		uint64_t deadline = dpx_get_time_ns() + WAIT_NS;
		char want[32];

		snprintf(want, sizeof(want), "slept %u times", round);
		do {
			DPX_TEST_RUN(dump_of(id, buf, sizeof(buf)));
			DPX_TEST_ASSERT(dpx_get_time_ns() < deadline, "never slept: %s", buf);
			dpx_delay_ms_sleep(1);
		} while (strstr(buf, want) == NULL);
		src[0] = (uint8_t)round;
		DPX_TEST_ASSERT(dpx_dma_copy(id, 0, iova_of(src), iova_of(dst), sizeof(src),
					     DPX_DMA_OP_FLAG_SUBMIT) >= 0,
				"");
		DPX_TEST_RUN(collect(id, 0, 1, &next_idx, NULL));
		DPX_TEST_ASSERT(memcmp(src, dst, sizeof(src)) == 0, "woken and copied");
	}
	DPX_TEST_ASSERT_EQUAL(dpx_vdev_uninit("dma_sw0"), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eal_cleanup(), 0, "");
	return DPX_TEST_SUCCESS;
}
DPX_TEST_REGISTER(dma_sw_idle_sleep, fast, test_dma_sw_idle_sleep);

/* Control calls: states, limits, devargs, info, dump, names, debug checks aside. */
static int
test_dma_sw_control(void)
{
	struct dpx_dma_conf conf = {.nb_vchans = 1};
	struct dpx_dma_vchan_conf vc = {.direction = DPX_DMA_DIR_MEM_TO_MEM, .nb_desc = 100};
	struct dpx_dma_info info;
	char buf[2048];
	int fd = 0;
	int16_t id;

	DPX_TEST_RUN(env_init(NULL));
	char main_lcore[32];
	snprintf(main_lcore, sizeof(main_lcore), "lcore=%u", dpx_get_main_lcore());
	DPX_TEST_ASSERT_EQUAL(dpx_vdev_init("dma_sw0", main_lcore), -EINVAL, "the main lcore");
	DPX_TEST_ASSERT_EQUAL(dpx_vdev_init("dma_sw0", "lcore=1,cpu=1"), -EINVAL, "both");
	DPX_TEST_ASSERT_EQUAL(dpx_vdev_init("dma_sw0", "ring_size=1000"), -EINVAL, "not 2^n");
	DPX_TEST_ASSERT_EQUAL(dpx_vdev_init("dma_sw0", "ring_size=65536"), -EINVAL, "too big");
	DPX_TEST_ASSERT_EQUAL(dpx_vdev_init("dma_sw0", "nt_threshold=16"), -EINVAL, "");
	DPX_TEST_ASSERT_EQUAL(dpx_vdev_init("dma_sw0", "cpu=100000"), -EINVAL, "");
	DPX_TEST_ASSERT_EQUAL(dpx_vdev_init("dma_sw0", "colour=blue"), -EINVAL, "unknown key");
	DPX_TEST_ASSERT_EQUAL(dpx_dma_count_avail(), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_vdev_init("dma_sw0", "ring_size=256"), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_vdev_init("dma_sw1", NULL), 0, "");
	id = (int16_t)dpx_dma_get_dev_id_by_name("dma_sw0");
	DPX_TEST_ASSERT(id >= 0 && dpx_dma_get_dev_id_by_name("dma_sw1") >= 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_dma_get_dev_id_by_name("dma_sw7"), -ENODEV, "");
	DPX_TEST_ASSERT_EQUAL(dpx_dma_get_dev_id_by_name(NULL), -EINVAL, "");
	DPX_TEST_ASSERT_EQUAL(dpx_dma_count_avail(), 2, "");
	int16_t p, seen = 0;
	DPX_DMA_FOREACH_DEV(p)
	seen++;
	DPX_TEST_ASSERT_EQUAL(seen, 2, "");
	DPX_TEST_ASSERT_EQUAL(dpx_dma_info_get(id, &info), 0, "");
	DPX_TEST_ASSERT(strcmp(info.dev_name, "dma_sw0") == 0 &&
				strcmp(info.driver_name, "dma_sw") == 0 && info.max_desc == 256 &&
				info.min_desc == 16 && info.max_vchans == DPX_DMA_MAX_VCHANS &&
				info.nb_vchans == 0,
			"");
	DPX_TEST_ASSERT(info.dev_capa & DPX_DMA_CAPA_SVA && info.dev_capa & DPX_DMA_CAPA_OPS_COPY &&
				!(info.dev_capa & DPX_DMA_CAPA_IOMMU),
			"capa 0x%" PRIx64, info.dev_capa);
	DPX_TEST_ASSERT_EQUAL(dpx_dma_info_get(id + 5, &info), -ENODEV, "");
	DPX_TEST_ASSERT_EQUAL(dpx_dma_vchan_setup(id, 0, &vc), -EINVAL, "not configured");
	DPX_TEST_ASSERT_EQUAL(dpx_dma_start(id), -EINVAL, "not configured");
	conf.nb_vchans = 0;
	DPX_TEST_ASSERT_EQUAL(dpx_dma_configure(id, &conf), -EINVAL, "");
	conf.nb_vchans = DPX_DMA_MAX_VCHANS + 1;
	DPX_TEST_ASSERT_EQUAL(dpx_dma_configure(id, &conf), -EINVAL, "");
	conf.nb_vchans = 2;
	DPX_TEST_ASSERT_EQUAL(dpx_dma_configure(id, &conf), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_dma_vchan_setup(id, 0, &vc), -EINVAL, "100 is not 2^n");
	vc.nb_desc = 512;
	DPX_TEST_ASSERT_EQUAL(dpx_dma_vchan_setup(id, 0, &vc), -EINVAL, "above ring_size");
	vc.nb_desc = 8;
	DPX_TEST_ASSERT_EQUAL(dpx_dma_vchan_setup(id, 0, &vc), -EINVAL, "below min");
	vc.nb_desc = 32;
	DPX_TEST_ASSERT_EQUAL(dpx_dma_vchan_setup(id, 2, &vc), -EINVAL, "no vchan 2");
	DPX_TEST_ASSERT_EQUAL(dpx_dma_vchan_setup(id, 0, &vc), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_dma_start(id), -EINVAL, "vchan 1 not set up");
	DPX_TEST_ASSERT_EQUAL(dpx_dma_vchan_setup(id, 1, &vc), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_dma_start(id), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_dma_configure(id, &conf), -EBUSY, "");
	DPX_TEST_ASSERT_EQUAL(dpx_dma_vchan_setup(id, 0, &vc), -EBUSY, "");
	DPX_TEST_ASSERT_EQUAL(dpx_dma_sw_bind_container(id, DPX_VFIO_DEFAULT_CONTAINER_FD), -EBUSY,
			      "");
	DPX_TEST_ASSERT_EQUAL(dpx_dma_container_get(id, &fd), -ENOENT, "IOVA as VA");
	DPX_TEST_RUN(dump_of(id, buf, sizeof(buf)));
	DPX_TEST_ASSERT(strstr(buf, "dma_sw0") != NULL && strstr(buf, "started") != NULL &&
				strstr(buf, "vchan 1: ring 32") != NULL &&
				strstr(buf, "not bound") != NULL,
			"%s", buf);
	DPX_TEST_ASSERT_EQUAL(dpx_dma_stop(id), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_dma_stop(id), 0, "stopped already");
	/* reconfigure forgets the vchans */
	conf.nb_vchans = 1;
	DPX_TEST_ASSERT_EQUAL(dpx_dma_configure(id, &conf), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_dma_start(id), -EINVAL, "vchan 0 forgotten");
	DPX_TEST_ASSERT_EQUAL(dpx_dma_sw_bind_container(id, DPX_VFIO_DEFAULT_CONTAINER_FD), -ENODEV,
			      "no VFIO on this EAL");
	DPX_TEST_ASSERT_EQUAL(dpx_dma_sw_unbind_container(id), 0, "not bound: fine");
	DPX_TEST_ASSERT_EQUAL(dpx_dma_sw_unbind_container(id + 5), -ENODEV, "");
	DPX_TEST_ASSERT_EQUAL(dpx_dma_close(id), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_dma_close(id), -ENODEV, "");
	DPX_TEST_ASSERT_EQUAL(dpx_dma_get_dev_id_by_name("dma_sw0"), -ENODEV, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eal_cleanup(), 0, "removes dma_sw1");
	DPX_TEST_ASSERT_EQUAL(dpx_dma_count_avail(), 0, "");
	DPX_TEST_ASSERT(strcmp(dpx_dma_status_str(DPX_DMA_STATUS_INVALID_DST_ADDR),
			       "invalid destination address") == 0,
			"");
	return DPX_TEST_SUCCESS;
}
DPX_TEST_REGISTER(dma_sw_control, fast, test_dma_sw_control);

/* ---- bound to a container ---- */

#define B_IOVA 0x7000000000ull /* IOVAs unlike the VAs, so translation shows */

/*
 * Jobs through a container: translated, a job outside the mappings (either
 * side, wholly or partly) fails with the side's status and writes nothing,
 * a job across two IOVA-adjacent mappings works, completed stops at the
 * first failure and completed_status reports it, counters add up.
 */
static int
test_dma_sw_bound_faults(void)
{
	uint64_t seed = 5;
	uint8_t *a = buf_alloc(64 * KIB, &seed), *b = buf_alloc(64 * KIB, &seed);
	uint8_t *ref_b = malloc(64 * KIB);
	enum dpx_dma_status_code st[8];
	struct dpx_dma_info info;
	struct dpx_dma_stats s;
	uint16_t last, next_idx = 0;
	bool err;
	int16_t id;
	int fd = 0;

	DPX_TEST_RUN(fake_env_init());
	int c = dpx_vfio_container_create();
	DPX_TEST_ASSERT(c >= 0, "%d", c);
	/* a at B_IOVA, b right after it in IOVA (not in VA): 128 KiB contiguous for the device */
	DPX_TEST_ASSERT_EQUAL(dpx_vfio_container_dma_map(c, iova_of(a), B_IOVA, 64 * KIB), 0, "");
	DPX_TEST_ASSERT_EQUAL(
		dpx_vfio_container_dma_map(c, iova_of(b), B_IOVA + 64 * KIB, 64 * KIB), 0, "");
	DPX_TEST_RUN(sw_open(NULL, 1, 16, &id));
	DPX_TEST_ASSERT_EQUAL(dpx_dma_sw_bind_container(id, c + 100), -EINVAL, "no container");
	DPX_TEST_ASSERT_EQUAL(dpx_dma_sw_bind_container(id, c), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_dma_container_get(id, &fd), 0, "");
	DPX_TEST_ASSERT_EQUAL(fd, c, "");
	DPX_TEST_ASSERT_EQUAL(dpx_dma_info_get(id, &info), 0, "");
	DPX_TEST_ASSERT(info.dev_capa & DPX_DMA_CAPA_IOMMU && !(info.dev_capa & DPX_DMA_CAPA_SVA),
			"");
	/* the dump follows the table: one more mapping, far from the others, then one less */
	char buf[2048], want[64];
	unsigned int maps = 0;
	const uint64_t FAR = B_IOVA + (1ull << 30);
	snprintf(want, sizeof(want), "bound to VFIO container %d: ", c);
	DPX_TEST_RUN(dump_of(id, buf, sizeof(buf)));
	const char *line = strstr(buf, want);
	DPX_TEST_ASSERT(line != NULL && sscanf(line + strlen(want), "%u mappings", &maps) == 1 &&
				maps >= 1 && strstr(line, " 1 snapshots") != NULL,
			"%s", buf);
	DPX_TEST_ASSERT_EQUAL(dpx_vfio_container_dma_map(c, iova_of(ref_b), FAR, 64 * KIB), 0, "");
	DPX_TEST_RUN(dump_of(id, buf, sizeof(buf)));
	snprintf(want + strlen(want), sizeof(want) - strlen(want), "%u mappings, 2 snapshots",
		 maps + 1);
	DPX_TEST_ASSERT(strstr(buf, want) != NULL, "after a map: %s", buf);
	DPX_TEST_ASSERT_EQUAL(dpx_vfio_container_dma_unmap(c, iova_of(ref_b), FAR, 64 * KIB), 0,
			      "");
	DPX_TEST_RUN(dump_of(id, buf, sizeof(buf)));
	snprintf(want, sizeof(want), "bound to VFIO container %d: %u mappings, 3 snapshots", c,
		 maps);
	DPX_TEST_ASSERT(strstr(buf, want) != NULL, "after the unmap: %s", buf);
	DPX_TEST_ASSERT_EQUAL(dpx_dma_start(id), 0, "");
	memcpy(ref_b, b, 64 * KIB);
	const uint64_t A = B_IOVA, B = B_IOVA + 64 * KIB, END = B_IOVA + 128 * KIB;
	struct {
		uint64_t src, dst;
		uint32_t len;
		enum dpx_dma_status_code want;
	} jobs[] = {
		{A, B, 4096, DPX_DMA_STATUS_SUCCESSFUL}, /* a[0..4K) -> b[0..4K) */
		{A + 8192, B + 8192, 100, DPX_DMA_STATUS_SUCCESSFUL},
		{iova_of(a), B + 16384, 64, DPX_DMA_STATUS_INVALID_SRC_ADDR}, /* a VA is no IOVA */
		{A, END - 32, 64, DPX_DMA_STATUS_INVALID_DST_ADDR},	    /* runs past the end */
		{A + 60 * KIB, B + 20480, 8192, DPX_DMA_STATUS_SUCCESSFUL}, /* source spans a|b */
		{END, B, 1, DPX_DMA_STATUS_INVALID_SRC_ADDR},
		{A, B + 32768, 0, DPX_DMA_STATUS_SUCCESSFUL}, /* empty: touches nothing */
	};
	for (unsigned int i = 0; i < DPX_DIM(jobs); i++)
		DPX_TEST_ASSERT_EQUAL(dpx_dma_copy(id, 0, jobs[i].src, jobs[i].dst, jobs[i].len, 0),
				      i, "");
	DPX_TEST_ASSERT_EQUAL(dpx_dma_submit(id, 0), 0, "");
	/* completed reports the two good ones, then stays at the failure */
	uint64_t deadline = dpx_get_time_ns() + WAIT_NS;
	uint16_t got = 0;
	err = false;
	while (!err) {
		got += dpx_dma_completed(id, 0, 8, &last, &err);
		DPX_TEST_ASSERT(dpx_get_time_ns() < deadline, "");
	}
	DPX_TEST_ASSERT(got == 2 && last == 1, "got %u, last %u", got, last);
	DPX_TEST_ASSERT_EQUAL(dpx_dma_completed(id, 0, 8, &last, &err), 0, "stuck at the failure");
	DPX_TEST_ASSERT(err && last == 1, "");
	next_idx = 2;
	DPX_TEST_RUN(collect(id, 0, DPX_DIM(jobs) - 2, &next_idx, st));
	for (unsigned int i = 2; i < DPX_DIM(jobs); i++)
		DPX_TEST_ASSERT_EQUAL(st[i - 2], jobs[i].want, "job %u: %s", i,
				      dpx_dma_status_str(st[i - 2]));
	/* the model: only the successful jobs wrote, at the translated addresses */
	memcpy(ref_b, a, 4096);
	memcpy(ref_b + 8192, a + 8192, 100);
	memcpy(ref_b + 20480, a + 60 * KIB, 4096);
	memcpy(ref_b + 20480 + 4096, b, 4096);
	DPX_TEST_ASSERT(memcmp(b, ref_b, 64 * KIB) == 0, "failed jobs wrote nothing");
	DPX_TEST_ASSERT_EQUAL(dpx_dma_stats_get(id, 0, &s), 0, "");
	DPX_TEST_ASSERT(s.submitted == DPX_DIM(jobs) && s.completed == DPX_DIM(jobs) &&
				s.errors == 3,
			"%" PRIu64 " %" PRIu64 " %" PRIu64, s.submitted, s.completed, s.errors);
	/* after the error run, completed works again */
	DPX_TEST_ASSERT_EQUAL(dpx_dma_copy(id, 0, A, B, 16, DPX_DMA_OP_FLAG_SUBMIT), DPX_DIM(jobs),
			      "");
	deadline = dpx_get_time_ns() + WAIT_NS;
	while (dpx_dma_completed(id, 0, 8, &last, &err) == 0)
		DPX_TEST_ASSERT(!err && dpx_get_time_ns() < deadline, "");
	DPX_TEST_ASSERT_EQUAL(last, DPX_DIM(jobs), "");
	DPX_TEST_ASSERT_EQUAL(dpx_vdev_uninit("dma_sw0"), 0, "close unbinds");
	DPX_TEST_ASSERT_EQUAL(dpx_vfio_container_dma_listener_unregister(c, NULL, NULL), -ENOENT,
			      "");
	DPX_TEST_ASSERT_EQUAL(dpx_vfio_container_destroy(c), 0, "");
	DPX_TEST_RUN(fake_env_fini());
	free(a), free(b), free(ref_b);
	return DPX_TEST_SUCCESS;
}
DPX_TEST_REGISTER(dma_sw_bound_faults, fast, test_dma_sw_bound_faults);

/*
 * A mapping removed, then a job to it fails while its neighbour still works;
 * an unmap under a stream of jobs into the region: once the unmap returned,
 * not one more byte lands there. The container going away faults everything.
 */
static int
test_dma_sw_bound_unmap(void)
{
	const uint32_t R = 256 * KIB;
	uint64_t seed = 9;
	uint8_t *src = buf_alloc(R, &seed), *r1 = buf_alloc(R, NULL), *r2 = buf_alloc(R, NULL);
	uint8_t *snap = malloc(R);
	enum dpx_dma_status_code st[64];
	uint16_t next_idx = 0;
	uint32_t n = 0;
	int16_t id;

	DPX_TEST_RUN(fake_env_init());
	int c = dpx_vfio_container_create();
	DPX_TEST_ASSERT_EQUAL(dpx_vfio_container_dma_map(c, iova_of(src), iova_of(src), R), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_vfio_container_dma_map(c, iova_of(r1), iova_of(r1), R), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_vfio_container_dma_map(c, iova_of(r2), iova_of(r2), R), 0, "");
	DPX_TEST_RUN(sw_open("idle_us=0", 1, 64, &id));
	DPX_TEST_ASSERT_EQUAL(dpx_dma_sw_bind_container(id, c), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_dma_start(id), 0, "");
	/* 64 jobs of 4 KiB into r1 in flight, then r1 unmapped */
	for (uint32_t i = 0; i < 64; i++)
		DPX_TEST_ASSERT(dpx_dma_copy(id, 0, iova_of(src + (i % 64) * 4096),
					     iova_of(r1 + (i % 64) * 4096), 4096,
					     DPX_DMA_OP_FLAG_SUBMIT) >= 0,
				"");
	DPX_TEST_ASSERT_EQUAL(dpx_vfio_container_dma_unmap(c, iova_of(r1), iova_of(r1), R), 0, "");
	memcpy(snap, r1, R);
	DPX_TEST_RUN(collect(id, 0, 64, &next_idx, st));
	n = 0;
	for (uint32_t i = 0; i < 64; i++) {
		DPX_TEST_ASSERT(st[i] == DPX_DMA_STATUS_SUCCESSFUL ||
					st[i] == DPX_DMA_STATUS_INVALID_DST_ADDR,
				"job %u: %s", i, dpx_dma_status_str(st[i]));
		n += st[i] == DPX_DMA_STATUS_SUCCESSFUL;
		/* a job that succeeded wrote before the unmap returned: it is in snap */
		if (st[i] == DPX_DMA_STATUS_SUCCESSFUL)
			DPX_TEST_ASSERT(memcmp(snap + i * 4096, src + i * 4096, 4096) == 0, "");
	}
	DPX_TEST_ASSERT(memcmp(snap, r1, R) == 0,
			"bytes landed in r1 after its unmap returned (%u jobs ran before)", n);
	/* after the unmap: r1 faults, r2 works */
	DPX_TEST_ASSERT(dpx_dma_copy(id, 0, iova_of(src), iova_of(r1), 64, 0) >= 0, "");
	DPX_TEST_ASSERT(dpx_dma_copy(id, 0, iova_of(r1), iova_of(r2), 64, 0) >= 0, "");
	DPX_TEST_ASSERT(
		dpx_dma_copy(id, 0, iova_of(src), iova_of(r2), R, DPX_DMA_OP_FLAG_SUBMIT) >= 0, "");
	DPX_TEST_RUN(collect(id, 0, 3, &next_idx, st));
	DPX_TEST_ASSERT(st[0] == DPX_DMA_STATUS_INVALID_DST_ADDR &&
				st[1] == DPX_DMA_STATUS_INVALID_SRC_ADDR &&
				st[2] == DPX_DMA_STATUS_SUCCESSFUL,
			"%s %s %s", dpx_dma_status_str(st[0]), dpx_dma_status_str(st[1]),
			dpx_dma_status_str(st[2]));
	DPX_TEST_ASSERT(memcmp(snap, r1, R) == 0 && memcmp(src, r2, R) == 0, "");
	/* mapped again: reachable again */
	DPX_TEST_ASSERT_EQUAL(dpx_vfio_container_dma_map(c, iova_of(r1), iova_of(r1), R), 0, "");
	DPX_TEST_ASSERT(
		dpx_dma_copy(id, 0, iova_of(src), iova_of(r1), R, DPX_DMA_OP_FLAG_SUBMIT) >= 0, "");
	DPX_TEST_RUN(collect(id, 0, 1, &next_idx, st));
	DPX_TEST_ASSERT(st[0] == DPX_DMA_STATUS_SUCCESSFUL && memcmp(src, r1, R) == 0, "");
	/* the container destroyed under the engine: every job faults */
	DPX_TEST_ASSERT_EQUAL(dpx_dma_stop(id), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_vfio_container_destroy(c), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_dma_start(id), 0, "");
	DPX_TEST_ASSERT(
		dpx_dma_copy(id, 0, iova_of(src), iova_of(r2), 64, DPX_DMA_OP_FLAG_SUBMIT) == 0,
		"indices from 0 after a start");
	next_idx = 0;
	DPX_TEST_RUN(collect(id, 0, 1, &next_idx, st));
	DPX_TEST_ASSERT_EQUAL(st[0], DPX_DMA_STATUS_INVALID_SRC_ADDR, "");
	DPX_TEST_ASSERT_EQUAL(dpx_dma_stop(id), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_dma_sw_unbind_container(id), 0, "container gone: still fine");
	DPX_TEST_ASSERT_EQUAL(dpx_vdev_uninit("dma_sw0"), 0, "");
	DPX_TEST_RUN(fake_env_fini());
	free(src), free(r1), free(r2), free(snap);
	return DPX_TEST_SUCCESS;
}
DPX_TEST_REGISTER(dma_sw_bound_unmap, fast, test_dma_sw_bound_unmap);

/*
 * Overlapping source and destination are copied as memmove does: unbound,
 * both directions, small and above nt_threshold; bound, with the job
 * crossing from one mapping into the next (a and b are IOVA-adjacent, not
 * VA-adjacent), so it is copied in pieces.
 */
static int
overlap_job(int16_t id, uint8_t *ref, const uint8_t *mem, size_t span, uint64_t iova_of_mem,
	    uint64_t src_off, uint64_t dst_off, uint32_t len, uint16_t *next_idx)
{
	enum dpx_dma_status_code st;

	memmove(ref + dst_off, ref + src_off, len);
	DPX_TEST_ASSERT(dpx_dma_copy(id, 0, iova_of_mem + src_off, iova_of_mem + dst_off, len,
				     DPX_DMA_OP_FLAG_SUBMIT) >= 0,
			"");
	DPX_TEST_RUN(collect(id, 0, 1, next_idx, &st));
	DPX_TEST_ASSERT_EQUAL(st, DPX_DMA_STATUS_SUCCESSFUL, "");
	DPX_TEST_ASSERT(memcmp(ref, mem, span) == 0, "src +%" PRIu64 " dst +%" PRIu64 " len %u",
			src_off, dst_off, len);
	return DPX_TEST_SUCCESS;
}

static int
test_dma_sw_overlap(void)
{
	const size_t span = 4 * 1024 * KIB;
	uint64_t seed = 0x0e41;
	uint8_t *mem = buf_alloc(span, &seed), *ref = malloc(span);
	uint8_t *a = buf_alloc(64 * KIB, &seed), *b = buf_alloc(64 * KIB, &seed);
	uint8_t *pair = malloc(128 * KIB), *ref_pair = malloc(128 * KIB);
	uint16_t next_idx = 0;
	int16_t id;

	DPX_TEST_ASSERT(mem != NULL && ref != NULL && pair != NULL && ref_pair != NULL, "");
	memcpy(ref, mem, span);
	DPX_TEST_RUN(fake_env_init());
	DPX_TEST_RUN(sw_open("nt_threshold=256", 1, 16, &id));
	DPX_TEST_ASSERT_EQUAL(dpx_dma_start(id), 0, "");
	DPX_TEST_RUN(overlap_job(id, ref, mem, span, iova_of(mem), 0, 100, 1000, &next_idx));
	DPX_TEST_RUN(overlap_job(id, ref, mem, span, iova_of(mem), 100, 0, 1000, &next_idx));
	DPX_TEST_RUN(overlap_job(id, ref, mem, span, iova_of(mem), 0, 4096, 1 << 20, &next_idx));
	DPX_TEST_RUN(overlap_job(id, ref, mem, span, iova_of(mem), 4096, 0, 1 << 20, &next_idx));
	DPX_TEST_ASSERT_EQUAL(dpx_dma_stop(id), 0, "");
	/* bound: the device sees a then b as 128 KiB at B_IOVA */
	int c = dpx_vfio_container_create();
	DPX_TEST_ASSERT(c >= 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_vfio_container_dma_map(c, iova_of(a), B_IOVA, 64 * KIB), 0, "");
	DPX_TEST_ASSERT_EQUAL(
		dpx_vfio_container_dma_map(c, iova_of(b), B_IOVA + 64 * KIB, 64 * KIB), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_dma_sw_bind_container(id, c), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_dma_start(id), 0, "");
	next_idx = 0;
	static const struct {
		uint64_t src, dst;
		uint32_t len;
	} jobs[] = {
		{60 * KIB, 62 * KIB, 4 * KIB}, /* dst crosses into b, above src */
		{62 * KIB, 60 * KIB, 4 * KIB}, /* src crosses into b, dst below */
		{0, 1, 128 * KIB - 1},	       /* both cross, one byte apart */
		{1, 0, 128 * KIB - 1},	       {32 * KIB, 40 * KIB, 80 * KIB},
	};
	for (unsigned int i = 0; i < DPX_DIM(jobs); i++) {
		enum dpx_dma_status_code st;

		memcpy(ref_pair, a, 64 * KIB);
		memcpy(ref_pair + 64 * KIB, b, 64 * KIB);
		memmove(ref_pair + jobs[i].dst, ref_pair + jobs[i].src, jobs[i].len);
		DPX_TEST_ASSERT(dpx_dma_copy(id, 0, B_IOVA + jobs[i].src, B_IOVA + jobs[i].dst,
					     jobs[i].len, DPX_DMA_OP_FLAG_SUBMIT) >= 0,
				"");
		DPX_TEST_RUN(collect(id, 0, 1, &next_idx, &st));
		DPX_TEST_ASSERT_EQUAL(st, DPX_DMA_STATUS_SUCCESSFUL, "job %u", i);
		memcpy(pair, a, 64 * KIB);
		memcpy(pair + 64 * KIB, b, 64 * KIB);
		DPX_TEST_ASSERT(memcmp(pair, ref_pair, 128 * KIB) == 0,
				"job %u: +%" PRIu64 " -> +%" PRIu64 ", %u bytes across a|b", i,
				jobs[i].src, jobs[i].dst, jobs[i].len);
	}
	DPX_TEST_ASSERT_EQUAL(dpx_vdev_uninit("dma_sw0"), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_vfio_container_destroy(c), 0, "");
	DPX_TEST_RUN(fake_env_fini());
	free(mem), free(ref), free(a), free(b), free(pair), free(ref_pair);
	return DPX_TEST_SUCCESS;
}
DPX_TEST_REGISTER(dma_sw_overlap, fast, test_dma_sw_overlap);

/* ---- the IOVA snapshot against a page-by-page reference ---- */

#define PAGES 512
#define PG 4096ull

static int
test_dma_dpx_dma_iova_map(void)
{
	struct dpx_vfio_dma_mapping maps[PAGES];
	uint64_t seed = 0x10ba;

	for (unsigned int round = 0; round < 200; round++) {
		int64_t ref[PAGES]; /* VA of each IOVA page, -1 unmapped */
		unsigned int n = 0;

		for (unsigned int p = 0; p < PAGES;) {
			unsigned int len = 1 + (unsigned int)(dpx_test_rand(&seed) % 8);
			bool mapped = dpx_test_rand(&seed) % 3 != 0;
			/* VA contiguous with the previous mapping half of the time */
			uint64_t va = n > 0 && dpx_test_rand(&seed) % 2 &&
						      maps[n - 1].iova + maps[n - 1].len == p * PG
					      ? maps[n - 1].va + maps[n - 1].len
					      : (dpx_test_rand(&seed) % 1000 + 1) << 24;

			len = DPX_MIN(len, PAGES - p);
			if (mapped)
				maps[n++] = (struct dpx_vfio_dma_mapping){p * PG, va, len * PG};
			for (unsigned int i = 0; i < len; i++)
				ref[p + i] = mapped ? (int64_t)(va + i * PG) : -1;
			p += len;
		}
		struct dpx_dma_iova_map *m = dpx_dma_iova_map_build(maps, n);
		DPX_TEST_ASSERT(m != NULL && m->n <= n, "");
		for (unsigned int q = 0; q < 2000; q++) {
			uint64_t iova = dpx_test_rand(&seed) % ((PAGES + 2) * PG);
			uint64_t len = dpx_test_rand(&seed) % (8 * PG);
			uint64_t page = iova / PG, va, room;
			bool want = true;

			for (uint64_t b = iova; b < iova + len && want; b = (b / PG + 1) * PG)
				want = b / PG < PAGES && ref[b / PG] >= 0;
			DPX_TEST_ASSERT_EQUAL(dpx_dma_iova_map_covers(m, iova, len), want,
					      "round %u iova 0x%" PRIx64 " len %" PRIu64, round,
					      iova, len);
			bool hit = dpx_dma_iova_map_lookup(m, iova, &va, &room);
			DPX_TEST_ASSERT_EQUAL(hit, page < PAGES && ref[page] >= 0, "");
			if (!hit)
				continue;
			DPX_TEST_ASSERT_EQUAL(va, (uint64_t)ref[page] + iova % PG, "");
			/* room ends where VA stops being contiguous or the mapping stops */
			uint64_t end = page + 1;
			while (end < PAGES && ref[end] >= 0 &&
			       (uint64_t)ref[end] == (uint64_t)ref[end - 1] + PG)
				end++;
			DPX_TEST_ASSERT_EQUAL(room, end * PG - iova, "");
			/* the same from the end: iova + 1 is the end of a range whose last byte is
			 * iova */
			uint64_t va_end, back;
			DPX_TEST_ASSERT(dpx_dma_iova_map_lookup_end(m, iova + 1, &va_end, &back),
					"");
			DPX_TEST_ASSERT_EQUAL(va_end, va + 1, "");
			uint64_t begin = page;
			while (begin > 0 && ref[begin - 1] >= 0 &&
			       (uint64_t)ref[begin - 1] + PG == (uint64_t)ref[begin])
				begin--;
			DPX_TEST_ASSERT_EQUAL(back, iova + 1 - begin * PG, "");
		}
		free(m);
	}
	struct dpx_vfio_dma_mapping bad[2] = {{0, 0, 2 * PG}, {PG, 0x1000000, PG}};
	DPX_TEST_ASSERT(dpx_dma_iova_map_build(bad, 2) == NULL && dpx_errno == EINVAL, "overlap");
	DPX_TEST_ASSERT(!dpx_dma_iova_map_covers(NULL, 0, 1) && dpx_dma_iova_map_covers(NULL, 0, 0),
			"");
	uint64_t va_end, back;
	DPX_TEST_ASSERT(!dpx_dma_iova_map_lookup_end(NULL, 1, &va_end, &back), "");
	return DPX_TEST_SUCCESS;
}
DPX_TEST_REGISTER(dma_dpx_dma_iova_map, fast, test_dma_dpx_dma_iova_map);

/* dpx-info lists DMA devices and their capabilities. */
static int
test_dma_info_tool(void)
{
	char cmd[512], out[4096];
	size_t n;
	FILE *p;

	snprintf(cmd, sizeof(cmd),
		 "'%s/app/dpx-info/dpx-info' --no-huge --in-memory --vdev dma_sw0 "
		 "--vdev dma_sw1,ring_size=256 2>&1",
		 DPX_BUILD_ROOT);
	p = popen(cmd, "r");
	DPX_TEST_ASSERT(p != NULL, "");
	n = fread(out, 1, sizeof(out) - 1, p);
	out[n] = '\0';
	DPX_TEST_ASSERT_EQUAL(pclose(p), 0, "%s", out);
	DPX_TEST_ASSERT(strstr(out, "DMA devices: 2") != NULL, "%s", out);
	DPX_TEST_ASSERT(strstr(out, "dma 1: dma_sw1 (driver dma_sw, NUMA node 0): vchans up to 16, "
				    "ring 16..256, capabilities mem-to-mem iova-is-va "
				    "handles-errors copy") != NULL,
			"%s", out);
	return DPX_TEST_SUCCESS;
}
DPX_TEST_REGISTER(dma_info_tool, fast, test_dma_info_tool);

/* With -Ddebug_checks=true the job calls refuse a bad device or vchan instead of crashing. */
static int
test_dma_debug_checks(void)
{
#ifndef DPX_DEBUG_CHECKS
	DPX_TEST_SKIP("built without -Ddebug_checks=true: job calls do not check arguments");
#else
	uint8_t src[8] = {0}, dst[8];
	int16_t id;

	DPX_TEST_RUN(env_init(NULL));
	DPX_TEST_RUN(sw_open(NULL, 1, 16, &id));
	DPX_TEST_ASSERT_EQUAL(dpx_dma_start(id), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_dma_copy(id, 1, iova_of(src), iova_of(dst), 8, 0), -EINVAL,
			      "vchan 1 of 1");
	DPX_TEST_ASSERT_EQUAL(dpx_dma_copy(-1, 0, iova_of(src), iova_of(dst), 8, 0), -EINVAL, "");
	DPX_TEST_ASSERT_EQUAL(dpx_dma_copy(DPX_DMADEV_MAX_DEVS, 0, 0, 0, 8, 0), -EINVAL, "");
	DPX_TEST_ASSERT_EQUAL(dpx_dma_submit(id, 3), -EINVAL, "");
	DPX_TEST_ASSERT_EQUAL(dpx_dma_completed(id, 1, 4, NULL, NULL), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_dma_completed_status(id, 0, 4, NULL, NULL), 0, "NULL status");
	DPX_TEST_ASSERT_EQUAL(dpx_dma_burst_capacity(id, 1), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_dma_burst_capacity(id + 1, 0), 0, "no device");
	DPX_TEST_ASSERT_EQUAL(dpx_dma_burst_capacity(id, 0), 16, "the good vchan");
	DPX_TEST_ASSERT_EQUAL(dpx_vdev_uninit("dma_sw0"), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_dma_copy(id, 0, iova_of(src), iova_of(dst), 8, 0), -EINVAL,
			      "closed");
	DPX_TEST_ASSERT_EQUAL(dpx_eal_cleanup(), 0, "");
	return DPX_TEST_SUCCESS;
#endif
}
DPX_TEST_REGISTER(dma_debug_checks, debug, test_dma_debug_checks);

/* ---- concurrency: unmaps, maps and a destroy under a stream of jobs ---- */

#define STORM_REGIONS 4
#define STORM_LEN (16 * KIB)
#define STORM_RING 64
#define STORM_ROUNDS 300
#define STORM_SRC_IOVA 0x7100000000ull
#define STORM_IOVA 0x7200000000ull /* region r at STORM_IOVA + r * STORM_LEN */

struct storm {
	int container;
	uint8_t *src; /* never a zero byte: a late write into a zeroed region shows */
	uint8_t *region[STORM_REGIONS];
	uint64_t collected; /* jobs the stream has collected (atomic) */
	int mappers_left;   /* atomic */
	bool abort;	    /* atomic: the stream failed, mappers give up */
	bool destroy;	    /* the last mapper destroys the container at the end */
	int verdict;	    /* a mapper's failure, or 0 */
	char why[200];
};

struct storm_mapper {
	struct storm *s;
	unsigned int first; /* its regions: first, first + 2 */
	uint64_t seed;
};

static uint64_t
storm_region_iova(unsigned int r)
{
	return STORM_IOVA + (uint64_t)r * STORM_LEN;
}

/* Wait until the stream has collected every job it may have had in flight when this was called. */
static bool
storm_drain_seen(struct storm *s)
{
	/* acquire: partner of the stream's release of collected (its jobs' outcomes before it) */
	uint64_t until = __atomic_load_n(&s->collected, __ATOMIC_ACQUIRE) + 2 * STORM_RING;

	while (__atomic_load_n(&s->collected, __ATOMIC_ACQUIRE) < until) {
		if (__atomic_load_n(&s->abort, __ATOMIC_ACQUIRE))
			return false;
		/* four threads on maybe two CPUs: let the stream and the worker run */
		usleep(10);
	}
	return true;
}

static bool
all_zero(const uint8_t *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (p[i] != 0)
			return false;
	return true;
}

/*
 * Unmap a region, zero it, let every job in flight and a ring's worth more
 * run, check nothing landed; map it again. What async vhost relies on when
 * a guest region goes: once the unmap returned, the engine writes nothing there.
 */
static int
storm_unmap_once(struct storm *s, unsigned int r)
{
	uint8_t *p = s->region[r];
	int rc = dpx_vfio_container_dma_unmap(s->container, iova_of(p), storm_region_iova(r),
					      STORM_LEN);

	if (rc != 0)
		return snprintf(s->why, sizeof(s->why), "unmap of region %u: %d", r, rc), -1;
	memset(p, 0, STORM_LEN);
	if (!storm_drain_seen(s))
		return 0;
	if (!all_zero(p, STORM_LEN))
		return snprintf(s->why, sizeof(s->why), "bytes landed in region %u after its unmap",
				r),
		       -1;
	rc = dpx_vfio_container_dma_map(s->container, iova_of(p), storm_region_iova(r), STORM_LEN);
	if (rc != 0)
		return snprintf(s->why, sizeof(s->why), "map of region %u: %d", r, rc), -1;
	return 0;
}

static void *
storm_mapper_main(void *arg)
{
	struct storm_mapper *mp = arg;
	struct storm *s = mp->s;
	int rc = 0;

	for (unsigned int i = 0; i < STORM_ROUNDS && rc == 0; i++) {
		if (__atomic_load_n(&s->abort, __ATOMIC_ACQUIRE))
			break;
		rc = storm_unmap_once(s,
				      mp->first + 2 * (unsigned int)(dpx_test_rand(&mp->seed) % 2));
	}
	if (rc != 0)
		s->verdict = -1;
	if (__atomic_sub_fetch(&s->mappers_left, 1, __ATOMIC_ACQ_REL) != 0)
		return NULL;
	/* the last one out destroys the container under the running stream */
	if (s->destroy && s->verdict == 0) {
		if (dpx_vfio_container_destroy(s->container) != 0) {
			snprintf(s->why, sizeof(s->why), "destroy failed");
			s->verdict = -1;
		}
		for (unsigned int r = 0; r < STORM_REGIONS; r++)
			memset(s->region[r], 0, STORM_LEN);
		if (storm_drain_seen(s))
			for (unsigned int r = 0; r < STORM_REGIONS; r++)
				if (!all_zero(s->region[r], STORM_LEN)) {
					snprintf(s->why, sizeof(s->why),
						 "bytes landed in region %u after the destroy", r);
					s->verdict = -1;
				}
	}
	/* release: partner of the stream's acquire; the verdict is written */
	__atomic_store_n(&s->mappers_left, -1, __ATOMIC_RELEASE);
	return NULL;
}

/* One burst of random jobs src -> a random region; then collect what finished. */
static int
storm_stream_step(struct storm *s, int16_t id, uint64_t *seed, uint64_t *failed)
{
	enum dpx_dma_status_code st[STORM_RING];
	uint16_t room = dpx_dma_burst_capacity(id, 0), k;

	for (uint16_t i = 0; i < DPX_MIN(room, 16); i++) {
		uint32_t len = 1 + (uint32_t)(dpx_test_rand(seed) % 4096);
		uint32_t off = (uint32_t)(dpx_test_rand(seed) % (STORM_LEN - len + 1));
		unsigned int r = (unsigned int)(dpx_test_rand(seed) % STORM_REGIONS);

		DPX_TEST_ASSERT(dpx_dma_copy(id, 0, STORM_SRC_IOVA + off,
					     storm_region_iova(r) + off, len, 0) >= 0,
				"");
	}
	DPX_TEST_ASSERT_EQUAL(dpx_dma_submit(id, 0), 0, "");
	k = dpx_dma_completed_status(id, 0, STORM_RING, NULL, st);
	for (uint16_t i = 0; i < k; i++) {
		/* the source stays mapped until the destroy; then both sides fault, source first */
		DPX_TEST_ASSERT(st[i] == DPX_DMA_STATUS_SUCCESSFUL ||
					st[i] == DPX_DMA_STATUS_INVALID_DST_ADDR ||
					(s->destroy && st[i] == DPX_DMA_STATUS_INVALID_SRC_ADDR),
				"%s", dpx_dma_status_str(st[i]));
		*failed += st[i] != DPX_DMA_STATUS_SUCCESSFUL;
	}
	/* release: partner of the mappers' acquire */
	__atomic_store_n(&s->collected, s->collected + k, __ATOMIC_RELEASE);
	return DPX_TEST_SUCCESS;
}

/* After the stop: the completions still to collect (the stop ran every job). */
static int
storm_collect_rest(struct storm *s, int16_t id, uint64_t *failed)
{
	enum dpx_dma_status_code st[STORM_RING];
	uint16_t k;

	while ((k = dpx_dma_completed_status(id, 0, STORM_RING, NULL, st)) > 0) {
		for (uint16_t i = 0; i < k; i++)
			*failed += st[i] != DPX_DMA_STATUS_SUCCESSFUL;
		s->collected += k;
	}
	DPX_TEST_ASSERT_EQUAL(dpx_dma_burst_capacity(id, 0), 0, "stopped");
	return DPX_TEST_SUCCESS;
}

static int
storm_run(const char *args, bool destroy)
{
	struct storm s = {.destroy = destroy, .mappers_left = 2};
	struct storm_mapper mp[2] = {{&s, 0, 0x51}, {&s, 1, 0x52}};
	uint64_t seed = 0x5707, failed = 0;
	FILE *devnull = fopen("/dev/null", "w");
	pthread_t th[2];
	int16_t id;
	int rc;

	s.src = buf_alloc(STORM_LEN, &seed);
	DPX_TEST_ASSERT(s.src != NULL && devnull != NULL, "");
	for (uint32_t i = 0; i < STORM_LEN; i++)
		s.src[i] |= 1;
	s.container = dpx_vfio_container_create();
	DPX_TEST_ASSERT(s.container >= 0, "");
	DPX_TEST_ASSERT_EQUAL(
		dpx_vfio_container_dma_map(s.container, iova_of(s.src), STORM_SRC_IOVA, STORM_LEN),
		0, "");
	for (unsigned int r = 0; r < STORM_REGIONS; r++) {
		s.region[r] = buf_alloc(STORM_LEN, NULL);
		DPX_TEST_ASSERT(s.region[r] != NULL, "");
		DPX_TEST_ASSERT_EQUAL(dpx_vfio_container_dma_map(s.container, iova_of(s.region[r]),
								 storm_region_iova(r), STORM_LEN),
				      0, "");
	}
	DPX_TEST_RUN(sw_open(args, 1, STORM_RING, &id));
	DPX_TEST_ASSERT_EQUAL(dpx_dma_sw_bind_container(id, s.container), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_dma_start(id), 0, "");
	for (int t = 0; t < 2; t++)
		DPX_TEST_ASSERT_EQUAL(pthread_create(&th[t], NULL, storm_mapper_main, &mp[t]), 0,
				      "");
	rc = DPX_TEST_SUCCESS;
	/* acquire: partner of the last mapper's release */
	for (unsigned int step = 0;
	     rc == DPX_TEST_SUCCESS && __atomic_load_n(&s.mappers_left, __ATOMIC_ACQUIRE) >= 0;
	     step++) {
		rc = storm_stream_step(&s, id, &seed, &failed);
		/* the dump reads the binding while the mappers replace its snapshot */
		if (step % 64 == 0 && dpx_dma_dump(id, devnull) != 0)
			rc = DPX_TEST_FAILED;
	}
	__atomic_store_n(&s.abort, true, __ATOMIC_RELEASE);
	for (int t = 0; t < 2; t++)
		pthread_join(th[t], NULL);
	DPX_TEST_RUN(rc);
	DPX_TEST_ASSERT_EQUAL(s.verdict, 0, "%s", s.why);
	DPX_TEST_ASSERT_EQUAL(dpx_dma_stop(id), 0, "");
	DPX_TEST_RUN(storm_collect_rest(&s, id, &failed));
	struct dpx_dma_stats stats;
	DPX_TEST_ASSERT_EQUAL(dpx_dma_stats_get(id, 0, &stats), 0, "");
	DPX_TEST_ASSERT(stats.submitted == s.collected && stats.completed == s.collected &&
				stats.errors == failed,
			"submitted %" PRIu64 " completed %" PRIu64 " errors %" PRIu64
			", collected %" PRIu64 " failed %" PRIu64,
			stats.submitted, stats.completed, stats.errors, s.collected, failed);
	printf("%s%s: %" PRIu64 " jobs, %" PRIu64 " faulted\n", args,
	       destroy ? ", container destroyed at the end" : "", s.collected, failed);
	DPX_TEST_ASSERT_EQUAL(dpx_vdev_uninit("dma_sw0"), 0, "");
	if (!destroy)
		DPX_TEST_ASSERT_EQUAL(dpx_vfio_container_destroy(s.container), 0, "");
	for (unsigned int r = 0; r < STORM_REGIONS; r++)
		free(s.region[r]);
	free(s.src);
	fclose(devnull);
	return DPX_TEST_SUCCESS;
}

/*
 * Two threads unmap and map regions (their own two each) while a stream of
 * jobs writes into all four: after an unmap returned, not one byte lands in
 * the region until it is mapped again. Then the container is destroyed
 * under the stream: nothing lands anywhere after that returned. With a
 * spinning worker and one that sleeps between jobs.
 */
static int
test_dma_sw_unmap_storm(void)
{
	DPX_TEST_RUN(fake_env_init());
	DPX_TEST_RUN(storm_run("idle_us=0", false));
	DPX_TEST_RUN(storm_run("idle_us=1", true));
	DPX_TEST_RUN(fake_env_fini());
	return DPX_TEST_SUCCESS;
}
DPX_TEST_REGISTER(dma_sw_unmap_storm, fast, test_dma_sw_unmap_storm);

/* ---- concurrency: a worker that sleeps between jobs ---- */

#define WAKE_JOBS 5000
#define WAKE_LEN 64

struct waker {
	int16_t id;
	uint16_t vchan;
	uint64_t seed;
	uint16_t next_idx;
	uint8_t src[WAKE_LEN], dst[WAKE_LEN];
	int rc;
};

/*
 * Spin 0 to 3 us, uniformly: around the 1 us after which an idle_us=1 worker
 * goes to sleep, so submits land just before, while and after it does.
 */
static void
random_pause(uint64_t *seed)
{
	uint64_t t = dpx_get_tsc_cycles() + dpx_test_rand(seed) % (3 * dpx_get_tsc_hz() / 1000000);

	while (dpx_get_tsc_cycles() < t)
		dpx_pause();
}

/*
 * One job at a time, each waited for: every submit may find the worker
 * asleep or going to sleep. A lost wake-up leaves the job undone (collect's
 * hang detector fails the case).
 */
static int
wake_pingpong(struct waker *w)
{
	for (uint32_t n = 0; n < WAKE_JOBS; n++) {
		uint16_t j = w->next_idx;

		memset(w->src, (int)(n % 251) + 1, WAKE_LEN);
		DPX_TEST_ASSERT_EQUAL(dpx_dma_copy(w->id, w->vchan, iova_of(w->src),
						   iova_of(w->dst), WAKE_LEN,
						   DPX_DMA_OP_FLAG_SUBMIT),
				      j, "vchan %u", w->vchan);
		DPX_TEST_RUN(collect(w->id, w->vchan, 1, &w->next_idx, NULL));
		DPX_TEST_ASSERT(memcmp(w->src, w->dst, WAKE_LEN) == 0, "vchan %u job %u", w->vchan,
				j);
		random_pause(&w->seed);
	}
	return DPX_TEST_SUCCESS;
}

static void *
waker_main(void *arg)
{
	struct waker *w = arg;

	w->rc = wake_pingpong(w);
	return NULL;
}

/*
 * The worker pinned to one CPU and the submitting threads to another, so
 * that they really run at once (on one CPU a submit almost never lands in
 * the few nanoseconds where the worker decides to sleep). args: the
 * engine's devargs.
 */
static int
wake_pinning(char *args, size_t len, cpu_set_t *app)
{
	cpu_set_t set;
	int cpus[2], n = 0;

	DPX_TEST_ASSERT_EQUAL(sched_getaffinity(0, sizeof(set), &set), 0, "");
	for (int c = 0; c < CPU_SETSIZE && n < 2; c++)
		if (CPU_ISSET(c, &set))
			cpus[n++] = c;
	CPU_ZERO(app);
	if (n < 2) {
		printf("one CPU: worker and submitters share it, few wake-up races are tried\n");
		snprintf(args, len, "idle_us=1");
		CPU_SET(cpus[0], app);
		return DPX_TEST_SUCCESS;
	}
	snprintf(args, len, "idle_us=1,cpu=%d", cpus[1]);
	CPU_SET(cpus[0], app);
	return DPX_TEST_SUCCESS;
}

/*
 * One thread alone (nobody else's submit can make up for a lost wake-up),
 * with submit fencing itself and then relying on the worker's membarrier,
 * then two threads, one vchan each, wake an idle_us=1 worker 5000 times each.
 */
static int
test_dma_sw_wake_storm(void)
{
	static struct waker w[2];
	char args[64], buf[2048];
	cpu_set_t app;
	pthread_attr_t attr;
	pthread_t th;
	int16_t id;

	/* before the EAL pins this thread to the main lcore's CPU */
	DPX_TEST_RUN(wake_pinning(args, sizeof(args), &app));
	DPX_TEST_RUN(env_init(NULL));
	DPX_TEST_ASSERT_EQUAL(pthread_setaffinity_np(pthread_self(), sizeof(app), &app), 0, "");
	DPX_TEST_RUN(sw_open(args, 2, 16, &id));
	for (uint16_t v = 0; v < 2; v++)
		w[v] = (struct waker){.id = id, .vchan = v, .seed = 0x3a4e + v};
	/* submit fencing itself, as on a kernel without membarrier */
	dma_sw_test_hooks.no_membarrier = true;
	DPX_TEST_ASSERT_EQUAL(dpx_dma_start(id), 0, "");
	dma_sw_test_hooks.no_membarrier = false;
	DPX_TEST_RUN(wake_pingpong(&w[0]));
	DPX_TEST_ASSERT_EQUAL(dpx_dma_stop(id), 0, "");
	/* the worker's membarrier standing in for submit's fence (where the kernel has it) */
	w[0].next_idx = 0;
	DPX_TEST_ASSERT_EQUAL(dpx_dma_start(id), 0, "");
	DPX_TEST_RUN(wake_pingpong(&w[0]));
	pthread_attr_init(&attr);
	pthread_attr_setaffinity_np(&attr, sizeof(app), &app);
	DPX_TEST_ASSERT_EQUAL(pthread_create(&th, &attr, waker_main, &w[1]), 0, "");
	pthread_attr_destroy(&attr);
	w[0].rc = wake_pingpong(&w[0]);
	pthread_join(th, NULL);
	DPX_TEST_RUN(w[0].rc);
	DPX_TEST_RUN(w[1].rc);
	DPX_TEST_RUN(dump_of(id, buf, sizeof(buf)));
	const char *slept = strstr(buf, "slept");
	printf("%s: worker %.*s\n", args, slept != NULL ? (int)strcspn(slept, "\n") : 0, slept);
	struct dpx_dma_stats st;
	DPX_TEST_ASSERT_EQUAL(dpx_dma_stats_get(id, DPX_DMA_ALL_VCHAN, &st), 0, "");
	DPX_TEST_ASSERT(st.submitted == 4 * WAKE_JOBS && st.completed == 4 * WAKE_JOBS, "");
	DPX_TEST_ASSERT_EQUAL(dpx_vdev_uninit("dma_sw0"), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eal_cleanup(), 0, "");
	return DPX_TEST_SUCCESS;
}
DPX_TEST_REGISTER(dma_sw_wake_storm, fast, test_dma_sw_wake_storm);

#define CYCLES 300
#define CYCLE_JOBS 40

/*
 * Start, a few jobs (some submitted, some not), a random pause (the worker
 * may be asleep, falling asleep or copying), stop: every job ran exactly
 * once, the worker is gone, again and again.
 */
static int
stop_cycles(const char *args, uint64_t seed)
{
	uint8_t *src = buf_alloc(CYCLE_JOBS * KIB, &seed), *dst = buf_alloc(CYCLE_JOBS * KIB, NULL);
	enum dpx_dma_status_code st[CYCLE_JOBS];
	int threads = dpx_test_count_threads();
	int16_t id;

	DPX_TEST_ASSERT(src != NULL && dst != NULL, "");
	DPX_TEST_RUN(sw_open(args, 1, 64, &id));
	for (unsigned int c = 0; c < CYCLES; c++) {
		uint32_t n = (uint32_t)(dpx_test_rand(&seed) % (CYCLE_JOBS + 1));
		uint16_t next_idx = 0;

		memset(dst, 0, CYCLE_JOBS * KIB);
		DPX_TEST_ASSERT_EQUAL(dpx_dma_start(id), 0, "%s cycle %u", args, c);
		for (uint32_t i = 0; i < n; i++) {
			bool submit = dpx_test_rand(&seed) % 4 == 0;
			DPX_TEST_ASSERT_EQUAL(dpx_dma_copy(id, 0, iova_of(src + i * KIB),
							   iova_of(dst + i * KIB), KIB,
							   submit ? DPX_DMA_OP_FLAG_SUBMIT : 0),
					      i, "");
			if (dpx_test_rand(&seed) % 8 == 0)
				random_pause(&seed);
		}
		random_pause(&seed);
		DPX_TEST_ASSERT_EQUAL(dpx_dma_stop(id), 0, "");
		DPX_TEST_ASSERT_EQUAL(dpx_test_count_threads(), threads, "%s cycle %u", args, c);
		DPX_TEST_ASSERT(memcmp(src, dst, n * KIB) == 0 &&
					all_zero(dst + n * KIB, (CYCLE_JOBS - n) * KIB),
				"%s cycle %u: %u jobs", args, c, n);
		DPX_TEST_RUN(collect(id, 0, n, &next_idx, st));
		for (uint32_t i = 0; i < n; i++)
			DPX_TEST_ASSERT_EQUAL(st[i], DPX_DMA_STATUS_SUCCESSFUL, "");
		DPX_TEST_ASSERT_EQUAL(dpx_dma_completed_status(id, 0, 1, NULL, st), 0,
				      "exactly once");
	}
	DPX_TEST_ASSERT_EQUAL(dpx_vdev_uninit("dma_sw0"), 0, "");
	free(src), free(dst);
	return DPX_TEST_SUCCESS;
}

static int
test_dma_sw_stop_cycles(void)
{
	char lcore[32];

	DPX_TEST_RUN(env_init(NULL));
	DPX_TEST_RUN(stop_cycles("idle_us=1", 0xc1));
	DPX_TEST_RUN(stop_cycles("idle_us=0", 0xc2));
	DPX_TEST_RUN(stop_cycles("idle_us=1,cpu=0", 0xc3));
	unsigned int l = dpx_get_next_lcore(-1, 1, 0);
	if (l < DPX_MAX_LCORE) {
		snprintf(lcore, sizeof(lcore), "idle_us=1,lcore=%u", l);
		DPX_TEST_RUN(stop_cycles(lcore, 0xc4));
	} else {
		printf("one lcore only: no cycles on a worker lcore\n");
	}
	DPX_TEST_ASSERT_EQUAL(dpx_eal_cleanup(), 0, "");
	return DPX_TEST_SUCCESS;
}
DPX_TEST_REGISTER(dma_sw_stop_cycles, fast, test_dma_sw_stop_cycles);

/* ---- who runs the worker: lcores already taken ---- */

static int
lcore_spin(void *arg)
{
	/* acquire: partner of the release that lets this lcore go */
	while (!__atomic_load_n((bool *)arg, __ATOMIC_ACQUIRE))
		dpx_pause();
	return 0;
}

/* One job through a started engine, checked. */
static int
one_copy(int16_t id, uint16_t *next_idx)
{
	uint8_t src[128], dst[128] = {0};

	memset(src, 0x77 + *next_idx, sizeof(src));
	DPX_TEST_ASSERT(dpx_dma_copy(id, 0, iova_of(src), iova_of(dst), sizeof(src),
				     DPX_DMA_OP_FLAG_SUBMIT) == *next_idx,
			"");
	DPX_TEST_RUN(collect(id, 0, 1, next_idx, NULL));
	DPX_TEST_ASSERT(memcmp(src, dst, sizeof(src)) == 0, "");
	return DPX_TEST_SUCCESS;
}

/*
 * Two engines on one lcore, and an lcore the application runs something on:
 * the start that finds the lcore busy fails with -EBUSY and leaves the
 * engine stopped (no job taken, no thread), and succeeds once the lcore is
 * free. An lcore that is not a worker of this process is refused at probe.
 */
static int
test_dma_sw_lcore_busy(void)
{
	struct dpx_dma_conf conf = {.nb_vchans = 1};
	struct dpx_dma_vchan_conf vc = {.direction = DPX_DMA_DIR_MEM_TO_MEM, .nb_desc = 16};
	uint16_t next[2] = {0, 0};
	bool go = false;
	int16_t id[2];
	int threads;

	DPX_TEST_RUN(env_init(NULL));
	unsigned int l = dpx_get_next_lcore(-1, 1, 0);
	if (l >= DPX_MAX_LCORE) {
		dpx_eal_cleanup();
		DPX_TEST_SKIP("one CPU: no worker lcore");
	}
	char args[32], bad[32];
	snprintf(args, sizeof(args), "lcore=%u", l);
	snprintf(bad, sizeof(bad), "lcore=%u", DPX_MAX_LCORE - 1);
	DPX_TEST_ASSERT_EQUAL(dpx_vdev_init("dma_sw2", bad), -EINVAL, "lcore not enabled");
	for (int i = 0; i < 2; i++) {
		char name[16];
		snprintf(name, sizeof(name), "dma_sw%d", i);
		DPX_TEST_ASSERT_EQUAL(dpx_vdev_init(name, args), 0, "");
		id[i] = (int16_t)dpx_dma_get_dev_id_by_name(name);
		DPX_TEST_ASSERT_EQUAL(dpx_dma_configure(id[i], &conf), 0, "");
		DPX_TEST_ASSERT_EQUAL(dpx_dma_vchan_setup(id[i], 0, &vc), 0, "");
	}
	threads = dpx_test_count_threads();
	DPX_TEST_ASSERT_EQUAL(dpx_dma_start(id[0]), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_dma_start(id[1]), -EBUSY, "lcore %u runs dma_sw0", l);
	DPX_TEST_ASSERT_EQUAL(dpx_dma_copy(id[1], 0, 0, 0, 0, 0), -ENODEV, "not started");
	DPX_TEST_ASSERT_EQUAL(dpx_dma_burst_capacity(id[1], 0), 0, "");
	DPX_TEST_RUN(one_copy(id[0], &next[0]));
	DPX_TEST_ASSERT_EQUAL(dpx_dma_stop(id[0]), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_dma_start(id[1]), 0, "lcore %u free again", l);
	DPX_TEST_RUN(one_copy(id[1], &next[1]));
	DPX_TEST_ASSERT_EQUAL(dpx_dma_stop(id[1]), 0, "");
	/* the application's own function on the lcore */
	DPX_TEST_ASSERT_EQUAL(dpx_eal_remote_launch(lcore_spin, &go, l), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_dma_start(id[0]), -EBUSY, "the application runs lcore %u", l);
	__atomic_store_n(&go, true, __ATOMIC_RELEASE);
	DPX_TEST_ASSERT_EQUAL(dpx_eal_wait_lcore(l), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_dma_start(id[0]), 0, "");
	next[0] = 0;
	DPX_TEST_RUN(one_copy(id[0], &next[0]));
	DPX_TEST_ASSERT_EQUAL(dpx_dma_stop(id[0]), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_test_count_threads(), threads, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eal_cleanup(), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_dma_count_avail(), 0, "");
	return DPX_TEST_SUCCESS;
}
DPX_TEST_REGISTER(dma_sw_lcore_busy, fast, test_dma_sw_lcore_busy);
