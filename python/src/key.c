/* SPDX-License-Identifier: BSD-3-Clause */
/* Keys, the comparator and the deferred reference drops (see ckey.h). */
#include "ckey.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

_Thread_local int ccpy_depth;

/* ---- deferred drops ---------------------------------------------------------
 *
 * The library calls release() after a grace period, from whatever thread
 * collects: a Python thread inside a call, a thread that exits (its TLS
 * destructor, maybe after the interpreter is gone), a C thread.  So
 * release() only queues; the references are dropped by ccpy_drain(), which
 * runs on a thread with an attached thread state, outside library calls. */

enum { PEND_PAIR, PEND_DESTROY };

struct pend {
	struct pend *next;
	int what;
	void *key;   /* PEND_PAIR: key word; PEND_DESTROY: the map */
	void *value; /* PEND_PAIR: the value (a PyObject * or NULL) */
};

static _Atomic(struct pend *) pending;

static void pend_push(struct pend *p)
{
	struct pend *head = atomic_load_explicit(&pending, memory_order_relaxed);

	do
		p->next = head;
	while (!atomic_compare_exchange_weak_explicit(&pending, &head, p, memory_order_release,
	                                              memory_order_relaxed));
}

static void key_unref(void *word)
{
	struct ccpy_key *k = word;

	if (!word || ccpy_is_imm(word))
		return;
	if (atomic_fetch_sub_explicit(&k->refs, 1, memory_order_acq_rel) != 1)
		return;
	if (k->sort != k->obj)
		Py_XDECREF(k->sort);
	Py_XDECREF(k->obj);
	PyMem_RawFree(k);
}

static void destroy_now(concoll_map_t *m)
{
	/* Destroying waits for the other threads' guards (concoll_smr_barrier):
	 * one of them may be in a comparison that waits for the GIL, so wait
	 * detached.  The releases it makes only queue. */
	Py_BEGIN_ALLOW_THREADS
	(void)concoll_map_destroy(m);
	Py_END_ALLOW_THREADS
}

void ccpy_drain(void)
{
	struct pend *p = atomic_exchange_explicit(&pending, NULL, memory_order_acquire);

	while (p) {
		struct pend *next = p->next;

		if (p->what == PEND_DESTROY) {
			destroy_now(p->key);
		} else {
			key_unref(p->key);
			Py_XDECREF((PyObject *)p->value);
		}
		free(p);
		p = next;
		if (!p)
			p = atomic_exchange_explicit(&pending, NULL, memory_order_acquire);
	}
}

void ccpy_maybe_drain(void)
{
	if (ccpy_depth == 0 && atomic_load_explicit(&pending, memory_order_relaxed))
		ccpy_drain();
}

void ccpy_map_destroy(concoll_map_t *m)
{
	struct pend *p;

	if (!m)
		return;
	if (ccpy_depth == 0) {
		destroy_now(m);
		ccpy_drain();
		return;
	}
	/* Inside a library call of this thread (a comparison dropped the last
	 * reference to another collection): the destruction would wait for
	 * our own guard.  Queue it. */
	p = malloc(sizeof *p);
	if (!p)
		return; /* leaks the map rather than deadlock */
	p->what = PEND_DESTROY;
	p->key = m;
	p->value = NULL;
	pend_push(p);
}

void ccpy_release(void *key, void *value, void *ctx)
{
	struct pend *p;

	(void)ctx;
	if ((!key || ccpy_is_imm(key)) && !value)
		return;
	p = malloc(sizeof *p);
	if (!p)
		return; /* out of memory: the objects leak, nothing is freed early */
	p->what = PEND_PAIR;
	p->key = key;
	p->value = value;
	pend_push(p);
}

void ccpy_retain(void *key, void *value, void *ctx)
{
	(void)ctx;
	/* Called inside a library call on a Python thread (freeze). */
	if (key && !ccpy_is_imm(key))
		atomic_fetch_add_explicit(&((struct ccpy_key *)key)->refs, 1, memory_order_relaxed);
	Py_XINCREF((PyObject *)value);
}

/* ---- classification and prefixes ---------------------------------------- */

/* The order of doubles as unsigned integers; -0.0 is 0.0, NaN above +inf. */
static uint64_t double_prefix(double d)
{
	uint64_t u;

	if (isnan(d))
		return UINT64_MAX;
	if (d == 0)
		d = 0; /* -0.0 */
	memcpy(&u, &d, sizeof u);
	return (u >> 63) ? ~u : (u | (UINT64_C(1) << 63));
}

static uint64_t bytes_prefix(const unsigned char *s, size_t n)
{
	uint64_t p = 0;
	size_t i;

	for (i = 0; i < 8; i++)
		p = (p << 8) | (i < n ? s[i] : 0);
	return p;
}

/* The first 8 bytes of the UTF-8 form (byte order = code point order). */
static uint64_t str_prefix(PyObject *s)
{
	Py_ssize_t len = PyUnicode_GET_LENGTH(s), i;
	int kind = PyUnicode_KIND(s);
	const void *data = PyUnicode_DATA(s);
	unsigned char buf[8 + 4];
	size_t n = 0;

	if (PyUnicode_IS_ASCII(s))
		return bytes_prefix(data, (size_t)len);
	for (i = 0; i < len && n < 8; i++) {
		Py_UCS4 c = PyUnicode_READ(kind, data, i);

		if (c < 0x80) {
			buf[n++] = (unsigned char)c;
		} else if (c < 0x800) {
			buf[n++] = (unsigned char)(0xc0 | (c >> 6));
			buf[n++] = (unsigned char)(0x80 | (c & 0x3f));
		} else if (c < 0x10000) {
			buf[n++] = (unsigned char)(0xe0 | (c >> 12));
			buf[n++] = (unsigned char)(0x80 | ((c >> 6) & 0x3f));
			buf[n++] = (unsigned char)(0x80 | (c & 0x3f));
		} else {
			buf[n++] = (unsigned char)(0xf0 | (c >> 18));
			buf[n++] = (unsigned char)(0x80 | ((c >> 12) & 0x3f));
			buf[n++] = (unsigned char)(0x80 | ((c >> 6) & 0x3f));
			buf[n++] = (unsigned char)(0x80 | (c & 0x3f));
		}
	}
	return bytes_prefix(buf, n < 8 ? n : 8);
}

/* Fill k's class, prefix and number from k->sort.  0, or -1 with an
 * exception. */
static int classify(struct ccpy_key *k)
{
	PyObject *s = k->sort;

	if (PyLong_CheckExact(s) || PyBool_Check(s)) {
		int overflow = 0;
		long long v = PyLong_AsLongLongAndOverflow(s, &overflow);

		if (v == -1 && PyErr_Occurred())
			return -1;
		if (overflow) {
			/* a big int: its double (or an infinity) orders it; Python
			 * breaks ties exactly */
			double d = PyLong_AsDouble(s);

			if (d == -1.0 && PyErr_Occurred()) {
				PyErr_Clear();
				d = overflow > 0 ? HUGE_VAL : -HUGE_VAL;
			}
			k->cls = CK_BIGINT;
			k->prefix = double_prefix(d);
			return 0;
		}
		k->cls = CK_INT;
		k->num.i = v;
		k->prefix = double_prefix((double)v);
	} else if (PyFloat_CheckExact(s)) {
		k->cls = CK_FLOAT;
		k->num.d = PyFloat_AS_DOUBLE(s);
		k->prefix = double_prefix(k->num.d);
	} else if (PyUnicode_CheckExact(s)) {
		k->cls = CK_STR;
		k->prefix = str_prefix(s);
	} else if (PyBytes_CheckExact(s)) {
		k->cls = CK_BYTES;
		k->prefix = bytes_prefix((const unsigned char *)PyBytes_AS_STRING(s),
		                         (size_t)PyBytes_GET_SIZE(s));
	} else {
		k->cls = CK_OTHER;
	}
	return 0;
}

/* An immediate word for obj, or NULL when it has none. */
static void *imm_of(PyObject *obj)
{
	int overflow = 0;
	long long v;

	if (!PyLong_CheckExact(obj))
		return NULL;
	v = PyLong_AsLongLongAndOverflow(obj, &overflow);
	if (overflow || v < CCPY_IMM_MIN || v > CCPY_IMM_MAX)
		return NULL;
	return (void *)(uintptr_t)(((uint64_t)v << 1) | 1u);
}

static int key_fill(struct ccpy_key *k, PyObject *obj, PyObject *keyfunc)
{
	memset(k, 0, sizeof *k);
	k->obj = obj;
	if (keyfunc) {
		k->sort = PyObject_CallOneArg(keyfunc, obj);
		if (!k->sort)
			return -1;
	} else {
		k->sort = obj;
	}
	if (classify(k) < 0) {
		if (k->sort != obj)
			Py_CLEAR(k->sort);
		return -1;
	}
	return 0;
}

int ccpy_probe_init(struct ccpy_probe *p, PyObject *obj, PyObject *keyfunc)
{
	if (!keyfunc && (p->word = imm_of(obj)) != NULL) {
		p->k.obj = NULL;
		p->k.sort = NULL;
		return 0;
	}
	if (key_fill(&p->k, obj, keyfunc) < 0)
		return -1;
	p->word = &p->k;
	return 0;
}

void ccpy_probe_done(struct ccpy_probe *p)
{
	if (!ccpy_is_imm(p->word) && p->k.sort != p->k.obj)
		Py_CLEAR(p->k.sort);
}

void *ccpy_key_new(PyObject *obj, PyObject *keyfunc)
{
	struct ccpy_key *k;
	void *w;

	if (!keyfunc && (w = imm_of(obj)) != NULL)
		return w;
	k = PyMem_RawMalloc(sizeof *k);
	if (!k) {
		PyErr_NoMemory();
		return NULL;
	}
	if (key_fill(k, obj, keyfunc) < 0) {
		PyMem_RawFree(k);
		return NULL;
	}
	Py_INCREF(obj);
	atomic_init(&k->refs, 1);
	k->owned = true;
	return k;
}

void ccpy_key_discard(void *word)
{
	key_unref(word);
}

PyObject *ccpy_key_object(const void *word)
{
	if (ccpy_is_imm(word))
		return PyLong_FromLongLong(ccpy_imm_value(word));
	return Py_NewRef(((const struct ccpy_key *)word)->obj);
}

/* ---- comparison -------------------------------------------------------------- */

/* The view of a key word used by the comparator. */
static void view_of(const void *w, struct ccpy_key *tmp, const struct ccpy_key **out)
{
	if (ccpy_is_imm(w)) {
		tmp->cls = CK_INT;
		tmp->num.i = ccpy_imm_value(w);
		tmp->prefix = double_prefix((double)tmp->num.i);
		tmp->obj = tmp->sort = NULL;
		*out = tmp;
	} else {
		*out = w;
	}
}

#define CMP3(x, y) (((x) > (y)) - ((x) < (y)))

/* Python's order of two objects: < both ways.  0 or -1 with an exception. */
static int py_order(PyObject *a, PyObject *b, int *order)
{
	int lt = PyObject_RichCompareBool(a, b, Py_LT);

	if (lt < 0)
		return -1;
	if (lt) {
		*order = -1;
		return 0;
	}
	lt = PyObject_RichCompareBool(b, a, Py_LT);
	if (lt < 0)
		return -1;
	*order = lt;
	return 0;
}

static inline bool is_num(int cls)
{
	return cls == CK_INT || cls == CK_FLOAT || cls == CK_BIGINT;
}

static int slow_compare(const struct ccpy_key *a, const struct ccpy_key *b, int *order)
{
	PyObject *x = a->sort, *y = b->sort;
	int r;

	if (a->cls == b->cls && a->cls != CK_OTHER) {
		if (a->prefix != b->prefix) {
			*order = a->prefix < b->prefix ? -1 : 1;
			return 0;
		}
		switch (a->cls) {
		case CK_INT:
			*order = CMP3(a->num.i, b->num.i);
			return 0;
		case CK_FLOAT:
			/* equal prefixes: equal values (or both NaN) */
			*order = 0;
			return 0;
		case CK_STR:
			r = PyUnicode_Compare(x, y);
			if (r == -1 && PyErr_Occurred())
				return -1;
			*order = r;
			return 0;
		case CK_BYTES: {
			Py_ssize_t n = PyBytes_GET_SIZE(x), m = PyBytes_GET_SIZE(y);
			int c = memcmp(PyBytes_AS_STRING(x), PyBytes_AS_STRING(y),
			               (size_t)(n < m ? n : m));

			*order = c ? (c < 0 ? -1 : 1) : CMP3(n, m);
			return 0;
		}
		default:
			break;
		}
	}
	/* numbers of two classes: the prefixes (values as doubles) decide
	 * unless equal (then Python, exactly; a NaN's prefix is its own) */
	if (is_num(a->cls) && is_num(b->cls) && a->prefix != b->prefix) {
		*order = a->prefix < b->prefix ? -1 : 1;
		return 0;
	}
	{
		PyObject *ox = x ? Py_NewRef(x) : PyLong_FromLongLong(a->num.i);
		PyObject *oy = y ? Py_NewRef(y) : PyLong_FromLongLong(b->num.i);

		r = (ox && oy) ? py_order(ox, oy, order) : -1;
		Py_XDECREF(ox);
		Py_XDECREF(oy);
		return r;
	}
}

int ccpy_compare(const void *a, const void *b, int *order, void *ctx)
{
	struct ccpy_key ta, tb;
	const struct ccpy_key *ka, *kb;

	(void)ctx;
	if (ccpy_is_imm(a) && ccpy_is_imm(b)) {
		*order = CMP3((intptr_t)a, (intptr_t)b);
		return 0;
	}
	view_of(a, &ta, &ka);
	view_of(b, &tb, &kb);
	return slow_compare(ka, kb, order) < 0 ? -ECANCELED : 0;
}

/* ---- snapshots: hash and value equality ------------------------------------- */

int ccpy_hash(const void *key, const void *value, uint64_t *hash, void *ctx)
{
	Py_hash_t hk, hv = 0;

	(void)ctx;
	if (ccpy_is_imm(key)) {
		PyObject *o = PyLong_FromLongLong(ccpy_imm_value(key));

		if (!o)
			return -ECANCELED;
		hk = PyObject_Hash(o);
		Py_DECREF(o);
	} else {
		hk = PyObject_Hash(((const struct ccpy_key *)key)->sort);
	}
	if (hk == -1)
		return -ECANCELED;
	if (value) {
		hv = PyObject_Hash((PyObject *)value);
		if (hv == -1)
			return -ECANCELED;
	}
	*hash = (uint64_t)hk * UINT64_C(0x9e3779b97f4a7c15) ^ (uint64_t)hv;
	return 0;
}

int ccpy_value_equal(const void *a, const void *b, void *ctx)
{
	int r;

	(void)ctx;
	if (a == b)
		return 1;
	if (!a || !b)
		return 0;
	r = PyObject_RichCompareBool((PyObject *)a, (PyObject *)b, Py_EQ);
	return r < 0 ? -ECANCELED : r;
}
