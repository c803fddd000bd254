/* SPDX-License-Identifier: BSD-3-Clause */
/* wCQ internals that the white-box tests use. */
#ifndef CC_QUEUE_WCQ_H
#define CC_QUEUE_WCQ_H

#include <stdint.h>

#include "concoll/queue.h"
#include "platform/compiler.h"

/* Patience of the fast paths (ring positions tried before announcing). */
#define CC_WCQ_PATIENCE_ENQ 16u
#define CC_WCQ_PATIENCE_DEQ 64u
/* A thread looks at one other thread's announcement every this many ring
 * operations. */
#define CC_WCQ_HELP_DELAY 16u

/* Set the patience of a wCQ queue (0: every operation takes the slow path
 * at once) and start counting the steps of each push and pop.  Before the
 * queue is shared.  -EINVAL when q is not a wCQ. */
CC_INTERNAL int cc_wcq_set_patience(concoll_queue_t *q, unsigned enq, unsigned deq);
/* Most steps one push or pop took since cc_wcq_set_patience(). */
CC_INTERNAL uint64_t cc_wcq_max_steps(concoll_queue_t *q);
/* The documented bound on the steps of one push or pop when at most
 * `threads` threads are registered. */
CC_INTERNAL uint64_t cc_wcq_step_bound(concoll_queue_t *q, uint64_t threads);

#endif /* CC_QUEUE_WCQ_H */
