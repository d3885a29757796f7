/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Interactive commands: parsing a line into a command is pure (tested with a
 * table); fwd_shell.c reads the lines and runs them.
 */
#ifndef FWD_CMD_H
#define FWD_CMD_H

#include <stddef.h>
#include <stdint.h>

#include "fwd_options.h"

enum fwd_cmd_type {
	FWD_CMD_NONE = 0, /**< empty line or comment */
	FWD_CMD_START,
	FWD_CMD_STOP,
	FWD_CMD_SHOW_STATS,
	FWD_CMD_SHOW_XSTATS,
	FWD_CMD_SET_FWD,
	FWD_CMD_PORT_START,
	FWD_CMD_PORT_STOP,
	FWD_CMD_QUIT,
	FWD_CMD_HELP,
};

struct fwd_cmd {
	enum fwd_cmd_type type;
	int all;	    /**< "all" given instead of a port number */
	uint16_t port;	    /**< port id when !all */
	enum fwd_mode mode; /**< for FWD_CMD_SET_FWD */
};

/**
 * Parse one command line (surrounding blanks ignored, '#' starts a comment).
 * @return 0, or -EINVAL with a one-line message in err naming what is wrong.
 */
int fwd_cmd_parse(const char *line, struct fwd_cmd *cmd, char *err, size_t errlen);

/** The help text listing every command. */
extern const char fwd_cmd_help[];

#endif /* FWD_CMD_H */
