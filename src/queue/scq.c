/* SPDX-License-Identifier: BSD-3-Clause */
/* Bounded SCQ queue: one SCQD (see scq_ring.h).  No memory is reclaimed
 * while the queue lives, so no SMR guard is needed. */
#include "config.h"

#include <errno.h>

#include "platform/alloc.h"
#include "queue/backend.h"
#include "queue/scq_ring.h"

struct scq_queue {
	struct concoll_queue base;
	size_t alloc_size;
	struct cc_scqd q;
};

static int scq_push(concoll_queue_t *base, void *item)
{
	struct scq_queue *s = (struct scq_queue *)base;

	return cc_scqd_push(&s->q, item, false) == CC_SCQD_OK ? 0 : -EAGAIN;
}

static int scq_pop(concoll_queue_t *base, void **item)
{
	struct scq_queue *s = (struct scq_queue *)base;

	return cc_scqd_pop(&s->q, item) == CC_SCQD_OK ? 0 : -EAGAIN;
}

static size_t scq_size(concoll_queue_t *base)
{
	return cc_scqd_size(&((struct scq_queue *)base)->q);
}

static void scq_destroy(concoll_queue_t *base, void (*release)(void *, void *), void *ctx)
{
	struct scq_queue *s = (struct scq_queue *)base;
	void *item;

	while (cc_scqd_pop(&s->q, &item) == CC_SCQD_OK) {
		if (release)
			release(item, ctx);
	}
	cc_free(s, s->alloc_size, CC_CACHELINE);
}

static const struct cc_queue_ops scq_ops = {
	CONCOLL_QUEUE_SCQ, "scq", scq_push, scq_pop, scq_size, scq_destroy,
};

concoll_queue_t *cc_scq_create(unsigned order)
{
	size_t head = (sizeof(struct scq_queue) + CC_CACHELINE - 1) & ~(size_t)(CC_CACHELINE - 1);
	size_t size = head + cc_scqd_arrays_size(order);
	struct scq_queue *s = cc_alloc(size, CC_CACHELINE);

	if (s == NULL) {
		errno = ENOMEM;
		return NULL;
	}
	s->base.ops = &scq_ops;
	s->base.capacity = (size_t)1 << order;
	s->alloc_size = size;
	cc_scqd_init(&s->q, order, (char *)s + head);
	return &s->base;
}
