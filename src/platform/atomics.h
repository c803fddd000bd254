/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Atomics beyond <stdatomic.h> (internal): a full barrier that ThreadSanitizer
 * accepts, the spin-wait hint, and the 16-byte compare-and-swap with run-time
 * dispatch.
 */
#ifndef CC_PLATFORM_ATOMICS_H
#define CC_PLATFORM_ATOMICS_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "platform/compiler.h"

/* Full barrier: orders earlier stores before later loads (the Dekker edge
 * every pin/scan pair relies on).  On x86 a locked no-op on the stack is
 * cheaper than mfence and is not flagged by GCC's -Wtsan. */
static inline void cc_smp_mb(void)
{
#if defined(__x86_64__)
	__asm__ __volatile__("lock; orl $0, (%%rsp)" ::: "memory", "cc");
#else
	atomic_thread_fence(memory_order_seq_cst);
#endif
}

/* Spin-wait hint. */
static inline void cc_pause(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ __volatile__("isb" ::: "memory");
#else
	__asm__ __volatile__("" ::: "memory");
#endif
}

/* A 16-byte value, as two words, 16-byte aligned. */
typedef struct cc_u128 {
	uint64_t lo;
	uint64_t hi;
} CC_ALIGNED(16) cc_u128;

static inline bool cc_u128_eq(cc_u128 a, cc_u128 b)
{
	return a.lo == b.lo && a.hi == b.hi;
}

/*
 * 16-byte CAS on *p: if *p equals *expected, store desired and return true;
 * otherwise copy *p into *expected and return false.  Sequentially
 * consistent.  Every access to a location updated this way must go through
 * cc_cas128()/cc_load128(): the portable path (chosen when the CPU lacks the
 * instruction or CONCOLL_CPU_DISABLE says so) uses a table of striped locks.
 */
typedef bool (*cc_cas128_fn)(cc_u128 *p, cc_u128 *expected, cc_u128 desired);
typedef cc_u128 (*cc_load128_fn)(cc_u128 *p);

extern CC_INTERNAL cc_cas128_fn cc_cas128_impl;
extern CC_INTERNAL cc_load128_fn cc_load128_impl;
/* Name of the implementation chosen: "cmpxchg16b", "casp", "ldxp/stxp",
 * "locked" or "tsan-atomic". */
extern CC_INTERNAL const char *cc_cas128_name;
/* True when an 8-byte atomic read-modify-write of one half is atomic with
 * respect to cc_cas128() on the pair (a native instruction, outside
 * ThreadSanitizer builds); false for the locked path, whose users must
 * update halves through cc_cas128() too. */
extern CC_INTERNAL bool cc_cas128_halves_atomic;

static inline bool cc_cas128(cc_u128 *p, cc_u128 *expected, cc_u128 desired)
{
	return cc_cas128_impl(p, expected, desired);
}

static inline cc_u128 cc_load128(cc_u128 *p)
{
	return cc_load128_impl(p);
}

/*
 * One half of a location that cc_cas128() updates, for algorithms that
 * change one half per CAS and read the halves separately: an 8-byte atomic
 * load, valid with every implementation (the portable one writes each half
 * atomically).  ThreadSanitizer keys synchronization by address, so its
 * builds read the pair through the 16-byte atomic the CAS uses and see the
 * CAS's release.
 */
static inline uint64_t cc_load128_lo(cc_u128 *p)
{
#if defined(CONCOLL_TSAN)
	return cc_load128(p).lo;
#else
	return __atomic_load_n(&p->lo, __ATOMIC_SEQ_CST);
#endif
}

static inline uint64_t cc_load128_hi(cc_u128 *p)
{
#if defined(CONCOLL_TSAN)
	return cc_load128(p).hi;
#else
	return __atomic_load_n(&p->hi, __ATOMIC_SEQ_CST);
#endif
}

/* Choose the implementation for the given effective CPU features
 * (CONCOLL_CPU_* bits).  Called once at load time; tests call it again,
 * single-threaded, to run each path. */
CC_INTERNAL void cc_cas128_select(unsigned features);

#endif /* CC_PLATFORM_ATOMICS_H */
