/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Logging: one log type per component, each with its own runtime level.
 *
 * Levels follow syslog (and DPDK): 1 emerg .. 8 debug. A type's level starts
 * at the global default (notice) unless a `--log-level=pattern:level` given
 * at init (or dpx_log_set_level_pattern() later) matches its name; patterns
 * are shell globs (`pmd.net.*`).
 */
#ifndef DPX_LOG_H
#define DPX_LOG_H

#include <stdio.h>
#include <stdarg.h>

#include <dpx_common.h>

#define DPX_LOG_EMERG 1U
#define DPX_LOG_ALERT 2U
#define DPX_LOG_CRIT 3U
#define DPX_LOG_ERR 4U
#define DPX_LOG_WARNING 5U
#define DPX_LOG_NOTICE 6U
#define DPX_LOG_INFO 7U
#define DPX_LOG_DEBUG 8U
#define DPX_LOG_MAX DPX_LOG_DEBUG

/** Highest number of log types. */
#define DPX_LOG_MAX_TYPES 256

/**
 * Register (or look up) a log type by name. Idempotent: the same name returns
 * the same id. The level is set from the patterns given so far.
 * @return the type id (>= 0), or -ENOSPC when the table is full, -EINVAL for
 *   an empty name.
 */
int dpx_log_register(const char *name);

/** Register a log type at load time into the int variable `type`. */
#define DPX_LOG_REGISTER(type, name)                                                               \
	int type;                                                                                  \
	__attribute__((constructor)) static void dpx_log_register_##type(void)                   \
	{                                                                                          \
		type = dpx_log_register(name);                                                     \
	}

/**
 * Set the level of every registered type whose name matches the glob pattern,
 * and remember it for types registered later.
 * @return 0, or -EINVAL (level out of 1..8, empty pattern), -ENOSPC.
 */
int dpx_log_set_level_pattern(const char *pattern, unsigned int level);

/** Set the level of one type. @return 0, or -EINVAL. */
int dpx_log_set_level(int type, unsigned int level);

/** @return the level of a type, or -EINVAL for an unknown type. */
int dpx_log_get_level(int type);

/** Set the level of types not matched by any pattern. @return 0 or -EINVAL. */
int dpx_log_set_global_level(unsigned int level);
unsigned int dpx_log_get_global_level(void);

/** Parse a level name ("err", "debug") or number ("8"). @return 1..8 or -EINVAL. */
int dpx_log_parse_level(const char *s);

/** Send log lines to this stream instead of stderr (NULL restores stderr). */
void dpx_log_set_stream(FILE *f);

/** Also send log lines to syslog (openlog is done by the caller's EAL init). */
void dpx_log_set_syslog(int enable);

/** @return 1 if a message of this level and type would be printed. */
int dpx_log_can_log(int type, unsigned int level);

/** Print a message. @return number of bytes printed or a negative errno. */
int dpx_log(unsigned int level, int type, const char *fmt, ...) __dpx_format_printf(3, 4);
int dpx_vlog(unsigned int level, int type, const char *fmt, va_list ap);

/** Print the log types and levels. */
void dpx_log_dump(FILE *f);

/** Log with a level suffix (ERR, INFO...) and a type variable, prefixing the type name. */
#define DPX_LOG(level, type, fmt, ...)                                                             \
	(dpx_log_can_log(type, DPX_LOG_##level) ?                                                  \
		 dpx_log(DPX_LOG_##level, type, fmt "\n", ##__VA_ARGS__) :                         \
		 0)

#endif /* DPX_LOG_H */
