/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * PCI bus: addresses, the -a/-b policy and id matching (pure), sysfs parsing
 * and the whole probe path on a fake sysfs tree and the fake VFIO kernel
 * (test/vfio_kernel_fake.c: device fds are memfds, so BAR mappings and
 * config space accesses are real), and dpx-devbind agreeing with the bus.
 */
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/pci_regs.h>

#include <dpx_bus_pci.h>
#include <dpx_bus_pci_driver.h>
#include <dpx_vfio.h>

#include "dpx_test.h"
#include "pci_fake_sysfs.h"
#include "pci_private.h"
#include "vfio_kernel_fake.h"

extern int vfio_logtype;
extern int eal_logtype;

/* ---- pure parts ---- */

struct addr_case {
	const char *s;
	int rc;
	const char *formatted;
};

static const struct addr_case addr_cases[] = {
	{"0000:00:03.0", 0, "0000:00:03.0"},
	{"00:03.0", 0, "0000:00:03.0"},
	{"ABCD:eF:1f.7", 0, "abcd:ef:1f.7"},
	{"10000:00:00.0", 0, "10000:00:00.0"},
	{"ffffffff:ff:1f.7", 0, "ffffffff:ff:1f.7"},
	{"0:0:0.0", 0, "0000:00:00.0"},
	{"", -EINVAL, NULL},
	{"00:03", -EINVAL, NULL},
	{"03.0", -EINVAL, NULL},
	{"0000:00:20.0", -EINVAL, NULL},
	{"0000:00:03.8", -EINVAL, NULL},
	{"0000:100:03.0", -EINVAL, NULL},
	{"100000000:00:03.0", -EINVAL, NULL},
	{"0000:00:03.0x", -EINVAL, NULL},
	{"0000:00:03.0,", -EINVAL, NULL},
	{"0000:00:03.00", -EINVAL, NULL},
	{":00:03.0", -EINVAL, NULL},
	{"0:0:0:0.0", -EINVAL, NULL},
	{" 00:03.0", -EINVAL, NULL},
	{"00:-3.0", -EINVAL, NULL},
	{"0x0:00:03.0", -EINVAL, NULL},
	{"g0:00.0", -EINVAL, NULL},
};

static int
test_pci_addr(void)
{
	struct dpx_pci_addr a, b;
	char buf[DPX_PCI_NAME_MAX];

	for (size_t i = 0; i < DPX_DIM(addr_cases); i++) {
		const struct addr_case *c = &addr_cases[i];
		DPX_TEST_ASSERT_EQUAL(dpx_pci_addr_parse(c->s, &a), c->rc, "'%s'", c->s);
		if (c->rc != 0)
			continue;
		DPX_TEST_ASSERT_EQUAL(dpx_pci_addr_format(&a, buf, sizeof(buf)),
				      (int)strlen(c->formatted), "'%s'", c->s);
		DPX_TEST_ASSERT(strcmp(buf, c->formatted) == 0, "'%s' -> '%s'", c->s, buf);
	}
	DPX_TEST_ASSERT_EQUAL(dpx_pci_addr_parse(NULL, &a), -EINVAL, "");
	DPX_TEST_ASSERT_EQUAL(dpx_pci_addr_format(&a, buf, 12), -ENOSPC, "no room for the NUL");
	DPX_TEST_ASSERT_EQUAL(strlen(buf), 11, "cut, terminated");
	/* order: domain, bus, device, function */
	dpx_pci_addr_parse("0000:01:00.0", &a);
	dpx_pci_addr_parse("0000:00:1f.7", &b);
	DPX_TEST_ASSERT(dpx_pci_addr_cmp(&a, &b) > 0 && dpx_pci_addr_cmp(&b, &a) < 0, "");
	dpx_pci_addr_parse("0001:00:00.0", &b);
	DPX_TEST_ASSERT(dpx_pci_addr_cmp(&a, &b) < 0, "domain first");
	dpx_pci_addr_parse("0000:01:00.1", &b);
	DPX_TEST_ASSERT(dpx_pci_addr_cmp(&a, &b) < 0 && dpx_pci_addr_cmp(&a, &a) == 0, "");
	return DPX_TEST_SUCCESS;
}
DPX_TEST_REGISTER(pci_addr, fast, test_pci_addr);

static enum dpx_pci_state
verdict(const struct pci_policy *p, const char *bdf, const char **args)
{
	const struct pci_devarg *arg;
	struct dpx_pci_addr a;
	enum dpx_pci_state st;

	dpx_pci_addr_parse(bdf, &a);
	st = pci_policy_check(p, &a, &arg);
	*args = arg != NULL ? arg->args : NULL;
	return st;
}

static int
test_pci_policy(void)
{
	const char *allow[] = {"0000:00:03.0,verify=1,irq=msi", "00:04.0", "0000:00:05.0"};
	const char *dup[] = {"0000:00:03.0", "00:03.0,x=1"};
	const char *bad[] = {"0000:00:03.0", "0000:00:3g.0"};
	const char *block[] = {"00:04.0", "00:04.0"};
	const char *block_args[] = {"00:04.0,x=1"};
	struct pci_policy p;
	const char *args;
	char err[256];

	/* no list: everything may be probed, without devargs */
	DPX_TEST_ASSERT_EQUAL(pci_policy_parse(&p, NULL, 0, NULL, 0, err, sizeof(err)), 0, "");
	DPX_TEST_ASSERT_EQUAL(verdict(&p, "0000:00:03.0", &args), DPX_PCI_STATE_PROBED, "");
	DPX_TEST_ASSERT(args == NULL, "");

	DPX_TEST_ASSERT_EQUAL(pci_policy_parse(&p, allow, 3, NULL, 0, err, sizeof(err)), 0, "%s",
			      err);
	DPX_TEST_ASSERT_EQUAL(verdict(&p, "0000:00:03.0", &args), DPX_PCI_STATE_PROBED, "");
	DPX_TEST_ASSERT(strcmp(args, "verify=1,irq=msi") == 0, "%s", args);
	DPX_TEST_ASSERT_EQUAL(verdict(&p, "0000:00:04.0", &args), DPX_PCI_STATE_PROBED,
			      "short form matches the long one");
	DPX_TEST_ASSERT(strcmp(args, "") == 0, "");
	DPX_TEST_ASSERT_EQUAL(verdict(&p, "0000:00:06.0", &args), DPX_PCI_STATE_NOT_ALLOWED, "");
	DPX_TEST_ASSERT_EQUAL(verdict(&p, "0001:00:03.0", &args), DPX_PCI_STATE_NOT_ALLOWED,
			      "another domain");
	DPX_TEST_ASSERT_EQUAL(verdict(&p, "0000:00:03.1", &args), DPX_PCI_STATE_NOT_ALLOWED,
			      "another function");

	DPX_TEST_ASSERT_EQUAL(pci_policy_parse(&p, NULL, 0, block, 2, err, sizeof(err)), 0,
			      "a device blocked twice is still blocked");
	DPX_TEST_ASSERT_EQUAL(verdict(&p, "0000:00:04.0", &args), DPX_PCI_STATE_BLOCKED, "");
	DPX_TEST_ASSERT_EQUAL(verdict(&p, "0000:00:03.0", &args), DPX_PCI_STATE_PROBED, "");

	DPX_TEST_ASSERT_EQUAL(pci_policy_parse(&p, dup, 2, NULL, 0, err, sizeof(err)), -EINVAL, "");
	DPX_TEST_ASSERT(strstr(err, "-a 00:03.0,x=1: the device is given twice") != NULL, "%s",
			err);
	DPX_TEST_ASSERT_EQUAL(pci_policy_parse(&p, bad, 2, NULL, 0, err, sizeof(err)), -EINVAL, "");
	DPX_TEST_ASSERT(strstr(err, "-a 0000:00:3g.0: not a PCI address") != NULL, "%s", err);
	DPX_TEST_ASSERT_EQUAL(pci_policy_parse(&p, NULL, 0, block_args, 1, err, sizeof(err)),
			      -EINVAL, "");
	DPX_TEST_ASSERT(strstr(err, "-b 00:04.0,x=1") != NULL, "%s", err);
	DPX_TEST_ASSERT_EQUAL(
		pci_policy_parse(&p, allow, PCI_MAX_DEVARGS + 1, NULL, 0, err, sizeof(err)),
		-EINVAL, "");
	return DPX_TEST_SUCCESS;
}
DPX_TEST_REGISTER(pci_policy, fast, test_pci_policy);

static int
test_pci_id_match(void)
{
	static const struct dpx_pci_id table[] = {
		DPX_PCI_DEVICE(0x1234, 0x11e8),
		{0x8086, 0x1572, 0x8086, 0x0001},
		{0},
		DPX_PCI_DEVICE(0x1af4, 0x1000), /* after the end: never read */
	};
	struct dpx_pci_device_info info = {.vendor_id = 0x1234, .device_id = 0x11e8};

	DPX_TEST_ASSERT(pci_id_match(table, &info), "");
	info.subsystem_vendor_id = 0x1af4;
	DPX_TEST_ASSERT(pci_id_match(table, &info), "any subsystem");
	info.device_id = 0x11e9;
	DPX_TEST_ASSERT(!pci_id_match(table, &info), "");
	info = (struct dpx_pci_device_info){.vendor_id = 0x8086, .device_id = 0x1572};
	DPX_TEST_ASSERT(!pci_id_match(table, &info), "subsystem named and different");
	info.subsystem_vendor_id = 0x8086;
	info.subsystem_device_id = 0x0001;
	DPX_TEST_ASSERT(pci_id_match(table, &info), "");
	info = (struct dpx_pci_device_info){.vendor_id = 0x1af4, .device_id = 0x1000};
	DPX_TEST_ASSERT(!pci_id_match(table, &info), "the table ends at vendor 0");
	DPX_TEST_ASSERT(!pci_id_match(NULL, &info), "");
	return DPX_TEST_SUCCESS;
}
DPX_TEST_REGISTER(pci_id_match, fast, test_pci_id_match);

/* ---- sysfs parsing on a fake tree ---- */

/* The test driver's id (no real vendor), a device on vfio-pci, one elsewhere, others. */
#define TEST_VENDOR "0xdeed"
#define TEST_DEVICE "0x0001"

static const struct pci_fake_dev fake_devs[] = {
	{"0000:00:04.0", TEST_VENDOR, TEST_DEVICE, "0x00ff00", "virtio-pci", 5, "0"},
	{"0000:00:03.0", TEST_VENDOR, TEST_DEVICE, "0x00ff00", "vfio-pci", 11, "-1"},
	{"0000:00:02.0", "0x1af4", "0x1000", "0x020000", "virtio-pci", 4, "0"},
	{"0001:02:00.0", "0x8086", "0x1572", "0x020000", NULL, -1, NULL},
	{"0000:00:1f.7", "0x1b36", "0x000d", NULL, "xhci_hcd", -1, "1"},
};

static int
make_tree(char *root, size_t len)
{
	DPX_TEST_ASSERT_EQUAL(pci_fake_sysfs_create(root, len), 0, "%s", root);
	for (size_t i = 0; i < DPX_DIM(fake_devs); i++)
		DPX_TEST_ASSERT_EQUAL(pci_fake_sysfs_add(root, &fake_devs[i]), 0, "%s",
				      fake_devs[i].bdf);
	return DPX_TEST_SUCCESS;
}

static int
test_pci_sysfs(void)
{
	static const struct pci_fake_dev odd[] = {
		{"0000:00:09.0", NULL, TEST_DEVICE, NULL, NULL, -1, NULL}, /* no vendor */
		{"0000:00:0a.0", "zz", TEST_DEVICE, NULL, NULL, -1, NULL}, /* garbage */
		{"0000:00:0b.0", "0x12345", TEST_DEVICE, NULL, NULL, -1, NULL},
		{"0000:00:0c.0", TEST_VENDOR, TEST_DEVICE, NULL, NULL, -1, "one"},
		{"not-a-bdf", TEST_VENDOR, TEST_DEVICE, NULL, NULL, -1, NULL},
	};
	struct dpx_pci_device_info *list, info;
	char root[256], dev[300];
	unsigned int n;
	unsigned int saved = (unsigned int)dpx_log_get_level(bus_pci_logtype);

	DPX_TEST_RUN(make_tree(root, sizeof(root)));
	pci_fake_sysfs_devices(root, dev, sizeof(dev));
	DPX_TEST_ASSERT_EQUAL(pci_sysfs_read_device(dev, "0000:00:03.0", &info), 0, "");
	DPX_TEST_ASSERT(strcmp(info.name, "0000:00:03.0") == 0, "%s", info.name);
	DPX_TEST_ASSERT_EQUAL(info.vendor_id, 0xdeed, "");
	DPX_TEST_ASSERT_EQUAL(info.device_id, 0x0001, "");
	DPX_TEST_ASSERT_EQUAL(info.subsystem_vendor_id, 0x1af4, "");
	DPX_TEST_ASSERT_EQUAL(info.subsystem_device_id, 0x1100, "");
	DPX_TEST_ASSERT_EQUAL(info.class_id, 0x00ff00, "");
	DPX_TEST_ASSERT_EQUAL(info.numa_node, -1, "");
	DPX_TEST_ASSERT(strcmp(info.kernel_driver, "vfio-pci") == 0, "%s", info.kernel_driver);
	DPX_TEST_ASSERT_EQUAL(info.iommu_group, 11, "");
	DPX_TEST_ASSERT_EQUAL(pci_sysfs_read_device(dev, "0001:02:00.0", &info), 0, "");
	DPX_TEST_ASSERT(info.kernel_driver[0] == '\0' && info.iommu_group == -1 &&
				info.numa_node == -1 && info.class_id == 0x020000,
			"no driver, group or node");
	DPX_TEST_ASSERT_EQUAL(pci_sysfs_read_device(dev, "0000:00:1f.7", &info), 0, "");
	DPX_TEST_ASSERT(info.class_id == 0 && info.numa_node == 1, "no class file");
	DPX_TEST_ASSERT_EQUAL(pci_sysfs_read_device(dev, "0000:00:07.0", &info), -ENOENT, "");

	dpx_log_set_level(bus_pci_logtype, DPX_LOG_EMERG);
	for (size_t i = 0; i < DPX_DIM(odd); i++)
		DPX_TEST_ASSERT_EQUAL(pci_fake_sysfs_add(root, &odd[i]), 0, "");
	DPX_TEST_ASSERT_EQUAL(pci_sysfs_read_device(dev, "0000:00:09.0", &info), -ENOENT, "");
	DPX_TEST_ASSERT_EQUAL(pci_sysfs_read_device(dev, "0000:00:0a.0", &info), -EINVAL, "");
	DPX_TEST_ASSERT_EQUAL(pci_sysfs_read_device(dev, "0000:00:0b.0", &info), -EINVAL,
			      "a vendor id above 16 bits");
	DPX_TEST_ASSERT_EQUAL(pci_sysfs_read_device(dev, "0000:00:0c.0", &info), -EINVAL, "");
	DPX_TEST_ASSERT_EQUAL(pci_sysfs_read_device(dev, "not-a-bdf", &info), -EINVAL, "");

	/* the scan keeps the devices, skips the rest, sorts by address */
	DPX_TEST_ASSERT_EQUAL(pci_sysfs_scan(dev, &list, &n), 0, "");
	dpx_log_set_level(bus_pci_logtype, saved);
	DPX_TEST_ASSERT_EQUAL(n, DPX_DIM(fake_devs), "");
	static const char *const order[] = {"0000:00:02.0", "0000:00:03.0", "0000:00:04.0",
					    "0000:00:1f.7", "0001:02:00.0"};
	for (unsigned int i = 0; i < n; i++)
		DPX_TEST_ASSERT(strcmp(list[i].name, order[i]) == 0, "%u: %s", i, list[i].name);
	free(list);
	DPX_TEST_ASSERT_EQUAL(pci_fake_sysfs_remove(root), 0, "");
	DPX_TEST_ASSERT_EQUAL(pci_sysfs_scan(dev, &list, &n), 0, "a missing folder: no device");
	DPX_TEST_ASSERT(n == 0 && list == NULL, "");
	return DPX_TEST_SUCCESS;
}
DPX_TEST_REGISTER(pci_sysfs, fast, test_pci_sysfs);

/* Write a file of len bytes (contents repeated) at dev/bdf/file. */
static int
write_file(const char *dev, const char *bdf, const char *file, const char *contents, size_t len)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s/%s", dev, bdf, file);
	f = fopen(path, "w");
	DPX_TEST_ASSERT(f != NULL, "%s", path);
	for (size_t i = 0; i < len; i++)
		fputc(contents[i % (strlen(contents) > 0 ? strlen(contents) : 1)], f);
	DPX_TEST_ASSERT_EQUAL(fclose(f), 0, "");
	return DPX_TEST_SUCCESS;
}

/*
 * A sysfs tree (SYSFS_PCI_DEVICES may name any folder) whose files are not
 * what the kernel writes: the scan neither hangs, nor takes garbage for an
 * id, nor lists one device twice. Each odd device has a good device file, so
 * only the odd part can make it fail.
 */
static int
test_pci_sysfs_hostile(void)
{
	static const char *const skipped[] = {
		"0000:00:10.0", /* vendor: 4 KiB of digits (only 63 would be read) */
		"0000:00:11.0", /* vendor: NUL bytes */
		"0000:00:12.0", /* vendor: a FIFO nobody writes (opening it would block) */
		"0000:00:13.0", /* vendor: a symlink to itself */
		"0000:00:14.0", /* vendor: a folder */
		"0000:00:15.0", /* vendor: " 0xdeed", a space first */
		"0000:00:16.0", /* vendor: "+0xdeed" */
		"0000:00:17.0", /* vendor -> /dev/zero */
		"0000:00:18.0", /* numa_node: "--1" */
	};
	struct dpx_pci_device_info *list, info;
	char root[256], dev[300], path[512], big[4097]; /* 4 KiB and a NUL */
	unsigned int n;
	unsigned int saved = (unsigned int)dpx_log_get_level(bus_pci_logtype);

	DPX_TEST_RUN(make_tree(root, sizeof(root)));
	pci_fake_sysfs_devices(root, dev, sizeof(dev));
	for (size_t i = 0; i < DPX_DIM(skipped); i++) {
		struct pci_fake_dev d = {skipped[i], NULL, TEST_DEVICE, NULL, NULL, -1, NULL};
		DPX_TEST_ASSERT_EQUAL(pci_fake_sysfs_add(root, &d), 0, "");
	}
	memset(big, '0', sizeof(big) - 1);
	memcpy(big + sizeof(big) - 6, "deed\n", 6);
	DPX_TEST_RUN(write_file(dev, "0000:00:10.0", "vendor", big, sizeof(big) - 1));
	DPX_TEST_RUN(write_file(dev, "0000:00:11.0", "vendor", "", 16));
	snprintf(path, sizeof(path), "%s/0000:00:12.0/vendor", dev);
	DPX_TEST_ASSERT_EQUAL(mkfifo(path, 0600), 0, "%s", path);
	snprintf(path, sizeof(path), "%s/0000:00:13.0/vendor", dev);
	DPX_TEST_ASSERT_EQUAL(symlink("vendor", path), 0, "");
	snprintf(path, sizeof(path), "%s/0000:00:14.0/vendor", dev);
	DPX_TEST_ASSERT_EQUAL(mkdir(path, 0700), 0, "");
	DPX_TEST_RUN(write_file(dev, "0000:00:15.0", "vendor", " 0xdeed\n", 8));
	DPX_TEST_RUN(write_file(dev, "0000:00:16.0", "vendor", "+0xdeed\n", 8));
	snprintf(path, sizeof(path), "%s/0000:00:17.0/vendor", dev);
	DPX_TEST_ASSERT_EQUAL(symlink("/dev/zero", path), 0, "");
	DPX_TEST_RUN(write_file(dev, "0000:00:18.0", "vendor", TEST_VENDOR, strlen(TEST_VENDOR)));
	DPX_TEST_RUN(write_file(dev, "0000:00:18.0", "numa_node", "--1", 3));
	/* other spellings of an address the tree has: one device, listed once */
	for (const char *const *alias = (const char *const[]){"00:03.0", "0000:00:03.00", NULL};
	     *alias != NULL; alias++) {
		char target[512];
		snprintf(path, sizeof(path), "%s/%s", dev, *alias);
		snprintf(target, sizeof(target), "%s/0000:00:03.0", dev);
		DPX_TEST_ASSERT_EQUAL(symlink(target, path), 0, "%s", *alias);
	}
	struct pci_fake_dev upper = {"0000:00:0A.0", TEST_VENDOR, TEST_DEVICE, NULL,
				     NULL,	     -1,	  NULL};
	struct pci_fake_dev lower = {"0000:00:0a.0", TEST_VENDOR, TEST_DEVICE, NULL,
				     NULL,	     -1,	  NULL};
	DPX_TEST_ASSERT_EQUAL(pci_fake_sysfs_add(root, &upper), 0, "");
	DPX_TEST_ASSERT_EQUAL(pci_fake_sysfs_add(root, &lower), 0, "");
	/* a device folder that is a symlink loop */
	snprintf(path, sizeof(path), "%s/0000:00:19.0", dev);
	DPX_TEST_ASSERT_EQUAL(symlink("0000:00:19.0", path), 0, "");

	dpx_log_set_level(bus_pci_logtype, DPX_LOG_EMERG);
	for (size_t i = 0; i < DPX_DIM(skipped); i++)
		DPX_TEST_ASSERT_EQUAL(pci_sysfs_read_device(dev, skipped[i], &info), -EINVAL, "%s",
				      skipped[i]);
	DPX_TEST_ASSERT_EQUAL(pci_sysfs_read_device(dev, "00:03.0", &info), -EINVAL,
			      "not the kernel's spelling");
	DPX_TEST_ASSERT_EQUAL(pci_sysfs_read_device(dev, "0000:00:0A.0", &info), -EINVAL, "");
	DPX_TEST_ASSERT_EQUAL(pci_sysfs_scan(dev, &list, &n), 0, "");
	dpx_log_set_level(bus_pci_logtype, saved);
	DPX_TEST_ASSERT_EQUAL(n, DPX_DIM(fake_devs) + 1, "the good ones and 0000:00:0a.0");
	for (unsigned int i = 0; i + 1 < n; i++)
		DPX_TEST_ASSERT(dpx_pci_addr_cmp(&list[i].addr, &list[i + 1].addr) < 0,
				"%s listed twice", list[i].name);
	free(list);
	DPX_TEST_ASSERT_EQUAL(pci_fake_sysfs_remove(root), 0, "");
	return DPX_TEST_SUCCESS;
}
DPX_TEST_REGISTER(pci_sysfs_hostile, fast, test_pci_sysfs_hostile);

/* ---- the bus on the fake kernel ---- */

#define PROBE_FAIL_KEY "fail"

static struct {
	unsigned int probes, removes;
	uint16_t command; /* the command register the driver saw */
	char args[64];	  /* its devargs */
	void *bar0;
	uint64_t bar0_len;
	int intr_enable; /* dpx_pci_intr_enable's result */
	uint32_t intr_index;
} seen;

static int
test_drv_probe(struct dpx_pci_device *dev)
{
	if (dpx_kvargs_get(dev->kvargs, PROBE_FAIL_KEY) != NULL ||
	    getenv("DPX_TEST_PCI_PROBE_FAIL") != NULL)
		return -EIO;
	seen.probes++;
	snprintf(seen.args, sizeof(seen.args), "%s", dev->args);
	if (dpx_pci_config_read(dev, &seen.command, 2, PCI_COMMAND) != 0)
		return -EFAULT;
	seen.bar0 = dev->mem_resource[0].addr;
	seen.bar0_len = dev->mem_resource[0].len;
	if (seen.bar0 != NULL)
		memcpy(seen.bar0, "dpx-bar0", 8); /* lands in the fake device's memfd */
	seen.intr_index = dev->intr.index;
	seen.intr_enable = dpx_pci_intr_enable(dev);
	dev->priv = &seen;
	return 0;
}

static int
test_drv_remove(struct dpx_pci_device *dev)
{
	if (dev->priv != &seen)
		return -EFAULT;
	seen.removes++;
	return 0;
}

static const struct dpx_pci_id test_ids[] = {DPX_PCI_DEVICE(0xdeed, 0x0001), {0}};
static const char *const test_keys[] = {"mode", PROBE_FAIL_KEY, NULL};
static struct dpx_pci_driver test_drv = {
	.id_table = test_ids,
	.valid_keys = test_keys,
	.probe = test_drv_probe,
	.remove = test_drv_remove,
};
DPX_PCI_DRIVER_REGISTER(test_pci_drv, test_drv);

/* Every init starts with nothing seen by the test driver. */
static int
fake_init(const char *root, const char *a1, const char *a2, const char *a3)
{
	memset(&seen, 0, sizeof(seen));
	return pci_fake_eal_init(root, a1, a2, a3);
}

static enum dpx_pci_state
state_of(const char *bdf)
{
	struct dpx_pci_device_info info;

	return dpx_pci_device_info_find(bdf, &info) == 0 ? info.state : (enum dpx_pci_state) - 1;
}

/* No -a: the device on vfio-pci is probed, its BAR mapped, bus master set, INTx ready. */
static int
probe_default(const char *root)
{
	struct dpx_pci_device_info info;
	char bar[8];

	DPX_TEST_ASSERT(fake_init(root, NULL, NULL, NULL) > 0, "init");
	DPX_TEST_ASSERT_EQUAL(dpx_pci_device_count(), DPX_DIM(fake_devs), "");
	DPX_TEST_ASSERT_EQUAL(seen.probes, 1, "");
	DPX_TEST_ASSERT_EQUAL(state_of("00:03.0"), DPX_PCI_STATE_PROBED, "");
	DPX_TEST_ASSERT_EQUAL(state_of("00:04.0"), DPX_PCI_STATE_NOT_VFIO, "");
	DPX_TEST_ASSERT_EQUAL(state_of("00:02.0"), DPX_PCI_STATE_NO_DRIVER, "");
	DPX_TEST_ASSERT_EQUAL(dpx_pci_device_info_find("00:03.0", &info), 0, "");
	DPX_TEST_ASSERT(strcmp(info.driver, "test_pci_drv") == 0, "%s", info.driver);
	DPX_TEST_ASSERT_EQUAL(dpx_pci_device_info_find("00:07.0", &info), -ENOENT, "");
	DPX_TEST_ASSERT_EQUAL(dpx_pci_device_info_find("bogus", &info), -EINVAL, "");
	DPX_TEST_ASSERT_EQUAL(dpx_pci_device_info_get(DPX_DIM(fake_devs), &info), -ENOENT, "");
	DPX_TEST_ASSERT(seen.command & PCI_COMMAND_MASTER, "bus master not set: 0x%x",
			seen.command);
	DPX_TEST_ASSERT(seen.bar0 != NULL && seen.bar0_len == 4096, "BAR0 %p len %" PRIu64,
			seen.bar0, seen.bar0_len);
	/* the BAR mapping is the device's region: what the driver wrote is in the fd */
	int dev_fd = -1;
	for (unsigned int i = 0; i < KFAKE_MAX; i++)
		if (kfake.devices[i] >= 0)
			dev_fd = kfake.devices[i];
	DPX_TEST_ASSERT(dev_fd >= 0, "no device open in the fake kernel");
	DPX_TEST_ASSERT_EQUAL(pread(dev_fd, bar, 8, KFAKE_BAR0_OFFSET), 8, "");
	DPX_TEST_ASSERT(memcmp(bar, "dpx-bar0", 8) == 0, "");
	DPX_TEST_ASSERT_EQUAL(seen.intr_index, VFIO_PCI_INTX_IRQ_INDEX, "the fake offers INTx");
	DPX_TEST_ASSERT_EQUAL(seen.intr_enable, 0, "");
	DPX_TEST_ASSERT_EQUAL(kfake.irq_fds_set, 1, "");
	DPX_TEST_ASSERT(strcmp(seen.args, "") == 0, "");
	DPX_TEST_RUN(pci_fake_eal_fini());
	DPX_TEST_ASSERT_EQUAL(seen.removes, 1, "");
	DPX_TEST_ASSERT_EQUAL(kfake.irq_fds_set, 0, "interrupts disabled at remove");
	return DPX_TEST_SUCCESS;
}

/* -a with devargs, -b, --no-pci */
static int
probe_lists(const char *root)
{
	DPX_TEST_ASSERT(fake_init(root, "-a", "0000:00:03.0,mode=x", NULL) > 0, "init");
	DPX_TEST_ASSERT_EQUAL(seen.probes, 1, "");
	DPX_TEST_ASSERT(strcmp(seen.args, "mode=x") == 0, "%s", seen.args);
	DPX_TEST_ASSERT_EQUAL(state_of("00:04.0"), DPX_PCI_STATE_NOT_ALLOWED, "");
	DPX_TEST_ASSERT_EQUAL(state_of("00:02.0"), DPX_PCI_STATE_NOT_ALLOWED, "");
	DPX_TEST_RUN(pci_fake_eal_fini());

	DPX_TEST_ASSERT(fake_init(root, "-b", "00:03.0", NULL) > 0, "init");
	DPX_TEST_ASSERT_EQUAL(seen.probes, 0, "");
	DPX_TEST_ASSERT_EQUAL(state_of("00:03.0"), DPX_PCI_STATE_BLOCKED, "");
	DPX_TEST_ASSERT_EQUAL(state_of("00:04.0"), DPX_PCI_STATE_NOT_VFIO, "");
	DPX_TEST_RUN(pci_fake_eal_fini());

	DPX_TEST_ASSERT(fake_init(root, "--no-pci", NULL, NULL) > 0, "init");
	DPX_TEST_ASSERT_EQUAL(seen.probes, 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_pci_device_count(), 0, "--no-pci: no scan");
	DPX_TEST_RUN(pci_fake_eal_fini());
	return DPX_TEST_SUCCESS;
}

/* A device named by -a that cannot be had fails init; one found by the scan does not. */
static int
probe_errors(const char *root)
{
	static const struct {
		const char *arg;
		int rc;
	} named[] = {
		{"0000:00:04.0", -ENODEV},	   /* on virtio-pci */
		{"0000:00:02.0", -ENODEV},	   /* no dpx driver */
		{"0000:00:07.0", -ENODEV},	   /* not in sysfs */
		{"0000:00:3g.0", -EINVAL},	   /* not an address */
		{"0000:00:03.0,bogus=1", -EINVAL}, /* a key the driver does not take */
		{"0000:00:03.0,fail=1", -EIO},	   /* the driver's own error */
	};
	int fds = dpx_test_count_fds();

	for (size_t i = 0; i < DPX_DIM(named); i++) {
		DPX_TEST_ASSERT_EQUAL(fake_init(root, "-a", named[i].arg, NULL), named[i].rc,
				      "-a %s", named[i].arg);
		DPX_TEST_ASSERT_EQUAL(seen.probes, 0, "");
		DPX_TEST_ASSERT_EQUAL(dpx_pci_device_count(), 0, "a failed init keeps no device");
		for (unsigned int d = 0; d < KFAKE_MAX; d++)
			DPX_TEST_ASSERT_EQUAL(kfake.devices[d], -1, "-a %s left a device open",
					      named[i].arg);
	}
	/* another bus failing first (vdev probes before pci) leaves no PCI table behind */
	DPX_TEST_ASSERT_EQUAL(fake_init(root, "--vdev", "no_such_driver0", NULL), -ENOENT, "");
	DPX_TEST_ASSERT_EQUAL(dpx_pci_device_count(), 0, "the table of a bus never probed");
	/* the same driver failure without -a: logged, the device marked, init goes on */
	setenv("DPX_TEST_PCI_PROBE_FAIL", "1", 1);
	DPX_TEST_ASSERT(fake_init(root, NULL, NULL, NULL) > 0, "init");
	unsetenv("DPX_TEST_PCI_PROBE_FAIL");
	DPX_TEST_ASSERT_EQUAL(state_of("00:03.0"), DPX_PCI_STATE_FAILED, "");
	for (unsigned int d = 0; d < KFAKE_MAX; d++)
		DPX_TEST_ASSERT_EQUAL(kfake.devices[d], -1, "a failed probe left the device open");
	DPX_TEST_RUN(pci_fake_eal_fini());
	DPX_TEST_ASSERT_EQUAL(seen.removes, 0, "remove of a device never probed");
	kfake_reset(KMODEL_TYPE1V2);
	DPX_TEST_ASSERT_EQUAL(dpx_test_count_fds(), fds, "fds leaked");
	return DPX_TEST_SUCCESS;
}

static int
test_pci_probe(void)
{
	unsigned int saved_pci = (unsigned int)dpx_log_get_level(bus_pci_logtype);
	unsigned int saved_vfio = (unsigned int)dpx_log_get_level(vfio_logtype);
	unsigned int saved_eal = (unsigned int)dpx_log_get_level(eal_logtype);
	int fds = dpx_test_count_fds();
	char root[256];
	int rc;

	DPX_TEST_RUN(make_tree(root, sizeof(root)));
	/* the failures below are provoked: keep the log for real surprises */
	dpx_log_set_level(bus_pci_logtype, DPX_LOG_EMERG);
	dpx_log_set_level(vfio_logtype, DPX_LOG_EMERG);
	dpx_log_set_level(eal_logtype, DPX_LOG_EMERG);
	rc = probe_default(root);
	if (rc == DPX_TEST_SUCCESS)
		rc = probe_lists(root);
	if (rc == DPX_TEST_SUCCESS)
		rc = probe_errors(root);
	dpx_log_set_level(bus_pci_logtype, saved_pci);
	dpx_log_set_level(vfio_logtype, saved_vfio);
	dpx_log_set_level(eal_logtype, saved_eal);
	pci_fake_sysfs_remove(root);
	DPX_TEST_RUN(rc);
	kfake_reset(KMODEL_TYPE1V2);
	DPX_TEST_ASSERT_EQUAL(dpx_test_count_fds(), fds, "fds leaked");
	return DPX_TEST_SUCCESS;
}
DPX_TEST_REGISTER(pci_probe, fast, test_pci_probe);

/* ---- dpx-devbind and the bus show the same devices ---- */

/* A column of a whitespace-separated line (0-based) into out. */
static void
column(const char *line, unsigned int n, char *out, size_t len)
{
	char buf[512], *save, *tok;

	snprintf(buf, sizeof(buf), "%s", line);
	tok = strtok_r(buf, " \t\n", &save);
	while (tok != NULL && n-- > 0)
		tok = strtok_r(NULL, " \t\n", &save);
	snprintf(out, len, "%s", tok != NULL ? tok : "");
}

static int
test_pci_devbind_agree(void)
{
	const char *tool = "../usertools/dpx-devbind";
	char root[256], cmd[600], out[8192], *line, *save;
	unsigned int rows = 0;

	if (access(tool, X_OK) != 0 || system("python3 -c '' 2>/dev/null") != 0)
		DPX_TEST_SKIP("no python3 or no %s in the build tree", tool);
	DPX_TEST_RUN(make_tree(root, sizeof(root)));
	snprintf(cmd, sizeof(cmd), "%s --sysfs %s --status 2>&1", tool, root);
	FILE *p = popen(cmd, "r");
	DPX_TEST_ASSERT(p != NULL, "");
	size_t n = fread(out, 1, sizeof(out) - 1, p);
	out[n] = '\0';
	DPX_TEST_ASSERT_EQUAL(WEXITSTATUS(pclose(p)), 0, "%s", out);
	/* -b: the bus still lists a device it does not probe */
	DPX_TEST_ASSERT(fake_init(root, "-b", "00:03.0", NULL) > 0, "init");
	for (line = strtok_r(out, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
		struct dpx_pci_device_info info;
		char bdf[32], id[32], drv[64], group[16], want[64];

		if (strncmp(line, "device ", 7) == 0)
			continue;
		/* device, vendor:dev, class (may be two words), driver, group: count from the end
		 */
		column(line, 0, bdf, sizeof(bdf));
		column(line, 1, id, sizeof(id));
		unsigned int words = 0;
		for (char w[64]; column(line, words, w, sizeof(w)), w[0] != '\0';)
			words++;
		column(line, words - 2, drv, sizeof(drv));
		column(line, words - 1, group, sizeof(group));
		DPX_TEST_ASSERT_EQUAL(dpx_pci_device_info_get(rows, &info), 0, "row %u: %s", rows,
				      line);
		DPX_TEST_ASSERT(strcmp(bdf, info.name) == 0, "order: %s vs %s", bdf, info.name);
		snprintf(want, sizeof(want), "%04x:%04x", info.vendor_id, info.device_id);
		DPX_TEST_ASSERT(strcmp(id, want) == 0, "%s: %s vs %s", bdf, id, want);
		DPX_TEST_ASSERT(strcmp(drv, info.kernel_driver[0] ? info.kernel_driver : "-") == 0,
				"%s: driver %s vs %s", bdf, drv, info.kernel_driver);
		snprintf(want, sizeof(want), "%d", info.iommu_group);
		DPX_TEST_ASSERT(strcmp(group, info.iommu_group >= 0 ? want : "-") == 0,
				"%s: group %s vs %d", bdf, group, info.iommu_group);
		rows++;
	}
	DPX_TEST_ASSERT_EQUAL(rows, dpx_pci_device_count(), "dpx-devbind lists %u devices", rows);
	DPX_TEST_ASSERT_EQUAL(rows, DPX_DIM(fake_devs), "");
	DPX_TEST_RUN(pci_fake_eal_fini());
	/* dpx-info shows the same list (no dpx driver takes the test's id there) */
	char dev[300];
	snprintf(cmd, sizeof(cmd),
		 "SYSFS_PCI_DEVICES=%s ../app/dpx-info/dpx-info --no-huge --in-memory 2>&1",
		 pci_fake_sysfs_devices(root, dev, sizeof(dev)));
	p = popen(cmd, "r");
	DPX_TEST_ASSERT(p != NULL, "");
	n = fread(out, 1, sizeof(out) - 1, p);
	out[n] = '\0';
	DPX_TEST_ASSERT_EQUAL(WEXITSTATUS(pclose(p)), 0, "%s", out);
	DPX_TEST_ASSERT(strstr(out, "PCI devices: 5\n") != NULL, "%s", out);
	DPX_TEST_ASSERT(
		strstr(out, "0000:00:03.0   deed:0001  0x00ff00 vfio-pci         11") != NULL &&
			strstr(out, "0001:02:00.0   8086:1572  0x020000 -                -") !=
				NULL,
		"%s", out);
	DPX_TEST_ASSERT_EQUAL(pci_fake_sysfs_remove(root), 0, "");
	return DPX_TEST_SUCCESS;
}
DPX_TEST_REGISTER(pci_devbind_agree, fast, test_pci_devbind_agree);
