/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Statistics. Drivers count; ethdev derives the generic extended statistics
 * from the basic ones (so "xstats by name equal basic stats" by construction)
 * and appends the driver's own. The generic list is a table of names and
 * offsets into struct dpx_eth_stats, port-wide first, then per queue.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ethdev_private.h"

struct xstat_field {
	const char *name;
	size_t offset;
};

static const struct xstat_field port_fields[] = {
	{"rx_good_packets", offsetof(struct dpx_eth_stats, ipackets)},
	{"tx_good_packets", offsetof(struct dpx_eth_stats, opackets)},
	{"rx_good_bytes", offsetof(struct dpx_eth_stats, ibytes)},
	{"tx_good_bytes", offsetof(struct dpx_eth_stats, obytes)},
	{"rx_missed_errors", offsetof(struct dpx_eth_stats, imissed)},
	{"rx_errors", offsetof(struct dpx_eth_stats, ierrors)},
	{"tx_errors", offsetof(struct dpx_eth_stats, oerrors)},
	{"rx_mbuf_allocation_errors", offsetof(struct dpx_eth_stats, rx_nombuf)},
};

/* Per-queue fields: name suffix and the offset of the array. */
static const struct xstat_field rxq_fields[] = {
	{"packets", offsetof(struct dpx_eth_stats, q_ipackets)},
	{"bytes", offsetof(struct dpx_eth_stats, q_ibytes)},
	{"errors", offsetof(struct dpx_eth_stats, q_errors)},
};

static const struct xstat_field txq_fields[] = {
	{"packets", offsetof(struct dpx_eth_stats, q_opackets)},
	{"bytes", offsetof(struct dpx_eth_stats, q_obytes)},
};

int
dpx_eth_stats_get(uint16_t port_id, struct dpx_eth_stats *stats)
{
	struct dpx_eth_dev *dev;

	ETHDEV_GET_OR_RET(dev, port_id);
	if (stats == NULL)
		return -EINVAL;
	memset(stats, 0, sizeof(*stats));
	if (dev->dev_ops->stats_get == NULL)
		return -ENOTSUP;
	return dev->dev_ops->stats_get(dev, stats);
}

int
dpx_eth_stats_reset(uint16_t port_id)
{
	struct dpx_eth_dev *dev;

	ETHDEV_GET_OR_RET(dev, port_id);
	if (dev->dev_ops->stats_reset == NULL)
		return -ENOTSUP;
	return dev->dev_ops->stats_reset(dev);
}

/* ---- software counters for drivers (dpx_ethdev_driver.h) ---- */

void
dpx_eth_sw_queue_counters(const void *queue, struct dpx_eth_sw_counters *out)
{
	const struct dpx_eth_sw_queue_stats *s = queue;

	/* relaxed loads: partners of the relaxed stores of dpx_eth_sw_count*() */
	out->packets = __atomic_load_n(&s->cnt.packets, __ATOMIC_RELAXED) - s->base.packets;
	out->bytes = __atomic_load_n(&s->cnt.bytes, __ATOMIC_RELAXED) - s->base.bytes;
	out->errors = __atomic_load_n(&s->cnt.errors, __ATOMIC_RELAXED) - s->base.errors;
	out->nombuf = __atomic_load_n(&s->cnt.nombuf, __ATOMIC_RELAXED) - s->base.nombuf;
}

int
dpx_eth_sw_stats_get(struct dpx_eth_dev *dev, struct dpx_eth_stats *st)
{
	struct dpx_eth_sw_counters c;

	for (unsigned int q = 0; q < dev->data->nb_rx_queues; q++) {
		if (dev->data->rx_queues[q] == NULL)
			continue;
		dpx_eth_sw_queue_counters(dev->data->rx_queues[q], &c);
		st->ipackets += c.packets;
		st->ibytes += c.bytes;
		st->ierrors += c.errors;
		st->rx_nombuf += c.nombuf;
		if (q < DPX_ETHDEV_QUEUE_STAT_CNTRS) {
			st->q_ipackets[q] = c.packets;
			st->q_ibytes[q] = c.bytes;
			st->q_errors[q] = c.errors;
		}
	}
	for (unsigned int q = 0; q < dev->data->nb_tx_queues; q++) {
		if (dev->data->tx_queues[q] == NULL)
			continue;
		dpx_eth_sw_queue_counters(dev->data->tx_queues[q], &c);
		st->opackets += c.packets;
		st->obytes += c.bytes;
		st->oerrors += c.errors;
		if (q < DPX_ETHDEV_QUEUE_STAT_CNTRS) {
			st->q_opackets[q] = c.packets;
			st->q_obytes[q] = c.bytes;
		}
	}
	return 0;
}

static void
sw_queue_reset(void *queue)
{
	struct dpx_eth_sw_queue_stats *s = queue;

	if (s == NULL)
		return;
	s->base.packets = __atomic_load_n(&s->cnt.packets, __ATOMIC_RELAXED);
	s->base.bytes = __atomic_load_n(&s->cnt.bytes, __ATOMIC_RELAXED);
	s->base.errors = __atomic_load_n(&s->cnt.errors, __ATOMIC_RELAXED);
	s->base.nombuf = __atomic_load_n(&s->cnt.nombuf, __ATOMIC_RELAXED);
}

int
dpx_eth_sw_stats_reset(struct dpx_eth_dev *dev)
{
	for (unsigned int q = 0; q < dev->data->nb_rx_queues; q++)
		sw_queue_reset(dev->data->rx_queues[q]);
	for (unsigned int q = 0; q < dev->data->nb_tx_queues; q++)
		sw_queue_reset(dev->data->tx_queues[q]);
	return 0;
}

/* ---- extended statistics ---- */

static unsigned int
rxq_stat_count(const struct dpx_eth_dev *dev)
{
	return DPX_MIN(dev->data->nb_rx_queues, DPX_ETHDEV_QUEUE_STAT_CNTRS);
}

static unsigned int
txq_stat_count(const struct dpx_eth_dev *dev)
{
	return DPX_MIN(dev->data->nb_tx_queues, DPX_ETHDEV_QUEUE_STAT_CNTRS);
}

static unsigned int
generic_count(const struct dpx_eth_dev *dev)
{
	return DPX_DIM(port_fields) + rxq_stat_count(dev) * DPX_DIM(rxq_fields) +
	       txq_stat_count(dev) * DPX_DIM(txq_fields);
}

static int
driver_count(struct dpx_eth_dev *dev)
{
	if (dev->dev_ops->xstats_get_names == NULL)
		return 0;
	return dev->dev_ops->xstats_get_names(dev, NULL, 0);
}

/* Visit every generic xstat in id order: fn(name, value) from one stats snapshot. */
static void
generic_walk(const struct dpx_eth_dev *dev, const struct dpx_eth_stats *st,
	     void (*fn)(unsigned int id, const char *name, uint64_t value, void *arg), void *arg)
{
	char name[DPX_ETH_XSTATS_NAME_SIZE];
	unsigned int id = 0;

	for (unsigned int i = 0; i < DPX_DIM(port_fields); i++)
		fn(id++, port_fields[i].name,
		   *(const uint64_t *)((const char *)st + port_fields[i].offset), arg);
	for (unsigned int q = 0; q < rxq_stat_count(dev); q++)
		for (unsigned int i = 0; i < DPX_DIM(rxq_fields); i++) {
			snprintf(name, sizeof(name), "rx_q%u_%s", q, rxq_fields[i].name);
			fn(id++, name, ((const uint64_t *)((const char *)st + rxq_fields[i].offset))[q],
			   arg);
		}
	for (unsigned int q = 0; q < txq_stat_count(dev); q++)
		for (unsigned int i = 0; i < DPX_DIM(txq_fields); i++) {
			snprintf(name, sizeof(name), "tx_q%u_%s", q, txq_fields[i].name);
			fn(id++, name, ((const uint64_t *)((const char *)st + txq_fields[i].offset))[q],
			   arg);
		}
}

static void
put_name(unsigned int id, const char *name, uint64_t value, void *arg)
{
	struct dpx_eth_xstat_name *names = arg;

	(void)value;
	snprintf(names[id].name, sizeof(names[id].name), "%s", name);
}

static void
put_value(unsigned int id, const char *name, uint64_t value, void *arg)
{
	struct dpx_eth_xstat *xs = arg;

	(void)name;
	xs[id].id = id;
	xs[id].value = value;
}

int
dpx_eth_xstats_get_names(uint16_t port_id, struct dpx_eth_xstat_name *names, unsigned int size)
{
	struct dpx_eth_stats st = {0};
	struct dpx_eth_dev *dev;
	unsigned int gen;
	int drv;

	ETHDEV_GET_OR_RET(dev, port_id);
	if (names == NULL && size > 0)
		return -EINVAL;
	gen = generic_count(dev);
	drv = driver_count(dev);
	if (drv < 0)
		return drv;
	if (names == NULL || size < gen + (unsigned int)drv)
		return (int)(gen + (unsigned int)drv);
	generic_walk(dev, &st, put_name, names);
	if (drv > 0) {
		int rc = dev->dev_ops->xstats_get_names(dev, names + gen, (unsigned int)drv);
		if (rc < 0)
			return rc;
	}
	return (int)(gen + (unsigned int)drv);
}

int
dpx_eth_xstats_get(uint16_t port_id, struct dpx_eth_xstat *xstats, unsigned int n)
{
	struct dpx_eth_stats st;
	struct dpx_eth_dev *dev;
	unsigned int gen;
	int drv, rc;

	ETHDEV_GET_OR_RET(dev, port_id);
	if (xstats == NULL && n > 0)
		return -EINVAL;
	gen = generic_count(dev);
	drv = driver_count(dev);
	if (drv < 0)
		return drv;
	if (xstats == NULL || n < gen + (unsigned int)drv)
		return (int)(gen + (unsigned int)drv);
	rc = dpx_eth_stats_get(port_id, &st);
	if (rc != 0)
		return rc;
	generic_walk(dev, &st, put_value, xstats);
	if (drv > 0) {
		rc = dev->dev_ops->xstats_get(dev, xstats + gen, (unsigned int)drv);
		if (rc < 0)
			return rc;
		for (int i = 0; i < drv; i++)
			xstats[gen + (unsigned int)i].id = gen + (unsigned int)i;
	}
	return (int)(gen + (unsigned int)drv);
}

/* Snapshot names and values together; returns the count or a negative errno. */
static int
xstats_snapshot(uint16_t port_id, struct dpx_eth_xstat_name **names, struct dpx_eth_xstat **values)
{
	int n = dpx_eth_xstats_get_names(port_id, NULL, 0);

	*names = NULL;
	*values = NULL;
	if (n <= 0)
		return n;
	*names = calloc((size_t)n, sizeof(**names));
	*values = calloc((size_t)n, sizeof(**values));
	if (*names == NULL || *values == NULL)
		return -ENOMEM;
	int rc = dpx_eth_xstats_get_names(port_id, *names, (unsigned int)n);
	if (rc == n)
		rc = dpx_eth_xstats_get(port_id, *values, (unsigned int)n);
	/* a count that changed in between (queues reconfigured) is reported as busy */
	return rc == n ? n : (rc < 0 ? rc : -EAGAIN);
}

/* Find an xstat by name in one snapshot: 0 with its id and value, or a negative errno. */
static int
xstats_find(uint16_t port_id, const char *name, uint64_t *id, uint64_t *value)
{
	struct dpx_eth_xstat_name *names;
	struct dpx_eth_xstat *values;
	int n, rc = -ENOENT;

	n = xstats_snapshot(port_id, &names, &values);
	for (int i = 0; i < n; i++)
		if (strcmp(names[i].name, name) == 0) {
			*id = (uint64_t)i;
			*value = values[i].value;
			rc = 0;
			break;
		}
	free(names);
	free(values);
	return n < 0 ? n : rc;
}

int
dpx_eth_xstats_get_id_by_name(uint16_t port_id, const char *name, uint64_t *id)
{
	uint64_t value;

	if (name == NULL || id == NULL)
		return dpx_eth_dev_is_valid_port(port_id) ? -EINVAL : -ENODEV;
	return xstats_find(port_id, name, id, &value);
}

int
dpx_eth_xstats_get_by_name(uint16_t port_id, const char *name, uint64_t *value)
{
	uint64_t id;

	if (name == NULL || value == NULL)
		return dpx_eth_dev_is_valid_port(port_id) ? -EINVAL : -ENODEV;
	return xstats_find(port_id, name, &id, value);
}

int
dpx_eth_xstats_get_by_id(uint16_t port_id, const uint64_t *ids, uint64_t *values, unsigned int n)
{
	struct dpx_eth_xstat_name *names;
	struct dpx_eth_xstat *all;
	int count, rc = (int)n;

	if (ids == NULL || values == NULL)
		return dpx_eth_dev_is_valid_port(port_id) ? -EINVAL : -ENODEV;
	count = xstats_snapshot(port_id, &names, &all);
	for (unsigned int i = 0; count >= 0 && i < n; i++) {
		if (ids[i] >= (uint64_t)count) {
			ETHDEV_LOG(ERR, "port %u: xstat id %llu out of range (%d xstats)", port_id,
				   (unsigned long long)ids[i], count);
			rc = -EINVAL;
			break;
		}
		values[i] = all[ids[i]].value;
	}
	free(names);
	free(all);
	return count < 0 ? count : rc;
}

int
dpx_eth_xstats_reset(uint16_t port_id)
{
	struct dpx_eth_dev *dev;
	int rc;

	ETHDEV_GET_OR_RET(dev, port_id);
	rc = dpx_eth_stats_reset(port_id);
	if (rc == 0 && dev->dev_ops->xstats_reset != NULL)
		rc = dev->dev_ops->xstats_reset(dev);
	return rc;
}
