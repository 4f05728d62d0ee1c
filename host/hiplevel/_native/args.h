/* The argument checks shared by the compiled kernels: C-contiguous buffers of the call's arguments,
 * released together on error. Included by each kernel's source (setup.py lists it as a dependency
 * and ships it). */
#ifndef HIPLEVEL_NATIVE_ARGS_H
#define HIPLEVEL_NATIVE_ARGS_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <string.h>

/* A C-contiguous buffer of o (writable if asked): 0, or -1 with an exception set. */
static inline int get(PyObject *o, Py_buffer *v, int writable) {
    int flags = PyBUF_C_CONTIGUOUS | PyBUF_FORMAT | PyBUF_ND | (writable ? PyBUF_WRITABLE : 0);
    return PyObject_GetBuffer(o, v, flags) < 0 ? -1 : 0;
}

static inline void release(Py_buffer *v, int n) {
    for (int i = 0; i < n; i++)
        PyBuffer_Release(&v[i]);
}

/* The buffers of the call's n arguments (a tuple), writable from index first_out on: 0, or -1
 * with an exception set and none held. */
static inline int get_args(PyObject *args, int n, int first_out, Py_buffer *v) {
    if (!PyTuple_Check(args) || PyTuple_GET_SIZE(args) != n) {
        PyErr_Format(PyExc_TypeError, "expected %d arguments", n);
        return -1;
    }
    for (int i = 0; i < n; i++)
        if (get(PyTuple_GET_ITEM(args, i), &v[i], i >= first_out) < 0) {
            release(v, i);
            return -1;
        }
    return 0;
}

/* The buffers of the n objects o, writable from index first_out on, each float64 ("d") if f64:
 * 0, or -1 with an exception set and none held. */
static inline int get_objs(PyObject *const *o, int n, int first_out, int f64, Py_buffer *v) {
    for (int i = 0; i < n; i++) {
        if (get(o[i], &v[i], i >= first_out) < 0) {
            release(v, i);
            return -1;
        }
        if (f64 && (v[i].itemsize != 8 || v[i].format == NULL || strcmp(v[i].format, "d") != 0)) {
            release(v, i + 1);
            PyErr_SetString(PyExc_ValueError, "expected float64 arrays");
            return -1;
        }
    }
    return 0;
}

/* Releases the n buffers and raises ValueError(msg) unless an exception is already set. */
static inline PyObject *bad_args(Py_buffer *v, int n, const char *msg) {
    release(v, n);
    if (!PyErr_Occurred())
        PyErr_SetString(PyExc_ValueError, msg);
    return NULL;
}

/* A float64 buffer ("d", 8 bytes) of exactly n elements. */
static inline int is_f64(const Py_buffer *v, Py_ssize_t n) {
    return v->itemsize == 8 && v->format != NULL && strcmp(v->format, "d") == 0 && v->len == n * 8;
}

#endif
