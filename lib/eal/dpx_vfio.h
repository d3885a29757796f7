/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * VFIO: containers, IOMMU groups, devices bound to vfio-pci, and the
 * chunk-granular DMA mapping table of each container (doc/vfio.md).
 *
 * A container is an IOMMU address space. The EAL opens the default container
 * (DPX_VFIO_DEFAULT_CONTAINER_FD) at init when /dev/vfio/vfio exists. Every
 * container, default or created, follows EAL memory: heap pages (and external
 * memory registered with IOVAs) are DMA-mapped at their memseg IOVA as they
 * are allocated, one page per chunk, in every container or in none (the
 * allocation then fails), and unmapped before they are freed. Applications
 * map other memory (external memory without IOVAs, guest memory) themselves
 * with dpx_vfio_container_dma_map(), at IOVAs that do not overlap EAL memory's.
 *
 * The IOMMU type is chosen when a container gets its first group, in the
 * order type1 v2, type1, sPAPR, no-IOMMU. Mappings made before that are
 * recorded and replayed into the kernel then, one kernel mapping per chunk.
 *
 * Mapping rules: an entry {va, iova, len, chunk} merges with a neighbour
 * contiguous in VA and IOVA only when their chunks are equal. On types that
 * cannot unmap part of a kernel mapping (type1 v2, type1) a map call makes
 * one chunk (chunk = len), and an unmap must start and end on chunk
 * boundaries; it may span several entries. sPAPR and no-IOMMU unmap any
 * sub-range. All calls are thread safe.
 */
#ifndef DPX_VFIO_H
#define DPX_VFIO_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <linux/vfio.h>

/** The container the EAL opened at init. */
#define DPX_VFIO_DEFAULT_CONTAINER_FD (-1)

/** @return 1 when /dev/vfio/vfio was usable at EAL init, else 0. */
int dpx_vfio_is_enabled(void);

/**
 * Open a new container. Its table starts with every EAL page mapped now (one
 * chunk per page), replayed into the kernel when its first group binds; from
 * then on it follows EAL memory like the default container.
 * @return its fd (>= 0), or -ENODEV (VFIO unavailable), -ENOSPC (too many
 *   containers), -ENOMEM, -EDEADLK (called from a memory event callback),
 *   or the errno of opening /dev/vfio/vfio.
 */
int dpx_vfio_container_create(void);

/**
 * Unbind every group of a container and close it; its mapping table goes too,
 * and memory events no longer reach it.
 * @return 0, or -EINVAL (the default container or an unknown fd),
 *   -EBUSY (a device of one of its groups is still set up), -ENODEV,
 *   -EDEADLK (called from a memory event callback).
 */
int dpx_vfio_container_destroy(int container_fd);

/**
 * Add IOMMU group iommu_group_num to a container. The first group chooses the
 * IOMMU type and replays the mappings recorded so far.
 * @return the group fd (>= 0; the same fd when already bound here), or
 *   -EINVAL (unknown container fd), -ENODEV (VFIO unavailable),
 *   -ENOENT (no /dev/vfio/N: no device of the group is bound to vfio-pci),
 *   -EBUSY (the group is in another container), -EPERM (the group is not
 *   viable: some device in it is bound to a host driver), -ENOSPC (the
 *   container has the most groups it can hold), -ENOTSUP (no IOMMU type the
 *   kernel offers is known), or the kernel's error from binding or replaying.
 */
int dpx_vfio_container_group_bind(int container_fd, int iommu_group_num);

/**
 * Remove a group from its container. When the last group goes the kernel
 * drops the IOMMU and every mapping; the table keeps them and replays them
 * when a group is bound again.
 * @return 0, or -EINVAL (unknown container), -ENOENT (group not in it),
 *   -EBUSY (a device of the group is still set up), -ENODEV.
 */
int dpx_vfio_container_group_unbind(int container_fd, int iommu_group_num);

/**
 * DMA-map [iova, iova + len) to the process memory at vaddr.
 * @return 0, or -EINVAL (len 0, an address range that overflows, unknown
 *   container), -EEXIST (overlaps a mapping of this container), -ENODEV
 *   (VFIO unavailable), -ENOMEM, or the kernel's error (nothing changed).
 */
int dpx_vfio_container_dma_map(int container_fd, uint64_t vaddr, uint64_t iova, uint64_t len);

/**
 * DMA-unmap [iova, iova + len), mapped from vaddr. The range may span several
 * mappings; it leaves at most a head and a tail piece.
 * @return 0, or -EINVAL (len 0, overflow, unknown container, a part not
 *   mapped, a hole in the range, vaddr not the one these IOVAs map),
 *   -ENOTSUP (start or end inside a chunk on an IOMMU type that cannot unmap
 *   part of a mapping), -ENODEV, -ENOMEM, -EIO (the kernel unmapped another
 *   size than asked), or the kernel's error (nothing changed).
 */
int dpx_vfio_container_dma_unmap(int container_fd, uint64_t vaddr, uint64_t iova, uint64_t len);

/** One DMA mapping of a container: [iova, iova + len) reaches va. */
struct dpx_vfio_dma_mapping {
	uint64_t iova;
	uint64_t va;
	uint64_t len;
};

/**
 * Told a container's whole mapping table: once at registration, then after
 * every change (a map or unmap call, a memory event's pages), before the call
 * that made the change returns. maps is NULL (n 0) when the container is being
 * destroyed or its table could not be copied for want of memory: the
 * listener must then take every IOVA as unmapped.
 * Runs with the VFIO lock held: it must not call the VFIO API, and should do
 * only short work of its own (every VFIO call waits for it).
 * @param maps n mappings in IOVA order (adjacent ones may be contiguous),
 *   valid only during the call
 */
typedef void dpx_vfio_dma_listener_t(void *arg, const struct dpx_vfio_dma_mapping *maps,
				     unsigned int n);

/**
 * Follow a container's mapping table: what a DMA engine that translates
 * IOVAs in software (drivers/dma/sw) uses to see exactly what the IOMMU would
 * let a device reach. fn runs once with the current table before this returns.
 * @return 0, or -EINVAL (NULL fn, unknown container), -EEXIST (fn and arg are
 *   registered on this container already), -ENOSPC (8 listeners already),
 *   -ENODEV (VFIO unavailable).
 */
int dpx_vfio_container_dma_listener_register(int container_fd, dpx_vfio_dma_listener_t *fn,
					     void *arg);

/**
 * Stop following a container's table: when this returns fn is not running
 * and is not called again for arg.
 * @return 0, or -EINVAL (unknown container), -ENOENT (not registered),
 *   -ENODEV (VFIO unavailable).
 */
int dpx_vfio_container_dma_listener_unregister(int container_fd, dpx_vfio_dma_listener_t *fn,
					       void *arg);

/**
 * Print a container's IOMMU type, groups and mapping table.
 * @return 0, or -EINVAL (unknown container), -ENODEV.
 */
int dpx_vfio_container_dump(FILE *f, int container_fd);

/**
 * @return the IOMMU type name of a container ("Type 1 v2", "Type 1",
 *   "sPAPR", "No-IOMMU"), or NULL before its first group (or for an unknown fd).
 */
const char *dpx_vfio_container_iommu_type(int container_fd);

/**
 * Number of entries in a container's mapping table.
 * @return the count (>= 0), or -EINVAL (unknown container), -ENODEV.
 */
int dpx_vfio_container_dma_count(int container_fd);

/** Most IOMMU groups one container holds. */
#define DPX_VFIO_MAX_GROUPS 64

/** A container as dpx_vfio_container_info describes it. */
struct dpx_vfio_container_info {
	int fd;                 /**< the container's fd (the default one's real fd too) */
	int is_default;         /**< 1 for the container the EAL opened */
	const char *iommu_type; /**< as dpx_vfio_container_iommu_type, NULL before a group */
	unsigned int group_count;
	int groups[DPX_VFIO_MAX_GROUPS]; /**< IOMMU group numbers */
	unsigned int group_devices[DPX_VFIO_MAX_GROUPS]; /**< devices set up in each */
	unsigned int dma_count; /**< entries in the mapping table */
};

/**
 * Describe a container.
 * @return 0, or -EINVAL (unknown container), -ENODEV (VFIO disabled).
 */
int dpx_vfio_container_info(int container_fd, struct dpx_vfio_container_info *info);

/** Called for each entry of a mapping table; non-zero stops the walk and is returned. */
typedef int(dpx_vfio_dma_walk_t)(uint64_t va, uint64_t iova, uint64_t len, uint64_t chunk,
				 void *arg);

/**
 * Walk a container's mapping table in IOVA order: one call per entry
 * (adjacent mappings of equal chunk are one entry; chunk 0: any sub-range may
 * be unmapped). fn runs under the VFIO lock and must not call dpx_vfio_*.
 * @return 0, fn's first non-zero return, or -EINVAL (unknown container),
 *   -ENODEV (VFIO disabled).
 */
int dpx_vfio_container_dma_walk(int container_fd, dpx_vfio_dma_walk_t *fn, void *arg);

/**
 * IOMMU group of a PCI device, from sysfs_base/dev_addr/iommu_group.
 * @param sysfs_base "/sys/bus/pci/devices"
 * @param dev_addr "0000:00:03.0"
 * @return 0 with *group_num set, or -EINVAL (NULL argument), -ENODEV (no
 *   such device, or it has no IOMMU group: IOMMU off and no-IOMMU mode not on).
 */
int dpx_vfio_get_group_num(const char *sysfs_base, const char *dev_addr, int *group_num);

/**
 * Open a device bound to vfio-pci: bind its group to the container it is in,
 * or the default container, then get the device fd and its info.
 * @param device_info filled by VFIO_DEVICE_GET_INFO (argsz is set here).
 * @return 0, or -ENODEV (VFIO unavailable, no IOMMU group), -ENOENT, -EPERM,
 *   -EBUSY as dpx_vfio_container_group_bind(), -EINVAL (NULL argument), or
 *   the kernel's error for VFIO_GROUP_GET_DEVICE_FD / VFIO_DEVICE_GET_INFO.
 */
int dpx_vfio_setup_device(const char *sysfs_base, const char *dev_addr, int *device_fd,
			  struct vfio_device_info *device_info);

/**
 * Close a device opened with dpx_vfio_setup_device(); the last device of a
 * group in the default container unbinds the group.
 * @return 0, or -EINVAL (NULL argument, negative fd), -ENODEV, -ENOENT
 *   (the device's group is not bound).
 */
int dpx_vfio_release_device(const char *sysfs_base, const char *dev_addr, int device_fd);

/**
 * Describe one region (BAR, config space...) of a device.
 * @return 0, or -EINVAL, or the kernel's error.
 */
int dpx_vfio_get_region_info(int device_fd, uint32_t index, struct vfio_region_info *info);

/**
 * Describe one interrupt index of a device (VFIO_PCI_INTX_IRQ_INDEX,
 * VFIO_PCI_MSI_IRQ_INDEX, VFIO_PCI_MSIX_IRQ_INDEX...): how many vectors, and
 * flags such as VFIO_IRQ_INFO_EVENTFD.
 * @return 0, or -EINVAL (NULL, negative fd), or the kernel's error.
 */
int dpx_vfio_get_irq_info(int device_fd, uint32_t index, struct vfio_irq_info *info);

/**
 * mmap a region (a BAR) of a device.
 * @param len set to the region size.
 * @return the mapping, or NULL with dpx_errno = ENOTSUP (the region cannot be
 *   mmapped), EINVAL, or the kernel's error.
 */
void *dpx_vfio_map_region(int device_fd, uint32_t index, size_t *len);

/** Undo dpx_vfio_map_region(). @return 0 or -EINVAL. */
int dpx_vfio_unmap_region(void *addr, size_t len);

/**
 * Signal the device's interrupts of one index (VFIO_PCI_INTX_IRQ_INDEX,
 * VFIO_PCI_MSI_IRQ_INDEX, VFIO_PCI_MSIX_IRQ_INDEX) on eventfds: vector i
 * writes eventfds[i]. An INTx interrupt stays masked until
 * dpx_vfio_irq_unmask().
 * @return 0, or -EINVAL (count 0 or above what the device offers, NULL),
 *   or the kernel's error.
 */
int dpx_vfio_irq_enable(int device_fd, uint32_t irq_index, const int *eventfds, uint32_t count);

/** Unmask INTx after handling it. @return 0 or the kernel's error. */
int dpx_vfio_irq_unmask(int device_fd, uint32_t irq_index);

/** Stop signalling interrupts of one index. @return 0 or the kernel's error. */
int dpx_vfio_irq_disable(int device_fd, uint32_t irq_index);

#endif /* DPX_VFIO_H */
