/* The rows of `gridkernel.corrected_sensor` (see gridkernel.c): the gyro bias between the rest runs'
 * centres as numpy's interp makes it, each mode's outputs, an interval's rows in a loop of their
 * own. Included by gridkernel.c only, after `search` (shipped with the package's headers). */
#ifndef HIPLEVEL_NATIVE_SENSOR_ROWS_H
#define HIPLEVEL_NATIVE_SENSOR_ROWS_H

#include "args.h"
#include "vectors.h"
#include <limits.h>
#include <math.h>

/* numpy.interp's value of column c at x (see interp_columns), j the search's carried guess. */
static inline double interp_at(double x, const double *XP, const double *FP, Py_ssize_t m, Py_ssize_t k,
                               Py_ssize_t j, Py_ssize_t c) {
    if (j == -1)
        return FP[c];
    if (j == m)
        return FP[(m - 1) * k + c];
    if (j == m - 1 || XP[j] == x)
        return FP[j * k + c];
    const double dx = XP[j + 1] - XP[j];
    const double y0 = FP[j * k + c], y1 = FP[(j + 1) * k + c];
    const double dy = y1 - y0;
    const double slope = dy / dx;
    double r = slope * (x - XP[j]);
    r = r + y0;
    if (isnan(r)) {
        r = slope * (x - XP[j + 1]);
        r = r + y1;
        if (isnan(r) && y0 == y1)
            r = y0;
    }
    return r;
}

/* The rows' outputs and what they are made from (`corrected_sensor`). */
typedef struct {
    const double *G; /* gyro (n, 3) */
    double leak0, leak1;
    double *GO; /* gyro_out (n, 3), apart from G */
} GyroRows;

/* Row i's gyro_out from its bias b0, b1, b2 in `mode` (a constant where inlined: one loop per mode). */
static inline __attribute__((always_inline)) void put_row(const int mode, const GyroRows *r, Py_ssize_t i, double b0,
                                                          double b1, double b2) {
    const double *g = r->G + 3 * i;
    const double u0 = g[0] - b0, u1 = g[1] - b1, u2 = g[2] - b2;
    double *go = r->GO + 3 * i;
    if (mode == 0) {
        go[0] = u0, go[1] = u1, go[2] = u2;
    } else {
        const double p0 = u2 * r->leak0, p1 = u2 * r->leak1;
        const double c0 = u0 - p0, c1 = u1 - p1;
        if (mode == 2) {
            go[0] = c0, go[1] = c1, go[2] = u2;
        } else {
            const double d0 = c0 - u0, d1 = c1 - u1, d2 = u2 - u2;
            const double e0 = b0 - d0, e1 = b1 - d1, e2 = b2 - d2;
            go[0] = g[0] - e0, go[1] = g[1] - e1, go[2] = g[2] - e2;
        }
    }
}

/* Rows [i, i1) with one bias b (3,). */
static inline __attribute__((always_inline)) void const_rows(const int mode, const GyroRows *r, Py_ssize_t i,
                                                             Py_ssize_t i1, const double *b) {
    const double b0 = b[0], b1 = b[1], b2 = b[2];
    for (; i < i1; i++)
        put_row(mode, r, i, b0, b1, b2);
}

/* The rows from i on (up to n) whose x = lo + i lies in (x0, x1), the bias y + s (x - x0): the next
 * row. Every value finite (the caller's test), so no sum is NaN: numpy's retry from the other end
 * never runs. The rows counted first, then a loop without an exit, which vectorises. */
static inline __attribute__((always_inline)) Py_ssize_t interval_rows(const int mode, const GyroRows *r, Py_ssize_t i,
                                                                      Py_ssize_t n, Py_ssize_t lo, double x0,
                                                                      double x1, const double *y, const double *s) {
    const double y0 = y[0], y1 = y[1], y2 = y[2], s0 = s[0], s1 = s[1], s2 = s[2];
    Py_ssize_t i1 = i;
    while (i1 < n && (double)(lo + i1) < x1)
        i1++;
    const double xi = (double)(lo + i);
    if (i1 - i < INT_MAX && fabs(xi) + (double)(i1 - i) < 0x1p53) {
        /* x = xi + k exactly (integers below 2^53), k converted from an int: a conversion AVX has
         * (not from a 64-bit integer), so the loop vectorises */
        const int count = (int)(i1 - i);
        const GyroRows q = {r->G + 3 * i, r->leak0, r->leak1, r->GO + 3 * i};
        for (int k = 0; k < count; k++) {
            const double x = xi + (double)k;
            const double d = x - x0;
            double r0 = s0 * d, r1 = s1 * d, r2 = s2 * d;
            r0 = r0 + y0, r1 = r1 + y1, r2 = r2 + y2;
            put_row(mode, &q, k, r0, r1, r2);
        }
        return i1;
    }
    for (; i < i1; i++) {
        const double x = (double)(lo + i);
        const double d = x - x0;
        double r0 = s0 * d, r1 = s1 * d, r2 = s2 * d;
        r0 = r0 + y0, r1 = r1 + y1, r2 = r2 + y2;
        put_row(mode, r, i, r0, r1, r2);
    }
    return i1;
}

/* The gyro rows of `corrected_sensor` in `mode` (inlined per mode: no test of it a row). The rows run
 * through the runs' intervals in order (x = lo + i rises): with the centres sorted, a row usually
 * lies in the previous row's interval, kept without a search (the search returns that same
 * interval), the interval's slopes divided once (the same quotients: the bits of interp_at), and
 * its rows, and those before the first centre or after the last (one bias: interp's ends), run in
 * a loop of their own. Otherwise row by row as numpy's interp. */
static inline __attribute__((always_inline)) void gyro_rows(const int mode, const GyroRows *r, Py_ssize_t n,
                                                            Py_ssize_t lo, const double *XP, const double *FP,
                                                            Py_ssize_t m) {
    static const double zero[3] = {0.0, 0.0, 0.0};
    if (m < 2) {
        const_rows(mode, r, 0, n, m == 1 ? FP : zero);
        return;
    }
    int sorted = 1;
    for (Py_ssize_t q = 1; q < m; q++)
        sorted = sorted && XP[q - 1] <= XP[q];
    Py_ssize_t j = 0, js = -1; /* js: the interval whose slopes are s */
    double s[3] = {0.0, 0.0, 0.0};
    int finite = 0; /* interval js' ends, values and slopes all finite */
    Py_ssize_t i = 0;
    while (i < n) {
        const double x = (double)(lo + i);
        if (sorted && x < XP[0]) { /* search: -1, fp's first value, up to the first centre */
            Py_ssize_t i1 = i;
            while (i1 < n && (double)(lo + i1) < XP[0])
                i1++;
            const_rows(mode, r, i, i1, FP);
            i = i1, j = -1;
            continue;
        }
        if (sorted && x > XP[m - 1]) { /* search: m, fp's last value, every row on */
            const_rows(mode, r, i, n, FP + (m - 1) * 3);
            return;
        }
        double b0, b1, b2;
        if (!(sorted && j >= 0 && j < m - 1 && XP[j] <= x && x < XP[j + 1]))
            j = search(x, XP, m, j);
        if (sorted && j >= 0 && j < m - 1 && XP[j] != x) {
            const double *y = FP + j * 3;
            if (js != j) {
                const double dx = XP[j + 1] - XP[j];
                s[0] = (y[3] - y[0]) / dx, s[1] = (y[4] - y[1]) / dx, s[2] = (y[5] - y[2]) / dx;
                js = j;
                finite = isfinite(XP[j]) && isfinite(XP[j + 1]) && isfinite(y[0]) && isfinite(y[1]) &&
                         isfinite(y[2]) && isfinite(s[0]) && isfinite(s[1]) && isfinite(s[2]);
            }
            if (finite) {
                i = interval_rows(mode, r, i, n, lo, XP[j], XP[j + 1], y, s);
                continue;
            }
            const double d = x - XP[j];
            double r0 = s[0] * d, r1 = s[1] * d, r2 = s[2] * d;
            r0 = r0 + y[0], r1 = r1 + y[1], r2 = r2 + y[2];
            b0 = isnan(r0) ? interp_at(x, XP, FP, m, 3, j, 0) : r0;
            b1 = isnan(r1) ? interp_at(x, XP, FP, m, 3, j, 1) : r1;
            b2 = isnan(r2) ? interp_at(x, XP, FP, m, 3, j, 2) : r2;
        } else {
            b0 = interp_at(x, XP, FP, m, 3, j, 0);
            b1 = interp_at(x, XP, FP, m, 3, j, 1);
            b2 = interp_at(x, XP, FP, m, 3, j, 2);
        }
        put_row(mode, r, i, b0, b1, b2);
        i++;
    }
}

/* `gyro_rows` in each mode, its loops as wide as the CPU's vectors (VECTOR_CLONES, VECTORISED: the
 * same operations per value). */
#define GYRO_ROWS(mode)                                                                                         \
    VECTOR_CLONES VECTORISED static void gyro_rows##mode(const GyroRows *r, Py_ssize_t n, Py_ssize_t lo,        \
                                                         const double *XP, const double *FP, Py_ssize_t m) {    \
        gyro_rows(mode, r, n, lo, XP, FP, m);                                                                   \
    }
GYRO_ROWS(0)
GYRO_ROWS(1)
GYRO_ROWS(2)

/* acc_out = acc - acc_bias, row by row (vectorised as `gyro_rows`). */
VECTOR_CLONES VECTORISED
static void acc_rows(Py_ssize_t n, const double *restrict A, const double *AB, double *restrict AO) {
    const double b0 = AB[0], b1 = AB[1], b2 = AB[2];
    for (Py_ssize_t i = 0; i < n; i++)
        AO[3 * i] = A[3 * i] - b0, AO[3 * i + 1] = A[3 * i + 1] - b1, AO[3 * i + 2] = A[3 * i + 2] - b2;
}

#endif
