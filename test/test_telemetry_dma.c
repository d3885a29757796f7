/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Telemetry of DMA engines and async vhost, checked against the C API like
 * test_telemetry.c's cases: /dmadev/list, /dmadev/info and /dmadev/stats of
 * two software engines (one bound to a VFIO container of the fake kernel),
 * and the async state of a net_vhost port's vrings in /vhost/info after
 * traffic both ways on the engine.
 */
#include <errno.h>
#include <unistd.h>

#include <jansson.h>

#include <dpx_bus_vdev.h>
#include <dpx_dma_sw.h>
#include <dpx_dmadev.h>
#include <dpx_ethdev.h>
#include <dpx_mbuf.h>
#include <dpx_mempool.h>
#include <dpx_telemetry.h>
#include <dpx_vfio.h>
#include <dpx_vhost_async.h>

#include "dpx_test.h"
#include "telemetry_client.h"
#include "test_ethdev_util.h"
#include "vfio_kernel_fake.h"
#include "vhost_frontend.h"

static json_t *
query(int fd, const char *req, json_t **top)
{
	json_t *v = tel_client_query(fd, req, top);
	char *text = *top != NULL ? json_dumps(*top, JSON_COMPACT) : NULL;

	printf("%s -> %.1500s\n", req, text != NULL ? text : "(no reply)");
	free(text);
	return v;
}

static long long
error_of(const json_t *top)
{
	return jint(json_object_get(top, "error"), "errno");
}

static int
check_dma_info(int fd, int16_t id)
{
	struct dpx_dma_info info;
	json_t *top, *v, *caps;
	char req[64];
	size_t k = 0;
	int cfd;

	DPX_TEST_ASSERT_EQUAL(dpx_dma_info_get(id, &info), 0, "");
	snprintf(req, sizeof(req), "/dmadev/info,%d", id);
	v = query(fd, req, &top);
	DPX_TEST_ASSERT_EQUAL(jint(v, "dev_id"), id, "");
	DPX_TEST_ASSERT(strcmp(jstr(v, "name"), info.dev_name) == 0, "");
	DPX_TEST_ASSERT(strcmp(jstr(v, "driver_name"), info.driver_name) == 0, "");
	DPX_TEST_ASSERT_EQUAL(jint(v, "numa_node"), info.numa_node, "");
	DPX_TEST_ASSERT_EQUAL(jint(v, "max_vchans"), info.max_vchans, "");
	DPX_TEST_ASSERT_EQUAL(jint(v, "nb_vchans"), info.nb_vchans, "");
	DPX_TEST_ASSERT_EQUAL(jint(v, "min_desc"), info.min_desc, "");
	DPX_TEST_ASSERT_EQUAL(jint(v, "max_desc"), info.max_desc, "");
	DPX_TEST_ASSERT_EQUAL(jhex(v, "dev_capa"), info.dev_capa, "");
	caps = json_object_get(v, "capabilities");
	for (unsigned int bit = 0; bit < 64; bit++) {
		const char *name = dpx_dma_capability_name(UINT64_C(1) << bit);

		if (!((info.dev_capa >> bit) & 1) || name == NULL)
			continue;
		DPX_TEST_ASSERT(strcmp(json_string_value(json_array_get(caps, k)), name) == 0,
				"capability %zu is %s", k, name);
		k++;
	}
	DPX_TEST_ASSERT_EQUAL(json_array_size(caps), k, "one name per capability");
	if (dpx_dma_container_get(id, &cfd) == 0)
		DPX_TEST_ASSERT_EQUAL(jint(v, "container_fd"), cfd, "");
	else
		DPX_TEST_ASSERT(json_object_get(v, "container_fd") == NULL, "no container");
	json_decref(top);
	return DPX_TEST_SUCCESS;
}

static int
check_dma_stats(int fd, int16_t id)
{
	struct dpx_dma_stats st;
	struct dpx_dma_info info;
	json_t *top, *v, *vc;
	char req[64];

	DPX_TEST_ASSERT_EQUAL(dpx_dma_info_get(id, &info), 0, "");
	snprintf(req, sizeof(req), "/dmadev/stats,%d", id);
	v = query(fd, req, &top);
	/* nothing runs on the engines now: the counters stand still */
	DPX_TEST_ASSERT_EQUAL(dpx_dma_stats_get(id, DPX_DMA_ALL_VCHAN, &st), 0, "");
	DPX_TEST_ASSERT_EQUAL(jint(v, "submitted"), st.submitted, "");
	DPX_TEST_ASSERT_EQUAL(jint(v, "completed"), st.completed, "");
	DPX_TEST_ASSERT_EQUAL(jint(v, "errors"), st.errors, "");
	vc = json_object_get(v, "vchans");
	DPX_TEST_ASSERT_EQUAL(json_array_size(vc), info.nb_vchans, "");
	for (uint16_t i = 0; i < info.nb_vchans; i++) {
		json_t *e = json_array_get(vc, i);

		DPX_TEST_ASSERT_EQUAL(dpx_dma_stats_get(id, i, &st), 0, "");
		DPX_TEST_ASSERT_EQUAL(jint(e, "vchan"), i, "");
		DPX_TEST_ASSERT_EQUAL(jint(e, "submitted"), st.submitted, "vchan %u", i);
		DPX_TEST_ASSERT_EQUAL(jint(e, "completed"), st.completed, "vchan %u", i);
		DPX_TEST_ASSERT_EQUAL(jint(e, "errors"), st.errors, "vchan %u", i);
	}
	json_decref(top);
	return DPX_TEST_SUCCESS;
}

static int
check_dmadev(int fd)
{
	json_t *top, *v = query(fd, "/dmadev/list", &top);
	size_t i = 0;
	int16_t id;

	DPX_DMA_FOREACH_DEV(id)
	{
		DPX_TEST_ASSERT_EQUAL(json_integer_value(json_array_get(v, i)), id, "");
		i++;
	}
	DPX_TEST_ASSERT_EQUAL(json_array_size(v), i, "");
	DPX_TEST_ASSERT_EQUAL(i, 2, "two engines");
	json_decref(top);
	DPX_DMA_FOREACH_DEV(id)
	{
		DPX_TEST_RUN(check_dma_info(fd, id));
		DPX_TEST_RUN(check_dma_stats(fd, id));
	}
	v = query(fd, "/dmadev/stats,63", &top);
	DPX_TEST_ASSERT_EQUAL(error_of(top), ENODEV, "no device 63");
	json_decref(top);
	v = query(fd, "/dmadev/info,x", &top);
	DPX_TEST_ASSERT_EQUAL(error_of(top), EINVAL, "a bad id");
	json_decref(top);
	v = query(fd, "/dmadev/stats", &top);
	DPX_TEST_ASSERT_EQUAL(error_of(top), EINVAL, "no id");
	json_decref(top);
	return DPX_TEST_SUCCESS;
}

/* Each vring's async fields against dpx_vhost_async_stats_get; vring 2q on
 * vchan want_vchan[0], 2q+1 on want_vchan[1], both on DMA device dma. */
static int
check_vhost_async(int fd, int vid, int16_t dma, const int want_vchan[2])
{
	struct dpx_vhost_async_stats st;
	json_t *top, *v, *rings;
	char req[64];

	snprintf(req, sizeof(req), "/vhost/info,%d", vid);
	v = query(fd, req, &top);
	rings = json_object_get(v, "vrings");
	DPX_TEST_ASSERT_EQUAL(json_array_size(rings), 2, "");
	for (size_t i = 0; i < 2; i++) {
		json_t *r = json_array_get(rings, i);
		uint16_t idx = (uint16_t)jint(r, "index");

		DPX_TEST_ASSERT(json_is_true(json_object_get(r, "async")), "vring %u async", idx);
		DPX_TEST_ASSERT_EQUAL(dpx_vhost_async_stats_get(vid, idx, &st, 0), 0, "");
		DPX_TEST_ASSERT(st.submitted > 0, "vring %u moved packets", idx);
		DPX_TEST_ASSERT_EQUAL(jint(r, "dma_id"), dma, "vring %u", idx);
		DPX_TEST_ASSERT_EQUAL(jint(r, "vchan"), want_vchan[idx & 1], "vring %u", idx);
		DPX_TEST_ASSERT_EQUAL(jint(r, "async_submitted"), st.submitted, "vring %u", idx);
		DPX_TEST_ASSERT_EQUAL(jint(r, "async_completed"), st.completed, "vring %u", idx);
		DPX_TEST_ASSERT_EQUAL(jint(r, "async_in_flight"), st.in_flight, "vring %u", idx);
		DPX_TEST_ASSERT_EQUAL(jint(r, "async_dma_copies"), st.dma_copies, "vring %u", idx);
		DPX_TEST_ASSERT_EQUAL(jint(r, "async_cpu_copies"), st.cpu_copies, "vring %u", idx);
		DPX_TEST_ASSERT_EQUAL(jint(r, "async_dma_errors"), st.dma_errors, "vring %u", idx);
	}
	json_decref(top);
	return DPX_TEST_SUCCESS;
}

/* Three packets each way through the async port; in flight none at the end. */
static int
move_packets(struct vfe *fe, const char *path, uint16_t port, struct dpx_mempool *mp)
{
	static uint8_t buf[2048];
	struct dpx_mbuf *m[8];
	struct dpx_eth_link l;
	unsigned int got = 0;
	uint16_t n = 0;

	DPX_TEST_RUN(port_start(port, 1, 1, mp));
	DPX_TEST_ASSERT_EQUAL(vfe_init(fe, 16 << 20), 0, "");
	DPX_TEST_ASSERT_EQUAL(vfe_connect(fe, path), 0, "");
	DPX_TEST_ASSERT_EQUAL(vfe_negotiate(fe, ~0ULL), 0, "");
	DPX_TEST_ASSERT_EQUAL(vfe_set_mem_table(fe), 0, "");
	DPX_TEST_ASSERT_EQUAL(vfe_queue_setup(fe, 0, 256, 2048, false), 0, "");
	DPX_TEST_ASSERT_EQUAL(vfe_queue_setup(fe, 1, 128, 2048, false), 0, "");
	DPX_TEST_ASSERT_EQUAL(vfe_driver_ok(fe), 0, "");
	for (int i = 0; i < 5000 && (dpx_eth_link_get_nowait(port, &l) != 0 || !l.link_status); i++)
		usleep(1000);
	DPX_TEST_ASSERT(l.link_status, "the guest came up");
	vfe_rx_post(fe, 0, 8, 1);
	memset(buf, 0x5c, 300);
	for (int i = 0; i < 3; i++)
		DPX_TEST_ASSERT_EQUAL(vfe_tx_post(fe, 1, buf, 300, 1), 0, "");
	for (int i = 0; i < 200000 && n < 3; i++)
		n = (uint16_t)(n + dpx_eth_rx_burst(port, 0, m + n, (uint16_t)(8 - n)));
	DPX_TEST_ASSERT_EQUAL(n, 3, "guest to host");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_tx_burst(port, 0, m, n), n, "host to guest");
	for (int i = 0; i < 200000 && got < 3; i++) {
		int len = vfe_rx_take(fe, 0, buf, sizeof(buf));

		if (len == 0)
			dpx_eth_rx_burst(port, 0, m, 0);
		got += len == 300;
	}
	DPX_TEST_ASSERT_EQUAL(got, 3, "");
	return DPX_TEST_SUCCESS;
}

static int
test_telemetry_dma(void)
{
	struct dpx_dma_conf conf = {.nb_vchans = 1};
	struct dpx_dma_vchan_conf vconf = {.direction = DPX_DMA_DIR_MEM_TO_MEM, .nb_desc = 256};
	const int vchans[2] = {0, 1}; /* txq0 (vring 0), then rxq0 (vring 1) */
	char path[108], arg[256];
	struct dpx_mempool *mp;
	int16_t sw0, sw1;
	struct vfe fe;
	int fd, c, rc;

	vfe_sock_path(path, sizeof(path), "teldma");
	snprintf(arg, sizeof(arg),
		 "net_vhost0,iface=%s,dmas=[txq0@dma_sw0;rxq0@dma_sw0],dma_copy_threshold=0", path);
	kfake_reset(KMODEL_TYPE1V2);
	kfake_add_group(9, true);
	DPX_TEST_ASSERT_EQUAL(vfio_set_kernel_ops(&kfake_ops), 0, "");
	DPX_TEST_ASSERT(dpx_test_eal_init("--no-huge", "--vdev", "dma_sw0", "--vdev", arg, "--vdev",
					  "dma_sw1", NULL) > 0,
			"");
	sw0 = (int16_t)dpx_dma_get_dev_id_by_name("dma_sw0");
	sw1 = (int16_t)dpx_dma_get_dev_id_by_name("dma_sw1");
	/* dma_sw1 behind a container: its info names it */
	c = dpx_vfio_container_create();
	DPX_TEST_ASSERT(c >= 0 && dpx_vfio_container_group_bind(c, 9) >= 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_dma_configure(sw1, &conf), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_dma_vchan_setup(sw1, 0, &vconf), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_dma_sw_bind_container(sw1, c), 0, "");
	mp = dpx_pktmbuf_pool_create("teldma_mp", 512, 0, 0, DPX_MBUF_DEFAULT_BUF_SIZE, -1);
	DPX_TEST_ASSERT(mp != NULL, "");
	DPX_TEST_RUN(move_packets(&fe, path, port_of("net_vhost0"), mp));

	fd = tel_client_connect(dpx_telemetry_socket_path());
	DPX_TEST_ASSERT(fd >= 0, "connect: %d", fd);
	json_decref(tel_client_recv_json(fd));
	rc = check_dmadev(fd);
	if (rc == DPX_TEST_SUCCESS) {
		struct dpx_dma_stats st;
		json_t *top, *v = query(fd, "/vhost/list", &top);
		int vid = (int)json_integer_value(json_array_get(v, 0));

		json_decref(top);
		DPX_TEST_ASSERT_EQUAL(dpx_dma_stats_get(sw0, DPX_DMA_ALL_VCHAN, &st), 0, "");
		DPX_TEST_ASSERT(st.submitted >= 6, "the port's copies ran on dma_sw0");
		rc = check_vhost_async(fd, vid, sw0, vchans);
	}
	close(fd);
	vfe_fini(&fe);
	dpx_eth_dev_stop(port_of("net_vhost0"));
	dpx_eth_dev_close(port_of("net_vhost0"));
	DPX_TEST_ASSERT_EQUAL(dpx_mempool_in_use_count(mp), 0, "");
	dpx_mempool_free(mp);
	DPX_TEST_ASSERT_EQUAL(dpx_dma_sw_unbind_container(sw1), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_vfio_container_destroy(c), 0, "");
	dpx_eal_cleanup();
	vfio_set_kernel_ops(NULL);
	return rc;
}
DPX_TEST_REGISTER(telemetry_dma, fast, test_telemetry_dma);
