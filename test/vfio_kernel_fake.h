/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A fake of the kernel's VFIO interface (/dev/vfio/vfio, /dev/vfio/N, the
 * container, group and device ioctls) for tests: installed with
 * vfio_set_kernel_ops(&kfake_ops) it runs dpx's whole container path. Its
 * IOMMU is the kernel model of vfio_kernel_model.h, one per container; the
 * fds it hands out are real eventfds so that fd leaks show.
 */
#ifndef VFIO_KERNEL_FAKE_H
#define VFIO_KERNEL_FAKE_H

#include <stdbool.h>

#include "vfio_kernel_model.h"
#include "vfio_private.h"

#define KFAKE_MAX 16

/*
 * A device fd is a memfd laid out as VFIO describes it: config space at
 * offset 0 (256 bytes), BAR0 at KFAKE_BAR0_OFFSET (kfake.bar0_size bytes,
 * mmappable). pread/pwrite/mmap on it work as on a real VFIO device fd.
 */
#define KFAKE_CONFIG_SIZE 256
#define KFAKE_BAR0_OFFSET 0x1000
#define KFAKE_BAR0_MAX 0x100000

struct kfake_group {
	int num;
	bool viable;
	int fd;		  /* -1 when not open */
	int container_fd; /* -1 when not set */
};

struct kfake_container {
	int fd;	   /* -1 when free */
	int iommu; /* 0 until VFIO_SET_IOMMU */
	unsigned int groups;
	struct kmodel k;
};

struct kfake {
	bool no_vfio;		/* /dev/vfio/vfio does not exist */
	enum kmodel_type model; /* the IOMMU the machine has */
	bool type1_v1_only;	/* an old kernel: type1 without v2 */
	struct kfake_group groups[KFAKE_MAX];
	unsigned int group_count;
	struct kfake_container containers[KFAKE_MAX];
	int devices[KFAKE_MAX];	  /* device fds, -1 when free */
	int irq_fds_set;	  /* eventfds given by the last VFIO_DEVICE_SET_IRQS */
	unsigned int fail_map_in; /* fail the n-th next MAP_DMA with EIO */
	uint32_t bar0_size;	  /* 0: 4096 */
	int irq_fd;		  /* first eventfd of the last SET_IRQS, -1 when none */
	/* called with each new device fd (a device model starts on it); kept by kfake_reset */
	void (*device_opened)(int device_fd);
};

extern struct kfake kfake;
extern const struct vfio_kernel_ops kfake_ops;

/*
 * The fake's lock: held while a container ioctl changes a kernel model, so a
 * device model on another thread can translate IOVAs through it.
 */
void kfake_lock(void);
void kfake_unlock(void);

/* Forget everything (closing the fds still open) and offer this IOMMU. */
void kfake_reset(enum kmodel_type model);
/* A group /dev/vfio/num. */
void kfake_add_group(int num, bool viable);
/* The kernel model of a container fd (NULL if unknown). */
struct kmodel *kfake_container_model(int container_fd);
/* The model of the default container: the first container still open. */
struct kmodel *kfake_default_model(void);

#endif
