/* SPDX-License-Identifier: BSD-3-Clause */
/* Memory hotplug events, memseg lookups and walks, external memory, cleanup leaks. */
#include <sched.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <dpx_malloc.h>
#include <dpx_memory.h>
#include <dpx_memzone.h>

#include "dpx_test.h"

#define UNIT ((size_t)2 << 20) /* the --no-huge page */
#define MAX_EVENTS 64

struct event_rec {
	char who;
	enum dpx_mem_event ev;
	const void *addr;
	size_t len;
	int mapped;   /* the range was a memseg when the callback ran */
	int writable; /* the callback could write the first byte */
};

static struct event_rec events[MAX_EVENTS];
static unsigned int n_events;
static int refuse_with; /* returned by callback 'B' for ALLOC */

static int
record(enum dpx_mem_event ev, const void *addr, size_t len, void *arg)
{
	struct event_rec *r = &events[n_events < MAX_EVENTS ? n_events++ : MAX_EVENTS - 1];
	const struct dpx_memseg *ms = dpx_mem_virt2memseg(addr);
	const struct dpx_memseg *last = dpx_mem_virt2memseg((const uint8_t *)addr + len - 1);

	*r = (struct event_rec){.who = *(const char *)arg, .ev = ev, .addr = addr, .len = len};
	r->mapped = ms != NULL && last != NULL;
	if (r->mapped && !(ms->flags & DPX_MEMSEG_FLAG_EXTERNAL)) {
		*(volatile uint8_t *)addr = 0x5a;
		r->writable = 1;
	}
	return *(const char *)arg == 'B' && ev == DPX_MEM_EVENT_ALLOC ? refuse_with : 0;
}

static int
expect_event(unsigned int i, char who, enum dpx_mem_event ev, const void *addr, size_t len)
{
	DPX_TEST_ASSERT(i < n_events, "event %u of %u", i, n_events);
	DPX_TEST_ASSERT_EQUAL(events[i].who, who, "event %u", i);
	DPX_TEST_ASSERT_EQUAL(events[i].ev, ev, "event %u", i);
	DPX_TEST_ASSERT(events[i].addr == addr, "event %u at %p, expected %p", i, events[i].addr,
			addr);
	DPX_TEST_ASSERT_EQUAL(events[i].len, len, "event %u", i);
	DPX_TEST_ASSERT(events[i].mapped, "event %u: pages are memsegs during the callback", i);
	return DPX_TEST_SUCCESS;
}

static const char name_a = 'A', name_b = 'B';

static int
test_mem_event_order(void)
{
	DPX_TEST_ASSERT(dpx_test_eal_init("--no-huge", NULL) > 0, "init");
	n_events = 0;
	refuse_with = 0;
	DPX_TEST_ASSERT_EQUAL(dpx_mem_event_callback_register("a", record, (void *)&name_a), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_mem_event_callback_register("b", record, (void *)&name_b), 0, "");

	uint8_t *p = dpx_malloc("x", 100, 0);
	DPX_TEST_ASSERT(p != NULL, "");
	void *page = (void *)((uintptr_t)p & ~(UNIT - 1));
	DPX_TEST_ASSERT_EQUAL(n_events, 2, "one ALLOC per callback");
	DPX_TEST_RUN(expect_event(0, 'A', DPX_MEM_EVENT_ALLOC, page, UNIT));
	DPX_TEST_RUN(expect_event(1, 'B', DPX_MEM_EVENT_ALLOC, page, UNIT));
	DPX_TEST_ASSERT(events[0].writable, "mapped before ALLOC");

	/* a second small allocation fits in the page: no event */
	uint8_t *q = dpx_malloc("x", 1000, 0);
	DPX_TEST_ASSERT(q != NULL && n_events == 2, "");

	/* 5 MB needs three fresh units, announced as one range */
	uint8_t *big = dpx_malloc("big", 5u << 20, 0);
	DPX_TEST_ASSERT(big != NULL && n_events == 4, "%u events", n_events);
	/* the fresh units follow the first page (their free space merges with its tail) */
	void *big_page = (uint8_t *)page + UNIT;
	DPX_TEST_RUN(expect_event(2, 'A', DPX_MEM_EVENT_ALLOC, big_page, 3 * UNIT));
	DPX_TEST_RUN(expect_event(3, 'B', DPX_MEM_EVENT_ALLOC, big_page, 3 * UNIT));

	dpx_free(big);
	DPX_TEST_ASSERT_EQUAL(n_events, 6, "");
	DPX_TEST_RUN(expect_event(4, 'A', DPX_MEM_EVENT_FREE, big_page, 3 * UNIT));
	DPX_TEST_RUN(expect_event(5, 'B', DPX_MEM_EVENT_FREE, big_page, 3 * UNIT));
	DPX_TEST_ASSERT(events[4].writable, "still mapped during FREE");
	DPX_TEST_ASSERT(dpx_mem_virt2memseg(big_page) == NULL, "unmapped after FREE");

	dpx_free(p);
	DPX_TEST_ASSERT_EQUAL(n_events, 6, "page still holds q");
	DPX_TEST_ASSERT_EQUAL(dpx_mem_event_callback_unregister("a", (void *)&name_a), 0, "");
	dpx_free(q);
	DPX_TEST_ASSERT_EQUAL(n_events, 7, "only b is left");
	DPX_TEST_RUN(expect_event(6, 'B', DPX_MEM_EVENT_FREE, page, UNIT));
	DPX_TEST_ASSERT_EQUAL(dpx_mem_event_callback_unregister("b", (void *)&name_b), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eal_cleanup(), 0, "");
	return DPX_TEST_SUCCESS;
}
DPX_TEST_REGISTER(mem_event_order, fast, test_mem_event_order);

/* Whether addr is in a mapping of /proc/self/maps; perms gets its permissions. */
static int
find_mapping(const void *addr, char perms[8])
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[512];
	int found = 0;

	while (f != NULL && fgets(line, sizeof(line), f) != NULL) {
		unsigned long lo, hi;
		if (sscanf(line, "%lx-%lx %7s", &lo, &hi, perms) == 3 && lo <= (uintptr_t)addr &&
		    (uintptr_t)addr < hi) {
			found = 1;
			break;
		}
	}
	if (f != NULL)
		fclose(f);
	return found;
}

/* The range is back to the PROT_NONE reservation in /proc/self/maps. */
static int
is_reserved_only(const void *addr)
{
	char perms[8];

	return find_mapping(addr, perms) && strcmp(perms, "---p") == 0;
}

static int
test_mem_event_refuse_rollback(void)
{
	struct dpx_malloc_socket_stats before, after;

	DPX_TEST_ASSERT(dpx_test_eal_init("--no-huge", NULL) > 0, "init");
	n_events = 0;
	refuse_with = -EPERM; /* as a DMA mapping that failed */
	DPX_TEST_ASSERT_EQUAL(dpx_mem_event_callback_register("a", record, (void *)&name_a), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_mem_event_callback_register("b", record, (void *)&name_b), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_malloc_get_socket_stats(0, &before), 0, "");

	DPX_TEST_ASSERT(dpx_malloc("x", 3u << 20, 0) == NULL, "refused");
	DPX_TEST_ASSERT_EQUAL(dpx_errno, EPERM, "the callback's error is reported");
	DPX_TEST_ASSERT_EQUAL(n_events, 3, "A ALLOC, B ALLOC (refused), A FREE");
	const void *range = events[0].addr;
	DPX_TEST_RUN(expect_event(0, 'A', DPX_MEM_EVENT_ALLOC, range, 2 * UNIT));
	DPX_TEST_RUN(expect_event(1, 'B', DPX_MEM_EVENT_ALLOC, range, 2 * UNIT));
	DPX_TEST_RUN(expect_event(2, 'A', DPX_MEM_EVENT_FREE, range, 2 * UNIT));
	DPX_TEST_ASSERT(dpx_mem_virt2memseg(range) == NULL, "no memseg left");
	DPX_TEST_ASSERT(is_reserved_only(range) && is_reserved_only((const uint8_t *)range + UNIT),
			"pages unmapped");
	DPX_TEST_ASSERT_EQUAL(dpx_malloc_get_socket_stats(0, &after), 0, "");
	DPX_TEST_ASSERT(memcmp(&before, &after, sizeof(before)) == 0, "heap stats unchanged");
	DPX_TEST_ASSERT(dpx_memzone_reserve("mz", 100, DPX_SOCKET_ID_ANY, 0) == NULL, "");
	DPX_TEST_ASSERT_EQUAL(dpx_errno, EPERM, "memzone refused too");

	/* a positive refusal comes back negative as well */
	refuse_with = ENOSPC;
	DPX_TEST_ASSERT(dpx_malloc("x", 100, 0) == NULL && dpx_errno == ENOSPC, "");
	DPX_TEST_ASSERT_EQUAL(dpx_mem_event_callback_unregister("b", (void *)&name_b), 0, "");
	void *p = dpx_malloc("x", 3u << 20, 0);
	DPX_TEST_ASSERT(p != NULL, "works once the refusing callback is gone");
	dpx_free(p);
	DPX_TEST_ASSERT_EQUAL(dpx_eal_cleanup(), 0, "");
	return DPX_TEST_SUCCESS;
}
DPX_TEST_REGISTER(mem_event_refuse_rollback, fast, test_mem_event_refuse_rollback);

static int reentry_rc[3];

static int
reenter(enum dpx_mem_event ev, const void *addr, size_t len, void *arg)
{
	(void)addr, (void)len, (void)arg;
	if (ev != DPX_MEM_EVENT_ALLOC)
		return 0;
	reentry_rc[0] = dpx_malloc("x", 10, 0) == NULL ? dpx_errno : 0;
	reentry_rc[1] = dpx_mem_event_callback_register("c", record, NULL);
	reentry_rc[2] = dpx_memzone_reserve("z", 10, -1, 0) == NULL ? dpx_errno : 0;
	return 0;
}

static int
test_mem_event_register_errors(void)
{
	DPX_TEST_ASSERT(dpx_test_eal_init("--no-huge", NULL) > 0, "init");
	DPX_TEST_ASSERT_EQUAL(dpx_mem_event_callback_register(NULL, record, NULL), -EINVAL, "");
	DPX_TEST_ASSERT_EQUAL(dpx_mem_event_callback_register("a", NULL, NULL), -EINVAL, "");
	char longname[80];
	memset(longname, 'x', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	DPX_TEST_ASSERT_EQUAL(dpx_mem_event_callback_register(longname, record, NULL), -EINVAL, "");
	DPX_TEST_ASSERT_EQUAL(dpx_mem_event_callback_register("a", record, (void *)&name_a), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_mem_event_callback_register("a", record, (void *)&name_a), -EEXIST,
			      "");
	DPX_TEST_ASSERT_EQUAL(dpx_mem_event_callback_register("a", record, (void *)&name_b), 0,
			      "same name, other arg");
	DPX_TEST_ASSERT_EQUAL(dpx_mem_event_callback_unregister("a", NULL), -ENOENT, "");
	DPX_TEST_ASSERT_EQUAL(dpx_mem_event_callback_unregister(NULL, NULL), -EINVAL, "");
	DPX_TEST_ASSERT_EQUAL(dpx_mem_event_callback_unregister("a", (void *)&name_a), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_mem_event_callback_unregister("a", (void *)&name_a), -ENOENT, "");
	DPX_TEST_ASSERT_EQUAL(dpx_mem_event_callback_unregister("a", (void *)&name_b), 0, "");

	/* callbacks may not allocate or register: EDEADLK rather than a hang */
	DPX_TEST_ASSERT_EQUAL(dpx_mem_event_callback_register("r", reenter, NULL), 0, "");
	void *p = dpx_malloc("x", 10, 0);
	DPX_TEST_ASSERT(p != NULL, "");
	DPX_TEST_ASSERT_EQUAL(reentry_rc[0], EDEADLK, "dpx_malloc from a callback");
	DPX_TEST_ASSERT_EQUAL(reentry_rc[1], -EDEADLK, "register from a callback");
	DPX_TEST_ASSERT_EQUAL(reentry_rc[2], EDEADLK, "memzone from a callback");
	dpx_free(p);
	/* cleanup drops callbacks still registered */
	DPX_TEST_ASSERT_EQUAL(dpx_eal_cleanup(), 0, "");
	DPX_TEST_ASSERT(dpx_test_eal_init("--no-huge", NULL) > 0, "init");
	DPX_TEST_ASSERT_EQUAL(dpx_mem_event_callback_unregister("r", NULL), -ENOENT, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eal_cleanup(), 0, "");
	return DPX_TEST_SUCCESS;
}
DPX_TEST_REGISTER(mem_event_register_errors, fast, test_mem_event_register_errors);

struct walk_count {
	unsigned int segs, external, runs;
	size_t bytes, longest;
};

static int
count_seg(const struct dpx_memseg *ms, void *arg)
{
	struct walk_count *c = arg;

	c->segs++;
	c->bytes += ms->len;
	c->external += (ms->flags & DPX_MEMSEG_FLAG_EXTERNAL) != 0;
	return 0;
}

static int
count_run(const struct dpx_memseg *first, size_t len, void *arg)
{
	struct walk_count *c = arg;

	(void)first;
	c->runs++;
	c->longest = DPX_MAX(c->longest, len);
	return 0;
}

static int
stop_at_first(const struct dpx_memseg *ms, void *arg)
{
	(void)ms, (void)arg;
	return 7;
}

static int
test_memseg_walk_lookup(void)
{
	struct walk_count c = {0};

	DPX_TEST_ASSERT(dpx_test_eal_init("--no-huge", NULL) > 0, "init");
	DPX_TEST_ASSERT_EQUAL(dpx_memseg_walk(count_seg, &c), 0, "");
	DPX_TEST_ASSERT_EQUAL(c.segs, 0, "nothing mapped before the first allocation");
	uint8_t *p = dpx_malloc("x", 5u << 20, 0);
	DPX_TEST_ASSERT(p != NULL, "");
	DPX_TEST_ASSERT_EQUAL(dpx_memseg_walk(count_seg, &c), 0, "");
	DPX_TEST_ASSERT_EQUAL(c.segs, 3, "");
	DPX_TEST_ASSERT_EQUAL(c.bytes, 3 * UNIT, "");
	DPX_TEST_ASSERT_EQUAL(dpx_memseg_contig_walk(count_run, &c), 0, "");
	DPX_TEST_ASSERT_EQUAL(c.runs, 1, "");
	DPX_TEST_ASSERT_EQUAL(c.longest, 3 * UNIT, "");
	DPX_TEST_ASSERT_EQUAL(dpx_memseg_walk(stop_at_first, NULL), 7, "stops and returns");
	const struct dpx_memseg *ms = dpx_mem_virt2memseg(p + UNIT);
	DPX_TEST_ASSERT(ms != NULL, "");
	DPX_TEST_ASSERT(ms->addr == (void *)(((uintptr_t)p + UNIT) & ~(UNIT - 1)), "");
	DPX_TEST_ASSERT_EQUAL(ms->len, UNIT, "");
	DPX_TEST_ASSERT_EQUAL(ms->hugepage_sz, UNIT, "");
	DPX_TEST_ASSERT_EQUAL(ms->socket_id, 0, "");
	DPX_TEST_ASSERT_EQUAL(ms->flags, 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_mem_virt2iova(p + 12345), (uintptr_t)p + 12345, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eal_iova_mode(), DPX_IOVA_VA, "--no-huge runs IOVA as VA");
	int local;
	DPX_TEST_ASSERT(dpx_mem_virt2memseg(&local) == NULL && dpx_errno == ENOENT, "");
	DPX_TEST_ASSERT_EQUAL(dpx_mem_virt2iova(&local), DPX_BAD_IOVA, "");
	dpx_memseg_dump(stdout);
	dpx_free(p);
	DPX_TEST_ASSERT(dpx_mem_virt2memseg(p) == NULL, "released");
	DPX_TEST_ASSERT_EQUAL(dpx_eal_cleanup(), 0, "");
	return DPX_TEST_SUCCESS;
}
DPX_TEST_REGISTER(memseg_walk_lookup, fast, test_memseg_walk_lookup);

#define EXT_PAGES 16
#define EXT_PAGE 4096u

static int
test_extmem_register(void)
{
	dpx_iova_t iova[EXT_PAGES];
	struct walk_count c = {0};
	size_t len = EXT_PAGES * EXT_PAGE;
	uint8_t *va = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	DPX_TEST_ASSERT(va != MAP_FAILED, "");
	/* two IOVA runs: pages 0-7 and 8-15 */
	for (unsigned int i = 0; i < EXT_PAGES; i++)
		iova[i] = (i < 8 ? 0x100000000ULL : 0x200000000ULL) + (i % 8) * EXT_PAGE;
	DPX_TEST_ASSERT(dpx_test_eal_init("--no-huge", NULL) > 0, "init");
	n_events = 0;
	refuse_with = -EIO;
	DPX_TEST_ASSERT_EQUAL(dpx_mem_event_callback_register("b", record, (void *)&name_b), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_extmem_register(va, len, iova, EXT_PAGES, EXT_PAGE), -EIO,
			      "a refusal fails the register");
	DPX_TEST_ASSERT(dpx_mem_virt2memseg(va) == NULL, "not registered");
	DPX_TEST_ASSERT_EQUAL(dpx_mem_event_callback_unregister("b", (void *)&name_b), 0, "");

	n_events = 0;
	DPX_TEST_ASSERT_EQUAL(dpx_mem_event_callback_register("a", record, (void *)&name_a), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_extmem_register(va + 1, len, iova, EXT_PAGES, EXT_PAGE), -EINVAL,
			      "unaligned");
	DPX_TEST_ASSERT_EQUAL(dpx_extmem_register(va, len, iova, EXT_PAGES - 1, EXT_PAGE), -EINVAL,
			      "page count disagrees");
	DPX_TEST_ASSERT_EQUAL(dpx_extmem_register(va, len, iova, EXT_PAGES, 3000), -EINVAL, "");
	DPX_TEST_ASSERT_EQUAL(dpx_extmem_register((void *)(0 - 2 * (uintptr_t)EXT_PAGE),
						  4 * EXT_PAGE, NULL, 4, EXT_PAGE),
			      -EINVAL, "range wraps past the end of the address space");
	DPX_TEST_ASSERT_EQUAL(n_events, 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_extmem_register(va, len, iova, EXT_PAGES, EXT_PAGE), 0, "");
	DPX_TEST_RUN(expect_event(0, 'A', DPX_MEM_EVENT_ALLOC, va, len));
	DPX_TEST_ASSERT_EQUAL(dpx_extmem_register(va + EXT_PAGE, EXT_PAGE, NULL, 1, EXT_PAGE),
			      -EEXIST, "overlap");

	const struct dpx_memseg *ms = dpx_mem_virt2memseg(va + 9 * EXT_PAGE + 10);
	DPX_TEST_ASSERT(ms != NULL && ms->addr == va + 9 * EXT_PAGE, "");
	DPX_TEST_ASSERT_EQUAL(ms->flags, DPX_MEMSEG_FLAG_EXTERNAL, "");
	DPX_TEST_ASSERT_EQUAL(ms->socket_id, DPX_SOCKET_ID_ANY, "");
	DPX_TEST_ASSERT_EQUAL(ms->len, EXT_PAGE, "");
	DPX_TEST_ASSERT_EQUAL(dpx_mem_virt2iova(va + 9 * EXT_PAGE + 10), iova[9] + 10, "");
	DPX_TEST_ASSERT_EQUAL(dpx_memseg_walk(count_seg, &c), 0, "");
	DPX_TEST_ASSERT_EQUAL(c.segs, EXT_PAGES, "");
	DPX_TEST_ASSERT_EQUAL(c.external, EXT_PAGES, "");
	DPX_TEST_ASSERT_EQUAL(dpx_memseg_contig_walk(count_run, &c), 0, "");
	DPX_TEST_ASSERT_EQUAL(c.runs, 2, "split where the IOVA jumps");
	DPX_TEST_ASSERT_EQUAL(c.longest, 8 * EXT_PAGE, "");
	/* external memory is not heap memory */
	dpx_free(va + 64);

	DPX_TEST_ASSERT_EQUAL(dpx_extmem_unregister(va, len - EXT_PAGE), -EINVAL, "length differs");
	DPX_TEST_ASSERT_EQUAL(dpx_extmem_unregister(va + len, EXT_PAGE), -ENOENT, "");
	DPX_TEST_ASSERT_EQUAL(n_events, 1, "");
	DPX_TEST_ASSERT_EQUAL(dpx_extmem_unregister(va, len), 0, "");
	DPX_TEST_RUN(expect_event(1, 'A', DPX_MEM_EVENT_FREE, va, len));
	DPX_TEST_ASSERT(dpx_mem_virt2memseg(va) == NULL, "");
	DPX_TEST_ASSERT_EQUAL(dpx_mem_virt2iova(va), DPX_BAD_IOVA, "");
	DPX_TEST_ASSERT_EQUAL(dpx_extmem_unregister(va, len), -ENOENT, "");

	/* without IOVAs: known, translation unknown; cleanup forgets it */
	DPX_TEST_ASSERT_EQUAL(dpx_extmem_register(va, len, NULL, EXT_PAGES, EXT_PAGE), 0, "");
	DPX_TEST_ASSERT(dpx_mem_virt2memseg(va) != NULL, "");
	DPX_TEST_ASSERT_EQUAL(dpx_mem_virt2iova(va), DPX_BAD_IOVA, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eal_cleanup(), 0, "");
	DPX_TEST_RUN(expect_event(3, 'A', DPX_MEM_EVENT_FREE, va, len));
	va[0] = 1; /* still the caller's memory */
	munmap(va, len);
	return DPX_TEST_SUCCESS;
}
DPX_TEST_REGISTER(extmem_register, fast, test_extmem_register);

static int
is_mapped(const void *addr)
{
	char perms[8];

	return find_mapping(addr, perms);
}

/* Sum of mapping sizes, leaving out the brk heap (libc's, not ours). */
static size_t
mapped_bytes(void)
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[512];
	size_t total = 0;

	while (f != NULL && fgets(line, sizeof(line), f) != NULL) {
		unsigned long lo, hi;
		if (sscanf(line, "%lx-%lx", &lo, &hi) == 2 && strstr(line, "[heap]") == NULL)
			total += hi - lo;
	}
	if (f != NULL)
		fclose(f);
	return total;
}

static int
test_mem_cleanup_leaves_nothing(void)
{
	/* warm up libc and the EAL once so their own one-time mappings are in the baseline */
	DPX_TEST_ASSERT(dpx_test_eal_init("--no-huge", NULL) > 0, "init");
	dpx_free(dpx_malloc("warm", 10, 0));
	DPX_TEST_ASSERT_EQUAL(dpx_eal_cleanup(), 0, "");
	int fds = dpx_test_count_fds();
	size_t bytes = mapped_bytes();

	DPX_TEST_ASSERT(dpx_test_eal_init("--no-huge", NULL) > 0, "init");
	void *leak = dpx_malloc("leaked on purpose", 7u << 20, 0);
	DPX_TEST_ASSERT(leak != NULL, "");
	DPX_TEST_ASSERT(dpx_memzone_reserve("left", 4096, -1, 0) != NULL, "");
	DPX_TEST_ASSERT_EQUAL(dpx_mem_event_callback_register("a", record, (void *)&name_a), 0, "");
	DPX_TEST_ASSERT(mapped_bytes() > bytes, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eal_cleanup(), 0, "");

	DPX_TEST_ASSERT_EQUAL(dpx_test_count_fds(), fds, "fds");
	/* our smallest mapping is a 2 MB unit (the reservation is GBs); sanitizer runtimes
	 * may map a little of their own meanwhile */
	size_t now = mapped_bytes();
	DPX_TEST_ASSERT(now < bytes + UNIT, "mappings (/proc/self/maps): %zu bytes more",
			now - bytes);
	DPX_TEST_ASSERT(dpx_mem_virt2memseg(leak) == NULL, "");
	DPX_TEST_ASSERT(!is_mapped(leak), "the leaked allocation's page is gone");
	return DPX_TEST_SUCCESS;
}
DPX_TEST_REGISTER(mem_cleanup_leaves_nothing, fast, test_mem_cleanup_leaves_nothing);

/*
 * Lcores grow and shrink the heap while another registers and unregisters
 * external memory in a loop. The callback checks that
 * events never overlap in time (the hotplug lock), that an ALLOC never covers
 * a page already announced, and that a FREE only covers announced pages; at
 * the end every announced page has been freed.
 */
#define TRACK_PAGES 4096

static int cb_inside, cb_violations;
static uint8_t announced[TRACK_PAGES];
static uintptr_t track_base;
static uint8_t *ext_area; /* registered and unregistered in a loop by one lcore */
static int ext_announced;

static int
track(enum dpx_mem_event ev, const void *addr, size_t len, void *arg)
{
	(void)arg;
	if (__atomic_fetch_add(&cb_inside, 1, __ATOMIC_ACQUIRE) != 0)
		cb_violations++;
	/* widen the window a concurrent event would hit */
	for (volatile int spin = 0; spin < 2000; spin++)
		;
	if (addr == ext_area) {
		if (ext_announced != (ev == DPX_MEM_EVENT_FREE))
			cb_violations++;
		ext_announced = ev == DPX_MEM_EVENT_ALLOC;
		__atomic_fetch_sub(&cb_inside, 1, __ATOMIC_RELEASE);
		return 0;
	}
	if (track_base == 0)
		track_base = (uintptr_t)addr - (TRACK_PAGES / 2) * UNIT;
	for (size_t off = 0; off < len; off += UNIT) {
		size_t pg = ((uintptr_t)addr + off - track_base) / UNIT;
		if (pg >= TRACK_PAGES || announced[pg] != (ev == DPX_MEM_EVENT_ALLOC ? 0 : 1))
			cb_violations++;
		else
			announced[pg] = ev == DPX_MEM_EVENT_ALLOC;
	}
	__atomic_fetch_sub(&cb_inside, 1, __ATOMIC_RELEASE);
	return 0;
}

static int
extmem_worker(void)
{
	for (int it = 0; it < 3000; it++) {
		if (dpx_extmem_register(ext_area, 16 * 4096, NULL, 16, 4096) != 0 ||
		    dpx_extmem_unregister(ext_area, 16 * 4096) != 0)
			return -1;
	}
	return 0;
}

static int
grow_shrink_worker(void *arg)
{
	uint64_t seed = 0x2545f4914f6cdd1dULL * (dpx_lcore_id() + 3);
	void *held[8] = {NULL};

	(void)arg;
	if (dpx_lcore_id() == 3)
		return extmem_worker();
	for (int it = 0; it < 3000; it++) {
		dpx_test_rand(&seed);
		void **slot = &held[seed % 8];
		if (*slot != NULL) {
			dpx_free(*slot);
			*slot = NULL;
		} else {
			size_t size = 1 + (seed >> 16) % (5u << 20);
			if ((*slot = dpx_malloc("gs", size, 0)) == NULL)
				return -1;
			((volatile uint8_t *)*slot)[0] = 1;
			((volatile uint8_t *)*slot)[size - 1] = 1;
		}
	}
	for (int i = 0; i < 8; i++)
		dpx_free(held[i]);
	return 0;
}

/* Four lcores over two CPUs when this process may use two (real parallelism), else one. */
static void
lcore_map_two_cpus(char *map, size_t n)
{
	cpu_set_t set;
	int cpus[2] = {sched_getcpu(), sched_getcpu()}, found = 0;

	if (sched_getaffinity(0, sizeof(set), &set) == 0)
		for (int c = 0; c < CPU_SETSIZE && found < 2; c++)
			if (CPU_ISSET(c, &set))
				cpus[found++] = c;
	snprintf(map, n, "0-1@%d,2-3@%d", cpus[0], found == 2 ? cpus[1] : cpus[0]);
}

static int
test_mem_event_concurrent_serialised(void)
{
	char map[32];
	unsigned int i;

	ext_area = mmap(NULL, 16 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	DPX_TEST_ASSERT(ext_area != MAP_FAILED, "");
	lcore_map_two_cpus(map, sizeof(map));
	DPX_TEST_ASSERT(dpx_test_eal_init("--no-huge", "--lcores", map, NULL) > 0, "init %s", map);
	DPX_TEST_ASSERT_EQUAL(dpx_mem_event_callback_register("track", track, NULL), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eal_mp_remote_launch(grow_shrink_worker, NULL, 0), 0, "");
	DPX_TEST_ASSERT_EQUAL(grow_shrink_worker(NULL), 0, "main lcore");
	DPX_LCORE_FOREACH_WORKER(i)
		DPX_TEST_ASSERT_EQUAL(dpx_eal_wait_lcore(i), 0, "lcore %u", i);
	DPX_TEST_ASSERT_EQUAL(cb_violations, 0, "events overlapped or did not match");
	for (unsigned int p = 0; p < TRACK_PAGES; p++)
		DPX_TEST_ASSERT_EQUAL(announced[p], 0, "page %u announced and never freed", p);
	DPX_TEST_ASSERT(track_base != 0, "events were seen");
	DPX_TEST_ASSERT_EQUAL(ext_announced, 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eal_cleanup(), 0, "");
	munmap(ext_area, 16 * 4096);
	return DPX_TEST_SUCCESS;
}
DPX_TEST_REGISTER(mem_event_concurrent_serialised, fast, test_mem_event_concurrent_serialised);

/*
 * When the address space for the memseg lists cannot be reserved (here an
 * RLIMIT_AS below the 64 GB a node reserves), init fails with -ENOMEM and
 * rolls back without touching lists it never built. Run in a child so the
 * limit stays there.
 */
static int
test_mem_reserve_failure(void)
{
#if defined(__SANITIZE_ADDRESS__)
	DPX_TEST_SKIP("AddressSanitizer needs the address space this case takes away");
#else
	pid_t pid = fork();

	if (pid == 0) {
		struct rlimit lim = {.rlim_cur = (rlim_t)8 << 30, .rlim_max = (rlim_t)8 << 30};
		if (setrlimit(RLIMIT_AS, &lim) != 0)
			_exit(100);
		int rc = dpx_test_eal_init("--no-huge", "-l", "0", NULL);
		if (rc >= 0) {
			dpx_eal_cleanup();
			_exit(101);
		}
		_exit(rc == -ENOMEM && !dpx_eal_is_initialized() ? 0 : 102);
	}
	int status;
	DPX_TEST_ASSERT(pid > 0 && waitpid(pid, &status, 0) == pid, "fork/wait");
	DPX_TEST_ASSERT(WIFEXITED(status), "child died with signal %d",
			WIFSIGNALED(status) ? WTERMSIG(status) : 0);
	DPX_TEST_ASSERT_EQUAL(WEXITSTATUS(status), 0, "100: setrlimit, 101: init succeeded, "
			      "102: wrong error");
	return DPX_TEST_SUCCESS;
#endif
}
DPX_TEST_REGISTER(mem_reserve_failure, nosan, test_mem_reserve_failure);
