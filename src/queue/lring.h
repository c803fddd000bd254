/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unbounded queues as linked rings (internal): the skeleton that LSCQ
 * (SCQ rings) and LCRQ (CRQ rings) share.
 *
 * Enqueuers work on the tail ring.  When a ring refuses an item (the ring
 * closed itself: full, or the enqueuer starved), the enqueuer links a new
 * ring that already holds its item.  Dequeuers work on the head ring; when
 * it is empty and has a successor, they make one more pass (an enqueuer
 * that entered the ring before it closed may still be writing), then move
 * head on and retire the ring through SMR, after moving tail past it so
 * that a retired ring is reachable only by threads inside their guards.
 *
 * The functions are always inlined with the ring operations as constant
 * arguments, so each queue gets its own code with direct calls.
 */
#ifndef CC_QUEUE_LRING_H
#define CC_QUEUE_LRING_H

#include <errno.h>
#include <stdatomic.h>
#include <stdbool.h>

#include "platform/compiler.h"
#include "smr/smr.h"

/* The start of every ring. */
struct cc_lring {
	concoll_smr_head_t smr; /* first: pending rings are referenced by their start */
	_Atomic(struct cc_lring *) next;
};

struct cc_lrings {
	CC_CACHE_ALIGNED _Atomic(struct cc_lring *) head;
	CC_CACHE_ALIGNED _Atomic(struct cc_lring *) tail;
};

/* Ring operations, given by each queue. */
struct cc_lring_ops {
	bool (*push)(struct cc_lring *r, void *item, const void *q);  /* false: closed */
	bool (*pop)(struct cc_lring *r, void **item, const void *q);  /* false: empty */
	struct cc_lring *(*new_with)(void *item, const void *q);      /* NULL: no memory */
	void (*free)(struct cc_lring *r, const void *q);              /* never published */
	void (*last_pass)(struct cc_lring *r, const void *q);         /* before the final pop; may be NULL */
	void (*retire_cb)(concoll_smr_head_t *h);                     /* frees a retired ring */
};

static inline void cc_lrings_init(struct cc_lrings *l, struct cc_lring *first)
{
	atomic_init(&first->next, NULL);
	atomic_init(&l->head, first);
	atomic_init(&l->tail, first);
}

static inline __attribute__((always_inline)) int
cc_lrings_push(struct cc_lrings *l, void *item, const void *q, const struct cc_lring_ops ops)
{
	struct cc_smr_rec *self = cc_smr_enter();
	int rc = 0;

	if (CC_UNLIKELY(self == NULL))
		return -ENOMEM;
	for (;;) {
		/* acquire: pairs with the release CAS that linked the ring */
		struct cc_lring *r = atomic_load_explicit(&l->tail, memory_order_acquire);
		struct cc_lring *next = atomic_load_explicit(&r->next, memory_order_acquire);
		struct cc_lring *fresh;

		if (next) {
			/* help: tail lags behind a linked ring; relaxed on failure,
			 * the ring was published by its link */
			atomic_compare_exchange_strong_explicit(&l->tail, &r, next, memory_order_release,
			                                        memory_order_relaxed);
			continue;
		}
		if (ops.push(r, item, q))
			break;
		/* r is closed: link a new ring that holds our item */
		fresh = ops.new_with(item, q);
		if (fresh == NULL) {
			rc = -ENOMEM;
			break;
		}
		atomic_init(&fresh->next, NULL);
		next = NULL;
		/* release: the ring's contents are visible to whoever follows the link */
		if (atomic_compare_exchange_strong_explicit(&r->next, &next, fresh, memory_order_release,
		                                            memory_order_relaxed)) {
			atomic_compare_exchange_strong_explicit(&l->tail, &r, fresh, memory_order_release,
			                                        memory_order_relaxed);
			break;
		}
		ops.free(fresh, q); /* never published */
	}
	cc_smr_exit(self);
	return rc;
}

static inline __attribute__((always_inline)) int
cc_lrings_pop(struct cc_lrings *l, void **item, const void *q, const struct cc_lring_ops ops)
{
	struct cc_smr_rec *self = cc_smr_enter();
	int rc = 0;

	if (CC_UNLIKELY(self == NULL))
		return -ENOMEM;
	for (;;) {
		/* acquire: pairs with the release CAS that moved head or linked */
		struct cc_lring *r = atomic_load_explicit(&l->head, memory_order_acquire);
		struct cc_lring *next, *t;

		if (ops.pop(r, item, q))
			break;
		next = atomic_load_explicit(&r->next, memory_order_acquire);
		if (next == NULL) {
			rc = -EAGAIN;
			break;
		}
		/* r closed before next was linked; an enqueuer that entered it
		 * before the close may still have written: one more pass */
		if (ops.last_pass)
			ops.last_pass(r, q);
		if (ops.pop(r, item, q))
			break;
		/* tail first: once r is retired nothing shared may point to it */
		t = r;
		atomic_compare_exchange_strong_explicit(&l->tail, &t, next, memory_order_release,
		                                        memory_order_relaxed);
		if (atomic_compare_exchange_strong_explicit(&l->head, &r, next, memory_order_release,
		                                            memory_order_relaxed)) {
			/* a ring is large and retired rarely: collect now rather
			 * than after many more retires */
			cc_smr_retire(self, &r->smr, ops.retire_cb);
			if (self->since_collect != 0) /* retire did not just collect */
				cc_smr_collect(self);
		}
	}
	cc_smr_exit(self);
	return rc;
}

#endif /* CC_QUEUE_LRING_H */
