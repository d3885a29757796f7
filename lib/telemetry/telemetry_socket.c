/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The telemetry socket and its one thread. The thread never blocks on a
 * client: every socket is non-blocking, a client that lets its unread
 * replies fill its socket buffer (send says EAGAIN) is dropped, and each
 * poll round reads at most one request per client, so none can starve the
 * others. Clients beyond DPX_TELEMETRY_MAX_CLIENTS are accepted and closed.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "telemetry_private.h"

struct client {
	int fd;
	pid_t pid; /* from SO_PEERCRED, for the log */
};

static struct {
	bool running;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	int listen_fd;
	int wake_fd; /* eventfd: telemetry_stop asks the thread to return */
	pthread_t thread;
	struct client clients[DPX_TELEMETRY_MAX_CLIENTS];
	unsigned int nclients;
	bool refusing;	    /* full: the refusal was logged, until a slot frees */
	bool accept_paused; /* out of fds: stop polling the listener for a round */
	bool accept_failed; /* the failure was logged, until an accept succeeds */
} tel = {.listen_fd = -1, .wake_fd = -1};

/* Any thread may ask: the path is written before running is set (release,
 * paired with this acquire) and cleared only after running is cleared. */
const char *
dpx_telemetry_socket_path(void)
{
	return __atomic_load_n(&tel.running, __ATOMIC_ACQUIRE) ? tel.path : "";
}

static void
client_drop(unsigned int i)
{
	close(tel.clients[i].fd);
	tel.clients[i] = tel.clients[--tel.nclients];
	tel.refusing = false;
	tel.accept_paused = false;
}

/* @return 0, or -1 when the client is gone or does not read (the caller drops it). */
static int
client_send(struct client *c, const char *text, size_t len)
{
	if (send(c->fd, text, len, MSG_DONTWAIT | MSG_NOSIGNAL) == (ssize_t)len)
		return 0;
	if (errno == EAGAIN || errno == EWOULDBLOCK)
		TEL_LOG(WARNING,
			"client pid %d does not read its replies (socket buffer full): "
			"dropped",
			(int)c->pid);
	return -1;
}

static void
client_add(int fd)
{
	struct ucred cred = {.pid = 0};
	socklen_t clen = sizeof(cred);
	struct client *c;
	size_t len;
	char *greeting;

	if (tel.nclients == DPX_TELEMETRY_MAX_CLIENTS) {
		if (!tel.refusing)
			TEL_LOG(WARNING, "%d clients connected: refusing more until one leaves",
				DPX_TELEMETRY_MAX_CLIENTS);
		tel.refusing = true;
		close(fd);
		return;
	}
	getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &clen);
	c = &tel.clients[tel.nclients++];
	c->fd = fd;
	c->pid = cred.pid;
	greeting = telemetry_greeting(&len);
	if (greeting == NULL || client_send(c, greeting, len) != 0)
		client_drop(tel.nclients - 1);
	free(greeting);
}

static void
accept_clients(void)
{
	/* a bounded batch: a flood of connections must not keep the others waiting */
	for (unsigned int n = 0; n < 16; n++) {
		int fd = accept4(tel.listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd >= 0) {
			tel.accept_failed = false;
			client_add(fd);
			continue;
		}
		if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
			/* the pending connection stays readable: pause instead of spinning,
			 * and say so once, not at every round until fds are free */
			if (!tel.accept_failed)
				TEL_LOG(WARNING,
					"cannot accept a client: %s (retried until it works)",
					strerror(errno));
			tel.accept_failed = true;
			tel.accept_paused = true;
		}
		return;
	}
}

/* Read one request and answer it (revents: what poll said of the client).
 * @return 0, or -1 to drop the client. */
static int
client_serve(struct client *c, short revents)
{
	char req[DPX_TELEMETRY_MAX_REQUEST];
	size_t len;
	char *reply;

	/* MSG_TRUNC: the length of the whole message, even one longer than req */
	ssize_t n = recv(c->fd, req, sizeof(req), MSG_DONTWAIT | MSG_TRUNC);
	if (n < 0)
		return errno == EAGAIN || errno == EINTR ? 0 : -1;
	/* 0 bytes is an empty message, or the end once the client closed or shut
	 * down its side (a seqpacket peer's close sets both HUP and RDHUP) */
	if (n == 0 && (revents & (POLLHUP | POLLRDHUP)) != 0)
		return -1;
	reply = telemetry_reply(req, (size_t)n, &len);
	if (reply == NULL) {
		TEL_LOG(ERR, "no memory for a reply to client pid %d: dropped", (int)c->pid);
		return -1;
	}
	int rc = client_send(c, reply, len);
	free(reply);
	return rc;
}

static void *
telemetry_thread(void *arg)
{
	struct pollfd pfd[2 + DPX_TELEMETRY_MAX_CLIENTS];

	(void)arg;
	for (;;) {
		unsigned int n = tel.nclients;

		pfd[0] = (struct pollfd){.fd = tel.wake_fd, .events = POLLIN};
		pfd[1] = (struct pollfd){.fd = tel.accept_paused ? -1 : tel.listen_fd,
					 .events = POLLIN};
		for (unsigned int i = 0; i < n; i++)
			pfd[2 + i] = (struct pollfd){.fd = tel.clients[i].fd,
						     .events = POLLIN | POLLRDHUP};
		int rc = poll(pfd, 2 + n, tel.accept_paused ? 100 : -1);
		if (rc < 0 && errno != EINTR)
			TEL_LOG(ERR, "poll: %s", strerror(errno));
		if (pfd[0].revents != 0)
			return NULL;
		tel.accept_paused = false;
		/* backwards: dropping client i moves the last one into slot i */
		for (unsigned int i = n; i-- > 0;) {
			if (pfd[2 + i].revents == 0)
				continue;
			if ((pfd[2 + i].revents & POLLIN) == 0 ||
			    client_serve(&tel.clients[i], pfd[2 + i].revents) != 0)
				client_drop(i);
		}
		if (pfd[1].revents != 0)
			accept_clients();
	}
}

static int
listen_socket(const char *path)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0), rc;

	if (fd < 0)
		return -errno;
	strcpy(a.sun_path, path);
	/* the EAL holds the prefix lock: a file here was left by a dead process */
	unlink(path);
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 ||
	    listen(fd, DPX_TELEMETRY_MAX_CLIENTS) < 0) {
		rc = -errno;
		close(fd);
		unlink(path);
		return rc;
	}
	return fd;
}

static void
close_all(void)
{
	while (tel.nclients > 0)
		client_drop(tel.nclients - 1);
	if (tel.listen_fd >= 0) {
		close(tel.listen_fd);
		unlink(tel.path);
	}
	if (tel.wake_fd >= 0)
		close(tel.wake_fd);
	tel.listen_fd = tel.wake_fd = -1;
	tel.path[0] = '\0';
	tel.accept_failed = tel.accept_paused = false;
}

int
telemetry_start(const char *dir, const cpu_set_t *cpus)
{
	pthread_attr_t attr;
	int rc;

	if (tel.running)
		return -EALREADY;
	if ((size_t)snprintf(tel.path, sizeof(tel.path), "%s/%s", dir, TELEMETRY_SOCKET_NAME) >=
	    sizeof(tel.path)) {
		TEL_LOG(ERR, "socket path %s/%s is too long for a unix socket", dir,
			TELEMETRY_SOCKET_NAME);
		tel.path[0] = '\0';
		return -ENAMETOOLONG;
	}
	tel.wake_fd = eventfd(0, EFD_CLOEXEC);
	rc = tel.wake_fd < 0 ? -errno : listen_socket(tel.path);
	if (rc < 0) {
		TEL_LOG(ERR, "cannot open %s: %s", tel.path, strerror(-rc));
		close_all();
		return rc;
	}
	tel.listen_fd = rc;
	pthread_attr_init(&attr);
	if (cpus != NULL)
		pthread_attr_setaffinity_np(&attr, sizeof(*cpus), cpus);
	rc = -pthread_create(&tel.thread, &attr, telemetry_thread, NULL);
	pthread_attr_destroy(&attr);
	if (rc != 0) {
		TEL_LOG(ERR, "cannot start the telemetry thread: %s", strerror(-rc));
		close_all();
		return rc;
	}
	pthread_setname_np(tel.thread, "dpx-telemetry");
	__atomic_store_n(&tel.running, true, __ATOMIC_RELEASE);
	TEL_LOG(INFO, "listening on %s", tel.path);
	return 0;
}

void
telemetry_stop(void)
{
	uint64_t one = 1;

	if (!tel.running)
		return;
	if (write(tel.wake_fd, &one, sizeof(one)) != sizeof(one))
		TEL_LOG(ERR, "cannot wake the telemetry thread: %s", strerror(errno));
	pthread_join(tel.thread, NULL);
	__atomic_store_n(&tel.running, false, __ATOMIC_RELEASE);
	close_all();
}
