/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Fine-grained locked skip list: the "lazy" skip list of Herlihy, Lev,
 * Luchangco and Shavit ("A simple optimistic skiplist algorithm",
 * SIROCCO 2007).
 *
 * Level 0 is a sorted linked list that holds every node; the upper levels
 * are an index over it.  Each node has a spinlock and a state byte:
 *   LZ_LINKED  the inserter linked the node at all its levels: the store of
 *              this bit is the linearization point of the insertion;
 *   LZ_MARKED  logically removed: the store of this bit (under the node's
 *              lock and its predecessors' locks) is the linearization point
 *              of the removal.
 * The map holds exactly the nodes whose state is LZ_LINKED (linked, not
 * marked).  Lookups and navigation take no lock.  An update searches
 * without locks, locks the few nodes it changes (the predecessors bottom-up,
 * a victim before its predecessors), validates what it saw and searches
 * again when something moved.  Every comparison happens during the
 * searches, before the first lock: a comparator error leaves the map
 * unchanged.
 *
 * Invariants the arguments below use:
 *   I1  Every next pointer points to a node with a greater key (or NULL).
 *   I2  A node is marked only while its lock and the locks of its
 *       predecessors at every level are held, and it is unlinked from every
 *       level before these locks are released.  So a lock holder never sees
 *       a marked node linked after an unmarked one, and a marked node's
 *       next pointers never change again.
 *   I3  Writers of n->next[i] hold n's lock (or n is not yet published);
 *       the value of a node changes only under its lock, never once marked.
 *   I4  A node that a traversal reaches was linked at level 0 (nodes are
 *       linked bottom-up); while it is not marked it is still on level 0.
 *   I5  Level 0 holds at most one node per key: an insertion links only
 *       after validating, under its level-0 predecessor's lock, that the
 *       predecessor is followed by the node its search found after the key
 *       (a greater key), so an old node with the key must be off level 0
 *       before a new one links.
 * Accesses that define the abstract map (level-0 next pointers, state,
 * value, the value version) are seq_cst, so the linearization arguments
 * can reason in one total order; the index levels are release/acquire.
 *
 * Locks are always taken in decreasing key order (a victim, then its
 * predecessors bottom-up: I1 makes distinct predecessors strictly
 * decreasing), so there is no deadlock.  Waiting (for a lock, or for an
 * update in progress at the node an operation needs) uses bounded
 * exponential backoff that yields, as threads may be oversubscribed.
 *
 * Departures from the paper: a remover marks its victim only once the
 * predecessors are locked and validated (the paper marks first and then
 * retries the locking), so that a comparator error in a repeated search
 * never leaves a marked node linked; values can be replaced (under the
 * node's lock, with a version in the lock word for lock-free readers);
 * searches start at the highest level in use rather than at the maximum;
 * navigation other than exact lookups is linearizable too (see
 * lz_nav_succ_k and lz_nav_pred_k).
 *
 * A removed node is retired through SMR by its remover after it is
 * unlinked from every level; readers still on it are inside guards.
 */
#include "config.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "map/backend.h"
#include "platform/alloc.h"
#include "platform/atomics.h"
#include "platform/backoff.h"

#define LZ_MAX_LEVEL 32

/* state */
#define LZ_LINKED 1u
#define LZ_MARKED 2u

/* lock word: bit 0 held; bits 1..31 the value version, odd while a
 * replacement of the value is in progress */
#define LZ_LOCKED 1u
#define LZ_VER 2u

struct cc_lz;

struct lz_node {
	/* first, so that pending garbage is referenced by its start address */
	concoll_smr_head_t smr;
	void *key;                      /* immutable */
	_Atomic uintptr_t value;
	struct cc_lz *map;              /* for the release at reclaim; NULL without one */
	_Atomic uint32_t lock;
	_Atomic uint8_t state;          /* LZ_LINKED, LZ_MARKED */
	uint8_t level;                  /* 1 .. LZ_MAX_LEVEL */
	_Atomic(struct lz_node *) next[]; /* level entries */
};

struct cc_lz {
	struct concoll_map base;
	CC_CACHE_ALIGNED _Atomic uint32_t top; /* levels in use, >= 1 (a hint) */
	struct lz_node *head;                  /* sentinel: LZ_MAX_LEVEL, never marked */
};

/* Search kinds: advance while the key is < key (BELOW), <= key (UPTO),
 * always (ALL), never (NONE, navigation only); EQ is BELOW that stops at
 * the first level with the key. */
enum { LZ_BELOW = 0, LZ_UPTO = 1, LZ_ALL = 2, LZ_EQ = 3, LZ_NONE = 4 };

/* ---- nodes ------------------------------------------------------------------ */

static inline size_t lz_node_size(unsigned level)
{
	return offsetof(struct lz_node, next) + level * sizeof(_Atomic(struct lz_node *));
}

static struct lz_node *lz_node_new(struct cc_lz *m, unsigned level, void *key, void *value)
{
	struct lz_node *n = cc_alloc(lz_node_size(level), _Alignof(struct lz_node));

	if (!n)
		return NULL;
	n->smr.next = NULL;
	n->smr.fn = NULL;
	n->key = key;
	atomic_init(&n->value, (uintptr_t)value);
	/* only nodes of maps with a release callback need their map when
	 * reclaimed (otherwise the map may be gone by then) */
	n->map = m->base.conf.release ? m : NULL;
	atomic_init(&n->lock, 0);
	atomic_init(&n->state, 0);
	n->level = (uint8_t)level;
	for (unsigned i = 0; i < level; i++)
		atomic_init(&n->next[i], NULL);
	return n;
}

static void lz_node_free(struct lz_node *n)
{
	cc_free(n, lz_node_size(n->level), _Alignof(struct lz_node));
}

static void lz_node_reclaim(concoll_smr_head_t *h)
{
	struct lz_node *n = cc_container_of(h, struct lz_node, smr);

	if (n->map) /* relaxed: the grace period ordered every write to the node before us */
		cc_map_release_now(&n->map->base, n->key,
		                   (void *)atomic_load_explicit(&n->value, memory_order_relaxed));
	lz_node_free(n);
}

static inline struct lz_node *lz_next(struct lz_node *n, int i)
{
	if (i == 0)
		return atomic_load(&n->next[0]);
	/* acquire: pairs with the release store that linked the successor at
	 * this level (its fields were written before) */
	return atomic_load_explicit(&n->next[i], memory_order_acquire);
}

static inline void lz_set_next(struct lz_node *n, int i, struct lz_node *s)
{
	if (i == 0)
		atomic_store(&n->next[0], s);
	else /* release: publishes s's fields to searchers that read this link */
		atomic_store_explicit(&n->next[i], s, memory_order_release);
}

static inline unsigned lz_state(struct lz_node *n)
{
	return atomic_load(&n->state);
}

/* ---- locks ------------------------------------------------------------------ */

static inline void lz_lock(struct lz_node *n)
{
	/* relaxed: only a hint of whether to try the CAS */
	uint32_t w = atomic_load_explicit(&n->lock, memory_order_relaxed);
	struct cc_backoff b;
	bool waited = false;

	for (;;) {
		/* acquire: pairs with the release in lz_unlock, so the previous
		 * holder's writes are visible to us (relaxed on failure: we only
		 * look at the word again) */
		if (!(w & LZ_LOCKED) &&
		    atomic_compare_exchange_weak_explicit(&n->lock, &w, w | LZ_LOCKED,
		                                          memory_order_acquire, memory_order_relaxed))
			return;
		if (w & LZ_LOCKED) {
			if (!waited) {
				cc_backoff_init(&b);
				waited = true;
			}
			cc_backoff_wait(&b);
			/* relaxed: as above */
			w = atomic_load_explicit(&n->lock, memory_order_relaxed);
		}
	}
}

static inline void lz_unlock(struct lz_node *n)
{
	/* relaxed: only the holder writes the word while it is held */
	uint32_t w = atomic_load_explicit(&n->lock, memory_order_relaxed);

	/* release: our writes under the lock happen before the next holder's
	 * acquisition */
	atomic_store_explicit(&n->lock, w & ~LZ_LOCKED, memory_order_release);
}

/* The value version of n (odd: a replacement is in progress). */
static inline uint32_t lz_version(struct lz_node *n)
{
	return atomic_load(&n->lock) & ~LZ_LOCKED;
}

/* Replace n's value; n is locked by the caller.  The version is odd while
 * the value store runs, so that a reader that saw the same even version
 * before and after its reads knows that the value did not change between
 * them (the lock's acquisitions and releases leave the version bits as they
 * are, and happen before these seq_cst stores). */
static void lz_set_value(struct lz_node *n, void *value)
{
	/* relaxed: only the holder writes the word while it is held */
	uint32_t w = atomic_load_explicit(&n->lock, memory_order_relaxed);

	atomic_store(&n->lock, w + LZ_VER);
	atomic_store(&n->value, (uintptr_t)value);
	atomic_store(&n->lock, w + 2 * LZ_VER);
}

/* Unlock the distinct nodes of preds[0 .. n-1] (equal ones are adjacent). */
static void lz_unlock_preds(struct lz_node **preds, unsigned n)
{
	struct lz_node *prev = NULL;

	for (unsigned i = 0; i < n; i++) {
		if (preds[i] != prev) {
			prev = preds[i];
			lz_unlock(prev);
		}
	}
}

/*
 * Lock the distinct predecessors of levels 0 .. n-1 bottom-up and validate
 * each level: the predecessor is not marked, its next is succs[i], and that
 * successor is not marked.  Returns true with everything locked, or false
 * with nothing (of these) locked.
 */
static bool lz_lock_preds(struct lz_node **preds, struct lz_node **succs, unsigned n)
{
	struct lz_node *prev = NULL;

	for (unsigned i = 0; i < n; i++) {
		struct lz_node *p = preds[i], *s = succs[i];

		if (p != prev) {
			lz_lock(p);
			prev = p;
		}
		if ((lz_state(p) & LZ_MARKED) || lz_next(p, (int)i) != s ||
		    (s && (lz_state(s) & LZ_MARKED))) {
			lz_unlock_preds(preds, i + 1);
			return false;
		}
	}
	return true;
}

/* n and its predecessors are locked and validated: mark n (the removal's
 * linearization point) and unlink it from every level, top-down. */
static void lz_mark_unlink(struct lz_node *n, struct lz_node **preds)
{
	atomic_store(&n->state, LZ_LINKED | LZ_MARKED);
	for (int i = (int)n->level - 1; i >= 0; i--)
		lz_set_next(preds[i], i, lz_next(n, i));
}

/* Remove n, locked with its predecessors at every level (validated): mark
 * and unlink it, unlock, retire it.  Returns its value. */
static uintptr_t lz_take(struct cc_smr_rec *self, struct lz_node *n, struct lz_node **preds)
{
	uintptr_t v = atomic_load(&n->value);

	lz_mark_unlink(n, preds);
	lz_unlock_preds(preds, n->level);
	lz_unlock(n);
	cc_smr_retire(self, &n->smr, lz_node_reclaim);
	return v;
}

/* ---- search ------------------------------------------------------------------- */

/*
 * From the head at level start-1 down to level 0, fill preds[i] / succs[i]
 * (i < start) with the last node that `how` advances over and the node
 * after it.  *found (LZ_BELOW, LZ_EQ): the highest level whose successor
 * has the key, or -1; LZ_EQ returns at that level.  No locks, no writes:
 * 0 or the comparator's error.
 */
static inline __attribute__((always_inline)) int
lz_search_k(struct cc_lz *m, int kind, int how, const void *key, unsigned start,
            struct lz_node **preds, struct lz_node **succs, int *found)
{
	const struct cc_cmp *cmp = &m->base.conf.cmp;
	struct lz_node *pred = m->head;
	int lf = -1;

	for (int i = (int)start - 1; i >= 0; i--) {
		struct lz_node *cur = lz_next(pred, i);

		while (cur) {
			if (how != LZ_ALL) {
				int order, r = cc_cmp_keys(cmp, kind, cur->key, key, &order);

				if (CC_UNLIKELY(r))
					return r;
				if (how == LZ_UPTO ? order > 0 : order >= 0) {
					if (order == 0 && lf < 0)
						lf = i;
					break;
				}
			}
			pred = cur;
			cur = lz_next(pred, i);
			/* the walk goes down from the last pred: start loading the
			 * node it meets there while this level is walked */
			if (i > 0)
				__builtin_prefetch(lz_next(pred, i - 1));
		}
		preds[i] = pred;
		succs[i] = cur;
		if (how == LZ_EQ && lf >= 0)
			break;
	}
	if (found)
		*found = lf;
	return 0;
}

/* The search of the updates (one dispatch per search). */
static CC_NOINLINE int lz_search(struct cc_lz *m, const void *key, unsigned start,
                                 struct lz_node **preds, struct lz_node **succs, int *found)
{
#define LZ_CALL(k) lz_search_k(m, k, LZ_BELOW, key, start, preds, succs, found)
	CC_CMP_DISPATCH(m->base.conf.cmp.kind, LZ_CALL)
#undef LZ_CALL
}

/*
 * A search without comparisons for pop_last: at every level, succs[i] is
 * the last node of the level and preds[i] the one before it (head when the
 * level holds at most one node).
 */
static void lz_search_last(struct cc_lz *m, unsigned start, struct lz_node **preds,
                           struct lz_node **succs)
{
	struct lz_node *pred = m->head;

	for (int i = (int)start - 1; i >= 0; i--) {
		struct lz_node *cur = lz_next(pred, i);

		while (cur) {
			struct lz_node *nx = lz_next(cur, i);

			if (!nx)
				break;
			pred = cur;
			cur = nx;
		}
		preds[i] = pred;
		succs[i] = cur;
	}
}

static inline unsigned lz_top(struct cc_lz *m)
{
	/* relaxed: a hint of where searches start; a search that starts lower
	 * than the tallest node is still correct (every level is a sublist of
	 * the one below), and updates that need a level search from there */
	return atomic_load_explicit(&m->top, memory_order_relaxed);
}


/* ---- find ----------------------------------------------------------------------- */

/* Internal: the answer moved under us; back off and search again. */
#define LZ_RETRY 1

/*
 * EQ (get, contains): wait-free.  The node found with the key is in the
 * map if its state is LZ_LINKED.  Otherwise the key is absent at some point
 * of the call (the lazy skip list's contains): a node not yet linked is not
 * inserted yet and, by I5, no other node with the key is in the map; a
 * marked node was removed, and no newer node with the key can be linked
 * until it is off level 0.  The value is read after the state: if the node
 * is marked before that read, the value is frozen (I3) and was the entry's
 * value just before the mark, which follows our state read; otherwise it is
 * the value at the read.  Either point is inside the call.
 */
static inline __attribute__((always_inline)) int
lz_get_k(struct cc_lz *m, int kind, const void *key, void **key_out, void **value_out)
{
	struct lz_node *preds[LZ_MAX_LEVEL], *succs[LZ_MAX_LEVEL];
	struct lz_node *n;
	int lf, r;

	r = lz_search_k(m, kind, LZ_EQ, key, lz_top(m), preds, succs, &lf);
	if (r)
		return r;
	if (lf < 0)
		return -ENOENT;
	n = succs[lf];
	if (lz_state(n) != LZ_LINKED)
		return -ENOENT;
	if (key_out)
		*key_out = n->key;
	if (value_out)
		*value_out = (void *)atomic_load(&n->value);
	return 0;
}

static inline __attribute__((always_inline)) int lz_advance_k(struct cc_lz *m, int kind, int how,
                                                              struct lz_node *c, const void *key,
                                                              bool *adv)
{
	int order, r;

	if (how == LZ_ALL || how == LZ_NONE) {
		*adv = how == LZ_ALL;
		return 0;
	}
	r = cc_cmp_keys(&m->base.conf.cmp, kind, c->key, key, &order);
	if (CC_UNLIKELY(r))
		return r;
	*adv = how == LZ_UPTO ? order <= 0 : order < 0;
	return 0;
}

/*
 * CEILING (how LZ_BELOW), HIGHER (LZ_UPTO), FIRST (from the head): the
 * answer is the successor c of the last node p that `how` advances over.
 * Reads, in this order:
 *   T0  c = p->next[0];          T1  c's state is LZ_LINKED;
 *   T2  c's version s (even);    T3  v = c's value;
 *   T4  p->next[0] is still c;   T5  p is not marked;
 *   T6  c is not marked;         T7  c's version is still s.
 * At T4, p is on level 0 (I4; not marked at T5, so not at T4), its
 * successor is c, which is in the map (linked at T1, not marked at T6), and
 * the value of c is v (no replacement between T2 and T7).  By I1 there is
 * no key between p's and c's on level 0, so c is the answer at T4, the
 * linearization point.  With c NULL: no key after p at T0 (p not marked
 * after it), so -ENOENT then.  When c is not linked yet or is marked, or p
 * is marked, an update is in progress here: back off and search again.
 */
static inline __attribute__((always_inline)) int
lz_nav_succ_k(struct cc_lz *m, int kind, int how, const void *key, struct lz_node *p,
              void **key_out, void **value_out)
{
	for (;;) {
		struct lz_node *c = lz_next(p, 0); /* T0 */
		uintptr_t v;
		uint32_t s;
		bool adv;
		int r;

		if (c) {
			r = lz_advance_k(m, kind, how, c, key, &adv);
			if (r)
				return r;
			if (adv) {
				p = c;
				continue;
			}
		} else {
			return (lz_state(p) & LZ_MARKED) ? LZ_RETRY : -ENOENT;
		}
		if (lz_state(c) != LZ_LINKED) /* T1 */
			return LZ_RETRY;
		s = lz_version(c); /* T2 */
		if (s & LZ_VER)
			return LZ_RETRY;
		v = atomic_load(&c->value); /* T3 */
		if (lz_next(p, 0) != c) /* T4 */
			continue;
		if (lz_state(p) & LZ_MARKED) /* T5 */
			return LZ_RETRY;
		if (lz_state(c) != LZ_LINKED || lz_version(c) != s) /* T6, T7 */
			return LZ_RETRY;
		if (key_out)
			*key_out = c->key;
		if (value_out)
			*value_out = (void *)v;
		return 0;
	}
}

/*
 * FLOOR (how LZ_UPTO), LOWER (LZ_BELOW), LAST (LZ_ALL): the answer is the
 * last node p that `how` advances over.  Reads, in this order (p not the
 * head):
 *   T1  p's state is LZ_LINKED;  T2  p's version s (even);
 *   T3  v = p's value;           T4  c = p->next[0], not advanced over;
 *   T5  p is not marked;         T6  p's version is still s.
 * At T4, p is in the map and on level 0, its successor c is beyond the key
 * (or NULL), so by I1 p is the answer, with value v: T4 is the
 * linearization point.  When p is the head, its successor at T4 is beyond
 * the key: -ENOENT then.  When p is not linked yet or is marked: back off
 * and search again.
 */
static inline __attribute__((always_inline)) int
lz_nav_pred_k(struct cc_lz *m, int kind, int how, const void *key, struct lz_node *p,
              void **key_out, void **value_out)
{
	for (;;) {
		struct lz_node *c;
		uintptr_t v = 0;
		uint32_t s = 0;
		bool adv;
		int r;

		if (p != m->head) {
			if (lz_state(p) != LZ_LINKED) /* T1 */
				return LZ_RETRY;
			s = lz_version(p); /* T2 */
			if (s & LZ_VER)
				return LZ_RETRY;
			v = atomic_load(&p->value); /* T3 */
		}
		c = lz_next(p, 0); /* T4 */
		if (c) {
			r = lz_advance_k(m, kind, how, c, key, &adv);
			if (r)
				return r;
			if (adv) {
				p = c;
				continue;
			}
		}
		if (p == m->head)
			return -ENOENT;
		if (lz_state(p) != LZ_LINKED) /* T5 */
			return LZ_RETRY;
		if (lz_version(p) != s) /* T6 */
			continue;
		if (key_out)
			*key_out = p->key;
		if (value_out)
			*value_out = (void *)v;
		return 0;
	}
}

/*
 * Navigation retries only while an update is in progress at the answer (a
 * node being linked or unlinked), which then holds locks and finishes; the
 * backoff yields to it.
 */
static inline __attribute__((always_inline)) int lz_find_k(struct cc_lz *m, int kind, int nav,
                                                           const void *key, void **key_out,
                                                           void **value_out)
{
	struct lz_node *preds[LZ_MAX_LEVEL], *succs[LZ_MAX_LEVEL];
	struct cc_backoff b;
	bool want_pred;
	int how, r;

	switch (nav) {
	case CONCOLL_NAV_EQ:
		return lz_get_k(m, kind, key, key_out, value_out);
	case CONCOLL_NAV_FLOOR:
		how = LZ_UPTO;
		want_pred = true;
		break;
	case CONCOLL_NAV_LOWER:
		how = LZ_BELOW;
		want_pred = true;
		break;
	case CONCOLL_NAV_CEILING:
		how = LZ_BELOW;
		want_pred = false;
		break;
	case CONCOLL_NAV_HIGHER:
		how = LZ_UPTO;
		want_pred = false;
		break;
	case CONCOLL_NAV_FIRST:
		how = LZ_NONE; /* the walk starts at the head */
		want_pred = false;
		break;
	default: /* CONCOLL_NAV_LAST */
		how = LZ_ALL;
		want_pred = true;
		break;
	}
	cc_backoff_init(&b);
	for (;;) {
		struct lz_node *p = m->head;

		if (how != LZ_NONE) {
			r = lz_search_k(m, kind, how, key, lz_top(m), preds, succs, NULL);
			if (r)
				return r;
			p = preds[0];
		}
		if (want_pred)
			r = lz_nav_pred_k(m, kind, how, key, p, key_out, value_out);
		else
			r = lz_nav_succ_k(m, kind, how, key, p, key_out, value_out);
		if (r != LZ_RETRY)
			return r;
		cc_backoff_wait(&b);
	}
}

static int lz_find(concoll_map_t *base, struct cc_smr_rec *self, int nav, const void *key,
                   void **key_out, void **value_out)
{
	struct cc_lz *m = (struct cc_lz *)base;

	(void)self;
#define LZ_CALL(k) lz_find_k(m, k, nav, key, key_out, value_out)
	CC_CMP_DISPATCH(m->base.conf.cmp.kind, LZ_CALL)
#undef LZ_CALL
}

/* ---- updates ---------------------------------------------------------------------- */

/*
 * An insertion (PUT or PUT_IF_ABSENT of an absent key) locks the
 * predecessors of the new node's levels bottom-up and validates them; it
 * links the node bottom-up and then stores LZ_LINKED: the linearization
 * point.  The key is absent then: the level-0 predecessor is locked, not
 * marked (so on level 0) and followed by the validated successor, which
 * has a greater key (search), so by I1 no node with the key is on level 0.
 *
 * A replacement (PUT, REPLACE, REPLACE_IF_EQ of a present key) locks the
 * node, checks that it is not marked (it was seen linked) and stores the
 * value: the linearization point.  A removal marks under the same lock, so
 * a value is never replaced on a removed node, and a removal returns the
 * value the node had when it was marked.
 *
 * PUT_IF_ABSENT's -EEXIST is linearized at the read of the value of a
 * linked node that a later read finds not marked.  -ENOENT of REPLACE and
 * REPLACE_IF_EQ is get's absent case.  PUT and PUT_IF_ABSENT that meet a
 * node being linked or unlinked with the key wait (backoff) for its
 * updater, as they cannot decide before.
 */
static int lz_update(concoll_map_t *base, struct cc_smr_rec *self, int mode, void *key, void *value,
                     const void *expected, void **old)
{
	struct cc_lz *m = (struct cc_lz *)base;
	struct lz_node *preds[LZ_MAX_LEVEL], *succs[LZ_MAX_LEVEL];
	struct lz_node *n = NULL;
	struct cc_map_release_rec *rec = NULL;
	bool inserts = mode == CC_MAP_PUT || mode == CC_MAP_PUT_IF_ABSENT;
	unsigned height = inserts ? cc_map_random_level(self, LZ_MAX_LEVEL) : 1;
	struct cc_backoff b;
	int r;

	cc_backoff_init(&b);
	for (;; cc_backoff_wait(&b)) {
		unsigned top = lz_top(m);
		struct lz_node *x;
		unsigned st;
		uintptr_t v;
		int lf;

		r = lz_search(m, key, top > height ? top : height, preds, succs, &lf);
		if (r)
			goto out;
		if (lf >= 0) {
			x = succs[lf];
			st = lz_state(x);
			if (st != LZ_LINKED) {
				/* being linked or unlinked: absent for now */
				if (!inserts) {
					r = -ENOENT;
					goto out;
				}
				continue;
			}
			if (mode == CC_MAP_PUT_IF_ABSENT) {
				v = atomic_load(&x->value);
				if (lz_state(x) & LZ_MARKED)
					continue;
				if (old)
					*old = (void *)v;
				r = -EEXIST;
				goto out;
			}
			if (!rec && base->conf.release) {
				rec = cc_map_release_prepare(base, &r);
				if (r)
					goto out;
			}
			lz_lock(x);
			if (lz_state(x) & LZ_MARKED) {
				lz_unlock(x);
				if (!inserts) {
					r = -ENOENT;
					goto out;
				}
				continue;
			}
			v = atomic_load(&x->value);
			if (mode == CC_MAP_REPLACE_IF_EQ && v != (uintptr_t)expected) {
				lz_unlock(x);
				r = -EAGAIN;
				goto out;
			}
			lz_set_value(x, value);
			lz_unlock(x);
			if (old)
				*old = (void *)v;
			if (rec) {
				cc_map_release_later(self, rec, key, (void *)v);
				rec = NULL;
			}
			r = mode == CC_MAP_PUT ? 1 : 0;
			goto out;
		}
		if (!inserts) {
			r = -ENOENT;
			goto out;
		}
		if (!n) {
			n = lz_node_new(m, height, key, value);
			if (!n) {
				r = -ENOMEM;
				goto out;
			}
		}
		if (!lz_lock_preds(preds, succs, height))
			continue;
		/* relaxed: top is only a hint for where searches start */
		while (top < height && !atomic_compare_exchange_weak_explicit(
		                               &m->top, &top, height, memory_order_relaxed,
		                               memory_order_relaxed))
			;
		for (unsigned i = 0; i < height; i++) /* relaxed: published by the links below */
			atomic_store_explicit(&n->next[i], succs[i], memory_order_relaxed);
		for (unsigned i = 0; i < height; i++)
			lz_set_next(preds[i], (int)i, n);
		atomic_store(&n->state, LZ_LINKED);
		lz_unlock_preds(preds, height);
		n = NULL;
		r = 0;
		goto out;
	}
out:
	if (n)
		lz_node_free(n); /* never published */
	if (rec)
		cc_map_release_cancel(rec);
	return r;
}

/*
 * remove: search, lock the node found, check that it is not marked (and
 * its value when if_equal: -EAGAIN is linearized there, under the lock),
 * lock and validate its predecessors at every level, mark (the
 * linearization point) and unlink it.  -ENOENT: get's absent case, or the
 * node was marked after we saw it linked (the key is absent just after that
 * mark).  The node must be found at its top level so that every
 * predecessor is known: when the search did not start high enough, or
 * passed a node being unlinked, search again.
 */
static int lz_remove(concoll_map_t *base, struct cc_smr_rec *self, const void *key, bool if_equal,
                     const void *expected, void **old)
{
	struct cc_lz *m = (struct cc_lz *)base;
	struct lz_node *preds[LZ_MAX_LEVEL], *succs[LZ_MAX_LEVEL];
	unsigned want = 1;
	struct cc_backoff b;

	cc_backoff_init(&b);
	for (;;) {
		unsigned top = lz_top(m);
		struct lz_node *x;
		uintptr_t v;
		int lf, r;

		r = lz_search(m, key, top > want ? top : want, preds, succs, &lf);
		if (r)
			return r;
		if (lf < 0)
			return -ENOENT;
		x = succs[lf];
		if (x->level > (top > want ? top : want)) {
			want = x->level;
			continue;
		}
		if (lz_state(x) != LZ_LINKED)
			return -ENOENT;
		if (lf != (int)x->level - 1) {
			cc_backoff_wait(&b);
			continue;
		}
		lz_lock(x);
		if (lz_state(x) & LZ_MARKED) {
			lz_unlock(x);
			return -ENOENT;
		}
		v = atomic_load(&x->value);
		if (if_equal && v != (uintptr_t)expected) {
			lz_unlock(x);
			return -EAGAIN;
		}
		for (unsigned i = 0; i < x->level; i++)
			succs[i] = x;
		if (!lz_lock_preds(preds, succs, x->level)) {
			lz_unlock(x);
			cc_backoff_wait(&b);
			continue;
		}
		lz_take(self, x, preds); /* v: read under x's lock, unchanged since */
		if (old)
			*old = (void *)v;
		return 0;
	}
}

/*
 * pop_first: the first node x of level 0, locked, then the head locked as
 * its predecessor at every level.  Marking is the linearization point: x is
 * linked, not marked, and the head's level-0 next is x (an insertion of a
 * smaller key needs the head's lock), so x holds the least key.  No
 * comparisons.  Empty: the head's level-0 next read NULL.
 */
static int lz_pop_first(struct cc_lz *m, struct cc_smr_rec *self, void **key_out,
                        void **value_out)
{
	struct lz_node *preds[LZ_MAX_LEVEL], *succs[LZ_MAX_LEVEL];
	struct cc_backoff b;

	cc_backoff_init(&b);
	for (;; cc_backoff_wait(&b)) {
		struct lz_node *x = lz_next(m->head, 0);
		uintptr_t v;

		if (!x)
			return -ENOENT;
		if (lz_state(x) != LZ_LINKED)
			continue; /* being linked or unlinked */
		lz_lock(x);
		for (unsigned i = 0; i < x->level; i++) {
			preds[i] = m->head;
			succs[i] = x;
		}
		if ((lz_state(x) & LZ_MARKED) || !lz_lock_preds(preds, succs, x->level)) {
			lz_unlock(x);
			continue;
		}
		v = lz_take(self, x, preds);
		if (key_out)
			*key_out = x->key;
		if (value_out)
			*value_out = (void *)v;
		return 0;
	}
}

/*
 * pop_last: the last node x of level 0 and its predecessors (a search
 * without comparisons), x locked, then its predecessors.  Marking is the
 * linearization point: x is linked, not marked, and its level-0 next is
 * NULL (an insertion of a greater key needs x's lock), so x holds the
 * greatest key.  Empty: the head's level-0 next read NULL.
 */
static int lz_pop_last(struct cc_lz *m, struct cc_smr_rec *self, void **key_out,
                       void **value_out)
{
	struct lz_node *preds[LZ_MAX_LEVEL], *succs[LZ_MAX_LEVEL];
	unsigned want = 1;
	struct cc_backoff b;

	cc_backoff_init(&b);
	for (;;) {
		unsigned top = lz_top(m), start = top > want ? top : want;
		struct lz_node *x;
		uintptr_t v;

		lz_search_last(m, start, preds, succs);
		x = succs[0];
		if (!x) {
			if (preds[0] == m->head)
				return -ENOENT;
			cc_backoff_wait(&b); /* the last node went away meanwhile */
			continue;
		}
		if (x->level > start) {
			want = x->level;
			continue;
		}
		if (lz_state(x) != LZ_LINKED) {
			cc_backoff_wait(&b);
			continue;
		}
		lz_lock(x);
		for (unsigned i = 0; i < x->level; i++)
			succs[i] = x;
		if ((lz_state(x) & LZ_MARKED) || lz_next(x, 0) != NULL ||
		    !lz_lock_preds(preds, succs, x->level)) {
			lz_unlock(x);
			cc_backoff_wait(&b);
			continue;
		}
		v = lz_take(self, x, preds);
		if (key_out)
			*key_out = x->key;
		if (value_out)
			*value_out = (void *)v;
		return 0;
	}
}

static int lz_pop(concoll_map_t *base, struct cc_smr_rec *self, bool last, void **key_out,
                  void **value_out)
{
	struct cc_lz *m = (struct cc_lz *)base;

	return last ? lz_pop_last(m, self, key_out, value_out)
	            : lz_pop_first(m, self, key_out, value_out);
}

/* ---- scan -------------------------------------------------------------------------- */

/*
 * Walk level 0 from lo, visiting the nodes that are linked and not marked.
 * Keys strictly grow along every next pointer (I1), also along those of
 * removed nodes, so no key is visited twice and the walk ends.  A node in
 * the map for the whole scan stays on level 0 and is reached.  A value is
 * read after the state, as in get.
 */
static inline __attribute__((always_inline)) int lz_scan_k(struct cc_lz *m, int kind, bool has_lo,
                                                           const void *lo, bool lo_excl,
                                                           concoll_visit_fn fn, void *ctx)
{
	struct lz_node *preds[LZ_MAX_LEVEL], *succs[LZ_MAX_LEVEL];
	struct lz_node *c;
	int r;

	if (has_lo) {
		r = lz_search_k(m, kind, lo_excl ? LZ_UPTO : LZ_BELOW, lo, lz_top(m), preds, succs,
		                NULL);
		if (r)
			return r;
		c = succs[0];
	} else {
		c = lz_next(m->head, 0);
	}
	for (; c; c = lz_next(c, 0)) {
		uintptr_t v;

		if (lz_state(c) != LZ_LINKED)
			continue;
		v = atomic_load(&c->value);
		r = fn(c->key, (void *)v, ctx);
		if (r)
			return r;
	}
	return 0;
}

static int lz_scan(concoll_map_t *base, struct cc_smr_rec *self, bool has_lo, const void *lo,
                   bool lo_excl, concoll_visit_fn fn, void *ctx)
{
	struct cc_lz *m = (struct cc_lz *)base;

	(void)self;
#define LZ_CALL(k) lz_scan_k(m, k, has_lo, lo, lo_excl, fn, ctx)
	CC_CMP_DISPATCH(m->base.conf.cmp.kind, LZ_CALL)
#undef LZ_CALL
}

/* ---- creation ------------------------------------------------------------------------ */

static concoll_map_t *lz_create(const struct cc_map_conf *conf)
{
	struct cc_lz *m = cc_zalloc(sizeof *m, _Alignof(struct cc_lz));

	(void)conf;
	if (!m)
		return NULL;
	m->head = lz_node_new(m, LZ_MAX_LEVEL, NULL, NULL);
	if (!m->head) {
		cc_free(m, sizeof *m, _Alignof(struct cc_lz));
		return NULL;
	}
	m->head->map = NULL;
	atomic_init(&m->head->state, LZ_LINKED);
	atomic_init(&m->top, 1);
	return &m->base;
}

static void lz_destroy(concoll_map_t *base)
{
	struct cc_lz *m = (struct cc_lz *)base;
	/* relaxed (here and below): quiescent; every operation on the map
	 * happened before destroy, and removed nodes are off level 0 */
	struct lz_node *n = atomic_load_explicit(&m->head->next[0], memory_order_relaxed);

	while (n) {
		struct lz_node *nx = atomic_load_explicit(&n->next[0], memory_order_relaxed);

		cc_map_release_now(base, n->key,
		                   (void *)atomic_load_explicit(&n->value, memory_order_relaxed));
		lz_node_free(n);
		n = nx;
	}
	lz_node_free(m->head);
	cc_free(m, sizeof *m, _Alignof(struct cc_lz));
}

CC_INTERNAL const struct cc_map_ops cc_skiplist_locked_ops = {
	.kind = CONCOLL_MAP_SKIPLIST_LOCKED,
	.name = "skiplist-locked",
	.create = lz_create,
	.destroy = lz_destroy,
	.find = lz_find,
	.update = lz_update,
	.remove = lz_remove,
	.pop = lz_pop,
	.scan = lz_scan,
};
