/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Key/value device arguments: "key=value,key=value", as given after a device
 * name in `--vdev net_null0,size=128,copy=1`.
 *
 * Grammar: pairs separated by ','; each pair is `key=value` with a non-empty
 * key made of [A-Za-z0-9_] and a non-empty value without ','. An empty string
 * (or NULL) holds no pair. A key may repeat; drivers that allow one value only
 * check dpx_kvargs_count(). Every rejection logs one line (log type "kvargs")
 * naming the offending pair or key and sets dpx_errno.
 */
#ifndef DPX_KVARGS_H
#define DPX_KVARGS_H

#include <stdbool.h>
#include <stdint.h>

/** Longest accepted argument string (all pairs). */
#define DPX_KVARGS_MAX_LEN 4096
/** Most pairs in one string. */
#define DPX_KVARGS_MAX_PAIRS 64

/** Parsed list of pairs, in the order given. */
struct dpx_kvargs;

/**
 * Name what the calling thread's next parses and lookups are for (a device
 * name such as "net_null0"): error lines start with it instead of
 * "kvargs", so the one line a user sees names the device. NULL goes back to
 * "kvargs". Per thread; the caller keeps the string alive while it is set.
 */
void dpx_kvargs_set_owner(const char *name);

/**
 * Parse an argument string.
 * @param args        "key=value,..."; NULL or "" gives an empty list.
 * @param valid_keys  NULL-terminated list of accepted keys, or NULL to accept any key.
 * @return the list (free with dpx_kvargs_free), or NULL with dpx_errno:
 *   EINVAL  a malformed pair (no '=', empty key or value, a key with characters
 *           outside [A-Za-z0-9_], an empty pair as in "a=1,,b=2" or a trailing ',')
 *           or a key not in valid_keys, or a control character anywhere;
 *   E2BIG   longer than DPX_KVARGS_MAX_LEN or more than DPX_KVARGS_MAX_PAIRS pairs;
 *   ENOMEM  out of memory.
 */
struct dpx_kvargs *dpx_kvargs_parse(const char *args, const char *const valid_keys[]);

/**
 * @return the value of the first pair with this key, or NULL when the key is
 *   absent (or kv/key is NULL).
 */
const char *dpx_kvargs_get(const struct dpx_kvargs *kv, const char *key);

/** @return how many pairs have this key; with key NULL, how many pairs in all. */
unsigned int dpx_kvargs_count(const struct dpx_kvargs *kv, const char *key);

/**
 * Call handler(key, value, opaque) for each pair with this key (every pair if
 * key is NULL), in order; stops at the first non-zero return.
 * @return 0, -EINVAL when kv or handler is NULL, or the handler's non-zero return.
 */
int dpx_kvargs_process(const struct dpx_kvargs *kv, const char *key,
		       int (*handler)(const char *key, const char *value, void *opaque),
		       void *opaque);

/** Free a list from dpx_kvargs_parse (NULL is ignored). */
void dpx_kvargs_free(struct dpx_kvargs *kv);

/**
 * Parse an unsigned integer value (decimal, or hex with 0x) within [min, max].
 * @param key  used only in the log line.
 * @return 0 and *out set, or (one log line naming key, value and range):
 *   -EINVAL  not a number (empty, sign, trailing characters, NULL);
 *   -ERANGE  a number outside [min, max] or beyond 64 bits.
 */
int dpx_kvargs_parse_u64(const char *key, const char *value, uint64_t min, uint64_t max,
			 uint64_t *out);

/**
 * Parse a boolean value: 1/0, true/false, yes/no, on/off (lower case).
 * @return 0 and *out set, or -EINVAL (one log line naming key and value).
 */
int dpx_kvargs_parse_bool(const char *key, const char *value, bool *out);

/**
 * Look up an integer key: absent -> *out = def; given once -> parsed as by
 * dpx_kvargs_parse_u64.
 * @return 0, -EINVAL (bad number, or the key given more than once), -ERANGE.
 */
int dpx_kvargs_get_u64(const struct dpx_kvargs *kv, const char *key, uint64_t def, uint64_t min,
		       uint64_t max, uint64_t *out);

/**
 * Look up a boolean key: absent -> *out = def; given once -> parsed as by
 * dpx_kvargs_parse_bool.
 * @return 0, or -EINVAL (bad value, or the key given more than once).
 */
int dpx_kvargs_get_bool(const struct dpx_kvargs *kv, const char *key, bool def, bool *out);

/**
 * Look up a string key given at most once.
 * @return 0 with *out = the value or NULL when absent, or -EINVAL when the key
 *   is given more than once (one log line).
 */
int dpx_kvargs_get_str(const struct dpx_kvargs *kv, const char *key, const char **out);

#endif /* DPX_KVARGS_H */
