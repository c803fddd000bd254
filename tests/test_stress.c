/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Oversubscribed stress (2 to 16 threads on however many cores there are):
 * every item pushed is popped exactly once (count and checksum), and for
 * queues, per-producer FIFO order holds for what each consumer pops.
 * CONCOLL_TEST_SCALE scales the operation counts.
 */
#include "config.h"

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <concoll/concoll.h>

#include "testutil.h"
#include "wcq_modes.h"

#define MAX_THREADS 16

static const unsigned thread_counts[] = { 2, 4, 8, 16 };
#define NCOUNTS ((int)(sizeof thread_counts / sizeof thread_counts[0]))

enum { QUEUE, STACK };

struct variant {
	int family;
	int kind;
	size_t capacity;
	unsigned flags;
	const char *name;
};

static const struct variant queue_variants[] = {
	{ QUEUE, CONCOLL_QUEUE_SCQ, 4, 0, "scq/4" },
	{ QUEUE, CONCOLL_QUEUE_SCQ, 1024, 0, "scq/1024" },
	{ QUEUE, CONCOLL_QUEUE_LSCQ, 0, 0, "lscq" },
	{ QUEUE, CONCOLL_QUEUE_LSCQ, 2, 0, "lscq/ring2" },
	{ QUEUE, CONCOLL_QUEUE_LSCQ, 64, 0, "lscq/ring64" },
	{ QUEUE, CONCOLL_QUEUE_LCRQ, 0, 0, "lcrq" },
	{ QUEUE, CONCOLL_QUEUE_LCRQ, 2, 0, "lcrq/ring2" },
	{ QUEUE, CONCOLL_QUEUE_FAST, 0, 0, "fast" },
	{ QUEUE, CONCOLL_QUEUE_WCQ, 4, 0, "wcq/4" },
	{ QUEUE, CONCOLL_QUEUE_WCQ, 1024, 0, "wcq/1024" },
	/* the slow path and helping on every ring operation, or nearly */
	{ QUEUE, CONCOLL_QUEUE_WCQ, 4, WCQ_PATIENCE(0, 0), "wcq/4/patience0" },
	{ QUEUE, CONCOLL_QUEUE_WCQ, 64, WCQ_PATIENCE(1, 1), "wcq/64/patience1" },
	{ QUEUE, CONCOLL_QUEUE_WCQ, 16, WCQ_PATIENCE(0, 64), "wcq/16/slow-enqueue" },
	{ QUEUE, CONCOLL_QUEUE_WCQ, 16, WCQ_PATIENCE(16, 0), "wcq/16/slow-dequeue" },
};
#define NQUEUES ((int)(sizeof queue_variants / sizeof queue_variants[0]))

static const struct variant stack_variants[] = {
	{ STACK, CONCOLL_STACK_TREIBER, 0, 0, "treiber" },
	{ STACK, CONCOLL_STACK_TREIBER, 0, CONCOLL_STACK_NO_ELIMINATION, "treiber-noelim" },
};
#define NSTACKS ((int)(sizeof stack_variants / sizeof stack_variants[0]))

struct shared {
	const struct variant *v;
	concoll_queue_t *q;
	concoll_stack_t *s;
	struct tu_gate gate;
	unsigned nthreads, producers;
	uint64_t per_producer;
	_Atomic uint64_t consumed; /* items popped so far, by everyone */
	uint64_t total;
};

struct worker {
	struct shared *sh;
	unsigned id;
	/* results */
	uint64_t pushed, popped, push_sum, pop_sum;
	uint64_t order_violations, empty_pops, full_pushes;
	uint64_t last_seq[MAX_THREADS]; /* per producer: last seq + 1 seen by this consumer */
} __attribute__((aligned(128)));

static int do_push(struct shared *sh, void *item)
{
	return sh->v->family == QUEUE ? concoll_queue_push(sh->q, item) : concoll_stack_push(sh->s, item);
}

static int do_pop(struct shared *sh, void **item)
{
	return sh->v->family == QUEUE ? concoll_queue_pop(sh->q, item) : concoll_stack_pop(sh->s, item);
}

static void note_pop(struct worker *w, void *item)
{
	unsigned p = TU_ITEM_PRODUCER(item);
	uint64_t seq = TU_ITEM_SEQ(item);

	w->popped++;
	w->pop_sum += tu_mix((uint64_t)(uintptr_t)item);
	if (p >= MAX_THREADS) {
		w->order_violations++;
		return;
	}
	if (w->sh->v->family == QUEUE) {
		if (seq + 1 <= w->last_seq[p])
			w->order_violations++;
		w->last_seq[p] = seq + 1;
	}
}

static void push_retrying(struct worker *w, void *item)
{
	int rc;

	while ((rc = do_push(w->sh, item)) == -EAGAIN) {
		w->full_pushes++;
		sched_yield();
	}
	ck_assert_int_eq(rc, 0);
	w->pushed++;
	w->push_sum += tu_mix((uint64_t)(uintptr_t)item);
}

/* Producers push their items; consumers pop until all items are consumed. */
static void *prod_cons(void *p)
{
	struct worker *w = p;
	struct shared *sh = w->sh;
	uint64_t i;

	tu_gate_wait(&sh->gate, sh->nthreads);
	if (w->id < sh->producers) {
		for (i = 0; i < sh->per_producer; i++)
			push_retrying(w, TU_ITEM(w->id, i));
		return NULL;
	}
	while (atomic_load(&sh->consumed) < sh->total) {
		void *item;
		int rc = do_pop(sh, &item);

		if (rc == 0) {
			note_pop(w, item);
			atomic_fetch_add(&sh->consumed, 1);
		} else {
			ck_assert_int_eq(rc, -EAGAIN);
			w->empty_pops++;
			if ((w->empty_pops & 15) == 0)
				sched_yield();
		}
	}
	return NULL;
}

/* Every thread pushes one item, then pops one (which may be anyone's). */
static void *pairs(void *p)
{
	struct worker *w = p;
	struct shared *sh = w->sh;
	uint64_t i;

	tu_gate_wait(&sh->gate, sh->nthreads);
	for (i = 0; i < sh->per_producer; i++) {
		void *item;
		int rc;

		push_retrying(w, TU_ITEM(w->id, i));
		/* at least one item is inside (ours, or one that replaced it) */
		while ((rc = do_pop(sh, &item)) == -EAGAIN) {
			w->empty_pops++;
			sched_yield();
		}
		ck_assert_int_eq(rc, 0);
		note_pop(w, item);
	}
	return NULL;
}

static void run(const struct variant *v, unsigned nthreads, bool pairwise, uint64_t per_thread)
{
	struct shared sh;
	struct worker *w = aligned_alloc(128, sizeof *w * MAX_THREADS);
	uint64_t pushed = 0, popped = 0, psum = 0, osum = 0, violations = 0;
	unsigned i;
	void *item;

	ck_assert_ptr_nonnull(w);
	memset(&sh, 0, sizeof sh);
	memset(w, 0, sizeof *w * MAX_THREADS);
	sh.v = v;
	if (v->family == QUEUE) {
		struct concoll_queue_options o = { sizeof o, v->kind, v->capacity, 0 };

		sh.q = concoll_queue_create(&o);
		ck_assert_ptr_nonnull(sh.q);
		wcq_mode_apply(sh.q, v->flags);
	} else {
		struct concoll_stack_options o = { sizeof o, v->kind, v->flags, 0 };

		sh.s = concoll_stack_create(&o);
		ck_assert_ptr_nonnull(sh.s);
	}
	tu_gate_init(&sh.gate);
	sh.nthreads = nthreads;
	sh.producers = pairwise ? nthreads : nthreads / 2;
	sh.per_producer = per_thread;
	sh.total = sh.producers * per_thread;
	for (i = 0; i < nthreads; i++) {
		w[i].sh = &sh;
		w[i].id = i;
	}
	tu_run_threads(nthreads, pairwise ? pairs : prod_cons, w, sizeof *w);
	for (i = 0; i < nthreads; i++) {
		pushed += w[i].pushed;
		popped += w[i].popped;
		psum += w[i].push_sum;
		osum += w[i].pop_sum;
		violations += w[i].order_violations;
	}
	/* nothing left inside */
	if (v->family == QUEUE) {
		ck_assert_uint_eq(concoll_queue_size(sh.q), 0);
		ck_assert_int_eq(concoll_queue_pop(sh.q, &item), -EAGAIN);
	} else {
		ck_assert_uint_eq(concoll_stack_size(sh.s), 0);
		ck_assert_int_eq(concoll_stack_pop(sh.s, &item), -EAGAIN);
	}
	if (pushed != sh.total || popped != pushed || psum != osum || violations) {
		fprintf(stderr,
		        "%s, %u threads, %s: pushed %llu (expected %llu) popped %llu, checksums %llx/%llx, "
		        "order violations %llu\n",
		        v->name, nthreads, pairwise ? "pairs" : "producer/consumer",
		        (unsigned long long)pushed, (unsigned long long)sh.total,
		        (unsigned long long)popped, (unsigned long long)psum, (unsigned long long)osum,
		        (unsigned long long)violations);
	}
	ck_assert_uint_eq(pushed, sh.total);
	ck_assert_uint_eq(popped, pushed);
	ck_assert_uint_eq(psum, osum);
	ck_assert_uint_eq(violations, 0);
	if (v->family == QUEUE)
		wcq_mode_check(sh.q, v->flags, v->name);
	concoll_queue_destroy(sh.q, NULL, NULL);
	concoll_stack_destroy(sh.s, NULL, NULL);
	free(w);
}

/* The slow path is several times as long: fewer operations there. */
static uint64_t slowdown(const struct variant *v)
{
	return (v->flags & WCQ_MODE) ? 4 : 1;
}

START_TEST(queue_producer_consumer)
{
	int v = _i / NCOUNTS;
	unsigned t = tu_threads(thread_counts[_i % NCOUNTS], MAX_THREADS, (unsigned)_i);

	run(&queue_variants[v], t, false, tu_scaled(400000 / t) / slowdown(&queue_variants[v]));
}
END_TEST

START_TEST(queue_pairs)
{
	int v = _i / NCOUNTS;
	unsigned t = tu_threads(thread_counts[_i % NCOUNTS], MAX_THREADS, (unsigned)_i);

	run(&queue_variants[v], t, true, tu_scaled(200000 / t) / slowdown(&queue_variants[v]));
}
END_TEST

START_TEST(stack_producer_consumer)
{
	int v = _i / NCOUNTS;
	unsigned t = tu_threads(thread_counts[_i % NCOUNTS], MAX_THREADS, (unsigned)_i);

	run(&stack_variants[v], t, false, tu_scaled(400000 / t));
}
END_TEST

START_TEST(stack_pairs)
{
	int v = _i / NCOUNTS;
	unsigned t = tu_threads(thread_counts[_i % NCOUNTS], MAX_THREADS, (unsigned)_i);

	run(&stack_variants[v], t, true, tu_scaled(200000 / t));
}
END_TEST

/* wCQ's per-thread state lives in the SMR records: threads that come and
 * go (each announcing requests: patience 0) reuse the records of those
 * that exited, and nothing is lost on the way. */
struct churn {
	concoll_queue_t *q;
	unsigned id;
	uint64_t sum;
};

static void *churn_worker(void *p)
{
	struct churn *c = p;
	uint64_t i;

	for (i = 0; i < 50; i++) {
		void *item = TU_ITEM(c->id, i);
		int rc;

		while ((rc = concoll_queue_push(c->q, item)) == -EAGAIN)
			sched_yield();
		ck_assert_int_eq(rc, 0);
		c->sum += tu_mix((uint64_t)(uintptr_t)item);
		while ((rc = concoll_queue_pop(c->q, &item)) == -EAGAIN)
			sched_yield();
		ck_assert_int_eq(rc, 0);
		c->sum -= tu_mix((uint64_t)(uintptr_t)item);
	}
	return NULL;
}

START_TEST(wcq_thread_state_is_recycled)
{
	struct concoll_queue_options o = { sizeof o, CONCOLL_QUEUE_WCQ, 8, 0 };
	concoll_queue_t *q = concoll_queue_create(&o);
	struct concoll_smr_stats st;
	struct churn c[4];
	uint64_t sum = 0, records_before;
	unsigned round, i;
	void *item;

	ck_assert_ptr_nonnull(q);
	wcq_mode_apply(q, WCQ_PATIENCE(0, 0));
	memset(&st, 0, sizeof st);
	st.size = sizeof st;
	ck_assert_int_eq(concoll_smr_stats(&st), 0);
	records_before = st.records;
	for (round = 0; round < 40; round++) {
		for (i = 0; i < 4; i++) {
			c[i].q = q;
			c[i].id = round * 4 + i;
			c[i].sum = 0;
		}
		tu_run_threads(4, churn_worker, c, sizeof c[0]);
		for (i = 0; i < 4; i++)
			sum += c[i].sum; /* pushed minus popped, mixed */
	}
	/* every pair took one item out for the one it put in: the queue is
	 * empty and what was popped is what was pushed */
	ck_assert_int_eq(concoll_queue_pop(q, &item), -EAGAIN);
	ck_assert_uint_eq(sum, 0);
	ck_assert_int_eq(concoll_smr_stats(&st), 0);
	/* 160 threads ran, at most 4 at a time (plus this one) */
	ck_assert_uint_le(st.records, records_before + 5);
	wcq_mode_check(q, WCQ_PATIENCE(0, 0), "wcq churn");
	concoll_queue_destroy(q, NULL, NULL);
}
END_TEST

/* After all that, reclamation caught up: nothing pending once quiescent. */
START_TEST(reclamation_catches_up)
{
	struct concoll_smr_stats st;

	run(&queue_variants[3], 8, true, tu_scaled(20000));
	run(&stack_variants[0], 8, true, tu_scaled(20000));
	ck_assert_int_eq(concoll_smr_barrier(), 0);
	memset(&st, 0, sizeof st);
	st.size = sizeof st;
	ck_assert_int_eq(concoll_smr_stats(&st), 0);
	ck_assert_uint_eq(st.pending, 0);
	ck_assert_uint_eq(st.retired, st.freed);
}
END_TEST

static Suite *stress_suite(void)
{
	Suite *s = suite_create("stress");
	TCase *q = tcase_create("queue");
	TCase *st = tcase_create("stack");

	tcase_set_timeout(q, 900);
	tcase_set_timeout(st, 900);
	tcase_add_loop_test(q, queue_producer_consumer, 0, NQUEUES * NCOUNTS);
	tcase_add_loop_test(q, queue_pairs, 0, NQUEUES * NCOUNTS);
	tcase_add_loop_test(st, stack_producer_consumer, 0, NSTACKS * NCOUNTS);
	tcase_add_loop_test(st, stack_pairs, 0, NSTACKS * NCOUNTS);
	tcase_add_test(st, reclamation_catches_up);
	tcase_add_test(q, wcq_thread_state_is_recycled);
	suite_add_tcase(s, q);
	suite_add_tcase(s, st);
	return s;
}

int main(void)
{
	return tu_run_suite(stress_suite());
}
