/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The README's demo command must stay true: run usertools/dpx-demo as a user
 * would (after the build dpx-setup made) and check what it shows: the EAL
 * report, the txonly capture, and two guests pinging each other through
 * dpx-fwd's vhost-user ports with the forwarder's totals.
 */
#include <stdlib.h>
#include <unistd.h>

#include "dpx_test.h"
#include "guest_helpers.h"

static int
test_demo_readme(void)
{
	char why[256], cmd[1024], out_path[128];
	static char out[1 << 17];

	if (dpx_test_guest_prepare(why, sizeof(why)) != 0)
		DPX_TEST_SKIP("%s", why);
	snprintf(out_path, sizeof(out_path), "/tmp/dpx-demo-test-%d.out", (int)getpid());
	snprintf(cmd, sizeof(cmd), "DPX_BUILD_DIR='%s' DPX_DEMO_PCAP=/tmp/dpx-demo-test-%d.pcap "
		 "exec '%s/usertools/dpx-demo' > %s 2>&1",
		 DPX_BUILD_ROOT, (int)getpid(), DPX_SOURCE_ROOT, out_path);
	pid_t pid = dpx_test_guest_spawn(cmd);
	DPX_TEST_ASSERT(pid > 0, "cannot start dpx-demo");
	int rc = dpx_test_guest_reap(pid, 400);
	DPX_TEST_ASSERT_EQUAL(dpx_test_guest_read_file(out_path, out, sizeof(out)), 0, "");
	printf("%s\n", out);
	unlink(out_path);
	snprintf(out_path, sizeof(out_path), "/tmp/dpx-demo-test-%d.pcap", (int)getpid());
	unlink(out_path);

	DPX_TEST_ASSERT_EQUAL(rc, 0, "dpx-demo exit status");
	DPX_TEST_ASSERT(strstr(out, "lcores:") != NULL, "dpx-info report");
	DPX_TEST_ASSERT(strstr(out, "udp sum ok") != NULL || strstr(out, "install tcpdump") != NULL,
			"the capture's packets shown");
	/* a guest exits 0 only when its pings were answered (dpx-demo checks that) */
	DPX_TEST_ASSERT(strstr(out, "[guest 1] 5 packets transmitted") != NULL, "guest 1's pings");
	DPX_TEST_ASSERT(strstr(out, "[guest 2] 5 packets transmitted") != NULL, "guest 2's pings");
	DPX_TEST_ASSERT(strstr(out, "pinged 10.0.0.2: exit 0") != NULL, "guest 1 got replies");
	DPX_TEST_ASSERT(strstr(out, "pinged 10.0.0.1: exit 0") != NULL, "guest 2 got replies");
	DPX_TEST_ASSERT(strstr(out, "Accumulated forward statistics") != NULL, "forwarder totals");
	DPX_TEST_ASSERT(strstr(out, "both guests reached each other through dpx-fwd") != NULL, "");
	return DPX_TEST_SUCCESS;
}
DPX_TEST_REGISTER(demo_readme, guest, test_demo_readme);
