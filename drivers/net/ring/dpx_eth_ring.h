/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * net_ring: Ethernet ports whose queues are dpx_rings of mbuf pointers.
 *
 * As a vdev:
 *   --vdev net_ring0[,queues=N][,size=S]      a loopback port: tx queue i
 *                                             enqueues to the ring rx queue i
 *                                             dequeues from
 *   --vdev net_ring1,peer=net_ring0           a port cross-connected with
 *                                             net_ring0: what one sends on tx
 *                                             queue i the other receives on rx
 *                                             queue i (net_ring0 stops being a
 *                                             loopback)
 * queues: 1..16 (default 1); size: ring slots, a power of two 2..65536
 * (default 1024, holding size - 1 packets). A peer must be a net_ring vdev
 * that is stopped and not paired yet; the new port takes its queue count.
 *
 * From an application's rings: dpx_eth_from_rings(). Rings are shared by
 * reference: a port never frees a ring it did not create, and rings created
 * for a pair live until both ports are closed.
 */
#ifndef DPX_ETH_RING_H
#define DPX_ETH_RING_H

#include <stdint.h>

struct dpx_ring;

/** Most queues of a net_ring port (each direction). */
#define DPX_ETH_RING_MAX_QUEUES 16

/**
 * Make a port (driver net_ring, not on the vdev bus) over existing rings:
 * rx queue i dequeues from rx_queues[i], tx queue i enqueues to tx_queues[i].
 * The same ring may appear on both sides (a loopback). The rings stay the
 * caller's: close the port (dpx_eth_dev_close) before freeing them.
 * @return the port id (>= 0), or:
 *   -EINVAL  NULL or empty name, a NULL ring, nb_rx or nb_tx 0 or above
 *            DPX_ETH_RING_MAX_QUEUES;
 *   -EEXIST  a port with that name exists;
 *   -ENOSPC  no free port id;  -ENOMEM.
 */
int dpx_eth_from_rings(const char *name, struct dpx_ring *const rx_queues[], unsigned int nb_rx,
		       struct dpx_ring *const tx_queues[], unsigned int nb_tx, int numa_node);

#endif /* DPX_ETH_RING_H */
