/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Named-object list for dpx libraries (internal, exported so that ring,
 * mempool and others share one implementation): a mutex-protected list of
 * {name, object} pairs with add, lookup, remove and walk.
 *
 * The list keeps its own copy of each name in a node from the C heap, so
 * the objects need no link field and can live in any memory. No function
 * logs: the caller decides what an error means for its users and logs it.
 * Nothing here is meant for a data path: every call takes the list's mutex.
 */
#ifndef DPX_NAMED_H
#define DPX_NAMED_H

#include <pthread.h>
#include <stddef.h>

struct dpx_named_node;

/** A list of named objects; define one with DPX_NAMED_LIST_INITIALIZER. */
struct dpx_named_list {
	pthread_mutex_t lock;          /**< guards head and every node */
	struct dpx_named_node *head;   /**< newest first */
	size_t namesize;               /**< longest name + 1 (its NUL) */
};

/** Static initializer for a list whose names are shorter than namesize. */
#define DPX_NAMED_LIST_INITIALIZER(namesize) { PTHREAD_MUTEX_INITIALIZER, NULL, (namesize) }

/**
 * Check a name against the list's rules without taking the lock.
 * @return 0; -EINVAL (NULL or empty); -ENAMETOOLONG (namesize - 1 characters or more)
 */
int dpx_named_check(const struct dpx_named_list *l, const char *name);

/**
 * Add obj under name, unless the name is taken (checked and inserted under
 * one lock hold, so two racing adds of one name cannot both succeed).
 * @return 0; -EINVAL or -ENAMETOOLONG (see dpx_named_check); -EINVAL (obj NULL);
 *   -EEXIST (the name is taken); -ENOMEM (no memory for the node)
 */
int dpx_named_add(struct dpx_named_list *l, const char *name, void *obj);

/**
 * Find the object of a name.
 * @param obj set to the object on success, untouched otherwise
 * @return 0; -EINVAL (name NULL); -ENOENT (no object of that name)
 */
int dpx_named_lookup(struct dpx_named_list *l, const char *name, void **obj);

/**
 * Remove obj from the list (by identity, not by name).
 * @return 0; -ENOENT (obj is not in the list)
 */
int dpx_named_remove(struct dpx_named_list *l, const void *obj);

/**
 * Call fn(name, obj, arg) for each object, newest first, under the lock:
 * fn must not call back into this list.
 */
void dpx_named_walk(struct dpx_named_list *l,
		    void (*fn)(const char *name, void *obj, void *arg), void *arg);

#endif /* DPX_NAMED_H */
