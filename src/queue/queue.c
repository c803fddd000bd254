/* SPDX-License-Identifier: BSD-3-Clause */
/* concoll_queue_*: argument checks and dispatch to the backend. */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "concoll/cpu.h"
#include "platform/cpu.h"
#include "platform/options.h"
#include "queue/backend.h"
#include "queue/scq_ring.h"

#define LSCQ_DEFAULT_RING_ORDER 12u /* 4096 items per ring */
/* sizeof the structure in version 0.1, the first */
#define CONCOLL_QUEUE_OPTIONS_SIZE_V1 sizeof(struct concoll_queue_options)

static int capacity_order(size_t capacity, unsigned *order)
{
	if (capacity > ((size_t)1 << CC_SCQ_MAX_ORDER))
		return -EINVAL;
	*order = cc_log2(cc_pow2_ceil(capacity));
	return 0;
}

CONCOLL_API concoll_queue_t *concoll_queue_create(const struct concoll_queue_options *opts)
{
	struct concoll_queue_options o = { sizeof o, CONCOLL_QUEUE_DEFAULT, 0, 0 };
	unsigned order;

	if (cc_options_in(&o, sizeof o, opts, CONCOLL_QUEUE_OPTIONS_SIZE_V1) != 0 || o.flags != 0)
		goto invalid;
	switch (o.kind) {
	case CONCOLL_QUEUE_SCQ:
		/* a bounded queue has no sensible default size */
		if (o.capacity == 0 || capacity_order(o.capacity, &order) != 0)
			goto invalid;
		return cc_scq_create(order);
	case CONCOLL_QUEUE_WCQ:
	case CONCOLL_QUEUE_WAITFREE:
		if (o.capacity == 0 || capacity_order(o.capacity, &order) != 0)
			goto invalid;
		return cc_wcq_create(order);
	case CONCOLL_QUEUE_DEFAULT:
	case CONCOLL_QUEUE_LSCQ:
	case CONCOLL_QUEUE_LCRQ:
	case CONCOLL_QUEUE_FAST:
		if (o.capacity == 0)
			order = LSCQ_DEFAULT_RING_ORDER;
		else if (capacity_order(o.capacity, &order) != 0)
			goto invalid;
		if (o.kind == CONCOLL_QUEUE_FAST)
			o.kind = cc_cpu_has(CONCOLL_CPU_CX16 | CONCOLL_CPU_LSE) ? CONCOLL_QUEUE_LCRQ
			                                                        : CONCOLL_QUEUE_LSCQ;
		if (o.kind == CONCOLL_QUEUE_LCRQ)
			return cc_lcrq_create(order);
		return cc_lscq_create(order);
	default:
		break;
	}
invalid:
	errno = EINVAL;
	return NULL;
}

CONCOLL_API void concoll_queue_destroy(concoll_queue_t *q, void (*release)(void *, void *), void *ctx)
{
	if (q)
		q->ops->destroy(q, release, ctx);
}

CONCOLL_API int concoll_queue_push(concoll_queue_t *q, void *item)
{
	if (CC_UNLIKELY(q == NULL || item == NULL))
		return -EINVAL;
	return q->ops->push(q, item);
}

CONCOLL_API int concoll_queue_pop(concoll_queue_t *q, void **item)
{
	if (CC_UNLIKELY(q == NULL || item == NULL))
		return -EINVAL;
	return q->ops->pop(q, item);
}

CONCOLL_API size_t concoll_queue_size(concoll_queue_t *q)
{
	return q ? q->ops->size(q) : 0;
}

CONCOLL_API size_t concoll_queue_capacity(const concoll_queue_t *q)
{
	return q ? q->capacity : 0;
}

CONCOLL_API int concoll_queue_kind(const concoll_queue_t *q)
{
	return q ? q->ops->kind : -EINVAL;
}

CONCOLL_API const char *concoll_queue_kind_name(const concoll_queue_t *q)
{
	return q ? q->ops->name : NULL;
}
