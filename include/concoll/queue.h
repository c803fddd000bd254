/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libconcoll: multi-producer multi-consumer FIFO queues of pointers.
 *
 * One API, several algorithms ("kinds") chosen at creation:
 *
 *   CONCOLL_QUEUE_SCQ   bounded, lock-free; Nikolaev's Scalable Circular
 *                       Queue (DISC 2019), single-width atomics only
 *                       (two index rings and an array of pointers).
 *   CONCOLL_QUEUE_LSCQ  unbounded, lock-free; a linked list of SCQ rings,
 *                       rings reclaimed through SMR.  The default.
 *   CONCOLL_QUEUE_LCRQ  unbounded; Morrison and Afek's LCRQ (PPoPP 2013):
 *                       linked CRQ rings whose cells are updated with a
 *                       16-byte CAS (cmpxchg16b on x86-64, CASP on ARM64
 *                       with LSE, chosen at run time).  Lock-free where the
 *                       CPU has that CAS; elsewhere (or with
 *                       CONCOLL_CPU_DISABLE=cx16,lse) the portable 16-byte
 *                       CAS takes a striped lock and pushes and pops may
 *                       block.
 *   CONCOLL_QUEUE_WCQ   bounded, wait-free; Nikolaev and Ravindran's wCQ
 *                       (SPAA 2022): SCQ's rings with 16-byte entries, a
 *                       fast path of bounded patience and a slow path in
 *                       which the other threads help.  Every push and pop
 *                       completes in a bounded number of its own steps
 *                       where the 16-byte CAS is one instruction (see
 *                       concoll_queue_create(3) for the bound); blocking
 *                       with the portable CAS, as LCRQ.
 *   CONCOLL_QUEUE_WAITFREE  the wait-free kind: wCQ.
 *   CONCOLL_QUEUE_FAST  not an algorithm but a choice made at creation:
 *                       LCRQ where the CPU has the 16-byte CAS, LSCQ
 *                       otherwise.  concoll_queue_kind() and
 *                       concoll_queue_kind_name() report which.
 *
 * Items are non-NULL pointers (or non-zero integers cast to pointers); the
 * queue never dereferences them.  NULL is refused with -EINVAL.
 *
 * Capacity (SCQ, wCQ): the requested capacity is rounded up to the next
 * power of two (1 stays 1 for SCQ, becomes 2 for wCQ), and
 * concoll_queue_capacity() reports the result; the largest capacity is
 * 2^30.  A bounded queue has no default: capacity 0 is refused with EINVAL.  LSCQ, LCRQ, FAST: the option sets the capacity of
 * each ring (0: the default 4096; same rounding); the queue itself is
 * unbounded.
 *
 * Synchronization table (q is one queue):
 *
 *   function                 may run concurrently with        progress
 *   concoll_queue_create     anything                         blocking (allocates)
 *   concoll_queue_destroy    nothing else on q                blocking
 *   concoll_queue_push       push, pop, size on q             lock-free (LSCQ, LCRQ: may allocate a ring)*,
 *                                                            wait-free (wCQ)*
 *   concoll_queue_pop        push, pop, size on q             lock-free*, wait-free (wCQ)*
 *   concoll_queue_size       push, pop, size on q             wait-free (LSCQ: O(rings),
 *                                                            LCRQ: O(cells))
 *   concoll_queue_capacity   anything but destroy             wait-free
 *   concoll_queue_kind       anything but destroy             wait-free
 *   concoll_queue_kind_name  anything but destroy             wait-free
 *
 * (*) LCRQ and wCQ without a native 16-byte CAS: blocking (see above).
 *     The first call of a thread on LSCQ, LCRQ and wCQ registers it
 *     (allocates its record).
 *
 * push and pop are linearizable: the queue is FIFO, and pop reports empty
 * only if, at some moment during the call, every push that had returned
 * had its item taken by a pop.  One relaxation for the
 * bounded SCQ and wCQ: a push reserves a slot before its item becomes
 * visible and a pop frees its slot after taking the item, so push may
 * report full (-EAGAIN) while the items inside plus the pushes and pops in
 * progress fill the capacity.  LSCQ and LCRQ are never full.
 */
#ifndef CONCOLL_QUEUE_H
#define CONCOLL_QUEUE_H

#include <concoll/common.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct concoll_queue concoll_queue_t;

enum concoll_queue_kind {
	CONCOLL_QUEUE_DEFAULT = 0, /* LSCQ */
	CONCOLL_QUEUE_SCQ = 1,
	CONCOLL_QUEUE_LSCQ = 2,
	CONCOLL_QUEUE_LCRQ = 3,
	CONCOLL_QUEUE_WCQ = 4,
	CONCOLL_QUEUE_FAST = 16,     /* LCRQ with a native 16-byte CAS, else LSCQ */
	CONCOLL_QUEUE_WAITFREE = 17, /* wCQ (bounded) */
};

struct concoll_queue_options {
	size_t size;     /* sizeof(struct concoll_queue_options) */
	int kind;        /* enum concoll_queue_kind */
	size_t capacity; /* SCQ: capacity (required); others: ring capacity, 0 = 4096 */
	unsigned flags;  /* must be 0 */
};

/*
 * Create a queue.  opts may be NULL (an unbounded LSCQ with default rings).
 * Returns NULL with errno EINVAL (unknown kind, non-zero flags, size
 * refused as common.h describes, SCQ capacity 0, capacity above 2^30) or
 * ENOMEM.
 */
CONCOLL_API concoll_queue_t *concoll_queue_create(const struct concoll_queue_options *opts);

/*
 * Destroy a queue.  When release is not NULL it is called as
 * release(item, ctx) for every item still in the queue, in FIFO order.
 * NULL q does nothing.
 */
CONCOLL_API void concoll_queue_destroy(concoll_queue_t *q,
                                       void (*release)(void *item, void *ctx), void *ctx);

/* Append item.  Returns 0, -EAGAIN when a bounded queue is full (see above), -ENOMEM
 * (LSCQ, LCRQ could not allocate a ring; LSCQ, LCRQ, wCQ: the thread record),
 * -EINVAL (q or item NULL).  On failure the queue is unchanged. */
CONCOLL_API CONCOLL_NODISCARD int concoll_queue_push(concoll_queue_t *q, void *item);

/* Remove the oldest item into *item.  Returns 0, -EAGAIN when the queue is
 * empty, -ENOMEM (LSCQ, LCRQ, wCQ: thread record), -EINVAL (q or item NULL). */
CONCOLL_API CONCOLL_NODISCARD int concoll_queue_pop(concoll_queue_t *q, void **item);

/* Number of items: exact when no push or pop runs, otherwise a value that
 * the queue held at some moment during the call, approximately.  0 for NULL
 * (and, for LSCQ, when the thread's SMR record cannot be allocated). */
CONCOLL_API size_t concoll_queue_size(concoll_queue_t *q);

/* The capacity (after rounding); SIZE_MAX for unbounded kinds; 0 for NULL. */
CONCOLL_API size_t concoll_queue_capacity(const concoll_queue_t *q);

/* The algorithm actually used (never CONCOLL_QUEUE_DEFAULT); -EINVAL for NULL. */
CONCOLL_API int concoll_queue_kind(const concoll_queue_t *q);

/* Its name: "scq", "lscq", "lcrq", "wcq"; NULL for NULL. */
CONCOLL_API const char *concoll_queue_kind_name(const concoll_queue_t *q);

#ifdef __cplusplus
}
#endif

#endif /* CONCOLL_QUEUE_H */
