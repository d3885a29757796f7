/* SPDX-License-Identifier: BSD-3-Clause */
/* CPU features the inline data-path helpers test (dpx_prefetch.h). */
#include <stdbool.h>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

#include "dpx_prefetch.h"

bool dpx_cpu_prefetchw;

__attribute__((constructor)) static void
eal_cpu_features(void)
{
#if defined(__x86_64__) || defined(__i386__)
	unsigned int eax, ebx, ecx, edx;

	if (__get_cpuid(0x80000001, &eax, &ebx, &ecx, &edx))
		dpx_cpu_prefetchw = (ecx & bit_PRFCHW) != 0;
#endif
}
