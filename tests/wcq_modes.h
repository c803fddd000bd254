/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * wCQ test modes for the queue suites (white box: the tests that include
 * this link the convenience library).  A variant's flags select the
 * patience of the fast paths; patience 0 sends every ring operation down
 * the slow path, where requests are announced and completed by helpers.
 * Every push and pop is then checked against the documented step bound.
 */
#ifndef CONCOLL_TESTS_WCQ_MODES_H
#define CONCOLL_TESTS_WCQ_MODES_H

#include <string.h>

#include <check.h>
#include <concoll/concoll.h>

#include "queue/wcq.h"

#define WCQ_MODE 0x10000u
#define WCQ_PATIENCE(enq, deq) (WCQ_MODE | ((unsigned)(enq) << 8) | (unsigned)(deq))

/* Apply the variant's patience to a freshly created queue. */
static inline void wcq_mode_apply(concoll_queue_t *q, unsigned flags)
{
	if (flags & WCQ_MODE)
		ck_assert_int_eq(cc_wcq_set_patience(q, (flags >> 8) & 0xff, flags & 0xff), 0);
}

/* No push or pop took more steps than the bound for the threads registered. */
static inline void wcq_mode_check(concoll_queue_t *q, unsigned flags, const char *name)
{
	struct concoll_smr_stats st;
	uint64_t steps, bound;

	if (!(flags & WCQ_MODE))
		return;
	memset(&st, 0, sizeof st);
	st.size = sizeof st;
	ck_assert_int_eq(concoll_smr_stats(&st), 0);
	steps = cc_wcq_max_steps(q);
	bound = cc_wcq_step_bound(q, st.records);
	ck_assert_msg(steps > 0, "%s: no steps counted", name);
	ck_assert_msg(steps <= bound, "%s: an operation took %llu steps, bound %llu (%llu records)",
	              name, (unsigned long long)steps, (unsigned long long)bound,
	              (unsigned long long)st.records);
}

#endif /* CONCOLL_TESTS_WCQ_MODES_H */
