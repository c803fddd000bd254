/* SPDX-License-Identifier: BSD-3-Clause */
/* Helpers shared by the check-based tests. */
#ifndef CONCOLL_TESTUTIL_H
#define CONCOLL_TESTUTIL_H

#include <check.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* CONCOLL_TEST_SCALE (default 1; check-long uses 20, valgrind 0.02)
 * multiplies operation counts.  Returns max(1, base * scale). */
uint64_t tu_scaled(uint64_t base);

/* Run fn(i, arg) on n threads started together; joins them all.  With
 * CONCOLL_TEST_PIN=1 (check-long) thread i is pinned to the i-th CPU of
 * the process's affinity set, round robin. */
void tu_run_threads(unsigned n, void *(*fn)(void *), void *args, size_t arg_size);

/* The thread count a stress test runs with in place of its nominal one.
 * Normally `nominal`; with CONCOLL_TEST_RANDOM_THREADS=SEED (check-long)
 * a count drawn from [2, max], a function of the seed, the nominal count
 * and `salt` (the loop test's index), written to stderr so that a failure
 * can be rerun. */
unsigned tu_threads(unsigned nominal, unsigned max, unsigned salt);

/* A start line for threads of one round. */
struct tu_gate {
	atomic_uint arrived;
	atomic_uint go;
};
void tu_gate_init(struct tu_gate *g);
void tu_gate_wait(struct tu_gate *g, unsigned n);

/* 64-bit mixer for checksums (a bijection, so distinct items mix distinctly). */
static inline uint64_t tu_mix(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return x;
}

/* xorshift64* */
static inline uint64_t tu_rand(uint64_t *s)
{
	uint64_t x = *s;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return x * 0x2545F4914F6CDD1DULL;
}

/* Item encoding for multi-producer tests: never NULL. */
#define TU_ITEM(producer, seq) ((void *)(uintptr_t)((((uint64_t)(producer) + 1) << 40) | (uint64_t)(seq)))
#define TU_ITEM_PRODUCER(p) ((unsigned)(((uint64_t)(uintptr_t)(p) >> 40) - 1))
#define TU_ITEM_SEQ(p) ((uint64_t)(uintptr_t)(p) & ((1ULL << 40) - 1))

/* Failure-injecting allocator: the nth allocation from now (1-based) and,
 * when sticky, every later one fails; 0 disables.  Counts allocations and
 * live bytes. */
void tu_alloc_install(void);
void tu_alloc_fail_at(uint64_t nth, bool sticky);
uint64_t tu_alloc_count(void);
int64_t tu_alloc_live(void);
void tu_alloc_uninstall(void);

/* Run the suite; returns the process exit status. */
int tu_run_suite(Suite *s);

#endif
