/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Telemetry internals: the reply builder's struct, the request handler (pure:
 * bytes in, JSON text out, tested without a socket) and the socket thread
 * the EAL starts and stops. Never installed.
 */
#ifndef TELEMETRY_PRIVATE_H
#define TELEMETRY_PRIVATE_H

#include <sched.h>
#include <stddef.h>

#include <jansson.h>

#include <dpx_log.h>

#include "dpx_telemetry.h"

extern int telemetry_logtype;
#define TEL_LOG(level, fmt, ...) DPX_LOG(level, telemetry_logtype, "telemetry: " fmt, ##__VA_ARGS__)

/* The socket's name in the runtime directory. */
#define TELEMETRY_SOCKET_NAME "dpx_telemetry.v2"

struct dpx_tel_data {
	json_t *json;		   /* NULL until the reply is started */
	struct dpx_tel_data *root; /* the reply this container belongs to (itself for a reply) */
	struct dpx_tel_data *next; /* on the reply: its containers, freed with it */
};

/* An empty reply (on the caller's stack). */
void telemetry_data_init(struct dpx_tel_data *reply);
/* Take the reply's JSON (NULL if never started) and free its containers. */
json_t *telemetry_data_take(struct dpx_tel_data *reply);

/*
 * Answer one request of len bytes (req holds at least
 * min(len, DPX_TELEMETRY_MAX_REQUEST) of them). Runs the handler.
 * @return the reply, one JSON object no longer than DPX_TELEMETRY_MAX_OUTPUT
 *   (malloc'ed, NUL-terminated, *reply_len bytes), or NULL when out of memory.
 */
char *telemetry_reply(const char *req, size_t len, size_t *reply_len);

/* The greeting a client gets on connect (the data of /info), as in telemetry_reply. */
char *telemetry_greeting(size_t *len);

/*
 * Open <dir>/dpx_telemetry.v2 and start the thread serving it, on the given
 * CPUs (those the process had before the EAL pinned its main thread).
 * @return 0, or -EALREADY (running), -ENAMETOOLONG, or the socket's or the
 *   thread's errno.
 */
int telemetry_start(const char *dir, const cpu_set_t *cpus);
/* Stop the thread, close every client, remove the socket file. Idempotent. */
void telemetry_stop(void);

#endif /* TELEMETRY_PRIVATE_H */
