/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The command table and the request handler: bytes in, one JSON object out.
 * No I/O here (telemetry_socket.c moves the bytes), so tests drive it directly.
 */
#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <dpx_config.h>

#include "telemetry_private.h"

DPX_LOG_REGISTER(telemetry_logtype, "lib.telemetry");

struct tel_cmd {
	char name[DPX_TELEMETRY_MAX_CMD_LEN];
	char help[DPX_TELEMETRY_MAX_HELP_LEN];
	dpx_telemetry_cb fn;
};

/* Commands are only ever added, so a handler found under the lock stays valid after it. */
static pthread_mutex_t cmd_lock = PTHREAD_MUTEX_INITIALIZER;
static struct tel_cmd cmds[DPX_TELEMETRY_MAX_CMDS];
static unsigned int cmd_count;

static bool
name_valid(const char *s, size_t len)
{
	if (len < 1 || len >= DPX_TELEMETRY_MAX_CMD_LEN || s[0] != '/')
		return false;
	for (size_t i = 1; i < len; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '_' && s[i] != '/')
			return false;
	return true;
}

static int
register_locked(const char *cmd, dpx_telemetry_cb fn, const char *help)
{
	if (fn == NULL || help == NULL || strlen(help) >= DPX_TELEMETRY_MAX_HELP_LEN ||
	    !name_valid(cmd, strlen(cmd)))
		return -EINVAL;
	for (unsigned int i = 0; i < cmd_count; i++)
		if (strcmp(cmds[i].name, cmd) == 0)
			return -EEXIST;
	if (cmd_count == DPX_TELEMETRY_MAX_CMDS)
		return -ENOSPC;
	/* keep the table sorted: "/" lists it as is, and completion reads it in order */
	unsigned int at = cmd_count;
	while (at > 0 && strcmp(cmds[at - 1].name, cmd) > 0)
		at--;
	memmove(&cmds[at + 1], &cmds[at], (cmd_count - at) * sizeof(cmds[0]));
	snprintf(cmds[at].name, sizeof(cmds[at].name), "%s", cmd);
	snprintf(cmds[at].help, sizeof(cmds[at].help), "%s", help);
	cmds[at].fn = fn;
	cmd_count++;
	return 0;
}

int
dpx_telemetry_register_cmd(const char *cmd, dpx_telemetry_cb fn, const char *help)
{
	int rc;

	if (cmd == NULL)
		return -EINVAL;
	pthread_mutex_lock(&cmd_lock);
	rc = register_locked(cmd, fn, help);
	pthread_mutex_unlock(&cmd_lock);
	if (rc != 0)
		TEL_LOG(ERR, "command '%.80s' not registered: %s", cmd, strerror(-rc));
	return rc;
}

static dpx_telemetry_cb
cmd_find(const char *name)
{
	dpx_telemetry_cb fn = NULL;

	pthread_mutex_lock(&cmd_lock);
	for (unsigned int i = 0; i < cmd_count && fn == NULL; i++)
		if (strcmp(cmds[i].name, name) == 0)
			fn = cmds[i].fn;
	pthread_mutex_unlock(&cmd_lock);
	return fn;
}

int
dpx_telemetry_param_uint(const char *params, uint64_t max, uint64_t *value)
{
	char *end;

	if (params == NULL || !isdigit((unsigned char)params[0]))
		return -EINVAL;
	errno = 0;
	unsigned long long v = strtoull(params, &end, 10);
	if (errno != 0 || *end != '\0' || v > max)
		return -EINVAL;
	*value = v;
	return 0;
}

/* ---- the commands of the library itself ---- */

static int
tel_list(const char *cmd, const char *params, struct dpx_tel_data *d)
{
	int rc;

	(void)cmd, (void)params;
	rc = dpx_tel_data_start_array(d);
	pthread_mutex_lock(&cmd_lock);
	for (unsigned int i = 0; i < cmd_count && rc == 0; i++)
		rc = dpx_tel_data_add_array_string(d, cmds[i].name);
	pthread_mutex_unlock(&cmd_lock);
	return rc;
}

static int
tel_help(const char *cmd, const char *params, struct dpx_tel_data *d)
{
	int rc, found = 0;

	(void)cmd;
	rc = dpx_tel_data_start_dict(d);
	pthread_mutex_lock(&cmd_lock);
	for (unsigned int i = 0; i < cmd_count && rc == 0; i++) {
		if (params != NULL && strcmp(params, cmds[i].name) != 0)
			continue;
		rc = dpx_tel_data_add_dict_string(d, cmds[i].name, cmds[i].help);
		found++;
	}
	pthread_mutex_unlock(&cmd_lock);
	return rc != 0 ? rc : found == 0 ? -ENOENT : 0;
}

static int
info_fill(struct dpx_tel_data *d)
{
	int rc = dpx_tel_data_start_dict(d);

	if (rc == 0)
		rc = dpx_tel_data_add_dict_string(d, "version", "dpx " DPX_VERSION);
	if (rc == 0)
		rc = dpx_tel_data_add_dict_int(d, "pid", getpid());
	if (rc == 0)
		rc = dpx_tel_data_add_dict_int(d, "max_output_len", DPX_TELEMETRY_MAX_OUTPUT);
	return rc;
}

static int
tel_info(const char *cmd, const char *params, struct dpx_tel_data *d)
{
	(void)cmd, (void)params;
	return info_fill(d);
}

DPX_TELEMETRY_REGISTER("/", tel_list, "List the commands. No parameter");
DPX_TELEMETRY_REGISTER("/help", tel_help,
		       "Describe a command (parameter: the command), or every command");
DPX_TELEMETRY_REGISTER("/info", tel_info, "Version, pid and max_output_len (the greeting)");

/* ---- requests to replies ---- */

static char *
dump(json_t *obj, size_t *len)
{
	char *text = json_dumps(obj, JSON_COMPACT);

	json_decref(obj);
	if (text != NULL)
		*len = strlen(text);
	return text;
}

/* The reply to a request that failed: {cmd: null, "error": {...}} (cmd when it has a name). */
static char *
error_reply(const char *cmd, int err, const char *message, size_t *len)
{
	json_t *obj = json_object(), *e = json_object();
	/* ENOTSUP and EOPNOTSUPP are one number; dpx documents the first */
	const char *name = err == ENOTSUP ? "ENOTSUP" : strerrorname_np(err);

	json_object_set_new(e, "errno", json_integer(err));
	json_object_set_new(e, "name", json_string(name != NULL ? name : "?"));
	json_object_set_new(e, "message", json_string(message != NULL ? message : strerror(err)));
	if (cmd != NULL)
		json_object_set_new(obj, cmd, json_null());
	json_object_set_new(obj, "error", e);
	return dump(obj, len);
}

/* Run the handler; the reply is {cmd: data} unless it is too long. */
static char *
run(const char *cmd, dpx_telemetry_cb fn, const char *params, size_t *len)
{
	struct dpx_tel_data d;
	char why[96], *text;
	json_t *obj;
	int rc;

	telemetry_data_init(&d);
	rc = fn(cmd, params, &d);
	obj = telemetry_data_take(&d);
	if (rc < 0) {
		json_decref(obj);
		return error_reply(cmd, -rc, NULL, len);
	}
	json_t *top = json_object();
	json_object_set_new(top, cmd, obj != NULL ? obj : json_null());
	text = dump(top, len);
	if (text != NULL && *len > DPX_TELEMETRY_MAX_OUTPUT) {
		snprintf(why, sizeof(why), "reply of %zu bytes is longer than max_output_len %d",
			 *len, DPX_TELEMETRY_MAX_OUTPUT);
		free(text);
		return error_reply(cmd, EMSGSIZE, why, len);
	}
	return text;
}

char *
telemetry_reply(const char *req, size_t len, size_t *reply_len)
{
	char buf[DPX_TELEMETRY_MAX_REQUEST + 1], why[96];
	const char *params = NULL;
	dpx_telemetry_cb fn;

	if (len > DPX_TELEMETRY_MAX_REQUEST) {
		snprintf(why, sizeof(why), "request of %zu bytes is longer than %d", len,
			 DPX_TELEMETRY_MAX_REQUEST);
		return error_reply(NULL, EMSGSIZE, why, reply_len);
	}
	memcpy(buf, req, len);
	buf[len] = '\0';
	char *comma = strchr(buf, ',');
	if (comma != NULL) {
		*comma = '\0';
		params = comma[1] != '\0' ? comma + 1 : NULL;
	}
	if (strlen(buf) + (comma != NULL ? 1 + strlen(comma + 1) : 0) != len ||
	    !name_valid(buf, strlen(buf)))
		return error_reply(NULL, EINVAL,
				   "a request is /command or /command,params ('/' lists them)",
				   reply_len);
	fn = cmd_find(buf);
	if (fn == NULL)
		return error_reply(buf, ENOENT, "unknown command ('/' lists them)", reply_len);
	return run(buf, fn, params, reply_len);
}

char *
telemetry_greeting(size_t *len)
{
	struct dpx_tel_data d;
	json_t *obj;

	telemetry_data_init(&d);
	if (info_fill(&d) != 0) {
		json_decref(telemetry_data_take(&d));
		return NULL;
	}
	obj = telemetry_data_take(&d);
	return dump(obj, len);
}
