/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * LSCQ: an unbounded lock-free queue of linked SCQD rings (Nikolaev, DISC
 * 2019, section 5).
 *
 * Enqueuers work on the tail ring.  When it is full, the enqueuer closes it
 * (bit 63 of its Tail: every later FAA sees it and fails) and links a new
 * ring that already holds its item.  Dequeuers work on the head ring; when
 * it is empty and has a successor, they let the threshold allow one more
 * pass (an enqueuer that got its Tail before the ring was closed may still
 * be writing) and then move Head to the successor and retire the ring
 * through SMR.  Tail is moved past a ring before the ring is retired, so a
 * retired ring is reachable only by threads inside their guards.
 */
#include "config.h"

#include <errno.h>

#include "platform/alloc.h"
#include "queue/backend.h"
#include "queue/scq_ring.h"
#include "smr/smr.h"

struct lscq_ring {
	concoll_smr_head_t smr; /* first: pending rings are referenced by their start */
	size_t alloc_size;
	_Atomic(struct lscq_ring *) next;
	struct cc_scqd q;
};

struct lscq {
	struct concoll_queue base;
	unsigned order;
	CC_CACHE_ALIGNED _Atomic(struct lscq_ring *) head;
	CC_CACHE_ALIGNED _Atomic(struct lscq_ring *) tail;
};

static size_t ring_header_size(void)
{
	return (sizeof(struct lscq_ring) + CC_CACHELINE - 1) & ~(size_t)(CC_CACHELINE - 1);
}

static struct lscq_ring *ring_new(unsigned order)
{
	size_t size = ring_header_size() + cc_scqd_arrays_size(order);
	struct lscq_ring *r = cc_alloc(size, CC_CACHELINE);

	if (r == NULL)
		return NULL;
	cc_scqd_init(&r->q, order, (char *)r + ring_header_size());
	atomic_init(&r->next, NULL);
	r->alloc_size = size;
	return r;
}

static void ring_free(struct lscq_ring *r)
{
	cc_free(r, r->alloc_size, CC_CACHELINE);
}

static void ring_free_smr(concoll_smr_head_t *h)
{
	ring_free(cc_container_of(h, struct lscq_ring, smr));
}

static int lscq_push(concoll_queue_t *base, void *item)
{
	struct lscq *q = (struct lscq *)base;
	struct cc_smr_rec *self = cc_smr_enter();
	int rc = 0;

	if (CC_UNLIKELY(self == NULL))
		return -ENOMEM;
	for (;;) {
		/* acquire: pairs with the release CAS that linked the ring */
		struct lscq_ring *r = atomic_load_explicit(&q->tail, memory_order_acquire);
		struct lscq_ring *next = atomic_load_explicit(&r->next, memory_order_acquire);
		struct lscq_ring *fresh;

		if (next) {
			/* help: Tail lags behind a linked ring; relaxed, the ring was
			 * published by its link */
			atomic_compare_exchange_strong_explicit(&q->tail, &r, next, memory_order_release,
			                                        memory_order_relaxed);
			continue;
		}
		if (cc_scqd_push(&r->q, item, true) == CC_SCQD_OK)
			break;
		/* r is closed: link a new ring holding our item */
		fresh = ring_new(q->order);
		if (fresh == NULL) {
			rc = -ENOMEM;
			break;
		}
		cc_scqd_push(&fresh->q, item, false);
		next = NULL;
		/* release: the ring's contents are visible to whoever follows the link */
		if (atomic_compare_exchange_strong_explicit(&r->next, &next, fresh, memory_order_release,
		                                            memory_order_relaxed)) {
			atomic_compare_exchange_strong_explicit(&q->tail, &r, fresh, memory_order_release,
			                                        memory_order_relaxed);
			break;
		}
		ring_free(fresh); /* never published */
	}
	cc_smr_exit(self);
	return rc;
}

static int lscq_pop(concoll_queue_t *base, void **item)
{
	struct lscq *q = (struct lscq *)base;
	struct cc_smr_rec *self = cc_smr_enter();
	int rc = 0;

	if (CC_UNLIKELY(self == NULL))
		return -ENOMEM;
	for (;;) {
		/* acquire: pairs with the release CAS that moved Head or linked */
		struct lscq_ring *r = atomic_load_explicit(&q->head, memory_order_acquire);
		struct lscq_ring *next, *t;

		if (cc_scqd_pop(&r->q, item) == CC_SCQD_OK)
			break;
		next = atomic_load_explicit(&r->next, memory_order_acquire);
		if (next == NULL) {
			rc = -EAGAIN;
			break;
		}
		/* An enqueuer may have taken its Tail before r was closed and
		 * still be writing: one more full pass finds its item. */
		cc_scqd_reset_threshold(&r->q);
		if (cc_scqd_pop(&r->q, item) == CC_SCQD_OK)
			break;
		/* Tail first: once r is retired nothing shared may point to it. */
		t = r;
		atomic_compare_exchange_strong_explicit(&q->tail, &t, next, memory_order_release,
		                                        memory_order_relaxed);
		if (atomic_compare_exchange_strong_explicit(&q->head, &r, next, memory_order_release,
		                                            memory_order_relaxed)) {
			/* a ring is large and retired rarely: collect now rather
			 * than after many more retires */
			cc_smr_retire(self, &r->smr, ring_free_smr);
			if (self->since_collect != 0) /* retire did not just collect */
				cc_smr_collect(self);
		}
	}
	cc_smr_exit(self);
	return rc;
}

static size_t lscq_size(concoll_queue_t *base)
{
	struct lscq *q = (struct lscq *)base;
	struct cc_smr_rec *self = cc_smr_enter();
	struct lscq_ring *r;
	size_t n = 0;

	if (self == NULL)
		return 0;
	for (r = atomic_load_explicit(&q->head, memory_order_acquire); r;
	     r = atomic_load_explicit(&r->next, memory_order_acquire))
		n += cc_scqd_size(&r->q);
	cc_smr_exit(self);
	return n;
}

static void lscq_destroy(concoll_queue_t *base, void (*release)(void *, void *), void *ctx)
{
	struct lscq *q = (struct lscq *)base;
	/* relaxed: nothing runs concurrently with destroy */
	struct lscq_ring *r = atomic_load_explicit(&q->head, memory_order_relaxed);

	while (r) {
		struct lscq_ring *next = atomic_load_explicit(&r->next, memory_order_relaxed);
		void *item;

		while (cc_scqd_pop(&r->q, &item) == CC_SCQD_OK) {
			if (release)
				release(item, ctx);
		}
		ring_free(r);
		r = next;
	}
	cc_free(q, sizeof *q, CC_CACHELINE);
}

static const struct cc_queue_ops lscq_ops = {
	CONCOLL_QUEUE_LSCQ, "lscq", lscq_push, lscq_pop, lscq_size, lscq_destroy,
};

concoll_queue_t *cc_lscq_create(unsigned ring_order)
{
	struct lscq *q = cc_alloc(sizeof *q, CC_CACHELINE);
	struct lscq_ring *r;

	if (q == NULL) {
		errno = ENOMEM;
		return NULL;
	}
	r = ring_new(ring_order);
	if (r == NULL) {
		cc_free(q, sizeof *q, CC_CACHELINE);
		errno = ENOMEM;
		return NULL;
	}
	q->base.ops = &lscq_ops;
	q->base.capacity = SIZE_MAX;
	q->order = ring_order;
	atomic_init(&q->head, r);
	atomic_init(&q->tail, r);
	return &q->base;
}
