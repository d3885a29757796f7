/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The vdev bus. Drivers register from constructors; devices are created from
 * the --vdev options when the EAL probes buses, or at run time. One mutex
 * serialises creation and removal; the driver list is written only before
 * main (constructors) and so read without it.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>

#include <dpx_bus_driver.h>
#include <dpx_eal.h>
#include <dpx_errno.h>
#include <dpx_kvargs.h>
#include <dpx_log.h>

#include "dpx_bus_vdev_driver.h"

DPX_LOG_REGISTER_STATIC(vdev_logtype, "bus.vdev");
#define VDEV_LOG(level, fmt, ...) DPX_LOG(level, vdev_logtype, "vdev: " fmt, ##__VA_ARGS__)

/* A device is listed while its driver probes and removes it, so event callbacks
 * run from probe/remove see it; only a READY device may be uninitialised. */
enum vdev_state { VDEV_PROBING, VDEV_READY, VDEV_REMOVING };

struct dpx_vdev_device {
	char name[DPX_VDEV_NAME_MAX];
	enum vdev_state state;
	char *args;
	struct dpx_kvargs *kvargs;
	struct dpx_vdev_driver *driver;
	void *priv;
	int numa_node;
	struct dpx_vdev_device *next; /* newest first */
};

static struct dpx_vdev_driver *driver_list;
static struct dpx_vdev_device *device_list;
/*
 * Recursive: a driver's probe and remove raise ethdev events (NEW, DESTROY)
 * whose callbacks may call the vdev API on the same thread. Other threads wait.
 */
static pthread_mutex_t vdev_lock = PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP;

static struct dpx_vdev_driver *
find_driver_exact(const char *name)
{
	for (struct dpx_vdev_driver *d = driver_list; d != NULL; d = d->next)
		if (strcmp(d->name, name) == 0)
			return d;
	return NULL;
}

void
dpx_vdev_register(struct dpx_vdev_driver *drv)
{
	if (drv == NULL || drv->name == NULL || drv->probe == NULL || drv->remove == NULL) {
		VDEV_LOG(ERR, "driver %s refused: name, probe and remove are required",
			 drv != NULL && drv->name != NULL ? drv->name : "(null)");
		return;
	}
	if (find_driver_exact(drv->name) != NULL) {
		VDEV_LOG(ERR, "driver %s refused: already registered", drv->name);
		return;
	}
	drv->next = driver_list;
	driver_list = drv;
}

/* The driver whose name is the longest prefix of the device name. */
static struct dpx_vdev_driver *
find_driver(const char *devname)
{
	struct dpx_vdev_driver *best = NULL;
	size_t best_len = 0;

	for (struct dpx_vdev_driver *d = driver_list; d != NULL; d = d->next) {
		size_t len = strlen(d->name);
		if (len > best_len && strncmp(devname, d->name, len) == 0) {
			best = d;
			best_len = len;
		}
	}
	return best;
}

/* "net_null, net_ring, ..." for the message that says which names exist. */
static const char *
driver_names(void)
{
	static char names[256];

	names[0] = '\0';
	for (struct dpx_vdev_driver *d = driver_list; d != NULL; d = d->next)
		snprintf(names + strlen(names), sizeof(names) - strlen(names), "%s%s",
			 names[0] ? ", " : "", d->name);
	return names;
}

static struct dpx_vdev_device **
find_device_link(const char *name)
{
	struct dpx_vdev_device **p = &device_list;

	while (*p != NULL && strcmp((*p)->name, name) != 0)
		p = &(*p)->next;
	return p;
}

static void
device_free(struct dpx_vdev_device *dev)
{
	dpx_kvargs_free(dev->kvargs);
	free(dev->args);
	free(dev);
}

static int
current_numa_node(void)
{
	unsigned int cpu, node;

	return getcpu(&cpu, &node) == 0 ? (int)node : 0;
}

/* Check the name, find the driver, parse the args; errors logged here. */
static int
device_prepare(const char *name, const char *args, struct dpx_vdev_device **out)
{
	struct dpx_vdev_device *dev;
	size_t len = name != NULL ? strnlen(name, DPX_VDEV_NAME_MAX) : 0;

	if (len == 0 || len >= DPX_VDEV_NAME_MAX) {
		VDEV_LOG(ERR, "device name \"%.*s\" %s", (int)len, name != NULL ? name : "",
			 len == 0 ? "is empty" : "is too long");
		return -EINVAL;
	}
	if (*find_device_link(name) != NULL) {
		VDEV_LOG(ERR, "device %s already exists", name);
		return -EEXIST;
	}
	struct dpx_vdev_driver *drv = find_driver(name);
	if (drv == NULL) {
		VDEV_LOG(ERR, "device %s: no driver matches its name; drivers: %s", name,
			 driver_names());
		return -ENOENT;
	}
	dev = calloc(1, sizeof(*dev));
	if (dev == NULL || (dev->args = strdup(args != NULL ? args : "")) == NULL) {
		free(dev);
		return -ENOMEM;
	}
	memcpy(dev->name, name, len + 1);
	dev->driver = drv;
	dev->numa_node = current_numa_node();
	/* a driver without valid_keys accepts no argument at all */
	static const char *const no_keys[] = {NULL};
	dpx_kvargs_set_owner(dev->name); /* kvargs' error line names the device */
	dev->kvargs = dpx_kvargs_parse(dev->args, drv->valid_keys != NULL ? drv->valid_keys : no_keys);
	dpx_kvargs_set_owner(NULL);
	if (dev->kvargs == NULL) {
		int rc = -dpx_errno;
		VDEV_LOG(DEBUG, "device %s: bad arguments \"%s\" for driver %s", name, dev->args,
			 drv->name);
		device_free(dev);
		return rc;
	}
	*out = dev;
	return 0;
}

int
dpx_vdev_init(const char *name, const char *args)
{
	struct dpx_vdev_device *dev = NULL;
	int rc;

	pthread_mutex_lock(&vdev_lock);
	rc = device_prepare(name, args, &dev);
	if (rc == 0) {
		unsigned long errors = dpx_log_error_count();

		dev->state = VDEV_PROBING;
		dev->next = device_list;
		device_list = dev;
		dpx_kvargs_set_owner(dev->name);
		rc = dev->driver->probe(dev);
		dpx_kvargs_set_owner(NULL);
		if (rc != 0) {
			/* the driver said why, naming the device; else this is the line */
			DPX_LOG_UNSAID(errors, vdev_logtype,
				       "vdev: device %s: driver %s probe failed: %s", name,
				       dev->driver->name, dpx_strerror(rc));
			*find_device_link(name) = dev->next;
			device_free(dev);
		} else {
			dev->state = VDEV_READY;
			VDEV_LOG(INFO, "device %s created by driver %s", name, dev->driver->name);
		}
	}
	pthread_mutex_unlock(&vdev_lock);
	return rc < 0 ? rc : (rc > 0 ? -rc : 0);
}

/* Called with vdev_lock held; unlinks and frees even if remove fails. */
static int
device_remove(struct dpx_vdev_device **link)
{
	struct dpx_vdev_device *dev = *link;

	dev->state = VDEV_REMOVING;
	int rc = dev->driver->remove(dev);
	if (rc != 0)
		VDEV_LOG(ERR, "device %s: driver %s remove failed: %s", dev->name,
			 dev->driver->name, dpx_strerror(rc));
	/* remove's callbacks may have created devices: look the link up again */
	*find_device_link(dev->name) = dev->next;
	device_free(dev);
	return rc;
}

int
dpx_vdev_uninit(const char *name)
{
	int rc;

	if (name == NULL)
		return -EINVAL;
	pthread_mutex_lock(&vdev_lock);
	struct dpx_vdev_device **link = find_device_link(name);
	if (*link == NULL) {
		VDEV_LOG(ERR, "device %s: no such device", name);
		rc = -ENOENT;
	} else if ((*link)->state != VDEV_READY) {
		VDEV_LOG(ERR, "device %s: still being %s", name,
			 (*link)->state == VDEV_PROBING ? "probed" : "removed");
		rc = -EBUSY;
	} else {
		rc = device_remove(link);
	}
	pthread_mutex_unlock(&vdev_lock);
	return rc;
}

const char *
dpx_vdev_device_name(const struct dpx_vdev_device *dev)
{
	return dev->name;
}

const char *
dpx_vdev_device_args(const struct dpx_vdev_device *dev)
{
	return dev->args;
}

const struct dpx_kvargs *
dpx_vdev_device_kvargs(const struct dpx_vdev_device *dev)
{
	return dev->kvargs;
}

int
dpx_vdev_device_numa_node(const struct dpx_vdev_device *dev)
{
	return dev->numa_node;
}

void
dpx_vdev_device_set_private(struct dpx_vdev_device *dev, void *priv)
{
	dev->priv = priv;
}

void *
dpx_vdev_device_get_private(const struct dpx_vdev_device *dev)
{
	return dev->priv;
}

int
dpx_vdev_exists(const char *name)
{
	int found;

	if (name == NULL)
		return 0;
	pthread_mutex_lock(&vdev_lock);
	found = *find_device_link(name) != NULL;
	pthread_mutex_unlock(&vdev_lock);
	return found;
}

unsigned int
dpx_vdev_count(void)
{
	unsigned int n = 0;

	pthread_mutex_lock(&vdev_lock);
	for (struct dpx_vdev_device *d = device_list; d != NULL; d = d->next)
		n++;
	pthread_mutex_unlock(&vdev_lock);
	return n;
}

/* ---- the bus: --vdev options at EAL init, every device removed at cleanup ---- */

/* Length of the device name in a --vdev argument ("name,key=value,..."). */
static size_t
arg_name_len(const char *arg)
{
	const char *comma = strchr(arg, ',');

	return comma != NULL ? (size_t)(comma - arg) : strlen(arg);
}

/* Check every --vdev names a device before anything is created. */
static int
vdev_scan(void)
{
	for (unsigned int i = 0; i < dpx_eal_vdev_count(); i++) {
		const char *arg = dpx_eal_vdev_arg(i);
		size_t len = arg_name_len(arg);
		if (len == 0 || len >= DPX_VDEV_NAME_MAX) {
			VDEV_LOG(ERR, "--vdev %s: device name %s", arg,
				 len == 0 ? "is empty" : "is too long");
			return -EINVAL;
		}
	}
	return 0;
}

static int
vdev_cleanup(void)
{
	int first_error = 0;

	pthread_mutex_lock(&vdev_lock);
	while (device_list != NULL) {
		int rc = device_remove(&device_list);
		if (rc != 0 && first_error == 0)
			first_error = rc;
	}
	pthread_mutex_unlock(&vdev_lock);
	return first_error;
}

/* "name,key=value,..." -> dpx_vdev_init(name, rest); vdev_scan checked the name. */
static int
probe_one(const char *arg)
{
	char name[DPX_VDEV_NAME_MAX];
	size_t len = arg_name_len(arg);

	memcpy(name, arg, len);
	name[len] = '\0';
	return dpx_vdev_init(name, arg[len] == ',' ? arg + len + 1 : "");
}

static int
vdev_probe(void)
{
	for (unsigned int i = 0; i < dpx_eal_vdev_count(); i++) {
		int rc = probe_one(dpx_eal_vdev_arg(i));
		if (rc != 0) {
			VDEV_LOG(DEBUG, "--vdev %s failed: %s", dpx_eal_vdev_arg(i),
				 dpx_strerror(rc));
			vdev_cleanup();
			return rc;
		}
	}
	return 0;
}

static struct dpx_bus vdev_bus = {
	.scan = vdev_scan,
	.probe = vdev_probe,
	.cleanup = vdev_cleanup,
};

DPX_REGISTER_BUS(vdev, vdev_bus);
