/* SPDX-License-Identifier: BSD-3-Clause */
/* Backoff parameters: the public configuration API. */
#include "config.h"

#include <errno.h>

#include "concoll/common.h"
#include "platform/backoff.h"
#include "platform/options.h"

#define BACKOFF_SPIN_LIMIT (1u << 20)
#define BACKOFF_SIZE_V1 sizeof(struct concoll_backoff_config)

CC_INTERNAL struct cc_backoff_params cc_backoff_params = { 4, 1024, 1 };

CONCOLL_API int concoll_backoff_set_config(const struct concoll_backoff_config *config)
{
	struct concoll_backoff_config v = { sizeof v, 0, 0, 0 }, *c = &v;

	if (config == NULL || cc_options_in(&v, sizeof v, config, BACKOFF_SIZE_V1) != 0)
		return -EINVAL;
	if (c->spin_min < 1 || c->spin_min > c->spin_max || c->spin_max > BACKOFF_SPIN_LIMIT)
		return -EINVAL;
	/* relaxed: a backoff that starts meanwhile may mix old and new values,
	 * which only affects its timing */
	atomic_store_explicit(&cc_backoff_params.spin_min, c->spin_min, memory_order_relaxed);
	atomic_store_explicit(&cc_backoff_params.spin_max, c->spin_max, memory_order_relaxed);
	atomic_store_explicit(&cc_backoff_params.yield_every, c->yield_every, memory_order_relaxed);
	return 0;
}

CONCOLL_API int concoll_backoff_get_config(struct concoll_backoff_config *config)
{
	struct concoll_backoff_config v = { sizeof v, 0, 0, 0 };

	v.spin_min = atomic_load_explicit(&cc_backoff_params.spin_min, memory_order_relaxed);
	v.spin_max = atomic_load_explicit(&cc_backoff_params.spin_max, memory_order_relaxed);
	v.yield_every = atomic_load_explicit(&cc_backoff_params.yield_every, memory_order_relaxed);
	return cc_options_out(config, &v, sizeof v, BACKOFF_SIZE_V1);
}
