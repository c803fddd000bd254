/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * concoll_map_* and concoll_set_*, sequentially: long random sequences of
 * every operation checked against a model (a sorted table of key classes),
 * for every kind and every key order; release/retain accounting; failing
 * comparators and failing allocations (the call fails cleanly and the
 * contents stay as they were); bad input; frozen snapshots, their
 * equality and hash.
 *
 * Each random sequence prints its seed when it fails;
 * CONCOLL_TEST_SEED=<n> replays it.
 */
#include "config.h"

#include <errno.h>
#include <float.h>
#include <math.h>
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

#define CMP3(x, y) (((x) > (y)) - ((x) < (y)))

/* ======================================================================== */
/* Key domains: the keys of one order, grouped in classes of equal keys and */
/* sorted by the test's own reading of the documented order.                */
/* ======================================================================== */

enum {
	D_U64,
	D_I64,
	D_DOUBLE,
	D_STRING,
	D_BYTES,
	D_REVERSE, /* CONCOLL_CMP_CUSTOM: u64 words in reverse order, with a ctx */
	NDOMS,
	D_FAILING = NDOMS, /* CONCOLL_CMP_CUSTOM: u64 order, fails on demand */
	D_TOKEN,           /* CONCOLL_CMP_CUSTOM: order of a class number; hash */
};

#define MAXC 160 /* classes (distinct keys): more than an iterator's batch */
#define MAXV 6   /* variants (equal keys, distinct words) per class */

struct domain {
	int id;
	int cmp; /* enum concoll_cmp_kind */
	const char *name;
	size_t nclass;
	unsigned nvar[MAXC];
	void *var[MAXC][MAXV];
	void *owned[MAXC * MAXV * 2]; /* heap objects to free */
	size_t nowned;
};

static uint64_t u64_of(const void *p)
{
	return (uint64_t)(uintptr_t)p;
}

static int ref_cmp_double(const void *a, const void *b)
{
	double x = concoll_key_to_double(a), y = concoll_key_to_double(b);
	int nx = isnan(x) != 0, ny = isnan(y) != 0;

	if (nx || ny)
		return nx - ny; /* every NaN is one key, above everything */
	if (x < y)
		return -1;
	if (x > y)
		return 1;
	/* equal numbers: -0.0 before +0.0 */
	return (signbit(y) != 0) - (signbit(x) != 0);
}

static int ref_cmp_string(const char *a, const char *b)
{
	const unsigned char *x = (const unsigned char *)a, *y = (const unsigned char *)b;

	while (*x && *x == *y) {
		x++;
		y++;
	}
	return CMP3(*x, *y);
}

static int ref_cmp_bytes(const struct concoll_bytes *a, const struct concoll_bytes *b)
{
	const unsigned char *x = a->data, *y = b->data;
	size_t i;

	for (i = 0; i < a->len && i < b->len; i++) {
		if (x[i] != y[i])
			return CMP3(x[i], y[i]);
	}
	return CMP3(a->len, b->len);
}

/* Class number of a token key (D_TOKEN). */
struct token {
	unsigned magic;
	int cls;
};
#define TOKEN_MAGIC 0x70CE4u

/* The order each domain documents, written independently of the library. */
static int ref_cmp(int id, const void *a, const void *b)
{
	switch (id) {
	case D_U64:
	case D_FAILING:
		return CMP3(u64_of(a), u64_of(b));
	case D_I64:
		return CMP3((int64_t)u64_of(a), (int64_t)u64_of(b));
	case D_DOUBLE:
		return ref_cmp_double(a, b);
	case D_STRING:
		return ref_cmp_string(a, b);
	case D_BYTES:
		return ref_cmp_bytes(a, b);
	case D_REVERSE:
		return CMP3(u64_of(b), u64_of(a));
	default:
		return CMP3(((const struct token *)a)->cls, ((const struct token *)b)->cls);
	}
}

/* ---- custom comparators ---- */

struct reverse_ctx {
	unsigned magic;
	unsigned long calls;
	unsigned long bad_ctx;
};
#define REVERSE_MAGIC 0x4E7E45u
static struct reverse_ctx reverse_ctx = { REVERSE_MAGIC, 0, 0 };

static int reverse_cmp(const void *a, const void *b, int *order, void *ctx)
{
	struct reverse_ctx *c = ctx;

	if (c != &reverse_ctx || c->magic != REVERSE_MAGIC) {
		reverse_ctx.bad_ctx++;
		return -EFAULT;
	}
	c->calls++;
	*order = CMP3(u64_of(b), u64_of(a));
	return 0;
}

/* A u64 order that fails when told to (single-threaded use only). */
enum { FC_OFF, FC_AFTER, FC_ONCE, FC_POISON };
static struct failcmp {
	int mode;
	unsigned long countdown; /* FC_AFTER, FC_ONCE: comparisons left before failing */
	uintptr_t poison;        /* FC_POISON: fail whenever this key is compared */
	int ret;                 /* what a failing call returns (negative or positive) */
	unsigned long calls, failures, bad_ctx;
} fc;

static int failing_cmp(const void *a, const void *b, int *order, void *ctx)
{
	if (ctx != &fc) {
		fc.bad_ctx++;
		return -EFAULT;
	}
	fc.calls++;
	switch (fc.mode) {
	case FC_AFTER:
		if (fc.countdown == 0) {
			fc.failures++;
			return fc.ret;
		}
		fc.countdown--;
		break;
	case FC_ONCE:
		if (fc.countdown == 0) {
			fc.mode = FC_OFF;
			fc.failures++;
			return fc.ret;
		}
		fc.countdown--;
		break;
	case FC_POISON:
		if ((uintptr_t)a == fc.poison || (uintptr_t)b == fc.poison) {
			fc.failures++;
			return fc.ret;
		}
		break;
	default:
		break;
	}
	*order = CMP3(u64_of(a), u64_of(b));
	return 0;
}

static unsigned long token_bad;

static int token_cmp(const void *a, const void *b, int *order, void *ctx)
{
	const struct token *x = a, *y = b;

	(void)ctx;
	if (x->magic != TOKEN_MAGIC || y->magic != TOKEN_MAGIC) {
		token_bad++;
		return -EFAULT;
	}
	*order = CMP3(x->cls, y->cls);
	return 0;
}

/* ---- building domains ---- */

static int sort_dom;

static int qsort_ref(const void *a, const void *b)
{
	return ref_cmp(sort_dom, *(void *const *)a, *(void *const *)b);
}

static void *own(struct domain *d, void *p)
{
	ck_assert_ptr_nonnull(p);
	ck_assert_uint_lt(d->nowned, sizeof d->owned / sizeof d->owned[0]);
	d->owned[d->nowned++] = p;
	return p;
}

static void *copy_string(struct domain *d, const char *s)
{
	size_t n = strlen(s) + 1;

	return memcpy(own(d, malloc(n)), s, n);
}

static void *copy_bytes(struct domain *d, const struct concoll_bytes *b, bool null_data)
{
	struct concoll_bytes *c = own(d, malloc(sizeof *c));

	c->len = b->len;
	if (null_data && b->len == 0)
		c->data = NULL;
	else
		c->data = memcpy(own(d, malloc(b->len ? b->len : 1)), b->data, b->len);
	return c;
}

/* Sort candidate words, group equal ones into classes, keep at most MAXC
 * classes (evenly spread) and up to MAXV distinct words per class. */
static void group_classes(struct domain *d, void **cand, size_t n)
{
	size_t i, start, ngroups = 0;
	size_t gstart[4 * MAXC + 64], gend[4 * MAXC + 64];

	sort_dom = d->id;
	qsort(cand, n, sizeof cand[0], qsort_ref);
	for (start = 0; start < n; start = i) {
		for (i = start + 1; i < n && ref_cmp(d->id, cand[start], cand[i]) == 0; i++)
			;
		ck_assert_uint_lt(ngroups, sizeof gstart / sizeof gstart[0]);
		gstart[ngroups] = start;
		gend[ngroups] = i;
		ngroups++;
	}
	d->nclass = 0;
	for (i = 0; i < ngroups && d->nclass < MAXC; i++) {
		size_t g = ngroups <= MAXC ? i : i * ngroups / MAXC, j;
		unsigned c = (unsigned)d->nclass++;

		d->nvar[c] = 0;
		for (j = gstart[g]; j < gend[g] && d->nvar[c] < MAXV; j++) {
			unsigned v;
			bool dup = false;

			for (v = 0; v < d->nvar[c]; v++)
				dup |= d->var[c][v] == cand[j];
			if (!dup)
				d->var[c][d->nvar[c]++] = cand[j];
		}
	}
}

static const char *const fixed_strings[] = {
	"", "\x01", "a", "a\x01", "aa", "ab", "abc", "b", "ba", "z", "\x7f", "\x80",
	"\x80" "a", "\xc3\xa9", "\xff", "\xff\xff", "A",
};

static const struct concoll_bytes fixed_bytes[] = {
	{ "", 0 },       { "\0", 1 },       { "\0\0", 2 }, { "\0a", 2 },   { "a", 1 },
	{ "a\0", 2 },    { "a\0b", 3 },     { "a\0c", 3 }, { "ab", 2 },    { "\xff", 1 },
	{ "\xff\0", 2 }, { "\x7f\xff", 2 }, { "\x80", 1 }, { "b\0\0", 3 },
};

static const uint64_t nan_words[] = {
	0x7ff8000000000000ULL, 0x7ff0000000000001ULL, 0xfff8000000000000ULL,
	0x7ff800000000beefULL, 0xfff0000000000001ULL, 0x7fffffffffffffffULL,
};

static void domain_init(struct domain *d, int id, uint64_t seed)
{
	void *cand[4 * MAXC + 64];
	size_t n = 0, i;
	uint64_t rng = seed | 1;

	memset(d, 0, sizeof *d);
	d->id = id;
	switch (id) {
	case D_U64: {
		static const uint64_t fixed[] = {
			0, 1, 2, 3, UINT64_MAX, UINT64_MAX - 1, 1ULL << 63, (1ULL << 63) - 1,
			(1ULL << 63) + 1,
		};

		d->cmp = CONCOLL_CMP_U64;
		d->name = "u64";
		for (i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
			cand[n++] = concoll_key_u64(fixed[i]);
		while (n < 180)
			cand[n++] = concoll_key_u64(tu_rand(&rng) >> (tu_rand(&rng) % 64));
		break;
	}
	case D_I64: {
		static const int64_t fixed[] = {
			INT64_MIN, INT64_MIN + 1, -2, -1, 0, 1, 2, INT64_MAX, INT64_MAX - 1,
		};

		d->cmp = CONCOLL_CMP_I64;
		d->name = "i64";
		for (i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
			cand[n++] = concoll_key_i64(fixed[i]);
		while (n < 180) {
			int64_t x = (int64_t)(tu_rand(&rng) >> (tu_rand(&rng) % 64));

			cand[n] = concoll_key_i64(n % 2 ? -x : x);
			n++;
		}
		break;
	}
	case D_DOUBLE: {
		static const double fixed[] = { -INFINITY, -DBL_MAX,  -1e10, -1.5, -1.0,
			                        -DBL_MIN,  -4.9e-324, -0.0,  0.0,  4.9e-324,
			                        DBL_MIN,   0.5,       1.0,   1.5,  1e10,
			                        DBL_MAX,   INFINITY,  2.0,   -2.0 };

		d->cmp = CONCOLL_CMP_DOUBLE;
		d->name = "double";
		for (i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
			cand[n++] = concoll_key_double(fixed[i]);
		for (i = 0; i < sizeof nan_words / sizeof nan_words[0]; i++)
			cand[n++] = concoll_key_u64(nan_words[i]);
		while (n < 190)
			cand[n++] = concoll_key_double(
			    (double)((int64_t)(tu_rand(&rng) % 2001) - 1000) / 8);
		break;
	}
	case D_STRING: {
		static const char alpha[] = { '\x01', 'a', 'b', '\x80', '\xff' };
		char buf[200][8];

		d->cmp = CONCOLL_CMP_STRING;
		d->name = "string";
		for (i = 0; i < sizeof fixed_strings / sizeof fixed_strings[0]; i++)
			cand[n++] = (void *)(uintptr_t)fixed_strings[i];
		for (i = 0; i < 200; i++) {
			size_t len = tu_rand(&rng) % 7, j;

			for (j = 0; j < len; j++)
				buf[i][j] = alpha[tu_rand(&rng) % sizeof alpha];
			buf[i][len] = 0;
			cand[n++] = buf[i];
		}
		group_classes(d, cand, n);
		/* two fresh copies of every string: equal content, distinct pointers */
		for (i = 0; i < d->nclass; i++) {
			const char *s = d->var[i][0];

			d->var[i][0] = copy_string(d, s);
			d->var[i][1] = copy_string(d, s);
			d->nvar[i] = 2;
		}
		return;
	}
	case D_BYTES: {
		static const unsigned char alpha[] = { 0, 1, 'a', 0xff };
		unsigned char data[200][6];
		struct concoll_bytes rb[200];

		d->cmp = CONCOLL_CMP_BYTES;
		d->name = "bytes";
		for (i = 0; i < sizeof fixed_bytes / sizeof fixed_bytes[0]; i++)
			cand[n++] = (void *)(uintptr_t)&fixed_bytes[i];
		for (i = 0; i < 200; i++) {
			size_t j;

			rb[i].len = tu_rand(&rng) % 6;
			for (j = 0; j < rb[i].len; j++)
				data[i][j] = alpha[tu_rand(&rng) % sizeof alpha];
			rb[i].data = data[i];
			cand[n++] = &rb[i];
		}
		group_classes(d, cand, n);
		for (i = 0; i < d->nclass; i++) {
			const struct concoll_bytes *b = d->var[i][0];

			d->var[i][0] = copy_bytes(d, b, false);
			d->var[i][1] = copy_bytes(d, b, true);
			d->nvar[i] = 2;
		}
		return;
	}
	case D_REVERSE:
	case D_FAILING:
		d->cmp = CONCOLL_CMP_CUSTOM;
		d->name = id == D_REVERSE ? "custom-reverse" : "custom-failing";
		cand[n++] = concoll_key_u64(0);
		cand[n++] = concoll_key_u64(UINT64_MAX);
		while (n < 170) {
			cand[n] =
			    concoll_key_u64(id == D_FAILING ? 10 * n : tu_rand(&rng) >> (n % 50));
			n++;
		}
		break;
	default: {
		/* tokens: classes 0..MAXC-1, MAXV distinct objects each */
		unsigned c, v;

		d->cmp = CONCOLL_CMP_CUSTOM;
		d->name = "custom-token";
		d->nclass = MAXC;
		for (c = 0; c < MAXC; c++) {
			d->nvar[c] = MAXV;
			for (v = 0; v < MAXV; v++) {
				struct token *t = own(d, malloc(sizeof *t));

				t->magic = TOKEN_MAGIC;
				t->cls = (int)c;
				d->var[c][v] = t;
			}
		}
		return;
	}
	}
	group_classes(d, cand, n);
}

static void domain_free(struct domain *d)
{
	while (d->nowned)
		free(d->owned[--d->nowned]);
}

static void domain_options(const struct domain *d, int kind, struct concoll_map_options *o)
{
	memset(o, 0, sizeof *o);
	o->size = sizeof *o;
	o->kind = kind;
	o->compare = d->cmp;
	if (d->id == D_REVERSE) {
		o->compare_fn = reverse_cmp;
		o->compare_ctx = &reverse_ctx;
	} else if (d->id == D_FAILING) {
		o->compare_fn = failing_cmp;
		o->compare_ctx = &fc;
	} else if (d->id == D_TOKEN) {
		o->compare_fn = token_cmp;
	}
}

/* The class of a key word, -1 when it is no key of the domain. */
static int class_of(const struct domain *d, const void *w, int *variant)
{
	unsigned c, v;

	for (c = 0; c < d->nclass; c++) {
		for (v = 0; v < d->nvar[c]; v++) {
			if (d->var[c][v] == w) {
				if (variant)
					*variant = (int)v;
				return (int)c;
			}
		}
	}
	return -1;
}

/* ======================================================================== */
/* The model and the harness that checks every call against it.             */
/* ======================================================================== */

struct model {
	bool present[MAXC];
	void *key[MAXC]; /* the word the map holds */
	void *val[MAXC];
	size_t count;
};

/* Value words: serial s is the word 16 s + 8 (never NULL), or NULL. */
#define VAL_OF(s) ((void *)(uintptr_t)((uint64_t)(s) * 16 + 8))
#define MAXVAL (1u << 20)

struct acct {
	unsigned khand[MAXC][MAXV], krel[MAXC][MAXV], kret[MAXC][MAXV];
	unsigned *vhand, *vrel, *vret; /* per value serial */
	unsigned nullhand, nullrel, nullret;
	unsigned long bogus, calls;
};

struct h {
	struct domain *d;
	const char *kind_name;
	int kind;
	bool is_set;
	concoll_map_t *m;
	concoll_set_t *s;
	struct model mo;
	uint64_t seed, rng;
	unsigned long step;
	uint32_t vserial;
	/* failure injection: while inj_on, a call may fail with inj (and must
	 * then leave everything as it was) */
	int inj;
	bool inj_on;
	void (*inject)(struct h *h, bool on);
	unsigned long injected; /* calls that failed so */
	/* release/retain accounting (options.release set) */
	bool acct_on, retain_on;
	struct acct *ac;
	struct watch *watch; /* iteration in progress: record what changes */
};

static void hfail(const struct h *h, int line, const char *expr, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void hfail(const struct h *h, int line, const char *expr, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	fprintf(stderr, "test_map.c:%d: %s %s %s, seed %llu, step %lu: %s failed: %s\n", line,
	        h->kind_name, h->is_set ? "set" : "map", h->d->name, (unsigned long long)h->seed,
	        h->step, expr, msg);
	ck_abort_msg("%s %s %s: seed %llu step %lu line %d: %s: %s", h->kind_name,
	             h->is_set ? "set" : "map", h->d->name, (unsigned long long)h->seed, h->step,
	             line, expr, msg);
}

#define HC(h, cond, ...)                                          \
	do {                                                      \
		if (!(cond))                                      \
			hfail((h), __LINE__, #cond, __VA_ARGS__); \
	} while (0)

/* Enough operations for the failure injections to hit, even at tiny scales. */
static unsigned long at_least(uint64_t n, unsigned long min)
{
	return n < min ? min : (unsigned long)n;
}

static uint64_t test_seed(uint64_t dflt)
{
	const char *s = getenv("CONCOLL_TEST_SEED");

	return s && *s ? strtoull(s, NULL, 0) : dflt;
}

/* ---- release/retain callbacks ---- */

static void acct_note(struct h *h, void *key, void *value, int retain)
{
	struct acct *a = h->ac;
	int c, v = 0;

	a->calls++;
	c = class_of(h->d, key, &v);
	if (c < 0) {
		a->bogus++;
	} else if (retain) {
		a->kret[c][v]++;
	} else {
		a->krel[c][v]++;
	}
	if (h->is_set) {
		if (value)
			a->bogus++;
		return;
	}
	if (!value) {
		if (retain)
			a->nullret++;
		else
			a->nullrel++;
	} else {
		uint64_t w = u64_of(value);

		if (w % 16 != 8 || w / 16 >= MAXVAL)
			a->bogus++;
		else if (retain)
			a->vret[w / 16]++;
		else
			a->vrel[w / 16]++;
	}
}

static void release_cb(void *key, void *value, void *ctx)
{
	acct_note(ctx, key, value, 0);
}

static void retain_cb(void *key, void *value, void *ctx)
{
	acct_note(ctx, key, value, 1);
}

/* The map took ownership of key (class c, word k) and value. */
static void acct_hand(struct h *h, int c, void *k, void *value)
{
	int v = 0;

	if (!h->acct_on)
		return;
	HC(h, class_of(h->d, k, &v) == c, "key word of class %d", c);
	h->ac->khand[c][v]++;
	if (h->is_set)
		return;
	if (value)
		h->ac->vhand[u64_of(value) / 16]++;
	else
		h->ac->nullhand++;
}

/* After a barrier, with no iterator or snapshot alive: everything handed
 * over and no longer in the map was released exactly once, plus once per
 * retain; nothing in the map was released more than its retains. */
static void acct_verify(struct h *h)
{
	struct acct *a = h->ac;
	unsigned c, v;
	uint32_t s;

	if (!h->acct_on)
		return;
	HC(h, a->bogus == 0, "%lu callbacks with words the test never handed over", a->bogus);
	for (c = 0; c < h->d->nclass; c++) {
		for (v = 0; v < h->d->nvar[c]; v++) {
			unsigned held = h->mo.present[c] && h->mo.key[c] == h->d->var[c][v];

			HC(h, a->krel[c][v] + held == a->khand[c][v] + a->kret[c][v],
			   "key %u/%u: handed %u, retained %u, released %u, in the map %u", c, v,
			   a->khand[c][v], a->kret[c][v], a->krel[c][v], held);
		}
	}
	if (h->is_set)
		return;
	for (s = 1; s <= h->vserial; s++) {
		unsigned held = 0;

		for (c = 0; c < h->d->nclass; c++)
			held += h->mo.present[c] && h->mo.val[c] == VAL_OF(s);
		HC(h, a->vrel[s] + held == a->vhand[s] + a->vret[s],
		   "value %u: handed %u, retained %u, released %u, in the map %u", s, a->vhand[s],
		   a->vret[s], a->vrel[s], held);
	}
	{
		unsigned held = 0;

		for (c = 0; c < h->d->nclass; c++)
			held += h->mo.present[c] && h->mo.val[c] == NULL;
		HC(h, a->nullrel + held == a->nullhand + a->nullret,
		   "NULL values: handed %u, retained %u, released %u, in the map %u", a->nullhand,
		   a->nullret, a->nullrel, held);
	}
}

/* ---- harness set-up ---- */

static void h_create(struct h *h, struct domain *d, int kind_index, bool is_set, uint64_t seed,
                     bool acct, bool retain)
{
	struct concoll_map_options o;

	memset(h, 0, sizeof *h);
	h->d = d;
	h->kind = kinds[kind_index].kind;
	h->kind_name = kinds[kind_index].name;
	h->is_set = is_set;
	h->seed = seed;
	h->rng = seed * 0x9E3779B97F4A7C15ULL + 1;
	domain_options(d, h->kind, &o);
	if (acct) {
		h->acct_on = true;
		h->retain_on = retain;
		h->ac = calloc(1, sizeof *h->ac);
		ck_assert_ptr_nonnull(h->ac);
		h->ac->vhand = calloc(MAXVAL, sizeof(unsigned));
		h->ac->vrel = calloc(MAXVAL, sizeof(unsigned));
		h->ac->vret = calloc(MAXVAL, sizeof(unsigned));
		ck_assert(h->ac->vhand && h->ac->vrel && h->ac->vret);
		o.release = release_cb;
		if (retain)
			o.retain = retain_cb;
		o.ctx = h;
	}
	if (is_set)
		h->s = concoll_set_create(&o);
	else
		h->m = concoll_map_create(&o);
	HC(h, h->m || h->s, "create: errno %d", errno);
}

static void h_inject(struct h *h, bool on)
{
	h->inj_on = on && h->inject;
	if (h->inject)
		h->inject(h, on);
}

static void h_destroy(struct h *h)
{
	int rc;

	h_inject(h, false);
	rc = h->is_set ? concoll_set_destroy(h->s) : concoll_map_destroy(h->m);
	HC(h, rc == 0, "destroy returned %d", rc);
	h->m = NULL;
	h->s = NULL;
	if (h->acct_on) {
		/* destroy released every entry and waited for the earlier releases */
		memset(&h->mo, 0, sizeof h->mo);
		acct_verify(h);
		free(h->ac->vhand);
		free(h->ac->vrel);
		free(h->ac->vret);
		free(h->ac);
		h->ac = NULL;
	}
}

static uint64_t h_rand(struct h *h)
{
	return tu_rand(&h->rng);
}

static void *pick_key(struct h *h, int *cls)
{
	int c = (int)(h_rand(h) % h->d->nclass);

	*cls = c;
	return h->d->var[c][h_rand(h) % h->d->nvar[c]];
}

static void *new_value(struct h *h)
{
	if (h->is_set || h_rand(h) % 10 == 0)
		return NULL;
	HC(h, h->vserial + 1 < MAXVAL, "too many values");
	return VAL_OF(++h->vserial);
}

static int model_nav(const struct model *mo, size_t n, int nav, int c)
{
	int i;

	switch (nav) {
	case CONCOLL_NAV_EQ:
		return mo->present[c] ? c : -1;
	case CONCOLL_NAV_FLOOR:
		for (i = c; i >= 0; i--)
			if (mo->present[i])
				return i;
		return -1;
	case CONCOLL_NAV_CEILING:
		for (i = c; i < (int)n; i++)
			if (mo->present[i])
				return i;
		return -1;
	case CONCOLL_NAV_LOWER:
		for (i = c - 1; i >= 0; i--)
			if (mo->present[i])
				return i;
		return -1;
	case CONCOLL_NAV_HIGHER:
		for (i = c + 1; i < (int)n; i++)
			if (mo->present[i])
				return i;
		return -1;
	case CONCOLL_NAV_FIRST:
		return model_nav(mo, n, CONCOLL_NAV_CEILING, 0);
	default:
		return model_nav(mo, n, CONCOLL_NAV_FLOOR, (int)n - 1);
	}
}

static size_t model_rank(const struct model *mo, int c)
{
	size_t r = 0;
	int i;

	for (i = 0; i < c; i++)
		r += mo->present[i];
	return r;
}

static void model_insert(struct h *h, int c, void *k, void *v)
{
	HC(h, !h->mo.present[c], "model: class %d present", c);
	h->mo.present[c] = true;
	h->mo.key[c] = k;
	h->mo.val[c] = v;
	h->mo.count++;
}

static void model_remove(struct h *h, int c)
{
	HC(h, h->mo.present[c], "model: class %d absent", c);
	h->mo.present[c] = false;
	h->mo.count--;
}

static bool in_range(int c, int lo, int hi, unsigned flags)
{
	if ((flags & CONCOLL_RANGE_LO) && (c < lo || (c == lo && (flags & CONCOLL_RANGE_LO_EXCL))))
		return false;
	if ((flags & CONCOLL_RANGE_HI) && (c > hi || (c == hi && (flags & CONCOLL_RANGE_HI_EXCL))))
		return false;
	return true;
}

/* The classes a range returns, in its order. */
static size_t model_range(const struct model *mo, size_t n, int lo, int hi, unsigned flags,
                          int *out)
{
	size_t k = 0, i;

	for (i = 0; i < n; i++) {
		int c = flags & CONCOLL_RANGE_DESC ? (int)(n - 1 - i) : (int)i;

		if (mo->present[c] && in_range(c, lo, hi, flags))
			out[k++] = c;
	}
	return k;
}

/* ---- collecting visitors ---- */

struct watch {
	struct model before;
	bool touched[MAXC]; /* changed in any way since the iteration began */
	bool ever[MAXC];    /* present at some time since it began */
};

#define COLLECT_MAX (MAXC + 8)
struct collect {
	struct h *h;
	size_t n;
	void *k[COLLECT_MAX], *v[COLLECT_MAX];
	size_t stop_at; /* return stop_rc on this visit (1-based); 0: never */
	int stop_rc;
	bool mutate; /* run random updates from inside the visitor */
	bool overflow;
};

static void mutate_some(struct h *h, unsigned n);

static int collect_cb(void *key, void *value, void *ctx)
{
	struct collect *co = ctx;

	if (co->n >= COLLECT_MAX) {
		co->overflow = true;
		return -E2BIG;
	}
	co->k[co->n] = key;
	co->v[co->n] = value;
	co->n++;
	if (co->mutate && h_rand(co->h) % 2)
		mutate_some(co->h, 1 + (unsigned)(h_rand(co->h) % 3));
	return co->n == co->stop_at ? co->stop_rc : 0;
}

static void collect_init(struct collect *co, struct h *h)
{
	memset(co, 0, sizeof *co);
	co->h = h;
}

/* The collected entries are exactly classes exp[0..n) of model mo. */
static void check_exact(struct h *h, const struct collect *co, const struct model *mo,
                        const int *exp, size_t n, const char *what)
{
	size_t i;

	HC(h, !co->overflow, "%s: endless", what);
	HC(h, co->n == n, "%s: %zu entries, expected %zu", what, co->n, n);
	for (i = 0; i < n; i++) {
		HC(h, co->k[i] == mo->key[exp[i]],
		   "%s: entry %zu: key of class %d expected (got class %d)", what, i, exp[i],
		   class_of(h->d, co->k[i], NULL));
		HC(h, co->v[i] == (h->is_set ? NULL : mo->val[exp[i]]), "%s: entry %zu: value",
		   what, i);
	}
}

/* Weak consistency of entries collected while the map changed: strictly
 * monotone, inside the bounds, every key present at some time, untouched
 * keys with their words, and (complete) every untouched key seen. */
static void check_weak(struct h *h, const struct collect *co, const struct watch *w, int lo, int hi,
                       unsigned flags, bool complete, const char *what)
{
	bool seen[MAXC];
	int prev = -1;
	size_t i;
	int c;

	memset(seen, 0, sizeof seen);
	HC(h, !co->overflow, "%s: endless", what);
	for (i = 0; i < co->n; i++) {
		c = class_of(h->d, co->k[i], NULL);
		HC(h, c >= 0, "%s: entry %zu: unknown key", what, i);
		HC(h, in_range(c, lo, hi, flags), "%s: class %d out of bounds", what, c);
		if (i > 0)
			HC(h, flags & CONCOLL_RANGE_DESC ? c < prev : c > prev,
			   "%s: class %d after class %d", what, c, prev);
		prev = c;
		HC(h, w->ever[c], "%s: class %d never present", what, c);
		seen[c] = true;
		if (!w->touched[c]) {
			HC(h, co->k[i] == w->before.key[c], "%s: class %d: key word", what, c);
			HC(h, co->v[i] == (h->is_set ? NULL : w->before.val[c]),
			   "%s: class %d: value", what, c);
		}
	}
	if (!complete)
		return;
	for (c = 0; c < (int)h->d->nclass; c++) {
		if (w->before.present[c] && !w->touched[c] && in_range(c, lo, hi, flags))
			HC(h, seen[c], "%s: class %d present throughout, not returned", what, c);
	}
}

static void watch_begin(struct h *h, struct watch *w)
{
	unsigned c;

	memset(w, 0, sizeof *w);
	w->before = h->mo;
	for (c = 0; c < h->d->nclass; c++)
		w->ever[c] = h->mo.present[c];
}

/* Everything the map holds, in order, equals the model. */
static void h_verify(struct h *h)
{
	bool was = h->inj_on;
	struct collect co;
	int exp[MAXC];
	size_t n;
	int rc;

	if (was)
		h_inject(h, false);
	collect_init(&co, h);
	rc = h->is_set ? concoll_set_range(h->s, NULL, NULL, 0, collect_cb, &co)
	               : concoll_map_range(h->m, NULL, NULL, 0, collect_cb, &co);
	HC(h, rc == 0, "verify: range returned %d", rc);
	n = model_range(&h->mo, h->d->nclass, 0, 0, 0, exp);
	check_exact(h, &co, &h->mo, exp, n, "verify");
	HC(h, (h->is_set ? concoll_set_size(h->s) : concoll_map_size(h->m)) == h->mo.count,
	   "verify: size");
	rc = h->is_set ? concoll_set_is_empty(h->s) : concoll_map_is_empty(h->m);
	HC(h, rc == (h->mo.count == 0), "verify: is_empty %d", rc);
	if (was)
		h_inject(h, true);
}

/* A call failed with the injected error: nothing may have changed. */
static bool injected(struct h *h, int rc)
{
	if (!h->inj_on || rc != h->inj)
		return false;
	h->injected++;
	h_verify(h);
	return true;
}

/* ---- the operations ---- */

enum {
	OP_GET,
	OP_CONTAINS,
	OP_GET_WITH,
	OP_PUT,
	OP_PUT_IF_ABSENT,
	OP_REPLACE,
	OP_REPLACE_IF_EQ,
	OP_REMOVE,
	OP_REMOVE_IF_EQ,
	OP_POP_FIRST,
	OP_POP_LAST,
	OP_NAV,
	OP_FIND,
	OP_FIND_WITH,
	OP_SIZE,
	OP_CLEAR,
	OP_RANGE,
	OP_ITER,
	OP_ITER_MUTATE,
	OP_FREEZE,
	NOPS
};

/* The set has no values: map-only operations become their set analogue. */
static int set_op(int op)
{
	switch (op) {
	case OP_GET:
	case OP_GET_WITH:
		return OP_CONTAINS;
	case OP_FIND_WITH:
		return OP_FIND;
	case OP_PUT:
	case OP_REPLACE:
	case OP_REPLACE_IF_EQ:
		return OP_PUT_IF_ABSENT;
	case OP_REMOVE_IF_EQ:
		return OP_REMOVE;
	default:
		return op;
	}
}

static char sentinel_obj;
#define SENT ((void *)&sentinel_obj)

struct visit1 {
	int calls, ret;
	void *k, *v;
};

static int visit1_cb(void *key, void *value, void *ctx)
{
	struct visit1 *x = ctx;

	x->calls++;
	x->k = key;
	x->v = value;
	return x->ret;
}

static int named_nav(struct h *h, int nav, void *k, void **ko, void **vo)
{
	if (h->is_set) {
		switch (nav) {
		case CONCOLL_NAV_FLOOR:
			return concoll_set_floor(h->s, k, ko);
		case CONCOLL_NAV_CEILING:
			return concoll_set_ceiling(h->s, k, ko);
		case CONCOLL_NAV_LOWER:
			return concoll_set_lower(h->s, k, ko);
		case CONCOLL_NAV_HIGHER:
			return concoll_set_higher(h->s, k, ko);
		case CONCOLL_NAV_FIRST:
			return concoll_set_first(h->s, ko);
		default:
			return concoll_set_last(h->s, ko);
		}
	}
	switch (nav) {
	case CONCOLL_NAV_FLOOR:
		return concoll_map_floor(h->m, k, ko, vo);
	case CONCOLL_NAV_CEILING:
		return concoll_map_ceiling(h->m, k, ko, vo);
	case CONCOLL_NAV_LOWER:
		return concoll_map_lower(h->m, k, ko, vo);
	case CONCOLL_NAV_HIGHER:
		return concoll_map_higher(h->m, k, ko, vo);
	case CONCOLL_NAV_FIRST:
		return concoll_map_first(h->m, ko, vo);
	default:
		return concoll_map_last(h->m, ko, vo);
	}
}

/* A navigation result rc/ko/vo is that of class e (-1: none) of model mo. */
static void check_nav(struct h *h, const struct model *mo, int e, int rc, void *ko, void *vo,
                      bool want_k, bool want_v, const char *what, int nav, int c)
{
	if (e < 0) {
		HC(h, rc == -ENOENT, "%s nav %d class %d: rc %d, expected -ENOENT", what, nav, c,
		   rc);
		return;
	}
	HC(h, rc == 0, "%s nav %d class %d: rc %d, expected class %d", what, nav, c, rc, e);
	if (want_k)
		HC(h, ko == mo->key[e],
		   "%s nav %d class %d: key of class %d expected, got class %d", what, nav, c, e,
		   class_of(h->d, ko, NULL));
	if (want_v)
		HC(h, vo == (h->is_set ? NULL : mo->val[e]), "%s nav %d class %d: value", what, nav,
		   c);
}

static void *other_value(struct h *h)
{
	return h_rand(h) % 3 == 0 ? NULL : VAL_OF(1 + h_rand(h) % (h->vserial + 1));
}

static void random_bounds(struct h *h, int *lo, int *hi, void **plo, void **phi, unsigned *flags)
{
	void *l = pick_key(h, lo), *u = pick_key(h, hi);

	*flags = (unsigned)(h_rand(h) % 32);
	/* bounds that the flags do not name are not read: pass NULL */
	*plo = *flags & CONCOLL_RANGE_LO ? l : NULL;
	*phi = *flags & CONCOLL_RANGE_HI ? u : NULL;
}

static int op_range(struct h *h)
{
	struct collect co;
	struct watch w;
	int lo, hi, rc, exp[MAXC];
	void *plo, *phi;
	unsigned flags;
	size_t n;

	random_bounds(h, &lo, &hi, &plo, &phi, &flags);
	collect_init(&co, h);
	if (h_rand(h) % 3 == 0) {
		co.stop_at = 1 + h_rand(h) % 4;
		co.stop_rc = h_rand(h) % 2 ? 42 : -77;
	}
	co.mutate = !h->inject && !h->watch && h_rand(h) % 5 == 0;
	if (co.mutate) {
		watch_begin(h, &w);
		h->watch = &w;
	}
	rc = h->is_set ? concoll_set_range(h->s, plo, phi, flags, collect_cb, &co)
	               : concoll_map_range(h->m, plo, phi, flags, collect_cb, &co);
	if (co.mutate) {
		h->watch = NULL;
		if (co.stop_at && rc == co.stop_rc)
			HC(h, co.n == co.stop_at, "range stopped after %zu visits", co.n);
		else
			HC(h, rc == 0, "range (updates from the visitor) returned %d", rc);
		check_weak(h, &co, &w, lo, hi, flags, rc == 0, "range with updates");
		return rc;
	}
	if (injected(h, rc))
		return rc;
	n = model_range(&h->mo, h->d->nclass, lo, hi, flags, exp);
	if (co.stop_at && co.stop_at <= n) {
		HC(h, rc == co.stop_rc, "range flags %#x: rc %d, the visitor stopped it with %d",
		   flags, rc, co.stop_rc);
		n = co.stop_at;
	} else {
		HC(h, rc == 0, "range flags %#x [%d, %d]: rc %d", flags, lo, hi, rc);
	}
	check_exact(h, &co, &h->mo, exp, n, "range");
	return rc;
}

static int op_iter(struct h *h, bool mutate)
{
	struct collect co;
	struct watch w;
	concoll_map_iter_t *it;
	int lo, hi, rc = 0, exp[MAXC];
	void *plo, *phi;
	unsigned flags;
	size_t n, stop = SIZE_MAX;
	bool done = false;

	random_bounds(h, &lo, &hi, &plo, &phi, &flags);
	errno = 0;
	it = h->is_set ? concoll_set_iter_create(h->s, plo, phi, flags)
	               : concoll_map_iter_create(h->m, plo, phi, flags);
	if (h->d->cmp == CONCOLL_CMP_CUSTOM && h->acct_on && !h->retain_on) {
		/* a custom key released meanwhile could not be resumed from */
		HC(h, !it && errno == EINVAL, "iter_create on custom keys without retain: %p, errno %d",
		   (void *)it, errno);
		return 0;
	}
	if (!it) {
		HC(h, h->inj_on && errno == -h->inj, "iter_create: NULL, errno %d", errno);
		injected(h, -errno);
		return h->inj;
	}
	if (h_rand(h) % 4 == 0)
		stop = h_rand(h) % 5; /* destroy it before the end */
	collect_init(&co, h);
	mutate = mutate && !h->watch;
	if (mutate) {
		watch_begin(h, &w);
		h->watch = &w;
	}
	while (co.n < stop) {
		void *ko = SENT, *vo = SENT;

		rc = concoll_map_iter_next(it, &ko, &vo);
		if (h->inj_on && rc == h->inj) {
			/* the iterator may be called again */
			h->injected++;
			h_inject(h, false);
			rc = concoll_map_iter_next(it, &ko, &vo);
			h_inject(h, true);
		}
		if (rc == -ENOENT) {
			done = true;
			break;
		}
		HC(h, rc == 0, "iter_next returned %d", rc);
		if (co.n >= COLLECT_MAX) {
			co.overflow = true;
			break;
		}
		co.k[co.n] = ko;
		co.v[co.n] = vo;
		co.n++;
		if (mutate && h_rand(h) % 3 == 0)
			mutate_some(h, 1 + (unsigned)(h_rand(h) % 3));
	}
	if (done) {
		void *ko = SENT, *vo = SENT;

		HC(h, concoll_map_iter_next(it, &ko, &vo) == -ENOENT, "iter_next after the end");
	}
	concoll_map_iter_destroy(it);
	if (mutate) {
		h->watch = NULL;
		check_weak(h, &co, &w, lo, hi, flags, done, "iterator with updates");
		return 0;
	}
	n = model_range(&h->mo, h->d->nclass, lo, hi, flags, exp);
	if (!done) {
		HC(h, co.n <= n, "iterator: %zu entries before the end, %zu in range", co.n, n);
		n = co.n;
	}
	check_exact(h, &co, &h->mo, exp, n, "iterator");
	return 0;
}

/* Every read of f agrees with the model snap of the map it copied. */
static void check_frozen(struct h *h, const concoll_frozen_t *f, const struct model *snap)
{
	size_t n = concoll_frozen_size(f), i, idx;
	int exp[MAXC], c, e, lo, hi, rc, j;
	void *ko, *vo, *plo, *phi, *k;
	unsigned flags;
	struct collect co;

	HC(h, model_range(snap, h->d->nclass, 0, 0, 0, exp) == n, "frozen size %zu, expected %zu",
	   n, snap->count);
	for (i = 0; i < n; i++) {
		ko = vo = SENT;
		rc = concoll_frozen_at(f, i, &ko, &vo);
		HC(h, rc == 0 && ko == snap->key[exp[i]], "frozen_at %zu: rc %d, class %d expected",
		   i, rc, exp[i]);
		HC(h, vo == (h->is_set ? NULL : snap->val[exp[i]]), "frozen_at %zu: value", i);
	}
	HC(h, concoll_frozen_at(f, n, &ko, &vo) == -ENOENT, "frozen_at past the end");
	HC(h, concoll_frozen_at(f, SIZE_MAX, &ko, &vo) == -ENOENT, "frozen_at SIZE_MAX");
	for (j = 0; j < 6; j++) {
		bool want = h_rand(h) % 2;
		int nav = (int)(h_rand(h) % 7);

		k = pick_key(h, &c);
		vo = SENT;
		rc = concoll_frozen_get(f, k, want ? &vo : NULL);
		if (!(h->inj_on && rc == h->inj)) {
			if (snap->present[c])
				HC(h, rc == 0 && (!want || vo == (h->is_set ? NULL : snap->val[c])),
				   "frozen_get class %d: rc %d", c, rc);
			else
				HC(h, rc == -ENOENT, "frozen_get absent class %d: rc %d", c, rc);
		}
		if (nav >= CONCOLL_NAV_FIRST && h_rand(h) % 2)
			k = NULL; /* ignored */
		idx = SIZE_MAX;
		rc = concoll_frozen_find(f, nav, k, &idx);
		if (h->inj_on && rc == h->inj)
			continue;
		e = model_nav(snap, h->d->nclass, nav, c);
		if (e < 0)
			HC(h, rc == -ENOENT, "frozen_find nav %d class %d: rc %d", nav, c, rc);
		else
			HC(h, rc == 0 && idx == model_rank(snap, e),
			   "frozen_find nav %d class %d: rc %d index %zu, expected class %d at %zu",
			   nav, c, rc, idx, e, model_rank(snap, e));
	}
	random_bounds(h, &lo, &hi, &plo, &phi, &flags);
	collect_init(&co, h);
	if (h_rand(h) % 3 == 0) {
		co.stop_at = 1 + h_rand(h) % 4;
		co.stop_rc = 17;
	}
	rc = concoll_frozen_range(f, plo, phi, flags, collect_cb, &co);
	if (h->inj_on && rc == h->inj)
		return;
	n = model_range(snap, h->d->nclass, lo, hi, flags, exp);
	if (co.stop_at && co.stop_at <= n) {
		HC(h, rc == 17, "frozen_range: rc %d, stopped with 17", rc);
		n = co.stop_at;
	} else {
		HC(h, rc == 0, "frozen_range flags %#x: rc %d", flags, rc);
	}
	check_exact(h, &co, snap, exp, n, "frozen_range");
}

static int op_freeze(struct h *h)
{
	struct model snap = h->mo;
	concoll_frozen_t *f, *g = NULL;

	errno = 0;
	f = h->is_set ? concoll_set_freeze(h->s) : concoll_map_freeze(h->m);
	if (!f) {
		HC(h, h->inj_on && errno == -h->inj, "freeze: NULL, errno %d", errno);
		injected(h, -errno);
		return h->inj;
	}
	check_frozen(h, f, &snap);
	if (!h->inject && h_rand(h) % 2) {
		/* a second snapshot of the same contents is equal */
		g = h->is_set ? concoll_set_freeze(h->s) : concoll_map_freeze(h->m);
		HC(h, g != NULL, "freeze: errno %d", errno);
		HC(h, concoll_frozen_equal(f, g) == 1, "snapshots of one state differ");
		HC(h, concoll_frozen_equal(g, f) == 1, "snapshots of one state differ");
		if (h->d->id != D_REVERSE && h->d->id != D_FAILING && h->d->id != D_TOKEN) {
			uint64_t hf = 1, hg = 2;

			HC(h, concoll_frozen_hash(f, &hf) == 0 && concoll_frozen_hash(g, &hg) == 0,
			   "frozen_hash");
			HC(h, hf == hg, "equal snapshots hash differently");
		}
	}
	/* the map changes, the snapshots do not */
	if (!h->watch)
		mutate_some(h, (unsigned)(h_rand(h) % 8));
	check_frozen(h, f, &snap);
	if (g) {
		check_frozen(h, g, &snap);
		concoll_frozen_destroy(g);
	}
	concoll_frozen_destroy(f);
	return 0;
}

static int run_op(struct h *h, int op)
{
	struct model *mo = &h->mo;
	size_t n = h->d->nclass;
	int c, e, rc, nav;
	void *k = pick_key(h, &c), *ko = SENT, *vo = SENT, *nv, *ex;
	bool pass = h_rand(h) % 4 != 0;

	h->step++;
	if (h->is_set)
		op = set_op(op);
	switch (op) {
	case OP_GET:
		rc = concoll_map_get(h->m, k, &vo);
		if (injected(h, rc))
			return rc;
		if (mo->present[c])
			HC(h, rc == 0 && vo == mo->val[c], "get class %d: rc %d", c, rc);
		else
			HC(h, rc == -ENOENT, "get absent class %d: rc %d", c, rc);
		return rc;
	case OP_CONTAINS:
		rc = h->is_set ? concoll_set_contains(h->s, k) : concoll_map_contains(h->m, k);
		if (injected(h, rc))
			return rc;
		HC(h, rc == (int)mo->present[c], "contains class %d: %d", c, rc);
		return rc;
	case OP_GET_WITH:
	case OP_FIND_WITH: {
		static const int rets[] = { 0, 0, 9, -77 };
		struct visit1 x = { 0, rets[h_rand(h) % 4], NULL, NULL };

		nav = op == OP_GET_WITH ? CONCOLL_NAV_EQ : (int)(h_rand(h) % 7);
		rc = op == OP_GET_WITH ? concoll_map_get_with(h->m, k, visit1_cb, &x)
		                       : concoll_map_find_with(h->m, nav, k, visit1_cb, &x);
		if (injected(h, rc))
			return rc;
		e = model_nav(mo, n, nav, c);
		if (e < 0) {
			HC(h, rc == -ENOENT && x.calls == 0, "%s nav %d class %d: rc %d, %d calls",
			   op == OP_GET_WITH ? "get_with" : "find_with", nav, c, rc, x.calls);
		} else {
			HC(h, rc == x.ret && x.calls == 1,
			   "find_with nav %d class %d: rc %d (fn %d), %d calls", nav, c, rc, x.ret,
			   x.calls);
			HC(h, x.k == mo->key[e] && x.v == mo->val[e],
			   "find_with nav %d class %d: entry", nav, c);
		}
		return rc;
	}
	case OP_PUT:
		nv = new_value(h);
		rc = concoll_map_put(h->m, k, nv, pass ? &vo : NULL);
		if (injected(h, rc))
			return rc;
		if (mo->present[c]) {
			HC(h, rc == 1 && (!pass || vo == mo->val[c]), "put over class %d: rc %d", c,
			   rc);
			mo->val[c] = nv;
		} else {
			HC(h, rc == 0, "put class %d: rc %d", c, rc);
			model_insert(h, c, k, nv);
		}
		acct_hand(h, c, k, nv);
		return rc;
	case OP_PUT_IF_ABSENT:
		nv = new_value(h);
		rc = h->is_set ? concoll_set_add(h->s, k)
		               : concoll_map_put_if_absent(h->m, k, nv, pass ? &vo : NULL);
		if (injected(h, rc))
			return rc;
		if (mo->present[c]) {
			HC(h, rc == -EEXIST, "put_if_absent over class %d: rc %d", c, rc);
			HC(h, h->is_set || !pass || vo == mo->val[c],
			   "put_if_absent: existing value");
		} else {
			HC(h, rc == 0, "put_if_absent class %d: rc %d", c, rc);
			model_insert(h, c, k, nv);
			acct_hand(h, c, k, nv);
		}
		return rc;
	case OP_REPLACE:
	case OP_REPLACE_IF_EQ:
		nv = new_value(h);
		ex = mo->present[c] && h_rand(h) % 3 ? mo->val[c] : other_value(h);
		rc = op == OP_REPLACE ? concoll_map_replace(h->m, k, nv, &vo)
		                      : concoll_map_replace_if_equal(h->m, k, ex, nv);
		if (injected(h, rc))
			return rc;
		if (!mo->present[c]) {
			HC(h, rc == -ENOENT, "replace absent class %d: rc %d", c, rc);
		} else if (op == OP_REPLACE_IF_EQ && ex != mo->val[c]) {
			HC(h, rc == -EAGAIN, "replace_if_equal class %d, other value: rc %d", c,
			   rc);
		} else {
			HC(h, rc == 0, "replace class %d: rc %d", c, rc);
			HC(h, op == OP_REPLACE_IF_EQ || vo == mo->val[c], "replace: old value");
			mo->val[c] = nv;
			acct_hand(h, c, k, nv);
		}
		return rc;
	case OP_REMOVE:
	case OP_REMOVE_IF_EQ:
		ex = mo->present[c] && h_rand(h) % 3 ? mo->val[c] : other_value(h);
		if (h->is_set)
			rc = concoll_set_discard(h->s, k);
		else if (op == OP_REMOVE)
			rc = concoll_map_remove(h->m, k, pass ? &vo : NULL);
		else
			rc = concoll_map_remove_if_equal(h->m, k, ex);
		if (injected(h, rc))
			return rc;
		if (!mo->present[c]) {
			HC(h, rc == -ENOENT, "remove absent class %d: rc %d", c, rc);
		} else if (op == OP_REMOVE_IF_EQ && ex != mo->val[c]) {
			HC(h, rc == -EAGAIN, "remove_if_equal class %d, other value: rc %d", c, rc);
		} else {
			HC(h, rc == 0, "remove class %d: rc %d", c, rc);
			HC(h, h->is_set || op == OP_REMOVE_IF_EQ || !pass || vo == mo->val[c],
			   "remove: old value");
			model_remove(h, c);
		}
		return rc;
	case OP_POP_FIRST:
	case OP_POP_LAST:
		nav = op == OP_POP_FIRST ? CONCOLL_NAV_FIRST : CONCOLL_NAV_LAST;
		if (h->is_set)
			rc = op == OP_POP_FIRST ? concoll_set_pop_first(h->s, &ko)
			                        : concoll_set_pop_last(h->s, &ko);
		else
			rc = op == OP_POP_FIRST ? concoll_map_pop_first(h->m, &ko, &vo)
			                        : concoll_map_pop_last(h->m, &ko, &vo);
		if (injected(h, rc))
			return rc;
		e = model_nav(mo, n, nav, 0);
		check_nav(h, mo, e, rc, ko, vo, true, !h->is_set, "pop", nav, -1);
		if (e >= 0)
			model_remove(h, e);
		return rc;
	case OP_NAV:
		nav = 1 + (int)(h_rand(h) % 6);
		rc = named_nav(h, nav, k, &ko, &vo);
		if (injected(h, rc))
			return rc;
		check_nav(h, mo, model_nav(mo, n, nav, c), rc, ko, vo, true, !h->is_set, "named",
		          nav, c);
		return rc;
	case OP_FIND: {
		bool wk = h->is_set || h_rand(h) % 4, wv = h_rand(h) % 4;

		nav = (int)(h_rand(h) % 7);
		if (nav >= CONCOLL_NAV_FIRST && h_rand(h) % 2)
			k = NULL; /* ignored */
		rc = h->is_set ? concoll_set_find(h->s, nav, k, &ko)
		               : concoll_map_find(h->m, nav, k, wk ? &ko : NULL, wv ? &vo : NULL);
		if (injected(h, rc))
			return rc;
		check_nav(h, mo, model_nav(mo, n, nav, c), rc, ko, vo, wk, wv && !h->is_set, "find",
		          nav, c);
		return rc;
	}
	case OP_SIZE:
		HC(h, (h->is_set ? concoll_set_size(h->s) : concoll_map_size(h->m)) == mo->count,
		   "size, expected %zu", mo->count);
		rc = h->is_set ? concoll_set_is_empty(h->s) : concoll_map_is_empty(h->m);
		if (injected(h, rc))
			return rc;
		HC(h, rc == (mo->count == 0), "is_empty: %d with %zu entries", rc, mo->count);
		return rc;
	case OP_CLEAR:
		rc = h->is_set ? concoll_set_clear(h->s) : concoll_map_clear(h->m);
		if (h->inj_on && rc == h->inj) {
			/* cleared part of it, perhaps: what is left is what was there */
			struct collect co;
			bool left[MAXC];
			size_t i;

			h->injected++;
			h_inject(h, false);
			collect_init(&co, h);
			rc = h->is_set ? concoll_set_range(h->s, NULL, NULL, 0, collect_cb, &co)
			               : concoll_map_range(h->m, NULL, NULL, 0, collect_cb, &co);
			HC(h, rc == 0, "range after a failed clear: %d", rc);
			memset(left, 0, sizeof left);
			for (i = 0; i < co.n; i++) {
				e = class_of(h->d, co.k[i], NULL);
				HC(h,
				   e >= 0 && mo->present[e] && mo->key[e] == co.k[i] &&
				       (h->is_set || mo->val[e] == co.v[i]),
				   "after a failed clear: an entry that was not there");
				left[e] = true;
			}
			for (e = 0; e < (int)n; e++) {
				if (mo->present[e] && !left[e])
					model_remove(h, e);
			}
			h_verify(h);
			h_inject(h, true);
			return h->inj;
		}
		HC(h, rc == 0, "clear: %d", rc);
		for (e = 0; e < (int)n; e++) {
			if (mo->present[e])
				model_remove(h, e);
		}
		return rc;
	case OP_RANGE:
		return op_range(h);
	case OP_ITER:
	case OP_ITER_MUTATE:
		return op_iter(h, op == OP_ITER_MUTATE);
	default:
		return op_freeze(h);
	}
}

static const int mutating_ops[] = {
	OP_PUT,    OP_PUT,          OP_PUT_IF_ABSENT, OP_REPLACE,  OP_REPLACE_IF_EQ,
	OP_REMOVE, OP_REMOVE_IF_EQ, OP_POP_FIRST,     OP_POP_LAST,
};

static void mutate_some(struct h *h, unsigned n)
{
	unsigned i, c;

	for (i = 0; i < n; i++) {
		struct model before = h->mo;
		struct watch *w = h->watch;

		run_op(h, mutating_ops[h_rand(h) % (sizeof mutating_ops / sizeof mutating_ops[0])]);
		if (!w)
			continue;
		for (c = 0; c < h->d->nclass; c++) {
			if (before.present[c] != h->mo.present[c] ||
			    (h->mo.present[c] &&
			     (before.key[c] != h->mo.key[c] || before.val[c] != h->mo.val[c])))
				w->touched[c] = true;
			if (h->mo.present[c])
				w->ever[c] = true;
		}
	}
}

static int random_op(struct h *h)
{
	static const unsigned char weight[NOPS] = {
		[OP_GET] = 12,          [OP_CONTAINS] = 8,       [OP_GET_WITH] = 6,
		[OP_PUT] = 20,          [OP_PUT_IF_ABSENT] = 16, [OP_REPLACE] = 6,
		[OP_REPLACE_IF_EQ] = 8, [OP_REMOVE] = 10,        [OP_REMOVE_IF_EQ] = 5,
		[OP_POP_FIRST] = 4,     [OP_POP_LAST] = 4,       [OP_NAV] = 12,
		[OP_FIND] = 12,         [OP_FIND_WITH] = 6,      [OP_SIZE] = 4,
		[OP_CLEAR] = 0,         [OP_RANGE] = 6,          [OP_ITER] = 3,
		[OP_ITER_MUTATE] = 1,   [OP_FREEZE] = 1,
	};
	unsigned total = 0, r, op;

	if (h_rand(h) % 500 == 0)
		return OP_CLEAR;
	for (op = 0; op < NOPS; op++)
		total += weight[op];
	r = (unsigned)(h_rand(h) % total);
	for (op = 0; r >= weight[op]; op++)
		r -= weight[op];
	return (int)op;
}

/* ======================================================================== */
/* (a), (b): long random sequences against the model                        */
/* ======================================================================== */

static void run_model(int kind_index, int dom, bool is_set, bool acct, bool retain,
                      unsigned long nops, uint64_t seed)
{
	struct domain d;
	struct h h;
	unsigned long i;

	domain_init(&d, dom, seed);
	h_create(&h, &d, kind_index, is_set, seed, acct, retain);
	for (i = 0; i < nops; i++) {
		run_op(&h, random_op(&h));
		if (i % 256 == 255) {
			h_verify(&h);
			if (acct) {
				ck_assert_int_eq(concoll_smr_barrier(), 0);
				acct_verify(&h);
			}
		}
	}
	h_verify(&h);
	h_destroy(&h);
	domain_free(&d);
	ck_assert_uint_eq(reverse_ctx.bad_ctx, 0);
	ck_assert_uint_eq(token_bad, 0);
}

START_TEST(model_map)
{
	int kind = _i / NDOMS, dom = _i % NDOMS;

	run_model(kind, dom, false, false, false, tu_scaled(20000), test_seed(1000 + (uint64_t)_i));
}
END_TEST

START_TEST(model_set)
{
	int kind = _i / NDOMS, dom = _i % NDOMS;

	run_model(kind, dom, true, false, false, tu_scaled(15000), test_seed(2000 + (uint64_t)_i));
}
END_TEST

/* The custom comparator gets its context, and is used. */
START_TEST(custom_order_uses_ctx)
{
	struct domain d;
	struct h h;
	int i;

	domain_init(&d, D_REVERSE, 7);
	h_create(&h, &d, _i, false, 7, false, false);
	reverse_ctx.calls = 0;
	for (i = 0; i < 200; i++)
		run_op(&h, OP_PUT);
	h_verify(&h);
	ck_assert_uint_gt(reverse_ctx.calls, 0);
	ck_assert_uint_eq(reverse_ctx.bad_ctx, 0);
	/* reverse order: the greatest word is first */
	{
		void *k;

		ck_assert_int_eq(concoll_map_first(h.m, &k, NULL), 0);
		ck_assert_ptr_eq(k, h.mo.key[model_nav(&h.mo, d.nclass, CONCOLL_NAV_FIRST, 0)]);
		for (i = 0; i < (int)d.nclass; i++) {
			if (h.mo.present[i] && u64_of(h.mo.key[i]) > u64_of(k))
				ck_abort_msg("first is not the greatest word");
		}
	}
	h_destroy(&h);
	domain_free(&d);
}
END_TEST

/* The documented double order, spelled out on a few keys. */
START_TEST(double_order_spelled_out)
{
	struct concoll_map_options o;
	concoll_map_t *m;
	static const double asc[] = { -INFINITY, -1.0, -0.0, 0.0, 1e-300, 1.0, INFINITY };
	void *k, *v;
	size_t i;

	memset(&o, 0, sizeof o);
	o.size = sizeof o;
	o.kind = kinds[_i].kind;
	o.compare = CONCOLL_CMP_DOUBLE;
	m = concoll_map_create(&o);
	ck_assert_ptr_nonnull(m);
	ck_assert_int_eq(
	    concoll_map_put(m, concoll_key_u64(nan_words[1]), concoll_key_u64(1), NULL), 0);
	for (i = sizeof asc / sizeof asc[0]; i-- > 0;)
		ck_assert_int_eq(concoll_map_put(m, concoll_key_double(asc[i]), NULL, NULL), 0);
	/* every NaN is the same key: replaced, the first NaN word kept */
	ck_assert_int_eq(concoll_map_put(m, concoll_key_u64(nan_words[2]), concoll_key_u64(2), &v),
	                 1);
	ck_assert_ptr_eq(v, concoll_key_u64(1));
	ck_assert_int_eq(concoll_map_put_if_absent(m, concoll_key_double(NAN), NULL, &v), -EEXIST);
	ck_assert_ptr_eq(v, concoll_key_u64(2));
	ck_assert_uint_eq(concoll_map_size(m), sizeof asc / sizeof asc[0] + 1);
	ck_assert_int_eq(concoll_map_last(m, &k, &v), 0);
	ck_assert_uint_eq(concoll_key_to_u64(k), nan_words[1]);
	for (i = 0; i < sizeof asc / sizeof asc[0]; i++) {
		ck_assert_int_eq(concoll_map_pop_first(m, &k, NULL), 0);
		ck_assert_uint_eq(concoll_key_to_u64(k),
		                  concoll_key_to_u64(concoll_key_double(asc[i])));
	}
	/* -0.0 and +0.0 are two keys */
	ck_assert_int_eq(concoll_map_put(m, concoll_key_double(0.0), NULL, NULL), 0);
	ck_assert_int_eq(concoll_map_contains(m, concoll_key_double(-0.0)), 0);
	ck_assert_int_eq(concoll_map_lower(m, concoll_key_double(0.0), &k, NULL), -ENOENT);
	ck_assert_int_eq(concoll_map_higher(m, concoll_key_double(-0.0), &k, NULL), 0);
	ck_assert_uint_eq(concoll_key_to_u64(k), 0);
	ck_assert_int_eq(concoll_map_destroy(m), 0);
}
END_TEST

/* String and byte keys compare by content, bytes as unsigned. */
START_TEST(string_and_bytes_by_content)
{
	struct concoll_map_options o;
	concoll_map_t *m;
	char a1[] = "abc", a2[] = "abc", hi[] = "\xe9", lo[] = "z";
	struct concoll_bytes b1 = { "a\0b", 3 }, b2 = { "a\0b", 3 }, b3 = { "a", 1 },
	                     b4 = { "a\0", 2 };
	void *k, *v;

	memset(&o, 0, sizeof o);
	o.size = sizeof o;
	o.kind = kinds[_i].kind;
	o.compare = CONCOLL_CMP_STRING;
	m = concoll_map_create(&o);
	ck_assert_ptr_nonnull(m);
	ck_assert_int_eq(concoll_map_put(m, a1, concoll_key_u64(1), NULL), 0);
	ck_assert_int_eq(concoll_map_get(m, a2, &v), 0);
	ck_assert_ptr_eq(v, concoll_key_u64(1));
	ck_assert_int_eq(concoll_map_find(m, CONCOLL_NAV_EQ, a2, &k, NULL), 0);
	ck_assert_ptr_eq(k, a1);
	ck_assert_int_eq(concoll_map_put(m, hi, NULL, NULL), 0);
	ck_assert_int_eq(concoll_map_put(m, lo, NULL, NULL), 0);
	ck_assert_int_eq(concoll_map_last(m, &k, NULL), 0);
	ck_assert_ptr_eq(k, hi); /* 0xe9 > 'z' as unsigned char */
	ck_assert_int_eq(concoll_map_remove(m, a2, &v), 0);
	ck_assert_ptr_eq(v, concoll_key_u64(1));
	ck_assert_int_eq(concoll_map_destroy(m), 0);

	o.compare = CONCOLL_CMP_BYTES;
	m = concoll_map_create(&o);
	ck_assert_ptr_nonnull(m);
	ck_assert_int_eq(concoll_map_put(m, &b1, NULL, NULL), 0);
	ck_assert_int_eq(concoll_map_put(m, &b3, NULL, NULL), 0);
	ck_assert_int_eq(concoll_map_contains(m, &b2), 1);
	ck_assert_int_eq(concoll_map_contains(m, &b4), 0);
	ck_assert_int_eq(concoll_map_ceiling(m, &b4, &k, NULL), 0);
	ck_assert_ptr_eq(k, &b1);
	ck_assert_int_eq(concoll_map_lower(m, &b4, &k, NULL), 0);
	ck_assert_ptr_eq(k, &b3); /* a proper prefix first */
	ck_assert_int_eq(concoll_map_destroy(m), 0);
}
END_TEST

/* ======================================================================== */
/* (c) release and retain                                                   */
/* ======================================================================== */

static const int acct_doms[] = { D_STRING, D_DOUBLE, D_TOKEN, D_U64 };
#define NACCT_DOMS ((int)(sizeof acct_doms / sizeof acct_doms[0]))

/* _i: kind, map/set, retain or not, domain */
START_TEST(release_accounting)
{
	int dom = acct_doms[_i % NACCT_DOMS];
	bool retain = (_i / NACCT_DOMS) % 2, is_set = (_i / NACCT_DOMS / 2) % 2;
	int kind = _i / NACCT_DOMS / 4;

	run_model(kind, dom, is_set, true, retain, tu_scaled(6000), test_seed(3000 + (uint64_t)_i));
}
END_TEST

/* Nothing removed inside a guard is released before the guard ends. */
START_TEST(release_waits_for_guards)
{
	struct domain d;
	struct h h;
	unsigned long calls;
	int i;

	domain_init(&d, D_STRING, 11);
	h_create(&h, &d, _i / 2, _i % 2, 11, true, false);
	for (i = 0; i < 100; i++)
		mutate_some(&h, 1);
	ck_assert_int_eq(concoll_smr_barrier(), 0);
	acct_verify(&h);
	calls = h.ac->calls;
	ck_assert_int_eq(concoll_smr_enter(), 0);
	for (i = 0; i < 300; i++) {
		mutate_some(&h, 1);
		run_op(&h, OP_GET);
		if (i == 150)
			run_op(&h, OP_CLEAR);
		concoll_smr_flush();
	}
	ck_assert_uint_eq(h.ac->calls, calls);
	concoll_smr_exit();
	ck_assert_int_eq(concoll_smr_barrier(), 0);
	acct_verify(&h);
	ck_assert_uint_gt(h.ac->calls, calls);
	h_destroy(&h);
	domain_free(&d);
}
END_TEST

/* destroy inside a guard: -EDEADLK with a release callback, the map intact. */
START_TEST(destroy_in_guard)
{
	struct domain d;
	struct h h;
	struct concoll_map_options o;
	int i;

	domain_init(&d, D_U64, 12);
	h_create(&h, &d, _i / 2, _i % 2, 12, true, false);
	for (i = 0; i < 60; i++)
		mutate_some(&h, 1);
	ck_assert_int_eq(concoll_smr_enter(), 0);
	ck_assert_int_eq(h.is_set ? concoll_set_destroy(h.s) : concoll_map_destroy(h.m), -EDEADLK);
	for (i = 0; i < 60; i++)
		mutate_some(&h, 1);
	h_verify(&h);
	concoll_smr_exit();
	h_verify(&h);
	h_destroy(&h); /* checks that every entry was released once */
	domain_free(&d);

	/* without a release callback there is nothing to wait for */
	memset(&o, 0, sizeof o);
	o.size = sizeof o;
	o.kind = kinds[_i / 2].kind;
	ck_assert_int_eq(concoll_smr_enter(), 0);
	if (_i % 2) {
		concoll_set_t *s = concoll_set_create(&o);

		ck_assert_ptr_nonnull(s);
		ck_assert_int_eq(concoll_set_add(s, concoll_key_u64(1)), 0);
		ck_assert_int_eq(concoll_set_destroy(s), 0);
	} else {
		concoll_map_t *m = concoll_map_create(&o);

		ck_assert_ptr_nonnull(m);
		ck_assert_int_eq(concoll_map_put(m, concoll_key_u64(1), NULL, NULL), 0);
		ck_assert_int_eq(concoll_map_destroy(m), 0);
	}
	concoll_smr_exit();
}
END_TEST

/* A word the harness holds a reference to (in the map, or retained) has
 * not been released as often as it was handed over and retained. */
static bool still_held(struct h *h, void *key)
{
	int v = 0, c = class_of(h->d, key, &v);

	return c >= 0 && h->ac->krel[c][v] < h->ac->khand[c][v] + h->ac->kret[c][v];
}

/* With retain: snapshots and iterators keep their entries valid after the
 * map dropped them; they release them when done. */
START_TEST(retained_entries_outlive_the_map)
{
	struct domain d;
	struct h h;
	concoll_frozen_t *f;
	concoll_map_iter_t *it;
	void *k, *v;
	size_t i, n;
	int rc, prev = -1;

	domain_init(&d, D_STRING, 13);
	h_create(&h, &d, _i / 2, _i % 2, 13, true, true);
	for (i = 0; i < 200; i++)
		mutate_some(&h, 1);
	while (h.mo.count < 4)
		run_op(&h, OP_PUT_IF_ABSENT);
	f = h.is_set ? concoll_set_freeze(h.s) : concoll_map_freeze(h.m);
	ck_assert_ptr_nonnull(f);
	it = h.is_set ? concoll_set_iter_create(h.s, NULL, NULL, 0)
	              : concoll_map_iter_create(h.m, NULL, NULL, 0);
	ck_assert_ptr_nonnull(it);
	ck_assert_int_eq(concoll_map_iter_next(it, &k, &v), 0);
	ck_assert(still_held(&h, k));
	run_op(&h, OP_CLEAR);
	ck_assert_uint_eq(h.mo.count, 0);
	ck_assert_int_eq(concoll_smr_barrier(), 0);
	/* the snapshot still holds its entries */
	n = concoll_frozen_size(f);
	ck_assert_uint_ge(n, 4);
	for (i = 0; i < n; i++) {
		ck_assert_int_eq(concoll_frozen_at(f, i, &k, &v), 0);
		ck_assert_msg(still_held(&h, k), "snapshot entry %zu released", i);
	}
	/* whatever the iterator still returns is held */
	while ((rc = concoll_map_iter_next(it, &k, &v)) == 0) {
		int c = class_of(&d, k, NULL);

		ck_assert_int_gt(c, prev);
		prev = c;
		ck_assert_msg(still_held(&h, k), "iterator returned a released entry");
	}
	ck_assert_int_eq(rc, -ENOENT);
	concoll_map_iter_destroy(it);
	concoll_frozen_destroy(f);
	ck_assert_int_eq(concoll_smr_barrier(), 0);
	acct_verify(&h);
	h_destroy(&h);
	domain_free(&d);
}
END_TEST

/* Iterators keep no guard between calls: resuming after a key that was
 * removed and freed meanwhile (the release callback frees keys and values)
 * must not read it.  Keys are removed right after they are returned, so
 * every batch's last key (where the next batch starts) is freed before
 * the next call.  _i: kind, order, direction. */
#define FK_MAGIC 0xF4EE0Au
struct fk_tok {
	unsigned magic, n;
};
static const int fk_orders[] = { CONCOLL_CMP_STRING, CONCOLL_CMP_BYTES };
#define NFK_ORDERS ((int)(sizeof fk_orders / sizeof fk_orders[0]))

struct fk_ctx {
	unsigned long released, bad;
};

static void fk_release(void *key, void *value, void *ctx)
{
	struct fk_ctx *c = ctx;

	c->released++;
	memset(key, 0xEE, 4); /* poison what a late reader would see */
	free(key);
	free(value);
}

static int fk_cmp(const void *a, const void *b, int *order, void *ctx)
{
	const struct fk_tok *x = a, *y = b;

	if (x->magic != FK_MAGIC || y->magic != FK_MAGIC) {
		((struct fk_ctx *)ctx)->bad++;
		return -EFAULT;
	}
	*order = CMP3(x->n, y->n);
	return 0;
}

static void *fk_key(int cmp, unsigned n)
{
	if (cmp == CONCOLL_CMP_STRING) {
		char *s = malloc(16);

		ck_assert_ptr_nonnull(s);
		snprintf(s, 16, "k%05u", n);
		return s;
	}
	if (cmp == CONCOLL_CMP_BYTES) {
		struct concoll_bytes *b = malloc(sizeof *b + 3);
		unsigned char *d = (unsigned char *)(b + 1);

		ck_assert_ptr_nonnull(b);
		d[0] = (unsigned char)(n >> 8);
		d[1] = 0; /* an embedded NUL */
		d[2] = (unsigned char)n;
		b->data = d;
		b->len = 3;
		return b;
	}
	{
		struct fk_tok *t = malloc(sizeof *t);

		ck_assert_ptr_nonnull(t);
		t->magic = FK_MAGIC;
		t->n = n;
		return t;
	}
}

static unsigned fk_num(int cmp, const void *k)
{
	if (cmp == CONCOLL_CMP_STRING)
		return (unsigned)strtoul((const char *)k + 1, NULL, 10);
	if (cmp == CONCOLL_CMP_BYTES) {
		const unsigned char *d = ((const struct concoll_bytes *)k)->data;

		return (unsigned)d[0] << 8 | d[2];
	}
	return ((const struct fk_tok *)k)->n;
}

static void run_freed_bounds(int kind_index, int cmp, bool desc)
{
	struct concoll_map_options o;
	struct fk_ctx ctx = { 0, 0 };
	concoll_map_t *m;
	concoll_map_iter_t *it;
	unsigned n = 300, i, got = 0, prev = 0;
	void *k, *v;
	int rc;

	memset(&o, 0, sizeof o);
	o.size = sizeof o;
	o.kind = kinds[kind_index].kind;
	o.compare = cmp;
	if (cmp == CONCOLL_CMP_CUSTOM) {
		o.compare_fn = fk_cmp;
		o.compare_ctx = &ctx;
	}
	o.release = fk_release;
	o.ctx = &ctx;
	m = concoll_map_create(&o);
	ck_assert_ptr_nonnull(m);
	for (i = 0; i < n; i++)
		ck_assert_int_eq(concoll_map_put(m, fk_key(cmp, i), malloc(1), NULL), 0);
	it = concoll_map_iter_create(m, NULL, NULL, desc ? CONCOLL_RANGE_DESC : 0);
	ck_assert_ptr_nonnull(it);
	while ((rc = concoll_map_iter_next(it, &k, &v)) == 0) {
		unsigned x = fk_num(cmp, k);
		void *probe;

		ck_assert_msg(got == 0 || (desc ? x < prev : x > prev), "key %u after %u", x, prev);
		prev = x;
		got++;
		/* remove it and let its release run */
		probe = fk_key(cmp, x);
		ck_assert_int_eq(concoll_map_remove(m, probe, NULL), 0);
		free(probe);
		ck_assert_int_eq(concoll_smr_barrier(), 0);
	}
	ck_assert_int_eq(rc, -ENOENT);
	ck_assert_uint_eq(got, n);
	concoll_map_iter_destroy(it);
	ck_assert_uint_eq(concoll_map_size(m), 0);
	ck_assert_int_eq(concoll_map_destroy(m), 0);
	ck_assert_uint_eq(ctx.bad, 0);
	ck_assert_uint_eq(ctx.released, n);
}

START_TEST(iterator_resumes_after_freed_keys)
{
	run_freed_bounds(_i / (2 * NFK_ORDERS), fk_orders[(_i / 2) % NFK_ORDERS], _i % 2);
}
END_TEST

/* Custom keys with a reference count (the first word is the key). */
struct fkc_key {
	uint64_t v;
	int refs;
};

static int fkc_cmp(const void *a, const void *b, int *order, void *ctx)
{
	uint64_t x = ((const struct fkc_key *)a)->v, y = ((const struct fkc_key *)b)->v;

	(void)ctx;
	*order = (x > y) - (x < y);
	return 0;
}

static void fkc_unref(void *key, void *value, void *ctx)
{
	struct fkc_key *k = key;

	(void)value;
	if (--k->refs == 0) {
		(*(int *)ctx)++;
		free(k);
	}
}

static void fkc_ref(void *key, void *value, void *ctx)
{
	(void)value;
	(void)ctx;
	((struct fkc_key *)key)->refs++;
}

static concoll_map_t *fkc_map(int kind, bool retain, int *freed)
{
	struct concoll_map_options o;
	concoll_map_t *m;
	uint64_t i;

	memset(&o, 0, sizeof o);
	o.size = sizeof o;
	o.kind = kind;
	o.compare = CONCOLL_CMP_CUSTOM;
	o.compare_fn = fkc_cmp;
	o.release = fkc_unref;
	o.retain = retain ? fkc_ref : NULL;
	o.ctx = freed;
	m = concoll_map_create(&o);
	ck_assert_ptr_nonnull(m);
	for (i = 0; i < 100; i++) {
		struct fkc_key *key = malloc(sizeof *key);

		ck_assert_ptr_nonnull(key);
		key->v = i;
		key->refs = 1;
		ck_assert_int_eq(concoll_map_put(m, key, NULL, NULL), 0);
	}
	return m;
}

/* A custom order whose keys the map releases: an iterator could not keep
 * its resume key readable without retain, so creating one is refused (and
 * changes nothing); with retain it works, also while its keys are
 * removed and freed.  _i: kind. */
START_TEST(iterator_custom_keys_need_retain)
{
	concoll_map_t *m;
	concoll_map_iter_t *it;
	int freed = 0;
	void *k;
	uint64_t n = 0, prev = 0;

	m = fkc_map(kinds[_i].kind, false, &freed);
	errno = 0;
	ck_assert_ptr_null(concoll_map_iter_create(m, NULL, NULL, 0));
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_uint_eq(concoll_map_size(m), 100);
	ck_assert_int_eq(concoll_map_destroy(m), 0);
	ck_assert_int_eq(freed, 100);

	freed = 0;
	m = fkc_map(kinds[_i].kind, true, &freed);
	it = concoll_map_iter_create(m, NULL, NULL, 0);
	ck_assert_ptr_nonnull(it);
	while (concoll_map_iter_next(it, &k, NULL) == 0) {
		struct fkc_key probe = { ((struct fkc_key *)k)->v, 1 };

		ck_assert(n == 0 || probe.v > prev);
		prev = probe.v;
		n++;
		/* remove what was just returned and let its release run */
		ck_assert_int_eq(concoll_map_remove(m, &probe, NULL), 0);
		ck_assert_int_eq(concoll_smr_barrier(), 0);
	}
	ck_assert_uint_eq(n, 100);
	concoll_map_iter_destroy(it);
	ck_assert_int_eq(freed, 100);
	ck_assert_int_eq(concoll_map_destroy(m), 0);
}
END_TEST

/* ======================================================================== */
/* (d) comparator errors                                                    */
/* ======================================================================== */

static int fc_saved_mode = FC_OFF;

static void inject_cmp(struct h *h, bool on)
{
	(void)h;
	if (on) {
		fc.mode = fc_saved_mode;
	} else {
		fc_saved_mode = fc.mode;
		fc.mode = FC_OFF;
	}
}

static void fc_arm(struct h *h, int mode, unsigned long countdown)
{
	h_inject(h, false);
	fc_saved_mode = mode;
	fc.countdown = countdown;
	h_inject(h, true);
}

static void fc_harness(struct h *h, struct domain *d, int kind_index, bool is_set, uint64_t seed,
                       int ret)
{
	memset(&fc, 0, sizeof fc);
	fc_saved_mode = FC_OFF;
	domain_init(d, D_FAILING, seed);
	h_create(h, d, kind_index, is_set, seed, true, true);
	h->inject = inject_cmp;
	fc.ret = ret;
	h->inj = ret < 0 ? ret : -ECANCELED;
}

/* Every call that compares fails with the comparator's error while every
 * comparison fails; nothing changes. _i: kind, map/set, -EIO or +7. */
START_TEST(comparator_fails_every_call)
{
	struct domain d;
	struct h h;
	int i, op, err, rc, nav;
	void *absent, *present, *ko, *vo;
	concoll_frozen_t *f;
	concoll_map_iter_t *it;
	size_t idx;
	struct collect co;
	static const int keyed_ops[] = {
		OP_GET,     OP_CONTAINS,      OP_GET_WITH, OP_PUT,          OP_PUT_IF_ABSENT,
		OP_REPLACE, OP_REPLACE_IF_EQ, OP_REMOVE,   OP_REMOVE_IF_EQ,
	};

	fc_harness(&h, &d, _i / 4, (_i / 2) % 2, 21, _i % 2 ? 7 : -EIO);
	err = h.inj;
	for (i = 0; i < 10; i++)
		run_op(&h, OP_PUT_IF_ABSENT);
	ck_assert_uint_gt(h.mo.count, 2);
	for (i = 0; !h.mo.present[i]; i++)
		;
	present = h.mo.key[i];
	for (i = 0; h.mo.present[i]; i++)
		;
	absent = d.var[i][0];
	f = h.is_set ? concoll_set_freeze(h.s) : concoll_map_freeze(h.m);
	ck_assert_ptr_nonnull(f);
	fc_arm(&h, FC_AFTER, 0);
	/* the keyed operations through the harness (random keys) */
	for (i = 0; i < 40; i++) {
		op = keyed_ops[i % (int)(sizeof keyed_ops / sizeof keyed_ops[0])];
		rc = run_op(&h, op);
		ck_assert_msg(rc == err, "op %d returned %d, expected %d", op, rc, err);
	}
	/* and by hand, on a present and an absent key */
	for (i = 0; i < 2; i++) {
		void *k = i ? present : absent;

		if (h.is_set) {
			ck_assert_int_eq(concoll_set_add(h.s, k), err);
			ck_assert_int_eq(concoll_set_discard(h.s, k), err);
			ck_assert_int_eq(concoll_set_contains(h.s, k), err);
			for (nav = CONCOLL_NAV_EQ; nav <= CONCOLL_NAV_HIGHER; nav++)
				ck_assert_int_eq(concoll_set_find(h.s, nav, k, &ko), err);
			ck_assert_int_eq(concoll_set_floor(h.s, k, &ko), err);
			ck_assert_int_eq(concoll_set_ceiling(h.s, k, &ko), err);
			ck_assert_int_eq(concoll_set_lower(h.s, k, &ko), err);
			ck_assert_int_eq(concoll_set_higher(h.s, k, &ko), err);
			collect_init(&co, &h);
			ck_assert_int_eq(
			    concoll_set_range(h.s, k, NULL, CONCOLL_RANGE_LO, collect_cb, &co),
			    err);
			collect_init(&co, &h);
			ck_assert_int_eq(concoll_set_range(h.s, NULL, k,
			                                   CONCOLL_RANGE_HI | CONCOLL_RANGE_DESC,
			                                   collect_cb, &co),
			                 err);
		} else {
			ck_assert_int_eq(concoll_map_put(h.m, k, NULL, &vo), err);
			ck_assert_int_eq(concoll_map_put_if_absent(h.m, k, NULL, &vo), err);
			ck_assert_int_eq(concoll_map_replace(h.m, k, NULL, &vo), err);
			ck_assert_int_eq(concoll_map_replace_if_equal(h.m, k, NULL, NULL), err);
			ck_assert_int_eq(concoll_map_remove(h.m, k, &vo), err);
			ck_assert_int_eq(concoll_map_remove_if_equal(h.m, k, NULL), err);
			ck_assert_int_eq(concoll_map_get(h.m, k, &vo), err);
			ck_assert_int_eq(concoll_map_contains(h.m, k), err);
			for (nav = CONCOLL_NAV_EQ; nav <= CONCOLL_NAV_HIGHER; nav++)
				ck_assert_int_eq(concoll_map_find(h.m, nav, k, &ko, &vo), err);
			ck_assert_int_eq(concoll_map_floor(h.m, k, &ko, &vo), err);
			ck_assert_int_eq(concoll_map_ceiling(h.m, k, &ko, &vo), err);
			ck_assert_int_eq(concoll_map_lower(h.m, k, &ko, &vo), err);
			ck_assert_int_eq(concoll_map_higher(h.m, k, &ko, &vo), err);
			collect_init(&co, &h);
			ck_assert_int_eq(concoll_map_range(h.m, k, k,
			                                   CONCOLL_RANGE_LO | CONCOLL_RANGE_HI,
			                                   collect_cb, &co),
			                 err);
			collect_init(&co, &h);
			ck_assert_int_eq(
			    concoll_map_range(h.m, NULL, k, CONCOLL_RANGE_HI, collect_cb, &co),
			    err);
		}
		/* frozen lookups compare too */
		ck_assert_int_eq(concoll_frozen_get(f, k, &vo), err);
		for (nav = CONCOLL_NAV_EQ; nav <= CONCOLL_NAV_HIGHER; nav++)
			ck_assert_int_eq(concoll_frozen_find(f, nav, k, &idx), err);
		collect_init(&co, &h);
		ck_assert_int_eq(
		    concoll_frozen_range(f, k, NULL, CONCOLL_RANGE_LO, collect_cb, &co), err);
		/* an iterator with a bound: fails at creation or at its first step,
		 * and goes on once the comparator works again */
		errno = 0;
		it = h.is_set ? concoll_set_iter_create(h.s, k, NULL, CONCOLL_RANGE_LO)
		              : concoll_map_iter_create(h.m, k, NULL, CONCOLL_RANGE_LO);
		if (!it) {
			ck_assert_int_eq(-errno, err);
		} else {
			ck_assert_int_eq(concoll_map_iter_next(it, &ko, &vo), err);
			h_inject(&h, false);
			rc = concoll_map_iter_next(it, &ko, &vo);
			{
				int e = model_nav(&h.mo, d.nclass, CONCOLL_NAV_CEILING,
				                  class_of(&d, k, NULL));

				if (e < 0) {
					ck_assert_int_eq(rc, -ENOENT);
				} else {
					ck_assert_int_eq(rc, 0);
					ck_assert_ptr_eq(ko, h.mo.key[e]);
				}
			}
			h_inject(&h, true);
			concoll_map_iter_destroy(it);
		}
	}
	/* what needs no comparison still works */
	ck_assert_int_eq(concoll_frozen_at(f, 0, &ko, &vo), 0);
	ck_assert_int_eq(concoll_frozen_find(f, CONCOLL_NAV_FIRST, NULL, &idx), 0);
	ck_assert_uint_eq(idx, 0);
	ck_assert_uint_eq(concoll_frozen_size(f), h.mo.count);
	h_inject(&h, false);
	h_verify(&h);
	check_frozen(&h, f, &h.mo);
	concoll_frozen_destroy(f);
	ck_assert_uint_gt(fc.failures, 40);
	ck_assert_uint_eq(fc.bad_ctx, 0);
	h_destroy(&h);
	domain_free(&d);
}
END_TEST

/* A comparator that fails only on one key (not in the map, and no key of
 * the domain) disturbs nothing else. */
START_TEST(comparator_fails_on_one_key)
{
	struct domain d;
	struct h h;
	int i, err;
	void *poison = concoll_key_u64(5), *ko, *vo; /* the domain's words are multiples of 10 */

	fc_harness(&h, &d, _i / 4, (_i / 2) % 2, 22, _i % 2 ? 1 : -EIO);
	err = h.inj;
	fc.poison = (uintptr_t)poison;
	for (i = 0; i < 30; i++)
		run_op(&h, OP_PUT_IF_ABSENT);
	fc_arm(&h, FC_POISON, 0);
	for (i = 0; i < (int)tu_scaled(3000); i++)
		run_op(&h, random_op(&h));
	ck_assert_uint_eq(h.injected, 0);
	ck_assert_uint_eq(fc.failures, 0);
	if (h.mo.count == 0)
		run_op(&h, OP_PUT);
	ck_assert_uint_gt(h.mo.count, 0);
	if (h.is_set) {
		ck_assert_int_eq(concoll_set_add(h.s, poison), err);
		ck_assert_int_eq(concoll_set_contains(h.s, poison), err);
		ck_assert_int_eq(concoll_set_discard(h.s, poison), err);
		ck_assert_int_eq(concoll_set_floor(h.s, poison, &ko), err);
	} else {
		ck_assert_int_eq(concoll_map_put(h.m, poison, NULL, NULL), err);
		ck_assert_int_eq(concoll_map_put_if_absent(h.m, poison, NULL, NULL), err);
		ck_assert_int_eq(concoll_map_get(h.m, poison, &vo), err);
		ck_assert_int_eq(concoll_map_remove(h.m, poison, &vo), err);
		ck_assert_int_eq(concoll_map_higher(h.m, poison, &ko, &vo), err);
	}
	h_verify(&h);
	ck_assert_uint_eq(fc.bad_ctx, 0);
	h_destroy(&h);
	domain_free(&d);
}
END_TEST

/* The comparator fails once, at a random comparison, or from a random
 * comparison on: each call either fails with the error and changes
 * nothing, or does exactly what the model says. */
START_TEST(comparator_fails_at_random)
{
	struct domain d;
	struct h h;
	unsigned long i, n = at_least(tu_scaled(4000), 400);

	fc_harness(&h, &d, _i / 4, (_i / 2) % 2, test_seed(23 + (uint64_t)_i), _i % 2 ? 3 : -EIO);
	for (i = 0; i < n; i++) {
		uint64_t r = h_rand(&h);

		if (r % 3 == 0)
			fc_arm(&h, r % 2 ? FC_ONCE : FC_AFTER, (unsigned long)((r >> 8) % 12));
		run_op(&h, random_op(&h));
		h_inject(&h, false);
		if (i % 128 == 127) {
			h_verify(&h);
			ck_assert_int_eq(concoll_smr_barrier(), 0);
			acct_verify(&h);
		}
	}
	h_verify(&h);
	ck_assert_uint_gt(h.injected, 0);
	ck_assert_uint_eq(fc.bad_ctx, 0);
	h_destroy(&h);
	domain_free(&d);
}
END_TEST

/* ======================================================================== */
/* (e) allocation failures                                                  */
/* ======================================================================== */

static uint64_t alloc_nth;
static bool alloc_sticky;

static void inject_alloc(struct h *h, bool on)
{
	(void)h;
	tu_alloc_fail_at(on ? alloc_nth : 0, on && alloc_sticky);
}

static void alloc_setup(void)
{
	/* register this thread first: its record is not what we test */
	ck_assert_int_eq(concoll_thread_attach(), 0);
	tu_alloc_install();
}

static void alloc_teardown(void)
{
	tu_alloc_fail_at(0, false);
	concoll_smr_barrier();
	tu_alloc_uninstall();
}

static void *create_kind(int kind_index, bool is_set, const struct concoll_map_options *base)
{
	struct concoll_map_options o;

	if (base) {
		o = *base;
	} else {
		memset(&o, 0, sizeof o);
		o.size = sizeof o;
	}
	o.kind = kinds[kind_index].kind;
	return is_set ? (void *)concoll_set_create(&o) : (void *)concoll_map_create(&o);
}

static void destroy_any(void *p, bool is_set)
{
	ck_assert_int_eq(is_set ? concoll_set_destroy(p) : concoll_map_destroy(p), 0);
}

START_TEST(alloc_create_fails_cleanly)
{
	bool is_set = _i % 2;
	int64_t live;
	uint64_t nth;
	void *p;

	ck_assert_int_eq(concoll_smr_barrier(), 0);
	live = tu_alloc_live();
	tu_alloc_fail_at(1, false);
	errno = 0;
	ck_assert_ptr_null(create_kind(_i / 2, is_set, NULL));
	ck_assert_int_eq(errno, ENOMEM);
	for (nth = 1; nth <= 12; nth++) {
		tu_alloc_fail_at(nth, false);
		errno = 0;
		p = create_kind(_i / 2, is_set, NULL);
		tu_alloc_fail_at(0, false);
		if (!p) {
			ck_assert_int_eq(errno, ENOMEM);
			continue;
		}
		if (is_set)
			ck_assert_int_eq(concoll_set_add(p, concoll_key_u64(nth)), 0);
		else
			ck_assert_int_eq(concoll_map_put(p, concoll_key_u64(nth), NULL, NULL), 0);
		destroy_any(p, is_set);
	}
	ck_assert_int_eq(concoll_smr_barrier(), 0);
	ck_assert_int_eq(tu_alloc_live(), live);
}
END_TEST

static void alloc_harness(struct h *h, struct domain *d, int kind_index, bool is_set, int dom,
                          uint64_t seed)
{
	domain_init(d, dom, seed);
	h_create(h, d, kind_index, is_set, seed, true, true);
	h->inject = inject_alloc;
	h->inj = -ENOMEM;
}

/* Inserting a new key needs memory: when none comes, -ENOMEM and nothing changes. */
START_TEST(alloc_insert_fails_cleanly)
{
	struct domain d;
	struct h h;
	int c, i, rc;

	alloc_harness(&h, &d, _i / 2, _i % 2, D_STRING, 31);
	for (i = 0; i < 30; i++)
		mutate_some(&h, 1);
	while (h.mo.count < 3)
		run_op(&h, OP_PUT_IF_ABSENT);
	alloc_nth = 1;
	alloc_sticky = false;
	for (c = 0; c < (int)d.nclass; c++) {
		void *k = d.var[c][0];

		if (h.mo.present[c])
			continue;
		h_inject(&h, true);
		rc = h.is_set ? concoll_set_add(h.s, k) : concoll_map_put(h.m, k, VAL_OF(1), NULL);
		h_inject(&h, false);
		ck_assert_int_eq(rc, -ENOMEM);
		if (!h.is_set) {
			h_inject(&h, true);
			rc = concoll_map_put_if_absent(h.m, k, VAL_OF(1), NULL);
			h_inject(&h, false);
			ck_assert_int_eq(rc, -ENOMEM);
		}
		h_verify(&h);
	}
	/* and no iterator or snapshot without memory */
	h_inject(&h, true);
	errno = 0;
	ck_assert_ptr_null(h.is_set ? (void *)concoll_set_iter_create(h.s, NULL, NULL, 0)
	                            : (void *)concoll_map_iter_create(h.m, NULL, NULL, 0));
	ck_assert_int_eq(errno, ENOMEM);
	h_inject(&h, true);
	errno = 0;
	ck_assert_ptr_null(h.is_set ? (void *)concoll_set_freeze(h.s)
	                            : (void *)concoll_map_freeze(h.m));
	ck_assert_int_eq(errno, ENOMEM);
	h_inject(&h, false);
	/* a snapshot failing part-way releases what it retained */
	for (i = 2; i < 8; i++) {
		concoll_frozen_t *f;

		alloc_nth = (uint64_t)i;
		h_inject(&h, true);
		errno = 0;
		f = h.is_set ? concoll_set_freeze(h.s) : concoll_map_freeze(h.m);
		h_inject(&h, false);
		if (f)
			concoll_frozen_destroy(f);
		else
			ck_assert_int_eq(errno, ENOMEM);
	}
	ck_assert_int_eq(concoll_smr_barrier(), 0);
	acct_verify(&h);
	h_verify(&h);
	h_destroy(&h);
	domain_free(&d);
}
END_TEST

/* Random sequences in which allocations fail once or from some point on:
 * every call fails cleanly or does what the model says; nothing leaks;
 * releases stay exact. */
START_TEST(alloc_fails_at_random)
{
	struct domain d;
	struct h h;
	unsigned long i, n = at_least(tu_scaled(3000), 400);
	int64_t live;

	ck_assert_int_eq(concoll_smr_barrier(), 0);
	live = tu_alloc_live();
	alloc_harness(&h, &d, _i / 4, (_i / 2) % 2, _i % 2 ? D_U64 : D_STRING,
	              test_seed(32 + (uint64_t)_i));
	for (i = 0; i < n; i++) {
		uint64_t r = h_rand(&h);

		if (r % 3 == 0) {
			alloc_nth = 1 + (r >> 8) % 3;
			alloc_sticky = (r >> 12) % 2;
			h_inject(&h, true);
		}
		run_op(&h, random_op(&h));
		h_inject(&h, false);
		if (i % 128 == 127) {
			h_verify(&h);
			ck_assert_int_eq(concoll_smr_barrier(), 0);
			acct_verify(&h);
		}
	}
	h_verify(&h);
	ck_assert_uint_gt(h.injected, 0);
	h_destroy(&h);
	domain_free(&d);
	ck_assert_int_eq(concoll_smr_barrier(), 0);
	ck_assert_int_eq(tu_alloc_live(), live);
}
END_TEST

/* ======================================================================== */
/* (f) bad input                                                            */
/* ======================================================================== */

static int nop_visit(void *key, void *value, void *ctx)
{
	(void)key;
	(void)value;
	(*(int *)ctx)++;
	return 0;
}

START_TEST(null_handles)
{
	void *k = concoll_key_u64(1), *ko, *vo;
	uint64_t hv;
	size_t idx;
	int calls = 0;
	concoll_map_t *m = concoll_map_create(NULL);
	concoll_frozen_t *f;

	ck_assert_ptr_nonnull(m);
	ck_assert_int_eq(concoll_map_put(m, k, NULL, NULL), 0);
	f = concoll_map_freeze(m);
	ck_assert_ptr_nonnull(f);

	ck_assert_int_eq(concoll_map_destroy(NULL), 0);
	ck_assert_int_eq(concoll_map_kind(NULL), -EINVAL);
	ck_assert_ptr_null(concoll_map_kind_name(NULL));
	ck_assert_int_eq(concoll_map_get(NULL, k, &vo), -EINVAL);
	ck_assert_int_eq(concoll_map_contains(NULL, k), -EINVAL);
	ck_assert_int_eq(concoll_map_get_with(NULL, k, nop_visit, &calls), -EINVAL);
	ck_assert_int_eq(concoll_map_find(NULL, CONCOLL_NAV_EQ, k, &ko, &vo), -EINVAL);
	ck_assert_int_eq(concoll_map_find_with(NULL, CONCOLL_NAV_EQ, k, nop_visit, &calls),
	                 -EINVAL);
	ck_assert_int_eq(concoll_map_first(NULL, &ko, &vo), -EINVAL);
	ck_assert_int_eq(concoll_map_last(NULL, &ko, &vo), -EINVAL);
	ck_assert_int_eq(concoll_map_floor(NULL, k, &ko, &vo), -EINVAL);
	ck_assert_int_eq(concoll_map_ceiling(NULL, k, &ko, &vo), -EINVAL);
	ck_assert_int_eq(concoll_map_lower(NULL, k, &ko, &vo), -EINVAL);
	ck_assert_int_eq(concoll_map_higher(NULL, k, &ko, &vo), -EINVAL);
	ck_assert_int_eq(concoll_map_put(NULL, k, NULL, &vo), -EINVAL);
	ck_assert_int_eq(concoll_map_put_if_absent(NULL, k, NULL, &vo), -EINVAL);
	ck_assert_int_eq(concoll_map_replace(NULL, k, NULL, &vo), -EINVAL);
	ck_assert_int_eq(concoll_map_replace_if_equal(NULL, k, NULL, NULL), -EINVAL);
	ck_assert_int_eq(concoll_map_remove(NULL, k, &vo), -EINVAL);
	ck_assert_int_eq(concoll_map_remove_if_equal(NULL, k, NULL), -EINVAL);
	ck_assert_int_eq(concoll_map_pop_first(NULL, &ko, &vo), -EINVAL);
	ck_assert_int_eq(concoll_map_pop_last(NULL, &ko, &vo), -EINVAL);
	ck_assert_int_eq(concoll_map_clear(NULL), -EINVAL);
	ck_assert_uint_eq(concoll_map_size(NULL), 0);
	ck_assert_int_eq(concoll_map_is_empty(NULL), -EINVAL);
	ck_assert_int_eq(concoll_map_range(NULL, NULL, NULL, 0, nop_visit, &calls), -EINVAL);
	errno = 0;
	ck_assert_ptr_null(concoll_map_iter_create(NULL, NULL, NULL, 0));
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(concoll_map_iter_next(NULL, &ko, &vo), -EINVAL);
	concoll_map_iter_destroy(NULL);
	errno = 0;
	ck_assert_ptr_null(concoll_map_freeze(NULL));
	ck_assert_int_eq(errno, EINVAL);
	concoll_frozen_destroy(NULL);
	ck_assert_uint_eq(concoll_frozen_size(NULL), 0);
	ck_assert_int_eq(concoll_frozen_at(NULL, 0, &ko, &vo), -EINVAL);
	ck_assert_int_eq(concoll_frozen_find(NULL, CONCOLL_NAV_EQ, k, &idx), -EINVAL);
	ck_assert_int_eq(concoll_frozen_get(NULL, k, &vo), -EINVAL);
	ck_assert_int_eq(concoll_frozen_range(NULL, NULL, NULL, 0, nop_visit, &calls), -EINVAL);
	ck_assert_int_eq(concoll_frozen_equal(NULL, NULL), -EINVAL);
	ck_assert_int_eq(concoll_frozen_equal(f, NULL), -EINVAL);
	ck_assert_int_eq(concoll_frozen_equal(NULL, f), -EINVAL);
	ck_assert_int_eq(concoll_frozen_hash(NULL, &hv), -EINVAL);

	ck_assert_int_eq(concoll_set_destroy(NULL), 0);
	ck_assert_int_eq(concoll_set_kind(NULL), -EINVAL);
	ck_assert_ptr_null(concoll_set_kind_name(NULL));
	ck_assert_int_eq(concoll_set_add(NULL, k), -EINVAL);
	ck_assert_int_eq(concoll_set_discard(NULL, k), -EINVAL);
	ck_assert_int_eq(concoll_set_contains(NULL, k), -EINVAL);
	ck_assert_int_eq(concoll_set_find(NULL, CONCOLL_NAV_EQ, k, &ko), -EINVAL);
	ck_assert_int_eq(concoll_set_first(NULL, &ko), -EINVAL);
	ck_assert_int_eq(concoll_set_last(NULL, &ko), -EINVAL);
	ck_assert_int_eq(concoll_set_floor(NULL, k, &ko), -EINVAL);
	ck_assert_int_eq(concoll_set_ceiling(NULL, k, &ko), -EINVAL);
	ck_assert_int_eq(concoll_set_lower(NULL, k, &ko), -EINVAL);
	ck_assert_int_eq(concoll_set_higher(NULL, k, &ko), -EINVAL);
	ck_assert_int_eq(concoll_set_pop_first(NULL, &ko), -EINVAL);
	ck_assert_int_eq(concoll_set_pop_last(NULL, &ko), -EINVAL);
	ck_assert_int_eq(concoll_set_clear(NULL), -EINVAL);
	ck_assert_uint_eq(concoll_set_size(NULL), 0);
	ck_assert_int_eq(concoll_set_is_empty(NULL), -EINVAL);
	ck_assert_int_eq(concoll_set_range(NULL, NULL, NULL, 0, nop_visit, &calls), -EINVAL);
	errno = 0;
	ck_assert_ptr_null(concoll_set_iter_create(NULL, NULL, NULL, 0));
	ck_assert_int_eq(errno, EINVAL);
	errno = 0;
	ck_assert_ptr_null(concoll_set_freeze(NULL));
	ck_assert_int_eq(errno, EINVAL);

	/* the map was not touched */
	ck_assert_int_eq(calls, 0);
	ck_assert_uint_eq(concoll_map_size(m), 1);
	ck_assert_int_eq(concoll_map_contains(m, k), 1);
	concoll_frozen_destroy(f);
	ck_assert_int_eq(concoll_map_destroy(m), 0);
}
END_TEST

/* Bad arguments on a valid map: navigation codes, flags, missing visitors,
 * NULL keys for the orders that dereference keys. _i: kind, domain. */
START_TEST(bad_arguments)
{
	int kind = _i / NDOMS, dom = _i % NDOMS;
	bool deref = dom == D_STRING || dom == D_BYTES;
	struct domain d;
	struct h h;
	concoll_frozen_t *f;
	void *k, *ko, *vo;
	size_t idx;
	int i, c, calls = 0, nav;
	static const int bad_navs[] = { -1, 7, 1000 };
	static const unsigned bad_flags[] = { 0x20, 0x100, 0x80000000u };

	domain_init(&d, dom, 41);
	for (i = 0; i < 2; i++) {
		h_create(&h, &d, kind, i == 1, 41, false, false);
		while (h.mo.count < 5)
			run_op(&h, OP_PUT_IF_ABSENT);
		k = pick_key(&h, &c);
		f = h.is_set ? concoll_set_freeze(h.s) : concoll_map_freeze(h.m);
		ck_assert_ptr_nonnull(f);
		for (nav = 0; nav < 3; nav++) {
			int bn = bad_navs[nav];
			unsigned bf = bad_flags[nav];

			if (h.is_set) {
				ck_assert_int_eq(concoll_set_find(h.s, bn, k, &ko), -EINVAL);
				ck_assert_int_eq(
				    concoll_set_range(h.s, k, k, bf, nop_visit, &calls), -EINVAL);
				errno = 0;
				ck_assert_ptr_null(concoll_set_iter_create(h.s, k, k, bf));
				ck_assert_int_eq(errno, EINVAL);
			} else {
				ck_assert_int_eq(concoll_map_find(h.m, bn, k, &ko, &vo), -EINVAL);
				ck_assert_int_eq(
				    concoll_map_find_with(h.m, bn, k, nop_visit, &calls), -EINVAL);
				ck_assert_int_eq(
				    concoll_map_range(h.m, k, k, bf, nop_visit, &calls), -EINVAL);
				errno = 0;
				ck_assert_ptr_null(concoll_map_iter_create(h.m, k, k, bf));
				ck_assert_int_eq(errno, EINVAL);
			}
			ck_assert_int_eq(concoll_frozen_find(f, bn, k, &idx), -EINVAL);
			ck_assert_int_eq(concoll_frozen_range(f, k, k, bf, nop_visit, &calls),
			                 -EINVAL);
		}
		/* a visitor is required */
		if (h.is_set) {
			ck_assert_int_eq(concoll_set_range(h.s, NULL, NULL, 0, NULL, NULL),
			                 -EINVAL);
		} else {
			ck_assert_int_eq(concoll_map_range(h.m, NULL, NULL, 0, NULL, NULL),
			                 -EINVAL);
			ck_assert_int_eq(concoll_map_get_with(h.m, k, NULL, NULL), -EINVAL);
			ck_assert_int_eq(
			    concoll_map_find_with(h.m, CONCOLL_NAV_FIRST, NULL, NULL, NULL),
			    -EINVAL);
		}
		ck_assert_int_eq(concoll_frozen_range(f, NULL, NULL, 0, NULL, NULL), -EINVAL);
		if (deref) {
			/* NULL keys where a key is read */
			if (h.is_set) {
				ck_assert_int_eq(concoll_set_add(h.s, NULL), -EINVAL);
				ck_assert_int_eq(concoll_set_discard(h.s, NULL), -EINVAL);
				ck_assert_int_eq(concoll_set_contains(h.s, NULL), -EINVAL);
				for (nav = CONCOLL_NAV_EQ; nav <= CONCOLL_NAV_HIGHER; nav++)
					ck_assert_int_eq(concoll_set_find(h.s, nav, NULL, &ko),
					                 -EINVAL);
				ck_assert_int_eq(concoll_set_floor(h.s, NULL, &ko), -EINVAL);
				ck_assert_int_eq(concoll_set_ceiling(h.s, NULL, &ko), -EINVAL);
				ck_assert_int_eq(concoll_set_lower(h.s, NULL, &ko), -EINVAL);
				ck_assert_int_eq(concoll_set_higher(h.s, NULL, &ko), -EINVAL);
				ck_assert_int_eq(concoll_set_range(h.s, NULL, NULL,
				                                   CONCOLL_RANGE_LO, nop_visit,
				                                   &calls),
				                 -EINVAL);
				ck_assert_int_eq(concoll_set_range(h.s, NULL, NULL,
				                                   CONCOLL_RANGE_HI, nop_visit,
				                                   &calls),
				                 -EINVAL);
				errno = 0;
				ck_assert_ptr_null(
				    concoll_set_iter_create(h.s, NULL, NULL, CONCOLL_RANGE_HI));
				ck_assert_int_eq(errno, EINVAL);
			} else {
				ck_assert_int_eq(concoll_map_get(h.m, NULL, &vo), -EINVAL);
				ck_assert_int_eq(concoll_map_contains(h.m, NULL), -EINVAL);
				ck_assert_int_eq(concoll_map_get_with(h.m, NULL, nop_visit, &calls),
				                 -EINVAL);
				for (nav = CONCOLL_NAV_EQ; nav <= CONCOLL_NAV_HIGHER; nav++) {
					ck_assert_int_eq(concoll_map_find(h.m, nav, NULL, &ko, &vo),
					                 -EINVAL);
					ck_assert_int_eq(concoll_map_find_with(h.m, nav, NULL,
					                                       nop_visit, &calls),
					                 -EINVAL);
				}
				ck_assert_int_eq(concoll_map_floor(h.m, NULL, &ko, &vo), -EINVAL);
				ck_assert_int_eq(concoll_map_ceiling(h.m, NULL, &ko, &vo), -EINVAL);
				ck_assert_int_eq(concoll_map_lower(h.m, NULL, &ko, &vo), -EINVAL);
				ck_assert_int_eq(concoll_map_higher(h.m, NULL, &ko, &vo), -EINVAL);
				ck_assert_int_eq(concoll_map_put(h.m, NULL, NULL, &vo), -EINVAL);
				ck_assert_int_eq(concoll_map_put_if_absent(h.m, NULL, NULL, &vo),
				                 -EINVAL);
				ck_assert_int_eq(concoll_map_replace(h.m, NULL, NULL, &vo),
				                 -EINVAL);
				ck_assert_int_eq(
				    concoll_map_replace_if_equal(h.m, NULL, NULL, NULL), -EINVAL);
				ck_assert_int_eq(concoll_map_remove(h.m, NULL, &vo), -EINVAL);
				ck_assert_int_eq(concoll_map_remove_if_equal(h.m, NULL, NULL),
				                 -EINVAL);
				ck_assert_int_eq(concoll_map_range(h.m, NULL, NULL,
				                                   CONCOLL_RANGE_LO, nop_visit,
				                                   &calls),
				                 -EINVAL);
				ck_assert_int_eq(concoll_map_range(h.m, NULL, NULL,
				                                   CONCOLL_RANGE_HI, nop_visit,
				                                   &calls),
				                 -EINVAL);
				errno = 0;
				ck_assert_ptr_null(
				    concoll_map_iter_create(h.m, NULL, NULL, CONCOLL_RANGE_LO));
				ck_assert_int_eq(errno, EINVAL);
			}
			ck_assert_int_eq(concoll_frozen_get(f, NULL, &vo), -EINVAL);
			for (nav = CONCOLL_NAV_EQ; nav <= CONCOLL_NAV_HIGHER; nav++)
				ck_assert_int_eq(concoll_frozen_find(f, nav, NULL, &idx), -EINVAL);
			ck_assert_int_eq(concoll_frozen_range(f, NULL, NULL, CONCOLL_RANGE_LO,
			                                      nop_visit, &calls),
			                 -EINVAL);
		}
		/* FIRST and LAST ignore the key, whatever the order */
		ck_assert_int_eq(h.is_set
		                     ? concoll_set_find(h.s, CONCOLL_NAV_LAST, NULL, &ko)
		                     : concoll_map_find(h.m, CONCOLL_NAV_LAST, NULL, &ko, NULL),
		                 0);
		ck_assert_ptr_eq(ko, h.mo.key[model_nav(&h.mo, d.nclass, CONCOLL_NAV_LAST, 0)]);
		ck_assert_int_eq(concoll_frozen_find(f, CONCOLL_NAV_FIRST, NULL, &idx), 0);
		ck_assert_uint_eq(idx, 0);
		ck_assert_int_eq(calls, 0);
		check_frozen(&h, f, &h.mo);
		concoll_frozen_destroy(f);
		h_verify(&h);
		h_destroy(&h);
	}
	domain_free(&d);
}
END_TEST

START_TEST(create_rejects_bad_options)
{
	bool is_set = _i % 2;
	int kind = kinds[_i / 2].kind;
	struct {
		struct concoll_map_options o;
		unsigned char tail[16];
	} big;
	struct concoll_map_options o;
	void *p;
	size_t i;
	static const int bad_kinds[] = { -1, 3, 99, 1 << 30 };
	static const int bad_cmps[] = { -1, 6, 1000 };

#define REJECTED(opts)                                                                            \
	do {                                                                                      \
		errno = 0;                                                                        \
		p = is_set ? (void *)concoll_set_create(opts) : (void *)concoll_map_create(opts); \
		ck_assert_ptr_null(p);                                                            \
		ck_assert_int_eq(errno, EINVAL);                                                  \
	} while (0)
#define ACCEPTED(opts)                                                                            \
	do {                                                                                      \
		p = is_set ? (void *)concoll_set_create(opts) : (void *)concoll_map_create(opts); \
		ck_assert_ptr_nonnull(p);                                                         \
		destroy_any(p, is_set);                                                           \
	} while (0)

	memset(&o, 0, sizeof o);
	o.size = sizeof o;
	o.kind = kind;
	ACCEPTED(&o);
	ACCEPTED(NULL);
	o.size = 0;
	REJECTED(&o);
	o.size = sizeof o - 1;
	REJECTED(&o);
	o.size = offsetof(struct concoll_map_options, flags);
	REJECTED(&o);
	o.size = sizeof o;
	for (i = 0; i < sizeof bad_kinds / sizeof bad_kinds[0]; i++) {
		o.kind = bad_kinds[i];
		REJECTED(&o);
	}
	o.kind = kind;
	for (i = 0; i < sizeof bad_cmps / sizeof bad_cmps[0]; i++) {
		o.compare = bad_cmps[i];
		REJECTED(&o);
	}
	o.compare = CONCOLL_CMP_CUSTOM; /* without a function */
	REJECTED(&o);
	o.compare_fn = reverse_cmp;
	o.compare_ctx = &reverse_ctx;
	ACCEPTED(&o);
	o.compare = CONCOLL_CMP_STRING; /* a function with another order */
	REJECTED(&o);
	o.compare = CONCOLL_CMP_U64;
	REJECTED(&o);
	o.compare_fn = NULL;
	o.compare_ctx = NULL;
	ACCEPTED(&o);
	o.flags = 1;
	REJECTED(&o);
	o.flags = 0x80000000u;
	REJECTED(&o);
	o.flags = 0;
	/* a larger structure from a newer caller: zero tail accepted */
	memset(&big, 0, sizeof big);
	big.o = o;
	big.o.size = sizeof big.o + sizeof big.tail;
	ACCEPTED(&big.o);
	big.tail[5] = 1;
	REJECTED(&big.o);
	big.tail[5] = 0;
	big.tail[15] = 0x80;
	REJECTED(&big.o);
#undef REJECTED
#undef ACCEPTED
}
END_TEST

/* ======================================================================== */
/* (g) frozen equality and hash                                             */
/* ======================================================================== */

static concoll_frozen_t *freeze_of(int kind_index, bool is_set,
                                   const struct concoll_map_options *base, void *const *keys,
                                   void *const *vals, size_t n)
{
	void *p = create_kind(kind_index, is_set, base);
	concoll_frozen_t *f;
	size_t i;

	ck_assert_ptr_nonnull(p);
	for (i = 0; i < n; i++) {
		if (is_set)
			ck_assert_int_eq(concoll_set_add(p, keys[i]), 0);
		else
			ck_assert_int_eq(concoll_map_put(p, keys[i], vals ? vals[i] : NULL, NULL),
			                 0);
	}
	f = is_set ? concoll_set_freeze(p) : concoll_map_freeze(p);
	ck_assert_ptr_nonnull(f);
	destroy_any(p, is_set); /* the snapshot outlives its map */
	return f;
}

static void assert_equal(concoll_frozen_t *a, concoll_frozen_t *b, int expect, bool hashes)
{
	uint64_t ha = 0, hb = 1, ha2 = 2;

	ck_assert_int_eq(concoll_frozen_equal(a, b), expect);
	ck_assert_int_eq(concoll_frozen_equal(b, a), expect);
	ck_assert_int_eq(concoll_frozen_equal(a, a), 1);
	if (!hashes)
		return;
	ck_assert_int_eq(concoll_frozen_hash(a, &ha), 0);
	ck_assert_int_eq(concoll_frozen_hash(b, &hb), 0);
	ck_assert_int_eq(concoll_frozen_hash(a, &ha2), 0);
	ck_assert_uint_eq(ha, ha2);
	if (expect == 1)
		ck_assert_uint_eq(ha, hb);
}

/* For every built-in order: snapshots of equal contents (built in another
 * order, on the other kind, from other words for equal keys) are equal and
 * hash alike; one key more, one value or one key different: not equal.
 * _i: kind, map/set. */
START_TEST(frozen_equal_builtin_orders)
{
	int kind = _i / 2, other = (kind + 1) % NKINDS, dom;
	bool is_set = _i % 2;

	for (dom = D_U64; dom <= D_BYTES; dom++) {
		struct domain d;
		struct concoll_map_options o;
		void *ka[MAXC], *kb[MAXC], *va[MAXC], *vb[MAXC];
		concoll_frozen_t *fa, *fb, *fx, *fe;
		size_t n = 0, i;
		unsigned c;

		domain_init(&d, dom, 51);
		domain_options(&d, 0, &o);
		for (c = 0; c < d.nclass; c += 2) {
			ka[n] = d.var[c][0];
			kb[n] = d.var[c][d.nvar[c] - 1];
			va[n] = vb[n] = VAL_OF(c + 1);
			n++;
		}
		/* the other map gets the same entries in reverse */
		for (i = 0; i < n / 2; i++) {
			void *t = kb[i];

			kb[i] = kb[n - 1 - i];
			kb[n - 1 - i] = t;
			t = vb[i];
			vb[i] = vb[n - 1 - i];
			vb[n - 1 - i] = t;
		}
		fa = freeze_of(kind, is_set, &o, ka, va, n);
		fb = freeze_of(other, is_set, &o, kb, vb, n);
		assert_equal(fa, fb, 1, true);
		/* one entry less */
		fx = freeze_of(other, is_set, &o, kb + 1, vb + 1, n - 1);
		assert_equal(fa, fx, 0, true);
		concoll_frozen_destroy(fx);
		/* one key different: the last class instead of the first */
		kb[0] = d.var[d.nclass - 1 - (d.nclass % 2 == 1)][0];
		if (kb[0] != ka[0] && ref_cmp(dom, kb[0], ka[n - 1]) != 0 &&
		    ref_cmp(dom, kb[0], ka[0]) != 0) {
			fx = freeze_of(other, is_set, &o, kb, vb, n);
			assert_equal(fa, fx, 0, true);
			concoll_frozen_destroy(fx);
		}
		if (!is_set) {
			/* one value different (another word, or NULL) */
			memcpy(vb, va, n * sizeof va[0]);
			vb[n / 2] = VAL_OF(999);
			fx = freeze_of(other, false, &o, ka, vb, n);
			assert_equal(fa, fx, 0, true);
			concoll_frozen_destroy(fx);
			vb[n / 2] = NULL;
			fx = freeze_of(other, false, &o, ka, vb, n);
			assert_equal(fa, fx, 0, true);
			concoll_frozen_destroy(fx);
		}
		/* empty snapshots */
		fe = freeze_of(kind, is_set, &o, NULL, NULL, 0);
		fx = freeze_of(other, is_set, &o, NULL, NULL, 0);
		assert_equal(fe, fx, 1, true);
		assert_equal(fe, fa, 0, true);
		ck_assert_uint_eq(concoll_frozen_size(fe), 0);
		concoll_frozen_destroy(fe);
		concoll_frozen_destroy(fx);
		concoll_frozen_destroy(fa);
		concoll_frozen_destroy(fb);
		domain_free(&d);
	}
}
END_TEST

/* Doubles: every NaN one key that hashes alike; -0.0 and +0.0 differ.
 * Snapshots of different orders are not comparable. */
START_TEST(frozen_equal_doubles_and_orders)
{
	struct concoll_map_options o;
	void *k1[3] = { concoll_key_double(-0.0), concoll_key_double(1.0),
		        concoll_key_u64(nan_words[0]) };
	void *k2[3] = { concoll_key_u64(nan_words[4]), concoll_key_double(1.0),
		        concoll_key_double(-0.0) };
	void *k3[3] = { concoll_key_double(0.0), concoll_key_double(1.0),
		        concoll_key_u64(nan_words[3]) };
	void *v[3] = { NULL, NULL, NULL };
	concoll_frozen_t *a, *b, *c, *x;

	memset(&o, 0, sizeof o);
	o.size = sizeof o;
	o.compare = CONCOLL_CMP_DOUBLE;
	a = freeze_of(_i, false, &o, k1, v, 3);
	b = freeze_of(_i, false, &o, k2, v, 3);
	c = freeze_of(_i, false, &o, k3, v, 3);
	assert_equal(a, b, 1, true);
	assert_equal(a, c, 0, true);
	/* the same words under another order */
	o.compare = CONCOLL_CMP_U64;
	x = freeze_of(_i, false, &o, k1, v, 3);
	ck_assert_int_eq(concoll_frozen_equal(a, x), -EINVAL);
	ck_assert_int_eq(concoll_frozen_equal(x, a), -EINVAL);
	concoll_frozen_destroy(x);
	o.compare = CONCOLL_CMP_I64;
	x = freeze_of(_i, false, &o, NULL, NULL, 0);
	o.compare = CONCOLL_CMP_U64;
	{
		concoll_frozen_t *y = freeze_of(_i, false, &o, NULL, NULL, 0);

		ck_assert_int_eq(concoll_frozen_equal(x, y), -EINVAL);
		concoll_frozen_destroy(y);
	}
	concoll_frozen_destroy(x);
	concoll_frozen_destroy(a);
	concoll_frozen_destroy(b);
	concoll_frozen_destroy(c);
}
END_TEST

struct cb_ctx {
	unsigned magic;
	unsigned long hash_calls, eq_calls, bad;
	uintptr_t fail_key;   /* the hash callback fails on this key */
	uintptr_t fail_value; /* value_equal fails when it sees this value */
};
#define CB_MAGIC 0xCB0CB0u

static int test_hash(const void *key, const void *value, uint64_t *hash, void *ctx)
{
	struct cb_ctx *c = ctx;

	if (c->magic != CB_MAGIC) {
		c->bad++;
		return -EFAULT;
	}
	c->hash_calls++;
	if (c->fail_key && (uintptr_t)key == c->fail_key)
		return -EIO;
	*hash = tu_mix(u64_of(key)) ^ u64_of(value) % 100; /* values equal mod 100 are equal */
	return 0;
}

static int test_value_eq(const void *a, const void *b, void *ctx)
{
	struct cb_ctx *c = ctx;

	if (c->magic != CB_MAGIC) {
		c->bad++;
		return -EFAULT;
	}
	c->eq_calls++;
	if (c->fail_value && ((uintptr_t)a == c->fail_value || (uintptr_t)b == c->fail_value))
		return -EIO;
	return u64_of(a) % 100 == u64_of(b) % 100;
}

/* Custom orders: no built-in hash; the callbacks are used and cached. */
START_TEST(frozen_custom_callbacks)
{
	struct concoll_map_options o;
	struct cb_ctx cb = { CB_MAGIC, 0, 0, 0, 0, 0 };
	void *k[4] = { concoll_key_u64(10), concoll_key_u64(20), concoll_key_u64(30),
		       concoll_key_u64(40) };
	void *k2[4] = { concoll_key_u64(40), concoll_key_u64(30), concoll_key_u64(20),
		        concoll_key_u64(10) };
	void *va[4] = { concoll_key_u64(1), concoll_key_u64(2), concoll_key_u64(3),
		        concoll_key_u64(4) };
	void *vb[4] = { concoll_key_u64(104), concoll_key_u64(203), concoll_key_u64(302),
		        concoll_key_u64(1) };
	void *vc[4] = { concoll_key_u64(104), concoll_key_u64(203), concoll_key_u64(305),
		        concoll_key_u64(1) };
	concoll_frozen_t *a, *b, *c;
	uint64_t ha, hb, h2;

	memset(&o, 0, sizeof o);
	o.size = sizeof o;
	o.compare = CONCOLL_CMP_CUSTOM;
	o.compare_fn = reverse_cmp;
	o.compare_ctx = &reverse_ctx;
	/* no hash callback: -ENOTSUP; equality by value words */
	a = freeze_of(_i, false, &o, k, va, 4);
	b = freeze_of(_i, false, &o, k2, vb, 4);
	ck_assert_int_eq(concoll_frozen_hash(a, &ha), -ENOTSUP);
	ck_assert_int_eq(concoll_frozen_equal(a, b), 0);
	concoll_frozen_destroy(b);
	b = freeze_of((_i + 1) % NKINDS, false, &o, k2,
	              (void *const[]){ va[3], va[2], va[1], va[0] }, 4);
	ck_assert_int_eq(concoll_frozen_equal(a, b), 1);
	concoll_frozen_destroy(a);
	concoll_frozen_destroy(b);

	/* with hash and value_equal (values equal mod 100) */
	o.hash = test_hash;
	o.value_equal = test_value_eq;
	o.ctx = &cb;
	a = freeze_of(_i, false, &o, k, va, 4);
	b = freeze_of((_i + 1) % NKINDS, false, &o, k2, vb, 4);
	c = freeze_of(_i, false, &o, k2, vc, 4);
	ck_assert_int_eq(concoll_frozen_equal(a, b), 1);
	ck_assert_uint_gt(cb.eq_calls, 0);
	ck_assert_int_eq(concoll_frozen_equal(a, c), 0);
	ck_assert_int_eq(concoll_frozen_hash(a, &ha), 0);
	ck_assert_uint_eq(cb.hash_calls, 4);
	ck_assert_int_eq(concoll_frozen_hash(a, &h2), 0); /* cached */
	ck_assert_uint_eq(cb.hash_calls, 4);
	ck_assert_uint_eq(ha, h2);
	ck_assert_int_eq(concoll_frozen_hash(b, &hb), 0);
	ck_assert_uint_eq(ha, hb);
	/* callback errors come back */
	cb.fail_value = 302;
	ck_assert_int_eq(concoll_frozen_equal(a, b), -EIO);
	cb.fail_value = 0;
	concoll_frozen_destroy(c);
	cb.fail_key = 30;
	c = freeze_of(_i, false, &o, k, va, 4);
	ck_assert_int_eq(concoll_frozen_hash(c, &h2), -EIO);
	ck_assert_uint_eq(cb.bad, 0);
	ck_assert_uint_eq(reverse_ctx.bad_ctx, 0);
	concoll_frozen_destroy(a);
	concoll_frozen_destroy(b);
	concoll_frozen_destroy(c);
}
END_TEST

/* ======================================================================== */
/* (h) kinds and names                                                      */
/* ======================================================================== */

START_TEST(kinds_and_names)
{
	const char *names[NKINDS];
	concoll_map_t *m;
	concoll_set_t *s;
	struct concoll_map_options o;
	void *k;
	int i, j;

	memset(&o, 0, sizeof o);
	o.size = sizeof o;
	for (i = 0; i < NKINDS; i++) {
		o.kind = kinds[i].kind;
		m = concoll_map_create(&o);
		s = concoll_set_create(&o);
		ck_assert_ptr_nonnull(m);
		ck_assert_ptr_nonnull(s);
		ck_assert_int_eq(concoll_map_kind(m), kinds[i].kind);
		ck_assert_int_eq(concoll_set_kind(s), kinds[i].kind);
		names[i] = concoll_map_kind_name(m);
		ck_assert_ptr_nonnull(names[i]);
		ck_assert_uint_gt(strlen(names[i]), 0);
		ck_assert_str_eq(concoll_set_kind_name(s), names[i]);
		for (j = 0; j < i; j++)
			ck_assert_str_ne(names[j], names[i]);
		ck_assert_int_eq(concoll_map_destroy(m), 0);
		ck_assert_int_eq(concoll_set_destroy(s), 0);
	}
	/* the default: the lock-free skip list, unsigned order */
	m = concoll_map_create(NULL);
	ck_assert_ptr_nonnull(m);
	ck_assert_int_eq(concoll_map_kind(m), CONCOLL_MAP_SKIPLIST);
	ck_assert_int_eq(concoll_map_put(m, concoll_key_u64(UINT64_MAX), NULL, NULL), 0);
	ck_assert_int_eq(concoll_map_put(m, concoll_key_u64(1), NULL, NULL), 0);
	ck_assert_int_eq(concoll_map_first(m, &k, NULL), 0);
	ck_assert_uint_eq(concoll_key_to_u64(k), 1);
	ck_assert_int_eq(concoll_map_destroy(m), 0);
	o.kind = CONCOLL_MAP_DEFAULT;
	s = concoll_set_create(&o);
	ck_assert_ptr_nonnull(s);
	ck_assert_int_eq(concoll_set_kind(s), CONCOLL_MAP_SKIPLIST);
	ck_assert_int_eq(concoll_set_destroy(s), 0);
}
END_TEST

/* ======================================================================== */

static Suite *map_suite(void)
{
	Suite *s = suite_create("map");
	TCase *model = tcase_create("model");
	TCase *own = tcase_create("ownership");
	TCase *cmp = tcase_create("comparator errors");
	TCase *alloc = tcase_create("allocation failures");
	TCase *api = tcase_create("api");

	tcase_set_timeout(model, 600);
	tcase_add_loop_test(model, model_map, 0, NKINDS * NDOMS);
	tcase_add_loop_test(model, model_set, 0, NKINDS * NDOMS);
	tcase_add_loop_test(model, custom_order_uses_ctx, 0, NKINDS);
	tcase_add_loop_test(model, double_order_spelled_out, 0, NKINDS);
	tcase_add_loop_test(model, string_and_bytes_by_content, 0, NKINDS);
	suite_add_tcase(s, model);

	tcase_set_timeout(own, 600);
	tcase_add_loop_test(own, release_accounting, 0, NKINDS * 4 * NACCT_DOMS);
	tcase_add_loop_test(own, release_waits_for_guards, 0, NKINDS * 2);
	tcase_add_loop_test(own, destroy_in_guard, 0, NKINDS * 2);
	tcase_add_loop_test(own, retained_entries_outlive_the_map, 0, NKINDS * 2);
	tcase_add_loop_test(own, iterator_resumes_after_freed_keys, 0, NKINDS * NFK_ORDERS * 2);
	tcase_add_loop_test(own, iterator_custom_keys_need_retain, 0, NKINDS);
	suite_add_tcase(s, own);

	tcase_set_timeout(cmp, 600);
	tcase_add_loop_test(cmp, comparator_fails_every_call, 0, NKINDS * 4);
	tcase_add_loop_test(cmp, comparator_fails_on_one_key, 0, NKINDS * 4);
	tcase_add_loop_test(cmp, comparator_fails_at_random, 0, NKINDS * 4);
	suite_add_tcase(s, cmp);

	tcase_set_timeout(alloc, 600);
	tcase_add_checked_fixture(alloc, alloc_setup, alloc_teardown);
	tcase_add_loop_test(alloc, alloc_create_fails_cleanly, 0, NKINDS * 2);
	tcase_add_loop_test(alloc, alloc_insert_fails_cleanly, 0, NKINDS * 2);
	tcase_add_loop_test(alloc, alloc_fails_at_random, 0, NKINDS * 4);
	suite_add_tcase(s, alloc);

	tcase_add_test(api, null_handles);
	tcase_add_loop_test(api, bad_arguments, 0, NKINDS * NDOMS);
	tcase_add_loop_test(api, create_rejects_bad_options, 0, NKINDS * 2);
	tcase_add_loop_test(api, frozen_equal_builtin_orders, 0, NKINDS * 2);
	tcase_add_loop_test(api, frozen_equal_doubles_and_orders, 0, NKINDS);
	tcase_add_loop_test(api, frozen_custom_callbacks, 0, NKINDS);
	tcase_add_test(api, kinds_and_names);
	suite_add_tcase(s, api);
	return s;
}

int main(void)
{
	return tu_run_suite(map_suite());
}
