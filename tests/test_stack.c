/* SPDX-License-Identifier: BSD-3-Clause */
/* concoll_stack_*: every public function, sequential semantics, bad input. */
#include "config.h"

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <concoll/concoll.h>

#include "testutil.h"

#define ITEM(i) ((void *)(uintptr_t)(i))

static const unsigned flag_variants[] = { 0, CONCOLL_STACK_NO_ELIMINATION };

static concoll_stack_t *make(unsigned flags)
{
	struct concoll_stack_options o = { sizeof o, CONCOLL_STACK_TREIBER, flags, 0 };
	concoll_stack_t *s = concoll_stack_create(&o);

	ck_assert_ptr_nonnull(s);
	return s;
}

START_TEST(create_defaults)
{
	concoll_stack_t *s = concoll_stack_create(NULL);

	ck_assert_ptr_nonnull(s);
	ck_assert_int_eq(concoll_stack_kind(s), CONCOLL_STACK_TREIBER);
	ck_assert_str_eq(concoll_stack_kind_name(s), "treiber");
	ck_assert_uint_eq(concoll_stack_size(s), 0);
	concoll_stack_destroy(s, NULL, NULL);

	s = make(CONCOLL_STACK_NO_ELIMINATION);
	ck_assert_str_eq(concoll_stack_kind_name(s), "treiber-noelim");
	concoll_stack_destroy(s, NULL, NULL);
}
END_TEST

START_TEST(create_rejects_bad_options)
{
	struct concoll_stack_options o;

	memset(&o, 0, sizeof o);
	o.size = sizeof o;
	o.kind = 99;
	errno = 0;
	ck_assert_ptr_null(concoll_stack_create(&o));
	ck_assert_int_eq(errno, EINVAL);

	o.kind = CONCOLL_STACK_DEFAULT;
	o.flags = 1u << 7;
	errno = 0;
	ck_assert_ptr_null(concoll_stack_create(&o));
	ck_assert_int_eq(errno, EINVAL);

	o.flags = 0;
	o.elimination_slots = 1025;
	errno = 0;
	ck_assert_ptr_null(concoll_stack_create(&o));
	ck_assert_int_eq(errno, EINVAL);

	o.elimination_slots = 1024;
	concoll_stack_destroy(concoll_stack_create(&o), NULL, NULL);

	o.elimination_slots = 0;
	o.size = sizeof o - 1;
	errno = 0;
	ck_assert_ptr_null(concoll_stack_create(&o));
	ck_assert_int_eq(errno, EINVAL);
	o.size = 0;
	ck_assert_ptr_null(concoll_stack_create(&o));

	/* a newer, bigger structure: unknown fields must be zero */
	{
		struct {
			struct concoll_stack_options o;
			uint64_t future;
		} big;
		concoll_stack_t *s;

		memset(&big, 0, sizeof big);
		big.o.size = sizeof big;
		big.o.flags = CONCOLL_STACK_NO_ELIMINATION;
		s = concoll_stack_create(&big.o);
		ck_assert_ptr_nonnull(s);
		ck_assert_str_eq(concoll_stack_kind_name(s), "treiber-noelim");
		concoll_stack_destroy(s, NULL, NULL);
		big.future = 3;
		errno = 0;
		ck_assert_ptr_null(concoll_stack_create(&big.o));
		ck_assert_int_eq(errno, EINVAL);
	}
}
END_TEST

START_TEST(null_handles_and_items)
{
	concoll_stack_t *s = make(flag_variants[_i]);
	void *out = ITEM(7);

	ck_assert_int_eq(concoll_stack_push(NULL, ITEM(1)), -EINVAL);
	ck_assert_int_eq(concoll_stack_pop(NULL, &out), -EINVAL);
	ck_assert_int_eq(concoll_stack_try_push(NULL, ITEM(1)), -EINVAL);
	ck_assert_int_eq(concoll_stack_try_pop(NULL, &out), -EINVAL);
	ck_assert_int_eq(concoll_stack_push(s, NULL), -EINVAL);
	ck_assert_int_eq(concoll_stack_try_push(s, NULL), -EINVAL);
	ck_assert_int_eq(concoll_stack_pop(s, NULL), -EINVAL);
	ck_assert_int_eq(concoll_stack_try_pop(s, NULL), -EINVAL);
	ck_assert_uint_eq(concoll_stack_size(NULL), 0);
	ck_assert_int_eq(concoll_stack_kind(NULL), -EINVAL);
	ck_assert_ptr_null(concoll_stack_kind_name(NULL));
	concoll_stack_destroy(NULL, NULL, NULL);
	/* nothing was pushed by the refused calls */
	ck_assert_uint_eq(concoll_stack_size(s), 0);
	ck_assert_int_eq(concoll_stack_pop(s, &out), -EAGAIN);
	ck_assert_ptr_eq(out, ITEM(7)); /* untouched on failure */
	concoll_stack_destroy(s, NULL, NULL);
}
END_TEST

START_TEST(lifo_order_and_size)
{
	concoll_stack_t *s = make(flag_variants[_i]);
	uintptr_t i, n = 1000;
	void *out;

	for (i = 1; i <= n; i++) {
		ck_assert_int_eq(concoll_stack_push(s, ITEM(i)), 0);
		ck_assert_uint_eq(concoll_stack_size(s), i);
	}
	for (i = n; i >= 1; i--) {
		ck_assert_int_eq(concoll_stack_pop(s, &out), 0);
		ck_assert_ptr_eq(out, ITEM(i));
		ck_assert_uint_eq(concoll_stack_size(s), i - 1);
	}
	ck_assert_int_eq(concoll_stack_pop(s, &out), -EAGAIN);
	/* interleaved */
	ck_assert_int_eq(concoll_stack_push(s, ITEM(1)), 0);
	ck_assert_int_eq(concoll_stack_push(s, ITEM(2)), 0);
	ck_assert_int_eq(concoll_stack_pop(s, &out), 0);
	ck_assert_ptr_eq(out, ITEM(2));
	ck_assert_int_eq(concoll_stack_push(s, ITEM(3)), 0);
	ck_assert_int_eq(concoll_stack_pop(s, &out), 0);
	ck_assert_ptr_eq(out, ITEM(3));
	ck_assert_int_eq(concoll_stack_pop(s, &out), 0);
	ck_assert_ptr_eq(out, ITEM(1));
	ck_assert_uint_eq(concoll_stack_size(s), 0);
	concoll_stack_destroy(s, NULL, NULL);
}
END_TEST

START_TEST(try_variants_uncontended)
{
	concoll_stack_t *s = make(flag_variants[_i]);
	void *out;

	/* alone, the single attempt always succeeds */
	ck_assert_int_eq(concoll_stack_try_pop(s, &out), -EAGAIN);
	ck_assert_int_eq(concoll_stack_try_push(s, ITEM(10)), 0);
	ck_assert_int_eq(concoll_stack_try_push(s, ITEM(11)), 0);
	ck_assert_uint_eq(concoll_stack_size(s), 2);
	ck_assert_int_eq(concoll_stack_try_pop(s, &out), 0);
	ck_assert_ptr_eq(out, ITEM(11));
	ck_assert_int_eq(concoll_stack_pop(s, &out), 0);
	ck_assert_ptr_eq(out, ITEM(10));
	ck_assert_int_eq(concoll_stack_try_pop(s, &out), -EAGAIN);
	concoll_stack_destroy(s, NULL, NULL);
}
END_TEST

/* try_* under contention: -EBUSY means nothing happened, 0 means done. */
struct try_arg {
	concoll_stack_t *s;
	unsigned id;
	unsigned long ops;
	unsigned long pushed, popped, busy;
	uint64_t pushed_sum, popped_sum;
	struct tu_gate *gate;
	unsigned nthreads;
};

static void *try_worker(void *p)
{
	struct try_arg *a = p;
	unsigned long i, seq = 0;

	tu_gate_wait(a->gate, a->nthreads);
	for (i = 0; i < a->ops; i++) {
		void *out;
		int rc;

		if (i & 1) {
			rc = concoll_stack_try_pop(a->s, &out);
			if (rc == 0) {
				a->popped++;
				a->popped_sum += tu_mix((uint64_t)(uintptr_t)out);
			}
		} else {
			void *item = TU_ITEM(a->id, seq);

			rc = concoll_stack_try_push(a->s, item);
			if (rc == 0) {
				seq++;
				a->pushed++;
				a->pushed_sum += tu_mix((uint64_t)(uintptr_t)item);
			}
		}
		ck_assert(rc == 0 || rc == -EBUSY || rc == -EAGAIN);
		if (rc == -EBUSY)
			a->busy++;
	}
	return NULL;
}

START_TEST(try_variants_contended_conserve)
{
	enum { THREADS = 8 };
	concoll_stack_t *s = make(flag_variants[_i]);
	struct try_arg args[THREADS];
	struct tu_gate gate;
	unsigned long pushed = 0, popped = 0;
	uint64_t psum = 0, osum = 0;
	unsigned i;
	void *out;

	tu_gate_init(&gate);
	memset(args, 0, sizeof args);
	for (i = 0; i < THREADS; i++) {
		args[i].s = s;
		args[i].id = i;
		args[i].ops = tu_scaled(40000);
		args[i].gate = &gate;
		args[i].nthreads = THREADS;
	}
	tu_run_threads(THREADS, try_worker, args, sizeof args[0]);
	for (i = 0; i < THREADS; i++) {
		pushed += args[i].pushed;
		popped += args[i].popped;
		psum += args[i].pushed_sum;
		osum += args[i].popped_sum;
	}
	ck_assert_uint_eq(concoll_stack_size(s), pushed - popped);
	while (concoll_stack_pop(s, &out) == 0) {
		popped++;
		osum += tu_mix((uint64_t)(uintptr_t)out);
	}
	ck_assert_uint_eq(pushed, popped);
	ck_assert_uint_eq(psum, osum);
	concoll_stack_destroy(s, NULL, NULL);
}
END_TEST

struct released {
	uintptr_t items[16];
	unsigned n;
};

static void record_release(void *item, void *ctx)
{
	struct released *r = ctx;

	ck_assert_uint_lt(r->n, 16);
	r->items[r->n++] = (uintptr_t)item;
}

START_TEST(destroy_releases_remaining_top_down)
{
	concoll_stack_t *s = make(flag_variants[_i]);
	struct released r;
	uintptr_t i;
	void *out;

	memset(&r, 0, sizeof r);
	for (i = 1; i <= 5; i++)
		ck_assert_int_eq(concoll_stack_push(s, ITEM(i)), 0);
	ck_assert_int_eq(concoll_stack_pop(s, &out), 0);
	concoll_stack_destroy(s, record_release, &r);
	ck_assert_uint_eq(r.n, 4);
	for (i = 0; i < 4; i++)
		ck_assert_uint_eq(r.items[i], 4 - i);
}
END_TEST

START_TEST(popped_nodes_are_reclaimed)
{
	concoll_stack_t *s = make(flag_variants[_i]);
	struct concoll_smr_stats a, b;
	uintptr_t i, n = 5000;
	void *out;

	memset(&a, 0, sizeof a);
	a.size = sizeof a;
	b = a;
	ck_assert_int_eq(concoll_smr_barrier(), 0);
	ck_assert_int_eq(concoll_smr_stats(&a), 0);
	for (i = 1; i <= n; i++) {
		ck_assert_int_eq(concoll_stack_push(s, ITEM(i)), 0);
		ck_assert_int_eq(concoll_stack_pop(s, &out), 0);
	}
	ck_assert_int_eq(concoll_smr_barrier(), 0);
	ck_assert_int_eq(concoll_smr_stats(&b), 0);
	ck_assert_uint_eq(b.retired - a.retired, n);
	ck_assert_uint_eq(b.freed - a.freed, n);
	ck_assert_uint_eq(b.pending, 0);
	concoll_stack_destroy(s, NULL, NULL);
}
END_TEST

static Suite *stack_suite(void)
{
	Suite *s = suite_create("stack");
	TCase *tc = tcase_create("treiber");
	int nv = (int)(sizeof flag_variants / sizeof flag_variants[0]);

	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, create_defaults);
	tcase_add_test(tc, create_rejects_bad_options);
	tcase_add_loop_test(tc, null_handles_and_items, 0, nv);
	tcase_add_loop_test(tc, lifo_order_and_size, 0, nv);
	tcase_add_loop_test(tc, try_variants_uncontended, 0, nv);
	tcase_add_loop_test(tc, try_variants_contended_conserve, 0, nv);
	tcase_add_loop_test(tc, destroy_releases_remaining_top_down, 0, nv);
	tcase_add_loop_test(tc, popped_nodes_are_reclaimed, 0, nv);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tu_run_suite(stack_suite());
}
