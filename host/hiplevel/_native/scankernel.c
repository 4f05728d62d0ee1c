/* Optional compiled kernel: the block loop of the blocked affine scans (`signal.scan`).
 *
 * chain(a, x, b, mask) -> None, in place on x:
 *   for j = 1 .. B-1: x[j] = a[j] @ x[j-1] (+ b[j])   per block q, then, where mask[j, q],
 *   x[j, :, :, q] = a[j, :, :, q] (a product restarting at a segment start).
 * a (B, d, d, nb), x and b (B, d, m, nb) float64, mask (B, nb) uint8/bool, all C-contiguous;
 * b and mask may be None. Each element is summed in numpy's order (`scan._mat`: a0*x0, + a1*x1,
 * + a2*x2, then + b), every product and sum rounded on its own (built with -ffp-contract=off),
 * so the results are the numpy loop's to the bit.
 */
#include "args.h"
#include "vectors.h"
#include <math.h>
#include <stdlib.h>

/* The offline fusion's kernels are in fusekernel.c, the turn fit's in turnkernel.c. */

static PyObject *chain(PyObject *self, PyObject *args) {
    PyObject *ao, *xo, *bo, *mo;
    (void)self;
    if (!PyArg_ParseTuple(args, "OOOO", &ao, &xo, &bo, &mo))
        return NULL;
    Py_buffer a, x, b, m;
    int have_b = bo != Py_None, have_m = mo != Py_None;
    if (get(ao, &a, 0) < 0)
        return NULL;
    if (get(xo, &x, 1) < 0) {
        PyBuffer_Release(&a);
        return NULL;
    }
    if (have_b && get(bo, &b, 0) < 0) {
        PyBuffer_Release(&a);
        PyBuffer_Release(&x);
        return NULL;
    }
    if (have_m && get(mo, &m, 0) < 0) {
        PyBuffer_Release(&a);
        PyBuffer_Release(&x);
        if (have_b)
            PyBuffer_Release(&b);
        return NULL;
    }
    int bad = a.ndim != 4 || x.ndim != 4 || a.itemsize != 8 || x.itemsize != 8 || strcmp(a.format, "d") != 0 ||
              strcmp(x.format, "d") != 0;
    Py_ssize_t B = 0, d = 0, mm = 0, nb = 0;
    if (!bad) {
        B = a.shape[0], d = a.shape[1], nb = a.shape[3], mm = x.shape[2];
        bad = a.shape[2] != d || x.shape[0] != B || x.shape[1] != d || x.shape[3] != nb;
    }
    if (!bad && have_b)
        bad = b.ndim != 4 || b.itemsize != 8 || strcmp(b.format, "d") != 0 || b.shape[0] != B || b.shape[1] != d ||
              b.shape[2] != mm || b.shape[3] != nb;
    if (!bad && have_m)
        bad = m.ndim != 2 || m.itemsize != 1 || m.shape[0] != B || m.shape[1] != nb || mm != d;
    if (bad) {
        PyBuffer_Release(&a);
        PyBuffer_Release(&x);
        if (have_b)
            PyBuffer_Release(&b);
        if (have_m)
            PyBuffer_Release(&m);
        PyErr_SetString(PyExc_ValueError, "chain: a (B,d,d,nb), x and b (B,d,m,nb) float64, mask (B,nb) 1 byte");
        return NULL;
    }
    const double *A = (const double *)a.buf, *Bv = have_b ? (const double *)b.buf : NULL;
    double *X = (double *)x.buf;
    const unsigned char *M = have_m ? (const unsigned char *)m.buf : NULL;
    Py_BEGIN_ALLOW_THREADS
    const Py_ssize_t sa = d * d * nb, sx = d * mm * nb;
    for (Py_ssize_t j = 1; j < B; j++) {
        const double *aj = A + j * sa, *xp = X + (j - 1) * sx;
        double *xj = X + j * sx;
        for (Py_ssize_t i = 0; i < d; i++) {
            for (Py_ssize_t c = 0; c < mm; c++) {
                double *o = xj + (i * mm + c) * nb;
                const double *a0 = aj + (i * d) * nb, *x0 = xp + c * nb;
                for (Py_ssize_t q = 0; q < nb; q++)
                    o[q] = a0[q] * x0[q];
                for (Py_ssize_t k = 1; k < d; k++) {
                    const double *ak = aj + (i * d + k) * nb, *xk = xp + (k * mm + c) * nb;
                    for (Py_ssize_t q = 0; q < nb; q++) {
                        double t = ak[q] * xk[q];
                        o[q] = o[q] + t;
                    }
                }
                if (Bv != NULL) {
                    const double *bj = Bv + j * sx + (i * mm + c) * nb;
                    for (Py_ssize_t q = 0; q < nb; q++)
                        o[q] = o[q] + bj[q];
                }
            }
        }
        if (M != NULL) {
            const unsigned char *mj = M + j * nb;
            for (Py_ssize_t q = 0; q < nb; q++)
                if (mj[q])
                    for (Py_ssize_t e = 0; e < d * mm; e++)
                        xj[e * nb + q] = aj[e * nb + q];
        }
    }
    Py_END_ALLOW_THREADS
    PyBuffer_Release(&a);
    PyBuffer_Release(&x);
    if (have_b)
        PyBuffer_Release(&b);
    if (have_m)
        PyBuffer_Release(&m);
    Py_RETURN_NONE;
}

/* combine(t, st, out, accumulate, mask) -> None, in place on out: each sample from its block's
 * start state, out[j,i,c,q] (+)= sum_k t[j,i,k,q] * st[k,c,q] (accumulate: onto out, k = 0, 1, ..;
 * else the k = 0 product first), then out[j,:,:,q] = t[j,:,:,q] where mask[j,q]. t (B,d,d,nb),
 * st (d,m,nb), out (B,d,m,nb) float64, mask (B,nb) 1 byte or None, C-contiguous: numpy's order
 * (`scan.affine_scan` / `scan.segment_products`), the results to the bit. */
static PyObject *combine(PyObject *self, PyObject *args) {
    PyObject *to, *so, *oo, *mo;
    int accumulate;
    (void)self;
    if (!PyArg_ParseTuple(args, "OOOpO", &to, &so, &oo, &accumulate, &mo))
        return NULL;
    Py_buffer t, st, out, m;
    int have_m = mo != Py_None;
    if (get(to, &t, 0) < 0)
        return NULL;
    if (get(so, &st, 0) < 0) {
        PyBuffer_Release(&t);
        return NULL;
    }
    if (get(oo, &out, 1) < 0) {
        PyBuffer_Release(&t);
        PyBuffer_Release(&st);
        return NULL;
    }
    if (have_m && get(mo, &m, 0) < 0) {
        PyBuffer_Release(&t);
        PyBuffer_Release(&st);
        PyBuffer_Release(&out);
        return NULL;
    }
    int bad = t.ndim != 4 || st.ndim != 3 || out.ndim != 4 || strcmp(t.format, "d") != 0 ||
              strcmp(st.format, "d") != 0 || strcmp(out.format, "d") != 0;
    Py_ssize_t B = 0, d = 0, mm = 0, nb = 0;
    if (!bad) {
        B = t.shape[0], d = t.shape[1], nb = t.shape[3], mm = out.shape[2];
        bad = t.shape[2] != d || st.shape[0] != d || st.shape[1] != mm || st.shape[2] != nb || out.shape[0] != B ||
              out.shape[1] != d || out.shape[3] != nb;
    }
    if (!bad && have_m)
        bad = m.ndim != 2 || m.itemsize != 1 || m.shape[0] != B || m.shape[1] != nb || mm != d;
    if (bad) {
        PyBuffer_Release(&t);
        PyBuffer_Release(&st);
        PyBuffer_Release(&out);
        if (have_m)
            PyBuffer_Release(&m);
        PyErr_SetString(PyExc_ValueError, "combine: t (B,d,d,nb), st (d,m,nb), out (B,d,m,nb) float64, mask (B,nb)");
        return NULL;
    }
    const double *T = (const double *)t.buf, *S = (const double *)st.buf;
    double *O = (double *)out.buf;
    const unsigned char *M = have_m ? (const unsigned char *)m.buf : NULL;
    Py_BEGIN_ALLOW_THREADS
    for (Py_ssize_t j = 0; j < B; j++) {
        const double *tj = T + j * d * d * nb;
        double *oj = O + j * d * mm * nb;
        for (Py_ssize_t i = 0; i < d; i++) {
            for (Py_ssize_t c = 0; c < mm; c++) {
                double *o = oj + (i * mm + c) * nb;
                Py_ssize_t k0 = 0;
                if (!accumulate) {
                    const double *t0 = tj + (i * d) * nb, *s0 = S + c * nb;
                    for (Py_ssize_t q = 0; q < nb; q++)
                        o[q] = t0[q] * s0[q];
                    k0 = 1;
                }
                for (Py_ssize_t k = k0; k < d; k++) {
                    const double *tk = tj + (i * d + k) * nb, *sk = S + (k * mm + c) * nb;
                    for (Py_ssize_t q = 0; q < nb; q++) {
                        double p = tk[q] * sk[q];
                        o[q] = o[q] + p;
                    }
                }
            }
        }
        if (M != NULL) {
            const unsigned char *mj = M + j * nb;
            for (Py_ssize_t q = 0; q < nb; q++)
                if (mj[q])
                    for (Py_ssize_t e = 0; e < d * mm; e++)
                        oj[e * nb + q] = tj[e * nb + q];
        }
    }
    Py_END_ALLOW_THREADS
    PyBuffer_Release(&t);
    PyBuffer_Release(&st);
    PyBuffer_Release(&out);
    if (have_m)
        PyBuffer_Release(&m);
    Py_RETURN_NONE;
}

/* states(last_t, last_v, x0, bounds, renorm) -> (starts, ends): the sequential chain of block
 * start states (`scan._chain`, `scan._chain_matrix`): along chain c (blocks bounds[c] ..
 * bounds[c+1]-1) x = x0[c]; for each block q: (renorm: x = x / |x|, |x| = sqrt(x0*x0 + x1*x1 + x2*x2)
 * for d = 3, fabs(x0) for d = 1, m = 1 only) starts[:, :, q] = x; x[i,c] = sum_k t[q,i,k] x[k,c]
 * (k = 0 first, then + each next product) + v[q,i,c]. ends[c] = x after the chain's last block.
 * last_t (nb,d,d), last_v (nb,d,m), x0 (nchains,d,m) float64; bounds (nchains+1,) int64; starts
 * (d,m,nb), ends (nchains,d,m) float64, all C-contiguous: Python's float order, to the bit. */
static PyObject *states(PyObject *self, PyObject *args) {
    PyObject *to, *vo, *xo, *bo, *so, *eo;
    int renorm;
    (void)self;
    if (!PyArg_ParseTuple(args, "OOOOpOO", &to, &vo, &xo, &bo, &renorm, &so, &eo))
        return NULL;
    Py_buffer t, v, x, b, st, en;
    Py_buffer *bufs[6] = {&t, &v, &x, &b, &st, &en};
    PyObject *objs[6] = {to, vo, xo, bo, so, eo};
    int got = 0;
    for (; got < 6; got++)
        if (get(objs[got], bufs[got], got >= 4) < 0)
            break;
    int bad = got < 6;
    Py_ssize_t nb = 0, d = 0, mm = 0, nc = 0;
    if (!bad) {
        bad = t.ndim != 3 || v.ndim != 3 || x.ndim != 3 || b.ndim != 1 || st.ndim != 3 || en.ndim != 3 ||
              strcmp(t.format, "d") != 0 || strcmp(v.format, "d") != 0 || strcmp(x.format, "d") != 0 ||
              strcmp(st.format, "d") != 0 || strcmp(en.format, "d") != 0 || b.itemsize != 8 ||
              (strcmp(b.format, "l") != 0 && strcmp(b.format, "q") != 0);
    }
    if (!bad) {
        nb = t.shape[0], d = t.shape[1], mm = v.shape[2], nc = x.shape[0];
        bad = t.shape[2] != d || v.shape[0] != nb || v.shape[1] != d || x.shape[1] != d || x.shape[2] != mm ||
              b.shape[0] != nc + 1 || st.shape[0] != d || st.shape[1] != mm || st.shape[2] != nb || en.shape[0] != nc ||
              en.shape[1] != d || en.shape[2] != mm || d < 1 || d > 3 || mm < 1 || mm > 3 ||
              (renorm && (mm != 1 || (d != 1 && d != 3)));
    }
    if (!bad) {
        const long long *B = (const long long *)b.buf;
        for (Py_ssize_t c = 0; c < nc && !bad; c++)
            bad = B[c] < 0 || B[c] > B[c + 1] || B[c + 1] > nb;
    }
    if (bad) {
        for (int i = 0; i < got; i++)
            PyBuffer_Release(bufs[i]);
        if (!PyErr_Occurred())
            PyErr_SetString(PyExc_ValueError, "states: last_t (nb,d,d), last_v (nb,d,m), x0 (nc,d,m), bounds (nc+1,)");
        return NULL;
    }
    const double *T = (const double *)t.buf, *V = (const double *)v.buf, *X0 = (const double *)x.buf;
    const long long *B = (const long long *)b.buf;
    double *S = (double *)st.buf, *E = (double *)en.buf;
    Py_BEGIN_ALLOW_THREADS
    const Py_ssize_t dm = d * mm;
    for (Py_ssize_t c = 0; c < nc; c++) {
        double cur[9], nxt[9];
        for (Py_ssize_t e = 0; e < dm; e++)
            cur[e] = X0[c * dm + e];
        for (Py_ssize_t q = B[c]; q < B[c + 1]; q++) {
            if (renorm) {
                if (d == 3) {
                    double nrm = sqrt(cur[0] * cur[0] + cur[1] * cur[1] + cur[2] * cur[2]);
                    cur[0] = cur[0] / nrm, cur[1] = cur[1] / nrm, cur[2] = cur[2] / nrm;
                } else {
                    cur[0] = cur[0] / fabs(cur[0]);
                }
            }
            for (Py_ssize_t e = 0; e < dm; e++)
                S[e * nb + q] = cur[e];
            const double *tq = T + q * d * d, *vq = V + q * dm;
            for (Py_ssize_t i = 0; i < d; i++)
                for (Py_ssize_t k2 = 0; k2 < mm; k2++) {
                    double acc = tq[i * d] * cur[k2];
                    for (Py_ssize_t k = 1; k < d; k++) {
                        double p = tq[i * d + k] * cur[k * mm + k2];
                        acc = acc + p;
                    }
                    nxt[i * mm + k2] = acc + vq[i * mm + k2];
                }
            for (Py_ssize_t e = 0; e < dm; e++)
                cur[e] = nxt[e];
        }
        for (Py_ssize_t e = 0; e < dm; e++)
            E[c * dm + e] = cur[e];
    }
    Py_END_ALLOW_THREADS
    for (int i = 0; i < 6; i++)
        PyBuffer_Release(bufs[i]);
    Py_RETURN_NONE;
}

/* rotations(w, mag, c, s, r) -> None: the per-sample Rodrigues matrices of `scan.rotation_blocks`
 * from its numpy-computed |w| (mag), cos(theta) (c) and -sin(theta) (s): k = w / mag (1 where mag
 * is not > 0), R = c I + s [k]x + (1 - c) k k^T, each product and sum as numpy's expression
 * evaluates it (left to right). w (B,3,nb), mag, c, s (B,nb), r (B,3,3,nb) float64, C-contiguous. */
static PyObject *rotations(PyObject *self, PyObject *args) {
    (void)self;
    Py_buffer v[5];
    if (get_args(args, 5, 4, v) < 0)
        return NULL;
    int bad = 0;
    Py_ssize_t B = 0, nb = 0;
    for (int i = 0; i < 5 && !bad; i++)
        bad = v[i].itemsize != 8 || strcmp(v[i].format, "d") != 0;
    if (!bad) {
        bad = v[0].ndim != 3 || v[0].shape[1] != 3;
        if (!bad) {
            B = v[0].shape[0], nb = v[0].shape[2];
            bad = v[1].len != B * nb * 8 || v[2].len != B * nb * 8 || v[3].len != B * nb * 8 || v[4].len != B * 9 * nb * 8;
        }
    }
    if (bad)
        return bad_args(v, 5, "rotations: w (B,3,nb), mag, c, s (B,nb), r (B,3,3,nb) float64");
    const double *W = v[0].buf, *M = v[1].buf, *C = v[2].buf, *S = v[3].buf;
    double *R = v[4].buf;
    Py_BEGIN_ALLOW_THREADS
    for (Py_ssize_t j = 0; j < B; j++) {
        const double *wx = W + j * 3 * nb, *wy = wx + nb, *wz = wy + nb, *mj = M + j * nb, *cj = C + j * nb,
                     *sj = S + j * nb;
        double *r = R + j * 9 * nb;
        for (Py_ssize_t q = 0; q < nb; q++) {
            double m = mj[q] > 0.0 ? mj[q] : 1.0;
            double kx = wx[q] / m, ky = wy[q] / m, kz = wz[q] / m;
            double c = cj[q], s = sj[q], oc = 1.0 - c;
            double sx = s * kx, sy = s * ky, sz = s * kz;
            double ocx = oc * kx, ocy = oc * ky, ocz = oc * kz;
            double oxy = ocx * ky, oxz = ocx * kz, oyz = ocy * kz;
            double dxx = ocx * kx, dyy = ocy * ky, dzz = ocz * kz;
            r[q] = c + dxx, r[nb + q] = oxy - sz, r[2 * nb + q] = oxz + sy;
            r[3 * nb + q] = oxy + sz, r[4 * nb + q] = c + dyy, r[5 * nb + q] = oyz - sx;
            r[6 * nb + q] = oxz - sy, r[7 * nb + q] = oyz + sx, r[8 * nb + q] = c + dzz;
        }
    }
    Py_END_ALLOW_THREADS
    release(v, 5);
    Py_RETURN_NONE;
}

#if defined(__GNUC__)
/* Two columns side by side as one vector of GCC's vector extension: elementwise IEEE operations, each
 * rounded alone as the scalar's (no contraction: -ffp-contract=off). */
typedef double v2d __attribute__((vector_size(16)));
static inline v2d load2(const double *p) {
    v2d v;
    memcpy(&v, p, sizeof v);
    return v;
}
#endif

/* `window_rms` of one window, the rows ac[0 .. L-1] of acc and gy[..] of gyro (3 apart) into o[5]: the
 * five columns side by side, one pass over the rows for the sums and one for the squared deviations.
 * Each column's own sum still runs in sample order, rounded step by step (no reassociation:
 * -ffp-contract=off, no fast-math), so the same bits as one column at a time; acc's first two
 * columns and gyro's two as vectors of two where GCC's vector extension is at hand. */
VECTOR_CLONES
static void rms_window(const double *ac, const double *gy, Py_ssize_t L, double *o) {
    const double n = (double)L;
#if defined(__GNUC__)
    v2d s01 = load2(ac), s34 = load2(gy);
    double s2 = ac[2];
    for (Py_ssize_t i = 1; i < L; i++) {
        s01 = s01 + load2(ac + i * 3), s34 = s34 + load2(gy + i * 3);
        s2 = s2 + ac[i * 3 + 2];
    }
    const v2d n2 = {n, n};
    const v2d m01 = s01 / n2, m34 = s34 / n2;
    const double m2 = s2 / n;
    v2d e01 = load2(ac) - m01, e34 = load2(gy) - m34;
    double e2 = ac[2] - m2;
    v2d q01 = e01 * e01, q34 = e34 * e34;
    double q2 = e2 * e2;
    for (Py_ssize_t i = 1; i < L; i++) {
        e01 = load2(ac + i * 3) - m01, e34 = load2(gy + i * 3) - m34;
        e2 = ac[i * 3 + 2] - m2;
        e01 = e01 * e01, e34 = e34 * e34;
        e2 = e2 * e2;
        q01 = q01 + e01, q34 = q34 + e34;
        q2 = q2 + e2;
    }
    const double q0 = q01[0], q1 = q01[1], q3 = q34[0], q4 = q34[1];
#else
    double s0 = ac[0], s1 = ac[1], s2 = ac[2], s3 = gy[0], s4 = gy[1];
    for (Py_ssize_t i = 1; i < L; i++) {
        const double *ar = ac + i * 3, *gr = gy + i * 3;
        s0 = s0 + ar[0], s1 = s1 + ar[1], s2 = s2 + ar[2], s3 = s3 + gr[0], s4 = s4 + gr[1];
    }
    const double m0 = s0 / n, m1 = s1 / n, m2 = s2 / n, m3 = s3 / n, m4 = s4 / n;
    double e0 = ac[0] - m0, e1 = ac[1] - m1, e2 = ac[2] - m2, e3 = gy[0] - m3, e4 = gy[1] - m4;
    double q0 = e0 * e0, q1 = e1 * e1, q2 = e2 * e2, q3 = e3 * e3, q4 = e4 * e4;
    for (Py_ssize_t i = 1; i < L; i++) {
        const double *ar = ac + i * 3, *gr = gy + i * 3;
        e0 = ar[0] - m0, e1 = ar[1] - m1, e2 = ar[2] - m2, e3 = gr[0] - m3, e4 = gr[1] - m4;
        e0 = e0 * e0, e1 = e1 * e1, e2 = e2 * e2, e3 = e3 * e3, e4 = e4 * e4;
        q0 = q0 + e0, q1 = q1 + e1, q2 = q2 + e2, q3 = q3 + e3, q4 = q4 + e4;
    }
#endif
    o[0] = sqrt(q0 / n), o[1] = sqrt(q1 / n), o[2] = sqrt(q2 / n), o[3] = sqrt(q3 / n), o[4] = sqrt(q4 / n);
}

/* window_rms(acc, gyro, a, b, out) -> None: per window k, the RMS about the mean over samples
 * [a_k, b_k) of acc's three columns and gyro's first two (`exercises.walking_edges._motion_rms`):
 * mean = the column summed in sample order / the count (numpy's mean over axis 0 of a C-ordered
 * (L,5) array), then the mean of the squared deviations the same way, then sqrt. acc, gyro (N,3),
 * a, b (K,) int64 with 0 <= a < b <= N, out (K,5) float64, C-contiguous. */
static PyObject *window_rms(PyObject *self, PyObject *args) {
    (void)self;
    Py_buffer v[5];
    if (get_args(args, 5, 4, v) < 0)
        return NULL;
    int bad = 0;
    Py_ssize_t N = 0, K = 0;
    if (!bad) {
        bad = v[0].ndim != 2 || v[0].shape[1] != 3 || v[1].ndim != 2 || v[1].shape[1] != 3 || v[2].ndim != 1 ||
              v[3].ndim != 1 || v[4].ndim != 2 || v[4].shape[1] != 5 || strcmp(v[0].format, "d") != 0 ||
              strcmp(v[1].format, "d") != 0 || strcmp(v[4].format, "d") != 0 || v[2].itemsize != 8 ||
              v[3].itemsize != 8;
    }
    if (!bad) {
        N = v[0].shape[0], K = v[2].shape[0];
        bad = v[1].shape[0] != N || v[3].shape[0] != K || v[4].shape[0] != K;
        const long long *A = v[2].buf, *Bv = v[3].buf;
        for (Py_ssize_t k = 0; k < K && !bad; k++)
            bad = A[k] < 0 || A[k] >= Bv[k] || Bv[k] > N;
    }
    if (bad)
        return bad_args(v, 5, "window_rms: acc, gyro (N,3), a, b (K,) int64 with 0 <= a < b <= N, out (K,5)");
    const double *AC = v[0].buf, *GY = v[1].buf;
    const long long *A = v[2].buf, *Bv = v[3].buf;
    double *OUT = v[4].buf;
    for (Py_ssize_t k = 0; k < K; k++)
        rms_window(AC + A[k] * 3, GY + A[k] * 3, (Py_ssize_t)(Bv[k] - A[k]), OUT + k * 5);
    release(v, 5);
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    {"window_rms", window_rms, METH_VARARGS, "window_rms(acc, gyro, a, b, out): RMS about the mean per window (see the source)"},
    {"rotations", rotations, METH_VARARGS, "rotations(w, mag, c, s, r): the Rodrigues matrices of scan.rotation_blocks"},
    {"states", states, METH_VARARGS, "states(last_t, last_v, x0, bounds, renorm, starts, ends): the chain of block starts (see the source)"},
    {"combine", combine, METH_VARARGS, "combine(t, st, out, accumulate, mask): samples from block starts (see the source)"},
    {"chain", chain, METH_VARARGS, "chain(a, x, b, mask): the blocked scan's block loop, in place (see the source)"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "hiplevel._native.scankernel", NULL, -1, methods};

PyMODINIT_FUNC PyInit_scankernel(void) { return PyModule_Create(&module); }
