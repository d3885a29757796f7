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
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>

#include <dpx_ethdev.h>
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
	DPX_TEST_ASSERT_EQUAL(vfe_init(fe, 16 << 20), 0, "");
	DPX_TEST_ASSERT_EQUAL(vfe_connect(fe, path), 0, "");
	DPX_TEST_ASSERT_EQUAL(vfe_negotiate(fe, ~0ULL), 0, "");
	DPX_TEST_ASSERT_EQUAL(vfe_set_mem_table(fe), 0, "");
	DPX_TEST_ASSERT_EQUAL(vfe_queue_setup(fe, 0, 256, 2048, false), 0, "");
	DPX_TEST_ASSERT_EQUAL(vfe_queue_setup(fe, 1, 128, 2048, false), 0, "");
	DPX_TEST_ASSERT_EQUAL(vfe_driver_ok(fe), 0, "");
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
