/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * EAL command line parser. Pure logic: it fills a struct eal_options and
 * describes the first error in a buffer; dpx_eal_init does the rest.
 */
#include <ctype.h>
#include <sched.h>
#include <errno.h>
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "eal_private.h"

typedef int(option_handler_t)(struct eal_options *opts, const char *value);

struct eal_option {
	const char *long_name;
	char short_name; /* 0 when there is none */
	int has_value;	 /* false, true, or OPTIONAL_VALUE: only as --name=value */
	option_handler_t *handle; /* NULL: a flag, the bool at flag_offset is set */
	size_t flag_offset;
};

#define OPTIONAL_VALUE 2

#define EAL_FLAG(long_name, field) {long_name, 0, false, NULL, offsetof(struct eal_options, field)}

/* Say why a value is refused; the message names the option and the value around it. */
static int detail(struct eal_options *opts, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int
detail(struct eal_options *opts, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(opts->err_detail, sizeof(opts->err_detail), fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* Parse a whole decimal number; no sign, no trailing garbage. */
static int
parse_u64(const char *s, uint64_t *out)
{
	char *end;

	if (s == NULL || !isdigit((unsigned char)s[0]))
		return -EINVAL;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0')
		return -EINVAL;
	*out = v;
	return 0;
}

/* Parse "N" or "N-M" at *p, advancing p; ids must be below limit. */
static int
parse_id_range(const char **p, unsigned int limit, unsigned int *first, unsigned int *last)
{
	char *end;

	if (!isdigit((unsigned char)**p))
		return -EINVAL;
	unsigned long a = strtoul(*p, &end, 10), b = a;
	if (*end == '-') {
		if (!isdigit((unsigned char)end[1]))
			return -EINVAL;
		b = strtoul(end + 1, &end, 10);
	}
	if (a > b)
		return -EINVAL;
	if (b >= limit)
		return -ERANGE;
	*first = a;
	*last = b;
	*p = end;
	return 0;
}

/*
 * A group of ids at *p: "N", "N-M", or DPDK's "(N,M-K,...)", into the bitmap
 * ids (limit bits). @return the number of ids, -EINVAL (syntax), -ERANGE
 * (an id at or above limit).
 */
static int
parse_id_group(const char **p, unsigned int limit, uint64_t *ids, bool *grouped)
{
	bool paren = **p == '(';
	int n = 0;

	*grouped = paren;
	if (paren)
		(*p)++;
	do {
		unsigned int first, last;
		int rc;

		if (n > 0) /* the comma after the previous range: an id must follow it */
			(*p)++;
		rc = parse_id_range(p, limit, &first, &last);
		if (rc < 0)
			return rc;
		for (unsigned int i = first; i <= last; i++) {
			if (ids[i / 64] >> (i % 64) & 1)
				return -EINVAL; /* listed twice */
			ids[i / 64] |= 1ull << (i % 64);
			n++;
		}
	} while (paren && **p == ',');
	if (paren && **p != ')')
		return -EINVAL;
	if (paren)
		(*p)++;
	return n;
}

static int
first_id(const uint64_t *ids, unsigned int words)
{
	for (unsigned int w = 0; w < words; w++)
		if (ids[w] != 0)
			return (int)(w * 64 + (unsigned int)__builtin_ctzll(ids[w]));
	return -1;
}

/* One element "LCORES[@CPUS]" of the list at *p into lcore_cpu[]; @return lcores or -errno. */
static int
parse_lcore_element(const char **p, int lcore_cpu[DPX_MAX_LCORE], bool allow_cpu_map)
{
	uint64_t lcores[(DPX_MAX_LCORE + 63) / 64] = {0}, cpus[(CPU_SETSIZE + 63) / 64] = {0};
	bool lgroup, cgroup;
	int n = parse_id_group(p, DPX_MAX_LCORE, lcores, &lgroup), cpu = -1;

	if (n < 0)
		return n;
	if (**p == '@') {
		(*p)++;
		int nc = parse_id_group(p, CPU_SETSIZE, cpus, &cgroup);
		if (!allow_cpu_map || nc < 0)
			return nc < 0 ? nc : -EINVAL;
		if (nc > 1)
			return -ENOTSUP; /* an lcore allowed on several CPUs */
		cpu = first_id(cpus, DPX_DIM(cpus));
	} else if (lgroup && n > 1) {
		return -ENOTSUP; /* DPDK: "(0,6)" lets both lcores float over CPUs 0 and 6 */
	}
	for (unsigned int l = 0; l < DPX_MAX_LCORE; l++) {
		if (!(lcores[l / 64] >> (l % 64) & 1))
			continue;
		if (lcore_cpu[l] != -1)
			return -EINVAL; /* listed twice */
		lcore_cpu[l] = cpu >= 0 ? cpu : (int)l;
	}
	return n;
}

int
eal_parse_lcore_list(const char *s, int lcore_cpu[DPX_MAX_LCORE], bool allow_cpu_map)
{
	const char *p = s;
	int count = 0;

	for (unsigned int i = 0; i < DPX_MAX_LCORE; i++)
		lcore_cpu[i] = -1;
	if (s == NULL || *s == '\0')
		return -EINVAL;
	for (;;) {
		int n = parse_lcore_element(&p, lcore_cpu, allow_cpu_map);

		if (n < 0)
			return n;
		count += n;
		if (*p == '\0')
			return count;
		if (*p++ != ',' || *p == '\0')
			return -EINVAL; /* junk, or a trailing comma */
	}
}

static int
handle_lcores(struct eal_options *opts, const char *value)
{
	/* -l and --lcores take the same syntax: DPDK's groups, each lcore on one CPU */
	int n = eal_parse_lcore_list(value, opts->lcore_cpu, true);

	if (n == -ERANGE)
		return detail(opts, "lcore ids go up to %d and CPU ids up to %d", DPX_MAX_LCORE - 1,
			      CPU_SETSIZE - 1);
	if (n == -ENOTSUP)
		return detail(opts, "dpx runs each lcore on one CPU: give it one, as in (0-2)@0");
	if (n < 0)
		return detail(opts, "expected a list like 0-3,6, 0-3@1 or (0-2)@0,3@1");
	opts->lcore_count = n;
	return 0;
}

/* -c COREMASK: the lcores whose bits are set, each on its own CPU (DPDK's meaning). */
static int
handle_coremask(struct eal_options *opts, const char *value)
{
	const char *hex =
		strncmp(value, "0x", 2) == 0 || strncmp(value, "0X", 2) == 0 ? value + 2 : value;
	size_t len = strlen(hex);
	unsigned int n = 0;

	for (unsigned int i = 0; i < DPX_MAX_LCORE; i++)
		opts->lcore_cpu[i] = -1;
	if (len == 0 || strspn(hex, "0123456789abcdefABCDEF") != len)
		return detail(opts, "expected a hexadecimal mask of lcores, like 0x3");
	for (size_t i = 0; i < len; i++) {
		char c = hex[len - 1 - i];
		unsigned int v = isdigit((unsigned char)c) ? (unsigned int)(c - '0')
							   : (unsigned int)(tolower(c) - 'a' + 10);

		for (unsigned int b = 0; b < 4; b++) {
			unsigned int l = (unsigned int)i * 4 + b;

			if (!(v >> b & 1))
				continue;
			if (l >= DPX_MAX_LCORE)
				return detail(opts, "lcore ids go up to %d", DPX_MAX_LCORE - 1);
			opts->lcore_cpu[l] = (int)l;
			n++;
		}
	}
	if (n == 0)
		return detail(opts, "the mask selects no lcore");
	opts->lcore_count = n;
	return 0;
}

static int
handle_main_lcore(struct eal_options *opts, const char *value)
{
	uint64_t v;

	if (parse_u64(value, &v) != 0 || v >= DPX_MAX_LCORE)
		return -EINVAL;
	opts->main_lcore = (int)v;
	return 0;
}

static int
handle_log_level(struct eal_options *opts, const char *value)
{
	const char *colon = strrchr(value, ':'), *comma = strrchr(value, ',');
	bool regex = false;
	int level;

	if (strcmp(value, "help") == 0) {
		opts->log_help = true;
		return 0;
	}
	/* DPDK: "GLOB:LEVEL" or "REGEX,LEVEL", whichever separator comes last */
	if (comma != NULL && (colon == NULL || comma > colon)) {
		colon = comma;
		regex = true;
	}
	level = dpx_log_parse_level(colon == NULL ? value : colon + 1);
	if (level < 0)
		return detail(opts, "a level is emerg, alert, crit, err, warning, notice, info, "
				    "debug or 1..8");
	if (colon == NULL) {
		opts->log_global_level = level;
		return 0;
	}
	size_t plen = colon - value;
	if (plen == 0)
		return detail(opts, "empty pattern before the level");
	if (plen >= sizeof(opts->log_patterns[0].pattern))
		return detail(opts, "a pattern has at most %zu characters",
			      sizeof(opts->log_patterns[0].pattern) - 1);
	if (opts->log_pattern_count == EAL_MAX_LOG_PATTERNS)
		return detail(opts, "at most %d --log-level patterns", EAL_MAX_LOG_PATTERNS);
	struct eal_log_pattern *lp = &opts->log_patterns[opts->log_pattern_count++];
	memcpy(lp->pattern, value, plen);
	lp->pattern[plen] = '\0';
	lp->level = level;
	lp->regex = regex;
	if (regex) {
		regex_t re;

		if (regcomp(&re, lp->pattern, REG_NOSUB) != 0) {
			opts->log_pattern_count--;
			return detail(opts, "'%s' is not a POSIX regular expression", lp->pattern);
		}
		regfree(&re);
	}
	return 0;
}

static int
handle_file_prefix(struct eal_options *opts, const char *value)
{
	size_t len = strlen(value);

	if (len == 0 || len >= sizeof(opts->file_prefix) || strchr(value, '/') != NULL ||
	    value[0] == '.')
		return -EINVAL;
	memcpy(opts->file_prefix, value, len + 1);
	return 0;
}

static int
handle_vdev(struct eal_options *opts, const char *value)
{
	if (value[0] == '\0' || value[0] == ',' || opts->vdev_count == EAL_MAX_VDEV_ARGS)
		return -EINVAL;
	opts->vdev_args[opts->vdev_count++] = value;
	return 0;
}

/* -a/-b keep "BDF[,devargs]": the PCI bus parses the address (the EAL knows no BDF). */
static int
add_pci_arg(const char **args, unsigned int *count, const char *value)
{
	if (value[0] == '\0' || value[0] == ',' || *count == EAL_MAX_PCI_ARGS)
		return -EINVAL;
	args[(*count)++] = value;
	return 0;
}

static int
handle_pci_allow(struct eal_options *opts, const char *value)
{
	return add_pci_arg(opts->pci_allow_args, &opts->pci_allow_count, value);
}

static int
handle_pci_block(struct eal_options *opts, const char *value)
{
	/* a blocked device is never probed, so devargs for it would be ignored silently */
	if (strchr(value, ',') != NULL)
		return -EINVAL;
	return add_pci_arg(opts->pci_block_args, &opts->pci_block_count, value);
}

static int
handle_memory(struct eal_options *opts, const char *value)
{
	uint64_t v;

	if (parse_u64(value, &v) != 0 || v == 0 || v > (UINT64_MAX >> 20))
		return -EINVAL;
	opts->memory_mb = v;
	return 0;
}

static int
handle_socket_mem(struct eal_options *opts, const char *value)
{
	const char *p = value;
	unsigned int node = 0;

	memset(opts->socket_mem_mb, 0, sizeof(opts->socket_mem_mb));
	for (;;) {
		char *end;

		if (node == DPX_MAX_NUMA_NODES || !isdigit((unsigned char)*p))
			return -EINVAL;
		errno = 0;
		unsigned long long v = strtoull(p, &end, 10);
		if (errno != 0 || v > (UINT64_MAX >> 20))
			return -EINVAL;
		opts->socket_mem_mb[node++] = v;
		if (*end == '\0')
			break;
		if (*end != ',')
			return -EINVAL;
		p = end + 1;
	}
	opts->socket_mem_set = true;
	return 0;
}

static int
handle_huge_dir(struct eal_options *opts, const char *value)
{
	size_t len = strlen(value);

	if (len == 0 || len >= sizeof(opts->huge_dir))
		return -EINVAL;
	memcpy(opts->huge_dir, value, len + 1);
	return 0;
}

static int
handle_iova_mode(struct eal_options *opts, const char *value)
{
	if (strcmp(value, "va") == 0)
		opts->iova_mode = DPX_IOVA_VA;
	else if (strcmp(value, "pa") == 0)
		opts->iova_mode = DPX_IOVA_PA;
	else
		return -EINVAL;
	return 0;
}

/* DPDK options dpx accepts with DPDK's meaning, or refuses saying why. */

static int
handle_mem_channels(struct eal_options *opts, const char *value)
{
	uint64_t v;

	if (parse_u64(value, &v) != 0 || v == 0 || v > 32)
		return detail(opts, "expected a number of memory channels, 1..32");
	opts->mem_channels = (unsigned int)v; /* dpx lays out no object per channel */
	return 0;
}

static int
handle_proc_type(struct eal_options *opts, const char *value)
{
	if (strcmp(value, "primary") == 0 || strcmp(value, "auto") == 0)
		return 0; /* every dpx process is a primary */
	if (strcmp(value, "secondary") == 0)
		return detail(opts, "dpx has no secondary processes: each process is a primary "
				    "with its own --file-prefix");
	return detail(opts, "expected primary, secondary or auto");
}

static int
handle_huge_unlink(struct eal_options *opts, const char *value)
{
	if (value != NULL && strcmp(value, "existing") == 0)
		return 0; /* what dpx does: a previous run's files go at init, ours while mapped */
	if (value == NULL || strcmp(value, "always") == 0)
		return detail(opts, "not supported by dpx: hugepage files stay while their page is "
				    "mapped; --in-memory leaves no file at all");
	if (strcmp(value, "never") == 0)
		return detail(opts,
			      "not supported by dpx: a previous run's files of the same prefix "
			      "are always removed (the prefix lock proves them stale)");
	return detail(opts, "expected existing, always or never");
}

static int
handle_single_file_segments(struct eal_options *opts, const char *value)
{
	(void)value;
	return detail(opts, "not supported by dpx: each hugepage is its own file "
			    "(<huge-dir>/<prefix>_map_<node>_<slot>); --in-memory uses none");
}

static const struct eal_option eal_option_table[] = {
	{"lcores", 'l', true, handle_lcores},
	{"main-lcore", 0, true, handle_main_lcore},
	{"log-level", 0, true, handle_log_level},
	EAL_FLAG("syslog", syslog),
	{"file-prefix", 0, true, handle_file_prefix},
	{"vdev", 0, true, handle_vdev},
	{"allow", 'a', true, handle_pci_allow},
	{"block", 'b', true, handle_pci_block},
	EAL_FLAG("no-pci", no_pci),
	{NULL, 'm', true, handle_memory},
	{"socket-mem", 0, true, handle_socket_mem},
	EAL_FLAG("no-huge", no_huge),
	{"huge-dir", 0, true, handle_huge_dir},
	{"iova-mode", 0, true, handle_iova_mode},
	EAL_FLAG("in-memory", in_memory),
	EAL_FLAG("no-telemetry", no_telemetry),
	{"help", 'h', false, NULL, offsetof(struct eal_options, help)},
	/* DPDK's other common options (doc/dpx-fwd.md, "EAL options") */
	{NULL, 'c', true, handle_coremask},
	{NULL, 'n', true, handle_mem_channels},
	{NULL, 'v', false, NULL, offsetof(struct eal_options, show_version)},
	{"proc-type", 0, true, handle_proc_type},
	{"huge-unlink", 0, OPTIONAL_VALUE, handle_huge_unlink},
	{"single-file-segments", 0, false, handle_single_file_segments},
};

static const struct eal_option *
find_long(const char *name, size_t len)
{
	for (size_t i = 0; i < DPX_DIM(eal_option_table); i++) {
		const char *ln = eal_option_table[i].long_name;
		if (ln != NULL && strlen(ln) == len && strncmp(ln, name, len) == 0)
			return &eal_option_table[i];
	}
	return NULL;
}

static const struct eal_option *
find_short(char c)
{
	for (size_t i = 0; i < DPX_DIM(eal_option_table); i++)
		if (eal_option_table[i].short_name == c)
			return &eal_option_table[i];
	return NULL;
}

void
eal_options_init(struct eal_options *opts)
{
	memset(opts, 0, sizeof(*opts));
	for (unsigned int i = 0; i < DPX_MAX_LCORE; i++)
		opts->lcore_cpu[i] = -1;
	opts->main_lcore = -1;
	strcpy(opts->file_prefix, "dpx");
	opts->iova_mode = DPX_IOVA_DC;
}

/* Checks that need the whole command line. */
static int
check_options(const struct eal_options *opts, char *err, size_t errlen)
{
	if (opts->main_lcore >= 0 && opts->lcore_count > 0 &&
	    opts->lcore_cpu[opts->main_lcore] < 0) {
		snprintf(err, errlen, "--main-lcore %d is not in the lcore list", opts->main_lcore);
		return -EINVAL;
	}
	if (opts->memory_mb != 0 && opts->socket_mem_set) {
		snprintf(err, errlen, "-m and --socket-mem cannot be used together");
		return -EINVAL;
	}
	if (opts->no_huge && opts->socket_mem_set) {
		snprintf(err, errlen, "--socket-mem cannot be used with --no-huge");
		return -EINVAL;
	}
	if (opts->pci_allow_count > 0 && opts->pci_block_count > 0) {
		/* DPDK's rule: one list decides, never both */
		snprintf(err, errlen, "-a/--allow and -b/--block cannot be used together");
		return -EINVAL;
	}
	if (opts->no_pci && opts->pci_allow_count + opts->pci_block_count > 0) {
		snprintf(err, errlen, "--no-pci cannot be used with -a/--allow or -b/--block");
		return -EINVAL;
	}
	if (opts->no_huge && opts->huge_dir[0] != '\0') {
		snprintf(err, errlen, "--huge-dir cannot be used with --no-huge");
		return -EINVAL;
	}
	return 0;
}

/* Split argv[*i] into an option and its value; advances *i past what it used. */
static int
parse_one(struct eal_options *opts, int argc, char **argv, int *i, char *err, size_t errlen)
{
	const char *arg = argv[*i];
	const struct eal_option *opt;
	const char *value = NULL;
	char shown[64];

	if (arg[1] == '-') {
		const char *name = arg + 2, *eq = strchr(name, '=');
		size_t len = eq ? (size_t)(eq - name) : strlen(name);
		opt = find_long(name, len);
		snprintf(shown, sizeof(shown), "--%.*s", (int)DPX_MIN(len, 40), name);
		if (opt != NULL && eq != NULL) {
			if (!opt->has_value) {
				snprintf(err, errlen, "option %s takes no value", shown);
				return -EINVAL;
			}
			value = eq + 1;
		}
	} else {
		opt = arg[1] != '\0' ? find_short(arg[1]) : NULL;
		snprintf(shown, sizeof(shown), "-%c", arg[1] != '\0' ? arg[1] : ' ');
		if (opt != NULL && arg[2] != '\0') {
			if (!opt->has_value) {
				snprintf(err, errlen, "option %s takes no value", shown);
				return -EINVAL;
			}
			value = arg + 2;
		}
	}
	if (opt == NULL) {
		/* the usual slip: a program option before the "--" that ends the EAL's */
		snprintf(err, errlen,
			 "unknown option '%.60s': not an EAL option (a program's own options go "
			 "after '--')",
			 arg);
		return -EINVAL;
	}
	(*i)++;
	if (opt->has_value == true && value == NULL) {
		if (*i >= argc) {
			snprintf(err, errlen, "option %s requires a value", shown);
			return -EINVAL;
		}
		value = argv[(*i)++];
	}
	if (opt->handle == NULL) {
		*(bool *)((char *)opts + opt->flag_offset) = true;
		return 0;
	}
	opts->err_detail[0] = '\0';
	if (opt->handle(opts, value) != 0) {
		if (value == NULL)
			snprintf(err, errlen, "option %s: %s", shown, opts->err_detail);
		else
			snprintf(err, errlen, "invalid value for %s: '%.80s'%s%s", shown, value,
				 opts->err_detail[0] ? ": " : "", opts->err_detail);
		return -EINVAL;
	}
	return 0;
}

int
eal_options_parse(struct eal_options *opts, int argc, char **argv, char *err, size_t errlen)
{
	int i = 1;

	err[0] = '\0';
	while (i < argc) {
		const char *arg = argv[i];

		if (strcmp(arg, "--") == 0) {
			i++;
			break;
		}
		if (arg[0] != '-' || arg[1] == '\0')
			break; /* first non-option: the program's own arguments start */
		int rc = parse_one(opts, argc, argv, &i, err, errlen);
		if (rc < 0)
			return rc;
	}
	int rc = check_options(opts, err, errlen);
	if (rc < 0)
		return rc;
	return i - 1;
}
