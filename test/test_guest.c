/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The test guest itself (usertools/dpx-guest-build, dpx-guest-run): it boots,
 * runs a command and reports its exit code; its virtio-net driver sees a NIC;
 * the real VFIO driver binds QEMU's edu device behind the emulated VT-d. The
 * end-to-end cases of the other components build on these three.
 */
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dpx_test.h"
#include "guest_helpers.h"

#define GUEST_OUT_MAX 65536

static char guest_out[GUEST_OUT_MAX];

/* Whether out holds a line that is exactly line (console lines end "\r\n"). */
static int
has_line(const char *out, const char *line)
{
	size_t len = strlen(line);

	for (const char *p = strstr(out, line); p != NULL; p = strstr(p + 1, line)) {
		int starts = p == out || p[-1] == '\n';
		int ends = p[len] == '\0' || p[len] == '\n' || p[len] == '\r';

		if (starts && ends)
			return 1;
	}
	return 0;
}

/* Print the boot-to-command time dpx-guest-run measured, if it did. */
static void
print_boot_time(const char *name)
{
	const char *p = strstr(guest_out, "boot-to-command ");

	if (p != NULL)
		printf("%s: %.*s\n", name, (int)strcspn(p, "\r\n"), p);
}

static int
prepare(void)
{
	char why[512];

	if (dpx_test_guest_prepare(why, sizeof(why)) != 0)
		DPX_TEST_SKIP("%s", why);
	return DPX_TEST_SUCCESS;
}

static int
test_guest_boot_smoke(void)
{
	int rc;

	DPX_TEST_RUN(prepare());
	rc = dpx_test_guest_run("--run 'echo hello-from-guest; cat /proc/cmdline'", guest_out,
				sizeof(guest_out));
	print_boot_time("boot");
	DPX_TEST_ASSERT_EQUAL(rc, 0, "guest command status");
	DPX_TEST_ASSERT(has_line(guest_out, "hello-from-guest"), "echo's output missing");
	DPX_TEST_ASSERT(strstr(guest_out, "console=ttyS0") != NULL, "no kernel command line");
	DPX_TEST_ASSERT(has_line(guest_out, "DPX-GUEST-EXIT=0"), "no exit marker");

	/* the command's status is the script's exit code, not just 0 or 1 */
	rc = dpx_test_guest_run("--quiet --run 'exit 3'", guest_out, sizeof(guest_out));
	print_boot_time("exit 3");
	DPX_TEST_ASSERT_EQUAL(rc, 3, "status of 'exit 3'");

	/* QEMU refusing to start is the script's 125, not a guest status */
	rc = dpx_test_guest_run("--quiet --qemu-arg=-no-such-option --run true", guest_out,
				sizeof(guest_out));
	DPX_TEST_ASSERT_EQUAL(rc, DPX_TEST_GUEST_FAILED, "QEMU failed to start");
	/* killed before the guest reaches its command: 124 */
	rc = dpx_test_guest_run("--quiet --timeout 0.5 --run true", guest_out, sizeof(guest_out));
	DPX_TEST_ASSERT_EQUAL(rc, DPX_TEST_GUEST_TIMEOUT, "timeout");
	return DPX_TEST_SUCCESS;
}

DPX_TEST_REGISTER(guest_boot_smoke, guest, test_guest_boot_smoke);

static int
test_guest_virtio_net_smoke(void)
{
	char flags[32];
	int rc;

	DPX_TEST_RUN(prepare());
	/* 10.0.2.2 is slirp's own gateway address, which answers ICMP echo
	 * itself on most QEMU builds; the case does not depend on it. */
	rc = dpx_test_guest_run(
		"--netdev-user --ip 10.0.2.15/24 --run '"
		"d=$(readlink /sys/class/net/eth0/device/driver); echo DRIVER=${d##*/}; "
		"echo MAC=$(cat /sys/class/net/eth0/address); "
		"echo FLAGS=$(cat /sys/class/net/eth0/flags); "
		"ip -4 addr show dev eth0; "
		"if ping -c 2 -W 3 10.0.2.2; then echo PING=answered; else echo PING=silent; fi'",
		guest_out, sizeof(guest_out));
	print_boot_time("virtio-net");
	DPX_TEST_ASSERT_EQUAL(rc, 0, "guest command status");
	DPX_TEST_ASSERT(has_line(guest_out, "DRIVER=virtio_net"), "eth0 not driven by virtio_net");
	DPX_TEST_ASSERT(has_line(guest_out, "MAC=52:54:00:00:00:00"), "eth0's MAC");
	DPX_TEST_ASSERT(strstr(guest_out, "inet 10.0.2.15/24") != NULL, "eth0's address");
	DPX_TEST_ASSERT_EQUAL(dpx_test_guest_value(guest_out, "FLAGS", flags, sizeof(flags)), 0,
			      "no flags line");
	DPX_TEST_ASSERT(strtoul(flags, NULL, 0) & 0x1, "eth0 not up (IFF_UP), flags %s", flags);
	printf("virtio-net: slirp %s the ping\n",
	       has_line(guest_out, "PING=answered") ? "answered" : "did not answer");
	return DPX_TEST_SUCCESS;
}

DPX_TEST_REGISTER(guest_virtio_net_smoke, guest, test_guest_virtio_net_smoke);

static int
test_guest_vfio_smoke(void)
{
	char group[16], node[64];
	int rc;

	DPX_TEST_RUN(prepare());
	rc = dpx_test_guest_run(
		"--iommu --edu --vfio --run '"
		"dev=/sys/bus/pci/devices/$DPX_GUEST_VFIO_BDF; d=$(readlink $dev/driver); "
		"echo EDU-DRIVER=${d##*/}; "
		"echo EDU-ID=$(cat $dev/vendor):$(cat $dev/device); "
		"[ -c /dev/vfio/$DPX_GUEST_VFIO_GROUP ] && echo NODE=/dev/vfio/$DPX_GUEST_VFIO_GROUP; "
		"[ -c /dev/vfio/vfio ] && echo CONTAINER=/dev/vfio/vfio; "
		"grep -q intel_iommu=on /proc/cmdline && echo IOMMU=on'",
		guest_out, sizeof(guest_out));
	print_boot_time("vfio");
	DPX_TEST_ASSERT_EQUAL(rc, 0, "guest command status");
	DPX_TEST_ASSERT_EQUAL(dpx_test_guest_value(guest_out, "DPX-GUEST-VFIO-GROUP", group,
						   sizeof(group)), 0, "no group reported");
	snprintf(node, sizeof(node), "NODE=/dev/vfio/%s", group);
	DPX_TEST_ASSERT(has_line(guest_out, node), "/dev/vfio/%s is not a char device", group);
	DPX_TEST_ASSERT(has_line(guest_out, "CONTAINER=/dev/vfio/vfio"), "no /dev/vfio/vfio");
	DPX_TEST_ASSERT(has_line(guest_out, "EDU-DRIVER=vfio-pci"), "edu not bound to vfio-pci");
	DPX_TEST_ASSERT(has_line(guest_out, "EDU-ID=0x1234:0x11e8"), "bound device is not edu");
	DPX_TEST_ASSERT(has_line(guest_out, "IOMMU=on"), "intel_iommu=on missing");
	return DPX_TEST_SUCCESS;
}

DPX_TEST_REGISTER(guest_vfio_smoke, guest, test_guest_vfio_smoke);

/*
 * vhost-user wiring, against test/vhost_user_peer.py (answers the control
 * plane, moves no packets): the guest's virtio-net comes up on the socket in
 * both socket modes, the backend can map all of guest RAM from the fds QEMU
 * sends, and --packed / --mq reach the negotiated features.
 */
#define PEER_TIMEOUT_S 90.0

static int
peer_value(const char *report, const char *key, long long *v)
{
	char val[32];

	if (dpx_test_guest_value(report, key, val, sizeof(val)) != 0)
		return -1;
	*v = strtoll(val, NULL, 0);
	return 0;
}

/* Boot a guest on a socket served by the peer; report gets the peer's view. */
static int
vhost_user_boot(int qemu_is_server, const char *extra, char *report, size_t len)
{
	char sock[128], rep[128], cmd[1024], args[2048];
	pid_t peer;
	int rc, peer_rc;

	snprintf(sock, sizeof(sock), "/tmp/dpx-guest-test-%d.sock", (int)getpid());
	snprintf(rep, sizeof(rep), "/tmp/dpx-guest-test-%d.report", (int)getpid());
	unlink(rep);
	snprintf(cmd, sizeof(cmd), "exec python3 '%s/test/vhost_user_peer.py' --%s %s --report %s "
		 "--timeout %.0f", DPX_SOURCE_ROOT, qemu_is_server ? "connect" : "listen", sock, rep,
		 PEER_TIMEOUT_S);
	peer = dpx_test_guest_spawn(cmd);
	DPX_TEST_ASSERT(peer > 0, "peer not started");
	if (!qemu_is_server) {
		struct stat st;

		/* QEMU as client needs the socket to exist when it starts */
		for (int i = 0; i < 250 && stat(sock, &st) != 0; i++)
			usleep(20 * 1000);
	}
	snprintf(args, sizeof(args), "--vhost-user %s%s %s --timeout %.0f --run '"
		 "ip link set eth0 up; for i in 1 2 3 4 5 6 7 8 9 10; do "
		 "[ \"$(cat /sys/class/net/eth0/carrier)\" = 1 ] && break; usleep 200000; done; "
		 "echo CARRIER=$(cat /sys/class/net/eth0/carrier); "
		 "echo MAC=$(cat /sys/class/net/eth0/address); "
		 "echo PACKED=$(cut -c35 /sys/class/net/eth0/device/features); "
		 "echo QUEUES=$(ls /sys/class/net/eth0/queues | grep -c rx)'",
		 sock, qemu_is_server ? ",server" : "", extra, PEER_TIMEOUT_S - 10);
	rc = dpx_test_guest_run(args, guest_out, sizeof(guest_out));
	print_boot_time(qemu_is_server ? "vhost-user server" : "vhost-user client");
	peer_rc = dpx_test_guest_reap(peer, 10.0);
	if (dpx_test_guest_read_file(rep, report, len) != 0)
		report[0] = '\0';
	printf("peer report (exit %d):\n%s\n", peer_rc, report);
	unlink(rep);
	unlink(sock);
	DPX_TEST_ASSERT_EQUAL(rc, 0, "guest command status");
	DPX_TEST_ASSERT_EQUAL(peer_rc, 0, "peer exit status");
	DPX_TEST_ASSERT(has_line(guest_out, "CARRIER=1"), "eth0 has no carrier");
	DPX_TEST_ASSERT(has_line(guest_out, "MAC=52:54:00:00:00:00"), "eth0's MAC");
	return DPX_TEST_SUCCESS;
}

static int
test_guest_vhost_user_smoke(void)
{
	char report[1024];
	long long regions, mapped, bytes, kicked, acked;

	DPX_TEST_RUN(prepare());

	/* dpx listens, QEMU connects; split rings, one queue pair */
	DPX_TEST_RUN(vhost_user_boot(0, "--mem 256M", report, sizeof(report)));
	DPX_TEST_ASSERT(peer_value(report, "MEM_REGIONS", &regions) == 0 && regions >= 1,
			"no memory table");
	DPX_TEST_ASSERT(peer_value(report, "MEM_MAPPED", &mapped) == 0, "");
	DPX_TEST_ASSERT_EQUAL(mapped, regions, "every region mappable from its fd");
	DPX_TEST_ASSERT(peer_value(report, "MEM_BYTES", &bytes) == 0, "");
	DPX_TEST_ASSERT_EQUAL(bytes, 256LL << 20, "the whole of guest RAM is shared");
	DPX_TEST_ASSERT(peer_value(report, "VRINGS_KICKED", &kicked) == 0, "");
	DPX_TEST_ASSERT_EQUAL(kicked, 2, "rx and tx");
	DPX_TEST_ASSERT(has_line(guest_out, "PACKED=0"), "split ring expected");
	DPX_TEST_ASSERT(has_line(guest_out, "QUEUES=1"), "one queue pair expected");

	/* QEMU listens, dpx connects; packed rings, two queue pairs on two CPUs */
	DPX_TEST_RUN(vhost_user_boot(1, "--packed --mq 2 --smp 2", report, sizeof(report)));
	DPX_TEST_ASSERT(peer_value(report, "ACKED_FEATURES", &acked) == 0, "no SET_FEATURES");
	DPX_TEST_ASSERT(acked & (1LL << 34), "VIRTIO_F_RING_PACKED not acked: %#llx", acked);
	DPX_TEST_ASSERT(acked & (1LL << 22), "VIRTIO_NET_F_MQ not acked: %#llx", acked);
	DPX_TEST_ASSERT(peer_value(report, "VRINGS_KICKED", &kicked) == 0, "");
	DPX_TEST_ASSERT_EQUAL(kicked, 4, "two rx and two tx");
	DPX_TEST_ASSERT(has_line(guest_out, "PACKED=1"), "packed ring expected");
	DPX_TEST_ASSERT(has_line(guest_out, "QUEUES=2"), "two queue pairs expected");
	return DPX_TEST_SUCCESS;
}

DPX_TEST_REGISTER(guest_vhost_user_smoke, guest, test_guest_vhost_user_smoke);

/*
 * How long a guest takes: boot to the command (QEMU start, firmware, kernel,
 * modules, setup) and the whole dpx-guest-run, the figures every end-to-end
 * case pays per boot. Three boots; the smallest is the least disturbed.
 */
#define BOOT_RUNS 3

static int
test_guest_boot_time(void)
{
	double best_boot = 0, best_run = 0, sum_boot = 0;

	DPX_TEST_RUN(prepare());
	for (int i = 0; i < BOOT_RUNS; i++) {
		const char *p;
		double boot, run;
		int rc = dpx_test_guest_run("--quiet --run true", guest_out, sizeof(guest_out));

		DPX_TEST_ASSERT_EQUAL(rc, 0, "boot %d", i);
		p = strstr(guest_out, "boot-to-command ");
		DPX_TEST_ASSERT(p != NULL && sscanf(p, "boot-to-command %lf s, whole run %lf s",
						    &boot, &run) == 2, "no timing line");
		if (i == 0 || boot < best_boot)
			best_boot = boot;
		if (i == 0 || run < best_run)
			best_run = run;
		sum_boot += boot;
	}
	DPX_TEST_PERF("guest boot-to-command, best of 3", best_boot, "s");
	DPX_TEST_PERF("guest boot-to-command, mean of 3", sum_boot / BOOT_RUNS, "s");
	DPX_TEST_PERF("guest whole run of 'true', best of 3", best_run, "s");
	return DPX_TEST_SUCCESS;
}

DPX_TEST_REGISTER(guest_boot_time, perf, test_guest_boot_time);

/* dpx_test_guest_value: KEY=VALUE lines as the serial console delivers them. */
static int
test_guest_helpers_value(void)
{
	const char *out = "noise DPX-GUEST-VFIO-GROUP=9\r\n"
			  "DPX-GUEST-VFIO-GROUPS=8\r\n"
			  "DPX-GUEST-VFIO-GROUP=12\r\n"
			  "LAST=tail";
	char val[8];

	DPX_TEST_ASSERT_EQUAL(dpx_test_guest_value(out, "DPX-GUEST-VFIO-GROUP", val, sizeof(val)),
			      0, "");
	DPX_TEST_ASSERT(strcmp(val, "12") == 0, "got '%s': only whole lines count", val);
	DPX_TEST_ASSERT_EQUAL(dpx_test_guest_value(out, "LAST", val, sizeof(val)), 0, "");
	DPX_TEST_ASSERT(strcmp(val, "tail") == 0, "got '%s'", val);
	DPX_TEST_ASSERT_EQUAL(dpx_test_guest_value(out, "DPX-GUEST-VFIO", val, sizeof(val)), -1,
			      "a key prefix is not a key");
	DPX_TEST_ASSERT_EQUAL(dpx_test_guest_value("K=123456789\n", "K", val, 4), 0, "");
	DPX_TEST_ASSERT(strcmp(val, "123") == 0, "cut to the buffer: got '%s'", val);
	DPX_TEST_ASSERT_EQUAL(dpx_test_guest_value("K=1", "K", val, 0), -1, "no room");
	DPX_TEST_ASSERT(has_line("a\r\nhello\r\n", "hello"), "");
	DPX_TEST_ASSERT(!has_line("say hello\n", "hello"), "");
	return DPX_TEST_SUCCESS;
}

DPX_TEST_REGISTER(guest_helpers_value, fast, test_guest_helpers_value);

/*
 * With no QEMU to be found, dpx_test_guest_prepare skips; under
 * DPX_TEST_REQUIRE_GUESTS (what CI sets) the case fails instead, even one
 * written to skip on any non-zero return.
 */
static int
prepare_without_qemu(const char *require)
{
	char why[256];
	pid_t pid = fork();
	int status;

	if (pid == 0) {
		setenv("PATH", "/nonexistent", 1);
		if (require != NULL)
			setenv("DPX_TEST_REQUIRE_GUESTS", require, 1);
		else
			unsetenv("DPX_TEST_REQUIRE_GUESTS");
		if (dpx_test_guest_prepare(why, sizeof(why)) != 0)
			_exit(DPX_TEST_SKIPPED); /* the usual caller's skip */
		_exit(0);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

static int
test_guest_required(void)
{
	DPX_TEST_ASSERT_EQUAL(prepare_without_qemu(NULL), DPX_TEST_SKIPPED, "skips by default");
	DPX_TEST_ASSERT_EQUAL(prepare_without_qemu("0"), DPX_TEST_SKIPPED, "0 lets it skip");
	DPX_TEST_ASSERT_EQUAL(prepare_without_qemu("1"), DPX_TEST_FAILED, "required: fails");
	return DPX_TEST_SUCCESS;
}
DPX_TEST_REGISTER(guest_required, fast, test_guest_required);
