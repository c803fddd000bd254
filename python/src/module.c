/* SPDX-License-Identifier: BSD-3-Clause */
/* concurrent_collections._concoll: module definition and shared helpers. */
#include "ccpy.h"
#include "cmap.h"

#include <errno.h>
#include <string.h>

ccpy_state *ccpy_state_of(PyTypeObject *type)
{
	PyObject *m = PyType_GetModuleByDef(type, &ccpy_module);

	return m ? (ccpy_state *)PyModule_GetState(m) : NULL;
}

int ccpy_add_type(PyObject *module, PyType_Spec *spec, PyObject *bases, PyTypeObject **out)
{
	PyObject *t = PyType_FromModuleAndSpec(module, spec, bases);

	if (!t)
		return -1;
	*out = (PyTypeObject *)t;
	/* PyModule_AddType adds it under the name after the last dot and
	 * takes its own reference. */
	return PyModule_AddType(module, (PyTypeObject *)t);
}

PyObject *ccpy_raise(int rc)
{
	if (PyErr_Occurred())
		return NULL;
	switch (rc) {
	case -ENOMEM:
		return PyErr_NoMemory();
	case -EINVAL:
		PyErr_SetString(PyExc_ValueError, "invalid argument");
		return NULL;
	case -ENOENT:
		PyErr_SetNone(PyExc_KeyError);
		return NULL;
	case -ECANCELED:
		PyErr_SetString(PyExc_RuntimeError, "a comparison failed");
		return NULL;
	default:
		errno = rc < 0 ? -rc : rc;
		return PyErr_SetFromErrno(PyExc_OSError);
	}
}

static int module_exec(PyObject *module)
{
	ccpy_state *st = PyModule_GetState(module);
	PyObject *queue_mod;

	queue_mod = PyImport_ImportModule("queue");
	if (!queue_mod)
		return -1;
	st->empty_exc = PyObject_GetAttrString(queue_mod, "Empty");
	st->full_exc = st->empty_exc ? PyObject_GetAttrString(queue_mod, "Full") : NULL;
	Py_DECREF(queue_mod);
	if (!st->full_exc)
		return -1;
	if (ccpy_map_exec(module) < 0 || ccpy_queue_exec(module) < 0)
		return -1;
	if (PyModule_AddStringConstant(module, "library_version", concoll_version()) < 0)
		return -1;
	return 0;
}

#define STATE_OBJECTS(X)                                                       \
	X(map_type) X(set_type) X(frozen_map_type) X(frozen_set_type)          \
	X(iter_type) X(frozen_iter_type) X(py_frozen_map) X(py_frozen_set) X(queue_type)      \
	X(fast_queue_type) X(waitfree_queue_type) X(stack_type) X(empty_exc)   \
	X(full_exc)

static int module_traverse(PyObject *module, visitproc visit, void *arg)
{
	ccpy_state *st = PyModule_GetState(module);

	if (!st)
		return 0;
#define VISIT(f) Py_VISIT(st->f);
	STATE_OBJECTS(VISIT)
#undef VISIT
	return 0;
}

static int module_clear(PyObject *module)
{
	ccpy_state *st = PyModule_GetState(module);

	if (!st)
		return 0;
#define CLEAR(f) Py_CLEAR(st->f);
	STATE_OBJECTS(CLEAR)
#undef CLEAR
	return 0;
}

static void module_free(void *module)
{
	module_clear((PyObject *)module);
	/* Whatever the library released meanwhile. */
	ccpy_drain();
}

static PyObject *mod_drain(PyObject *self, PyObject *unused)
{
	(void)self;
	(void)unused;
	/* Let the library free what is past its grace period, then drop the
	 * references it handed back. */
	Py_BEGIN_ALLOW_THREADS
	(void)concoll_smr_barrier();
	Py_END_ALLOW_THREADS
	ccpy_drain();
	Py_RETURN_NONE;
}

static PyMethodDef module_methods[] = {
	{ "reclaim", mod_drain, METH_NOARGS,
	  "reclaim()\n--\n\nWait until the objects that the collections removed are past their\n"
	  "grace period and drop the collections' references to them.  Removed\n"
	  "keys and values are otherwise released a little later, by a later\n"
	  "call on any collection." },
	{ "_register_frozen", (PyCFunction)(void (*)(void))ccpy_register_frozen, METH_FASTCALL,
	  "_register_frozen(map_cls, set_cls)\n--\n\nThe classes that freeze() creates (the package's)." },
	{ NULL, NULL, 0, NULL },
};

static PyModuleDef_Slot module_slots[] = {
	{ Py_mod_exec, module_exec },
#if PY_VERSION_HEX >= 0x030C0000
	{ Py_mod_multiple_interpreters, Py_MOD_MULTIPLE_INTERPRETERS_NOT_SUPPORTED },
#endif
#if PY_VERSION_HEX >= 0x030D0000
	{ Py_mod_gil, Py_MOD_GIL_NOT_USED },
#endif
	{ 0, NULL },
};

PyModuleDef ccpy_module = {
	PyModuleDef_HEAD_INIT,
	.m_name = "concurrent_collections._concoll",
	.m_doc = "Concurrent ordered maps, sets, queues and a stack (libconcoll).",
	.m_size = sizeof(ccpy_state),
	.m_methods = module_methods,
	.m_slots = module_slots,
	.m_traverse = module_traverse,
	.m_clear = module_clear,
	.m_free = module_free,
};

PyMODINIT_FUNC PyInit__concoll(void)
{
	return PyModuleDef_Init(&ccpy_module);
}
