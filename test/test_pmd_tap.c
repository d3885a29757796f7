/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * net_tap with the Linux kernel as the real peer. Each case runs in a network
 * namespace of its own (unshare(CLONE_NEWNET)), so the interface, its
 * 198.18.0.0/24 benchmark address and IPv6 chatter never meet the host's.
 * The test builds ARP and ICMP echo requests, sends them with tx_burst, and
 * checks the kernel's replies byte by byte from rx_burst. Cases skip (77)
 * without root or /dev/net/tun.
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/if_link.h>
#include <linux/if_packet.h>
#include <linux/if_ether.h>
#include <linux/if_tun.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include <dpx_bus_vdev.h>
#include <dpx_page_pool.h>

#include "test_ethdev_util.h"

#define POOL_SIZE 511
#define KERNEL_IP 0xC6120001u /* 198.18.0.1 */
#define PORT_IP 0xC6120002u   /* 198.18.0.2 */
#define IFNAME "dpxtap0"

static const struct dpx_ether_addr port_mac = {{0x02, 0x00, 0x00, 0x00, 0x00, 0x02}};

struct arp_ipv4 {
	uint16_t htype, ptype;
	uint8_t hlen, plen;
	uint16_t op;
	uint8_t sha[6];
	uint32_t spa;
	uint8_t tha[6];
	uint32_t tpa;
} __attribute__((packed));

struct ipv4_hdr {
	uint8_t ver_ihl, tos;
	uint16_t total_len, id, frag;
	uint8_t ttl, proto;
	uint16_t csum;
	uint32_t src, dst;
} __attribute__((packed));

struct icmp_echo {
	uint8_t type, code;
	uint16_t csum, id, seq;
} __attribute__((packed));

static int
write_sysctl(const char *path, const char *value)
{
	int fd = open(path, O_WRONLY);

	if (fd < 0)
		return -errno;
	ssize_t w = write(fd, value, strlen(value));
	close(fd);
	return w == (ssize_t)strlen(value) ? 0 : -EIO;
}

/* Root, /dev/net/tun and a fresh network namespace, or a reason to skip. */
static int
tap_env(void)
{
	if (geteuid() != 0)
		DPX_TEST_SKIP("net_tap needs root (CAP_NET_ADMIN)");
	if (access("/dev/net/tun", R_OK | W_OK) != 0)
		DPX_TEST_SKIP("/dev/net/tun is missing: %s", strerror(errno));
	if (unshare(CLONE_NEWNET) != 0)
		DPX_TEST_SKIP("cannot make a network namespace: %s", strerror(errno));
	/* no IPv6 router solicitations or MLD reports on the new interface */
	write_sysctl("/proc/sys/net/ipv6/conf/default/disable_ipv6", "1");
	return DPX_TEST_SUCCESS;
}

static int
if_ioctl(unsigned long req, struct ifreq *ifr)
{
	int s = socket(AF_INET, SOCK_DGRAM, 0), rc;

	snprintf(ifr->ifr_name, IFNAMSIZ, "%s", IFNAME);
	rc = ioctl(s, req, ifr) == 0 ? 0 : -errno;
	close(s);
	return rc;
}

static int
kernel_set_address(void)
{
	struct ifreq ifr = {0};
	struct sockaddr_in *sin = (struct sockaddr_in *)&ifr.ifr_addr;

	sin->sin_family = AF_INET;
	sin->sin_addr.s_addr = htonl(KERNEL_IP);
	DPX_TEST_ASSERT_EQUAL(if_ioctl(SIOCSIFADDR, &ifr), 0, "");
	sin->sin_addr.s_addr = htonl(0xFFFFFF00u);
	DPX_TEST_ASSERT_EQUAL(if_ioctl(SIOCSIFNETMASK, &ifr), 0, "");
	return DPX_TEST_SUCCESS;
}

static uint16_t
csum16(const void *data, size_t len)
{
	const uint8_t *p = data;
	uint32_t sum = 0;

	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static void
fill_arp(uint8_t *frame, uint16_t op, const struct dpx_ether_addr *dst,
	 const struct dpx_ether_addr *tha, uint32_t tpa)
{
	struct dpx_ether_hdr *eh = (struct dpx_ether_hdr *)frame;
	struct arp_ipv4 *arp = (struct arp_ipv4 *)(eh + 1);

	memset(frame, 0, 60);
	eh->dst_addr = *dst;
	eh->src_addr = port_mac;
	eh->ether_type = htons(DPX_ETHER_TYPE_ARP);
	*arp = (struct arp_ipv4){htons(1), htons(DPX_ETHER_TYPE_IPV4), 6, 4, htons(op), {0},
				 htonl(PORT_IP), {0}, htonl(tpa)};
	memcpy(arp->sha, &port_mac, 6);
	memcpy(arp->tha, tha, 6);
}

/* ICMP echo request of 56 payload bytes, as a two-segment packet (split after the IP header). */
static struct dpx_mbuf *
make_echo(struct dpx_mempool *mp, const struct dpx_ether_addr *dst, uint8_t frame[98])
{
	struct dpx_ether_hdr *eh = (struct dpx_ether_hdr *)frame;
	struct ipv4_hdr *ip = (struct ipv4_hdr *)(eh + 1);
	struct icmp_echo *icmp = (struct icmp_echo *)(ip + 1);
	uint8_t *payload = (uint8_t *)(icmp + 1);

	eh->dst_addr = *dst;
	eh->src_addr = port_mac;
	eh->ether_type = htons(DPX_ETHER_TYPE_IPV4);
	*ip = (struct ipv4_hdr){0x45, 0, htons(84), htons(0x4242), 0, 64, 1, 0, htonl(PORT_IP),
				htonl(KERNEL_IP)};
	ip->csum = htons(csum16(ip, sizeof(*ip)));
	*icmp = (struct icmp_echo){8, 0, 0, htons(0x1234), htons(1)};
	for (int i = 0; i < 56; i++)
		payload[i] = (uint8_t)(i * 3 + 1);
	icmp->csum = htons(csum16(icmp, 64));

	struct dpx_mbuf *a = dpx_pktmbuf_alloc(mp), *b = dpx_pktmbuf_alloc(mp);
	if (a == NULL || b == NULL)
		return NULL;
	memcpy(dpx_pktmbuf_append(a, 34), frame, 34);
	memcpy(dpx_pktmbuf_append(b, 64), frame + 34, 64);
	dpx_pktmbuf_chain(a, b);
	return a;
}

static int
check_arp_reply(const uint8_t *f, uint32_t len, const struct dpx_ether_addr *kmac)
{
	const struct dpx_ether_hdr *eh = (const struct dpx_ether_hdr *)f;
	const struct arp_ipv4 *arp = (const struct arp_ipv4 *)(eh + 1);

	DPX_TEST_ASSERT(len >= 42, "%u bytes", len);
	DPX_TEST_ASSERT(memcmp(&eh->dst_addr, &port_mac, 6) == 0, "to us");
	DPX_TEST_ASSERT(memcmp(&eh->src_addr, kmac, 6) == 0, "from the kernel interface");
	DPX_TEST_ASSERT_EQUAL(ntohs(arp->htype), 1, "");
	DPX_TEST_ASSERT_EQUAL(ntohs(arp->ptype), DPX_ETHER_TYPE_IPV4, "");
	DPX_TEST_ASSERT(arp->hlen == 6 && arp->plen == 4, "");
	DPX_TEST_ASSERT(memcmp(arp->sha, kmac, 6) == 0, "");
	DPX_TEST_ASSERT_EQUAL(ntohl(arp->spa), KERNEL_IP, "");
	DPX_TEST_ASSERT(memcmp(arp->tha, &port_mac, 6) == 0, "");
	DPX_TEST_ASSERT_EQUAL(ntohl(arp->tpa), PORT_IP, "");
	return DPX_TEST_SUCCESS;
}

static int
check_echo_reply(const uint8_t *f, uint32_t len, const struct dpx_ether_addr *kmac,
		 const uint8_t request[98])
{
	const struct dpx_ether_hdr *eh = (const struct dpx_ether_hdr *)f;
	const struct ipv4_hdr *ip = (const struct ipv4_hdr *)(eh + 1);
	const struct icmp_echo *icmp = (const struct icmp_echo *)(ip + 1);

	DPX_TEST_ASSERT_EQUAL(len, 98, "same size as the request");
	DPX_TEST_ASSERT(memcmp(&eh->dst_addr, &port_mac, 6) == 0, "");
	DPX_TEST_ASSERT(memcmp(&eh->src_addr, kmac, 6) == 0, "");
	DPX_TEST_ASSERT_EQUAL(ip->ver_ihl, 0x45, "");
	DPX_TEST_ASSERT_EQUAL(ip->proto, 1, "");
	DPX_TEST_ASSERT_EQUAL(ntohs(ip->total_len), 84, "");
	DPX_TEST_ASSERT_EQUAL(ntohl(ip->src), KERNEL_IP, "");
	DPX_TEST_ASSERT_EQUAL(ntohl(ip->dst), PORT_IP, "");
	DPX_TEST_ASSERT_EQUAL(csum16(ip, sizeof(*ip)), 0, "IP checksum valid");
	DPX_TEST_ASSERT(icmp->type == 0 && icmp->code == 0, "echo reply");
	DPX_TEST_ASSERT_EQUAL(csum16(icmp, 64), 0, "ICMP checksum valid");
	DPX_TEST_ASSERT(memcmp(&icmp->id, request + 38, 4) == 0, "same id and sequence");
	DPX_TEST_ASSERT(memcmp(icmp + 1, request + 42, 56) == 0, "same payload");
	return DPX_TEST_SUCCESS;
}

/* Poll every rx queue (bounded: ~3 s) for a frame of `ether_type` with byte `op_off` == op. */
static struct dpx_mbuf *
wait_frame(uint16_t port, uint16_t nb_q, uint16_t ether_type, unsigned int op_off, uint8_t op,
	   unsigned int *other)
{
	struct dpx_mbuf *pkts[8];

	for (int tries = 0; tries < 3000; tries++) {
		for (uint16_t q = 0; q < nb_q; q++) {
			uint16_t n = dpx_eth_rx_burst(port, q, pkts, 8);
			struct dpx_mbuf *found = NULL;
			for (uint16_t i = 0; i < n; i++) {
				uint8_t hdr[64];
				const uint8_t *f = dpx_pktmbuf_read(pkts[i], 0,
								    DPX_MIN(pkts[i]->pkt_len, 64u), hdr);
				if (found == NULL && pkts[i]->pkt_len > op_off &&
				    ntohs(((const struct dpx_ether_hdr *)f)->ether_type) == ether_type &&
				    f[op_off] == op) {
					found = pkts[i];
					continue;
				}
				(*other)++;
				dpx_pktmbuf_free(pkts[i]);
			}
			if (found != NULL)
				return found;
		}
		usleep(1000);
	}
	return NULL;
}

static int
lsc_count_cb(uint16_t port, enum dpx_eth_event_type ev, void *arg, void *param)
{
	(void)port, (void)ev, (void)param;
	(*(int *)arg)++;
	return 0;
}

static int
ping_kernel(uint16_t port, struct dpx_mempool *mp, const struct dpx_ether_addr *kmac)
{
	static const struct dpx_ether_addr bcast = {{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}};
	static const struct dpx_ether_addr zero;
	uint8_t frame[98], buf[98];
	unsigned int other = 0;

	/* ARP: who has 198.18.0.1? */
	struct dpx_mbuf *m = dpx_pktmbuf_alloc(mp);
	DPX_TEST_ASSERT(m != NULL, "");
	fill_arp(frame, 1, &bcast, &zero, KERNEL_IP);
	memcpy(dpx_pktmbuf_append(m, 60), frame, 60);
	DPX_TEST_ASSERT_EQUAL(dpx_eth_tx_burst(port, 0, &m, 1), 1, "");
	m = wait_frame(port, 2, DPX_ETHER_TYPE_ARP, 21, 2, &other);
	DPX_TEST_ASSERT(m != NULL, "no ARP reply from the kernel (%u other frames)", other);
	DPX_TEST_RUN(check_arp_reply(dpx_pktmbuf_read(m, 0, 42, buf), m->pkt_len, kmac));
	dpx_pktmbuf_free(m);

	/* ICMP echo, sent as two segments */
	m = make_echo(mp, kmac, frame);
	DPX_TEST_ASSERT(m != NULL && m->nb_segs == 2, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_tx_burst(port, 1, &m, 1), 1, "");
	m = wait_frame(port, 2, DPX_ETHER_TYPE_IPV4, 34, 0, &other);
	DPX_TEST_ASSERT(m != NULL, "no echo reply from the kernel (%u other frames)", other);
	DPX_TEST_ASSERT_EQUAL(m->pkt_len, 98, "");
	DPX_TEST_RUN(check_echo_reply(dpx_pktmbuf_read(m, 0, 98, buf), m->pkt_len, kmac, frame));
	dpx_pktmbuf_free(m);
	return DPX_TEST_SUCCESS;
}

static int
test_pmd_tap_kernel_peer(void)
{
	struct dpx_eth_stats st;
	struct dpx_eth_link link;
	struct ifreq ifr = {0};
	int lsc = 0;

	DPX_TEST_RUN(tap_env());
	DPX_TEST_ASSERT(dpx_test_eal_init("--no-huge", "--in-memory", "--vdev",
					  "net_tap0,iface=" IFNAME ",mac=02:00:00:00:00:02,queues=2",
					  NULL) > 0, "init");
	struct dpx_mempool *mp = dpx_pktmbuf_pool_create("tap_pool", POOL_SIZE, 0, 0,
							 DPX_MBUF_DEFAULT_BUF_SIZE, -1);
	DPX_TEST_ASSERT(mp != NULL, "");
	uint16_t port = port_of("net_tap0");
	struct dpx_eth_dev_info info;
	DPX_TEST_ASSERT_EQUAL(dpx_eth_dev_info_get(port, &info), 0, "");
	DPX_TEST_ASSERT_EQUAL(info.if_index, if_nametoindex(IFNAME), "");
	DPX_TEST_ASSERT_EQUAL(info.max_rx_queues, 2, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_dev_callback_register(port, DPX_ETH_EVENT_LSC, lsc_count_cb,
							    &lsc), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_link_get_nowait(port, &link), 0, "");
	DPX_TEST_ASSERT_EQUAL(link.link_status, DPX_ETH_LINK_DOWN, "interface down before start");
	DPX_TEST_RUN(port_start(port, 2, 2, mp));
	DPX_TEST_ASSERT_EQUAL(if_ioctl(SIOCGIFFLAGS, &ifr), 0, "");
	DPX_TEST_ASSERT(ifr.ifr_flags & IFF_UP, "start brought the kernel interface up");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_link_get_nowait(port, &link), 0, "");
	DPX_TEST_ASSERT_EQUAL(link.link_status, DPX_ETH_LINK_UP, "");
	DPX_TEST_ASSERT_EQUAL(lsc, 1, "");

	DPX_TEST_RUN(kernel_set_address());
	DPX_TEST_ASSERT_EQUAL(if_ioctl(SIOCGIFHWADDR, &ifr), 0, "");
	struct dpx_ether_addr kmac;
	memcpy(&kmac, ifr.ifr_hwaddr.sa_data, 6);
	DPX_TEST_RUN(ping_kernel(port, mp, &kmac));
	DPX_TEST_ASSERT_EQUAL(dpx_eth_stats_get(port, &st), 0, "");
	DPX_TEST_ASSERT_EQUAL(st.opackets, 2, "");
	DPX_TEST_ASSERT_EQUAL(st.obytes, 60 + 98, "");
	DPX_TEST_ASSERT(st.ipackets >= 2, "");
	DPX_TEST_ASSERT_EQUAL(st.q_ipackets[0] + st.q_ipackets[1], st.ipackets, "");
	DPX_TEST_ASSERT_EQUAL(st.oerrors + st.ierrors, 0, "");
	/* a chain longer than the writev array is dropped and counted, not retried */
	struct dpx_mbuf *many = pattern_packet(mp, 7, 70, 1);
	DPX_TEST_ASSERT(many != NULL && many->nb_segs == 70, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_tx_burst(port, 0, &many, 1), 1, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_stats_get(port, &st), 0, "");
	DPX_TEST_ASSERT_EQUAL(st.oerrors, 1, "");
	DPX_TEST_ASSERT_EQUAL(st.opackets, 2, "");

	/* the link follows the kernel's IFF_UP, whoever changes it */
	ifr.ifr_flags = 0;
	DPX_TEST_ASSERT_EQUAL(if_ioctl(SIOCGIFFLAGS, &ifr), 0, "");
	ifr.ifr_flags &= (short)~IFF_UP;
	DPX_TEST_ASSERT_EQUAL(if_ioctl(SIOCSIFFLAGS, &ifr), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_link_get_nowait(port, &link), 0, "");
	DPX_TEST_ASSERT_EQUAL(link.link_status, DPX_ETH_LINK_DOWN, "set down outside dpx");
	DPX_TEST_ASSERT_EQUAL(lsc, 2, "LSC delivered");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_dev_set_link_up(port), 0, "");
	DPX_TEST_ASSERT_EQUAL(if_ioctl(SIOCGIFFLAGS, &ifr), 0, "");
	DPX_TEST_ASSERT(ifr.ifr_flags & IFF_UP, "");
	DPX_TEST_ASSERT_EQUAL(lsc, 3, "");

	/* MTU reaches the kernel interface */
	DPX_TEST_ASSERT_EQUAL(dpx_eth_dev_set_mtu(port, 1400), 0, "");
	DPX_TEST_ASSERT_EQUAL(if_ioctl(SIOCGIFMTU, &ifr), 0, "");
	DPX_TEST_ASSERT_EQUAL(ifr.ifr_mtu, 1400, "");

	DPX_TEST_ASSERT_EQUAL(dpx_vdev_uninit("net_tap0"), 0, "");
	DPX_TEST_ASSERT_EQUAL(if_nametoindex(IFNAME), 0, "interface gone with the port");
	return pool_and_eal_done(mp, POOL_SIZE);
}
DPX_TEST_REGISTER(pmd_tap_kernel_peer, fast, test_pmd_tap_kernel_peer);

static int
test_pmd_tap_errors(void)
{
	DPX_TEST_RUN(tap_env());
	/* counted before init: the EAL's own fds (its memfd) go at cleanup too */
	int fds = dpx_test_count_fds();
	DPX_TEST_ASSERT(dpx_test_eal_init("--no-huge", "--in-memory", NULL) > 0, "init");
	DPX_TEST_ASSERT_EQUAL(dpx_vdev_init("net_tap0", "mac=01:00:00:00:00:01"), -EINVAL,
			      "multicast");
	DPX_TEST_ASSERT_EQUAL(dpx_vdev_init("net_tap0", "mac=02:00:00:00:00"), -EINVAL, "short");
	DPX_TEST_ASSERT_EQUAL(dpx_vdev_init("net_tap0", "iface=abcdefghijklmnopq"), -EINVAL, "");
	DPX_TEST_ASSERT_EQUAL(dpx_vdev_init("net_tap0", "queues=9"), -EINVAL, "");
	DPX_TEST_ASSERT_EQUAL(dpx_vdev_init("net_tap0", "iface=" IFNAME), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_vdev_init("net_tap1", "iface=" IFNAME), -EBUSY, "name taken");
	DPX_TEST_ASSERT_EQUAL(dpx_vdev_init("net_tap2", NULL), 0, "kernel-chosen name");
	struct dpx_eth_dev_info info;
	char name[IF_NAMESIZE];
	DPX_TEST_ASSERT_EQUAL(dpx_eth_dev_info_get(port_of("net_tap2"), &info), 0, "");
	DPX_TEST_ASSERT(if_indextoname(info.if_index, name) != NULL, "");
	DPX_TEST_ASSERT(strncmp(name, "dtap", 4) == 0, "got %s", name);
	DPX_TEST_ASSERT_EQUAL(dpx_eal_cleanup(), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_test_count_fds(), fds, "every fd closed");
	DPX_TEST_ASSERT_EQUAL(if_nametoindex(IFNAME), 0, "");
	return DPX_TEST_SUCCESS;
}
DPX_TEST_REGISTER(pmd_tap_errors, fast, test_pmd_tap_errors);

/* Frame `seq`: broadcast, from port_mac, EtherType 0x88B5, then len - 14 pattern bytes. */
static void
fill_test_frame(uint8_t *f, unsigned int seq, uint32_t len)
{
	struct dpx_ether_hdr *eh = (struct dpx_ether_hdr *)f;

	memset(&eh->dst_addr, 0xff, 6);
	eh->src_addr = port_mac;
	eh->ether_type = htons(0x88B5);
	for (uint32_t i = DPX_ETHER_HDR_LEN; i < len; i++)
		f[i] = pattern_byte(seq, i);
}

/* Send frames 0..n-1 from one port, receive them on another, byte-exact, in order. */
static int
cross(struct dpx_mempool *mp, uint16_t from, uint16_t to, unsigned int n)
{
	uint8_t want[1500], got[1500];
	unsigned int other = 0;

	for (unsigned int i = 0; i < n; i++) {
		uint32_t len = 60 + i * 211 % 1400;
		struct dpx_mbuf *m = dpx_pktmbuf_alloc(mp);
		DPX_TEST_ASSERT(m != NULL, "");
		fill_test_frame(want, i, len);
		memcpy(dpx_pktmbuf_append(m, (uint16_t)len), want, len);
		DPX_TEST_ASSERT_EQUAL(dpx_eth_tx_burst(from, 0, &m, 1), 1, "frame %u", i);
		m = wait_frame(to, 1, 0x88B5, 14, want[14], &other);
		DPX_TEST_ASSERT(m != NULL, "frame %u not received (%u other frames)", i, other);
		DPX_TEST_ASSERT_EQUAL(m->pkt_len, len, "frame %u", i);
		DPX_TEST_ASSERT(memcmp(dpx_pktmbuf_read(m, 0, len, got), want, len) == 0,
				"frame %u bytes", i);
		dpx_pktmbuf_free(m);
	}
	return DPX_TEST_SUCCESS;
}

static int
test_pmd_tap_pcap_live(void)
{
	DPX_TEST_RUN(tap_env());
	DPX_TEST_ASSERT(dpx_test_eal_init("--no-huge", "--in-memory", "--vdev",
					  "net_tap0,iface=" IFNAME, NULL) > 0, "init");
	struct dpx_mempool *mp = dpx_pktmbuf_pool_create("live_pool", POOL_SIZE, 0, 0,
							 DPX_MBUF_DEFAULT_BUF_SIZE, -1);
	DPX_TEST_ASSERT(mp != NULL, "");
	uint16_t tap = port_of("net_tap0");
	DPX_TEST_RUN(port_start(tap, 1, 1, mp)); /* brings the interface up for libpcap */
	int rc = dpx_vdev_init("net_pcap0", "iface=" IFNAME);
	if (rc == -ENOENT) {
		dpx_vdev_uninit("net_tap0");
		dpx_mempool_free(mp);
		dpx_eal_cleanup();
		DPX_TEST_SKIP("net_pcap not built (libpcap missing at configure time)");
	}
	DPX_TEST_ASSERT_EQUAL(rc, 0, "");
	uint16_t pcap = port_of("net_pcap0");
	DPX_TEST_RUN(port_start(pcap, 1, 1, mp));
	/* tap tx -> kernel ingress on the interface -> libpcap; libpcap inject -> tap rx */
	DPX_TEST_RUN(cross(mp, tap, pcap, 8));
	DPX_TEST_RUN(cross(mp, pcap, tap, 8));
	DPX_TEST_ASSERT_EQUAL(dpx_vdev_uninit("net_pcap0"), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_vdev_uninit("net_tap0"), 0, "");
	return pool_and_eal_done(mp, POOL_SIZE);
}
DPX_TEST_REGISTER(pmd_tap_pcap_live, fast, test_pmd_tap_pcap_live);

/* Move interface ifindex into the network namespace open at ns_fd (RTM_NEWLINK, IFLA_NET_NS_FD). */
static int
move_to_netns(unsigned int ifindex, int ns_fd)
{
	struct {
		struct nlmsghdr nh;
		struct ifinfomsg ifi;
		char attrs[32];
	} req = {0};
	struct {
		struct nlmsghdr nh;
		struct nlmsgerr err;
	} ack = {0};
	struct rtattr *rta;
	int s = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE), rc = -EIO;

	if (s < 0)
		return -errno;
	req.nh.nlmsg_len = NLMSG_LENGTH(sizeof(req.ifi));
	req.nh.nlmsg_type = RTM_NEWLINK;
	req.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	req.ifi.ifi_family = AF_UNSPEC;
	req.ifi.ifi_index = (int)ifindex;
	rta = (struct rtattr *)((char *)&req + NLMSG_ALIGN(req.nh.nlmsg_len));
	rta->rta_type = IFLA_NET_NS_FD;
	rta->rta_len = RTA_LENGTH(sizeof(int));
	memcpy(RTA_DATA(rta), &ns_fd, sizeof(int));
	req.nh.nlmsg_len = NLMSG_ALIGN(req.nh.nlmsg_len) + RTA_ALIGN(rta->rta_len);
	if (send(s, &req, req.nh.nlmsg_len, 0) == (ssize_t)req.nh.nlmsg_len &&
	    recv(s, &ack, sizeof(ack), 0) >= (ssize_t)sizeof(ack) &&
	    ack.nh.nlmsg_type == NLMSG_ERROR)
		rc = ack.err.error;
	close(s);
	return rc;
}

/* A kernel TAP interface of that name in the current namespace, up: its fd, or -errno. */
static int
impostor_up(const char *name)
{
	struct ifreq ifr = {.ifr_flags = IFF_TAP | IFF_NO_PI};
	int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	snprintf(ifr.ifr_name, IFNAMSIZ, "%s", name);
	if (ioctl(fd, TUNSETIFF, &ifr) != 0 || if_ioctl(SIOCGIFFLAGS, &ifr) != 0) {
		close(fd);
		return -EIO;
	}
	ifr.ifr_flags |= IFF_UP;
	if (if_ioctl(SIOCSIFFLAGS, &ifr) != 0) {
		close(fd);
		return -EIO;
	}
	return fd;
}

/*
 * The interface moved to another network namespace (as fwd_app_tap_ping
 * does): stop succeeds without touching it, or the interface of the same name
 * made here since; start says ENODEV; close releases the fd, which removes the
 * interface from the other namespace.
 */
static int
test_pmd_tap_moved_netns(void)
{
	struct ifreq ifr = {0};
	struct dpx_eth_link link;

	DPX_TEST_RUN(tap_env());
	int home = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	DPX_TEST_ASSERT(home >= 0, "%s", strerror(errno));
	if (unshare(CLONE_NEWNET) != 0) {
		close(home);
		DPX_TEST_SKIP("cannot make a second network namespace: %s", strerror(errno));
	}
	int away = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	DPX_TEST_ASSERT(away >= 0 && setns(home, CLONE_NEWNET) == 0, "%s", strerror(errno));
	DPX_TEST_ASSERT(dpx_test_eal_init("--no-huge", "--in-memory", "--vdev",
					  "net_tap0,iface=" IFNAME, NULL) > 0, "init");
	int fds = dpx_test_count_fds();
	struct dpx_mempool *mp = dpx_pktmbuf_pool_create("moved_pool", POOL_SIZE, 0, 0,
							 DPX_MBUF_DEFAULT_BUF_SIZE, -1);
	DPX_TEST_ASSERT(mp != NULL, "");
	uint16_t port = port_of("net_tap0");
	DPX_TEST_RUN(port_start(port, 1, 1, mp));
	unsigned int ifindex = if_nametoindex(IFNAME);
	DPX_TEST_ASSERT(ifindex != 0, "");
	DPX_TEST_ASSERT_EQUAL(move_to_netns(ifindex, away), 0, "");
	DPX_TEST_ASSERT_EQUAL(if_nametoindex(IFNAME), 0, "moved away");

	DPX_TEST_ASSERT_EQUAL(dpx_eth_dev_stop(port), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_link_get_nowait(port, &link), 0, "");
	DPX_TEST_ASSERT_EQUAL(link.link_status, DPX_ETH_LINK_DOWN, "");
	int impostor = impostor_up(IFNAME);
	DPX_TEST_ASSERT(impostor >= 0, "%s", strerror(-impostor));
	DPX_TEST_ASSERT_EQUAL(dpx_eth_dev_set_link_down(port), -ENODEV, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_dev_start(port), -ENODEV, "");
	DPX_TEST_ASSERT_EQUAL(if_ioctl(SIOCGIFFLAGS, &ifr), 0, "");
	DPX_TEST_ASSERT(ifr.ifr_flags & IFF_UP, "the same-named interface here was left alone");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_dev_close(port), 0, "");
	close(impostor);
	DPX_TEST_ASSERT_EQUAL(dpx_mempool_avail_count(mp), POOL_SIZE, "");
	dpx_mempool_free(mp);
	DPX_TEST_ASSERT_EQUAL(dpx_test_count_fds(), fds - 2, "the port's tun fd and socket closed");
	DPX_TEST_ASSERT_EQUAL(setns(away, CLONE_NEWNET), 0, "");
	DPX_TEST_ASSERT_EQUAL(if_nametoindex(IFNAME), 0, "gone from the other namespace too");
	DPX_TEST_ASSERT_EQUAL(setns(home, CLONE_NEWNET), 0, "");
	close(away);
	close(home);
	DPX_TEST_ASSERT_EQUAL(dpx_eal_cleanup(), 0, "");
	return DPX_TEST_SUCCESS;
}
DPX_TEST_REGISTER(pmd_tap_moved_netns, fast, test_pmd_tap_moved_netns);

/* ---- receive buffers from the page pool ---- */

#define PP_FRAMES 300

/* The kernel sends frames out of the interface (a packet socket): the port receives them. */
static int
kernel_sends(int sock, unsigned int seq, uint32_t len)
{
	static uint8_t f[4000];

	fill_test_frame(f, seq, len);
	DPX_TEST_ASSERT_EQUAL(send(sock, f, len, 0), (ssize_t)len, "%s", strerror(errno));
	return DPX_TEST_SUCCESS;
}

/* Receive until n of our frames came; @return the segments of every frame received. */
static int
receive_frames(uint16_t port, unsigned int n, uint64_t *segs)
{
	struct dpx_mbuf *pkts[32];
	unsigned int ours = 0;

	for (int tries = 0; ours < n && tries < 5000; tries++) {
		uint16_t r = dpx_eth_rx_burst(port, 0, pkts, 32);
		for (uint16_t i = 0; i < r; i++) {
			uint8_t hdr[14];
			const struct dpx_ether_hdr *eh = dpx_pktmbuf_read(pkts[i], 0, 14, hdr);
			ours += eh != NULL && ntohs(eh->ether_type) == 0x88B5;
			*segs += pkts[i]->nb_segs;
		}
		dpx_pktmbuf_free_bulk(pkts, r);
		if (r == 0)
			usleep(200);
	}
	DPX_TEST_ASSERT_EQUAL(ours, n, "frames received");
	return DPX_TEST_SUCCESS;
}

static int
tap_page_pool_case(const char *args, bool pooled)
{
	struct sockaddr_ll sll = {.sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL)};
	struct dpx_page_pool_stats s, *st = &s;
	uint64_t segs = 0;
	char vdev[128];

	DPX_TEST_RUN(tap_env());
	snprintf(vdev, sizeof(vdev), "net_tap0,iface=" IFNAME "%s", args);
	DPX_TEST_ASSERT(dpx_test_eal_init("--no-huge", "--in-memory", "--vdev", vdev, NULL) > 0,
			"");
	struct dpx_mempool *mp =
		dpx_pktmbuf_pool_create("pp_pool", POOL_SIZE, 0, 0, DPX_MBUF_DEFAULT_BUF_SIZE, -1);
	DPX_TEST_ASSERT(mp != NULL, "");
	uint16_t port = port_of("net_tap0");
	DPX_TEST_RUN(port_start(port, 1, 1, mp));
	DPX_TEST_ASSERT_EQUAL(dpx_eth_dev_set_mtu(port, 4000), 0, "");
	int sock = socket(AF_PACKET, SOCK_RAW, 0);
	DPX_TEST_ASSERT(sock >= 0, "%s", strerror(errno));
	sll.sll_ifindex = (int)if_nametoindex(IFNAME);
	DPX_TEST_ASSERT_EQUAL(bind(sock, (struct sockaddr *)&sll, sizeof(sll)), 0, "");
	/* frames of 60 to 3960 bytes: those above one mbuf come as chains */
	for (unsigned int i = 0; i < PP_FRAMES; i += 20) {
		for (unsigned int k = i; k < i + 20; k++)
			DPX_TEST_RUN(kernel_sends(sock, k, 60 + k * 613 % 3900));
		DPX_TEST_RUN(receive_frames(port, 20, &segs));
	}
	close(sock);
	if (!pooled) {
		DPX_TEST_ASSERT_EQUAL(xstat_names_with(port, "_pp_"), 0,
				      "page_pool=0: no rx_qN_pp_* names");
	} else {
		DPX_TEST_ASSERT_EQUAL(xstat_names_with(port, "_pp_"), DPX_PAGE_POOL_NB_STATS, "");
		DPX_TEST_RUN(pp_xstats_of(port, 0, st));
		printf("%" PRIu64 " frames in %" PRIu64 " segments; pp fast %" PRIu64
		       " slow %" PRIu64 " cached %" PRIu64 " in flight %" PRIu64 "\n",
		       xstat_of(port, "rx_q0_packets"), segs, st->alloc_fast, st->alloc_slow,
		       st->recycle_cached, st->in_flight);
		DPX_TEST_ASSERT_EQUAL(st->in_flight, 1, "the buffer kept for the next read");
		DPX_TEST_ASSERT_EQUAL(st->alloc_fast + st->alloc_slow + st->alloc_refill,
				      segs + st->in_flight, "handed out = received + kept");
		DPX_TEST_ASSERT_EQUAL(st->recycle_cached + st->recycle_ring + st->recycle_ring_full,
				      segs, "every received segment home");
		DPX_TEST_ASSERT(segs > xstat_of(port, "rx_q0_packets"), "chains were received");
	}
	DPX_TEST_ASSERT_EQUAL(dpx_eth_dev_stop(port), 0, "");
	if (pooled)
		DPX_TEST_ASSERT_EQUAL(xstat_of(port, "rx_q0_pp_in_flight"), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_mempool_avail_count(mp), POOL_SIZE,
			      "a stop returns every buffer");
	DPX_TEST_ASSERT_EQUAL(dpx_vdev_uninit("net_tap0"), 0, "");
	return pool_and_eal_done(mp, POOL_SIZE);
}

static int
test_pmd_tap_page_pool(void)
{
	return tap_page_pool_case(",pp_size=64", true);
}
DPX_TEST_REGISTER(pmd_tap_page_pool, fast, test_pmd_tap_page_pool);

static int
test_pmd_tap_page_pool_off(void)
{
	return tap_page_pool_case(",page_pool=0", false);
}
DPX_TEST_REGISTER(pmd_tap_page_pool_off, fast, test_pmd_tap_page_pool_off);
