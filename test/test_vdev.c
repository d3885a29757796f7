/* SPDX-License-Identifier: BSD-3-Clause */
/* vdev bus: driver matching by prefix, --vdev at init, exact errors, cleanup. */
#include <dpx_bus_driver.h>
#include <dpx_bus_vdev_driver.h>
#include <dpx_ethdev.h>

#include "dpx_test.h"

static int probes, removes;
static char last_probe[DPX_VDEV_NAME_MAX];
static const char *last_driver;

static int
record_probe(struct dpx_vdev_device *dev, const char *driver)
{
	const struct dpx_kvargs *kv = dpx_vdev_device_kvargs(dev);

	if (dpx_kvargs_get(kv, "fail") != NULL)
		return -EIO; /* a driver's own error, returned as is */
	probes++;
	snprintf(last_probe, sizeof(last_probe), "%s", dpx_vdev_device_name(dev));
	last_driver = driver;
	dpx_vdev_device_set_private(dev, &probes);
	return 0;
}

static int
short_probe(struct dpx_vdev_device *dev)
{
	return record_probe(dev, "test_vdrv");
}

static int
long_probe(struct dpx_vdev_device *dev)
{
	return record_probe(dev, "test_vdrv_long");
}

static int
count_remove(struct dpx_vdev_device *dev)
{
	if (dpx_vdev_device_get_private(dev) != &probes)
		return -EFAULT;
	removes++;
	return 0;
}

static const char *const short_keys[] = {"val", "fail", NULL};

static struct dpx_vdev_driver short_drv = {
	.valid_keys = short_keys,
	.probe = short_probe,
	.remove = count_remove,
};
DPX_PMD_REGISTER_VDEV(test_vdrv, short_drv);

static struct dpx_vdev_driver long_drv = {
	.valid_keys = NULL, /* accepts no argument */
	.probe = long_probe,
	.remove = count_remove,
};
DPX_PMD_REGISTER_VDEV(test_vdrv_long, long_drv);

static int
test_vdev_runtime(void)
{
	char longname[DPX_VDEV_NAME_MAX + 1];

	DPX_TEST_ASSERT(dpx_test_eal_init("--no-huge", "--in-memory", NULL) > 0, "init");
	DPX_TEST_ASSERT(dpx_bus_find_by_name("vdev") != NULL, "vdev bus registered");
	DPX_TEST_ASSERT_EQUAL(dpx_vdev_count(), 0, "");

	DPX_TEST_ASSERT_EQUAL(dpx_vdev_init("test_vdrv0", "val=5"), 0, "");
	DPX_TEST_ASSERT(strcmp(last_driver, "test_vdrv") == 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_vdev_init("test_vdrv_long0", NULL), 0, "");
	DPX_TEST_ASSERT(strcmp(last_driver, "test_vdrv_long") == 0, "longest prefix wins");
	DPX_TEST_ASSERT_EQUAL(dpx_vdev_init("test_vdrv_lon", ""), 0, "");
	DPX_TEST_ASSERT(strcmp(last_driver, "test_vdrv") == 0, "not a prefix of _long");
	DPX_TEST_ASSERT_EQUAL(probes, 3, "");
	DPX_TEST_ASSERT_EQUAL(dpx_vdev_count(), 3, "");
	DPX_TEST_ASSERT(dpx_vdev_exists("test_vdrv0") && !dpx_vdev_exists("test_vdrv1"), "");

	/* exact errors; nothing is created by a failed call */
	DPX_TEST_ASSERT_EQUAL(dpx_vdev_init("test_vdrv0", NULL), -EEXIST, "duplicate");
	DPX_TEST_ASSERT_EQUAL(dpx_vdev_init("net_nosuch0", NULL), -ENOENT, "no driver");
	DPX_TEST_ASSERT_EQUAL(dpx_vdev_init("test_vdr", NULL), -ENOENT, "shorter than a driver");
	DPX_TEST_ASSERT_EQUAL(dpx_vdev_init("test_vdrv1", "bogus=1"), -EINVAL, "unknown key");
	DPX_TEST_ASSERT_EQUAL(dpx_vdev_init("test_vdrv1", "val"), -EINVAL, "malformed");
	DPX_TEST_ASSERT_EQUAL(dpx_vdev_init("test_vdrv1", "val=1,"), -EINVAL, "trailing comma");
	DPX_TEST_ASSERT_EQUAL(dpx_vdev_init("test_vdrv_long1", "val=1"), -EINVAL,
			      "driver without keys takes no argument");
	DPX_TEST_ASSERT_EQUAL(dpx_vdev_init("test_vdrv1", "fail=1"), -EIO, "probe error");
	DPX_TEST_ASSERT_EQUAL(dpx_vdev_init("", NULL), -EINVAL, "empty name");
	DPX_TEST_ASSERT_EQUAL(dpx_vdev_init(NULL, NULL), -EINVAL, "NULL name");
	memset(longname, 'x', sizeof(longname) - 1);
	memcpy(longname, "test_vdrv", 9);
	longname[sizeof(longname) - 1] = '\0';
	DPX_TEST_ASSERT_EQUAL(dpx_vdev_init(longname, NULL), -EINVAL, "name too long");
	DPX_TEST_ASSERT_EQUAL(dpx_vdev_count(), 3, "failed calls left nothing");
	DPX_TEST_ASSERT_EQUAL(probes, 3, "");

	DPX_TEST_ASSERT_EQUAL(dpx_vdev_uninit("test_vdrv0"), 0, "");
	DPX_TEST_ASSERT_EQUAL(removes, 1, "");
	DPX_TEST_ASSERT_EQUAL(dpx_vdev_uninit("test_vdrv0"), -ENOENT, "already gone");
	DPX_TEST_ASSERT_EQUAL(dpx_vdev_uninit(NULL), -EINVAL, "");
	DPX_TEST_ASSERT_EQUAL(dpx_vdev_init("test_vdrv0", NULL), 0, "name reusable");
	/* cleanup removes what was created at run time too */
	DPX_TEST_ASSERT_EQUAL(dpx_eal_cleanup(), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_vdev_count(), 0, "");
	DPX_TEST_ASSERT_EQUAL(removes, 4, "");
	return DPX_TEST_SUCCESS;
}
DPX_TEST_REGISTER(vdev_runtime, fast, test_vdev_runtime);

static int
test_vdev_eal_option(void)
{
	DPX_TEST_ASSERT(dpx_test_eal_init("--no-huge", "--in-memory", "--vdev", "test_vdrv0,val=7",
					  "--vdev=test_vdrv_long_a", NULL) > 0, "init");
	DPX_TEST_ASSERT_EQUAL(probes, 2, "");
	DPX_TEST_ASSERT(dpx_vdev_exists("test_vdrv0") && dpx_vdev_exists("test_vdrv_long_a"), "");
	DPX_TEST_ASSERT_EQUAL(dpx_eal_cleanup(), 0, "");
	DPX_TEST_ASSERT_EQUAL(removes, 2, "");
	DPX_TEST_ASSERT_EQUAL(dpx_vdev_count(), 0, "");

	/* a bad --vdev fails init with the exact error and leaves no device behind */
	DPX_TEST_ASSERT_EQUAL(dpx_test_eal_init("--no-huge", "--in-memory", "--vdev", "test_vdrv0",
						"--vdev", "net_nosuch0,a=1", NULL),
			      -ENOENT, "");
	DPX_TEST_ASSERT_EQUAL(dpx_vdev_count(), 0, "");
	DPX_TEST_ASSERT_EQUAL(removes, 3, "the good one was removed again");
	DPX_TEST_ASSERT_EQUAL(dpx_test_eal_init("--no-huge", "--in-memory", "--vdev",
						"test_vdrv0,val", NULL),
			      -EINVAL, "");
	DPX_TEST_ASSERT_EQUAL(dpx_test_eal_init("--no-huge", "--in-memory", "--vdev", "test_vdrv0",
						"--vdev", "test_vdrv0", NULL),
			      -EEXIST, "");
	int before = probes;
	char longarg[DPX_VDEV_NAME_MAX + 16];
	memset(longarg, 'x', DPX_VDEV_NAME_MAX);
	memcpy(longarg, "test_vdrv", 9);
	strcpy(longarg + DPX_VDEV_NAME_MAX, ",val=1");
	DPX_TEST_ASSERT_EQUAL(dpx_test_eal_init("--no-huge", "--in-memory", "--vdev", "test_vdrv0",
						"--vdev", longarg, NULL),
			      -EINVAL, "name too long, refused by the scan");
	DPX_TEST_ASSERT_EQUAL(probes, before, "the scan ran before any probe");
	DPX_TEST_ASSERT_EQUAL(dpx_vdev_count(), 0, "");
	/* and the EAL can still start afterwards */
	DPX_TEST_ASSERT(dpx_test_eal_init("--no-huge", "--in-memory", NULL) > 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eal_cleanup(), 0, "");
	return DPX_TEST_SUCCESS;
}
DPX_TEST_REGISTER(vdev_eal_option, fast, test_vdev_eal_option);

/*
 * Callbacks that a driver's probe and remove trigger (ethdev NEW and DESTROY)
 * may call the vdev API on the same thread: no deadlock, and the device that
 * is being probed or removed cannot be uninitialised from under its driver.
 */
struct reentry {
	int calls;
	int count_seen;
	int exists_seen;
	int uninit_rc;
};

static int
vdev_reentry_cb(uint16_t port_id, enum dpx_eth_event_type ev, void *arg, void *ret_param)
{
	struct reentry *r = &((struct reentry *)arg)[ev == DPX_ETH_EVENT_NEW ? 0 : 1];
	char name[DPX_ETH_NAME_MAX_LEN];

	(void)ret_param;
	if (dpx_eth_dev_get_name_by_port(port_id, name) != 0)
		return 0;
	r->calls++;
	r->count_seen = (int)dpx_vdev_count();
	r->exists_seen = dpx_vdev_exists(name);
	r->uninit_rc = dpx_vdev_uninit(name);
	return 0;
}

static int
test_vdev_callback_reentry(void)
{
	struct reentry seen[2] = {0};

	DPX_TEST_ASSERT(dpx_test_eal_init("--no-huge", "--in-memory", "-l", "0", NULL) > 0, "init");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_dev_callback_register(DPX_ETH_ALL, DPX_ETH_EVENT_NEW,
							    vdev_reentry_cb, seen), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_dev_callback_register(DPX_ETH_ALL, DPX_ETH_EVENT_DESTROY,
							    vdev_reentry_cb, seen), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_vdev_init("net_null7", NULL), 0, "");
	DPX_TEST_ASSERT_EQUAL(seen[0].calls, 1, "NEW callback ran during probe");
	DPX_TEST_ASSERT_EQUAL(seen[0].count_seen, 1, "the probing device is listed");
	DPX_TEST_ASSERT_EQUAL(seen[0].exists_seen, 1, "");
	DPX_TEST_ASSERT_EQUAL(seen[0].uninit_rc, -EBUSY, "no uninit while probing");
	DPX_TEST_ASSERT_EQUAL(dpx_vdev_count(), 1, "the device survived its own callback");

	DPX_TEST_ASSERT_EQUAL(dpx_vdev_uninit("net_null7"), 0, "");
	DPX_TEST_ASSERT_EQUAL(seen[1].calls, 1, "DESTROY callback ran during remove");
	DPX_TEST_ASSERT_EQUAL(seen[1].exists_seen, 1, "the removing device is still listed");
	DPX_TEST_ASSERT_EQUAL(seen[1].uninit_rc, -EBUSY, "no second uninit while removing");
	DPX_TEST_ASSERT_EQUAL(dpx_vdev_count(), 0, "removed once, freed once");
	DPX_TEST_ASSERT_EQUAL(dpx_eth_dev_count_avail(), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eal_cleanup(), 0, "");
	return DPX_TEST_SUCCESS;
}
DPX_TEST_REGISTER(vdev_callback_reentry, fast, test_vdev_callback_reentry);
