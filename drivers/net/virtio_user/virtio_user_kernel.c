/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The Linux kernel's vhost-net as net_virtio_user's back-end
 * (path=/dev/vhost-net): the vhost-user requests as ioctls (linux/vhost.h),
 * and a TAP interface the kernel moves the packets to and from. The kernel
 * reads our rings and buffers in our own address space, so the memory table
 * carries addresses only, and a vring runs once the TAP is attached to it.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <linux/vhost.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "virtio_user_kernel.h"

_Static_assert(sizeof(struct vu_kernel_vring_state) == sizeof(struct vhost_vring_state),
	       "vring state layout");
_Static_assert(sizeof(struct vu_kernel_vring_file) == sizeof(struct vhost_vring_file),
	       "vring file layout");
_Static_assert(sizeof(struct vhost_vring_addr) == 40, "vring addr layout");

int
vu_kernel_tap_open(char *iface, size_t len)
{
	struct ifreq ifr = {.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR};
	int hdr = 12; /* VERSION_1's header (virtio 1.1, 5.1.6), the same both ways */
	int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC | O_NONBLOCK), rc;

	if (fd < 0)
		return -errno;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", iface);
	if (ioctl(fd, TUNSETIFF, &ifr) != 0 || ioctl(fd, TUNSETVNETHDRSZ, &hdr) != 0 ||
	    ioctl(fd, TUNSETOFFLOAD, 0) != 0) {
		rc = -errno;
		close(fd);
		return rc;
	}
	snprintf(iface, len, "%s", ifr.ifr_name);
	return fd;
}

int
vu_kernel_call(int vhostfd, enum vu_kernel_op op, void *arg)
{
	static const unsigned long ops[] = {
		[VU_KERNEL_SET_OWNER] = VHOST_SET_OWNER,
		[VU_KERNEL_GET_FEATURES] = VHOST_GET_FEATURES,
		[VU_KERNEL_SET_FEATURES] = VHOST_SET_FEATURES,
		[VU_KERNEL_SET_VRING_NUM] = VHOST_SET_VRING_NUM,
		[VU_KERNEL_SET_VRING_BASE] = VHOST_SET_VRING_BASE,
		[VU_KERNEL_SET_VRING_ADDR] = VHOST_SET_VRING_ADDR,
		[VU_KERNEL_SET_VRING_KICK] = VHOST_SET_VRING_KICK,
		[VU_KERNEL_SET_VRING_CALL] = VHOST_SET_VRING_CALL,
		[VU_KERNEL_SET_BACKEND] = VHOST_NET_SET_BACKEND,
	};
	int rc = op == VU_KERNEL_SET_OWNER ? ioctl(vhostfd, ops[op]) : ioctl(vhostfd, ops[op], arg);

	return rc == 0 ? 0 : -errno;
}

int
vu_kernel_mem_table(int vhostfd, const struct vu_kernel_region *r, unsigned int n)
{
	struct vhost_memory *m = calloc(1, sizeof(*m) + n * sizeof(m->regions[0]));
	int rc;

	if (m == NULL)
		return -ENOMEM;
	m->nregions = n;
	for (unsigned int i = 0; i < n; i++)
		m->regions[i] = (struct vhost_memory_region){.guest_phys_addr = r[i].gpa,
							     .memory_size = r[i].size,
							     .userspace_addr = r[i].uva};
	rc = ioctl(vhostfd, VHOST_SET_MEM_TABLE, m) == 0 ? 0 : -errno;
	free(m);
	return rc;
}
