/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Ordered sets: a map whose values are NULL.  A concoll_set_t is the
 * concoll_map_t it wraps (created with is_set), so every function is a
 * thin call into the map front.
 */
#include "config.h"

#include <errno.h>

#include "concoll/set.h"
#include "map/front.h"

static inline concoll_map_t *cc_set_map(const concoll_set_t *s)
{
	return (concoll_map_t *)(void *)(uintptr_t)s;
}

concoll_set_t *concoll_set_create(const struct concoll_map_options *opts)
{
	return (concoll_set_t *)(void *)cc_map_create(opts, true);
}

int concoll_set_destroy(concoll_set_t *s)
{
	return concoll_map_destroy(cc_set_map(s));
}

int concoll_set_kind(const concoll_set_t *s)
{
	return concoll_map_kind(cc_set_map(s));
}

const char *concoll_set_kind_name(const concoll_set_t *s)
{
	return concoll_map_kind_name(cc_set_map(s));
}

int concoll_set_add(concoll_set_t *s, void *key)
{
	return concoll_map_put_if_absent(cc_set_map(s), key, NULL, NULL);
}

int concoll_set_discard(concoll_set_t *s, const void *key)
{
	return concoll_map_remove(cc_set_map(s), key, NULL);
}

int concoll_set_contains(concoll_set_t *s, const void *key)
{
	return concoll_map_contains(cc_set_map(s), key);
}

int concoll_set_find(concoll_set_t *s, int nav, const void *key, void **key_out)
{
	return concoll_map_find(cc_set_map(s), nav, key, key_out, NULL);
}

int concoll_set_first(concoll_set_t *s, void **key_out)
{
	return concoll_map_first(cc_set_map(s), key_out, NULL);
}

int concoll_set_last(concoll_set_t *s, void **key_out)
{
	return concoll_map_last(cc_set_map(s), key_out, NULL);
}

int concoll_set_floor(concoll_set_t *s, const void *key, void **key_out)
{
	return concoll_map_floor(cc_set_map(s), key, key_out, NULL);
}

int concoll_set_ceiling(concoll_set_t *s, const void *key, void **key_out)
{
	return concoll_map_ceiling(cc_set_map(s), key, key_out, NULL);
}

int concoll_set_lower(concoll_set_t *s, const void *key, void **key_out)
{
	return concoll_map_lower(cc_set_map(s), key, key_out, NULL);
}

int concoll_set_higher(concoll_set_t *s, const void *key, void **key_out)
{
	return concoll_map_higher(cc_set_map(s), key, key_out, NULL);
}

int concoll_set_pop_first(concoll_set_t *s, void **key_out)
{
	return concoll_map_pop_first(cc_set_map(s), key_out, NULL);
}

int concoll_set_pop_last(concoll_set_t *s, void **key_out)
{
	return concoll_map_pop_last(cc_set_map(s), key_out, NULL);
}

int concoll_set_clear(concoll_set_t *s)
{
	return concoll_map_clear(cc_set_map(s));
}

size_t concoll_set_size(concoll_set_t *s)
{
	return concoll_map_size(cc_set_map(s));
}

int concoll_set_is_empty(concoll_set_t *s)
{
	return concoll_map_is_empty(cc_set_map(s));
}

int concoll_set_range(concoll_set_t *s, const void *lo, const void *hi, unsigned flags,
                      concoll_visit_fn fn, void *ctx)
{
	return concoll_map_range(cc_set_map(s), lo, hi, flags, fn, ctx);
}

concoll_map_iter_t *concoll_set_iter_create(concoll_set_t *s, const void *lo, const void *hi,
                                            unsigned flags)
{
	if (!s) {
		errno = EINVAL;
		return NULL;
	}
	return cc_map_iter_create(cc_set_map(s), lo, hi, flags);
}

concoll_frozen_t *concoll_set_freeze(concoll_set_t *s)
{
	return cc_map_freeze(cc_set_map(s));
}
