/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * The ethdev fast-path table, needed by the inline burst functions of
 * dpx_ethdev.h. Applications must not read or write it.
 *
 * One cache-aligned entry per port holds what a burst needs: the driver's
 * rx/tx functions and the port's queue-pointer arrays. A port that is not
 * started has an entry whose functions return 0 (and whose queue arrays are a
 * static array of DPX_ETHDEV_MAX_QUEUES NULLs), so a burst on a stopped port
 * needs no state check: it returns 0 packets.
 */
#ifndef DPX_ETHDEV_CORE_H
#define DPX_ETHDEV_CORE_H

#include <stdint.h>

#include <dpx_common.h>

struct dpx_mbuf;

/** Highest number of rx (and of tx) queues per port. */
#define DPX_ETHDEV_MAX_QUEUES 256

/** Driver receive function: fill pkts with up to n packets from queue rxq. */
typedef uint16_t (*dpx_eth_rx_burst_t)(void *rxq, struct dpx_mbuf **pkts, uint16_t n);
/** Driver transmit function: take up to n packets (their ownership passes to the driver). */
typedef uint16_t (*dpx_eth_tx_burst_t)(void *txq, struct dpx_mbuf **pkts, uint16_t n);

struct dpx_eth_fp_ops {
	dpx_eth_rx_burst_t rx_pkt_burst;
	void **rxq_data; /**< rx queue pointers, indexed by queue id */
	dpx_eth_tx_burst_t tx_pkt_burst;
	void **txq_data; /**< tx queue pointers, indexed by queue id */
	/* Read only by DPX_DEBUG_CHECKS: the queue count when started,
	 * DPX_ETHDEV_MAX_QUEUES (the dummy arrays' size) when not. */
	uint16_t nb_rx_queues;
	uint16_t nb_tx_queues;
} __dpx_cache_aligned;

/** Indexed by port id; written only by dpx_eth_dev_start/stop/close. */
extern struct dpx_eth_fp_ops dpx_eth_fp_ops[DPX_MAX_ETHPORTS];

/** Log a rejected fast-path call (DPX_DEBUG_CHECKS builds only). */
void dpx_eth_fp_check_failed(const char *fn, uint16_t port_id, uint16_t queue_id);

#endif /* DPX_ETHDEV_CORE_H */
