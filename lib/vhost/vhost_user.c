/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vhost-user devices: the message handlers (dispatched through a table indexed
 * by request), guest memory mapping and ring set-up. Runs on the vhost thread
 * with the vhost mutex held. Whatever the data path reads (memory table, ring
 * addresses, the log) changes only while every queue's access lock is held.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vhost_private.h"

DPX_LOG_REGISTER(vhost_config_logtype, "lib.vhost.config");

static struct vhost_dev *devices[DPX_VHOST_MAX_DEVICES];

#define FEAT(f, bit) (((f) >> (bit)) & 1)
#define STATUS_DRIVER_OK 4u

struct vhost_dev *
vhost_dev_get(int vid)
{
	if (vid < 0 || vid >= DPX_VHOST_MAX_DEVICES)
		return NULL;
	return devices[vid];
}

uint32_t
vhost_net_hdr_len(uint64_t features)
{
	/* 5.1.6: num_buffers is present with VERSION_1 or MRG_RXBUF */
	if (FEAT(features, VIRTIO_F_VERSION_1) || FEAT(features, VIRTIO_NET_F_MRG_RXBUF))
		return sizeof(struct virtio_net_hdr_mrg_rxbuf);
	return sizeof(struct virtio_net_hdr);
}

static void
close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

static void
lock_all(struct vhost_dev *dev)
{
	unsigned int i;

	for (i = 0; i < DPX_VHOST_MAX_VRINGS; i++)
		if (dev->vq[i] != NULL)
			vhost_lock_take(&dev->vq[i]->access_lock);
}

/*
 * Async vrings: before anything their in-flight copies depend on changes
 * (memory, ring addresses, size, base, the log), the copies complete and are
 * published. @return 0, or -ETIMEDOUT (an engine missed the deadline: the
 * device is broken, the handler fails and the connection closes).
 */
static int
vq_lock_drained(struct vhost_dev *dev, struct vhost_vq *vq)
{
	vhost_lock_take(&vq->access_lock);
	return vhost_async_drain(dev, vq);
}

static int
lock_all_drained(struct vhost_dev *dev)
{
	uint64_t deadline = vhost_async_deadline(); /* one for the device */
	unsigned int i;
	int rc = 0;

	lock_all(dev);
	for (i = 0; i < DPX_VHOST_MAX_VRINGS; i++)
		if (dev->vq[i] != NULL && vhost_async_drain_by(dev, dev->vq[i], deadline) < 0)
			rc = -ETIMEDOUT;
	return rc;
}

static void
unlock_all(struct vhost_dev *dev)
{
	unsigned int i;

	for (i = 0; i < DPX_VHOST_MAX_VRINGS; i++)
		if (dev->vq[i] != NULL)
			vhost_lock_release(&dev->vq[i]->access_lock);
}

struct vhost_dev *
vhost_dev_new(struct vhost_socket *s, int fd)
{
	struct vhost_dev *dev;
	int vid;

	for (vid = 0; vid < DPX_VHOST_MAX_DEVICES; vid++)
		if (devices[vid] == NULL)
			break;
	if (vid == DPX_VHOST_MAX_DEVICES) {
		VHOST_LOG(ERR, "%s: no free device slot (%d in use)", s->path,
			  DPX_VHOST_MAX_DEVICES);
		return NULL;
	}
	dev = calloc(1, sizeof(*dev));
	if (dev != NULL)
		dev->mem = calloc(1, sizeof(*dev->mem));
	if (dev == NULL || dev->mem == NULL) {
		free(dev);
		VHOST_LOG(ERR, "%s: out of memory for a device", s->path);
		return NULL;
	}
	dev->vid = vid;
	dev->fd = fd;
	dev->sock = s;
	dev->copy = &vhost_copy_cpu;
	dev->hdr_len = sizeof(struct virtio_net_hdr);
	dev->async_threshold = DPX_VHOST_ASYNC_COPY_THRESHOLD_DEFAULT;
	devices[vid] = dev;
	return dev;
}

/* ---- readiness: new_device / destroy_device ---- */

static bool
vq_usable(const struct vhost_vq *vq)
{
	return vq != NULL && vq->ready && vq->enabled && !vq->broken;
}

static void
dev_stop(struct vhost_dev *dev)
{
	if (!dev->running)
		return;
	dev->running = false;
	if (dev->sock->ops.destroy_device != NULL)
		dev->sock->ops.destroy_device(dev->vid);
	VHOST_LOG(INFO, "vid %d (%s) stopped", dev->vid, dev->sock->path);
	/* a front-end refused while this one ran may run now (not while the
	 * path itself goes) */
	if (dev->sock->started)
		vhost_dev_reoffer(dev->sock);
}

static void
dev_check_ready(struct vhost_dev *dev)
{
	bool ready = vq_usable(dev->vq[0]) && vq_usable(dev->vq[1]) && !dev->broken;

	if (FEAT(dev->protocol_features, VHOST_USER_PROTOCOL_F_STATUS))
		ready = ready && (dev->status & STATUS_DRIVER_OK);
	if (ready && !dev->running) {
		/* not at every message of a front-end the application does not want
		 * (a second one on a net_vhost port): once, then when a running
		 * device of its path stops (vhost_dev_reoffer) */
		if (dev->refused)
			return;
		if (dev->sock->ops.new_device != NULL && dev->sock->ops.new_device(dev->vid) != 0) {
			dev->refused = true;
			VHOST_LOG(ERR, "vid %d: application refused the device", dev->vid);
			return;
		}
		dev->running = true;
		dev->came_up = true;
		VHOST_LOG(INFO, "vid %d (%s) running, features 0x%" PRIx64, dev->vid,
			  dev->sock->path, dev->features);
	} else if (!ready) {
		dev_stop(dev);
	}
}

void
vhost_dev_reoffer(const struct vhost_socket *s)
{
	int vid;

	for (vid = 0; vid < DPX_VHOST_MAX_DEVICES; vid++) {
		struct vhost_dev *dev = devices[vid];

		if (dev != NULL && dev->sock == s && dev->refused) {
			dev->refused = false;
			dev_check_ready(dev);
		}
	}
}

/* ---- memory ---- */

/*
 * A front-end that shrinks the file after we mapped it would make our next
 * access fault (SIGBUS). QEMU seals its memfds (memory-backend-memfd seal=on,
 * the default). A memfd that still allows sealing is sealed against shrinking
 * here, before its size is checked, so the check holds for as long as the
 * mapping does (shrinking is all the seal forbids: QEMU's discards punch
 * holes, which keep the size). Files that cannot be sealed (a memfd made
 * without MFD_ALLOW_SEALING, a tmpfs, hugetlbfs or disk file) are said to be
 * a risk.
 */
static void
seal_shrink(int fd)
{
	int seals = fcntl(fd, F_GET_SEALS);

	/* F_GET_SEALS fails on files with no seals at all (ext4, ...): as unsealable */
	if (seals >= 0 && (seals & F_SEAL_SHRINK))
		return;
	if (seals >= 0 && !(seals & F_SEAL_SEAL) && fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK) == 0)
		return;
	VHOST_LOG(WARNING,
		  "guest memory fd %d cannot be sealed against shrinking: "
		  "a front-end that truncates it can crash this process",
		  fd);
}

/*
 * Map [off, off + len) of fd for a device that has mapped `used` bytes
 * already, into r (mmap_addr, mmap_size, and hva: where off is). The mapping
 * starts at off rounded down to the file's page size, not at the file's
 * start: a region far into a (sparse) file costs the address space of the
 * region, not of the file before it. What one device maps is bounded, so
 * that one front-end cannot take the process's address space from the
 * others (and from malloc, thread stacks, ...).
 */
static int
map_fd(int fd, uint64_t off, uint64_t len, uint64_t used, struct vhost_mem_region *r,
       const char **why)
{
	struct stat st;
	uint64_t align, start;
	int rc;

	/* first: fcntl, fstat and mmap may wait for whoever serves the file */
	rc = vhost_mem_fd_check(fd, why);
	if (rc < 0)
		return rc;
	seal_shrink(fd);
	if (fstat(fd, &st) < 0) {
		*why = "fstat of the region fd failed";
		return -errno;
	}
	/* touching a page past the end of the file would SIGBUS the process */
	if ((uint64_t)st.st_size < off + len) {
		*why = "region runs past the end of its file";
		return -EINVAL;
	}
	/* hugetlbfs reports its page size here and needs mappings aligned to it */
	align = st.st_blksize > 4096 && DPX_IS_POWER_OF_2((uint64_t)st.st_blksize)
			? (uint64_t)st.st_blksize
			: 4096;
	start = DPX_ALIGN_FLOOR(off, align);
	r->mmap_size = DPX_ALIGN_CEIL(off + len - start, align);
	if (r->mmap_size > VHOST_MEM_MAX_MAPPED - used) {
		*why = "guest memory and log past the 1 TiB a device may map";
		return -ENOSPC;
	}
	r->mmap_addr =
		mmap(NULL, r->mmap_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)start);
	if (r->mmap_addr == MAP_FAILED) {
		*why = "mmap of the region failed";
		return -errno;
	}
	r->hva = (uint64_t)(uintptr_t)r->mmap_addr + (off - start);
	return 0;
}

/* Address space the device has mapped: its regions and its dirty log. */
static uint64_t
dev_mapped(const struct vhost_dev *dev)
{
	return vhost_mem_mapped(dev->mem) + dev->log_map_size;
}

/* Callers drained the async copies first: no engine writes there any more
 * (or, after an expired drain, only through an IOMMU that the unmap closes). */
static void
region_release(struct vhost_dev *dev, struct vhost_mem_region *r)
{
	if (dev->sock->ops.mem_region_removed != NULL)
		dev->sock->ops.mem_region_removed(dev->vid, r->gpa, (void *)(uintptr_t)r->hva,
						  r->size);
	vhost_async_region_unmap(dev, r);
	if (dev->async_keep_memory) {
		VHOST_LOG(ERR,
			  "vid %d: region gpa 0x%" PRIx64 " size 0x%" PRIx64
			  " stays mapped in this process: a DMA engine that missed its "
			  "deadline may still write there",
			  dev->vid, r->gpa, r->size);
		return;
	}
	munmap(r->mmap_addr, r->mmap_size);
}

/* Map one region and add it to the table. Caller holds every queue lock. */
static int
region_add(struct vhost_dev *dev, const struct vhost_user_mem_region *in, int fd, const char **why)
{
	struct vhost_mem_region r = {0};
	int rc;

	rc = vhost_mem_check_new(dev->mem, in->guest_phys_addr, in->memory_size, in->userspace_addr,
				 in->mmap_offset, why);
	if (rc < 0)
		return rc;
	rc = map_fd(fd, in->mmap_offset, in->memory_size, dev_mapped(dev), &r, why);
	if (rc < 0)
		return rc;
	r.gpa = in->guest_phys_addr;
	r.size = in->memory_size;
	r.uva = in->userspace_addr;
	/* async: one DMA map per container, before any burst can see the region */
	rc = vhost_async_region_map(dev, &r);
	if (rc < 0) {
		munmap(r.mmap_addr, r.mmap_size);
		*why = "DMA map of the region failed";
		return rc;
	}
	if (dev->sock->ops.mem_region_added != NULL &&
	    dev->sock->ops.mem_region_added(dev->vid, r.gpa, (void *)(uintptr_t)r.hva, r.size)) {
		vhost_async_region_unmap(dev, &r);
		munmap(r.mmap_addr, r.mmap_size);
		*why = "application refused the region";
		return -EPERM;
	}
	vhost_mem_insert(dev->mem, &r);
	return 0;
}

static void
mem_free_all(struct vhost_dev *dev)
{
	struct vhost_mem_region r;

	while (dev->mem->n > 0) {
		vhost_mem_remove(dev->mem, dev->mem->n - 1, &r);
		region_release(dev, &r);
	}
}

/* Rings point into guest memory: after the table changes, look them up again. */
static void
retranslate_rings(struct vhost_dev *dev)
{
	unsigned int i;

	for (i = 0; i < DPX_VHOST_MAX_VRINGS; i++) {
		struct vhost_vq *vq = dev->vq[i];

		if (vq != NULL && vq->addr_set && vhost_vq_translate(dev, vq) < 0 && vq->ready) {
			VHOST_LOG(ERR, "vid %d: vring %u no longer inside guest memory", dev->vid,
				  i);
			vq->ready = false;
		}
	}
}

static int
h_set_mem_table(struct vhost_dev *dev, struct vhost_user_msg *msg, struct vhost_user_msg *reply,
		const char **why)
{
	const struct vhost_user_mem_table *t = &msg->payload.mem;
	unsigned int i;
	int rc = 0;

	(void)reply;
	if (lock_all_drained(dev) < 0) {
		*why = "in-flight DMA copies did not complete";
		rc = -ETIMEDOUT;
	}
	mem_free_all(dev);
	for (i = 0; i < t->nregions && rc == 0; i++)
		rc = region_add(dev, &t->regions[i], msg->fds[i], why);
	if (rc < 0)
		mem_free_all(dev);
	/* also after a failure: rings into the memory just dropped must stop now,
	 * not when the connection is closed */
	retranslate_rings(dev);
	unlock_all(dev);
	if (rc < 0 && i > 0)
		VHOST_LOG(ERR,
			  "vid %d: SET_MEM_TABLE region %u (gpa 0x%" PRIx64 " size 0x%" PRIx64
			  "): %s",
			  dev->vid, i - 1, t->regions[i - 1].guest_phys_addr,
			  t->regions[i - 1].memory_size, *why);
	else if (rc < 0)
		VHOST_LOG(ERR, "vid %d: SET_MEM_TABLE: %s", dev->vid, *why);
	dev_check_ready(dev);
	return rc;
}

static int
h_add_mem_reg(struct vhost_dev *dev, struct vhost_user_msg *msg, struct vhost_user_msg *reply,
	      const char **why)
{
	const struct vhost_user_mem_region *in = &msg->payload.mem_reg.region;
	int rc;

	(void)reply;
	/* QEMU before 8.0 sends ADD_MEM_REG once per queue pair: the same region
	 * again is not an overlap but a repeat (a partial overlap still is one) */
	if (vhost_mem_find(dev->mem, in->guest_phys_addr, in->memory_size, in->userspace_addr) >=
	    0) {
		VHOST_LOG(DEBUG,
			  "vid %d: ADD_MEM_REG gpa 0x%" PRIx64 " size 0x%" PRIx64
			  ": already mapped, repeat ignored",
			  dev->vid, in->guest_phys_addr, in->memory_size);
		return 0;
	}
	lock_all(dev);
	rc = region_add(dev, in, msg->fds[0], why);
	unlock_all(dev);
	if (rc < 0)
		VHOST_LOG(ERR,
			  "vid %d: ADD_MEM_REG gpa 0x%" PRIx64 " size 0x%" PRIx64
			  " offset 0x%" PRIx64 ": %s",
			  dev->vid, in->guest_phys_addr, in->memory_size, in->mmap_offset, *why);
	return rc;
}

static int
h_rem_mem_reg(struct vhost_dev *dev, struct vhost_user_msg *msg, struct vhost_user_msg *reply,
	      const char **why)
{
	const struct vhost_user_mem_region *in = &msg->payload.mem_reg.region;
	struct vhost_mem_region r;
	int idx, rc;

	(void)reply;
	/* the copies in flight may write into it: they land before it goes */
	rc = lock_all_drained(dev);
	idx = vhost_mem_find(dev->mem, in->guest_phys_addr, in->memory_size, in->userspace_addr);
	if (idx >= 0) {
		vhost_mem_remove(dev->mem, (unsigned int)idx, &r);
		retranslate_rings(dev);
	}
	unlock_all(dev);
	if (idx < 0) {
		/* the other half of QEMU's per-queue-pair repeat: nothing left to remove */
		VHOST_LOG(DEBUG,
			  "vid %d: REM_MEM_REG gpa 0x%" PRIx64 " size 0x%" PRIx64
			  ": no such region mapped, ignored",
			  dev->vid, in->guest_phys_addr, in->memory_size);
		return 0;
	}
	/* no queue can reach it any more: unmap outside the locks */
	region_release(dev, &r);
	dev_check_ready(dev);
	if (rc < 0) {
		*why = "in-flight DMA copies did not complete";
		VHOST_LOG(ERR, "vid %d: REM_MEM_REG gpa 0x%" PRIx64 ": %s", dev->vid,
			  in->guest_phys_addr, *why);
	}
	return rc;
}

static int
h_get_max_mem_slots(struct vhost_dev *dev, struct vhost_user_msg *msg, struct vhost_user_msg *reply,
		    const char **why)
{
	(void)dev, (void)msg, (void)why;
	reply->payload.u64 = DPX_VHOST_MAX_MEM_SLOTS;
	return 0;
}

/* ---- dirty log ---- */

void
vhost_log_write(struct vhost_dev *dev, uint64_t gpa, uint64_t len)
{
	uint64_t page, last;

	if (len == 0 || dev->log_base == NULL || !FEAT(dev->features, VHOST_F_LOG_ALL))
		return;
	/* vhost-user.rst: one bit per 4 KiB page of guest-physical memory */
	last = (gpa + len - 1) / 4096;
	for (page = gpa / 4096; page <= last; page++) {
		if (page / 8 >= dev->log_size)
			return;
		/* the front-end reads and clears bits concurrently */
		__atomic_fetch_or(&dev->log_base[page / 8], (uint8_t)(1u << (page % 8)),
				  __ATOMIC_RELAXED);
	}
}

static void
log_unmap(struct vhost_dev *dev)
{
	if (dev->log_map != NULL)
		munmap(dev->log_map, dev->log_map_size);
	dev->log_map = NULL;
	dev->log_map_size = 0;
	dev->log_base = NULL;
	dev->log_size = 0;
}

static int
h_set_log_base(struct vhost_dev *dev, struct vhost_user_msg *msg, struct vhost_user_msg *reply,
	       const char **why)
{
	const struct vhost_user_log *l = &msg->payload.log;
	struct vhost_mem_region map;
	int rc;

	if (l->mmap_size == 0 || l->mmap_offset + l->mmap_size < l->mmap_offset) {
		*why = "log size 0 or offset wraps";
		VHOST_LOG(ERR, "vid %d: SET_LOG_BASE size 0x%" PRIx64 " offset 0x%" PRIx64 ": %s",
			  dev->vid, l->mmap_size, l->mmap_offset, *why);
		return -EINVAL;
	}
	/* not counting the log it replaces */
	rc = map_fd(msg->fds[0], l->mmap_offset, l->mmap_size, vhost_mem_mapped(dev->mem), &map,
		    why);
	if (rc < 0) {
		VHOST_LOG(ERR, "vid %d: SET_LOG_BASE size 0x%" PRIx64 " offset 0x%" PRIx64 ": %s",
			  dev->vid, l->mmap_size, l->mmap_offset, *why);
		return rc;
	}
	/* copies in flight were logged (or not) by the old log: they land first */
	rc = lock_all_drained(dev);
	log_unmap(dev);
	dev->log_map = map.mmap_addr;
	dev->log_map_size = map.mmap_size;
	dev->log_base = (uint8_t *)(uintptr_t)map.hva;
	dev->log_size = l->mmap_size;
	unlock_all(dev);
	/* vhost-user.rst: the reply (zero-size payload) tells the front-end the log is in use */
	reply->hdr.size = 0;
	if (rc < 0)
		*why = "in-flight DMA copies did not complete";
	return rc;
}

/* ---- features ---- */

static uint64_t
protocol_features_offered(void)
{
	return (1ULL << VHOST_USER_PROTOCOL_F_MQ) | (1ULL << VHOST_USER_PROTOCOL_F_LOG_SHMFD) |
	       (1ULL << VHOST_USER_PROTOCOL_F_RARP) | (1ULL << VHOST_USER_PROTOCOL_F_REPLY_ACK) |
	       (1ULL << VHOST_USER_PROTOCOL_F_MTU) |
	       (1ULL << VHOST_USER_PROTOCOL_F_CONFIGURE_MEM_SLOTS) |
	       (1ULL << VHOST_USER_PROTOCOL_F_STATUS);
}

static int
h_get_features(struct vhost_dev *dev, struct vhost_user_msg *msg, struct vhost_user_msg *reply,
	       const char **why)
{
	(void)msg, (void)why;
	reply->payload.u64 = dev->sock->features;
	return 0;
}

/* vhost-user.rst: with PROTOCOL_FEATURES a ring starts disabled, enabled by
 * SET_VRING_ENABLE; without, it starts enabled. */
static void
vq_enable_default(const struct vhost_dev *dev, struct vhost_vq *vq)
{
	if (!vq->enable_set)
		vq->enabled = !FEAT(dev->features, VHOST_USER_F_PROTOCOL_FEATURES);
}

/* Rings may exist before SET_FEATURES (QEMU sends SET_VRING_CALL for each at
 * initialisation): what the features decide about them is decided again. */
static void
vq_features_apply(struct vhost_dev *dev)
{
	bool packed = FEAT(dev->features, VIRTIO_F_RING_PACKED);
	unsigned int i;

	for (i = 0; i < DPX_VHOST_MAX_VRINGS; i++) {
		struct vhost_vq *vq = dev->vq[i];

		if (vq == NULL)
			continue;
		vq_enable_default(dev, vq);
		/* a ring set up for the other layout must be set up again (and kicked) */
		if (vq->packed != packed) {
			vq->packed = packed;
			vq->ready = false;
		}
	}
}

static int
h_set_features(struct vhost_dev *dev, struct vhost_user_msg *msg, struct vhost_user_msg *reply,
	       const char **why)
{
	uint64_t f = msg->payload.u64, changed = f ^ dev->features;

	(void)reply;
	if (f & ~dev->sock->features) {
		*why = "features not offered";
		VHOST_LOG(ERR, "vid %d: SET_FEATURES 0x%" PRIx64 ": %s (offered 0x%" PRIx64 ")",
			  dev->vid, f, *why, dev->sock->features);
		return -EINVAL;
	}
	/* only dirty logging may be switched while the rings run (migration) */
	if (dev->running && (changed & ~(1ULL << VHOST_F_LOG_ALL))) {
		*why = "features changed while running";
		VHOST_LOG(ERR, "vid %d: SET_FEATURES 0x%" PRIx64 ": %s", dev->vid, f, *why);
		return -EBUSY;
	}
	/* LOG_ALL may switch: copies in flight land under the log they began with */
	if (lock_all_drained(dev) < 0) {
		unlock_all(dev);
		*why = "in-flight DMA copies did not complete";
		return -ETIMEDOUT;
	}
	dev->features = f;
	dev->features_set = true;
	dev->hdr_len = vhost_net_hdr_len(f);
	vq_features_apply(dev);
	unlock_all(dev);
	if (changed && dev->sock->ops.features_changed != NULL)
		dev->sock->ops.features_changed(dev->vid, f);
	return 0;
}

static int
h_get_protocol_features(struct vhost_dev *dev, struct vhost_user_msg *msg,
			struct vhost_user_msg *reply, const char **why)
{
	(void)dev, (void)msg, (void)why;
	reply->payload.u64 = protocol_features_offered();
	return 0;
}

static int
h_set_protocol_features(struct vhost_dev *dev, struct vhost_user_msg *msg,
			struct vhost_user_msg *reply, const char **why)
{
	(void)reply;
	if (msg->payload.u64 & ~protocol_features_offered()) {
		*why = "protocol features not offered";
		VHOST_LOG(ERR, "vid %d: SET_PROTOCOL_FEATURES 0x%" PRIx64 ": %s", dev->vid,
			  msg->payload.u64, *why);
		return -EINVAL;
	}
	/* the rings of other pairs exist only with MQ: it stays while they do */
	if (dev->nr_vring > 2 && !FEAT(msg->payload.u64, VHOST_USER_PROTOCOL_F_MQ)) {
		*why = "MQ removed while vrings past pair 0 exist";
		VHOST_LOG(ERR, "vid %d: SET_PROTOCOL_FEATURES 0x%" PRIx64 ": %s (%u vrings)",
			  dev->vid, msg->payload.u64, *why, dev->nr_vring);
		return -EBUSY;
	}
	dev->protocol_features = msg->payload.u64;
	return 0;
}

static int
h_get_queue_num(struct vhost_dev *dev, struct vhost_user_msg *msg, struct vhost_user_msg *reply,
		const char **why)
{
	(void)msg, (void)why;
	reply->payload.u64 = dev->sock->max_queue_pairs;
	return 0;
}

static int
h_nop(struct vhost_dev *dev, struct vhost_user_msg *msg, struct vhost_user_msg *reply,
      const char **why)
{
	(void)dev, (void)msg, (void)reply, (void)why;
	return 0;
}

/* ---- vrings ---- */

/* The vring a per-vring message names: where the index sits depends on the payload. */
static uint32_t
msg_vring_index(const struct vhost_user_msg *msg)
{
	switch (msg->hdr.request) {
	case VHOST_USER_SET_VRING_ADDR:
		return msg->payload.addr.index;
	case VHOST_USER_SET_VRING_KICK:
	case VHOST_USER_SET_VRING_CALL:
	case VHOST_USER_SET_VRING_ERR:
		return (uint32_t)(msg->payload.u64 & VHOST_USER_VRING_IDX_MASK);
	default:
		return msg->payload.state.index;
	}
}

/*
 * Vrings a front-end may name: those of the queue pairs the path offers
 * (GET_QUEUE_NUM) with the MQ protocol feature, pair 0 without it (the
 * control queue is the front-end's own). QEMU negotiates protocol features
 * before its first per-ring message.
 */
static uint32_t
vrings_allowed(const struct vhost_dev *dev)
{
	if (!FEAT(dev->protocol_features, VHOST_USER_PROTOCOL_F_MQ))
		return 2;
	return 2u * dev->sock->max_queue_pairs;
}

/* The vring a message names, created on first use; NULL (logged) if out of range. */
static struct vhost_vq *
vq_get(struct vhost_dev *dev, const struct vhost_user_msg *msg, const char **why)
{
	const char *req = vhost_msg_name(msg->hdr.request);
	uint32_t index = msg_vring_index(msg), limit = vrings_allowed(dev);
	struct vhost_vq *vq;

	if (index >= limit) {
		*why = "vring index out of range";
		VHOST_LOG(ERR, "vid %d: %s vring %u: %s (%u vrings%s)", dev->vid, req, index, *why,
			  limit,
			  FEAT(dev->protocol_features, VHOST_USER_PROTOCOL_F_MQ)
				  ? ""
				  : ": protocol feature MQ not negotiated");
		return NULL;
	}
	if (dev->vq[index] != NULL)
		return dev->vq[index];
	vq = calloc(1, sizeof(*vq));
	if (vq == NULL) {
		*why = "out of memory";
		VHOST_LOG(ERR, "vid %d: %s vring %u: %s", dev->vid, req, index, *why);
		return NULL;
	}
	vq->kickfd = vq->callfd = vq->errfd = -1;
	vq->packed = FEAT(dev->features, VIRTIO_F_RING_PACKED);
	vq->avail_wrap = vq->used_wrap = true;
	vq_enable_default(dev, vq);
	/* release: a burst that finds the vring (acquire, vq_enter) sees it initialized */
	__atomic_store_n(&dev->vq[index], vq, __ATOMIC_RELEASE);
	if (index + 1 > dev->nr_vring)
		dev->nr_vring = index + 1;
	return vq;
}

static int
h_set_vring_num(struct vhost_dev *dev, struct vhost_vq *vq, struct vhost_user_msg *msg,
		struct vhost_user_msg *reply, const char **why)
{
	uint32_t num = msg->payload.state.num;
	int rc;

	(void)reply;
	/* 2.6: split rings are a power of 2; 2.7: packed rings up to 32768 */
	if (num == 0 || num > VHOST_MAX_RING_SIZE ||
	    (!FEAT(dev->features, VIRTIO_F_RING_PACKED) && !DPX_IS_POWER_OF_2(num))) {
		*why = "ring size not in 1..32768 (or not a power of 2 for a split ring)";
		VHOST_LOG(ERR, "vid %d: SET_VRING_NUM %u: %s", dev->vid, num, *why);
		return -EINVAL;
	}
	rc = vq_lock_drained(dev, vq);
	vq->size = (uint16_t)num; /* 32768 fits */
	vq->ready = false;
	vhost_lock_release(&vq->access_lock);
	if (rc < 0)
		*why = "in-flight DMA copies did not complete";
	return rc;
}

static void *
ring_part(struct vhost_dev *dev, uint64_t uva, uint64_t len, uint64_t align)
{
	if (uva % align != 0)
		return NULL;
	return vhost_mem_uva_to_hva(dev->mem, uva, len);
}

int
vhost_vq_translate(struct vhost_dev *dev, struct vhost_vq *vq)
{
	const struct vhost_user_vring_addr *a = &vq->addr;
	uint64_t n = vq->size;

	if (n == 0)
		return -EINVAL;
	/* size and base may have come before the features that give them meaning:
	 * check the combination the data path will use */
	if (vq->packed && (vq->last_avail_idx >= n || vq->last_used_idx >= n))
		return -ERANGE;
	if (!vq->packed && !DPX_IS_POWER_OF_2(n))
		return -EINVAL;
	if (vq->packed) {
		vq->desc_packed = ring_part(dev, a->desc_user_addr, n * 16, 16);
		vq->driver_event = ring_part(dev, a->avail_user_addr, 4, 4);
		vq->device_event = ring_part(dev, a->used_user_addr, 4, 4);
		if (!vq->desc_packed || !vq->driver_event || !vq->device_event)
			return -EFAULT;
		/* the device writes the descriptor ring itself: log it by its own gpa */
		if (vhost_mem_uva_to_gpa(dev->mem, a->desc_user_addr, n * 16, &vq->desc_gpa) < 0 ||
		    vhost_mem_uva_to_gpa(dev->mem, a->used_user_addr, 4, &vq->device_event_gpa) < 0)
			return -EFAULT;
		return 0;
	}
	/* 2.6: sizes with the event-idx trailers, alignments 16 / 2 / 4 */
	vq->desc = ring_part(dev, a->desc_user_addr, n * 16, 16);
	vq->avail = ring_part(dev, a->avail_user_addr, 6 + 2 * n, 2);
	vq->used = ring_part(dev, a->used_user_addr, 6 + 8 * n, 4);
	if (!vq->desc || !vq->avail || !vq->used)
		return -EFAULT;
	return 0;
}

/*
 * dpx polls its rings: ask the guest not to kick (2.6.10 / 2.7.10). With
 * EVENT_IDX a split ring's guest looks at avail_event instead of the flag;
 * left where it is, it is crossed once per 64 Ki buffers, which is as good.
 */
static void
vq_suppress_kicks(struct vhost_dev *dev, struct vhost_vq *vq)
{
	if (vq->packed) {
		__atomic_store_n(&vq->device_event->flags, VRING_PACKED_EVENT_FLAG_DISABLE,
				 __ATOMIC_RELAXED);
		if (vq->log)
			vhost_log_write(dev, vq->device_event_gpa, sizeof(*vq->device_event));
		return;
	}
	__atomic_store_n(&vq->used->flags, VRING_USED_F_NO_NOTIFY, __ATOMIC_RELAXED);
	if (vq->log)
		vhost_log_write(dev, vq->addr.log_guest_addr, sizeof(vq->used->flags));
}

static void
vq_update_ready(struct vhost_dev *dev, struct vhost_vq *vq, bool kicked)
{
	bool ok = vq->addr_set && vhost_vq_translate(dev, vq) == 0;

	vq->ready = ok && kicked;
	if (vq->ready)
		vq_suppress_kicks(dev, vq);
}

static int
h_set_vring_addr(struct vhost_dev *dev, struct vhost_vq *vq, struct vhost_user_msg *msg,
		 struct vhost_user_msg *reply, const char **why)
{
	const struct vhost_user_vring_addr *a = &msg->payload.addr;
	int rc;

	(void)reply;
	if (vq_lock_drained(dev, vq) < 0) {
		vhost_lock_release(&vq->access_lock);
		*why = "in-flight DMA copies did not complete";
		return -ETIMEDOUT;
	}
	vq->addr = *a;
	vq->addr_set = true;
	vq->log = (a->flags & VHOST_VRING_F_LOG) != 0;
	rc = dev->mem->n > 0 ? vhost_vq_translate(dev, vq) : 0;
	if (rc < 0)
		vq->ready = false;
	vhost_lock_release(&vq->access_lock);
	if (rc < 0) {
		*why = rc == -ERANGE   ? "packed ring base past the ring"
		       : rc == -EINVAL ? "split ring size not a power of 2"
				       : "ring outside guest memory or misaligned";
		VHOST_LOG(ERR,
			  "vid %d: SET_VRING_ADDR vring %u desc 0x%" PRIx64 " avail 0x%" PRIx64
			  " used 0x%" PRIx64 " size %u: %s",
			  dev->vid, a->index, a->desc_user_addr, a->avail_user_addr,
			  a->used_user_addr, vq->size, *why);
	}
	return rc;
}

static int
h_set_vring_base(struct vhost_dev *dev, struct vhost_vq *vq, struct vhost_user_msg *msg,
		 struct vhost_user_msg *reply, const char **why)
{
	uint32_t num = msg->payload.state.num;
	int rc = 0;

	(void)reply;
	/* vhost-user.rst: the base is set on a stopped ring (GET_VRING_BASE, or
	 * before its kick); moved under a polling lcore it would be read at once */
	if (vq->ready) {
		*why = "vring is running (stop it with GET_VRING_BASE first)";
		rc = -EBUSY;
	} else if (vq->packed && vq->size != 0 && (num & 0x7fff) >= vq->size) {
		/* checked before it is stored: never an index past the ring, even for a moment */
		*why = "packed ring base past the ring";
		rc = -ERANGE;
	}
	if (rc < 0) {
		VHOST_LOG(ERR, "vid %d: SET_VRING_BASE vring %u base %u size %u: %s", dev->vid,
			  msg->payload.state.index, num, vq->size, *why);
		return rc;
	}
	if (vq_lock_drained(dev, vq) < 0) {
		vhost_lock_release(&vq->access_lock);
		*why = "in-flight DMA copies did not complete";
		return -ETIMEDOUT;
	}
	if (vq->packed) {
		/* vhost-user.rst: bits 0-14 avail index, bit 15 its wrap counter */
		vq->last_avail_idx = num & 0x7fff;
		vq->avail_wrap = (num >> 15) & 1;
	} else {
		vq->last_avail_idx = (uint16_t)num;
	}
	vq->last_used_idx = vq->last_avail_idx;
	vq->used_wrap = vq->avail_wrap;
	vq->signalled_used_valid = false;
	vhost_lock_release(&vq->access_lock);
	return 0;
}

static int
h_get_vring_base(struct vhost_dev *dev, struct vhost_vq *vq, struct vhost_user_msg *msg,
		 struct vhost_user_msg *reply, const char **why)
{
	int rc;

	/* vhost-user.rst: GET_VRING_BASE stops the ring; its copies in flight
	 * land and are published first, so the base counts only used buffers */
	rc = vq_lock_drained(dev, vq);
	vq->ready = false;
	vhost_lock_release(&vq->access_lock);
	dev_check_ready(dev);
	vhost_lock_take(&vq->access_lock);
	reply->payload.state.index = msg->payload.state.index;
	reply->payload.state.num = vq->last_avail_idx | (vq->packed && vq->avail_wrap ? 0x8000 : 0);
	close_fd(&vq->kickfd);
	close_fd(&vq->callfd);
	vhost_lock_release(&vq->access_lock);
	if (rc < 0)
		*why = "in-flight DMA copies did not complete";
	return rc;
}

/*
 * vhost-user passes eventfds for kicks, calls and errors (the kernel ioctls
 * it mirrors take nothing else), and dpx takes nothing else either. The data
 * path writes the call and error fds (a burst's notification, a broken
 * ring's report): a pipe or socket without a reader would raise SIGPIPE, a
 * file would grow, a device could block, and a library may not ignore
 * SIGPIPE behind the application's back. The kick fd is never read nor
 * written (dpx polls) but kept while the ring is: a socket kept there (the
 * front-end's own end of this very connection) would hold the connection
 * open after the front-end is gone, and the path's place with it, for ever.
 * An eventfd holds nothing and raises nothing.
 *
 * /proc names the anonymous inode without asking its file system (a file
 * of a FUSE mount the front-end serves would make fstat wait for it);
 * without /proc, fstat tells an anonymous inode from the rest.
 */
static int
event_fd_check(int fd, bool kick, const char **why)
{
	const char *not_one =
		kick ? "kick fd is not an eventfd" : "call or error fd is not an eventfd";
	char link[64], name[32];
	struct stat st;
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, name, sizeof(name) - 1);
	if (n >= 0) {
		name[n] = '\0';
		if (strcmp(name, "anon_inode:[eventfd]") == 0)
			return 0;
		*why = not_one;
		return -EINVAL;
	}
	if (fstat(fd, &st) < 0) {
		*why = "fstat of the kick, call or error fd failed";
		return -errno;
	}
	/* an eventfd is an anonymous inode: no file type at all */
	if ((st.st_mode & S_IFMT) != 0) {
		*why = not_one;
		return -EINVAL;
	}
	return 0;
}

/*
 * The call and error eventfds are made non-blocking: at its maximum count a
 * write then fails with EAGAIN instead of stopping the lcore (the guest has
 * an interrupt pending then anyway). O_NONBLOCK is on the open file, shared
 * with the front-end's copy; QEMU's are non-blocking already.
 */
static int
event_fd_adopt(int fd, const char **why)
{
	int fl, rc = event_fd_check(fd, false, why);

	if (rc < 0)
		return rc;
	fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0) {
		*why = "cannot make the call or error fd non-blocking";
		return -errno;
	}
	return 0;
}

/* SET_VRING_KICK, _CALL and _ERR: the same message for three fd slots. */
static int
h_set_vring_fd(struct vhost_dev *dev, struct vhost_vq *vq, struct vhost_user_msg *msg,
	       struct vhost_user_msg *reply, const char **why)
{
	uint64_t v = msg->payload.u64;
	int fd = (v & VHOST_USER_VRING_NOFD_MASK) ? -1 : msg->fds[0];
	bool kick = msg->hdr.request == VHOST_USER_SET_VRING_KICK;
	int *slot, rc;

	(void)reply;
	rc = fd < 0 ? 0 : kick ? event_fd_check(fd, true, why) : event_fd_adopt(fd, why);
	if (rc < 0) {
		VHOST_LOG(ERR, "vid %d: %s vring %u: %s", dev->vid,
			  vhost_msg_name(msg->hdr.request),
			  (unsigned int)(v & VHOST_USER_VRING_IDX_MASK), *why);
		return rc;
	}
	if (kick)
		slot = &vq->kickfd;
	else if (msg->hdr.request == VHOST_USER_SET_VRING_CALL)
		slot = &vq->callfd;
	else
		slot = &vq->errfd;
	vhost_lock_take(&vq->access_lock);
	close_fd(slot);
	*slot = fd;
	if (fd >= 0)
		msg->fds[0] = -1; /* kept */
	if (kick) {
		/* a kick (fd or "polling" NOFD) starts the ring */
		vq_enable_default(dev, vq);
		vq_update_ready(dev, vq, true);
		if (!vq->ready)
			VHOST_LOG(WARNING, "vid %d: vring %u kicked before its addresses are valid",
				  dev->vid, (unsigned int)(v & VHOST_USER_VRING_IDX_MASK));
	}
	vhost_lock_release(&vq->access_lock);
	if (kick)
		dev_check_ready(dev);
	return 0;
}

static int
h_set_vring_enable(struct vhost_dev *dev, struct vhost_vq *vq, struct vhost_user_msg *msg,
		   struct vhost_user_msg *reply, const char **why)
{
	uint32_t idx = msg->payload.state.index, en = msg->payload.state.num;
	int rc;

	(void)reply;
	if (en > 1) {
		*why = "enable value not 0 or 1";
		VHOST_LOG(ERR, "vid %d: SET_VRING_ENABLE vring %u value %u: %s", dev->vid, idx, en,
			  *why);
		return -EINVAL;
	}
	/* a disabled ring publishes nothing: what is in flight is published first */
	rc = vq_lock_drained(dev, vq);
	vq->enabled = en;
	vq->enable_set = true;
	vhost_lock_release(&vq->access_lock);
	if (dev->running && dev->sock->ops.vring_state_changed != NULL)
		dev->sock->ops.vring_state_changed(dev->vid, (uint16_t)idx, (int)en);
	dev_check_ready(dev);
	if (rc < 0)
		*why = "in-flight DMA copies did not complete";
	return rc;
}

/* ---- device ---- */

static void
dev_reset(struct vhost_dev *dev)
{
	unsigned int i;

	dev_stop(dev);
	/* an expired drain abandoned the copies: nothing to wait for below */
	(void)lock_all_drained(dev);
	for (i = 0; i < DPX_VHOST_MAX_VRINGS; i++) {
		struct vhost_vq *vq = dev->vq[i];

		if (vq == NULL)
			continue;
		vhost_async_vq_free(dev, vq);
		close_fd(&vq->kickfd);
		close_fd(&vq->callfd);
		close_fd(&vq->errfd);
		dev->vq[i] = NULL;
		/* the lock dies with the queue: nobody may wait on it (device not running) */
		free(vq);
	}
	mem_free_all(dev);
	dev->async_mapped = false; /* its regions were unmapped with them */
	log_unmap(dev);
	dev->features = 0;
	dev->features_set = false;
	dev->protocol_features = 0;
	dev->status = 0;
	dev->refused = false;
	dev->nr_vring = 0;
	dev->hdr_len = sizeof(struct virtio_net_hdr);
}

static int
h_reset_owner(struct vhost_dev *dev, struct vhost_user_msg *msg, struct vhost_user_msg *reply,
	      const char **why)
{
	(void)msg, (void)reply, (void)why;
	dev_reset(dev);
	return 0;
}

static int
h_send_rarp(struct vhost_dev *dev, struct vhost_user_msg *msg, struct vhost_user_msg *reply,
	    const char **why)
{
	(void)reply, (void)why;
	memcpy(dev->rarp_mac, &msg->payload.u64, 6);
	/* release pairs with the acquire exchange in the dequeue that sends it */
	__atomic_store_n(&dev->rarp_pending, 1, __ATOMIC_RELEASE);
	return 0;
}

static int
h_net_set_mtu(struct vhost_dev *dev, struct vhost_user_msg *msg, struct vhost_user_msg *reply,
	      const char **why)
{
	uint64_t mtu = msg->payload.u64;

	(void)reply;
	if (mtu < 68 || mtu > 65535) {
		*why = "MTU not in 68..65535";
		VHOST_LOG(ERR, "vid %d: NET_SET_MTU %" PRIu64 ": %s", dev->vid, mtu, *why);
		return -EINVAL;
	}
	dev->mtu = (uint16_t)mtu;
	return 0;
}

static int
h_set_status(struct vhost_dev *dev, struct vhost_user_msg *msg, struct vhost_user_msg *reply,
	     const char **why)
{
	(void)reply, (void)why;
	dev->status = (uint8_t)msg->payload.u64;
	dev_check_ready(dev);
	return 0;
}

static int
h_get_status(struct vhost_dev *dev, struct vhost_user_msg *msg, struct vhost_user_msg *reply,
	     const char **why)
{
	(void)msg, (void)why;
	reply->payload.u64 = dev->status;
	return 0;
}

typedef int (*vhost_handler_t)(struct vhost_dev *dev, struct vhost_user_msg *msg,
			       struct vhost_user_msg *reply, const char **why);

/* A per-vring request's handler gets the vring the message names (vq_get). */
typedef int (*vhost_vring_handler_t)(struct vhost_dev *dev, struct vhost_vq *vq,
				     struct vhost_user_msg *msg, struct vhost_user_msg *reply,
				     const char **why);

/* Handlers by request; the size/fd/reply rules are vhost_msg.c's table. */
static const vhost_handler_t handlers[VHOST_USER_MAX] = {
	[VHOST_USER_GET_FEATURES] = h_get_features,
	[VHOST_USER_SET_FEATURES] = h_set_features,
	[VHOST_USER_SET_OWNER] = h_nop,
	[VHOST_USER_RESET_OWNER] = h_reset_owner,
	[VHOST_USER_SET_MEM_TABLE] = h_set_mem_table,
	[VHOST_USER_SET_LOG_BASE] = h_set_log_base,
	/* the log-ready eventfd is not needed: dpx logs synchronously. The fd is closed. */
	[VHOST_USER_SET_LOG_FD] = h_nop,
	[VHOST_USER_GET_PROTOCOL_FEATURES] = h_get_protocol_features,
	[VHOST_USER_SET_PROTOCOL_FEATURES] = h_set_protocol_features,
	[VHOST_USER_GET_QUEUE_NUM] = h_get_queue_num,
	[VHOST_USER_SEND_RARP] = h_send_rarp,
	[VHOST_USER_NET_SET_MTU] = h_net_set_mtu,
	[VHOST_USER_GET_MAX_MEM_SLOTS] = h_get_max_mem_slots,
	[VHOST_USER_ADD_MEM_REG] = h_add_mem_reg,
	[VHOST_USER_REM_MEM_REG] = h_rem_mem_reg,
	[VHOST_USER_SET_STATUS] = h_set_status,
	[VHOST_USER_GET_STATUS] = h_get_status,
};

/* Per-vring handlers by request (a request is in exactly one of the two tables). */
static const vhost_vring_handler_t vring_handlers[VHOST_USER_MAX] = {
	[VHOST_USER_SET_VRING_NUM] = h_set_vring_num,
	[VHOST_USER_SET_VRING_ADDR] = h_set_vring_addr,
	[VHOST_USER_SET_VRING_BASE] = h_set_vring_base,
	[VHOST_USER_GET_VRING_BASE] = h_get_vring_base,
	[VHOST_USER_SET_VRING_KICK] = h_set_vring_fd,
	[VHOST_USER_SET_VRING_CALL] = h_set_vring_fd,
	[VHOST_USER_SET_VRING_ERR] = h_set_vring_fd,
	[VHOST_USER_SET_VRING_ENABLE] = h_set_vring_enable,
};

static int
handle(struct vhost_dev *dev, struct vhost_user_msg *msg, struct vhost_user_msg *reply,
       const char **why)
{
	struct vhost_vq *vq;

	if (handlers[msg->hdr.request] != NULL)
		return handlers[msg->hdr.request](dev, msg, reply, why);
	vq = vq_get(dev, msg, why);
	if (vq == NULL)
		return -EINVAL;
	return vring_handlers[msg->hdr.request](dev, vq, msg, reply, why);
}

int
vhost_user_dispatch(struct vhost_dev *dev, struct vhost_user_msg *msg, struct vhost_user_msg *reply)
{
	const struct vhost_msg_rule *rule;
	const char *why = "handler failed";
	bool ack;
	int rc;

	rc = vhost_msg_validate(msg, &why);
	if (rc < 0) {
		VHOST_LOG(ERR, "vid %d: bad %s message (request %u, size %u, %u fds): %s", dev->vid,
			  vhost_msg_name(msg->hdr.request), msg->hdr.request, msg->hdr.size,
			  msg->nfds, why);
		return rc;
	}
	rule = vhost_msg_rule_get(msg->hdr.request);
	memset(reply, 0, sizeof(*reply));
	reply->hdr.request = msg->hdr.request;
	reply->hdr.flags = VHOST_USER_VERSION | VHOST_USER_REPLY_MASK;
	reply->hdr.size = rule->reply_size;
	rc = handle(dev, msg, reply, &why);
	if (rule->reply == VHOST_MSG_REPLY_ALWAYS)
		return rc < 0 ? rc : 1;
	ack = (msg->hdr.flags & VHOST_USER_NEED_REPLY_MASK) &&
	      FEAT(dev->protocol_features, VHOST_USER_PROTOCOL_F_REPLY_ACK);
	if (!ack)
		return rc;
	/* REPLY_ACK: u64 0 is success; on failure the front-end hears it, then we close */
	reply->hdr.size = sizeof(uint64_t);
	reply->payload.u64 = rc < 0 ? 1 : 0;
	if (rc < 0)
		(void)vhost_user_send(dev->fd, reply);
	return rc < 0 ? rc : 1;
}

/* ---- socket I/O ---- */

static void
take_fds(struct msghdr *mh, struct vhost_user_msg *msg, bool *too_many)
{
	struct cmsghdr *c;

	for (c = CMSG_FIRSTHDR(mh); c != NULL; c = CMSG_NXTHDR(mh, c)) {
		unsigned int i, n;
		int fd;

		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		n = (unsigned int)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
		for (i = 0; i < n; i++) {
			memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
			if (msg->nfds < VHOST_USER_MAX_FDS) {
				msg->fds[msg->nfds++] = fd;
			} else {
				vhost_peer_fd_close(fd);
				*too_many = true;
			}
		}
	}
}

void
vhost_user_close_fds(struct vhost_user_msg *msg)
{
	unsigned int i;

	for (i = 0; i < msg->nfds; i++) {
		vhost_peer_fd_close(msg->fds[i]);
		msg->fds[i] = -1;
	}
	msg->nfds = 0;
}

/* Where the next bytes of the message under way go, and how many are still
 * missing: the header first, then the payload it announces. */
static size_t
rx_next(struct vhost_rx *rx, void **dst)
{
	const size_t hdr = sizeof(rx->msg.hdr);

	if (rx->got < hdr) {
		*dst = (char *)&rx->msg.hdr + rx->got;
		return hdr - rx->got;
	}
	*dst = (char *)&rx->msg.payload + (rx->got - hdr);
	return hdr + rx->msg.hdr.size - rx->got;
}

/* The message is handled or refused: its fds not kept are closed, the next starts. */
static void
rx_reset(struct vhost_rx *rx)
{
	vhost_user_close_fds(&rx->msg);
	rx->got = 0;
}

int
vhost_user_recv(struct vhost_dev *dev, const char **why)
{
	char control[CMSG_SPACE(sizeof(int) * VHOST_USER_MAX_FDS)];
	struct vhost_rx *rx = &dev->rx;
	bool too_many = false;
	size_t want;
	void *dst;
	ssize_t r;
	int rc;

	/* never past the message's end: the next one's fds must not be taken for this one */
	while ((want = rx_next(rx, &dst)) > 0) {
		struct iovec iov = {.iov_base = dst, .iov_len = want};
		struct msghdr mh = {.msg_iov = &iov,
				    .msg_iovlen = 1,
				    .msg_control = control,
				    .msg_controllen = sizeof(control)};

		do {
			r = recvmsg(dev->fd, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
		} while (r < 0 && errno == EINTR);
		if (r == 0)
			return -ECONNRESET;
		if (r < 0)
			return -errno; /* -EAGAIN: the rest comes with a later wake-up */
		if (rx->got == 0)
			rx->deadline_ms = vhost_now_ms() + VHOST_MSG_DEADLINE_MS;
		take_fds(&mh, &rx->msg, &too_many);
		if (too_many || (mh.msg_flags & MSG_CTRUNC)) {
			*why = "more fds than any message carries";
			return -EBADF;
		}
		rx->got += (size_t)r;
		if (rx->got == sizeof(rx->msg.hdr)) {
			rc = vhost_msg_check_header(&rx->msg.hdr, why);
			if (rc < 0)
				return rc;
			memset(&rx->msg.payload, 0, sizeof(rx->msg.payload));
		}
	}
	return 0;
}

uint64_t
vhost_user_deadline(const struct vhost_dev *dev)
{
	return dev->rx.got > 0 ? dev->rx.deadline_ms : UINT64_MAX;
}

bool
vhost_user_overdue(const struct vhost_dev *dev, uint64_t now_ms)
{
	const struct vhost_rx *rx = &dev->rx;
	const size_t hdr = sizeof(rx->msg.hdr);

	if (rx->got == 0 || now_ms < rx->deadline_ms)
		return false;
	if (rx->got < hdr)
		VHOST_LOG(ERR,
			  "vid %d: truncated header: message not complete within %u ms of its "
			  "first byte (%zu of %zu bytes)",
			  dev->vid, VHOST_MSG_DEADLINE_MS, rx->got, hdr);
	else
		VHOST_LOG(ERR,
			  "vid %d: truncated payload: %s not complete within %u ms of its first "
			  "byte (%zu of %zu bytes)",
			  dev->vid, vhost_msg_name(rx->msg.hdr.request), VHOST_MSG_DEADLINE_MS,
			  rx->got, hdr + rx->msg.hdr.size);
	return true;
}

int
vhost_user_send(int fd, const struct vhost_user_msg *msg)
{
	/* the payload union is 8-aligned: header and payload are two pieces on the wire */
	struct iovec iov[2] = {{(void *)(uintptr_t)&msg->hdr, sizeof(msg->hdr)},
			       {(void *)(uintptr_t)&msg->payload, msg->hdr.size}};
	struct msghdr mh = {.msg_iov = iov, .msg_iovlen = 2};
	size_t len = sizeof(msg->hdr) + msg->hdr.size;
	ssize_t r;

	/* a front-end reads each answer before it asks again: one that lets a
	 * socket buffer of them pile up is not waited for (nor its reader's end) */
	do {
		r = sendmsg(fd, &mh, MSG_NOSIGNAL | MSG_DONTWAIT);
	} while (r < 0 && errno == EINTR);
	if (r < 0)
		return -errno;
	return (size_t)r == len ? 0 : -EIO;
}

int
vhost_user_handle(struct vhost_dev *dev)
{
	struct vhost_user_msg *msg = &dev->rx.msg, reply;
	const char *why = "";
	unsigned int n;
	int rc;

	/* a bounded batch per wake-up: one chatty front-end cannot starve the
	 * other devices (epoll is level-triggered, the rest waits its turn) */
	for (n = 0; n < 64; n++) {
		rc = vhost_user_recv(dev, &why);
		if (rc == -EAGAIN)
			return 0;
		if (rc == -ECONNRESET)
			return rc;
		if (rc < 0) {
			VHOST_LOG(ERR, "vid %d: bad message (request %u, size %u): %s", dev->vid,
				  msg->hdr.request, msg->hdr.size, why);
			return rc;
		}
		rc = vhost_user_dispatch(dev, msg, &reply);
		rx_reset(&dev->rx);
		if (rc == 1) {
			rc = vhost_user_send(dev->fd, &reply);
			if (rc < 0)
				VHOST_LOG(ERR, "vid %d: %s: reply not sent: %s", dev->vid,
					  vhost_msg_name(reply.hdr.request),
					  rc == -EAGAIN ? "the front-end does not read its replies "
							  "(socket buffer full)"
							: dpx_strerror(rc));
		}
		if (rc < 0) {
			dev->broken = true;
			return rc;
		}
	}
	return 0;
}

void
vhost_dev_destroy(struct vhost_dev *dev)
{
	rx_reset(&dev->rx);
	dev_reset(dev);
	if (dev->fd >= 0)
		close(dev->fd);
	devices[dev->vid] = NULL;
	free(dev->mem);
	free(dev);
}

/* ---- getters: under the vhost mutex, so the device cannot go meanwhile ---- */

void *
dpx_vhost_get_ctx(int vid)
{
	struct vhost_dev *dev;
	void *ctx;

	vhost_global_lock();
	dev = vhost_dev_get(vid);
	ctx = dev != NULL ? dev->sock->ctx : NULL;
	vhost_global_unlock();
	return ctx;
}

int
dpx_vhost_get_ifname(int vid, char *buf, size_t len)
{
	struct vhost_dev *dev;
	int rc = 0;

	vhost_global_lock();
	dev = vhost_dev_get(vid);
	if (dev == NULL)
		rc = -ENODEV;
	else if (strlen(dev->sock->path) >= len)
		rc = -ERANGE;
	else
		strcpy(buf, dev->sock->path);
	vhost_global_unlock();
	return rc;
}

int
dpx_vhost_get_negotiated_features(int vid, uint64_t *features)
{
	struct vhost_dev *dev;
	int rc = -ENODEV;

	vhost_global_lock();
	dev = vhost_dev_get(vid);
	if (dev != NULL) {
		*features = dev->features;
		rc = 0;
	}
	vhost_global_unlock();
	return rc;
}

int
dpx_vhost_get_vring_num(int vid)
{
	struct vhost_dev *dev;
	int rc;

	vhost_global_lock();
	dev = vhost_dev_get(vid);
	rc = dev != NULL ? (int)dev->nr_vring : -ENODEV;
	vhost_global_unlock();
	return rc;
}

int
dpx_vhost_get_mtu(int vid, uint16_t *mtu)
{
	struct vhost_dev *dev;
	int rc = -ENODEV;

	vhost_global_lock();
	dev = vhost_dev_get(vid);
	if (dev != NULL && dev->mtu == 0)
		rc = -ENOENT;
	else if (dev != NULL) {
		*mtu = dev->mtu;
		rc = 0;
	}
	vhost_global_unlock();
	return rc;
}

int
dpx_vhost_vring_is_enabled(int vid, uint16_t vring)
{
	struct vhost_dev *dev;
	int rc;

	vhost_global_lock();
	dev = vhost_dev_get(vid);
	if (dev == NULL)
		rc = -ENODEV;
	else if (vring >= DPX_VHOST_MAX_VRINGS)
		rc = -EINVAL;
	else
		rc = vq_usable(dev->vq[vring]) ? 1 : 0;
	vhost_global_unlock();
	return rc;
}

int
dpx_vhost_vring_stats_get(int vid, uint16_t vring, struct dpx_vhost_vring_stats *stats, int reset)
{
	struct vhost_dev *dev;
	int rc = 0;

	vhost_global_lock();
	dev = vhost_dev_get(vid);
	if (dev == NULL) {
		rc = -ENODEV;
	} else if (vring >= DPX_VHOST_MAX_VRINGS) {
		rc = -EINVAL;
	} else if (dev->vq[vring] == NULL) {
		memset(stats, 0, sizeof(*stats));
	} else {
		/* counters are written by the data path only; reads may be a burst behind */
		vhost_vq_stats_read(dev->vq[vring], stats, reset != 0);
	}
	vhost_global_unlock();
	return rc;
}
