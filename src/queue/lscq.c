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
#include "queue/lring.h"
#include "queue/scq_ring.h"
#include "smr/smr.h"

struct lscq_ring {
	struct cc_lring link; /* first */
	size_t alloc_size;
	struct cc_scqd q;
};

struct lscq {
	struct concoll_queue base;
	unsigned order;
	struct cc_lrings rings;
};

static inline struct lscq_ring *lscq_ring_of(struct cc_lring *l)
{
	return cc_container_of(l, struct lscq_ring, link);
}

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
	atomic_init(&r->link.next, NULL);
	r->alloc_size = size;
	return r;
}

static void ring_free(struct lscq_ring *r)
{
	cc_free(r, r->alloc_size, CC_CACHELINE);
}

/* ---- the ring operations of the linked-ring skeleton (queue/lring.h) ---- */

static bool lscq_ring_push(struct cc_lring *l, void *item, const void *q)
{
	(void)q;
	return cc_scqd_push(&lscq_ring_of(l)->q, item, true) == CC_SCQD_OK;
}

static bool lscq_ring_pop(struct cc_lring *l, void **item, const void *q)
{
	(void)q;
	return cc_scqd_pop(&lscq_ring_of(l)->q, item) == CC_SCQD_OK;
}

static struct cc_lring *lscq_ring_new_with(void *item, const void *q)
{
	struct lscq_ring *r = ring_new(((const struct lscq *)q)->order);

	if (r == NULL)
		return NULL;
	cc_scqd_push(&r->q, item, false);
	return &r->link;
}

static void lscq_ring_free(struct cc_lring *l, const void *q)
{
	(void)q;
	ring_free(lscq_ring_of(l));
}

/* The threshold may have run out while an enqueuer that entered before the
 * close was writing: allow one more full pass. */
static void lscq_ring_last_pass(struct cc_lring *l, const void *q)
{
	(void)q;
	cc_scqd_reset_threshold(&lscq_ring_of(l)->q);
}

static void ring_free_smr(concoll_smr_head_t *h)
{
	ring_free(lscq_ring_of(cc_container_of(h, struct cc_lring, smr)));
}

static const struct cc_lring_ops lscq_ring_ops = {
	lscq_ring_push, lscq_ring_pop, lscq_ring_new_with, lscq_ring_free, lscq_ring_last_pass,
	ring_free_smr,
};

static int lscq_push(concoll_queue_t *base, void *item)
{
	struct lscq *q = (struct lscq *)base;

	return cc_lrings_push(&q->rings, item, q, lscq_ring_ops);
}

static int lscq_pop(concoll_queue_t *base, void **item)
{
	struct lscq *q = (struct lscq *)base;

	return cc_lrings_pop(&q->rings, item, q, lscq_ring_ops);
}

static size_t lscq_size(concoll_queue_t *base)
{
	struct lscq *q = (struct lscq *)base;
	struct cc_smr_rec *self = cc_smr_enter();
	struct cc_lring *l;
	size_t n = 0;

	if (self == NULL)
		return 0;
	for (l = atomic_load_explicit(&q->rings.head, memory_order_acquire); l;
	     l = atomic_load_explicit(&l->next, memory_order_acquire))
		n += cc_scqd_size(&lscq_ring_of(l)->q);
	cc_smr_exit(self);
	return n;
}

static void lscq_destroy(concoll_queue_t *base, void (*release)(void *, void *), void *ctx)
{
	struct lscq *q = (struct lscq *)base;
	/* relaxed: nothing runs concurrently with destroy */
	struct cc_lring *l = atomic_load_explicit(&q->rings.head, memory_order_relaxed);

	while (l) {
		struct cc_lring *next = atomic_load_explicit(&l->next, memory_order_relaxed);
		struct lscq_ring *r = lscq_ring_of(l);
		void *item;

		while (cc_scqd_pop(&r->q, &item) == CC_SCQD_OK) {
			if (release)
				release(item, ctx);
		}
		ring_free(r);
		l = next;
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
	cc_lrings_init(&q->rings, &r->link);
	return &q->base;
}
