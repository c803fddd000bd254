/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libconcoll: concurrent ordered maps, their iterators and frozen snapshots.
 *
 * One API, several algorithms ("kinds") chosen at creation:
 *
 *   CONCOLL_MAP_SKIPLIST         lock-free skip list (Fraser 2004: marked
 *                                next pointers, bottom-up linking, logical
 *                                then physical deletion).  The default.
 *   CONCOLL_MAP_SKIPLIST_LOCKED  fine-grained locked skip list (the "lazy"
 *                                skip list of Herlihy, Lev, Luchangco and
 *                                Shavit): wait-free lookups, updates lock
 *                                the few nodes they change.
 *
 * Keys and values are words (void *).  The map stores them and never
 * dereferences them, except that the comparator reads keys (and the
 * built-in string orders dereference them).  Values may be NULL.
 *
 * Key orders (struct concoll_map_options.compare):
 *
 *   CONCOLL_CMP_U64     the key word as an unsigned integer (uintptr_t);
 *                       concoll_key_u64() and concoll_key_to_u64() convert.
 *                       The default.
 *   CONCOLL_CMP_I64     the key word as a signed integer (intptr_t).
 *   CONCOLL_CMP_DOUBLE  the key word holds the bits of a double
 *                       (concoll_key_double(), concoll_key_to_double();
 *                       needs 64-bit pointers).  A total order, that of
 *                       Java's Double.compare: -0.0 sorts before +0.0 (two
 *                       keys), every NaN is one key, greater than +Inf.
 *   CONCOLL_CMP_STRING  the key points to a NUL-terminated string
 *                       (strcmp(3) order, bytes as unsigned char).
 *   CONCOLL_CMP_BYTES   the key points to a struct concoll_bytes (length +
 *                       data); memcmp(3) order, a proper prefix first.
 *   CONCOLL_CMP_CUSTOM  options.compare_fn(a, b, &order, compare_ctx).
 *
 * The built-in orders are inlined into the search loops.  A custom
 * comparator may fail: it returns a negative errno value instead of 0; the
 * operation then stops before it changes the map's contents (at most it has
 * helped to unlink entries that other calls removed), the map is unchanged,
 * and the operation returns that value (a positive return is treated as
 * -ECANCELED).  Comparisons made after an update took effect
 * (raising the index levels of an inserted key, unlinking a removed one)
 * that fail leave the work to later traversals; the operation succeeded.
 *
 * Ownership.  When options.release is set, the map calls
 * release(key, value, ctx) once for every key and value it was given and
 * no longer holds, after a grace period (see concoll_smr_enter(3)), so that
 * threads still reading them are done:
 *   - remove, pop, clear: the stored key and value;
 *   - put, replace, replace_if_equal that replace a value: the key passed
 *     to the call (the map keeps the key it already had) and the old value;
 *   - destroy: every entry still in the map (at once).
 * A call that fails (-EEXIST, -ENOENT, -EAGAIN, ...) takes ownership of
 * nothing.  Pointers that the map hands out (get, navigation, pop, the
 * range callback) are valid until the caller's outermost concoll_smr_exit()
 * when the call was made inside a guard, or until the entry leaves the map;
 * use the *_with() callbacks or a guard when entries are removed and
 * released concurrently.  options.retain (optional) is called as
 * retain(key, value, ctx) for every entry that an iterator buffers or a
 * frozen snapshot copies; such entries are released by the iterator /
 * snapshot (with release) when it is done with them, so that they stay
 * valid outside a guard.
 *
 * Synchronization table (m is one map, f one frozen snapshot):
 *
 *   function                          may run concurrently with     progress
 *   concoll_map_create                anything                      blocking (allocates)
 *   concoll_map_destroy               nothing else on m             blocking
 *   get, contains, get_with, find,
 *     first, last, floor, ceiling,
 *     lower, higher, find_with        everything but destroy on m   skiplist: lock-free;
 *                                                                   locked: wait-free (get,
 *                                                                   contains, get_with, find
 *                                                                   EQ), blocking (the rest:
 *                                                                   they wait for an update in
 *                                                                   progress at their answer)
 *   put, put_if_absent, replace,
 *     replace_if_equal, remove,
 *     remove_if_equal, pop_first,
 *     pop_last                        everything but destroy on m   skiplist: lock-free;
 *                                                                   locked: blocking
 *   clear                             everything but destroy on m   as remove, per entry
 *   size, is_empty                    everything but destroy on m   wait-free
 *   range, iter_next, freeze          everything but destroy on m   as find, per entry
 *   concoll_frozen_*                  anything but destroy on f     wait-free (no locks)
 *
 * All single-key operations, the navigation functions (which key they
 * return) and pops are linearizable.  The value that get and the pops
 * return is the key's value at their linearization point; so is the value
 * the other navigation functions return with CONCOLL_MAP_SKIPLIST_LOCKED,
 * while with CONCOLL_MAP_SKIPLIST it is one the entry held while it was in
 * the map during the call (the key and the value may come from two
 * moments if the entry's value is replaced concurrently).  size
 * is a sum of per-thread-group counters: exact when no update runs,
 * otherwise approximate (never negative).  Iteration (range, iterators,
 * freeze, clear) is weakly consistent, like Java's ConcurrentSkipListMap:
 * it never fails because of concurrent updates, returns each key at most
 * once and in order, returns every key that is in the map for the whole
 * iteration, and may or may not return keys inserted or removed meanwhile.
 */
#ifndef CONCOLL_MAP_H
#define CONCOLL_MAP_H

#include <stdint.h>
#include <string.h>

#include <concoll/common.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct concoll_map concoll_map_t;
typedef struct concoll_map_iter concoll_map_iter_t;
typedef struct concoll_frozen concoll_frozen_t;

enum concoll_map_kind {
	CONCOLL_MAP_DEFAULT = 0, /* CONCOLL_MAP_SKIPLIST */
	CONCOLL_MAP_SKIPLIST = 1,
	CONCOLL_MAP_SKIPLIST_LOCKED = 2,
};

enum concoll_cmp_kind {
	CONCOLL_CMP_U64 = 0,
	CONCOLL_CMP_I64 = 1,
	CONCOLL_CMP_DOUBLE = 2,
	CONCOLL_CMP_STRING = 3,
	CONCOLL_CMP_BYTES = 4,
	CONCOLL_CMP_CUSTOM = 5,
};

/* A byte-string key for CONCOLL_CMP_BYTES. */
struct concoll_bytes {
	const void *data;
	size_t len;
};

/* Compare a with b: store a negative, zero or positive number in *order and
 * return 0, or return a negative errno value to abort the operation. */
typedef int (*concoll_compare_fn)(const void *a, const void *b, int *order, void *ctx);
/* Called after the grace period for what the map no longer holds. */
typedef void (*concoll_release_fn)(void *key, void *value, void *ctx);
/* Called for entries copied out by iterators and frozen snapshots. */
typedef void (*concoll_retain_fn)(void *key, void *value, void *ctx);
/* Hash of one entry for concoll_frozen_hash(): store it and return 0, or
 * return a negative errno value. */
typedef int (*concoll_hash_fn)(const void *key, const void *value, uint64_t *hash, void *ctx);
/* Value equality for concoll_frozen_equal(): 1 equal, 0 not, or a negative
 * errno value. */
typedef int (*concoll_value_eq_fn)(const void *a, const void *b, void *ctx);
/* Visitor: return 0 to go on; anything else stops the iteration and is
 * returned by the call that runs the visitor. */
typedef int (*concoll_visit_fn)(void *key, void *value, void *ctx);

struct concoll_map_options {
	size_t size;                    /* sizeof(struct concoll_map_options) */
	int kind;                       /* enum concoll_map_kind */
	int compare;                    /* enum concoll_cmp_kind */
	concoll_compare_fn compare_fn;  /* CONCOLL_CMP_CUSTOM only */
	void *compare_ctx;
	concoll_release_fn release;     /* optional */
	concoll_retain_fn retain;       /* optional */
	concoll_hash_fn hash;           /* optional; concoll_frozen_hash() */
	concoll_value_eq_fn value_equal; /* optional; concoll_frozen_equal() */
	void *ctx;                      /* for release, retain, hash, value_equal */
	unsigned flags;                 /* must be 0 */
};

/* Navigation: which entry concoll_map_find() returns. */
enum concoll_nav {
	CONCOLL_NAV_EQ = 0,      /* key == k */
	CONCOLL_NAV_FLOOR = 1,   /* greatest key <= k */
	CONCOLL_NAV_CEILING = 2, /* least key >= k */
	CONCOLL_NAV_LOWER = 3,   /* greatest key < k */
	CONCOLL_NAV_HIGHER = 4,  /* least key > k */
	CONCOLL_NAV_FIRST = 5,   /* least key (k ignored) */
	CONCOLL_NAV_LAST = 6,    /* greatest key (k ignored) */
};

/* Range flags: which bounds are given and whether they are excluded. */
#define CONCOLL_RANGE_LO 0x1u      /* lo is a bound (otherwise unbounded below) */
#define CONCOLL_RANGE_LO_EXCL 0x2u /* ... and is excluded */
#define CONCOLL_RANGE_HI 0x4u      /* hi is a bound */
#define CONCOLL_RANGE_HI_EXCL 0x8u /* ... and is excluded */
#define CONCOLL_RANGE_DESC 0x10u   /* descending order */

/* Key conversions for the integer and double orders. */
static inline void *concoll_key_u64(uint64_t x) { return (void *)(uintptr_t)x; }
static inline uint64_t concoll_key_to_u64(const void *k) { return (uint64_t)(uintptr_t)k; }
static inline void *concoll_key_i64(int64_t x) { return (void *)(intptr_t)x; }
static inline int64_t concoll_key_to_i64(const void *k) { return (int64_t)(intptr_t)k; }
static inline void *concoll_key_double(double d)
{
	uintptr_t u = 0;

	memcpy(&u, &d, sizeof u < sizeof d ? sizeof u : sizeof d);
	return (void *)u;
}
static inline double concoll_key_to_double(const void *k)
{
	uintptr_t u = (uintptr_t)k;
	double d = 0;

	memcpy(&d, &u, sizeof u < sizeof d ? sizeof u : sizeof d);
	return d;
}

/* ----- creation ----- */

/* opts may be NULL (skip list, CONCOLL_CMP_U64, no callbacks).  NULL with
 * errno EINVAL (unknown kind or order, CUSTOM without compare_fn, a
 * compare_fn with another order, flags, size refused, DOUBLE on a 32-bit
 * platform) or ENOMEM. */
CONCOLL_API concoll_map_t *concoll_map_create(const struct concoll_map_options *opts);
/* Free the map, releasing every entry; also waits (concoll_smr_barrier(3))
 * for the releases of entries removed earlier, so that every release has
 * run when it returns.  Returns 0; -EDEADLK, with the map untouched, when
 * the map has a release callback and the caller is inside a guard;
 * NULL m: 0. */
CONCOLL_API int concoll_map_destroy(concoll_map_t *m);
/* The kind used (never CONCOLL_MAP_DEFAULT), or -EINVAL for NULL. */
CONCOLL_API int concoll_map_kind(const concoll_map_t *m);
/* "skiplist" or "skiplist-locked"; NULL for NULL. */
CONCOLL_API const char *concoll_map_kind_name(const concoll_map_t *m);

/* ----- lookups (0 found, -ENOENT absent, -EINVAL, -ENOMEM, comparator errors) -----
 *
 * Every function taking a key (or a range bound it reads) returns -EINVAL
 * for a NULL map, and for a NULL key under CONCOLL_CMP_STRING and
 * CONCOLL_CMP_BYTES.  Output pointers (value, key_out, value_out, old,
 * existing) may be NULL when the caller does not want them. */

CONCOLL_API int concoll_map_get(concoll_map_t *m, const void *key, void **value);
/* 1 present, 0 absent, or a negative error. */
CONCOLL_API int concoll_map_contains(concoll_map_t *m, const void *key);
/* Calls fn(stored key, value, ctx) inside a guard when key is present and
 * returns what fn returns; -ENOENT when absent. */
CONCOLL_API int concoll_map_get_with(concoll_map_t *m, const void *key, concoll_visit_fn fn,
                                     void *ctx);
/* The entry that nav selects relative to key; key_out and value_out may be NULL. */
CONCOLL_API int concoll_map_find(concoll_map_t *m, int nav, const void *key, void **key_out,
                                 void **value_out);
/* The same, calling fn(key, value, ctx) inside a guard; returns what fn returns. */
CONCOLL_API int concoll_map_find_with(concoll_map_t *m, int nav, const void *key,
                                      concoll_visit_fn fn, void *ctx);
CONCOLL_API int concoll_map_first(concoll_map_t *m, void **key_out, void **value_out);
CONCOLL_API int concoll_map_last(concoll_map_t *m, void **key_out, void **value_out);
CONCOLL_API int concoll_map_floor(concoll_map_t *m, const void *key, void **key_out,
                                  void **value_out);
CONCOLL_API int concoll_map_ceiling(concoll_map_t *m, const void *key, void **key_out,
                                    void **value_out);
CONCOLL_API int concoll_map_lower(concoll_map_t *m, const void *key, void **key_out,
                                  void **value_out);
CONCOLL_API int concoll_map_higher(concoll_map_t *m, const void *key, void **key_out,
                                   void **value_out);

/* ----- updates ----- */

/* Insert or replace.  0 inserted, 1 replaced (the previous value in *old
 * when old is not NULL), or a negative error with the map unchanged. */
CONCOLL_API int concoll_map_put(concoll_map_t *m, void *key, void *value, void **old);
/* Insert when absent: 0, or -EEXIST (the present value in *existing when
 * existing is not NULL). */
CONCOLL_API int concoll_map_put_if_absent(concoll_map_t *m, void *key, void *value,
                                          void **existing);
/* Replace when present: 0 (old value in *old), or -ENOENT. */
CONCOLL_API int concoll_map_replace(concoll_map_t *m, void *key, void *value, void **old);
/* Replace when the value is the word expected: 0, -ENOENT (absent) or
 * -EAGAIN (another value). */
CONCOLL_API int concoll_map_replace_if_equal(concoll_map_t *m, void *key, const void *expected,
                                             void *value);
/* Remove: 0 (the value in *old when not NULL), or -ENOENT. */
CONCOLL_API int concoll_map_remove(concoll_map_t *m, const void *key, void **old);
/* Remove when the value is the word expected: 0, -ENOENT or -EAGAIN. */
CONCOLL_API int concoll_map_remove_if_equal(concoll_map_t *m, const void *key,
                                            const void *expected);
/* Remove the least (greatest) entry: 0, or -ENOENT when empty (-ENOMEM:
 * the lock-free pop_first allocates a small descriptor). */
CONCOLL_API int concoll_map_pop_first(concoll_map_t *m, void **key_out, void **value_out);
CONCOLL_API int concoll_map_pop_last(concoll_map_t *m, void **key_out, void **value_out);
/* Remove every entry (weakly consistent: entries inserted meanwhile may
 * stay).  0 or a negative error (-ENOMEM). */
CONCOLL_API int concoll_map_clear(concoll_map_t *m);

/* ----- size ----- */

/* 0 for NULL. */
CONCOLL_API size_t concoll_map_size(concoll_map_t *m);
/* 1 empty, 0 not, -EINVAL, -ENOMEM.  Linearizable. */
CONCOLL_API int concoll_map_is_empty(concoll_map_t *m);

/* ----- iteration ----- */

/* Call fn(key, value, ctx) for the entries in the range, in order, inside
 * one guard.  lo/hi are read only when flags name them; a range whose lo
 * is above its hi is empty.  Returns 0, what fn returned to stop, or a
 * negative error (-EINVAL: NULL map or fn, unknown flags, NULL string
 * bound).  concoll_map_iter_next() keeps returning -ENOENT after the end. */
CONCOLL_API int concoll_map_range(concoll_map_t *m, const void *lo, const void *hi,
                                  unsigned flags, concoll_visit_fn fn, void *ctx);
/* An iterator over a range: entries are collected in small batches inside
 * a guard (and retained when options.retain is set), so the caller need not
 * hold a guard between calls.  It resumes after the last key it returned,
 * which must stay readable: string and byte-string keys are copied when
 * the map has release but no retain, and a CONCOLL_CMP_CUSTOM map with
 * release needs retain (otherwise EINVAL; use concoll_map_range()).
 * With retain, the
 * entries it returned stay valid at least until the next call on the
 * iterator (it releases a batch when it fetches the next one or is
 * destroyed); without, as for the other functions (see Ownership).
 * NULL with errno EINVAL (NULL map, unknown flags, NULL string bound,
 * the custom-order case above) or ENOMEM.  The bounds are copied as words:
 * string and bytes bounds must stay valid until the iterator is
 * destroyed, and so must the map. */
CONCOLL_API concoll_map_iter_t *concoll_map_iter_create(concoll_map_t *m, const void *lo,
                                                        const void *hi, unsigned flags);
/* 0 and the next entry, -ENOENT at the end, or a negative error (the
 * iterator may be called again). */
CONCOLL_API int concoll_map_iter_next(concoll_map_iter_t *it, void **key_out, void **value_out);
CONCOLL_API void concoll_map_iter_destroy(concoll_map_iter_t *it);

/* ----- frozen snapshots ----- */

/* Copy the map into an immutable sorted array (weakly consistent, see
 * above: a snapshot taken while updates run holds every entry present
 * for the whole copy, and any subset of those added or removed
 * meanwhile; it is sorted and has no duplicate keys).  NULL with errno
 * EINVAL, ENOMEM, or a comparator's error. */
CONCOLL_API concoll_frozen_t *concoll_map_freeze(concoll_map_t *m);
/* Snapshots copy the order and the callbacks: they may outlive their map.
 * NULL f: concoll_frozen_size() returns 0, the others -EINVAL (destroy:
 * nothing).  Releases retained entries (when the map had retain and
 * release). */
CONCOLL_API void concoll_frozen_destroy(concoll_frozen_t *f);
CONCOLL_API size_t concoll_frozen_size(const concoll_frozen_t *f);
/* Entry at position i (0-based, ascending): 0 or -ENOENT. */
CONCOLL_API int concoll_frozen_at(const concoll_frozen_t *f, size_t i, void **key_out,
                                  void **value_out);
/* Binary search: 0 and the position of the entry nav selects in *index, or
 * -ENOENT, or a comparator's error. */
CONCOLL_API int concoll_frozen_find(const concoll_frozen_t *f, int nav, const void *key,
                                    size_t *index);
/* 0 found (value in *value when not NULL), -ENOENT, or an error. */
CONCOLL_API int concoll_frozen_get(const concoll_frozen_t *f, const void *key, void **value);
/* Like concoll_map_range(). */
CONCOLL_API int concoll_frozen_range(const concoll_frozen_t *f, const void *lo, const void *hi,
                                     unsigned flags, concoll_visit_fn fn, void *ctx);
/* 1 when both hold equal keys (by a's comparator) with equal values
 * (a's options.value_equal, else the same words), 0 otherwise; snapshots
 * of different kinds with one order compare.  -EINVAL when the orders
 * differ (a custom order: another function or context) or a map's
 * snapshot is compared with a set's; or a callback's error. */
CONCOLL_API int concoll_frozen_equal(const concoll_frozen_t *a, const concoll_frozen_t *b);
/* A hash of the contents, computed on the first call and then cached:
 * options.hash per entry, else the built-in hash of the key (its word for
 * the integer orders, its bytes for strings and byte strings; every NaN
 * hashes alike) combined with the value word (the keys only when
 * options.value_equal is set: equal values need not be equal words).
 * Custom orders need options.hash (-ENOTSUP).  Equal snapshots hash alike.
 * 0, -EINVAL, -ENOTSUP, or the hash callback's error. */
CONCOLL_API int concoll_frozen_hash(const concoll_frozen_t *f, uint64_t *hash);

#ifdef __cplusplus
}
#endif

#endif /* CONCOLL_MAP_H */
