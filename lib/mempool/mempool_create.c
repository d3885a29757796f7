/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Mempool life cycle: create (memory, ring, lcore caches, object headers),
 * free, lookup by name, iteration and dump. The names are kept in an EAL
 * named list (dpx_named.h) whose mutex the data path (mempool.c) never takes.
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include <dpx_errno.h>
#include <dpx_malloc.h>
#include <dpx_named.h>

#include "mempool_private.h"

/* IOVA-contiguity is checked at this granularity (the smallest page size). */
#define IOVA_CHECK_PAGE 4096u

static struct dpx_named_list mempool_names = DPX_NAMED_LIST_INITIALIZER(DPX_MEMPOOL_NAMESIZE);

static int
check_args(const char *name, unsigned int n, unsigned int elt_size, unsigned int cache_size,
	   unsigned int flags)
{
	if (dpx_named_check(&mempool_names, name) != 0) {
		MEMPOOL_LOG(ERR, "create: name is NULL, empty or longer than %d characters",
			    DPX_MEMPOOL_NAMESIZE - 1);
		return -EINVAL;
	}
	if (n == 0 || n >= DPX_RING_SZ_MAX || elt_size == 0 || elt_size > (1u << 30)) {
		MEMPOOL_LOG(ERR, "create %s: %u objects of %u bytes: both must be >= 1 (and sane)",
			    name, n, elt_size);
		return -EINVAL;
	}
	/* a cache that can hold more than the pool would hide every object from the others */
	if (cache_size > DPX_MEMPOOL_CACHE_MAX_SIZE || (uint64_t)cache_size * 3 / 2 > n) {
		MEMPOOL_LOG(ERR, "create %s: cache size %u exceeds %u or 1.5 x it exceeds %u objects",
			    name, cache_size, DPX_MEMPOOL_CACHE_MAX_SIZE, n);
		return -EINVAL;
	}
	if (flags & ~DPX_MEMPOOL_F_MASK) {
		MEMPOOL_LOG(ERR, "create %s: unknown flags 0x%x", name, flags & ~DPX_MEMPOOL_F_MASK);
		return -EINVAL;
	}
	return 0;
}

/*
 * IOVA of an object if its elt_size bytes are IOVA-contiguous (checked at
 * every page boundary it crosses); DPX_BAD_IOVA when the memory has no IOVA.
 * Returns false for a slot that crosses a discontinuity.
 */
static bool
slot_iova(const void *obj, unsigned int elt_size, dpx_iova_t *iova)
{
	uintptr_t start = (uintptr_t)obj;
	uintptr_t off = DPX_ALIGN_CEIL(start + 1, (uintptr_t)IOVA_CHECK_PAGE) - start;

	*iova = dpx_mem_virt2iova(obj);
	if (*iova == DPX_BAD_IOVA)
		return true;
	for (; off < elt_size; off += IOVA_CHECK_PAGE)
		if (dpx_mem_virt2iova((const char *)obj + off) != *iova + off)
			return false;
	return true;
}

static void *
slot_obj(const struct dpx_mempool *mp, unsigned int slot)
{
	return (char *)mp->chunk + (size_t)slot * mp->total_elt_size + MEMPOOL_HEADER_SIZE;
}

/* Mark usable slots (header mp/iova); returns how many there are. */
static unsigned int
mark_slots(struct dpx_mempool *mp)
{
	unsigned int usable = 0;

	for (unsigned int s = 0; s < mp->nb_slots; s++) {
		void *obj = slot_obj(mp, s);
		struct mempool_objhdr *hdr = mempool_objhdr(obj);
		bool ok = usable < mp->size && slot_iova(obj, mp->elt_size, &hdr->iova);

		hdr->mp = ok ? mp : NULL;
		usable += ok;
	}
	return usable;
}

/*
 * Allocate the objects' memory. Slots that straddle an IOVA discontinuity
 * (possible with physical addresses) are skipped; when that leaves too few,
 * a larger block is tried.
 */
static int
alloc_objects(struct dpx_mempool *mp)
{
	unsigned int slots = mp->size;

	for (int attempt = 0; attempt < 4; attempt++) {
		size_t len = (size_t)slots * mp->total_elt_size;
		unsigned int usable;

		mp->chunk = dpx_malloc_socket("mempool", len, DPX_CACHE_LINE_SIZE, mp->socket_id);
		if (mp->chunk == NULL) {
			MEMPOOL_LOG(ERR, "create %s: no memory for %u objects (%zu bytes, socket %d)",
				    mp->name, slots, len, mp->socket_id);
			return -ENOMEM;
		}
		mp->nb_slots = slots;
		usable = mark_slots(mp);
		if (usable >= mp->size)
			return 0;
		dpx_free(mp->chunk);
		mp->chunk = NULL;
		slots = mp->size + (slots - usable) * 2 + 1;
	}
	MEMPOOL_LOG(ERR, "create %s: memory too fragmented in IOVA for %u objects of %u bytes",
		    mp->name, mp->size, mp->elt_size);
	return -ENOMEM;
}

static int
alloc_locals(struct dpx_mempool *mp)
{
	size_t len = sizeof(struct mempool_local) + (size_t)mp->cache_size * 3 * sizeof(void *);
	unsigned int lcore;

	DPX_LCORE_FOREACH(lcore) {
		struct mempool_local *l = dpx_zmalloc_socket("mempool", len, DPX_CACHE_LINE_SIZE,
							     mp->socket_id);
		if (l == NULL) {
			MEMPOOL_LOG(ERR, "create %s: no memory for the cache of lcore %u",
				    mp->name, lcore);
			return -ENOMEM;
		}
		l->size = mp->cache_size;
		l->flushthresh = mp->cache_size * 3 / 2;
		mp->local[lcore] = l;
	}
	return 0;
}

static int
alloc_ring(struct dpx_mempool *mp)
{
	unsigned int rflags = DPX_RING_F_EXACT_SZ;
	ssize_t sz;
	int rc;

	rflags |= (mp->flags & DPX_MEMPOOL_F_SP_PUT) ? DPX_RING_F_SP_ENQ : 0;
	rflags |= (mp->flags & DPX_MEMPOOL_F_SC_GET) ? DPX_RING_F_SC_DEQ : 0;
	sz = dpx_ring_get_memsize(mp->size, rflags);
	if (sz < 0)
		return (int)sz;
	mp->ring = dpx_malloc_socket("mempool", (size_t)sz, DPX_CACHE_LINE_SIZE, mp->socket_id);
	if (mp->ring == NULL) {
		MEMPOOL_LOG(ERR, "create %s: no memory for its ring (%zd bytes)", mp->name, sz);
		return -ENOMEM;
	}
	rc = dpx_ring_init(mp->ring, mp->name, mp->size, rflags);
	return rc;
}

static void
release(struct dpx_mempool *mp)
{
	for (unsigned int i = 0; i < DPX_MAX_LCORE; i++)
		dpx_free(mp->local[i]);
	dpx_free(mp->ring);
	dpx_free(mp->chunk);
	dpx_free(mp);
}

/* Call obj_init on each object and put them all in the ring. */
static void
fill(struct dpx_mempool *mp, dpx_mempool_obj_cb_t *obj_init, void *opaque)
{
	unsigned int idx = 0;

	for (unsigned int s = 0; s < mp->nb_slots; s++) {
		void *obj = slot_obj(mp, s);

		if (mempool_objhdr(obj)->mp != mp)
			continue;
		if (obj_init != NULL)
			obj_init(mp, opaque, obj, idx);
		mempool_ring_put(mp, &obj, 1);
		idx++;
	}
}

static struct dpx_mempool *
create(const char *name, unsigned int n, unsigned int elt_size, unsigned int cache_size,
	      unsigned int private_data_size, dpx_mempool_obj_cb_t *obj_init, void *opaque,
	      int socket_id, unsigned int flags)
{
	size_t len = sizeof(struct dpx_mempool) +
		     DPX_ALIGN_CEIL((size_t)private_data_size, (size_t)DPX_CACHE_LINE_SIZE);
	struct dpx_mempool *mp;
	void *old;
	int rc;

	/* a taken name is refused before any memory is allocated; add re-checks */
	if (dpx_named_lookup(&mempool_names, name, &old) == 0) {
		MEMPOOL_LOG(ERR, "create %s: a mempool of that name exists", name);
		return dpx_errno = EEXIST, NULL;
	}
	mp = dpx_zmalloc_socket("mempool", len, DPX_CACHE_LINE_SIZE, socket_id);
	if (mp == NULL) {
		MEMPOOL_LOG(ERR, "create %s: no memory for the pool header (%zu bytes)", name, len);
		return dpx_errno = ENOMEM, NULL;
	}
	strcpy(mp->name, name);
	mp->size = n;
	mp->elt_size = elt_size;
	mp->total_elt_size = MEMPOOL_HEADER_SIZE + DPX_ALIGN_CEIL(elt_size, DPX_CACHE_LINE_SIZE);
	mp->cache_size = cache_size;
	mp->private_data_size = private_data_size;
	mp->flags = flags;
	mp->socket_id = socket_id;
	rc = alloc_ring(mp);
	if (rc == 0)
		rc = alloc_locals(mp);
	if (rc == 0)
		rc = alloc_objects(mp);
	if (rc != 0) {
		release(mp);
		return dpx_errno = -rc, NULL;
	}
	fill(mp, obj_init, opaque);
	rc = dpx_named_add(&mempool_names, name, mp);
	if (rc != 0) { /* EEXIST: another thread took the name meanwhile; or ENOMEM */
		MEMPOOL_LOG(ERR, "create %s: %s", name, dpx_strerror(-rc));
		release(mp);
		return dpx_errno = -rc, NULL;
	}
	return mp;
}

struct dpx_mempool *
dpx_mempool_create(const char *name, unsigned int n, unsigned int elt_size,
		   unsigned int cache_size, unsigned int private_data_size,
		   dpx_mempool_obj_cb_t *obj_init, void *opaque, int socket_id, unsigned int flags)
{
	int rc = check_args(name, n, elt_size, cache_size, flags);

	if (rc != 0) {
		dpx_errno = -rc;
		return NULL;
	}
	return create(name, n, elt_size, cache_size, private_data_size, obj_init, opaque,
		      socket_id, flags);
}

void
dpx_mempool_free(struct dpx_mempool *mp)
{
	if (mp == NULL)
		return;
	dpx_named_remove(&mempool_names, mp);
	release(mp);
}

struct dpx_mempool *
dpx_mempool_lookup(const char *name)
{
	void *mp = NULL;
	int rc = dpx_named_lookup(&mempool_names, name, &mp);

	if (rc < 0)
		dpx_errno = -rc;
	return mp;
}

uint32_t
dpx_mempool_obj_iter(struct dpx_mempool *mp,
		     void (*fn)(struct dpx_mempool *mp, void *arg, void *obj, unsigned int idx),
		     void *arg)
{
	uint32_t idx = 0;

	for (unsigned int s = 0; s < mp->nb_slots; s++) {
		void *obj = slot_obj(mp, s);

		if (mempool_objhdr(obj)->mp != mp)
			continue;
		if (fn != NULL)
			fn(mp, arg, obj, idx);
		idx++;
	}
	return idx;
}

void *
dpx_mempool_get_priv(struct dpx_mempool *mp)
{
	return (char *)mp + sizeof(*mp);
}

const char *
dpx_mempool_get_name(const struct dpx_mempool *mp)
{
	return mp->name;
}

unsigned int
dpx_mempool_get_size(const struct dpx_mempool *mp)
{
	return mp->size;
}

unsigned int
dpx_mempool_get_elt_size(const struct dpx_mempool *mp)
{
	return mp->elt_size;
}

unsigned int
dpx_mempool_get_cache_size(const struct dpx_mempool *mp)
{
	return mp->cache_size;
}

unsigned int
dpx_mempool_get_private_data_size(const struct dpx_mempool *mp)
{
	return mp->private_data_size;
}

void
dpx_mempool_dump(FILE *f, struct dpx_mempool *mp)
{
	struct dpx_mempool_stats st;

	if (mp == NULL) {
		fprintf(f, "mempool: NULL\n");
		return;
	}
	fprintf(f, "mempool <%s>@%p\n", mp->name, (void *)mp);
	fprintf(f, "  flags=0x%x socket_id=%d size=%u elt_size=%u total_elt_size=%u slots=%u\n",
		mp->flags, mp->socket_id, mp->size, mp->elt_size, mp->total_elt_size, mp->nb_slots);
	fprintf(f, "  private_data_size=%u cache_size=%u chunk=%p\n", mp->private_data_size,
		mp->cache_size, mp->chunk);
	fprintf(f, "  avail=%u in_use=%u in_ring=%u\n", dpx_mempool_avail_count(mp),
		dpx_mempool_in_use_count(mp), dpx_ring_count(mp->ring));
	for (unsigned int i = 0; i < DPX_MAX_LCORE; i++)
		if (mp->local[i] != NULL && mp->cache_size > 0)
			fprintf(f, "  cache lcore %u: len=%u\n", i, dpx_mempool_cache_count(mp, i));
	dpx_mempool_stats_get(mp, &st);
	fprintf(f, "  stats: put_bulk=%" PRIu64 " put_objs=%" PRIu64 " put_cache_objs=%" PRIu64
		"\n         get_success_bulk=%" PRIu64 " get_success_objs=%" PRIu64
		" get_cache_objs=%" PRIu64 "\n         get_fail_bulk=%" PRIu64
		" get_fail_objs=%" PRIu64 "\n",
		st.put_bulk, st.put_objs, st.put_cache_objs, st.get_success_bulk,
		st.get_success_objs, st.get_cache_objs, st.get_fail_bulk, st.get_fail_objs);
}

static void
dump_one(const char *name, void *mp, void *f)
{
	(void)name;
	dpx_mempool_dump(f, mp);
}

void
dpx_mempool_list_dump(FILE *f)
{
	dpx_named_walk(&mempool_names, dump_one, f);
}
