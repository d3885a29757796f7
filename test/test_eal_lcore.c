/* SPDX-License-Identifier: BSD-3-Clause */
/* lcores: launch and wait on every lcore, states and errors. */
#include <pthread.h>
#include <sched.h>

#include "dpx_test.h"

static unsigned int seen_lcore[DPX_MAX_LCORE];
static int seen_cpu[DPX_MAX_LCORE];

static int
record_lcore(void *arg)
{
	unsigned int id = dpx_lcore_id();

	__atomic_fetch_add(&seen_lcore[id], 1, __ATOMIC_RELAXED);
	seen_cpu[id] = sched_getcpu();
	return (int)id + (int)(uintptr_t)arg;
}

static volatile int release_worker;

static int
wait_for_release(void *arg)
{
	(void)arg;
	while (!__atomic_load_n(&release_worker, __ATOMIC_ACQUIRE))
		dpx_pause();
	return 42;
}

static int
test_eal_lcore_launch(void)
{
	unsigned int i, workers = 0;

	/* four lcores on the first cpu: works on any machine, one core or many */
	int cpu = sched_getcpu();
	char map[32];
	snprintf(map, sizeof(map), "0-3@%d", cpu);
	DPX_TEST_ASSERT(dpx_test_eal_init("--no-huge", "--lcores", map, NULL) > 0, "init");
	DPX_TEST_ASSERT_EQUAL(dpx_lcore_count(), 4, "");
	DPX_TEST_ASSERT_EQUAL(dpx_get_main_lcore(), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_lcore_id(), 0, "main thread is lcore 0");

	DPX_LCORE_FOREACH_WORKER(i) {
		DPX_TEST_ASSERT_EQUAL(dpx_eal_get_lcore_state(i), DPX_LCORE_WAIT, "lcore %u", i);
		DPX_TEST_ASSERT_EQUAL(dpx_eal_remote_launch(record_lcore, (void *)100, i), 0, "");
		workers++;
	}
	DPX_TEST_ASSERT_EQUAL(workers, 3, "");
	DPX_LCORE_FOREACH_WORKER(i) {
		DPX_TEST_ASSERT_EQUAL(dpx_eal_wait_lcore(i), (int)i + 100, "return value of lcore %u", i);
		DPX_TEST_ASSERT_EQUAL(dpx_eal_get_lcore_state(i), DPX_LCORE_WAIT, "");
		DPX_TEST_ASSERT_EQUAL(seen_lcore[i], 1, "lcore %u ran once", i);
		DPX_TEST_ASSERT_EQUAL(seen_cpu[i], cpu, "lcore %u pinned", i);
	}
	/* every lcore, main included */
	DPX_TEST_ASSERT_EQUAL(dpx_eal_mp_remote_launch(record_lcore, NULL, 1), 0, "");
	dpx_eal_mp_wait_lcore();
	DPX_LCORE_FOREACH(i)
		DPX_TEST_ASSERT_EQUAL(seen_lcore[i], i == 0 ? 1 : 2, "lcore %u", i);

	/* wrong-state and wrong-id calls */
	DPX_TEST_ASSERT_EQUAL(dpx_eal_remote_launch(record_lcore, NULL, 0), -EINVAL, "main lcore");
	DPX_TEST_ASSERT_EQUAL(dpx_eal_remote_launch(record_lcore, NULL, 7), -EINVAL, "disabled");
	DPX_TEST_ASSERT_EQUAL(dpx_eal_remote_launch(record_lcore, NULL, DPX_MAX_LCORE), -EINVAL, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eal_remote_launch(NULL, NULL, 1), -EINVAL, "no function");
	DPX_TEST_ASSERT_EQUAL(dpx_eal_wait_lcore(9), -EINVAL, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eal_get_lcore_state(9), -EINVAL, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eal_remote_launch(wait_for_release, NULL, 1), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eal_remote_launch(record_lcore, NULL, 1), -EBUSY, "running");
	DPX_TEST_ASSERT_EQUAL(dpx_eal_mp_remote_launch(record_lcore, NULL, 0), -EBUSY, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eal_cleanup(), -EBUSY, "a worker is running: no hang");
	DPX_TEST_ASSERT(dpx_eal_is_initialized(), "");
	__atomic_store_n(&release_worker, 1, __ATOMIC_RELEASE);
	DPX_TEST_ASSERT_EQUAL(dpx_eal_wait_lcore(1), 42, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eal_wait_lcore(1), 0, "idle worker");
	DPX_TEST_ASSERT_EQUAL(dpx_eal_cleanup(), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_lcore_count(), 0, "");
	return DPX_TEST_SUCCESS;
}
DPX_TEST_REGISTER(eal_lcore_launch, fast, test_eal_lcore_launch);

static int
test_eal_lcore_iteration(void)
{
	int cpu = sched_getcpu();
	char map[32];

	snprintf(map, sizeof(map), "2@%d,5-6@%d", cpu, cpu);
	DPX_TEST_ASSERT(dpx_test_eal_init("--no-huge", "--lcores", map, "--main-lcore", "5", NULL) > 0,
			"init");
	DPX_TEST_ASSERT_EQUAL(dpx_get_main_lcore(), 5, "");
	DPX_TEST_ASSERT_EQUAL(dpx_get_next_lcore(-1, 0, 0), 2, "");
	DPX_TEST_ASSERT_EQUAL(dpx_get_next_lcore(2, 1, 0), 6, "skips main lcore 5");
	DPX_TEST_ASSERT_EQUAL(dpx_get_next_lcore(6, 0, 0), DPX_MAX_LCORE, "");
	DPX_TEST_ASSERT_EQUAL(dpx_get_next_lcore(6, 0, 1), 2, "wraps");
	DPX_TEST_ASSERT(dpx_lcore_is_enabled(6) && !dpx_lcore_is_enabled(3), "");
	DPX_TEST_ASSERT_EQUAL(dpx_lcore_to_cpu_id(6), cpu, "");
	DPX_TEST_ASSERT_EQUAL(dpx_lcore_to_cpu_id(3), -EINVAL, "");
	DPX_TEST_ASSERT(dpx_lcore_to_socket_id(2) >= 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eal_cleanup(), 0, "");
	return DPX_TEST_SUCCESS;
}
DPX_TEST_REGISTER(eal_lcore_iteration, fast, test_eal_lcore_iteration);

/* The main thread is pinned while the EAL runs and gets its CPUs back at cleanup. */
static int
test_eal_lcore_reinit_affinity(void)
{
	cpu_set_t before, after;
	char list[16];
	int last = -1;

	DPX_TEST_ASSERT_EQUAL(sched_getaffinity(0, sizeof(before), &before), 0, "");
	for (int c = 0; c < CPU_SETSIZE && c < DPX_MAX_LCORE; c++)
		if (CPU_ISSET(c, &before))
			last = c;
	if (CPU_COUNT(&before) < 2)
		DPX_TEST_SKIP("this process may run on %d cpu(s), the case needs 2",
			      CPU_COUNT(&before));
	snprintf(list, sizeof(list), "%d", last);
	DPX_TEST_ASSERT(dpx_test_eal_init("--no-huge", "--in-memory", "-l", list, NULL) > 0, "");
	DPX_TEST_ASSERT_EQUAL(sched_getcpu(), last, "main lcore pinned");
	DPX_TEST_ASSERT_EQUAL(dpx_eal_cleanup(), 0, "");
	DPX_TEST_ASSERT_EQUAL(sched_getaffinity(0, sizeof(after), &after), 0, "");
	DPX_TEST_ASSERT(CPU_EQUAL(&before, &after), "affinity restored: %d cpus, was %d",
			CPU_COUNT(&after), CPU_COUNT(&before));
	/* the default lcore set of a second init is every cpu again */
	DPX_TEST_ASSERT(dpx_test_eal_init("--no-huge", "--in-memory", NULL) > 0, "second init");
	DPX_TEST_ASSERT_EQUAL(dpx_lcore_count(), (unsigned int)CPU_COUNT(&before), "");
	DPX_TEST_ASSERT_EQUAL(dpx_eal_cleanup(), 0, "");
	return DPX_TEST_SUCCESS;
}
DPX_TEST_REGISTER(eal_lcore_reinit_affinity, fast, test_eal_lcore_reinit_affinity);

/* --main-lcore must name an enabled lcore, also when -l is not given. */
static int
test_eal_lcore_main_not_enabled(void)
{
	int id = DPX_MAX_LCORE - 1;
	cpu_set_t allowed;
	char arg[16];

	DPX_TEST_ASSERT_EQUAL(sched_getaffinity(0, sizeof(allowed), &allowed), 0, "");
	if (id < CPU_SETSIZE && CPU_ISSET(id, &allowed))
		DPX_TEST_SKIP("cpu %d is available: lcore %d is in the default set", id, id);
	snprintf(arg, sizeof(arg), "%d", id);
	DPX_TEST_ASSERT_EQUAL(dpx_test_eal_init("--no-huge", "--in-memory", "--main-lcore", arg,
						NULL),
			      -EINVAL, "lcore %d is not enabled", id);
	DPX_TEST_ASSERT(!dpx_eal_is_initialized(), "");
	DPX_TEST_ASSERT(dpx_test_eal_init("--no-huge", "--in-memory", NULL) > 0, "then init works");
	DPX_TEST_ASSERT_EQUAL(dpx_eal_cleanup(), 0, "");
	return DPX_TEST_SUCCESS;
}
DPX_TEST_REGISTER(eal_lcore_main_not_enabled, fast, test_eal_lcore_main_not_enabled);

static int
test_eal_cycles(void)
{
	DPX_TEST_ASSERT(dpx_test_eal_init("--no-huge", "--in-memory", NULL) > 0, "init");
	uint64_t hz = dpx_get_tsc_hz();
	DPX_TEST_ASSERT(hz > 1000000, "calibrated frequency %" PRIu64 " Hz", hz);
	/* dpx_delay_us waits at least as long as asked (a lower bound, never an upper one) */
	uint64_t t0 = dpx_get_time_ns();
	dpx_delay_us(2000);
	uint64_t elapsed = dpx_get_time_ns() - t0;
	DPX_TEST_ASSERT(elapsed >= 1900 * 1000, "2000 us delay took %" PRIu64 " ns", elapsed);
	DPX_TEST_ASSERT_EQUAL(dpx_eal_cleanup(), 0, "");
	return DPX_TEST_SUCCESS;
}
DPX_TEST_REGISTER(eal_cycles, fast, test_eal_cycles);
