/* SPDX-License-Identifier: BSD-3-Clause */
/* The asymmetric fence's rare side (dpx_fence.h): membarrier(2). */
#include <linux/membarrier.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "dpx_fence.h"

bool dpx_fence_asym;

static long
membarrier(int cmd)
{
	return syscall(__NR_membarrier, cmd, 0, 0);
}

/* Before main and before any thread: the hot side reads the choice without ordering. */
__attribute__((constructor)) static void
eal_fence_choose(void)
{
	const char *env = getenv("DPX_ASYM_FENCE");
	long cmds;

	if (env != NULL && strcmp(env, "0") == 0)
		return;
	cmds = membarrier(MEMBARRIER_CMD_QUERY);
	if (cmds < 0 || !(cmds & MEMBARRIER_CMD_PRIVATE_EXPEDITED))
		return;
	dpx_fence_asym = membarrier(MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED) == 0;
}

void
dpx_fence_heavy(void)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	/* registered, so it cannot fail but for a kernel bug: then nothing is
	 * ordered and continuing would be silent corruption */
	if (dpx_fence_asym && membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED) != 0)
		abort();
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}
