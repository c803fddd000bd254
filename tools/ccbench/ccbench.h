/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ccbench: the structure registry shared by the harness (ccbench.c) and the
 * adapters (structures.c).
 *
 * Every benchmarked structure is one row of cb_structures[]: a name, the
 * family it belongs to, its progress guarantee, and the functions that
 * create, destroy and operate on one instance.  The harness never knows
 * which library a row comes from; adding a structure (a libconcoll
 * algorithm or a peer from another library) is adding a row.
 *
 * A family fixes the operations a row provides and the properties the
 * verifier may check.  Queues and stacks are "pools": push and pop of
 * non-NULL pointers.  Families with other operations (maps, sets) add their
 * own operation table next to struct cb_pool_ops and their own workloads.
 */
#ifndef CCBENCH_H
#define CCBENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Largest --threads value; thread ids must also fit in an item (ccbench.c). */
#define CB_MAX_THREADS 1024u

enum cb_family {
	CB_FAMILY_QUEUE,
	CB_FAMILY_STACK,
	CB_FAMILY_COUNT
};

enum cb_progress {
	CB_PROGRESS_WAIT_FREE,
	CB_PROGRESS_LOCK_FREE,
	CB_PROGRESS_BLOCKING,
};

/* Row flags. */
#define CB_BOUNDED (1u << 0) /* push may return -EAGAIN when full */
#define CB_PEER (1u << 1)    /* not libconcoll: a baseline to compare with */

/* Parameters that the command line passes to create(). */
struct cb_params {
	size_t capacity; /* bounded structures: their capacity */
};

/*
 * Operations of the queue and stack families.  Items are non-NULL.
 * push returns 0, -EAGAIN when a bounded structure is full, or another
 * negative errno; pop returns 0, -EAGAIN when empty, or another negative
 * errno.  Both may run concurrently with each other from any number of
 * threads.
 */
struct cb_pool_ops {
	int (*push)(void *obj, void *item);
	int (*pop)(void *obj, void **item);
};

struct cb_structure {
	const char *name;          /* what --structure takes */
	enum cb_family family;
	enum cb_progress progress;
	unsigned flags;            /* CB_* row flags */
	const char *summary;       /* one line for --list */
	/* Returns the new object, or NULL with errno set. */
	void *(*create)(const struct cb_params *params);
	/* Destroys obj; items still inside are dropped (they own nothing). */
	void (*destroy)(void *obj);
	/* The algorithm actually used by obj (e.g. concoll_queue_kind_name). */
	const char *(*algorithm)(const void *obj);
	struct cb_pool_ops pool;
};

extern const struct cb_structure cb_structures[];
extern const size_t cb_structure_count;

/* The row called name, or NULL. */
const struct cb_structure *cb_structure_find(const char *name);

const char *cb_family_name(enum cb_family family);
const char *cb_progress_name(enum cb_progress progress);

#endif /* CCBENCH_H */
