/* Optional compiled kernel: round(x, places) for the many scalars of an analysis' reps.
 *
 * round_places(x, places) -> the same object as round(x, places), to the bit.
 *
 * Python's float.__round__ finds the decimal digits with its correctly rounded dtoa and reads them
 * back with strtod: about 3,000 instructions a call, some 30,000 calls for the reps of an hour of
 * walking. Here a finite float x and 0 <= places <= 15 with |x 10^places| < 2^52 is rounded as
 * y = x * 10^places (one rounding: within half an ulp of the exact product), the nearest integer m
 * of y (ties to even, the default rounding mode) and m / 10^places (both exact doubles: one
 * correctly rounded division, the double nearest to the decimal m 10^-places, which is what
 * strtod returns). m is the integer nearest the exact product whenever y lies farther than a few
 * ulps from a half-integer; nearer (a tie, or too close to tell) and every other case (not an exact
 * float, other places, NaN, infinities, huge values) go to the builtin round itself.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>

/* Exact powers of ten. */
static const double POW10[16] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};
static const double TWO_52 = 4503599627370496.0;
static const double TIE_MARGIN = 8.8817841970012523e-16; /* 2^-50: 8 ulps of y, relative */

static PyObject *builtin_round; /* builtins.round: every case the fast path does not take */

static PyObject *fallback(PyObject *x, PyObject *places) {
    return PyObject_CallFunctionObjArgs(builtin_round, x, places, NULL);
}

static PyObject *round_places(PyObject *self, PyObject *const *args, Py_ssize_t nargs) {
    (void)self;
    if (nargs != 2) {
        PyErr_SetString(PyExc_TypeError, "round_places(x, places) takes 2 arguments");
        return NULL;
    }
    PyObject *xo = args[0], *po = args[1];
    if (!PyFloat_CheckExact(xo) || !PyLong_CheckExact(po))
        return fallback(xo, po);
    int overflow = 0;
    long n = PyLong_AsLongAndOverflow(po, &overflow);
    if (overflow || n < 0 || n > 15)
        return fallback(xo, po);
    double x = PyFloat_AS_DOUBLE(xo);
    double p = POW10[n];
    double y = x * p;
    if (!(fabs(y) < TWO_52))
        return fallback(xo, po);
    double frac = y - floor(y); /* exact: y and floor(y) are within 1 of each other */
    if (fabs(frac - 0.5) <= fabs(y) * TIE_MARGIN + 1e-300)
        return fallback(xo, po);
    return PyFloat_FromDouble(nearbyint(y) / p);
}

static PyMethodDef methods[] = {
    {"round_places", (PyCFunction)(void (*)(void))round_places, METH_FASTCALL,
     "round_places(x, places) -> round(x, places), the same object to the bit (see the source)"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "hiplevel._native.roundkernel", NULL, -1, methods};

PyMODINIT_FUNC PyInit_roundkernel(void) {
    PyObject *builtins = PyImport_ImportModule("builtins");
    if (builtins == NULL)
        return NULL;
    builtin_round = PyObject_GetAttrString(builtins, "round");
    Py_DECREF(builtins);
    if (builtin_round == NULL)
        return NULL;
    return PyModule_Create(&module);
}
