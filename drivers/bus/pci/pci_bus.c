/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The PCI bus: scan sysfs at EAL init, probe each allowed device that a dpx
 * driver matches and that is bound to vfio-pci, remove them at cleanup. The
 * device table is built by probe() and freed by cleanup(), both on the thread
 * running dpx_eal_init/cleanup; in between it does not change, so readers
 * take no lock. Drivers register from constructors, before main.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <linux/pci_regs.h>
#include <linux/vfio.h>

#include <dpx_bus_driver.h>
#include <dpx_eal.h>
#include <dpx_errno.h>
#include <dpx_vfio.h>

#include "pci_private.h"

DPX_LOG_REGISTER(bus_pci_logtype, "bus.pci");

struct pci_slot {
	struct dpx_pci_device dev;
	bool named; /* by -a: a failure to probe it fails init */
	char *args; /* copy of its devargs */
	struct dpx_kvargs *kvargs;
};

static struct dpx_pci_driver *driver_list;
static struct pci_slot *slots;
static unsigned int slot_count;
static struct pci_policy policy;
static char sysfs_base[PATH_MAX]; /* the folder scanned; VFIO reads the same one */

void
dpx_pci_driver_register(struct dpx_pci_driver *drv)
{
	if (drv == NULL || drv->name == NULL || drv->id_table == NULL || drv->probe == NULL ||
	    drv->remove == NULL) {
		PCI_LOG(ERR, "driver %s refused: name, id table, probe and remove are required",
			drv != NULL && drv->name != NULL ? drv->name : "(null)");
		return;
	}
	for (struct dpx_pci_driver *d = driver_list; d != NULL; d = d->next) {
		if (strcmp(d->name, drv->name) == 0) {
			PCI_LOG(ERR, "driver %s refused: already registered", drv->name);
			return;
		}
	}
	drv->next = driver_list;
	driver_list = drv;
}

static const struct dpx_pci_driver *
find_driver(const struct dpx_pci_device_info *info)
{
	for (const struct dpx_pci_driver *d = driver_list; d != NULL; d = d->next)
		if (pci_id_match(d->id_table, info))
			return d;
	return NULL;
}

/* ---- config space, interrupts: what drivers call ---- */

static int
config_io(const struct dpx_pci_device *dev, void *buf, size_t len, off_t offset, bool write)
{
	ssize_t n;

	if (dev == NULL || buf == NULL || len == 0 || offset < 0 || dev->vfio_fd < 0)
		return -EINVAL;
	offset += (off_t)dev->config_offset;
	n = write ? pwrite(dev->vfio_fd, buf, len, offset) : pread(dev->vfio_fd, buf, len, offset);
	if (n < 0) {
		int rc = -errno;
		PCI_LOG(ERR, "%s: config %s of %zu bytes at 0x%llx: %s", dev->info.name,
			write ? "write" : "read", len,
			(unsigned long long)(offset - (off_t)dev->config_offset), strerror(errno));
		return rc;
	}
	return (size_t)n == len ? 0 : -EIO;
}

int
dpx_pci_config_read(const struct dpx_pci_device *dev, void *buf, size_t len, off_t offset)
{
	return config_io(dev, buf, len, offset, false);
}

int
dpx_pci_config_write(const struct dpx_pci_device *dev, const void *buf, size_t len, off_t offset)
{
	return config_io(dev, (void *)(uintptr_t)buf, len, offset, true);
}

int
dpx_pci_intr_enable(struct dpx_pci_device *dev)
{
	int rc;

	if (dev == NULL || dev->intr.fd < 0)
		return -ENOTSUP;
	rc = dpx_vfio_irq_enable(dev->vfio_fd, dev->intr.index, &dev->intr.fd, 1);
	if (rc == 0)
		dev->intr.enabled = true;
	return rc;
}

int
dpx_pci_intr_ack(struct dpx_pci_device *dev)
{
	if (dev == NULL || dev->intr.fd < 0)
		return -ENOTSUP;
	if (dev->intr.index != VFIO_PCI_INTX_IRQ_INDEX)
		return 0;
	return dpx_vfio_irq_unmask(dev->vfio_fd, dev->intr.index);
}

int
dpx_pci_intr_disable(struct dpx_pci_device *dev)
{
	int rc;

	if (dev == NULL || !dev->intr.enabled)
		return 0;
	rc = dpx_vfio_irq_disable(dev->vfio_fd, dev->intr.index);
	if (rc == 0)
		dev->intr.enabled = false;
	return rc;
}

/* ---- opening a device through VFIO ---- */

static int
set_bus_master(struct dpx_pci_device *dev, bool on)
{
	uint16_t cmd;
	int rc = dpx_pci_config_read(dev, &cmd, sizeof(cmd), PCI_COMMAND);

	if (rc != 0)
		return rc;
	cmd = on ? (uint16_t)(cmd | PCI_COMMAND_MASTER) : (uint16_t)(cmd & ~PCI_COMMAND_MASTER);
	return dpx_pci_config_write(dev, &cmd, sizeof(cmd), PCI_COMMAND);
}

static void
unmap_bars(struct dpx_pci_device *dev)
{
	for (unsigned int i = 0; i < DPX_PCI_MAX_BARS; i++) {
		if (dev->mem_resource[i].addr != NULL)
			dpx_vfio_unmap_region(dev->mem_resource[i].addr,
					      (size_t)dev->mem_resource[i].len);
		dev->mem_resource[i] = (struct dpx_pci_resource){NULL, 0};
	}
}

/* Every memory BAR VFIO can mmap; others (I/O BARs) keep addr NULL and their size. */
static int
map_bars(struct dpx_pci_device *dev, uint32_t num_regions)
{
	for (uint32_t i = 0; i < DPX_PCI_MAX_BARS && i < num_regions; i++) {
		struct vfio_region_info r;
		size_t len;
		int rc = dpx_vfio_get_region_info(dev->vfio_fd, VFIO_PCI_BAR0_REGION_INDEX + i, &r);

		if (rc != 0)
			return rc;
		dev->mem_resource[i].len = r.size;
		if (r.size == 0 || !(r.flags & VFIO_REGION_INFO_FLAG_MMAP))
			continue;
		dev->mem_resource[i].addr =
			dpx_vfio_map_region(dev->vfio_fd, VFIO_PCI_BAR0_REGION_INDEX + i, &len);
		if (dev->mem_resource[i].addr == NULL)
			return -dpx_errno;
	}
	return 0;
}

/* One eventfd for the best interrupt the device offers; none is not an error. */
static int
intr_setup(struct dpx_pci_device *dev, uint32_t num_irqs)
{
	static const uint32_t order[] = {VFIO_PCI_MSIX_IRQ_INDEX, VFIO_PCI_MSI_IRQ_INDEX,
					 VFIO_PCI_INTX_IRQ_INDEX};

	for (unsigned int i = 0; i < DPX_DIM(order); i++) {
		struct vfio_irq_info irq;

		if (order[i] >= num_irqs)
			continue;
		int rc = dpx_vfio_get_irq_info(dev->vfio_fd, order[i], &irq);
		if (rc != 0)
			return rc;
		if (irq.count == 0 || !(irq.flags & VFIO_IRQ_INFO_EVENTFD))
			continue;
		dev->intr.fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		if (dev->intr.fd < 0)
			return -errno;
		dev->intr.index = order[i];
		return 0;
	}
	return 0;
}

/* Undo device_open (any part of it); the device fd goes last. */
static void
device_close(struct dpx_pci_device *dev)
{
	if (dev->vfio_fd < 0)
		return;
	dpx_pci_intr_disable(dev);
	if (dev->intr.fd >= 0)
		close(dev->intr.fd);
	dev->intr.fd = -1;
	/* no DMA from a device nobody drives any more */
	set_bus_master(dev, false);
	unmap_bars(dev);
	dpx_vfio_release_device(sysfs_base, dev->info.name, dev->vfio_fd);
	dev->vfio_fd = -1;
}

static int
device_open(struct dpx_pci_device *dev)
{
	struct vfio_device_info dinfo;
	struct vfio_region_info cfg;
	int rc;

	rc = dpx_vfio_setup_device(sysfs_base, dev->info.name, &dev->vfio_fd, &dinfo);
	if (rc != 0) {
		dev->vfio_fd = -1;
		return rc;
	}
	rc = dpx_vfio_get_region_info(dev->vfio_fd, VFIO_PCI_CONFIG_REGION_INDEX, &cfg);
	if (rc == 0) {
		dev->config_offset = cfg.offset;
		rc = map_bars(dev, dinfo.num_regions);
	}
	if (rc == 0)
		rc = set_bus_master(dev, true);
	if (rc == 0)
		rc = intr_setup(dev, dinfo.num_irqs);
	if (rc != 0)
		device_close(dev);
	return rc;
}

/* ---- the bus ---- */

static void
slots_free(void)
{
	for (unsigned int i = 0; i < slot_count; i++) {
		dpx_kvargs_free(slots[i].kvargs);
		free(slots[i].args);
	}
	free(slots);
	slots = NULL;
	slot_count = 0;
}

static struct pci_slot *
slot_find(const struct dpx_pci_addr *addr)
{
	for (unsigned int i = 0; i < slot_count; i++)
		if (dpx_pci_addr_cmp(&slots[i].dev.info.addr, addr) == 0)
			return &slots[i];
	return NULL;
}

static int
policy_from_options(void)
{
	const char *allow[PCI_MAX_DEVARGS], *block[PCI_MAX_DEVARGS];
	unsigned int na = DPX_MIN(dpx_eal_pci_allow_count(), PCI_MAX_DEVARGS);
	unsigned int nb = DPX_MIN(dpx_eal_pci_block_count(), PCI_MAX_DEVARGS);
	char err[256];

	for (unsigned int i = 0; i < na; i++)
		allow[i] = dpx_eal_pci_allow_arg(i);
	for (unsigned int i = 0; i < nb; i++)
		block[i] = dpx_eal_pci_block_arg(i);
	if (pci_policy_parse(&policy, allow, na, block, nb, err, sizeof(err)) != 0) {
		PCI_LOG(ERR, "%s", err);
		return -EINVAL;
	}
	return 0;
}

/* The options only: a malformed -a or -b fails init before any bus probes. */
static int
pci_scan(void)
{
	if (dpx_eal_no_pci()) {
		PCI_LOG(INFO, "--no-pci: the PCI bus is not scanned");
		return 0;
	}
	return policy_from_options();
}

/*
 * The device table, from sysfs. Built by probe, not scan: cleanup runs only
 * after a successful probe, so a table made at scan would leak when another
 * bus failed in between.
 */
static int
slots_build(void)
{
	struct dpx_pci_device_info *list;
	unsigned int n;
	int rc;

	snprintf(sysfs_base, sizeof(sysfs_base), "%s", pci_sysfs_devices());
	rc = pci_sysfs_scan(sysfs_base, &list, &n);
	if (rc != 0)
		return rc;
	slots = n > 0 ? calloc(n, sizeof(*slots)) : NULL;
	if (n > 0 && slots == NULL) {
		free(list);
		return -ENOMEM;
	}
	for (unsigned int i = 0; i < n; i++) {
		slots[i].dev.info = list[i];
		/* until slot_probe decides; never PROBED, which cleanup would remove */
		slots[i].dev.info.state = DPX_PCI_STATE_NO_DRIVER;
		slots[i].dev.vfio_fd = -1;
		slots[i].dev.intr.fd = -1;
	}
	slot_count = n;
	free(list);
	for (unsigned int i = 0; i < policy.allow_count; i++) {
		if (slot_find(&policy.allow[i].addr) == NULL) {
			PCI_LOG(ERR, "-a %s: no such PCI device in %s (see dpx-devbind --status)",
				dpx_eal_pci_allow_arg(i), sysfs_base);
			slots_free();
			return -ENODEV;
		}
	}
	PCI_LOG(DEBUG, "%u devices in %s", slot_count, sysfs_base);
	return 0;
}

/* Devargs parsed against the driver's keys; a copy the device keeps. */
static int
slot_args(struct pci_slot *s, const struct pci_devarg *arg)
{
	static const char *const no_keys[] = {NULL};
	const struct dpx_pci_driver *drv = s->dev.driver;

	s->args = strdup(arg != NULL ? arg->args : "");
	if (s->args == NULL)
		return -ENOMEM;
	s->kvargs = dpx_kvargs_parse(s->args, drv->valid_keys != NULL ? drv->valid_keys : no_keys);
	if (s->kvargs == NULL) {
		PCI_LOG(ERR, "%s: bad arguments \"%s\" for driver %s", s->dev.info.name, s->args,
			drv->name);
		return -dpx_errno;
	}
	s->dev.args = s->args;
	s->dev.kvargs = s->kvargs;
	return 0;
}

/* Whether the policy, a driver and the kernel driver let the device be probed. */
static int
slot_check(struct pci_slot *s, const struct pci_devarg **arg)
{
	struct dpx_pci_device_info *info = &s->dev.info;

	info->state = pci_policy_check(&policy, &info->addr, arg);
	if (info->state != DPX_PCI_STATE_PROBED)
		return 0;
	s->named = *arg != NULL;
	s->dev.driver = find_driver(info);
	if (s->dev.driver == NULL) {
		info->state = DPX_PCI_STATE_NO_DRIVER;
		if (s->named)
			PCI_LOG(ERR, "-a %s: no dpx driver takes %04x:%04x", info->name,
				info->vendor_id, info->device_id);
		return s->named ? -ENODEV : 0;
	}
	info->driver = s->dev.driver->name;
	if (strcmp(info->kernel_driver, "vfio-pci") != 0) {
		info->state = DPX_PCI_STATE_NOT_VFIO;
		dpx_log(s->named ? DPX_LOG_ERR : DPX_LOG_INFO, bus_pci_logtype,
			"PCI: %s (%04x:%04x, driver %s) is on %s, not vfio-pci: not probed "
			"(dpx-devbind --bind vfio-pci %s)\n",
			info->name, info->vendor_id, info->device_id, info->driver,
			info->kernel_driver[0] ? info->kernel_driver : "no kernel driver",
			info->name);
		return s->named ? -ENODEV : 0;
	}
	return 1;
}

/* Probe one device; only a device named by -a returns an error. */
static int
slot_probe(struct pci_slot *s)
{
	struct dpx_pci_device_info *info = &s->dev.info;
	const struct pci_devarg *arg;
	int rc = slot_check(s, &arg);

	if (rc <= 0)
		return rc;
	rc = slot_args(s, arg);
	if (rc == 0)
		rc = device_open(&s->dev);
	if (rc == 0) {
		rc = s->dev.driver->probe(&s->dev);
		if (rc != 0) {
			PCI_LOG(ERR, "%s: driver %s probe failed: %s", info->name, info->driver,
				dpx_strerror(rc));
			device_close(&s->dev);
		}
	}
	if (rc != 0) {
		info->state = DPX_PCI_STATE_FAILED;
		return s->named ? rc : 0;
	}
	PCI_LOG(INFO, "%s (%04x:%04x) probed by %s", info->name, info->vendor_id, info->device_id,
		info->driver);
	return 0;
}

static int
pci_cleanup(void)
{
	int first_error = 0;

	for (unsigned int i = slot_count; i-- > 0;) {
		struct pci_slot *s = &slots[i];
		if (s->dev.info.state != DPX_PCI_STATE_PROBED)
			continue;
		int rc = s->dev.driver->remove(&s->dev);
		if (rc != 0) {
			PCI_LOG(ERR, "%s: driver %s remove failed: %s", s->dev.info.name,
				s->dev.info.driver, dpx_strerror(rc));
			if (first_error == 0)
				first_error = rc;
		}
		device_close(&s->dev);
	}
	slots_free();
	return first_error;
}

static int
pci_probe(void)
{
	int rc = dpx_eal_no_pci() ? 0 : slots_build();

	if (rc != 0)
		return rc;
	for (unsigned int i = 0; i < slot_count && rc == 0; i++)
		rc = slot_probe(&slots[i]);
	if (rc != 0)
		pci_cleanup();
	return rc;
}

static struct dpx_bus pci_bus = {
	.scan = pci_scan,
	.probe = pci_probe,
	.cleanup = pci_cleanup,
};

DPX_REGISTER_BUS(pci, pci_bus);

/* ---- the device list, for applications ---- */

unsigned int
dpx_pci_device_count(void)
{
	return slot_count;
}

int
dpx_pci_device_info_get(unsigned int index, struct dpx_pci_device_info *info)
{
	if (info == NULL)
		return -EINVAL;
	if (index >= slot_count)
		return -ENOENT;
	*info = slots[index].dev.info;
	return 0;
}

int
dpx_pci_device_info_find(const char *name, struct dpx_pci_device_info *info)
{
	struct dpx_pci_addr addr;
	struct pci_slot *s;

	if (info == NULL || dpx_pci_addr_parse(name, &addr) != 0)
		return -EINVAL;
	s = slot_find(&addr);
	if (s == NULL)
		return -ENOENT;
	*info = s->dev.info;
	return 0;
}

int
dpx_pci_dump(FILE *f)
{
	if (f == NULL)
		return -EINVAL;
	fprintf(f, "%-14s %-10s %-8s %-16s %-11s %-4s %-15s %s\n", "device", "vendor:dev", "class",
		"kernel driver", "iommu group", "numa", "state", "dpx driver");
	for (unsigned int i = 0; i < slot_count; i++) {
		const struct dpx_pci_device_info *d = &slots[i].dev.info;
		char group[16];

		snprintf(group, sizeof(group), "%d", d->iommu_group);
		fprintf(f, "%-14s %04x:%04x  0x%06x %-16s %-11s %-4d %-15s %s\n", d->name,
			d->vendor_id, d->device_id, d->class_id,
			d->kernel_driver[0] ? d->kernel_driver : "-",
			d->iommu_group >= 0 ? group : "-", d->numa_node,
			dpx_pci_state_name(d->state), d->driver != NULL ? d->driver : "-");
	}
	return 0;
}
