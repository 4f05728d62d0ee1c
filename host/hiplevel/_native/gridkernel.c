/* Optional compiled kernel: the grid's linear interpolation (`signal.grid.GridBuilder._resample`).
 *
 * interp_columns(x, xp, fp, out) -> None: out[:, c] = numpy.interp(x, xp, fp[:, c]) for every
 * column c of fp, each value as numpy's `interp` (numpy/_core/src/multiarray/compiled_base.c,
 * arr_interp) makes it: the same search for each x (its binary search with a guess, started at 0
 * and carried from one x to the next, so the same index even where xp is not sorted), x at or
 * beyond the ends taking fp's first / last value, an exact hit on xp its fp value, otherwise
 * slope * (x - xp[j]) + fp[j] with slope = (fp[j+1] - fp[j]) / (xp[j+1] - xp[j]) (tried from
 * the other end when NaN), a NaN x kept; every operation rounded alone (-ffp-contract=off), so
 * the results are numpy's to the bit. One search serves all the columns.
 * x (n,), xp (m,) with m >= 2, fp and out (m, k) / (n, k): float64, C-contiguous.
 *
 * corrected_sensor(acc, gyro, lo, centres, means, leak, acc_bias, mode, acc_out, gyro_out) -> None:
 * `signal.sensor_correction`'s numpy paths in one pass over the rows (they made up to ten (N,3)
 * temporaries): the gyro bias at samples lo + i as `rest_bias.bias_between_runs` interpolates it
 * (numpy's interp of each column between the runs' centres: the same search, carried from one row
 * to the next, and the same arithmetic; m = 0 runs: a zero bias, m = 1: its bias everywhere);
 * u = gyro - bias and c = u with c[k] = u[k] - u[2] * leak[k] for k < 2 (`TurnErrors.correct_gyro`);
 * gyro_out = u (mode 0), gyro - (bias - (c - u)) (mode 1: the leak taken out as the fusion saw it,
 * `LongTrace.sensor`), c (mode 2: the second fusion's input); acc_out = acc - acc_bias. Each
 * operation rounded alone, in numpy's order: the same bits. An acc_out of no rows: no acc_out.
 * acc, gyro, acc_out, gyro_out (n, 3); centres (m,); means (m, 3); leak (2,); acc_bias (3,).
 */
#include "args.h"
#include "vectors.h"
#include <math.h>

#define LIKELY_IN_CACHE_SIZE 8

/* numpy's binary_search_with_guess, verbatim in effect. */
static Py_ssize_t search(const double key, const double *arr, Py_ssize_t len, Py_ssize_t guess) {
    Py_ssize_t imin = 0, imax = len;
    if (key > arr[len - 1])
        return len;
    else if (key < arr[0])
        return -1;
    if (len <= 4) {
        Py_ssize_t i;
        for (i = 1; i < len && key >= arr[i]; ++i)
            ;
        return i - 1;
    }
    if (guess > len - 3)
        guess = len - 3;
    if (guess < 1)
        guess = 1;
    if (key < arr[guess]) {
        if (key < arr[guess - 1]) {
            imax = guess - 1;
            if (guess > LIKELY_IN_CACHE_SIZE && key >= arr[guess - LIKELY_IN_CACHE_SIZE])
                imin = guess - LIKELY_IN_CACHE_SIZE;
        } else {
            return guess - 1;
        }
    } else {
        if (key < arr[guess + 1]) {
            return guess;
        } else {
            if (key < arr[guess + 2]) {
                return guess + 1;
            } else {
                imin = guess + 2;
                if (guess < len - LIKELY_IN_CACHE_SIZE - 1 && key < arr[guess + LIKELY_IN_CACHE_SIZE])
                    imax = guess + LIKELY_IN_CACHE_SIZE;
            }
        }
    }
    while (imin < imax) {
        const Py_ssize_t imid = imin + ((imax - imin) >> 1);
        if (key >= arr[imid])
            imin = imid + 1;
        else
            imax = imid;
    }
    return imin - 1;
}

enum { ROW_MAX = 8 }; /* columns interpolated as one row (`interp_rows`) */

/* Rows [0, n) of `interp_columns` for k columns (a constant where inlined: k = 6, the grid's IMU
 * rows, and k = 3 unrolled; other k column by column). The search carried from row to row as numpy's;
 * with xp sorted, a row in the previous row's interval or the next one takes it without the search
 * (the search returns that interval: the only j with xp[j] <= x < xp[j + 1]). A row's k values
 * computed side by side (they vectorise), numpy's retry from the other end for those that are NaN. */
static inline __attribute__((always_inline)) void interp_rows(const Py_ssize_t k, Py_ssize_t n, const double *X,
                                                              const double *XP, const double *FP, Py_ssize_t m,
                                                              const int sorted, double *OUT) {
    Py_ssize_t j = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        const double x = X[i];
        double *o = OUT + i * k;
        if (isnan(x)) {
            for (Py_ssize_t c = 0; c < k; c++)
                o[c] = x;
            continue;
        }
        if (sorted && j >= 0 && j < m - 1 && XP[j] <= x) {
            if (x < XP[j + 1])
                ; /* the same interval */
            else if (j < m - 2 && x < XP[j + 2])
                j = j + 1; /* the next one (xp[j + 1] <= x) */
            else
                j = search(x, XP, m, j);
        } else {
            j = search(x, XP, m, j);
        }
        if (j == -1) {
            for (Py_ssize_t c = 0; c < k; c++)
                o[c] = FP[c];
        } else if (j == m) {
            for (Py_ssize_t c = 0; c < k; c++)
                o[c] = FP[(m - 1) * k + c];
        } else if (j == m - 1 || XP[j] == x) {
            for (Py_ssize_t c = 0; c < k; c++)
                o[c] = FP[j * k + c];
        } else {
            const double dx = XP[j + 1] - XP[j], lo = x - XP[j], hi = x - XP[j + 1];
            const double *f0 = FP + j * k, *f1 = f0 + k;
            if (k <= ROW_MAX) {
                double r[ROW_MAX], any = 0.0;
                for (Py_ssize_t c = 0; c < k; c++) {
                    const double dy = f1[c] - f0[c];
                    const double slope = dy / dx;
                    const double v = slope * lo;
                    r[c] = v + f0[c];
                    o[c] = r[c];
                }
                for (Py_ssize_t c = 0; c < k; c++)
                    any = any + r[c] * 0.0; /* NaN when a value is NaN (or infinite: then only looked at) */
                if (isnan(any))
                    for (Py_ssize_t c = 0; c < k; c++)
                        if (isnan(r[c])) {
                            const double y0 = f0[c], y1 = f1[c];
                            const double dy = y1 - y0;
                            const double slope = dy / dx;
                            double v = slope * hi;
                            v = v + y1;
                            if (isnan(v) && y0 == y1)
                                v = y0;
                            o[c] = v;
                        }
            } else {
                for (Py_ssize_t c = 0; c < k; c++) {
                    const double y0 = f0[c], y1 = f1[c];
                    const double dy = y1 - y0;
                    const double slope = dy / dx;
                    double r = slope * lo;
                    r = r + y0;
                    if (isnan(r)) {
                        r = slope * hi;
                        r = r + y1;
                        if (isnan(r) && y0 == y1)
                            r = y0;
                    }
                    o[c] = r;
                }
            }
        }
    }
}

/* `interp_rows` for the grid's six columns and for three: each row's values computed side by side as
 * wide as the CPU's vectors (VECTOR_CLONES, VECTORISED: the same operations per value). */
VECTOR_CLONES VECTORISED
static void interp_rows6(Py_ssize_t n, const double *X, const double *XP, const double *FP, Py_ssize_t m, int sorted,
                         double *OUT) {
    if (sorted) /* a constant in each loop */
        interp_rows(6, n, X, XP, FP, m, 1, OUT);
    else
        interp_rows(6, n, X, XP, FP, m, 0, OUT);
}

VECTOR_CLONES VECTORISED
static void interp_rows3(Py_ssize_t n, const double *X, const double *XP, const double *FP, Py_ssize_t m, int sorted,
                         double *OUT) {
    if (sorted)
        interp_rows(3, n, X, XP, FP, m, 1, OUT);
    else
        interp_rows(3, n, X, XP, FP, m, 0, OUT);
}

static PyObject *interp_columns(PyObject *self, PyObject *args) {
    (void)self;
    Py_buffer v[4];
    if (get_args(args, 4, 3, v) < 0)
        return NULL;
    Py_ssize_t n = v[0].ndim == 1 ? v[0].shape[0] : -1, m = v[1].ndim == 1 ? v[1].shape[0] : -1;
    Py_ssize_t k = v[2].ndim == 2 ? v[2].shape[1] : -1;
    if (n < 0 || m < 2 || k < 1 || !is_f64(&v[0], n) || !is_f64(&v[1], m) || v[2].shape[0] != m ||
        !is_f64(&v[2], m * k) || v[3].ndim != 2 || v[3].shape[0] != n || !is_f64(&v[3], n * k))
        return bad_args(v, 4, "interp_columns: x (n,), xp (m,) with m >= 2, fp (m, k), out (n, k) float64");
    const double *X = v[0].buf, *XP = v[1].buf, *FP = v[2].buf;
    double *OUT = v[3].buf;
    int sorted = 1;
    for (Py_ssize_t q = 1; q < m; q++)
        sorted &= XP[q - 1] <= XP[q];
    if (k == 6)
        interp_rows6(n, X, XP, FP, m, sorted, OUT);
    else if (k == 3)
        interp_rows3(n, X, XP, FP, m, sorted, OUT);
    else
        interp_rows(k, n, X, XP, FP, m, sorted, OUT);
    release(v, 4);
    Py_RETURN_NONE;
}

#include "sensor_rows.h" /* corrected_sensor's rows */

static PyObject *corrected_sensor(PyObject *self, PyObject *args) {
    (void)self;
    PyObject *o[9];
    Py_ssize_t lo;
    int mode;
    if (!PyArg_ParseTuple(args, "OOnOOOOiOO", &o[0], &o[1], &lo, &o[2], &o[3], &o[4], &o[5], &mode, &o[6], &o[7]))
        return NULL;
    if (mode < 0 || mode > 2) {
        PyErr_SetString(PyExc_ValueError, "corrected_sensor: mode 0, 1 or 2");
        return NULL;
    }
    Py_buffer v[8];
    PyObject *objs[8] = {o[0], o[1], o[2], o[3], o[4], o[5], o[6], o[7]};
    if (get_objs(objs, 8, 6, 1, v) < 0)
        return NULL;
    Py_ssize_t n = v[0].ndim == 2 ? v[0].shape[0] : -1, m = v[2].ndim == 1 ? v[2].shape[0] : -1;
    if (n < 0 || v[0].shape[1] != 3 || !is_f64(&v[0], 3 * n) || !is_f64(&v[1], 3 * n) || m < 0 ||
        !is_f64(&v[3], 3 * m) || !is_f64(&v[4], 2) || !is_f64(&v[5], 3) ||
        !(is_f64(&v[6], 3 * n) || is_f64(&v[6], 0)) || !is_f64(&v[7], 3 * n))
        return bad_args(v, 8, "corrected_sensor: acc, gyro (n, 3), lo, centres (m,), means (m, 3), leak (2,), "
                              "acc_bias (3,), turned, acc_out, gyro_out (n, 3) float64");
    const double *A = v[0].buf, *XP = v[2].buf, *FP = v[3].buf, *AB = v[5].buf;
    double *AO = v[6].buf;
    const double *LK = v[4].buf;
    const GyroRows rows = {v[1].buf, LK[0], LK[1], v[7].buf};
    if (mode == 0)
        gyro_rows0(&rows, n, lo, XP, FP, m);
    else if (mode == 1)
        gyro_rows1(&rows, n, lo, XP, FP, m);
    else
        gyro_rows2(&rows, n, lo, XP, FP, m);
    if (v[6].len > 0) /* acc_out of no rows: the accelerometer is not wanted */
        acc_rows(n, A, AB, AO);
    release(v, 8);
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    {"interp_columns", interp_columns, METH_VARARGS, "interp_columns(x, xp, fp, out): numpy.interp per column (see the source)"},
    {"corrected_sensor", corrected_sensor, METH_VARARGS,
     "corrected_sensor(acc, gyro, lo, centres, means, leak, acc_bias, turned, acc_out, gyro_out): see the source"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "hiplevel._native.gridkernel", NULL, -1, methods};

PyMODINIT_FUNC PyInit_gridkernel(void) { return PyModule_Create(&module); }
