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
 * non-NULL pointers (struct cb_pool_ops).  Maps are ordered maps from
 * integer keys to integer values: get, put, remove and an ascending scan
 * (struct cb_map_ops).
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
	CB_FAMILY_MAP,
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

/* A 64-bit finalizer (splitmix64): checksums combine it over items and
 * keys, so that a lost item and a duplicated one do not cancel out. */
static inline uint64_t cb_mix64(uint64_t x)
{
	x ^= x >> 30;
	x *= UINT64_C(0xbf58476d1ce4e5b9);
	x ^= x >> 27;
	x *= UINT64_C(0x94d049bb133111eb);
	x ^= x >> 31;
	return x;
}

/* The value stored with key in the map workloads: a function of the key,
 * so that get and scan can check what they read; it fits in a pointer. */
static inline uint64_t cb_map_value(uint64_t key)
{
	return (uint64_t)(uintptr_t)~(uintptr_t)key;
}

/*
 * A scan of a map in progress: the adapters call cb_scan_visit() for every
 * entry, in ascending key order, until it returns true.
 */
struct cb_scan {
	uint64_t from;  /* the scan asked for keys >= from */
	uint64_t limit; /* stop after this many entries */
	bool full;      /* also compute mix (the verification scan) */
	uint64_t count; /* entries visited */
	uint64_t sum;   /* sum of their keys */
	uint64_t mix;   /* xor of cb_mix64(key), when full */
	uint64_t last;  /* the last key visited */
	uint64_t bad;   /* entries below from, out of order or with a wrong value */
};

static inline bool cb_scan_visit(struct cb_scan *s, uint64_t key, uint64_t value)
{
	if (key < s->from || (s->count != 0 && key <= s->last) || value != cb_map_value(key))
		s->bad++;
	s->last = key;
	s->count++;
	s->sum += key;
	if (s->full)
		s->mix ^= cb_mix64(key);
	return s->count >= s->limit;
}

/*
 * Operations of the map family.  Keys and values are integers; every
 * operation may run concurrently with every other from any number of
 * threads.  get returns 0 and the value, or -ENOENT when key is absent;
 * put inserts or replaces, returning 0 when it inserted and 1 when it
 * replaced; remove returns 0, or -ENOENT when key was absent; scan visits
 * the entries with keys >= from in ascending order, calling
 * cb_scan_visit(scan, ...) for each until it returns true, and returns 0.
 * Any of them may return another negative errno on failure.  size counts
 * the entries (exact when nothing else runs).
 */
struct cb_map_ops {
	int (*get)(void *obj, uint64_t key, uint64_t *value);
	int (*put)(void *obj, uint64_t key, uint64_t value);
	int (*remove)(void *obj, uint64_t key);
	int (*scan)(void *obj, uint64_t from, struct cb_scan *scan);
	size_t (*size)(void *obj);
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
	/* NULL, or a function that returns NULL when the structure can run
	 * and otherwise why it cannot (e.g. built without a library). */
	const char *(*unavailable)(void);
	struct cb_pool_ops pool; /* queues and stacks */
	struct cb_map_ops map;   /* maps */
};

extern const struct cb_structure cb_structures[];
extern const size_t cb_structure_count;

/* The row called name, or NULL. */
const struct cb_structure *cb_structure_find(const char *name);

const char *cb_family_name(enum cb_family family);
const char *cb_progress_name(enum cb_progress progress);

#endif /* CCBENCH_H */
