/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Keys of the ordered collections (key.c).
 *
 * A key is one word in the library's maps:
 *   - odd: an exact int of 63 bits, stored immediately as (v << 1) | 1, when
 *     the collection has no key function.  Two such words compare as
 *     signed integers, so int keys never touch memory or Python;
 *   - even: a struct ccpy_key, which holds the key object, its sort object
 *     (key(obj), or the object itself), its class and an order-preserving
 *     64-bit prefix.  Two keys of one class (number, str, bytes) are
 *     compared by prefix and then, on a tie, in C (int64, double,
 *     PyUnicode_Compare, memcmp); only keys of other types, or of two
 *     classes, are compared by calling Python (<), whose exception aborts
 *     the library call with the collection unchanged.
 * Every number (int, bool, float) maps to the order of its value as a
 * double (-0.0 as 0.0; a NaN above +inf, all NaNs one key), so that int
 * and float keys mix and a NaN never reaches Python's comparison (which
 * cannot order it).
 */
#ifndef CCPY_CKEY_H
#define CCPY_CKEY_H

#include "ccpy.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

enum ccpy_kcls {
	CK_INT,    /* an int (or bool) of 64 bits */
	CK_FLOAT,  /* a float */
	CK_BIGINT, /* a larger int: the prefix orders it, Python breaks ties */
	CK_STR,
	CK_BYTES,
	CK_OTHER,
};

struct ccpy_key {
	uint64_t prefix;
	int cls; /* enum ccpy_kcls */
	union {
		int64_t i; /* CK_INT with a 64-bit value (else cls is CK_OTHER) */
		double d;  /* CK_FLOAT */
	} num;
	PyObject *obj;  /* the key as given (a strong reference when owned) */
	PyObject *sort; /* key(obj) with a key function, else obj (no extra reference) */
	atomic_long refs; /* owned keys: the map and the snapshots that retained it */
	bool owned;
};

#define CCPY_IMM_MIN (-(INT64_C(1) << 62))
#define CCPY_IMM_MAX ((INT64_C(1) << 62) - 1)

static inline bool ccpy_is_imm(const void *w)
{
	return ((uintptr_t)w & 1u) != 0;
}

static inline int64_t ccpy_imm_value(const void *w)
{
	return (int64_t)(intptr_t)w >> 1;
}

/* A probe for lookups: the word to pass the library and, when the key is
 * not immediate, the storage it points into.  Borrowed references; nothing
 * to free except the sort object (ccpy_probe_done). */
struct ccpy_probe {
	void *word;
	struct ccpy_key k;
};

/* Build a probe for obj (keyfunc may be NULL).  0 or -1 with an exception
 * (the key function raised, or a float key that is unhashable...). */
int ccpy_probe_init(struct ccpy_probe *p, PyObject *obj, PyObject *keyfunc);
void ccpy_probe_done(struct ccpy_probe *p);

/* A key to store: an immediate word or a new owned struct (refs = 1) with
 * strong references.  NULL with an exception. */
void *ccpy_key_new(PyObject *obj, PyObject *keyfunc);
/* Drop a key made by ccpy_key_new() that the library did not take. */
void ccpy_key_discard(void *word);
/* The key object of a stored word: a new reference (NULL with an
 * exception for an int that cannot be made). */
PyObject *ccpy_key_object(const void *word);

/* The library's callbacks. */
int ccpy_compare(const void *a, const void *b, int *order, void *ctx);
void ccpy_release(void *key, void *value, void *ctx);
void ccpy_retain(void *key, void *value, void *ctx);
int ccpy_hash(const void *key, const void *value, uint64_t *hash, void *ctx);
int ccpy_value_equal(const void *a, const void *b, void *ctx);

/* Library calls of this module run between these (they mark the thread as
 * inside a call, where references are not dropped: see ccpy_maybe_drain). */
extern _Thread_local int ccpy_depth;
#define CCPY_CALL(expr) (ccpy_depth++, __extension__({ __auto_type r_ = (expr); ccpy_depth--; r_; }))

/* Destroy a map (or queue the destruction, when called inside a library
 * call on this thread). */
void ccpy_map_destroy(concoll_map_t *m);

#endif /* CCPY_CKEY_H */
