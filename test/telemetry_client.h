/* SPDX-License-Identifier: BSD-3-Clause */
/* A telemetry client for tests (test_telemetry.c, test_soak.c), replies parsed with jansson. */
#ifndef TEST_TELEMETRY_CLIENT_H
#define TEST_TELEMETRY_CLIENT_H

#include <stdint.h>
#include <sys/types.h>

#include <jansson.h>

/* Connect to a telemetry socket. @return the fd or -errno. */
int tel_client_connect(const char *path);

/* Connect to the socket of the dpx process started with --file-prefix=prefix
 * (its runtime directory, as the EAL picks it) and read the greeting.
 * @return the fd or -errno. */
int tel_client_connect_prefix(const char *prefix);

/* One message, waiting up to 10 s (a hung server fails a case, it does not pass it).
 * @return its length, 0 when the server closed, -ETIMEDOUT or -errno. */
ssize_t tel_client_recv(int fd, char *buf, size_t cap);

/* One message parsed as JSON (the greeting, a reply); NULL when it is none. */
json_t *tel_client_recv_json(int fd);

/* Send req, parse the reply into *top (the caller json_decref()s it) and
 * return the value under the command (borrowed from *top), or NULL. */
json_t *tel_client_query(int fd, const char *req, json_t **top);

/* The integer under key, or -1 when absent or not an integer. */
long long jint(const json_t *o, const char *key);
/* The "0x..." string under key as a number, UINT64_MAX when absent. */
uint64_t jhex(const json_t *o, const char *key);
/* The string under key, "(absent)" when there is none. */
const char *jstr(const json_t *o, const char *key);

#endif /* TEST_TELEMETRY_CLIENT_H */
