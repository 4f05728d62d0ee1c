/* Optional compiled kernel: the turn fit's gyro-only segment products (`scan.segment_products`,
 * `scan.segment_window_means`). Built with -ffp-contract=off and summing in numpy's order, so the
 * results are the numpy path's to the bit.
 */
#include "args.h"
#include "rotation.h"
#include <string.h>

/* Loops along independent elements (a product's columns, a window's sums) vectorised (SSE2): each
 * element's operations and their order unchanged, so the same bits in fewer instructions. */
#pragma GCC optimize("tree-vectorize", "vect-cost-model=dynamic")

/* segment_rot(w, c, s, first, out[, bounds, refs]) -> None: `scan.segment_products` after its angles: the
 * per-sample Rodrigues matrices R_i (w (n,3) rad/s, numpy's c = cos(theta), s = -sin(theta) of
 * `angles`, (64, nb)), the products c_j = R_j c_(j-1) within each block of 64 restarting where
 * first[i] (n,) 1 byte, the chain of block starts from the identity (a block where a segment
 * started hands on its own last product), and each sample from its block's start state (or its
 * own product when a segment started in the block before it): out (n,3,3). Each product and sum
 * as the numpy path's `chain`, `states` and `combine`, in their order: the same bits. With bounds
 * and refs (`scan.segment_window_means`): instead of the products, each segment's mean product over
 * its first head and its last tail samples, from the running sums as numpy's cumsum takes them, out
 * (k,2,3,3). */
static PyObject *segment_rot(PyObject *self, PyObject *args) {
    (void)self;
    PyObject *o[7] = {NULL, NULL, NULL, NULL, NULL, Py_None, Py_None};
    if (!PyArg_ParseTuple(args, "OOOOO|OO", &o[0], &o[1], &o[2], &o[3], &o[4], &o[5], &o[6]))
        return NULL;
    int windows = o[5] != Py_None && o[6] != Py_None, nv = windows ? 7 : 5;
    Py_buffer v[7];
    for (int i = 0; i < nv; i++)
        if (get(o[i], &v[i], i == 4) < 0) {
            release(v, i);
            return NULL;
        }
    Py_ssize_t n = v[0].ndim == 2 ? v[0].shape[0] : -1, nb = n > 0 ? (n + FB - 1) / FB : 1, ns = 0;
    int bad = n < 0 || !is_f64(&v[0], 3 * n) || !is_f64(&v[1], FB * nb) || !is_f64(&v[2], FB * nb) ||
              v[3].itemsize != 1 || v[3].len != n;
    if (!bad && windows) {
        /* bounds (k+1,) int64: the segments laid end to end, 0 .. n; refs (k,2) int64: each
         * segment's head and tail windows, >= 1 each, together at most its length */
        ns = v[5].ndim == 1 ? v[5].shape[0] - 1 : -1;
        bad = ns < 1 || v[5].itemsize != 8 || v[6].itemsize != 8 || v[6].len != 16 * ns || !is_f64(&v[4], 18 * ns);
        const long long *bd = v[5].buf, *rf = v[6].buf;
        for (Py_ssize_t k = 0; k < ns && !bad; k++)
            bad = bd[k + 1] < bd[k] || rf[2 * k] < 1 || rf[2 * k + 1] < 1 ||
                  rf[2 * k] + rf[2 * k + 1] > bd[k + 1] - bd[k];
        bad = bad || bd[0] != 0 || bd[ns] != n;
    } else if (!bad) {
        bad = !is_f64(&v[4], 9 * n);
    }
    if (bad)
        return bad_args(v, nv, "segment_rot: w (n,3), c, s (64,nb), first (n,) 1 byte, out (n,3,3) float64; or "
                               "bounds (k+1,) int64 0..n, refs (k,2) int64 >= 1 within each, out (k,2,3,3)");
    const double *W = v[0].buf, *C = v[1].buf, *S = v[2].buf;
    const unsigned char *F = v[3].buf;
    double *OUT = v[4].buf;
    /* windows: the running sums c (c[0] = 0, c[1] = P_0, c[i+1] = c[i] + P_i: numpy's cumsum after a
     * zero row) at each segment's s, s + head, s + n - tail and s + n */
    const long long *bd = windows ? v[5].buf : NULL, *rf = windows ? v[6].buf : NULL;
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
    double x[9] = {1, 0, 0, 0, 1, 0, 0, 0, 1};
    double R[9], CC[FB * 9];
    unsigned char started[FB];
    static const double zero3[3] = {0.0, 0.0, 0.0};
    for (Py_ssize_t q = 0; q < nb; q++) {
        for (int j = 0; j < FB; j++) {
            Py_ssize_t i = q * FB + j;
            int f = i < n && F[i];
            rodrigues(i < n ? W + 3 * i : zero3, C[j * nb + q], S[j * nb + q], R);
            if (j == 0 || f) {
                for (int e = 0; e < 9; e++)
                    CC[j * 9 + e] = R[e];
            } else {
                mat3(R, CC + (j - 1) * 9, 3, CC + j * 9);
            }
            started[j] = (unsigned char)(f || (j > 0 && started[j - 1]));
        }
        for (int j = 0; j < FB; j++) {
            Py_ssize_t i = q * FB + j;
            if (i >= n)
                break;
            double pj[9], *o = windows ? pj : OUT + 9 * i;
            if (started[j]) {
                for (int e = 0; e < 9; e++)
                    o[e] = CC[j * 9 + e];
            } else {
                mat3(CC + j * 9, x, 3, o);
            }
            if (windows) {
                for (; i == snap_at; snap_at = ++need < 4 * ns ? SNAP_AT(need) : -1)
                    memcpy(snap + 9 * need, cur, sizeof cur);
                if (i == 0)
                    memcpy(cur, pj, sizeof cur);
                else
                    for (int e = 0; e < 9; e++)
                        cur[e] = cur[e] + pj[e];
            }
        }
        double lt[9], lv[9];
        const double *last = CC + (FB - 1) * 9;
        for (int e = 0; e < 9; e++) {
            lt[e] = started[FB - 1] ? 0.0 : last[e];
            lv[e] = started[FB - 1] ? last[e] : 0.0;
        }
        chain_step(lt, lv, 3, x);
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

static PyMethodDef methods[] = {
    {"segment_rot", segment_rot, METH_VARARGS, "segment_rot(w, c, s, first, out[, bounds, ref]) (see the source)"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "hiplevel._native.turnkernel", NULL, -1, methods};

PyMODINIT_FUNC PyInit_turnkernel(void) { return PyModule_Create(&module); }
