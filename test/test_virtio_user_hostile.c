/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * net_virtio_user against a vhost-user back-end that is buggy or hostile: a
 * raw back-end (hb) in a thread of the test that speaks the protocol itself,
 * maps the front-end's memory from the fds it receives, and then writes the
 * rings through its own mappings the way a bad vswitch would: used ids out of
 * range or returned twice, used idx jumps, lengths beyond the buffer, a
 * descriptor table scribbled on, answers with the wrong code or size, nacks,
 * silence, slow acks, a back-end in a crash loop.
 *
 * What the port must do: never hand the application an mbuf twice, never
 * write outside its own ring and buffers, keep counters that add up, log a
 * broken ring once, reset the device and keep serving.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <dpx_bus_vdev.h>
#include <dpx_ethdev.h>
#include <dpx_ethdev_driver.h>
#include <dpx_log.h>
#include <dpx_malloc.h>
#include <dpx_mbuf.h>
#include <dpx_memory.h>
#include <dpx_mempool.h>

#include <dpx_page_pool.h>
#include "dpx_test.h"
#include "virtio_user.h"

/* ---- the hostile back-end ---- */

#define HB_MAX_REGIONS 512
#define HB_VRINGS 2 /* one queue pair */
#define HB_ALWAYS 0xffffffffu

enum hb_action {
	HB_ANSWER,     /* as a good back-end would */
	HB_NACK,       /* REPLY_ACK with status 1 */
	HB_WRONG_CODE, /* the answer names another request */
	HB_WRONG_SIZE, /* the answer's payload is 4 bytes */
	HB_SILENT,     /* no answer at all */
	HB_CLOSE,      /* hang up on receiving it */
	HB_SLOW,       /* answer after slow_ms */
	HB_FD,	       /* answer with an fd attached nobody asked for */
};

struct hb_region {
	uint64_t gpa, size;
	uint8_t *map; /* our own mapping of the front-end's fd */
};

struct hb_vring {
	uint64_t desc, avail, used;
	uint32_t num;
	bool enabled;
};

struct hb {
	char path[108];
	bool connect_mode; /* the port is the server: the back-end connects */
	int lfd, stopfd;
	pthread_t thr;
	pthread_mutex_t lock;
	/* behaviour: set before hb_start, or under lock */
	uint64_t features, pfeatures, max_slots;
	uint32_t fault_req;
	enum hb_action fault;
	unsigned int faults_left; /* HB_ALWAYS: every time */
	unsigned int slow_ms;
	bool hang_up_at_once; /* a back-end in a crash loop: accept, close */
	bool halted;
	/* what it saw (under lock) */
	unsigned int connections, ups; /* ups: connections that reached SET_STATUS 0xf */
	unsigned int faulted;	       /* faults applied */
	unsigned int add_answered;     /* ADD_MEM_REG answered */
	unsigned int seen[VHOST_USER_MAX];
	bool up;
	unsigned int nregions;
	struct hb_region regions[HB_MAX_REGIONS];
	struct hb_vring vr[HB_VRINGS];
	/* back-end ring state the ring helpers keep */
	uint16_t used_idx[HB_VRINGS];
	bool used_wrap[HB_VRINGS];
};

static const uint64_t hb_good_features =
	(1ULL << VIRTIO_F_VERSION_1) | (1ULL << VHOST_USER_F_PROTOCOL_FEATURES) |
	(1ULL << VIRTIO_RING_F_EVENT_IDX) | (1ULL << VIRTIO_NET_F_MRG_RXBUF) |
	(1ULL << VIRTIO_F_RING_PACKED) | (1ULL << VIRTIO_NET_F_MQ);
static const uint64_t hb_good_pfeatures = (1ULL << VHOST_USER_PROTOCOL_F_MQ) |
					  (1ULL << VHOST_USER_PROTOCOL_F_REPLY_ACK) |
					  (1ULL << VHOST_USER_PROTOCOL_F_CONFIGURE_MEM_SLOTS) |
					  (1ULL << VHOST_USER_PROTOCOL_F_STATUS);

static void
hb_defaults(struct hb *b, const char *name)
{
	memset(b, 0, sizeof(*b));
	snprintf(b->path, sizeof(b->path), "/tmp/dpx-vuh-%d-%s.sock", (int)getpid(), name);
	b->lfd = b->stopfd = -1;
	b->features = hb_good_features;
	b->pfeatures = hb_good_pfeatures;
	b->max_slots = 509;
	pthread_mutex_init(&b->lock, NULL);
}

/* Wait for fd to be readable, or for the stop eventfd. @return 1 readable, 0 stop/timeout. */
static int
hb_wait(struct hb *b, int fd, int timeout_ms)
{
	struct pollfd p[2] = {{.fd = fd, .events = POLLIN}, {.fd = b->stopfd, .events = POLLIN}};

	if (poll(p, 2, timeout_ms) <= 0 || p[1].revents)
		return 0;
	return 1;
}

static int
hb_recv_full(struct hb *b, int fd, void *buf, size_t len)
{
	for (size_t got = 0; got < len;) {
		if (!hb_wait(b, fd, 5000))
			return -1;
		ssize_t n = recv(fd, (char *)buf + got, len - got, 0);
		if (n <= 0)
			return -1;
		got += (size_t)n;
	}
	return 0;
}

/* One message with its fds. @return 0, -1 at the end of the connection. */
static int
hb_recv(struct hb *b, int fd, struct vhost_user_msg *m)
{
	char control[CMSG_SPACE(sizeof(int) * VHOST_USER_MAX_FDS)];
	struct iovec iov = {.iov_base = &m->hdr, .iov_len = sizeof(m->hdr)};
	struct msghdr mh = {.msg_iov = &iov,
			    .msg_iovlen = 1,
			    .msg_control = control,
			    .msg_controllen = sizeof(control)};

	m->nfds = 0;
	if (!hb_wait(b, fd, -1))
		return -1;
	ssize_t n = recvmsg(fd, &mh, MSG_CMSG_CLOEXEC | MSG_WAITALL);
	if (n != (ssize_t)sizeof(m->hdr))
		return -1;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c != NULL; c = CMSG_NXTHDR(&mh, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
			m->nfds = (unsigned int)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
			memcpy(m->fds, CMSG_DATA(c), m->nfds * sizeof(int));
		}
	if (m->hdr.size > sizeof(m->payload))
		return -1;
	return hb_recv_full(b, fd, &m->payload, m->hdr.size);
}

static void
hb_reply(int fd, uint32_t req, uint64_t v, uint32_t size, bool with_fd)
{
	uint8_t buf[sizeof(struct vhost_user_hdr) + 8];
	struct vhost_user_hdr h = {req, VHOST_USER_VERSION | VHOST_USER_REPLY_MASK, size};
	char control[CMSG_SPACE(sizeof(int))] = {0};
	struct iovec iov = {.iov_base = buf, .iov_len = sizeof(h) + size};
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
	int extra = with_fd ? eventfd(0, EFD_CLOEXEC) : -1;

	memcpy(buf, &h, sizeof(h));
	memcpy(buf + sizeof(h), &v, 8);
	if (extra >= 0) {
		mh.msg_control = control;
		mh.msg_controllen = sizeof(control);
		struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &extra, sizeof(int));
	}
	/* an error: the front-end went, and the next recv ends the connection */
	(void)!sendmsg(fd, &mh, MSG_NOSIGNAL);
	if (extra >= 0)
		close(extra);
}

static void
hb_unmap_all(struct hb *b)
{
	for (unsigned int i = 0; i < b->nregions; i++)
		munmap(b->regions[i].map, b->regions[i].size);
	b->nregions = 0;
}

/* lock held */
static int
hb_map(struct hb *b, const struct vhost_user_mem_region *r, int fd)
{
	if (b->nregions == HB_MAX_REGIONS)
		return -1;
	void *p = mmap(NULL, r->memory_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		       (off_t)r->mmap_offset);
	if (p == MAP_FAILED) {
		printf("hb: mmap of region %" PRIx64 "+%" PRIx64 " failed: %s\n",
		       r->guest_phys_addr, r->memory_size, strerror(errno));
		return -1;
	}
	b->regions[b->nregions++] = (struct hb_region){r->guest_phys_addr, r->memory_size, p};
	return 0;
}

static void
hb_unmap_one(struct hb *b, uint64_t gpa)
{
	for (unsigned int i = 0; i < b->nregions; i++)
		if (b->regions[i].gpa == gpa) {
			munmap(b->regions[i].map, b->regions[i].size);
			b->regions[i] = b->regions[--b->nregions];
			return;
		}
}

static bool
hb_is_get(uint32_t req)
{
	return req == VHOST_USER_GET_FEATURES || req == VHOST_USER_GET_PROTOCOL_FEATURES ||
	       req == VHOST_USER_GET_QUEUE_NUM || req == VHOST_USER_GET_MAX_MEM_SLOTS ||
	       req == VHOST_USER_GET_STATUS || req == VHOST_USER_GET_VRING_BASE;
}

/* Apply one message to the back-end's state (lock held). @return its answer's u64 (0 = ack). */
static uint64_t
hb_apply(struct hb *b, const struct vhost_user_msg *m)
{
	const union vhost_user_payload *pl = &m->payload;
	uint32_t vi = pl->state.index;
	int fail = 0;

	switch (m->hdr.request) {
	case VHOST_USER_GET_FEATURES:
		return b->features;
	case VHOST_USER_GET_PROTOCOL_FEATURES:
		return b->pfeatures;
	case VHOST_USER_GET_QUEUE_NUM:
		return 8;
	case VHOST_USER_GET_MAX_MEM_SLOTS:
		return b->max_slots;
	case VHOST_USER_SET_MEM_TABLE:
		hb_unmap_all(b);
		for (uint32_t i = 0; i < pl->mem.nregions && i < m->nfds && fail == 0; i++)
			fail = hb_map(b, &pl->mem.regions[i], m->fds[i]);
		return fail != 0;
	case VHOST_USER_ADD_MEM_REG:
		return m->nfds == 1 ? hb_map(b, &pl->mem_reg.region, m->fds[0]) != 0 : 1;
	case VHOST_USER_REM_MEM_REG:
		hb_unmap_one(b, pl->mem_reg.region.guest_phys_addr);
		return 0;
	case VHOST_USER_SET_VRING_NUM:
		if (vi < HB_VRINGS)
			b->vr[vi].num = pl->state.num;
		return 0;
	case VHOST_USER_SET_VRING_ADDR:
		if (pl->addr.index < HB_VRINGS) {
			b->vr[pl->addr.index].desc = pl->addr.desc_user_addr;
			b->vr[pl->addr.index].avail = pl->addr.avail_user_addr;
			b->vr[pl->addr.index].used = pl->addr.used_user_addr;
		}
		return 0;
	case VHOST_USER_SET_VRING_BASE:
		if (vi < HB_VRINGS) {
			b->used_idx[vi] = (uint16_t)(pl->state.num & 0x7fff);
			b->used_wrap[vi] = (pl->state.num >> 15) & 1;
		}
		return 0;
	case VHOST_USER_SET_VRING_ENABLE:
		if (vi < HB_VRINGS)
			b->vr[vi].enabled = pl->state.num != 0;
		return 0;
	case VHOST_USER_SET_STATUS:
		if (pl->u64 == 0xf && !b->up) {
			b->up = true;
			b->ups++;
		}
		return 0;
	default:
		return 0;
	}
}

static void
hb_serve(struct hb *b, int fd)
{
	struct vhost_user_msg m;

	while (hb_recv(b, fd, &m) == 0) {
		uint32_t req = m.hdr.request;
		bool answer = hb_is_get(req) || (m.hdr.flags & VHOST_USER_NEED_REPLY_MASK);
		enum hb_action act = HB_ANSWER;

		pthread_mutex_lock(&b->lock);
		if (req < VHOST_USER_MAX)
			b->seen[req]++;
		if (req == b->fault_req && b->faults_left > 0) {
			act = b->fault;
			b->faulted++;
			if (b->faults_left != HB_ALWAYS)
				b->faults_left--;
		}
		unsigned int slow = b->slow_ms;
		pthread_mutex_unlock(&b->lock);
		if (act == HB_SLOW)
			usleep(slow * 1000u);
		pthread_mutex_lock(&b->lock);
		/* a refused or botched request changes nothing (a get still has its value) */
		bool applies = act == HB_ANSWER || act == HB_SLOW || act == HB_FD ||
			       (hb_is_get(req) && act != HB_CLOSE);
		uint64_t v = applies ? hb_apply(b, &m) : 0;
		if (answer && req == VHOST_USER_ADD_MEM_REG)
			b->add_answered++;
		pthread_mutex_unlock(&b->lock);
		for (unsigned int i = 0; i < m.nfds; i++)
			close(m.fds[i]);
		if (act == HB_CLOSE)
			return;
		if (!answer || act == HB_SILENT)
			continue;
		if (act == HB_NACK)
			v = 1;
		hb_reply(fd, act == HB_WRONG_CODE ? req + 1 : req, v, act == HB_WRONG_SIZE ? 4 : 8,
			 act == HB_FD);
	}
}

/* The next connection: accept (the port is a client) or connect (it is the server). */
static int
hb_next_conn(struct hb *b)
{
	while (!b->connect_mode) {
		if (!hb_wait(b, b->lfd, -1))
			return -1;
		int fd = accept4(b->lfd, NULL, NULL, SOCK_CLOEXEC);
		if (fd >= 0)
			return fd;
	}
	for (;;) {
		struct sockaddr_un a = {.sun_family = AF_UNIX};
		int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		memcpy(a.sun_path, b->path, strlen(b->path));
		if (fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0)
			return fd;
		if (fd >= 0)
			close(fd);
		struct pollfd stop = {.fd = b->stopfd, .events = POLLIN};
		if (poll(&stop, 1, 10) != 0)
			return -1;
	}
}

static void *
hb_thread(void *arg)
{
	struct hb *b = arg;

	for (;;) {
		struct pollfd stop = {.fd = b->stopfd, .events = POLLIN};
		if (poll(&stop, 1, 0) != 0)
			break;
		int fd = hb_next_conn(b);
		if (fd < 0)
			break;
		pthread_mutex_lock(&b->lock);
		b->connections++;
		bool hang_up = b->hang_up_at_once;
		pthread_mutex_unlock(&b->lock);
		if (!hang_up)
			hb_serve(b, fd);
		close(fd);
		pthread_mutex_lock(&b->lock);
		b->up = false;
		hb_unmap_all(b);
		memset(b->vr, 0, sizeof(b->vr));
		pthread_mutex_unlock(&b->lock);
	}
	return NULL;
}

static int
hb_start(struct hb *b)
{
	b->stopfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (b->stopfd < 0)
		return -1;
	if (!b->connect_mode) {
		struct sockaddr_un a = {.sun_family = AF_UNIX};
		memcpy(a.sun_path, b->path, strlen(b->path));
		unlink(b->path);
		b->lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (b->lfd < 0 || bind(b->lfd, (struct sockaddr *)&a, sizeof(a)) != 0 ||
		    listen(b->lfd, 4) != 0)
			return -1;
	}
	return pthread_create(&b->thr, NULL, hb_thread, b) == 0 ? 0 : -1;
}

/* The back-end goes (its connection closes); hb_stop cleans up after. */
static void
hb_halt(struct hb *b)
{
	if (!b->halted && eventfd_write(b->stopfd, 1) == 0)
		pthread_join(b->thr, NULL);
	b->halted = true;
}

static void
hb_stop(struct hb *b)
{
	hb_halt(b);
	if (b->lfd >= 0) {
		close(b->lfd);
		unlink(b->path);
	}
	close(b->stopfd);
	hb_unmap_all(b);
	pthread_mutex_destroy(&b->lock);
}

static unsigned int
hb_get(struct hb *b, const unsigned int *field)
{
	pthread_mutex_lock(&b->lock);
	unsigned int v = *field;
	pthread_mutex_unlock(&b->lock);
	return v;
}

/* Wait (a 10 s guard, not a timing assertion) until *field >= want. */
static bool
hb_wait_count(struct hb *b, const unsigned int *field, unsigned int want)
{
	for (int i = 0; i < 10000; i++) {
		if (hb_get(b, field) >= want)
			return true;
		usleep(1000);
	}
	return false;
}

/* The back-end's pointer for a front-end address (through its own mappings). */
static void *
hb_ptr(struct hb *b, uint64_t gpa)
{
	void *p = NULL;

	pthread_mutex_lock(&b->lock);
	for (unsigned int i = 0; i < b->nregions && p == NULL; i++)
		if (gpa >= b->regions[i].gpa && gpa - b->regions[i].gpa < b->regions[i].size)
			p = b->regions[i].map + (gpa - b->regions[i].gpa);
	pthread_mutex_unlock(&b->lock);
	return p;
}

/* ---- rings as the back-end sees them ---- */

struct hb_ring {
	uint16_t size;
	/* split */
	struct vring_desc *desc;
	struct vring_avail *avail;
	struct vring_used *used;
	/* packed */
	struct vring_packed_desc *pdesc;
};

static int
hb_ring(struct hb *b, unsigned int vi, struct hb_ring *r)
{
	pthread_mutex_lock(&b->lock);
	struct hb_vring v = b->vr[vi];
	pthread_mutex_unlock(&b->lock);
	r->size = (uint16_t)v.num;
	r->desc = hb_ptr(b, v.desc);
	r->pdesc = (struct vring_packed_desc *)r->desc;
	r->avail = hb_ptr(b, v.avail);
	r->used = hb_ptr(b, v.used);
	DPX_TEST_ASSERT(r->size > 0 && r->desc != NULL && r->avail != NULL && r->used != NULL,
			"vring %u mapped by the back-end", vi);
	return DPX_TEST_SUCCESS;
}

/* Split: put {id, len} at the back-end's next used slot (published by hb_split_publish). */
static void
hb_split_used(struct hb *b, unsigned int vi, const struct hb_ring *r, uint32_t id, uint32_t len)
{
	struct vring_used_elem *e = &r->used->ring[b->used_idx[vi] & (r->size - 1)];

	e->id = id;
	e->len = len;
	b->used_idx[vi]++;
}

static void
hb_split_publish(struct hb *b, unsigned int vi, const struct hb_ring *r)
{
	__atomic_store_n(&r->used->idx, b->used_idx[vi], __ATOMIC_RELEASE);
}

/* Packed: write a used descriptor {id, len} at the back-end's next slot, flags last. */
static void
hb_packed_used(struct hb *b, unsigned int vi, const struct hb_ring *r, uint16_t id, uint32_t len,
	       uint16_t skip)
{
	uint16_t at = b->used_idx[vi];
	uint16_t f = b->used_wrap[vi] ? (VRING_PACKED_DESC_F_AVAIL | VRING_PACKED_DESC_F_USED) : 0;

	r->pdesc[at].id = id;
	r->pdesc[at].len = len;
	__atomic_store_n(&r->pdesc[at].flags, (uint16_t)(f | VRING_DESC_F_WRITE), __ATOMIC_RELEASE);
	at = (uint16_t)(at + skip);
	if (at >= r->size) {
		at = (uint16_t)(at - r->size);
		b->used_wrap[vi] = !b->used_wrap[vi];
	}
	b->used_idx[vi] = at;
}

/*
 * Receive: the id and buffer address of the k-th buffer the front-end made
 * available on vring 0 since the back-end's used position (split: the avail
 * ring; packed: the descriptor at that slot).
 */
static void
hb_rx_avail(struct hb *b, const struct hb_ring *r, bool packed, uint16_t k, uint16_t *id,
	    uint64_t *addr, uint32_t *len)
{
	if (!packed) {
		uint16_t head = r->avail->ring[(uint16_t)(b->used_idx[0] + k) & (r->size - 1)];
		*id = head;
		*addr = r->desc[head].addr;
		*len = r->desc[head].len;
	} else {
		const struct vring_packed_desc *d = &r->pdesc[(b->used_idx[0] + k) % r->size];
		*id = d->id;
		*addr = d->addr;
		*len = d->len;
	}
}

/*
 * Fill the k-th available receive buffer with a frame of len bytes of byte
 * pattern seed (header with num_buffers nbuf) and return it used as written
 * bytes wlen (header included; 0: the true length).
 */
static int
hb_rx_fill(struct hb *b, const struct hb_ring *r, bool packed, uint16_t k, uint32_t len,
	   uint8_t seed, uint16_t nbuf, uint16_t *id, uint32_t *room)
{
	uint64_t addr;
	struct virtio_net_hdr_mrg_rxbuf h = {.num_buffers = nbuf};

	hb_rx_avail(b, r, packed, k, id, &addr, room);
	uint8_t *p = hb_ptr(b, addr);
	DPX_TEST_ASSERT(p != NULL && hb_ptr(b, addr + *room - 1) != NULL,
			"the back-end maps receive buffer %u", *id);
	DPX_TEST_ASSERT(len + sizeof(h) <= *room, "");
	memcpy(p, &h, sizeof(h));
	for (uint32_t i = 0; i < len; i++)
		p[sizeof(h) + i] = (uint8_t)(seed + i);
	return DPX_TEST_SUCCESS;
}

/* ---- the port ---- */

struct env {
	struct hb b;
	uint16_t port;
	struct dpx_mempool *mp;
	struct vu_port *vp;
	int fds0;
	FILE *log;
};

static unsigned int link_changes;

static int
on_lsc(uint16_t port_id, enum dpx_eth_event_type ev, void *arg, void *ret)
{
	(void)port_id, (void)ev, (void)arg, (void)ret;
	__atomic_fetch_add(&link_changes, 1, __ATOMIC_RELEASE);
	return 0;
}

static bool
wait_link(uint16_t port, int up)
{
	struct dpx_eth_link l;

	for (int i = 0; i < 10000; i++) {
		if (dpx_eth_link_get_nowait(port, &l) == 0 && l.link_status == up)
			return true;
		usleep(1000);
	}
	return false;
}

/* How many times s is in the log since env_up. */
static unsigned int
log_count(struct env *e, const char *s)
{
	static char buf[1 << 20];
	unsigned int n = 0;

	fflush(e->log);
	rewind(e->log);
	size_t len = fread(buf, 1, sizeof(buf) - 1, e->log);
	buf[len] = '\0';
	fseek(e->log, 0, SEEK_END);
	for (const char *p = buf; (p = strstr(p, s)) != NULL; p += strlen(s))
		n++;
	return n;
}

/*
 * The hostile back-end (configured by the caller in e->b before), the EAL
 * (hugetlbfs page files when huge, else --no-huge) and a port of one queue
 * pair with opts on it, configured, not started.
 */
static int
env_port(struct env *e, const char *opts, bool huge)
{
	char arg[256];

	e->fds0 = dpx_test_count_fds();
	DPX_TEST_ASSERT_EQUAL(hb_start(&e->b), 0, "back-end on %s", e->b.path);
	snprintf(arg, sizeof(arg), "net_virtio_user0,path=%s,server=%d,queue_size=64%s%s",
		 e->b.path, e->b.connect_mode, opts[0] ? "," : "", opts);
	/* dpx_test_eal_init adds the hugepage mount unless --no-huge is given */
	int rc = huge ? dpx_test_eal_init("-m", "128", "--vdev", arg, NULL)
		      : dpx_test_eal_init("--no-huge", "-m", "128", "--vdev", arg, NULL);
	DPX_TEST_ASSERT(rc > 0, "EAL init: %d", rc);
	e->log = tmpfile();
	DPX_TEST_ASSERT(e->log != NULL, "");
	dpx_log_set_stream(e->log);
	DPX_TEST_ASSERT_EQUAL(dpx_eth_dev_get_port_by_name("net_virtio_user0", &e->port), 0, "");
	e->vp = dpx_eth_dev_get(e->port)->data->dev_private;
	e->mp = dpx_pktmbuf_pool_create("vuh_mp", 1024, 0, 0, DPX_MBUF_DEFAULT_BUF_SIZE, -1);
	DPX_TEST_ASSERT(e->mp != NULL, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_dev_configure(e->port, 1, 1, NULL), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_rx_queue_setup(e->port, 0, 64, -1, NULL, e->mp), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_tx_queue_setup(e->port, 0, 64, -1, NULL), 0, "");
	return DPX_TEST_SUCCESS;
}

/* env_port (--no-huge), then the port started; waits for the link when up. */
static int
env_up_nowait(struct env *e, const char *opts, bool up)
{
	DPX_TEST_RUN(env_port(e, opts, false));
	DPX_TEST_ASSERT_EQUAL(
		dpx_eth_dev_callback_register(e->port, DPX_ETH_EVENT_LSC, on_lsc, NULL), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_dev_start(e->port), 0, "");
	if (up) {
		DPX_TEST_ASSERT(hb_wait_count(&e->b, &e->b.ups, 1), "device set up");
		DPX_TEST_ASSERT(wait_link(e->port, 1), "link up");
	}
	return DPX_TEST_SUCCESS;
}

static int
env_up(struct env *e, const char *opts)
{
	return env_up_nowait(e, opts, true);
}

static int
env_down(struct env *e)
{
	DPX_TEST_ASSERT_EQUAL(dpx_eth_dev_stop(e->port), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_dev_close(e->port), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_mempool_in_use_count(e->mp), 0, "every mbuf back");
	dpx_mempool_free(e->mp);
	hb_stop(&e->b);
	dpx_log_set_stream(NULL);
	fclose(e->log);
	DPX_TEST_ASSERT_EQUAL(dpx_eal_cleanup(), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_test_count_fds(), e->fds0, "no fd left");
	return DPX_TEST_SUCCESS;
}

/* A tx packet of len bytes, shared (a second reference) when shared: two descriptors. */
static struct dpx_mbuf *
tx_pkt(struct dpx_mempool *mp, uint16_t len, bool shared)
{
	struct dpx_mbuf *m = dpx_pktmbuf_alloc(mp);

	if (m == NULL || dpx_pktmbuf_append(m, len) == NULL) {
		dpx_pktmbuf_free(m);
		return NULL;
	}
	memset(dpx_pktmbuf_mtod(m, void *), 0x5a, len);
	if (shared)
		dpx_mbuf_refcnt_update(m, 1);
	return m;
}

/* ---- the descriptor table is the back-end's to scribble on ---- */

/*
 * Split rings: the device may write anything into the descriptor table
 * (it is shared memory), including the next fields. The front-end's own
 * free list must not live there: a next of 0xffff would send it to write
 * descriptor 65535 and its slot, far outside the ring.
 */
static int
test_virtio_user_hostile_desc_next(void)
{
	struct env e;
	struct hb_ring tx, rx;
	struct dpx_mbuf *pk[32];

	hb_defaults(&e.b, "next");
	DPX_TEST_RUN(env_up(&e, "mrg_rxbuf=1"));
	struct vu_vq *tq = &e.vp->txq[0], *rq = &e.vp->rxq[0];
	DPX_TEST_RUN(hb_ring(&e.b, 1, &tx));
	DPX_TEST_RUN(hb_ring(&e.b, 0, &rx));
	for (unsigned int round = 0; round < 4; round++) {
		for (uint16_t i = 0; i < tx.size; i++)
			tx.desc[i].next = 0xffff;
		/* shared packets take two descriptors: a chain through next */
		for (unsigned int i = 0; i < 16; i++) {
			pk[i] = tx_pkt(e.mp, 100, true);
			DPX_TEST_ASSERT(pk[i] != NULL, "");
		}
		uint16_t sent = dpx_eth_tx_burst(e.port, 0, pk, 16);
		DPX_TEST_ASSERT_EQUAL(sent, 16, "round %u", round);
		for (unsigned int i = 0; i < 16; i++)
			dpx_pktmbuf_free(pk[i]); /* our reference */
		DPX_TEST_ASSERT(tq->free_head < tq->size, "free list inside the ring: head %u",
				tq->free_head);
		/* what the front-end published: heads and chain links inside the ring */
		uint16_t aidx = __atomic_load_n(&tx.avail->idx, __ATOMIC_ACQUIRE);
		uint16_t base = e.b.used_idx[1];
		DPX_TEST_ASSERT_EQUAL((uint16_t)(aidx - base), 16, "");
		for (uint16_t k = 0; k < 16; k++) {
			uint16_t h = tx.avail->ring[(uint16_t)(base + k) & (tx.size - 1)];
			DPX_TEST_ASSERT(h < tx.size, "head %u", h);
			DPX_TEST_ASSERT(tx.desc[h].flags & VRING_DESC_F_NEXT, "");
			DPX_TEST_ASSERT(tx.desc[h].next < tx.size, "link %u", tx.desc[h].next);
			hb_split_used(&e.b, 1, &tx, h, 0);
		}
		hb_split_publish(&e.b, 1, &tx);
		dpx_eth_tx_burst(e.port, 0, NULL, 0); /* reap */
		DPX_TEST_ASSERT_EQUAL(tq->free_cnt, tq->size, "every descriptor back");
	}
	/* receive: the refill follows the free list too */
	for (uint16_t i = 0; i < rx.size; i++)
		rx.desc[i].next = 0xffff;
	for (uint16_t k = 0; k < 8; k++) {
		uint16_t id;
		uint32_t room;
		DPX_TEST_RUN(hb_rx_fill(&e.b, &rx, false, k, 60, (uint8_t)k, 1, &id, &room));
		hb_split_used(&e.b, 0, &rx, id, 12 + 60);
	}
	hb_split_publish(&e.b, 0, &rx);
	DPX_TEST_ASSERT_EQUAL(dpx_eth_rx_burst(e.port, 0, pk, 32), 8, "");
	dpx_pktmbuf_free_bulk(pk, 8);
	DPX_TEST_ASSERT_EQUAL(rq->free_cnt, 0, "refilled");
	for (uint16_t k = 0; k < 8; k++) {
		uint16_t h = rx.avail->ring[(uint16_t)(rx.size + k) & (rx.size - 1)];
		DPX_TEST_ASSERT(h < rx.size && rq->slots[h].m != NULL, "reposted head %u", h);
	}
	struct dpx_eth_stats st;
	DPX_TEST_ASSERT_EQUAL(dpx_eth_stats_get(e.port, &st), 0, "");
	DPX_TEST_ASSERT_EQUAL(st.opackets, 64, "");
	DPX_TEST_ASSERT_EQUAL(st.ipackets, 8, "");
	DPX_TEST_ASSERT_EQUAL(st.ierrors + st.oerrors, 0, "");
	return env_down(&e);
}

DPX_TEST_REGISTER(virtio_user_hostile_desc_next, fast, test_virtio_user_hostile_desc_next);

/* ---- the used ring is the back-end's to get wrong ---- */

static void
used_put(struct env *e, const struct hb_ring *r, bool packed, uint16_t id, uint32_t len)
{
	if (packed)
		hb_packed_used(&e->b, 0, r, id, len, 1);
	else
		hb_split_used(&e->b, 0, r, id, len);
}

static void
used_publish(struct env *e, const struct hb_ring *r, bool packed)
{
	if (!packed)
		hb_split_publish(&e->b, 0, r);
}

static uint64_t
rx_errors(struct env *e)
{
	struct dpx_eth_stats st;

	return dpx_eth_stats_get(e->port, &st) == 0 ? st.ierrors : UINT64_MAX;
}

/* A frame the back-end wrote with hb_rx_fill(len, seed), byte-exact. */
static int
check_frame(const struct dpx_mbuf *m, uint32_t len, uint8_t seed)
{
	DPX_TEST_ASSERT_EQUAL(m->pkt_len, len, "");
	DPX_TEST_ASSERT_EQUAL(m->nb_segs, 1, "");
	for (uint32_t i = 0; i < len; i++)
		DPX_TEST_ASSERT_EQUAL(dpx_pktmbuf_mtod(m, const uint8_t *)[i], (uint8_t)(seed + i),
				      "byte %u", i);
	return DPX_TEST_SUCCESS;
}

/* Poll until want frames arrived (a guard of 20000 empty polls). @return received. */
static uint16_t
rx_until(struct env *e, struct dpx_mbuf **got, uint16_t cap, uint16_t want)
{
	uint16_t n = 0;

	for (int i = 0; i < 20000 && n < want; i++) {
		uint16_t r = dpx_eth_rx_burst(e->port, 0, got + n, (uint16_t)(cap - n));
		if (r == 0)
			usleep(50);
		n = (uint16_t)(n + r);
	}
	return n;
}

/* Buffers the queue's page pool holds (its cache and recycle ring): out of
 * the mempool, yet in no one's hands. */
static unsigned int
pp_held(const struct dpx_page_pool *pp)
{
	struct dpx_page_pool_info info;

	if (pp == NULL || dpx_page_pool_info_get(pp, &info) != 0)
		return 0;
	return info.cache_count + info.ring_count;
}

enum violation { V_BAD_ID, V_TWICE, V_IDX_JUMP };

static const char *const violation_names[] = {"id out of range", "id returned twice",
					      "used idx beyond what is in flight"};

/*
 * One ring-state violation on a connection: the good frame before it
 * arrives once, then the queue is broken: logged once, one rx error, the
 * device reset (link down) and set up again (the back-end's next connection),
 * every buffer the old ring held back in the pool.
 */
static int
violation_case(struct env *e, bool packed, enum violation v)
{
	struct hb_ring r;
	struct dpx_mbuf *got[64];
	uint16_t id, held;
	uint32_t room;
	unsigned int ups = hb_get(&e->b, &e->b.ups), logs = log_count(e, "broken");
	uint64_t errs = rx_errors(e);

	printf("%s: %s\n", packed ? "packed" : "split", violation_names[v]);
	DPX_TEST_RUN(hb_ring(&e->b, 0, &r));
	DPX_TEST_RUN(hb_rx_fill(&e->b, &r, packed, 0, 60, 7, 1, &id, &room));
	used_put(e, &r, packed, id, 12 + 60);
	if (v == V_BAD_ID)
		used_put(e, &r, packed, 1000, 12 + 60);
	if (v == V_TWICE) /* in one go: no refill can have posted it again between */
		used_put(e, &r, packed, id, 12 + 60);
	used_publish(e, &r, packed);
	held = rx_until(e, got, 64, 1);
	DPX_TEST_ASSERT_EQUAL(held, 1, "the good frame");
	DPX_TEST_RUN(check_frame(got[0], 60, 7));
	if (v == V_IDX_JUMP) {
		e->b.used_idx[0] = (uint16_t)(e->b.used_idx[0] + 1000);
		used_publish(e, &r, packed);
	}
	/* the lcore keeps polling while the control thread resets the device */
	for (int i = 0; i < 40000 && hb_get(&e->b, &e->b.ups) == ups; i++) {
		held = (uint16_t)(held +
				  dpx_eth_rx_burst(e->port, 0, got + held, (uint16_t)(64 - held)));
		usleep(50);
	}
	DPX_TEST_ASSERT(hb_get(&e->b, &e->b.ups) > ups, "the device was reset and set up again");
	DPX_TEST_ASSERT(wait_link(e->port, 1), "link up again");
	DPX_TEST_ASSERT_EQUAL(held, 1, "no buffer handed out after the violation");
	DPX_TEST_ASSERT_EQUAL(log_count(e, "broken") - logs, 1, "logged once");
	DPX_TEST_ASSERT_EQUAL(rx_errors(e) - errs, 1, "counted once");
	const struct vu_vq *rq = &e->vp->rxq[0];
	DPX_TEST_ASSERT_EQUAL(dpx_mempool_in_use_count(e->mp),
			      held + (rq->size - rq->free_cnt) + pp_held(rq->pp),
			      "the old ring's buffers back in the pool, the new ring's posted");
	dpx_pktmbuf_free(got[0]);
	return DPX_TEST_SUCCESS;
}

/*
 * The transmit ring broken (a used id out of range after a good one): the
 * good one is freed, the queue takes no more, the device is reset and the
 * packets the old ring still held are freed unsent; logged once, one error.
 */
static int
tx_violation_case(struct env *e, bool packed)
{
	struct hb_ring r;
	struct dpx_mbuf *pk[4];
	unsigned int ups = hb_get(&e->b, &e->b.ups), logs = log_count(e, "broken");
	struct dpx_eth_stats st;

	DPX_TEST_ASSERT_EQUAL(dpx_eth_stats_get(e->port, &st), 0, "");
	uint64_t oerr = st.oerrors;
	DPX_TEST_RUN(hb_ring(&e->b, 1, &r));
	for (unsigned int i = 0; i < 4; i++)
		DPX_TEST_ASSERT((pk[i] = tx_pkt(e->mp, 100, false)) != NULL, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_tx_burst(e->port, 0, pk, 4), 4, "");
	uint16_t first = packed ? r.pdesc[e->b.used_idx[1]].id
				: r.avail->ring[e->b.used_idx[1] & (r.size - 1)];
	if (packed) {
		hb_packed_used(&e->b, 1, &r, first, 0, 1);
		hb_packed_used(&e->b, 1, &r, 1000, 0, 1);
	} else {
		hb_split_used(&e->b, 1, &r, first, 0);
		hb_split_used(&e->b, 1, &r, 1000, 0);
		hb_split_publish(&e->b, 1, &r);
	}
	for (int i = 0; i < 40000 && hb_get(&e->b, &e->b.ups) == ups; i++) {
		struct dpx_mbuf *m = tx_pkt(e->mp, 100, false);
		DPX_TEST_ASSERT(m != NULL, "");
		if (dpx_eth_tx_burst(e->port, 0, &m, 1) == 0)
			dpx_pktmbuf_free(m);
		usleep(50);
	}
	DPX_TEST_ASSERT(hb_get(&e->b, &e->b.ups) > ups, "the device was reset and set up again");
	DPX_TEST_ASSERT(wait_link(e->port, 1), "");
	DPX_TEST_ASSERT_EQUAL(log_count(e, "broken") - logs, 1, "logged once");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_stats_get(e->port, &st), 0, "");
	DPX_TEST_ASSERT_EQUAL(st.oerrors - oerr, 1, "counted once");
	const struct vu_vq *rq = &e->vp->rxq[0], *tq = &e->vp->txq[0];
	DPX_TEST_ASSERT_EQUAL(dpx_mempool_in_use_count(e->mp),
			      (rq->size - rq->free_cnt) + (tq->size - tq->free_cnt) + pp_held(rq->pp),
			      "what the old ring held is back in the pool");
	return DPX_TEST_SUCCESS;
}

/*
 * Buffers the back-end got wrong one by one (written length beyond the
 * buffer or below the header, num_buffers more than the ring holds) are
 * dropped and counted, the good frames around them arrive, one log line per
 * connection, and the queue keeps going.
 */
static int
malformed_case(struct env *e, bool packed)
{
	struct hb_ring r;
	struct dpx_mbuf *got[64];
	uint16_t id;
	uint32_t room;
	unsigned int ups = hb_get(&e->b, &e->b.ups), logs = log_count(e, "malformed");
	unsigned int changes = __atomic_load_n(&link_changes, __ATOMIC_ACQUIRE);
	uint64_t errs = rx_errors(e);

	DPX_TEST_RUN(hb_ring(&e->b, 0, &r));
	for (uint16_t k = 0; k < 7; k++) {
		bool good = k % 2 == 0;
		DPX_TEST_RUN(hb_rx_fill(&e->b, &r, packed, k, 60 + k, (uint8_t)k, k == 5 ? 1000 : 1,
					&id, &room));
		uint32_t len = k == 1 ? room + 4096 : k == 3 ? 5 : 12 + 60u + k;
		used_put(e, &r, packed, id, good || k == 5 ? 12 + 60u + k : len);
	}
	used_publish(e, &r, packed);
	uint16_t n = rx_until(e, got, 64, 4);
	for (int i = 0; i < 100; i++) /* nothing else comes */
		n = (uint16_t)(n + dpx_eth_rx_burst(e->port, 0, got + n, (uint16_t)(64 - n)));
	DPX_TEST_ASSERT_EQUAL(n, 4, "the good frames only");
	for (uint16_t i = 0; i < 4; i++)
		DPX_TEST_RUN(check_frame(got[i], 60 + 2u * i, (uint8_t)(2 * i)));
	dpx_pktmbuf_free_bulk(got, n);
	DPX_TEST_ASSERT_EQUAL(rx_errors(e) - errs, 3, "each bad buffer counted");
	DPX_TEST_ASSERT_EQUAL(log_count(e, "malformed") - logs, 1, "logged once");
	DPX_TEST_ASSERT_EQUAL(hb_get(&e->b, &e->b.ups), ups, "no reset");
	DPX_TEST_ASSERT_EQUAL(__atomic_load_n(&link_changes, __ATOMIC_ACQUIRE), changes, "");
	return DPX_TEST_SUCCESS;
}

static int
used_ring_case(bool packed)
{
	struct env e;

	hb_defaults(&e.b, packed ? "usedp" : "useds");
	e.b.connect_mode = true; /* a reset port is set up again at once */
	DPX_TEST_RUN(env_up(&e, packed ? "packed_vq=1" : ""));
	DPX_TEST_RUN(malformed_case(&e, packed));
	DPX_TEST_RUN(violation_case(&e, packed, V_BAD_ID));
	DPX_TEST_RUN(violation_case(&e, packed, V_TWICE));
	if (!packed)
		DPX_TEST_RUN(violation_case(&e, packed, V_IDX_JUMP));
	DPX_TEST_RUN(tx_violation_case(&e, packed));
	DPX_TEST_RUN(malformed_case(&e, packed)); /* logged again: a new connection */
	if (packed) {
		/* flags with the wrong wrap bits are not a used descriptor: nothing taken */
		struct hb_ring r;
		struct dpx_mbuf *m;
		uint16_t id;
		uint32_t room;
		DPX_TEST_RUN(hb_ring(&e.b, 0, &r));
		DPX_TEST_RUN(hb_rx_fill(&e.b, &r, true, 0, 80, 3, 1, &id, &room));
		uint16_t at = e.b.used_idx[0];
		r.pdesc[at].id = id;
		r.pdesc[at].len = 12 + 80;
		__atomic_store_n(&r.pdesc[at].flags,
				 (uint16_t)(e.b.used_wrap[0] ? VRING_PACKED_DESC_F_AVAIL
							     : VRING_PACKED_DESC_F_USED),
				 __ATOMIC_RELEASE);
		for (int i = 0; i < 100; i++)
			DPX_TEST_ASSERT_EQUAL(dpx_eth_rx_burst(e.port, 0, &m, 1), 0, "");
		hb_packed_used(&e.b, 0, &r, id, 12 + 80, 1);
		DPX_TEST_ASSERT_EQUAL(rx_until(&e, &m, 1, 1), 1, "");
		DPX_TEST_RUN(check_frame(m, 80, 3));
		dpx_pktmbuf_free(m);
	}
	return env_down(&e);
}

static int
test_virtio_user_hostile_used_split(void)
{
	return used_ring_case(false);
}

static int
test_virtio_user_hostile_used_packed(void)
{
	return used_ring_case(true);
}

DPX_TEST_REGISTER(virtio_user_hostile_used_split, fast, test_virtio_user_hostile_used_split);
DPX_TEST_REGISTER(virtio_user_hostile_used_packed, fast, test_virtio_user_hostile_used_packed);

/* ---- the control protocol ---- */

struct proto_port {
	const char *name;
	uint32_t req; /* the fault, on the first set-up only */
	enum hb_action act;
	const char *logged; /* what the port's log says about it (after its path) */
	uint64_t features, pfeatures, max_slots; /* offered (0: the good ones) */
	bool never_up;				 /* the back-end cannot be driven at all */
	bool harmless;				 /* the fault does not fail the set-up */
};

#define NO_SLOTS (hb_good_pfeatures & ~(1ULL << VHOST_USER_PROTOCOL_F_CONFIGURE_MEM_SLOTS))

static const struct proto_port proto_ports[] = {
	{"codef", VHOST_USER_GET_FEATURES, HB_WRONG_CODE, "GET_FEATURES answered with request 2"},
	{"sizef", VHOST_USER_GET_FEATURES, HB_WRONG_SIZE, "GET_FEATURES answered with request 1"},
	{"closef", VHOST_USER_GET_FEATURES, HB_CLOSE, "GET_FEATURES: "},
	{"sizepf", VHOST_USER_GET_PROTOCOL_FEATURES, HB_WRONG_SIZE,
	 "GET_PROTOCOL_FEATURES answered"},
	{"codeslots", VHOST_USER_GET_MAX_MEM_SLOTS, HB_WRONG_CODE, "GET_MAX_MEM_SLOTS answered"},
	{"silent", VHOST_USER_GET_MAX_MEM_SLOTS, HB_SILENT, "GET_MAX_MEM_SLOTS: "},
	{"nackfeat", VHOST_USER_SET_FEATURES, HB_NACK, "the back-end refused SET_FEATURES"},
	{"nackadd", VHOST_USER_ADD_MEM_REG, HB_NACK, "the back-end refused ADD_MEM_REG"},
	{"closeadd", VHOST_USER_ADD_MEM_REG, HB_CLOSE, "ADD_MEM_REG: "},
	{"nacknum", VHOST_USER_SET_VRING_NUM, HB_NACK, "the back-end refused SET_VRING_NUM"},
	{"nackbase", VHOST_USER_SET_VRING_BASE, HB_NACK, "the back-end refused SET_VRING_BASE"},
	{"nackaddr", VHOST_USER_SET_VRING_ADDR, HB_NACK, "the back-end refused SET_VRING_ADDR"},
	{"nackcall", VHOST_USER_SET_VRING_CALL, HB_NACK, "the back-end refused SET_VRING_CALL"},
	{"nackkick", VHOST_USER_SET_VRING_KICK, HB_NACK, "the back-end refused SET_VRING_KICK"},
	{"nackena", VHOST_USER_SET_VRING_ENABLE, HB_NACK, "the back-end refused SET_VRING_ENABLE"},
	{"codeena", VHOST_USER_SET_VRING_ENABLE, HB_WRONG_CODE, "SET_VRING_ENABLE answered"},
	{"nackstat", VHOST_USER_SET_STATUS, HB_NACK, "the back-end refused SET_STATUS"},
	{"closeowner", VHOST_USER_SET_OWNER, HB_CLOSE, "device set-up failed"},
	{"nacktable", VHOST_USER_SET_MEM_TABLE, HB_NACK, "the back-end refused SET_MEM_TABLE",
	 .pfeatures = NO_SLOTS},
	{"closetable", VHOST_USER_SET_MEM_TABLE, HB_CLOSE,
	 "SET_MEM_TABLE: ", .pfeatures = NO_SLOTS},
	/* an fd nobody asked for with an answer: dropped by the kernel, not leaked */
	{"fdreply", VHOST_USER_GET_FEATURES, HB_FD, NULL, .harmless = true},
	{"fdack", VHOST_USER_SET_VRING_ADDR, HB_FD, NULL, .harmless = true},
	/* offers that are not faults: nonsense bits are not taken, no REPLY_ACK is table mode */
	{"allbits", 0, HB_ANSWER, NULL, .features = ~0ULL, .pfeatures = ~0ULL, .max_slots = ~0ULL},
	{"noack", 0, HB_ANSWER, NULL,
	 .pfeatures = NO_SLOTS & ~(1ULL << VHOST_USER_PROTOCOL_F_REPLY_ACK)},
	/* back-ends that cannot be driven: logged, retried, never up */
	{"nover1", 0, HB_ANSWER, "lacking 0x100000000",
	 .features = hb_good_features & ~(1ULL << VIRTIO_F_VERSION_1), .never_up = true},
	{"noslots", 0, HB_ANSWER, "the heap needs more than 1 regions", .max_slots = 1,
	 .never_up = true},
};

#define NPROTO DPX_DIM(proto_ports)

/* Is there a line in the log with both a and b? (prints the log when not) */
static bool
log_has_line(FILE *log, const char *a, const char *b)
{
	static char text[1 << 20];

	fflush(log);
	rewind(log);
	text[fread(text, 1, sizeof(text) - 1, log)] = '\0';
	fseek(log, 0, SEEK_END);
	for (char *line = text, *end; line != NULL && *line != '\0'; line = end) {
		end = strchr(line, '\n');
		if (end != NULL)
			*end++ = '\0';
		if (strstr(line, a) != NULL && strstr(line, b) != NULL)
			return true;
	}
	printf("log:\n%s\n", text);
	return false;
}

static struct hb proto_hb[NPROTO];

/*
 * Every fault of the table on a port of its own, all at once: the port's
 * first set-up fails with the log line naming the step, nothing of the
 * half-done set-up is left (fds), and the next connection sets it up. A
 * back-end that cannot be driven at all is asked again at most once a second.
 */
static int
test_virtio_user_hostile_protocol(void)
{
	uint16_t ports[NPROTO];
	char name[32], args[192];
	int fds0 = dpx_test_count_fds();
	FILE *log = tmpfile();

	DPX_TEST_ASSERT(log != NULL, "");
	DPX_TEST_ASSERT(dpx_test_eal_init("--no-huge", "-m", "256", NULL) > 0, "");
	dpx_log_set_stream(log);
	struct dpx_mempool *mp =
		dpx_pktmbuf_pool_create("vuh_proto", 2048, 0, 0, DPX_MBUF_DEFAULT_BUF_SIZE, -1);
	DPX_TEST_ASSERT(mp != NULL, "");
	/* every port and queue first: memory events then find no port running */
	for (unsigned int i = 0; i < NPROTO; i++) {
		const struct proto_port *c = &proto_ports[i];
		struct hb *b = &proto_hb[i];
		hb_defaults(b, c->name);
		b->connect_mode = true;
		b->fault_req = c->req;
		b->fault = c->act;
		b->faults_left = c->req != 0 ? 1 : 0;
		if (c->features != 0)
			b->features = c->features;
		if (c->pfeatures != 0)
			b->pfeatures = c->pfeatures;
		if (c->max_slots != 0)
			b->max_slots = c->max_slots;
		snprintf(name, sizeof(name), "net_virtio_user%u", i);
		snprintf(args, sizeof(args), "path=%.107s,server=1,queue_size=64", b->path);
		DPX_TEST_ASSERT_EQUAL(dpx_vdev_init(name, args), 0, "%s", c->name);
		DPX_TEST_ASSERT_EQUAL(dpx_eth_dev_get_port_by_name(name, &ports[i]), 0, "");
		DPX_TEST_ASSERT_EQUAL(dpx_eth_dev_configure(ports[i], 1, 1, NULL), 0, "");
		DPX_TEST_ASSERT_EQUAL(dpx_eth_rx_queue_setup(ports[i], 0, 64, -1, NULL, mp), 0, "");
		DPX_TEST_ASSERT_EQUAL(dpx_eth_tx_queue_setup(ports[i], 0, 64, -1, NULL), 0, "");
	}
	double t0 = dpx_test_seconds();
	for (unsigned int i = 0; i < NPROTO; i++) {
		DPX_TEST_ASSERT_EQUAL(hb_start(&proto_hb[i]), 0, "");
		DPX_TEST_ASSERT_EQUAL(dpx_eth_dev_start(ports[i]), 0, "");
	}
	for (unsigned int i = 0; i < NPROTO; i++) {
		const struct proto_port *c = &proto_ports[i];
		struct hb *b = &proto_hb[i];
		const struct vu_port *vp = dpx_eth_dev_get(ports[i])->data->dev_private;
		if (c->never_up)
			continue;
		DPX_TEST_ASSERT(wait_link(ports[i], 1), "%s: up in the end", c->name);
		DPX_TEST_ASSERT_EQUAL(hb_get(b, &b->faulted), c->req != 0, "%s", c->name);
		DPX_TEST_ASSERT_EQUAL(vp->setup_failures, c->req != 0 && !c->harmless, "%s",
				      c->name);
		DPX_TEST_ASSERT_EQUAL(vp->connects, 1, "%s", c->name);
		DPX_TEST_ASSERT_EQUAL(hb_get(b, &b->ups), 1, "%s", c->name);
		DPX_TEST_ASSERT_EQUAL(vp->features & ~hb_good_features, 0,
				      "%s: only bits asked for", c->name);
		DPX_TEST_ASSERT_EQUAL(vp->protocol_features & ~hb_good_pfeatures, 0, "%s", c->name);
	}
	/* the ones that never come up: asked again, but not in a loop */
	for (unsigned int i = 0; i < NPROTO; i++)
		if (proto_ports[i].never_up)
			DPX_TEST_ASSERT(hb_wait_count(&proto_hb[i], &proto_hb[i].connections, 2),
					"%s asked again", proto_ports[i].name);
	double elapsed = dpx_test_seconds() - t0;
	fflush(log);
	for (unsigned int i = 0; i < NPROTO; i++) {
		const struct proto_port *c = &proto_ports[i];
		struct hb *b = &proto_hb[i];
		struct dpx_eth_link l;
		DPX_TEST_ASSERT_EQUAL(dpx_eth_link_get_nowait(ports[i], &l), 0, "");
		if (c->never_up) {
			unsigned int n = hb_get(b, &b->seen[VHOST_USER_GET_FEATURES]);
			DPX_TEST_ASSERT_EQUAL(l.link_status, 0, "%s", c->name);
			DPX_TEST_ASSERT(n <= 2 + (unsigned int)elapsed, "%s: %u set-ups in %.1f s",
					c->name, n, elapsed);
		}
		if (c->logged != NULL)
			DPX_TEST_ASSERT(log_has_line(log, b->path, c->logged),
					"%s: no line with '%s'", c->name, c->logged);
	}
	for (unsigned int i = 0; i < NPROTO; i++) {
		DPX_TEST_ASSERT_EQUAL(dpx_eth_dev_stop(ports[i]), 0, "");
		DPX_TEST_ASSERT_EQUAL(dpx_eth_dev_close(ports[i]), 0, "");
		hb_stop(&proto_hb[i]);
	}
	DPX_TEST_ASSERT_EQUAL(dpx_mempool_in_use_count(mp), 0, "");
	dpx_mempool_free(mp);
	dpx_log_set_stream(NULL);
	fclose(log);
	DPX_TEST_ASSERT_EQUAL(dpx_eal_cleanup(), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_test_count_fds(), fds0, "no fd left");
	return DPX_TEST_SUCCESS;
}

DPX_TEST_REGISTER(virtio_user_hostile_protocol, fast, test_virtio_user_hostile_protocol);

/* ---- back-ends that come and go ---- */

/*
 * A back-end in a crash loop (accepts, hangs up) while the application sets
 * the port up: the control thread reconnects every 100 ms and must leave
 * the queues alone while the port is stopped (the application may be
 * setting them up at that moment), leak no fd, and never block a burst;
 * when the back-end heals the port comes up.
 */
static int
test_virtio_user_hostile_crash_loop(void)
{
	struct env e;

	hb_defaults(&e.b, "crash");
	e.b.hang_up_at_once = true;
	DPX_TEST_RUN(env_port(&e, "", false));
	/* the stopped port's ring memory is the application's: a mark in it stays */
	uint8_t *ring = e.vp->txq[0].mem;
	memset(ring, 0xa5, 64);
	DPX_TEST_ASSERT(hb_wait_count(&e.b, &e.b.connections, 4), "the port reconnects");
	int fds1 = dpx_test_count_fds();
	for (unsigned int i = 0; i < 64; i++)
		DPX_TEST_ASSERT_EQUAL(ring[i], 0xa5, "byte %u of a stopped queue's ring", i);
	DPX_TEST_ASSERT(hb_wait_count(&e.b, &e.b.connections, 14), "");
	int fds2 = dpx_test_count_fds();
	/* the port's socket may be open at either count, no more */
	DPX_TEST_ASSERT(fds2 <= fds1 + 1 && fds1 <= fds2 + 1,
			"fds %d after 4 reconnects, %d after 14", fds1, fds2);
	/* started: each connection's set-up fails, the data path is not held up */
	DPX_TEST_ASSERT_EQUAL(dpx_eth_dev_start(e.port), 0, "");
	unsigned int c = hb_get(&e.b, &e.b.connections);
	DPX_TEST_ASSERT(hb_wait_count(&e.b, &e.b.connections, c + 2), "");
	struct dpx_mbuf *m = tx_pkt(e.mp, 100, false);
	DPX_TEST_ASSERT_EQUAL(dpx_eth_tx_burst(e.port, 0, &m, 1), 0, "link down: nothing taken");
	DPX_TEST_ASSERT(e.vp->setup_failures >= 1, "");
	pthread_mutex_lock(&e.b.lock);
	e.b.hang_up_at_once = false;
	pthread_mutex_unlock(&e.b.lock);
	DPX_TEST_ASSERT(hb_wait_count(&e.b, &e.b.ups, 1), "the healed back-end is set up");
	DPX_TEST_ASSERT(wait_link(e.port, 1), "");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_tx_burst(e.port, 0, &m, 1), 1, "");
	struct hb_ring tx;
	DPX_TEST_RUN(hb_ring(&e.b, 1, &tx));
	DPX_TEST_ASSERT_EQUAL(__atomic_load_n(&tx.avail->idx, __ATOMIC_ACQUIRE), 1, "posted");
	return env_down(&e);
}

DPX_TEST_REGISTER(virtio_user_hostile_crash_loop, fast, test_virtio_user_hostile_crash_loop);

/*
 * Server mode, two back-ends connecting at once: one is served, the other
 * waits unspoken to; when the first goes, the second is set up.
 */
static int
test_virtio_user_hostile_two_backends(void)
{
	static struct hb second;
	struct env e;

	hb_defaults(&e.b, "two");
	e.b.connect_mode = true;
	hb_defaults(&second, "two");
	second.connect_mode = true;
	DPX_TEST_RUN(env_up_nowait(&e, "", false));
	DPX_TEST_ASSERT_EQUAL(hb_start(&second), 0, "");
	DPX_TEST_ASSERT(wait_link(e.port, 1), "");
	struct hb *served = hb_get(&e.b, &e.b.ups) == 1 ? &e.b : &second;
	struct hb *waiting = served == &e.b ? &second : &e.b;
	DPX_TEST_ASSERT(hb_wait_count(waiting, &waiting->connections, 1), "both connected");
	DPX_TEST_ASSERT_EQUAL(hb_get(served, &served->ups), 1, "");
	DPX_TEST_ASSERT_EQUAL(hb_get(waiting, &waiting->seen[VHOST_USER_SET_OWNER]), 0,
			      "the port did not speak to the second");
	/* the first goes: the second's connection is accepted and set up */
	hb_halt(served);
	DPX_TEST_ASSERT(hb_wait_count(waiting, &waiting->ups, 1), "the second set up");
	DPX_TEST_ASSERT(wait_link(e.port, 1), "");
	DPX_TEST_ASSERT_EQUAL(e.vp->connects, 2, "");
	hb_stop(&second); /* before the port goes: env_down's fd count includes its socket */
	return env_down(&e);
}

DPX_TEST_REGISTER(virtio_user_hostile_two_backends, fast, test_virtio_user_hostile_two_backends);

/* ---- memory hotplug against a slow back-end ---- */

struct small_allocs {
	volatile bool stop;
	double worst; /* seconds one 64-byte dpx_malloc took */
};

static void *
small_allocs_run(void *arg)
{
	struct small_allocs *s = arg;

	while (!s->stop) {
		double t = dpx_test_seconds();
		void *p = dpx_malloc("vuh_small", 64, 0);
		t = dpx_test_seconds() - t;
		dpx_free(p);
		if (t > s->worst)
			s->worst = t;
		usleep(1000);
	}
	return NULL;
}

static unsigned int
heap_pages(void)
{
	struct dpx_malloc_socket_stats st;

	return dpx_malloc_get_socket_stats(0, &st) == 0 ? (unsigned int)st.pages_mapped : 0;
}

/*
 * The memory event callback waits for the back-end's answers with the
 * hotplug and heap locks held: every allocation in the process waits with
 * it. A back-end answering each ADD_MEM_REG just within the 2 s deadline
 * must not hold an allocation for pages x 2 s, nor a set-up hold the port
 * (and with it the next memory event) for regions x 2 s: one deadline
 * covers each whole exchange.
 */
static int
test_virtio_user_hostile_slow_ack(void)
{
	struct env e;
	struct small_allocs sa = {0};
	pthread_t t;

	hb_defaults(&e.b, "slow");
	DPX_TEST_RUN(env_up(&e, ""));
	pthread_mutex_lock(&e.b.lock);
	e.b.fault_req = VHOST_USER_ADD_MEM_REG;
	e.b.fault = HB_SLOW;
	e.b.slow_ms = 700;
	e.b.faults_left = HB_ALWAYS;
	pthread_mutex_unlock(&e.b.lock);
	DPX_TEST_ASSERT_EQUAL(pthread_create(&t, NULL, small_allocs_run, &sa), 0, "");
	/* an allocation that needs 9 new pages: one ALLOC event, 9 regions */
	unsigned int pages0 = heap_pages(), answered0 = hb_get(&e.b, &e.b.add_answered);
	double t0 = dpx_test_seconds();
	void *big = dpx_malloc("vuh_big", 17u << 20, 0);
	double took = dpx_test_seconds() - t0;
	unsigned int answered = hb_get(&e.b, &e.b.add_answered) - answered0;
	unsigned int grown = heap_pages() - pages0;
	sa.stop = true;
	pthread_join(t, NULL);
	printf("an allocation of %u new pages took %.2f s with ADD_MEM_REG answered after 0.7 s "
	       "(%u answered meanwhile); another thread's 64-byte dpx_malloc waited up to %.2f s\n",
	       grown, took, answered, sa.worst);
	DPX_TEST_ASSERT(big != NULL, "a back-end that does not answer in time refuses nothing");
	DPX_TEST_ASSERT(grown >= 9, "%u pages", grown);
	DPX_TEST_ASSERT(answered < grown,
			"the port stopped waiting before the back-end answered "
			"all %u pages (%u answered)",
			grown, answered);
	/* the port drops that back-end and sets up anew: slow again, over the whole heap */
	unsigned int conns = hb_get(&e.b, &e.b.connections);
	DPX_TEST_ASSERT(hb_wait_count(&e.b, &e.b.connections, conns + 1), "reconnected");
	answered0 = hb_get(&e.b, &e.b.add_answered);
	for (int i = 0; i < 30000 && e.vp->setup_failures == 0; i++)
		usleep(1000);
	DPX_TEST_ASSERT_EQUAL(e.vp->setup_failures, 1, "the slow set-up was given up");
	answered = hb_get(&e.b, &e.b.add_answered) - answered0;
	DPX_TEST_ASSERT(answered < heap_pages(),
			"given up before the back-end answered all %u pages "
			"(%u answered)",
			heap_pages(), answered);
	/* healed: the whole heap shared, the big allocation's pages too */
	pthread_mutex_lock(&e.b.lock);
	e.b.faults_left = 0;
	pthread_mutex_unlock(&e.b.lock);
	DPX_TEST_ASSERT(hb_wait_count(&e.b, &e.b.ups, 2), "set up again");
	DPX_TEST_ASSERT(wait_link(e.port, 1), "");
	DPX_TEST_ASSERT(hb_ptr(&e.b, (uint64_t)(uintptr_t)big) != NULL &&
				hb_ptr(&e.b, (uint64_t)(uintptr_t)big + (17u << 20) - 1) != NULL,
			"the back-end maps the allocation");
	dpx_free(big);
	return env_down(&e);
}

DPX_TEST_REGISTER(virtio_user_hostile_slow_ack, fast, test_virtio_user_hostile_slow_ack);

/* ---- what the back-end can do with the fds it is given ---- */

/*
 * Hugetlbfs page files cannot be sealed: a back-end holding one can
 * truncate it, and the port's process dies of SIGBUS at its next touch of
 * the page. The port says so once, at set-up; with sealed memfds (--no-huge
 * here) it says nothing. Against a back-end without memory slots the file
 * per page is also the 8-page limit of SET_MEM_TABLE.
 */
static int
unsealed_case(bool huge, bool table)
{
	struct env e;

	hb_defaults(&e.b, "seal");
	if (table)
		e.b.pfeatures = NO_SLOTS;
	DPX_TEST_RUN(env_port(&e, "", huge));
	for (int round = 0; round < 2; round++) { /* a second set-up says nothing more */
		DPX_TEST_ASSERT_EQUAL(dpx_eth_dev_start(e.port), 0, "");
		DPX_TEST_ASSERT(wait_link(e.port, 1), "");
		DPX_TEST_ASSERT_EQUAL(dpx_eth_dev_stop(e.port), 0, "");
	}
	DPX_TEST_ASSERT_EQUAL(log_count(&e, "the back-end can truncate"), huge ? 1 : 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_dev_start(e.port), 0, "");
	DPX_TEST_ASSERT(wait_link(e.port, 1), "");
	if (table) {
		/* SET_MEM_TABLE's 8 regions: with a file per page, 8 pages */
		unsigned int pages = heap_pages();
		DPX_TEST_ASSERT(pages <= 8, "%u pages at set-up", pages);
		void *p = dpx_malloc("vuh_ninth", (size_t)(9 - pages) << 21, 0);
		printf("%s, %u pages: an allocation needing page 9 %s\n",
		       huge ? "hugetlbfs files" : "--no-huge", pages,
		       p != NULL ? "succeeds" : dpx_strerror(dpx_errno));
		if (huge)
			DPX_TEST_ASSERT(p == NULL && dpx_errno == ENOSPC, "");
		else
			DPX_TEST_ASSERT(p != NULL, "one memfd: the pages merge into one region");
		dpx_free(p);
	}
	return env_down(&e);
}

static int
test_virtio_user_hostile_unsealed(void)
{
	DPX_TEST_RUN(unsealed_case(false, false));
	DPX_TEST_RUN(unsealed_case(false, true));
	if (dpx_test_meminfo("HugePages_Free") < 64)
		DPX_TEST_SKIP("fewer than the 64 free hugepages -m 128 needs");
	DPX_TEST_RUN(unsealed_case(true, false));
	return unsealed_case(true, true);
}

DPX_TEST_REGISTER(virtio_user_hostile_unsealed, hugepage, test_virtio_user_hostile_unsealed);
