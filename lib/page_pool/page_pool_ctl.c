/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Page pool life cycle: create (memory, ring, counter lines, a home id),
 * drain, destroy (at once, or once the buffers in flight are home), the
 * named list, counters and the helpers drivers share (devargs, xstats).
 * Nothing here runs on the data path; the list lock is held for create,
 * destroy, lookup and walk.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dpx_errno.h>
#include <dpx_named.h>

#include "page_pool_private.h"

static struct dpx_named_list pools = DPX_NAMED_LIST_INITIALIZER(DPX_PAGE_POOL_NAMESIZE);
/* destroyed pools with buffers in flight; under zombies_lock */
static struct dpx_page_pool *zombies;
static pthread_mutex_t zombies_lock = PTHREAD_MUTEX_INITIALIZER;

static const char *const stat_names[DPX_PAGE_POOL_NB_STATS] = {
	"alloc_fast",	      "alloc_slow",
	"alloc_empty",	      "alloc_refill",
	"alloc_waive",	      "recycle_cached",
	"recycle_cache_full", "recycle_ring",
	"recycle_ring_full",  "recycle_released_refcnt",
	"in_flight",
};
_Static_assert(sizeof(struct dpx_page_pool_stats) == DPX_PAGE_POOL_NB_STATS * sizeof(uint64_t),
	       "one name per counter");

const char *
dpx_page_pool_stat_name(unsigned int i)
{
	return i < DPX_PAGE_POOL_NB_STATS ? stat_names[i] : NULL;
}

/*
 * A pool's own memory is the C heap, not the EAL's: a pool destroyed with
 * buffers in flight may outlive dpx_eal_cleanup (its buffers' mempool is
 * the application's), and must stay valid for as long as the list holds it.
 */
static void *
zalloc_aligned(size_t len)
{
	void *p = NULL;

	if (posix_memalign(&p, DPX_CACHE_LINE_SIZE, len) != 0)
		return NULL;
	memset(p, 0, len);
	return p;
}

static void
pool_free(struct dpx_page_pool *pp)
{
	if (pp->home_id != 0)
		dpx_mbuf_home_unregister(pp->home_id);
	free(pp->local_block);
	free(pp->ring);
	free(pp);
}

/* One counter line per lcore enabled now (others count on the shared line). */
static int
alloc_locals(struct dpx_page_pool *pp)
{
	unsigned int lcore, n = 0;

	DPX_LCORE_FOREACH (lcore)
		n++;
	pp->local_block = zalloc_aligned(n * sizeof(struct pp_recycle_counters));
	if (pp->local_block == NULL)
		return -ENOMEM;
	n = 0;
	DPX_LCORE_FOREACH (lcore)
		pp->local[lcore] = &pp->local_block[n++];
	return 0;
}

static int
alloc_ring(struct dpx_page_pool *pp)
{
	/* any thread frees; only allocations (one thread at a time) dequeue */
	unsigned int flags = DPX_RING_F_EXACT_SZ | DPX_RING_F_SC_DEQ;
	ssize_t sz = dpx_ring_get_memsize(pp->size, flags);

	if (sz < 0)
		return (int)sz;
	pp->ring = zalloc_aligned((size_t)sz);
	if (pp->ring == NULL)
		return -ENOMEM;
	return dpx_ring_init(pp->ring, "page_pool", pp->size, flags);
}

static int
check_params(const struct dpx_page_pool_params *p)
{
	if (p == NULL || p->mp == NULL || dpx_named_check(&pools, p->name) != 0) {
		PP_LOG(ERR, "create: params, mempool and a name of 1..%d characters are required",
		       DPX_PAGE_POOL_NAMESIZE - 1);
		return -EINVAL;
	}
	if (p->size != 0 &&
	    (p->size < DPX_PAGE_POOL_SIZE_MIN || p->size > DPX_PAGE_POOL_SIZE_MAX)) {
		PP_LOG(ERR, "create %s: size %u outside %u..%u", p->name, p->size,
		       DPX_PAGE_POOL_SIZE_MIN, DPX_PAGE_POOL_SIZE_MAX);
		return -EINVAL;
	}
	return 0;
}

static void reap_zombies(void);

struct dpx_page_pool *
dpx_page_pool_create(const struct dpx_page_pool_params *params)
{
	struct dpx_page_pool *pp;
	int rc = check_params(params);

	if (rc != 0)
		return dpx_errno = -rc, NULL;
	reap_zombies();
	pp = zalloc_aligned(sizeof(*pp));
	if (pp == NULL) {
		PP_LOG(ERR, "create %s: no memory", params->name);
		return dpx_errno = ENOMEM, NULL;
	}
	snprintf(pp->name, sizeof(pp->name), "%s", params->name);
	pp->mp = params->mp;
	pp->size = params->size != 0 ? params->size : DPX_PAGE_POOL_SIZE_DEFAULT;
	pp->owner = PP_NO_OWNER;
	pp->home.put = pp_home_put;
	pp->home.shared = pp_home_shared;
	rc = alloc_ring(pp);
	if (rc == 0)
		rc = alloc_locals(pp);
	if (rc != 0)
		PP_LOG(ERR, "create %s: no memory for a ring of %u and the counters", pp->name,
		       pp->size);
	if (rc == 0) {
		rc = dpx_mbuf_home_register(&pp->home);
		pp->home_id = rc > 0 ? (uint16_t)rc : 0;
		rc = rc > 0 ? 0 : rc;
	}
	if (rc == 0 && (rc = dpx_named_add(&pools, pp->name, pp)) != 0)
		PP_LOG(ERR, "create %s: %s", pp->name, dpx_strerror(rc));
	if (rc != 0) {
		pool_free(pp);
		return dpx_errno = -rc, NULL;
	}
	PP_LOG(DEBUG, "%s: created over %s, ring of %u, home id %u", pp->name,
	       dpx_mempool_get_name(pp->mp), pp->size, pp->home_id);
	return pp;
}

unsigned int
dpx_page_pool_drain(struct dpx_page_pool *pp)
{
	struct dpx_mbuf *batch[64];
	unsigned int n, total;

	/* stop first: frees from now on see active 0 and go to the mempool */
	__atomic_store_n(&pp->active, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&pp->owner, PP_NO_OWNER, __ATOMIC_RELAXED);
	total = pp->cache_len;
	pp_release(pp, pp->cache, pp->cache_len);
	pp_cache_len_set(pp, 0);
	while ((n = dpx_ring_dequeue_burst(pp->ring, (void **)batch, DPX_DIM(batch), NULL)) > 0) {
		pp_release(pp, batch, n);
		total += n;
	}
	return total;
}

/* A zombie whose buffers are all home: no free touches it any more. */
static bool
all_home(const struct dpx_page_pool *pp)
{
	struct dpx_page_pool_stats st;

	pp_counters_read(pp, &st);
	return st.in_flight == 0;
}

static void
reap_zombies(void)
{
	pthread_mutex_lock(&zombies_lock);
	for (struct dpx_page_pool **z = &zombies; *z != NULL;) {
		struct dpx_page_pool *pp = *z;
		if (!all_home(pp)) {
			z = &pp->next_zombie;
			continue;
		}
		/* a free that saw the pool active before it was destroyed may
		 * have put a buffer on the ring */
		dpx_page_pool_drain(pp);
		*z = pp->next_zombie;
		PP_LOG(DEBUG, "%s: its last buffer is home, memory released", pp->name);
		pool_free(pp);
	}
	pthread_mutex_unlock(&zombies_lock);
}

void
dpx_page_pool_destroy(struct dpx_page_pool *pp)
{
	if (pp == NULL)
		return;
	dpx_named_remove(&pools, pp);
	dpx_page_pool_drain(pp);
	pp->dying = true;
	pthread_mutex_lock(&zombies_lock);
	pp->next_zombie = zombies;
	zombies = pp;
	pthread_mutex_unlock(&zombies_lock);
	if (!all_home(pp))
		PP_LOG(INFO,
		       "%s: destroyed with buffers in flight: they go to %s as they are freed",
		       pp->name, dpx_mempool_get_name(pp->mp));
	reap_zombies();
}

/* ---- counters and state ---- */

int
dpx_page_pool_stats_get(const struct dpx_page_pool *pp, struct dpx_page_pool_stats *stats)
{
	uint64_t *v = (uint64_t *)stats;
	const uint64_t *b = (const uint64_t *)&pp->base;

	if (pp == NULL || stats == NULL)
		return -EINVAL;
	pp_counters_read(pp, stats);
	/* every field but in_flight (the last) counts since the reset */
	for (unsigned int i = 0; i + 1 < DPX_PAGE_POOL_NB_STATS; i++)
		v[i] -= __atomic_load_n(&b[i], __ATOMIC_RELAXED);
	return 0;
}

void
dpx_page_pool_stats_reset(struct dpx_page_pool *pp)
{
	struct dpx_page_pool_stats now;
	uint64_t *b = (uint64_t *)&pp->base;

	/* the data path keeps counting: the reset moves the base, as ethdev's
	 * software counters do, and never races with an increment */
	pp_counters_read(pp, &now);
	for (unsigned int i = 0; i < DPX_PAGE_POOL_NB_STATS; i++)
		__atomic_store_n(&b[i], ((const uint64_t *)&now)[i], __ATOMIC_RELAXED);
}

int
dpx_page_pool_info_get(const struct dpx_page_pool *pp, struct dpx_page_pool_info *info)
{
	uint32_t owner;

	if (pp == NULL || info == NULL)
		return -EINVAL;
	owner = __atomic_load_n(&pp->owner, __ATOMIC_RELAXED);
	*info = (struct dpx_page_pool_info){
		.name = pp->name,
		.mp = pp->mp,
		.size = pp->size,
		.cache_count = __atomic_load_n(&pp->cache_len, __ATOMIC_RELAXED),
		.ring_count = dpx_ring_count(pp->ring),
		.owner_lcore = owner == PP_NO_OWNER ? DPX_LCORE_ID_ANY : owner,
		.active = __atomic_load_n(&pp->active, __ATOMIC_RELAXED) != 0,
		.home_id = pp->home_id,
	};
	return 0;
}

struct dpx_mempool *
dpx_page_pool_mempool(const struct dpx_page_pool *pp)
{
	return pp->mp;
}

struct dpx_page_pool *
dpx_page_pool_lookup(const char *name)
{
	void *obj;
	int rc = dpx_named_lookup(&pools, name, &obj);

	if (rc != 0)
		return dpx_errno = -rc, NULL;
	return obj;
}

struct walk_arg {
	void (*fn)(struct dpx_page_pool *pp, void *arg);
	void *arg;
};

static void
walk_one(const char *name, void *obj, void *arg)
{
	struct walk_arg *w = arg;

	(void)name;
	w->fn(obj, w->arg);
}

void
dpx_page_pool_walk(void (*fn)(struct dpx_page_pool *pp, void *arg), void *arg)
{
	struct walk_arg w = {fn, arg};

	dpx_named_walk(&pools, walk_one, &w);
}

/* ---- for drivers ---- */

int
dpx_page_pool_kvargs(const struct dpx_kvargs *kv, const char *devname, bool *enabled,
		     unsigned int *size)
{
	uint64_t sz;
	int rc = dpx_kvargs_get_bool(kv, "page_pool", true, enabled);

	if (rc == 0)
		rc = dpx_kvargs_get_u64(kv, "pp_size", DPX_PAGE_POOL_SIZE_DEFAULT,
					DPX_PAGE_POOL_SIZE_MIN, DPX_PAGE_POOL_SIZE_MAX, &sz);
	if (rc != 0) {
		PP_LOG(ERR, "%s: page_pool=0|1, pp_size=%u..%u", devname, DPX_PAGE_POOL_SIZE_MIN,
		       DPX_PAGE_POOL_SIZE_MAX);
		return -EINVAL;
	}
	*size = (unsigned int)sz;
	return 0;
}

struct dpx_page_pool *
dpx_page_pool_create_rxq(const char *port_name, uint16_t queue_id, struct dpx_mempool *mp,
			 unsigned int size)
{
	char name[DPX_PAGE_POOL_NAMESIZE];
	struct dpx_page_pool_params prm = {.name = name, .mp = mp, .size = size};

	snprintf(name, sizeof(name), "%s_rxq%u", port_name, queue_id);
	return dpx_page_pool_create(&prm);
}

unsigned int
dpx_page_pool_eth_xstats(struct dpx_page_pool *const *pools_of, uint16_t nb_queues,
			 struct dpx_eth_xstat_name *names, struct dpx_eth_xstat *values,
			 unsigned int size, unsigned int first_id)
{
	unsigned int count = 0, k = 0;
	struct dpx_page_pool_stats st;

	for (uint16_t q = 0; q < nb_queues; q++)
		count += pools_of[q] != NULL ? DPX_PAGE_POOL_NB_STATS : 0;
	if (count > size)
		return count;
	for (uint16_t q = 0; q < nb_queues; q++) {
		if (pools_of[q] == NULL)
			continue;
		dpx_page_pool_stats_get(pools_of[q], &st);
		for (unsigned int i = 0; i < DPX_PAGE_POOL_NB_STATS; i++, k++) {
			if (names != NULL)
				snprintf(names[k].name, sizeof(names[k].name), "rx_q%u_pp_%s", q,
					 stat_names[i]);
			if (values != NULL)
				values[k] = (struct dpx_eth_xstat){first_id + k,
								   ((const uint64_t *)&st)[i]};
		}
	}
	return count;
}
