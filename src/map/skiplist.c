/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Lock-free skip list (after Fraser, "Practical lock-freedom", 2004).
 *
 * Level 0 is a sorted linked list that holds the map; the upper levels are
 * an index over it.  A node is deleted by marking its own next pointers
 * (bit 0), the bottom one first: that mark is the linearization point of
 * a removal; searches that meet a marked pointer unlink the node at that
 * level.  Nodes are linked bottom-up: linking at level 0 is the
 * linearization point of an insertion, the index levels follow.
 *
 * The value and the level-0 next pointer of a node are adjacent words
 * updated together by a 16-byte CAS (cc_cas128()), one half at a time:
 *   - a value changes only while the node's next is unmarked, so a
 *     replacement cannot succeed on a removed node (and a removal with
 *     an expected value removes exactly that value);
 *   - an insertion after a node, and the unlinking of its successor, CAS
 *     its next (and fail when the node was removed meanwhile).
 * Readers load each half with an 8-byte atomic load.
 *
 * pop_first must remove the node that is first at the moment of removal.
 * It installs a descriptor in that node's next (bit 1) — which freezes the
 * node's value and next — then reads head's next: still the node means the
 * node was the first while frozen, so the pop succeeds (a double-compare
 * single-swap in the manner of Harris, Fraser and Pratt).  Whoever meets
 * the descriptor completes it: the outcome is decided once, by a CAS on the
 * descriptor's state.  pop_last needs no descriptor: the last node is the
 * one whose next is NULL, and marking it checks exactly that.
 *
 * Reclamation: a removed node is retired through SMR once it is unlinked
 * at every level.  A node whose index levels an inserter is still linking
 * may be removed meanwhile; then the remover hands the unlinking and the
 * retirement over to the inserter (state bits RAISING / HANDOFF), so that
 * no level links a retired node.
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

#define SL_MAX_LEVEL 32
/* malloc alignment: a pair of words for the 16-byte CAS */
#define SL_NODE_ALIGN 16
#define SL_MARK ((uintptr_t)1) /* on a next pointer: this node is removed */
#define SL_DESC ((uintptr_t)2) /* on next0 only: a pop_first descriptor */
#define SL_FLAGS (SL_MARK | SL_DESC)

#define SL_RAISING 1u /* an inserter is linking index levels */
#define SL_HANDOFF 2u /* removed meanwhile: the inserter unlinks and retires */

/* The fields a search reads (next0, key, next[i]) come last and together:
 * key and next[1] share a 16-byte aligned block, so one cache line. */
struct sl_node {
	concoll_smr_head_t smr;
	struct cc_sl *map;
	_Atomic uint32_t state;
	uint32_t level;
	_Atomic uintptr_t value; /* { value, next0 }: one 16-byte aligned pair */
	_Atomic uintptr_t next0;
	void *key;
	_Atomic uintptr_t next[]; /* levels 1 .. level-1 */
};
_Static_assert(offsetof(struct sl_node, value) % 16 == 0, "the pair must be 16-byte aligned");

struct sl_desc {
	concoll_smr_head_t smr;
	struct sl_node *node;
	uintptr_t value;
	uintptr_t next;
	_Atomic int state;
};
enum { SL_UNDECIDED = 0, SL_SUCCESS = 1, SL_FAILURE = 2 };

struct cc_sl {
	struct concoll_map base;
	CC_CACHE_ALIGNED _Atomic uint32_t top; /* levels in use (>= 1) */
	struct sl_node *head;
};

static inline _Atomic uintptr_t *sl_nx(struct sl_node *n, unsigned i)
{
	return i == 0 ? &n->next0 : &n->next[i - 1];
}

static inline struct sl_node *sl_ptr(uintptr_t w)
{
	return (struct sl_node *)(w & ~SL_FLAGS);
}

static size_t sl_node_size(unsigned level)
{
	return sizeof(struct sl_node) + (level - 1) * sizeof(_Atomic uintptr_t);
}

static struct sl_node *sl_node_new(struct cc_sl *m, unsigned level, void *key, void *value)
{
	struct sl_node *n = cc_alloc(sl_node_size(level), SL_NODE_ALIGN);

	if (!n)
		return NULL;
	atomic_init(&n->value, (uintptr_t)value);
	atomic_init(&n->next0, 0);
	n->key = key;
	/* only nodes of maps with a release callback need their map when
	 * reclaimed (the map may be gone by then otherwise) */
	n->map = m->base.conf.release ? m : NULL;
	atomic_init(&n->state, level > 1 ? SL_RAISING : 0);
	n->level = level;
	for (unsigned i = 1; i < level; i++)
		atomic_init(&n->next[i - 1], 0);
	return n;
}

static void sl_node_free(struct sl_node *n)
{
	cc_free(n, sl_node_size(n->level), SL_NODE_ALIGN);
}

static void sl_node_reclaim(concoll_smr_head_t *h)
{
	struct sl_node *n = cc_container_of(h, struct sl_node, smr);

	if (n->map) /* relaxed: the grace period ordered every write to the node before us */
		cc_map_release_now(&n->map->base, n->key,
		                   (void *)atomic_load_explicit(&n->value, memory_order_relaxed));
	sl_node_free(n);
}

static void sl_desc_reclaim(concoll_smr_head_t *h)
{
	cc_free(cc_container_of(h, struct sl_desc, smr), sizeof(struct sl_desc),
	        _Alignof(struct sl_desc));
}

/* ---- the { value, next0 } pair ------------------------------------------ */

/* The halves of the pair (see cc_load128_lo()). */
static inline uintptr_t sl_ld_value(struct sl_node *n)
{
	return (uintptr_t)cc_load128_lo((cc_u128 *)(void *)&n->value);
}

static inline uintptr_t sl_ld_next0(struct sl_node *n)
{
	return (uintptr_t)cc_load128_hi((cc_u128 *)(void *)&n->value);
}

static inline bool sl_pair_cas(struct sl_node *n, uintptr_t ev, uintptr_t en, uintptr_t dv,
                               uintptr_t dn, uintptr_t *cur_next)
{
	cc_u128 exp = { ev, en }, des = { dv, dn };
	bool ok = cc_cas128((cc_u128 *)(void *)&n->value, &exp, des);

	if (!ok && cur_next)
		*cur_next = exp.hi;
	return ok;
}

/* CAS n's level-0 next from en to dn whatever its value is (a concurrent
 * replacement of the value is not a conflict). */
static bool sl_next0_cas(struct sl_node *n, uintptr_t en, uintptr_t dn)
{
	for (;;) {
		uintptr_t v = sl_ld_value(n);
		uintptr_t cur;

		if (sl_pair_cas(n, v, en, v, dn, &cur))
			return true;
		if (cur != en)
			return false;
	}
}

/* ---- pop_first descriptors ----------------------------------------------- */

static void sl_desc_complete(struct cc_sl *m, struct sl_desc *d)
{
	struct sl_node *n = d->node;
	int st = atomic_load_explicit(&d->state, memory_order_acquire);

	if (st == SL_UNDECIDED) {
		/* The node is frozen (value and next) while the descriptor is
		 * in place: it is the least key iff head still points to it. */
		uintptr_t h = sl_ld_next0(m->head);
		int want = h == (uintptr_t)n ? SL_SUCCESS : SL_FAILURE;

		atomic_compare_exchange_strong(&d->state, &st, want);
		st = atomic_load(&d->state);
	}
	sl_pair_cas(n, d->value, (uintptr_t)d | SL_DESC, d->value,
	            st == SL_SUCCESS ? d->next | SL_MARK : d->next, NULL);
}

/* n's level-0 next, after completing a descriptor found there. */
static inline uintptr_t sl_load_next0(struct cc_sl *m, struct sl_node *n)
{
	for (;;) {
		uintptr_t w = sl_ld_next0(n);

		if (CC_LIKELY(!(w & SL_DESC)))
			return w;
		sl_desc_complete(m, (struct sl_desc *)(w & ~SL_FLAGS));
	}
}

static inline uintptr_t sl_load_next(struct cc_sl *m, struct sl_node *n, unsigned i)
{
	if (i == 0)
		return sl_load_next0(m, n);
	/* acquire: the successor's fields were written before it was linked */
	return atomic_load_explicit(&n->next[i - 1], memory_order_acquire);
}

/* Unlink cur (marked at level i, successor succ) after pred. */
static inline bool sl_snip(struct sl_node *pred, struct sl_node *cur, unsigned i, uintptr_t succ)
{
	uintptr_t exp = (uintptr_t)cur;

	if (i == 0)
		return sl_next0_cas(pred, exp, succ);
	return atomic_compare_exchange_strong(&pred->next[i - 1], &exp, succ);
}

/* ---- search ---------------------------------------------------------------- */

enum { SL_BELOW = 0, SL_UPTO = 1, SL_FIRST = 2, SL_LAST = 3 };

static void sl_mark_index(struct sl_node *n);

/*
 * Fill preds/succs at every level with, for SL_BELOW, the last node with a
 * key < key and the first with a key >= key (SL_UPTO: <= and >); SL_FIRST:
 * preds are head; SL_LAST: succs are NULL.  Unlinks the marked nodes it
 * passes.  *eq: succs[0] has the key (SL_BELOW).  Returns 0 or the
 * comparator's error.  When a node is passed, its next pointer was read
 * unmarked at that level; preds[0] -> succs[0] was an edge of the list,
 * both present, at the moment pred's next was read.
 */
static inline __attribute__((always_inline)) int
sl_search_k(struct cc_sl *m, int kind, int how, const void *key, struct sl_node **preds,
            struct sl_node **succs, bool *eq)
{
	const struct cc_cmp *cmp = &m->base.conf.cmp;
	unsigned top = atomic_load_explicit(&m->top, memory_order_relaxed); /* a hint */

retry:;
	struct sl_node *pred = m->head, *stop = NULL;
	int order = 1, stop_order = 1;

	for (int i = (int)top - 1; i >= 0; i--) {
		uintptr_t w = sl_load_next(m, pred, (unsigned)i);
		struct sl_node *cur;

		if (w & SL_MARK) {
			/* pred was removed under us.  Its remover may be stopped
			 * between the level-0 mark and the marks of the index
			 * levels: mark them for it (idempotent), or every search
			 * would find pred again one level up and retry forever. */
			if (i == 0 || (sl_load_next0(m, pred) & SL_MARK))
				sl_mark_index(pred);
			goto retry;
		}
		cur = (struct sl_node *)w;
		for (;;) {
			uintptr_t cn;
			int r;

			if (!cur) {
				order = 1;
				break;
			}
			cn = sl_load_next(m, cur, (unsigned)i);
			if (cn & SL_MARK) {
				if (!sl_snip(pred, cur, (unsigned)i, cn & ~SL_MARK))
					goto retry;
				cur = sl_ptr(cn);
				continue;
			}
			if (how == SL_FIRST) {
				order = 1;
				break;
			}
			if (how != SL_LAST) {
				if (cur == stop) {
					/* compared one level up: where the walk ended */
					order = stop_order;
					break;
				}
				r = cc_cmp_keys(cmp, kind, cur->key, key, &order);
				if (CC_UNLIKELY(r))
					return r;
				if (how == SL_BELOW ? order >= 0 : order > 0)
					break;
			}
			pred = cur;
			cur = (struct sl_node *)cn;
			if (i > 0) /* see sl_lookup_k() */
				__builtin_prefetch(sl_ptr(atomic_load_explicit(
				        sl_nx(pred, (unsigned)i - 1), memory_order_relaxed)));
		}
		preds[i] = pred;
		succs[i] = cur;
		stop = cur;
		stop_order = order;
	}
	for (unsigned i = top; i < SL_MAX_LEVEL; i++) {
		preds[i] = m->head;
		succs[i] = NULL;
	}
	if (eq)
		*eq = succs[0] && order == 0;
	return 0;
}

static CC_NOINLINE int sl_search(struct cc_sl *m, int how, const void *key,
                                 struct sl_node **preds, struct sl_node **succs, bool *eq)
{
#define SL_CALL(k) sl_search_k(m, k, how, key, preds, succs, eq)
	CC_CMP_DISPATCH(m->base.conf.cmp.kind, SL_CALL)
#undef SL_CALL
}

/*
 * Read-only lookup (no unlinking, no CAS): skips marked nodes.  Returns
 * the node with the key whose level-0 next was read unmarked, or NULL.
 */
static inline __attribute__((always_inline)) int
sl_lookup_k(struct cc_sl *m, int kind, const void *key, struct sl_node **found)
{
	const struct cc_cmp *cmp = &m->base.conf.cmp;
	struct sl_node *pred = m->head, *stop = NULL;
	int top = (int)atomic_load_explicit(&m->top, memory_order_relaxed); /* a hint */

	for (int i = top - 1; i >= 0; i--) {
		struct sl_node *cur = sl_ptr(sl_load_next(m, pred, (unsigned)i));

		/* stop: known to be above the key (compared one level up) */
		while (cur && cur != stop) {
			uintptr_t cn = sl_load_next(m, cur, (unsigned)i);
			int order, r;

			if (cn & SL_MARK) {
				cur = sl_ptr(cn);
				continue;
			}
			r = cc_cmp_keys(cmp, kind, cur->key, key, &order);
			if (CC_UNLIKELY(r))
				return r;
			if (order > 0)
				break;
			if (order == 0) {
				/* present iff its level-0 next is unmarked */
				if (i == 0 || !(sl_load_next0(m, cur) & SL_MARK)) {
					*found = cur;
					return 0;
				}
				break;
			}
			/* Descend from cur only while it is present: a node removed
			 * (level 0 marked) whose index level is not marked yet has
			 * a frozen level-0 next, which can skip nodes linked after
			 * its removal (found by TLC, tla/SkipList.tla). */
			if (i > 0 && (sl_load_next0(m, cur) & SL_MARK)) {
				cur = sl_ptr(cn);
				continue;
			}
			pred = cur;
			cur = (struct sl_node *)cn;
			/* The walk goes down from the last pred: start loading the
			 * node it will meet there while this level is walked. */
			if (i > 0)
				__builtin_prefetch(sl_ptr(atomic_load_explicit(
				        sl_nx(pred, (unsigned)i - 1), memory_order_relaxed)));
		}
		stop = cur;
	}
	*found = NULL;
	return 0;
}

static int sl_lookup(struct cc_sl *m, const void *key, struct sl_node **found)
{
#define SL_CALL(k) sl_lookup_k(m, k, key, found)
	CC_CMP_DISPATCH(m->base.conf.cmp.kind, SL_CALL)
#undef SL_CALL
}

/* ---- unlinking a removed node -------------------------------------------- */

static void sl_mark_index(struct sl_node *n)
{
	for (unsigned i = n->level - 1; i >= 1; i--)
		atomic_fetch_or(&n->next[i - 1], SL_MARK);
}

/* Unlink marked n from every level without comparing keys: walk each
 * level from head (used when the comparator fails). */
static void sl_unlink_walk(struct cc_sl *m, struct sl_node *n)
{
	for (int i = (int)n->level - 1; i >= 0; i--) {
	again:;
		struct sl_node *pred = m->head;
		uintptr_t w = sl_load_next(m, pred, (unsigned)i);

		while (sl_ptr(w)) {
			struct sl_node *cur = sl_ptr(w);
			uintptr_t cn = sl_load_next(m, cur, (unsigned)i);

			if (cn & SL_MARK) {
				if (!sl_snip(pred, cur, (unsigned)i, cn & ~SL_MARK))
					goto again;
				w = cn & ~SL_MARK;
				continue;
			}
			pred = cur;
			w = cn;
		}
	}
}

/* n is marked at every level: make sure no level links it, then retire it
 * (or hand both to the inserter still linking its index levels). */
static void sl_finish_removal(struct cc_sl *m, struct cc_smr_rec *self, struct sl_node *n,
                              bool inserter, struct sl_node **hint_preds,
                              struct sl_node **hint_succs)
{
	struct sl_node *preds[SL_MAX_LEVEL], *succs[SL_MAX_LEVEL];
	int i;

	if (!inserter && n->level > 1) {
		uint32_t st = SL_RAISING;

		if (atomic_compare_exchange_strong(&n->state, &st, SL_RAISING | SL_HANDOFF))
			return; /* the inserter finishes */
	}
	/* Fast path: unlink n after the predecessors that the remover's own
	 * search found, when they still precede it at every level. */
	for (i = hint_preds ? (int)n->level - 1 : -2; i >= 0; i--) {
		uintptr_t w = sl_load_next(m, n, (unsigned)i);

		if (hint_succs[i] != n || !sl_snip(hint_preds[i], n, (unsigned)i, w & ~SL_FLAGS))
			break;
	}
	/* Otherwise a search up to the key passes every node with that key at
	 * every level and unlinks the marked ones. */
	if (i != -1 && sl_search(m, SL_UPTO, n->key, preds, succs, NULL) != 0)
		sl_unlink_walk(m, n);
	cc_smr_retire(self, &n->smr, sl_node_reclaim);
}

/* ---- backend operations ---------------------------------------------------- */

static concoll_map_t *sl_create(const struct cc_map_conf *conf)
{
	struct cc_sl *m = cc_zalloc(sizeof *m, _Alignof(struct cc_sl));

	(void)conf;
	if (!m)
		return NULL;
	m->head = sl_node_new(m, SL_MAX_LEVEL, NULL, NULL);
	if (!m->head) {
		cc_free(m, sizeof *m, _Alignof(struct cc_sl));
		return NULL;
	}
	atomic_init(&m->head->state, 0);
	atomic_init(&m->top, 1);
	return &m->base;
}

static void sl_destroy(concoll_map_t *base)
{
	struct cc_sl *m = (struct cc_sl *)base;
	uintptr_t w = atomic_load_explicit(&m->head->next0, memory_order_relaxed);

	/* Quiescent: every node still on level 0 is freed here (removed ones
	 * were retired, and the front waited for them). */
	while (sl_ptr(w)) {
		struct sl_node *n = sl_ptr(w);

		w = atomic_load_explicit(&n->next0, memory_order_relaxed);
		if (!(w & SL_MARK))
			cc_map_release_now(base, n->key, (void *)atomic_load_explicit(
			                                         &n->value, memory_order_relaxed));
		/* a marked node still linked here was retired: skip it */
		if (!(w & SL_MARK))
			sl_node_free(n);
	}
	sl_node_free(m->head);
	cc_free(m, sizeof *m, _Alignof(struct cc_sl));
}

/* Link n's index levels (n is linked at level 0). */
static void sl_raise(struct cc_sl *m, struct cc_smr_rec *self, struct sl_node *n,
                     struct sl_node **preds, struct sl_node **succs)
{
	uint32_t top = atomic_load_explicit(&m->top, memory_order_relaxed);
	uint32_t st;

	while (top < n->level &&
	       !atomic_compare_exchange_weak_explicit(&m->top, &top, n->level, memory_order_relaxed,
	                                              memory_order_relaxed))
		; /* relaxed: top is only a hint for where searches start */
	for (unsigned i = 1; i < n->level; i++) {
		for (;;) {
			uintptr_t old = atomic_load(&n->next[i - 1]);
			uintptr_t exp = (uintptr_t)succs[i];

			if (old & SL_MARK)
				goto done; /* removed meanwhile */
			if (old != exp && !atomic_compare_exchange_strong(&n->next[i - 1], &old, exp))
				continue;
			if (atomic_compare_exchange_strong(&preds[i]->next[i - 1], &exp, (uintptr_t)n))
				break;
			/* the neighbourhood changed: search again */
			if (sl_search(m, SL_BELOW, n->key, preds, succs, NULL) != 0)
				goto done;
			if (sl_ld_next0(n) & SL_MARK)
				goto done;
		}
	}
done:
	st = SL_RAISING;
	if (!atomic_compare_exchange_strong(&n->state, &st, 0)) {
		/* SL_HANDOFF: removed while we linked; we unlink and retire */
		sl_finish_removal(m, self, n, true, NULL, NULL);
	}
}

static int sl_update(concoll_map_t *base, struct cc_smr_rec *self, int mode, void *key, void *value,
                     const void *expected, void **old)
{
	struct cc_sl *m = (struct cc_sl *)base;
	struct sl_node *preds[SL_MAX_LEVEL], *succs[SL_MAX_LEVEL];
	struct sl_node *n = NULL;
	struct cc_map_release_rec *rec = NULL;
	bool eq;
	int r;

	for (;;) {
		r = sl_search(m, SL_BELOW, key, preds, succs, &eq);
		if (r)
			goto out;
		if (eq) {
			struct sl_node *cur = succs[0];

			for (;;) {
				uintptr_t v = sl_ld_value(cur);
				uintptr_t w = sl_load_next0(m, cur);

				if (w & SL_MARK)
					break; /* removed: search again */
				if (mode == CC_MAP_PUT_IF_ABSENT) {
					if (old)
						*old = (void *)v;
					r = -EEXIST;
					goto out;
				}
				if (mode == CC_MAP_REPLACE_IF_EQ && v != (uintptr_t)expected) {
					r = -EAGAIN;
					goto out;
				}
				if (!rec && base->conf.release) {
					rec = cc_map_release_prepare(base, &r);
					if (r)
						goto out;
				}
				if (sl_pair_cas(cur, v, w, (uintptr_t)value, w, NULL)) {
					if (old)
						*old = (void *)v;
					if (rec) {
						cc_map_release_later(self, rec, key, (void *)v);
						rec = NULL;
					}
					r = mode == CC_MAP_PUT ? 1 : 0;
					goto out;
				}
			}
			continue;
		}
		if (mode == CC_MAP_REPLACE || mode == CC_MAP_REPLACE_IF_EQ) {
			r = -ENOENT;
			goto out;
		}
		if (!n) {
			n = sl_node_new(m, cc_map_random_level(self, SL_MAX_LEVEL), key, value);
			if (!n) {
				r = -ENOMEM;
				goto out;
			}
		}
		for (unsigned i = 1; i < n->level; i++)
			atomic_store_explicit(&n->next[i - 1], (uintptr_t)succs[i],
			                      memory_order_relaxed); /* published by the CAS below */
		atomic_store_explicit(&n->next0, (uintptr_t)succs[0], memory_order_relaxed);
		/* seq_cst CAS: releases n's fields to every reader of preds[0] */
		if (sl_next0_cas(preds[0], (uintptr_t)succs[0], (uintptr_t)n)) {
			if (n->level > 1)
				sl_raise(m, self, n, preds, succs);
			n = NULL;
			r = 0;
			goto out;
		}
	}
out:
	if (n)
		sl_node_free(n); /* never published */
	if (rec)
		cc_map_release_cancel(rec);
	return r;
}

static int sl_remove(concoll_map_t *base, struct cc_smr_rec *self, const void *key, bool if_equal,
                     const void *expected, void **old)
{
	struct cc_sl *m = (struct cc_sl *)base;
	struct sl_node *preds[SL_MAX_LEVEL], *succs[SL_MAX_LEVEL];
	bool eq;
	int r;

	for (;;) {
		struct sl_node *cur;

		r = sl_search(m, SL_BELOW, key, preds, succs, &eq);
		if (r)
			return r;
		if (!eq)
			return -ENOENT;
		cur = succs[0];
		for (;;) {
			uintptr_t v = sl_ld_value(cur);
			uintptr_t w = sl_load_next0(m, cur);

			if (w & SL_MARK)
				break;
			if (if_equal && v != (uintptr_t)expected)
				return -EAGAIN;
			if (sl_pair_cas(cur, v, w, v, w | SL_MARK, NULL)) {
				if (old)
					*old = (void *)v;
				sl_mark_index(cur);
				sl_finish_removal(m, self, cur, false, preds, succs);
				return 0;
			}
		}
	}
}

/* n was popped (its level-0 mark holds value v): report it, finish. */
static int sl_popped(struct cc_sl *m, struct cc_smr_rec *self, struct sl_node *n, uintptr_t v,
                     void **key_out, void **value_out)
{
	if (key_out)
		*key_out = n->key;
	if (value_out)
		*value_out = (void *)v;
	sl_mark_index(n);
	sl_finish_removal(m, self, n, false, NULL, NULL);
	return 0;
}

static int sl_pop_first(struct cc_sl *m, struct cc_smr_rec *self, void **key_out, void **value_out)
{
	struct sl_desc *d = NULL;

	for (;;) {
		uintptr_t h = sl_ld_next0(m->head);
		struct sl_node *n = sl_ptr(h);
		uintptr_t v, w;

		if (!n) {
			if (d)
				sl_desc_reclaim(&d->smr); /* never published */
			return -ENOENT;
		}
		v = sl_ld_value(n);
		w = sl_load_next0(m, n);
		if (w & SL_MARK) {
			sl_snip(m->head, n, 0, w & ~SL_MARK);
			continue;
		}
		if (!d) {
			d = cc_alloc(sizeof *d, _Alignof(struct sl_desc));
			if (!d)
				return -ENOMEM;
		}
		d->node = n;
		d->value = v;
		d->next = w;
		atomic_init(&d->state, SL_UNDECIDED);
		if (!sl_pair_cas(n, v, w, v, (uintptr_t)d | SL_DESC, NULL))
			continue;
		sl_desc_complete(m, d);
		bool won = atomic_load(&d->state) == SL_SUCCESS;

		cc_smr_retire(self, &d->smr, sl_desc_reclaim);
		d = NULL;
		if (won)
			return sl_popped(m, self, n, v, key_out, value_out);
	}
}

static int sl_pop_last(struct cc_sl *m, struct cc_smr_rec *self, void **key_out, void **value_out)
{
	struct sl_node *preds[SL_MAX_LEVEL], *succs[SL_MAX_LEVEL];

	for (;;) {
		struct sl_node *n;
		uintptr_t v, w;

		sl_search(m, SL_LAST, NULL, preds, succs, NULL);
		n = preds[0];
		if (n == m->head)
			return -ENOENT;
		v = sl_ld_value(n);
		w = sl_load_next0(m, n);
		if (w != 0)
			continue; /* removed, or no longer the last */
		/* n is present with no successor at the moment of the mark */
		if (sl_pair_cas(n, v, 0, v, SL_MARK, NULL))
			return sl_popped(m, self, n, v, key_out, value_out);
	}
}

static int sl_pop(concoll_map_t *base, struct cc_smr_rec *self, bool last, void **key_out,
                  void **value_out)
{
	struct cc_sl *m = (struct cc_sl *)base;

	return last ? sl_pop_last(m, self, key_out, value_out)
	            : sl_pop_first(m, self, key_out, value_out);
}

static int sl_find(concoll_map_t *base, struct cc_smr_rec *self, int nav, const void *key,
                   void **key_out, void **value_out)
{
	struct cc_sl *m = (struct cc_sl *)base;
	struct sl_node *preds[SL_MAX_LEVEL], *succs[SL_MAX_LEVEL];
	struct sl_node *n;
	int r;

	(void)self;
	switch (nav) {
	case CONCOLL_NAV_EQ:
		r = sl_lookup(m, key, &n);
		break;
	case CONCOLL_NAV_FLOOR:
	case CONCOLL_NAV_HIGHER:
		r = sl_search(m, SL_UPTO, key, preds, succs, NULL);
		n = nav == CONCOLL_NAV_FLOOR ? preds[0] : succs[0];
		break;
	case CONCOLL_NAV_CEILING:
	case CONCOLL_NAV_LOWER:
		r = sl_search(m, SL_BELOW, key, preds, succs, NULL);
		n = nav == CONCOLL_NAV_LOWER ? preds[0] : succs[0];
		break;
	case CONCOLL_NAV_FIRST:
		r = sl_search(m, SL_FIRST, NULL, preds, succs, NULL);
		n = succs[0];
		break;
	default: /* CONCOLL_NAV_LAST */
		r = sl_search(m, SL_LAST, NULL, preds, succs, NULL);
		n = preds[0];
		break;
	}
	if (r)
		return r;
	if (!n || n == m->head)
		return -ENOENT;
	if (key_out)
		*key_out = n->key;
	if (value_out)
		*value_out = (void *)sl_ld_value(n);
	return 0;
}

static int sl_scan(concoll_map_t *base, struct cc_smr_rec *self, bool has_lo, const void *lo,
                   bool lo_excl, concoll_visit_fn fn, void *ctx)
{
	struct cc_sl *m = (struct cc_sl *)base;
	struct sl_node *preds[SL_MAX_LEVEL], *succs[SL_MAX_LEVEL];
	struct sl_node *n;
	int r;

	(void)self;
	if (has_lo)
		r = sl_search(m, lo_excl ? SL_UPTO : SL_BELOW, lo, preds, succs, NULL);
	else
		r = sl_search(m, SL_FIRST, NULL, preds, succs, NULL);
	if (r)
		return r;
	/* Walk level 0, skipping removed nodes.  Keys only grow along the list,
	 * so nothing is visited twice, and the walk ends. */
	n = succs[0];
	while (n) {
		uintptr_t v = sl_ld_value(n);
		uintptr_t w = sl_load_next0(m, n);

		if (!(w & SL_MARK)) {
			r = fn(n->key, (void *)v, ctx);
			if (r)
				return r;
		}
		n = sl_ptr(w);
	}
	return 0;
}

CC_INTERNAL const struct cc_map_ops cc_skiplist_ops = {
	.kind = CONCOLL_MAP_SKIPLIST,
	.name = "skiplist",
	.create = sl_create,
	.destroy = sl_destroy,
	.find = sl_find,
	.update = sl_update,
	.remove = sl_remove,
	.pop = sl_pop,
	.scan = sl_scan,
};
