/* SPDX-License-Identifier: BSD-3-Clause */
/* Key orders: the out-of-line comparison and the built-in key hashes. */
#include "config.h"

#include "map/compare.h"

int cc_cmp_call(const struct cc_cmp *c, const void *a, const void *b, int *order)
{
	return cc_cmp_keys(c, c->kind, a, b, order);
}

static uint64_t cc_mix64(uint64_t x)
{
	/* the finalizer of SplitMix64 */
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ull;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebull;
	x ^= x >> 31;
	return x;
}

static uint64_t cc_hash_bytes(const void *p, size_t n)
{
	const unsigned char *b = p;
	uint64_t h = 0xcbf29ce484222325ull ^ n; /* FNV-1a, then mixed */

	for (size_t i = 0; i < n; i++) {
		h ^= b[i];
		h *= 0x100000001b3ull;
	}
	return cc_mix64(h);
}

int cc_cmp_hash(const struct cc_cmp *c, const void *key, uint64_t *hash)
{
	switch (c->kind) {
	case CONCOLL_CMP_U64:
	case CONCOLL_CMP_I64:
		*hash = cc_mix64((uint64_t)(uintptr_t)key);
		return 0;
	case CONCOLL_CMP_DOUBLE:
		/* equal keys (every NaN) have equal images */
		*hash = cc_mix64((uint64_t)cc_double_ord(key));
		return 0;
	case CONCOLL_CMP_STRING:
		*hash = cc_hash_bytes(key, strlen(key));
		return 0;
	case CONCOLL_CMP_BYTES: {
		const struct concoll_bytes *b = key;

		*hash = cc_hash_bytes(b->data, b->len);
		return 0;
	}
	default:
		return -ENOTSUP;
	}
}

uint64_t cc_hash_word(uint64_t x)
{
	return cc_mix64(x);
}
