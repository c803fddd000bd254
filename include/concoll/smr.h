/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libconcoll: safe memory reclamation (SMR) and thread registration.
 *
 * The lock-free structures never free memory that another thread may still
 * be reading: they *retire* it, and it is freed after a grace period, once
 * every thread that could have seen it has left its critical section.  The
 * default scheme is epoch-based reclamation (EBR) with one process-wide
 * domain.  See libconcoll(7).
 *
 * Thread registration is automatic: a thread is registered on its first call
 * that needs a record (entering a guard, retiring, and the operations of
 * the structures that use SMR) and unregistered when it exits (a pthread
 * key destructor);
 * objects it retired and that are not yet freed are then adopted by the
 * library and freed later by other threads, never leaked and never freed
 * early.  concoll_thread_attach() and concoll_thread_detach() do the same at
 * a time of the caller's choosing.
 *
 * Critical sections (guards): concoll_smr_enter() / concoll_smr_exit() may be
 * nested.  A pointer read from a libconcoll structure (or from any structure
 * whose nodes are retired through concoll_smr_retire()) stays valid until
 * the outermost concoll_smr_exit().  A thread must not block for long inside
 * a guard: a stalled guard holds back the reclamation of everything retired
 * after it was entered, by every thread.
 *
 * Synchronization table:
 *
 *   function                 may run concurrently with       progress
 *   concoll_thread_attach    anything                        lock-free*
 *   concoll_thread_detach    anything (not inside a guard)   blocking**
 *   concoll_smr_enter/exit   anything                        wait-free*,****
 *   concoll_smr_retire       anything (inside or outside)    wait-free*,****
 *   concoll_smr_flush        anything                        lock-free
 *   concoll_smr_barrier      anything (not inside a guard)   blocking
 *   concoll_smr_stats        anything                        wait-free***
 *
 *   *   the first call of a thread registers it (may allocate, and takes a
 *       lock-free path through the list of thread records).
 *   **  takes the process-wide mutex that protects adopted garbage.
 *   *** walks the thread records; O(number of records).
 *   **** except while a concoll_smr_barrier() runs: the outermost enter
 *       waits while the barrier takes the thread's garbage (a few pointer
 *       moves), and the outermost exit hands the garbage over under a
 *       mutex when a barrier asked for it.  Every 64th retire of a thread
 *       also collects: it scans the thread records and runs the callbacks
 *       that are due.
 *
 * Callbacks of retired objects run in concoll_smr_retire() (every 64th
 * call of a thread, and any call that finds expired objects in the slot it
 * files the new one in), concoll_smr_flush(), concoll_smr_barrier(),
 * concoll_thread_detach() and at thread exit: a program that stops
 * retiring keeps its last objects pending until it calls one of those.
 */
#ifndef CONCOLL_SMR_H
#define CONCOLL_SMR_H

#include <concoll/common.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Register the calling thread now (otherwise it is registered on its first
 * call).  Idempotent.  Returns 0, or -ENOMEM when its record cannot be
 * allocated.
 */
CONCOLL_API int concoll_thread_attach(void);

/*
 * Unregister the calling thread: its pending garbage is handed to the
 * library, its record is released for reuse.  The thread may call into the
 * library again afterwards (it is then registered again).  Returns 0 (also
 * when the thread was not registered), or -EBUSY when called inside a guard.
 */
CONCOLL_API int concoll_thread_detach(void);

/*
 * Enter a critical section.  Nestable; every successful call must be matched
 * by one concoll_smr_exit().  Returns 0, or -ENOMEM when the thread is not
 * registered yet and its record cannot be allocated (then no guard is held
 * and concoll_smr_exit() must not be called).
 */
CONCOLL_API int concoll_smr_enter(void);

/* Leave a critical section entered with concoll_smr_enter(). */
CONCOLL_API void concoll_smr_exit(void);

/*
 * An object to retire embeds a struct concoll_smr_head (like liburcu's
 * rcu_head): retiring it needs no allocation (only the first call of a
 * thread may allocate the thread's record, and when that fails the object
 * is handed to the library under a mutex instead) and never fails for
 * valid arguments.
 */
typedef struct concoll_smr_head {
	struct concoll_smr_head *next;
	void (*fn)(struct concoll_smr_head *head);
} concoll_smr_head_t;

/*
 * Retire an object that is no longer reachable from any shared structure:
 * fn(head) is called once, after a grace period, on some thread that calls
 * into libconcoll (or in concoll_smr_barrier()).  fn must not enter a guard
 * nor call concoll_smr_barrier(); it may call concoll_smr_retire().
 * Returns 0, or -EINVAL when head or fn is NULL.
 */
CONCOLL_API int concoll_smr_retire(concoll_smr_head_t *head,
                                   void (*fn)(concoll_smr_head_t *head));

/*
 * Try to advance the epoch and free what is safe to free now: the calling
 * thread's garbage and the garbage adopted from exited threads.  Never
 * waits.  Returns the number of objects freed by this call.
 */
CONCOLL_API size_t concoll_smr_flush(void);

/*
 * Wait until every object retired (by any thread) before the call has been
 * freed: waits for every thread that is inside a guard to leave its
 * outermost guard, then for the grace period.  Use it before unloading
 * code that the retire callbacks point to, or at shutdown.  Barriers run
 * one at a time.  Returns 0, or -EDEADLK when
 * called inside a guard (it would wait for itself).
 */
CONCOLL_API int concoll_smr_barrier(void);

/*
 * Counters of the reclamation domain.  They are sums of per-thread counters
 * read one after another: approximate while other threads run, exact when
 * the process is quiescent.  pending == retired - freed (never negative).
 */
struct concoll_smr_stats {
	size_t size;       /* sizeof(struct concoll_smr_stats), set by the caller */
	uint64_t retired;  /* objects retired since the process started */
	uint64_t freed;    /* objects whose callback has run */
	uint64_t pending;  /* retired, not yet freed */
	uint64_t epoch;    /* the global epoch */
	uint64_t threads;  /* threads registered now */
	uint64_t records;  /* thread records allocated (registered + reusable) */
};

/* Fill *stats (its size field set by the caller).  Returns 0, or -EINVAL. */
CONCOLL_API int concoll_smr_stats(struct concoll_smr_stats *stats);

#ifdef __cplusplus
}
#endif

#endif /* CONCOLL_SMR_H */
