/* SPDX-License-Identifier: BSD-3-Clause */
/* Helpers shared by the ring, mempool and mbuf tests. */
#ifndef TEST_PKT_H
#define TEST_PKT_H

#include <sched.h>
#include <stdio.h>

#include <dpx_eal.h>
#include <dpx_malloc.h>
#include <dpx_mempool.h>

#include "dpx_test.h"

/* The end of a test: every object back in the pool, the pool freed, then the EAL. */
static inline int
pool_and_eal_done(struct dpx_mempool *mp, unsigned int size)
{
	DPX_TEST_ASSERT_EQUAL(dpx_mempool_avail_count(mp), size, "every object back in %s",
			      dpx_mempool_get_name(mp));
	dpx_mempool_free(mp);
	DPX_TEST_ASSERT_EQUAL(dpx_eal_cleanup(), 0, "");
	return DPX_TEST_SUCCESS;
}

/* Elements allocated in every heap: equal before and after = nothing leaked. */
static inline unsigned int
heap_allocs(void)
{
	struct dpx_malloc_socket_stats st;
	unsigned int n = 0;

	for (int s = 0; s < DPX_MAX_NUMA_NODES; s++)
		if (dpx_malloc_get_socket_stats(s, &st) == 0)
			n += st.alloc_count;
	return n;
}

/* "--lcores" map "0@a,1@b,2@a,..." over the CPUs this process may use: real parallelism when there is some. */
static inline void
lcore_map(char *buf, size_t len, unsigned int nb_lcores)
{
	cpu_set_t set;
	int cpus[CPU_SETSIZE], nb_cpus = 0;
	size_t off = 0;

	CPU_ZERO(&set);
	sched_getaffinity(0, sizeof(set), &set);
	for (int c = 0; c < CPU_SETSIZE; c++)
		if (CPU_ISSET(c, &set))
			cpus[nb_cpus++] = c;
	if (nb_cpus == 0)
		cpus[nb_cpus++] = sched_getcpu();
	buf[0] = '\0';
	for (unsigned int i = 0; i < nb_lcores && off < len; i++)
		off += (size_t)snprintf(buf + off, len - off, "%s%u@%d", i ? "," : "", i,
					cpus[i % (unsigned int)nb_cpus]);
}

#endif /* TEST_PKT_H */
