/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Interactive commands, in testpmd's syntax: parsing a line into a command
 * and completing a partial line are pure (tested with tables); fwd_shell.c
 * reads the lines and runs them.
 */
#ifndef FWD_CMD_H
#define FWD_CMD_H

#include <stddef.h>
#include <stdint.h>

#include "fwd_options.h"

enum fwd_cmd_type {
	FWD_CMD_NONE = 0, /**< empty line or comment */
	FWD_CMD_START,	  /**< start [tx_first [N]] */
	FWD_CMD_STOP,
	FWD_CMD_SHOW_STATS,
	FWD_CMD_SHOW_XSTATS,
	FWD_CMD_SHOW_INFO,
	FWD_CMD_SHOW_FWD_STATS,
	FWD_CMD_SHOW_CONFIG_FWD,
	FWD_CMD_CLEAR_STATS,
	FWD_CMD_SET_FWD,
	FWD_CMD_SET_PROMISC,
	FWD_CMD_SET_ALLMULTI,
	FWD_CMD_SET_VERBOSE,
	FWD_CMD_SET_NBCORE,
	FWD_CMD_SET_BURST,
	FWD_CMD_SET_TXPKTS,
	FWD_CMD_SET_LINK_UP,
	FWD_CMD_SET_LINK_DOWN,
	FWD_CMD_PORT_START,
	FWD_CMD_PORT_STOP,
	FWD_CMD_PORT_ATTACH,
	FWD_CMD_PORT_DETACH,
	FWD_CMD_QUIT, /**< quit or exit */
	FWD_CMD_HELP,
};

#define FWD_CMD_ARG_MAX 256

struct fwd_cmd {
	enum fwd_cmd_type type;
	int all;	    /**< "all" given instead of a port number */
	uint16_t port;	    /**< port id when !all */
	enum fwd_mode mode; /**< set fwd */
	int on;		    /**< set promisc/allmulti */
	uint32_t value;	    /**< set verbose/nbcore/burst, start tx_first N (default 1) */
	int tx_first;	    /**< start tx_first */
	char arg[FWD_CMD_ARG_MAX]; /**< port attach devargs, set txpkts list */
};

/**
 * Parse one command line (surrounding blanks ignored, '#' starts a comment).
 * @return 0, or -EINVAL with a message in err: one line naming what is wrong,
 *   then for a command it recognised the usage lines of that command.
 */
int fwd_cmd_parse(const char *line, struct fwd_cmd *cmd, char *err, size_t errlen);

/**
 * Completion: the candidates for the word being typed at the end of line (a
 * line ending in a blank starts a new word), those starting with what is
 * typed of it; placeholders offer their fixed words (all, on, off, modes).
 * @return the number of candidates stored (at most max, each < 32 bytes).
 */
int fwd_cmd_complete(const char *line, char out[][32], int max);

/** @return the help text: every command's usage and what it does (one line each). */
const char *fwd_cmd_help(void);

#endif /* FWD_CMD_H */
