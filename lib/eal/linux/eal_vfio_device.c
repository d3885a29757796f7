/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * PCI devices bound to vfio-pci: device fd and info, regions (BAR mmap) and
 * interrupts on eventfds. Groups and containers are in eal_vfio.c.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <dpx_vfio.h>

#include "eal_private.h"
#include "vfio_private.h"

int
vfio_device_group_num(const char *sysfs_base, const char *dev_addr, int *group_num)
{
	char path[PATH_MAX], link[PATH_MAX], *end;
	const char *name;
	ssize_t n;
	long num;

	snprintf(path, sizeof(path), "%s/%s/iommu_group", sysfs_base, dev_addr);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0) {
		int err = errno;
		if (access(path, F_OK) != 0 && err == ENOENT) {
			snprintf(path, sizeof(path), "%s/%s", sysfs_base, dev_addr);
			VFIO_LOG(ERR, "%s: %s", dev_addr,
				 access(path, F_OK) != 0 ? "no such device"
							 : "no IOMMU group (is the IOMMU on, e.g. "
							   "intel_iommu=on, or the "
							   "vfio no-IOMMU mode enabled?)");
		} else {
			VFIO_LOG(ERR, "%s: %s", path, strerror(err));
		}
		return -ENODEV;
	}
	link[n] = '\0';
	name = strrchr(link, '/');
	name = name != NULL ? name + 1 : link;
	errno = 0;
	num = strtol(name, &end, 10);
	if (errno != 0 || end == name || *end != '\0' || num < 0 || num > INT_MAX) {
		VFIO_LOG(ERR, "%s: IOMMU group link %s is not a group number", dev_addr, link);
		return -ENODEV;
	}
	*group_num = (int)num;
	return 0;
}

int
dpx_vfio_get_group_num(const char *sysfs_base, const char *dev_addr, int *group_num)
{
	if (sysfs_base == NULL || dev_addr == NULL || group_num == NULL)
		return -EINVAL;
	return vfio_device_group_num(sysfs_base, dev_addr, group_num);
}

static int
device_open(int group_fd, const char *dev_addr, struct vfio_device_info *info)
{
	const struct vfio_kernel_ops *k = vfio_kernel();
	int fd = k->ioctl(group_fd, VFIO_GROUP_GET_DEVICE_FD, (void *)(uintptr_t)dev_addr);
	int rc;

	if (fd < 0) {
		VFIO_LOG(ERR, "%s: cannot get the device fd: %s", dev_addr, dpx_strerror(fd));
		return fd;
	}
	memset(info, 0, sizeof(*info));
	info->argsz = sizeof(*info);
	rc = k->ioctl(fd, VFIO_DEVICE_GET_INFO, info);
	if (rc < 0) {
		VFIO_LOG(ERR, "%s: device info: %s", dev_addr, dpx_strerror(rc));
		k->close(fd);
		return rc;
	}
	return fd;
}

int
dpx_vfio_setup_device(const char *sysfs_base, const char *dev_addr, int *device_fd,
		      struct vfio_device_info *device_info)
{
	int group_num, group_fd, fd, rc;

	if (sysfs_base == NULL || dev_addr == NULL || device_fd == NULL || device_info == NULL)
		return -EINVAL;
	if (!dpx_vfio_is_enabled()) {
		VFIO_LOG(ERR, "%s: VFIO is not available", dev_addr);
		return -ENODEV;
	}
	rc = vfio_device_group_num(sysfs_base, dev_addr, &group_num);
	if (rc != 0)
		return rc;
	rc = vfio_group_fd_for_device(group_num, &group_fd);
	if (rc != 0)
		return rc;
	fd = device_open(group_fd, dev_addr, device_info);
	if (fd < 0) {
		vfio_group_device_put(group_num);
		return fd;
	}
	VFIO_LOG(INFO, "%s: IOMMU group %d, device fd %d, %u regions, %u irqs", dev_addr, group_num,
		 fd, device_info->num_regions, device_info->num_irqs);
	*device_fd = fd;
	return 0;
}

int
dpx_vfio_release_device(const char *sysfs_base, const char *dev_addr, int device_fd)
{
	int group_num, rc;

	if (sysfs_base == NULL || dev_addr == NULL || device_fd < 0)
		return -EINVAL;
	if (!dpx_vfio_is_enabled())
		return -ENODEV;
	rc = vfio_device_group_num(sysfs_base, dev_addr, &group_num);
	if (rc != 0)
		return rc;
	vfio_kernel()->close(device_fd);
	vfio_group_device_put(group_num);
	return 0;
}

int
dpx_vfio_get_region_info(int device_fd, uint32_t index, struct vfio_region_info *info)
{
	int rc;

	if (info == NULL || device_fd < 0)
		return -EINVAL;
	memset(info, 0, sizeof(*info));
	info->argsz = sizeof(*info);
	info->index = index;
	rc = vfio_kernel()->ioctl(device_fd, VFIO_DEVICE_GET_REGION_INFO, info);
	if (rc < 0) {
		VFIO_LOG(ERR, "device fd %d: region %u info: %s", device_fd, index,
			 dpx_strerror(rc));
		return rc;
	}
	return 0;
}

void *
dpx_vfio_map_region(int device_fd, uint32_t index, size_t *len)
{
	struct vfio_region_info info;
	int prot = 0, rc;
	void *addr;

	if (len == NULL) {
		dpx_errno = EINVAL;
		return NULL;
	}
	rc = dpx_vfio_get_region_info(device_fd, index, &info);
	if (rc != 0) {
		dpx_errno = -rc;
		return NULL;
	}
	if (!(info.flags & VFIO_REGION_INFO_FLAG_MMAP) || info.size == 0) {
		VFIO_LOG(ERR, "device fd %d: region %u cannot be mmapped (flags 0x%x size %llu)",
			 device_fd, index, info.flags, (unsigned long long)info.size);
		dpx_errno = ENOTSUP;
		return NULL;
	}
	if (info.flags & VFIO_REGION_INFO_FLAG_READ)
		prot |= PROT_READ;
	if (info.flags & VFIO_REGION_INFO_FLAG_WRITE)
		prot |= PROT_WRITE;
	addr = mmap(NULL, info.size, prot, MAP_SHARED, device_fd, (off_t)info.offset);
	if (addr == MAP_FAILED) {
		dpx_errno = errno;
		VFIO_LOG(ERR, "device fd %d: mmap region %u: %s", device_fd, index,
			 strerror(errno));
		return NULL;
	}
	*len = info.size;
	return addr;
}

int
dpx_vfio_unmap_region(void *addr, size_t len)
{
	if (addr == NULL || len == 0)
		return -EINVAL;
	return munmap(addr, len) == 0 ? 0 : -errno;
}

static int
irq_set(int device_fd, uint32_t irq_index, uint32_t flags, const int *eventfds, uint32_t count)
{
	size_t size = sizeof(struct vfio_irq_set) + count * sizeof(int);
	struct vfio_irq_set *set = calloc(1, size);
	int rc;

	if (set == NULL)
		return -ENOMEM;
	set->argsz = (uint32_t)size;
	set->flags = flags;
	set->index = irq_index;
	set->start = 0;
	set->count = count;
	if (count > 0)
		memcpy(set->data, eventfds, count * sizeof(int));
	rc = vfio_kernel()->ioctl(device_fd, VFIO_DEVICE_SET_IRQS, set);
	free(set);
	if (rc < 0)
		VFIO_LOG(ERR, "device fd %d: set irqs index %u flags 0x%x count %u: %s", device_fd,
			 irq_index, flags, count, dpx_strerror(rc));
	return rc < 0 ? rc : 0;
}

int
dpx_vfio_get_irq_info(int device_fd, uint32_t index, struct vfio_irq_info *info)
{
	int rc;

	if (info == NULL || device_fd < 0)
		return -EINVAL;
	memset(info, 0, sizeof(*info));
	info->argsz = sizeof(*info);
	info->index = index;
	rc = vfio_kernel()->ioctl(device_fd, VFIO_DEVICE_GET_IRQ_INFO, info);
	if (rc < 0) {
		VFIO_LOG(ERR, "device fd %d: irq index %u info: %s", device_fd, index,
			 dpx_strerror(rc));
		return rc;
	}
	return 0;
}

int
dpx_vfio_irq_enable(int device_fd, uint32_t irq_index, const int *eventfds, uint32_t count)
{
	struct vfio_irq_info info;
	int rc;

	if (eventfds == NULL || count == 0 || device_fd < 0)
		return -EINVAL;
	rc = dpx_vfio_get_irq_info(device_fd, irq_index, &info);
	if (rc != 0)
		return rc;
	if (count > info.count || !(info.flags & VFIO_IRQ_INFO_EVENTFD)) {
		VFIO_LOG(ERR, "device fd %d: irq index %u offers %u eventfd vectors, %u asked",
			 device_fd, irq_index, info.flags & VFIO_IRQ_INFO_EVENTFD ? info.count : 0,
			 count);
		return -EINVAL;
	}
	return irq_set(device_fd, irq_index,
		       VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER, eventfds, count);
}

int
dpx_vfio_irq_unmask(int device_fd, uint32_t irq_index)
{
	struct vfio_irq_set set = {
		.argsz = sizeof(set),
		.flags = VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_UNMASK,
		.index = irq_index,
		.start = 0,
		.count = 1,
	};
	int rc = vfio_kernel()->ioctl(device_fd, VFIO_DEVICE_SET_IRQS, &set);

	return rc < 0 ? rc : 0;
}

int
dpx_vfio_irq_disable(int device_fd, uint32_t irq_index)
{
	return irq_set(device_fd, irq_index, VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_TRIGGER,
		       NULL, 0);
}
