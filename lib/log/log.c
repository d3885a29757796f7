/* SPDX-License-Identifier: BSD-3-Clause */
/* Log types, levels and output; needs nothing but libc, so every library may log. */
#include <errno.h>
#include <fnmatch.h>
#include <pthread.h>
#include <regex.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include <dpx_log.h>

#include "log_private.h"

struct log_type {
	char name[64];
	unsigned int level;
};

struct log_pattern {
	char pattern[128];
	unsigned int level;
	bool regex; /* DPDK's two forms: shell glob or POSIX basic regex (unanchored) */
	regex_t re; /* compiled, when regex */
};

#define LOG_MAX_PATTERNS 64

static struct {
	pthread_mutex_t lock; /* guards registration and pattern changes, not the hot check */
	struct log_type types[DPX_LOG_MAX_TYPES];
	unsigned int type_count;
	struct log_pattern patterns[LOG_MAX_PATTERNS];
	unsigned int pattern_count;
	unsigned int global_level;
	FILE *stream;
	int use_syslog;
} logs = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.global_level = DPX_LOG_NOTICE,
};

static const char *const level_names[] = {
	[DPX_LOG_EMERG] = "emerg", [DPX_LOG_ALERT] = "alert", [DPX_LOG_CRIT] = "crit",
	[DPX_LOG_ERR] = "err",     [DPX_LOG_WARNING] = "warning", [DPX_LOG_NOTICE] = "notice",
	[DPX_LOG_INFO] = "info",   [DPX_LOG_DEBUG] = "debug",
};

int
dpx_log_parse_level(const char *s)
{
	if (s == NULL || *s == '\0')
		return -EINVAL;
	for (unsigned int l = DPX_LOG_EMERG; l <= DPX_LOG_MAX; l++)
		if (strcmp(s, level_names[l]) == 0)
			return l;
	if (strcmp(s, "error") == 0)
		return DPX_LOG_ERR;
	if (s[0] >= '1' && s[0] <= '8' && s[1] == '\0')
		return s[0] - '0';
	return -EINVAL;
}

static bool
pattern_matches(const struct log_pattern *p, const char *name)
{
	return p->regex ? regexec(&p->re, name, 0, NULL, 0) == 0
			: fnmatch(p->pattern, name, 0) == 0;
}

/* Level a type named `name` gets: the last matching pattern wins. */
static unsigned int
level_for_name(const char *name)
{
	unsigned int level = logs.global_level;

	for (unsigned int i = 0; i < logs.pattern_count; i++)
		if (pattern_matches(&logs.patterns[i], name))
			level = logs.patterns[i].level;
	return level;
}

int
log_count_matches(const char *pattern, bool regex)
{
	struct log_pattern p = {.regex = regex};
	int n = 0;

	if (strlen(pattern) >= sizeof(p.pattern) ||
	    (regex && regcomp(&p.re, pattern, REG_NOSUB) != 0))
		return -EINVAL;
	strcpy(p.pattern, pattern);
	pthread_mutex_lock(&logs.lock);
	for (unsigned int i = 0; i < logs.type_count; i++)
		n += pattern_matches(&p, logs.types[i].name);
	pthread_mutex_unlock(&logs.lock);
	if (regex)
		regfree(&p.re);
	return n;
}

int
dpx_log_register(const char *name)
{
	int id = -ENOSPC;

	if (name == NULL || name[0] == '\0' || strlen(name) >= sizeof(logs.types[0].name))
		return -EINVAL;
	pthread_mutex_lock(&logs.lock);
	for (unsigned int i = 0; i < logs.type_count; i++) {
		if (strcmp(logs.types[i].name, name) == 0) {
			id = i;
			goto out;
		}
	}
	if (logs.type_count < DPX_LOG_MAX_TYPES) {
		struct log_type *t = &logs.types[logs.type_count];
		strcpy(t->name, name);
		__atomic_store_n(&t->level, level_for_name(name), __ATOMIC_RELAXED);
		id = logs.type_count++;
	}
out:
	pthread_mutex_unlock(&logs.lock);
	return id;
}

/* Drop an earlier setting of the same pattern: the new one goes last (it is the latest). */
static void
forget_pattern(const char *pattern, bool regex)
{
	for (unsigned int i = 0; i < logs.pattern_count; i++) {
		if (logs.patterns[i].regex != regex ||
		    strcmp(logs.patterns[i].pattern, pattern) != 0)
			continue;
		if (regex)
			regfree(&logs.patterns[i].re);
		memmove(&logs.patterns[i], &logs.patterns[i + 1],
			(logs.pattern_count - i - 1) * sizeof(logs.patterns[0]));
		logs.pattern_count--;
		return;
	}
}

/* The one body of both setters: remember the pattern, apply it to the types there are. */
static int
set_level_matching(const char *pattern, bool regex, unsigned int level)
{
	struct log_pattern *p;
	int rc = 0;

	if (pattern == NULL || pattern[0] == '\0' || level < DPX_LOG_EMERG || level > DPX_LOG_MAX ||
	    strlen(pattern) >= sizeof(logs.patterns[0].pattern))
		return -EINVAL;
	pthread_mutex_lock(&logs.lock);
	forget_pattern(pattern, regex);
	if (logs.pattern_count == LOG_MAX_PATTERNS) {
		rc = -ENOSPC;
		goto out;
	}
	p = &logs.patterns[logs.pattern_count];
	p->regex = regex;
	if (regex && regcomp(&p->re, pattern, REG_NOSUB) != 0) {
		rc = -EINVAL;
		goto out;
	}
	strcpy(p->pattern, pattern);
	p->level = level;
	logs.pattern_count++;
	for (unsigned int i = 0; i < logs.type_count; i++)
		if (pattern_matches(p, logs.types[i].name))
			__atomic_store_n(&logs.types[i].level, level, __ATOMIC_RELAXED);
out:
	pthread_mutex_unlock(&logs.lock);
	return rc;
}

int
dpx_log_set_level_pattern(const char *pattern, unsigned int level)
{
	return set_level_matching(pattern, false, level);
}

int
dpx_log_set_level_regexp(const char *regex, unsigned int level)
{
	return set_level_matching(regex, true, level);
}

int
dpx_log_set_level(int type, unsigned int level)
{
	if (type < 0 || (unsigned int)type >= logs.type_count || level < DPX_LOG_EMERG ||
	    level > DPX_LOG_MAX)
		return -EINVAL;
	__atomic_store_n(&logs.types[type].level, level, __ATOMIC_RELAXED);
	return 0;
}

int
dpx_log_get_level(int type)
{
	if (type < 0 || (unsigned int)type >= logs.type_count)
		return -EINVAL;
	return __atomic_load_n(&logs.types[type].level, __ATOMIC_RELAXED);
}

int
dpx_log_set_global_level(unsigned int level)
{
	if (level < DPX_LOG_EMERG || level > DPX_LOG_MAX)
		return -EINVAL;
	pthread_mutex_lock(&logs.lock);
	logs.global_level = level;
	for (unsigned int i = 0; i < logs.type_count; i++)
		__atomic_store_n(&logs.types[i].level, level_for_name(logs.types[i].name),
				 __ATOMIC_RELAXED);
	pthread_mutex_unlock(&logs.lock);
	return 0;
}

unsigned int
dpx_log_get_global_level(void)
{
	return logs.global_level;
}

void
dpx_log_set_stream(FILE *f)
{
	logs.stream = f;
}

void
dpx_log_set_syslog(int enable)
{
	logs.use_syslog = enable;
}

int
dpx_log_can_log(int type, unsigned int level)
{
	if (type < 0 || (unsigned int)type >= DPX_LOG_MAX_TYPES)
		return level <= logs.global_level;
	return level <= __atomic_load_n(&logs.types[type].level, __ATOMIC_RELAXED);
}

static unsigned long error_count; /* messages at ERR or worse printed (dpx_log_error_count) */

unsigned long
dpx_log_error_count(void)
{
	return __atomic_load_n(&error_count, __ATOMIC_RELAXED);
}

int
dpx_vlog(unsigned int level, int type, const char *fmt, va_list ap)
{
	FILE *f = logs.stream != NULL ? logs.stream : stderr;
	int rc;

	if (!dpx_log_can_log(type, level))
		return 0;
	if (level <= DPX_LOG_ERR)
		__atomic_fetch_add(&error_count, 1, __ATOMIC_RELAXED);
	if (logs.use_syslog) {
		va_list ap2;
		va_copy(ap2, ap);
		vsyslog(level - 1, fmt, ap2); /* syslog priorities are 0..7 */
		va_end(ap2);
	}
	rc = vfprintf(f, fmt, ap);
	fflush(f);
	return rc;
}

int
dpx_log(unsigned int level, int type, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = dpx_vlog(level, type, fmt, ap);
	va_end(ap);
	return rc;
}

void
dpx_log_dump(FILE *f)
{
	pthread_mutex_lock(&logs.lock);
	fprintf(f, "global log level: %s\n", level_names[logs.global_level]);
	for (unsigned int i = 0; i < logs.type_count; i++)
		fprintf(f, "id %u: %s, level %s\n", i, logs.types[i].name,
			level_names[logs.types[i].level]);
	pthread_mutex_unlock(&logs.lock);
}
