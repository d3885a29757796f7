/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * EAL command line parser. Pure logic: it fills a struct eal_options and
 * describes the first error in a buffer; dpx_eal_init does the rest.
 */
#include <ctype.h>
#include <sched.h>
#include <errno.h>
#include <stdio.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "eal_private.h"

typedef int(option_handler_t)(struct eal_options *opts, const char *value);

struct eal_option {
	const char *long_name;
	char short_name; /* 0 when there is none */
	bool has_value;
	option_handler_t *handle; /* NULL: a flag, the bool at flag_offset is set */
	size_t flag_offset;
};

#define EAL_FLAG(long_name, field) {long_name, 0, false, NULL, offsetof(struct eal_options, field)}

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

/* Parse "N" or "N-M" at *p, advancing p. */
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
	if (a > b || b >= limit)
		return -EINVAL;
	*first = a;
	*last = b;
	*p = end;
	return 0;
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
	while (*p != '\0') {
		unsigned int first, last, cpu_first = 0, cpu_last = 0;
		bool mapped = false;

		if (parse_id_range(&p, DPX_MAX_LCORE, &first, &last) != 0)
			return -EINVAL;
		if (*p == '@') {
			p++;
			/* lcores@cpu: every lcore of the group runs on one CPU */
			if (!allow_cpu_map || parse_id_range(&p, CPU_SETSIZE, &cpu_first,
							     &cpu_last) != 0 || cpu_first != cpu_last)
				return -EINVAL;
			mapped = true;
		}
		for (unsigned int l = first; l <= last; l++) {
			if (lcore_cpu[l] != -1)
				return -EINVAL; /* listed twice */
			lcore_cpu[l] = mapped ? (int)cpu_first : (int)l;
			count++;
		}
		if (*p == ',')
			p++;
		else if (*p != '\0')
			return -EINVAL;
		else
			break;
		if (*p == '\0')
			return -EINVAL; /* trailing comma */
	}
	return count;
}

static int
handle_lcores(struct eal_options *opts, const char *value)
{
	/* -l and --lcores take the same syntax; "lcores@cpu" groups are an extension */
	int n = eal_parse_lcore_list(value, opts->lcore_cpu, true);
	if (n < 0)
		return n;
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
	const char *colon = strrchr(value, ':');
	int level;

	if (colon == NULL) {
		level = dpx_log_parse_level(value);
		if (level < 0)
			return -EINVAL;
		opts->log_global_level = level;
		return 0;
	}
	size_t plen = colon - value;
	level = dpx_log_parse_level(colon + 1);
	if (level < 0 || plen == 0 || plen >= sizeof(opts->log_patterns[0].pattern) ||
	    opts->log_pattern_count == EAL_MAX_LOG_PATTERNS)
		return -EINVAL;
	struct eal_log_pattern *lp = &opts->log_patterns[opts->log_pattern_count++];
	memcpy(lp->pattern, value, plen);
	lp->pattern[plen] = '\0';
	lp->level = level;
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
	{"help", 'h', false, NULL, offsetof(struct eal_options, help)},
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
		snprintf(err, errlen, "unknown option '%.60s'", arg);
		return -EINVAL;
	}
	(*i)++;
	if (opt->has_value && value == NULL) {
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
	if (opt->handle(opts, value) != 0) {
		snprintf(err, errlen, "invalid value for %s: '%.80s'", shown, value ? value : "");
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
