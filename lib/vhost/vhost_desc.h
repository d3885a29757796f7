/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Descriptor chain walker: turns one chain a guest posted (split or packed,
 * direct or through an indirect table) into a list of host buffers. Pure: it
 * reads the ring memory it is given and translates through the memory table,
 * nothing else. Every index, length and address comes from a hostile guest:
 * a walk is bounded by the ring (or indirect table) size, so a loop is an
 * error, never a hang.
 */
#ifndef VHOST_DESC_H
#define VHOST_DESC_H

#include <stdbool.h>
#include <stdint.h>

#include "vhost_mem.h"
#include "virtio_defs.h"

/* Most buffers one chain may yield (after splitting at region ends). */
#define VHOST_CHAIN_MAX_BUFS 64

struct vhost_buf {
	void *hva;
	uint64_t gpa;
	uint32_t len;
};

struct vhost_chain {
	uint16_t id;	/* split: head index; packed: buffer id */
	uint16_t ndesc; /* ring slots the chain takes (packed ring accounting) */
	uint16_t nbufs; /* bufs[0..nread) device-readable, the rest device-writable */
	uint16_t nread;
	uint64_t read_len;
	uint64_t write_len;
	struct vhost_buf bufs[VHOST_CHAIN_MAX_BUFS];
};

struct vhost_ring_view {
	const struct vhost_mem *mem;
	const void *desc; /* descriptor table (split) or descriptor ring (packed) */
	uint16_t size;	  /* entries */
	bool indirect;	  /* VIRTIO_RING_F_INDIRECT_DESC negotiated */
};

/*
 * Walk the chain starting at ring index idx.
 * @param packed constant at the call sites: the two layouts share this body.
 * @param hint the queue's last-hit memory region index.
 * @return 0 with *c filled, or
 *   -ERANGE  an index (head or next) past the ring or indirect table,
 *   -ELOOP   more descriptors than the table holds (a loop),
 *   -EFAULT  a buffer or indirect table not inside guest memory,
 *   -EINVAL  bad indirect use (not negotiated, nested, with NEXT, size not a
 *            multiple of 16 or 0) or a device-readable buffer after a
 *            device-writable one,
 *   -E2BIG   more than VHOST_CHAIN_MAX_BUFS buffers.
 *   *why names the fault for the log line.
 */
int vhost_chain_walk(const struct vhost_ring_view *v, uint16_t idx, bool packed, unsigned int *hint,
		     struct vhost_chain *c, const char **why);

#endif /* VHOST_DESC_H */
