/* The per-sample Rodrigues matrix and the 3x3 products shared by the fusion group kernel
 * (fusekernel.c) and the turn fit's segment kernel (turnkernel.c). Included by both (setup.py lists
 * it as a dependency and ships it). */
#ifndef HIPLEVEL_NATIVE_ROTATION_H
#define HIPLEVEL_NATIVE_ROTATION_H

#include <math.h>

/* sin and cos of a small angle (|x| <= SMALL_ANGLE_RAD, rad) by fdlibm's kernel polynomials
 * (__kernel_sin, and __kernel_cos' branch for |x| < 0.3, with no tail: x is exact): within one unit
 * in the last place of the correctly rounded values, as the C library's are, in ~20 products and
 * sums that vectorise, against ~10 ns a call for the library's sin and cos. The fusion's and the turn
 * fit's per-sample angles |w| dt are below 0.3 rad up to 1,700 deg/s at 100 Hz; a larger one (or
 * NaN, inf) takes the C library's (`sin_cos`). */
#define SMALL_ANGLE_RAD 0.3

static inline double small_sin(double x) {
    const double S1 = -1.66666666666666324348e-01, S2 = 8.33333333332248946124e-03,
                 S3 = -1.98412698298579493134e-04, S4 = 2.75573137070700676789e-06,
                 S5 = -2.50507602534068634195e-08, S6 = 1.58969099521155010221e-10;
    double z = x * x, v = z * x;
    double r = S2 + z * (S3 + z * (S4 + z * (S5 + z * S6)));
    double y = x + v * (S1 + z * r);
    return fabs(x) < 0x1p-27 ? x : y; /* as fdlibm: sin x = x there (and -0 stays -0) */
}

static inline double small_cos(double x) {
    const double C1 = 4.16666666666666019037e-02, C2 = -1.38888888888741095749e-03,
                 C3 = 2.48015872894767294178e-05, C4 = -2.75573143513906633035e-07,
                 C5 = 2.08757232129817482790e-09, C6 = -1.13596475577881948265e-11;
    double z = x * x;
    double r = z * (C1 + z * (C2 + z * (C3 + z * (C4 + z * (C5 + z * C6)))));
    return 1.0 - (0.5 * z - z * r);
}

/* *s = sin(x), *c = cos(x): `small_sin`/`small_cos` for a small angle, else the C library's. */
static inline void sin_cos(double x, double *s, double *c) {
    if (fabs(x) <= SMALL_ANGLE_RAD) {
        *s = small_sin(x), *c = small_cos(x);
    } else {
        *s = sin(x), *c = cos(x);
    }
}

/* The Rodrigues matrix r (row-major 3x3) of `rotations` for one sample from its unit axis
 * (kx, ky, kz) = w / |w| (0 for w = 0): c = cos(theta), s = -sin(theta) from numpy
 * (`fusekernel`'s per-sample terms take the axes of a pass at once). Defined for a type T: double
 * here, fuse_pass.h's two lanes (GCC vector extensions: each lane's operations those of the double
 * version, in the same order). */
#define DEFINE_RODRIGUES_AXIS(T, name)                                                                   \
    static inline void name(T kx, T ky, T kz, T c, T s, T *r) {                                        \
        T oc = 1.0 - c;                                                                                \
        T sx = s * kx, sy = s * ky, sz = s * kz;                                                       \
        T ocx = oc * kx, ocy = oc * ky, ocz = oc * kz;                                                 \
        T oxy = ocx * ky, oxz = ocx * kz, oyz = ocy * kz;                                              \
        T dxx = ocx * kx, dyy = ocy * ky, dzz = ocz * kz;                                              \
        r[0] = c + dxx, r[1] = oxy - sz, r[2] = oxz + sy;                                              \
        r[3] = oxy + sz, r[4] = c + dyy, r[5] = oyz - sx;                                              \
        r[6] = oxz - sy, r[7] = oyz + sx, r[8] = c + dzz;                                              \
    }
DEFINE_RODRIGUES_AXIS(double, rodrigues_axis)

/* The same from the sample's rate w (0 for padding). */
static inline void rodrigues(const double *w, double c, double s, double *r) {
    double mag = sqrt(w[0] * w[0] + w[1] * w[1] + w[2] * w[2]);
    double m = mag > 0.0 ? mag : 1.0;
    rodrigues_axis(w[0] / m, w[1] / m, w[2] / m, c, s, r);
}

/* x (3x3 or 3x1, m columns) = a (3x3) @ p: each element a0*p0, + a1*p1, + a2*p2 (`scan._mat`).
 * Unrolled (the turn fit's per-sample products: ~10 % fewer instructions; the same operations).
 * Defined for a type T as `DEFINE_RODRIGUES_AXIS`. */
#define DEFINE_MAT3(T, name)                                                                             \
    static inline void name(const T *a, const T *p, int m, T *x) {                                     \
        _Pragma("GCC unroll 3") for (int i = 0; i < 3; i++)                                            \
        _Pragma("GCC unroll 3") for (int c = 0; c < m; c++) {                                          \
            T v = a[i * 3] * p[c];                                                                     \
            T p1 = a[i * 3 + 1] * p[m + c];                                                            \
            v = v + p1;                                                                                \
            T p2 = a[i * 3 + 2] * p[2 * m + c];                                                        \
            x[i * m + c] = v + p2;                                                                     \
        }                                                                                              \
    }
DEFINE_MAT3(double, mat3)

/* One chain step of the block starts (`states`, `chain_starts`): y = t @ x + v, each element
 * t0*x0, + t1*x1, + t2*x2, then + v; x (3, m). */
static inline void chain_step(const double *t, const double *v, int m, double *x) {
    double y[9];
    mat3(t, x, m, y);
    for (int e = 0; e < 3 * m; e++)
        x[e] = y[e] + v[e];
}

#define FB 64 /* scan.SCAN_BLOCK: the block the numpy path lays samples out in (fuse_pass makes its states unit
                 * at each block's start, as the blocked scans do) */

#endif
