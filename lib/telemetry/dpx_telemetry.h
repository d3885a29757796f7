/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Telemetry: a running process answers JSON queries on a unix socket.
 *
 * The socket is `<runtime dir>/dpx_telemetry.v2`, a SOCK_SEQPACKET socket
 * shaped like DPDK's telemetry v2: on connect the process sends a greeting
 * `{"version": "dpx 0.1.0", "pid": 1234, "max_output_len": 65536}`; each
 * message the client sends is one request `/command` or `/command,params`,
 * and gets exactly one JSON reply `{"/command": <data>}`. A request that
 * fails (unknown command, bad parameters, a reply longer than
 * max_output_len, a request longer than DPX_TELEMETRY_MAX_REQUEST) gets
 * `{"/command": null, "error": {"errno": 19, "name": "ENODEV", "message":
 * "..."}}`. `/` lists the commands, `/help,/command` describes one, `/info`
 * repeats the greeting. The EAL starts the socket unless `--no-telemetry`
 * (or `--in-memory`, which leaves no files) is given.
 *
 * Components register their own commands, usually with one line at file
 * scope:
 *
 *     DPX_TELEMETRY_REGISTER("/ethdev/stats", ethdev_tel_stats,
 *                            "Port statistics. Parameter: port id");
 *
 * A handler runs on the telemetry thread, concurrently with the
 * application: it takes the locks its component's getters take. It fills
 * the reply through the dpx_tel_data calls below (JSON is built with
 * jansson) and returns 0, or a negative errno that becomes the reply's error.
 */
#ifndef DPX_TELEMETRY_H
#define DPX_TELEMETRY_H

#include <stdbool.h>
#include <stdint.h>

/** Longest command name, the terminating NUL included. */
#define DPX_TELEMETRY_MAX_CMD_LEN 64
/** Longest help text, the terminating NUL included. */
#define DPX_TELEMETRY_MAX_HELP_LEN 256
/** Most commands a process can register. */
#define DPX_TELEMETRY_MAX_CMDS 128
/** Longest request a client may send (command, comma and parameters). */
#define DPX_TELEMETRY_MAX_REQUEST 1024
/** Longest reply: larger replies are replaced by an EMSGSIZE error. */
#define DPX_TELEMETRY_MAX_OUTPUT 65536
/** Most clients connected at once; more are refused (accepted and closed). */
#define DPX_TELEMETRY_MAX_CLIENTS 64

/** A reply being built, or a container (dict or array) inside one. */
struct dpx_tel_data;

/**
 * A command handler.
 * @param cmd     the command as requested ("/ethdev/stats")
 * @param params  what followed the first comma, or NULL when there was none
 * @param d       the reply: start it as a dict, an array or a string
 * @return 0, or a negative errno reported to the client in the error object
 */
typedef int (*dpx_telemetry_cb)(const char *cmd, const char *params, struct dpx_tel_data *d);

/**
 * Register a command. Safe from a constructor (before dpx_eal_init) and at
 * any time after; the name and help are copied.
 * @param cmd   "/" then letters, digits, '_' and '/', shorter than
 *              DPX_TELEMETRY_MAX_CMD_LEN
 * @param fn    the handler
 * @param help  one line shown by /help, shorter than DPX_TELEMETRY_MAX_HELP_LEN
 * @return 0, or -EINVAL (bad name, NULL fn or help, help too long), -EEXIST
 *   (a command of that name exists), -ENOSPC (DPX_TELEMETRY_MAX_CMDS reached).
 */
int dpx_telemetry_register_cmd(const char *cmd, dpx_telemetry_cb fn, const char *help);

/** Register a command at load time (a constructor); failures are logged. */
#define DPX_TELEMETRY_REGISTER(cmd, fn, help)                                                      \
	__attribute__((constructor)) static void dpx_telemetry_register_##fn(void)                \
	{                                                                                          \
		dpx_telemetry_register_cmd(cmd, fn, help);                                         \
	}

/**
 * @return the path of this process's telemetry socket, or "" when no socket
 *   is open (before dpx_eal_init, with --no-telemetry or --in-memory).
 */
const char *dpx_telemetry_socket_path(void);

/**
 * Parse a handler's parameter as one decimal number, for the commands that
 * take an id ("/ethdev/stats,0").
 * @return 0 and *value, or -EINVAL (no parameter, not a plain decimal
 *   number, above max).
 */
int dpx_telemetry_param_uint(const char *params, uint64_t max, uint64_t *value);

/*
 * Building the reply. The reply handed to a handler is empty: it becomes a
 * dict, an array or a string with one of the three "start" calls. A
 * container added inside another is returned through *child and lives as
 * long as the reply (the handler frees nothing). Every call returns 0 or
 * -EINVAL: wrong kind of container (a dict call on an array, a second
 * start), a NULL or empty name, a name or string that is not UTF-8;
 * -ERANGE: an unsigned value above INT64_MAX (JSON integers are signed here,
 * use the _hex call for masks and addresses); -EEXIST: the dict already has
 * that name; -ENOMEM.
 */

/** Make the reply a dict (JSON object). */
int dpx_tel_data_start_dict(struct dpx_tel_data *d);
/** Make the reply an array. */
int dpx_tel_data_start_array(struct dpx_tel_data *d);
/** Make the reply a string. */
int dpx_tel_data_string(struct dpx_tel_data *d, const char *s);

/** Add name: "s" to a dict. */
int dpx_tel_data_add_dict_string(struct dpx_tel_data *d, const char *name, const char *s);
/** Add name: value to a dict. */
int dpx_tel_data_add_dict_int(struct dpx_tel_data *d, const char *name, int64_t value);
/** Add name: value to a dict (-ERANGE above INT64_MAX). */
int dpx_tel_data_add_dict_uint(struct dpx_tel_data *d, const char *name, uint64_t value);
/** A named counter, for dpx_tel_data_add_dict_uints. */
struct dpx_tel_uint {
	const char *name;
	uint64_t value;
};
/** Add each name: value of a table to a dict, stopping at the first error. */
int dpx_tel_data_add_dict_uints(struct dpx_tel_data *d, const struct dpx_tel_uint *fields,
				unsigned int n);
/** Add name: "0x..." (lower-case hex) to a dict: masks, addresses. */
int dpx_tel_data_add_dict_uint_hex(struct dpx_tel_data *d, const char *name, uint64_t value);
/** Add name: true/false to a dict. */
int dpx_tel_data_add_dict_bool(struct dpx_tel_data *d, const char *name, bool value);
/** Add name: {} to a dict; *child is the new dict. */
int dpx_tel_data_add_dict_dict(struct dpx_tel_data *d, const char *name,
			       struct dpx_tel_data **child);
/** Add name: [] to a dict; *child is the new array. */
int dpx_tel_data_add_dict_array(struct dpx_tel_data *d, const char *name,
				struct dpx_tel_data **child);

/** Append "s" to an array. */
int dpx_tel_data_add_array_string(struct dpx_tel_data *d, const char *s);
/** Append value to an array. */
int dpx_tel_data_add_array_int(struct dpx_tel_data *d, int64_t value);
/** Append value to an array (-ERANGE above INT64_MAX). */
int dpx_tel_data_add_array_uint(struct dpx_tel_data *d, uint64_t value);
/** Append {} to an array; *child is the new dict. */
int dpx_tel_data_add_array_dict(struct dpx_tel_data *d, struct dpx_tel_data **child);

#endif /* DPX_TELEMETRY_H */
