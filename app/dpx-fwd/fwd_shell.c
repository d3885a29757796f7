/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dpx-fwd interactive prompt. On a terminal, lines come from libedit (line
 * editing, history) when dpx was built with it; otherwise (a script on
 * stdin, or no libedit) from fgets, so scripted sessions are deterministic.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <dpx_config.h>
#include <dpx_errno.h>

#ifdef DPX_HAS_LIBEDIT
#include <editline/readline.h>
#endif

#include "fwd_app.h"
#include "fwd_cmd.h"

#define PROMPT "dpx-fwd> "
#define LINE_MAX_LEN 512

/* @return a malloc'd line without its newline, or NULL at end of input / on a signal. */
static char *
read_line(int tty)
{
	char buf[LINE_MAX_LEN];

#ifdef DPX_HAS_LIBEDIT
	if (tty) {
		char *l = readline(PROMPT);

		if (l != NULL && l[0] != '\0')
			add_history(l);
		return l;
	}
#endif
	if (tty) {
		fputs(PROMPT, stdout);
		fflush(stdout);
	}
	if (fgets(buf, sizeof(buf), stdin) == NULL)
		return NULL;
	buf[strcspn(buf, "\n")] = '\0';
	return strdup(buf);
}

/* Run fn on one port or all; a port id that is not ours is reported. */
static void
for_ports(struct fwd_app *app, const struct fwd_cmd *c, void (*fn)(struct fwd_app *, uint16_t))
{
	int idx;

	if (c->all) {
		for (uint16_t i = 0; i < app->nb_ports; i++)
			fn(app, i);
		return;
	}
	idx = fwd_port_index(app, c->port);
	if (idx < 0)
		fprintf(app->out, "no port %u (ports: 0..%u)\n", c->port, app->nb_ports - 1);
	else
		fn(app, (uint16_t)idx);
}

static void
port_start_cb(struct fwd_app *app, uint16_t idx)
{
	fwd_port_start(app, idx);
}

static void
port_stop_cb(struct fwd_app *app, uint16_t idx)
{
	fwd_port_stop(app, idx);
}

/* @return 1 when the shell should end. */
static int
run_command(struct fwd_app *app, const struct fwd_cmd *c)
{
	FILE *f = app->out;
	int rc;

	switch (c->type) {
	case FWD_CMD_NONE:
		break;
	case FWD_CMD_START:
		rc = fwd_start(app);
		if (rc == -EBUSY)
			fprintf(f, "Packet forwarding already started\n");
		else if (rc < 0)
			fprintf(f, "cannot start forwarding: %s\n", dpx_strerror(rc));
		break;
	case FWD_CMD_STOP:
		if (fwd_stop(app) == -EALREADY)
			fprintf(f, "Packet forwarding not started\n");
		break;
	case FWD_CMD_SHOW_STATS:
		for_ports(app, c, fwd_show_port_stats);
		break;
	case FWD_CMD_SHOW_XSTATS:
		for_ports(app, c, fwd_show_port_xstats);
		break;
	case FWD_CMD_SET_FWD:
		if (app->forwarding) {
			fprintf(f, "Please stop forwarding first\n");
			break;
		}
		app->opt.mode = c->mode;
		fprintf(f, "Set %s packet forwarding mode\n", fwd_mode_name(c->mode));
		break;
	case FWD_CMD_PORT_START:
	case FWD_CMD_PORT_STOP:
		if (app->forwarding) {
			fprintf(f, "Please stop forwarding first\n");
			break;
		}
		for_ports(app, c, c->type == FWD_CMD_PORT_START ? port_start_cb : port_stop_cb);
		break;
	case FWD_CMD_HELP:
		fputs(fwd_cmd_help, f);
		break;
	case FWD_CMD_QUIT:
		return 1;
	}
	return 0;
}

void
fwd_shell_run(struct fwd_app *app)
{
	int tty = isatty(STDIN_FILENO);
	char err[256];
	char *line;

	while (!fwd_force_quit && (line = read_line(tty)) != NULL) {
		struct fwd_cmd c;
		int done = 0;

		if (fwd_cmd_parse(line, &c, err, sizeof(err)) < 0)
			fprintf(app->out, "%s\n", err);
		else
			done = run_command(app, &c);
		free(line);
		fflush(app->out);
		if (done)
			break;
	}
}
