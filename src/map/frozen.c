/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Frozen snapshots: a sorted array of (key, value) copied from a map or a
 * set in one weakly consistent scan; immutable, so every read is a plain
 * binary search with no synchronization.  The hash is computed on first
 * use and cached.
 */
#include "config.h"

#include <errno.h>
#include <stdatomic.h>
#include <string.h>

#include "concoll/map.h"
#include "map/backend.h"
#include "map/front.h"
#include "platform/alloc.h"

struct cc_fz_entry {
	void *key;
	void *value;
};

struct concoll_frozen {
	struct cc_map_conf conf;
	bool is_set;
	bool owns; /* entries were retained: release them at destroy */
	size_t n, cap;
	struct cc_fz_entry *e;
	_Atomic int hash_state; /* 0 not computed, 1 computed */
	_Atomic uint64_t hash;
};

static void cc_fz_free(concoll_frozen_t *f)
{
	cc_free(f->e, f->cap * sizeof *f->e, _Alignof(struct cc_fz_entry));
	cc_free(f, sizeof *f, _Alignof(concoll_frozen_t));
}

struct cc_fz_fill {
	concoll_frozen_t *f;
	int err;
};

static int cc_fz_collect(void *key, void *value, void *ctx)
{
	struct cc_fz_fill *fill = ctx;
	concoll_frozen_t *f = fill->f;

	if (f->n == f->cap) {
		size_t cap = f->cap ? 2 * f->cap : 64;
		struct cc_fz_entry *e = cc_alloc(cap * sizeof *e, _Alignof(struct cc_fz_entry));

		if (!e) {
			fill->err = -ENOMEM;
			return 1;
		}
		if (f->n)
			memcpy(e, f->e, f->n * sizeof *e);
		cc_free(f->e, f->cap * sizeof *f->e, _Alignof(struct cc_fz_entry));
		f->e = e;
		f->cap = cap;
	}
	f->e[f->n].key = key;
	f->e[f->n].value = value;
	f->n++;
	return 0;
}

concoll_frozen_t *cc_map_freeze(concoll_map_t *m)
{
	struct cc_fz_fill fill = { NULL, 0 };
	concoll_frozen_t *f;
	struct cc_smr_rec *self;
	int r;

	if (!m) {
		errno = EINVAL;
		return NULL;
	}
	f = cc_zalloc(sizeof *f, _Alignof(concoll_frozen_t));
	if (!f) {
		errno = ENOMEM;
		return NULL;
	}
	f->conf = m->conf;
	f->is_set = m->is_set;
	self = cc_smr_enter();
	if (!self) {
		cc_fz_free(f);
		errno = ENOMEM;
		return NULL;
	}
	fill.f = f;
	r = m->ops->scan(m, self, false, NULL, false, cc_fz_collect, &fill);
	if (fill.err)
		r = fill.err;
	if (r == 0 && f->conf.retain) {
		/* inside the guard: the entries cannot be released meanwhile */
		for (size_t i = 0; i < f->n; i++)
			f->conf.retain(f->e[i].key, f->e[i].value, f->conf.ctx);
		f->owns = f->conf.release != NULL;
	}
	cc_smr_exit(self);
	if (r) {
		cc_fz_free(f);
		errno = r < 0 ? -r : ECANCELED;
		return NULL;
	}
	return f;
}

concoll_frozen_t *concoll_map_freeze(concoll_map_t *m)
{
	return cc_map_freeze(m);
}

void concoll_frozen_destroy(concoll_frozen_t *f)
{
	if (!f)
		return;
	if (f->owns) {
		for (size_t i = 0; i < f->n; i++)
			f->conf.release(f->e[i].key, f->e[i].value, f->conf.ctx);
	}
	cc_fz_free(f);
}

size_t concoll_frozen_size(const concoll_frozen_t *f)
{
	return f ? f->n : 0;
}

int concoll_frozen_at(const concoll_frozen_t *f, size_t i, void **key_out, void **value_out)
{
	if (!f)
		return -EINVAL;
	if (i >= f->n)
		return -ENOENT;
	if (key_out)
		*key_out = f->e[i].key;
	if (value_out)
		*value_out = f->e[i].value;
	return 0;
}

/* The first position whose key is >= key (upper: > key). */
static int cc_fz_bound(const concoll_frozen_t *f, const void *key, bool upper, size_t *pos)
{
	size_t lo = 0, hi = f->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int o, r = cc_cmp_call(&f->conf.cmp, f->e[mid].key, key, &o);

		if (r)
			return r;
		if (upper ? o <= 0 : o < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*pos = lo;
	return 0;
}

int concoll_frozen_find(const concoll_frozen_t *f, int nav, const void *key, size_t *index)
{
	size_t p = 0;
	int r = 0;

	if (!f || nav < CONCOLL_NAV_EQ || nav > CONCOLL_NAV_LAST)
		return -EINVAL;
	if (nav < CONCOLL_NAV_FIRST && !cc_cmp_key_ok(&f->conf.cmp, key))
		return -EINVAL;
	switch (nav) {
	case CONCOLL_NAV_EQ:
	case CONCOLL_NAV_CEILING:
	case CONCOLL_NAV_LOWER:
		r = cc_fz_bound(f, key, false, &p);
		break;
	case CONCOLL_NAV_FLOOR:
	case CONCOLL_NAV_HIGHER:
		r = cc_fz_bound(f, key, true, &p);
		break;
	default:
		break;
	}
	if (r)
		return r;
	switch (nav) {
	case CONCOLL_NAV_EQ: {
		int o = 1;

		if (p < f->n) {
			r = cc_cmp_call(&f->conf.cmp, f->e[p].key, key, &o);
			if (r)
				return r;
		}
		if (o != 0)
			return -ENOENT;
		break;
	}
	case CONCOLL_NAV_CEILING:
	case CONCOLL_NAV_HIGHER:
		if (p == f->n)
			return -ENOENT;
		break;
	case CONCOLL_NAV_FLOOR:
	case CONCOLL_NAV_LOWER:
		if (p == 0)
			return -ENOENT;
		p--;
		break;
	case CONCOLL_NAV_FIRST:
		if (f->n == 0)
			return -ENOENT;
		p = 0;
		break;
	default: /* LAST */
		if (f->n == 0)
			return -ENOENT;
		p = f->n - 1;
		break;
	}
	if (index)
		*index = p;
	return 0;
}

int concoll_frozen_get(const concoll_frozen_t *f, const void *key, void **value)
{
	size_t i;
	int r = concoll_frozen_find(f, CONCOLL_NAV_EQ, key, &i);

	if (r == 0 && value)
		*value = f->e[i].value;
	return r;
}

int concoll_frozen_range(const concoll_frozen_t *f, const void *lo, const void *hi,
                         unsigned flags, concoll_visit_fn fn, void *ctx)
{
	size_t start = 0, end;
	int r;

	if (!f || !fn || !cc_range_args_ok(&f->conf.cmp, lo, hi, flags))
		return -EINVAL;
	end = f->n;
	if (flags & CONCOLL_RANGE_LO) {
		r = cc_fz_bound(f, lo, flags & CONCOLL_RANGE_LO_EXCL, &start);
		if (r)
			return r;
	}
	if (flags & CONCOLL_RANGE_HI) {
		r = cc_fz_bound(f, hi, !(flags & CONCOLL_RANGE_HI_EXCL), &end);
		if (r)
			return r;
	}
	if (start >= end)
		return 0;
	if (!(flags & CONCOLL_RANGE_DESC)) {
		for (size_t i = start; i < end; i++) {
			r = fn(f->e[i].key, f->e[i].value, ctx);
			if (r)
				return r;
		}
	} else {
		for (size_t i = end; i > start; i--) {
			r = fn(f->e[i - 1].key, f->e[i - 1].value, ctx);
			if (r)
				return r;
		}
	}
	return 0;
}

static bool cc_fz_same_order(const concoll_frozen_t *a, const concoll_frozen_t *b)
{
	if (a->conf.cmp.kind != b->conf.cmp.kind)
		return false;
	if (a->conf.cmp.kind == CONCOLL_CMP_CUSTOM)
		return a->conf.cmp.fn == b->conf.cmp.fn && a->conf.cmp.ctx == b->conf.cmp.ctx;
	return true;
}

int concoll_frozen_equal(const concoll_frozen_t *a, const concoll_frozen_t *b)
{
	if (!a || !b || !cc_fz_same_order(a, b) || a->is_set != b->is_set)
		return -EINVAL;
	if (a == b)
		return 1;
	if (a->n != b->n)
		return 0;
	for (size_t i = 0; i < a->n; i++) {
		int o, r = cc_cmp_call(&a->conf.cmp, a->e[i].key, b->e[i].key, &o);

		if (r)
			return r;
		if (o != 0)
			return 0;
		if (a->is_set)
			continue;
		if (a->conf.value_equal) {
			r = a->conf.value_equal(a->e[i].value, b->e[i].value, a->conf.ctx);
			if (r < 0)
				return r;
			if (r == 0)
				return 0;
		} else if (a->e[i].value != b->e[i].value) {
			return 0;
		}
	}
	return 1;
}

int concoll_frozen_hash(const concoll_frozen_t *f, uint64_t *hash)
{
	uint64_t h;

	if (!f || !hash)
		return -EINVAL;
	/* acquire: pairs with the release below; the hash was stored first */
	if (atomic_load_explicit(&f->hash_state, memory_order_acquire)) {
		*hash = atomic_load_explicit(&f->hash, memory_order_relaxed);
		return 0;
	}
	h = 0x9e3779b97f4a7c15ull ^ f->n;
	for (size_t i = 0; i < f->n; i++) {
		uint64_t eh;
		int r;

		if (f->conf.hash) {
			r = f->conf.hash(f->e[i].key, f->is_set ? NULL : f->e[i].value, &eh, f->conf.ctx);
		} else {
			r = cc_cmp_hash(&f->conf.cmp, f->e[i].key, &eh);
			/* values count only when equality is the word's */
			if (r == 0 && !f->is_set && !f->conf.value_equal)
				eh ^= cc_hash_word((uint64_t)(uintptr_t)f->e[i].value + 0x632be59bd9b4e019ull);
		}
		if (r)
			return r;
		h = cc_hash_word(h + eh);
	}
	/* Threads computing at once store the same value. */
	concoll_frozen_t *w = (concoll_frozen_t *)(uintptr_t)f;

	atomic_store_explicit(&w->hash, h, memory_order_relaxed); /* published by the release */
	atomic_store_explicit(&w->hash_state, 1, memory_order_release);
	*hash = h;
	return 0;
}
