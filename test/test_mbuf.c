/* SPDX-License-Identifier: BSD-3-Clause */
/* mbuf: pool and fresh mbufs, bulk exhaustion, append/prepend/adj/trim bounds, chains and reads, refcounts. */
#include <sched.h>
#include <stdlib.h>

#include <dpx_malloc.h>
#include <dpx_mbuf.h>
#include <dpx_memory.h>

#include "dpx_test.h"
#include "test_pkt.h"

#define CHECK_MBUF(m, hdr)                                                                         \
	do {                                                                                       \
		const char *why_;                                                                  \
		DPX_TEST_ASSERT_EQUAL(dpx_mbuf_check(m, hdr, &why_), 0, "%s", why_);               \
	} while (0)

static int
test_mbuf_pool_alloc(void)
{
	enum { N = 64 };
	struct dpx_mbuf *m, *ms[N + 1];
	struct dpx_mempool *mp;
	unsigned int allocs;

	DPX_TEST_ASSERT(dpx_test_eal_init("--no-huge", "--in-memory", NULL) > 0, "init");
	allocs = heap_allocs();
	DPX_TEST_ASSERT(dpx_pktmbuf_pool_create("mb", N, 0, 7, 2048, -1) == NULL, "");
	DPX_TEST_ASSERT_EQUAL(dpx_errno, EINVAL, "priv_size not a multiple of 8");
	mp = dpx_pktmbuf_pool_create("mb", N, 0, 16, DPX_MBUF_DEFAULT_BUF_SIZE, DPX_SOCKET_ID_ANY);
	DPX_TEST_ASSERT(mp != NULL, "%s", dpx_strerror(dpx_errno));
	DPX_TEST_ASSERT(dpx_pktmbuf_pool_create("mb", 8, 0, 0, 512, -1) == NULL, "");
	DPX_TEST_ASSERT_EQUAL(dpx_errno, EEXIST, "");
	DPX_TEST_ASSERT_EQUAL(dpx_pktmbuf_data_room_size(mp), DPX_MBUF_DEFAULT_BUF_SIZE, "");
	DPX_TEST_ASSERT_EQUAL(dpx_pktmbuf_priv_size(mp), 16, "");

	m = dpx_pktmbuf_alloc(mp);
	DPX_TEST_ASSERT(m != NULL, "");
	DPX_TEST_ASSERT(m->buf_addr == (char *)m + sizeof(*m) + 16, "data room after the private area");
	DPX_TEST_ASSERT_EQUAL(m->buf_len, DPX_MBUF_DEFAULT_BUF_SIZE, "");
	DPX_TEST_ASSERT_EQUAL(m->data_off, DPX_PKTMBUF_HEADROOM, "");
	DPX_TEST_ASSERT_EQUAL(dpx_pktmbuf_headroom(m), 128, "");
	DPX_TEST_ASSERT_EQUAL(dpx_pktmbuf_tailroom(m), 2048, "");
	DPX_TEST_ASSERT_EQUAL(m->data_len, 0, "");
	DPX_TEST_ASSERT_EQUAL(m->pkt_len, 0, "");
	DPX_TEST_ASSERT_EQUAL(m->nb_segs, 1, "");
	DPX_TEST_ASSERT_EQUAL(dpx_mbuf_refcnt_read(m), 1, "");
	DPX_TEST_ASSERT_EQUAL(m->port, DPX_MBUF_PORT_INVALID, "");
	DPX_TEST_ASSERT_EQUAL(m->ol_flags, 0, "");
	DPX_TEST_ASSERT(m->pool == mp && m->next == NULL, "");
	DPX_TEST_ASSERT_EQUAL(m->priv_size, 16, "");
	DPX_TEST_ASSERT(m->buf_iova == dpx_mem_virt2iova(m->buf_addr), "buf_iova %#" PRIx64, m->buf_iova);
	if (m->buf_iova != DPX_BAD_IOVA)
		DPX_TEST_ASSERT(dpx_pktmbuf_iova_offset(m, 10) ==
					dpx_mem_virt2iova(dpx_pktmbuf_mtod_offset(m, char *, 10)), "");
	CHECK_MBUF(m, 1);
	dpx_pktmbuf_free(m);
	DPX_TEST_ASSERT_EQUAL(dpx_mempool_avail_count(mp), N, "");

	/* bulk: all or nothing */
	DPX_TEST_ASSERT_EQUAL(dpx_pktmbuf_alloc_bulk(mp, ms, N - 4), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_pktmbuf_alloc_bulk(mp, ms + N - 4, 5), -ENOENT, "5 of 4");
	DPX_TEST_ASSERT_EQUAL(dpx_mempool_avail_count(mp), 4, "pool unchanged by the failed bulk");
	DPX_TEST_ASSERT_EQUAL(dpx_pktmbuf_alloc_bulk(mp, ms + N - 4, 4), 0, "");
	DPX_TEST_ASSERT(dpx_pktmbuf_alloc(mp) == NULL, "");
	DPX_TEST_ASSERT_EQUAL(dpx_errno, ENOENT, "");
	for (unsigned int i = 0; i < N; i++) {
		CHECK_MBUF(ms[i], 1);
		DPX_TEST_ASSERT(dpx_pktmbuf_append(ms[i], (uint16_t)i) != NULL, "");
		ms[i]->ol_flags = DPX_MBUF_F_TX_TCP_CKSUM;
	}
	dpx_pktmbuf_free_bulk(ms, N);
	DPX_TEST_ASSERT_EQUAL(dpx_mempool_avail_count(mp), N, "nothing leaked");
	/* a reused mbuf is reset */
	m = dpx_pktmbuf_alloc(mp);
	DPX_TEST_ASSERT(m != NULL && m->data_len == 0 && m->pkt_len == 0 && m->ol_flags == 0, "");
	dpx_pktmbuf_dump(stdout, m, 0);
	dpx_pktmbuf_free(m);
	dpx_mempool_free(mp);
	DPX_TEST_ASSERT_EQUAL(heap_allocs(), allocs, "pool memory freed");
	DPX_TEST_ASSERT_EQUAL(dpx_eal_cleanup(), 0, "");
	return DPX_TEST_SUCCESS;
}
DPX_TEST_REGISTER(mbuf_pool_alloc, fast, test_mbuf_pool_alloc);

static int
test_mbuf_headroom_tailroom(void)
{
	struct dpx_mbuf *m, *m2;
	struct dpx_mempool *mp;
	char *p, *start;

	DPX_TEST_ASSERT(dpx_test_eal_init("--no-huge", "--in-memory", NULL) > 0, "init");
	mp = dpx_pktmbuf_pool_create("ht", 8, 0, 0, 1152, -1); /* 128 headroom + 1024 */
	DPX_TEST_ASSERT(mp != NULL, "");
	m = dpx_pktmbuf_alloc(mp);
	start = dpx_pktmbuf_mtod(m, char *);
	/* append: up to the tailroom exactly */
	DPX_TEST_ASSERT(dpx_pktmbuf_append(m, 1025) == NULL, "past the tailroom");
	DPX_TEST_ASSERT_EQUAL(m->data_len, 0, "unchanged");
	p = dpx_pktmbuf_append(m, 1000);
	DPX_TEST_ASSERT(p == start, "");
	memset(p, 0xab, 1000);
	p = dpx_pktmbuf_append(m, 24);
	DPX_TEST_ASSERT(p == start + 1000, "");
	DPX_TEST_ASSERT_EQUAL(dpx_pktmbuf_tailroom(m), 0, "");
	DPX_TEST_ASSERT(dpx_pktmbuf_append(m, 1) == NULL, "full");
	DPX_TEST_ASSERT(dpx_pktmbuf_append(m, 0) == start + 1024, "0 bytes fit");
	DPX_TEST_ASSERT_EQUAL(m->pkt_len, 1024, "");
	/* prepend: up to the headroom exactly */
	DPX_TEST_ASSERT(dpx_pktmbuf_prepend(m, 129) == NULL, "");
	DPX_TEST_ASSERT_EQUAL(m->data_off, 128, "unchanged");
	p = dpx_pktmbuf_prepend(m, 14);
	DPX_TEST_ASSERT(p == start - 14, "");
	DPX_TEST_ASSERT(dpx_pktmbuf_prepend(m, 114) == start - 128, "");
	DPX_TEST_ASSERT(dpx_pktmbuf_prepend(m, 1) == NULL, "no headroom left");
	DPX_TEST_ASSERT_EQUAL(m->pkt_len, 1152, "");
	DPX_TEST_ASSERT_EQUAL(m->data_len, 1152, "");
	/* adj: from the front, at most data_len */
	DPX_TEST_ASSERT(dpx_pktmbuf_adj(m, 1153) == NULL, "");
	DPX_TEST_ASSERT_EQUAL(m->pkt_len, 1152, "unchanged");
	DPX_TEST_ASSERT(dpx_pktmbuf_adj(m, 128) == start, "");
	DPX_TEST_ASSERT_EQUAL(m->pkt_len, 1024, "");
	/* trim: from the end, at most data_len */
	DPX_TEST_ASSERT_EQUAL(dpx_pktmbuf_trim(m, 1025), -EINVAL, "");
	DPX_TEST_ASSERT_EQUAL(m->pkt_len, 1024, "unchanged");
	DPX_TEST_ASSERT_EQUAL(dpx_pktmbuf_trim(m, 24), 0, "");
	DPX_TEST_ASSERT_EQUAL(m->pkt_len, 1000, "");
	DPX_TEST_ASSERT_EQUAL(dpx_pktmbuf_tailroom(m), 24, "");
	DPX_TEST_ASSERT_EQUAL((unsigned char)start[999], 0xab, "");
	CHECK_MBUF(m, 1);
	/* on a chain: append and trim act on the last segment, prepend and adj on the first */
	m2 = dpx_pktmbuf_alloc(mp);
	DPX_TEST_ASSERT(dpx_pktmbuf_append(m2, 10) != NULL, "");
	DPX_TEST_ASSERT_EQUAL(dpx_pktmbuf_chain(m, m2), 0, "");
	DPX_TEST_ASSERT(dpx_pktmbuf_append(m, 1014) == dpx_pktmbuf_mtod_offset(m2, char *, 10), "");
	DPX_TEST_ASSERT(dpx_pktmbuf_append(m, 1) == NULL, "last segment full, first is not");
	DPX_TEST_ASSERT_EQUAL(m->pkt_len, 2024, "");
	DPX_TEST_ASSERT_EQUAL(dpx_pktmbuf_trim(m, 1025), -EINVAL, "more than the last segment");
	DPX_TEST_ASSERT_EQUAL(dpx_pktmbuf_trim(m, 1024), 0, "");
	DPX_TEST_ASSERT_EQUAL(m2->data_len, 0, "");
	DPX_TEST_ASSERT(dpx_pktmbuf_adj(m, 1001) == NULL, "more than the first segment");
	DPX_TEST_ASSERT_EQUAL(m->pkt_len, 1000, "");
	CHECK_MBUF(m, 1);
	dpx_pktmbuf_free(m);
	return pool_and_eal_done(mp, 8);
}
DPX_TEST_REGISTER(mbuf_headroom_tailroom, fast, test_mbuf_headroom_tailroom);

/* A packet of the given segment lengths; byte k of the packet is (k * 7 + 3) & 0xff. */
static struct dpx_mbuf *
make_packet(struct dpx_mempool *mp, const uint16_t *lens, unsigned int nb)
{
	struct dpx_mbuf *head = NULL;
	uint32_t k = 0;

	for (unsigned int s = 0; s < nb; s++) {
		struct dpx_mbuf *m = dpx_pktmbuf_alloc(mp);
		unsigned char *p;

		if (m == NULL || (p = (unsigned char *)dpx_pktmbuf_append(m, lens[s])) == NULL)
			return NULL;
		for (unsigned int i = 0; i < lens[s]; i++, k++)
			p[i] = (unsigned char)(k * 7 + 3);
		if (head == NULL)
			head = m;
		else if (dpx_pktmbuf_chain(head, m) != 0)
			return NULL;
	}
	return head;
}

static int
test_mbuf_chain_read(void)
{
	static const uint16_t lens[] = {100, 200, 1, 0, 49};
	unsigned char buf[400];
	struct dpx_mbuf *m, *m2;
	struct dpx_mempool *mp;

	DPX_TEST_ASSERT(dpx_test_eal_init("--no-huge", "--in-memory", NULL) > 0, "init");
	mp = dpx_pktmbuf_pool_create("cr", 16, 0, 0, 512, -1);
	DPX_TEST_ASSERT(mp != NULL, "");
	m = make_packet(mp, lens, DPX_DIM(lens));
	DPX_TEST_ASSERT(m != NULL, "");
	DPX_TEST_ASSERT_EQUAL(m->nb_segs, 5, "");
	DPX_TEST_ASSERT_EQUAL(m->pkt_len, 350, "");
	DPX_TEST_ASSERT(!dpx_pktmbuf_is_contiguous(m), "");
	CHECK_MBUF(m, 1);
	/* every (offset, length) pair: the bytes of the model */
	for (uint32_t off = 0; off <= 350; off++) {
		for (uint32_t len = 0; off + len <= 350; len += 1 + len / 4) {
			memset(buf, 0xee, sizeof(buf));
			const unsigned char *p = dpx_pktmbuf_read(m, off, len, buf);
			DPX_TEST_ASSERT(p != NULL, "off %u len %u", off, len);
			for (uint32_t i = 0; i < len; i++)
				if (p[i] != (unsigned char)((off + i) * 7 + 3)) {
					printf("off %u len %u byte %u: %#x\n", off, len, i, p[i]);
					return DPX_TEST_FAILED;
				}
			/* within one segment: a pointer into the mbuf, no copy */
			if (off < 100 && off + len <= 100)
				DPX_TEST_ASSERT(p == dpx_pktmbuf_mtod_offset(m, unsigned char *, off), "");
		}
	}
	DPX_TEST_ASSERT(dpx_pktmbuf_read(m, 0, 351, buf) == NULL, "past pkt_len");
	DPX_TEST_ASSERT(dpx_pktmbuf_read(m, 351, 0, buf) == NULL, "");
	DPX_TEST_ASSERT(dpx_pktmbuf_read(m, 1, UINT32_MAX, buf) == NULL, "no wrap-around");
	/* chain limits: -EOVERFLOW and nothing changed */
	m2 = dpx_pktmbuf_alloc(mp);
	m->nb_segs = DPX_MBUF_MAX_NB_SEGS;
	DPX_TEST_ASSERT_EQUAL(dpx_pktmbuf_chain(m, m2), -EOVERFLOW, "segments");
	m->nb_segs = 5;
	m2->pkt_len = UINT32_MAX - 349;
	DPX_TEST_ASSERT_EQUAL(dpx_pktmbuf_chain(m, m2), -EOVERFLOW, "bytes");
	m2->pkt_len = 0;
	DPX_TEST_ASSERT(dpx_pktmbuf_lastseg(m)->next == NULL, "");
	CHECK_MBUF(m, 1);
	DPX_TEST_ASSERT_EQUAL(dpx_pktmbuf_chain(m, m2), 0, "");
	DPX_TEST_ASSERT_EQUAL(m->nb_segs, 6, "");
	CHECK_MBUF(m, 1);
	/* a broken head is reported */
	const char *why;
	m->pkt_len++;
	DPX_TEST_ASSERT_EQUAL(dpx_mbuf_check(m, 1, &why), -EINVAL, "");
	printf("check says: %s\n", why);
	/* pkt_len claiming more than the chain holds: a read past the data is refused,
	 * not served from beyond the last segment */
	m->pkt_len += 1000;
	DPX_TEST_ASSERT(dpx_pktmbuf_read(m, 360, 10, buf) == NULL, "offset past the chain");
	DPX_TEST_ASSERT(dpx_pktmbuf_read(m, 340, 20, buf) == NULL, "length past the chain");
	m->pkt_len -= 1000;
	m->pkt_len--;
	dpx_pktmbuf_dump(stdout, m, 120);
	dpx_pktmbuf_free(m);
	return pool_and_eal_done(mp, 16);
}
DPX_TEST_REGISTER(mbuf_chain_read, fast, test_mbuf_chain_read);

static int
test_mbuf_refcnt(void)
{
	static const uint16_t lens[] = {60};
	struct dpx_mbuf *a, *b, *shared, *pkts[4];
	struct dpx_mempool *mp, *mp2;

	DPX_TEST_ASSERT(dpx_test_eal_init("--no-huge", "--in-memory", NULL) > 0, "init");
	mp = dpx_pktmbuf_pool_create("rc", 16, 0, 0, 512, -1);
	mp2 = dpx_pktmbuf_pool_create("rc2", 16, 4, 8, 256, -1);
	DPX_TEST_ASSERT(mp != NULL && mp2 != NULL, "");
	/* one segment at the end of two chains: refcnt 2 */
	shared = make_packet(mp, lens, 1);
	a = dpx_pktmbuf_alloc(mp);
	b = dpx_pktmbuf_alloc(mp);
	DPX_TEST_ASSERT_EQUAL(dpx_mbuf_refcnt_update(shared, 1), 2, "");
	DPX_TEST_ASSERT_EQUAL(dpx_pktmbuf_chain(a, shared), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_pktmbuf_chain(b, shared), 0, "");
	DPX_TEST_ASSERT_EQUAL(a->pkt_len, 60, "");
	DPX_TEST_ASSERT_EQUAL(b->pkt_len, 60, "");
	DPX_TEST_ASSERT_EQUAL(dpx_mempool_avail_count(mp), 13, "");
	dpx_pktmbuf_free(a);
	DPX_TEST_ASSERT_EQUAL(dpx_mempool_avail_count(mp), 14, "only a's own segment went back");
	DPX_TEST_ASSERT_EQUAL(dpx_mbuf_refcnt_read(shared), 1, "");
	unsigned char buf[60];
	const unsigned char *p = dpx_pktmbuf_read(b, 0, 60, buf);
	DPX_TEST_ASSERT(p != NULL && p[59] == (unsigned char)(59 * 7 + 3), "shared data intact");
	CHECK_MBUF(b, 1);
	dpx_pktmbuf_free(b);
	DPX_TEST_ASSERT_EQUAL(dpx_mempool_avail_count(mp), 16, "");
	/* prefree_seg: NULL while references remain, the segment on the last one */
	a = dpx_pktmbuf_alloc(mp);
	dpx_mbuf_refcnt_set(a, 3);
	DPX_TEST_ASSERT(dpx_pktmbuf_prefree_seg(a) == NULL, "");
	DPX_TEST_ASSERT(dpx_pktmbuf_prefree_seg(a) == NULL, "");
	DPX_TEST_ASSERT(dpx_pktmbuf_prefree_seg(a) == a, "");
	DPX_TEST_ASSERT_EQUAL(dpx_mbuf_refcnt_read(a), 1, "free mbufs have refcnt 1");
	dpx_mbuf_raw_free(a);
	/* free_bulk across two pools, with a NULL entry and a shared chain */
	pkts[0] = make_packet(mp, lens, 1);
	pkts[1] = NULL;
	pkts[2] = dpx_pktmbuf_alloc(mp2);
	pkts[3] = dpx_pktmbuf_alloc(mp2);
	DPX_TEST_ASSERT_EQUAL(dpx_pktmbuf_chain(pkts[2], dpx_pktmbuf_alloc(mp)), 0, "");
	dpx_mbuf_refcnt_update(pkts[3], 1);
	dpx_pktmbuf_free_bulk(pkts, 4);
	DPX_TEST_ASSERT_EQUAL(dpx_mempool_avail_count(mp), 16, "");
	DPX_TEST_ASSERT_EQUAL(dpx_mempool_avail_count(mp2), 15, "pkts[3] still referenced");
	dpx_pktmbuf_free(pkts[3]);
	DPX_TEST_ASSERT_EQUAL(dpx_mempool_avail_count(mp2), 16, "");
	dpx_mempool_free(mp);
	dpx_mempool_free(mp2);
	DPX_TEST_ASSERT_EQUAL(dpx_eal_cleanup(), 0, "");
	return DPX_TEST_SUCCESS;
}
DPX_TEST_REGISTER(mbuf_refcnt, fast, test_mbuf_refcnt);

/*
 * Four lcores drop one reference each on the same 512 mbufs: every mbuf goes
 * back to the pool exactly once (put count == 512), whoever drops last.
 */
#define RC_N 512
static struct dpx_mbuf *rc_mbufs[RC_N];

static int
drop_refs(void *arg)
{
	(void)arg;
	for (unsigned int i = 0; i < RC_N; i++)
		dpx_pktmbuf_free(rc_mbufs[i]);
	return 0;
}

static int
test_mbuf_refcnt_lcores(void)
{
	struct dpx_mempool_stats st;
	struct dpx_mempool *mp;
	int cpu = sched_getcpu();
	char map[32];

	snprintf(map, sizeof(map), "0-3@%d", cpu);
	DPX_TEST_ASSERT(dpx_test_eal_init("--no-huge", "--in-memory", "--lcores", map, NULL) > 0, "");
	mp = dpx_pktmbuf_pool_create("rcl", RC_N, 0, 0, 128, -1);
	DPX_TEST_ASSERT(mp != NULL, "");
	DPX_TEST_ASSERT_EQUAL(dpx_pktmbuf_alloc_bulk(mp, rc_mbufs, RC_N), 0, "");
	for (unsigned int i = 0; i < RC_N; i++)
		dpx_mbuf_refcnt_set(rc_mbufs[i], 4);
	dpx_mempool_stats_reset(mp);
	DPX_TEST_ASSERT_EQUAL(dpx_eal_mp_remote_launch(drop_refs, NULL, 1), 0, "");
	dpx_eal_mp_wait_lcore();
	dpx_mempool_stats_get(mp, &st);
	DPX_TEST_ASSERT_EQUAL(st.put_objs, RC_N, "each mbuf returned once");
	return pool_and_eal_done(mp, RC_N);
}
DPX_TEST_REGISTER(mbuf_refcnt_lcores, fast, test_mbuf_refcnt_lcores);

/* Hugepage runs: every mbuf's whole data room is IOVA-contiguous at buf_iova. */
static int
room_byte_ok(const struct dpx_mbuf *m, uint32_t off)
{
	return dpx_mem_virt2iova((char *)m->buf_addr + off) == m->buf_iova + off;
}

/* First byte, last byte and the first byte of every 4 kB page the room crosses. */
static void
check_room_iova(struct dpx_mempool *mp, void *arg, void *obj, unsigned int idx)
{
	const struct dpx_mbuf *m = obj;
	uintptr_t start = (uintptr_t)m->buf_addr;
	unsigned int *errors = arg;
	int ok = m->buf_iova != DPX_BAD_IOVA && room_byte_ok(m, 0) &&
		 room_byte_ok(m, m->buf_len - 1u);

	(void)mp;
	for (uintptr_t off = DPX_ALIGN_CEIL(start + 1, 4096u) - start; ok && off < m->buf_len;
	     off += 4096)
		ok = room_byte_ok(m, (uint32_t)off);
	if (!ok && (*errors)++ < 5)
		printf("mbuf %u: data room at %p (buf_iova %#" PRIx64 ") is not IOVA-contiguous\n",
		       idx, m->buf_addr, m->buf_iova);
}

static int
hugepage_iova(const char *iova_mode, enum dpx_iova_mode want)
{
	enum { N = 4096 };
	unsigned int errors = 0;
	struct dpx_mbuf *ms[64];

	if (dpx_test_meminfo("HugePages_Free") < 16)
		DPX_TEST_SKIP("%ld free hugepages, 16 needed (usertools/dpx-hugepages --setup-for-tests)",
			      dpx_test_meminfo("HugePages_Free"));
	DPX_TEST_ASSERT(dpx_test_eal_init("--in-memory", iova_mode, NULL) > 0, "init %s", iova_mode);
	if (dpx_eal_iova_mode() != want) {
		dpx_eal_cleanup();
		DPX_TEST_SKIP("IOVA mode %s not available here (physical addresses need root)",
			      iova_mode);
	}
	struct dpx_mempool *mp = dpx_pktmbuf_pool_create("hp", N, 64, 0, DPX_MBUF_DEFAULT_BUF_SIZE,
							 DPX_SOCKET_ID_ANY);
	DPX_TEST_ASSERT(mp != NULL, "%s", dpx_strerror(dpx_errno));
	DPX_TEST_ASSERT_EQUAL(dpx_mempool_obj_iter(mp, check_room_iova, &errors), N, "");
	DPX_TEST_ASSERT_EQUAL(errors, 0, "mbufs whose data room is not IOVA-contiguous");
	DPX_TEST_ASSERT_EQUAL(dpx_pktmbuf_alloc_bulk(mp, ms, 64), 0, "");
	for (unsigned int i = 0; i < 64; i++)
		DPX_TEST_ASSERT(dpx_pktmbuf_iova(ms[i]) ==
					dpx_mem_virt2iova(dpx_pktmbuf_mtod(ms[i], void *)), "");
	dpx_pktmbuf_free_bulk(ms, 64);
	dpx_mempool_dump(stdout, mp);
	dpx_mempool_free(mp);
	DPX_TEST_ASSERT_EQUAL(dpx_eal_cleanup(), 0, "");
	return DPX_TEST_SUCCESS;
}

static int
test_mbuf_hugepage_iova_va(void)
{
	return hugepage_iova("--iova-mode=va", DPX_IOVA_VA);
}
DPX_TEST_REGISTER(mbuf_hugepage_iova_va, hugepage, test_mbuf_hugepage_iova_va);

static int
test_mbuf_hugepage_iova_pa(void)
{
	return hugepage_iova("--iova-mode=pa", DPX_IOVA_PA);
}
DPX_TEST_REGISTER(mbuf_hugepage_iova_pa, hugepage, test_mbuf_hugepage_iova_pa);
