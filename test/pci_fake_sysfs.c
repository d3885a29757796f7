/* SPDX-License-Identifier: BSD-3-Clause */
/* A fake sysfs tree for PCI tests (see pci_fake_sysfs.h). */
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <dpx_bus_pci.h>

#include "dpx_test.h"
#include "pci_fake_sysfs.h"
#include "vfio_kernel_fake.h"

static int
mkdirs(const char *path)
{
	char buf[PATH_MAX];

	snprintf(buf, sizeof(buf), "%s", path);
	for (char *p = buf + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		mkdir(buf, 0700);
		*p = '/';
	}
	return mkdir(buf, 0700) == 0 || access(buf, F_OK) == 0 ? 0 : -1;
}

static int
write_file(const char *dir, const char *name, const char *value)
{
	char path[PATH_MAX];
	FILE *f;

	if (value == NULL)
		return 0;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (f == NULL)
		return -1;
	fprintf(f, "%s\n", value);
	return fclose(f) == 0 ? 0 : -1;
}

int
pci_fake_sysfs_create(char *root, size_t len)
{
	static unsigned int n;
	char path[PATH_MAX];

	snprintf(root, len, "/tmp/dpx-pci-sysfs-%d-%u", (int)getpid(), n++);
	snprintf(path, sizeof(path), "%s/bus/pci/devices", root);
	if (mkdirs(path) != 0)
		return -1;
	snprintf(path, sizeof(path), "%s/bus/pci/drivers", root);
	if (mkdirs(path) != 0)
		return -1;
	snprintf(path, sizeof(path), "%s/kernel/iommu_groups", root);
	return mkdirs(path);
}

const char *
pci_fake_sysfs_devices(const char *root, char *buf, size_t len)
{
	snprintf(buf, len, "%s/bus/pci/devices", root);
	return buf;
}

static int
add_links(const char *root, const char *dir, const struct pci_fake_dev *d)
{
	char path[PATH_MAX + 64], target[PATH_MAX];

	if (d->driver != NULL) {
		snprintf(path, sizeof(path), "%s/bus/pci/drivers/%s", root, d->driver);
		if (mkdirs(path) != 0)
			return -1;
		snprintf(path, sizeof(path), "%s/driver", dir);
		snprintf(target, sizeof(target), "../../../../bus/pci/drivers/%s", d->driver);
		if (symlink(target, path) != 0)
			return -1;
	}
	if (d->group < 0)
		return 0;
	snprintf(path, sizeof(path), "%s/kernel/iommu_groups/%d/devices", root, d->group);
	if (mkdirs(path) != 0)
		return -1;
	snprintf(path, sizeof(path), "%s/kernel/iommu_groups/%d/devices/%s", root, d->group,
		 d->bdf);
	snprintf(target, sizeof(target), "../../../../bus/pci/devices/%s", d->bdf);
	if (symlink(target, path) != 0)
		return -1;
	snprintf(path, sizeof(path), "%s/iommu_group", dir);
	snprintf(target, sizeof(target), "../../../../kernel/iommu_groups/%d", d->group);
	return symlink(target, path);
}

int
pci_fake_sysfs_add(const char *root, const struct pci_fake_dev *d)
{
	char dir[PATH_MAX];

	snprintf(dir, sizeof(dir), "%s/bus/pci/devices/%s", root, d->bdf);
	if (mkdirs(dir) != 0 || write_file(dir, "vendor", d->vendor) != 0 ||
	    write_file(dir, "device", d->device) != 0 || write_file(dir, "class", d->class) != 0 ||
	    write_file(dir, "numa_node", d->numa) != 0 ||
	    write_file(dir, "subsystem_vendor", d->vendor != NULL ? "0x1af4" : NULL) != 0 ||
	    write_file(dir, "subsystem_device", d->vendor != NULL ? "0x1100" : NULL) != 0)
		return -1;
	return add_links(root, dir, d);
}

static int
remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

int
pci_fake_sysfs_remove(const char *root)
{
	return nftw(root, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

int
pci_fake_eal_init(const char *root, const char *a1, const char *a2, const char *a3)
{
	char dev[PATH_MAX + 16];

	kfake_reset(KMODEL_TYPE1V2);
	kfake_add_group(11, true);
	kfake_add_group(5, true);
	if (vfio_set_kernel_ops(&kfake_ops) != 0)
		return -EBUSY;
	setenv("SYSFS_PCI_DEVICES", pci_fake_sysfs_devices(root, dev, sizeof(dev)), 1);
	int rc = dpx_test_eal_init("--no-huge", "--in-memory", a1, a2, a3, NULL);
	if (rc < 0)
		vfio_set_kernel_ops(NULL);
	return rc;
}

int
pci_fake_eal_fini(void)
{
	DPX_TEST_ASSERT_EQUAL(dpx_eal_cleanup(), 0, "");
	DPX_TEST_ASSERT_EQUAL(vfio_set_kernel_ops(NULL), 0, "");
	unsetenv("SYSFS_PCI_DEVICES");
	for (unsigned int i = 0; i < KFAKE_MAX; i++)
		DPX_TEST_ASSERT_EQUAL(kfake.devices[i], -1, "device fd left open");
	DPX_TEST_ASSERT_EQUAL(dpx_pci_device_count(), 0, "cleanup forgets the devices");
	return DPX_TEST_SUCCESS;
}
