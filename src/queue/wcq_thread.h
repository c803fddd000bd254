/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The wait-free queue's per-thread state (internal).  It lives in the
 * thread's SMR record (src/smr/smr.h), which gives it automatic
 * registration, recycling when the thread exits, a registry that helpers
 * walk, and an id.  Records are never freed, so helpers may read any
 * record at any time; the sequence numbers below tell them whether what
 * they read belongs to the request they mean.
 */
#ifndef CC_QUEUE_WCQ_THREAD_H
#define CC_QUEUE_WCQ_THREAD_H

#include <stdatomic.h>
#include <stdint.h>

#include "platform/atomics.h"

/*
 * The announced request.  Written by the owner only, as a sequence lock:
 * req_begin and req_end are equal (the request's tag) while the request is
 * announced and its fields are valid; the owner ends it by advancing
 * req_begin.  kind 0 means "never announced".
 */
struct cc_wcq_request {
	_Atomic uint64_t req_begin;
	_Atomic(void *) ring;     /* which index ring */
	_Atomic uint32_t kind;    /* CC_WCQ_REQ_ENQ or CC_WCQ_REQ_DEQ */
	_Atomic uint64_t idx;     /* the index to enqueue */
	_Atomic uint64_t init;    /* the counter value the request started from */
	_Atomic uint64_t req_end;
};

/*
 * A published counter increment ("phase 2"): a thread that moved a global
 * Head or Tail on behalf of a request writes here (single writer: the
 * record's owner), then tags the global counter with (record id, seq).
 * Whoever finds the tag confirms the increment in the request's local
 * counter before clearing the tag.
 */
struct cc_wcq_phase2 {
	_Atomic uint64_t seq_begin;
	_Atomic(cc_u128 *) local; /* the request's local counter pair */
	_Atomic uint64_t cnt;     /* the counter value taken for it */
	_Atomic uint64_t tag;     /* the request's tag (local's high word) */
	_Atomic uint64_t seq_end;
};

struct cc_wcq_thread {
	/* Local counters of the current request: { value << 2 | FIN | INC,
	 * request tag }, changed only by 16-byte CAS. */
	cc_u128 local_tail;
	cc_u128 local_head;
	struct cc_wcq_request req;
	struct cc_wcq_phase2 phase2;
	/* Owner only. */
	uint64_t next_tag;    /* last request tag used */
	uint64_t phase2_seq;  /* last phase-2 sequence used */
	void *help_cursor;    /* next record to look at (struct cc_smr_rec *) */
	unsigned help_tick;     /* ring operations since the last help */
};

#endif /* CC_QUEUE_WCQ_THREAD_H */
