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
#include <stdbool.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <dpx_config.h>

#include "dpx_test.h"
#include "fwd_parse.h"
#include "guest_helpers.h"
#include "fwd_pkt.h"

#define OUT_MAX (256 * 1024)

/* What every run here starts with, and the port sets the cases share. */
#define EAL_ARGS "--no-huge", "--in-memory"
#define NULL_PAIR "--vdev", "net_null0", "--vdev", "net_null1"
#define RING_PAIR "--vdev", "net_ring0", "--vdev", "net_ring1,peer=net_ring0"

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

/* Run the next dpx-fwd as this user (0: as we are); for what a non-root user sees. */
static uid_t run_as_uid;

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
		if (run_as_uid != 0 && (setgid(run_as_uid) != 0 || setuid(run_as_uid) != 0))
			_exit(126);
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
		} else if (strcmp(mode, "flowgen") == 0) {
			DPX_TEST_ASSERT(s->generated > 0 && s->tx > 0 && s->consumed == s->rx,
					"flowgen stream %u: frees what it receives", s->idx);
		} else if (strcmp(mode, "icmpecho") == 0) {
			/* net_null's frames are zeros: no request among them */
			DPX_TEST_ASSERT(s->rx > 0 && s->tx == 0 && s->consumed == s->rx,
					"icmpecho stream %u", s->idx);
		} else if (strcmp(mode, "rxonly") == 0) {
			DPX_TEST_ASSERT(s->rx > 0 && s->tx == 0 && s->consumed == s->rx,
					"rxonly stream %u", s->idx);
		} else if (strcmp(mode, "tx_first") == 0) {
			DPX_TEST_ASSERT(s->rx > 0 && s->tx > 0 && s->generated > 0 &&
						s->consumed == 0,
					"io after tx_first, stream %u", s->idx);
		} else {
			DPX_TEST_ASSERT(s->rx > 0 && s->tx > 0 && s->generated == 0 &&
						s->consumed == 0,
					"%s stream %u", mode, s->idx);
		}
	}
	return DPX_TEST_SUCCESS;
}

#define MAX_STREAMS 64

/*
 * The last forward-statistics report in dpx-fwd's output, read with the
 * parser written from testpmd's text; its blocks must add up and agree with
 * dpx's per-stream lines.
 */
static int
fwd_app_check_report(const char *out, int nb_ports, struct fwd_parsed_fwd *r)
{
	struct fwd_app_stream st[MAX_STREAMS];
	const char *last = NULL, *p = strstr(out, "Waiting for lcores to finish...");
	uint64_t rx = 0, tx = 0, dropped = 0, port_rx = 0, port_tx = 0;
	int n;

	while (p != NULL) {
		last = p;
		p = strstr(p + 1, "Waiting for lcores to finish...");
	}
	DPX_TEST_ASSERT(last != NULL, "no stop in the output");
	DPX_TEST_ASSERT(fwd_parse_fwd_stats(last, r) != NULL, "testpmd's parser cannot read it");
	DPX_TEST_ASSERT(r->done, "no Done. after the statistics");
	DPX_TEST_ASSERT_EQUAL(r->nb_ports, nb_ports, "port blocks");
	for (int i = 0; i < r->nb_ports; i++) {
		port_rx += r->ports[i].rx_packets;
		port_tx += r->ports[i].tx_packets;
		DPX_TEST_ASSERT_EQUAL(r->ports[i].tx_total,
				      r->ports[i].tx_packets + r->ports[i].tx_dropped, "");
	}
	DPX_TEST_ASSERT_EQUAL(r->total.rx_packets, port_rx, "accumulated RX-packets");
	DPX_TEST_ASSERT_EQUAL(r->total.tx_packets, port_tx, "accumulated TX-packets");
	n = fwd_app_parse_streams(last, st, MAX_STREAMS);
	for (int i = 0; i < n; i++) {
		rx += st[i].rx;
		tx += st[i].tx;
		dropped += st[i].dropped;
	}
	DPX_TEST_ASSERT_EQUAL(r->total.rx_packets, rx, "streams' rx");
	DPX_TEST_ASSERT_EQUAL(r->total.tx_packets, tx, "streams' tx");
	DPX_TEST_ASSERT_EQUAL(r->total.tx_dropped, dropped, "streams' dropped");
	return DPX_TEST_SUCCESS;
}

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
	const char *args[] = {EAL_ARGS,		lcores,	      NULL_PAIR, "--",
			      mode_arg,		"--run-time", "1",	 "--record-core-cycles",
			      "--stats-period", "1",	      extra,	 NULL};
	struct fwd_app_stream st[MAX_STREAMS];
	struct fwd_parsed_config cfg;
	struct fwd_parsed_fwd rep;
	struct fwd_parsed_nic nic;
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
	DPX_TEST_RUN(fwd_app_check_report(r.out, 2, &rep));
	DPX_TEST_ASSERT(rep.has_cycles && strcmp(rep.cycles_mode, mode) == 0,
			"--record-core-cycles: testpmd's cycles line for %s", mode);
	DPX_TEST_ASSERT(fwd_parse_config(r.out, &cfg) != NULL && strcmp(cfg.mode, mode) == 0 &&
				cfg.nb_lines == 2,
			"the stream list at start");
	DPX_TEST_ASSERT(strstr(r.out, "\nPort statistics ====") != NULL &&
				fwd_parse_nic_stats(strstr(r.out, "Port statistics ===="), &nic) !=
					NULL,
			"--stats-period prints testpmd's port statistics");
	fwd_app_result_free(&r);
	return rc;
}

/* One case per mode: run_mode(mode, lcores, extra option). */
#define MODE_CASE(name, mode, lcores, extra)            \
	static int test_fwd_app_##name(void)            \
	{                                               \
		return run_mode(mode, lcores(), extra); \
	}

MODE_CASE(io, "io", one_lcore, NULL)
MODE_CASE(mac, "mac", two_lcores, "--eth-peer=1,02:00:00:00:00:aa")
MODE_CASE(macswap, "macswap", two_lcores, NULL)
MODE_CASE(rxonly, "rxonly", one_lcore, NULL)
MODE_CASE(txonly, "txonly", two_lcores, "--txpkts=64,100")
MODE_CASE(flowgen, "flowgen", two_lcores, NULL)
MODE_CASE(icmpecho, "icmpecho", one_lcore, NULL)
MODE_CASE(csum, "csum", one_lcore, NULL)
MODE_CASE(5tswap, "5tswap", two_lcores, NULL)

/* Each expected piece in order in out. */
static int
expect_in_order(const char *out, const char *const *expected, size_t n)
{
	const char *p = out;

	for (size_t i = 0; i < n; i++) {
		const char *q = strstr(p, expected[i]);

		DPX_TEST_ASSERT(q != NULL, "missing, or out of order: \"%s\"", expected[i]);
		p = q + strlen(expected[i]);
	}
	return DPX_TEST_SUCCESS;
}

static int
test_fwd_app_interactive(void)
{
	const char *args[] = {EAL_ARGS, one_lcore(), NULL_PAIR, "--", "-i", NULL};
	static const char script[] = "help\n"
				     "stop\n"
				     "show fwd stats all\n"
				     "show config fwd\n"
				     "start\n"
				     "@sleep 300\n"
				     "show fwd stats all\n"
				     "show port stats all\n"
				     "set fwd macswap\n"
				     "start\n"
				     "port stop 0\n"
				     "stop\n"
				     "set fwd macswap\n"
				     "bogus\n"
				     "show port foo all\n"
				     "show port xstats 1\n"
				     "show port stats 7\n"
				     "set nbcore 5\n"
				     "set nbcore 1\n"
				     "set burst 16\n"
				     "set txpkts 64,36\n"
				     "set txpkts 20\n"
				     "set fwd txonly\n"
				     "start\n"
				     "@sleep 300\n"
				     "stop\n"
				     "clear port stats all\n"
				     "show port stats 0\n"
				     "exit\n";
	static const char *const expected[] = {
		"  start                              start forwarding\n",
		"  port attach NAME[,KEY=VALUE...]    add a virtual device",
		"Packet forwarding not started\n",
		"Packet forwarding not started\n",
		"io packet forwarding - ports=2 - cores=1 - streams=2\n"
		"Logical Core 0 (socket 0) forwards packets on 2 streams:\n"
		"  RX P=0/Q=0 (socket 0) -> TX P=1/Q=0 (socket 0) peer=02:00:00:00:00:01\n"
		"  RX P=1/Q=0 (socket 0) -> TX P=0/Q=0 (socket 0) peer=02:00:00:00:00:00\n\n",
		"io packet forwarding - ports=2 - cores=1 - streams=2\n",
		"  io packet forwarding packets/burst=32\n"
		"  nb forwarding cores=1 - nb forwarding ports=2\n"
		"  port 0: RX queue number: 1 Tx queue number: 1\n"
		"  port 1: RX queue number: 1 Tx queue number: 1\n",
		"Accumulated forward statistics for all ports",
		"NIC statistics for port 0 ",
		"NIC statistics for port 1 ",
		"Please stop forwarding first\n",
		"Packet forwarding already started\n",
		"Please stop forwarding first\n",
		"\nDone.\n",
		"Set macswap packet forwarding mode\n",
		"unknown command 'bogus' (type help)\n",
		"show port: unknown subcommand 'foo': expected stats, xstats, info\n"
		"usage: show port stats all|N\n",
		"NIC extended statistics for port 1",
		"rx_good_packets: ",
		"Invalid port 7: valid ports are 0 1\n",
		"nb fwd cores 5 > 1 (max. number of configured lcores) - ignored\n",
		"Number of forwarding cores set to 1\n",
		"Number of packets per burst set to 16\n",
		"invalid value '20' for set txpkts: the first segment must hold the 42-byte "
		"headers\n",
		"Set txonly packet forwarding mode\n",
		"txonly packet forwarding - ports=2 - cores=1 - streams=2\n",
		"  txonly packet forwarding packets/burst=16\n"
		"  packet len=100 - nb packet segments=2\n",
		"\nDone.\n",
		"\n  NIC statistics for port 0 cleared\n\n  NIC statistics for port 1 cleared\n",
		"  RX-packets: 0          RX-missed: 0          RX-bytes:  0\n",
	};
	struct fwd_app_stream st[MAX_STREAMS];
	struct fwd_parsed_fwd rep;
	struct fwd_app_result r;
	int n;

	if (!need_fwd())
		DPX_TEST_SKIP("dpx-fwd is not built next to dpx-test (set DPX_FWD)");
	DPX_TEST_ASSERT_EQUAL(fwd_app_run(args, script, 0, &r), 0, "");
	print_result(&r);
	DPX_TEST_ASSERT_EQUAL(r.status, 0, "");
	DPX_TEST_RUN(expect_in_order(r.out, expected, DPX_DIM(expected)));
	n = fwd_app_parse_streams(r.out, st, MAX_STREAMS);
	DPX_TEST_ASSERT_EQUAL(n, 6,
			      "show fwd stats while forwarding, then two stops: 2 streams each");
	DPX_TEST_RUN(fwd_app_check_streams(st + 2, 2, "io"));
	DPX_TEST_RUN(fwd_app_check_streams(st + 4, 2, "txonly"));
	/* "show fwd stats all" while forwarding is a report testpmd's parser reads too */
	DPX_TEST_ASSERT(fwd_parse_fwd_stats(strstr(r.out, "Packet forwarding not started\nio"),
					    &rep) != NULL &&
				!rep.done && rep.nb_ports == 2,
			"");
	DPX_TEST_RUN(fwd_app_check_report(r.out, 2, &rep));
	DPX_TEST_ASSERT(rep.total.tx_packets > 0 && rep.total.rx_packets == 0, "txonly last");
	fwd_app_result_free(&r);
	return DPX_TEST_SUCCESS;
}

/*
 * Prompt input as a script gives it: a line longer than the prompt takes is
 * refused whole (its tail is not run as a command of its own), a start with
 * every port detached says what to do, and a --cmdline-file that cannot be
 * read says so instead of running nothing.
 */
static int
test_fwd_app_prompt_input(void)
{
	const char *args[] = {EAL_ARGS, one_lcore(), NULL_PAIR, "--", "-i", NULL};
	const char *dir_args[] = {EAL_ARGS, one_lcore(), NULL_PAIR, "--", "-i",
				  "--cmdline-file", "/tmp", NULL};
	static const char *const expected[] = {
		"line too long (limit 511 characters)\n",
		"Set macswap packet forwarding mode\n",
		"macswap packet forwarding - ports=2",
		"Now total ports is 0\nDone\n",
		"cannot start forwarding: no ports (add one with port attach NAME)\n",
	};
	char script[2048];
	struct fwd_app_result r;
	int n;

	if (!need_fwd())
		DPX_TEST_SKIP("dpx-fwd is not built next to dpx-test (set DPX_FWD)");
	/* 515 blanks, then a command: cut at 511 bytes it would run on its own */
	n = snprintf(script, sizeof(script), "%515s", "");
	snprintf(script + n, sizeof(script) - (size_t)n,
		 "set fwd rxonly\nset fwd macswap\nshow config fwd\n"
		 "port stop all\nport detach 0\nport detach 1\nstart\nquit\n");
	DPX_TEST_ASSERT_EQUAL(fwd_app_run(args, script, 0, &r), 0, "");
	print_result(&r);
	DPX_TEST_ASSERT_EQUAL(r.status, 0, "");
	DPX_TEST_RUN(expect_in_order(r.out, expected, DPX_DIM(expected)));
	DPX_TEST_ASSERT(strstr(r.out, "Set rxonly") == NULL, "the long line's tail did not run");
	fwd_app_result_free(&r);

	DPX_TEST_ASSERT_EQUAL(fwd_app_run(dir_args, "quit\n", 0, &r), 0, "");
	print_result(&r);
	DPX_TEST_ASSERT_EQUAL(r.status, 1, "a --cmdline-file that cannot be read fails the run");
	DPX_TEST_ASSERT(strstr(r.err, "dpx-fwd: --cmdline-file /tmp: Is a directory\n") != NULL,
			"one line naming the file and why");
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
	const char *args[] = {EAL_ARGS,	   two_lcores(), "--vdev",
			      "net_ring0", "--vdev",	 "net_ring1,peer=net_ring0",
			      "--",	   "-i",	 "--forward-mode=txonly",
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

/* What check_pcap checks of the addresses of frame i. */
enum pcap_flows {
	FLOWS_NONE,
	FLOWS_SRC, /* --txonly-multi-flow: from 198.18.0.1 + i (mod 1024), to 198.18.0.2 */
	FLOWS_DST, /* flowgen: from 198.18.0.1, to 198.18.0.2 + i (mod 1024) */
};

static uint32_t
ip_at(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3];
}

/*
 * Check every frame of a pcap file (little-endian, microsecond format) as a
 * txonly frame of frame_len bytes: equal to want byte for byte when given,
 * else with valid IPv4 and UDP checksums; with the addresses flows says.
 */
static int
check_pcap(const char *path, uint32_t frame_len, enum pcap_flows flows, const uint8_t *want,
	   uint64_t *count)
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

		uint32_t flow = (uint32_t)(*count % 1024);
		uint32_t want_src = (198u << 24 | 18u << 16 | 1) + (flows == FLOWS_SRC ? flow : 0);
		uint32_t want_dst = (198u << 24 | 18u << 16 | 2) + (flows == FLOWS_DST ? flow : 0);

		if (caplen != frame_len || fread(frame, 1, caplen, f) != caplen ||
		    (want != NULL ? memcmp(frame, want, caplen) : fwd_udp4_verify(frame, caplen)) !=
			    0 ||
		    (flows != FLOWS_NONE &&
		     (ip_at(frame + 26) != want_src || ip_at(frame + 30) != want_dst))) {
			printf("frame %" PRIu64 ": caplen %u\n", *count, caplen);
			rc = DPX_TEST_FAILED;
		}
		(*count)++;
	}
	fclose(f);
	return rc;
}

/*
 * Generate into net_pcap: dpx-fwd with ports net_null0 and net_pcap1 (tx
 * only) and the options opts (at most 8), script fed to it; then every frame
 * of the capture checked (check_pcap) and counted into *frames, the file
 * removed. r is the run's result for the caller to check and free.
 */
static int
run_into_pcap(const char *const *opts, const char *script, uint32_t frame_len,
	      enum pcap_flows flows, struct fwd_app_result *r, uint64_t *frames)
{
	char path[64], vdev[128];
	const char *args[20] = {EAL_ARGS, one_lcore(), "--vdev", "net_null0", "--vdev", vdev, "--"};
	int n = 8, rc;

	for (int i = 0; opts[i] != NULL && n < 19; i++)
		args[n++] = opts[i];
	args[n] = NULL;
	snprintf(path, sizeof(path), "/tmp/dpx-fwd-test-%d.pcap", (int)getpid());
	snprintf(vdev, sizeof(vdev), "net_pcap1,tx_pcap=%s", path);
	DPX_TEST_ASSERT_EQUAL(fwd_app_run(args, script, 0, r), 0, "");
	print_result(r);
	rc = check_pcap(path, frame_len, flows, NULL, frames);
	unlink(path);
	return rc;
}

/* txonly through net_pcap: every frame on the wire has the right length and valid checksums. */
static int
test_fwd_app_txonly_pcap(void)
{
	static const char *const opts[] = {"--forward-mode=txonly", "--txpkts=42,30,8",
					   "--tx-pps=100", "--txonly-multi-flow", "--run-time=1",
					   NULL};
	struct fwd_app_stream st[MAX_STREAMS];
	struct fwd_app_result r;
	uint64_t frames = 0;
	double secs = 0;

	if (!need_fwd())
		DPX_TEST_SKIP("dpx-fwd is not built next to dpx-test (set DPX_FWD)");
	DPX_TEST_ASSERT_EQUAL(run_into_pcap(opts, "", 80, FLOWS_SRC, &r, &frames),
			      DPX_TEST_SUCCESS, "frames in the capture, one source each");
	DPX_TEST_ASSERT(
		strstr(r.out, "forwarded for ") != NULL &&
			sscanf(strstr(r.out, "forwarded for "), "forwarded for %lf", &secs) == 1,
		"");
	/* a ceiling whatever the machine's speed: at most floor(t * pps) + 1 by time t,
	 * not bursts of 32 (which would be 32 at once, 128 in a second) */
	DPX_TEST_ASSERT(frames >= 1 && frames <= (uint64_t)(100 * secs) + 1,
			"%" PRIu64 " frames in %.3f s at --tx-pps=100", frames, secs);
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
	int rc = check_pcap(pcap, sizeof(want), FLOWS_NONE, want, &frames);
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

/*
 * flowgen through net_pcap: frame i goes from 198.18.0.1 to the i-th of 1024
 * destinations 198.18.0.2 + i (mod 1024), its checksums valid.
 */
static int
test_fwd_app_flowgen_pcap(void)
{
	static const char *const opts[] = {"--forward-mode=flowgen", "--tx-pps=100000", "-i",
					   NULL};
	static const char script[] = "start\n"
				     "@sleep 200\n"
				     "stop\n"
				     "quit\n";
	struct fwd_app_stream st[MAX_STREAMS];
	struct fwd_app_result r;
	uint64_t frames = 0;

	if (!need_fwd())
		DPX_TEST_SKIP("dpx-fwd is not built next to dpx-test (set DPX_FWD)");
	DPX_TEST_ASSERT_EQUAL(run_into_pcap(opts, script, 64, FLOWS_DST, &r, &frames),
			      DPX_TEST_SUCCESS, "frame i to 198.18.0.2 + i (mod 1024)");
	DPX_TEST_ASSERT_EQUAL(r.status, 0, "");
	DPX_TEST_ASSERT(fwd_app_parse_streams(r.out, st, MAX_STREAMS) >= 1 && st[0].tx_port == 1,
			"");
	DPX_TEST_ASSERT_EQUAL(frames, st[0].tx, "every packet sent to net_pcap1 is in the file");
	/* at --tx-pps 100000 the count wraps past 1024 in a few ms; that it did is
	 * printed, not asserted (a starved core may send fewer) */
	printf("%" PRIu64 " frames, flows %s\n", frames, frames > 1024 ? "wrapped" : "not wrapped");
	DPX_TEST_ASSERT(frames > 0, "");
	fwd_app_result_free(&r);
	return DPX_TEST_SUCCESS;
}

/* A stopped port: streams receiving on it idle, what is sent to it is dropped, the others run. */
static int
test_fwd_app_port_down(void)
{
	const char *args[] = {EAL_ARGS, one_lcore(), NULL_PAIR, "--", "-i", NULL};
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
	DPX_TEST_ASSERT(strstr(r.out, "  RX P=1/Q=0 (socket 0) -> TX P=0/Q=0 (socket 0) "
				      "peer=02:00:00:00:00:00 (idle: port down)\n") != NULL,
			"");
	DPX_TEST_ASSERT(strstr(r.out, "Please stop forwarding first\n") != NULL, "");
	DPX_TEST_ASSERT(strstr(strstr(r.out, "Done."), "\nPort 1: ") != NULL,
			"restarted after stop");
	DPX_TEST_ASSERT_EQUAL(fwd_app_parse_streams(r.out, st, MAX_STREAMS), 2, "");
	DPX_TEST_ASSERT(st[0].rx > 0 && st[0].tx == 0 && st[0].dropped == st[0].rx,
			"everything sent to the stopped port is dropped");
	DPX_TEST_ASSERT(st[1].rx == 0 && st[1].tx == 0, "the stopped port's stream idles");
	fwd_app_result_free(&r);
	return DPX_TEST_SUCCESS;
}

/*
 * Port commands and options: --cmdline-file runs first, --no-promisc leaves
 * ports non-promiscuous until "set promisc", --portmask and --port-topology
 * shape the streams, ports come and go with attach/detach, links go down and up.
 */
static int
test_fwd_app_ports(void)
{
	char file[64], mask[] = "--portmask=0x5";
	const char *args[] = {EAL_ARGS, one_lcore(),	  NULL_PAIR,
			      "--vdev", "net_null2",	  "--",
			      "-i",	"--no-promisc",	  "--port-topology=chained",
			      mask,	"--cmdline-file", file,
			      NULL};
	static const char cmds[] = "show port info 0\n"
				   "set promisc 0 on\n"
				   "set allmulti 0 on\n"
				   "show port info 0\n"
				   "set allmulti 0 off\n";
	static const char script[] = "show config fwd\n"
				     "port attach net_null3,size=100\n"
				     "show port info 3\n"
				     "port detach 3\n"
				     "port detach 0\n"
				     "port attach net_bogus0\n"
				     "set link-down port 1\n"
				     "show port info 1\n"
				     "set link-up port 1\n"
				     "show port info 1\n"
				     "quit\n";
	static const char *const expected[] = {
		"Read CLI commands from ",
		"Device name: net_null0\n",
		"Promiscuous mode: disabled\nAllmulticast mode: disabled\n",
		"Promiscuous mode: enabled\nAllmulticast mode: enabled\n",
		"io packet forwarding - ports=2 - cores=1 - streams=2\n"
		"Logical Core 0 (socket 0) forwards packets on 2 streams:\n"
		"  RX P=0/Q=0 (socket 0) -> TX P=2/Q=0 (socket 0) peer=02:00:00:00:00:02\n"
		"  RX P=2/Q=0 (socket 0) -> TX P=0/Q=0 (socket 0) peer=02:00:00:00:00:00\n",
		"Attaching a new port...\nPort 3 is attached. Now total ports is 4\nDone\n",
		"Device name: net_null3\nDriver name: net_null\nDevargs: size=100\n",
		"Link status: down\n",
		"Removing a device...\nPort 3 is closed\nDevice is detached\nNow total ports is "
		"3\nDone\n",
		"Port 0: stop it first (port stop 0)\n",
		"Attaching a new port...\n",
		"Device name: net_null1\n",
		"Link status: down\n",
		"Device name: net_null1\n",
		"Link status: up\n",
	};
	struct fwd_app_result r;
	int fd;

	if (!need_fwd())
		DPX_TEST_SKIP("dpx-fwd is not built next to dpx-test (set DPX_FWD)");
	snprintf(file, sizeof(file), "/tmp/dpx-fwd-cmds-%d", (int)getpid());
	fd = open(file, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	DPX_TEST_ASSERT(fd >= 0 && write(fd, cmds, strlen(cmds)) == (ssize_t)strlen(cmds), "");
	close(fd);
	DPX_TEST_ASSERT_EQUAL(fwd_app_run(args, script, 0, &r), 0, "");
	unlink(file);
	print_result(&r);
	DPX_TEST_ASSERT_EQUAL(r.status, 0, "");
	DPX_TEST_RUN(expect_in_order(r.out, expected, DPX_DIM(expected)));
	DPX_TEST_ASSERT(strstr(r.err, "net_bogus0") != NULL, "the bus names the device");
	fwd_app_result_free(&r);
	return DPX_TEST_SUCCESS;
}

/* --mtu sets the ports' MTU, --mbuf-size the pool's data room. */
static int
test_fwd_app_mtu_mbuf(void)
{
	const char *args[] = {EAL_ARGS, one_lcore(),  "--vdev",		  "net_null0", "--",
			      "-i",	"--mtu=3000", "--mbuf-size=4096", NULL};
	static const char *const expected[] = {" mbufs of 4096 bytes\n", "MTU: 3000\n"};
	struct fwd_app_result r;

	if (!need_fwd())
		DPX_TEST_SKIP("dpx-fwd is not built next to dpx-test (set DPX_FWD)");
	DPX_TEST_ASSERT_EQUAL(fwd_app_run(args, "show port info 0\nquit\n", 0, &r), 0, "");
	print_result(&r);
	DPX_TEST_ASSERT_EQUAL(r.status, 0, "");
	DPX_TEST_RUN(expect_in_order(r.out, expected, DPX_DIM(expected)));
	fwd_app_result_free(&r);
	return DPX_TEST_SUCCESS;
}

/*
 * Tab completion at a real terminal: script(1) gives dpx-fwd a pty, so the
 * prompt is libedit's; "show port i<TAB>" must become "show port info ".
 */
static int
test_fwd_app_completion(void)
{
	char path[PATH_MAX], cmd[PATH_MAX + 512], line[512];
	int found = 0;
	FILE *p;

	if (!need_fwd() || fwd_app_path(path, sizeof(path)) < 0)
		DPX_TEST_SKIP("dpx-fwd is not built next to dpx-test (set DPX_FWD)");
	if (system("command -v script >/dev/null") != 0)
		DPX_TEST_SKIP("needs script (util-linux) for a pty");
#ifndef DPX_HAS_LIBEDIT
	DPX_TEST_SKIP("dpx was built without libedit: no line editing nor completion");
#endif
	snprintf(cmd, sizeof(cmd),
		 "(printf 'show port i\\t'; sleep 0.3; printf '0\\n'; sleep 0.3; printf 'quit\\n'; "
		 "sleep 1) | timeout 30 script -qfc \"'%s' --no-huge --in-memory --file-prefix "
		 "fwdcompl-%d -l 0 --vdev net_null0 -- -i\" /dev/null 2>&1",
		 path, (int)getpid());
	fflush(stdout);
	p = popen(cmd, "r");
	DPX_TEST_ASSERT(p != NULL, "");
	while (fgets(line, sizeof(line), p) != NULL)
		found |= strstr(line, "Infos for port 0 ") != NULL;
	pclose(p);
	DPX_TEST_ASSERT(found, "\"show port i<TAB>0\" did not run show port info 0");
	return DPX_TEST_SUCCESS;
}

/* Field of the dpx stream line "Stream N: ...: rx A generated B ..." summed over a report. */
static uint64_t
sum_generated(const struct fwd_app_stream *st, int n)
{
	uint64_t g = 0;

	for (int i = 0; i < n; i++)
		g += st[i].generated;
	return g;
}

/*
 * start tx_first over a pair of net_ring ports: each stream sends its bursts
 * of template packets first, then io circulates exactly those, losing none.
 */
static int
test_fwd_app_tx_first(void)
{
	const char *args[] = {EAL_ARGS,	   two_lcores(), "--vdev",
			      "net_ring0", "--vdev",	 "net_ring1,peer=net_ring0",
			      "--",	   "-i",	 NULL};
	const char *opt_args[] = {EAL_ARGS,	  two_lcores(), "--vdev",
				  "net_ring0",	  "--vdev",	"net_ring1,peer=net_ring0",
				  "--",		  "--tx-first", "--burst=16",
				  "--run-time=1", NULL};
	const char *i_args[] = {EAL_ARGS,    two_lcores(), "--vdev",	   "net_ring0",
				"--vdev",    "net_ring1,peer=net_ring0",   "--",
				"-i",	     "--tx-first", NULL};
	static const char i_script[] = "start\n@sleep 100\nstop\nstart\n@sleep 100\nstop\nquit\n";
	static const char script[] = "set fwd txonly\n"
				     "start tx_first\n"
				     "set fwd io\n"
				     "start tx_first 3\n"
				     "@sleep 300\n"
				     "stop\n"
				     "quit\n";
	struct fwd_app_stream st[MAX_STREAMS];
	struct fwd_parsed_fwd rep;
	struct fwd_app_result r;
	int n;

	if (!need_fwd())
		DPX_TEST_SKIP("dpx-fwd is not built next to dpx-test (set DPX_FWD)");
	DPX_TEST_ASSERT_EQUAL(fwd_app_run(args, script, 0, &r), 0, "");
	print_result(&r);
	DPX_TEST_ASSERT_EQUAL(r.status, 0, "");
	DPX_TEST_ASSERT(strstr(r.out, "start tx_first: txonly generates its packets anyway; use "
				      "start\n") != NULL,
			"");
	n = fwd_app_parse_streams(r.out, st, MAX_STREAMS);
	DPX_TEST_ASSERT_EQUAL(n, 2, "");
	for (int i = 0; i < n; i++) {
		DPX_TEST_ASSERT_EQUAL(st[i].generated, 3 * 32, "stream %d: three bursts of 32", i);
		DPX_TEST_ASSERT_EQUAL(st[i].dropped, 0, "stream %d", i);
	}
	DPX_TEST_RUN(fwd_app_check_streams(st, n, "tx_first"));
	DPX_TEST_RUN(fwd_app_check_report(r.out, 2, &rep));
	fwd_app_result_free(&r);
	/* --tx-first: the same, one burst, without the prompt */
	DPX_TEST_ASSERT_EQUAL(fwd_app_run(opt_args, "", 0, &r), 0, "");
	print_result(&r);
	DPX_TEST_ASSERT_EQUAL(r.status, 0, "");
	n = fwd_app_parse_streams(r.out, st, MAX_STREAMS);
	DPX_TEST_ASSERT_EQUAL(n, 2, "");
	DPX_TEST_ASSERT_EQUAL(sum_generated(st, n), 2 * 16, "one burst of 16 per stream");
	fwd_app_result_free(&r);
	/* -i --tx-first: the option is for the first start, typed or not */
	DPX_TEST_ASSERT_EQUAL(fwd_app_run(i_args, i_script, 0, &r), 0, "");
	print_result(&r);
	DPX_TEST_ASSERT_EQUAL(r.status, 0, "");
	n = fwd_app_parse_streams(r.out, st, MAX_STREAMS);
	DPX_TEST_ASSERT_EQUAL(n, 4, "two runs of two streams");
	DPX_TEST_ASSERT_EQUAL(sum_generated(st, 2), 2 * 32, "the first start: one burst each");
	DPX_TEST_ASSERT_EQUAL(sum_generated(st + 2, 2), 0, "the second: none");
	fwd_app_result_free(&r);
	return DPX_TEST_SUCCESS;
}

/*
 * Allocation failures are counted and said: txonly into rings that hold more
 * than the pool (Gen-nombuf and one line saying what to do), and net_null's
 * receive once the pool sits in a ring nobody reads (RX-nombufs).
 */
static int
test_fwd_app_nombuf(void)
{
	const char *gen_args[] = {EAL_ARGS,
				  one_lcore(),
				  "--vdev",
				  "net_ring0",
				  "--vdev",
				  "net_ring1,peer=net_ring0",
				  "--",
				  "--forward-mode=txonly",
				  "--total-num-mbufs=512",
				  "--run-time=1",
				  NULL};
	const char *rx_args[] = {EAL_ARGS,
				 one_lcore(),
				 "--vdev",
				 "net_null0",
				 "--vdev",
				 "net_ring0",
				 "--vdev",
				 "net_ring1,peer=net_ring0",
				 "--",
				 "--portmask=0x5",
				 "--total-num-mbufs=512",
				 "-i",
				 NULL};
	static const char script[] = "start\n@sleep 300\nshow port stats 0\nstop\nquit\n";
	struct fwd_parsed_fwd rep;
	struct fwd_parsed_nic nic;
	struct fwd_app_result r;

	if (!need_fwd())
		DPX_TEST_SKIP("dpx-fwd is not built next to dpx-test (set DPX_FWD)");
	DPX_TEST_ASSERT_EQUAL(fwd_app_run(gen_args, "", 0, &r), 0, "");
	print_result(&r);
	DPX_TEST_ASSERT_EQUAL(r.status, 0, "");
	DPX_TEST_ASSERT(strstr(r.out, "  Generated: ") != NULL &&
				strstr(r.out, "Gen-nombuf: 0 ") == NULL,
			"generation failures counted");
	DPX_TEST_ASSERT(strstr(r.out, "packets could not be generated: the pool of 512 mbufs was "
				      "empty (raise --total-num-mbufs)\n") != NULL,
			"and said once, with what to do");
	fwd_app_result_free(&r);

	DPX_TEST_ASSERT_EQUAL(fwd_app_run(rx_args, script, 0, &r), 0, "");
	print_result(&r);
	DPX_TEST_ASSERT_EQUAL(r.status, 0, "");
	DPX_TEST_ASSERT(fwd_parse_nic_stats(r.out, &nic) != NULL && nic.port == 0 &&
				nic.rx_nombuf > 0,
			"show port stats: RX-nombuf");
	DPX_TEST_RUN(fwd_app_check_report(r.out, 2, &rep));
	DPX_TEST_ASSERT(rep.ports[0].has_nombuf && rep.ports[0].rx_nombufs > 0,
			"forward stats: testpmd's RX-nombufs line");
	fwd_app_result_free(&r);
	return DPX_TEST_SUCCESS;
}

/* A little-endian microsecond pcap of the given frames. */
static int
write_pcap(const char *path, uint8_t frames[][128], const uint32_t *len, int n)
{
	static const uint8_t ghdr[24] = {0xd4, 0xc3, 0xb2, 0xa1, 2,    0,    4, 0, 0, 0, 0, 0,
					 0,    0,    0,	   0,	 0xff, 0xff, 0, 0, 1, 0, 0, 0};
	FILE *f = fopen(path, "wb");

	if (f == NULL)
		return -errno;
	fwrite(ghdr, 1, sizeof(ghdr), f);
	for (int i = 0; i < n; i++) {
		uint32_t rec[4] = {(uint32_t)i, 0, len[i], len[i]};

		fwrite(rec, 1, sizeof(rec), f);
		fwrite(frames[i], 1, len[i], f);
	}
	return fclose(f) == 0 ? 0 : -EIO;
}

/*
 * csum over net_pcap: five UDP frames from a capture, one with a bad IPv4
 * header checksum, one with a bad UDP checksum, one with both. The counters
 * say 2 and 2; every frame written out verifies; "set verbose 3" dumps them.
 */
static int
test_fwd_app_csum_pcap(void)
{
	char in[64], out[64], vdev[160];
	const char *args[] = {EAL_ARGS, one_lcore(),	       "--vdev", vdev, "--",
			      "-i",	"--forward-mode=csum", NULL};
	static const char script[] = "set verbose 3\nstart\n@sleep 400\nstop\nquit\n";
	uint8_t frames[5][128];
	uint32_t len[5] = {64, 64, 64, 100, 64};
	struct fwd_txonly_cfg cfg;
	struct fwd_parsed_fwd rep;
	struct fwd_app_result r;
	uint64_t count = 0;
	int rc;

	if (!need_fwd())
		DPX_TEST_SKIP("dpx-fwd is not built next to dpx-test (set DPX_FWD)");
	fwd_txonly_cfg_defaults(&cfg);
	cfg.src_mac[0] = 0x02, cfg.src_mac[5] = 0x01;
	for (int i = 0; i < 5; i++)
		DPX_TEST_ASSERT_EQUAL(fwd_txonly_build(frames[i], len[i], &cfg), 0, "");
	frames[1][24] ^= 0x01;			      /* IPv4 header checksum */
	frames[2][40] ^= 0x10;			      /* UDP checksum */
	frames[3][24] ^= 0x01, frames[3][99] ^= 0xff; /* both: header, payload under UDP */
	snprintf(in, sizeof(in), "/tmp/dpx-fwd-csum-in-%d.pcap", (int)getpid());
	snprintf(out, sizeof(out), "/tmp/dpx-fwd-csum-out-%d.pcap", (int)getpid());
	snprintf(vdev, sizeof(vdev), "net_pcap0,rx_pcap=%s,tx_pcap=%s", in, out);
	DPX_TEST_ASSERT_EQUAL(write_pcap(in, frames, len, 5), 0, "");
	rc = fwd_app_run(args, script, 0, &r);
	unlink(in);
	DPX_TEST_ASSERT_EQUAL(rc, 0, "");
	print_result(&r);
	rc = DPX_TEST_SUCCESS;
	if (r.status != 0 || fwd_app_check_report(r.out, 1, &rep) != DPX_TEST_SUCCESS)
		rc = DPX_TEST_FAILED;
	DPX_TEST_ASSERT_EQUAL(rc, DPX_TEST_SUCCESS, "");
	DPX_TEST_ASSERT(rep.ports[0].has_csum && rep.ports[0].bad_ip == 2 &&
				rep.ports[0].bad_l4 == 2,
			"Bad-ipcsum %" PRIu64 " Bad-l4csum %" PRIu64, rep.ports[0].bad_ip,
			rep.ports[0].bad_l4);
	DPX_TEST_ASSERT_EQUAL(rep.ports[0].rx_packets, 5, "");
	DPX_TEST_ASSERT_EQUAL(rep.ports[0].tx_packets, 5, "");
	DPX_TEST_ASSERT(
		strstr(r.out, "port 0/queue 0: received ") != NULL &&
			strstr(r.out,
			       "  src=02:00:00:00:00:01 - dst=02:00:00:00:00:02 - "
			       "pool=fwd_mbuf_pool - type=0x0800 - length=64 - "
			       "nb_segs=1 - sw ptype: L2_ETHER L3_IPV4 L4_UDP  - "
			       "l2_len=14 - l3_len=20 - l4_len=8 - Receive queue=0x0\n") != NULL &&
			strstr(r.out, "port 0/queue 0: sent ") != NULL &&
			strstr(r.out, " - dst=02:00:00:00:00:00 - pool=fwd_mbuf_pool") != NULL,
		"verbose dumps, the sent ones to the peer MAC");
	/* every frame out: right lengths, both checksums valid again */
	{
		FILE *f = fopen(out, "rb");
		uint8_t hdr[24], rec[16], frame[256];

		DPX_TEST_ASSERT(f != NULL && fread(hdr, 1, 24, f) == 24, "%s", out);
		while (fread(rec, 1, 16, f) == 16) {
			uint32_t cl = rec[8] | rec[9] << 8;

			DPX_TEST_ASSERT(cl == len[count] && fread(frame, 1, cl, f) == cl, "");
			DPX_TEST_ASSERT_EQUAL(fwd_udp4_verify(frame, cl), 0, "frame %" PRIu64,
					      count);
			count++;
		}
		fclose(f);
	}
	unlink(out);
	DPX_TEST_ASSERT_EQUAL(count, 5, "frames written");
	fwd_app_result_free(&r);
	return DPX_TEST_SUCCESS;
}

/* stderr holds exactly one line, and it contains msg. */
static int
expect_error(const char *const *args, int status, const char *msg)
{
	struct fwd_app_result r;
	const char *nl;

	DPX_TEST_ASSERT_EQUAL(fwd_app_run(args, "", 0, &r), 0, "");
	print_result(&r);
	DPX_TEST_ASSERT_EQUAL(r.status, status, "");
	DPX_TEST_ASSERT(strstr(r.err, msg) != NULL, "stderr lacks \"%s\"", msg);
	nl = strchr(r.err, '\n');
	DPX_TEST_ASSERT(nl != NULL && nl[1] == '\0', "one line, not:\n%s", r.err);
	fwd_app_result_free(&r);
	return DPX_TEST_SUCCESS;
}

static int
test_fwd_app_errors(void)
{
	static const struct {
		const char *args[8];
		const char *msg;
	} cases[] = {
		{{"--vdev", "net_null0", "--", "--burst", "0"},
		 "dpx-fwd: invalid value '0' for --burst: expected an integer in 1..512\n"},
		{{"--vdev", "net_null0", "--", "--nb-cores=2", "--run-time=1"},
		 "--nb-cores 2: only 1 forwarding lcore(s) (give more with -l)"},
		{{"--", "--run-time=1"}, "dpx-fwd: no ports (add some with --vdev"},
		{{"--bogus-eal"}, "EAL: unknown option '--bogus-eal': not an EAL option"},
		{{"--vdev", "net_null0", "--run-time=1"},
		 "EAL: unknown option '--run-time=1': not an EAL option (a program's own options "
		 "go "
		 "after '--') (see --help)\n"},
		{{"--vdev", "net_null0,queues=9", "--", "--run-time=1"},
		 "net_null0: unknown key \"queues\" (in \"queues=9\"); valid keys: size, copy\n"},
		{{"--vdev", "net_null0,size=5", "--", "--run-time=1"},
		 "net_null0: size=5: out of range 14..9018\n"},
		{{"--vdev", "net_vhost0,iface=/tmp/dpx-none.sock,queues=9", "--", "--run-time=1"},
		 "net_vhost0: queues=9: out of range 1..8\n"},
		{{"--vdev", "net_bogus0", "--", "--run-time=1"},
		 "vdev: device net_bogus0: no driver matches its name; drivers: "},
		{{"-l", "200"}, "EAL: invalid value for -l: '200': lcore ids go up to 127"},
		{{"-l", "1000@0"}, "EAL: invalid value for -l: '1000@0': lcore ids go up to 127"},
		{{"--lcores=(0-1)@(0-1)"},
		 "dpx runs each lcore on one CPU: give it one, as in (0-2)@0"},
		{{"--proc-type=secondary"}, "dpx has no secondary processes"},
		{{"--single-file-segments"}, "option --single-file-segments: not supported by dpx"},
		{{"--huge-unlink=always"}, "--huge-unlink: 'always': not supported by dpx"},
		{{"--vdev", "net_null0", "--", "--portmask=0x2", "--run-time=1"},
		 "dpx-fwd: cannot start forwarding: --portmask 0x2 selects none of the 1 port(s) "
		 "(ids 0)\n"},
	};
	const char *help[] = {EAL_ARGS, one_lcore(), "--", "--help", NULL};
	struct fwd_app_result r;

	if (!need_fwd())
		DPX_TEST_SKIP("dpx-fwd is not built next to dpx-test (set DPX_FWD)");
	if (DPX_MAX_LCORE != 128)
		DPX_TEST_SKIP("messages assume max_lcores=128 (built with %d)", DPX_MAX_LCORE);
	for (size_t i = 0; i < DPX_DIM(cases); i++) {
		const char *args[16] = {EAL_ARGS, one_lcore()};
		int n = 3;

		for (int k = 0; k < 8 && cases[i].args[k] != NULL; k++)
			args[n++] = cases[i].args[k];
		args[n] = NULL;
		DPX_TEST_RUN(expect_error(args, 1, cases[i].msg));
	}
	DPX_TEST_ASSERT_EQUAL(fwd_app_run(help, "", 0, &r), 0, "");
	DPX_TEST_ASSERT_EQUAL(r.status, 0, "");
	DPX_TEST_ASSERT(strstr(r.out, "--forward-mode MODE") != NULL, "usage printed");
	fwd_app_result_free(&r);
	return DPX_TEST_SUCCESS;
}

/* net_tap as a user without CAP_NET_ADMIN: one line saying so, not the "dtap%d" template. */
static int
test_fwd_app_tap_nonroot(void)
{
	const char *args[] = {EAL_ARGS, one_lcore(),	"--vdev", "net_tap0",
			      "--",	"--run-time=1", NULL};
	int rc;

	if (geteuid() != 0)
		DPX_TEST_SKIP("needs root to run dpx-fwd as an unprivileged user");
	if (!need_fwd())
		DPX_TEST_SKIP("dpx-fwd is not built next to dpx-test (set DPX_FWD)");
	if (access("/dev/net/tun", R_OK | W_OK) != 0)
		DPX_TEST_SKIP("no /dev/net/tun");
	run_as_uid = 65534; /* nobody */
	rc = expect_error(
		args, 1,
		"net_tap: net_tap0: cannot create TAP interface dtapN (queue 0): Operation "
		"not permitted; it needs CAP_NET_ADMIN (run as root)\n");
	run_as_uid = 0;
	return rc;
}

static int
test_fwd_app_signal(void)
{
	const char *args[] = {EAL_ARGS, two_lcores(), "--vdev", "net_null0", "--", NULL};
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

/* Figures of the report, read as testpmd's: packets received, and cycles per packet. */
static int
parse_totals(const char *out, double *secs, uint64_t *rx, double *cpp)
{
	const char *t = strstr(out, "forwarded for ");
	struct fwd_parsed_fwd rep;

	if (t == NULL || sscanf(t, "forwarded for %lf s", secs) != 1 ||
	    fwd_parse_fwd_stats(t, &rep) == NULL)
		return -EINVAL;
	*rx = rep.total.rx_packets;
	*cpp = rep.has_cycles ? rep.cycles_per_packet : 0;
	return 0;
}

static int
test_fwd_perf_null_io(void)
{
	const char *lcores = sysconf(_SC_NPROCESSORS_ONLN) >= 2 ? "--lcores=0-1" : "--lcores=0-1@0";
	const char *args[] = {EAL_ARGS,
			      lcores,
			      NULL_PAIR,
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
	const char *args[] = {EAL_ARGS, one_lcore(), "--vdev", vdev0,	       "--vdev",
			      vdev1,	"--",	     "-i",     "--auto-start", NULL};
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
	snprintf(
		script, sizeof(script),
		/* UP: the port started (moving the interface earlier fails its start) */
		"@sh for i in $(seq 100); do ip link show %s 2>/dev/null | grep -q '[<,]UP[,>]' && "
		"ip link show %s 2>/dev/null | grep -q '[<,]UP[,>]' && exit 0; sleep 0.1; done; "
		"exit 1\n"
		/* the prompt's all-multicast mode is the interface's flag too (polled: the
		 * prompt runs apart; before the move: dpx sets flags in its own namespace) */
		"set allmulti 0 on\n"
		"@sh for i in $(seq 100); do ip link show %s | grep -q '[<,]ALLMULTI[,>]' && "
		"exit 0; sleep 0.1; done; exit 1\n"
		"set allmulti 0 off\n"
		"@sh for i in $(seq 100); do ip link show %s | grep -q '[<,]ALLMULTI[,>]' || "
		"exit 0; sleep 0.1; done; exit 1\n"
		"@sh ip link set %s netns dpxfwdA%d && ip link set %s netns dpxfwdB%d\n"
		"@sh ip -n dpxfwdA%d addr add 198.18.0.1/24 dev %s && ip -n dpxfwdA%d link set %s "
		"up\n"
		"@sh ip -n dpxfwdB%d addr add 198.18.0.2/24 dev %s && ip -n dpxfwdB%d link set %s "
		"up\n"
		/* promiscuous mode is the interface's own flag, set at start-up */
		"@sh ip -n dpxfwdA%d link show %s | grep -q '[<,]PROMISC[,>]'\n"
		"@sh ip netns exec dpxfwdA%d ping -c 3 -i 0.2 -W 2 198.18.0.2\n"
		"stop\n"
		"quit\n",
		tap0, tap1, tap0, tap0, tap0, pid, tap1, pid, pid, tap0, pid, tap0, pid, tap1, pid,
		tap1, pid, tap0, pid);
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

/*
 * icmpecho answering a network namespace's ping through one TAP port: the
 * namespace has 198.18.0.1/24 and pings 198.18.0.2, which only dpx-fwd
 * "is" (it answers the ARP request and the echo requests).
 */
static int
test_fwd_app_tap_icmpecho(void)
{
	char tap[32], vdev[64], script[2048], cleanup[128];
	const char *args[] = {EAL_ARGS, one_lcore(), "--vdev",	     vdev,
			      "--",	"-i",	     "--auto-start", "--forward-mode=icmpecho",
			      NULL};
	struct fwd_app_stream st[MAX_STREAMS];
	struct fwd_parsed_fwd rep;
	struct fwd_app_result r;
	int pid = (int)getpid(), rc;

	if (geteuid() != 0)
		DPX_TEST_SKIP("needs root (network namespaces and TAP interfaces)");
	if (access("/dev/net/tun", R_OK | W_OK) != 0)
		DPX_TEST_SKIP("no /dev/net/tun");
	if (system("command -v ip >/dev/null && command -v ping >/dev/null") != 0)
		DPX_TEST_SKIP("needs ip (iproute2) and ping (iputils-ping)");
	if (!need_fwd())
		DPX_TEST_SKIP("dpx-fwd is not built next to dpx-test (set DPX_FWD)");
	snprintf(cleanup, sizeof(cleanup), "ip netns del dpxecho%d 2>/dev/null", pid);
	snprintf(script, sizeof(script), "ip netns add dpxecho%d", pid);
	if (system(script) != 0)
		DPX_TEST_SKIP("cannot create a network namespace (ip netns add failed)");
	snprintf(tap, sizeof(tap), "dpxe%d", pid % 1000000);
	snprintf(vdev, sizeof(vdev), "net_tap0,iface=%s", tap);
	snprintf(
		script, sizeof(script),
		/* UP: the port started (moving the interface earlier fails its start) */
		"@sh for i in $(seq 100); do ip link show %s 2>/dev/null | grep -q '[<,]UP[,>]' && "
		"exit 0; sleep 0.1; done; exit 1\n"
		"@sh ip link set %s netns dpxecho%d\n"
		"@sh ip -n dpxecho%d addr add 198.18.0.1/24 dev %s && ip -n dpxecho%d link set %s "
		"up\n"
		"@sh ip netns exec dpxecho%d ping -c 3 -i 0.2 -W 2 198.18.0.2\n"
		"stop\n"
		"quit\n",
		tap, tap, pid, pid, tap, pid, tap, pid);
	rc = fwd_app_run(args, script, 0, &r);
	if (system(cleanup) != 0)
		printf("cleanup of the namespace reported an error\n");
	DPX_TEST_ASSERT_EQUAL(rc, 0, "");
	print_result(&r);
	DPX_TEST_ASSERT_EQUAL(r.sh_failures, 0, "set-up or ping failed (see above)");
	DPX_TEST_ASSERT_EQUAL(r.status, 0, "");
	DPX_TEST_ASSERT_EQUAL(fwd_app_parse_streams(r.out, st, MAX_STREAMS), 1, "a lone port");
	DPX_TEST_ASSERT(st[0].tx >= 4, "an ARP reply and three echo replies, got %" PRIu64,
			st[0].tx);
	DPX_TEST_ASSERT_EQUAL(st[0].rx, st[0].tx + st[0].dropped + st[0].consumed, "");
	DPX_TEST_RUN(fwd_app_check_report(r.out, 1, &rep));
	fwd_app_result_free(&r);
	return DPX_TEST_SUCCESS;
}

/*
 * icmpecho answering a QEMU guest's ping over net_vhost: the guest (Linux
 * virtio-net, 10.0.0.1/24) pings 10.0.0.99; dpx-fwd answers its ARP request
 * and echo requests on the one vhost-user port.
 */
static int
test_fwd_guest_icmpecho(void)
{
	char why[256], sock[96], out[96], cmd[2048], buf[65536];
	struct fwd_app_stream st[MAX_STREAMS];
	struct fwd_parsed_fwd rep;
	pid_t fwd, guest;
	int rc_guest, rc_fwd;

	if (dpx_test_guest_prepare(why, sizeof(why)) != 0)
		DPX_TEST_SKIP("%s", why);
	snprintf(sock, sizeof(sock), "/tmp/dpx-echo-%d.sock", (int)getpid());
	snprintf(out, sizeof(out), "/tmp/dpx-echo-%d-fwd.out", (int)getpid());
	unlink(sock);
	snprintf(cmd, sizeof(cmd),
		 "exec '%s/app/dpx-fwd/dpx-fwd' --no-huge --in-memory -l 0 "
		 "--vdev net_vhost0,iface=%s -- --forward-mode=icmpecho > %s 2>&1",
		 DPX_BUILD_ROOT, sock, out);
	fwd = dpx_test_guest_spawn(cmd);
	DPX_TEST_ASSERT(fwd > 0, "dpx-fwd not started");
	for (int k = 0; k < 500 && access(sock, F_OK) != 0; k++)
		usleep(20 * 1000);
	snprintf(cmd, sizeof(cmd),
		 "exec '%s/usertools/dpx-guest-run' --build-dir '%s' --vhost-user %s "
		 "--ip 10.0.0.1/24 --timeout 300 --run '"
		 "i=0; until ping -c 1 -W 1 10.0.0.99 >/dev/null 2>&1; do i=$((i+1)); "
		 "[ $i -ge 150 ] && exit 3; done; ping -c 5 -W 2 10.0.0.99'",
		 DPX_SOURCE_ROOT, DPX_BUILD_ROOT, sock);
	guest = dpx_test_guest_spawn(cmd);
	rc_guest = dpx_test_guest_reap(guest, 330);
	kill(fwd, SIGTERM);
	rc_fwd = dpx_test_guest_reap(fwd, 20.0);
	DPX_TEST_ASSERT_EQUAL(dpx_test_guest_read_file(out, buf, sizeof(buf)), 0, "");
	printf("----- dpx-fwd -----\n%s\n", buf);
	unlink(out);
	unlink(sock);
	DPX_TEST_ASSERT_EQUAL(rc_guest, 0, "the guest's pings were answered");
	DPX_TEST_ASSERT_EQUAL(rc_fwd, 0, "dpx-fwd stopped cleanly");
	DPX_TEST_ASSERT_EQUAL(fwd_app_parse_streams(buf, st, MAX_STREAMS), 1, "");
	DPX_TEST_ASSERT(st[0].tx >= 6, "ARP and echo replies, got %" PRIu64, st[0].tx);
	DPX_TEST_RUN(fwd_app_check_report(buf, 1, &rep));
	return DPX_TEST_SUCCESS;
}

DPX_TEST_REGISTER(fwd_app_io, fast, test_fwd_app_io);
DPX_TEST_REGISTER(fwd_app_mac, fast, test_fwd_app_mac);
DPX_TEST_REGISTER(fwd_app_macswap, fast, test_fwd_app_macswap);
DPX_TEST_REGISTER(fwd_app_rxonly, fast, test_fwd_app_rxonly);
DPX_TEST_REGISTER(fwd_app_txonly, fast, test_fwd_app_txonly);
DPX_TEST_REGISTER(fwd_app_flowgen, fast, test_fwd_app_flowgen);
DPX_TEST_REGISTER(fwd_app_icmpecho, fast, test_fwd_app_icmpecho);
DPX_TEST_REGISTER(fwd_app_csum, fast, test_fwd_app_csum);
DPX_TEST_REGISTER(fwd_app_5tswap, fast, test_fwd_app_5tswap);
DPX_TEST_REGISTER(fwd_app_interactive, fast, test_fwd_app_interactive);
DPX_TEST_REGISTER(fwd_app_prompt_input, fast, test_fwd_app_prompt_input);
DPX_TEST_REGISTER(fwd_app_errors, fast, test_fwd_app_errors);
DPX_TEST_REGISTER(fwd_app_tap_nonroot, fast, test_fwd_app_tap_nonroot);
DPX_TEST_REGISTER(fwd_app_tap_icmpecho, fast, test_fwd_app_tap_icmpecho);
DPX_TEST_REGISTER(fwd_guest_icmpecho, guest, test_fwd_guest_icmpecho);
DPX_TEST_REGISTER(fwd_app_ring, fast, test_fwd_app_ring);
DPX_TEST_REGISTER(fwd_app_txonly_pcap, fast, test_fwd_app_txonly_pcap);
DPX_TEST_REGISTER(fwd_app_virtio_user_pcap, fast, test_fwd_app_virtio_user_pcap);
DPX_TEST_REGISTER(fwd_app_flowgen_pcap, fast, test_fwd_app_flowgen_pcap);
DPX_TEST_REGISTER(fwd_app_port_down, fast, test_fwd_app_port_down);
DPX_TEST_REGISTER(fwd_app_ports, fast, test_fwd_app_ports);
DPX_TEST_REGISTER(fwd_app_mtu_mbuf, fast, test_fwd_app_mtu_mbuf);
DPX_TEST_REGISTER(fwd_app_completion, fast, test_fwd_app_completion);
DPX_TEST_REGISTER(fwd_app_tx_first, fast, test_fwd_app_tx_first);
DPX_TEST_REGISTER(fwd_app_nombuf, fast, test_fwd_app_nombuf);
DPX_TEST_REGISTER(fwd_app_csum_pcap, fast, test_fwd_app_csum_pcap);
DPX_TEST_REGISTER(fwd_app_signal, fast, test_fwd_app_signal);
DPX_TEST_REGISTER(fwd_app_tap_ping, fast, test_fwd_app_tap_ping);
DPX_TEST_REGISTER(fwd_perf_null_io, perf, test_fwd_perf_null_io);

/*
 * dpx-fwd's "show port xstats" lists a port's page pool counters
 * (rx_q0_pp_*, net_vhost's rx queue has a pool by default), and none of
 * them with page_pool=0. The vhost port is port 0: vdevs probe in the
 * order given.
 */
static int
fwd_pp_xstats(const char *extra, bool pooled)
{
	char sock[64], vhost[160];
	const char *args[] = {EAL_ARGS, one_lcore(), "--vdev", vhost, NULL_PAIR, "--", "-i", NULL};
	struct fwd_app_result r;

	if (!need_fwd())
		DPX_TEST_SKIP("dpx-fwd is not built next to dpx-test (set DPX_FWD)");
	snprintf(sock, sizeof(sock), "/tmp/dpx-fwd-pp-%d.sock", (int)getpid());
	snprintf(vhost, sizeof(vhost), "net_vhost2,iface=%s%s", sock, extra);
	DPX_TEST_ASSERT_EQUAL(fwd_app_run(args, "show port xstats 0\nquit\n", 0, &r), 0, "");
	print_result(&r);
	DPX_TEST_ASSERT_EQUAL(r.status, 0, "");
	DPX_TEST_ASSERT(strstr(r.out, "NIC extended statistics for port 0") != NULL, "");
	if (pooled) {
		DPX_TEST_ASSERT(strstr(r.out, "\nrx_q0_pp_alloc_fast: 0\n") != NULL, "");
		DPX_TEST_ASSERT(strstr(r.out, "\nrx_q0_pp_recycle_released_refcnt: 0\n") != NULL, "");
		DPX_TEST_ASSERT(strstr(r.out, "\nrx_q0_pp_in_flight: 0\n") != NULL, "");
	} else {
		DPX_TEST_ASSERT(strstr(r.out, "_pp_") == NULL, "page_pool=0: no rx_qN_pp_* names");
	}
	fwd_app_result_free(&r);
	return DPX_TEST_SUCCESS;
}

static int
test_fwd_app_page_pool_xstats(void)
{
	DPX_TEST_RUN(fwd_pp_xstats("", true));
	return fwd_pp_xstats(",page_pool=0", false);
}
DPX_TEST_REGISTER(fwd_app_page_pool_xstats, fast, test_fwd_app_page_pool_xstats);
