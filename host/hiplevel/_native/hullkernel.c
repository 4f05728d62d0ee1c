/* Optional compiled kernel: the lower-hull chain of the clock fit (`link.clock_sync`).
 *
 * lower_chain(xy) -> list of int: Andrew's monotone chain over the rows of xy ((N, 2) float64,
 * C-contiguous, in x order), the indices of the lower hull's points. The same test as
 * `clock_sync._lower_chain`, (x2 - x1) * (y - y1) - (y2 - y1) * (x - x1) <= 0 drops the middle
 * point, each product and difference rounded on its own (built with -ffp-contract=off), so the
 * hull is the Python loop's to the bit.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

static PyObject *lower_chain(PyObject *self, PyObject *args) {
    PyObject *o;
    (void)self;
    if (!PyArg_ParseTuple(args, "O", &o))
        return NULL;
    Py_buffer v;
    if (PyObject_GetBuffer(o, &v, PyBUF_C_CONTIGUOUS | PyBUF_FORMAT | PyBUF_ND) < 0)
        return NULL;
    if (v.ndim != 2 || v.shape[1] != 2 || v.itemsize != 8 || strcmp(v.format, "d") != 0) {
        PyBuffer_Release(&v);
        PyErr_SetString(PyExc_ValueError, "lower_chain: xy must be (N, 2) float64, C-contiguous");
        return NULL;
    }
    Py_ssize_t n = v.shape[0], h = 0;
    const double *p = (const double *)v.buf;
    Py_ssize_t *hull = PyMem_Malloc((n > 0 ? n : 1) * sizeof(Py_ssize_t));
    if (hull == NULL) {
        PyBuffer_Release(&v);
        return PyErr_NoMemory();
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        double x = p[2 * i], y = p[2 * i + 1];
        while (h >= 2) {
            double x1 = p[2 * hull[h - 2]], y1 = p[2 * hull[h - 2] + 1];
            double x2 = p[2 * hull[h - 1]], y2 = p[2 * hull[h - 1] + 1];
            double left = (x2 - x1) * (y - y1);
            double right = (y2 - y1) * (x - x1);
            if (left - right <= 0)
                h--;
            else
                break;
        }
        hull[h++] = i;
    }
    PyBuffer_Release(&v);
    PyObject *out = PyList_New(h);
    if (out != NULL)
        for (Py_ssize_t i = 0; i < h; i++) {
            PyObject *k = PyLong_FromSsize_t(hull[i]);
            if (k == NULL) {
                Py_DECREF(out);
                out = NULL;
                break;
            }
            PyList_SET_ITEM(out, i, k);
        }
    PyMem_Free(hull);
    return out;
}

static PyMethodDef methods[] = {
    {"lower_chain", lower_chain, METH_VARARGS, "lower_chain(xy): indices of the lower hull (see the source)"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "hiplevel._native.hullkernel", NULL, -1, methods};

PyMODINIT_FUNC PyInit_hullkernel(void) { return PyModule_Create(&module); }
