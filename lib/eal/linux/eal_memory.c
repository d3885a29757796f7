/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Memseg lists and page hotplug. Per NUMA node one virtual area is reserved
 * (PROT_NONE) at init; slot i of the area is page i. Growing maps pages into
 * free slots (MAP_FIXED over the reservation), fills their memsegs and then
 * delivers ALLOC; shrinking delivers FREE and then puts the reservation back
 * over the pages. External memory gets lists of its own.
 *
 * Every heap page is backed by a file descriptor the EAL keeps open while the
 * page is mapped, so a vhost-user back-end can map the same memory
 * (dpx_memseg_get_fd): a hugetlbfs file per page by default; with --in-memory
 * and --no-huge one sealed memfd per list (hugetlb or shmem), page i at offset
 * i * page size, released by punching its hole. One fd per list lets
 * neighbouring pages travel as one region.
 *
 * Locks: the hotplug lock (eal_mem_event.c) serialises every change and every
 * event; list_lock (a rwlock) guards memseg contents for lookups and walks,
 * taken for writing only briefly and never while a callback runs, so
 * callbacks may walk and translate.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <numa.h>
#include <numaif.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <dpx_malloc.h>

#include "eal_hugepage_info.h"
#include "eal_memory_private.h"

DPX_LOG_REGISTER(memory_logtype, "lib.memory");

#define NO_HUGE_PAGE_SZ ((size_t)2 << 20)
#define DEFAULT_VA_PER_SOCKET ((uint64_t)64 << 30)
#define MSL_MAX_EXTERNAL 64
#define MSL_MAX (DPX_MAX_NUMA_NODES + MSL_MAX_EXTERNAL)

struct memseg_list {
	uint8_t *base;          /* first page; NULL: slot unused */
	void *reserved;         /* mmap'ed reservation (base aligned inside it) */
	size_t reserved_len;
	size_t page_sz;
	unsigned int n_pages;
	int socket_id;
	bool external;
	struct dpx_memseg *segs; /* n_pages; len 0 = slot not mapped */
	int fd;                  /* --in-memory / --no-huge: the list's memfd, else -1 */
	int *page_fds;           /* hugetlbfs files: n_pages fds, -1 when not mapped */
};

static struct {
	struct memseg_list lists[MSL_MAX]; /* [0, DPX_MAX_NUMA_NODES): node lists */
	pthread_rwlock_t list_lock;
	size_t page_sz;
	unsigned int n_sockets;
	bool no_huge, in_memory, multi_node;
	char huge_dir[PATH_MAX];
	char prefix[EAL_FILE_PREFIX_MAX];
	enum dpx_iova_mode iova_mode;
	int pagemap_fd;
	uint64_t cap_total, mapped_total;
	uint64_t cap_socket[DPX_MAX_NUMA_NODES], mapped_socket[DPX_MAX_NUMA_NODES];
	bool up;
} mem = {.list_lock = PTHREAD_RWLOCK_INITIALIZER, .pagemap_fd = -1};

size_t
eal_mem_page_size(void)
{
	return mem.page_sz;
}

unsigned int
eal_mem_socket_count(void)
{
	return mem.n_sockets;
}

bool
eal_mem_socket_valid(int socket)
{
	return mem.up && socket >= 0 && (unsigned int)socket < mem.n_sockets;
}

enum dpx_iova_mode
eal_mem_iova_mode(void)
{
	return mem.up ? mem.iova_mode : DPX_IOVA_DC;
}

/* ---- lookups and walks ---- */

/* Where page idx of a list lives in the list's memfd. */
static off_t
page_offset(unsigned int idx)
{
	return (off_t)idx * (off_t)mem.page_sz;
}

static struct dpx_memseg *
lookup_locked(const void *addr, struct memseg_list **lp)
{
	uintptr_t a = (uintptr_t)addr;

	for (unsigned int i = 0; i < MSL_MAX; i++) {
		struct memseg_list *l = &mem.lists[i];
		uintptr_t base = (uintptr_t)l->base;
		if (l->base == NULL || a < base || a - base >= (uintptr_t)l->n_pages * l->page_sz)
			continue;
		struct dpx_memseg *ms = &l->segs[(a - base) / l->page_sz];
		if (lp != NULL)
			*lp = l;
		return ms->len != 0 ? ms : NULL;
	}
	return NULL;
}

const struct dpx_memseg *
dpx_mem_virt2memseg(const void *addr)
{
	const struct dpx_memseg *ms;

	pthread_rwlock_rdlock(&mem.list_lock);
	ms = lookup_locked(addr, NULL);
	pthread_rwlock_unlock(&mem.list_lock);
	if (ms == NULL)
		dpx_errno = ENOENT;
	return ms;
}

dpx_iova_t
dpx_mem_virt2iova(const void *addr)
{
	dpx_iova_t iova = DPX_BAD_IOVA;
	const struct dpx_memseg *ms;

	pthread_rwlock_rdlock(&mem.list_lock);
	ms = lookup_locked(addr, NULL);
	if (ms != NULL && ms->iova != DPX_BAD_IOVA)
		iova = ms->iova + DPX_PTR_DIFF(addr, ms->addr);
	pthread_rwlock_unlock(&mem.list_lock);
	return iova;
}

dpx_iova_t
dpx_malloc_virt2iova(const void *addr)
{
	return dpx_mem_virt2iova(addr);
}

int
dpx_memseg_walk(dpx_memseg_walk_t *fn, void *arg)
{
	int rc = 0;

	pthread_rwlock_rdlock(&mem.list_lock);
	for (unsigned int i = 0; i < MSL_MAX && rc == 0; i++)
		for (unsigned int p = 0; p < mem.lists[i].n_pages && rc == 0; p++)
			if (mem.lists[i].segs[p].len != 0)
				rc = fn(&mem.lists[i].segs[p], arg);
	pthread_rwlock_unlock(&mem.list_lock);
	return rc;
}

static int
contig_walk_list(const struct memseg_list *l, dpx_memseg_contig_walk_t *fn, void *arg)
{
	for (unsigned int p = 0; p < l->n_pages;) {
		const struct dpx_memseg *first = &l->segs[p];
		size_t len = 0;
		if (first->len == 0) {
			p++;
			continue;
		}
		/* extend while the next page is mapped and its IOVA follows on */
		do {
			len += l->segs[p].len;
			p++;
		} while (p < l->n_pages && l->segs[p].len != 0 &&
			 (first->iova == DPX_BAD_IOVA ?
				  l->segs[p].iova == DPX_BAD_IOVA :
				  l->segs[p].iova == first->iova + len));
		int rc = fn(first, len, arg);
		if (rc != 0)
			return rc;
	}
	return 0;
}

int
dpx_memseg_contig_walk(dpx_memseg_contig_walk_t *fn, void *arg)
{
	int rc = 0;

	pthread_rwlock_rdlock(&mem.list_lock);
	for (unsigned int i = 0; i < MSL_MAX && rc == 0; i++)
		if (mem.lists[i].base != NULL)
			rc = contig_walk_list(&mem.lists[i], fn, arg);
	pthread_rwlock_unlock(&mem.list_lock);
	return rc;
}

/* The fd and offset behind the page at ms; caller holds list_lock. */
static int
seg_fd_locked(const struct dpx_memseg *ms, int *fd, uint64_t *offset)
{
	struct memseg_list *l = NULL;
	const struct dpx_memseg *found = lookup_locked(ms->addr, &l);
	unsigned int idx;

	if (found == NULL || found != ms)
		return -ENOENT;
	if (l->external)
		return -ENOTSUP;
	idx = (unsigned int)(DPX_PTR_DIFF(ms->addr, l->base) / l->page_sz);
	if (l->fd >= 0) {
		*fd = l->fd;
		*offset = (uint64_t)page_offset(idx);
	} else {
		*fd = l->page_fds[idx];
		*offset = 0;
	}
	return 0;
}

int
dpx_memseg_get_fd(const struct dpx_memseg *ms, int *fd, uint64_t *offset)
{
	int rc;

	if (ms == NULL || fd == NULL || offset == NULL)
		return -EINVAL;
	pthread_rwlock_rdlock(&mem.list_lock);
	rc = seg_fd_locked(ms, fd, offset);
	pthread_rwlock_unlock(&mem.list_lock);
	return rc;
}

/* Does seg continue run (VA, same fd, next offset)? */
static bool
fd_run_extends(const struct dpx_memseg_fd_run *run, const struct dpx_memseg *seg, int fd,
	       uint64_t off)
{
	return seg->addr == DPX_PTR_ADD(run->va, run->len) && fd == run->fd &&
	       off == run->offset + run->len;
}

static int
fd_walk_list(const struct memseg_list *l, dpx_memseg_fd_walk_t *fn, void *arg)
{
	struct dpx_memseg_fd_run run = {.fd = -1};
	int fd, rc;
	uint64_t off;

	for (unsigned int p = 0; p < l->n_pages; p++) {
		if (l->segs[p].len == 0 || seg_fd_locked(&l->segs[p], &fd, &off) != 0)
			continue;
		if (run.len != 0 && fd_run_extends(&run, &l->segs[p], fd, off)) {
			run.len += l->segs[p].len;
			continue;
		}
		if (run.len != 0 && (rc = fn(&run, arg)) != 0)
			return rc;
		run = (struct dpx_memseg_fd_run){l->segs[p].addr, l->segs[p].len, fd, off};
	}
	return run.len != 0 ? fn(&run, arg) : 0;
}

int
dpx_memseg_fd_walk(dpx_memseg_fd_walk_t *fn, void *arg)
{
	int rc = 0;

	if (fn == NULL)
		return -EINVAL;
	pthread_rwlock_rdlock(&mem.list_lock);
	for (unsigned int i = 0; i < MSL_MAX && rc == 0; i++)
		if (mem.lists[i].base != NULL && !mem.lists[i].external)
			rc = fd_walk_list(&mem.lists[i], fn, arg);
	pthread_rwlock_unlock(&mem.list_lock);
	return rc;
}

void
dpx_memseg_dump(FILE *f)
{
	pthread_rwlock_rdlock(&mem.list_lock);
	for (unsigned int i = 0; i < MSL_MAX; i++) {
		const struct memseg_list *l = &mem.lists[i];
		if (l->base == NULL)
			continue;
		fprintf(f, "memseg list %u: %s socket %d, %zu kB pages, %u slots at %p\n", i,
			l->external ? "external" : "heap", l->socket_id, l->page_sz >> 10,
			l->n_pages, (void *)l->base);
		for (unsigned int p = 0; p < l->n_pages; p++)
			if (l->segs[p].len != 0)
				fprintf(f, "  seg %u: va %p iova 0x%" PRIx64 " len %zu\n", p,
					l->segs[p].addr, l->segs[p].iova, l->segs[p].len);
	}
	pthread_rwlock_unlock(&mem.list_lock);
}

/* ---- mapping one page ---- */

static void
page_file(char *path, size_t n, int socket, unsigned int idx)
{
	snprintf(path, n, "%s/%s_map_%d_%u", mem.huge_dir, mem.prefix, socket, idx);
}

/* Put the PROT_NONE reservation back over a slot (frees whatever was mapped there). */
static void
page_unreserve(void *addr)
{
	if (mmap(addr, mem.page_sz, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED,
		 -1, 0) == MAP_FAILED)
		MEM_LOG(ERR, "cannot restore the reservation at %p: %s", addr, strerror(errno));
}

static void
page_unmap(const struct memseg_list *l, unsigned int idx)
{
	char path[PATH_MAX + 128];

	page_unreserve(l->base + (size_t)idx * mem.page_sz);
	if (l->fd >= 0) {
		/* the memory goes back to the system even while a peer still maps the fd */
		if (fallocate(l->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, page_offset(idx),
			      (off_t)mem.page_sz) != 0)
			MEM_LOG(ERR, "cannot release page %u of node %d: %s", idx, l->socket_id,
				strerror(errno));
	} else if (l->page_fds != NULL) {
		if (l->page_fds[idx] >= 0)
			close(l->page_fds[idx]);
		l->page_fds[idx] = -1;
		page_file(path, sizeof(path), l->socket_id, idx);
		unlink(path);
	}
}

/* The hugetlbfs file of one page (kept open while the page is mapped). */
static int
hugepage_file_open(int socket, unsigned int idx)
{
	char path[PATH_MAX + 128];
	int fd;

	page_file(path, sizeof(path), socket, idx);
	fd = open(path, O_CREAT | O_RDWR | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	if (ftruncate(fd, (off_t)mem.page_sz) != 0) {
		int err = errno;
		close(fd);
		unlink(path);
		return -err;
	}
	return fd;
}

/* Map the hugepage at addr, preferring node socket; -ENOMEM when none can be had there. */
static int
hugepage_map(struct memseg_list *l, void *addr, unsigned int idx)
{
	unsigned long nodemask = 1UL << l->socket_id;
	int fd = l->fd, err = 0, node = -1;
	off_t off = page_offset(idx);
	void *p;

	if (fd < 0) {
		fd = hugepage_file_open(l->socket_id, idx);
		if (fd < 0)
			return fd;
		l->page_fds[idx] = fd;
		off = 0;
	}
	if (mem.multi_node)
		set_mempolicy(MPOL_PREFERRED, &nodemask, sizeof(nodemask) * 8);
	p = mmap(addr, mem.page_sz, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED | MAP_POPULATE,
		 fd, off);
	if (p == MAP_FAILED)
		err = errno;
	if (mem.multi_node)
		set_mempolicy(MPOL_DEFAULT, NULL, 0);
	if (err == 0 && mem.multi_node &&
	    get_mempolicy(&node, NULL, 0, addr, MPOL_F_NODE | MPOL_F_ADDR) == 0 &&
	    node != l->socket_id)
		err = ENOMEM; /* preferred node was out of pages: the page came from another */
	return -err;
}

static dpx_iova_t
page_iova(void *addr)
{
	uint64_t pfn;

	if (mem.iova_mode != DPX_IOVA_PA)
		return (dpx_iova_t)(uintptr_t)addr;
	pfn = eal_pagemap_pfn(mem.pagemap_fd, addr);
	return pfn == 0 ? DPX_BAD_IOVA : pfn * (uint64_t)sysconf(_SC_PAGESIZE);
}

static int
page_map(struct memseg_list *l, unsigned int idx, struct dpx_memseg *ms)
{
	void *addr = l->base + (size_t)idx * mem.page_sz;
	int rc = 0;

	if (mem.no_huge) {
		/* shared, not private: a vhost-user back-end maps the same pages */
		if (mmap(addr, mem.page_sz, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, l->fd,
			 page_offset(idx)) == MAP_FAILED)
			rc = -errno;
		else if (mem.multi_node) {
			unsigned long nodemask = 1UL << l->socket_id;
			mbind(addr, mem.page_sz, MPOL_PREFERRED, &nodemask, sizeof(nodemask) * 8, 0);
		}
	} else {
		rc = hugepage_map(l, addr, idx);
	}
	if (rc != 0) {
		page_unmap(l, idx);
		return rc;
	}
	*ms = (struct dpx_memseg){.addr = addr, .iova = page_iova(addr), .len = mem.page_sz,
				  .hugepage_sz = mem.page_sz, .socket_id = l->socket_id};
	return 0;
}

/* ---- growing and shrinking ---- */

/* First run of n unmapped slots, or -1. */
static long
find_free_run(const struct memseg_list *l, unsigned int n)
{
	unsigned int run = 0;

	for (unsigned int p = 0; p < l->n_pages; p++) {
		run = l->segs[p].len == 0 ? run + 1 : 0;
		if (run == n)
			return (long)(p + 1 - n);
	}
	return -1;
}

static int
check_caps(int socket, size_t len)
{
	if (mem.cap_total != 0 && mem.mapped_total + len > mem.cap_total) {
		MEM_LOG(ERR, "cannot take %zu more bytes: -m cap of %" PRIu64 " MB reached (%" PRIu64
			     " MB mapped)",
			len, mem.cap_total >> 20, mem.mapped_total >> 20);
		return -ENOMEM;
	}
	if (mem.mapped_socket[socket] + len > mem.cap_socket[socket]) {
		MEM_LOG(ERR, "cannot take %zu more bytes on node %d: --socket-mem cap of %" PRIu64
			     " MB reached (%" PRIu64 " MB mapped)",
			len, socket, mem.cap_socket[socket] >> 20, mem.mapped_socket[socket] >> 20);
		return -ENOMEM;
	}
	return 0;
}

static void
report_shortage(int socket, unsigned int n, unsigned int done, int rc)
{
	if (mem.no_huge || rc != -ENOMEM) {
		MEM_LOG(ERR, "cannot map %u pages of %zu kB on node %d: %s", n, mem.page_sz >> 10,
			socket, dpx_strerror(rc));
		return;
	}
	long free_pages = eal_huge_pages(mem.page_sz, socket, 0) + done;
	long want = eal_huge_pages(mem.page_sz, socket, 1) + (long)(n - done);
	MEM_LOG(ERR,
		"need %u hugepages of %zu kB on node %d, got %u (%ld were free on the node): %s; "
		"reserve more with: usertools/dpx-hugepages reserve %ld --node %d (or: echo %ld > "
		"/sys/devices/system/node/node%d/hugepages/hugepages-%zukB/nr_hugepages)",
		n, mem.page_sz >> 10, socket, done, free_pages, dpx_strerror(rc), want, socket, want,
		socket, mem.page_sz >> 10);
}

static void
publish(struct memseg_list *l, unsigned int first, unsigned int n, const struct dpx_memseg *segs,
	int sign)
{
	size_t len = (size_t)n * mem.page_sz;

	pthread_rwlock_wrlock(&mem.list_lock);
	for (unsigned int i = 0; i < n; i++) {
		if (sign > 0)
			l->segs[first + i] = segs[i];
		else
			memset(&l->segs[first + i], 0, sizeof(l->segs[0]));
	}
	pthread_rwlock_unlock(&mem.list_lock);
	if (!l->external) {
		mem.mapped_total = sign > 0 ? mem.mapped_total + len : mem.mapped_total - len;
		mem.mapped_socket[l->socket_id] = sign > 0 ? mem.mapped_socket[l->socket_id] + len :
							     mem.mapped_socket[l->socket_id] - len;
	}
}

/* Map n pages at slots [first, first+n) into segs; on failure none stay mapped. */
static int
map_run(struct memseg_list *l, unsigned int first, unsigned int n, struct dpx_memseg *segs)
{
	for (unsigned int i = 0; i < n; i++) {
		int rc = page_map(l, first + i, &segs[i]);
		if (rc != 0) {
			report_shortage(l->socket_id, n, i, rc);
			while (i-- > 0)
				page_unmap(l, first + i);
			return rc;
		}
	}
	return 0;
}

/* len is a whole number of pages, at most the size of the list (so n did not wrap). */
static int
pages_alloc_locked(struct memseg_list *l, size_t len, void **va)
{
	unsigned int n = (unsigned int)(len / mem.page_sz);
	struct dpx_memseg *segs;
	long first;
	int rc = check_caps(l->socket_id, len);

	if (rc != 0)
		return rc;
	first = find_free_run(l, n);
	if (first < 0) {
		MEM_LOG(ERR, "no run of %u free slots in the %u-page area of node %d", n,
			l->n_pages, l->socket_id);
		return -ENOMEM;
	}
	segs = calloc(n, sizeof(*segs));
	if (segs == NULL)
		return -ENOMEM;
	rc = map_run(l, (unsigned int)first, n, segs);
	if (rc == 0) {
		/* memsegs first: callbacks translate the new pages (virt2iova) */
		publish(l, (unsigned int)first, n, segs, 1);
		*va = l->base + (size_t)first * mem.page_sz;
		rc = eal_mem_event_notify_alloc(*va, len);
		if (rc != 0) {
			publish(l, (unsigned int)first, n, NULL, -1);
			for (unsigned int i = 0; i < n; i++)
				page_unmap(l, (unsigned int)first + i);
		}
	}
	free(segs);
	return rc;
}

int
eal_mem_pages_alloc(int socket, size_t len, void **va)
{
	int rc;

	if (!eal_mem_socket_valid(socket) || len == 0 || len % mem.page_sz != 0)
		return -EINVAL;
	/* checked before anything adds len or casts the page count to 32 bits */
	if (len / mem.page_sz > mem.lists[socket].n_pages) {
		MEM_LOG(ERR, "cannot take %zu bytes on node %d: more than its %zu MB area", len,
			socket, ((size_t)mem.lists[socket].n_pages * mem.page_sz) >> 20);
		return -ENOMEM;
	}
	eal_mem_hotplug_lock();
	rc = pages_alloc_locked(&mem.lists[socket], len, va);
	eal_mem_hotplug_unlock();
	return rc;
}

void
eal_mem_pages_free(void *va, size_t len)
{
	struct memseg_list *l = NULL;
	unsigned int first, n = (unsigned int)(len / mem.page_sz);

	eal_mem_hotplug_lock();
	pthread_rwlock_rdlock(&mem.list_lock);
	lookup_locked(va, &l);
	pthread_rwlock_unlock(&mem.list_lock);
	if (l == NULL || l->external) {
		eal_mem_hotplug_unlock();
		MEM_LOG(ERR, "%p is not in a heap memseg list", va);
		return;
	}
	first = (unsigned int)(DPX_PTR_DIFF(va, l->base) / mem.page_sz);
	eal_mem_event_notify_free(va, len);
	publish(l, first, n, NULL, -1);
	for (unsigned int i = 0; i < n; i++)
		page_unmap(l, first + i);
	eal_mem_hotplug_unlock();
}

/* ---- external memory ---- */

static bool
overlaps_known(uintptr_t va, size_t len)
{
	for (unsigned int i = 0; i < MSL_MAX; i++) {
		const struct memseg_list *l = &mem.lists[i];
		uintptr_t base = (uintptr_t)l->base;
		if (l->base != NULL && va < base + (uintptr_t)l->n_pages * l->page_sz &&
		    base < va + len)
			return true;
	}
	return false;
}

static int
extmem_check(void *va, size_t len, unsigned int n_pages, size_t page_sz)
{
	if (va == NULL || len == 0 || n_pages == 0 || page_sz < 4096 ||
	    !DPX_IS_POWER_OF_2(page_sz) || ((uintptr_t)va & (page_sz - 1)) != 0 ||
	    len / page_sz != n_pages || len % page_sz != 0 || (uintptr_t)va + len < (uintptr_t)va) {
		MEM_LOG(ERR, "external memory %p len %zu: %u pages of %zu bytes do not describe it",
			va, len, n_pages, page_sz);
		return -EINVAL;
	}
	if (eal_mem_in_callback())
		return -EDEADLK;
	return 0;
}

static int
extmem_register_locked(void *va, size_t len, dpx_iova_t iova_addrs[], unsigned int n_pages,
		       size_t page_sz)
{
	struct memseg_list *l = NULL;
	int rc;

	if (overlaps_known((uintptr_t)va, len)) {
		MEM_LOG(ERR, "external memory %p len %zu overlaps memory already known", va, len);
		return -EEXIST;
	}
	for (unsigned int i = DPX_MAX_NUMA_NODES; i < MSL_MAX && l == NULL; i++)
		if (mem.lists[i].base == NULL)
			l = &mem.lists[i];
	if (l == NULL) {
		MEM_LOG(ERR, "no room for more than %d external memory areas", MSL_MAX_EXTERNAL);
		return -ENOSPC;
	}
	struct dpx_memseg *segs = calloc(n_pages, sizeof(*segs));
	if (segs == NULL)
		return -ENOMEM;
	for (unsigned int p = 0; p < n_pages; p++)
		segs[p] = (struct dpx_memseg){
			.addr = (uint8_t *)va + (size_t)p * page_sz,
			.iova = iova_addrs != NULL ? iova_addrs[p] : DPX_BAD_IOVA,
			.len = page_sz, .hugepage_sz = page_sz, .socket_id = DPX_SOCKET_ID_ANY,
			.flags = DPX_MEMSEG_FLAG_EXTERNAL};
	pthread_rwlock_wrlock(&mem.list_lock);
	*l = (struct memseg_list){.base = va, .page_sz = page_sz, .n_pages = n_pages,
				  .socket_id = DPX_SOCKET_ID_ANY, .external = true, .segs = segs,
				  .fd = -1};
	pthread_rwlock_unlock(&mem.list_lock);
	rc = eal_mem_event_notify_alloc(va, len);
	if (rc != 0) {
		pthread_rwlock_wrlock(&mem.list_lock);
		memset(l, 0, sizeof(*l));
		pthread_rwlock_unlock(&mem.list_lock);
		free(segs);
	}
	return rc;
}

int
dpx_extmem_register(void *va, size_t len, dpx_iova_t iova_addrs[], unsigned int n_pages,
		    size_t page_sz)
{
	int rc = extmem_check(va, len, n_pages, page_sz);

	if (rc != 0)
		return rc;
	eal_mem_hotplug_lock();
	rc = extmem_register_locked(va, len, iova_addrs, n_pages, page_sz);
	eal_mem_hotplug_unlock();
	return rc;
}

static void
extmem_drop(struct memseg_list *l)
{
	struct dpx_memseg *segs = l->segs;

	eal_mem_event_notify_free(l->base, (size_t)l->n_pages * l->page_sz);
	pthread_rwlock_wrlock(&mem.list_lock);
	memset(l, 0, sizeof(*l));
	pthread_rwlock_unlock(&mem.list_lock);
	free(segs);
}

int
dpx_extmem_unregister(void *va, size_t len)
{
	int rc = -ENOENT;

	if (eal_mem_in_callback())
		return -EDEADLK;
	eal_mem_hotplug_lock();
	for (unsigned int i = DPX_MAX_NUMA_NODES; i < MSL_MAX; i++) {
		struct memseg_list *l = &mem.lists[i];
		/* the first external area overlapping [va, va + max(len, 1)) */
		if (l->base == NULL ||
		    (uintptr_t)va >= (uintptr_t)l->base + (size_t)l->n_pages * l->page_sz ||
		    (uintptr_t)l->base >= (uintptr_t)va + (len == 0 ? 1 : len))
			continue;
		if (l->base != va || (size_t)l->n_pages * l->page_sz != len) {
			MEM_LOG(ERR, "%p len %zu is not a registered external area (%p len %zu)", va,
				len, (void *)l->base, (size_t)l->n_pages * l->page_sz);
			rc = -EINVAL;
			break;
		}
		extmem_drop(l);
		rc = 0;
		break;
	}
	eal_mem_hotplug_unlock();
	return rc;
}

/* ---- init and fini ---- */

static bool
iommu_present(void)
{
	return access("/sys/kernel/iommu_groups/0", F_OK) == 0;
}

static int
choose_iova_mode(const struct eal_options *o)
{
	static volatile int probe = 1; /* a touched page to read back from pagemap */
	bool phys = false;

	if (o->iova_mode == DPX_IOVA_PA && o->no_huge) {
		MEM_LOG(ERR, "--iova-mode=pa needs hugepages: --no-huge memory is not physically "
			     "contiguous within a page");
		return -EINVAL;
	}
	if (!o->no_huge && o->iova_mode != DPX_IOVA_VA) {
		mem.pagemap_fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
		phys = eal_pagemap_pfn(mem.pagemap_fd, (const void *)&probe) != 0;
	}
	mem.iova_mode = DPX_IOVA_VA;
	if (o->iova_mode == DPX_IOVA_PA && phys)
		mem.iova_mode = DPX_IOVA_PA;
	else if (o->iova_mode == DPX_IOVA_PA)
		MEM_LOG(WARNING, "--iova-mode=pa: physical addresses are unreadable from "
				 "/proc/self/pagemap (needs CAP_SYS_ADMIN); using IOVA as VA");
	else if (o->iova_mode == DPX_IOVA_DC)
		MEM_LOG(INFO, "IOVA mode VA chosen: %s",
			o->no_huge ? "--no-huge memory has no stable physical pages" :
			iommu_present() ? "an IOMMU translates device addresses" :
					  "no device in use needs physical addresses");
	if (mem.iova_mode != DPX_IOVA_PA && mem.pagemap_fd >= 0) {
		close(mem.pagemap_fd);
		mem.pagemap_fd = -1;
	}
	return 0;
}

static uint64_t
socket_cap(const struct eal_options *o, unsigned int s)
{
	return o->socket_mem_set ? o->socket_mem_mb[s] << 20 : UINT64_MAX;
}

/* How many pages the caps allow at most (what -m/--socket-mem ask to be available). */
static uint64_t
pages_wanted(const struct eal_options *o)
{
	uint64_t bytes = 0;

	if (o->socket_mem_set)
		for (unsigned int s = 0; s < mem.n_sockets; s++)
			bytes += o->socket_mem_mb[s] << 20;
	if (o->memory_mb != 0 && (bytes == 0 || (o->memory_mb << 20) < bytes))
		bytes = o->memory_mb << 20;
	return bytes == 0 ? 1 : (bytes + mem.page_sz - 1) / mem.page_sz;
}

/* --socket-mem: each node must have the pages its cap asks for. */
static int
check_node_pages(const struct eal_options *o)
{
	for (unsigned int s = 0; s < mem.n_sockets; s++) {
		uint64_t want = ((o->socket_mem_mb[s] << 20) + mem.page_sz - 1) / mem.page_sz;
		long free_pages = eal_huge_pages(mem.page_sz, (int)s, 0);
		if (want == 0 || (uint64_t)free_pages >= want)
			continue;
		uint64_t total = want + (uint64_t)eal_huge_pages(mem.page_sz, (int)s, 1) -
				 (uint64_t)free_pages;
		MEM_LOG(ERR, "--socket-mem: need %" PRIu64 " free hugepages of %zu kB on node %u, "
			     "%ld free: reserve them with 'usertools/dpx-hugepages reserve %" PRIu64
			     " --node %u'",
			want, mem.page_sz >> 10, s, free_pages, total, s);
		return -ENOMEM;
	}
	return 0;
}

static int
hugepage_setup(const struct eal_options *o)
{
	snprintf(mem.huge_dir, sizeof(mem.huge_dir), "%s", o->huge_dir);
	mem.page_sz = eal_huge_default_size();
	if (mem.page_sz == 0) {
		MEM_LOG(ERR, "this kernel has no hugepages (no Hugepagesize in /proc/meminfo): "
			     "run with --no-huge");
		return -ENOTSUP;
	}
	if (mem.huge_dir[0] != '\0' || !o->in_memory) {
		int rc = eal_huge_find_mount(mem.huge_dir, &mem.page_sz);
		if (rc == -EINVAL) {
			MEM_LOG(ERR, "--huge-dir %s is not a hugetlbfs mount", o->huge_dir);
			return rc;
		}
		if (rc != 0) {
			MEM_LOG(ERR, "no hugetlbfs mounted for %zu kB pages: mount one with "
				     "'usertools/dpx-hugepages mount' (or: mount -t hugetlbfs -o "
				     "pagesize=%zuM nodev /dev/hugepages), or run with --in-memory or "
				     "--no-huge",
				mem.page_sz >> 10, mem.page_sz >> 20);
			return -ENOENT;
		}
		if (!o->in_memory)
			eal_huge_remove_stale(mem.huge_dir, mem.prefix);
	}
	if (o->socket_mem_set && check_node_pages(o) != 0)
		return -ENOMEM;
	long free_pages = eal_huge_pages(mem.page_sz, -1, 0);
	uint64_t want = pages_wanted(o);
	if ((uint64_t)free_pages < want) {
		MEM_LOG(ERR, "need %" PRIu64 " free hugepages of %zu kB, %ld free: reserve them "
			     "with 'usertools/dpx-hugepages reserve %" PRIu64 "' (or: echo %" PRIu64
			     " > /sys/kernel/mm/hugepages/hugepages-%zukB/nr_hugepages), or run "
			     "with --no-huge",
			want, mem.page_sz >> 10, free_pages,
			want + (uint64_t)eal_huge_pages(mem.page_sz, -1, 1) - (uint64_t)free_pages,
			want + (uint64_t)eal_huge_pages(mem.page_sz, -1, 1) - (uint64_t)free_pages,
			mem.page_sz >> 10);
		return -ENOMEM;
	}
	MEM_LOG(INFO, "hugepages of %zu kB from %s, %ld free", mem.page_sz >> 10,
		o->in_memory ? "memfd (--in-memory)" : mem.huge_dir, free_pages);
	return 0;
}

/*
 * The fds behind a list's pages: one sealed memfd of the list's size (sparse:
 * pages are allocated as they are mapped), or room for one hugetlbfs file per
 * page. Sealed against shrinking and growing so a peer mapping it can never
 * be made to fault past its end.
 */
static int
list_backing_create(struct memseg_list *l, int socket, size_t len, unsigned int n_pages)
{
	unsigned int flags = MFD_CLOEXEC | MFD_ALLOW_SEALING;

	l->fd = -1;
	if (!mem.no_huge && !mem.in_memory) {
		l->page_fds = malloc(n_pages * sizeof(*l->page_fds));
		if (l->page_fds == NULL)
			return -ENOMEM;
		for (unsigned int i = 0; i < n_pages; i++)
			l->page_fds[i] = -1;
		return 0;
	}
	/* log2(page size) at bit 26: MFD_HUGE_SHIFT == MAP_HUGE_SHIFT (glibc lacks the former) */
	if (!mem.no_huge)
		flags |= MFD_HUGETLB | ((unsigned int)__builtin_ctzll(mem.page_sz) << MAP_HUGE_SHIFT);
	l->fd = memfd_create("dpx", flags);
	if (l->fd < 0 || ftruncate(l->fd, (off_t)len) != 0 ||
	    fcntl(l->fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) != 0) {
		int err = errno;
		MEM_LOG(ERR, "cannot create the %zu MB memfd of node %d: %s", len >> 20, socket,
			strerror(err));
		if (l->fd >= 0)
			close(l->fd);
		l->fd = -1;
		return -err;
	}
	return 0;
}

static int
reserve_list(struct memseg_list *l, int socket, uint64_t bytes)
{
	size_t len;
	void *p;

	/* n_pages is set only once segs exists: release_lists walks segs[0..n_pages) */
	unsigned int n_pages = (unsigned int)(bytes / mem.page_sz);

	l->fd = -1;
	l->socket_id = socket;
	l->page_sz = mem.page_sz;
	if (n_pages == 0)
		return 0;
	len = (size_t)n_pages * mem.page_sz;
	/* one extra page so the area can start on a page boundary (hugetlb needs it) */
	p = mmap(NULL, len + mem.page_sz, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
		 -1, 0);
	if (p == MAP_FAILED) {
		MEM_LOG(ERR, "cannot reserve %zu MB of address space for node %d: %s", len >> 20,
			socket, strerror(errno));
		return -ENOMEM;
	}
	l->segs = calloc(n_pages, sizeof(*l->segs));
	int rc = l->segs == NULL ? -ENOMEM : list_backing_create(l, socket, len, n_pages);
	if (rc != 0) {
		free(l->segs);
		l->segs = NULL;
		munmap(p, len + mem.page_sz);
		return rc;
	}
	l->n_pages = n_pages;
	l->reserved = p;
	l->reserved_len = len + mem.page_sz;
	l->base = (uint8_t *)DPX_ALIGN_CEIL((uintptr_t)p, mem.page_sz);
	return 0;
}

static int
reserve_lists(const struct eal_options *o)
{
	for (unsigned int s = 0; s < mem.n_sockets; s++) {
		uint64_t bytes = DEFAULT_VA_PER_SOCKET;
		mem.cap_socket[s] = socket_cap(o, s);
		bytes = DPX_MIN(bytes, mem.cap_socket[s]);
		if (mem.cap_total != 0)
			bytes = DPX_MIN(bytes, mem.cap_total);
		int rc = reserve_list(&mem.lists[s], (int)s, DPX_ALIGN_CEIL(bytes, mem.page_sz));
		if (rc != 0)
			return rc;
	}
	return 0;
}

static void
release_lists(void)
{
	for (unsigned int i = 0; i < MSL_MAX; i++) {
		struct memseg_list *l = &mem.lists[i];
		if (l->external && l->base != NULL) {
			extmem_drop(l);
			continue;
		}
		/* pages a leaked allocation still holds go now, announced like any other */
		for (unsigned int p = 0; p < l->n_pages; p++) {
			if (l->segs[p].len == 0)
				continue;
			eal_mem_event_notify_free(l->segs[p].addr, l->segs[p].len);
			page_unmap(l, p);
			l->segs[p].len = 0;
		}
		if (l->reserved != NULL)
			munmap(l->reserved, l->reserved_len);
		if (l->reserved != NULL && l->fd >= 0)
			close(l->fd);
		free(l->page_fds);
		free(l->segs);
		pthread_rwlock_wrlock(&mem.list_lock);
		memset(l, 0, sizeof(*l));
		pthread_rwlock_unlock(&mem.list_lock);
	}
}

static void
count_sockets(void)
{
	int max = numa_available() >= 0 ? numa_max_node() : 0;

	mem.n_sockets = (unsigned int)DPX_MIN(max + 1, DPX_MAX_NUMA_NODES);
	mem.multi_node = mem.n_sockets > 1;
}

int
eal_memory_init(const struct eal_options *o)
{
	int rc;

	memset(mem.lists, 0, sizeof(mem.lists));
	mem.no_huge = o->no_huge;
	mem.in_memory = o->in_memory;
	mem.cap_total = o->memory_mb << 20;
	mem.mapped_total = 0;
	memset(mem.mapped_socket, 0, sizeof(mem.mapped_socket));
	snprintf(mem.prefix, sizeof(mem.prefix), "%s", o->file_prefix);
	count_sockets();
	if (o->no_huge) {
		mem.page_sz = NO_HUGE_PAGE_SZ;
		mem.huge_dir[0] = '\0';
	} else if ((rc = hugepage_setup(o)) != 0) {
		return rc;
	}
	rc = choose_iova_mode(o);
	if (rc == 0)
		rc = reserve_lists(o);
	if (rc == 0) {
		mem.up = true;
		rc = eal_malloc_heaps_init();
	}
	if (rc != 0)
		eal_memory_fini();
	return rc;
}

void
eal_memory_fini(void)
{
	eal_memzones_fini();
	eal_malloc_heaps_fini();
	eal_mem_hotplug_lock();
	release_lists();
	eal_mem_hotplug_unlock();
	eal_mem_event_reset();
	if (mem.pagemap_fd >= 0)
		close(mem.pagemap_fd);
	mem.pagemap_fd = -1;
	mem.up = false;
}
