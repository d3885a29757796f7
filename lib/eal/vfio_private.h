/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * VFIO internals: the kernel calls behind ops structs, so that tests can put
 * a model of the kernel under the whole container path.
 *
 *   container/group/device code (linux/eal_vfio*.c)
 *        |  calls                         \ per IOMMU type: struct vfio_iommu_type
 *        v                                 \  (type1 v2, type1, sPAPR, no-IOMMU)
 *   struct vfio_kernel_ops {open, close, ioctl}   <- the real syscalls, or a test model
 */
#ifndef VFIO_PRIVATE_H
#define VFIO_PRIVATE_H

#include <stdbool.h>
#include <stdint.h>

#include <dpx_log.h>

extern int vfio_logtype;
#define VFIO_LOG(level, fmt, ...) DPX_LOG(level, vfio_logtype, "VFIO: " fmt, ##__VA_ARGS__)

/* Open containers at most, the default one included. */
#define VFIO_MAX_CONTAINERS 64

/* The system calls VFIO makes (except mmap of a device region). Return -errno on failure. */
struct vfio_kernel_ops {
	int (*open)(const char *path, int flags);
	int (*close)(int fd);
	int (*ioctl)(int fd, unsigned long request, void *arg); /* >= 0 on success */
};

/*
 * One IOMMU type: whether it can unmap part of a kernel mapping, and its DMA
 * calls. dma_unmap reports the bytes the kernel says it unmapped.
 */
struct vfio_iommu_type {
	const char *name;
	int type_id; /* VFIO_TYPE1v2_IOMMU, ... */
	bool partial_unmap;
	int (*setup)(int container_fd); /* after VFIO_SET_IOMMU; may be NULL */
	int (*dma_map)(int container_fd, uint64_t va, uint64_t iova, uint64_t len);
	int (*dma_unmap)(int container_fd, uint64_t va, uint64_t iova, uint64_t len,
			 uint64_t *unmapped);
};

/* The IOMMU types in the order they are tried when a container gets its first group. */
extern const struct vfio_iommu_type *const vfio_iommu_types[];
extern const unsigned int vfio_iommu_type_count;

/* The kernel calls in use (the real ones unless replaced). */
const struct vfio_kernel_ops *vfio_kernel(void);

/*
 * Replace the kernel calls (NULL restores the real ones). Only while VFIO is
 * not initialised: call it before dpx_eal_init, restore after dpx_eal_cleanup.
 * Returns 0 or -EBUSY.
 */
int vfio_set_kernel_ops(const struct vfio_kernel_ops *ops);

/* DMA map with a chunk size (0: one piece): the public call and the memory hook. */
int vfio_container_dma_map_chunked(int container_fd, uint64_t va, uint64_t iova, uint64_t len,
				   uint64_t chunk);

/* EAL stage (linux/eal_vfio.c). Never fails for want of VFIO: it is then disabled. */
struct eal_options;
int eal_vfio_init(const struct eal_options *opts);
void eal_vfio_fini(void);

/*
 * The fds of every open container, the default one first (the memory hook's
 * list): fills fds[VFIO_MAX_CONTAINERS], returns how many. Stable while the
 * caller holds the memory hotplug lock (create and destroy take it).
 */
unsigned int vfio_container_fds(int fds[VFIO_MAX_CONTAINERS]);

/*
 * Every container follows EAL memory (linux/eal_vfio_mem.c): start registers
 * the memory event callback and maps the pages mapped so far into the default
 * container; stop undoes the registration. Start returns 0 or -errno.
 */
int vfio_mem_hook_start(void);
void vfio_mem_hook_stop(void);

/*
 * Map every EAL page with a known IOVA into a container, one chunk per page.
 * Called with the hotplug lock held (or during EAL init). Returns 0 or the
 * first error (pages mapped before it stay: the caller drops the container).
 */
int vfio_mem_hook_fill(int container_fd);

/* Group of a PCI device from sysfs: 0 and *group_num, or -ENODEV (no IOMMU group). */
int vfio_device_group_num(const char *sysfs_base, const char *dev_addr, int *group_num);

/* Device bookkeeping for dpx_vfio_setup_device/release (linux/eal_vfio.c). */
int vfio_group_fd_for_device(int group_num, int *group_fd);
void vfio_group_device_put(int group_num);

#endif /* VFIO_PRIVATE_H */
