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
#include "peers/libpeers.h"

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

/* --- peers from other libraries: Concurrency Kit, liburcu, libcds ---------------
 *
 * Each library's adapter (peers/ck.c, peers/urcu.c, peers/cds.cpp) is built
 * only when configure found the library (HAVE_CK, HAVE_URCU, HAVE_LIBCDS).
 * Without it the rows stay in the table, their unavailable() says why, and
 * their functions are the stubs below, which ccbench never calls.  The
 * summaries of such rows also carry the reason, for --list.
 */

#if !defined(HAVE_CK) || !defined(HAVE_URCU) || !defined(HAVE_LIBCDS)
static void *lib_missing_create(const struct cb_params *params)
{
	(void)params;
	errno = ENOTSUP;
	return NULL;
}

static void lib_missing_destroy(void *obj)
{
	(void)obj;
}

static const char *lib_missing_algorithm(const void *obj)
{
	(void)obj;
	return "unavailable";
}

static int lib_missing_push(void *obj, void *item)
{
	(void)obj;
	(void)item;
	return -ENOTSUP;
}

static int lib_missing_pop(void *obj, void **item)
{
	(void)obj;
	(void)item;
	return -ENOTSUP;
}
#endif

#ifndef HAVE_LIBCDS
static int lib_missing_get(void *obj, uint64_t key, uint64_t *value)
{
	(void)obj;
	(void)key;
	(void)value;
	return -ENOTSUP;
}

static int lib_missing_put(void *obj, uint64_t key, uint64_t value)
{
	(void)obj;
	(void)key;
	(void)value;
	return -ENOTSUP;
}

static int lib_missing_remove(void *obj, uint64_t key)
{
	(void)obj;
	(void)key;
	return -ENOTSUP;
}

static int lib_missing_scan(void *obj, uint64_t from, struct cb_scan *scan)
{
	(void)obj;
	(void)from;
	(void)scan;
	return -ENOTSUP;
}

static size_t lib_missing_size(void *obj)
{
	(void)obj;
	return 0;
}
#endif

/* Concurrency Kit */

#ifdef HAVE_CK

static const char *ck_unavailable(void)
{
	return NULL;
}

/* ck_fifo_mpmc and ck_stack_pop_mpmc need a double-width CAS. */
static const char *ck_mpmc_unavailable(void)
{
	return peer_ck_mpmc_unavailable();
}

static void *ck_fifo_create(const struct cb_params *params)
{
	(void)params;
	return peer_ck_fifo_create();
}

static void ck_fifo_destroy(void *obj)
{
	peer_ck_fifo_destroy(obj);
}

static const char *ck_fifo_algorithm(const void *obj)
{
	(void)obj;
	return "ck_fifo_mpmc";
}

static int ck_fifo_push(void *obj, void *item)
{
	return peer_ck_fifo_push(obj, item);
}

static int ck_fifo_pop(void *obj, void **item)
{
	return peer_ck_fifo_pop(obj, item);
}

static void *ck_ring_create(const struct cb_params *params)
{
	return peer_ck_ring_create(params->capacity);
}

static void ck_ring_destroy(void *obj)
{
	peer_ck_ring_destroy(obj);
}

static const char *ck_ring_algorithm(const void *obj)
{
	(void)obj;
	return "ck_ring_mpmc";
}

static int ck_ring_push(void *obj, void *item)
{
	return peer_ck_ring_push(obj, item);
}

static int ck_ring_pop(void *obj, void **item)
{
	return peer_ck_ring_pop(obj, item);
}

static void *ck_stack_create(const struct cb_params *params)
{
	(void)params;
	return peer_ck_stack_create();
}

static void ck_stack_destroy(void *obj)
{
	peer_ck_stack_destroy(obj);
}

static const char *ck_stack_algorithm(const void *obj)
{
	(void)obj;
	return "ck_stack_mpmc";
}

static int ck_stack_push(void *obj, void *item)
{
	return peer_ck_stack_push(obj, item);
}

static int ck_stack_pop(void *obj, void **item)
{
	return peer_ck_stack_pop(obj, item);
}

#else /* !HAVE_CK */
#ifndef CCBENCH_CK_MISSING
#define CCBENCH_CK_MISSING "not found by configure"
#endif

static const char *ck_unavailable(void)
{
	return "ck: " CCBENCH_CK_MISSING;
}

#define ck_mpmc_unavailable ck_unavailable
#define ck_fifo_create lib_missing_create
#define ck_fifo_destroy lib_missing_destroy
#define ck_fifo_algorithm lib_missing_algorithm
#define ck_fifo_push lib_missing_push
#define ck_fifo_pop lib_missing_pop
#define ck_ring_create lib_missing_create
#define ck_ring_destroy lib_missing_destroy
#define ck_ring_algorithm lib_missing_algorithm
#define ck_ring_push lib_missing_push
#define ck_ring_pop lib_missing_pop
#define ck_stack_create lib_missing_create
#define ck_stack_destroy lib_missing_destroy
#define ck_stack_algorithm lib_missing_algorithm
#define ck_stack_push lib_missing_push
#define ck_stack_pop lib_missing_pop
#endif /* HAVE_CK */

/* liburcu */

#ifdef HAVE_URCU

static const char *urcu_unavailable(void)
{
	return NULL;
}

static void *urcu_wfcq_create(const struct cb_params *params)
{
	(void)params;
	return peer_urcu_wfcq_create();
}

static void urcu_wfcq_destroy(void *obj)
{
	peer_urcu_wfcq_destroy(obj);
}

static const char *urcu_wfcq_algorithm(const void *obj)
{
	(void)obj;
	return "cds_wfcq";
}

static int urcu_wfcq_push(void *obj, void *item)
{
	return peer_urcu_wfcq_push(obj, item);
}

static int urcu_wfcq_pop(void *obj, void **item)
{
	return peer_urcu_wfcq_pop(obj, item);
}

static void *urcu_lfstack_create(const struct cb_params *params)
{
	(void)params;
	return peer_urcu_lfstack_create();
}

static void urcu_lfstack_destroy(void *obj)
{
	peer_urcu_lfstack_destroy(obj);
}

static const char *urcu_lfstack_algorithm(const void *obj)
{
	(void)obj;
	return "cds_lfs+rcu";
}

static int urcu_lfstack_push(void *obj, void *item)
{
	return peer_urcu_lfstack_push(obj, item);
}

static int urcu_lfstack_pop(void *obj, void **item)
{
	return peer_urcu_lfstack_pop(obj, item);
}

static void *urcu_lfq_create(const struct cb_params *params)
{
	(void)params;
	return peer_urcu_lfq_create();
}

static void urcu_lfq_destroy(void *obj)
{
	peer_urcu_lfq_destroy(obj);
}

static const char *urcu_lfq_algorithm(const void *obj)
{
	(void)obj;
	return "cds_lfq_rcu";
}

static int urcu_lfq_push(void *obj, void *item)
{
	return peer_urcu_lfq_push(obj, item);
}

static int urcu_lfq_pop(void *obj, void **item)
{
	return peer_urcu_lfq_pop(obj, item);
}

#else /* !HAVE_URCU */
#ifndef CCBENCH_URCU_MISSING
#define CCBENCH_URCU_MISSING "not found by configure"
#endif

static const char *urcu_unavailable(void)
{
	return "liburcu: " CCBENCH_URCU_MISSING;
}

#define urcu_wfcq_create lib_missing_create
#define urcu_wfcq_destroy lib_missing_destroy
#define urcu_wfcq_algorithm lib_missing_algorithm
#define urcu_wfcq_push lib_missing_push
#define urcu_wfcq_pop lib_missing_pop
#define urcu_lfstack_create lib_missing_create
#define urcu_lfstack_destroy lib_missing_destroy
#define urcu_lfstack_algorithm lib_missing_algorithm
#define urcu_lfstack_push lib_missing_push
#define urcu_lfstack_pop lib_missing_pop
#define urcu_lfq_create lib_missing_create
#define urcu_lfq_destroy lib_missing_destroy
#define urcu_lfq_algorithm lib_missing_algorithm
#define urcu_lfq_push lib_missing_push
#define urcu_lfq_pop lib_missing_pop
#endif /* HAVE_URCU */

/* libcds */

#ifdef HAVE_LIBCDS

static const char *cds_unavailable(void)
{
	return NULL;
}

static void *cds_msqueue_create(const struct cb_params *params)
{
	(void)params;
	return peer_cds_msqueue_create();
}

static void cds_msqueue_destroy(void *obj)
{
	peer_cds_msqueue_destroy(obj);
}

static const char *cds_msqueue_algorithm(const void *obj)
{
	(void)obj;
	return "MSQueue<DHP>";
}

static int cds_msqueue_push(void *obj, void *item)
{
	return peer_cds_msqueue_push(obj, item);
}

static int cds_msqueue_pop(void *obj, void **item)
{
	return peer_cds_msqueue_pop(obj, item);
}

static void *cds_treiber_create(const struct cb_params *params)
{
	(void)params;
	return peer_cds_treiber_create();
}

static void cds_treiber_destroy(void *obj)
{
	peer_cds_treiber_destroy(obj);
}

static const char *cds_treiber_algorithm(const void *obj)
{
	(void)obj;
	return "Treiber<DHP>";
}

static int cds_treiber_push(void *obj, void *item)
{
	return peer_cds_treiber_push(obj, item);
}

static int cds_treiber_pop(void *obj, void **item)
{
	return peer_cds_treiber_pop(obj, item);
}

static void *cds_skiplist_create(const struct cb_params *params)
{
	(void)params;
	return peer_cds_skiplist_create();
}

static void cds_skiplist_destroy(void *obj)
{
	peer_cds_skiplist_destroy(obj);
}

static const char *cds_skiplist_algorithm(const void *obj)
{
	(void)obj;
	return "SkipListMap<DHP>";
}

static int cds_skiplist_get(void *obj, uint64_t key, uint64_t *value)
{
	return peer_cds_skiplist_get(obj, key, value);
}

static int cds_skiplist_put(void *obj, uint64_t key, uint64_t value)
{
	return peer_cds_skiplist_put(obj, key, value);
}

static int cds_skiplist_remove(void *obj, uint64_t key)
{
	return peer_cds_skiplist_remove(obj, key);
}

static bool cds_skiplist_visit(uint64_t key, uint64_t value, void *ctx)
{
	return cb_scan_visit(ctx, key, value);
}

static int cds_skiplist_scan(void *obj, uint64_t from, struct cb_scan *scan)
{
	return peer_cds_skiplist_scan(obj, from, cds_skiplist_visit, scan);
}

static size_t cds_skiplist_size(void *obj)
{
	return peer_cds_skiplist_size(obj);
}

#else /* !HAVE_LIBCDS */
#ifndef CCBENCH_LIBCDS_MISSING
#define CCBENCH_LIBCDS_MISSING "not found by configure"
#endif

static const char *cds_unavailable(void)
{
	return "libcds: " CCBENCH_LIBCDS_MISSING;
}

#define cds_msqueue_create lib_missing_create
#define cds_msqueue_destroy lib_missing_destroy
#define cds_msqueue_algorithm lib_missing_algorithm
#define cds_msqueue_push lib_missing_push
#define cds_msqueue_pop lib_missing_pop
#define cds_treiber_create lib_missing_create
#define cds_treiber_destroy lib_missing_destroy
#define cds_treiber_algorithm lib_missing_algorithm
#define cds_treiber_push lib_missing_push
#define cds_treiber_pop lib_missing_pop
#define cds_skiplist_create lib_missing_create
#define cds_skiplist_destroy lib_missing_destroy
#define cds_skiplist_algorithm lib_missing_algorithm
#define cds_skiplist_get lib_missing_get
#define cds_skiplist_put lib_missing_put
#define cds_skiplist_remove lib_missing_remove
#define cds_skiplist_scan lib_missing_scan
#define cds_skiplist_size lib_missing_size
#endif /* HAVE_LIBCDS */

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
	{
		.name = "ck-fifo",
		.family = CB_FAMILY_QUEUE,
		.progress = CB_PROGRESS_LOCK_FREE,
		.flags = CB_PEER,
		.summary = "peer: Concurrency Kit ck_fifo_mpmc, Michael-Scott queue with "
			   "generation counters (16-byte CAS), ck_epoch frees",
		.create = ck_fifo_create,
		.destroy = ck_fifo_destroy,
		.algorithm = ck_fifo_algorithm,
		.unavailable = ck_mpmc_unavailable,
		.pool = { ck_fifo_push, ck_fifo_pop },
	},
	{
		.name = "ck-ring",
		.family = CB_FAMILY_QUEUE,
		.progress = CB_PROGRESS_BLOCKING,
		.flags = CB_PEER | CB_BOUNDED,
		.summary = "peer: Concurrency Kit ck_ring, MPMC calls, at least --capacity items; "
			   "producers publish in order",
		.create = ck_ring_create,
		.destroy = ck_ring_destroy,
		.algorithm = ck_ring_algorithm,
		.unavailable = ck_unavailable,
		.pool = { ck_ring_push, ck_ring_pop },
	},
	{
		.name = "ck-stack",
		.family = CB_FAMILY_STACK,
		.progress = CB_PROGRESS_LOCK_FREE,
		.flags = CB_PEER,
		.summary = "peer: Concurrency Kit ck_stack, push_mpmc/pop_mpmc (Treiber, "
			   "generation counter)",
		.create = ck_stack_create,
		.destroy = ck_stack_destroy,
		.algorithm = ck_stack_algorithm,
		.unavailable = ck_mpmc_unavailable,
		.pool = { ck_stack_push, ck_stack_pop },
	},
	{
		.name = "urcu-wfcq",
		.family = CB_FAMILY_QUEUE,
		.progress = CB_PROGRESS_BLOCKING,
		.flags = CB_PEER,
		.summary = "peer: liburcu cds_wfcq, wait-free enqueue, dequeue under the "
			   "queue's mutex",
		.create = urcu_wfcq_create,
		.destroy = urcu_wfcq_destroy,
		.algorithm = urcu_wfcq_algorithm,
		.unavailable = urcu_unavailable,
		.pool = { urcu_wfcq_push, urcu_wfcq_pop },
	},
	{
		.name = "urcu-lfstack",
		.family = CB_FAMILY_STACK,
		.progress = CB_PROGRESS_LOCK_FREE,
		.flags = CB_PEER,
		.summary = "peer: liburcu cds_lfs stack, pops under RCU (urcu-memb), nodes "
			   "freed by call_rcu",
		.create = urcu_lfstack_create,
		.destroy = urcu_lfstack_destroy,
		.algorithm = urcu_lfstack_algorithm,
		.unavailable = urcu_unavailable,
		.pool = { urcu_lfstack_push, urcu_lfstack_pop },
	},
	{
		.name = "urcu-lfq",
		.family = CB_FAMILY_QUEUE,
		.progress = CB_PROGRESS_LOCK_FREE,
		.flags = CB_PEER,
		.summary = "peer: liburcu cds_lfq RCU lock-free queue (urcu-memb), nodes freed "
			   "by call_rcu",
		.create = urcu_lfq_create,
		.destroy = urcu_lfq_destroy,
		.algorithm = urcu_lfq_algorithm,
		.unavailable = urcu_unavailable,
		.pool = { urcu_lfq_push, urcu_lfq_pop },
	},
	{
		.name = "cds-msqueue",
		.family = CB_FAMILY_QUEUE,
		.progress = CB_PROGRESS_LOCK_FREE,
		.flags = CB_PEER,
		.summary = "peer: libcds MSQueue (Michael-Scott), dynamic hazard pointers "
			   "(gc::DHP)",
		.create = cds_msqueue_create,
		.destroy = cds_msqueue_destroy,
		.algorithm = cds_msqueue_algorithm,
		.unavailable = cds_unavailable,
		.pool = { cds_msqueue_push, cds_msqueue_pop },
	},
	{
		.name = "cds-treiber",
		.family = CB_FAMILY_STACK,
		.progress = CB_PROGRESS_LOCK_FREE,
		.flags = CB_PEER,
		.summary = "peer: libcds TreiberStack, dynamic hazard pointers (gc::DHP)",
		.create = cds_treiber_create,
		.destroy = cds_treiber_destroy,
		.algorithm = cds_treiber_algorithm,
		.unavailable = cds_unavailable,
		.pool = { cds_treiber_push, cds_treiber_pop },
	},
	{
		.name = "cds-skiplist",
		.family = CB_FAMILY_MAP,
		.progress = CB_PROGRESS_LOCK_FREE,
		.flags = CB_PEER,
		.summary = "peer: libcds SkipListMap (gc::DHP), u64 keys; scans walk from the "
			   "first key (no seek)",
		.create = cds_skiplist_create,
		.destroy = cds_skiplist_destroy,
		.algorithm = cds_skiplist_algorithm,
		.unavailable = cds_unavailable,
		.map = { cds_skiplist_get, cds_skiplist_put, cds_skiplist_remove,
			 cds_skiplist_scan, cds_skiplist_size },
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
