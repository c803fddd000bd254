/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * 16-byte compare-and-swap: one function per instruction set, each compiled
 * for its target only, chosen at run time (no libatomic on the hot path).
 */
#include "config.h"

#include <sched.h>
#include <string.h>

#include "concoll/cpu.h"
#include "platform/atomics.h"

/* ---- portable path: striped spinlocks ------------------------------------ */

#define CC_CAS128_LOCKS 64

static struct {
	atomic_flag busy;
} CC_CACHE_ALIGNED cas128_locks[CC_CAS128_LOCKS] = {
	[0 ... CC_CAS128_LOCKS - 1] = { ATOMIC_FLAG_INIT },
};

static atomic_flag *cas128_lock_for(const void *p)
{
	uintptr_t h = (uintptr_t)p >> 4;
	h ^= h >> 7;
	return &cas128_locks[h % CC_CAS128_LOCKS].busy;
}

static void cas128_lock(atomic_flag *f)
{
	unsigned spins = 0;

	/* acquire: the critical section reads what the previous holder wrote */
	while (atomic_flag_test_and_set_explicit(f, memory_order_acquire)) {
		if (++spins < 64) {
			cc_pause();
		} else {
			sched_yield(); /* the holder may be preempted */
			spins = 0;
		}
	}
}

static bool cas128_locked(cc_u128 *p, cc_u128 *expected, cc_u128 desired)
{
	atomic_flag *f = cas128_lock_for(p);
	cc_u128 cur;
	bool ok;

	cas128_lock(f);
	/* Each half is read and written with an 8-byte atomic access
	 * (seq_cst, as the native CAS is): a reader that loads one half atomically,
	 * outside the lock, never sees it torn (cc_load128_lo/hi rely on
	 * this). */
	cur.lo = __atomic_load_n(&p->lo, __ATOMIC_SEQ_CST);
	cur.hi = __atomic_load_n(&p->hi, __ATOMIC_SEQ_CST);
	if (cur.lo == expected->lo && cur.hi == expected->hi) {
		if (desired.lo != cur.lo)
			__atomic_store_n(&p->lo, desired.lo, __ATOMIC_SEQ_CST);
		if (desired.hi != cur.hi)
			__atomic_store_n(&p->hi, desired.hi, __ATOMIC_SEQ_CST);
		ok = true;
	} else {
		*expected = cur;
		ok = false;
	}
	/* release: publishes the 16 bytes to the next holder */
	atomic_flag_clear_explicit(f, memory_order_release);
	return ok;
}

static cc_u128 load128_locked(cc_u128 *p)
{
	atomic_flag *f = cas128_lock_for(p);
	cc_u128 v;

	cas128_lock(f);
	v.lo = __atomic_load_n(&p->lo, __ATOMIC_SEQ_CST);
	v.hi = __atomic_load_n(&p->hi, __ATOMIC_SEQ_CST);
	atomic_flag_clear_explicit(f, memory_order_release); /* pairs with the acquire above */
	return v;
}

/* ---- native paths -------------------------------------------------------- */

#if defined(CONCOLL_TSAN)
/* ThreadSanitizer build: the __atomic builtin becomes
 * __tsan_atomic128_compare_exchange_strong, so TSan sees every access. */
typedef unsigned __int128 u128raw;

static bool cas128_tsan(cc_u128 *p, cc_u128 *expected, cc_u128 desired)
{
	u128raw e, d;
	bool ok;

	memcpy(&e, expected, sizeof e);
	memcpy(&d, &desired, sizeof d);
	ok = __atomic_compare_exchange_n((u128raw *)(void *)p, &e, d, false,
	                                 __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
	memcpy(expected, &e, sizeof e);
	return ok;
}

static cc_u128 load128_tsan(cc_u128 *p)
{
	u128raw r = __atomic_load_n((u128raw *)(void *)p, __ATOMIC_SEQ_CST);
	cc_u128 v;

	memcpy(&v, &r, sizeof v);
	return v;
}
#elif defined(__x86_64__)
typedef unsigned __int128 u128raw;

/* Compiled for cx16 only: GCC and clang inline lock cmpxchg16b here. */
__attribute__((target("cx16"))) static bool cas128_cx16(cc_u128 *p, cc_u128 *expected,
                                                         cc_u128 desired)
{
	u128raw e, d, old;

	memcpy(&e, expected, sizeof e);
	memcpy(&d, &desired, sizeof d);
	old = __sync_val_compare_and_swap((u128raw *)(void *)p, e, d); /* full barrier */
	if (old == e)
		return true;
	memcpy(expected, &old, sizeof old);
	return false;
}

/* There is no architectural 16-byte atomic load before AVX: a CAS that
 * stores back what it found is one. */
__attribute__((target("cx16"))) static cc_u128 load128_cx16(cc_u128 *p)
{
	u128raw old = __sync_val_compare_and_swap((u128raw *)(void *)p, 0, 0);
	cc_u128 v;

	memcpy(&v, &old, sizeof v);
	return v;
}
#elif defined(__aarch64__)
/* ARMv8.1 LSE: CASPAL, a single instruction. */
__attribute__((target("arch=armv8.1-a"))) static bool cas128_lse(cc_u128 *p, cc_u128 *expected,
                                                                   cc_u128 desired)
{
	register uint64_t x0 __asm__("x0") = expected->lo;
	register uint64_t x1 __asm__("x1") = expected->hi;
	register uint64_t x2 __asm__("x2") = desired.lo;
	register uint64_t x3 __asm__("x3") = desired.hi;
	uint64_t elo = expected->lo, ehi = expected->hi;

	__asm__ __volatile__("caspal %0, %1, %2, %3, [%4]"
	                     : "+r"(x0), "+r"(x1)
	                     : "r"(x2), "r"(x3), "r"(p)
	                     : "memory");
	if (x0 == elo && x1 == ehi)
		return true;
	expected->lo = x0;
	expected->hi = x1;
	return false;
}

static cc_u128 load128_lse(cc_u128 *p)
{
	cc_u128 v = { 0, 0 };

	cas128_lse(p, &v, v);
	return v;
}

/* ARMv8.0: load-exclusive pair / store-exclusive pair, a lock-free loop. */
static bool cas128_llsc(cc_u128 *p, cc_u128 *expected, cc_u128 desired)
{
	uint64_t lo, hi;
	uint32_t fail;

	do {
		__asm__ __volatile__("ldaxp %0, %1, [%2]" : "=&r"(lo), "=&r"(hi) : "r"(p) : "memory");
		if (lo != expected->lo || hi != expected->hi) {
			/* store back what we read to close the exclusive monitor atomically */
			__asm__ __volatile__("stlxp %w0, %1, %2, [%3]"
			                     : "=&r"(fail)
			                     : "r"(lo), "r"(hi), "r"(p)
			                     : "memory");
			if (fail)
				continue;
			expected->lo = lo;
			expected->hi = hi;
			return false;
		}
		__asm__ __volatile__("stlxp %w0, %1, %2, [%3]"
		                     : "=&r"(fail)
		                     : "r"(desired.lo), "r"(desired.hi), "r"(p)
		                     : "memory");
	} while (fail);
	return true;
}

static cc_u128 load128_llsc(cc_u128 *p)
{
	cc_u128 v = { 0, 0 };

	cas128_llsc(p, &v, v);
	return v;
}
#endif

CC_INTERNAL cc_cas128_fn cc_cas128_impl = cas128_locked;
CC_INTERNAL cc_load128_fn cc_load128_impl = load128_locked;
CC_INTERNAL const char *cc_cas128_name = "locked";
CC_INTERNAL bool cc_cas128_halves_atomic;

void cc_cas128_select(unsigned features)
{
	cc_cas128_fn cas = cas128_locked;
	cc_load128_fn load = load128_locked;
	const char *name = "locked";

#if defined(CONCOLL_TSAN)
	(void)features;
	cas = cas128_tsan;
	load = load128_tsan;
	name = "tsan-atomic";
#elif defined(__x86_64__)
	if (features & CONCOLL_CPU_CX16) {
		cas = cas128_cx16;
		load = load128_cx16;
		name = "cmpxchg16b";
	}
#elif defined(__aarch64__)
	if (features & CONCOLL_CPU_LSE) {
		cas = cas128_lse;
		load = load128_lse;
		name = "casp";
	} else {
		cas = cas128_llsc;
		load = load128_llsc;
		name = "ldxp/stxp";
	}
#else
	(void)features;
#endif
	cc_cas128_impl = cas;
	cc_load128_impl = load;
	cc_cas128_name = name;
	cc_cas128_halves_atomic = cas != cas128_locked;
#if defined(CONCOLL_TSAN)
	cc_cas128_halves_atomic = false;
#endif
}
