/* SPDX-License-Identifier: BSD-3-Clause */
/* Memory subsystem internals shared by lib/eal/common and lib/eal/linux; never installed. */
#ifndef EAL_MEMORY_PRIVATE_H
#define EAL_MEMORY_PRIVATE_H

#include <stdbool.h>

#include <dpx_memory.h>

#include "eal_private.h"

extern int memory_logtype;
extern int malloc_logtype;
#define MEM_LOG(level, fmt, ...) DPX_LOG(level, memory_logtype, "MEMORY: " fmt, ##__VA_ARGS__)
#define MALLOC_LOG(level, fmt, ...) DPX_LOG(level, malloc_logtype, "MALLOC: " fmt, ##__VA_ARGS__)

/* --- memory events (common/eal_mem_event.c) --- */

/*
 * The hotplug lock: held around page mapping + ALLOC delivery, FREE delivery +
 * unmapping, extmem (un)registration and callback (un)registration, so events
 * are delivered one at a time, in order, and never race a registration.
 */
void eal_mem_hotplug_lock(void);
void eal_mem_hotplug_unlock(void);

/* true while this thread runs a memory event callback. */
bool eal_mem_in_callback(void);

/*
 * Deliver ALLOC for (va, len) to every callback in registration order (hotplug
 * lock held). When one refuses, those that accepted get FREE for the same
 * range, in reverse order, and its value is returned as a negative errno.
 */
int eal_mem_event_notify_alloc(const void *va, size_t len);

/* Deliver FREE to every callback in registration order (hotplug lock held). */
void eal_mem_event_notify_free(const void *va, size_t len);

/* Drop every callback (EAL cleanup). */
void eal_mem_event_reset(void);

/* --- pages and memsegs (linux/eal_memory.c) --- */

/* Page size the heaps grow by (a hugepage size, or 2 MB with --no-huge). */
size_t eal_mem_page_size(void);

/* Number of NUMA nodes with a memseg list (node ids 0..n-1). */
unsigned int eal_mem_socket_count(void);

/* true when node has a memseg list. */
bool eal_mem_socket_valid(int socket);

/*
 * Map len bytes (whole pages) contiguous in VA on a node and deliver ALLOC
 * (hotplug lock taken inside). Returns 0 and *va, or -ENOMEM (caps, no free
 * pages, no room in the list), or the refusal of a callback; on failure
 * nothing stays mapped.
 */
int eal_mem_pages_alloc(int socket, size_t len, void **va);

/* Deliver FREE for whole pages of a heap and unmap them (hotplug lock taken inside). */
void eal_mem_pages_free(void *va, size_t len);

/* The memory stage of dpx_eal_init (linux/eal_memory.c). */
int eal_memory_init(const struct eal_options *opts);
void eal_memory_fini(void);

/* IOVA mode chosen at init (DPX_IOVA_DC before). */
enum dpx_iova_mode eal_mem_iova_mode(void);

/* --- heaps and memzones (common/eal_malloc.c, common/eal_memzone.c) --- */
int eal_malloc_heaps_init(void);
void eal_malloc_heaps_fini(void);
void eal_memzones_fini(void);

#endif /* EAL_MEMORY_PRIVATE_H */
