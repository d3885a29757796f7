/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * VFIO containers and groups. Each container owns a DMA mapping table
 * (common/vfio_map_table.c); the kernel calls go through vfio_kernel() and
 * the container's IOMMU type, so tests can run all of this on a model.
 *
 * Locks: one mutex (vfio_lock) guards every container; it is taken by the
 * public calls and by the memory event hook, never held across a call into
 * another library. Container create and destroy also take the memory
 * library's hotplug lock, first, so the set of containers the memory hook
 * maps into (eal_vfio_mem.c) never changes during a memory event.
 * Lock order: hotplug lock, then vfio_lock.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/vfio.h>

#include <dpx_vfio.h>

#include "eal_memory_private.h"
#include "vfio_private.h"
#include "common/vfio_map_table.h"

#define VFIO_MAX_GROUPS 64 /* per container */
#define VFIO_MAX_LISTENERS 8 /* per container */
#define VFIO_CONTAINER_PATH "/dev/vfio/vfio"

struct vfio_group {
	int num;
	int fd;
	unsigned int devices; /* set up with dpx_vfio_setup_device */
};

struct vfio_listener {
	dpx_vfio_dma_listener_t *fn;
	void *arg;
};

struct vfio_container {
	bool used;
	int fd;
	const struct vfio_iommu_type *type; /* NULL until the first group */
	struct vfio_group groups[VFIO_MAX_GROUPS];
	unsigned int group_count;
	struct vfio_map_table *table;
	struct vfio_listener listeners[VFIO_MAX_LISTENERS];
	unsigned int listener_count;
	struct dpx_vfio_dma_mapping *copy; /* the table as listeners get it */
	unsigned int copy_cap;
};

static pthread_mutex_t vfio_lock = PTHREAD_MUTEX_INITIALIZER;
static struct vfio_container containers[VFIO_MAX_CONTAINERS];
static struct vfio_container *default_container;

/* ---- the real kernel calls ---- */

static int
sys_open(const char *path, int flags)
{
	int fd = open(path, flags | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

static int
sys_close(int fd)
{
	return close(fd) < 0 ? -errno : 0;
}

static int
sys_ioctl(int fd, unsigned long request, void *arg)
{
	int rc = ioctl(fd, request, arg);

	return rc < 0 ? -errno : rc;
}

static const struct vfio_kernel_ops linux_kernel = {sys_open, sys_close, sys_ioctl};
static const struct vfio_kernel_ops *kernel = &linux_kernel;

const struct vfio_kernel_ops *
vfio_kernel(void)
{
	return kernel;
}

int
vfio_set_kernel_ops(const struct vfio_kernel_ops *ops)
{
	if (default_container != NULL)
		return -EBUSY;
	kernel = ops != NULL ? ops : &linux_kernel;
	return 0;
}

/* ---- IOMMU types ---- */

static int
type1_dma_map(int container_fd, uint64_t va, uint64_t iova, uint64_t len)
{
	struct vfio_iommu_type1_dma_map map = {
		.argsz = sizeof(map),
		.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
		.vaddr = va,
		.iova = iova,
		.size = len,
	};
	int rc = kernel->ioctl(container_fd, VFIO_IOMMU_MAP_DMA, &map);

	return rc < 0 ? rc : 0;
}

static int
type1_dma_unmap(int container_fd, uint64_t va, uint64_t iova, uint64_t len, uint64_t *unmapped)
{
	struct vfio_iommu_type1_dma_unmap unmap = {
		.argsz = sizeof(unmap),
		.iova = iova,
		.size = len,
	};
	int rc = kernel->ioctl(container_fd, VFIO_IOMMU_UNMAP_DMA, &unmap);

	(void)va;
	/* the kernel writes back how much it removed: type1 v1 may remove more */
	*unmapped = unmap.size;
	return rc < 0 ? rc : 0;
}

/*
 * sPAPR TCE v2: memory is registered (pinned) before it is mapped. DMA goes
 * through the default 32-bit window the kernel creates for the first group;
 * dpx creates no other window, so IOVAs outside it are refused by the
 * kernel's map call (and the error returned to the caller).
 */
static int
spapr_setup(int container_fd)
{
	struct vfio_iommu_spapr_tce_info info = {.argsz = sizeof(info)};
	int rc = kernel->ioctl(container_fd, VFIO_IOMMU_SPAPR_TCE_GET_INFO, &info);

	if (rc < 0)
		return rc;
	VFIO_LOG(INFO, "sPAPR DMA window 0x%" PRIx32 "+0x%" PRIx32, info.dma32_window_start,
		 info.dma32_window_size);
	return 0;
}

static int
spapr_register(int container_fd, uint64_t va, uint64_t len, bool reg)
{
	struct vfio_iommu_spapr_register_memory mem = {
		.argsz = sizeof(mem),
		.vaddr = va,
		.size = len,
	};
	int rc = kernel->ioctl(
		container_fd,
		reg ? VFIO_IOMMU_SPAPR_REGISTER_MEMORY : VFIO_IOMMU_SPAPR_UNREGISTER_MEMORY, &mem);
	return rc < 0 ? rc : 0;
}

static int
spapr_dma_map(int container_fd, uint64_t va, uint64_t iova, uint64_t len)
{
	int rc = spapr_register(container_fd, va, len, true);

	if (rc != 0)
		return rc;
	rc = type1_dma_map(container_fd, va, iova, len);
	if (rc != 0)
		spapr_register(container_fd, va, len, false);
	return rc;
}

static int
spapr_dma_unmap(int container_fd, uint64_t va, uint64_t iova, uint64_t len, uint64_t *unmapped)
{
	int rc = type1_dma_unmap(container_fd, va, iova, len, unmapped);

	/*
	 * The kernel unregisters only a range registered as one: a part of a
	 * registration stays pinned until the container closes.
	 */
	if (rc == 0 && spapr_register(container_fd, va, len, false) != 0)
		VFIO_LOG(DEBUG, "sPAPR va 0x%" PRIx64 "+0x%" PRIx64 " stays registered", va, len);
	return rc;
}

/* No IOMMU: devices use physical addresses, nothing is programmed. */
static int
noiommu_dma_map(int container_fd, uint64_t va, uint64_t iova, uint64_t len)
{
	(void)container_fd, (void)va, (void)iova, (void)len;
	return 0;
}

static int
noiommu_dma_unmap(int container_fd, uint64_t va, uint64_t iova, uint64_t len, uint64_t *unmapped)
{
	(void)container_fd, (void)va, (void)iova;
	*unmapped = len;
	return 0;
}

static const struct vfio_iommu_type type1v2 = {"Type 1 v2", VFIO_TYPE1v2_IOMMU, false,
					       NULL,	    type1_dma_map,	type1_dma_unmap};
/* v1 removes every mapping an unmap touches, so it cannot unmap part of one either */
static const struct vfio_iommu_type type1 = {"Type 1", VFIO_TYPE1_IOMMU, false,
					     NULL,     type1_dma_map,	 type1_dma_unmap};
static const struct vfio_iommu_type spapr = {"sPAPR",	  VFIO_SPAPR_TCE_v2_IOMMU, true,
					     spapr_setup, spapr_dma_map,	   spapr_dma_unmap};
static const struct vfio_iommu_type noiommu = {"No-IOMMU", VFIO_NOIOMMU_IOMMU, true,
					       NULL,	   noiommu_dma_map,    noiommu_dma_unmap};

const struct vfio_iommu_type *const vfio_iommu_types[] = {&type1v2, &type1, &spapr, &noiommu};
const unsigned int vfio_iommu_type_count = DPX_DIM(vfio_iommu_types);

/* ---- table backend: the container's IOMMU type ---- */

static int
backend_map(void *ctx, uint64_t va, uint64_t iova, uint64_t len)
{
	const struct vfio_container *c = ctx;

	return c->type->dma_map(c->fd, va, iova, len);
}

static int
backend_unmap(void *ctx, uint64_t va, uint64_t iova, uint64_t len, uint64_t *unmapped)
{
	const struct vfio_container *c = ctx;

	return c->type->dma_unmap(c->fd, va, iova, len, unmapped);
}

/* NULL while the container has no IOMMU type: the table only records. */
static const struct vfio_dma_backend *
container_backend(struct vfio_container *c, struct vfio_dma_backend *be)
{
	if (c->type == NULL)
		return NULL;
	*be = (struct vfio_dma_backend){backend_map, backend_unmap, c};
	return be;
}

/* ---- containers ---- */

/* Called with the lock held. */
static struct vfio_container *
container_get(int container_fd, int *err)
{
	if (default_container == NULL) {
		*err = -ENODEV;
		return NULL;
	}
	if (container_fd == DPX_VFIO_DEFAULT_CONTAINER_FD)
		return default_container;
	for (unsigned int i = 0; i < VFIO_MAX_CONTAINERS; i++)
		if (containers[i].used && containers[i].fd == container_fd)
			return &containers[i];
	VFIO_LOG(ERR, "no VFIO container with fd %d", container_fd);
	*err = -EINVAL;
	return NULL;
}

/* Open /dev/vfio/vfio and check its API version. Returns the fd or -errno. */
static int
container_open(void)
{
	int fd = kernel->open(VFIO_CONTAINER_PATH, O_RDWR);
	int version;

	if (fd < 0)
		return fd;
	version = kernel->ioctl(fd, VFIO_GET_API_VERSION, NULL);
	if (version != VFIO_API_VERSION) {
		VFIO_LOG(ERR, "%s: API version %d, dpx knows %d", VFIO_CONTAINER_PATH, version,
			 VFIO_API_VERSION);
		kernel->close(fd);
		return -ENOTSUP;
	}
	return fd;
}

/* Called with the lock held. */
static struct vfio_container *
container_new(int *err)
{
	struct vfio_container *c = NULL;
	int fd;

	for (unsigned int i = 0; i < VFIO_MAX_CONTAINERS && c == NULL; i++)
		if (!containers[i].used)
			c = &containers[i];
	if (c == NULL) {
		VFIO_LOG(ERR, "all %d VFIO containers are in use", VFIO_MAX_CONTAINERS);
		*err = -ENOSPC;
		return NULL;
	}
	memset(c, 0, sizeof(*c));
	c->table = vfio_map_table_create();
	if (c->table == NULL) {
		*err = -ENOMEM;
		return NULL;
	}
	fd = container_open();
	if (fd < 0) {
		vfio_map_table_destroy(c->table);
		*err = fd;
		return NULL;
	}
	c->fd = fd;
	c->used = true;
	return c;
}

static int container_destroy_locked(int container_fd);

/* Called with the hotplug lock held. Returns the new container's fd or -errno. */
static int
container_create_locked(void)
{
	struct vfio_container *c;
	int err = 0;

	pthread_mutex_lock(&vfio_lock);
	if (default_container == NULL) {
		err = -ENODEV;
		VFIO_LOG(ERR, "cannot create a container: VFIO is not available");
	} else {
		c = container_new(&err);
		if (c != NULL)
			err = c->fd;
	}
	pthread_mutex_unlock(&vfio_lock);
	return err;
}

unsigned int
vfio_container_fds(int fds[VFIO_MAX_CONTAINERS])
{
	unsigned int n = 0;

	pthread_mutex_lock(&vfio_lock);
	if (default_container != NULL)
		fds[n++] = default_container->fd;
	for (unsigned int i = 0; i < VFIO_MAX_CONTAINERS; i++)
		if (containers[i].used && &containers[i] != default_container)
			fds[n++] = containers[i].fd;
	pthread_mutex_unlock(&vfio_lock);
	return n;
}

/* A memory event callback holds the hotplug lock: create/destroy there would deadlock. */
static int
check_not_in_mem_callback(const char *what)
{
	if (!eal_mem_in_callback())
		return 0;
	VFIO_LOG(ERR, "%s from a memory event callback", what);
	return -EDEADLK;
}

int
dpx_vfio_container_create(void)
{
	int fd, rc = check_not_in_mem_callback("container create");

	if (rc != 0)
		return rc;
	eal_mem_hotplug_lock();
	fd = container_create_locked();
	/* the EAL pages mapped now; later ones come through the memory hook */
	rc = fd >= 0 ? vfio_mem_hook_fill(fd) : 0;
	if (rc != 0) {
		container_destroy_locked(fd);
		fd = rc;
	}
	eal_mem_hotplug_unlock();
	return fd;
}

/* ---- groups ---- */

static struct vfio_group *
group_find(struct vfio_container *c, int num)
{
	for (unsigned int i = 0; i < c->group_count; i++)
		if (c->groups[i].num == num)
			return &c->groups[i];
	return NULL;
}

static struct vfio_container *
container_of_group(int num)
{
	for (unsigned int i = 0; i < VFIO_MAX_CONTAINERS; i++)
		if (containers[i].used && group_find(&containers[i], num) != NULL)
			return &containers[i];
	return NULL;
}

/* /dev/vfio/N, or /dev/vfio/noiommu-N when the kernel runs in no-IOMMU mode. */
static int
group_open(int num)
{
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "/dev/vfio/%d", num);
	fd = kernel->open(path, O_RDWR);
	if (fd == -ENOENT) {
		snprintf(path, sizeof(path), "/dev/vfio/noiommu-%d", num);
		fd = kernel->open(path, O_RDWR);
	}
	if (fd == -ENOENT)
		VFIO_LOG(ERR, "no /dev/vfio/%d: is a device of IOMMU group %d bound to vfio-pci?",
			 num, num);
	else if (fd < 0)
		VFIO_LOG(ERR, "cannot open /dev/vfio/%d: %s", num, dpx_strerror(fd));
	return fd;
}

static int
group_check_viable(int fd, int num)
{
	struct vfio_group_status status = {.argsz = sizeof(status)};
	int rc = kernel->ioctl(fd, VFIO_GROUP_GET_STATUS, &status);

	if (rc < 0) {
		VFIO_LOG(ERR, "IOMMU group %d: status: %s", num, dpx_strerror(rc));
		return rc;
	}
	if (!(status.flags & VFIO_GROUP_FLAGS_VIABLE)) {
		VFIO_LOG(ERR,
			 "IOMMU group %d is not viable: bind every device in it to vfio-pci "
			 "(or unbind it from its driver)",
			 num);
		return -EPERM;
	}
	return 0;
}

/* The first group of a container: choose the IOMMU type, replay the table. */
static int
container_set_iommu(struct vfio_container *c)
{
	struct vfio_dma_backend be;
	int rc = -ENOTSUP;

	for (unsigned int i = 0; i < vfio_iommu_type_count; i++) {
		const struct vfio_iommu_type *t = vfio_iommu_types[i];
		if (kernel->ioctl(c->fd, VFIO_CHECK_EXTENSION, (void *)(uintptr_t)t->type_id) <= 0)
			continue;
		rc = kernel->ioctl(c->fd, VFIO_SET_IOMMU, (void *)(uintptr_t)t->type_id);
		if (rc >= 0 && t->setup != NULL)
			rc = t->setup(c->fd);
		if (rc < 0) {
			VFIO_LOG(ERR, "container %d: IOMMU type %s: %s", c->fd, t->name,
				 dpx_strerror(rc));
			return rc;
		}
		c->type = t;
		vfio_map_table_set_partial(c->table, t->partial_unmap);
		rc = vfio_map_table_replay(c->table, container_backend(c, &be));
		if (rc != 0)
			c->type = NULL;
		else
			VFIO_LOG(INFO, "container %d: IOMMU type %s, %u mappings replayed", c->fd,
				 t->name, vfio_map_table_count(c->table));
		return rc;
	}
	VFIO_LOG(ERR, "container %d: the kernel offers no IOMMU type dpx knows", c->fd);
	return rc;
}

/* Called with the lock held. Returns the group fd or -errno. */
static int
group_bind(struct vfio_container *c, int num)
{
	struct vfio_container *other = container_of_group(num);
	struct vfio_group *g = group_find(c, num);
	int fd, rc;

	if (g != NULL)
		return g->fd;
	if (other != NULL) {
		VFIO_LOG(ERR, "IOMMU group %d is already in container %d", num, other->fd);
		return -EBUSY;
	}
	if (c->group_count == VFIO_MAX_GROUPS) {
		VFIO_LOG(ERR, "container %d holds %d groups already", c->fd, VFIO_MAX_GROUPS);
		return -ENOSPC;
	}
	fd = group_open(num);
	if (fd < 0)
		return fd;
	rc = group_check_viable(fd, num);
	if (rc == 0) {
		rc = kernel->ioctl(fd, VFIO_GROUP_SET_CONTAINER, &c->fd);
		if (rc < 0)
			VFIO_LOG(ERR, "IOMMU group %d: set container %d: %s", num, c->fd,
				 dpx_strerror(rc));
	}
	if (rc >= 0 && c->type == NULL) {
		rc = container_set_iommu(c);
		if (rc != 0)
			kernel->ioctl(fd, VFIO_GROUP_UNSET_CONTAINER, &c->fd);
	}
	if (rc < 0) {
		kernel->close(fd);
		return rc;
	}
	c->groups[c->group_count++] = (struct vfio_group){.num = num, .fd = fd};
	return fd;
}

/* Called with the lock held. */
static int
group_unbind(struct vfio_container *c, int num)
{
	struct vfio_group *g = group_find(c, num);

	if (g == NULL) {
		VFIO_LOG(ERR, "IOMMU group %d is not in container %d", num, c->fd);
		return -ENOENT;
	}
	if (g->devices > 0) {
		VFIO_LOG(ERR, "IOMMU group %d: %u devices still set up", num, g->devices);
		return -EBUSY;
	}
	kernel->ioctl(g->fd, VFIO_GROUP_UNSET_CONTAINER, &c->fd);
	kernel->close(g->fd);
	*g = c->groups[--c->group_count];
	/* the kernel dropped the IOMMU and its mappings with the last group */
	if (c->group_count == 0)
		c->type = NULL;
	return 0;
}

/* Run op(container, group_num) under the lock; -ENODEV/-EINVAL as container_get. */
static int
container_group_op(int container_fd, int group_num,
		   int (*op)(struct vfio_container *c, int group_num))
{
	struct vfio_container *c;
	int rc = 0;

	pthread_mutex_lock(&vfio_lock);
	c = container_get(container_fd, &rc);
	if (c != NULL)
		rc = op(c, group_num);
	pthread_mutex_unlock(&vfio_lock);
	return rc;
}

int
dpx_vfio_container_group_bind(int container_fd, int iommu_group_num)
{
	return container_group_op(container_fd, iommu_group_num, group_bind);
}

int
dpx_vfio_container_group_unbind(int container_fd, int iommu_group_num)
{
	return container_group_op(container_fd, iommu_group_num, group_unbind);
}

static void listeners_tell(struct vfio_container *c, bool gone, unsigned int first);

/* Called with the lock held. Frees the slot when every group could go. */
static int
container_close(struct vfio_container *c)
{
	int rc;

	for (unsigned int i = 0; i < c->group_count; i++)
		if (c->groups[i].devices > 0) {
			VFIO_LOG(ERR, "container %d: IOMMU group %d has %u devices set up", c->fd,
				 c->groups[i].num, c->groups[i].devices);
			return -EBUSY;
		}
	while (c->group_count > 0) {
		rc = group_unbind(c, c->groups[0].num);
		if (rc != 0)
			return rc;
	}
	listeners_tell(c, true, 0);
	vfio_map_table_destroy(c->table);
	free(c->copy);
	kernel->close(c->fd);
	memset(c, 0, sizeof(*c));
	return 0;
}

/* Called with the hotplug lock held. */
static int
container_destroy_locked(int container_fd)
{
	struct vfio_container *c;
	int rc = 0;

	pthread_mutex_lock(&vfio_lock);
	c = container_get(container_fd, &rc);
	if (c != NULL && c == default_container) {
		VFIO_LOG(ERR, "the default container lives until EAL cleanup");
		rc = -EINVAL;
	} else if (c != NULL) {
		rc = container_close(c);
	}
	pthread_mutex_unlock(&vfio_lock);
	return rc;
}

int
dpx_vfio_container_destroy(int container_fd)
{
	int rc = check_not_in_mem_callback("container destroy");

	if (rc != 0)
		return rc;
	eal_mem_hotplug_lock();
	rc = container_destroy_locked(container_fd);
	eal_mem_hotplug_unlock();
	return rc;
}

/* ---- DMA ---- */

/* Map (in chunks of chunk bytes, 0: whole) or unmap a range of a container, under the lock. */
static int
container_dma(int container_fd, bool map, uint64_t va, uint64_t iova, uint64_t len,
	      uint64_t chunk)
{
	struct vfio_dma_backend be;
	struct vfio_container *c;
	int rc = 0;

	pthread_mutex_lock(&vfio_lock);
	c = container_get(container_fd, &rc);
	if (c != NULL && map)
		rc = vfio_map_table_map(c->table, va, iova, len, chunk, container_backend(c, &be));
	else if (c != NULL)
		rc = vfio_map_table_unmap(c->table, va, iova, len, container_backend(c, &be));
	if (rc == 0)
		listeners_tell(c, false, 0);
	pthread_mutex_unlock(&vfio_lock);
	return rc;
}

int
vfio_container_dma_map_chunked(int container_fd, uint64_t va, uint64_t iova, uint64_t len,
			       uint64_t chunk)
{
	return container_dma(container_fd, true, va, iova, len, chunk);
}

int
dpx_vfio_container_dma_map(int container_fd, uint64_t vaddr, uint64_t iova, uint64_t len)
{
	return vfio_container_dma_map_chunked(container_fd, vaddr, iova, len, 0);
}

int
dpx_vfio_container_dma_unmap(int container_fd, uint64_t vaddr, uint64_t iova, uint64_t len)
{
	return container_dma(container_fd, false, vaddr, iova, len, 0);
}

int
dpx_vfio_container_dump(FILE *f, int container_fd)
{
	struct vfio_container *c;
	int rc = 0;

	pthread_mutex_lock(&vfio_lock);
	c = container_get(container_fd, &rc);
	if (c != NULL) {
		fprintf(f, "VFIO container fd %d%s: IOMMU %s, %u groups:", c->fd,
			c == default_container ? " (default)" : "",
			c->type != NULL ? c->type->name : "not set", c->group_count);
		for (unsigned int i = 0; i < c->group_count; i++)
			fprintf(f, " %d(%u devices)", c->groups[i].num, c->groups[i].devices);
		fprintf(f, "\n");
		vfio_map_table_dump(c->table, f);
	}
	pthread_mutex_unlock(&vfio_lock);
	return rc;
}

const char *
dpx_vfio_container_iommu_type(int container_fd)
{
	struct vfio_container *c;
	const char *name = NULL;
	int rc = 0;

	pthread_mutex_lock(&vfio_lock);
	c = container_get(container_fd, &rc);
	if (c != NULL && c->type != NULL)
		name = c->type->name;
	pthread_mutex_unlock(&vfio_lock);
	return name;
}

int
dpx_vfio_container_dma_count(int container_fd)
{
	struct vfio_container *c;
	int rc = 0;

	pthread_mutex_lock(&vfio_lock);
	c = container_get(container_fd, &rc);
	if (c != NULL)
		rc = (int)vfio_map_table_count(c->table);
	pthread_mutex_unlock(&vfio_lock);
	return rc;
}

/* ---- DMA listeners ---- */

static int
copy_entry(const struct vfio_map_entry *e, void *arg)
{
	struct dpx_vfio_dma_mapping **next = arg;

	*(*next)++ = (struct dpx_vfio_dma_mapping){.iova = e->iova, .va = e->va, .len = e->len};
	return 0;
}

/*
 * Called with the lock held, after the table changed: listeners from first
 * on see every change before the call that made it returns (what lets a
 * software DMA engine promise that no job submitted after an unmap uses the
 * mapping).
 */
static void
listeners_tell(struct vfio_container *c, bool gone, unsigned int first)
{
	unsigned int n = gone ? 0 : vfio_map_table_count(c->table);
	struct dpx_vfio_dma_mapping *next;

	if (first >= c->listener_count)
		return;
	if (n > c->copy_cap) {
		next = realloc(c->copy, n * sizeof(*next));
		if (next == NULL) {
			/* NULL tells them to assume nothing mapped: safe, and loud */
			VFIO_LOG(ERR, "container %d: no memory to copy %u mappings for %u listeners",
				 c->fd, n, c->listener_count);
			gone = true;
		} else {
			c->copy = next;
			c->copy_cap = n;
		}
	}
	next = c->copy;
	if (!gone)
		vfio_map_table_walk(c->table, copy_entry, &next);
	for (unsigned int i = first; i < c->listener_count; i++)
		c->listeners[i].fn(c->listeners[i].arg, gone ? NULL : c->copy, gone ? 0 : n);
}

static int
listener_find(const struct vfio_container *c, dpx_vfio_dma_listener_t *fn, void *arg)
{
	for (unsigned int i = 0; i < c->listener_count; i++)
		if (c->listeners[i].fn == fn && c->listeners[i].arg == arg)
			return (int)i;
	return -1;
}

int
dpx_vfio_container_dma_listener_register(int container_fd, dpx_vfio_dma_listener_t *fn,
					 void *arg)
{
	struct vfio_container *c;
	int rc = fn == NULL ? -EINVAL : 0;

	pthread_mutex_lock(&vfio_lock);
	c = rc == 0 ? container_get(container_fd, &rc) : NULL;
	if (c != NULL && listener_find(c, fn, arg) >= 0) {
		rc = -EEXIST;
	} else if (c != NULL && c->listener_count == VFIO_MAX_LISTENERS) {
		VFIO_LOG(ERR, "container %d has %d DMA listeners already", c->fd,
			 VFIO_MAX_LISTENERS);
		rc = -ENOSPC;
	} else if (c != NULL) {
		c->listeners[c->listener_count++] = (struct vfio_listener){fn, arg};
		listeners_tell(c, false, c->listener_count - 1);
	}
	pthread_mutex_unlock(&vfio_lock);
	return rc;
}

int
dpx_vfio_container_dma_listener_unregister(int container_fd, dpx_vfio_dma_listener_t *fn,
					   void *arg)
{
	struct vfio_container *c;
	int rc = 0, i = -1;

	pthread_mutex_lock(&vfio_lock);
	c = container_get(container_fd, &rc);
	if (c != NULL)
		i = listener_find(c, fn, arg);
	if (c != NULL && i < 0)
		rc = -ENOENT;
	if (i >= 0)
		c->listeners[i] = c->listeners[--c->listener_count];
	pthread_mutex_unlock(&vfio_lock);
	return rc;
}

/* ---- devices' groups ---- */

int
vfio_group_fd_for_device(int group_num, int *group_fd)
{
	struct vfio_container *c;
	struct vfio_group *g;
	int rc = 0;

	pthread_mutex_lock(&vfio_lock);
	c = container_of_group(group_num);
	if (c == NULL)
		c = container_get(DPX_VFIO_DEFAULT_CONTAINER_FD, &rc);
	if (c != NULL)
		rc = group_bind(c, group_num);
	if (rc >= 0) {
		g = group_find(c, group_num);
		g->devices++;
		*group_fd = g->fd;
		rc = 0;
	}
	pthread_mutex_unlock(&vfio_lock);
	return rc;
}

void
vfio_group_device_put(int group_num)
{
	struct vfio_container *c;
	struct vfio_group *g;

	pthread_mutex_lock(&vfio_lock);
	c = container_of_group(group_num);
	g = c != NULL ? group_find(c, group_num) : NULL;
	if (g != NULL && g->devices > 0 && --g->devices == 0 && c == default_container)
		group_unbind(c, group_num);
	pthread_mutex_unlock(&vfio_lock);
}

/* ---- EAL stage ---- */

int
dpx_vfio_is_enabled(void)
{
	int enabled;

	pthread_mutex_lock(&vfio_lock);
	enabled = default_container != NULL;
	pthread_mutex_unlock(&vfio_lock);
	return enabled;
}

int
eal_vfio_init(const struct eal_options *opts)
{
	struct vfio_container *c;
	int rc = 0;

	(void)opts;
	pthread_mutex_lock(&vfio_lock);
	c = container_new(&rc);
	if (c != NULL)
		default_container = c;
	pthread_mutex_unlock(&vfio_lock);
	if (c == NULL) {
		/* not an error: most hosts run without VFIO */
		VFIO_LOG(INFO, "VFIO disabled: %s: %s", VFIO_CONTAINER_PATH, dpx_strerror(rc));
		return 0;
	}
	rc = vfio_mem_hook_start();
	if (rc != 0) {
		eal_vfio_fini();
		return rc;
	}
	VFIO_LOG(INFO, "VFIO enabled, default container fd %d", c->fd);
	return 0;
}

void
eal_vfio_fini(void)
{
	/* outside the VFIO lock: the hotplug lock comes first (eal_vfio_mem.c) */
	vfio_mem_hook_stop();
	pthread_mutex_lock(&vfio_lock);
	for (unsigned int i = 0; i < VFIO_MAX_CONTAINERS; i++) {
		struct vfio_container *c = &containers[i];
		if (!c->used)
			continue;
		/* devices left open by the application are closed with the process */
		for (unsigned int g = 0; g < c->group_count; g++)
			c->groups[g].devices = 0;
		container_close(c);
	}
	default_container = NULL;
	pthread_mutex_unlock(&vfio_lock);
}
