/* SPDX-License-Identifier: BSD-3-Clause */
/* Fake of the kernel's VFIO interface (see vfio_kernel_fake.h). */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/vfio.h>

#include "vfio_kernel_fake.h"

struct kfake kfake;
static pthread_mutex_t kfake_mutex = PTHREAD_MUTEX_INITIALIZER;

void
kfake_lock(void)
{
	pthread_mutex_lock(&kfake_mutex);
}

void
kfake_unlock(void)
{
	pthread_mutex_unlock(&kfake_mutex);
}

static int
new_fd(void)
{
	int fd = eventfd(0, EFD_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

static uint32_t
bar0_size(void)
{
	return kfake.bar0_size != 0 ? kfake.bar0_size : 4096;
}

/* A memfd holding config space and BAR0 (see KFAKE_BAR0_OFFSET). */
static int
new_device_fd(void)
{
	int fd = memfd_create("kfake-device", MFD_CLOEXEC);

	if (fd < 0)
		return -errno;
	if (ftruncate(fd, KFAKE_BAR0_OFFSET + KFAKE_BAR0_MAX) != 0) {
		int rc = -errno;
		close(fd);
		return rc;
	}
	return fd;
}

void
kfake_reset(enum kmodel_type model)
{
	for (unsigned int i = 0; i < KFAKE_MAX; i++) {
		if (kfake.containers[i].fd > 0)
			close(kfake.containers[i].fd);
		kmodel_fini(&kfake.containers[i].k);
		if (kfake.devices[i] > 0)
			close(kfake.devices[i]);
		if (i < kfake.group_count && kfake.groups[i].fd > 0)
			close(kfake.groups[i].fd);
	}
	void (*opened)(int) = kfake.device_opened;

	memset(&kfake, 0, sizeof(kfake));
	kfake.device_opened = opened;
	kfake.model = model;
	kfake.irq_fd = -1;
	for (unsigned int i = 0; i < KFAKE_MAX; i++) {
		kfake.containers[i].fd = -1;
		kfake.devices[i] = -1;
	}
}

void
kfake_add_group(int num, bool viable)
{
	kfake.groups[kfake.group_count++] = (struct kfake_group){num, viable, -1, -1};
}

static struct kfake_container *
find_container(int fd)
{
	for (unsigned int i = 0; i < KFAKE_MAX; i++)
		if (kfake.containers[i].fd == fd && fd >= 0)
			return &kfake.containers[i];
	return NULL;
}

struct kmodel *
kfake_container_model(int container_fd)
{
	struct kfake_container *c = find_container(container_fd);

	return c != NULL ? &c->k : NULL;
}

struct kmodel *
kfake_default_model(void)
{
	for (unsigned int i = 0; i < KFAKE_MAX; i++)
		if (kfake.containers[i].fd >= 0)
			return &kfake.containers[i].k;
	return NULL;
}

static struct kfake_group *
find_group_fd(int fd)
{
	for (unsigned int i = 0; i < kfake.group_count; i++)
		if (kfake.groups[i].fd == fd && fd >= 0)
			return &kfake.groups[i];
	return NULL;
}

static int
find_device(int fd)
{
	for (unsigned int i = 0; i < KFAKE_MAX; i++)
		if (kfake.devices[i] == fd && fd >= 0)
			return (int)i;
	return -1;
}

static int
fake_open(const char *path, int flags)
{
	int num, fd;

	(void)flags;
	if (strcmp(path, "/dev/vfio/vfio") == 0) {
		if (kfake.no_vfio)
			return -ENOENT;
		for (unsigned int i = 0; i < KFAKE_MAX; i++) {
			if (kfake.containers[i].fd >= 0)
				continue;
			fd = new_fd();
			kfake.containers[i] = (struct kfake_container){.fd = fd};
			return fd;
		}
		return -EMFILE;
	}
	if (sscanf(path, "/dev/vfio/%d", &num) != 1)
		return -ENOENT;
	for (unsigned int i = 0; i < kfake.group_count; i++) {
		struct kfake_group *g = &kfake.groups[i];
		if (g->num != num)
			continue;
		if (g->fd >= 0)
			return -EBUSY; /* the kernel lets a group be opened once */
		g->fd = new_fd();
		return g->fd;
	}
	return -ENOENT;
}

static void
container_drop_group(struct kfake_container *c)
{
	/* the last group takes the IOMMU and every mapping with it */
	if (--c->groups == 0) {
		c->iommu = 0;
		kmodel_fini(&c->k);
	}
}

static int
fake_close(int fd)
{
	struct kfake_container *c = find_container(fd);
	struct kfake_group *g = find_group_fd(fd);
	int d = find_device(fd);

	if (c != NULL) {
		kfake_lock();
		kmodel_fini(&c->k);
		c->fd = -1;
		kfake_unlock();
	} else if (g != NULL) {
		struct kfake_container *gc = find_container(g->container_fd);
		if (gc != NULL)
			container_drop_group(gc);
		g->fd = -1;
		g->container_fd = -1;
	} else if (d >= 0) {
		kfake.devices[d] = -1;
	} else {
		return -EBADF;
	}
	return close(fd) == 0 ? 0 : -errno;
}

static bool
offers(int type)
{
	switch (kfake.model) {
	case KMODEL_TYPE1V2:
		return type == VFIO_TYPE1_IOMMU ||
		       (type == VFIO_TYPE1v2_IOMMU && !kfake.type1_v1_only);
	case KMODEL_SPAPR:
		return type == VFIO_SPAPR_TCE_v2_IOMMU;
	default:
		return type == VFIO_NOIOMMU_IOMMU;
	}
}

static int
container_ioctl(struct kfake_container *c, unsigned long req, void *arg)
{
	struct vfio_iommu_type1_dma_map *map = arg;
	struct vfio_iommu_type1_dma_unmap *unmap = arg;
	uint64_t size;
	int rc;

	switch (req) {
	case VFIO_GET_API_VERSION:
		return VFIO_API_VERSION;
	case VFIO_CHECK_EXTENSION:
		return offers((int)(uintptr_t)arg);
	case VFIO_SET_IOMMU:
		if (c->groups == 0 || c->iommu != 0 || !offers((int)(uintptr_t)arg))
			return -EINVAL;
		c->iommu = (int)(uintptr_t)arg;
		kmodel_init(&c->k, kfake.model);
		return 0;
	case VFIO_IOMMU_SPAPR_TCE_GET_INFO:
		((struct vfio_iommu_spapr_tce_info *)arg)->dma32_window_size = 1u << 31;
		return c->iommu == VFIO_SPAPR_TCE_v2_IOMMU ? 0 : -EINVAL;
	case VFIO_IOMMU_ENABLE:
	case VFIO_IOMMU_SPAPR_REGISTER_MEMORY:
	case VFIO_IOMMU_SPAPR_UNREGISTER_MEMORY:
		return c->iommu == VFIO_SPAPR_TCE_v2_IOMMU ? 0 : -EINVAL;
	case VFIO_IOMMU_MAP_DMA:
		if (c->iommu == 0 || map->argsz < sizeof(*map) ||
		    map->flags != (VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE))
			return -EINVAL;
		if (kfake.fail_map_in != 0 && --kfake.fail_map_in == 0)
			return -EIO;
		return kmodel_map(&c->k, map->vaddr, map->iova, map->size);
	case VFIO_IOMMU_UNMAP_DMA:
		if (c->iommu == 0 || unmap->argsz < sizeof(*unmap))
			return -EINVAL;
		rc = kmodel_unmap(&c->k, 0, unmap->iova, unmap->size, &size);
		unmap->size = size;
		return rc;
	default:
		return -ENOTTY;
	}
}

static int
group_ioctl(struct kfake_group *g, unsigned long req, void *arg)
{
	struct vfio_group_status *status = arg;
	struct kfake_container *c;
	int fd;

	switch (req) {
	case VFIO_GROUP_GET_STATUS:
		status->flags = (g->viable ? VFIO_GROUP_FLAGS_VIABLE : 0) |
				(g->container_fd >= 0 ? VFIO_GROUP_FLAGS_CONTAINER_SET : 0);
		return 0;
	case VFIO_GROUP_SET_CONTAINER:
		c = find_container(*(int *)arg);
		if (c == NULL || g->container_fd >= 0 || !g->viable)
			return -EINVAL;
		g->container_fd = c->fd;
		c->groups++;
		return 0;
	case VFIO_GROUP_UNSET_CONTAINER:
		c = find_container(g->container_fd);
		if (c == NULL)
			return -EINVAL;
		container_drop_group(c);
		g->container_fd = -1;
		return 0;
	case VFIO_GROUP_GET_DEVICE_FD:
		c = find_container(g->container_fd);
		if (c == NULL || c->iommu == 0)
			return -EINVAL;
		for (unsigned int i = 0; i < KFAKE_MAX; i++) {
			if (kfake.devices[i] >= 0)
				continue;
			fd = new_device_fd();
			if (fd >= 0)
				kfake.devices[i] = fd;
			if (fd >= 0 && kfake.device_opened != NULL)
				kfake.device_opened(fd);
			return fd;
		}
		return -EMFILE;
	default:
		return -ENOTTY;
	}
}

static int
region_info(struct vfio_region_info *r)
{
	const uint32_t rw = VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE;

	r->flags = 0;
	r->size = 0;
	r->offset = 0;
	if (r->index == VFIO_PCI_CONFIG_REGION_INDEX) {
		r->flags = rw;
		r->size = KFAKE_CONFIG_SIZE;
	} else if (r->index == VFIO_PCI_BAR0_REGION_INDEX) {
		r->flags = rw | VFIO_REGION_INFO_FLAG_MMAP;
		r->size = bar0_size();
		r->offset = KFAKE_BAR0_OFFSET;
	} else if (r->index >= VFIO_PCI_NUM_REGIONS) {
		return -EINVAL;
	}
	return 0;
}

static int
device_ioctl(unsigned long req, void *arg)
{
	struct vfio_device_info *info = arg;
	struct vfio_irq_info *irq = arg;
	struct vfio_irq_set *set = arg;

	switch (req) {
	case VFIO_DEVICE_GET_INFO:
		info->flags = VFIO_DEVICE_FLAGS_PCI;
		info->num_regions = VFIO_PCI_NUM_REGIONS;
		info->num_irqs = VFIO_PCI_NUM_IRQS;
		return 0;
	case VFIO_DEVICE_GET_REGION_INFO:
		return region_info(arg);
	case VFIO_DEVICE_GET_IRQ_INFO:
		/* INTx only, as QEMU's edu device without MSI */
		irq->flags = irq->index == VFIO_PCI_INTX_IRQ_INDEX
				     ? VFIO_IRQ_INFO_EVENTFD | VFIO_IRQ_INFO_MASKABLE
				     : 0;
		irq->count = irq->index == VFIO_PCI_INTX_IRQ_INDEX ? 1 : 0;
		return 0;
	case VFIO_DEVICE_SET_IRQS:
		if (!(set->flags & VFIO_IRQ_SET_ACTION_TRIGGER))
			return 0; /* mask/unmask: the eventfds stay */
		kfake.irq_fds_set = (set->flags & VFIO_IRQ_SET_DATA_EVENTFD) ? (int)set->count : 0;
		kfake.irq_fd = kfake.irq_fds_set > 0 ? ((const int *)set->data)[0] : -1;
		return 0;
	default:
		return -ENOTTY;
	}
}

static int
fake_ioctl(int fd, unsigned long req, void *arg)
{
	struct kfake_container *c = find_container(fd);
	struct kfake_group *g = find_group_fd(fd);

	if (c != NULL) {
		kfake_lock();
		int rc = container_ioctl(c, req, arg);
		kfake_unlock();
		return rc;
	}
	if (g != NULL)
		return group_ioctl(g, req, arg);
	if (find_device(fd) >= 0)
		return device_ioctl(req, arg);
	return -EBADF;
}

const struct vfio_kernel_ops kfake_ops = {fake_open, fake_close, fake_ioctl};
