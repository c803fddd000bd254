/* SPDX-License-Identifier: BSD-3-Clause */
/* Compiler helpers shared by every layer (internal). */
#ifndef CC_PLATFORM_COMPILER_H
#define CC_PLATFORM_COMPILER_H

#include <stddef.h>
#include <stdint.h>

#define CC_LIKELY(x) __builtin_expect(!!(x), 1)
#define CC_UNLIKELY(x) __builtin_expect(!!(x), 0)

/* Destructive interference size.  128 rather than 64: adjacent-line
 * prefetchers on x86 pull cache lines in pairs. */
#define CC_CACHELINE 128
#define CC_ALIGNED(n) __attribute__((aligned(n)))
#define CC_CACHE_ALIGNED CC_ALIGNED(CC_CACHELINE)

#define CC_INTERNAL __attribute__((visibility("hidden")))
#define CC_NOINLINE __attribute__((noinline))
#define CC_COLD __attribute__((cold))
#define CC_UNUSED __attribute__((unused))

/* Thread-local storage of the library: initial-exec keeps the access to one
 * instruction; the few bytes fit glibc's static TLS surplus, so the library
 * can still be dlopen()ed (e.g. by the Python extension). */
#define CC_TLS __thread __attribute__((tls_model("initial-exec")))

#define cc_container_of(ptr, type, member) \
	((type *)(void *)((char *)(ptr) - offsetof(type, member)))

#define CC_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#ifdef CONCOLL_DEBUG
#include <assert.h>
#define CC_ASSERT(x) assert(x)
#else
#define CC_ASSERT(x) ((void)0)
#endif

/* Round up to a power of two; 0 and 1 give 1.  x must be <= 2^63. */
static inline uint64_t cc_pow2_ceil(uint64_t x)
{
	return x <= 1 ? 1 : (uint64_t)1 << (64 - __builtin_clzll(x - 1));
}

static inline unsigned cc_log2(uint64_t pow2)
{
	return (unsigned)__builtin_ctzll(pow2);
}

/* xorshift64*: a per-thread pseudo-random source for backoff and slot choice. */
static inline uint64_t cc_rand_next(uint64_t *state)
{
	uint64_t x = *state;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*state = x;
	return x * 0x2545F4914F6CDD1DULL;
}

#endif /* CC_PLATFORM_COMPILER_H */
