/* SPDX-License-Identifier: BSD-3-Clause */
/* Logging: registration, levels by pattern, runtime changes, output filtering. */
#include <stdlib.h>

#include "dpx_test.h"

static int
test_eal_log_levels(void)
{
	char *buf = NULL;
	size_t len = 0;

	DPX_TEST_ASSERT(dpx_test_eal_init("--no-huge", "--in-memory", "--log-level=testcomp.*:debug",
					  "--log-level=2", NULL) > 0, "init");
	int a = dpx_log_register("testcomp.a");
	int b = dpx_log_register("othercomp");
	DPX_TEST_ASSERT(a >= 0 && b >= 0 && a != b, "");
	DPX_TEST_ASSERT_EQUAL(dpx_log_register("testcomp.a"), a, "idempotent");
	DPX_TEST_ASSERT_EQUAL(dpx_log_get_level(a), DPX_LOG_DEBUG, "pattern given at init");
	DPX_TEST_ASSERT_EQUAL(dpx_log_get_level(b), DPX_LOG_ALERT, "global level 2");

	FILE *f = open_memstream(&buf, &len);
	dpx_log_set_stream(f);
	DPX_LOG(DEBUG, a, "visible %d", 1);
	DPX_LOG(ERR, b, "hidden %d", 2);
	DPX_TEST_ASSERT_EQUAL(dpx_log_set_level(b, DPX_LOG_ERR), 0, "");
	DPX_LOG(ERR, b, "now visible %d", 3);
	DPX_TEST_ASSERT_EQUAL(dpx_log_set_level_pattern("testcomp.*", DPX_LOG_WARNING), 0, "");
	DPX_LOG(INFO, a, "hidden again %d", 4);
	dpx_log_set_stream(NULL);
	fclose(f);
	DPX_TEST_ASSERT(strcmp(buf, "visible 1\nnow visible 3\n") == 0, "log output was '%s'", buf);
	free(buf);

	/* a type registered later picks up an earlier pattern */
	int c = dpx_log_register("testcomp.late");
	DPX_TEST_ASSERT_EQUAL(dpx_log_get_level(c), DPX_LOG_WARNING, "");

	DPX_TEST_ASSERT_EQUAL(dpx_log_set_level(a, 9), -EINVAL, "");
	DPX_TEST_ASSERT_EQUAL(dpx_log_set_level(a, 0), -EINVAL, "");
	DPX_TEST_ASSERT_EQUAL(dpx_log_set_level(DPX_LOG_MAX_TYPES, 3), -EINVAL, "");
	DPX_TEST_ASSERT_EQUAL(dpx_log_get_level(-1), -EINVAL, "");
	DPX_TEST_ASSERT_EQUAL(dpx_log_register(""), -EINVAL, "");
	DPX_TEST_ASSERT_EQUAL(dpx_log_set_level_pattern("", 3), -EINVAL, "");
	DPX_TEST_ASSERT_EQUAL(dpx_log_parse_level("warning"), DPX_LOG_WARNING, "");
	DPX_TEST_ASSERT_EQUAL(dpx_log_parse_level("7"), DPX_LOG_INFO, "");
	DPX_TEST_ASSERT_EQUAL(dpx_log_parse_level("9"), -EINVAL, "");
	DPX_TEST_ASSERT_EQUAL(dpx_log_parse_level("loud"), -EINVAL, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eal_cleanup(), 0, "");
	return DPX_TEST_SUCCESS;
}
DPX_TEST_REGISTER(eal_log_levels, fast, test_eal_log_levels);
