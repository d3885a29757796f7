/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * net_virtio_user as a vhost-user front-end (QEMU docs/interop/vhost-user.rst):
 * messages with a deadline, feature negotiation, the memory table built from
 * the EAL's memseg fds and kept in step with memory hotplug, and vring set-up.
 * Everything here runs with the port's lock held, on the control thread, an
 * ethdev op or a memory event callback; never on the data path.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <dpx_memory.h>

#include "virtio_user.h"
#include "virtio_user_kernel.h"

#define FEAT(f, bit) (((f) >> (bit)) & 1)

/* ---- messages ---- */

int64_t
vu_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Wait until fd is ready for events or the deadline passes. @return 0, -ETIMEDOUT, -errno. */
static int
wait_fd(int fd, short events, int64_t deadline)
{
	for (;;) {
		int64_t left = deadline - vu_now_ms();
		struct pollfd pfd = {.fd = fd, .events = events};
		if (left <= 0)
			return -ETIMEDOUT;
		int rc = poll(&pfd, 1, (int)left);
		if (rc > 0)
			return (pfd.revents & (POLLERR | POLLNVAL)) ? -ECONNRESET : 0;
		if (rc < 0 && errno != EINTR)
			return -errno;
	}
}

/* The socket is non-blocking: a back-end that stops reading costs us the deadline, no more. */
static int
send_all(int sock, const void *buf, size_t len, const int *fds, unsigned int nfds, int64_t deadline)
{
	char control[CMSG_SPACE(sizeof(int) * VHOST_USER_MAX_FDS)] = {0};
	size_t done = 0;

	while (done < len) {
		struct iovec iov = {.iov_base = (char *)(uintptr_t)buf + done,
				    .iov_len = len - done};
		struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
		if (done == 0 && nfds > 0) {
			/* the fds ride with the first byte (vhost-user.rst: ancillary data) */
			mh.msg_control = control;
			mh.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
			struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
			c->cmsg_level = SOL_SOCKET;
			c->cmsg_type = SCM_RIGHTS;
			c->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
			memcpy(CMSG_DATA(c), fds, sizeof(int) * nfds);
		}
		ssize_t n = sendmsg(sock, &mh, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n > 0) {
			done += (size_t)n;
			continue;
		}
		if (n < 0 && errno != EAGAIN && errno != EINTR)
			return -errno;
		int rc = wait_fd(sock, POLLOUT, deadline);
		if (rc != 0)
			return rc;
	}
	return 0;
}

static int
recv_all(int sock, void *buf, size_t len, int64_t deadline)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = recv(sock, (char *)buf + done, len - done, MSG_DONTWAIT);
		if (n > 0) {
			done += (size_t)n;
			continue;
		}
		if (n == 0)
			return -ECONNRESET;
		if (errno != EAGAIN && errno != EINTR)
			return -errno;
		int rc = wait_fd(sock, POLLIN, deadline);
		if (rc != 0)
			return rc;
	}
	return 0;
}

static bool
request_answers(uint32_t req)
{
	switch (req) {
	case VHOST_USER_GET_FEATURES:
	case VHOST_USER_GET_PROTOCOL_FEATURES:
	case VHOST_USER_GET_VRING_BASE:
	case VHOST_USER_GET_QUEUE_NUM:
	case VHOST_USER_GET_MAX_MEM_SLOTS:
	case VHOST_USER_GET_STATUS:
		return true;
	default:
		return false;
	}
}

const char *
vu_req_name(uint32_t req)
{
	static const char *const names[VHOST_USER_MAX] = {
		[VHOST_USER_GET_FEATURES] = "GET_FEATURES",
		[VHOST_USER_SET_FEATURES] = "SET_FEATURES",
		[VHOST_USER_SET_OWNER] = "SET_OWNER",
		[VHOST_USER_SET_MEM_TABLE] = "SET_MEM_TABLE",
		[VHOST_USER_SET_VRING_NUM] = "SET_VRING_NUM",
		[VHOST_USER_SET_VRING_ADDR] = "SET_VRING_ADDR",
		[VHOST_USER_SET_VRING_BASE] = "SET_VRING_BASE",
		[VHOST_USER_SET_VRING_KICK] = "SET_VRING_KICK",
		[VHOST_USER_SET_VRING_CALL] = "SET_VRING_CALL",
		[VHOST_USER_GET_PROTOCOL_FEATURES] = "GET_PROTOCOL_FEATURES",
		[VHOST_USER_SET_PROTOCOL_FEATURES] = "SET_PROTOCOL_FEATURES",
		[VHOST_USER_GET_QUEUE_NUM] = "GET_QUEUE_NUM",
		[VHOST_USER_SET_VRING_ENABLE] = "SET_VRING_ENABLE",
		[VHOST_USER_GET_MAX_MEM_SLOTS] = "GET_MAX_MEM_SLOTS",
		[VHOST_USER_ADD_MEM_REG] = "ADD_MEM_REG",
		[VHOST_USER_REM_MEM_REG] = "REM_MEM_REG",
		[VHOST_USER_SET_STATUS] = "SET_STATUS",
	};

	return req < VHOST_USER_MAX && names[req] != NULL ? names[req] : "?";
}

/* The kernel's vhost-net: the request as its ioctl (the payloads decoded here,
 * where the vhost-user layouts are known). */
static int
kernel_ioctl(struct vu_port *p, uint32_t req, const union vhost_user_payload *pl, const int *fds,
	     uint64_t *u64)
{
	struct vu_kernel_vring_state st = {pl->state.index, pl->state.num};
	struct vu_kernel_vring_file f = {(uint32_t)(pl->u64 & VHOST_USER_VRING_IDX_MASK), -1};
	struct vu_kernel_region r[VU_MAX_TABLE_REGIONS];
	uint64_t v = pl->u64;

	switch (req) {
	case VHOST_USER_SET_OWNER:
		return vu_kernel_call(p->sock, VU_KERNEL_SET_OWNER, NULL);
	case VHOST_USER_GET_FEATURES:
		return vu_kernel_call(p->sock, VU_KERNEL_GET_FEATURES, u64);
	case VHOST_USER_SET_FEATURES:
		return vu_kernel_call(p->sock, VU_KERNEL_SET_FEATURES, &v);
	case VHOST_USER_SET_MEM_TABLE:
		for (uint32_t i = 0; i < pl->mem.nregions && i < VU_MAX_TABLE_REGIONS; i++)
			r[i] = (struct vu_kernel_region){pl->mem.regions[i].guest_phys_addr,
							 pl->mem.regions[i].memory_size,
							 pl->mem.regions[i].userspace_addr};
		return vu_kernel_mem_table(p->sock, r, pl->mem.nregions);
	case VHOST_USER_SET_VRING_NUM:
		return vu_kernel_call(p->sock, VU_KERNEL_SET_VRING_NUM, &st);
	case VHOST_USER_SET_VRING_BASE:
		return vu_kernel_call(p->sock, VU_KERNEL_SET_VRING_BASE, &st);
	case VHOST_USER_SET_VRING_ADDR: {
		struct vhost_user_vring_addr a = pl->addr;
		return vu_kernel_call(p->sock, VU_KERNEL_SET_VRING_ADDR, &a);
	}
	case VHOST_USER_SET_VRING_KICK:
	case VHOST_USER_SET_VRING_CALL:
		f.fd = fds[0];
		return vu_kernel_call(p->sock,
				      req == VHOST_USER_SET_VRING_KICK ? VU_KERNEL_SET_VRING_KICK
								       : VU_KERNEL_SET_VRING_CALL,
				      &f);
	case VHOST_USER_SET_VRING_ENABLE:
		/* a vring runs once the TAP is its backend and stops when it is detached */
		f = (struct vu_kernel_vring_file){pl->state.index, pl->state.num ? p->tapfd : -1};
		return vu_kernel_call(p->sock, VU_KERNEL_SET_BACKEND, &f);
	default:
		return -ENOTSUP;
	}
}

static int
kernel_request(struct vu_port *p, uint32_t req, const void *payload, uint32_t size, const int *fds,
	       uint64_t *u64)
{
	union vhost_user_payload pl = {0};
	uint64_t v = 0;
	int rc;

	if (size > 0)
		memcpy(&pl, payload, DPX_MIN((size_t)size, sizeof(pl)));
	rc = kernel_ioctl(p, req, &pl, fds, &v);
	if (rc != 0) {
		VU_LOG(ERR, "%s: %s ioctl: %s", p->path, vu_req_name(req), dpx_strerror(rc));
		return -EPERM; /* the kernel refused this request; the device stays usable */
	}
	if (u64 != NULL)
		*u64 = v;
	return 0;
}

/*
 * Send one request and, when it is a get or REPLY_ACK is negotiated, read
 * its answer within VU_CTRL_TIMEOUT_MS and the exchange's deadline
 * (p->deadline_ms, set by its caller: a set-up or a memory event). @return 0 (answer's u64 in
 * *u64), -EPERM (the back-end nacked), -ETIMEDOUT / -ECONNRESET / -EPROTO (the connection is no
 * longer usable: the caller disconnects).
 */
static int
request(struct vu_port *p, uint32_t req, const void *payload, uint32_t size, const int *fds,
	unsigned int nfds, uint64_t *u64)
{
	uint8_t buf[sizeof(struct vhost_user_hdr) + sizeof(union vhost_user_payload)];
	bool get = request_answers(req);
	bool ack = !get && FEAT(p->protocol_features, VHOST_USER_PROTOCOL_F_REPLY_ACK);
	struct vhost_user_hdr h = {req, VHOST_USER_VERSION | (ack ? VHOST_USER_NEED_REPLY_MASK : 0),
				   size};
	int64_t deadline = DPX_MIN(vu_now_ms() + VU_CTRL_TIMEOUT_MS, p->deadline_ms);
	union vhost_user_payload reply = {0};
	int rc;

	if (p->kernel)
		return kernel_request(p, req, payload, size, fds, u64);
	memcpy(buf, &h, sizeof(h));
	if (size > 0)
		memcpy(buf + sizeof(h), payload, size);
	rc = send_all(p->sock, buf, sizeof(h) + size, fds, nfds, deadline);
	if (rc == 0 && (get || ack))
		rc = recv_all(p->sock, &h, sizeof(h), deadline);
	if (rc == 0 && (get || ack)) {
		if (h.request != req || !(h.flags & VHOST_USER_REPLY_MASK) ||
		    h.size > sizeof(reply) || (req != VHOST_USER_GET_VRING_BASE && h.size != 8)) {
			VU_LOG(ERR, "%s: %s answered with request %u flags 0x%x size %u", p->path,
			       vu_req_name(req), h.request, h.flags, h.size);
			return -EPROTO;
		}
		rc = recv_all(p->sock, &reply, h.size, deadline);
	}
	if (rc != 0) {
		VU_LOG(ERR, "%s: %s: %s", p->path, vu_req_name(req), dpx_strerror(rc));
		return rc;
	}
	if (u64 != NULL)
		*u64 = req == VHOST_USER_GET_VRING_BASE ? reply.state.num : reply.u64;
	if (ack && reply.u64 != 0) {
		VU_LOG(ERR, "%s: the back-end refused %s (status %" PRIu64 ")", p->path,
		       vu_req_name(req), reply.u64);
		return -EPERM;
	}
	return 0;
}

static int
request_u64(struct vu_port *p, uint32_t req, uint64_t v)
{
	return request(p, req, &v, sizeof(v), NULL, 0, NULL);
}

/* ---- memory table ---- */

/* Cut [excl, excl + len) out of run r; up to two pieces into out. */
static unsigned int
run_minus(const struct dpx_memseg_fd_run *r, uint64_t excl, uint64_t len, struct vu_region out[2])
{
	uint64_t va = (uint64_t)(uintptr_t)r->va, end = va + r->len, n = 0;

	if (len == 0 || excl >= end || excl + len <= va) {
		out[0] = (struct vu_region){va, r->len, r->offset, r->fd};
		return 1;
	}
	if (excl > va)
		out[n++] = (struct vu_region){va, excl - va, r->offset, r->fd};
	if (excl + len < end)
		out[n++] = (struct vu_region){excl + len, end - excl - len,
					      r->offset + (excl + len - va), r->fd};
	return (unsigned int)n;
}

int
vu_regions_build(const struct dpx_memseg_fd_run *runs, unsigned int nruns, uint64_t excl,
		 uint64_t excl_len, bool per_page, size_t page_sz, struct vu_region *out,
		 unsigned int max)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < nruns; i++) {
		struct vu_region piece[2];
		unsigned int np = run_minus(&runs[i], excl, excl_len, piece);
		for (unsigned int k = 0; k < np; k++) {
			/* slots: a page each, so any page can be removed without the others */
			uint64_t step = per_page ? page_sz : piece[k].len;
			for (uint64_t at = 0; at < piece[k].len; at += step) {
				if (n == max)
					return -ENOSPC;
				out[n++] = (struct vu_region){piece[k].va + at, step,
							      piece[k].offset + at, piece[k].fd};
			}
		}
	}
	return (int)n;
}

static int
run_collect(const struct dpx_memseg_fd_run *run, void *arg)
{
	struct vu_port *p = arg;

	if (p->nruns == VU_MAX_RUNS)
		return -ENOSPC;
	p->runs[p->nruns++] = *run;
	return 0;
}

/* What the back-end should hold now, less [excl, excl + len), into p->want.
 * @return the count, or -ENOSPC. */
static int
regions_wanted(struct vu_port *p, uint64_t excl, uint64_t len, unsigned int max)
{
	const struct dpx_memseg *ms;
	int rc;

	p->nruns = 0;
	rc = dpx_memseg_fd_walk(run_collect, p);
	if (rc != 0) {
		VU_LOG(ERR, "%s: more than %d pieces of heap memory to share", p->path,
		       VU_MAX_RUNS);
		return rc;
	}
	ms = p->nruns > 0 ? dpx_mem_virt2memseg(p->runs[0].va) : NULL;
	rc = vu_regions_build(p->runs, p->nruns, excl, len, p->slots_mode, ms != NULL ? ms->len : 0,
			      p->want, max);
	if (rc < 0)
		VU_LOG(ERR, "%s: the heap needs more than %u regions (%s)", p->path, max,
		       p->slots_mode ? "the back-end's memory slots"
				     : "SET_MEM_TABLE's limit: use --in-memory or --no-huge, "
				       "whose pages share one fd per node");
	return rc;
}

static struct vhost_user_mem_region
region_msg(const struct vu_region *r)
{
	/* guest-physical = our virtual: descriptors carry virtual addresses */
	return (struct vhost_user_mem_region){r->va, r->len, r->va, r->offset};
}

static int
table_send(struct vu_port *p, const struct vu_region *r, unsigned int n)
{
	struct vhost_user_mem_table t = {.nregions = n};
	int fds[VU_MAX_TABLE_REGIONS];

	for (unsigned int i = 0; i < n; i++) {
		t.regions[i] = region_msg(&r[i]);
		fds[i] = r[i].fd;
	}
	int rc = request(p, VHOST_USER_SET_MEM_TABLE, &t,
			 (uint32_t)(offsetof(struct vhost_user_mem_table, regions) +
				    n * sizeof(t.regions[0])),
			 fds, n, NULL);
	if (rc == 0) {
		memcpy(p->regions, r, n * sizeof(*r));
		p->nregions = n;
	}
	return rc;
}

static int
region_find(const struct vu_port *p, uint64_t va)
{
	for (unsigned int i = 0; i < p->nregions; i++)
		if (p->regions[i].va == va)
			return (int)i;
	return -1;
}

static int
slot_add(struct vu_port *p, const struct vu_region *r)
{
	struct vhost_user_mem_single m = {.region = region_msg(r)};

	if (region_find(p, r->va) >= 0)
		return 0; /* a set-up that raced with the event already sent it */
	if (p->nregions == VU_MAX_SLOTS || p->nregions >= p->max_slots) {
		VU_LOG(ERR, "%s: all %u memory slots in use", p->path, p->nregions);
		return -ENOSPC;
	}
	int rc = request(p, VHOST_USER_ADD_MEM_REG, &m, sizeof(m), &r->fd, 1, NULL);
	if (rc == 0)
		p->regions[p->nregions++] = *r;
	return rc;
}

static int
slot_remove(struct vu_port *p, uint64_t va)
{
	int i = region_find(p, va);

	if (i < 0)
		return 0;
	struct vhost_user_mem_single m = {.region = region_msg(&p->regions[i])};
	int rc = request(p, VHOST_USER_REM_MEM_REG, &m, sizeof(m), NULL, 0, NULL);
	/* forgotten either way: a back-end that cannot remove it is disconnected */
	p->regions[i] = p->regions[--p->nregions];
	return rc;
}

/*
 * The back-end gets fds it can write to. A memfd sealed against shrinking
 * (--in-memory, --no-huge) it cannot truncate; a hugetlbfs page file it can,
 * and our next touch of that page is a SIGBUS that kills the process. Said
 * once per port, at the first set-up.
 */
static void
warn_unsealed(struct vu_port *p, const struct vu_region *r, unsigned int n)
{
	for (unsigned int i = 0; i < n && !p->warned_unsealed; i++) {
		int seals = fcntl(r[i].fd, F_GET_SEALS);
		if (seals >= 0 && (seals & F_SEAL_SHRINK))
			continue;
		VU_LOG(WARNING,
		       "%s: heap pages are files the back-end can truncate, which kills this "
		       "process with SIGBUS: with a back-end you do not trust, run with "
		       "--in-memory or --no-huge (sealed memfds)",
		       p->path);
		p->warned_unsealed = true;
	}
}

static int
mem_setup(struct vu_port *p)
{
	int n = regions_wanted(p, 0, 0,
			       p->slots_mode ? (unsigned int)p->max_slots : VU_MAX_TABLE_REGIONS);

	p->nregions = 0;
	if (n < 0)
		return n;
	warn_unsealed(p, p->want, (unsigned int)n);
	if (!p->slots_mode)
		return table_send(p, p->want, (unsigned int)n);
	for (int i = 0; i < n; i++) {
		int rc = slot_add(p, &p->want[i]);
		if (rc != 0)
			return rc;
	}
	return 0;
}

/* A failed exchange that left the connection unusable: let the control thread drop it. */
static void
conn_broken(struct vu_port *p, int rc)
{
	if (rc != -EPERM && rc != -ENOSPC && p->sock >= 0)
		shutdown(p->sock, SHUT_RDWR);
}

/* Slots: one ADD_MEM_REG per page; on a refusal the accepted ones are taken back. */
static int
slots_add_range(struct vu_port *p, uint64_t start, size_t len)
{
	size_t at = 0;
	int rc = 0;

	while (at < len && rc == 0) {
		const struct dpx_memseg *ms =
			dpx_mem_virt2memseg((const void *)(uintptr_t)(start + at));
		struct vu_region r = {start + at, 0, 0, -1};
		rc = ms == NULL ? -ENOENT : dpx_memseg_get_fd(ms, &r.fd, &r.offset);
		if (rc == 0) {
			r.len = ms->len;
			rc = slot_add(p, &r);
		}
		if (rc == 0)
			at += ms->len;
	}
	for (size_t back = 0; rc != 0 && back < at;) {
		const struct dpx_memseg *ms =
			dpx_mem_virt2memseg((const void *)(uintptr_t)(start + back));
		if (ms == NULL || slot_remove(p, start + back) != 0)
			break;
		back += ms->len;
	}
	return rc;
}

int
vu_dev_mem_alloc(struct vu_port *p, const void *va, size_t len)
{
	uint64_t start = (uint64_t)(uintptr_t)va;
	int rc = 0;

	if (p->sock < 0 || !p->running)
		return 0; /* shared when the back-end (re)connects */
	p->deadline_ms = vu_now_ms() + VU_CTRL_TIMEOUT_MS;
	if (!p->slots_mode) {
		int n = regions_wanted(p, 0, 0, VU_MAX_TABLE_REGIONS);
		rc = n < 0 ? n : table_send(p, p->want, (unsigned int)n);
		if (rc == -EPERM) {
			/* back to the table without the new pages, which are about to go */
			n = regions_wanted(p, start, len, VU_MAX_TABLE_REGIONS);
			if (n >= 0 && table_send(p, p->want, (unsigned int)n) != 0)
				conn_broken(p, -EPROTO);
		}
	} else {
		rc = slots_add_range(p, start, len);
	}
	if (rc == 0)
		return 0;
	conn_broken(p, rc);
	/* a refusal refuses the memory; a lost back-end refuses nothing (it gets
	 * the whole table when it reconnects) */
	if (rc == -EPERM || rc == -ENOSPC) {
		VU_LOG(ERR, "%s: back-end cannot map %zu bytes at %p: the allocation is refused",
		       p->path, len, va);
		return rc;
	}
	return 0;
}

void
vu_dev_mem_free(struct vu_port *p, const void *va, size_t len)
{
	uint64_t start = (uint64_t)(uintptr_t)va;
	int rc = 0;

	if (p->sock < 0 || !p->running)
		return;
	p->deadline_ms = vu_now_ms() + VU_CTRL_TIMEOUT_MS;
	if (!p->slots_mode) {
		int n = regions_wanted(p, start, len, VU_MAX_TABLE_REGIONS);
		rc = n < 0 ? n : table_send(p, p->want, (unsigned int)n);
	} else {
		/* FREE ranges are whole pages; regions are pages (vu_regions_build) */
		const struct dpx_memseg *ms = dpx_mem_virt2memseg(va);
		size_t pg = ms != NULL ? ms->len : len;
		for (size_t at = 0; at < len && rc == 0; at += pg)
			rc = slot_remove(p, start + at);
	}
	if (rc != 0) {
		/* the pages go whatever the back-end says: never let it keep them */
		VU_LOG(ERR, "%s: back-end did not release %zu bytes at %p: disconnecting", p->path,
		       len, va);
		conn_broken(p, -EPROTO);
	}
}

/* ---- negotiation and vrings ---- */

static uint64_t
features_wanted(const struct vu_port *p)
{
	uint64_t f = (1ULL << VIRTIO_F_VERSION_1) | (1ULL << VHOST_USER_F_PROTOCOL_FEATURES) |
		     (1ULL << VIRTIO_RING_F_EVENT_IDX);

	if (p->mrg_rxbuf)
		f |= 1ULL << VIRTIO_NET_F_MRG_RXBUF;
	if (p->packed_vq)
		f |= 1ULL << VIRTIO_F_RING_PACKED;
	if (p->dev->data->nb_rx_queues > 1)
		f |= 1ULL << VIRTIO_NET_F_MQ;
	return f;
}

static int
negotiate_protocol(struct vu_port *p)
{
	const uint64_t want = (1ULL << VHOST_USER_PROTOCOL_F_MQ) |
			      (1ULL << VHOST_USER_PROTOCOL_F_REPLY_ACK) |
			      (1ULL << VHOST_USER_PROTOCOL_F_CONFIGURE_MEM_SLOTS) |
			      (1ULL << VHOST_USER_PROTOCOL_F_STATUS);
	uint64_t offered = 0, nq = 1;
	int rc = request(p, VHOST_USER_GET_PROTOCOL_FEATURES, NULL, 0, NULL, 0, &offered);

	if (rc == 0)
		rc = request_u64(p, VHOST_USER_SET_PROTOCOL_FEATURES, offered & want);
	if (rc != 0)
		return rc;
	p->protocol_features = offered & want;
	uint16_t pairs = p->dev->data->nb_rx_queues;
	if (pairs > 1) {
		if (FEAT(p->protocol_features, VHOST_USER_PROTOCOL_F_MQ))
			rc = request(p, VHOST_USER_GET_QUEUE_NUM, NULL, 0, NULL, 0, &nq);
		if (rc == 0 && nq < pairs) {
			VU_LOG(ERR, "%s: %u queue pairs configured, the back-end has %" PRIu64,
			       p->path, pairs, nq);
			return -ENOTSUP;
		}
	}
	/* refusals must be heard (REPLY_ACK) before memory goes page by page */
	p->slots_mode = FEAT(p->protocol_features, VHOST_USER_PROTOCOL_F_CONFIGURE_MEM_SLOTS) &&
			FEAT(p->protocol_features, VHOST_USER_PROTOCOL_F_REPLY_ACK);
	p->max_slots = VU_MAX_TABLE_REGIONS;
	if (rc == 0 && p->slots_mode) {
		rc = request(p, VHOST_USER_GET_MAX_MEM_SLOTS, NULL, 0, NULL, 0, &p->max_slots);
		p->max_slots = DPX_MIN(p->max_slots, (uint64_t)VU_MAX_SLOTS);
	}
	return rc;
}

static int
negotiate(struct vu_port *p)
{
	uint64_t offered = 0, want = features_wanted(p);
	int rc;

	/* a new connection: nothing negotiated, so nothing is acknowledged yet */
	p->protocol_features = 0;
	rc = request(p, VHOST_USER_SET_OWNER, NULL, 0, NULL, 0, NULL);
	if (rc == 0)
		rc = request(p, VHOST_USER_GET_FEATURES, NULL, 0, NULL, 0, &offered);
	if (rc != 0)
		return rc;
	/* what the user asked for explicitly must be there; event idx is a bonus,
	 * and the kernel's vhost-net has no vhost-user protocol features */
	uint64_t must = want & ~(1ULL << VIRTIO_RING_F_EVENT_IDX) &
			~(1ULL << VHOST_USER_F_PROTOCOL_FEATURES);
	if ((offered & must) != must) {
		VU_LOG(ERR,
		       "%s: back-end offers features 0x%" PRIx64 ", lacking 0x%" PRIx64
		       " (VERSION_1, PROTOCOL_FEATURES, and the mrg_rxbuf/packed_vq/queues asked)",
		       p->path, offered, must & ~offered);
		return -ENOTSUP;
	}
	p->features = offered & want;
	p->slots_mode = false;
	if (FEAT(p->features, VHOST_USER_F_PROTOCOL_FEATURES))
		rc = negotiate_protocol(p);
	else if (p->dev->data->nb_rx_queues > 1)
		rc = -ENOTSUP; /* GET_QUEUE_NUM is a protocol feature */
	if (rc == 0)
		rc = request_u64(p, VHOST_USER_SET_FEATURES, p->features);
	return rc;
}

static int
eventfd_once(int *fd)
{
	if (*fd < 0)
		*fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	return *fd < 0 ? -errno : 0;
}

static int
vring_setup(struct vu_port *p, struct vu_vq *vq)
{
	struct vhost_user_vring_state st = {vq->index, vq->size};
	struct vhost_user_vring_addr a = {.index = vq->index};
	uint64_t idx = vq->index;
	int rc;

	vu_vq_reset(vq, p->features);
	if ((rc = eventfd_once(&vq->kickfd)) != 0 || (rc = eventfd_once(&vq->callfd)) != 0)
		return rc;
	a.desc_user_addr = (uint64_t)(uintptr_t)vq->desc;
	a.avail_user_addr = (uint64_t)(uintptr_t)vq->avail;
	a.used_user_addr = (uint64_t)(uintptr_t)vq->used;
	rc = request(p, VHOST_USER_SET_VRING_NUM, &st, sizeof(st), NULL, 0, NULL);
	/* packed: bit 15 of the base is the wrap counter, which starts at 1 (2.7.1) */
	st.num = vq->packed ? 1u << 15 : 0;
	if (rc == 0)
		rc = request(p, VHOST_USER_SET_VRING_BASE, &st, sizeof(st), NULL, 0, NULL);
	if (rc == 0)
		rc = request(p, VHOST_USER_SET_VRING_ADDR, &a, sizeof(a), NULL, 0, NULL);
	if (rc == 0)
		rc = request(p, VHOST_USER_SET_VRING_CALL, &idx, sizeof(idx), &vq->callfd, 1, NULL);
	if (rc == 0)
		rc = request(p, VHOST_USER_SET_VRING_KICK, &idx, sizeof(idx), &vq->kickfd, 1, NULL);
	if (rc == 0 && (vq->index & 1) == 0)
		vu_vq_rx_refill(vq); /* buffers in place before the back-end may use the ring */
	st.num = 1;
	/* vhost-user.rst: rings start disabled once PROTOCOL_FEATURES is negotiated
	 * (without, they run as soon as kicked); the kernel's run once the TAP is attached */
	if (rc == 0 && (FEAT(p->features, VHOST_USER_F_PROTOCOL_FEATURES) || p->kernel))
		rc = request(p, VHOST_USER_SET_VRING_ENABLE, &st, sizeof(st), NULL, 0, NULL);
	return rc;
}

int
vu_dev_setup(struct vu_port *p)
{
	int rc;

	p->deadline_ms = vu_now_ms() + VU_SETUP_TIMEOUT_MS;
	rc = negotiate(p);

	if (rc == 0)
		rc = mem_setup(p);
	for (uint16_t q = 0; rc == 0 && q < p->dev->data->nb_rx_queues; q++) {
		rc = vring_setup(p, &p->rxq[q]);
		if (rc == 0)
			rc = vring_setup(p, &p->txq[q]);
	}
	/* ACKNOWLEDGE | DRIVER | FEATURES_OK | DRIVER_OK (virtio 1.1, 2.1) */
	if (rc == 0 && FEAT(p->protocol_features, VHOST_USER_PROTOCOL_F_STATUS))
		rc = request_u64(p, VHOST_USER_SET_STATUS, 0xf);
	if (rc != 0)
		VU_LOG(ERR, "%s: device set-up failed: %s", p->path, dpx_strerror(rc));
	return rc;
}
