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

#include "fwd_app.h"

#define POOL_CACHE 256

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
	uint32_t room = DPX_MAX(app->opt.max_pkt_len, 2048u) + DPX_PKTMBUF_HEADROOM;
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

	if (o->max_pkt_len > 1518)
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
	if (!p->configured)
		rc = port_configure(app, p);
	if (rc == 0)
		rc = dpx_eth_dev_start(p->id);
	if (rc < 0) {
		fprintf(app->out, "Port %u: failed to start: %s\n", p->id, dpx_strerror(rc));
		return rc;
	}
	/* a port without promiscuous mode still forwards what is addressed to it */
	(void)dpx_eth_promiscuous_enable(p->id);
	p->started = 1;
	fprintf(app->out, "Port %u: started, MAC %02X:%02X:%02X:%02X:%02X:%02X\n", p->id,
		p->mac.addr_bytes[0], p->mac.addr_bytes[1], p->mac.addr_bytes[2],
		p->mac.addr_bytes[3], p->mac.addr_bytes[4], p->mac.addr_bytes[5]);
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

int
fwd_ports_init(struct fwd_app *app)
{
	uint16_t pid;
	unsigned int started = 0;
	int rc;

	app->nb_ports = 0;
	DPX_ETH_FOREACH_DEV (pid) {
		memset(&app->ports[app->nb_ports], 0, sizeof(app->ports[0]));
		app->ports[app->nb_ports++].id = pid;
	}
	if (app->nb_ports == 0) {
		fprintf(stderr, "%s: no ports (add some with --vdev, e.g. --vdev net_null0)\n",
			app->prgname);
		return -ENODEV;
	}
	rc = pool_create(app);
	if (rc < 0)
		return rc;
	for (uint16_t i = 0; i < app->nb_ports; i++)
		started += fwd_port_start(app, i) == 0;
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

void
fwd_show_port_stats(struct fwd_app *app, uint16_t idx)
{
	struct fwd_port *p = &app->ports[idx];
	struct dpx_eth_stats s;
	uint64_t now = dpx_get_time_ns(), ns = p->last_show_ns ? now - p->last_show_ns : 0;
	FILE *f = app->out;
	int rc = dpx_eth_stats_get(p->id, &s);

	if (rc < 0) {
		fprintf(f, "Port %u: cannot read statistics: %s\n", p->id, dpx_strerror(rc));
		return;
	}
	fprintf(f,
		"  ######################## NIC statistics for port %-2u "
		"########################\n",
		p->id);
	fprintf(f, "  RX-packets: %-14" PRIu64 " RX-missed: %-14" PRIu64 " RX-bytes: %" PRIu64 "\n",
		s.ipackets, s.imissed, s.ibytes);
	fprintf(f, "  RX-errors: %" PRIu64 "\n  RX-nombuf: %" PRIu64 "\n", s.ierrors, s.rx_nombuf);
	fprintf(f, "  TX-packets: %-14" PRIu64 " TX-errors: %-14" PRIu64 " TX-bytes: %" PRIu64 "\n",
		s.opackets, s.oerrors, s.obytes);
	fprintf(f, "\n  Throughput (since last show)\n");
	fprintf(f, "  Rx-pps: %14.0f          Rx-bps: %14.0f\n",
		fwd_rate_per_sec(p->last_show.ipackets, s.ipackets, ns),
		8 * fwd_rate_per_sec(p->last_show.ibytes, s.ibytes, ns));
	fprintf(f, "  Tx-pps: %14.0f          Tx-bps: %14.0f\n",
		fwd_rate_per_sec(p->last_show.opackets, s.opackets, ns),
		8 * fwd_rate_per_sec(p->last_show.obytes, s.obytes, ns));
	fprintf(f,
		"  ############################################################################\n");
	p->last_show = s;
	p->last_show_ns = now;
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
