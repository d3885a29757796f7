/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Async vhost benchmarks (suite perf; they report, they do not judge):
 *
 * vhost_async_perf_split / _packed: what the vhost core pays per packet,
 * sync against async, at 64, 256, 512 and 1518 bytes, host to guest and guest
 * to host, through the mbuf API with a real pool (the free of each burst
 * timed, as the forwarder pays it). The software engine's worker spins on
 * the second CPU, the vhost calls run pinned to the first. A burst's async
 * cost is its submit and every call that returned its packets; the calls
 * that found nothing completed yet are counted apart ("wait": a forwarder
 * does other work then). On a shared machine most bursts are slowed by
 * other processes, so each run reports its median burst and its fastest
 * ("best"), as vhost_perf_* does; sync and async alternate, RUNS times
 * each, in one process, and the medians over runs are printed with the
 * median and lowest of the per-run async/sync ratios.
 * Two cache states: "hot", the front-end on the vhost core, so the guest's
 * buffers and the mbufs' data stay in its caches and a CPU copy is as
 * cheap as it gets; "cold", the lines of every payload the burst moves
 * flushed from the caches before it (untimed), as when the guest's driver
 * on its own core last touched its buffers and the packet data came from
 * elsewhere.
 *
 * vhost_async_register_perf: map calls and time to DMA-register a guest of
 * 8 regions totalling 16 GiB (sparse memfd) into a container of the fake
 * VFIO kernel, one call per region, against mapping it page by page as
 * DPDK's async vhost does (2 MiB pages: the whole guest; 4 KiB pages: up to
 * the 65535 mappings a type1 container takes by default, which 16 GiB of
 * 4 KiB pages exceeds 64 times). Registration goes through vhost into the
 * container the (bound) engine follows; the page-by-page maps, and the same
 * 8 region-sized maps for comparison, go into a second container no engine
 * follows (the engine's listener would copy the table at every call, which
 * is that engine's cost, not the registration's). The fake's times are the
 * user-space table and model, not the kernel's IOMMU work: the call counts
 * are the figure.
 */
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <unistd.h>

#include <dpx_bus_vdev.h>
#include <dpx_cycles.h>
#include <dpx_dma_sw.h>
#include <dpx_dmadev.h>
#include <dpx_mbuf.h>
#include <dpx_mempool.h>
#include <dpx_vfio.h>
#include <dpx_vhost_async.h>

#include <emmintrin.h>

#include "dpx_test.h"
#include "vfio_kernel_fake.h"
#include "vhost_frontend.h"
#include "vhost_private.h"

#define BURST 32
#define ROUNDS 1000
#define RUNS 5
#define NLENS 4
/* 256-byte copies go to the engine too: where the default threshold comes from */
#define BENCH_THRESHOLD 256

static const uint32_t lens[NLENS] = {64, 256, 512, 1518};

static int perf_vid = -1;

struct bench {
	struct vfe fe;
	struct dpx_mempool *mp;
	int16_t dma;
	uint8_t src[2048];
};

/* Cycles of one direction and mode over a run, burst by burst. */
struct tally {
	uint64_t burst[ROUNDS]; /* busy cycles of each burst */
	uint64_t wait;
	uint64_t pkts;
	unsigned int n;
};

static int
cpus(int *first, int *second)
{
	cpu_set_t set;
	int n = 0;

	*first = *second = -1;
	sched_getaffinity(0, sizeof(set), &set);
	for (int c = 0; c < CPU_SETSIZE; c++) {
		if (!CPU_ISSET(c, &set))
			continue;
		if (n == 0)
			*first = c;
		else if (n == 1)
			*second = c;
		n++;
	}
	return *second >= 0;
}

static bool cold; /* flush the payload lines of each burst before it */

static void
flush(const void *p, size_t len)
{
	for (uintptr_t a = (uintptr_t)p & ~63UL; a < (uintptr_t)p + len; a += 64)
		_mm_clflush((const void *)a);
}

/* The buffers of the n chains last made available on queue qi. */
static void
flush_posted(struct vfe *fe, unsigned int qi, unsigned int n, uint16_t first)
{
	struct vfe_queue *q = &fe->q[qi];
	struct vring_avail *av = vfe_ptr(fe, q->avail_gpa);
	uint16_t id = first;

	for (unsigned int k = 0; k < n; k++) {
		if (!q->packed)
			id = av->ring[(uint16_t)(q->avail_idx - n + k) % q->size];
		for (unsigned int j = 0; j < q->chains[id].n; j++)
			flush(vfe_ptr(fe, q->chains[id].gpa[j]), q->chains[id].len[j]);
		if (q->packed)
			id = (uint16_t)((id + q->chains[id].ndesc) % q->size);
	}
	_mm_mfence();
}

static int
to_guest(struct bench *b, bool async, uint32_t len, struct tally *t)
{
	struct dpx_mbuf *pkts[BURST], *done[BURST];
	uint64_t t0, dt;
	uint16_t n, got = 0, k;
	unsigned int i;

	uint16_t first = b->fe.q[0].next_avail;

	vfe_rx_post(&b->fe, 0, BURST, 1);
	DPX_TEST_ASSERT_EQUAL(dpx_pktmbuf_alloc_bulk(b->mp, pkts, BURST), 0, "");
	for (i = 0; i < BURST; i++)
		DPX_TEST_ASSERT(dpx_pktmbuf_append(pkts[i], (uint16_t)len) != NULL, "");
	if (cold) {
		for (i = 0; i < BURST; i++)
			flush(dpx_pktmbuf_mtod(pkts[i], void *), len);
		flush_posted(&b->fe, 0, BURST, first);
	}
	uint64_t busy;

	t0 = dpx_get_tsc_cycles();
	if (!async) {
		n = dpx_vhost_enqueue_burst(perf_vid, 0, pkts, BURST);
		dpx_pktmbuf_free_bulk(pkts, n);
		t->burst[t->n++] = dpx_get_tsc_cycles() - t0;
		DPX_TEST_ASSERT_EQUAL(n, BURST, "");
		t->pkts += n;
		return DPX_TEST_SUCCESS;
	}
	n = dpx_vhost_submit_enqueue_burst(perf_vid, 0, pkts, BURST, b->dma, 0);
	busy = dpx_get_tsc_cycles() - t0;
	DPX_TEST_ASSERT_EQUAL(n, BURST, "");
	for (i = 0; got < n && i < 100000000; i++) {
		t0 = dpx_get_tsc_cycles();
		k = dpx_vhost_poll_enqueue_completed(perf_vid, 0, done, BURST, b->dma, 0);
		dpx_pktmbuf_free_bulk(done, k);
		dt = dpx_get_tsc_cycles() - t0;
		if (k > 0)
			busy += dt;
		else
			t->wait += dt;
		got += k;
	}
	DPX_TEST_ASSERT_EQUAL(got, n, "");
	t->burst[t->n++] = busy;
	t->pkts += n;
	return DPX_TEST_SUCCESS;
}

static int
from_guest(struct bench *b, bool async, uint32_t len, struct tally *t)
{
	struct dpx_mbuf *pkts[BURST];
	uint64_t t0, dt, busy = 0;
	uint16_t got = 0, k;
	unsigned int i;

	uint16_t first = b->fe.q[1].next_avail;

	for (i = 0; i < BURST; i++)
		DPX_TEST_ASSERT_EQUAL(vfe_tx_post(&b->fe, 1, b->src, len, 1), 0, "");
	if (cold)
		flush_posted(&b->fe, 1, BURST, first);
	for (i = 0; got < BURST && i < 100000000; i++) {
		t0 = dpx_get_tsc_cycles();
		k = async ? dpx_vhost_async_try_dequeue_burst(perf_vid, 1, b->mp, pkts, BURST, NULL,
							      b->dma, 0)
			  : dpx_vhost_dequeue_burst(perf_vid, 1, b->mp, pkts, BURST);
		dpx_pktmbuf_free_bulk(pkts, k);
		dt = dpx_get_tsc_cycles() - t0;
		/* the first call submits: busy even when nothing completed yet */
		if (k > 0 || i == 0)
			busy += dt;
		else
			t->wait += dt;
		got += k;
	}
	DPX_TEST_ASSERT_EQUAL(got, BURST, "");
	t->burst[t->n++] = busy;
	t->pkts += got;
	return DPX_TEST_SUCCESS;
}

/* One run of ROUNDS bursts each way; the last round's bytes are checked. */
static int
run_once(struct bench *b, bool async, uint32_t len, struct tally *enq, struct tally *deq)
{
	static uint8_t got[2048];
	unsigned int r;

	if (async) {
		DPX_TEST_ASSERT_EQUAL(dpx_vhost_async_channel_register(perf_vid, 0), 0, "");
		DPX_TEST_ASSERT_EQUAL(dpx_vhost_async_channel_register(perf_vid, 1), 0, "");
	}
	if (async)
		DPX_TEST_ASSERT_EQUAL(dpx_vhost_async_set_copy_threshold(perf_vid, BENCH_THRESHOLD),
				      0, "");
	for (r = 0; r < ROUNDS; r++) {
		DPX_TEST_RUN(to_guest(b, async, len, enq));
		if (r + 1 < ROUNDS) {
			vfe_tx_reclaim(&b->fe, 0);
		} else {
			/* the work was done: the data arrived, every byte of it */
			for (unsigned int i = 0; i < BURST; i++)
				DPX_TEST_ASSERT_EQUAL(vfe_rx_take(&b->fe, 0, got, sizeof(got)), len,
						      "");
		}
		DPX_TEST_RUN(from_guest(b, async, len, deq));
		vfe_tx_reclaim(&b->fe, 1);
	}
	if (async) {
		DPX_TEST_ASSERT_EQUAL(dpx_vhost_async_channel_unregister(perf_vid, 0), 0, "");
		DPX_TEST_ASSERT_EQUAL(dpx_vhost_async_channel_unregister(perf_vid, 1), 0, "");
	}
	DPX_TEST_ASSERT_EQUAL(dpx_mempool_in_use_count(b->mp), 0, "every mbuf back");
	return DPX_TEST_SUCCESS;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static double
median(double *v, unsigned int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return v[n / 2];
}

/* A run's cycles per packet: its median burst and its fastest one. */
struct run_fig {
	double med, best, wait;
};

static struct run_fig
run_figures(struct tally *t)
{
	qsort(t->burst, t->n, sizeof(t->burst[0]), cmp_u64);
	return (struct run_fig){(double)t->burst[t->n / 2] / BURST, (double)t->burst[0] / BURST,
				(double)t->wait / (double)t->pkts};
}

static void
report_one(const char *what, const char *unit, double v)
{
	DPX_TEST_PERF(what, v, unit);
}

static void
report(bool packed, const char *dir, uint32_t len, struct run_fig *s, struct run_fig *a)
{
	double v[RUNS], r[RUNS];
	char name[96], base[64];
	unsigned int i;

	snprintf(base, sizeof(base), "vhost %s %s %s %u B", packed ? "packed" : "split",
		 cold ? "cold" : "hot", dir, len);
#define FIG(field, src, label, unit)                                \
	do {                                                        \
		for (i = 0; i < RUNS; i++)                          \
			v[i] = src[i].field;                        \
		snprintf(name, sizeof(name), "%s %s", base, label); \
		report_one(name, unit, median(v, RUNS));            \
	} while (0)
	FIG(med, s, "sync", "cycles/pkt (median burst)");
	FIG(med, a, "async", "cycles/pkt (median burst)");
	FIG(best, s, "sync best", "cycles/pkt (fastest burst)");
	FIG(best, a, "async best", "cycles/pkt (fastest burst)");
	FIG(wait, a, "async wait", "cycles/pkt (empty polls)");
#undef FIG
	for (i = 0; i < RUNS; i++)
		r[i] = a[i].med / s[i].med;
	snprintf(name, sizeof(name), "%s async/sync", base);
	report_one(name, "median of runs' ratios", median(r, RUNS));
	printf("      lowest ratio of a run %.2f; of fastest bursts: ", r[0]);
	for (i = 0; i < RUNS; i++)
		r[i] = a[i].best / s[i].best;
	printf("median %.2f\n", median(r, RUNS));
}

static int
open_engine(int cpu, int16_t *id)
{
	struct dpx_dma_conf conf = {.nb_vchans = 1};
	struct dpx_dma_vchan_conf vc = {.direction = DPX_DMA_DIR_MEM_TO_MEM, .nb_desc = 1024};
	char args[64];

	/* a dedicated engine: its worker spins on the other CPU */
	snprintf(args, sizeof(args), "cpu=%d,idle_us=0", cpu);
	DPX_TEST_ASSERT_EQUAL(dpx_vdev_init("dma_sw0", args), 0, "");
	*id = (int16_t)dpx_dma_get_dev_id_by_name("dma_sw0");
	DPX_TEST_ASSERT(*id >= 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_dma_configure(*id, &conf), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_dma_vchan_setup(*id, 0, &vc), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_dma_start(*id), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_async_dma_configure(*id, 0), 0, "");
	return DPX_TEST_SUCCESS;
}

static int
bench_cycles(bool packed)
{
	static struct bench b;
	static struct run_fig s_enq[NLENS][RUNS], a_enq[NLENS][RUNS];
	static struct run_fig s_deq[NLENS][RUNS], a_deq[NLENS][RUNS];
	static struct tally se, sd, ae, ad;
	uint64_t want = packed ? ~0ULL : ~(1ULL << VIRTIO_F_RING_PACKED);
	int first, second;
	char path[108];
	cpu_set_t one;

	if (!cpus(&first, &second))
		DPX_TEST_SKIP("one CPU: the engine would share the vhost core");
	CPU_ZERO(&one);
	CPU_SET(first, &one);
	pthread_setaffinity_np(pthread_self(), sizeof(one), &one);
	DPX_TEST_ASSERT(dpx_test_eal_init("--no-huge", "-m", "256", NULL) > 0, "");
	b.mp = dpx_pktmbuf_pool_create("aperf", 4096, 256, 0, DPX_MBUF_DEFAULT_BUF_SIZE, -1);
	DPX_TEST_ASSERT(b.mp != NULL, "");
	DPX_TEST_RUN(open_engine(second, &b.dma));
	snprintf(path, sizeof(path), "/tmp/dpx-vhost-aperf-%d.sock", (int)getpid());
	DPX_TEST_RUN(vfe_perf_up(&b.fe, path, 64 << 20, 1, want, &perf_vid));
	printf("vhost calls on cpu %d, dma_sw0 worker spinning on cpu %d; bursts of %d, %d rounds "
	       "a run, copy threshold %u B\n",
	       first, second, BURST, ROUNDS, BENCH_THRESHOLD);
	for (int c = 0; c < 2; c++) {
		cold = c == 1;
		for (int r = 0; r < RUNS; r++) {
			for (int l = 0; l < NLENS; l++) {
				memset(&se, 0, sizeof(se)), memset(&sd, 0, sizeof(sd));
				memset(&ae, 0, sizeof(ae)), memset(&ad, 0, sizeof(ad));
				/* the order flips every run */
				for (int m = 0; m < 2; m++) {
					bool async = (m + r) % 2 == 1;

					DPX_TEST_RUN(run_once(&b, async, lens[l], async ? &ae : &se,
							      async ? &ad : &sd));
				}
				s_enq[l][r] = run_figures(&se);
				a_enq[l][r] = run_figures(&ae);
				s_deq[l][r] = run_figures(&sd);
				a_deq[l][r] = run_figures(&ad);
			}
		}
		for (int l = 0; l < NLENS; l++) {
			report(packed, "enqueue", lens[l], s_enq[l], a_enq[l]);
			report(packed, "dequeue", lens[l], s_deq[l], a_deq[l]);
		}
	}
	vfe_fini(&b.fe);
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_driver_unregister(path), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_async_dma_unconfigure(b.dma, 0), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_vdev_uninit("dma_sw0"), 0, "");
	dpx_mempool_free(b.mp);
	return DPX_TEST_SUCCESS;
}

static int
test_vhost_async_perf_split(void)
{
	return bench_cycles(false);
}

static int
test_vhost_async_perf_packed(void)
{
	return bench_cycles(true);
}

DPX_TEST_REGISTER(vhost_async_perf_split, perf, test_vhost_async_perf_split);
DPX_TEST_REGISTER(vhost_async_perf_packed, perf, test_vhost_async_perf_packed);

/* ---- registration ---- */

#define REG_REGIONS 8
#define REG_SIZE (2ULL << 30)
#define KERNEL_LIMIT 65535 /* vfio_iommu_type1 dma_entry_limit's default */

/* Map [va, va + len) in pages (page = len: one call), then unmap it so.
 * @return calls, or 0 on failure. */
static uint64_t
page_by_page(int c, uint64_t va, uint64_t len, uint64_t page, uint64_t max_calls)
{
	uint64_t off, n = 0;

	for (off = 0; off < len && n < max_calls; off += page, n++)
		if (dpx_vfio_container_dma_map(c, va + off, va + off, page) != 0)
			return 0;
	/* last first: the fake kernel keeps a sorted array, the real one a tree */
	for (off = n * page; off > 0; off -= page)
		if (dpx_vfio_container_dma_unmap(c, va + off - page, va + off - page, page) != 0)
			return 0;
	return n;
}

static int
test_vhost_async_register_perf(void)
{
	struct dpx_dma_conf conf = {.nb_vchans = 1};
	struct dpx_dma_vchan_conf vc = {.direction = DPX_DMA_DIR_MEM_TO_MEM, .nb_desc = 1024};
	double reg[RUNS], unreg[RUNS], raw[RUNS], p2m[RUNS], p4k[RUNS];
	uint64_t calls_reg = 0, calls_raw = 0, calls_2m = 0, calls_4k = 0, va[REG_REGIONS], t0, k0;
	struct vhost_dev *dev;
	char path[108];
	struct kmodel *k;
	struct vfe fe;
	int16_t dma;
	int c, c2, i;

	kfake_reset(KMODEL_TYPE1V2);
	kfake_add_group(12, true);
	kfake_add_group(13, true);
	DPX_TEST_ASSERT_EQUAL(vfio_set_kernel_ops(&kfake_ops), 0, "");
	DPX_TEST_ASSERT(dpx_test_eal_init("--no-huge", "-m", "64", NULL) > 0, "");
	c = dpx_vfio_container_create();
	DPX_TEST_ASSERT(c >= 0 && dpx_vfio_container_group_bind(c, 12) >= 0, "");
	k = kfake_container_model(c);
	c2 = dpx_vfio_container_create();
	DPX_TEST_ASSERT(c2 >= 0 && dpx_vfio_container_group_bind(c2, 13) >= 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_vdev_init("dma_sw0", NULL), 0, "");
	dma = (int16_t)dpx_dma_get_dev_id_by_name("dma_sw0");
	DPX_TEST_ASSERT_EQUAL(dpx_dma_configure(dma, &conf), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_dma_vchan_setup(dma, 0, &vc), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_dma_sw_bind_container(dma, c), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_async_dma_configure(dma, 0), 0, "");
	/* 16 GiB of guest address space, pages only where the rings are */
	snprintf(path, sizeof(path), "/tmp/dpx-vhost-areg-%d.sock", (int)getpid());
	DPX_TEST_RUN(vfe_perf_up(&fe, path, REG_REGIONS * REG_SIZE, REG_REGIONS,
				 ~(1ULL << VIRTIO_F_RING_PACKED), &perf_vid));
	dev = vhost_dev_get(perf_vid);
	DPX_TEST_ASSERT_EQUAL(dev->mem->n, REG_REGIONS, "");
	for (i = 0; i < REG_REGIONS; i++)
		va[i] = dev->mem->regions[i].hva;
	k0 = k->n;
	for (int r = 0; r < RUNS; r++) {
		uint64_t m0 = k->map_calls;

		t0 = dpx_get_time_ns();
		DPX_TEST_ASSERT_EQUAL(dpx_vhost_async_channel_register(perf_vid, 0), 0, "");
		reg[r] = (double)(dpx_get_time_ns() - t0) / 1e3;
		calls_reg = k->map_calls - m0;
		DPX_TEST_ASSERT_EQUAL(k->n, k0 + REG_REGIONS, "one kernel mapping per region");
		t0 = dpx_get_time_ns();
		DPX_TEST_ASSERT_EQUAL(dpx_vhost_async_channel_unregister(perf_vid, 0), 0, "");
		unreg[r] = (double)(dpx_get_time_ns() - t0) / 1e3;
		DPX_TEST_ASSERT_EQUAL(k->n, k0, "");
		t0 = dpx_get_time_ns();
		calls_raw = 0;
		for (i = 0; i < REG_REGIONS; i++)
			calls_raw += page_by_page(c2, va[i], REG_SIZE, REG_SIZE, UINT64_MAX);
		raw[r] = (double)(dpx_get_time_ns() - t0) / 1e3;
		DPX_TEST_ASSERT_EQUAL(calls_raw, REG_REGIONS, "");
		t0 = dpx_get_time_ns();
		calls_2m = 0;
		for (i = 0; i < REG_REGIONS; i++)
			calls_2m += page_by_page(c2, va[i], REG_SIZE, 2ULL << 20, UINT64_MAX);
		p2m[r] = (double)(dpx_get_time_ns() - t0) / 1e3;
		DPX_TEST_ASSERT_EQUAL(calls_2m, REG_REGIONS * REG_SIZE / (2ULL << 20), "");
		t0 = dpx_get_time_ns();
		calls_4k = page_by_page(c2, va[0], REG_SIZE, 4096, KERNEL_LIMIT);
		p4k[r] = (double)(dpx_get_time_ns() - t0) / 1e3;
		DPX_TEST_ASSERT_EQUAL(calls_4k, KERNEL_LIMIT, "");
		DPX_TEST_ASSERT_EQUAL(k->n, k0, "");
	}
	printf("guest: %d regions of %llu MiB (%llu GiB), sparse memfd; fake VFIO kernel, type1 "
	       "v2\n",
	       REG_REGIONS, REG_SIZE >> 20, (REG_REGIONS * REG_SIZE) >> 30);
	DPX_TEST_PERF("async register: map calls", (double)calls_reg, "calls");
	DPX_TEST_PERF("async register: time", median(reg, RUNS), "us (median)");
	DPX_TEST_PERF("async unregister: time", median(unreg, RUNS), "us (median)");
	DPX_TEST_PERF("one call per region, plain container: map+unmap", median(raw, RUNS),
		      "us (median)");
	DPX_TEST_PERF("page by page 2 MiB: map calls", (double)calls_2m, "calls");
	DPX_TEST_PERF("page by page 2 MiB: map+unmap time", median(p2m, RUNS), "us (median)");
	DPX_TEST_PERF("page by page 4 KiB: map calls needed",
		      (double)(REG_REGIONS * REG_SIZE / 4096), "calls");
	DPX_TEST_PERF("page by page 4 KiB: first 65535 map+unmap", median(p4k, RUNS),
		      "us (median)");
	vfe_fini(&fe);
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_driver_unregister(path), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_vhost_async_dma_unconfigure(dma, 0), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_vdev_uninit("dma_sw0"), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_vfio_container_destroy(c), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_vfio_container_destroy(c2), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eal_cleanup(), 0, "");
	DPX_TEST_ASSERT_EQUAL(vfio_set_kernel_ops(NULL), 0, "");
	return DPX_TEST_SUCCESS;
}

DPX_TEST_REGISTER(vhost_async_register_perf, perf, test_vhost_async_register_perf);
