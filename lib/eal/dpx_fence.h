/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DPX_FENCE_H
#define DPX_FENCE_H

/**
 * @file
 * The asymmetric fence: Dekker's handshake between a hot side and a rare
 * side, each storing its own flag and then loading the other's, where the
 * hot side (a burst entering a queue, a million times a second) pays a
 * compiler barrier only and the rare side (a control thread closing the
 * queue) pays for both.
 *
 *     hot:  store(mine, 1); dpx_fence_light(); if (load(theirs)) back off;
 *     rare: store(theirs, 1); dpx_fence_heavy(); while (load(mine)) wait;
 *
 * One of the two always sees the other's store. dpx_fence_heavy() is
 * membarrier(2) MEMBARRIER_CMD_PRIVATE_EXPEDITED: every thread of the
 * process running at that moment executes a full barrier, and a thread
 * not running has passed one (the context switch), so the hot side's
 * store-then-load cannot be reordered across it. Where the kernel does not
 * have it (or the process registered nothing), both sides fall back to a
 * full barrier each, decided once when the library loads and never changed.
 * The environment variable DPX_ASYM_FENCE=0 forces that fallback.
 */

#include <stdbool.h>

#include "dpx_common.h"

/** True when dpx_fence_heavy() is membarrier(2); set before main, never changed. */
extern bool dpx_fence_asym;

/** The hot side: orders its store before its load against dpx_fence_heavy(). */
static inline void
dpx_fence_light(void)
{
	if (dpx_likely(dpx_fence_asym))
		__atomic_signal_fence(__ATOMIC_SEQ_CST);
	else
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

/**
 * The rare side: a full barrier on every thread of the process (a few
 * microseconds, a system call); a full barrier on the calling thread only
 * in the fallback.
 */
void dpx_fence_heavy(void);

#endif /* DPX_FENCE_H */
