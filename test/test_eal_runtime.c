/* SPDX-License-Identifier: BSD-3-Clause */
/* Runtime directory: the file-prefix lock, and cleanup leaving nothing behind. */
#include <limits.h>
#include <sched.h>
#include <stdlib.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dpx_test.h"

static int
path_exists(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0;
}

/*
 * A second process trying a prefix: forked before this process initialises (so
 * it starts clean), it waits on a pipe until told to go, then exits with the
 * negated dpx_eal_init result.
 */
struct contender {
	pid_t pid;
	int go_fd;
};

static struct contender
contender_start(const char *prefix_opt)
{
	struct contender c = {-1, -1};
	int fds[2];

	if (pipe(fds) != 0)
		return c;
	c.pid = fork();
	if (c.pid == 0) {
		char go;
		close(fds[1]);
		if (read(fds[0], &go, 1) != 1)
			_exit(255);
		char *argv[] = {"child", "--no-huge", "-l", "0", (char *)prefix_opt, NULL};
		int rc = dpx_eal_init(5, argv);
		if (rc >= 0)
			dpx_eal_cleanup();
		_exit(rc < 0 ? -rc : 0);
	}
	close(fds[0]);
	c.go_fd = fds[1];
	return c;
}

static int
contender_result(struct contender *c)
{
	int status;

	if (c->pid < 0 || write(c->go_fd, "g", 1) != 1)
		return -1;
	close(c->go_fd);
	waitpid(c->pid, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static int
test_eal_file_prefix_lock(void)
{
	char prefix_opt[64], other_opt[64], dir[4096];

	snprintf(prefix_opt, sizeof(prefix_opt), "--file-prefix=locktest-%d", (int)getpid());
	snprintf(other_opt, sizeof(other_opt), "--file-prefix=locktest-other-%d", (int)getpid());
	struct contender same = contender_start(prefix_opt);
	struct contender other = contender_start(other_opt);
	struct contender after = contender_start(prefix_opt);
	DPX_TEST_ASSERT(same.pid > 0 && other.pid > 0 && after.pid > 0, "fork");
	DPX_TEST_ASSERT(dpx_test_eal_init("--no-huge", "-l", "0", prefix_opt, NULL) > 0, "init");
	snprintf(dir, sizeof(dir), "%s", dpx_eal_runtime_dir());
	DPX_TEST_ASSERT(dir[0] != '\0' && path_exists(dir), "runtime dir '%s' exists", dir);

	DPX_TEST_ASSERT_EQUAL(contender_result(&same), EBUSY, "same prefix is refused");
	DPX_TEST_ASSERT_EQUAL(contender_result(&other), 0, "another prefix coexists");

	DPX_TEST_ASSERT_EQUAL(dpx_eal_cleanup(), 0, "");
	DPX_TEST_ASSERT(!path_exists(dir), "runtime dir %s removed at cleanup", dir);
	DPX_TEST_ASSERT_EQUAL(contender_result(&after), 0, "prefix free again after cleanup");
	return DPX_TEST_SUCCESS;
}
DPX_TEST_REGISTER(eal_file_prefix_lock, fast, test_eal_file_prefix_lock);

static int
test_eal_cleanup_leaks(void)
{
	int fds = dpx_test_count_fds(), threads = dpx_test_count_threads();
	int cpu = sched_getcpu();
	char map[32];

	snprintf(map, sizeof(map), "0-2@%d", cpu);
	for (int round = 0; round < 3; round++) {
		DPX_TEST_ASSERT(dpx_test_eal_init("--no-huge", "--lcores", map, NULL) > 0, "init");
		DPX_TEST_ASSERT_EQUAL(dpx_test_count_threads(), threads + 3,
				      "two worker threads and the telemetry thread");
		char dir[4096];
		snprintf(dir, sizeof(dir), "%s", dpx_eal_runtime_dir());
		DPX_TEST_ASSERT_EQUAL(dpx_eal_cleanup(), 0, "");
		DPX_TEST_ASSERT_EQUAL(dpx_test_count_threads(), threads, "threads after cleanup");
		DPX_TEST_ASSERT_EQUAL(dpx_test_count_fds(), fds, "fds after cleanup");
		DPX_TEST_ASSERT(!path_exists(dir), "runtime dir %s left behind", dir);
	}
	return DPX_TEST_SUCCESS;
}
DPX_TEST_REGISTER(eal_cleanup_leaks, fast, test_eal_cleanup_leaks);

/*
 * A process killed with this prefix left its runtime directory: its lock file
 * (naming a pid long gone), its telemetry socket, another file. The next
 * process with the prefix takes the directory over: the leftovers go at init
 * (the telemetry socket can be bound again), and cleanup removes the
 * directory, so a killed process does not leave one behind for good.
 */
static int
test_eal_runtime_dir_leftovers(void)
{
	static const char *const stale[] = {"config", "dpx_telemetry.v2", "something"};
	char dir[PATH_MAX], path[PATH_MAX + 32];

	DPX_TEST_ASSERT(dpx_test_eal_init("--no-huge", "-l", "0", NULL) > 0, "init");
	snprintf(dir, sizeof(dir), "%s", dpx_eal_runtime_dir());
	DPX_TEST_ASSERT_EQUAL(dpx_eal_cleanup(), 0, "");
	DPX_TEST_ASSERT(!path_exists(dir), "%s removed by cleanup", dir);
	DPX_TEST_ASSERT_EQUAL(mkdir(dir, 0700), 0, "%s", dir);
	for (unsigned int i = 0; i < DPX_DIM(stale); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, stale[i]);
		int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		DPX_TEST_ASSERT(fd >= 0, "%s", path);
		DPX_TEST_ASSERT_EQUAL(write(fd, "1\n", 2), 2, "");
		close(fd);
	}
	DPX_TEST_ASSERT(dpx_test_eal_init("--no-huge", "-l", "0", NULL) > 0,
			"init over a dead process's directory");
	snprintf(path, sizeof(path), "%s/something", dir);
	DPX_TEST_ASSERT(!path_exists(path), "the leftover file is gone after init");
	DPX_TEST_ASSERT_EQUAL(dpx_eal_cleanup(), 0, "");
	DPX_TEST_ASSERT(!path_exists(dir), "%s removed by cleanup after leftovers", dir);
	return DPX_TEST_SUCCESS;
}
DPX_TEST_REGISTER(eal_runtime_dir_leftovers, fast, test_eal_runtime_dir_leftovers);

static int
return_7(void *arg)
{
	(void)arg;
	return 7;
}

/*
 * A child forked after init (a helper that returns through main, or an atexit
 * handler) calling dpx_eal_cleanup must neither hang joining worker threads
 * it does not have nor remove the parent's prefix lock and runtime directory.
 */
static int
test_eal_cleanup_in_forked_child(void)
{
	char map[32], lock[4200], dir[4096];
	int status;

	snprintf(map, sizeof(map), "0-1@%d", sched_getcpu());
	DPX_TEST_ASSERT(dpx_test_eal_init("--no-huge", "--lcores", map, NULL) > 0, "init");
	snprintf(dir, sizeof(dir), "%s", dpx_eal_runtime_dir());
	snprintf(lock, sizeof(lock), "%s/config", dir);
	pid_t pid = fork();
	if (pid == 0) {
		alarm(10); /* a hang is a failure, reported as a signal */
		_exit(dpx_eal_cleanup() == -EPERM && dpx_eal_is_initialized() ? 0 : 1);
	}
	DPX_TEST_ASSERT(pid > 0, "fork");
	DPX_TEST_ASSERT_EQUAL(waitpid(pid, &status, 0), pid, "");
	DPX_TEST_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0,
			"child: cleanup refused with -EPERM (status 0x%x)", status);
	DPX_TEST_ASSERT(path_exists(lock), "lock file %s kept", lock);
	/* a new open file description conflicts with the lock while it is held */
	int fd = open(lock, O_RDONLY | O_CLOEXEC);
	DPX_TEST_ASSERT(fd >= 0, "");
	DPX_TEST_ASSERT(flock(fd, LOCK_EX | LOCK_NB) != 0 && errno == EWOULDBLOCK, "still locked");
	close(fd);
	DPX_TEST_ASSERT_EQUAL(dpx_eal_remote_launch(return_7, NULL, 1), 0, "workers alive");
	DPX_TEST_ASSERT_EQUAL(dpx_eal_wait_lcore(1), 7, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eal_cleanup(), 0, "");
	DPX_TEST_ASSERT(!path_exists(dir), "");
	return DPX_TEST_SUCCESS;
}
DPX_TEST_REGISTER(eal_cleanup_in_forked_child, fast, test_eal_cleanup_in_forked_child);

/* Helpers for eal_runtime_dirs_cleaned: one leaves its EAL up, one leaves a file in its directory.
 */
static int
helper_eal_left_up(void)
{
	DPX_TEST_ASSERT(dpx_test_eal_init("--no-huge", NULL) > 0, "init");
	printf("RUNTIME-DIR=%s\n", dpx_eal_runtime_dir());
	return DPX_TEST_SUCCESS; /* no dpx_eal_cleanup: the runner must do it */
}
DPX_TEST_HELPER(runner_helper_eal_left_up, helper_eal_left_up);

static int
helper_file_left(void)
{
	char path[PATH_MAX + 16];

	DPX_TEST_ASSERT(dpx_test_eal_init("--no-huge", NULL) > 0, "init");
	printf("RUNTIME-DIR=%s\n", dpx_eal_runtime_dir());
	snprintf(path, sizeof(path), "%s/stray", dpx_eal_runtime_dir());
	FILE *f = fopen(path, "w");
	DPX_TEST_ASSERT(f != NULL, "%s", path);
	fclose(f);
	DPX_TEST_ASSERT_EQUAL(dpx_eal_cleanup(), 0, "");
	return DPX_TEST_SUCCESS; /* the directory stays (it is not empty): the runner must say so */
}
DPX_TEST_HELPER(runner_helper_file_left, helper_file_left);

/* Run `dpx-test helper`: its exit status, and the runtime directory it reported. */
static int
run_helper(const char *helper, char *dir, size_t len, char *out, size_t outlen)
{
	char self[PATH_MAX], cmd[PATH_MAX + 64], line[PATH_MAX + 32];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	size_t got = 0;
	FILE *p;

	if (n <= 0)
		return -1;
	self[n] = '\0';
	snprintf(cmd, sizeof(cmd), "'%s' %s 2>&1", self, helper);
	fflush(stdout);
	p = popen(cmd, "r");
	if (p == NULL)
		return -1;
	dir[0] = out[0] = '\0';
	while (fgets(line, sizeof(line), p) != NULL) {
		if (strncmp(line, "RUNTIME-DIR=", 12) == 0)
			snprintf(dir, len, "%.*s", (int)strcspn(line + 12, "\n"), line + 12);
		got += (size_t)snprintf(out + got, got < outlen ? outlen - got : 0, "%s", line);
	}
	int status = pclose(p);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/*
 * The suite leaves no runtime directory: a case that forgets dpx_eal_cleanup
 * is cleaned up after by the runner, and a directory that survives anyway
 * fails the case (each case is its own process; 192 directories piled up in
 * /run/dpx before the runner did this).
 */
static int
test_eal_runtime_dirs_cleaned(void)
{
	char dir[PATH_MAX], out[4096], stray[PATH_MAX + 16];
	int rc;

	rc = run_helper("runner_helper_eal_left_up", dir, sizeof(dir), out, sizeof(out));
	printf("%s", out);
	DPX_TEST_ASSERT_EQUAL(rc, 0, "an EAL left up is taken down, not a failure");
	DPX_TEST_ASSERT(dir[0] != '\0', "the helper printed its directory");
	DPX_TEST_ASSERT(access(dir, F_OK) != 0, "%s is gone", dir);

	rc = run_helper("runner_helper_file_left", dir, sizeof(dir), out, sizeof(out));
	printf("%s", out);
	snprintf(stray, sizeof(stray), "%s/stray", dir);
	unlink(stray);
	rmdir(dir);
	DPX_TEST_ASSERT_EQUAL(rc, 1, "a directory left behind fails the case");
	DPX_TEST_ASSERT(strstr(out, "left behind") != NULL, "and says which");
	return DPX_TEST_SUCCESS;
}
DPX_TEST_REGISTER(eal_runtime_dirs_cleaned, fast, test_eal_runtime_dirs_cleaned);
