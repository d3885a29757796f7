/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The ethdev telemetry commands: port list, info, statistics and extended
 * statistics, built from the public calls only, so a reply says exactly what
 * dpx_eth_dev_info_get, dpx_eth_stats_get and dpx_eth_xstats_get say.
 *
 * They run on the telemetry thread while the application configures,
 * closes and detaches ports from its own: each reply is built under the
 * port lock (ethdev_ports_lock), which every call that frees what these
 * read takes, and only ports whose probe has finished are shown.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include <dpx_telemetry.h>

#include "ethdev_private.h"

/* A port telemetry may look at: probed (a port still ATTACHED may have no ops yet). */
static bool
port_shown(uint16_t port)
{
	const struct dpx_eth_dev *dev = dpx_eth_dev_get(port);

	return dev != NULL && dev->state == DPX_ETH_DEV_READY;
}

static int
port_param(const char *params, uint16_t *port)
{
	uint64_t v;

	if (dpx_telemetry_param_uint(params, DPX_MAX_ETHPORTS - 1, &v) != 0)
		return -EINVAL;
	*port = (uint16_t)v;
	return port_shown(*port) ? 0 : -ENODEV;
}

/* The port the parameter names and its info (queue counts size the per-queue arrays). */
static int
port_info(const char *params, uint16_t *port, struct dpx_eth_dev_info *info)
{
	int rc = port_param(params, port);

	return rc != 0 ? rc : dpx_eth_dev_info_get(*port, info);
}

static int
tel_ethdev_list(const char *cmd, const char *params, struct dpx_tel_data *d)
{
	uint16_t port;
	int rc;

	(void)cmd, (void)params;
	rc = dpx_tel_data_start_array(d);
	DPX_ETH_FOREACH_DEV (port) {
		if (rc == 0 && port_shown(port))
			rc = dpx_tel_data_add_array_int(d, port);
	}
	return rc;
}

static int
info_link_mac(struct dpx_tel_data *d, uint16_t port)
{
	struct dpx_ether_addr mac;
	struct dpx_eth_link link;
	char buf[64];
	uint16_t mtu;
	int rc;

	rc = dpx_eth_dev_get_mtu(port, &mtu);
	if (rc == 0)
		rc = dpx_tel_data_add_dict_uint(d, "mtu", mtu);
	if (rc == 0 && dpx_eth_macaddr_get(port, &mac) == 0) {
		dpx_ether_format_addr(buf, sizeof(buf), &mac);
		rc = dpx_tel_data_add_dict_string(d, "mac_addr", buf);
	}
	if (rc == 0 && dpx_eth_link_get_nowait(port, &link) == 0) {
		rc = dpx_tel_data_add_dict_string(d, "link_status",
						  link.link_status ? "up" : "down");
		if (rc == 0)
			rc = dpx_tel_data_add_dict_uint(d, "link_speed", link.link_speed);
	}
	if (rc == 0)
		rc = dpx_tel_data_add_dict_bool(d, "started", dpx_eth_dev_is_started(port) == 1);
	if (rc == 0)
		rc = dpx_tel_data_add_dict_bool(d, "promiscuous",
						dpx_eth_promiscuous_get(port) == 1);
	return rc;
}

static int
tel_ethdev_info(const char *cmd, const char *params, struct dpx_tel_data *d)
{
	struct dpx_eth_dev_info info;
	char name[DPX_ETH_NAME_MAX_LEN];
	uint16_t port;
	int rc;

	(void)cmd;
	rc = port_info(params, &port, &info);
	if (rc == 0)
		rc = dpx_eth_dev_get_name_by_port(port, name);
	if (rc != 0)
		return rc;
	const struct dpx_tel_uint f[] = {
		{"port_id", port},
		{"if_index", info.if_index},
		{"min_mtu", info.min_mtu},
		{"max_mtu", info.max_mtu},
		{"max_rx_pktlen", info.max_rx_pktlen},
		{"max_rx_queues", info.max_rx_queues},
		{"max_tx_queues", info.max_tx_queues},
		{"nb_rx_queues", info.nb_rx_queues},
		{"nb_tx_queues", info.nb_tx_queues},
		{"rx_desc_max", info.rx_desc_max},
		{"tx_desc_max", info.tx_desc_max},
		{"speed_capa", info.speed_capa},
	};
	rc = dpx_tel_data_start_dict(d);
	if (rc == 0)
		rc = dpx_tel_data_add_dict_string(d, "name", name);
	if (rc == 0)
		rc = dpx_tel_data_add_dict_string(d, "driver_name", info.driver_name);
	if (rc == 0)
		rc = dpx_tel_data_add_dict_int(d, "numa_node", info.numa_node);
	if (rc == 0)
		rc = dpx_tel_data_add_dict_uints(d, f, DPX_DIM(f));
	if (rc == 0)
		rc = dpx_tel_data_add_dict_uint_hex(d, "rx_offload_capa", info.rx_offload_capa);
	if (rc == 0)
		rc = dpx_tel_data_add_dict_uint_hex(d, "tx_offload_capa", info.tx_offload_capa);
	return rc != 0 ? rc : info_link_mac(d, port);
}

/* "q_ipackets": [per queue], as many entries as the port has queues (capped as stats are) */
static int
add_queue_array(struct dpx_tel_data *d, const char *name, const uint64_t *v, unsigned int n)
{
	struct dpx_tel_data *a;
	int rc = dpx_tel_data_add_dict_array(d, name, &a);

	for (unsigned int q = 0; q < n && rc == 0; q++)
		rc = dpx_tel_data_add_array_uint(a, v[q]);
	return rc;
}

static int
tel_ethdev_stats(const char *cmd, const char *params, struct dpx_tel_data *d)
{
	struct dpx_eth_dev_info info;
	struct dpx_eth_stats st;
	uint16_t port;
	int rc;

	(void)cmd;
	rc = port_info(params, &port, &info);
	if (rc == 0)
		rc = dpx_eth_stats_get(port, &st);
	if (rc != 0)
		return rc;
	const struct dpx_tel_uint f[] = {
		{"ipackets", st.ipackets}, {"opackets", st.opackets},	{"ibytes", st.ibytes},
		{"obytes", st.obytes},	   {"imissed", st.imissed},	{"ierrors", st.ierrors},
		{"oerrors", st.oerrors},   {"rx_nombuf", st.rx_nombuf},
	};
	unsigned int nrx = DPX_MIN(info.nb_rx_queues, DPX_ETHDEV_QUEUE_STAT_CNTRS);
	unsigned int ntx = DPX_MIN(info.nb_tx_queues, DPX_ETHDEV_QUEUE_STAT_CNTRS);
	rc = dpx_tel_data_start_dict(d);
	if (rc == 0)
		rc = dpx_tel_data_add_dict_uints(d, f, DPX_DIM(f));
	if (rc == 0)
		rc = add_queue_array(d, "q_ipackets", st.q_ipackets, nrx);
	if (rc == 0)
		rc = add_queue_array(d, "q_opackets", st.q_opackets, ntx);
	if (rc == 0)
		rc = add_queue_array(d, "q_ibytes", st.q_ibytes, nrx);
	if (rc == 0)
		rc = add_queue_array(d, "q_obytes", st.q_obytes, ntx);
	if (rc == 0)
		rc = add_queue_array(d, "q_errors", st.q_errors, nrx);
	return rc;
}

static int
xstats_fill(struct dpx_tel_data *d, uint16_t port, unsigned int n)
{
	struct dpx_eth_xstat_name *names;
	struct dpx_eth_xstat *values;
	int rc, got;

	rc = dpx_tel_data_start_dict(d);
	if (rc != 0 || n == 0)
		return rc;
	names = calloc(n, sizeof(*names));
	values = calloc(n, sizeof(*values));
	rc = names != NULL && values != NULL ? dpx_eth_xstats_get_names(port, names, n) : -ENOMEM;
	got = rc >= 0 ? dpx_eth_xstats_get(port, values, n) : rc;
	if (rc >= 0 && ((unsigned int)rc != n || (unsigned int)got != n))
		rc = got < 0 ? got : -EAGAIN; /* the port changed between the calls */
	else
		rc = rc < 0 ? rc : 0;
	for (unsigned int i = 0; i < n && rc == 0; i++)
		rc = dpx_tel_data_add_dict_uint(d, names[i].name, values[i].value);
	free(names);
	free(values);
	return rc;
}

static int
tel_ethdev_xstats(const char *cmd, const char *params, struct dpx_tel_data *d)
{
	uint16_t port;
	int rc;

	(void)cmd;
	rc = port_param(params, &port);
	if (rc == 0)
		rc = dpx_eth_xstats_get_names(port, NULL, 0);
	return rc < 0 ? rc : xstats_fill(d, port, (unsigned int)rc);
}

/* Register fn as cmd, run under the port lock. */
#define ETHDEV_TEL_REGISTER(cmd, fn, help)                                                         \
	static int fn##_locked(const char *c, const char *params, struct dpx_tel_data *d)         \
	{                                                                                          \
		return PORTS_LOCKED(fn(c, params, d));                                             \
	}                                                                                          \
	DPX_TELEMETRY_REGISTER(cmd, fn##_locked, help)

ETHDEV_TEL_REGISTER("/ethdev/list", tel_ethdev_list, "Port ids. No parameter");
ETHDEV_TEL_REGISTER("/ethdev/info", tel_ethdev_info,
		    "Port name, driver, limits, queues, offloads, link. Parameter: port id");
ETHDEV_TEL_REGISTER("/ethdev/stats", tel_ethdev_stats,
		    "Port statistics (per queue too). Parameter: port id");
ETHDEV_TEL_REGISTER("/ethdev/xstats", tel_ethdev_xstats,
		    "Port extended statistics, by name. Parameter: port id");
