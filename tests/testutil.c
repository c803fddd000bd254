/* SPDX-License-Identifier: BSD-3-Clause */
#include "config.h"

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <concoll/concoll.h>

#include "testutil.h"

uint64_t tu_scaled(uint64_t base)
{
	const char *s = getenv("CONCOLL_TEST_SCALE");
	double scale = s ? strtod(s, NULL) : 1.0;
	double v;

	if (!(scale > 0))
		scale = 1.0;
	v = (double)base * scale;
	return v < 1 ? 1 : (uint64_t)v;
}

static bool env_flag(const char *name)
{
	const char *s = getenv(name);

	return s && *s && strcmp(s, "0") != 0;
}

unsigned tu_threads(unsigned nominal, unsigned max, unsigned salt)
{
	const char *s = getenv("CONCOLL_TEST_RANDOM_THREADS");
	uint64_t seed, r;
	unsigned n;

	if (!s || !*s || max < 2)
		return nominal;
	seed = strtoull(s, NULL, 0);
	r = tu_mix(seed ^ tu_mix(((uint64_t)nominal << 32) | salt));
	n = 2 + (unsigned)(r % (max - 1));
	fprintf(stderr, "CONCOLL_TEST_RANDOM_THREADS=%s: %u threads in place of %u\n", s, n, nominal);
	return n;
}

/* CPU k (round robin) of the set this process may run on; false when the
 * set cannot be read. */
static bool nth_allowed_cpu(unsigned k, cpu_set_t *out)
{
	cpu_set_t all;
	int cpu, count, seen = 0;

	if (sched_getaffinity(0, sizeof all, &all) != 0 || (count = CPU_COUNT(&all)) == 0)
		return false;
	k %= (unsigned)count;
	for (cpu = 0; cpu < CPU_SETSIZE; cpu++) {
		if (CPU_ISSET(cpu, &all) && seen++ == (int)k) {
			CPU_ZERO(out);
			CPU_SET(cpu, out);
			return true;
		}
	}
	return false;
}

void tu_run_threads(unsigned n, void *(*fn)(void *), void *args, size_t arg_size)
{
	pthread_t *t = calloc(n, sizeof *t);
	bool pin = env_flag("CONCOLL_TEST_PIN");
	unsigned i;

	ck_assert_ptr_nonnull(t);
	for (i = 0; i < n; i++) {
		pthread_attr_t attr;
		cpu_set_t one;

		ck_assert_int_eq(pthread_attr_init(&attr), 0);
		if (pin && nth_allowed_cpu(i, &one))
			ck_assert_int_eq(pthread_attr_setaffinity_np(&attr, sizeof one, &one), 0);
		ck_assert_int_eq(pthread_create(&t[i], &attr, fn, (char *)args + i * arg_size), 0);
		pthread_attr_destroy(&attr);
	}
	for (i = 0; i < n; i++)
		ck_assert_int_eq(pthread_join(t[i], NULL), 0);
	free(t);
}

void tu_gate_init(struct tu_gate *g)
{
	atomic_init(&g->arrived, 0);
	atomic_init(&g->go, 0);
}

void tu_gate_wait(struct tu_gate *g, unsigned n)
{
	if (atomic_fetch_add(&g->arrived, 1) + 1 == n)
		atomic_store(&g->go, 1);
	while (!atomic_load(&g->go))
		sched_yield();
}

/* ---- failure-injecting allocator ---------------------------------------- */

static _Atomic uint64_t alloc_calls;
static _Atomic uint64_t alloc_fail_at;
static atomic_bool alloc_sticky;
static _Atomic int64_t alloc_live;

static void *tu_alloc(size_t size, size_t align, void *ctx)
{
	uint64_t n = atomic_fetch_add(&alloc_calls, 1) + 1;
	uint64_t f = atomic_load(&alloc_fail_at);
	void *p = NULL;

	(void)ctx;
	if (f && (n == f || (n > f && atomic_load(&alloc_sticky))))
		return NULL;
	if (posix_memalign(&p, align < sizeof(void *) ? sizeof(void *) : align, size ? size : 1))
		return NULL;
	atomic_fetch_add(&alloc_live, (int64_t)size);
	return p;
}

static void tu_free(void *ptr, size_t size, size_t align, void *ctx)
{
	(void)align;
	(void)ctx;
	atomic_fetch_sub(&alloc_live, (int64_t)size);
	free(ptr);
}

void tu_alloc_install(void)
{
	struct concoll_allocator a = { sizeof a, tu_alloc, tu_free, NULL };

	atomic_store(&alloc_calls, 0);
	atomic_store(&alloc_fail_at, 0);
	atomic_store(&alloc_live, 0);
	ck_assert_int_eq(concoll_set_allocator(&a), 0);
}

void tu_alloc_fail_at(uint64_t nth, bool sticky)
{
	atomic_store(&alloc_sticky, sticky);
	atomic_store(&alloc_fail_at, nth ? atomic_load(&alloc_calls) + nth : 0);
}

uint64_t tu_alloc_count(void)
{
	return atomic_load(&alloc_calls);
}

int64_t tu_alloc_live(void)
{
	return atomic_load(&alloc_live);
}

void tu_alloc_uninstall(void)
{
	ck_assert_int_eq(concoll_set_allocator(NULL), 0);
}

int tu_run_suite(Suite *s)
{
	SRunner *sr = srunner_create(s);
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	/* free what the tests left pending (matters when CK_FORK=no) */
	concoll_smr_barrier();
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
