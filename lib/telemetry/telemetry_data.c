/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The reply builder: thin typed calls over jansson. Containers are jansson
 * values owned by their parent; the handles handed to handlers are small
 * records chained on the reply, so a handler never frees anything.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "telemetry_private.h"

void
telemetry_data_init(struct dpx_tel_data *reply)
{
	reply->json = NULL;
	reply->root = reply;
	reply->next = NULL;
}

json_t *
telemetry_data_take(struct dpx_tel_data *reply)
{
	json_t *json = reply->json;

	while (reply->next != NULL) {
		struct dpx_tel_data *c = reply->next;

		reply->next = c->next;
		free(c);
	}
	reply->json = NULL;
	return json;
}

static int
start(struct dpx_tel_data *d, json_t *v)
{
	if (v == NULL)
		return -EINVAL; /* json_string refuses what is not UTF-8 */
	if (d->root != d || d->json != NULL) {
		json_decref(v);
		return -EINVAL;
	}
	d->json = v;
	return 0;
}

int
dpx_tel_data_start_dict(struct dpx_tel_data *d)
{
	return start(d, json_object());
}

int
dpx_tel_data_start_array(struct dpx_tel_data *d)
{
	return start(d, json_array());
}

int
dpx_tel_data_string(struct dpx_tel_data *d, const char *s)
{
	return s == NULL ? -EINVAL : start(d, json_string(s));
}

/* Add v under name to a dict, or append it to an array (name NULL); v is
 * consumed either way. */
static int
add(struct dpx_tel_data *d, const char *name, json_t *v)
{
	if (v == NULL)
		return -EINVAL;
	if (name != NULL && name[0] != '\0' && json_is_object(d->json)) {
		if (json_object_get(d->json, name) != NULL) {
			json_decref(v);
			return -EEXIST;
		}
		/* fails (and drops v) on a key that is not UTF-8 */
		return json_object_set_new(d->json, name, v) == 0 ? 0 : -EINVAL;
	}
	if (name == NULL && json_is_array(d->json))
		return json_array_append_new(d->json, v) == 0 ? 0 : -ENOMEM;
	json_decref(v);
	return -EINVAL;
}

static json_t *
string_value(const char *s)
{
	return s != NULL ? json_string(s) : NULL;
}

static int
add_uint(struct dpx_tel_data *d, const char *name, uint64_t value)
{
	if (value > INT64_MAX)
		return -ERANGE;
	return add(d, name, json_integer((json_int_t)value));
}

static int
add_container(struct dpx_tel_data *d, const char *name, json_t *v, struct dpx_tel_data **child)
{
	struct dpx_tel_data *c = calloc(1, sizeof(*c));
	int rc;

	if (c == NULL || v == NULL) {
		free(c);
		json_decref(v);
		return -ENOMEM;
	}
	c->json = v; /* borrowed: the parent owns v once add succeeds */
	rc = add(d, name, v);
	if (rc != 0) {
		free(c);
		return rc;
	}
	c->root = d->root;
	c->next = d->root->next;
	d->root->next = c;
	*child = c;
	return 0;
}

int
dpx_tel_data_add_dict_string(struct dpx_tel_data *d, const char *name, const char *s)
{
	return name == NULL ? -EINVAL : add(d, name, string_value(s));
}

int
dpx_tel_data_add_dict_int(struct dpx_tel_data *d, const char *name, int64_t value)
{
	return name == NULL ? -EINVAL : add(d, name, json_integer(value));
}

int
dpx_tel_data_add_dict_uint(struct dpx_tel_data *d, const char *name, uint64_t value)
{
	return name == NULL ? -EINVAL : add_uint(d, name, value);
}

int
dpx_tel_data_add_dict_uints(struct dpx_tel_data *d, const struct dpx_tel_uint *fields,
			    unsigned int n)
{
	int rc = 0;

	for (unsigned int i = 0; i < n && rc == 0; i++)
		rc = dpx_tel_data_add_dict_uint(d, fields[i].name, fields[i].value);
	return rc;
}

int
dpx_tel_data_add_dict_uint_hex(struct dpx_tel_data *d, const char *name, uint64_t value)
{
	char hex[24];

	snprintf(hex, sizeof(hex), "0x%" PRIx64, value);
	return dpx_tel_data_add_dict_string(d, name, hex);
}

int
dpx_tel_data_add_dict_bool(struct dpx_tel_data *d, const char *name, bool value)
{
	return name == NULL ? -EINVAL : add(d, name, json_boolean(value));
}

int
dpx_tel_data_add_dict_dict(struct dpx_tel_data *d, const char *name, struct dpx_tel_data **child)
{
	return name == NULL ? -EINVAL : add_container(d, name, json_object(), child);
}

int
dpx_tel_data_add_dict_array(struct dpx_tel_data *d, const char *name, struct dpx_tel_data **child)
{
	return name == NULL ? -EINVAL : add_container(d, name, json_array(), child);
}

int
dpx_tel_data_add_array_string(struct dpx_tel_data *d, const char *s)
{
	return add(d, NULL, string_value(s));
}

int
dpx_tel_data_add_array_int(struct dpx_tel_data *d, int64_t value)
{
	return add(d, NULL, json_integer(value));
}

int
dpx_tel_data_add_array_uint(struct dpx_tel_data *d, uint64_t value)
{
	return add_uint(d, NULL, value);
}

int
dpx_tel_data_add_array_dict(struct dpx_tel_data *d, struct dpx_tel_data **child)
{
	return add_container(d, NULL, json_object(), child);
}
