/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Memory segments, IOVA translation, memory hotplug events and external memory.
 *
 * The EAL reserves, per NUMA node, one virtual area (a memseg list) in which
 * each page is a memory segment (memseg). Pages are mapped when a heap needs
 * them and unmapped when they become wholly free again. Every change is
 * announced to registered callbacks (DMA mappers such as VFIO):
 *
 * - DPX_MEM_EVENT_ALLOC fires after pages are mapped and before any
 *   allocation hands them out. A callback returning non-zero refuses: the
 *   callbacks that already accepted get DPX_MEM_EVENT_FREE for the same
 *   range, the pages are unmapped and the allocation fails.
 * - DPX_MEM_EVENT_FREE fires before pages are unmapped.
 * - Ranges are whole pages. A FREE range may be part of an earlier ALLOC
 *   range (one page of a multi-page growth can be released on its own):
 *   consumers that keep per-range state should split it per page
 *   (dpx_mem_virt2memseg) so any page can go alone.
 * - One lock serialises hotplug and callback (un)registration; callbacks run
 *   in registration order on the thread whose allocation or free caused them.
 *   A callback must not call dpx_malloc/dpx_free/memzone functions (they
 *   fail with EDEADLK); it may call dpx_memseg_walk and dpx_mem_virt2*.
 */
#ifndef DPX_MEMORY_H
#define DPX_MEMORY_H

#include <stddef.h>
#include <stdio.h>
#include <stdint.h>

#include <dpx_common.h>

/** Address as seen by devices (physical or IOMMU virtual). */
typedef uint64_t dpx_iova_t;
/** Translation failed / no such address. */
#define DPX_BAD_IOVA ((dpx_iova_t)-1)
/** Any NUMA node: the caller's first, then the others. */
#define DPX_SOCKET_ID_ANY (-1)

/** One page of memory known to the EAL. */
struct dpx_memseg {
	void *addr;         /**< virtual address of the page */
	dpx_iova_t iova;    /**< device address of its first byte (DPX_BAD_IOVA if unknown) */
	size_t len;         /**< bytes (the page size) */
	size_t hugepage_sz; /**< page size: a hugepage size, or the --no-huge unit */
	int socket_id;      /**< NUMA node, or DPX_SOCKET_ID_ANY for external memory */
	uint32_t flags;     /**< DPX_MEMSEG_FLAG_* */
};

/** The segment belongs to memory registered with dpx_extmem_register(). */
#define DPX_MEMSEG_FLAG_EXTERNAL 0x1

/** Called for each segment; a non-zero return stops the walk and is returned. */
typedef int(dpx_memseg_walk_t)(const struct dpx_memseg *ms, void *arg);

/**
 * Call fn for every mapped segment (EAL pages and external memory), in
 * address order within each list. Safe from a memory event callback; fn
 * must not allocate or free heap memory (the lists are read-locked).
 * @return 0 when every call returned 0, otherwise the first non-zero value.
 */
int dpx_memseg_walk(dpx_memseg_walk_t *fn, void *arg);

/** Called for each run of segments contiguous in VA (and IOVA); len is the run's bytes. */
typedef int(dpx_memseg_contig_walk_t)(const struct dpx_memseg *first, size_t len, void *arg);

/**
 * Call fn for every maximal run of mapped segments of one list that are
 * contiguous both in VA and in IOVA.
 * @return 0 when every call returned 0, otherwise the first non-zero value.
 */
int dpx_memseg_contig_walk(dpx_memseg_contig_walk_t *fn, void *arg);

/**
 * The file descriptor behind a heap segment, for sharing the page with
 * another process (a vhost-user back-end maps fd at offset). The fd stays the
 * EAL's: it is valid while the page is mapped; dup() it to keep it longer.
 * Hugetlbfs pages have one file each (offset 0); with --in-memory and
 * --no-huge all pages of a node share one memfd, page i at offset i * page
 * size, so neighbouring pages can be mapped as one range.
 * @param ms a segment from dpx_mem_virt2memseg or a walk
 * @param fd gets the descriptor
 * @param offset gets the offset of the segment's first byte in the file
 * @return 0; -EINVAL (NULL argument), -ENOENT (ms is not a mapped segment),
 *   -ENOTSUP (external memory: the EAL knows no fd for it).
 */
int dpx_memseg_get_fd(const struct dpx_memseg *ms, int *fd, uint64_t *offset);

/** A run of heap memory contiguous in VA and in one file: [offset, offset + len) of fd. */
struct dpx_memseg_fd_run {
	void *va;        /**< first byte */
	size_t len;      /**< bytes, whole pages */
	int fd;          /**< the EAL's descriptor (see dpx_memseg_get_fd) */
	uint64_t offset; /**< where va is in the file */
};

/** Called for each run; a non-zero return stops the walk and is returned. */
typedef int(dpx_memseg_fd_walk_t)(const struct dpx_memseg_fd_run *run, void *arg);

/**
 * Call fn for every maximal run of mapped heap pages (external memory has no
 * fd and is skipped) that are contiguous in VA, share one fd and follow each
 * other in it. Safe from a memory event callback (like dpx_memseg_walk).
 * @return 0 when every call returned 0, -EINVAL (fn NULL), otherwise the
 *   first non-zero value fn returned.
 */
int dpx_memseg_fd_walk(dpx_memseg_fd_walk_t *fn, void *arg);

/**
 * Find the segment holding addr.
 * @return the segment (valid until its page is released), or NULL with
 *   dpx_errno ENOENT when addr is in no mapped segment.
 */
const struct dpx_memseg *dpx_mem_virt2memseg(const void *addr);

/**
 * Translate a virtual address in a segment to its IOVA.
 * @return the IOVA, or DPX_BAD_IOVA when addr is in no mapped segment or the
 *   segment's IOVA is unknown.
 */
dpx_iova_t dpx_mem_virt2iova(const void *addr);

/** Memory hotplug event. */
enum dpx_mem_event {
	DPX_MEM_EVENT_ALLOC = 0, /**< pages were mapped (or external memory registered) */
	DPX_MEM_EVENT_FREE,      /**< pages are about to be unmapped (or external memory unregistered) */
};

/**
 * Memory event callback. For ALLOC a non-zero return refuses the memory; for
 * FREE the return value is ignored.
 */
typedef int(dpx_mem_event_callback_t)(enum dpx_mem_event event, const void *addr, size_t len,
				      void *arg);

/**
 * Register a callback for memory events. Memory mapped before the
 * registration is not replayed: walk it with dpx_memseg_walk.
 * @param name identifies the callback together with arg (at most 63 bytes)
 * @return 0; -EINVAL (NULL name or cb, name too long), -EEXIST (name and arg
 *   already registered), -ENOMEM, -EDEADLK (called from a callback).
 */
int dpx_mem_event_callback_register(const char *name, dpx_mem_event_callback_t *cb, void *arg);

/**
 * Unregister the callback registered with this name and arg.
 * @return 0; -EINVAL (NULL name), -ENOENT (not registered), -EDEADLK (called
 *   from a callback).
 */
int dpx_mem_event_callback_unregister(const char *name, void *arg);

/**
 * Make memory the caller mapped known to the EAL: its pages become segments
 * flagged DPX_MEMSEG_FLAG_EXTERNAL, visible to dpx_mem_virt2memseg,
 * dpx_mem_virt2iova and the walks, and an ALLOC event fires for (va, len).
 * It is not added to any heap.
 * @param va page aligned start
 * @param len n_pages * page_sz
 * @param iova_addrs IOVA of each page, or NULL (IOVA unknown: DPX_BAD_IOVA)
 * @param n_pages number of pages
 * @param page_sz page size, a power of two >= 4096
 * @return 0; -EINVAL (bad alignment, sizes that disagree, len 0, a range
 *   wrapping past the end of the address space), -EEXIST
 *   (overlaps memory already known), -ENOSPC (too many external areas),
 *   -ENOMEM, -EDEADLK (called from a callback), or the non-zero value
 *   a refusing ALLOC callback returned, made negative (nothing is registered).
 */
int dpx_extmem_register(void *va, size_t len, dpx_iova_t iova_addrs[], unsigned int n_pages,
			size_t page_sz);

/**
 * Forget external memory registered with dpx_extmem_register; a FREE event
 * fires first. The caller still owns (and unmaps) the memory.
 * @return 0; -EINVAL (va/len do not match a registration exactly), -ENOENT
 *   (nothing registered there), -EDEADLK (called from a callback).
 */
int dpx_extmem_unregister(void *va, size_t len);

/** Print the memseg lists and their mapped segments. */
void dpx_memseg_dump(FILE *f);

#endif /* DPX_MEMORY_H */
