/* SPDX-License-Identifier: BSD-3-Clause */
/* CPU feature detection and dispatch (internal). */
#ifndef CC_PLATFORM_CPU_H
#define CC_PLATFORM_CPU_H

#include "platform/compiler.h"

/* Effective features (CONCOLL_CPU_* bits), set once at load time. */
extern CC_INTERNAL unsigned cc_cpu_effective;

static inline int cc_cpu_has(unsigned feature)
{
	return (cc_cpu_effective & feature) != 0;
}

/* Parse a CONCOLL_CPU_DISABLE value: returns the CONCOLL_CPU_* bits it
 * names; unknown names are copied (comma-separated) into unknown. */
CC_INTERNAL unsigned cc_cpu_parse_disable(const char *spec, char *unknown, size_t unknown_size);

#endif /* CC_PLATFORM_CPU_H */
