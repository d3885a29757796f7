/* SPDX-License-Identifier: BSD-3-Clause */
/* The vhost-user message rule table and its validator (no I/O). */
#include <errno.h>
#include <stddef.h>

#include "vhost_msg.h"

#define U64 sizeof(uint64_t)
#define STATE sizeof(struct vhost_user_vring_state)

#define RULE(req, sz_rule, sz, fdr, fmin, fmax, rep, rsz) \
	[VHOST_USER_##req] = {#req,                       \
			      VHOST_MSG_SIZE_##sz_rule,   \
			      VHOST_MSG_FDS_##fdr,        \
			      fmin,                       \
			      fmax,                       \
			      VHOST_MSG_REPLY_##rep,      \
			      sz,                         \
			      rsz}

/*
 * vhost-user.rst "Front-end message types". Getters always answer; every
 * other request answers only with REPLY_ACK's NEED_REPLY flag. SET_LOG_BASE
 * is the exception the spec makes: with LOG_SHMFD it is answered (by a
 * zero-size payload) so the front-end knows the log is mapped.
 */
static const struct vhost_msg_rule rules[VHOST_USER_MAX] = {
	RULE(GET_FEATURES, NONE, 0, FIXED, 0, 0, ALWAYS, U64),
	RULE(SET_FEATURES, EXACT, U64, FIXED, 0, 0, ACK, 0),
	RULE(SET_OWNER, NONE, 0, FIXED, 0, 0, ACK, 0),
	RULE(RESET_OWNER, NONE, 0, FIXED, 0, 0, ACK, 0),
	RULE(SET_MEM_TABLE, MEMTABLE, 0, REGIONS, 1, VHOST_MEMORY_BASELINE_NREGIONS, ACK, 0),
	RULE(SET_LOG_BASE, EXACT, sizeof(struct vhost_user_log), FIXED, 1, 1, ALWAYS, 0),
	RULE(SET_LOG_FD, NONE, 0, FIXED, 1, 1, ACK, 0),
	RULE(SET_VRING_NUM, EXACT, STATE, FIXED, 0, 0, ACK, 0),
	RULE(SET_VRING_ADDR, EXACT, sizeof(struct vhost_user_vring_addr), FIXED, 0, 0, ACK, 0),
	RULE(SET_VRING_BASE, EXACT, STATE, FIXED, 0, 0, ACK, 0),
	RULE(GET_VRING_BASE, EXACT, STATE, FIXED, 0, 0, ALWAYS, STATE),
	RULE(SET_VRING_KICK, EXACT, U64, NOFD, 0, 1, ACK, 0),
	RULE(SET_VRING_CALL, EXACT, U64, NOFD, 0, 1, ACK, 0),
	RULE(SET_VRING_ERR, EXACT, U64, NOFD, 0, 1, ACK, 0),
	RULE(GET_PROTOCOL_FEATURES, NONE, 0, FIXED, 0, 0, ALWAYS, U64),
	RULE(SET_PROTOCOL_FEATURES, EXACT, U64, FIXED, 0, 0, ACK, 0),
	RULE(GET_QUEUE_NUM, NONE, 0, FIXED, 0, 0, ALWAYS, U64),
	RULE(SET_VRING_ENABLE, EXACT, STATE, FIXED, 0, 0, ACK, 0),
	RULE(SEND_RARP, EXACT, U64, FIXED, 0, 0, ACK, 0),
	RULE(NET_SET_MTU, EXACT, U64, FIXED, 0, 0, ACK, 0),
	RULE(GET_MAX_MEM_SLOTS, NONE, 0, FIXED, 0, 0, ALWAYS, U64),
	RULE(ADD_MEM_REG, EXACT, sizeof(struct vhost_user_mem_single), FIXED, 1, 1, ACK, 0),
	/* QEMU sends no fd with REM_MEM_REG; older front-ends sent one: allowed, closed */
	RULE(REM_MEM_REG, EXACT, sizeof(struct vhost_user_mem_single), FIXED, 0, 1, ACK, 0),
	RULE(SET_STATUS, EXACT, U64, FIXED, 0, 0, ACK, 0),
	RULE(GET_STATUS, NONE, 0, FIXED, 0, 0, ALWAYS, U64),
};

const struct vhost_msg_rule *
vhost_msg_rule_get(uint32_t request)
{
	if (request >= VHOST_USER_MAX || rules[request].name == NULL)
		return NULL;
	return &rules[request];
}

const char *
vhost_msg_name(uint32_t request)
{
	const struct vhost_msg_rule *r = vhost_msg_rule_get(request);

	return r != NULL ? r->name : "UNKNOWN";
}

int
vhost_msg_check_header(const struct vhost_user_hdr *hdr, const char **why)
{
	if (vhost_msg_rule_get(hdr->request) == NULL) {
		*why = "request not supported";
		return -ENOTSUP;
	}
	if ((hdr->flags & VHOST_USER_VERSION_MASK) != VHOST_USER_VERSION) {
		*why = "bad version in flags";
		return -EPROTO;
	}
	if (hdr->flags & VHOST_USER_REPLY_MASK) {
		*why = "reply flag set on a request";
		return -EPROTO;
	}
	if (hdr->size > VHOST_MSG_MAX_PAYLOAD) {
		*why = "payload larger than any request";
		return -EMSGSIZE;
	}
	return 0;
}

static int
check_size(const struct vhost_msg_rule *r, const struct vhost_user_msg *msg, const char **why)
{
	uint32_t size = msg->hdr.size;
	uint32_t n;

	switch (r->size_rule) {
	case VHOST_MSG_SIZE_NONE:
		/* some front-ends send a u64 0 with payload-less requests */
		if (size != 0 && size != U64) {
			*why = "payload on a request that has none";
			return -EBADMSG;
		}
		return 0;
	case VHOST_MSG_SIZE_EXACT:
		if (size != r->size) {
			*why = "payload size differs from the request's";
			return -EBADMSG;
		}
		return 0;
	default:
		if (size < offsetof(struct vhost_user_mem_table, regions)) {
			*why = "memory table shorter than its header";
			return -EBADMSG;
		}
		n = msg->payload.mem.nregions;
		if (n == 0 || n > VHOST_MEMORY_BASELINE_NREGIONS) {
			*why = "memory table region count not in 1..8";
			return -E2BIG;
		}
		if (size != offsetof(struct vhost_user_mem_table, regions) +
				    n * sizeof(struct vhost_user_mem_region)) {
			*why = "memory table size does not match its region count";
			return -EBADMSG;
		}
		return 0;
	}
}

static int
check_fds(const struct vhost_msg_rule *r, const struct vhost_user_msg *msg, const char **why)
{
	unsigned int lo = r->fds_min, hi = r->fds_max;

	if (r->fd_rule == VHOST_MSG_FDS_NOFD) {
		lo = hi = (msg->payload.u64 & VHOST_USER_VRING_NOFD_MASK) ? 0 : 1;
	} else if (r->fd_rule == VHOST_MSG_FDS_REGIONS) {
		lo = hi = msg->payload.mem.nregions;
	}
	if (msg->nfds < lo || msg->nfds > hi) {
		*why = "wrong number of fds";
		return -EBADF;
	}
	return 0;
}

int
vhost_msg_validate(const struct vhost_user_msg *msg, const char **why)
{
	const struct vhost_msg_rule *r;
	int rc;

	rc = vhost_msg_check_header(&msg->hdr, why);
	if (rc < 0)
		return rc;
	r = vhost_msg_rule_get(msg->hdr.request);
	rc = check_size(r, msg, why);
	if (rc < 0)
		return rc;
	return check_fds(r, msg, why);
}
