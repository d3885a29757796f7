/* SPDX-License-Identifier: BSD-3-Clause */
/* vhost pure units: message rule table, GPA->HVA translator, chain walker,
 * memory fd classification from /proc text. */
#include <errno.h>
#include <stdlib.h>

#include "dpx_test.h"
#include "vhost_desc.h"
#include "vhost_fd.h"
#include "vhost_mem.h"
#include "vhost_msg.h"

static int
expect_msg(uint32_t req, uint32_t flags, uint32_t size, unsigned int nfds, uint64_t u64, int want)
{
	struct vhost_user_msg m = {{req, flags, size}, {0}, {0}, nfds};
	const char *why = "";
	int rc;

	m.payload.u64 = u64;
	rc = vhost_msg_validate(&m, &why);
	DPX_TEST_ASSERT_EQUAL(rc, want, "request %u size %u nfds %u (%s)", req, size, nfds, why);
	return DPX_TEST_SUCCESS;
}

static int
test_vhost_msg_table(void)
{
	const uint32_t V = VHOST_USER_VERSION;
	unsigned int n;

	/* every handled request has a rule, unknown ones none */
	DPX_TEST_ASSERT(vhost_msg_rule_get(VHOST_USER_SET_MEM_TABLE) != NULL, "");
	DPX_TEST_ASSERT(vhost_msg_rule_get(21) == NULL, "BACKEND_REQ_FD not handled");
	DPX_TEST_ASSERT(vhost_msg_rule_get(0) == NULL, "");
	DPX_TEST_ASSERT(vhost_msg_rule_get(1000) == NULL, "");
	DPX_TEST_ASSERT(strcmp(vhost_msg_name(VHOST_USER_ADD_MEM_REG), "ADD_MEM_REG") == 0, "");
	/* good messages */
	DPX_TEST_RUN(expect_msg(VHOST_USER_GET_FEATURES, V, 0, 0, 0, 0));
	DPX_TEST_RUN(expect_msg(VHOST_USER_SET_FEATURES, V, 8, 0, 0, 0));
	DPX_TEST_RUN(expect_msg(VHOST_USER_SET_VRING_KICK, V, 8, 1, 0, 0));
	DPX_TEST_RUN(expect_msg(VHOST_USER_SET_VRING_KICK, V, 8, 0, 0x100, 0));
	DPX_TEST_RUN(expect_msg(VHOST_USER_ADD_MEM_REG, V, 40, 1, 0, 0));
	DPX_TEST_RUN(expect_msg(VHOST_USER_REM_MEM_REG, V, 40, 0, 0, 0));
	DPX_TEST_RUN(expect_msg(VHOST_USER_SET_LOG_BASE, V, 16, 1, 0, 0));
	/* header faults */
	DPX_TEST_RUN(expect_msg(21, V, 0, 0, 0, -ENOTSUP));
	DPX_TEST_RUN(expect_msg(VHOST_USER_GET_FEATURES, 2, 0, 0, 0, -EPROTO));
	DPX_TEST_RUN(
		expect_msg(VHOST_USER_GET_FEATURES, V | VHOST_USER_REPLY_MASK, 0, 0, 0, -EPROTO));
	DPX_TEST_RUN(expect_msg(VHOST_USER_SET_FEATURES, V, 4096, 0, 0, -EMSGSIZE));
	/* size faults: truncated and oversized payloads */
	DPX_TEST_RUN(expect_msg(VHOST_USER_SET_FEATURES, V, 4, 0, 0, -EBADMSG));
	DPX_TEST_RUN(expect_msg(VHOST_USER_SET_VRING_ADDR, V, 32, 0, 0, -EBADMSG));
	DPX_TEST_RUN(expect_msg(VHOST_USER_ADD_MEM_REG, V, 32, 1, 0, -EBADMSG));
	DPX_TEST_RUN(expect_msg(VHOST_USER_GET_FEATURES, V, 4, 0, 0, -EBADMSG));
	/* fd faults */
	DPX_TEST_RUN(expect_msg(VHOST_USER_SET_FEATURES, V, 8, 1, 0, -EBADF));
	DPX_TEST_RUN(expect_msg(VHOST_USER_SET_VRING_KICK, V, 8, 0, 0, -EBADF));
	DPX_TEST_RUN(expect_msg(VHOST_USER_SET_VRING_KICK, V, 8, 1, 0x100, -EBADF));
	DPX_TEST_RUN(expect_msg(VHOST_USER_ADD_MEM_REG, V, 40, 0, 0, -EBADF));
	DPX_TEST_RUN(expect_msg(VHOST_USER_ADD_MEM_REG, V, 40, 2, 0, -EBADF));
	DPX_TEST_RUN(expect_msg(VHOST_USER_SET_LOG_FD, V, 0, 0, 0, -EBADF));
	/* memory table: count 1..8, size matching, one fd per region */
	for (n = 0; n <= 9; n++) {
		int want = (n == 0 || n > 8) ? -E2BIG : 0;

		DPX_TEST_RUN(expect_msg(VHOST_USER_SET_MEM_TABLE, V, 8 + 32 * (n > 8 ? 8 : n),
					n > 8 ? 8 : n, n, want));
	}
	DPX_TEST_RUN(expect_msg(VHOST_USER_SET_MEM_TABLE, V, 8 + 32 * 2, 2, 3, -EBADMSG));
	DPX_TEST_RUN(expect_msg(VHOST_USER_SET_MEM_TABLE, V, 8 + 32 * 2, 1, 2, -EBADF));
	DPX_TEST_RUN(expect_msg(VHOST_USER_SET_MEM_TABLE, V, 4, 0, 1, -EBADMSG));
	return DPX_TEST_SUCCESS;
}

/* ---- translator against a model ---- */

static struct vhost_mem_region
mkregion(uint64_t gpa, uint64_t size, uint64_t uva)
{
	return (struct vhost_mem_region){gpa, size, uva, 0x7f0000000000ULL + gpa, NULL, 0};
}

static int
test_vhost_mem_translate(void)
{
	struct vhost_mem *m = calloc(1, sizeof(*m));
	struct vhost_mem_region r, out;
	const char *why;
	unsigned int hint = 0, i, k;
	uint64_t len;
	void *p;

	DPX_TEST_ASSERT(m != NULL, "");
	/* bounds and overlap checks */
	DPX_TEST_ASSERT_EQUAL(vhost_mem_check_new(m, 0, 0, 0, 0, &why), -EINVAL, "size 0");
	DPX_TEST_ASSERT_EQUAL(vhost_mem_check_new(m, ~0ULL - 10, 100, 0, 0, &why), -EINVAL,
			      "gpa wrap");
	DPX_TEST_ASSERT_EQUAL(vhost_mem_check_new(m, 0, 100, ~0ULL - 10, 0, &why), -EINVAL,
			      "uva wrap");
	DPX_TEST_ASSERT_EQUAL(vhost_mem_check_new(m, 0, 100, 0, ~0ULL - 10, &why), -EINVAL,
			      "offset wrap");
	r = mkregion(0x100000, 0x100000, 0x10000000);
	vhost_mem_insert(m, &r);
	DPX_TEST_ASSERT_EQUAL(vhost_mem_check_new(m, 0x1ff000, 0x2000, 0x20000000, 0, &why),
			      -EEXIST, "gpa overlap");
	DPX_TEST_ASSERT_EQUAL(vhost_mem_check_new(m, 0x80000, 0x80001, 0x20000000, 0, &why),
			      -EEXIST, "gpa overlap below");
	DPX_TEST_ASSERT_EQUAL(vhost_mem_check_new(m, 0x400000, 0x1000, 0x100ff000, 0, &why),
			      -EEXIST, "uva overlap");
	DPX_TEST_ASSERT_EQUAL(vhost_mem_check_new(m, 0x200000, 0x1000, 0x20000000, 0, &why), 0,
			      "adjacent");
	/* a model: 40 regions of 64 KiB every 128 KiB, inserted out of order */
	m->n = 0;
	for (i = 0; i < 40; i++) {
		k = (i * 17) % 40;
		r = mkregion(0x20000ULL * k, 0x10000, 0x40000000ULL + 0x20000ULL * k);
		DPX_TEST_ASSERT_EQUAL(vhost_mem_check_new(m, r.gpa, r.size, r.uva, 0, &why), 0,
				      "%s", why);
		DPX_TEST_ASSERT(vhost_mem_insert(m, &r) >= 0, "");
	}
	for (i = 1; i < m->n; i++)
		DPX_TEST_ASSERT(m->regions[i - 1].gpa < m->regions[i].gpa, "sorted");
	for (uint64_t gpa = 0; gpa < 0x20000ULL * 41; gpa += 0x1234) {
		bool in = (gpa / 0x10000) % 2 == 0 && gpa < 0x20000ULL * 40;

		len = 0x20000;
		p = vhost_mem_gpa_to_hva(m, gpa, &len, &hint);
		DPX_TEST_ASSERT_EQUAL(p != NULL, in, "gpa 0x%" PRIx64, gpa);
		if (in) {
			DPX_TEST_ASSERT_EQUAL((uintptr_t)p, 0x7f0000000000ULL + gpa, "");
			/* clamped at the region end, never past it */
			DPX_TEST_ASSERT_EQUAL(len, 0x10000 - gpa % 0x10000, "");
		}
	}
	/* a range crossing a region end is refused as a whole */
	DPX_TEST_ASSERT(vhost_mem_gpa_to_hva_whole(m, 0xff00, 0x200, &hint) == NULL, "");
	DPX_TEST_ASSERT(vhost_mem_gpa_to_hva_whole(m, 0xfe00, 0x200, &hint) != NULL, "");
	DPX_TEST_ASSERT(vhost_mem_uva_to_hva(m, 0x40000000ULL + 0xff00, 0x200) == NULL, "");
	DPX_TEST_ASSERT(vhost_mem_uva_to_hva(m, 0x40000000ULL + 0x20010, 0x10) ==
				(void *)(uintptr_t)(0x7f0000000000ULL + 0x20010),
			"");
	/* remove one at a time: its addresses stop translating, others keep */
	k = (unsigned int)vhost_mem_find(m, 0x20000 * 5, 0x10000, 0x40000000ULL + 0x20000 * 5);
	DPX_TEST_ASSERT_EQUAL(k, 5, "");
	vhost_mem_remove(m, k, &out);
	DPX_TEST_ASSERT_EQUAL(out.gpa, 0x20000 * 5, "");
	len = 1;
	DPX_TEST_ASSERT(vhost_mem_gpa_to_hva(m, 0x20000 * 5 + 8, &len, &hint) == NULL, "removed");
	len = 1;
	DPX_TEST_ASSERT(vhost_mem_gpa_to_hva(m, 0x20000 * 6 + 8, &len, &hint) != NULL, "neighbour");
	DPX_TEST_ASSERT_EQUAL(vhost_mem_find(m, 1, 2, 3), -ENOENT, "");
	/* slot limit */
	m->n = 0;
	for (i = 0; i < DPX_VHOST_MAX_MEM_SLOTS; i++) {
		r = mkregion(0x1000ULL * i, 0x1000, 0x1000ULL * i);
		vhost_mem_insert(m, &r);
	}
	DPX_TEST_ASSERT_EQUAL(vhost_mem_check_new(m, 1ULL << 40, 0x1000, 1ULL << 40, 0, &why),
			      -ENOSPC, "");
	len = 0x1000;
	hint = 0;
	DPX_TEST_ASSERT(vhost_mem_gpa_to_hva(m, 0x1000ULL * 300 + 4, &len, &hint) != NULL, "");
	DPX_TEST_ASSERT_EQUAL(hint, 300, "last-hit cache updated");
	free(m);
	return DPX_TEST_SUCCESS;
}

/* ---- chain walker on a fake guest ---- */

#define G_SIZE (1 << 16)

struct fake_guest {
	struct vhost_mem *mem;
	uint8_t *ram; /* gpa 0 .. G_SIZE */
};

static int
guest_init(struct fake_guest *g)
{
	struct vhost_mem_region r;

	g->mem = calloc(1, sizeof(*g->mem));
	g->ram = calloc(1, G_SIZE);
	if (g->mem == NULL || g->ram == NULL)
		return -1;
	/* two regions, adjacent in gpa, not in host memory order: splits must be seen */
	r = (struct vhost_mem_region){0,    G_SIZE / 2, 0x1000000, (uint64_t)(uintptr_t)g->ram,
				      NULL, 0};
	vhost_mem_insert(g->mem, &r);
	r = (struct vhost_mem_region){G_SIZE / 2, G_SIZE / 2,
				      0x2000000,  (uint64_t)(uintptr_t)(g->ram + G_SIZE / 2),
				      NULL,	  0};
	vhost_mem_insert(g->mem, &r);
	return 0;
}

static int
walk(struct fake_guest *g, uint64_t table_gpa, uint16_t size, uint16_t head, bool packed,
     struct vhost_chain *c)
{
	struct vhost_ring_view v = {g->mem, g->ram + table_gpa, size, true};
	unsigned int hint = 0;
	const char *why = "";

	return vhost_chain_walk(&v, head, packed, &hint, c, &why);
}

static int
test_vhost_desc_walk(void)
{
	struct fake_guest g;
	struct vhost_chain *c = malloc(sizeof(*c));
	struct vring_desc *d;
	struct vring_packed_desc *p;
	unsigned int i;

	DPX_TEST_ASSERT(c != NULL && guest_init(&g) == 0, "");
	d = (struct vring_desc *)g.ram; /* split table of 16 at gpa 0 */
	/* a good chain: 2 readable then 1 writable spanning the region boundary */
	d[3] = (struct vring_desc){0x1000, 100, VRING_DESC_F_NEXT, 7};
	d[7] = (struct vring_desc){0x2000, 50, VRING_DESC_F_NEXT, 1};
	d[1] = (struct vring_desc){G_SIZE / 2 - 10, 30, VRING_DESC_F_WRITE, 0};
	DPX_TEST_ASSERT_EQUAL(walk(&g, 0, 16, 3, false, c), 0, "");
	DPX_TEST_ASSERT_EQUAL(c->id, 3, "");
	DPX_TEST_ASSERT_EQUAL(c->nread, 2, "");
	DPX_TEST_ASSERT_EQUAL(c->nbufs, 4, "the writable one split at the region end");
	DPX_TEST_ASSERT_EQUAL(c->read_len, 150, "");
	DPX_TEST_ASSERT_EQUAL(c->write_len, 30, "");
	DPX_TEST_ASSERT_EQUAL(c->bufs[2].len, 10, "");
	DPX_TEST_ASSERT(c->bufs[3].hva == g.ram + G_SIZE / 2, "");
	/* head past the ring, next past the ring */
	DPX_TEST_ASSERT_EQUAL(walk(&g, 0, 16, 16, false, c), -ERANGE, "");
	d[1].flags = VRING_DESC_F_NEXT;
	d[1].next = 99;
	DPX_TEST_ASSERT_EQUAL(walk(&g, 0, 16, 3, false, c), -ERANGE, "");
	/* a loop is an error, not a hang */
	d[1].next = 3;
	DPX_TEST_ASSERT_EQUAL(walk(&g, 0, 16, 3, false, c), -ELOOP, "");
	for (i = 0; i < 16; i++)
		d[i] = (struct vring_desc){0x1000, 1, VRING_DESC_F_NEXT, (uint16_t)((i + 1) % 16)};
	DPX_TEST_ASSERT_EQUAL(walk(&g, 0, 16, 5, false, c), -ELOOP, "whole-ring cycle");
	/* address outside memory */
	d[0] = (struct vring_desc){G_SIZE - 4, 8, 0, 0};
	DPX_TEST_ASSERT_EQUAL(walk(&g, 0, 16, 0, false, c), -EFAULT, "");
	/* readable after writable */
	d[0] = (struct vring_desc){0x1000, 8, VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, 1};
	d[1] = (struct vring_desc){0x1000, 8, 0, 0};
	DPX_TEST_ASSERT_EQUAL(walk(&g, 0, 16, 0, false, c), -EINVAL, "");
	/* indirect: good, out of bounds, bad size, nested, with NEXT, looping inside */
	struct vring_desc *t = (struct vring_desc *)(g.ram + 0x4000);
	t[0] = (struct vring_desc){0x5000, 10, VRING_DESC_F_NEXT, 1};
	t[1] = (struct vring_desc){0x6000, 20, VRING_DESC_F_WRITE, 0};
	d[2] = (struct vring_desc){0x4000, 32, VRING_DESC_F_INDIRECT, 0};
	DPX_TEST_ASSERT_EQUAL(walk(&g, 0, 16, 2, false, c), 0, "");
	DPX_TEST_ASSERT_EQUAL(c->nbufs, 2, "");
	DPX_TEST_ASSERT_EQUAL(c->write_len, 20, "");
	d[2].addr = G_SIZE - 16;
	DPX_TEST_ASSERT_EQUAL(walk(&g, 0, 16, 2, false, c), -EFAULT, "table past memory");
	d[2].addr = G_SIZE / 2 - 16;
	DPX_TEST_ASSERT_EQUAL(walk(&g, 0, 16, 2, false, c), -EFAULT, "table across regions");
	d[2] = (struct vring_desc){0x4000, 24, VRING_DESC_F_INDIRECT, 0};
	DPX_TEST_ASSERT_EQUAL(walk(&g, 0, 16, 2, false, c), -EINVAL, "size not 16n");
	d[2] = (struct vring_desc){0x4000, 32, VRING_DESC_F_INDIRECT | VRING_DESC_F_NEXT, 0};
	DPX_TEST_ASSERT_EQUAL(walk(&g, 0, 16, 2, false, c), -EINVAL, "with NEXT");
	d[2] = (struct vring_desc){0x4000, 32, VRING_DESC_F_INDIRECT, 0};
	t[1] = (struct vring_desc){0x4000, 32, VRING_DESC_F_INDIRECT, 0};
	DPX_TEST_ASSERT_EQUAL(walk(&g, 0, 16, 2, false, c), -EINVAL, "nested");
	t[1] = (struct vring_desc){0x6000, 20, VRING_DESC_F_NEXT, 0};
	DPX_TEST_ASSERT_EQUAL(walk(&g, 0, 16, 2, false, c), -ELOOP, "loop in the table");
	t[1] = (struct vring_desc){0x6000, 20, VRING_DESC_F_NEXT, 7};
	d[2].len = 48;
	DPX_TEST_ASSERT_EQUAL(walk(&g, 0, 16, 2, false, c), -ERANGE, "next past the table");
	/* too many buffers */
	for (i = 0; i < 16; i++)
		d[i] = (struct vring_desc){G_SIZE / 2 - 1, 2, VRING_DESC_F_NEXT, (uint16_t)(i + 1)};
	d[15].flags = 0;
	DPX_TEST_ASSERT_EQUAL(walk(&g, 0, 16, 0, false, c), 0, "32 buffers fit");
	DPX_TEST_ASSERT_EQUAL(c->nbufs, 32, "");
	struct vring_desc *big = (struct vring_desc *)(g.ram + 0x8000);
	for (i = 0; i < 40; i++)
		big[i] = (struct vring_desc){G_SIZE / 2 - 1, 2, VRING_DESC_F_NEXT,
					     (uint16_t)(i + 1)};
	big[39].flags = 0;
	d[0] = (struct vring_desc){0x8000, 40 * 16, VRING_DESC_F_INDIRECT, 0};
	DPX_TEST_ASSERT_EQUAL(walk(&g, 0, 64, 0, false, c), -E2BIG, "80 buffers");
	/* an indirect table is bounded by the ring size */
	DPX_TEST_ASSERT_EQUAL(walk(&g, 0, 39, 0, false, c), -EINVAL, "40 entries, ring of 39");
	/* every descriptor counts, zero-length ones too: 64 read at most */
	for (i = 0; i < 64; i++)
		big[i] = (struct vring_desc){0x1000, 0, VRING_DESC_F_NEXT, (uint16_t)(i + 1)};
	big[63] = (struct vring_desc){0x1000, 1, 0, 0};
	d[0] = (struct vring_desc){0x8000, 64 * 16, VRING_DESC_F_INDIRECT, 0};
	DPX_TEST_ASSERT_EQUAL(walk(&g, 0, 128, 0, false, c), -E2BIG, "1 + 64 descriptors");
	d[0].len = 63 * 16;
	big[62] = (struct vring_desc){0x1000, 1, 0, 0};
	DPX_TEST_ASSERT_EQUAL(walk(&g, 0, 128, 0, false, c), 0, "1 + 63 descriptors");
	DPX_TEST_ASSERT_EQUAL(c->nbufs, 1, "zero-length descriptors add no buffer");
	for (i = 0; i < 128; i++)
		d[i] = (struct vring_desc){0x1000, 0, VRING_DESC_F_NEXT, (uint16_t)(i + 1)};
	d[127].flags = 0;
	DPX_TEST_ASSERT_EQUAL(walk(&g, 0, 128, 0, false, c), -E2BIG, "128 zero-length in the ring");
	/* packed: chain wraps the ring end, buffer id from the last descriptor */
	p = (struct vring_packed_desc *)(g.ram + 0x3000);
	memset(p, 0, 16 * 8);
	p[6] = (struct vring_packed_desc){0x1000, 10, 0, VRING_DESC_F_NEXT};
	p[7] = (struct vring_packed_desc){0x1100, 10, 0, VRING_DESC_F_NEXT};
	p[0] = (struct vring_packed_desc){0x1200, 10, 42, 0};
	DPX_TEST_ASSERT_EQUAL(walk(&g, 0x3000, 8, 6, true, c), 0, "");
	DPX_TEST_ASSERT_EQUAL(c->id, 42, "");
	DPX_TEST_ASSERT_EQUAL(c->ndesc, 3, "");
	DPX_TEST_ASSERT_EQUAL(c->read_len, 30, "");
	for (i = 0; i < 8; i++)
		p[i].flags = VRING_DESC_F_NEXT;
	DPX_TEST_ASSERT_EQUAL(walk(&g, 0x3000, 8, 2, true, c), -ELOOP, "all NEXT");
	DPX_TEST_ASSERT_EQUAL(walk(&g, 0x3000, 8, 8, true, c), -ERANGE, "");
	/* packed indirect: table used in order, len/16 entries */
	struct vring_packed_desc *pt = (struct vring_packed_desc *)(g.ram + 0x4000);
	pt[0] = (struct vring_packed_desc){0x5000, 7, 0, 0};
	pt[1] = (struct vring_packed_desc){0x5100, 9, 0, 0};
	p[0] = (struct vring_packed_desc){0x4000, 32, 5, VRING_DESC_F_INDIRECT};
	DPX_TEST_ASSERT_EQUAL(walk(&g, 0x3000, 8, 0, true, c), 0, "");
	DPX_TEST_ASSERT_EQUAL(c->read_len, 16, "");
	DPX_TEST_ASSERT_EQUAL(c->id, 5, "");
	DPX_TEST_ASSERT_EQUAL(c->ndesc, 1, "");
	/* packed indirect tables walk every entry: bounded by the ring, and by the count */
	memset(pt, 0, 100 * sizeof(*pt));
	p[0] = (struct vring_packed_desc){0x4000, 9 * 16, 5, VRING_DESC_F_INDIRECT};
	DPX_TEST_ASSERT_EQUAL(walk(&g, 0x3000, 8, 0, true, c), -EINVAL, "9 entries, ring of 8");
	p[0].len = 100 * 16;
	DPX_TEST_ASSERT_EQUAL(walk(&g, 0x3000, 128, 0, true, c), -E2BIG, "100 zero-length");
	free(g.mem);
	free(g.ram);
	free(c);
	return DPX_TEST_SUCCESS;
}

/* ---- memory fds: the file system, from /proc text ---- */

/* A mountinfo of a Debian host: optional fields (none, one, two), an escaped
 * blank in a mount point, FUSE with and without subtype, NFS, overlay. */
static const char model_mountinfo[] =
	"22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw,errors=remount-ro\n"
	"23 22 0:21 / /proc rw,nosuid,nodev,noexec,relatime shared:12 - proc proc rw\n"
	"24 22 0:5 / /dev rw,nosuid master:2 shared:3 - devtmpfs udev rw,size=8g\n"
	"25 24 0:22 / /dev/shm rw,nosuid,nodev - tmpfs tmpfs rw\n"
	"26 24 0:23 / /dev/hugepages rw,relatime shared:14 - hugetlbfs hugetlbfs rw,pagesize=2M\n"
	"31 22 0:41 / /mnt/a\\040-\\040b rw,relatime shared:20 - fuse.sshfs me@host:/ "
	"rw,user_id=0\n"
	"32 22 0:42 / /mnt/f rw,nosuid,nodev,relatime - fuse dpx rw,user_id=0,group_id=0\n"
	"33 22 8:17 / /mnt/usb rw,relatime - fuseblk /dev/sdb1 rw,user_id=0\n"
	"34 22 0:43 / /mnt/nfs rw,relatime shared:21 - nfs4 srv:/export rw,vers=4.2\n"
	"35 22 0:44 / /var/lib/c rw,relatime - overlay overlay rw,lowerdir=/l,upperdir=/u\n"
	"36 22 0:45 / /mnt/9 rw - 9p hostshare rw,trans=virtio\n"
	"37 22 0:46 / /mnt/s rw - cifs //srv/s rw\n"
	"38 22 0:47 / /mnt/x rw - somethingnew x rw\n"
	"39 22 0:48 / /mnt/bad rw shared:22\n"
	"40 22 0:49 / /mnt/long rw - averyveryveryverylongfilesystemtypename x rw";

static int
expect_type(int mnt_id, int want_rc, const char *want_type)
{
	char type[32] = "unset";

	DPX_TEST_ASSERT_EQUAL(vhost_mountinfo_fstype(model_mountinfo, mnt_id, type, sizeof(type)),
			      want_rc, "mount %d", mnt_id);
	if (want_rc == 0)
		DPX_TEST_ASSERT(strcmp(type, want_type) == 0, "mount %d: type \"%s\", not \"%s\"",
				mnt_id, type, want_type);
	return DPX_TEST_SUCCESS;
}

/* fdinfo of a file on mount mnt_id, judged against the model mountinfo */
static int
expect_judge(int mnt_id, int want_rc, const char *want_type, const char *want_why)
{
	char fdinfo[128], type[32] = "unset";
	const char *why = "unset";
	int rc;

	snprintf(fdinfo, sizeof(fdinfo), "pos:\t0\nflags:\t02100002\nmnt_id:\t%d\nino:\t12\n",
		 mnt_id);
	rc = vhost_mem_fd_judge(false, fdinfo, model_mountinfo, type, sizeof(type), &why);
	DPX_TEST_ASSERT_EQUAL(rc, want_rc, "mount %d (%s)", mnt_id, why);
	DPX_TEST_ASSERT(strcmp(type, want_type) == 0, "mount %d: type \"%s\"", mnt_id, type);
	if (want_why != NULL)
		DPX_TEST_ASSERT(strstr(why, want_why) != NULL, "mount %d: \"%s\"", mnt_id, why);
	return DPX_TEST_SUCCESS;
}

static int
test_vhost_fd_classify(void)
{
	static const char *const local[] = {"ext4", "xfs", "btrfs", "tmpfs", "hugetlbfs", NULL};
	static const char *const served[] = {"fuse", "fuseblk",	 "fuse.sshfs", "fuseblk.ntfs-3g",
					     "cuse", "virtiofs", NULL};
	static const char *const network[] = {"nfs", "nfs4", "cifs", "smb3", "9p", "ceph", NULL};
	const char *why = "unset";
	char type[32] = "unset";
	unsigned int i;
	int id = -1;

	for (i = 0; local[i] != NULL; i++)
		DPX_TEST_ASSERT_EQUAL(vhost_fs_classify(local[i]), VHOST_FS_LOCAL, "%s", local[i]);
	for (i = 0; served[i] != NULL; i++)
		DPX_TEST_ASSERT_EQUAL(vhost_fs_classify(served[i]), VHOST_FS_SERVED, "%s",
				      served[i]);
	for (i = 0; network[i] != NULL; i++)
		DPX_TEST_ASSERT_EQUAL(vhost_fs_classify(network[i]), VHOST_FS_NETWORK, "%s",
				      network[i]);
	DPX_TEST_ASSERT_EQUAL(vhost_fs_classify("overlay"), VHOST_FS_STACKED, "");
	/* a family is a prefix up to a dot, not any prefix */
	DPX_TEST_ASSERT_EQUAL(vhost_fs_classify("fusectl"), VHOST_FS_UNKNOWN, "");
	DPX_TEST_ASSERT_EQUAL(vhost_fs_classify("ext4x"), VHOST_FS_UNKNOWN, "");
	DPX_TEST_ASSERT_EQUAL(vhost_fs_classify(""), VHOST_FS_UNKNOWN, "");

	/* fdinfo: the mnt_id line, wherever it is, and nothing else */
	DPX_TEST_ASSERT_EQUAL(vhost_fdinfo_mnt_id("pos:\t0\nmnt_id:\t31\n", &id), 0, "");
	DPX_TEST_ASSERT_EQUAL(id, 31, "");
	DPX_TEST_ASSERT_EQUAL(vhost_fdinfo_mnt_id("mnt_id:\t7", &id), 0, "no final newline");
	DPX_TEST_ASSERT_EQUAL(id, 7, "");
	DPX_TEST_ASSERT_EQUAL(vhost_fdinfo_mnt_id("pos:\t0\nflags:\t0\n", &id), -EINVAL, "");
	DPX_TEST_ASSERT_EQUAL(vhost_fdinfo_mnt_id("mnt_id:\tx\n", &id), -EINVAL, "");
	DPX_TEST_ASSERT_EQUAL(vhost_fdinfo_mnt_id("mnt_id:\t12x\n", &id), -EINVAL, "");
	DPX_TEST_ASSERT_EQUAL(vhost_fdinfo_mnt_id("mnt_id:\t-1\n", &id), -EINVAL, "");
	DPX_TEST_ASSERT_EQUAL(vhost_fdinfo_mnt_id("xmnt_id:\t5\n", &id), -EINVAL, "");

	/* mountinfo: the type after the optional fields' " - " */
	DPX_TEST_RUN(expect_type(22, 0, "ext4"));
	DPX_TEST_RUN(expect_type(24, 0, "devtmpfs"));
	DPX_TEST_RUN(expect_type(26, 0, "hugetlbfs"));
	DPX_TEST_RUN(expect_type(31, 0, "fuse.sshfs"));
	DPX_TEST_RUN(expect_type(40, -ENAMETOOLONG, NULL));
	DPX_TEST_RUN(expect_type(39, -EINVAL, NULL));
	DPX_TEST_RUN(expect_type(2, -ENOENT, NULL));
	DPX_TEST_RUN(expect_type(3, -ENOENT, NULL)); /* "3" is not a prefix of 31..39 */

	/* the verdicts, and what the log says */
	DPX_TEST_RUN(expect_judge(22, 0, "ext4", NULL));
	DPX_TEST_RUN(expect_judge(25, 0, "tmpfs", NULL));
	DPX_TEST_RUN(expect_judge(26, 0, "hugetlbfs", NULL));
	DPX_TEST_RUN(expect_judge(31, -EPERM, "fuse.sshfs", "user process"));
	DPX_TEST_RUN(expect_judge(32, -EPERM, "fuse", "user process"));
	DPX_TEST_RUN(expect_judge(33, -EPERM, "fuseblk", "user process"));
	DPX_TEST_RUN(expect_judge(34, -EPERM, "nfs4", "network"));
	DPX_TEST_RUN(expect_judge(35, -EPERM, "overlay", "stacked"));
	DPX_TEST_RUN(expect_judge(36, -EPERM, "9p", "network"));
	DPX_TEST_RUN(expect_judge(37, -EPERM, "cifs", "network"));
	DPX_TEST_RUN(expect_judge(38, -EPERM, "somethingnew", "not known to be local"));
	DPX_TEST_RUN(expect_judge(24, -EPERM, "devtmpfs", "not known to be local"));
	/* not in our namespace: a path and type the front-end may have chosen */
	DPX_TEST_RUN(expect_judge(99, -EPERM, "", "outside this process's mount namespace"));
	DPX_TEST_RUN(expect_judge(39, -EINVAL, "", "malformed"));
	/* shmem (F_GET_SEALS answered): accepted whatever fdinfo says */
	DPX_TEST_ASSERT_EQUAL(vhost_mem_fd_judge(true, NULL, NULL, type, sizeof(type), &why), 0,
			      "");
	DPX_TEST_ASSERT(strcmp(type, "shmem") == 0, "");
	DPX_TEST_ASSERT_EQUAL(
		vhost_mem_fd_judge(false, "pos:\t0\n", model_mountinfo, type, sizeof(type), &why),
		-EINVAL, "fdinfo without mnt_id");
	return DPX_TEST_SUCCESS;
}

DPX_TEST_REGISTER(vhost_msg_table, fast, test_vhost_msg_table);
DPX_TEST_REGISTER(vhost_mem_translate, fast, test_vhost_mem_translate);
DPX_TEST_REGISTER(vhost_desc_walk, fast, test_vhost_desc_walk);
DPX_TEST_REGISTER(vhost_fd_classify, fast, test_vhost_fd_classify);
