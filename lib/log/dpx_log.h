/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Logging: one log type per component, each with its own runtime level.
 *
 * Levels follow syslog (and DPDK): 1 emerg .. 8 debug. A type's level starts
 * at the global default (notice) unless a `--log-level=pattern:level` given
 * at init (or dpx_log_set_level_pattern() later) matches its name; patterns
 * are shell globs (`pmd.net.*`), or POSIX regular expressions with DPDK's
 * `--log-level=regex,level` form (`'pmd\.net\..*',8`).
 *
 * Type names follow DPDK's scheme: `lib.<x>` for a library (`lib.eal`,
 * `lib.vhost.config`), `pmd.<class>.<x>` for a driver (`pmd.net.vhost`),
 * `bus.<x>` for a bus (`bus.vdev`).
 */
#ifndef DPX_LOG_H
#define DPX_LOG_H

#include <stdio.h>
#include <stdarg.h>

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

/**
 * Register a log type at load time into a global int variable `type`, which
 * every file of the component can then use (declare it `extern int type;` in
 * the component's private header).
 *
 * The variable is a global symbol, so two components choosing the same name
 * fail to link ("multiple definition of ring_logtype"). Naming rule, one name
 * per component, derived from where its code lives:
 *   - a library lib/<x>:                  <x>_logtype        (ring_logtype)
 *     or a part of it:                    <x>_<part>_logtype (vhost_data_logtype)
 *   - a driver drivers/<class>/<x>:       <class>_<x>_logtype (net_ring_logtype)
 *   - a program app/<x>:                  <x>_logtype        (fwd_logtype)
 * A component living in one file should use DPX_LOG_REGISTER_STATIC instead:
 * its variable cannot clash with anything.
 *
 * Until the constructor has run (and if registration fails) the variable is
 * -1, which logs at the global level.
 */
#define DPX_LOG_REGISTER(type, name)                                                               \
	int type = -1;                                                                             \
	DPX_LOG_REGISTER_CTOR_(type, name)

/** As DPX_LOG_REGISTER, the variable static to the file (single-file drivers and programs). */
#define DPX_LOG_REGISTER_STATIC(type, name)                                                        \
	static int type = -1;                                                                      \
	DPX_LOG_REGISTER_CTOR_(type, name)

/* the constructor both variants share (static: it never clashes) */
#define DPX_LOG_REGISTER_CTOR_(type, name)                                                         \
	__attribute__((constructor)) static void dpx_log_register_##type(void)                    \
	{                                                                                          \
		type = dpx_log_register(name);                                                     \
	}

/**
 * Set the level of every registered type whose name matches the glob pattern,
 * and remember it for types registered later (the latest setting of a
 * matching pattern wins). Setting a pattern again replaces its earlier
 * setting, so repeated calls never fill the table.
 * @return 0, or -EINVAL (level out of 1..8, empty pattern, pattern of 128
 *   bytes or more), -ENOSPC (64 distinct patterns already set).
 */
int dpx_log_set_level_pattern(const char *pattern, unsigned int level);

/**
 * As dpx_log_set_level_pattern, with a POSIX basic regular expression that
 * may match anywhere in the name (DPDK's rte_log_set_level_regexp).
 * @return 0, or -EINVAL (as above, or a regex that does not compile),
 *   -ENOSPC.
 */
int dpx_log_set_level_regexp(const char *regex, unsigned int level);

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
int dpx_log(unsigned int level, int type, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int dpx_vlog(unsigned int level, int type, const char *fmt, va_list ap);

/**
 * @return how many messages at DPX_LOG_ERR or more severe were printed so
 *   far. A layer that sees an error come up from below logs its own line
 *   only when the count did not move: one line per failure, the one that
 *   names the device or option.
 */
unsigned long dpx_log_error_count(void);

/**
 * Log a failure that came up from below: at ERR when nothing at ERR was
 * printed since `errors` (a dpx_log_error_count() taken before the call),
 * else at DEBUG, since the layer that decided it has said why already.
 */
#define DPX_LOG_UNSAID(errors, type, fmt, ...)                                      \
	(dpx_log_error_count() == (errors) ? DPX_LOG(ERR, type, fmt, ##__VA_ARGS__) \
					   : DPX_LOG(DEBUG, type, fmt, ##__VA_ARGS__))

/** Print the log types and levels. */
void dpx_log_dump(FILE *f);

/**
 * Log with a level suffix (ERR, INFO...) and a type variable; a newline is
 * appended. Components put their own prefix in fmt ("EAL: ").
 */
#define DPX_LOG(level, type, fmt, ...)                                                             \
	(dpx_log_can_log(type, DPX_LOG_##level) ?                                                  \
		 dpx_log(DPX_LOG_##level, type, fmt "\n", ##__VA_ARGS__) :                         \
		 0)

#endif /* DPX_LOG_H */
