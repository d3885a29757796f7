/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Soak: dpx-fwd (io mode, one net_vhost port looping to itself) serves a
 * front-end that comes and goes 1000 times, as QEMU would: connect,
 * negotiate, map memory, set up the rings, move packets through dpx-fwd and
 * back with their bytes checked, disconnect; once with dpx-fwd listening
 * (server mode), once with it connecting (client mode). And one session whose
 * second memory region is added and removed 1000 times, packets moving
 * through buffers in that region each time. Counted from /proc/<dpx-fwd>
 * before and after: fds, mappings (their number and their size, which sees
 * a leaked mapping the kernel merged with its neighbour), threads and
 * hugepages must come back to what they were after the first SOAK_WARM
 * cycles; so must the EAL heap's allocations and the C library's heap bytes
 * in use (asked over telemetry), and the port's counters must add up exactly.
 * The first cycles may set up what stays: a malloc arena for the vhost
 * thread, and the C library's per-thread caches, which keep up to 7 freed
 * chunks of each size (counted as in use) before freeing for real.
 */
#include <errno.h>
#include <stddef.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <dpx_telemetry.h>

#include "dpx_test.h"
#include "guest_helpers.h"
#include "telemetry_client.h"
#include "vhost_frontend.h"

#define SOAK_CYCLES 1000
#define SOAK_WARM 10	     /* cycles before the reference count */
#define SOAK_PKTS 8	     /* per cycle, each way */
#define SOAK_MEM (32u << 20) /* the front-end's memfd */
#define SOAK_REGION1 (1ULL << 32)

struct soak {
	pid_t pid;
	char prefix[64];
	char sock[108];
	char log[128];
	bool hugepages;
	int listen_fd; /* client mode: where dpx-fwd connects */
	uint64_t packets;
};

struct proc_counts {
	long fds, maps, threads, hugetlb_kb, heap_allocs, vm_kb, libc_in_use;
};

static long
count_lines(const char *path)
{
	FILE *f = fopen(path, "r");
	long n = 0;
	int c;

	if (f == NULL)
		return -1;
	while ((c = fgetc(f)) != EOF)
		n += c == '\n';
	fclose(f);
	return n;
}

/* A "<field>:   4096 kB" line of /proc/<pid>/status (field "HugetlbPages", "VmSize") */
static long
status_kb(pid_t pid, const char *field)
{
	char path[64], line[256], name[64];
	long kb = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	snprintf(name, sizeof(name), "%s:", field);
	f = fopen(path, "r");
	while (f != NULL && fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, name, strlen(name)) == 0 &&
		    sscanf(line + strlen(name), "%ld", &kb) == 1)
			break;
	if (f != NULL)
		fclose(f);
	return kb;
}

/* A telemetry connection to dpx-fwd, greeted (its runtime directory, as the EAL picks it). */
static int
soak_connect(const struct soak *s)
{
	const char *xdg = getenv("XDG_RUNTIME_DIR");
	char path[512];

	if (getuid() == 0)
		snprintf(path, sizeof(path), "/var/run/dpx/%s/dpx_telemetry.v2", s->prefix);
	else if (xdg != NULL && xdg[0] == '/')
		snprintf(path, sizeof(path), "%s/dpx/%s/dpx_telemetry.v2", xdg, s->prefix);
	else
		snprintf(path, sizeof(path), "/tmp/dpx-%u/%s/dpx_telemetry.v2", getuid(),
			 s->prefix);
	int fd = tel_client_connect(path);
	if (fd >= 0)
		json_decref(tel_client_recv_json(fd)); /* the greeting */
	return fd;
}

/* One request on a connection of its own. */
static json_t *
soak_query(const struct soak *s, const char *req, json_t **top)
{
	int fd = soak_connect(s);
	json_t *v = NULL;

	*top = NULL;
	if (fd >= 0)
		v = tel_client_query(fd, req, top);
	if (fd >= 0)
		close(fd);
	return v;
}

/* Whether dpx-fwd is done with the last front-end: no device left (server
 * mode), or only its new connection, with no memory yet (client mode). */
static bool
settled(const struct soak *s)
{
	json_t *top, *t2, *list = soak_query(s, "/vhost/list", &top);
	size_t n = json_array_size(list);
	bool idle = list != NULL && n == (s->listen_fd >= 0 ? 1u : 0u);
	char req[64];

	if (idle && n == 1) {
		snprintf(req, sizeof(req), "/vhost/info,%lld",
			 json_integer_value(json_array_get(list, 0)));
		json_t *info = soak_query(s, req, &t2);
		idle = info != NULL && json_array_size(json_object_get(info, "regions")) == 0 &&
		       !json_is_true(json_object_get(info, "running"));
		json_decref(t2);
	}
	json_decref(top);
	return idle;
}

/*
 * Everything counted once dpx-fwd has settled, with exactly one telemetry
 * client connected: the counting one, after two round trips on it, so the
 * server has closed every connection made before (each poll round handles
 * all hang-ups; the second reply comes from a round after the first).
 */
static int
counts_take(const struct soak *s, struct proc_counts *c, bool between_sessions)
{
	char path[64];
	json_t *top, *heap;

	for (int i = 0; between_sessions && i < 1000 && !settled(s); i++)
		usleep(10000);
	DPX_TEST_ASSERT(!between_sessions || settled(s),
			"dpx-fwd did not finish with the last front-end in 10 s");
	int fd = soak_connect(s);
	DPX_TEST_ASSERT(fd >= 0, "telemetry: %d", fd);
	heap = tel_client_query(fd, "/eal/heap_info,0", &top);
	c->heap_allocs = jint(heap, "alloc_count");
	json_decref(top);
	heap = tel_client_query(fd, "/eal/libc_heap", &top);
	c->libc_in_use = jint(heap, "in_use_bytes");
	json_decref(top);
	tel_client_query(fd, "/info", &top);
	json_decref(top);
	snprintf(path, sizeof(path), "/proc/%d/fd", (int)s->pid);
	c->fds = dpx_test_count_entries(path);
	snprintf(path, sizeof(path), "/proc/%d/task", (int)s->pid);
	c->threads = dpx_test_count_entries(path);
	snprintf(path, sizeof(path), "/proc/%d/maps", (int)s->pid);
	c->maps = count_lines(path);
	c->hugetlb_kb = status_kb(s->pid, "HugetlbPages");
	c->vm_kb = status_kb(s->pid, "VmSize");
	close(fd);
	DPX_TEST_ASSERT(c->fds > 0 && c->threads > 0 && c->maps > 0 && c->hugetlb_kb >= 0 &&
				c->heap_allocs >= 0 && c->vm_kb > 0 && c->libc_in_use >= 0,
			"dpx-fwd pid %d readable in /proc and over telemetry", (int)s->pid);
	return DPX_TEST_SUCCESS;
}

static void
counts_print(const char *when, const struct proc_counts *c)
{
	printf("dpx-fwd %-28s fds %ld, mappings %ld (%ld kB), threads %ld, hugetlb %ld kB, heap "
	       "allocations %ld, malloc in use %ld bytes\n",
	       when, c->fds, c->maps, c->vm_kb, c->threads, c->hugetlb_kb, c->heap_allocs,
	       c->libc_in_use);
}

static int
counts_equal(const struct proc_counts *a, const struct proc_counts *b, const char *what)
{
	DPX_TEST_ASSERT_EQUAL(b->fds, a->fds, "fds leaked %s", what);
	DPX_TEST_ASSERT_EQUAL(b->maps, a->maps, "mappings leaked %s", what);
	DPX_TEST_ASSERT_EQUAL(b->threads, a->threads, "threads leaked %s", what);
	DPX_TEST_ASSERT_EQUAL(b->hugetlb_kb, a->hugetlb_kb, "hugepages leaked %s", what);
	DPX_TEST_ASSERT_EQUAL(b->heap_allocs, a->heap_allocs, "heap allocations leaked %s", what);
	DPX_TEST_ASSERT_EQUAL(b->vm_kb, a->vm_kb, "mapped memory grew %s", what);
	if (a->libc_in_use == 0 && b->libc_in_use == 0)
		printf("malloc heap not measured: malloc is not the C library's (a sanitizer?)\n");
	DPX_TEST_ASSERT_EQUAL(b->libc_in_use, a->libc_in_use, "malloc heap grew %s", what);
	return DPX_TEST_SUCCESS;
}

static bool
path_exists(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0;
}

/* Start dpx-fwd: one net_vhost port, io forwarding on a worker lcore;
 * with soak_leak_shim preloaded when leak names a leak to make. */
static int
fwd_start(struct soak *s, bool client, const char *leak)
{
	char shim[PATH_MAX + 64] = "";

	char cmd[PATH_MAX * 3 + 1024], mem[PATH_MAX + 32];

	snprintf(s->prefix, sizeof(s->prefix), "soak-%d", (int)getpid());
	snprintf(s->sock, sizeof(s->sock), "/tmp/dpx-soak-%d.sock", (int)getpid());
	snprintf(s->log, sizeof(s->log), "/tmp/dpx-soak-%d.log", (int)getpid());
	s->listen_fd = -1;
	s->packets = 0;
	/* hugepages when there are some to spare, so that leaking them would show */
	s->hugepages = dpx_test_meminfo("HugePages_Free") >= 128;
	if (s->hugepages)
		snprintf(mem, sizeof(mem), "-m 128 --huge-dir %s", dpx_test_huge_dir());
	else
		snprintf(mem, sizeof(mem), "--no-huge");
	unlink(s->sock);
	if (client) {
		s->listen_fd = vfe_listen(s->sock);
		DPX_TEST_ASSERT(s->listen_fd >= 0, "listen on %s: %d", s->sock, s->listen_fd);
	}
	if (leak != NULL)
		snprintf(shim, sizeof(shim),
			 "env LD_PRELOAD=%s/test/soak_leak_shim.so DPX_SOAK_LEAK=%s ",
			 DPX_BUILD_ROOT, leak);
	snprintf(cmd, sizeof(cmd),
		 "exec %s'%s/app/dpx-fwd/dpx-fwd' --file-prefix %s %s -l 0-1 "
		 "--vdev net_vhost0,iface=%s,queues=1%s -- --forward-mode=io --auto-start "
		 "</dev/null >%s 2>&1",
		 shim, DPX_BUILD_ROOT, s->prefix, mem, s->sock, client ? ",client=1" : "", s->log);
	s->pid = dpx_test_guest_spawn(cmd);
	DPX_TEST_ASSERT(s->pid > 0, "");
	printf("dpx-fwd pid %d, %s mode, %s%s%s\n", (int)s->pid, client ? "client" : "server",
	       s->hugepages ? "2 MB hugepages" : "--no-huge (too few free hugepages)",
	       leak != NULL ? ", leaking: " : "", leak != NULL ? leak : "");
	for (int i = 0; i < 1000 && !client && !path_exists(s->sock); i++)
		usleep(10000);
	DPX_TEST_ASSERT(client || path_exists(s->sock), "dpx-fwd listens on %s", s->sock);
	/* counted from here: dpx-fwd has started forwarding (its pool and port are made) */
	bool started = false;
	for (int i = 0; i < 1000 && !started; i++) {
		json_t *top, *info = soak_query(s, "/ethdev/info,0", &top);

		started = json_is_true(json_object_get(info, "started"));
		json_decref(top);
		if (!started)
			usleep(10000);
	}
	DPX_TEST_ASSERT(started, "dpx-fwd started its port");
	return DPX_TEST_SUCCESS;
}

/* SIGINT: dpx-fwd stops and exits 0; its counters must say exactly what moved. */
static int
fwd_stop(struct soak *s)
{
	json_t *top, *st = soak_query(s, "/ethdev/stats,0", &top);
	long long rx = jint(st, "ipackets"), tx = jint(st, "opackets");
	char out[4096] = "";

	json_decref(top);
	kill(s->pid, SIGINT);
	int rc = dpx_test_guest_reap(s->pid, 30);
	if (s->listen_fd >= 0)
		close(s->listen_fd);
	unlink(s->sock);
	if (rc != 0 && dpx_test_guest_read_file(s->log, out, sizeof(out)) == 0)
		printf("%s\n", out);
	unlink(s->log);
	DPX_TEST_ASSERT_EQUAL(rc, 0, "dpx-fwd exit status");
	DPX_TEST_ASSERT_EQUAL(rx, s->packets, "port 0 received every packet the guest sent");
	DPX_TEST_ASSERT_EQUAL(tx, s->packets, "and sent every one back");
	return DPX_TEST_SUCCESS;
}

static uint8_t
soak_byte(uint64_t seq, uint32_t i)
{
	return (uint8_t)(seq * 7 + i * 13 + (i >> 8));
}

/*
 * SOAK_PKTS packets guest -> dpx-fwd -> guest: receive buffers posted first
 * (exactly as many as come back, so none stays in a region about to go),
 * every byte checked, transmit buffers reclaimed.
 */
static int
bounce(struct soak *s, struct vfe *fe)
{
	uint8_t pkt[1600], got[2048];
	unsigned int done = 0;

	DPX_TEST_ASSERT_EQUAL(vfe_rx_post(fe, 0, SOAK_PKTS, 1), SOAK_PKTS, "");
	for (unsigned int i = 0; i < SOAK_PKTS; i++) {
		uint32_t len = 60 + (uint32_t)((s->packets + i) * 181 % 1400);

		for (uint32_t k = 0; k < len; k++)
			pkt[k] = soak_byte(s->packets + i, k);
		DPX_TEST_ASSERT_EQUAL(vfe_tx_post(fe, 1, pkt, len, 1), 0, "");
	}
	/* dpx-fwd polls: the packets come back; 10 s without them is a failure */
	for (unsigned int spins = 0; done < SOAK_PKTS && spins < 200000; spins++) {
		int n = vfe_rx_take(fe, 0, got, sizeof(got));
		uint64_t seq = s->packets + done;
		uint32_t len = 60 + (uint32_t)(seq * 181 % 1400);

		DPX_TEST_ASSERT(n >= 0, "rx ring: %d", n);
		if (n == 0) {
			usleep(50);
			continue;
		}
		DPX_TEST_ASSERT_EQUAL(n, len, "packet %" PRIu64, seq);
		for (uint32_t k = 0; k < len; k++)
			DPX_TEST_ASSERT_EQUAL(got[k], soak_byte(seq, k),
					      "packet %" PRIu64 " byte %u", seq, k);
		done++;
	}
	DPX_TEST_ASSERT_EQUAL(done, SOAK_PKTS, "packets back through dpx-fwd");
	s->packets += SOAK_PKTS;
	for (unsigned int spins = 0; fe->q[1].outstanding > 0 && spins < 200000; spins++)
		if (vfe_tx_reclaim(fe, 1) == 0)
			usleep(50);
	DPX_TEST_ASSERT_EQUAL(fe->q[1].outstanding, 0, "transmit buffers used");
	return DPX_TEST_SUCCESS;
}

/* A front-end's session up to running rings: what QEMU does when a guest boots. */
static int
session_open(struct soak *s, struct vfe *fe, bool two_regions)
{
	DPX_TEST_ASSERT_EQUAL(vfe_init(fe, SOAK_MEM), 0, "");
	if (two_regions) /* region 0 the first half; region 1 comes and goes over the second */
		vfe_region_set(fe, 0, 0, SOAK_MEM / 2, 0);
	if (s->listen_fd >= 0)
		DPX_TEST_ASSERT_EQUAL(vfe_accept(fe, s->listen_fd, 10000), 0, "dpx-fwd connects");
	else
		DPX_TEST_ASSERT_EQUAL(vfe_connect(fe, s->sock), 0, "");
	DPX_TEST_ASSERT_EQUAL(vfe_negotiate(fe, ~0ULL), 0, "");
	DPX_TEST_ASSERT_EQUAL(vfe_set_mem_table(fe), 0, "");
	DPX_TEST_ASSERT_EQUAL(vfe_queue_setup(fe, 0, 64, 2048, false), 0, "");
	DPX_TEST_ASSERT_EQUAL(vfe_queue_setup(fe, 1, 64, 2048, false), 0, "");
	DPX_TEST_ASSERT_EQUAL(vfe_driver_ok(fe), 0, "");
	return DPX_TEST_SUCCESS;
}

static double
now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + t.tv_nsec / 1e9;
}

/*
 * cycles sessions against a started dpx-fwd: counts after SOAK_WARM of
 * them and after the last (both taken once dpx-fwd has settled).
 */
static int
sessions_run(struct soak *s, unsigned int cycles, struct proc_counts *warm,
	     struct proc_counts *after)
{
	struct proc_counts before;
	struct vfe fe;
	int rc = DPX_TEST_SUCCESS;
	double t0;

	/* client mode: dpx-fwd is up once it connects; count before its first session */
	if (s->listen_fd >= 0) {
		DPX_TEST_ASSERT_EQUAL(vfe_accept(&fe, s->listen_fd, 10000), 0, "dpx-fwd connects");
		vfe_disconnect(&fe);
	}
	DPX_TEST_RUN(counts_take(s, &before, true));
	t0 = now();
	for (unsigned int i = 0; i < cycles && rc == DPX_TEST_SUCCESS; i++) {
		rc = session_open(s, &fe, false);
		if (rc == DPX_TEST_SUCCESS)
			rc = bounce(s, &fe);
		vfe_fini(&fe);
		if (rc != DPX_TEST_SUCCESS)
			printf("cycle %u failed\n", i);
		if (i == SOAK_WARM - 1 && rc == DPX_TEST_SUCCESS)
			rc = counts_take(s, warm, true);
	}
	double t = now() - t0;
	if (rc == DPX_TEST_SUCCESS)
		rc = counts_take(s, after, true);
	if (rc == DPX_TEST_SUCCESS) {
		printf("%u sessions (%u packets each way) in %.1f s, %.2f ms each\n", cycles,
		       cycles * SOAK_PKTS, t, t * 1000 / cycles);
		counts_print("before the first session:", &before);
		counts_print("after " DPX_STR(SOAK_WARM) ":", warm);
		counts_print("after the last:", after);
	}
	return rc;
}

static int
soak_sessions(bool client)
{
	struct proc_counts warm, after;
	struct soak s;
	int fds0 = dpx_test_count_fds();

	DPX_TEST_RUN(fwd_start(&s, client, NULL));
	int rc = sessions_run(&s, SOAK_CYCLES, &warm, &after);
	if (rc == DPX_TEST_SUCCESS)
		rc = counts_equal(&warm, &after, "over the sessions");
	int stop = fwd_stop(&s);
	DPX_TEST_ASSERT_EQUAL(dpx_test_count_fds(), fds0, "the front-end side leaked fds");
	return rc != DPX_TEST_SUCCESS ? rc : stop;
}

static int
test_soak_vhost_server(void)
{
	return soak_sessions(false);
}
DPX_TEST_REGISTER(soak_vhost_server, soak, test_soak_vhost_server);

static int
test_soak_vhost_client(void)
{
	return soak_sessions(true);
}
DPX_TEST_REGISTER(soak_vhost_client, soak, test_soak_vhost_client);

/* Region 1 comes (ADD_MEM_REG), carries the packets, and goes (REM_MEM_REG). */
static int
region_cycle(struct soak *s, struct vfe *fe, const uint64_t data0[2])
{
	DPX_TEST_ASSERT_EQUAL(vfe_add_region(fe, 1), 0, "");
	fe->q[0].data_gpa = SOAK_REGION1;
	fe->q[1].data_gpa = SOAK_REGION1 + SOAK_MEM / 4;
	DPX_TEST_RUN(bounce(s, fe));
	fe->q[0].data_gpa = data0[0];
	fe->q[1].data_gpa = data0[1];
	DPX_TEST_ASSERT_EQUAL(vfe_rem_region(fe, 1), 0, "");
	return DPX_TEST_SUCCESS;
}

static int
test_soak_vhost_regions(void)
{
	struct proc_counts before, warm, after;
	uint64_t data0[2];
	struct soak s;
	struct vfe fe;
	int rc;
	double t0;

	DPX_TEST_RUN(fwd_start(&s, false, NULL));
	rc = session_open(&s, &fe, true);
	DPX_TEST_ASSERT((fe.pfeatures >> VHOST_USER_PROTOCOL_F_CONFIGURE_MEM_SLOTS) & 1,
			"dpx-fwd offers ADD/REM_MEM_REG");
	vfe_region_set(&fe, 1, SOAK_REGION1, SOAK_MEM / 2, SOAK_MEM / 2);
	fe.regions[1].present = false;
	data0[0] = fe.q[0].data_gpa;
	data0[1] = fe.q[1].data_gpa;
	if (rc == DPX_TEST_SUCCESS)
		rc = bounce(&s, &fe);
	if (rc == DPX_TEST_SUCCESS)
		rc = counts_take(&s, &before, false);
	t0 = now();
	for (unsigned int i = 0; i < SOAK_CYCLES && rc == DPX_TEST_SUCCESS; i++) {
		rc = region_cycle(&s, &fe, data0);
		if (rc != DPX_TEST_SUCCESS)
			printf("cycle %u failed\n", i);
		if (i == SOAK_WARM - 1 && rc == DPX_TEST_SUCCESS)
			rc = counts_take(&s, &warm, false);
	}
	double t = now() - t0;
	if (rc == DPX_TEST_SUCCESS)
		rc = bounce(&s, &fe); /* region 0 still serves */
	if (rc == DPX_TEST_SUCCESS)
		rc = counts_take(&s, &after, false);
	if (rc == DPX_TEST_SUCCESS) {
		printf("%u region add/remove cycles (%u packets each way through the region) in "
		       "%.1f s, %.2f ms each\n",
		       SOAK_CYCLES, SOAK_PKTS, t, t * 1000 / SOAK_CYCLES);
		counts_print("before the first cycle:", &before);
		counts_print("after " DPX_STR(SOAK_WARM) ":", &warm);
		counts_print("after the last:", &after);
		rc = counts_equal(&warm, &after, "over the region cycles");
	}
	vfe_fini(&fe);
	int stop = fwd_stop(&s);
	return rc != DPX_TEST_SUCCESS ? rc : stop;
}
DPX_TEST_REGISTER(soak_vhost_regions, soak, test_soak_vhost_regions);

/*
 * The soak's self-check: dpx-fwd made to leak (soak_leak_shim.c) at the
 * rates the soak must catch, over 210 sessions: an fd every 10, a page
 * merged into one growing mapping every one, a thread every 100, 48 bytes of
 * malloc every one. Each must make the soak's comparison fail, on its count.
 */
static int
test_soak_catches_leaks(void)
{
	static const struct {
		const char *kind;
		size_t count; /* offset of the count that must grow */
	} leaks[] = {
		{"fd", offsetof(struct proc_counts, fds)},
		{"map", offsetof(struct proc_counts, vm_kb)},
		{"thread", offsetof(struct proc_counts, threads)},
		{"heap", offsetof(struct proc_counts, libc_in_use)},
	};
	struct proc_counts warm, after;
	struct soak s;

	for (unsigned int i = 0; i < DPX_DIM(leaks); i++) {
		DPX_TEST_RUN(fwd_start(&s, false, leaks[i].kind));
		int rc = sessions_run(&s, 210, &warm, &after);
		int stop = fwd_stop(&s);
		DPX_TEST_ASSERT_EQUAL(rc, DPX_TEST_SUCCESS, "%s: sessions", leaks[i].kind);
		DPX_TEST_ASSERT_EQUAL(stop, DPX_TEST_SUCCESS, "%s: dpx-fwd", leaks[i].kind);
		long w = *(const long *)((const char *)&warm + leaks[i].count);
		long a = *(const long *)((const char *)&after + leaks[i].count);
		printf("leaking %s: %ld after %d sessions, %ld after the last\n", leaks[i].kind, w,
		       SOAK_WARM, a);
		DPX_TEST_ASSERT(a > w, "a leak of %s went unseen", leaks[i].kind);
		DPX_TEST_ASSERT(counts_equal(&warm, &after, "(a leak made on purpose)") != 0,
				"the soak's comparison passed with a %s leak", leaks[i].kind);
	}
	return DPX_TEST_SUCCESS;
}
DPX_TEST_REGISTER(soak_catches_leaks, soak, test_soak_catches_leaks);
