/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libconcoll: CPU feature detection and run-time dispatch.
 *
 * The library detects, once when it is loaded, the CPU features that
 * algorithms needing a 16-byte compare-and-swap use (no structure of this
 * release needs one yet; the dispatch and its tests are in place):
 *
 *   CONCOLL_CPU_CX16  x86-64 CMPXCHG16B (16-byte compare-and-swap)
 *   CONCOLL_CPU_LSE   ARMv8.1 Large System Extensions (CASP, 16-byte CAS)
 *
 * A portable path exists for every one of them (a table of striped locks; on
 * ARM64 without LSE, a load/store-exclusive pair loop).  The environment
 * variable CONCOLL_CPU_DISABLE, read once at load time, is a list of feature
 * names separated by commas or blanks ("cx16", "lse", "all" or "none")
 * whose fast paths are not used even when the CPU has them; tests use it to
 * exercise the portable paths.  Unknown names are ignored and listed by
 * concoll_cpu_describe() as "ignored=...".
 *
 * Synchronization: every function here is wait-free and may be called
 * concurrently with anything.
 */
#ifndef CONCOLL_CPU_H
#define CONCOLL_CPU_H

#include <concoll/common.h>

#ifdef __cplusplus
extern "C" {
#endif

#define CONCOLL_CPU_CX16 (1u << 0)
#define CONCOLL_CPU_LSE (1u << 1)

/* Features the library uses: detected, minus those CONCOLL_CPU_DISABLE names. */
CONCOLL_API unsigned concoll_cpu_features(void);
/* Features the CPU reports, whatever CONCOLL_CPU_DISABLE says. */
CONCOLL_API unsigned concoll_cpu_features_detected(void);
/* A printable, stable, one-line description, e.g.
 * "arch=x86_64 detected=cx16 disabled=none cas128=cmpxchg16b". */
CONCOLL_API const char *concoll_cpu_describe(void);

#ifdef __cplusplus
}
#endif

#endif /* CONCOLL_CPU_H */
