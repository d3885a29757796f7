/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dpx-fwd run control: lay out the streams, launch the forwarding cores,
 * print live rates, stop and report.
 *
 * app->stop is the one flag shared with the cores: fwd_stop() stores 1 with
 * release, the cores load it with acquire after each pass over their streams;
 * the stream counters are read only after the cores are joined (or relaxed,
 * for live display).
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <dpx_cycles.h>
#include <dpx_errno.h>
#include <dpx_malloc.h>
#include <dpx_mempool.h>

#include "fwd_app.h"

static int
core_main(void *arg)
{
	struct fwd_core *c = arg;
	struct fwd_stream *fs = &c->app->streams[c->first];

	while (!__atomic_load_n(&c->app->stop, __ATOMIC_ACQUIRE)) /* partner: fwd_stop */
		for (unsigned int i = 0; i < c->count; i++)
			if (fs[i].enabled)
				c->engine(&fs[i]);
	return 0;
}

static void *
main_lcore_thread(void *arg)
{
	core_main(arg);
	return NULL;
}

/* Forwarding cores: the worker lcores, or the main lcore's CPU when there is none. */
static unsigned int
available_cores(unsigned int *lcores)
{
	unsigned int n = 0, id;

	DPX_LCORE_FOREACH_WORKER (id)
		lcores[n++] = id;
	if (n == 0)
		lcores[n++] = DPX_LCORE_ID_ANY;
	return n;
}

unsigned int
fwd_available_cores(void)
{
	unsigned int lcores[DPX_MAX_LCORE];

	return available_cores(lcores);
}

int
fwd_check_cores(const struct fwd_app *app, char *err, size_t errlen)
{
	unsigned int avail = fwd_available_cores();

	if (app->opt.nb_cores <= avail)
		return 0;
	snprintf(err, errlen, "--nb-cores %u: only %u forwarding lcore(s) (give more with -l)",
		 app->opt.nb_cores, avail);
	return -EINVAL;
}

static int
generates(enum fwd_mode mode)
{
	return mode == FWD_MODE_TXONLY || mode == FWD_MODE_FLOWGEN;
}

static int
txonly_templates(struct fwd_app *app)
{
	for (uint16_t i = 0; i < app->nb_ports; i++) {
		struct fwd_port *p = &app->ports[i];
		struct fwd_txonly_cfg cfg;

		if (p->tmpl == NULL && (p->tmpl = malloc(sizeof(*p->tmpl))) == NULL)
			return -ENOMEM;
		fwd_txonly_cfg_defaults(&cfg);
		memcpy(cfg.src_mac, p->mac.addr_bytes, 6);
		if (app->opt.peer_set[p->id])
			memcpy(cfg.dst_mac, app->opt.peer_mac[p->id], 6);
		else
			cfg.dst_mac[5] =
				(uint8_t)p->id; /* testpmd's default peer 02:00:00:00:00:<port> */
		if (fwd_txonly_tmpl_init(p->tmpl, &cfg, app->opt.txpkts, app->opt.nb_txpkts) < 0)
			return -EINVAL;
	}
	return 0;
}

/*
 * Why a stream cannot run, or NULL. It needs its rx port started with that rx
 * queue (except txonly) and a tx queue on its tx port (except rxonly); a tx
 * port that is merely stopped is fine: what is sent to it counts as dropped.
 */
static const char *
stream_idle_reason(enum fwd_mode mode, const struct fwd_port *rx, const struct fwd_port *tx,
		   const struct fwd_stream_map *m)
{
	if (mode != FWD_MODE_TXONLY && !rx->started)
		return "port down";
	if (mode != FWD_MODE_TXONLY && m->rx_queue >= rx->nb_rxq)
		return "no rx queue";
	if (mode == FWD_MODE_TXONLY && !tx->started)
		return "port down";
	if (mode != FWD_MODE_RXONLY && m->tx_queue >= tx->nb_txq)
		return "no tx queue";
	return NULL;
}

static struct fwd_port *
map_port(struct fwd_app *app, uint16_t fwd_port)
{
	return &app->ports[app->fwd_idx[fwd_port]];
}

static void
stream_init(struct fwd_app *app, struct fwd_stream *fs, const struct fwd_stream_map *m)
{
	struct fwd_port *rx = map_port(app, m->rx_port), *tx = map_port(app, m->tx_port);
	struct fwd_txonly_cfg cfg;

	memset(fs, 0, sizeof(*fs));
	fs->rx_port = rx->id;
	fs->rx_queue = m->rx_queue;
	fs->tx_port = tx->id;
	fs->tx_queue = m->tx_queue;
	fs->burst = app->opt.burst;
	fs->record_cycles = app->opt.record_core_cycles;
	memcpy(fs->tx_src_mac, tx->mac.addr_bytes, 6);
	memcpy(fs->rx_mac, rx->mac.addr_bytes, 6);
	if (app->opt.peer_set[tx->id]) {
		memcpy(fs->tx_dst_mac, app->opt.peer_mac[tx->id], 6);
	} else {
		fs->tx_dst_mac[0] = 0x02;
		fs->tx_dst_mac[5] = (uint8_t)tx->id;
	}
	fs->pool = app->pool;
	fs->pool_name = "fwd_mbuf_pool";
	fs->tmpl = tx->tmpl;
	fs->multi_flow = app->opt.txonly_multi_flow;
	fwd_txonly_cfg_defaults(&cfg);
	/* flowgen spreads destinations, --txonly-multi-flow sources, from testpmd's addresses */
	fs->base_ip = app->opt.mode == FWD_MODE_FLOWGEN ? cfg.dst_ip : cfg.src_ip;
	fs->verbose = app->opt.verbose;
	fs->dump = app->out;
	fs->enabled = stream_idle_reason(app->opt.mode, rx, tx, m) == NULL;
}

/* The forwarding ports: those --portmask selects, in port-id order. */
static int
select_ports(struct fwd_app *app)
{
	size_t off;

	app->nb_fwd_ports = 0;
	for (uint16_t i = 0; i < app->nb_ports; i++) {
		uint16_t id = app->ports[i].id;

		if (app->opt.portmask == 0 || (id < 64 && (app->opt.portmask >> id & 1)))
			app->fwd_idx[app->nb_fwd_ports++] = i;
	}
	if (app->nb_fwd_ports != 0)
		return 0;
	if (app->nb_ports == 0) {
		snprintf(app->start_err, sizeof(app->start_err),
			 "no ports (add one with port attach NAME)");
		return -ENODEV;
	}
	off = (size_t)snprintf(app->start_err, sizeof(app->start_err),
			       "--portmask 0x%" PRIx64 " selects none of the %u port(s) (ids",
			       app->opt.portmask, app->nb_ports);
	for (uint16_t i = 0; i < app->nb_ports && off < sizeof(app->start_err); i++)
		off += (size_t)snprintf(app->start_err + off, sizeof(app->start_err) - off, " %u",
					app->ports[i].id);
	if (off < sizeof(app->start_err))
		snprintf(app->start_err + off, sizeof(app->start_err) - off, ")");
	return -ENODEV;
}

static int
layout(struct fwd_app *app, unsigned int *lcores, unsigned int avail)
{
	unsigned int want = app->opt.nb_cores ? app->opt.nb_cores : avail, used = 0;
	int n;

	if (want > avail)
		want = avail; /* "set nbcore" checked; fewer lcores after the fact: use them */
	n = select_ports(app);
	if (n < 0)
		return n;
	n = fwd_streams_build(app->nb_fwd_ports, app->opt.nb_rxq, app->opt.nb_txq, want,
			      app->opt.topology, app->map, FWD_MAX_STREAMS, &used);
	if (n < 0)
		return n;
	app->streams = dpx_zmalloc("fwd_streams", (size_t)n * sizeof(*app->streams), 0);
	if (app->streams == NULL)
		return -ENOMEM;
	app->nb_streams = (unsigned int)n;
	app->nb_cores = used;
	memset(app->cores, 0, sizeof(app->cores[0]) * used);
	for (unsigned int s = 0; s < app->nb_streams; s++) {
		struct fwd_core *c = &app->cores[app->map[s].core];

		stream_init(app, &app->streams[s], &app->map[s]);
		if (c->count++ == 0)
			c->first = s;
	}
	for (unsigned int c = 0; c < used; c++) {
		app->cores[c].app = app;
		app->cores[c].lcore = lcores[c];
		app->cores[c].engine = fwd_engine_get(app->opt.mode);
	}
	return 0;
}

static void
layout_free(struct fwd_app *app)
{
	dpx_free(app->streams);
	app->streams = NULL;
	app->nb_streams = 0;
}

static unsigned int
core_lcore(const struct fwd_app *app, unsigned int c)
{
	unsigned int lcore = app->cores[c].lcore;

	return lcore == DPX_LCORE_ID_ANY ? dpx_get_main_lcore() : lcore;
}

/* testpmd's periodic display: the port blocks of "show port stats", rates since the last. */
static void
print_periodic(struct fwd_app *app, int tty)
{
	/* testpmd clears the screen first; only a terminal wants that */
	fprintf(app->out, "%s\nPort statistics ====================================",
		tty ? "\033[2J\033[1;1H" : "");
	for (uint16_t i = 0; i < app->nb_fwd_ports; i++)
		fwd_show_port_stats(app, app->fwd_idx[i]);
	fflush(app->out);
}

static void *
display_main(void *arg)
{
	struct fwd_app *app = arg;
	uint64_t period = (uint64_t)app->opt.stats_period * DPX_NS_PER_S;
	uint64_t last = dpx_get_time_ns();
	int tty = isatty(fileno(app->out)), printed = 0;

	while (!__atomic_load_n(&app->stop, __ATOMIC_ACQUIRE)) {
		uint64_t now = dpx_get_time_ns();

		if (now - last >= period) {
			print_periodic(app, tty);
			last = now;
			printed = 1;
		}
		usleep(50 * 1000);
	}
	/* a run shorter than one period still shows its rates once */
	if (!printed)
		print_periodic(app, tty);
	return NULL;
}

static int
launch(struct fwd_app *app)
{
	for (unsigned int c = 0; c < app->nb_cores; c++) {
		struct fwd_core *core = &app->cores[c];
		int rc = core->lcore == DPX_LCORE_ID_ANY
				 ? -pthread_create(&app->main_thread, NULL, main_lcore_thread, core)
				 : dpx_eal_remote_launch(core_main, core, core->lcore);

		if (rc != 0) {
			snprintf(app->start_err, sizeof(app->start_err),
				 "cannot launch forwarding core %u (lcore %u): %s", c,
				 core_lcore(app, c), dpx_strerror(rc));
			return rc;
		}
		core->launched = 1;
	}
	return 0;
}

static void
join_cores(struct fwd_app *app)
{
	for (unsigned int c = 0; c < app->nb_cores; c++) {
		if (!app->cores[c].launched)
			continue;
		app->cores[c].launched = 0;
		if (app->cores[c].lcore == DPX_LCORE_ID_ANY)
			pthread_join(app->main_thread, NULL);
		else
			dpx_eal_wait_lcore(app->cores[c].lcore);
	}
}

static void
print_stream_line(struct fwd_app *app, unsigned int s)
{
	const struct fwd_stream *fs = &app->streams[s];
	const struct fwd_stream_map *m = &app->map[s];
	const char *why = stream_idle_reason(app->opt.mode, map_port(app, m->rx_port),
					     map_port(app, m->tx_port), m);

	fprintf(app->out,
		"  RX P=%u/Q=%u (socket %d) -> TX P=%u/Q=%u (socket %d) peer=%02X:%02X:%02X:%02X:"
		"%02X:%02X%s%s%s\n",
		fs->rx_port, fs->rx_queue, dpx_eth_dev_socket_id(fs->rx_port), fs->tx_port,
		fs->tx_queue, dpx_eth_dev_socket_id(fs->tx_port), fs->tx_dst_mac[0],
		fs->tx_dst_mac[1], fs->tx_dst_mac[2], fs->tx_dst_mac[3], fs->tx_dst_mac[4],
		fs->tx_dst_mac[5], why ? " (idle: " : "", why ? why : "", why ? ")" : "");
}

/* testpmd's stream list: the header, then each core and its streams. */
static void
print_streams(struct fwd_app *app)
{
	fprintf(app->out, "%s packet forwarding - ports=%u - cores=%u - streams=%u\n",
		fwd_mode_name(app->opt.mode), app->nb_fwd_ports, app->nb_cores, app->nb_streams);
	for (unsigned int c = 0; c < app->nb_cores; c++) {
		const struct fwd_core *core = &app->cores[c];

		fprintf(app->out, "Logical Core %u (socket %d) forwards packets on %u streams:\n",
			core_lcore(app, c), dpx_lcore_to_socket_id(core_lcore(app, c)),
			core->count);
		for (unsigned int s = core->first; s < core->first + core->count; s++)
			print_stream_line(app, s);
	}
	fputc('\n', app->out);
}

/* What start adds after the stream list: the mode's settings and each port's queues. */
static void
print_settings(struct fwd_app *app)
{
	const struct fwd_options *o = &app->opt;

	if (o->mode == FWD_MODE_FLOWGEN)
		for (uint16_t i = 0; i < app->nb_fwd_ports; i++)
			fprintf(app->out, "  number of flows for port %u: %d\n",
				map_port(app, i)->id, FWD_FLOWGEN_FLOWS);
	fprintf(app->out, "  %s packet forwarding packets/burst=%u\n", fwd_mode_name(o->mode),
		o->burst);
	if (generates(o->mode) || app->tx_first)
		fprintf(app->out, "  packet len=%u - nb packet segments=%u\n",
			fwd_options_txpkt_len(o), o->nb_txpkts);
	fprintf(app->out, "  nb forwarding cores=%u - nb forwarding ports=%u\n", app->nb_cores,
		app->nb_fwd_ports);
	for (uint16_t i = 0; i < app->nb_fwd_ports; i++) {
		const struct fwd_port *p = map_port(app, i);

		fprintf(app->out, "  port %u: RX queue number: %u Tx queue number: %u\n", p->id,
			p->nb_rxq, p->nb_txq);
	}
}

int
fwd_show_config(struct fwd_app *app)
{
	unsigned int lcores[DPX_MAX_LCORE];
	int rc;

	if (app->forwarding) {
		print_streams(app);
		return 0;
	}
	app->start_err[0] = '\0';
	rc = layout(app, lcores, available_cores(lcores));
	if (rc < 0)
		return rc;
	print_streams(app);
	layout_free(app);
	return 0;
}

void
fwd_set_verbose(struct fwd_app *app, unsigned int level)
{
	fprintf(app->out, "Change verbose level from %u to %u\n", app->opt.verbose, level);
	app->opt.verbose = level;
	for (unsigned int s = 0; s < app->nb_streams; s++) /* the cores read it relaxed */
		__atomic_store_n(&app->streams[s].verbose, level, __ATOMIC_RELAXED);
}

static void
tx_first(struct fwd_app *app)
{
	for (unsigned int b = 0; b < app->tx_first; b++)
		for (unsigned int s = 0; s < app->nb_streams; s++)
			if (app->streams[s].enabled && app->streams[s].tmpl != NULL)
				fwd_tx_first_burst(&app->streams[s]);
}

int
fwd_start(struct fwd_app *app)
{
	unsigned int lcores[DPX_MAX_LCORE];
	unsigned int avail = available_cores(lcores);
	uint64_t now;
	int rc;

	app->start_err[0] = '\0';
	if (app->forwarding)
		return -EBUSY;
	if ((generates(app->opt.mode) || app->tx_first) && (rc = txonly_templates(app)) < 0)
		return rc;
	rc = layout(app, lcores, avail);
	if (rc < 0)
		return rc;
	for (uint16_t i = 0; i < app->nb_ports; i++) {
		struct fwd_port *p = &app->ports[i];

		memset(&p->at_start, 0, sizeof(p->at_start));
		if (p->started)
			dpx_eth_stats_get(p->id, &p->at_start);
	}
	print_streams(app);
	print_settings(app);
	fflush(app->out);
	tx_first(app);
	app->opt.tx_first = 0; /* --tx-first is for the first start only */
	now = dpx_get_tsc_cycles();
	for (unsigned int s = 0; s < app->nb_streams; s++)
		fwd_pacer_init(&app->streams[s].pacer, dpx_get_tsc_hz(), app->opt.tx_pps, now);
	__atomic_store_n(&app->stop, 0, __ATOMIC_RELEASE);
	app->start_ns = dpx_get_time_ns();
	app->forwarding = 1;
	rc = launch(app);
	if (rc == 0 && app->opt.stats_period != 0)
		app->display_running =
			pthread_create(&app->display_thread, NULL, display_main, app) == 0;
	if (rc < 0)
		fwd_stop(app);
	return rc;
}

const char *
fwd_start_error(const struct fwd_app *app, int rc)
{
	return app->start_err[0] != '\0' ? app->start_err : dpx_strerror(rc);
}

/* The port's own counters over the run, from the difference to the start. */
static void
port_run_counters(const struct fwd_port *p, struct fwd_port_totals *t)
{
	struct dpx_eth_stats now;

	if (!p->started || dpx_eth_stats_get(p->id, &now) != 0)
		return;
	t->rx_dropped = now.imissed - p->at_start.imissed;
	t->rx_errors = now.ierrors - p->at_start.ierrors;
	t->rx_nombuf = now.rx_nombuf - p->at_start.rx_nombuf;
}

/* Generating with an empty pool builds nothing: say so once, with what to do. */
static void
warn_nombuf(struct fwd_app *app, const struct fwd_port *p, const struct fwd_port_totals *t)
{
	if (t->gen_nombuf == 0)
		return;
	fprintf(app->out,
		"Port %u: %" PRIu64
		" packets could not be generated: the pool of %u mbufs was empty "
		"(raise --total-num-mbufs)\n",
		p->id, t->gen_nombuf, dpx_mempool_get_size(app->pool));
}

static void
print_forward_stats(struct fwd_app *app)
{
	struct fwd_stream_stats *st = calloc(app->nb_streams ? app->nb_streams : 1, sizeof(*st));
	struct fwd_stats_fmt fmt = {fwd_mode_name(app->opt.mode), app->opt.mode == FWD_MODE_CSUM,
				    app->opt.record_core_cycles, dpx_get_tsc_hz()};
	struct fwd_port_totals all = {0}, t;
	uint16_t ids[DPX_MAX_ETHPORTS];

	if (st == NULL)
		return;
	for (uint16_t i = 0; i < app->nb_fwd_ports; i++)
		ids[i] = map_port(app, i)->id;
	for (unsigned int s = 0; s < app->nb_streams; s++) {
		fwd_stream_stats_read(&app->streams[s].stats, &st[s]);
		fwd_print_stream(app->out, s, &app->map[s], ids, core_lcore(app, app->map[s].core),
				 &st[s]);
	}
	/* testpmd shows stream blocks only when a port has several streams */
	for (unsigned int s = 0; app->nb_streams > app->nb_fwd_ports && s < app->nb_streams; s++)
		fwd_print_stream_block(app->out, &app->map[s], ids, &st[s], &fmt);
	for (uint16_t i = 0; i < app->nb_fwd_ports; i++) {
		fwd_port_totals(app->map, st, app->nb_streams, i, &t);
		port_run_counters(map_port(app, i), &t);
		fwd_print_port(app->out, ids[i], &t, &fmt);
		fwd_port_totals_add(&all, &t);
	}
	fwd_print_totals(app->out, &all, &fmt);
	for (uint16_t i = 0; i < app->nb_fwd_ports; i++) {
		fwd_port_totals(app->map, st, app->nb_streams, i, &t);
		warn_nombuf(app, map_port(app, i), &t);
	}
	free(st);
}

void
fwd_show_fwd_stats(struct fwd_app *app)
{
	if (!app->forwarding) {
		fprintf(app->out, "Packet forwarding not started\n");
		return;
	}
	print_forward_stats(app);
}

int
fwd_stop(struct fwd_app *app)
{
	if (!app->forwarding)
		return -EALREADY;
	fprintf(app->out, "Telling cores to stop...\nWaiting for lcores to finish...\n");
	__atomic_store_n(&app->stop, 1, __ATOMIC_RELEASE); /* partner: core_main, display_main */
	join_cores(app);
	if (app->display_running)
		pthread_join(app->display_thread, NULL);
	app->display_running = 0;
	fprintf(app->out, "forwarded for %.3f s\n", (dpx_get_time_ns() - app->start_ns) / 1e9);
	print_forward_stats(app);
	fprintf(app->out, "\nDone.\n");
	fflush(app->out);
	layout_free(app);
	app->forwarding = 0;
	return 0;
}
