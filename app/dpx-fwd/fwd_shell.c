/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dpx-fwd interactive prompt. On a terminal, lines come from libedit (line
 * editing, history, tab completion of the command words) when dpx was built
 * with it; otherwise (a script on stdin, or no libedit) from fgets, so
 * scripted sessions are deterministic.
 */
#include <errno.h>
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
#define MAX_CANDIDATES 64

#ifdef DPX_HAS_LIBEDIT
/* libedit asks for candidates one by one (state 0 first): compute them once per word. */
static char *
complete_word(const char *text, int state)
{
	static char cands[MAX_CANDIDATES][32];
	static int n, next;
	char line[LINE_MAX_LEN];

	(void)text; /* fwd_cmd_complete finds the word being typed in the line itself */
	if (state == 0) {
		snprintf(line, sizeof(line), "%.*s", rl_point, rl_line_buffer);
		n = fwd_cmd_complete(line, cands, MAX_CANDIDATES);
		next = 0;
	}
	return next < n ? strdup(cands[next++]) : NULL;
}

static char **
complete(const char *text, int start, int end)
{
	(void)start, (void)end;
	rl_attempted_completion_over = 1; /* no file-name completion as a fallback */
	return rl_completion_matches(text, complete_word);
}
#endif

/* @return a malloc'd line without its newline, or NULL at end of input / on a signal. */
static char *
read_line(FILE *in, int tty)
{
	char *line = NULL;
	size_t cap = 0;

#ifdef DPX_HAS_LIBEDIT
	if (tty) {
		char *l;

		rl_attempted_completion_function = complete;
		l = readline(PROMPT);
		if (l != NULL && l[0] != '\0')
			add_history(l);
		return l;
	}
#endif
	if (tty) {
		fputs(PROMPT, stdout);
		fflush(stdout);
	}
	/* the whole line, however long: fwd_cmd_parse refuses one over its limit, where a
	 * fixed buffer would cut it and run its tail as a command of its own */
	if (getline(&line, &cap, in) < 0) {
		free(line);
		return NULL;
	}
	line[strcspn(line, "\n")] = '\0';
	return line;
}

typedef void(port_fn_t)(struct fwd_app *app, uint16_t idx, const struct fwd_cmd *c);

static void
bad_port(struct fwd_app *app, uint16_t port)
{
	fprintf(app->out, "Invalid port %u: valid ports are", port);
	for (uint16_t i = 0; i < app->nb_ports; i++)
		fprintf(app->out, " %u", app->ports[i].id);
	fprintf(app->out, "%s\n", app->nb_ports ? "" : " none");
}

/* Run fn on one port or all; a port id that is not ours is reported. */
static void
for_ports(struct fwd_app *app, const struct fwd_cmd *c, port_fn_t *fn)
{
	int idx;

	if (c->all) {
		for (uint16_t i = 0; i < app->nb_ports; i++)
			fn(app, i, c);
		return;
	}
	idx = fwd_port_index(app, c->port);
	if (idx < 0)
		bad_port(app, c->port);
	else
		fn(app, (uint16_t)idx, c);
}

static void
show_stats_cb(struct fwd_app *app, uint16_t idx, const struct fwd_cmd *c)
{
	if (c->type == FWD_CMD_SHOW_STATS)
		fwd_show_port_stats(app, idx);
	else if (c->type == FWD_CMD_SHOW_XSTATS)
		fwd_show_port_xstats(app, idx);
	else if (c->type == FWD_CMD_SHOW_INFO)
		fwd_show_port_info(app, idx);
	else
		fwd_clear_port_stats(app, idx);
}

static void
port_cb(struct fwd_app *app, uint16_t idx, const struct fwd_cmd *c)
{
	switch (c->type) {
	case FWD_CMD_PORT_START:
		fwd_port_start(app, idx);
		break;
	case FWD_CMD_PORT_STOP:
		fwd_port_stop(app, idx);
		break;
	case FWD_CMD_PORT_DETACH:
		fwd_port_detach(app, idx);
		break;
	case FWD_CMD_SET_PROMISC:
	case FWD_CMD_SET_ALLMULTI:
		fwd_port_set_mode(app, idx, c->type == FWD_CMD_SET_ALLMULTI, c->on);
		break;
	default:
		fwd_port_set_link(app, idx, c->type == FWD_CMD_SET_LINK_UP);
		break;
	}
}

static void
cmd_start(struct fwd_app *app, const struct fwd_cmd *c)
{
	int rc;

	if (app->forwarding) {
		fprintf(app->out, "Packet forwarding already started\n");
		return;
	}
	if (c->tx_first &&
	    (app->opt.mode == FWD_MODE_TXONLY || app->opt.mode == FWD_MODE_FLOWGEN)) {
		fprintf(app->out, "start tx_first: %s generates its packets anyway; use start\n",
			fwd_mode_name(app->opt.mode));
		return;
	}
	/* --tx-first is for the first start, typed or not (fwd_start clears it) */
	app->tx_first = c->tx_first ? c->value : (unsigned int)app->opt.tx_first;
	if (app->opt.mode == FWD_MODE_TXONLY || app->opt.mode == FWD_MODE_FLOWGEN)
		app->tx_first = 0;
	rc = fwd_start(app);
	if (rc < 0)
		fprintf(app->out, "cannot start forwarding: %s\n", fwd_start_error(app, rc));
}

static void
cmd_set_txpkts(struct fwd_app *app, const struct fwd_cmd *c)
{
	struct fwd_options o = app->opt;
	char err[256];
	uint32_t len;

	if (fwd_parse_txpkts(c->arg, "set txpkts", &o, err, sizeof(err)) < 0) {
		fprintf(app->out, "%s\n", err);
		return;
	}
	len = fwd_options_txpkt_len(&o);
	if (len < FWD_MIN_PKT_LEN || len > o.max_pkt_len) {
		fprintf(app->out,
			"set txpkts %s: total length %u is outside %d..%u (--max-pkt-len)\n",
			c->arg, len, FWD_MIN_PKT_LEN, o.max_pkt_len);
		return;
	}
	app->opt = o;
}

static void
cmd_set(struct fwd_app *app, const struct fwd_cmd *c)
{
	FILE *f = app->out;

	switch (c->type) {
	case FWD_CMD_SET_FWD:
		if (app->forwarding) {
			fprintf(f, "Please stop forwarding first\n");
			break;
		}
		app->opt.mode = c->mode;
		fprintf(f, "Set %s packet forwarding mode\n", fwd_mode_name(c->mode));
		break;
	case FWD_CMD_SET_VERBOSE:
		fwd_set_verbose(app, c->value);
		break;
	case FWD_CMD_SET_NBCORE:
		if (c->value > fwd_available_cores()) {
			fprintf(f,
				"nb fwd cores %u > %u (max. number of configured lcores) - "
				"ignored\n",
				c->value, fwd_available_cores());
			break;
		}
		app->opt.nb_cores = c->value;
		fprintf(f, "Number of forwarding cores set to %u\n", c->value);
		break;
	case FWD_CMD_SET_BURST:
		app->opt.burst = (uint16_t)c->value;
		fprintf(f, "Number of packets per burst set to %u\n", c->value);
		break;
	default:
		cmd_set_txpkts(app, c);
		break;
	}
}

/* Commands that change ports need the cores stopped: they poll the ports' queues. */
static int
needs_stopped(const struct fwd_cmd *c)
{
	return c->type == FWD_CMD_PORT_START || c->type == FWD_CMD_PORT_STOP ||
	       c->type == FWD_CMD_PORT_ATTACH || c->type == FWD_CMD_PORT_DETACH;
}

/* @return 1 when the shell should end. */
static int
run_command(struct fwd_app *app, const struct fwd_cmd *c)
{
	FILE *f = app->out;
	int rc;

	if (needs_stopped(c) && app->forwarding) {
		fprintf(f, "Please stop forwarding first\n");
		return 0;
	}
	switch (c->type) {
	case FWD_CMD_NONE:
		break;
	case FWD_CMD_START:
		cmd_start(app, c);
		break;
	case FWD_CMD_STOP:
		if (fwd_stop(app) == -EALREADY)
			fprintf(f, "Packet forwarding not started\n");
		break;
	case FWD_CMD_SHOW_STATS:
	case FWD_CMD_SHOW_XSTATS:
	case FWD_CMD_SHOW_INFO:
	case FWD_CMD_CLEAR_STATS:
		for_ports(app, c, show_stats_cb);
		break;
	case FWD_CMD_SHOW_FWD_STATS:
		fwd_show_fwd_stats(app);
		break;
	case FWD_CMD_SHOW_CONFIG_FWD:
		rc = fwd_show_config(app);
		if (rc < 0)
			fprintf(f, "cannot lay out the streams: %s\n", fwd_start_error(app, rc));
		break;
	case FWD_CMD_SET_FWD:
	case FWD_CMD_SET_VERBOSE:
	case FWD_CMD_SET_NBCORE:
	case FWD_CMD_SET_BURST:
	case FWD_CMD_SET_TXPKTS:
		cmd_set(app, c);
		break;
	case FWD_CMD_SET_PROMISC:
	case FWD_CMD_SET_ALLMULTI:
	case FWD_CMD_SET_LINK_UP:
	case FWD_CMD_SET_LINK_DOWN:
	case FWD_CMD_PORT_START:
	case FWD_CMD_PORT_STOP:
	case FWD_CMD_PORT_DETACH:
		for_ports(app, c, port_cb);
		break;
	case FWD_CMD_PORT_ATTACH:
		fwd_port_attach(app, c->arg);
		break;
	case FWD_CMD_HELP:
		fputs(fwd_cmd_help(), f);
		break;
	case FWD_CMD_QUIT:
		return 1;
	}
	return 0;
}

/* Read and run lines until quit or the end; @return 1 on quit. */
static int
run_lines(struct fwd_app *app, FILE *in, int tty)
{
	char err[1024];
	char *line;

	while (!fwd_force_quit && (line = read_line(in, tty)) != NULL) {
		struct fwd_cmd c;
		int done = 0;

		if (fwd_cmd_parse(line, &c, err, sizeof(err)) < 0)
			fprintf(app->out, "%s\n", err);
		else
			done = run_command(app, &c);
		free(line);
		fflush(app->out);
		if (done)
			return 1;
	}
	return 0;
}

void
fwd_shell_run(struct fwd_app *app)
{
	run_lines(app, stdin, isatty(STDIN_FILENO));
}

int
fwd_shell_run_file(struct fwd_app *app, const char *path)
{
	FILE *in = fopen(path, "r");
	int rc;

	if (in == NULL) {
		rc = -errno;
		fprintf(stderr, "%s: --cmdline-file %s: %s\n", app->prgname, path,
			dpx_strerror(rc));
		return rc;
	}
	fprintf(app->out, "Read CLI commands from %s\n", path);
	rc = run_lines(app, in, 0);
	/* a directory opens, then fails its first read: not an empty file */
	if (rc == 0 && ferror(in)) {
		rc = errno != 0 ? -errno : -EIO;
		fprintf(stderr, "%s: --cmdline-file %s: %s\n", app->prgname, path,
			dpx_strerror(rc));
	}
	fclose(in);
	return rc;
}
