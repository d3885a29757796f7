/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The heap allocator proper: free lists over elements inside page runs,
 * split and merge of elements, and the decision of which pages became wholly
 * free. Pure: no system calls, no locks (the caller holds the heap's lock),
 * so tests drive it over ordinary memory against a model.
 *
 * Layout invariants:
 * - Every element starts with a 64-byte header; element addresses and sizes
 *   are multiples of MHEAP_HDR, so the data after a header is cache aligned.
 * - The heap keeps every element in one list sorted by address. Two elements
 *   are neighbours in memory only when a->addr + a->size == b (memory added
 *   at different times may or may not touch).
 * - No two free elements are neighbours in memory: free merges them.
 * - Memory handed back to the caller for unmapping is removed from the lists
 *   before the call returns; nothing inside it is touched afterwards.
 */
#ifndef MALLOC_HEAP_H
#define MALLOC_HEAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MHEAP_HDR 64u
#define MHEAP_NB_BUCKETS 48

enum mheap_state { MHEAP_FREE = 0x46524545, MHEAP_BUSY = 0x42555359 };

struct mheap_elem {
	struct mheap_elem *prev, *next;   /* address order, whole heap */
	struct mheap_elem *fprev, *fnext; /* bucket list, free elements only */
	size_t size;                      /* bytes, header included */
	size_t user_size;                 /* bytes asked for (busy elements) */
	uint32_t state;                   /* enum mheap_state; anything else: not ours */
	uint32_t heap_id;                 /* which heap owns it (set by mheap_init) */
	uint64_t cookie;                  /* address ^ MHEAP_COOKIE: catches stray pointers */
};

struct mheap {
	struct mheap_elem *first, *last;
	struct mheap_elem *buckets[MHEAP_NB_BUCKETS];
	size_t page_sz;
	uint32_t id;
	size_t total_bytes; /* memory added and not yet handed back */
	size_t free_bytes;
	size_t busy_bytes;
	unsigned int free_count;
	unsigned int busy_count;
};

struct mheap_stats {
	size_t total_bytes, free_bytes, busy_bytes, greatest_free;
	unsigned int free_count, busy_count;
};

/* A page-aligned range the caller must unmap (len 0: nothing to do). */
struct mheap_release {
	void *va;
	size_t len;
};

void mheap_init(struct mheap *h, size_t page_sz, uint32_t id);

/* Add page-aligned memory [va, va+len) as free space (merging with neighbours). */
void mheap_add_memory(struct mheap *h, void *va, size_t len);

/* Bytes of fresh pages that always satisfy (size, align) on their own. */
size_t mheap_grow_len(size_t size, size_t align, size_t page_sz);

/* Allocate; align is a power of two (values below MHEAP_HDR act as MHEAP_HDR).
 * Returns the data pointer or NULL when no free element fits. */
void *mheap_alloc(struct mheap *h, size_t size, size_t align);

/* The element of a data pointer, or NULL when ptr is not a busy element's data. */
struct mheap_elem *mheap_elem_of(const void *ptr);

/* Free a busy element's data; rel receives the wholly free pages now out of the heap. */
void mheap_free(struct mheap *h, void *ptr, struct mheap_release *rel);

/* Resize in place (shrink, or grow into a free neighbour). Returns true on success. */
bool mheap_resize(struct mheap *h, void *ptr, size_t size);

/* Bytes usable at a busy element's data. */
size_t mheap_usable(const struct mheap_elem *e);

void mheap_get_stats(const struct mheap *h, struct mheap_stats *st);

/* Check every invariant above; returns 0 or a negative line number of the first breach. */
int mheap_check(const struct mheap *h);

#endif /* MALLOC_HEAP_H */
