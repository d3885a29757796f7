/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Packet buffers (mbufs), DPDK style.
 *
 * Shape: an mbuf is one mempool object laid out as
 *
 *     [struct dpx_mbuf (128 B)][private area (priv_size)][data room (buf_len)]
 *                                                        ^buf_addr   ^buf_addr+data_off
 *
 * The packet's bytes of this segment are [data_off, data_off + data_len) of
 * the data room; what is before is headroom, what is after is tailroom. A
 * packet is a chain of segments linked by `next`; the first segment (the
 * head) holds pkt_len (sum of every segment's data_len) and nb_segs, and the
 * offload fields. buf_iova is the IOVA of buf_addr, for DMA.
 *
 * Reference count: refcnt counts the owners of a segment. Freeing a segment
 * whose refcnt is above 1 only drops one reference; the owner that drops the
 * last one returns it to its pool. Free objects in a pool have refcnt 1.
 * dpx_pktmbuf_free() applies this to every segment of a chain, so a segment
 * shared by two chains (refcnt 2) survives the first free.
 *
 * Not provided: indirect/attached mbufs (clones that point into another
 * mbuf's data room) and external buffers.
 *
 * Offloads match the virtio-net header (virtio 1.x, 5.1.6): the TX flags
 * request what VIRTIO_NET_HDR_F_NEEDS_CSUM and gso_type ask of the device, with
 * l2_len/l3_len/l4_len locating the headers (csum_start = l2_len + l3_len)
 * and tso_segsz the gso_size; the RX flags report what VIRTIO_NET_HDR_F_DATA_VALID
 * / NEEDS_CSUM said.
 */
#ifndef DPX_MBUF_H
#define DPX_MBUF_H

#include <errno.h>
#include <stdio.h>
#include <stdint.h>

#include <dpx_common.h>
#include <dpx_memory.h>
#include <dpx_mempool.h>

/** Headroom left before the data of a freshly allocated mbuf. */
#define DPX_PKTMBUF_HEADROOM 128
/** Default data room: a 2048-byte frame plus the headroom. */
#define DPX_MBUF_DEFAULT_BUF_SIZE (2048 + DPX_PKTMBUF_HEADROOM)
/** Default data room size argument of dpx_pktmbuf_pool_create. */
#define DPX_MBUF_DEFAULT_DATAROOM DPX_MBUF_DEFAULT_BUF_SIZE
/** Most segments one packet may have. */
#define DPX_MBUF_MAX_NB_SEGS UINT16_MAX
/** Port value of an mbuf not received on any port. */
#define DPX_MBUF_PORT_INVALID UINT16_MAX

/* ---- RX offload flags (what the device / the guest's virtio header said) ---- */
/** L4 checksum: mask of the two bits below; neither set = unknown. */
#define DPX_MBUF_F_RX_L4_CKSUM_MASK ((1ULL << 3) | (1ULL << 8))
/** L4 checksum unknown (no information). */
#define DPX_MBUF_F_RX_L4_CKSUM_UNKNOWN 0
/** L4 checksum is wrong. */
#define DPX_MBUF_F_RX_L4_CKSUM_BAD (1ULL << 3)
/** L4 checksum verified (virtio: VIRTIO_NET_HDR_F_DATA_VALID). */
#define DPX_MBUF_F_RX_L4_CKSUM_GOOD (1ULL << 8)
/** L4 checksum not computed, data valid (virtio NEEDS_CSUM: partial checksum in the packet). */
#define DPX_MBUF_F_RX_L4_CKSUM_NONE ((1ULL << 3) | (1ULL << 8))
/** IP checksum: mask of the two bits below; neither set = unknown. */
#define DPX_MBUF_F_RX_IP_CKSUM_MASK ((1ULL << 4) | (1ULL << 7))
/** IP checksum unknown. */
#define DPX_MBUF_F_RX_IP_CKSUM_UNKNOWN 0
/** IP checksum is wrong. */
#define DPX_MBUF_F_RX_IP_CKSUM_BAD (1ULL << 4)
/** IP checksum verified. */
#define DPX_MBUF_F_RX_IP_CKSUM_GOOD (1ULL << 7)
/** IP checksum not computed but the header is valid. */
#define DPX_MBUF_F_RX_IP_CKSUM_NONE ((1ULL << 4) | (1ULL << 7))
/** vlan_tci holds a stripped VLAN tag. */
#define DPX_MBUF_F_RX_VLAN (1ULL << 0)
/** rss_hash is valid. */
#define DPX_MBUF_F_RX_RSS_HASH (1ULL << 1)
/** Coalesced (GSO) packet of tso_segsz-byte segments (virtio gso_type != NONE on receive). */
#define DPX_MBUF_F_RX_LRO (1ULL << 16)

/* ---- TX offload requests (what the virtio header asks of the device) ---- */
/** TCP segmentation (virtio GSO_TCPV4/6): needs l2/l3/l4_len, tso_segsz and TX_TCP_CKSUM. */
#define DPX_MBUF_F_TX_TCP_SEG (1ULL << 50)
/** UDP segmentation (virtio VIRTIO_NET_HDR_GSO_UDP_L4); needs l2/l3/l4_len, tso_segsz. */
#define DPX_MBUF_F_TX_UDP_SEG (1ULL << 42)
/** No L4 checksum requested. */
#define DPX_MBUF_F_TX_L4_NO_CKSUM (0ULL << 52)
/** Compute the TCP checksum (virtio NEEDS_CSUM, csum_offset 16). */
#define DPX_MBUF_F_TX_TCP_CKSUM (1ULL << 52)
/** Compute the SCTP checksum. */
#define DPX_MBUF_F_TX_SCTP_CKSUM (2ULL << 52)
/** Compute the UDP checksum (virtio NEEDS_CSUM, csum_offset 6). */
#define DPX_MBUF_F_TX_UDP_CKSUM (3ULL << 52)
/** The L4 checksum request field (one of the four values above). */
#define DPX_MBUF_F_TX_L4_MASK (3ULL << 52)
/** Compute the IPv4 header checksum. */
#define DPX_MBUF_F_TX_IP_CKSUM (1ULL << 54)
/** The packet is IPv4 (needed with any TX checksum/segmentation request). */
#define DPX_MBUF_F_TX_IPV4 (1ULL << 55)
/** The packet is IPv6. */
#define DPX_MBUF_F_TX_IPV6 (1ULL << 56)
/** Insert vlan_tci as a VLAN tag. */
#define DPX_MBUF_F_TX_VLAN (1ULL << 57)
/** Every TX offload flag. */
#define DPX_MBUF_F_TX_OFFLOAD_MASK                                                                 \
	(DPX_MBUF_F_TX_TCP_SEG | DPX_MBUF_F_TX_UDP_SEG | DPX_MBUF_F_TX_L4_MASK |                   \
	 DPX_MBUF_F_TX_IP_CKSUM | DPX_MBUF_F_TX_IPV4 | DPX_MBUF_F_TX_IPV6 | DPX_MBUF_F_TX_VLAN)

/** A packet buffer segment. Field names and meanings as in DPDK's rte_mbuf. */
struct dpx_mbuf {
	/* first cache line: what rx/tx bursts touch */
	void *buf_addr;      /**< start of the data room (virtual address) */
	dpx_iova_t buf_iova; /**< IOVA of buf_addr */
	uint16_t data_off;   /**< offset of this segment's data in the data room */
	uint16_t refcnt;     /**< owners of this segment (atomic; see dpx_mbuf_refcnt_update) */
	uint16_t nb_segs;    /**< segments of the packet (head segment only) */
	uint16_t port;       /**< input port, or DPX_MBUF_PORT_INVALID */
	uint64_t ol_flags;   /**< DPX_MBUF_F_* offload flags */
	uint32_t packet_type; /**< L2/L3/L4 type, driver-defined classification (0: unknown) */
	uint32_t pkt_len;    /**< packet length: sum of data_len over the chain (head segment) */
	uint16_t data_len;   /**< bytes of data in this segment */
	uint16_t vlan_tci;   /**< VLAN tag (with DPX_MBUF_F_RX_VLAN / TX_VLAN) */
	uint32_t rss_hash;   /**< RSS hash (with DPX_MBUF_F_RX_RSS_HASH) */
	uint16_t buf_len;    /**< size of the data room */
	uint16_t queue_id_hint; /**< queue the packet was received on (or is meant for) */
	uint16_t priv_size;  /**< size of the private area between this struct and the data room */
	uint16_t home_id; /**< 0, or the home it returns to instead of its pool (dpx_mbuf_home.h) */
	struct dpx_mempool *pool; /**< pool this segment belongs to */

	/* second cache line: chaining and TX offload metadata */
	struct dpx_mbuf *next __dpx_cache_aligned; /**< next segment, or NULL */
	union {
		uint64_t tx_offload; /**< all the lengths below, as one word */
		struct {
			uint64_t l2_len : 7;       /**< L2 header length (Ethernet + VLAN) */
			uint64_t l3_len : 9;       /**< L3 header length (IP header with options) */
			uint64_t l4_len : 8;       /**< L4 header length (TCP with options) */
			uint64_t tso_segsz : 16;   /**< segment payload size (virtio gso_size) */
			uint64_t outer_l3_len : 9; /**< outer L3 length (tunnels) */
			uint64_t outer_l2_len : 7; /**< outer L2 length (tunnels) */
		};
	};
	uint64_t udata64; /**< application data, untouched by dpx */
	uint64_t timestamp; /**< driver/application timestamp, untouched by dpx */
} __dpx_cache_aligned;

/** Private area of a pktmbuf pool (dpx_mempool_get_priv): what each mbuf looks like. */
struct dpx_pktmbuf_pool_private {
	uint16_t mbuf_data_room_size; /**< data room of each mbuf (buf_len) */
	uint16_t mbuf_priv_size;      /**< private area of each mbuf */
	uint32_t flags;               /**< reserved, 0 */
};

/** Pointer to the data of @p m at offset @p o, cast to type @p t. */
#define dpx_pktmbuf_mtod_offset(m, t, o) ((t)((char *)(m)->buf_addr + (m)->data_off + (o)))
/** Pointer to the data of @p m, cast to type @p t. */
#define dpx_pktmbuf_mtod(m, t) dpx_pktmbuf_mtod_offset(m, t, 0)
/** IOVA of the data of @p m at offset @p o. */
#define dpx_pktmbuf_iova_offset(m, o) ((dpx_iova_t)((m)->buf_iova + (m)->data_off + (o)))
/** IOVA of the data of @p m. */
#define dpx_pktmbuf_iova(m) dpx_pktmbuf_iova_offset(m, 0)
/** Packet length (head segment). */
#define dpx_pktmbuf_pkt_len(m) ((m)->pkt_len)
/** Data length of one segment. */
#define dpx_pktmbuf_data_len(m) ((m)->data_len)

/**
 * Create a pool of packet buffers.
 * @param name pool name (< DPX_MEMPOOL_NAMESIZE), unique among mempools
 * @param n number of mbufs
 * @param cache_size per-lcore cache (see dpx_mempool_create)
 * @param priv_size application area after each struct dpx_mbuf (a multiple of 8)
 * @param data_room_size data room per mbuf, headroom included
 *   (DPX_MBUF_DEFAULT_BUF_SIZE for 2048-byte frames)
 * @param socket_id NUMA node, or DPX_SOCKET_ID_ANY
 * @return the pool, or NULL with dpx_errno set to EINVAL (priv_size not a
 *   multiple of 8, or an error of dpx_mempool_create), EEXIST, ENOMEM.
 */
struct dpx_mempool *dpx_pktmbuf_pool_create(const char *name, unsigned int n,
					    unsigned int cache_size, uint16_t priv_size,
					    uint16_t data_room_size, int socket_id);

/** @return the data room size of a pktmbuf pool's mbufs. */
uint16_t dpx_pktmbuf_data_room_size(struct dpx_mempool *mp);

/** @return the private area size of a pktmbuf pool's mbufs. */
uint16_t dpx_pktmbuf_priv_size(struct dpx_mempool *mp);

/**
 * Allocate one mbuf, reset: one segment, no data, headroom of
 * min(DPX_PKTMBUF_HEADROOM, buf_len), refcnt 1, no offload flags.
 * @return the mbuf, or NULL when the pool is empty for this thread
 *   (dpx_errno = ENOENT).
 */
struct dpx_mbuf *dpx_pktmbuf_alloc(struct dpx_mempool *mp);

/**
 * Allocate @p n reset mbufs: all or none.
 * @return 0, or -ENOENT when fewer than n are available (nothing taken).
 */
int dpx_pktmbuf_alloc_bulk(struct dpx_mempool *mp, struct dpx_mbuf **mbufs, unsigned int n);

/**
 * Free a packet: drop one reference on every segment of the chain; a segment
 * whose last reference goes returns to its pool. NULL is ignored.
 */
void dpx_pktmbuf_free(struct dpx_mbuf *m);

/** Free @p n packets (each like dpx_pktmbuf_free); NULL entries are ignored. */
void dpx_pktmbuf_free_bulk(struct dpx_mbuf **mbufs, unsigned int n);

/**
 * Drop one reference on one segment (not its chain).
 * @return the segment when this was its last reference (it is then reset to
 *   one unchained segment with refcnt 1, ready for dpx_mempool_put), or NULL
 *   when other references remain.
 */
struct dpx_mbuf *dpx_pktmbuf_prefree_seg(struct dpx_mbuf *m);

/**
 * Return one segment to its pool whatever its refcnt and chain. For drivers
 * that own the segment outright.
 */
void dpx_mbuf_raw_free(struct dpx_mbuf *m);

/**
 * Reset a segment's packet fields: no data, headroom of
 * min(DPX_PKTMBUF_HEADROOM, buf_len), one segment, no next, no offload
 * flags, port invalid. refcnt is left as is.
 */
void dpx_pktmbuf_reset(struct dpx_mbuf *m);

/**
 * Print a packet: each segment's addresses, lengths and flags, and up to
 * @p dump_len bytes of data in hex.
 */
void dpx_pktmbuf_dump(FILE *f, const struct dpx_mbuf *m, unsigned int dump_len);

/**
 * Read @p len bytes at offset @p off of a packet, across segments.
 * @param buf where to copy the bytes when they span segments (len bytes)
 * @return a pointer to the bytes: into the mbuf when they lie in one
 *   segment, else @p buf; NULL when off + len exceeds pkt_len.
 */
const void *dpx_pktmbuf_read(const struct dpx_mbuf *m, uint32_t off, uint32_t len, void *buf);

/**
 * Check a segment's (or, with is_header, a packet's) invariants: pool set,
 * refcnt >= 1, data inside the data room, and for a head: nb_segs and pkt_len
 * equal to what the chain holds.
 * @param reason if not NULL, receives a static description of the first
 *   violation
 * @return 0, or -EINVAL when an invariant is broken.
 */
int dpx_mbuf_check(const struct dpx_mbuf *m, int is_header, const char **reason);

/** @return the reference count of a segment. */
static inline uint16_t
dpx_mbuf_refcnt_read(const struct dpx_mbuf *m)
{
	return __atomic_load_n(&m->refcnt, __ATOMIC_RELAXED);
}

/** Set the reference count of a segment (no other owner may exist meanwhile). */
static inline void
dpx_mbuf_refcnt_set(struct dpx_mbuf *m, uint16_t v)
{
	__atomic_store_n(&m->refcnt, v, __ATOMIC_RELAXED);
}

/**
 * Add @p v (may be negative) to a segment's reference count, atomically.
 * The addition is ACQ_REL: the owner that brings the count to 0 (see
 * dpx_pktmbuf_prefree_seg) sees every write the other owners made before they
 * dropped their references.
 * @return the new count.
 */
static inline uint16_t
dpx_mbuf_refcnt_update(struct dpx_mbuf *m, int16_t v)
{
	return __atomic_add_fetch(&m->refcnt, (uint16_t)v, __ATOMIC_ACQ_REL);
}

/** @return the bytes before the data of segment @p m. */
static inline uint16_t
dpx_pktmbuf_headroom(const struct dpx_mbuf *m)
{
	return m->data_off;
}

/** @return the bytes after the data of segment @p m. */
static inline uint16_t
dpx_pktmbuf_tailroom(const struct dpx_mbuf *m)
{
	return (uint16_t)(m->buf_len - m->data_off - m->data_len);
}

/** @return the last segment of a chain. */
static inline struct dpx_mbuf *
dpx_pktmbuf_lastseg(struct dpx_mbuf *m)
{
	while (m->next != NULL)
		m = m->next;
	return m;
}

/** @return 1 when the packet is one segment. */
static inline int
dpx_pktmbuf_is_contiguous(const struct dpx_mbuf *m)
{
	return m->nb_segs == 1;
}

/**
 * Add @p len bytes at the end of the packet (in its last segment's tailroom).
 * @return the first added byte, or NULL (nothing changed) when the last
 *   segment's tailroom is less than len.
 */
static inline char *
dpx_pktmbuf_append(struct dpx_mbuf *m, uint16_t len)
{
	struct dpx_mbuf *last = dpx_pktmbuf_lastseg(m);
	char *tail;

	if (len > dpx_pktmbuf_tailroom(last))
		return NULL;
	tail = (char *)last->buf_addr + last->data_off + last->data_len;
	last->data_len = (uint16_t)(last->data_len + len);
	m->pkt_len += len;
	return tail;
}

/**
 * Add @p len bytes at the front of the packet (in the first segment's headroom).
 * @return the new first byte, or NULL (nothing changed) when the headroom is
 *   less than len.
 */
static inline char *
dpx_pktmbuf_prepend(struct dpx_mbuf *m, uint16_t len)
{
	if (len > dpx_pktmbuf_headroom(m))
		return NULL;
	m->data_off = (uint16_t)(m->data_off - len);
	m->data_len = (uint16_t)(m->data_len + len);
	m->pkt_len += len;
	return (char *)m->buf_addr + m->data_off;
}

/**
 * Remove @p len bytes from the front of the packet (first segment only).
 * @return the new first byte, or NULL (nothing changed) when the first
 *   segment holds less than len bytes.
 */
static inline char *
dpx_pktmbuf_adj(struct dpx_mbuf *m, uint16_t len)
{
	if (len > m->data_len)
		return NULL;
	m->data_off = (uint16_t)(m->data_off + len);
	m->data_len = (uint16_t)(m->data_len - len);
	m->pkt_len -= len;
	return (char *)m->buf_addr + m->data_off;
}

/**
 * Remove @p len bytes from the end of the packet (last segment only).
 * @return 0, or -EINVAL (nothing changed) when the last segment holds less
 *   than len bytes.
 */
static inline int
dpx_pktmbuf_trim(struct dpx_mbuf *m, uint16_t len)
{
	struct dpx_mbuf *last = dpx_pktmbuf_lastseg(m);

	if (len > last->data_len)
		return -EINVAL;
	last->data_len = (uint16_t)(last->data_len - len);
	m->pkt_len -= len;
	return 0;
}

/**
 * Append the packet @p tail to the packet @p head. tail stops being a packet
 * head (its pkt_len and nb_segs become those of a plain segment).
 * @return 0, or -EOVERFLOW (nothing changed) when the chain would exceed
 *   DPX_MBUF_MAX_NB_SEGS segments or UINT32_MAX bytes.
 */
int dpx_pktmbuf_chain(struct dpx_mbuf *head, struct dpx_mbuf *tail);

#endif /* DPX_MBUF_H */
