/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dpx-fwd as a process: each mode over net_null (and net_ring) ports for a
 * bounded time, the interactive commands from a script, a bad option, a
 * signal, and its final statistics checked to add up.
 */
#include <fcntl.h>
#include <sched.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dpx_test.h"
#include "fwd_pkt.h"

#define OUT_MAX (256 * 1024)

struct fwd_app_result {
	int status;	 /* exit code, 128+signal, or -ETIMEDOUT */
	int sh_failures; /* "@sh" script lines that failed */
	char *out;
	char *err;
};

struct fwd_app_stream {
	unsigned int idx, rx_port, rx_queue, tx_port, tx_queue, lcore;
	uint64_t rx, generated, tx, dropped, consumed;
};

static int
fwd_app_path(char *path, size_t len)
{
	const char *env = getenv("DPX_FWD");
	char self[PATH_MAX];
	ssize_t n;

	if (env != NULL) {
		snprintf(path, len, "%s", env);
		return access(path, X_OK) == 0 ? 0 : -ENOENT;
	}
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0)
		return -ENOENT;
	self[n] = '\0';
	*strrchr(self, '/') = '\0';
	/* build tree: build/test/dpx-test and build/app/dpx-fwd/dpx-fwd; installed: same bindir */
	if (snprintf(path, len, "%s/../app/dpx-fwd/dpx-fwd", self) < (int)len &&
	    access(path, X_OK) == 0)
		return 0;
	if (snprintf(path, len, "%s/dpx-fwd", self) >= (int)len)
		return -ENAMETOOLONG;
	return access(path, X_OK) == 0 ? 0 : -ENOENT;
}

static int
read_file(int fd, char *buf, size_t len)
{
	ssize_t n;
	size_t got = 0;

	lseek(fd, 0, SEEK_SET);
	while (got + 1 < len && (n = read(fd, buf + got, len - 1 - got)) > 0)
		got += (size_t)n;
	buf[got] = '\0';
	return (int)got;
}

static int
tmpfile_fd(const char *content)
{
	char name[] = "/tmp/dpx-fwd-test-XXXXXX";
	int fd = mkstemp(name);

	if (fd < 0)
		return -errno;
	unlink(name);
	if (content != NULL && write(fd, content, strlen(content)) != (ssize_t)strlen(content)) {
		close(fd);
		return -EIO;
	}
	lseek(fd, 0, SEEK_SET);
	return fd;
}

/* Wait for pid up to timeout_ms; SIGINT it after sigint_ms (0: never); SIGKILL at the timeout. */
static int
wait_child(pid_t pid, unsigned int sigint_ms, unsigned int timeout_ms)
{
	int status;

	for (unsigned int t = 0;; t += 20) {
		pid_t r = waitpid(pid, &status, WNOHANG);

		if (r == pid)
			return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
		if (sigint_ms != 0 && t == sigint_ms)
			kill(pid, SIGINT);
		if (t >= timeout_ms) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			return -ETIMEDOUT;
		}
		usleep(20 * 1000);
	}
}

static void fwd_app_result_free(struct fwd_app_result *res);

/*
 * Feed the script to the child's stdin line by line. Lines the child does not
 * see: "@sleep MS" pauses, "@sh CMD" runs CMD with sh while the child runs
 * (a failure is counted in *sh_failures and printed).
 */
static void
feed_script(int fd, const char *script, int *sh_failures)
{
	const char *p = script;

	while (p != NULL && *p != '\0') {
		const char *nl = strchr(p, '\n');
		size_t len = nl != NULL ? (size_t)(nl - p + 1) : strlen(p);
		unsigned int ms;

		if (sscanf(p, "@sleep %u", &ms) == 1) {
			usleep(ms * 1000);
		} else if (strncmp(p, "@sh ", 4) == 0) {
			char cmd[1024];

			snprintf(cmd, sizeof(cmd), "%.*s", (int)(len - 4), p + 4);
			fflush(stdout);
			if (system(cmd) != 0) {
				printf("script command failed: %s", cmd);
				(*sh_failures)++;
			}
		} else if (write(fd, p, len) != (ssize_t)len)
			break;
		p += len;
	}
}

static int
fwd_app_run(const char *const *args, const char *script, unsigned int sigint_ms,
	    struct fwd_app_result *res)
{
	char path[PATH_MAX], prefix[64];
	const char *argv[64];
	int argc = 0, in[2] = {-1, -1}, out = -1, err = -1;
	pid_t pid;

	memset(res, 0, sizeof(*res));
	if (fwd_app_path(path, sizeof(path)) < 0)
		return -ENOENT;
	argv[argc++] = path;
	snprintf(prefix, sizeof(prefix), "--file-prefix=fwdtest-%d", (int)getpid());
	argv[argc++] = prefix;
	for (int i = 0; args[i] != NULL && argc < 62; i++)
		argv[argc++] = args[i];
	argv[argc] = NULL;
	out = tmpfile_fd(NULL);
	err = tmpfile_fd(NULL);
	if (pipe(in) < 0 || out < 0 || err < 0)
		goto fail;
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		dup2(in[0], 0);
		dup2(out, 1);
		dup2(err, 2);
		close(in[1]);
		execv(path, (char *const *)argv);
		_exit(127);
	}
	if (pid < 0)
		goto fail;
	close(in[0]);
	in[0] = -1;
	signal(SIGPIPE, SIG_IGN);
	feed_script(in[1], script, &res->sh_failures);
	close(in[1]);
	in[1] = -1;
	res->status = wait_child(pid, sigint_ms, 30000);
	res->out = malloc(OUT_MAX);
	res->err = malloc(OUT_MAX);
	if (res->out == NULL || res->err == NULL)
		goto fail;
	read_file(out, res->out, OUT_MAX);
	read_file(err, res->err, OUT_MAX);
	close(out), close(err);
	return 0;
fail:
	for (int i = 0; i < 2; i++)
		if (in[i] >= 0)
			close(in[i]);
	if (out >= 0)
		close(out);
	if (err >= 0)
		close(err);
	fwd_app_result_free(res);
	return -EIO;
}

static void
fwd_app_result_free(struct fwd_app_result *res)
{
	free(res->out);
	free(res->err);
	res->out = res->err = NULL;
}

static int
fwd_app_parse_streams(const char *out, struct fwd_app_stream *st, int max)
{
	int n = 0;

	for (const char *p = strstr(out, "  Stream "); p != NULL && n < max;
	     p = strstr(p + 1, "  Stream ")) {
		struct fwd_app_stream *s = &st[n];

		if (sscanf(p,
			   "  Stream %u: port %u/queue %u -> port %u/queue %u (lcore %u): rx "
			   "%" SCNu64 " generated %" SCNu64 " tx %" SCNu64 " dropped %" SCNu64
			   " consumed %" SCNu64,
			   &s->idx, &s->rx_port, &s->rx_queue, &s->tx_port, &s->tx_queue, &s->lcore,
			   &s->rx, &s->generated, &s->tx, &s->dropped, &s->consumed) == 11)
			n++;
	}
	return n;
}

static int
fwd_app_check_streams(const struct fwd_app_stream *st, int n, const char *mode)
{
	DPX_TEST_ASSERT(n > 0, "no stream statistics in the output");
	for (int i = 0; i < n; i++) {
		const struct fwd_app_stream *s = &st[i];

		DPX_TEST_ASSERT_EQUAL(s->rx + s->generated, s->tx + s->dropped + s->consumed,
				      "stream %u: every packet in is sent, dropped or consumed",
				      s->idx);
		if (strcmp(mode, "txonly") == 0) {
			DPX_TEST_ASSERT(s->rx == 0 && s->generated > 0 && s->tx > 0,
					"txonly stream %u", s->idx);
		} else if (strcmp(mode, "rxonly") == 0) {
			DPX_TEST_ASSERT(s->rx > 0 && s->tx == 0 && s->consumed == s->rx,
					"rxonly stream %u", s->idx);
		} else {
			DPX_TEST_ASSERT(s->rx > 0 && s->tx > 0 && s->generated == 0 &&
						s->consumed == 0,
					"%s stream %u", mode, s->idx);
		}
	}
	return DPX_TEST_SUCCESS;
}

#define MAX_STREAMS 64

/* "--lcores=0@CPU": one lcore on the CPU we run on (forwarding on the main lcore). */
static const char *
one_lcore(void)
{
	static char arg[32];

	snprintf(arg, sizeof(arg), "--lcores=0@%d", sched_getcpu());
	return arg;
}

/* Two lcores on the CPU we run on: one worker forwards, the main one waits. */
static const char *
two_lcores(void)
{
	static char arg[32];

	snprintf(arg, sizeof(arg), "--lcores=0-1@%d", sched_getcpu());
	return arg;
}

static int
need_fwd(void)
{
	char path[PATH_MAX];

	return fwd_app_path(path, sizeof(path)) == 0;
}

static int
print_result(const struct fwd_app_result *r)
{
	printf("--- dpx-fwd exit %d, stdout:\n%s--- stderr:\n%s---\n", r->status,
	       r->out ? r->out : "", r->err ? r->err : "");
	return 0;
}

/* Run one mode over two net_null ports for a second and check the statistics. */
static int
run_mode(const char *mode, const char *lcores, const char *extra)
{
	char mode_arg[64];
	const char *args[] = {"--no-huge",	"--in-memory", lcores,	    "--vdev",
			      "net_null0",	"--vdev",      "net_null1", "--",
			      mode_arg,		"--run-time",  "1",	    "--record-core-cycles",
			      "--stats-period", "1",	       extra,	    NULL};
	struct fwd_app_stream st[MAX_STREAMS];
	struct fwd_app_result r;
	int n, rc;

	if (!need_fwd())
		DPX_TEST_SKIP("dpx-fwd is not built next to dpx-test (set DPX_FWD)");
	snprintf(mode_arg, sizeof(mode_arg), "--forward-mode=%s", mode);
	DPX_TEST_ASSERT_EQUAL(fwd_app_run(args, "", 0, &r), 0, "");
	print_result(&r);
	DPX_TEST_ASSERT_EQUAL(r.status, 0, "exit status");
	n = fwd_app_parse_streams(r.out, st, MAX_STREAMS);
	DPX_TEST_ASSERT_EQUAL(n, 2, "ports 0<->1: two streams");
	DPX_TEST_ASSERT(st[0].rx_port == 0 && st[0].tx_port == 1 && st[1].rx_port == 1 &&
				st[1].tx_port == 0,
			"paired ports");
	rc = fwd_app_check_streams(st, n, mode);
	DPX_TEST_ASSERT(strstr(r.out, "Accumulated forward statistics for all ports") != NULL, "");
	DPX_TEST_ASSERT(strstr(r.out, "CPU cycles/packet: ") != NULL, "--record-core-cycles");
	DPX_TEST_ASSERT(strstr(r.out, "  port 0: Rx-pps: ") != NULL, "live rates every second");
	fwd_app_result_free(&r);
	return rc;
}

static int
test_fwd_app_io(void)
{
	return run_mode("io", one_lcore(), NULL);
}

static int
test_fwd_app_mac(void)
{
	return run_mode("mac", two_lcores(), "--eth-peer=1,02:00:00:00:00:aa");
}

static int
test_fwd_app_macswap(void)
{
	return run_mode("macswap", two_lcores(), NULL);
}

static int
test_fwd_app_rxonly(void)
{
	return run_mode("rxonly", one_lcore(), NULL);
}

static int
test_fwd_app_txonly(void)
{
	return run_mode("txonly", two_lcores(), "--txpkts=64,100");
}

static int
test_fwd_app_interactive(void)
{
	const char *args[] = {"--no-huge", "--in-memory", one_lcore(), "--vdev", "net_null0",
			      "--vdev",	   "net_null1",	  "--",	       "-i",	 NULL};
	static const char script[] = "help\n"
				     "stop\n"
				     "start\n"
				     "@sleep 500\n"
				     "show port stats all\n"
				     "set fwd macswap\n"
				     "start\n"
				     "stop\n"
				     "set fwd macswap\n"
				     "bogus\n"
				     "show port xstats 1\n"
				     "show port stats 7\n"
				     "start\n"
				     "@sleep 500\n"
				     "stop\n"
				     "quit\n";
	static const char *const expected[] = {
		"  start                      start forwarding\n",
		"Packet forwarding not started\n",
		"io packet forwarding - ports=2 - cores=1 - streams=2\n",
		"NIC statistics for port 0 ",
		"NIC statistics for port 1 ",
		"Please stop forwarding first\n",
		"Packet forwarding already started\n",
		"Set macswap packet forwarding mode\n",
		"unknown command 'bogus' (type help)\n",
		"NIC extended statistics for port 1",
		"rx_good_packets: ",
		"no port 7 (ports: 0..1)\n",
		"macswap packet forwarding - ports=2 - cores=1 - streams=2\n",
	};
	struct fwd_app_stream st[MAX_STREAMS];
	struct fwd_app_result r;
	const char *p;
	int n;

	if (!need_fwd())
		DPX_TEST_SKIP("dpx-fwd is not built next to dpx-test (set DPX_FWD)");
	DPX_TEST_ASSERT_EQUAL(fwd_app_run(args, script, 0, &r), 0, "");
	print_result(&r);
	DPX_TEST_ASSERT_EQUAL(r.status, 0, "");
	/* in this order */
	p = r.out;
	for (size_t i = 0; i < DPX_DIM(expected); i++) {
		const char *q = strstr(p, expected[i]);

		DPX_TEST_ASSERT(q != NULL, "missing, or out of order: \"%s\"", expected[i]);
		p = q;
	}
	n = fwd_app_parse_streams(r.out, st, MAX_STREAMS);
	DPX_TEST_ASSERT_EQUAL(n, 4, "two runs of two streams");
	DPX_TEST_RUN(fwd_app_check_streams(st, n, "io"));
	fwd_app_result_free(&r);
	return DPX_TEST_SUCCESS;
}

/*
 * A pair of net_ring ports (what one sends the other receives): txonly fills
 * the rings (1023 packets each; the rest is dropped), then io circulates
 * exactly those packets without loss.
 */
static int
test_fwd_app_ring(void)
{
	const char *args[] = {"--no-huge",
			      "--in-memory",
			      two_lcores(),
			      "--vdev",
			      "net_ring0",
			      "--vdev",
			      "net_ring1,peer=net_ring0",
			      "--",
			      "-i",
			      "--forward-mode=txonly",
			      NULL};
	static const char script[] = "start\n"
				     "@sleep 300\n"
				     "stop\n"
				     "set fwd io\n"
				     "start\n"
				     "@sleep 300\n"
				     "stop\n"
				     "quit\n";
	struct fwd_app_stream st[MAX_STREAMS];
	struct fwd_app_result r;

	if (!need_fwd())
		DPX_TEST_SKIP("dpx-fwd is not built next to dpx-test (set DPX_FWD)");
	DPX_TEST_ASSERT_EQUAL(fwd_app_run(args, script, 0, &r), 0, "");
	print_result(&r);
	DPX_TEST_ASSERT_EQUAL(r.status, 0, "");
	DPX_TEST_ASSERT_EQUAL(fwd_app_parse_streams(r.out, st, MAX_STREAMS), 4, "two runs");
	DPX_TEST_RUN(fwd_app_check_streams(st, 2, "txonly"));
	DPX_TEST_RUN(fwd_app_check_streams(st + 2, 2, "io"));
	for (int i = 0; i < 2; i++) {
		DPX_TEST_ASSERT_EQUAL(st[i].tx, 1023, "txonly stream %d fills its ring", i);
		DPX_TEST_ASSERT(st[i].dropped > 0, "then drops");
		DPX_TEST_ASSERT_EQUAL(st[2 + i].dropped, 0, "io stream %d loses nothing", i);
	}
	fwd_app_result_free(&r);
	return DPX_TEST_SUCCESS;
}

/*
 * Check every frame of a pcap file (little-endian, microsecond format) as a
 * txonly frame of frame_len bytes: equal to want byte for byte when given,
 * else with valid IPv4 and UDP checksums.
 */
static int
check_pcap(const char *path, uint32_t frame_len, const uint8_t *want, uint64_t *count)
{
	FILE *f = fopen(path, "rb");
	uint8_t ghdr[24], rhdr[16], frame[2048];
	int rc = DPX_TEST_SUCCESS;

	*count = 0;
	DPX_TEST_ASSERT(f != NULL, "%s", path);
	if (fread(ghdr, 1, sizeof(ghdr), f) != sizeof(ghdr) || ghdr[0] != 0xd4 || ghdr[1] != 0xc3) {
		fclose(f);
		DPX_TEST_ASSERT(0, "not a pcap file");
	}
	while (rc == DPX_TEST_SUCCESS && fread(rhdr, 1, sizeof(rhdr), f) == sizeof(rhdr)) {
		uint32_t caplen =
			rhdr[8] | rhdr[9] << 8 | rhdr[10] << 16 | (uint32_t)rhdr[11] << 24;

		if (caplen != frame_len || fread(frame, 1, caplen, f) != caplen ||
		    (want != NULL ? memcmp(frame, want, caplen) : fwd_udp4_verify(frame, caplen)) !=
			    0) {
			printf("frame %" PRIu64 ": caplen %u\n", *count, caplen);
			rc = DPX_TEST_FAILED;
		}
		(*count)++;
	}
	fclose(f);
	return rc;
}

/* txonly through net_pcap: every frame on the wire has the right length and valid checksums. */
static int
test_fwd_app_txonly_pcap(void)
{
	char path[64], vdev[128];
	const char *args[] = {"--no-huge",
			      "--in-memory",
			      one_lcore(),
			      "--vdev",
			      "net_null0",
			      "--vdev",
			      vdev,
			      "--",
			      "--forward-mode=txonly",
			      "--txpkts=42,30,8",
			      "--tx-pps=2000",
			      "--run-time=1",
			      NULL};
	struct fwd_app_stream st[MAX_STREAMS];
	struct fwd_app_result r;
	uint64_t frames = 0;
	int rc;

	if (!need_fwd())
		DPX_TEST_SKIP("dpx-fwd is not built next to dpx-test (set DPX_FWD)");
	snprintf(path, sizeof(path), "/tmp/dpx-fwd-test-%d.pcap", (int)getpid());
	snprintf(vdev, sizeof(vdev), "net_pcap1,tx_pcap=%s", path);
	DPX_TEST_ASSERT_EQUAL(fwd_app_run(args, "", 0, &r), 0, "");
	print_result(&r);
	rc = check_pcap(path, 80, NULL, &frames);
	unlink(path);
	DPX_TEST_ASSERT_EQUAL(rc, DPX_TEST_SUCCESS, "frames in the capture");
	DPX_TEST_ASSERT_EQUAL(r.status, 0, "");
	DPX_TEST_ASSERT_EQUAL(fwd_app_parse_streams(r.out, st, MAX_STREAMS), 2, "");
	DPX_TEST_RUN(fwd_app_check_streams(st, 2, "txonly"));
	DPX_TEST_ASSERT_EQUAL(st[0].tx_port, 1, "");
	DPX_TEST_ASSERT_EQUAL(frames, st[0].tx, "every packet sent to net_pcap1 is in the file");
	fwd_app_result_free(&r);
	return DPX_TEST_SUCCESS;
}

/*
 * Two processes over vhost-user: dpx-fwd A sends txonly frames (in three
 * chained segments) on net_virtio_user; dpx-fwd B forwards what its net_vhost
 * receives to a pcap file. Every frame A sent is in the file, byte for byte.
 */
static int
test_fwd_app_virtio_user_pcap(void)
{
	char sock[64], pcap[64], aout[64], vhost[128], pcapdev[128], fwd[PATH_MAX];
	const char *args[] = {"--no-huge", "--in-memory", one_lcore(), "--vdev", vhost,
			      "--vdev",	   pcapdev,	  "--",	       "-i",	 NULL};
	struct fwd_app_stream st[MAX_STREAMS], sta[MAX_STREAMS];
	struct fwd_txonly_cfg cfg;
	struct fwd_app_result r;
	uint8_t want[80];
	uint64_t frames = 0;
	static char aoutbuf[OUT_MAX];
	static char script[PATH_MAX + 1024];

	if (!need_fwd() || fwd_app_path(fwd, sizeof(fwd)) != 0)
		DPX_TEST_SKIP("dpx-fwd is not built next to dpx-test (set DPX_FWD)");
	snprintf(sock, sizeof(sock), "/tmp/dpx-fwd-vu-%d.sock", (int)getpid());
	snprintf(pcap, sizeof(pcap), "/tmp/dpx-fwd-vu-%d.pcap", (int)getpid());
	snprintf(aout, sizeof(aout), "/tmp/dpx-fwd-vu-%d.out", (int)getpid());
	snprintf(vhost, sizeof(vhost), "net_vhost0,iface=%s", sock);
	snprintf(pcapdev, sizeof(pcapdev), "net_pcap1,tx_pcap=%s", pcap);
	snprintf(script, sizeof(script),
		 "start\n"
		 "@sh %s --no-huge --in-memory %s --file-prefix=fwdvu-%d --vdev "
		 "net_virtio_user0,path=%s,mac=02:00:00:00:aa:01 -- --forward-mode=txonly "
		 "--txpkts=42,30,8 --tx-pps=2000 --run-time=1 >%s 2>&1\n"
		 "@sleep 300\n"
		 "stop\n"
		 "quit\n",
		 fwd, one_lcore(), (int)getpid(), sock, aout);
	DPX_TEST_ASSERT_EQUAL(fwd_app_run(args, script, 0, &r), 0, "");
	print_result(&r);
	int fd = open(aout, O_RDONLY);
	DPX_TEST_ASSERT(fd >= 0, "");
	read_file(fd, aoutbuf, sizeof(aoutbuf));
	close(fd);
	unlink(aout);
	printf("--- sender:\n%s---\n", aoutbuf);
	fwd_txonly_cfg_defaults(&cfg);
	memcpy(cfg.src_mac, (const uint8_t[]){0x02, 0, 0, 0, 0xaa, 0x01}, 6);
	memcpy(cfg.dst_mac, (const uint8_t[]){0x02, 0, 0, 0, 0, 0}, 6); /* peer of port 0 */
	DPX_TEST_ASSERT_EQUAL(fwd_txonly_build(want, sizeof(want), &cfg), 0, "");
	int rc = check_pcap(pcap, sizeof(want), want, &frames);
	unlink(pcap);
	DPX_TEST_ASSERT_EQUAL(rc, DPX_TEST_SUCCESS, "frames in the capture");
	DPX_TEST_ASSERT_EQUAL(r.status, 0, "");
	DPX_TEST_ASSERT_EQUAL(r.sh_failures, 0, "the sender exited 0");
	DPX_TEST_ASSERT_EQUAL(fwd_app_parse_streams(aoutbuf, sta, MAX_STREAMS), 1, "");
	DPX_TEST_RUN(fwd_app_check_streams(sta, 1, "txonly"));
	DPX_TEST_ASSERT_EQUAL(fwd_app_parse_streams(r.out, st, MAX_STREAMS), 2, "");
	DPX_TEST_ASSERT(st[0].tx == st[0].rx && st[0].dropped == 0, "vhost -> pcap lost nothing");
	DPX_TEST_ASSERT(sta[0].tx > 500, "the sender sent (%" PRIu64 ")", sta[0].tx);
	DPX_TEST_ASSERT_EQUAL(st[0].rx, sta[0].tx, "net_vhost received all virtio_user sent");
	DPX_TEST_ASSERT_EQUAL(frames, sta[0].tx, "every frame in the capture");
	fwd_app_result_free(&r);
	return DPX_TEST_SUCCESS;
}

/* A stopped port: streams receiving on it idle, what is sent to it is dropped, the others run. */
static int
test_fwd_app_port_down(void)
{
	const char *args[] = {"--no-huge", "--in-memory", one_lcore(), "--vdev", "net_null0",
			      "--vdev",	   "net_null1",	  "--",	       "-i",	 NULL};
	static const char script[] = "port stop 1\n"
				     "start\n"
				     "port start 1\n"
				     "@sleep 300\n"
				     "stop\n"
				     "port start 1\n"
				     "quit\n";
	struct fwd_app_stream st[MAX_STREAMS];
	struct fwd_app_result r;

	if (!need_fwd())
		DPX_TEST_SKIP("dpx-fwd is not built next to dpx-test (set DPX_FWD)");
	DPX_TEST_ASSERT_EQUAL(fwd_app_run(args, script, 0, &r), 0, "");
	print_result(&r);
	DPX_TEST_ASSERT_EQUAL(r.status, 0, "");
	DPX_TEST_ASSERT(strstr(r.out, "Port 1: stopped\n") != NULL, "");
	DPX_TEST_ASSERT(
		strstr(r.out, "RX P=1/Q=0 -> TX P=0/Q=0 on lcore 0 (port down: idle)") != NULL, "");
	DPX_TEST_ASSERT(strstr(r.out, "Please stop forwarding first\n") != NULL, "");
	DPX_TEST_ASSERT(strstr(strstr(r.out, "Accumulated"), "Port 1: started") != NULL,
			"restarted after stop");
	DPX_TEST_ASSERT_EQUAL(fwd_app_parse_streams(r.out, st, MAX_STREAMS), 2, "");
	DPX_TEST_ASSERT(st[0].rx > 0 && st[0].tx == 0 && st[0].dropped == st[0].rx,
			"everything sent to the stopped port is dropped");
	DPX_TEST_ASSERT(st[1].rx == 0 && st[1].tx == 0, "the stopped port's stream idles");
	fwd_app_result_free(&r);
	return DPX_TEST_SUCCESS;
}

static int
expect_error(const char *const *args, int status, const char *msg)
{
	struct fwd_app_result r;

	DPX_TEST_ASSERT_EQUAL(fwd_app_run(args, "", 0, &r), 0, "");
	print_result(&r);
	DPX_TEST_ASSERT_EQUAL(r.status, status, "");
	DPX_TEST_ASSERT(strstr(r.err, msg) != NULL, "stderr lacks \"%s\"", msg);
	fwd_app_result_free(&r);
	return DPX_TEST_SUCCESS;
}

static int
test_fwd_app_errors(void)
{
	const char *bad_burst[] = {"--no-huge", "--in-memory", one_lcore(), "--vdev", "net_null0",
				   "--",	"--burst",     "0",	    NULL};
	const char *bad_cores[] = {"--no-huge",	   "--in-memory",  one_lcore(),
				   "--vdev",	   "net_null0",	   "--",
				   "--nb-cores=2", "--run-time=1", NULL};
	const char *no_port[] = {"--no-huge", "--in-memory",  one_lcore(),
				 "--",	      "--run-time=1", NULL};
	const char *bad_eal[] = {"--no-huge", "--in-memory", "--bogus-eal", NULL};
	const char *help[] = {"--no-huge", "--in-memory", one_lcore(), "--", "--help", NULL};
	struct fwd_app_result r;

	if (!need_fwd())
		DPX_TEST_SKIP("dpx-fwd is not built next to dpx-test (set DPX_FWD)");
	DPX_TEST_RUN(expect_error(
		bad_burst, 1,
		"dpx-fwd: invalid value '0' for --burst: expected an integer in 1..512\n"));
	DPX_TEST_RUN(expect_error(bad_cores, 1, "--nb-cores 2: only 1 forwarding lcore(s)"));
	DPX_TEST_RUN(expect_error(no_port, 1, "dpx-fwd: no ports (add some with --vdev"));
	DPX_TEST_RUN(expect_error(bad_eal, 1, "dpx-fwd: EAL initialisation failed"));
	DPX_TEST_ASSERT_EQUAL(fwd_app_run(help, "", 0, &r), 0, "");
	DPX_TEST_ASSERT_EQUAL(r.status, 0, "");
	DPX_TEST_ASSERT(strstr(r.out, "--forward-mode MODE") != NULL, "usage printed");
	fwd_app_result_free(&r);
	return DPX_TEST_SUCCESS;
}

static int
test_fwd_app_signal(void)
{
	const char *args[] = {"--no-huge", "--in-memory", two_lcores(), "--vdev",
			      "net_null0", "--",	  NULL};
	struct fwd_app_stream st[MAX_STREAMS];
	struct fwd_app_result r;
	int n;

	if (!need_fwd())
		DPX_TEST_SKIP("dpx-fwd is not built next to dpx-test (set DPX_FWD)");
	DPX_TEST_ASSERT_EQUAL(fwd_app_run(args, "", 1000, &r), 0, "");
	print_result(&r);
	DPX_TEST_ASSERT_EQUAL(r.status, 0, "SIGINT is a clean stop");
	DPX_TEST_ASSERT(strstr(r.out, "Signal received, stopping.") != NULL, "");
	n = fwd_app_parse_streams(r.out, st, MAX_STREAMS);
	DPX_TEST_ASSERT_EQUAL(n, 1, "a lone port loops to itself");
	DPX_TEST_ASSERT(st[0].rx_port == 0 && st[0].tx_port == 0, "");
	DPX_TEST_RUN(fwd_app_check_streams(st, n, "io"));
	fwd_app_result_free(&r);
	return DPX_TEST_SUCCESS;
}

/* Figures from the accumulated block: packets received, and cycles per packet. */
static int
parse_totals(const char *out, double *secs, uint64_t *rx, double *cpp)
{
	const char *acc = strstr(out, "Accumulated forward statistics");
	const char *t = strstr(out, "forwarded for ");

	if (acc == NULL || t == NULL || sscanf(t, "forwarded for %lf s", secs) != 1)
		return -EINVAL;
	if (sscanf(strstr(acc, "RX-packets:"), "RX-packets: %" SCNu64, rx) != 1)
		return -EINVAL;
	*cpp = 0;
	if (strstr(acc, "CPU cycles/packet: ") != NULL)
		sscanf(strstr(acc, "CPU cycles/packet: "), "CPU cycles/packet: %lf", cpp);
	return 0;
}

static int
test_fwd_perf_null_io(void)
{
	const char *lcores = sysconf(_SC_NPROCESSORS_ONLN) >= 2 ? "--lcores=0-1" : "--lcores=0-1@0";
	const char *args[] = {"--no-huge",
			      "--in-memory",
			      lcores,
			      "--vdev",
			      "net_null0",
			      "--vdev",
			      "net_null1",
			      "--",
			      "--nb-cores=1",
			      "--run-time=3",
			      "--record-core-cycles",
			      NULL};
	struct fwd_app_result r;
	uint64_t rx;
	double secs, cpp;

	if (!need_fwd())
		DPX_TEST_SKIP("dpx-fwd is not built next to dpx-test (set DPX_FWD)");
	DPX_TEST_ASSERT_EQUAL(fwd_app_run(args, "", 0, &r), 0, "");
	DPX_TEST_ASSERT_EQUAL(r.status, 0, "%s", r.err);
	DPX_TEST_ASSERT_EQUAL(parse_totals(r.out, &secs, &rx, &cpp), 0, "%s", r.out);
	DPX_TEST_PERF("dpx-fwd io 2x net_null 1 core burst 32", rx / secs / 1e6, "Mpps");
	DPX_TEST_PERF("dpx-fwd io 2x net_null cycles per packet", cpp, "cycles");
	fwd_app_result_free(&r);
	return DPX_TEST_SUCCESS;
}

/*
 * Two TAP ports in io mode; each TAP interface moved into its own network
 * namespace with an address in 198.18.0.0/24 (RFC 2544 benchmark range);
 * ping across dpx-fwd.
 */
static int
test_fwd_app_tap_ping(void)
{
	char tap0[32], tap1[32], vdev0[64], vdev1[64], script[4096], cleanup[256];
	const char *args[] = {"--no-huge", "--in-memory",  one_lcore(), "--vdev",
			      vdev0,	   "--vdev",	   vdev1,	"--",
			      "-i",	   "--auto-start", NULL};
	struct fwd_app_stream st[MAX_STREAMS];
	struct fwd_app_result r;
	int pid = (int)getpid(), n, rc;

	if (geteuid() != 0)
		DPX_TEST_SKIP("needs root (network namespaces and TAP interfaces)");
	if (access("/dev/net/tun", R_OK | W_OK) != 0)
		DPX_TEST_SKIP("no /dev/net/tun");
	if (system("command -v ip >/dev/null && command -v ping >/dev/null") != 0)
		DPX_TEST_SKIP("needs ip (iproute2) and ping (iputils-ping)");
	if (!need_fwd())
		DPX_TEST_SKIP("dpx-fwd is not built next to dpx-test (set DPX_FWD)");
	snprintf(cleanup, sizeof(cleanup),
		 "ip netns del dpxfwdA%d 2>/dev/null; ip netns del dpxfwdB%d 2>/dev/null", pid,
		 pid);
	snprintf(script, sizeof(script), "ip netns add dpxfwdA%d && ip netns add dpxfwdB%d", pid,
		 pid);
	if (system(script) != 0) {
		if (system(cleanup) != 0)
			printf("cleanup of the namespaces reported an error\n");
		DPX_TEST_SKIP("cannot create network namespaces (ip netns add failed)");
	}
	snprintf(tap0, sizeof(tap0), "dpxfa%d", pid % 1000000);
	snprintf(tap1, sizeof(tap1), "dpxfb%d", pid % 1000000);
	snprintf(vdev0, sizeof(vdev0), "net_tap0,iface=%s", tap0);
	snprintf(vdev1, sizeof(vdev1), "net_tap1,iface=%s", tap1);
	snprintf(script, sizeof(script),
		 "@sh for i in $(seq 100); do ip link show %s >/dev/null 2>&1 && ip link show %s "
		 ">/dev/null 2>&1 && exit 0; sleep 0.1; done; exit 1\n"
		 "@sh ip link set %s netns dpxfwdA%d && ip link set %s netns dpxfwdB%d\n"
		 "@sh ip -n dpxfwdA%d addr add 198.18.0.1/24 dev %s && ip -n dpxfwdA%d link set %s "
		 "up\n"
		 "@sh ip -n dpxfwdB%d addr add 198.18.0.2/24 dev %s && ip -n dpxfwdB%d link set %s "
		 "up\n"
		 "@sh ip netns exec dpxfwdA%d ping -c 3 -i 0.2 -W 2 198.18.0.2\n"
		 "stop\n"
		 "quit\n",
		 tap0, tap1, tap0, pid, tap1, pid, pid, tap0, pid, tap0, pid, tap1, pid, tap1, pid);
	rc = fwd_app_run(args, script, 0, &r);
	if (system(cleanup) != 0)
		printf("cleanup of the namespaces reported an error\n");
	DPX_TEST_ASSERT_EQUAL(rc, 0, "");
	print_result(&r);
	DPX_TEST_ASSERT_EQUAL(r.sh_failures, 0, "set-up or ping failed (see above)");
	DPX_TEST_ASSERT_EQUAL(r.status, 0, "");
	n = fwd_app_parse_streams(r.out, st, MAX_STREAMS);
	DPX_TEST_ASSERT_EQUAL(n, 2, "");
	DPX_TEST_RUN(fwd_app_check_streams(st, n, "io"));
	/* the interfaces are in other namespaces now: the ports stop all the same */
	DPX_TEST_ASSERT(strstr(r.out, "Port 0: stopped") != NULL &&
				strstr(r.out, "Port 1: stopped") != NULL &&
				strstr(r.out, "failed to stop") == NULL,
			"%s", r.out);
	fwd_app_result_free(&r);
	return DPX_TEST_SUCCESS;
}

DPX_TEST_REGISTER(fwd_app_io, fast, test_fwd_app_io);
DPX_TEST_REGISTER(fwd_app_mac, fast, test_fwd_app_mac);
DPX_TEST_REGISTER(fwd_app_macswap, fast, test_fwd_app_macswap);
DPX_TEST_REGISTER(fwd_app_rxonly, fast, test_fwd_app_rxonly);
DPX_TEST_REGISTER(fwd_app_txonly, fast, test_fwd_app_txonly);
DPX_TEST_REGISTER(fwd_app_interactive, fast, test_fwd_app_interactive);
DPX_TEST_REGISTER(fwd_app_errors, fast, test_fwd_app_errors);
DPX_TEST_REGISTER(fwd_app_ring, fast, test_fwd_app_ring);
DPX_TEST_REGISTER(fwd_app_txonly_pcap, fast, test_fwd_app_txonly_pcap);
DPX_TEST_REGISTER(fwd_app_virtio_user_pcap, fast, test_fwd_app_virtio_user_pcap);
DPX_TEST_REGISTER(fwd_app_port_down, fast, test_fwd_app_port_down);
DPX_TEST_REGISTER(fwd_app_signal, fast, test_fwd_app_signal);
DPX_TEST_REGISTER(fwd_app_tap_ping, fast, test_fwd_app_tap_ping);
DPX_TEST_REGISTER(fwd_perf_null_io, perf, test_fwd_perf_null_io);
