/* SPDX-License-Identifier: BSD-3-Clause */
/* dpx-fwd pure parts: options, streams, packet bytes, commands, statistics. */
#include <stdlib.h>

#include "dpx_test.h"
#include "fwd_cmd.h"
#include "fwd_engine.h"
#include "fwd_parse.h"
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
	 "invalid value 'fast' for --forward-mode: expected io, mac, macswap, rxonly, txonly, "
	 "icmpecho, csum, flowgen or 5tswap"},
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
	{"--port-topology ring",
	 "invalid value 'ring' for --port-topology: expected paired, chained or loop"},
	{"--portmask 0",
	 "invalid value '0' for --portmask: expected a non-empty mask of ports 0..31"},
	{"--portmask 0x1g",
	 "invalid value '0x1g' for --portmask: expected a hexadecimal port mask"},
	{"--portmask 0x100000000",
	 "invalid value '0x100000000' for --portmask: expected a non-empty mask of ports 0..31"},
	{"--mbuf-size 100",
	 "invalid value '100' for --mbuf-size: expected an integer in 192..65535"},
	{"--mbuf-size 1024",
	 "--mbuf-size 1024 holds 896 bytes after the 128-byte headroom: less than the 1518-byte "
	 "frames of --max-pkt-len/--mtu"},
	{"--mtu 60", "invalid value '60' for --mtu: expected an integer in 68..9582"},
	{"--mtu 9000 --max-pkt-len 2000",
	 "--mtu 9000 needs frames of 9018 bytes: more than --max-pkt-len 2000"},
	{"--tx-first --forward-mode txonly",
	 "--tx-first is for forwarding modes: txonly generates its packets anyway"},
	{"--cmdline-file", "option --cmdline-file needs a value"},
	{"--no-promisc=1", "option --no-promisc takes no value"},
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
	DPX_TEST_ASSERT_EQUAL(o.topology, FWD_TOPO_PAIRED, "default");
	DPX_TEST_ASSERT_EQUAL(parse_line("--port-topology=chained --portmask 0x5 --mbuf-size 4096 "
					 "--mtu 3000 --tx-first --txonly-multi-flow --no-promisc "
					 "--cmdline-file /tmp/x --forward-mode 5tswap",
					 &o, err, sizeof(err)),
			      0, "%s", err);
	DPX_TEST_ASSERT_EQUAL(o.topology, FWD_TOPO_CHAINED, "");
	DPX_TEST_ASSERT_EQUAL(o.portmask, 5, "");
	DPX_TEST_ASSERT_EQUAL(o.mbuf_size, 4096, "");
	DPX_TEST_ASSERT_EQUAL(o.mtu, 3000, "");
	DPX_TEST_ASSERT_EQUAL(o.max_pkt_len, 3018, "--mtu alone sets the frame size");
	DPX_TEST_ASSERT(o.tx_first && o.txonly_multi_flow && o.no_promisc, "");
	DPX_TEST_ASSERT(strcmp(o.cmdline_file, "/tmp/x") == 0, "");
	DPX_TEST_ASSERT_EQUAL(o.mode, FWD_MODE_5TSWAP, "");
	DPX_TEST_ASSERT_EQUAL(
		parse_line("--port-topology loop --portmask=FF", &o, err, sizeof(err)), 0, "%s",
		err);
	DPX_TEST_ASSERT_EQUAL(o.topology, FWD_TOPO_LOOP, "");
	DPX_TEST_ASSERT_EQUAL(o.portmask, 0xff, "");
	for (int m = 0; m < FWD_MODE_COUNT; m++)
		DPX_TEST_ASSERT_EQUAL(fwd_mode_parse(fwd_mode_name((enum fwd_mode)m)), m, "");
	DPX_TEST_ASSERT_EQUAL(fwd_mode_parse("IO"), -EINVAL, "");
	return DPX_TEST_SUCCESS;
}

/* Check the invariants of one layout against a direct model. */
static uint16_t
model_peer(uint16_t p, uint16_t ports, enum fwd_topology topo)
{
	if (topo == FWD_TOPO_LOOP)
		return p;
	if (topo == FWD_TOPO_CHAINED)
		return p + 1 == ports ? 0 : p + 1;
	return (p ^ 1) < ports ? p ^ 1 : p;
}

static int
check_layout(uint16_t ports, uint16_t rxq, uint16_t txq, unsigned int cores, enum fwd_topology topo)
{
	struct fwd_stream_map map[256];
	unsigned int used = 0, per_core[256] = {0};
	static uint8_t rx_seen[64][64], tx_seen[64][64];
	unsigned int nb_q = rxq < txq ? rxq : txq;
	int n = fwd_streams_build(ports, rxq, txq, cores, topo, map, DPX_DIM(map), &used);

	DPX_TEST_ASSERT_EQUAL(n, ports * nb_q, "ports %u rxq %u txq %u", ports, rxq, txq);
	DPX_TEST_ASSERT_EQUAL(used, DPX_MIN(cores, (unsigned int)n), "");
	memset(rx_seen, 0, sizeof(rx_seen));
	memset(tx_seen, 0, sizeof(tx_seen));
	for (int s = 0; s < n; s++) {
		const struct fwd_stream_map *m = &map[s];
		uint16_t want_peer = model_peer(m->rx_port, ports, topo);

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

	DPX_TEST_ASSERT_EQUAL(fwd_peer_port(0, 1, FWD_TOPO_PAIRED), 0, "lone port loops");
	DPX_TEST_ASSERT_EQUAL(fwd_peer_port(0, 2, FWD_TOPO_PAIRED), 1, "");
	DPX_TEST_ASSERT_EQUAL(fwd_peer_port(1, 2, FWD_TOPO_PAIRED), 0, "");
	DPX_TEST_ASSERT_EQUAL(fwd_peer_port(2, 3, FWD_TOPO_PAIRED), 2, "odd last port loops");
	DPX_TEST_ASSERT_EQUAL(fwd_peer_port(3, 4, FWD_TOPO_PAIRED), 2, "");
	DPX_TEST_ASSERT_EQUAL(fwd_peer_port(2, 3, FWD_TOPO_CHAINED), 0, "the chain closes");
	DPX_TEST_ASSERT_EQUAL(fwd_peer_port(1, 3, FWD_TOPO_CHAINED), 2, "");
	DPX_TEST_ASSERT_EQUAL(fwd_peer_port(1, 3, FWD_TOPO_LOOP), 1, "");
	for (int t = FWD_TOPO_PAIRED; t <= FWD_TOPO_LOOP; t++)
		for (uint16_t p = 1; p <= 5; p++)
			for (uint16_t rq = 1; rq <= 4; rq++)
				for (uint16_t tq = 1; tq <= 4; tq++)
					for (unsigned int c = 1; c <= 9; c++)
						DPX_TEST_RUN(check_layout(p, rq, tq, c,
									  (enum fwd_topology)t));
	/* exact layout: 2 ports x 2 queues over 2 cores, queue-major */
	DPX_TEST_ASSERT_EQUAL(fwd_streams_build(2, 2, 2, 2, FWD_TOPO_PAIRED, map, 8, &used), 4, "");
	DPX_TEST_ASSERT(map[0].rx_port == 0 && map[0].rx_queue == 0 && map[0].tx_port == 1 &&
				map[0].core == 0,
			"");
	DPX_TEST_ASSERT(map[1].rx_port == 1 && map[1].rx_queue == 0 && map[1].tx_port == 0 &&
				map[1].core == 0,
			"");
	DPX_TEST_ASSERT(map[2].rx_port == 0 && map[2].rx_queue == 1 && map[2].core == 1, "");
	DPX_TEST_ASSERT(map[3].rx_port == 1 && map[3].rx_queue == 1 && map[3].core == 1, "");
	DPX_TEST_ASSERT_EQUAL(fwd_streams_build(0, 1, 1, 1, FWD_TOPO_PAIRED, map, 8, &used),
			      -EINVAL, "");
	DPX_TEST_ASSERT_EQUAL(fwd_streams_build(2, 1, 1, 0, FWD_TOPO_PAIRED, map, 8, &used),
			      -EINVAL, "");
	DPX_TEST_ASSERT_EQUAL(fwd_streams_build(4, 4, 4, 1, FWD_TOPO_PAIRED, map, 8, &used),
			      -ENOSPC, "");
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
	uint32_t value;
} good_cmds[] = {
	{"start", FWD_CMD_START, 0, 0, 0},
	{"start tx_first", FWD_CMD_START, 0, 0, 1},
	{"start tx_first 4", FWD_CMD_START, 0, 0, 4},
	{"  stop  ", FWD_CMD_STOP, 0, 0, 0},
	{"", FWD_CMD_NONE, 0, 0, 0},
	{"# comment", FWD_CMD_NONE, 0, 0, 0},
	{"show port stats all", FWD_CMD_SHOW_STATS, 1, 0, 0},
	{"show port stats 3", FWD_CMD_SHOW_STATS, 0, 3, 0},
	{"show port xstats 0 # why", FWD_CMD_SHOW_XSTATS, 0, 0, 0},
	{"show port info all", FWD_CMD_SHOW_INFO, 1, 0, 0},
	{"show fwd stats all", FWD_CMD_SHOW_FWD_STATS, 0, 0, 0},
	{"show config fwd", FWD_CMD_SHOW_CONFIG_FWD, 0, 0, 0},
	{"clear port stats 2", FWD_CMD_CLEAR_STATS, 0, 2, 0},
	{"set fwd macswap", FWD_CMD_SET_FWD, 0, 0, 0},
	{"set\tfwd icmpecho\n", FWD_CMD_SET_FWD, 0, 0, 0},
	{"set promisc all off", FWD_CMD_SET_PROMISC, 1, 0, 0},
	{"set allmulti 1 on", FWD_CMD_SET_ALLMULTI, 0, 1, 0},
	{"set verbose 3", FWD_CMD_SET_VERBOSE, 0, 0, 3},
	{"set nbcore 2", FWD_CMD_SET_NBCORE, 0, 0, 2},
	{"set burst 64", FWD_CMD_SET_BURST, 0, 0, 64},
	{"set txpkts 64,32", FWD_CMD_SET_TXPKTS, 0, 0, 0},
	{"set link-up port 1", FWD_CMD_SET_LINK_UP, 0, 1, 0},
	{"set link-down port 0", FWD_CMD_SET_LINK_DOWN, 0, 0, 0},
	{"port start all", FWD_CMD_PORT_START, 1, 0, 0},
	{"port stop 1", FWD_CMD_PORT_STOP, 0, 1, 0},
	{"port attach net_null9,size=128", FWD_CMD_PORT_ATTACH, 0, 0, 0},
	{"port detach 1", FWD_CMD_PORT_DETACH, 0, 1, 0},
	{"quit", FWD_CMD_QUIT, 0, 0, 0},
	{"exit", FWD_CMD_QUIT, 0, 0, 0},
	{"help", FWD_CMD_HELP, 0, 0, 0},
};

static const struct {
	const char *line;
	const char *err;
} bad_cmds[] = {
	{"go", "unknown command 'go' (type help)"},
	{"start now", "start: unknown subcommand 'now': expected tx_first\n"
		      "usage: start\n"
		      "       start tx_first\n"
		      "       start tx_first N"},
	{"start tx_first 0", "bad number '0': expected 1..1000000\nusage: start tx_first N"},
	{"show port stats", "show: missing arguments\nusage: show port stats all|N"},
	{"show port foo all", "show port: unknown subcommand 'foo': expected stats, xstats, info\n"
			      "usage: show port stats all|N\n"
			      "       show port xstats all|N\n"
			      "       show port info all|N"},
	{"show", "show: missing arguments\n"
		 "usage: show port stats all|N\n"
		 "       show port xstats all|N\n"
		 "       show port info all|N\n"
		 "       show fwd stats all\n"
		 "       show config fwd"},
	{"show port stats x", "bad port 'x': expected all or 0..31\nusage: show port stats all|N"},
	{"show port stats 32",
	 "bad port '32': expected all or 0..31\nusage: show port stats all|N"},
	{"show fwd stats 0", "show fwd stats: unknown subcommand '0': expected all\n"
			     "usage: show fwd stats all"},
	{"set fwd", "set: missing arguments\nusage: set fwd MODE"},
	{"set fwd warp", "unknown forwarding mode 'warp': expected io, mac, macswap, rxonly, "
			 "txonly, icmpecho, csum, flowgen or 5tswap\nusage: set fwd MODE"},
	{"set promisc 0 maybe", "bad value 'maybe': expected on or off\n"
				"usage: set promisc all|N on|off"},
	{"set verbose 4", "bad number '4': expected 0..3\nusage: set verbose N"},
	{"set burst 0", "bad number '0': expected 1..512\nusage: set burst N"},
	{"set link-up 0", "set link-up: unknown subcommand '0': expected port\n"
			  "usage: set link-up port N"},
	{"set link-up port all", "bad port 'all': expected 0..31\nusage: set link-up port N"},
	{"port stop 1 2", "port: too many arguments\nusage: port stop all|N"},
	{"port reset 1", "port: unknown subcommand 'reset': expected start, stop, attach, detach\n"
			 "usage: port start all|N\n"
			 "       port stop all|N\n"
			 "       port attach NAME[,KEY=VALUE...]\n"
			 "       port detach N"},
};

static int
test_fwd_cmd_parse(void)
{
	struct fwd_cmd c;
	char err[1024], longline[600];

	if (DPX_MAX_ETHPORTS != 32)
		DPX_TEST_SKIP("messages assume max_ports=32 (built with %d)", DPX_MAX_ETHPORTS);
	for (size_t i = 0; i < DPX_DIM(good_cmds); i++) {
		DPX_TEST_ASSERT_EQUAL(fwd_cmd_parse(good_cmds[i].line, &c, err, sizeof(err)), 0,
				      "'%s': %s", good_cmds[i].line, err);
		DPX_TEST_ASSERT_EQUAL(c.type, good_cmds[i].type, "'%s'", good_cmds[i].line);
		DPX_TEST_ASSERT_EQUAL(c.all, good_cmds[i].all, "'%s'", good_cmds[i].line);
		DPX_TEST_ASSERT_EQUAL(c.port, good_cmds[i].port, "'%s'", good_cmds[i].line);
		DPX_TEST_ASSERT_EQUAL(c.value, good_cmds[i].value, "'%s'", good_cmds[i].line);
	}
	DPX_TEST_ASSERT_EQUAL(fwd_cmd_parse("set fwd 5tswap", &c, err, sizeof(err)), 0, "%s", err);
	DPX_TEST_ASSERT_EQUAL(c.mode, FWD_MODE_5TSWAP, "");
	DPX_TEST_ASSERT_EQUAL(fwd_cmd_parse("set promisc 3 on", &c, err, sizeof(err)), 0, "%s",
			      err);
	DPX_TEST_ASSERT(c.on == 1 && c.port == 3, "");
	DPX_TEST_ASSERT_EQUAL(fwd_cmd_parse("start tx_first", &c, err, sizeof(err)), 0, "%s", err);
	DPX_TEST_ASSERT(c.tx_first == 1, "");
	DPX_TEST_ASSERT_EQUAL(fwd_cmd_parse("start", &c, err, sizeof(err)), 0, "%s", err);
	DPX_TEST_ASSERT(c.tx_first == 0, "");
	DPX_TEST_ASSERT_EQUAL(fwd_cmd_parse("port attach net_ring0,peer=x", &c, err, sizeof(err)),
			      0, "%s", err);
	DPX_TEST_ASSERT(strcmp(c.arg, "net_ring0,peer=x") == 0, "%s", c.arg);
	for (size_t i = 0; i < DPX_DIM(bad_cmds); i++) {
		DPX_TEST_ASSERT_EQUAL(fwd_cmd_parse(bad_cmds[i].line, &c, err, sizeof(err)),
				      -EINVAL, "'%s'", bad_cmds[i].line);
		DPX_TEST_ASSERT(strcmp(err, bad_cmds[i].err) == 0, "'%s': got \"%s\"",
				bad_cmds[i].line, err);
	}
	memset(longline, 'a', sizeof(longline) - 1);
	longline[sizeof(longline) - 1] = '\0';
	DPX_TEST_ASSERT_EQUAL(fwd_cmd_parse(longline, &c, err, sizeof(err)), -EINVAL, "");
	/* the help lists every command once */
	DPX_TEST_ASSERT(strstr(fwd_cmd_help(), "  set promisc all|N on|off ") != NULL, "%s",
			fwd_cmd_help());
	DPX_TEST_ASSERT(strstr(fwd_cmd_help(), "  port attach NAME[,KEY=VALUE...] ") != NULL, "");
	return DPX_TEST_SUCCESS;
}

/* Candidates joined by spaces, for comparing with a table. */
static const char *
completions(const char *line)
{
	static char buf[1024];
	char out[64][32];
	int n = fwd_cmd_complete(line, out, 64);

	buf[0] = '\0';
	for (int i = 0; i < n; i++)
		snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), "%s%s", i ? " " : "",
			 out[i]);
	return buf;
}

static int
test_fwd_cmd_complete(void)
{
	static const struct {
		const char *line, *want;
	} cases[] = {
		{"", "start stop show clear set port help quit exit"},
		{"s", "start stop show set"},
		{"sh", "show"},
		{"show ", "port fwd config"},
		{"show port ", "stats xstats info"},
		{"show port i", "info"},
		{"show port info ", "all"},
		{"set fwd ", "io mac macswap rxonly txonly icmpecho csum flowgen 5tswap"},
		{"set fwd i", "io icmpecho"},
		{"set promisc all ", "on off"},
		{"set promisc 0 of", "off"},
		{"start ", "tx_first"},
		{"set l", "link-up link-down"},
		{"set link-up ", "port"},
		{"bogus ", ""},
		{"show port info all ", ""},
	};

	for (size_t i = 0; i < DPX_DIM(cases); i++)
		DPX_TEST_ASSERT(strcmp(completions(cases[i].line), cases[i].want) == 0,
				"'%s': got \"%s\", want \"%s\"", cases[i].line,
				completions(cases[i].line), cases[i].want);
	return DPX_TEST_SUCCESS;
}

/* The pacer against a fake clock: exactly pps in every second, bursts cut to what is due. */
static int
test_fwd_pacer(void)
{
	static const struct {
		uint64_t hz, pps;
		uint16_t burst;
	} cases[] = {
		{1000, 10, 32}, {1000, 7, 4}, {10000, 1000, 32}, {3000, 2999, 64}, {100000, 1, 32}};
	struct fwd_pacer p;

	for (size_t c = 0; c < DPX_DIM(cases); c++) {
		uint64_t hz = cases[c].hz, pps = cases[c].pps, step = 1; /* a poll every tick */
		uint64_t sent = 0, in_second = 0;

		fwd_pacer_init(&p, hz, pps, 5);
		for (uint64_t t = 5; t < 5 + 3 * hz; t += step) {
			uint16_t n = fwd_pacer_allow(&p, t, cases[c].burst);

			DPX_TEST_ASSERT(n <= cases[c].burst, "case %zu: %u > burst", c, n);
			fwd_pacer_sent(&p, n);
			sent += n;
			in_second += n;
			if ((t - 5 + step) % hz == 0) {
				DPX_TEST_ASSERT_EQUAL(in_second, pps,
						      "case %zu: second ending at %" PRIu64, c, t);
				in_second = 0;
			}
		}
		DPX_TEST_ASSERT_EQUAL(sent, 3 * pps, "case %zu", c);
	}
	/* a stall earns at most one burst: the rate stays a ceiling */
	fwd_pacer_init(&p, 1000, 100, 0);
	DPX_TEST_ASSERT_EQUAL(fwd_pacer_allow(&p, 5000, 8), 8, "");
	fwd_pacer_sent(&p, 8);
	DPX_TEST_ASSERT_EQUAL(fwd_pacer_allow(&p, 5000, 8), 0, "the backlog is forgotten");
	DPX_TEST_ASSERT_EQUAL(fwd_pacer_allow(&p, 5010, 8), 1, "then the schedule goes on");
	/* unpaced */
	fwd_pacer_init(&p, 1000, 0, 0);
	DPX_TEST_ASSERT_EQUAL(fwd_pacer_allow(&p, 0, 32), 32, "");
	return DPX_TEST_SUCCESS;
}

static int
test_fwd_stats_sums(void)
{
	/* 3 ports: 0<->1, 2 loops; counters chosen so every sum is distinct */
	struct fwd_stream_map map[3];
	struct fwd_stream_stats st[3] = {
		{.rx_packets = 100, .tx_packets = 90, .fwd_dropped = 10, .core_cycles = 1000},
		{.rx_packets = 7, .tx_packets = 7, .core_cycles = 70, .bad_ip_csum = 2},
		{.rx_packets = 50,
		 .tx_packets = 45,
		 .fwd_dropped = 5,
		 .core_cycles = 500,
		 .bad_l4_csum = 3},
	};
	struct fwd_stats_fmt fmt = {"io", 0, 1, 2000000000ull};
	struct fwd_port_totals t[3], all = {0};
	uint16_t ids[3] = {4, 5, 6};
	unsigned int used;
	char *text = NULL;
	size_t size = 0;

	DPX_TEST_ASSERT_EQUAL(fwd_streams_build(3, 1, 1, 1, FWD_TOPO_PAIRED, map, 3, &used), 3, "");
	for (uint16_t p = 0; p < 3; p++) {
		fwd_port_totals(map, st, 3, p, &t[p]);
		fwd_port_totals_add(&all, &t[p]);
	}
	DPX_TEST_ASSERT_EQUAL(t[0].rx_packets, 100, "");
	DPX_TEST_ASSERT_EQUAL(t[0].tx_packets, 7, "port 0 sends what port 1 received");
	DPX_TEST_ASSERT_EQUAL(t[1].tx_packets, 90, "");
	DPX_TEST_ASSERT_EQUAL(t[1].tx_dropped, 10, "");
	DPX_TEST_ASSERT_EQUAL(t[1].bad_ip_csum, 2, "bad checksums count where received");
	DPX_TEST_ASSERT_EQUAL(t[2].bad_l4_csum, 3, "");
	DPX_TEST_ASSERT_EQUAL(t[2].rx_packets, 50, "");
	DPX_TEST_ASSERT_EQUAL(t[2].tx_packets + t[2].tx_dropped, 50, "looping port");
	DPX_TEST_ASSERT_EQUAL(all.rx_packets, all.tx_packets + all.tx_dropped, "totals add up");
	DPX_TEST_ASSERT_EQUAL(all.core_cycles, 1570, "");
	DPX_TEST_ASSERT_EQUAL(all.packets, 157, "");

	FILE *f = open_memstream(&text, &size);
	DPX_TEST_ASSERT(f != NULL, "");
	fwd_print_stream(f, 0, &map[0], ids, 1, &st[0]);
	fwd_print_port(f, 5, &t[1], &fmt);
	fwd_print_totals(f, &all, &fmt);
	fclose(f);
	DPX_TEST_ASSERT(strstr(text,
			       "  Stream 0: port 4/queue 0 -> port 5/queue 0 (lcore 1): rx 100 "
			       "generated 0 tx 90 dropped 10 consumed 0\n") != NULL,
			"%s", text);
	DPX_TEST_ASSERT(strstr(text, "\n  ---------------------- Forward statistics for port 5  "
				     "----------------------\n") != NULL,
			"%s", text);
	DPX_TEST_ASSERT(strstr(text, "  TX-packets: 90             TX-dropped: 10            "
				     "TX-total: 100\n") != NULL,
			"%s", text);
	DPX_TEST_ASSERT(strstr(text, "Bad-ipcsum") == NULL, "only in csum mode");
	DPX_TEST_ASSERT(strstr(text, "\n  CPU cycles/packet=10.00 (total cycles=1570 / total io "
				     "packets=157) at 2000 MHz Clock\n") != NULL,
			"%s", text);
	DPX_TEST_ASSERT(strstr(text, "Generated") == NULL, "dpx's line only when non-zero");
	free(text);

	DPX_TEST_ASSERT(fwd_rate_per_sec(100, 1100, 500000000) == 2000.0, "");
	DPX_TEST_ASSERT(fwd_rate_per_sec(100, 50, 1000) == 0.0, "counter went back (reset)");
	DPX_TEST_ASSERT(fwd_rate_per_sec(0, 50, 0) == 0.0, "");
	return DPX_TEST_SUCCESS;
}

#define TESTPMD_DATA DPX_SOURCE_ROOT "/test/data/testpmd-22.11/"

static char *
testpmd_capture(const char *name)
{
	return fwd_parse_read_file(name);
}

/* Render with dpx's functions into a string (free it). */
#define RENDER(text, size, ...)                              \
	do {                                                 \
		FILE *f_ = open_memstream(&(text), &(size)); \
		if (f_ == NULL)                              \
			return DPX_TEST_FAILED;              \
		__VA_ARGS__;                                 \
		fclose(f_);                                  \
	} while (0)

static void
totals_from(const struct fwd_parsed_port *p, struct fwd_port_totals *t)
{
	memset(t, 0, sizeof(*t));
	t->rx_packets = p->rx_packets;
	t->rx_dropped = p->rx_dropped;
	t->tx_packets = p->tx_packets;
	t->tx_dropped = p->tx_dropped;
	t->bad_ip_csum = p->bad_ip;
	t->bad_l4_csum = p->bad_l4;
	t->rx_errors = p->rx_error;
	t->rx_nombuf = p->rx_nombufs;
}

/*
 * Every report in a testpmd capture: parse it (the parser works on testpmd's
 * own text), check its sums, then print the same numbers with dpx-fwd's
 * functions and find dpx's text verbatim in testpmd's.
 */
static int
check_capture(const char *file, const char *const *modes, int *reports)
{
	char path[512];
	char *cap, *text = NULL;
	size_t size = 0;
	struct fwd_parsed_fwd r;
	struct fwd_stats_fmt fmt = {NULL, 0, 0, 0};

	snprintf(path, sizeof(path), TESTPMD_DATA "%s", file);
	cap = testpmd_capture(path);
	DPX_TEST_ASSERT(cap != NULL, "cannot read %s", path);
	*reports = 0;
	for (const char *p = cap; (p = fwd_parse_fwd_stats(p, &r)) != NULL; (*reports)++) {
		struct fwd_port_totals t, sum = {0};
		const char *mode = modes[*reports];

		DPX_TEST_ASSERT(mode != NULL, "%s: more reports than expected", file);
		fmt.mode = mode;
		fmt.csum = strcmp(mode, "csum") == 0;
		DPX_TEST_ASSERT(r.nb_ports > 0, "%s: report %d has no port block", file, *reports);
		for (int i = 0; i < r.nb_ports; i++) {
			const struct fwd_parsed_port *pp = &r.ports[i];

			DPX_TEST_ASSERT_EQUAL(pp->rx_total, pp->rx_packets + pp->rx_dropped, "%s",
					      file);
			DPX_TEST_ASSERT_EQUAL(pp->tx_total, pp->tx_packets + pp->tx_dropped, "%s",
					      file);
			DPX_TEST_ASSERT_EQUAL(pp->has_csum, fmt.csum, "%s: Bad-* lines", file);
			totals_from(pp, &t);
			fwd_port_totals_add(&sum, &t);
			RENDER(text, size, fwd_print_port(f_, (uint16_t)pp->port, &t, &fmt));
			DPX_TEST_ASSERT(strstr(cap, text) != NULL, "%s: dpx prints\n%s", file,
					text);
			free(text);
		}
		DPX_TEST_ASSERT_EQUAL(r.total.rx_packets, sum.rx_packets, "%s: accumulated", file);
		DPX_TEST_ASSERT_EQUAL(r.total.tx_packets, sum.tx_packets, "%s: accumulated", file);
		fmt.cycles = r.has_cycles;
		fmt.tsc_hz = (uint64_t)r.mhz * 1000000;
		totals_from(&r.total, &t);
		t.core_cycles = r.total_cycles;
		t.packets = r.total_packets;
		DPX_TEST_ASSERT(!r.has_cycles || strcmp(r.cycles_mode, mode) == 0, "%s: %s", file,
				r.cycles_mode);
		RENDER(text, size, fwd_print_totals(f_, &t, &fmt));
		DPX_TEST_ASSERT(strstr(cap, text) != NULL, "%s: dpx prints\n%s", file, text);
		free(text);
		for (int i = 0; i < r.nb_streams; i++) {
			const struct fwd_parsed_stream *ps = &r.streams[i];
			struct fwd_stream_map m = {0, (uint16_t)ps->rx_queue, 1,
						   (uint16_t)ps->tx_queue, 0};
			uint16_t ids[2] = {(uint16_t)ps->rx_port, (uint16_t)ps->tx_port};
			struct fwd_stream_stats s = {.rx_packets = ps->rx,
						     .tx_packets = ps->tx,
						     .fwd_dropped = ps->dropped,
						     .bad_ip_csum = ps->bad_ip,
						     .bad_l4_csum = ps->bad_l4};

			DPX_TEST_ASSERT_EQUAL(ps->has_csum, fmt.csum, "%s", file);
			RENDER(text, size, fwd_print_stream_block(f_, &m, ids, &s, &fmt));
			DPX_TEST_ASSERT(strstr(cap, text) != NULL, "%s: dpx prints\n%s", file,
					text);
			free(text);
		}
	}
	free(cap);
	return DPX_TEST_SUCCESS;
}

/* testpmd's show port stats blocks, parsed, then reprinted by dpx: the same text. */
static int
check_nic_capture(const char *file, int *blocks)
{
	char path[512];
	char *cap, *text = NULL;
	size_t size = 0;
	struct fwd_parsed_nic n;

	snprintf(path, sizeof(path), TESTPMD_DATA "%s", file);
	cap = testpmd_capture(path);
	DPX_TEST_ASSERT(cap != NULL, "cannot read %s", path);
	*blocks = 0;
	for (const char *p = cap; (p = fwd_parse_nic_stats(p, &n)) != NULL; (*blocks)++) {
		struct fwd_nic_stats s = {n.rx_packets, n.rx_missed,  n.rx_bytes,  n.rx_errors,
					  n.rx_nombuf,	n.tx_packets, n.tx_errors, n.tx_bytes,
					  n.rx_pps,	n.rx_bps,     n.tx_pps,	   n.tx_bps};

		RENDER(text, size, fwd_print_nic_stats(f_, (uint16_t)n.port, &s));
		DPX_TEST_ASSERT(strstr(cap, text) != NULL, "%s: dpx prints\n%s", file, text);
		free(text);
	}
	free(cap);
	return DPX_TEST_SUCCESS;
}

static int
test_fwd_testpmd_text(void)
{
	struct fwd_parsed_fwd r;
	struct fwd_parsed_config c;
	char *cap;
	int n;

	static const char *const io2[] = {"io", "io", NULL}, *io_rx[] = {"io", "rxonly", NULL},
				 *tx2[] = {"txonly", "txonly", NULL}, *csum[] = {"csum", NULL},
				 *four[] = {"csum", "icmpecho", "flowgen", "5tswap", NULL};

	DPX_TEST_RUN(check_capture("io-session.txt", io2, &n));
	DPX_TEST_ASSERT_EQUAL(n, 2, "show fwd stats all, then stop");
	DPX_TEST_RUN(check_capture("io-rxonly-cycles.txt", io_rx, &n));
	DPX_TEST_ASSERT_EQUAL(n, 2, "");
	DPX_TEST_RUN(check_capture("txonly-2cores-cycles.txt", tx2, &n));
	DPX_TEST_ASSERT_EQUAL(n, 2, "");
	DPX_TEST_RUN(check_capture("csum-pcap.txt", csum, &n));
	DPX_TEST_ASSERT_EQUAL(n, 1, "");
	DPX_TEST_RUN(check_capture("csum-icmpecho-flowgen-5tswap.txt", four, &n));
	DPX_TEST_ASSERT_EQUAL(n, 4, "");
	DPX_TEST_RUN(check_nic_capture("io-session.txt", &n));
	DPX_TEST_ASSERT_EQUAL(n, 4, "show port stats all (2), 0, 0 after clear");
	DPX_TEST_RUN(check_nic_capture("stats-period.txt", &n));
	DPX_TEST_ASSERT_EQUAL(n, 4, "two periods of two ports");

	/* exact values of known reports, so the parser cannot read zeros everywhere */
	cap = testpmd_capture(TESTPMD_DATA "txonly-2cores-cycles.txt");
	DPX_TEST_ASSERT(cap != NULL, "");
	DPX_TEST_ASSERT(fwd_parse_fwd_stats(cap, &r) != NULL, "");
	DPX_TEST_ASSERT_EQUAL(r.nb_streams, 4, "");
	DPX_TEST_ASSERT(r.streams[2].rx_port == 0 && r.streams[2].rx_queue == 1 &&
				r.streams[2].tx_port == 1 && r.streams[2].tx_queue == 1,
			"");
	DPX_TEST_ASSERT_EQUAL(r.streams[2].tx, 8321504, "");
	DPX_TEST_ASSERT_EQUAL(r.ports[1].tx_packets, 16770880, "");
	DPX_TEST_ASSERT_EQUAL(r.total.tx_packets, 33541600, "");
	DPX_TEST_ASSERT(r.has_cycles && r.total_cycles == 5373209162ull && r.mhz == 2000, "");
	DPX_TEST_ASSERT(!r.done, "show fwd stats all has no Done.");
	DPX_TEST_ASSERT(fwd_parse_config(cap, &c) != NULL, "");
	DPX_TEST_ASSERT(strcmp(c.mode, "txonly") == 0 && c.ports == 2 && c.cores == 2 &&
				c.streams == 4 && c.nb_cores == 2 && c.nb_lines == 4,
			"");
	DPX_TEST_ASSERT(c.core_lcore[1] == 2 && c.line[3].rx_port == 1 && c.line[3].rx_queue == 1 &&
				strcmp(c.line[3].peer, "02:00:00:00:00:00") == 0,
			"");
	free(cap);
	cap = testpmd_capture(TESTPMD_DATA "csum-icmpecho-flowgen-5tswap.txt");
	DPX_TEST_ASSERT(cap != NULL, "");
	const char *p = fwd_parse_fwd_stats(cap, &r);
	DPX_TEST_ASSERT(p != NULL && r.done && r.nb_streams == 2 && r.streams[0].has_csum &&
				r.ports[0].has_csum && r.ports[0].rx_packets == 26366400,
			"csum report");
	DPX_TEST_ASSERT(fwd_parse_fwd_stats(p, &r) != NULL && r.total.rx_packets == 13711552 &&
				r.total.tx_packets == 0,
			"icmpecho report");
	free(cap);
	return DPX_TEST_SUCCESS;
}

/* A UDP/IPv4 frame built by txonly's builder, len bytes. */
static void
udp_frame(uint8_t *buf, size_t len)
{
	struct fwd_txonly_cfg cfg;

	fwd_txonly_cfg_defaults(&cfg);
	cfg.src_mac[0] = 2, cfg.src_mac[5] = 1;
	fwd_txonly_build(buf, len, &cfg);
}

/* IPv4 TCP frame with a correct checksum: the UDP frame re-labelled, its checksum recomputed. */
static void
tcp_frame(uint8_t *buf, size_t len)
{
	struct fwd_seg seg = {buf, (uint32_t)len};
	struct fwd_csum_result r;

	udp_frame(buf, len);
	buf[23] = 6;				  /* protocol TCP */
	buf[34 + 12] = 5 << 4;			  /* data offset 20 */
	fwd_csum_fix(&seg, 1, (uint32_t)len, &r); /* both checksums made valid */
}

static int
test_fwd_pkt_csum(void)
{
	uint8_t frame[300], copy[300];
	struct fwd_csum_result r;

	/* every split of a good frame into two segments gives the same verdict and bytes */
	for (int tcp = 0; tcp < 2; tcp++) {
		for (uint32_t len = 64; len <= 300; len += 59) {
			tcp ? tcp_frame(frame, len) : udp_frame(frame, len);
			for (uint32_t cut = 54; cut < len; cut += 7) {
				struct fwd_seg segs[2] = {{copy, cut}, {copy + cut, len - cut}};

				memcpy(copy, frame, len);
				DPX_TEST_ASSERT_EQUAL(fwd_csum_fix(segs, 2, len, &r), 0, "");
				DPX_TEST_ASSERT(!r.ip_bad && !r.l4_bad && r.l4,
						"tcp %d len %u cut %u", tcp, len, cut);
				DPX_TEST_ASSERT(memcmp(copy, frame, len) == 0,
						"a good frame is unchanged");
				/* a flipped payload byte: bad L4, then fixed */
				copy[len - 1] ^= 0x5a;
				DPX_TEST_ASSERT_EQUAL(fwd_csum_fix(segs, 2, len, &r), 0, "");
				DPX_TEST_ASSERT(!r.ip_bad && r.l4_bad, "tcp %d len %u cut %u", tcp,
						len, cut);
				DPX_TEST_ASSERT_EQUAL(fwd_csum_fix(segs, 2, len, &r), 0, "");
				DPX_TEST_ASSERT(!r.ip_bad && !r.l4_bad, "recomputed");
				if (!tcp)
					DPX_TEST_ASSERT_EQUAL(fwd_udp4_verify(copy, len), 0, "");
			}
		}
	}
	udp_frame(frame, 64);
	frame[24] ^= 1; /* IPv4 header checksum */
	struct fwd_seg one = {frame, 64};
	DPX_TEST_ASSERT_EQUAL(fwd_csum_fix(&one, 1, 64, &r), 0, "");
	DPX_TEST_ASSERT(r.ip_bad && !r.l4_bad, "");
	DPX_TEST_ASSERT_EQUAL(fwd_udp4_verify(frame, 64), 0, "fixed");
	/* UDP over IPv4 without checksum is not bad, and gets one */
	udp_frame(frame, 64);
	frame[40] = frame[41] = 0;
	DPX_TEST_ASSERT_EQUAL(fwd_csum_fix(&one, 1, 64, &r), 0, "");
	DPX_TEST_ASSERT(!r.l4_bad && (frame[40] | frame[41]) != 0, "");
	/* not IP, truncated headers, IP length beyond the packet: left alone */
	udp_frame(frame, 64);
	frame[12] = 0x88, frame[13] = 0xb5;
	DPX_TEST_ASSERT_EQUAL(fwd_csum_fix(&one, 1, 64, &r), -EINVAL, "");
	udp_frame(frame, 64);
	DPX_TEST_ASSERT_EQUAL(fwd_csum_fix(&one, 1, 63, &r), -EINVAL, "IP length 50 > 63 - 14");
	one.len = 30;
	DPX_TEST_ASSERT_EQUAL(fwd_csum_fix(&one, 1, 64, &r), -EINVAL, "headers not in segment 0");
	/* the segmented sum equals the flat one for odd cuts too (RFC 1071 byte swap) */
	for (uint32_t cut = 1; cut < 100; cut++) {
		struct fwd_seg segs[3] = {{frame, cut}, {frame + cut, 1}, {frame + cut + 1, 200}};

		DPX_TEST_ASSERT_EQUAL(fwd_cksum_fold(fwd_cksum_segs(0, segs, 3, 3, 150)),
				      fwd_cksum_fold(fwd_cksum_add(0, frame + 3, 150)), "cut %u",
				      cut);
	}
	return DPX_TEST_SUCCESS;
}

static int
test_fwd_pkt_icmpecho(void)
{
	static const uint8_t mac[6] = {2, 0xaa, 0, 0, 0, 1},
			     peer[6] = {0x52, 0x54, 0, 0x12, 0x34, 0x56};
	uint8_t arp[60] = {0}, ping[98], orig[98];
	struct fwd_seg seg = {ping, sizeof(ping)};
	struct fwd_csum_result r;

	/* ARP who-has 198.18.0.2 tell 198.18.0.1 from peer */
	memset(arp, 0xff, 6);
	memcpy(arp + 6, peer, 6);
	arp[12] = 0x08, arp[13] = 0x06, arp[15] = 1, arp[16] = 0x08, arp[18] = 6, arp[19] = 4;
	arp[21] = 1;
	memcpy(arp + 22, peer, 6);
	memcpy(arp + 28, "\xc6\x12\x00\x01", 4);
	memcpy(arp + 38, "\xc6\x12\x00\x02", 4);
	DPX_TEST_ASSERT_EQUAL(fwd_icmpecho_reply(arp, sizeof(arp), mac), FWD_ECHO_ARP, "");
	DPX_TEST_ASSERT(memcmp(arp, peer, 6) == 0 && memcmp(arp + 6, mac, 6) == 0, "to the asker");
	DPX_TEST_ASSERT_EQUAL(arp[21], 2, "a reply");
	DPX_TEST_ASSERT(memcmp(arp + 22, mac, 6) == 0 &&
				memcmp(arp + 28, "\xc6\x12\x00\x02", 4) == 0,
			"198.18.0.2 is at mac");
	DPX_TEST_ASSERT(
		memcmp(arp + 32, peer, 6) == 0 && memcmp(arp + 38, "\xc6\x12\x00\x01", 4) == 0, "");
	DPX_TEST_ASSERT_EQUAL(fwd_icmpecho_reply(arp, sizeof(arp), mac), FWD_ECHO_DROP,
			      "a reply is not answered");
	/* ICMP echo request 198.18.0.1 -> 198.18.0.2: the UDP frame made ICMP */
	udp_frame(ping, sizeof(ping));
	memcpy(ping + 6, peer, 6);
	ping[23] = 1, ping[34] = 8, ping[35] = 0;
	ping[36] = ping[37] = 0;
	{
		uint16_t ck = fwd_cksum_fold(fwd_cksum_add(0, ping + 34, sizeof(ping) - 34));

		ping[36] = (uint8_t)(ck >> 8), ping[37] = (uint8_t)ck;
	}
	fwd_csum_fix(&seg, 1, sizeof(ping),
		     &r); /* the IPv4 header checksum after the protocol change */
	memcpy(orig, ping, sizeof(ping));
	DPX_TEST_ASSERT_EQUAL(fwd_icmpecho_reply(ping, sizeof(ping), mac), FWD_ECHO_ICMP, "");
	DPX_TEST_ASSERT(memcmp(ping, peer, 6) == 0 && memcmp(ping + 6, mac, 6) == 0, "");
	DPX_TEST_ASSERT(memcmp(ping + 26, orig + 30, 4) == 0 &&
				memcmp(ping + 30, orig + 26, 4) == 0,
			"addresses swapped");
	DPX_TEST_ASSERT_EQUAL(ping[34], 0, "echo reply");
	DPX_TEST_ASSERT_EQUAL(fwd_cksum_fold(fwd_cksum_add(0, ping + 34, sizeof(ping) - 34)), 0,
			      "ICMP checksum valid after the incremental update");
	DPX_TEST_ASSERT_EQUAL(fwd_cksum_fold(fwd_cksum_add(0, ping + 14, 20)), 0, "IPv4 header");
	DPX_TEST_ASSERT(memcmp(ping + 38, orig + 38, sizeof(ping) - 38) == 0, "payload intact");
	DPX_TEST_ASSERT_EQUAL(fwd_icmpecho_reply(ping, sizeof(ping), mac), FWD_ECHO_DROP,
			      "a reply is not answered");
	udp_frame(ping, sizeof(ping));
	DPX_TEST_ASSERT_EQUAL(fwd_icmpecho_reply(ping, sizeof(ping), mac), FWD_ECHO_DROP, "UDP");
	DPX_TEST_ASSERT_EQUAL(fwd_icmpecho_reply(arp, 30, mac), FWD_ECHO_DROP, "truncated ARP");
	return DPX_TEST_SUCCESS;
}

static int
test_fwd_pkt_5tswap_flows(void)
{
	uint8_t f[128], g[128];
	char line[512];

	udp_frame(f, 100);
	memcpy(g, f, 100);
	f[34] = 0x12, f[35] = 0x34; /* source port 4660 (checksum no longer matters here) */
	g[34] = 0x12, g[35] = 0x34;
	DPX_TEST_ASSERT_EQUAL(fwd_5tswap(f, 100), 4, "");
	DPX_TEST_ASSERT(memcmp(f, g + 6, 6) == 0 && memcmp(f + 6, g, 6) == 0, "MACs");
	DPX_TEST_ASSERT(memcmp(f + 26, g + 30, 4) == 0 && memcmp(f + 30, g + 26, 4) == 0, "IPs");
	DPX_TEST_ASSERT(memcmp(f + 34, g + 36, 2) == 0 && memcmp(f + 36, g + 34, 2) == 0, "ports");
	DPX_TEST_ASSERT(memcmp(f + 38, g + 38, 62) == 0, "the rest untouched");
	DPX_TEST_ASSERT_EQUAL(fwd_5tswap(f, 100), 4, "");
	DPX_TEST_ASSERT(memcmp(f, g, 100) == 0, "twice is identity");
	udp_frame(f, 100);
	DPX_TEST_ASSERT_EQUAL(fwd_5tswap(f, 100), 4, "");
	DPX_TEST_ASSERT_EQUAL(fwd_udp4_verify(f, 100), 0, "checksums still valid");
	DPX_TEST_ASSERT_EQUAL(fwd_5tswap(f, 30), 2, "IPv4 header cut: MACs only");
	DPX_TEST_ASSERT_EQUAL(fwd_5tswap(f, 10), 0, "runt");
	/* flow addresses: incremental update equals building from scratch */
	for (uint32_t flow = 0; flow < 3000; flow += 37) {
		struct fwd_txonly_cfg cfg;

		for (int dst = 0; dst < 2; dst++) {
			fwd_txonly_cfg_defaults(&cfg);
			cfg.src_mac[0] = 2, cfg.src_mac[5] = 1;
			fwd_txonly_build(f, 77, &cfg);
			fwd_udp4_set_addr(f, dst, (198u << 24 | 18u << 16) + flow);
			if (dst)
				cfg.dst_ip = (198u << 24 | 18u << 16) + flow;
			else
				cfg.src_ip = (198u << 24 | 18u << 16) + flow;
			fwd_txonly_build(g, 77, &cfg);
			DPX_TEST_ASSERT(memcmp(f, g, 77) == 0, "flow %u dst %d", flow, dst);
		}
	}
	/* verbose dump line, in testpmd's words */
	udp_frame(f, 64);
	fwd_pkt_describe(line, sizeof(line), f, 64, 64, 1, "P", 1, 0);
	DPX_TEST_ASSERT(strcmp(line, "src=02:00:00:00:00:01 - dst=02:00:00:00:00:02 - pool=P - "
				     "type=0x0800 - length=64 - nb_segs=1 - sw ptype: L2_ETHER "
				     "L3_IPV4 L4_UDP  - l2_len=14 - l3_len=20 - l4_len=8 - Receive "
				     "queue=0x0") == 0,
			"%s", line);
	memset(f, 0, 64);
	fwd_pkt_describe(line, sizeof(line), f, 64, 64, 2, "P", 0, 3);
	DPX_TEST_ASSERT(strcmp(line, "src=00:00:00:00:00:00 - dst=00:00:00:00:00:00 - pool=P - "
				     "type=0x0000 - length=64 - nb_segs=2 - sw ptype: L2_ETHER  - "
				     "l2_len=14 - Send queue=0x3") == 0,
			"%s", line);
	return DPX_TEST_SUCCESS;
}

/* RFC 1071 as written: 16-bit big-endian words, each carry folded at once. */
static uint16_t
model_cksum(uint32_t sum, const uint8_t *p, size_t len)
{
	uint64_t s = sum;

	for (size_t i = 0; i < len; i++)
		s += i % 2 ? p[i] : (uint32_t)p[i] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

/*
 * fwd_cksum_add against the model: every length 0..300 at every alignment,
 * random bytes and starting sums (any 32-bit value), and the worst case of
 * all-ones words for the carries; then a jumbo frame's worth.
 */
static int
test_fwd_pkt_cksum_model(void)
{
	static uint8_t buf[9608];
	uint32_t seed = 12345;

	for (size_t i = 0; i < sizeof(buf); i++) {
		seed = seed * 1103515245u + 12345u;
		buf[i] = (uint8_t)(seed >> 16);
	}
	for (int ones = 0; ones < 2; ones++) {
		if (ones)
			memset(buf, 0xff, sizeof(buf));
		for (size_t off = 0; off < 8; off++) {
			for (size_t len = 0; len <= 300; len++) {
				uint32_t sum;

				seed = seed * 1103515245u + 12345u;
				sum = len % 3 == 0 ? 0 : len % 3 == 1 ? seed >> 15 : seed;
				DPX_TEST_ASSERT_EQUAL(
					fwd_cksum_fold(fwd_cksum_add(sum, buf + off, len)),
					model_cksum(sum, buf + off, len), "ones %d off %zu len %zu",
					ones, off, len);
			}
		}
		DPX_TEST_ASSERT_EQUAL(fwd_cksum_fold(fwd_cksum_add(7, buf + 1, 9601)),
				      model_cksum(7, buf + 1, 9601), "ones %d, 9601 bytes", ones);
	}
	memset(buf, 0, 64);
	DPX_TEST_ASSERT_EQUAL(fwd_cksum_fold(fwd_cksum_add(0, buf, 64)), 0xffff, "zeros sum to 0");
	return DPX_TEST_SUCCESS;
}

/* Set the IPv4 fragment field (flags and offset) of a frame and make its header checksum valid. */
static void
set_frag(uint8_t *f, uint16_t frag)
{
	uint16_t ck;

	f[20] = (uint8_t)(frag >> 8), f[21] = (uint8_t)frag;
	f[24] = f[25] = 0;
	ck = fwd_cksum_fold(fwd_cksum_add(0, f + 14, 20));
	f[24] = (uint8_t)(ck >> 8), f[25] = (uint8_t)ck;
}

/* An ICMP echo request to 198.18.0.2, len bytes: the UDP frame made ICMP, checksums valid. */
static void
echo_request(uint8_t *f, size_t len)
{
	uint16_t ck;

	udp_frame(f, len);
	f[23] = 1, f[34] = 8, f[35] = 0, f[36] = f[37] = 0;
	ck = fwd_cksum_fold(fwd_cksum_add(0, f + 34, len - 34));
	f[36] = (uint8_t)(ck >> 8), f[37] = (uint8_t)ck;
	set_frag(f, 0);
}

/*
 * IPv4 fragments: the bytes after the IP header of a fragment other than the
 * first are payload, and a first fragment's L4 checksum covers the whole
 * datagram. So csum, 5tswap and icmpecho must not touch or judge them as L4.
 */
static int
test_fwd_pkt_fragments(void)
{
	static const uint8_t mac[6] = {2, 0xaa, 0, 0, 0, 1};
	/* MF set (a first fragment), offset 8 bytes (a later one), both (a middle one) */
	static const uint16_t frags[] = {0x2000, 0x0001, 0x2001, 0x1fff};
	uint8_t f[100], g[100];
	struct fwd_csum_result r;
	struct fwd_seg seg = {f, sizeof(f)};
	char line[512];

	for (size_t i = 0; i < DPX_DIM(frags); i++) {
		udp_frame(f, sizeof(f));
		f[34] = 0x12; /* "source port" 0x1209: a swap of the first 4 bytes would show */
		set_frag(f, frags[i]);
		memcpy(g, f, sizeof(f));
		DPX_TEST_ASSERT_EQUAL(fwd_csum_fix(&seg, 1, sizeof(f), &r), 0, "frag 0x%04x",
				      frags[i]);
		DPX_TEST_ASSERT(!r.ip_bad && !r.l4_bad && !r.l4,
				"frag 0x%04x: no L4 checksum judged on a fragment", frags[i]);
		DPX_TEST_ASSERT(memcmp(f, g, sizeof(f)) == 0, "frag 0x%04x: csum changed nothing",
				frags[i]);
		DPX_TEST_ASSERT_EQUAL(fwd_5tswap(f, sizeof(f)), 3, "frag 0x%04x: up to L3",
				      frags[i]);
		DPX_TEST_ASSERT(memcmp(f + 34, g + 34, sizeof(f) - 34) == 0,
				"frag 0x%04x: 5tswap left the payload alone", frags[i]);
		fwd_pkt_describe(line, sizeof(line), g, sizeof(g), sizeof(g), 1, "P", 1, 0);
		DPX_TEST_ASSERT(strstr(line, "L3_IPV4 L4_FRAG  - l2_len=14 - l3_len=20 - l4_len=0") !=
					NULL,
				"%s", line);
		/* an echo request in a fragment, or a later fragment whose payload starts
		 * like one: icmpecho answers neither (a reply would be partial, or made of
		 * someone's payload) */
		echo_request(f, sizeof(f));
		set_frag(f, frags[i]);
		memcpy(g, f, sizeof(f));
		DPX_TEST_ASSERT_EQUAL(fwd_icmpecho_reply(f, sizeof(f), mac), FWD_ECHO_DROP,
				      "frag 0x%04x", frags[i]);
		DPX_TEST_ASSERT(memcmp(f, g, sizeof(f)) == 0, "frag 0x%04x: left unchanged",
				frags[i]);
	}
	/* DF alone is not a fragment: the L4 is checked and swapped as before */
	udp_frame(f, sizeof(f));
	set_frag(f, 0x4000);
	DPX_TEST_ASSERT_EQUAL(fwd_csum_fix(&seg, 1, sizeof(f), &r), 0, "");
	DPX_TEST_ASSERT(r.l4 && !r.l4_bad && !r.ip_bad, "DF: UDP checked");
	DPX_TEST_ASSERT_EQUAL(fwd_5tswap(f, sizeof(f)), 4, "DF: ports swapped");
	echo_request(f, sizeof(f));
	set_frag(f, 0x4000);
	DPX_TEST_ASSERT_EQUAL(fwd_icmpecho_reply(f, sizeof(f), mac), FWD_ECHO_ICMP, "DF: answered");
	return DPX_TEST_SUCCESS;
}

/*
 * A UDP datagram is as long as its own length field says (RFC 768): bytes
 * after it inside the IP packet are not covered by its checksum (receivers
 * trim them), and a length beyond the IP packet leaves nothing to check.
 */
static int
test_fwd_pkt_udp_length(void)
{
	uint8_t f[100], g[100];
	struct fwd_seg seg = {f, sizeof(f)};
	struct fwd_csum_result r;
	uint16_t ck;

	/* a 50-byte datagram (checksum valid over those 50) in an 86-byte IP packet */
	udp_frame(f, sizeof(f));
	f[38] = 0, f[39] = 50, f[40] = f[41] = 0;
	ck = fwd_cksum_fold(fwd_cksum_add(17 + 50 + fwd_cksum_add(0, f + 26, 8), f + 34, 50));
	f[40] = (uint8_t)(ck >> 8), f[41] = (uint8_t)ck;
	memcpy(g, f, sizeof(f));
	DPX_TEST_ASSERT_EQUAL(fwd_csum_fix(&seg, 1, sizeof(f), &r), 0, "");
	DPX_TEST_ASSERT(r.l4 && !r.l4_bad && !r.ip_bad, "the datagram's checksum is good");
	DPX_TEST_ASSERT(memcmp(f, g, sizeof(f)) == 0, "and kept");
	f[60] ^= 1; /* inside the datagram: bad, and fixed over its 50 bytes */
	DPX_TEST_ASSERT_EQUAL(fwd_csum_fix(&seg, 1, sizeof(f), &r), 0, "");
	DPX_TEST_ASSERT(r.l4 && r.l4_bad, "");
	DPX_TEST_ASSERT_EQUAL(fwd_csum_fix(&seg, 1, sizeof(f), &r), 0, "");
	DPX_TEST_ASSERT(r.l4 && !r.l4_bad, "fixed");
	f[90] ^= 1; /* after the datagram: not its business */
	DPX_TEST_ASSERT_EQUAL(fwd_csum_fix(&seg, 1, sizeof(f), &r), 0, "");
	DPX_TEST_ASSERT(r.l4 && !r.l4_bad, "");
	/* a length beyond the IP packet, or below the header: the UDP part is not judged */
	for (int len = 0; len < 2; len++) {
		udp_frame(f, sizeof(f));
		f[38] = 0, f[39] = len ? 87 : 7;
		memcpy(g, f, sizeof(f));
		DPX_TEST_ASSERT_EQUAL(fwd_csum_fix(&seg, 1, sizeof(f), &r), 0, "");
		DPX_TEST_ASSERT(!r.l4 && !r.l4_bad, "UDP length %u", f[39]);
		DPX_TEST_ASSERT(memcmp(f, g, sizeof(f)) == 0, "left as it was");
	}
	return DPX_TEST_SUCCESS;
}

/* Insert an 802.1Q tag (VLAN vid) after the MAC addresses of a len-byte frame. */
static size_t
add_vlan(uint8_t *f, size_t len, uint16_t vid)
{
	memmove(f + 16, f + 12, len - 12);
	f[12] = 0x81, f[13] = 0x00, f[14] = (uint8_t)(vid >> 8), f[15] = (uint8_t)vid;
	return len + 4;
}

/*
 * icmpecho answers behind one VLAN tag as testpmd does: the reply keeps the
 * tag, so it goes back on the VLAN the request came on.
 */
static int
test_fwd_pkt_icmpecho_vlan(void)
{
	static const uint8_t mac[6] = {2, 0xaa, 0, 0, 0, 1},
			     peer[6] = {0x52, 0x54, 0, 0x12, 0x34, 0x56};
	uint8_t f[128], g[128];
	size_t len;

	echo_request(f, 98);
	memcpy(f + 6, peer, 6);
	len = add_vlan(f, 98, 100);
	memcpy(g, f, len);
	DPX_TEST_ASSERT_EQUAL(fwd_icmpecho_reply(f, len, mac), FWD_ECHO_ICMP, "tagged ping");
	DPX_TEST_ASSERT(memcmp(f, peer, 6) == 0 && memcmp(f + 6, mac, 6) == 0, "");
	DPX_TEST_ASSERT(memcmp(f + 12, g + 12, 4) == 0, "the tag is kept");
	DPX_TEST_ASSERT(memcmp(f + 30, g + 34, 4) == 0 && memcmp(f + 34, g + 30, 4) == 0,
			"addresses swapped");
	DPX_TEST_ASSERT_EQUAL(f[38], 0, "echo reply");
	DPX_TEST_ASSERT_EQUAL(fwd_cksum_fold(fwd_cksum_add(0, f + 38, len - 38)), 0, "ICMP sum");
	DPX_TEST_ASSERT(memcmp(f + 42, g + 42, len - 42) == 0, "payload intact");

	/* ARP who-has 198.18.0.2 tell 198.18.0.1, on VLAN 7 */
	memset(f, 0, sizeof(f));
	memset(f, 0xff, 6);
	memcpy(f + 6, peer, 6);
	f[12] = 0x08, f[13] = 0x06, f[15] = 1, f[16] = 0x08, f[18] = 6, f[19] = 4, f[21] = 1;
	memcpy(f + 22, peer, 6);
	memcpy(f + 28, "\xc6\x12\x00\x01", 4);
	memcpy(f + 38, "\xc6\x12\x00\x02", 4);
	len = add_vlan(f, 60, 7);
	DPX_TEST_ASSERT_EQUAL(fwd_icmpecho_reply(f, len, mac), FWD_ECHO_ARP, "tagged ARP");
	DPX_TEST_ASSERT(memcmp(f, peer, 6) == 0 && f[12] == 0x81 && f[15] == 7, "tag kept");
	DPX_TEST_ASSERT(f[25] == 2 && memcmp(f + 26, mac, 6) == 0 &&
				memcmp(f + 32, "\xc6\x12\x00\x02", 4) == 0,
			"198.18.0.2 is at mac");
	DPX_TEST_ASSERT_EQUAL(fwd_icmpecho_reply(f, 45, mac), FWD_ECHO_DROP, "tagged ARP cut");
	DPX_TEST_ASSERT_EQUAL(fwd_icmpecho_reply(f, 17, mac), FWD_ECHO_DROP, "tag cut");
	return DPX_TEST_SUCCESS;
}

DPX_TEST_REGISTER(fwd_options_invalid, fast, test_fwd_options_invalid);
DPX_TEST_REGISTER(fwd_options_valid, fast, test_fwd_options_valid);
DPX_TEST_REGISTER(fwd_streams, fast, test_fwd_streams);
DPX_TEST_REGISTER(fwd_pkt_txonly, fast, test_fwd_pkt_txonly);
DPX_TEST_REGISTER(fwd_pkt_mac, fast, test_fwd_pkt_mac);
DPX_TEST_REGISTER(fwd_cmd_parse, fast, test_fwd_cmd_parse);
DPX_TEST_REGISTER(fwd_stats_sums, fast, test_fwd_stats_sums);
DPX_TEST_REGISTER(fwd_testpmd_text, fast, test_fwd_testpmd_text);
DPX_TEST_REGISTER(fwd_cmd_complete, fast, test_fwd_cmd_complete);
DPX_TEST_REGISTER(fwd_pacer, fast, test_fwd_pacer);
DPX_TEST_REGISTER(fwd_pkt_csum, fast, test_fwd_pkt_csum);
DPX_TEST_REGISTER(fwd_pkt_icmpecho, fast, test_fwd_pkt_icmpecho);
DPX_TEST_REGISTER(fwd_pkt_5tswap_flows, fast, test_fwd_pkt_5tswap_flows);
DPX_TEST_REGISTER(fwd_pkt_fragments, fast, test_fwd_pkt_fragments);
DPX_TEST_REGISTER(fwd_pkt_udp_length, fast, test_fwd_pkt_udp_length);
DPX_TEST_REGISTER(fwd_pkt_icmpecho_vlan, fast, test_fwd_pkt_icmpecho_vlan);
DPX_TEST_REGISTER(fwd_pkt_cksum_model, fast, test_fwd_pkt_cksum_model);
