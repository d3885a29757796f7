/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dpx_malloc and friends: one heap per NUMA node, each a malloc_heap.c
 * allocator behind a mutex. A heap that cannot satisfy a request grows by
 * fresh pages (eal_mem_pages_alloc, which announces them) and gives pages
 * back as soon as a free leaves them wholly unused.
 *
 * Lock order: heap lock, then the hotplug lock (taken inside
 * eal_mem_pages_*), then the memseg list lock.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <dpx_malloc.h>

#include "eal_memory_private.h"
#include "malloc_heap.h"

DPX_LOG_REGISTER(malloc_logtype, "lib.malloc");

struct heap {
	pthread_mutex_t lock;
	struct mheap mh;
	uint64_t grow_count, shrink_count;
	bool valid;
};

static struct heap heaps[DPX_MAX_NUMA_NODES];

int
eal_malloc_heaps_init(void)
{
	for (unsigned int s = 0; s < DPX_MAX_NUMA_NODES; s++) {
		pthread_mutex_init(&heaps[s].lock, NULL);
		mheap_init(&heaps[s].mh, eal_mem_page_size(), s);
		heaps[s].grow_count = heaps[s].shrink_count = 0;
		heaps[s].valid = s < eal_mem_socket_count();
	}
	return 0;
}

void
eal_malloc_heaps_fini(void)
{
	/* pages still held by leaked allocations are unmapped with their lists */
	for (unsigned int s = 0; s < DPX_MAX_NUMA_NODES; s++) {
		if (!heaps[s].valid)
			continue;
		struct mheap_stats st;
		mheap_get_stats(&heaps[s].mh, &st);
		if (st.busy_count != 0)
			MALLOC_LOG(WARNING, "heap of node %u: %u allocations (%zu bytes) not freed "
					    "at cleanup",
				   s, st.busy_count, st.busy_bytes);
		heaps[s].valid = false;
		pthread_mutex_destroy(&heaps[s].lock);
	}
}

static void *
heap_alloc(struct heap *h, int socket, size_t size, size_t align)
{
	void *p, *va;
	size_t len;
	int rc;

	pthread_mutex_lock(&h->lock);
	p = mheap_alloc(&h->mh, size, align);
	if (p == NULL) {
		len = mheap_grow_len(size, align, eal_mem_page_size());
		rc = len < size ? -ENOMEM : eal_mem_pages_alloc(socket, len, &va);
		if (rc == 0) {
			mheap_add_memory(&h->mh, va, len);
			h->grow_count++;
			p = mheap_alloc(&h->mh, size, align); /* fresh pages always fit */
		}
		if (p == NULL)
			dpx_errno = rc != 0 ? -rc : ENOMEM;
	}
	pthread_mutex_unlock(&h->lock);
	return p;
}

static int
check_args(size_t size, unsigned int align)
{
	if (size == 0 || (align != 0 && !DPX_IS_POWER_OF_2(align)))
		return EINVAL;
	if (eal_mem_in_callback())
		return EDEADLK;
	return 0;
}

void *
dpx_malloc_socket(const char *type, size_t size, unsigned int align, int socket)
{
	int err = check_args(size, align);
	size_t a = align == 0 ? DPX_CACHE_LINE_SIZE : align;

	(void)type;
	if (err == 0 && socket != DPX_SOCKET_ID_ANY && !eal_mem_socket_valid(socket))
		err = EINVAL;
	if (err == 0 && socket == DPX_SOCKET_ID_ANY && eal_mem_socket_count() == 0)
		err = EINVAL;
	if (err != 0) {
		dpx_errno = err;
		return NULL;
	}
	if (socket != DPX_SOCKET_ID_ANY)
		return heap_alloc(&heaps[socket], socket, size, a);
	/* the caller's node first, then the others in order */
	int first = eal_mem_socket_valid((int)dpx_socket_id()) ? (int)dpx_socket_id() : 0;
	void *p = heap_alloc(&heaps[first], first, size, a);
	for (int s = 0; p == NULL && dpx_errno != EDEADLK && s < (int)eal_mem_socket_count(); s++)
		if (s != first)
			p = heap_alloc(&heaps[s], s, size, a);
	return p;
}

void *
dpx_malloc(const char *type, size_t size, unsigned int align)
{
	return dpx_malloc_socket(type, size, align, DPX_SOCKET_ID_ANY);
}

void *
dpx_zmalloc_socket(const char *type, size_t size, unsigned int align, int socket)
{
	void *p = dpx_malloc_socket(type, size, align, socket);

	if (p != NULL)
		memset(p, 0, size);
	return p;
}

void *
dpx_zmalloc(const char *type, size_t size, unsigned int align)
{
	return dpx_zmalloc_socket(type, size, align, DPX_SOCKET_ID_ANY);
}

void *
dpx_calloc(const char *type, size_t num, size_t size, unsigned int align)
{
	if (size != 0 && num > SIZE_MAX / size) {
		dpx_errno = EINVAL;
		return NULL;
	}
	return dpx_zmalloc(type, num * size, align);
}

/* The busy element of ptr and its heap, checking the pointer really is ours. */
static struct mheap_elem *
elem_lookup(const void *ptr, struct heap **hp)
{
	const struct dpx_memseg *ms = dpx_mem_virt2memseg(ptr);
	struct mheap_elem *e;

	/* the header sits just below ptr: it must be mapped heap memory too */
	if (ms == NULL || (ms->flags & DPX_MEMSEG_FLAG_EXTERNAL) ||
	    dpx_mem_virt2memseg((const uint8_t *)ptr - MHEAP_HDR) == NULL)
		return NULL;
	e = mheap_elem_of(ptr);
	if (e == NULL || e->heap_id >= DPX_MAX_NUMA_NODES || !heaps[e->heap_id].valid)
		return NULL;
	*hp = &heaps[e->heap_id];
	return e;
}

void
dpx_free(void *ptr)
{
	struct mheap_release rel;
	struct heap *h;

	if (ptr == NULL)
		return;
	if (eal_mem_in_callback()) {
		MALLOC_LOG(ERR, "dpx_free(%p) from a memory event callback ignored", ptr);
		return;
	}
	if (elem_lookup(ptr, &h) == NULL) {
		MALLOC_LOG(ERR, "dpx_free(%p): not memory from dpx_malloc (or freed twice)", ptr);
		return;
	}
	pthread_mutex_lock(&h->lock);
	mheap_free(&h->mh, ptr, &rel);
	if (rel.len != 0) {
		eal_mem_pages_free(rel.va, rel.len);
		h->shrink_count++;
	}
	pthread_mutex_unlock(&h->lock);
}

size_t
dpx_malloc_usable_size(const void *ptr)
{
	struct heap *h;
	const struct mheap_elem *e = elem_lookup(ptr, &h);

	return e == NULL ? 0 : mheap_usable(e);
}

void *
dpx_realloc(void *ptr, size_t size, unsigned int align)
{
	size_t a = align == 0 ? DPX_CACHE_LINE_SIZE : align;
	struct mheap_elem *e;
	struct heap *h;
	bool done;
	int err;

	if (ptr == NULL)
		return dpx_malloc(NULL, size, align);
	err = check_args(size, align);
	e = err == 0 ? elem_lookup(ptr, &h) : NULL;
	if (e == NULL) {
		dpx_errno = err != 0 ? err : EINVAL;
		return NULL;
	}
	if (((uintptr_t)ptr & (a - 1)) == 0) {
		pthread_mutex_lock(&h->lock);
		done = mheap_resize(&h->mh, ptr, size);
		pthread_mutex_unlock(&h->lock);
		if (done)
			return ptr;
	}
	void *n = dpx_malloc_socket(NULL, size, align, (int)e->heap_id);
	if (n == NULL)
		n = dpx_malloc(NULL, size, align);
	if (n == NULL)
		return NULL;
	memcpy(n, ptr, DPX_MIN(e->user_size, size));
	dpx_free(ptr);
	return n;
}

int
dpx_malloc_get_socket_stats(int socket, struct dpx_malloc_socket_stats *stats)
{
	struct mheap_stats st;
	struct heap *h;

	if (stats == NULL || !eal_mem_socket_valid(socket))
		return -EINVAL;
	h = &heaps[socket];
	pthread_mutex_lock(&h->lock);
	mheap_get_stats(&h->mh, &st);
	stats->grow_count = h->grow_count;
	stats->shrink_count = h->shrink_count;
	pthread_mutex_unlock(&h->lock);
	stats->heap_totalsz_bytes = st.total_bytes;
	stats->heap_freesz_bytes = st.free_bytes;
	stats->heap_allocsz_bytes = st.busy_bytes;
	stats->greatest_free_size = st.greatest_free;
	stats->free_count = st.free_count;
	stats->alloc_count = st.busy_count;
	stats->pages_mapped = st.total_bytes / eal_mem_page_size();
	return 0;
}

void
dpx_malloc_dump_stats(FILE *f, const char *type)
{
	struct dpx_malloc_socket_stats st;

	(void)type;
	for (int s = 0; s < (int)eal_mem_socket_count(); s++) {
		if (dpx_malloc_get_socket_stats(s, &st) != 0)
			continue;
		fprintf(f,
			"heap on node %d:\n"
			"  total %zu bytes (%zu pages of %zu kB)\n"
			"  free %zu bytes in %u elements, greatest %zu\n"
			"  allocated %zu bytes in %u elements\n"
			"  grown %" PRIu64 " times, shrunk %" PRIu64 " times\n",
			s, st.heap_totalsz_bytes, st.pages_mapped, eal_mem_page_size() >> 10,
			st.heap_freesz_bytes, st.free_count, st.greatest_free_size,
			st.heap_allocsz_bytes, st.alloc_count, st.grow_count, st.shrink_count);
	}
}
