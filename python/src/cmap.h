/* SPDX-License-Identifier: BSD-3-Clause */
/* The ordered collections' objects (map.c, frozen.c). */
#ifndef CCPY_CMAP_H
#define CCPY_CMAP_H

#include "ckey.h"

/* backend="auto": the kind this build picks (see doc/DECISIONS.md). */
#define CCPY_AUTO_KIND CONCOLL_MAP_SKIPLIST

typedef struct {
	PyObject_HEAD
	concoll_map_t *map;
	PyObject *keyfunc; /* NULL: natural order */
	int kind;          /* CONCOLL_MAP_SKIPLIST or CONCOLL_MAP_SKIPLIST_LOCKED */
	PyObject *weakreflist;
} CMapObject;

typedef struct {
	PyObject_HEAD
	concoll_frozen_t *frozen;
	PyObject *keyfunc;
	PyObject *weakreflist;
} CFrozenObject;

const char *ccpy_backend_name(int kind);
/* A library map with the binding's callbacks; NULL with MemoryError. */
concoll_map_t *ccpy_lib_map_new(int kind);
/* frozen.c: create the frozen types and their iterator type. */
int ccpy_frozen_exec(PyObject *module, ccpy_state *st);
/* A frozen object of type (FrozenSkipListMap or FrozenSkipListSet) owning f. */
PyObject *ccpy_frozen_wrap(PyTypeObject *type, concoll_frozen_t *f, PyObject *keyfunc);

/* _register_frozen(map_cls, set_cls) (a module function). */
PyObject *ccpy_register_frozen(PyObject *module, PyObject *const *args, Py_ssize_t nargs);

/* Parse _irange(lo, hi, flags, mode): 0, or -1 with an exception. */
int ccpy_irange_args(PyObject *const *args, Py_ssize_t nargs, unsigned *flags, int *mode);

/* Range flags of the binding's _irange methods. */
enum { CCPY_IT_KEYS = 0, CCPY_IT_VALUES = 1, CCPY_IT_ITEMS = 2 };

#endif /* CCPY_CMAP_H */
