/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The README's demo command must stay true: run usertools/dpx-demo as a user
 * would (after the build dpx-setup made) and check what it shows: the EAL
 * report, the txonly capture, and two guests pinging each other through
 * dpx-fwd's vhost-user ports with the forwarder's totals. It runs with the
 * PATH of the demo's package set (usertools/dpx-setup path demo) and builds
 * its guest afresh, so a command the demo calls that the set does not
 * install fails here, as on a fresh machine.
 */
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dpx_test.h"
#include "guest_helpers.h"

static int
test_demo_readme(void)
{
	char why[256], cmd[2048], out_path[128];
	static char out[1 << 17];

	if (dpx_test_guest_prepare(why, sizeof(why)) != 0)
		DPX_TEST_SKIP("%s", why);
	snprintf(out_path, sizeof(out_path), "/tmp/dpx-demo-test-%d.out", (int)getpid());
	/* the guest is built again (the kernel .deb is cached): that is where modinfo runs */
	snprintf(cmd, sizeof(cmd),
		 "{ PATH=$('%s/usertools/dpx-setup' path demo) && export PATH && "
		 "'%s/usertools/dpx-guest-build' --force --out /tmp/dpx-demo-guest-%d "
		 "--cache \"${DPX_GUEST_CACHE:-%s/guest/cache}\" && rm -rf /tmp/dpx-demo-guest-%d && "
		 "DPX_BUILD_DIR='%s' DPX_DEMO_PCAP=/tmp/dpx-demo-test-%d.pcap "
		 "exec '%s/usertools/dpx-demo'; } > %s 2>&1",
		 DPX_SOURCE_ROOT, DPX_SOURCE_ROOT, (int)getpid(), DPX_BUILD_ROOT, (int)getpid(),
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

/*
 * The PATH each dpx-setup path runs with (usertools/dpx-pkg-path) holds what
 * its package set and Debian's base provide, and nothing else: modinfo only
 * with kmod (the demo's set lacked it once, and the demo failed on a fresh
 * machine), python3 through its dependencies, awk through its alternative.
 */
static int
test_setup_package_paths(void)
{
	char cmd[4096];
	int rc;

	snprintf(cmd, sizeof(cmd),
		 "set -u; t=$(mktemp -d); tool='%s/usertools/dpx-pkg-path'; fail=0\n"
		 "has() { [ -e \"$t/$1/$2\" ] || { echo \"FAIL: $1 lacks $2\"; fail=1; }; }\n"
		 "lacks() { [ ! -e \"$t/$1/$2\" ] || { echo \"FAIL: $1 has $2\"; fail=1; }; }\n"
		 "python3 \"$tool\" --dir \"$t/base\" >/dev/null && "
		 "python3 \"$tool\" --dir \"$t/kmod\" kmod >/dev/null && "
		 "python3 \"$tool\" --dir \"$t/py\" python3 >/dev/null || fail=1\n"
		 "for c in sh ls awk apt-get dpkg-deb; do has base $c; done\n"
		 "for c in modinfo python3 qemu-system-x86_64 cpio; do lacks base $c; done\n"
		 "has kmod modinfo; lacks kmod python3; has py python3\n"
		 "python3 \"$tool\" --dir \"$t/x\" no-such-package-dpx 2>/dev/null && "
		 "{ echo 'FAIL: an absent package accepted'; fail=1; }\n"
		 "d=$('%s/usertools/dpx-setup' path demo) || fail=1\n"
		 "for c in modinfo cpio busybox qemu-system-x86_64 python3 tcpdump; do\n"
		 "  [ -e \"$d/$c\" ] || { echo \"FAIL: the demo path lacks $c\"; fail=1; }; done\n"
		 "rm -rf \"$t\"; exit $fail\n",
		 DPX_SOURCE_ROOT, DPX_SOURCE_ROOT);
	fflush(stdout);
	rc = system(cmd);
	DPX_TEST_ASSERT(WIFEXITED(rc) && WEXITSTATUS(rc) == 0, "status %d", rc);
	return DPX_TEST_SUCCESS;
}
DPX_TEST_REGISTER(setup_package_paths, fast, test_setup_package_paths);
