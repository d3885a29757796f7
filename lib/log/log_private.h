/* SPDX-License-Identifier: BSD-3-Clause */
/* lib/log internals the EAL uses (its option handling checks patterns). */
#ifndef LOG_PRIVATE_H
#define LOG_PRIVATE_H

#include <stdbool.h>

/* Number of registered log types a glob (or a regex) pattern matches;
 * -EINVAL for a pattern too long or a regex that does not compile. */
int log_count_matches(const char *pattern, bool regex);

#endif /* LOG_PRIVATE_H */
