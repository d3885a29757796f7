/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The ring algorithm: reserve by moving a head, copy, publish by moving a
 * tail. Pure logic over caller memory: no allocation, and no system call but
 * the sched_yield of a waiter whose predecessor is not running (wait_tail).
 *
 * Memory-ordering partners (C11 __atomic):
 *  A. update_tail() stores a side's tail with RELEASE after its slot accesses;
 *     move_head() of the OTHER side loads that tail with ACQUIRE before it
 *     touches those slots. Producer -> consumer: the objects written are
 *     visible before they are read. Consumer -> producer: the objects read are
 *     read before the slots are overwritten.
 *  B. On a multi-thread side, the head CAS is ACQ_REL (failure: ACQUIRE) and
 *     the first head load is ACQUIRE: a thread that reads a head value moved
 *     by another thread also sees the other side's tail at least as new as the
 *     one that thread checked, so "entries" never underflows.
 *  C. On a multi-thread side, update_tail() waits for the previous reserver's
 *     tail store with an ACQUIRE load (partner: that thread's RELEASE store in
 *     A): its slot accesses then happen-before our own RELEASE store, so the
 *     other side acquiring our tail sees every earlier reservation's slots.
 */
#include <errno.h>
#include <sched.h>
#include <string.h>

#include "ring_private.h"

DPX_LOG_REGISTER(ring_logtype, "lib.ring");

int
ring_compute_size(unsigned int count, unsigned int flags, uint32_t *size, uint32_t *capacity)
{
	if ((flags & ~DPX_RING_F_MASK) != 0) {
		RING_LOG(ERR, "unknown flags 0x%x", flags & ~DPX_RING_F_MASK);
		return -EINVAL;
	}
	if (flags & DPX_RING_F_EXACT_SZ) {
		if (count == 0 || count > DPX_RING_SZ_MAX - 1) {
			RING_LOG(ERR, "count %u out of 1..%u", count, DPX_RING_SZ_MAX - 1);
			return -EINVAL;
		}
		*size = dpx_align32pow2(count + 1);
		*capacity = count;
		return 0;
	}
	if (!DPX_IS_POWER_OF_2(count) || count > DPX_RING_SZ_MAX || count < 2) {
		RING_LOG(ERR, "count %u is not a power of two in 2..%u (or use DPX_RING_F_EXACT_SZ)",
			 count, DPX_RING_SZ_MAX);
		return -EINVAL;
	}
	*size = count;
	*capacity = count - 1;
	return 0;
}

ssize_t
dpx_ring_get_memsize(unsigned int count, unsigned int flags)
{
	uint32_t size, capacity;
	int rc = ring_compute_size(count, flags, &size, &capacity);

	if (rc < 0)
		return rc;
	return (ssize_t)DPX_ALIGN_CEIL(sizeof(struct dpx_ring) + (size_t)size * sizeof(void *),
				       (size_t)DPX_CACHE_LINE_SIZE);
}

int
dpx_ring_init(struct dpx_ring *r, const char *name, unsigned int count, unsigned int flags)
{
	uint32_t size, capacity;
	int rc;

	if (r == NULL || name == NULL) {
		RING_LOG(ERR, "init: NULL %s", r == NULL ? "ring" : "name");
		return -EINVAL;
	}
	if (strnlen(name, DPX_RING_NAMESIZE) >= DPX_RING_NAMESIZE || name[0] == '\0') {
		RING_LOG(ERR, "name \"%.40s\" is empty or longer than %d characters", name,
			 DPX_RING_NAMESIZE - 1);
		return -EINVAL;
	}
	rc = ring_compute_size(count, flags, &size, &capacity);
	if (rc < 0)
		return rc;
	memset(r, 0, sizeof(*r));
	strcpy(r->name, name);
	r->flags = flags;
	r->size = size;
	r->mask = size - 1;
	r->capacity = capacity;
	r->prod.single = (flags & DPX_RING_F_SP_ENQ) != 0;
	r->cons.single = (flags & DPX_RING_F_SC_DEQ) != 0;
	return 0;
}

/*
 * Reserve up to n slots on side `mine`. entries_base is the capacity for the
 * producer side (free slots = capacity + cons.tail - prod.head) and 0 for the
 * consumer side (objects = prod.tail - cons.head). With `fixed`, all or none.
 * Returns the count reserved; *entries receives what was available.
 */
static inline unsigned int
move_head(struct ring_headtail *mine, const struct ring_headtail *other, uint32_t entries_base,
	  unsigned int n, bool fixed, uint32_t *old_head, uint32_t *new_head, uint32_t *entries)
{
	const unsigned int max = n;
	bool ok;

	/* ACQUIRE: partner B (another reserver's head CAS on this side) */
	*old_head = __atomic_load_n(&mine->head, __ATOMIC_ACQUIRE);
	do {
		/* ACQUIRE: partner A (the other side's RELEASE tail store in update_tail) */
		uint32_t other_tail = __atomic_load_n(&other->tail, __ATOMIC_ACQUIRE);

		*entries = entries_base + other_tail - *old_head;
		n = max;
		if (n > *entries)
			n = fixed ? 0 : *entries;
		if (n == 0)
			return 0;
		*new_head = *old_head + n;
		if (mine->single) {
			/* only this thread reads its own head: no ordering needed */
			__atomic_store_n(&mine->head, *new_head, __ATOMIC_RELAXED);
			ok = true;
		} else {
			/* ACQ_REL / ACQUIRE: partner B; on failure old_head is reloaded */
			ok = __atomic_compare_exchange_n(&mine->head, old_head, *new_head, false,
							 __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
		}
	} while (!ok);
	return n;
}

/*
 * Pauses a waiter spends on an earlier reserver before it gives its CPU away:
 * about 5 us where a pause takes 40 ns (Skylake and later), under 1 us on
 * older x86; either is many times what a running reserver needs to copy a
 * burst and publish, so a yield means the reserver is not running.
 */
#define RING_WAIT_SPINS 128

/*
 * Slow path of a multi-thread side: an earlier reserver has not published.
 * It is copying on another CPU, or it was preempted, maybe by us: lcores may
 * share a CPU (--lcores 0-3@1). A waiter spinning out its whole time slice
 * keeps such a holder off the CPU, so each publication costs a slice; and as
 * every waiter, once it has published, reserves again behind the others
 * within its slice, the queue re-forms at every call: a convoy that runs at
 * one ring call per slice for as long as the threads keep using the ring.
 * Yielding hands the CPU to the holder; on a CPU with nothing else runnable
 * sched_yield returns at once and the wait goes on spinning.
 */
static void __attribute__((noinline, cold))
wait_tail(const struct ring_headtail *ht, uint32_t old_tail)
{
	unsigned int spins = 0;

	/* ACQUIRE: partner C (the previous reserver's RELEASE store in update_tail) */
	while (__atomic_load_n(&ht->tail, __ATOMIC_ACQUIRE) != old_tail) {
		if (++spins < RING_WAIT_SPINS) {
			dpx_pause();
		} else {
			spins = 0;
			sched_yield();
		}
	}
}

/* Publish slots [old_tail, new_tail) to the other side, in reservation order. */
static inline void
update_tail(struct ring_headtail *ht, uint32_t old_tail, uint32_t new_tail)
{
	/* ACQUIRE: partner C (the previous reserver's RELEASE store just below) */
	if (!ht->single && __atomic_load_n(&ht->tail, __ATOMIC_ACQUIRE) != old_tail)
		wait_tail(ht, old_tail);
	/* RELEASE: partner A (the other side's ACQUIRE tail load in move_head) */
	__atomic_store_n(&ht->tail, new_tail, __ATOMIC_RELEASE);
}

static inline void
copy_in(struct dpx_ring *r, uint32_t head, void *const *objs, unsigned int n)
{
	uint32_t idx = head & r->mask;
	uint32_t first = DPX_MIN(n, r->size - idx);

	memcpy(&r->slots[idx], objs, first * sizeof(void *));
	if (first < n)
		memcpy(&r->slots[0], objs + first, (n - first) * sizeof(void *));
}

static inline void
copy_out(const struct dpx_ring *r, uint32_t head, void **objs, unsigned int n)
{
	uint32_t idx = head & r->mask;
	uint32_t first = DPX_MIN(n, r->size - idx);

	memcpy(objs, &r->slots[idx], first * sizeof(void *));
	if (first < n)
		memcpy(objs + first, &r->slots[0], (n - first) * sizeof(void *));
}

static inline unsigned int
ring_enqueue(struct dpx_ring *r, void *const *objs, unsigned int n, bool fixed,
	     unsigned int *free_space)
{
	uint32_t head, next, free_entries;

	n = move_head(&r->prod, &r->cons, r->capacity, n, fixed, &head, &next, &free_entries);
	if (n > 0) {
		copy_in(r, head, objs, n);
		update_tail(&r->prod, head, next);
	}
	if (free_space != NULL)
		*free_space = free_entries - n;
	return n;
}

static inline unsigned int
ring_dequeue(struct dpx_ring *r, void **objs, unsigned int n, bool fixed, unsigned int *available)
{
	uint32_t head, next, entries;

	n = move_head(&r->cons, &r->prod, 0, n, fixed, &head, &next, &entries);
	if (n > 0) {
		copy_out(r, head, objs, n);
		update_tail(&r->cons, head, next);
	}
	if (available != NULL)
		*available = entries - n;
	return n;
}

unsigned int
dpx_ring_enqueue_bulk(struct dpx_ring *r, void *const *objs, unsigned int n,
		      unsigned int *free_space)
{
	return ring_enqueue(r, objs, n, true, free_space);
}

unsigned int
dpx_ring_enqueue_burst(struct dpx_ring *r, void *const *objs, unsigned int n,
		       unsigned int *free_space)
{
	return ring_enqueue(r, objs, n, false, free_space);
}

unsigned int
dpx_ring_dequeue_bulk(struct dpx_ring *r, void **objs, unsigned int n, unsigned int *available)
{
	return ring_dequeue(r, objs, n, true, available);
}

unsigned int
dpx_ring_dequeue_burst(struct dpx_ring *r, void **objs, unsigned int n, unsigned int *available)
{
	return ring_dequeue(r, objs, n, false, available);
}

int
dpx_ring_enqueue(struct dpx_ring *r, void *obj)
{
	return ring_enqueue(r, &obj, 1, true, NULL) == 1 ? 0 : -ENOBUFS;
}

int
dpx_ring_dequeue(struct dpx_ring *r, void **obj)
{
	return ring_dequeue(r, obj, 1, true, NULL) == 1 ? 0 : -ENOENT;
}

unsigned int
dpx_ring_count(const struct dpx_ring *r)
{
	/* consumer tail first: the producer tail read after it is never older,
	 * so the difference cannot underflow; it can exceed capacity only by a
	 * race with both sides moving, hence the clamp */
	uint32_t cons_tail = __atomic_load_n(&r->cons.tail, __ATOMIC_ACQUIRE);
	uint32_t prod_tail = __atomic_load_n(&r->prod.tail, __ATOMIC_ACQUIRE);
	uint32_t count = prod_tail - cons_tail;

	return count > r->capacity ? r->capacity : count;
}

unsigned int
dpx_ring_free_count(const struct dpx_ring *r)
{
	return r->capacity - dpx_ring_count(r);
}

unsigned int
dpx_ring_get_capacity(const struct dpx_ring *r)
{
	return r->capacity;
}

unsigned int
dpx_ring_get_size(const struct dpx_ring *r)
{
	return r->size;
}

int
dpx_ring_empty(const struct dpx_ring *r)
{
	return dpx_ring_count(r) == 0;
}

int
dpx_ring_full(const struct dpx_ring *r)
{
	return dpx_ring_free_count(r) == 0;
}

const char *
dpx_ring_get_name(const struct dpx_ring *r)
{
	return r->name;
}

unsigned int
dpx_ring_get_flags(const struct dpx_ring *r)
{
	return r->flags;
}

void
dpx_ring_reset(struct dpx_ring *r)
{
	r->prod.head = r->prod.tail = 0;
	r->cons.head = r->cons.tail = 0;
}

void
dpx_ring_dump(FILE *f, const struct dpx_ring *r)
{
	if (r == NULL) {
		fprintf(f, "ring: NULL\n");
		return;
	}
	fprintf(f, "ring <%s>@%p\n", r->name, (const void *)r);
	fprintf(f, "  flags=0x%x (%s/%s%s)\n", r->flags, r->prod.single ? "SP" : "MP",
		r->cons.single ? "SC" : "MC", (r->flags & DPX_RING_F_EXACT_SZ) ? ", exact size" : "");
	fprintf(f, "  size=%u capacity=%u\n", r->size, r->capacity);
	fprintf(f, "  prod.head=%u prod.tail=%u cons.head=%u cons.tail=%u\n",
		__atomic_load_n(&r->prod.head, __ATOMIC_RELAXED),
		__atomic_load_n(&r->prod.tail, __ATOMIC_RELAXED),
		__atomic_load_n(&r->cons.head, __ATOMIC_RELAXED),
		__atomic_load_n(&r->cons.tail, __ATOMIC_RELAXED));
	fprintf(f, "  used=%u avail=%u\n", dpx_ring_count(r), dpx_ring_free_count(r));
}
