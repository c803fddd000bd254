/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libconcoll: concurrent ordered sets.
 *
 * A set is a map (see <concoll/map.h>) without values: the same kinds
 * (CONCOLL_MAP_SKIPLIST, the default, and CONCOLL_MAP_SKIPLIST_LOCKED), the
 * same key orders and comparators, the same options structure (release and
 * retain are called with a NULL value; value_equal is not used), the same
 * guarantees.  Iterators are map iterators whose values are NULL; frozen
 * sets are frozen maps whose values are NULL.
 *
 * Synchronization table (s is one set): as for maps.
 *
 *   function                     may run concurrently with      progress
 *   concoll_set_create           anything                       blocking (allocates)
 *   concoll_set_destroy          nothing else on s              blocking
 *   contains, find, first, last,
 *     floor, ceiling, lower,
 *     higher                     everything but destroy on s    skiplist: lock-free;
 *                                                               locked: wait-free (contains,
 *                                                               find EQ), blocking (others)
 *   add, discard, pop_first,
 *     pop_last, clear            everything but destroy on s    skiplist: lock-free;
 *                                                               locked: blocking
 *   size, is_empty               everything but destroy on s    wait-free
 *   range, iter_create, freeze   everything but destroy on s    weakly consistent
 */
#ifndef CONCOLL_SET_H
#define CONCOLL_SET_H

#include <concoll/map.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct concoll_set concoll_set_t;

/* As concoll_map_create(3). */
CONCOLL_API concoll_set_t *concoll_set_create(const struct concoll_map_options *opts);
/* As concoll_map_destroy(3). */
CONCOLL_API int concoll_set_destroy(concoll_set_t *s);
CONCOLL_API int concoll_set_kind(const concoll_set_t *s);
CONCOLL_API const char *concoll_set_kind_name(const concoll_set_t *s);

/* 0 added, -EEXIST present, or an error. */
CONCOLL_API int concoll_set_add(concoll_set_t *s, void *key);
/* 0 removed, -ENOENT absent, or an error. */
CONCOLL_API int concoll_set_discard(concoll_set_t *s, const void *key);
/* 1 present, 0 absent, or an error. */
CONCOLL_API int concoll_set_contains(concoll_set_t *s, const void *key);
/* Navigation (enum concoll_nav): 0 and the key in *key_out, or -ENOENT. */
CONCOLL_API int concoll_set_find(concoll_set_t *s, int nav, const void *key, void **key_out);
CONCOLL_API int concoll_set_first(concoll_set_t *s, void **key_out);
CONCOLL_API int concoll_set_last(concoll_set_t *s, void **key_out);
CONCOLL_API int concoll_set_floor(concoll_set_t *s, const void *key, void **key_out);
CONCOLL_API int concoll_set_ceiling(concoll_set_t *s, const void *key, void **key_out);
CONCOLL_API int concoll_set_lower(concoll_set_t *s, const void *key, void **key_out);
CONCOLL_API int concoll_set_higher(concoll_set_t *s, const void *key, void **key_out);
CONCOLL_API int concoll_set_pop_first(concoll_set_t *s, void **key_out);
CONCOLL_API int concoll_set_pop_last(concoll_set_t *s, void **key_out);
CONCOLL_API int concoll_set_clear(concoll_set_t *s);
CONCOLL_API size_t concoll_set_size(concoll_set_t *s);
CONCOLL_API int concoll_set_is_empty(concoll_set_t *s);
/* fn(key, NULL, ctx) for each key in the range; as concoll_map_range(3). */
CONCOLL_API int concoll_set_range(concoll_set_t *s, const void *lo, const void *hi, unsigned flags,
                                  concoll_visit_fn fn, void *ctx);
/* A map iterator over the set (values NULL); concoll_map_iter_next(3),
 * concoll_map_iter_destroy(3). */
CONCOLL_API concoll_map_iter_t *concoll_set_iter_create(concoll_set_t *s, const void *lo,
                                                        const void *hi, unsigned flags);
/* A frozen set: a concoll_frozen_t whose values are NULL. */
CONCOLL_API concoll_frozen_t *concoll_set_freeze(concoll_set_t *s);

#ifdef __cplusplus
}
#endif

#endif /* CONCOLL_SET_H */
