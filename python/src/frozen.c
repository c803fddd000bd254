/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * FrozenSkipListMap and FrozenSkipListSet: the library's frozen snapshots
 * (a sorted array, binary search, a cached hash).  A snapshot retained
 * every entry it copied (ccpy_retain), so reading it needs no guard.
 */
#include "ckey.h"

#include <errno.h>
#include <string.h>

#include "cmap.h"

static PyObject *raise_cleared(void)
{
	PyErr_SetString(PyExc_ValueError, "the snapshot was cleared by the garbage collector");
	return NULL;
}

PyObject *ccpy_frozen_wrap(PyTypeObject *type, concoll_frozen_t *f, PyObject *keyfunc)
{
	CFrozenObject *self = (CFrozenObject *)type->tp_alloc(type, 0);

	if (!self) {
		ccpy_depth++;
		concoll_frozen_destroy(f);
		ccpy_depth--;
		ccpy_maybe_drain();
		return NULL;
	}
	self->frozen = f;
	self->keyfunc = Py_XNewRef(keyfunc);
	return (PyObject *)self;
}

static bool is_set_type(PyTypeObject *tp)
{
	ccpy_state *st = ccpy_state_of(tp);

	return st && PyType_IsSubtype(tp, st->frozen_set_type);
}

/* Fill a library map from items (a mapping, an iterable of pairs, or of
 * elements for a set).  0, or -1 with an exception. */
static int populate(concoll_map_t *m, PyObject *keyfunc, PyObject *items, bool set)
{
	PyObject *it, *x, *src = NULL;
	int rc = 0;

	if (!set && PyObject_HasAttrString(items, "keys")) {
		src = PyMapping_Items(items);
		if (!src)
			return -1;
		items = src;
	}
	it = PyObject_GetIter(items);
	Py_XDECREF(src);
	if (!it)
		return -1;
	while (rc == 0 && (x = PyIter_Next(it)) != NULL) {
		PyObject *k = x, *v = NULL;
		void *kw;

		if (!set) {
			if (!PyTuple_Check(x) || PyTuple_GET_SIZE(x) != 2) {
				PyObject *t = PySequence_Tuple(x);

				if (!t || PyTuple_GET_SIZE(t) != 2) {
					if (t)
						PyErr_SetString(PyExc_ValueError,
						                "items must be (key, value) pairs");
					Py_XDECREF(t);
					Py_DECREF(x);
					rc = -1;
					break;
				}
				Py_SETREF(x, t);
			}
			k = PyTuple_GET_ITEM(x, 0);
			v = PyTuple_GET_ITEM(x, 1);
		}
		kw = ccpy_key_new(k, keyfunc);
		if (!kw) {
			rc = -1;
		} else {
			int r;

			Py_XINCREF(v);
			r = CCPY_CALL(concoll_map_put(m, kw, v, NULL));
			if (r >= 0 && PyErr_Occurred())
				PyErr_Clear();
			if (r < 0) {
				ccpy_key_discard(kw);
				Py_XDECREF(v);
				ccpy_raise(r);
				rc = -1;
			}
		}
		Py_DECREF(x);
	}
	Py_DECREF(it);
	if (rc == 0 && PyErr_Occurred())
		rc = -1;
	return rc;
}

static PyObject *frozen_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
	static char *kwlist[] = { "", "key", NULL };
	PyObject *items = NULL, *key = Py_None, *r;
	concoll_map_t *m;
	concoll_frozen_t *f;

	if (!PyArg_ParseTupleAndKeywords(args, kwds, "|O$O", kwlist, &items, &key))
		return NULL;
	if (key != Py_None && !PyCallable_Check(key)) {
		PyErr_Format(PyExc_TypeError, "key must be callable or None, not %.100s",
		             Py_TYPE(key)->tp_name);
		return NULL;
	}
	if (key == Py_None)
		key = NULL;
	m = ccpy_lib_map_new(CCPY_AUTO_KIND);
	if (!m)
		return NULL;
	if (items && items != Py_None && populate(m, key, items, is_set_type(type)) < 0) {
		ccpy_map_destroy(m);
		return NULL;
	}
	f = CCPY_CALL(concoll_map_freeze(m));
	if (!f && !PyErr_Occurred())
		PyErr_NoMemory();
	if (f && PyErr_Occurred())
		PyErr_Clear();
	ccpy_map_destroy(m);
	if (!f)
		return NULL;
	r = ccpy_frozen_wrap(type, f, key);
	ccpy_maybe_drain();
	return r;
}

static int frozen_traverse(PyObject *op, visitproc visit, void *arg)
{
	CFrozenObject *self = (CFrozenObject *)op;
	size_t i, n = concoll_frozen_size(self->frozen);

	Py_VISIT(Py_TYPE(op));
	Py_VISIT(self->keyfunc);
	for (i = 0; i < n; i++) {
		void *k, *v;

		if (concoll_frozen_at(self->frozen, i, &k, &v) != 0)
			break;
		if (!ccpy_is_imm(k)) {
			struct ccpy_key *ck = k;

			Py_VISIT(ck->obj);
			if (ck->sort != ck->obj)
				Py_VISIT(ck->sort);
		}
		Py_VISIT((PyObject *)v);
	}
	return 0;
}

static int frozen_clear(PyObject *op)
{
	CFrozenObject *self = (CFrozenObject *)op;
	concoll_frozen_t *f = self->frozen;

	self->frozen = NULL;
	if (f) {
		ccpy_depth++;
		concoll_frozen_destroy(f);
		ccpy_depth--;
		ccpy_maybe_drain();
	}
	Py_CLEAR(self->keyfunc);
	return 0;
}

static void frozen_dealloc(PyObject *op)
{
	PyTypeObject *tp = Py_TYPE(op);

	PyObject_GC_UnTrack(op);
	if (((CFrozenObject *)op)->weakreflist)
		PyObject_ClearWeakRefs(op);
	frozen_clear(op);
	tp->tp_free(op);
	Py_DECREF(tp);
}

static Py_ssize_t frozen_length(PyObject *op)
{
	return (Py_ssize_t)concoll_frozen_size(((CFrozenObject *)op)->frozen);
}

/* Entry i as key, value or item (new reference). */
static PyObject *entry(CFrozenObject *self, size_t i, int mode)
{
	void *k, *v;
	PyObject *key, *t;

	if (concoll_frozen_at(self->frozen, i, &k, &v) != 0) {
		PyErr_SetString(PyExc_IndexError, "snapshot index out of range");
		return NULL;
	}
	if (mode == CCPY_IT_VALUES)
		return Py_NewRef(v ? (PyObject *)v : Py_None);
	key = ccpy_key_object(k);
	if (!key || mode == CCPY_IT_KEYS)
		return key;
	t = PyTuple_Pack(2, key, v ? (PyObject *)v : Py_None);
	Py_DECREF(key);
	return t;
}

/* Position of the entry nav selects: 0, -ENOENT, or -1 with an exception. */
static int find(CFrozenObject *self, int nav, PyObject *key, bool is_sort, size_t *index)
{
	struct ccpy_probe p;
	int rc;

	if (!self->frozen) {
		raise_cleared();
		return -1;
	}
	if (ccpy_probe_init(&p, key, is_sort ? NULL : self->keyfunc) < 0)
		return -1;
	rc = CCPY_CALL(concoll_frozen_find(self->frozen, nav, p.word, index));
	ccpy_probe_done(&p);
	if (rc == 0 || rc == -ENOENT) {
		if (PyErr_Occurred())
			PyErr_Clear();
		return rc;
	}
	ccpy_raise(rc);
	return -1;
}

static PyObject *frozen_subscript(PyObject *op, PyObject *key)
{
	size_t i;
	int rc = find((CFrozenObject *)op, CONCOLL_NAV_EQ, key, false, &i);

	if (rc == 0)
		return entry((CFrozenObject *)op, i, CCPY_IT_VALUES);
	if (rc == -ENOENT)
		PyErr_SetObject(PyExc_KeyError, key);
	return NULL;
}

static int frozen_contains(PyObject *op, PyObject *key)
{
	size_t i;
	int rc = find((CFrozenObject *)op, CONCOLL_NAV_EQ, key, false, &i);

	return rc == 0 ? 1 : rc == -ENOENT ? 0 : -1;
}

static PyObject *frozen_get(PyObject *op, PyObject *const *args, Py_ssize_t nargs)
{
	size_t i;
	int rc;

	if (nargs < 1 || nargs > 2) {
		PyErr_Format(PyExc_TypeError, "get expected 1 or 2 arguments, got %zd", nargs);
		return NULL;
	}
	rc = find((CFrozenObject *)op, CONCOLL_NAV_EQ, args[0], false, &i);
	if (rc == 0)
		return entry((CFrozenObject *)op, i, CCPY_IT_VALUES);
	if (rc == -ENOENT)
		return Py_NewRef(nargs > 1 ? args[1] : Py_None);
	return NULL;
}

static PyObject *fnav(PyObject *op, PyObject *const *args, Py_ssize_t nargs, int nav, int mode,
                      const char *name)
{
	size_t i;
	int rc;

	if (nargs < 1 || nargs > 2) {
		PyErr_Format(PyExc_TypeError, "%s expected 1 or 2 arguments, got %zd", name, nargs);
		return NULL;
	}
	rc = find((CFrozenObject *)op, nav, args[0], false, &i);
	if (rc == 0)
		return entry((CFrozenObject *)op, i, mode);
	if (rc == -ENOENT)
		return Py_NewRef(nargs > 1 ? args[1] : Py_None);
	return NULL;
}

#define FNAV(name, nav, mode)                                                              \
	static PyObject *f_##name(PyObject *op, PyObject *const *args, Py_ssize_t nargs) \
	{                                                                                  \
		return fnav(op, args, nargs, nav, mode, #name);                            \
	}
FNAV(floor_key, CONCOLL_NAV_FLOOR, CCPY_IT_KEYS)
FNAV(ceiling_key, CONCOLL_NAV_CEILING, CCPY_IT_KEYS)
FNAV(lower_key, CONCOLL_NAV_LOWER, CCPY_IT_KEYS)
FNAV(higher_key, CONCOLL_NAV_HIGHER, CCPY_IT_KEYS)
FNAV(floor_item, CONCOLL_NAV_FLOOR, CCPY_IT_ITEMS)
FNAV(ceiling_item, CONCOLL_NAV_CEILING, CCPY_IT_ITEMS)
FNAV(lower_item, CONCOLL_NAV_LOWER, CCPY_IT_ITEMS)
FNAV(higher_item, CONCOLL_NAV_HIGHER, CCPY_IT_ITEMS)
#undef FNAV

static PyObject *fend(PyObject *op, bool last, int mode)
{
	CFrozenObject *self = (CFrozenObject *)op;
	size_t n = concoll_frozen_size(self->frozen);

	if (n == 0) {
		PyErr_SetString(PyExc_KeyError, "empty collection");
		return NULL;
	}
	return entry(self, last ? n - 1 : 0, mode);
}

static PyObject *f_first_key(PyObject *op, PyObject *u) { (void)u; return fend(op, false, CCPY_IT_KEYS); }
static PyObject *f_last_key(PyObject *op, PyObject *u) { (void)u; return fend(op, true, CCPY_IT_KEYS); }
static PyObject *f_first_item(PyObject *op, PyObject *u) { (void)u; return fend(op, false, CCPY_IT_ITEMS); }
static PyObject *f_last_item(PyObject *op, PyObject *u) { (void)u; return fend(op, true, CCPY_IT_ITEMS); }

/* ---- iteration: positions [i, end) ascending, or descending ------------------- */

typedef struct {
	PyObject_HEAD
	CFrozenObject *owner;
	size_t next, end; /* ascending: next < end; descending: the next is next - 1 > end - 1 */
	bool desc;
	int mode;
} CFIterObject;

static PyObject *fiter_next(PyObject *op)
{
	CFIterObject *it = (CFIterObject *)op;

	if (!it->owner || !it->owner->frozen)
		return NULL;
	if (!it->desc) {
		if (it->next >= it->end)
			return NULL;
		return entry(it->owner, it->next++, it->mode);
	}
	if (it->next <= it->end)
		return NULL;
	return entry(it->owner, --it->next, it->mode);
}

static int fiter_traverse(PyObject *op, visitproc visit, void *arg)
{
	Py_VISIT(Py_TYPE(op));
	Py_VISIT(((CFIterObject *)op)->owner);
	return 0;
}

static void fiter_dealloc(PyObject *op)
{
	PyTypeObject *tp = Py_TYPE(op);

	PyObject_GC_UnTrack(op);
	Py_CLEAR(((CFIterObject *)op)->owner);
	tp->tp_free(op);
	Py_DECREF(tp);
}

static PyType_Slot fiter_slots[] = {
	{ Py_tp_dealloc, fiter_dealloc },
	{ Py_tp_traverse, fiter_traverse },
	{ Py_tp_iter, PyObject_SelfIter },
	{ Py_tp_iternext, fiter_next },
	{ 0, NULL },
};

static PyType_Spec fiter_spec = {
	.name = "concurrent_collections._concoll.FrozenSkipListIterator",
	.basicsize = sizeof(CFIterObject),
	.flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC | Py_TPFLAGS_IMMUTABLETYPE |
	         Py_TPFLAGS_DISALLOW_INSTANTIATION,
	.slots = fiter_slots,
};

static PyObject *fiter_new(CFrozenObject *self, size_t from, size_t to, bool desc, int mode)
{
	ccpy_state *st = ccpy_state_of(Py_TYPE(self));
	CFIterObject *it;

	if (!st)
		return NULL;
	it = PyObject_GC_New(CFIterObject, st->frozen_iter_type);
	if (!it)
		return NULL;
	it->owner = (CFrozenObject *)Py_NewRef(self);
	it->desc = desc;
	it->mode = mode;
	/* [from, to) in either direction */
	it->next = desc ? to : from;
	it->end = desc ? from : to;
	PyObject_GC_Track(it);
	return (PyObject *)it;
}

static PyObject *frozen_iter(PyObject *op)
{
	CFrozenObject *self = (CFrozenObject *)op;

	return fiter_new(self, 0, concoll_frozen_size(self->frozen), false, CCPY_IT_KEYS);
}

static PyObject *frozen_reversed(PyObject *op, PyObject *unused)
{
	CFrozenObject *self = (CFrozenObject *)op;

	(void)unused;
	return fiter_new(self, 0, concoll_frozen_size(self->frozen), true, CCPY_IT_KEYS);
}

/* _irange(lo, hi, flags, mode), as SkipListMap._irange. */
static PyObject *frozen_irange(PyObject *op, PyObject *const *args, Py_ssize_t nargs)
{
	CFrozenObject *self = (CFrozenObject *)op;
	size_t n = concoll_frozen_size(self->frozen), from = 0, to = n, i;
	unsigned flags;
	int mode, rc;

	if (ccpy_irange_args(args, nargs, &flags, &mode) < 0)
		return NULL;
	if (flags & CONCOLL_RANGE_LO) {
		rc = find(self, (flags & CONCOLL_RANGE_LO_EXCL) ? CONCOLL_NAV_HIGHER : CONCOLL_NAV_CEILING,
		          args[0], false, &i);
		if (rc == -1)
			return NULL;
		from = rc == 0 ? i : n;
	}
	if (flags & CONCOLL_RANGE_HI) {
		rc = find(self, (flags & CONCOLL_RANGE_HI_EXCL) ? CONCOLL_NAV_LOWER : CONCOLL_NAV_FLOOR,
		          args[1], false, &i);
		if (rc == -1)
			return NULL;
		to = rc == 0 ? i + 1 : 0;
	}
	if (to < from)
		to = from;
	return fiter_new(self, from, to, (flags & CONCOLL_RANGE_DESC) != 0, mode);
}

/* ---- equality and hash --------------------------------------------------------- */

/* The library computes the hash once and caches it. */
static Py_hash_t frozen_hash(PyObject *op)
{
	CFrozenObject *self = (CFrozenObject *)op;
	uint64_t h;
	Py_hash_t r;
	int rc;

	if (!self->frozen) {
		raise_cleared();
		return -1;
	}
	rc = CCPY_CALL(concoll_frozen_hash(self->frozen, &h));
	if (rc < 0) {
		ccpy_raise(rc);
		return -1;
	}
	r = (Py_hash_t)(h ^ (h >> 32));
	return r == -1 ? -2 : r;
}

static PyObject *frozen_richcompare(PyObject *a, PyObject *b, int op)
{
	ccpy_state *st = ccpy_state_of(Py_TYPE(a));
	CFrozenObject *x = (CFrozenObject *)a, *y = (CFrozenObject *)b;
	PyTypeObject *base;
	int rc;

	if (!st)
		return NULL;
	if (op != Py_EQ && op != Py_NE)
		Py_RETURN_NOTIMPLEMENTED;
	base = PyType_IsSubtype(Py_TYPE(a), st->frozen_set_type) ? st->frozen_set_type
	                                                          : st->frozen_map_type;
	/* Two snapshots of one kind in the natural order: the library compares
	 * (keys equal by the order, values by ==).  Otherwise the package's
	 * classes fall back to collections.abc's equality. */
	if (!PyType_IsSubtype(Py_TYPE(b), base) || x->keyfunc || y->keyfunc || !x->frozen ||
	    !y->frozen)
		Py_RETURN_NOTIMPLEMENTED;
	if (a == b)
		return PyBool_FromLong(op == Py_EQ);
	rc = CCPY_CALL(concoll_frozen_equal(x->frozen, y->frozen));
	if (rc < 0)
		return ccpy_raise(rc);
	return PyBool_FromLong(op == Py_EQ ? rc : !rc);
}

static PyObject *f_get_key(PyObject *op, void *closure)
{
	PyObject *k = ((CFrozenObject *)op)->keyfunc;

	(void)closure;
	return Py_NewRef(k ? k : Py_None);
}

static PyGetSetDef frozen_getset[] = {
	{ "key", f_get_key, NULL, "The key function, or None for the natural order.", NULL },
	{ NULL, NULL, NULL, NULL, NULL },
};

static PyMemberDef frozen_members[] = {
	{ "__weaklistoffset__", Py_T_PYSSIZET, offsetof(CFrozenObject, weakreflist), Py_READONLY, NULL },
	{ NULL, 0, 0, 0, NULL },
};

#define FC METH_FASTCALL
#define FN(f) (PyCFunction)(void (*)(void))(f)
static PyMethodDef fmap_methods[] = {
	{ "get", FN(frozen_get), FC,
	  "get($self, key, default=None, /)\n--\n\nThe value of key, or default." },
	{ "floor_key", FN(f_floor_key), FC,
	  "floor_key($self, key, default=None, /)\n--\n\nThe greatest key <= key, or default." },
	{ "ceiling_key", FN(f_ceiling_key), FC,
	  "ceiling_key($self, key, default=None, /)\n--\n\nThe least key >= key, or default." },
	{ "lower_key", FN(f_lower_key), FC,
	  "lower_key($self, key, default=None, /)\n--\n\nThe greatest key < key, or default." },
	{ "higher_key", FN(f_higher_key), FC,
	  "higher_key($self, key, default=None, /)\n--\n\nThe least key > key, or default." },
	{ "floor_item", FN(f_floor_item), FC,
	  "floor_item($self, key, default=None, /)\n--\n\n(key, value) of the greatest key <= key, or default." },
	{ "ceiling_item", FN(f_ceiling_item), FC,
	  "ceiling_item($self, key, default=None, /)\n--\n\n(key, value) of the least key >= key, or default." },
	{ "lower_item", FN(f_lower_item), FC,
	  "lower_item($self, key, default=None, /)\n--\n\n(key, value) of the greatest key < key, or default." },
	{ "higher_item", FN(f_higher_item), FC,
	  "higher_item($self, key, default=None, /)\n--\n\n(key, value) of the least key > key, or default." },
	{ "first_key", f_first_key, METH_NOARGS,
	  "first_key($self)\n--\n\nThe least key; KeyError when empty." },
	{ "last_key", f_last_key, METH_NOARGS,
	  "last_key($self)\n--\n\nThe greatest key; KeyError when empty." },
	{ "first_item", f_first_item, METH_NOARGS,
	  "first_item($self)\n--\n\n(key, value) of the least key." },
	{ "last_item", f_last_item, METH_NOARGS,
	  "last_item($self)\n--\n\n(key, value) of the greatest key." },
	{ "__reversed__", frozen_reversed, METH_NOARGS,
	  "__reversed__($self)\n--\n\nKeys in descending order." },
	{ "_irange", FN(frozen_irange), FC,
	  "_irange($self, lo, hi, flags, mode, /)\n--\n\nIterator over a range (internal: the package builds irange() on it)." },
	{ NULL, NULL, 0, NULL },
};

static PyMethodDef fset_methods[] = {
	{ "floor", FN(f_floor_key), FC,
	  "floor($self, element, default=None, /)\n--\n\nThe greatest element <= element, or default." },
	{ "ceiling", FN(f_ceiling_key), FC,
	  "ceiling($self, element, default=None, /)\n--\n\nThe least element >= element, or default." },
	{ "lower", FN(f_lower_key), FC,
	  "lower($self, element, default=None, /)\n--\n\nThe greatest element < element, or default." },
	{ "higher", FN(f_higher_key), FC,
	  "higher($self, element, default=None, /)\n--\n\nThe least element > element, or default." },
	{ "first", f_first_key, METH_NOARGS,
	  "first($self)\n--\n\nThe least element; KeyError when empty." },
	{ "last", f_last_key, METH_NOARGS,
	  "last($self)\n--\n\nThe greatest element; KeyError when empty." },
	{ "__reversed__", frozen_reversed, METH_NOARGS,
	  "__reversed__($self)\n--\n\nElements in descending order." },
	{ "_irange", FN(frozen_irange), FC,
	  "_irange($self, lo, hi, flags, mode, /)\n--\n\nIterator over a range (internal: the package builds irange() on it)." },
	{ NULL, NULL, 0, NULL },
};
#undef FN
#undef FC

static PyType_Slot fmap_slots[] = {
	{ Py_tp_new, frozen_new },
	{ Py_tp_dealloc, frozen_dealloc },
	{ Py_tp_traverse, frozen_traverse },
	{ Py_tp_clear, frozen_clear },
	{ Py_tp_iter, frozen_iter },
	{ Py_tp_hash, frozen_hash },
	{ Py_tp_richcompare, frozen_richcompare },
	{ Py_mp_length, frozen_length },
	{ Py_mp_subscript, frozen_subscript },
	{ Py_sq_contains, frozen_contains },
	{ Py_tp_methods, fmap_methods },
	{ Py_tp_getset, frozen_getset },
	{ Py_tp_members, frozen_members },
	{ Py_tp_doc, "FrozenSkipListMap(items=None, /, *, key=None)\n--\n\n"
	             "An immutable, hashable sorted map (a snapshot)." },
	{ 0, NULL },
};

static PyType_Slot fset_slots[] = {
	{ Py_tp_new, frozen_new },
	{ Py_tp_dealloc, frozen_dealloc },
	{ Py_tp_traverse, frozen_traverse },
	{ Py_tp_clear, frozen_clear },
	{ Py_tp_iter, frozen_iter },
	{ Py_tp_hash, frozen_hash },
	{ Py_tp_richcompare, frozen_richcompare },
	{ Py_sq_length, frozen_length },
	{ Py_sq_contains, frozen_contains },
	{ Py_tp_methods, fset_methods },
	{ Py_tp_getset, frozen_getset },
	{ Py_tp_members, frozen_members },
	{ Py_tp_doc, "FrozenSkipListSet(iterable=None, /, *, key=None)\n--\n\n"
	             "An immutable, hashable sorted set (a snapshot)." },
	{ 0, NULL },
};

static PyType_Spec fmap_spec = {
	.name = "concurrent_collections._concoll.FrozenSkipListMap",
	.basicsize = sizeof(CFrozenObject),
	.flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE | Py_TPFLAGS_HAVE_GC | Py_TPFLAGS_MAPPING,
	.slots = fmap_slots,
};

static PyType_Spec fset_spec = {
	.name = "concurrent_collections._concoll.FrozenSkipListSet",
	.basicsize = sizeof(CFrozenObject),
	.flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE | Py_TPFLAGS_HAVE_GC,
	.slots = fset_slots,
};

int ccpy_frozen_exec(PyObject *module, ccpy_state *st)
{
	if (ccpy_add_type(module, &fmap_spec, NULL, &st->frozen_map_type) < 0 ||
	    ccpy_add_type(module, &fset_spec, NULL, &st->frozen_set_type) < 0 ||
	    ccpy_add_type(module, &fiter_spec, NULL, &st->frozen_iter_type) < 0)
		return -1;
	st->py_frozen_map = Py_NewRef((PyObject *)st->frozen_map_type);
	st->py_frozen_set = Py_NewRef((PyObject *)st->frozen_set_type);
	return 0;
}

/* _register_frozen(map_cls, set_cls): the package's public frozen classes,
 * which freeze() creates. */
PyObject *ccpy_register_frozen(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
	ccpy_state *st = PyModule_GetState(module);

	if (nargs != 2 || !PyType_Check(args[0]) || !PyType_Check(args[1]) ||
	    !PyType_IsSubtype((PyTypeObject *)args[0], st->frozen_map_type) ||
	    !PyType_IsSubtype((PyTypeObject *)args[1], st->frozen_set_type)) {
		PyErr_SetString(PyExc_TypeError,
		                 "_register_frozen(map_cls, set_cls) takes subclasses of the frozen types");
		return NULL;
	}
	Py_XSETREF(st->py_frozen_map, Py_NewRef(args[0]));
	Py_XSETREF(st->py_frozen_set, Py_NewRef(args[1]));
	Py_RETURN_NONE;
}
