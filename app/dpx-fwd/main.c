/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dpx-fwd: a testpmd-like forwarder. EAL options, "--", then the
 * application's options (fwd_options.h). Without -i it forwards at once until
 * SIGINT/SIGTERM or --run-time; with -i it reads commands.
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <dpx_cycles.h>
#include <dpx_eal.h>

#include "fwd_app.h"

volatile int fwd_force_quit;

static struct fwd_app app = {.show_lock = PTHREAD_MUTEX_INITIALIZER};

static void
on_signal(int sig)
{
	(void)sig;
	fwd_force_quit = 1;
}

static void
install_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	/* no SA_RESTART: a blocking read of the prompt returns so we can quit */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

/* Forward until a signal or --run-time, waking every 50 ms to check. */
static void
wait_for_end(const struct fwd_app *a)
{
	uint64_t end = a->opt.run_time ? dpx_get_time_ns() + a->opt.run_time * DPX_NS_PER_S : 0;

	while (!fwd_force_quit && (end == 0 || dpx_get_time_ns() < end))
		usleep(50 * 1000);
	if (fwd_force_quit)
		fprintf(a->out, "\nSignal received, stopping.\n");
}

static int
parse_app_options(int argc, char **argv)
{
	char err[256];
	int rc = fwd_options_parse(argc, argv, &app.opt, err, sizeof(err));

	if (rc == -ECANCELED) {
		fwd_options_usage(stdout, app.prgname);
		return 0;
	}
	if (rc == 0)
		rc = fwd_check_cores(&app, err, sizeof(err));
	if (rc < 0) {
		fprintf(stderr, "%s: %s\n", app.prgname, err);
		return 1;
	}
	return -1; /* go on */
}

static int
run(void)
{
	int rc;

	if (app.opt.cmdline_file != NULL) {
		rc = fwd_shell_run_file(&app, app.opt.cmdline_file);
		if (rc != 0) {
			fwd_stop(&app);
			return rc < 0 ? 1 : 0; /* 1: the file said quit */
		}
	}
	app.tx_first = app.opt.tx_first;
	if ((!app.opt.interactive || app.opt.auto_start) && !app.forwarding) {
		rc = fwd_start(&app);
		if (rc < 0) {
			fprintf(stderr, "%s: cannot start forwarding: %s\n", app.prgname,
				fwd_start_error(&app, rc));
			return 1;
		}
	}
	if (app.opt.interactive)
		fwd_shell_run(&app);
	else
		wait_for_end(&app);
	fwd_stop(&app);
	return 0;
}

int
main(int argc, char **argv)
{
	int rc, consumed;

	app.prgname = "dpx-fwd";
	app.out = stdout;
	setvbuf(stdout, NULL, _IOLBF, 0);
	consumed = dpx_eal_init(argc, argv);
	if (consumed == -ECANCELED) {
		fwd_options_usage(stdout, app.prgname);
		return 0;
	}
	if (consumed < 0)
		return 1; /* the EAL said why, in one line naming the option or device */
	rc = parse_app_options(argc - consumed, argv + consumed);
	if (rc < 0) {
		install_signals();
		rc = fwd_ports_init(&app) < 0 ? 1 : run();
		if (app.nb_ports != 0)
			fwd_ports_close(&app);
	}
	dpx_eal_cleanup();
	return rc;
}
