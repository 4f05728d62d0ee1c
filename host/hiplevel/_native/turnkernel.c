/* Optional compiled kernel: the turn fit's gyro-only segment products (`scan.segment_products`,
 * `scan.segment_window_means`), step by step (the numpy path's blocked scan associates the products
 * otherwise: within a few units in the last place). Built with -ffp-contract=off.
 */
#include "args.h"
#include "rotation.h"
#include <string.h>

/* Loops along independent elements (a product's columns, a window's sums) vectorised (SSE2): each
 * element's operations and their order unchanged, so the same bits in fewer instructions. */
#pragma GCC optimize("tree-vectorize", "vect-cost-model=dynamic")

/* segment_steps(w, dt, first, out[, bounds, refs]) -> None: `scan.segment_products` step by step:
 * per sample the Rodrigues matrix R_i of w (n,3) rad/s over dt s (theta = |w| dt, its cosine and
 * -sine by `sin_cos`: within an ulp of numpy's) and the product
 * P_i = R_i P_(i-1) from the identity, restarting at P_i = R_i where first[i] (n,) 1 byte: out
 * (n,3,3). The numpy path's blocked scan forms the same products associated otherwise (each block's
 * own products, then the chain of block starts): the values agree within a few units in the last
 * place. With bounds and refs (`scan.segment_window_means`): instead of the products, each
 * segment's mean product over its first head and its last tail samples, from the running sums in
 * sample order (numpy's cumsum after a zero row), out (k,2,3,3). */
static PyObject *segment_steps(PyObject *self, PyObject *args) {
    (void)self;
    double dt;
    PyObject *o[5] = {NULL, NULL, NULL, Py_None, Py_None};
    if (!PyArg_ParseTuple(args, "OdOO|OO", &o[0], &dt, &o[1], &o[2], &o[3], &o[4]))
        return NULL;
    int windows = o[3] != Py_None && o[4] != Py_None, nv = windows ? 5 : 3;
    Py_buffer v[5];
    for (int i = 0; i < nv; i++)
        if (get(o[i], &v[i], i == 2) < 0) {
            release(v, i);
            return NULL;
        }
    Py_ssize_t n = v[0].ndim == 2 ? v[0].shape[0] : -1, ns = 0;
    int bad = n < 0 || !is_f64(&v[0], 3 * n) || v[1].itemsize != 1 || v[1].len != n;
    if (!bad && windows) {
        /* bounds (k+1,) int64: the segments laid end to end, 0 .. n; refs (k,2) int64: each
         * segment's head and tail windows, >= 1 each, together at most its length */
        ns = v[3].ndim == 1 ? v[3].shape[0] - 1 : -1;
        bad = ns < 1 || v[3].itemsize != 8 || v[4].itemsize != 8 || v[4].len != 16 * ns || !is_f64(&v[2], 18 * ns);
        const long long *bd = v[3].buf, *rf = v[4].buf;
        for (Py_ssize_t k = 0; k < ns && !bad; k++)
            bad = bd[k + 1] < bd[k] || rf[2 * k] < 1 || rf[2 * k + 1] < 1 ||
                  rf[2 * k] + rf[2 * k + 1] > bd[k + 1] - bd[k];
        bad = bad || bd[0] != 0 || bd[ns] != n;
    } else if (!bad) {
        bad = !is_f64(&v[2], 9 * n);
    }
    if (bad)
        return bad_args(v, nv, "segment_steps: w (n,3) float64, dt, first (n,) 1 byte, out (n,3,3) float64; or "
                               "bounds (k+1,) int64 0..n, refs (k,2) int64 >= 1 within each, out (k,2,3,3)");
    const double *W = v[0].buf;
    const unsigned char *F = v[1].buf;
    double *OUT = v[2].buf;
    /* windows: the running sums c (c[0] = 0, c[1] = P_0, c[i+1] = c[i] + P_i: numpy's cumsum after a
     * zero row) at each segment's s, s + head, s + n - tail and s + n */
    const long long *bd = windows ? v[3].buf : NULL, *rf = windows ? v[4].buf : NULL;
    double *snap = NULL, cur[9] = {0, 0, 0, 0, 0, 0, 0, 0, 0};
    Py_ssize_t need = 0;
    if (windows && (snap = PyMem_Malloc(sizeof(double) * 9 * 4 * ns)) == NULL) {
        release(v, nv);
        return PyErr_NoMemory();
    }
#define SNAP_AT(k4) ((k4) % 4 == 0 ? bd[(k4) / 4] : (k4) % 4 == 1 ? bd[(k4) / 4] + rf[(k4) / 4 * 2] \
                    : (k4) % 4 == 2 ? bd[(k4) / 4 + 1] - rf[(k4) / 4 * 2 + 1] : bd[(k4) / 4 + 1])
    /* the next running sum to keep is taken before sample snap_at (-1: none left) */
    Py_ssize_t snap_at = windows ? SNAP_AT(0) : -1;
    double p[9] = {1, 0, 0, 0, 1, 0, 0, 0, 1}, R[9];
    for (Py_ssize_t i = 0; i < n; i++) {
        const double *w = W + 3 * i;
        double th = sqrt(w[0] * w[0] + w[1] * w[1] + w[2] * w[2]) * dt, sn, cs;
        sin_cos(th, &sn, &cs);
        rodrigues(w, cs, -sn, R);
        double *o = windows ? p : OUT + 9 * i;
        if (F[i]) {
            for (int e = 0; e < 9; e++)
                o[e] = R[e];
        } else {
            double prev[9];
            for (int e = 0; e < 9; e++)
                prev[e] = p[e];
            mat3(R, prev, 3, o);
        }
        if (!windows) {
            for (int e = 0; e < 9; e++)
                p[e] = o[e];
            continue;
        }
        for (; i == snap_at; snap_at = ++need < 4 * ns ? SNAP_AT(need) : -1)
            memcpy(snap + 9 * need, cur, sizeof cur);
        for (int e = 0; e < 9; e++)
            cur[e] = cur[e] + p[e];
    }
    if (windows) {
        for (; need < 4 * ns; need++) /* c[n] */
            memcpy(snap + 9 * need, cur, sizeof cur);
        for (Py_ssize_t k = 0; k < ns; k++)
            for (int e = 0; e < 9; e++) {
                const double *sk = snap + 36 * k, h = (double)rf[2 * k], t = (double)rf[2 * k + 1];
                double head = sk[9 + e] - sk[e], tail = sk[27 + e] - sk[18 + e];
                OUT[18 * k + e] = head / h, OUT[18 * k + 9 + e] = tail / t;
            }
        PyMem_Free(snap);
    }
#undef SNAP_AT
    release(v, nv);
    Py_RETURN_NONE;
}

/* sin_cos(x, s, c) -> None: `sin_cos` of each x (n,) into s, c (n,) float64 (for the tests: the
 * small-angle polynomials against the C library's sin and cos). */
static PyObject *sin_cos_py(PyObject *self, PyObject *args) {
    (void)self;
    Py_buffer v[3];
    if (get_args(args, 3, 1, v) < 0)
        return NULL;
    Py_ssize_t n = v[0].len / 8;
    if (!is_f64(&v[0], n) || !is_f64(&v[1], n) || !is_f64(&v[2], n))
        return bad_args(v, 3, "sin_cos: x, s, c (n,) float64");
    const double *X = v[0].buf;
    double *S = v[1].buf, *C = v[2].buf;
    for (Py_ssize_t i = 0; i < n; i++)
        sin_cos(X[i], S + i, C + i);
    release(v, 3);
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    {"sin_cos", sin_cos_py, METH_VARARGS, "sin_cos(x, s, c): the kernels' sine and cosine (see the source)"},
    {"segment_steps", segment_steps, METH_VARARGS, "segment_steps(w, dt, first, out[, bounds, refs]) (see the source)"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "hiplevel._native.turnkernel", NULL, -1, methods};

PyMODINIT_FUNC PyInit_turnkernel(void) { return PyModule_Create(&module); }
