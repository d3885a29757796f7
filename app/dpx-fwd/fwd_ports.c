/* SPDX-License-Identifier: BSD-3-Clause */
/* dpx-fwd ports: discovery, the mbuf pool, configure/start/stop, statistics display. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <dpx_cycles.h>
#include <dpx_errno.h>
#include <dpx_log.h>
#include <dpx_mbuf.h>
#include <dpx_memory.h>
#include <dpx_bus_vdev.h>
#include <dpx_eal.h>

#include "fwd_app.h"

#define POOL_CACHE 256

/* the option parser is pure and does not include dpx_mbuf.h: keep its copy right */
_Static_assert(FWD_MBUF_HEADROOM == DPX_PKTMBUF_HEADROOM, "FWD_MBUF_HEADROOM is the headroom");

int
fwd_port_index(const struct fwd_app *app, uint16_t port_id)
{
	for (uint16_t i = 0; i < app->nb_ports; i++)
		if (app->ports[i].id == port_id)
			return i;
	return -ENODEV;
}

/* Enough mbufs for every descriptor, every core's burst in flight and the
 * per-lcore caches, with room to spare (testpmd sizes its pool the same way). */
static unsigned int
pool_size(const struct fwd_app *app)
{
	const struct fwd_options *o = &app->opt;
	unsigned long n = (unsigned long)app->nb_ports * ((unsigned long)o->nb_rxq * o->nb_rxd +
							  (unsigned long)o->nb_txq * o->nb_txd);

	n += (unsigned long)(dpx_lcore_count() + 1) *
	     (POOL_CACHE + (unsigned long)o->burst * FWD_MAX_TXSEGS);
	n += 1024;
	return o->total_num_mbufs != 0 ? o->total_num_mbufs : (unsigned int)n;
}

static int
pool_create(struct fwd_app *app)
{
	uint32_t room = app->opt.mbuf_size != 0
				? app->opt.mbuf_size
				: DPX_MAX(app->opt.max_pkt_len, 2048u) + DPX_PKTMBUF_HEADROOM;
	unsigned int n = pool_size(app);

	app->pool =
		dpx_pktmbuf_pool_create("fwd_mbuf_pool", n, n >= 4 * POOL_CACHE ? POOL_CACHE : 0, 0,
					(uint16_t)room, DPX_SOCKET_ID_ANY);
	if (app->pool == NULL) {
		fprintf(stderr, "%s: cannot create a pool of %u mbufs of %u bytes: %s\n",
			app->prgname, n, room, dpx_strerror(dpx_errno));
		return -dpx_errno;
	}
	fprintf(app->out, "mbuf pool: %u mbufs of %u bytes\n", n, room);
	return 0;
}

static int
port_configure(struct fwd_app *app, struct fwd_port *p)
{
	const struct fwd_options *o = &app->opt;
	struct dpx_eth_conf conf = {0};
	struct dpx_eth_dev_info info;
	int rc;

	if (o->mtu != 0)
		conf.mtu = o->mtu;
	else if (o->max_pkt_len > 1518)
		conf.mtu = o->max_pkt_len - DPX_ETHER_HDR_LEN - DPX_ETHER_CRC_LEN;
	rc = dpx_eth_dev_info_get(p->id, &info);
	if (rc < 0)
		return rc;
	/* a port may have fewer queues than asked, or none in one direction
	 * (net_pcap with only tx_pcap): its streams that need them idle */
	p->nb_rxq = DPX_MIN(o->nb_rxq, info.max_rx_queues);
	p->nb_txq = DPX_MIN(o->nb_txq, info.max_tx_queues);
	if (p->nb_rxq != o->nb_rxq || p->nb_txq != o->nb_txq)
		fprintf(app->out, "Port %u: %u rx and %u tx queue(s) (the driver's maximum)\n",
			p->id, p->nb_rxq, p->nb_txq);
	rc = dpx_eth_dev_configure(p->id, p->nb_rxq, p->nb_txq, &conf);
	for (uint16_t q = 0; rc == 0 && q < p->nb_rxq; q++)
		rc = dpx_eth_rx_queue_setup(p->id, q, o->nb_rxd, info.numa_node, NULL, app->pool);
	for (uint16_t q = 0; rc == 0 && q < p->nb_txq; q++)
		rc = dpx_eth_tx_queue_setup(p->id, q, o->nb_txd, info.numa_node, NULL);
	if (rc == 0)
		rc = dpx_eth_macaddr_get(p->id, &p->mac);
	p->configured = rc == 0;
	return rc;
}

int
fwd_port_start(struct fwd_app *app, uint16_t idx)
{
	struct fwd_port *p = &app->ports[idx];
	int rc = 0;

	if (p->started)
		return 0;
	if (!p->configured) {
		fprintf(app->out, "Configuring Port %u (socket %d)\n", p->id,
			dpx_eth_dev_socket_id(p->id));
		rc = port_configure(app, p);
	}
	if (rc == 0)
		rc = dpx_eth_dev_start(p->id);
	if (rc < 0) {
		fprintf(app->out, "Port %u: failed to start: %s\n", p->id, dpx_strerror(rc));
		return rc;
	}
	p->started = 1;
	fprintf(app->out, "Port %u: %02X:%02X:%02X:%02X:%02X:%02X\n", p->id, p->mac.addr_bytes[0],
		p->mac.addr_bytes[1], p->mac.addr_bytes[2], p->mac.addr_bytes[3],
		p->mac.addr_bytes[4], p->mac.addr_bytes[5]);
	return 0;
}

int
fwd_port_stop(struct fwd_app *app, uint16_t idx)
{
	struct fwd_port *p = &app->ports[idx];
	int rc;

	if (!p->started)
		return 0;
	rc = dpx_eth_dev_stop(p->id);
	if (rc < 0) {
		fprintf(app->out, "Port %u: failed to stop: %s\n", p->id, dpx_strerror(rc));
		return rc;
	}
	p->started = 0;
	fprintf(app->out, "Port %u: stopped\n", p->id);
	return 0;
}

/* The --vdev argument that made port pid: its name, then what follows. */
static void
find_devargs(uint16_t pid, char *out, size_t len)
{
	char name[DPX_ETH_NAME_MAX_LEN];

	out[0] = '\0';
	if (dpx_eth_dev_get_name_by_port(pid, name) != 0)
		return;
	for (unsigned int i = 0; i < dpx_eal_vdev_count(); i++) {
		const char *arg = dpx_eal_vdev_arg(i);
		size_t n = strlen(name);

		if (strncmp(arg, name, n) == 0 && (arg[n] == ',' || arg[n] == '\0')) {
			snprintf(out, len, "%s", arg[n] == ',' ? arg + n + 1 : "");
			return;
		}
	}
}

static void
port_add(struct fwd_app *app, uint16_t pid, const char *devargs)
{
	struct fwd_port *p = &app->ports[app->nb_ports++];

	memset(p, 0, sizeof(*p));
	p->id = pid;
	if (devargs != NULL)
		snprintf(p->devargs, sizeof(p->devargs), "%s", devargs);
	else
		find_devargs(pid, p->devargs, sizeof(p->devargs));
}

int
fwd_ports_init(struct fwd_app *app)
{
	uint16_t pid;
	unsigned int started = 0;
	int rc;

	app->nb_ports = 0;
	DPX_ETH_FOREACH_DEV (pid)
		port_add(app, pid, NULL);
	if (app->nb_ports == 0) {
		fprintf(stderr, "%s: no ports (add some with --vdev, e.g. --vdev net_null0)\n",
			app->prgname);
		return -ENODEV;
	}
	rc = pool_create(app);
	if (rc < 0)
		return rc;
	for (uint16_t i = 0; i < app->nb_ports; i++) {
		if (fwd_port_start(app, i) != 0)
			continue;
		started++;
		/* testpmd: promiscuous from start-up unless --no-promisc; later starts keep
		 * whatever "set promisc" chose */
		if (!app->opt.no_promisc)
			fwd_port_set_mode(app, i, 0, 1);
	}
	if (started == 0) {
		fprintf(stderr, "%s: no port could be started\n", app->prgname);
		fwd_ports_close(app);
		return -ENODEV;
	}
	return 0;
}

void
fwd_ports_close(struct fwd_app *app)
{
	for (uint16_t i = 0; i < app->nb_ports; i++) {
		fwd_port_stop(app, i);
		if (app->ports[i].configured)
			dpx_eth_dev_close(app->ports[i].id);
		app->ports[i].configured = 0;
		free(app->ports[i].tmpl);
		app->ports[i].tmpl = NULL;
	}
	app->nb_ports = 0;
	if (app->pool != NULL)
		dpx_mempool_free(app->pool);
	app->pool = NULL;
}

static uint64_t
rate(uint64_t prev, uint64_t cur, uint64_t ns)
{
	return (uint64_t)fwd_rate_per_sec(prev, cur, ns);
}

void
fwd_show_port_stats(struct fwd_app *app, uint16_t idx)
{
	struct fwd_port *p = &app->ports[idx];
	struct fwd_nic_stats n;
	struct dpx_eth_stats s;
	uint64_t now, ns;
	int rc;

	pthread_mutex_lock(&app->show_lock);
	now = dpx_get_time_ns();
	ns = p->last_show_ns ? now - p->last_show_ns : 0;
	rc = dpx_eth_stats_get(p->id, &s);
	if (rc < 0) {
		fprintf(app->out, "Port %u: cannot read statistics: %s\n", p->id, dpx_strerror(rc));
		pthread_mutex_unlock(&app->show_lock);
		return;
	}
	n = (struct fwd_nic_stats){
		.ipackets = s.ipackets,
		.imissed = s.imissed,
		.ibytes = s.ibytes,
		.ierrors = s.ierrors,
		.rx_nombuf = s.rx_nombuf,
		.opackets = s.opackets,
		.oerrors = s.oerrors,
		.obytes = s.obytes,
		.rx_pps = rate(p->last_show.ipackets, s.ipackets, ns),
		.rx_bps = 8 * rate(p->last_show.ibytes, s.ibytes, ns),
		.tx_pps = rate(p->last_show.opackets, s.opackets, ns),
		.tx_bps = 8 * rate(p->last_show.obytes, s.obytes, ns),
	};
	fwd_print_nic_stats(app->out, p->id, &n);
	p->last_show = s;
	p->last_show_ns = now;
	pthread_mutex_unlock(&app->show_lock);
}

void
fwd_clear_port_stats(struct fwd_app *app, uint16_t idx)
{
	struct fwd_port *p = &app->ports[idx];
	int rc = dpx_eth_stats_reset(p->id);

	if (rc < 0) {
		fprintf(app->out, "Port %u: cannot clear statistics: %s\n", p->id,
			dpx_strerror(rc));
		return;
	}
	pthread_mutex_lock(&app->show_lock);
	memset(&p->last_show, 0, sizeof(p->last_show));
	p->last_show_ns = 0;
	/* the run's drop counts are differences from these: they start over too */
	memset(&p->at_start, 0, sizeof(p->at_start));
	pthread_mutex_unlock(&app->show_lock);
	fprintf(app->out, "\n  NIC statistics for port %u cleared\n", p->id);
}

static const char *
enabled(int v)
{
	return v > 0 ? "enabled" : "disabled";
}

void
fwd_show_port_info(struct fwd_app *app, uint16_t idx)
{
	struct fwd_port *p = &app->ports[idx];
	char name[DPX_ETH_NAME_MAX_LEN] = "";
	struct dpx_eth_dev_info info;
	struct dpx_eth_link link;
	uint16_t mtu = 0;
	FILE *f = app->out;
	int rc = dpx_eth_dev_info_get(p->id, &info);

	if (rc == 0)
		rc = dpx_eth_link_get_nowait(p->id, &link);
	if (rc < 0) {
		fprintf(f, "Port %u: cannot read its information: %s\n", p->id, dpx_strerror(rc));
		return;
	}
	dpx_eth_dev_get_name_by_port(p->id, name);
	dpx_eth_dev_get_mtu(p->id, &mtu);
	dpx_eth_macaddr_get(p->id, &p->mac);
	fprintf(f, "\n********************* Infos for port %-2u *********************\n", p->id);
	fprintf(f, "MAC address: %02X:%02X:%02X:%02X:%02X:%02X\n", p->mac.addr_bytes[0],
		p->mac.addr_bytes[1], p->mac.addr_bytes[2], p->mac.addr_bytes[3],
		p->mac.addr_bytes[4], p->mac.addr_bytes[5]);
	fprintf(f, "Device name: %s\nDriver name: %s\nDevargs: %s\n", name, info.driver_name,
		p->devargs);
	fprintf(f, "Connect to socket: %d\nmemory allocation on the socket: %d\n", info.numa_node,
		info.numa_node);
	fprintf(f, "Link status: %s\n", link.link_status ? "up" : "down");
	if (link.link_speed == DPX_ETH_SPEED_NUM_UNKNOWN || link.link_speed == 0)
		fprintf(f, "Link speed: %s\n", link.link_speed ? "Unknown" : "None");
	else if (link.link_speed >= 1000)
		fprintf(f, "Link speed: %u Gbps\n", link.link_speed / 1000);
	else
		fprintf(f, "Link speed: %u Mbps\n", link.link_speed);
	fprintf(f, "Link duplex: %s\nAutoneg status: %s\nMTU: %u\n",
		link.link_duplex ? "full-duplex" : "half-duplex", link.link_autoneg ? "On" : "Off",
		mtu);
	fprintf(f, "Promiscuous mode: %s\nAllmulticast mode: %s\n",
		enabled(dpx_eth_promiscuous_get(p->id)), enabled(dpx_eth_allmulticast_get(p->id)));
	fprintf(f, "Maximum configurable length of RX packet: %u\n", info.max_rx_pktlen);
	fprintf(f, "Current number of RX queues: %u\nMax possible RX queues: %u\n",
		info.nb_rx_queues, info.max_rx_queues);
	fprintf(f, "Max possible number of RXDs per queue: %u\n", info.rx_desc_max);
	fprintf(f, "Current number of TX queues: %u\nMax possible TX queues: %u\n",
		info.nb_tx_queues, info.max_tx_queues);
	fprintf(f, "Max possible number of TXDs per queue: %u\n", info.tx_desc_max);
}

int
fwd_port_set_mode(struct fwd_app *app, uint16_t idx, int allmulti, int on)
{
	uint16_t pid = app->ports[idx].id;
	int rc = allmulti ? (on ? dpx_eth_allmulticast_enable(pid)
				: dpx_eth_allmulticast_disable(pid))
			  : (on ? dpx_eth_promiscuous_enable(pid)
				: dpx_eth_promiscuous_disable(pid));

	if (rc < 0)
		fprintf(app->out, "Port %u: cannot turn %s mode %s: %s\n", pid,
			allmulti ? "all-multicast" : "promiscuous", on ? "on" : "off",
			dpx_strerror(rc));
	return rc;
}

int
fwd_port_set_link(struct fwd_app *app, uint16_t idx, int up)
{
	uint16_t pid = app->ports[idx].id;
	int rc = up ? dpx_eth_dev_set_link_up(pid) : dpx_eth_dev_set_link_down(pid);

	if (rc == -ENOTSUP)
		fprintf(app->out,
			"Port %u: cannot set the link %s: its driver has no link control\n", pid,
			up ? "up" : "down");
	else if (rc < 0)
		fprintf(app->out, "Port %u: cannot set the link %s: %s\n", pid, up ? "up" : "down",
			dpx_strerror(rc));
	return rc;
}

int
fwd_port_attach(struct fwd_app *app, const char *devargs)
{
	char name[DPX_ETH_NAME_MAX_LEN];
	size_t len = strcspn(devargs, ",");
	uint16_t pid;
	int rc;

	if (app->nb_ports == DPX_MAX_ETHPORTS || len == 0 || len >= sizeof(name)) {
		fprintf(app->out, "port attach %s: %s\n", devargs,
			len == 0 || len >= sizeof(name) ? "expected NAME[,KEY=VALUE...]"
							: "no room for another port");
		return -EINVAL;
	}
	memcpy(name, devargs, len);
	name[len] = '\0';
	fprintf(app->out, "Attaching a new port...\n");
	rc = dpx_vdev_init(name, devargs[len] == ',' ? devargs + len + 1 : "");
	if (rc == 0)
		rc = dpx_eth_dev_get_port_by_name(name, &pid);
	if (rc < 0)
		return rc; /* the bus or the driver said why, in one line naming the device */
	port_add(app, pid, devargs[len] == ',' ? devargs + len + 1 : "");
	fprintf(app->out, "Port %u is attached. Now total ports is %u\nDone\n", pid, app->nb_ports);
	return 0;
}

int
fwd_port_detach(struct fwd_app *app, uint16_t idx)
{
	struct fwd_port *p = &app->ports[idx];
	char name[DPX_ETH_NAME_MAX_LEN];
	uint16_t pid = p->id;
	int rc;

	if (p->started) {
		fprintf(app->out, "Port %u: stop it first (port stop %u)\n", pid, pid);
		return -EBUSY;
	}
	rc = dpx_eth_dev_get_name_by_port(pid, name);
	if (rc == 0) {
		fprintf(app->out, "Removing a device...\n");
		rc = dpx_vdev_uninit(name);
	}
	if (rc < 0) {
		fprintf(app->out, "Port %u: cannot detach: %s\n", pid, dpx_strerror(rc));
		return rc;
	}
	free(p->tmpl);
	memmove(p, p + 1, (size_t)(app->nb_ports - idx - 1) * sizeof(*p));
	app->nb_ports--;
	fprintf(app->out, "Port %u is closed\nDevice is detached\nNow total ports is %u\nDone\n",
		pid, app->nb_ports);
	return 0;
}

void
fwd_show_port_xstats(struct fwd_app *app, uint16_t idx)
{
	uint16_t pid = app->ports[idx].id;
	int n = dpx_eth_xstats_get_names(pid, NULL, 0);
	struct dpx_eth_xstat_name *names = NULL;
	struct dpx_eth_xstat *vals = NULL;

	if (n > 0) {
		names = calloc((size_t)n, sizeof(*names));
		vals = calloc((size_t)n, sizeof(*vals));
	}
	if (n < 0 || names == NULL || vals == NULL ||
	    dpx_eth_xstats_get_names(pid, names, (unsigned int)n) != n ||
	    dpx_eth_xstats_get(pid, vals, (unsigned int)n) != n) {
		fprintf(app->out, "Port %u: cannot read extended statistics: %s\n", pid,
			dpx_strerror(n < 0 ? n : -ENOMEM));
	} else {
		fprintf(app->out, "###### NIC extended statistics for port %-2u\n", pid);
		for (int i = 0; i < n; i++)
			fprintf(app->out, "%s: %" PRIu64 "\n", names[i].name, vals[i].value);
	}
	free(names);
	free(vals);
}
