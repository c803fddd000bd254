/* SPDX-License-Identifier: BSD-3-Clause */
/* concoll_queue_*: every public function, sequential semantics, capacity
 * rounding, ring transitions, bad input. */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <concoll/concoll.h>

#include "testutil.h"

#define ITEM(i) ((void *)(uintptr_t)(i))

/* Variants run by the loop tests. */
static const struct {
	int kind;
	size_t capacity;
} variants[] = {
	{ CONCOLL_QUEUE_SCQ, 1 },
	{ CONCOLL_QUEUE_SCQ, 4 },
	{ CONCOLL_QUEUE_SCQ, 1000 },
	{ CONCOLL_QUEUE_LSCQ, 0 },
	{ CONCOLL_QUEUE_LSCQ, 1 },
	{ CONCOLL_QUEUE_LSCQ, 2 },
	{ CONCOLL_QUEUE_LSCQ, 16 },
	{ CONCOLL_QUEUE_LCRQ, 0 },
	{ CONCOLL_QUEUE_LCRQ, 1 },
	{ CONCOLL_QUEUE_LCRQ, 2 },
	{ CONCOLL_QUEUE_LCRQ, 16 },
	{ CONCOLL_QUEUE_FAST, 0 },
	{ CONCOLL_QUEUE_WCQ, 2 },
	{ CONCOLL_QUEUE_WCQ, 4 },
	{ CONCOLL_QUEUE_WCQ, 1000 },
	{ CONCOLL_QUEUE_WAITFREE, 16 },
};
#define NVARIANTS ((int)(sizeof variants / sizeof variants[0]))

static concoll_queue_t *make(int kind, size_t capacity)
{
	struct concoll_queue_options o = { sizeof o, kind, capacity, 0 };
	concoll_queue_t *q = concoll_queue_create(&o);

	ck_assert_ptr_nonnull(q);
	return q;
}

static concoll_queue_t *make_variant(int i)
{
	return make(variants[i].kind, variants[i].capacity);
}

static bool bounded(const concoll_queue_t *q)
{
	return concoll_queue_capacity(q) != SIZE_MAX;
}

/* FAST is LCRQ where the CPU has a native 16-byte CAS (as the library
 * sees it, after CONCOLL_CPU_DISABLE), LSCQ otherwise. */
START_TEST(fast_chooses_by_cpu)
{
	concoll_queue_t *q = make(CONCOLL_QUEUE_FAST, 0);
	bool native = (concoll_cpu_features() & (CONCOLL_CPU_CX16 | CONCOLL_CPU_LSE)) != 0;
	void *item;

	ck_assert_ptr_nonnull(q);
	ck_assert_int_eq(concoll_queue_kind(q), native ? CONCOLL_QUEUE_LCRQ : CONCOLL_QUEUE_LSCQ);
	ck_assert_str_eq(concoll_queue_kind_name(q), native ? "lcrq" : "lscq");
	ck_assert_uint_eq(concoll_queue_capacity(q), SIZE_MAX);
	ck_assert_int_eq(concoll_queue_push(q, (void *)7), 0);
	ck_assert_int_eq(concoll_queue_pop(q, &item), 0);
	ck_assert_ptr_eq(item, (void *)7);
	concoll_queue_destroy(q, NULL, NULL);

	q = make(CONCOLL_QUEUE_LCRQ, 0);
	ck_assert_int_eq(concoll_queue_kind(q), CONCOLL_QUEUE_LCRQ);
	ck_assert_str_eq(concoll_queue_kind_name(q), "lcrq");
	concoll_queue_destroy(q, NULL, NULL);
}
END_TEST

START_TEST(create_defaults)
{
	concoll_queue_t *q = concoll_queue_create(NULL);

	ck_assert_ptr_nonnull(q);
	ck_assert_int_eq(concoll_queue_kind(q), CONCOLL_QUEUE_LSCQ);
	ck_assert_str_eq(concoll_queue_kind_name(q), "lscq");
	ck_assert_uint_eq(concoll_queue_capacity(q), SIZE_MAX);
	ck_assert_uint_eq(concoll_queue_size(q), 0);
	concoll_queue_destroy(q, NULL, NULL);

	q = make(CONCOLL_QUEUE_SCQ, 8);
	ck_assert_int_eq(concoll_queue_kind(q), CONCOLL_QUEUE_SCQ);
	ck_assert_str_eq(concoll_queue_kind_name(q), "scq");
	concoll_queue_destroy(q, NULL, NULL);
}
END_TEST

START_TEST(capacity_rounding)
{
	static const size_t req[] = { 1, 2, 3, 4, 5, 1000, 1024, 1025, 65536 };
	static const size_t got[] = { 1, 2, 4, 4, 8, 1024, 1024, 2048, 65536 };
	size_t i;

	for (i = 0; i < sizeof req / sizeof req[0]; i++) {
		concoll_queue_t *q = make(CONCOLL_QUEUE_SCQ, req[i]);

		ck_assert_uint_eq(concoll_queue_capacity(q), got[i]);
		concoll_queue_destroy(q, NULL, NULL);
	}
}
END_TEST

/* wCQ: bounded like SCQ, at least 2 (its empty markers need an index bit);
 * the wait-free front is wCQ; a full queue refuses and loses nothing. */
START_TEST(wcq_capacity_and_front)
{
	static const size_t req[] = { 1, 2, 3, 5, 1000, 1024 };
	static const size_t got[] = { 2, 2, 4, 8, 1024, 1024 };
	struct concoll_queue_options o = { sizeof o, CONCOLL_QUEUE_WCQ, 0, 0 };
	concoll_queue_t *q;
	void *item;
	size_t i;

	for (i = 0; i < sizeof req / sizeof req[0]; i++) {
		q = make(i % 2 ? CONCOLL_QUEUE_WAITFREE : CONCOLL_QUEUE_WCQ, req[i]);
		ck_assert_uint_eq(concoll_queue_capacity(q), got[i]);
		ck_assert_int_eq(concoll_queue_kind(q), CONCOLL_QUEUE_WCQ);
		ck_assert_str_eq(concoll_queue_kind_name(q), "wcq");
		concoll_queue_destroy(q, NULL, NULL);
	}
	errno = 0;
	ck_assert_ptr_null(concoll_queue_create(&o)); /* no default capacity */
	ck_assert_int_eq(errno, EINVAL);
	o.kind = CONCOLL_QUEUE_WAITFREE;
	o.capacity = ((size_t)1 << 30) + 1;
	errno = 0;
	ck_assert_ptr_null(concoll_queue_create(&o));
	ck_assert_int_eq(errno, EINVAL);

	q = make(CONCOLL_QUEUE_WAITFREE, 2);
	ck_assert_int_eq(concoll_queue_push(q, ITEM(1)), 0);
	ck_assert_int_eq(concoll_queue_push(q, ITEM(2)), 0);
	ck_assert_int_eq(concoll_queue_push(q, ITEM(3)), -EAGAIN);
	ck_assert_uint_eq(concoll_queue_size(q), 2);
	ck_assert_int_eq(concoll_queue_pop(q, &item), 0);
	ck_assert_ptr_eq(item, ITEM(1));
	ck_assert_int_eq(concoll_queue_push(q, ITEM(3)), 0);
	ck_assert_int_eq(concoll_queue_pop(q, &item), 0);
	ck_assert_ptr_eq(item, ITEM(2));
	ck_assert_int_eq(concoll_queue_pop(q, &item), 0);
	ck_assert_ptr_eq(item, ITEM(3));
	ck_assert_int_eq(concoll_queue_pop(q, &item), -EAGAIN);
	concoll_queue_destroy(q, NULL, NULL);
}
END_TEST

START_TEST(create_rejects_bad_options)
{
	struct concoll_queue_options o;

	memset(&o, 0, sizeof o);
	o.size = sizeof o;

	o.kind = 42; /* unknown backend */
	errno = 0;
	ck_assert_ptr_null(concoll_queue_create(&o));
	ck_assert_int_eq(errno, EINVAL);

	o.kind = -1;
	errno = 0;
	ck_assert_ptr_null(concoll_queue_create(&o));
	ck_assert_int_eq(errno, EINVAL);

	o.kind = CONCOLL_QUEUE_SCQ; /* bounded without a capacity */
	o.capacity = 0;
	errno = 0;
	ck_assert_ptr_null(concoll_queue_create(&o));
	ck_assert_int_eq(errno, EINVAL);

	o.capacity = ((size_t)1 << 30) + 1; /* absurd sizes */
	errno = 0;
	ck_assert_ptr_null(concoll_queue_create(&o));
	ck_assert_int_eq(errno, EINVAL);
	o.capacity = SIZE_MAX;
	errno = 0;
	ck_assert_ptr_null(concoll_queue_create(&o));
	ck_assert_int_eq(errno, EINVAL);
	o.kind = CONCOLL_QUEUE_LSCQ;
	errno = 0;
	ck_assert_ptr_null(concoll_queue_create(&o));
	ck_assert_int_eq(errno, EINVAL);

	o.capacity = 16;
	o.flags = 1;
	errno = 0;
	ck_assert_ptr_null(concoll_queue_create(&o));
	ck_assert_int_eq(errno, EINVAL);

	/* older than the first version of the structure */
	o.flags = 0;
	o.size = sizeof o - 1;
	errno = 0;
	ck_assert_ptr_null(concoll_queue_create(&o));
	ck_assert_int_eq(errno, EINVAL);
	o.size = 0;
	ck_assert_ptr_null(concoll_queue_create(&o));
}
END_TEST

/* A caller compiled against a newer header with a bigger structure: the
 * fields this library does not know must be zero. */
START_TEST(options_from_a_newer_header)
{
	struct {
		struct concoll_queue_options o;
		uint64_t future[2];
	} big;
	concoll_queue_t *q;

	memset(&big, 0, sizeof big);
	big.o.size = sizeof big;
	big.o.kind = CONCOLL_QUEUE_SCQ;
	big.o.capacity = 8;
	q = concoll_queue_create(&big.o);
	ck_assert_ptr_nonnull(q);
	ck_assert_uint_eq(concoll_queue_capacity(q), 8);
	concoll_queue_destroy(q, NULL, NULL);
	big.future[1] = 1;
	errno = 0;
	ck_assert_ptr_null(concoll_queue_create(&big.o));
	ck_assert_int_eq(errno, EINVAL);
}
END_TEST

START_TEST(null_handles_and_items)
{
	concoll_queue_t *q = make_variant(_i);
	void *out = ITEM(9);

	ck_assert_int_eq(concoll_queue_push(NULL, ITEM(1)), -EINVAL);
	ck_assert_int_eq(concoll_queue_pop(NULL, &out), -EINVAL);
	ck_assert_int_eq(concoll_queue_push(q, NULL), -EINVAL);
	ck_assert_int_eq(concoll_queue_pop(q, NULL), -EINVAL);
	ck_assert_uint_eq(concoll_queue_size(NULL), 0);
	ck_assert_uint_eq(concoll_queue_capacity(NULL), 0);
	ck_assert_int_eq(concoll_queue_kind(NULL), -EINVAL);
	ck_assert_ptr_null(concoll_queue_kind_name(NULL));
	concoll_queue_destroy(NULL, NULL, NULL);
	ck_assert_int_eq(concoll_queue_pop(q, &out), -EAGAIN);
	ck_assert_ptr_eq(out, ITEM(9)); /* untouched on failure */
	ck_assert_uint_eq(concoll_queue_size(q), 0);
	concoll_queue_destroy(q, NULL, NULL);
}
END_TEST

START_TEST(fifo_order_and_size)
{
	concoll_queue_t *q = make_variant(_i);
	size_t cap = concoll_queue_capacity(q);
	uintptr_t n = bounded(q) ? cap : 5000, i;
	void *out;

	for (i = 1; i <= n; i++) {
		ck_assert_int_eq(concoll_queue_push(q, ITEM(i)), 0);
		ck_assert_uint_eq(concoll_queue_size(q), i);
	}
	if (bounded(q)) {
		/* full: refused, nothing lost */
		ck_assert_int_eq(concoll_queue_push(q, ITEM(n + 1)), -EAGAIN);
		ck_assert_uint_eq(concoll_queue_size(q), n);
	}
	for (i = 1; i <= n; i++) {
		ck_assert_int_eq(concoll_queue_pop(q, &out), 0);
		ck_assert_ptr_eq(out, ITEM(i));
		ck_assert_uint_eq(concoll_queue_size(q), n - i);
	}
	ck_assert_int_eq(concoll_queue_pop(q, &out), -EAGAIN);
	ck_assert_int_eq(concoll_queue_pop(q, &out), -EAGAIN);
	concoll_queue_destroy(q, NULL, NULL);
}
END_TEST

/* Many laps around the rings with a varying fill level: indices and cycles
 * wrap many times; order never breaks. */
START_TEST(wraparound_keeps_fifo)
{
	concoll_queue_t *q = make_variant(_i);
	size_t cap = bounded(q) ? concoll_queue_capacity(q) : 64;
	uintptr_t next_in = 1, next_out = 1;
	uint64_t rng = 12345, steps = tu_scaled(200000), s;
	void *out;

	for (s = 0; s < steps; s++) {
		bool push = (tu_rand(&rng) & 1) != 0;
		size_t inside = next_in - next_out;

		if (push && inside < cap) {
			ck_assert_int_eq(concoll_queue_push(q, ITEM(next_in)), 0);
			next_in++;
		} else if (!push && inside > 0) {
			ck_assert_int_eq(concoll_queue_pop(q, &out), 0);
			ck_assert_ptr_eq(out, ITEM(next_out));
			next_out++;
		} else if (!push) {
			ck_assert_int_eq(concoll_queue_pop(q, &out), -EAGAIN);
		} else if (bounded(q)) {
			ck_assert_int_eq(concoll_queue_push(q, ITEM(next_in)), -EAGAIN);
		}
		ck_assert_uint_eq(concoll_queue_size(q), next_in - next_out);
	}
	concoll_queue_destroy(q, NULL, NULL);
}
END_TEST

struct released {
	uintptr_t items[64];
	unsigned n;
};

static void record_release(void *item, void *ctx)
{
	struct released *r = ctx;

	ck_assert_uint_lt(r->n, 64);
	r->items[r->n++] = (uintptr_t)item;
}

START_TEST(destroy_releases_remaining_in_order)
{
	concoll_queue_t *q = make_variant(_i);
	size_t n = bounded(q) && concoll_queue_capacity(q) < 40 ? concoll_queue_capacity(q) : 40, i;
	struct released r;
	void *out;

	memset(&r, 0, sizeof r);
	for (i = 1; i <= n; i++)
		ck_assert_int_eq(concoll_queue_push(q, ITEM(i)), 0);
	ck_assert_int_eq(concoll_queue_pop(q, &out), 0);
	concoll_queue_destroy(q, record_release, &r);
	ck_assert_uint_eq(r.n, n - 1);
	for (i = 0; i < n - 1; i++)
		ck_assert_uint_eq(r.items[i], i + 2);
}
END_TEST

/* LSCQ with tiny rings: rings are linked, drained, retired and reclaimed. */
START_TEST(lscq_rings_are_reclaimed)
{
	concoll_queue_t *q = make(CONCOLL_QUEUE_LSCQ, 2);
	struct concoll_smr_stats a, b;
	uintptr_t i, n = 1000;
	void *out;

	memset(&a, 0, sizeof a);
	a.size = sizeof a;
	b = a;
	ck_assert_int_eq(concoll_smr_barrier(), 0);
	ck_assert_int_eq(concoll_smr_stats(&a), 0);
	for (i = 1; i <= n; i++)
		ck_assert_int_eq(concoll_queue_push(q, ITEM(i)), 0);
	ck_assert_uint_eq(concoll_queue_size(q), n);
	for (i = 1; i <= n; i++) {
		ck_assert_int_eq(concoll_queue_pop(q, &out), 0);
		ck_assert_ptr_eq(out, ITEM(i));
	}
	/* rings are reclaimed while the queue is used, not only at a barrier:
	 * a handful at most are still waiting for their grace period */
	ck_assert_int_eq(concoll_smr_stats(&b), 0);
	ck_assert_uint_le(b.pending, 8);
	ck_assert_int_eq(concoll_smr_barrier(), 0);
	ck_assert_int_eq(concoll_smr_stats(&b), 0);
	/* n items in rings of 2: at least n/2 - 1 rings were retired */
	ck_assert_uint_ge(b.retired - a.retired, n / 2 - 1);
	ck_assert_uint_eq(b.retired - a.retired, b.freed - a.freed);
	ck_assert_uint_eq(b.pending, 0);
	concoll_queue_destroy(q, NULL, NULL);
}
END_TEST

static Suite *queue_suite(void)
{
	Suite *s = suite_create("queue");
	TCase *tc = tcase_create("sequential");

	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, create_defaults);
	tcase_add_test(tc, fast_chooses_by_cpu);
	tcase_add_test(tc, capacity_rounding);
	tcase_add_test(tc, wcq_capacity_and_front);
	tcase_add_test(tc, create_rejects_bad_options);
	tcase_add_test(tc, options_from_a_newer_header);
	tcase_add_loop_test(tc, null_handles_and_items, 0, NVARIANTS);
	tcase_add_loop_test(tc, fifo_order_and_size, 0, NVARIANTS);
	tcase_add_loop_test(tc, wraparound_keeps_fifo, 0, NVARIANTS);
	tcase_add_loop_test(tc, destroy_releases_remaining_in_order, 0, NVARIANTS);
	tcase_add_test(tc, lscq_rings_are_reclaimed);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tu_run_suite(queue_suite());
}
