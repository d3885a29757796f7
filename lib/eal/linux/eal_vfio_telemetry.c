/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The VFIO telemetry commands: the open containers, and one container's DMA
 * mapping table, from the public calls (dpx_vfio_container_info and
 * dpx_vfio_container_dma_walk), so a reply says what they say.
 */
#include <errno.h>
#include <stdlib.h>

#include <dpx_telemetry.h>
#include <dpx_vfio.h>

#include "vfio_private.h"

static int
groups_fill(struct dpx_tel_data *c, const struct dpx_vfio_container_info *info)
{
	struct dpx_tel_data *a, *g;
	int rc = dpx_tel_data_add_dict_array(c, "groups", &a);

	for (unsigned int i = 0; i < info->group_count && rc == 0; i++) {
		rc = dpx_tel_data_add_array_dict(a, &g);
		if (rc == 0)
			rc = dpx_tel_data_add_dict_int(g, "group", info->groups[i]);
		if (rc == 0)
			rc = dpx_tel_data_add_dict_uint(g, "devices", info->group_devices[i]);
	}
	return rc;
}

static int
container_fill(struct dpx_tel_data *c, const struct dpx_vfio_container_info *info)
{
	int rc = dpx_tel_data_add_dict_int(c, "fd", info->fd);

	if (rc == 0)
		rc = dpx_tel_data_add_dict_bool(c, "default", info->is_default);
	if (rc == 0)
		rc = dpx_tel_data_add_dict_string(c, "iommu_type",
						  info->iommu_type != NULL ? info->iommu_type : "");
	if (rc == 0)
		rc = dpx_tel_data_add_dict_uint(c, "dma_entries", info->dma_count);
	return rc != 0 ? rc : groups_fill(c, info);
}

static int
tel_vfio_containers(const char *cmd, const char *params, struct dpx_tel_data *d)
{
	struct dpx_vfio_container_info info;
	int fds[VFIO_MAX_CONTAINERS];
	struct dpx_tel_data *c;
	unsigned int n;
	int rc;

	(void)cmd, (void)params;
	rc = dpx_tel_data_start_array(d);
	n = vfio_container_fds(fds);
	for (unsigned int i = 0; i < n && rc == 0; i++) {
		/* a container destroyed since the list was taken is left out */
		if (dpx_vfio_container_info(fds[i], &info) != 0)
			continue;
		rc = dpx_tel_data_add_array_dict(d, &c);
		if (rc == 0)
			rc = container_fill(c, &info);
	}
	return rc;
}

static int
map_entry(uint64_t va, uint64_t iova, uint64_t len, uint64_t chunk, void *arg)
{
	struct dpx_tel_data *e;
	int rc = dpx_tel_data_add_array_dict(arg, &e);

	if (rc == 0)
		rc = dpx_tel_data_add_dict_uint_hex(e, "va", va);
	if (rc == 0)
		rc = dpx_tel_data_add_dict_uint_hex(e, "iova", iova);
	if (rc == 0)
		rc = dpx_tel_data_add_dict_uint(e, "len", len);
	if (rc == 0)
		rc = dpx_tel_data_add_dict_uint(e, "chunk", chunk);
	return rc;
}

/* Parameter: a container fd; none: the default container. */
static int
tel_vfio_maps(const char *cmd, const char *params, struct dpx_tel_data *d)
{
	int fd = DPX_VFIO_DEFAULT_CONTAINER_FD;
	uint64_t v;
	int rc;

	(void)cmd;
	if (params != NULL) {
		if (dpx_telemetry_param_uint(params, INT32_MAX, &v) != 0)
			return -EINVAL;
		fd = (int)v;
	}
	rc = dpx_tel_data_start_array(d);
	return rc != 0 ? rc : dpx_vfio_container_dma_walk(fd, map_entry, d);
}

DPX_TELEMETRY_REGISTER("/vfio/containers", tel_vfio_containers,
		       "Open VFIO containers: fd, IOMMU type, groups, mapping count. No parameter");
DPX_TELEMETRY_REGISTER("/vfio/maps", tel_vfio_maps,
		       "A container's DMA mapping table. Parameter: container fd (none: default)");
