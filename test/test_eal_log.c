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

DPX_LOG_REGISTER_STATIC(test_static_logtype, "test.static");

/*
 * A program setting a level at runtime again and again (a CLI, telemetry)
 * never fills the pattern table; the latest setting wins for types registered
 * later; the static registration variant works like the global one.
 */
static int
test_eal_log_patterns_repeat(void)
{
	DPX_TEST_ASSERT(test_static_logtype >= 0, "registered at load time");
	DPX_TEST_ASSERT_EQUAL(dpx_log_register("test.static"), test_static_logtype, "");
	for (int i = 0; i < 500; i++) {
		int rc = dpx_log_set_level_pattern("rep.*", i % 2 ? DPX_LOG_DEBUG : DPX_LOG_INFO);
		DPX_TEST_ASSERT_EQUAL(rc, 0, "call %d", i);
	}
	DPX_TEST_ASSERT_EQUAL(dpx_log_set_level_pattern("rep.x", DPX_LOG_ERR), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_log_set_level_pattern("rep.*", DPX_LOG_WARNING), 0, "");
	int t = dpx_log_register("rep.x");
	DPX_TEST_ASSERT(t >= 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_log_get_level(t), DPX_LOG_WARNING, "latest matching setting");
	DPX_TEST_ASSERT_EQUAL(dpx_log_set_level_pattern("rep.x", DPX_LOG_ERR), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_log_get_level(dpx_log_register("rep.x")), DPX_LOG_ERR, "");
	char big[200];
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	DPX_TEST_ASSERT_EQUAL(dpx_log_set_level_pattern(big, DPX_LOG_ERR), -EINVAL, "too long");
	/* distinct patterns still fill the table, with the documented error */
	int rc = 0;
	for (int i = 0; i < 100 && rc == 0; i++) {
		char pat[32];
		snprintf(pat, sizeof(pat), "fill%d.*", i);
		rc = dpx_log_set_level_pattern(pat, DPX_LOG_ERR);
	}
	DPX_TEST_ASSERT_EQUAL(rc, -ENOSPC, "");
	return DPX_TEST_SUCCESS;
}
DPX_TEST_REGISTER(eal_log_patterns_repeat, fast, test_eal_log_patterns_repeat);

/* DPDK's names and both pattern forms work on the types dpx registers. */
static int
test_eal_log_dpdk_names(void)
{
	static const char *const names[] = {"lib.eal",		"lib.malloc",	  "lib.memory",
					    "lib.ethdev",	"lib.mbuf",	  "lib.mempool",
					    "lib.ring",		"lib.kvargs",	  "lib.vfio",
					    "lib.vhost.config", "lib.vhost.data", "pmd.net.vhost",
					    "pmd.net.null",	"pmd.net.ring",	  "pmd.net.tap",
					    "pmd.net.pcap",	"bus.vdev"};
	int ids[DPX_DIM(names)];
	char *text = NULL;
	size_t size = 0;
	FILE *f;

	DPX_TEST_ASSERT(dpx_test_eal_init("--no-huge", "--in-memory",
					  "--log-level=lib.vhost.*:debug",
					  "--log-level=pmd\\.net\\..*,info", NULL) > 0,
			"init");
	for (size_t i = 0; i < DPX_DIM(names); i++) {
		f = open_memstream(&text, &size);
		DPX_TEST_ASSERT(f != NULL, "");
		dpx_log_dump(f);
		fclose(f);
		char want[80];

		snprintf(want, sizeof(want), ": %s, level ", names[i]);
		DPX_TEST_ASSERT(strstr(text, want) != NULL, "no log type %s", names[i]);
		free(text);
		ids[i] = dpx_log_register(names[i]);
	}
	DPX_TEST_ASSERT_EQUAL(dpx_log_get_level(ids[9]), DPX_LOG_DEBUG, "lib.vhost.* glob");
	DPX_TEST_ASSERT_EQUAL(dpx_log_get_level(ids[10]), DPX_LOG_DEBUG, "");
	DPX_TEST_ASSERT_EQUAL(dpx_log_get_level(ids[11]), DPX_LOG_INFO, "pmd\\.net\\..* regex");
	DPX_TEST_ASSERT_EQUAL(dpx_log_get_level(ids[16]), DPX_LOG_NOTICE, "bus.vdev untouched");
	/* a regex matches anywhere, as DPDK's */
	DPX_TEST_ASSERT_EQUAL(dpx_log_set_level_regexp("vhost", DPX_LOG_ERR), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_log_get_level(ids[9]), DPX_LOG_ERR, "");
	DPX_TEST_ASSERT_EQUAL(dpx_log_get_level(ids[11]), DPX_LOG_ERR, "pmd.net.vhost too");
	DPX_TEST_ASSERT_EQUAL(dpx_log_get_level(ids[12]), DPX_LOG_INFO, "");
	DPX_TEST_ASSERT_EQUAL(dpx_log_set_level_regexp("a[", DPX_LOG_ERR), -EINVAL, "");
	int late = dpx_log_register("pmd.net.late");
	DPX_TEST_ASSERT_EQUAL(dpx_log_get_level(late), DPX_LOG_INFO, "later types get the regex");
	DPX_TEST_ASSERT_EQUAL(dpx_eal_cleanup(), 0, "");
	return DPX_TEST_SUCCESS;
}
DPX_TEST_REGISTER(eal_log_dpdk_names, fast, test_eal_log_dpdk_names);

/* A pattern that matches no type is said at init, once, with where to look. */
static int
test_eal_log_unmatched_warning(void)
{
	char *text = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&text, &size);

	DPX_TEST_ASSERT(f != NULL, "");
	dpx_log_set_stream(f);
	int rc = dpx_test_eal_init("--no-huge", "--in-memory", "--log-level=vhost:debug",
				   "--log-level=lib.eal:debug", "--log-level=nosuch\\.,8", NULL);
	dpx_log_set_stream(NULL);
	fclose(f);
	DPX_TEST_ASSERT(rc > 0, "init");
	DPX_TEST_ASSERT(strstr(text, "EAL: --log-level=vhost:8 matches no log type; "
				     "--log-level=help lists them") != NULL,
			"%s", text);
	DPX_TEST_ASSERT(strstr(text, "EAL: --log-level=nosuch\\.,8 matches no log type") != NULL,
			"%s", text);
	DPX_TEST_ASSERT(strstr(text, "--log-level=lib.eal") == NULL, "lib.eal exists: %s", text);
	free(text);
	DPX_TEST_ASSERT_EQUAL(dpx_eal_cleanup(), 0, "");
	return DPX_TEST_SUCCESS;
}
DPX_TEST_REGISTER(eal_log_unmatched_warning, fast, test_eal_log_unmatched_warning);
