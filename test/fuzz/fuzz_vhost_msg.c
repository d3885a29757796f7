/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: the vhost-user message path of libdpx itself. Each input
 * is one connection: its bytes go through a socketpair, with real fds (memfd
 * regions, eventfds, a pipe), into vhost_user_handle(), the function the
 * vhost thread runs: the incremental receiver, the validator, the dispatcher
 * and the real handlers, mapping and unmapping the memfd. Between messages
 * the data path runs on whatever rings the messages set up, over guest
 * memory the input writes too. After each input the device is destroyed and
 * nothing may be left: fds (the next fd number is the same), mappings and
 * allocations (LeakSanitizer).
 *
 * Input: 1 byte of options (bit 0: a proper start first, so the records meet
 * a running device with a buffer in each ring; bit 1: packed rings for it),
 * then records:
 *   ctl (1 byte): bit 7 clear: a message. bits 0-2 fds to attach, bits 3-4
 *     their kind (0 memfd, 1 eventfd, 2 a pipe's write end, 3 alternating);
 *     bit 5: sent in two pieces, the vhost thread running between them, the
 *     fds with the second (a cut byte follows ctl: where, modulo the length);
 *     bit 6: the bytes sent are not what the header says (a length byte
 *     follows: payload bytes sent, so the size field lies either way and the
 *     next record starts inside this message or this one inside the last);
 *     then a 12-byte header and as much of its payload as the input has
 *     (less is a message left unfinished).
 *   bit 7 set: a guest memory write: u16 offset (in 8-byte words), u64 value.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include <dpx_eal.h>
#include <dpx_log.h>
#include <dpx_mbuf.h>
#include <dpx_mempool.h>

#include "vhost_frontend.h"
#include "vhost_private.h"

#define GUEST_MEM (1u << 20)
#define GUEST_UVA 0x7f0000000000ULL /* the front-end's address of guest memory */
#define RING_SIZE 8
#define RING_AT(q) (0x10000u + 0x4000u * (q)) /* desc; avail +0x1000, used +0x2000 */

static struct vhost_socket sock;
static struct dpx_mempool *pool;
static uint8_t *guest;
static int memfd = -1;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char *eal[] = {"fuzz_vhost_msg", "--no-huge", "--in-memory", "-l", "0", NULL};
	const char *path = "/tmp/dpx-fuzz-vhost-msg.sock";
	uint64_t features = 0;

	(void)argc, (void)argv;
	if (dpx_eal_init((int)DPX_DIM(eal) - 1, eal) < 0)
		abort();
	/* thousands of refused messages are expected: only a crash speaks */
	dpx_log_set_global_level(DPX_LOG_EMERG);
	pool = dpx_pktmbuf_pool_create("fuzz", 128, 0, 0, DPX_MBUF_DEFAULT_BUF_SIZE, -1);
	/* the features a real path offers; the path itself never starts */
	if (pool == NULL || dpx_vhost_driver_register(path, 0) < 0 ||
	    dpx_vhost_driver_get_features(path, &features) < 0)
		abort();
	strcpy(sock.path, path);
	sock.features = features;
	sock.fd = -1;
	sock.max_conn = DPX_VHOST_DEFAULT_MAX_CONNECTIONS;
	sock.max_queue_pairs = DPX_VHOST_MAX_QUEUE_PAIRS;
	/* guest memory as QEMU's memory-backend-memfd makes it (sealed) */
	memfd = memfd_create("fuzz-guest", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (memfd < 0 || ftruncate(memfd, GUEST_MEM) < 0 ||
	    fcntl(memfd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW) < 0)
		abort();
	guest = mmap(NULL, GUEST_MEM, PROT_READ | PROT_WRITE, MAP_SHARED, memfd, 0);
	if (guest == MAP_FAILED)
		abort();
	return 0;
}

/* The fds a record attaches: new ones each time, as a peer's would be. */
static unsigned int
make_fds(uint8_t ctl, int *fds)
{
	unsigned int n = ctl & 7, i, kind = (ctl >> 3) & 3;
	int p[2];

	for (i = 0; i < n; i++) {
		unsigned int k = kind == 3 ? i % 2 : kind;

		if (k == 0) {
			fds[i] = dup(memfd);
		} else if (k == 1) {
			fds[i] = eventfd(0, EFD_CLOEXEC);
		} else if (pipe2(p, O_CLOEXEC) == 0) {
			close(p[0]);
			fds[i] = p[1];
		} else {
			fds[i] = -1;
		}
		if (fds[i] < 0)
			abort();
	}
	return n;
}

/* The replies the back-end wrote: read and dropped, as a front-end would. */
static void
drain(int fd)
{
	char buf[4096];

	while (recv(fd, buf, sizeof(buf), MSG_DONTWAIT) > 0)
		;
}

/* Bytes to the back-end and the vhost thread's work on them. @return <0 closed. */
static int
deliver(struct vhost_dev *dev, int peer, const void *msg, size_t len, const int *fds,
	unsigned int nfds)
{
	unsigned int i;
	int rc;

	/* one record is far below the socket buffer */
	if (vfe_sendmsg_fds(peer, msg, len, fds, nfds, MSG_DONTWAIT) < 0)
		abort();
	for (i = 0; i < nfds; i++)
		close(fds[i]); /* the back-end has its own copies now */
	rc = vhost_user_handle(dev);
	drain(peer);
	return rc;
}

/* A record's bytes in two pieces (cut inside them), the fds with the second. */
static int
deliver_cut(struct vhost_dev *dev, int peer, const uint8_t *msg, size_t len, size_t cut,
	    const int *fds, unsigned int nfds)
{
	unsigned int i;
	int rc;

	if (cut == 0 || cut >= len)
		return deliver(dev, peer, msg, len, fds, nfds);
	rc = deliver(dev, peer, msg, cut, NULL, 0);
	if (rc < 0) {
		for (i = 0; i < nfds; i++)
			close(fds[i]);
		return rc;
	}
	return deliver(dev, peer, msg + cut, len - cut, fds, nfds);
}

static int
canned(struct vhost_dev *dev, int peer, uint32_t req, const void *payload, uint32_t size,
       int fd_kind)
{
	uint8_t buf[sizeof(struct vhost_user_hdr) + sizeof(union vhost_user_payload)];
	struct vhost_user_hdr h = {req, VHOST_USER_VERSION, size};
	int fd = -1;

	memcpy(buf, &h, sizeof(h));
	memcpy(buf + sizeof(h), payload, size);
	if (fd_kind == 0)
		fd = dup(memfd);
	else if (fd_kind == 1)
		fd = eventfd(0, EFD_CLOEXEC);
	return deliver(dev, peer, buf, sizeof(h) + size, &fd, fd >= 0 ? 1 : 0);
}

/* The guest driver's first buffers: a receive buffer on vring 0 and a
 * packet on vring 1, for the records to take apart. */
static void
post_buffers(bool packed)
{
	uint32_t q;

	for (q = 0; q < 2; q++) {
		uint64_t buf = 0x30000 + q * 0x1000;
		uint16_t write = q == 0 ? VRING_DESC_F_WRITE : 0;

		if (packed) {
			struct vring_packed_desc *d = (void *)(guest + RING_AT(q));

			*d = (struct vring_packed_desc){
				buf, 100, 0, (uint16_t)(write | VRING_PACKED_DESC_F_AVAIL)};
		} else {
			struct vring_desc *d = (void *)(guest + RING_AT(q));
			struct vring_avail *av = (void *)(guest + RING_AT(q) + 0x1000);

			*d = (struct vring_desc){buf, 100, write, 0};
			av->ring[0] = 0;
			av->idx = 1;
		}
	}
}

/* What QEMU does to start a device with two rings, so the records meet it running. */
static int
start_device(struct vhost_dev *dev, int peer, bool packed)
{
	uint64_t f = (1ULL << VIRTIO_F_VERSION_1) | (1ULL << VHOST_USER_F_PROTOCOL_FEATURES) |
		     (1ULL << VIRTIO_NET_F_MRG_RXBUF) | (1ULL << VIRTIO_RING_F_INDIRECT_DESC) |
		     (packed ? 1ULL << VIRTIO_F_RING_PACKED : 0);
	uint64_t pf = (1ULL << VHOST_USER_PROTOCOL_F_MQ) | (1ULL << VHOST_USER_PROTOCOL_F_STATUS),
		 status = 0xf, u;
	struct vhost_user_mem_table t = {1, 0, {{0, GUEST_MEM, GUEST_UVA, 0}}};
	struct vhost_user_vring_state st;
	struct vhost_user_vring_addr a;
	uint32_t q;
	int rc = 0;

	rc |= canned(dev, peer, VHOST_USER_SET_FEATURES, &f, 8, -1);
	rc |= canned(dev, peer, VHOST_USER_SET_PROTOCOL_FEATURES, &pf, 8, -1);
	rc |= canned(dev, peer, VHOST_USER_SET_MEM_TABLE, &t, 8 + 32, 0);
	for (q = 0; q < 2 && rc == 0; q++) {
		st = (struct vhost_user_vring_state){q, RING_SIZE};
		rc |= canned(dev, peer, VHOST_USER_SET_VRING_NUM, &st, sizeof(st), -1);
		a = (struct vhost_user_vring_addr){
			.index = q,
			.desc_user_addr = GUEST_UVA + RING_AT(q),
			.avail_user_addr = GUEST_UVA + RING_AT(q) + 0x1000,
			.used_user_addr = GUEST_UVA + RING_AT(q) + 0x2000};
		rc |= canned(dev, peer, VHOST_USER_SET_VRING_ADDR, &a, sizeof(a), -1);
		st.num = packed ? 0x8000 : 0;
		rc |= canned(dev, peer, VHOST_USER_SET_VRING_BASE, &st, sizeof(st), -1);
		u = q;
		rc |= canned(dev, peer, VHOST_USER_SET_VRING_CALL, &u, 8, 1);
		rc |= canned(dev, peer, VHOST_USER_SET_VRING_KICK, &u, 8, 1);
		st.num = 1;
		rc |= canned(dev, peer, VHOST_USER_SET_VRING_ENABLE, &st, sizeof(st), -1);
	}
	rc |= canned(dev, peer, VHOST_USER_SET_STATUS, &status, 8, -1);
	post_buffers(packed);
	return rc;
}

/* The application's lcore between two messages: a burst each way. */
static void
traffic(struct vhost_dev *dev)
{
	struct dpx_mbuf *m[8];
	uint16_t n, i;

	n = dpx_vhost_dequeue_burst(dev->vid, 1, pool, m, 8);
	dpx_pktmbuf_free_bulk(m, n);
	for (i = 0; i < 2; i++) {
		m[i] = dpx_pktmbuf_alloc(pool);
		if (m[i] == NULL)
			abort(); /* every mbuf comes back */
		memset(dpx_pktmbuf_append(m[i], 100), 0x5a, 100);
	}
	dpx_vhost_enqueue_burst(dev->vid, 0, m, 2);
	dpx_pktmbuf_free_bulk(m, 2);
}

/* Where the next fd goes. */
static int
lowest_free_fd(void)
{
	int fd = dup(0);

	close(fd);
	return fd;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vhost_user_hdr h;
	struct vhost_dev *dev;
	size_t at = 1, len, payload, cut;
	int sv[2], fds[8], free_fd = lowest_free_fd();
	unsigned int nfds;
	uint16_t off;
	uint64_t v;

	if (size < 1 || socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return 0;
	dev = vhost_dev_new(&sock, sv[0]);
	if (dev == NULL)
		abort();
	memset(guest, 0, 0x20000); /* the rings: every input starts from empty ones */
	/* a proper start is never refused */
	if ((data[0] & 1) && (start_device(dev, sv[1], data[0] & 2) < 0 || !dev->running))
		abort();
	while (at < size) {
		uint8_t ctl = data[at++];

		traffic(dev);
		if (ctl & 0x80) {
			if (size - at < 10)
				break;
			memcpy(&off, data + at, 2);
			memcpy(&v, data + at + 2, 8);
			memcpy(guest + (size_t)off * 8, &v, 8);
			at += 10;
			continue;
		}
		cut = payload = 0;
		if ((ctl & 0x20) && at < size)
			cut = data[at++];
		if ((ctl & 0x40) && at < size)
			payload = data[at++];
		if (size - at < sizeof(h))
			break;
		memcpy(&h, data + at, sizeof(h));
		if (!(ctl & 0x40))
			payload = h.size;
		len = sizeof(h) + DPX_MIN(payload, size - at - sizeof(h));
		nfds = make_fds(ctl, fds);
		if (deliver_cut(dev, sv[1], data + at, len, cut % len, fds, nfds) < 0)
			break; /* the vhost thread would close the connection here */
		at += len;
	}
	traffic(dev);
	/* an unfinished message at its deadline is reported (and the peer closed) */
	(void)vhost_user_overdue(dev, UINT64_MAX);
	vhost_dev_destroy(dev); /* closes sv[0] */
	close(sv[1]);
	if (dpx_mempool_in_use_count(pool) != 0)
		abort();
	/* every fd the input brought is closed: the lowest free one is where it was */
	if (lowest_free_fd() != free_fd)
		abort();
	return 0;
}
