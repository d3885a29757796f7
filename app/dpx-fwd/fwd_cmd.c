/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Interactive commands (pure). One table holds every command as a sequence
 * of words and placeholders; parsing, the usage shown on an error, the help
 * text and completion are all read from it, so they cannot disagree.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dpx_common.h>

#include "fwd_cmd.h"

#define MAX_WORDS 8
#define MAX_LINE 512
#define MAX_TOKENS 5

/* Placeholders: a token starting with '<' takes one argument word. */
#define T_PORTS "<ports>"     /* all | port id */
#define T_PORT "<port>"	      /* port id */
#define T_MODE "<mode>"	      /* forwarding mode */
#define T_ONOFF "<onoff>"     /* on | off */
#define T_N "<n>"	      /* unsigned integer in def->min..def->max */
#define T_LIST "<list>"	      /* LEN[,LEN...] */
#define T_DEVARGS "<devargs>" /* name[,key=value...] */

struct cmd_def {
	const char *tok[MAX_TOKENS];
	enum fwd_cmd_type type;
	uint32_t min, max; /* T_N range */
	const char *help;
};

/* clang-format off */
static const struct cmd_def commands[] = {
	{{"start"}, FWD_CMD_START, 0, 0, "start forwarding"},
	{{"start", "tx_first"}, FWD_CMD_START, 0, 0,
	 "send one txonly burst on every stream, then forward"},
	{{"start", "tx_first", T_N}, FWD_CMD_START, 1, 1000000, "the same with N bursts"},
	{{"stop"}, FWD_CMD_STOP, 0, 0, "stop forwarding, print the forward statistics"},
	{{"show", "port", "stats", T_PORTS}, FWD_CMD_SHOW_STATS, 0, 0, "port counters and rates"},
	{{"show", "port", "xstats", T_PORTS}, FWD_CMD_SHOW_XSTATS, 0, 0, "extended port counters"},
	{{"show", "port", "info", T_PORTS}, FWD_CMD_SHOW_INFO, 0, 0,
	 "port driver, link, MTU, modes and queues"},
	{{"show", "fwd", "stats", "all"}, FWD_CMD_SHOW_FWD_STATS, 0, 0,
	 "forward statistics so far (while forwarding too)"},
	{{"show", "config", "fwd"}, FWD_CMD_SHOW_CONFIG_FWD, 0, 0,
	 "mode, cores and streams the next start uses"},
	{{"clear", "port", "stats", T_PORTS}, FWD_CMD_CLEAR_STATS, 0, 0, "zero port counters"},
	{{"set", "fwd", T_MODE}, FWD_CMD_SET_FWD, 0, 0, "forwarding mode (while stopped)"},
	{{"set", "promisc", T_PORTS, T_ONOFF}, FWD_CMD_SET_PROMISC, 0, 0, "promiscuous mode"},
	{{"set", "allmulti", T_PORTS, T_ONOFF}, FWD_CMD_SET_ALLMULTI, 0, 0,
	 "all-multicast mode"},
	{{"set", "verbose", T_N}, FWD_CMD_SET_VERBOSE, 0, 3,
	 "dump packets: 1 received, 2 sent, 3 both, 0 none"},
	{{"set", "nbcore", T_N}, FWD_CMD_SET_NBCORE, 1, DPX_MAX_LCORE,
	 "forwarding cores from the next start"},
	{{"set", "burst", T_N}, FWD_CMD_SET_BURST, 1, FWD_MAX_BURST,
	 "packets per burst from the next start"},
	{{"set", "txpkts", T_LIST}, FWD_CMD_SET_TXPKTS, 0, 0,
	 "txonly segment lengths from the next start"},
	{{"set", "link-up", "port", T_PORT}, FWD_CMD_SET_LINK_UP, 0, 0, "bring the link up"},
	{{"set", "link-down", "port", T_PORT}, FWD_CMD_SET_LINK_DOWN, 0, 0, "take the link down"},
	{{"port", "start", T_PORTS}, FWD_CMD_PORT_START, 0, 0, "start port(s) (while stopped)"},
	{{"port", "stop", T_PORTS}, FWD_CMD_PORT_STOP, 0, 0, "stop port(s) (while stopped)"},
	{{"port", "attach", T_DEVARGS}, FWD_CMD_PORT_ATTACH, 0, 0,
	 "add a virtual device (as --vdev) as a new, stopped port"},
	{{"port", "detach", T_PORT}, FWD_CMD_PORT_DETACH, 0, 0,
	 "close a stopped port and remove its device"},
	{{"help"}, FWD_CMD_HELP, 0, 0, "this text"},
	{{"quit"}, FWD_CMD_QUIT, 0, 0, "stop and exit"},
	{{"exit"}, FWD_CMD_QUIT, 0, 0, "the same"},
};
/* clang-format on */

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

/* Append to err (after what is there). */
static void append(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void
append(char *err, size_t errlen, const char *fmt, ...)
{
	size_t len = strlen(err);
	va_list ap;

	if (len + 1 >= errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err + len, errlen - len, fmt, ap);
	va_end(ap);
}

static int
nb_tokens(const struct cmd_def *d)
{
	int n = 0;

	while (n < MAX_TOKENS && d->tok[n] != NULL)
		n++;
	return n;
}

static int
is_placeholder(const char *tok)
{
	return tok[0] == '<';
}

static const char *
placeholder_usage(const char *tok)
{
	if (strcmp(tok, T_PORTS) == 0)
		return "all|N";
	if (strcmp(tok, T_ONOFF) == 0)
		return "on|off";
	if (strcmp(tok, T_MODE) == 0)
		return "MODE";
	if (strcmp(tok, T_LIST) == 0)
		return "LEN[,LEN...]";
	if (strcmp(tok, T_DEVARGS) == 0)
		return "NAME[,KEY=VALUE...]";
	return "N";
}

static void
usage_of(const struct cmd_def *d, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (int i = 0; i < nb_tokens(d) && off < len; i++)
		off += (size_t)snprintf(buf + off, len - off, "%s%s", i ? " " : "",
					is_placeholder(d->tok[i]) ? placeholder_usage(d->tok[i])
								  : d->tok[i]);
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

/* Leading tokens of d that are literal words equal to the line's words. */
static int
literal_prefix(const struct cmd_def *d, char **words, int n)
{
	int i = 0;

	while (i < nb_tokens(d) && i < n && !is_placeholder(d->tok[i]) &&
	       strcmp(d->tok[i], words[i]) == 0)
		i++;
	return i;
}

static int
parse_uint(const char *w, uint32_t min, uint32_t max, uint32_t *out)
{
	char *end;
	unsigned long v;

	if (*w < '0' || *w > '9')
		return -EINVAL;
	v = strtoul(w, &end, 10);
	if (*end != '\0' || v < min || v > max)
		return -EINVAL;
	*out = (uint32_t)v;
	return 0;
}

static int
parse_port(const char *w, int allow_all, struct fwd_cmd *cmd, char *err, size_t errlen)
{
	uint32_t v;

	if (allow_all && strcmp(w, "all") == 0) {
		cmd->all = 1;
		return 0;
	}
	if (parse_uint(w, 0, DPX_MAX_ETHPORTS - 1, &v) < 0)
		return fail(err, errlen, "bad port '%s': expected %s0..%d", w,
			    allow_all ? "all or " : "", DPX_MAX_ETHPORTS - 1);
	cmd->port = (uint16_t)v;
	return 0;
}

/* One argument word w for placeholder tok of d. */
static int
parse_arg(const struct cmd_def *d, const char *tok, const char *w, struct fwd_cmd *cmd, char *err,
	  size_t errlen)
{
	char modes[160];
	int m;

	if (strcmp(tok, T_PORTS) == 0 || strcmp(tok, T_PORT) == 0)
		return parse_port(w, strcmp(tok, T_PORTS) == 0, cmd, err, errlen);
	if (strcmp(tok, T_ONOFF) == 0) {
		if (strcmp(w, "on") != 0 && strcmp(w, "off") != 0)
			return fail(err, errlen, "bad value '%s': expected on or off", w);
		cmd->on = strcmp(w, "on") == 0;
		return 0;
	}
	if (strcmp(tok, T_MODE) == 0) {
		m = fwd_mode_parse(w);
		fwd_mode_list(modes, sizeof(modes));
		if (m < 0)
			return fail(err, errlen, "unknown forwarding mode '%s': expected %s", w,
				    modes);
		cmd->mode = (enum fwd_mode)m;
		return 0;
	}
	if (strcmp(tok, T_N) == 0) {
		if (parse_uint(w, d->min, d->max, &cmd->value) < 0)
			return fail(err, errlen, "bad number '%s': expected %u..%u", w, d->min,
				    d->max);
		return 0;
	}
	if (strlen(w) >= sizeof(cmd->arg))
		return fail(err, errlen, "argument too long (limit %zu characters)",
			    sizeof(cmd->arg) - 1);
	strcpy(cmd->arg, w);
	return 0;
}

static int
parse_def(const struct cmd_def *d, char **words, int n, struct fwd_cmd *cmd, char *err,
	  size_t errlen)
{
	char usage[128];

	cmd->type = d->type;
	cmd->tx_first = d->type == FWD_CMD_START && n >= 2;
	if (cmd->tx_first)
		cmd->value = 1;
	for (int i = 0; i < n; i++) {
		if (!is_placeholder(d->tok[i]))
			continue;
		if (parse_arg(d, d->tok[i], words[i], cmd, err, errlen) < 0) {
			usage_of(d, usage, sizeof(usage));
			append(err, errlen, "\nusage: %s", usage);
			return -EINVAL;
		}
	}
	return 0;
}

/* The line matched no command fully: say which word is wrong, and how the commands go. */
static int
explain(char **words, int n, char *err, size_t errlen)
{
	int depth = 0, shown = 0;
	char usage[128], expected[256] = "";

	for (size_t i = 0; i < DPX_DIM(commands); i++)
		depth = DPX_MAX(depth, literal_prefix(&commands[i], words, n));
	if (depth == 0)
		return fail(err, errlen, "unknown command '%s' (type help)", words[0]);
	/* the words that could follow the matched ones */
	for (size_t i = 0; i < DPX_DIM(commands); i++) {
		const struct cmd_def *d = &commands[i];

		if (literal_prefix(d, words, n) != depth || depth >= nb_tokens(d) ||
		    is_placeholder(d->tok[depth]) || strstr(expected, d->tok[depth]) != NULL)
			continue;
		snprintf(expected + strlen(expected), sizeof(expected) - strlen(expected), "%s%s",
			 expected[0] ? ", " : "", d->tok[depth]);
	}
	if (depth < n && expected[0] != '\0') {
		char known[128] = "";

		for (int i = 0; i < depth; i++)
			snprintf(known + strlen(known), sizeof(known) - strlen(known), "%s%s",
				 i ? " " : "", words[i]);
		fail(err, errlen, "%s: unknown subcommand '%s': expected %s", known, words[depth],
		     expected);
	} else if (depth < n)
		fail(err, errlen, "%s: too many arguments", words[0]);
	else
		fail(err, errlen, "%s: missing arguments", words[0]);
	for (size_t i = 0; i < DPX_DIM(commands); i++) {
		if (literal_prefix(&commands[i], words, n) != depth)
			continue;
		usage_of(&commands[i], usage, sizeof(usage));
		append(err, errlen, "\n%s %s", shown++ ? "      " : "usage:", usage);
	}
	return -EINVAL;
}

/* Do the words match d's first n tokens (placeholders take anything)? */
static int
prefix_matches(const struct cmd_def *d, char **words, int n)
{
	if (n >= nb_tokens(d))
		return 0;
	for (int i = 0; i < n; i++)
		if (!is_placeholder(d->tok[i]) && strcmp(d->tok[i], words[i]) != 0)
			return 0;
	return 1;
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
	/* full match: one word per token, every literal word equal */
	for (size_t i = 0; i < DPX_DIM(commands); i++)
		if (nb_tokens(&commands[i]) == n && prefix_matches(&commands[i], words, n - 1) &&
		    (is_placeholder(commands[i].tok[n - 1]) ||
		     strcmp(commands[i].tok[n - 1], words[n - 1]) == 0))
			return parse_def(&commands[i], words, n, cmd, err, errlen);
	return explain(words, n, err, errlen);
}

static int
add_candidate(char out[][32], int n, int max, const char *word, const char *prefix)
{
	if (n >= max || strncmp(word, prefix, strlen(prefix)) != 0)
		return n;
	for (int i = 0; i < n; i++)
		if (strcmp(out[i], word) == 0)
			return n;
	snprintf(out[n], 32, "%s", word);
	return n + 1;
}

/* Candidates that placeholder tok offers. */
static int
placeholder_candidates(const char *tok, char out[][32], int n, int max, const char *prefix)
{
	if (strcmp(tok, T_PORTS) == 0)
		return add_candidate(out, n, max, "all", prefix);
	if (strcmp(tok, T_ONOFF) == 0) {
		n = add_candidate(out, n, max, "on", prefix);
		return add_candidate(out, n, max, "off", prefix);
	}
	if (strcmp(tok, T_MODE) == 0)
		for (int m = 0; m < FWD_MODE_COUNT; m++)
			n = add_candidate(out, n, max, fwd_mode_name((enum fwd_mode)m), prefix);
	return n;
}

int
fwd_cmd_complete(const char *line, char out[][32], int max)
{
	char buf[MAX_LINE];
	char *words[MAX_WORDS + 1];
	const char *prefix = "";
	int n, found = 0;
	size_t len = strlen(line);

	if (len >= sizeof(buf))
		return 0;
	strcpy(buf, line);
	n = split(buf, words);
	if (n > MAX_WORDS)
		return 0;
	if (n > 0 && len > 0 && line[len - 1] != ' ' && line[len - 1] != '\t')
		prefix = words[--n]; /* the word being typed */
	for (size_t i = 0; i < DPX_DIM(commands); i++) {
		const struct cmd_def *d = &commands[i];

		if (!prefix_matches(d, words, n))
			continue;
		if (is_placeholder(d->tok[n]))
			found = placeholder_candidates(d->tok[n], out, found, max, prefix);
		else
			found = add_candidate(out, found, max, d->tok[n], prefix);
	}
	return found;
}

const char *
fwd_cmd_help(void)
{
	static char text[4096];
	size_t off = 0;
	char usage[128];

	if (text[0] != '\0')
		return text;
	off += (size_t)snprintf(text, sizeof(text), "commands:\n");
	for (size_t i = 0; i < DPX_DIM(commands) && off < sizeof(text); i++) {
		usage_of(&commands[i], usage, sizeof(usage));
		off += (size_t)snprintf(text + off, sizeof(text) - off, "  %-34s %s\n", usage,
					commands[i].help);
	}
	return text;
}
