/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * SCQ index ring and SCQD pointer queue (internal).
 *
 * Nikolaev, "A Scalable, Portable, and Memory-Efficient Lock-Free FIFO
 * Queue", DISC 2019.  An index ring of capacity n = 2^order holds indices in
 * [0, n) in a circular array of 2n entries, with single-width FAA on Head
 * and Tail, single-width CAS and OR on entries.  Because at most n indices
 * are ever in the ring, enqueue always finds a usable entry; a dequeuer that
 * overtakes a slow enqueuer marks the entry unsafe (or moves it to its own
 * cycle) so that the enqueuer retries elsewhere.  The threshold (3n - 1
 * after every enqueue, decremented by failing dequeuers) bounds how far
 * dequeuers run on an empty ring, which rules out their livelock.
 *
 * SCQD stores pointers: an "allocated" ring aq and a "free" ring fq of
 * indices into an array.  push takes an index from fq, stores the pointer,
 * enqueues the index in aq; pop does the reverse.
 *
 * Entry layout (our own), with n = 2^order and N = 2n entries:
 *
 *   bits [0, order]        index field: i < n is an index; any value with
 *                          bit `n` set is empty (n..N-1; N-1 when fresh)
 *   bit  order + 1         IsSafe
 *   bits [order + 2, 63]   cycle of the Tail/Head value that wrote it
 *
 * A Tail/Head value T addresses entry remap(T mod N) in cycle T / N.
 * Cycles compare by wrapping difference (64-bit counters never wrap in
 * practice: 2^62 operations).
 *
 * Finalization (for LSCQ): bit 63 of aq's Tail closes the ring; enqueuers
 * that see it in their FAA result fail and move to the next ring.
 */
#ifndef CC_QUEUE_SCQ_RING_H
#define CC_QUEUE_SCQ_RING_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "platform/compiler.h"

#define CC_SCQ_EMPTY UINT64_MAX
#define CC_SCQ_MAX_ORDER 30u

/* One ring's words, wherever the SCQD placed them. */
struct cc_scq_ring {
	_Atomic uint64_t *head;
	_Atomic uint64_t *tail;
	_Atomic int64_t *threshold;
	_Atomic uint64_t *entry; /* 2n entries, cache-aligned */
};

/*
 * The counters are grouped by who writes them: a push takes an index from
 * fq (FAA on fq's Head) and enqueues it in aq (FAA on aq's Tail), a pop
 * does the opposite pair, so each side finds both of its counters in one
 * cache line.  The thresholds, read by every operation and written rarely,
 * have lines of their own.
 */
struct cc_scqd {
	unsigned order;
	struct cc_scq_ring aq;  /* indices of slots holding pointers, FIFO */
	struct cc_scq_ring fq;  /* indices of free slots */
	_Atomic(void *) *data;  /* n pointers */
	CC_CACHE_ALIGNED _Atomic uint64_t push_side[2]; /* fq Head, aq Tail */
	CC_CACHE_ALIGNED _Atomic uint64_t pop_side[2];  /* aq Head, fq Tail */
	CC_CACHE_ALIGNED _Atomic int64_t aq_threshold;
	CC_CACHE_ALIGNED _Atomic int64_t fq_threshold;
};

enum { CC_SCQD_OK = 0, CC_SCQD_FULL = 1, CC_SCQD_EMPTY = 2 };

/* Bytes needed by cc_scqd_init's arrays for the given order. */
CC_INTERNAL size_t cc_scqd_arrays_size(unsigned order);
/* Initialize an empty SCQD whose arrays live at mem (cc_scqd_arrays_size
 * bytes, CC_CACHELINE-aligned). */
CC_INTERNAL void cc_scqd_init(struct cc_scqd *q, unsigned order, void *mem);
/* finalizable: LSCQ rings; a full ring is closed and push fails for good. */
CC_INTERNAL int cc_scqd_push(struct cc_scqd *q, void *ptr, bool finalizable);
CC_INTERNAL int cc_scqd_pop(struct cc_scqd *q, void **ptr);
/* Items in the queue, approximately (exact when quiescent). */
CC_INTERNAL size_t cc_scqd_size(struct cc_scqd *q);
/* Let dequeuers make one more full pass (LSCQ, before leaving a ring). */
CC_INTERNAL void cc_scqd_reset_threshold(struct cc_scqd *q);

#endif /* CC_QUEUE_SCQ_RING_H */
