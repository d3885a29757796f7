/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lcore threads: the main lcore is the thread that called dpx_eal_init; each
 * worker is a pthread pinned to its CPU that sleeps on a condition variable
 * until a function is launched on it.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>

#include <numa.h>

#include "eal_private.h"

struct lcore {
	bool enabled;
	int cpu;
	int socket;
	pthread_t thread;
	bool thread_started;
	pthread_mutex_t lock; /* guards state, fn, arg, ret, exit */
	pthread_cond_t cond;  /* signalled on every state change and on exit */
	enum dpx_lcore_state state;
	dpx_lcore_function_t *fn;
	void *arg;
	int ret;
	bool exit;
};

static struct lcore lcores[DPX_MAX_LCORE];
static unsigned int lcore_count;
static unsigned int main_lcore;
/* the main thread's CPUs before init pinned it: cleanup gives them back, so a
 * second dpx_eal_init sees the same CPUs as the first */
static pthread_t main_thread;
static cpu_set_t main_affinity;
static bool main_pinned;
__thread unsigned int dpx_lcore_id_value DPX_LCORE_TLS = DPX_LCORE_ID_ANY;
#define this_lcore dpx_lcore_id_value


unsigned int
dpx_get_main_lcore(void)
{
	return main_lcore;
}

unsigned int
dpx_lcore_count(void)
{
	return lcore_count;
}

int
dpx_lcore_is_enabled(unsigned int lcore_id)
{
	return lcore_id < DPX_MAX_LCORE && lcores[lcore_id].enabled;
}

int
dpx_lcore_to_cpu_id(unsigned int lcore_id)
{
	return dpx_lcore_is_enabled(lcore_id) ? lcores[lcore_id].cpu : -EINVAL;
}

int
dpx_lcore_to_socket_id(unsigned int lcore_id)
{
	return dpx_lcore_is_enabled(lcore_id) ? lcores[lcore_id].socket : -EINVAL;
}

unsigned int
dpx_socket_id(void)
{
	if (this_lcore != DPX_LCORE_ID_ANY)
		return lcores[this_lcore].socket;
	int cpu = sched_getcpu();
	if (cpu >= 0 && numa_available() >= 0) {
		int node = numa_node_of_cpu(cpu);
		if (node >= 0)
			return node;
	}
	return 0;
}

unsigned int
dpx_get_next_lcore(int i, int skip_main, int wrap)
{
	for (unsigned int tries = 0; tries < DPX_MAX_LCORE; tries++) {
		i++;
		if (i >= DPX_MAX_LCORE) {
			if (!wrap)
				return DPX_MAX_LCORE;
			i = 0;
		}
		if (!lcores[i].enabled || (skip_main && (unsigned int)i == main_lcore))
			continue;
		return i;
	}
	return DPX_MAX_LCORE;
}

static bool
is_worker(unsigned int id)
{
	return dpx_lcore_is_enabled(id) && id != main_lcore && lcores[id].thread_started;
}

int
dpx_eal_get_lcore_state(unsigned int lcore_id)
{
	if (!dpx_lcore_is_enabled(lcore_id))
		return -EINVAL;
	struct lcore *lc = &lcores[lcore_id];
	pthread_mutex_lock(&lc->lock);
	int state = lc->state;
	pthread_mutex_unlock(&lc->lock);
	return state;
}

int
dpx_eal_remote_launch(dpx_lcore_function_t *fn, void *arg, unsigned int worker_id)
{
	if (fn == NULL || !is_worker(worker_id))
		return -EINVAL;
	struct lcore *lc = &lcores[worker_id];
	int rc = 0;
	pthread_mutex_lock(&lc->lock);
	if (lc->state != DPX_LCORE_WAIT) {
		rc = -EBUSY;
	} else {
		lc->fn = fn;
		lc->arg = arg;
		lc->state = DPX_LCORE_RUNNING;
		pthread_cond_broadcast(&lc->cond);
	}
	pthread_mutex_unlock(&lc->lock);
	return rc;
}

int
dpx_eal_wait_lcore(unsigned int worker_id)
{
	if (!is_worker(worker_id))
		return -EINVAL;
	struct lcore *lc = &lcores[worker_id];
	pthread_mutex_lock(&lc->lock);
	while (lc->state == DPX_LCORE_RUNNING)
		pthread_cond_wait(&lc->cond, &lc->lock);
	int ret = lc->state == DPX_LCORE_FINISHED ? lc->ret : 0;
	lc->state = DPX_LCORE_WAIT;
	pthread_mutex_unlock(&lc->lock);
	return ret;
}

void
dpx_eal_mp_wait_lcore(void)
{
	unsigned int i;

	DPX_LCORE_FOREACH_WORKER(i)
		dpx_eal_wait_lcore(i);
}

int
dpx_eal_mp_remote_launch(dpx_lcore_function_t *fn, void *arg, int call_main)
{
	unsigned int i;

	DPX_LCORE_FOREACH_WORKER(i)
		if (dpx_eal_get_lcore_state(i) != DPX_LCORE_WAIT)
			return -EBUSY;
	DPX_LCORE_FOREACH_WORKER(i)
		dpx_eal_remote_launch(fn, arg, i);
	if (call_main) {
		lcores[main_lcore].ret = fn(arg);
	}
	return 0;
}

static void *
worker_main(void *p)
{
	struct lcore *lc = p;

	this_lcore = lc - lcores;
	pthread_mutex_lock(&lc->lock);
	for (;;) {
		while (lc->state != DPX_LCORE_RUNNING && !lc->exit)
			pthread_cond_wait(&lc->cond, &lc->lock);
		if (lc->exit)
			break;
		dpx_lcore_function_t *fn = lc->fn;
		void *arg = lc->arg;
		pthread_mutex_unlock(&lc->lock);
		int ret = fn(arg);
		pthread_mutex_lock(&lc->lock);
		lc->ret = ret;
		lc->state = DPX_LCORE_FINISHED;
		pthread_cond_broadcast(&lc->cond);
	}
	pthread_mutex_unlock(&lc->lock);
	return NULL;
}

static int
pin_thread(pthread_t t, int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return -pthread_setaffinity_np(t, sizeof(set), &set);
}

static int
cpu_socket(int cpu)
{
	if (numa_available() < 0)
		return 0;
	int node = numa_node_of_cpu(cpu);
	return node < 0 ? 0 : node;
}

/* Fill lcore ids from the options, or one lcore per CPU we may run on. */
static int
choose_lcores(const struct eal_options *opts, const cpu_set_t *allowed)
{
	memset(lcores, 0, sizeof(lcores));
	lcore_count = 0;
	for (unsigned int i = 0; i < DPX_MAX_LCORE; i++) {
		int cpu = opts->lcore_count > 0 ? opts->lcore_cpu[i] :
			  (CPU_ISSET(i, allowed) ? (int)i : -1);
		if (cpu < 0)
			continue;
		if (!CPU_ISSET(cpu, allowed)) {
			EAL_LOG(ERR,
				"lcore %u: cpu %d is not available to this process (it may use "
				"%d cpus; pick them with -l, or map lcores with -l 0-3@0)",
				i, cpu, CPU_COUNT(allowed));
			return -ENODEV;
		}
		lcores[i].enabled = true;
		lcores[i].cpu = cpu;
		lcores[i].socket = cpu_socket(cpu);
		lcore_count++;
	}
	if (lcore_count == 0) {
		EAL_LOG(ERR, "no lcore to run on");
		return -ENODEV;
	}
	main_lcore = opts->main_lcore >= 0 ? (unsigned int)opts->main_lcore :
					     dpx_get_next_lcore(-1, 0, 0);
	if (!lcores[main_lcore].enabled) {
		/* the parser checks this against -l; here against the default set */
		EAL_LOG(ERR, "--main-lcore %u is not an enabled lcore (%u lcores, one per cpu "
			     "this process may run on)",
			main_lcore, lcore_count);
		return -EINVAL;
	}
	return 0;
}

static int
start_worker(unsigned int id)
{
	struct lcore *lc = &lcores[id];
	char name[16];
	int rc;

	pthread_mutex_init(&lc->lock, NULL);
	pthread_cond_init(&lc->cond, NULL);
	lc->state = DPX_LCORE_WAIT;
	rc = pthread_create(&lc->thread, NULL, worker_main, lc);
	if (rc != 0) {
		EAL_LOG(ERR, "cannot create thread for lcore %u: %s", id, strerror(rc));
		return -rc;
	}
	lc->thread_started = true;
	snprintf(name, sizeof(name), "dpx-worker-%u", id);
	pthread_setname_np(lc->thread, name);
	rc = pin_thread(lc->thread, lc->cpu);
	if (rc != 0) {
		EAL_LOG(ERR, "cannot pin lcore %u to cpu %d: %s", id, lc->cpu, strerror(-rc));
		return rc;
	}
	return 0;
}

int
eal_lcores_start(const struct eal_options *opts)
{
	cpu_set_t allowed;
	unsigned int i;
	int rc;

	if (sched_getaffinity(0, sizeof(allowed), &allowed) != 0)
		return -errno;
	rc = choose_lcores(opts, &allowed);
	if (rc != 0)
		return rc;
	struct lcore *main_lc = &lcores[main_lcore];
	pthread_mutex_init(&main_lc->lock, NULL);
	pthread_cond_init(&main_lc->cond, NULL);
	main_lc->state = DPX_LCORE_RUNNING;
	main_thread = pthread_self();
	main_affinity = allowed;
	rc = pin_thread(main_thread, main_lc->cpu);
	if (rc != 0) {
		EAL_LOG(ERR, "cannot pin main lcore %u to cpu %d: %s", main_lcore, main_lc->cpu,
			strerror(-rc));
		return rc;
	}
	main_pinned = true;
	this_lcore = main_lcore;
	DPX_LCORE_FOREACH_WORKER(i) {
		rc = start_worker(i);
		if (rc != 0) {
			eal_lcores_stop();
			return rc;
		}
	}
	EAL_LOG(INFO, "%u lcores, main lcore %u on cpu %d", lcore_count, main_lcore, main_lc->cpu);
	return 0;
}

const cpu_set_t *
eal_lcores_startup_affinity(void)
{
	return &main_affinity;
}

int
eal_lcores_running(void)
{
	unsigned int i;

	DPX_LCORE_FOREACH_WORKER(i)
		if (dpx_eal_get_lcore_state(i) == DPX_LCORE_RUNNING)
			return (int)i;
	return -1;
}

void
eal_lcores_stop(void)
{
	for (unsigned int i = 0; i < DPX_MAX_LCORE; i++) {
		struct lcore *lc = &lcores[i];
		if (!lc->enabled)
			continue;
		if (lc->thread_started) {
			pthread_mutex_lock(&lc->lock);
			lc->exit = true;
			pthread_cond_broadcast(&lc->cond);
			pthread_mutex_unlock(&lc->lock);
			pthread_join(lc->thread, NULL);
		}
		pthread_cond_destroy(&lc->cond);
		pthread_mutex_destroy(&lc->lock);
	}
	if (main_pinned &&
	    pthread_setaffinity_np(main_thread, sizeof(main_affinity), &main_affinity) != 0)
		EAL_LOG(WARNING, "cannot give the main thread its cpus back");
	main_pinned = false;
	memset(lcores, 0, sizeof(lcores));
	lcore_count = 0;
	this_lcore = DPX_LCORE_ID_ANY;
}
