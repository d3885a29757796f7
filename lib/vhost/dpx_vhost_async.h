/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Async vhost: the payload copies of a vring go to a DMA engine (dmadev)
 * and complete later (DPDK's async vhost shape, dpx names; guide:
 * doc/vhost.md, "Async data path").
 *
 *     dpx_vhost_async_dma_configure(dma_id, vchan)         once per DMA vchan used
 *     dpx_vhost_async_channel_register(vid, vring)        e.g. in new_device
 *     dpx_vhost_submit_enqueue_burst(vid, 2q, pkts, n, dma_id, vchan)
 *     dpx_vhost_poll_enqueue_completed(vid, 2q, done, n, dma_id, vchan)  -> free done[]
 *     dpx_vhost_async_try_dequeue_burst(vid, 2q+1, pool, pkts, n, &inflight, dma_id, vchan)
 *     dpx_vhost_clear_queue(...) until dpx_vhost_async_get_inflight() is 0
 *     dpx_vhost_async_channel_unregister(vid, vring)      e.g. in destroy_device
 *
 * Ordering. The guest sees a packet's used entries only after every copy of
 * the packet has completed, in ring order (IN_ORDER holds). An mbuf goes back
 * to the application (poll, try_dequeue, clear_queue) only after its copies
 * completed. Copies below the device's copy threshold, and virtio-net
 * headers, are done by the CPU at submit time; they are published with the
 * same ordering. Dirty pages (live migration) are marked after the copies
 * into them completed and before the used entries are published.
 *
 * DMA errors. A packet one of whose copies failed is dropped and counted
 * (dma_errors); the ring stays consistent: an enqueued packet's guest
 * buffers are each returned with length 0 (a Linux guest counts each as a
 * length error and drops it, never reading a header there), a dequeued
 * packet's chain is returned as read and its mbuf freed.
 *
 * Guest memory and the IOMMU. When a configured DMA device reaches memory
 * through a VFIO container (dpx_dma_container_get()), each guest memory
 * region of a device with an async vring is DMA-mapped into that container
 * with one map call, at IOVA = the region's address in this process, when
 * it arrives (or when the device's first vring registers), and unmapped by
 * itself when it goes (or when the last vring unregisters). Before guest
 * memory goes (REM_MEM_REG, SET_MEM_TABLE, disconnect) and before a ring
 * stops or changes (GET_VRING_BASE, SET_VRING_*, dirty log on or off) the
 * vhost thread completes the in-flight copies of the device's async vrings
 * and publishes them: nothing is written into guest memory after its region
 * is gone. That wait is bounded (1 s); an engine that misses it breaks the
 * device (its connection is closed, its in-flight mbufs are never returned).
 *
 * Addresses: IOVAs are virtual addresses, so the EAL must run in IOVA-as-VA
 * mode (the default) for a DMA device behind a container.
 *
 * Threads. A vring's data-path calls come from one thread at a time (as for
 * the sync calls), and a vring registered async takes only the async calls
 * (the sync bursts return 0 on it). A (dma_id, vchan) may serve several
 * vrings on several lcores: the library serializes its own use of the vchan
 * with a lock per vchan, so the application must not drive a vchan it gave
 * to vhost itself. Every function here may be called from the application's
 * vhost callbacks (they run without any queue lock held, and the vhost mutex
 * is recursive), so there are no "_thread_unsafe" variants.
 */
#ifndef DPX_VHOST_ASYNC_H
#define DPX_VHOST_ASYNC_H

#include <stdint.h>

#include <dpx_vhost.h>

struct dpx_mbuf;
struct dpx_mempool;

/** Copy threshold of a new device (bytes): copies shorter than it are done
 *  by the CPU. Chosen from the benchmark in doc/vhost.md: with cold caches
 *  the engine paid for 512-byte copies host to guest and broke even guest to
 *  host, and lost on 256-byte ones guest to host. */
#define DPX_VHOST_ASYNC_COPY_THRESHOLD_DEFAULT 512

/** Copies of at most this many bytes are done by the CPU whatever the
 *  threshold (virtio-net headers among them). */
#define DPX_VHOST_ASYNC_CPU_COPY_MAX 12

/** Per-vring async counters. completed <= submitted; in_flight is what the
 *  vring holds now: submitted - completed when never reset. */
struct dpx_vhost_async_stats {
	uint64_t dma_copies; /**< copies given to a DMA engine */
	uint64_t cpu_copies; /**< copies done by the CPU (below the threshold, headers) */
	uint64_t submitted;  /**< packets accepted (submit, try_dequeue) */
	uint64_t completed;  /**< packets finished: their mbuf returned, or dropped */
	uint64_t dma_errors; /**< of completed, packets dropped because a copy failed */
	uint64_t in_flight;  /**< packets held now: copies outstanding or mbuf not yet
				  returned (a gauge, not reset) */
};

/**
 * Let vhost use a DMA vchan (configured on its device, started or not). The
 * first vchan of a device behind a VFIO container maps, into that
 * container, the guest memory of every device that has an async vring.
 * Configuring a vchan again does nothing.
 * @return 0, or -ENODEV (no such DMA device), -EINVAL (vchan not configured
 *   on the device), -ENOTSUP (the device cannot copy, or has neither
 *   IOVA-as-VA addressing nor a container, or has a container while the EAL
 *   runs in IOVA-as-PA mode), -ENOSPC (8 containers in use already),
 *   -ENOMEM, or the error of mapping guest memory into the container
 *   (dpx_vfio_container_dma_map(); nothing is left mapped then).
 */
int dpx_vhost_async_dma_configure(int16_t dma_id, uint16_t vchan);

/**
 * Stop vhost using a DMA vchan. The last vchan of a container unmaps the
 * guest memory vhost mapped there.
 * @return 0, or -EINVAL (not configured), -EBUSY (jobs vhost gave it have
 *   not completed: collect the packets of every vring using it first).
 */
int dpx_vhost_async_dma_unconfigure(int16_t dma_id, uint16_t vchan);

/**
 * Make a vring async: from now on it takes the async calls only. The
 * device's first async vring maps its guest memory into the containers of
 * the configured DMA devices.
 * @param vring a vring the front-end has set up (any message naming it)
 * @return 0, or -ENODEV (no such device), -EINVAL (vring out of range or not
 *   set up yet), -EEXIST (already async), -ENOMEM, or the error of mapping
 *   guest memory (dpx_vfio_container_dma_map(); nothing is left mapped then).
 */
int dpx_vhost_async_channel_register(int vid, uint16_t vring);

/**
 * Make a vring sync again. In-flight copies are completed and published
 * first (bounded wait). The device's last async vring unmaps its guest
 * memory from the containers.
 * @return 0, or -ENODEV, -EINVAL (vring out of range or not async), -EBUSY
 *   (mbufs not yet returned: call dpx_vhost_clear_queue() until
 *   dpx_vhost_async_get_inflight() is 0), -ETIMEDOUT (the DMA engine did not
 *   complete in time: the device is broken and its connection closed).
 */
int dpx_vhost_async_channel_unregister(int vid, uint16_t vring);

/**
 * Set the copy threshold of a device: copies shorter than bytes are done by
 * the CPU, the rest by the DMA engine (0: every copy longer than
 * DPX_VHOST_ASYNC_CPU_COPY_MAX; DPX_VHOST_ASYNC_COPY_THRESHOLD_DEFAULT until
 * set). Takes effect at the next burst.
 * @return 0, or -ENODEV.
 */
int dpx_vhost_async_set_copy_threshold(int vid, uint32_t bytes);

/**
 * Host to guest, async: reserve the guest's receive buffers of an even
 * vring for packets and start their copies. The mbufs accepted belong to
 * vhost until dpx_vhost_poll_enqueue_completed() (or
 * dpx_vhost_clear_queue()) returns them; the rest stay the caller's.
 * Multi-segment mbufs and MRG_RXBUF as for dpx_vhost_enqueue_burst().
 * @return packets accepted, from the front of pkts: 0 when the vring is not
 *   async or not running, is being reconfigured this instant, has no
 *   buffers, when dma_id/vchan was not configured (logged once) or its ring
 *   is full. Stops at a packet that does not fit (counted in the vring's
 *   errors). At most 64 per call.
 */
uint16_t dpx_vhost_submit_enqueue_burst(int vid, uint16_t vring, struct dpx_mbuf **pkts, uint16_t n,
					int16_t dma_id, uint16_t vchan);

/**
 * Host to guest, async: collect the DMA vchan's completions, publish the
 * packets of the vring whose copies completed (in ring order), and return
 * their mbufs for the caller to free, dropped ones (DMA error) included.
 * @param dma_id, vchan the vchan to collect (packets sent through other
 *   vchans complete when those are collected)
 * @return mbufs stored in pkts (at most n), 0 when the vring is not async or
 *   is being reconfigured this instant.
 */
uint16_t dpx_vhost_poll_enqueue_completed(int vid, uint16_t vring, struct dpx_mbuf **pkts,
					  uint16_t n, int16_t dma_id, uint16_t vchan);

/**
 * Guest to host, async: start copying the guest's transmit chains of an odd
 * vring into mbufs from mp, collect the vchan's completions and return the
 * packets whose copies completed (from this call or earlier ones), in ring
 * order. Chains are dropped as dpx_vhost_dequeue_burst() drops them, and a
 * packet one of whose copies failed is dropped (its mbuf freed, counted).
 * @param nr_inflight (may be NULL) set to the packets still held by the
 *   vring after the call, or to -1 when the vring is not async
 * @return packets stored in pkts (the caller owns them), at most n; at most
 *   64 new chains are taken per call, none for a NULL mp (logged once per
 *   process) or one whose data room is no larger than DPX_PKTMBUF_HEADROOM:
 *   such a call still returns the packets earlier calls' copies completed.
 */
uint16_t dpx_vhost_async_try_dequeue_burst(int vid, uint16_t vring, struct dpx_mempool *mp,
					   struct dpx_mbuf **pkts, uint16_t n, int *nr_inflight,
					   int16_t dma_id, uint16_t vchan);

/**
 * Packets an async vring holds: copies outstanding, or completed with the
 * mbuf not yet returned.
 * @return the count (>= 0), or -ENODEV, -EINVAL (vring out of range or not async).
 */
int dpx_vhost_async_get_inflight(int vid, uint16_t vring);

/**
 * Stop and teardown (either direction): collect the vchan's completions,
 * publish what completed (when the ring still runs) and return the mbufs of
 * completed packets: sent ones for the caller to free, received ones as
 * packets. Call it until dpx_vhost_async_get_inflight() is 0; it also works
 * on a stopped ring (whose copies were completed when it stopped).
 * @return mbufs stored in pkts (at most n), 0 when the vring is not async.
 */
uint16_t dpx_vhost_clear_queue(int vid, uint16_t vring, struct dpx_mbuf **pkts, uint16_t n,
			       int16_t dma_id, uint16_t vchan);

/**
 * Read (and with reset != 0 clear, in_flight excepted) an async vring's counters.
 * @return 0, or -ENODEV, -EINVAL (vring out of range or not async).
 */
int dpx_vhost_async_stats_get(int vid, uint16_t vring, struct dpx_vhost_async_stats *stats,
			      int reset);

#endif /* DPX_VHOST_ASYNC_H */
