/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The page pool telemetry commands: /page_pool/list (the pools' names) and
 * /page_pool/info,<name> (state and counters). Both read a pool inside the
 * list's walk, under its lock, so a pool being destroyed (removed from the
 * list first) is never read after it goes.
 */
#include <errno.h>
#include <string.h>

#include <dpx_telemetry.h>

#include "page_pool_private.h"

struct list_arg {
	int rc;
	struct dpx_tel_data *d;
};

static void
list_one(struct dpx_page_pool *pp, void *arg)
{
	struct list_arg *a = arg;

	if (a->rc == 0)
		a->rc = dpx_tel_data_add_array_string(a->d, pp->name);
}

static int
tel_page_pool_list(const char *cmd, const char *params, struct dpx_tel_data *d)
{
	struct list_arg a = {dpx_tel_data_start_array(d), d};

	(void)cmd, (void)params;
	dpx_page_pool_walk(list_one, &a);
	return a.rc;
}

struct info_arg {
	const char *name;
	struct dpx_tel_data *d;
	int rc; /* -ENOENT until the pool is found */
};

static int
info_fill(struct dpx_page_pool *pp, struct dpx_tel_data *d)
{
	struct dpx_page_pool_info info;
	struct dpx_page_pool_stats st;
	struct dpx_tel_uint f[DPX_PAGE_POOL_NB_STATS];
	struct dpx_tel_data *counters;
	int rc;

	dpx_page_pool_info_get(pp, &info);
	dpx_page_pool_stats_get(pp, &st);
	for (unsigned int i = 0; i < DPX_PAGE_POOL_NB_STATS; i++)
		f[i] = (struct dpx_tel_uint){dpx_page_pool_stat_name(i),
					     ((const uint64_t *)&st)[i]};
	rc = dpx_tel_data_start_dict(d);
	if (rc == 0)
		rc = dpx_tel_data_add_dict_string(d, "name", info.name);
	if (rc == 0)
		rc = dpx_tel_data_add_dict_string(d, "mempool", dpx_mempool_get_name(info.mp));
	struct dpx_tel_uint levels[] = {
		{"size", info.size},
		{"cache_count", info.cache_count},
		{"ring_count", info.ring_count},
		{"home_id", info.home_id},
	};
	if (rc == 0)
		rc = dpx_tel_data_add_dict_uints(d, levels, DPX_DIM(levels));
	if (rc == 0)
		rc = dpx_tel_data_add_dict_int(
			d, "owner_lcore",
			info.owner_lcore == DPX_LCORE_ID_ANY ? -1 : (int64_t)info.owner_lcore);
	if (rc == 0)
		rc = dpx_tel_data_add_dict_bool(d, "active", info.active);
	if (rc == 0)
		rc = dpx_tel_data_add_dict_dict(d, "counters", &counters);
	if (rc == 0)
		rc = dpx_tel_data_add_dict_uints(counters, f, DPX_PAGE_POOL_NB_STATS);
	return rc;
}

static void
info_one(struct dpx_page_pool *pp, void *arg)
{
	struct info_arg *a = arg;

	if (a->rc == -ENOENT && strcmp(pp->name, a->name) == 0)
		a->rc = info_fill(pp, a->d);
}

static int
tel_page_pool_info(const char *cmd, const char *params, struct dpx_tel_data *d)
{
	struct info_arg a = {params, d, -ENOENT};

	(void)cmd;
	if (params == NULL || params[0] == '\0')
		return -EINVAL;
	dpx_page_pool_walk(info_one, &a);
	return a.rc;
}

DPX_TELEMETRY_REGISTER("/page_pool/list", tel_page_pool_list, "Page pool names. No parameter");
DPX_TELEMETRY_REGISTER("/page_pool/info", tel_page_pool_info,
		       "A page pool's state and counters. Parameter: pool name");
