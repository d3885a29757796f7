/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Hostile vhost-user peers: call and error fds that would block or raise
 * SIGPIPE, a peer that never reads its replies or trickles a message, a
 * SET_VRING_BASE on a running ring, vring indexes past the negotiated queues,
 * too many connections, accept failing with EMFILE, rings created before
 * SET_FEATURES, and a client-mode back-end retrying until the front-end is
 * back, memory fds on a FUSE mount the front-end serves and never answers.
 * In each, the peer is refused or disconnected and the process keeps
 * serving its other devices (checked byte for byte through the mbuf API).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/fuse.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <dpx_ethdev.h>
#include <dpx_mbuf.h>
#include <dpx_mempool.h>

#include "dpx_test.h"
#include "fuse_stall.h"
#include "vhost_frontend.h"
#include "vhost_private.h"

#define F(bit) (1ULL << (bit))
#define WANT_SPLIT (~0ULL & ~F(VIRTIO_F_RING_PACKED))
#define WANT_PACKED (~0ULL)
#define EVENTFD_MAX 0xfffffffffffffffeULL

static struct dpx_mempool *pool;

/* A running device on a path of its own: the one that must keep serving. */
static int
good_device(struct vfe *fe, char *path, size_t len, const char *name, uint64_t want)
{
	DPX_TEST_RUN(vfe_session_open(fe, path, len, name));
	return vfe_bring_up(fe, want, false, 1);
}

/* Another path, and the hostile front-end connected to it. */
static int
hostile_open(struct vfe *bad, char *path, size_t len, const char *name)
{
	vfe_sock_path(path, len, name);
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_driver_register(path, 0), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_driver_start(path), 0, "");
	DPX_TEST_ASSERT_EQUAL(vfe_init(bad, 4 << 20), 0, "");
	DPX_TEST_ASSERT_EQUAL(vfe_connect(bad, path), 0, "");
	return DPX_TEST_SUCCESS;
}

static int
hostile_close(struct vfe *bad, const char *path)
{
	vfe_fini(bad);
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_driver_unregister(path), 0, "");
	return DPX_TEST_SUCCESS;
}

static uint8_t
pattern(unsigned int seed, uint32_t off)
{
	return (uint8_t)(seed * 31 + off * 7 + (off >> 8));
}

/* Two packets each way through a running device, every byte checked, every
 * mbuf back in the pool: the device (and the process) still serves. */
static int
still_serving(struct vfe *fe, int vid, unsigned int seed)
{
	static const uint32_t lens[] = {60, 1514};
	struct dpx_mbuf *m[2];
	uint8_t buf[2048], *d;
	const uint8_t *p;
	unsigned int i;
	uint32_t k;

	/* with MRG_RXBUF the 1514-byte packet takes two of these 1 KiB buffers */
	DPX_TEST_ASSERT_EQUAL(vfe_rx_post(fe, 0, 3, 1), 3, "");
	for (i = 0; i < 2; i++) {
		m[i] = dpx_pktmbuf_alloc(pool);
		DPX_TEST_ASSERT(m[i] != NULL, "");
		d = (uint8_t *)dpx_pktmbuf_append(m[i], (uint16_t)lens[i]);
		for (k = 0; k < lens[i]; k++)
			d[k] = pattern(seed + i, k);
	}
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_enqueue_burst(vid, 0, m, 2), 2, "to the guest");
	dpx_pktmbuf_free_bulk(m, 2);
	for (i = 0; i < 2; i++) {
		DPX_TEST_ASSERT_EQUAL(vfe_rx_take(fe, 0, buf, sizeof(buf)), lens[i], "");
		for (k = 0; k < lens[i]; k++)
			DPX_TEST_ASSERT_EQUAL(buf[k], pattern(seed + i, k), "byte %u", k);
	}
	for (i = 0; i < 2; i++) {
		for (k = 0; k < lens[i]; k++)
			buf[k] = pattern(seed + 10 + i, k);
		DPX_TEST_ASSERT_EQUAL(vfe_tx_post(fe, 1, buf, lens[i], 1), 0, "");
	}
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_dequeue_burst(vid, 1, pool, m, 2), 2, "from the guest");
	for (i = 0; i < 2; i++) {
		DPX_TEST_ASSERT_EQUAL(m[i]->pkt_len, lens[i], "");
		p = dpx_pktmbuf_read(m[i], 0, lens[i], buf);
		for (k = 0; k < lens[i]; k++)
			DPX_TEST_ASSERT_EQUAL(p[k], pattern(seed + 10 + i, k), "byte %u", k);
	}
	dpx_pktmbuf_free_bulk(m, 2);
	DPX_TEST_ASSERT_EQUAL(vfe_tx_reclaim(fe, 1), 2, "");
	DPX_TEST_ASSERT_EQUAL(dpx_mempool_in_use_count(pool), 0, "every mbuf back");
	return DPX_TEST_SUCCESS;
}

/* A front-end still answered: a GET request round trip. */
static int
answers(struct vfe *fe)
{
	uint64_t f = 0;

	DPX_TEST_ASSERT_EQUAL(vfe_request(fe, VHOST_USER_GET_FEATURES, NULL, 0, NULL, 0, &f), 0,
			      "the vhost thread answers");
	DPX_TEST_ASSERT(f & F(VIRTIO_F_VERSION_1), "");
	return DPX_TEST_SUCCESS;
}

static int
sigpipe_is_default(void)
{
	struct sigaction sa;

	DPX_TEST_ASSERT_EQUAL(sigaction(SIGPIPE, NULL, &sa), 0, "");
	DPX_TEST_ASSERT(sa.sa_handler == SIG_DFL, "the library left SIGPIPE's disposition alone");
	return DPX_TEST_SUCCESS;
}

/* ---- call and error fds: only eventfds, never blocking, never SIGPIPE ---- */

enum bad_fd { FD_PIPE, FD_SOCKET, FD_FILE, FD_NKINDS };

static int
bad_fd_make(enum bad_fd kind)
{
	int p[2], fd = -1;

	switch (kind) {
	case FD_PIPE:
		if (pipe2(p, O_CLOEXEC) == 0) {
			close(p[0]); /* the reader is gone: a write raises SIGPIPE */
			fd = p[1];
		}
		break;
	case FD_SOCKET:
		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, p) == 0) {
			close(p[0]);
			fd = p[1];
		}
		break;
	default:
		fd = open("/tmp", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
		break;
	}
	return fd;
}

/*
 * A front-end whose vring 0 call fd is a pipe or socket without a reader, or
 * a file. Accepted, the first notification would raise SIGPIPE and kill the
 * process (or write into the file): it must be refused at SET_VRING_CALL.
 */
static int
hostile_call_fd(const char *path, enum bad_fd kind)
{
	static const char *const names[] = {"pipe", "socket", "file"};
	struct dpx_mbuf *m;
	struct vfe bad;
	int rc;

	DPX_TEST_ASSERT_EQUAL(vfe_init(&bad, VFE_SESSION_MEM_SIZE), 0, "");
	DPX_TEST_ASSERT_EQUAL(vfe_connect(&bad, path), 0, "");
	bad.q[0].callfd = bad_fd_make(kind);
	DPX_TEST_ASSERT(bad.q[0].callfd >= 0, "%s: %s", names[kind], strerror(errno));
	DPX_TEST_ASSERT_EQUAL(vfe_negotiate(&bad, WANT_SPLIT), 0, "");
	DPX_TEST_ASSERT_EQUAL(vfe_set_mem_table(&bad), 0, "");
	rc = vfe_queue_setup(&bad, 0, 256, 2048, false);
	if (rc == 0) {
		/* accepted: show what it costs (the process may die right here) */
		DPX_TEST_ASSERT_EQUAL(vfe_queue_setup(&bad, 1, 256, 2048, false), 0, "");
		DPX_TEST_ASSERT_EQUAL(vfe_driver_ok(&bad), 0, "");
		DPX_TEST_ASSERT(vfe_wait_count(&vfe_ev.new_calls, 2), "");
		vfe_rx_post(&bad, 0, 1, 1);
		m = dpx_pktmbuf_alloc(pool);
		dpx_pktmbuf_append(m, 60);
		dpx_vhost_enqueue_burst(vfe_ev.vid, 0, &m, 1);
		dpx_pktmbuf_free(m);
		DPX_TEST_ASSERT(0, "%s accepted as a call fd", names[kind]);
	}
	DPX_TEST_ASSERT_EQUAL(rc, -EIO, "%s: SET_VRING_CALL refused (nack)", names[kind]);
	DPX_TEST_ASSERT_EQUAL(vfe_wait_closed(&bad, 3000), 0, "%s: connection closed", names[kind]);
	DPX_TEST_ASSERT(vfe_log_has("SET_VRING_CALL vring 0: call or error fd is not an eventfd"),
			"%s", names[kind]);
	vfe_fini(&bad);
	return DPX_TEST_SUCCESS;
}

static int
test_vhost_hostile_call_fd_kind(void)
{
	char path[108];
	struct vfe good;
	unsigned int k;
	int errfd, p[2];
	uint64_t u;

	DPX_TEST_RUN(vfe_case_start(&pool));
	DPX_TEST_RUN(good_device(&good, path, sizeof(path), "callfd", WANT_SPLIT));
	vfe_log_capture();
	for (k = 0; k < FD_NKINDS; k++)
		DPX_TEST_RUN(hostile_call_fd(path, (enum bad_fd)k));
	/* SET_VRING_ERR follows the same rule */
	DPX_TEST_ASSERT_EQUAL(pipe2(p, O_CLOEXEC), 0, "");
	close(p[0]);
	errfd = p[1];
	u = 1;
	DPX_TEST_ASSERT_EQUAL(vfe_request(&good, VHOST_USER_SET_VRING_ERR, &u, 8, &errfd, 1, NULL),
			      -EIO, "a pipe as the error fd is refused");
	close(errfd);
	DPX_TEST_ASSERT_EQUAL(vfe_wait_closed(&good, 3000), 0, "");
	DPX_TEST_ASSERT(vfe_log_has("SET_VRING_ERR vring 1: call or error fd is not an eventfd"),
			"");
	vfe_log_release();
	DPX_TEST_ASSERT(vfe_wait_count(&vfe_ev.destroy_calls, 1), "");
	vfe_fini(&good);
	/* the path still serves a proper front-end */
	DPX_TEST_ASSERT_EQUAL(vfe_init(&good, VFE_SESSION_MEM_SIZE), 0, "");
	DPX_TEST_ASSERT_EQUAL(vfe_connect(&good, path), 0, "");
	DPX_TEST_RUN(vfe_bring_up(&good, WANT_SPLIT, false, 2));
	DPX_TEST_RUN(still_serving(&good, vfe_ev.vid, 1));
	DPX_TEST_RUN(vfe_session_close(&good, path));
	DPX_TEST_RUN(sigpipe_is_default());
	return vfe_case_end(pool);
}

DPX_TEST_REGISTER(vhost_hostile_call_fd_kind, fast, test_vhost_hostile_call_fd_kind);

/* ---- memory fds on a FUSE mount that the front-end serves ---- */

/* A fresh hostile connection on path, negotiated, its guest memory swapped for fd. */
static int
fuse_peer(struct vfe *bad, const char *path, int fd, int *memfd)
{
	DPX_TEST_ASSERT_EQUAL(vfe_init(bad, VFE_SESSION_MEM_SIZE), 0, "");
	DPX_TEST_ASSERT_EQUAL(vfe_connect_served(bad, path), 0, "");
	DPX_TEST_ASSERT_EQUAL(vfe_negotiate(bad, WANT_SPLIT), 0, "");
	*memfd = bad->memfd;
	bad->memfd = fd;
	return DPX_TEST_SUCCESS;
}

/* Refused, disconnected, the front-end's memfd back for vfe_fini. */
static int
fuse_peer_end(struct vfe *bad, int memfd)
{
	DPX_TEST_ASSERT_EQUAL(vfe_wait_closed(bad, 3000), 0, "connection closed");
	bad->memfd = memfd;
	vfe_fini(bad);
	return DPX_TEST_SUCCESS;
}

/* The back-end asked the file system nothing, its closes of the fd wait on the
 * closer thread (the first one's FLUSH at the server), and the vhost thread
 * still serves the good device. */
static int
fuse_nothing_asked(struct fuse_stall *fs, struct vfe *good, unsigned int closes, unsigned int seed)
{
	DPX_TEST_ASSERT_EQUAL(fs->asked, 0, "the back-end asked the FUSE server (opcode %u first)",
			      fs->first_asked);
	DPX_TEST_ASSERT(fuse_stall_wait(fs, FUSE_FLUSH, 1),
			"the closer's close reached the server");
	DPX_TEST_ASSERT_EQUAL(fuse_stall_seen(fs, FUSE_FLUSH), 1,
			      "one close at a time waits for the server");
	DPX_TEST_ASSERT_EQUAL(vhost_peer_fd_closes_pending(), closes, "closes waiting");
	DPX_TEST_RUN(answers(good));
	return still_serving(good, vfe_ev.vid, seed);
}

static int local_file(void);

/*
 * With the closer stalled on the server: the server's own channel (a dup of
 * its /dev/fuse fd), an AF_UNIX socket (which could carry one in flight) and
 * a regular file are closed at once, not queued. Queued, the channel would
 * keep the connection alive after its server is gone, and the stalled close
 * (and the process's exit) would wait for ever.
 */
static int
fuse_channel_not_queued(struct fuse_stall *fs, struct vfe *good, const char *path2)
{
	int fds[4] = {dup(fs->dev), -1, -1, local_file()};
	unsigned int i, n = fds[3] >= 0 ? 4 : 3;
	struct vfe bad;
	uint64_t f;
	int memfd;

	DPX_TEST_ASSERT(fds[0] >= 0 &&
				socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, &fds[1]) == 0,
			"%s", strerror(errno));
	if (n == 3)
		printf("no local file system under %s: a disk file's close not checked\n",
		       DPX_BUILD_ROOT);
	DPX_TEST_RUN(fuse_peer(&bad, path2, -1, &memfd));
	DPX_TEST_ASSERT(vfe_request(&bad, VHOST_USER_GET_FEATURES, NULL, 0, fds, n, &f) < 0,
			"GET_FEATURES with fds refused");
	DPX_TEST_RUN(fuse_peer_end(&bad, memfd));
	for (i = 0; i < n; i++)
		close(fds[i]);
	return fuse_nothing_asked(fs, good, 4, 8);
}

/* Copies of the FUSE file that no queue took: closed by the case itself
 * once the connection is aborted (their close then returns at once). */
static int fuse_left[8];
static unsigned int fuse_nleft;

/*
 * The closer's queue filled behind the stalled close: the fds past it are
 * left open, counted, and logged at the 1st, 2nd, 4th, 8th..., not once
 * each (the front-end chooses how many).
 */
static int
fuse_queue_full(int fd)
{
	unsigned long left = vhost_peer_fd_left_open(), lines = 0, n;
	unsigned int queued = vhost_peer_fd_closes_pending(), i;
	struct rlimit rl;
	int copy;

	DPX_TEST_ASSERT_EQUAL(getrlimit(RLIMIT_NOFILE, &rl), 0, "");
	if (rl.rlim_cur < 4096 && rl.rlim_max >= 4096) {
		rl.rlim_cur = 4096;
		DPX_TEST_ASSERT_EQUAL(setrlimit(RLIMIT_NOFILE, &rl), 0, "");
	}
	if (rl.rlim_cur < 4096) {
		printf("RLIMIT_NOFILE %lu: the closer's full queue not checked\n",
		       (unsigned long)rl.rlim_cur);
		return DPX_TEST_SUCCESS;
	}
	/* the stalled close, then 1024 queued behind it */
	for (i = queued; i < 1025 + DPX_DIM(fuse_left); i++) {
		copy = dup(fd);
		DPX_TEST_ASSERT(copy >= 0, "%s", strerror(errno));
		if (i >= 1025)
			fuse_left[fuse_nleft++] = copy;
		vhost_peer_fd_close(copy);
	}
	DPX_TEST_ASSERT_EQUAL(vhost_peer_fd_closes_pending(), 1025, "the queue is full");
	DPX_TEST_ASSERT_EQUAL(vhost_peer_fd_left_open() - left, DPX_DIM(fuse_left), "left open");
	for (n = left + 1; n <= left + DPX_DIM(fuse_left); n++)
		lines += (n & (n - 1)) == 0;
	DPX_TEST_ASSERT_EQUAL(
		(unsigned long)vfe_log_count("left open: cannot hand it to the closer"), lines,
		"log lines for %zu fds left open", DPX_DIM(fuse_left));
	return DPX_TEST_SUCCESS;
}

/* The hostile front-ends, each on a new connection to path2. */
static int
fuse_peers(struct fuse_stall *fs, struct vfe *good, const char *path2, int fd)
{
	static const char fuse_refused[] = "file system type \"fuse\": refused, on a file system "
					   "a user process serves";
	struct vhost_user_log log = {VFE_SESSION_MEM_SIZE / 4096 / 8, 0};
	struct vfe bad;
	char line[160];
	int memfd;
	uint64_t f;

	/* SET_MEM_TABLE: a prompt nack, one log line with the values */
	DPX_TEST_RUN(fuse_peer(&bad, path2, fd, &memfd));
	DPX_TEST_ASSERT_EQUAL(vfe_set_mem_table(&bad), -EIO, "SET_MEM_TABLE refused (nack)");
	DPX_TEST_RUN(fuse_peer_end(&bad, memfd));
	snprintf(line, sizeof(line), "SET_MEM_TABLE region 0 (gpa 0x0 size 0x%" PRIx64 "): fd ",
		 bad.regions[0].size);
	DPX_TEST_ASSERT(vfe_log_has(line), "%s", line);
	DPX_TEST_ASSERT_EQUAL(vfe_log_count(fuse_refused), 1, "one line");
	DPX_TEST_RUN(fuse_nothing_asked(fs, good, 1, 1));

	/* ADD_MEM_REG: the same; its close queues behind the stalled one */
	DPX_TEST_RUN(fuse_peer(&bad, path2, fd, &memfd));
	DPX_TEST_ASSERT_EQUAL(vfe_add_region(&bad, 0), -EIO, "ADD_MEM_REG refused (nack)");
	DPX_TEST_RUN(fuse_peer_end(&bad, memfd));
	DPX_TEST_ASSERT(vfe_log_has("ADD_MEM_REG gpa 0x0"), "");
	DPX_TEST_ASSERT_EQUAL(vfe_log_count(fuse_refused), 2, "");
	DPX_TEST_RUN(fuse_nothing_asked(fs, good, 2, 3));

	/* SET_LOG_BASE: the dirty log is memory too (always answered: no reply, a close) */
	DPX_TEST_RUN(fuse_peer(&bad, path2, fd, &memfd));
	DPX_TEST_ASSERT_EQUAL(vfe_send(&bad, VHOST_USER_SET_LOG_BASE, 0, &log, sizeof(log), &fd, 1),
			      0, "");
	DPX_TEST_RUN(fuse_peer_end(&bad, memfd));
	DPX_TEST_ASSERT(vfe_log_has("SET_LOG_BASE size 0x"), "");
	DPX_TEST_ASSERT_EQUAL(vfe_log_count(fuse_refused), 3, "");
	DPX_TEST_RUN(fuse_nothing_asked(fs, good, 3, 5));

	/* an fd no message wants: refused by the message rules, closed by the closer */
	DPX_TEST_RUN(fuse_peer(&bad, path2, fd, &memfd));
	DPX_TEST_ASSERT(vfe_request(&bad, VHOST_USER_GET_FEATURES, NULL, 0, &fd, 1, &f) < 0,
			"GET_FEATURES with an fd refused");
	DPX_TEST_RUN(fuse_peer_end(&bad, memfd));
	DPX_TEST_RUN(fuse_nothing_asked(fs, good, 4, 7));
	DPX_TEST_RUN(fuse_channel_not_queued(fs, good, path2));
	return fuse_queue_full(fd);
}

/*
 * Files of a FUSE mount served by this process, which answers LOOKUP and OPEN
 * and then nothing, as guest memory, dirty log and an unwanted fd: each is
 * refused at once without a request to the server, the back-end's closes wait
 * on the closer thread, and the vhost thread keeps serving the good device.
 */
static int
test_vhost_hostile_fuse_mem_fd(void)
{
	char path[108], path2[108];
	struct fuse_stall fs;
	unsigned int copies;
	struct vfe good;
	int fd, rc;

	DPX_TEST_RUN(vfe_case_start(&pool));
	rc = fuse_stall_mount(&fs, VFE_SESSION_MEM_SIZE);
	if (rc < 0) {
		vfe_case_end(pool);
		DPX_TEST_SKIP("cannot mount a FUSE file system here: %s", strerror(-rc));
	}
	fd = fuse_stall_open(&fs, O_RDWR);
	rc = fd >= 0 ? good_device(&good, path, sizeof(path), "fuse", WANT_SPLIT) : DPX_TEST_FAILED;
	vfe_sock_path(path2, sizeof(path2), "fuse2");
	if (rc == DPX_TEST_SUCCESS &&
	    (dpx_vhost_driver_register(path2, 0) < 0 || dpx_vhost_driver_start(path2) < 0))
		rc = DPX_TEST_FAILED;
	vfe_log_capture();
	if (rc == DPX_TEST_SUCCESS)
		rc = fuse_peers(&fs, &good, path2, fd);
	vfe_log_release();
	/* whatever failed: a close stalled on the server ends only when it goes
	 * (and the process could not even exit before) */
	copies = fuse_stall_unmount(&fs);
	vfe_closes_wait();
	while (fuse_nleft > 0)
		close(fuse_left[--fuse_nleft]);
	DPX_TEST_ASSERT(fd >= 0, "open of the FUSE file: %s", strerror(-fd));
	close(fd);
	if (rc != DPX_TEST_SUCCESS)
		return rc;
	DPX_TEST_ASSERT_EQUAL(copies, 0, "the back-end kept a copy of the server's channel");
	DPX_TEST_ASSERT_EQUAL(vhost_peer_fd_closes_pending(), 0, "every close returned");
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_driver_unregister(path2), 0, "");
	DPX_TEST_RUN(still_serving(&good, vfe_ev.vid, 9));
	DPX_TEST_RUN(vfe_session_close(&good, path));
	return vfe_case_end(pool);
}

DPX_TEST_REGISTER(vhost_hostile_fuse_mem_fd, fast, test_vhost_hostile_fuse_mem_fd);

/* A file of the build directory's file system, if it is one dpx accepts
 * (ext4, xfs, btrfs, tmpfs: the statfs magic of the common ones). */
static int
local_file(void)
{
	static const long magic[] = {0xef53, 0x58465342, 0x9123683e, 0x01021994};
	struct statfs sf;
	unsigned int i;
	int fd = open(DPX_BUILD_ROOT, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);

	if (fd < 0 || fstatfs(fd, &sf) < 0 || ftruncate(fd, VFE_SESSION_MEM_SIZE) < 0)
		goto no;
	for (i = 0; i < DPX_DIM(magic); i++)
		if ((long)sf.f_type == magic[i])
			return fd;
no:
	if (fd >= 0)
		close(fd);
	return -1;
}

/* The other side of the rule: a disk or tmpfs file is mapped (from its
 * mountinfo line, not its seals), a device file of devtmpfs is not. */
static int
test_vhost_hostile_mem_fd_kinds(void)
{
	char path[108], path2[108];
	struct vfe good, bad;
	int fd, memfd;

	DPX_TEST_RUN(vfe_case_start(&pool));
	DPX_TEST_RUN(good_device(&good, path, sizeof(path), "memkind", WANT_SPLIT));
	vfe_sock_path(path2, sizeof(path2), "memkind2");
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_driver_register(path2, 0), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_driver_start(path2), 0, "");
	vfe_log_capture();
	fd = local_file();
	if (fd >= 0) {
		DPX_TEST_RUN(fuse_peer(&bad, path2, fd, &memfd));
		DPX_TEST_ASSERT_EQUAL(vfe_set_mem_table(&bad), 0, "a local file is guest memory");
		DPX_TEST_RUN(answers(&bad));
		bad.memfd = memfd;
		vfe_fini(&bad);
		close(fd);
	} else {
		printf("no local file system under %s: its acceptance not checked\n",
		       DPX_BUILD_ROOT);
	}
	fd = open("/dev/zero", O_RDWR | O_CLOEXEC);
	DPX_TEST_ASSERT(fd >= 0, "");
	DPX_TEST_RUN(fuse_peer(&bad, path2, fd, &memfd));
	DPX_TEST_ASSERT_EQUAL(vfe_set_mem_table(&bad), -EIO, "/dev/zero refused");
	DPX_TEST_RUN(fuse_peer_end(&bad, memfd));
	close(fd);
	DPX_TEST_ASSERT(vfe_log_has("(/dev/zero), file system type \"devtmpfs\": refused, on a "
				    "file system not known to be local"),
			"");
	/* an epoll fd: refused by its name, before its fdinfo (a line per watch) */
	fd = epoll_create1(EPOLL_CLOEXEC);
	DPX_TEST_ASSERT(fd >= 0, "");
	DPX_TEST_RUN(fuse_peer(&bad, path2, fd, &memfd));
	DPX_TEST_ASSERT_EQUAL(vfe_set_mem_table(&bad), -EIO, "an epoll fd refused");
	DPX_TEST_RUN(fuse_peer_end(&bad, memfd));
	close(fd);
	DPX_TEST_ASSERT(vfe_log_has("(anon_inode:[eventpoll]), file system type \"\": refused, "
				    "not a file (an anonymous inode, socket, pipe or namespace)"),
			"");
	vfe_log_release();
	DPX_TEST_RUN(still_serving(&good, vfe_ev.vid, 11));
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_driver_unregister(path2), 0, "");
	DPX_TEST_RUN(vfe_session_close(&good, path));
	return vfe_case_end(pool);
}

DPX_TEST_REGISTER(vhost_hostile_mem_fd_kinds, fast, test_vhost_hostile_mem_fd_kinds);

/* A file of a fresh ramfs mount (no seals: judged by its mount), or -1. */
static int
ramfs_file(char *dir, size_t len)
{
	char path[96];
	int fd;

	snprintf(dir, len, "/tmp/dpx-ramfs-XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	if (mount("dpx-test", dir, "ramfs", MS_NOSUID | MS_NODEV, NULL) < 0) {
		rmdir(dir);
		return -1;
	}
	snprintf(path, sizeof(path), "%s/mem", dir);
	fd = open(path, O_CREAT | O_RDWR | O_CLOEXEC, 0600);
	if (fd < 0) {
		umount2(dir, MNT_DETACH);
		rmdir(dir);
	}
	return fd;
}

/* A watch on this process's mount table, armed by reading it through: poll
 * reports POLLPRI once it changes (other processes' mounts too: parallel
 * tests mount FUSE and ramfs). @return the fd or -1. */
static int
mount_watch(void)
{
	char buf[4096];
	int fd = open("/proc/self/mountinfo", O_RDONLY | O_CLOEXEC);

	if (fd >= 0)
		while (read(fd, buf, sizeof(buf)) > 0)
			;
	return fd;
}

static bool
mount_changed(int fd)
{
	struct pollfd p = {fd, POLLPRI, 0};

	return poll(&p, 1, 0) > 0 && (p.revents & (POLLPRI | POLLERR));
}

/*
 * The mount table is read once, not for every disk-file region (5 ms each
 * at 5000 mounts: 509 ADD_MEM_REG kept the vhost thread for seconds), and
 * again as soon as it changes: a file of a mount made since is judged by
 * its own type, not refused as "outside this namespace". A mount made by
 * another process meanwhile is a change too: such a window is tried again.
 */
static int
test_vhost_mountinfo_cached(void)
{
	char path[108], dir[64];
	const char *why = "";
	unsigned long reads, before;
	int fd, fd2, i, rc, tries, watch;
	bool changed;

	vfe_sock_path(path, sizeof(path), "mountinfo");
	fd = local_file();
	if (fd < 0)
		DPX_TEST_SKIP("no local file system under %s", DPX_BUILD_ROOT);
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_driver_register(path, 0), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_driver_start(path), 0, "");
	for (tries = 0;; tries++) {
		watch = mount_watch();
		DPX_TEST_ASSERT(watch >= 0, "mountinfo: %s", strerror(errno));
		reads = vhost_mountinfo_reads();
		for (i = 0; i < 509; i++)
			DPX_TEST_ASSERT_EQUAL(vhost_mem_fd_check(fd, &why), 0, "%s", why);
		changed = mount_changed(watch);
		close(watch);
		if (!changed)
			break;
		DPX_TEST_ASSERT(tries < 50, "the mount table kept changing under the case");
	}
	/* one read, or two when a change made just before the window was
	 * still unseen by the cache: never one a check */
	DPX_TEST_ASSERT(vhost_mountinfo_reads() - reads <= 2,
			"%lu reads of an unchanged mount table for 509 checks",
			vhost_mountinfo_reads() - reads);
	DPX_TEST_ASSERT(vhost_mountinfo_reads() >= 1, "the mount table was read");
	before = vhost_mountinfo_reads();
	fd2 = ramfs_file(dir, sizeof(dir));
	rc = fd2 >= 0 ? vhost_mem_fd_check(fd2, &why) : 0;
	if (fd2 >= 0) {
		close(fd2);
		umount2(dir, MNT_DETACH);
		rmdir(dir);
		DPX_TEST_ASSERT_EQUAL(rc, 0, "a file of a mount made since: %s", why);
		DPX_TEST_ASSERT(vhost_mountinfo_reads() > before, "read again after the change");
	} else {
		printf("cannot mount a ramfs here (%s): a change of the table not checked\n",
		       strerror(errno));
	}
	close(fd);
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_driver_unregister(path), 0, "");
	return DPX_TEST_SUCCESS;
}

DPX_TEST_REGISTER(vhost_mountinfo_cached, fast, test_vhost_mountinfo_cached);

struct burst_job {
	int vid;
	uint16_t vring;
	uint16_t done;
};

/* Runs one burst; a burst that blocks keeps this thread (and the queue lock). */
static void *
burst_thread(void *arg)
{
	struct burst_job *j = arg;
	struct dpx_mbuf *m[4];
	unsigned int i;

	if (j->vring % 2 == 1) {
		j->done = dpx_vhost_dequeue_burst(j->vid, j->vring, pool, m, 4);
		dpx_pktmbuf_free_bulk(m, j->done);
		return NULL;
	}
	for (i = 0; i < 2; i++) {
		m[i] = dpx_pktmbuf_alloc(pool);
		dpx_pktmbuf_append(m[i], 100);
	}
	j->done = dpx_vhost_enqueue_burst(j->vid, j->vring, m, 2);
	dpx_pktmbuf_free_bulk(m, 2);
	return NULL;
}

/* One burst on another thread; it must return (a 10 s guard against a hang,
 * not a timing assertion). @return its count, or -1 if it did not return. */
static int
burst_returns(int vid, uint16_t vring)
{
	struct burst_job j = {vid, vring, 0};
	struct timespec ts;
	pthread_t t;

	if (pthread_create(&t, NULL, burst_thread, &j) != 0)
		return -1;
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += 10;
	if (pthread_timedjoin_np(t, NULL, &ts) != 0) {
		printf("the burst on vring %u is still blocked after 10 s\n", vring);
		return -1;
	}
	return j.done;
}

/*
 * Call and error eventfds made without EFD_NONBLOCK, at their maximum count:
 * a blocking write would stop the lcore inside the burst (holding the queue
 * lock), and destroy_device behind it. Bursts return; the notification is
 * dropped while the count is full (the guest has one pending anyway).
 */
static int
test_vhost_hostile_call_fd_full(void)
{
	struct dpx_vhost_vring_stats st;
	char path[108], path2[108];
	struct vfe fe, other;
	uint64_t u, v;
	int vid, errfd;
	uint8_t buf[256];

	DPX_TEST_RUN(vfe_case_start(&pool));
	DPX_TEST_RUN(vfe_session_open(&fe, path, sizeof(path), "callfull"));
	fe.q[0].callfd = eventfd(0, EFD_CLOEXEC);
	errfd = eventfd(0, EFD_CLOEXEC);
	DPX_TEST_ASSERT(fe.q[0].callfd >= 0 && errfd >= 0, "");
	u = EVENTFD_MAX;
	DPX_TEST_ASSERT_EQUAL(write(fe.q[0].callfd, &u, 8), 8, "");
	DPX_TEST_ASSERT_EQUAL(write(errfd, &u, 8), 8, "");
	/* without EVENT_IDX the guest wants a call after every burst */
	DPX_TEST_RUN(vfe_bring_up(&fe, WANT_SPLIT & ~F(VIRTIO_RING_F_EVENT_IDX), false, 1));
	vid = vfe_ev.vid;
	DPX_TEST_ASSERT(fcntl(fe.q[0].callfd, F_GETFL) & O_NONBLOCK,
			"the back-end made the call eventfd non-blocking");
	vfe_rx_post(&fe, 0, 8, 1);
	DPX_TEST_ASSERT_EQUAL(burst_returns(vid, 0), 2, "the burst returns, both delivered");
	DPX_TEST_ASSERT_EQUAL(vfe_rx_take(&fe, 0, buf, sizeof(buf)), 100, "");
	DPX_TEST_ASSERT_EQUAL(vfe_rx_take(&fe, 0, buf, sizeof(buf)), 100, "");
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_vring_stats_get(vid, 0, &st, 0), 0, "");
	DPX_TEST_ASSERT_EQUAL(st.notifications, 0, "nothing written to a full eventfd");
	/* the guest takes its interrupt: notifications flow again */
	DPX_TEST_ASSERT_EQUAL(read(fe.q[0].callfd, &v, 8), 8, "");
	DPX_TEST_ASSERT_EQUAL(v, EVENTFD_MAX, "");
	DPX_TEST_ASSERT_EQUAL(burst_returns(vid, 0), 2, "");
	DPX_TEST_ASSERT_EQUAL(read(fe.q[0].callfd, &v, 8), 8, "");
	DPX_TEST_ASSERT_EQUAL(v, 1, "one call for the burst");
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_vring_stats_get(vid, 0, &st, 0), 0, "");
	DPX_TEST_ASSERT_EQUAL(st.notifications, 1, "");
	/* the error eventfd: full, then the guest breaks the ring */
	u = 1;
	DPX_TEST_ASSERT_EQUAL(vfe_request(&fe, VHOST_USER_SET_VRING_ERR, &u, 8, &errfd, 1, NULL), 0,
			      "");
	DPX_TEST_ASSERT(fcntl(errfd, F_GETFL) & O_NONBLOCK, "");
	vfe_split_publish(&fe, 1, 300); /* head index past the ring */
	DPX_TEST_ASSERT_EQUAL(burst_returns(vid, 1), 0, "the burst stops the ring and returns");
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_vring_is_enabled(vid, 1), 0, "ring stopped");
	/* the vhost thread is free: another path's device comes up and serves */
	/* (vfe_ev counts from 0 again) */
	DPX_TEST_RUN(vfe_session_open(&other, path2, sizeof(path2), "callfull2"));
	DPX_TEST_RUN(vfe_bring_up(&other, WANT_SPLIT, false, 1));
	DPX_TEST_RUN(still_serving(&other, vfe_ev.vid, 3));
	DPX_TEST_ASSERT_EQUAL(vfe_ev.destroy_calls, 0, "");
	vfe_fini(&fe);
	DPX_TEST_ASSERT(vfe_wait_count(&vfe_ev.destroy_calls, 1), "destroy_device returned");
	close(errfd);
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_driver_unregister(path), 0, "");
	vfe_ev.destroy_calls = 0;
	DPX_TEST_RUN(vfe_session_close(&other, path2));
	return vfe_case_end(pool);
}

DPX_TEST_REGISTER(vhost_hostile_call_fd_full, fast, test_vhost_hostile_call_fd_full);

/* ---- a peer that never reads its replies ---- */

/*
 * GET_FEATURES again and again, never reading an answer, never blocking.
 * @return 1 when the back-end closed the connection, 0 when sending stalled
 * (2 s without room: the back-end is stuck too), -1 when nothing happened.
 */
static int
flood_unread(int sock)
{
	struct vhost_user_hdr h = {VHOST_USER_GET_FEATURES, VHOST_USER_VERSION, 0};
	unsigned int i, stalls = 0;
	ssize_t r;

	for (i = 0; i < 1000000; i++) {
		r = send(sock, &h, sizeof(h), MSG_DONTWAIT | MSG_NOSIGNAL);
		if (r == (ssize_t)sizeof(h)) {
			stalls = 0;
			continue;
		}
		if (r < 0 && (errno == EPIPE || errno == ECONNRESET))
			return 1;
		if (r >= 0 || errno != EAGAIN)
			return -1;
		struct pollfd p = {.fd = sock, .events = POLLOUT};

		if (poll(&p, 1, 100) == 0 && ++stalls == 20)
			return 0;
		if (p.revents & (POLLHUP | POLLERR))
			return 1;
	}
	return -1;
}

static int
test_vhost_hostile_unread_replies(void)
{
	char path[108], path2[108];
	struct vfe good, bad;

	DPX_TEST_RUN(vfe_case_start(&pool));
	DPX_TEST_RUN(good_device(&good, path, sizeof(path), "unread", WANT_SPLIT));
	DPX_TEST_RUN(hostile_open(&bad, path2, sizeof(path2), "unread2"));
	vfe_log_capture();
	DPX_TEST_ASSERT_EQUAL(flood_unread(bad.sock), 1, "the back-end disconnected the peer");
	DPX_TEST_ASSERT(vfe_log_has("reply not sent: the front-end does not read its replies"), "");
	vfe_log_release();
	/* meanwhile and after, the other path's device is served */
	DPX_TEST_RUN(answers(&good));
	DPX_TEST_RUN(still_serving(&good, vfe_ev.vid, 5));
	DPX_TEST_RUN(hostile_close(&bad, path2));
	DPX_TEST_RUN(vfe_session_close(&good, path));
	return vfe_case_end(pool);
}

DPX_TEST_REGISTER(vhost_hostile_unread_replies, fast, test_vhost_hostile_unread_replies);

/* ---- a peer that trickles a message one byte every 99 ms ---- */

struct trickle {
	int sock;
	unsigned int sent; /* bytes the back-end took before it hung up */
	bool closed;
};

static void *
trickle_thread(void *arg)
{
	struct trickle *t = arg;
	struct {
		struct vhost_user_hdr h;
		uint8_t payload[8 + 32 * 8]; /* eight regions */
	} __attribute__((packed)) m;
	const uint8_t *b = (const uint8_t *)&m;

	memset(&m, 0, sizeof(m));
	m.h = (struct vhost_user_hdr){VHOST_USER_SET_MEM_TABLE, VHOST_USER_VERSION,
				      sizeof(m.payload)};
	m.payload[0] = 8;

	/* the header whole, then the payload byte by byte */
	t->sent = sizeof(m.h);
	if (send(t->sock, b, t->sent, MSG_NOSIGNAL) != (ssize_t)t->sent)
		return NULL;
	for (; t->sent < sizeof(m); t->sent++) {
		if (send(t->sock, b + t->sent, 1, MSG_NOSIGNAL) != 1) {
			t->closed = true;
			break;
		}
		usleep(99000);
	}
	return NULL;
}

static int
test_vhost_hostile_trickle(void)
{
	struct trickle t = {0};
	char path[108], path2[108];
	struct vfe good, bad;
	pthread_t th;

	DPX_TEST_RUN(vfe_case_start(&pool));
	DPX_TEST_RUN(good_device(&good, path, sizeof(path), "trickle", WANT_SPLIT));
	DPX_TEST_RUN(hostile_open(&bad, path2, sizeof(path2), "trickle2"));
	vfe_log_capture();
	t.sock = bad.sock;
	DPX_TEST_ASSERT_EQUAL(pthread_create(&th, NULL, trickle_thread, &t), 0, "");
	usleep(300000); /* a few bytes in: the message is under way */
	/* the vhost thread does not wait for the rest of it */
	DPX_TEST_RUN(answers(&good));
	DPX_TEST_RUN(still_serving(&good, vfe_ev.vid, 7));
	pthread_join(th, NULL);
	DPX_TEST_ASSERT(t.closed, "disconnected before the whole message was in (%u sent)", t.sent);
	DPX_TEST_ASSERT(vfe_log_has("SET_MEM_TABLE not complete within 1000 ms"), "");
	vfe_log_release();
	DPX_TEST_RUN(hostile_close(&bad, path2));
	DPX_TEST_RUN(vfe_session_close(&good, path));
	return vfe_case_end(pool);
}

DPX_TEST_REGISTER(vhost_hostile_trickle, fast, test_vhost_hostile_trickle);

/* ---- SET_VRING_BASE: checked first, refused on a running ring ---- */

static int
test_vhost_hostile_vring_base(void)
{
	struct vhost_user_vring_state st = {1, 0x8000 | 5};
	char path[108];
	struct vfe fe;
	uint64_t base;

	DPX_TEST_RUN(vfe_case_start(&pool));
	DPX_TEST_RUN(good_device(&fe, path, sizeof(path), "base", WANT_PACKED));
	vfe_log_capture();
	/* the lcore polls this ring: its index may not move under it */
	DPX_TEST_ASSERT_EQUAL(
		vfe_request(&fe, VHOST_USER_SET_VRING_BASE, &st, sizeof(st), NULL, 0, NULL), -EIO,
		"refused on a running ring");
	DPX_TEST_ASSERT_EQUAL(vfe_wait_closed(&fe, 3000), 0, "");
	DPX_TEST_ASSERT(vfe_log_has("SET_VRING_BASE vring 1 base 32773 size 256: vring is running"),
			"");
	DPX_TEST_ASSERT(vfe_wait_count(&vfe_ev.destroy_calls, 1), "");
	vfe_fini(&fe);
	/* stopped, an index past the ring is refused; in the ring it restarts */
	DPX_TEST_ASSERT_EQUAL(vfe_init(&fe, VFE_SESSION_MEM_SIZE), 0, "");
	DPX_TEST_ASSERT_EQUAL(vfe_connect(&fe, path), 0, "");
	DPX_TEST_RUN(vfe_bring_up(&fe, WANT_PACKED, false, 2));
	DPX_TEST_RUN(still_serving(&fe, vfe_ev.vid, 1));
	DPX_TEST_ASSERT_EQUAL(
		vfe_request(&fe, VHOST_USER_GET_VRING_BASE, &st, sizeof(st), NULL, 0, &base), 0,
		"");
	DPX_TEST_ASSERT(vfe_wait_count(&vfe_ev.destroy_calls, 2), "");
	st.num = 0x8000 | 2;
	DPX_TEST_ASSERT_EQUAL(
		vfe_request(&fe, VHOST_USER_SET_VRING_BASE, &st, sizeof(st), NULL, 0, NULL), 0,
		"a stopped ring takes a base inside it");
	st.num = 0x8000 | 256;
	DPX_TEST_ASSERT_EQUAL(
		vfe_request(&fe, VHOST_USER_SET_VRING_BASE, &st, sizeof(st), NULL, 0, NULL), -EIO,
		"a base past the ring is refused");
	DPX_TEST_ASSERT(vfe_log_has("base 33024 size 256: packed ring base past the ring"), "");
	vfe_log_release();
	DPX_TEST_ASSERT_EQUAL(vfe_wait_closed(&fe, 3000), 0, "");
	vfe_fini(&fe);
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_driver_unregister(path), 0, "");
	return vfe_case_end(pool);
}

DPX_TEST_REGISTER(vhost_hostile_vring_base, fast, test_vhost_hostile_vring_base);

/* ---- vring indexes within the negotiated queue pairs ---- */

/* Protocol features negotiated without (or with) MQ, no SET_FEATURES yet. */
static int
negotiate_protocol(struct vfe *fe, bool mq)
{
	uint64_t pf;

	DPX_TEST_ASSERT_EQUAL(
		vfe_request(fe, VHOST_USER_GET_PROTOCOL_FEATURES, NULL, 0, NULL, 0, &pf), 0, "");
	if (!mq)
		pf &= ~F(VHOST_USER_PROTOCOL_F_MQ);
	DPX_TEST_ASSERT_EQUAL(
		vfe_request(fe, VHOST_USER_SET_PROTOCOL_FEATURES, &pf, 8, NULL, 0, NULL), 0, "");
	fe->pfeatures = pf;
	return DPX_TEST_SUCCESS;
}

/* SET_VRING_CALL of vring idx, QEMU's first per-ring message. @return vfe_request's. */
static int
set_call(struct vfe *fe, unsigned int idx)
{
	int fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK), rc;
	uint64_t u = idx;

	rc = vfe_request(fe, VHOST_USER_SET_VRING_CALL, &u, 8, &fd, 1, NULL);
	close(fd);
	return rc;
}

static int
test_vhost_hostile_vring_index(void)
{
	char path[108];
	struct vfe fe;
	uint64_t n;

	DPX_TEST_RUN(vfe_case_start(&pool));
	vfe_sock_path(path, sizeof(path), "index");
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_driver_register(path, 0), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_driver_set_max_queue_pairs(path, 0), -EINVAL, "");
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_driver_set_max_queue_pairs(path, 9), -EINVAL, "");
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_driver_set_max_queue_pairs("/nonexistent", 2), -ENOENT, "");
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_driver_set_max_queue_pairs(path, 3), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_driver_start(path), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_driver_set_max_queue_pairs(path, 2), -EBUSY, "");
	vfe_log_capture();
	/* without protocol MQ a front-end has one queue pair: vrings 0 and 1 */
	DPX_TEST_ASSERT_EQUAL(vfe_init(&fe, 4 << 20), 0, "");
	DPX_TEST_ASSERT_EQUAL(vfe_connect(&fe, path), 0, "");
	DPX_TEST_RUN(negotiate_protocol(&fe, false));
	DPX_TEST_ASSERT_EQUAL(set_call(&fe, 1), 0, "");
	DPX_TEST_ASSERT_EQUAL(set_call(&fe, 2), -EIO, "vring 2 without MQ");
	DPX_TEST_ASSERT_EQUAL(vfe_wait_closed(&fe, 3000), 0, "");
	DPX_TEST_ASSERT(vfe_log_has("SET_VRING_CALL vring 2: vring index out of range (2 vrings: "
				    "protocol feature MQ not negotiated)"),
			"");
	vfe_fini(&fe);
	/* with MQ, the pairs this path offers (GET_QUEUE_NUM) */
	DPX_TEST_ASSERT_EQUAL(vfe_init(&fe, 4 << 20), 0, "");
	DPX_TEST_ASSERT_EQUAL(vfe_connect(&fe, path), 0, "");
	DPX_TEST_RUN(negotiate_protocol(&fe, true));
	DPX_TEST_ASSERT_EQUAL(vfe_request(&fe, VHOST_USER_GET_QUEUE_NUM, NULL, 0, NULL, 0, &n), 0,
			      "");
	DPX_TEST_ASSERT_EQUAL(n, 3, "");
	DPX_TEST_ASSERT_EQUAL(set_call(&fe, 5), 0, "");
	DPX_TEST_ASSERT_EQUAL(set_call(&fe, 6), -EIO, "vring 6 of 3 pairs");
	DPX_TEST_ASSERT_EQUAL(vfe_wait_closed(&fe, 3000), 0, "");
	DPX_TEST_ASSERT(vfe_log_has("SET_VRING_CALL vring 6: vring index out of range (6 vrings)"),
			"");
	vfe_log_release();
	vfe_fini(&fe);
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_driver_unregister(path), 0, "");
	return vfe_case_end(pool);
}

DPX_TEST_REGISTER(vhost_hostile_vring_index, fast, test_vhost_hostile_vring_index);

/* ---- connections per path ---- */

static int
test_vhost_hostile_connections(void)
{
	struct vfe fe[DPX_VHOST_DEFAULT_MAX_CONNECTIONS + 1], late;
	char path[108], path2[108];
	unsigned int i, max = DPX_VHOST_DEFAULT_MAX_CONNECTIONS;

	DPX_TEST_RUN(vfe_case_start(&pool));
	DPX_TEST_RUN(vfe_session_open(&fe[0], path, sizeof(path), "conns"));
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_driver_set_max_connections(path, 2), -EBUSY, "started");
	DPX_TEST_RUN(vfe_bring_up(&fe[0], WANT_SPLIT, false, 1));
	vfe_log_capture();
	for (i = 1; i <= max; i++) {
		DPX_TEST_ASSERT_EQUAL(vfe_init(&fe[i], 4 << 20), 0, "");
		DPX_TEST_ASSERT_EQUAL(vfe_connect(&fe[i], path), 0, "");
	}
	for (i = 1; i < max; i++)
		DPX_TEST_RUN(answers(&fe[i]));
	DPX_TEST_ASSERT_EQUAL(vfe_wait_closed(&fe[max], 3000), 0, "connection %u refused", max + 1);
	DPX_TEST_ASSERT(vfe_log_has("connection refused: 8 of 8 connections in use"), "");
	/* a freed place is taken again */
	vfe_fini(&fe[1]);
	vfe_fini(&fe[max]);
	DPX_TEST_ASSERT_EQUAL(vfe_init(&late, 4 << 20), 0, "");
	DPX_TEST_ASSERT_EQUAL(vfe_connect_served(&late, path), 0, "");
	DPX_TEST_RUN(answers(&late));
	vfe_fini(&late);
	for (i = 2; i < max; i++)
		vfe_fini(&fe[i]);
	DPX_TEST_RUN(still_serving(&fe[0], vfe_ev.vid, 2));
	/* a path of its own with a cap of 1 */
	vfe_sock_path(path2, sizeof(path2), "conns2");
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_driver_register(path2, 0), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_driver_set_max_connections(path2, 0), -EINVAL, "");
	DPX_TEST_ASSERT_EQUAL(
		dpx_vhost_driver_set_max_connections(path2, DPX_VHOST_MAX_DEVICES + 1), -EINVAL,
		"");
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_driver_set_max_connections("/nonexistent", 1), -ENOENT, "");
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_driver_set_max_connections(path2, 1), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_driver_start(path2), 0, "");
	DPX_TEST_ASSERT_EQUAL(vfe_init(&fe[1], 4 << 20), 0, "");
	DPX_TEST_ASSERT_EQUAL(vfe_init(&fe[2], 4 << 20), 0, "");
	DPX_TEST_ASSERT_EQUAL(vfe_connect(&fe[1], path2), 0, "");
	DPX_TEST_ASSERT_EQUAL(vfe_connect(&fe[2], path2), 0, "");
	DPX_TEST_RUN(answers(&fe[1]));
	DPX_TEST_ASSERT_EQUAL(vfe_wait_closed(&fe[2], 3000), 0, "");
	DPX_TEST_ASSERT(vfe_log_has("connection refused: 1 of 1 connections in use"), "");
	vfe_log_release();
	vfe_fini(&fe[1]);
	vfe_fini(&fe[2]);
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_driver_unregister(path2), 0, "");
	DPX_TEST_RUN(vfe_session_close(&fe[0], path));
	return vfe_case_end(pool);
}

DPX_TEST_REGISTER(vhost_hostile_connections, fast, test_vhost_hostile_connections);

/* The net_vhost devarg: one front-end per port plus the one coming back. */
static int
test_vhost_hostile_port_connections(void)
{
	char path[108], arg[160];
	struct vfe fe[3];
	unsigned int i;

	vfe_sock_path(path, sizeof(path), "port");
	snprintf(arg, sizeof(arg), "net_vhost0,iface=%s,max_connections=0", path);
	DPX_TEST_ASSERT(dpx_test_eal_init("--no-huge", "--vdev", arg, NULL) < 0,
			"max_connections=0 refused");
	snprintf(arg, sizeof(arg), "net_vhost0,iface=%s,max_connections=65", path);
	DPX_TEST_ASSERT(dpx_test_eal_init("--no-huge", "--vdev", arg, NULL) < 0,
			"max_connections=65 refused");
	snprintf(arg, sizeof(arg), "net_vhost0,iface=%s", path);
	DPX_TEST_ASSERT(dpx_test_eal_init("--no-huge", "--vdev", arg, NULL) > 0, "");
	vfe_log_capture();
	for (i = 0; i < 3; i++) {
		DPX_TEST_ASSERT_EQUAL(vfe_init(&fe[i], 4 << 20), 0, "");
		DPX_TEST_ASSERT_EQUAL(vfe_connect(&fe[i], path), 0, "");
	}
	DPX_TEST_RUN(answers(&fe[0]));
	DPX_TEST_RUN(answers(&fe[1]));
	DPX_TEST_ASSERT_EQUAL(vfe_wait_closed(&fe[2], 3000), 0, "the third is refused");
	DPX_TEST_ASSERT(vfe_log_has("connection refused: 2 of 2 connections in use"), "");
	vfe_log_release();
	for (i = 0; i < 3; i++)
		vfe_fini(&fe[i]);
	return DPX_TEST_SUCCESS;
}

DPX_TEST_REGISTER(vhost_hostile_port_connections, fast, test_vhost_hostile_port_connections);

/* ---- accept failing (EMFILE): no spinning, served once fds are back ---- */

/* The /proc stat file of the dpx-vhost thread, open (so it can be read when
 * no fd is left), or -1. */
static int
vhost_thread_stat_open(void)
{
	char name[64], buf[300];
	struct dirent *e;
	int fd = -1;
	DIR *d = opendir("/proc/self/task");
	FILE *f;

	while (d != NULL && fd < 0 && (e = readdir(d)) != NULL) {
		snprintf(buf, sizeof(buf), "/proc/self/task/%s/comm", e->d_name);
		f = fopen(buf, "r");
		if (f == NULL)
			continue;
		if (fgets(name, sizeof(name), f) != NULL && strncmp(name, "dpx-vhost", 9) == 0) {
			snprintf(buf, sizeof(buf), "/proc/self/task/%s/stat", e->d_name);
			fd = open(buf, O_RDONLY | O_CLOEXEC);
		}
		fclose(f);
	}
	if (d != NULL)
		closedir(d);
	return fd;
}

/* CPU time (clock ticks, user + system) from a thread's stat file, or -1. */
static long
thread_ticks(int fd)
{
	char buf[1024], *p;
	long ut, st;
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);

	if (n <= 0)
		return -1;
	buf[n] = '\0';
	p = strrchr(buf, ')');
	/* fields 3.. after "pid (comm)": state ... utime (14) stime (15) */
	if (p == NULL ||
	    sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %ld %ld", &ut, &st) != 2)
		return -1;
	return ut + st;
}

/*
 * A connection arrives when the process has no fd left. accept() fails with
 * EMFILE and the listener stays readable: level-triggered, the vhost thread
 * would spin on it. It must back off (and keep serving its devices), then
 * accept the connection once fds are back.
 */
static int
test_vhost_hostile_accept_emfile(void)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	struct rlimit old, low;
	char path[108];
	struct vfe good, late;
	struct pollfd p;
	long t0, t1;
	int next, statfd;

	DPX_TEST_RUN(vfe_case_start(&pool));
	DPX_TEST_RUN(good_device(&good, path, sizeof(path), "emfile", WANT_SPLIT));
	statfd = vhost_thread_stat_open();
	DPX_TEST_ASSERT(statfd >= 0, "the dpx-vhost thread's stat file");
	DPX_TEST_ASSERT_EQUAL(vfe_init(&late, 4 << 20), 0, "");
	late.sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	DPX_TEST_ASSERT(late.sock >= 0, "");
	strcpy(a.sun_path, path);
	vfe_log_capture();
	/* no fd left for this process: the back-end's accept fails with EMFILE */
	next = dup(0);
	close(next);
	DPX_TEST_ASSERT_EQUAL(getrlimit(RLIMIT_NOFILE, &old), 0, "");
	low = old;
	low.rlim_cur = (rlim_t)next;
	DPX_TEST_ASSERT_EQUAL(setrlimit(RLIMIT_NOFILE, &low), 0, "");
	DPX_TEST_ASSERT_EQUAL(connect(late.sock, (struct sockaddr *)&a, sizeof(a)), 0,
			      "queued in the backlog");
	DPX_TEST_ASSERT(vfe_log_wait("accept failed (Too many open files)"), "");
	t0 = thread_ticks(statfd);
	usleep(1000000);
	t1 = thread_ticks(statfd);
	DPX_TEST_ASSERT_EQUAL(setrlimit(RLIMIT_NOFILE, &old), 0, "");
	close(statfd);
	DPX_TEST_ASSERT(t0 >= 0 && t1 >= 0, "");
	/* 0 when it waits; a spinning thread takes what the CPU gives it (dozens) */
	DPX_TEST_ASSERT(t1 - t0 <= 2, "the vhost thread used %ld ticks in 1 s of EMFILE: spinning",
			t1 - t0);
	vfe_log_release();
	/* the device it kept serving */
	DPX_TEST_RUN(answers(&good));
	DPX_TEST_RUN(still_serving(&good, vfe_ev.vid, 4));
	/* fds are back: the waiting connection is accepted and answered */
	DPX_TEST_ASSERT_EQUAL(vfe_send(&late, VHOST_USER_GET_FEATURES, 0, NULL, 0, NULL, 0), 0, "");
	p = (struct pollfd){.fd = late.sock, .events = POLLIN};
	DPX_TEST_ASSERT_EQUAL(poll(&p, 1, 10000), 1, "answered once accepted");
	DPX_TEST_RUN(answers(&late));
	vfe_fini(&late);
	DPX_TEST_RUN(vfe_session_close(&good, path));
	return vfe_case_end(pool);
}

DPX_TEST_REGISTER(vhost_hostile_accept_emfile, fast, test_vhost_hostile_accept_emfile);

/* ---- rings created before SET_FEATURES ---- */

/*
 * QEMU sends SET_VRING_CALL for every ring at initialisation, before
 * SET_FEATURES. Once PROTOCOL_FEATURES is negotiated those rings must start
 * disabled (vhost-user.rst), like the rings created after it: only
 * SET_VRING_ENABLE enables them.
 */
static int
test_vhost_hostile_rings_before_features(void)
{
	char path[108];
	struct vfe fe;
	unsigned int i;
	uint64_t f;
	int vid;

	DPX_TEST_RUN(vfe_case_start(&pool));
	DPX_TEST_RUN(vfe_session_open(&fe, path, sizeof(path), "early"));
	DPX_TEST_ASSERT_EQUAL(vfe_request(&fe, VHOST_USER_GET_FEATURES, NULL, 0, NULL, 0, &f), 0,
			      "");
	DPX_TEST_RUN(negotiate_protocol(&fe, true));
	DPX_TEST_ASSERT_EQUAL(vfe_request(&fe, VHOST_USER_SET_OWNER, NULL, 0, NULL, 0, NULL), 0,
			      "");
	for (i = 0; i < 4; i++)
		DPX_TEST_ASSERT_EQUAL(set_call(&fe, i), 0, "");
	fe.features = f & WANT_SPLIT;
	DPX_TEST_ASSERT(fe.features & F(VHOST_USER_F_PROTOCOL_FEATURES), "");
	DPX_TEST_ASSERT_EQUAL(
		vfe_request(&fe, VHOST_USER_SET_FEATURES, &fe.features, 8, NULL, 0, NULL), 0, "");
	DPX_TEST_ASSERT_EQUAL(vfe_set_mem_table(&fe), 0, "");
	for (i = 0; i < 4; i++) {
		fe.q[i].no_enable = true;
		DPX_TEST_ASSERT_EQUAL(vfe_queue_setup(&fe, i, 256, 2048, false), 0, "vring %u", i);
	}
	DPX_TEST_ASSERT_EQUAL(vfe_driver_ok(&fe), 0, "");
	DPX_TEST_RUN(answers(&fe)); /* every earlier message has been handled */
	DPX_TEST_ASSERT_EQUAL(vfe_ev.new_calls, 0, "pair 0 not enabled: not running");
	/* enable pair 0 only */
	for (i = 0; i < 2; i++) {
		struct vhost_user_vring_state st = {i, 1};

		DPX_TEST_ASSERT_EQUAL(vfe_request(&fe, VHOST_USER_SET_VRING_ENABLE, &st, sizeof(st),
						  NULL, 0, NULL),
				      0, "");
	}
	DPX_TEST_ASSERT(vfe_wait_count(&vfe_ev.new_calls, 1), "running once enabled");
	vid = vfe_ev.vid;
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_vring_is_enabled(vid, 1), 1, "");
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_vring_is_enabled(vid, 2), 0, "vring 2 never enabled");
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_vring_is_enabled(vid, 3), 0, "vring 3 never enabled");
	DPX_TEST_RUN(still_serving(&fe, vid, 6));
	DPX_TEST_RUN(vfe_session_close(&fe, path));
	return vfe_case_end(pool);
}

DPX_TEST_REGISTER(vhost_hostile_rings_before_features, fast,
		  test_vhost_hostile_rings_before_features);

/* ---- client mode: the connect fails and is retried until the front-end is back ---- */

/* The front-end is not there (why: the connect's error); then it listens,
 * and the back-end's next retry connects to it and runs a device (number round). */
static int
front_end_back(const char *path, const char *why, int round)
{
	char expect[128];
	struct vfe fe;
	int lfd;

	snprintf(expect, sizeof(expect), "cannot connect (%s); retrying", why);
	DPX_TEST_ASSERT(vfe_log_wait(expect), "round %d", round);
	lfd = vfe_listen(path);
	DPX_TEST_ASSERT(lfd >= 0, "");
	DPX_TEST_ASSERT_EQUAL(vfe_init(&fe, VFE_SESSION_MEM_SIZE), 0, "");
	DPX_TEST_ASSERT_EQUAL(vfe_accept(&fe, lfd, 10000), 0, "round %d: the retry connected",
			      round);
	DPX_TEST_RUN(vfe_bring_up(&fe, WANT_SPLIT, false, round));
	DPX_TEST_RUN(still_serving(&fe, vfe_ev.vid, (unsigned int)round));
	/* the front-end goes, and its listener with it (the socket file stays) */
	vfe_log_release();
	vfe_log_capture();
	close(lfd);
	vfe_fini(&fe);
	DPX_TEST_ASSERT(vfe_wait_count(&vfe_ev.destroy_calls, round), "");
	return DPX_TEST_SUCCESS;
}

static int
test_vhost_hostile_reconnect_retry(void)
{
	char path[108];

	DPX_TEST_RUN(vfe_case_start(&pool));
	vfe_sock_path(path, sizeof(path), "retry");
	unlink(path);
	vfe_log_capture();
	/* nobody at the path yet: the start succeeds, the connect is retried */
	DPX_TEST_RUN(vfe_server_start(path, DPX_VHOST_CLIENT));
	DPX_TEST_RUN(front_end_back(path, "No such file or directory", 1));
	/* a socket file nobody listens on */
	DPX_TEST_RUN(front_end_back(path, "Connection refused", 2));
	DPX_TEST_ASSERT(vfe_log_wait("cannot connect (Connection refused); retrying"), "");
	vfe_log_release();
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_driver_unregister(path), 0, "");
	unlink(path);
	return vfe_case_end(pool);
}

DPX_TEST_REGISTER(vhost_hostile_reconnect_retry, fast, test_vhost_hostile_reconnect_retry);
