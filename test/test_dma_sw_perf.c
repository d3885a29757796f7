/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dma_sw benchmarks (suite perf; they report, they never fail on a time):
 * - throughput of the engine (worker pinned to the second CPU) against a
 *   plain memcpy on the submitting core, at 64, 256, 1518, 4096 and 65536
 *   bytes, unbound and bound to a container, interleaved, REPS times;
 * - what the submitting core pays per job: cycles in copy + submit and in
 *   completed (calls that returned jobs), against the memcpy it replaces;
 * - memcpy against streaming stores for large copies into cold memory (the
 *   nt_threshold default).
 * Each run checks its bytes arrived before its figure counts.
 */
#include <sched.h>
#include <stdlib.h>
#include <string.h>

#include <dpx_bus_vdev.h>
#include <dpx_cycles.h>
#include <dpx_dma_sw.h>
#include <dpx_dmadev.h>
#include <dpx_vfio.h>

#include "dma_sw_private.h"
#include "dpx_test.h"
#include "vfio_kernel_fake.h"

#define REPS 5
#define ARENA (4u << 20)
#define BURST 32
#define PERF_IOVA 0x6000000000ull

static const uint32_t sizes[] = {64, 256, 1518, 4096, 65536};

enum mode { MODE_MEMCPY, MODE_UNBOUND, MODE_BOUND, MODES };
static const char *const mode_name[MODES] = {"memcpy on the core", "dma_sw", "dma_sw bound"};

struct result {
	double gbps;
	/*
	 * Per job, the median over the run's calls: copy + submit per burst,
	 * completed per call that returned jobs. Medians, because the CPUs are
	 * shared: a call during which the thread lost its CPU is also the call
	 * that finds the most jobs done, so totals would charge the time the
	 * thread did not run to completed.
	 */
	double submit_cycles;
	double poll_cycles;
};

#define SAMPLES 65536
static float submit_samples[SAMPLES], poll_samples[SAMPLES];

static int
cmp_float(const void *a, const void *b)
{
	float x = *(const float *)a, y = *(const float *)b;
	return (x > y) - (x < y);
}

static double
median_samples(float *v, unsigned int n)
{
	if (n == 0)
		return 0;
	qsort(v, n, sizeof(*v), cmp_float);
	return v[n / 2];
}

struct bench {
	uint8_t *src, *dst;
	int16_t dev[MODES];    /* the engine of each mode (unused for memcpy) */
	uint64_t delta[MODES]; /* IOVA - VA of the arenas */
};

static uint32_t
jobs_for(uint32_t size)
{
	/* 128 MiB per run, between 4096 and 10^6 jobs */
	return DPX_MIN(1000000u, DPX_MAX(4096u, (uint32_t)((128ull << 20) / size)));
}

static uint32_t
slot_stride(uint32_t size)
{
	return DPX_ALIGN_CEIL(size, 64);
}

/* Every slot's last copy landed: the destination equals the source over the slots used. */
static int
check_landed(const struct bench *b, uint32_t size, uint32_t jobs)
{
	uint32_t stride = slot_stride(size), slots = ARENA / stride;

	for (uint32_t k = 0; k < DPX_MIN(slots, jobs); k++)
		DPX_TEST_ASSERT(memcmp(b->dst + k * stride, b->src + k * stride, size) == 0,
				"size %u slot %u not copied", size, k);
	return DPX_TEST_SUCCESS;
}

static void
run_memcpy(struct bench *b, uint32_t size, uint32_t jobs, struct result *r)
{
	uint32_t stride = slot_stride(size), slots = ARENA / stride;
	unsigned int n_sub = 0;
	uint64_t t0 = dpx_get_tsc_cycles();

	for (uint32_t j = 0; j < jobs; j += BURST) {
		uint64_t t1 = dpx_get_tsc_cycles();
		for (uint32_t i = j; i < DPX_MIN(j + BURST, jobs); i++) {
			uint64_t off = (uint64_t)(i % slots) * stride;
			memcpy(b->dst + off, b->src + off, size);
			/* keep the copy: the compiler must not merge or drop repeated ones */
			__asm__ volatile("" ::"r"(b->dst + off) : "memory");
		}
		if (n_sub < SAMPLES)
			submit_samples[n_sub++] = (float)(dpx_get_tsc_cycles() - t1) / BURST;
	}
	uint64_t cycles = dpx_get_tsc_cycles() - t0;
	r->gbps = (double)jobs * size / ((double)cycles / dpx_get_tsc_hz()) / 1e9;
	r->submit_cycles = median_samples(submit_samples, n_sub);
	r->poll_cycles = 0;
}

static int
run_engine(struct bench *b, enum mode m, uint32_t size, uint32_t jobs, struct result *r)
{
	uint32_t stride = slot_stride(size), slots = ARENA / stride, enq = 0, done = 0;
	unsigned int n_sub = 0, n_poll = 0;
	uint64_t delta = b->delta[m];
	int16_t id = b->dev[m];
	bool err = false;

	DPX_TEST_ASSERT_EQUAL(dpx_dma_start(id), 0, "");
	uint64_t t0 = dpx_get_tsc_cycles();
	while (done < jobs) {
		uint32_t room = DPX_MIN(dpx_dma_burst_capacity(id, 0), jobs - enq);
		uint32_t burst = DPX_MIN(room, (uint32_t)BURST);
		uint64_t t1 = dpx_get_tsc_cycles();

		for (uint32_t i = 0; i < burst; i++, enq++) {
			uint64_t off = (uint64_t)(enq % slots) * stride;
			dpx_dma_copy(id, 0, (uint64_t)(uintptr_t)(b->src + off) + delta,
				     (uint64_t)(uintptr_t)(b->dst + off) + delta, size, 0);
		}
		if (burst > 0)
			dpx_dma_submit(id, 0);
		uint64_t t2 = dpx_get_tsc_cycles();
		uint16_t n = dpx_dma_completed(id, 0, 256, NULL, &err);
		uint64_t t3 = dpx_get_tsc_cycles();

		/* a full ring's spin is waiting, not what a job costs the core */
		if (burst > 0 && n_sub < SAMPLES)
			submit_samples[n_sub++] = (float)(t2 - t1) / burst;
		if (n > 0 && n_poll < SAMPLES)
			poll_samples[n_poll++] = (float)(t3 - t2) / n;
		done += n;
		DPX_TEST_ASSERT(!err, "a job failed");
	}
	uint64_t cycles = dpx_get_tsc_cycles() - t0;
	DPX_TEST_ASSERT_EQUAL(dpx_dma_stop(id), 0, "");
	r->gbps = (double)jobs * size / ((double)cycles / dpx_get_tsc_hz()) / 1e9;
	r->submit_cycles = median_samples(submit_samples, n_sub);
	r->poll_cycles = median_samples(poll_samples, n_poll);
	return DPX_TEST_SUCCESS;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double
median(double *v, unsigned int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static double
best(const double *v, unsigned int n, bool high)
{
	double x = v[0];

	for (unsigned int i = 1; i < n; i++)
		x = high ? DPX_MAX(x, v[i]) : DPX_MIN(x, v[i]);
	return x;
}

static void
report(uint32_t size, struct result res[MODES][REPS])
{
	char name[128];
	double v[REPS], ratio[REPS];

	for (int m = 0; m < MODES; m++) {
		for (int i = 0; i < REPS; i++)
			v[i] = res[m][i].gbps;
		snprintf(name, sizeof(name), "%s %u B: median (best)", mode_name[m], size);
		printf("PERF %-48s %8.2f (%.2f) GB/s\n", name, median(v, REPS),
		       best(v, REPS, true));
	}
	for (int m = MODE_UNBOUND; m < MODES; m++) {
		for (int i = 0; i < REPS; i++)
			ratio[i] = res[m][i].gbps / res[MODE_MEMCPY][i].gbps;
		snprintf(name, sizeof(name), "%s / memcpy %u B: median (best)", mode_name[m], size);
		printf("PERF %-48s %8.2f (%.2f) x\n", name, median(ratio, REPS),
		       best(ratio, REPS, true));
	}
	for (int m = 0; m < MODES; m++) {
		double s[REPS], p[REPS];
		for (int i = 0; i < REPS; i++) {
			s[i] = res[m][i].submit_cycles;
			p[i] = res[m][i].poll_cycles;
		}
		snprintf(name, sizeof(name), "%s %u B: core cycles/job", mode_name[m], size);
		if (m == MODE_MEMCPY)
			printf("PERF %-48s %8.1f (copy)\n", name, median(s, REPS));
		else
			printf("PERF %-48s %8.1f (copy+submit %.1f, completed %.1f)\n", name,
			       median(s, REPS) + median(p, REPS), median(s, REPS), median(p, REPS));
	}
}

static int
open_engine(const char *name, const char *args, int16_t *id)
{
	struct dpx_dma_conf conf = {.nb_vchans = 1};
	struct dpx_dma_vchan_conf vc = {.direction = DPX_DMA_DIR_MEM_TO_MEM, .nb_desc = 1024};

	DPX_TEST_ASSERT_EQUAL(dpx_vdev_init(name, args), 0, "");
	*id = (int16_t)dpx_dma_get_dev_id_by_name(name);
	DPX_TEST_ASSERT_EQUAL(dpx_dma_configure(*id, &conf), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_dma_vchan_setup(*id, 0, &vc), 0, "");
	return DPX_TEST_SUCCESS;
}

/* The process's second CPU for the worker, or -1 (then no figure means anything). */
static int
second_cpu(void)
{
	cpu_set_t set;
	int n = 0;

	sched_getaffinity(0, sizeof(set), &set);
	for (int c = 0; c < CPU_SETSIZE; c++)
		if (CPU_ISSET(c, &set) && n++ == 1)
			return c;
	return -1;
}

static int
bench_setup(struct bench *b, int *container)
{
	char args[64];
	int cpu = second_cpu();

	if (cpu < 0)
		DPX_TEST_SKIP("one CPU: the engine's worker would share the submitting core");
	b->src = aligned_alloc(4096, ARENA);
	b->dst = aligned_alloc(4096, ARENA);
	DPX_TEST_ASSERT(b->src != NULL && b->dst != NULL, "");
	for (uint32_t i = 0; i < ARENA; i++)
		b->src[i] = (uint8_t)(i * 7 + 1);
	kfake_reset(KMODEL_TYPE1V2);
	DPX_TEST_ASSERT_EQUAL(vfio_set_kernel_ops(&kfake_ops), 0, "");
	/* -m: the rings are all the EAL memory used (and valgrind cannot reserve the default VA) */
	DPX_TEST_ASSERT(dpx_test_eal_init("--no-huge", "--in-memory", "-m", "256", NULL) > 0, "");
	*container = dpx_vfio_container_create();
	DPX_TEST_ASSERT(*container >= 0, "");
	/* eight unrelated regions around the arenas, as a guest's table would have */
	for (uint64_t i = 0; i < 8; i++)
		DPX_TEST_ASSERT_EQUAL(dpx_vfio_container_dma_map(*container,
								 0x100000000ull * (i + 1),
								 0x100000000ull * (i + 1), 1 << 20),
				      0, "");
	b->delta[MODE_BOUND] = PERF_IOVA - (uint64_t)(uintptr_t)b->src;
	DPX_TEST_ASSERT_EQUAL(dpx_vfio_container_dma_map(*container, (uint64_t)(uintptr_t)b->src,
							 PERF_IOVA, ARENA),
			      0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_vfio_container_dma_map(
				      *container, (uint64_t)(uintptr_t)b->dst,
				      (uint64_t)(uintptr_t)b->dst + b->delta[MODE_BOUND], ARENA),
			      0, "");
	snprintf(args, sizeof(args), "cpu=%d,ring_size=1024", cpu);
	DPX_TEST_RUN(open_engine("dma_sw0", args, &b->dev[MODE_UNBOUND]));
	DPX_TEST_RUN(open_engine("dma_sw1", args, &b->dev[MODE_BOUND]));
	DPX_TEST_ASSERT_EQUAL(dpx_dma_sw_bind_container(b->dev[MODE_BOUND], *container), 0, "");
	printf("submitting core: cpu %d; worker pinned to cpu %d; %u MiB arenas; bursts of %d\n",
	       sched_getcpu(), cpu, ARENA >> 20, BURST);
	return DPX_TEST_SUCCESS;
}

/* What bench_setup made, undone: both engines, the container, the EAL. */
static int
bench_teardown(struct bench *b, int container)
{
	DPX_TEST_ASSERT_EQUAL(dpx_vdev_uninit("dma_sw1"), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_vdev_uninit("dma_sw0"), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_vfio_container_destroy(container), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eal_cleanup(), 0, "");
	DPX_TEST_ASSERT_EQUAL(vfio_set_kernel_ops(NULL), 0, "");
	free(b->src), free(b->dst);
	return DPX_TEST_SUCCESS;
}

static int
test_dma_sw_perf(void)
{
	static struct result res[MODES][REPS];
	struct bench b = {0};
	int container;

	DPX_TEST_RUN(bench_setup(&b, &container));
	for (unsigned int s = 0; s < DPX_DIM(sizes); s++) {
		uint32_t jobs = jobs_for(sizes[s]);

		for (int rep = 0; rep < REPS; rep++)
			for (int m = 0; m < MODES; m++) {
				memset(b.dst, 0, ARENA);
				if (m == MODE_MEMCPY)
					run_memcpy(&b, sizes[s], jobs, &res[m][rep]);
				else
					DPX_TEST_RUN(
						run_engine(&b, m, sizes[s], jobs, &res[m][rep]));
				DPX_TEST_RUN(check_landed(&b, sizes[s], jobs));
			}
		report(sizes[s], res);
	}
	return bench_teardown(&b, container);
}
DPX_TEST_REGISTER(dma_sw_perf, perf, test_dma_sw_perf);

/*
 * What the submitting core pays per job, alone: 64 B and 1518 B jobs,
 * unbound and bound, more runs than dma_sw_perf and fewer jobs each. Also
 * the workload to count the fast path's instructions under callgrind:
 *   valgrind --tool=callgrind --toggle-collect=sw_copy --toggle-collect=sw_submit
 *            --toggle-collect=sw_completed dpx-test dma_sw_submit_cost
 */
#define COST_REPS 9

static int
test_dma_sw_submit_cost(void)
{
	static const uint32_t cost_sizes[] = {64, 1518};
	struct bench b = {0};
	int container;

	DPX_TEST_RUN(bench_setup(&b, &container));
	for (unsigned int s = 0; s < DPX_DIM(cost_sizes); s++) {
		double sub[MODES][COST_REPS], poll[MODES][COST_REPS];

		for (int rep = 0; rep < COST_REPS; rep++)
			for (int m = MODE_UNBOUND; m < MODES; m++) {
				struct result r;
				memset(b.dst, 0, ARENA);
				DPX_TEST_RUN(run_engine(&b, m, cost_sizes[s], 20000, &r));
				DPX_TEST_RUN(check_landed(&b, cost_sizes[s], 20000));
				sub[m][rep] = r.submit_cycles;
				poll[m][rep] = r.poll_cycles;
			}
		for (int m = MODE_UNBOUND; m < MODES; m++) {
			char name[96];
			snprintf(name, sizeof(name), "%s %u B: copy+submit cycles/job",
				 mode_name[m], cost_sizes[s]);
			printf("PERF %-48s %8.1f (best %.1f), completed %.1f\n", name,
			       median(sub[m], COST_REPS), best(sub[m], COST_REPS, false),
			       median(poll[m], COST_REPS));
		}
	}
	return bench_teardown(&b, container);
}
DPX_TEST_REGISTER(dma_sw_submit_cost, perf, test_dma_sw_submit_cost);

/*
 * The fast path's instructions, for callgrind (the worker never has to keep
 * up: each round fills the ring, and stop runs the jobs):
 *   valgrind --tool=callgrind --toggle-collect=sw_copy --toggle-collect=sw_submit
 *     --toggle-collect=sw_completed dpx-test dma_sw_fp_instructions
 * then self Ir / FPI_ROUNDS * FPI_RING per copy, / (FPI_ROUNDS * FPI_RING / BURST)
 * per submit, / (FPI_ROUNDS * FPI_RING / FPI_COLLECT) per completed.
 */
#define FPI_ROUNDS 50
#define FPI_RING 1024
#define FPI_COLLECT 64

static int
test_dma_sw_fp_instructions(void)
{
	struct dpx_dma_conf conf = {.nb_vchans = 1};
	struct dpx_dma_vchan_conf vc = {.direction = DPX_DMA_DIR_MEM_TO_MEM, .nb_desc = FPI_RING};
	uint8_t *src = aligned_alloc(4096, FPI_RING * 64),
		*dst = aligned_alloc(4096, FPI_RING * 64);
	uint64_t submit_cycles = 0, collect_cycles = 0;
	int16_t id;

	DPX_TEST_ASSERT(src != NULL && dst != NULL, "");
	memset(src, 0x3c, FPI_RING * 64);
	DPX_TEST_ASSERT(dpx_test_eal_init("--no-huge", "--in-memory", "-m", "64", NULL) > 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_vdev_init("dma_sw0", NULL), 0, "");
	id = (int16_t)dpx_dma_get_dev_id_by_name("dma_sw0");
	DPX_TEST_ASSERT_EQUAL(dpx_dma_configure(id, &conf), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_dma_vchan_setup(id, 0, &vc), 0, "");
	for (unsigned int r = 0; r < FPI_ROUNDS; r++) {
		uint32_t got = 0;

		memset(dst, 0, FPI_RING * 64);
		DPX_TEST_ASSERT_EQUAL(dpx_dma_start(id), 0, "");
		uint64_t t0 = dpx_get_tsc_cycles();
		for (uint32_t j = 0; j < FPI_RING; j += BURST) {
			for (uint32_t i = j; i < j + BURST; i++)
				dpx_dma_copy(id, 0, (uint64_t)(uintptr_t)(src + i * 64),
					     (uint64_t)(uintptr_t)(dst + i * 64), 64, 0);
			dpx_dma_submit(id, 0);
		}
		submit_cycles += dpx_get_tsc_cycles() - t0;
		DPX_TEST_ASSERT_EQUAL(dpx_dma_stop(id), 0, "");
		t0 = dpx_get_tsc_cycles();
		while (got < FPI_RING)
			got += dpx_dma_completed(id, 0, FPI_COLLECT, NULL, NULL);
		collect_cycles += dpx_get_tsc_cycles() - t0;
		DPX_TEST_ASSERT(memcmp(src, dst, FPI_RING * 64) == 0, "round %u", r);
	}
	printf("PERF %-48s %8.1f\n", "copy+submit cycles/job, ring never full",
	       (double)submit_cycles / (FPI_ROUNDS * FPI_RING));
	printf("PERF %-48s %8.1f\n", "completed cycles/job, all done",
	       (double)collect_cycles / (FPI_ROUNDS * FPI_RING));
	DPX_TEST_ASSERT_EQUAL(dpx_vdev_uninit("dma_sw0"), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eal_cleanup(), 0, "");
	free(src), free(dst);
	return DPX_TEST_SUCCESS;
}
DPX_TEST_REGISTER(dma_sw_fp_instructions, perf, test_dma_sw_fp_instructions);

/* ---- memcpy against streaming stores, large copies into memory not in the cache ---- */

#define NT_SPAN (512u << 20)
#define NT_BYTES (1u << 30)

static double
nt_run(struct sw_dev *sw, uint8_t *src, uint8_t *dst, uint32_t size, uint64_t span)
{
	uint32_t slots = (uint32_t)(span / size);
	uint64_t t0 = dpx_get_tsc_cycles();

	for (uint32_t j = 0; j < NT_BYTES / size; j++) {
		uint64_t off = (uint64_t)(j % slots) * size;
		dma_sw_copy(sw, dst + off, src + off % ARENA, size);
	}
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return (double)NT_BYTES / ((double)(dpx_get_tsc_cycles() - t0) / dpx_get_tsc_hz()) / 1e9;
}

static int
test_dma_sw_copy_perf(void)
{
	static const uint32_t nt_sizes[] = {64u << 10, 256u << 10, 1u << 20, 4u << 20};
	struct sw_dev *sw = calloc(1, sizeof(*sw));
	uint8_t *src = aligned_alloc(4096, ARENA), *dst = aligned_alloc(4096, NT_SPAN);

	if (!dma_sw_nt_available())
		DPX_TEST_SKIP("this CPU has no AVX2: dma_sw never uses streaming stores here");
	DPX_TEST_ASSERT(sw != NULL && src != NULL && dst != NULL, "");
	memset(src, 0x5a, ARENA);
	memset(dst, 0, NT_SPAN);
	printf("%u MiB per run; cold: the destination rotates through %u MiB (beyond the caches); "
	       "warm: through 8 copies' worth\n",
	       NT_BYTES >> 20, NT_SPAN >> 20);
	for (unsigned int s = 0; s < 2 * DPX_DIM(nt_sizes); s++) {
		uint32_t size = nt_sizes[s % DPX_DIM(nt_sizes)];
		bool cold = s < DPX_DIM(nt_sizes);
		uint64_t span = cold ? NT_SPAN : 8ull * size;
		double g[2][REPS], ratio[REPS];
		char name[96];

		for (int rep = 0; rep < REPS; rep++)
			for (int nt = 0; nt < 2; nt++) {
				sw->nt_threshold = nt ? 256 : 0;
				g[nt][rep] = nt_run(sw, src, dst, size, span);
				uint64_t last = (span / size - 1) * size;
				DPX_TEST_ASSERT(memcmp(dst + last, src + last % ARENA, size) == 0,
						"size %u not copied", size);
				memset(dst + last, 0, size);
			}
		for (int rep = 0; rep < REPS; rep++)
			ratio[rep] = g[1][rep] / g[0][rep];
		snprintf(name, sizeof(name), "copy %u KiB %s: memcpy, streaming (median)",
			 size >> 10, cold ? "cold" : "warm");
		printf("PERF %-48s %8.2f %8.2f GB/s, streaming/memcpy %.2f (best %.2f)\n", name,
		       median(g[0], REPS), median(g[1], REPS), median(ratio, REPS),
		       best(ratio, REPS, true));
	}
	free(sw), free(src), free(dst);
	return DPX_TEST_SUCCESS;
}
DPX_TEST_REGISTER(dma_sw_copy_perf, perf, test_dma_sw_copy_perf);
