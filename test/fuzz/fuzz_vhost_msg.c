/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: the vhost-user message validator, and for memory
 * messages the memory table checks and translator that consume them.
 * Input: 1 byte fd count, then the bytes a socket would deliver (header and
 * payload).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vhost_mem.h"
#include "vhost_msg.h"

static struct vhost_mem mem;

static void
feed_region(const struct vhost_user_mem_region *r)
{
	struct vhost_mem_region n = {r->guest_phys_addr, r->memory_size, r->userspace_addr,
				     0x100000000000ULL,	 NULL,		 0};
	const char *why;
	unsigned int hint = 0;
	uint64_t len = 64;
	int idx;

	if (vhost_mem_check_new(&mem, r->guest_phys_addr, r->memory_size, r->userspace_addr,
				r->mmap_offset, &why) == 0) {
		vhost_mem_insert(&mem, &n);
	} else {
		idx = vhost_mem_find(&mem, r->guest_phys_addr, r->memory_size, r->userspace_addr);
		if (idx >= 0)
			vhost_mem_remove(&mem, (unsigned int)idx, &n);
	}
	/* translation never leaves the region holding the address */
	uint8_t *p = vhost_mem_gpa_to_hva(&mem, r->guest_phys_addr + 1, &len, &hint);
	if (p != NULL && (len == 0 || len > 64))
		abort();
	(void)vhost_mem_uva_to_hva(&mem, r->userspace_addr, 16);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vhost_user_msg msg;
	const char *why = NULL;
	size_t body;
	unsigned int i;

	if (size < 1 + sizeof(msg.hdr))
		return 0;
	memset(&msg, 0, sizeof(msg));
	msg.nfds = data[0] % (VHOST_USER_MAX_FDS + 1);
	memcpy(&msg.hdr, data + 1, sizeof(msg.hdr));
	body = size - 1 - sizeof(msg.hdr);
	if (vhost_msg_check_header(&msg.hdr, &why) < 0) {
		if (why == NULL)
			abort();
		return 0;
	}
	/* the socket layer reads exactly hdr.size bytes (checked <= max) */
	if (body < msg.hdr.size)
		return 0;
	memcpy(&msg.payload, data + 1 + sizeof(msg.hdr), msg.hdr.size);
	if (vhost_msg_validate(&msg, &why) < 0) {
		if (why == NULL)
			abort();
		return 0;
	}
	if (msg.hdr.request == VHOST_USER_SET_MEM_TABLE) {
		if (msg.payload.mem.nregions > VHOST_MEMORY_BASELINE_NREGIONS)
			abort();
		mem.n = 0;
		for (i = 0; i < msg.payload.mem.nregions; i++)
			feed_region(&msg.payload.mem.regions[i]);
	} else if (msg.hdr.request == VHOST_USER_ADD_MEM_REG ||
		   msg.hdr.request == VHOST_USER_REM_MEM_REG) {
		feed_region(&msg.payload.mem_reg.region);
	}
	for (i = 1; i < mem.n; i++)
		if (mem.regions[i - 1].gpa + mem.regions[i - 1].size > mem.regions[i].gpa)
			abort(); /* sorted, no overlap */
	return 0;
}
