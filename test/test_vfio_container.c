/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * VFIO containers, groups and devices, run on a fake of the kernel's VFIO
 * interface (test/vfio_kernel_fake.c) through the EAL stage and the public
 * API: IOMMU type selection, early mappings replayed on the first group,
 * per-container tables, group errors, device setup, and no leaked fd.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <dpx_vfio.h>

#include "dpx_test.h"
#include "vfio_kernel_fake.h"

#define PG 4096ULL

extern int vfio_logtype;

/* Errors are logged at ERR; the cases below provoke them on purpose. */
static unsigned int saved_level;

static int
fake_eal_init(enum kmodel_type model)
{
	kfake_reset(model);
	DPX_TEST_ASSERT_EQUAL(vfio_set_kernel_ops(&kfake_ops), 0, "");
	DPX_TEST_ASSERT(dpx_test_eal_init("--no-huge", "--in-memory", NULL) > 0, "init");
	saved_level = (unsigned int)dpx_log_get_level(vfio_logtype);
	dpx_log_set_level(vfio_logtype, DPX_LOG_EMERG);
	DPX_TEST_ASSERT_EQUAL(dpx_vfio_is_enabled(), 1, "the fake has /dev/vfio/vfio");
	return DPX_TEST_SUCCESS;
}

static int
fake_eal_fini(void)
{
	dpx_log_set_level(vfio_logtype, saved_level);
	DPX_TEST_ASSERT_EQUAL(dpx_eal_cleanup(), 0, "");
	DPX_TEST_ASSERT_EQUAL(vfio_set_kernel_ops(NULL), 0, "");
	for (unsigned int i = 0; i < KFAKE_MAX; i++) {
		DPX_TEST_ASSERT_EQUAL(kfake.containers[i].fd, -1, "container left open");
		DPX_TEST_ASSERT_EQUAL(kfake.devices[i], -1, "device left open");
	}
	for (unsigned int i = 0; i < kfake.group_count; i++)
		DPX_TEST_ASSERT_EQUAL(kfake.groups[i].fd, -1, "group %d left open",
				      kfake.groups[i].num);
	return DPX_TEST_SUCCESS;
}

/* The host has no /dev/vfio: init works, VFIO says so, every call says -ENODEV. */
static int
test_vfio_disabled(void)
{
	struct vfio_device_info info;
	int fd;

	if (access("/dev/vfio/vfio", F_OK) == 0)
		DPX_TEST_SKIP("this host has /dev/vfio/vfio: the case needs a host without it");
	DPX_TEST_ASSERT(dpx_test_eal_init("--no-huge", "--in-memory", NULL) > 0, "init");
	DPX_TEST_ASSERT_EQUAL(dpx_vfio_is_enabled(), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_vfio_container_create(), -ENODEV, "");
	DPX_TEST_ASSERT_EQUAL(dpx_vfio_container_group_bind(DPX_VFIO_DEFAULT_CONTAINER_FD, 1),
			      -ENODEV, "");
	DPX_TEST_ASSERT_EQUAL(
		dpx_vfio_container_dma_map(DPX_VFIO_DEFAULT_CONTAINER_FD, 0x10000, 0x10000, PG),
		-ENODEV, "");
	DPX_TEST_ASSERT_EQUAL(
		dpx_vfio_container_dma_unmap(DPX_VFIO_DEFAULT_CONTAINER_FD, 0x10000, 0x10000, PG),
		-ENODEV, "");
	DPX_TEST_ASSERT_EQUAL(
		dpx_vfio_setup_device("/sys/bus/pci/devices", "0000:00:00.0", &fd, &info), -ENODEV,
		"");
	DPX_TEST_ASSERT_EQUAL(dpx_eal_cleanup(), 0, "");
	/* the fake without /dev/vfio/vfio behaves the same */
	kfake_reset(KMODEL_TYPE1V2);
	kfake.no_vfio = true;
	vfio_set_kernel_ops(&kfake_ops);
	DPX_TEST_ASSERT(dpx_test_eal_init("--no-huge", "--in-memory", NULL) > 0, "init");
	DPX_TEST_ASSERT_EQUAL(dpx_vfio_is_enabled(), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eal_cleanup(), 0, "");
	vfio_set_kernel_ops(NULL);
	return DPX_TEST_SUCCESS;
}
DPX_TEST_REGISTER(vfio_disabled, fast, test_vfio_disabled);

/* Type 1 v2: early maps replayed, seed case, chunk rule, unbind and rebind. */
static int
test_vfio_container_type1(void)
{
	const int def = DPX_VFIO_DEFAULT_CONTAINER_FD;
	int fds = dpx_test_count_fds();
	struct kmodel *k;

	DPX_TEST_RUN(fake_eal_init(KMODEL_TYPE1V2));
	kfake_add_group(7, true);
	k = kfake_default_model();
	DPX_TEST_ASSERT(dpx_vfio_container_iommu_type(def) == NULL, "no type before a group");
	/* before any group: recorded, not refused */
	DPX_TEST_ASSERT_EQUAL(dpx_vfio_container_dma_map(def, 0x7f0000000000, 0x100000, 4 * PG), 0,
			      "");
	DPX_TEST_ASSERT_EQUAL(dpx_vfio_container_dma_map(def, 0x7f0000004000, 0x104000, 4 * PG), 0,
			      "");
	DPX_TEST_ASSERT_EQUAL(dpx_vfio_container_dma_count(def), 1, "equal chunks merged");
	DPX_TEST_ASSERT_EQUAL(k->n, 0, "nothing in the kernel yet");
	int gfd = dpx_vfio_container_group_bind(def, 7);
	DPX_TEST_ASSERT(gfd >= 0, "bind: %d", gfd);
	DPX_TEST_ASSERT_EQUAL(dpx_vfio_container_group_bind(def, 7), gfd, "bound already");
	DPX_TEST_ASSERT(strcmp(dpx_vfio_container_iommu_type(def), "Type 1 v2") == 0, "%s",
			dpx_vfio_container_iommu_type(def));
	DPX_TEST_ASSERT_EQUAL(k->n, 2, "replayed as two kernel mappings, one per chunk");
	/* seed case: A, B adjacent (other size), unmap A, unmap B */
	DPX_TEST_ASSERT_EQUAL(dpx_vfio_container_dma_map(def, 0x7f0000100000, 0x200000, 2 * PG), 0,
			      "A");
	DPX_TEST_ASSERT_EQUAL(dpx_vfio_container_dma_map(def, 0x7f0000102000, 0x202000, 8 * PG), 0,
			      "B");
	DPX_TEST_ASSERT_EQUAL(dpx_vfio_container_dma_unmap(def, 0x7f0000100000, 0x200000, 2 * PG),
			      0, "unmap A");
	DPX_TEST_ASSERT_EQUAL(dpx_vfio_container_dma_unmap(def, 0x7f0000103000, 0x203000, 2 * PG),
			      -ENOTSUP, "part of B");
	DPX_TEST_ASSERT_EQUAL(dpx_vfio_container_dma_unmap(def, 0x7f0000102000, 0x202000, 8 * PG),
			      0, "unmap B");
	DPX_TEST_ASSERT_EQUAL(dpx_vfio_container_dma_map(def, 0x7f0000000000, 0x100000, PG),
			      -EEXIST, "");
	DPX_TEST_ASSERT_EQUAL(dpx_vfio_container_dma_unmap(def, 0x7f0000000000, 0x100000, 12 * PG),
			      -EINVAL, "past the end");
	DPX_TEST_ASSERT_EQUAL(dpx_vfio_container_dma_map(def, 1, 2, 0), -EINVAL, "len 0");
	DPX_TEST_ASSERT_EQUAL(dpx_vfio_container_dma_map(12345, 0x10000, 0x10000, PG), -EINVAL,
			      "unknown container");
	/* a kernel failure leaves the table as it was */
	kfake.fail_map_in = 1;
	DPX_TEST_ASSERT_EQUAL(dpx_vfio_container_dma_map(def, 0x7f0000300000, 0x300000, PG), -EIO,
			      "");
	DPX_TEST_ASSERT_EQUAL(dpx_vfio_container_dma_count(def), 1, "");
	/* the last group goes: the kernel drops everything, the table keeps it for the next */
	DPX_TEST_ASSERT_EQUAL(dpx_vfio_container_group_unbind(def, 7), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_vfio_container_group_unbind(def, 7), -ENOENT, "");
	DPX_TEST_ASSERT(dpx_vfio_container_iommu_type(def) == NULL, "");
	DPX_TEST_ASSERT_EQUAL(dpx_vfio_container_dma_count(def), 1, "");
	DPX_TEST_ASSERT(dpx_vfio_container_group_bind(def, 7) >= 0, "rebind");
	k = kfake_default_model();
	DPX_TEST_ASSERT_EQUAL(k->n, 2, "replayed again");
	DPX_TEST_ASSERT_EQUAL(dpx_vfio_container_dma_unmap(def, 0x7f0000000000, 0x100000, 4 * PG),
			      0, "first chunk alone");
	DPX_TEST_ASSERT_EQUAL(k->n, 1, "");
	/* a replay the kernel refuses: the bind fails, the group is closed again */
	DPX_TEST_ASSERT_EQUAL(dpx_vfio_container_group_unbind(def, 7), 0, "");
	kfake.fail_map_in = 1;
	DPX_TEST_ASSERT_EQUAL(dpx_vfio_container_group_bind(def, 7), -EIO, "");
	DPX_TEST_ASSERT_EQUAL(kfake.groups[0].fd, -1, "group closed");
	DPX_TEST_ASSERT(dpx_vfio_container_group_bind(def, 7) >= 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_vfio_container_destroy(def), -EINVAL, "default stays");
	DPX_TEST_RUN(fake_eal_fini());
	DPX_TEST_ASSERT_EQUAL(dpx_test_count_fds(), fds, "fds leaked");
	return DPX_TEST_SUCCESS;
}
DPX_TEST_REGISTER(vfio_container_type1, fast, test_vfio_container_type1);

/* User containers: own tables, group ownership, group errors. */
static int
test_vfio_container_user(void)
{
	const int def = DPX_VFIO_DEFAULT_CONTAINER_FD;
	int fds = dpx_test_count_fds();

	DPX_TEST_RUN(fake_eal_init(KMODEL_TYPE1V2));
	kfake_add_group(3, true);
	kfake_add_group(4, true);
	kfake_add_group(5, false);
	int c1 = dpx_vfio_container_create();
	int c2 = dpx_vfio_container_create();
	DPX_TEST_ASSERT(c1 >= 0 && c2 >= 0 && c1 != c2, "%d %d", c1, c2);
	DPX_TEST_ASSERT(dpx_vfio_container_group_bind(c1, 3) >= 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_vfio_container_group_bind(c2, 3), -EBUSY, "group in c1");
	DPX_TEST_ASSERT_EQUAL(dpx_vfio_container_group_bind(def, 3), -EBUSY, "");
	DPX_TEST_ASSERT_EQUAL(dpx_vfio_container_group_bind(c2, 5), -EPERM, "not viable");
	DPX_TEST_ASSERT_EQUAL(dpx_vfio_container_group_bind(c2, 9), -ENOENT, "no /dev/vfio/9");
	DPX_TEST_ASSERT(dpx_vfio_container_group_bind(c2, 4) >= 0, "");
	/* the same IOVA in two containers: two address spaces */
	DPX_TEST_ASSERT_EQUAL(dpx_vfio_container_dma_map(c1, 0x10000000, 0x1000, PG), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_vfio_container_dma_map(c2, 0x20000000, 0x1000, 2 * PG), 0, "");
	DPX_TEST_ASSERT_EQUAL(kfake_container_model(c1)->n, 1, "");
	DPX_TEST_ASSERT_EQUAL(kfake_container_model(c2)->n, 1, "");
	DPX_TEST_ASSERT_EQUAL(kfake_container_model(c2)->maps[0].len, 2 * PG, "");
	DPX_TEST_ASSERT_EQUAL(dpx_vfio_container_dma_count(def), 0, "default untouched");
	DPX_TEST_ASSERT_EQUAL(dpx_vfio_container_dma_unmap(c1, 0x20000000, 0x1000, PG), -EINVAL,
			      "c2's va in c1");
	FILE *f = tmpfile();
	DPX_TEST_ASSERT_EQUAL(dpx_vfio_container_dump(f, c2), 0, "");
	char buf[512] = "";
	rewind(f);
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	DPX_TEST_ASSERT(strstr(buf, "Type 1 v2") != NULL && strstr(buf, "len 0x2000") != NULL,
			"dump: %s", buf);
	DPX_TEST_ASSERT_EQUAL(dpx_vfio_container_destroy(c1), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_vfio_container_destroy(c1), -EINVAL, "gone");
	DPX_TEST_ASSERT(dpx_vfio_container_group_bind(def, 3) >= 0, "free again");
	/* c2 is left for the EAL cleanup to close */
	DPX_TEST_RUN(fake_eal_fini());
	DPX_TEST_ASSERT_EQUAL(dpx_test_count_fds(), fds, "fds leaked");
	return DPX_TEST_SUCCESS;
}
DPX_TEST_REGISTER(vfio_container_user, fast, test_vfio_container_user);

/* What a DMA listener last saw. */
struct seen {
	unsigned int calls;
	int n; /* -1: told NULL */
	struct dpx_vfio_dma_mapping maps[4];
};

static void
listen_fn(void *arg, const struct dpx_vfio_dma_mapping *maps, unsigned int n)
{
	struct seen *s = arg;

	s->calls++;
	s->n = maps == NULL ? -1 : (int)n;
	for (unsigned int i = 0; maps != NULL && i < n && i < DPX_DIM(s->maps); i++)
		s->maps[i] = maps[i];
}

/* Listeners get the table at registration, after each change, NULL when the container goes. */
static int
test_vfio_dma_listener(void)
{
	struct seen a = {0}, b = {0};
	int fds = dpx_test_count_fds();

	DPX_TEST_RUN(fake_eal_init(KMODEL_TYPE1V2));
	int c = dpx_vfio_container_create();
	DPX_TEST_ASSERT(c >= 0, "%d", c);
	DPX_TEST_ASSERT_EQUAL(dpx_vfio_container_dma_map(c, 0x10000000, 0x1000, PG), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_vfio_container_dma_listener_register(c, listen_fn, &a), 0, "");
	DPX_TEST_ASSERT(a.calls == 1 && a.n == 1 && a.maps[0].iova == 0x1000 &&
				a.maps[0].va == 0x10000000 && a.maps[0].len == PG,
			"at registration: %u calls, n %d", a.calls, a.n);
	DPX_TEST_ASSERT_EQUAL(dpx_vfio_container_dma_listener_register(c, listen_fn, &a), -EEXIST,
			      "");
	DPX_TEST_ASSERT_EQUAL(dpx_vfio_container_dma_listener_register(c, NULL, &a), -EINVAL, "");
	DPX_TEST_ASSERT_EQUAL(dpx_vfio_container_dma_listener_register(c + 1000, listen_fn, &b),
			      -EINVAL, "unknown container");
	DPX_TEST_ASSERT_EQUAL(dpx_vfio_container_dma_listener_register(c, listen_fn, &b), 0, "");
	DPX_TEST_ASSERT_EQUAL(a.calls, 1, "registering b does not tell a again");
	/* adjacent in IOVA but not in VA: two entries, in IOVA order */
	DPX_TEST_ASSERT_EQUAL(dpx_vfio_container_dma_map(c, 0x30000000, 0x0, PG), 0, "");
	DPX_TEST_ASSERT(a.calls == 2 && a.n == 2 && a.maps[0].iova == 0 &&
				a.maps[0].va == 0x30000000 && a.maps[1].iova == 0x1000,
			"after map: n %d", a.n);
	DPX_TEST_ASSERT_EQUAL(b.n, 2, "");
	DPX_TEST_ASSERT_EQUAL(dpx_vfio_container_dma_map(c, 0x40000000, 0x1000, PG), -EEXIST, "");
	DPX_TEST_ASSERT_EQUAL(a.calls, 2, "a refused map changes nothing");
	DPX_TEST_ASSERT_EQUAL(dpx_vfio_container_dma_unmap(c, 0x10000000, 0x1000, PG), 0, "");
	DPX_TEST_ASSERT(a.calls == 3 && a.n == 1 && a.maps[0].iova == 0, "after unmap: n %d", a.n);
	DPX_TEST_ASSERT_EQUAL(dpx_vfio_container_dma_listener_unregister(c, listen_fn, &a), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_vfio_container_dma_listener_unregister(c, listen_fn, &a), -ENOENT,
			      "");
	DPX_TEST_ASSERT_EQUAL(dpx_vfio_container_dma_unmap(c, 0x30000000, 0x0, PG), 0, "");
	DPX_TEST_ASSERT(a.calls == 3 && b.calls == 4 && b.n == 0, "a: %u calls; b: %u, n %d",
			a.calls, b.calls, b.n);
	DPX_TEST_ASSERT_EQUAL(dpx_vfio_container_destroy(c), 0, "");
	DPX_TEST_ASSERT(b.calls == 5 && b.n == -1, "destroy tells NULL: n %d", b.n);
	DPX_TEST_RUN(fake_eal_fini());
	DPX_TEST_ASSERT_EQUAL(dpx_test_count_fds(), fds, "fds leaked");
	return DPX_TEST_SUCCESS;
}
DPX_TEST_REGISTER(vfio_dma_listener, fast, test_vfio_dma_listener);

/* sPAPR and no-IOMMU are chosen when the kernel offers only them; both unmap partially. */
static int
partial_type(enum kmodel_type model, const char *name)
{
	const int def = DPX_VFIO_DEFAULT_CONTAINER_FD;

	DPX_TEST_RUN(fake_eal_init(model));
	kfake_add_group(2, true);
	DPX_TEST_ASSERT_EQUAL(dpx_vfio_container_dma_map(def, 0x10000000, 0x100000, 16 * PG), 0,
			      "");
	DPX_TEST_ASSERT(dpx_vfio_container_group_bind(def, 2) >= 0, "");
	DPX_TEST_ASSERT(strcmp(dpx_vfio_container_iommu_type(def), name) == 0, "%s",
			dpx_vfio_container_iommu_type(def));
	DPX_TEST_ASSERT_EQUAL(dpx_vfio_container_dma_unmap(def, 0x10004000, 0x104000, 2 * PG), 0,
			      "part of a mapping");
	DPX_TEST_ASSERT_EQUAL(dpx_vfio_container_dma_count(def), 2, "head and tail");
	if (model == KMODEL_SPAPR)
		DPX_TEST_ASSERT_EQUAL(kfake_default_model()->n, 2, "the kernel cut it too");
	DPX_TEST_ASSERT_EQUAL(dpx_vfio_container_dma_unmap(def, 0x10000000, 0x100000, 16 * PG),
			      -EINVAL, "a hole");
	DPX_TEST_RUN(fake_eal_fini());
	return DPX_TEST_SUCCESS;
}

/* A kernel with type1 v1 only: chosen second, and it cannot unmap part of a mapping either. */
static int
test_vfio_container_type1_v1(void)
{
	const int def = DPX_VFIO_DEFAULT_CONTAINER_FD;

	kfake_reset(KMODEL_TYPE1V2);
	kfake.type1_v1_only = true;
	DPX_TEST_ASSERT_EQUAL(vfio_set_kernel_ops(&kfake_ops), 0, "");
	DPX_TEST_ASSERT(dpx_test_eal_init("--no-huge", "--in-memory", NULL) > 0, "init");
	saved_level = (unsigned int)dpx_log_get_level(vfio_logtype);
	dpx_log_set_level(vfio_logtype, DPX_LOG_EMERG);
	kfake_add_group(2, true);
	DPX_TEST_ASSERT(dpx_vfio_container_group_bind(def, 2) >= 0, "");
	DPX_TEST_ASSERT(strcmp(dpx_vfio_container_iommu_type(def), "Type 1") == 0, "%s",
			dpx_vfio_container_iommu_type(def));
	DPX_TEST_ASSERT_EQUAL(dpx_vfio_container_dma_map(def, 0x10000000, 0x100000, 4 * PG), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_vfio_container_dma_unmap(def, 0x10001000, 0x101000, PG), -ENOTSUP,
			      "");
	DPX_TEST_ASSERT_EQUAL(dpx_vfio_container_dma_unmap(def, 0x10000000, 0x100000, 4 * PG), 0,
			      "");
	DPX_TEST_RUN(fake_eal_fini());
	return DPX_TEST_SUCCESS;
}
DPX_TEST_REGISTER(vfio_container_type1_v1, fast, test_vfio_container_type1_v1);

static int
test_vfio_container_partial_types(void)
{
	DPX_TEST_RUN(partial_type(KMODEL_SPAPR, "sPAPR"));
	DPX_TEST_RUN(partial_type(KMODEL_NOIOMMU, "No-IOMMU"));
	return DPX_TEST_SUCCESS;
}
DPX_TEST_REGISTER(vfio_container_partial_types, fast, test_vfio_container_partial_types);

/* A fake sysfs: <dir>/<addr>/iommu_group -> ../../kernel/iommu_groups/<num>. */
static int
make_sysfs(char *dir, size_t len, const char *addr, int group)
{
	char path[256], target[128];

	snprintf(dir, len, "/tmp/dpx-vfio-sysfs-%d", (int)getpid());
	mkdir(dir, 0700);
	snprintf(path, sizeof(path), "%s/%s", dir, addr);
	if (mkdir(path, 0700) != 0)
		return -1;
	if (group < 0)
		return 0;
	snprintf(path, sizeof(path), "%s/%s/iommu_group", dir, addr);
	snprintf(target, sizeof(target), "../../../kernel/iommu_groups/%d", group);
	return symlink(target, path);
}

static void
remove_sysfs(const char *dir, const char *addr)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s/iommu_group", dir, addr);
	unlink(path);
	snprintf(path, sizeof(path), "%s/%s", dir, addr);
	rmdir(path);
}

static int
test_vfio_device_setup(void)
{
	const int def = DPX_VFIO_DEFAULT_CONTAINER_FD;
	struct vfio_device_info info;
	char dir[128];
	int fds = dpx_test_count_fds(), dev, num, efd[2] = {100, 101};

	DPX_TEST_RUN(fake_eal_init(KMODEL_TYPE1V2));
	kfake_add_group(11, true);
	DPX_TEST_ASSERT_EQUAL(make_sysfs(dir, sizeof(dir), "0000:00:03.0", 11), 0, "");
	DPX_TEST_ASSERT_EQUAL(make_sysfs(dir, sizeof(dir), "0000:00:04.0", -1), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_vfio_get_group_num(dir, "0000:00:03.0", &num), 0, "");
	DPX_TEST_ASSERT_EQUAL(num, 11, "");
	DPX_TEST_ASSERT_EQUAL(dpx_vfio_get_group_num(dir, "0000:00:04.0", &num), -ENODEV,
			      "no IOMMU group");
	DPX_TEST_ASSERT_EQUAL(dpx_vfio_get_group_num(dir, "0000:00:05.0", &num), -ENODEV,
			      "no device");
	DPX_TEST_ASSERT_EQUAL(dpx_vfio_setup_device(dir, "0000:00:04.0", &dev, &info), -ENODEV, "");
	DPX_TEST_ASSERT_EQUAL(dpx_vfio_setup_device(dir, "0000:00:03.0", &dev, &info), 0, "");
	DPX_TEST_ASSERT(dev >= 0, "");
	DPX_TEST_ASSERT_EQUAL(info.num_regions, VFIO_PCI_NUM_REGIONS, "");
	DPX_TEST_ASSERT_EQUAL(info.num_irqs, VFIO_PCI_NUM_IRQS, "");
	DPX_TEST_ASSERT(strcmp(dpx_vfio_container_iommu_type(def), "Type 1 v2") == 0,
			"group bound to the default container");
	DPX_TEST_ASSERT_EQUAL(dpx_vfio_container_group_unbind(def, 11), -EBUSY, "device open");
	DPX_TEST_ASSERT_EQUAL(dpx_vfio_irq_enable(dev, VFIO_PCI_INTX_IRQ_INDEX, efd, 2), -EINVAL,
			      "INTx has one vector");
	DPX_TEST_ASSERT_EQUAL(dpx_vfio_irq_enable(dev, VFIO_PCI_MSIX_IRQ_INDEX, efd, 1), -EINVAL,
			      "no MSI-X");
	DPX_TEST_ASSERT_EQUAL(dpx_vfio_irq_enable(dev, VFIO_PCI_INTX_IRQ_INDEX, efd, 1), 0, "");
	DPX_TEST_ASSERT_EQUAL(kfake.irq_fds_set, 1, "");
	DPX_TEST_ASSERT_EQUAL(dpx_vfio_irq_disable(dev, VFIO_PCI_INTX_IRQ_INDEX), 0, "");
	DPX_TEST_ASSERT_EQUAL(kfake.irq_fds_set, 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_vfio_release_device(dir, "0000:00:03.0", dev), 0, "");
	DPX_TEST_ASSERT(dpx_vfio_container_iommu_type(def) == NULL,
			"the last device unbound its group");
	DPX_TEST_ASSERT_EQUAL(kfake.groups[0].fd, -1, "");
	remove_sysfs(dir, "0000:00:03.0");
	remove_sysfs(dir, "0000:00:04.0");
	rmdir(dir);
	DPX_TEST_RUN(fake_eal_fini());
	DPX_TEST_ASSERT_EQUAL(dpx_test_count_fds(), fds, "fds leaked");
	return DPX_TEST_SUCCESS;
}
DPX_TEST_REGISTER(vfio_device_setup, fast, test_vfio_device_setup);

/* Run a command, capture its output (stdout and stderr); returns its exit status. */
static int
run_capture(const char *cmd, char *out, size_t len)
{
	char full[1024];
	size_t n;
	FILE *p;

	snprintf(full, sizeof(full), "%s 2>&1", cmd);
	p = popen(full, "r");
	if (p == NULL)
		return -1;
	n = fread(out, 1, len - 1, p);
	out[n] = '\0';
	int st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* dpx-devbind on a fake sysfs tree: listing, and the errors a user meets. */
static int
test_vfio_devbind(void)
{
	const char *tool = "../usertools/dpx-devbind";
	char root[128], cmd[1024], out[4096];

	if (access(tool, X_OK) != 0 || system("python3 -c '' 2>/dev/null") != 0)
		DPX_TEST_SKIP("no python3 or no %s in the build tree", tool);
	snprintf(root, sizeof(root), "/tmp/dpx-devbind-%d", (int)getpid());
	snprintf(cmd, sizeof(cmd),
		 "set -e; r=%s; d=$r/bus/pci/devices; mkdir -p $d/0000:00:03.0 $d/0000:00:04.0 "
		 "$r/bus/pci/drivers/vfio-pci $r/bus/pci/drivers/virtio-pci "
		 "$r/kernel/iommu_groups/5/devices; "
		 "for x in 3 4; do echo 0x1234 > $d/0000:00:0$x.0/vendor; "
		 "echo 0x11e8 > $d/0000:00:0$x.0/device; echo 0x00ff00 > $d/0000:00:0$x.0/class; "
		 "done; "
		 "ln -s ../../../bus/pci/drivers/virtio-pci $d/0000:00:03.0/driver; "
		 "ln -s ../../../kernel/iommu_groups/5 $d/0000:00:03.0/iommu_group; "
		 "ln -s ../../../../bus/pci/devices/0000:00:03.0 "
		 "$r/kernel/iommu_groups/5/devices/0000:00:03.0",
		 root);
	DPX_TEST_ASSERT_EQUAL(system(cmd), 0, "fake sysfs");

	snprintf(cmd, sizeof(cmd), "%s --sysfs %s --status", tool, root);
	DPX_TEST_ASSERT_EQUAL(run_capture(cmd, out, sizeof(out)), 0, "%s", out);
	DPX_TEST_ASSERT(
		strstr(out, "0000:00:03.0   1234:11e8  unclassified   virtio-pci       5") &&
			strstr(out, "0000:00:04.0   1234:11e8  unclassified   -                -"),
		"listing:\n%s", out);

	snprintf(cmd, sizeof(cmd), "%s --sysfs %s -b vfio-pci 00:04.0", tool, root);
	DPX_TEST_ASSERT_EQUAL(run_capture(cmd, out, sizeof(out)), 2, "%s", out);
	DPX_TEST_ASSERT(strstr(out, "0000:00:04.0: no IOMMU group") != NULL, "%s", out);

	snprintf(cmd, sizeof(cmd), "%s --sysfs %s -b vfio-pci 00:09.0", tool, root);
	DPX_TEST_ASSERT_EQUAL(run_capture(cmd, out, sizeof(out)), 2, "%s", out);
	DPX_TEST_ASSERT(strstr(out, "no such PCI device") != NULL, "%s", out);

	/* a fake tree has no kernel behind it: the driver never takes the device */
	snprintf(cmd, sizeof(cmd), "%s --sysfs %s -b vfio-pci 0000:00:03.0", tool, root);
	DPX_TEST_ASSERT_EQUAL(run_capture(cmd, out, sizeof(out)), 2, "%s", out);
	DPX_TEST_ASSERT(strstr(out, "vfio-pci did not take the device") != NULL, "%s", out);
	snprintf(cmd, sizeof(cmd),
		 "grep -qx 0000:00:03.0 %s/bus/pci/drivers/virtio-pci/unbind && "
		 "grep -qx 0000:00:03.0 %s/bus/pci/drivers/virtio-pci/bind && "
		 "grep -qx 0000:00:03.0 %s/bus/pci/drivers_probe",
		 root, root, root);
	DPX_TEST_ASSERT_EQUAL(system(cmd), 0, "unbind, probe, and back to the old driver");

	snprintf(cmd, sizeof(cmd),
		 "rmdir %s/bus/pci/drivers/vfio-pci && %s --sysfs %s "
		 "-b vfio-pci 0000:00:03.0",
		 root, tool, root);
	DPX_TEST_ASSERT_EQUAL(run_capture(cmd, out, sizeof(out)), 2, "%s", out);
	DPX_TEST_ASSERT(strstr(out, "driver vfio-pci is not loaded") != NULL, "%s", out);

	snprintf(cmd, sizeof(cmd), "%s --sysfs %s -u 00:03.0", tool, root);
	DPX_TEST_ASSERT_EQUAL(run_capture(cmd, out, sizeof(out)), 0, "%s", out);
	DPX_TEST_ASSERT(strstr(out, "unbound from virtio-pci") != NULL, "%s", out);

	snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
	DPX_TEST_ASSERT_EQUAL(system(cmd), 0, "");
	return DPX_TEST_SUCCESS;
}
DPX_TEST_REGISTER(vfio_devbind, fast, test_vfio_devbind);
