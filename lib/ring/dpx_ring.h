/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Ring: a fixed-size lockless FIFO of pointers.
 *
 * A ring has 2^k slots and a producer and a consumer head/tail pair; whether
 * enqueue is single- or multi-producer and dequeue single- or multi-consumer is
 * chosen at creation (DPX_RING_F_SP_ENQ, DPX_RING_F_SC_DEQ). Multi-producer and
 * multi-consumer sides are lock-free (compare-and-swap on the head) and keep
 * order: objects leave in the order their enqueue calls reserved space.
 *
 * Two flavours of every transfer call:
 *  - bulk: all @p n objects or none (returns n or 0);
 *  - burst: as many as fit / are present (returns 0..n).
 * Both write, if asked, the space left (enqueue) or the objects left (dequeue)
 * after the call.
 *
 * Usable capacity is size - 1 for a ring created with a power-of-two count
 * (one slot stays empty); with DPX_RING_F_EXACT_SZ the ring holds exactly the
 * count asked for (any count; the slot array is rounded up internally).
 *
 * Thread safety: enqueue calls on a DPX_RING_F_SP_ENQ ring must come from one
 * thread at a time (likewise dequeue with DPX_RING_F_SC_DEQ); otherwise any
 * number of threads may call concurrently. A multi-producer/consumer thread
 * that is preempted between reserving and publishing stalls the others on the
 * same side (as in DPDK): pin lcores to distinct CPUs for the MP/MC modes.
 */
#ifndef DPX_RING_H
#define DPX_RING_H

#include <stdio.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <dpx_common.h>

/** Enqueue is single-producer. */
#define DPX_RING_F_SP_ENQ 0x1
/** Dequeue is single-consumer. */
#define DPX_RING_F_SC_DEQ 0x2
/** The ring holds exactly the count given (not count - 1); count need not be a power of two. */
#define DPX_RING_F_EXACT_SZ 0x4
/** Every flag a ring accepts. */
#define DPX_RING_F_MASK (DPX_RING_F_SP_ENQ | DPX_RING_F_SC_DEQ | DPX_RING_F_EXACT_SZ)

/** Largest slot count of a ring. */
#define DPX_RING_SZ_MAX 0x80000000U
/** Longest ring name, terminating NUL included. */
#define DPX_RING_NAMESIZE 32

struct dpx_ring;

/**
 * Bytes of memory a ring of @p count slots needs (for dpx_ring_init).
 * @param count slot count: a power of two, or any count with DPX_RING_F_EXACT_SZ
 * @param flags DPX_RING_F_* (only DPX_RING_F_EXACT_SZ changes the size)
 * @return the size in bytes, or -EINVAL when count is 0, too large, or not a
 *   power of two without DPX_RING_F_EXACT_SZ.
 */
ssize_t dpx_ring_get_memsize(unsigned int count, unsigned int flags);

/**
 * Initialise a ring in caller memory of dpx_ring_get_memsize() bytes, aligned
 * to DPX_CACHE_LINE_SIZE. The ring is not registered: dpx_ring_lookup() will
 * not find it and dpx_ring_free() does nothing to it; the caller frees the memory.
 * @return 0, or -EINVAL (NULL ring or name, name too long, bad count or flags).
 */
int dpx_ring_init(struct dpx_ring *r, const char *name, unsigned int count, unsigned int flags);

/**
 * Create a ring in EAL memory and register it under @p name.
 * @param name unique ring name (< DPX_RING_NAMESIZE)
 * @param count slot count (power of two; any count >= 1 with DPX_RING_F_EXACT_SZ)
 * @param socket_id NUMA node of the memory, or DPX_SOCKET_ID_ANY (-1)
 * @param flags DPX_RING_F_*
 * The ring lives in EAL memory: free it before dpx_eal_cleanup().
 * @return the ring, or NULL with dpx_errno set to:
 *   EINVAL (bad name, count or flags), EEXIST (a ring of that name exists),
 *   ENOMEM (no memory).
 */
struct dpx_ring *dpx_ring_create(const char *name, unsigned int count, int socket_id,
				 unsigned int flags);

/**
 * Unregister a ring made by dpx_ring_create() and release its memory. NULL and
 * rings made by dpx_ring_init() are ignored. No thread may be using the ring.
 */
void dpx_ring_free(struct dpx_ring *r);

/**
 * Find a ring created by dpx_ring_create().
 * @return the ring, or NULL with dpx_errno = ENOENT (no such ring) or EINVAL (NULL name).
 */
struct dpx_ring *dpx_ring_lookup(const char *name);

/**
 * Enqueue all of @p n objects, or none.
 * @param free_space if not NULL, receives the free slots left after the call
 * @return n, or 0 when fewer than n slots are free.
 */
unsigned int dpx_ring_enqueue_bulk(struct dpx_ring *r, void *const *objs, unsigned int n,
				   unsigned int *free_space);

/**
 * Enqueue up to @p n objects (as many as there are free slots).
 * @param free_space if not NULL, receives the free slots left after the call
 * @return how many objects were enqueued (the first ones of @p objs).
 */
unsigned int dpx_ring_enqueue_burst(struct dpx_ring *r, void *const *objs, unsigned int n,
				    unsigned int *free_space);

/**
 * Dequeue exactly @p n objects, or none.
 * @param available if not NULL, receives the objects left in the ring after the call
 * @return n, or 0 when fewer than n objects are present.
 */
unsigned int dpx_ring_dequeue_bulk(struct dpx_ring *r, void **objs, unsigned int n,
				   unsigned int *available);

/**
 * Dequeue up to @p n objects (as many as are present).
 * @param available if not NULL, receives the objects left in the ring after the call
 * @return how many objects were written to @p objs.
 */
unsigned int dpx_ring_dequeue_burst(struct dpx_ring *r, void **objs, unsigned int n,
				    unsigned int *available);

/** Enqueue one object. @return 0, or -ENOBUFS when the ring is full. */
int dpx_ring_enqueue(struct dpx_ring *r, void *obj);

/** Dequeue one object. @return 0, or -ENOENT when the ring is empty. */
int dpx_ring_dequeue(struct dpx_ring *r, void **obj);

/** @return the objects in the ring (a snapshot when other threads are active). */
unsigned int dpx_ring_count(const struct dpx_ring *r);

/** @return the free slots of the ring (a snapshot when other threads are active). */
unsigned int dpx_ring_free_count(const struct dpx_ring *r);

/** @return how many objects the ring can hold (size - 1, or the exact count). */
unsigned int dpx_ring_get_capacity(const struct dpx_ring *r);

/** @return the slot count (a power of two). */
unsigned int dpx_ring_get_size(const struct dpx_ring *r);

/** @return 1 when the ring holds no object. */
int dpx_ring_empty(const struct dpx_ring *r);

/** @return 1 when the ring has no free slot. */
int dpx_ring_full(const struct dpx_ring *r);

/** @return the ring's name. */
const char *dpx_ring_get_name(const struct dpx_ring *r);

/** @return the flags the ring was made with. */
unsigned int dpx_ring_get_flags(const struct dpx_ring *r);

/**
 * Drop every object (the ring becomes empty). Not thread safe: no other thread
 * may use the ring meanwhile.
 */
void dpx_ring_reset(struct dpx_ring *r);

/** Print the ring's name, size, capacity, flags, heads, tails and counts. */
void dpx_ring_dump(FILE *f, const struct dpx_ring *r);

/** Print every ring made by dpx_ring_create(). */
void dpx_ring_list_dump(FILE *f);

#endif /* DPX_RING_H */
