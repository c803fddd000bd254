/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Epoch-based reclamation: thread records, retire, collection, adoption of
 * an exiting thread's garbage, barrier, statistics.  See smr.h for the
 * protocol.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include "platform/alloc.h"
#include "platform/options.h"
#include "smr/smr.h"

/* A thread collects after this many retires (amortized reclamation). */
#define CC_SMR_COLLECT_EVERY 64

CC_INTERNAL CC_TLS struct cc_smr_rec *cc_smr_self;
CC_INTERNAL _Atomic uint64_t cc_smr_epoch;

static _Atomic(struct cc_smr_rec *) registry;
static _Atomic uint64_t registry_size;

/* id -> record, for the wait-free queue's tagged counters: chunks of
 * ID_CHUNK records, allocated on first use and never freed. */
#define ID_CHUNK 1024u
static _Atomic(_Atomic(struct cc_smr_rec *) *) id_table[CC_SMR_MAX_RECORDS / ID_CHUNK];
static _Atomic uint32_t next_id;

/* Garbage adopted from exited threads, and retired by threads that could
 * not register (out of memory).  Protected by orphan_lock; orphan_count
 * lets collectors skip the lock when there is nothing. */
static pthread_mutex_t orphan_lock = PTHREAD_MUTEX_INITIALIZER;
static struct cc_smr_bucket orphan[CC_SMR_BUCKETS];
static _Atomic uint64_t orphan_count;

/* Frees and retires not attributed to one record. */
static _Atomic uint64_t shared_freed;
static _Atomic uint64_t shared_retired;

/* Serializes barriers: a barrier returns only after freeing what it took. */
static pthread_mutex_t barrier_lock = PTHREAD_MUTEX_INITIALIZER;

static pthread_key_t exit_key;
static pthread_once_t exit_key_once = PTHREAD_ONCE_INIT;

/* ---- buckets ------------------------------------------------------------- */

static void bucket_push(struct cc_smr_bucket *b, concoll_smr_head_t *h)
{
	h->next = b->head;
	b->head = h;
	if (b->tail == NULL)
		b->tail = h;
	b->count++;
}

/* Move all of src to the end of dst; dst keeps the larger stamp (later is
 * always safe). */
static void bucket_splice(struct cc_smr_bucket *dst, struct cc_smr_bucket *src)
{
	if (src->count == 0)
		return;
	if (dst->count == 0) {
		dst->head = src->head;
		dst->tail = src->tail;
		dst->stamp = src->stamp;
	} else {
		dst->tail->next = src->head;
		dst->tail = src->tail;
		if (src->stamp > dst->stamp)
			dst->stamp = src->stamp;
	}
	dst->count += src->count;
	memset(src, 0, sizeof *src);
}

/* Run the callbacks of a detached list; returns how many ran. */
static uint64_t run_list(concoll_smr_head_t *h)
{
	uint64_t n = 0;

	while (h) {
		concoll_smr_head_t *next = h->next; /* fn frees h */

		h->fn(h);
		h = next;
		n++;
	}
	return n;
}

static void counter_add(_Atomic uint64_t *c, uint64_t n)
{
	/* relaxed: a statistic, single writer (the record's owner) */
	atomic_store_explicit(c, atomic_load_explicit(c, memory_order_relaxed) + n,
	                      memory_order_relaxed);
}

/* ---- epoch ---------------------------------------------------------------- */

/* Advance the global epoch by one if every active record announces it. */
static bool try_advance(void)
{
	uint64_t e = atomic_load_explicit(&cc_smr_epoch, memory_order_acquire);
	struct cc_smr_rec *r;

	/* orders our earlier unlinks and unpins before the scan (the other
	 * half of the pin/scan pair) */
	cc_smp_mb();
	for (r = atomic_load_explicit(&registry, memory_order_acquire); r; r = r->next) {
		/* acquire: synchronizes with the owner's unpin (release) or pin, so
		 * its guarded reads happen before anything freed after this */
		uint64_t s = atomic_load_explicit(&r->state, memory_order_acquire);

		if ((s & CC_SMR_ACTIVE) && (s >> 2) != e)
			return false;
	}
	/* acq_rel: publishes the scan to whoever reads the new epoch */
	return atomic_compare_exchange_strong_explicit(&cc_smr_epoch, &e, e + 1, memory_order_acq_rel,
	                                               memory_order_relaxed);
}

static uint64_t epoch_now(void)
{
	/* acquire: pairs with try_advance's CAS; frees decided on this value
	 * happen after the scans that allowed it */
	return atomic_load_explicit(&cc_smr_epoch, memory_order_acquire);
}

/* ---- orphans ---------------------------------------------------------------- */

/* Take the orphan buckets that are safe to free at epoch g (lock held). */
static concoll_smr_head_t *orphans_take_expired(uint64_t g)
{
	concoll_smr_head_t *list = NULL;
	int i;

	for (i = 0; i < CC_SMR_BUCKETS; i++) {
		struct cc_smr_bucket *b = &orphan[i];

		if (b->count && b->stamp + 2 <= g) {
			b->tail->next = list;
			list = b->head;
			atomic_fetch_sub_explicit(&orphan_count, b->count, memory_order_relaxed);
			memset(b, 0, sizeof *b);
		}
	}
	return list;
}

/* Adopt a record's buckets (lock held). */
static void orphans_adopt(struct cc_smr_rec *r)
{
	int i;

	for (i = 0; i < CC_SMR_BUCKETS; i++) {
		struct cc_smr_bucket *b = &r->bucket[i];

		if (b->count) {
			/* relaxed: orphan_count is only a hint; the lock orders the lists */
			atomic_fetch_add_explicit(&orphan_count, b->count, memory_order_relaxed);
			bucket_splice(&orphan[b->stamp % CC_SMR_BUCKETS], b);
		}
	}
}

static uint64_t orphans_collect(void)
{
	concoll_smr_head_t *list;
	uint64_t n;

	/* relaxed: a stale zero only delays collection to the next call */
	if (atomic_load_explicit(&orphan_count, memory_order_relaxed) == 0)
		return 0;
	if (pthread_mutex_trylock(&orphan_lock) != 0)
		return 0;
	list = orphans_take_expired(epoch_now());
	pthread_mutex_unlock(&orphan_lock);
	/* callbacks run unlocked: they may retire (and take the lock) */
	n = run_list(list);
	if (n)
		atomic_fetch_add_explicit(&shared_freed, n, memory_order_relaxed);
	return n;
}

/* ---- collection by the owner -------------------------------------------------- */

uint64_t cc_smr_collect(struct cc_smr_rec *self)
{
	uint64_t g, n = 0;
	int i;

	self->since_collect = 0;
	try_advance();
	g = epoch_now();
	for (i = 0; i < CC_SMR_BUCKETS; i++) {
		struct cc_smr_bucket *b = &self->bucket[i];

		if (b->count && b->stamp + 2 <= g) {
			concoll_smr_head_t *list = b->head;

			memset(b, 0, sizeof *b); /* detach first: callbacks may retire */
			n += run_list(list);
		}
	}
	if (n)
		counter_add(&self->freed, n);
	return n + orphans_collect();
}

void cc_smr_retire(struct cc_smr_rec *self, concoll_smr_head_t *head,
                   void (*fn)(concoll_smr_head_t *))
{
	/* While we are pinned at p the global epoch is p or p+1: p+1 bounds the
	 * epoch at the time of the unlink, without reading shared state. */
	uint64_t stamp = self->pinned_epoch + 1;
	struct cc_smr_bucket *b = &self->bucket[stamp % CC_SMR_BUCKETS];

	CC_ASSERT(self->nest > 0);
	head->fn = fn;
	if (b->count && b->stamp != stamp) {
		/* Same slot, older stamp: at least 4 epochs old, so expired. */
		concoll_smr_head_t *old = b->head;
		uint64_t n;

		memset(b, 0, sizeof *b);
		b->stamp = stamp;
		bucket_push(b, head);
		n = run_list(old);
		counter_add(&self->freed, n);
	} else {
		b->stamp = stamp;
		bucket_push(b, head);
	}
	counter_add(&self->retired, 1);
	if (++self->since_collect >= CC_SMR_COLLECT_EVERY)
		cc_smr_collect(self);
}

/* ---- registration ---------------------------------------------------------------- */

static void release_record(struct cc_smr_rec *r)
{
	if (r->nest == 0)
		cc_smr_pin(r); /* keeps barriers off our buckets while we move them */
	pthread_mutex_lock(&orphan_lock);
	orphans_adopt(r);
	pthread_mutex_unlock(&orphan_lock);
	r->nest = 0;
	/* release: the barrier that asked sees the buckets in the orphan list */
	atomic_store_explicit(&r->flush_req, 0, memory_order_release);
	atomic_store_explicit(&r->state, 0, memory_order_release);
	cc_smr_self = NULL;
	orphans_collect();
	/* release: the next owner sees the record as we left it */
	atomic_store_explicit(&r->in_use, 0, memory_order_release);
}

static void thread_exit(void *arg)
{
	struct cc_smr_rec *r = arg;

	if (r && cc_smr_self == r)
		release_record(r);
}

static void atfork_prepare(void)
{
	pthread_mutex_lock(&barrier_lock);
	pthread_mutex_lock(&orphan_lock);
}

static void atfork_parent(void)
{
	pthread_mutex_unlock(&orphan_lock);
	pthread_mutex_unlock(&barrier_lock);
}

/* In the child only the forking thread exists: every other record is
 * released and its garbage adopted, or the epoch could never advance. */
static void atfork_child(void)
{
	struct cc_smr_rec *r;

	for (r = atomic_load_explicit(&registry, memory_order_acquire); r; r = r->next) {
		if (r == cc_smr_self)
			continue;
		orphans_adopt(r);
		r->nest = 0;
		atomic_store_explicit(&r->flush_req, 0, memory_order_relaxed);
		atomic_store_explicit(&r->state, 0, memory_order_relaxed);
		atomic_store_explicit(&r->in_use, 0, memory_order_relaxed);
	}
	pthread_mutex_unlock(&orphan_lock);
	pthread_mutex_unlock(&barrier_lock);
}

static void make_exit_key(void)
{
	/* Failure leaves exit_key invalid: registration then fails with ENOMEM
	 * rather than leaking records at thread exit. */
	if (pthread_key_create(&exit_key, thread_exit) == 0)
		pthread_atfork(atfork_prepare, atfork_parent, atfork_child);
	else
		memset(&exit_key, 0xff, sizeof exit_key);
}

/* Give r the next id and enter it in the id table.  Ids of records that
 * failed later stay unused (records are never freed, ids never reused). */
static int id_publish(struct cc_smr_rec *r)
{
	uint32_t id = atomic_fetch_add_explicit(&next_id, 1, memory_order_relaxed);
	_Atomic(struct cc_smr_rec *) *chunk, *fresh;

	if (id >= CC_SMR_MAX_RECORDS)
		return -ENOMEM;
	/* acquire: we see an initialized chunk */
	chunk = atomic_load_explicit(&id_table[id / ID_CHUNK], memory_order_acquire);
	if (chunk == NULL) {
		fresh = cc_zalloc(ID_CHUNK * sizeof *fresh, CC_CACHELINE);
		if (fresh == NULL)
			return -ENOMEM;
		/* release: publishes the zeroed chunk */
		if (atomic_compare_exchange_strong_explicit(&id_table[id / ID_CHUNK], &chunk, fresh,
		                                            memory_order_acq_rel,
		                                            memory_order_acquire))
			chunk = fresh;
		else
			cc_free(fresh, ID_CHUNK * sizeof *fresh, CC_CACHELINE);
	}
	r->id = id;
	/* release: a reader that finds r by id sees it initialized */
	atomic_store_explicit(&chunk[id % ID_CHUNK], r, memory_order_release);
	return 0;
}

struct cc_smr_rec *cc_smr_record_by_id(uint32_t id)
{
	_Atomic(struct cc_smr_rec *) *chunk;

	if (id >= CC_SMR_MAX_RECORDS)
		return NULL;
	chunk = atomic_load_explicit(&id_table[id / ID_CHUNK], memory_order_acquire);
	return chunk ? atomic_load_explicit(&chunk[id % ID_CHUNK], memory_order_acquire) : NULL;
}

struct cc_smr_rec *cc_smr_registry(void)
{
	return atomic_load_explicit(&registry, memory_order_acquire);
}

struct cc_smr_rec *cc_smr_register(void)
{
	struct cc_smr_rec *r, *head;

	if (cc_smr_self)
		return cc_smr_self;
	pthread_once(&exit_key_once, make_exit_key);

	/* Reuse a released record... */
	for (r = atomic_load_explicit(&registry, memory_order_acquire); r; r = r->next) {
		uint32_t free_rec = 0;

		/* acquire: we see the record as its last owner left it */
		if (atomic_load_explicit(&r->in_use, memory_order_relaxed) == 0 &&
		    atomic_compare_exchange_strong_explicit(&r->in_use, &free_rec, 1,
		                                            memory_order_acquire, memory_order_relaxed))
			break;
	}
	/* ...or publish a new one. */
	if (r == NULL) {
		r = cc_zalloc(sizeof *r, CC_CACHELINE);
		if (r == NULL)
			return NULL;
		if (id_publish(r) != 0) {
			cc_free(r, sizeof *r, CC_CACHELINE);
			return NULL;
		}
		atomic_init(&r->in_use, 1);
		head = atomic_load_explicit(&registry, memory_order_relaxed);
		do {
			r->next = head;
			/* release: scanners see an initialized record */
		} while (!atomic_compare_exchange_weak_explicit(&registry, &head, r, memory_order_release,
		                                                memory_order_relaxed));
		atomic_fetch_add_explicit(&registry_size, 1, memory_order_relaxed);
	}
	if (pthread_setspecific(exit_key, r) != 0) {
		atomic_store_explicit(&r->in_use, 0, memory_order_release);
		return NULL;
	}
	r->nest = 0;
	r->since_collect = 0;
	r->rng = ((uint64_t)(uintptr_t)r * 0x9E3779B97F4A7C15ULL) ^ (uint64_t)time(NULL) ^ 1;
	cc_smr_self = r;
	return r;
}

void cc_smr_handoff(struct cc_smr_rec *self)
{
	pthread_mutex_lock(&orphan_lock);
	orphans_adopt(self);
	pthread_mutex_unlock(&orphan_lock);
	/* release: the waiting barrier then finds our garbage among the orphans */
	atomic_store_explicit(&self->flush_req, 0, memory_order_release);
}

/* ---- public API --------------------------------------------------------------------- */

CONCOLL_API int concoll_thread_attach(void)
{
	return cc_smr_register() ? 0 : -ENOMEM;
}

CONCOLL_API int concoll_thread_detach(void)
{
	struct cc_smr_rec *self = cc_smr_self;

	if (self == NULL)
		return 0;
	if (self->nest > 0)
		return -EBUSY;
	/* before release_record: a callback it runs may retire and so
	 * register this thread again, which must set the key again */
	pthread_setspecific(exit_key, NULL);
	release_record(self);
	return 0;
}

CONCOLL_API int concoll_smr_enter(void)
{
	return cc_smr_enter() ? 0 : -ENOMEM;
}

CONCOLL_API void concoll_smr_exit(void)
{
	struct cc_smr_rec *self = cc_smr_self;

	if (self && self->nest > 0)
		cc_smr_exit(self);
}

CONCOLL_API int concoll_smr_retire(concoll_smr_head_t *head, void (*fn)(concoll_smr_head_t *))
{
	struct cc_smr_rec *self;

	if (head == NULL || fn == NULL)
		return -EINVAL;
	self = cc_smr_enter();
	if (self) {
		cc_smr_retire(self, head, fn);
		cc_smr_exit(self);
		return 0;
	}
	/* No record (out of memory): adopt it directly.  The barrier orders
	 * the caller's unlink before the epoch read; any thread that can
	 * still see the object is pinned at most at that epoch + 1. */
	head->fn = fn;
	cc_smp_mb();
	pthread_mutex_lock(&orphan_lock);
	{
		struct cc_smr_bucket one = { head, head, epoch_now() + 1, 1 };

		head->next = NULL;
		atomic_fetch_add_explicit(&orphan_count, 1, memory_order_relaxed);
		bucket_splice(&orphan[one.stamp % CC_SMR_BUCKETS], &one);
	}
	pthread_mutex_unlock(&orphan_lock);
	atomic_fetch_add_explicit(&shared_retired, 1, memory_order_relaxed);
	return 0;
}

CONCOLL_API size_t concoll_smr_flush(void)
{
	struct cc_smr_rec *self = cc_smr_enter();
	uint64_t n;

	if (self == NULL) {
		try_advance();
		return (size_t)orphans_collect();
	}
	n = cc_smr_collect(self);
	cc_smr_exit(self);
	return (size_t)n;
}

/* Take a record's garbage for a barrier: directly when it is idle, through
 * its owner (cc_smr_handoff at its next outermost exit) when it is inside a
 * guard.  Returns true when done. */
static bool barrier_take(struct cc_smr_rec *r, struct cc_smr_bucket *into)
{
	uint64_t idle = 0;
	int i;

	/* acquire: sees the buckets as the owner left them at its unpin */
	if (atomic_compare_exchange_strong_explicit(&r->state, &idle, CC_SMR_STEAL,
	                                            memory_order_acquire, memory_order_relaxed)) {
		for (i = 0; i < CC_SMR_BUCKETS; i++)
			bucket_splice(into, &r->bucket[i]);
		atomic_store_explicit(&r->flush_req, 0, memory_order_relaxed);
		/* release: the owner's next pin sees its emptied buckets */
		atomic_store_explicit(&r->state, 0, memory_order_release);
		return true;
	}
	/* acquire: pairs with cc_smr_handoff's release */
	return atomic_load_explicit(&r->flush_req, memory_order_acquire) == 0;
}

/* A barrier waiting for other threads: yield first, then sleep 100 us. */
static void barrier_wait(int *rounds)
{
	if ((*rounds)++ < 100) {
		sched_yield();
	} else {
		struct timespec ts = { 0, 100000 };

		nanosleep(&ts, NULL);
	}
}

CONCOLL_API int concoll_smr_barrier(void)
{
	struct cc_smr_rec *self = cc_smr_self, *r, *first;
	struct cc_smr_bucket all = { NULL, NULL, 0, 0 };
	bool pending;
	uint64_t n;
	int i, rounds = 0;

	if (self && self->nest > 0)
		return -EDEADLK;
	pthread_mutex_lock(&barrier_lock);

	first = atomic_load_explicit(&registry, memory_order_acquire);
	for (r = first; r; r = r->next) {
		if (r == self)
			continue;
		/* relaxed: the owner reads it at its next exit; the CAS or its
		 * handoff's release carries the data */
		atomic_store_explicit(&r->flush_req, 1, memory_order_relaxed);
	}
	if (self) {
		cc_smr_pin(self);
		for (i = 0; i < CC_SMR_BUCKETS; i++)
			bucket_splice(&all, &self->bucket[i]);
		atomic_store_explicit(&self->state, 0, memory_order_release);
	}
	/* Order the flush requests before the owners' next reads of them. */
	cc_smp_mb();
	do {
		pending = false;
		for (r = first; r; r = r->next) {
			if (r != self && !barrier_take(r, &all))
				pending = true;
		}
		if (pending)
			barrier_wait(&rounds);
	} while (pending);

	pthread_mutex_lock(&orphan_lock);
	for (i = 0; i < CC_SMR_BUCKETS; i++) {
		atomic_fetch_sub_explicit(&orphan_count, orphan[i].count, memory_order_relaxed);
		bucket_splice(&all, &orphan[i]);
	}
	pthread_mutex_unlock(&orphan_lock);

	rounds = 0;
	while (all.count && epoch_now() < all.stamp + 2) {
		if (!try_advance())
			barrier_wait(&rounds);
	}
	n = run_list(all.head);
	if (n)
		atomic_fetch_add_explicit(&shared_freed, n, memory_order_relaxed);
	pthread_mutex_unlock(&barrier_lock);
	return 0;
}

CONCOLL_API int concoll_smr_stats(struct concoll_smr_stats *st)
{
	struct concoll_smr_stats v = { sizeof v, 0, 0, 0, 0, 0, 0 };
	struct cc_smr_rec *r;
	uint64_t retired, freed, threads = 0;
	/* relaxed throughout: statistics, exact only when quiescent */
	freed = atomic_load_explicit(&shared_freed, memory_order_relaxed);
	retired = atomic_load_explicit(&shared_retired, memory_order_relaxed);
	for (r = atomic_load_explicit(&registry, memory_order_acquire); r; r = r->next) {
		freed += atomic_load_explicit(&r->freed, memory_order_relaxed);
		retired += atomic_load_explicit(&r->retired, memory_order_relaxed);
		threads += atomic_load_explicit(&r->in_use, memory_order_relaxed) != 0;
	}
	v.retired = retired;
	v.freed = freed < retired ? freed : retired;
	v.pending = retired - v.freed;
	v.epoch = atomic_load_explicit(&cc_smr_epoch, memory_order_relaxed);
	v.threads = threads;
	v.records = atomic_load_explicit(&registry_size, memory_order_relaxed);
	return cc_options_out(st, &v, sizeof v, sizeof v);
}
