/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The ordered-map front and its backends (internal).
 *
 * The front (map.c) validates arguments, enters the SMR guard, keeps the
 * size counter and the release bookkeeping; a backend implements the
 * algorithm.  Every backend function but create/destroy runs inside a
 * guard held by the caller (self, never NULL).  Comparator errors are
 * returned as they come (negative), before the backend's first update.
 */
#ifndef CC_MAP_BACKEND_H
#define CC_MAP_BACKEND_H

#include <stdbool.h>

#include "concoll/map.h"
#include "map/compare.h"
#include "platform/compiler.h"
#include "smr/smr.h"

struct cc_map_conf {
	struct cc_cmp cmp;
	concoll_release_fn release;
	concoll_retain_fn retain;
	concoll_hash_fn hash;
	concoll_value_eq_fn value_equal;
	void *ctx;
};

/* update() modes */
enum {
	CC_MAP_PUT = 0,          /* 0 inserted, 1 replaced (*old) */
	CC_MAP_PUT_IF_ABSENT = 1, /* 0 inserted, -EEXIST (*old = present value) */
	CC_MAP_REPLACE = 2,       /* 0 replaced (*old), -ENOENT */
	CC_MAP_REPLACE_IF_EQ = 3, /* 0 replaced, -ENOENT, -EAGAIN (value differs) */
};

struct cc_map_ops {
	int kind;
	const char *name;
	/* A new empty map (its struct concoll_map filled by the front). */
	concoll_map_t *(*create)(const struct cc_map_conf *conf);
	/* No other thread uses m: cc_map_release_now() every entry, free all. */
	void (*destroy)(concoll_map_t *m);
	/* nav: enum concoll_nav.  0 and the entry, -ENOENT, or an error. */
	int (*find)(concoll_map_t *m, struct cc_smr_rec *self, int nav, const void *key,
	            void **key_out, void **value_out);
	/* Modes above; old may be NULL.  On success the map owns key and value
	 * (a replacing call hands the key passed and the old value to
	 * cc_map_release_later()). */
	int (*update)(concoll_map_t *m, struct cc_smr_rec *self, int mode, void *key, void *value,
	              const void *expected, void **old);
	/* 0 (*old = value), -ENOENT, -EAGAIN (if_equal and another value). */
	int (*remove)(concoll_map_t *m, struct cc_smr_rec *self, const void *key, bool if_equal,
	              const void *expected, void **old);
	/* Remove the least (last: greatest) entry: 0, or -ENOENT when empty. */
	int (*pop)(concoll_map_t *m, struct cc_smr_rec *self, bool last, void **key_out,
	           void **value_out);
	/* Visit the entries in ascending order from lo (inclusive unless
	 * lo_excl; from the least when !has_lo) until fn returns non-zero;
	 * returns that, 0 at the end, or an error. Weakly consistent. */
	int (*scan)(concoll_map_t *m, struct cc_smr_rec *self, bool has_lo, const void *lo,
	            bool lo_excl, concoll_visit_fn fn, void *ctx);
};

/*
 * A random node height for the skip lists, 1 .. max, with p = 1/2 per
 * level: with the prefetch of the node the descent meets, more levels and
 * fewer steps per level cost less waiting than p = 1/4 (measured with
 * ccbench at 10^6 keys).
 */
static inline unsigned cc_map_random_level(struct cc_smr_rec *self, unsigned max)
{
	uint64_t r = cc_rand_next(&self->rng);
	unsigned level = 1 + (unsigned)__builtin_ctzll(r | (1ull << 62));

	return level < max ? level : max;
}

/* Per-thread-group size counters: 16 cache lines. */
#define CC_MAP_COUNTERS 16
struct cc_map_counter {
	CC_CACHE_ALIGNED _Atomic int64_t n;
};

/* Every backend's handle starts with this. */
struct concoll_map {
	const struct cc_map_ops *ops;
	struct cc_map_conf conf;
	bool is_set;
	struct cc_map_counter count[CC_MAP_COUNTERS];
};

extern CC_INTERNAL const struct cc_map_ops cc_skiplist_ops;
extern CC_INTERNAL const struct cc_map_ops cc_skiplist_locked_ops;

/* Release (key, value) now: destroy, and node free callbacks (already
 * after the grace period).  No-op without a release callback. */
static inline void cc_map_release_now(const concoll_map_t *m, void *key, void *value)
{
	if (m->conf.release)
		m->conf.release(key, value, m->conf.ctx);
}

/*
 * Releasing a replaced value after the grace period needs a small record,
 * allocated before the update so that a replacement cannot fail after it
 * took effect:
 *   rec = cc_map_release_prepare(m, &err);   // NULL and err 0: no callback
 *   if (err) return err;                      // -ENOMEM
 *   ... on success: cc_map_release_later(self, rec, key_passed, old_value);
 *   ... on failure: cc_map_release_cancel(rec);
 */
struct cc_map_release_rec;
CC_INTERNAL struct cc_map_release_rec *cc_map_release_prepare(const concoll_map_t *m, int *err);
CC_INTERNAL void cc_map_release_later(struct cc_smr_rec *self, struct cc_map_release_rec *rec,
                                      void *key, void *value);
CC_INTERNAL void cc_map_release_cancel(struct cc_map_release_rec *rec);

#endif /* CC_MAP_BACKEND_H */
