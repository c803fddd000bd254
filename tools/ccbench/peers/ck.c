/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Peers from Concurrency Kit (ck, https://github.com/concurrencykit/ck):
 *
 *   ck_fifo_mpmc   the Michael-Scott queue with generation-counted pointers
 *                  updated by a double-width CAS (ck_pr_cas_ptr_2);
 *   ck_ring        a bounded ring of pointers, its MPMC functions;
 *   ck_stack       the Treiber stack, push_mpmc / pop_mpmc (the pop
 *                  compares the head and a generation counter together).
 *
 * Memory of the linked structures.  ck_fifo_mpmc and ck_stack take entries
 * that the caller allocates, and neither reclaims memory: a thread may
 * still read an entry (the queue's old head or tail, the stack's old top)
 * after another thread removed it.
 *
 * ck_stack: its entries are type-stable.  An entry is never returned to
 * the allocator while the stack is in use, only reused: pop puts it on a
 * free list of the structure (itself a ck_stack used with push_mpmc /
 * pop_mpmc) and push takes it from there (malloc when the list is empty).
 * A stale read of a reused entry is harmless because pop_mpmc compares the
 * top together with the stack's generation counter, which every pop
 * increments and nothing resets, so the CAS that would act on it fails.
 * Entries go back to the allocator in destroy, when no other thread runs.
 *
 * ck_fifo_mpmc: reuse is NOT safe there.  Its enqueue links a new entry
 * with a double-width CAS on the tail entry's (next, generation) pair, but
 * it resets that pair to (NULL, 0) in every entry it enqueues.  Recycled,
 * an entry that a stalled enqueuer saw as the tail with next (NULL, 0)
 * would match that CAS again once reset, before it is linked: the
 * enqueuer's item would hang behind an entry that is not in the queue
 * yet, out of order.  So the queue uses ck's own reclamation, ck_epoch:
 * every enqueue and dequeue runs in an epoch section of the calling
 * thread's record, and the entry that ck_fifo_mpmc_dequeue hands back as
 * garbage (the previous stub, not the entry that carried the item, which
 * has become the new stub) is freed by ck_epoch_call after a grace
 * period; ck_epoch_poll dispatches the callbacks every so often.  A
 * dequeued entry is therefore neither freed nor reset while any thread may
 * still be acting on it, and its next stays non-NULL.  Threads get a
 * record (one epoch for the process) on their first call; when they exit,
 * a pthread key destructor waits for their pending frees (ck_epoch_barrier)
 * and unregisters the record, which the next new thread recycles (ck
 * records are never freed).
 *
 * The structures themselves are ck's inline functions, compiled into this
 * file; ck_epoch's functions come from libck.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdalign.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* ck counts generations in char pointers that start at NULL (generation
 * + 1): clang's -fsanitize=pointer-overflow reports "applying non-zero
 * offset to null pointer" there, inside ck's inline functions.  The check
 * is switched off for those functions alone (GCC does not make it). */
#ifdef __clang__
#pragma clang attribute push(__attribute__((no_sanitize("pointer-overflow"))), apply_to = function)
#endif
#include <ck_epoch.h>
#include <ck_fifo.h>
#include <ck_ring.h>
#include <ck_stack.h>
#ifdef __clang__
#pragma clang attribute pop
#endif

#include "libpeers.h"

/* Keeps the fields written by different threads on different lines (two
 * lines: adjacent-line prefetching). */
#define CK_PEER_LINE 128

#if defined(CK_F_FIFO_MPMC) && defined(CK_F_STACK_POP_MPMC)
#define CK_PEER_MPMC 1
#endif

/* aligned_alloc wants a size that is a multiple of the alignment. */
static void *alloc_aligned(size_t align, size_t size)
{
	size_t rounded = (size + align - 1) / align * align;

	return rounded < size ? NULL : aligned_alloc(align, rounded);
}

const char *peer_ck_mpmc_unavailable(void)
{
#ifdef CK_PEER_MPMC
	return NULL;
#else
	return "ck: this platform has no ck_fifo_mpmc / ck_stack_pop_mpmc (no double-width CAS)";
#endif
}

#ifdef CK_PEER_MPMC

/* --- ck_epoch records, one per thread --------------------------------------------- */

/* Dispatch the deferred frees every this many calls. */
#define CK_PEER_POLL_EVERY 64u

static ck_epoch_t peer_epoch;
static pthread_once_t epoch_once = PTHREAD_ONCE_INIT;
static pthread_key_t epoch_key;
static int epoch_key_error;
static _Thread_local ck_epoch_record_t *epoch_record;
static _Thread_local unsigned int epoch_calls;

/* The key's destructor: runs when a thread with a record exits. */
static void epoch_thread_exit(void *arg)
{
	ck_epoch_record_t *r = arg;

	ck_epoch_barrier(r); /* a grace period, then its pending frees */
	ck_epoch_unregister(r);
	epoch_record = NULL;
}

static void epoch_init(void)
{
	ck_epoch_init(&peer_epoch);
	epoch_key_error = pthread_key_create(&epoch_key, epoch_thread_exit);
}

/* Called by create, so that the calls can rely on the epoch and the key. */
static int epoch_setup(void)
{
	pthread_once(&epoch_once, epoch_init);
	return epoch_key_error;
}

static ck_epoch_record_t *epoch_record_slow(void)
{
	ck_epoch_record_t *r = ck_epoch_recycle(&peer_epoch, NULL);

	if (r == NULL) {
		r = alloc_aligned(alignof(ck_epoch_record_t), sizeof(*r));
		if (r == NULL)
			return NULL;
		memset(r, 0, sizeof(*r));
		ck_epoch_register(&peer_epoch, r, NULL);
	}
	if (pthread_setspecific(epoch_key, r) != 0) {
		ck_epoch_unregister(r);
		return NULL;
	}
	epoch_record = r;
	return r;
}

/* The calling thread's record, registered on its first call; NULL when
 * out of memory. */
static inline ck_epoch_record_t *epoch_thread(void)
{
	return epoch_record != NULL ? epoch_record : epoch_record_slow();
}

/* --- ck_fifo_mpmc ------------------------------------------------------------ */

struct fifo_entry {
	ck_fifo_mpmc_entry_t fifo; /* in the queue (16-byte aligned pointers) */
	ck_epoch_entry_t epoch;    /* its deferred free */
};

struct peer_ck_fifo {
	alignas(CK_PEER_LINE) ck_fifo_mpmc_t fifo; /* head and tail on their own lines */
};

static struct fifo_entry *fifo_entry_of(ck_fifo_mpmc_entry_t *e)
{
	return (struct fifo_entry *)(void *)((char *)e - offsetof(struct fifo_entry, fifo));
}

static void fifo_entry_free(ck_epoch_entry_t *e)
{
	free((char *)e - offsetof(struct fifo_entry, epoch));
}

static struct fifo_entry *fifo_entry_new(void)
{
	return alloc_aligned(alignof(struct fifo_entry), sizeof(struct fifo_entry));
}

struct peer_ck_fifo *peer_ck_fifo_create(void)
{
	struct peer_ck_fifo *q;
	struct fifo_entry *stub;
	int rc = epoch_setup();

	if (rc != 0) {
		errno = rc;
		return NULL;
	}
	q = alloc_aligned(CK_PEER_LINE, sizeof(*q));
	stub = fifo_entry_new();
	if (q == NULL || stub == NULL) {
		free(q);
		free(stub);
		errno = ENOMEM;
		return NULL;
	}
	ck_fifo_mpmc_init(&q->fifo, &stub->fifo);
	return q;
}

void peer_ck_fifo_destroy(struct peer_ck_fifo *q)
{
	ck_fifo_mpmc_entry_t *garbage;
	void *item;

	if (q == NULL)
		return;
	/* Alone now (the other threads have exited, their pending frees
	 * done): entries can go straight back to the allocator. */
	while (ck_fifo_mpmc_dequeue(&q->fifo, &item, &garbage))
		free(fifo_entry_of(garbage));
	ck_fifo_mpmc_deinit(&q->fifo, &garbage); /* the last stub */
	free(fifo_entry_of(garbage));
	/* and what this thread's earlier pops left pending */
	if (epoch_record != NULL)
		ck_epoch_barrier(epoch_record);
	free(q);
}

int peer_ck_fifo_push(struct peer_ck_fifo *q, void *item)
{
	ck_epoch_record_t *r;
	struct fifo_entry *e;

	if (item == NULL)
		return -EINVAL;
	r = epoch_thread();
	e = fifo_entry_new();
	if (r == NULL || e == NULL) {
		free(e);
		return -ENOMEM;
	}
	ck_epoch_begin(r, NULL);
	ck_fifo_mpmc_enqueue(&q->fifo, &e->fifo, item);
	ck_epoch_end(r, NULL);
	return 0;
}

int peer_ck_fifo_pop(struct peer_ck_fifo *q, void **item)
{
	ck_epoch_record_t *r;
	ck_fifo_mpmc_entry_t *garbage;
	void *v;
	bool ok;

	if (item == NULL)
		return -EINVAL;
	r = epoch_thread();
	if (r == NULL)
		return -ENOMEM;
	ck_epoch_begin(r, NULL);
	ok = ck_fifo_mpmc_dequeue(&q->fifo, &v, &garbage);
	ck_epoch_end(r, NULL);
	if (!ok)
		return -EAGAIN;
	*item = v;
	/* The previous stub: other threads may still act on it. */
	ck_epoch_call(r, &fifo_entry_of(garbage)->epoch, fifo_entry_free);
	if (++epoch_calls % CK_PEER_POLL_EVERY == 0)
		(void)ck_epoch_poll(r);
	return 0;
}

/* --- ck_stack ------------------------------------------------------------------ */

struct stack_entry {
	ck_stack_entry_t link; /* in the stack, or in the free list */
	void *item;
};

struct peer_ck_stack {
	/* ck_stack_t is a pointer and a generation compared by one 16-byte
	 * CAS: it must be 16-byte aligned (the line alignment covers it). */
	alignas(CK_PEER_LINE) ck_stack_t stack;
	alignas(CK_PEER_LINE) ck_stack_t spare; /* free list of entries */
};

static struct stack_entry *stack_entry_of(ck_stack_entry_t *l)
{
	return (struct stack_entry *)(void *)((char *)l - offsetof(struct stack_entry, link));
}

struct peer_ck_stack *peer_ck_stack_create(void)
{
	struct peer_ck_stack *s = alloc_aligned(CK_PEER_LINE, sizeof(*s));

	if (s == NULL) {
		errno = ENOMEM;
		return NULL;
	}
	ck_stack_init(&s->stack);
	ck_stack_init(&s->spare);
	return s;
}

static void free_entries(ck_stack_entry_t *l)
{
	ck_stack_entry_t *next;

	for (; l != NULL; l = next) {
		next = l->next;
		free(stack_entry_of(l));
	}
}

void peer_ck_stack_destroy(struct peer_ck_stack *s)
{
	if (s == NULL)
		return;
	free_entries(ck_stack_batch_pop_mpmc(&s->stack));
	free_entries(ck_stack_batch_pop_mpmc(&s->spare));
	free(s);
}

int peer_ck_stack_push(struct peer_ck_stack *s, void *item)
{
	ck_stack_entry_t *l;
	struct stack_entry *e;

	if (item == NULL)
		return -EINVAL;
	l = ck_stack_pop_mpmc(&s->spare);
	e = l != NULL ? stack_entry_of(l) : malloc(sizeof(*e));
	if (e == NULL)
		return -ENOMEM;
	e->item = item;
	ck_stack_push_mpmc(&s->stack, &e->link);
	return 0;
}

int peer_ck_stack_pop(struct peer_ck_stack *s, void **item)
{
	ck_stack_entry_t *l;

	if (item == NULL)
		return -EINVAL;
	l = ck_stack_pop_mpmc(&s->stack);
	if (l == NULL)
		return -EAGAIN;
	*item = stack_entry_of(l)->item; /* ours now: nobody else writes it */
	/* Other poppers may still read l->next: reuse only. */
	ck_stack_push_mpmc(&s->spare, l);
	return 0;
}

#else /* !CK_PEER_MPMC */

struct peer_ck_fifo *peer_ck_fifo_create(void)
{
	errno = ENOTSUP;
	return NULL;
}

void peer_ck_fifo_destroy(struct peer_ck_fifo *q)
{
	(void)q;
}

int peer_ck_fifo_push(struct peer_ck_fifo *q, void *item)
{
	(void)q;
	(void)item;
	return -ENOTSUP;
}

int peer_ck_fifo_pop(struct peer_ck_fifo *q, void **item)
{
	(void)q;
	(void)item;
	return -ENOTSUP;
}

struct peer_ck_stack *peer_ck_stack_create(void)
{
	errno = ENOTSUP;
	return NULL;
}

void peer_ck_stack_destroy(struct peer_ck_stack *s)
{
	(void)s;
}

int peer_ck_stack_push(struct peer_ck_stack *s, void *item)
{
	(void)s;
	(void)item;
	return -ENOTSUP;
}

int peer_ck_stack_pop(struct peer_ck_stack *s, void **item)
{
	(void)s;
	(void)item;
	return -ENOTSUP;
}

#endif /* CK_PEER_MPMC */

/* --- ck_ring ------------------------------------------------------------------- */

/*
 * ck_ring_enqueue_mpmc reserves a slot with a CAS on the producer head,
 * writes it, then waits for the producers that reserved earlier slots to
 * publish theirs before it publishes its own: a producer stalled between
 * the two steps holds up the later ones, so the ring is blocking.
 */
struct peer_ck_ring {
	alignas(CK_PEER_LINE) ck_ring_t ring; /* consumer and producer lines */
	ck_ring_buffer_t *slots;
};

struct peer_ck_ring *peer_ck_ring_create(size_t capacity)
{
	struct peer_ck_ring *r;
	size_t n = 2;

	/* A ring of n slots holds n - 1 items: the smallest power of two
	 * above capacity holds at least capacity. */
	if (capacity == 0 || capacity >= UINT_MAX / 2) {
		errno = EINVAL;
		return NULL;
	}
	while (n - 1 < capacity)
		n *= 2;
	r = alloc_aligned(CK_PEER_LINE, sizeof(*r));
	if (r == NULL) {
		errno = ENOMEM;
		return NULL;
	}
	r->slots = calloc(n, sizeof(*r->slots));
	if (r->slots == NULL) {
		free(r);
		errno = ENOMEM;
		return NULL;
	}
	ck_ring_init(&r->ring, (unsigned int)n);
	return r;
}

void peer_ck_ring_destroy(struct peer_ck_ring *r)
{
	if (r == NULL)
		return;
	free(r->slots);
	free(r);
}

int peer_ck_ring_push(struct peer_ck_ring *r, void *item)
{
	if (item == NULL)
		return -EINVAL;
	return ck_ring_enqueue_mpmc(&r->ring, r->slots, item) ? 0 : -EAGAIN;
}

int peer_ck_ring_pop(struct peer_ck_ring *r, void **item)
{
	void *v;

	if (item == NULL)
		return -EINVAL;
	if (!ck_ring_dequeue_mpmc(&r->ring, r->slots, &v))
		return -EAGAIN;
	*item = v;
	return 0;
}
