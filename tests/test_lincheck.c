/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Linearizability: the checker is first shown to reject histories that are
 * not linearizable, then many small concurrent histories (3 to 6 threads)
 * of every queue and stack variant are recorded and checked.
 */
#include "config.h"

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <concoll/concoll.h>

#include "lincheck.h"
#include "testutil.h"
#include "wcq_modes.h"

static const char *const type_names[] = { "push", "pop" };

static struct lin_op op(uint32_t thread, uint32_t type, int rc, uint64_t arg, uint64_t ret,
                        uint64_t call, uint64_t resp)
{
	struct lin_op o = { thread, type, rc, arg, ret, call, resp };

	return o;
}

/* ---- the checker itself ------------------------------------------------------ */

START_TEST(checker_sequential_histories)
{
	struct lin_op h[4];
	struct lin_seq_params cap2 = { 2, false };

	/* push 1, push 2, pop -> 1: a queue, not a stack */
	h[0] = op(0, LIN_PUSH, 0, 1, 0, 0, 1);
	h[1] = op(0, LIN_PUSH, 0, 2, 0, 2, 3);
	h[2] = op(0, LIN_POP, 0, 0, 1, 4, 5);
	ck_assert(lin_check(h, 3, &lin_queue_model, NULL));
	ck_assert(!lin_check(h, 3, &lin_stack_model, NULL));
	h[2].ret = 2;
	ck_assert(!lin_check(h, 3, &lin_queue_model, NULL));
	ck_assert(lin_check(h, 3, &lin_stack_model, NULL));
	/* a value never pushed */
	h[2].ret = 3;
	ck_assert(!lin_check(h, 3, &lin_queue_model, NULL));
	ck_assert(!lin_check(h, 3, &lin_stack_model, NULL));
	/* empty while something is inside */
	h[2] = op(0, LIN_POP, -EAGAIN, 0, 0, 4, 5);
	ck_assert(!lin_check(h, 3, &lin_queue_model, NULL));
	/* full: only with capacity 2 and 2 items inside */
	h[2] = op(0, LIN_PUSH, -EAGAIN, 3, 0, 4, 5);
	ck_assert(!lin_check(h, 3, &lin_queue_model, NULL));
	ck_assert(lin_check(h, 3, &lin_queue_model, &cap2));
	h[1].rc = -EAGAIN;
	ck_assert(!lin_check(h, 3, &lin_queue_model, &cap2));
}
END_TEST

START_TEST(checker_concurrent_histories)
{
	struct lin_op h[4];

	/* pop -> 1 overlapping push 1: linearizable (push first) */
	h[0] = op(0, LIN_PUSH, 0, 1, 0, 0, 3);
	h[1] = op(1, LIN_POP, 0, 0, 1, 1, 2);
	ck_assert(lin_check(h, 2, &lin_queue_model, NULL));
	/* pop -> 1 responding before push 1 was invoked: not */
	h[0] = op(0, LIN_PUSH, 0, 1, 0, 3, 4);
	h[1] = op(1, LIN_POP, 0, 0, 1, 1, 2);
	ck_assert(!lin_check(h, 2, &lin_queue_model, NULL));
	/* two overlapping pushes; pops in either order are fine for a queue */
	h[0] = op(0, LIN_PUSH, 0, 1, 0, 0, 5);
	h[1] = op(1, LIN_PUSH, 0, 2, 0, 1, 4);
	h[2] = op(2, LIN_POP, 0, 0, 2, 6, 7);
	h[3] = op(2, LIN_POP, 0, 0, 1, 8, 9);
	ck_assert(lin_check(h, 4, &lin_queue_model, NULL));
	/* but not when push 1 completed before push 2 started */
	h[0] = op(0, LIN_PUSH, 0, 1, 0, 0, 1);
	h[1] = op(1, LIN_PUSH, 0, 2, 0, 2, 4);
	ck_assert(!lin_check(h, 4, &lin_queue_model, NULL));
	ck_assert(lin_check(h, 4, &lin_stack_model, NULL));
}
END_TEST

START_TEST(checker_relaxed_full)
{
	struct lin_op h[3];
	struct lin_seq_params strict = { 1, false }, relaxed = { 1, true };

	/* capacity 1, empty: a push reports full while another push is in
	 * progress (it holds the only slot), then a pop finds it empty */
	h[0] = op(0, LIN_PUSH, 0, 1, 0, 0, 10);
	h[1] = op(1, LIN_PUSH, -EAGAIN, 2, 0, 1, 2);
	h[2] = op(1, LIN_POP, -EAGAIN, 0, 0, 3, 4);
	ck_assert(!lin_check(h, 3, &lin_queue_model, &strict));
	ck_assert(lin_check(h, 3, &lin_queue_model, &relaxed));
	/* nothing in progress: full on an empty queue stays wrong */
	h[0] = op(0, LIN_PUSH, 0, 1, 0, 0, 1);
	h[1] = op(0, LIN_POP, 0, 0, 1, 2, 3);
	h[2] = op(1, LIN_PUSH, -EAGAIN, 2, 0, 4, 5);
	ck_assert(!lin_check(h, 3, &lin_queue_model, &relaxed));
	/* and the relaxation never excuses a wrong value */
	h[0] = op(0, LIN_PUSH, 0, 1, 0, 0, 10);
	h[1] = op(1, LIN_PUSH, -EAGAIN, 2, 0, 1, 2);
	h[2] = op(1, LIN_POP, 0, 0, 2, 3, 4);
	ck_assert(!lin_check(h, 3, &lin_queue_model, &relaxed));
}
END_TEST

/* ---- recorded histories --------------------------------------------------------- */

enum { QUEUE, STACK };

struct variant {
	int family;
	int kind;
	size_t capacity;
	unsigned flags;
	const char *name;
};

static const struct variant variants[] = {
	{ QUEUE, CONCOLL_QUEUE_SCQ, 1, 0, "scq/1" },
	{ QUEUE, CONCOLL_QUEUE_SCQ, 2, 0, "scq/2" },
	{ QUEUE, CONCOLL_QUEUE_SCQ, 8, 0, "scq/8" },
	{ QUEUE, CONCOLL_QUEUE_LSCQ, 1, 0, "lscq/ring1" },
	{ QUEUE, CONCOLL_QUEUE_LSCQ, 2, 0, "lscq/ring2" },
	{ QUEUE, CONCOLL_QUEUE_LSCQ, 0, 0, "lscq" },
	{ QUEUE, CONCOLL_QUEUE_LCRQ, 1, 0, "lcrq/ring1" },
	{ QUEUE, CONCOLL_QUEUE_LCRQ, 2, 0, "lcrq/ring2" },
	{ QUEUE, CONCOLL_QUEUE_LCRQ, 0, 0, "lcrq" },
	{ QUEUE, CONCOLL_QUEUE_WCQ, 2, 0, "wcq/2" },
	{ QUEUE, CONCOLL_QUEUE_WCQ, 8, 0, "wcq/8" },
	{ QUEUE, CONCOLL_QUEUE_WCQ, 2, WCQ_PATIENCE(0, 0), "wcq/2/patience0" },
	{ QUEUE, CONCOLL_QUEUE_WCQ, 8, WCQ_PATIENCE(1, 1), "wcq/8/patience1" },
	{ STACK, 0, 0, 0, "treiber" },
	{ STACK, 0, 0, CONCOLL_STACK_NO_ELIMINATION, "treiber-noelim" },
};

struct round {
	const struct variant *v;
	concoll_queue_t *q;
	concoll_stack_t *s;
	struct tu_gate gate;
	unsigned nthreads, ops_per_thread;
	struct lin_op ops[LIN_MAX_OPS];
	uint64_t seed;
};

struct worker {
	struct round *r;
	unsigned id;
};

static void *record_ops(void *p)
{
	struct worker *w = p;
	struct round *r = w->r;
	uint64_t rng = r->seed ^ ((uint64_t)w->id * 0x9E3779B97F4A7C15ULL);
	unsigned i;

	tu_gate_wait(&r->gate, r->nthreads);
	for (i = 0; i < r->ops_per_thread; i++) {
		struct lin_op *o = &r->ops[w->id * r->ops_per_thread + i];
		uint64_t x = tu_rand(&rng);
		void *out = NULL;
		unsigned spin = (unsigned)(x >> 40) & 63;

		o->thread = w->id;
		o->type = (x & 1) ? LIN_PUSH : LIN_POP;
		o->arg = ((uint64_t)(w->id + 1) << 16) | (i + 1);
		while (spin--)
			__asm__ __volatile__("" ::: "memory");
		if ((x & 0x30) == 0)
			sched_yield();
		o->call = lin_now();
		if (r->v->family == QUEUE)
			o->rc = o->type == LIN_PUSH ? concoll_queue_push(r->q, (void *)(uintptr_t)o->arg)
			                            : concoll_queue_pop(r->q, &out);
		else
			o->rc = o->type == LIN_PUSH ? concoll_stack_push(r->s, (void *)(uintptr_t)o->arg)
			                            : concoll_stack_pop(r->s, &out);
		o->resp = lin_now();
		o->ret = (uint64_t)(uintptr_t)out;
	}
	return NULL;
}

START_TEST(histories_are_linearizable)
{
	const struct variant *v = &variants[_i];
	unsigned rounds = (unsigned)tu_scaled(1500), k;
	uint64_t rng = 0xC0FFEE + (uint64_t)_i;
	struct round *r = calloc(1, sizeof *r);

	ck_assert_ptr_nonnull(r);
	r->v = v;
	for (k = 0; k < rounds; k++) {
		struct worker w[6];
		struct lin_seq_params params = { 0, true };
		size_t n;
		unsigned i;

		r->nthreads = 3 + (unsigned)(tu_rand(&rng) % 4);
		r->ops_per_thread = (unsigned)(LIN_MAX_OPS / 2 / r->nthreads);
		r->seed = tu_rand(&rng);
		tu_gate_init(&r->gate);
		if (v->family == QUEUE) {
			struct concoll_queue_options o = { sizeof o, v->kind, v->capacity, 0 };

			r->q = concoll_queue_create(&o);
			ck_assert_ptr_nonnull(r->q);
			wcq_mode_apply(r->q, v->flags);
			if (concoll_queue_capacity(r->q) != SIZE_MAX)
				params.capacity = concoll_queue_capacity(r->q);
		} else {
			struct concoll_stack_options o = { sizeof o, CONCOLL_STACK_TREIBER, v->flags, 0 };

			r->s = concoll_stack_create(&o);
			ck_assert_ptr_nonnull(r->s);
		}
		for (i = 0; i < r->nthreads; i++) {
			w[i].r = r;
			w[i].id = i;
		}
		tu_run_threads(r->nthreads, record_ops, w, sizeof w[0]);
		n = (size_t)r->nthreads * r->ops_per_thread;
		if (!lin_check(r->ops, n, v->family == QUEUE ? &lin_queue_model : &lin_stack_model, &params)) {
			fprintf(stderr, "%s: history of round %u is not linearizable:\n", v->name, k);
			lin_print(r->ops, n, type_names);
			ck_abort_msg("%s: non-linearizable history", v->name);
		}
		if (r->q)
			wcq_mode_check(r->q, v->flags, v->name);
		concoll_queue_destroy(r->q, NULL, NULL);
		concoll_stack_destroy(r->s, NULL, NULL);
		r->q = NULL;
		r->s = NULL;
	}
	free(r);
}
END_TEST

static Suite *lin_suite(void)
{
	Suite *s = suite_create("linearizability");
	TCase *self = tcase_create("checker");
	TCase *tc = tcase_create("histories");

	tcase_add_test(self, checker_sequential_histories);
	tcase_add_test(self, checker_concurrent_histories);
	tcase_add_test(self, checker_relaxed_full);
	suite_add_tcase(s, self);
	tcase_set_timeout(tc, 600);
	tcase_add_loop_test(tc, histories_are_linearizable, 0,
	                    (int)(sizeof variants / sizeof variants[0]));
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tu_run_suite(lin_suite());
}
