/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * net_vhost's async queues: see eth_vhost_async.h for the devargs and who
 * owns an mbuf when. The data path is the vhost library's (dpx_vhost_async.h);
 * this file decides which vchan a queue uses, registers the queues' vrings
 * when the guest brings them up, keeps the mbufs vhost hands back, and
 * collects everything before a stop or a teardown lets the port forget it.
 */
#include <errno.h>
#include <inttypes.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>

#include <dpx_cycles.h>
#include <dpx_dmadev.h>
#include <dpx_mbuf.h>

#include "eth_vhost_async.h"

/* ---- dmas= ---- */

static int
entry_parse(const char *s, size_t len, uint16_t queues, struct vh_dmas_entry *e, char *why,
	    size_t whylen)
{
	const char *at = memchr(s, '@', len), *p = s + 3;
	unsigned long q = 0;

	if (len < 3 || (strncmp(s, "txq", 3) != 0 && strncmp(s, "rxq", 3) != 0)) {
		snprintf(why, whylen, "entry '%.*s' starts with neither txq nor rxq", (int)len, s);
		return -EINVAL;
	}
	if (at == NULL) {
		snprintf(why, whylen, "entry '%.*s' has no '@' before its DMA device", (int)len, s);
		return -EINVAL;
	}
	if (p == at) {
		snprintf(why, whylen, "entry '%.*s' has no queue number after %.3s", (int)len, s,
			 s);
		return -EINVAL;
	}
	for (; p < at; p++) {
		if (*p < '0' || *p > '9') {
			snprintf(why, whylen,
				 "entry '%.*s': the queue number is not a decimal number", (int)len,
				 s);
			return -EINVAL;
		}
		if (q < queues)
			q = q * 10 + (unsigned long)(*p - '0');
	}
	if (q >= queues) {
		snprintf(why, whylen, "entry '%.*s': queue %.*s out of range 0..%u (queues=%u)",
			 (int)len, s, (int)(at - s - 3), s + 3, queues - 1u, queues);
		return -EINVAL;
	}
	len -= (size_t)(at + 1 - s);
	if (len == 0 || len >= sizeof(e->dma)) {
		snprintf(why, whylen, "entry '%.*s': %s", (int)(at + 1 - s + len), s,
			 len == 0 ? "no DMA device after '@'"
				  : "DMA device name longer than 63 characters");
		return -EINVAL;
	}
	e->tx = s[0] == 't';
	e->queue = (uint16_t)q;
	memcpy(e->dma, at + 1, len);
	e->dma[len] = '\0';
	return 0;
}

int
vh_dmas_parse(const char *value, uint16_t queues, struct vh_dmas_entry *out, unsigned int cap,
	      char *why, size_t whylen)
{
	size_t len = strlen(value);
	const char *s, *end;
	unsigned int n = 0, k;

	if (len < 2 || value[0] != '[' || value[len - 1] != ']') {
		snprintf(why, whylen,
			 "expected [txqN@DMA;rxqN@DMA...] (brackets, ';' between entries)");
		return -EINVAL;
	}
	if (len == 2) {
		snprintf(why, whylen, "the list is empty");
		return -EINVAL;
	}
	if (value[len - 2] == ';') {
		snprintf(why, whylen, "an empty entry (';' doubled, first or last)");
		return -EINVAL;
	}
	for (s = value + 1; s < value + len - 1; s = end + 1) {
		end = memchr(s, ';', (size_t)(value + len - 1 - s));
		if (end == NULL)
			end = value + len - 1;
		if (end == s) {
			snprintf(why, whylen, "an empty entry (';' doubled, first or last)");
			return -EINVAL;
		}
		if (n == cap) {
			snprintf(why, whylen, "more than %u entries", cap);
			return -EINVAL;
		}
		if (entry_parse(s, (size_t)(end - s), queues, &out[n], why, whylen) < 0)
			return -EINVAL;
		for (k = 0; k < n; k++) {
			if (out[k].tx == out[n].tx && out[k].queue == out[n].queue) {
				snprintf(why, whylen, "%cxq%u is named twice",
					 out[n].tx ? 't' : 'r', out[n].queue);
				return -EINVAL;
			}
		}
		n++;
	}
	return (int)n;
}

/* ---- DMA devices ---- */

/*
 * What net_vhost ports do with each DMA device. A device no port uses yet
 * and that is not started is configured with one vchan per queue of the
 * first port that names it, and started; a started one is used as it is.
 * Queues take the device's vchans in turn, and share them when there are
 * more queues than vchans (vhost serializes its use of a vchan).
 */
static struct {
	unsigned int users; /* ports using the device */
	uint16_t nb_vchans;
	uint16_t next; /* the vchan the next queue gets */
	bool started_here;
} dma_use[DPX_DMADEV_MAX_DEVS];
static pthread_mutex_t dma_use_lock = PTHREAD_MUTEX_INITIALIZER;

static int
dma_start(int16_t id, uint16_t nb_vchans, uint16_t ring, const char *port, const char *dma)
{
	struct dpx_dma_vchan_conf vc = {.direction = DPX_DMA_DIR_MEM_TO_MEM, .nb_desc = ring};
	struct dpx_dma_conf conf = {.nb_vchans = nb_vchans};
	unsigned long errors = dpx_log_error_count();
	struct dpx_dma_info info;
	int rc = dpx_dma_info_get(id, &info);

	if (rc == 0)
		rc = dpx_dma_configure(id, &conf);
	if (rc == -EBUSY)
		return rc; /* started by someone else: used as it is */
	/* a power of two: what dma_sw and dma_edu take, and what vhost's job
	 * table assumes of a ring anyway */
	if (rc == 0 && (ring < info.min_desc || ring > info.max_desc || (ring & (ring - 1)) != 0)) {
		VH_LOG(ERR,
		       "%s: dma_ring_size=%u: DMA device %s refused it (it takes a power of two in "
		       "%u..%u)",
		       port, ring, dma, info.min_desc, info.max_desc);
		return -EINVAL;
	}
	for (uint16_t v = 0; rc == 0 && v < nb_vchans; v++)
		rc = dpx_dma_vchan_setup(id, v, &vc);
	if (rc == 0)
		rc = dpx_dma_start(id);
	if (rc < 0)
		DPX_LOG_UNSAID(errors, net_vhost_logtype,
			       "net_vhost: %s: cannot set up DMA device %s with %u vchans: %s",
			       port, dma, nb_vchans, dpx_strerror(rc));
	return rc;
}

/* A port takes a device for `queues` queues. @return 0 or -errno (logged). */
static int
dma_take(struct vh_async_port *a, int16_t id, unsigned int queues, bool ring_given, const char *dma)
{
	struct dpx_dma_info info;
	int rc = 0;

	pthread_mutex_lock(&dma_use_lock);
	if (dma_use[id].users == 0) {
		rc = dpx_dma_info_get(id, &info);
		if (rc == 0)
			rc = dma_start(id, (uint16_t)DPX_MIN(queues, info.max_vchans), a->ring_size,
				       a->name, dma);
		if (rc == 0) {
			dma_use[id].nb_vchans = (uint16_t)DPX_MIN(queues, info.max_vchans);
			dma_use[id].started_here = true;
		} else if (rc == -EBUSY && info.nb_vchans > 0) {
			dma_use[id].nb_vchans = info.nb_vchans;
			dma_use[id].started_here = false;
			rc = 0;
			if (ring_given)
				VH_LOG(WARNING,
				       "%s: dma_ring_size not applied: DMA device %s was started "
				       "before the port and keeps its rings",
				       a->name, dma);
		} else if (rc == -EBUSY) {
			rc = -EINVAL;
			VH_LOG(ERR, "%s: DMA device %s is started with no vchan", a->name, dma);
		}
		dma_use[id].next = 0;
	}
	if (rc == 0)
		dma_use[id].users++;
	pthread_mutex_unlock(&dma_use_lock);
	return rc;
}

static void
dma_put(int16_t id)
{
	pthread_mutex_lock(&dma_use_lock);
	if (dma_use[id].users > 0 && --dma_use[id].users == 0 && dpx_dma_is_valid(id)) {
		/* vchans vhost did not use (or no longer) answer -EINVAL: nothing to undo */
		for (uint16_t v = 0; v < dma_use[id].nb_vchans; v++)
			(void)dpx_vhost_async_dma_unconfigure(id, v);
		if (dma_use[id].started_here)
			dpx_dma_stop(id);
	}
	pthread_mutex_unlock(&dma_use_lock);
}

static uint16_t
dma_next_vchan(int16_t id)
{
	uint16_t v;

	pthread_mutex_lock(&dma_use_lock);
	v = (uint16_t)(dma_use[id].next++ % dma_use[id].nb_vchans);
	pthread_mutex_unlock(&dma_use_lock);
	return v;
}

/* Resolve, take and give each entry's queue a vchan. */
static int
dmas_apply(struct vh_async_port *a, const struct vh_dmas_entry *e, unsigned int n, bool ring_given,
	   const char *value)
{
	int16_t ids[2 * VH_MAX_QUEUES];
	unsigned int i, k, count;
	int rc;

	for (i = 0; i < n; i++) {
		rc = dpx_dma_get_dev_id_by_name(e[i].dma);
		if (rc < 0) {
			VH_LOG(ERR,
			       "%s: dmas=%s: no DMA device '%s' (create it first: --vdev %s,... "
			       "before this port, or -a <PCI address> for an edu engine)",
			       a->name, value, e[i].dma, e[i].dma);
			return -ENODEV;
		}
		ids[i] = (int16_t)rc;
	}
	for (i = 0; i < n; i++) {
		for (k = 0; k < a->ndmas && a->dmas[k] != ids[i]; k++)
			;
		if (k < a->ndmas)
			continue;
		for (count = 0, k = i; k < n; k++)
			count += ids[k] == ids[i];
		rc = dma_take(a, ids[i], count, ring_given, e[i].dma);
		if (rc < 0)
			return rc;
		a->dmas[a->ndmas++] = ids[i];
	}
	for (i = 0; i < n; i++) {
		struct vh_async_queue *q = e[i].tx ? &a->txq[e[i].queue] : &a->rxq[e[i].queue];

		q->dma_id = ids[i];
		q->vchan = dma_next_vchan(ids[i]);
		rc = dpx_vhost_async_dma_configure(q->dma_id, q->vchan);
		if (rc < 0)
			return rc; /* the library said why */
		VH_LOG(INFO, "%s: %cxq%u (vring %u) copies on DMA device %s (%d) vchan %u", a->name,
		       e[i].tx ? 't' : 'r', e[i].queue, q->vring, e[i].dma, q->dma_id, q->vchan);
	}
	a->any = true;
	return 0;
}

int
vh_async_setup(struct vh_async_port *a, const char *name, const struct dpx_kvargs *kv,
	       uint16_t queues)
{
	struct vh_dmas_entry e[2 * VH_MAX_QUEUES];
	const char *value = dpx_kvargs_get(kv, "dmas");
	bool ring_given = dpx_kvargs_get(kv, "dma_ring_size") != NULL;
	uint64_t ring, thr;
	char why[192];
	int rc, n;

	memset(a, 0, sizeof(*a));
	snprintf(a->name, sizeof(a->name), "%s", name);
	pthread_mutex_init(&a->lock, NULL);
	for (uint16_t q = 0; q < VH_MAX_QUEUES; q++) {
		a->rxq[q].dma_id = a->txq[q].dma_id = -1;
		a->rxq[q].vring = (uint16_t)(2 * q + 1);
		a->txq[q].vring = (uint16_t)(2 * q);
	}
	rc = dpx_kvargs_get_u64(kv, "dma_ring_size", VH_ASYNC_DEFAULT_RING, 1, UINT16_MAX, &ring);
	if (rc == 0)
		rc = dpx_kvargs_get_u64(kv, "dma_copy_threshold", 0, 0, UINT32_MAX, &thr);
	if (rc < 0)
		goto fail;
	a->ring_size = (uint16_t)ring;
	a->threshold = (uint32_t)thr;
	a->threshold_set = dpx_kvargs_get(kv, "dma_copy_threshold") != NULL;
	if (value == NULL) {
		if (ring_given || a->threshold_set)
			VH_LOG(WARNING,
			       "%s: dma_ring_size and dma_copy_threshold do nothing without dmas=",
			       name);
		return 0;
	}
	n = vh_dmas_parse(value, queues, e, DPX_DIM(e), why, sizeof(why));
	if (n < 0) {
		VH_LOG(ERR, "%s: dmas=%s: %s", name, value, why);
		rc = n;
		goto fail;
	}
	rc = dmas_apply(a, e, (unsigned int)n, ring_given, value);
	if (rc == 0)
		return 0;
fail:
	vh_async_release(a);
	return rc;
}

void
vh_async_release(struct vh_async_port *a)
{
	for (unsigned int i = 0; i < a->ndmas; i++)
		dma_put(a->dmas[i]);
	a->ndmas = 0;
	a->any = false;
	pthread_mutex_destroy(&a->lock);
}

/* ---- the queues' mbufs ---- */

static inline void
q_lock(struct vh_async_queue *q)
{
	/* acquire: pairs with q_unlock's release, so held and the library's
	 * vring state are seen as the last holder left them */
	while (__atomic_exchange_n(&q->lock, 1, __ATOMIC_ACQUIRE) != 0)
		dpx_pause();
}

static inline bool
q_trylock(struct vh_async_queue *q)
{
	return __atomic_load_n(&q->lock, __ATOMIC_RELAXED) == 0 &&
	       __atomic_exchange_n(&q->lock, 1, __ATOMIC_ACQUIRE) == 0;
}

static inline void
q_unlock(struct vh_async_queue *q)
{
	__atomic_store_n(&q->lock, 0, __ATOMIC_RELEASE);
}

/* held changes under the tx lock or with every gate closed; the rx side
 * reads it relaxed to skip a lock when nothing is in flight */
static inline void
held_sub(struct vh_async_queue *q, uint32_t k)
{
	__atomic_store_n(&q->held, q->held - DPX_MIN(k, q->held), __ATOMIC_RELAXED);
}

/* Free the tx packets whose copies completed. Caller holds the tx lock. */
static void
tx_reap(struct vh_async_queue *q, int vid)
{
	struct dpx_mbuf *done[VH_LIB_BURST];
	uint16_t k;

	do {
		k = dpx_vhost_poll_enqueue_completed(vid, q->vring, done, VH_LIB_BURST, q->dma_id,
						     q->vchan);
		dpx_pktmbuf_free_bulk(done, k);
		held_sub(q, k);
	} while (k == VH_LIB_BURST);
}

uint16_t
vh_async_tx(struct vh_async_queue *q, int vid, struct dpx_mbuf **pkts, uint16_t n, uint64_t *bytes)
{
	uint16_t done = 0, r, ask, i;
	uint64_t b = 0;

	q_lock(q);
	do {
		ask = (uint16_t)DPX_MIN(n - done, VH_LIB_BURST);
		r = dpx_vhost_submit_enqueue_burst(vid, q->vring, pkts + done, ask, q->dma_id,
						   q->vchan);
		done = (uint16_t)(done + r);
	} while (r == ask && done < n);
	/* vhost owns them now, but only tx_reap below frees them: still readable */
	for (i = 0; i < done; i++)
		b += pkts[i]->pkt_len;
	__atomic_store_n(&q->held, q->held + done, __ATOMIC_RELAXED);
	__atomic_store_n(&q->bursts, q->bursts + 1, __ATOMIC_RELAXED);
	if (q->held > 0)
		tx_reap(q, vid);
	q_unlock(q);
	*bytes = b;
	return done;
}

/* The tx queue of an rx queue's pair, when it has had no burst since the
 * last look: collect its completions (a busy tx queue collects its own). */
static void
collect_twin(struct vh_async_queue *rxq, struct vh_async_queue *txq, int vid)
{
	uint64_t b = __atomic_load_n(&txq->bursts, __ATOMIC_RELAXED);

	if (b != rxq->seen) {
		rxq->seen = b;
		return;
	}
	if (__atomic_load_n(&txq->held, __ATOMIC_RELAXED) == 0 || !q_trylock(txq))
		return;
	tx_reap(txq, vid);
	q_unlock(txq);
}

uint16_t
vh_async_rx(struct vh_async_queue *q, struct vh_async_queue *txq, int vid, struct dpx_mempool *mp,
	    struct dpx_mbuf **pkts, uint16_t n)
{
	uint16_t done = 0, r, ask;
	int inflight = -1;

	if (n > 0 && vh_async_on(q)) {
		do {
			ask = (uint16_t)DPX_MIN(n - done, VH_LIB_BURST);
			r = dpx_vhost_async_try_dequeue_burst(vid, q->vring, mp, pkts + done, ask,
							      &inflight, q->dma_id, q->vchan);
			done = (uint16_t)(done + r);
		} while (r == ask && done < n);
		if (inflight >= 0)
			__atomic_store_n(&q->held, (uint32_t)inflight, __ATOMIC_RELAXED);
	}
	if (txq->dma_id >= 0 && vh_async_on(txq))
		collect_twin(q, txq, vid);
	return done;
}

/*
 * Stop or teardown, every gate closed: take back every packet vhost holds
 * for the queue (the library completes the copies first), freeing them;
 * received ones are dropped (counted). Bounded: an engine that does not
 * complete in VH_ASYNC_COLLECT_MS leaves its packets to the library.
 * app: the application's stop, holding a->lock; the count vhost holds is
 * asked with a->lock released (it takes the vhost mutex, which the vhost
 * thread holds while it waits for a->lock in destroy_device), and a queue
 * that destroy_device unregistered meanwhile is left to it.
 */
static void
queue_collect(struct vh_async_port *a, struct vh_async_queue *q, int vid, bool rx, bool app)
{
	uint64_t deadline = dpx_get_time_ns() + VH_ASYNC_COLLECT_MS * UINT64_C(1000000);
	struct dpx_mbuf *pkts[VH_LIB_BURST];
	uint16_t k;
	int held;

	while (q->held > 0) {
		k = dpx_vhost_clear_queue(vid, q->vring, pkts, VH_LIB_BURST, q->dma_id, q->vchan);
		dpx_pktmbuf_free_bulk(pkts, k);
		if (rx)
			q->dropped += k;
		/* vhost's count, not ours less k: a packet dropped for a DMA error
		 * (a received one: its mbuf freed by vhost) returns no mbuf */
		if (app)
			pthread_mutex_unlock(&a->lock);
		held = dpx_vhost_async_get_inflight(vid, q->vring);
		if (app)
			pthread_mutex_lock(&a->lock);
		if (!q->on)
			return;
		if (held >= 0)
			__atomic_store_n(&q->held, (uint32_t)held, __ATOMIC_RELAXED);
		else
			held_sub(q, k);
		if (k > 0)
			continue;
		if (dpx_get_time_ns() >= deadline) {
			VH_LOG(ERR,
			       "%s: %cxq%u: %u packets still held by vhost after %u ms "
			       "(DMA %d vchan %u): left to the vhost library",
			       a->name, rx ? 'r' : 't', q->vring / 2, q->held, VH_ASYNC_COLLECT_MS,
			       q->dma_id, q->vchan);
			return;
		}
		sched_yield();
	}
}

/* ---- channels at the vhost callbacks ---- */

static void
queue_register(struct vh_async_port *a, struct vh_async_queue *q, int vid)
{
	int rc;

	if (q->dma_id < 0 || q->on)
		return;
	rc = dpx_vhost_async_channel_register(vid, q->vring);
	if (rc == 0)
		q->held = 0;
	else if (rc != -EEXIST) {
		/* the library said why; the queue carries its traffic sync */
		VH_LOG(ERR, "%s: vring %u (vid %d) stays sync: %s", a->name, q->vring, vid,
		       dpx_strerror(rc));
		return;
	}
	/* release: pairs with vh_async_on's acquire; bursts go async from now */
	__atomic_store_n(&q->on, 1, __ATOMIC_RELEASE);
}

static void
queue_unregister(struct vh_async_port *a, struct vh_async_queue *q, int vid, bool rx)
{
	struct dpx_vhost_async_stats st;
	int rc;

	if (!q->on)
		return;
	queue_collect(a, q, vid, rx, false);
	if (dpx_vhost_async_stats_get(vid, q->vring, &st, 0) == 0) {
		q->base.dma_copies += st.dma_copies;
		q->base.cpu_copies += st.cpu_copies;
		q->base.submitted += st.submitted;
		q->base.completed += st.completed;
		q->base.dma_errors += st.dma_errors;
	}
	rc = dpx_vhost_async_channel_unregister(vid, q->vring);
	if (rc < 0)
		VH_LOG(ERR, "%s: vring %u (vid %d): async channel left registered: %s", a->name,
		       q->vring, vid, dpx_strerror(rc));
	__atomic_store_n(&q->on, 0, __ATOMIC_RELEASE);
}

void
vh_async_new_device(struct vh_async_port *a, int vid)
{
	if (!a->any)
		return;
	pthread_mutex_lock(&a->lock);
	if (a->threshold_set)
		dpx_vhost_async_set_copy_threshold(vid, a->threshold);
	/* pair 0 runs now; other pairs' vrings register when enabled, if not set up yet */
	for (uint16_t q = 0; q < VH_MAX_QUEUES; q++) {
		if (dpx_vhost_vring_is_enabled(vid, a->txq[q].vring) == 1)
			queue_register(a, &a->txq[q], vid);
		if (dpx_vhost_vring_is_enabled(vid, a->rxq[q].vring) == 1)
			queue_register(a, &a->rxq[q], vid);
	}
	pthread_mutex_unlock(&a->lock);
}

void
vh_async_vring_enabled(struct vh_async_port *a, int vid, uint16_t vring)
{
	if (!a->any || vring >= 2 * VH_MAX_QUEUES)
		return;
	pthread_mutex_lock(&a->lock);
	queue_register(a, (vring & 1) ? &a->rxq[vring / 2] : &a->txq[vring / 2], vid);
	pthread_mutex_unlock(&a->lock);
}

void
vh_async_destroy_device(struct vh_async_port *a, int vid)
{
	if (!a->any)
		return;
	pthread_mutex_lock(&a->lock);
	for (uint16_t q = 0; q < VH_MAX_QUEUES; q++) {
		queue_unregister(a, &a->txq[q], vid, false);
		queue_unregister(a, &a->rxq[q], vid, true);
	}
	pthread_mutex_unlock(&a->lock);
}

void
vh_async_stop(struct vh_async_port *a, int vid)
{
	if (!a->any || vid < 0)
		return;
	pthread_mutex_lock(&a->lock);
	for (uint16_t q = 0; q < VH_MAX_QUEUES; q++) {
		if (a->txq[q].on)
			queue_collect(a, &a->txq[q], vid, false, true);
		if (a->rxq[q].on)
			queue_collect(a, &a->rxq[q], vid, true, true);
	}
	pthread_mutex_unlock(&a->lock);
}

/* ---- counters ---- */

void
vh_async_queue_stats(struct vh_async_queue *q, int vid, struct dpx_vhost_async_stats *out)
{
	struct dpx_vhost_async_stats cur;

	*out = q->base;
	out->in_flight = 0;
	if (vid >= 0 && vh_async_on(q) && dpx_vhost_async_stats_get(vid, q->vring, &cur, 0) == 0) {
		out->dma_copies += cur.dma_copies;
		out->cpu_copies += cur.cpu_copies;
		out->submitted += cur.submitted;
		out->completed += cur.completed;
		out->dma_errors += cur.dma_errors;
		out->in_flight = cur.in_flight;
	}
}

void
vh_async_add_stats(struct vh_async_port *a, uint64_t *imissed)
{
	for (uint16_t q = 0; a->any && q < VH_MAX_QUEUES; q++)
		if (a->rxq[q].dma_id >= 0)
			*imissed += a->rxq[q].dropped;
}

void
vh_async_stats_reset(struct vh_async_port *a, int vid)
{
	struct dpx_vhost_async_stats st;

	for (uint16_t q = 0; a->any && q < VH_MAX_QUEUES; q++) {
		struct vh_async_queue *qs[2] = {&a->rxq[q], &a->txq[q]};

		for (unsigned int d = 0; d < 2; d++) {
			memset(&qs[d]->base, 0, sizeof(qs[d]->base));
			qs[d]->dropped = 0;
			if (vid >= 0 && vh_async_on(qs[d]))
				dpx_vhost_async_stats_get(vid, qs[d]->vring, &st, 1);
		}
	}
}

static const char *const xstat_names[VH_ASYNC_XSTATS] = {
	"async_submitted_packets", "async_completed_packets", "async_inflight_packets",
	"async_dma_copies",	   "async_cpu_copies",	      "async_dma_errors",
};

unsigned int
vh_async_xstats(struct vh_async_port *a, int vid, unsigned int first,
		struct dpx_eth_xstat_name *names, struct dpx_eth_xstat *xs)
{
	struct dpx_vhost_async_stats st;
	unsigned int n = 0, d, k;

	for (d = 0; a->any && d < 2; d++) {
		for (uint16_t q = 0; q < VH_MAX_QUEUES; q++) {
			struct vh_async_queue *aq = d == 0 ? &a->rxq[q] : &a->txq[q];

			if (aq->dma_id < 0)
				continue;
			if (xs != NULL) {
				vh_async_queue_stats(aq, vid, &st);
				const uint64_t v[VH_ASYNC_XSTATS] = {
					st.submitted,  st.completed,  st.in_flight,
					st.dma_copies, st.cpu_copies, st.dma_errors,
				};
				for (k = 0; k < VH_ASYNC_XSTATS; k++)
					xs[n + k] = (struct dpx_eth_xstat){first + n + k, v[k]};
			}
			for (k = 0; names != NULL && k < VH_ASYNC_XSTATS; k++)
				snprintf(names[n + k].name, sizeof(names[0].name), "%s_q%u_%s",
					 d == 0 ? "rx" : "tx", q, xstat_names[k]);
			n += VH_ASYNC_XSTATS;
		}
	}
	return n;
}
