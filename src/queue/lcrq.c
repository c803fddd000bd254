/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * LCRQ: an unbounded lock-free queue of linked CRQ rings (Morrison and
 * Afek, "Fast concurrent queues for x86 processors", PPoPP 2013).
 *
 * A CRQ is a ring of R cells, each a 16-byte pair { item, index | unsafe }
 * updated with a 16-byte CAS, and two counters taken with fetch-and-add:
 * an enqueuer that draws tail index t owns cell t mod R for round t and
 * stores its item there if the cell is empty and has not been passed by a
 * dequeuer of a later round; a dequeuer that draws head index h takes the
 * item of round h, or, finding none, moves the cell's index to round h + R
 * so that the late enqueuer of round h fails and draws again.  A cell whose
 * item belongs to an older round is marked unsafe, so that an enqueuer
 * uses it only while head has not passed its round.
 *
 * An enqueuer closes a ring (bit 63 of tail) when it is full or when it
 * failed too often (a dequeuer keeps overtaking it), and links a new ring
 * that already holds its item.  A dequeuer that finds the head ring empty
 * and linked to a successor passes once more (an enqueuer that drew its
 * index before the close may still be writing) and then moves head on; the
 * ring is retired through SMR after tail has moved past it.
 *
 * The 16-byte CAS is cmpxchg16b on x86-64 and CASP (LSE) on ARM64, chosen
 * at run time (src/platform/cas128.c); without it the portable path takes
 * a striped lock and the queue is no longer lock-free, which is why the
 * "fast" kind chooses LSCQ on such CPUs.
 */
#include "config.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdint.h>

#include "platform/alloc.h"
#include "platform/atomics.h"
#include "queue/backend.h"
#include "queue/lring.h"
#include "smr/smr.h"

#define CRQ_CLOSED ((uint64_t)1 << 63) /* on tail */
#define CRQ_UNSAFE ((uint64_t)1 << 63) /* on a cell's index */
#define CRQ_STARVING 16                /* failed enqueue rounds before closing */

struct crq_cell {
	_Atomic uint64_t item; /* 0: empty (items are non-NULL) */
	_Atomic uint64_t idx;  /* round | CRQ_UNSAFE */
} CC_ALIGNED(16);

struct crq {
	struct cc_lring link; /* first */
	unsigned order;       /* for the free callback, when the queue may be gone */
	CC_CACHE_ALIGNED _Atomic uint64_t head;
	CC_CACHE_ALIGNED _Atomic uint64_t tail;
	CC_CACHE_ALIGNED struct crq_cell cells[];
};

struct lcrq {
	struct concoll_queue base;
	unsigned order;
	struct cc_lrings rings;
};

static inline struct crq *crq_of(struct cc_lring *l)
{
	return cc_container_of(l, struct crq, link);
}

static size_t crq_size_bytes(unsigned order)
{
	return sizeof(struct crq) + ((size_t)1 << order) * sizeof(struct crq_cell);
}

static struct crq *crq_new(unsigned order)
{
	struct crq *r = cc_alloc(crq_size_bytes(order), CC_CACHELINE);
	uint64_t n = (uint64_t)1 << order;

	if (r == NULL)
		return NULL;
	r->order = order;
	atomic_init(&r->link.next, NULL);
	atomic_init(&r->head, 0);
	atomic_init(&r->tail, 0);
	for (uint64_t i = 0; i < n; i++) {
		atomic_init(&r->cells[i].item, 0);
		atomic_init(&r->cells[i].idx, i);
	}
	return r;
}

static void crq_free(struct crq *r, unsigned order)
{
	cc_free(r, crq_size_bytes(order), CC_CACHELINE);
}

static void crq_free_smr(concoll_smr_head_t *h)
{
	struct crq *r = crq_of(cc_container_of(h, struct cc_lring, smr));

	crq_free(r, r->order);
}

/* One cell, half by half (see cc_load128_lo()): the CAS that follows
 * validates both words together. */
static inline void cell_load(struct crq_cell *c, uint64_t *item, uint64_t *idx)
{
	*idx = cc_load128_hi((cc_u128 *)(void *)c);
	*item = cc_load128_lo((cc_u128 *)(void *)c);
}

static inline bool cell_cas(struct crq_cell *c, uint64_t item, uint64_t idx, uint64_t nitem,
                            uint64_t nidx)
{
	cc_u128 exp = { item, idx }, des = { nitem, nidx };

	return cc_cas128((cc_u128 *)(void *)c, &exp, des);
}

enum { CRQ_OK = 0, CRQ_IS_CLOSED = 1, CRQ_EMPTY = 2 };

static int crq_push(struct crq *r, unsigned order, uint64_t item)
{
	uint64_t mask = ((uint64_t)1 << order) - 1, size = mask + 1;
	unsigned tries = 0;

	for (;;) {
		uint64_t t = atomic_fetch_add(&r->tail, 1);
		struct crq_cell *c;
		uint64_t v, idx;

		if (t & CRQ_CLOSED)
			return CRQ_IS_CLOSED;
		c = &r->cells[t & mask];
		cell_load(c, &v, &idx);
		if (v == 0 && (idx & ~CRQ_UNSAFE) <= t &&
		    (!(idx & CRQ_UNSAFE) || atomic_load(&r->head) <= t) &&
		    cell_cas(c, 0, idx, item, t))
			return CRQ_OK;
		/* full, or overtaken too often by dequeuers: close the ring */
		if ((int64_t)(t - atomic_load(&r->head)) >= (int64_t)size || ++tries >= CRQ_STARVING) {
			atomic_fetch_or(&r->tail, CRQ_CLOSED);
			return CRQ_IS_CLOSED;
		}
	}
}

/* After a dequeuer overshot an empty ring (head > tail), bring tail up so
 * that enqueuers do not use cells whose rounds dequeuers have passed. */
static void crq_fix_state(struct crq *r)
{
	for (;;) {
		uint64_t t = atomic_load(&r->tail);
		uint64_t h = atomic_load(&r->head);

		if (atomic_load(&r->tail) != t)
			continue;
		if (h <= t) /* also when closed: bit 63 makes t large */
			return;
		if (atomic_compare_exchange_strong(&r->tail, &t, h))
			return;
	}
}

static int crq_pop(struct crq *r, unsigned order, void **out)
{
	uint64_t mask = ((uint64_t)1 << order) - 1, size = mask + 1;

	for (;;) {
		uint64_t h = atomic_fetch_add(&r->head, 1);
		struct crq_cell *c = &r->cells[h & mask];
		uint64_t t;

		for (;;) {
			uint64_t v, idx, round, unsafe;

			cell_load(c, &v, &idx);
			round = idx & ~CRQ_UNSAFE;
			unsafe = idx & CRQ_UNSAFE;
			if (round > h)
				break; /* a later round owns the cell: ours is gone */
			if (v != 0) {
				if (round == h) {
					if (cell_cas(c, v, idx, 0, unsafe | (h + size))) {
						*out = (void *)(uintptr_t)v;
						return CRQ_OK;
					}
				} else if (cell_cas(c, v, idx, v, CRQ_UNSAFE | round)) {
					/* an older round's item: mark the cell unsafe */
					break;
				}
			} else if (cell_cas(c, 0, idx, 0, unsafe | (h + size))) {
				/* empty: its enqueuer (if late) will fail */
				break;
			}
		}
		t = atomic_load(&r->tail) & ~CRQ_CLOSED;
		if (t <= h + 1) {
			crq_fix_state(r);
			return CRQ_EMPTY;
		}
	}
}

/* ---- the ring operations of the linked-ring skeleton (queue/lring.h) ---- */

static bool lcrq_ring_push(struct cc_lring *l, void *item, const void *q)
{
	return crq_push(crq_of(l), ((const struct lcrq *)q)->order, (uint64_t)(uintptr_t)item) ==
	       CRQ_OK;
}

static bool lcrq_ring_pop(struct cc_lring *l, void **item, const void *q)
{
	return crq_pop(crq_of(l), ((const struct lcrq *)q)->order, item) == CRQ_OK;
}

static struct cc_lring *lcrq_ring_new_with(void *item, const void *q)
{
	struct crq *r = crq_new(((const struct lcrq *)q)->order);

	if (r == NULL)
		return NULL;
	/* relaxed: the ring is published by the release CAS that links it */
	atomic_store_explicit(&r->cells[0].item, (uint64_t)(uintptr_t)item, memory_order_relaxed);
	atomic_store_explicit(&r->tail, 1, memory_order_relaxed);
	return &r->link;
}

static void lcrq_ring_free(struct cc_lring *l, const void *q)
{
	(void)q;
	crq_free(crq_of(l), crq_of(l)->order);
}

/* A CRQ needs nothing before the last pass: once closed, its tail is final
 * and every pending enqueuer's cell is taken or invalidated by a pop. */
static const struct cc_lring_ops lcrq_ring_ops = {
	lcrq_ring_push, lcrq_ring_pop, lcrq_ring_new_with, lcrq_ring_free, NULL, crq_free_smr,
};

static int lcrq_push(concoll_queue_t *base, void *item)
{
	struct lcrq *q = (struct lcrq *)base;

	return cc_lrings_push(&q->rings, item, q, lcrq_ring_ops);
}

static int lcrq_pop(concoll_queue_t *base, void **item)
{
	struct lcrq *q = (struct lcrq *)base;

	return cc_lrings_pop(&q->rings, item, q, lcrq_ring_ops);
}

/* Items between head and tail of every ring: exact when quiescent. */
static size_t lcrq_size(concoll_queue_t *base)
{
	struct lcrq *q = (struct lcrq *)base;
	struct cc_smr_rec *self = cc_smr_enter();
	uint64_t mask = ((uint64_t)1 << q->order) - 1;
	struct cc_lring *l;
	size_t n = 0;

	if (self == NULL)
		return 0;
	for (l = atomic_load_explicit(&q->rings.head, memory_order_acquire); l;
	     l = atomic_load_explicit(&l->next, memory_order_acquire)) {
		struct crq *r = crq_of(l);
		uint64_t h = atomic_load(&r->head), t = atomic_load(&r->tail) & ~CRQ_CLOSED;

		/* Each cell once: it holds an item of the queue when its round
		 * lies in [h, t).  A round can be h + R or later while head is
		 * still at h (a late pusher failed at an earlier round of the
		 * cell), so walking the rounds h .. h + R - 1 would miss it
		 * (found by TLC, tla/LCRQ.tla). */
		for (uint64_t c = 0; t > h && c <= mask; c++) {
			uint64_t v, idx;

			cell_load(&r->cells[c], &v, &idx);
			idx &= ~CRQ_UNSAFE;
			n += v != 0 && idx - h < t - h;
		}
	}
	cc_smr_exit(self);
	return n;
}

static void lcrq_destroy(concoll_queue_t *base, void (*release)(void *, void *), void *ctx)
{
	struct lcrq *q = (struct lcrq *)base;
	/* relaxed: nothing runs concurrently with destroy */
	struct cc_lring *l = atomic_load_explicit(&q->rings.head, memory_order_relaxed);

	while (l) {
		struct cc_lring *next = atomic_load_explicit(&l->next, memory_order_relaxed);
		struct crq *r = crq_of(l);
		void *item;

		while (crq_pop(r, q->order, &item) == CRQ_OK) {
			if (release)
				release(item, ctx);
		}
		crq_free(r, q->order);
		l = next;
	}
	cc_free(q, sizeof *q, CC_CACHELINE);
}

static const struct cc_queue_ops lcrq_ops = {
	CONCOLL_QUEUE_LCRQ, "lcrq", lcrq_push, lcrq_pop, lcrq_size, lcrq_destroy,
};

concoll_queue_t *cc_lcrq_create(unsigned ring_order)
{
	struct lcrq *q = cc_alloc(sizeof *q, CC_CACHELINE);
	struct crq *r;

	if (q == NULL) {
		errno = ENOMEM;
		return NULL;
	}
	r = crq_new(ring_order);
	if (r == NULL) {
		cc_free(q, sizeof *q, CC_CACHELINE);
		errno = ENOMEM;
		return NULL;
	}
	q->base.ops = &lcrq_ops;
	q->base.capacity = SIZE_MAX;
	q->order = ring_order;
	cc_lrings_init(&q->rings, &r->link);
	return &q->base;
}
