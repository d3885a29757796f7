/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: the descriptor chain walker on a guest-controlled ring.
 * Input: 4 bytes of parameters (ring size, head, flags) then guest memory
 * (descriptor table at gpa 0, buffers and indirect tables anywhere). The
 * memory is two regions; every buffer the walker returns must lie inside one.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vhost_desc.h"

#define RAM 8192

static uint8_t ram[RAM];
static struct vhost_mem mem;
static struct vhost_chain chain;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vhost_mem_region r0 = {0, RAM / 2, 0x1000, (uint64_t)(uintptr_t)ram, NULL, 0};
	struct vhost_mem_region r1 = {RAM / 2 + 512, RAM / 2 - 512,
				      0x9000,	     (uint64_t)(uintptr_t)(ram + RAM / 2 + 512),
				      NULL,	     0};
	struct vhost_ring_view v;
	const char *why = NULL;
	unsigned int hint = 0, i;
	uint64_t total = 0;
	uint16_t ring_size, head;
	bool packed;
	int rc;

	if (size < 4)
		return 0;
	memset(ram, 0, sizeof(ram));
	memcpy(ram, data + 4, size - 4 < RAM ? size - 4 : RAM);
	mem.n = 0;
	vhost_mem_insert(&mem, &r0);
	vhost_mem_insert(&mem, &r1);
	ring_size = (uint16_t)(1u << (data[0] % 9)); /* 1..256: the table fits region 0 */
	head = data[1];
	packed = data[2] & 1;
	v = (struct vhost_ring_view){&mem, ram, ring_size, (data[2] & 2) != 0};
	rc = vhost_chain_walk(&v, head, packed, &hint, &chain, &why);
	if (rc < 0) {
		if (why == NULL)
			abort();
		return 0;
	}
	if (chain.nbufs > VHOST_CHAIN_MAX_BUFS || chain.nread > chain.nbufs || chain.ndesc == 0 ||
	    chain.ndesc > ring_size)
		abort();
	for (i = 0; i < chain.nbufs; i++) {
		uint8_t *b = chain.bufs[i].hva;

		if (b < ram || b + chain.bufs[i].len > ram + RAM)
			abort();
		if (b < ram + RAM / 2 + 512 && b + chain.bufs[i].len > ram + RAM / 2)
			abort(); /* crossed into the hole between the regions */
		total += chain.bufs[i].len;
	}
	if (total != chain.read_len + chain.write_len)
		abort();
	return 0;
}
