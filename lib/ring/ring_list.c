/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Named rings: create in EAL memory (dpx_zmalloc_socket), find by name, free.
 * The names are kept in an EAL named list (dpx_named.h) whose mutex the data
 * path never takes.
 */
#include <errno.h>
#include <string.h>

#include <dpx_errno.h>
#include <dpx_malloc.h>
#include <dpx_named.h>

#include "ring_private.h"

static struct dpx_named_list ring_names = DPX_NAMED_LIST_INITIALIZER(DPX_RING_NAMESIZE);

static struct dpx_ring *
create(const char *name, unsigned int count, int socket_id, unsigned int flags)
{
	ssize_t memsize = dpx_ring_get_memsize(count, flags);
	struct dpx_ring *r;
	void *old;
	int rc;

	if (memsize < 0) {
		dpx_errno = (int)-memsize;
		return NULL;
	}
	/* a taken name is refused before any memory is allocated; add re-checks */
	if (dpx_named_lookup(&ring_names, name, &old) == 0) {
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
	rc = dpx_ring_init(r, name, count, flags); /* cannot fail: memsize accepted count, flags */
	if (rc == 0)
		rc = dpx_named_add(&ring_names, name, r);
	if (rc < 0) {
		RING_LOG(ERR, "create %s: %s", name, dpx_strerror(-rc));
		dpx_free(r);
		dpx_errno = -rc;
		return NULL;
	}
	r->registered = true;
	return r;
}

struct dpx_ring *
dpx_ring_create(const char *name, unsigned int count, int socket_id, unsigned int flags)
{
	if (dpx_named_check(&ring_names, name) != 0) {
		RING_LOG(ERR, "create: name %s is missing, empty or longer than %d characters",
			 name ? name : "NULL", DPX_RING_NAMESIZE - 1);
		dpx_errno = EINVAL;
		return NULL;
	}
	return create(name, count, socket_id, flags);
}

void
dpx_ring_free(struct dpx_ring *r)
{
	if (r == NULL || !r->registered)
		return;
	dpx_named_remove(&ring_names, r);
	dpx_free(r);
}

struct dpx_ring *
dpx_ring_lookup(const char *name)
{
	void *r = NULL;
	int rc = dpx_named_lookup(&ring_names, name, &r);

	if (rc < 0)
		dpx_errno = -rc;
	return r;
}

static void
dump_one(const char *name, void *r, void *f)
{
	(void)name;
	dpx_ring_dump(f, r);
}

void
dpx_ring_list_dump(FILE *f)
{
	dpx_named_walk(&ring_names, dump_one, f);
}
