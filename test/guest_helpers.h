/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Glue for guest-suite cases: boot the dpx test guest (usertools/dpx-guest-run,
 * QEMU under TCG) with a command and look at what it printed.
 *
 *     char why[256], out[16384];
 *     if (dpx_test_guest_prepare(why, sizeof(why)) != 0)
 *             DPX_TEST_SKIP("%s", why);
 *     rc = dpx_test_guest_run("--netdev-user --run 'ifconfig eth0'", out, sizeof(out));
 *
 * The scripts are found through the source tree (DPX_SOURCE_ROOT) and the
 * guest is built into DPX_BUILD_ROOT/guest; both are compile-time paths.
 */
#ifndef DPX_TEST_GUEST_HELPERS_H
#define DPX_TEST_GUEST_HELPERS_H

#include <stddef.h>
#include <sys/types.h>

/* dpx-guest-run's own exit codes (any other is the guest command's). */
#define DPX_TEST_GUEST_TIMEOUT 124
#define DPX_TEST_GUEST_FAILED 125

/**
 * Check that QEMU is installed and build the guest (cached: fast when built).
 *
 * When DPX_TEST_REQUIRE_GUESTS is set (and not "0"), as usertools/dpx-setup
 * test sets it, a guest that cannot be had is a failure: this prints why and
 * exits the case's process with DPX_TEST_FAILED instead of returning.
 *
 * @param why  Filled with the reason when the guest cannot be had.
 * @param len  Size of why.
 * @return 0 when guests can be booted, DPX_TEST_SKIPPED otherwise.
 */
int dpx_test_guest_prepare(char *why, size_t len);

/**
 * Run `dpx-guest-run --build-dir DPX_BUILD_ROOT ARGS` and capture its output.
 *
 * The output (the guest's console and the script's messages) is also echoed
 * to stdout with the elapsed time, for the test log.
 *
 * @param args    Arguments, as shell words (quote the --run command).
 * @param out     Receives the output, NUL-terminated (cut at outlen - 1).
 * @param outlen  Size of out.
 * @return The exit code: the guest command's, DPX_TEST_GUEST_TIMEOUT,
 *         DPX_TEST_GUEST_FAILED; -1 if the script could not be started.
 */
int dpx_test_guest_run(const char *args, char *out, size_t outlen);

/**
 * Run one case of this dpx-test inside the guest: dpx-test and the libdpx
 * it runs with are copied in (with what ldd lists) and `/dpx-test CASE` is
 * the guest's command. The case tells where it runs from the environment
 * (DPX_GUEST_VFIO_BDF with --vfio, say).
 *
 * @param case_name   The case to run in the guest.
 * @param guest_args  dpx-guest-run's other arguments ("--vfio --timeout 600").
 * @param out, outlen As for dpx_test_guest_run.
 * @return As dpx_test_guest_run; -1 when this program or libdpx cannot be found.
 */
int dpx_test_guest_run_self(const char *case_name, const char *guest_args, char *out,
			    size_t outlen);

/**
 * A whole guest case, host side: skip when no guest can be had, else run
 * case_name in the guest (dpx_test_guest_run_self) and pass when it exits 0
 * and printed its PASS line.
 * @return DPX_TEST_SUCCESS, DPX_TEST_FAILED or DPX_TEST_SKIPPED.
 */
int dpx_test_guest_case(const char *case_name, const char *guest_args);

/**
 * Find the line KEY=VALUE (e.g. DPX-GUEST-VFIO-GROUP=3) in a captured output.
 *
 * @param out  Output from dpx_test_guest_run.
 * @param key  The key, without '='.
 * @param val  Receives VALUE, NUL-terminated (cut at len - 1).
 * @param len  Size of val.
 * @return 0, or -1 when no such line exists.
 */
int dpx_test_guest_value(const char *out, const char *key, char *val, size_t len);

/**
 * Start a shell command in the background (a peer for the guest: a backend,
 * a packet source). Its output goes to the test's stdout.
 *
 * @param cmd  The command, for /bin/sh -c.
 * @return Its pid, or -1 when fork failed.
 */
pid_t dpx_test_guest_spawn(const char *cmd);

/**
 * Wait for a process started by dpx_test_guest_spawn; kill it (SIGKILL) when
 * it is still running after timeout_s seconds.
 *
 * @return Its exit code; 128 + signal when it was killed or died of one;
 *         -1 when pid is not a child.
 */
int dpx_test_guest_reap(pid_t pid, double timeout_s);

/**
 * Read a small text file (a peer's report) into buf, NUL-terminated.
 *
 * @return 0, or -1 when it cannot be read.
 */
int dpx_test_guest_read_file(const char *path, char *buf, size_t len);

/**
 * Inside a guest: the kernel log records (/dev/kmsg) containing needle, such
 * as the DMAR fault reports of VT-d ("fault addr 0x...").
 *
 * @return The count; 0 when /dev/kmsg cannot be read.
 */
unsigned int dpx_test_guest_kmsg_count(const char *needle);

#endif /* DPX_TEST_GUEST_HELPERS_H */
