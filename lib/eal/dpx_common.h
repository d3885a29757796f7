/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Macros shared by every dpx library: alignment, branch hints, min/max.
 */
#ifndef DPX_COMMON_H
#define DPX_COMMON_H

#include <stddef.h>
#include <stdint.h>

#include <dpx_config.h>

#define __dpx_cache_aligned __attribute__((aligned(DPX_CACHE_LINE_SIZE)))
#define __dpx_packed __attribute__((packed))
#define __dpx_unused __attribute__((unused))
#define __dpx_always_inline inline __attribute__((always_inline))
#define __dpx_format_printf(fmt, args) __attribute__((format(printf, fmt, args)))

#define dpx_likely(x) __builtin_expect(!!(x), 1)
#define dpx_unlikely(x) __builtin_expect(!!(x), 0)

#define DPX_MIN(a, b) ((a) < (b) ? (a) : (b))
#define DPX_MAX(a, b) ((a) > (b) ? (a) : (b))
#define DPX_DIM(a) (sizeof(a) / sizeof((a)[0]))

/** Round v up to a multiple of align (a power of two). */
#define DPX_ALIGN_CEIL(v, align) (((v) + ((__typeof__(v))(align) - 1)) & ~((__typeof__(v))(align) - 1))
/** Round v down to a multiple of align (a power of two). */
#define DPX_ALIGN_FLOOR(v, align) ((v) & ~((__typeof__(v))(align) - 1))
#define DPX_IS_POWER_OF_2(n) ((n) != 0 && (((n) & ((n) - 1)) == 0))

#define DPX_PTR_ADD(p, off) ((void *)((uintptr_t)(p) + (off)))
#define DPX_PTR_DIFF(a, b) ((uintptr_t)(a) - (uintptr_t)(b))

#define DPX_STR_(x) #x
#define DPX_STR(x) DPX_STR_(x)

/** Smallest power of two >= v (v > 0, v <= 2^31). */
static inline uint32_t
dpx_align32pow2(uint32_t v)
{
	v--;
	v |= v >> 1;
	v |= v >> 2;
	v |= v >> 4;
	v |= v >> 8;
	v |= v >> 16;
	return v + 1;
}

/** CPU hint inside spin loops. */
static inline void
dpx_pause(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ volatile("yield" ::: "memory");
#endif
}

#endif /* DPX_COMMON_H */
