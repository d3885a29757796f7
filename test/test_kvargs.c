/* SPDX-License-Identifier: BSD-3-Clause */
/* kvargs: good and bad argument strings with exact errors; integer/boolean helpers. */
#include <dpx_kvargs.h>

#include "dpx_test.h"

static const char *const keys[] = {"size", "copy", "iface", "rx_pcap", NULL};

struct parse_case {
	const char *args;
	int err;             /* 0: accepted; else the dpx_errno */
	unsigned int pairs;  /* when accepted */
};

static const struct parse_case parse_cases[] = {
	{NULL, 0, 0},
	{"", 0, 0},
	{"size=64", 0, 1},
	{"size=64,copy=1", 0, 2},
	{"size=64,size=128", 0, 2},
	{"iface=tap0,rx_pcap=/tmp/a=b.pcap", 0, 2}, /* '=' inside a value is kept */
	{"size", EINVAL, 0},                       /* no '=' */
	{"=64", EINVAL, 0},                        /* empty key */
	{"iface=tap0\x1b[2J", EINVAL, 0},          /* a control character (terminal escape) */
	{"size=64\n,copy=1", EINVAL, 0},           /* a newline: would forge log lines */
	{"size=", EINVAL, 0},                      /* empty value */
	{"size=64,", EINVAL, 0},                   /* trailing comma: empty pair */
	{",size=64", EINVAL, 0},
	{"size=64,,copy=1", EINVAL, 0},
	{"bogus=1", EINVAL, 0},                    /* unknown key */
	{"size=64,bogus=1", EINVAL, 0},
	{"si ze=64", EINVAL, 0},                   /* bad key characters */
	{"size-x=1", EINVAL, 0},
};

static int
test_kvargs_parse_table(void)
{
	for (unsigned int i = 0; i < DPX_DIM(parse_cases); i++) {
		const struct parse_case *c = &parse_cases[i];
		dpx_errno = 0;
		struct dpx_kvargs *kv = dpx_kvargs_parse(c->args, keys);
		if (c->err == 0) {
			DPX_TEST_ASSERT(kv != NULL, "\"%s\" refused: %d", c->args, dpx_errno);
			DPX_TEST_ASSERT_EQUAL(dpx_kvargs_count(kv, NULL), c->pairs, "\"%s\"", c->args);
			dpx_kvargs_free(kv);
		} else {
			DPX_TEST_ASSERT(kv == NULL, "\"%s\" accepted", c->args);
			DPX_TEST_ASSERT_EQUAL(dpx_errno, c->err, "\"%s\"", c->args);
		}
	}
	/* NULL valid_keys accepts any well-formed key */
	struct dpx_kvargs *kv = dpx_kvargs_parse("anything=1,other=2", NULL);
	DPX_TEST_ASSERT(kv != NULL, "");
	DPX_TEST_ASSERT_EQUAL(dpx_kvargs_count(kv, NULL), 2, "");
	dpx_kvargs_free(kv);
	return DPX_TEST_SUCCESS;
}
DPX_TEST_REGISTER(kvargs_parse_table, fast, test_kvargs_parse_table);

static int
test_kvargs_limits(void)
{
	static char big[DPX_KVARGS_MAX_LEN + 16];
	size_t off = 0;

	/* 65 pairs: one more than allowed */
	for (int i = 0; i <= DPX_KVARGS_MAX_PAIRS; i++)
		off += (size_t)snprintf(big + off, sizeof(big) - off, "%ssize=%d", i ? "," : "", i);
	DPX_TEST_ASSERT(dpx_kvargs_parse(big, keys) == NULL, "");
	DPX_TEST_ASSERT_EQUAL(dpx_errno, E2BIG, "too many pairs");
	/* exactly 64 pairs are fine */
	*strrchr(big, ',') = '\0';
	struct dpx_kvargs *kv = dpx_kvargs_parse(big, keys);
	DPX_TEST_ASSERT(kv != NULL, "");
	DPX_TEST_ASSERT_EQUAL(dpx_kvargs_count(kv, "size"), DPX_KVARGS_MAX_PAIRS, "");
	dpx_kvargs_free(kv);
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	DPX_TEST_ASSERT(dpx_kvargs_parse(big, NULL) == NULL, "");
	DPX_TEST_ASSERT_EQUAL(dpx_errno, E2BIG, "too long");
	return DPX_TEST_SUCCESS;
}
DPX_TEST_REGISTER(kvargs_limits, fast, test_kvargs_limits);

static int
collect(const char *key, const char *value, void *opaque)
{
	char *out = opaque;

	strcat(out, key);
	strcat(out, ":");
	strcat(out, value);
	strcat(out, ";");
	return strcmp(value, "stop") == 0 ? -EINTR : 0;
}

static int
test_kvargs_get_process(void)
{
	char seen[128] = "";
	struct dpx_kvargs *kv = dpx_kvargs_parse("size=64,iface=tap0,size=128", keys);

	DPX_TEST_ASSERT(kv != NULL, "");
	DPX_TEST_ASSERT(strcmp(dpx_kvargs_get(kv, "size"), "64") == 0, "first value wins");
	DPX_TEST_ASSERT(dpx_kvargs_get(kv, "copy") == NULL, "");
	DPX_TEST_ASSERT_EQUAL(dpx_kvargs_count(kv, "size"), 2, "");
	DPX_TEST_ASSERT_EQUAL(dpx_kvargs_count(kv, "copy"), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_kvargs_process(kv, "size", collect, seen), 0, "");
	DPX_TEST_ASSERT(strcmp(seen, "size:64;size:128;") == 0, "got %s", seen);
	seen[0] = '\0';
	DPX_TEST_ASSERT_EQUAL(dpx_kvargs_process(kv, NULL, collect, seen), 0, "");
	DPX_TEST_ASSERT(strcmp(seen, "size:64;iface:tap0;size:128;") == 0, "got %s", seen);
	DPX_TEST_ASSERT_EQUAL(dpx_kvargs_process(kv, NULL, NULL, NULL), -EINVAL, "");
	DPX_TEST_ASSERT_EQUAL(dpx_kvargs_process(NULL, NULL, collect, seen), -EINVAL, "");
	/* once-only getters refuse a repeated key */
	uint64_t v;
	DPX_TEST_ASSERT_EQUAL(dpx_kvargs_get_u64(kv, "size", 1, 0, 1000, &v), -EINVAL, "twice");
	const char *s;
	DPX_TEST_ASSERT_EQUAL(dpx_kvargs_get_str(kv, "iface", &s), 0, "");
	DPX_TEST_ASSERT(strcmp(s, "tap0") == 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_kvargs_get_str(kv, "copy", &s), 0, "");
	DPX_TEST_ASSERT(s == NULL, "absent");
	dpx_kvargs_free(kv);

	kv = dpx_kvargs_parse("rx_pcap=stop,size=1", keys);
	seen[0] = '\0';
	DPX_TEST_ASSERT_EQUAL(dpx_kvargs_process(kv, NULL, collect, seen), -EINTR, "stops");
	DPX_TEST_ASSERT(strcmp(seen, "rx_pcap:stop;") == 0, "got %s", seen);
	dpx_kvargs_free(kv);
	dpx_kvargs_free(NULL);
	return DPX_TEST_SUCCESS;
}
DPX_TEST_REGISTER(kvargs_get_process, fast, test_kvargs_get_process);

struct u64_case {
	const char *value;
	uint64_t min, max;
	int rc;
	uint64_t expect;
};

static const struct u64_case u64_cases[] = {
	{"64", 0, 100, 0, 64},
	{"0", 0, 100, 0, 0},
	{"100", 0, 100, 0, 100},
	{"101", 0, 100, -ERANGE, 0},
	{"5", 10, 100, -ERANGE, 0},
	{"0x40", 0, 100, 0, 64},
	{"08", 0, 100, 0, 8}, /* decimal, not octal */
	{"18446744073709551615", 0, UINT64_MAX, 0, UINT64_MAX},
	{"18446744073709551616", 0, UINT64_MAX, -ERANGE, 0},
	{"-1", 0, 100, -EINVAL, 0},
	{"+1", 0, 100, -EINVAL, 0},
	{" 1", 0, 100, -EINVAL, 0},
	{"12abc", 0, 100, -EINVAL, 0},
	{"0x", 0, 100, -EINVAL, 0},
	{"0x0x5", 0, 100, -EINVAL, 0}, /* strtoull would take a second 0x prefix */
	{"0X0X5", 0, 100, -EINVAL, 0},
	{"0x 5", 0, 100, -EINVAL, 0},
	{"0x-5", 0, 100, -EINVAL, 0},
	{"0xFFFFFFFFFFFFFFFF", 0, UINT64_MAX, 0, UINT64_MAX},
	{"0x10000000000000000", 0, UINT64_MAX, -ERANGE, 0},
	{"abc", 0, 100, -EINVAL, 0},
	{"", 0, 100, -EINVAL, 0},
};

static int
test_kvargs_numbers(void)
{
	for (unsigned int i = 0; i < DPX_DIM(u64_cases); i++) {
		const struct u64_case *c = &u64_cases[i];
		uint64_t v = 12345;
		DPX_TEST_ASSERT_EQUAL(dpx_kvargs_parse_u64("k", c->value, c->min, c->max, &v), c->rc,
				      "\"%s\"", c->value);
		if (c->rc == 0)
			DPX_TEST_ASSERT(v == c->expect, "\"%s\" gave %" PRIu64, c->value, v);
		else
			DPX_TEST_ASSERT(v == 12345, "\"%s\": output untouched on error", c->value);
	}
	DPX_TEST_ASSERT_EQUAL(dpx_kvargs_parse_u64("k", NULL, 0, 1, NULL), -EINVAL, "");

	static const char *const t[] = {"1", "true", "yes", "on"};
	static const char *const f[] = {"0", "false", "no", "off"};
	bool b;
	for (unsigned int i = 0; i < DPX_DIM(t); i++) {
		DPX_TEST_ASSERT_EQUAL(dpx_kvargs_parse_bool("k", t[i], &b), 0, "%s", t[i]);
		DPX_TEST_ASSERT(b, "%s", t[i]);
		DPX_TEST_ASSERT_EQUAL(dpx_kvargs_parse_bool("k", f[i], &b), 0, "%s", f[i]);
		DPX_TEST_ASSERT(!b, "%s", f[i]);
	}
	DPX_TEST_ASSERT_EQUAL(dpx_kvargs_parse_bool("k", "2", &b), -EINVAL, "");
	DPX_TEST_ASSERT_EQUAL(dpx_kvargs_parse_bool("k", "TRUE", &b), -EINVAL, "");
	DPX_TEST_ASSERT_EQUAL(dpx_kvargs_parse_bool("k", "", &b), -EINVAL, "");

	struct dpx_kvargs *kv = dpx_kvargs_parse("size=9000,copy=maybe", keys);
	uint64_t v;
	DPX_TEST_ASSERT_EQUAL(dpx_kvargs_get_u64(kv, "size", 64, 60, 9000, &v), 0, "");
	DPX_TEST_ASSERT(v == 9000, "");
	DPX_TEST_ASSERT_EQUAL(dpx_kvargs_get_u64(kv, "size", 64, 60, 1500, &v), -ERANGE, "");
	DPX_TEST_ASSERT_EQUAL(dpx_kvargs_get_u64(kv, "iface", 64, 60, 1500, &v), 0, "absent");
	DPX_TEST_ASSERT(v == 64, "default");
	DPX_TEST_ASSERT_EQUAL(dpx_kvargs_get_bool(kv, "copy", false, &b), -EINVAL, "");
	DPX_TEST_ASSERT_EQUAL(dpx_kvargs_get_bool(kv, "rx_pcap", true, &b), 0, "");
	DPX_TEST_ASSERT(b, "default");
	dpx_kvargs_free(kv);
	return DPX_TEST_SUCCESS;
}
DPX_TEST_REGISTER(kvargs_numbers, fast, test_kvargs_numbers);
