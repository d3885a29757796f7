/* SPDX-License-Identifier: BSD-3-Clause */
/* Interactive command parsing (pure). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fwd_cmd.h"

#define MAX_WORDS 6
#define MAX_LINE 256

const char fwd_cmd_help[] =
	"commands:\n"
	"  start                      start forwarding\n"
	"  stop                       stop forwarding and print the forward statistics\n"
	"  show port stats all|N      port counters\n"
	"  show port xstats all|N     extended port counters\n"
	"  set fwd MODE               io, mac, macswap, rxonly or txonly (while stopped)\n"
	"  port start all|N           start port(s)\n"
	"  port stop all|N            stop port(s)\n"
	"  help                       this text\n"
	"  quit                       stop and exit\n";

static int fail(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int
fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static int
split(char *buf, char *words[MAX_WORDS + 1])
{
	int n = 0;
	char *save = NULL;

	for (char *w = strtok_r(buf, " \t\r\n", &save); w != NULL;
	     w = strtok_r(NULL, " \t\r\n", &save)) {
		if (n == MAX_WORDS + 1)
			break;
		words[n++] = w;
	}
	return n;
}

static int
parse_port_arg(const char *w, struct fwd_cmd *cmd, char *err, size_t errlen)
{
	char *end;
	unsigned long v;

	if (strcmp(w, "all") == 0) {
		cmd->all = 1;
		return 0;
	}
	v = strtoul(w, &end, 10);
	if (*w < '0' || *w > '9' || *end != '\0' || v >= DPX_MAX_ETHPORTS)
		return fail(err, errlen, "bad port '%s': expected all or 0..%d", w,
			    DPX_MAX_ETHPORTS - 1);
	cmd->port = (uint16_t)v;
	return 0;
}

struct cmd_def {
	const char *words[3]; /* fixed leading words */
	int nb_words;
	enum fwd_cmd_type type;
	int arg; /* 0 none, 1 port, 2 mode */
	const char *usage;
};

static const struct cmd_def commands[] = {
	{{"start"}, 1, FWD_CMD_START, 0, "start"},
	{{"stop"}, 1, FWD_CMD_STOP, 0, "stop"},
	{{"quit"}, 1, FWD_CMD_QUIT, 0, "quit"},
	{{"help"}, 1, FWD_CMD_HELP, 0, "help"},
	{{"show", "port", "stats"}, 3, FWD_CMD_SHOW_STATS, 1, "show port stats all|N"},
	{{"show", "port", "xstats"}, 3, FWD_CMD_SHOW_XSTATS, 1, "show port xstats all|N"},
	{{"set", "fwd"}, 2, FWD_CMD_SET_FWD, 2, "set fwd MODE"},
	{{"port", "start"}, 2, FWD_CMD_PORT_START, 1, "port start all|N"},
	{{"port", "stop"}, 2, FWD_CMD_PORT_STOP, 1, "port stop all|N"},
};

static int
matches(const struct cmd_def *d, char **words, int n)
{
	if (n < d->nb_words)
		return 0;
	for (int i = 0; i < d->nb_words; i++)
		if (strcmp(words[i], d->words[i]) != 0)
			return 0;
	return 1;
}

static int
parse_args(const struct cmd_def *d, char **words, int n, struct fwd_cmd *cmd, char *err,
	   size_t errlen)
{
	int want = d->nb_words + (d->arg != 0);
	int m;

	if (n != want)
		return fail(err, errlen, "usage: %s", d->usage);
	if (d->arg == 1)
		return parse_port_arg(words[n - 1], cmd, err, errlen);
	if (d->arg == 2) {
		m = fwd_mode_parse(words[n - 1]);
		if (m < 0)
			return fail(err, errlen,
				    "unknown forwarding mode '%s': expected io, mac, macswap, "
				    "rxonly or txonly",
				    words[n - 1]);
		cmd->mode = (enum fwd_mode)m;
	}
	return 0;
}

int
fwd_cmd_parse(const char *line, struct fwd_cmd *cmd, char *err, size_t errlen)
{
	char buf[MAX_LINE];
	char *words[MAX_WORDS + 1];
	int n;

	memset(cmd, 0, sizeof(*cmd));
	if (errlen > 0)
		err[0] = '\0';
	if (strlen(line) >= sizeof(buf))
		return fail(err, errlen, "line too long (limit %d characters)", MAX_LINE - 1);
	strcpy(buf, line);
	buf[strcspn(buf, "#")] = '\0';
	n = split(buf, words);
	if (n == 0)
		return 0;
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (!matches(&commands[i], words, n))
			continue;
		cmd->type = commands[i].type;
		return parse_args(&commands[i], words, n, cmd, err, errlen);
	}
	return fail(err, errlen, "unknown command '%s' (type help)", words[0]);
}
