/* SPDX-License-Identifier: BSD-3-Clause */
/* ring: create errors, lookup, bulk/burst edges, model, MP/MC stress, preempted reservers. */
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <dpx_memory.h>
#include <dpx_ring.h>

#include "dpx_test.h"
#include "ring_private.h"
#include "test_pkt.h"

static int
test_ring_create_lookup(void)
{
	struct dpx_ring *r, *r2;
	unsigned int allocs;

	DPX_TEST_ASSERT(dpx_test_eal_init("--no-huge", "--in-memory", NULL) > 0, "init");
	allocs = heap_allocs();
	DPX_TEST_ASSERT(dpx_ring_create("r", 1000, DPX_SOCKET_ID_ANY, 0) == NULL, "not 2^k");
	DPX_TEST_ASSERT_EQUAL(dpx_errno, EINVAL, "");
	DPX_TEST_ASSERT(dpx_ring_create("r", 0, DPX_SOCKET_ID_ANY, DPX_RING_F_EXACT_SZ) == NULL, "");
	DPX_TEST_ASSERT_EQUAL(dpx_errno, EINVAL, "count 0");
	DPX_TEST_ASSERT(dpx_ring_create("r", 1, DPX_SOCKET_ID_ANY, 0) == NULL, "");
	DPX_TEST_ASSERT_EQUAL(dpx_errno, EINVAL, "count 1 holds nothing");
	DPX_TEST_ASSERT(dpx_ring_create("r", 64, DPX_SOCKET_ID_ANY, 0x100) == NULL, "");
	DPX_TEST_ASSERT_EQUAL(dpx_errno, EINVAL, "unknown flag");
	DPX_TEST_ASSERT(dpx_ring_create("0123456789012345678901234567890123", 64, -1, 0) == NULL, "");
	DPX_TEST_ASSERT_EQUAL(dpx_errno, EINVAL, "name too long");
	DPX_TEST_ASSERT(dpx_ring_create("", 64, -1, 0) == NULL, "");
	DPX_TEST_ASSERT_EQUAL(dpx_errno, EINVAL, "empty name");
	DPX_TEST_ASSERT(dpx_ring_create(NULL, 64, -1, 0) == NULL, "");
	DPX_TEST_ASSERT_EQUAL(dpx_errno, EINVAL, "NULL name");
	DPX_TEST_ASSERT_EQUAL(dpx_ring_get_memsize(1000, 0), -EINVAL, "");
	DPX_TEST_ASSERT(dpx_ring_get_memsize(1024, 0) >= (ssize_t)(1024 * sizeof(void *)), "");
	DPX_TEST_ASSERT_EQUAL(dpx_ring_init(NULL, "x", 8, 0), -EINVAL, "");

	r = dpx_ring_create("r", 1024, DPX_SOCKET_ID_ANY, DPX_RING_F_SP_ENQ);
	DPX_TEST_ASSERT(r != NULL, "create: %s", dpx_strerror(dpx_errno));
	DPX_TEST_ASSERT_EQUAL(dpx_ring_get_size(r), 1024, "");
	DPX_TEST_ASSERT_EQUAL(dpx_ring_get_capacity(r), 1023, "");
	DPX_TEST_ASSERT_EQUAL(dpx_ring_get_flags(r), DPX_RING_F_SP_ENQ, "");
	DPX_TEST_ASSERT(strcmp(dpx_ring_get_name(r), "r") == 0, "");
	DPX_TEST_ASSERT(dpx_ring_create("r", 64, DPX_SOCKET_ID_ANY, 0) == NULL, "duplicate");
	DPX_TEST_ASSERT_EQUAL(dpx_errno, EEXIST, "");
	r2 = dpx_ring_create("exact", 1000, DPX_SOCKET_ID_ANY, DPX_RING_F_EXACT_SZ);
	DPX_TEST_ASSERT(r2 != NULL, "");
	DPX_TEST_ASSERT_EQUAL(dpx_ring_get_capacity(r2), 1000, "");
	DPX_TEST_ASSERT_EQUAL(dpx_ring_get_size(r2), 1024, "");
	DPX_TEST_ASSERT(dpx_ring_lookup("r") == r, "");
	DPX_TEST_ASSERT(dpx_ring_lookup("exact") == r2, "");
	DPX_TEST_ASSERT(dpx_ring_lookup("nope") == NULL, "");
	DPX_TEST_ASSERT_EQUAL(dpx_errno, ENOENT, "");
	dpx_ring_list_dump(stdout);
	dpx_ring_free(r);
	DPX_TEST_ASSERT(dpx_ring_lookup("r") == NULL, "freed ring is gone");
	DPX_TEST_ASSERT_EQUAL(dpx_errno, ENOENT, "");
	DPX_TEST_ASSERT(dpx_ring_lookup("exact") == r2, "the other stays");
	r = dpx_ring_create("r", 64, DPX_SOCKET_ID_ANY, 0);
	DPX_TEST_ASSERT(r != NULL, "name reusable after free");
	dpx_ring_free(r);
	dpx_ring_free(r2);
	dpx_ring_free(NULL);
	DPX_TEST_ASSERT_EQUAL(heap_allocs(), allocs, "every ring's memory freed");
	DPX_TEST_ASSERT_EQUAL(dpx_eal_cleanup(), 0, "");
	return DPX_TEST_SUCCESS;
}
DPX_TEST_REGISTER(ring_create_lookup, fast, test_ring_create_lookup);

static void *
obj(uintptr_t v)
{
	return (void *)v;
}

/* Bulk and burst on a ring of 8 slots (capacity 7) with the given flags. */
static int
check_edges(unsigned int flags)
{
	void *in[16], *out[16];
	unsigned int fs = 99, av = 99;
	struct dpx_ring *r = dpx_ring_create("edges", 8, DPX_SOCKET_ID_ANY, flags);

	DPX_TEST_ASSERT(r != NULL, "");
	for (unsigned int i = 0; i < 16; i++)
		in[i] = obj(100 + i);
	/* empty ring */
	DPX_TEST_ASSERT(dpx_ring_empty(r) && !dpx_ring_full(r), "");
	DPX_TEST_ASSERT_EQUAL(dpx_ring_dequeue_bulk(r, out, 1, &av), 0, "");
	DPX_TEST_ASSERT_EQUAL(av, 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_ring_dequeue_burst(r, out, 4, &av), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_ring_dequeue(r, &out[0]), -ENOENT, "");
	DPX_TEST_ASSERT_EQUAL(dpx_ring_enqueue_bulk(r, in, 0, &fs), 0, "n = 0");
	DPX_TEST_ASSERT_EQUAL(fs, 7, "");
	/* more than capacity: bulk takes nothing, burst fills */
	DPX_TEST_ASSERT_EQUAL(dpx_ring_enqueue_bulk(r, in, 8, &fs), 0, "");
	DPX_TEST_ASSERT_EQUAL(fs, 7, "free space unchanged");
	DPX_TEST_ASSERT_EQUAL(dpx_ring_count(r), 0, "nothing taken");
	DPX_TEST_ASSERT_EQUAL(dpx_ring_enqueue_burst(r, in, 5, &fs), 5, "");
	DPX_TEST_ASSERT_EQUAL(fs, 2, "");
	DPX_TEST_ASSERT_EQUAL(dpx_ring_enqueue_burst(r, in + 5, 5, &fs), 2, "only 2 fit");
	DPX_TEST_ASSERT_EQUAL(fs, 0, "");
	DPX_TEST_ASSERT(dpx_ring_full(r), "");
	DPX_TEST_ASSERT_EQUAL(dpx_ring_count(r), 7, "");
	DPX_TEST_ASSERT_EQUAL(dpx_ring_free_count(r), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_ring_enqueue(r, in[0]), -ENOBUFS, "");
	DPX_TEST_ASSERT_EQUAL(dpx_ring_enqueue_burst(r, in, 1, &fs), 0, "full");
	/* dequeue: bulk too many takes nothing; exact fit empties */
	DPX_TEST_ASSERT_EQUAL(dpx_ring_dequeue_bulk(r, out, 8, &av), 0, "");
	DPX_TEST_ASSERT_EQUAL(av, 7, "");
	DPX_TEST_ASSERT_EQUAL(dpx_ring_dequeue_bulk(r, out, 3, &av), 3, "");
	DPX_TEST_ASSERT_EQUAL(av, 4, "");
	DPX_TEST_ASSERT_EQUAL(dpx_ring_dequeue_burst(r, out + 3, 10, &av), 4, "");
	DPX_TEST_ASSERT_EQUAL(av, 0, "");
	for (unsigned int i = 0; i < 7; i++)
		DPX_TEST_ASSERT(out[i] == in[i], "FIFO order at %u", i);
	/* exact fit after a wrap: head and tail are now at 7, 7 objects wrap around slot 0 */
	DPX_TEST_ASSERT_EQUAL(dpx_ring_enqueue_bulk(r, in + 9, 7, &fs), 7, "exact fit");
	DPX_TEST_ASSERT_EQUAL(fs, 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_ring_dequeue_bulk(r, out, 7, &av), 7, "");
	DPX_TEST_ASSERT_EQUAL(av, 0, "");
	for (unsigned int i = 0; i < 7; i++)
		DPX_TEST_ASSERT(out[i] == in[9 + i], "order across the wrap at %u", i);
	DPX_TEST_ASSERT_EQUAL(dpx_ring_enqueue(r, in[3]), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_ring_dequeue(r, &out[0]), 0, "");
	DPX_TEST_ASSERT(out[0] == in[3], "");
	DPX_TEST_ASSERT_EQUAL(dpx_ring_enqueue_bulk(r, in, 4, NULL), 4, "NULL free_space");
	dpx_ring_dump(stdout, r);
	dpx_ring_reset(r);
	DPX_TEST_ASSERT_EQUAL(dpx_ring_count(r), 0, "reset");
	DPX_TEST_ASSERT_EQUAL(dpx_ring_free_count(r), 7, "");
	dpx_ring_free(r);
	return DPX_TEST_SUCCESS;
}

static int
test_ring_bulk_burst(void)
{
	static const unsigned int modes[] = {0, DPX_RING_F_SP_ENQ | DPX_RING_F_SC_DEQ,
					     DPX_RING_F_SP_ENQ, DPX_RING_F_SC_DEQ};

	DPX_TEST_ASSERT(dpx_test_eal_init("--no-huge", "--in-memory", NULL) > 0, "init");
	for (unsigned int i = 0; i < DPX_DIM(modes); i++) {
		printf("flags 0x%x\n", modes[i]);
		DPX_TEST_RUN(check_edges(modes[i]));
	}
	DPX_TEST_ASSERT_EQUAL(dpx_eal_cleanup(), 0, "");
	return DPX_TEST_SUCCESS;
}
DPX_TEST_REGISTER(ring_bulk_burst, fast, test_ring_bulk_burst);

/*
 * Random bulk/burst sequences against a model FIFO (an array with head and
 * tail counters), on a ring in caller memory: counts, outputs and contents
 * must match the model after every call.
 */
static int
model_run(unsigned int count, unsigned int flags, unsigned int capacity, unsigned int seed)
{
	enum { OPS = 20000, MAXN = 40 };
	ssize_t sz = dpx_ring_get_memsize(count, flags);
	struct dpx_ring *r = aligned_alloc(DPX_CACHE_LINE_SIZE, (size_t)sz);
	uintptr_t *model = calloc(OPS * MAXN, sizeof(*model));
	unsigned long mhead = 0, mtail = 0, next_val = 1;
	void *buf[MAXN];
	int rc = DPX_TEST_FAILED;

	if (r == NULL || model == NULL || dpx_ring_init(r, "model", count, flags) != 0)
		goto out;
	DPX_TEST_ASSERT_EQUAL(dpx_ring_get_capacity(r), capacity, "");
	srand(seed);
	for (unsigned int op = 0; op < OPS; op++) {
		unsigned int n = (unsigned int)rand() % MAXN, kind = (unsigned int)rand() % 4;
		unsigned int used = (unsigned int)(mtail - mhead), extra, got, expect;

		if (kind < 2) { /* enqueue bulk / burst */
			for (unsigned int i = 0; i < n; i++)
				buf[i] = obj(next_val + i);
			got = kind == 0 ? dpx_ring_enqueue_bulk(r, buf, n, &extra) :
					  dpx_ring_enqueue_burst(r, buf, n, &extra);
			expect = n <= capacity - used ? n : (kind == 0 ? 0 : capacity - used);
			if (got != expect || extra != capacity - used - expect) {
				printf("FAIL op %u enqueue kind %u n %u: got %u free %u, model %u free %u\n",
				       op, kind, n, got, extra, expect, capacity - used - expect);
				goto out;
			}
			for (unsigned int i = 0; i < got; i++)
				model[mtail++] = next_val++;
		} else { /* dequeue bulk / burst */
			got = kind == 2 ? dpx_ring_dequeue_bulk(r, buf, n, &extra) :
					  dpx_ring_dequeue_burst(r, buf, n, &extra);
			expect = n <= used ? n : (kind == 2 ? 0 : used);
			if (got != expect || extra != used - expect) {
				printf("FAIL op %u dequeue kind %u n %u: got %u avail %u, model %u avail %u\n",
				       op, kind, n, got, extra, expect, used - expect);
				goto out;
			}
			for (unsigned int i = 0; i < got; i++)
				if ((uintptr_t)buf[i] != model[mhead++]) {
					printf("FAIL op %u: object %u is %p, model %#lx\n", op, i, buf[i],
					       (unsigned long)model[mhead - 1]);
					goto out;
				}
		}
		if (dpx_ring_count(r) != mtail - mhead) {
			printf("FAIL op %u: count %u, model %lu\n", op, dpx_ring_count(r), mtail - mhead);
			goto out;
		}
	}
	rc = DPX_TEST_SUCCESS;
out:
	free(model);
	free(r);
	return rc;
}

static int
test_ring_model(void)
{
	/* no EAL needed: dpx_ring_init works on caller memory */
	DPX_TEST_RUN(model_run(16, 0, 15, 1));
	DPX_TEST_RUN(model_run(64, DPX_RING_F_SP_ENQ | DPX_RING_F_SC_DEQ, 63, 2));
	DPX_TEST_RUN(model_run(20, DPX_RING_F_EXACT_SZ, 20, 3));
	DPX_TEST_RUN(model_run(32, DPX_RING_F_EXACT_SZ | DPX_RING_F_SC_DEQ, 32, 4));
	return DPX_TEST_SUCCESS;
}
DPX_TEST_REGISTER(ring_model, fast, test_ring_model);

/*
 * MP/MC stress: 2 producers and 2 consumers on one ring. Each object encodes
 * (producer, sequence). Checked: every object arrives once (no loss, no
 * duplicate) and each consumer sees each producer's sequence increasing.
 */
#define STRESS_PER_PRODUCER (1u << 19)
#define STRESS_PRODUCERS 2
#define STRESS_CONSUMERS 2
#define STRESS_BURST 32

struct stress {
	struct dpx_ring *r;
	unsigned int producer_seq;      /* next producer id */
	unsigned long consumed;         /* atomic */
	unsigned char *seen;            /* [producer][seq], atomic exchange */
	unsigned long errors;           /* atomic */
};

static int
stress_producer(void *arg)
{
	struct stress *s = arg;
	uintptr_t p = __atomic_fetch_add(&s->producer_seq, 1, __ATOMIC_RELAXED);
	void *buf[STRESS_BURST];
	unsigned int seq = 0;

	while (seq < STRESS_PER_PRODUCER) {
		unsigned int n = DPX_MIN(STRESS_BURST, STRESS_PER_PRODUCER - seq);
		n = 1 + (seq % n); /* vary the burst size: 1..32 */
		for (unsigned int i = 0; i < n; i++)
			buf[i] = obj((p << 32) | (seq + i));
		unsigned int done = (seq & 1) ? dpx_ring_enqueue_burst(s->r, buf, n, NULL) :
						dpx_ring_enqueue_bulk(s->r, buf, n, NULL);
		seq += done;
		if (done == 0)
			sched_yield(); /* lcores may share a CPU: let the consumers run */
	}
	return 0;
}

static int
stress_consumer(void *arg)
{
	struct stress *s = arg;
	const unsigned long total = (unsigned long)STRESS_PER_PRODUCER * STRESS_PRODUCERS;
	long last[STRESS_PRODUCERS] = {-1, -1};
	void *buf[STRESS_BURST];
	unsigned int turn = 0;

	while (__atomic_load_n(&s->consumed, __ATOMIC_RELAXED) < total) {
		unsigned int want = 1 + (turn++ % STRESS_BURST);
		unsigned int n = (turn & 1) ? dpx_ring_dequeue_burst(s->r, buf, want, NULL) :
					      dpx_ring_dequeue_bulk(s->r, buf, want, NULL);
		if (n == 0) {
			sched_yield();
			continue;
		}
		for (unsigned int i = 0; i < n; i++) {
			uintptr_t v = (uintptr_t)buf[i];
			unsigned int p = (unsigned int)(v >> 32), seq = (unsigned int)v;
			if (p >= STRESS_PRODUCERS || seq >= STRESS_PER_PRODUCER ||
			    (long)seq <= last[p] ||
			    __atomic_exchange_n(&s->seen[(size_t)p * STRESS_PER_PRODUCER + seq], 1,
						__ATOMIC_RELAXED) != 0)
				__atomic_fetch_add(&s->errors, 1, __ATOMIC_RELAXED);
			else
				last[p] = seq;
		}
		__atomic_fetch_add(&s->consumed, n, __ATOMIC_RELAXED);
	}
	return 0;
}

static int
run_stress(unsigned int flags)
{
	struct stress s = {0};
	unsigned int lcore, k = 0;
	unsigned long missing = 0;

	s.seen = calloc((size_t)STRESS_PRODUCERS * STRESS_PER_PRODUCER, 1);
	s.r = dpx_ring_create("stress", 1024, DPX_SOCKET_ID_ANY, flags);
	DPX_TEST_ASSERT(s.seen != NULL && s.r != NULL, "");
	DPX_LCORE_FOREACH_WORKER(lcore) {
		dpx_lcore_function_t *fn = k < STRESS_PRODUCERS ? stress_producer : stress_consumer;
		DPX_TEST_ASSERT_EQUAL(dpx_eal_remote_launch(fn, &s, lcore), 0, "lcore %u", lcore);
		k++;
	}
	dpx_eal_mp_wait_lcore();
	for (size_t i = 0; i < (size_t)STRESS_PRODUCERS * STRESS_PER_PRODUCER; i++)
		missing += s.seen[i] == 0;
	printf("flags 0x%x: %lu objects consumed, %lu order/duplicate errors, %lu missing\n",
	       flags, s.consumed, s.errors, missing);
	DPX_TEST_ASSERT_EQUAL(s.errors, 0, "");
	DPX_TEST_ASSERT_EQUAL(missing, 0, "");
	DPX_TEST_ASSERT_EQUAL(s.consumed, (unsigned long)STRESS_PRODUCERS * STRESS_PER_PRODUCER, "");
	DPX_TEST_ASSERT_EQUAL(dpx_ring_count(s.r), 0, "");
	dpx_ring_free(s.r);
	free(s.seen);
	return DPX_TEST_SUCCESS;
}

static int
test_ring_mpmc_stress(void)
{
	char map[128];

	lcore_map(map, sizeof(map), 1 + STRESS_PRODUCERS + STRESS_CONSUMERS);
	DPX_TEST_ASSERT(dpx_test_eal_init("--no-huge", "--in-memory", "--lcores", map, NULL) > 0,
			"init %s", map);
	DPX_TEST_RUN(run_stress(0));
	DPX_TEST_ASSERT_EQUAL(dpx_eal_cleanup(), 0, "");
	return DPX_TEST_SUCCESS;
}
DPX_TEST_REGISTER(ring_mpmc_stress, fast, test_ring_mpmc_stress);

/*
 * A thread preempted between its head CAS and its tail store holds back every
 * later reserver on its side. When a later reserver runs on the holder's CPU
 * it must give that CPU up while it waits: spinning a whole time slice lets
 * the holder publish once per slice, and since each waiter is back in the ring
 * behind the others before its slice ends, the queue re-forms at every call
 * (the convoy that made mempool_lcores, four lcores on one CPU, take minutes).
 *
 * Made deterministic with SCHED_FIFO: the waiter W and the holder H run at
 * the same real-time priority on one CPU, where neither preempts the other,
 * so H runs only if W yields. H's reservation is staged in the ring's state
 * (head moved past one slot, tail not) exactly as a preempted reserver leaves
 * it; W is a real enqueue or dequeue that reserves the next slot and waits.
 * H is created only once W has reserved, i.e. while W holds the CPU.
 * Without yielding, W would spin forever: the watchdog (not a time
 * assertion: with the fix H runs within microseconds) only ends that spin by
 * publishing H's slot itself, and the case fails.
 */
struct wait_case {
	struct dpx_ring *r;
	struct ring_headtail *side; /* &r->prod or &r->cons: the side H and W are on */
	bool producer;
	int waiter_rc;	       /* W's enqueue or dequeue */
	void *got;	       /* W's dequeued object */
	uint32_t held_tail;    /* the tail H publishes: the end of its staged slot */
	bool holder_published; /* H published, not the watchdog */
};

/* Publish H's slot unless it is published already; true if this call did. */
static bool
publish_held(struct wait_case *c)
{
	uint32_t expect = c->held_tail - 1;

	/* RELEASE: partner of the other side's ACQUIRE tail load (ring.c, A) */
	return __atomic_compare_exchange_n(&c->side->tail, &expect, c->held_tail, false,
					   __ATOMIC_RELEASE, __ATOMIC_RELAXED);
}

/* H: running again at last, it finishes its copy and publishes. */
static void *
wait_holder(void *arg)
{
	struct wait_case *c = arg;

	if (c->producer)
		c->r->slots[(c->held_tail - 1) & c->r->mask] = obj(1000);
	if (publish_held(c))
		__atomic_store_n(&c->holder_published, true, __ATOMIC_RELAXED);
	return NULL;
}

/* W: the later reserver, on H's CPU. */
static void *
wait_waiter(void *arg)
{
	struct wait_case *c = arg;

	c->waiter_rc =
		c->producer ? dpx_ring_enqueue(c->r, obj(2000)) : dpx_ring_dequeue(c->r, &c->got);
	return NULL;
}

/* Create a SCHED_FIFO thread pinned to cpu; returns pthread_create's error. */
static int
fifo_thread(pthread_t *t, int cpu, void *(*fn)(void *), void *arg)
{
	struct sched_param prio = {.sched_priority = 1};
	pthread_attr_t attr;
	cpu_set_t set;
	int rc;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	pthread_attr_init(&attr);
	pthread_attr_setaffinity_np(&attr, sizeof(set), &set);
	pthread_attr_setinheritsched(&attr, PTHREAD_EXPLICIT_SCHED);
	pthread_attr_setschedpolicy(&attr, SCHED_FIFO);
	pthread_attr_setschedparam(&attr, &prio);
	rc = pthread_create(t, &attr, fn, arg);
	pthread_attr_destroy(&attr);
	return rc;
}

/*
 * W on cpu, then H once W has reserved; join both. Returns pthread_create's
 * error, with nothing left running.
 */
static int
wait_race(struct wait_case *c, int cpu)
{
	struct timespec deadline;
	pthread_t waiter, holder;
	int rc = fifo_thread(&waiter, cpu, wait_waiter, c);

	if (rc != 0)
		return rc;
	/* W has reserved (ACQUIRE: partner W's head CAS, ring.c B): from now on it
	 * holds the CPU until it yields or returns */
	while (__atomic_load_n(&c->side->head, __ATOMIC_ACQUIRE) == c->held_tail)
		dpx_pause();
	rc = fifo_thread(&holder, cpu, wait_holder, c);
	if (rc != 0) {
		publish_held(c);
		pthread_join(waiter, NULL);
		return rc;
	}
	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += 10;
	if (pthread_timedjoin_np(waiter, NULL, &deadline) != 0) {
		/* the watchdog: ends W's spin; H, running after W, finds its slot published */
		publish_held(c);
		pthread_join(waiter, NULL);
	}
	pthread_join(holder, NULL);
	return 0;
}

/* One side; *fifo_refused when SCHED_FIFO threads cannot be made here. */
static int
run_wait_case(struct dpx_ring *r, bool producer, int cpu, bool *fifo_refused)
{
	struct wait_case c = {.r = r, .producer = producer};
	void *out[2];
	int rc;

	dpx_ring_reset(r);
	if (!producer) {
		/* two objects: the holder's (staged as being dequeued) and the waiter's */
		DPX_TEST_ASSERT_EQUAL(dpx_ring_enqueue(r, obj(1000)), 0, "");
		DPX_TEST_ASSERT_EQUAL(dpx_ring_enqueue(r, obj(2000)), 0, "");
	}
	c.side = producer ? &r->prod : &r->cons;
	c.held_tail = c.side->tail + 1;
	c.side->head = c.held_tail; /* H reserved one slot, then lost its CPU */
	rc = wait_race(&c, cpu);
	*fifo_refused = rc == EPERM;
	if (*fifo_refused)
		return DPX_TEST_SUCCESS;
	DPX_TEST_ASSERT_EQUAL(rc, 0, "SCHED_FIFO thread: %s", strerror(rc));
	DPX_TEST_ASSERT(c.holder_published, "%s side: the waiter never gave its CPU to the holder",
			producer ? "producer" : "consumer");
	DPX_TEST_ASSERT_EQUAL(c.waiter_rc, 0, "the waiter's %s", producer ? "enqueue" : "dequeue");
	/* both published, in reservation order: the holder's object first */
	if (producer) {
		DPX_TEST_ASSERT_EQUAL(dpx_ring_dequeue_bulk(r, out, 2, NULL), 2, "");
		DPX_TEST_ASSERT(out[0] == obj(1000) && out[1] == obj(2000), "reservation order");
	} else {
		DPX_TEST_ASSERT(c.got == obj(2000), "the waiter got the object after the holder's");
	}
	DPX_TEST_ASSERT_EQUAL(dpx_ring_count(r), 0, "");
	DPX_TEST_ASSERT(r->prod.head == r->prod.tail && r->cons.head == r->cons.tail, "");
	return DPX_TEST_SUCCESS;
}

static int
test_ring_wait_yields(void)
{
	ssize_t size = dpx_ring_get_memsize(8, 0);
	cpu_set_t allowed, others;
	bool fifo_refused = false;
	int cpu = -1, rc = DPX_TEST_SUCCESS;
	struct dpx_ring *r;

	/* W and H on the first CPU; this thread, which watches them, on the others */
	DPX_TEST_ASSERT_EQUAL(sched_getaffinity(0, sizeof(allowed), &allowed), 0, "");
	for (int i = 0; i < CPU_SETSIZE && cpu < 0; i++)
		if (CPU_ISSET(i, &allowed))
			cpu = i;
	others = allowed;
	CPU_CLR(cpu, &others);
	if (CPU_COUNT(&others) == 0)
		DPX_TEST_SKIP("one CPU only: the case needs one for the waiter and the holder and "
			      "another for itself");
	DPX_TEST_ASSERT(size > 0, "");
	r = aligned_alloc(DPX_CACHE_LINE_SIZE, (size_t)size);
	DPX_TEST_ASSERT(r != NULL, "");
	DPX_TEST_ASSERT_EQUAL(dpx_ring_init(r, "wait", 8, 0), 0, "MP/MC");
	DPX_TEST_ASSERT_EQUAL(sched_setaffinity(0, sizeof(others), &others), 0, "");
	for (int side = 0; side < 2 && rc == DPX_TEST_SUCCESS && !fifo_refused; side++)
		rc = run_wait_case(r, side == 0, cpu, &fifo_refused);
	sched_setaffinity(0, sizeof(allowed), &allowed);
	free(r);
	if (fifo_refused)
		DPX_TEST_SKIP("SCHED_FIFO threads refused (EPERM: needs CAP_SYS_NICE and "
			      "real-time bandwidth)");
	return rc;
}
DPX_TEST_REGISTER(ring_wait_yields, fast, test_ring_wait_yields);
