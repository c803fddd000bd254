/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * concurrent_collections._concoll: LockFreeQueue, FastQueue, WaitFreeQueue
 * and LockFreeStack, the Python face of concoll_queue_* and concoll_stack_*.
 *
 * Items are PyObject pointers.  The queue owns one strong reference to each
 * item it holds: put takes it (Py_INCREF) before the push and drops it again
 * if the push fails; a successful pop hands it to the caller; dealloc drops
 * the references of the items left behind (concoll_*_destroy's release
 * callback, which runs in dealloc with an attached thread state).  The
 * library never keeps an item pointer after the pop that returned it, so
 * these types need none of the deferred-release machinery of the maps.
 *
 * Shared between threads without any lock of ours: the library is
 * thread-safe, the fields of an object are written once in tp_new, and the
 * only fields that change afterwards are the two waiter counts, which are
 * atomics (so no Py_BEGIN_CRITICAL_SECTION on free-threaded builds).
 *
 * Garbage collection: the types are not GC types.  The only Python objects
 * an instance references are its type and the items inside the library
 * queue, and those cannot be visited by tp_traverse: a lock-free queue or
 * stack cannot be iterated safely while other threads push and pop.  A
 * reference cycle through the items of a queue (a queue that contains
 * itself, an item that references its queue) is therefore not collected,
 * exactly as it would not be if the type were GC-aware but did not report
 * those references.
 *
 * Blocking (get on an empty queue or stack, put on a full bounded queue):
 * the fast path is one library call; only when it fails does the caller
 * enter the slow path, which detaches from the interpreter and sleeps on a
 * per-object condition variable in slices of at most 50 ms, re-attaching
 * between slices to check its deadline and run PyErr_CheckSignals() (so
 * Ctrl-C interrupts a blocked get in the main thread).  See wait_slice() for
 * the protocol and why no wake-up is lost; the price on the fast path is a
 * sequentially consistent fence and a load after a successful push (and,
 * for bounded queues only, after a successful pop).
 */
#include "ccpy.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#if PY_VERSION_HEX < 0x030C0000
#include <structmember.h>
#define Py_T_PYSSIZET T_PYSSIZET
#define Py_READONLY READONLY
#endif

#define CCQ_MAX_CAPACITY ((Py_ssize_t)1 << 30) /* the library's limit */
#define CCQ_SLICE_NS 50000000L                 /* longest sleep between checks */
#define CCQ_FOREVER 1e9                        /* timeouts above (s): no deadline */

typedef struct {
	PyObject_HEAD
	/* Written once in tp_new, read-only afterwards. */
	union {
		concoll_queue_t *q;
		concoll_stack_t *s;
	};
	bool is_stack;
	bool sync_ready;    /* mu and the condition variables are initialized */
	Py_ssize_t maxsize; /* the capacity of a bounded queue (put can find it full), 0 otherwise */
	PyObject *weakreflist;
	/* Threads inside wait_slice(), getting / putting. */
	atomic_uint get_waiters;
	atomic_uint put_waiters;
	pthread_mutex_t mu;
	pthread_cond_t not_empty; /* get waiters sleep here */
	pthread_cond_t not_full;  /* put waiters sleep here */
} CCQueueObject;

/* ------------------------------------------------------------------ */
/* Library calls */

static inline int obj_push(CCQueueObject *self, void *item)
{
	return self->is_stack ? concoll_stack_push(self->s, item) : concoll_queue_push(self->q, item);
}

static inline int obj_pop(CCQueueObject *self, void **item)
{
	return self->is_stack ? concoll_stack_pop(self->s, item) : concoll_queue_pop(self->q, item);
}

static inline size_t obj_size(CCQueueObject *self)
{
	return self->is_stack ? concoll_stack_size(self->s) : concoll_queue_size(self->q);
}

static const char *obj_kind_name(CCQueueObject *self)
{
	const char *n = self->is_stack ? concoll_stack_kind_name(self->s)
	                               : concoll_queue_kind_name(self->q);

	return n ? n : "?";
}

static void release_item(void *item, void *ctx)
{
	(void)ctx;
	Py_DECREF((PyObject *)item);
}

/* ------------------------------------------------------------------ */
/* Waiting
 *
 * Protocol (getters; putters on a full bounded queue are symmetric, with
 * put_waiters, not_full and "a successful pop" in place of "a successful
 * push"):
 *
 *   getter G (slow path, detached)       putter P (after a successful push)
 *   G1 get_waiters += 1                  P1 push(item) succeeded
 *   G2 seq_cst fence                     P2 seq_cst fence
 *   G3 lock(mu)                          P3 if get_waiters != 0:
 *   G4 pop; if it got an item: done      P4     lock(mu); signal; unlock(mu)
 *   G5 wait(not_empty, mu, slice end), then back to G4 (or, when the slice
 *      is over, one last pop); finally unlock(mu) and get_waiters -= 1.
 *
 * No wake-up is lost.  By the fence rule of the C11 memory model, of the
 * two fences G2 and P2 one comes first in the single total order of
 * seq_cst operations: if P2 comes first, every pop G makes after G2 sees
 * the writes of P's push, so G4 finds the item (or finds that another
 * consumer took it, which leaves nothing to wake G for); if G2 comes
 * first, P3 reads G's increment (or a later value, which is non-zero
 * while G is still inside G1..G5), so P locks mu.  G holds mu from G3 until
 * G5 atomically releases it while blocking, so P's lock succeeds either
 * before G3 (and then P's push happens before G4, which finds the item) or
 * once G is blocked in G5, where P's signal wakes G or another blocked
 * getter; whichever wakes pops again (under mu).  Each signal unblocks a
 * thread that is blocked at that moment, so n pushes signal n distinct
 * sleepers (or find fewer, then the others are not asleep yet and pop
 * before sleeping).  A pop that reports empty does so only if every push
 * that had returned had its item taken (the library's linearizability), so
 * an item is never left in the queue while a waiter that should have got
 * it sleeps.  And even if the argument had a hole, a sleeper wakes at the
 * end of every 50 ms slice and pops again.
 *
 * The fast path pays P2 and P3 (a fence and a load of a counter that is
 * written only by waiters) and nothing else; P4 runs only while a thread
 * waits.  P4 takes mu while attached to the interpreter: mu is only ever
 * held for a pop or push and the hand-over to pthread_cond_timedwait by
 * threads that are detached, so it cannot deadlock with the GIL.
 */

static void notify(CCQueueObject *self, atomic_uint *waiters, pthread_cond_t *cond)
{
	atomic_thread_fence(memory_order_seq_cst); /* P2 */
	if (atomic_load_explicit(waiters, memory_order_relaxed) != 0) {
		pthread_mutex_lock(&self->mu);
		pthread_cond_signal(cond);
		pthread_mutex_unlock(&self->mu);
	}
}

/* After a successful push. */
static inline void notify_getters(CCQueueObject *self)
{
	notify(self, &self->get_waiters, &self->not_empty);
}

/* After a successful pop; only bounded queues have put waiters. */
static inline void notify_putters(CCQueueObject *self)
{
	if (self->maxsize > 0)
		notify(self, &self->put_waiters, &self->not_full);
}

/* One slice of a blocked get (push false) or of a blocked put on a full
 * bounded queue (push true), detached: try until it succeeds or `until`
 * (CLOCK_MONOTONIC) has passed.  0 (a pop stores *item), -EAGAIN, or
 * another negative errno value from the library.  G1..G5 name the steps
 * of a get in the protocol above; a put's are symmetric. */
static int wait_slice(CCQueueObject *self, bool push, void **item, const struct timespec *until)
{
	atomic_uint *waiters = push ? &self->put_waiters : &self->get_waiters;
	pthread_cond_t *cond = push ? &self->not_full : &self->not_empty;
	bool timed_out = false;
	int rc;

	atomic_fetch_add_explicit(waiters, 1, memory_order_seq_cst); /* G1 */
	atomic_thread_fence(memory_order_seq_cst);                   /* G2 */
	pthread_mutex_lock(&self->mu);                               /* G3 */
	for (;;) {
		rc = push ? obj_push(self, *item) : obj_pop(self, item); /* G4 */
		if (rc != -EAGAIN || timed_out)
			break;
		/* G5; any error other than a wake-up ends the slice. */
		timed_out = pthread_cond_timedwait(cond, &self->mu, until) != 0;
	}
	pthread_mutex_unlock(&self->mu);
	atomic_fetch_sub_explicit(waiters, 1, memory_order_seq_cst);
	return rc;
}

typedef struct {
	bool forever;
	struct timespec at; /* CLOCK_MONOTONIC */
} deadline_t;

static void ts_add_ns(struct timespec *ts, long long ns)
{
	ts->tv_sec += (time_t)(ns / 1000000000LL);
	ts->tv_nsec += (long)(ns % 1000000000LL);
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}

static bool ts_before(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec < b->tv_sec || (a->tv_sec == b->tv_sec && a->tv_nsec < b->tv_nsec);
}

/* timeout: seconds, > 0; < 0 (None) or huge: no deadline. */
static void deadline_init(deadline_t *d, double timeout)
{
	double whole;

	d->forever = timeout < 0 || timeout > CCQ_FOREVER;
	if (d->forever)
		return;
	clock_gettime(CLOCK_MONOTONIC, &d->at);
	whole = floor(timeout);
	d->at.tv_sec += (time_t)whole;
	ts_add_ns(&d->at, (long long)((timeout - whole) * 1e9));
}

/* The end of the next slice: 50 ms from now or the deadline, whichever
 * comes first; false when the deadline has passed. */
static bool next_slice(const deadline_t *d, struct timespec *until)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	if (!d->forever && !ts_before(&now, &d->at))
		return false;
	*until = now;
	ts_add_ns(until, CCQ_SLICE_NS);
	if (!d->forever && ts_before(&d->at, until))
		*until = d->at;
	return true;
}

/* ------------------------------------------------------------------ */
/* Errors */

static PyObject *raise_state_exc(CCQueueObject *self, bool full)
{
	ccpy_state *st = ccpy_state_of(Py_TYPE(self));

	if (st)
		PyErr_SetNone(full ? st->full_exc : st->empty_exc);
	return NULL;
}

/* ------------------------------------------------------------------ */
/* put and get */

/* The pop failed with -EAGAIN: raise queue.Empty at once (timeout 0) or
 * wait (timeout < 0: forever). */
static PyObject *get_slow(CCQueueObject *self, double timeout)
{
	deadline_t d;
	struct timespec until;
	void *item = NULL;
	int rc;

	if (timeout == 0)
		return raise_state_exc(self, false);
	deadline_init(&d, timeout);
	while (next_slice(&d, &until)) {
		Py_BEGIN_ALLOW_THREADS
		rc = wait_slice(self, false, &item, &until);
		if (rc == 0)
			notify_putters(self);
		Py_END_ALLOW_THREADS
		if (rc == 0)
			return (PyObject *)item;
		if (rc != -EAGAIN)
			return ccpy_raise(rc);
		if (PyErr_CheckSignals() < 0)
			return NULL;
	}
	return raise_state_exc(self, false);
}

static inline PyObject *do_get(CCQueueObject *self, double timeout)
{
	void *item;
	int rc = obj_pop(self, &item);

	if (rc == 0) {
		notify_putters(self);
		return (PyObject *)item; /* the queue's reference, now the caller's */
	}
	if (rc == -EAGAIN)
		return get_slow(self, timeout);
	return ccpy_raise(rc);
}

/* The push of item (whose reference the caller handed over) failed with
 * -EAGAIN: a bounded queue is full. */
static PyObject *put_slow(CCQueueObject *self, PyObject *item, double timeout)
{
	deadline_t d;
	struct timespec until;
	void *word = item;
	int rc;

	if (timeout == 0)
		goto full;
	deadline_init(&d, timeout);
	while (next_slice(&d, &until)) {
		Py_BEGIN_ALLOW_THREADS
		rc = wait_slice(self, true, &word, &until);
		if (rc == 0)
			notify_getters(self);
		Py_END_ALLOW_THREADS
		if (rc == 0)
			Py_RETURN_NONE;
		if (rc != -EAGAIN) {
			Py_DECREF(item);
			return ccpy_raise(rc);
		}
		if (PyErr_CheckSignals() < 0) {
			Py_DECREF(item);
			return NULL;
		}
	}
full:
	Py_DECREF(item);
	return raise_state_exc(self, true);
}

static inline PyObject *do_put(CCQueueObject *self, PyObject *item, double timeout)
{
	int rc;

	Py_INCREF(item); /* the queue's reference, taken before the push */
	rc = obj_push(self, item);
	if (rc == 0) {
		notify_getters(self);
		Py_RETURN_NONE;
	}
	if (rc == -EAGAIN)
		return put_slow(self, item, timeout);
	Py_DECREF(item);
	return ccpy_raise(rc);
}

/* Parse FASTCALL arguments given by position or keyword: up to n, the
 * first `required` of them required; out[] must be NULL-filled. */
static int parse_args(const char *fname, PyObject *const *args, Py_ssize_t nargs,
                      PyObject *kwnames, const char *const *names, int n, int required,
                      PyObject **out)
{
	Py_ssize_t i, nkw = kwnames ? PyTuple_GET_SIZE(kwnames) : 0;

	if (nargs > n) {
		PyErr_Format(PyExc_TypeError, "%s() takes at most %d arguments (%zd given)", fname,
		             n, nargs + nkw);
		return -1;
	}
	for (i = 0; i < nargs; i++)
		out[i] = args[i];
	for (i = 0; i < nkw; i++) {
		PyObject *key = PyTuple_GET_ITEM(kwnames, i);
		int j;

		for (j = 0; j < n; j++)
			if (PyUnicode_CompareWithASCIIString(key, names[j]) == 0)
				break;
		if (j == n) {
			PyErr_Format(PyExc_TypeError, "%s() got an unexpected keyword argument '%S'",
			             fname, key);
			return -1;
		}
		if (out[j]) {
			PyErr_Format(PyExc_TypeError, "%s() got multiple values for argument '%s'",
			             fname, names[j]);
			return -1;
		}
		out[j] = args[nargs + i];
	}
	for (i = 0; i < required; i++)
		if (!out[i]) {
			PyErr_Format(PyExc_TypeError, "%s() missing required argument '%s' (pos %zd)",
			             fname, names[i], i + 1);
			return -1;
		}
	return 0;
}

/* block and timeout as queue.Queue reads them: *timeout = 0 for "do not
 * block" (block false: timeout is ignored), -1 for "forever" (None), else
 * the number of seconds.  A negative or NaN timeout is a ValueError. */
static int parse_timeout(PyObject *block_obj, PyObject *timeout_obj, double *timeout)
{
	double t;

	if (block_obj) {
		int block = PyObject_IsTrue(block_obj);

		if (block < 0)
			return -1;
		if (!block) {
			*timeout = 0;
			return 0;
		}
	}
	if (!timeout_obj || timeout_obj == Py_None) {
		*timeout = -1;
		return 0;
	}
	t = PyFloat_AsDouble(timeout_obj);
	if (t == -1.0 && PyErr_Occurred())
		return -1;
	if (!(t >= 0)) {
		PyErr_SetString(PyExc_ValueError, "'timeout' must be a non-negative number");
		return -1;
	}
	*timeout = t;
	return 0;
}

static const char *const put_names[] = { "item", "block", "timeout" };
static const char *const get_names[] = { "block", "timeout" };

static PyObject *q_put(CCQueueObject *self, PyObject *const *args, Py_ssize_t nargs,
                       PyObject *kwnames)
{
	PyObject *a[3] = { NULL, NULL, NULL };
	double timeout = -1;

	if (nargs == 1 && !kwnames)
		return do_put(self, args[0], -1);
	if (parse_args("put", args, nargs, kwnames, put_names, 3, 1, a) < 0 ||
	    parse_timeout(a[1], a[2], &timeout) < 0)
		return NULL;
	return do_put(self, a[0], timeout);
}

static PyObject *q_put_nowait(CCQueueObject *self, PyObject *item)
{
	return do_put(self, item, 0);
}

static PyObject *q_get(CCQueueObject *self, PyObject *const *args, Py_ssize_t nargs,
                       PyObject *kwnames)
{
	PyObject *a[2] = { NULL, NULL };
	double timeout = -1;

	if (nargs || kwnames) {
		if (parse_args("get", args, nargs, kwnames, get_names, 2, 0, a) < 0 ||
		    parse_timeout(a[0], a[1], &timeout) < 0)
			return NULL;
	}
	return do_get(self, timeout);
}

static PyObject *q_get_nowait(CCQueueObject *self, PyObject *unused)
{
	(void)unused;
	return do_get(self, 0);
}

/* LockFreeStack.push / .pop: list-like names, list-like errors. */
static PyObject *s_push(CCQueueObject *self, PyObject *item)
{
	return do_put(self, item, -1); /* a stack is never full */
}

static PyObject *s_pop(CCQueueObject *self, PyObject *unused)
{
	void *item;
	int rc = concoll_stack_pop(self->s, &item);

	(void)unused;
	if (rc == 0)
		return (PyObject *)item;
	if (rc == -EAGAIN) {
		PyErr_SetString(PyExc_IndexError, "pop from an empty stack");
		return NULL;
	}
	return ccpy_raise(rc);
}

/* ------------------------------------------------------------------ */
/* Size, properties, repr */

static Py_ssize_t q_len(CCQueueObject *self)
{
	size_t n = obj_size(self);

	return n > (size_t)PY_SSIZE_T_MAX ? PY_SSIZE_T_MAX : (Py_ssize_t)n;
}

static PyObject *q_qsize(CCQueueObject *self, PyObject *unused)
{
	(void)unused;
	return PyLong_FromSsize_t(q_len(self));
}

static PyObject *q_empty(CCQueueObject *self, PyObject *unused)
{
	(void)unused;
	return PyBool_FromLong(obj_size(self) == 0);
}

static PyObject *q_full(CCQueueObject *self, PyObject *unused)
{
	(void)unused;
	return PyBool_FromLong(self->maxsize > 0 && q_len(self) >= self->maxsize);
}

static PyObject *q_get_maxsize(CCQueueObject *self, void *closure)
{
	(void)closure;
	return PyLong_FromSsize_t(self->maxsize);
}

static PyObject *q_get_kind(CCQueueObject *self, void *closure)
{
	(void)closure;
	return PyUnicode_FromString(obj_kind_name(self));
}

static PyObject *type_name(PyTypeObject *type)
{
#if PY_VERSION_HEX >= 0x030B0000
	return PyType_GetName(type);
#else
	return PyObject_GetAttrString((PyObject *)type, "__name__");
#endif
}

static PyObject *q_repr(CCQueueObject *self)
{
	PyObject *name = type_name(Py_TYPE(self)), *r;

	if (!name)
		return NULL;
	if (self->is_stack)
		r = PyUnicode_FromFormat("%U(kind='%s')", name, obj_kind_name(self));
	else
		r = PyUnicode_FromFormat("%U(maxsize=%zd, kind='%s')", name, self->maxsize,
		                         obj_kind_name(self));
	Py_DECREF(name);
	return r;
}

static PyObject *q_reduce(CCQueueObject *self, PyObject *unused)
{
	PyObject *name = type_name(Py_TYPE(self));

	(void)unused;
	if (name) {
		PyErr_Format(PyExc_TypeError, "cannot pickle '%U' object", name);
		Py_DECREF(name);
	}
	return NULL;
}

/* ------------------------------------------------------------------ */
/* Creation and destruction */

static void q_dealloc(CCQueueObject *self)
{
	PyTypeObject *tp = Py_TYPE(self);

	if (self->weakreflist)
		PyObject_ClearWeakRefs((PyObject *)self);
	/* Nobody else can use the object any more (a blocked get or put holds
	 * a reference through its caller), so the library's "nothing else on
	 * q" holds.  The items left inside are released in FIFO (queue) or
	 * top-down (stack) order. */
	if (self->is_stack)
		concoll_stack_destroy(self->s, release_item, NULL);
	else
		concoll_queue_destroy(self->q, release_item, NULL);
	self->q = NULL;
	if (self->sync_ready) {
		pthread_cond_destroy(&self->not_full);
		pthread_cond_destroy(&self->not_empty);
		pthread_mutex_destroy(&self->mu);
	}
	tp->tp_free(self);
	Py_DECREF(tp); /* instances of heap types own a reference to their type */
}

/* Allocate the object and its mutex and condition variables (which sleep
 * on CLOCK_MONOTONIC). */
static CCQueueObject *obj_alloc(PyTypeObject *type)
{
	CCQueueObject *self = (CCQueueObject *)type->tp_alloc(type, 0);
	pthread_condattr_t ca;
	int err;

	if (!self)
		return NULL;
	atomic_init(&self->get_waiters, 0);
	atomic_init(&self->put_waiters, 0);
	err = pthread_condattr_init(&ca);
	if (err == 0) {
		err = pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
		if (err == 0 && (err = pthread_mutex_init(&self->mu, NULL)) == 0) {
			if ((err = pthread_cond_init(&self->not_empty, &ca)) == 0) {
				if ((err = pthread_cond_init(&self->not_full, &ca)) == 0)
					self->sync_ready = true;
				else
					pthread_cond_destroy(&self->not_empty);
			}
			if (err)
				pthread_mutex_destroy(&self->mu);
		}
		pthread_condattr_destroy(&ca);
	}
	if (err) {
		Py_DECREF(self);
		errno = err;
		PyErr_SetFromErrno(err == ENOMEM ? PyExc_MemoryError : PyExc_OSError);
		return NULL;
	}
	return self;
}

static PyObject *queue_create(PyTypeObject *type, int kind, size_t capacity)
{
	struct concoll_queue_options o = { .size = sizeof o, .kind = kind, .capacity = capacity };
	CCQueueObject *self = obj_alloc(type);
	size_t cap;

	if (!self)
		return NULL;
	self->q = concoll_queue_create(&o);
	if (!self->q) {
		int err = errno ? errno : ENOMEM;

		Py_DECREF(self);
		return ccpy_raise(-err);
	}
	cap = concoll_queue_capacity(self->q);
	self->maxsize = cap != SIZE_MAX ? (Py_ssize_t)cap : 0;
	return (PyObject *)self;
}

static int check_capacity(Py_ssize_t maxsize)
{
	if (maxsize > CCQ_MAX_CAPACITY) {
		PyErr_Format(PyExc_ValueError, "maxsize must be at most %zd (2**30)",
		             CCQ_MAX_CAPACITY);
		return -1;
	}
	return 0;
}

static PyObject *lfq_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
	static char *kwlist[] = { "maxsize", NULL };
	Py_ssize_t maxsize = 0;

	if (!PyArg_ParseTupleAndKeywords(args, kwds, "|n:LockFreeQueue", kwlist, &maxsize))
		return NULL;
	if (maxsize <= 0)
		return queue_create(type, CONCOLL_QUEUE_LSCQ, 0);
	if (check_capacity(maxsize) < 0)
		return NULL;
	return queue_create(type, CONCOLL_QUEUE_SCQ, (size_t)maxsize);
}

static PyObject *fastq_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
	static char *kwlist[] = { NULL };

	if (!PyArg_ParseTupleAndKeywords(args, kwds, ":FastQueue", kwlist))
		return NULL;
	return queue_create(type, CONCOLL_QUEUE_FAST, 0);
}

static PyObject *wfq_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
	static char *kwlist[] = { "maxsize", NULL };
	Py_ssize_t maxsize = 1024;

	if (!PyArg_ParseTupleAndKeywords(args, kwds, "|n:WaitFreeQueue", kwlist, &maxsize))
		return NULL;
	if (maxsize <= 0) {
		PyErr_SetString(PyExc_ValueError, "WaitFreeQueue is bounded: maxsize must be > 0");
		return NULL;
	}
	if (check_capacity(maxsize) < 0)
		return NULL;
	return queue_create(type, CONCOLL_QUEUE_WAITFREE, (size_t)maxsize);
}

static PyObject *stack_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
	static char *kwlist[] = { "elimination", NULL };
	int elimination = 1;
	struct concoll_stack_options o = { .size = sizeof o, .kind = CONCOLL_STACK_TREIBER };
	CCQueueObject *self;

	if (!PyArg_ParseTupleAndKeywords(args, kwds, "|$p:LockFreeStack", kwlist, &elimination))
		return NULL;
	if (!elimination)
		o.flags |= CONCOLL_STACK_NO_ELIMINATION;
	self = obj_alloc(type);
	if (!self)
		return NULL;
	self->is_stack = true;
	self->s = concoll_stack_create(&o);
	if (!self->s) {
		int err = errno ? errno : ENOMEM;

		Py_DECREF(self);
		return ccpy_raise(-err);
	}
	return (PyObject *)self;
}

/* ------------------------------------------------------------------ */
/* Types */

#define FASTCALL_KW(f) ((PyCFunction)(void (*)(void))(f))

#define DOC_PUT_Q                                                                           \
	"put($self, /, item, block=True, timeout=None)\n--\n\n"                                   \
	"Put item at the tail of the queue.\n\n"                                                  \
	"An unbounded queue never blocks.  When a bounded queue is full, put waits\n"           \
	"(without holding the GIL) until a slot frees up: forever if timeout is None,\n"      \
	"else at most timeout seconds, then raises queue.Full.  block=False raises\n"          \
	"queue.Full at once (timeout is then ignored).  A negative timeout is a\n"              \
	"ValueError."
#define DOC_PUT_NOWAIT_Q                                                                    \
	"put_nowait($self, item, /)\n--\n\n"                                                      \
	"Put item without blocking; queue.Full if a bounded queue is full.\n"                   \
	"Equivalent to put(item, block=False)."
#define DOC_GET_Q                                                                           \
	"get($self, /, block=True, timeout=None)\n--\n\n"                                         \
	"Remove and return the item at the head of the queue.\n\n"                             \
	"If the queue is empty, wait (without holding the GIL) until an item\n"                \
	"arrives: forever if timeout is None, else at most timeout seconds, then\n"            \
	"raise queue.Empty.  block=False raises queue.Empty at once (timeout is\n"              \
	"then ignored).  A negative or NaN timeout is a ValueError; one above 1e9\n"           \
	"seconds means forever.  A wait is interruptible by signals\n"                         \
	"(KeyboardInterrupt in the main thread)."
#define DOC_GET_NOWAIT_Q                                                                    \
	"get_nowait($self, /)\n--\n\n"                                                            \
	"Remove and return the head item without blocking; queue.Empty if the queue\n"          \
	"is empty.  Equivalent to get(block=False)."
#define DOC_QSIZE                                                                           \
	"qsize($self, /)\n--\n\n"                                                                 \
	"The number of items: exact when no other thread is putting or getting,\n"            \
	"otherwise a value the collection held at some moment during the call,\n"            \
	"approximately (as with queue.Queue, a get may still block after\n"                     \
	"qsize() > 0).  len(q) is the same."
#define DOC_EMPTY                                                                           \
	"empty($self, /)\n--\n\n"                                                                 \
	"True if there are no items (approximate under concurrency, see qsize)."
#define DOC_FULL                                                                            \
	"full($self, /)\n--\n\n"                                                                  \
	"True if a bounded queue holds maxsize items (approximate under\n"                      \
	"concurrency, see qsize); always False for an unbounded queue or the stack."
#define DOC_REDUCE                                                                          \
	"__reduce__($self, /)\n--\n\n"                                                          \
	"The queues and the stack cannot be pickled or copied: raises TypeError."
#define DOC_GENERIC "See PEP 585"

#define COMMON_METHODS                                                                      \
	{ "qsize", (PyCFunction)q_qsize, METH_NOARGS, DOC_QSIZE },                               \
	{ "empty", (PyCFunction)q_empty, METH_NOARGS, DOC_EMPTY },                               \
	{ "full", (PyCFunction)q_full, METH_NOARGS, DOC_FULL },                                  \
	{ "__reduce__", (PyCFunction)q_reduce, METH_NOARGS, DOC_REDUCE },                       \
	{ "__class_getitem__", Py_GenericAlias, METH_O | METH_CLASS, DOC_GENERIC },

static PyMethodDef queue_methods[] = {
	{ "put", FASTCALL_KW(q_put), METH_FASTCALL | METH_KEYWORDS, DOC_PUT_Q },
	{ "put_nowait", (PyCFunction)q_put_nowait, METH_O, DOC_PUT_NOWAIT_Q },
	{ "get", FASTCALL_KW(q_get), METH_FASTCALL | METH_KEYWORDS, DOC_GET_Q },
	{ "get_nowait", (PyCFunction)q_get_nowait, METH_NOARGS, DOC_GET_NOWAIT_Q },
	COMMON_METHODS
	{ NULL, NULL, 0, NULL },
};

static PyMethodDef stack_methods[] = {
	{ "push", (PyCFunction)s_push, METH_O,
	  "push($self, item, /)\n--\n\nPush item on top of the stack (never blocks)." },
	{ "pop", (PyCFunction)s_pop, METH_NOARGS,
	  "pop($self, /)\n--\n\n"
	  "Remove and return the top item; IndexError if the stack is empty (like\n"
	  "list.pop).  Never blocks." },
	{ "put", FASTCALL_KW(q_put), METH_FASTCALL | METH_KEYWORDS,
	  "put($self, /, item, block=True, timeout=None)\n--\n\n"
	  "Push item (queue-style name; block and timeout are accepted for\n"
	  "compatibility with queue.LifoQueue and ignored: a stack is never full,\n"
	  "but a negative timeout is still a ValueError)." },
	{ "put_nowait", (PyCFunction)q_put_nowait, METH_O,
	  "put_nowait($self, item, /)\n--\n\nPush item (same as push)." },
	{ "get", FASTCALL_KW(q_get), METH_FASTCALL | METH_KEYWORDS,
	  "get($self, /, block=True, timeout=None)\n--\n\n"
	  "Pop and return the top item.  If the stack is empty, wait (without\n"
	  "holding the GIL) until an item is pushed: forever if timeout is None,\n"
	  "else at most timeout seconds, then raise queue.Empty.  block=False raises\n"
	  "queue.Empty at once.  A negative timeout is a ValueError." },
	{ "get_nowait", (PyCFunction)q_get_nowait, METH_NOARGS,
	  "get_nowait($self, /)\n--\n\n"
	  "Pop the top item without blocking; queue.Empty if the stack is empty." },
	COMMON_METHODS
	{ NULL, NULL, 0, NULL },
};

static PyGetSetDef q_getset[] = {
	{ "maxsize", (getter)q_get_maxsize, NULL,
	  "The capacity of a bounded queue (maxsize rounded up to a power of two);\n"
	  "0 for an unbounded queue and the stack (as queue.Queue's maxsize=0).",
	  NULL },
	{ "kind", (getter)q_get_kind, NULL,
	  "The algorithm: 'scq', 'lscq', 'lcrq', 'wcq', 'treiber' or\n"
	  "'treiber-noelim'.",
	  NULL },
	{ NULL, NULL, NULL, NULL, NULL },
};

static PyMemberDef q_members[] = {
	{ "__weaklistoffset__", Py_T_PYSSIZET, offsetof(CCQueueObject, weakreflist), Py_READONLY,
	  NULL },
	{ NULL, 0, 0, 0, NULL },
};

#define COMMON_NOTES                                                                        \
	"\nSafe to share between threads without a lock (also on free-threaded\n"             \
	"builds); items are any Python objects, held by strong references.\n"                 \
	"Like queue.SimpleQueue (plus an optional bound) there is no task_done()\n"           \
	"or join().  Weak references and subclassing are supported (the\n"                    \
	"constructor's arguments are read by __new__, so a subclass that changes\n"          \
	"them overrides __new__); pickling and copying are not.\n"

static const char lfq_doc[] =
	"LockFreeQueue(maxsize=0)\n--\n\n"
	"A lock-free multi-producer multi-consumer FIFO queue.\n\n"
	"maxsize <= 0 (the default) makes an unbounded queue (LSCQ: a linked list\n"
	"of SCQ rings; kind 'lscq'); put then never blocks.  maxsize > 0 makes a\n"
	"bounded queue (SCQ; kind 'scq') whose capacity is maxsize rounded up to a\n"
	"power of two (at most 2**30): the maxsize attribute reports that capacity.\n"
	"The queue does not count its items to honour maxsize exactly, because a\n"
	"counter shared by every put and get would stop it from scaling.  Under\n"
	"concurrency a put may also report full a little early, while gets that\n"
	"will free slots are still in progress.\n\n"
	"The API follows queue.Queue: put, put_nowait, get, get_nowait (queue.Empty,\n"
	"queue.Full), qsize, empty, full, maxsize; len(q) is qsize().  Blocking get\n"
	"and put release the GIL while they wait.  qsize, empty, full and len are\n"
	"approximate while other threads put and get, exact when they do not.\n"
	COMMON_NOTES;

static const char fastq_doc[] =
	"FastQueue()\n--\n\n"
	"An unbounded multi-producer multi-consumer FIFO queue tuned for\n"
	"throughput: LCRQ (kind 'lcrq', one fetch-and-add per operation) where the\n"
	"CPU has a 16-byte compare-and-swap, otherwise LSCQ (kind 'lscq', as\n"
	"LockFreeQueue()).  put never blocks; maxsize is 0 and full() is False.\n\n"
	"The API follows queue.Queue, see LockFreeQueue.  qsize, empty and len are\n"
	"approximate while other threads put and get, exact when they do not\n"
	"(and take time proportional to the queue's ring size with LCRQ).\n"
	COMMON_NOTES;

static const char wfq_doc[] =
	"WaitFreeQueue(maxsize=1024)\n--\n\n"
	"A bounded wait-free multi-producer multi-consumer FIFO queue (wCQ, kind\n"
	"'wcq'): the push and pop under every put_nowait and get_nowait complete\n"
	"in a bounded number of their own steps whatever the other threads do\n"
	"(where the CPU has a native 16-byte compare-and-swap; waking a thread\n"
	"blocked in get or put takes a lock).  maxsize must be > 0; the capacity is\n"
	"maxsize rounded up to a power of two (at least 2, at most 2**30), and the\n"
	"maxsize attribute reports it.  As with LockFreeQueue the item count is not\n"
	"tracked exactly, and a put may report full a little early under\n"
	"concurrency.\n\n"
	"The API follows queue.Queue, see LockFreeQueue.  Blocking get and put\n"
	"wait on a condition variable, without the GIL; the wait itself is of\n"
	"course not wait-free.\n"
	COMMON_NOTES;

static const char stack_doc[] =
	"LockFreeStack(*, elimination=True)\n--\n\n"
	"A lock-free multi-producer multi-consumer LIFO stack: Treiber's stack,\n"
	"with an elimination array (a push and a pop that collide under\n"
	"contention exchange the item directly) unless elimination=False.  kind is\n"
	"'treiber' or 'treiber-noelim'.\n\n"
	"push(item) and pop() use list's names and errors: pop() on an empty\n"
	"stack raises IndexError.  put/put_nowait/get/get_nowait follow\n"
	"queue.LifoQueue: get_nowait() raises queue.Empty, get() can wait (without\n"
	"the GIL) for a push.  The stack is never full: maxsize is 0, full() is\n"
	"False.  len(s) and qsize() read the depth in one atomic load.\n"
	COMMON_NOTES;

#if PY_VERSION_HEX >= 0x030A0000
#define CCQ_TPFLAGS (Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE | Py_TPFLAGS_IMMUTABLETYPE)
#else
#define CCQ_TPFLAGS (Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE)
#endif

#define TYPE_SLOTS(id, newf, doc, methods)                                                  \
	static PyType_Slot id##_slots[] = {                                                   \
		{ Py_tp_new, (void *)(newf) },                                                  \
		{ Py_tp_dealloc, (void *)q_dealloc },                                           \
		{ Py_tp_repr, (void *)q_repr },                                                 \
		{ Py_tp_doc, (void *)(doc) },                                                   \
		{ Py_tp_methods, (void *)(methods) },                                           \
		{ Py_tp_getset, (void *)q_getset },                                             \
		{ Py_tp_members, (void *)q_members },                                           \
		{ Py_sq_length, (void *)q_len },                                                \
		{ 0, NULL },                                                                    \
	}

TYPE_SLOTS(lfq, lfq_new, lfq_doc, queue_methods);
TYPE_SLOTS(fastq, fastq_new, fastq_doc, queue_methods);
TYPE_SLOTS(wfq, wfq_new, wfq_doc, queue_methods);
TYPE_SLOTS(stack, stack_new, stack_doc, stack_methods);

#define TYPE_SPEC(id, pyname)                                                               \
	static PyType_Spec id##_spec = {                                                        \
		.name = "concurrent_collections." pyname,                                        \
		.basicsize = sizeof(CCQueueObject),                                              \
		.itemsize = 0,                                                                   \
		.flags = CCQ_TPFLAGS,                                                            \
		.slots = id##_slots,                                                             \
	}

TYPE_SPEC(lfq, "LockFreeQueue");
TYPE_SPEC(fastq, "FastQueue");
TYPE_SPEC(wfq, "WaitFreeQueue");
TYPE_SPEC(stack, "LockFreeStack");

int ccpy_queue_exec(PyObject *module)
{
	ccpy_state *st = PyModule_GetState(module);

	if (!st)
		return -1;
	if (ccpy_add_type(module, &lfq_spec, NULL, &st->queue_type) < 0 ||
	    ccpy_add_type(module, &fastq_spec, NULL, &st->fast_queue_type) < 0 ||
	    ccpy_add_type(module, &wfq_spec, NULL, &st->waitfree_queue_type) < 0 ||
	    ccpy_add_type(module, &stack_spec, NULL, &st->stack_type) < 0)
		return -1;
	return 0;
}
