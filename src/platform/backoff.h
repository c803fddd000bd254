/* SPDX-License-Identifier: BSD-3-Clause */
/* Bounded exponential backoff (internal); parameters in concoll/common.h. */
#ifndef CC_PLATFORM_BACKOFF_H
#define CC_PLATFORM_BACKOFF_H

#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>

#include "platform/atomics.h"

struct cc_backoff_params {
	_Atomic uint32_t spin_min;
	_Atomic uint32_t spin_max;
	_Atomic uint32_t yield_every;
};
extern CC_INTERNAL struct cc_backoff_params cc_backoff_params;

struct cc_backoff {
	uint32_t spins;
	uint32_t max;
	uint32_t yield_every;
	uint32_t at_max;
};

static inline void cc_backoff_init(struct cc_backoff *b)
{
	/* relaxed: the parameters are independent tuning knobs */
	b->spins = atomic_load_explicit(&cc_backoff_params.spin_min, memory_order_relaxed);
	b->max = atomic_load_explicit(&cc_backoff_params.spin_max, memory_order_relaxed);
	b->yield_every = atomic_load_explicit(&cc_backoff_params.yield_every, memory_order_relaxed);
	b->at_max = 0;
}

static inline void cc_backoff_wait(struct cc_backoff *b)
{
	uint32_t i;

	for (i = 0; i < b->spins; i++)
		cc_pause();
	if (b->spins < b->max) {
		b->spins = b->spins * 2 < b->max ? b->spins * 2 : b->max;
	} else if (b->yield_every && ++b->at_max >= b->yield_every) {
		b->at_max = 0;
		sched_yield();
	}
}

#endif /* CC_PLATFORM_BACKOFF_H */
