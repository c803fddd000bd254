/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Epoch-based reclamation through the public API.  The reclaimed objects
 * are poisoned, not freed, by the tests' callbacks (they go to a graveyard
 * freed at the end), so that a premature reclamation shows up as a reader
 * seeing poison instead of undefined behaviour.
 */
#include "config.h"

#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <concoll/concoll.h>

#include "testutil.h"

#define ALIVE 0xA11FEA11FEA11FEULL
#define POISON 0xDEADDEADDEADDEADULL

struct obj {
	_Atomic uint64_t magic;
	uint64_t payload[6];
	concoll_smr_head_t smr;
	struct obj *grave_next;
};

static pthread_mutex_t grave_lock = PTHREAD_MUTEX_INITIALIZER;
static struct obj *graveyard;
static atomic_ulong reclaimed;

static struct obj *obj_new(uint64_t v)
{
	struct obj *o = calloc(1, sizeof *o);
	int i;

	ck_assert_ptr_nonnull(o);
	for (i = 0; i < 6; i++)
		o->payload[i] = v + (uint64_t)i;
	atomic_store(&o->magic, ALIVE);
	return o;
}

static void obj_reclaim(concoll_smr_head_t *h)
{
	struct obj *o = (struct obj *)(void *)((char *)h - offsetof(struct obj, smr));

	atomic_store(&o->magic, POISON);
	memset(o->payload, 0xdd, sizeof o->payload);
	pthread_mutex_lock(&grave_lock);
	o->grave_next = graveyard;
	graveyard = o;
	pthread_mutex_unlock(&grave_lock);
	atomic_fetch_add(&reclaimed, 1);
}

static void graveyard_free(void)
{
	pthread_mutex_lock(&grave_lock);
	while (graveyard) {
		struct obj *n = graveyard->grave_next;

		free(graveyard);
		graveyard = n;
	}
	pthread_mutex_unlock(&grave_lock);
}

static struct concoll_smr_stats stats_now(void)
{
	struct concoll_smr_stats st;

	memset(&st, 0, sizeof st);
	st.size = sizeof st;
	ck_assert_int_eq(concoll_smr_stats(&st), 0);
	return st;
}

static void setup(void)
{
	atomic_store(&reclaimed, 0);
	/* start from a clean slate: earlier garbage of this process freed */
	ck_assert_int_eq(concoll_smr_barrier(), 0);
}

static void teardown(void)
{
	concoll_smr_barrier();
	graveyard_free();
}

START_TEST(guards_nest)
{
	ck_assert_int_eq(concoll_smr_enter(), 0);
	ck_assert_int_eq(concoll_smr_enter(), 0);
	concoll_smr_exit();
	/* still inside the outer guard: a barrier would wait for us */
	ck_assert_int_eq(concoll_smr_barrier(), -EDEADLK);
	ck_assert_int_eq(concoll_thread_detach(), -EBUSY);
	concoll_smr_exit();
	ck_assert_int_eq(concoll_smr_barrier(), 0);
	/* an unmatched exit is ignored */
	concoll_smr_exit();
	ck_assert_int_eq(concoll_smr_barrier(), 0);
}
END_TEST

START_TEST(retire_bad_arguments)
{
	struct obj o;

	ck_assert_int_eq(concoll_smr_retire(NULL, obj_reclaim), -EINVAL);
	ck_assert_int_eq(concoll_smr_retire(&o.smr, NULL), -EINVAL);
	ck_assert_int_eq(concoll_smr_stats(NULL), -EINVAL);
	{
		struct concoll_smr_stats st = { sizeof st - 1, 0, 0, 0, 0, 0, 0 };

		ck_assert_int_eq(concoll_smr_stats(&st), -EINVAL);
	}
}
END_TEST

START_TEST(retire_then_barrier_frees_all)
{
	struct concoll_smr_stats before = stats_now(), after;
	unsigned long i, n = 1000;

	for (i = 0; i < n; i++)
		ck_assert_int_eq(concoll_smr_retire(&obj_new(i)->smr, obj_reclaim), 0);
	after = stats_now();
	ck_assert_uint_eq(after.retired - before.retired, n);
	ck_assert_int_eq(concoll_smr_barrier(), 0);
	ck_assert_uint_eq(atomic_load(&reclaimed), n);
	after = stats_now();
	ck_assert_uint_eq(after.freed - before.freed, n);
	ck_assert_uint_eq(after.pending, 0);
	ck_assert_uint_ge(after.threads, 1);
	ck_assert_uint_ge(after.records, after.threads);
}
END_TEST

START_TEST(flush_reclaims_amortized)
{
	unsigned long i, n = 10000;

	/* without any barrier, ordinary retires and flushes reclaim almost
	 * everything: at most a few collections' worth stays pending */
	for (i = 0; i < n; i++)
		ck_assert_int_eq(concoll_smr_retire(&obj_new(i)->smr, obj_reclaim), 0);
	for (i = 0; i < 8; i++)
		concoll_smr_flush();
	ck_assert_uint_eq(atomic_load(&reclaimed), n);
	ck_assert_uint_eq(stats_now().pending, 0);
}
END_TEST

/* A callback may retire another object. */
static struct obj *chained;

static void reclaim_and_retire_next(concoll_smr_head_t *h)
{
	struct obj *next = chained;

	chained = NULL;
	obj_reclaim(h);
	if (next)
		ck_assert_int_eq(concoll_smr_retire(&next->smr, obj_reclaim), 0);
}

START_TEST(callback_may_retire)
{
	chained = obj_new(2);
	ck_assert_int_eq(concoll_smr_retire(&obj_new(1)->smr, reclaim_and_retire_next), 0);
	ck_assert_int_eq(concoll_smr_barrier(), 0);
	ck_assert_int_eq(concoll_smr_barrier(), 0);
	ck_assert_uint_eq(atomic_load(&reclaimed), 2);
}
END_TEST

/* ---- a stalled guard holds reclamation back -------------------------------- */

struct staller {
	_Atomic(struct obj *) *slot;
	struct obj *seen;
	atomic_int state; /* 0 start, 1 inside guard, 2 release, 3 done */
};

static void *stall_in_guard(void *p)
{
	struct staller *s = p;
	int i;

	ck_assert_int_eq(concoll_smr_enter(), 0);
	s->seen = atomic_load(s->slot);
	atomic_store(&s->state, 1);
	while (atomic_load(&s->state) != 2)
		sched_yield();
	/* the object we read before it was retired is still intact */
	for (i = 0; i < 6; i++)
		ck_assert_uint_eq(s->seen->payload[i], 100 + (uint64_t)i);
	ck_assert_uint_eq(atomic_load(&s->seen->magic), ALIVE);
	concoll_smr_exit();
	atomic_store(&s->state, 3);
	return NULL;
}

START_TEST(stalled_guard_holds_reclamation)
{
	_Atomic(struct obj *) slot;
	struct staller s;
	pthread_t t;
	struct obj *old = obj_new(100);
	unsigned long i, n = 5000, reclaimed_while_stalled;
	uint64_t magic_while_stalled, pending_while_stalled;
	int retire_rc;

	atomic_init(&slot, old);
	s.slot = &slot;
	atomic_init(&s.state, 0);
	ck_assert_int_eq(pthread_create(&t, NULL, stall_in_guard, &s), 0);
	while (atomic_load(&s.state) != 1)
		sched_yield();
	/* unlink and retire the object the stalled reader holds, then retire
	 * many more: none may be reclaimed while the guard is held */
	atomic_store(&slot, obj_new(200));
	retire_rc = concoll_smr_retire(&old->smr, obj_reclaim);
	for (i = 0; i < n; i++)
		retire_rc |= concoll_smr_retire(&obj_new(i)->smr, obj_reclaim);
	for (i = 0; i < 16; i++)
		concoll_smr_flush();
	reclaimed_while_stalled = atomic_load(&reclaimed);
	magic_while_stalled = atomic_load(&old->magic);
	pending_while_stalled = stats_now().pending;

	/* release (before any assertion can leave this frame): now
	 * everything can go */
	atomic_store(&s.state, 2);
	ck_assert_int_eq(pthread_join(t, NULL), 0);
	ck_assert_int_eq(retire_rc, 0);
	ck_assert_uint_eq(reclaimed_while_stalled, 0);
	ck_assert_uint_eq(magic_while_stalled, ALIVE);
	ck_assert_uint_ge(pending_while_stalled, n + 1);
	ck_assert_int_eq(atomic_load(&s.state), 3);
	ck_assert_int_eq(concoll_smr_barrier(), 0);
	ck_assert_uint_eq(atomic_load(&reclaimed), n + 1);
	ck_assert_uint_eq(atomic_load(&old->magic), POISON);
	ck_assert_uint_eq(stats_now().pending, 0);
	free(atomic_load(&slot));
}
END_TEST

/* ---- readers never see poison (randomized, oversubscribed) ----------------- */

#define SLOTS 4

struct poison_ctx {
	_Atomic(struct obj *) slot[SLOTS];
	atomic_int stop;
	atomic_ulong poisoned;
	atomic_ulong reads;
	unsigned long writes_per_writer;
	atomic_int writers_left;
};

struct poison_arg {
	struct poison_ctx *c;
	unsigned id;
	bool writer;
};

static void *poison_thread(void *p)
{
	struct poison_arg *a = p;
	struct poison_ctx *c = a->c;
	uint64_t rng = a->id * 7919 + 1;

	if (a->writer) {
		unsigned long i;

		for (i = 0; i < c->writes_per_writer; i++) {
			unsigned k = (unsigned)(tu_rand(&rng) % SLOTS);
			struct obj *fresh = obj_new(k * 1000);
			struct obj *old = atomic_exchange(&c->slot[k], fresh);

			ck_assert_int_eq(concoll_smr_retire(&old->smr, obj_reclaim), 0);
			if ((i & 63) == 0)
				sched_yield();
		}
		if (atomic_fetch_sub(&c->writers_left, 1) == 1)
			atomic_store(&c->stop, 1);
		return NULL;
	}
	while (!atomic_load(&c->stop)) {
		unsigned k = (unsigned)(tu_rand(&rng) % SLOTS), r;
		struct obj *o;

		ck_assert_int_eq(concoll_smr_enter(), 0);
		o = atomic_load(&c->slot[k]);
		for (r = 0; r < 4; r++) {
			int i;

			if (atomic_load(&o->magic) != ALIVE)
				atomic_fetch_add(&c->poisoned, 1);
			for (i = 0; i < 6; i++) {
				if (o->payload[i] != k * 1000 + (uint64_t)i)
					atomic_fetch_add(&c->poisoned, 1);
			}
			if (r == 1)
				sched_yield(); /* give writers a chance to retire o */
		}
		concoll_smr_exit();
		atomic_fetch_add(&c->reads, 1);
	}
	return NULL;
}

START_TEST(readers_never_see_poison)
{
	enum { WRITERS = 4, READERS = 12 };
	struct poison_ctx c;
	struct poison_arg args[WRITERS + READERS];
	unsigned i;

	memset(&c, 0, sizeof c);
	for (i = 0; i < SLOTS; i++)
		atomic_init(&c.slot[i], obj_new(i * 1000));
	c.writes_per_writer = tu_scaled(20000);
	atomic_init(&c.writers_left, WRITERS);
	for (i = 0; i < WRITERS + READERS; i++) {
		args[i].c = &c;
		args[i].id = i;
		args[i].writer = i < WRITERS;
	}
	tu_run_threads(WRITERS + READERS, poison_thread, args, sizeof args[0]);
	ck_assert_uint_eq(atomic_load(&c.poisoned), 0);
	ck_assert_uint_gt(atomic_load(&c.reads), 0);
	ck_assert_int_eq(concoll_smr_barrier(), 0);
	ck_assert_uint_eq(atomic_load(&reclaimed), WRITERS * c.writes_per_writer);
	for (i = 0; i < SLOTS; i++)
		free(atomic_load(&c.slot[i]));
}
END_TEST

/* ---- garbage of exiting threads is adopted ------------------------------------ */

static void *retire_and_exit(void *p)
{
	unsigned long i, n = *(unsigned long *)p;

	for (i = 0; i < n; i++)
		ck_assert_int_eq(concoll_smr_retire(&obj_new(i)->smr, obj_reclaim), 0);
	return NULL; /* no flush, no detach: the library adopts what is pending */
}

START_TEST(exiting_threads_leave_nothing)
{
	enum { THREADS = 8 };
	unsigned long n[THREADS];
	unsigned i, round;
	struct concoll_smr_stats st;
	uint64_t records_before = stats_now().records;

	for (round = 0; round < 3; round++) {
		for (i = 0; i < THREADS; i++)
			n[i] = 1000 + i;
		tu_run_threads(THREADS, retire_and_exit, n, sizeof n[0]);
	}
	st = stats_now();
	/* the records of exited threads are released and reused: three
	 * rounds need no more records than one */
	ck_assert_uint_le(st.records, records_before > 1 + THREADS ? records_before : 1 + THREADS + 1);
	/* their garbage was adopted: other threads' flushes free it */
	for (i = 0; i < 8; i++)
		concoll_smr_flush();
	ck_assert_uint_eq(atomic_load(&reclaimed), 3 * (THREADS * 1000 + THREADS * (THREADS - 1) / 2));
	ck_assert_uint_eq(stats_now().pending, 0);
}
END_TEST

/* ---- explicit attach / detach ----------------------------------------------------- */

static void *attach_detach(void *p)
{
	struct concoll_smr_stats st;

	(void)p;
	ck_assert_int_eq(concoll_thread_attach(), 0);
	ck_assert_int_eq(concoll_thread_attach(), 0); /* idempotent */
	ck_assert_int_eq(concoll_smr_retire(&obj_new(1)->smr, obj_reclaim), 0);
	ck_assert_int_eq(concoll_thread_detach(), 0);
	ck_assert_int_eq(concoll_thread_detach(), 0); /* not registered: no-op */
	/* using the library again registers again */
	ck_assert_int_eq(concoll_smr_retire(&obj_new(2)->smr, obj_reclaim), 0);
	memset(&st, 0, sizeof st);
	st.size = sizeof st;
	ck_assert_int_eq(concoll_smr_stats(&st), 0);
	ck_assert_uint_ge(st.threads, 1);
	return NULL;
}

START_TEST(attach_detach_cycle)
{
	uint64_t threads_before = stats_now().threads;
	pthread_t t;

	ck_assert_int_eq(pthread_create(&t, NULL, attach_detach, NULL), 0);
	ck_assert_int_eq(pthread_join(t, NULL), 0);
	/* the thread's record was released when it exited */
	ck_assert_uint_eq(stats_now().threads, threads_before);
	ck_assert_int_eq(concoll_smr_barrier(), 0);
	ck_assert_uint_eq(atomic_load(&reclaimed), 2);
}
END_TEST

/* ---- barrier while other threads work ---------------------------------------------- */

struct churn_ctx {
	atomic_int stop;
};

static void *churn(void *p)
{
	struct churn_ctx *c = p;
	unsigned long i = 0;

	while (!atomic_load(&c->stop)) {
		ck_assert_int_eq(concoll_smr_enter(), 0);
		ck_assert_int_eq(concoll_smr_retire(&obj_new(i++)->smr, obj_reclaim), 0);
		if ((i & 15) == 0)
			sched_yield();
		concoll_smr_exit();
	}
	return NULL;
}

START_TEST(barrier_with_concurrent_work)
{
	enum { THREADS = 6 };
	struct churn_ctx c;
	pthread_t t[THREADS];
	struct obj *mine[64];
	unsigned i, round;

	atomic_init(&c.stop, 0);
	for (i = 0; i < THREADS; i++)
		ck_assert_int_eq(pthread_create(&t[i], NULL, churn, &c), 0);
	for (round = 0; round < 20; round++) {
		for (i = 0; i < 64; i++) {
			mine[i] = obj_new(i);
			ck_assert_int_eq(concoll_smr_retire(&mine[i]->smr, obj_reclaim), 0);
		}
		ck_assert_int_eq(concoll_smr_barrier(), 0);
		/* everything we retired before the barrier has been reclaimed */
		for (i = 0; i < 64; i++)
			ck_assert_uint_eq(atomic_load(&mine[i]->magic), POISON);
	}
	atomic_store(&c.stop, 1);
	for (i = 0; i < THREADS; i++)
		ck_assert_int_eq(pthread_join(t[i], NULL), 0);
}
END_TEST

/* ---- fork: the child is not blocked by the parent's other threads -------------------- */

START_TEST(fork_child_reclaims)
{
	_Atomic(struct obj *) slot;
	struct staller s;
	pthread_t t;
	pid_t pid;
	int fds[2];
	char verdict = '?';

	ck_assert_int_eq(pipe(fds), 0);
	atomic_init(&slot, obj_new(100));
	s.slot = &slot;
	atomic_init(&s.state, 0);
	ck_assert_int_eq(pthread_create(&t, NULL, stall_in_guard, &s), 0);
	while (atomic_load(&s.state) != 1)
		sched_yield();
	pid = fork();
	if (pid == 0) {
		/* The stalled thread does not exist here: a barrier completes.
		 * The verdict goes through the pipe, not the exit status (which
		 * a memory checker may set for the child's own reasons). */
		struct obj *o = obj_new(5);
		char v = 'F';

		alarm(30);
		if (concoll_smr_retire(&o->smr, obj_reclaim) == 0 && concoll_smr_barrier() == 0 &&
		    atomic_load(&o->magic) == POISON)
			v = 'O';
		if (write(fds[1], &v, 1) != 1)
			_exit(3);
		_exit(0);
	}
	if (pid > 0) {
		if (read(fds[0], &verdict, 1) != 1)
			verdict = 'E';
		waitpid(pid, NULL, 0);
	}
	/* release the staller before any assertion can leave this frame */
	atomic_store(&s.state, 2);
	ck_assert_int_eq(pthread_join(t, NULL), 0);
	close(fds[0]);
	close(fds[1]);
	free(atomic_load(&slot));
	ck_assert_int_gt(pid, 0);
	ck_assert_int_eq(verdict, 'O');
}
END_TEST

static Suite *smr_suite(void)
{
	Suite *s = suite_create("smr");
	TCase *tc = tcase_create("epoch");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, guards_nest);
	tcase_add_test(tc, retire_bad_arguments);
	tcase_add_test(tc, retire_then_barrier_frees_all);
	tcase_add_test(tc, flush_reclaims_amortized);
	tcase_add_test(tc, callback_may_retire);
	tcase_add_test(tc, stalled_guard_holds_reclamation);
	tcase_add_test(tc, readers_never_see_poison);
	tcase_add_test(tc, exiting_threads_leave_nothing);
	tcase_add_test(tc, attach_detach_cycle);
	tcase_add_test(tc, barrier_with_concurrent_work);
	tcase_add_test(tc, fork_child_reclaims);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tu_run_suite(smr_suite());
}
