/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Allocation from the EAL heaps: one heap per NUMA node, growing by whole
 * pages (hugepages, or anonymous 2 MB units with --no-huge) and giving pages
 * back when they become wholly free. Memory from these calls is DMA-able:
 * dpx_malloc_virt2iova gives its device address. Thread safe.
 *
 * The `type` argument names the allocation for debugging; it is not used for
 * placement. `align` is a power of two, 0 meaning the cache line size.
 */
#ifndef DPX_MALLOC_H
#define DPX_MALLOC_H

#include <stddef.h>
#include <stdio.h>

#include <dpx_memory.h>

/**
 * Allocate size bytes aligned to align from the caller's NUMA node's heap,
 * or any other node when that one cannot.
 * @return the memory, or NULL with dpx_errno: EINVAL (size 0, align not a
 *   power of two), ENOMEM (no memory within the caps and pages available),
 *   EDEADLK (called from a memory event callback).
 */
void *dpx_malloc(const char *type, size_t size, unsigned int align);

/** As dpx_malloc, the memory filled with zeros. */
void *dpx_zmalloc(const char *type, size_t size, unsigned int align);

/**
 * As dpx_zmalloc for num * size bytes.
 * @return NULL with dpx_errno EINVAL when num * size overflows, else as dpx_zmalloc.
 */
void *dpx_calloc(const char *type, size_t num, size_t size, unsigned int align);

/**
 * Resize an allocation, keeping its contents up to the smaller size; in
 * place when it can. ptr NULL behaves as dpx_malloc.
 * @return the (maybe moved) memory, or NULL with dpx_errno (EINVAL, ENOMEM)
 *   and the old allocation untouched.
 */
void *dpx_realloc(void *ptr, size_t size, unsigned int align);

/**
 * Allocate on one NUMA node (no fallback), or DPX_SOCKET_ID_ANY as dpx_malloc.
 * @return the memory, or NULL with dpx_errno: EINVAL (also a socket with no
 *   heap), ENOMEM, EDEADLK.
 */
void *dpx_malloc_socket(const char *type, size_t size, unsigned int align, int socket);

/** As dpx_malloc_socket, the memory filled with zeros. */
void *dpx_zmalloc_socket(const char *type, size_t size, unsigned int align, int socket);

/**
 * Free memory from these calls (NULL is ignored). A pointer the heaps did not
 * hand out is logged and ignored.
 */
void dpx_free(void *ptr);

/** @return the IOVA of an address in heap memory, or DPX_BAD_IOVA. */
dpx_iova_t dpx_malloc_virt2iova(const void *addr);

/** Statistics of one heap. total = free + allocated (headers included). */
struct dpx_malloc_socket_stats {
	size_t heap_totalsz_bytes;      /**< bytes of pages in the heap */
	size_t heap_freesz_bytes;       /**< bytes in free elements */
	size_t heap_allocsz_bytes;      /**< bytes in allocated elements */
	size_t greatest_free_size;      /**< largest free element */
	unsigned int free_count;        /**< free elements */
	unsigned int alloc_count;       /**< allocated elements */
	size_t pages_mapped;            /**< pages currently in the heap */
	uint64_t grow_count;            /**< times the heap grew */
	uint64_t shrink_count;          /**< times the heap gave pages back */
};

/**
 * Read the statistics of a node's heap.
 * @return 0; -EINVAL (NULL stats, socket with no heap).
 */
int dpx_malloc_get_socket_stats(int socket, struct dpx_malloc_socket_stats *stats);

/** @return the size usable at ptr (>= what was asked), or 0 for a pointer not from a heap. */
size_t dpx_malloc_usable_size(const void *ptr);

/** Print every heap's statistics (type is accepted for DPDK compatibility and unused). */
void dpx_malloc_dump_stats(FILE *f, const char *type);

#endif /* DPX_MALLOC_H */
