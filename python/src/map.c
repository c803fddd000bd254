/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * SkipListMap and SkipListSet: the library's ordered maps with Python keys
 * and values, and the iterator over them.
 *
 * References: the map holds one reference to each key (in its key struct,
 * or none for an immediate int) and to each value.  Objects that the map
 * hands out are taken (Py_INCREF) inside an SMR guard, so that a
 * concurrent removal cannot drop them first: the library releases what it
 * removed only after the grace period, and the drop itself is queued
 * (key.c).  Set entries have the value NULL.
 *
 * The pure-Python package subclasses these types to add the
 * collections.abc mixins, views, repr and pickling; what must be atomic
 * (setdefault, pop, popitem, pop_first, ...) is here.
 */
#include "ckey.h"

#include <errno.h>
#include <string.h>

#include "cmap.h"

/* ---- helpers ------------------------------------------------------------------ */

/* After a library call: an exception raised by a comparison that ran after
 * the call took effect does not belong to the caller. */
static inline int lib_done(int rc)
{
	if (rc >= 0 && PyErr_Occurred())
		PyErr_Clear();
	return rc;
}

static int parse_backend(PyObject *backend, int *kind)
{
	if (!backend || backend == Py_None) {
		*kind = CCPY_AUTO_KIND;
		return 0;
	}
	if (!PyUnicode_Check(backend))
		goto bad;
	if (PyUnicode_CompareWithASCIIString(backend, "auto") == 0)
		*kind = CCPY_AUTO_KIND;
	else if (PyUnicode_CompareWithASCIIString(backend, "lockfree") == 0)
		*kind = CONCOLL_MAP_SKIPLIST;
	else if (PyUnicode_CompareWithASCIIString(backend, "locked") == 0)
		*kind = CONCOLL_MAP_SKIPLIST_LOCKED;
	else
		goto bad;
	return 0;
bad:
	PyErr_Format(PyExc_ValueError, "backend must be 'auto', 'lockfree' or 'locked', not %R",
	             backend);
	return -1;
}

const char *ccpy_backend_name(int kind)
{
	return kind == CONCOLL_MAP_SKIPLIST_LOCKED ? "locked" : "lockfree";
}

concoll_map_t *ccpy_lib_map_new(int kind)
{
	struct concoll_map_options o;
	concoll_map_t *m;

	memset(&o, 0, sizeof o);
	o.size = sizeof o;
	o.kind = kind;
	o.compare = CONCOLL_CMP_CUSTOM;
	o.compare_fn = ccpy_compare;
	o.release = ccpy_release;
	o.retain = ccpy_retain;
	o.hash = ccpy_hash;
	o.value_equal = ccpy_value_equal;
	m = concoll_map_create(&o);
	if (!m)
		PyErr_NoMemory();
	return m;
}

/* ---- the object ------------------------------------------------------------------ */

static PyObject *cmap_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
	static char *kwlist[] = { "", "key", "backend", NULL };
	PyObject *items = NULL, *key = Py_None, *backend = NULL;
	CMapObject *self;
	int kind;

	if (!PyArg_ParseTupleAndKeywords(args, kwds, "|O$OO", kwlist, &items, &key, &backend))
		return NULL;
	if (key != Py_None && !PyCallable_Check(key)) {
		PyErr_Format(PyExc_TypeError, "key must be callable or None, not %.100s",
		             Py_TYPE(key)->tp_name);
		return NULL;
	}
	if (parse_backend(backend, &kind) < 0)
		return NULL;
	self = (CMapObject *)type->tp_alloc(type, 0);
	if (!self)
		return NULL;
	self->map = ccpy_lib_map_new(kind);
	if (!self->map) {
		Py_DECREF(self);
		return NULL;
	}
	self->kind = kind;
	self->keyfunc = key == Py_None ? NULL : Py_NewRef(key);
	return (PyObject *)self;
}

static int cmap_traverse_visit(void *key, void *value, void *ctx)
{
	struct {
		visitproc visit;
		void *arg;
	} *v = ctx;
	int r;

	if (!ccpy_is_imm(key)) {
		struct ccpy_key *k = key;

		if ((r = v->visit(k->obj, v->arg)) != 0)
			return r;
		if (k->sort != k->obj && (r = v->visit(k->sort, v->arg)) != 0)
			return r;
	}
	if (value && (r = v->visit((PyObject *)value, v->arg)) != 0)
		return r;
	return 0;
}

static int cmap_traverse(PyObject *op, visitproc visit, void *arg)
{
	CMapObject *self = (CMapObject *)op;
	struct {
		visitproc visit;
		void *arg;
	} v = { visit, arg };

	Py_VISIT(Py_TYPE(op));
	Py_VISIT(self->keyfunc);
	/* The entries: an unbounded scan compares nothing and allocates
	 * nothing (past the thread's first registration). */
	if (self->map) {
		int r;

		ccpy_depth++;
		r = concoll_map_range(self->map, NULL, NULL, 0, cmap_traverse_visit, &v);
		ccpy_depth--;
		if (r > 0)
			return r;
	}
	return 0;
}

static int cmap_tp_clear(PyObject *op)
{
	CMapObject *self = (CMapObject *)op;

	/* The references go after the grace period (the next drain); the key
	 * function stays, so that the object keeps working. */
	if (self->map) {
		(void)lib_done(CCPY_CALL(concoll_map_clear(self->map)));
		ccpy_maybe_drain();
	}
	return 0;
}

static void cmap_dealloc(PyObject *op)
{
	CMapObject *self = (CMapObject *)op;
	PyTypeObject *tp = Py_TYPE(op);

	PyObject_GC_UnTrack(op);
	if (self->weakreflist)
		PyObject_ClearWeakRefs(op);
	ccpy_map_destroy(self->map);
	self->map = NULL;
	Py_CLEAR(self->keyfunc);
	tp->tp_free(op);
	Py_DECREF(tp);
}

/* ---- lookups ---------------------------------------------------------------------- */

struct take {
	PyObject *key;   /* new reference, when wanted */
	PyObject *value; /* new reference, when wanted */
	bool want_key, want_value;
};

/* Visitor run inside the library's guard: take references. */
static int take_visit(void *key, void *value, void *ctx)
{
	struct take *t = ctx;

	if (t->want_key) {
		t->key = ccpy_key_object(key);
		if (!t->key)
			return -ENOMEM;
	}
	if (t->want_value)
		t->value = Py_XNewRef((PyObject *)value);
	return 0;
}

static int probe(CMapObject *self, PyObject *key, struct ccpy_probe *p)
{
	return ccpy_probe_init(p, key, self->keyfunc);
}

/* m[key]; NULL with KeyError when absent. */
static PyObject *cmap_subscript(PyObject *op, PyObject *key)
{
	CMapObject *self = (CMapObject *)op;
	struct take t = { NULL, NULL, false, true };
	struct ccpy_probe p;
	int rc;

	if (probe(self, key, &p) < 0)
		return NULL;
	rc = lib_done(CCPY_CALL(concoll_map_get_with(self->map, p.word, take_visit, &t)));
	ccpy_probe_done(&p);
	if (rc == 0)
		return t.value;
	if (rc == -ENOENT)
		PyErr_SetObject(PyExc_KeyError, key);
	else
		ccpy_raise(rc);
	return NULL;
}

static int cmap_contains(PyObject *op, PyObject *key)
{
	CMapObject *self = (CMapObject *)op;
	struct ccpy_probe p;
	int rc;

	if (probe(self, key, &p) < 0)
		return -1;
	rc = lib_done(CCPY_CALL(concoll_map_contains(self->map, p.word)));
	ccpy_probe_done(&p);
	if (rc < 0) {
		ccpy_raise(rc);
		return -1;
	}
	return rc;
}

static Py_ssize_t cmap_length(PyObject *op)
{
	size_t n = concoll_map_size(((CMapObject *)op)->map);

	return n > (size_t)PY_SSIZE_T_MAX ? PY_SSIZE_T_MAX : (Py_ssize_t)n;
}

/* get(key, default=None) */
static PyObject *cmap_get(PyObject *op, PyObject *const *args, Py_ssize_t nargs)
{
	CMapObject *self = (CMapObject *)op;
	struct take t = { NULL, NULL, false, true };
	struct ccpy_probe p;
	int rc;

	if (nargs < 1 || nargs > 2) {
		PyErr_Format(PyExc_TypeError, "get expected 1 or 2 arguments, got %zd", nargs);
		return NULL;
	}
	if (probe(self, args[0], &p) < 0)
		return NULL;
	rc = lib_done(CCPY_CALL(concoll_map_get_with(self->map, p.word, take_visit, &t)));
	ccpy_probe_done(&p);
	if (rc == 0)
		return t.value;
	if (rc == -ENOENT)
		return Py_NewRef(nargs > 1 ? args[1] : Py_None);
	return ccpy_raise(rc);
}

/* ---- updates ------------------------------------------------------------------------ */

static int cmap_put(CMapObject *self, PyObject *key, PyObject *value)
{
	void *kw = ccpy_key_new(key, self->keyfunc);
	int rc;

	if (!kw)
		return -1;
	Py_INCREF(value);
	rc = lib_done(CCPY_CALL(concoll_map_put(self->map, kw, value, NULL)));
	if (rc < 0) {
		ccpy_key_discard(kw);
		Py_DECREF(value);
		ccpy_raise(rc);
		return -1;
	}
	ccpy_maybe_drain();
	return 0;
}

static int cmap_delete(CMapObject *self, PyObject *key)
{
	struct ccpy_probe p;
	int rc;

	if (probe(self, key, &p) < 0)
		return -1;
	rc = lib_done(CCPY_CALL(concoll_map_remove(self->map, p.word, NULL)));
	ccpy_probe_done(&p);
	if (rc == -ENOENT) {
		PyErr_SetObject(PyExc_KeyError, key);
		return -1;
	}
	if (rc < 0) {
		ccpy_raise(rc);
		return -1;
	}
	ccpy_maybe_drain();
	return 0;
}

static int cmap_ass_subscript(PyObject *op, PyObject *key, PyObject *value)
{
	CMapObject *self = (CMapObject *)op;

	return value ? cmap_put(self, key, value) : cmap_delete(self, key);
}

/* Remove key inside a guard and take its value: 0, -ENOENT, or an error
 * (with an exception). */
static int remove_take(CMapObject *self, PyObject *key, PyObject **value)
{
	struct ccpy_probe p;
	void *old = NULL;
	int rc;

	if (probe(self, key, &p) < 0)
		return -ECANCELED;
	rc = concoll_smr_enter();
	if (rc == 0) {
		rc = lib_done(CCPY_CALL(concoll_map_remove(self->map, p.word, &old)));
		if (rc == 0)
			*value = Py_XNewRef((PyObject *)old);
		concoll_smr_exit();
	}
	ccpy_probe_done(&p);
	if (rc == 0)
		ccpy_maybe_drain();
	else if (rc != -ENOENT)
		ccpy_raise(rc);
	return rc;
}

/* pop(key[, default]) */
static PyObject *cmap_pop(PyObject *op, PyObject *const *args, Py_ssize_t nargs)
{
	PyObject *value = NULL;
	int rc;

	if (nargs < 1 || nargs > 2) {
		PyErr_Format(PyExc_TypeError, "pop expected 1 or 2 arguments, got %zd", nargs);
		return NULL;
	}
	rc = remove_take((CMapObject *)op, args[0], &value);
	if (rc == 0)
		return value;
	if (rc == -ENOENT) {
		if (nargs > 1)
			return Py_NewRef(args[1]);
		PyErr_SetObject(PyExc_KeyError, args[0]);
	}
	return NULL;
}

/* setdefault(key, default=None): atomic. */
static PyObject *cmap_setdefault(PyObject *op, PyObject *const *args, Py_ssize_t nargs)
{
	CMapObject *self = (CMapObject *)op;
	PyObject *dflt, *result = NULL;
	void *kw, *existing = NULL;
	int rc;

	if (nargs < 1 || nargs > 2) {
		PyErr_Format(PyExc_TypeError, "setdefault expected 1 or 2 arguments, got %zd", nargs);
		return NULL;
	}
	dflt = nargs > 1 ? args[1] : Py_None;
	kw = ccpy_key_new(args[0], self->keyfunc);
	if (!kw)
		return NULL;
	rc = concoll_smr_enter();
	if (rc == 0) {
		Py_INCREF(dflt); /* the map's reference, if it takes it */
		rc = lib_done(CCPY_CALL(concoll_map_put_if_absent(self->map, kw, dflt, &existing)));
		if (rc == 0) {
			result = Py_NewRef(dflt);
		} else {
			Py_DECREF(dflt);
			if (rc == -EEXIST)
				result = Py_NewRef((PyObject *)existing);
		}
		concoll_smr_exit();
	}
	if (rc != 0)
		ccpy_key_discard(kw);
	if (!result)
		ccpy_raise(rc);
	ccpy_maybe_drain();
	return result;
}

/* pop_first / pop_last / popitem: (key, value) or KeyError. */
static PyObject *pop_end(CMapObject *self, bool last, bool set)
{
	void *k = NULL, *v = NULL;
	PyObject *key = NULL, *value = NULL;
	int rc = concoll_smr_enter();

	if (rc == 0) {
		rc = lib_done(CCPY_CALL(last ? concoll_map_pop_last(self->map, &k, &v)
		                             : concoll_map_pop_first(self->map, &k, &v)));
		if (rc == 0) {
			key = ccpy_key_object(k);
			value = Py_XNewRef((PyObject *)v);
		}
		concoll_smr_exit();
	}
	if (rc == -ENOENT) {
		PyErr_Format(PyExc_KeyError, "%s from an empty %s", last ? "pop_last" : "pop_first",
		             set ? "set" : "map");
		return NULL;
	}
	if (rc < 0)
		return ccpy_raise(rc);
	ccpy_maybe_drain();
	if (!key) {
		Py_XDECREF(value);
		return NULL;
	}
	if (set) {
		Py_XDECREF(value);
		return key;
	}
	{
		PyObject *t = PyTuple_Pack(2, key, value);

		Py_DECREF(key);
		Py_DECREF(value);
		return t;
	}
}

static PyObject *cmap_pop_first(PyObject *op, PyObject *unused)
{
	(void)unused;
	return pop_end((CMapObject *)op, false, false);
}

static PyObject *cmap_pop_last(PyObject *op, PyObject *unused)
{
	(void)unused;
	return pop_end((CMapObject *)op, true, false);
}

static PyObject *cset_pop_first(PyObject *op, PyObject *unused)
{
	(void)unused;
	return pop_end((CMapObject *)op, false, true);
}

static PyObject *cset_pop_last(PyObject *op, PyObject *unused)
{
	(void)unused;
	return pop_end((CMapObject *)op, true, true);
}

static PyObject *cmap_clear(PyObject *op, PyObject *unused)
{
	CMapObject *self = (CMapObject *)op;
	int rc;

	(void)unused;
	rc = lib_done(CCPY_CALL(concoll_map_clear(self->map)));
	if (rc < 0)
		return ccpy_raise(rc);
	ccpy_maybe_drain();
	Py_RETURN_NONE;
}

/* ---- sets ---------------------------------------------------------------------------- */

static PyObject *cset_add(PyObject *op, PyObject *key)
{
	CMapObject *self = (CMapObject *)op;
	void *kw = ccpy_key_new(key, self->keyfunc);
	int rc;

	if (!kw)
		return NULL;
	rc = lib_done(CCPY_CALL(concoll_map_put_if_absent(self->map, kw, NULL, NULL)));
	if (rc != 0)
		ccpy_key_discard(kw);
	if (rc < 0 && rc != -EEXIST)
		return ccpy_raise(rc);
	ccpy_maybe_drain();
	Py_RETURN_NONE;
}

static PyObject *cset_discard(PyObject *op, PyObject *key)
{
	if (cmap_delete((CMapObject *)op, key) < 0) {
		if (!PyErr_ExceptionMatches(PyExc_KeyError))
			return NULL;
		PyErr_Clear();
	}
	Py_RETURN_NONE;
}

static PyObject *cset_remove(PyObject *op, PyObject *key)
{
	if (cmap_delete((CMapObject *)op, key) < 0)
		return NULL;
	Py_RETURN_NONE;
}

/* ---- navigation ------------------------------------------------------------------------ */

enum { NAV_KEY, NAV_ITEM };

/* The entry nav selects relative to key (NULL for first/last), as a key or
 * an item; dflt (NULL: raise KeyError) when there is none. */
static PyObject *navigate(CMapObject *self, int nav, PyObject *key, PyObject *dflt, int what)
{
	struct take t = { NULL, NULL, true, what == NAV_ITEM };
	struct ccpy_probe p;
	int rc;

	if (key) {
		if (probe(self, key, &p) < 0)
			return NULL;
	} else {
		p.word = NULL;
	}
	rc = lib_done(CCPY_CALL(concoll_map_find_with(self->map, nav, p.word, take_visit, &t)));
	if (key)
		ccpy_probe_done(&p);
	if (rc == -ENOENT) {
		if (dflt)
			return Py_NewRef(dflt);
		PyErr_SetString(PyExc_KeyError, nav == CONCOLL_NAV_FIRST || nav == CONCOLL_NAV_LAST
		                                        ? "empty collection" : "no such key");
		return NULL;
	}
	if (rc < 0) {
		Py_XDECREF(t.key);
		Py_XDECREF(t.value);
		return ccpy_raise(rc);
	}
	if (what == NAV_KEY)
		return t.key;
	{
		PyObject *r = PyTuple_Pack(2, t.key, t.value);

		Py_DECREF(t.key);
		Py_DECREF(t.value);
		return r;
	}
}

static PyObject *nav_args(PyObject *op, PyObject *const *args, Py_ssize_t nargs, int nav,
                          int what, const char *name)
{
	if (nargs < 1 || nargs > 2) {
		PyErr_Format(PyExc_TypeError, "%s expected 1 or 2 arguments, got %zd", name, nargs);
		return NULL;
	}
	return navigate((CMapObject *)op, nav, args[0], nargs > 1 ? args[1] : Py_None, what);
}

#define NAV_METHODS(name, nav, what)                                                      \
	static PyObject *m_##name(PyObject *op, PyObject *const *args, Py_ssize_t nargs) \
	{                                                                                 \
		return nav_args(op, args, nargs, nav, what, #name);                       \
	}
NAV_METHODS(floor_key, CONCOLL_NAV_FLOOR, NAV_KEY)
NAV_METHODS(ceiling_key, CONCOLL_NAV_CEILING, NAV_KEY)
NAV_METHODS(lower_key, CONCOLL_NAV_LOWER, NAV_KEY)
NAV_METHODS(higher_key, CONCOLL_NAV_HIGHER, NAV_KEY)
NAV_METHODS(floor_item, CONCOLL_NAV_FLOOR, NAV_ITEM)
NAV_METHODS(ceiling_item, CONCOLL_NAV_CEILING, NAV_ITEM)
NAV_METHODS(lower_item, CONCOLL_NAV_LOWER, NAV_ITEM)
NAV_METHODS(higher_item, CONCOLL_NAV_HIGHER, NAV_ITEM)
#undef NAV_METHODS

#define END_METHODS(name, nav, what)                              \
	static PyObject *m_##name(PyObject *op, PyObject *unused) \
	{                                                         \
		(void)unused;                                     \
		return navigate((CMapObject *)op, nav, NULL, NULL, what); \
	}
END_METHODS(first_key, CONCOLL_NAV_FIRST, NAV_KEY)
END_METHODS(last_key, CONCOLL_NAV_LAST, NAV_KEY)
END_METHODS(first_item, CONCOLL_NAV_FIRST, NAV_ITEM)
END_METHODS(last_item, CONCOLL_NAV_LAST, NAV_ITEM)
#undef END_METHODS

/* ---- iteration ----------------------------------------------------------------------- */

/*
 * The iterator fetches entries in batches, each inside one guard (a range
 * call from just after the last key it returned), and takes references to
 * them: weakly consistent (never an error because of concurrent updates,
 * each key at most once, in order), and nothing it returns can be freed
 * under the caller.
 */
#define ITER_BATCH 64
#define ITER_FIRST_BATCH 8

typedef struct {
	PyObject_HEAD
	CMapObject *owner;
	PyObject *lo, *hi; /* sort objects of the bounds, or NULL */
	unsigned flags;    /* CONCOLL_RANGE_* of the bounds */
	int mode;          /* CCPY_IT_* */
	PyObject *last;    /* sort object of the last key fetched, or NULL */
	bool done;
	int n, pos;
	PyObject *keys[ITER_BATCH];
	PyObject *values[ITER_BATCH];
} CIterObject;

struct fetch {
	CIterObject *it;
	int cap;
	int err;
};

static int fetch_visit(void *key, void *value, void *ctx)
{
	struct fetch *f = ctx;
	CIterObject *it = f->it;
	PyObject *k = ccpy_key_object(key);

	if (!k) {
		f->err = 1;
		return -ENOMEM;
	}
	it->keys[it->n] = k;
	it->values[it->n] = Py_XNewRef((PyObject *)value);
	if (++it->n < f->cap)
		return 0;
	/* The batch is full: the next one resumes after this key (a range
	 * that ends before the batch fills ends the iteration). */
	Py_XSETREF(it->last, ccpy_is_imm(key) ? Py_NewRef(k)
	                                       : Py_NewRef(((struct ccpy_key *)key)->sort));
	return 1;
}

static void iter_drop_buffer(CIterObject *it)
{
	for (int i = it->pos; i < it->n; i++) {
		Py_CLEAR(it->keys[i]);
		Py_CLEAR(it->values[i]);
	}
	it->n = it->pos = 0;
}

/* Fill the buffer: 0, or -1 with an exception. */
static int iter_fetch(CIterObject *it)
{
	struct ccpy_probe plo, phi;
	bool has_lo, has_hi, desc = it->flags & CONCOLL_RANGE_DESC;
	PyObject *lo = it->lo, *hi = it->hi;
	unsigned flags = it->flags;
	struct fetch f = { it, it->last ? ITER_BATCH : ITER_FIRST_BATCH, 0 };
	int rc;

	it->n = it->pos = 0;
	if (it->last) {
		if (desc) {
			hi = it->last;
			flags = (flags & ~(CONCOLL_RANGE_HI_EXCL)) | CONCOLL_RANGE_HI | CONCOLL_RANGE_HI_EXCL;
		} else {
			lo = it->last;
			flags = (flags & ~(CONCOLL_RANGE_LO_EXCL)) | CONCOLL_RANGE_LO | CONCOLL_RANGE_LO_EXCL;
		}
	}
	has_lo = flags & CONCOLL_RANGE_LO;
	has_hi = flags & CONCOLL_RANGE_HI;
	if (has_lo && ccpy_probe_init(&plo, lo, NULL) < 0)
		return -1;
	if (has_hi && ccpy_probe_init(&phi, hi, NULL) < 0) {
		if (has_lo)
			ccpy_probe_done(&plo);
		return -1;
	}
	rc = CCPY_CALL(concoll_map_range(it->owner->map, has_lo ? plo.word : NULL,
	                                 has_hi ? phi.word : NULL, flags, fetch_visit, &f));
	if (has_lo)
		ccpy_probe_done(&plo);
	if (has_hi)
		ccpy_probe_done(&phi);
	if (rc < 0 && !f.err && rc != -ENOMEM) {
		/* a comparison raised: what was fetched is dropped, the iterator
		 * ends with the exception */
		iter_drop_buffer(it);
		it->done = true;
		ccpy_raise(rc);
		return -1;
	}
	if (rc < 0) {
		iter_drop_buffer(it);
		it->done = true;
		if (!PyErr_Occurred())
			PyErr_NoMemory();
		return -1;
	}
	if (PyErr_Occurred())
		PyErr_Clear();
	if (rc == 0)
		it->done = true; /* the range ended before the batch filled */
	return 0;
}

static PyObject *iter_next(PyObject *op)
{
	CIterObject *it = (CIterObject *)op;
	PyObject *k, *v;

	if (it->pos >= it->n) {
		if (it->done)
			return NULL;
		if (iter_fetch(it) < 0)
			return NULL;
		if (it->n == 0) {
			it->done = true;
			return NULL;
		}
	}
	k = it->keys[it->pos];
	v = it->values[it->pos];
	it->keys[it->pos] = it->values[it->pos] = NULL;
	it->pos++;
	switch (it->mode) {
	case CCPY_IT_KEYS:
		Py_XDECREF(v);
		return k;
	case CCPY_IT_VALUES:
		Py_DECREF(k);
		return v ? v : Py_NewRef(Py_None);
	default: {
		PyObject *t = PyTuple_Pack(2, k, v ? v : Py_None);

		Py_DECREF(k);
		Py_XDECREF(v);
		return t;
	}
	}
}

static int iter_traverse(PyObject *op, visitproc visit, void *arg)
{
	CIterObject *it = (CIterObject *)op;

	Py_VISIT(Py_TYPE(op));
	Py_VISIT(it->owner);
	Py_VISIT(it->lo);
	Py_VISIT(it->hi);
	Py_VISIT(it->last);
	for (int i = it->pos; i < it->n; i++) {
		Py_VISIT(it->keys[i]);
		Py_VISIT(it->values[i]);
	}
	return 0;
}

static int iter_clear(PyObject *op)
{
	CIterObject *it = (CIterObject *)op;

	iter_drop_buffer(it);
	it->done = true;
	Py_CLEAR(it->owner);
	Py_CLEAR(it->lo);
	Py_CLEAR(it->hi);
	Py_CLEAR(it->last);
	return 0;
}

static void iter_dealloc(PyObject *op)
{
	PyTypeObject *tp = Py_TYPE(op);

	PyObject_GC_UnTrack(op);
	iter_clear(op);
	tp->tp_free(op);
	Py_DECREF(tp);
}

static PyType_Slot iter_slots[] = {
	{ Py_tp_dealloc, iter_dealloc },
	{ Py_tp_traverse, iter_traverse },
	{ Py_tp_clear, iter_clear },
	{ Py_tp_iter, PyObject_SelfIter },
	{ Py_tp_iternext, iter_next },
	{ Py_tp_doc, "Weakly consistent iterator over a SkipListMap or SkipListSet." },
	{ 0, NULL },
};

static PyType_Spec iter_spec = {
	.name = "concurrent_collections._concoll.SkipListIterator",
	.basicsize = sizeof(CIterObject),
	.flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC | Py_TPFLAGS_IMMUTABLETYPE |
	         Py_TPFLAGS_DISALLOW_INSTANTIATION,
	.slots = iter_slots,
};

/* The sort object of a bound given by the user: a new reference. */
static PyObject *bound_sort(CMapObject *self, PyObject *b)
{
	return self->keyfunc ? PyObject_CallOneArg(self->keyfunc, b) : Py_NewRef(b);
}

static PyObject *iter_new(CMapObject *self, PyObject *lo, PyObject *hi, unsigned flags, int mode)
{
	ccpy_state *st = ccpy_state_of(Py_TYPE(self));
	CIterObject *it;

	if (!st)
		return NULL;
	it = PyObject_GC_New(CIterObject, st->iter_type);
	if (!it)
		return NULL;
	it->owner = (CMapObject *)Py_NewRef(self);
	it->lo = it->hi = it->last = NULL;
	it->flags = flags;
	it->mode = mode;
	it->done = false;
	it->n = it->pos = 0;
	memset(it->keys, 0, sizeof it->keys);
	memset(it->values, 0, sizeof it->values);
	if ((flags & CONCOLL_RANGE_LO) && !(it->lo = bound_sort(self, lo)))
		goto fail;
	if ((flags & CONCOLL_RANGE_HI) && !(it->hi = bound_sort(self, hi)))
		goto fail;
	PyObject_GC_Track(it);
	return (PyObject *)it;
fail:
	PyObject_GC_Track(it);
	Py_DECREF(it);
	return NULL;
}

static PyObject *cmap_iter(PyObject *op)
{
	return iter_new((CMapObject *)op, NULL, NULL, 0, CCPY_IT_KEYS);
}

static PyObject *cmap_reversed(PyObject *op, PyObject *unused)
{
	(void)unused;
	return iter_new((CMapObject *)op, NULL, NULL, CONCOLL_RANGE_DESC, CCPY_IT_KEYS);
}

/* _irange(lo, hi, flags, mode): flags are CONCOLL_RANGE_* (LO, LO_EXCL, HI,
 * HI_EXCL, DESC); mode 0 keys, 1 values, 2 items.  The Python layer builds
 * irange() and the range views on it. */
int ccpy_irange_args(PyObject *const *args, Py_ssize_t nargs, unsigned *flags, int *mode)
{
	unsigned long f;
	long md;

	if (nargs != 4) {
		PyErr_SetString(PyExc_TypeError, "_irange expects (lo, hi, flags, mode)");
		return -1;
	}
	f = PyLong_AsUnsignedLong(args[2]);
	if (f == (unsigned long)-1 && PyErr_Occurred())
		return -1;
	md = PyLong_AsLong(args[3]);
	if (md == -1 && PyErr_Occurred())
		return -1;
	if (f & ~0x1fUL || md < 0 || md > 2) {
		PyErr_SetString(PyExc_ValueError, "_irange: bad flags or mode");
		return -1;
	}
	*flags = (unsigned)f;
	*mode = (int)md;
	return 0;
}

static PyObject *cmap_irange(PyObject *op, PyObject *const *args, Py_ssize_t nargs)
{
	unsigned flags;
	int mode;

	if (ccpy_irange_args(args, nargs, &flags, &mode) < 0)
		return NULL;
	return iter_new((CMapObject *)op, args[0], args[1], flags, mode);
}

/* ---- snapshots, properties ---------------------------------------------------------- */

static PyObject *freeze(CMapObject *self, bool set)
{
	ccpy_state *st = ccpy_state_of(Py_TYPE(self));
	concoll_frozen_t *f;
	PyObject *r;

	if (!st)
		return NULL;
	f = CCPY_CALL(concoll_map_freeze(self->map));
	if (!f) {
		int e = errno;

		if (!PyErr_Occurred()) {
			if (e == ENOMEM)
				PyErr_NoMemory();
			else
				ccpy_raise(-e);
		}
		return NULL;
	}
	if (PyErr_Occurred())
		PyErr_Clear();
	r = ccpy_frozen_wrap((PyTypeObject *)(set ? st->py_frozen_set : st->py_frozen_map), f,
	                      self->keyfunc);
	ccpy_maybe_drain();
	return r;
}

static PyObject *cmap_freeze(PyObject *op, PyObject *unused)
{
	(void)unused;
	return freeze((CMapObject *)op, false);
}

static PyObject *cset_freeze(PyObject *op, PyObject *unused)
{
	(void)unused;
	return freeze((CMapObject *)op, true);
}

static PyObject *get_backend(PyObject *op, void *closure)
{
	(void)closure;
	return PyUnicode_FromString(ccpy_backend_name(((CMapObject *)op)->kind));
}

static PyObject *get_key(PyObject *op, void *closure)
{
	PyObject *k = ((CMapObject *)op)->keyfunc;

	(void)closure;
	return Py_NewRef(k ? k : Py_None);
}

static PyObject *cmap_sizeof(PyObject *op, PyObject *unused)
{
	(void)unused;
	return PyLong_FromSsize_t((Py_ssize_t)Py_TYPE(op)->tp_basicsize);
}

static PyGetSetDef cmap_getset[] = {
	{ "backend", get_backend, NULL, "'lockfree' or 'locked': the algorithm in use.", NULL },
	{ "key", get_key, NULL, "The key function, or None for the natural order.", NULL },
	{ NULL, NULL, NULL, NULL, NULL },
};

static PyMemberDef cmap_members[] = {
	{ "__weaklistoffset__", Py_T_PYSSIZET, offsetof(CMapObject, weakreflist), Py_READONLY, NULL },
	{ NULL, 0, 0, 0, NULL },
};

#define FC (METH_FASTCALL)
static PyMethodDef cmap_methods[] = {
	{ "get", (PyCFunction)(void (*)(void))cmap_get, FC,
	  "get($self, key, default=None, /)\n--\n\nThe value of key, or default." },
	{ "pop", (PyCFunction)(void (*)(void))cmap_pop, FC,
	  "pop(key[, default], /)\n\nRemove key and return its value (atomic)." },
	{ "setdefault", (PyCFunction)(void (*)(void))cmap_setdefault, FC,
	  "setdefault($self, key, default=None, /)\n--\n\nThe value of key, inserting default when absent (atomic)." },
	{ "popitem", cmap_pop_first, METH_NOARGS,
	  "popitem($self)\n--\n\nRemove and return the least (key, value) pair; KeyError when empty." },
	{ "pop_first", cmap_pop_first, METH_NOARGS,
	  "pop_first($self)\n--\n\nRemove and return the least (key, value) pair; KeyError when empty." },
	{ "pop_last", cmap_pop_last, METH_NOARGS,
	  "pop_last($self)\n--\n\nRemove and return the greatest (key, value) pair; KeyError when empty." },
	{ "clear", cmap_clear, METH_NOARGS,
	  "clear($self)\n--\n\nRemove every entry (weakly consistent with concurrent insertions)." },
	{ "floor_key", (PyCFunction)(void (*)(void))m_floor_key, FC,
	  "floor_key($self, key, default=None, /)\n--\n\nThe greatest key <= key, or default." },
	{ "ceiling_key", (PyCFunction)(void (*)(void))m_ceiling_key, FC,
	  "ceiling_key($self, key, default=None, /)\n--\n\nThe least key >= key, or default." },
	{ "lower_key", (PyCFunction)(void (*)(void))m_lower_key, FC,
	  "lower_key($self, key, default=None, /)\n--\n\nThe greatest key < key, or default." },
	{ "higher_key", (PyCFunction)(void (*)(void))m_higher_key, FC,
	  "higher_key($self, key, default=None, /)\n--\n\nThe least key > key, or default." },
	{ "floor_item", (PyCFunction)(void (*)(void))m_floor_item, FC,
	  "floor_item($self, key, default=None, /)\n--\n\n(key, value) of the greatest key <= key." },
	{ "ceiling_item", (PyCFunction)(void (*)(void))m_ceiling_item, FC,
	  "ceiling_item($self, key, default=None, /)\n--\n\n(key, value) of the least key >= key." },
	{ "lower_item", (PyCFunction)(void (*)(void))m_lower_item, FC,
	  "lower_item($self, key, default=None, /)\n--\n\n(key, value) of the greatest key < key." },
	{ "higher_item", (PyCFunction)(void (*)(void))m_higher_item, FC,
	  "higher_item($self, key, default=None, /)\n--\n\n(key, value) of the least key > key." },
	{ "first_key", m_first_key, METH_NOARGS,
	  "first_key($self)\n--\n\nThe least key; KeyError when empty." },
	{ "last_key", m_last_key, METH_NOARGS,
	  "last_key($self)\n--\n\nThe greatest key; KeyError when empty." },
	{ "first_item", m_first_item, METH_NOARGS,
	  "first_item($self)\n--\n\n(key, value) of the least key; KeyError when empty." },
	{ "last_item", m_last_item, METH_NOARGS,
	  "last_item($self)\n--\n\n(key, value) of the greatest key; KeyError when empty." },
	{ "__reversed__", cmap_reversed, METH_NOARGS,
	  "__reversed__($self)\n--\n\nKeys in descending order." },
	{ "_irange", (PyCFunction)(void (*)(void))cmap_irange, FC,
	  "_irange($self, lo, hi, flags, mode, /)\n--\n\nIterator over a range (internal: the package builds irange() on it)." },
	{ "freeze", cmap_freeze, METH_NOARGS,
	  "freeze($self)\n--\n\nAn immutable, hashable FrozenSkipListMap of the entries (weakly consistent)." },
	{ "__sizeof__", cmap_sizeof, METH_NOARGS, NULL },
	{ NULL, NULL, 0, NULL },
};

static PyMethodDef cset_methods[] = {
	{ "add", cset_add, METH_O,
	  "add($self, element, /)\n--\n\nAdd an element (no effect when present)." },
	{ "discard", cset_discard, METH_O,
	  "discard($self, element, /)\n--\n\nRemove an element when present." },
	{ "remove", cset_remove, METH_O,
	  "remove($self, element, /)\n--\n\nRemove an element; KeyError when absent." },
	{ "pop", cset_pop_first, METH_NOARGS,
	  "pop($self)\n--\n\nRemove and return the least element; KeyError when empty." },
	{ "pop_first", cset_pop_first, METH_NOARGS,
	  "pop_first($self)\n--\n\nRemove and return the least element; KeyError when empty." },
	{ "pop_last", cset_pop_last, METH_NOARGS,
	  "pop_last($self)\n--\n\nRemove and return the greatest element; KeyError when empty." },
	{ "clear", cmap_clear, METH_NOARGS,
	  "clear($self)\n--\n\nRemove every element." },
	{ "floor", (PyCFunction)(void (*)(void))m_floor_key, FC,
	  "floor($self, element, default=None, /)\n--\n\nThe greatest element <= x, or default." },
	{ "ceiling", (PyCFunction)(void (*)(void))m_ceiling_key, FC,
	  "ceiling($self, element, default=None, /)\n--\n\nThe least element >= x, or default." },
	{ "lower", (PyCFunction)(void (*)(void))m_lower_key, FC,
	  "lower($self, element, default=None, /)\n--\n\nThe greatest element < x, or default." },
	{ "higher", (PyCFunction)(void (*)(void))m_higher_key, FC,
	  "higher($self, element, default=None, /)\n--\n\nThe least element > x, or default." },
	{ "first", m_first_key, METH_NOARGS,
	  "first($self)\n--\n\nThe least element; KeyError when empty." },
	{ "last", m_last_key, METH_NOARGS,
	  "last($self)\n--\n\nThe greatest element; KeyError when empty." },
	{ "__reversed__", cmap_reversed, METH_NOARGS,
	  "__reversed__($self)\n--\n\nElements in descending order." },
	{ "_irange", (PyCFunction)(void (*)(void))cmap_irange, FC,
	  "_irange($self, lo, hi, flags, mode, /)\n--\n\nIterator over a range (internal: the package builds irange() on it)." },
	{ "freeze", cset_freeze, METH_NOARGS,
	  "freeze($self)\n--\n\nAn immutable, hashable FrozenSkipListSet of the elements (weakly consistent)." },
	{ "__sizeof__", cmap_sizeof, METH_NOARGS, NULL },
	{ NULL, NULL, 0, NULL },
};
#undef FC

PyDoc_STRVAR(cmap_doc,
	"SkipListMap(items=None, /, *, key=None, backend='auto')\n--\n\n"
	"A concurrent ordered map (libconcoll's skip list).  Every single-key\n"
	"operation is atomic and linearizable; iteration is weakly consistent;\n"
	"len() is exact when no update runs concurrently.");
PyDoc_STRVAR(cset_doc,
	"SkipListSet(iterable=None, /, *, key=None, backend='auto')\n--\n\n"
	"A concurrent ordered set (libconcoll's skip list).");

static PyType_Slot cmap_slots[] = {
	{ Py_tp_new, cmap_new },
	{ Py_tp_dealloc, cmap_dealloc },
	{ Py_tp_traverse, cmap_traverse },
	{ Py_tp_clear, cmap_tp_clear },
	{ Py_tp_iter, cmap_iter },
	{ Py_tp_hash, PyObject_HashNotImplemented },
	{ Py_mp_length, cmap_length },
	{ Py_mp_subscript, cmap_subscript },
	{ Py_mp_ass_subscript, cmap_ass_subscript },
	{ Py_sq_contains, cmap_contains },
	{ Py_tp_methods, cmap_methods },
	{ Py_tp_getset, cmap_getset },
	{ Py_tp_members, cmap_members },
	{ Py_tp_doc, (void *)cmap_doc },
	{ 0, NULL },
};

static PyType_Slot cset_slots[] = {
	{ Py_tp_new, cmap_new },
	{ Py_tp_dealloc, cmap_dealloc },
	{ Py_tp_traverse, cmap_traverse },
	{ Py_tp_clear, cmap_tp_clear },
	{ Py_tp_iter, cmap_iter },
	{ Py_tp_hash, PyObject_HashNotImplemented },
	{ Py_sq_length, cmap_length },
	{ Py_sq_contains, cmap_contains },
	{ Py_tp_methods, cset_methods },
	{ Py_tp_getset, cmap_getset },
	{ Py_tp_members, cmap_members },
	{ Py_tp_doc, (void *)cset_doc },
	{ 0, NULL },
};

static PyType_Spec cmap_spec = {
	.name = "concurrent_collections._concoll.SkipListMap",
	.basicsize = sizeof(CMapObject),
	.flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE | Py_TPFLAGS_HAVE_GC | Py_TPFLAGS_MAPPING,
	.slots = cmap_slots,
};

static PyType_Spec cset_spec = {
	.name = "concurrent_collections._concoll.SkipListSet",
	.basicsize = sizeof(CMapObject),
	.flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE | Py_TPFLAGS_HAVE_GC,
	.slots = cset_slots,
};

int ccpy_map_exec(PyObject *module)
{
	ccpy_state *st = PyModule_GetState(module);

	if (ccpy_add_type(module, &cmap_spec, NULL, &st->map_type) < 0 ||
	    ccpy_add_type(module, &cset_spec, NULL, &st->set_type) < 0 ||
	    ccpy_add_type(module, &iter_spec, NULL, &st->iter_type) < 0)
		return -1;
	return ccpy_frozen_exec(module, st);
}
