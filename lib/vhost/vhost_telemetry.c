/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The vhost telemetry commands: the devices, and one device's negotiated
 * features, vrings and guest memory regions. They read under the vhost
 * mutex, as the getters do, so a reply never sees a half-applied message;
 * the ring indexes and counters the data path writes may be a burst behind.
 */
#include <errno.h>

#include <dpx_telemetry.h>

#include "vhost_private.h"

static int
tel_vhost_list(const char *cmd, const char *params, struct dpx_tel_data *d)
{
	int rc;

	(void)cmd, (void)params;
	rc = dpx_tel_data_start_array(d);
	vhost_global_lock();
	for (int vid = 0; vid < DPX_VHOST_MAX_DEVICES && rc == 0; vid++)
		if (vhost_dev_get(vid) != NULL)
			rc = dpx_tel_data_add_array_int(d, vid);
	vhost_global_unlock();
	return rc;
}

static int
vring_fill(struct dpx_tel_data *v, unsigned int index, struct vhost_vq *vq)
{
	struct dpx_vhost_vring_stats st;
	/* through the reader: counters count from the last reset, as the C API's do */
	vhost_vq_stats_read(vq, &st, false);
	const struct dpx_tel_uint f[] = {
		{"index", index},
		{"size", vq->size},
		{"last_avail_idx", vq->last_avail_idx},
		{"last_used_idx", vq->last_used_idx},
		{"packets", st.packets},
		{"bytes", st.bytes},
		{"errors", st.errors},
		{"notifications", st.notifications},
	};
	const struct {
		const char *name;
		bool value;
	} b[] = {
		{"packed", vq->packed}, {"enabled", vq->enabled}, {"ready", vq->ready},
		{"broken", vq->broken}, {"log", vq->log},
	};
	int rc = dpx_tel_data_add_dict_uints(v, f, DPX_DIM(f));

	for (unsigned int i = 0; i < DPX_DIM(b) && rc == 0; i++)
		rc = dpx_tel_data_add_dict_bool(v, b[i].name, b[i].value);
	return rc;
}

static int
vrings_fill(struct dpx_tel_data *d, const struct vhost_dev *dev)
{
	struct dpx_tel_data *a, *v;
	int rc = dpx_tel_data_add_dict_array(d, "vrings", &a);

	for (unsigned int i = 0; i < DPX_VHOST_MAX_VRINGS && rc == 0; i++) {
		if (dev->vq[i] == NULL)
			continue;
		rc = dpx_tel_data_add_array_dict(a, &v);
		if (rc == 0)
			rc = vring_fill(v, i, dev->vq[i]);
	}
	return rc;
}

/* Guest-physical ranges and where the front-end has them; our own addresses stay private. */
static int
regions_fill(struct dpx_tel_data *d, const struct vhost_mem *mem)
{
	struct dpx_tel_data *a, *r;
	int rc = dpx_tel_data_add_dict_array(d, "regions", &a);

	for (uint32_t i = 0; mem != NULL && i < mem->n && rc == 0; i++) {
		const struct vhost_mem_region *m = &mem->regions[i];

		rc = dpx_tel_data_add_array_dict(a, &r);
		if (rc == 0)
			rc = dpx_tel_data_add_dict_uint_hex(r, "guest_phys_addr", m->gpa);
		if (rc == 0)
			rc = dpx_tel_data_add_dict_uint(r, "size", m->size);
		if (rc == 0)
			rc = dpx_tel_data_add_dict_uint_hex(r, "userspace_addr", m->uva);
		if (rc == 0)
			rc = dpx_tel_data_add_dict_uint(r, "mmap_size", m->mmap_size);
	}
	return rc;
}

static int
dev_fill(struct dpx_tel_data *d, const struct vhost_dev *dev)
{
	int rc = dpx_tel_data_add_dict_int(d, "vid", dev->vid);

	if (rc == 0)
		rc = dpx_tel_data_add_dict_string(d, "path", dev->sock->path);
	if (rc == 0)
		rc = dpx_tel_data_add_dict_bool(d, "client",
						(dev->sock->flags & DPX_VHOST_CLIENT) != 0);
	if (rc == 0)
		rc = dpx_tel_data_add_dict_bool(d, "running", dev->running);
	if (rc == 0)
		rc = dpx_tel_data_add_dict_uint_hex(d, "features", dev->features);
	if (rc == 0)
		rc = dpx_tel_data_add_dict_uint_hex(d, "protocol_features", dev->protocol_features);
	if (rc == 0)
		rc = dpx_tel_data_add_dict_uint(d, "status", dev->status);
	if (rc == 0)
		rc = dpx_tel_data_add_dict_uint(d, "mtu", dev->mtu);
	if (rc == 0)
		rc = dpx_tel_data_add_dict_bool(d, "dirty_log", dev->log_base != NULL);
	if (rc == 0)
		rc = vrings_fill(d, dev);
	return rc != 0 ? rc : regions_fill(d, dev->mem);
}

static int
tel_vhost_info(const char *cmd, const char *params, struct dpx_tel_data *d)
{
	const struct vhost_dev *dev;
	uint64_t vid;
	int rc;

	(void)cmd;
	if (dpx_telemetry_param_uint(params, DPX_VHOST_MAX_DEVICES - 1, &vid) != 0)
		return -EINVAL;
	rc = dpx_tel_data_start_dict(d);
	vhost_global_lock();
	dev = vhost_dev_get((int)vid);
	if (dev == NULL)
		rc = -ENODEV;
	else if (rc == 0)
		rc = dev_fill(d, dev);
	vhost_global_unlock();
	return rc;
}

DPX_TELEMETRY_REGISTER("/vhost/list", tel_vhost_list, "vhost-user device ids (vid). No parameter");
DPX_TELEMETRY_REGISTER("/vhost/info", tel_vhost_info,
		       "A device's socket, features, vrings and memory regions. Parameter: vid");
