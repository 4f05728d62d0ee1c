/* Optional compiled kernel: how the stride-averaged tilt moves around a walking bout's contacts
 * (`walking_posture_change.tilt_moves_deg`, its column path).
 *
 * tilt_moves(up, k, side, stride, before, after) -> None: for each contact j (sample k[j] of the
 * bout's stretch up (n,3)) and each offset o of -side and +side (side[0] = 0: the contact's own),
 * the tilt t(o) at sample at = clip(k[j] + o, 0, n - 1): the up-vectors' mean over the window of
 * `stride` samples starting at clip(at - stride / 2, 0, n - stride), as the difference of the
 * columns' prefix sums (numpy's cumsum from 0, each sum rounded alone in sample order), normalised
 * by max(sqrt((x0^2 + x1^2) + x2^2), 1e-12); the cosine ((t0 c0 + t2 c2) + t1 c1) + 0.0 with the
 * contact's own tilt c = t(0); before[j] / after[j] the least cosine over -side / +side (NaN when
 * any is NaN, as np.min). Every operation rounded on its own as numpy's (built with
 * -ffp-contract=off), so the results are the numpy path's to the bit.
 * up (n,3) float64 C-contiguous, n >= 1; k (L,), side (S,) int64, S >= 1; 1 <= stride <= n;
 * before, after (L,) float64 out.
 */
#include "args.h"
#include <math.h>
#include <stdlib.h>

/* The prefix sums of up's three columns, each n + 1 long from 0.0 (c[col][i + 1] = c[col][i] + x,
 * the first as x itself: numpy's cumsum, which keeps a -0.0). */
static void column_sums(Py_ssize_t n, const double *up, double *c0, double *c1, double *c2) {
    c0[0] = c1[0] = c2[0] = 0.0;
    c0[1] = up[0], c1[1] = up[1], c2[1] = up[2];
    for (Py_ssize_t i = 1; i < n; i++) {
        c0[i + 1] = c0[i] + up[3 * i];
        c1[i + 1] = c1[i] + up[3 * i + 1];
        c2[i + 1] = c2[i] + up[3 * i + 2];
    }
}

typedef struct {
    const double *c0, *c1, *c2;
    Py_ssize_t n, stride;
} Sums;

/* The normalised window mean at sample `at` (any integer: clipped to the series), into t. */
static inline void tilt_at(const Sums *s, long long at, double *t) {
    Py_ssize_t a = at < 0 ? 0 : at > s->n - 1 ? s->n - 1 : (Py_ssize_t)at;
    Py_ssize_t start = a - s->stride / 2;
    start = start < 0 ? 0 : start;
    start = start > s->n - s->stride ? s->n - s->stride : start;
    const Py_ssize_t end = start + s->stride;
    double m0 = s->c0[end] - s->c0[start], m1 = s->c1[end] - s->c1[start], m2 = s->c2[end] - s->c2[start];
    double q0 = m0 * m0, q1 = m1 * m1, q2 = m2 * m2;
    double sum = q0 + q1;
    sum = sum + q2;
    double norm = sqrt(sum);
    norm = norm < 1e-12 ? 1e-12 : norm; /* np.maximum(norm, 1e-12): a NaN stays */
    t[0] = m0 / norm, t[1] = m1 / norm, t[2] = m2 / norm;
}

/* The cosine between tilt t and the contact's own c, summed as the numpy path's += and + 0.0. */
static inline double cosine(const double *t, const double *c) {
    double cos = t[0] * c[0];
    double p2 = t[2] * c[2];
    cos = cos + p2;
    double p1 = t[1] * c[1];
    cos = cos + p1;
    return cos + 0.0;
}

/* The least of m and x as np.min takes it: a NaN, once met, is the result. */
static inline double least(double m, double x) { return m != m ? m : (x < m || x != x) ? x : m; }

/* An int64 buffer (numpy's "l" on LP64 systems, else "q") of n elements, n its length in items. */
static inline int is_i64(const Py_buffer *v) {
    return v->itemsize == 8 && v->format != NULL && (strcmp(v->format, "l") == 0 || strcmp(v->format, "q") == 0);
}

static PyObject *tilt_moves(PyObject *self, PyObject *args) {
    (void)self;
    PyObject *o[5];
    Py_ssize_t stride;
    if (!PyArg_ParseTuple(args, "OOOnOO", &o[0], &o[1], &o[2], &stride, &o[3], &o[4]))
        return NULL;
    Py_buffer v[5];
    if (get_objs(o, 5, 3, 0, v) < 0)
        return NULL;
    const Py_ssize_t n = v[0].ndim == 2 ? v[0].shape[0] : -1, L = v[1].len / 8, S = v[2].len / 8;
    if (n < 1 || !is_f64(&v[0], 3 * n) || !is_i64(&v[1]) || !is_i64(&v[2]) || S < 1 || stride < 1 || stride > n ||
        !is_f64(&v[3], L) || !is_f64(&v[4], L))
        return bad_args(v, 5, "tilt_moves: up (n,3) float64, n >= 1; k (L,), side (S,) int64, S >= 1; "
                              "1 <= stride <= n; before, after (L,) float64");
    double *c = PyMem_Malloc(sizeof(double) * 3 * (size_t)(n + 1));
    if (c == NULL) {
        release(v, 5);
        return PyErr_NoMemory();
    }
    Sums s = {c, c + (n + 1), c + 2 * (n + 1), n, stride};
    column_sums(n, v[0].buf, c, c + (n + 1), c + 2 * (n + 1));
    const long long *k = v[1].buf, *side = v[2].buf;
    double *before = v[3].buf, *after = v[4].buf;
    for (Py_ssize_t j = 0; j < L; j++) {
        double own[3], t[3];
        tilt_at(&s, k[j] - side[0], own); /* offsets[0] = -side[0] (0: the contact's own) */
        double lo = 0.0, hi = 0.0;
        for (Py_ssize_t q = 0; q < S; q++) {
            tilt_at(&s, k[j] - side[q], t);
            double x = cosine(t, own);
            lo = q == 0 ? x : least(lo, x);
        }
        for (Py_ssize_t q = 0; q < S; q++) {
            tilt_at(&s, k[j] + side[q], t);
            double x = cosine(t, own);
            hi = q == 0 ? x : least(hi, x);
        }
        before[j] = lo, after[j] = hi;
    }
    PyMem_Free(c);
    release(v, 5);
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    {"tilt_moves", tilt_moves, METH_VARARGS, "tilt_moves(up, k, side, stride, before, after): see the source"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "hiplevel._native.tiltkernel", NULL, -1, methods};

PyMODINIT_FUNC PyInit_tiltkernel(void) { return PyModule_Create(&module); }
