/* SPDX-License-Identifier: BSD-3-Clause */
/* SCQ index rings and the SCQD pointer queue; see scq_ring.h. */
#include "config.h"

#include <string.h>

#include "platform/atomics.h"
#include "queue/scq_ring.h"

#define FINALIZED ((uint64_t)1 << 63)
/* log2 of the entries per 64-byte line: consecutive positions are spread
 * over different cache lines */
#define SPREAD_SHIFT 3u

static inline uint64_t ring_entries(unsigned order)
{
	return (uint64_t)2 << order;
}

static inline uint64_t safe_bit(unsigned order)
{
	return (uint64_t)1 << (order + 1);
}

/* Mask of the cycle bits of an entry. */
static inline uint64_t cycle_mask(unsigned order)
{
	return ~((safe_bit(order) << 1) - 1);
}

/* The cycle of a Tail/Head value, positioned like an entry's cycle. */
static inline uint64_t counter_cycle(uint64_t t, unsigned order)
{
	return (t << 1) & cycle_mask(order);
}

static inline bool index_is_empty(uint64_t entry, unsigned order)
{
	return (entry & ((uint64_t)1 << order)) != 0;
}

static inline int64_t cycle_diff(uint64_t a, uint64_t b)
{
	return (int64_t)(a - b);
}

static inline uint64_t remap(uint64_t pos, unsigned order)
{
	unsigned bits = order + 1;
	uint64_t mask = ring_entries(order) - 1;

	pos &= mask;
	if (bits <= SPREAD_SHIFT)
		return pos;
	return (pos >> (bits - SPREAD_SHIFT)) | ((pos << SPREAD_SHIFT) & mask);
}

static inline int64_t threshold_full(unsigned order)
{
	return (int64_t)3 * ((int64_t)1 << order) - 1;
}

static void ring_init(struct cc_scq_ring *r, unsigned order, _Atomic uint64_t *entries,
                      _Atomic uint64_t *head, _Atomic uint64_t *tail, _Atomic int64_t *threshold,
                      bool full)
{
	uint64_t n = (uint64_t)1 << order, N = ring_entries(order), i;
	/* cycle 0, safe, empty */
	uint64_t fresh = safe_bit(order) | (N - 1);

	r->entry = entries;
	r->head = head;
	r->tail = tail;
	r->threshold = threshold;
	for (i = 0; i < N; i++)
		atomic_init(&entries[i], fresh);
	/* Head and Tail start at N: cycle 1, newer than every entry. */
	atomic_init(r->head, N);
	if (full) {
		for (i = 0; i < n; i++)
			atomic_init(&entries[remap(N + i, order)],
			            counter_cycle(N + i, order) | safe_bit(order) | i);
		atomic_init(r->tail, N + n);
		atomic_init(r->threshold, threshold_full(order));
	} else {
		atomic_init(r->tail, N);
		atomic_init(r->threshold, -1);
	}
}

/* Enqueue idx (< n).  Fails only when finalizable and the ring is closed. */
static bool ring_enqueue(struct cc_scq_ring *r, unsigned order, uint64_t idx, bool finalizable)
{
	const uint64_t safe = safe_bit(order);

	for (;;) {
		/* seq_cst: the Tail/Head/threshold protocol is proven under SC */
		uint64_t t = atomic_fetch_add_explicit(r->tail, 1, memory_order_seq_cst);
		uint64_t tcycle, entry;
		_Atomic uint64_t *slot;

		if (finalizable && (t & FINALIZED)) {
			/* undo our increment: a closed ring's Tail then counts
			 * exactly its items again once quiescent (size) */
			atomic_fetch_sub_explicit(r->tail, 1, memory_order_seq_cst);
			return false;
		}
		tcycle = counter_cycle(t, order);
		slot = &r->entry[remap(t, order)];
		/* acquire: pairs with the release of the last writer of the entry */
		entry = atomic_load_explicit(slot, memory_order_acquire);
		while (cycle_diff(entry & cycle_mask(order), tcycle) < 0 && index_is_empty(entry, order) &&
		       ((entry & safe) ||
		        cycle_diff(atomic_load_explicit(r->head, memory_order_seq_cst), t) <= 0)) {
			/* release: publishes what the caller stored for idx (the
			 * data slot); acquire on failure: we re-examine the entry */
			if (atomic_compare_exchange_weak_explicit(slot, &entry, tcycle | safe | idx,
			                                          memory_order_acq_rel,
			                                          memory_order_acquire)) {
				if (atomic_load_explicit(r->threshold, memory_order_seq_cst) !=
				    threshold_full(order))
					atomic_store_explicit(r->threshold, threshold_full(order),
					                      memory_order_seq_cst);
				return true;
			}
		}
	}
}

/* Move Tail up to head when dequeuers overran it, so enqueuers do not
 * waste their FAAs on entries that dequeuers already passed. */
static void ring_catchup(struct cc_scq_ring *r, uint64_t tail, uint64_t head)
{
	while (!atomic_compare_exchange_weak_explicit(r->tail, &tail, head, memory_order_seq_cst,
	                                              memory_order_seq_cst)) {
		head = atomic_load_explicit(r->head, memory_order_seq_cst);
		tail = atomic_load_explicit(r->tail, memory_order_seq_cst);
		if ((tail & FINALIZED) || cycle_diff(tail, head) >= 0)
			break;
	}
}

static uint64_t ring_dequeue(struct cc_scq_ring *r, unsigned order)
{
	const uint64_t safe = safe_bit(order), n = (uint64_t)1 << order;
	const uint64_t empty = ring_entries(order) - 1;

	if (atomic_load_explicit(r->threshold, memory_order_seq_cst) < 0)
		return CC_SCQ_EMPTY;
	for (;;) {
		uint64_t h = atomic_fetch_add_explicit(r->head, 1, memory_order_seq_cst);
		uint64_t hcycle = counter_cycle(h, order), entry, ecycle, repl, t;
		_Atomic uint64_t *slot = &r->entry[remap(h, order)];

		/* acquire: pairs with the enqueuer's release CAS */
		entry = atomic_load_explicit(slot, memory_order_acquire);
		do {
			ecycle = entry & cycle_mask(order);
			if (ecycle == hcycle) {
				/* Ours: mark it consumed (index field empty), keep cycle
				 * and IsSafe.  acq_rel: acquire as the load above; the
				 * caller's read of the data slot comes after this and is
				 * ordered before the slot's reuse by the release CAS that
				 * gives the index back to fq. */
				atomic_fetch_or_explicit(slot, n, memory_order_acq_rel);
				return entry & (n - 1);
			}
			if (!index_is_empty(entry, order)) {
				/* A value of another cycle, still unconsumed: mark the
				 * entry unsafe so that no late enqueuer of our cycle
				 * writes behind its dequeuer. */
				repl = entry & ~safe;
				if (repl == entry)
					break;
			} else {
				/* Empty: move it to our cycle so a late enqueuer of our
				 * cycle fails and retries. */
				repl = hcycle | (entry & safe) | empty;
			}
		} while (cycle_diff(ecycle, hcycle) < 0 &&
		         !atomic_compare_exchange_weak_explicit(slot, &entry, repl, memory_order_acq_rel,
		                                                memory_order_acquire));

		t = atomic_load_explicit(r->tail, memory_order_seq_cst);
		if (cycle_diff(t & ~FINALIZED, h + 1) <= 0) {
			if (!(t & FINALIZED))
				ring_catchup(r, t, h + 1);
			atomic_fetch_sub_explicit(r->threshold, 1, memory_order_seq_cst);
			return CC_SCQ_EMPTY;
		}
		if (atomic_fetch_sub_explicit(r->threshold, 1, memory_order_seq_cst) <= 0)
			return CC_SCQ_EMPTY;
	}
}

static size_t entries_bytes(unsigned order)
{
	return (size_t)ring_entries(order) * sizeof(uint64_t);
}

static size_t round_line(size_t x)
{
	return (x + CC_CACHELINE - 1) & ~(size_t)(CC_CACHELINE - 1);
}

size_t cc_scqd_arrays_size(unsigned order)
{
	return 2 * round_line(entries_bytes(order)) + round_line(((size_t)1 << order) * sizeof(void *));
}

void cc_scqd_init(struct cc_scqd *q, unsigned order, void *mem)
{
	char *p = mem;
	size_t i;

	q->order = order;
	ring_init(&q->aq, order, (_Atomic uint64_t *)(void *)p, &q->pop_side[0], &q->push_side[1],
	          &q->aq_threshold, false);
	p += round_line(entries_bytes(order));
	ring_init(&q->fq, order, (_Atomic uint64_t *)(void *)p, &q->push_side[0], &q->pop_side[1],
	          &q->fq_threshold, true);
	p += round_line(entries_bytes(order));
	q->data = (_Atomic(void *) *)(void *)p;
	for (i = 0; i < ((size_t)1 << order); i++)
		atomic_init(&q->data[i], NULL);
}

int cc_scqd_push(struct cc_scqd *q, void *ptr, bool finalizable)
{
	uint64_t idx = ring_dequeue(&q->fq, q->order);

	if (idx == CC_SCQ_EMPTY) {
		if (finalizable)
			atomic_fetch_or_explicit(q->aq.tail, FINALIZED, memory_order_seq_cst);
		return CC_SCQD_FULL;
	}
	/* relaxed: published by the release CAS that enqueues idx in aq */
	atomic_store_explicit(&q->data[idx], ptr, memory_order_relaxed);
	if (!ring_enqueue(&q->aq, q->order, idx, finalizable)) {
		ring_enqueue(&q->fq, q->order, idx, false);
		return CC_SCQD_FULL;
	}
	return CC_SCQD_OK;
}

int cc_scqd_pop(struct cc_scqd *q, void **ptr)
{
	uint64_t idx = ring_dequeue(&q->aq, q->order);

	if (idx == CC_SCQ_EMPTY)
		return CC_SCQD_EMPTY;
	/* relaxed: ordered after the enqueuer's store by the entry's
	 * release/acquire, and before the slot's reuse by fq's */
	*ptr = atomic_load_explicit(&q->data[idx], memory_order_relaxed);
	ring_enqueue(&q->fq, q->order, idx, false);
	return CC_SCQD_OK;
}

size_t cc_scqd_size(struct cc_scqd *q)
{
	/* seq_cst: read head first; a concurrent dequeue can only make the
	 * difference smaller than the true size, never negative after the
	 * clamp */
	uint64_t h = atomic_load_explicit(q->aq.head, memory_order_seq_cst);
	uint64_t t = atomic_load_explicit(q->aq.tail, memory_order_seq_cst) & ~FINALIZED;
	int64_t d = cycle_diff(t, h);
	uint64_t n = (uint64_t)1 << q->order;

	if (d <= 0)
		return 0;
	return (uint64_t)d > n ? (size_t)n : (size_t)d;
}

void cc_scqd_reset_threshold(struct cc_scqd *q)
{
	atomic_store_explicit(q->aq.threshold, threshold_full(q->order), memory_order_seq_cst);
}
