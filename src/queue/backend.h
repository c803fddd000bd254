/* SPDX-License-Identifier: BSD-3-Clause */
/* The queue front and its backends (internal). */
#ifndef CC_QUEUE_BACKEND_H
#define CC_QUEUE_BACKEND_H

#include "concoll/queue.h"
#include "platform/compiler.h"

struct cc_queue_ops {
	int kind;
	const char *name;
	int (*push)(concoll_queue_t *q, void *item);
	int (*pop)(concoll_queue_t *q, void **item);
	size_t (*size)(concoll_queue_t *q);
	void (*destroy)(concoll_queue_t *q, void (*release)(void *, void *), void *ctx);
};

/* Every backend's handle starts with this. */
struct concoll_queue {
	const struct cc_queue_ops *ops;
	size_t capacity; /* SIZE_MAX when unbounded */
};

/* order: log2 of the (rounded) capacity, validated by the front. */
CC_INTERNAL concoll_queue_t *cc_scq_create(unsigned order);
CC_INTERNAL concoll_queue_t *cc_lscq_create(unsigned ring_order);
CC_INTERNAL concoll_queue_t *cc_lcrq_create(unsigned ring_order);
/* order 0 is raised to 1: wCQ's capacity is at least 2. */
CC_INTERNAL concoll_queue_t *cc_wcq_create(unsigned order);

#endif /* CC_QUEUE_BACKEND_H */
