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
 */
#include "args.h"
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
    Py_ssize_t j = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        const double x = X[i];
        double *o = OUT + i * k;
        if (isnan(x)) {
            for (Py_ssize_t c = 0; c < k; c++)
                o[c] = x;
            continue;
        }
        j = search(x, XP, m, j);
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
            for (Py_ssize_t c = 0; c < k; c++) {
                const double y0 = FP[j * k + c], y1 = FP[(j + 1) * k + c];
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
    release(v, 4);
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    {"interp_columns", interp_columns, METH_VARARGS, "interp_columns(x, xp, fp, out): numpy.interp per column (see the source)"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "hiplevel._native.gridkernel", NULL, -1, methods};

PyMODINIT_FUNC PyInit_gridkernel(void) { return PyModule_Create(&module); }
