/* SPDX-License-Identifier: BSD-3-Clause */
/* ethdev internals shared by its source files; never installed. */
#ifndef ETHDEV_PRIVATE_H
#define ETHDEV_PRIVATE_H

#include <dpx_errno.h>
#include <dpx_log.h>

#include "dpx_ethdev_driver.h"

extern int ethdev_logtype;
#define ETHDEV_LOG(level, fmt, ...) DPX_LOG(level, ethdev_logtype, "ethdev: " fmt, ##__VA_ARGS__)

/* The attached port with that id, or NULL after logging "invalid port". */
struct dpx_eth_dev *ethdev_get_checked(uint16_t port_id, const char *fn);

/* Resolve the port or return -ENODEV from the calling function. */
#define ETHDEV_GET_OR_RET(dev, port_id)                                                            \
	do {                                                                                       \
		(dev) = ethdev_get_checked((port_id), __func__);                                   \
		if ((dev) == NULL)                                                                 \
			return -ENODEV;                                                            \
	} while (0)

/* Call a driver's on or off op (promiscuous, link...): -ENOTSUP when it has none. */
static inline int
ethdev_call_on_off(struct dpx_eth_dev *dev, int on, int (*on_op)(struct dpx_eth_dev *dev),
		   int (*off_op)(struct dpx_eth_dev *dev))
{
	int (*op)(struct dpx_eth_dev *dev) = on ? on_op : off_op;

	return op != NULL ? op(dev) : -ENOTSUP;
}

/*
 * The port lock (recursive; see ethdev.c): allocation, release, the control
 * calls that free what the getters read, and the telemetry handlers, which
 * hold it for a whole reply.
 */
void ethdev_ports_lock(void);
void ethdev_ports_unlock(void);
/* The int value of call, made under the port lock. */
#define PORTS_LOCKED(call)                                                                         \
	__extension__({                                                                            \
		ethdev_ports_lock();                                                               \
		int rc_ = (call);                                                                  \
		ethdev_ports_unlock();                                                             \
		rc_;                                                                               \
	})

/* Drop every callback registered for this port id (not those on DPX_ETH_ALL). */
void ethdev_callbacks_drop_port(uint16_t port_id);

/* Driver info with ethdev's own fields filled in. */
int ethdev_info(struct dpx_eth_dev *dev, struct dpx_eth_dev_info *info);

#endif /* ETHDEV_PRIVATE_H */
