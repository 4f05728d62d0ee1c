/* Optional compiled kernel of the recursive filters: the block loop of the blocked biquad
 * (`signal.biquad._section_blocked`) and the forward-backward pass of the walking stance-side
 * chain (`exercises.walking_side.StanceSideDecider.decide`).
 *
 * biquad_blocks(xs, y, z0, z1, tail0, tail1, b0, b1, b2, a1, a2, r) -> None:
 *   for j = 0 .. L-1, every column i (a block of a signal column, from a zero state):
 *     y[j,i] = b0*x + z0;  t = b1*x - a1*y + z1;  z1 = b2*x - a2*y;  z0 = t
 *   and tail0/tail1 = z0/z1 after step j = r-1.
 * xs and y (L, M), z0, z1, tail0, tail1 (M,) float64, C-contiguous; z0 and z1 hold the start
 * states (zeros) and end with the final ones. Every product and sum is rounded on its own, in
 * the numpy loop's order (built with -ffp-contract=off): the results are that loop's to the bit.
 *
 * forward_backward(em, repeat, fwd, bwd) -> None: the two log-space recursions of `decide` on
 *   em (n, 2) (log emissions of left and right), repeat (n-1,) (probability that step k+1 repeats
 *   step k's foot), into fwd (n, 2) (row 0 given) and bwd (n, 2) (row n-1 given); the same
 *   operations as the Python loop on floats, with the C library's log and exp (Python's math.log
 *   and math.exp call them): the results to the bit.
 */
#include "args.h"
#include <math.h>
#include <string.h>

static PyObject *biquad_blocks(PyObject *self, PyObject *args) {
    PyObject *o[6];
    double b0, b1, b2, a1, a2;
    Py_ssize_t r;
    (void)self;
    if (!PyArg_ParseTuple(args, "OOOOOOdddddn", &o[0], &o[1], &o[2], &o[3], &o[4], &o[5], &b0, &b1, &b2, &a1, &a2,
                          &r))
        return NULL;
    Py_buffer v[6];
    if (get_objs(o, 6, 1, 1, v) < 0)
        return NULL;
    Py_ssize_t L = v[0].ndim == 2 ? v[0].shape[0] : -1, M = v[0].ndim == 2 ? v[0].shape[1] : -1;
    int bad = L < 1 || v[1].ndim != 2 || v[1].shape[0] != L || v[1].shape[1] != M || r < 1 || r > L;
    for (int i = 2; i < 6 && !bad; i++)
        bad = v[i].ndim != 1 || v[i].shape[0] != M;
    if (bad)
        return bad_args(v, 6, "biquad_blocks: xs, y (L, M); z0, z1, tail0, tail1 (M,); 1 <= r <= L");
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
    release(v, 6);
    Py_RETURN_NONE;
}

/* log(exp(a) + exp(b)), as walking_side._lse. */
static double lse(double a, double b) {
    double m = a > b ? a : b;
    double ea = exp(a - m), eb = exp(b - m);
    return m + log(ea + eb);
}

/* (log P(same foot), log P(other foot)), as walking_side._log_trans_pair. */
static void trans_pair(double repeat, double *same, double *other) {
    double r = repeat, lo = 1e-9, hi = 1.0 - 1e-9;
    if (lo > r)
        r = lo;
    if (hi < r)
        r = hi;
    *same = log(r);
    *other = log(1.0 - r);
}

static PyObject *forward_backward(PyObject *self, PyObject *args) {
    PyObject *o[4];
    (void)self;
    if (!PyArg_ParseTuple(args, "OOOO", &o[0], &o[1], &o[2], &o[3]))
        return NULL;
    Py_buffer v[4];
    if (get_objs(o, 4, 2, 1, v) < 0)
        return NULL;
    Py_ssize_t n = v[0].ndim == 2 ? v[0].shape[0] : -1;
    int bad = n < 1 || v[0].shape[1] != 2 || v[1].ndim != 1 || v[1].shape[0] != n - 1;
    for (int i = 2; i < 4 && !bad; i++)
        bad = v[i].ndim != 2 || v[i].shape[0] != n || v[i].shape[1] != 2;
    if (bad)
        return bad_args(v, 4, "forward_backward: em (n, 2), repeat (n-1,), fwd and bwd (n, 2)");
    const double *em = (const double *)v[0].buf, *rep = (const double *)v[1].buf;
    double *fwd = (double *)v[2].buf, *bwd = (double *)v[3].buf;
    double same, other;
    double f0 = fwd[0], f1 = fwd[1];
    for (Py_ssize_t k = 1; k < n; k++) {
        trans_pair(rep[k - 1], &same, &other);
        double g0 = em[2 * k] + lse(f0 + same, f1 + other);
        double g1 = em[2 * k + 1] + lse(f0 + other, f1 + same);
        double norm = lse(g0, g1);
        f0 = g0 - norm;
        f1 = g1 - norm;
        fwd[2 * k] = f0;
        fwd[2 * k + 1] = f1;
    }
    double b0 = bwd[2 * (n - 1)], b1 = bwd[2 * (n - 1) + 1];
    for (Py_ssize_t k = n - 2; k >= 0; k--) {
        trans_pair(rep[k], &same, &other);
        double x0 = em[2 * (k + 1)] + b0, x1 = em[2 * (k + 1) + 1] + b1;
        double c0 = lse(same + x0, other + x1), c1 = lse(other + x0, same + x1);
        double norm = lse(c0, c1);
        b0 = c0 - norm;
        b1 = c1 - norm;
        bwd[2 * k] = b0;
        bwd[2 * k + 1] = b1;
    }
    release(v, 4);
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    {"biquad_blocks", biquad_blocks, METH_VARARGS, "The block loop of signal.biquad._section_blocked."},
    {"forward_backward", forward_backward, METH_VARARGS, "The recursions of walking_side.StanceSideDecider.decide."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "filterkernel", NULL, -1, methods};

PyMODINIT_FUNC PyInit_filterkernel(void) { return PyModule_Create(&module); }
