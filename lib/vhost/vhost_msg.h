/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vhost-user messages (QEMU docs/interop/vhost-user.rst): wire layout and the
 * rule table that says, for each request, how big its payload may be, how
 * many fds it may carry and whether it is answered. Pure: no I/O here, the
 * socket layer and the fuzzer both call vhost_msg_validate().
 */
#ifndef VHOST_MSG_H
#define VHOST_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum vhost_user_request {
	VHOST_USER_NONE = 0,
	VHOST_USER_GET_FEATURES = 1,
	VHOST_USER_SET_FEATURES = 2,
	VHOST_USER_SET_OWNER = 3,
	VHOST_USER_RESET_OWNER = 4,
	VHOST_USER_SET_MEM_TABLE = 5,
	VHOST_USER_SET_LOG_BASE = 6,
	VHOST_USER_SET_LOG_FD = 7,
	VHOST_USER_SET_VRING_NUM = 8,
	VHOST_USER_SET_VRING_ADDR = 9,
	VHOST_USER_SET_VRING_BASE = 10,
	VHOST_USER_GET_VRING_BASE = 11,
	VHOST_USER_SET_VRING_KICK = 12,
	VHOST_USER_SET_VRING_CALL = 13,
	VHOST_USER_SET_VRING_ERR = 14,
	VHOST_USER_GET_PROTOCOL_FEATURES = 15,
	VHOST_USER_SET_PROTOCOL_FEATURES = 16,
	VHOST_USER_GET_QUEUE_NUM = 17,
	VHOST_USER_SET_VRING_ENABLE = 18,
	VHOST_USER_SEND_RARP = 19,
	VHOST_USER_NET_SET_MTU = 20,
	VHOST_USER_GET_MAX_MEM_SLOTS = 36,
	VHOST_USER_ADD_MEM_REG = 37,
	VHOST_USER_REM_MEM_REG = 38,
	VHOST_USER_SET_STATUS = 39,
	VHOST_USER_GET_STATUS = 40,
	VHOST_USER_MAX = 41,
};

/* protocol feature bits */
#define VHOST_USER_PROTOCOL_F_MQ 0
#define VHOST_USER_PROTOCOL_F_LOG_SHMFD 1
#define VHOST_USER_PROTOCOL_F_RARP 2
#define VHOST_USER_PROTOCOL_F_REPLY_ACK 3
#define VHOST_USER_PROTOCOL_F_MTU 4
#define VHOST_USER_PROTOCOL_F_CONFIGURE_MEM_SLOTS 15
#define VHOST_USER_PROTOCOL_F_STATUS 16

/* header flags */
#define VHOST_USER_VERSION_MASK 0x3u
#define VHOST_USER_VERSION 0x1u
#define VHOST_USER_REPLY_MASK (1u << 2)
#define VHOST_USER_NEED_REPLY_MASK (1u << 3)

/* SET_VRING_KICK/CALL/ERR u64: bits 0-7 queue index, bit 8 "no fd" */
#define VHOST_USER_VRING_IDX_MASK 0xffu
#define VHOST_USER_VRING_NOFD_MASK (1u << 8)

/* SET_MEM_TABLE carries at most this many regions (and fds) */
#define VHOST_MEMORY_BASELINE_NREGIONS 8
#define VHOST_USER_MAX_FDS VHOST_MEMORY_BASELINE_NREGIONS

struct vhost_user_hdr {
	uint32_t request;
	uint32_t flags;
	uint32_t size;
} __attribute__((packed));

struct vhost_user_vring_state {
	uint32_t index;
	uint32_t num;
};

struct vhost_user_vring_addr {
	uint32_t index;
	uint32_t flags; /* bit 0: VHOST_VRING_F_LOG */
	uint64_t desc_user_addr;
	uint64_t used_user_addr;
	uint64_t avail_user_addr;
	uint64_t log_guest_addr;
};
#define VHOST_VRING_F_LOG 1u

struct vhost_user_mem_region {
	uint64_t guest_phys_addr;
	uint64_t memory_size;
	uint64_t userspace_addr;
	uint64_t mmap_offset;
};

struct vhost_user_mem_table {
	uint32_t nregions;
	uint32_t padding;
	struct vhost_user_mem_region regions[VHOST_MEMORY_BASELINE_NREGIONS];
};

struct vhost_user_mem_single {
	uint64_t padding;
	struct vhost_user_mem_region region;
};

struct vhost_user_log {
	uint64_t mmap_size;
	uint64_t mmap_offset;
};

union vhost_user_payload {
	uint64_t u64;
	struct vhost_user_vring_state state;
	struct vhost_user_vring_addr addr;
	struct vhost_user_mem_table mem;
	struct vhost_user_mem_single mem_reg;
	struct vhost_user_log log;
};

/* One received (or to be sent) message: header, payload and fds. */
struct vhost_user_msg {
	struct vhost_user_hdr hdr;
	union vhost_user_payload payload;
	int fds[VHOST_USER_MAX_FDS];
	unsigned int nfds;
};

enum vhost_msg_size_rule {
	VHOST_MSG_SIZE_NONE,	 /* no payload */
	VHOST_MSG_SIZE_EXACT,	 /* exactly .size bytes */
	VHOST_MSG_SIZE_MEMTABLE, /* 8 + nregions * 32, nregions 1..8 */
};

enum vhost_msg_fd_rule {
	VHOST_MSG_FDS_FIXED,   /* fds_min..fds_max */
	VHOST_MSG_FDS_NOFD,    /* one fd unless the u64 payload has the NOFD bit */
	VHOST_MSG_FDS_REGIONS, /* one per region of the memory table */
};

enum vhost_msg_reply_rule {
	VHOST_MSG_REPLY_ACK,	/* answered only when NEED_REPLY is set (REPLY_ACK) */
	VHOST_MSG_REPLY_ALWAYS, /* a get: always answered with its own payload */
};

/* What the spec says about one request. */
struct vhost_msg_rule {
	const char *name;
	uint8_t size_rule; /* enum vhost_msg_size_rule */
	uint8_t fd_rule;   /* enum vhost_msg_fd_rule */
	uint8_t fds_min;
	uint8_t fds_max;
	uint8_t reply;	     /* enum vhost_msg_reply_rule */
	uint16_t size;	     /* payload bytes for VHOST_MSG_SIZE_EXACT */
	uint16_t reply_size; /* payload bytes of the answer for REPLY_ALWAYS */
};

/* @return the rule of a request, or NULL when dpx does not handle it. */
const struct vhost_msg_rule *vhost_msg_rule_get(uint32_t request);

/* @return the request's name ("SET_MEM_TABLE") or "UNKNOWN". */
const char *vhost_msg_name(uint32_t request);

/* Largest payload any handled request may have. */
#define VHOST_MSG_MAX_PAYLOAD sizeof(union vhost_user_payload)

/*
 * Check a header (before its payload is read): known request, version bits,
 * size within the largest payload.
 * @return 0, or -ENOTSUP (request not handled), -EPROTO (version, reply bit),
 *   -EMSGSIZE (size above VHOST_MSG_MAX_PAYLOAD). *why gets a static reason.
 */
int vhost_msg_check_header(const struct vhost_user_hdr *hdr, const char **why);

/*
 * Check a whole message against its rule: payload size and fd count.
 * @return 0, or the header errors, -EBADMSG (payload size wrong),
 *   -EBADF (fd count wrong), -E2BIG (memory table with more than 8 regions
 *   or none). *why gets a static reason.
 */
int vhost_msg_validate(const struct vhost_user_msg *msg, const char **why);

#endif /* VHOST_MSG_H */
