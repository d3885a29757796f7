/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Hostile vhost-user peers at the message layer, through a real socket:
 * messages cut into pieces of every size with their fds on a later piece,
 * fds on the wrong message or more than any message carries, guest memory
 * the front-end could shrink under the data path, sparse files that would
 * take the process's address space, a client-mode front-end that accepts
 * and hangs up in a loop, connections opened and closed by the thousand at
 * the cap, a front-end that hangs up after every byte of a bring-up,
 * replies asked for where none is due, the device stopped and started
 * under an lcore's bursts, a ring stopped twice and restarted with a NOFD
 * kick, a kick fd that would keep its connection alive, a second front-end
 * the application refuses, rings across two
 * regions, a log smaller than the memory or past its file, features
 * changed while running. Each ends with no fd, mapping or mbuf left, and
 * another device served byte for byte.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include <dpx_mbuf.h>
#include <dpx_mempool.h>

#include "dpx_test.h"
#include "vhost_frontend.h"
#include "vhost_private.h"

#define F(bit) (1ULL << (bit))
#define WANT_SPLIT (~0ULL & ~F(VIRTIO_F_RING_PACKED))

static struct dpx_mempool *pool;

static uint8_t
pattern(unsigned int seed, uint32_t off)
{
	return (uint8_t)(seed * 13 + off * 5 + (off >> 7));
}

/* One packet each way, every byte checked. */
static int
serves(struct vfe *fe, int vid, unsigned int seed)
{
	struct dpx_mbuf *m;
	uint8_t buf[2048], *d;
	const uint8_t *p;
	uint32_t k, len = 600;

	DPX_TEST_ASSERT_EQUAL(vfe_rx_post(fe, 0, 1, 1), 1, "");
	m = dpx_pktmbuf_alloc(pool);
	DPX_TEST_ASSERT(m != NULL, "");
	d = (uint8_t *)dpx_pktmbuf_append(m, (uint16_t)len);
	for (k = 0; k < len; k++)
		d[k] = pattern(seed, k);
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_enqueue_burst(vid, 0, &m, 1), 1, "to the guest");
	dpx_pktmbuf_free(m);
	DPX_TEST_ASSERT_EQUAL(vfe_rx_take(fe, 0, buf, sizeof(buf)), (int)len, "");
	for (k = 0; k < len; k++)
		DPX_TEST_ASSERT_EQUAL(buf[k], pattern(seed, k), "byte %u", k);
	for (k = 0; k < len; k++)
		buf[k] = pattern(seed + 1, k);
	DPX_TEST_ASSERT_EQUAL(vfe_tx_post(fe, 1, buf, len, 1), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_dequeue_burst(vid, 1, pool, &m, 1), 1, "from the guest");
	DPX_TEST_ASSERT_EQUAL(m->pkt_len, len, "");
	p = dpx_pktmbuf_read(m, 0, len, buf);
	for (k = 0; k < len; k++)
		DPX_TEST_ASSERT_EQUAL(p[k], pattern(seed + 1, k), "byte %u", k);
	dpx_pktmbuf_free(m);
	DPX_TEST_ASSERT_EQUAL(vfe_tx_reclaim(fe, 1), 1, "");
	return DPX_TEST_SUCCESS;
}

/* ---- messages cut into pieces, fds with a later piece ---- */

/* A whole bring-up with every message in pieces of 1..13 bytes, one sendmsg
 * (and so, as often as not, one wake-up of the vhost thread) each, its fds
 * on the first piece or the last: the device runs and serves as if each
 * had come whole. */
static int
test_vhost_hostile_msg_pieces(void)
{
	static const unsigned int chunks[] = {1, 2, 3, 5, 7, 11, 12, 13};
	char path[108];
	struct vfe fe;
	unsigned int i;

	DPX_TEST_RUN(vfe_case_start(&pool));
	vfe_sock_path(path, sizeof(path), "pieces");
	DPX_TEST_RUN(vfe_server_start(path, 0));
	for (i = 0; i < 2 * DPX_DIM(chunks); i++) {
		DPX_TEST_ASSERT_EQUAL(vfe_init(&fe, VFE_SESSION_MEM_SIZE), 0, "");
		DPX_TEST_ASSERT_EQUAL(vfe_connect(&fe, path), 0, "");
		fe.chunk = chunks[i / 2];
		fe.fds_last = i % 2;
		DPX_TEST_RUN(vfe_bring_up(&fe, WANT_SPLIT, false, (int)i + 1));
		DPX_TEST_RUN(serves(&fe, vfe_ev.vid, i));
		vfe_fini(&fe);
		DPX_TEST_ASSERT(vfe_wait_count(&vfe_ev.destroy_calls, (int)i + 1), "");
	}
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_driver_unregister(path), 0, "");
	return vfe_case_end(pool);
}

DPX_TEST_REGISTER(vhost_hostile_msg_pieces, fast, test_vhost_hostile_msg_pieces);

/* ---- fds where they do not belong ---- */

static int
eventfds(int *fds, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		fds[i] = eventfd(0, EFD_CLOEXEC);
		DPX_TEST_ASSERT(fds[i] >= 0, "");
	}
	return DPX_TEST_SUCCESS;
}

static void
close_all(int *fds, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		close(fds[i]);
}

/* The bytes of a message and the fds that come with them, sent as pieces of
 * given sizes (fds on piece fd_piece), then: closed, the reason logged. */
struct bad_send {
	const char *what;
	const char *log;
	uint8_t msg[300];
	size_t len;
	unsigned int nfds;
	size_t pieces[4]; /* 0-terminated; none: one sendmsg */
	unsigned int fd_piece;
	unsigned int fd_piece2; /* a second piece with nfds2 more fds, or 0 */
	unsigned int nfds2;
};

static size_t
msg_make(uint8_t *buf, uint32_t req, uint32_t flags, const void *payload, uint32_t size)
{
	struct vhost_user_hdr h = {req, VHOST_USER_VERSION | flags, size};

	memcpy(buf, &h, sizeof(h));
	if (size > 0)
		memcpy(buf + sizeof(h), payload, size);
	return sizeof(h) + size;
}

static int
bad_send_run(const char *path, const struct bad_send *b)
{
	int fds[16], fds2[16];
	struct vfe fe;
	size_t at = 0, n;
	unsigned int p;
	int rc;

	DPX_TEST_ASSERT_EQUAL(vfe_init(&fe, 4 << 20), 0, "");
	DPX_TEST_ASSERT_EQUAL(vfe_connect(&fe, path), 0, "");
	DPX_TEST_RUN(eventfds(fds, b->nfds));
	DPX_TEST_RUN(eventfds(fds2, b->nfds2));
	for (p = 0; at < b->len; p++, at += n) {
		n = b->pieces[p] != 0 ? b->pieces[p] : b->len - at;
		rc = vfe_sendmsg_fds(
			fe.sock, b->msg + at, n,
			p == b->fd_piece ? fds : (p == b->fd_piece2 ? fds2 : NULL),
			p == b->fd_piece ? b->nfds : (p == b->fd_piece2 ? b->nfds2 : 0), 0);
		DPX_TEST_ASSERT(rc == 0 || rc == -EPIPE || rc == -ECONNRESET, "%s: send: %s",
				b->what, strerror(-rc));
		usleep(20000); /* each piece its own wake-up */
	}
	close_all(fds, b->nfds);
	close_all(fds2, b->nfds2);
	DPX_TEST_ASSERT_EQUAL(vfe_wait_closed(&fe, 3000), 0, "%s: closed", b->what);
	DPX_TEST_ASSERT(vfe_log_has(b->log), "%s", b->what);
	vfe_fini(&fe);
	return DPX_TEST_SUCCESS;
}

/* Fds where no rule allows them: each closes that connection, is closed
 * itself (the fd count at the end), and the running device is served. */
static int
test_vhost_hostile_msg_fds(void)
{
	struct bad_send b[8];
	uint64_t u = 0;
	char path[108];
	struct vfe good;
	unsigned int i, n = 0;
	struct vhost_user_mem_table t = {8, 0, {{0}}};

	DPX_TEST_RUN(vfe_case_start(&pool));
	DPX_TEST_RUN(vfe_session_open(&good, path, sizeof(path), "hfds"));
	DPX_TEST_RUN(vfe_bring_up(&good, WANT_SPLIT, false, 1));
	memset(b, 0, sizeof(b));
	/* 16 fds on one message: more than the receive buffer holds (MSG_CTRUNC) */
	b[n] = (struct bad_send){.what = "16 fds",
				 .log = "more fds than any message carries",
				 .nfds = 16,
				 .fd_piece = 0,
				 .fd_piece2 = 99};
	b[n].len = msg_make(b[n].msg, VHOST_USER_GET_FEATURES, 0, NULL, 0);
	n++;
	/* fds on a request that takes none, with no payload */
	b[n] = (struct bad_send){.what = "fd on SET_OWNER",
				 .log = "wrong number of fds",
				 .nfds = 3,
				 .fd_piece = 0,
				 .fd_piece2 = 99};
	b[n].len = msg_make(b[n].msg, VHOST_USER_SET_OWNER, 0, NULL, 0);
	n++;
	/* 8 and then 8 more fds on pieces of one SET_MEM_TABLE */
	b[n] = (struct bad_send){.what = "8+8 fds",
				 .log = "more fds than any message carries",
				 .nfds = 8,
				 .pieces = {5, 20, 0},
				 .fd_piece = 0,
				 .fd_piece2 = 1,
				 .nfds2 = 8};
	b[n].len = msg_make(b[n].msg, VHOST_USER_SET_MEM_TABLE, 0, &t, 8 + 32 * 8);
	n++;
	/* a kick with NOFD and an fd anyway */
	u = VHOST_USER_VRING_NOFD_MASK;
	b[n] = (struct bad_send){.what = "NOFD with an fd",
				 .log = "wrong number of fds",
				 .nfds = 1,
				 .fd_piece = 1,
				 .pieces = {12, 0},
				 .fd_piece2 = 99};
	b[n].len = msg_make(b[n].msg, VHOST_USER_SET_VRING_KICK, 0, &u, 8);
	n++;
	/* two messages in one write, the fd meant for the second: the kernel gives
	 * it with the first byte, so it comes with the first message */
	u = 0;
	b[n] = (struct bad_send){.what = "two in one write",
				 .log = "wrong number of fds",
				 .nfds = 1,
				 .fd_piece = 0,
				 .fd_piece2 = 99};
	b[n].len = msg_make(b[n].msg, VHOST_USER_SET_OWNER, 0, NULL, 0);
	b[n].len += msg_make(b[n].msg + b[n].len, VHOST_USER_SET_VRING_CALL, 0, &u, 8);
	n++;
	vfe_log_capture();
	for (i = 0; i < n; i++)
		DPX_TEST_RUN(bad_send_run(path, &b[i]));
	vfe_log_release();
	DPX_TEST_RUN(serves(&good, vfe_ev.vid, 3));
	DPX_TEST_RUN(vfe_session_close(&good, path));
	return vfe_case_end(pool);
}

DPX_TEST_REGISTER(vhost_hostile_msg_fds, fast, test_vhost_hostile_msg_fds);

/* ---- connections by the thousand at the cap ---- */

/* 1000 connections opened and closed at once (a third after a message's
 * first bytes); the running device is served in between. */
static int
churn(const char *path, struct vfe *good, int vid)
{
	struct vfe c;
	unsigned int i;

	DPX_TEST_ASSERT_EQUAL(vfe_init(&c, 4 << 20), 0, "");
	for (i = 0; i < 1000; i++) {
		DPX_TEST_ASSERT_EQUAL(vfe_connect(&c, path), 0, "connect %u", i);
		if (i % 3 == 0)
			vfe_send_raw(&c, "\x01\0\0\0\x01", 5, NULL, 0);
		vfe_disconnect(&c);
		if (i % 250 == 0)
			DPX_TEST_RUN(serves(good, vid, i));
	}
	vfe_fini(&c);
	return DPX_TEST_SUCCESS;
}

/* Connect n front-ends (retrying while the back-end has not yet seen the
 * churn's last ones go) and have each answered. */
static int
all_served(struct vfe *fe, unsigned int n, const char *path)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		DPX_TEST_ASSERT_EQUAL(vfe_init(&fe[i], 4 << 20), 0, "");
		DPX_TEST_ASSERT_EQUAL(vfe_connect_served(&fe[i], path), 0,
				      "connection %u served after the churn", i);
	}
	return DPX_TEST_SUCCESS;
}

static int
test_vhost_hostile_msg_conn_churn(void)
{
	struct vfe fe[DPX_VHOST_DEFAULT_MAX_CONNECTIONS - 1], good, late;
	const unsigned int others = DPX_DIM(fe);
	char path[108];
	unsigned int i;
	int vid;

	DPX_TEST_RUN(vfe_case_start(&pool));
	DPX_TEST_RUN(vfe_session_open(&good, path, sizeof(path), "churn"));
	DPX_TEST_RUN(vfe_bring_up(&good, WANT_SPLIT, false, 1));
	vid = vfe_ev.vid;
	/* at the cap: every one of them is accepted and closed */
	DPX_TEST_RUN(all_served(fe, others, path));
	DPX_TEST_RUN(churn(path, &good, vid));
	DPX_TEST_ASSERT_EQUAL(vfe_init(&late, 4 << 20), 0, "");
	DPX_TEST_ASSERT_EQUAL(vfe_connect(&late, path), 0, "");
	DPX_TEST_ASSERT_EQUAL(vfe_wait_closed(&late, 3000), 0, "still at the cap");
	vfe_fini(&late);
	for (i = 0; i < others; i++)
		vfe_fini(&fe[i]);
	/* below it, each is served until it goes */
	DPX_TEST_RUN(churn(path, &good, vid));
	/* and every place but the running device's is free again */
	DPX_TEST_RUN(all_served(fe, others, path));
	for (i = 0; i < others; i++)
		vfe_fini(&fe[i]);
	DPX_TEST_RUN(serves(&good, vid, 77));
	DPX_TEST_RUN(vfe_session_close(&good, path));
	return vfe_case_end(pool);
}

DPX_TEST_REGISTER(vhost_hostile_msg_conn_churn, fast, test_vhost_hostile_msg_conn_churn);

/* ---- guest memory the front-end could shrink under the data path ---- */

/* Replace fe's guest memory by a memfd made with these flags, unsealed. */
static int
unsealed_memory(struct vfe *fe, unsigned int flags)
{
	int fd = memfd_create("unsealed", MFD_CLOEXEC | flags);
	uint8_t *m;

	DPX_TEST_ASSERT(fd >= 0, "");
	DPX_TEST_ASSERT_EQUAL(ftruncate(fd, (off_t)fe->mem_size), 0, "");
	m = mmap(NULL, fe->mem_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	DPX_TEST_ASSERT(m != MAP_FAILED, "");
	munmap(fe->mem, fe->mem_size);
	close(fe->memfd);
	fe->mem = m;
	fe->memfd = fd;
	return DPX_TEST_SUCCESS;
}

/*
 * A front-end whose memfd is not sealed: once dpx has mapped it, shrinking
 * it would make the next burst's access fault (SIGBUS kills the process).
 * dpx seals a memfd that allows it against shrinking before it checks its
 * size (growing stays allowed), the dirty log's memfd too; one that cannot be
 * sealed is mapped with a warning.
 */
static int
test_vhost_hostile_msg_shrink(void)
{
	struct vhost_user_log l = {4096, 0};
	char path[108];
	struct vfe fe;
	int logfd;

	DPX_TEST_RUN(vfe_case_start(&pool));
	vfe_log_capture();
	DPX_TEST_RUN(vfe_session_open(&fe, path, sizeof(path), "shrink"));
	DPX_TEST_RUN(unsealed_memory(&fe, MFD_ALLOW_SEALING));
	DPX_TEST_RUN(vfe_bring_up(&fe, WANT_SPLIT, false, 1));
	DPX_TEST_ASSERT(ftruncate(fe.memfd, 0) < 0 && errno == EPERM,
			"the back-end sealed the guest memory against shrinking");
	DPX_TEST_ASSERT_EQUAL(fcntl(fe.memfd, F_GET_SEALS), F_SEAL_SHRINK, "and nothing else");
	DPX_TEST_ASSERT_EQUAL(ftruncate(fe.memfd, (off_t)fe.mem_size * 2), 0,
			      "growing still works");
	logfd = memfd_create("log", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	DPX_TEST_ASSERT(logfd >= 0 && ftruncate(logfd, 4096) == 0, "");
	DPX_TEST_ASSERT_EQUAL(
		vfe_request(&fe, VHOST_USER_SET_LOG_BASE, &l, sizeof(l), &logfd, 1, NULL), 0, "");
	DPX_TEST_ASSERT(ftruncate(logfd, 0) < 0 && errno == EPERM, "the log's memfd too");
	close(logfd);
	DPX_TEST_RUN(serves(&fe, vfe_ev.vid, 9));
	DPX_TEST_ASSERT(!vfe_log_has("cannot be sealed"), "");
	vfe_fini(&fe);
	DPX_TEST_ASSERT(vfe_wait_count(&vfe_ev.destroy_calls, 1), "");
	/* a memfd made without MFD_ALLOW_SEALING cannot be: said, and served */
	DPX_TEST_ASSERT_EQUAL(vfe_init(&fe, VFE_SESSION_MEM_SIZE), 0, "");
	DPX_TEST_ASSERT_EQUAL(vfe_connect(&fe, path), 0, "");
	DPX_TEST_RUN(unsealed_memory(&fe, 0));
	DPX_TEST_RUN(vfe_bring_up(&fe, WANT_SPLIT, false, 2));
	DPX_TEST_ASSERT(
		vfe_log_has("cannot be sealed against shrinking: a front-end that truncates "
			    "it can crash this process"),
		"");
	vfe_log_release();
	DPX_TEST_RUN(serves(&fe, vfe_ev.vid, 10));
	DPX_TEST_RUN(vfe_session_close(&fe, path));
	return vfe_case_end(pool);
}

DPX_TEST_REGISTER(vhost_hostile_msg_shrink, fast, test_vhost_hostile_msg_shrink);

/* ---- a client-mode front-end that accepts and hangs up, again and again ---- */

struct hangup {
	int lfd;
	volatile bool stop;
	unsigned int accepted;
};

static void *
hangup_thread(void *arg)
{
	struct hangup *h = arg;

	while (!h->stop) {
		struct pollfd p = {.fd = h->lfd, .events = POLLIN};
		int fd;

		if (poll(&p, 1, 50) <= 0)
			continue;
		fd = accept4(h->lfd, NULL, NULL, SOCK_CLOEXEC);
		if (fd >= 0) {
			h->accepted++;
			close(fd);
		}
	}
	return NULL;
}

/*
 * The back-end connects (client mode) to a front-end that accepts and closes
 * every connection at once. Reconnecting at once after each, the vhost
 * thread would connect as fast as the peer accepts (100 000 a second seen):
 * a connection that did not last is retried a second after its connect.
 * This bounds a rate from above (2.5 s may hold 4 connects: 0, 1, 2 s and a
 * late one), so a slow machine cannot make it fail. Then the front-end stays
 * and is served.
 */
static int
test_vhost_hostile_msg_client_hangup(void)
{
	struct hangup h = {0};
	char path[108];
	struct vfe fe;
	pthread_t th;

	DPX_TEST_RUN(vfe_case_start(&pool));
	vfe_sock_path(path, sizeof(path), "hangup");
	h.lfd = vfe_listen(path);
	DPX_TEST_ASSERT(h.lfd >= 0, "");
	DPX_TEST_ASSERT_EQUAL(pthread_create(&th, NULL, hangup_thread, &h), 0, "");
	DPX_TEST_RUN(vfe_server_start(path, DPX_VHOST_CLIENT));
	usleep(2500000);
	h.stop = true;
	pthread_join(th, NULL);
	DPX_TEST_ASSERT(h.accepted >= 1 && h.accepted <= 5,
			"%u connects in 2.5 s to a front-end that hangs up at once", h.accepted);
	DPX_TEST_ASSERT_EQUAL(vfe_init(&fe, VFE_SESSION_MEM_SIZE), 0, "");
	DPX_TEST_ASSERT_EQUAL(vfe_accept(&fe, h.lfd, 10000), 0, "the next retry connects");
	DPX_TEST_RUN(vfe_bring_up(&fe, WANT_SPLIT, false, 1));
	DPX_TEST_RUN(serves(&fe, vfe_ev.vid, 8));
	vfe_fini(&fe);
	DPX_TEST_ASSERT(vfe_wait_count(&vfe_ev.destroy_calls, 1), "");
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_driver_unregister(path), 0, "");
	close(h.lfd);
	unlink(path);
	return vfe_case_end(pool);
}

DPX_TEST_REGISTER(vhost_hostile_msg_client_hangup, fast, test_vhost_hostile_msg_client_hangup);

/* ---- the address space ---- */

/* The process's mappings: @return how many, *bytes their sizes summed. */
static int
maps_scan(uint64_t *bytes)
{
	unsigned long lo, hi;
	char line[512];
	int n = 0;
	FILE *f = fopen("/proc/self/maps", "r");

	*bytes = 0;
	while (f != NULL && fgets(line, sizeof(line), f) != NULL) {
		if (sscanf(line, "%lx-%lx", &lo, &hi) == 2)
			*bytes += hi - lo;
		n++;
	}
	if (f != NULL)
		fclose(f);
	return n;
}

static uint64_t
mapped_kb(void)
{
	uint64_t bytes;

	maps_scan(&bytes);
	return bytes >> 10;
}

/* ADD_MEM_REG of [off, off + size) of fd at gpa. @return vfe_request's. */
static int
add_region(struct vfe *fe, int fd, uint64_t gpa, uint64_t size, uint64_t off)
{
	struct vhost_user_mem_single m = {0, {gpa, size, gpa + (1ULL << 46), off}};

	return vfe_request(fe, VHOST_USER_ADD_MEM_REG, &m, sizeof(m), &fd, 1, NULL);
}

/* A second path and a negotiated front-end on it. */
static int
hostile(struct vfe *fe, char *path, size_t len)
{
	vfe_sock_path(path, len, "vaspace2");
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_driver_register(path, 0), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_driver_start(path), 0, "");
	DPX_TEST_ASSERT_EQUAL(vfe_init(fe, 4 << 20), 0, "");
	DPX_TEST_ASSERT_EQUAL(vfe_connect(fe, path), 0, "");
	return vfe_negotiate(fe, WANT_SPLIT) == 0 ? DPX_TEST_SUCCESS : DPX_TEST_FAILED;
}

/*
 * Sparse files cost a front-end nothing, their mappings cost dpx address
 * space: a region 16 TiB into a file was mapped from the file's start
 * (16 TiB of address space for 4 MiB of memory), and a device could map
 * regions (and a log) of any size: one front-end could leave the process
 * no address space for the other devices' memory, malloc or thread stacks.
 * A region maps its own size; a device maps at most 1 TiB.
 */
static int
test_vhost_hostile_msg_address_space(void)
{
	const uint64_t tib = 1ULL << 40, mib = 1ULL << 20;
	struct vhost_user_log l = {2 * tib, 0};
	char path[108], path2[108];
	struct vfe fe, good;
	uint64_t before;
	int fd;

	DPX_TEST_RUN(vfe_case_start(&pool));
	DPX_TEST_RUN(vfe_session_open(&good, path, sizeof(path), "vaspace"));
	DPX_TEST_RUN(vfe_bring_up(&good, WANT_SPLIT, false, 1));
	fd = memfd_create("sparse", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	DPX_TEST_ASSERT(fd >= 0 && ftruncate(fd, (off_t)(16 * tib + 4 * mib)) == 0, "");
	before = mapped_kb();
	DPX_TEST_ASSERT_EQUAL(add_region(&good, fd, tib, 4 * mib, 16 * tib), 0, "");
	DPX_TEST_ASSERT(mapped_kb() - before < 16 << 10,
			"a 4 MiB region took %" PRIu64 " KiB of address space",
			mapped_kb() - before);
	DPX_TEST_RUN(serves(&good, vfe_ev.vid, 5));
	vfe_log_capture();
	/* one front-end's regions past 1 TiB: refused, nothing of them left */
	DPX_TEST_RUN(hostile(&fe, path2, sizeof(path2)));
	/* two halves of 1 TiB, then 8 MiB more */
	DPX_TEST_ASSERT_EQUAL(add_region(&fe, fd, 0, tib / 2, 0), 0, "");
	DPX_TEST_ASSERT_EQUAL(add_region(&fe, fd, tib, tib / 2 - 4 * mib, tib / 2), 0, "");
	DPX_TEST_ASSERT_EQUAL(add_region(&fe, fd, 2 * tib, 8 * mib, tib), -EIO, "past 1 TiB");
	DPX_TEST_ASSERT_EQUAL(vfe_wait_closed(&fe, 3000), 0, "");
	DPX_TEST_ASSERT(vfe_log_has("size 0x800000 offset 0x10000000000: guest memory and log past "
				    "the 1 TiB a device may map"),
			"");
	vfe_fini(&fe);
	close(fd);
	/* and a log of 2 TiB */
	DPX_TEST_ASSERT_EQUAL(vfe_init(&fe, 4 << 20), 0, "");
	DPX_TEST_ASSERT_EQUAL(vfe_connect(&fe, path2), 0, "");
	DPX_TEST_ASSERT_EQUAL(vfe_negotiate(&fe, WANT_SPLIT), 0, "");
	fd = memfd_create("sparse-log", MFD_CLOEXEC);
	DPX_TEST_ASSERT(fd >= 0 && ftruncate(fd, (off_t)(2 * tib)) == 0, "");
	DPX_TEST_ASSERT_EQUAL(
		vfe_request(&fe, VHOST_USER_SET_LOG_BASE, &l, sizeof(l), &fd, 1, NULL), -ECONNRESET,
		"no answer: closed");
	DPX_TEST_ASSERT(vfe_log_has("SET_LOG_BASE size 0x20000000000 offset 0x0: guest memory and "
				    "log past the 1 TiB"),
			"");
	vfe_log_release();
	vfe_fini(&fe);
	close(fd);
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_driver_unregister(path2), 0, "");
	DPX_TEST_RUN(serves(&good, vfe_ev.vid, 6));
	DPX_TEST_RUN(vfe_session_close(&good, path));
	DPX_TEST_ASSERT(mapped_kb() < before + (16 << 10), "all of it unmapped");
	return vfe_case_end(pool);
}

DPX_TEST_REGISTER(vhost_hostile_msg_address_space, fast, test_vhost_hostile_msg_address_space);

/* ---- a front-end that hangs up in the middle of a message ---- */

static int
maps_count(void)
{
	uint64_t bytes;

	return maps_scan(&bytes);
}

/* A whole bring-up, stopping at the first error (the budget ran out). */
static int
bring_up_until(struct vfe *fe)
{
	int rc = vfe_negotiate(fe, WANT_SPLIT);

	if (rc == 0)
		rc = vfe_set_mem_table(fe);
	if (rc == 0)
		rc = vfe_queue_setup(fe, 0, 256, 1024, false);
	if (rc == 0)
		rc = vfe_queue_setup(fe, 1, 256, 1024, false);
	if (rc == 0)
		rc = vfe_driver_ok(fe);
	return rc;
}

/*
 * The front-end of a bring-up hangs up after its first n bytes, for every n
 * (fds with the first piece of their message, one byte per sendmsg): whatever
 * part of whichever message was in, the device goes with nothing left behind
 * (fds, mappings, a device started and not destroyed) and the other device is
 * served between two of them.
 */
static int
test_vhost_hostile_msg_cut(void)
{
	char path[108], path2[108];
	struct vfe fe, good;
	int maps, cut, rc = -1, news, vid;

	DPX_TEST_RUN(vfe_case_start(&pool));
	DPX_TEST_RUN(vfe_session_open(&good, path, sizeof(path), "cut"));
	DPX_TEST_RUN(vfe_bring_up(&good, WANT_SPLIT, false, 1));
	vid = vfe_ev.vid;
	vfe_sock_path(path2, sizeof(path2), "cut2");
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_driver_register(path2, 0), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_driver_callback_register(path2, &vfe_ops, NULL), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_driver_start(path2), 0, "");
	maps = maps_count();
	for (cut = 0; rc != 0; cut++) {
		news = vfe_ev.new_calls;
		DPX_TEST_ASSERT_EQUAL(vfe_init(&fe, VFE_SESSION_MEM_SIZE), 0, "");
		DPX_TEST_ASSERT_EQUAL(vfe_connect(&fe, path2), 0, "");
		fe.chunk = 1;
		fe.budgeted = true;
		fe.budget = (size_t)cut;
		rc = bring_up_until(&fe);
		vfe_fini(&fe);
		/* the last cut is the whole bring-up: that device ran */
		DPX_TEST_ASSERT_EQUAL(vfe_ev.new_calls, news + (rc == 0), "cut after %d bytes",
				      cut);
		DPX_TEST_ASSERT(vfe_wait_count(&vfe_ev.destroy_calls, vfe_ev.new_calls - 1), "");
		if (cut % 64 == 0)
			DPX_TEST_RUN(serves(&good, vid, (unsigned int)cut));
	}
	printf("a bring-up is %d bytes: cut after each of them\n", cut - 1);
	DPX_TEST_ASSERT(cut > 400, "the whole bring-up was cut");
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_driver_unregister(path2), 0, "");
	DPX_TEST_ASSERT_EQUAL(maps_count(), maps, "no mapping left");
	DPX_TEST_RUN(vfe_session_close(&good, path));
	return vfe_case_end(pool);
}

DPX_TEST_REGISTER(vhost_hostile_msg_cut, fast, test_vhost_hostile_msg_cut);

/* ---- replies and state changes a front-end may ask at any time ---- */

struct burster {
	int vid;
	volatile bool stop;
	unsigned long n;
};

/* An lcore bursting both ways on pair 0 whatever the device's state. */
static void *
burster_thread(void *arg)
{
	struct burster *b = arg;
	struct dpx_mbuf *m[4];
	uint16_t n;

	while (!b->stop) {
		n = dpx_vhost_dequeue_burst(b->vid, 1, pool, m, 4);
		dpx_pktmbuf_free_bulk(m, n);
		m[0] = dpx_pktmbuf_alloc(pool);
		if (m[0] != NULL) {
			dpx_pktmbuf_append(m[0], 64);
			dpx_vhost_enqueue_burst(b->vid, 0, m, 1);
			dpx_pktmbuf_free(m[0]);
		}
		b->n++;
	}
	return NULL;
}

static int
set_status(struct vfe *fe, uint64_t s)
{
	return vfe_request(fe, VHOST_USER_SET_STATUS, &s, 8, NULL, 0, NULL);
}

static int
test_vhost_hostile_msg_replies(void)
{
	struct vhost_user_vring_state vs = {1, 0};
	struct burster b = {0};
	struct vhost_user_hdr h;
	char path[108];
	uint8_t pl[64];
	uint64_t base, u;
	struct vfe fe;
	pthread_t t;
	int i;

	DPX_TEST_RUN(vfe_case_start(&pool));
	DPX_TEST_RUN(vfe_session_open(&fe, path, sizeof(path), "replies"));
	DPX_TEST_RUN(vfe_bring_up(&fe, WANT_SPLIT, false, 1));
	DPX_TEST_ASSERT(fe.pfeatures & F(VHOST_USER_PROTOCOL_F_REPLY_ACK), "");
	/* NEED_REPLY on a get: its answer, once; the next request's answer follows */
	DPX_TEST_ASSERT_EQUAL(vfe_send(&fe, VHOST_USER_GET_FEATURES, VHOST_USER_NEED_REPLY_MASK,
				       NULL, 0, NULL, 0),
			      0, "");
	DPX_TEST_ASSERT_EQUAL(vfe_send(&fe, VHOST_USER_GET_QUEUE_NUM, 0, NULL, 0, NULL, 0), 0, "");
	DPX_TEST_ASSERT_EQUAL(vfe_recv(&fe, &h, pl, sizeof(pl)), 8, "");
	DPX_TEST_ASSERT_EQUAL(h.request, VHOST_USER_GET_FEATURES, "");
	DPX_TEST_ASSERT_EQUAL(vfe_recv(&fe, &h, pl, sizeof(pl)), 8, "");
	DPX_TEST_ASSERT_EQUAL(h.request, VHOST_USER_GET_QUEUE_NUM, "one answer each");
	memcpy(&u, pl, 8);
	DPX_TEST_ASSERT_EQUAL(u, DPX_VHOST_MAX_QUEUE_PAIRS, "");
	/* the status cleared and set again, 50 times, under an lcore's bursts:
	 * each clear stops the device, each DRIVER_OK starts it */
	b.vid = vfe_ev.vid;
	DPX_TEST_ASSERT_EQUAL(pthread_create(&t, NULL, burster_thread, &b), 0, "");
	for (i = 0; i < 50; i++) {
		vfe_rx_post(&fe, 0, 1, 1);
		DPX_TEST_ASSERT_EQUAL(set_status(&fe, 0), 0, "");
		DPX_TEST_ASSERT_EQUAL(set_status(&fe, 15), 0, "");
	}
	b.stop = true;
	pthread_join(t, NULL);
	DPX_TEST_ASSERT_EQUAL(vfe_ev.destroy_calls, 50, "");
	DPX_TEST_ASSERT_EQUAL(vfe_ev.new_calls, 51, "");
	/* GET_VRING_BASE twice: stopped once, the same base both times */
	DPX_TEST_ASSERT_EQUAL(
		vfe_request(&fe, VHOST_USER_GET_VRING_BASE, &vs, sizeof(vs), NULL, 0, &base), 0,
		"");
	DPX_TEST_ASSERT_EQUAL(vfe_ev.destroy_calls, 51, "");
	DPX_TEST_ASSERT_EQUAL(
		vfe_request(&fe, VHOST_USER_GET_VRING_BASE, &vs, sizeof(vs), NULL, 0, &u), 0, "");
	DPX_TEST_ASSERT_EQUAL(u, base, "");
	DPX_TEST_ASSERT_EQUAL(vfe_ev.destroy_calls, 51, "stopped once");
	/* and it starts again where it stopped with a kick, here NOFD (polled) */
	u = 1 | VHOST_USER_VRING_NOFD_MASK;
	DPX_TEST_ASSERT_EQUAL(vfe_request(&fe, VHOST_USER_SET_VRING_KICK, &u, 8, NULL, 0, NULL), 0,
			      "");
	DPX_TEST_ASSERT_EQUAL(vfe_ev.new_calls, 52, "running again");
	while (vfe_rx_take(&fe, 0, pl, sizeof(pl)) > 0)
		; /* what the bursts delivered */
	DPX_TEST_RUN(serves(&fe, vfe_ev.vid, 4));
	DPX_TEST_RUN(vfe_session_close(&fe, path));
	return vfe_case_end(pool);
}

DPX_TEST_REGISTER(vhost_hostile_msg_replies, fast, test_vhost_hostile_msg_replies);

/* ---- a kick fd that would keep its connection alive ---- */

/*
 * A front-end passes its own end of the connection as a vring's kick fd,
 * then exits. dpx kept any fd as a kick fd: holding the front-end's end,
 * it never saw the connection close, and two such on a path capped at two
 * connections (a net_vhost port's default) left it refusing every
 * front-end until the process restarted. Kick fds must be eventfds, like
 * call and error fds.
 */
static int
test_vhost_hostile_msg_self_kick(void)
{
	char path[108];
	struct vfe fe;
	uint64_t u = 0;
	int i, p[2];

	DPX_TEST_RUN(vfe_case_start(&pool));
	vfe_sock_path(path, sizeof(path), "selfkick");
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_driver_register(path, 0), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_driver_set_max_connections(path, 2), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_driver_start(path), 0, "");
	vfe_log_capture();
	for (i = 0; i < 2; i++) {
		DPX_TEST_ASSERT_EQUAL(vfe_init(&fe, 4 << 20), 0, "");
		DPX_TEST_ASSERT_EQUAL(vfe_connect(&fe, path), 0, "");
		DPX_TEST_ASSERT_EQUAL(vfe_negotiate(&fe, WANT_SPLIT), 0, "");
		DPX_TEST_ASSERT_EQUAL(
			vfe_request(&fe, VHOST_USER_SET_VRING_KICK, &u, 8, &fe.sock, 1, NULL), -EIO,
			"its own socket as the kick fd");
		DPX_TEST_ASSERT_EQUAL(vfe_wait_closed(&fe, 3000), 0, "closed");
		vfe_fini(&fe);
	}
	DPX_TEST_ASSERT_EQUAL(vfe_log_count("SET_VRING_KICK vring 0: kick fd is not an eventfd"), 2,
			      "");
	/* a pipe neither */
	DPX_TEST_ASSERT_EQUAL(pipe2(p, O_CLOEXEC), 0, "");
	DPX_TEST_ASSERT_EQUAL(vfe_init(&fe, 4 << 20), 0, "");
	DPX_TEST_ASSERT_EQUAL(vfe_connect(&fe, path), 0, "");
	DPX_TEST_ASSERT_EQUAL(vfe_negotiate(&fe, WANT_SPLIT), 0, "");
	DPX_TEST_ASSERT_EQUAL(vfe_request(&fe, VHOST_USER_SET_VRING_KICK, &u, 8, &p[0], 1, NULL),
			      -EIO, "a pipe as the kick fd");
	close(p[0]);
	close(p[1]);
	vfe_fini(&fe);
	vfe_log_release();
	/* both places are free: a front-end that came later is served */
	DPX_TEST_ASSERT_EQUAL(vfe_init(&fe, VFE_SESSION_MEM_SIZE), 0, "");
	DPX_TEST_ASSERT_EQUAL(vfe_connect_served(&fe, path), 0, "a later front-end is served");
	vfe_fini(&fe);
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_driver_unregister(path), 0, "");
	return vfe_case_end(pool);
}

DPX_TEST_REGISTER(vhost_hostile_msg_self_kick, fast, test_vhost_hostile_msg_self_kick);

/* ---- a second front-end the application refuses ---- */

/* An application that runs one device at a time (as a net_vhost port does). */
static int one_vid = -1;

static int
one_new_device(int vid)
{
	if (one_vid >= 0)
		return -EBUSY;
	one_vid = vid;
	vfe_ev.vid = vid;
	vfe_ev.new_calls++;
	return 0;
}

static void
one_destroy_device(int vid)
{
	if (vid == one_vid)
		one_vid = -1;
	vfe_ev.destroy_calls++;
}

static const struct dpx_vhost_device_ops one_ops = {.new_device = one_new_device,
						    .destroy_device = one_destroy_device};

/*
 * A second front-end on a path whose application runs one device: refused
 * once when it is ready, not at each of its messages (it was: a front-end
 * sending SET_VRING_ENABLE in a loop had two error lines logged per message,
 * the library's and the application's). When the running device stops or
 * goes, the refused one is offered again at once (it was only at its next
 * message, which a front-end done with its bring-up may never send).
 */
static int
test_vhost_hostile_msg_refused(void)
{
	struct vhost_user_vring_state st = {0, 1};
	char path[108];
	struct vfe a, b;
	int i;

	DPX_TEST_RUN(vfe_case_start(&pool));
	memset(&vfe_ev, 0, sizeof(vfe_ev));
	vfe_sock_path(path, sizeof(path), "refused");
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_driver_register(path, 0), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_driver_callback_register(path, &one_ops, NULL), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_driver_start(path), 0, "");
	DPX_TEST_ASSERT_EQUAL(vfe_init(&a, VFE_SESSION_MEM_SIZE), 0, "");
	DPX_TEST_ASSERT_EQUAL(vfe_connect(&a, path), 0, "");
	DPX_TEST_RUN(vfe_bring_up(&a, WANT_SPLIT, false, 1));
	vfe_log_capture();
	DPX_TEST_ASSERT_EQUAL(vfe_init(&b, VFE_SESSION_MEM_SIZE), 0, "");
	DPX_TEST_ASSERT_EQUAL(vfe_connect(&b, path), 0, "");
	DPX_TEST_ASSERT_EQUAL(bring_up_until(&b), 0, "");
	for (i = 0; i < 1000; i++)
		DPX_TEST_ASSERT_EQUAL(vfe_request(&b, VHOST_USER_SET_VRING_ENABLE, &st, sizeof(st),
						  NULL, 0, NULL),
				      0, "");
	DPX_TEST_ASSERT_EQUAL(vfe_log_count("application refused the device"), 1,
			      "refused once, not at every message");
	DPX_TEST_ASSERT_EQUAL(vfe_ev.new_calls, 1, "");
	DPX_TEST_RUN(serves(&a, one_vid, 1));
	/* the running one stops: the other runs, without a message of its own */
	DPX_TEST_ASSERT_EQUAL(set_status(&a, 0), 0, "");
	DPX_TEST_ASSERT_EQUAL(vfe_ev.destroy_calls, 1, "");
	DPX_TEST_ASSERT_EQUAL(vfe_ev.new_calls, 2, "offered again when the first stopped");
	DPX_TEST_RUN(serves(&b, one_vid, 2));
	/* the first starts again: refused (once), and runs when the other goes */
	DPX_TEST_ASSERT_EQUAL(set_status(&a, 15), 0, "");
	DPX_TEST_ASSERT_EQUAL(vfe_log_count("application refused the device"), 2, "");
	vfe_fini(&b);
	DPX_TEST_ASSERT(vfe_wait_count(&vfe_ev.new_calls, 3), "offered again when the other went");
	DPX_TEST_ASSERT_EQUAL(vfe_ev.destroy_calls, 2, "");
	vfe_log_release();
	DPX_TEST_RUN(serves(&a, one_vid, 3));
	vfe_fini(&a);
	DPX_TEST_ASSERT(vfe_wait_count(&vfe_ev.destroy_calls, 3), "");
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_driver_unregister(path), 0, "");
	return vfe_case_end(pool);
}

DPX_TEST_REGISTER(vhost_hostile_msg_refused, fast, test_vhost_hostile_msg_refused);

/* ---- ring and log messages that must be refused or kept in bounds ---- */

/* A ring across two regions adjacent in guest-physical and front-end space
 * (but two mappings for dpx): refused, as a ring in no region is. */
static int
ring_across_regions(const char *path)
{
	const uint64_t half = VFE_SESSION_MEM_SIZE / 2;
	struct vhost_user_vring_state st = {0, 256};
	struct vhost_user_vring_addr a = {0};
	struct vfe fe;

	DPX_TEST_ASSERT_EQUAL(vfe_init(&fe, VFE_SESSION_MEM_SIZE), 0, "");
	DPX_TEST_ASSERT_EQUAL(vfe_connect(&fe, path), 0, "");
	DPX_TEST_ASSERT_EQUAL(vfe_negotiate(&fe, WANT_SPLIT), 0, "");
	vfe_region_set(&fe, 0, 0, half, 0);
	vfe_region_set(&fe, 1, half, half, half);
	DPX_TEST_ASSERT_EQUAL(vfe_set_mem_table(&fe), 0, "");
	DPX_TEST_ASSERT_EQUAL(
		vfe_request(&fe, VHOST_USER_SET_VRING_NUM, &st, sizeof(st), NULL, 0, NULL), 0, "");
	a.desc_user_addr = (uint64_t)(uintptr_t)vfe_ptr(&fe, half - 16 * 128);
	a.avail_user_addr = (uint64_t)(uintptr_t)vfe_ptr(&fe, half + 4096);
	a.used_user_addr = (uint64_t)(uintptr_t)vfe_ptr(&fe, half + 8192);
	DPX_TEST_ASSERT_EQUAL(
		vfe_request(&fe, VHOST_USER_SET_VRING_ADDR, &a, sizeof(a), NULL, 0, NULL), -EIO,
		"a descriptor table across two regions");
	DPX_TEST_ASSERT_EQUAL(vfe_wait_closed(&fe, 3000), 0, "");
	DPX_TEST_ASSERT(vfe_log_has("size 256: ring outside guest memory or misaligned"), "");
	vfe_fini(&fe);
	return DPX_TEST_SUCCESS;
}

static int
test_vhost_hostile_msg_refusals(void)
{
	struct vhost_user_log l = {1, 100};
	char path[108];
	uint8_t *log;
	struct vfe fe;
	uint64_t f;
	int lfd, i, vid;

	DPX_TEST_RUN(vfe_case_start(&pool));
	vfe_log_capture();
	DPX_TEST_RUN(vfe_session_open(&fe, path, sizeof(path), "refusals"));
	DPX_TEST_RUN(vfe_bring_up(&fe, WANT_SPLIT, false, 1));
	vid = vfe_ev.vid;
	DPX_TEST_RUN(ring_across_regions(path));
	/* a one-byte log (8 pages) 100 bytes into its file, traffic far above
	 * those pages: only that byte may ever be written */
	DPX_TEST_ASSERT(fe.features & F(VHOST_F_LOG_ALL), "");
	lfd = memfd_create("log", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	DPX_TEST_ASSERT(lfd >= 0 && ftruncate(lfd, 4096) == 0, "");
	log = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, lfd, 0);
	DPX_TEST_ASSERT(log != MAP_FAILED, "");
	DPX_TEST_ASSERT_EQUAL(
		vfe_request(&fe, VHOST_USER_SET_LOG_BASE, &l, sizeof(l), &lfd, 1, NULL), 0, "");
	DPX_TEST_RUN(serves(&fe, vid, 11));
	for (i = 0; i < 4096; i++)
		DPX_TEST_ASSERT(i == 100 || log[i] == 0, "log file byte %d written", i);
	/* a log past its file */
	l = (struct vhost_user_log){4096, 1};
	DPX_TEST_ASSERT_EQUAL(
		vfe_request(&fe, VHOST_USER_SET_LOG_BASE, &l, sizeof(l), &lfd, 1, NULL),
		-ECONNRESET, "");
	DPX_TEST_ASSERT(vfe_log_has("SET_LOG_BASE size 0x1000 offset 0x1: region runs past the end "
				    "of its file"),
			"");
	munmap(log, 4096);
	close(lfd);
	DPX_TEST_ASSERT(vfe_wait_count(&vfe_ev.destroy_calls, 1), "");
	vfe_fini(&fe);
	/* features: only LOG_ALL may change while running */
	DPX_TEST_ASSERT_EQUAL(vfe_init(&fe, VFE_SESSION_MEM_SIZE), 0, "");
	DPX_TEST_ASSERT_EQUAL(vfe_connect(&fe, path), 0, "");
	DPX_TEST_RUN(vfe_bring_up(&fe, WANT_SPLIT, false, 2));
	f = fe.features ^ F(VHOST_F_LOG_ALL);
	i = vfe_ev.feature_calls;
	DPX_TEST_ASSERT_EQUAL(vfe_request(&fe, VHOST_USER_SET_FEATURES, &f, 8, NULL, 0, NULL), 0,
			      "dirty logging off while running");
	DPX_TEST_ASSERT_EQUAL(vfe_ev.feature_calls, i + 1, "features_changed");
	DPX_TEST_RUN(serves(&fe, vfe_ev.vid, 12));
	f ^= F(VIRTIO_NET_F_MRG_RXBUF);
	DPX_TEST_ASSERT_EQUAL(vfe_request(&fe, VHOST_USER_SET_FEATURES, &f, 8, NULL, 0, NULL), -EIO,
			      "MRG_RXBUF off while running");
	DPX_TEST_ASSERT_EQUAL(vfe_wait_closed(&fe, 3000), 0, "");
	DPX_TEST_ASSERT(vfe_log_has(": features changed while running"), "");
	vfe_log_release();
	DPX_TEST_RUN(vfe_session_close(&fe, path));
	return vfe_case_end(pool);
}

DPX_TEST_REGISTER(vhost_hostile_msg_refusals, fast, test_vhost_hostile_msg_refusals);
