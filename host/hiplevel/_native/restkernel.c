/* Optional compiled kernel: the moving spread of the rest and quiet masks (`rest_masks._spreads`).
 *
 * spread(x, window, out) -> None: out[i] = sqrt(sum over the three columns c of std_c[i]^2), with
 * std_c the centred moving standard deviation of column c (`filters.moving_std`): window
 * w = max(1, min(window, N)), the window of sample i starting at clip(i - w / 2, 0, N - w), and
 * std = sqrt(max(s2 / w - (s1 / w)^2, 0)) from the running sums s1 (of x) and s2 (of x * x) taken
 * as differences of prefix sums summed in sample order from 0 (numpy's cumsum of [0, x...]).
 * Every product, sum and quotient is rounded on its own as numpy's (built with
 * -ffp-contract=off; a square is a product), so the results are the numpy path's to the bit.
 * x (N,3) float64 C-contiguous, out (N,) float64; window >= 1.
 */
#include "args.h"
#include "vectors.h"
#include <math.h>
#include <stdlib.h>

/* The first sample of the w-sample window centred on sample i (half = w / 2), clipped to [0, n - w]. */
static inline Py_ssize_t window_start(Py_ssize_t i, Py_ssize_t half, Py_ssize_t n, Py_ssize_t w) {
    Py_ssize_t s = i - half;
    if (s > n - w)
        s = n - w;
    return s < 0 ? 0 : s;
}

/* The arguments (x, window, out) of both kernels: x and out as buffers v[0], v[1] (out writable;
 * f64: both of format "d"). Returns 0, or -1 with the exception set. */
static int x_window_out(PyObject *args, int f64, Py_buffer v[2], Py_ssize_t *window) {
    PyObject *o[2];
    if (!PyArg_ParseTuple(args, "OnO", &o[0], window, &o[1]))
        return -1;
    return get_objs(o, 2, 1, f64, v);
}

/* The three columns' running sums c1 (of x) and c2 (of x * x), each summed in sample order from 0
 * (numpy's cumsum of [0, x...]): column col at c + (2 col) (n + 1) and c + (2 col + 1) (n + 1). The
 * columns in one loop: six independent chains of additions, not one after another. */
static void prefix_sums3(Py_ssize_t n, const double *X, double *c) {
    double *c1[3], *c2[3];
    for (int col = 0; col < 3; col++)
        c1[col] = c + (2 * col) * (n + 1), c2[col] = c1[col] + (n + 1), c1[col][0] = 0.0, c2[col][0] = 0.0;
    for (Py_ssize_t i = 0; i < n; i++)
        for (int col = 0; col < 3; col++) {
            double v = X[i * 3 + col];
            double sq = v * v;
            c1[col][i + 1] = c1[col][i] + v;
            c2[col][i + 1] = c2[col][i] + sq;
        }
}

/* One column's std^2 over a window of w samples from its sums s1, s2 (wd = w), as `filters.moving_std`
 * then squared: np.maximum(var, 0.0) as a select (NaN and -0.0 kept). */
static inline double window_sd2(double s1, double s2, double wd) {
    double m1 = s1 / wd;
    double m2 = s2 / wd;
    double m1sq = m1 * m1;
    double var = m2 - m1sq;
    var = var < 0.0 ? 0.0 : var;
    double sd = sqrt(var);
    return sd * sd;
}

/* out[k] for `count` samples whose windows start at s + k (c: `prefix_sums3`, offset to row s): the
 * three columns' std^2 summed in column order, then the square root. Contiguous rows, no branch:
 * vectorised (VECTOR_CLONES; the divisions and square roots several at a time), each element's
 * operations unchanged. */
VECTOR_CLONES VECTORISED
static void spread_rows(Py_ssize_t count, Py_ssize_t n, Py_ssize_t w, const double *restrict c, Py_ssize_t s,
                        double *restrict out) {
    const double wd = (double)w;
    const double *restrict a1 = c + s, *restrict a2 = c + (n + 1) + s, *restrict b1 = c + 2 * (n + 1) + s;
    const double *restrict b2 = c + 3 * (n + 1) + s, *restrict d1 = c + 4 * (n + 1) + s;
    const double *restrict d2 = c + 5 * (n + 1) + s;
    for (Py_ssize_t k = 0; k < count; k++) {
        double t = window_sd2(a1[k + w] - a1[k], a2[k + w] - a2[k], wd);
        t = t + window_sd2(b1[k + w] - b1[k], b2[k + w] - b2[k], wd);
        t = t + window_sd2(d1[k + w] - d1[k], d2[k + w] - d2[k], wd);
        out[k] = sqrt(t);
    }
}

static PyObject *spread(PyObject *self, PyObject *args) {
    Py_buffer v[2];
    Py_ssize_t window;
    (void)self;
    if (x_window_out(args, 0, v, &window) < 0)
        return NULL;
    Py_ssize_t n = v[0].ndim == 2 ? v[0].shape[0] : -1;
    if (n < 0 || v[0].shape[1] != 3 || !is_f64(&v[0], 3 * n) || v[1].ndim != 1 || !is_f64(&v[1], n) || window < 1)
        return bad_args(v, 2, "spread: x (N,3) and out (N,) float64, window >= 1");
    const double *X = v[0].buf;
    double *OUT = v[1].buf;
    Py_ssize_t w = window < n ? window : n;
    if (w < 1)
        w = 1;
    double *c = malloc(sizeof(double) * (size_t)(6 * (n + 1)));
    if (c == NULL) {
        release(v, 2);
        return PyErr_NoMemory();
    }
    Py_ssize_t half = w / 2;
    Py_BEGIN_ALLOW_THREADS
    prefix_sums3(n, X, c);
    /* The windows clipped at the start (i < half: all from sample 0), the centred ones (from i - half)
     * and those clipped at the end (from n - w): `window_start`; the centred ones' starts consecutive
     * (w <= n, so half < n and n - w + half + 1 <= n). */
    Py_ssize_t mid_end = n - w + half + 1;
    for (Py_ssize_t i = 0; i < half; i++)
        spread_rows(1, n, w, c, window_start(i, half, n, w), OUT + i);
    spread_rows(mid_end - half, n, w, c, 0, OUT + half);
    for (Py_ssize_t i = mid_end; i < n; i++)
        spread_rows(1, n, w, c, window_start(i, half, n, w), OUT + i);
    Py_END_ALLOW_THREADS
    free(c);
    release(v, 2);
    Py_RETURN_NONE;
}

/* out[j] = (c[j + w] - c[j]) / w for `count` windows (c offset to the first one's start): the
 * difference and the quotient rounded alone, in a branch-free loop that vectorises (VECTOR_CLONES;
 * several divisions at a time, each one's value unchanged). */
VECTOR_CLONES VECTORISED
static void mean_rows(Py_ssize_t count, Py_ssize_t w, const double *restrict c, double *restrict out) {
    const double wd = (double)w;
    for (Py_ssize_t j = 0; j < count; j++)
        out[j] = (c[j + w] - c[j]) / wd;
}

/* The prefix sums and the windows' scratch of `moving_mean`, kept from call to call (vectors.h). */
static double *mean_scratch;
static size_t mean_scratch_cap;

/* moving_mean(x, window, out) -> None: `filters.moving_mean` along axis 0 of x (N, k): per column,
 * the prefix sums c[0] = 0, c[i+1] = c[i] + x[i] in sample order (numpy's cumsum of [0, x...]),
 * then out[i] = (c[s + w] - c[s]) / w with w = max(1, min(window, N)) and s = clip(i - w / 2, 0,
 * N - w): each sum, difference and quotient rounded alone as numpy's, the results to the bit.
 * The windows clipped at the start and at the end one by one (`window_start`), the centred ones
 * (consecutive starts) by `mean_rows`, into out itself for one column, else into scratch first.
 * x and out (N, k) float64 C-contiguous (k = 1 for a 1-D signal), N >= 1; window >= 1. */
static PyObject *moving_mean(PyObject *self, PyObject *args) {
    Py_buffer v[2];
    Py_ssize_t window;
    (void)self;
    if (x_window_out(args, 1, v, &window) < 0)
        return NULL;
    Py_ssize_t n = v[0].ndim >= 1 ? v[0].shape[0] : -1;
    Py_ssize_t k = v[0].ndim == 1 ? 1 : (v[0].ndim == 2 ? v[0].shape[1] : -1);
    if (n < 1 || k < 1 || v[0].len != n * k * 8 || v[1].len != n * k * 8 || window < 1)
        return bad_args(v, 2, "moving_mean: x and out (N,) or (N, k) float64, N >= 1, window >= 1");
    const double *X = v[0].buf;
    double *OUT = v[1].buf;
    Py_ssize_t w = window < n ? window : n;
    double *c = kept_scratch(&mean_scratch, &mean_scratch_cap, (size_t)(k == 1 ? n + 1 : 2 * n + 1));
    if (c == NULL) {
        release(v, 2);
        return PyErr_NoMemory();
    }
    double *col_out = k == 1 ? OUT : c + (n + 1);
    double wd = (double)w;
    Py_ssize_t half = w / 2;
    Py_ssize_t mid_end = n - w + half + 1; /* w <= n: half < n and mid_end <= n */
    for (Py_ssize_t col = 0; col < k; col++) {
        c[0] = 0.0;
        for (Py_ssize_t i = 0; i < n; i++)
            c[i + 1] = c[i] + X[i * k + col];
        for (Py_ssize_t i = 0; i < half; i++) {
            Py_ssize_t s = window_start(i, half, n, w);
            double d = c[s + w] - c[s];
            col_out[i] = d / wd;
        }
        mean_rows(mid_end - half, w, c, col_out + half);
        for (Py_ssize_t i = mid_end; i < n; i++) {
            Py_ssize_t s = window_start(i, half, n, w);
            double d = c[s + w] - c[s];
            col_out[i] = d / wd;
        }
        if (k > 1)
            for (Py_ssize_t i = 0; i < n; i++)
                OUT[i * k + col] = col_out[i];
    }
    release(v, 2);
    Py_RETURN_NONE;
}

/* running_sum(x, out, start) -> None: numpy's cumsum along the last axis (`filters.running_sums`):
 * per row c = x[0] (or start + x[0] when start is a float: np.cumsum(np.r_[start, x])[1:]), then
 * c = c + x[i] in sample order, each sum rounded alone, into the last n columns of out's row: the
 * results to the bit. x (n,) or (r, n) float64 C-contiguous; out (m,) or (r, m), m >= n, the same. */
static PyObject *running_sum(PyObject *self, PyObject *args) {
    (void)self;
    PyObject *o[2], *start_o;
    if (!PyArg_ParseTuple(args, "OOO", &o[0], &o[1], &start_o))
        return NULL;
    int has_start = start_o != Py_None;
    double start = has_start ? PyFloat_AsDouble(start_o) : 0.0;
    if (has_start && start == -1.0 && PyErr_Occurred())
        return NULL;
    Py_buffer v[2];
    if (get_objs(o, 2, 1, 1, v) < 0)
        return NULL;
    int nd = v[0].ndim;
    Py_ssize_t rows = nd == 2 ? v[0].shape[0] : 1, n = nd >= 1 ? v[0].shape[nd - 1] : -1;
    Py_ssize_t m = v[1].ndim == nd && nd >= 1 ? v[1].shape[nd - 1] : -1;
    if ((nd != 1 && nd != 2) || m < n || (nd == 2 && v[1].shape[0] != rows))
        return bad_args(v, 2, "running_sum: x (n,) or (r, n) float64, out (m,) or (r, m) float64 with m >= n, "
                              "start None or a float");
    const double *X = v[0].buf;
    double *OUT = v[1].buf;
    for (Py_ssize_t r = 0; r < rows && n > 0; r++) {
        const double *a = X + r * n;
        double *b = OUT + r * m + (m - n);
        double c = has_start ? start + a[0] : a[0];
        b[0] = c;
        for (Py_ssize_t i = 1; i < n; i++)
            c = c + a[i], b[i] = c;
    }
    release(v, 2);
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    {"moving_mean", moving_mean, METH_VARARGS, "moving_mean(x, window, out): filters.moving_mean (see the source)"},
    {"running_sum", running_sum, METH_VARARGS, "running_sum(x, out, start): filters.running_sums (see the source)"},
    {"spread", spread, METH_VARARGS, "spread(x, window, out): the three columns' moving spread (see the source)"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "hiplevel._native.restkernel", NULL, -1, methods};

PyMODINIT_FUNC PyInit_restkernel(void) { return PyModule_Create(&module); }
