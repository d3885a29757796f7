/* SPDX-License-Identifier: BSD-3-Clause */
/* Ring internals: the layout behind struct dpx_ring; never installed. */
#ifndef RING_PRIVATE_H
#define RING_PRIVATE_H

#include <stdbool.h>
#include <stdint.h>

#include <dpx_log.h>
#include <dpx_ring.h>

extern int ring_logtype;
#define RING_LOG(level, fmt, ...) DPX_LOG(level, ring_logtype, "ring: " fmt, ##__VA_ARGS__)

/*
 * One side (producer or consumer) of the ring. Positions are free-running
 * 32-bit counters; slot = position & mask. Invariants, with unsigned 32-bit
 * arithmetic:
 *   cons.tail <= cons.head <= prod.tail <= prod.head <= cons.tail + capacity
 * head is where the next caller of this side reserves; tail is how far this
 * side has published. Slots [cons.tail, prod.tail) hold objects readable by
 * consumers; slots [prod.head, cons.tail + capacity) are free for producers.
 */
struct ring_headtail {
	uint32_t head;
	uint32_t tail;
	bool single; /* one thread on this side: head moves with a plain store */
};

struct dpx_ring {
	char name[DPX_RING_NAMESIZE];
	unsigned int flags;
	uint32_t size;     /* slot count, a power of two */
	uint32_t mask;     /* size - 1 */
	uint32_t capacity; /* usable slots: size - 1, or the exact count */
	bool registered;   /* made by dpx_ring_create: in the name list, memory owned */
	/* producer and consumer sides on their own cache lines (no false sharing) */
	struct ring_headtail prod __dpx_cache_aligned;
	struct ring_headtail cons __dpx_cache_aligned;
	void *slots[] __dpx_cache_aligned;
};

/* Validate count and flags; set *size and *capacity. Returns 0 or -EINVAL. */
int ring_compute_size(unsigned int count, unsigned int flags, uint32_t *size, uint32_t *capacity);

#endif /* RING_PRIVATE_H */
