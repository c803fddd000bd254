/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libconcoll: conventions shared by every family, the library version,
 * the allocator hook and the backoff parameters.
 *
 * Conventions (see libconcoll(7)):
 *  - Fallible calls return int: 0 on success, a negative errno value on
 *    failure (-EAGAIN full or empty, -ENOMEM, -EINVAL, -EBUSY, ...).
 *  - Constructors return a handle, or NULL with errno set.
 *  - Structures passed in or out start with a `size` field that the caller
 *    sets to sizeof(the structure) as its headers declare it, so that the
 *    structure can grow without breaking the ABI: the library accepts any
 *    size from that of the structure's first version up; fields an older
 *    caller does not have take their defaults, fields a newer caller has and
 *    this library does not know must be zero (otherwise -EINVAL), output
 *    structures are filled as far as both know.  Zero-initialize options
 *    structures; fields left zero take their documented defaults.
 *
 * Synchronization table for this header:
 *
 *   function                      may run concurrently with    progress
 *   concoll_version               anything                     wait-free
 *   concoll_set_allocator         nothing else in libconcoll   blocking
 *   concoll_get_allocator         anything                     wait-free
 *   concoll_backoff_set_config    anything                     wait-free
 *   concoll_backoff_get_config    anything                     wait-free
 */
#ifndef CONCOLL_COMMON_H
#define CONCOLL_COMMON_H

#include <stddef.h>
#include <stdint.h>

#include <concoll/version.h>

#if defined(__GNUC__) || defined(__clang__)
#define CONCOLL_API __attribute__((visibility("default")))
#define CONCOLL_NODISCARD __attribute__((warn_unused_result))
#else
#define CONCOLL_API
#define CONCOLL_NODISCARD
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* The version of the library that is running, e.g. "0.1.0" (compare with
 * CONCOLL_VERSION_STRING, the version the program was compiled against). */
CONCOLL_API const char *concoll_version(void);

/*
 * Allocator hook.
 *
 * Every allocation libconcoll makes (nodes, rings, per-thread records) goes
 * through these two functions.  `alloc` returns memory of at least `size`
 * bytes aligned to `align` (a power of two, at least sizeof(void *)), or
 * NULL; `free` receives the same size and alignment that were requested.
 *
 * concoll_set_allocator() replaces the allocator for the whole process.  Call
 * it before creating any libconcoll object, or make sure the new allocator
 * can free memory obtained from the old one: objects are freed with the
 * allocator that is current at the time.  NULL restores the default
 * (malloc(3) for alignments up to _Alignof(max_align_t), posix_memalign(3)
 * above, and free(3)).
 *
 * Returns 0, or -EINVAL when `size` is refused (see the conventions above)
 * or a function is missing.
 */
struct concoll_allocator {
	size_t size; /* sizeof(struct concoll_allocator) */
	void *(*alloc)(size_t size, size_t align, void *ctx);
	void (*free)(void *ptr, size_t size, size_t align, void *ctx);
	void *ctx;
};

CONCOLL_API int concoll_set_allocator(const struct concoll_allocator *allocator);
/* Copies the current allocator into *allocator (whose size field the caller
 * sets).  Returns 0, or -EINVAL. */
CONCOLL_API int concoll_get_allocator(struct concoll_allocator *allocator);

/*
 * Backoff used by retry loops after a CAS lost to another thread (in this
 * release: the Treiber stack without elimination; the elimination array
 * replaces backoff otherwise, and the queues' FAA-based operations do not
 * back off): bounded exponential.  The first wait is spin_min
 * pause instructions, each further wait doubles up to spin_max; once at
 * spin_max, every yield_every-th wait also calls sched_yield() so that a
 * preempted thread can run.  Process-wide; an operation reads the
 * parameters when it starts, so one that starts during the call may mix
 * old and new values.
 *
 * Defaults: spin_min 4, spin_max 1024, yield_every 1.
 * Limits: 1 <= spin_min <= spin_max <= 1048576; yield_every 0 never yields.
 */
struct concoll_backoff_config {
	size_t size; /* sizeof(struct concoll_backoff_config) */
	uint32_t spin_min;
	uint32_t spin_max;
	uint32_t yield_every;
};

CONCOLL_API int concoll_backoff_set_config(const struct concoll_backoff_config *config);
CONCOLL_API int concoll_backoff_get_config(struct concoll_backoff_config *config);

#ifdef __cplusplus
}
#endif

#endif /* CONCOLL_COMMON_H */
