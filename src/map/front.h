/* SPDX-License-Identifier: BSD-3-Clause */
/* What the set and frozen-snapshot fronts share with the map front (internal). */
#ifndef CC_MAP_FRONT_H
#define CC_MAP_FRONT_H

#include <stdbool.h>

#include "concoll/map.h"
#include "map/compare.h"
#include "platform/compiler.h"

#define CC_RANGE_FLAGS                                                           \
	(CONCOLL_RANGE_LO | CONCOLL_RANGE_LO_EXCL | CONCOLL_RANGE_HI | CONCOLL_RANGE_HI_EXCL | \
	 CONCOLL_RANGE_DESC)

/* Range arguments valid for this order: known flags, readable bounds. */
static inline bool cc_range_args_ok(const struct cc_cmp *c, const void *lo, const void *hi,
                                    unsigned flags)
{
	return !(flags & ~CC_RANGE_FLAGS) && (!(flags & CONCOLL_RANGE_LO) || cc_cmp_key_ok(c, lo)) &&
	       (!(flags & CONCOLL_RANGE_HI) || cc_cmp_key_ok(c, hi));
}

CC_INTERNAL concoll_map_t *cc_map_create(const struct concoll_map_options *opts, bool is_set);
CC_INTERNAL concoll_map_iter_t *cc_map_iter_create(concoll_map_t *m, const void *lo,
                                                   const void *hi, unsigned flags);
CC_INTERNAL concoll_frozen_t *cc_map_freeze(concoll_map_t *m);

#endif /* CC_MAP_FRONT_H */
