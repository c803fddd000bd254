/* SPDX-License-Identifier: BSD-3-Clause */
/* Platform layer: CPU detection, CONCOLL_CPU_DISABLE, the 16-byte CAS on
 * every path, backoff configuration, version.  White box: links the
 * convenience library. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <concoll/concoll.h>

#include "platform/atomics.h"
#include "platform/cpu.h"
#include "testutil.h"

static char self_exe[4096];

START_TEST(version_matches_header)
{
	ck_assert_str_eq(concoll_version(), CONCOLL_VERSION_STRING);
	ck_assert_int_eq(CONCOLL_VERSION_NUMBER,
	                 (CONCOLL_VERSION_MAJOR << 16) | (CONCOLL_VERSION_MINOR << 8) |
	                         CONCOLL_VERSION_PATCH);
}
END_TEST

START_TEST(features_are_consistent)
{
	unsigned det = concoll_cpu_features_detected();
	unsigned eff = concoll_cpu_features();
	const char *d = concoll_cpu_describe();

	ck_assert_uint_eq(eff & ~det, 0);
	ck_assert_ptr_nonnull(strstr(d, "arch="));
	ck_assert_ptr_nonnull(strstr(d, "cas128="));
	ck_assert_ptr_nonnull(strstr(d, cc_cas128_name));
#if defined(__x86_64__) && !defined(CONCOLL_TSAN)
	/* every x86-64 CPU made in this century has it */
	if (getenv("CONCOLL_CPU_DISABLE") == NULL) {
		ck_assert(det & CONCOLL_CPU_CX16);
		ck_assert_str_eq(cc_cas128_name, "cmpxchg16b");
	}
#endif
}
END_TEST

START_TEST(parse_disable)
{
	char unknown[64];

	ck_assert_uint_eq(cc_cpu_parse_disable(NULL, unknown, sizeof unknown), 0);
	ck_assert_uint_eq(cc_cpu_parse_disable("", unknown, sizeof unknown), 0);
	ck_assert_uint_eq(cc_cpu_parse_disable("cx16", unknown, sizeof unknown), CONCOLL_CPU_CX16);
	ck_assert_str_eq(unknown, "");
	ck_assert_uint_eq(cc_cpu_parse_disable("lse,cx16", unknown, sizeof unknown),
	                  CONCOLL_CPU_CX16 | CONCOLL_CPU_LSE);
	ck_assert_uint_eq(cc_cpu_parse_disable(" all ", unknown, sizeof unknown),
	                  CONCOLL_CPU_CX16 | CONCOLL_CPU_LSE);
	ck_assert_uint_eq(cc_cpu_parse_disable("none", unknown, sizeof unknown), 0);
	ck_assert_uint_eq(cc_cpu_parse_disable("bogus,cx16,cx1", unknown, sizeof unknown),
	                  CONCOLL_CPU_CX16);
	ck_assert_str_eq(unknown, "bogus,cx1");
	/* a list too long to keep says so instead of cutting a name */
	ck_assert_uint_eq(cc_cpu_parse_disable("aaaa,bbbb,cccc,lse", unknown, 12), CONCOLL_CPU_LSE);
	ck_assert_str_eq(unknown, "aaaa...");
	ck_assert_uint_eq(cc_cpu_parse_disable("abcdefghijklmnop", unknown, 8), 0);
	ck_assert_str_eq(unknown, "...");
}
END_TEST

/* Runs this program again with CONCOLL_CPU_DISABLE set; the child prints
 * its effective features and the 16-byte CAS it chose. */
static void run_child(const char *disable, unsigned *features, char *name, size_t name_size)
{
	char cmd[4096 + 128];
	FILE *p;

	/* TU_EXEC_WRAPPER: how to run a program of this build (make
	 * check-aarch64 sets it to the emulator, which /bin/sh lacks) */
	const char *wrapper = getenv("TU_EXEC_WRAPPER");

	snprintf(cmd, sizeof cmd, "CONCOLL_CPU_DISABLE='%s' %s '%s' --print-features", disable,
	         wrapper ? wrapper : "", self_exe);
	p = popen(cmd, "r");
	ck_assert_ptr_nonnull(p);
	ck_assert_int_eq(fscanf(p, "%u %63s", features, name), 2);
	(void)name_size;
	ck_assert_int_eq(pclose(p), 0);
}

START_TEST(disable_env_forces_fallback)
{
	unsigned f;
	char name[64];

	run_child("all", &f, name, sizeof name);
	ck_assert_uint_eq(f, 0);
#if defined(CONCOLL_TSAN)
	ck_assert_str_eq(name, "tsan-atomic");
#elif defined(__x86_64__)
	ck_assert_str_eq(name, "locked");
#elif defined(__aarch64__)
	ck_assert_str_eq(name, "ldxp/stxp");
#endif
	run_child("cx16", &f, name, sizeof name);
	ck_assert_uint_eq(f & CONCOLL_CPU_CX16, 0);
	ck_assert_uint_eq(f, concoll_cpu_features_detected() & ~CONCOLL_CPU_CX16);
	run_child("", &f, name, sizeof name);
	ck_assert_uint_eq(f, concoll_cpu_features_detected());
	ck_assert_str_eq(name, cc_cas128_name);
}
END_TEST

/* ---- 16-byte CAS ---------------------------------------------------------- */

static cc_u128 shared128;

struct cas_arg {
	unsigned iters;
	unsigned torn;
};

/* Each successful CAS stores (x+1, ~(x+1)): any torn read breaks the pair. */
static void *cas_worker(void *p)
{
	struct cas_arg *a = p;
	unsigned i;

	for (i = 0; i < a->iters; i++) {
		cc_u128 cur = cc_load128(&shared128);

		for (;;) {
			cc_u128 next;

			if (cur.hi != ~cur.lo)
				a->torn++;
			next.lo = cur.lo + 1;
			next.hi = ~next.lo;
			if (cc_cas128(&shared128, &cur, next))
				break;
		}
	}
	return NULL;
}

static void check_cas128_path(unsigned features)
{
	enum { THREADS = 8 };
	struct cas_arg args[THREADS];
	unsigned iters = (unsigned)tu_scaled(20000), i, torn = 0;
	cc_u128 v, e, d;

	cc_cas128_select(features);
	/* sequential semantics */
	v.lo = 1;
	v.hi = 2;
	shared128 = v;
	e.lo = 1;
	e.hi = 3; /* wrong expectation */
	d.lo = 7;
	d.hi = 8;
	ck_assert(!cc_cas128(&shared128, &e, d));
	ck_assert(cc_u128_eq(e, v)); /* failure reports the current value */
	ck_assert(cc_cas128(&shared128, &e, d));
	ck_assert(cc_u128_eq(cc_load128(&shared128), d));

	/* concurrent increments: nothing lost, nothing torn */
	shared128.lo = 0;
	shared128.hi = ~(uint64_t)0;
	memset(args, 0, sizeof args);
	for (i = 0; i < THREADS; i++)
		args[i].iters = iters;
	tu_run_threads(THREADS, cas_worker, args, sizeof args[0]);
	for (i = 0; i < THREADS; i++)
		torn += args[i].torn;
	v = cc_load128(&shared128);
	ck_assert_uint_eq(torn, 0);
	ck_assert_uint_eq(v.lo, (uint64_t)iters * THREADS);
	ck_assert_uint_eq(v.hi, ~v.lo);
	cc_cas128_select(concoll_cpu_features());
}

START_TEST(cas128_portable)
{
	cc_cas128_select(0);
#if defined(CONCOLL_TSAN)
	ck_assert_str_eq(cc_cas128_name, "tsan-atomic");
#elif defined(__aarch64__)
	ck_assert_str_eq(cc_cas128_name, "ldxp/stxp");
#else
	ck_assert_str_eq(cc_cas128_name, "locked");
#endif
	check_cas128_path(0);
}
END_TEST

START_TEST(cas128_native)
{
	check_cas128_path(concoll_cpu_features_detected());
}
END_TEST

/* ---- backoff configuration -------------------------------------------------- */

START_TEST(backoff_config)
{
	struct concoll_backoff_config c = { sizeof c, 0, 0, 0 }, orig = { sizeof orig, 0, 0, 0 };

	ck_assert_int_eq(concoll_backoff_get_config(&orig), 0);
	ck_assert_uint_ge(orig.spin_min, 1);
	ck_assert_uint_le(orig.spin_min, orig.spin_max);

	c.spin_min = 2;
	c.spin_max = 64;
	c.yield_every = 3;
	ck_assert_int_eq(concoll_backoff_set_config(&c), 0);
	memset(&c, 0, sizeof c);
	c.size = sizeof c;
	ck_assert_int_eq(concoll_backoff_get_config(&c), 0);
	ck_assert_uint_eq(c.spin_min, 2);
	ck_assert_uint_eq(c.spin_max, 64);
	ck_assert_uint_eq(c.yield_every, 3);

	/* invalid: nothing changes */
	c.spin_min = 0;
	ck_assert_int_eq(concoll_backoff_set_config(&c), -EINVAL);
	c.spin_min = 65;
	ck_assert_int_eq(concoll_backoff_set_config(&c), -EINVAL);
	c.spin_min = 1;
	c.spin_max = (1u << 20) + 1;
	ck_assert_int_eq(concoll_backoff_set_config(&c), -EINVAL);
	c.size = sizeof c - 1;
	ck_assert_int_eq(concoll_backoff_set_config(&c), -EINVAL);
	ck_assert_int_eq(concoll_backoff_get_config(&c), -EINVAL);
	ck_assert_int_eq(concoll_backoff_set_config(NULL), -EINVAL);
	ck_assert_int_eq(concoll_backoff_get_config(NULL), -EINVAL);
	c.size = sizeof c;
	ck_assert_int_eq(concoll_backoff_get_config(&c), 0);
	ck_assert_uint_eq(c.spin_min, 2);
	ck_assert_uint_eq(c.spin_max, 64);
	ck_assert_int_eq(concoll_backoff_set_config(&orig), 0);
}
END_TEST

/* ---- allocator hook ----------------------------------------------------------- */

START_TEST(allocator_hook_validation)
{
	struct concoll_allocator a = { sizeof a, NULL, NULL, NULL }, cur = { sizeof cur, NULL, NULL, NULL };

	ck_assert_int_eq(concoll_get_allocator(&cur), 0);
	ck_assert_ptr_nonnull(cur.alloc);
	ck_assert_ptr_nonnull(cur.free);
	ck_assert_int_eq(concoll_set_allocator(&a), -EINVAL); /* functions missing */
	a = cur;
	a.size = sizeof a - 1;
	ck_assert_int_eq(concoll_set_allocator(&a), -EINVAL);
	ck_assert_int_eq(concoll_get_allocator(&a), -EINVAL);
	ck_assert_int_eq(concoll_get_allocator(NULL), -EINVAL);
	tu_alloc_install();
	ck_assert_int_eq(concoll_get_allocator(&cur), 0);
	ck_assert_ptr_ne(cur.alloc, a.alloc);
	tu_alloc_uninstall();
	ck_assert_int_eq(concoll_get_allocator(&cur), 0);
	ck_assert_ptr_eq(cur.alloc, a.alloc);
}
END_TEST

static Suite *cpu_suite(void)
{
	Suite *s = suite_create("platform");
	TCase *tc = tcase_create("cpu");

	tcase_add_test(tc, version_matches_header);
	tcase_add_test(tc, features_are_consistent);
	tcase_add_test(tc, parse_disable);
	tcase_add_test(tc, disable_env_forces_fallback);
	tcase_add_test(tc, cas128_portable);
	tcase_add_test(tc, cas128_native);
	tcase_add_test(tc, backoff_config);
	tcase_add_test(tc, allocator_hook_validation);
	suite_add_tcase(s, tc);
	return s;
}

int main(int argc, char **argv)
{
	ssize_t len = readlink("/proc/self/exe", self_exe, sizeof self_exe - 1);

	if (len <= 0)
		return 99;
	self_exe[len] = '\0';
	if (argc > 1 && strcmp(argv[1], "--print-features") == 0) {
		printf("%u %s\n", concoll_cpu_features(), cc_cas128_name);
		return 0;
	}
	return tu_run_suite(cpu_suite());
}
