/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Treiber's lock-free stack with an elimination array (Hendler, Shavit and
 * Yerushalmi, SPAA 2004).
 *
 * The stack is a singly linked list whose top is changed by CAS.  ABA is
 * impossible because a popped node is retired through SMR: while a thread
 * that read it is inside its guard, the node is not freed, so it cannot
 * come back to the top with another successor.
 *
 * Each node records the depth of the stack below it plus one, so the size
 * is one load of the top.
 *
 * Elimination: after a failed CAS on the top, a thread visits a random slot
 * of a small array.  A pusher publishes its node there and waits briefly; a
 * popper that finds a published node swaps the slot to TAKEN and takes the
 * item.  The pair linearizes at the popper's CAS (the push immediately
 * followed by the pop), without touching the top.  A slot holds EMPTY, a
 * node pointer (an offer) or TAKEN; only the offering pusher writes EMPTY
 * back, so an offer is taken at most once.
 */
#include "config.h"

#include <errno.h>
#include <stdatomic.h>
#include <string.h>

#include "platform/alloc.h"
#include "platform/backoff.h"
#include "smr/smr.h"
#include "stack/backend.h"

#define SLOT_EMPTY ((uintptr_t)0)
#define SLOT_TAKEN ((uintptr_t)1)
#define DEFAULT_SLOTS 16u
/* How long a pusher waits for a popper, in checks of its slot. */
#define ELIM_WAIT 128u

struct tnode {
	/* first, so that pending garbage is referenced by its start address
	 * (valgrind then reports it as reachable, not as possibly lost) */
	concoll_smr_head_t smr;
	struct tnode *next; /* immutable once published */
	void *item;
	size_t depth;       /* items in the stack with this node on top */
};

struct slot {
	_Atomic uintptr_t v;
} CC_CACHE_ALIGNED;

struct treiber {
	struct concoll_stack base;
	unsigned nslots; /* 0 without elimination */
	size_t alloc_size;
	CC_CACHE_ALIGNED _Atomic(struct tnode *) top;
	struct slot slots[];
};

/* Per-thread size of the part of the array this thread uses (adaptive:
 * grows after collisions, shrinks after timeouts). */
static CC_TLS unsigned elim_range;

static void tnode_free(concoll_smr_head_t *h)
{
	cc_free(cc_container_of(h, struct tnode, smr), sizeof(struct tnode), _Alignof(struct tnode));
}

static unsigned pick_slot(struct treiber *t, struct cc_smr_rec *self)
{
	unsigned range = elim_range;

	if (range == 0 || range > t->nslots)
		range = elim_range = 1;
	return (unsigned)(cc_rand_next(&self->rng) % range);
}

static void range_adjust(struct treiber *t, bool grow)
{
	if (grow) {
		if (elim_range < t->nslots)
			elim_range++;
	} else if (elim_range > 1) {
		elim_range--;
	}
}

/* Offer node to a popper.  True when a popper took it (then the node is
 * the popper's and the push is done). */
static bool eliminate_push(struct treiber *t, struct cc_smr_rec *self, struct tnode *node)
{
	struct slot *s = &t->slots[pick_slot(t, self)];
	uintptr_t v = SLOT_EMPTY;
	unsigned i;

	/* relaxed: a quick look before the CAS */
	if (atomic_load_explicit(&s->v, memory_order_relaxed) != SLOT_EMPTY) {
		range_adjust(t, true);
		return false;
	}
	/* release: the popper that takes the offer reads node->item */
	if (!atomic_compare_exchange_strong_explicit(&s->v, &v, (uintptr_t)node, memory_order_release,
	                                             memory_order_relaxed)) {
		range_adjust(t, true);
		return false;
	}
	for (i = 0; i < ELIM_WAIT; i++) {
		/* relaxed: only the value matters; nothing is read through it */
		if (atomic_load_explicit(&s->v, memory_order_relaxed) == SLOT_TAKEN)
			goto taken;
		cc_pause();
	}
	v = (uintptr_t)node;
	/* relaxed: withdrawing our own offer publishes nothing */
	if (atomic_compare_exchange_strong_explicit(&s->v, &v, SLOT_EMPTY, memory_order_relaxed,
	                                            memory_order_relaxed)) {
		range_adjust(t, false);
		return false;
	}
taken:
	/* relaxed: the slot carries no data back to anyone */
	atomic_store_explicit(&s->v, SLOT_EMPTY, memory_order_relaxed);
	return true;
}

/* Take an offer from a random slot.  True with *item set on success. */
static bool eliminate_pop(struct treiber *t, struct cc_smr_rec *self, void **item)
{
	struct slot *s = &t->slots[pick_slot(t, self)];
	uintptr_t v = atomic_load_explicit(&s->v, memory_order_relaxed); /* a quick look */
	struct tnode *node;

	if (v == SLOT_EMPTY || v == SLOT_TAKEN) {
		range_adjust(t, false);
		return false;
	}
	/* acquire: pairs with the offering CAS, so node->item is visible */
	if (!atomic_compare_exchange_strong_explicit(&s->v, &v, SLOT_TAKEN, memory_order_acquire,
	                                             memory_order_relaxed)) {
		range_adjust(t, true);
		return false;
	}
	node = (struct tnode *)v;
	*item = node->item;
	/* The node was never in the list and its pusher no longer reads it:
	 * nobody else can reach it, free it now. */
	cc_free(node, sizeof *node, _Alignof(struct tnode));
	return true;
}

static int treiber_push(concoll_stack_t *base, void *item, bool once)
{
	struct treiber *t = (struct treiber *)base;
	struct cc_smr_rec *self;
	struct tnode *node, *top;
	struct cc_backoff bo;

	node = cc_alloc(sizeof *node, _Alignof(struct tnode));
	if (CC_UNLIKELY(node == NULL))
		return -ENOMEM;
	self = cc_smr_enter();
	if (CC_UNLIKELY(self == NULL)) {
		cc_free(node, sizeof *node, _Alignof(struct tnode));
		return -ENOMEM;
	}
	node->item = item;
	cc_backoff_init(&bo);
	/* acquire: we read top->depth */
	top = atomic_load_explicit(&t->top, memory_order_acquire);
	for (;;) {
		node->next = top;
		node->depth = top ? top->depth + 1 : 1;
		/* release: publishes the node's fields; acquire on failure: the new
		 * top's depth is read on the next round */
		/* try_push makes one attempt: a strong CAS, so that -EBUSY means
		 * another thread changed top (a weak one may fail spuriously on
		 * LL/SC machines) */
		if (once ? atomic_compare_exchange_strong_explicit(&t->top, &top, node,
		                                                   memory_order_release,
		                                                   memory_order_acquire)
		         : atomic_compare_exchange_weak_explicit(&t->top, &top, node,
		                                                 memory_order_release,
		                                                 memory_order_acquire))
			break;
		if (once) {
			cc_smr_exit(self);
			cc_free(node, sizeof *node, _Alignof(struct tnode));
			return -EBUSY;
		}
		if (t->nslots) {
			if (eliminate_push(t, self, node))
				break;
			top = atomic_load_explicit(&t->top, memory_order_acquire);
		} else {
			cc_backoff_wait(&bo);
		}
	}
	cc_smr_exit(self);
	return 0;
}

static int treiber_pop(concoll_stack_t *base, void **item, bool once)
{
	struct treiber *t = (struct treiber *)base;
	struct cc_smr_rec *self = cc_smr_enter();
	struct tnode *top;
	struct cc_backoff bo;
	int rc = 0;

	if (CC_UNLIKELY(self == NULL))
		return -ENOMEM;
	cc_backoff_init(&bo);
	/* acquire: pairs with the pushing CAS; we read top->next and item */
	top = atomic_load_explicit(&t->top, memory_order_acquire);
	for (;;) {
		if (top == NULL) {
			/* Empty.  A pusher waiting in the elimination array is
			 * part of the stack's history too: taking its item
			 * linearizes as its push followed by our pop. */
			if (!once && t->nslots && eliminate_pop(t, self, item))
				break;
			rc = -EAGAIN;
			break;
		}
		/* top->next is safe to read: top cannot be freed while we are in
		 * the guard, and a node's next never changes */
		if (once ? atomic_compare_exchange_strong_explicit(&t->top, &top, top->next,
		                                                   memory_order_acquire,
		                                                   memory_order_acquire)
		         : atomic_compare_exchange_weak_explicit(&t->top, &top, top->next,
		                                                 memory_order_acquire,
		                                                 memory_order_acquire)) {
			*item = top->item;
			cc_smr_retire(self, &top->smr, tnode_free);
			break;
		}
		if (once) {
			rc = -EBUSY;
			break;
		}
		if (t->nslots) {
			if (eliminate_pop(t, self, item))
				break;
			top = atomic_load_explicit(&t->top, memory_order_acquire);
		} else {
			cc_backoff_wait(&bo);
		}
	}
	cc_smr_exit(self);
	return rc;
}

static size_t treiber_size(concoll_stack_t *base)
{
	struct treiber *t = (struct treiber *)base;
	struct cc_smr_rec *self = cc_smr_enter();
	struct tnode *top;
	size_t n;

	if (self == NULL)
		return 0;
	/* acquire: we read top->depth */
	top = atomic_load_explicit(&t->top, memory_order_acquire);
	n = top ? top->depth : 0;
	cc_smr_exit(self);
	return n;
}

static void treiber_destroy(concoll_stack_t *base, void (*release)(void *, void *), void *ctx)
{
	struct treiber *t = (struct treiber *)base;
	/* relaxed: no operation runs concurrently with destroy */
	struct tnode *n = atomic_load_explicit(&t->top, memory_order_relaxed);

	while (n) {
		struct tnode *next = n->next;

		if (release)
			release(n->item, ctx);
		cc_free(n, sizeof *n, _Alignof(struct tnode));
		n = next;
	}
	cc_free(t, t->alloc_size, CC_CACHELINE);
}

static const struct cc_stack_ops treiber_ops = {
	CONCOLL_STACK_TREIBER, treiber_push, treiber_pop, treiber_size, treiber_destroy,
};

concoll_stack_t *cc_treiber_create(const struct concoll_stack_options *o)
{
	unsigned nslots = 0;
	size_t size;
	struct treiber *t;

	if (!(o->flags & CONCOLL_STACK_NO_ELIMINATION))
		nslots = o->elimination_slots ? o->elimination_slots : DEFAULT_SLOTS;
	size = sizeof *t + nslots * sizeof(struct slot);
	t = cc_zalloc(size, CC_CACHELINE);
	if (t == NULL) {
		errno = ENOMEM;
		return NULL;
	}
	t->base.ops = &treiber_ops;
	t->base.name = nslots ? "treiber" : "treiber-noelim";
	t->nslots = nslots;
	t->alloc_size = size;
	atomic_init(&t->top, NULL);
	return &t->base;
}
