/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The EAL's telemetry: the stage that opens the socket, and the /eal/
 * commands (the /vfio/ ones are in linux/eal_vfio_telemetry.c).
 */
#include <errno.h>
#include <malloc.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <dpx_malloc.h>
#include <dpx_telemetry.h>

#include "eal_private.h"
#include "telemetry_private.h"

/* A copy of the EAL's arguments: the caller's argv is rearranged after init. */
static pthread_mutex_t params_lock = PTHREAD_MUTEX_INITIALIZER;
static char **params;
static unsigned int param_count;

static void
params_free(void)
{
	pthread_mutex_lock(&params_lock);
	for (unsigned int i = 0; i < param_count; i++)
		free(params[i]);
	free(params);
	params = NULL;
	param_count = 0;
	pthread_mutex_unlock(&params_lock);
}

static int
params_save(const struct eal_options *opts)
{
	unsigned int n = opts->arg_count;

	/* the "--" that ends the EAL's options is not one of them */
	if (n > 0 && strcmp(opts->args[n - 1], "--") == 0)
		n--;
	char **copy = calloc(n + 1, sizeof(*copy));
	if (copy == NULL)
		return -ENOMEM;
	for (unsigned int i = 0; i < n; i++) {
		copy[i] = strdup(opts->args[i]);
		if (copy[i] == NULL) {
			while (i-- > 0)
				free(copy[i]);
			free(copy);
			return -ENOMEM;
		}
	}
	pthread_mutex_lock(&params_lock);
	params = copy;
	param_count = n;
	pthread_mutex_unlock(&params_lock);
	return 0;
}

static int
tel_eal_params(const char *cmd, const char *p, struct dpx_tel_data *d)
{
	int rc;

	(void)cmd, (void)p;
	rc = dpx_tel_data_start_array(d);
	pthread_mutex_lock(&params_lock);
	for (unsigned int i = 0; i < param_count && rc == 0; i++)
		rc = dpx_tel_data_add_array_string(d, params[i]);
	pthread_mutex_unlock(&params_lock);
	return rc;
}

static int
heap_fill(struct dpx_tel_data *d, int socket, const struct dpx_malloc_socket_stats *st)
{
	const struct dpx_tel_uint fields[] = {
		{"total_bytes", st->heap_totalsz_bytes},
		{"free_bytes", st->heap_freesz_bytes},
		{"alloc_bytes", st->heap_allocsz_bytes},
		{"greatest_free_size", st->greatest_free_size},
		{"free_count", st->free_count},
		{"alloc_count", st->alloc_count},
		{"pages_mapped", st->pages_mapped},
		{"grow_count", st->grow_count},
		{"shrink_count", st->shrink_count},
	};
	int rc = dpx_tel_data_add_dict_int(d, "socket", socket);

	return rc != 0 ? rc : dpx_tel_data_add_dict_uints(d, fields, DPX_DIM(fields));
}

/* One heap (parameter: its NUMA node) as a dict, or every heap as an array of them. */
static int
tel_eal_heap_info(const char *cmd, const char *p, struct dpx_tel_data *d)
{
	struct dpx_malloc_socket_stats st;
	struct dpx_tel_data *h;
	uint64_t socket;
	int rc;

	(void)cmd;
	if (p != NULL) {
		if (dpx_telemetry_param_uint(p, DPX_MAX_NUMA_NODES - 1, &socket) != 0)
			return -EINVAL;
		rc = dpx_malloc_get_socket_stats((int)socket, &st);
		if (rc == 0)
			rc = dpx_tel_data_start_dict(d);
		return rc != 0 ? rc : heap_fill(d, (int)socket, &st);
	}
	rc = dpx_tel_data_start_array(d);
	for (int s = 0; s < DPX_MAX_NUMA_NODES && rc == 0; s++) {
		if (dpx_malloc_get_socket_stats(s, &st) != 0)
			continue;
		rc = dpx_tel_data_add_array_dict(d, &h);
		if (rc == 0)
			rc = heap_fill(h, s, &st);
	}
	return rc;
}

/* The C library's heap (malloc), apart from the EAL's: what a leak of the
 * libraries' own bookkeeping would grow (the soak compares it). mallinfo2
 * counts the chunks the per-thread caches hold as in use. */
static int
tel_eal_libc_heap(const char *cmd, const char *p, struct dpx_tel_data *d)
{
	struct mallinfo2 mi = mallinfo2();
	const struct dpx_tel_uint fields[] = {
		{"in_use_bytes", mi.uordblks + mi.hblkhd},
		{"free_bytes", mi.fordblks},
		{"arena_bytes", mi.arena},
		{"mmap_bytes", mi.hblkhd},
		{"mmap_count", mi.hblks},
	};
	int rc = dpx_tel_data_start_dict(d);

	(void)cmd, (void)p;
	return rc != 0 ? rc : dpx_tel_data_add_dict_uints(d, fields, DPX_DIM(fields));
}

DPX_TELEMETRY_REGISTER("/eal/params", tel_eal_params, "The EAL's command-line arguments");
DPX_TELEMETRY_REGISTER("/eal/heap_info", tel_eal_heap_info,
		       "Heap statistics. Parameter: NUMA node (none: every heap)");
DPX_TELEMETRY_REGISTER("/eal/libc_heap", tel_eal_libc_heap,
		       "The C library's malloc heap: bytes in use, free, mapped. No parameter");

int
eal_telemetry_init(const struct eal_options *opts)
{
	cpu_set_t cpus = *eal_lcores_startup_affinity();
	unsigned int lcore;
	int rc;

	if (opts->no_telemetry || opts->in_memory) {
		EAL_LOG(INFO, "no telemetry socket (%s)",
			opts->no_telemetry ? "--no-telemetry" : "--in-memory leaves no files");
		return 0;
	}
	rc = params_save(opts);
	if (rc != 0)
		return rc;
	/* keep the thread off the workers' CPUs (they poll); the main lcore's is fine */
	DPX_LCORE_FOREACH_WORKER (lcore)
		CPU_CLR(dpx_lcore_to_cpu_id(lcore), &cpus);
	if (CPU_COUNT(&cpus) == 0)
		CPU_SET(dpx_lcore_to_cpu_id(dpx_get_main_lcore()), &cpus);
	rc = telemetry_start(dpx_eal_runtime_dir(), &cpus);
	if (rc != 0)
		params_free();
	return rc;
}

void
eal_telemetry_fini(void)
{
	telemetry_stop();
	params_free();
}
