/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Heap allocator: elements with in-band headers, size-class free lists,
 * split on allocation, merge on free, and page release decisions. See
 * malloc_heap.h for the invariants; no system calls here.
 */
#include <string.h>

#include "malloc_heap.h"

#define MHEAP_COOKIE 0x6470786865617021ULL

static inline uintptr_t
addr_of(const struct mheap_elem *e)
{
	return (uintptr_t)e;
}

static inline uintptr_t
end_of(const struct mheap_elem *e)
{
	return addr_of(e) + e->size;
}

static inline size_t
round_hdr(size_t v)
{
	return (v + MHEAP_HDR - 1) & ~(size_t)(MHEAP_HDR - 1);
}

/* Bucket i holds free elements with size in [2^(i+6), 2^(i+7)). */
static unsigned int
bucket_of(size_t size)
{
	unsigned int b = 0;

	size >>= 7;
	while (size != 0 && b < MHEAP_NB_BUCKETS - 1) {
		size >>= 1;
		b++;
	}
	return b;
}

static void
elem_setup(struct mheap *h, struct mheap_elem *e, size_t size, uint32_t state)
{
	e->size = size;
	e->state = state;
	e->heap_id = h->id;
	e->user_size = 0;
	e->fprev = e->fnext = NULL;
	e->cookie = addr_of(e) ^ MHEAP_COOKIE;
}

static void
bucket_insert(struct mheap *h, struct mheap_elem *e)
{
	struct mheap_elem **head = &h->buckets[bucket_of(e->size)];

	e->fprev = NULL;
	e->fnext = *head;
	if (*head != NULL)
		(*head)->fprev = e;
	*head = e;
	h->free_bytes += e->size;
	h->free_count++;
}

static void
bucket_remove(struct mheap *h, struct mheap_elem *e)
{
	if (e->fprev != NULL)
		e->fprev->fnext = e->fnext;
	else
		h->buckets[bucket_of(e->size)] = e->fnext;
	if (e->fnext != NULL)
		e->fnext->fprev = e->fprev;
	e->fprev = e->fnext = NULL;
	h->free_bytes -= e->size;
	h->free_count--;
}

/* Link n into the address list right after pos (pos NULL: at the head). */
static void
list_insert_after(struct mheap *h, struct mheap_elem *pos, struct mheap_elem *n)
{
	n->prev = pos;
	n->next = pos != NULL ? pos->next : h->first;
	if (n->next != NULL)
		n->next->prev = n;
	else
		h->last = n;
	if (pos != NULL)
		pos->next = n;
	else
		h->first = n;
}

static void
list_remove(struct mheap *h, struct mheap_elem *e)
{
	if (e->prev != NULL)
		e->prev->next = e->next;
	else
		h->first = e->next;
	if (e->next != NULL)
		e->next->prev = e->prev;
	else
		h->last = e->prev;
}

static bool
touches(const struct mheap_elem *a, const struct mheap_elem *b)
{
	return a != NULL && b != NULL && end_of(a) == addr_of(b);
}

/* Merge free e with free neighbours in memory; e is out of the buckets. Returns the result. */
static struct mheap_elem *
merge_free(struct mheap *h, struct mheap_elem *e)
{
	struct mheap_elem *n = e->next, *p = e->prev;

	if (touches(e, n) && n->state == MHEAP_FREE) {
		bucket_remove(h, n);
		list_remove(h, n);
		e->size += n->size;
		n->state = 0;
	}
	if (touches(p, e) && p->state == MHEAP_FREE) {
		bucket_remove(h, p);
		list_remove(h, e);
		p->size += e->size;
		e->state = 0;
		e = p;
	}
	return e;
}

void
mheap_init(struct mheap *h, size_t page_sz, uint32_t id)
{
	memset(h, 0, sizeof(*h));
	h->page_sz = page_sz;
	h->id = id;
}

void
mheap_add_memory(struct mheap *h, void *va, size_t len)
{
	struct mheap_elem *e = va, *pos = h->last;

	while (pos != NULL && addr_of(pos) > addr_of(e))
		pos = pos->prev;
	elem_setup(h, e, len, MHEAP_FREE);
	list_insert_after(h, pos, e);
	h->total_bytes += len;
	bucket_insert(h, merge_free(h, e));
}

size_t
mheap_grow_len(size_t size, size_t align, size_t page_sz)
{
	size_t need = MHEAP_HDR + round_hdr(size);

	/* a fresh run starts page aligned: pages are aligned to anything up to page_sz */
	if (align > page_sz)
		need += align;
	else if (align > MHEAP_HDR)
		need += align - MHEAP_HDR;
	return (need + page_sz - 1) / page_sz * page_sz;
}

/* Where data for (size, align) would start inside free e, or 0 when it does not fit. */
static uintptr_t
fit(const struct mheap_elem *e, size_t size, size_t align)
{
	uintptr_t data = (addr_of(e) + MHEAP_HDR + align - 1) & ~(uintptr_t)(align - 1);

	if (data + size > end_of(e) || data + size < data)
		return 0;
	return data;
}

/* Carve a busy element whose data starts at data out of free e. */
static struct mheap_elem *
carve(struct mheap *h, struct mheap_elem *e, uintptr_t data, size_t size)
{
	struct mheap_elem *b = (struct mheap_elem *)(data - MHEAP_HDR);
	uintptr_t end = data + size, e_end = end_of(e);

	bucket_remove(h, e);
	if (b != e) {
		/* the lead stays a free element (at least one header long) */
		e->size = addr_of(b) - addr_of(e);
		bucket_insert(h, e);
		elem_setup(h, b, 0, MHEAP_BUSY);
		list_insert_after(h, e, b);
	}
	/* a 64-byte tail would be a free element with no room: keep it in b */
	if (e_end - end >= 2 * MHEAP_HDR) {
		struct mheap_elem *t = (struct mheap_elem *)end;
		elem_setup(h, t, e_end - end, MHEAP_FREE);
		list_insert_after(h, b, t);
		bucket_insert(h, t);
	} else {
		end = e_end;
	}
	elem_setup(h, b, end - addr_of(b), MHEAP_BUSY);
	h->busy_bytes += b->size;
	h->busy_count++;
	return b;
}

void *
mheap_alloc(struct mheap *h, size_t size, size_t align)
{
	size_t rsize = round_hdr(size == 0 ? 1 : size);

	if (align < MHEAP_HDR)
		align = MHEAP_HDR;
	if (rsize < size)
		return NULL;
	for (unsigned int b = bucket_of(rsize + MHEAP_HDR); b < MHEAP_NB_BUCKETS; b++) {
		for (struct mheap_elem *e = h->buckets[b]; e != NULL; e = e->fnext) {
			uintptr_t data = fit(e, rsize, align);
			if (data == 0)
				continue;
			struct mheap_elem *busy = carve(h, e, data, rsize);
			busy->user_size = size;
			return (void *)data;
		}
	}
	return NULL;
}

struct mheap_elem *
mheap_elem_of(const void *ptr)
{
	struct mheap_elem *e;

	if (ptr == NULL || ((uintptr_t)ptr & (MHEAP_HDR - 1)) != 0)
		return NULL;
	e = (struct mheap_elem *)((uintptr_t)ptr - MHEAP_HDR);
	if (e->state != MHEAP_BUSY || e->cookie != (addr_of(e) ^ MHEAP_COOKIE))
		return NULL;
	return e;
}

size_t
mheap_usable(const struct mheap_elem *e)
{
	return e->size - MHEAP_HDR;
}

/*
 * Cut the wholly free pages out of free element e (not in a bucket). What
 * stays before and after them remains free elements; e may vanish.
 */
static void
release_pages(struct mheap *h, struct mheap_elem *e, struct mheap_release *rel)
{
	uintptr_t s = addr_of(e), end = end_of(e);
	uintptr_t ps = (s + h->page_sz - 1) & ~(uintptr_t)(h->page_sz - 1);
	uintptr_t pe = end & ~(uintptr_t)(h->page_sz - 1);
	struct mheap_elem *prev = e->prev;

	if (pe <= ps) {
		bucket_insert(h, e);
		return;
	}
	list_remove(h, e);
	if (ps > s) {
		e->size = ps - s;
		list_insert_after(h, prev, e);
		bucket_insert(h, e);
		prev = e;
	} else {
		e->state = 0;
	}
	if (end > pe) {
		struct mheap_elem *t = (struct mheap_elem *)pe;
		elem_setup(h, t, end - pe, MHEAP_FREE);
		list_insert_after(h, prev, t);
		bucket_insert(h, t);
	}
	h->total_bytes -= pe - ps;
	rel->va = (void *)ps;
	rel->len = pe - ps;
}

void
mheap_free(struct mheap *h, void *ptr, struct mheap_release *rel)
{
	struct mheap_elem *e = mheap_elem_of(ptr);

	rel->va = NULL;
	rel->len = 0;
	if (e == NULL)
		return;
	h->busy_bytes -= e->size;
	h->busy_count--;
	e->state = MHEAP_FREE;
	e->user_size = 0;
	release_pages(h, merge_free(h, e), rel);
}

bool
mheap_resize(struct mheap *h, void *ptr, size_t size)
{
	struct mheap_elem *e = mheap_elem_of(ptr), *n;
	size_t need, total;

	if (e == NULL)
		return false;
	if (size <= mheap_usable(e)) {
		e->user_size = size;
		return true;
	}
	n = e->next;
	need = MHEAP_HDR + round_hdr(size);
	if (!touches(e, n) || n->state != MHEAP_FREE || e->size + n->size < need || need < size)
		return false;
	total = e->size + n->size;
	bucket_remove(h, n);
	list_remove(h, n);
	n->state = 0;
	if (total - need >= 2 * MHEAP_HDR) {
		/* the rest touches whatever followed n, which is not free (no free neighbours) */
		struct mheap_elem *t = (struct mheap_elem *)(addr_of(e) + need);
		elem_setup(h, t, total - need, MHEAP_FREE);
		list_insert_after(h, e, t);
		bucket_insert(h, t);
	} else {
		need = total;
	}
	h->busy_bytes += need - e->size;
	e->size = need;
	e->user_size = size;
	return true;
}

void
mheap_get_stats(const struct mheap *h, struct mheap_stats *st)
{
	memset(st, 0, sizeof(*st));
	st->total_bytes = h->total_bytes;
	st->free_bytes = h->free_bytes;
	st->busy_bytes = h->busy_bytes;
	st->free_count = h->free_count;
	st->busy_count = h->busy_count;
	for (int b = MHEAP_NB_BUCKETS - 1; b >= 0 && st->greatest_free == 0; b--)
		for (const struct mheap_elem *e = h->buckets[b]; e != NULL; e = e->fnext)
			st->greatest_free = e->size > st->greatest_free ? e->size : st->greatest_free;
}

static int
check_buckets(const struct mheap *h, size_t *free_bytes, unsigned int *free_count)
{
	for (unsigned int b = 0; b < MHEAP_NB_BUCKETS; b++) {
		const struct mheap_elem *prev = NULL;
		for (const struct mheap_elem *e = h->buckets[b]; e != NULL; e = e->fnext) {
			if (e->state != MHEAP_FREE || bucket_of(e->size) != b || e->fprev != prev)
				return -__LINE__;
			*free_bytes += e->size;
			(*free_count)++;
			prev = e;
		}
	}
	return 0;
}

int
mheap_check(const struct mheap *h)
{
	size_t total = 0, busy = 0, free_b = 0, bucket_free = 0;
	unsigned int nbusy = 0, nfree = 0, bucket_nfree = 0;
	const struct mheap_elem *prev = NULL;

	for (const struct mheap_elem *e = h->first; e != NULL; prev = e, e = e->next) {
		if (e->prev != prev || (addr_of(e) & (MHEAP_HDR - 1)) != 0 ||
		    (e->size & (MHEAP_HDR - 1)) != 0 || e->size < MHEAP_HDR)
			return -__LINE__;
		if (prev != NULL && end_of(prev) > addr_of(e))
			return -__LINE__; /* overlap or out of order */
		if (e->state == MHEAP_FREE) {
			if (touches(prev, e) && prev->state == MHEAP_FREE)
				return -__LINE__; /* unmerged free neighbours */
			free_b += e->size;
			nfree++;
		} else if (e->state == MHEAP_BUSY) {
			if (e->cookie != (addr_of(e) ^ MHEAP_COOKIE) || e->user_size > mheap_usable(e))
				return -__LINE__;
			busy += e->size;
			nbusy++;
		} else {
			return -__LINE__;
		}
		total += e->size;
	}
	if (prev != h->last)
		return -__LINE__;
	if (check_buckets(h, &bucket_free, &bucket_nfree) != 0)
		return -__LINE__;
	if (total != h->total_bytes || busy != h->busy_bytes || free_b != h->free_bytes ||
	    bucket_free != free_b || nbusy != h->busy_count || nfree != h->free_count ||
	    bucket_nfree != nfree)
		return -__LINE__;
	return 0;
}
