/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * concurrent_collections._concoll: the CPython binding of libconcoll
 * (internal header shared by the extension's sources).
 *
 * Plain C API, multi-phase initialization, heap types only, module state
 * (no static Python objects), Py_MOD_GIL_NOT_USED on 3.13+.  The module is
 * loaded once per process: it declares that it does not support
 * subinterpreters, because the library's reclamation callbacks are
 * process-wide.
 */
#ifndef CCPY_H
#define CCPY_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <concoll/concoll.h>

#if PY_VERSION_HEX < 0x030C0000
#include <structmember.h>
#define Py_T_PYSSIZET T_PYSSIZET
#define Py_READONLY READONLY
#endif

typedef struct {
	/* ordered collections (map.c, frozen.c) */
	PyTypeObject *map_type;        /* SkipListMap */
	PyTypeObject *set_type;        /* SkipListSet */
	PyTypeObject *frozen_map_type; /* FrozenSkipListMap */
	PyTypeObject *frozen_set_type; /* FrozenSkipListSet */
	PyTypeObject *iter_type;       /* iterator over a map, a set or a range */
	PyTypeObject *frozen_iter_type;
	/* the package's public classes (subclasses of the above with the
	 * collections.abc mixins), registered by the package at import: the
	 * types that freeze() and thaw() create */
	PyObject *py_frozen_map, *py_frozen_set;
	/* queues and the stack (queue.c) */
	PyTypeObject *queue_type;          /* LockFreeQueue */
	PyTypeObject *fast_queue_type;     /* FastQueue */
	PyTypeObject *waitfree_queue_type; /* WaitFreeQueue */
	PyTypeObject *stack_type;          /* LockFreeStack */
	PyObject *empty_exc; /* queue.Empty */
	PyObject *full_exc;  /* queue.Full */
} ccpy_state;

extern PyModuleDef ccpy_module;

PyMODINIT_FUNC PyInit__concoll(void);

/* The module state of a heap type created by this module (or of a
 * subclass of one), or NULL with an exception. */
ccpy_state *ccpy_state_of(PyTypeObject *type);

/* Create a heap type from spec (bases may be NULL), bound to the module,
 * store it in *out and add it to the module under its short name.
 * 0 or -1 with an exception. */
int ccpy_add_type(PyObject *module, PyType_Spec *spec, PyObject *bases, PyTypeObject **out);

/* Raise the exception for a negative errno value returned by libconcoll
 * and return NULL.  A comparison that raised inside the library
 * (-ECANCELED with an exception set) keeps the exception it raised. */
PyObject *ccpy_raise(int rc);

/* Per-module exec functions: create the types and add them. */
int ccpy_map_exec(PyObject *module);    /* map.c (and frozen.c through it) */
int ccpy_queue_exec(PyObject *module);  /* queue.c */

/* Deferred reference drops (key.c): objects that the library releases
 * after a grace period are queued and their references dropped later by
 * a thread with an attached thread state, outside any library call. */
void ccpy_drain(void);
/* Run ccpy_drain() when something is pending and the calling thread is not
 * inside a library call of this module. */
void ccpy_maybe_drain(void);

#endif /* CCPY_H */
