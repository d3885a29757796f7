/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The Linux kernel's vhost-net ioctls for net_virtio_user, kept apart from
 * virtio_user.h: linux/vhost.h brings the kernel's own virtio ring structs,
 * which would clash with lib/virtio's. Arguments have the kernel's layouts
 * (checked where linux/vhost.h is included).
 */
#ifndef VIRTIO_USER_KERNEL_H
#define VIRTIO_USER_KERNEL_H

#include <stddef.h>
#include <stdint.h>

enum vu_kernel_op {
	VU_KERNEL_SET_OWNER,	  /* arg unused */
	VU_KERNEL_GET_FEATURES,	  /* uint64_t * */
	VU_KERNEL_SET_FEATURES,	  /* uint64_t * */
	VU_KERNEL_SET_VRING_NUM,  /* struct vu_kernel_vring_state * */
	VU_KERNEL_SET_VRING_BASE, /* struct vu_kernel_vring_state * */
	VU_KERNEL_SET_VRING_ADDR, /* 40 bytes: struct vhost_user_vring_addr's layout */
	VU_KERNEL_SET_VRING_KICK, /* struct vu_kernel_vring_file * */
	VU_KERNEL_SET_VRING_CALL, /* struct vu_kernel_vring_file * */
	VU_KERNEL_SET_BACKEND,	  /* struct vu_kernel_vring_file *: the TAP fd, -1 detaches */
};

struct vu_kernel_vring_state {
	uint32_t index;
	uint32_t num;
};

struct vu_kernel_vring_file {
	uint32_t index;
	int fd;
};

struct vu_kernel_region {
	uint64_t gpa;
	uint64_t size;
	uint64_t uva;
};

/* Create (or attach to) TAP iface (a %d pattern is filled in) with a 12-byte
 * vnet header and no offloads. @return its fd, or -errno. */
int vu_kernel_tap_open(char *iface, size_t len);

/* One ioctl on a /dev/vhost-net fd. @return 0 or -errno. */
int vu_kernel_call(int vhostfd, enum vu_kernel_op op, void *arg);

/* VHOST_SET_MEM_TABLE: the kernel reads our own addresses (no fds). @return 0 or -errno. */
int vu_kernel_mem_table(int vhostfd, const struct vu_kernel_region *r, unsigned int n);

#endif /* VIRTIO_USER_KERNEL_H */
