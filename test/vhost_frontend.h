/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * An in-process vhost-user front-end for tests: it plays QEMU (socket,
 * negotiation, memory table in a memfd) and the guest's virtio-net driver
 * (split and packed rings, indirect tables, mergeable receive buffers, event
 * idx). Raw sends let tests feed malformed messages.
 */
#ifndef VHOST_FRONTEND_H
#define VHOST_FRONTEND_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#include <dpx_mempool.h>
#include <dpx_vhost.h>

#include "vhost_msg.h"
#include "virtio_defs.h"

#define VFE_MAX_QUEUES 4
#define VFE_MAX_REGIONS 8
#define VFE_MAX_IND 8
#define VFE_MAX_RING 1024

struct vfe_region {
	uint64_t gpa;
	uint64_t size;
	uint64_t offset; /* in the memfd */
	bool present;
};

struct vfe_queue {
	bool setup;
	bool packed;
	bool indirect;	/* post chains through indirect tables */
	bool no_enable; /* vfe_queue_setup leaves the ring disabled (no SET_VRING_ENABLE) */
	uint16_t size;
	uint32_t buflen;			/* data bytes behind each descriptor */
	uint64_t desc_gpa, avail_gpa, used_gpa; /* packed: ring, driver event, device event */
	uint64_t data_gpa;			/* size * VFE_MAX_IND data areas of buflen */
	uint64_t ind_gpa;			/* size indirect tables of VFE_MAX_IND entries */
	/* split driver state */
	uint16_t avail_idx;
	uint16_t used_idx;
	uint16_t free_head;
	uint16_t nfree;
	/* packed driver state */
	uint16_t next_avail;
	bool avail_wrap;
	uint16_t next_used;
	bool used_wrap;
	struct vfe_chain {
		uint16_t n;		    /* buffers */
		uint16_t ndesc;		    /* ring slots taken */
		uint16_t desc[VFE_MAX_IND]; /* split: descriptor indexes to free */
		uint64_t gpa[VFE_MAX_IND];
		uint32_t len[VFE_MAX_IND];
	} chains[VFE_MAX_RING]; /* by buffer id (split: head index) */
	int kickfd;
	int callfd;
	uint32_t outstanding;
	/* receive: drop used buffers shorter than a header and an Ethernet
	 * header, counting them, as Linux 6.1's virtio_net does */
	bool drop_short;
	uint64_t rx_length_errors;
};

struct vfe {
	int sock;
	/* >0: vfe_send_raw sends every message in pieces of this many bytes, one
	 * sendmsg each, its fds with the last piece (fds_last) or the first */
	unsigned int chunk;
	bool fds_last;
	bool budgeted; /* vfe_send_raw sends at most budget more bytes (then -EPIPE) */
	size_t budget;
	int memfd;
	uint8_t *mem;
	uint64_t mem_size;
	uint64_t bump; /* next free gpa in region 0 for rings */
	uint64_t features;
	uint64_t pfeatures;
	unsigned int nregions;
	struct vfe_region regions[VFE_MAX_REGIONS];
	uint64_t data_base; /* gpa where queue data areas start */
	/* negotiate VIRTIO_F_IN_ORDER when offered; its driver model reads
	 * every used descriptor, so only raw-ring cases ask for it */
	bool in_order;
	struct vfe_queue q[VFE_MAX_QUEUES];
};

/* Guest memory: a memfd of mem_size bytes; region 0 = [0, ring_bytes) at gpa 0. */
int vfe_init(struct vfe *fe, uint64_t mem_size);
void vfe_fini(struct vfe *fe);
/* Describe region i (gpa, size, memfd offset); not sent until vfe_set_mem_table / vfe_add_region.
 */
void vfe_region_set(struct vfe *fe, unsigned int i, uint64_t gpa, uint64_t size, uint64_t offset);
/* Frontend pointer of a guest-physical address (NULL outside the known regions). */
void *vfe_ptr(struct vfe *fe, uint64_t gpa);

int vfe_connect(struct vfe *fe, const char *path);
/* For client-mode backends: listen on path; vfe_accept waits (ms) for the backend. */
int vfe_listen(const char *path);
/* Connect and have a GET_FEATURES answered, connecting again (100 times,
 * 10 ms apart) while the back-end refuses: it has not yet seen a connection
 * that went free its place under the path's cap. @return 0 or -errno. */
int vfe_connect_served(struct vfe *fe, const char *path);
int vfe_accept(struct vfe *fe, int lfd, int timeout_ms);
void vfe_disconnect(struct vfe *fe);

/* Send len bytes in one sendmsg, with nfds fds attached (SCM_RIGHTS), never
 * raising SIGPIPE; flags adds to MSG_NOSIGNAL. @return 0, -errno, -EIO (short). */
static inline int
vfe_sendmsg_fds(int sock, const void *buf, size_t len, const int *fds, unsigned int nfds, int flags)
{
	char control[CMSG_SPACE(sizeof(int) * 16)];
	struct iovec iov = {.iov_base = (void *)(uintptr_t)buf, .iov_len = len};
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
	struct cmsghdr *c;
	ssize_t r;

	if (nfds > 16)
		return -EINVAL;
	if (nfds > 0) {
		memset(control, 0, sizeof(control));
		mh.msg_control = control;
		mh.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
		memcpy(CMSG_DATA(c), fds, sizeof(int) * nfds);
	}
	r = sendmsg(sock, &mh, MSG_NOSIGNAL | flags);
	if (r < 0)
		return -errno;
	return r == (ssize_t)len ? 0 : -EIO;
}

/* Raw message I/O. vfe_send_raw sends bytes as given, with fds. */
int vfe_send_raw(struct vfe *fe, const void *buf, size_t len, const int *fds, unsigned int nfds);
int vfe_send(struct vfe *fe, uint32_t req, uint32_t flags, const void *payload, uint32_t size,
	     const int *fds, unsigned int nfds);
/* Receive one reply (waits up to 2 s). @return payload size or -errno. */
int vfe_recv(struct vfe *fe, struct vhost_user_hdr *hdr, void *payload, size_t cap);
/* Send, and when the request answers (a get) or REPLY_ACK is on, read the answer.
 * @return 0, reply u64 via *u64 when non-NULL; -EIO on a nack; -errno. */
int vfe_request(struct vfe *fe, uint32_t req, const void *payload, uint32_t size, const int *fds,
		unsigned int nfds, uint64_t *u64);
/* Wait until the backend closes the connection. @return 0 or -ETIMEDOUT. */
int vfe_wait_closed(struct vfe *fe, int timeout_ms);

/* Negotiation: features & offered, all offered protocol features. */
int vfe_negotiate(struct vfe *fe, uint64_t want_features);
int vfe_set_mem_table(struct vfe *fe);		    /* every present region */
int vfe_add_region(struct vfe *fe, unsigned int i); /* ADD_MEM_REG */
int vfe_rem_region(struct vfe *fe, unsigned int i); /* REM_MEM_REG */
/* Lay out and send one vring (NUM, ADDR, BASE, KICK, CALL, ENABLE). */
int vfe_queue_setup(struct vfe *fe, unsigned int qi, uint16_t size, uint32_t buflen, bool indirect);
int vfe_driver_ok(struct vfe *fe);

/* Driver side, receive queue: post n chains of nseg buffers each. @return posted. */
unsigned int vfe_rx_post(struct vfe *fe, unsigned int qi, unsigned int n, unsigned int nseg);
/* Take one received packet (merging num_buffers used buffers).
 * @return its length (copied into out, up to cap), 0 if none, -errno on a bad ring state. */
int vfe_rx_take(struct vfe *fe, unsigned int qi, uint8_t *out, size_t cap);
/* Driver side, transmit queue: post one packet (a zero virtio-net header first)
 * split over nseg descriptors. @return 0, -ENOSPC (ring full). */
int vfe_tx_post(struct vfe *fe, unsigned int qi, const uint8_t *pkt, uint32_t len,
		unsigned int nseg);
/* Post one chain of one buffer of len bytes at gpa (anywhere in guest memory),
 * for the receive queue, or with a zero header and pkt for the transmit queue.
 * @return 0, -ENOSPC (ring full), -EFAULT (gpa outside the regions). */
int vfe_rx_post_at(struct vfe *fe, unsigned int qi, uint64_t gpa, uint32_t len);
int vfe_tx_post_at(struct vfe *fe, unsigned int qi, uint64_t gpa, const uint8_t *pkt, uint32_t len);
/* Reclaim used transmit buffers. @return how many. */
unsigned int vfe_tx_reclaim(struct vfe *fe, unsigned int qi);
/* Set the event-idx threshold (split: used_event; packed: off_wrap + DESC). */
void vfe_set_used_event(struct vfe *fe, unsigned int qi, uint16_t idx);
/* Ask for no interrupts (packed: DISABLE; split with event idx: an event far away). */
void vfe_no_interrupts(struct vfe *fe, unsigned int qi);
/* Number of calls the backend made on this queue since last asked. */
uint64_t vfe_calls(struct vfe *fe, unsigned int qi);

/* Raw descriptor access for malformed-ring tests (split layout). */
struct vring_desc *vfe_split_desc(struct vfe *fe, unsigned int qi);
void vfe_split_publish(struct vfe *fe, unsigned int qi, uint16_t head);

struct dpx_mbuf;
struct dpx_mempool;

/* A packet of len bytes (at least one mbuf, so len 0 is one empty mbuf) in a
 * chain of mbufs of at most seg bytes each, byte k being pattern(seed, k).
 * @return its head or NULL (pool empty: what was taken is given back). */
struct dpx_mbuf *vfe_mbuf_chain(struct dpx_mempool *mp, uint32_t len, uint32_t seg,
				unsigned int seed, uint8_t (*pattern)(unsigned int, uint32_t));

/* The perf cases' device: a server path (vfe_server_start), a front-end with
 * mem_size bytes of guest memory in nregions equal regions, pair 0 of rings
 * of 256 buffers of 2048 bytes, interrupts off, running; *vid set.
 * @return DPX_TEST_*. */
int vfe_perf_up(struct vfe *fe, const char *path, uint64_t mem_size, unsigned int nregions,
		uint64_t want, int *vid);

/* ---- harness shared by the vhost test files: a server path whose callbacks
 * count into vfe_ev, and the steps every case starts and ends with ---- */

/* Guest memory of a session's front-end. */
#define VFE_SESSION_MEM_SIZE (48ULL << 20)

struct vfe_events {
	int new_calls;
	int destroy_calls;
	int state_calls;
	int feature_calls;
	int regions_added;
	int regions_removed;
	int vid; /* of the last new_device */
};

extern struct vfe_events vfe_ev;
/* Callbacks counting into vfe_ev (new_device accepts every device). */
extern const struct dpx_vhost_device_ops vfe_ops;

/* Wait (bounded, a guard not a timing assertion) until *v >= want. @return 1 or 0. */
int vfe_wait_count(int *v, int want);
/* Send the log to a temporary file; vfe_log_has looks for s in it (and prints
 * the log when it is not there); vfe_log_release gives the log back. The log
 * is shared with the vhost thread: tests look, they do not parse. */
void vfe_log_capture(void);
int vfe_log_has(const char *s);
/* How many lines of the log so far hold s. */
int vfe_log_count(const char *s);
/* vfe_log_has, waiting (a 10 s guard) for another thread to log s. */
int vfe_log_wait(const char *s);
void vfe_log_release(void);
/* The start of a hostile-peer case: the EAL (--no-huge), a pool of 256
 * mbufs in *pool, and the fds open now. @return DPX_TEST_*. */
int vfe_case_start(struct dpx_mempool **pool);
/* Wait (a 10 s guard) until the closer thread closed every front-end fd
 * handed to it (files, sockets): only then do fd counts add up. */
void vfe_closes_wait(void);
/* Its end: no fd open that was not at vfe_case_start, every mbuf back in
 * the pool, which is freed. @return DPX_TEST_*. */
int vfe_case_end(struct dpx_mempool *pool);
/* A socket path unique to this process. */
void vfe_sock_path(char *p, size_t len, const char *name);
/* Clear vfe_ev; register, give vfe_ops and start a path. @return DPX_TEST_*. */
int vfe_server_start(const char *path, uint64_t flags);
/* Negotiate, map memory, set up pair 0 and DRIVER_OK; wait for new_device
 * number new_calls. @return DPX_TEST_*. */
int vfe_bring_up(struct vfe *fe, uint64_t want, bool indirect, int new_calls);
/* A server on a fresh path and a front-end connected to it, not negotiated. */
int vfe_session_open(struct vfe *fe, char *path, size_t len, const char *name);
/* The front-end goes: the running device is destroyed, the path unregistered. */
int vfe_session_close(struct vfe *fe, const char *path);

#endif /* VHOST_FRONTEND_H */
