/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The dmadev telemetry commands: the devices, one device's description and
 * its job counters, built from the public calls only, so a reply says
 * exactly what dpx_dma_info_get, dpx_dma_container_get and
 * dpx_dma_stats_get say (DPDK's /dmadev/list, /dmadev/info, /dmadev/stats).
 */
#include <errno.h>

#include <dpx_telemetry.h>

#include "dpx_dmadev.h"

static int
dev_param(const char *params, int16_t *id)
{
	uint64_t v;

	if (dpx_telemetry_param_uint(params, DPX_DMADEV_MAX_DEVS - 1, &v) != 0)
		return -EINVAL;
	*id = (int16_t)v;
	return dpx_dma_is_valid(*id) ? 0 : -ENODEV;
}

static int
tel_dmadev_list(const char *cmd, const char *params, struct dpx_tel_data *d)
{
	int16_t id;
	int rc;

	(void)cmd, (void)params;
	rc = dpx_tel_data_start_array(d);
	DPX_DMA_FOREACH_DEV(id)
	{
		if (rc == 0)
			rc = dpx_tel_data_add_array_int(d, id);
	}
	return rc;
}

static int
capabilities_fill(struct dpx_tel_data *d, uint64_t capa)
{
	struct dpx_tel_data *a;
	int rc = dpx_tel_data_add_dict_uint_hex(d, "dev_capa", capa);

	if (rc == 0)
		rc = dpx_tel_data_add_dict_array(d, "capabilities", &a);
	for (unsigned int bit = 0; bit < 64 && rc == 0; bit++) {
		const char *name = dpx_dma_capability_name(UINT64_C(1) << bit);

		if ((capa >> bit) & 1 && name != NULL)
			rc = dpx_tel_data_add_array_string(a, name);
	}
	return rc;
}

static int
tel_dmadev_info(const char *cmd, const char *params, struct dpx_tel_data *d)
{
	struct dpx_dma_info info;
	int16_t id = -1;
	int fd, rc;

	(void)cmd;
	rc = dev_param(params, &id);
	if (rc == 0)
		rc = dpx_dma_info_get(id, &info);
	if (rc != 0)
		return rc;
	const struct dpx_tel_uint f[] = {
		{"max_vchans", info.max_vchans},
		{"nb_vchans", info.nb_vchans},
		{"min_desc", info.min_desc},
		{"max_desc", info.max_desc},
	};
	rc = dpx_tel_data_start_dict(d);
	if (rc == 0)
		rc = dpx_tel_data_add_dict_int(d, "dev_id", id);
	if (rc == 0)
		rc = dpx_tel_data_add_dict_string(d, "name", info.dev_name);
	if (rc == 0)
		rc = dpx_tel_data_add_dict_string(d, "driver_name", info.driver_name);
	if (rc == 0)
		rc = dpx_tel_data_add_dict_int(d, "numa_node", info.numa_node);
	if (rc == 0)
		rc = dpx_tel_data_add_dict_uints(d, f, DPX_DIM(f));
	if (rc == 0)
		rc = capabilities_fill(d, info.dev_capa);
	/* the VFIO container its IOVAs go through (-1 is the default one) */
	if (rc == 0 && dpx_dma_container_get(id, &fd) == 0)
		rc = dpx_tel_data_add_dict_int(d, "container_fd", fd);
	return rc;
}

static int
stats_fill(struct dpx_tel_data *d, const struct dpx_dma_stats *st)
{
	const struct dpx_tel_uint f[] = {
		{"submitted", st->submitted},
		{"completed", st->completed},
		{"errors", st->errors},
	};

	return dpx_tel_data_add_dict_uints(d, f, DPX_DIM(f));
}

static int
tel_dmadev_stats(const char *cmd, const char *params, struct dpx_tel_data *d)
{
	struct dpx_tel_data *a, *v;
	struct dpx_dma_stats st;
	struct dpx_dma_info info = {0};
	int16_t id = -1;
	int rc;

	(void)cmd;
	rc = dev_param(params, &id);
	if (rc == 0)
		rc = dpx_dma_info_get(id, &info);
	if (rc == 0)
		rc = dpx_dma_stats_get(id, DPX_DMA_ALL_VCHAN, &st);
	if (rc == 0)
		rc = dpx_tel_data_start_dict(d);
	if (rc == 0)
		rc = stats_fill(d, &st);
	if (rc == 0)
		rc = dpx_tel_data_add_dict_array(d, "vchans", &a);
	for (uint16_t vc = 0; vc < info.nb_vchans && rc == 0; vc++) {
		rc = dpx_dma_stats_get(id, vc, &st);
		if (rc == 0)
			rc = dpx_tel_data_add_array_dict(a, &v);
		if (rc == 0)
			rc = dpx_tel_data_add_dict_int(v, "vchan", vc);
		if (rc == 0)
			rc = stats_fill(v, &st);
	}
	return rc;
}

DPX_TELEMETRY_REGISTER("/dmadev/list", tel_dmadev_list, "DMA device ids. No parameter");
DPX_TELEMETRY_REGISTER("/dmadev/info", tel_dmadev_info,
		       "A DMA device's name, driver, vchans, ring sizes, capabilities and VFIO "
		       "container. Parameter: device id");
DPX_TELEMETRY_REGISTER("/dmadev/stats", tel_dmadev_stats,
		       "A DMA device's job counters, in all and per vchan. Parameter: device id");
