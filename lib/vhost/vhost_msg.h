/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vhost-user messages (QEMU docs/interop/vhost-user.rst): the rule table that
 * says, for each request, how big its payload may be, how many fds it may
 * carry and whether it is answered (the wire layout is vhost_user_wire.h). Pure: no I/O here, the
 * socket layer and the fuzzer both call vhost_msg_validate().
 */
#ifndef VHOST_MSG_H
#define VHOST_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vhost_user_wire.h"

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
