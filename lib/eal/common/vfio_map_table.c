/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The VFIO DMA mapping table (see vfio_map_table.h for the invariants).
 *
 * Storage is a skip list sorted by iova: floor lookup, insert and remove are
 * O(log n) expected, and neighbours are one pointer away (level 0 is doubly
 * linked). Every change that needs a kernel call is done in two steps:
 * validate and reserve memory first (so nothing can fail afterwards), call
 * the kernel, and only then change the table.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <dpx_errno.h>
#include <dpx_log.h>

#include "vfio_map_table.h"

DPX_LOG_REGISTER(vfio_logtype, "lib.vfio");
#define TABLE_LOG(level, fmt, ...) DPX_LOG(level, vfio_logtype, "VFIO: " fmt, ##__VA_ARGS__)

/* 4^16 entries before the expected search cost starts to grow past log n */
#define SKIP_MAX_LEVEL 16

struct node {
	struct vfio_map_entry e;
	struct node *prev; /* level 0 only; NULL for the first entry */
	unsigned int level;
	struct node *next[];
};

struct vfio_map_table {
	struct node *head;  /* sentinel with SKIP_MAX_LEVEL links */
	struct node *spare; /* allocated before a kernel call, used after it */
	unsigned int level; /* levels in use */
	unsigned int count;
	uint64_t rng;
	bool partial;
};

static uint64_t
entry_end(const struct vfio_map_entry *e)
{
	return e->iova + e->len;
}

static unsigned int
random_level(struct vfio_map_table *t)
{
	unsigned int level = 1;

	/* xorshift64: deterministic per table, so runs are reproducible */
	t->rng ^= t->rng << 13;
	t->rng ^= t->rng >> 7;
	t->rng ^= t->rng << 17;
	for (uint64_t r = t->rng; (r & 3) == 0 && level < SKIP_MAX_LEVEL; r >>= 2)
		level++;
	return level;
}

static struct node *
node_alloc(unsigned int level)
{
	struct node *n = calloc(1, sizeof(*n) + level * sizeof(n->next[0]));

	if (n != NULL)
		n->level = level;
	return n;
}

struct vfio_map_table *
vfio_map_table_create(void)
{
	struct vfio_map_table *t = calloc(1, sizeof(*t));

	if (t == NULL) {
		dpx_errno = ENOMEM;
		return NULL;
	}
	t->head = node_alloc(SKIP_MAX_LEVEL);
	if (t->head == NULL) {
		free(t);
		dpx_errno = ENOMEM;
		return NULL;
	}
	t->level = 1;
	t->rng = 0x9e3779b97f4a7c15ULL;
	return t;
}

void
vfio_map_table_destroy(struct vfio_map_table *t)
{
	struct node *n, *next;

	if (t == NULL)
		return;
	for (n = t->head->next[0]; n != NULL; n = next) {
		next = n->next[0];
		free(n);
	}
	free(t->spare);
	free(t->head);
	free(t);
}

/* update[l] = last node at level l whose iova is below iova (head if none). */
static void
find_before(const struct vfio_map_table *t, uint64_t iova, struct node *update[SKIP_MAX_LEVEL])
{
	struct node *x = t->head;

	for (int l = (int)t->level - 1; l >= 0; l--) {
		while (x->next[l] != NULL && x->next[l]->e.iova < iova)
			x = x->next[l];
		update[l] = x;
	}
}

/* The entry with the highest iova <= iova, or NULL. */
static struct node *
find_floor(const struct vfio_map_table *t, uint64_t iova)
{
	struct node *x = t->head;

	for (int l = (int)t->level - 1; l >= 0; l--)
		while (x->next[l] != NULL && x->next[l]->e.iova <= iova)
			x = x->next[l];
	return x == t->head ? NULL : x;
}

static struct node *
first_node(const struct vfio_map_table *t)
{
	return t->head->next[0];
}

static int
reserve_spare(struct vfio_map_table *t)
{
	if (t->spare == NULL)
		t->spare = node_alloc(random_level(t));
	if (t->spare == NULL) {
		TABLE_LOG(ERR, "no memory for a mapping table entry");
		return -ENOMEM;
	}
	return 0;
}

/* Link the spare node holding e; the caller checked there is no overlap. */
static void
insert_spare(struct vfio_map_table *t, const struct vfio_map_entry *e)
{
	struct node *update[SKIP_MAX_LEVEL];
	struct node *n = t->spare;

	t->spare = NULL;
	n->e = *e;
	find_before(t, e->iova, update);
	for (unsigned int l = t->level; l < n->level; l++)
		update[l] = t->head;
	if (n->level > t->level)
		t->level = n->level;
	for (unsigned int l = 0; l < n->level; l++) {
		n->next[l] = update[l]->next[l];
		update[l]->next[l] = n;
	}
	n->prev = update[0] == t->head ? NULL : update[0];
	if (n->next[0] != NULL)
		n->next[0]->prev = n;
	t->count++;
}

static void
remove_node(struct vfio_map_table *t, struct node *n)
{
	struct node *update[SKIP_MAX_LEVEL];

	find_before(t, n->e.iova, update);
	for (unsigned int l = 0; l < n->level; l++)
		update[l]->next[l] = n->next[l];
	if (n->next[0] != NULL)
		n->next[0]->prev = n->prev;
	while (t->level > 1 && t->head->next[t->level - 1] == NULL)
		t->level--;
	t->count--;
	/* keep one freed node as the next spare: saves an allocation per op */
	if (t->spare == NULL)
		t->spare = n;
	else
		free(n);
}

static bool
can_merge(const struct vfio_map_entry *a, const struct vfio_map_entry *b)
{
	return entry_end(a) == b->iova && a->va + a->len == b->va && a->chunk == b->chunk;
}

static bool
range_overflows(uint64_t va, uint64_t iova, uint64_t len)
{
	return len == 0 || iova + len < iova || va + len < va;
}

/* One kernel mapping per chunk (per entry when chunk is 0); undone on failure. */
static int
kernel_map_entry(const struct vfio_map_entry *e, const struct vfio_dma_backend *be)
{
	uint64_t step = e->chunk != 0 ? e->chunk : e->len;
	uint64_t off, done;
	int rc;

	for (off = 0; off < e->len; off += step) {
		rc = be->map(be->ctx, e->va + off, e->iova + off, step);
		if (rc != 0) {
			TABLE_LOG(ERR,
				  "kernel DMA map va 0x%" PRIx64 " iova 0x%" PRIx64
				  " len 0x%" PRIx64 " failed: %s",
				  e->va + off, e->iova + off, step, dpx_strerror(rc));
			if (off != 0)
				be->unmap(be->ctx, e->va, e->iova, off, &done);
			return rc;
		}
	}
	return 0;
}

static int
kernel_unmap(uint64_t va, uint64_t iova, uint64_t len, const struct vfio_dma_backend *be)
{
	uint64_t unmapped = 0;
	int rc = be->unmap(be->ctx, va, iova, len, &unmapped);

	if (rc != 0) {
		TABLE_LOG(ERR,
			  "kernel DMA unmap va 0x%" PRIx64 " iova 0x%" PRIx64 " len 0x%" PRIx64
			  " failed: %s",
			  va, iova, len, dpx_strerror(rc));
		return rc;
	}
	if (unmapped != len) {
		TABLE_LOG(ERR,
			  "kernel DMA unmap iova 0x%" PRIx64 " len 0x%" PRIx64 " removed 0x%" PRIx64
			  " bytes",
			  iova, len, unmapped);
		return -EIO;
	}
	return 0;
}

/* Put e in the table, merging with the neighbours it may merge with. */
static void
commit_map(struct vfio_map_table *t, struct node *pred, const struct vfio_map_entry *e)
{
	struct node *succ = pred != NULL ? pred->next[0] : first_node(t);
	bool left = pred != NULL && can_merge(&pred->e, e);
	bool right = succ != NULL && can_merge(e, &succ->e);

	if (left && right) {
		pred->e.len += e->len + succ->e.len;
		remove_node(t, succ);
	} else if (left) {
		pred->e.len += e->len;
	} else if (right) {
		/* the key moves down but stays above pred: order is kept */
		succ->e.iova = e->iova;
		succ->e.va = e->va;
		succ->e.len += e->len;
	} else {
		insert_spare(t, e);
	}
}

int
vfio_map_table_map(struct vfio_map_table *t, uint64_t va, uint64_t iova, uint64_t len,
		   uint64_t chunk_size, const struct vfio_dma_backend *be)
{
	struct vfio_map_entry e = {.va = va, .iova = iova, .len = len};
	struct node *pred, *succ;
	int rc;

	if (range_overflows(va, iova, len) || (chunk_size != 0 && len % chunk_size != 0)) {
		TABLE_LOG(ERR,
			  "DMA map va 0x%" PRIx64 " iova 0x%" PRIx64 " len 0x%" PRIx64
			  " chunk 0x%" PRIx64 ": invalid range",
			  va, iova, len, chunk_size);
		return -EINVAL;
	}
	pred = find_floor(t, iova);
	succ = pred != NULL ? pred->next[0] : first_node(t);
	if ((pred != NULL && entry_end(&pred->e) > iova) ||
	    (succ != NULL && succ->e.iova < iova + len)) {
		const struct vfio_map_entry *o =
			pred != NULL && entry_end(&pred->e) > iova ? &pred->e : &succ->e;
		TABLE_LOG(ERR,
			  "DMA map iova 0x%" PRIx64 " len 0x%" PRIx64
			  " overlaps entry iova 0x%" PRIx64 " len 0x%" PRIx64,
			  iova, len, o->iova, o->len);
		return -EEXIST;
	}
	rc = reserve_spare(t);
	if (rc != 0)
		return rc;
	e.chunk = t->partial ? 0 : (chunk_size != 0 ? chunk_size : len);
	if (be != NULL) {
		rc = kernel_map_entry(&e, be);
		if (rc != 0)
			return rc;
	}
	commit_map(t, pred, &e);
	return 0;
}

/*
 * Check that [iova, end) is covered without a hole by entries whose va
 * matches, and (strict mode) that start and end fall on chunk boundaries.
 * Sets *first and *last to the first and last entries covered.
 */
static int
check_unmap(const struct vfio_map_table *t, uint64_t va, uint64_t iova, uint64_t end,
	    struct node **first, struct node **last)
{
	struct node *n = find_floor(t, iova), *prev = NULL;
	uint64_t covered = iova;

	if (n == NULL || entry_end(&n->e) <= iova) {
		TABLE_LOG(ERR, "DMA unmap iova 0x%" PRIx64 ": not mapped", iova);
		return -EINVAL;
	}
	*first = n;
	for (; n != NULL && n->e.iova < end; prev = n, n = n->next[0]) {
		if (n->e.iova > covered) {
			TABLE_LOG(ERR,
				  "DMA unmap iova 0x%" PRIx64 " len 0x%" PRIx64
				  ": hole at iova 0x%" PRIx64,
				  iova, end - iova, covered);
			return -EINVAL;
		}
		if (n->e.va - n->e.iova != va - iova) {
			TABLE_LOG(ERR,
				  "DMA unmap va 0x%" PRIx64 " iova 0x%" PRIx64
				  ": entry iova 0x%" PRIx64 " is mapped from va 0x%" PRIx64,
				  va, iova, n->e.iova, n->e.va);
			return -EINVAL;
		}
		covered = entry_end(&n->e);
	}
	if (covered < end) {
		TABLE_LOG(ERR,
			  "DMA unmap iova 0x%" PRIx64 " len 0x%" PRIx64
			  ": not mapped from iova 0x%" PRIx64,
			  iova, end - iova, covered);
		return -EINVAL;
	}
	*last = prev;
	if (((*first)->e.chunk != 0 && (iova - (*first)->e.iova) % (*first)->e.chunk != 0) ||
	    ((*last)->e.chunk != 0 && (end - (*last)->e.iova) % (*last)->e.chunk != 0)) {
		TABLE_LOG(ERR,
			  "DMA unmap iova 0x%" PRIx64 " len 0x%" PRIx64
			  ": not on a chunk boundary; this IOMMU cannot unmap part of a mapping",
			  iova, end - iova);
		return -ENOTSUP;
	}
	return 0;
}

/* Cut [iova, end) out of first..last, keeping at most a head and a tail. */
static void
commit_unmap(struct vfio_map_table *t, struct node *first, struct node *last, uint64_t iova,
	     uint64_t end)
{
	uint64_t last_end = entry_end(&last->e);
	bool head = first->e.iova < iova, tail = end < last_end;

	while (first != last) {
		struct node *next = first->next[0];
		if (head) {
			first->e.len = iova - first->e.iova;
			head = false;
		} else {
			remove_node(t, first);
		}
		first = next;
	}
	if (head && tail) {
		struct vfio_map_entry piece = last->e;
		piece.va += end - piece.iova;
		piece.iova = end;
		piece.len = last_end - end;
		last->e.len = iova - last->e.iova;
		insert_spare(t, &piece);
	} else if (head) {
		last->e.len = iova - last->e.iova;
	} else if (tail) {
		last->e.va += end - last->e.iova;
		last->e.len = last_end - end;
		last->e.iova = end;
	} else {
		remove_node(t, last);
	}
}

int
vfio_map_table_unmap(struct vfio_map_table *t, uint64_t va, uint64_t iova, uint64_t len,
		     const struct vfio_dma_backend *be)
{
	struct node *first, *last;
	int rc;

	if (range_overflows(va, iova, len)) {
		TABLE_LOG(ERR,
			  "DMA unmap va 0x%" PRIx64 " iova 0x%" PRIx64 " len 0x%" PRIx64
			  ": invalid range",
			  va, iova, len);
		return -EINVAL;
	}
	rc = check_unmap(t, va, iova, iova + len, &first, &last);
	if (rc != 0)
		return rc;
	rc = reserve_spare(t);
	if (rc != 0)
		return rc;
	/* one call: the kernel removes every whole mapping inside the range */
	if (be != NULL) {
		rc = kernel_unmap(va, iova, len, be);
		if (rc != 0)
			return rc;
	}
	commit_unmap(t, first, last, iova, iova + len);
	return 0;
}

void
vfio_map_table_set_partial(struct vfio_map_table *t, bool partial)
{
	struct node *n, *next;

	t->partial = partial;
	for (n = first_node(t); n != NULL; n = n->next[0])
		n->e.chunk = partial ? 0 : (n->e.chunk != 0 ? n->e.chunk : n->e.len);
	if (!partial)
		return;
	for (n = first_node(t); n != NULL; n = next) {
		next = n->next[0];
		while (next != NULL && can_merge(&n->e, &next->e)) {
			n->e.len += next->e.len;
			remove_node(t, next);
			next = n->next[0];
		}
	}
}

bool
vfio_map_table_is_partial(const struct vfio_map_table *t)
{
	return t->partial;
}

int
vfio_map_table_replay(const struct vfio_map_table *t, const struct vfio_dma_backend *be)
{
	uint64_t unmapped;
	int rc;

	for (struct node *n = first_node(t); n != NULL; n = n->next[0]) {
		rc = kernel_map_entry(&n->e, be);
		if (rc == 0)
			continue;
		for (struct node *d = first_node(t); d != n; d = d->next[0])
			be->unmap(be->ctx, d->e.va, d->e.iova, d->e.len, &unmapped);
		return rc;
	}
	return 0;
}

void
vfio_map_table_clear(struct vfio_map_table *t, const struct vfio_dma_backend *be)
{
	struct node *n;

	while ((n = first_node(t)) != NULL) {
		if (be != NULL)
			kernel_unmap(n->e.va, n->e.iova, n->e.len, be);
		remove_node(t, n);
	}
}

unsigned int
vfio_map_table_count(const struct vfio_map_table *t)
{
	return t->count;
}

int
vfio_map_table_walk(const struct vfio_map_table *t,
		    int (*fn)(const struct vfio_map_entry *e, void *arg), void *arg)
{
	int rc;

	for (struct node *n = first_node(t); n != NULL; n = n->next[0]) {
		rc = fn(&n->e, arg);
		if (rc != 0)
			return rc;
	}
	return 0;
}

void
vfio_map_table_dump(const struct vfio_map_table *t, FILE *f)
{
	fprintf(f, "VFIO DMA mapping table: %u entries, %s mode\n", t->count,
		t->partial ? "partial-unmap" : "chunk");
	for (struct node *n = first_node(t); n != NULL; n = n->next[0])
		fprintf(f,
			"  iova 0x%016" PRIx64 "-0x%016" PRIx64 " va 0x%016" PRIx64
			" len 0x%" PRIx64 " chunk 0x%" PRIx64 "\n",
			n->e.iova, entry_end(&n->e), n->e.va, n->e.len, n->e.chunk);
}
