/* SPDX-License-Identifier: BSD-3-Clause */
/* In-process vhost-user front-end and virtio-net driver model for tests. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <dpx_log.h>
#include <dpx_mbuf.h>

#include "dpx_test.h"
#include "vhost_frontend.h"
#include "vhost_private.h"

#define ALIGN_UP(v, a) (((v) + (a)-1) & ~((uint64_t)(a)-1))
#define HDR_LEN 12 /* VERSION_1 is always negotiated here */

int
vfe_init(struct vfe *fe, uint64_t mem_size)
{
	unsigned int i;

	memset(fe, 0, sizeof(*fe));
	fe->sock = -1;
	for (i = 0; i < VFE_MAX_QUEUES; i++)
		fe->q[i].kickfd = fe->q[i].callfd = -1;
	fe->memfd = memfd_create("vfe-guest", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fe->memfd < 0)
		return -errno;
	/* as QEMU's memory-backend-memfd does (seal=on) */
	if (ftruncate(fe->memfd, (off_t)mem_size) < 0 ||
	    fcntl(fe->memfd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) < 0)
		goto fail;
	fe->mem = mmap(NULL, mem_size, PROT_READ | PROT_WRITE, MAP_SHARED, fe->memfd, 0);
	if (fe->mem == MAP_FAILED)
		goto fail;
	fe->mem_size = mem_size;
	fe->bump = 0x1000;
	vfe_region_set(fe, 0, 0, mem_size, 0);
	return 0;
fail:
	close(fe->memfd);
	return -errno;
}

void
vfe_fini(struct vfe *fe)
{
	unsigned int i;

	vfe_disconnect(fe);
	for (i = 0; i < VFE_MAX_QUEUES; i++) {
		if (fe->q[i].kickfd >= 0)
			close(fe->q[i].kickfd);
		if (fe->q[i].callfd >= 0)
			close(fe->q[i].callfd);
		fe->q[i].kickfd = fe->q[i].callfd = -1;
	}
	if (fe->mem != NULL)
		munmap(fe->mem, fe->mem_size);
	if (fe->memfd >= 0)
		close(fe->memfd);
	fe->mem = NULL;
	fe->memfd = -1;
}

void
vfe_region_set(struct vfe *fe, unsigned int i, uint64_t gpa, uint64_t size, uint64_t offset)
{
	fe->regions[i] = (struct vfe_region){gpa, size, offset, true};
	if (i + 1 > fe->nregions)
		fe->nregions = i + 1;
}

void *
vfe_ptr(struct vfe *fe, uint64_t gpa)
{
	unsigned int i;

	for (i = 0; i < fe->nregions; i++) {
		struct vfe_region *r = &fe->regions[i];

		if (r->size > 0 && gpa >= r->gpa && gpa - r->gpa < r->size)
			return fe->mem + r->offset + (gpa - r->gpa);
	}
	return NULL;
}

static uint64_t
uva_of(struct vfe *fe, uint64_t gpa)
{
	return (uint64_t)(uintptr_t)vfe_ptr(fe, gpa);
}

/* ---- socket ---- */

static void
addr_of(const char *path, struct sockaddr_un *a)
{
	memset(a, 0, sizeof(*a));
	a->sun_family = AF_UNIX;
	strncpy(a->sun_path, path, sizeof(a->sun_path) - 1);
}

int
vfe_connect(struct vfe *fe, const char *path)
{
	struct sockaddr_un a;
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -errno;
	addr_of(path, &a);
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		int rc = -errno;

		close(fd);
		return rc;
	}
	fe->sock = fd;
	fe->pfeatures = 0; /* a new device: nothing negotiated yet */
	return 0;
}

int
vfe_connect_served(struct vfe *fe, const char *path)
{
	unsigned int tries;
	int rc = -ECONNREFUSED;

	for (tries = 0; tries < 100; tries++) {
		rc = vfe_connect(fe, path);
		if (rc < 0)
			return rc;
		rc = vfe_request(fe, VHOST_USER_GET_FEATURES, NULL, 0, NULL, 0, NULL);
		if (rc == 0)
			return 0;
		vfe_disconnect(fe);
		usleep(10000);
	}
	return rc;
}

int
vfe_listen(const char *path)
{
	struct sockaddr_un a;
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -errno;
	unlink(path);
	addr_of(path, &a);
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(fd, 4) < 0) {
		int rc = -errno;

		close(fd);
		return rc;
	}
	return fd;
}

int
vfe_accept(struct vfe *fe, int lfd, int timeout_ms)
{
	struct pollfd p = {.fd = lfd, .events = POLLIN};
	int fd;

	if (poll(&p, 1, timeout_ms) <= 0)
		return -ETIMEDOUT;
	fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	if (fd < 0)
		return -errno;
	fe->sock = fd;
	fe->pfeatures = 0;
	return 0;
}

void
vfe_disconnect(struct vfe *fe)
{
	if (fe->sock >= 0)
		close(fe->sock);
	fe->sock = -1;
}

int
vfe_send_raw(struct vfe *fe, const void *buf, size_t len, const int *fds, unsigned int nfds)
{
	size_t at, n;
	bool with;
	int rc = 0;

	if (fe->chunk == 0)
		return vfe_sendmsg_fds(fe->sock, buf, len, fds, nfds, 0);
	for (at = 0; at < len && rc == 0; at += n) {
		n = len - at < fe->chunk ? len - at : fe->chunk;
		if (fe->budgeted && fe->budget < n)
			return -EPIPE;
		if (fe->budgeted)
			fe->budget -= n;
		with = fe->fds_last ? at + n == len : at == 0;
		rc = vfe_sendmsg_fds(fe->sock, (const char *)buf + at, n, fds, with ? nfds : 0, 0);
	}
	return rc;
}

int
vfe_send(struct vfe *fe, uint32_t req, uint32_t flags, const void *payload, uint32_t size,
	 const int *fds, unsigned int nfds)
{
	uint8_t buf[sizeof(struct vhost_user_hdr) + 512];
	struct vhost_user_hdr h = {req, VHOST_USER_VERSION | flags, size};

	if (size > 512)
		return -EINVAL;
	memcpy(buf, &h, sizeof(h));
	if (size > 0)
		memcpy(buf + sizeof(h), payload, size);
	return vfe_send_raw(fe, buf, sizeof(h) + size, fds, nfds);
}

static int
recv_full(int fd, void *buf, size_t len)
{
	size_t got = 0;
	ssize_t r;

	while (got < len) {
		struct pollfd p = {.fd = fd, .events = POLLIN};

		if (poll(&p, 1, 2000) <= 0)
			return -ETIMEDOUT;
		r = recv(fd, (char *)buf + got, len - got, 0);
		if (r == 0)
			return -ECONNRESET;
		if (r < 0)
			return -errno;
		got += (size_t)r;
	}
	return 0;
}

int
vfe_recv(struct vfe *fe, struct vhost_user_hdr *hdr, void *payload, size_t cap)
{
	uint8_t junk[512];
	int rc = recv_full(fe->sock, hdr, sizeof(*hdr));

	if (rc < 0)
		return rc;
	if (hdr->size > sizeof(junk))
		return -EMSGSIZE;
	rc = recv_full(fe->sock, junk, hdr->size);
	if (rc < 0)
		return rc;
	memcpy(payload, junk, hdr->size < cap ? hdr->size : cap);
	return (int)hdr->size;
}

int
vfe_request(struct vfe *fe, uint32_t req, const void *payload, uint32_t size, const int *fds,
	    unsigned int nfds, uint64_t *u64)
{
	const struct vhost_msg_rule *r = vhost_msg_rule_get(req);
	bool ack = fe->pfeatures & (1ULL << VHOST_USER_PROTOCOL_F_REPLY_ACK);
	bool get = r != NULL && r->reply == VHOST_MSG_REPLY_ALWAYS;
	struct vhost_user_hdr h;
	uint8_t reply[512];
	uint64_t v = 0;
	int rc;

	rc = vfe_send(fe, req, (!get && ack) ? VHOST_USER_NEED_REPLY_MASK : 0, payload, size, fds,
		      nfds);
	if (rc < 0 || (!get && !ack))
		return rc;
	rc = vfe_recv(fe, &h, reply, sizeof(reply));
	if (rc < 0)
		return rc;
	if (h.request != req || !(h.flags & VHOST_USER_REPLY_MASK))
		return -EPROTO;
	if (rc >= 8)
		memcpy(&v, reply, 8);
	if (u64 != NULL)
		*u64 = v;
	if (!get && v != 0)
		return -EIO;
	if (get && req == VHOST_USER_GET_VRING_BASE && u64 != NULL)
		memcpy(u64, reply, rc < 8 ? (size_t)rc : 8);
	return 0;
}

int
vfe_wait_closed(struct vfe *fe, int timeout_ms)
{
	uint8_t b[64];
	int waited = 0;

	while (waited < timeout_ms) {
		struct pollfd p = {.fd = fe->sock, .events = POLLIN};
		ssize_t r;

		if (poll(&p, 1, 50) > 0) {
			r = recv(fe->sock, b, sizeof(b), MSG_DONTWAIT);
			if (r == 0 || (r < 0 && errno == ECONNRESET))
				return 0;
		}
		waited += 50;
	}
	return -ETIMEDOUT;
}

/* ---- negotiation ---- */

int
vfe_negotiate(struct vfe *fe, uint64_t want)
{
	uint64_t offered, pf;
	int rc;

	rc = vfe_request(fe, VHOST_USER_GET_FEATURES, NULL, 0, NULL, 0, &offered);
	if (rc < 0)
		return rc;
	if (!fe->in_order)
		want &= ~(1ULL << VIRTIO_F_IN_ORDER);
	fe->features = (offered & want) | (offered & (1ULL << VHOST_USER_F_PROTOCOL_FEATURES));
	rc = vfe_request(fe, VHOST_USER_SET_FEATURES, &fe->features, 8, NULL, 0, NULL);
	if (rc < 0)
		return rc;
	rc = vfe_request(fe, VHOST_USER_GET_PROTOCOL_FEATURES, NULL, 0, NULL, 0, &pf);
	if (rc < 0)
		return rc;
	rc = vfe_request(fe, VHOST_USER_SET_PROTOCOL_FEATURES, &pf, 8, NULL, 0, NULL);
	if (rc < 0)
		return rc;
	fe->pfeatures = pf;
	return vfe_request(fe, VHOST_USER_SET_OWNER, NULL, 0, NULL, 0, NULL);
}

static struct vhost_user_mem_region
region_msg(struct vfe *fe, unsigned int i)
{
	struct vfe_region *r = &fe->regions[i];

	return (struct vhost_user_mem_region){
		r->gpa, r->size, (uint64_t)(uintptr_t)(fe->mem + r->offset), r->offset};
}

int
vfe_set_mem_table(struct vfe *fe)
{
	struct vhost_user_mem_table t = {0};
	int fds[VHOST_MEMORY_BASELINE_NREGIONS];
	unsigned int i;

	for (i = 0; i < fe->nregions && t.nregions < VHOST_MEMORY_BASELINE_NREGIONS; i++) {
		if (!fe->regions[i].present)
			continue;
		fds[t.nregions] = fe->memfd;
		t.regions[t.nregions++] = region_msg(fe, i);
	}
	return vfe_request(fe, VHOST_USER_SET_MEM_TABLE, &t, 8 + 32 * t.nregions, fds, t.nregions,
			   NULL);
}

int
vfe_add_region(struct vfe *fe, unsigned int i)
{
	struct vhost_user_mem_single m = {0, region_msg(fe, i)};

	fe->regions[i].present = true;
	return vfe_request(fe, VHOST_USER_ADD_MEM_REG, &m, sizeof(m), &fe->memfd, 1, NULL);
}

int
vfe_rem_region(struct vfe *fe, unsigned int i)
{
	struct vhost_user_mem_single m = {0, region_msg(fe, i)};
	int rc = vfe_request(fe, VHOST_USER_REM_MEM_REG, &m, sizeof(m), NULL, 0, NULL);

	fe->regions[i].present = false;
	return rc;
}

static uint64_t
bump(struct vfe *fe, uint64_t len)
{
	uint64_t at = ALIGN_UP(fe->bump, 4096);

	fe->bump = at + len;
	return at;
}

static void
queue_layout(struct vfe *fe, struct vfe_queue *q)
{
	uint16_t i;

	q->desc_gpa = bump(fe, 16ULL * q->size);
	q->avail_gpa = bump(fe, q->packed ? 4 : 6 + 2ULL * q->size);
	q->used_gpa = bump(fe, q->packed ? 4 : 6 + 8ULL * q->size);
	q->ind_gpa = bump(fe, 16ULL * VFE_MAX_IND * q->size);
	q->data_gpa = bump(fe, (uint64_t)q->buflen * VFE_MAX_IND * q->size);
	memset(vfe_ptr(fe, q->desc_gpa), 0, 16ULL * q->size);
	q->avail_idx = q->used_idx = 0;
	q->next_avail = q->next_used = 0;
	q->avail_wrap = q->used_wrap = true;
	q->free_head = 0;
	q->nfree = q->size;
	q->outstanding = 0;
	if (!q->packed) {
		struct vring_desc *d = vfe_ptr(fe, q->desc_gpa);

		for (i = 0; i < q->size; i++)
			d[i].next = (uint16_t)(i + 1);
	}
}

int
vfe_queue_setup(struct vfe *fe, unsigned int qi, uint16_t size, uint32_t buflen, bool indirect)
{
	struct vfe_queue *q = &fe->q[qi];
	struct vhost_user_vring_state st = {qi, size};
	struct vhost_user_vring_addr a = {0};
	uint64_t u;
	int rc;

	if (size > VFE_MAX_RING)
		return -EINVAL;
	q->size = size;
	q->buflen = buflen;
	q->indirect = indirect;
	q->packed = fe->features & (1ULL << VIRTIO_F_RING_PACKED);
	queue_layout(fe, q);
	if (q->kickfd < 0)
		q->kickfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (q->callfd < 0)
		q->callfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	a.index = qi;
	a.desc_user_addr = uva_of(fe, q->desc_gpa);
	a.avail_user_addr = uva_of(fe, q->avail_gpa);
	a.used_user_addr = uva_of(fe, q->used_gpa);
	rc = vfe_request(fe, VHOST_USER_SET_VRING_NUM, &st, sizeof(st), NULL, 0, NULL);
	if (rc == 0)
		rc = vfe_request(fe, VHOST_USER_SET_VRING_ADDR, &a, sizeof(a), NULL, 0, NULL);
	st.num = q->packed ? 0x8000 : 0; /* packed: index 0, wrap counter 1 */
	if (rc == 0)
		rc = vfe_request(fe, VHOST_USER_SET_VRING_BASE, &st, sizeof(st), NULL, 0, NULL);
	u = qi;
	if (rc == 0)
		rc = vfe_request(fe, VHOST_USER_SET_VRING_CALL, &u, 8, &q->callfd, 1, NULL);
	if (rc == 0)
		rc = vfe_request(fe, VHOST_USER_SET_VRING_KICK, &u, 8, &q->kickfd, 1, NULL);
	st.num = 1;
	if (rc == 0 && !q->no_enable)
		rc = vfe_request(fe, VHOST_USER_SET_VRING_ENABLE, &st, sizeof(st), NULL, 0, NULL);
	q->setup = rc == 0;
	return rc;
}

int
vfe_driver_ok(struct vfe *fe)
{
	uint64_t s = 1 | 2 | 8 | 4; /* ACKNOWLEDGE, DRIVER, FEATURES_OK, DRIVER_OK */

	return vfe_request(fe, VHOST_USER_SET_STATUS, &s, 8, NULL, 0, NULL);
}

/* ---- driver: posting chains ---- */

static uint64_t
area(struct vfe_queue *q, uint16_t slot, unsigned int j)
{
	return q->data_gpa + ((uint64_t)slot * VFE_MAX_IND + j) * q->buflen;
}

/* vfe_*_post_at: the first buffer of the next chain is here, not in its slot's area */
static uint64_t post_at = UINT64_MAX;

/* Fill the chain record for buffer id with nseg buffers of the given lengths. */
static void
chain_fill(struct vfe_queue *q, uint16_t id, uint16_t slot, unsigned int nseg, const uint32_t *lens)
{
	struct vfe_chain *c = &q->chains[id];
	unsigned int j;

	c->n = (uint16_t)nseg;
	for (j = 0; j < nseg; j++) {
		c->gpa[j] = j == 0 && post_at != UINT64_MAX ? post_at : area(q, slot, j);
		c->len[j] = lens[j];
	}
}

/* Reserve the descriptors a chain of nseg buffers takes (one with an indirect
 * table) and fill its record. @return that count, or -ENOSPC. */
static int
chain_start(struct vfe_queue *q, uint16_t id, unsigned int nseg, const uint32_t *lens)
{
	unsigned int need = q->indirect ? 1 : nseg;

	if (q->nfree < need)
		return -ENOSPC;
	chain_fill(q, id, id, nseg, lens);
	q->chains[id].ndesc = (uint16_t)need;
	q->nfree -= need;
	return (int)need;
}

/* Guest address of chain id's indirect table. */
static uint64_t
ind_table(const struct vfe_queue *q, uint16_t id)
{
	return q->ind_gpa + 16ULL * VFE_MAX_IND * id;
}

static int
post_split(struct vfe *fe, struct vfe_queue *q, unsigned int nseg, const uint32_t *lens,
	   uint16_t flags)
{
	struct vring_desc *d = vfe_ptr(fe, q->desc_gpa);
	struct vring_avail *av = vfe_ptr(fe, q->avail_gpa);
	uint16_t head = q->free_head, cur = head, prev = 0;
	struct vfe_chain *c = &q->chains[head];
	int rc = chain_start(q, head, nseg, lens);
	unsigned int j;

	if (rc < 0)
		return rc;
	if (q->indirect) {
		struct vring_desc *t = vfe_ptr(fe, ind_table(q, head));

		for (j = 0; j < nseg; j++)
			t[j] = (struct vring_desc){
				c->gpa[j], c->len[j],
				(uint16_t)(flags | (j + 1 < nseg ? VRING_DESC_F_NEXT : 0)),
				(uint16_t)(j + 1)};
		q->free_head = d[head].next;
		d[head].addr = ind_table(q, head);
		d[head].len = 16 * nseg;
		d[head].flags = VRING_DESC_F_INDIRECT;
		c->desc[0] = head;
	} else {
		for (j = 0; j < nseg; j++) {
			c->desc[j] = cur;
			d[cur].addr = c->gpa[j];
			d[cur].len = c->len[j];
			d[cur].flags = flags | (j + 1 < nseg ? VRING_DESC_F_NEXT : 0);
			prev = cur;
			cur = d[cur].next;
		}
		q->free_head = cur;
		(void)prev;
	}
	av->ring[q->avail_idx % q->size] = head;
	q->avail_idx++;
	__atomic_store_n(&av->idx, q->avail_idx, __ATOMIC_RELEASE);
	q->outstanding++;
	return 0;
}

static int
post_packed(struct vfe *fe, struct vfe_queue *q, unsigned int nseg, const uint32_t *lens,
	    uint16_t flags)
{
	struct vring_packed_desc *ring = vfe_ptr(fe, q->desc_gpa);
	uint16_t id = q->next_avail, pos = q->next_avail, head_flags = 0;
	uint16_t wflags = q->avail_wrap ? VRING_PACKED_DESC_F_AVAIL : VRING_PACKED_DESC_F_USED;
	struct vfe_chain *c = &q->chains[id];
	bool wrap = q->avail_wrap;
	int rc = chain_start(q, id, nseg, lens);
	unsigned int j;

	if (rc < 0)
		return rc;
	if (q->indirect) {
		struct vring_packed_desc *t = vfe_ptr(fe, ind_table(q, id));

		for (j = 0; j < nseg; j++)
			t[j] = (struct vring_packed_desc){c->gpa[j], c->len[j], 0, flags};
		ring[pos].addr = ind_table(q, id);
		ring[pos].len = 16 * nseg;
		ring[pos].id = id;
		head_flags = VRING_DESC_F_INDIRECT | wflags;
		pos++;
	} else {
		for (j = 0; j < nseg; j++) {
			uint16_t f = flags | (j + 1 < nseg ? VRING_DESC_F_NEXT : 0);

			f |= wrap ? VRING_PACKED_DESC_F_AVAIL : VRING_PACKED_DESC_F_USED;
			ring[pos].addr = c->gpa[j];
			ring[pos].len = c->len[j];
			ring[pos].id = id;
			if (j == 0)
				head_flags = f;
			else
				ring[pos].flags = f;
			if (++pos == q->size) {
				pos = 0;
				wrap = !wrap;
			}
		}
	}
	if (pos == q->size) {
		pos = 0;
		wrap = !wrap;
	}
	/* the head goes last: it makes the whole chain available */
	__atomic_store_n(&ring[id].flags, head_flags, __ATOMIC_RELEASE);
	q->next_avail = pos;
	q->avail_wrap = wrap;
	q->outstanding++;
	return 0;
}

static int
post(struct vfe *fe, unsigned int qi, unsigned int nseg, const uint32_t *lens, uint16_t flags)
{
	struct vfe_queue *q = &fe->q[qi];

	if (nseg == 0 || nseg > VFE_MAX_IND)
		return -EINVAL;
	return q->packed ? post_packed(fe, q, nseg, lens, flags)
			 : post_split(fe, q, nseg, lens, flags);
}

/* ---- driver: used buffers ---- */

/* The k-th used buffer not yet consumed: @return 1 (and id, len) or 0. */
static int
used_peek(struct vfe *fe, struct vfe_queue *q, unsigned int k, uint16_t *id, uint32_t *len)
{
	if (!q->packed) {
		struct vring_used *u = vfe_ptr(fe, q->used_gpa);
		uint16_t idx = __atomic_load_n(&u->idx, __ATOMIC_ACQUIRE);
		struct vring_used_elem e;

		if ((uint16_t)(idx - q->used_idx) <= k)
			return 0;
		e = u->ring[(uint16_t)(q->used_idx + k) % q->size];
		*id = (uint16_t)e.id;
		*len = e.len;
		return 1;
	}
	struct vring_packed_desc *ring = vfe_ptr(fe, q->desc_gpa);
	uint16_t pos = q->next_used;
	bool wrap = q->used_wrap;
	unsigned int i;

	for (i = 0;; i++) {
		uint16_t f = __atomic_load_n(&ring[pos].flags, __ATOMIC_ACQUIRE);

		if (!!(f & VRING_PACKED_DESC_F_AVAIL) != wrap ||
		    !!(f & VRING_PACKED_DESC_F_USED) != wrap)
			return 0;
		*id = ring[pos].id;
		*len = ring[pos].len;
		if (*id >= q->size)
			return 0;
		if (i == k)
			return 1;
		pos = (uint16_t)(pos + q->chains[*id].ndesc);
		if (pos >= q->size) {
			pos = (uint16_t)(pos - q->size);
			wrap = !wrap;
		}
	}
}

static void
used_consume(struct vfe *fe, struct vfe_queue *q, uint16_t id)
{
	struct vfe_chain *c = &q->chains[id];
	unsigned int j;

	if (!q->packed) {
		struct vring_desc *d = vfe_ptr(fe, q->desc_gpa);

		for (j = 0; j < c->ndesc; j++) {
			d[c->desc[j]].next = q->free_head;
			q->free_head = c->desc[j];
		}
		q->used_idx++;
	} else {
		q->next_used = (uint16_t)(q->next_used + c->ndesc);
		if (q->next_used >= q->size) {
			q->next_used = (uint16_t)(q->next_used - q->size);
			q->used_wrap = !q->used_wrap;
		}
	}
	q->nfree += c->ndesc;
	q->outstanding--;
}

/* Copy len bytes of chain id, from byte skip on, to out (bounded by cap). */
static size_t
gather(struct vfe *fe, struct vfe_chain *c, uint32_t len, uint32_t skip, uint8_t *out, size_t cap)
{
	size_t done = 0;
	unsigned int j;

	for (j = 0; j < c->n && len > 0; j++) {
		uint32_t l = c->len[j] < len ? c->len[j] : len, s = skip < l ? skip : l;
		uint32_t n = l - s;

		if (done + n > cap)
			n = (uint32_t)(cap - done);
		memcpy(out + done, (uint8_t *)vfe_ptr(fe, c->gpa[j]) + s, n);
		done += n;
		skip -= s;
		len -= l;
	}
	return done;
}

unsigned int
vfe_rx_post(struct vfe *fe, unsigned int qi, unsigned int n, unsigned int nseg)
{
	uint32_t lens[VFE_MAX_IND];
	unsigned int i;

	for (i = 0; i < VFE_MAX_IND; i++)
		lens[i] = fe->q[qi].buflen;
	for (i = 0; i < n; i++)
		if (post(fe, qi, nseg, lens, VRING_DESC_F_WRITE) < 0)
			break;
	return i;
}

int
vfe_rx_take(struct vfe *fe, unsigned int qi, uint8_t *out, size_t cap)
{
	struct vfe_queue *q = &fe->q[qi];
	struct virtio_net_hdr_mrg_rxbuf h;
	uint16_t id, nb, k;
	uint32_t len;
	size_t total = 0;

	if (!used_peek(fe, q, 0, &id, &len))
		return 0;
	/* Linux 6.1 receive_buf: a buffer shorter than a header and an Ethernet
	 * header is dropped alone, before its header is read */
	while (q->drop_short && len < HDR_LEN + 14) {
		used_consume(fe, q, id);
		q->rx_length_errors++;
		if (!used_peek(fe, q, 0, &id, &len))
			return 0;
	}
	if (len < HDR_LEN ||
	    gather(fe, &q->chains[id], HDR_LEN, 0, (uint8_t *)&h, HDR_LEN) != HDR_LEN)
		return -EBADMSG;
	nb = (fe->features & (1ULL << VIRTIO_NET_F_MRG_RXBUF)) ? h.num_buffers : 1;
	if (nb == 0 || h.hdr.flags != 0 || h.hdr.gso_type != 0)
		return -EBADMSG;
	if (!used_peek(fe, q, nb - 1u, &id, &len))
		return 0;
	for (k = 0; k < nb; k++) {
		used_peek(fe, q, 0, &id, &len);
		total += gather(fe, &q->chains[id], len, k == 0 ? HDR_LEN : 0, out + total,
				cap - total);
		used_consume(fe, q, id);
	}
	return (int)total;
}

int
vfe_tx_post(struct vfe *fe, unsigned int qi, const uint8_t *pkt, uint32_t len, unsigned int nseg)
{
	struct vfe_queue *q = &fe->q[qi];
	uint32_t total = HDR_LEN + len, lens[VFE_MAX_IND], per, at = 0, j;
	uint16_t slot = q->packed ? q->next_avail : q->free_head;
	uint8_t *tmp;

	if (nseg == 0 || nseg > VFE_MAX_IND)
		return -EINVAL;
	per = (total + nseg - 1) / nseg;
	if (per > q->buflen)
		return -EMSGSIZE;
	tmp = calloc(1, total);
	if (tmp == NULL)
		return -ENOMEM;
	memcpy(tmp + HDR_LEN, pkt, len);
	for (j = 0; j < nseg; j++) {
		lens[j] = total - at < per ? total - at : per;
		memcpy(vfe_ptr(fe, area(q, slot, j)), tmp + at, lens[j]);
		at += lens[j];
	}
	free(tmp);
	return post(fe, qi, nseg, lens, 0);
}

int
vfe_rx_post_at(struct vfe *fe, unsigned int qi, uint64_t gpa, uint32_t len)
{
	int rc;

	post_at = gpa;
	rc = post(fe, qi, 1, &len, VRING_DESC_F_WRITE);
	post_at = UINT64_MAX;
	return rc;
}

int
vfe_tx_post_at(struct vfe *fe, unsigned int qi, uint64_t gpa, const uint8_t *pkt, uint32_t len)
{
	uint8_t *b = vfe_ptr(fe, gpa);
	uint32_t total = HDR_LEN + len;
	int rc;

	if (b == NULL || vfe_ptr(fe, gpa + total - 1) == NULL)
		return -EFAULT;
	memset(b, 0, HDR_LEN);
	memcpy(b + HDR_LEN, pkt, len);
	post_at = gpa;
	rc = post(fe, qi, 1, &total, 0);
	post_at = UINT64_MAX;
	return rc;
}

unsigned int
vfe_tx_reclaim(struct vfe *fe, unsigned int qi)
{
	struct vfe_queue *q = &fe->q[qi];
	unsigned int n = 0;
	uint16_t id;
	uint32_t len;

	while (used_peek(fe, q, 0, &id, &len)) {
		used_consume(fe, q, id);
		n++;
	}
	return n;
}

void
vfe_set_used_event(struct vfe *fe, unsigned int qi, uint16_t idx)
{
	struct vfe_queue *q = &fe->q[qi];

	if (!q->packed) {
		struct vring_avail *av = vfe_ptr(fe, q->avail_gpa);

		__atomic_store_n(&av->ring[q->size], idx, __ATOMIC_RELEASE);
	} else {
		struct vring_packed_event *e = vfe_ptr(fe, q->avail_gpa);
		uint16_t off = (uint16_t)(idx % q->size);
		bool wrap = q->used_wrap ^ ((idx / q->size) & 1);

		e->off_wrap = (uint16_t)(off | (wrap ? 0x8000 : 0));
		__atomic_store_n(&e->flags, VRING_PACKED_EVENT_FLAG_DESC, __ATOMIC_RELEASE);
	}
}

void
vfe_no_interrupts(struct vfe *fe, unsigned int qi)
{
	struct vfe_queue *q = &fe->q[qi];

	if (q->packed) {
		struct vring_packed_event *e = vfe_ptr(fe, q->avail_gpa);

		__atomic_store_n(&e->flags, VRING_PACKED_EVENT_FLAG_DISABLE, __ATOMIC_RELEASE);
	} else {
		struct vring_avail *av = vfe_ptr(fe, q->avail_gpa);

		__atomic_store_n(&av->flags, VRING_AVAIL_F_NO_INTERRUPT, __ATOMIC_RELEASE);
		__atomic_store_n(&av->ring[q->size], (uint16_t)(q->used_idx + 0x8000),
				 __ATOMIC_RELEASE);
	}
}

uint64_t
vfe_calls(struct vfe *fe, unsigned int qi)
{
	uint64_t v = 0;

	if (read(fe->q[qi].callfd, &v, sizeof(v)) != sizeof(v))
		return 0;
	return v;
}

struct vring_desc *
vfe_split_desc(struct vfe *fe, unsigned int qi)
{
	return vfe_ptr(fe, fe->q[qi].desc_gpa);
}

void
vfe_split_publish(struct vfe *fe, unsigned int qi, uint16_t head)
{
	struct vfe_queue *q = &fe->q[qi];
	struct vring_avail *av = vfe_ptr(fe, q->avail_gpa);

	av->ring[q->avail_idx % q->size] = head;
	q->avail_idx++;
	__atomic_store_n(&av->idx, q->avail_idx, __ATOMIC_RELEASE);
}

/* ---- harness: a server path with counting callbacks, shared by the vhost test files ---- */

struct vfe_events vfe_ev;

static int
on_new(int vid)
{
	__atomic_store_n(&vfe_ev.vid, vid, __ATOMIC_RELEASE);
	__atomic_fetch_add(&vfe_ev.new_calls, 1, __ATOMIC_RELEASE);
	return 0;
}

static void
on_destroy(int vid)
{
	(void)vid;
	__atomic_fetch_add(&vfe_ev.destroy_calls, 1, __ATOMIC_RELEASE);
}

static int
on_state(int vid, uint16_t vring, int enable)
{
	(void)vid, (void)vring, (void)enable;
	__atomic_fetch_add(&vfe_ev.state_calls, 1, __ATOMIC_RELEASE);
	return 0;
}

static int
on_features(int vid, uint64_t f)
{
	(void)vid, (void)f;
	__atomic_fetch_add(&vfe_ev.feature_calls, 1, __ATOMIC_RELEASE);
	return 0;
}

static int
on_region_added(int vid, uint64_t gpa, void *hva, uint64_t len)
{
	(void)vid, (void)gpa, (void)hva, (void)len;
	__atomic_fetch_add(&vfe_ev.regions_added, 1, __ATOMIC_RELEASE);
	return 0;
}

static void
on_region_removed(int vid, uint64_t gpa, void *hva, uint64_t len)
{
	(void)vid, (void)gpa, (void)hva, (void)len;
	__atomic_fetch_add(&vfe_ev.regions_removed, 1, __ATOMIC_RELEASE);
}

const struct dpx_vhost_device_ops vfe_ops = {
	.new_device = on_new,
	.destroy_device = on_destroy,
	.vring_state_changed = on_state,
	.features_changed = on_features,
	.mem_region_added = on_region_added,
	.mem_region_removed = on_region_removed,
};

/* Wait (bounded, a guard not a timing assertion) until *v >= want. */
int
vfe_wait_count(int *v, int want)
{
	int i;

	for (i = 0; i < 5000; i++) {
		if (__atomic_load_n(v, __ATOMIC_ACQUIRE) >= want)
			return 1;
		usleep(1000);
	}
	return 0;
}

static FILE *log_file;

void
vfe_log_capture(void)
{
	log_file = tmpfile();
	dpx_log_set_stream(log_file);
}

static int
log_find(const char *s, bool print)
{
	static char buf[65536];
	size_t n;

	fflush(log_file);
	rewind(log_file);
	n = fread(buf, 1, sizeof(buf) - 1, log_file);
	buf[n] = '\0';
	fseek(log_file, 0, SEEK_END);
	if (strstr(buf, s) != NULL)
		return 1;
	if (print)
		printf("log so far:\n%s", buf);
	return 0;
}

int
vfe_log_count(const char *s)
{
	char *line = NULL;
	size_t cap = 0;
	int n = 0;

	fflush(log_file);
	rewind(log_file);
	while (getline(&line, &cap, log_file) >= 0)
		n += strstr(line, s) != NULL;
	free(line);
	fseek(log_file, 0, SEEK_END);
	return n;
}

int
vfe_log_has(const char *s)
{
	return log_find(s, true);
}

int
vfe_log_wait(const char *s)
{
	int i;

	for (i = 0; i < 1000; i++) {
		if (log_find(s, false))
			return 1;
		usleep(10000);
	}
	return log_find(s, true);
}

void
vfe_log_release(void)
{
	dpx_log_set_stream(NULL);
	if (log_file != NULL)
		fclose(log_file);
	log_file = NULL;
}

static int case_fds;

int
vfe_case_start(struct dpx_mempool **pool)
{
	DPX_TEST_ASSERT(dpx_test_eal_init("--no-huge", NULL) > 0, "");
	*pool = dpx_pktmbuf_pool_create("vfe-case", 256, 0, 0, DPX_MBUF_DEFAULT_BUF_SIZE, -1);
	DPX_TEST_ASSERT(*pool != NULL, "pool: %s", dpx_strerror(dpx_errno));
	case_fds = dpx_test_count_fds();
	return DPX_TEST_SUCCESS;
}

void
vfe_closes_wait(void)
{
	int i;

	for (i = 0; i < 1000 && vhost_peer_fd_closes_pending() > 0; i++)
		usleep(10000);
}

int
vfe_case_end(struct dpx_mempool *pool)
{
	vfe_closes_wait();
	DPX_TEST_ASSERT_EQUAL(dpx_test_count_fds(), case_fds, "no fd leaked");
	DPX_TEST_ASSERT_EQUAL(dpx_mempool_in_use_count(pool), 0, "every mbuf back");
	dpx_mempool_free(pool);
	return DPX_TEST_SUCCESS;
}

void
vfe_sock_path(char *p, size_t len, const char *name)
{
	snprintf(p, len, "/tmp/dpx-vhost-%d-%s.sock", (int)getpid(), name);
}

int
vfe_server_start(const char *path, uint64_t flags)
{
	memset(&vfe_ev, 0, sizeof(vfe_ev));
	vfe_ev.vid = -1;
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_driver_register(path, flags), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_driver_callback_register(path, &vfe_ops, (void *)0x1234), 0,
			      "");
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_driver_start(path), 0, "");
	return DPX_TEST_SUCCESS;
}

/* Negotiate, map memory, set up pair 0 and DRIVER_OK; wait for new_device. */
int
vfe_bring_up(struct vfe *fe, uint64_t want, bool indirect, int new_calls)
{
	DPX_TEST_ASSERT_EQUAL(vfe_negotiate(fe, want), 0, "");
	DPX_TEST_ASSERT_EQUAL(vfe_set_mem_table(fe), 0, "");
	DPX_TEST_ASSERT_EQUAL(vfe_queue_setup(fe, 0, 256, 1024, indirect), 0, "");
	DPX_TEST_ASSERT_EQUAL(vfe_queue_setup(fe, 1, 256, 2048, indirect), 0, "");
	DPX_TEST_ASSERT_EQUAL(vfe_ev.new_calls, new_calls - 1, "not running before DRIVER_OK");
	DPX_TEST_ASSERT_EQUAL(vfe_driver_ok(fe), 0, "");
	DPX_TEST_ASSERT(vfe_wait_count(&vfe_ev.new_calls, new_calls), "new_device called");
	return DPX_TEST_SUCCESS;
}

/* A server on a fresh path and a front-end connected to it, not negotiated. */
int
vfe_session_open(struct vfe *fe, char *path, size_t len, const char *name)
{
	vfe_sock_path(path, len, name);
	DPX_TEST_RUN(vfe_server_start(path, 0));
	DPX_TEST_ASSERT_EQUAL(vfe_init(fe, VFE_SESSION_MEM_SIZE), 0, "");
	DPX_TEST_ASSERT_EQUAL(vfe_connect(fe, path), 0, "");
	return DPX_TEST_SUCCESS;
}

/* The front-end goes: the running device is destroyed, the path unregistered. */
int
vfe_session_close(struct vfe *fe, const char *path)
{
	vfe_fini(fe);
	DPX_TEST_ASSERT(vfe_wait_count(&vfe_ev.destroy_calls, 1), "destroy_device called");
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_driver_unregister(path), 0, "");
	return DPX_TEST_SUCCESS;
}

struct dpx_mbuf *
vfe_mbuf_chain(struct dpx_mempool *mp, uint32_t len, uint32_t seg, unsigned int seed,
	       uint8_t (*pattern)(unsigned int, uint32_t))
{
	struct dpx_mbuf *head = NULL, *m;
	uint32_t at = 0, l, k;

	do {
		m = dpx_pktmbuf_alloc(mp);
		l = len - at < seg ? len - at : seg;
		uint8_t *d = m != NULL ? (uint8_t *)dpx_pktmbuf_append(m, (uint16_t)l) : NULL;
		if (d == NULL) {
			dpx_pktmbuf_free(m);
			dpx_pktmbuf_free(head);
			return NULL;
		}
		for (k = 0; k < l; k++)
			d[k] = pattern(seed, at + k);
		if (head == NULL)
			head = m;
		else if (dpx_pktmbuf_chain(head, m) != 0)
			return NULL;
		at += l;
	} while (at < len);
	return head;
}

int
vfe_perf_up(struct vfe *fe, const char *path, uint64_t mem_size, unsigned int nregions,
	    uint64_t want, int *vid)
{
	uint64_t size = mem_size / nregions;

	DPX_TEST_ASSERT(nregions >= 1 && nregions <= VFE_MAX_REGIONS, "");
	DPX_TEST_RUN(vfe_server_start(path, 0));
	DPX_TEST_ASSERT_EQUAL(vfe_init(fe, mem_size), 0, "");
	for (unsigned int i = 0; i < nregions; i++)
		vfe_region_set(fe, i, i * size, size, i * size);
	DPX_TEST_ASSERT_EQUAL(vfe_connect(fe, path), 0, "");
	DPX_TEST_ASSERT_EQUAL(vfe_negotiate(fe, want), 0, "");
	DPX_TEST_ASSERT_EQUAL(vfe_set_mem_table(fe), 0, "");
	DPX_TEST_ASSERT_EQUAL(vfe_queue_setup(fe, 0, 256, 2048, false), 0, "");
	DPX_TEST_ASSERT_EQUAL(vfe_queue_setup(fe, 1, 256, 2048, false), 0, "");
	DPX_TEST_ASSERT_EQUAL(vfe_driver_ok(fe), 0, "");
	DPX_TEST_ASSERT(vfe_wait_count(&vfe_ev.new_calls, 1), "device running");
	/* the data path alone: no eventfd write per burst on either layout */
	vfe_no_interrupts(fe, 0);
	vfe_no_interrupts(fe, 1);
	*vid = vfe_ev.vid;
	return DPX_TEST_SUCCESS;
}
