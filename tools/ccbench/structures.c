/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ccbench: the structure registry.  One adapter per structure turns its API
 * into struct cb_structure; the table at the end lists them in the order
 * --list and the default sweep use.
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>

#include <concoll/concoll.h>

#include "ccbench.h"
#include "peers/peers.h"

/* Initial capacity of the growable peers: a few pages, so that short runs
 * do not measure only their growth. */
#define PEER_INITIAL_CAPACITY 4096u

/* --- libconcoll queues ---------------------------------------------------- */

static void *queue_create_kind(int kind, size_t capacity)
{
	struct concoll_queue_options opts;

	memset(&opts, 0, sizeof(opts));
	opts.size = sizeof(opts);
	opts.kind = kind;
	opts.capacity = capacity;
	return concoll_queue_create(&opts);
}

static void *scq_create(const struct cb_params *params)
{
	return queue_create_kind(CONCOLL_QUEUE_SCQ, params->capacity);
}

static void *lscq_create(const struct cb_params *params)
{
	(void)params; /* unbounded: rings of the library's default size */
	return queue_create_kind(CONCOLL_QUEUE_LSCQ, 0);
}

static void *lcrq_create(const struct cb_params *params)
{
	(void)params; /* unbounded: rings of the library's default size */
	return queue_create_kind(CONCOLL_QUEUE_LCRQ, 0);
}

static void *wcq_create(const struct cb_params *params)
{
	return queue_create_kind(CONCOLL_QUEUE_WCQ, params->capacity);
}

static void *waitfree_create(const struct cb_params *params)
{
	return queue_create_kind(CONCOLL_QUEUE_WAITFREE, params->capacity);
}

static void *fast_create(const struct cb_params *params)
{
	(void)params;
	return queue_create_kind(CONCOLL_QUEUE_FAST, 0);
}

static void queue_destroy(void *obj)
{
	concoll_queue_destroy(obj, NULL, NULL);
}

static const char *queue_algorithm(const void *obj)
{
	return concoll_queue_kind_name(obj);
}

static int queue_push(void *obj, void *item)
{
	return concoll_queue_push(obj, item);
}

static int queue_pop(void *obj, void **item)
{
	return concoll_queue_pop(obj, item);
}

/* --- libconcoll stacks ---------------------------------------------------- */

static void *stack_create_flags(unsigned flags)
{
	struct concoll_stack_options opts;

	memset(&opts, 0, sizeof(opts));
	opts.size = sizeof(opts);
	opts.kind = CONCOLL_STACK_TREIBER;
	opts.flags = flags;
	return concoll_stack_create(&opts);
}

static void *treiber_create(const struct cb_params *params)
{
	(void)params;
	return stack_create_flags(0);
}

static void *treiber_noelim_create(const struct cb_params *params)
{
	(void)params;
	return stack_create_flags(CONCOLL_STACK_NO_ELIMINATION);
}

static void stack_destroy(void *obj)
{
	concoll_stack_destroy(obj, NULL, NULL);
}

static const char *stack_algorithm(const void *obj)
{
	return concoll_stack_kind_name(obj);
}

static int stack_push(void *obj, void *item)
{
	return concoll_stack_push(obj, item);
}

static int stack_pop(void *obj, void **item)
{
	return concoll_stack_pop(obj, item);
}

/* --- peers: pthread mutex around a sequential container -------------------- */

static void *mutex_queue_create(const struct cb_params *params)
{
	(void)params;
	return peer_mutex_queue_create(PEER_INITIAL_CAPACITY);
}

static void mutex_queue_destroy(void *obj)
{
	peer_mutex_queue_destroy(obj);
}

static const char *mutex_queue_algorithm(const void *obj)
{
	(void)obj;
	return "mutex+ring";
}

static int mutex_queue_push(void *obj, void *item)
{
	return peer_mutex_queue_push(obj, item);
}

static int mutex_queue_pop(void *obj, void **item)
{
	return peer_mutex_queue_pop(obj, item);
}

static void *mutex_stack_create(const struct cb_params *params)
{
	(void)params;
	return peer_mutex_stack_create(PEER_INITIAL_CAPACITY);
}

static void mutex_stack_destroy(void *obj)
{
	peer_mutex_stack_destroy(obj);
}

static const char *mutex_stack_algorithm(const void *obj)
{
	(void)obj;
	return "mutex+array";
}

static int mutex_stack_push(void *obj, void *item)
{
	return peer_mutex_stack_push(obj, item);
}

static int mutex_stack_pop(void *obj, void **item)
{
	return peer_mutex_stack_pop(obj, item);
}

/* --- libconcoll maps --------------------------------------------------------- */

static void *map_create_kind(int kind)
{
	struct concoll_map_options opts;

	memset(&opts, 0, sizeof(opts));
	opts.size = sizeof(opts);
	opts.kind = kind;
	opts.compare = CONCOLL_CMP_U64;
	return concoll_map_create(&opts);
}

static void *skiplist_create(const struct cb_params *params)
{
	(void)params;
	return map_create_kind(CONCOLL_MAP_SKIPLIST);
}

static void *skiplist_locked_create(const struct cb_params *params)
{
	(void)params;
	return map_create_kind(CONCOLL_MAP_SKIPLIST_LOCKED);
}

static void map_destroy(void *obj)
{
	/* no release callback: cannot fail with -EDEADLK */
	(void)concoll_map_destroy(obj);
}

static const char *map_algorithm(const void *obj)
{
	return concoll_map_kind_name(obj);
}

static int map_get(void *obj, uint64_t key, uint64_t *value)
{
	void *v;
	int rc = concoll_map_get(obj, concoll_key_u64(key), &v);

	if (rc == 0)
		*value = concoll_key_to_u64(v);
	return rc;
}

static int map_put(void *obj, uint64_t key, uint64_t value)
{
	return concoll_map_put(obj, concoll_key_u64(key), concoll_key_u64(value), NULL);
}

static int map_remove(void *obj, uint64_t key)
{
	return concoll_map_remove(obj, concoll_key_u64(key), NULL);
}

static int map_visit(void *key, void *value, void *ctx)
{
	return cb_scan_visit(ctx, concoll_key_to_u64(key), concoll_key_to_u64(value));
}

static int map_scan(void *obj, uint64_t from, struct cb_scan *scan)
{
	int rc = concoll_map_range(obj, concoll_key_u64(from), NULL, CONCOLL_RANGE_LO,
				   map_visit, scan);

	return rc > 0 ? 0 : rc; /* rc > 0: map_visit stopped the scan */
}

static size_t map_size(void *obj)
{
	return concoll_map_size(obj);
}

/* --- peer: reader-writer lock around a red-black tree ----------------------- */

static const char *mutex_map_unavailable(void)
{
	return peer_mutex_map_available() ? NULL :
	       "ccbench was built without <bsd/sys/tree.h> (libbsd)";
}

static void *mutex_map_create(const struct cb_params *params)
{
	(void)params;
	return peer_mutex_map_create();
}

static void mutex_map_destroy(void *obj)
{
	peer_mutex_map_destroy(obj);
}

static const char *mutex_map_algorithm(const void *obj)
{
	(void)obj;
	return "rwlock+rbtree";
}

static int mutex_map_get(void *obj, uint64_t key, uint64_t *value)
{
	return peer_mutex_map_get(obj, key, value);
}

static int mutex_map_put(void *obj, uint64_t key, uint64_t value)
{
	return peer_mutex_map_put(obj, key, value);
}

static int mutex_map_remove(void *obj, uint64_t key)
{
	return peer_mutex_map_remove(obj, key);
}

static bool mutex_map_visit(uint64_t key, uint64_t value, void *ctx)
{
	return cb_scan_visit(ctx, key, value);
}

static int mutex_map_scan(void *obj, uint64_t from, struct cb_scan *scan)
{
	return peer_mutex_map_scan(obj, from, mutex_map_visit, scan);
}

static size_t mutex_map_size(void *obj)
{
	return peer_mutex_map_size(obj);
}

/* --- the registry ---------------------------------------------------------- */

const struct cb_structure cb_structures[] = {
	{
		.name = "scq",
		.family = CB_FAMILY_QUEUE,
		.progress = CB_PROGRESS_LOCK_FREE,
		.flags = CB_BOUNDED,
		.summary = "libconcoll bounded SCQ ring (CONCOLL_QUEUE_SCQ), --capacity items",
		.create = scq_create,
		.destroy = queue_destroy,
		.algorithm = queue_algorithm,
		.pool = { queue_push, queue_pop },
	},
	{
		.name = "lscq",
		.family = CB_FAMILY_QUEUE,
		.progress = CB_PROGRESS_LOCK_FREE,
		.flags = 0,
		.summary = "libconcoll unbounded list of SCQ rings (CONCOLL_QUEUE_LSCQ)",
		.create = lscq_create,
		.destroy = queue_destroy,
		.algorithm = queue_algorithm,
		.pool = { queue_push, queue_pop },
	},
	{
		.name = "lcrq",
		.family = CB_FAMILY_QUEUE,
		.progress = CB_PROGRESS_LOCK_FREE,
		.flags = 0,
		.summary = "libconcoll LCRQ, linked CRQ rings with a 16-byte CAS (CONCOLL_QUEUE_LCRQ)",
		.create = lcrq_create,
		.destroy = queue_destroy,
		.algorithm = queue_algorithm,
		.pool = { queue_push, queue_pop },
	},
	{
		.name = "fast",
		.family = CB_FAMILY_QUEUE,
		.progress = CB_PROGRESS_LOCK_FREE,
		.flags = 0,
		.summary = "libconcoll CONCOLL_QUEUE_FAST: LCRQ with a native 16-byte CAS, else LSCQ",
		.create = fast_create,
		.destroy = queue_destroy,
		.algorithm = queue_algorithm,
		.pool = { queue_push, queue_pop },
	},
	{
		.name = "wcq",
		.family = CB_FAMILY_QUEUE,
		.progress = CB_PROGRESS_WAIT_FREE,
		.flags = CB_BOUNDED,
		.summary = "libconcoll bounded wait-free wCQ (CONCOLL_QUEUE_WCQ), --capacity items",
		.create = wcq_create,
		.destroy = queue_destroy,
		.algorithm = queue_algorithm,
		.pool = { queue_push, queue_pop },
	},
	{
		.name = "waitfree",
		.family = CB_FAMILY_QUEUE,
		.progress = CB_PROGRESS_WAIT_FREE,
		.flags = CB_BOUNDED,
		.summary = "libconcoll CONCOLL_QUEUE_WAITFREE (wCQ), --capacity items",
		.create = waitfree_create,
		.destroy = queue_destroy,
		.algorithm = queue_algorithm,
		.pool = { queue_push, queue_pop },
	},
	{
		.name = "treiber",
		.family = CB_FAMILY_STACK,
		.progress = CB_PROGRESS_LOCK_FREE,
		.flags = 0,
		.summary = "libconcoll Treiber stack with elimination array",
		.create = treiber_create,
		.destroy = stack_destroy,
		.algorithm = stack_algorithm,
		.pool = { stack_push, stack_pop },
	},
	{
		.name = "treiber-noelim",
		.family = CB_FAMILY_STACK,
		.progress = CB_PROGRESS_LOCK_FREE,
		.flags = 0,
		.summary = "libconcoll Treiber stack (CONCOLL_STACK_NO_ELIMINATION)",
		.create = treiber_noelim_create,
		.destroy = stack_destroy,
		.algorithm = stack_algorithm,
		.pool = { stack_push, stack_pop },
	},
	{
		.name = "mutex-queue",
		.family = CB_FAMILY_QUEUE,
		.progress = CB_PROGRESS_BLOCKING,
		.flags = CB_PEER,
		.summary = "peer: pthread mutex around a growable ring buffer",
		.create = mutex_queue_create,
		.destroy = mutex_queue_destroy,
		.algorithm = mutex_queue_algorithm,
		.pool = { mutex_queue_push, mutex_queue_pop },
	},
	{
		.name = "mutex-stack",
		.family = CB_FAMILY_STACK,
		.progress = CB_PROGRESS_BLOCKING,
		.flags = CB_PEER,
		.summary = "peer: pthread mutex around a growable array",
		.create = mutex_stack_create,
		.destroy = mutex_stack_destroy,
		.algorithm = mutex_stack_algorithm,
		.pool = { mutex_stack_push, mutex_stack_pop },
	},
	{
		.name = "skiplist",
		.family = CB_FAMILY_MAP,
		.progress = CB_PROGRESS_LOCK_FREE,
		.flags = 0,
		.summary = "libconcoll lock-free skip list (CONCOLL_MAP_SKIPLIST), u64 keys",
		.create = skiplist_create,
		.destroy = map_destroy,
		.algorithm = map_algorithm,
		.map = { map_get, map_put, map_remove, map_scan, map_size },
	},
	{
		.name = "skiplist-locked",
		.family = CB_FAMILY_MAP,
		.progress = CB_PROGRESS_BLOCKING,
		.flags = 0,
		.summary = "libconcoll skip list, locked updates (CONCOLL_MAP_SKIPLIST_LOCKED)",
		.create = skiplist_locked_create,
		.destroy = map_destroy,
		.algorithm = map_algorithm,
		.map = { map_get, map_put, map_remove, map_scan, map_size },
	},
	{
		.name = "mutex-map",
		.family = CB_FAMILY_MAP,
		.progress = CB_PROGRESS_BLOCKING,
		.flags = CB_PEER,
		.summary = "peer: pthread rwlock around a red-black tree (libbsd <sys/tree.h>)",
		.create = mutex_map_create,
		.destroy = mutex_map_destroy,
		.algorithm = mutex_map_algorithm,
		.unavailable = mutex_map_unavailable,
		.map = { mutex_map_get, mutex_map_put, mutex_map_remove, mutex_map_scan,
			 mutex_map_size },
	},
};

const size_t cb_structure_count = sizeof(cb_structures) / sizeof(cb_structures[0]);

const struct cb_structure *cb_structure_find(const char *name)
{
	size_t i;

	for (i = 0; i < cb_structure_count; i++) {
		if (strcmp(cb_structures[i].name, name) == 0)
			return &cb_structures[i];
	}
	return NULL;
}

const char *cb_family_name(enum cb_family family)
{
	switch (family) {
	case CB_FAMILY_QUEUE:
		return "queue";
	case CB_FAMILY_STACK:
		return "stack";
	case CB_FAMILY_MAP:
		return "map";
	default:
		return "?";
	}
}

const char *cb_progress_name(enum cb_progress progress)
{
	switch (progress) {
	case CB_PROGRESS_WAIT_FREE:
		return "wait-free";
	case CB_PROGRESS_LOCK_FREE:
		return "lock-free";
	case CB_PROGRESS_BLOCKING:
		return "blocking";
	default:
		return "?";
	}
}
