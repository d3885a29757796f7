/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Logical cores (lcores): one thread per lcore, pinned to its CPU. The main
 * lcore is the thread that called dpx_eal_init(); every other lcore is a
 * worker waiting for a function to run (dpx_eal_remote_launch).
 */
#ifndef DPX_LCORE_H
#define DPX_LCORE_H

#include <dpx_common.h>

/** lcore id of a thread that is not an EAL lcore. */
#define DPX_LCORE_ID_ANY UINT32_MAX

/** State of a worker lcore. */
enum dpx_lcore_state {
	DPX_LCORE_WAIT = 0, /**< idle, ready to be launched */
	DPX_LCORE_RUNNING,  /**< running a launched function */
	DPX_LCORE_FINISHED, /**< function returned, result not yet collected by wait */
};

/** Function run on an lcore; its return value is what dpx_eal_wait_lcore returns. */
typedef int(dpx_lcore_function_t)(void *arg);

/*
 * The calling thread's lcore id, read inline on fast paths (mempool caches).
 * initial-exec: libdpx is linked at load time, never dlopen()ed, so the
 * variable sits in static TLS and is read without a __tls_get_addr call.
 */
#define DPX_LCORE_TLS __attribute__((tls_model("initial-exec")))
extern __thread unsigned int dpx_lcore_id_value DPX_LCORE_TLS;

/** @return the calling thread's lcore id, or DPX_LCORE_ID_ANY. */
static inline unsigned int
dpx_lcore_id(void)
{
	return dpx_lcore_id_value;
}

/** @return the main lcore's id. */
unsigned int dpx_get_main_lcore(void);

/** @return how many lcores the EAL manages (main included). */
unsigned int dpx_lcore_count(void);

/** @return 1 if lcore_id is an enabled lcore, 0 otherwise. */
int dpx_lcore_is_enabled(unsigned int lcore_id);

/** @return the CPU an lcore is pinned to, or -EINVAL for a disabled lcore. */
int dpx_lcore_to_cpu_id(unsigned int lcore_id);

/** @return the NUMA node of an lcore's CPU (0 when unknown), or -EINVAL. */
int dpx_lcore_to_socket_id(unsigned int lcore_id);

/** @return the NUMA node of the calling thread's CPU (0 when unknown). */
unsigned int dpx_socket_id(void);

/**
 * Next enabled lcore after i (pass -1 to start).
 * @param skip_main skip the main lcore
 * @param wrap continue from the lowest id after the highest
 * @return an lcore id, or DPX_MAX_LCORE when there is none.
 */
unsigned int dpx_get_next_lcore(int i, int skip_main, int wrap);

#define DPX_LCORE_FOREACH(i)                                                                       \
	for (i = dpx_get_next_lcore(-1, 0, 0); i < DPX_MAX_LCORE; i = dpx_get_next_lcore(i, 0, 0))
#define DPX_LCORE_FOREACH_WORKER(i)                                                                \
	for (i = dpx_get_next_lcore(-1, 1, 0); i < DPX_MAX_LCORE; i = dpx_get_next_lcore(i, 1, 0))

/** @return the state of a worker lcore, or -EINVAL for an unknown one. */
int dpx_eal_get_lcore_state(unsigned int lcore_id);

/**
 * Run fn(arg) on a worker lcore.
 * @return 0; -EINVAL (not a worker lcore: unknown, disabled or the main one),
 *   -EBUSY (the worker is running or its last result was not collected).
 */
int dpx_eal_remote_launch(dpx_lcore_function_t *fn, void *arg, unsigned int worker_id);

/**
 * Wait for a worker to finish and collect the function's return value; the
 * worker goes back to DPX_LCORE_WAIT. Returns at once for an idle worker.
 * @return the function's return value, 0 for an idle worker, or -EINVAL for
 *   an id that is not a worker lcore.
 */
int dpx_eal_wait_lcore(unsigned int worker_id);

/** Wait for every worker lcore (dpx_eal_wait_lcore on each). */
void dpx_eal_mp_wait_lcore(void);

/**
 * Run fn(arg) on every worker, and on the main lcore too if call_main.
 * @return 0, or -EBUSY if a worker is not idle (then nothing is launched).
 */
int dpx_eal_mp_remote_launch(dpx_lcore_function_t *fn, void *arg, int call_main);

#endif /* DPX_LCORE_H */
