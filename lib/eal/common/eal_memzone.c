/* SPDX-License-Identifier: BSD-3-Clause */
/* Named memory zones: a fixed table of names over dpx_zmalloc_socket memory. */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <string.h>

#include <dpx_malloc.h>
#include <dpx_memzone.h>

#include "eal_memory_private.h"

static pthread_mutex_t mz_lock = PTHREAD_MUTEX_INITIALIZER;
static struct dpx_memzone zones[DPX_MAX_MEMZONE]; /* name[0] == 0: free slot */

static struct dpx_memzone *
find_locked(const char *name)
{
	for (unsigned int i = 0; i < DPX_MAX_MEMZONE; i++)
		if (zones[i].name[0] != '\0' && strcmp(zones[i].name, name) == 0)
			return &zones[i];
	return NULL;
}

static int
reserve_check(const char *name, size_t len, int socket_id, unsigned int align)
{
	if (name == NULL || name[0] == '\0' || len == 0 || !DPX_IS_POWER_OF_2(align) ||
	    (socket_id != DPX_SOCKET_ID_ANY && !eal_mem_socket_valid(socket_id)))
		return EINVAL;
	if (strlen(name) >= DPX_MEMZONE_NAMESIZE)
		return ENAMETOOLONG;
	if (eal_mem_in_callback())
		return EDEADLK;
	return 0;
}

/* Name a zone over p (already allocated); EEXIST or ENOSPC leave p to the caller. */
static const struct dpx_memzone *
publish_locked(const char *name, void *p, size_t len, unsigned int flags)
{
	struct dpx_memzone *mz = NULL;

	if (find_locked(name) != NULL) {
		dpx_errno = EEXIST;
		return NULL;
	}
	for (unsigned int i = 0; i < DPX_MAX_MEMZONE && mz == NULL; i++)
		if (zones[i].name[0] == '\0')
			mz = &zones[i];
	if (mz == NULL) {
		MALLOC_LOG(ERR, "memzone %s: all %d zones in use", name, DPX_MAX_MEMZONE);
		dpx_errno = ENOSPC;
		return NULL;
	}
	snprintf(mz->name, sizeof(mz->name), "%s", name);
	mz->addr = p;
	mz->iova = dpx_mem_virt2iova(p);
	mz->len = len;
	mz->socket_id = dpx_mem_virt2memseg(p)->socket_id;
	mz->flags = flags;
	return mz;
}

const struct dpx_memzone *
dpx_memzone_reserve_aligned(const char *name, size_t len, int socket_id, unsigned int flags,
			    unsigned int align)
{
	const struct dpx_memzone *mz;
	int err = reserve_check(name, len, socket_id, align);
	void *p;

	if (err != 0) {
		dpx_errno = err;
		return NULL;
	}
	/*
	 * Allocate before taking mz_lock: growing the heap takes the hotplug
	 * lock, and a memory event callback (hotplug lock held) may look a
	 * zone up; holding mz_lock across the allocation would deadlock them.
	 */
	p = dpx_zmalloc_socket("memzone", len, align, socket_id);
	if (p == NULL)
		return NULL;
	pthread_mutex_lock(&mz_lock);
	mz = publish_locked(name, p, len, flags);
	pthread_mutex_unlock(&mz_lock);
	if (mz == NULL) {
		err = dpx_errno;
		dpx_free(p);
		dpx_errno = err;
	}
	return mz;
}

const struct dpx_memzone *
dpx_memzone_reserve(const char *name, size_t len, int socket_id, unsigned int flags)
{
	return dpx_memzone_reserve_aligned(name, len, socket_id, flags, DPX_CACHE_LINE_SIZE);
}

const struct dpx_memzone *
dpx_memzone_lookup(const char *name)
{
	const struct dpx_memzone *mz;

	if (name == NULL) {
		dpx_errno = EINVAL;
		return NULL;
	}
	pthread_mutex_lock(&mz_lock);
	mz = find_locked(name);
	pthread_mutex_unlock(&mz_lock);
	if (mz == NULL)
		dpx_errno = ENOENT;
	return mz;
}

int
dpx_memzone_free(const struct dpx_memzone *mz)
{
	void *addr;

	if (mz < zones || mz >= zones + DPX_MAX_MEMZONE)
		return -EINVAL;
	if (eal_mem_in_callback())
		return -EDEADLK; /* dpx_free would refuse: the zone must stay named */
	pthread_mutex_lock(&mz_lock);
	if (mz->name[0] == '\0') {
		pthread_mutex_unlock(&mz_lock);
		return -EINVAL;
	}
	addr = mz->addr;
	memset((struct dpx_memzone *)mz, 0, sizeof(*mz));
	pthread_mutex_unlock(&mz_lock);
	dpx_free(addr);
	return 0;
}

void
dpx_memzone_dump(FILE *f)
{
	pthread_mutex_lock(&mz_lock);
	for (unsigned int i = 0; i < DPX_MAX_MEMZONE; i++)
		if (zones[i].name[0] != '\0')
			fprintf(f, "memzone %s: addr %p iova 0x%" PRIx64 " len %zu socket %d flags 0x%x\n",
				zones[i].name, zones[i].addr, zones[i].iova, zones[i].len,
				zones[i].socket_id, zones[i].flags);
	pthread_mutex_unlock(&mz_lock);
}

void
eal_memzones_fini(void)
{
	pthread_mutex_lock(&mz_lock);
	for (unsigned int i = 0; i < DPX_MAX_MEMZONE; i++) {
		if (zones[i].name[0] != '\0')
			dpx_free(zones[i].addr);
		memset(&zones[i], 0, sizeof(zones[i]));
	}
	pthread_mutex_unlock(&mz_lock);
}
