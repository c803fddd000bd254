/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Linearizability of maps and sets: the map and set models are first shown
 * to reject histories that are not linearizable (and to accept some that
 * are), then many small concurrent histories (3 to 6 threads, at most 40
 * operations, 3 to 6 keys so that the operations conflict) are recorded on
 * every map kind, for maps and sets, with a built-in and a custom order,
 * and checked.
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

/* Every map kind; a new kind is one line here. */
/* nav_value_weak: the navigations other than EQ guarantee the key at their
 * linearization point, and a value that the entry held during the call
 * (map.h), not the value at that point. */
static const struct {
	int kind;
	const char *name;
	bool nav_value_weak;
} kinds[] = {
	{ CONCOLL_MAP_SKIPLIST, "skiplist", true },
	{ CONCOLL_MAP_SKIPLIST_LOCKED, "skiplist-locked", false },
};
#define NKINDS ((int)(sizeof kinds / sizeof kinds[0]))

static struct lin_op op(uint32_t thread, uint32_t type, int rc, uint64_t arg, uint64_t ret,
                        uint64_t call, uint64_t resp)
{
	struct lin_op o = { thread, type, rc, arg, ret, call, resp, 0 };

	return o;
}

/* Sequential history: operation i runs in [2i, 2i+1]. */
static struct lin_op sop(unsigned i, uint32_t type, int rc, uint64_t arg, uint64_t ret)
{
	return op(0, type, rc, arg, ret, 2 * i, 2 * i + 1);
}

static bool check_both(struct lin_op *h, size_t n, const struct lin_model *m, const void *params,
                       bool expect)
{
	bool ok = lin_check(h, n, m, params);

	if (ok != expect) {
		fprintf(stderr, "model %s %s this history, expected the opposite:\n",
		        m == &lin_map_model ? "map" : "set", ok ? "accepted" : "rejected");
		lin_print(h, n, lin_map_type_names);
	}
	return ok == expect;
}

#define ACCEPT(h, n, m, p) ck_assert(check_both(h, n, m, p, true))
#define REJECT(h, n, m, p) ck_assert(check_both(h, n, m, p, false))

static const struct lin_model *const models[] = { &lin_map_model, &lin_set_model };

/* ---- the models themselves ---------------------------------------------------------- */

/* Presence alone: wrong answers are rejected by both models. */
START_TEST(models_reject_wrong_presence)
{
	const struct lin_model *m = models[_i];
	struct lin_op h[8];

	/* add 1, then contains 1 -> 0: wrong; -> 1: right */
	h[0] = sop(0, LIN_SET_ADD, 0, LIN_KV(1, 0), 0);
	h[1] = sop(1, LIN_MAP_CONTAINS, 0, 1, 0);
	REJECT(h, 2, m, NULL);
	h[1].rc = 1;
	ACCEPT(h, 2, m, NULL);
	/* a second add of the same key cannot succeed */
	h[1] = sop(1, LIN_SET_ADD, 0, LIN_KV(1, 0), 0);
	REJECT(h, 2, m, NULL);
	h[1].rc = -EEXIST;
	ACCEPT(h, 2, m, NULL);
	/* discard of an absent key cannot succeed */
	h[1] = sop(1, LIN_SET_DISCARD, 0, 2, 0);
	REJECT(h, 2, m, NULL);
	h[1].rc = -ENOENT;
	ACCEPT(h, 2, m, NULL);
	/* is_empty */
	h[1] = sop(1, LIN_MAP_IS_EMPTY, 1, 0, 0);
	REJECT(h, 2, m, NULL);
	h[1].rc = 0;
	ACCEPT(h, 2, m, NULL);
	h[0] = sop(0, LIN_MAP_IS_EMPTY, 0, 0, 0);
	REJECT(h, 1, m, NULL);
	/* two overlapping adds of one key both succeeding: never */
	h[0] = op(0, LIN_SET_ADD, 0, LIN_KV(3, 0), 0, 0, 10);
	h[1] = op(1, LIN_SET_ADD, 0, LIN_KV(3, 0), 0, 1, 9);
	REJECT(h, 2, m, NULL);
	h[1].rc = -EEXIST;
	ACCEPT(h, 2, m, NULL);
	/* contains overlapping an add may say either */
	h[1] = op(1, LIN_MAP_CONTAINS, 0, 3, 0, 1, 2);
	ACCEPT(h, 2, m, NULL);
	h[1].rc = 1;
	ACCEPT(h, 2, m, NULL);
	/* but not 1 when it responded before the add was invoked */
	h[1] = op(1, LIN_MAP_CONTAINS, 1, 3, 0, 0, 1);
	h[0] = op(0, LIN_SET_ADD, 0, LIN_KV(3, 0), 0, 2, 3);
	REJECT(h, 2, m, NULL);
	/* an out-of-range key is refused by the model */
	h[0] = sop(0, LIN_SET_ADD, 0, LIN_KV(LIN_MAP_MAX_KEYS, 0), 0);
	REJECT(h, 1, m, NULL);
}
END_TEST

/* Navigation and pops over {1, 3, 5} (initial state through params). */
START_TEST(models_reject_wrong_navigation)
{
	const struct lin_model *m = models[_i];
	struct lin_map_params p;
	struct lin_op h[4];
	static const struct {
		int type;
		unsigned key;
		int good; /* expected key, -1: -ENOENT */
		int bad;  /* a wrong key, -1: -ENOENT */
	} cases[] = {
		{ LIN_MAP_FLOOR, 2, 1, 3 },     { LIN_MAP_FLOOR, 3, 3, 1 },
		{ LIN_MAP_FLOOR, 0, -1, 1 },    { LIN_MAP_CEILING, 2, 3, 1 },
		{ LIN_MAP_CEILING, 3, 3, 5 },   { LIN_MAP_CEILING, 6, -1, 5 },
		{ LIN_MAP_LOWER, 3, 1, 3 },     { LIN_MAP_LOWER, 1, -1, 1 },
		{ LIN_MAP_HIGHER, 3, 5, 3 },    { LIN_MAP_HIGHER, 5, -1, 5 },
		{ LIN_MAP_HIGHER, 0, 1, 3 },    { LIN_MAP_FIRST, 0, 1, 3 },
		{ LIN_MAP_LAST, 0, 5, 3 },      { LIN_MAP_POP_FIRST, 0, 1, 5 },
		{ LIN_MAP_POP_LAST, 0, 5, -1 },
	};
	size_t i;

	memset(&p, 0, sizeof p);
	p.present = (1u << 1) | (1u << 3) | (1u << 5);
	p.value[1] = 11;
	p.value[3] = 33;
	p.value[5] = 55;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int k = cases[i].good;

		h[0] = sop(0, (uint32_t)cases[i].type, k < 0 ? -ENOENT : 0, cases[i].key,
		           k < 0 ? 0 : LIN_KV(k, p.value[k]));
		ACCEPT(h, 1, m, &p);
		k = cases[i].bad;
		h[0] = sop(0, (uint32_t)cases[i].type, k < 0 ? -ENOENT : 0, cases[i].key,
		           k < 0 ? 0 : LIN_KV(k, p.value[k]));
		REJECT(h, 1, m, &p);
	}
	/* pops remove: pop_first twice gives 1 then 3, never 1 twice */
	h[0] = sop(0, LIN_MAP_POP_FIRST, 0, 0, LIN_KV(1, 11));
	h[1] = sop(1, LIN_MAP_POP_FIRST, 0, 0, LIN_KV(1, 11));
	REJECT(h, 2, m, &p);
	h[1].ret = LIN_KV(3, 33);
	ACCEPT(h, 2, m, &p);
	/* two overlapping pop_last: 5 and 3 in either order, not 5 and 5 */
	h[0] = op(0, LIN_MAP_POP_LAST, 0, 0, LIN_KV(3, 33), 0, 5);
	h[1] = op(1, LIN_MAP_POP_LAST, 0, 0, LIN_KV(5, 55), 1, 4);
	ACCEPT(h, 2, m, &p);
	h[0].ret = LIN_KV(5, 55);
	REJECT(h, 2, m, &p);
	/* a floor that sees a key removed before it was invoked */
	h[0] = sop(0, LIN_SET_DISCARD, 0, 3, 33);
	h[1] = sop(1, LIN_MAP_FLOOR, 0, 4, LIN_KV(3, 33));
	REJECT(h, 2, m, &p);
	h[1].ret = LIN_KV(1, 11);
	ACCEPT(h, 2, m, &p);
}
END_TEST

/* Values: the map model checks them, the set model ignores them. */
START_TEST(map_model_rejects_wrong_values)
{
	struct lin_op h[4];

	/* put 1=7, get 1 -> 8 */
	h[0] = sop(0, LIN_MAP_PUT, 0, LIN_KV(1, 7), 0);
	h[1] = sop(1, LIN_MAP_GET, 0, 1, 8);
	REJECT(h, 2, &lin_map_model, NULL);
	h[1].ret = 7;
	ACCEPT(h, 2, &lin_map_model, NULL);
	/* put over it returns the old value, 1 */
	h[1] = sop(1, LIN_MAP_PUT, 1, LIN_KV(1, 9), 8);
	REJECT(h, 2, &lin_map_model, NULL);
	h[1].ret = 7;
	ACCEPT(h, 2, &lin_map_model, NULL);
	h[1].rc = 0; /* "inserted" while present */
	REJECT(h, 2, &lin_map_model, NULL);
	/* put_if_absent reports the present value */
	h[1] = sop(1, LIN_MAP_PUT_IF_ABSENT, -EEXIST, LIN_KV(1, 9), 9);
	REJECT(h, 2, &lin_map_model, NULL);
	h[1].ret = 7;
	ACCEPT(h, 2, &lin_map_model, NULL);
	/* replace_if_equal: success only with the right expected value */
	h[1] = sop(1, LIN_MAP_REPLACE_IF_EQ, 0, LIN_KVE(1, 9, 6), 0);
	REJECT(h, 2, &lin_map_model, NULL);
	h[1].rc = -EAGAIN;
	ACCEPT(h, 2, &lin_map_model, NULL);
	h[1] = sop(1, LIN_MAP_REPLACE_IF_EQ, -EAGAIN, LIN_KVE(1, 9, 7), 0);
	REJECT(h, 2, &lin_map_model, NULL);
	h[1].rc = 0;
	ACCEPT(h, 2, &lin_map_model, NULL);
	h[2] = sop(2, LIN_MAP_GET, 0, 1, 7); /* the replacement took effect */
	REJECT(h, 3, &lin_map_model, NULL);
	h[2].ret = 9;
	ACCEPT(h, 3, &lin_map_model, NULL);
	h[1].rc = -ENOENT;
	REJECT(h, 2, &lin_map_model, NULL);
	/* remove_if_equal */
	h[1] = sop(1, LIN_MAP_REMOVE_IF_EQ, 0, LIN_KVE(1, 0, 5), 0);
	REJECT(h, 2, &lin_map_model, NULL);
	h[1] = sop(1, LIN_MAP_REMOVE_IF_EQ, 0, LIN_KVE(1, 0, 7), 0);
	h[2] = sop(2, LIN_MAP_CONTAINS, 1, 1, 0);
	REJECT(h, 3, &lin_map_model, NULL);
	h[2].rc = 0;
	ACCEPT(h, 3, &lin_map_model, NULL);
	/* replace, remove and pop return the value */
	h[1] = sop(1, LIN_MAP_REPLACE, 0, LIN_KV(1, 2), 3);
	REJECT(h, 2, &lin_map_model, NULL);
	h[1] = sop(1, LIN_MAP_REMOVE, 0, 1, 3);
	REJECT(h, 2, &lin_map_model, NULL);
	h[1] = sop(1, LIN_MAP_POP_FIRST, 0, 0, LIN_KV(1, 3));
	REJECT(h, 2, &lin_map_model, NULL);
	h[1] = sop(1, LIN_MAP_CEILING, 0, 0, LIN_KV(1, 3));
	REJECT(h, 2, &lin_map_model, NULL);
	h[1].ret = LIN_KV(1, 7);
	ACCEPT(h, 2, &lin_map_model, NULL);
	/* the set model does not look at values */
	h[1] = sop(1, LIN_MAP_CEILING, 0, 0, LIN_KV(1, 3));
	ACCEPT(h, 2, &lin_set_model, NULL);
	/* a get overlapping two puts sees either value, not a third one */
	h[0] = op(0, LIN_MAP_PUT, 0, LIN_KV(2, 1), 0, 0, 1);
	h[1] = op(1, LIN_MAP_PUT, 1, LIN_KV(2, 2), 1, 2, 9);
	h[2] = op(2, LIN_MAP_GET, 0, 2, 2, 3, 4);
	ACCEPT(h, 3, &lin_map_model, NULL);
	h[2].ret = 1;
	ACCEPT(h, 3, &lin_map_model, NULL);
	h[2].ret = 3;
	REJECT(h, 3, &lin_map_model, NULL);
	/* ... and once it saw the new value, a later get cannot see the old */
	h[2].ret = 2;
	h[3] = op(2, LIN_MAP_GET, 0, 2, 1, 5, 6);
	REJECT(h, 4, &lin_map_model, NULL);
}
END_TEST

/* ---- recorded histories ------------------------------------------------------------- */

enum { CMP_NATURAL, CMP_REVERSE, NCMPS };
#define KEY_BASE 1000 /* reverse order: model key k is the word KEY_BASE - k */

static int reverse_u64(const void *a, const void *b, int *order, void *ctx)
{
	uintptr_t x = (uintptr_t)a, y = (uintptr_t)b;

	if (ctx != (void *)reverse_u64)
		return -EINVAL;
	*order = (x < y) - (x > y);
	return 0;
}

struct variant {
	int kind;
	bool nav_value_weak;
	bool set;
	int cmp;
	char name[64];
};

struct round {
	const struct variant *v;
	concoll_map_t *m;
	concoll_set_t *s;
	struct tu_gate gate;
	unsigned nthreads, ops_per_thread, nkeys;
	struct lin_map_params init;
	struct lin_op ops[LIN_MAX_OPS];
	uint64_t seed;
};

struct worker {
	struct round *r;
	unsigned id;
};

static void variant_of(int i, struct variant *v)
{
	int k = i / (2 * NCMPS);

	v->kind = kinds[k].kind;
	v->nav_value_weak = kinds[k].nav_value_weak;
	v->set = (i / NCMPS) % 2 == 1;
	v->cmp = i % NCMPS;
	snprintf(v->name, sizeof v->name, "%s %s %s", kinds[k].name, v->set ? "set" : "map",
	         v->cmp == CMP_NATURAL ? "u64" : "custom-reverse");
}

static void *key_word(const struct round *r, unsigned k)
{
	return concoll_key_u64(r->v->cmp == CMP_NATURAL ? k : KEY_BASE - k);
}

/* The model key of a key word; 0xff (refused by the model) when foreign. */
static unsigned model_key(const struct round *r, void *w)
{
	uint64_t x = concoll_key_to_u64(w);

	if (r->v->cmp == CMP_REVERSE)
		x = KEY_BASE - x;
	return x < LIN_MAP_MAX_KEYS ? (unsigned)x : 0xff;
}

/* A value word as the model sees it; one no operation wrote when foreign. */
static uint64_t model_value(void *w)
{
	uint64_t x = (uint64_t)(uintptr_t)w;

	return x < 0xffffff ? x : 0xffffff;
}

static const int set_types[] = {
	LIN_SET_ADD,       LIN_SET_ADD,      LIN_SET_DISCARD, LIN_SET_DISCARD,  LIN_MAP_CONTAINS,
	LIN_MAP_POP_FIRST, LIN_MAP_POP_LAST, LIN_MAP_FIRST,   LIN_MAP_LAST,     LIN_MAP_FLOOR,
	LIN_MAP_CEILING,   LIN_MAP_LOWER,    LIN_MAP_HIGHER,  LIN_MAP_IS_EMPTY,
};
#define NSET_TYPES (sizeof set_types / sizeof set_types[0])

static int nav_of(int type)
{
	switch (type) {
	case LIN_MAP_FIRST:
		return CONCOLL_NAV_FIRST;
	case LIN_MAP_LAST:
		return CONCOLL_NAV_LAST;
	case LIN_MAP_FLOOR:
		return CONCOLL_NAV_FLOOR;
	case LIN_MAP_CEILING:
		return CONCOLL_NAV_CEILING;
	case LIN_MAP_LOWER:
		return CONCOLL_NAV_LOWER;
	default:
		return CONCOLL_NAV_HIGHER;
	}
}

/* Navigation through the named function or through find (x chooses). */
static int map_nav(struct round *r, int type, void *key, uint64_t x, void **ko, void **vo)
{
	concoll_map_t *m = r->m;

	if (x & 1)
		return concoll_map_find(m, nav_of(type), key, ko, vo);
	switch (type) {
	case LIN_MAP_FIRST:
		return concoll_map_first(m, ko, vo);
	case LIN_MAP_LAST:
		return concoll_map_last(m, ko, vo);
	case LIN_MAP_FLOOR:
		return concoll_map_floor(m, key, ko, vo);
	case LIN_MAP_CEILING:
		return concoll_map_ceiling(m, key, ko, vo);
	case LIN_MAP_LOWER:
		return concoll_map_lower(m, key, ko, vo);
	default:
		return concoll_map_higher(m, key, ko, vo);
	}
}

static int set_nav(struct round *r, int type, void *key, uint64_t x, void **ko)
{
	concoll_set_t *s = r->s;

	if (x & 1)
		return concoll_set_find(s, nav_of(type), key, ko);
	switch (type) {
	case LIN_MAP_FIRST:
		return concoll_set_first(s, ko);
	case LIN_MAP_LAST:
		return concoll_set_last(s, ko);
	case LIN_MAP_FLOOR:
		return concoll_set_floor(s, key, ko);
	case LIN_MAP_CEILING:
		return concoll_set_ceiling(s, key, ko);
	case LIN_MAP_LOWER:
		return concoll_set_lower(s, key, ko);
	default:
		return concoll_set_higher(s, key, ko);
	}
}

static bool returns_entry(int type)
{
	return type >= LIN_MAP_POP_FIRST && type <= LIN_MAP_HIGHER;
}

/* Run o (type, arg filled in) on the map or set; fill rc and ret. */
static void run_one(struct round *r, struct lin_op *o, uint64_t x)
{
	unsigned k = LIN_KEY_OF(o->arg);
	void *key = key_word(r, k);
	void *val = concoll_key_u64(LIN_VALUE_OF(o->arg));
	void *expected = concoll_key_u64(LIN_EXPECTED_OF(o->arg));
	void *ko = NULL, *vo = NULL;
	int t = (int)o->type;

	o->call = lin_now();
	if (r->v->set) {
		switch (t) {
		case LIN_SET_ADD:
			o->rc = concoll_set_add(r->s, key);
			break;
		case LIN_SET_DISCARD:
			o->rc = concoll_set_discard(r->s, key);
			break;
		case LIN_MAP_CONTAINS:
			o->rc = concoll_set_contains(r->s, key);
			break;
		case LIN_MAP_POP_FIRST:
			o->rc = concoll_set_pop_first(r->s, &ko);
			break;
		case LIN_MAP_POP_LAST:
			o->rc = concoll_set_pop_last(r->s, &ko);
			break;
		case LIN_MAP_IS_EMPTY:
			o->rc = concoll_set_is_empty(r->s);
			break;
		default:
			o->rc = set_nav(r, t, key, x, &ko);
			break;
		}
	} else {
		switch (t) {
		case LIN_MAP_PUT:
			o->rc = concoll_map_put(r->m, key, val, &vo);
			break;
		case LIN_MAP_PUT_IF_ABSENT:
			o->rc = concoll_map_put_if_absent(r->m, key, val, &vo);
			break;
		case LIN_MAP_REPLACE:
			o->rc = concoll_map_replace(r->m, key, val, &vo);
			break;
		case LIN_MAP_REPLACE_IF_EQ:
			o->rc = concoll_map_replace_if_equal(r->m, key, expected, val);
			break;
		case LIN_MAP_REMOVE:
			o->rc = concoll_map_remove(r->m, key, &vo);
			break;
		case LIN_MAP_REMOVE_IF_EQ:
			o->rc = concoll_map_remove_if_equal(r->m, key, expected);
			break;
		case LIN_MAP_GET:
			o->rc = concoll_map_get(r->m, key, &vo);
			break;
		case LIN_MAP_CONTAINS:
			o->rc = concoll_map_contains(r->m, key);
			break;
		case LIN_MAP_POP_FIRST:
			o->rc = concoll_map_pop_first(r->m, &ko, &vo);
			break;
		case LIN_MAP_POP_LAST:
			o->rc = concoll_map_pop_last(r->m, &ko, &vo);
			break;
		case LIN_MAP_IS_EMPTY:
			o->rc = concoll_map_is_empty(r->m);
			break;
		default:
			o->rc = map_nav(r, t, key, x, &ko, &vo);
			break;
		}
	}
	o->resp = lin_now();
	if (returns_entry(t))
		o->ret = LIN_KV(model_key(r, ko), r->v->set ? 0 : model_value(vo));
	else
		o->ret = model_value(vo);
}

static void *record_ops(void *p)
{
	struct worker *w = p;
	struct round *r = w->r;
	uint64_t rng = r->seed ^ ((uint64_t)(w->id + 1) * 0x9E3779B97F4A7C15ULL);
	uint32_t seen[LIN_MAP_MAX_KEYS]; /* last value this thread saw per key */
	unsigned i;

	for (i = 0; i < LIN_MAP_MAX_KEYS; i++)
		seen[i] = r->init.value[i];
	tu_gate_wait(&r->gate, r->nthreads);
	for (i = 0; i < r->ops_per_thread; i++) {
		struct lin_op *o = &r->ops[w->id * r->ops_per_thread + i];
		uint64_t x = tu_rand(&rng);
		unsigned k = (unsigned)((x >> 8) % r->nkeys);
		uint32_t v = ((w->id + 1) << 8) | (i + 1); /* unique, never 0 */
		uint32_t e = (x >> 20) % 4 ? seen[k] : (uint32_t)((x >> 24) & 0x3ff);
		unsigned spin = (unsigned)(x >> 40) & 63;

		memset(o, 0, sizeof *o);
		o->thread = w->id;
		o->type = (uint32_t)(r->v->set ? set_types[(x >> 32) % NSET_TYPES]
		                               : (int)((x >> 32) % LIN_MAP_NTYPES));
		o->arg = LIN_KVE(k, r->v->set ? 0 : v, r->v->set ? 0 : e);
		while (spin--)
			__asm__ __volatile__("" ::: "memory");
		if ((x & 0x30) == 0)
			sched_yield();
		run_one(r, o, x >> 50);
		/* remember values to expect */
		if (o->type == LIN_MAP_GET && o->rc == 0)
			seen[k] = (uint32_t)o->ret;
		else if ((o->type == LIN_MAP_PUT || o->type == LIN_MAP_PUT_IF_ABSENT ||
		          o->type == LIN_MAP_REPLACE || o->type == LIN_MAP_REPLACE_IF_EQ) &&
		         o->rc == 0)
			seen[k] = v;
		else if (o->type == LIN_MAP_PUT_IF_ABSENT && o->rc == -EEXIST)
			seen[k] = (uint32_t)o->ret;
	}
	return NULL;
}

static void create_target(struct round *r)
{
	struct concoll_map_options o;
	unsigned k;

	memset(&o, 0, sizeof o);
	o.size = sizeof o;
	o.kind = r->v->kind;
	if (r->v->cmp == CMP_REVERSE) {
		o.compare = CONCOLL_CMP_CUSTOM;
		o.compare_fn = reverse_u64;
		o.compare_ctx = (void *)reverse_u64;
	} else {
		o.compare = CONCOLL_CMP_U64;
	}
	r->m = NULL;
	r->s = NULL;
	if (r->v->set) {
		r->s = concoll_set_create(&o);
		ck_assert_ptr_nonnull(r->s);
	} else {
		r->m = concoll_map_create(&o);
		ck_assert_ptr_nonnull(r->m);
	}
	for (k = 0; k < LIN_MAP_MAX_KEYS; k++) {
		if (!(r->init.present >> k & 1))
			continue;
		if (r->v->set)
			ck_assert_int_eq(concoll_set_add(r->s, key_word(r, k)), 0);
		else
			ck_assert_int_eq(concoll_map_put(r->m, key_word(r, k),
			                                 concoll_key_u64(r->init.value[k]), NULL),
			                 0);
	}
}

/* Was value stored for key k by the initial state, or by an update of k that
 * succeeded and was invoked before `before`? */
static bool value_was_stored(const struct round *r, size_t nops, unsigned k, uint32_t value,
                             uint64_t before)
{
	size_t i;

	if ((r->init.present >> k & 1) && r->init.value[k] == value)
		return true;
	for (i = 0; i < nops; i++) {
		const struct lin_op *o = &r->ops[i];
		bool stored = (o->type == LIN_MAP_PUT && (o->rc == 0 || o->rc == 1)) ||
		              ((o->type == LIN_MAP_PUT_IF_ABSENT || o->type == LIN_MAP_REPLACE ||
		                o->type == LIN_MAP_REPLACE_IF_EQ) &&
		               o->rc == 0);

		if (stored && LIN_KEY_OF(o->arg) == k && LIN_VALUE_OF(o->arg) == value &&
		    o->call < before)
			return true;
	}
	return false;
}

/* For kinds whose navigation guarantees only the key at the linearization
 * point: check that each value returned was one stored for that key before
 * the call returned, then let the model check the key alone. */
static void weaken_nav_values(struct round *r, size_t nops)
{
	size_t i;

	for (i = 0; i < nops; i++) {
		struct lin_op *o = &r->ops[i];
		unsigned k = LIN_KEY_OF(o->ret);

		if (o->type < LIN_MAP_FIRST || o->type > LIN_MAP_HIGHER || o->rc != 0)
			continue;
		if (!value_was_stored(r, nops, k, LIN_VALUE_OF(o->ret), o->resp)) {
			lin_print(r->ops, nops, lin_map_type_names);
			ck_abort_msg("%s returned value %#x for key %u, never stored before it returned",
			             lin_map_type_names[o->type], LIN_VALUE_OF(o->ret), k);
		}
		o->ret = LIN_KV(k, LIN_VALUE_ANY);
	}
}

START_TEST(histories_are_linearizable)
{
	struct variant v;
	unsigned rounds = (unsigned)tu_scaled(1200), n;
	uint64_t rng = 0x5EED0000ULL + (uint64_t)_i;
	struct round *r = calloc(1, sizeof *r);

	ck_assert_ptr_nonnull(r);
	variant_of(_i, &v);
	r->v = &v;
	for (n = 0; n < rounds; n++) {
		struct worker w[6];
		size_t nops;
		unsigned i, k;

		r->nthreads = 3 + (unsigned)(tu_rand(&rng) % 4);
		r->ops_per_thread = 40 / r->nthreads;
		r->nkeys = 3 + (unsigned)(tu_rand(&rng) % 4);
		r->seed = tu_rand(&rng);
		memset(&r->init, 0, sizeof r->init);
		r->init.present = tu_rand(&rng) & ((1u << r->nkeys) - 1);
		for (k = 0; k < LIN_MAP_MAX_KEYS; k++)
			r->init.value[k] = (r->init.present >> k & 1) && !v.set ? 0xF00000u | k : 0;
		tu_gate_init(&r->gate);
		create_target(r);
		for (i = 0; i < r->nthreads; i++) {
			w[i].r = r;
			w[i].id = i;
		}
		tu_run_threads(r->nthreads, record_ops, w, sizeof w[0]);
		nops = (size_t)r->nthreads * r->ops_per_thread;
		if (v.nav_value_weak && !v.set)
			weaken_nav_values(r, nops);
		if (!lin_check(r->ops, nops, v.set ? &lin_set_model : &lin_map_model, &r->init)) {
			fprintf(stderr,
			        "%s: history of round %u is not linearizable (initial keys %#llx; "
			        "arg/ret = key | value << 8 | expected << 32):\n",
			        v.name, n, (unsigned long long)r->init.present);
			lin_print(r->ops, nops, lin_map_type_names);
			ck_abort_msg("%s: non-linearizable history", v.name);
		}
		ck_assert_int_eq(concoll_map_destroy(r->m), 0);
		ck_assert_int_eq(concoll_set_destroy(r->s), 0);
	}
	free(r);
}
END_TEST

static Suite *map_lin_suite(void)
{
	Suite *s = suite_create("map linearizability");
	TCase *self = tcase_create("models");
	TCase *tc = tcase_create("histories");

	tcase_add_loop_test(self, models_reject_wrong_presence, 0, 2);
	tcase_add_loop_test(self, models_reject_wrong_navigation, 0, 2);
	tcase_add_test(self, map_model_rejects_wrong_values);
	suite_add_tcase(s, self);
	tcase_set_timeout(tc, 600);
	tcase_add_loop_test(tc, histories_are_linearizable, 0, NKINDS * 2 * NCMPS);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tu_run_suite(map_lin_suite());
}
