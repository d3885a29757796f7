/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dpx-fwd's state and the functions that act on ports and cores (the parts
 * that make system calls; the pure ones are in fwd_options/streams/pkt/cmd/stats).
 *
 * Who calls whom: main.c parses, then fwd_ports_init(); then either
 * fwd_shell_run() (interactive) or fwd_start() + wait + fwd_stop(); both end
 * in fwd_ports_close(). Control functions run on the main thread only.
 */
#ifndef FWD_APP_H
#define FWD_APP_H

#include <pthread.h>
#include <stdio.h>

#include <dpx_ethdev.h>
#include <dpx_lcore.h>

#include "fwd_engine.h"
#include "fwd_options.h"
#include "fwd_streams.h"

#define FWD_MAX_STREAMS (DPX_MAX_ETHPORTS * FWD_MAX_QUEUES)

struct fwd_port {
	uint16_t id;
	int configured;
	int started;
	uint16_t nb_rxq, nb_txq; /**< as configured: --rxq/--txq capped by the driver's maximum */
	struct dpx_ether_addr mac;
	struct dpx_eth_stats at_start;	/**< counters when forwarding started (RX-dropped) */
	struct dpx_eth_stats last_show; /**< for "show port stats" rates */
	uint64_t last_show_ns;
	struct fwd_txonly_tmpl *tmpl;
	char devargs[256]; /**< what --vdev or "port attach" gave after the name */
};

struct fwd_core {
	struct fwd_app *app;
	unsigned int lcore;	   /**< EAL lcore, or DPX_LCORE_ID_ANY for the main-lcore thread */
	unsigned int first, count; /**< its run of streams */
	fwd_engine_t *engine;
	int launched;
};

struct fwd_app {
	struct fwd_options opt;
	const char *prgname;
	FILE *out;
	uint16_t nb_ports;
	struct fwd_port ports[DPX_MAX_ETHPORTS];
	uint16_t nb_fwd_ports; /**< the ports --portmask selects, as of the last layout */
	uint16_t fwd_idx[DPX_MAX_ETHPORTS]; /**< forwarding port -> index in ports[] */
	struct dpx_mempool *pool;
	struct fwd_stream_map map[FWD_MAX_STREAMS];
	struct fwd_stream *streams;
	unsigned int nb_streams;
	struct fwd_core cores[DPX_MAX_LCORE];
	unsigned int nb_cores;
	int forwarding;
	int stop;	       /**< written by the main thread, read by cores (acquire/release) */
	pthread_t main_thread; /**< forwarding on the main lcore's CPU when there is no worker */
	pthread_t display_thread;
	int display_running;
	pthread_mutex_t show_lock; /**< "show port stats" rates: prompt vs. display thread */
	uint64_t start_ns;
	unsigned int tx_first; /**< bursts per stream at the next start ("start tx_first N") */
	char start_err[160];   /**< why the last fwd_start failed, when it knows more than -errno */
};

/** Find the ports, create the mbuf pool, configure and start every port.
 *  @return 0; -ENODEV (no port); -EINVAL (bad --nb-cores); -ENOMEM, or the pool's error. */
int fwd_ports_init(struct fwd_app *app);
/** Stop and close every port, free the pool. */
void fwd_ports_close(struct fwd_app *app);
/** Start or stop one port (index into app->ports); reports failures. @return 0 or -errno. */
int fwd_port_start(struct fwd_app *app, uint16_t idx);
int fwd_port_stop(struct fwd_app *app, uint16_t idx);
/** @return the index of port id, or -ENODEV. */
int fwd_port_index(const struct fwd_app *app, uint16_t port_id);

/** Check --nb-cores against the lcores. @return 0, or -EINVAL with a one-line message in err. */
int fwd_check_cores(const struct fwd_app *app, char *err, size_t errlen);
/** @return the forwarding lcores there are (the workers, or 1: the main lcore's CPU). */
unsigned int fwd_available_cores(void);

/**
 * Lay out streams for the current mode and launch the forwarding cores.
 * @return 0, -EBUSY, -errno; on failure app->start_err may say why in words
 *   (the caller prints one line: fwd_start_error()).
 */
int fwd_start(struct fwd_app *app);
/** @return why the last fwd_start failed: its own words, or the text of rc. */
const char *fwd_start_error(const struct fwd_app *app, int rc);
/** Stop the cores, print the forward statistics. @return 0, or -EALREADY when not forwarding. */
int fwd_stop(struct fwd_app *app);
/** "show fwd stats all": the forward statistics so far (forwarding or not). */
void fwd_show_fwd_stats(struct fwd_app *app);
/** "show config fwd": the stream list the running (or next) start has. @return 0 or -errno
 *  (app->start_err may say why, as for fwd_start). */
int fwd_show_config(struct fwd_app *app);
/** "set verbose": takes effect at once on running streams too. */
void fwd_set_verbose(struct fwd_app *app, unsigned int level);

void fwd_show_port_stats(struct fwd_app *app, uint16_t idx);
void fwd_show_port_xstats(struct fwd_app *app, uint16_t idx);
void fwd_show_port_info(struct fwd_app *app, uint16_t idx);
void fwd_clear_port_stats(struct fwd_app *app, uint16_t idx);
/** Promiscuous (allmulti 0) or all-multicast (allmulti 1) mode on or off; reports failures. */
int fwd_port_set_mode(struct fwd_app *app, uint16_t idx, int allmulti, int on);
/** Link up or down; reports failures. */
int fwd_port_set_link(struct fwd_app *app, uint16_t idx, int up);
/** "port attach": probe a vdev (devargs as --vdev) as a new stopped port. @return 0 or -errno. */
int fwd_port_attach(struct fwd_app *app, const char *devargs);
/** "port detach": a stopped port's device removed. @return 0 or -errno. */
int fwd_port_detach(struct fwd_app *app, uint16_t idx);

/** The interactive prompt; returns on quit, end of input or a signal. */
void fwd_shell_run(struct fwd_app *app);

/**
 * Run the commands of a file (--cmdline-file) as if typed.
 * @return 1 when one of them was quit/exit, 0 at its end, -errno when it cannot be read.
 */
int fwd_shell_run_file(struct fwd_app *app, const char *path);

/** Set by the SIGINT/SIGTERM handler. */
extern volatile int fwd_force_quit;

#endif /* FWD_APP_H */
