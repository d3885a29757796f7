/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Named-object lists (dpx_named.h): a singly linked list of nodes, each a
 * copy of the name and the object pointer, under the list's mutex.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <dpx_named.h>

struct dpx_named_node {
	struct dpx_named_node *next;
	void *obj;
	char name[]; /* NUL-terminated, shorter than the list's namesize */
};

static struct dpx_named_node *
find_locked(const struct dpx_named_list *l, const char *name)
{
	for (struct dpx_named_node *n = l->head; n != NULL; n = n->next)
		if (strcmp(n->name, name) == 0)
			return n;
	return NULL;
}

int
dpx_named_check(const struct dpx_named_list *l, const char *name)
{
	if (name == NULL || name[0] == '\0')
		return -EINVAL;
	if (strnlen(name, l->namesize) >= l->namesize)
		return -ENAMETOOLONG;
	return 0;
}

int
dpx_named_add(struct dpx_named_list *l, const char *name, void *obj)
{
	struct dpx_named_node *n;
	int rc = dpx_named_check(l, name);
	size_t len;

	if (rc != 0)
		return rc;
	if (obj == NULL)
		return -EINVAL;
	len = strlen(name) + 1;
	n = malloc(sizeof(*n) + len);
	if (n == NULL)
		return -ENOMEM;
	memcpy(n->name, name, len);
	n->obj = obj;
	pthread_mutex_lock(&l->lock);
	if (find_locked(l, name) != NULL) {
		pthread_mutex_unlock(&l->lock);
		free(n);
		return -EEXIST;
	}
	n->next = l->head;
	l->head = n;
	pthread_mutex_unlock(&l->lock);
	return 0;
}

int
dpx_named_lookup(struct dpx_named_list *l, const char *name, void **obj)
{
	struct dpx_named_node *n;

	if (name == NULL)
		return -EINVAL;
	pthread_mutex_lock(&l->lock);
	n = find_locked(l, name);
	if (n != NULL)
		*obj = n->obj;
	pthread_mutex_unlock(&l->lock);
	return n != NULL ? 0 : -ENOENT;
}

int
dpx_named_remove(struct dpx_named_list *l, const void *obj)
{
	struct dpx_named_node *n = NULL;

	pthread_mutex_lock(&l->lock);
	for (struct dpx_named_node **p = &l->head; *p != NULL; p = &(*p)->next) {
		if ((*p)->obj == obj) {
			n = *p;
			*p = n->next;
			break;
		}
	}
	pthread_mutex_unlock(&l->lock);
	free(n);
	return n != NULL ? 0 : -ENOENT;
}

void
dpx_named_walk(struct dpx_named_list *l, void (*fn)(const char *name, void *obj, void *arg),
	       void *arg)
{
	pthread_mutex_lock(&l->lock);
	for (struct dpx_named_node *n = l->head; n != NULL; n = n->next)
		fn(n->name, n->obj, arg);
	pthread_mutex_unlock(&l->lock);
}
