/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Named, zero-filled memory zones reserved from the EAL heaps, so that
 * libraries can find each other's shared areas by name.
 *
 * With IOVA as VA a zone is IOVA-contiguous. In PA mode a zone that spans
 * several pages may not be: translate per page with dpx_mem_virt2iova.
 */
#ifndef DPX_MEMZONE_H
#define DPX_MEMZONE_H

#include <stddef.h>
#include <stdio.h>

#include <dpx_memory.h>

/** Longest zone name, terminating NUL included. */
#define DPX_MEMZONE_NAMESIZE 32
/** Most zones at once. */
#define DPX_MAX_MEMZONE 512

/** A reserved zone; valid until dpx_memzone_free. */
struct dpx_memzone {
	char name[DPX_MEMZONE_NAMESIZE]; /**< unique name */
	void *addr;                      /**< start, aligned as asked */
	dpx_iova_t iova;                 /**< device address of addr */
	size_t len;                      /**< bytes asked for */
	int socket_id;                   /**< NUMA node it was taken from */
	unsigned int flags;              /**< flags given at reservation, kept for the caller */
};

/**
 * Reserve a zone aligned to the cache line.
 * @param socket_id NUMA node, or DPX_SOCKET_ID_ANY
 * @param flags kept in the zone for the caller; no flag changes placement
 * @return the zone, or NULL with dpx_errno: EINVAL (NULL or empty name, len 0,
 *   bad socket), ENAMETOOLONG, EEXIST (the name is taken), ENOSPC (table full),
 *   ENOMEM, EDEADLK (called from a memory event callback).
 */
const struct dpx_memzone *dpx_memzone_reserve(const char *name, size_t len, int socket_id,
					      unsigned int flags);

/**
 * As dpx_memzone_reserve, aligned to align (a power of two).
 * @return as dpx_memzone_reserve; EINVAL also for a bad align.
 */
const struct dpx_memzone *dpx_memzone_reserve_aligned(const char *name, size_t len, int socket_id,
						      unsigned int flags, unsigned int align);

/** @return the zone with this name, or NULL with dpx_errno ENOENT (EINVAL for NULL). */
const struct dpx_memzone *dpx_memzone_lookup(const char *name);

/**
 * Release a zone and its memory.
 * @return 0; -EINVAL (NULL, or not a zone of this process), -EDEADLK (called
 *   from a memory event callback; the zone stays reserved).
 */
int dpx_memzone_free(const struct dpx_memzone *mz);

/** Print every zone. */
void dpx_memzone_dump(FILE *f);

#endif /* DPX_MEMZONE_H */
