/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Time: CPU cycle counter (TSC on x86_64) with a frequency calibrated at init.
 */
#ifndef DPX_CYCLES_H
#define DPX_CYCLES_H

#include <stdint.h>
#include <time.h>

#include <dpx_common.h>

#define DPX_US_PER_S 1000000ULL
#define DPX_NS_PER_S 1000000000ULL

/** @return the current cycle count (monotonic per CPU). */
static inline uint64_t
dpx_get_tsc_cycles(void)
{
#if defined(__x86_64__)
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
#else
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC_RAW, &ts);
	return (uint64_t)ts.tv_sec * DPX_NS_PER_S + (uint64_t)ts.tv_nsec;
#endif
}

/** @return cycles per second, calibrated by dpx_eal_init (or on first use). */
uint64_t dpx_get_tsc_hz(void);

/** Busy-wait for at least us microseconds. */
void dpx_delay_us(unsigned int us);

/** Sleep (yield the CPU) for at least ms milliseconds. */
void dpx_delay_ms_sleep(unsigned int ms);

/** @return monotonic time in nanoseconds (clock_gettime). */
static inline uint64_t
dpx_get_time_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * DPX_NS_PER_S + (uint64_t)ts.tv_nsec;
}

#endif /* DPX_CYCLES_H */
