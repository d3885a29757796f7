/* SPDX-License-Identifier: BSD-3-Clause */
/* Guest-suite glue: runs usertools/dpx-guest-build and dpx-guest-run. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "dpx_test.h"
#include "guest_helpers.h"

#ifndef DPX_SOURCE_ROOT
#error "DPX_SOURCE_ROOT must be defined (test/meson.build)"
#endif
#ifndef DPX_BUILD_ROOT
#error "DPX_BUILD_ROOT must be defined (test/meson.build)"
#endif

#define GUEST_CMD_MAX 8192

/* Run a shell command, keep its output (stdout+stderr); exit code or -1. */
static int
run_capture(const char *cmd, char *out, size_t outlen)
{
	char buf[4096];
	size_t used = 0, n;
	FILE *p;
	int status;

	fflush(stdout);
	p = popen(cmd, "r");
	if (p == NULL) {
		printf("guest: cannot run '%s'\n", cmd);
		return -1;
	}
	while ((n = fread(buf, 1, sizeof(buf), p)) > 0) {
		fwrite(buf, 1, n, stdout);
		if (outlen > 0 && used < outlen - 1) {
			size_t keep = n < outlen - 1 - used ? n : outlen - 1 - used;

			memcpy(out + used, buf, keep);
			used += keep;
		}
	}
	if (outlen > 0)
		out[used] = '\0';
	status = pclose(p);
	if (status == -1 || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/*
 * No guest can be had: the caller skips, unless DPX_TEST_REQUIRE_GUESTS is set
 * (CI sets it): then the case fails here. Exiting (each case is a process of
 * its own) also fails the callers written to skip on any non-zero return.
 */
static int
guest_unavailable(const char *why)
{
	const char *req = getenv("DPX_TEST_REQUIRE_GUESTS");

	if (req == NULL || req[0] == '\0' || strcmp(req, "0") == 0)
		return DPX_TEST_SKIPPED;
	printf("FAIL (DPX_TEST_REQUIRE_GUESTS is set): %s\n", why);
	fflush(stdout);
	exit(DPX_TEST_FAILED);
}

int
dpx_test_guest_prepare(char *why, size_t len)
{
	char cmd[GUEST_CMD_MAX], out[4096];
	double t0 = dpx_test_seconds();
	int rc;

	if (system("command -v qemu-system-x86_64 >/dev/null 2>&1") != 0) {
		snprintf(why, len, "qemu-system-x86_64 not installed (Debian: qemu-system-x86)");
		return guest_unavailable(why);
	}
	snprintf(cmd, sizeof(cmd), "'%s/usertools/dpx-guest-build' --out '%s/guest' 2>&1",
		 DPX_SOURCE_ROOT, DPX_BUILD_ROOT);
	rc = run_capture(cmd, out, sizeof(out));
	if (rc != 0) {
		char *nl = strrchr(out, '\n');

		/* the script's last message says what went wrong */
		if (nl != NULL && nl[1] == '\0')
			*nl = '\0';
		nl = strrchr(out, '\n');
		snprintf(why, len, "the test guest cannot be built (%s)", nl ? nl + 1 : out);
		return guest_unavailable(why);
	}
	printf("guest: ready in %.2f s\n", dpx_test_seconds() - t0);
	return 0;
}

int
dpx_test_guest_run(const char *args, char *out, size_t outlen)
{
	char cmd[GUEST_CMD_MAX];
	double t0 = dpx_test_seconds();
	int n, rc;

	n = snprintf(cmd, sizeof(cmd), "'%s/usertools/dpx-guest-run' --build-dir '%s' %s 2>&1",
		     DPX_SOURCE_ROOT, DPX_BUILD_ROOT, args);
	if (n < 0 || (size_t)n >= sizeof(cmd)) {
		printf("guest: arguments too long (%d bytes)\n", n);
		return -1;
	}
	printf("guest: dpx-guest-run %s\n", args);
	rc = run_capture(cmd, out, outlen);
	printf("\nguest: exit code %d after %.2f s\n", rc, dpx_test_seconds() - t0);
	return rc;
}

/*
 * Where libdpx is mapped from, and its soname (libdpx.so.N) in *soname. The
 * guest mounts tmpfs over /tmp, so the binary and libdpx go to / and /lib
 * there, wherever the build tree is.
 */
static int
find_libdpx(char *path, size_t len, char *soname, size_t solen)
{
	char line[1024];
	FILE *f = fopen("/proc/self/maps", "r");
	int found = -1;

	if (f == NULL)
		return -1;
	while (found != 0 && fgets(line, sizeof(line), f) != NULL) {
		char *p = strchr(line, '/'), *base, *so;
		if (p == NULL || (base = strrchr(p, '/')) == NULL ||
		    strncmp(base, "/libdpx.so", 10))
			continue;
		p[strcspn(p, "\n")] = '\0';
		snprintf(path, len, "%s", p);
		so = strchr(base + 10 + 1, '.');
		snprintf(soname, solen, "%.*s",
			 so != NULL ? (int)(so - base - 1) : (int)strlen(base + 1), base + 1);
		found = 0;
	}
	fclose(f);
	return found;
}

int
dpx_test_guest_run_self(const char *case_name, const char *guest_args, char *out, size_t outlen)
{
	char exe[400], lib[400], soname[64], args[1600];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	if (n <= 0) {
		printf("guest: cannot find this program (/proc/self/exe)\n");
		return -1;
	}
	exe[n] = '\0';
	if (find_libdpx(lib, sizeof(lib), soname, sizeof(soname)) != 0) {
		printf("guest: libdpx is not in /proc/self/maps\n");
		return -1;
	}
	n = snprintf(args, sizeof(args),
		     "%s --add %s:/dpx-test --add %s:/lib/%s --run '/dpx-test %s'", guest_args, exe,
		     lib, soname, case_name);
	if (n < 0 || (size_t)n >= sizeof(args)) {
		printf("guest: arguments too long\n");
		return -1;
	}
	return dpx_test_guest_run(args, out, outlen);
}

int
dpx_test_guest_case(const char *case_name, const char *guest_args)
{
	static char out[262144];
	char why[512], pass[160];
	int rc;

	if (dpx_test_guest_prepare(why, sizeof(why)) != 0)
		DPX_TEST_SKIP("%s", why);
	rc = dpx_test_guest_run_self(case_name, guest_args, out, sizeof(out));
	DPX_TEST_ASSERT_EQUAL(rc, 0, "%s inside the guest", case_name);
	snprintf(pass, sizeof(pass), "PASS %s", case_name);
	DPX_TEST_ASSERT(strstr(out, pass) != NULL, "no '%s' line from the guest", pass);
	return DPX_TEST_SUCCESS;
}

int
dpx_test_guest_value(const char *out, const char *key, char *val, size_t len)
{
	size_t klen = strlen(key);

	if (len == 0)
		return -1;
	for (const char *line = out; line != NULL && *line != '\0';) {
		const char *end = strchr(line, '\n');
		size_t llen = end ? (size_t)(end - line) : strlen(line);

		if (llen > klen && strncmp(line, key, klen) == 0 && line[klen] == '=') {
			size_t vlen = llen - klen - 1;

			while (vlen > 0 && (line[klen + vlen] == '\r' || line[klen + vlen] == ' '))
				vlen--;
			if (vlen >= len)
				vlen = len - 1;
			memcpy(val, line + klen + 1, vlen);
			val[vlen] = '\0';
			return 0;
		}
		line = end ? end + 1 : NULL;
	}
	return -1;
}

pid_t
dpx_test_guest_spawn(const char *cmd)
{
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	if (pid < 0)
		printf("guest: cannot fork for '%s'\n", cmd);
	return pid;
}

int
dpx_test_guest_reap(pid_t pid, double timeout_s)
{
	double deadline = dpx_test_seconds() + timeout_s;
	int status;
	pid_t r;

	while ((r = waitpid(pid, &status, WNOHANG)) == 0 && dpx_test_seconds() < deadline)
		usleep(20 * 1000);
	if (r == 0) {
		printf("guest: pid %d still running after %.1f s: killed\n", (int)pid, timeout_s);
		kill(pid, SIGKILL);
		r = waitpid(pid, &status, 0);
	}
	if (r != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int
dpx_test_guest_read_file(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	size_t n;

	if (f == NULL || len == 0) {
		if (f != NULL)
			fclose(f);
		return -1;
	}
	n = fread(buf, 1, len - 1, f);
	buf[n] = '\0';
	fclose(f);
	return 0;
}

unsigned int
dpx_test_guest_kmsg_count(const char *needle)
{
	char rec[2048];
	unsigned int n = 0;
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);
	ssize_t r;

	if (fd < 0)
		return 0;
	while ((r = read(fd, rec, sizeof(rec) - 1)) > 0 || (r < 0 && errno == EPIPE)) {
		if (r <= 0)
			continue; /* EPIPE: records overwritten while reading */
		rec[r] = '\0';
		n += strstr(rec, needle) != NULL;
	}
	close(fd);
	return n;
}
