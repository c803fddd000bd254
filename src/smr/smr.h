/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Safe memory reclamation: the interface every algorithm uses (internal).
 *
 * Epoch-based reclamation with one process-wide domain.  A thread record
 * holds the state word others read:
 *
 *   0                      idle (outside every guard)
 *   CC_SMR_STEAL           idle, and a barrier is taking its garbage
 *   (epoch << 2) | ACTIVE  inside a guard entered while the global epoch
 *                          was `epoch`
 *
 * The global epoch advances from e to e+1 only when every active record
 * announces e.  An object retired by a thread pinned at epoch p is stamped
 * p+1 (the global epoch cannot exceed p+1 while that thread is pinned: the
 * pin re-reads the epoch after announcing, and announces again until the
 * epoch it reads is the one it announced) and
 * freed once the global epoch reaches stamp+2: by then every thread that
 * was inside a guard when the object was unlinked has left it.
 *
 * Usage in an algorithm:
 *
 *   struct cc_smr_rec *self = cc_smr_enter();
 *   if (!self) return -ENOMEM;           // first call, no memory for the record
 *   ... read shared nodes, unlink one ...
 *   cc_smr_retire(self, &node->smr, node_free);
 *   cc_smr_exit(self);
 */
#ifndef CC_SMR_SMR_H
#define CC_SMR_SMR_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "concoll/smr.h"
#include "platform/atomics.h"
#include "queue/wcq_thread.h"

#define CC_SMR_ACTIVE 1u
#define CC_SMR_STEAL 2u
#define CC_SMR_BUCKETS 4

/* Objects retired under one stamp, as an intrusive singly linked list. */
struct cc_smr_bucket {
	concoll_smr_head_t *head;
	concoll_smr_head_t *tail;
	uint64_t stamp;
	uint64_t count;
};

struct cc_smr_rec {
	/* Read by other threads. */
	_Atomic uint64_t state;
	_Atomic uint32_t in_use;    /* owned by a live thread */
	_Atomic uint32_t flush_req; /* a barrier waits for this record's garbage */
	struct cc_smr_rec *next;    /* registry link, immutable once published */
	/* Written by the owner, read by concoll_smr_stats(). */
	_Atomic uint64_t retired;
	_Atomic uint64_t freed;

	/* Owner only (or a barrier holding CC_SMR_STEAL). */
	CC_CACHE_ALIGNED unsigned nest;   /* guard nesting depth */
	unsigned since_collect;           /* retires since the last collection */
	uint64_t pinned_epoch;            /* epoch announced by the outermost guard */
	struct cc_smr_bucket bucket[CC_SMR_BUCKETS];
	uint64_t rng;                     /* per-thread random state for algorithms */
	/* Immutable once published: the record's place in the id table. */
	uint32_t id;
	/* The wait-free queue's announced request and helping state. */
	CC_CACHE_ALIGNED struct cc_wcq_thread wcq;
};

extern CC_INTERNAL CC_TLS struct cc_smr_rec *cc_smr_self;
extern CC_INTERNAL _Atomic uint64_t cc_smr_epoch;

/* Register the calling thread; NULL when its record cannot be allocated. */
CC_INTERNAL struct cc_smr_rec *cc_smr_register(void);
/* The most recently published record (the registry is a list linked by
 * next, in reverse order of creation; records are never freed). */
CC_INTERNAL struct cc_smr_rec *cc_smr_registry(void);
/* The record with the given id; NULL if none was published with it. */
CC_INTERNAL struct cc_smr_rec *cc_smr_record_by_id(uint32_t id);
/* Largest record id plus one (ids are dense from 0). */
#define CC_SMR_MAX_RECORDS ((uint32_t)1 << 22)

/* Leave the outermost guard when a barrier asked for this record's garbage. */
CC_INTERNAL void cc_smr_handoff(struct cc_smr_rec *self);

static inline void cc_smr_pin(struct cc_smr_rec *self)
{
	uint64_t e, now;

	for (;;) {
		uint64_t idle = 0;

		/* acquire: pairs with the release CAS that advanced the epoch, so
		 * unlinks made before that advance are visible to our reads */
		e = atomic_load_explicit(&cc_smr_epoch, memory_order_acquire);
		/* seq_cst: the announcement must be visible before any of our
		 * reads of shared nodes (the store-load edge of the pin/scan
		 * pair); a locked CAS is a full barrier on x86, elsewhere the
		 * fence below adds it */
		if (CC_LIKELY(atomic_compare_exchange_strong_explicit(
			    &self->state, &idle, (e << 2) | CC_SMR_ACTIVE, memory_order_seq_cst,
			    memory_order_relaxed)))
			break;
		cc_pause(); /* a barrier is taking our garbage: wait for it */
	}
#if !defined(__x86_64__)
	cc_smp_mb();
#endif
	/* Retire relies on "the global epoch is at most pinned + 1 while we
	 * are pinned".  It holds once the epoch read after our announcement
	 * became visible is the one we announced.  If it moved at all, a
	 * scanner that saw our record idle before the announcement may still
	 * advance it once more (two past what we announced: TLC found it,
	 * tla/EpochSMR.tla), so announce the newer epoch and look again (no
	 * barrier touches an active state word). */
	while ((now = atomic_load_explicit(&cc_smr_epoch, memory_order_acquire)) != e) {
		e = now;
		atomic_store_explicit(&self->state, (e << 2) | CC_SMR_ACTIVE, memory_order_seq_cst);
#if !defined(__x86_64__)
		cc_smp_mb();
#endif
	}
	self->pinned_epoch = e;
}

static inline struct cc_smr_rec *cc_smr_enter(void)
{
	struct cc_smr_rec *self = cc_smr_self;

	if (CC_UNLIKELY(self == NULL)) {
		self = cc_smr_register();
		if (self == NULL)
			return NULL;
	}
	if (self->nest++ == 0)
		cc_smr_pin(self);
	return self;
}

static inline void cc_smr_exit(struct cc_smr_rec *self)
{
	if (--self->nest == 0) {
		if (CC_UNLIKELY(atomic_load_explicit(&self->flush_req, memory_order_relaxed)))
			cc_smr_handoff(self);
		/* release: every read made inside the guard happens before a
		 * reclaimer that sees us idle frees anything */
		atomic_store_explicit(&self->state, 0, memory_order_release);
	}
}

/* Retire head (fn frees it after the grace period).  The caller is inside
 * a guard (self->nest > 0) and has unlinked the object in that guard. */
CC_INTERNAL void cc_smr_retire(struct cc_smr_rec *self, concoll_smr_head_t *head,
                               void (*fn)(concoll_smr_head_t *));

/* Advance the epoch if possible and run the callbacks that are due (also
 * of adopted garbage).  Inside or outside a guard of self's; returns how
 * many ran.  Retiring an object of a few bytes needs no explicit collect
 * (every CC_SMR_COLLECT_EVERY-th retire does one); an algorithm that
 * retires large objects rarely (LSCQ rings) collects after each. */
CC_INTERNAL uint64_t cc_smr_collect(struct cc_smr_rec *self);

#endif /* CC_SMR_SMR_H */
