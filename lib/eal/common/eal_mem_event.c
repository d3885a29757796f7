/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Memory event callbacks: registration and ordered delivery with rollback of
 * a refused ALLOC. Every delivery and (un)registration happens under the one
 * hotplug lock, which is what orders events and keeps them from racing.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eal_memory_private.h"

#define MEM_EVENT_NAME_LEN 64

struct mem_event_cb {
	struct mem_event_cb *next;
	char name[MEM_EVENT_NAME_LEN];
	dpx_mem_event_callback_t *cb;
	void *arg;
};

static pthread_mutex_t hotplug_lock = PTHREAD_MUTEX_INITIALIZER;
static struct mem_event_cb *callbacks; /* registration order */
static __thread bool in_callback;

void
eal_mem_hotplug_lock(void)
{
	pthread_mutex_lock(&hotplug_lock);
}

void
eal_mem_hotplug_unlock(void)
{
	pthread_mutex_unlock(&hotplug_lock);
}

bool
eal_mem_in_callback(void)
{
	return in_callback;
}

static int
call(const struct mem_event_cb *c, enum dpx_mem_event ev, const void *va, size_t len)
{
	int rc;

	in_callback = true;
	rc = c->cb(ev, va, len, c->arg);
	in_callback = false;
	return rc;
}

int
eal_mem_event_notify_alloc(const void *va, size_t len)
{
	struct mem_event_cb *c, *refuser = NULL;
	int rc = 0;

	for (c = callbacks; c != NULL; c = c->next) {
		rc = call(c, DPX_MEM_EVENT_ALLOC, va, len);
		if (rc != 0) {
			refuser = c;
			break;
		}
	}
	if (refuser == NULL)
		return 0;
	MEM_LOG(ERR, "memory event callback '%s' refused %zu bytes at %p: %d", refuser->name,
		len, va, rc);
	/* undo in reverse: those that accepted last release first */
	for (;;) {
		struct mem_event_cb *last = NULL;
		for (c = callbacks; c != refuser; c = c->next)
			last = c;
		if (last == NULL)
			break;
		call(last, DPX_MEM_EVENT_FREE, va, len);
		refuser = last;
	}
	return rc < 0 ? rc : -rc;
}

void
eal_mem_event_notify_free(const void *va, size_t len)
{
	for (struct mem_event_cb *c = callbacks; c != NULL; c = c->next)
		call(c, DPX_MEM_EVENT_FREE, va, len);
}

int
dpx_mem_event_callback_register(const char *name, dpx_mem_event_callback_t *cb, void *arg)
{
	struct mem_event_cb *c, **tail;

	if (name == NULL || cb == NULL || strlen(name) >= MEM_EVENT_NAME_LEN)
		return -EINVAL;
	if (in_callback)
		return -EDEADLK;
	eal_mem_hotplug_lock();
	for (tail = &callbacks; *tail != NULL; tail = &(*tail)->next) {
		if (strcmp((*tail)->name, name) == 0 && (*tail)->arg == arg) {
			eal_mem_hotplug_unlock();
			return -EEXIST;
		}
	}
	c = calloc(1, sizeof(*c));
	if (c == NULL) {
		eal_mem_hotplug_unlock();
		return -ENOMEM;
	}
	snprintf(c->name, sizeof(c->name), "%s", name);
	c->cb = cb;
	c->arg = arg;
	*tail = c;
	eal_mem_hotplug_unlock();
	MEM_LOG(DEBUG, "memory event callback '%s' registered", name);
	return 0;
}

int
dpx_mem_event_callback_unregister(const char *name, void *arg)
{
	if (name == NULL)
		return -EINVAL;
	if (in_callback)
		return -EDEADLK;
	eal_mem_hotplug_lock();
	for (struct mem_event_cb **p = &callbacks; *p != NULL; p = &(*p)->next) {
		struct mem_event_cb *c = *p;
		if (strcmp(c->name, name) == 0 && c->arg == arg) {
			*p = c->next;
			eal_mem_hotplug_unlock();
			free(c);
			return 0;
		}
	}
	eal_mem_hotplug_unlock();
	return -ENOENT;
}

void
eal_mem_event_reset(void)
{
	eal_mem_hotplug_lock();
	while (callbacks != NULL) {
		struct mem_event_cb *c = callbacks;
		callbacks = c->next;
		free(c);
	}
	eal_mem_hotplug_unlock();
}
