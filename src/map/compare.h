/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Key orders (internal).  cc_cmp_keys() is always inlined; a search loop
 * that is itself inlined with a constant kind (see skiplist.c) compiles to
 * a plain integer comparison for the natural orders.
 */
#ifndef CC_MAP_COMPARE_H
#define CC_MAP_COMPARE_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "concoll/map.h"
#include "platform/compiler.h"

struct cc_cmp {
	int kind; /* enum concoll_cmp_kind */
	concoll_compare_fn fn;
	void *ctx;
};

/* Double keys: a signed integer whose order is Java's Double.compare
 * (-0.0 < +0.0, every NaN one key above +Inf). */
static inline int64_t cc_double_ord(const void *k)
{
	uint64_t u = (uint64_t)(uintptr_t)k;

	if ((u & 0x7ff0000000000000ull) == 0x7ff0000000000000ull && (u & 0x000fffffffffffffull))
		u = 0x7ff8000000000000ull; /* one NaN */
	return (int64_t)(u ^ (uint64_t)(((int64_t)u >> 63) & INT64_MAX));
}

static inline int cc_bytes_cmp(const struct concoll_bytes *a, const struct concoll_bytes *b)
{
	size_t n = a->len < b->len ? a->len : b->len;
	int r = n ? memcmp(a->data, b->data, n) : 0;

	if (r)
		return r;
	return (a->len > b->len) - (a->len < b->len);
}

#define CC_CMP3(x, y) (((x) > (y)) - ((x) < (y)))

/* Compare a with b under kind; 0 and *order, or the comparator's error. */
static inline __attribute__((always_inline)) int cc_cmp_keys(const struct cc_cmp *c, int kind,
                                                             const void *a, const void *b,
                                                             int *order)
{
	switch (kind) {
	case CONCOLL_CMP_U64:
		*order = CC_CMP3((uintptr_t)a, (uintptr_t)b);
		return 0;
	case CONCOLL_CMP_I64:
		*order = CC_CMP3((intptr_t)a, (intptr_t)b);
		return 0;
	case CONCOLL_CMP_DOUBLE: {
		int64_t x = cc_double_ord(a), y = cc_double_ord(b);

		*order = CC_CMP3(x, y);
		return 0;
	}
	case CONCOLL_CMP_STRING:
		*order = strcmp((const char *)a, (const char *)b);
		return 0;
	case CONCOLL_CMP_BYTES:
		*order = cc_bytes_cmp((const struct concoll_bytes *)a, (const struct concoll_bytes *)b);
		return 0;
	default: {
		int o = 0, r = c->fn(a, b, &o, c->ctx);

		if (CC_UNLIKELY(r != 0))
			return r < 0 ? r : -ECANCELED;
		*order = o;
		return 0;
	}
	}
}

/*
 * Call a search template once per operation with the order as a constant,
 * so that the natural orders are compiled in: call_k(k) is an expression
 * whose value is returned.
 */
#define CC_CMP_DISPATCH(kind, call_k)                                          \
	switch (kind) {                                                        \
	case CONCOLL_CMP_U64: return call_k(CONCOLL_CMP_U64);                  \
	case CONCOLL_CMP_I64: return call_k(CONCOLL_CMP_I64);                  \
	case CONCOLL_CMP_DOUBLE: return call_k(CONCOLL_CMP_DOUBLE);            \
	case CONCOLL_CMP_STRING: return call_k(CONCOLL_CMP_STRING);            \
	case CONCOLL_CMP_BYTES: return call_k(CONCOLL_CMP_BYTES);              \
	default: return call_k(CONCOLL_CMP_CUSTOM);                            \
	}

/* May key be given to this order?  The string orders dereference it. */
static inline bool cc_cmp_key_ok(const struct cc_cmp *c, const void *key)
{
	return key != NULL || c->kind < CONCOLL_CMP_STRING || c->kind == CONCOLL_CMP_CUSTOM;
}

/* Out of line, for code that is not on a hot path. */
CC_INTERNAL int cc_cmp_call(const struct cc_cmp *c, const void *a, const void *b, int *order);
/* Built-in hash of a key (natural orders); -ENOTSUP for custom. */
CC_INTERNAL int cc_cmp_hash(const struct cc_cmp *c, const void *key, uint64_t *hash);
/* A 64-bit mixer (SplitMix64 finalizer). */
CC_INTERNAL uint64_t cc_hash_word(uint64_t x);

#endif /* CC_MAP_COMPARE_H */
