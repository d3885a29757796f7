/* SPDX-License-Identifier: BSD-3-Clause */
/* EAL named-object lists (dpx_named.h): name rules, duplicates, lookup, remove, walk. */
#include <errno.h>

#include <dpx_named.h>

#include "dpx_test.h"

struct seen {
	unsigned int n;
	char names[4][8];
	void *objs[4];
};

static void
record(const char *name, void *obj, void *arg)
{
	struct seen *s = arg;

	if (s->n < 4) {
		snprintf(s->names[s->n], sizeof(s->names[0]), "%s", name);
		s->objs[s->n] = obj;
	}
	s->n++;
}

static int
test_eal_named_list(void)
{
	static struct dpx_named_list l = DPX_NAMED_LIST_INITIALIZER(4); /* names of 1-3 chars */
	int a, b, c;
	void *obj = &c;
	struct seen s = { 0 };

	/* name rules, without the list */
	DPX_TEST_ASSERT_EQUAL(dpx_named_check(&l, NULL), -EINVAL, "");
	DPX_TEST_ASSERT_EQUAL(dpx_named_check(&l, ""), -EINVAL, "");
	DPX_TEST_ASSERT_EQUAL(dpx_named_check(&l, "abcd"), -ENAMETOOLONG, "");
	DPX_TEST_ASSERT_EQUAL(dpx_named_check(&l, "abc"), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_named_add(&l, "abcd", &a), -ENAMETOOLONG, "");
	DPX_TEST_ASSERT_EQUAL(dpx_named_add(&l, "", &a), -EINVAL, "");
	DPX_TEST_ASSERT_EQUAL(dpx_named_add(&l, "a", NULL), -EINVAL, "no object");

	/* add, duplicates, lookup by exact name */
	DPX_TEST_ASSERT_EQUAL(dpx_named_add(&l, "a", &a), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_named_add(&l, "abc", &b), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_named_add(&l, "a", &c), -EEXIST, "");
	DPX_TEST_ASSERT_EQUAL(dpx_named_lookup(&l, "a", &obj), 0, "");
	DPX_TEST_ASSERT(obj == &a, "");
	DPX_TEST_ASSERT_EQUAL(dpx_named_lookup(&l, "ab", &obj), -ENOENT, "prefix is no match");
	DPX_TEST_ASSERT(obj == &a, "untouched on error");
	DPX_TEST_ASSERT_EQUAL(dpx_named_lookup(&l, NULL, &obj), -EINVAL, "");

	/* walk: newest first, every pair once */
	dpx_named_walk(&l, record, &s);
	DPX_TEST_ASSERT_EQUAL(s.n, 2, "");
	DPX_TEST_ASSERT(strcmp(s.names[0], "abc") == 0 && s.objs[0] == &b, "");
	DPX_TEST_ASSERT(strcmp(s.names[1], "a") == 0 && s.objs[1] == &a, "");

	/* remove by identity; the name is free again */
	DPX_TEST_ASSERT_EQUAL(dpx_named_remove(&l, &c), -ENOENT, "never added");
	DPX_TEST_ASSERT_EQUAL(dpx_named_remove(&l, &a), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_named_remove(&l, &a), -ENOENT, "removed once");
	DPX_TEST_ASSERT_EQUAL(dpx_named_lookup(&l, "a", &obj), -ENOENT, "");
	DPX_TEST_ASSERT_EQUAL(dpx_named_add(&l, "a", &c), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_named_lookup(&l, "a", &obj), 0, "");
	DPX_TEST_ASSERT(obj == &c, "");
	DPX_TEST_ASSERT_EQUAL(dpx_named_remove(&l, &b), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_named_remove(&l, &c), 0, "");
	s.n = 0;
	dpx_named_walk(&l, record, &s);
	DPX_TEST_ASSERT_EQUAL(s.n, 0, "empty: nodes freed (ASan checks no leak)");
	return DPX_TEST_SUCCESS;
}
DPX_TEST_REGISTER(eal_named_list, fast, test_eal_named_list);
