/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ccbench peers from other concurrent libraries: Concurrency Kit (ck.c),
 * liburcu (urcu.c) and libcds (cds.cpp, C++).  Each adapter is compiled
 * only when configure found its library (HAVE_CK, HAVE_URCU, HAVE_LIBCDS);
 * structures.c lists the rows in any case and says why one is missing.
 *
 * Conventions as in peers.h: items are non-NULL pointers that the
 * structures never dereference; calls return 0 or a negative errno
 * (-EAGAIN when empty or, for a bounded structure, full; -ENOMEM;
 * -EINVAL for a NULL item); create returns NULL with errno set; destroy
 * runs when no other call runs on the object and drops what is left.
 *
 * Threads: the adapters register the calling thread with what the library
 * needs (an RCU reader, a libcds thread record) lazily, on its first call,
 * and unregister it when the thread exits; the harness does nothing.
 *
 * This header is plain C, also included by the C++ adapter.
 */
#ifndef CCBENCH_LIBPEERS_H
#define CCBENCH_LIBPEERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* --- Concurrency Kit --------------------------------------------------------- */

/* Whether this build of ck has the double-width CAS that ck_fifo_mpmc and
 * ck_stack_pop_mpmc need: NULL, or why ck-fifo and ck-stack cannot run
 * (ck_ring needs no such CAS). */
const char *peer_ck_mpmc_unavailable(void);

/* ck_fifo_mpmc: Michael-Scott queue with generation counters; its entries
 * are freed through ck_epoch (ck.c says why they cannot be recycled). */
struct peer_ck_fifo;
struct peer_ck_fifo *peer_ck_fifo_create(void);
void peer_ck_fifo_destroy(struct peer_ck_fifo *q);
int peer_ck_fifo_push(struct peer_ck_fifo *q, void *item);
int peer_ck_fifo_pop(struct peer_ck_fifo *q, void **item);

/* ck_ring in its MPMC mode: a bounded ring of pointers.  It holds at least
 * capacity items (a power of two of slots, one of them kept free). */
struct peer_ck_ring;
struct peer_ck_ring *peer_ck_ring_create(size_t capacity);
void peer_ck_ring_destroy(struct peer_ck_ring *r);
int peer_ck_ring_push(struct peer_ck_ring *r, void *item);
int peer_ck_ring_pop(struct peer_ck_ring *r, void **item);

/* ck_stack with push_mpmc / pop_mpmc (generation-counted pop); entries
 * recycled through a second ck_stack. */
struct peer_ck_stack;
struct peer_ck_stack *peer_ck_stack_create(void);
void peer_ck_stack_destroy(struct peer_ck_stack *s);
int peer_ck_stack_push(struct peer_ck_stack *s, void *item);
int peer_ck_stack_pop(struct peer_ck_stack *s, void **item);

/* --- liburcu ----------------------------------------------------------------- */

/* cds_wfcq: wait-free enqueue, dequeue under the queue's dequeue mutex. */
struct peer_urcu_wfcq;
struct peer_urcu_wfcq *peer_urcu_wfcq_create(void);
void peer_urcu_wfcq_destroy(struct peer_urcu_wfcq *q);
int peer_urcu_wfcq_push(struct peer_urcu_wfcq *q, void *item);
int peer_urcu_wfcq_pop(struct peer_urcu_wfcq *q, void **item);

/* cds_lfs: lock-free stack, pops in RCU read-side critical sections, nodes
 * freed after a grace period (call_rcu, urcu-memb flavour). */
struct peer_urcu_lfstack;
struct peer_urcu_lfstack *peer_urcu_lfstack_create(void);
void peer_urcu_lfstack_destroy(struct peer_urcu_lfstack *s);
int peer_urcu_lfstack_push(struct peer_urcu_lfstack *s, void *item);
int peer_urcu_lfstack_pop(struct peer_urcu_lfstack *s, void **item);

/* cds_lfq: RCU lock-free queue (urcu-memb flavour). */
struct peer_urcu_lfq;
struct peer_urcu_lfq *peer_urcu_lfq_create(void);
void peer_urcu_lfq_destroy(struct peer_urcu_lfq *q);
int peer_urcu_lfq_push(struct peer_urcu_lfq *q, void *item);
int peer_urcu_lfq_pop(struct peer_urcu_lfq *q, void **item);

/* --- libcds (C++) ------------------------------------------------------------- */

/* cds::container::MSQueue<cds::gc::DHP, void *>. */
struct peer_cds_msqueue;
struct peer_cds_msqueue *peer_cds_msqueue_create(void);
void peer_cds_msqueue_destroy(struct peer_cds_msqueue *q);
int peer_cds_msqueue_push(struct peer_cds_msqueue *q, void *item);
int peer_cds_msqueue_pop(struct peer_cds_msqueue *q, void **item);

/* cds::container::TreiberStack<cds::gc::DHP, void *>. */
struct peer_cds_treiber;
struct peer_cds_treiber *peer_cds_treiber_create(void);
void peer_cds_treiber_destroy(struct peer_cds_treiber *s);
int peer_cds_treiber_push(struct peer_cds_treiber *s, void *item);
int peer_cds_treiber_pop(struct peer_cds_treiber *s, void **item);

/* cds::container::SkipListMap<cds::gc::DHP, uint64_t, uint64_t>. */
struct peer_cds_skiplist;

/* Called for each entry of a scan; returns true to stop. */
typedef bool (*peer_cds_visit_fn)(uint64_t key, uint64_t value, void *ctx);

struct peer_cds_skiplist *peer_cds_skiplist_create(void);
void peer_cds_skiplist_destroy(struct peer_cds_skiplist *m);
/* 0 and the value, or -ENOENT. */
int peer_cds_skiplist_get(struct peer_cds_skiplist *m, uint64_t key, uint64_t *value);
/* 0 inserted, 1 replaced, or -ENOMEM. */
int peer_cds_skiplist_put(struct peer_cds_skiplist *m, uint64_t key, uint64_t value);
/* 0 removed, or -ENOENT. */
int peer_cds_skiplist_remove(struct peer_cds_skiplist *m, uint64_t key);
/* Visits the entries with keys >= from in ascending order until fn returns
 * true.  Returns 0, or -ENOMEM. */
int peer_cds_skiplist_scan(struct peer_cds_skiplist *m, uint64_t from, peer_cds_visit_fn fn,
			   void *ctx);
/* Counts the entries by walking the list: exact when nothing else runs. */
size_t peer_cds_skiplist_size(struct peer_cds_skiplist *m);

#ifdef __cplusplus
}
#endif

#endif /* CCBENCH_LIBPEERS_H */
