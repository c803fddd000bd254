/* SPDX-License-Identifier: BSD-3-Clause */
/* What the set and frozen-snapshot fronts share with the map front (internal). */
#ifndef CC_MAP_FRONT_H
#define CC_MAP_FRONT_H

#include <stdbool.h>

#include "concoll/map.h"
#include "platform/compiler.h"

CC_INTERNAL concoll_map_t *cc_map_create(const struct concoll_map_options *opts, bool is_set);
CC_INTERNAL concoll_map_iter_t *cc_map_iter_create(concoll_map_t *m, const void *lo,
                                                   const void *hi, unsigned flags);
CC_INTERNAL concoll_frozen_t *cc_map_freeze(concoll_map_t *m);

#endif /* CC_MAP_FRONT_H */
