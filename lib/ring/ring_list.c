/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Named rings: create in EAL memory (dpx_zmalloc_socket), find by name, free.
 * The name list is guarded by one mutex; the data path never takes it.
 */
#include <errno.h>
#include <pthread.h>
#include <string.h>

#include <dpx_errno.h>
#include <dpx_malloc.h>

#include "ring_private.h"

static pthread_mutex_t ring_list_lock = PTHREAD_MUTEX_INITIALIZER;
static struct dpx_ring *ring_list; /* under ring_list_lock */

static struct dpx_ring *
find_locked(const char *name)
{
	for (struct dpx_ring *r = ring_list; r != NULL; r = r->next_registered)
		if (strncmp(r->name, name, DPX_RING_NAMESIZE) == 0)
			return r;
	return NULL;
}

static struct dpx_ring *
create_locked(const char *name, unsigned int count, int socket_id, unsigned int flags)
{
	ssize_t memsize = dpx_ring_get_memsize(count, flags);
	struct dpx_ring *r;
	int rc;

	if (memsize < 0) {
		dpx_errno = (int)-memsize;
		return NULL;
	}
	if (find_locked(name) != NULL) {
		RING_LOG(ERR, "create %s: a ring of that name exists", name);
		dpx_errno = EEXIST;
		return NULL;
	}
	r = dpx_zmalloc_socket("ring", (size_t)memsize, DPX_CACHE_LINE_SIZE, socket_id);
	if (r == NULL) {
		RING_LOG(ERR, "create %s: no memory for %zd bytes on socket %d", name, memsize,
			 socket_id);
		dpx_errno = ENOMEM;
		return NULL;
	}
	rc = dpx_ring_init(r, name, count, flags);
	if (rc < 0) { /* cannot happen after get_memsize accepted count and flags */
		dpx_free(r);
		dpx_errno = -rc;
		return NULL;
	}
	r->registered = true;
	r->next_registered = ring_list;
	ring_list = r;
	return r;
}

struct dpx_ring *
dpx_ring_create(const char *name, unsigned int count, int socket_id, unsigned int flags)
{
	struct dpx_ring *r;

	if (name == NULL || name[0] == '\0' ||
	    strnlen(name, DPX_RING_NAMESIZE) >= DPX_RING_NAMESIZE) {
		RING_LOG(ERR, "create: name %s is missing, empty or longer than %d characters",
			 name ? name : "NULL", DPX_RING_NAMESIZE - 1);
		dpx_errno = EINVAL;
		return NULL;
	}
	pthread_mutex_lock(&ring_list_lock);
	r = create_locked(name, count, socket_id, flags);
	pthread_mutex_unlock(&ring_list_lock);
	return r;
}

void
dpx_ring_free(struct dpx_ring *r)
{
	struct dpx_ring **p;

	if (r == NULL || !r->registered)
		return;
	pthread_mutex_lock(&ring_list_lock);
	for (p = &ring_list; *p != NULL; p = &(*p)->next_registered) {
		if (*p == r) {
			*p = r->next_registered;
			break;
		}
	}
	pthread_mutex_unlock(&ring_list_lock);
	dpx_free(r);
}

struct dpx_ring *
dpx_ring_lookup(const char *name)
{
	struct dpx_ring *r;

	if (name == NULL) {
		dpx_errno = EINVAL;
		return NULL;
	}
	pthread_mutex_lock(&ring_list_lock);
	r = find_locked(name);
	pthread_mutex_unlock(&ring_list_lock);
	if (r == NULL)
		dpx_errno = ENOENT;
	return r;
}

void
dpx_ring_list_dump(FILE *f)
{
	pthread_mutex_lock(&ring_list_lock);
	for (struct dpx_ring *r = ring_list; r != NULL; r = r->next_registered)
		dpx_ring_dump(f, r);
	pthread_mutex_unlock(&ring_list_lock);
}
