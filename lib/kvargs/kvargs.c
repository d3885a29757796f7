/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * kvargs: a pure parser (no I/O but the one log line per rejection). The
 * string is copied once; pairs point into the copy with ',' and '=' replaced
 * by NULs, so a parsed list is one copy plus one array.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <dpx_common.h>
#include <dpx_errno.h>
#include <dpx_log.h>

#include "dpx_kvargs.h"

DPX_LOG_REGISTER(kvargs_logtype, "lib.kvargs");
/* whose arguments this thread parses (dpx_kvargs_set_owner): the messages start with it */
static __thread const char *kv_owner;
#define KV_LOG(level, fmt, ...)                                                            \
	DPX_LOG(level, kvargs_logtype, "%s: " fmt, kv_owner != NULL ? kv_owner : "kvargs", \
		##__VA_ARGS__)

void
dpx_kvargs_set_owner(const char *name)
{
	kv_owner = name;
}

struct kvpair {
	const char *key;
	const char *value;
};

struct dpx_kvargs {
	char *copy;
	unsigned int count;
	struct kvpair pairs[];
};

static int
key_is_valid(const char *key)
{
	if (*key == '\0')
		return 0;
	for (; *key != '\0'; key++)
		if (!isalnum((unsigned char)*key) && *key != '_')
			return 0;
	return 1;
}

static int
key_is_accepted(const char *key, const char *const valid_keys[])
{
	if (valid_keys == NULL)
		return 1;
	for (unsigned int i = 0; valid_keys[i] != NULL; i++)
		if (strcmp(valid_keys[i], key) == 0)
			return 1;
	return 0;
}

/* Split one pair in place. Returns 0 or -EINVAL after logging. */
static int
split_pair(char *pair, const char *args, struct kvpair *out)
{
	char *eq = strchr(pair, '=');

	if (*pair == '\0') {
		KV_LOG(ERR, "empty pair in \"%s\"", args);
		return -EINVAL;
	}
	if (eq == NULL) {
		KV_LOG(ERR, "\"%s\" is not key=value (in \"%s\")", pair, args);
		return -EINVAL;
	}
	*eq = '\0';
	if (!key_is_valid(pair) || eq[1] == '\0') {
		KV_LOG(ERR, "\"%s=%s\": %s (in \"%s\")", pair, eq + 1,
		       eq[1] == '\0' ? "empty value" : "key must be [A-Za-z0-9_]+", args);
		return -EINVAL;
	}
	out->key = pair;
	out->value = eq + 1;
	return 0;
}

static unsigned int
count_pairs(const char *s)
{
	unsigned int n = 1;

	for (; *s != '\0'; s++)
		n += *s == ',';
	return n;
}

static int
fill_pairs(struct dpx_kvargs *kv, const char *args, const char *const valid_keys[])
{
	char *p = kv->copy;

	for (unsigned int i = 0; i < kv->count; i++) {
		char *comma = strchr(p, ',');
		if (comma != NULL)
			*comma = '\0';
		int rc = split_pair(p, args, &kv->pairs[i]);
		if (rc != 0)
			return rc;
		if (!key_is_accepted(kv->pairs[i].key, valid_keys)) {
			char keys[256] = "";

			for (unsigned int k = 0; valid_keys[k] != NULL; k++)
				snprintf(keys + strlen(keys), sizeof(keys) - strlen(keys), "%s%s",
					 k ? ", " : "", valid_keys[k]);
			KV_LOG(ERR, "unknown key \"%s\" (in \"%s\"); %s%s", kv->pairs[i].key, args,
			       keys[0] ? "valid keys: " : "no key is accepted", keys);
			return -EINVAL;
		}
		p = comma != NULL ? comma + 1 : p + strlen(p);
	}
	return 0;
}

struct dpx_kvargs *
dpx_kvargs_parse(const char *args, const char *const valid_keys[])
{
	struct dpx_kvargs *kv;
	unsigned int n = 0;
	size_t len = args != NULL ? strnlen(args, DPX_KVARGS_MAX_LEN + 1) : 0;

	if (len > DPX_KVARGS_MAX_LEN) {
		KV_LOG(ERR, "argument string longer than %d characters", DPX_KVARGS_MAX_LEN);
		dpx_errno = E2BIG;
		return NULL;
	}
	/* refused before anything quotes the string, so every log line below prints
	 * only what a terminal shows as written (no escape sequences from a caller) */
	for (size_t i = 0; i < len; i++) {
		if (iscntrl((unsigned char)args[i])) {
			KV_LOG(ERR, "control character 0x%02x at offset %zu of the argument string",
			       (unsigned char)args[i], i);
			dpx_errno = EINVAL;
			return NULL;
		}
	}
	if (len > 0)
		n = count_pairs(args);
	if (n > DPX_KVARGS_MAX_PAIRS) {
		KV_LOG(ERR, "%u pairs in \"%s\", at most %d", n, args, DPX_KVARGS_MAX_PAIRS);
		dpx_errno = E2BIG;
		return NULL;
	}
	kv = calloc(1, sizeof(*kv) + n * sizeof(kv->pairs[0]));
	if (kv == NULL || (kv->copy = strndup(len > 0 ? args : "", len)) == NULL) {
		free(kv);
		dpx_errno = ENOMEM;
		return NULL;
	}
	kv->count = n;
	int rc = fill_pairs(kv, args, valid_keys);
	if (rc != 0) {
		dpx_kvargs_free(kv);
		dpx_errno = -rc;
		return NULL;
	}
	return kv;
}

void
dpx_kvargs_free(struct dpx_kvargs *kv)
{
	if (kv == NULL)
		return;
	free(kv->copy);
	free(kv);
}

const char *
dpx_kvargs_get(const struct dpx_kvargs *kv, const char *key)
{
	if (kv == NULL || key == NULL)
		return NULL;
	for (unsigned int i = 0; i < kv->count; i++)
		if (strcmp(kv->pairs[i].key, key) == 0)
			return kv->pairs[i].value;
	return NULL;
}

unsigned int
dpx_kvargs_count(const struct dpx_kvargs *kv, const char *key)
{
	unsigned int n = 0;

	if (kv == NULL)
		return 0;
	if (key == NULL)
		return kv->count;
	for (unsigned int i = 0; i < kv->count; i++)
		n += strcmp(kv->pairs[i].key, key) == 0;
	return n;
}

int
dpx_kvargs_process(const struct dpx_kvargs *kv, const char *key,
		   int (*handler)(const char *key, const char *value, void *opaque), void *opaque)
{
	if (kv == NULL || handler == NULL)
		return -EINVAL;
	for (unsigned int i = 0; i < kv->count; i++) {
		if (key != NULL && strcmp(kv->pairs[i].key, key) != 0)
			continue;
		int rc = handler(kv->pairs[i].key, kv->pairs[i].value, opaque);
		if (rc != 0)
			return rc;
	}
	return 0;
}

int
dpx_kvargs_parse_u64(const char *key, const char *value, uint64_t min, uint64_t max,
		     uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (value == NULL || out == NULL || !isdigit((unsigned char)value[0])) {
		KV_LOG(ERR, "%s=%s: not an unsigned number", key, value != NULL ? value : "(null)");
		return -EINVAL;
	}
	/* decimal, or hex after 0x; never octal: "08" is eight. Every character
	 * after the prefix must be a digit of the base: strtoull alone would
	 * also take spaces, a sign, or a second "0x" ("0x0x5"). */
	int hex = value[0] == '0' && (value[1] == 'x' || value[1] == 'X');
	const char *digits = value + (hex ? 2 : 0);
	size_t ndigits = strspn(digits, hex ? "0123456789abcdefABCDEF" : "0123456789");
	errno = 0;
	v = strtoull(digits, &end, hex ? 16 : 10);
	if (ndigits == 0 || digits[ndigits] != '\0' || *end != '\0') {
		KV_LOG(ERR, "%s=%s: not an unsigned number", key, value);
		return -EINVAL;
	}
	if (errno == ERANGE || v < min || v > max) {
		KV_LOG(ERR, "%s=%s: out of range %" PRIu64 "..%" PRIu64, key, value, min, max);
		return -ERANGE;
	}
	*out = v;
	return 0;
}

int
dpx_kvargs_parse_bool(const char *key, const char *value, bool *out)
{
	static const char *const yes[] = {"1", "true", "yes", "on"};
	static const char *const no[] = {"0", "false", "no", "off"};

	for (unsigned int i = 0; value != NULL && out != NULL && i < DPX_DIM(yes); i++) {
		if (strcmp(value, yes[i]) == 0 || strcmp(value, no[i]) == 0) {
			*out = strcmp(value, yes[i]) == 0;
			return 0;
		}
	}
	KV_LOG(ERR, "%s=%s: not a boolean (0/1, true/false, yes/no, on/off)", key,
	       value != NULL ? value : "(null)");
	return -EINVAL;
}

static int
check_once(const struct dpx_kvargs *kv, const char *key)
{
	unsigned int n = dpx_kvargs_count(kv, key);

	if (n > 1) {
		KV_LOG(ERR, "key \"%s\" given %u times, at most once", key, n);
		return -EINVAL;
	}
	return (int)n;
}

int
dpx_kvargs_get_u64(const struct dpx_kvargs *kv, const char *key, uint64_t def, uint64_t min,
		   uint64_t max, uint64_t *out)
{
	int n = check_once(kv, key);

	if (n <= 0) {
		if (n == 0 && out != NULL)
			*out = def;
		return n < 0 ? n : (out == NULL ? -EINVAL : 0);
	}
	return dpx_kvargs_parse_u64(key, dpx_kvargs_get(kv, key), min, max, out);
}

int
dpx_kvargs_get_bool(const struct dpx_kvargs *kv, const char *key, bool def, bool *out)
{
	int n = check_once(kv, key);

	if (n <= 0) {
		if (n == 0 && out != NULL)
			*out = def;
		return n < 0 ? n : (out == NULL ? -EINVAL : 0);
	}
	return dpx_kvargs_parse_bool(key, dpx_kvargs_get(kv, key), out);
}

int
dpx_kvargs_get_str(const struct dpx_kvargs *kv, const char *key, const char **out)
{
	int n = check_once(kv, key);

	if (n < 0)
		return n;
	if (out == NULL)
		return -EINVAL;
	*out = dpx_kvargs_get(kv, key);
	return 0;
}
