/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Event callbacks. One list for all ports (entries carry their port id or
 * DPX_ETH_ALL), in registration order. A callback runs without the lock held
 * so that it may call ethdev functions (even unregister itself); an entry
 * being run is marked active, and unregistering an active entry only marks it
 * dead: the thread running it unlinks and frees it when the call returns.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>

#include "ethdev_private.h"

struct eth_callback {
	struct eth_callback *next;
	uint16_t port_id;
	enum dpx_eth_event_type event;
	dpx_eth_dev_cb_fn fn;
	void *arg;
	unsigned int active; /* > 0 while being run */
	int dead;            /* unregistered while active */
};

static struct eth_callback *cb_list;
static pthread_mutex_t cb_lock = PTHREAD_MUTEX_INITIALIZER;

static int
check_args(uint16_t port_id, enum dpx_eth_event_type ev, dpx_eth_dev_cb_fn cb, const char *fn)
{
	if (port_id != DPX_ETH_ALL && ethdev_get_checked(port_id, fn) == NULL)
		return -ENODEV;
	if (cb == NULL || (unsigned int)ev >= DPX_ETH_EVENT_MAX) {
		ETHDEV_LOG(ERR, "%s: port %u: %s", fn, port_id,
			   cb == NULL ? "NULL callback" : "unknown event type");
		return -EINVAL;
	}
	return 0;
}

int
dpx_eth_dev_callback_register(uint16_t port_id, enum dpx_eth_event_type ev, dpx_eth_dev_cb_fn cb,
			      void *cb_arg)
{
	struct eth_callback **p, *c;
	int rc = check_args(port_id, ev, cb, __func__);

	if (rc != 0)
		return rc;
	pthread_mutex_lock(&cb_lock);
	for (p = &cb_list; *p != NULL; p = &(*p)->next) {
		c = *p;
		if (c->port_id == port_id && c->event == ev && c->fn == cb && c->arg == cb_arg &&
		    !c->dead)
			break;
	}
	if (*p == NULL) {
		c = calloc(1, sizeof(*c));
		if (c != NULL) {
			*c = (struct eth_callback){NULL, port_id, ev, cb, cb_arg, 0, 0};
			*p = c;
		}
		rc = c != NULL ? 0 : -ENOMEM;
	}
	pthread_mutex_unlock(&cb_lock);
	return rc;
}

int
dpx_eth_dev_callback_unregister(uint16_t port_id, enum dpx_eth_event_type ev,
				dpx_eth_dev_cb_fn cb, void *cb_arg)
{
	struct eth_callback **p = &cb_list;
	int rc = check_args(port_id, ev, cb, __func__), removed = 0;

	if (rc != 0)
		return rc;
	pthread_mutex_lock(&cb_lock);
	while (*p != NULL) {
		struct eth_callback *c = *p;
		if (c->port_id != port_id || c->event != ev || c->fn != cb || c->dead ||
		    (cb_arg != (void *)-1 && c->arg != cb_arg)) {
			p = &c->next;
			continue;
		}
		removed++;
		if (c->active > 0) {
			c->dead = 1;
			p = &c->next;
			continue;
		}
		*p = c->next;
		free(c);
	}
	pthread_mutex_unlock(&cb_lock);
	return removed > 0 ? 0 : -ENOENT;
}

void
ethdev_callbacks_drop_port(uint16_t port_id)
{
	struct eth_callback **p = &cb_list;

	pthread_mutex_lock(&cb_lock);
	while (*p != NULL) {
		struct eth_callback *c = *p;
		if (c->port_id == port_id && c->active == 0) {
			*p = c->next;
			free(c);
		} else {
			c->dead |= c->port_id == port_id;
			p = &c->next;
		}
	}
	pthread_mutex_unlock(&cb_lock);
}

/* Called with cb_lock held: free c if it died while running. Returns its successor. */
static struct eth_callback *
finish_run(struct eth_callback *c)
{
	struct eth_callback *next = c->next, **p = &cb_list;

	if (--c->active > 0 || !c->dead)
		return next;
	while (*p != c)
		p = &(*p)->next;
	*p = next;
	free(c);
	return next;
}

int
dpx_eth_dev_callback_process(struct dpx_eth_dev *dev, enum dpx_eth_event_type ev,
			     void *ret_param)
{
	uint16_t port_id = dev->data->port_id;
	int rc = 0;

	pthread_mutex_lock(&cb_lock);
	for (struct eth_callback *c = cb_list; c != NULL;) {
		if ((c->port_id != port_id && c->port_id != DPX_ETH_ALL) || c->event != ev ||
		    c->dead) {
			c = c->next;
			continue;
		}
		c->active++;
		pthread_mutex_unlock(&cb_lock);
		rc = c->fn(port_id, ev, c->arg, ret_param);
		pthread_mutex_lock(&cb_lock);
		c = finish_run(c);
	}
	pthread_mutex_unlock(&cb_lock);
	return rc;
}
