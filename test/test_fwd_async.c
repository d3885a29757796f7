/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dpx-fwd as a process with an async net_vhost port (dmas= on the software
 * engine, every copy but the headers on it), in every forwarding mode, the
 * in-process front-end as its guest: the guest sends frames made for the
 * mode and checks, byte for byte, what dpx-fwd sends back (io the same
 * bytes, mac and csum rewritten MACs and corrected checksums, icmpecho the
 * echo replies, txonly/flowgen the generated frames...). Between modes a
 * `port stop` collects the copies in flight; at the end `show port xstats`
 * must add up (submitted = completed + in flight, nothing in flight, the
 * streams' packets), and dpx-fwd exits 0.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dpx_test.h"
#include "fwd_pkt.h"
#include "vhost_frontend.h"

#define F(bit) (1ULL << (bit))
#define OUT_CAP (512 * 1024)
#define GUARD_LOOPS 100000 /* 10 ms each at most: a hang fails, no timing is asserted */

/* dpx-fwd with stdin a pipe the case writes commands to, stdout+stderr a file. */
struct live {
	pid_t pid;
	int in, out;
	char *buf;
};

static int
live_start(struct live *l, const char *sock)
{
	char fwd[512], prefix[64], lcores[32], vhost[256];
	char tmpl[] = "/tmp/dpx-fwd-async-XXXXXX";
	int in[2];

	snprintf(fwd, sizeof(fwd), "%s/app/dpx-fwd/dpx-fwd", DPX_BUILD_ROOT);
	if (access(fwd, X_OK) != 0)
		return -ENOENT;
	snprintf(prefix, sizeof(prefix), "--file-prefix=fwdasync-%d", (int)getpid());
	snprintf(lcores, sizeof(lcores), "--lcores=0@%d", sched_getcpu());
	snprintf(vhost, sizeof(vhost),
		 "net_vhost0,iface=%s,dmas=[txq0@dma_sw0;rxq0@dma_sw0],dma_copy_threshold=0", sock);
	const char *argv[] = {fwd,
			      "--no-huge",
			      "--in-memory",
			      prefix,
			      lcores,
			      "--vdev",
			      "dma_sw0,idle_us=100",
			      "--vdev",
			      vhost,
			      "--",
			      "-i",
			      "--port-topology=loop",
			      "--tx-pps=2000",
			      NULL};
	l->out = mkstemp(tmpl);
	if (l->out < 0 || pipe(in) < 0)
		return -errno;
	unlink(tmpl);
	l->buf = malloc(OUT_CAP);
	fflush(stdout);
	l->pid = fork();
	if (l->pid == 0) {
		dup2(in[0], 0);
		dup2(l->out, 1);
		dup2(l->out, 2);
		close(in[1]);
		execv(fwd, (char *const *)argv);
		_exit(127);
	}
	close(in[0]);
	l->in = in[1];
	signal(SIGPIPE, SIG_IGN);
	return l->pid > 0 && l->buf != NULL ? 0 : -ENOMEM;
}

static const char *
live_output(struct live *l)
{
	ssize_t n = pread(l->out, l->buf, OUT_CAP - 1, 0);

	l->buf[n > 0 ? n : 0] = '\0';
	return l->buf;
}

static unsigned int
count_of(const char *hay, const char *needle)
{
	unsigned int n = 0;

	for (const char *p = strstr(hay, needle); p != NULL; p = strstr(p + 1, needle))
		n++;
	return n;
}

/* Send a command and wait until the output holds `count` times `until`. */
static int
live_cmd(struct live *l, const char *cmd, const char *until, unsigned int count)
{
	DPX_TEST_ASSERT(write(l->in, cmd, strlen(cmd)) == (ssize_t)strlen(cmd), "");
	for (int i = 0; i < GUARD_LOOPS / 10 && count_of(live_output(l), until) < count; i++)
		usleep(10 * 1000);
	DPX_TEST_ASSERT(count_of(live_output(l), until) >= count, "'%s': no %u x '%s' in:\n%s", cmd,
			count, until, l->buf);
	return DPX_TEST_SUCCESS;
}

static int
live_finish(struct live *l)
{
	int status = -1;

	close(l->in);
	for (int i = 0; i < 3000 && waitpid(l->pid, &status, WNOHANG) == 0; i++)
		usleep(10 * 1000);
	if (waitpid(l->pid, &status, WNOHANG) == 0) {
		kill(l->pid, SIGKILL);
		waitpid(l->pid, &status, 0);
	}
	printf("----- dpx-fwd -----\n%s\n", live_output(l));
	close(l->out);
	free(l->buf);
	DPX_TEST_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0, "dpx-fwd status 0x%x",
			status);
	return DPX_TEST_SUCCESS;
}

/* The last value of an xstat in the output. */
static uint64_t
out_xstat(const char *out, const char *name)
{
	char key[96];
	const char *p = NULL, *q;
	uint64_t v = UINT64_MAX;

	snprintf(key, sizeof(key), "%s: ", name);
	for (q = strstr(out, key); q != NULL; q = strstr(q + 1, key))
		p = q;
	if (p != NULL)
		sscanf(p + strlen(key), "%" SCNu64, &v);
	return v;
}

/* The last stream line: rx, generated, tx, dropped, consumed. */
static int
out_stream(const char *out, uint64_t v[5])
{
	const char *p = NULL, *q;

	for (q = strstr(out, "  Stream 0: "); q != NULL; q = strstr(q + 1, "  Stream 0: "))
		p = q;
	if (p == NULL || (p = strstr(p, ": rx ")) == NULL)
		return -1;
	return sscanf(p,
		      ": rx %" SCNu64 " generated %" SCNu64 " tx %" SCNu64 " dropped %" SCNu64
		      " consumed %" SCNu64,
		      &v[0], &v[1], &v[2], &v[3], &v[4]) == 5
		       ? 0
		       : -1;
}

/* ---- frames ---- */

#define NFRAMES 6
static const uint32_t lens[NFRAMES] = {64, 128, 300, 1000, 1514, 3000};
static const uint8_t peer_mac[6] = {2, 0, 0, 0, 0, 0}; /* --eth-peer of port 0 */

/* UDP/IPv4 frame i: payload bytes of its own, checksums valid. */
static void
udp_frame(uint8_t *f, unsigned int i)
{
	struct fwd_txonly_cfg cfg;
	struct fwd_csum_result r;
	struct fwd_seg seg = {f, lens[i]};

	fwd_txonly_cfg_defaults(&cfg);
	cfg.src_mac[5] = 0x51;
	cfg.dst_mac[5] = 0x52;
	cfg.src_port = (uint16_t)(1000 + i);
	fwd_txonly_build(f, lens[i], &cfg);
	for (uint32_t b = 42; b < lens[i]; b++)
		f[b] = (uint8_t)(i * 37 + b * 11);
	fwd_csum_fix(&seg, 1, lens[i], &r);
}

/* ICMP echo request i (98..1514 bytes: icmpecho answers what one mbuf holds). */
static uint32_t
icmp_frame(uint8_t *f, unsigned int i)
{
	uint32_t len = DPX_MAX(98u, DPX_MIN(lens[i], 1514u));
	uint8_t *ip = f + 14, *icmp = ip + 20;

	memset(f, 0, len);
	memcpy(f, (const uint8_t[]){2, 0, 0, 0, 0, 0x61, 2, 0, 0, 0, 0, 0x62, 0x08, 0x00}, 14);
	ip[0] = 0x45;
	ip[2] = (uint8_t)((len - 14) >> 8);
	ip[3] = (uint8_t)(len - 14);
	ip[8] = 64;
	ip[9] = 1;
	memcpy(ip + 12, (const uint8_t[]){10, 0, 0, 1, 10, 0, 0, 2}, 8);
	uint16_t c = fwd_cksum_fold(fwd_cksum_add(0, ip, 20));
	ip[10] = (uint8_t)(c >> 8), ip[11] = (uint8_t)c;
	icmp[0] = 8;
	icmp[5] = (uint8_t)i;
	icmp[7] = (uint8_t)(i + 1);
	for (uint32_t b = 8; b < len - 34; b++)
		icmp[b] = (uint8_t)(i + b);
	c = fwd_cksum_fold(fwd_cksum_add(0, icmp, len - 34));
	icmp[2] = (uint8_t)(c >> 8), icmp[3] = (uint8_t)c;
	return len;
}

/* What `mode` sends back for frame f (len bytes); false when nothing. */
static bool
expected(const char *mode, uint8_t *f, uint32_t len, const uint8_t port_mac[6])
{
	struct fwd_csum_result r;
	struct fwd_seg seg = {f, len};

	if (strcmp(mode, "rxonly") == 0)
		return false;
	if (strcmp(mode, "macswap") == 0)
		fwd_ether_swap(f);
	else if (strcmp(mode, "mac") == 0)
		fwd_ether_rewrite(f, port_mac, peer_mac);
	else if (strcmp(mode, "csum") == 0) {
		fwd_csum_fix(&seg, 1, len, &r);
		fwd_ether_rewrite(f, port_mac, peer_mac);
	} else if (strcmp(mode, "5tswap") == 0)
		fwd_5tswap(f, len);
	else if (strcmp(mode, "icmpecho") == 0)
		return fwd_icmpecho_reply(f, len, port_mac) == FWD_ECHO_ICMP;
	return true;
}

/* The guest takes one frame (polling), into buf. @return its length, 0 after the guard. */
static int
take(struct vfe *fe, uint8_t *buf, size_t cap, int loops)
{
	int n = 0;

	for (int i = 0; i < loops && (n = vfe_rx_take(fe, 0, buf, cap)) == 0; i++)
		usleep(100);
	return n;
}

/* A generated frame (txonly, flowgen): the txonly template from the port to
 * its peer; flowgen's destination one of its 1024, the checksums right. */
static int
check_generated(const char *mode, const uint8_t *f, int len, const uint8_t port_mac[6])
{
	struct fwd_txonly_cfg cfg;
	uint8_t want[64];

	DPX_TEST_ASSERT_EQUAL(len, 64, "%s frame length", mode);
	fwd_txonly_cfg_defaults(&cfg);
	memcpy(cfg.src_mac, port_mac, 6);
	memcpy(cfg.dst_mac, peer_mac, 6);
	fwd_txonly_build(want, sizeof(want), &cfg);
	if (strcmp(mode, "flowgen") == 0) {
		uint32_t dst = (uint32_t)f[30] << 24 | (uint32_t)f[31] << 16 | f[32] << 8 | f[33];

		DPX_TEST_ASSERT(dst - cfg.dst_ip < 1024, "flowgen destination 0x%x", dst);
		DPX_TEST_ASSERT_EQUAL(fwd_udp4_verify(f, 64), 0, "flowgen checksums");
		fwd_udp4_set_addr(want, 1, dst);
	}
	DPX_TEST_ASSERT(memcmp(f, want, 64) == 0, "%s frame byte-exact", mode);
	return DPX_TEST_SUCCESS;
}

/*
 * One mode: start, the guest's frames through dpx-fwd and back, stop, a port
 * stop that collects the copies in flight. *tx and *rx add the stream's.
 */
static int
one_mode(struct live *l, struct vfe *fe, const char *mode, unsigned int round,
	 const uint8_t port_mac[6], uint64_t *rx, uint64_t *tx)
{
	static uint8_t f[NFRAMES][4096], buf[8192];
	uint32_t flen[NFRAMES];
	bool gen = strcmp(mode, "txonly") == 0 || strcmp(mode, "flowgen") == 0;
	unsigned int i, got = 0;
	char cmd[64];
	uint64_t st[5];
	int n;

	vfe_rx_post(fe, 0, 200, 1);
	snprintf(cmd, sizeof(cmd), "set fwd %s\nstart\n", mode);
	DPX_TEST_RUN(live_cmd(l, cmd, "packet forwarding - ports=1", round + 1));
	for (i = 0; !gen && i < NFRAMES; i++) {
		if (strcmp(mode, "icmpecho") == 0) {
			flen[i] = icmp_frame(f[i], i);
		} else {
			udp_frame(f[i], i);
			flen[i] = lens[i];
		}
		if (strcmp(mode, "csum") == 0)
			f[i][24] ^= 0x5a, f[i][40] ^= 0xa5; /* both checksums wrong */
		DPX_TEST_ASSERT_EQUAL(vfe_tx_post(fe, 1, f[i], flen[i], 1), 0, "");
	}
	if (gen) {
		for (; got < 16; got++) {
			n = take(fe, buf, sizeof(buf), GUARD_LOOPS);
			DPX_TEST_ASSERT(n > 0, "%s: frame %u", mode, got);
			DPX_TEST_RUN(check_generated(mode, buf, n, port_mac));
		}
	}
	for (i = 0; !gen && i < NFRAMES; i++) {
		uint8_t want[4096];

		memcpy(want, f[i], flen[i]);
		if (!expected(mode, want, flen[i], port_mac))
			continue;
		n = take(fe, buf, sizeof(buf), GUARD_LOOPS);
		DPX_TEST_ASSERT_EQUAL(n, (int)flen[i], "%s: frame %u", mode, i);
		DPX_TEST_ASSERT(memcmp(buf, want, flen[i]) == 0, "%s: frame %u byte-exact", mode,
				i);
		got++;
	}
	/* rxonly: every frame consumed, the guest's buffers back */
	for (int k = 0; !gen && k < GUARD_LOOPS && fe->q[1].outstanding > 0; k++) {
		vfe_tx_reclaim(fe, 1);
		usleep(100);
	}
	DPX_TEST_ASSERT_EQUAL(fe->q[1].outstanding, 0, "%s: the guest's buffers came back", mode);
	DPX_TEST_RUN(live_cmd(l, "stop\n", "Accumulated forward statistics", round + 1));
	DPX_TEST_RUN(live_cmd(l, "port stop 0\n", "Port 0: stopped", round + 1));
	/* what was generated and sent is the guest's now, published by the stop */
	while (gen && (n = vfe_rx_take(fe, 0, buf, sizeof(buf))) > 0) {
		DPX_TEST_RUN(check_generated(mode, buf, n, port_mac));
		got++;
	}
	DPX_TEST_ASSERT(vfe_rx_take(fe, 0, buf, sizeof(buf)) == 0, "%s: nothing more", mode);
	DPX_TEST_ASSERT_EQUAL(out_stream(live_output(l), st), 0, "%s: stream line", mode);
	DPX_TEST_ASSERT_EQUAL(st[0] + st[1], st[2] + st[3] + st[4],
			      "%s: rx + gen = tx + drop + cons", mode);
	DPX_TEST_ASSERT_EQUAL(st[0], gen ? 0 : NFRAMES, "%s: received", mode);
	DPX_TEST_ASSERT_EQUAL(st[2], got, "%s: the guest got what was sent", mode);
	*rx += st[0];
	*tx += st[2];
	/* a start prints the MAC again */
	snprintf(cmd, sizeof(cmd), "Port 0: %02X:%02X:%02X:%02X:%02X:%02X", port_mac[0],
		 port_mac[1], port_mac[2], port_mac[3], port_mac[4], port_mac[5]);
	DPX_TEST_RUN(live_cmd(l, "port start 0\n", cmd, round + 2));
	return DPX_TEST_SUCCESS;
}

static int
modes_case(uint64_t want)
{
	static const char *const modes[] = {"io",	"mac",	"macswap", "rxonly", "txonly",
					    "icmpecho", "csum", "flowgen", "5tswap"};
	uint8_t mac[6];
	uint64_t rx = 0, tx = 0;
	unsigned int m[6];
	char sock[108];
	struct live l;
	struct vfe fe;
	const char *out, *p;

	vfe_sock_path(sock, sizeof(sock), "fwdasync");
	unlink(sock);
	if (live_start(&l, sock) == -ENOENT)
		DPX_TEST_SKIP("dpx-fwd is not built (%s/app/dpx-fwd)", DPX_BUILD_ROOT);
	DPX_TEST_RUN(live_cmd(&l, "", "Port 0: ", 1));
	p = strstr(live_output(&l), "Port 0: ");
	DPX_TEST_ASSERT(sscanf(p, "Port 0: %02X:%02X:%02X:%02X:%02X:%02X", &m[0], &m[1], &m[2],
			       &m[3], &m[4], &m[5]) == 6,
			"the port's MAC");
	for (int i = 0; i < 6; i++)
		mac[i] = (uint8_t)m[i];
	DPX_TEST_ASSERT_EQUAL(vfe_init(&fe, 32 << 20), 0, "");
	DPX_TEST_ASSERT_EQUAL(vfe_connect(&fe, sock), 0, "");
	DPX_TEST_ASSERT_EQUAL(vfe_negotiate(&fe, want), 0, "");
	DPX_TEST_ASSERT_EQUAL(vfe_set_mem_table(&fe), 0, "");
	DPX_TEST_ASSERT_EQUAL(vfe_queue_setup(&fe, 0, 256, 2048, false), 0, "");
	DPX_TEST_ASSERT_EQUAL(vfe_queue_setup(&fe, 1, 256, 4096, false), 0, "");
	DPX_TEST_ASSERT_EQUAL(vfe_driver_ok(&fe), 0, "");
	for (unsigned int i = 0; i < DPX_DIM(modes); i++)
		DPX_TEST_RUN(one_mode(&l, &fe, modes[i], i, mac, &rx, &tx));
	DPX_TEST_RUN(live_cmd(&l, "show port xstats 0\n", "tx_q0_async_dma_errors", 1));
	out = live_output(&l);
	DPX_TEST_ASSERT_EQUAL(out_xstat(out, "tx_q0_async_submitted_packets"), tx,
			      "every packet the streams sent went through the async queue");
	DPX_TEST_ASSERT_EQUAL(out_xstat(out, "rx_q0_async_submitted_packets"), rx, "");
	DPX_TEST_ASSERT_EQUAL(out_xstat(out, "tx_q0_async_completed_packets"), tx,
			      "port stops collected every copy");
	DPX_TEST_ASSERT_EQUAL(out_xstat(out, "rx_q0_async_completed_packets"), rx, "");
	DPX_TEST_ASSERT_EQUAL(out_xstat(out, "tx_q0_async_inflight_packets") +
				      out_xstat(out, "rx_q0_async_inflight_packets"),
			      0, "");
	DPX_TEST_ASSERT(out_xstat(out, "tx_q0_async_dma_copies") >= tx, "payloads on the engine");
	DPX_TEST_ASSERT(out_xstat(out, "rx_q0_async_dma_copies") >= rx, "");
	DPX_TEST_ASSERT(out_xstat(out, "tx_q0_async_cpu_copies") >= tx, "headers by the CPU");
	DPX_TEST_ASSERT_EQUAL(out_xstat(out, "tx_q0_async_dma_errors") +
				      out_xstat(out, "rx_q0_async_dma_errors"),
			      0, "");
	vfe_fini(&fe);
	DPX_TEST_RUN(live_cmd(&l, "quit\n", "Port 0: stopped", DPX_DIM(modes) + 1));
	DPX_TEST_RUN(live_finish(&l));
	unlink(sock);
	return DPX_TEST_SUCCESS;
}

static int
test_fwd_async_modes_split(void)
{
	return modes_case(~F(VIRTIO_F_RING_PACKED));
}
DPX_TEST_REGISTER(fwd_async_modes_split, fast, test_fwd_async_modes_split);

static int
test_fwd_async_modes_packed(void)
{
	return modes_case(~0ULL);
}
DPX_TEST_REGISTER(fwd_async_modes_packed, fast, test_fwd_async_modes_packed);
