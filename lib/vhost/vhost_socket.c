/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Socket paths and the vhost thread. One listening socket per server path
 * (every accepted connection is a device, up to the path's cap), one
 * connection per client path (reconnected every second while the front-end
 * is away). The thread waits in epoll on all of them and handles messages
 * with vhost_mutex held; the public calls here take the same mutex.
 * Application callbacks run on this thread with the mutex held (it is
 * recursive, so they may call the getters, which take it too and so never
 * see a device being freed).
 *
 * The thread never waits for one peer: every socket call is non-blocking, a
 * message arrives in pieces over several wake-ups, and what must happen
 * later (a message's deadline, a reconnect, a listener's back-off) is a time
 * the epoll timeout wakes the thread for.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "vhost_private.h"

#define POLL_WAKE 0ULL
#define POLL_LISTEN 1ULL
#define POLL_CONN 2ULL
#define POLL_KEY(kind, id) (((kind) << 32) | (uint32_t)(id))
#define MAX_SOCKETS DPX_VHOST_MAX_DEVICES
/* a client path's connect is retried this often while the front-end is away */
#define RECONNECT_INTERVAL_MS 1000
/* accept() failing for want of a resource (EMFILE, ENFILE, ENOBUFS, ENOMEM)
 * leaves the listener readable: level-triggered, epoll would return at once,
 * forever. The listener leaves epoll for this long instead. */
#define LISTEN_BACKOFF_MS 1000
/* the longest epoll wait: control calls set times without waking the thread */
#define MAX_WAIT_MS 1000

/* recursive: callbacks run with it held and may call the dpx_vhost_get_* getters */
static pthread_mutex_t vhost_mutex = PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP;
static struct vhost_socket *sockets[MAX_SOCKETS];
static int epfd = -1;
static int wakefd = -1;
static pthread_t thread;
static bool thread_running;
static bool thread_stop;

uint64_t
vhost_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

void
vhost_global_lock(void)
{
	pthread_mutex_lock(&vhost_mutex);
}

void
vhost_global_unlock(void)
{
	pthread_mutex_unlock(&vhost_mutex);
}

static uint64_t
features_offered(void)
{
	return (1ULL << VIRTIO_F_VERSION_1) | (1ULL << VIRTIO_NET_F_MRG_RXBUF) |
	       (1ULL << VIRTIO_RING_F_EVENT_IDX) | (1ULL << VIRTIO_RING_F_INDIRECT_DESC) |
	       (1ULL << VIRTIO_F_RING_PACKED) | (1ULL << VIRTIO_NET_F_GUEST_ANNOUNCE) |
	       (1ULL << VIRTIO_NET_F_CTRL_VQ) | (1ULL << VIRTIO_NET_F_MQ) |
	       (1ULL << VHOST_F_LOG_ALL) | (1ULL << VHOST_USER_F_PROTOCOL_FEATURES) |
	       (1ULL << VIRTIO_F_ANY_LAYOUT) | (1ULL << VIRTIO_NET_F_MTU) |
	       /* the data path uses every buffer in the order it was made
		* available (dropped chains included), so drivers may rely on it */
	       (1ULL << VIRTIO_F_IN_ORDER);
}

static int
find_socket(const char *path)
{
	int i;

	for (i = 0; i < MAX_SOCKETS; i++)
		if (sockets[i] != NULL && strcmp(sockets[i]->path, path) == 0)
			return i;
	return -ENOENT;
}

static int
sock_index(const struct vhost_socket *s)
{
	int i;

	for (i = 0; i < MAX_SOCKETS; i++)
		if (sockets[i] == s)
			return i;
	return -ENOENT;
}

int
dpx_vhost_driver_register(const char *path, uint64_t flags)
{
	struct vhost_socket *s;
	int i, rc = 0;

	if (path == NULL || path[0] == '\0' || strlen(path) >= sizeof(s->path) ||
	    (flags & ~DPX_VHOST_CLIENT)) {
		VHOST_LOG(ERR, "register: bad path or flags 0x%" PRIx64, flags);
		return -EINVAL;
	}
	pthread_mutex_lock(&vhost_mutex);
	if (find_socket(path) >= 0) {
		rc = -EEXIST;
		goto out;
	}
	for (i = 0; i < MAX_SOCKETS && sockets[i] != NULL; i++)
		;
	s = i < MAX_SOCKETS ? calloc(1, sizeof(*s)) : NULL;
	if (s == NULL) {
		rc = -ENOMEM;
		goto out;
	}
	strcpy(s->path, path);
	s->flags = flags;
	s->features = features_offered();
	s->fd = -1;
	s->max_conn = DPX_VHOST_DEFAULT_MAX_CONNECTIONS;
	s->max_queue_pairs = DPX_VHOST_MAX_QUEUE_PAIRS;
	sockets[i] = s;
out:
	pthread_mutex_unlock(&vhost_mutex);
	if (rc < 0)
		VHOST_LOG(ERR, "register %s: %s", path, dpx_strerror(rc));
	return rc;
}

static struct vhost_socket *
get_unstarted(const char *path, int *rc)
{
	int i = path != NULL ? find_socket(path) : -ENOENT;

	if (i < 0) {
		*rc = -ENOENT;
		return NULL;
	}
	if (sockets[i]->started) {
		*rc = -EBUSY;
		return NULL;
	}
	*rc = 0;
	return sockets[i];
}

int
dpx_vhost_driver_callback_register(const char *path, const struct dpx_vhost_device_ops *ops,
				   void *ctx)
{
	struct vhost_socket *s;
	int rc;

	pthread_mutex_lock(&vhost_mutex);
	s = get_unstarted(path, &rc);
	if (s != NULL) {
		s->ops = *ops;
		s->ctx = ctx;
	}
	pthread_mutex_unlock(&vhost_mutex);
	return rc;
}

int
dpx_vhost_driver_disable_features(const char *path, uint64_t features)
{
	struct vhost_socket *s;
	int rc;

	if (features & ((1ULL << VIRTIO_F_VERSION_1) | (1ULL << VHOST_USER_F_PROTOCOL_FEATURES)))
		return -EINVAL;
	pthread_mutex_lock(&vhost_mutex);
	s = get_unstarted(path, &rc);
	if (s != NULL)
		s->features &= ~features;
	pthread_mutex_unlock(&vhost_mutex);
	return rc;
}

int
dpx_vhost_driver_set_max_queue_pairs(const char *path, uint16_t pairs)
{
	struct vhost_socket *s;
	int rc;

	if (pairs == 0 || pairs > DPX_VHOST_MAX_QUEUE_PAIRS) {
		VHOST_LOG(ERR, "%s: %u queue pairs: not in 1..%u", path != NULL ? path : "(null)",
			  pairs, DPX_VHOST_MAX_QUEUE_PAIRS);
		return -EINVAL;
	}
	pthread_mutex_lock(&vhost_mutex);
	s = get_unstarted(path, &rc);
	if (s != NULL)
		s->max_queue_pairs = pairs;
	pthread_mutex_unlock(&vhost_mutex);
	return rc;
}

int
dpx_vhost_driver_set_max_connections(const char *path, unsigned int max)
{
	struct vhost_socket *s;
	int rc;

	if (max == 0 || max > DPX_VHOST_MAX_DEVICES) {
		VHOST_LOG(ERR, "%s: %u connections: not in 1..%u", path != NULL ? path : "(null)",
			  max, DPX_VHOST_MAX_DEVICES);
		return -EINVAL;
	}
	pthread_mutex_lock(&vhost_mutex);
	s = get_unstarted(path, &rc);
	if (s != NULL)
		s->max_conn = max;
	pthread_mutex_unlock(&vhost_mutex);
	return rc;
}

int
dpx_vhost_driver_get_features(const char *path, uint64_t *features)
{
	int i;

	pthread_mutex_lock(&vhost_mutex);
	i = path != NULL ? find_socket(path) : -ENOENT;
	if (i >= 0)
		*features = sockets[i]->features;
	pthread_mutex_unlock(&vhost_mutex);
	return i < 0 ? i : 0;
}

/* ---- connections ---- */

static int
conn_add(struct vhost_socket *s, int fd)
{
	struct epoll_event ev = {.events = EPOLLIN};
	struct vhost_dev *dev = vhost_dev_new(s, fd);

	if (dev == NULL) {
		close(fd);
		return -ENOSPC;
	}
	ev.data.u64 = POLL_KEY(POLL_CONN, dev->vid);
	if (epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
		int rc = -errno;

		vhost_dev_destroy(dev);
		return rc;
	}
	s->nconn++;
	VHOST_LOG(INFO, "%s: new connection, vid %d", s->path, dev->vid);
	return 0;
}

static void
conn_close(struct vhost_dev *dev)
{
	struct vhost_socket *s = dev->sock;

	/* the front-end brought the device up: a real session, not a hang-up */
	bool worked = dev->came_up;

	epoll_ctl(epfd, EPOLL_CTL_DEL, dev->fd, NULL);
	VHOST_LOG(INFO, "%s: vid %d disconnected", s->path, dev->vid);
	vhost_dev_destroy(dev);
	s->nconn--;
	if ((s->flags & DPX_VHOST_CLIENT) && s->started) {
		/* at once after a session that brought the device up or a
		 * connection that lasted (the front-end may be back already),
		 * else a retry interval after its connect: a front-end that
		 * accepts and hangs up at once gets one connect a second */
		s->reconnect_pending = true;
		s->retry_at_ms = worked ? 0 : s->connected_at_ms + RECONNECT_INTERVAL_MS;
	}
}

void
vhost_dev_break(struct vhost_dev *dev)
{
	dev->broken = true;
	/* the thread reads the end of the stream and closes the connection */
	if (dev->fd >= 0)
		shutdown(dev->fd, SHUT_RDWR);
}

/* Never blocking: a connect() on a server whose backlog is full would wait,
 * an accept() with nothing left to accept too. */
static int
unix_addr(const char *path, struct sockaddr_un *a)
{
	memset(a, 0, sizeof(*a));
	a->sun_family = AF_UNIX;
	strcpy(a->sun_path, path);
	return socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
}

static void
connect_failed(struct vhost_socket *s, int rc)
{
	s->reconnect_pending = true;
	s->retry_at_ms = vhost_now_ms() + RECONNECT_INTERVAL_MS;
	/* once per outage, not once a second */
	if (!s->connect_failing)
		VHOST_LOG(WARNING, "%s: cannot connect (%s); retrying every %u ms", s->path,
			  dpx_strerror(rc), RECONNECT_INTERVAL_MS);
	s->connect_failing = true;
}

static int
client_connect(struct vhost_socket *s)
{
	struct sockaddr_un a;
	int fd = unix_addr(s->path, &a), rc;

	/* a unix socket connects at once or fails (EAGAIN: the backlog is full) */
	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		rc = -errno;
		if (fd >= 0)
			close(fd);
		connect_failed(s, rc);
		return rc;
	}
	if (s->connect_failing)
		VHOST_LOG(INFO, "%s: connected", s->path);
	s->connect_failing = false;
	s->reconnect_pending = false;
	s->connected_at_ms = vhost_now_ms();
	rc = conn_add(s, fd);
	if (rc < 0)
		connect_failed(s, rc);
	return rc;
}

static int
listen_arm(struct vhost_socket *s)
{
	struct epoll_event ev = {.events = EPOLLIN,
				 .data.u64 = POLL_KEY(POLL_LISTEN, sock_index(s))};

	return epoll_ctl(epfd, EPOLL_CTL_ADD, s->fd, &ev) < 0 ? -errno : 0;
}

static int
server_listen(struct vhost_socket *s)
{
	struct sockaddr_un a;
	int fd = unix_addr(s->path, &a), probe, rc;

	if (fd < 0)
		return -errno;
	/* a path left by a dead process is removed; one someone listens on is not
	 * (EAGAIN: someone does, with a full backlog) */
	probe = unix_addr(s->path, &a);
	if (probe >= 0 &&
	    (connect(probe, (struct sockaddr *)&a, sizeof(a)) == 0 || errno == EAGAIN)) {
		close(probe);
		close(fd);
		return -EADDRINUSE;
	}
	if (probe >= 0)
		close(probe);
	unlink(s->path);
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(fd, 16) < 0) {
		rc = -errno;
		close(fd);
		return rc;
	}
	s->fd = fd;
	rc = listen_arm(s);
	if (rc < 0) {
		close(fd);
		s->fd = -1;
	}
	return rc;
}

/* ---- the thread ---- */

static void
on_listen(struct vhost_socket *s)
{
	int fd = accept4(s->fd, NULL, NULL, SOCK_CLOEXEC);

	if (fd < 0) {
		/* nothing left to accept (the peer gave up): nothing to back off from */
		if (errno == EAGAIN || errno == EINTR || errno == ECONNABORTED)
			return;
		VHOST_LOG(ERR, "%s: accept failed (%s): not accepting for %u ms", s->path,
			  dpx_strerror(errno), LISTEN_BACKOFF_MS);
		epoll_ctl(epfd, EPOLL_CTL_DEL, s->fd, NULL);
		s->listen_resume_ms = vhost_now_ms() + LISTEN_BACKOFF_MS;
		return;
	}
	/* accepted and closed, not left in the backlog: the peer knows at once */
	if ((unsigned int)s->nconn >= s->max_conn) {
		VHOST_LOG(WARNING, "%s: connection refused: %d of %u connections in use", s->path,
			  s->nconn, s->max_conn);
		close(fd);
		return;
	}
	conn_add(s, fd);
}

static void
on_event(uint64_t key)
{
	uint32_t id = (uint32_t)key;
	struct vhost_dev *dev;
	uint64_t v;

	switch (key >> 32) {
	case POLL_WAKE:
		if (read(wakefd, &v, sizeof(v)) < 0)
			break;
		break;
	case POLL_LISTEN:
		if (id < MAX_SOCKETS && sockets[id] != NULL && sockets[id]->fd >= 0)
			on_listen(sockets[id]);
		break;
	default:
		dev = vhost_dev_get((int)id);
		if (dev != NULL && vhost_user_handle(dev) < 0)
			conn_close(dev);
		break;
	}
}

static uint64_t
earlier(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

/* Run what is due (messages past their deadline, reconnects, listeners
 * backing off). @return how long the thread may wait for the next one. */
static int
timers_run(uint64_t now)
{
	uint64_t next = now + MAX_WAIT_MS;
	struct vhost_socket *s;
	struct vhost_dev *dev;
	int i;

	/* first: a client path's overdue connection is reconnected below */
	for (i = 0; i < DPX_VHOST_MAX_DEVICES; i++) {
		dev = vhost_dev_get(i);
		if (dev != NULL && vhost_user_overdue(dev, now))
			conn_close(dev);
		else if (dev != NULL)
			next = earlier(next, vhost_user_deadline(dev));
	}
	for (i = 0; i < MAX_SOCKETS; i++) {
		s = sockets[i];
		if (s == NULL)
			continue;
		if (s->reconnect_pending && now >= s->retry_at_ms)
			client_connect(s);
		if (s->listen_resume_ms != 0 && now >= s->listen_resume_ms) {
			s->listen_resume_ms = listen_arm(s) == 0 ? 0 : now + LISTEN_BACKOFF_MS;
			if (s->listen_resume_ms == 0)
				VHOST_LOG(INFO, "%s: accepting again", s->path);
		}
		if (s->reconnect_pending)
			next = earlier(next, s->retry_at_ms);
		if (s->listen_resume_ms != 0)
			next = earlier(next, s->listen_resume_ms);
	}
	return next <= now ? 0 : (int)(next - now);
}

static void *
vhost_thread(void *arg)
{
	struct epoll_event evs[16];
	int n, i, wait_ms = 0;

	(void)arg;
	for (;;) {
		n = epoll_wait(epfd, evs, DPX_DIM(evs), wait_ms);
		pthread_mutex_lock(&vhost_mutex);
		if (thread_stop) {
			pthread_mutex_unlock(&vhost_mutex);
			return NULL;
		}
		for (i = 0; i < n; i++)
			on_event(evs[i].data.u64);
		wait_ms = timers_run(vhost_now_ms());
		pthread_mutex_unlock(&vhost_mutex);
	}
}

static int
thread_start(void)
{
	struct epoll_event ev = {.events = EPOLLIN, .data.u64 = POLL_KEY(POLL_WAKE, 0)};
	int rc;

	if (thread_running)
		return 0;
	epfd = epoll_create1(EPOLL_CLOEXEC);
	wakefd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (epfd < 0 || wakefd < 0 || epoll_ctl(epfd, EPOLL_CTL_ADD, wakefd, &ev) < 0) {
		rc = -errno;
		goto fail;
	}
	thread_stop = false;
	/* without it, each disk file's mount table is read afresh: slower, as right */
	(void)vhost_mountinfo_watch();
	rc = -pthread_create(&thread, NULL, vhost_thread, NULL);
	if (rc < 0)
		goto fail;
	pthread_setname_np(thread, "dpx-vhost");
	thread_running = true;
	return 0;
fail:
	vhost_mountinfo_unwatch();
	if (epfd >= 0)
		close(epfd);
	if (wakefd >= 0)
		close(wakefd);
	epfd = wakefd = -1;
	return rc;
}

int
dpx_vhost_driver_start(const char *path)
{
	struct vhost_socket *s;
	int rc;

	pthread_mutex_lock(&vhost_mutex);
	s = get_unstarted(path, &rc);
	if (s != NULL)
		rc = thread_start();
	if (s != NULL && rc == 0) {
		if (s->flags & DPX_VHOST_CLIENT) {
			/* a front-end not there yet is retried by the thread */
			s->connect_failing = false;
			client_connect(s);
			rc = 0;
		} else {
			rc = server_listen(s);
		}
		s->started = rc == 0;
	}
	pthread_mutex_unlock(&vhost_mutex);
	if (rc < 0)
		VHOST_LOG(ERR, "start %s: %s", path != NULL ? path : "(null)", dpx_strerror(rc));
	return rc;
}

static bool
any_socket(void)
{
	int i;

	for (i = 0; i < MAX_SOCKETS; i++)
		if (sockets[i] != NULL)
			return true;
	return false;
}

int
dpx_vhost_driver_unregister(const char *path)
{
	struct vhost_socket *s;
	bool stop = false;
	uint64_t one = 1;
	int i, vid;

	pthread_mutex_lock(&vhost_mutex);
	i = path != NULL ? find_socket(path) : -ENOENT;
	if (i < 0) {
		pthread_mutex_unlock(&vhost_mutex);
		return -ENOENT;
	}
	s = sockets[i];
	s->started = false;
	s->reconnect_pending = false;
	for (vid = 0; vid < DPX_VHOST_MAX_DEVICES; vid++) {
		struct vhost_dev *dev = vhost_dev_get(vid);

		if (dev != NULL && dev->sock == s)
			conn_close(dev);
	}
	if (s->fd >= 0) {
		epoll_ctl(epfd, EPOLL_CTL_DEL, s->fd, NULL);
		close(s->fd);
		unlink(s->path);
	}
	sockets[i] = NULL;
	free(s);
	if (thread_running && !any_socket()) {
		thread_stop = true;
		stop = true;
		if (write(wakefd, &one, sizeof(one)) < 0)
			VHOST_LOG(WARNING, "cannot wake the vhost thread: %s", strerror(errno));
	}
	pthread_mutex_unlock(&vhost_mutex);
	if (stop) {
		pthread_join(thread, NULL);
		pthread_mutex_lock(&vhost_mutex);
		thread_running = false;
		close(epfd);
		close(wakefd);
		epfd = wakefd = -1;
		vhost_mountinfo_unwatch();
		pthread_mutex_unlock(&vhost_mutex);
	}
	return 0;
}
