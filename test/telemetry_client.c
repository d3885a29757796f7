/* SPDX-License-Identifier: BSD-3-Clause */
/* A telemetry client for tests: connect, query, read the JSON replies. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <dpx_telemetry.h>

#include "telemetry_client.h"

int
tel_client_connect(const char *path)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);

	snprintf(a.sun_path, sizeof(a.sun_path), "%s", path);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0) {
		int err = errno;

		close(fd);
		return -err;
	}
	return fd;
}

int
tel_client_connect_prefix(const char *prefix)
{
	const char *xdg = getenv("XDG_RUNTIME_DIR");
	char path[512];
	int fd;

	if (getuid() == 0)
		snprintf(path, sizeof(path), "/var/run/dpx/%s/dpx_telemetry.v2", prefix);
	else if (xdg != NULL && xdg[0] == '/')
		snprintf(path, sizeof(path), "%s/dpx/%s/dpx_telemetry.v2", xdg, prefix);
	else
		snprintf(path, sizeof(path), "/tmp/dpx-%u/%s/dpx_telemetry.v2", getuid(), prefix);
	fd = tel_client_connect(path);
	if (fd >= 0)
		json_decref(tel_client_recv_json(fd)); /* the greeting */
	return fd;
}

ssize_t
tel_client_recv(int fd, char *buf, size_t cap)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};

	if (poll(&p, 1, 10000) != 1)
		return -ETIMEDOUT;
	ssize_t n = recv(fd, buf, cap - 1, 0);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	return n;
}

json_t *
tel_client_recv_json(int fd)
{
	static char buf[DPX_TELEMETRY_MAX_OUTPUT + 1];
	ssize_t n = tel_client_recv(fd, buf, sizeof(buf));

	return n > 0 ? json_loadb(buf, (size_t)n, 0, NULL) : NULL;
}

json_t *
tel_client_query(int fd, const char *req, json_t **top)
{
	char cmd[DPX_TELEMETRY_MAX_CMD_LEN];

	*top = NULL;
	if (send(fd, req, strlen(req), MSG_NOSIGNAL) != (ssize_t)strlen(req))
		return NULL;
	*top = tel_client_recv_json(fd);
	snprintf(cmd, sizeof(cmd), "%.*s", (int)strcspn(req, ","), req);
	return *top != NULL ? json_object_get(*top, cmd) : NULL;
}

long long
jint(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);

	return json_is_integer(v) ? json_integer_value(v) : -1;
}

uint64_t
jhex(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s != NULL && strncmp(s, "0x", 2) == 0 ? strtoull(s, NULL, 16) : UINT64_MAX;
}

const char *
jstr(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s != NULL ? s : "(absent)";
}
