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

int
fwd_check_cores(const struct fwd_app *app, char *err, size_t errlen)
{
	unsigned int lcores[DPX_MAX_LCORE];
	unsigned int avail = available_cores(lcores);

	if (app->opt.nb_cores <= avail)
		return 0;
	snprintf(err, errlen, "--nb-cores %u: only %u forwarding lcore(s) (give more with -l)",
		 app->opt.nb_cores, avail);
	return -EINVAL;
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

static void
stream_init(struct fwd_app *app, struct fwd_stream *fs, const struct fwd_stream_map *m)
{
	struct fwd_port *rx = &app->ports[m->rx_port], *tx = &app->ports[m->tx_port];

	memset(fs, 0, sizeof(*fs));
	fs->rx_port = rx->id;
	fs->rx_queue = m->rx_queue;
	fs->tx_port = tx->id;
	fs->tx_queue = m->tx_queue;
	fs->burst = app->opt.burst;
	fs->record_cycles = app->opt.record_core_cycles;
	memcpy(fs->tx_src_mac, tx->mac.addr_bytes, 6);
	if (app->opt.peer_set[tx->id]) {
		memcpy(fs->tx_dst_mac, app->opt.peer_mac[tx->id], 6);
	} else {
		fs->tx_dst_mac[0] = 0x02;
		fs->tx_dst_mac[5] = (uint8_t)tx->id;
	}
	fs->pool = app->pool;
	fs->tmpl = tx->tmpl;
	if (app->opt.tx_pps != 0)
		fs->tx_gap_cycles = dpx_get_tsc_hz() * fs->burst / app->opt.tx_pps;
	fs->enabled = stream_idle_reason(app->opt.mode, rx, tx, m) == NULL;
}

static int
layout(struct fwd_app *app, unsigned int *lcores, unsigned int avail)
{
	unsigned int want = app->opt.nb_cores ? app->opt.nb_cores : avail, used = 0;
	int n;

	if (want > avail)
		return -EINVAL; /* fwd_check_cores() told the user at start-up */
	n = fwd_streams_build(app->nb_ports, app->opt.nb_rxq, app->opt.nb_txq, want, app->map,
			      FWD_MAX_STREAMS, &used);
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
print_live(struct fwd_app *app, uint64_t ns)
{
	for (uint16_t i = 0; i < app->nb_ports; i++) {
		struct fwd_port *p = &app->ports[i];
		struct dpx_eth_stats s;

		if (!p->started || dpx_eth_stats_get(p->id, &s) < 0)
			continue;
		/* whole packets and bits per second, as testpmd shows them: readable at
		 * a ping's 1 pps and at line rate alike */
		fprintf(app->out,
			"  port %u: Rx-pps: %12.0f Rx-bps: %14.0f | Tx-pps: %12.0f Tx-bps: %14.0f\n",
			p->id, fwd_rate_per_sec(p->last_live.ipackets, s.ipackets, ns),
			8 * fwd_rate_per_sec(p->last_live.ibytes, s.ibytes, ns),
			fwd_rate_per_sec(p->last_live.opackets, s.opackets, ns),
			8 * fwd_rate_per_sec(p->last_live.obytes, s.obytes, ns));
		p->last_live = s;
	}
	fflush(app->out);
}

static void *
display_main(void *arg)
{
	struct fwd_app *app = arg;
	uint64_t period = (uint64_t)app->opt.stats_period * DPX_NS_PER_S;
	uint64_t last = dpx_get_time_ns();
	int printed = 0;

	while (!__atomic_load_n(&app->stop, __ATOMIC_ACQUIRE)) {
		uint64_t now = dpx_get_time_ns();

		if (now - last >= period) {
			print_live(app, now - last);
			last = now;
			printed = 1;
		}
		usleep(50 * 1000);
	}
	/* a run shorter than one period still shows its rates once */
	if (!printed)
		print_live(app, dpx_get_time_ns() - last);
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
			fprintf(app->out, "cannot launch forwarding core %u: %s\n", c,
				dpx_strerror(rc));
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

static unsigned int
core_lcore(const struct fwd_app *app, unsigned int stream)
{
	unsigned int lcore = app->cores[app->map[stream].core].lcore;

	return lcore == DPX_LCORE_ID_ANY ? dpx_get_main_lcore() : lcore;
}

static void
print_config(struct fwd_app *app)
{
	fprintf(app->out, "%s packet forwarding - ports=%u - cores=%u - streams=%u\n",
		fwd_mode_name(app->opt.mode), app->nb_ports, app->nb_cores, app->nb_streams);
	for (unsigned int s = 0; s < app->nb_streams; s++) {
		const struct fwd_stream *fs = &app->streams[s];

		const char *why =
			stream_idle_reason(app->opt.mode, &app->ports[app->map[s].rx_port],
					   &app->ports[app->map[s].tx_port], &app->map[s]);

		fprintf(app->out, "  stream %u: RX P=%u/Q=%u -> TX P=%u/Q=%u on lcore %u%s%s%s\n",
			s, fs->rx_port, fs->rx_queue, fs->tx_port, fs->tx_queue, core_lcore(app, s),
			why ? " (" : "", why ? why : "", why ? ": idle)" : "");
	}
}

int
fwd_start(struct fwd_app *app)
{
	unsigned int lcores[DPX_MAX_LCORE];
	unsigned int avail = available_cores(lcores);
	int rc;

	if (app->forwarding)
		return -EBUSY;
	if (app->opt.mode == FWD_MODE_TXONLY && (rc = txonly_templates(app)) < 0)
		return rc;
	rc = layout(app, lcores, avail);
	if (rc < 0)
		return rc;
	for (uint16_t i = 0; i < app->nb_ports; i++) {
		struct fwd_port *p = &app->ports[i];

		memset(&p->at_start, 0, sizeof(p->at_start));
		if (p->started)
			dpx_eth_stats_get(p->id, &p->at_start);
		p->last_live = p->at_start;
	}
	print_config(app);
	fflush(app->out);
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

static void
print_forward_stats(struct fwd_app *app)
{
	struct fwd_stream_stats *st = calloc(app->nb_streams, sizeof(*st));
	struct fwd_port_totals all = {0}, t;
	int cycles = app->opt.record_core_cycles;
	uint16_t ids[DPX_MAX_ETHPORTS];

	if (st == NULL)
		return;
	for (uint16_t i = 0; i < app->nb_ports; i++)
		ids[i] = app->ports[i].id;
	for (unsigned int s = 0; s < app->nb_streams; s++) {
		fwd_stream_stats_read(&app->streams[s].stats, &st[s]);
		fwd_print_stream(app->out, s, &app->map[s], ids, core_lcore(app, s), &st[s]);
	}
	for (uint16_t i = 0; i < app->nb_ports; i++) {
		struct fwd_port *p = &app->ports[i];
		struct dpx_eth_stats now;

		fwd_port_totals(app->map, st, app->nb_streams, i, &t);
		if (p->started && dpx_eth_stats_get(p->id, &now) == 0)
			t.rx_dropped = (now.imissed + now.rx_nombuf) -
				       (p->at_start.imissed + p->at_start.rx_nombuf);
		fwd_print_port(app->out, p->id, &t, cycles);
		fwd_port_totals_add(&all, &t);
	}
	fwd_print_totals(app->out, &all, cycles);
	free(st);
}

int
fwd_stop(struct fwd_app *app)
{
	if (!app->forwarding)
		return -EALREADY;
	fprintf(app->out, "Telling cores to stop... Waiting for lcores to finish...\n");
	__atomic_store_n(&app->stop, 1, __ATOMIC_RELEASE); /* partner: core_main, display_main */
	join_cores(app);
	if (app->display_running)
		pthread_join(app->display_thread, NULL);
	app->display_running = 0;
	fprintf(app->out, "forwarded for %.3f s\n", (dpx_get_time_ns() - app->start_ns) / 1e9);
	print_forward_stats(app);
	fflush(app->out);
	dpx_free(app->streams);
	app->streams = NULL;
	app->nb_streams = 0;
	app->forwarding = 0;
	return 0;
}
