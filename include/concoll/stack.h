/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libconcoll: multi-producer multi-consumer LIFO stacks of pointers.
 *
 * Kinds chosen at creation:
 *
 *   CONCOLL_STACK_TREIBER  Treiber's lock-free stack with an elimination
 *                          array (Hendler, Shavit, Yerushalmi): a push and a
 *                          pop that collide under contention exchange the
 *                          item without touching the top of the stack.
 *                          ABA-safe through SMR.  The default.
 *
 * Items are non-NULL pointers (or non-zero integers cast to pointers); the
 * stack never dereferences them.  Every push allocates one node, freed after
 * a grace period once popped (or at once when a pop took it from the
 * elimination array, where no other thread can reach it).
 *
 * Synchronization table (s is one stack):
 *
 *   function                  may run concurrently with      progress
 *   concoll_stack_create      anything                       blocking (allocates)
 *   concoll_stack_destroy     nothing else on s              blocking
 *   concoll_stack_push/pop    push, pop, try_*, size on s    lock-free
 *   concoll_stack_try_push    push, pop, try_*, size on s    wait-free (one attempt)
 *   concoll_stack_try_pop     push, pop, try_*, size on s    wait-free (one attempt)
 *   concoll_stack_size        push, pop, try_*, size on s    wait-free
 *   concoll_stack_kind        anything but destroy           wait-free
 *   concoll_stack_kind_name   anything but destroy           wait-free
 *
 * push and pop are linearizable: the stack is LIFO.
 */
#ifndef CONCOLL_STACK_H
#define CONCOLL_STACK_H

#include <concoll/common.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct concoll_stack concoll_stack_t;

enum concoll_stack_kind {
	CONCOLL_STACK_DEFAULT = 0, /* Treiber with elimination */
	CONCOLL_STACK_TREIBER = 1,
};

/* Flags for concoll_stack_options.flags. */
#define CONCOLL_STACK_NO_ELIMINATION (1u << 0) /* plain Treiber stack */

struct concoll_stack_options {
	size_t size;               /* sizeof(struct concoll_stack_options) */
	int kind;                  /* enum concoll_stack_kind */
	unsigned flags;            /* CONCOLL_STACK_* flags */
	unsigned elimination_slots; /* 0 = default (16); at most 1024 */
};

/* Create a stack; opts may be NULL.  Returns NULL with errno EINVAL (unknown
 * kind or flag, size refused as common.h describes, more than 1024 slots)
 * or ENOMEM. */
CONCOLL_API concoll_stack_t *concoll_stack_create(const struct concoll_stack_options *opts);

/* Destroy a stack; release(item, ctx), when not NULL, is called for every
 * item still on it, from the top down.  NULL s does nothing. */
CONCOLL_API void concoll_stack_destroy(concoll_stack_t *s,
                                       void (*release)(void *item, void *ctx), void *ctx);

/* Push item.  Returns 0, -ENOMEM (node or thread record), -EINVAL (s or
 * item NULL).  On failure the stack is unchanged. */
CONCOLL_API CONCOLL_NODISCARD int concoll_stack_push(concoll_stack_t *s, void *item);

/* Pop the most recently pushed item into *item.  Returns 0, -EAGAIN when the
 * stack is empty, -ENOMEM (thread record), -EINVAL (s or item NULL). */
CONCOLL_API CONCOLL_NODISCARD int concoll_stack_pop(concoll_stack_t *s, void **item);

/* One attempt, without backoff or elimination: as push/pop, but -EBUSY when
 * the attempt lost a race with another thread (nothing changed then). */
CONCOLL_API CONCOLL_NODISCARD int concoll_stack_try_push(concoll_stack_t *s, void *item);
CONCOLL_API CONCOLL_NODISCARD int concoll_stack_try_pop(concoll_stack_t *s, void **item);

/* Number of items, read in one atomic load (every node records the depth
 * below it): exact at the linearization point of the load.  0 for NULL, and
 * when the thread's SMR record cannot be allocated. */
CONCOLL_API size_t concoll_stack_size(concoll_stack_t *s);

/* The algorithm used (never CONCOLL_STACK_DEFAULT); -EINVAL for NULL. */
CONCOLL_API int concoll_stack_kind(const concoll_stack_t *s);

/* Its name: "treiber" or "treiber-noelim"; NULL for NULL. */
CONCOLL_API const char *concoll_stack_kind_name(const concoll_stack_t *s);

#ifdef __cplusplus
}
#endif

#endif /* CONCOLL_STACK_H */
