/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The default container follows EAL memory: every page (EAL heap pages and
 * external memory registered with dpx_extmem_register) is DMA-mapped at its
 * memseg IOVA when the memory library announces it (ALLOC) and unmapped
 * before it goes (FREE). Each page is its own chunk, so any single page can
 * be unmapped later even on type1 v2, whatever range the ALLOC covered.
 *
 * Lock order: the memory library's hotplug lock (held around the callback)
 * is taken before the VFIO lock, never the other way round.
 */
#include <errno.h>
#include <inttypes.h>

#include <dpx_memory.h>
#include <dpx_vfio.h>

#include "eal_private.h"
#include "vfio_private.h"

#define VFIO_MEM_CALLBACK "vfio"

/* Pages with no known IOVA (external memory registered without one) are skipped. */
static int
map_page(const struct dpx_memseg *ms)
{
	if (ms->iova == DPX_BAD_IOVA)
		return 0;
	return vfio_container_dma_map_chunked(DPX_VFIO_DEFAULT_CONTAINER_FD,
					      (uint64_t)(uintptr_t)ms->addr, ms->iova, ms->len,
					      ms->len);
}

static void
unmap_page(const struct dpx_memseg *ms)
{
	int rc;

	if (ms->iova == DPX_BAD_IOVA)
		return;
	rc = dpx_vfio_container_dma_unmap(DPX_VFIO_DEFAULT_CONTAINER_FD,
					  (uint64_t)(uintptr_t)ms->addr, ms->iova, ms->len);
	if (rc != 0)
		VFIO_LOG(ERR, "page %p iova 0x%" PRIx64 " stays DMA-mapped: %s", ms->addr, ms->iova,
			 dpx_strerror(rc));
}

/* Undo the pages of [addr, addr + done) after a refused ALLOC. */
static void
unmap_range(const void *addr, size_t done)
{
	const struct dpx_memseg *ms;

	for (size_t off = 0; off < done; off += ms->len) {
		ms = dpx_mem_virt2memseg((const char *)addr + off);
		if (ms == NULL)
			return;
		unmap_page(ms);
	}
}

static int
mem_event(enum dpx_mem_event event, const void *addr, size_t len, void *arg)
{
	const struct dpx_memseg *ms;
	int rc;

	(void)arg;
	for (size_t off = 0; off < len; off += ms->len) {
		ms = dpx_mem_virt2memseg((const char *)addr + off);
		if (ms == NULL) {
			VFIO_LOG(ERR, "memory event for %p+%zu: no segment at offset %zu", addr,
				 len, off);
			if (event == DPX_MEM_EVENT_ALLOC)
				unmap_range(addr, off);
			return event == DPX_MEM_EVENT_ALLOC ? -EINVAL : 0;
		}
		if (event == DPX_MEM_EVENT_FREE) {
			unmap_page(ms);
			continue;
		}
		rc = map_page(ms);
		if (rc != 0) {
			/* refusing makes the memory library roll the allocation back */
			VFIO_LOG(ERR, "cannot DMA-map new page %p: %s; allocation refused",
				 ms->addr, dpx_strerror(rc));
			unmap_range(addr, off);
			return rc;
		}
	}
	return 0;
}

static int
map_existing(const struct dpx_memseg *ms, void *arg)
{
	int rc = map_page(ms);

	(void)arg;
	if (rc != 0)
		VFIO_LOG(ERR, "cannot DMA-map page %p: %s", ms->addr, dpx_strerror(rc));
	return rc;
}

int
vfio_mem_hook_start(void)
{
	int rc = dpx_mem_event_callback_register(VFIO_MEM_CALLBACK, mem_event, NULL);

	if (rc != 0) {
		VFIO_LOG(ERR, "cannot register the memory event callback: %s", dpx_strerror(rc));
		return rc;
	}
	/* pages mapped before this stage (EAL init runs on one thread: no race) */
	rc = dpx_memseg_walk(map_existing, NULL);
	if (rc != 0) {
		dpx_mem_event_callback_unregister(VFIO_MEM_CALLBACK, NULL);
		return rc;
	}
	return 0;
}

void
vfio_mem_hook_stop(void)
{
	dpx_mem_event_callback_unregister(VFIO_MEM_CALLBACK, NULL);
}
