/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Every open container (the default one and those from
 * dpx_vfio_container_create) follows EAL memory: every page with a known IOVA
 * (EAL heap pages and external memory registered with one) is DMA-mapped at
 * its memseg IOVA when the memory library announces it (ALLOC) and unmapped
 * before it goes (FREE). Each page is its own chunk, so any single page can
 * be unmapped later even on type1 v2, whatever range the ALLOC covered.
 *
 * The hook's list is the set of open containers (vfio_container_fds). It
 * changes only in container create/destroy, which hold the memory library's
 * hotplug lock, as every event delivery does: the list cannot change during
 * an event, and a new container's first fill cannot miss or double a page.
 *
 * Lock order: the hotplug lock, then the VFIO lock (eal_vfio.c), never the
 * other way round.
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
map_page(int fd, const struct dpx_memseg *ms)
{
	if (ms->iova == DPX_BAD_IOVA)
		return 0;
	return vfio_container_dma_map_chunked(fd, (uint64_t)(uintptr_t)ms->addr, ms->iova, ms->len,
					      ms->len);
}

static void
unmap_page(int fd, const struct dpx_memseg *ms)
{
	int rc;

	if (ms->iova == DPX_BAD_IOVA)
		return;
	rc = dpx_vfio_container_dma_unmap(fd, (uint64_t)(uintptr_t)ms->addr, ms->iova, ms->len);
	if (rc != 0)
		VFIO_LOG(ERR, "container %d: page %p iova 0x%" PRIx64 " stays DMA-mapped: %s", fd,
			 ms->addr, ms->iova, dpx_strerror(rc));
}

/* Unmap the pages of [addr, addr + done) from one container. */
static void
unmap_range(int fd, const void *addr, size_t done)
{
	const struct dpx_memseg *ms;

	for (size_t off = 0; off < done; off += ms->len) {
		ms = dpx_mem_virt2memseg((const char *)addr + off);
		if (ms == NULL) {
			VFIO_LOG(ERR, "memory event for %p+%zu: no segment at offset %zu", addr,
				 done, off);
			return;
		}
		unmap_page(fd, ms);
	}
}

/* Map the pages of [addr, addr + len) into one container: all of them, or none. */
static int
map_range(int fd, const void *addr, size_t len)
{
	const struct dpx_memseg *ms;
	int rc;

	for (size_t off = 0; off < len; off += ms->len) {
		ms = dpx_mem_virt2memseg((const char *)addr + off);
		rc = ms == NULL ? -EINVAL : map_page(fd, ms);
		if (rc != 0) {
			VFIO_LOG(ERR,
				 "container %d: cannot DMA-map new memory %p+%zu at offset %zu: %s",
				 fd, addr, len, off, dpx_strerror(rc));
			unmap_range(fd, addr, off);
			return rc;
		}
	}
	return 0;
}

/*
 * ALLOC maps into every container or none: refusing makes the memory library
 * roll the allocation back, so the containers that accepted give it back here.
 */
static int
mem_event(enum dpx_mem_event event, const void *addr, size_t len, void *arg)
{
	int fds[VFIO_MAX_CONTAINERS];
	unsigned int n = vfio_container_fds(fds), i;
	int rc = 0;

	(void)arg;
	if (event == DPX_MEM_EVENT_FREE) {
		for (i = 0; i < n; i++)
			unmap_range(fds[i], addr, len);
		return 0;
	}
	for (i = 0; i < n && rc == 0; i++)
		rc = map_range(fds[i], addr, len);
	if (rc == 0)
		return 0;
	/* fds[i - 1] refused and undid its own pages; undo those before it */
	VFIO_LOG(ERR, "allocation of %p+%zu refused", addr, len);
	for (i--; i > 0; i--)
		unmap_range(fds[i - 1], addr, len);
	return rc;
}

static int
map_existing(const struct dpx_memseg *ms, void *arg)
{
	int fd = *(const int *)arg;
	int rc = map_page(fd, ms);

	if (rc != 0)
		VFIO_LOG(ERR, "container %d: cannot DMA-map page %p: %s", fd, ms->addr,
			 dpx_strerror(rc));
	return rc;
}

int
vfio_mem_hook_fill(int container_fd)
{
	return dpx_memseg_walk(map_existing, &container_fd);
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
	rc = vfio_mem_hook_fill(DPX_VFIO_DEFAULT_CONTAINER_FD);
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
