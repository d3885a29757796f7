/* SPDX-License-Identifier: BSD-3-Clause */
/* dpx-fwd pure parts: options, streams, packet bytes, commands, statistics. */
#include <stdlib.h>

#include "dpx_test.h"
#include "fwd_cmd.h"
#include "fwd_options.h"
#include "fwd_pkt.h"
#include "fwd_stats.h"
#include "fwd_streams.h"

#define MAX_ARGS 48

static int
parse_line(const char *line, struct fwd_options *o, char *err, size_t errlen)
{
	char buf[512];
	char *argv[MAX_ARGS];
	int argc = 0;
	char *save = NULL;

	snprintf(buf, sizeof(buf), "dpx-fwd %s", line);
	for (char *w = strtok_r(buf, " ", &save); w != NULL && argc < MAX_ARGS;
	     w = strtok_r(NULL, " ", &save))
		argv[argc++] = w;
	return fwd_options_parse(argc, argv, o, err, errlen);
}

static const struct {
	const char *args;
	const char *err;
} bad_options[] = {
	{"--foo", "unknown option '--foo'"},
	{"-x", "unknown option '-x'"},
	{"stray", "unexpected argument 'stray'"},
	{"--burst", "option --burst needs a value"},
	{"--burst 0", "invalid value '0' for --burst: expected an integer in 1..512"},
	{"--burst=513", "invalid value '513' for --burst: expected an integer in 1..512"},
	{"--burst 3x", "invalid value '3x' for --burst: expected an integer in 1..512"},
	{"--burst -1", "invalid value '-1' for --burst: expected an integer in 1..512"},
	{"--nb-cores 0", "invalid value '0' for --nb-cores: expected an integer in 1..128"},
	{"--rxd 8", "invalid value '8' for --rxd: expected an integer in 16..32768"},
	{"--txq 65", "invalid value '65' for --txq: expected an integer in 1..64"},
	{"--forward-mode=fast",
	 "invalid value 'fast' for --forward-mode: expected io, mac, macswap, rxonly or txonly"},
	{"--txpkts 64,,64", "invalid value '64,,64' for --txpkts: expected LEN[,LEN...]"},
	{"--txpkts 64,", "invalid value '64,' for --txpkts: expected LEN[,LEN...]"},
	{"--txpkts 64,abc",
	 "invalid value '64,abc' for --txpkts: segment 'abc' is not a length in 1..9600"},
	{"--txpkts 20,100",
	 "invalid value '20,100' for --txpkts: the first segment must hold the 42-byte headers"},
	{"--txpkts 60", "invalid --txpkts: total length 60 is outside 64..1518 (--max-pkt-len)"},
	{"--txpkts 1000,1000",
	 "invalid --txpkts: total length 2000 is outside 64..1518 (--max-pkt-len)"},
	{"--txpkts 64,1,1,1,1,1,1,1,1",
	 "invalid value '64,1,1,1,1,1,1,1,1' for --txpkts: more than 8 segments"},
	{"--eth-peer 1", "invalid value '1' for --eth-peer: expected PORT,MAC"},
	{"--eth-peer 99,02:00:00:00:00:01",
	 "invalid value '99,02:00:00:00:00:01' for --eth-peer: port must be 0..31"},
	{"--eth-peer 1,02:00:00:00:00",
	 "invalid value '1,02:00:00:00:00' for --eth-peer: MAC must be xx:xx:xx:xx:xx:xx"},
	{"--eth-peer 1,02:00:00:00:00:0g",
	 "invalid value '1,02:00:00:00:00:0g' for --eth-peer: MAC must be xx:xx:xx:xx:xx:xx"},
	{"--auto-start=yes", "option --auto-start takes no value"},
	{"--max-pkt-len 10",
	 "invalid value '10' for --max-pkt-len: expected an integer in 64..9600"},
	{"--stats-period 0",
	 "invalid value '0' for --stats-period: expected an integer in 1..3600"},
};

static int
test_fwd_options_invalid(void)
{
	struct fwd_options o;
	char err[256];

	/* the messages quote the configured limits: check the ones this table assumes */
	if (DPX_MAX_LCORE != 128 || DPX_MAX_ETHPORTS != 32)
		DPX_TEST_SKIP("messages assume max_lcores=128, max_ports=32 (built with %d, %d)",
			      DPX_MAX_LCORE, DPX_MAX_ETHPORTS);
	for (size_t i = 0; i < DPX_DIM(bad_options); i++) {
		int rc = parse_line(bad_options[i].args, &o, err, sizeof(err));

		DPX_TEST_ASSERT_EQUAL(rc, -EINVAL, "'%s'", bad_options[i].args);
		DPX_TEST_ASSERT(strcmp(err, bad_options[i].err) == 0, "'%s': got \"%s\"",
				bad_options[i].args, err);
	}
	DPX_TEST_ASSERT_EQUAL(parse_line("-h", &o, err, sizeof(err)), -ECANCELED, "");
	DPX_TEST_ASSERT_EQUAL(parse_line("--burst 4 --help", &o, err, sizeof(err)), -ECANCELED, "");
	return DPX_TEST_SUCCESS;
}

static int
test_fwd_options_valid(void)
{
	struct fwd_options o;
	char err[256];

	DPX_TEST_ASSERT_EQUAL(parse_line("", &o, err, sizeof(err)), 0, "%s", err);
	DPX_TEST_ASSERT_EQUAL(o.mode, FWD_MODE_IO, "");
	DPX_TEST_ASSERT_EQUAL(o.burst, 32, "");
	DPX_TEST_ASSERT_EQUAL(o.nb_cores, 0, "all cores by default");
	DPX_TEST_ASSERT_EQUAL(fwd_options_txpkt_len(&o), 64, "");
	DPX_TEST_ASSERT_EQUAL(o.interactive + o.auto_start + o.record_core_cycles, 0, "");

	DPX_TEST_ASSERT_EQUAL(
		parse_line("--nb-cores 2 --forward-mode=txonly --txpkts 64,128,1 "
			   "--burst=64 --rxq 2 --txq=4 --rxd 256 --txd 1024 "
			   "--eth-peer 3,02:aA:00:00:00:ff --stats-period 1 "
			   "--auto-start --record-core-cycles -i --total-num-mbufs 4096 "
			   "--max-pkt-len 9000 --run-time 5 --tx-pps 1000",
			   &o, err, sizeof(err)),
		0, "%s", err);
	DPX_TEST_ASSERT_EQUAL(o.nb_cores, 2, "");
	DPX_TEST_ASSERT_EQUAL(o.mode, FWD_MODE_TXONLY, "");
	DPX_TEST_ASSERT_EQUAL(o.nb_txpkts, 3, "");
	DPX_TEST_ASSERT_EQUAL(o.txpkts[1], 128, "");
	DPX_TEST_ASSERT_EQUAL(fwd_options_txpkt_len(&o), 193, "");
	DPX_TEST_ASSERT_EQUAL(o.burst, 64, "");
	DPX_TEST_ASSERT_EQUAL(o.nb_rxq, 2, "");
	DPX_TEST_ASSERT_EQUAL(o.nb_txq, 4, "");
	DPX_TEST_ASSERT_EQUAL(o.nb_rxd, 256, "");
	DPX_TEST_ASSERT_EQUAL(o.nb_txd, 1024, "");
	DPX_TEST_ASSERT_EQUAL(o.peer_set[3], 1, "");
	DPX_TEST_ASSERT_EQUAL(o.peer_set[0], 0, "");
	DPX_TEST_ASSERT_EQUAL(o.peer_mac[3][1], 0xaa, "");
	DPX_TEST_ASSERT_EQUAL(o.peer_mac[3][5], 0xff, "");
	DPX_TEST_ASSERT_EQUAL(o.stats_period, 1, "");
	DPX_TEST_ASSERT_EQUAL(o.auto_start, 1, "");
	DPX_TEST_ASSERT_EQUAL(o.record_core_cycles, 1, "");
	DPX_TEST_ASSERT_EQUAL(o.interactive, 1, "");
	DPX_TEST_ASSERT_EQUAL(o.total_num_mbufs, 4096, "");
	DPX_TEST_ASSERT_EQUAL(o.max_pkt_len, 9000, "");
	DPX_TEST_ASSERT_EQUAL(o.run_time, 5, "");
	DPX_TEST_ASSERT_EQUAL(o.tx_pps, 1000, "");
	/* --txpkts checked against --max-pkt-len whatever the order */
	DPX_TEST_ASSERT_EQUAL(parse_line("--txpkts 2000 --max-pkt-len 2048", &o, err, sizeof(err)),
			      0, "%s", err);
	for (int m = 0; m < FWD_MODE_COUNT; m++)
		DPX_TEST_ASSERT_EQUAL(fwd_mode_parse(fwd_mode_name((enum fwd_mode)m)), m, "");
	DPX_TEST_ASSERT_EQUAL(fwd_mode_parse("IO"), -EINVAL, "");
	return DPX_TEST_SUCCESS;
}

/* Check the invariants of one layout against a direct model. */
static int
check_layout(uint16_t ports, uint16_t rxq, uint16_t txq, unsigned int cores)
{
	struct fwd_stream_map map[256];
	unsigned int used = 0, per_core[256] = {0};
	static uint8_t rx_seen[64][64], tx_seen[64][64];
	unsigned int nb_q = rxq < txq ? rxq : txq;
	int n = fwd_streams_build(ports, rxq, txq, cores, map, DPX_DIM(map), &used);

	DPX_TEST_ASSERT_EQUAL(n, ports * nb_q, "ports %u rxq %u txq %u", ports, rxq, txq);
	DPX_TEST_ASSERT_EQUAL(used, DPX_MIN(cores, (unsigned int)n), "");
	memset(rx_seen, 0, sizeof(rx_seen));
	memset(tx_seen, 0, sizeof(tx_seen));
	for (int s = 0; s < n; s++) {
		const struct fwd_stream_map *m = &map[s];
		uint16_t want_peer = (m->rx_port ^ 1) < ports ? m->rx_port ^ 1 : m->rx_port;

		DPX_TEST_ASSERT(m->rx_port < ports && m->rx_queue < nb_q, "stream %d", s);
		DPX_TEST_ASSERT_EQUAL(m->tx_port, want_peer, "stream %d", s);
		DPX_TEST_ASSERT_EQUAL(m->tx_queue, m->rx_queue, "");
		DPX_TEST_ASSERT_EQUAL(rx_seen[m->rx_port][m->rx_queue]++, 0, "rx queue twice");
		DPX_TEST_ASSERT_EQUAL(tx_seen[m->tx_port][m->tx_queue]++, 0, "tx queue shared");
		DPX_TEST_ASSERT(m->core < used, "");
		/* contiguous runs: the core index never goes down */
		DPX_TEST_ASSERT(s == 0 || m->core == map[s - 1].core ||
					m->core == map[s - 1].core + 1,
				"stream %d core %u after %u", s, m->core, map[s - 1].core);
		per_core[m->core]++;
	}
	for (unsigned int c = 0; c < used; c++) {
		DPX_TEST_ASSERT(per_core[c] == (unsigned int)n / used ||
					per_core[c] == (unsigned int)n / used + 1,
				"core %u has %u of %d streams over %u cores", c, per_core[c], n,
				used);
	}
	return DPX_TEST_SUCCESS;
}

static int
test_fwd_streams(void)
{
	struct fwd_stream_map map[8];
	unsigned int used;

	DPX_TEST_ASSERT_EQUAL(fwd_peer_port(0, 1), 0, "lone port loops");
	DPX_TEST_ASSERT_EQUAL(fwd_peer_port(0, 2), 1, "");
	DPX_TEST_ASSERT_EQUAL(fwd_peer_port(1, 2), 0, "");
	DPX_TEST_ASSERT_EQUAL(fwd_peer_port(2, 3), 2, "odd last port loops");
	DPX_TEST_ASSERT_EQUAL(fwd_peer_port(3, 4), 2, "");
	for (uint16_t p = 1; p <= 5; p++)
		for (uint16_t rq = 1; rq <= 4; rq++)
			for (uint16_t tq = 1; tq <= 4; tq++)
				for (unsigned int c = 1; c <= 9; c++)
					DPX_TEST_RUN(check_layout(p, rq, tq, c));
	/* exact layout: 2 ports x 2 queues over 2 cores, queue-major */
	DPX_TEST_ASSERT_EQUAL(fwd_streams_build(2, 2, 2, 2, map, 8, &used), 4, "");
	DPX_TEST_ASSERT(map[0].rx_port == 0 && map[0].rx_queue == 0 && map[0].tx_port == 1 &&
				map[0].core == 0,
			"");
	DPX_TEST_ASSERT(map[1].rx_port == 1 && map[1].rx_queue == 0 && map[1].tx_port == 0 &&
				map[1].core == 0,
			"");
	DPX_TEST_ASSERT(map[2].rx_port == 0 && map[2].rx_queue == 1 && map[2].core == 1, "");
	DPX_TEST_ASSERT(map[3].rx_port == 1 && map[3].rx_queue == 1 && map[3].core == 1, "");
	DPX_TEST_ASSERT_EQUAL(fwd_streams_build(0, 1, 1, 1, map, 8, &used), -EINVAL, "");
	DPX_TEST_ASSERT_EQUAL(fwd_streams_build(2, 1, 1, 0, map, 8, &used), -EINVAL, "");
	DPX_TEST_ASSERT_EQUAL(fwd_streams_build(4, 4, 4, 1, map, 8, &used), -ENOSPC, "");
	return DPX_TEST_SUCCESS;
}

/* Reference checksum: 32-bit sum of 16-bit words, folded at the end. */
static uint16_t
ref_cksum(const uint8_t *p, size_t len, uint32_t start)
{
	uint64_t sum = start;

	for (size_t i = 0; i < len; i++)
		sum += i % 2 == 0 ? (uint32_t)p[i] << 8 : p[i];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static int
test_fwd_pkt_txonly(void)
{
	static const uint8_t want_hdr[40] = {
		0x02, 0x00, 0x00, 0x00, 0x00, 0x02, /* dst */
		0x02, 0x11, 0x22, 0x33, 0x44, 0x55, /* src */
		0x08, 0x00, 0x45, 0x00, 0x00, 0x32, 0x00,
		0x00, 0x00, 0x00, 0x40, 0x11, 0xee, 0x93, /* cksum */
		198,  18,   0,	  1,	198,  18,   0,
		2,    0x00, 0x09, 0x00, 0x09, 0x00, 0x1e, /* UDP length 30 */
	};
	static const uint8_t src[6] = {0x02, 0x11, 0x22, 0x33, 0x44, 0x55};
	struct fwd_txonly_cfg cfg;
	uint8_t buf[1500];

	fwd_txonly_cfg_defaults(&cfg);
	memcpy(cfg.src_mac, src, 6);
	DPX_TEST_ASSERT_EQUAL(fwd_txonly_build(buf, 64, &cfg), 0, "");
	DPX_TEST_ASSERT(memcmp(buf, want_hdr, sizeof(want_hdr)) == 0, "header bytes");
	for (int i = 42; i < 64; i++)
		DPX_TEST_ASSERT_EQUAL(buf[i], i - 42, "payload byte %d", i);
	/* UDP checksum against the reference over pseudo-header + UDP */
	{
		uint8_t ph[12 + 30];

		memcpy(ph, buf + 26, 8);
		ph[8] = 0, ph[9] = 17, ph[10] = 0, ph[11] = 30;
		memcpy(ph + 12, buf + 34, 30);
		ph[12 + 6] = 0, ph[12 + 7] = 0;
		uint16_t want = ref_cksum(ph, sizeof(ph), 0);
		DPX_TEST_ASSERT_EQUAL(buf[40] << 8 | buf[41], want ? want : 0xffff, "UDP checksum");
	}
	DPX_TEST_ASSERT_EQUAL(fwd_udp4_verify(buf, 64), 0, "");
	/* odd and large lengths verify too; any flipped byte is caught */
	for (size_t len = 42; len <= 1500; len += 97) {
		DPX_TEST_ASSERT_EQUAL(fwd_txonly_build(buf, len, &cfg), 0, "");
		DPX_TEST_ASSERT_EQUAL(fwd_udp4_verify(buf, len), 0, "len %zu", len);
		DPX_TEST_ASSERT_EQUAL(ref_cksum(buf + 14, 20, 0), 0, "IPv4 header sums to ~0");
		buf[len - 1] ^= 0x40;
		DPX_TEST_ASSERT_EQUAL(fwd_udp4_verify(buf, len), -EINVAL, "len %zu corrupted", len);
	}
	DPX_TEST_ASSERT_EQUAL(fwd_txonly_build(buf, 41, &cfg), -EINVAL, "");
	DPX_TEST_ASSERT_EQUAL(fwd_udp4_verify(buf, 20), -EINVAL, "");
	return DPX_TEST_SUCCESS;
}

static int
test_fwd_pkt_mac(void)
{
	uint8_t f[20], g[20];
	static const uint8_t a[6] = {1, 2, 3, 4, 5, 6}, b[6] = {7, 8, 9, 10, 11, 12};

	for (int i = 0; i < 20; i++)
		f[i] = (uint8_t)(0xa0 + i);
	memcpy(g, f, sizeof(f));
	fwd_ether_swap(f);
	DPX_TEST_ASSERT(memcmp(f, g + 6, 6) == 0 && memcmp(f + 6, g, 6) == 0, "swapped");
	DPX_TEST_ASSERT(memcmp(f + 12, g + 12, 8) == 0, "rest untouched");
	fwd_ether_swap(f);
	DPX_TEST_ASSERT(memcmp(f, g, sizeof(f)) == 0, "swap twice is identity");
	fwd_ether_rewrite(f, a, b);
	DPX_TEST_ASSERT(memcmp(f, b, 6) == 0 && memcmp(f + 6, a, 6) == 0, "dst then src");
	DPX_TEST_ASSERT(memcmp(f + 12, g + 12, 8) == 0, "rest untouched");
	return DPX_TEST_SUCCESS;
}

static const struct {
	const char *line;
	enum fwd_cmd_type type;
	int all;
	int port;
	int mode;
} good_cmds[] = {
	{"start", FWD_CMD_START, 0, 0, 0},
	{"  stop  ", FWD_CMD_STOP, 0, 0, 0},
	{"", FWD_CMD_NONE, 0, 0, 0},
	{"# comment", FWD_CMD_NONE, 0, 0, 0},
	{"show port stats all", FWD_CMD_SHOW_STATS, 1, 0, 0},
	{"show port stats 3", FWD_CMD_SHOW_STATS, 0, 3, 0},
	{"show port xstats 0 # why", FWD_CMD_SHOW_XSTATS, 0, 0, 0},
	{"set fwd macswap", FWD_CMD_SET_FWD, 0, 0, FWD_MODE_MACSWAP},
	{"set\tfwd txonly\n", FWD_CMD_SET_FWD, 0, 0, FWD_MODE_TXONLY},
	{"port start all", FWD_CMD_PORT_START, 1, 0, 0},
	{"port stop 1", FWD_CMD_PORT_STOP, 0, 1, 0},
	{"quit", FWD_CMD_QUIT, 0, 0, 0},
	{"help", FWD_CMD_HELP, 0, 0, 0},
};

static const struct {
	const char *line;
	const char *err;
} bad_cmds[] = {
	{"go", "unknown command 'go' (type help)"},
	{"start now", "usage: start"},
	{"show port stats", "usage: show port stats all|N"},
	{"show port stats x", "bad port 'x': expected all or 0..31"},
	{"show port stats 32", "bad port '32': expected all or 0..31"},
	{"set fwd", "usage: set fwd MODE"},
	{"set fwd warp",
	 "unknown forwarding mode 'warp': expected io, mac, macswap, rxonly or txonly"},
	{"port stop 1 2", "usage: port stop all|N"},
};

static int
test_fwd_cmd_parse(void)
{
	struct fwd_cmd c;
	char err[256], longline[400];

	if (DPX_MAX_ETHPORTS != 32)
		DPX_TEST_SKIP("messages assume max_ports=32 (built with %d)", DPX_MAX_ETHPORTS);
	for (size_t i = 0; i < DPX_DIM(good_cmds); i++) {
		DPX_TEST_ASSERT_EQUAL(fwd_cmd_parse(good_cmds[i].line, &c, err, sizeof(err)), 0,
				      "'%s': %s", good_cmds[i].line, err);
		DPX_TEST_ASSERT_EQUAL(c.type, good_cmds[i].type, "'%s'", good_cmds[i].line);
		DPX_TEST_ASSERT_EQUAL(c.all, good_cmds[i].all, "'%s'", good_cmds[i].line);
		DPX_TEST_ASSERT_EQUAL(c.port, good_cmds[i].port, "'%s'", good_cmds[i].line);
		if (c.type == FWD_CMD_SET_FWD)
			DPX_TEST_ASSERT_EQUAL(c.mode, good_cmds[i].mode, "");
	}
	for (size_t i = 0; i < DPX_DIM(bad_cmds); i++) {
		DPX_TEST_ASSERT_EQUAL(fwd_cmd_parse(bad_cmds[i].line, &c, err, sizeof(err)),
				      -EINVAL, "'%s'", bad_cmds[i].line);
		DPX_TEST_ASSERT(strcmp(err, bad_cmds[i].err) == 0, "'%s': got \"%s\"",
				bad_cmds[i].line, err);
	}
	memset(longline, 'a', sizeof(longline) - 1);
	longline[sizeof(longline) - 1] = '\0';
	DPX_TEST_ASSERT_EQUAL(fwd_cmd_parse(longline, &c, err, sizeof(err)), -EINVAL, "");
	return DPX_TEST_SUCCESS;
}

static int
test_fwd_stats_sums(void)
{
	/* 3 ports: 0<->1, 2 loops; counters chosen so every sum is distinct */
	struct fwd_stream_map map[3];
	struct fwd_stream_stats st[3] = {
		{.rx_packets = 100, .tx_packets = 90, .fwd_dropped = 10, .core_cycles = 1000},
		{.rx_packets = 7, .tx_packets = 7, .core_cycles = 70},
		{.rx_packets = 50, .tx_packets = 45, .fwd_dropped = 5, .core_cycles = 500},
	};
	struct fwd_port_totals t[3], all = {0};
	uint16_t ids[3] = {4, 5, 6};
	unsigned int used;
	char *text = NULL;
	size_t size = 0;

	DPX_TEST_ASSERT_EQUAL(fwd_streams_build(3, 1, 1, 1, map, 3, &used), 3, "");
	for (uint16_t p = 0; p < 3; p++) {
		fwd_port_totals(map, st, 3, p, &t[p]);
		fwd_port_totals_add(&all, &t[p]);
	}
	DPX_TEST_ASSERT_EQUAL(t[0].rx_packets, 100, "");
	DPX_TEST_ASSERT_EQUAL(t[0].tx_packets, 7, "port 0 sends what port 1 received");
	DPX_TEST_ASSERT_EQUAL(t[1].tx_packets, 90, "");
	DPX_TEST_ASSERT_EQUAL(t[1].tx_dropped, 10, "");
	DPX_TEST_ASSERT_EQUAL(t[2].rx_packets, 50, "");
	DPX_TEST_ASSERT_EQUAL(t[2].tx_packets + t[2].tx_dropped, 50, "looping port");
	DPX_TEST_ASSERT_EQUAL(all.rx_packets, all.tx_packets + all.tx_dropped, "totals add up");
	DPX_TEST_ASSERT_EQUAL(all.core_cycles, 1570, "");
	DPX_TEST_ASSERT_EQUAL(all.packets, 157, "");

	FILE *f = open_memstream(&text, &size);
	DPX_TEST_ASSERT(f != NULL, "");
	fwd_print_stream(f, 0, &map[0], ids, 1, &st[0]);
	fwd_print_port(f, 5, &t[1], 1);
	fwd_print_totals(f, &all, 1);
	fclose(f);
	DPX_TEST_ASSERT(strstr(text,
			       "  Stream 0: port 4/queue 0 -> port 5/queue 0 (lcore 1): rx 100 "
			       "generated 0 tx 90 dropped 10 consumed 0\n") != NULL,
			"%s", text);
	DPX_TEST_ASSERT(strstr(text, "Forward statistics for port 5 ") != NULL, "%s", text);
	DPX_TEST_ASSERT(strstr(text, "  TX-packets: 90             TX-dropped: 10             "
				     "TX-total: 100\n") != NULL,
			"%s", text);
	DPX_TEST_ASSERT(strstr(text, "CPU cycles/packet: 10.00 (busy cycles 1570, packets 157)") !=
				NULL,
			"%s", text);
	free(text);

	DPX_TEST_ASSERT(fwd_rate_per_sec(100, 1100, 500000000) == 2000.0, "");
	DPX_TEST_ASSERT(fwd_rate_per_sec(100, 50, 1000) == 0.0, "counter went back (reset)");
	DPX_TEST_ASSERT(fwd_rate_per_sec(0, 50, 0) == 0.0, "");
	return DPX_TEST_SUCCESS;
}

DPX_TEST_REGISTER(fwd_options_invalid, fast, test_fwd_options_invalid);
DPX_TEST_REGISTER(fwd_options_valid, fast, test_fwd_options_valid);
DPX_TEST_REGISTER(fwd_streams, fast, test_fwd_streams);
DPX_TEST_REGISTER(fwd_pkt_txonly, fast, test_fwd_pkt_txonly);
DPX_TEST_REGISTER(fwd_pkt_mac, fast, test_fwd_pkt_mac);
DPX_TEST_REGISTER(fwd_cmd_parse, fast, test_fwd_cmd_parse);
DPX_TEST_REGISTER(fwd_stats_sums, fast, test_fwd_stats_sums);
