/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Peers from the userspace RCU library (liburcu, https://liburcu.org):
 *
 *   cds_wfcq   wait-free concurrent queue: enqueue is one exchange and
 *              never waits; concurrent dequeuers must be mutually
 *              excluded (the synchronization table of <urcu/wfcqueue.h>),
 *              so dequeue is cds_wfcq_dequeue_blocking, which takes the
 *              queue's dequeue mutex (and may wait for an enqueuer that
 *              has exchanged the tail but not yet linked its node).  A
 *              dequeued node may be freed at once.  Blocking.
 *   cds_lfs    lock-free stack: push needs no synchronization; pops run
 *              __cds_lfs_pop inside an RCU read-side critical section
 *              (technique 1 of <urcu/lfstack.h>) and a popped node is
 *              freed only after a grace period, with call_rcu.  Lock-free.
 *   cds_lfq    RCU lock-free queue (<urcu/rculfqueue.h>): enqueue and
 *              dequeue inside RCU read-side critical sections, dequeued
 *              nodes freed after a grace period with call_rcu; the queue
 *              frees its own dummy nodes with the call_rcu it is given.
 *              Lock-free.
 *
 * The RCU flavour is urcu-memb (liburcu-memb): read-side critical sections
 * are cheap (membarrier(2) moves the cost to the updaters, with a memory
 * barrier fallback), and every thread that enters one must be registered.
 * ccbench creates its own threads, so a thread registers on its first call
 * here (a thread-local flag) and a pthread key destructor unregisters it
 * when it exits.  call_rcu also needs a registered caller.
 *
 * The library functions are called through liburcu's exported symbols:
 * _LGPL_SOURCE (which inlines liburcu's LGPL code) is not defined, as
 * this BSD-licensed program must not take that code in.
 *
 * Bounded backlog.  call_rcu hands the frees to one worker thread, which
 * falls behind when the benchmark threads keep every CPU busy: the queued
 * nodes then grow without bound (hundreds of MB a second on 2 CPUs).  So
 * every thread counts the frees it queues (the queue's own dummy nodes
 * included: cds_lfq gets a counting call_rcu), and after every
 * URCU_PEER_THROTTLE of them, outside any read-side critical section, it
 * waits with rcu_barrier until the queued callbacks have run.  This wait
 * is memory back-pressure only; the operations are otherwise those of the
 * lock-free algorithms.
 *
 * destroy empties the structure through the same paths (grace periods
 * included) and then waits with rcu_barrier for the frees queued by
 * call_rcu, so that no node outlives the run that made it.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdalign.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>

#include <urcu/urcu-memb.h>
#include <urcu/lfstack.h>
#include <urcu/rculfqueue.h>
#include <urcu/wfcqueue.h>

#include "libpeers.h"

/* Keeps the fields written by different threads on different lines (two
 * lines: adjacent-line prefetching). */
#define URCU_PEER_LINE 128

/* aligned_alloc wants a size that is a multiple of the alignment. */
static void *alloc_line(size_t size)
{
	size_t rounded = (size + URCU_PEER_LINE - 1) / URCU_PEER_LINE * URCU_PEER_LINE;

	return rounded < size ? NULL : aligned_alloc(URCU_PEER_LINE, rounded);
}

/* Frees a thread may queue with call_rcu before it waits for them. */
#define URCU_PEER_THROTTLE 16384u

#define NODE_OF(ptr, type, member) ((type *)(void *)((char *)(ptr) - offsetof(type, member)))

/* --- RCU reader registration ---------------------------------------------------- */

static pthread_once_t rcu_once = PTHREAD_ONCE_INIT;
static pthread_key_t rcu_key;
static int rcu_key_error;
static _Thread_local bool rcu_registered;
static _Thread_local unsigned int rcu_queued; /* call_rcu since the last barrier */

/* The key's destructor: runs when a registered thread exits. */
static void rcu_thread_exit(void *arg)
{
	(void)arg;
	rcu_registered = false;
	urcu_memb_unregister_thread();
}

static void rcu_key_create(void)
{
	rcu_key_error = pthread_key_create(&rcu_key, rcu_thread_exit);
}

/* Called by the create functions, so that the calls can rely on the key. */
static int rcu_setup(void)
{
	pthread_once(&rcu_once, rcu_key_create);
	return rcu_key_error;
}

static int rcu_register_slow(void)
{
	urcu_memb_register_thread();
	/* any non-NULL value: the destructor runs only for those */
	if (pthread_setspecific(rcu_key, &rcu_registered) != 0) {
		urcu_memb_unregister_thread();
		return -ENOMEM;
	}
	rcu_registered = true;
	return 0;
}

/* Registers the calling thread as an RCU reader, once.  0 or -ENOMEM. */
static inline int rcu_thread(void)
{
	return rcu_registered ? 0 : rcu_register_slow();
}

/* call_rcu, counted; also the queue_call_rcu of cds_lfq (called within
 * read-side critical sections, where waiting is not allowed). */
static void counted_call_rcu(struct rcu_head *head, void (*func)(struct rcu_head *head))
{
	rcu_queued++;
	urcu_memb_call_rcu(head, func);
}

/* Outside read-side critical sections: waits for the queued frees when
 * this thread has queued enough of them. */
static inline void rcu_throttle(void)
{
	if (rcu_queued >= URCU_PEER_THROTTLE) {
		rcu_queued = 0;
		urcu_memb_barrier();
	}
}

/* --- cds_wfcq ------------------------------------------------------------------- */

struct wfcq_node {
	struct cds_wfcq_node node;
	void *item;
};

struct peer_urcu_wfcq {
	/* "Do not put head and tail on the same cache-line" (wfcqueue.h) */
	alignas(URCU_PEER_LINE) struct cds_wfcq_head head; /* and the dequeue mutex */
	alignas(URCU_PEER_LINE) struct cds_wfcq_tail tail;
};

struct peer_urcu_wfcq *peer_urcu_wfcq_create(void)
{
	struct peer_urcu_wfcq *q = alloc_line(sizeof(*q));

	if (q == NULL) {
		errno = ENOMEM;
		return NULL;
	}
	cds_wfcq_init(&q->head, &q->tail);
	return q;
}

void peer_urcu_wfcq_destroy(struct peer_urcu_wfcq *q)
{
	struct cds_wfcq_node *n;

	if (q == NULL)
		return;
	while ((n = cds_wfcq_dequeue_blocking(&q->head, &q->tail)) != NULL)
		free(NODE_OF(n, struct wfcq_node, node));
	cds_wfcq_destroy(&q->head, &q->tail);
	free(q);
}

int peer_urcu_wfcq_push(struct peer_urcu_wfcq *q, void *item)
{
	struct wfcq_node *n;

	if (item == NULL)
		return -EINVAL;
	n = malloc(sizeof(*n));
	if (n == NULL)
		return -ENOMEM;
	cds_wfcq_node_init(&n->node);
	n->item = item;
	cds_wfcq_enqueue(&q->head, &q->tail, &n->node);
	return 0;
}

int peer_urcu_wfcq_pop(struct peer_urcu_wfcq *q, void **item)
{
	struct cds_wfcq_node *n;
	struct wfcq_node *node;

	if (item == NULL)
		return -EINVAL;
	n = cds_wfcq_dequeue_blocking(&q->head, &q->tail);
	if (n == NULL)
		return -EAGAIN;
	node = NODE_OF(n, struct wfcq_node, node);
	*item = node->item;
	free(node); /* "valid to reuse and free a dequeued node immediately" */
	return 0;
}

/* --- cds_lfs -------------------------------------------------------------------- */

struct lfs_node {
	struct cds_lfs_node node;
	struct rcu_head rcu;
	void *item;
};

struct peer_urcu_lfstack {
	alignas(URCU_PEER_LINE) struct __cds_lfs_stack stack; /* no pop mutex: RCU */
};

static void lfs_node_free(struct rcu_head *head)
{
	free(NODE_OF(head, struct lfs_node, rcu));
}

struct peer_urcu_lfstack *peer_urcu_lfstack_create(void)
{
	struct peer_urcu_lfstack *s;
	int rc = rcu_setup();

	if (rc != 0) {
		errno = rc;
		return NULL;
	}
	s = alloc_line(sizeof(*s));
	if (s == NULL) {
		errno = ENOMEM;
		return NULL;
	}
	__cds_lfs_init(&s->stack);
	return s;
}

int peer_urcu_lfstack_push(struct peer_urcu_lfstack *s, void *item)
{
	struct lfs_node *n;

	if (item == NULL)
		return -EINVAL;
	n = malloc(sizeof(*n));
	if (n == NULL)
		return -ENOMEM;
	cds_lfs_node_init(&n->node);
	n->item = item;
	cds_lfs_push(&s->stack, &n->node); /* needs no RCU (lfstack.h) */
	return 0;
}

int peer_urcu_lfstack_pop(struct peer_urcu_lfstack *s, void **item)
{
	struct cds_lfs_node *n;
	struct lfs_node *node;
	int rc;

	if (item == NULL)
		return -EINVAL;
	rc = rcu_thread();
	if (rc != 0)
		return rc;
	rcu_throttle();
	urcu_memb_read_lock();
	n = __cds_lfs_pop(&s->stack);
	urcu_memb_read_unlock();
	if (n == NULL)
		return -EAGAIN;
	node = NODE_OF(n, struct lfs_node, node);
	*item = node->item; /* ours: other poppers read only its next pointer */
	counted_call_rcu(&node->rcu, lfs_node_free);
	return 0;
}

void peer_urcu_lfstack_destroy(struct peer_urcu_lfstack *s)
{
	void *item;

	if (s == NULL)
		return;
	while (peer_urcu_lfstack_pop(s, &item) == 0)
		continue;
	urcu_memb_barrier(); /* the call_rcu frees, this stack's among them */
	free(s);
}

/* --- cds_lfq -------------------------------------------------------------------- */

struct lfq_node {
	struct cds_lfq_node_rcu node;
	struct rcu_head rcu;
	void *item;
};

struct peer_urcu_lfq {
	/* head and tail are adjacent in struct cds_lfq_queue_rcu */
	alignas(URCU_PEER_LINE) struct cds_lfq_queue_rcu queue;
};

static void lfq_node_free(struct rcu_head *head)
{
	free(NODE_OF(head, struct lfq_node, rcu));
}

struct peer_urcu_lfq *peer_urcu_lfq_create(void)
{
	struct peer_urcu_lfq *q;
	int rc = rcu_setup();

	if (rc != 0) {
		errno = rc;
		return NULL;
	}
	q = alloc_line(sizeof(*q));
	if (q == NULL) {
		errno = ENOMEM;
		return NULL;
	}
	/* the queue frees its dummy nodes with this flavour's call_rcu */
	cds_lfq_init_rcu(&q->queue, counted_call_rcu);
	return q;
}

int peer_urcu_lfq_push(struct peer_urcu_lfq *q, void *item)
{
	struct lfq_node *n;
	int rc;

	if (item == NULL)
		return -EINVAL;
	rc = rcu_thread();
	if (rc != 0)
		return rc;
	n = malloc(sizeof(*n));
	if (n == NULL)
		return -ENOMEM;
	cds_lfq_node_init_rcu(&n->node);
	n->item = item;
	urcu_memb_read_lock();
	cds_lfq_enqueue_rcu(&q->queue, &n->node);
	urcu_memb_read_unlock();
	return 0;
}

int peer_urcu_lfq_pop(struct peer_urcu_lfq *q, void **item)
{
	struct cds_lfq_node_rcu *n;
	struct lfq_node *node;
	int rc;

	if (item == NULL)
		return -EINVAL;
	rc = rcu_thread();
	if (rc != 0)
		return rc;
	rcu_throttle(); /* dequeue may also free dummy nodes */
	urcu_memb_read_lock();
	n = cds_lfq_dequeue_rcu(&q->queue);
	urcu_memb_read_unlock();
	if (n == NULL)
		return -EAGAIN;
	node = NODE_OF(n, struct lfq_node, node);
	*item = node->item;
	counted_call_rcu(&node->rcu, lfq_node_free);
	return 0;
}

void peer_urcu_lfq_destroy(struct peer_urcu_lfq *q)
{
	void *item;

	if (q == NULL)
		return;
	while (peer_urcu_lfq_pop(q, &item) == 0)
		continue;
	/* empty: frees the last dummy (0), or -EPERM if not empty, which
	 * cannot happen here unless a pop failed to register the thread */
	(void)cds_lfq_destroy_rcu(&q->queue);
	urcu_memb_barrier();
	free(q);
}
