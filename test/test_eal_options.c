/* SPDX-License-Identifier: BSD-3-Clause */
/* EAL command line: a table of valid and invalid option strings. */
#include <stdlib.h>

#include "dpx_test.h"
#include "eal_private.h"

struct option_case {
	const char *args; /* space-separated, after argv[0] */
	int expected;     /* consumed count, or -EINVAL */
	const char *err_mentions; /* substring the error must contain */
};

static const struct option_case option_cases[] = {
	{"", 0, NULL},
	{"-l 0", 2, NULL},
	{"-l0-1", 1, NULL},
	{"--lcores=0,2-3", 1, NULL},
	{"--lcores 0-3@1", 2, NULL},
	{"-l 0-1 --main-lcore 1", 4, NULL},
	{"-l 0-1 --main-lcore=2", -EINVAL, "--main-lcore 2"},
	{"--log-level=debug", 1, NULL},
	{"--log-level vhost:debug --log-level=pmd.*:8", 3, NULL},
	{"--log-level=vhost:loud", -EINVAL, "--log-level"},
	{"--log-level=:debug", -EINVAL, "--log-level"},
	{"--file-prefix=abc --no-huge", 2, NULL},
	{"--file-prefix=a/b", -EINVAL, "--file-prefix"},
	{"--file-prefix=", -EINVAL, "--file-prefix"},
	{"--vdev net_null0,size=64 --vdev=net_ring0", 3, NULL},
	{"--vdev ,x", -EINVAL, "--vdev"},
	{"-a 0000:00:03.0 --allow=00:04.0,verify=1 -a0000:00:05.0", 4, NULL},
	{"-b 0000:00:03.0 --block 00:04.0", 4, NULL},
	{"--no-pci", 1, NULL},
	{"-a 0000:00:03.0 -b 0000:00:04.0", -EINVAL, "cannot be used together"},
	{"--no-pci -a 0000:00:03.0", -EINVAL, "--no-pci"},
	{"--no-pci -b 0000:00:03.0", -EINVAL, "--no-pci"},
	{"-a ,x", -EINVAL, "-a"},
	{"--allow=", -EINVAL, "--allow"},
	{"-b 0000:00:03.0,x=1", -EINVAL, "-b"},
	{"-a", -EINVAL, "requires a value"},
	{"--no-pci=1", -EINVAL, "takes no value"},
	{"-m 512", 2, NULL},
	{"-m 0", -EINVAL, "-m"},
	{"-m 12x", -EINVAL, "-m"},
	{"--socket-mem 512,256", 2, NULL},
	{"--socket-mem 512,", -EINVAL, "--socket-mem"},
	{"-m 64 --socket-mem 64", -EINVAL, "together"},
	{"--no-huge --socket-mem 64", -EINVAL, "--no-huge"},
	{"--huge-dir /dev/hugepages", 2, NULL},
	{"--no-huge --huge-dir /mnt", -EINVAL, "--huge-dir"},
	{"--iova-mode=pa", 1, NULL},
	{"--iova-mode va", 2, NULL},
	{"--iova-mode=xx", -EINVAL, "--iova-mode"},
	{"--in-memory", 1, NULL},
	{"--in-memory=1", -EINVAL, "takes no value"},
	{"-h", 1, NULL},
	{"--bogus", -EINVAL, "unknown option '--bogus'"},
	{"-z", -EINVAL, "unknown option '-z'"},
	{"-l", -EINVAL, "requires a value"},
	{"-l 0-", -EINVAL, "-l"},
	{"-l 3-1", -EINVAL, "-l"},
	{"-l 0,0", -EINVAL, "-l"},
	{"-l 0,", -EINVAL, "-l"},
	{"-l 99999", -EINVAL, "-l"},
	{"-l 0@1-2", -EINVAL, "-l"},
	{"-", 0, NULL},
	{"--=x", -EINVAL, "unknown option"},
	{"---", -EINVAL, "unknown option"},
	{"-hx", -EINVAL, "takes no value"},
	{"--help", 1, NULL},
	{"--iova-mode", -EINVAL, "requires a value"},
	{"--main-lcore=99999", -EINVAL, "--main-lcore"},
	{"--main-lcore=-1", -EINVAL, "--main-lcore"},
	{"--lcores=@1", -EINVAL, "--lcores"},
	{"--lcores=0@", -EINVAL, "--lcores"},
	{"--lcores=0@99999", -EINVAL, "--lcores"},
	{"-l 18446744073709551617", -EINVAL, "-l"},
	{"-l 0-18446744073709551617", -EINVAL, "-l"},
	{"--log-level=a:b:debug", 1, NULL},
	{"--log-level=", -EINVAL, "--log-level"},
	{"--socket-mem=,", -EINVAL, "--socket-mem"},
	{"--socket-mem 18446744073709551615", -EINVAL, "--socket-mem"},
	{"-m 17592186044416", -EINVAL, "-m"},
	{"-m 17592186044415", 2, NULL},
	{"--file-prefix=.hidden", -EINVAL, "--file-prefix"},
	{"--file-prefix=0123456789012345678901234567890123456789012345678901234567890123", -EINVAL,
	 "--file-prefix"},
	{"--vdev=", -EINVAL, "--vdev"},
	{"--huge-dir=", -EINVAL, "--huge-dir"},
	{"--no-huge -- --forward-mode=io", 2, NULL},
	{"--no-huge app-arg --no-huge", 1, NULL},
	/* DPDK's lcore groups; each lcore on one CPU */
	{"--lcores=(0-2)@0,3@1", 1, NULL},
	{"-l (0,2)@(1),4", 2, NULL},
	{"--lcores=(0-2)@(0-1)", -EINVAL, "dpx runs each lcore on one CPU: give it one"},
	{"--lcores=(0,6)", -EINVAL, "dpx runs each lcore on one CPU"},
	{"--lcores=(0-2", -EINVAL, "expected a list like"},
	/* a group is ids separated by commas: no empty id before, between or after */
	{"--lcores=(,0)@0", -EINVAL, "expected a list like"},
	{"--lcores=(0,)@0", -EINVAL, "expected a list like"},
	{"--lcores=(0,,1)@0", -EINVAL, "expected a list like"},
	{"--lcores=()@0", -EINVAL, "expected a list like"},
	{"--lcores=0@(,1)", -EINVAL, "expected a list like"},
	{"-l 200", -EINVAL, "invalid value for -l: '200': lcore ids go up to 127"},
	/* DPDK's other options: accepted with DPDK's meaning, or refused saying why */
	{"-c 0x5", 2, NULL},
	{"-c0", -EINVAL, "the mask selects no lcore"},
	{"-c 0xg", -EINVAL, "expected a hexadecimal mask"},
	{"-n 4 -v", 3, NULL},
	{"-n 0", -EINVAL, "memory channels"},
	{"--proc-type=primary --proc-type auto", 3, NULL},
	{"--proc-type=secondary", -EINVAL, "dpx has no secondary processes"},
	{"--huge-unlink=existing", 1, NULL},
	{"--huge-unlink", -EINVAL, "option --huge-unlink: not supported by dpx"},
	{"--huge-unlink=never", -EINVAL, "always removed"},
	{"--single-file-segments", -EINVAL, "each hugepage is its own file"},
	{"--run-time=1", -EINVAL, "not an EAL option (a program's own options go after '--')"},
	/* DPDK's regex form of --log-level */
	{"--log-level=pmd\\.net\\..*,8", 1, NULL},
	{"--log-level=lib.eal:debug --log-level=lib\\.vhost\\..*,info", 2, NULL},
	{"--log-level=a[,debug", -EINVAL, "is not a POSIX regular expression"},
	/* each refusal says what was wrong */
	{"--log-level=vhost:loud", -EINVAL,
	 "'vhost:loud': a level is emerg, alert, crit, err, warning, notice, info, debug or 1..8"},
	{"--log-level=lib.eal:99", -EINVAL, "a level is emerg, alert, crit, err, warning"},
	{"--log-level=loud", -EINVAL, "a level is emerg, alert, crit, err, warning"},
	{"--log-level=:8", -EINVAL, "': empty pattern before the level"},
	{"--log-level=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa:8",
	 -EINVAL, ": a pattern has at most 127 characters"},
	{"--log-level=help", 1, NULL},
};

/* Split a test string into argv (at most 15 words). */
static int
split_args(char *buf, char **argv)
{
	int argc = 0;

	argv[argc++] = "prog";
	for (char *tok = strtok(buf, " "); tok != NULL && argc < 15; tok = strtok(NULL, " "))
		argv[argc++] = tok;
	argv[argc] = NULL;
	return argc;
}

static int
test_eal_options_table(void)
{
	for (size_t i = 0; i < DPX_DIM(option_cases); i++) {
		const struct option_case *c = &option_cases[i];
		struct eal_options opts;
		char buf[256], err[256], *argv[16];

		snprintf(buf, sizeof(buf), "%s", c->args);
		int argc = split_args(buf, argv);
		eal_options_init(&opts);
		int rc = eal_options_parse(&opts, argc, argv, err, sizeof(err));
		DPX_TEST_ASSERT_EQUAL(rc, c->expected, "case '%s' (error: %s)", c->args, err);
		if (c->err_mentions != NULL)
			DPX_TEST_ASSERT(strstr(err, c->err_mentions) != NULL,
					"case '%s': error '%s' should mention '%s'", c->args, err,
					c->err_mentions);
		if (rc >= 0)
			DPX_TEST_ASSERT(err[0] == '\0', "case '%s' succeeded with error '%s'",
					c->args, err);
	}
	return DPX_TEST_SUCCESS;
}
DPX_TEST_REGISTER(eal_options_table, fast, test_eal_options_table);

static int
test_eal_options_values(void)
{
	struct eal_options opts;
	char err[256];
	char *argv[] = {"prog", "--lcores=0-2@1,5", "--main-lcore", "5", "--socket-mem=64,128",
			"--vdev", "net_null0,size=64", "--iova-mode=pa", "--log-level=vhost:debug",
			"--log-level=info", "--", "-i", NULL};

	eal_options_init(&opts);
	DPX_TEST_ASSERT_EQUAL(eal_options_parse(&opts, 12, argv, err, sizeof(err)), 10, "%s", err);
	DPX_TEST_ASSERT_EQUAL(opts.lcore_count, 4, "");
	DPX_TEST_ASSERT_EQUAL(opts.lcore_cpu[0], 1, "lcore 0 mapped to cpu 1");
	DPX_TEST_ASSERT_EQUAL(opts.lcore_cpu[2], 1, "lcore 2 mapped to cpu 1");
	DPX_TEST_ASSERT_EQUAL(opts.lcore_cpu[3], -1, "lcore 3 not enabled");
	DPX_TEST_ASSERT_EQUAL(opts.lcore_cpu[5], 5, "lcore 5 on its own cpu");
	DPX_TEST_ASSERT_EQUAL(opts.main_lcore, 5, "");
	DPX_TEST_ASSERT(opts.socket_mem_set, "");
	DPX_TEST_ASSERT_EQUAL(opts.socket_mem_mb[0], 64, "");
	DPX_TEST_ASSERT_EQUAL(opts.socket_mem_mb[1], 128, "");
	DPX_TEST_ASSERT_EQUAL(opts.vdev_count, 1, "");
	DPX_TEST_ASSERT(strcmp(opts.vdev_args[0], "net_null0,size=64") == 0, "");
	DPX_TEST_ASSERT_EQUAL(opts.iova_mode, DPX_IOVA_PA, "");
	DPX_TEST_ASSERT_EQUAL(opts.log_pattern_count, 1, "");
	DPX_TEST_ASSERT(strcmp(opts.log_patterns[0].pattern, "vhost") == 0, "");
	DPX_TEST_ASSERT_EQUAL(opts.log_patterns[0].level, DPX_LOG_DEBUG, "");
	DPX_TEST_ASSERT_EQUAL(opts.log_global_level, DPX_LOG_INFO, "");

	char *groups[] = {"prog", "--lcores=(0-2)@1,3@0,(5,7)@(4)", "-c", "0x6", NULL};
	eal_options_init(&opts);
	DPX_TEST_ASSERT_EQUAL(eal_options_parse(&opts, 2, groups, err, sizeof(err)), 1, "%s", err);
	DPX_TEST_ASSERT_EQUAL(opts.lcore_count, 6, "");
	DPX_TEST_ASSERT(opts.lcore_cpu[0] == 1 && opts.lcore_cpu[2] == 1 &&
				opts.lcore_cpu[3] == 0 && opts.lcore_cpu[5] == 4 &&
				opts.lcore_cpu[7] == 4 && opts.lcore_cpu[6] == -1,
			"");
	eal_options_init(&opts);
	DPX_TEST_ASSERT_EQUAL(eal_options_parse(&opts, 4, groups, err, sizeof(err)), 3, "%s", err);
	DPX_TEST_ASSERT(opts.lcore_count == 2 && opts.lcore_cpu[1] == 1 && opts.lcore_cpu[2] == 2 &&
				opts.lcore_cpu[0] == -1 && opts.lcore_cpu[5] == -1,
			"-c replaces the list: lcores 1 and 2, each on its own CPU");

	char *regex[] = {"prog", "--log-level=pmd\\.net\\..*,8", "--log-level=a,b:info", NULL};
	eal_options_init(&opts);
	DPX_TEST_ASSERT_EQUAL(eal_options_parse(&opts, 3, regex, err, sizeof(err)), 2, "%s", err);
	DPX_TEST_ASSERT(opts.log_patterns[0].regex &&
				strcmp(opts.log_patterns[0].pattern, "pmd\\.net\\..*") == 0 &&
				opts.log_patterns[0].level == DPX_LOG_DEBUG,
			"");
	DPX_TEST_ASSERT(!opts.log_patterns[1].regex &&
				strcmp(opts.log_patterns[1].pattern, "a,b") == 0,
			"the last separator decides: a glob containing a comma");
	return DPX_TEST_SUCCESS;
}
DPX_TEST_REGISTER(eal_options_values, fast, test_eal_options_values);

/* Through the public entry point: errors are returned, nothing is left initialised. */
static int
test_eal_init_errors(void)
{
	char *bad[] = {"prog", "--no-huge", "--lcores=abc", NULL};
	char *help[] = {"prog", "-h", NULL};
	char *far_cpu[] = {"prog", "--no-huge", "--in-memory", "--lcores", "0@1000", NULL};

	DPX_TEST_ASSERT_EQUAL(dpx_eal_init(3, bad), -EINVAL, "");
	DPX_TEST_ASSERT(!dpx_eal_is_initialized(), "");
	DPX_TEST_ASSERT_EQUAL(dpx_eal_init(2, help), -ECANCELED, "");
	DPX_TEST_ASSERT(!dpx_eal_is_initialized(), "");
	DPX_TEST_ASSERT_EQUAL(dpx_eal_init(5, far_cpu), -ENODEV, "cpu 1000 is not ours");
	DPX_TEST_ASSERT(!dpx_eal_is_initialized(), "");
	DPX_TEST_ASSERT_EQUAL(dpx_eal_cleanup(), -EALREADY, "");
	/* a failed init keeps none of what it parsed (vdev args point into argv) */
	char *bad_vdev[] = {"prog", "--vdev", "net_null0", "--file-prefix=x1", "-l", "zz", NULL};
	DPX_TEST_ASSERT_EQUAL(dpx_eal_init(6, bad_vdev), -EINVAL, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eal_vdev_count(), 0, "");
	DPX_TEST_ASSERT(dpx_eal_vdev_arg(0) == NULL, "");
	DPX_TEST_ASSERT(strcmp(dpx_eal_file_prefix(), "dpx") == 0, "default prefix");

	int rc = dpx_test_eal_init("--no-huge", "-l", "0", "--vdev", "net_null0", NULL);
	DPX_TEST_ASSERT(rc > 0, "init failed: %d", rc);
	DPX_TEST_ASSERT_EQUAL(dpx_eal_vdev_count(), 1, "");
	DPX_TEST_ASSERT_EQUAL(dpx_test_eal_init("--no-huge", NULL), -EALREADY, "second init");
	DPX_TEST_ASSERT_EQUAL(dpx_eal_cleanup(), 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eal_vdev_count(), 0, "cleanup forgets the options");
	DPX_TEST_ASSERT_EQUAL(dpx_eal_no_huge(), 0, "");
	return DPX_TEST_SUCCESS;
}
DPX_TEST_REGISTER(eal_init_errors, fast, test_eal_init_errors);

/* argv is handed back so the program parses its own options after "--". */
static int
test_eal_init_argv(void)
{
	char *argv[] = {"prog", "--no-huge", "--in-memory", "-l", "0", "--", "--app-opt", NULL};
	int rc = dpx_eal_init(7, argv);

	DPX_TEST_ASSERT_EQUAL(rc, 5, "");
	DPX_TEST_ASSERT(strcmp(argv[rc], "prog") == 0, "argv[ret] is the program name");
	DPX_TEST_ASSERT(strcmp(argv[rc + 1], "--app-opt") == 0, "");
	DPX_TEST_ASSERT_EQUAL(dpx_lcore_count(), 1, "");
	DPX_TEST_ASSERT_EQUAL(dpx_eal_cleanup(), 0, "");
	return DPX_TEST_SUCCESS;
}
DPX_TEST_REGISTER(eal_init_argv, fast, test_eal_init_argv);
