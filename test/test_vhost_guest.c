/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * net_vhost with real guests: Linux virtio-net drivers in QEMU (TCG) attached
 * to dpx-fwd's net_vhost ports, forwarding between them in io mode.
 *  - two guests ping each other (split rings, then packed rings);
 *  - a 20 MB HTTP download from one guest to the other, md5 compared;
 *  - QEMU listens and dpx-fwd connects (client=1); dpx-fwd is killed and
 *    started again and the guests' traffic resumes.
 *  - with a net_tap port instead of the second guest: the guest pings the
 *    host's TAP address and downloads 20 MB from a host httpd (md5 compared);
 *    these skip when the build has no net_tap driver.
 *  - async: the ports' queues copy on the software engine (dmas=, every copy
 *    but the headers on it); one guest (split rings) pings the other (packed
 *    rings) and downloads 20 MB from it, and the ports' async counters, read
 *    over telemetry before dpx-fwd stops, add up.
 */
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <inttypes.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dpx_test.h"
#include "guest_helpers.h"
#include "telemetry_client.h"

#define GUEST_TIMEOUT_S 300

struct guest_env {
	char sock[2][128];
	char out[2][128];
	char fwd_out[128];
	char prefix[64]; /* dpx-fwd's --file-prefix, async runs (telemetry) */
	bool async;
	pid_t guest[2];
	pid_t fwd;
};

static void
env_init(struct guest_env *e, const char *tag)
{
	for (int i = 0; i < 2; i++) {
		snprintf(e->sock[i], sizeof(e->sock[i]), "/tmp/dpx-vg-%d-%s-%d.sock", (int)getpid(),
			 tag, i);
		snprintf(e->out[i], sizeof(e->out[i]), "/tmp/dpx-vg-%d-%s-%d.out", (int)getpid(),
			 tag, i);
		unlink(e->sock[i]);
	}
	snprintf(e->fwd_out, sizeof(e->fwd_out), "/tmp/dpx-vg-%d-%s-fwd.out", (int)getpid(), tag);
	snprintf(e->prefix, sizeof(e->prefix), "vg-%d-%s", (int)getpid(), tag);
	e->async = false;
	e->guest[0] = e->guest[1] = e->fwd = -1;
}

/* Async: both ports' queue 0 on one software engine, its thread beside
 * the forwarding lcore; telemetry on (a file prefix instead of --in-memory). */
#define ASYNC_DMAS ",dmas=[txq0@dma_sw0;rxq0@dma_sw0],dma_copy_threshold=0"

static pid_t
fwd_start_q(struct guest_env *e, int client, int queues)
{
	char cmd[1280], mem[96];

	if (e->async)
		snprintf(mem, sizeof(mem), "--file-prefix=%s --vdev dma_sw0", e->prefix);
	else
		snprintf(mem, sizeof(mem), "--in-memory");
	snprintf(cmd, sizeof(cmd),
		 "exec '%s/app/dpx-fwd/dpx-fwd' --no-huge %s -l 0 "
		 "--log-level=pmd.net.vhost:info --log-level=lib.vhost.*:info "
		 "--vdev 'net_vhost0,iface=%s,client=%d,queues=%d%s' "
		 "--vdev 'net_vhost1,iface=%s,client=%d,queues=%d%s' "
		 "-- --forward-mode=io --rxq %d --txq %d >> %s 2>&1",
		 DPX_BUILD_ROOT, mem, e->sock[0], client, queues, e->async ? ASYNC_DMAS : "",
		 e->sock[1], client, queues, e->async ? ASYNC_DMAS : "", queues, queues,
		 e->fwd_out);
	e->fwd = dpx_test_guest_spawn(cmd);
	return e->fwd;
}

static pid_t
fwd_start(struct guest_env *e, int client)
{
	return fwd_start_q(e, client, 1);
}

static int
fwd_stop(struct guest_env *e)
{
	int rc;

	if (e->fwd <= 0)
		return -1;
	kill(e->fwd, SIGTERM);
	rc = dpx_test_guest_reap(e->fwd, 20.0);
	e->fwd = -1;
	return rc;
}

/* Boot guest i in the background: IP 10.0.0.(i+1), its own MAC, running script. */
static pid_t
guest_start(struct guest_env *e, int i, const char *extra, const char *script)
{
	char cmd[4096];

	snprintf(cmd, sizeof(cmd),
		 "exec '%s/usertools/dpx-guest-run' --build-dir '%s' "
		 "--vhost-user %s%s --ip 10.0.0.%d/24 --timeout %d %s %s --run '"
		 "ifconfig eth0 hw ether 52:54:00:00:01:0%d; %s' > %s 2>&1",
		 DPX_SOURCE_ROOT, DPX_BUILD_ROOT, e->sock[i],
		 strstr(extra, "server") ? ",server" : "", i + 1, GUEST_TIMEOUT_S,
		 strstr(extra, "packed") ? "--packed" : "",
		 strstr(extra, "mq") ? "--mq 2 --smp 2" : "", i + 1, script, e->out[i]);
	e->guest[i] = dpx_test_guest_spawn(cmd);
	return e->guest[i];
}

static void
wait_sockets(struct guest_env *e)
{
	struct stat st;

	for (int k = 0; k < 500 && (stat(e->sock[0], &st) != 0 || stat(e->sock[1], &st) != 0); k++)
		usleep(20 * 1000);
}

static void
dump(const char *title, const char *path)
{
	static char buf[65536];

	if (dpx_test_guest_read_file(path, buf, sizeof(buf)) == 0)
		printf("----- %s -----\n%s\n", title, buf);
	unlink(path);
}

/*
 * An async run's counters, port by port, over telemetry while dpx-fwd still
 * runs: both directions moved packets, every payload copy on the engine, no
 * DMA error, submitted = completed + in flight; the engine ran as many jobs
 * as the ports counted DMA copies. @return DPX_TEST_*.
 */
static int
async_counters(struct guest_env *e)
{
	const char *dirs[2] = {"rx", "tx"};
	uint64_t dma = 0, v[6];
	json_t *top, *x;
	char req[64], name[64];
	int fd = tel_client_connect_prefix(e->prefix);

	DPX_TEST_ASSERT(fd >= 0, "telemetry of dpx-fwd (%s): %d", e->prefix, fd);
	for (int port = 0; port < 2; port++) {
		snprintf(req, sizeof(req), "/ethdev/xstats,%d", port);
		x = tel_client_query(fd, req, &top);
		for (int d = 0; d < 2; d++) {
			static const char *const what[6] = {
				"submitted_packets", "completed_packets", "inflight_packets",
				"dma_copies",	     "cpu_copies",	  "dma_errors"};

			for (int k = 0; k < 6; k++) {
				snprintf(name, sizeof(name), "%s_q0_async_%s", dirs[d], what[k]);
				v[k] = (uint64_t)jint(x, name);
			}
			printf("port %d %s: submitted %" PRIu64 " completed %" PRIu64
			       " in flight %" PRIu64 " dma copies %" PRIu64 " cpu copies %" PRIu64
			       " dma errors %" PRIu64 "\n",
			       port, dirs[d], v[0], v[1], v[2], v[3], v[4], v[5]);
			DPX_TEST_ASSERT(v[0] > 0 && v[3] > 0, "port %d %s: packets on the engine",
					port, dirs[d]);
			DPX_TEST_ASSERT_EQUAL(v[1] + v[2], v[0], "port %d %s", port, dirs[d]);
			DPX_TEST_ASSERT_EQUAL(v[5], 0, "port %d %s: no DMA error", port, dirs[d]);
			dma += v[3];
		}
		json_decref(top);
	}
	x = tel_client_query(fd, "/dmadev/stats,0", &top);
	printf("dma_sw0: submitted %lld completed %lld errors %lld\n", jint(x, "submitted"),
	       jint(x, "completed"), jint(x, "errors"));
	/* read after the ports: the engine may have run a few more since */
	DPX_TEST_ASSERT(jint(x, "submitted") >= (long long)dma, "the engine ran the ports' copies");
	DPX_TEST_ASSERT_EQUAL(jint(x, "errors"), 0, "");
	json_decref(top);
	close(fd);
	return DPX_TEST_SUCCESS;
}

static int
env_finish(struct guest_env *e, int *rc0, int *rc1)
{
	int rc = DPX_TEST_SUCCESS;

	*rc0 = dpx_test_guest_reap(e->guest[0], GUEST_TIMEOUT_S + 30);
	*rc1 = dpx_test_guest_reap(e->guest[1], GUEST_TIMEOUT_S + 30);
	if (e->async)
		rc = async_counters(e);
	fwd_stop(e);
	dump("dpx-fwd", e->fwd_out);
	return rc;
}

/* Wait until the peer answers (bounded), then 5 pings that must all return. */
#define PING_SCRIPT(peer)                                                     \
	"i=0; until ping -c 1 -W 1 " peer " >/dev/null 2>&1; do i=$((i+1)); " \
	"[ $i -ge 150 ] && exit 3; done; ping -c 5 -W 2 " peer "; r=$?; sleep 8; exit $r"

static int
ping_pair(const char *extra)
{
	char why[256];
	struct guest_env e;
	int rc0, rc1;

	if (dpx_test_guest_prepare(why, sizeof(why)) != 0)
		DPX_TEST_SKIP("%s", why);
	env_init(&e, strstr(extra, "packed") ? "ping-packed"
		     : strstr(extra, "mq")   ? "ping-mq"
					     : "ping");
	DPX_TEST_ASSERT(fwd_start_q(&e, 0, strstr(extra, "mq") ? 2 : 1) > 0, "dpx-fwd not started");
	wait_sockets(&e);
	DPX_TEST_ASSERT(guest_start(&e, 0, extra, PING_SCRIPT("10.0.0.2")) > 0, "");
	DPX_TEST_ASSERT(guest_start(&e, 1, extra, PING_SCRIPT("10.0.0.1")) > 0, "");
	env_finish(&e, &rc0, &rc1);
	dump("guest 10.0.0.1", e.out[0]);
	dump("guest 10.0.0.2", e.out[1]);
	DPX_TEST_ASSERT_EQUAL(rc0, 0, "guest 1 pinged guest 2 through dpx-fwd");
	DPX_TEST_ASSERT_EQUAL(rc1, 0, "guest 2 pinged guest 1 through dpx-fwd");
	return DPX_TEST_SUCCESS;
}

static int
test_vhost_guest_ping(void)
{
	return ping_pair("");
}

static int
test_vhost_guest_ping_packed(void)
{
	return ping_pair("packed");
}

static int
test_vhost_guest_ping_mq(void)
{
	/* two queue pairs per NIC (guests with 2 CPUs), dpx-fwd with 2 queues per port */
	return ping_pair("mq");
}

/* One guest serves 20 MB over HTTP, the other pings it and downloads it:
 * md5 equal. extra0/extra1: each guest's NIC options ("packed"). */
static int
http_pair(const char *tag, const char *extra0, const char *extra1, bool async)
{
	static char out[65536];
	char why[256], src[64], dst[64];
	struct guest_env e;
	int rc0, rc1, rc;

	if (dpx_test_guest_prepare(why, sizeof(why)) != 0)
		DPX_TEST_SKIP("%s", why);
	env_init(&e, tag);
	e.async = async;
	DPX_TEST_ASSERT(fwd_start(&e, 0) > 0, "dpx-fwd not started");
	wait_sockets(&e);
	/* the server makes 20 MB, serves it, and ends when the client says so */
	DPX_TEST_ASSERT(guest_start(&e, 0, extra0,
				    "mkdir -p /tmp/www; dd if=/dev/urandom of=/tmp/www/f bs=1M "
				    "count=20 2>/dev/null; "
				    "echo DPX-MD5=$(md5sum /tmp/www/f | cut -c1-32); httpd -p 8080 "
				    "-h /tmp/www; "
				    "nc -l -p 9000 >/dev/null; exit 0") > 0,
			"");
	DPX_TEST_ASSERT(
		guest_start(&e, 1, extra1,
			    "i=0; until ping -c 1 -W 1 10.0.0.1 >/dev/null 2>&1; do i=$((i+1)); "
			    "[ $i -ge 150 ] && exit 3; done; ping -c 3 -W 2 10.0.0.1 || exit 4; "
			    "sleep 2; wget -q -O /tmp/f http://10.0.0.1:8080/f; r=$?; "
			    "echo DPX-MD5=$(md5sum /tmp/f | cut -c1-32); ls -l /tmp/f; "
			    "echo done | nc 10.0.0.1 9000; exit $r") > 0,
		"");
	rc = env_finish(&e, &rc0, &rc1);
	DPX_TEST_ASSERT_EQUAL(dpx_test_guest_read_file(e.out[0], out, sizeof(out)), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_test_guest_value(out, "DPX-MD5", src, sizeof(src)), 0,
			      "server md5");
	dump("server guest", e.out[0]);
	DPX_TEST_ASSERT_EQUAL(dpx_test_guest_read_file(e.out[1], out, sizeof(out)), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_test_guest_value(out, "DPX-MD5", dst, sizeof(dst)), 0,
			      "client md5");
	dump("client guest", e.out[1]);
	DPX_TEST_ASSERT(rc1 != 4, "the client's pings got no reply");
	DPX_TEST_ASSERT_EQUAL(rc1, 0, "wget status");
	DPX_TEST_ASSERT_EQUAL(rc0, 0, "server status");
	DPX_TEST_ASSERT(strlen(src) == 32 && strcmp(src, dst) == 0, "md5 %s vs %s", src, dst);
	DPX_TEST_ASSERT_EQUAL(rc, DPX_TEST_SUCCESS, "the async counters");
	return DPX_TEST_SUCCESS;
}

static int
test_vhost_guest_http(void)
{
	return http_pair("http", "", "", false);
}

/* The server's NIC packed, the client's split: one run puts both ring
 * layouts through the async ports, each direction of each. */
static int
test_vhost_guest_async(void)
{
	return http_pair("async", "packed", "", true);
}

/* Has guest i printed this line yet? */
static int
guest_said(struct guest_env *e, int i, const char *line)
{
	static char out[65536];

	return dpx_test_guest_read_file(e->out[i], out, sizeof(out)) == 0 &&
	       strstr(out, line) != NULL;
}

static int
test_vhost_guest_client_restart(void)
{
	/* ping until it works, say so, see it break (dpx-fwd gone), see it work again */
	static const char script[] =
		"i=0; until ping -c 1 -W 1 10.0.0.2 >/dev/null 2>&1; do i=$((i+1)); "
		"[ $i -ge 150 ] && exit 3; done; echo DPX-PHASE=1; "
		"i=0; while ping -c 1 -W 1 10.0.0.2 >/dev/null 2>&1; do i=$((i+1)); "
		"[ $i -ge 150 ] && exit 4; done; echo DPX-PHASE=2; "
		"i=0; until ping -c 1 -W 1 10.0.0.2 >/dev/null 2>&1; do i=$((i+1)); "
		"[ $i -ge 150 ] && exit 5; done; echo DPX-PHASE=3; ping -c 3 -W 2 10.0.0.2";
	char why[256];
	struct guest_env e;
	int rc0, rc1, k;

	if (dpx_test_guest_prepare(why, sizeof(why)) != 0)
		DPX_TEST_SKIP("%s", why);
	env_init(&e, "client");
	/* QEMU listens; its vhost-user netdev waits for the backend before booting */
	DPX_TEST_ASSERT(guest_start(&e, 0, "server", script) > 0, "");
	DPX_TEST_ASSERT(guest_start(&e, 1, "server",
				    "i=0; while [ $i -lt 200 ]; do sleep 1; i=$((i+1)); "
				    "[ -e /tmp/stop ] && break; done; exit 0") > 0,
			"");
	wait_sockets(&e);
	DPX_TEST_ASSERT(fwd_start(&e, 1) > 0, "dpx-fwd not started");
	for (k = 0; k < 2400 && !guest_said(&e, 0, "DPX-PHASE=1"); k++)
		usleep(100 * 1000);
	DPX_TEST_ASSERT(guest_said(&e, 0, "DPX-PHASE=1"), "first ping through dpx-fwd");
	printf("dpx-fwd stopped: exit %d\n", fwd_stop(&e));
	for (k = 0; k < 600 && !guest_said(&e, 0, "DPX-PHASE=2"); k++)
		usleep(100 * 1000);
	DPX_TEST_ASSERT(guest_said(&e, 0, "DPX-PHASE=2"), "ping stopped while dpx-fwd was gone");
	DPX_TEST_ASSERT(fwd_start(&e, 1) > 0, "dpx-fwd not restarted");
	rc0 = dpx_test_guest_reap(e.guest[0], GUEST_TIMEOUT_S + 30);
	/* guest 2 sleeps out its loop; it is not part of the verdict beyond running */
	kill(e.guest[1], SIGTERM);
	rc1 = dpx_test_guest_reap(e.guest[1], 30);
	fwd_stop(&e);
	dump("dpx-fwd (both runs)", e.fwd_out);
	dump("guest 10.0.0.1", e.out[0]);
	dump("guest 10.0.0.2", e.out[1]);
	printf("guest 2 exit %d (stopped by the test)\n", rc1);
	unlink(e.sock[0]);
	unlink(e.sock[1]);
	DPX_TEST_ASSERT_EQUAL(rc0, 0, "traffic resumed after dpx-fwd restarted (client mode)");
	return DPX_TEST_SUCCESS;
}

/* ---- one guest and the host's TAP interface ---- */

struct tap_env {
	char tap[32];
	char sock[128];
	char fwd_out[128];
	char guest_out[128];
	int net; /* 10.201.<net>.0/24 */
	pid_t fwd;
};

/* Start dpx-fwd with net_vhost0 and net_tap0 and give the TAP the host address.
 * @return 0, DPX_TEST_SKIPPED (no net_tap in this build), or DPX_TEST_FAILED. */
static int
tap_start(struct tap_env *t, const char *tag)
{
	static char out[16384];
	char cmd[1024], sys[256];
	struct stat st;
	int k;

	t->net = (int)(getpid() % 250);
	snprintf(t->tap, sizeof(t->tap), "dpxvt%d", (int)(getpid() % 100000));
	snprintf(t->sock, sizeof(t->sock), "/tmp/dpx-vt-%d-%s.sock", (int)getpid(), tag);
	snprintf(t->fwd_out, sizeof(t->fwd_out), "/tmp/dpx-vt-%d-%s-fwd.out", (int)getpid(), tag);
	snprintf(t->guest_out, sizeof(t->guest_out), "/tmp/dpx-vt-%d-%s-guest.out", (int)getpid(),
		 tag);
	unlink(t->sock);
	snprintf(cmd, sizeof(cmd),
		 "exec '%s/app/dpx-fwd/dpx-fwd' --no-huge --in-memory -l 0 "
		 "--vdev net_vhost0,iface=%s --vdev net_tap0,iface=%s -- --forward-mode=io > %s "
		 "2>&1",
		 DPX_BUILD_ROOT, t->sock, t->tap, t->fwd_out);
	t->fwd = dpx_test_guest_spawn(cmd);
	DPX_TEST_ASSERT(t->fwd > 0, "dpx-fwd not started");
	snprintf(sys, sizeof(sys), "/sys/class/net/%s", t->tap);
	for (k = 0; k < 500 && (stat(sys, &st) != 0 || stat(t->sock, &st) != 0); k++) {
		if (dpx_test_guest_read_file(t->fwd_out, out, sizeof(out)) == 0 &&
		    strstr(out, "no driver matches") != NULL) {
			dpx_test_guest_reap(t->fwd, 5.0);
			unlink(t->fwd_out);
			DPX_TEST_SKIP("this build has no net_tap driver (drivers/meson.build)");
		}
		usleep(20 * 1000);
	}
	DPX_TEST_ASSERT(stat(sys, &st) == 0, "TAP %s not created", t->tap);
	snprintf(cmd, sizeof(cmd), "ip addr add 10.201.%d.1/24 dev %s && ip link set %s up", t->net,
		 t->tap, t->tap);
	DPX_TEST_ASSERT_EQUAL(system(cmd), 0, "%s", cmd);
	return DPX_TEST_SUCCESS;
}

static void
tap_stop(struct tap_env *t)
{
	if (t->fwd > 0) {
		kill(t->fwd, SIGTERM);
		dpx_test_guest_reap(t->fwd, 20.0);
	}
	dump("dpx-fwd", t->fwd_out);
	unlink(t->sock);
}

static int
tap_guest(struct tap_env *t, const char *script)
{
	char args[4096];
	static char out[65536];
	int rc;

	snprintf(args, sizeof(args), "--vhost-user %s --ip 10.201.%d.2/24 --timeout %d --run '%s'",
		 t->sock, t->net, GUEST_TIMEOUT_S, script);
	rc = dpx_test_guest_run(args, out, sizeof(out));
	FILE *f = fopen(t->guest_out, "w");
	if (f != NULL) {
		fputs(out, f);
		fclose(f);
	}
	return rc;
}

static int
test_vhost_guest_tap_ping(void)
{
	char why[256], script[1024];
	struct tap_env t;
	int rc;

	if (dpx_test_guest_prepare(why, sizeof(why)) != 0)
		DPX_TEST_SKIP("%s", why);
	rc = tap_start(&t, "ping");
	if (rc != DPX_TEST_SUCCESS)
		return rc;
	snprintf(script, sizeof(script),
		 "i=0; until ping -c 1 -W 1 10.201.%d.1 >/dev/null 2>&1; do i=$((i+1)); "
		 "[ $i -ge 150 ] && exit 3; done; ping -c 5 -W 2 10.201.%d.1",
		 t.net, t.net);
	rc = tap_guest(&t, script);
	tap_stop(&t);
	unlink(t.guest_out);
	DPX_TEST_ASSERT_EQUAL(rc, 0, "the guest pinged the host TAP address through dpx-fwd");
	return DPX_TEST_SUCCESS;
}

static int
test_vhost_guest_tap_http(void)
{
	char why[256], script[1024], dir[128], cmd[512], src[64], dst[64];
	static char out[65536];
	struct tap_env t;
	pid_t httpd;
	int rc, port = 18000 + (int)(getpid() % 1000);
	FILE *p;

	if (dpx_test_guest_prepare(why, sizeof(why)) != 0)
		DPX_TEST_SKIP("%s", why);
	rc = tap_start(&t, "http");
	if (rc != DPX_TEST_SUCCESS)
		return rc;
	snprintf(dir, sizeof(dir), "/tmp/dpx-vt-%d-www", (int)getpid());
	snprintf(cmd, sizeof(cmd),
		 "mkdir -p %s && head -c 20971520 /dev/urandom > %s/f && "
		 "md5sum %s/f | cut -c1-32",
		 dir, dir, dir);
	p = popen(cmd, "r");
	src[0] = '\0';
	if (p != NULL) {
		if (fgets(src, sizeof(src), p) == NULL)
			src[0] = '\0';
		pclose(p);
	}
	src[strcspn(src, "\n")] = '\0';
	snprintf(cmd, sizeof(cmd), "exec busybox httpd -f -p 10.201.%d.1:%d -h %s", t.net, port,
		 dir);
	httpd = dpx_test_guest_spawn(cmd);
	snprintf(script, sizeof(script),
		 "i=0; until ping -c 1 -W 1 10.201.%d.1 >/dev/null 2>&1; do i=$((i+1)); "
		 "[ $i -ge 150 ] && exit 3; done; wget -q -O /tmp/f http://10.201.%d.1:%d/f; r=$?; "
		 "echo DPX-MD5=$(md5sum /tmp/f | cut -c1-32); exit $r",
		 t.net, t.net, port);
	rc = tap_guest(&t, script);
	kill(httpd, SIGTERM);
	dpx_test_guest_reap(httpd, 5.0);
	tap_stop(&t);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		printf("cannot remove %s\n", dir);
	DPX_TEST_ASSERT_EQUAL(dpx_test_guest_read_file(t.guest_out, out, sizeof(out)), 0, "");
	unlink(t.guest_out);
	DPX_TEST_ASSERT_EQUAL(rc, 0, "wget status");
	DPX_TEST_ASSERT_EQUAL(dpx_test_guest_value(out, "DPX-MD5", dst, sizeof(dst)), 0, "");
	DPX_TEST_ASSERT(strlen(src) == 32 && strcmp(src, dst) == 0, "md5 host %s guest %s", src,
			dst);
	return DPX_TEST_SUCCESS;
}

DPX_TEST_REGISTER(vhost_guest_tap_ping, guest, test_vhost_guest_tap_ping);
DPX_TEST_REGISTER(vhost_guest_tap_http, guest, test_vhost_guest_tap_http);
DPX_TEST_REGISTER(vhost_guest_ping, guest, test_vhost_guest_ping);
DPX_TEST_REGISTER(vhost_guest_ping_packed, guest, test_vhost_guest_ping_packed);
DPX_TEST_REGISTER(vhost_guest_ping_mq, guest, test_vhost_guest_ping_mq);
DPX_TEST_REGISTER(vhost_guest_http, guest, test_vhost_guest_http);
DPX_TEST_REGISTER(vhost_guest_client_restart, guest, test_vhost_guest_client_restart);
DPX_TEST_REGISTER(vhost_guest_async, guest, test_vhost_guest_async);
