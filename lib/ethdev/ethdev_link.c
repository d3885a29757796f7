/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Link state. The link is one 8-byte word stored and loaded atomically, so a
 * driver thread may update it while the control thread reads it; a change
 * seen by the driver fires DPX_ETH_EVENT_LSC.
 */
#include <errno.h>
#include <string.h>

#include "ethdev_private.h"

_Static_assert(sizeof(struct dpx_eth_link) == sizeof(uint64_t), "link is one atomic word");

/* The fields only: the caller's padding bits are indeterminate (a compound
 * literal or designated initializer need not zero them), and copying them
 * made equal links compare different, firing LSC without a change. */
static uint64_t
link_to_word(const struct dpx_eth_link *link)
{
	struct dpx_eth_link clean;
	uint64_t w;

	memset(&clean, 0, sizeof(clean));
	clean.link_speed = link->link_speed;
	clean.link_duplex = link->link_duplex;
	clean.link_autoneg = link->link_autoneg;
	clean.link_status = link->link_status;
	memcpy(&w, &clean, sizeof(w));
	return w;
}

int
dpx_eth_linkstatus_set(struct dpx_eth_dev *dev, const struct dpx_eth_link *link)
{
	uint64_t *word = (uint64_t *)&dev->data->dev_link;
	/* pairs with the acquire load in dpx_eth_linkstatus_get */
	uint64_t old = __atomic_exchange_n(word, link_to_word(link), __ATOMIC_RELEASE);

	return old != link_to_word(link);
}

void
dpx_eth_linkstatus_get(const struct dpx_eth_dev *dev, struct dpx_eth_link *link)
{
	uint64_t w = __atomic_load_n((const uint64_t *)&dev->data->dev_link, __ATOMIC_ACQUIRE);

	memcpy(link, &w, sizeof(*link));
}

static int
link_get(uint16_t port_id, struct dpx_eth_link *link, int wait)
{
	struct dpx_eth_dev *dev;

	ETHDEV_GET_OR_RET(dev, port_id);
	if (link == NULL)
		return -EINVAL;
	if (dev->dev_ops->link_update != NULL) {
		int rc = dev->dev_ops->link_update(dev, wait);
		if (rc < 0)
			ETHDEV_LOG(WARNING, "port %u: link update failed: %s", port_id,
				   dpx_strerror(rc));
	}
	dpx_eth_linkstatus_get(dev, link);
	return 0;
}

int
dpx_eth_link_get_nowait(uint16_t port_id, struct dpx_eth_link *link)
{
	return link_get(port_id, link, 0);
}

int
dpx_eth_link_get(uint16_t port_id, struct dpx_eth_link *link)
{
	return link_get(port_id, link, 1);
}

static int
set_link(uint16_t port_id, int up)
{
	struct dpx_eth_dev *dev;

	ETHDEV_GET_OR_RET(dev, port_id);
	return ethdev_call_on_off(dev, up, dev->dev_ops->dev_set_link_up,
				  dev->dev_ops->dev_set_link_down);
}

int
dpx_eth_dev_set_link_up(uint16_t port_id)
{
	return set_link(port_id, 1);
}

int
dpx_eth_dev_set_link_down(uint16_t port_id)
{
	return set_link(port_id, 0);
}

void
dpx_eth_link_to_str(char *buf, size_t len, const struct dpx_eth_link *link)
{
	if (!link->link_status) {
		snprintf(buf, len, "Link down");
		return;
	}
	if (link->link_speed == DPX_ETH_SPEED_NUM_UNKNOWN ||
	    link->link_speed == DPX_ETH_SPEED_NUM_NONE)
		snprintf(buf, len, "Link up at Unknown speed %s %s",
			 link->link_duplex ? "FDX" : "HDX", link->link_autoneg ? "Autoneg" : "Fixed");
	else
		snprintf(buf, len, "Link up at %u %s %s %s",
			 link->link_speed >= 1000 ? link->link_speed / 1000 : link->link_speed,
			 link->link_speed >= 1000 ? "Gbps" : "Mbps", link->link_duplex ? "FDX" : "HDX",
			 link->link_autoneg ? "Autoneg" : "Fixed");
}

int
dpx_eth_link_fixed_set(struct dpx_eth_dev *dev, uint32_t speed, int up)
{
	struct dpx_eth_link link = {
		.link_speed = speed,
		.link_duplex = DPX_ETH_LINK_FULL_DUPLEX,
		.link_autoneg = DPX_ETH_LINK_FIXED,
		.link_status = up ? DPX_ETH_LINK_UP : DPX_ETH_LINK_DOWN,
	};

	if (dpx_eth_linkstatus_set(dev, &link))
		dpx_eth_dev_callback_process(dev, DPX_ETH_EVENT_LSC, NULL);
	return 0;
}
