/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Reading PCI devices from a sysfs tree: base/<BDF>/{vendor,device,...} and
 * the driver and iommu_group links. Any folder will do, so the fast suite
 * runs this on a fake tree.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pci_private.h"

const char *
pci_sysfs_devices(void)
{
	/* DPDK's variable, so a tree prepared for DPDK's tests serves here too */
	const char *env = getenv("SYSFS_PCI_DEVICES");

	return env != NULL && env[0] != '\0' ? env : PCI_SYSFS_DEVICES;
}

/*
 * The whole of a small regular file into buf (NUL-terminated), one trailing
 * newline dropped. SYSFS_PCI_DEVICES may name any folder: a FIFO (whose open
 * would block), a device node (/dev/zero) or a file longer than buf (whose
 * head alone might parse as a number) is refused, not read.
 * Returns the length, -ENOENT (no such file) or -EINVAL.
 */
static int
read_small_file(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	struct stat st;
	size_t n = 0;
	ssize_t r = 1;

	if (fd < 0)
		return errno == ENOENT ? -ENOENT : -EINVAL;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return -EINVAL;
	}
	while (n + 1 < size && (r = read(fd, buf + n, size - 1 - n)) > 0)
		n += (size_t)r;
	/* buf full: one byte more means the file is longer than any number here */
	if (r > 0 && n + 1 == size) {
		char more;
		r = read(fd, &more, 1) == 0 ? 0 : -1;
	}
	close(fd);
	if (r < 0 || n >= size)
		return -EINVAL;
	buf[n] = '\0';
	if (n > 0 && buf[n - 1] == '\n')
		buf[--n] = '\0';
	return strlen(buf) == n ? (int)n : -EINVAL; /* a NUL inside is no number */
}

/*
 * One number from dir/file as the kernel writes it: "0x1234" (hex) or "-1"
 * (decimal), nothing before it (strtoll alone would take spaces and '+').
 * Returns 0, -ENOENT (no such file), -EINVAL (anything but a number in
 * [min, max]).
 */
static int
read_number(const char *dir, const char *file, int base, long long min, long long max,
	    long long *out)
{
	char path[PATH_MAX], buf[64], *end;
	int n;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	n = read_small_file(path, buf, sizeof(buf));
	if (n == -ENOENT)
		return n;
	errno = 0;
	long long v = n > 0 ? strtoll(buf, &end, base) : 0;
	bool digit_first = isdigit((unsigned char)buf[n > 0 && buf[0] == '-' ? 1 : 0]);
	if (n <= 0 || !digit_first || errno != 0 || *end != '\0' || v < min || v > max) {
		PCI_LOG(WARNING, "%s: \"%.20s\" is not a number in [%lld, %lld]", path,
			n > 0 ? buf : "", min, max);
		return -EINVAL;
	}
	*out = v;
	return 0;
}

/* Basename of the symlink dir/file into out ("" when there is no link). */
static void
read_link_name(const char *dir, const char *file, char *out, size_t len)
{
	char path[PATH_MAX], target[PATH_MAX];
	ssize_t n;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	n = readlink(path, target, sizeof(target) - 1);
	out[0] = '\0';
	if (n <= 0)
		return;
	target[n] = '\0';
	const char *slash = strrchr(target, '/'), *name = slash != NULL ? slash + 1 : target;
	/* longer kernel driver names are cut: the bus only compares with "vfio-pci" */
	size_t n_name = DPX_MIN(strlen(name), len - 1);
	memcpy(out, name, n_name);
	out[n_name] = '\0';
}

/* The optional numbers: absent ones keep their default. */
static int
read_optional(const char *dir, struct dpx_pci_device_info *info)
{
	long long v;
	int rc;

	if ((rc = read_number(dir, "subsystem_vendor", 16, 0, 0xffff, &v)) == 0)
		info->subsystem_vendor_id = (uint16_t)v;
	else if (rc != -ENOENT)
		return rc;
	if ((rc = read_number(dir, "subsystem_device", 16, 0, 0xffff, &v)) == 0)
		info->subsystem_device_id = (uint16_t)v;
	else if (rc != -ENOENT)
		return rc;
	if ((rc = read_number(dir, "class", 16, 0, 0xffffff, &v)) == 0)
		info->class_id = (uint32_t)v;
	else if (rc != -ENOENT)
		return rc;
	/* the kernel writes -1 when firmware names no node */
	if ((rc = read_number(dir, "numa_node", 10, -1, INT_MAX, &v)) == 0)
		info->numa_node = (int)v;
	else if (rc != -ENOENT)
		return rc;
	return 0;
}

int
pci_sysfs_read_device(const char *base, const char *name, struct dpx_pci_device_info *info)
{
	char dir[PATH_MAX], group[32], *end;
	long long vendor, device;
	int rc;

	memset(info, 0, sizeof(*info));
	info->numa_node = -1;
	info->iommu_group = -1;
	if (dpx_pci_addr_parse(name, &info->addr) != 0)
		return -EINVAL;
	/*
	 * sysfs's spelling, which VFIO wants for VFIO_GROUP_GET_DEVICE_FD. The
	 * kernel names every device so; another spelling ("00:03.0", upper case)
	 * is not the kernel's, and would list one address twice.
	 */
	dpx_pci_addr_format(&info->addr, info->name, sizeof(info->name));
	if (strcmp(name, info->name) != 0)
		return -EINVAL;
	snprintf(dir, sizeof(dir), "%s/%s", base, name);
	rc = read_number(dir, "vendor", 16, 0, 0xffff, &vendor);
	if (rc == 0)
		rc = read_number(dir, "device", 16, 0, 0xffff, &device);
	if (rc == 0)
		rc = read_optional(dir, info);
	if (rc != 0)
		return rc;
	info->vendor_id = (uint16_t)vendor;
	info->device_id = (uint16_t)device;
	read_link_name(dir, "driver", info->kernel_driver, sizeof(info->kernel_driver));
	read_link_name(dir, "iommu_group", group, sizeof(group));
	if (group[0] != '\0') {
		long g = strtol(group, &end, 10);
		if (*end != '\0' || g < 0 || g > INT_MAX) {
			PCI_LOG(WARNING, "%s/iommu_group: \"%s\" is not a group number", dir,
				group);
			return -EINVAL;
		}
		info->iommu_group = (int)g;
	}
	return 0;
}

static int
info_cmp(const void *a, const void *b)
{
	const struct dpx_pci_device_info *x = a, *y = b;

	return dpx_pci_addr_cmp(&x->addr, &y->addr);
}

/* Append one entry to the growing list; 0 or -ENOMEM. */
static int
list_add(struct dpx_pci_device_info **list, unsigned int *count, unsigned int *cap,
	 const struct dpx_pci_device_info *info)
{
	if (*count == *cap) {
		unsigned int ncap = *cap != 0 ? *cap * 2 : 16;
		void *n = realloc(*list, ncap * sizeof(**list));
		if (n == NULL)
			return -ENOMEM;
		*list = n;
		*cap = ncap;
	}
	(*list)[(*count)++] = *info;
	return 0;
}

int
pci_sysfs_scan(const char *base, struct dpx_pci_device_info **list, unsigned int *count)
{
	struct dpx_pci_device_info info;
	unsigned int cap = 0;
	struct dirent *e;
	DIR *d;
	int rc = 0;

	*list = NULL;
	*count = 0;
	d = opendir(base);
	if (d == NULL) {
		if (errno == ENOENT) {
			PCI_LOG(INFO, "no %s: no PCI device", base);
			return 0;
		}
		rc = -errno;
		PCI_LOG(ERR, "cannot list %s: %s", base, strerror(errno));
		return rc;
	}
	while (rc == 0 && (e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		int r = pci_sysfs_read_device(base, e->d_name, &info);
		if (r == 0)
			rc = list_add(list, count, &cap, &info);
		else
			PCI_LOG(DEBUG, "%s/%s: not a PCI device, skipped", base, e->d_name);
	}
	closedir(d);
	if (rc != 0) {
		free(*list);
		*list = NULL;
		*count = 0;
		return rc;
	}
	if (*count > 1)
		qsort(*list, *count, sizeof(**list), info_cmp);
	return 0;
}
