/* Optional compiled kernel: the block loop of the blocked biquad (`signal.biquad._section_blocked`).
 *
 * biquad_blocks(xs, y, z0, z1, tail0, tail1, b0, b1, b2, a1, a2, r) -> None:
 *   for j = 0 .. L-1, every column i (a block of a signal column, from a zero state):
 *     y[j,i] = b0*x + z0;  t = b1*x - a1*y + z1;  z1 = b2*x - a2*y;  z0 = t
 *   and tail0/tail1 = z0/z1 after step j = r-1.
 * xs and y (L, M), z0, z1, tail0, tail1 (M,) float64, C-contiguous; z0 and z1 hold the start
 * states (zeros) and end with the final ones. Every product and sum is rounded on its own, in
 * the numpy loop's order (built with -ffp-contract=off): the results are that loop's to the bit.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <string.h>

static int get(PyObject *o, Py_buffer *v, int writable) {
    int flags = PyBUF_C_CONTIGUOUS | PyBUF_FORMAT | PyBUF_ND | (writable ? PyBUF_WRITABLE : 0);
    if (PyObject_GetBuffer(o, v, flags) < 0)
        return -1;
    if (v->itemsize != 8 || v->format == NULL || strcmp(v->format, "d") != 0) {
        PyBuffer_Release(v);
        PyErr_SetString(PyExc_ValueError, "expected float64 arrays");
        return -1;
    }
    return 0;
}

static PyObject *biquad_blocks(PyObject *self, PyObject *args) {
    PyObject *o[6];
    double b0, b1, b2, a1, a2;
    Py_ssize_t r;
    (void)self;
    if (!PyArg_ParseTuple(args, "OOOOOOdddddn", &o[0], &o[1], &o[2], &o[3], &o[4], &o[5], &b0, &b1, &b2, &a1, &a2,
                          &r))
        return NULL;
    Py_buffer v[6];
    for (int i = 0; i < 6; i++)
        if (get(o[i], &v[i], i >= 1) < 0) {
            for (int k = 0; k < i; k++)
                PyBuffer_Release(&v[k]);
            return NULL;
        }
    Py_ssize_t L = v[0].ndim == 2 ? v[0].shape[0] : -1, M = v[0].ndim == 2 ? v[0].shape[1] : -1;
    int bad = L < 1 || v[1].ndim != 2 || v[1].shape[0] != L || v[1].shape[1] != M || r < 1 || r > L;
    for (int i = 2; i < 6 && !bad; i++)
        bad = v[i].ndim != 1 || v[i].shape[0] != M;
    if (bad) {
        for (int k = 0; k < 6; k++)
            PyBuffer_Release(&v[k]);
        PyErr_SetString(PyExc_ValueError, "biquad_blocks: xs, y (L, M); z0, z1, tail0, tail1 (M,); 1 <= r <= L");
        return NULL;
    }
    const double *x = (const double *)v[0].buf;
    double *y = (double *)v[1].buf, *z0 = (double *)v[2].buf, *z1 = (double *)v[3].buf;
    double *tail0 = (double *)v[4].buf, *tail1 = (double *)v[5].buf;
    Py_BEGIN_ALLOW_THREADS
    for (Py_ssize_t j = 0; j < L; j++) {
        const double *xj = x + j * M;
        double *yj = y + j * M;
        for (Py_ssize_t i = 0; i < M; i++) {
            double xv = xj[i];
            double yv = b0 * xv;
            yv = yv + z0[i];
            double t = b1 * xv;
            t = t - a1 * yv;
            t = t + z1[i];
            double u = b2 * xv;
            u = u - a2 * yv;
            yj[i] = yv;
            z0[i] = t;
            z1[i] = u;
        }
        if (j == r - 1) {
            memcpy(tail0, z0, (size_t)M * sizeof(double));
            memcpy(tail1, z1, (size_t)M * sizeof(double));
        }
    }
    Py_END_ALLOW_THREADS
    for (int k = 0; k < 6; k++)
        PyBuffer_Release(&v[k]);
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    {"biquad_blocks", biquad_blocks, METH_VARARGS, "The block loop of signal.biquad._section_blocked."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "filterkernel", NULL, -1, methods};

PyMODINIT_FUNC PyInit_filterkernel(void) { return PyModule_Create(&module); }
