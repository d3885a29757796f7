/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Packet buffers: pool creation (each mempool object becomes an mbuf with its
 * data room after it), alloc/free honouring reference counts, chains, reads
 * across segments, checks and dump.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <string.h>

#include <dpx_errno.h>
#include <dpx_log.h>
#include <dpx_mbuf.h>
#include <dpx_mbuf_home.h>

DPX_LOG_REGISTER(mbuf_logtype, "lib.mbuf");
#define MBUF_LOG(level, fmt, ...) DPX_LOG(level, mbuf_logtype, "mbuf: " fmt, ##__VA_ARGS__)

/* The fast-path fields fill the first cache line; chaining and TX metadata the second. */
_Static_assert(sizeof(struct dpx_mbuf) == 2 * 64, "struct dpx_mbuf is two 64-byte lines");
_Static_assert(offsetof(struct dpx_mbuf, next) == 64, "next starts the second line");

/* Objects of a pktmbuf pool: construct each mbuf once, at pool creation. */
static void
pktmbuf_obj_init(struct dpx_mempool *mp, void *opaque, void *obj, unsigned int idx)
{
	const struct dpx_pktmbuf_pool_private *p = opaque;
	struct dpx_mbuf *m = obj;
	size_t hdr = sizeof(*m) + p->mbuf_priv_size;
	dpx_iova_t iova = dpx_mempool_virt2iova(obj);

	(void)idx;
	memset(m, 0, hdr);
	m->priv_size = p->mbuf_priv_size;
	m->buf_addr = (char *)m + hdr;
	m->buf_iova = iova == DPX_BAD_IOVA ? DPX_BAD_IOVA : iova + hdr;
	m->buf_len = p->mbuf_data_room_size;
	m->pool = mp;
	m->refcnt = 1; /* free mbufs have refcnt 1 (see dpx_pktmbuf_prefree_seg) */
	dpx_pktmbuf_reset(m);
}

struct dpx_mempool *
dpx_pktmbuf_pool_create(const char *name, unsigned int n, unsigned int cache_size,
			uint16_t priv_size, uint16_t data_room_size, int socket_id)
{
	struct dpx_pktmbuf_pool_private p = {data_room_size, priv_size, 0};
	struct dpx_mempool *mp;

	if (priv_size % 8 != 0) {
		MBUF_LOG(ERR, "pool %s: priv_size %u is not a multiple of 8", name ? name : "",
			 priv_size);
		dpx_errno = EINVAL;
		return NULL;
	}
	mp = dpx_mempool_create(name, n, (unsigned int)sizeof(struct dpx_mbuf) + priv_size +
					      data_room_size,
				cache_size, sizeof(p), pktmbuf_obj_init, &p, socket_id, 0);
	if (mp == NULL)
		return NULL; /* dpx_errno and the log line come from dpx_mempool_create */
	memcpy(dpx_mempool_get_priv(mp), &p, sizeof(p));
	return mp;
}

uint16_t
dpx_pktmbuf_data_room_size(struct dpx_mempool *mp)
{
	return ((const struct dpx_pktmbuf_pool_private *)dpx_mempool_get_priv(mp))
		->mbuf_data_room_size;
}

uint16_t
dpx_pktmbuf_priv_size(struct dpx_mempool *mp)
{
	return ((const struct dpx_pktmbuf_pool_private *)dpx_mempool_get_priv(mp))->mbuf_priv_size;
}

/*
 * The exported functions are interposable symbols of a shared library, so
 * calls between them inside libdpx go through the PLT and are never inlined.
 * The per-packet loops (alloc_bulk, free, free_bulk) use the inline copies
 * (dpx_mbuf_reset_inline, mbuf_prefree) instead: that removed two calls per
 * packet from the io forwarding loop.
 */
void
dpx_pktmbuf_reset(struct dpx_mbuf *m)
{
	dpx_mbuf_reset_inline(m);
}

struct dpx_mbuf *
dpx_pktmbuf_alloc(struct dpx_mempool *mp)
{
	void *obj;

	if (dpx_mempool_get(mp, &obj) != 0) {
		dpx_errno = ENOENT;
		return NULL;
	}
	dpx_mbuf_reset_inline(obj);
	return obj;
}

int
dpx_pktmbuf_alloc_bulk(struct dpx_mempool *mp, struct dpx_mbuf **mbufs, unsigned int n)
{
	int rc = dpx_mempool_get_bulk(mp, (void **)mbufs, n);

	if (rc != 0)
		return rc;
	for (unsigned int i = 0; i < n; i++)
		dpx_mbuf_reset_inline(mbufs[i]);
	return 0;
}

/* ---- homes (dpx_mbuf_home.h) ---- */

struct dpx_mbuf_home *dpx_mbuf_homes[DPX_MBUF_HOME_MAX];
static pthread_mutex_t homes_lock = PTHREAD_MUTEX_INITIALIZER;

int
dpx_mbuf_home_register(struct dpx_mbuf_home *home)
{
	int id = -ENOSPC;

	if (home == NULL || home->put == NULL || home->shared == NULL)
		return -EINVAL;
	pthread_mutex_lock(&homes_lock);
	for (int i = 1; i < DPX_MBUF_HOME_MAX && id < 0; i++)
		if (dpx_mbuf_homes[i] == NULL)
			id = i;
	if (id > 0)
		__atomic_store_n(&dpx_mbuf_homes[id], home, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&homes_lock);
	if (id < 0)
		MBUF_LOG(ERR, "home register: all %d ids are taken", DPX_MBUF_HOME_MAX - 1);
	return id;
}

int
dpx_mbuf_home_unregister(uint16_t id)
{
	int rc = -EINVAL;

	pthread_mutex_lock(&homes_lock);
	if (id > 0 && id < DPX_MBUF_HOME_MAX && dpx_mbuf_homes[id] != NULL) {
		__atomic_store_n(&dpx_mbuf_homes[id], NULL, __ATOMIC_RELAXED);
		rc = 0;
	}
	pthread_mutex_unlock(&homes_lock);
	return rc;
}

static inline struct dpx_mbuf_home *
home_of(const struct dpx_mbuf *m)
{
	return dpx_mbuf_homes[m->home_id];
}

/* Segments of one home (home_id != 0) whose last reference went. */
static inline void
home_put(struct dpx_mbuf *const *segs, unsigned int n)
{
	struct dpx_mbuf_home *h = home_of(segs[0]);

	h->put(h, segs, n);
}

/* Last reference (or not) of one segment, then back to its pool or its home. */
static inline struct dpx_mbuf *
mbuf_prefree(struct dpx_mbuf *m)
{
	/* ACQUIRE: partner of the ACQ_REL decrement by the owner that took the
	 * count from 2 to 1: its writes happen before we recycle the segment. A
	 * count of 1 means we are the only owner: nobody can race this path. */
	if (__atomic_load_n(&m->refcnt, __ATOMIC_ACQUIRE) != 1) {
		if (dpx_mbuf_refcnt_update(m, -1) != 0) {
			if (dpx_unlikely(m->home_id != 0))
				home_of(m)->shared(home_of(m));
			return NULL;
		}
		dpx_mbuf_refcnt_set(m, 1);
	}
	/* last reference: back to the state of a free mbuf. An unchained
	 * segment has nb_segs 1 already; not writing the second cache line
	 * then saves a store (and a dirty line) per packet. */
	if (m->next != NULL) {
		m->next = NULL;
		m->nb_segs = 1;
	}
	return m;
}

/* Out of line so the common path keeps no stack slot for &m. */
static __attribute__((noinline, cold)) void
home_put_one(struct dpx_mbuf *m)
{
	home_put(&m, 1);
}

/* A segment whose last reference went: home_id 0 is the one test an mbuf
 * without a page pool pays (a field of the line prefree just read). */
static inline void
seg_put(struct dpx_mbuf *m)
{
	if (dpx_likely(m->home_id == 0))
		dpx_mempool_put(m->pool, m);
	else
		home_put_one(m);
}

struct dpx_mbuf *
dpx_pktmbuf_prefree_seg(struct dpx_mbuf *m)
{
	return mbuf_prefree(m);
}

void
dpx_mbuf_raw_free(struct dpx_mbuf *m)
{
	dpx_mbuf_refcnt_set(m, 1);
	m->next = NULL;
	m->nb_segs = 1;
	seg_put(m);
}

void
dpx_pktmbuf_free(struct dpx_mbuf *m)
{
	while (m != NULL) {
		struct dpx_mbuf *next = m->next; /* prefree clears it */

		if (mbuf_prefree(m) != NULL)
			seg_put(m);
		m = next;
	}
}

#define FREE_BULK_BATCH 64

/* A run of segments of one pool and one home (0: the pool itself). */
static inline void
run_put(struct dpx_mempool *pool, uint16_t home, void **batch, unsigned int nb)
{
	if (dpx_likely(home == 0))
		dpx_mempool_put_bulk(pool, batch, nb);
	else
		home_put((struct dpx_mbuf *const *)batch, nb);
}

/* Segments whose last reference went are put back in batches, one per run
 * of the same pool and home. */
void
dpx_pktmbuf_free_bulk(struct dpx_mbuf **mbufs, unsigned int n)
{
	void *batch[FREE_BULK_BATCH];
	struct dpx_mempool *pool = NULL;
	uint16_t home = 0;
	unsigned int nb = 0;

	for (unsigned int i = 0; i < n; i++) {
		for (struct dpx_mbuf *m = mbufs[i], *next; m != NULL; m = next) {
			next = m->next;
			if (mbuf_prefree(m) == NULL)
				continue;
			if (dpx_unlikely(m->pool != pool || m->home_id != home ||
					 nb == FREE_BULK_BATCH)) {
				if (nb > 0)
					run_put(pool, home, batch, nb);
				pool = m->pool;
				home = m->home_id;
				nb = 0;
			}
			batch[nb++] = m;
		}
	}
	if (nb > 0)
		run_put(pool, home, batch, nb);
}

int
dpx_pktmbuf_chain(struct dpx_mbuf *head, struct dpx_mbuf *tail)
{
	struct dpx_mbuf *last;

	if ((unsigned int)head->nb_segs + tail->nb_segs > DPX_MBUF_MAX_NB_SEGS ||
	    (uint64_t)head->pkt_len + tail->pkt_len > UINT32_MAX) {
		MBUF_LOG(DEBUG, "chain: %u + %u segments, %u + %u bytes: too many", head->nb_segs,
			 tail->nb_segs, head->pkt_len, tail->pkt_len);
		return -EOVERFLOW;
	}
	last = dpx_pktmbuf_lastseg(head);
	last->next = tail;
	head->nb_segs = (uint16_t)(head->nb_segs + tail->nb_segs);
	head->pkt_len += tail->pkt_len;
	/* tail is now an inner segment: its packet-wide fields mean nothing */
	tail->pkt_len = tail->data_len;
	tail->nb_segs = 1;
	return 0;
}

const void *
dpx_pktmbuf_read(const struct dpx_mbuf *m, uint32_t off, uint32_t len, void *buf)
{
	const struct dpx_mbuf *seg = m;
	char *dst = buf;

	if ((uint64_t)off + len > m->pkt_len)
		return NULL;
	while (off >= seg->data_len && seg->next != NULL) {
		off -= seg->data_len;
		seg = seg->next;
	}
	if (off + len <= seg->data_len)
		return dpx_pktmbuf_mtod_offset(seg, const char *, off);
	while (len > 0) {
		uint32_t n;

		/* pkt_len claims more than the chain holds: the chain ended, or the
		 * offset is past the last segment's data (data_len - off would wrap) */
		if (seg == NULL || off > seg->data_len)
			return NULL;
		n = DPX_MIN(len, (uint32_t)seg->data_len - off);
		memcpy(dst, dpx_pktmbuf_mtod_offset(seg, const char *, off), n);
		dst += n;
		len -= n;
		off = 0;
		seg = seg->next;
	}
	return buf;
}

static const char *
check_seg(const struct dpx_mbuf *m)
{
	if (m->pool == NULL)
		return "no pool";
	if (m->buf_addr == NULL)
		return "no buffer address";
	if (dpx_mbuf_refcnt_read(m) == 0)
		return "refcnt is 0";
	if ((uint32_t)m->data_off + m->data_len > m->buf_len)
		return "data beyond the data room";
	return NULL;
}

int
dpx_mbuf_check(const struct dpx_mbuf *m, int is_header, const char **reason)
{
	const char *why = m == NULL ? "NULL mbuf" : check_seg(m);
	uint32_t nb = 0;
	uint64_t len = 0;

	if (why == NULL && is_header) {
		for (const struct dpx_mbuf *s = m; s != NULL && why == NULL; s = s->next) {
			if (++nb > DPX_MBUF_MAX_NB_SEGS)
				why = "chain longer than the segment limit (loop?)";
			else
				why = check_seg(s);
			len += s->data_len;
		}
		if (why == NULL && nb != m->nb_segs)
			why = "nb_segs differs from the chain";
		if (why == NULL && len != m->pkt_len)
			why = "pkt_len differs from the sum of data_len";
	}
	if (reason != NULL)
		*reason = why;
	return why == NULL ? 0 : -EINVAL;
}

static void
hexdump(FILE *f, const unsigned char *p, unsigned int len, unsigned int base)
{
	for (unsigned int i = 0; i < len; i += 16) {
		fprintf(f, "    %08x:", base + i);
		for (unsigned int j = i; j < i + 16 && j < len; j++)
			fprintf(f, " %02x", p[j]);
		fprintf(f, "\n");
	}
}

void
dpx_pktmbuf_dump(FILE *f, const struct dpx_mbuf *m, unsigned int dump_len)
{
	unsigned int seg_no = 0, dumped = 0;

	if (m == NULL) {
		fprintf(f, "mbuf: NULL\n");
		return;
	}
	fprintf(f, "mbuf %p: pkt_len=%u nb_segs=%u port=%u ol_flags=%#" PRIx64
		" packet_type=%#x l2/l3/l4=%u/%u/%u tso_segsz=%u\n",
		(const void *)m, m->pkt_len, m->nb_segs, m->port, m->ol_flags, m->packet_type,
		(unsigned int)m->l2_len, (unsigned int)m->l3_len, (unsigned int)m->l4_len,
		(unsigned int)m->tso_segsz);
	for (const struct dpx_mbuf *s = m; s != NULL && seg_no <= m->nb_segs; s = s->next) {
		unsigned int n = DPX_MIN(s->data_len, dump_len - dumped);

		fprintf(f, "  segment %u at %p: buf_addr=%p buf_iova=%#" PRIx64
			" buf_len=%u data_off=%u data_len=%u refcnt=%u pool=%s\n",
			seg_no++, (const void *)s, s->buf_addr, s->buf_iova, s->buf_len,
			s->data_off, s->data_len, dpx_mbuf_refcnt_read(s),
			s->pool ? dpx_mempool_get_name(s->pool) : "(none)");
		hexdump(f, dpx_pktmbuf_mtod(s, const unsigned char *), n, dumped);
		dumped += n;
	}
}
