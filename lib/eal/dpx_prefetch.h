/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Prefetch hints for the data path.
 *
 * A line about to be written wants to arrive owned (x86 PREFETCHW). A read
 * prefetch of it brings it shared and the store then pays a second
 * transfer to own it: when the line sits in another core's cache, as a
 * guest's receive buffer does, that is slower than no prefetch at all
 * (doc/vhost.md has the figures). Without -mprfchw, GCC and clang emit a
 * read prefetch for __builtin_prefetch(p, 1), so dpx_prefetch_write asks
 * for PREFETCHW itself, on CPUs that have it (checked once at load), and
 * does nothing on the others.
 */
#ifndef DPX_PREFETCH_H
#define DPX_PREFETCH_H

#include <stdbool.h>

#include <dpx_common.h>

/** The CPU has PREFETCHW (CPUID 0x80000001 ECX bit 8); set before main(). */
extern bool dpx_cpu_prefetchw;

/** Prefetch the line holding p for reading. */
static __dpx_always_inline void
dpx_prefetch_read(const void *p)
{
	__builtin_prefetch(p, 0);
}

/** Prefetch the line holding p for writing (owned), or nothing where that cannot be asked. */
static __dpx_always_inline void
dpx_prefetch_write(const void *p)
{
#if defined(__PRFCHW__) || !(defined(__x86_64__) || defined(__i386__))
	__builtin_prefetch(p, 1); /* PREFETCHW, or the architecture's store prefetch */
#else
	if (dpx_likely(dpx_cpu_prefetchw))
		__asm__ volatile("prefetchw %0" : : "m"(*(const volatile char *)p));
#endif
}

#endif /* DPX_PREFETCH_H */
