/* SPDX-License-Identifier: BSD-3-Clause */
/* Cycle counter frequency, calibrated against CLOCK_MONOTONIC. */
#include <errno.h>
#include <time.h>

#include "eal_private.h"

static uint64_t tsc_hz;

void
eal_cycles_calibrate(void)
{
#if defined(__x86_64__)
	struct timespec sleep = {.tv_sec = 0, .tv_nsec = 20 * 1000 * 1000};
	uint64_t best = 0;

	/* two short windows; keep the one least disturbed (shortest wall time) */
	uint64_t best_ns = UINT64_MAX;
	for (int i = 0; i < 2; i++) {
		uint64_t ns0 = dpx_get_time_ns(), c0 = dpx_get_tsc_cycles();
		nanosleep(&sleep, NULL);
		uint64_t c1 = dpx_get_tsc_cycles(), ns1 = dpx_get_time_ns();
		if (ns1 - ns0 < best_ns) {
			best_ns = ns1 - ns0;
			best = (c1 - c0) * DPX_NS_PER_S / (ns1 - ns0);
		}
	}
	tsc_hz = best;
#else
	tsc_hz = DPX_NS_PER_S;
#endif
	EAL_LOG(DEBUG, "cycle counter at %lu Hz", (unsigned long)tsc_hz);
}

uint64_t
dpx_get_tsc_hz(void)
{
	if (tsc_hz == 0)
		eal_cycles_calibrate();
	return tsc_hz;
}

void
dpx_delay_us(unsigned int us)
{
	uint64_t end = dpx_get_tsc_cycles() + dpx_get_tsc_hz() * us / DPX_US_PER_S;

	while (dpx_get_tsc_cycles() < end)
		dpx_pause();
}

void
dpx_delay_ms_sleep(unsigned int ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}
