/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * net_pcap: packets written through tx_pcap read back byte-exact through
 * rx_pcap (multi-segment on both sides), EOF and infinite_rx, and damaged
 * capture files giving errors, not crashes.
 */
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <dpx_bus_vdev.h>

#include "test_ethdev_util.h"

#define NB_PKTS 50
#define POOL_SIZE 1023

static char dir[64];
static char path_buf[4][128];

static const char *
tmp_path(unsigned int i, const char *name)
{
	snprintf(path_buf[i], sizeof(path_buf[i]), "%s/%s", dir, name);
	return path_buf[i];
}

static uint32_t
pkt_len_of(unsigned int seq)
{
	return 60 + seq * 97 % 4000; /* 60..4059: several segments of 1024 */
}

static int
setup(struct dpx_mempool **tx_pool, struct dpx_mempool **rx_pool)
{
	DPX_TEST_ASSERT(dpx_test_eal_init("--no-huge", "--in-memory", NULL) > 0, "init");
	if (dpx_vdev_init("net_pcap_probe", "bogus_key_to_check_presence=1") == -ENOENT)
		DPX_TEST_SKIP("net_pcap not built (libpcap missing at configure time)");
	snprintf(dir, sizeof(dir), "/tmp/dpx-pcap-XXXXXX");
	DPX_TEST_ASSERT(mkdtemp(dir) != NULL, "mkdtemp");
	*tx_pool = dpx_pktmbuf_pool_create("tx_pool", POOL_SIZE, 0, 0, DPX_MBUF_DEFAULT_BUF_SIZE, -1);
	/* small rx buffers: every packet above 1024 bytes arrives as a chain */
	*rx_pool = dpx_pktmbuf_pool_create("rx_pool", POOL_SIZE, 0, 0, DPX_PKTMBUF_HEADROOM + 1024,
					   -1);
	DPX_TEST_ASSERT(*tx_pool != NULL && *rx_pool != NULL, "");
	return DPX_TEST_SUCCESS;
}

static void
teardown(struct dpx_mempool *a, struct dpx_mempool *b)
{
	char cmd[128];

	char name[DPX_ETH_NAME_MAX_LEN];
	uint16_t p;

	/* ports first (they hold the pools), pools next, the EAL (and its heap) last */
	DPX_ETH_FOREACH_DEV(p)
		if (dpx_eth_dev_get_name_by_port(p, name) == 0)
			dpx_vdev_uninit(name);
	dpx_mempool_free(a);
	dpx_mempool_free(b);
	dpx_eal_cleanup();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		printf("could not remove %s\n", dir);
}

/* Write NB_PKTS pattern packets (segments of 700 bytes) to file through a tx-only port. */
static int
write_capture(struct dpx_mempool *mp, const char *file)
{
	char args[192];
	struct dpx_mbuf *pkts[NB_PKTS];
	struct dpx_eth_stats st;
	uint64_t bytes = 0;

	snprintf(args, sizeof(args), "tx_pcap=%s", file);
	DPX_TEST_ASSERT_EQUAL(dpx_vdev_init("net_pcap_w", args), 0, "%s", args);
	uint16_t port = port_of("net_pcap_w");
	DPX_TEST_RUN(port_start(port, 0, 1, mp));
	for (unsigned int i = 0; i < NB_PKTS; i++) {
		pkts[i] = pattern_packet(mp, i, pkt_len_of(i), 700);
		DPX_TEST_ASSERT(pkts[i] != NULL, "");
		bytes += pkt_len_of(i);
	}
	DPX_TEST_ASSERT_EQUAL(dpx_eth_tx_burst(port, 0, pkts, NB_PKTS), NB_PKTS, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_stats_get(port, &st), 0, "");
	DPX_TEST_ASSERT_EQUAL(st.opackets, NB_PKTS, "");
	DPX_TEST_ASSERT_EQUAL(st.obytes, bytes, "");
	DPX_TEST_ASSERT_EQUAL(dpx_vdev_uninit("net_pcap_w"), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_mempool_avail_count(mp), POOL_SIZE, "tx freed everything");
	struct stat sb;
	DPX_TEST_ASSERT_EQUAL(stat(file, &sb), 0, "");
	DPX_TEST_ASSERT_EQUAL(sb.st_size, 24 + 16 * NB_PKTS + bytes, "pcap headers + data");
	return DPX_TEST_SUCCESS;
}

/* Read `expect` packets from an rx port; packet i must be pattern (first + i) % NB_PKTS. */
static int
read_and_check(uint16_t port, struct dpx_mempool *mp, unsigned int expect)
{
	struct dpx_mbuf *pkts[16];
	unsigned int got = 0, chained = 0;

	while (got < expect) {
		uint16_t n = dpx_eth_rx_burst(port, 0, pkts, (uint16_t)DPX_MIN(16u, expect - got));
		DPX_TEST_ASSERT(n > 0, "stalled after %u of %u packets", got, expect);
		for (uint16_t i = 0; i < n; i++, got++) {
			unsigned int seq = got % NB_PKTS;
			DPX_TEST_ASSERT(pattern_check(pkts[i], seq, pkt_len_of(seq)),
					"packet %u: %u bytes, %u segments", got, pkts[i]->pkt_len,
					pkts[i]->nb_segs);
			chained += pkts[i]->nb_segs > 1;
		}
		dpx_pktmbuf_free_bulk(pkts, n);
	}
	DPX_TEST_ASSERT(chained > 0, "some packets arrived in several segments");
	DPX_TEST_ASSERT_EQUAL(dpx_mempool_avail_count(mp), POOL_SIZE, "");
	return DPX_TEST_SUCCESS;
}

static int
test_pmd_pcap_roundtrip(void)
{
	struct dpx_mempool *txp = NULL, *rxp = NULL;
	struct dpx_mbuf *pkts[8];
	struct dpx_eth_stats st;
	char args[192];

	DPX_TEST_RUN(setup(&txp, &rxp));
	const char *file = tmp_path(0, "out.pcap");
	DPX_TEST_RUN(write_capture(txp, file));

	snprintf(args, sizeof(args), "rx_pcap=%s", file);
	DPX_TEST_ASSERT_EQUAL(dpx_vdev_init("net_pcap_r", args), 0, "");
	uint16_t port = port_of("net_pcap_r");
	DPX_TEST_RUN(port_start(port, 1, 0, rxp));
	DPX_TEST_RUN(read_and_check(port, rxp, NB_PKTS));
	for (int i = 0; i < 3; i++)
		DPX_TEST_ASSERT_EQUAL(dpx_eth_rx_burst(port, 0, pkts, 8), 0, "EOF: no more packets");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_stats_get(port, &st), 0, "");
	DPX_TEST_ASSERT_EQUAL(st.ipackets, NB_PKTS, "");
	DPX_TEST_ASSERT_EQUAL(st.ierrors, 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_vdev_uninit("net_pcap_r"), 0, "");

	/* infinite_rx replays the file forever */
	snprintf(args, sizeof(args), "rx_pcap=%s,infinite_rx=1", file);
	DPX_TEST_ASSERT_EQUAL(dpx_vdev_init("net_pcap_i", args), 0, "");
	port = port_of("net_pcap_i");
	DPX_TEST_RUN(port_start(port, 1, 0, rxp));
	DPX_TEST_RUN(read_and_check(port, rxp, 3 * NB_PKTS + 7));
	teardown(txp, rxp);
	return DPX_TEST_SUCCESS;
}
DPX_TEST_REGISTER(pmd_pcap_roundtrip, fast, test_pmd_pcap_roundtrip);

static int
write_file(const char *file, const void *data, size_t len)
{
	FILE *f = fopen(file, "wb");

	DPX_TEST_ASSERT(f != NULL, "%s", file);
	DPX_TEST_ASSERT_EQUAL(fwrite(data, 1, len, f), len, "");
	fclose(f);
	return DPX_TEST_SUCCESS;
}

static int
open_rx(const char *file, const char *extra)
{
	char args[256];

	snprintf(args, sizeof(args), "rx_pcap=%s%s", file, extra);
	return dpx_vdev_init("net_pcap_bad", args);
}

static int
test_pmd_pcap_bad_files(void)
{
	struct dpx_mempool *txp = NULL, *rxp = NULL;
	struct dpx_mbuf *pkts[NB_PKTS];
	struct dpx_eth_stats st;

	DPX_TEST_RUN(setup(&txp, &rxp));
	int fds = dpx_test_count_fds();
	const char *good = tmp_path(0, "good.pcap");
	DPX_TEST_RUN(write_capture(txp, good));

	/* files that cannot be opened as Ethernet captures: refused at probe */
	DPX_TEST_ASSERT_EQUAL(open_rx(tmp_path(1, "missing.pcap"), ""), -ENOENT, "");
	static const char garbage[100] = "this is not a capture file at all";
	DPX_TEST_RUN(write_file(tmp_path(1, "garbage.pcap"), garbage, sizeof(garbage)));
	DPX_TEST_ASSERT_EQUAL(open_rx(path_buf[1], ""), -EINVAL, "garbage");
	DPX_TEST_RUN(write_file(tmp_path(1, "empty.pcap"), "", 0));
	DPX_TEST_ASSERT_EQUAL(open_rx(path_buf[1], ""), -EINVAL, "empty");
	static const uint32_t header_only_half[3] = {0xa1b2c3d4, 0x00040002, 0};
	DPX_TEST_RUN(write_file(tmp_path(1, "short.pcap"), header_only_half, 10));
	DPX_TEST_ASSERT_EQUAL(open_rx(path_buf[1], ""), -EINVAL, "truncated file header");
	static const uint32_t not_ethernet[6] = {0xa1b2c3d4, 0x00040002, 0, 0, 65535, 101};
	DPX_TEST_RUN(write_file(tmp_path(1, "raw_ip.pcap"), not_ethernet, sizeof(not_ethernet)));
	DPX_TEST_ASSERT_EQUAL(open_rx(path_buf[1], ""), -EINVAL, "link type raw IP");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_dev_count_avail(), 0, "");

	/* a capture cut inside its last record: the records before it, then one error */
	struct stat sb;
	DPX_TEST_ASSERT_EQUAL(stat(good, &sb), 0, "");
	DPX_TEST_ASSERT_EQUAL(truncate(good, sb.st_size - 10), 0, "");
	DPX_TEST_ASSERT_EQUAL(open_rx(good, ",infinite_rx=1"), -EINVAL, "cannot repeat a bad file");
	DPX_TEST_ASSERT_EQUAL(open_rx(good, ""), 0, "");
	uint16_t port = port_of("net_pcap_bad");
	DPX_TEST_RUN(port_start(port, 1, 0, rxp));
	uint16_t n = dpx_eth_rx_burst(port, 0, pkts, NB_PKTS);
	DPX_TEST_ASSERT_EQUAL(n, NB_PKTS - 1, "");
	for (uint16_t i = 0; i < n; i++)
		DPX_TEST_ASSERT(pattern_check(pkts[i], i, pkt_len_of(i)), "packet %u", i);
	dpx_pktmbuf_free_bulk(pkts, n);
	DPX_TEST_ASSERT_EQUAL(dpx_eth_rx_burst(port, 0, pkts, NB_PKTS), 0, "ended");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_stats_get(port, &st), 0, "");
	DPX_TEST_ASSERT_EQUAL(st.ierrors, 1, "the cut record counts once");
	DPX_TEST_ASSERT_EQUAL(st.q_errors[0], 1, "");
	DPX_TEST_ASSERT_EQUAL(dpx_vdev_uninit("net_pcap_bad"), 0, "");

	/* a record header claiming a huge length */
	static const uint32_t huge[10] = {0xa1b2c3d4, 0x00040002, 0, 0, 65535, 1,
					  0, 0, 0xfffffff0, 0xfffffff0};
	DPX_TEST_RUN(write_file(tmp_path(1, "huge.pcap"), huge, sizeof(huge)));
	DPX_TEST_ASSERT_EQUAL(open_rx(path_buf[1], ""), 0, "");
	port = port_of("net_pcap_bad");
	DPX_TEST_RUN(port_start(port, 1, 0, rxp));
	DPX_TEST_ASSERT_EQUAL(dpx_eth_rx_burst(port, 0, pkts, 4), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_stats_get(port, &st), 0, "");
	DPX_TEST_ASSERT_EQUAL(st.ierrors, 1, "");
	DPX_TEST_ASSERT_EQUAL(dpx_vdev_uninit("net_pcap_bad"), 0, "");

	/* argument combinations */
	DPX_TEST_ASSERT_EQUAL(dpx_vdev_init("net_pcap_x", NULL), -EINVAL, "nothing to do");
	DPX_TEST_ASSERT_EQUAL(dpx_vdev_init("net_pcap_x", "infinite_rx=1"), -EINVAL, "");
	DPX_TEST_ASSERT_EQUAL(dpx_vdev_init("net_pcap_x", "tx_pcap=/nonexistent-dir/x.pcap"),
			      -ENOENT, "");
	DPX_TEST_ASSERT_EQUAL(dpx_vdev_init("net_pcap_x", "rx_pcap=a,tx_pcap=b,iface=lo"), -EINVAL,
			      "iface unused");
	DPX_TEST_ASSERT_EQUAL(dpx_vdev_init("net_pcap_x", "rx_pcap=a,rx_pcap=b"), -EINVAL, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_dev_count_avail(), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_test_count_fds(), fds, "failed probes closed what they opened");
	teardown(txp, rxp);
	return DPX_TEST_SUCCESS;
}
DPX_TEST_REGISTER(pmd_pcap_bad_files, fast, test_pmd_pcap_bad_files);
