/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Maps and sets under concurrent updates, oversubscribed (4, 8 and 16
 * threads on however many cores there are), on every kind:
 *   - disjoint keys: each updater's own results are exact, readers see
 *     consistent entries, and the final contents (count, checksum, order)
 *     are what the successful operations say;
 *   - contended keys: per key, successful inserts minus removes is 0 or 1
 *     and says whether the key is in;
 *   - pops racing inserts: every key inserted is popped or left, once;
 *   - iteration (range, iterators, snapshots) while other keys churn: keys
 *     that stay are always seen, in strict order, and iteration ends;
 *   - counters incremented by replace_if_equal loops: nothing lost;
 *   - release callbacks: each handed key and value released once, never
 *     while a reader's guard may still see it.
 * CONCOLL_TEST_SCALE scales the operation counts.
 */
#include "config.h"

#include <errno.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <concoll/concoll.h>

#include "testutil.h"

/* Every map kind; a new kind is one line here. */
static const struct {
	int kind;
	const char *name;
} kinds[] = {
	{ CONCOLL_MAP_SKIPLIST, "skiplist" },
	{ CONCOLL_MAP_SKIPLIST_LOCKED, "skiplist-locked" },
};
#define NKINDS ((int)(sizeof kinds / sizeof kinds[0]))

static const unsigned thread_counts[] = { 4, 8, 16 };
#define NCOUNTS ((int)(sizeof thread_counts / sizeof thread_counts[0]))
#define MAX_THREADS 16

/* _i of the loop tests: kind, thread count, map (0) or set (1). */
#define LOOP_MAPSET (NKINDS * NCOUNTS * 2)
#define LOOP_MAP (NKINDS * NCOUNTS)

struct target {
	const char *kind_name;
	int kind;
	unsigned nthreads;
	bool is_set;
	concoll_map_t *m;
	concoll_set_t *s;
};

static void target_init(struct target *t, int i, bool with_sets,
                        const struct concoll_map_options *base)
{
	struct concoll_map_options o;
	int per = with_sets ? 2 : 1;

	memset(t, 0, sizeof *t);
	t->kind_name = kinds[i / (NCOUNTS * per)].name;
	t->kind = kinds[i / (NCOUNTS * per)].kind;
	t->nthreads = tu_threads(thread_counts[(i / per) % NCOUNTS], MAX_THREADS, (unsigned)i);
	t->is_set = with_sets && i % 2;
	if (base) {
		o = *base;
	} else {
		memset(&o, 0, sizeof o);
		o.size = sizeof o;
	}
	o.kind = t->kind;
	if (t->is_set) {
		t->s = concoll_set_create(&o);
		ck_assert_ptr_nonnull(t->s);
	} else {
		t->m = concoll_map_create(&o);
		ck_assert_ptr_nonnull(t->m);
	}
}

static void target_destroy(struct target *t)
{
	ck_assert_int_eq(t->is_set ? concoll_set_destroy(t->s) : concoll_map_destroy(t->m), 0);
}

#define K(x) concoll_key_u64(x)
#define U(p) concoll_key_to_u64(p)

/* Map values that name their key: key in the high bits, a tag below. */
#define VAL(k, tag) K(((uint64_t)(k) << 25) | (((uint64_t)(tag) & 0xffffff) << 1) | 1)
#define VAL_KEY(v) (U(v) >> 25)

static int t_insert(struct target *t, uint64_t k, void *v, void **existing)
{
	return t->is_set ? concoll_set_add(t->s, K(k))
	                 : concoll_map_put_if_absent(t->m, K(k), v, existing);
}

static int t_remove(struct target *t, uint64_t k, void **old)
{
	return t->is_set ? concoll_set_discard(t->s, K(k)) : concoll_map_remove(t->m, K(k), old);
}

static int t_contains(struct target *t, uint64_t k)
{
	return t->is_set ? concoll_set_contains(t->s, K(k)) : concoll_map_contains(t->m, K(k));
}

static int t_range(struct target *t, uint64_t lo, uint64_t hi, unsigned flags, concoll_visit_fn fn,
                   void *ctx)
{
	return t->is_set ? concoll_set_range(t->s, K(lo), K(hi), flags, fn, ctx)
	                 : concoll_map_range(t->m, K(lo), K(hi), flags, fn, ctx);
}

static size_t t_size(struct target *t)
{
	return t->is_set ? concoll_set_size(t->s) : concoll_map_size(t->m);
}

/* First error of a thread, reported by the main thread. */
struct err {
	unsigned long n;
	char first[200];
};

static void note_err(struct err *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void note_err(struct err *e, const char *fmt, ...)
{
	va_list ap;

	if (e->n++ == 0) {
		va_start(ap, fmt);
		vsnprintf(e->first, sizeof e->first, fmt, ap);
		va_end(ap);
	}
}

static void report(const struct target *t, const char *test, struct err *e, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++) {
		if (e[i].n)
			fprintf(stderr, "%s %s %s, %u threads: thread %u: %lu errors, first: %s\n",
			        test, t->kind_name, t->is_set ? "set" : "map", t->nthreads, i,
			        e[i].n, e[i].first);
	}
	for (i = 0; i < n; i++)
		ck_assert_msg(e[i].n == 0, "%s %s %s, %u threads: thread %u: %s", test,
		              t->kind_name, t->is_set ? "set" : "map", t->nthreads, i, e[i].first);
}

/* A walk of the whole map: strictly increasing, values name their keys. */
struct walk {
	bool is_set;
	size_t n;
	uint64_t prev, sum;
	bool any;
	unsigned long disorder, bad_values;
	unsigned char *seen; /* optional: per key count (saturating) */
	uint64_t seen_max;
};

static int walk_cb(void *key, void *value, void *ctx)
{
	struct walk *w = ctx;
	uint64_t k = U(key);

	if (w->any && k <= w->prev)
		w->disorder++;
	if (w->is_set ? value != NULL : VAL_KEY(value) != k)
		w->bad_values++;
	if (w->seen && k < w->seen_max && w->seen[k] < 255)
		w->seen[k]++;
	w->any = true;
	w->prev = k;
	w->n++;
	w->sum += tu_mix(k);
	return 0;
}

static void walk_all(struct target *t, struct walk *w)
{
	int rc;

	w->is_set = t->is_set;
	rc = t->is_set ? concoll_set_range(t->s, NULL, NULL, 0, walk_cb, w)
	               : concoll_map_range(t->m, NULL, NULL, 0, walk_cb, w);
	ck_assert_int_eq(rc, 0);
	ck_assert_uint_eq(w->disorder, 0);
	ck_assert_uint_eq(w->bad_values, 0);
}

/* ======================================================================== */
/* (a) disjoint keys, with readers                                          */
/* ======================================================================== */

#define DISJOINT_KEYS 2048

struct disjoint {
	struct target *t;
	struct tu_gate gate;
	unsigned updaters;
	uint64_t ops;
	atomic_uint running;
};

struct dworker {
	struct disjoint *sh;
	unsigned id;
	struct err e;
	unsigned char present[DISJOINT_KEYS];
	uint32_t tag[DISJOINT_KEYS];
	uint64_t reads;
} __attribute__((aligned(64)));

/* Own keys: k % updaters == id.  Every result is known in advance. */
static void disjoint_update(struct dworker *w)
{
	struct target *t = w->sh->t;
	uint64_t rng = 0xD15A + w->id, i;
	unsigned u = w->sh->updaters, own = (DISJOINT_KEYS - w->id + u - 1) / u;

	for (i = 0; i < w->sh->ops; i++) {
		uint64_t x = tu_rand(&rng), k = w->id + u * ((x >> 8) % own);
		uint32_t tag = (uint32_t)i;
		void *old = NULL;
		int rc;

		switch (t->is_set ? x % 2 : x % 5) {
		case 0: /* insert */
			rc = t_insert(t, k, VAL(k, tag), &old);
			if (w->present[k]) {
				if (rc != -EEXIST || (!t->is_set && old != VAL(k, w->tag[k])))
					note_err(&w->e, "insert of present key %llu: %d",
					         (unsigned long long)k, rc);
			} else if (rc != 0) {
				note_err(&w->e, "insert of absent key %llu: %d",
				         (unsigned long long)k, rc);
			} else {
				w->present[k] = 1;
				w->tag[k] = tag;
			}
			break;
		case 1: /* remove */
			rc = t_remove(t, k, &old);
			if (!w->present[k]) {
				if (rc != -ENOENT)
					note_err(&w->e, "remove of absent key %llu: %d",
					         (unsigned long long)k, rc);
			} else if (rc != 0 || (!t->is_set && old != VAL(k, w->tag[k]))) {
				note_err(&w->e, "remove of present key %llu: %d",
				         (unsigned long long)k, rc);
			} else {
				w->present[k] = 0;
			}
			break;
		case 2: /* put */
			rc = concoll_map_put(t->m, K(k), VAL(k, tag), &old);
			if (rc != (w->present[k] ? 1 : 0) || (rc == 1 && old != VAL(k, w->tag[k])))
				note_err(&w->e, "put key %llu: %d", (unsigned long long)k, rc);
			w->present[k] = 1;
			w->tag[k] = tag;
			break;
		case 3: /* replace_if_equal, right or wrong expectation */
			rc = concoll_map_replace_if_equal(
			    t->m, K(k), VAL(k, w->tag[k] + (x >> 60) % 2), VAL(k, tag));
			if (rc != (!w->present[k] ? -ENOENT : (x >> 60) % 2 ? -EAGAIN : 0))
				note_err(&w->e, "replace_if_equal key %llu: %d",
				         (unsigned long long)k, rc);
			if (rc == 0)
				w->tag[k] = tag;
			break;
		default: /* get */
			rc = concoll_map_get(t->m, K(k), &old);
			if (rc != (w->present[k] ? 0 : -ENOENT) ||
			    (rc == 0 && old != VAL(k, w->tag[k])))
				note_err(&w->e, "get own key %llu: %d", (unsigned long long)k, rc);
			break;
		}
	}
}

struct bounds_check {
	uint64_t lo, hi;
	unsigned flags;
	bool is_set, any;
	uint64_t prev;
	size_t n, limit;
	unsigned long bad;
};

static int bounds_cb(void *key, void *value, void *ctx)
{
	struct bounds_check *b = ctx;
	uint64_t k = U(key);
	bool desc = b->flags & CONCOLL_RANGE_DESC;

	if (b->any && (desc ? k >= b->prev : k <= b->prev))
		b->bad++;
	if ((b->flags & CONCOLL_RANGE_LO) &&
	    (k < b->lo || (k == b->lo && (b->flags & CONCOLL_RANGE_LO_EXCL))))
		b->bad++;
	if ((b->flags & CONCOLL_RANGE_HI) &&
	    (k > b->hi || (k == b->hi && (b->flags & CONCOLL_RANGE_HI_EXCL))))
		b->bad++;
	if (b->is_set ? value != NULL : VAL_KEY(value) != k)
		b->bad++;
	b->any = true;
	b->prev = k;
	if (++b->n > b->limit) {
		b->bad++;
		return 1; /* never ends: stop */
	}
	return 0;
}

/* Readers: every answer is consistent with itself. */
static void disjoint_read(struct dworker *w)
{
	struct target *t = w->sh->t;
	uint64_t rng = 0xBEAD + w->id;

	while (atomic_load(&w->sh->running)) {
		uint64_t x = tu_rand(&rng), k = (x >> 8) % (DISJOINT_KEYS + 8);
		void *ko = NULL, *vo = NULL;
		int rc, nav = (int)((x >> 40) % 7);

		w->reads++;
		switch (x % 4) {
		case 0:
			rc = t->is_set ? concoll_set_contains(t->s, K(k))
			               : concoll_map_get(t->m, K(k), &vo);
			if (t->is_set ? rc != 0 && rc != 1
			              : (rc != 0 && rc != -ENOENT) || (rc == 0 && VAL_KEY(vo) != k))
				note_err(&w->e, "get %llu: %d", (unsigned long long)k, rc);
			break;
		case 1: {
			uint64_t r;

			rc = t->is_set ? concoll_set_find(t->s, nav, K(k), &ko)
			               : concoll_map_find(t->m, nav, K(k), &ko, &vo);
			if (rc == -ENOENT)
				break;
			r = U(ko);
			if (rc != 0 || (!t->is_set && VAL_KEY(vo) != r) || r >= DISJOINT_KEYS ||
			    (nav == CONCOLL_NAV_EQ && r != k) ||
			    (nav == CONCOLL_NAV_FLOOR && r > k) ||
			    (nav == CONCOLL_NAV_CEILING && r < k) ||
			    (nav == CONCOLL_NAV_LOWER && r >= k) ||
			    (nav == CONCOLL_NAV_HIGHER && r <= k))
				note_err(&w->e, "find nav %d key %llu: rc %d key %llu", nav,
				         (unsigned long long)k, rc, (unsigned long long)r);
			break;
		}
		case 2: {
			struct bounds_check b;

			memset(&b, 0, sizeof b);
			b.lo = k;
			b.hi = k + (x >> 50) % 64;
			b.flags = (unsigned)(x >> 20) % 32;
			b.is_set = t->is_set;
			b.limit = DISJOINT_KEYS;
			rc = t_range(t, b.lo, b.hi, b.flags, bounds_cb, &b);
			if ((rc != 0 && !(rc == 1 && b.n > b.limit)) || b.bad)
				note_err(&w->e, "range flags %#x: rc %d, %lu bad", b.flags, rc,
				         b.bad);
			break;
		}
		default:
			if (t_size(t) > DISJOINT_KEYS)
				note_err(&w->e, "size %zu", t_size(t));
			rc = t->is_set ? concoll_set_is_empty(t->s) : concoll_map_is_empty(t->m);
			if (rc != 0 && rc != 1)
				note_err(&w->e, "is_empty: %d", rc);
			break;
		}
	}
}

static void *disjoint_thread(void *p)
{
	struct dworker *w = p;

	tu_gate_wait(&w->sh->gate, w->sh->t->nthreads);
	if (w->id < w->sh->updaters) {
		disjoint_update(w);
		atomic_fetch_sub(&w->sh->running, 1);
	} else {
		disjoint_read(w);
	}
	return NULL;
}

START_TEST(disjoint_keys_with_readers)
{
	struct target t;
	struct disjoint sh;
	struct dworker *w = aligned_alloc(64, sizeof *w * MAX_THREADS);
	struct err errs[MAX_THREADS];
	struct walk wk;
	uint64_t sum = 0;
	size_t count = 0, k;
	unsigned i;

	ck_assert_ptr_nonnull(w);
	target_init(&t, _i, true, NULL);
	memset(&sh, 0, sizeof sh);
	memset(w, 0, sizeof *w * MAX_THREADS);
	sh.t = &t;
	sh.updaters = t.nthreads / 2;
	sh.ops = tu_scaled(400000) / sh.updaters;
	atomic_init(&sh.running, sh.updaters);
	tu_gate_init(&sh.gate);
	for (i = 0; i < t.nthreads; i++) {
		w[i].sh = &sh;
		w[i].id = i;
	}
	tu_run_threads(t.nthreads, disjoint_thread, w, sizeof *w);
	for (i = 0; i < t.nthreads; i++)
		errs[i] = w[i].e;
	report(&t, "disjoint", errs, t.nthreads);
	/* the final contents are the union of what each updater holds */
	memset(&wk, 0, sizeof wk);
	wk.seen = calloc(DISJOINT_KEYS, 1);
	wk.seen_max = DISJOINT_KEYS;
	ck_assert_ptr_nonnull(wk.seen);
	walk_all(&t, &wk);
	for (k = 0; k < DISJOINT_KEYS; k++) {
		struct dworker *o = &w[k % sh.updaters];

		ck_assert_msg(wk.seen[k] == o->present[k], "key %zu: seen %u times, owner says %u",
		              k, wk.seen[k], o->present[k]);
		if (o->present[k]) {
			count++;
			sum += tu_mix(k);
			if (!t.is_set) {
				void *v;

				ck_assert_int_eq(concoll_map_get(t.m, K(k), &v), 0);
				ck_assert_ptr_eq(v, VAL(k, o->tag[k]));
			}
		}
	}
	ck_assert_uint_eq(wk.n, count);
	ck_assert_uint_eq(wk.sum, sum);
	ck_assert_uint_eq(t_size(&t), count);
	ck_assert_int_eq(t.is_set ? concoll_set_is_empty(t.s) : concoll_map_is_empty(t.m),
	                 count == 0);
	free(wk.seen);
	target_destroy(&t);
	free(w);
}
END_TEST

/* ======================================================================== */
/* (b) contended keys                                                       */
/* ======================================================================== */

#define HOT_KEYS 16

struct hot {
	struct target *t;
	struct tu_gate gate;
	uint64_t ops;
};

struct hworker {
	struct hot *sh;
	unsigned id;
	struct err e;
	uint64_t ins[HOT_KEYS], rem[HOT_KEYS];
} __attribute__((aligned(64)));

static void *hot_thread(void *p)
{
	struct hworker *w = p;
	struct target *t = w->sh->t;
	uint64_t rng = 0x4077 + w->id, i;

	tu_gate_wait(&w->sh->gate, t->nthreads);
	for (i = 0; i < w->sh->ops; i++) {
		uint64_t x = tu_rand(&rng), k = (x >> 8) % HOT_KEYS;
		void *v = NULL;
		int rc;

		if (x % 2) {
			rc = t_insert(t, k, VAL(k, (w->id << 16) | (i & 0xffff)), &v);
			if (rc == 0)
				w->ins[k]++;
			else if (rc != -EEXIST || (!t->is_set && VAL_KEY(v) != k))
				note_err(&w->e, "insert %llu: %d", (unsigned long long)k, rc);
		} else if (x % 4 == 0 && !t->is_set) {
			/* remove only what was seen: remove_if_equal */
			rc = concoll_map_get(t->m, K(k), &v);
			if (rc == 0)
				rc = concoll_map_remove_if_equal(t->m, K(k), v);
			if (rc == 0)
				w->rem[k]++;
			else if (rc != -ENOENT && rc != -EAGAIN)
				note_err(&w->e, "remove_if_equal %llu: %d", (unsigned long long)k,
				         rc);
		} else {
			rc = t_remove(t, k, &v);
			if (rc == 0 && (t->is_set || VAL_KEY(v) == k))
				w->rem[k]++;
			else if (rc != -ENOENT)
				note_err(&w->e, "remove %llu: %d", (unsigned long long)k, rc);
		}
	}
	return NULL;
}

static void run_contended(int loop_index)
{
	struct target t;
	struct hot sh;
	struct hworker *w = aligned_alloc(64, sizeof *w * MAX_THREADS);
	struct err errs[MAX_THREADS];
	unsigned i, k, present = 0;

	ck_assert_ptr_nonnull(w);
	target_init(&t, loop_index, true, NULL);
	memset(&sh, 0, sizeof sh);
	memset(w, 0, sizeof *w * MAX_THREADS);
	sh.t = &t;
	sh.ops = tu_scaled(500000) / t.nthreads;
	tu_gate_init(&sh.gate);
	for (i = 0; i < t.nthreads; i++) {
		w[i].sh = &sh;
		w[i].id = i;
	}
	tu_run_threads(t.nthreads, hot_thread, w, sizeof *w);
	for (i = 0; i < t.nthreads; i++)
		errs[i] = w[i].e;
	report(&t, "contended", errs, t.nthreads);
	for (k = 0; k < HOT_KEYS; k++) {
		int64_t d = 0;

		for (i = 0; i < t.nthreads; i++)
			d += (int64_t)w[i].ins[k] - (int64_t)w[i].rem[k];
		ck_assert_msg(d == 0 || d == 1, "key %u: %lld more inserts than removes", k,
		              (long long)d);
		ck_assert_int_eq(t_contains(&t, k), (int)d);
		present += (unsigned)d;
	}
	ck_assert_uint_eq(t_size(&t), present);
	target_destroy(&t);
	free(w);
}

START_TEST(contended_keys)
{
	run_contended(_i);
}
END_TEST

/* ======================================================================== */
/* (c) pops racing inserts                                                  */
/* ======================================================================== */

struct pops {
	struct target *t;
	struct tu_gate gate;
	unsigned producers;
	uint64_t per_producer;
	atomic_uint producing;
};

struct pworker {
	struct pops *sh;
	unsigned id;
	struct err e;
	uint64_t *popped;
	size_t npopped, cap;
} __attribute__((aligned(64)));

/* Key of producer p's item s: producers interleave in key order. */
#define POP_KEY(sh, p, s) ((s) * (sh)->producers + (p) + 1)

static void *pop_thread(void *p)
{
	struct pworker *w = p;
	struct pops *sh = w->sh;
	struct target *t = sh->t;
	uint64_t s, rng = 0x909 + w->id;

	tu_gate_wait(&sh->gate, t->nthreads);
	if (w->id < sh->producers) {
		for (s = 0; s < sh->per_producer; s++) {
			uint64_t k = POP_KEY(sh, w->id, s);
			int rc = t_insert(t, k, VAL(k, s), NULL);

			if (rc != 0)
				note_err(&w->e, "insert %llu: %d", (unsigned long long)k, rc);
		}
		atomic_fetch_sub(&sh->producing, 1);
		return NULL;
	}
	for (;;) {
		bool last = tu_rand(&rng) % 2;
		bool done = atomic_load(&sh->producing) == 0;
		void *k = NULL, *v = NULL;
		int rc;

		if (t->is_set)
			rc =
			    last ? concoll_set_pop_last(t->s, &k) : concoll_set_pop_first(t->s, &k);
		else
			rc = last ? concoll_map_pop_last(t->m, &k, &v)
			          : concoll_map_pop_first(t->m, &k, &v);
		if (rc == -ENOENT) {
			if (done)
				break;
			sched_yield();
			continue;
		}
		if (rc != 0 || (!t->is_set && VAL_KEY(v) != U(k))) {
			note_err(&w->e, "pop: %d", rc);
			continue;
		}
		if (w->npopped == w->cap) {
			w->cap = w->cap ? 2 * w->cap : 1024;
			w->popped = realloc(w->popped, w->cap * sizeof *w->popped);
			if (!w->popped)
				abort();
		}
		w->popped[w->npopped++] = U(k);
		/* leave some behind now and then */
		if (done && tu_rand(&rng) % 64 == 0)
			break;
	}
	return NULL;
}

START_TEST(pops_race_inserts)
{
	struct target t;
	struct pops sh;
	struct pworker *w = aligned_alloc(64, sizeof *w * MAX_THREADS);
	struct err errs[MAX_THREADS];
	struct walk wk;
	unsigned char *count;
	uint64_t total, k, popped = 0;
	unsigned i;
	size_t j;

	ck_assert_ptr_nonnull(w);
	target_init(&t, _i, true, NULL);
	memset(&sh, 0, sizeof sh);
	memset(w, 0, sizeof *w * MAX_THREADS);
	sh.t = &t;
	sh.producers = t.nthreads / 2;
	sh.per_producer = tu_scaled(60000) / sh.producers;
	atomic_init(&sh.producing, sh.producers);
	tu_gate_init(&sh.gate);
	for (i = 0; i < t.nthreads; i++) {
		w[i].sh = &sh;
		w[i].id = i;
	}
	tu_run_threads(t.nthreads, pop_thread, w, sizeof *w);
	for (i = 0; i < t.nthreads; i++)
		errs[i] = w[i].e;
	report(&t, "pops", errs, t.nthreads);
	total = sh.producers * sh.per_producer;
	count = calloc(total + 2, 1);
	ck_assert_ptr_nonnull(count);
	for (i = 0; i < t.nthreads; i++) {
		for (j = 0; j < w[i].npopped; j++) {
			k = w[i].popped[j];
			ck_assert_msg(k >= 1 && k <= total, "popped a key never inserted: %llu",
			              (unsigned long long)k);
			ck_assert_msg(count[k]++ == 0, "key %llu popped twice",
			              (unsigned long long)k);
		}
		popped += w[i].npopped;
		free(w[i].popped);
	}
	memset(&wk, 0, sizeof wk);
	wk.seen = count;
	wk.seen_max = total + 1;
	walk_all(&t, &wk);
	ck_assert_uint_eq(popped + wk.n, total);
	for (k = 1; k <= total; k++)
		ck_assert_msg(count[k] == 1, "key %llu: popped or left %u times",
		              (unsigned long long)k, count[k]);
	ck_assert_uint_eq(t_size(&t), wk.n);
	free(count);
	target_destroy(&t);
	free(w);
}
END_TEST

/* ======================================================================== */
/* (d) iteration while other keys churn                                     */
/* ======================================================================== */

#define STABLE 512 /* even keys 2, 4, ..., 2*STABLE stay; odd keys churn */
#define ITER_KEYS (2 * STABLE + 2)

struct churn {
	struct target *t;
	struct tu_gate gate;
	unsigned updaters;
	uint64_t ops;
	atomic_uint running;
};

struct cworker {
	struct churn *sh;
	unsigned id;
	struct err e;
	uint64_t iterations;
} __attribute__((aligned(64)));

static bool stable_key(uint64_t k)
{
	return k % 2 == 0 && k >= 2 && k <= 2 * STABLE;
}

/* The entries one iteration returned. */
struct seq {
	bool is_set;
	unsigned flags;
	uint64_t lo, hi;
	size_t n;
	bool overflow;
	unsigned long bad_values;
	uint64_t keys[ITER_KEYS + 1]; /* last: the fields above are reset per iteration */
};

static int seq_cb(void *key, void *value, void *ctx)
{
	struct seq *s = ctx;

	if (s->n > ITER_KEYS) {
		s->overflow = true;
		return 1;
	}
	if (s->is_set ? value != NULL : VAL_KEY(value) != U(key))
		s->bad_values++;
	if (!s->is_set && stable_key(U(key)) && value != VAL(U(key), 0))
		s->bad_values++;
	s->keys[s->n++] = U(key);
	return 0;
}

static bool bound_ok(const struct seq *s, uint64_t k)
{
	if ((s->flags & CONCOLL_RANGE_LO) &&
	    (k < s->lo || (k == s->lo && (s->flags & CONCOLL_RANGE_LO_EXCL))))
		return false;
	if ((s->flags & CONCOLL_RANGE_HI) &&
	    (k > s->hi || (k == s->hi && (s->flags & CONCOLL_RANGE_HI_EXCL))))
		return false;
	return true;
}

/* Strictly ordered, inside the bounds, values right, every stable key in
 * the bounds present (when complete). */
static void check_seq(struct cworker *w, const struct seq *s, bool complete, const char *what)
{
	bool desc = s->flags & CONCOLL_RANGE_DESC;
	size_t i, stable = 0;
	uint64_t k;

	if (s->overflow) {
		note_err(&w->e, "%s: more entries than keys", what);
		return;
	}
	if (s->bad_values)
		note_err(&w->e, "%s: %lu wrong values", what, s->bad_values);
	for (i = 0; i < s->n; i++) {
		if (i > 0 && (desc ? s->keys[i] >= s->keys[i - 1] : s->keys[i] <= s->keys[i - 1]))
			note_err(&w->e, "%s flags %#x: key %llu after %llu", what, s->flags,
			         (unsigned long long)s->keys[i],
			         (unsigned long long)s->keys[i - 1]);
		if (!bound_ok(s, s->keys[i]) || s->keys[i] == 0 || s->keys[i] >= ITER_KEYS)
			note_err(&w->e, "%s flags %#x [%llu, %llu]: key %llu", what, s->flags,
			         (unsigned long long)s->lo, (unsigned long long)s->hi,
			         (unsigned long long)s->keys[i]);
		stable += stable_key(s->keys[i]);
	}
	if (!complete)
		return;
	for (k = 2, i = 0; k <= 2 * STABLE; k += 2)
		i += bound_ok(s, k);
	if (stable != i)
		note_err(&w->e, "%s flags %#x [%llu, %llu]: %zu stable keys, expected %zu", what,
		         s->flags, (unsigned long long)s->lo, (unsigned long long)s->hi, stable, i);
}

static void churn_update(struct cworker *w)
{
	struct target *t = w->sh->t;
	uint64_t rng = 0xC4 + w->id, i;

	for (i = 0; i < w->sh->ops; i++) {
		uint64_t x = tu_rand(&rng), k = 2 * ((x >> 8) % (STABLE + 1)) + 1; /* odd */
		int rc;

		switch (t->is_set ? x % 2 : x % 4) {
		case 0:
			rc = t_insert(t, k, VAL(k, i + 1), NULL);
			if (rc != 0 && rc != -EEXIST)
				note_err(&w->e, "insert: %d", rc);
			break;
		case 1:
			rc = t_remove(t, k, NULL);
			if (rc != 0 && rc != -ENOENT)
				note_err(&w->e, "remove: %d", rc);
			break;
		case 2:
			rc = concoll_map_put(t->m, K(k), VAL(k, i + 1), NULL);
			if (rc != 0 && rc != 1)
				note_err(&w->e, "put: %d", rc);
			break;
		default:
			rc = concoll_map_replace(t->m, K(k), VAL(k, i + 1), NULL);
			if (rc != 0 && rc != -ENOENT)
				note_err(&w->e, "replace: %d", rc);
			break;
		}
	}
}

static void churn_read(struct cworker *w, struct seq *s)
{
	struct target *t = w->sh->t;
	uint64_t rng = 0x17E4 + w->id;

	do {
		uint64_t x = tu_rand(&rng);
		bool complete = true;
		int rc;

		w->iterations++;
		memset(s, 0, offsetof(struct seq, keys));
		s->is_set = t->is_set;
		s->flags = (unsigned)(x % 32);
		s->lo = (x >> 8) % ITER_KEYS;
		s->hi = s->lo + (x >> 24) % ITER_KEYS;
		switch ((x >> 40) % 3) {
		case 0:
			rc = t_range(t, s->lo, s->hi, s->flags, seq_cb, s);
			if (rc != 0)
				note_err(&w->e, "range: %d", rc);
			check_seq(w, s, true, "range");
			break;
		case 1: {
			void *lo = K(s->lo), *hi = K(s->hi), *k, *v;
			size_t stop = (x >> 50) % 8 == 0 ? (x >> 53) % 64 : SIZE_MAX;
			concoll_map_iter_t *it =
			    t->is_set ? concoll_set_iter_create(t->s, lo, hi, s->flags)
			              : concoll_map_iter_create(t->m, lo, hi, s->flags);

			if (!it) {
				note_err(&w->e, "iter_create: errno %d", errno);
				break;
			}
			while ((rc = concoll_map_iter_next(it, &k, &v)) == 0) {
				if (seq_cb(k, v, s))
					break;
				if (s->n == stop) {
					complete = false;
					break;
				}
			}
			if (rc != 0 && rc != -ENOENT)
				note_err(&w->e, "iter_next: %d", rc);
			concoll_map_iter_destroy(it);
			check_seq(w, s, complete, "iterator");
			break;
		}
		default: {
			concoll_frozen_t *f =
			    t->is_set ? concoll_set_freeze(t->s) : concoll_map_freeze(t->m);
			size_t i, n, idx;
			void *k, *v;

			if (!f) {
				note_err(&w->e, "freeze: errno %d", errno);
				break;
			}
			n = concoll_frozen_size(f);
			s->flags = 0;
			for (i = 0; i < n && i <= ITER_KEYS; i++) {
				if (concoll_frozen_at(f, i, &k, &v) != 0)
					note_err(&w->e, "frozen_at %zu of %zu", i, n);
				else
					seq_cb(k, v, s);
			}
			check_seq(w, s, true, "snapshot");
			/* the snapshot agrees with itself */
			if (concoll_frozen_find(f, CONCOLL_NAV_CEILING, K(s->lo), &idx) == 0) {
				if (concoll_frozen_at(f, idx, &k, NULL) != 0 || U(k) < s->lo ||
				    (idx > 0 && s->keys[idx - 1] >= s->lo))
					note_err(&w->e, "frozen_find ceiling %llu",
					         (unsigned long long)s->lo);
			}
			if (s->lo % 2 == 0 && stable_key(s->lo) &&
			    concoll_frozen_get(f, K(s->lo), &v) != 0)
				note_err(&w->e, "frozen_get of a stable key");
			memset(s, 0, offsetof(struct seq, keys));
			s->is_set = t->is_set;
			s->flags = (unsigned)(x % 32);
			s->lo = (x >> 8) % ITER_KEYS;
			s->hi = s->lo + (x >> 24) % ITER_KEYS;
			rc = concoll_frozen_range(f, K(s->lo), K(s->hi), s->flags, seq_cb, s);
			if (rc != 0)
				note_err(&w->e, "frozen_range: %d", rc);
			check_seq(w, s, true, "frozen range");
			concoll_frozen_destroy(f);
			break;
		}
		}
	} while (atomic_load(&w->sh->running));
}

static void *churn_thread(void *p)
{
	struct cworker *w = p;

	tu_gate_wait(&w->sh->gate, w->sh->t->nthreads);
	if (w->id < w->sh->updaters) {
		churn_update(w);
		atomic_fetch_sub(&w->sh->running, 1);
	} else {
		struct seq *s = malloc(sizeof *s);

		if (!s)
			abort();
		churn_read(w, s);
		free(s);
	}
	return NULL;
}

START_TEST(iteration_under_churn)
{
	struct target t;
	struct churn sh;
	struct cworker *w = aligned_alloc(64, sizeof *w * MAX_THREADS);
	struct err errs[MAX_THREADS];
	struct walk wk;
	uint64_t k;
	unsigned i;

	ck_assert_ptr_nonnull(w);
	target_init(&t, _i, true, NULL);
	for (k = 2; k <= 2 * STABLE; k += 2)
		ck_assert_int_eq(t_insert(&t, k, VAL(k, 0), NULL), 0);
	memset(&sh, 0, sizeof sh);
	memset(w, 0, sizeof *w * MAX_THREADS);
	sh.t = &t;
	sh.updaters = t.nthreads / 2;
	sh.ops = tu_scaled(400000) / sh.updaters;
	atomic_init(&sh.running, sh.updaters);
	tu_gate_init(&sh.gate);
	for (i = 0; i < t.nthreads; i++) {
		w[i].sh = &sh;
		w[i].id = i;
	}
	tu_run_threads(t.nthreads, churn_thread, w, sizeof *w);
	for (i = 0; i < t.nthreads; i++) {
		errs[i] = w[i].e;
		if (i >= sh.updaters)
			ck_assert_uint_gt(w[i].iterations, 0);
	}
	report(&t, "churn", errs, t.nthreads);
	memset(&wk, 0, sizeof wk);
	walk_all(&t, &wk);
	for (k = 2; k <= 2 * STABLE; k += 2)
		ck_assert_int_eq(t_contains(&t, k), 1);
	ck_assert_uint_eq(t_size(&t), wk.n);
	target_destroy(&t);
	free(w);
}
END_TEST

/* ======================================================================== */
/* (e) counters by replace_if_equal                                         */
/* ======================================================================== */

#define COUNTERS 4

struct counters {
	struct target *t;
	struct tu_gate gate;
	uint64_t per_thread;
	atomic_uint running;
	_Atomic uint64_t releases;
};

struct kworker {
	struct counters *sh;
	unsigned id;
	struct err e;
	uint64_t incs[COUNTERS], retries;
} __attribute__((aligned(64)));

static void count_release(void *key, void *value, void *ctx)
{
	struct counters *sh = ctx;

	(void)key;
	(void)value;
	atomic_fetch_add(&sh->releases, 1);
}

static void *counter_thread(void *p)
{
	struct kworker *w = p;
	struct counters *sh = w->sh;
	concoll_map_t *m = sh->t->m;
	uint64_t rng = 0xC0C0 + w->id, i;

	tu_gate_wait(&sh->gate, sh->t->nthreads);
	if (w->id == 0) {
		/* a reader: each counter only grows */
		uint64_t last[COUNTERS] = { 0 };

		while (atomic_load(&sh->running)) {
			unsigned c = (unsigned)(tu_rand(&rng) % COUNTERS);
			void *v;
			int rc = concoll_map_get(m, K(c), &v);

			if (rc != 0 || U(v) < last[c])
				note_err(&w->e, "counter %u: rc %d, %llu after %llu", c, rc,
				         (unsigned long long)U(v), (unsigned long long)last[c]);
			else
				last[c] = U(v);
		}
		return NULL;
	}
	for (i = 0; i < sh->per_thread; i++) {
		unsigned c = (unsigned)(tu_rand(&rng) % COUNTERS);
		int rc;

		for (;;) {
			void *v;

			rc = concoll_map_get(m, K(c), &v);
			if (rc != 0)
				break;
			rc = concoll_map_replace_if_equal(m, K(c), v, K(U(v) + 1));
			if (rc != -EAGAIN)
				break;
			w->retries++;
		}
		if (rc != 0)
			note_err(&w->e, "increment: %d", rc);
		else
			w->incs[c]++;
	}
	atomic_fetch_sub(&sh->running, 1);
	return NULL;
}

START_TEST(counters_by_replace_if_equal)
{
	struct target t;
	struct counters sh;
	struct kworker *w = aligned_alloc(64, sizeof *w * MAX_THREADS);
	struct err errs[MAX_THREADS];
	struct concoll_map_options o;
	uint64_t total = 0;
	unsigned i, c;

	ck_assert_ptr_nonnull(w);
	memset(&sh, 0, sizeof sh);
	memset(&o, 0, sizeof o);
	o.size = sizeof o;
	o.release = count_release;
	o.ctx = &sh;
	target_init(&t, _i, false, &o);
	for (c = 0; c < COUNTERS; c++) /* counters start at 0: NULL values */
		ck_assert_int_eq(concoll_map_put(t.m, K(c), NULL, NULL), 0);
	memset(w, 0, sizeof *w * MAX_THREADS);
	sh.t = &t;
	sh.per_thread = tu_scaled(200000) / t.nthreads;
	atomic_init(&sh.running, t.nthreads - 1);
	tu_gate_init(&sh.gate);
	for (i = 0; i < t.nthreads; i++) {
		w[i].sh = &sh;
		w[i].id = i;
	}
	tu_run_threads(t.nthreads, counter_thread, w, sizeof *w);
	for (i = 0; i < t.nthreads; i++)
		errs[i] = w[i].e;
	report(&t, "counters", errs, t.nthreads);
	for (c = 0; c < COUNTERS; c++) {
		uint64_t n = 0;
		void *v;

		for (i = 1; i < t.nthreads; i++)
			n += w[i].incs[c];
		ck_assert_int_eq(concoll_map_get(t.m, K(c), &v), 0);
		ck_assert_uint_eq(U(v), n);
		total += n;
	}
	ck_assert_uint_eq(total, sh.per_thread * (t.nthreads - 1));
	/* every increment replaced a value: one release each */
	ck_assert_int_eq(concoll_smr_barrier(), 0);
	ck_assert_uint_eq(atomic_load(&sh.releases), total);
	target_destroy(&t);
	ck_assert_uint_eq(atomic_load(&sh.releases), total + COUNTERS);
	free(w);
}
END_TEST

/* ======================================================================== */
/* (f) release (and retain) callbacks under concurrency                     */
/* ======================================================================== */

#define TOKEN_MAGIC 0x70CE4u
#define TOKEN_KEYS 32

/*
 * Keys and values are tokens: heap objects with a count of the references
 * the map and its iterators and snapshots hold.  A token handed to a call
 * starts at 1 (the call may take it; when it does not, nobody else saw the
 * token and it is freed).  retain adds one, release drops one; it never
 * goes below zero and ends at zero.
 */
struct token {
	unsigned magic;
	unsigned key; /* keys: the key; values: the key they were stored under */
	atomic_int refs;
	struct token *next; /* the creating thread's list */
};

struct rel {
	struct target *t;
	struct tu_gate gate;
	uint64_t ops;
	bool retain;
	_Atomic uint64_t calls, retains, underflows, bad, released_while_held;
};

struct rworker {
	struct rel *sh;
	unsigned id;
	struct err e;
	struct token *tokens;
	uint64_t inserts, replacements;
} __attribute__((aligned(64)));

static int token_cmp(const void *a, const void *b, int *order, void *ctx)
{
	const struct token *x = a, *y = b;

	(void)ctx;
	*order = (x->key > y->key) - (x->key < y->key);
	return 0;
}

static bool token_ok(struct rel *sh, const struct token *k, const struct token *v)
{
	return k && k->magic == TOKEN_MAGIC &&
	       (sh->t->is_set ? v == NULL : v && v->magic == TOKEN_MAGIC);
}

static void token_release(void *key, void *value, void *ctx)
{
	struct rel *sh = ctx;
	struct token *k = key, *v = value;

	atomic_fetch_add(&sh->calls, 1);
	if (!token_ok(sh, k, v)) {
		atomic_fetch_add(&sh->bad, 1);
		return;
	}
	if (atomic_fetch_sub(&k->refs, 1) <= 0)
		atomic_fetch_add(&sh->underflows, 1);
	if (v && atomic_fetch_sub(&v->refs, 1) <= 0)
		atomic_fetch_add(&sh->underflows, 1);
}

static void token_retain(void *key, void *value, void *ctx)
{
	struct rel *sh = ctx;
	struct token *k = key, *v = value;

	atomic_fetch_add(&sh->retains, 1);
	if (!token_ok(sh, k, v)) {
		atomic_fetch_add(&sh->bad, 1);
		return;
	}
	/* the entry is held (by the map, inside the caller's guard) */
	if (atomic_fetch_add(&k->refs, 1) <= 0)
		atomic_fetch_add(&sh->underflows, 1);
	if (v && atomic_fetch_add(&v->refs, 1) <= 0)
		atomic_fetch_add(&sh->underflows, 1);
}

static struct token *new_token(unsigned key, int refs)
{
	struct token *t = calloc(1, sizeof *t);

	if (!t)
		abort();
	t->magic = TOKEN_MAGIC;
	t->key = key;
	atomic_init(&t->refs, refs);
	return t;
}

/* The map took t: keep it until the end. */
static void keep(struct rworker *w, struct token *t)
{
	t->next = w->tokens;
	w->tokens = t;
}

/* A token someone handed out to us must still be held. */
static void check_held(struct rel *sh, const struct token *t)
{
	if (t->magic != TOKEN_MAGIC || atomic_load(&t->refs) <= 0)
		atomic_fetch_add(&sh->released_while_held, 1);
}

/* A scan inside its own guard: every entry it visits is still held. */
struct held_scan {
	struct rel *sh;
	unsigned stop, n;
};

static int held_visit(void *key, void *value, void *ctx)
{
	struct held_scan *hs = ctx;

	check_held(hs->sh, key);
	if (value)
		check_held(hs->sh, value);
	return ++hs->n >= hs->stop;
}

/* Iterate (with retain: outside any guard) or freeze; everything handed
 * out is held while we look at it. */
static void release_view(struct rworker *w, uint64_t x)
{
	struct rel *sh = w->sh;
	struct target *t = sh->t;
	void *k, *v;
	int rc;

	if (x % 2) {
		concoll_map_iter_t *it;
		unsigned n = 0, stop = (unsigned)(x >> 8) % 80;

		/* without retain, an iterator cannot resume from custom keys
		 * that may be freed (EINVAL): scan inside one guard instead */
		if (!sh->retain) {
			struct held_scan hs = { sh, stop, 0 };

			rc = t->is_set ? concoll_set_range(t->s, NULL, NULL, 0, held_visit, &hs)
			               : concoll_map_range(t->m, NULL, NULL, 0, held_visit, &hs);
			if (rc < 0)
				note_err(&w->e, "range: %d", rc);
			errno = 0;
			it = t->is_set ? concoll_set_iter_create(t->s, NULL, NULL, 0)
			               : concoll_map_iter_create(t->m, NULL, NULL, 0);
			if (it || errno != EINVAL)
				note_err(&w->e, "iter_create without retain: %p errno %d", (void *)it,
				         errno);
			concoll_map_iter_destroy(it);
			return;
		}
		it = t->is_set ? concoll_set_iter_create(t->s, NULL, NULL, 0)
		               : concoll_map_iter_create(t->m, NULL, NULL, 0);
		if (!it) {
			note_err(&w->e, "iter_create: errno %d", errno);
			return;
		}
		while (n++ < stop && (rc = concoll_map_iter_next(it, &k, &v)) == 0) {
			check_held(sh, k);
			if (v)
				check_held(sh, v);
			if (n % 16 == 0)
				sched_yield();
		}
		concoll_map_iter_destroy(it);
	} else {
		concoll_frozen_t *f =
		    t->is_set ? concoll_set_freeze(t->s) : concoll_map_freeze(t->m);
		size_t i, n;

		if (!f) {
			note_err(&w->e, "freeze: errno %d", errno);
			return;
		}
		sched_yield();
		n = concoll_frozen_size(f);
		for (i = 0; i < n; i++) {
			if (concoll_frozen_at(f, i, &k, &v) != 0) {
				note_err(&w->e, "frozen_at");
				break;
			}
			/* without retain, the snapshot's words may be released */
			if (sh->retain) {
				check_held(sh, k);
				if (v)
					check_held(sh, v);
			}
		}
		concoll_frozen_destroy(f);
	}
}

static void *release_thread(void *p)
{
	struct rworker *w = p;
	struct rel *sh = w->sh;
	struct target *t = sh->t;
	uint64_t rng = 0x4E1 + w->id, i;

	tu_gate_wait(&sh->gate, t->nthreads);
	for (i = 0; i < sh->ops; i++) {
		uint64_t x = tu_rand(&rng);
		unsigned key = (unsigned)((x >> 8) % TOKEN_KEYS);
		struct token *k, *v, *probe = new_token(key, 0);
		void *old = NULL, *ko = NULL;
		int rc, op = (int)(t->is_set ? x % 5 : x % 9);
		bool taken = false;

		/* handed to a call: counted as taken (1); freed if not taken */
		k = new_token(key, 1);
		v = t->is_set ? NULL : new_token(key, 1);
		switch (op) {
		case 0: /* insert */
			rc = t->is_set ? concoll_set_add(t->s, k)
			               : concoll_map_put_if_absent(t->m, k, v, NULL);
			if (rc == 0) {
				w->inserts++;
				taken = true;
			} else if (rc != -EEXIST) {
				note_err(&w->e, "insert: %d", rc);
			}
			break;
		case 1: /* remove */
			rc = t->is_set ? concoll_set_discard(t->s, probe)
			               : concoll_map_remove(t->m, probe, &old);
			if (rc != 0 && rc != -ENOENT)
				note_err(&w->e, "remove: %d", rc);
			break;
		case 2: /* pop */
			if (t->is_set)
				rc = x & 16 ? concoll_set_pop_last(t->s, &ko)
				            : concoll_set_pop_first(t->s, &ko);
			else
				rc = x & 16 ? concoll_map_pop_last(t->m, &ko, &old)
				            : concoll_map_pop_first(t->m, &ko, &old);
			if (rc != 0 && rc != -ENOENT)
				note_err(&w->e, "pop: %d", rc);
			break;
		case 3: /* look inside a guard: what is found stays held */
			if (concoll_smr_enter() != 0) {
				note_err(&w->e, "smr_enter");
				break;
			}
			if (t->is_set)
				rc = concoll_set_find(t->s, CONCOLL_NAV_CEILING, probe, &ko);
			else
				rc = concoll_map_find(t->m, CONCOLL_NAV_CEILING, probe, &ko, &old);
			if (rc == 0) {
				for (unsigned spin = 0; spin < 100; spin++) {
					check_held(sh, ko);
					if (old)
						check_held(sh, old);
					if (spin % 25 == 0)
						sched_yield();
				}
			} else if (rc != -ENOENT) {
				note_err(&w->e, "find: %d", rc);
			}
			concoll_smr_exit();
			break;
		case 4: /* now and then: iterate, freeze, or clear */
			if (x % 64 < 8) {
				release_view(w, x >> 6);
			} else if (x % 64 == 8 && (x >> 8) % 4 == 0) {
				rc = t->is_set ? concoll_set_clear(t->s) : concoll_map_clear(t->m);
				if (rc != 0)
					note_err(&w->e, "clear: %d", rc);
			}
			break;
		case 5: /* put */
			rc = concoll_map_put(t->m, k, v, NULL);
			if (rc == 0 || rc == 1) {
				w->inserts += rc == 0;
				w->replacements += rc == 1;
				taken = true;
			} else {
				note_err(&w->e, "put: %d", rc);
			}
			break;
		case 6: /* replace */
			rc = concoll_map_replace(t->m, k, v, &old);
			if (rc == 0) {
				w->replacements++;
				taken = true;
			} else if (rc != -ENOENT) {
				note_err(&w->e, "replace: %d", rc);
			}
			break;
		case 7: /* replace_if_equal with the value seen inside a guard */
			if (concoll_smr_enter() != 0) {
				note_err(&w->e, "smr_enter");
				break;
			}
			rc = concoll_map_get(t->m, probe, &old);
			if (rc == 0)
				rc = concoll_map_replace_if_equal(t->m, k, old, v);
			concoll_smr_exit();
			if (rc == 0) {
				w->replacements++;
				taken = true;
			} else if (rc != -ENOENT && rc != -EAGAIN) {
				note_err(&w->e, "replace_if_equal: %d", rc);
			}
			break;
		default: /* remove_if_equal with the value seen inside a guard */
			if (concoll_smr_enter() != 0) {
				note_err(&w->e, "smr_enter");
				break;
			}
			rc = concoll_map_get(t->m, probe, &old);
			if (rc == 0)
				rc = concoll_map_remove_if_equal(t->m, probe, old);
			concoll_smr_exit();
			if (rc != 0 && rc != -ENOENT && rc != -EAGAIN)
				note_err(&w->e, "remove_if_equal: %d", rc);
			break;
		}
		if (taken) {
			keep(w, k);
			if (v)
				keep(w, v);
		} else {
			/* never shared */
			free(k);
			free(v);
		}
		free(probe);
	}
	return NULL;
}

/* _i: kind, thread count, map/set, retain or not */
START_TEST(release_under_concurrency)
{
	struct target t;
	struct rel sh;
	struct rworker *w = aligned_alloc(64, sizeof *w * MAX_THREADS);
	struct err errs[MAX_THREADS];
	struct concoll_map_options o;
	uint64_t handed = 0, retains;
	unsigned i;
	size_t left;

	ck_assert_ptr_nonnull(w);
	memset(&sh, 0, sizeof sh);
	memset(&o, 0, sizeof o);
	o.size = sizeof o;
	o.compare = CONCOLL_CMP_CUSTOM;
	o.compare_fn = token_cmp;
	o.release = token_release;
	sh.retain = _i % 2;
	if (sh.retain)
		o.retain = token_retain;
	o.ctx = &sh;
	target_init(&t, _i / 2, true, &o);
	memset(w, 0, sizeof *w * MAX_THREADS);
	sh.t = &t;
	sh.ops = tu_scaled(50000) / t.nthreads;
	tu_gate_init(&sh.gate);
	for (i = 0; i < t.nthreads; i++) {
		w[i].sh = &sh;
		w[i].id = i;
	}
	tu_run_threads(t.nthreads, release_thread, w, sizeof *w);
	for (i = 0; i < t.nthreads; i++) {
		errs[i] = w[i].e;
		handed += w[i].inserts + w[i].replacements;
	}
	report(&t, sh.retain ? "release+retain" : "release", errs, t.nthreads);
	ck_assert_int_eq(concoll_smr_barrier(), 0);
	ck_assert_uint_eq(atomic_load(&sh.bad), 0);
	ck_assert_uint_eq(atomic_load(&sh.underflows), 0);
	ck_assert_uint_eq(atomic_load(&sh.released_while_held), 0);
	retains = atomic_load(&sh.retains);
	if (!sh.retain)
		ck_assert_uint_eq(retains, 0);
	/* one call per entry inserted and no longer in, per value replaced,
	 * and per retain */
	left = t_size(&t);
	ck_assert_uint_eq(atomic_load(&sh.calls) + left, handed + retains);
	target_destroy(&t);
	ck_assert_uint_eq(atomic_load(&sh.calls), handed + retains);
	ck_assert_uint_eq(atomic_load(&sh.underflows), 0);
	/* every reference dropped: each token handed over released once
	 * (plus once per retain), the others never */
	for (i = 0; i < t.nthreads; i++) {
		while (w[i].tokens) {
			struct token *k = w[i].tokens;

			w[i].tokens = k->next;
			ck_assert_int_eq(atomic_load(&k->refs), 0);
			free(k);
		}
	}
	free(w);
}
END_TEST

/* After all that, reclamation caught up: nothing pending once quiescent. */
START_TEST(reclamation_catches_up)
{
	struct concoll_smr_stats st;
	int i;

	for (i = 0; i < LOOP_MAPSET; i++)
		run_contended(i);
	ck_assert_int_eq(concoll_smr_barrier(), 0);
	memset(&st, 0, sizeof st);
	st.size = sizeof st;
	ck_assert_int_eq(concoll_smr_stats(&st), 0);
	ck_assert_uint_eq(st.pending, 0);
	ck_assert_uint_eq(st.retired, st.freed);
}
END_TEST

static Suite *map_stress_suite(void)
{
	Suite *s = suite_create("map stress");
	TCase *tc = tcase_create("stress");

	tcase_set_timeout(tc, 900);
	tcase_add_loop_test(tc, disjoint_keys_with_readers, 0, LOOP_MAPSET);
	tcase_add_loop_test(tc, contended_keys, 0, LOOP_MAPSET);
	tcase_add_loop_test(tc, pops_race_inserts, 0, LOOP_MAPSET);
	tcase_add_loop_test(tc, iteration_under_churn, 0, LOOP_MAPSET);
	tcase_add_loop_test(tc, counters_by_replace_if_equal, 0, LOOP_MAP);
	tcase_add_loop_test(tc, release_under_concurrency, 0, LOOP_MAPSET * 2);
	tcase_add_test(tc, reclamation_catches_up);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tu_run_suite(map_stress_suite());
}
