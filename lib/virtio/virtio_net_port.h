/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What an ethdev port on either side of a virtio-net device offers the
 * application: the same for the back-end's port (net_vhost) and the
 * front-end's (net_virtio_user), so both say it through this one function.
 */
#ifndef VIRTIO_NET_PORT_H
#define VIRTIO_NET_PORT_H

#include <stdint.h>

#include <dpx_ethdev_driver.h>

/*
 * Frames up to 64 KiB (virtio-net has no MTU of its own unless VIRTIO_NET_F_MTU
 * says so, 5.1.4.1); chained mbufs go out as descriptor chains; the link has
 * no real speed, 10G is what a guest's driver reports too.
 */
static inline void
virtio_net_port_info(struct dpx_eth_dev_info *info, uint16_t queue_pairs)
{
	info->max_rx_queues = queue_pairs;
	info->max_tx_queues = queue_pairs;
	info->min_mtu = 68;
	info->max_mtu = 65535 - 14;
	info->max_rx_pktlen = 65535;
	info->tx_offload_capa = DPX_ETH_TX_OFFLOAD_MULTI_SEGS;
	info->speed_capa = DPX_ETH_SPEED_NUM_10G;
}

#endif
