/* SPDX-License-Identifier: BSD-3-Clause */
/* ring benchmarks: cycles per object, one lcore (enqueue then dequeue) and two lcores (producer -> consumer). */
#include <sched.h>

#include <dpx_memory.h>
#include <dpx_ring.h>

#include "dpx_test.h"

#define PERF_OBJS (1u << 22)     /* objects moved per one-lcore figure */
#define PERF_OBJS_2LC (1u << 20) /* per two-lcore figure (slower when CPUs are shared) */

static const struct {
	const char *name;
	unsigned int flags;
} perf_modes[] = {
	{"SP/SC", DPX_RING_F_SP_ENQ | DPX_RING_F_SC_DEQ},
	{"MP/MC", 0},
};
static const unsigned int perf_bulks[] = {1, 8, 32};

static void
one_lcore(struct dpx_ring *r, const char *mode, unsigned int bulk)
{
	void *objs[32] = {0};
	char name[96];
	uint64_t t0 = dpx_get_tsc_cycles();

	for (unsigned int i = 0; i < PERF_OBJS / bulk; i++) {
		dpx_ring_enqueue_bulk(r, objs, bulk, NULL);
		dpx_ring_dequeue_bulk(r, objs, bulk, NULL);
	}
	uint64_t cycles = dpx_get_tsc_cycles() - t0;
	snprintf(name, sizeof(name), "ring %s bulk %u enq+deq, 1 lcore", mode, bulk);
	DPX_TEST_PERF(name, (double)cycles / PERF_OBJS, "cycles/object");
}

struct pc_arg {
	struct dpx_ring *r;
	unsigned int bulk;
};

static int
producer(void *arg)
{
	struct pc_arg *a = arg;
	void *objs[32] = {0};
	unsigned int sent = 0;

	while (sent < PERF_OBJS_2LC)
		sent += dpx_ring_enqueue_bulk(a->r, objs, a->bulk, NULL);
	return 0;
}

static void
two_lcores(struct dpx_ring *r, const char *mode, unsigned int bulk, unsigned int worker)
{
	struct pc_arg a = {r, bulk};
	void *objs[32];
	unsigned int got = 0;
	char name[96];
	uint64_t t0 = dpx_get_tsc_cycles();

	dpx_eal_remote_launch(producer, &a, worker);
	while (got < PERF_OBJS_2LC)
		got += dpx_ring_dequeue_bulk(r, objs, bulk, NULL);
	uint64_t cycles = dpx_get_tsc_cycles() - t0;
	dpx_eal_wait_lcore(worker);
	snprintf(name, sizeof(name), "ring %s bulk %u, producer/consumer on 2 lcores", mode, bulk);
	DPX_TEST_PERF(name, (double)cycles / PERF_OBJS_2LC, "cycles/object");
}

/* Two lcores on two distinct CPUs when the process may use two; else one lcore. */
static int
init_eal(int *two_cpus)
{
	cpu_set_t set;
	int cpus[2], n = 0;
	char map[64];

	CPU_ZERO(&set);
	sched_getaffinity(0, sizeof(set), &set);
	for (int c = 0; c < CPU_SETSIZE && n < 2; c++)
		if (CPU_ISSET(c, &set))
			cpus[n++] = c;
	*two_cpus = n == 2;
	if (n == 2)
		snprintf(map, sizeof(map), "0@%d,1@%d", cpus[0], cpus[1]);
	else
		snprintf(map, sizeof(map), "0@%d", sched_getcpu());
	return dpx_test_eal_init("--no-huge", "--in-memory", "--lcores", map, NULL);
}

static int
test_ring_perf(void)
{
	int two_cpus;

	DPX_TEST_ASSERT(init_eal(&two_cpus) > 0, "init");
	for (unsigned int m = 0; m < DPX_DIM(perf_modes); m++) {
		struct dpx_ring *r = dpx_ring_create("perf", 1024, DPX_SOCKET_ID_ANY,
						     perf_modes[m].flags);
		DPX_TEST_ASSERT(r != NULL, "");
		for (unsigned int b = 0; b < DPX_DIM(perf_bulks); b++)
			one_lcore(r, perf_modes[m].name, perf_bulks[b]);
		for (unsigned int b = 0; b < DPX_DIM(perf_bulks) && two_cpus; b++)
			two_lcores(r, perf_modes[m].name, perf_bulks[b], 1);
		dpx_ring_free(r);
	}
	if (!two_cpus)
		printf("two-lcore figures not measured: this process may use only one CPU\n");
	DPX_TEST_ASSERT_EQUAL(dpx_eal_cleanup(), 0, "");
	return DPX_TEST_SUCCESS;
}
DPX_TEST_REGISTER(ring_perf, perf, test_ring_perf);
