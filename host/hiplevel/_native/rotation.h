/* The per-sample Rodrigues matrix and the 3x3 products shared by the fusion group kernel
 * (fusekernel.c) and the turn fit's segment kernel (turnkernel.c). Included by both (setup.py lists
 * it as a dependency and ships it). */
#ifndef HIPLEVEL_NATIVE_ROTATION_H
#define HIPLEVEL_NATIVE_ROTATION_H

#include <math.h>

/* The Rodrigues matrix r (row-major 3x3) of `rotations` for one sample from its unit axis
 * (kx, ky, kz) = w / |w| (0 for w = 0): c = cos(theta), s = -sin(theta) from numpy
 * (`fusekernel`'s per-sample terms take the axes of a pass at once). */
static inline void rodrigues_axis(double kx, double ky, double kz, double c, double s, double *r) {
    double oc = 1.0 - c;
    double sx = s * kx, sy = s * ky, sz = s * kz;
    double ocx = oc * kx, ocy = oc * ky, ocz = oc * kz;
    double oxy = ocx * ky, oxz = ocx * kz, oyz = ocy * kz;
    double dxx = ocx * kx, dyy = ocy * ky, dzz = ocz * kz;
    r[0] = c + dxx, r[1] = oxy - sz, r[2] = oxz + sy;
    r[3] = oxy + sz, r[4] = c + dyy, r[5] = oyz - sx;
    r[6] = oxz - sy, r[7] = oyz + sx, r[8] = c + dzz;
}

/* The same from the sample's rate w (0 for padding). */
static inline void rodrigues(const double *w, double c, double s, double *r) {
    double mag = sqrt(w[0] * w[0] + w[1] * w[1] + w[2] * w[2]);
    double m = mag > 0.0 ? mag : 1.0;
    rodrigues_axis(w[0] / m, w[1] / m, w[2] / m, c, s, r);
}

/* x (3x3 or 3x1, m columns) = a (3x3) @ p: each element a0*p0, + a1*p1, + a2*p2 (`scan._mat`).
 * Unrolled (the turn fit's per-sample products: ~10 % fewer instructions; the same operations). */
static inline void mat3(const double *a, const double *p, int m, double *x) {
#pragma GCC unroll 3
    for (int i = 0; i < 3; i++)
#pragma GCC unroll 3
        for (int c = 0; c < m; c++) {
            double v = a[i * 3] * p[c];
            double p1 = a[i * 3 + 1] * p[m + c];
            v = v + p1;
            double p2 = a[i * 3 + 2] * p[2 * m + c];
            x[i * m + c] = v + p2;
        }
}

/* One chain step of the block starts (`states`, `chain_starts`): y = t @ x + v, each element
 * t0*x0, + t1*x1, + t2*x2, then + v; x (3, m). */
static inline void chain_step(const double *t, const double *v, int m, double *x) {
    double y[9];
    mat3(t, x, m, y);
    for (int e = 0; e < 3 * m; e++)
        x[e] = y[e] + v[e];
}

#define FB 64 /* scan.SCAN_BLOCK: the block the numpy path and `angles` lay samples out in */

#endif
