/* SPDX-License-Identifier: BSD-3-Clause */
/* dpx-fwd options: a table of options, each with a handler; pure. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dpx_common.h>

#include "fwd_options.h"

/* clang-format off */
static const char *const mode_names[FWD_MODE_COUNT] = {
	[FWD_MODE_IO] = "io",
	[FWD_MODE_MAC] = "mac",
	[FWD_MODE_MACSWAP] = "macswap",
	[FWD_MODE_RXONLY] = "rxonly",
	[FWD_MODE_TXONLY] = "txonly",
	[FWD_MODE_ICMPECHO] = "icmpecho",
	[FWD_MODE_CSUM] = "csum",
	[FWD_MODE_FLOWGEN] = "flowgen",
	[FWD_MODE_5TSWAP] = "5tswap",
};

static const char *const topology_names[] = {
	[FWD_TOPO_PAIRED] = "paired",
	[FWD_TOPO_CHAINED] = "chained",
	[FWD_TOPO_LOOP] = "loop",
};
/* clang-format on */

const char *
fwd_topology_name(enum fwd_topology t)
{
	return (unsigned int)t < DPX_DIM(topology_names) ? topology_names[t] : "?";
}

void
fwd_mode_list(char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (int m = 0; m < FWD_MODE_COUNT && off < len; m++)
		off += (size_t)snprintf(buf + off, len - off, "%s%s",
					m == 0 ? "" : (m == FWD_MODE_COUNT - 1 ? " or " : ", "),
					mode_names[m]);
}

const char *
fwd_mode_name(enum fwd_mode mode)
{
	return (unsigned int)mode < FWD_MODE_COUNT ? mode_names[mode] : "?";
}

int
fwd_mode_parse(const char *name)
{
	for (int m = 0; m < FWD_MODE_COUNT; m++)
		if (strcmp(name, mode_names[m]) == 0)
			return m;
	return -EINVAL;
}

void
fwd_options_defaults(struct fwd_options *o)
{
	memset(o, 0, sizeof(*o));
	o->mode = FWD_MODE_IO;
	o->txpkts[0] = 64;
	o->nb_txpkts = 1;
	o->burst = 32;
	o->nb_rxq = 1;
	o->nb_txq = 1;
	o->nb_rxd = 512;
	o->nb_txd = 512;
	o->max_pkt_len = 1518;
}

uint32_t
fwd_options_txpkt_len(const struct fwd_options *o)
{
	uint32_t len = 0;

	for (unsigned int i = 0; i < o->nb_txpkts; i++)
		len += o->txpkts[i];
	return len;
}

/* Strict decimal: digits only, no sign, no trailing junk, within [min, max]. */
static int
parse_uint(const char *s, unsigned long min, unsigned long max, unsigned long *out)
{
	char *end;
	unsigned long v;

	if (s == NULL || *s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

static int
hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int
fwd_parse_mac(const char *s, uint8_t mac[6])
{
	for (int i = 0; i < 6; i++) {
		int hi = hex_digit(s[0]), lo = hi < 0 ? -1 : hex_digit(s[1]);

		if (hi < 0 || lo < 0)
			return -EINVAL;
		mac[i] = (uint8_t)(hi << 4 | lo);
		s += 2;
		if (*s != (i == 5 ? '\0' : ':'))
			return -EINVAL;
		if (i < 5)
			s++;
	}
	return 0;
}

struct parse_ctx {
	struct fwd_options *o;
	char *err;
	size_t errlen;
	int max_pkt_len_set; /**< --max-pkt-len given (else --mtu decides it) */
};

static int fail(struct parse_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int
fail(struct parse_ctx *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->err, c->errlen, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

struct option_def;
typedef int(option_handler_t)(struct parse_ctx *c, const struct option_def *d, const char *v);

struct option_def {
	const char *name; /* long name without "--" */
	char short_name;  /* 0 for none */
	int has_arg;
	option_handler_t *handler;
	size_t field; /* offset in struct fwd_options, for the generic handlers */
	unsigned long min, max;
	int width; /* bytes of an integer field: 2 or 4; 0 = int flag */
};

static int
set_uint(struct parse_ctx *c, const struct option_def *d, const char *v)
{
	unsigned long n;
	void *field = (char *)c->o + d->field;

	if (parse_uint(v, d->min, d->max, &n) < 0)
		return fail(c, "invalid value '%s' for --%s: expected an integer in %lu..%lu", v,
			    d->name, d->min, d->max);
	if (d->width == 2)
		*(uint16_t *)field = (uint16_t)n;
	else
		*(uint32_t *)field = (uint32_t)n;
	return 0;
}

static int
set_flag(struct parse_ctx *c, const struct option_def *d, const char *v)
{
	(void)v;
	*(int *)((char *)c->o + d->field) = 1;
	return 0;
}

static int
set_mode(struct parse_ctx *c, const struct option_def *d, const char *v)
{
	int m = fwd_mode_parse(v);
	char modes[160];

	fwd_mode_list(modes, sizeof(modes));
	if (m < 0)
		return fail(c, "invalid value '%s' for --%s: expected %s", v, d->name, modes);
	c->o->mode = (enum fwd_mode)m;
	return 0;
}

int
fwd_parse_txpkts(const char *v, const char *what, struct fwd_options *o, char *err, size_t errlen)
{
	struct parse_ctx c = {o, err, errlen, 0};
	uint16_t segs[FWD_MAX_TXSEGS];
	char buf[256];
	char *save = NULL, *tok;
	unsigned int n = 0;
	unsigned long len;

	if (strlen(v) >= sizeof(buf))
		return fail(&c, "invalid value for %s: too long", what);
	strcpy(buf, v);
	for (tok = strtok_r(buf, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save)) {
		if (n == FWD_MAX_TXSEGS)
			return fail(&c, "invalid value '%s' for %s: more than %d segments", v, what,
				    FWD_MAX_TXSEGS);
		if (parse_uint(tok, 1, FWD_MAX_PKT_LEN, &len) < 0)
			return fail(&c,
				    "invalid value '%s' for %s: segment '%s' is not a length in "
				    "1..%d",
				    v, what, tok, FWD_MAX_PKT_LEN);
		segs[n++] = (uint16_t)len;
	}
	/* a trailing or doubled comma leaves an empty segment strtok would hide */
	if (n == 0 || v[strlen(v) - 1] == ',' || v[0] == ',' || strstr(v, ",,") != NULL)
		return fail(&c, "invalid value '%s' for %s: expected LEN[,LEN...]", v, what);
	if (segs[0] < FWD_TXONLY_HDR_LEN)
		return fail(&c,
			    "invalid value '%s' for %s: the first segment must hold the %d-byte "
			    "headers",
			    v, what, FWD_TXONLY_HDR_LEN);
	memcpy(o->txpkts, segs, n * sizeof(segs[0]));
	o->nb_txpkts = n;
	return 0;
}

static int
set_txpkts(struct parse_ctx *c, const struct option_def *d, const char *v)
{
	char what[32];

	snprintf(what, sizeof(what), "--%s", d->name);
	return fwd_parse_txpkts(v, what, c->o, c->err, c->errlen);
}

static int
set_topology(struct parse_ctx *c, const struct option_def *d, const char *v)
{
	for (size_t t = 0; t < DPX_DIM(topology_names); t++) {
		if (strcmp(v, topology_names[t]) == 0) {
			c->o->topology = (enum fwd_topology)t;
			return 0;
		}
	}
	return fail(c, "invalid value '%s' for --%s: expected paired, chained or loop", v, d->name);
}

static int
set_portmask(struct parse_ctx *c, const struct option_def *d, const char *v)
{
	const char *hex = strncmp(v, "0x", 2) == 0 || strncmp(v, "0X", 2) == 0 ? v + 2 : v;
	uint64_t mask = 0;

	if (*hex == '\0' || strlen(hex) > 16)
		return fail(c, "invalid value '%s' for --%s: expected a hexadecimal port mask", v,
			    d->name);
	for (const char *p = hex; *p != '\0'; p++) {
		int x = hex_digit(*p);

		if (x < 0)
			return fail(c,
				    "invalid value '%s' for --%s: expected a hexadecimal port mask",
				    v, d->name);
		mask = mask << 4 | (uint64_t)x;
	}
	if (mask == 0 || (DPX_MAX_ETHPORTS < 64 && mask >> DPX_MAX_ETHPORTS != 0))
		return fail(c,
			    "invalid value '%s' for --%s: expected a non-empty mask of ports 0..%d",
			    v, d->name, DPX_MAX_ETHPORTS - 1);
	c->o->portmask = mask;
	return 0;
}

static int
set_string(struct parse_ctx *c, const struct option_def *d, const char *v)
{
	if (*v == '\0')
		return fail(c, "option --%s needs a non-empty value", d->name);
	*(const char **)((char *)c->o + d->field) = v;
	return 0;
}

static int
set_peer(struct parse_ctx *c, const struct option_def *d, const char *v)
{
	const char *comma = strchr(v, ',');
	char port_str[16];
	unsigned long port;
	uint8_t mac[6];

	if (comma == NULL || (size_t)(comma - v) >= sizeof(port_str))
		return fail(c, "invalid value '%s' for --%s: expected PORT,MAC", v, d->name);
	memcpy(port_str, v, (size_t)(comma - v));
	port_str[comma - v] = '\0';
	if (parse_uint(port_str, 0, DPX_MAX_ETHPORTS - 1, &port) < 0)
		return fail(c, "invalid value '%s' for --%s: port must be 0..%d", v, d->name,
			    DPX_MAX_ETHPORTS - 1);
	if (fwd_parse_mac(comma + 1, mac) < 0)
		return fail(c, "invalid value '%s' for --%s: MAC must be xx:xx:xx:xx:xx:xx", v,
			    d->name);
	memcpy(c->o->peer_mac[port], mac, 6);
	c->o->peer_set[port] = 1;
	return 0;
}

static int
set_help(struct parse_ctx *c, const struct option_def *d, const char *v)
{
	(void)c, (void)d, (void)v;
	return -ECANCELED;
}

#define OPT_U(n, f, lo, hi)                                                 \
	{                                                                   \
		n, 0, 1, set_uint, offsetof(struct fwd_options, f), lo, hi, \
			(int)sizeof(((struct fwd_options *)0)->f)           \
	}
#define OPT_FLAG(n, s, f)                                                   \
	{                                                                   \
		n, s, 0, set_flag, offsetof(struct fwd_options, f), 0, 0, 0 \
	}

static const struct option_def options[] = {
	OPT_U("nb-cores", nb_cores, 1, DPX_MAX_LCORE),
	{"forward-mode", 0, 1, set_mode, 0, 0, 0, 0},
	{"txpkts", 0, 1, set_txpkts, 0, 0, 0, 0},
	OPT_U("burst", burst, 1, FWD_MAX_BURST),
	OPT_U("rxq", nb_rxq, 1, FWD_MAX_QUEUES),
	OPT_U("txq", nb_txq, 1, FWD_MAX_QUEUES),
	OPT_U("rxd", nb_rxd, FWD_MIN_DESC, FWD_MAX_DESC),
	OPT_U("txd", nb_txd, FWD_MIN_DESC, FWD_MAX_DESC),
	{"eth-peer", 0, 1, set_peer, 0, 0, 0, 0},
	OPT_U("stats-period", stats_period, 1, 3600),
	OPT_U("run-time", run_time, 1, 86400),
	OPT_U("tx-pps", tx_pps, 1, 1000000000),
	OPT_U("total-num-mbufs", total_num_mbufs, 256, 100000000),
	OPT_U("max-pkt-len", max_pkt_len, FWD_MIN_PKT_LEN, FWD_MAX_PKT_LEN),
	OPT_FLAG("auto-start", 0, auto_start),
	OPT_FLAG("record-core-cycles", 0, record_core_cycles),
	OPT_FLAG("interactive", 'i', interactive),
	{"help", 'h', 0, set_help, 0, 0, 0, 0},
	{"port-topology", 0, 1, set_topology, 0, 0, 0, 0},
	{"portmask", 0, 1, set_portmask, 0, 0, 0, 0},
	OPT_U("mbuf-size", mbuf_size, FWD_MBUF_HEADROOM + FWD_MIN_PKT_LEN, 65535),
	OPT_U("mtu", mtu, FWD_MIN_MTU, FWD_MAX_PKT_LEN - FWD_FRAME_OVERHEAD),
	OPT_FLAG("tx-first", 0, tx_first),
	OPT_FLAG("txonly-multi-flow", 0, txonly_multi_flow),
	OPT_FLAG("no-promisc", 0, no_promisc),
	{"cmdline-file", 0, 1, set_string, offsetof(struct fwd_options, cmdline_file), 0, 0, 0},
};

/* Find the option named by arg ("--name", "--name=value" or "-c"); *value gets the inline value. */
static const struct option_def *
find_option(const char *arg, const char **value)
{
	*value = NULL;
	if (arg[0] == '-' && arg[1] != '-' && arg[1] != '\0' && arg[2] == '\0') {
		for (size_t i = 0; i < DPX_DIM(options); i++)
			if (options[i].short_name == arg[1])
				return &options[i];
		return NULL;
	}
	if (strncmp(arg, "--", 2) != 0)
		return NULL;
	arg += 2;
	size_t len = strcspn(arg, "=");
	for (size_t i = 0; i < DPX_DIM(options); i++) {
		if (strlen(options[i].name) == len && strncmp(arg, options[i].name, len) == 0) {
			if (arg[len] == '=')
				*value = arg + len + 1;
			return &options[i];
		}
	}
	return NULL;
}

/* Checks that need several options at once, whatever their order. */
static int
check_combination(struct parse_ctx *c)
{
	struct fwd_options *o = c->o;
	uint32_t total = fwd_options_txpkt_len(o);

	if (o->mtu != 0 && !c->max_pkt_len_set)
		o->max_pkt_len = o->mtu + FWD_FRAME_OVERHEAD;
	if (o->mtu != 0 && o->mtu + FWD_FRAME_OVERHEAD > o->max_pkt_len)
		return fail(c, "--mtu %u needs frames of %u bytes: more than --max-pkt-len %u",
			    o->mtu, o->mtu + FWD_FRAME_OVERHEAD, o->max_pkt_len);
	if (o->mbuf_size != 0 && o->mbuf_size - FWD_MBUF_HEADROOM < o->max_pkt_len)
		return fail(c,
			    "--mbuf-size %u holds %u bytes after the %d-byte headroom: less than "
			    "the %u-byte frames of --max-pkt-len/--mtu",
			    o->mbuf_size, o->mbuf_size - FWD_MBUF_HEADROOM, FWD_MBUF_HEADROOM,
			    o->max_pkt_len);
	if (total < FWD_MIN_PKT_LEN || total > o->max_pkt_len)
		return fail(c,
			    "invalid --txpkts: total length %u is outside %d..%u (--max-pkt-len)",
			    total, FWD_MIN_PKT_LEN, o->max_pkt_len);
	if (o->tx_first && (o->mode == FWD_MODE_TXONLY || o->mode == FWD_MODE_FLOWGEN))
		return fail(c,
			    "--tx-first is for forwarding modes: %s generates its packets anyway",
			    fwd_mode_name(o->mode));
	return 0;
}

int
fwd_options_parse(int argc, char *const argv[], struct fwd_options *o, char *err, size_t errlen)
{
	struct parse_ctx c = {o, err, errlen, 0};
	int i, rc;

	fwd_options_defaults(o);
	if (errlen > 0)
		err[0] = '\0';
	for (i = 1; i < argc; i++) {
		const char *value;
		const struct option_def *d = find_option(argv[i], &value);

		if (d == NULL)
			return argv[i][0] == '-' ? fail(&c, "unknown option '%s'", argv[i])
						 : fail(&c, "unexpected argument '%s'", argv[i]);
		if (!d->has_arg && value != NULL)
			return fail(&c, "option --%s takes no value", d->name);
		if (d->has_arg && value == NULL) {
			if (i + 1 >= argc)
				return fail(&c, "option --%s needs a value", d->name);
			value = argv[++i];
		}
		rc = d->handler(&c, d, value);
		if (rc < 0)
			return rc;
		c.max_pkt_len_set |= strcmp(d->name, "max-pkt-len") == 0;
	}
	return check_combination(&c);
}

void
fwd_options_usage(FILE *f, const char *prgname)
{
	fprintf(f,
		"usage: %s [EAL options] -- [options]\n"
		"  --nb-cores N            forwarding cores (default: every worker lcore, or the "
		"main one)\n"
		"  --forward-mode MODE     io | mac | macswap | rxonly | txonly | icmpecho | csum "
		"|\n"
		"                          flowgen | 5tswap (default io)\n"
		"  --txpkts LEN[,LEN...]   txonly segment lengths (default 64; first >= 42)\n"
		"  --burst N               packets per burst, 1..%d (default 32)\n"
		"  --rxq N, --txq N        queues per port (default 1)\n"
		"  --rxd N, --txd N        descriptors per queue (default 512)\n"
		"  --eth-peer PORT,MAC     destination MAC for mac mode on PORT\n"
		"  --stats-period SEC      print per-port rates every SEC seconds\n"
		"  --run-time SEC          without -i: stop forwarding after SEC seconds and exit\n"
		"  --tx-pps N              txonly: at most N packets per second per stream\n"
		"  --auto-start            start forwarding at once (implied without -i)\n"
		"  --record-core-cycles    count busy cycles, report cycles per packet\n"
		"  -i, --interactive       command prompt (type 'help')\n"
		"  --total-num-mbufs N     mbufs in the pool (default: computed)\n"
		"  --max-pkt-len N         largest frame, %d..%d (default 1518)\n"
		"  --mtu N                 port MTU (default: --max-pkt-len - 18)\n"
		"  --mbuf-size N           mbuf data room, headroom included (default: fits\n"
		"                          --max-pkt-len, at least 2176)\n"
		"  --port-topology T       paired | chained | loop (default paired)\n"
		"  --portmask MASK         hexadecimal mask of the ports that forward (default "
		"all)\n"
		"  --tx-first              send one txonly burst per stream at start\n"
		"  --txonly-multi-flow     txonly: a different source IP address per packet\n"
		"  --no-promisc            leave ports non-promiscuous (default: on at start)\n"
		"  --cmdline-file FILE     run the prompt commands in FILE first\n"
		"  -h, --help              this text\n",
		prgname, FWD_MAX_BURST, FWD_MIN_PKT_LEN, FWD_MAX_PKT_LEN);
}
