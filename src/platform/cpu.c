/* SPDX-License-Identifier: BSD-3-Clause */
/* CPU feature detection at load time, CONCOLL_CPU_DISABLE, dispatch. */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__)
#include <cpuid.h>
#endif
#if defined(__aarch64__) && defined(HAVE_SYS_AUXV_H)
#include <sys/auxv.h>
#ifndef HWCAP_ATOMICS
#define HWCAP_ATOMICS (1 << 8)
#endif
#endif

#include "concoll/cpu.h"
#include "platform/atomics.h"
#include "platform/cpu.h"

CC_INTERNAL unsigned cc_cpu_effective;
static unsigned cpu_detected;
static unsigned cpu_disabled;
static char cpu_description[256];
static pthread_once_t cpu_once = PTHREAD_ONCE_INIT;

#if defined(__x86_64__)
#define CC_ARCH_NAME "x86_64"
#elif defined(__aarch64__)
#define CC_ARCH_NAME "aarch64"
#else
#define CC_ARCH_NAME "generic"
#endif

static const struct {
	const char *name;
	unsigned bit;
} cpu_feature_names[] = {
	{ "cx16", CONCOLL_CPU_CX16 },
	{ "lse", CONCOLL_CPU_LSE },
};

static unsigned cpu_detect(void)
{
	unsigned f = 0;

#if defined(__x86_64__)
	unsigned a, b, c, d;

	if (__get_cpuid(1, &a, &b, &c, &d) && (c & bit_CMPXCHG16B))
		f |= CONCOLL_CPU_CX16;
#elif defined(__aarch64__) && defined(HAVE_GETAUXVAL)
	if (getauxval(AT_HWCAP) & HWCAP_ATOMICS)
		f |= CONCOLL_CPU_LSE;
#endif
	return f;
}

/* Append name (len bytes) to the comma-separated list in buf; once a name
 * does not fit, the list ends with "..." and takes nothing more. */
static void list_append(char *buf, size_t size, const char *name, size_t len)
{
	size_t used = strlen(buf);

	if (size < 4 || (used >= 3 && strcmp(buf + used - 3, "...") == 0))
		return;
	/* keep room for a final "..." */
	if (used + (used ? 1 : 0) + len + 3 < size) {
		if (used)
			buf[used++] = ',';
		memcpy(buf + used, name, len);
		buf[used + len] = '\0';
	} else {
		memcpy(buf + used, "...", 4);
	}
}

unsigned cc_cpu_parse_disable(const char *spec, char *unknown, size_t unknown_size)
{
	unsigned bits = 0;

	if (unknown_size)
		unknown[0] = '\0';
	while (spec && *spec) {
		size_t len = strcspn(spec, ", \t");
		size_t i;
		int known = 0;

		if (len == 3 && strncmp(spec, "all", 3) == 0) {
			bits = CONCOLL_CPU_CX16 | CONCOLL_CPU_LSE;
			known = 1;
		} else if (len == 4 && strncmp(spec, "none", 4) == 0) {
			known = 1;
		}
		for (i = 0; !known && i < CC_ARRAY_SIZE(cpu_feature_names); i++) {
			if (strlen(cpu_feature_names[i].name) == len &&
			    strncmp(spec, cpu_feature_names[i].name, len) == 0) {
				bits |= cpu_feature_names[i].bit;
				known = 1;
			}
		}
		if (!known && len > 0)
			list_append(unknown, unknown_size, spec, len);
		spec += len;
		spec += strspn(spec, ", \t");
	}
	return bits;
}

static void append_names(char *buf, size_t size, unsigned bits)
{
	size_t i, used = strlen(buf);
	int any = 0;

	for (i = 0; i < CC_ARRAY_SIZE(cpu_feature_names); i++) {
		if (!(bits & cpu_feature_names[i].bit))
			continue;
		used += (size_t)snprintf(buf + used, used < size ? size - used : 0, "%s%s",
		                         any ? "," : "", cpu_feature_names[i].name);
		any = 1;
	}
	if (!any)
		snprintf(buf + used, used < size ? size - used : 0, "none");
}

static void cpu_init(void)
{
	char unknown[128];
	size_t used;

	cpu_detected = cpu_detect();
	cpu_disabled = cc_cpu_parse_disable(getenv("CONCOLL_CPU_DISABLE"), unknown, sizeof unknown);
	cc_cpu_effective = cpu_detected & ~cpu_disabled;
	cc_cas128_select(cc_cpu_effective);

	snprintf(cpu_description, sizeof cpu_description, "arch=" CC_ARCH_NAME " detected=");
	append_names(cpu_description, sizeof cpu_description, cpu_detected);
	used = strlen(cpu_description);
	snprintf(cpu_description + used, sizeof cpu_description - used, " disabled=");
	append_names(cpu_description, sizeof cpu_description, cpu_disabled);
	used = strlen(cpu_description);
	snprintf(cpu_description + used, sizeof cpu_description - used, " cas128=%s%s%s",
	         cc_cas128_name, unknown[0] ? " ignored=" : "", unknown);
}

__attribute__((constructor)) static void cpu_constructor(void)
{
	pthread_once(&cpu_once, cpu_init);
}

CONCOLL_API unsigned concoll_cpu_features(void)
{
	pthread_once(&cpu_once, cpu_init);
	return cc_cpu_effective;
}

CONCOLL_API unsigned concoll_cpu_features_detected(void)
{
	pthread_once(&cpu_once, cpu_init);
	return cpu_detected;
}

CONCOLL_API const char *concoll_cpu_describe(void)
{
	pthread_once(&cpu_once, cpu_init);
	return cpu_description;
}
