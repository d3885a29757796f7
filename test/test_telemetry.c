/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Telemetry: the reply builder and request handler as units; then the
 * socket of a live EAL, every command's JSON parsed and checked against what
 * the C API returns (ports with traffic, a vhost-user guest, VFIO containers
 * on the fake kernel); many clients at once, one that never reads, the
 * client limit; --no-telemetry; and usertools/dpx-telemetry against it.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>

#include <dpx_bus_vdev.h>
#include <dpx_ethdev.h>
#include <dpx_ethdev_driver.h>
#include <dpx_lcore.h>
#include <dpx_malloc.h>
#include <dpx_mbuf.h>
#include <dpx_mempool.h>
#include <dpx_page_pool.h>
#include <dpx_telemetry.h>
#include <dpx_vhost.h>
#include <dpx_vfio.h>

#include "dpx_test.h"
#include "telemetry_client.h"
#include "telemetry_private.h"
#include "test_ethdev_util.h"
#include "vfio_kernel_fake.h"
#include "vhost_frontend.h"

/* ---- units: builder, registration, request parsing ---- */

static json_t *
reply_json(const char *req)
{
	size_t len;
	char *text = telemetry_reply(req, strlen(req), &len);
	json_t *j = text != NULL ? json_loadb(text, len, 0, NULL) : NULL;

	free(text);
	return j;
}

/* The errno of an error reply (0 when it is not one). */
static int
reply_errno(const char *req)
{
	json_t *j = reply_json(req);
	long long e = jint(json_object_get(j, "error"), "errno");

	json_decref(j);
	return e < 0 ? 0 : (int)e;
}

static int
tel_big(const char *cmd, const char *params, struct dpx_tel_data *d)
{
	(void)cmd, (void)params;
	int rc = dpx_tel_data_start_array(d);
	for (unsigned int i = 0; i < DPX_TELEMETRY_MAX_OUTPUT / 8 && rc == 0; i++)
		rc = dpx_tel_data_add_array_string(d, "0123456789");
	return rc;
}

static int
tel_fail(const char *cmd, const char *params, struct dpx_tel_data *d)
{
	(void)cmd, (void)params;
	dpx_tel_data_start_dict(d);
	return -ENOTSUP;
}

/* Echo the parameters; also exercises nesting. */
static int
tel_echo(const char *cmd, const char *params, struct dpx_tel_data *d)
{
	struct dpx_tel_data *a, *o;
	int rc = dpx_tel_data_start_dict(d);

	(void)cmd;
	if (rc == 0)
		rc = dpx_tel_data_add_dict_string(d, "params", params != NULL ? params : "(none)");
	if (rc == 0)
		rc = dpx_tel_data_add_dict_array(d, "list", &a);
	if (rc == 0)
		rc = dpx_tel_data_add_array_dict(a, &o);
	if (rc == 0)
		rc = dpx_tel_data_add_dict_uint(o, "max", INT64_MAX);
	if (rc == 0)
		rc = dpx_tel_data_add_dict_int(o, "neg", -5);
	return rc;
}

static void
register_test_commands(void)
{
	/* a second call in one process finds them registered */
	dpx_telemetry_register_cmd("/test/big", tel_big, "a reply longer than max_output_len");
	dpx_telemetry_register_cmd("/test/fail", tel_fail, "fails with ENOTSUP");
	dpx_telemetry_register_cmd("/test/echo", tel_echo, "echoes its parameters");
}

static int
builder_errors(void)
{
	struct dpx_tel_data d, *child;
	json_t *j;

	telemetry_data_init(&d);
	DPX_TEST_ASSERT_EQUAL(dpx_tel_data_add_dict_int(&d, "a", 1), -EINVAL, "not started");
	DPX_TEST_ASSERT_EQUAL(dpx_tel_data_start_dict(&d), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_tel_data_start_array(&d), -EINVAL, "second start");
	DPX_TEST_ASSERT_EQUAL(dpx_tel_data_add_array_int(&d, 1), -EINVAL, "array call on a dict");
	DPX_TEST_ASSERT_EQUAL(dpx_tel_data_add_dict_int(&d, "", 1), -EINVAL, "empty name");
	DPX_TEST_ASSERT_EQUAL(dpx_tel_data_add_dict_int(&d, NULL, 1), -EINVAL, "no name");
	DPX_TEST_ASSERT_EQUAL(dpx_tel_data_add_dict_int(&d, "a", 1), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_tel_data_add_dict_int(&d, "a", 2), -EEXIST, "");
	DPX_TEST_ASSERT_EQUAL(dpx_tel_data_add_dict_uint(&d, "big", (uint64_t)INT64_MAX + 1),
			      -ERANGE, "");
	DPX_TEST_ASSERT_EQUAL(dpx_tel_data_add_dict_string(&d, "s", "\xff\xfe"), -EINVAL,
			      "not UTF-8");
	DPX_TEST_ASSERT_EQUAL(dpx_tel_data_add_dict_string(&d, "\xc3", "x"), -EINVAL, "key");
	DPX_TEST_ASSERT_EQUAL(dpx_tel_data_add_dict_string(&d, "n", NULL), -EINVAL, "");
	DPX_TEST_ASSERT_EQUAL(dpx_tel_data_add_dict_uint_hex(&d, "h", UINT64_MAX), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_tel_data_add_dict_array(&d, "arr", &child), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_tel_data_add_dict_int(child, "x", 1), -EINVAL,
			      "dict call on array");
	DPX_TEST_ASSERT_EQUAL(dpx_tel_data_start_dict(child), -EINVAL, "a container is started");
	DPX_TEST_ASSERT_EQUAL(dpx_tel_data_add_array_uint(child, 7), 0, "");
	j = telemetry_data_take(&d);
	DPX_TEST_ASSERT_EQUAL(jint(j, "a"), 1, "");
	DPX_TEST_ASSERT(strcmp(jstr(j, "h"), "0xffffffffffffffff") == 0, "%s", jstr(j, "h"));
	DPX_TEST_ASSERT_EQUAL(json_object_size(j), 3, "refused values left nothing behind");
	DPX_TEST_ASSERT_EQUAL(json_integer_value(json_array_get(json_object_get(j, "arr"), 0)), 7,
			      "");
	json_decref(j);
	return DPX_TEST_SUCCESS;
}

static int
registration_errors(void)
{
	char long_name[DPX_TELEMETRY_MAX_CMD_LEN + 1], long_help[DPX_TELEMETRY_MAX_HELP_LEN + 1];

	memset(long_name, 'a', sizeof(long_name) - 1);
	long_name[0] = '/';
	long_name[sizeof(long_name) - 1] = '\0';
	memset(long_help, 'h', sizeof(long_help) - 1);
	long_help[sizeof(long_help) - 1] = '\0';
	dpx_log_set_level(telemetry_logtype, DPX_LOG_EMERG);
	DPX_TEST_ASSERT_EQUAL(dpx_telemetry_register_cmd("nope", tel_echo, "h"), -EINVAL, "");
	DPX_TEST_ASSERT_EQUAL(dpx_telemetry_register_cmd("/a b", tel_echo, "h"), -EINVAL, "");
	DPX_TEST_ASSERT_EQUAL(dpx_telemetry_register_cmd(long_name, tel_echo, "h"), -EINVAL, "");
	DPX_TEST_ASSERT_EQUAL(dpx_telemetry_register_cmd("/t/x", tel_echo, long_help), -EINVAL, "");
	DPX_TEST_ASSERT_EQUAL(dpx_telemetry_register_cmd("/t/x", NULL, "h"), -EINVAL, "");
	DPX_TEST_ASSERT_EQUAL(dpx_telemetry_register_cmd(NULL, tel_echo, "h"), -EINVAL, "");
	DPX_TEST_ASSERT_EQUAL(dpx_telemetry_register_cmd("/info", tel_echo, "h"), -EEXIST, "");
	dpx_log_set_level(telemetry_logtype, DPX_LOG_NOTICE);
	uint64_t v;
	DPX_TEST_ASSERT_EQUAL(dpx_telemetry_param_uint("12", 12, &v), 0, "");
	DPX_TEST_ASSERT_EQUAL(v, 12, "");
	DPX_TEST_ASSERT_EQUAL(dpx_telemetry_param_uint("13", 12, &v), -EINVAL, "above max");
	DPX_TEST_ASSERT_EQUAL(dpx_telemetry_param_uint("1x", 12, &v), -EINVAL, "");
	DPX_TEST_ASSERT_EQUAL(dpx_telemetry_param_uint("-1", 12, &v), -EINVAL, "");
	DPX_TEST_ASSERT_EQUAL(dpx_telemetry_param_uint(NULL, 12, &v), -EINVAL, "");
	return DPX_TEST_SUCCESS;
}

static int
test_telemetry_units(void)
{
	char big[DPX_TELEMETRY_MAX_REQUEST + 2];
	json_t *j;

	DPX_TEST_RUN(builder_errors());
	DPX_TEST_RUN(registration_errors());
	register_test_commands();
	DPX_TEST_ASSERT_EQUAL(reply_errno("/no/such"), ENOENT, "unknown command");
	DPX_TEST_ASSERT_EQUAL(reply_errno("info"), EINVAL, "no leading /");
	DPX_TEST_ASSERT_EQUAL(reply_errno(""), EINVAL, "empty");
	DPX_TEST_ASSERT_EQUAL(reply_errno("/in fo"), EINVAL, "a space");
	DPX_TEST_ASSERT_EQUAL(reply_errno("/test/fail"), ENOTSUP, "the handler's error");
	DPX_TEST_ASSERT_EQUAL(reply_errno("/test/big"), EMSGSIZE, "reply too long");
	DPX_TEST_ASSERT_EQUAL(reply_errno("/help,/no/such"), ENOENT, "");
	memset(big, 'x', sizeof(big));
	memcpy(big, "/info,", 6);
	big[DPX_TELEMETRY_MAX_REQUEST] = '\0';
	DPX_TEST_ASSERT_EQUAL(reply_errno(big), 0, "the longest request is served");
	big[DPX_TELEMETRY_MAX_REQUEST] = 'x';
	big[DPX_TELEMETRY_MAX_REQUEST + 1] = '\0';
	DPX_TEST_ASSERT_EQUAL(reply_errno(big), EMSGSIZE, "one byte over");
	size_t len;
	char *text = telemetry_reply("/info\0x", 7, &len);
	j = json_loads(text, 0, NULL);
	DPX_TEST_ASSERT_EQUAL(jint(json_object_get(j, "error"), "errno"), EINVAL, "a NUL inside");
	json_decref(j);
	free(text);
	/* the error object: cmd: null, and errno, name, message */
	j = reply_json("/test/fail,3");
	DPX_TEST_ASSERT(json_is_null(json_object_get(j, "/test/fail")), "");
	DPX_TEST_ASSERT(strcmp(jstr(json_object_get(j, "error"), "name"), "ENOTSUP") == 0, "");
	json_decref(j);
	j = reply_json("/test/echo,a,b");
	json_t *e = json_object_get(j, "/test/echo");
	DPX_TEST_ASSERT(strcmp(jstr(e, "params"), "a,b") == 0, "all after the first comma");
	json_t *o = json_array_get(json_object_get(e, "list"), 0);
	DPX_TEST_ASSERT_EQUAL(jint(o, "max"), INT64_MAX, "");
	DPX_TEST_ASSERT_EQUAL(jint(o, "neg"), -5, "");
	json_decref(j);
	j = reply_json("/test/echo,");
	DPX_TEST_ASSERT(strcmp(jstr(json_object_get(j, "/test/echo"), "params"), "(none)") == 0,
			"an empty parameter is none");
	json_decref(j);
	return DPX_TEST_SUCCESS;
}
DPX_TEST_REGISTER(telemetry_units, fast, test_telemetry_units);

/* ---- every command against the C API ---- */

/* tel_client_query, the reply printed (shortened) for the log */
static json_t *
query(int fd, const char *req, json_t **top)
{
	json_t *v = tel_client_query(fd, req, top);
	char *text = *top != NULL ? json_dumps(*top, JSON_COMPACT) : NULL;

	printf("%s -> %.1000s%s\n", req, text != NULL ? text : "(no reply)",
	       text != NULL && strlen(text) > 1000 ? "..." : "");
	free(text);
	return v;
}

static int
check_list_and_help(int fd)
{
	static const char *const expected[] = {
		"/",
		"/help",
		"/info",
		"/eal/params",
		"/eal/heap_info",
		"/eal/libc_heap",
		"/ethdev/list",
		"/ethdev/info",
		"/ethdev/stats",
		"/ethdev/xstats",
		"/vhost/list",
		"/vhost/info",
		"/vfio/containers",
		"/vfio/maps",
		"/page_pool/list",
		"/page_pool/info",
	};
	json_t *top, *v = query(fd, "/", &top);
	size_t i, j;

	DPX_TEST_ASSERT(json_is_array(v), "/ lists the commands");
	for (i = 0; i < DPX_DIM(expected); i++) {
		for (j = 0; j < json_array_size(v); j++)
			if (strcmp(json_string_value(json_array_get(v, j)), expected[i]) == 0)
				break;
		DPX_TEST_ASSERT(j < json_array_size(v), "%s listed", expected[i]);
	}
	json_decref(top);
	v = query(fd, "/help,/ethdev/stats", &top);
	DPX_TEST_ASSERT(strstr(jstr(v, "/ethdev/stats"), "port id") != NULL, "help text");
	DPX_TEST_ASSERT_EQUAL(json_object_size(v), 1, "only the one asked for");
	json_decref(top);
	v = query(fd, "/info", &top);
	DPX_TEST_ASSERT_EQUAL(jint(v, "pid"), getpid(), "");
	DPX_TEST_ASSERT_EQUAL(jint(v, "max_output_len"), DPX_TELEMETRY_MAX_OUTPUT, "");
	DPX_TEST_ASSERT(strcmp(jstr(v, "version"), "dpx " DPX_VERSION) == 0, "");
	json_decref(top);
	return DPX_TEST_SUCCESS;
}

static int
check_eal(int fd, const char *vdev_arg)
{
	struct dpx_malloc_socket_stats st;
	json_t *top, *v = query(fd, "/eal/params", &top);
	bool found = false;

	DPX_TEST_ASSERT(json_is_array(v), "");
	DPX_TEST_ASSERT(strcmp(json_string_value(json_array_get(v, 0)), "--no-huge") == 0, "");
	for (size_t i = 0; i < json_array_size(v); i++)
		found |= strcmp(json_string_value(json_array_get(v, i)), vdev_arg) == 0;
	DPX_TEST_ASSERT(found, "the --vdev argument is among the parameters");
	json_decref(top);
	/* the telemetry thread uses the C heap, not the EAL's: the heap stays put */
	v = query(fd, "/eal/heap_info,0", &top);
	DPX_TEST_ASSERT_EQUAL(dpx_malloc_get_socket_stats(0, &st), 0, "");
	DPX_TEST_ASSERT_EQUAL(jint(v, "socket"), 0, "");
	DPX_TEST_ASSERT_EQUAL(jint(v, "total_bytes"), st.heap_totalsz_bytes, "");
	DPX_TEST_ASSERT_EQUAL(jint(v, "free_bytes"), st.heap_freesz_bytes, "");
	DPX_TEST_ASSERT_EQUAL(jint(v, "alloc_bytes"), st.heap_allocsz_bytes, "");
	DPX_TEST_ASSERT_EQUAL(jint(v, "alloc_count"), st.alloc_count, "");
	DPX_TEST_ASSERT_EQUAL(jint(v, "free_count"), st.free_count, "");
	DPX_TEST_ASSERT_EQUAL(jint(v, "greatest_free_size"), st.greatest_free_size, "");
	DPX_TEST_ASSERT_EQUAL(jint(v, "pages_mapped"), st.pages_mapped, "");
	DPX_TEST_ASSERT_EQUAL(jint(v, "grow_count"), st.grow_count, "");
	json_decref(top);
	v = query(fd, "/eal/heap_info", &top);
	DPX_TEST_ASSERT(json_is_array(v) && json_array_size(v) >= 1, "every heap");
	DPX_TEST_ASSERT_EQUAL(jint(json_array_get(v, 0), "alloc_bytes"), st.heap_allocsz_bytes, "");
	json_decref(top);
	/* the C library's heap: a 64 MiB block (mmapped by malloc at any threshold) shows */
	long long in_use, mapped;
	v = query(fd, "/eal/libc_heap", &top);
	in_use = jint(v, "in_use_bytes");
	mapped = jint(v, "mmap_bytes");
	DPX_TEST_ASSERT(in_use >= 0 && mapped >= 0 && jint(v, "free_bytes") >= 0 &&
				jint(v, "arena_bytes") >= 0 && jint(v, "mmap_count") >= 0,
			"");
	json_decref(top);
	if (in_use == 0) {
		/* ASan's malloc answers mallinfo2 with zeros */
		printf("/eal/libc_heap: all zero, malloc is not the C library's (a sanitizer?)\n");
	} else {
		void *block = malloc(64 << 20);
		DPX_TEST_ASSERT(block != NULL, "");
		v = query(fd, "/eal/libc_heap", &top);
		DPX_TEST_ASSERT(jint(v, "in_use_bytes") >= in_use + (64 << 20), "");
		DPX_TEST_ASSERT(jint(v, "mmap_bytes") >= mapped + (64 << 20), "");
		json_decref(top);
		free(block);
	}
	v = query(fd, "/eal/heap_info,x", &top);
	DPX_TEST_ASSERT(v != NULL && json_is_null(v), "a bad parameter");
	DPX_TEST_ASSERT_EQUAL(jint(json_object_get(top, "error"), "errno"), EINVAL, "");
	json_decref(top);
	return DPX_TEST_SUCCESS;
}

static int
check_ethdev_port(int fd, uint16_t port)
{
	struct dpx_eth_xstat_name names[256];
	struct dpx_eth_xstat values[256];
	struct dpx_eth_dev_info info;
	struct dpx_eth_stats st;
	char req[64], name[DPX_ETH_NAME_MAX_LEN];
	json_t *top, *v;

	DPX_TEST_ASSERT_EQUAL(dpx_eth_dev_info_get(port, &info), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_dev_get_name_by_port(port, name), 0, "");
	snprintf(req, sizeof(req), "/ethdev/info,%u", port);
	v = query(fd, req, &top);
	DPX_TEST_ASSERT(strcmp(jstr(v, "name"), name) == 0, "%s", jstr(v, "name"));
	DPX_TEST_ASSERT(strcmp(jstr(v, "driver_name"), info.driver_name) == 0, "");
	DPX_TEST_ASSERT_EQUAL(jint(v, "nb_rx_queues"), info.nb_rx_queues, "");
	DPX_TEST_ASSERT_EQUAL(jint(v, "max_rx_queues"), info.max_rx_queues, "");
	DPX_TEST_ASSERT_EQUAL(jint(v, "max_mtu"), info.max_mtu, "");
	DPX_TEST_ASSERT_EQUAL(jhex(v, "rx_offload_capa"), info.rx_offload_capa, "");
	DPX_TEST_ASSERT_EQUAL(jhex(v, "tx_offload_capa"), info.tx_offload_capa, "");
	DPX_TEST_ASSERT(json_is_true(json_object_get(v, "started")), "");
	json_decref(top);

	DPX_TEST_ASSERT_EQUAL(dpx_eth_stats_get(port, &st), 0, "");
	snprintf(req, sizeof(req), "/ethdev/stats,%u", port);
	v = query(fd, req, &top);
	DPX_TEST_ASSERT_EQUAL(jint(v, "ipackets"), st.ipackets, "port %u", port);
	DPX_TEST_ASSERT_EQUAL(jint(v, "opackets"), st.opackets, "port %u", port);
	DPX_TEST_ASSERT_EQUAL(jint(v, "ibytes"), st.ibytes, "");
	DPX_TEST_ASSERT_EQUAL(jint(v, "obytes"), st.obytes, "");
	DPX_TEST_ASSERT_EQUAL(jint(v, "imissed"), st.imissed, "");
	DPX_TEST_ASSERT_EQUAL(jint(v, "oerrors"), st.oerrors, "");
	DPX_TEST_ASSERT_EQUAL(json_array_size(json_object_get(v, "q_ipackets")), info.nb_rx_queues,
			      "");
	DPX_TEST_ASSERT_EQUAL(
		json_integer_value(json_array_get(json_object_get(v, "q_opackets"), 0)),
		st.q_opackets[0], "");
	DPX_TEST_ASSERT(st.ipackets + st.opackets > 0, "the case moved packets on port %u", port);
	json_decref(top);

	int n = dpx_eth_xstats_get_names(port, names, DPX_DIM(names));
	DPX_TEST_ASSERT(n > 0 && n <= (int)DPX_DIM(names), "%d", n);
	DPX_TEST_ASSERT_EQUAL(dpx_eth_xstats_get(port, values, (unsigned int)n), n, "");
	snprintf(req, sizeof(req), "/ethdev/xstats,%u", port);
	v = query(fd, req, &top);
	DPX_TEST_ASSERT_EQUAL(json_object_size(v), n, "one entry per xstat");
	for (int i = 0; i < n; i++)
		DPX_TEST_ASSERT_EQUAL(jint(v, names[i].name), values[i].value, "%s", names[i].name);
	json_decref(top);
	return DPX_TEST_SUCCESS;
}

static int
check_ethdev(int fd)
{
	json_t *top, *v = query(fd, "/ethdev/list", &top);
	size_t i = 0;
	uint16_t port;

	DPX_ETH_FOREACH_DEV (port) {
		DPX_TEST_ASSERT_EQUAL(json_integer_value(json_array_get(v, i)), port, "");
		i++;
	}
	DPX_TEST_ASSERT_EQUAL(json_array_size(v), i, "");
	DPX_TEST_ASSERT(i >= 2, "");
	json_decref(top);
	DPX_ETH_FOREACH_DEV (port)
		DPX_TEST_RUN(check_ethdev_port(fd, port));
	v = query(fd, "/ethdev/stats,31", &top);
	DPX_TEST_ASSERT_EQUAL(jint(json_object_get(top, "error"), "errno"), ENODEV, "no port 31");
	json_decref(top);
	v = query(fd, "/ethdev/stats", &top);
	DPX_TEST_ASSERT_EQUAL(jint(json_object_get(top, "error"), "errno"), EINVAL, "no port");
	json_decref(top);
	return DPX_TEST_SUCCESS;
}

static int
check_vhost(int fd, const struct vfe *fe)
{
	struct dpx_vhost_vring_stats st;
	uint64_t features;
	char req[64];
	json_t *top, *v = query(fd, "/vhost/list", &top);

	DPX_TEST_ASSERT_EQUAL(json_array_size(v), 1, "one device");
	int vid = (int)json_integer_value(json_array_get(v, 0));
	json_decref(top);
	snprintf(req, sizeof(req), "/vhost/info,%d", vid);
	v = query(fd, req, &top);
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_get_negotiated_features(vid, &features), 0, "");
	DPX_TEST_ASSERT_EQUAL(jhex(v, "features"), features, "");
	DPX_TEST_ASSERT_EQUAL(jhex(v, "protocol_features"), fe->pfeatures, "");
	DPX_TEST_ASSERT(json_is_true(json_object_get(v, "running")), "");
	json_t *rings = json_object_get(v, "vrings");
	DPX_TEST_ASSERT_EQUAL(json_array_size(rings), dpx_vhost_get_vring_num(vid), "");
	for (size_t i = 0; i < json_array_size(rings); i++) {
		json_t *r = json_array_get(rings, i);
		uint16_t idx = (uint16_t)jint(r, "index");

		DPX_TEST_ASSERT_EQUAL(dpx_vhost_vring_stats_get(vid, idx, &st, 0), 0, "");
		DPX_TEST_ASSERT_EQUAL(jint(r, "packets"), st.packets, "vring %u", idx);
		DPX_TEST_ASSERT_EQUAL(jint(r, "bytes"), st.bytes, "vring %u", idx);
		DPX_TEST_ASSERT_EQUAL(jint(r, "notifications"), st.notifications, "");
		DPX_TEST_ASSERT_EQUAL(jint(r, "size"), fe->q[idx].size, "");
		DPX_TEST_ASSERT_EQUAL(json_is_true(json_object_get(r, "enabled")),
				      dpx_vhost_vring_is_enabled(vid, idx) == 1, "");
	}
	json_t *regions = json_object_get(v, "regions");
	DPX_TEST_ASSERT_EQUAL(json_array_size(regions), fe->nregions, "");
	for (unsigned int i = 0; i < fe->nregions; i++) {
		json_t *r = json_array_get(regions, i);

		DPX_TEST_ASSERT_EQUAL(jhex(r, "guest_phys_addr"), fe->regions[i].gpa, "");
		DPX_TEST_ASSERT_EQUAL(jint(r, "size"), fe->regions[i].size, "");
	}
	json_decref(top);
	v = query(fd, "/vhost/info,63", &top);
	DPX_TEST_ASSERT_EQUAL(jint(json_object_get(top, "error"), "errno"), ENODEV, "");
	json_decref(top);
	return DPX_TEST_SUCCESS;
}

struct map_check {
	json_t *entries;
	unsigned int i;
	bool ok;
};

static int
map_check(uint64_t va, uint64_t iova, uint64_t len, uint64_t chunk, void *arg)
{
	struct map_check *c = arg;
	json_t *e = json_array_get(c->entries, c->i++);

	c->ok &= jhex(e, "va") == va && jhex(e, "iova") == iova &&
		 jint(e, "len") == (long long)len && jint(e, "chunk") == (long long)chunk;
	return 0;
}

static int
check_vfio(int fd)
{
	struct dpx_vfio_container_info info;
	char req[64];
	json_t *top, *v = query(fd, "/vfio/containers", &top);

	DPX_TEST_ASSERT_EQUAL(json_array_size(v), 2, "the default container and one more");
	for (size_t i = 0; i < 2; i++) {
		json_t *c = json_array_get(v, i);

		DPX_TEST_ASSERT_EQUAL(dpx_vfio_container_info((int)jint(c, "fd"), &info), 0, "");
		DPX_TEST_ASSERT_EQUAL(json_is_true(json_object_get(c, "default")), info.is_default,
				      "");
		DPX_TEST_ASSERT_EQUAL(jint(c, "dma_entries"), info.dma_count, "");
		DPX_TEST_ASSERT(strcmp(jstr(c, "iommu_type"),
				       info.iommu_type != NULL ? info.iommu_type : "") == 0,
				"");
		json_t *g = json_object_get(c, "groups");
		DPX_TEST_ASSERT_EQUAL(json_array_size(g), info.group_count, "");
		if (info.group_count > 0)
			DPX_TEST_ASSERT_EQUAL(jint(json_array_get(g, 0), "group"), info.groups[0],
					      "");
	}
	DPX_TEST_ASSERT(json_is_true(json_object_get(json_array_get(v, 0), "default")), "first");
	int other = (int)jint(json_array_get(v, 1), "fd");
	json_decref(top);
	int fds[] = {DPX_VFIO_DEFAULT_CONTAINER_FD, other};
	for (unsigned int k = 0; k < DPX_DIM(fds); k++) {
		struct map_check c = {.ok = true};

		if (fds[k] == DPX_VFIO_DEFAULT_CONTAINER_FD)
			snprintf(req, sizeof(req), "/vfio/maps");
		else
			snprintf(req, sizeof(req), "/vfio/maps,%d", fds[k]);
		c.entries = query(fd, req, &top);
		DPX_TEST_ASSERT_EQUAL(json_array_size(c.entries),
				      dpx_vfio_container_dma_count(fds[k]), "%s", req);
		DPX_TEST_ASSERT_EQUAL(dpx_vfio_container_dma_walk(fds[k], map_check, &c), 0, "");
		DPX_TEST_ASSERT(c.ok, "%s: every entry as the table has it", req);
		json_decref(top);
	}
	v = query(fd, "/vfio/maps,9999", &top);
	DPX_TEST_ASSERT_EQUAL(jint(json_object_get(top, "error"), "errno"), EINVAL, "");
	json_decref(top);
	return DPX_TEST_SUCCESS;
}

/* net_vhost0's rx queue has a page pool: its list entry, state and counters. */
static int
check_page_pool(int fd)
{
	struct dpx_page_pool *pp = dpx_page_pool_lookup("net_vhost0_rxq0");
	struct dpx_page_pool_stats st;
	json_t *top, *v, *c;

	DPX_TEST_ASSERT(pp != NULL, "net_vhost has a page pool by default");
	v = query(fd, "/page_pool/list", &top);
	DPX_TEST_ASSERT(json_is_array(v) && json_array_size(v) == 1, "one pool");
	DPX_TEST_ASSERT(strcmp(json_string_value(json_array_get(v, 0)), "net_vhost0_rxq0") == 0,
			"");
	json_decref(top);
	dpx_page_pool_stats_get(pp, &st);
	v = query(fd, "/page_pool/info,net_vhost0_rxq0", &top);
	DPX_TEST_ASSERT(strcmp(jstr(v, "mempool"), "tel_mp") == 0, "");
	DPX_TEST_ASSERT_EQUAL(jint(v, "size"), DPX_PAGE_POOL_SIZE_DEFAULT, "");
	c = json_object_get(v, "counters");
	DPX_TEST_ASSERT_EQUAL(json_object_size(c), DPX_PAGE_POOL_NB_STATS, "");
	for (unsigned int i = 0; i < DPX_PAGE_POOL_NB_STATS; i++)
		DPX_TEST_ASSERT_EQUAL(jint(c, dpx_page_pool_stat_name(i)),
				      ((const uint64_t *)&st)[i], "%s", dpx_page_pool_stat_name(i));
	DPX_TEST_ASSERT(st.alloc_fast + st.alloc_slow + st.alloc_refill >= 3, "3 dequeued");
	DPX_TEST_ASSERT_EQUAL(jint(v, "cache_count") + jint(v, "ring_count") + st.in_flight +
				      dpx_mempool_avail_count(dpx_mempool_lookup("tel_mp")),
			      512, "every mbuf somewhere");
	json_decref(top);
	v = query(fd, "/page_pool/info,nope", &top);
	DPX_TEST_ASSERT_EQUAL(jint(json_object_get(top, "error"), "errno"), ENOENT, "");
	json_decref(top);
	v = query(fd, "/page_pool/info", &top);
	DPX_TEST_ASSERT_EQUAL(jint(json_object_get(top, "error"), "errno"), EINVAL, "");
	json_decref(top);
	return DPX_TEST_SUCCESS;
}

/* A front-end up to running rings on a vhost port: its device has memory and rings. */
static int
guest_up(struct vfe *fe, const char *sock, uint64_t mem, uint16_t size0, uint16_t size1)
{
	DPX_TEST_ASSERT_EQUAL(vfe_init(fe, mem), 0, "");
	DPX_TEST_ASSERT_EQUAL(vfe_connect(fe, sock), 0, "");
	DPX_TEST_ASSERT_EQUAL(vfe_negotiate(fe, ~0ULL), 0, "");
	DPX_TEST_ASSERT_EQUAL(vfe_set_mem_table(fe), 0, "");
	DPX_TEST_ASSERT_EQUAL(vfe_queue_setup(fe, 0, size0, 2048, false), 0, "");
	DPX_TEST_ASSERT_EQUAL(vfe_queue_setup(fe, 1, size1, 2048, false), 0, "");
	DPX_TEST_ASSERT_EQUAL(vfe_driver_ok(fe), 0, "");
	return DPX_TEST_SUCCESS;
}

/* net_vhost0 with a guest (the front-end) that received and sent packets; net_null1 polled. */
static int
move_packets(struct vfe *fe, const char *path, struct dpx_mempool *mp)
{
	struct dpx_mbuf *m[8];
	uint8_t pkt[128] = {0};
	uint16_t vh = port_of("net_vhost0"), nul = port_of("net_null1");
	struct dpx_eth_link l;

	DPX_TEST_RUN(port_start(vh, 1, 1, mp));
	DPX_TEST_RUN(port_start(nul, 1, 1, mp));
	DPX_TEST_RUN(guest_up(fe, path, 16 << 20, 256, 128));
	for (int i = 0; i < 5000 && (dpx_eth_link_get_nowait(vh, &l) != 0 || !l.link_status); i++)
		usleep(1000);
	DPX_TEST_ASSERT(l.link_status, "the guest came up");
	vfe_rx_post(fe, 0, 8, 1);
	for (int i = 0; i < 3; i++)
		DPX_TEST_ASSERT_EQUAL(vfe_tx_post(fe, 1, pkt, sizeof(pkt), 1), 0, "");
	uint16_t n = dpx_eth_rx_burst(vh, 0, m, 8);
	DPX_TEST_ASSERT_EQUAL(n, 3, "guest to host");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_tx_burst(vh, 0, m, n), n, "host to guest");
	n = dpx_eth_rx_burst(nul, 0, m, 8);
	DPX_TEST_ASSERT_EQUAL(dpx_eth_tx_burst(nul, 0, m, n), n, "");
	return DPX_TEST_SUCCESS;
}

static int
vfio_setup(void)
{
	int c = dpx_vfio_container_create();

	kfake_add_group(7, true);
	DPX_TEST_ASSERT(c >= 0, "%d", c);
	DPX_TEST_ASSERT(dpx_vfio_container_group_bind(DPX_VFIO_DEFAULT_CONTAINER_FD, 7) >= 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_vfio_container_dma_map(c, 0x7f0000000000, 0x100000, 0x4000), 0,
			      "");
	DPX_TEST_ASSERT_EQUAL(dpx_vfio_container_dma_map(c, 0x7f0000004000, 0x104000, 0x2000), 0,
			      "adjacent, other chunk: two entries");
	DPX_TEST_ASSERT_EQUAL(dpx_vfio_container_dma_count(c), 2, "");
	return DPX_TEST_SUCCESS;
}

static int
test_telemetry_commands(void)
{
	char path[108], arg[160];
	struct dpx_mempool *mp;
	struct vfe fe;
	json_t *hello;
	int fd, rc;

	snprintf(path, sizeof(path), "/tmp/dpx-tel-vhost-%d.sock", (int)getpid());
	snprintf(arg, sizeof(arg), "net_vhost0,iface=%s,queues=1", path);
	kfake_reset(KMODEL_TYPE1V2);
	DPX_TEST_ASSERT_EQUAL(vfio_set_kernel_ops(&kfake_ops), 0, "");
	DPX_TEST_ASSERT(
		dpx_test_eal_init("--no-huge", "--vdev", arg, "--vdev", "net_null1", NULL) > 0, "");
	DPX_TEST_RUN(vfio_setup());
	mp = dpx_pktmbuf_pool_create("tel_mp", 512, 0, 0, DPX_MBUF_DEFAULT_BUF_SIZE, -1);
	DPX_TEST_ASSERT(mp != NULL, "");
	DPX_TEST_RUN(move_packets(&fe, path, mp));

	fd = tel_client_connect(dpx_telemetry_socket_path());
	DPX_TEST_ASSERT(fd >= 0, "connect to '%s': %d", dpx_telemetry_socket_path(), fd);
	hello = tel_client_recv_json(fd);
	DPX_TEST_ASSERT_EQUAL(jint(hello, "pid"), getpid(), "the greeting");
	DPX_TEST_ASSERT_EQUAL(jint(hello, "max_output_len"), DPX_TELEMETRY_MAX_OUTPUT, "");
	json_decref(hello);
	rc = check_list_and_help(fd);
	if (rc == DPX_TEST_SUCCESS)
		rc = check_eal(fd, arg);
	if (rc == DPX_TEST_SUCCESS)
		rc = check_ethdev(fd);
	if (rc == DPX_TEST_SUCCESS)
		rc = check_vhost(fd, &fe);
	if (rc == DPX_TEST_SUCCESS)
		rc = check_vfio(fd);
	if (rc == DPX_TEST_SUCCESS)
		rc = check_page_pool(fd);
	close(fd);
	vfe_fini(&fe);
	for (uint16_t p = 0; p < DPX_MAX_ETHPORTS; p++)
		if (dpx_eth_dev_is_valid_port(p)) {
			dpx_eth_dev_stop(p);
			dpx_eth_dev_close(p);
		}
	dpx_mempool_free(mp);
	dpx_eal_cleanup();
	vfio_set_kernel_ops(NULL);
	return rc;
}
DPX_TEST_REGISTER(telemetry_commands, fast, test_telemetry_commands);

/* ---- handlers against ports that come and go ---- */

/*
 * A port whose stats_get holds the telemetry thread inside the driver until
 * the control thread is about to close the port, then gives the close time
 * to run: a close that does not wait for the handler frees the port under
 * it (dev_close sees the handler inside). Nothing here decides on a time:
 * the wait only gives a broken close its chance to show.
 */
static struct {
	sem_t entered;
	int about_to_close, closing, inside, overlap;
} race;

static int
race_infos(struct dpx_eth_dev *dev, struct dpx_eth_dev_info *info)
{
	(void)dev;
	info->max_rx_queues = 1;
	info->max_tx_queues = 1;
	return 0;
}

static int
race_stats(struct dpx_eth_dev *dev, struct dpx_eth_stats *st)
{
	__atomic_store_n(&race.inside, 1, __ATOMIC_SEQ_CST);
	sem_post(&race.entered);
	for (int i = 0; i < 100000 && !__atomic_load_n(&race.about_to_close, __ATOMIC_SEQ_CST); i++)
		usleep(100);
	for (int i = 0; i < 2000 && !__atomic_load_n(&race.closing, __ATOMIC_SEQ_CST); i++)
		usleep(100);
	int rc = dpx_eth_sw_stats_get(dev, st);
	__atomic_store_n(&race.inside, 0, __ATOMIC_SEQ_CST);
	return rc;
}

static int
race_close(struct dpx_eth_dev *dev)
{
	(void)dev;
	if (__atomic_load_n(&race.inside, __ATOMIC_SEQ_CST))
		race.overlap = 1;
	__atomic_store_n(&race.closing, 1, __ATOMIC_SEQ_CST);
	return 0;
}

static int
race_txq(struct dpx_eth_dev *dev, uint16_t qid, uint16_t nb_desc, int socket,
	 const struct dpx_eth_txconf *conf, void **queue)
{
	(void)dev, (void)qid, (void)nb_desc, (void)socket, (void)conf;
	*queue = calloc(1, sizeof(struct dpx_eth_sw_queue_stats));
	return *queue != NULL ? 0 : -ENOMEM;
}

static void
race_release(struct dpx_eth_dev *dev, void *queue)
{
	(void)dev;
	free(queue);
}

static const struct dpx_eth_dev_ops race_ops = {
	.dev_infos_get = race_infos,
	.dev_close = race_close,
	.tx_queue_setup = race_txq,
	.tx_queue_release = race_release,
	.stats_get = race_stats,
};

struct race_query {
	char req[64];
	json_t *top; /* the reply */
};

static void *
race_query_thread(void *arg)
{
	struct race_query *q = arg;
	int fd = tel_client_connect(dpx_telemetry_socket_path());

	if (fd >= 0) {
		json_decref(tel_client_recv_json(fd));
		tel_client_query(fd, q->req, &q->top);
		close(fd);
	}
	return NULL;
}

/* The errno of a reply on fd (0 when it has data). */
static int
query_errno(int fd, const char *req)
{
	json_t *top;

	tel_client_query(fd, req, &top);
	long long e = top == NULL ? -1 : jint(json_object_get(top, "error"), "errno");
	json_decref(top);
	return e < 0 ? (top == NULL ? -1 : 0) : (int)e;
}

/* A port still being probed (no ops yet) is not there for telemetry. */
static int
race_probing(struct dpx_eth_dev *dev)
{
	char req[64];
	uint16_t port = dev->data->port_id;
	json_t *top, *v;
	int fd = tel_client_connect(dpx_telemetry_socket_path());

	DPX_TEST_ASSERT(fd >= 0, "");
	json_decref(tel_client_recv_json(fd));
	v = tel_client_query(fd, "/ethdev/list", &top);
	DPX_TEST_ASSERT(json_is_array(v), "");
	for (size_t i = 0; i < json_array_size(v); i++)
		DPX_TEST_ASSERT(json_integer_value(json_array_get(v, i)) != port,
				"port %u listed while its probe runs", port);
	json_decref(top);
	static const char *const cmds[] = {"/ethdev/info", "/ethdev/stats", "/ethdev/xstats"};
	for (unsigned int i = 0; i < DPX_DIM(cmds); i++) {
		snprintf(req, sizeof(req), "%s,%u", cmds[i], port);
		DPX_TEST_ASSERT_EQUAL(query_errno(fd, req), ENODEV, "%s during the probe", req);
	}
	close(fd);
	return DPX_TEST_SUCCESS;
}

static int
race_close_during_stats(void)
{
	struct dpx_eth_dev *dev = dpx_eth_dev_allocate("tel_race");
	struct race_query q = {.top = NULL};
	pthread_t t;
	struct timespec ts;

	DPX_TEST_ASSERT(dev != NULL, "");
	DPX_TEST_RUN(race_probing(dev));
	dev->dev_ops = &race_ops;
	dev->driver_name = "tel_race";
	dpx_eth_dev_probing_finish(dev);
	uint16_t port = dev->data->port_id;
	DPX_TEST_ASSERT_EQUAL(dpx_eth_dev_configure(port, 0, 1, NULL), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_tx_queue_setup(port, 0, 0, -1, NULL), 0, "");
	memset(&race, 0, sizeof(race));
	sem_init(&race.entered, 0, 0);
	snprintf(q.req, sizeof(q.req), "/ethdev/stats,%u", port);
	DPX_TEST_ASSERT_EQUAL(pthread_create(&t, NULL, race_query_thread, &q), 0, "");
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += 10;
	int entered = sem_timedwait(&race.entered, &ts) == 0;
	__atomic_store_n(&race.about_to_close, 1, __ATOMIC_SEQ_CST);
	int rc = dpx_eth_dev_close(port);
	pthread_join(t, NULL);
	sem_destroy(&race.entered);
	bool answered = json_is_object(json_object_get(q.top, "/ethdev/stats"));
	json_decref(q.top);
	DPX_TEST_ASSERT(entered, "the handler reached the driver");
	DPX_TEST_ASSERT_EQUAL(rc, 0, "close");
	DPX_TEST_ASSERT(!race.overlap, "dev_close ran while a telemetry handler was in stats_get");
	DPX_TEST_ASSERT(answered, "the handler that was inside finished its reply");
	return DPX_TEST_SUCCESS;
}

/* Real ports attached and detached (as dpx-fwd's port attach/detach), a
 * vhost-user one with its front-end connected, while a client asks about
 * every port and device it may see: every reply is an answer or ENODEV. */
struct churn {
	int stop;
	unsigned int replies, errors, devices; /* devices: /vhost/info answered */
	int bad;			       /* an errno other than ENODEV, or no reply */
};

static void *
churn_thread(void *arg)
{
	struct churn *c = arg;
	static const char *const cmds[] = {"/ethdev/info", "/ethdev/stats", "/ethdev/xstats",
					   "/vhost/info"};
	int fd = tel_client_connect(dpx_telemetry_socket_path());
	char req[64];
	cpu_set_t all;

	/* off the main lcore's CPU, where the EAL pinned the thread that made us */
	CPU_ZERO(&all);
	for (long cpu = 0; cpu < sysconf(_SC_NPROCESSORS_ONLN) && cpu < CPU_SETSIZE; cpu++)
		CPU_SET(cpu, &all);
	pthread_setaffinity_np(pthread_self(), sizeof(all), &all);
	if (fd < 0) {
		c->bad = -1;
		return NULL;
	}
	json_decref(tel_client_recv_json(fd));
	while (!__atomic_load_n(&c->stop, __ATOMIC_ACQUIRE) && c->bad == 0) {
		for (uint16_t p = 0; p < 4; p++)
			for (unsigned int i = 0; i < DPX_DIM(cmds); i++) {
				snprintf(req, sizeof(req), "%s,%u", cmds[i], p);
				int e = query_errno(fd, req);
				__atomic_fetch_add(&c->replies, 1, __ATOMIC_RELAXED);
				c->errors += e != 0;
				c->devices += e == 0 && i == 3;
				if (e != 0 && e != ENODEV && e != EAGAIN) {
					printf("%s -> errno %d\n", req, e);
					c->bad = e;
				}
			}
	}
	close(fd);
	return NULL;
}

static int
race_churn(struct dpx_mempool *mp)
{
	struct churn c = {0};
	unsigned int cycles;
	pthread_t t;
	uint16_t port;
	int rc = DPX_TEST_SUCCESS;
	char sock[108], args[160];
	struct vfe fe;

	snprintf(sock, sizeof(sock), "/tmp/dpx-tel-churn-%d.sock", (int)getpid());
	snprintf(args, sizeof(args), "iface=%s,queues=1", sock);

	DPX_TEST_ASSERT_EQUAL(pthread_create(&t, NULL, churn_thread, &c), 0, "");
	/* until the client has asked a few thousand times (bounded: 20000 cycles) */
	for (cycles = 0; (cycles < 300 || __atomic_load_n(&c.replies, __ATOMIC_RELAXED) < 3000) &&
			 cycles < 20000 && rc == DPX_TEST_SUCCESS && c.bad == 0;
	     cycles++) {
		bool vhost = cycles % 8 == 0;
		const char *name = vhost ? "net_vhost7" : cycles % 2 ? "net_null7" : "net_ring7";

		rc = dpx_vdev_init(name, vhost ? args : "") == 0 ? DPX_TEST_SUCCESS
								 : DPX_TEST_FAILED;
		if (rc == DPX_TEST_SUCCESS && dpx_eth_dev_get_port_by_name(name, &port) == 0)
			rc = port_start(port, 1, 1, mp);
		if (rc == DPX_TEST_SUCCESS && vhost)
			rc = guest_up(&fe, sock, 4 << 20, 64, 64);
		if (rc == DPX_TEST_SUCCESS)
			dpx_eth_dev_stop(port);
		/* a vhost port goes with its guest still connected: close destroys the device */
		if (dpx_vdev_uninit(name) != 0)
			rc = DPX_TEST_FAILED;
		if (vhost)
			vfe_fini(&fe);
	}
	__atomic_store_n(&c.stop, 1, __ATOMIC_RELEASE);
	pthread_join(t, NULL);
	printf("port churn: %u cycles, %u replies while ports came and went, %u of them errors, "
	       "%u about a vhost device\n",
	       cycles, c.replies, c.errors, c.devices);
	DPX_TEST_ASSERT_EQUAL(rc, DPX_TEST_SUCCESS, "attach, start, stop, detach");
	DPX_TEST_ASSERT_EQUAL(c.bad, 0, "every reply an answer or ENODEV/EAGAIN");
	DPX_TEST_ASSERT(c.replies > 0, "");
	return DPX_TEST_SUCCESS;
}

static int
test_telemetry_port_race(void)
{
	struct dpx_mempool *mp;
	int rc;

	DPX_TEST_ASSERT(dpx_test_eal_init("--no-huge", "-l", "0", NULL) > 0, "");
	mp = dpx_pktmbuf_pool_create("tel_race_mp", 1024, 0, 0, DPX_MBUF_DEFAULT_BUF_SIZE, -1);
	DPX_TEST_ASSERT(mp != NULL, "");
	rc = race_close_during_stats();
	if (rc == DPX_TEST_SUCCESS)
		rc = race_churn(mp);
	dpx_mempool_free(mp);
	DPX_TEST_ASSERT_EQUAL(dpx_eal_cleanup(), 0, "");
	return rc;
}
DPX_TEST_REGISTER(telemetry_port_race, fast, test_telemetry_port_race);

/* ---- clients: many at once, one that never reads, the limit ---- */

static int
greeted(int fd)
{
	json_t *j = tel_client_recv_json(fd);
	int ok = jint(j, "pid") == getpid();

	json_decref(j);
	return ok;
}

static int
answered(int fd, const char *req)
{
	json_t *top, *v = tel_client_query(fd, req, &top);
	int ok = v != NULL && !json_is_null(v);

	json_decref(top);
	return ok;
}

/* Send requests and read nothing, until the server drops us. Every 64
 * requests another client must still be served. */
static int
flood_until_dropped(int flooder, int other, unsigned int *sent)
{
	static const char req[] = "/eal/params";
	struct pollfd p = {.fd = flooder, .events = POLLOUT};

	for (*sent = 0;;) {
		ssize_t n = send(flooder, req, sizeof(req) - 1, MSG_DONTWAIT | MSG_NOSIGNAL);

		if (n < 0 && (errno == EPIPE || errno == ECONNRESET))
			return DPX_TEST_SUCCESS;
		if (n < 0 && errno == EAGAIN) {
			/* the server stopped reading us: it must drop us, not stall */
			DPX_TEST_ASSERT(poll(&p, 1, 10000) == 1, "server neither reads nor drops");
			continue;
		}
		DPX_TEST_ASSERT(n == sizeof(req) - 1, "send: %s", strerror(errno));
		if (++*sent % 64 == 0)
			DPX_TEST_ASSERT(answered(other, "/info"), "request %u: the others stall",
					*sent);
	}
}

static int
test_telemetry_clients(void)
{
	int fds[DPX_TELEMETRY_MAX_CLIENTS + 1], flooder, extra;
	const char *path;
	unsigned int sent, i;
	char buf[256];

	DPX_TEST_ASSERT(dpx_test_eal_init("--no-huge", "-l", "0", NULL) > 0, "");
	path = dpx_telemetry_socket_path();
	dpx_log_set_level(telemetry_logtype, DPX_LOG_ERR);
	/* 50 at once: all connected and greeted before any asks, then all ask, then all read */
	for (i = 0; i < 50; i++) {
		fds[i] = tel_client_connect(path);
		DPX_TEST_ASSERT(fds[i] >= 0, "client %u", i);
	}
	for (i = 0; i < 50; i++)
		DPX_TEST_ASSERT(greeted(fds[i]), "client %u greeted", i);
	for (i = 0; i < 50; i++)
		DPX_TEST_ASSERT(send(fds[i], "/eal/params", 11, 0) == 11, "");
	for (i = 0; i < 50; i++) {
		json_t *j = tel_client_recv_json(fds[i]);
		DPX_TEST_ASSERT(json_is_array(json_object_get(j, "/eal/params")), "client %u", i);
		json_decref(j);
	}
	/* one that never reads: dropped, while client 0 keeps being served */
	flooder = tel_client_connect(path);
	DPX_TEST_ASSERT(flooder >= 0, "");
	DPX_TEST_RUN(flood_until_dropped(flooder, fds[0], &sent));
	printf("the non-reading client was dropped after %u unread replies\n", sent);
	DPX_TEST_ASSERT(sent > 1, "dropped for not reading, not at once");
	close(flooder);
	/* the limit: 64 served, the next one closed without a greeting */
	for (i = 50; i < DPX_TELEMETRY_MAX_CLIENTS; i++) {
		fds[i] = tel_client_connect(path);
		DPX_TEST_ASSERT(fds[i] >= 0 && greeted(fds[i]), "client %u", i);
	}
	extra = tel_client_connect(path);
	DPX_TEST_ASSERT(extra >= 0, "");
	DPX_TEST_ASSERT_EQUAL(tel_client_recv(extra, buf, sizeof(buf)), 0,
			      "over the limit: closed");
	close(extra);
	close(fds[1]);
	DPX_TEST_ASSERT(answered(fds[0], "/info"), "the server noticed the close");
	extra = tel_client_connect(path);
	DPX_TEST_ASSERT(extra >= 0 && greeted(extra), "a slot freed: served again");
	DPX_TEST_ASSERT(answered(extra, "/"), "");
	close(extra);
	for (i = 0; i < DPX_TELEMETRY_MAX_CLIENTS; i++)
		if (i != 1)
			close(fds[i]);
	dpx_log_set_level(telemetry_logtype, DPX_LOG_NOTICE);
	DPX_TEST_ASSERT_EQUAL(dpx_eal_cleanup(), 0, "with clients connected");
	return DPX_TEST_SUCCESS;
}
DPX_TEST_REGISTER(telemetry_clients, fast, test_telemetry_clients);

/* ---- counters read while a worker lcore moves packets ---- */

struct traffic {
	uint16_t port;
	int stop;
};

/* Both queues of the port: receive what net_null makes, send it back. */
static int
traffic_worker(void *arg)
{
	struct traffic *t = arg;
	struct dpx_mbuf *m[32];

	while (!__atomic_load_n(&t->stop, __ATOMIC_ACQUIRE))
		for (uint16_t q = 0; q < 2; q++) {
			uint16_t n = dpx_eth_rx_burst(t->port, q, m, DPX_DIM(m));
			uint16_t sent = dpx_eth_tx_burst(t->port, q, m, n);

			dpx_pktmbuf_free_bulk(m + sent, n - sent);
		}
	return 0;
}

static long long
jsum(const json_t *o, const char *key)
{
	const json_t *a = json_object_get(o, key);
	long long sum = 0;

	for (size_t i = 0; i < json_array_size(a); i++)
		sum += json_integer_value(json_array_get(a, i));
	return sum;
}

/*
 * What a reply read during traffic promises: its totals are the sums of its
 * per-queue values (one load of each counter serves both), no counter goes
 * back from one reply to the next (one writer per counter, read with
 * atomic loads on one thread), and xstats agree with themselves likewise.
 * Not promised: packets and bytes come from one instant (they are two
 * loads, so bytes may include a burst the packet count does not).
 */
static int
stats_during_traffic(int fd, uint16_t port, long long last[4])
{
	static const char *const keys[] = {"ipackets", "opackets", "ibytes", "obytes"};
	static const char *const qkeys[] = {"q_ipackets", "q_opackets", "q_ibytes", "q_obytes"};
	char req[64];
	json_t *top, *v;

	snprintf(req, sizeof(req), "/ethdev/stats,%u", port);
	v = tel_client_query(fd, req, &top);
	DPX_TEST_ASSERT(json_is_object(v), "");
	for (unsigned int k = 0; k < DPX_DIM(keys); k++) {
		long long x = jint(v, keys[k]);

		DPX_TEST_ASSERT_EQUAL(jsum(v, qkeys[k]), x, "%s: the sum of its queues", keys[k]);
		DPX_TEST_ASSERT(x >= last[k], "%s went back: %lld after %lld", keys[k], x, last[k]);
		last[k] = x;
	}
	json_decref(top);
	snprintf(req, sizeof(req), "/ethdev/xstats,%u", port);
	v = tel_client_query(fd, req, &top);
	DPX_TEST_ASSERT_EQUAL(jint(v, "rx_good_packets"),
			      jint(v, "rx_q0_packets") + jint(v, "rx_q1_packets"), "");
	DPX_TEST_ASSERT_EQUAL(jint(v, "tx_good_bytes"),
			      jint(v, "tx_q0_bytes") + jint(v, "tx_q1_bytes"), "");
	json_decref(top);
	return DPX_TEST_SUCCESS;
}

static int
test_telemetry_counters(void)
{
	struct traffic t = {.stop = 0};
	struct dpx_eth_stats st;
	struct dpx_mempool *mp;
	long long last[4] = {0}, in, out_bytes;
	unsigned int worker;
	char req[64];
	json_t *top;
	int fd, rc = DPX_TEST_SUCCESS;
	cpu_set_t set;

	if (sched_getaffinity(0, sizeof(set), &set) != 0 || !CPU_ISSET(0, &set) ||
	    !CPU_ISSET(1, &set))
		DPX_TEST_SKIP("the worker lcore needs CPU 1 beside the main one's CPU 0");
	DPX_TEST_ASSERT(dpx_test_eal_init("--no-huge", "-l", "0-1", "--vdev", "net_null0,size=64",
					  NULL) > 0,
			"");
	worker = dpx_get_next_lcore(-1, 1, 0);
	mp = dpx_pktmbuf_pool_create("tel_cnt_mp", 2048, 0, 0, DPX_MBUF_DEFAULT_BUF_SIZE, -1);
	t.port = port_of("net_null0");
	DPX_TEST_ASSERT(mp != NULL && worker < DPX_MAX_LCORE, "");
	DPX_TEST_RUN(port_start(t.port, 2, 2, mp));
	fd = tel_client_connect(dpx_telemetry_socket_path());
	DPX_TEST_ASSERT(fd >= 0 && greeted(fd), "");
	DPX_TEST_ASSERT_EQUAL(dpx_eal_remote_launch(traffic_worker, &t, worker), 0, "");
	for (int i = 0; i < 300 && rc == DPX_TEST_SUCCESS; i++)
		rc = stats_during_traffic(fd, t.port, last);
	__atomic_store_n(&t.stop, 1, __ATOMIC_RELEASE);
	dpx_eal_wait_lcore(worker);
	/* at rest: the reply is the C API's */
	snprintf(req, sizeof(req), "/ethdev/stats,%u", t.port);
	json_t *v = tel_client_query(fd, req, &top);
	in = jint(v, "ipackets");
	out_bytes = jint(v, "obytes");
	json_decref(top);
	close(fd);
	dpx_eth_stats_get(t.port, &st);
	dpx_eth_dev_stop(t.port);
	dpx_eth_dev_close(t.port);
	dpx_mempool_free(mp);
	DPX_TEST_ASSERT_EQUAL(dpx_eal_cleanup(), 0, "");
	printf("%llu packets in, %llu out while being read\n", (unsigned long long)st.ipackets,
	       (unsigned long long)st.opackets);
	DPX_TEST_ASSERT_EQUAL(rc, DPX_TEST_SUCCESS, "counters read during traffic");
	DPX_TEST_ASSERT(st.ipackets > 0 && in >= last[0], "");
	DPX_TEST_ASSERT_EQUAL(in, st.ipackets, "at rest, as dpx_eth_stats_get");
	DPX_TEST_ASSERT_EQUAL(out_bytes, st.obytes, "");
	DPX_TEST_ASSERT_EQUAL(st.ibytes, 64 * st.ipackets, "");
	return DPX_TEST_SUCCESS;
}
DPX_TEST_REGISTER(telemetry_counters, fast, test_telemetry_counters);

/* ---- hostile clients ---- */

/* Send len bytes as one message and read the reply: its errno, 0 for data, -1 for none. */
static int
raw_errno(int fd, const void *msg, size_t len, json_t **top)
{
	*top = NULL;
	if (send(fd, msg, len, MSG_NOSIGNAL) != (ssize_t)len)
		return -1;
	*top = tel_client_recv_json(fd);
	if (*top == NULL)
		return -1;
	long long e = jint(json_object_get(*top, "error"), "errno");
	return e < 0 ? 0 : (int)e;
}

/* Requests that are not what a client should send: each gets its reply, the
 * connection stays, and every reply is JSON. */
static int
hostile_requests(int fd)
{
	char big[DPX_TELEMETRY_MAX_REQUEST + 1];
	static const char odd[] = "/test/echo,\"q\" \\b\\ \x01\x1f\x7f\n{]}";
	json_t *top;

	DPX_TEST_ASSERT_EQUAL(raw_errno(fd, "", 0, &top), EINVAL, "an empty message");
	json_decref(top);
	DPX_TEST_ASSERT_EQUAL(raw_errno(fd, ",", 1, &top), EINVAL, "only a comma");
	json_decref(top);
	DPX_TEST_ASSERT_EQUAL(raw_errno(fd, ",/info", 6, &top), EINVAL, "an empty command");
	json_decref(top);
	DPX_TEST_ASSERT_EQUAL(raw_errno(fd, "/info", 6, &top), EINVAL, "its NUL sent along");
	json_decref(top);
	memset(big, 'x', sizeof(big));
	memcpy(big, "/info,", 6);
	DPX_TEST_ASSERT_EQUAL(raw_errno(fd, big, DPX_TELEMETRY_MAX_REQUEST, &top), 0,
			      "1 KiB exactly, no NUL");
	json_decref(top);
	DPX_TEST_ASSERT_EQUAL(raw_errno(fd, big, sizeof(big), &top), EMSGSIZE, "1 KiB + 1");
	json_decref(top);
	/* quotes, backslashes and control bytes come back escaped (jansson), intact */
	DPX_TEST_ASSERT_EQUAL(raw_errno(fd, odd, sizeof(odd) - 1, &top), 0, "");
	const char *echo = jstr(json_object_get(top, "/test/echo"), "params");
	DPX_TEST_ASSERT(strcmp(echo, odd + strlen("/test/echo,")) == 0, "echoed: %s", echo);
	json_decref(top);
	DPX_TEST_ASSERT_EQUAL(raw_errno(fd, "/test/echo,\xff\xfe", 13, &top), EINVAL,
			      "not UTF-8: an error, still JSON");
	json_decref(top);
	DPX_TEST_ASSERT(answered(fd, "/info"), "the connection survived all of it");
	return DPX_TEST_SUCCESS;
}

/* Clients that come and go badly: nothing left behind, no signal. */
static int
hostile_clients(const char *path, int keep)
{
	int fds = dpx_test_count_fds(), fd;
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	char buf[64];

	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", path);
	DPX_TEST_ASSERT(connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0 && errno == EPROTOTYPE,
			"a stream socket cannot connect: %s", strerror(errno));
	close(fd);
	for (int i = 0; i < 2000; i++) { /* connect and close at once */
		fd = tel_client_connect(path);
		DPX_TEST_ASSERT(fd >= 0, "connection %d: %d", i, fd);
		close(fd);
	}
	for (int i = 0; i < 500; i++) { /* gone between request and reply: EPIPE, no SIGPIPE */
		fd = tel_client_connect(path);
		DPX_TEST_ASSERT(fd >= 0, "");
		send(fd, "/eal/params", 11, MSG_NOSIGNAL);
		close(fd);
	}
	fd = tel_client_connect(path); /* half-closed: dropped, not served forever */
	DPX_TEST_ASSERT(fd >= 0 && greeted(fd), "");
	shutdown(fd, SHUT_WR);
	DPX_TEST_ASSERT_EQUAL(tel_client_recv(fd, buf, sizeof(buf)), 0, "half-closed: dropped");
	close(fd);
	/* two round trips: the server has handled every hang-up before the second reply */
	DPX_TEST_ASSERT(answered(keep, "/info") && answered(keep, "/info"), "");
	DPX_TEST_ASSERT_EQUAL(dpx_test_count_fds(), fds, "fds left by clients that went away");
	return DPX_TEST_SUCCESS;
}

static int
test_telemetry_hostile(void)
{
	int fd, rc;

	DPX_TEST_ASSERT(dpx_test_eal_init("--no-huge", "-l", "0", NULL) > 0, "");
	register_test_commands();
	fd = tel_client_connect(dpx_telemetry_socket_path());
	DPX_TEST_ASSERT(fd >= 0 && greeted(fd), "");
	rc = hostile_requests(fd);
	if (rc == DPX_TEST_SUCCESS)
		rc = hostile_clients(dpx_telemetry_socket_path(), fd);
	close(fd);
	DPX_TEST_ASSERT_EQUAL(dpx_eal_cleanup(), 0, "");
	return rc;
}
DPX_TEST_REGISTER(telemetry_hostile, fast, test_telemetry_hostile);

/*
 * The process out of fds: the clients waiting to be accepted stay queued,
 * the thread keeps serving the connected ones, says so once (not at each
 * round: here, each request of the connected client is one more round),
 * and accepts the waiting ones once fds are free again.
 */
static int
test_telemetry_out_of_fds(void)
{
	int keep, waiting[3], lowest;
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	struct rlimit old, low;
	char *log = NULL;
	size_t log_len = 0;
	bool served = true;

	DPX_TEST_ASSERT(dpx_test_eal_init("--no-huge", "-l", "0", NULL) > 0, "");
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", dpx_telemetry_socket_path());
	keep = tel_client_connect(a.sun_path);
	DPX_TEST_ASSERT(keep >= 0 && greeted(keep), "");
	for (unsigned int i = 0; i < DPX_DIM(waiting); i++)
		waiting[i] = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	FILE *f = open_memstream(&log, &log_len);
	DPX_TEST_ASSERT(f != NULL && waiting[DPX_DIM(waiting) - 1] >= 0, "");
	lowest = dup(0); /* the lowest free fd: with the limit there, none is left */
	close(lowest);
	getrlimit(RLIMIT_NOFILE, &old);
	low = old;
	low.rlim_cur = (rlim_t)lowest;
	dpx_log_set_stream(f);
	DPX_TEST_ASSERT_EQUAL(setrlimit(RLIMIT_NOFILE, &low), 0, "");
	for (unsigned int i = 0; i < DPX_DIM(waiting); i++)
		if (connect(waiting[i], (struct sockaddr *)&a, sizeof(a)) != 0)
			served = false;
	for (int i = 0; i < 20; i++)
		served &= answered(keep, "/info");
	setrlimit(RLIMIT_NOFILE, &old);
	for (unsigned int i = 0; i < DPX_DIM(waiting); i++)
		served &= greeted(waiting[i]) && answered(waiting[i], "/info");
	dpx_log_set_stream(NULL);
	fclose(f);
	for (unsigned int i = 0; i < DPX_DIM(waiting); i++)
		close(waiting[i]);
	close(keep);
	printf("log while out of fds:\n%s", log);
	const char *first = strstr(log, "cannot accept");
	bool once = first != NULL && strstr(first + 1, "cannot accept") == NULL;
	free(log);
	DPX_TEST_ASSERT_EQUAL(dpx_eal_cleanup(), 0, "");
	DPX_TEST_ASSERT(served, "connected client served meanwhile, waiting ones accepted after");
	DPX_TEST_ASSERT(once, "'cannot accept' logged once, not at every round");
	return DPX_TEST_SUCCESS;
}
DPX_TEST_REGISTER(telemetry_out_of_fds, fast, test_telemetry_out_of_fds);

/* ---- on and off ---- */

static int
socket_file_exists(const char *dir)
{
	char p[4200];
	struct stat st;

	snprintf(p, sizeof(p), "%s/%s", dir, TELEMETRY_SOCKET_NAME);
	return stat(p, &st) == 0 && S_ISSOCK(st.st_mode);
}

static int
test_telemetry_on_off(void)
{
	int threads = dpx_test_count_threads(), fds = dpx_test_count_fds();
	char dir[4096];

	DPX_TEST_ASSERT(dpx_test_eal_init("--no-huge", "-l", "0", "--no-telemetry", NULL) > 0, "");
	DPX_TEST_ASSERT(strcmp(dpx_telemetry_socket_path(), "") == 0, "");
	DPX_TEST_ASSERT(!socket_file_exists(dpx_eal_runtime_dir()), "--no-telemetry: no socket");
	DPX_TEST_ASSERT_EQUAL(dpx_test_count_threads(), threads, "--no-telemetry: no thread");
	DPX_TEST_ASSERT_EQUAL(dpx_eal_cleanup(), 0, "");
	DPX_TEST_ASSERT(dpx_test_eal_init("--no-huge", "-l", "0", "--in-memory", NULL) > 0, "");
	DPX_TEST_ASSERT(strcmp(dpx_telemetry_socket_path(), "") == 0, "--in-memory: no files");
	DPX_TEST_ASSERT_EQUAL(dpx_test_count_threads(), threads, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eal_cleanup(), 0, "");
	DPX_TEST_ASSERT(dpx_test_eal_init("--no-huge", "-l", "0", NULL) > 0, "");
	snprintf(dir, sizeof(dir), "%s", dpx_eal_runtime_dir());
	DPX_TEST_ASSERT(socket_file_exists(dir), "by default: a socket in %s", dir);
	DPX_TEST_ASSERT_EQUAL(dpx_test_count_threads(), threads + 1, "and its thread");
	int c = tel_client_connect(dpx_telemetry_socket_path());
	DPX_TEST_ASSERT(c >= 0 && greeted(c), "");
	DPX_TEST_ASSERT_EQUAL(dpx_eal_cleanup(), 0, "");
	char buf[64];
	DPX_TEST_ASSERT_EQUAL(tel_client_recv(c, buf, sizeof(buf)), 0, "cleanup closed the client");
	close(c);
	DPX_TEST_ASSERT(!socket_file_exists(dir), "socket file removed");
	DPX_TEST_ASSERT(strcmp(dpx_telemetry_socket_path(), "") == 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_test_count_threads(), threads, "thread joined");
	DPX_TEST_ASSERT_EQUAL(dpx_test_count_fds(), fds, "every fd closed");
	return DPX_TEST_SUCCESS;
}
DPX_TEST_REGISTER(telemetry_on_off, fast, test_telemetry_on_off);

/* A client asking everything it can, in a loop, until the server goes away. */
struct asker {
	char path[108];
	unsigned int replies;
	int bad; /* a reply that is not JSON */
};

static void *
asker_thread(void *arg)
{
	static const char *const reqs[] = {"/eal/heap_info",  "/eal/params",   "/ethdev/list",
					   "/ethdev/stats,0", "/vhost/list",   "/vfio/containers",
					   "/vfio/maps",      "/eal/libc_heap"};
	struct asker *a = arg;
	int fd = tel_client_connect(a->path);
	char buf[DPX_TELEMETRY_MAX_OUTPUT + 1];

	if (fd < 0)
		return NULL;
	for (unsigned int i = 0;; i++) {
		const char *r = reqs[i % DPX_DIM(reqs)];

		if (send(fd, r, strlen(r), MSG_NOSIGNAL) < 0)
			break;
		ssize_t n = tel_client_recv(fd, buf, sizeof(buf));
		if (n <= 0)
			break;
		json_t *j = json_loadb(buf, (size_t)n, 0, NULL);
		a->bad |= j == NULL;
		json_decref(j);
		a->replies++;
	}
	close(fd);
	return NULL;
}

/* dpx_eal_cleanup while a client keeps asking: the thread stops before what it reads goes. */
static int
test_telemetry_cleanup_race(void)
{
	unsigned int replies = 0;

	for (int round = 0; round < 20; round++) {
		struct asker a = {.replies = 0, .bad = 0};
		pthread_t t;

		DPX_TEST_ASSERT(
			dpx_test_eal_init("--no-huge", "-l", "0", "--vdev", "net_null0", NULL) > 0,
			"");
		snprintf(a.path, sizeof(a.path), "%s", dpx_telemetry_socket_path());
		DPX_TEST_ASSERT_EQUAL(pthread_create(&t, NULL, asker_thread, &a), 0, "");
		usleep(1000 * (round % 5)); /* cleanup at various points of the asking */
		DPX_TEST_ASSERT_EQUAL(dpx_eal_cleanup(), 0, "round %d", round);
		pthread_join(t, NULL);
		DPX_TEST_ASSERT(!a.bad, "round %d: a reply that is not JSON", round);
		replies += a.replies;
		DPX_TEST_ASSERT(tel_client_connect(a.path) == -ENOENT, "the socket is gone");
	}
	printf("%u replies in 20 rounds cut by dpx_eal_cleanup\n", replies);
	return DPX_TEST_SUCCESS;
}
DPX_TEST_REGISTER(telemetry_cleanup_race, fast, test_telemetry_cleanup_race);

/* ---- usertools/dpx-telemetry against this process ---- */

static int
test_telemetry_tool(void)
{
	char cmd[1024];
	int rc;

	DPX_TEST_ASSERT(dpx_test_eal_init("--no-huge", "-l", "0", "--vdev", "net_null0", NULL) > 0,
			"");
	snprintf(cmd, sizeof(cmd),
		 "python3 '%s/test/telemetry_tool_check.py' '%s/usertools/dpx-telemetry' '%s' %d",
		 DPX_SOURCE_ROOT, DPX_SOURCE_ROOT, dpx_eal_file_prefix(), (int)getpid());
	fflush(stdout);
	rc = system(cmd);
	DPX_TEST_ASSERT_EQUAL(dpx_eal_cleanup(), 0, "");
	DPX_TEST_ASSERT(WIFEXITED(rc) && WEXITSTATUS(rc) == 0, "%s: status %d", cmd, rc);
	return DPX_TEST_SUCCESS;
}
DPX_TEST_REGISTER(telemetry_tool, fast, test_telemetry_tool);
