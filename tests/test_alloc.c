/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Allocation failure: an allocator hook fails the Nth allocation.  Every
 * call must then return a clean error (NULL with ENOMEM, or -ENOMEM) and
 * leave the structure exactly as it was: nothing lost, nothing duplicated,
 * order intact, no leak.
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <concoll/concoll.h>

#include "testutil.h"

#define ITEM(i) ((void *)(uintptr_t)(i))

static void setup(void)
{
	/* register this thread first: its record is not what we test here */
	ck_assert_int_eq(concoll_thread_attach(), 0);
	tu_alloc_install();
}

static void teardown(void)
{
	tu_alloc_fail_at(0, false);
	concoll_smr_barrier();
	tu_alloc_uninstall();
}

START_TEST(create_fails_cleanly)
{
	struct concoll_queue_options scq = { sizeof scq, CONCOLL_QUEUE_SCQ, 64, 0 };
	struct concoll_queue_options lscq = { sizeof lscq, CONCOLL_QUEUE_LSCQ, 64, 0 };
	uint64_t nth;

	/* every allocation of each constructor fails once in turn */
	for (nth = 1; nth <= 3; nth++) {
		concoll_queue_t *q;
		concoll_stack_t *s;
		int64_t live = tu_alloc_live();

		tu_alloc_fail_at(nth, false);
		errno = 0;
		q = concoll_queue_create(&scq);
		if (q == NULL)
			ck_assert_int_eq(errno, ENOMEM);
		concoll_queue_destroy(q, NULL, NULL);

		tu_alloc_fail_at(nth, false);
		errno = 0;
		q = concoll_queue_create(&lscq);
		if (q == NULL)
			ck_assert_int_eq(errno, ENOMEM);
		concoll_queue_destroy(q, NULL, NULL);

		tu_alloc_fail_at(nth, false);
		errno = 0;
		s = concoll_stack_create(NULL);
		if (s == NULL)
			ck_assert_int_eq(errno, ENOMEM);
		concoll_stack_destroy(s, NULL, NULL);
		/* nothing leaked by a failed constructor */
		ck_assert_int_eq(tu_alloc_live(), live);
	}
	/* the first allocation failing always fails the constructor */
	tu_alloc_fail_at(1, false);
	errno = 0;
	ck_assert_ptr_null(concoll_queue_create(&scq));
	ck_assert_int_eq(errno, ENOMEM);
	tu_alloc_fail_at(1, false);
	errno = 0;
	ck_assert_ptr_null(concoll_stack_create(NULL));
	ck_assert_int_eq(errno, ENOMEM);
}
END_TEST

START_TEST(stack_push_fails_cleanly)
{
	concoll_stack_t *s = concoll_stack_create(NULL);
	uintptr_t ok[64];
	unsigned n = 0, i;
	void *out;

	ck_assert_ptr_nonnull(s);
	for (i = 1; i <= 64; i++) {
		int rc;

		/* every third push meets a failing allocation */
		tu_alloc_fail_at(i % 3 == 0 ? 1 : 0, false);
		rc = concoll_stack_push(s, ITEM(i));
		if (i % 3 == 0) {
			ck_assert_int_eq(rc, -ENOMEM);
		} else {
			ck_assert_int_eq(rc, 0);
			ok[n++] = i;
		}
		ck_assert_uint_eq(concoll_stack_size(s), n);
	}
	tu_alloc_fail_at(0, false);
	for (i = n; i > 0; i--) {
		ck_assert_int_eq(concoll_stack_pop(s, &out), 0);
		ck_assert_ptr_eq(out, ITEM(ok[i - 1]));
	}
	ck_assert_int_eq(concoll_stack_pop(s, &out), -EAGAIN);
	concoll_stack_destroy(s, NULL, NULL);
}
END_TEST

START_TEST(lscq_ring_allocation_fails_cleanly)
{
	/* rings of 2: a new ring is needed every other push */
	struct concoll_queue_options o = { sizeof o, CONCOLL_QUEUE_LSCQ, 2, 0 };
	concoll_queue_t *q = concoll_queue_create(&o);
	uintptr_t ok[200];
	unsigned n = 0, i, failures = 0;
	void *out;

	ck_assert_ptr_nonnull(q);
	tu_alloc_fail_at(1, true); /* from now on, every allocation fails */
	for (i = 1; i <= 200; i++) {
		int rc = concoll_queue_push(q, ITEM(i));

		if (rc == 0) {
			ok[n++] = i;
		} else {
			ck_assert_int_eq(rc, -ENOMEM);
			failures++;
			/* nothing changed: the size is what succeeded */
			ck_assert_uint_eq(concoll_queue_size(q), n);
			if (failures % 4 == 0)
				tu_alloc_fail_at(0, false); /* memory comes back */
			else
				tu_alloc_fail_at(1, true);
		}
	}
	ck_assert_uint_gt(failures, 0);
	ck_assert_uint_eq(concoll_queue_size(q), n);
	tu_alloc_fail_at(0, false);
	for (i = 0; i < n; i++) {
		ck_assert_int_eq(concoll_queue_pop(q, &out), 0);
		ck_assert_ptr_eq(out, ITEM(ok[i]));
	}
	ck_assert_int_eq(concoll_queue_pop(q, &out), -EAGAIN);
	/* the queue still works after the failures */
	ck_assert_int_eq(concoll_queue_push(q, ITEM(1000)), 0);
	ck_assert_int_eq(concoll_queue_pop(q, &out), 0);
	ck_assert_ptr_eq(out, ITEM(1000));
	concoll_queue_destroy(q, NULL, NULL);
}
END_TEST

START_TEST(scq_never_allocates_after_create)
{
	struct concoll_queue_options o = { sizeof o, CONCOLL_QUEUE_SCQ, 16, 0 };
	concoll_queue_t *q = concoll_queue_create(&o);
	uintptr_t i;
	void *out;

	ck_assert_ptr_nonnull(q);
	tu_alloc_fail_at(1, true);
	for (i = 1; i <= 16; i++)
		ck_assert_int_eq(concoll_queue_push(q, ITEM(i)), 0);
	ck_assert_int_eq(concoll_queue_push(q, ITEM(17)), -EAGAIN);
	for (i = 1; i <= 16; i++) {
		ck_assert_int_eq(concoll_queue_pop(q, &out), 0);
		ck_assert_ptr_eq(out, ITEM(i));
	}
	tu_alloc_fail_at(0, false);
	concoll_queue_destroy(q, NULL, NULL);
}
END_TEST

/* A thread whose SMR record cannot be allocated gets -ENOMEM from every
 * operation that needs it, and the structures are unchanged. */
struct noreg {
	concoll_stack_t *s;
	concoll_queue_t *q;
	int enter_rc, push_rc, pop_rc, qpush_rc, qpop_rc, retire_rc;
};

static void count_release(concoll_smr_head_t *h)
{
	free(h);
}

static void *unregistered_thread(void *p)
{
	struct noreg *r = p;
	void *out = NULL;

	r->enter_rc = concoll_smr_enter();
	if (r->enter_rc == 0)
		concoll_smr_exit();
	r->push_rc = concoll_stack_push(r->s, ITEM(5));
	r->pop_rc = concoll_stack_pop(r->s, &out);
	r->qpush_rc = concoll_queue_push(r->q, ITEM(6));
	r->qpop_rc = concoll_queue_pop(r->q, &out);
	/* retire still works without a record: the object is adopted */
	r->retire_rc = concoll_smr_retire(calloc(1, sizeof(concoll_smr_head_t)), count_release);
	return NULL;
}

static void *park(void *p)
{
	atomic_int *release = p;

	ck_assert_int_eq(concoll_thread_attach(), 0);
	while (!atomic_load(release))
		sched_yield();
	return NULL;
}

START_TEST(thread_record_allocation_fails_cleanly)
{
	concoll_stack_t *s = concoll_stack_create(NULL);
	concoll_queue_t *q = concoll_queue_create(NULL);
	struct concoll_smr_stats st;
	struct noreg r;
	pthread_t t, parked[64];
	atomic_int release;
	unsigned nparked = 0, i;
	void *out;

	ck_assert_ptr_nonnull(s);
	ck_assert_ptr_nonnull(q);
	ck_assert_int_eq(concoll_stack_push(s, ITEM(1)), 0);
	ck_assert_int_eq(concoll_queue_push(q, ITEM(2)), 0);
	/* occupy every released record, so the next thread needs a new one */
	atomic_init(&release, 0);
	for (;;) {
		memset(&st, 0, sizeof st);
		st.size = sizeof st;
		ck_assert_int_eq(concoll_smr_stats(&st), 0);
		if (st.records == st.threads)
			break;
		ck_assert_uint_lt(nparked, 64);
		ck_assert_int_eq(pthread_create(&parked[nparked++], NULL, park, &release), 0);
		while (1) {
			struct concoll_smr_stats now = st;

			ck_assert_int_eq(concoll_smr_stats(&now), 0);
			if (now.threads > st.threads)
				break;
			sched_yield();
		}
	}
	memset(&r, 0, sizeof r);
	r.s = s;
	r.q = q;
	tu_alloc_fail_at(1, true);
	ck_assert_int_eq(pthread_create(&t, NULL, unregistered_thread, &r), 0);
	ck_assert_int_eq(pthread_join(t, NULL), 0);
	tu_alloc_fail_at(0, false);
	ck_assert_int_eq(r.enter_rc, -ENOMEM);
	ck_assert_int_eq(r.push_rc, -ENOMEM);
	ck_assert_int_eq(r.pop_rc, -ENOMEM);
	ck_assert_int_eq(r.qpush_rc, -ENOMEM);
	ck_assert_int_eq(r.qpop_rc, -ENOMEM);
	ck_assert_int_eq(r.retire_rc, 0);
	atomic_store(&release, 1);
	for (i = 0; i < nparked; i++)
		ck_assert_int_eq(pthread_join(parked[i], NULL), 0);
	/* unchanged */
	ck_assert_uint_eq(concoll_stack_size(s), 1);
	ck_assert_int_eq(concoll_stack_pop(s, &out), 0);
	ck_assert_ptr_eq(out, ITEM(1));
	ck_assert_int_eq(concoll_queue_pop(q, &out), 0);
	ck_assert_ptr_eq(out, ITEM(2));
	ck_assert_int_eq(concoll_queue_pop(q, &out), -EAGAIN);
	/* the adopted object is reclaimed like any other */
	ck_assert_int_eq(concoll_smr_barrier(), 0);
	memset(&st, 0, sizeof st);
	st.size = sizeof st;
	ck_assert_int_eq(concoll_smr_stats(&st), 0);
	ck_assert_uint_eq(st.pending, 0);
	concoll_stack_destroy(s, NULL, NULL);
	concoll_queue_destroy(q, NULL, NULL);
}
END_TEST

/* Random failures during a random workload: the contents always match a
 * model that applies exactly the calls that returned 0. */
START_TEST(random_failures_match_model)
{
	struct concoll_queue_options o = { sizeof o, CONCOLL_QUEUE_LSCQ, 4, 0 };
	concoll_queue_t *q = concoll_queue_create(&o);
	concoll_stack_t *s = concoll_stack_create(NULL);
	uintptr_t *qm = calloc(100000, sizeof *qm), *sm = calloc(100000, sizeof *sm);
	size_t qh = 0, qt = 0, sn = 0;
	uint64_t rng = 99, steps = tu_scaled(50000), k;
	void *out;

	ck_assert_ptr_nonnull(q);
	ck_assert_ptr_nonnull(s);
	ck_assert_ptr_nonnull(qm);
	ck_assert_ptr_nonnull(sm);
	for (k = 1; k <= steps && qt < 100000 && sn < 100000; k++) {
		uint64_t x = tu_rand(&rng);
		int rc;

		tu_alloc_fail_at((x & 7) == 0 ? 1 : 0, false);
		switch ((x >> 8) % 4) {
		case 0:
			rc = concoll_queue_push(q, ITEM(k));
			ck_assert(rc == 0 || rc == -ENOMEM);
			if (rc == 0)
				qm[qt++] = k;
			break;
		case 1:
			rc = concoll_queue_pop(q, &out);
			if (qh == qt) {
				ck_assert_int_eq(rc, -EAGAIN);
			} else {
				ck_assert_int_eq(rc, 0);
				ck_assert_ptr_eq(out, ITEM(qm[qh]));
				qh++;
			}
			break;
		case 2:
			rc = concoll_stack_push(s, ITEM(k));
			ck_assert(rc == 0 || rc == -ENOMEM);
			if (rc == 0)
				sm[sn++] = k;
			break;
		default:
			rc = concoll_stack_pop(s, &out);
			if (sn == 0) {
				ck_assert_int_eq(rc, -EAGAIN);
			} else {
				ck_assert_int_eq(rc, 0);
				ck_assert_ptr_eq(out, ITEM(sm[--sn]));
			}
			break;
		}
		tu_alloc_fail_at(0, false);
		ck_assert_uint_eq(concoll_queue_size(q), qt - qh);
		ck_assert_uint_eq(concoll_stack_size(s), sn);
	}
	concoll_queue_destroy(q, NULL, NULL);
	concoll_stack_destroy(s, NULL, NULL);
	free(qm);
	free(sm);
}
END_TEST

static Suite *alloc_suite(void)
{
	Suite *s = suite_create("allocation failure");
	TCase *tc = tcase_create("inject");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, create_fails_cleanly);
	tcase_add_test(tc, stack_push_fails_cleanly);
	tcase_add_test(tc, lscq_ring_allocation_fails_cleanly);
	tcase_add_test(tc, scq_never_allocates_after_create);
	tcase_add_test(tc, thread_record_allocation_fails_cleanly);
	tcase_add_test(tc, random_failures_match_model);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tu_run_suite(alloc_suite());
}
