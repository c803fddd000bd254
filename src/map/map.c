/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The ordered-map front: argument checks, the SMR guard around every
 * backend call, the size counters, release records, range iteration in
 * both directions and the batching iterator.
 */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "concoll/map.h"
#include "concoll/smr.h"
#include "map/backend.h"
#include "map/front.h"
#include "platform/alloc.h"
#include "platform/options.h"

static const struct cc_map_ops *const cc_map_backends[] = {
	[CONCOLL_MAP_SKIPLIST] = &cc_skiplist_ops,
	[CONCOLL_MAP_SKIPLIST_LOCKED] = &cc_skiplist_locked_ops,
};

/* ---- creation -------------------------------------------------------------- */

concoll_map_t *cc_map_create(const struct concoll_map_options *opts, bool is_set)
{
	struct concoll_map_options o;
	const struct cc_map_ops *ops;
	struct cc_map_conf conf;
	concoll_map_t *m;
	int kind;

	memset(&o, 0, sizeof o);
	o.size = sizeof o;
	if (cc_options_in(&o, sizeof o, opts, sizeof o) != 0)
		goto inval;
	kind = o.kind == CONCOLL_MAP_DEFAULT ? CONCOLL_MAP_SKIPLIST : o.kind;
	if (kind < 0 || (size_t)kind >= CC_ARRAY_SIZE(cc_map_backends) || !cc_map_backends[kind])
		goto inval;
	if (o.flags != 0 || o.compare < CONCOLL_CMP_U64 || o.compare > CONCOLL_CMP_CUSTOM)
		goto inval;
	if ((o.compare == CONCOLL_CMP_CUSTOM) != (o.compare_fn != NULL))
		goto inval;
	if (o.compare == CONCOLL_CMP_DOUBLE && sizeof(void *) < sizeof(double))
		goto inval;
	ops = cc_map_backends[kind];
	memset(&conf, 0, sizeof conf);
	conf.cmp.kind = o.compare;
	conf.cmp.fn = o.compare_fn;
	conf.cmp.ctx = o.compare_ctx;
	conf.release = o.release;
	conf.retain = o.retain;
	conf.hash = o.hash;
	conf.value_equal = is_set ? NULL : o.value_equal;
	conf.ctx = o.ctx;
	m = ops->create(&conf);
	if (!m) {
		errno = ENOMEM;
		return NULL;
	}
	m->ops = ops;
	m->conf = conf;
	m->is_set = is_set;
	for (unsigned i = 0; i < CC_MAP_COUNTERS; i++)
		atomic_init(&m->count[i].n, 0);
	return m;
inval:
	errno = EINVAL;
	return NULL;
}

concoll_map_t *concoll_map_create(const struct concoll_map_options *opts)
{
	return cc_map_create(opts, false);
}

int concoll_map_destroy(concoll_map_t *m)
{
	if (!m)
		return 0;
	if (m->conf.release) {
		/* Removed entries wait for their grace period: run their
		 * releases now, while the callback and its context are valid. */
		if (concoll_smr_barrier() != 0)
			return -EDEADLK;
	}
	m->ops->destroy(m);
	return 0;
}

int concoll_map_kind(const concoll_map_t *m)
{
	return m ? m->ops->kind : -EINVAL;
}

const char *concoll_map_kind_name(const concoll_map_t *m)
{
	return m ? m->ops->name : NULL;
}

/* ---- helpers ----------------------------------------------------------------- */

static inline bool cc_map_key_ok(const concoll_map_t *m, const void *key)
{
	return cc_cmp_key_ok(&m->conf.cmp, key);
}

static inline void cc_map_count(concoll_map_t *m, struct cc_smr_rec *self, int64_t d)
{
	unsigned i = (unsigned)(((uintptr_t)self * 0x9E3779B97F4A7C15ull) >> 60) % CC_MAP_COUNTERS;

	/* relaxed: the counters are statistics; size() is documented as
	 * approximate while updates run */
	atomic_fetch_add_explicit(&m->count[i].n, d, memory_order_relaxed);
}

#define CC_MAP_ENTER(m, self)                  \
	struct cc_smr_rec *self = cc_smr_enter(); \
	if (CC_UNLIKELY(!self))                    \
		return -ENOMEM

/* ---- lookups ----------------------------------------------------------------- */

int concoll_map_find(concoll_map_t *m, int nav, const void *key, void **key_out,
                     void **value_out)
{
	int r;

	if (!m || nav < CONCOLL_NAV_EQ || nav > CONCOLL_NAV_LAST)
		return -EINVAL;
	if (nav < CONCOLL_NAV_FIRST && !cc_map_key_ok(m, key))
		return -EINVAL;
	CC_MAP_ENTER(m, self);
	r = m->ops->find(m, self, nav, key, key_out, value_out);
	cc_smr_exit(self);
	return r;
}

int concoll_map_find_with(concoll_map_t *m, int nav, const void *key, concoll_visit_fn fn,
                          void *ctx)
{
	void *k, *v;
	int r;

	if (!m || !fn || nav < CONCOLL_NAV_EQ || nav > CONCOLL_NAV_LAST)
		return -EINVAL;
	if (nav < CONCOLL_NAV_FIRST && !cc_map_key_ok(m, key))
		return -EINVAL;
	CC_MAP_ENTER(m, self);
	r = m->ops->find(m, self, nav, key, &k, &v);
	if (r == 0)
		r = fn(k, v, ctx);
	cc_smr_exit(self);
	return r;
}

int concoll_map_get(concoll_map_t *m, const void *key, void **value)
{
	return concoll_map_find(m, CONCOLL_NAV_EQ, key, NULL, value);
}

int concoll_map_contains(concoll_map_t *m, const void *key)
{
	int r = concoll_map_find(m, CONCOLL_NAV_EQ, key, NULL, NULL);

	return r == 0 ? 1 : r == -ENOENT ? 0 : r;
}

int concoll_map_get_with(concoll_map_t *m, const void *key, concoll_visit_fn fn, void *ctx)
{
	return concoll_map_find_with(m, CONCOLL_NAV_EQ, key, fn, ctx);
}

int concoll_map_first(concoll_map_t *m, void **key_out, void **value_out)
{
	return concoll_map_find(m, CONCOLL_NAV_FIRST, NULL, key_out, value_out);
}

int concoll_map_last(concoll_map_t *m, void **key_out, void **value_out)
{
	return concoll_map_find(m, CONCOLL_NAV_LAST, NULL, key_out, value_out);
}

int concoll_map_floor(concoll_map_t *m, const void *key, void **key_out, void **value_out)
{
	return concoll_map_find(m, CONCOLL_NAV_FLOOR, key, key_out, value_out);
}

int concoll_map_ceiling(concoll_map_t *m, const void *key, void **key_out, void **value_out)
{
	return concoll_map_find(m, CONCOLL_NAV_CEILING, key, key_out, value_out);
}

int concoll_map_lower(concoll_map_t *m, const void *key, void **key_out, void **value_out)
{
	return concoll_map_find(m, CONCOLL_NAV_LOWER, key, key_out, value_out);
}

int concoll_map_higher(concoll_map_t *m, const void *key, void **key_out, void **value_out)
{
	return concoll_map_find(m, CONCOLL_NAV_HIGHER, key, key_out, value_out);
}

/* ---- updates ------------------------------------------------------------------- */

static int cc_map_update(concoll_map_t *m, int mode, void *key, void *value, const void *expected,
                         void **old)
{
	int r;

	if (!m || !cc_map_key_ok(m, key))
		return -EINVAL;
	CC_MAP_ENTER(m, self);
	r = m->ops->update(m, self, mode, key, value, expected, old);
	if (r == 0 && (mode == CC_MAP_PUT || mode == CC_MAP_PUT_IF_ABSENT))
		cc_map_count(m, self, 1);
	cc_smr_exit(self);
	return r;
}

int concoll_map_put(concoll_map_t *m, void *key, void *value, void **old)
{
	return cc_map_update(m, CC_MAP_PUT, key, value, NULL, old);
}

int concoll_map_put_if_absent(concoll_map_t *m, void *key, void *value, void **existing)
{
	return cc_map_update(m, CC_MAP_PUT_IF_ABSENT, key, value, NULL, existing);
}

int concoll_map_replace(concoll_map_t *m, void *key, void *value, void **old)
{
	return cc_map_update(m, CC_MAP_REPLACE, key, value, NULL, old);
}

int concoll_map_replace_if_equal(concoll_map_t *m, void *key, const void *expected, void *value)
{
	return cc_map_update(m, CC_MAP_REPLACE_IF_EQ, key, value, expected, NULL);
}

static int cc_map_remove(concoll_map_t *m, const void *key, bool if_equal, const void *expected,
                         void **old)
{
	int r;

	if (!m || !cc_map_key_ok(m, key))
		return -EINVAL;
	CC_MAP_ENTER(m, self);
	r = m->ops->remove(m, self, key, if_equal, expected, old);
	if (r == 0)
		cc_map_count(m, self, -1);
	cc_smr_exit(self);
	return r;
}

int concoll_map_remove(concoll_map_t *m, const void *key, void **old)
{
	return cc_map_remove(m, key, false, NULL, old);
}

int concoll_map_remove_if_equal(concoll_map_t *m, const void *key, const void *expected)
{
	return cc_map_remove(m, key, true, expected, NULL);
}

static int cc_map_pop(concoll_map_t *m, bool last, void **key_out, void **value_out)
{
	int r;

	if (!m)
		return -EINVAL;
	CC_MAP_ENTER(m, self);
	r = m->ops->pop(m, self, last, key_out, value_out);
	if (r == 0)
		cc_map_count(m, self, -1);
	cc_smr_exit(self);
	return r;
}

int concoll_map_pop_first(concoll_map_t *m, void **key_out, void **value_out)
{
	return cc_map_pop(m, false, key_out, value_out);
}

int concoll_map_pop_last(concoll_map_t *m, void **key_out, void **value_out)
{
	return cc_map_pop(m, true, key_out, value_out);
}

struct cc_clear_ctx {
	concoll_map_t *m;
	struct cc_smr_rec *self;
};

static int cc_clear_visit(void *key, void *value, void *ctx)
{
	struct cc_clear_ctx *c = ctx;
	int r;

	(void)value;
	r = c->m->ops->remove(c->m, c->self, key, false, NULL, NULL);
	if (r == 0)
		cc_map_count(c->m, c->self, -1);
	/* -ENOENT: removed by another thread meanwhile; errors stop */
	return r == -ENOENT ? 0 : r;
}

int concoll_map_clear(concoll_map_t *m)
{
	struct cc_clear_ctx c;
	int r;

	if (!m)
		return -EINVAL;
	CC_MAP_ENTER(m, self);
	c.m = m;
	c.self = self;
	r = m->ops->scan(m, self, false, NULL, false, cc_clear_visit, &c);
	cc_smr_exit(self);
	return r;
}

/* ---- size -------------------------------------------------------------------- */

size_t concoll_map_size(concoll_map_t *m)
{
	int64_t sum = 0;

	if (!m)
		return 0;
	for (unsigned i = 0; i < CC_MAP_COUNTERS; i++)
		sum += atomic_load_explicit(&m->count[i].n, memory_order_relaxed); /* statistics */
	return sum > 0 ? (size_t)sum : 0;
}

int concoll_map_is_empty(concoll_map_t *m)
{
	int r = concoll_map_find(m, CONCOLL_NAV_FIRST, NULL, NULL, NULL);

	return r == 0 ? 0 : r == -ENOENT ? 1 : r;
}

/* ---- ranges ----------------------------------------------------------------- */

struct cc_range {
	concoll_map_t *m;
	const void *lo, *hi;
	unsigned flags;
};

/* Does key lie beyond the far end of the range in its direction? */
static int cc_range_past_end(const struct cc_range *rg, const void *key, bool *past)
{
	int o, r;

	*past = false;
	if (!(rg->flags & CONCOLL_RANGE_DESC)) {
		if (!(rg->flags & CONCOLL_RANGE_HI))
			return 0;
		r = cc_cmp_call(&rg->m->conf.cmp, key, rg->hi, &o);
		if (r)
			return r;
		*past = o > 0 || (o == 0 && (rg->flags & CONCOLL_RANGE_HI_EXCL));
	} else {
		if (!(rg->flags & CONCOLL_RANGE_LO))
			return 0;
		r = cc_cmp_call(&rg->m->conf.cmp, key, rg->lo, &o);
		if (r)
			return r;
		*past = o < 0 || (o == 0 && (rg->flags & CONCOLL_RANGE_LO_EXCL));
	}
	return 0;
}

struct cc_range_visit {
	const struct cc_range *rg;
	concoll_visit_fn fn;
	void *ctx;
	int err;
	bool ended;
};

static int cc_range_visit_fn(void *key, void *value, void *ctx)
{
	struct cc_range_visit *rv = ctx;
	bool past;
	int r = cc_range_past_end(rv->rg, key, &past);

	if (r) {
		rv->err = r;
		return 1;
	}
	if (past) {
		rv->ended = true;
		return 1;
	}
	return rv->fn(key, value, rv->ctx);
}

/*
 * Visit the entries of rg in its direction, starting after `after` when
 * has_after (exclusive), inside the caller's guard.
 */
static int cc_range_walk(const struct cc_range *rg, struct cc_smr_rec *self, bool has_after,
                         const void *after, concoll_visit_fn fn, void *ctx)
{
	concoll_map_t *m = rg->m;
	int r;

	if (!(rg->flags & CONCOLL_RANGE_DESC)) {
		struct cc_range_visit rv = { rg, fn, ctx, 0, false };

		if (has_after)
			r = m->ops->scan(m, self, true, after, true, cc_range_visit_fn, &rv);
		else if (rg->flags & CONCOLL_RANGE_LO)
			r = m->ops->scan(m, self, true, rg->lo, rg->flags & CONCOLL_RANGE_LO_EXCL,
			                 cc_range_visit_fn, &rv);
		else
			r = m->ops->scan(m, self, false, NULL, false, cc_range_visit_fn, &rv);
		if (rv.err)
			return rv.err;
		return rv.ended ? 0 : r;
	}
	/* Descending: one search per entry (the list has no back links). */
	int nav;
	const void *key;

	if (has_after) {
		nav = CONCOLL_NAV_LOWER;
		key = after;
	} else if (rg->flags & CONCOLL_RANGE_HI) {
		nav = (rg->flags & CONCOLL_RANGE_HI_EXCL) ? CONCOLL_NAV_LOWER : CONCOLL_NAV_FLOOR;
		key = rg->hi;
	} else {
		nav = CONCOLL_NAV_LAST;
		key = NULL;
	}
	for (;;) {
		void *k, *v;
		bool past;

		r = m->ops->find(m, self, nav, key, &k, &v);
		if (r)
			return r == -ENOENT ? 0 : r;
		r = cc_range_past_end(rg, k, &past);
		if (r)
			return r;
		if (past)
			return 0;
		r = fn(k, v, ctx);
		if (r)
			return r;
		nav = CONCOLL_NAV_LOWER;
		key = k;
	}
}

static int cc_range_check(concoll_map_t *m, const void *lo, const void *hi, unsigned flags)
{
	return m && cc_range_args_ok(&m->conf.cmp, lo, hi, flags) ? 0 : -EINVAL;
}

int concoll_map_range(concoll_map_t *m, const void *lo, const void *hi, unsigned flags,
                      concoll_visit_fn fn, void *ctx)
{
	struct cc_range rg = { m, lo, hi, flags };
	int r = cc_range_check(m, lo, hi, flags);

	if (r)
		return r;
	if (!fn)
		return -EINVAL;
	CC_MAP_ENTER(m, self);
	r = cc_range_walk(&rg, self, false, NULL, fn, ctx);
	cc_smr_exit(self);
	return r;
}

/* ---- iterators ---------------------------------------------------------------- */

#define CC_ITER_BATCH 64

struct concoll_map_iter {
	struct cc_range rg;
	size_t pos, n;
	bool started, done;
	/* Resuming after the last key must not read freed memory: without
	 * retain, string and byte-string keys of a map that releases them are
	 * copied (custom keys must be retained, see cc_map_iter_create). */
	bool copy_bound;
	void *bound;       /* the copy: a string, or a concoll_bytes + data */
	size_t bound_size;
	void *keys[CC_ITER_BATCH];
	void *values[CC_ITER_BATCH];
};

#define CC_BOUND_ALIGN _Alignof(struct concoll_bytes)

static int cc_iter_copy_bound(concoll_map_iter_t *it, const void *key)
{
	size_t size;
	void *copy;

	if (it->rg.m->conf.cmp.kind == CONCOLL_CMP_STRING) {
		size = strlen(key) + 1;
		copy = cc_alloc(size, CC_BOUND_ALIGN);
		if (!copy)
			return -ENOMEM;
		memcpy(copy, key, size);
	} else {
		const struct concoll_bytes *b = key;
		struct concoll_bytes *c;

		size = sizeof *c + b->len;
		copy = cc_alloc(size, CC_BOUND_ALIGN);
		if (!copy)
			return -ENOMEM;
		c = copy;
		c->data = c + 1;
		c->len = b->len;
		if (b->len)
			memcpy(c + 1, b->data, b->len);
	}
	cc_free(it->bound, it->bound_size, CC_BOUND_ALIGN); /* NULL: nothing */
	it->bound = copy;
	it->bound_size = size;
	return 0;
}

concoll_map_iter_t *cc_map_iter_create(concoll_map_t *m, const void *lo, const void *hi,
                                       unsigned flags)
{
	concoll_map_iter_t *it;

	if (cc_range_check(m, lo, hi, flags) != 0) {
		errno = EINVAL;
		return NULL;
	}
	/* It resumes after the last key it returned: a custom key that the
	 * map may release meanwhile must be retained (strings and byte
	 * strings are copied instead). */
	if (m->conf.cmp.kind == CONCOLL_CMP_CUSTOM && m->conf.release && !m->conf.retain) {
		errno = EINVAL;
		return NULL;
	}
	it = cc_zalloc(sizeof *it, _Alignof(concoll_map_iter_t));
	if (!it) {
		errno = ENOMEM;
		return NULL;
	}
	it->rg.m = m;
	it->rg.lo = lo;
	it->rg.hi = hi;
	it->rg.flags = flags;
	it->copy_bound = m->conf.release && !m->conf.retain &&
	                 (m->conf.cmp.kind == CONCOLL_CMP_STRING ||
	                  m->conf.cmp.kind == CONCOLL_CMP_BYTES);
	return it;
}

concoll_map_iter_t *concoll_map_iter_create(concoll_map_t *m, const void *lo, const void *hi,
                                            unsigned flags)
{
	return cc_map_iter_create(m, lo, hi, flags);
}

struct cc_iter_fill {
	concoll_map_iter_t *it;
	size_t n;
	void *keys[CC_ITER_BATCH];
	void *values[CC_ITER_BATCH];
};

static int cc_iter_collect(void *key, void *value, void *ctx)
{
	struct cc_iter_fill *f = ctx;

	f->keys[f->n] = key;
	f->values[f->n] = value;
	return ++f->n == CC_ITER_BATCH;
}

static void cc_iter_release_batch(concoll_map_iter_t *it)
{
	const struct cc_map_conf *c = &it->rg.m->conf;

	if (c->retain && c->release) {
		for (size_t i = 0; i < it->n; i++)
			c->release(it->keys[i], it->values[i], c->ctx);
	}
	it->n = it->pos = 0;
}

static int cc_iter_fill(concoll_map_iter_t *it)
{
	concoll_map_t *m = it->rg.m;
	const struct cc_map_conf *c = &m->conf;
	struct cc_iter_fill f;
	int r;

	f.it = it;
	f.n = 0;
	CC_MAP_ENTER(m, self);
	r = cc_range_walk(&it->rg, self, it->started,
	                  it->copy_bound ? it->bound : it->n ? it->keys[it->n - 1] : NULL,
	                  cc_iter_collect, &f);
	if (r >= 0 && it->copy_bound && f.n)
		r = cc_iter_copy_bound(it, f.keys[f.n - 1]); /* inside the guard */
	if (r < 0) {
		cc_smr_exit(self);
		return r;
	}
	if (c->retain) {
		for (size_t i = 0; i < f.n; i++)
			c->retain(f.keys[i], f.values[i], c->ctx);
	}
	cc_smr_exit(self);
	/* the previous batch's last key was the bound: release it only now */
	cc_iter_release_batch(it);
	memcpy(it->keys, f.keys, f.n * sizeof f.keys[0]);
	memcpy(it->values, f.values, f.n * sizeof f.values[0]);
	it->n = f.n;
	it->pos = 0;
	it->started = true;
	if (f.n < CC_ITER_BATCH)
		it->done = true;
	return 0;
}

int concoll_map_iter_next(concoll_map_iter_t *it, void **key_out, void **value_out)
{
	if (!it)
		return -EINVAL;
	if (it->pos == it->n) {
		int r;

		if (it->done)
			return -ENOENT;
		r = cc_iter_fill(it);
		if (r)
			return r;
		if (it->n == 0)
			return -ENOENT;
	}
	if (key_out)
		*key_out = it->keys[it->pos];
	if (value_out)
		*value_out = it->values[it->pos];
	it->pos++;
	return 0;
}

void concoll_map_iter_destroy(concoll_map_iter_t *it)
{
	if (!it)
		return;
	cc_iter_release_batch(it);
	cc_free(it->bound, it->bound_size, CC_BOUND_ALIGN);
	cc_free(it, sizeof *it, _Alignof(concoll_map_iter_t));
}

/* ---- release records ------------------------------------------------------------ */

struct cc_map_release_rec {
	concoll_smr_head_t smr;
	const concoll_map_t *m;
	void *key;
	void *value;
};

struct cc_map_release_rec *cc_map_release_prepare(const concoll_map_t *m, int *err)
{
	struct cc_map_release_rec *rec;

	*err = 0;
	if (!m->conf.release)
		return NULL;
	rec = cc_alloc(sizeof *rec, _Alignof(struct cc_map_release_rec));
	if (!rec) {
		*err = -ENOMEM;
		return NULL;
	}
	rec->m = m;
	return rec;
}

static void cc_map_release_reclaim(concoll_smr_head_t *h)
{
	struct cc_map_release_rec *rec = cc_container_of(h, struct cc_map_release_rec, smr);

	cc_map_release_now(rec->m, rec->key, rec->value);
	cc_free(rec, sizeof *rec, _Alignof(struct cc_map_release_rec));
}

void cc_map_release_later(struct cc_smr_rec *self, struct cc_map_release_rec *rec, void *key,
                          void *value)
{
	rec->key = key;
	rec->value = value;
	cc_smr_retire(self, &rec->smr, cc_map_release_reclaim);
}

void cc_map_release_cancel(struct cc_map_release_rec *rec)
{
	if (rec)
		cc_free(rec, sizeof *rec, _Alignof(struct cc_map_release_rec));
}
