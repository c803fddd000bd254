/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * wCQ: a bounded wait-free queue (Nikolaev and Ravindran, "wCQ: A Fast
 * Wait-Free Queue with Bounded Memory Usage", SPAA 2022).
 *
 * Like SCQ (scq_ring.h), a queue of capacity n is two index rings of
 * N = 2n entries (aq: indices of slots holding items, fq: free slots) and
 * an array of n item slots; push moves an index from fq to aq, pop the
 * other way.  Each ring operation first runs SCQ's algorithm for a bounded
 * number of positions (the patience: CC_WCQ_PATIENCE_ENQ/_DEQ).  A thread
 * that ran out of patience announces its request in its per-thread record
 * and takes the slow path, in which every thread that finds the
 * announcement works on the request until it is complete; every thread
 * looks for announcements on the queue it operates on every
 * CC_WCQ_HELP_DELAY ring operations, so an announced request soon has all
 * the threads that use the queue working for it and none competing with
 * it.
 *
 * In the slow path several threads act for one request, so each step must
 * take effect once:
 *
 *  - A counter (Head or Tail) is a 16-byte pair { value, tag }.  The fast
 *    path takes values with fetch-and-add on the value half.  The slow path
 *    first reserves the current value in the request's local counter pair
 *    { value << 2 | FIN | INC, request tag } (INC set: reserved, not yet
 *    taken), then moves the global pair from { v, 0 } to { v + 1, tag } with
 *    a 16-byte CAS, where the tag names a "phase 2" record (record id and
 *    sequence number) saying which local counter to confirm (clear INC).
 *    Whoever finds a tagged global confirms and clears the tag before
 *    reserving anything, so a reserved value is either taken exactly once
 *    for the request or abandoned before anyone used it.
 *  - An entry is a pair { word, note }.  A helper that finds the entry at
 *    its position unusable records that in the note (the position's cycle)
 *    with a 16-byte CAS, and an enqueuer of the slow path inserts only into
 *    an entry whose note is older than its cycle: the helpers of one
 *    request agree on every position.
 *  - A slow-path enqueue inserts with ENQ clear, then sets FIN in the
 *    request's local Tail, then sets ENQ.  A dequeuer that meets an entry
 *    with ENQ clear sets FIN itself before taking the item, so no helper
 *    can insert the item a second time.
 *  - A request ends only when FIN is set in its local counter; a helper
 *    whose CAS on the local counter fails because of FIN or of another
 *    tag stops.  Local counters carry the request tag (per-record, never
 *    reused), so helpers that are late never act on a newer request, even
 *    one on another queue.
 *
 * The encoding of an entry word (ours), with n = 2^order, N = 2n:
 *
 *   bits [0, order]        F: an index (< n), BOT (N - 1: empty, or taken)
 *                          or BOTC (N - 2: a dequeuer passed an empty entry)
 *   bit  order + 1         ENQ (the insertion is complete)
 *   bit  order + 2         SAFE
 *   bits [order + 3, 63]   cycle of the counter value that wrote it
 *
 * A counter value T addresses entry remap(T mod N) in cycle T / N.  The
 * order is at least 1 (BOTC must not be an index).
 *
 * Per-thread state (struct cc_wcq_thread) lives in the SMR record, which is
 * registered on a thread's first call and recycled when it exits.
 *
 * Progress (see concoll_queue_create(3)): with a 16-byte CAS that is one
 * instruction (CMPXCHG16B, ARM64 LSE CASP) every push and pop completes in
 * a bounded number of its own steps, cc_wcq_step_bound().  Without it the
 * pairs go through the portable locked CAS and the queue blocks.
 */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>

#include "platform/alloc.h"
#include "platform/atomics.h"
#include "queue/backend.h"
#include "queue/wcq.h"
#include "smr/smr.h"

#define L_FIN ((uint64_t)1)
#define L_INC ((uint64_t)2)
#define PHASE2_SEQ_BITS 40u
#define PHASE2_SEQ_MASK (((uint64_t)1 << PHASE2_SEQ_BITS) - 1)
#define RING_EMPTY UINT64_MAX
#define DEQ_AGAIN (UINT64_MAX - 1)
/* log2 of the 16-byte entries per 64-byte line */
#define SPREAD_SHIFT 2u
#define CATCHUP_TRIES 8
#define REQ_ENQ 1u
#define REQ_DEQ 2u

struct wring {
	unsigned order;
	bool halves; /* cc_cas128_halves_atomic when created */
	/* derived from order, kept for the hot paths */
	uint64_t n, fmask, enq, safe, cmask;
	cc_u128 *entry;
	CC_CACHE_ALIGNED cc_u128 head;
	CC_CACHE_ALIGNED cc_u128 tail;
	CC_CACHE_ALIGNED _Atomic int64_t threshold;
};

struct wcq_queue {
	struct concoll_queue base;
	size_t alloc_size;
	unsigned order;
	unsigned patience_enq, patience_deq;
	bool count_steps;
	_Atomic uint64_t max_steps;
	_Atomic(void *) *data;
	struct wring aq;
	struct wring fq;
	/* requests announced on this queue and not yet retired: the fast path
	 * looks for requests to help only while there are some */
	CC_CACHE_ALIGNED _Atomic uint64_t announced;
};

/* Steps of the current push or pop of this thread (loop iterations that
 * touch shared memory), for the step-bound test. */
static CC_TLS uint64_t wcq_steps;
#define STEP() (wcq_steps++)

/* ---- entry and counter encoding ------------------------------------------ */

static inline uint64_t n_of(const struct wring *r)
{
	return r->n;
}
static inline uint64_t f_mask(const struct wring *r)
{
	return r->fmask;
}
static inline uint64_t bot(const struct wring *r)
{
	return r->fmask;
}
static inline uint64_t botc(const struct wring *r)
{
	return r->fmask - 1;
}
static inline uint64_t enq_bit(const struct wring *r)
{
	return r->enq;
}
static inline uint64_t safe_bit(const struct wring *r)
{
	return r->safe;
}
static inline uint64_t cycle_mask(const struct wring *r)
{
	return r->cmask;
}
/* The cycle of counter value t, positioned like an entry's cycle. */
static inline uint64_t cycle_of(const struct wring *r, uint64_t t)
{
	return (t << 2) & cycle_mask(r);
}
static inline bool f_empty(const struct wring *r, uint64_t e)
{
	return (e & f_mask(r)) >= n_of(r);
}
static inline int64_t diff(uint64_t a, uint64_t b)
{
	return (int64_t)(a - b);
}
static inline cc_u128 *slot_of(const struct wring *r, uint64_t t)
{
	unsigned bits = r->order + 1;
	uint64_t mask = r->fmask, pos = t & mask;

	if (bits > SPREAD_SHIFT)
		pos = (pos >> (bits - SPREAD_SHIFT)) | ((pos << SPREAD_SHIFT) & mask);
	return &r->entry[pos];
}
static inline cc_u128 pair(uint64_t lo, uint64_t hi)
{
	cc_u128 p = { lo, hi };
	return p;
}

/* ---- one half of a pair ---------------------------------------------------- */
/* With a native 16-byte CAS an 8-byte atomic on one half is atomic with it;
 * otherwise (locked path, ThreadSanitizer) every change goes through it. */

static inline uint64_t lo_load(cc_u128 *p)
{
	return cc_load128_lo(p);
}

static inline uint64_t lo_faa(const struct wring *r, cc_u128 *p, uint64_t d)
{
	cc_u128 cur;

	if (CC_LIKELY(r->halves))
		return __atomic_fetch_add(&p->lo, d, __ATOMIC_SEQ_CST);
	cur = cc_load128(p);
	while (!cc_cas128(p, &cur, pair(cur.lo + d, cur.hi)))
		;
	return cur.lo;
}

static inline void lo_or(const struct wring *r, cc_u128 *p, uint64_t bits)
{
	cc_u128 cur;

	if (CC_LIKELY(r->halves)) {
		__atomic_fetch_or(&p->lo, bits, __ATOMIC_SEQ_CST);
		return;
	}
	cur = cc_load128(p);
	while (!cc_cas128(p, &cur, pair(cur.lo | bits, cur.hi)))
		;
}

static inline bool lo_cas(const struct wring *r, cc_u128 *p, uint64_t *expected, uint64_t desired)
{
	cc_u128 cur;

	if (CC_LIKELY(r->halves))
		return __atomic_compare_exchange_n(&p->lo, expected, desired, false, __ATOMIC_SEQ_CST,
		                                   __ATOMIC_SEQ_CST);
	cur = cc_load128(p);
	for (;;) {
		if (cur.lo != *expected) {
			*expected = cur.lo;
			return false;
		}
		if (cc_cas128(p, &cur, pair(desired, cur.hi)))
			return true;
	}
}

/* ---- ring set-up ----------------------------------------------------------- */

static void ring_init(struct wring *r, unsigned order, cc_u128 *entries, bool full)
{
	uint64_t n = (uint64_t)1 << order, N = 2 * n, i;

	r->order = order;
	r->halves = cc_cas128_halves_atomic;
	r->n = n;
	r->fmask = N - 1;
	r->enq = (uint64_t)1 << (order + 1);
	r->safe = (uint64_t)1 << (order + 2);
	r->cmask = ~(((uint64_t)1 << (order + 3)) - 1);
	r->entry = entries;
	/* cycle 0, safe, empty; notes at cycle 0 */
	for (i = 0; i < N; i++)
		entries[i] = pair(safe_bit(r) | enq_bit(r) | bot(r), 0);
	/* Head and Tail start at N: cycle 1, newer than every entry. */
	r->head = pair(N, 0);
	if (full) {
		for (i = 0; i < n; i++)
			*slot_of(r, N + i) = pair(cycle_of(r, N + i) | safe_bit(r) | enq_bit(r) | i, 0);
		r->tail = pair(N + n, 0);
		atomic_init(&r->threshold, 3 * (int64_t)n - 1);
	} else {
		r->tail = pair(N, 0);
		atomic_init(&r->threshold, -1);
	}
}

static inline void threshold_reset(struct wring *r)
{
	int64_t full = 3 * (int64_t)n_of(r) - 1;

	if (atomic_load(&r->threshold) != full)
		atomic_store(&r->threshold, full);
}

/* Move Tail up to head when dequeuers overran it (an optimization: a few
 * tries at most). */
static void catchup(struct wring *r, uint64_t tail, uint64_t head)
{
	int tries = CATCHUP_TRIES;

	while (!lo_cas(r, &r->tail, &tail, head) && --tries > 0) {
		STEP();
		head = lo_load(&r->head);
		tail = lo_load(&r->tail);
		if (diff(tail, head) >= 0)
			break;
	}
}

/* ---- per-thread records ---------------------------------------------------- */

static inline struct cc_wcq_thread *wt(struct cc_smr_rec *rec)
{
	return &rec->wcq;
}

/* Start a request: its local counter, then its announcement.  The local
 * counter starts as "init reserved" (INC): init is a value this thread took
 * and could not use, or (patience 0) one nobody took yet, which a helper
 * then takes only if the global counter still holds it.  Either way no
 * item can be found at init in the request's name. */
static uint64_t announce(struct cc_wcq_thread *w, cc_u128 *local, struct wring *r, unsigned kind,
                         uint64_t idx, uint64_t init)
{
	uint64_t tag = ++w->next_tag;
	cc_u128 cur = cc_load128(local);

	/* Late helpers of older requests may still CAS this pair (and fail:
	 * their tag is older); a CAS keeps the locked path exact. */
	while (!cc_cas128(local, &cur, pair((init << 2) | L_INC, tag)))
		;
	atomic_store(&w->req.req_begin, tag);
	atomic_store(&w->req.ring, (void *)r);
	atomic_store(&w->req.kind, kind);
	atomic_store(&w->req.idx, idx);
	atomic_store(&w->req.init, init);
	atomic_store(&w->req.req_end, tag);
	return tag;
}

static void retire_request(struct cc_wcq_thread *w, uint64_t tag)
{
	atomic_store(&w->req.req_begin, tag + 1);
}

/* Set FIN in a local counter that holds value v (no flags) for request tag. */
static void set_fin(cc_u128 *local, uint64_t v, uint64_t tag)
{
	cc_u128 cur = pair(v << 2, tag);

	cc_cas128(local, &cur, pair((v << 2) | L_FIN, tag));
}

/* Confirm the increment that the phase-2 tag ptag published, unless its
 * writer has moved on (it confirms its own increments before publishing
 * another). */
static void phase2_confirm(uint64_t ptag)
{
	struct cc_smr_rec *rec = cc_smr_record_by_id((uint32_t)(ptag >> PHASE2_SEQ_BITS) - 1);
	struct cc_wcq_phase2 *p;
	uint64_t end, cnt, tag, begin;
	cc_u128 *local, cur;

	if (rec == NULL)
		return;
	p = &wt(rec)->phase2;
	end = atomic_load(&p->seq_end);
	local = atomic_load(&p->local);
	cnt = atomic_load(&p->cnt);
	tag = atomic_load(&p->tag);
	begin = atomic_load(&p->seq_begin);
	if (begin != end || (end & PHASE2_SEQ_MASK) != (ptag & PHASE2_SEQ_MASK) || local == NULL)
		return;
	cur = pair((cnt << 2) | L_INC, tag);
	cc_cas128(local, &cur, pair(cnt << 2, tag));
}

/* Clear the tag of a global counter (confirming what it published) and
 * return the counter's value. */
static uint64_t phase2_settle(cc_u128 *global)
{
	cc_u128 g = cc_load128(global);

	while (g.hi != 0) {
		STEP();
		phase2_confirm(g.hi);
		if (cc_cas128(global, &g, pair(g.lo, 0)))
			break;
	}
	return g.lo;
}

/*
 * Take the next counter value of global for the request (local, tag), whose
 * local value the caller last saw as *prev.  Returns true with *prev the
 * value taken (no flags), false when the request is complete (FIN) or over.
 */
static bool slow_inc(struct wring *r, cc_u128 *global, cc_u128 *local, uint64_t tag,
                     uint64_t *prev, bool is_head, struct cc_smr_rec *self)
{
	struct cc_wcq_phase2 *p2 = &wt(self)->phase2;

	for (;;) {
		cc_u128 exp = pair(*prev, tag), g;
		uint64_t cnt = phase2_settle(global), seq, ptag;

		STEP();
		if (cc_cas128(local, &exp, pair((cnt << 2) | L_INC, tag))) {
			*prev = (cnt << 2) | L_INC;
		} else {
			if (exp.hi != tag || (exp.lo & L_FIN))
				return false;
			*prev = exp.lo;
			if (!(exp.lo & L_INC))
				return true; /* a helper took a value for us */
			cnt = exp.lo >> 2;
		}
		/* Publish cnt -> cnt + 1 for the request (phase 2 record first). */
		seq = ++wt(self)->phase2_seq;
		atomic_store(&p2->seq_begin, seq);
		atomic_store(&p2->local, local);
		atomic_store(&p2->cnt, cnt);
		atomic_store(&p2->tag, tag);
		atomic_store(&p2->seq_end, seq);
		ptag = ((uint64_t)(self->id + 1) << PHASE2_SEQ_BITS) | (seq & PHASE2_SEQ_MASK);
		g = pair(cnt, 0);
		if (!cc_cas128(global, &g, pair(cnt + 1, ptag)))
			continue;
		if (is_head)
			atomic_fetch_sub(&r->threshold, 1);
		exp = pair((cnt << 2) | L_INC, tag);
		cc_cas128(local, &exp, pair(cnt << 2, tag));
		g = pair(cnt + 1, ptag);
		cc_cas128(global, &g, pair(cnt + 1, 0));
		*prev = cnt << 2;
		return true;
	}
}

/* ---- slow enqueue ---------------------------------------------------------- */

/* The item of request (w, tag) is at position t (entry word e): make the
 * request complete (FIN), then the entry (ENQ). */
static void enq_finish(struct wring *r, struct cc_wcq_thread *w, uint64_t tag, uint64_t t,
                       cc_u128 *slot, uint64_t e)
{
	cc_u128 cur = pair(t << 2, tag);

	if (cc_cas128(&w->local_tail, &cur, pair((t << 2) | L_FIN, tag)) && !(e & enq_bit(r)) &&
	    !f_empty(r, e))
		lo_cas(r, slot, &e, e | enq_bit(r));
	threshold_reset(r);
}

/* One position t for the enqueue request (w, tag) of index idx. */
static void enq_slow_try(struct wring *r, struct cc_wcq_thread *w, uint64_t tag, uint64_t t,
                         uint64_t idx)
{
	const uint64_t tcycle = cycle_of(r, t);
	cc_u128 *slot = slot_of(r, t);
	cc_u128 p = cc_load128(slot);

	for (;;) {
		uint64_t ec = p.lo & cycle_mask(r);

		STEP();
		if (ec == tcycle && (p.lo & f_mask(r)) != botc(r)) {
			/* only this request holds t: the item is ours */
			enq_finish(r, w, tag, t, slot, p.lo);
			return;
		}
		if (diff(ec, tcycle) >= 0 || diff(p.hi, tcycle) >= 0)
			return; /* passed, or another helper skipped it */
		if (f_empty(r, p.lo) &&
		    ((p.lo & safe_bit(r)) || diff(lo_load(&r->head), t) <= 0)) {
			cc_u128 ins = pair(tcycle | safe_bit(r) | idx, p.hi); /* ENQ clear */

			if (cc_cas128(slot, &p, ins)) {
				enq_finish(r, w, tag, t, slot, ins.lo);
				return;
			}
		} else if (cc_cas128(slot, &p, pair(p.lo, tcycle))) {
			return; /* noted: no helper of this request inserts here */
		}
	}
}

static void enq_slow_loop(struct wring *r, struct cc_wcq_thread *w, uint64_t tag, uint64_t idx,
                          uint64_t init, struct cc_smr_rec *self)
{
	uint64_t prev = (init << 2) | L_INC;

	while (slow_inc(r, &r->tail, &w->local_tail, tag, &prev, false, self))
		enq_slow_try(r, w, tag, prev >> 2, idx);
}

/* ---- slow dequeue ---------------------------------------------------------- */

/* One position h for the dequeue request (w, tag): set FIN when it holds
 * the request's item, or when the ring is empty. */
static void deq_slow_try(struct wring *r, struct cc_wcq_thread *w, uint64_t tag, uint64_t h)
{
	const uint64_t hcycle = cycle_of(r, h);
	cc_u128 *slot = slot_of(r, h);
	cc_u128 p = cc_load128(slot), nw;
	uint64_t t;

	for (;;) {
		uint64_t ec = p.lo & cycle_mask(r);

		STEP();
		if (ec == hcycle && (p.lo & f_mask(r)) != botc(r)) {
			set_fin(&w->local_head, h, tag);
			return;
		}
		if (diff(ec, hcycle) >= 0)
			break;
		if (!f_empty(r, p.lo)) {
			/* an older item: no slow-path enqueuer of this cycle may
			 * use the entry, and it becomes unsafe */
			if (diff(p.hi, hcycle) < 0) {
				if (!cc_cas128(slot, &p, pair(p.lo, hcycle)))
					continue;
				p.hi = hcycle;
			}
			nw = pair(p.lo & ~safe_bit(r), p.hi);
			if (nw.lo == p.lo)
				break;
		} else {
			nw = pair(hcycle | (p.lo & safe_bit(r)) | enq_bit(r) | botc(r), p.hi);
		}
		if (cc_cas128(slot, &p, nw))
			break;
	}
	t = lo_load(&r->tail);
	if (diff(t, h + 1) <= 0) {
		catchup(r, t, h + 1);
		set_fin(&w->local_head, h, tag);
	} else if (atomic_load(&r->threshold) < 0) {
		set_fin(&w->local_head, h, tag);
	}
}

static void deq_slow_loop(struct wring *r, struct cc_wcq_thread *w, uint64_t tag, uint64_t init,
                          struct cc_smr_rec *self)
{
	uint64_t prev = (init << 2) | L_INC;

	while (slow_inc(r, &r->head, &w->local_head, tag, &prev, true, self))
		deq_slow_try(r, w, tag, prev >> 2);
}

/* ---- helping --------------------------------------------------------------- */

/* A dequeuer found an item whose slow-path insertion is not complete (ENQ
 * clear) at position t: complete the request (FIN) so that none of its
 * helpers inserts the item again. */
static void enq_complete_for(struct wring *r, uint64_t t)
{
	struct cc_smr_rec *rec;

	for (rec = cc_smr_registry(); rec; rec = rec->next) {
		struct cc_wcq_thread *w = wt(rec);
		cc_u128 loc = cc_load128(&w->local_tail);
		uint64_t end;

		STEP();
		if (loc.lo != t << 2)
			continue;
		end = atomic_load(&w->req.req_end);
		if (end != loc.hi || atomic_load(&w->req.ring) != (void *)r ||
		    atomic_load(&w->req.kind) != REQ_ENQ || atomic_load(&w->req.req_begin) != end)
			continue;
		set_fin(&w->local_tail, t, end);
		return;
	}
}

/* Work on the request announced in rec, if it is on one of q's rings. */
static bool help_record(struct wcq_queue *q, struct cc_smr_rec *rec, struct cc_smr_rec *self)
{
	struct cc_wcq_thread *w = wt(rec);
	uint64_t end = atomic_load(&w->req.req_end), idx, init;
	struct wring *r = atomic_load(&w->req.ring);
	unsigned kind;

	if (r != &q->aq && r != &q->fq)
		return false; /* never announced, or on another queue */
	kind = atomic_load(&w->req.kind);
	idx = atomic_load(&w->req.idx);
	init = atomic_load(&w->req.init);
	if (atomic_load(&w->req.req_begin) != end)
		return false; /* over, or being written */
	if (kind == REQ_ENQ)
		enq_slow_loop(r, w, end, idx, init, self);
	else if (kind == REQ_DEQ)
		deq_slow_loop(r, w, end, init, self);
	return true;
}

/* Look for the next announced request on q (from where this thread
 * stopped, all records at most) and work on it until it is complete. */
static CC_NOINLINE void help_scan(struct wcq_queue *q, struct cc_smr_rec *self)
{
	struct cc_wcq_thread *me = wt(self);
	struct cc_smr_rec *rec = me->help_cursor, *first;

	first = rec = rec ? rec : cc_smr_registry();
	do {
		STEP();
		if (rec != self && help_record(q, rec, self)) {
			rec = rec->next;
			break;
		}
		rec = rec->next ? rec->next : cc_smr_registry();
	} while (rec != first);
	me->help_cursor = rec ? rec : cc_smr_registry();
}

/* Every CC_WCQ_HELP_DELAY ring operations, when requests are announced. */
static inline void maybe_help(struct wcq_queue *q, struct cc_smr_rec *self)
{
	if (CC_UNLIKELY(++wt(self)->help_tick >= CC_WCQ_HELP_DELAY)) {
		wt(self)->help_tick = 0;
		if (atomic_load(&q->announced) != 0)
			help_scan(q, self);
	}
}

/* ---- ring operations ------------------------------------------------------- */

static bool enq_fast_try(struct wring *r, uint64_t t, uint64_t idx)
{
	const uint64_t tcycle = cycle_of(r, t);
	cc_u128 *slot = slot_of(r, t);
	uint64_t e = lo_load(slot);

	for (;; STEP()) { /* the first look is counted by the caller */
		if (!(diff(e & cycle_mask(r), tcycle) < 0 && f_empty(r, e) &&
		      ((e & safe_bit(r)) || diff(lo_load(&r->head), t) <= 0)))
			return false;
		if (lo_cas(r, slot, &e, tcycle | safe_bit(r) | enq_bit(r) | idx))
			return true;
	}
}

/* Out of patience: announce the request and complete it with the helpers. */
static CC_NOINLINE CC_COLD void enqueue_slow(struct wcq_queue *q, struct wring *r, uint64_t idx,
                                             uint64_t t, struct cc_smr_rec *self)
{
	struct cc_wcq_thread *w = wt(self);
	uint64_t tag;

	atomic_fetch_add(&q->announced, 1);
	tag = announce(w, &w->local_tail, r, REQ_ENQ, idx, t);
	enq_slow_loop(r, w, tag, idx, t, self);
	/* A helper may have completed the request (FIN) and not yet reset
	 * the threshold: reset it before returning, or a pop that starts
	 * after this push returned could still see it negative and report
	 * an empty queue (found by TLC, tla/WCQ.tla). */
	threshold_reset(r);
	retire_request(w, tag);
	atomic_fetch_sub(&q->announced, 1);
}

static inline void ring_enqueue(struct wcq_queue *q, struct wring *r, uint64_t idx,
                                struct cc_smr_rec *self)
{
	unsigned patience = q->patience_enq;
	uint64_t t = 0;

	maybe_help(q, self);
	if (patience == 0)
		t = lo_load(&r->tail);
	while (patience-- > 0) {
		STEP();
		t = lo_faa(r, &r->tail, 1);
		if (enq_fast_try(r, t, idx)) {
			threshold_reset(r);
			return;
		}
	}
	enqueue_slow(q, r, idx, t, self);
}

/* Take the item at position h if it is of h's cycle; DEQ_AGAIN otherwise
 * (the entry is then closed for h's cycle), RING_EMPTY when the ring is
 * empty. */
static uint64_t deq_fast_try(struct wring *r, uint64_t h)
{
	const uint64_t hcycle = cycle_of(r, h);
	cc_u128 *slot = slot_of(r, h);
	uint64_t e = lo_load(slot), ec, nw, t;
	bool retry = false;

	do {
		if (retry)
			STEP(); /* the first look is counted by the caller */
		retry = true;
		ec = e & cycle_mask(r);
		if (ec == hcycle) {
			CC_ASSERT(!f_empty(r, e)); /* h is ours alone */
			if (!(e & enq_bit(r)))
				enq_complete_for(r, h);
			lo_or(r, slot, bot(r) | enq_bit(r));
			return e & f_mask(r);
		}
		if (!f_empty(r, e)) {
			nw = e & ~safe_bit(r);
			if (nw == e)
				break;
		} else {
			nw = hcycle | (e & safe_bit(r)) | enq_bit(r) | botc(r);
		}
	} while (diff(ec, hcycle) < 0 && !lo_cas(r, slot, &e, nw));

	t = lo_load(&r->tail);
	if (diff(t, h + 1) <= 0) {
		catchup(r, t, h + 1);
		atomic_fetch_sub(&r->threshold, 1);
		return RING_EMPTY;
	}
	if (atomic_fetch_sub(&r->threshold, 1) <= 0)
		return RING_EMPTY;
	return DEQ_AGAIN;
}

/* Out of patience: announce the request, complete it with the helpers, then
 * take the item at the position it ended on, if any. */
static CC_NOINLINE CC_COLD uint64_t dequeue_slow(struct wcq_queue *q, struct wring *r, uint64_t h,
                                                 struct cc_smr_rec *self)
{
	struct cc_wcq_thread *w = wt(self);
	uint64_t tag, e;
	cc_u128 loc, *slot;

	atomic_fetch_add(&q->announced, 1);
	tag = announce(w, &w->local_head, r, REQ_DEQ, 0, h);
	deq_slow_loop(r, w, tag, h, self);
	retire_request(w, tag);
	atomic_fetch_sub(&q->announced, 1);

	/* FIN is set: take the item at the position it names, if any (only
	 * this request holds that position). */
	loc = cc_load128(&w->local_head);
	h = loc.lo >> 2;
	slot = slot_of(r, h);
	e = lo_load(slot);
	if ((e & cycle_mask(r)) == cycle_of(r, h) && !f_empty(r, e)) {
		if (!(e & enq_bit(r)))
			enq_complete_for(r, h);
		lo_or(r, slot, bot(r) | enq_bit(r));
		return e & f_mask(r);
	}
	return RING_EMPTY;
}

static inline uint64_t ring_dequeue(struct wcq_queue *q, struct wring *r, struct cc_smr_rec *self)
{
	unsigned patience = q->patience_deq;
	uint64_t h = 0, res;

	if (atomic_load(&r->threshold) < 0)
		return RING_EMPTY;
	maybe_help(q, self);
	if (patience == 0)
		h = lo_load(&r->head);
	while (patience-- > 0) {
		STEP();
		h = lo_faa(r, &r->head, 1);
		res = deq_fast_try(r, h);
		if (res != DEQ_AGAIN)
			return res;
	}
	return dequeue_slow(q, r, h, self);
}

/* ---- the queue ------------------------------------------------------------- */

static inline void steps_begin(void)
{
	wcq_steps = 0;
}

static inline void steps_end(struct wcq_queue *q)
{
	uint64_t cur;

	if (CC_LIKELY(!q->count_steps))
		return;
	cur = atomic_load_explicit(&q->max_steps, memory_order_relaxed);
	while (wcq_steps > cur &&
	       !atomic_compare_exchange_weak_explicit(&q->max_steps, &cur, wcq_steps,
	                                              memory_order_relaxed, memory_order_relaxed))
		;
}

static inline struct cc_smr_rec *self_record(void)
{
	struct cc_smr_rec *self = cc_smr_self;

	return CC_LIKELY(self != NULL) ? self : cc_smr_register();
}

static int wcq_push(concoll_queue_t *base, void *item)
{
	struct wcq_queue *q = (struct wcq_queue *)base;
	struct cc_smr_rec *self = self_record();
	uint64_t idx;

	if (CC_UNLIKELY(self == NULL))
		return -ENOMEM;
	steps_begin();
	idx = ring_dequeue(q, &q->fq, self);
	if (idx == RING_EMPTY) {
		steps_end(q);
		return -EAGAIN;
	}
	/* relaxed: published by the insertion of idx into aq (seq_cst) */
	atomic_store_explicit(&q->data[idx], item, memory_order_relaxed);
	ring_enqueue(q, &q->aq, idx, self);
	steps_end(q);
	return 0;
}

static int wcq_pop(concoll_queue_t *base, void **item)
{
	struct wcq_queue *q = (struct wcq_queue *)base;
	struct cc_smr_rec *self = self_record();
	uint64_t idx;

	if (CC_UNLIKELY(self == NULL))
		return -ENOMEM;
	steps_begin();
	idx = ring_dequeue(q, &q->aq, self);
	if (idx == RING_EMPTY) {
		steps_end(q);
		return -EAGAIN;
	}
	/* relaxed: ordered after the push's store by aq's entry, and before
	 * the slot's reuse by fq's */
	*item = atomic_load_explicit(&q->data[idx], memory_order_relaxed);
	ring_enqueue(q, &q->fq, idx, self);
	steps_end(q);
	return 0;
}

static size_t wcq_size(concoll_queue_t *base)
{
	struct wcq_queue *q = (struct wcq_queue *)base;
	uint64_t h = lo_load(&q->aq.head), t = lo_load(&q->aq.tail);
	int64_t d = diff(t, h);
	uint64_t n = (uint64_t)1 << q->order;

	if (d <= 0)
		return 0;
	return (uint64_t)d > n ? (size_t)n : (size_t)d;
}

static void wcq_destroy(concoll_queue_t *base, void (*release)(void *, void *), void *ctx)
{
	struct wcq_queue *q = (struct wcq_queue *)base;
	struct wring *r = &q->aq;
	uint64_t h, t = lo_load(&r->tail);

	/* Quiescent: the items are at positions [Head, Tail) of aq, each in
	 * the cycle of its position, in FIFO order. */
	for (h = lo_load(&r->head); release && diff(h, t) < 0; h++) {
		uint64_t e = lo_load(slot_of(r, h));

		if ((e & cycle_mask(r)) == cycle_of(r, h) && !f_empty(r, e))
			release(atomic_load_explicit(&q->data[e & f_mask(r)], memory_order_relaxed), ctx);
	}
	cc_free(q, q->alloc_size, CC_CACHELINE);
}

static const struct cc_queue_ops wcq_ops = {
	CONCOLL_QUEUE_WCQ, "wcq", wcq_push, wcq_pop, wcq_size, wcq_destroy,
};

static size_t round_line(size_t x)
{
	return (x + CC_CACHELINE - 1) & ~(size_t)(CC_CACHELINE - 1);
}

concoll_queue_t *cc_wcq_create(unsigned order)
{
	size_t head = round_line(sizeof(struct wcq_queue));
	size_t ring_bytes, data_bytes, size;
	struct wcq_queue *q;
	char *p;
	size_t i;

	if (order == 0)
		order = 1; /* BOTC must not be an index */
	ring_bytes = round_line(((size_t)2 << order) * sizeof(cc_u128));
	data_bytes = round_line(((size_t)1 << order) * sizeof(void *));
	size = head + 2 * ring_bytes + data_bytes;
	q = cc_alloc(size, CC_CACHELINE);
	if (q == NULL) {
		errno = ENOMEM;
		return NULL;
	}
	q->base.ops = &wcq_ops;
	q->base.capacity = (size_t)1 << order;
	q->alloc_size = size;
	q->order = order;
	q->patience_enq = CC_WCQ_PATIENCE_ENQ;
	q->patience_deq = CC_WCQ_PATIENCE_DEQ;
	q->count_steps = false;
	atomic_init(&q->max_steps, 0);
	atomic_init(&q->announced, 0);
	p = (char *)q + head;
	ring_init(&q->aq, order, (cc_u128 *)(void *)p, false);
	ring_init(&q->fq, order, (cc_u128 *)(void *)(p + ring_bytes), true);
	q->data = (_Atomic(void *) *)(void *)(p + 2 * ring_bytes);
	for (i = 0; i < ((size_t)1 << order); i++)
		atomic_init(&q->data[i], NULL);
	return &q->base;
}

/* ---- test hooks ------------------------------------------------------------ */

int cc_wcq_set_patience(concoll_queue_t *base, unsigned enq, unsigned deq)
{
	struct wcq_queue *q = (struct wcq_queue *)base;

	if (base == NULL || base->ops != &wcq_ops)
		return -EINVAL;
	q->patience_enq = enq;
	q->patience_deq = deq;
	q->count_steps = true;
	atomic_store(&q->max_steps, 0);
	return 0;
}

uint64_t cc_wcq_max_steps(concoll_queue_t *base)
{
	return atomic_load(&((struct wcq_queue *)base)->max_steps);
}

/*
 * The bound stated in concoll_queue_create(3), for T registered threads,
 * patience P (the larger of the two), help delay D and capacity n.  A push
 * or pop is two ring operations.  A ring operation tries at most P
 * positions on the fast path.  Once announced, its request is found by
 * every other thread that operates on the queue within D * T of that
 * thread's ring operations (each look scans the records from where the
 * last one stopped and takes the first request announced on this queue),
 * and from then on that thread works for the request instead of competing
 * with it; until then each other thread can make the request's CAS on the
 * global counter fail at most once per position it takes, P per ring
 * operation, and each of the T announced requests ahead of it in the scan
 * order is completed first.  Once every thread works for the request, an
 * enqueue needs at most N = 2n further positions (at most n hold items) and
 * a dequeue at most 3n (the threshold).  Every position costs O(1) steps
 * apart from the O(T) scan when an incomplete insertion is met, and each
 * look for announcements costs at most T steps plus the requests it helps.
 * So a ring operation takes O((P + D) * T^2 * T + n * T) steps in the worst
 * case; the constant below is generous on purpose (it is a bound, not an
 * estimate): tests check that no operation ever exceeds it.
 */
uint64_t cc_wcq_step_bound(concoll_queue_t *base, uint64_t threads)
{
	struct wcq_queue *q = (struct wcq_queue *)base;
	uint64_t t = threads + 1, n = (uint64_t)1 << q->order;
	uint64_t p = CC_WCQ_PATIENCE_DEQ + CC_WCQ_HELP_DELAY;

	return 2 * 16 * ((p * t * t * t) + 4 * n * t + 64);
}
