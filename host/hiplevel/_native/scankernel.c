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
#include <math.h>
#include <stdlib.h>

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

/* The chain of block start states of one recurrence (as `states`): d = 3 vector (renorm) or d = 1
 * scalar (no renorm); lt (d*d values per block at stride), lv (d per block). */
static void chain_starts(int d, int renorm, Py_ssize_t nb, Py_ssize_t nc, const long long *bounds, const double *x0s,
                         const double *lt, Py_ssize_t lt_stride, const double *lv, Py_ssize_t lv_stride, double *st,
                         double *ends) {
    /* lt[e * lt_stride + q], lv[i * lv_stride + q]: last transfer matrix / zero-start state of block q */
    for (Py_ssize_t c = 0; c < nc; c++) {
        double x[3], y[3];
        for (int e = 0; e < d; e++)
            x[e] = x0s[c * d + e];
        for (Py_ssize_t q = bounds[c]; q < bounds[c + 1]; q++) {
            if (renorm) {
                double nrm = sqrt(x[0] * x[0] + x[1] * x[1] + x[2] * x[2]);
                x[0] = x[0] / nrm, x[1] = x[1] / nrm, x[2] = x[2] / nrm;
            }
            for (int e = 0; e < d; e++)
                st[e * nb + q] = x[e];
            for (int i = 0; i < d; i++) {
                double acc = lt[(i * d) * lt_stride + q] * x[0];
                for (int k = 1; k < d; k++) {
                    double p = lt[(i * d + k) * lt_stride + q] * x[k];
                    acc = acc + p;
                }
                y[i] = acc + lv[i * lv_stride + q];
            }
            for (int e = 0; e < d; e++)
                x[e] = y[e];
        }
        for (int e = 0; e < d; e++)
            ends[c * d + e] = x[e];
    }
}

/* zs[j] = a[j] @ zs[j-1] + b[j] (zs[0] = b[0]), 3-vectors, every block q at once (as `chain`). */
static void zero_start3(Py_ssize_t B, Py_ssize_t nb, const double *A, const double *b, double *zs) {
    for (Py_ssize_t e = 0; e < 3 * nb; e++)
        zs[e] = b[e];
    for (Py_ssize_t j = 1; j < B; j++) {
        const double *aj = A + j * 9 * nb, *xp = zs + (j - 1) * 3 * nb, *bj = b + j * 3 * nb;
        double *xj = zs + j * 3 * nb;
        for (int i = 0; i < 3; i++) {
            double *o = xj + i * nb;
            const double *a0 = aj + (i * 3) * nb, *a1 = a0 + nb, *a2 = a1 + nb, *bi = bj + i * nb;
            for (Py_ssize_t q = 0; q < nb; q++) {
                double v = a0[q] * xp[q];
                double p1 = a1[q] * xp[nb + q];
                v = v + p1;
                double p2 = a2[q] * xp[2 * nb + q];
                v = v + p2;
                o[q] = v + bi[q];
            }
        }
    }
}

/* out[j,i] = zs[j,i] + t[j,i,0] st[0] + t[j,i,1] st[1] + t[j,i,2] st[2], in that order (`combine`). */
static void combine3(Py_ssize_t B, Py_ssize_t nb, const double *T, const double *zs, const double *st, double *out) {
    for (Py_ssize_t j = 0; j < B; j++) {
        const double *tj = T + j * 9 * nb, *zj = zs + j * 3 * nb;
        double *oj = out + j * 3 * nb;
        for (int i = 0; i < 3; i++) {
            const double *t0 = tj + (i * 3) * nb, *t1 = t0 + nb, *t2 = t1 + nb, *zi = zj + i * nb;
            double *o = oj + i * nb;
            for (Py_ssize_t q = 0; q < nb; q++) {
                double v = zi[q];
                double p0 = t0[q] * st[q];
                v = v + p0;
                double p1 = t1[q] * st[nb + q];
                v = v + p1;
                double p2 = t2[q] * st[2 * nb + q];
                o[q] = v + p2;
            }
        }
    }
}

/* The scans of `fuse_scan` on its arrays (see there): 0, or -1 when out of memory. */
static int fuse_core(Py_ssize_t B, Py_ssize_t nb, Py_ssize_t nc, const long long *bd, const double *A, const double *P,
                     const double *K, const double *G, const double *XF, const double *XU, const double *XE, double *U,
                     double *ER, double *FE, double *LE, double *EE) {
    const Py_ssize_t n3 = B * 3 * nb;
    /* Scratch kept from call to call (a fresh block each time would be fresh pages from the system,
     * each faulted in: that cost more than the arithmetic); used with the GIL held. */
    static double *scratch = NULL;
    static size_t scratch_n = 0;
    size_t need = (size_t)(B * 9 * nb + 3 * n3 + 3 * nb + 3 * B * nb);
    if (need > scratch_n) {
        double *grown = realloc(scratch, sizeof(double) * need);
        if (grown == NULL)
            return -1;
        scratch = grown, scratch_n = need;
    }
    double *tr = scratch;
    double *zs1 = tr + B * 9 * nb, *zs2 = zs1 + n3, *b2 = zs2 + n3, *st = b2 + n3, *te = st + 3 * nb,
           *ze = te + B * nb, *g2 = ze + B * nb;
    /* transfer products: tr[0] = a[0], tr[j] = a[j] @ tr[j-1] */
    for (Py_ssize_t e = 0; e < 9 * nb; e++)
        tr[e] = A[e];
    for (Py_ssize_t j = 1; j < B; j++) {
        const double *aj = A + j * 9 * nb, *xp = tr + (j - 1) * 9 * nb;
        double *xj = tr + j * 9 * nb;
        for (int i = 0; i < 3; i++)
            for (int c = 0; c < 3; c++) {
                double *out = xj + (i * 3 + c) * nb;
                const double *a0 = aj + (i * 3) * nb, *a1 = a0 + nb, *a2 = a1 + nb;
                const double *x0 = xp + c * nb, *x1 = xp + (3 + c) * nb, *x2 = xp + (6 + c) * nb;
                for (Py_ssize_t q = 0; q < nb; q++) {
                    double s = a0[q] * x0[q];
                    double p1 = a1[q] * x1[q];
                    s = s + p1;
                    double p2 = a2[q] * x2[q];
                    out[q] = s + p2;
                }
            }
    }
    const double *lt = tr + (B - 1) * 9 * nb;
    /* first solution */
    zero_start3(B, nb, A, P, zs1);
    chain_starts(3, 1, nb, nc, bd, XF, lt, nb, zs1 + (B - 1) * 3 * nb, nb, st, FE);
    combine3(B, nb, tr, zs1, st, zs2); /* zs2 holds the first solution u1 for now */
    /* the pull scaled by the norm of u1's previous state (1 at a block's first sample) */
    for (Py_ssize_t e = 0; e < 3 * nb; e++)
        b2[e] = P[e] * 1.0;
    for (Py_ssize_t j = 1; j < B; j++) {
        const double *up = zs2 + (j - 1) * 3 * nb, *pj = P + j * 3 * nb;
        double *bj = b2 + j * 3 * nb;
        for (Py_ssize_t q = 0; q < nb; q++) {
            double sc = sqrt(up[q] * up[q] + up[nb + q] * up[nb + q] + up[2 * nb + q] * up[2 * nb + q]);
            bj[q] = pj[q] * sc, bj[nb + q] = pj[nb + q] * sc, bj[2 * nb + q] = pj[2 * nb + q] * sc;
        }
    }
    /* second solution */
    zero_start3(B, nb, A, b2, zs2);
    chain_starts(3, 1, nb, nc, bd, XU, lt, nb, zs2 + (B - 1) * 3 * nb, nb, st, LE);
    combine3(B, nb, tr, zs2, st, U);
    /* error scan: keep = 1 - kb; te = keep products, ze = zero-start states of keep * grow */
    for (Py_ssize_t e = 0; e < B * nb; e++) {
        double keep = 1.0 - K[e];
        g2[e] = keep * G[e];
    }
    for (Py_ssize_t q = 0; q < nb; q++)
        te[q] = 1.0 - K[q], ze[q] = g2[q];
    for (Py_ssize_t j = 1; j < B; j++)
        for (Py_ssize_t q = 0; q < nb; q++) {
            double keep = 1.0 - K[j * nb + q];
            te[j * nb + q] = keep * te[(j - 1) * nb + q];
            double z = keep * ze[(j - 1) * nb + q];
            ze[j * nb + q] = z + g2[j * nb + q];
        }
    chain_starts(1, 0, nb, nc, bd, XE, te + (B - 1) * nb, nb, ze + (B - 1) * nb, nb, st, EE);
    for (Py_ssize_t j = 0; j < B; j++)
        for (Py_ssize_t q = 0; q < nb; q++) {
            double p = te[j * nb + q] * st[q];
            ER[j * nb + q] = ze[j * nb + q] + p;
        }
    return 0;
}

/* fuse_scan(a, pull, kb, grow, x_first, x_up, x_err, bounds, u, err, first_end, last_end, err_end):
 * the scans of one group of `fusion_scan.run_passes` in one call, the same arithmetic in the same order:
 * the transfer products of a, the renormalised scan of the pull from x_first, the pull scaled by
 * the norm of that solution's previous state (`einsum` of the three squares, in order), the
 * renormalised scan of it from x_up into u (B,3,nb), and the error scan (keep = 1 - kb, its
 * b = keep * grow) from x_err into err (B,nb). a (B,3,3,nb), pull (B,3,nb), kb and grow (B,nb);
 * x_first, x_up (nc,3), x_err (nc,); bounds (nc+1,) int64: the chains' first blocks, then nb;
 * first_end, last_end (nc,3), err_end (nc,): the states after each chain's last block. */
static PyObject *fuse_scan(PyObject *self, PyObject *args) {
    (void)self;
    Py_buffer v[13];
    if (get_args(args, 13, 8, v) < 0)
        return NULL;
    int bad = 0;
    Py_ssize_t B = 0, nb = 0, nc = 0;
    if (!bad) {
        bad = v[0].ndim != 4 || v[7].ndim != 1 || v[7].itemsize != 8;
        for (int i = 0; i < 13 && !bad; i++)
            if (i != 7)
                bad = v[i].itemsize != 8 || strcmp(v[i].format, "d") != 0;
    }
    if (!bad) {
        B = v[0].shape[0], nb = v[0].shape[3], nc = v[7].shape[0] - 1;
        bad = v[0].shape[1] != 3 || v[0].shape[2] != 3 || nc < 1 || v[1].len != B * 3 * nb * 8 ||
              v[2].len != B * nb * 8 || v[3].len != B * nb * 8 || v[4].len != nc * 3 * 8 || v[5].len != nc * 3 * 8 ||
              v[6].len != nc * 8 || v[8].len != B * 3 * nb * 8 || v[9].len != B * nb * 8 ||
              v[10].len != nc * 3 * 8 || v[11].len != nc * 3 * 8 || v[12].len != nc * 8;
    }
    if (!bad) {
        const long long *bd = (const long long *)v[7].buf;
        bad = bd[0] != 0 || bd[nc] != nb;
        for (Py_ssize_t c = 0; c < nc && !bad; c++)
            bad = bd[c] > bd[c + 1];
    }
    if (bad)
        return bad_args(v, 13, "fuse_scan: a (B,3,3,nb), pull (B,3,nb), kb, grow (B,nb), states (nc,3)");
    const double *A = v[0].buf, *P = v[1].buf, *K = v[2].buf, *G = v[3].buf, *XF = v[4].buf, *XU = v[5].buf,
                 *XE = v[6].buf;
    const long long *bd = (const long long *)v[7].buf;
    double *U = v[8].buf, *ER = v[9].buf, *FE = v[10].buf, *LE = v[11].buf, *EE = v[12].buf;
    if (fuse_core(B, nb, nc, bd, A, P, K, G, XF, XU, XE, U, ER, FE, LE, EE) < 0) {
        release(v, 13);
        return PyErr_NoMemory();
    }
    release(v, 13);
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

/* window_rms(acc, gyro, a, b, out) -> None: per window k, the RMS about the mean over samples
 * [a_k, b_k) of acc's three columns and gyro's first two (`exercises.walking._motion_rms`):
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
    for (Py_ssize_t k = 0; k < K; k++) {
        Py_ssize_t a = (Py_ssize_t)A[k], b = (Py_ssize_t)Bv[k];
        double n = (double)(b - a);
        for (int col = 0; col < 5; col++) {
            const double *x = col < 3 ? AC + col : GY + (col - 3);
            double sum = x[a * 3];
            for (Py_ssize_t i = a + 1; i < b; i++)
                sum = sum + x[i * 3];
            double mean = sum / n;
            double d = x[a * 3] - mean;
            double sq = d * d;
            for (Py_ssize_t i = a + 1; i < b; i++) {
                double e = x[i * 3] - mean;
                double e2 = e * e;
                sq = sq + e2;
            }
            OUT[k * 5 + col] = sqrt(sq / n);
        }
    }
    release(v, 5);
    Py_RETURN_NONE;
}

/* angles(w, dt, theta) -> None: the rotation angle of each sample in the blocked layout of
 * `scan.rotation_blocks` (sample i = q * B + j at [j, q]; padding 0): theta = |w| * dt with
 * |w| = sqrt(w0*w0 + w1*w1 + w2*w2) summed in that order (numpy's einsum). w (n,3), dt (n,) or
 * (1,) (one step for all), theta (B,nb) with nb = max(1, ceil(n / B)), float64, C-contiguous.
 * numpy takes the cosine and sine of theta (the transcendental functions stay numpy's). */
static PyObject *angles(PyObject *self, PyObject *args) {
    (void)self;
    Py_buffer v[3];
    if (get_args(args, 3, 2, v) < 0)
        return NULL;
    Py_ssize_t n = v[0].ndim == 2 ? v[0].shape[0] : -1, B = 0, nb = 0;
    int bad = n < 0 || !is_f64(&v[0], 3 * n) || v[2].ndim != 2 || !(is_f64(&v[1], n) || is_f64(&v[1], 1));
    if (!bad) {
        B = v[2].shape[0], nb = v[2].shape[1];
        bad = B < 1 || !is_f64(&v[2], B * nb) || nb != (n > 0 ? (n + B - 1) / B : 1);
    }
    if (bad)
        return bad_args(v, 3, "angles: w (n,3), dt (n,) or (1,), theta (B, max(1, ceil(n/B))) float64");
    const double *W = v[0].buf, *DT = v[1].buf;
    double *TH = v[2].buf;
    int one = v[1].len == 8 && n != 1;
    for (Py_ssize_t q = 0; q < nb; q++)
        for (Py_ssize_t j = 0; j < B; j++) {
            Py_ssize_t i = q * B + j;
            if (i < n) {
                const double *w = W + 3 * i;
                double m = sqrt(w[0] * w[0] + w[1] * w[1] + w[2] * w[2]);
                TH[j * nb + q] = m * DT[one ? 0 : i];
            } else {
                TH[j * nb + q] = 0.0 * 0.0;
            }
        }
    release(v, 3);
    Py_RETURN_NONE;
}

/* The Rodrigues matrix r (row-major 3x3) of `rotations` for one sample: w (its rate, 0 for
 * padding), c = cos(theta), s = -sin(theta) from numpy. */
static inline void rodrigues(const double *w, double c, double s, double *r) {
    double mag = sqrt(w[0] * w[0] + w[1] * w[1] + w[2] * w[2]);
    double m = mag > 0.0 ? mag : 1.0;
    double kx = w[0] / m, ky = w[1] / m, kz = w[2] / m;
    double oc = 1.0 - c;
    double sx = s * kx, sy = s * ky, sz = s * kz;
    double ocx = oc * kx, ocy = oc * ky, ocz = oc * kz;
    double oxy = ocx * ky, oxz = ocx * kz, oyz = ocy * kz;
    double dxx = ocx * kx, dyy = ocy * ky, dzz = ocz * kz;
    r[0] = c + dxx, r[1] = oxy - sz, r[2] = oxz + sy;
    r[3] = oxy + sz, r[4] = c + dyy, r[5] = oyz - sx;
    r[6] = oxz - sy, r[7] = oyz + sx, r[8] = c + dzz;
}

/* x (3x3 or 3x1, m columns) = a (3x3) @ p: each element a0*p0, + a1*p1, + a2*p2 (`scan._mat`). */
static inline void mat3(const double *a, const double *p, int m, double *x) {
    for (int i = 0; i < 3; i++)
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

/* out = zs + t0*st0 + t1*st1 + t2*st2 in that order (`combine3`), 3-vectors. */
static inline void combine_vec(const double *t, const double *zs, const double *st, double *out) {
    for (int i = 0; i < 3; i++) {
        double v = zs[i];
        double p0 = t[i * 3] * st[0];
        v = v + p0;
        double p1 = t[i * 3 + 1] * st[1];
        v = v + p1;
        double p2 = t[i * 3 + 2] * st[2];
        out[i] = v + p2;
    }
}

/* x0*x0 + x1*x1 + x2*x2 as numpy's einsum("ij,ij->i") sums a row of three: (x0*x0 + x2*x2) + x1*x1
 * (its two-lane loop; `fusion_scan._einsum_rows_ok` checks it at run time, else the numpy path runs). */
static inline double rowsq3(const double *x) {
    double p0 = x[0] * x[0], p1 = x[1] * x[1], p2 = x[2] * x[2];
    double s = p0 + p2;
    return s + p1;
}

static inline void renorm3(double *x) {
    double nrm = sqrt(x[0] * x[0] + x[1] * x[1] + x[2] * x[2]);
    x[0] = x[0] / nrm, x[1] = x[1] / nrm, x[2] = x[2] / nrm;
}

#define FB 64 /* scan.SCAN_BLOCK: the block the numpy path and `angles` lay samples out in */
#define DEG_RAD (3.141592653589793 / 180.0)

/* fuse_group(params, passes, x_first, x_up, x_err, first_end, last_end, err_end) -> None: one
 * group of `fusion_scan.run_passes`, every pass a chain of its own: per sample the accelerometer fraction k,
 * |a| and |w| (`fusion.accel_fraction`; their squares summed as numpy's einsum sums a row,
 * `rowsq3`), the pull k a / |a| and the error growth
 * cross * |w| * |dt|, the Rodrigues matrix from numpy's cos and -sin of `angles`, a = R (1 - k);
 * then per block in order the scans of `fuse_scan` (transfer products, the renormalised scan from
 * x_first, the pull scaled by the norm of that solution's previous state, the renormalised scan
 * from x_up, the error scan from x_err), and each sample's up-vector normalised (`_run`) and its
 * error estimate. Every operation as the numpy path rounds it, in its order; blocks are
 * independent but for the chain of start states, so doing them one after the other gives the
 * same bits as the numpy path's all-blocks-at-once steps.
 * params: (move_gain, rest_gain, acc_tolerance_g, turn_rate_dps, cross_axis_fraction);
 * passes: tuple of (acc (m,3), w (m,3) rad/s, dt (m,), rest (m,) 1 byte, c, s (64, nb)
 * with nb = max(1, ceil(m/64)), up_out (m,3), err_out (m,)); x_first, x_up (nc,3), x_err (nc,),
 * first_end, last_end (nc,3), err_end (nc,): the states before and after the group. */
static PyObject *fuse_group(PyObject *self, PyObject *args) {
    (void)self;
    double move_gain, rest_gain, tol, turn, cross;
    PyObject *passes, *so[6];
    if (!PyArg_ParseTuple(args, "(ddddd)O!OOOOOO", &move_gain, &rest_gain, &tol, &turn, &cross, &PyTuple_Type,
                          &passes, &so[0], &so[1], &so[2], &so[3], &so[4], &so[5]))
        return NULL;
    Py_ssize_t nc = PyTuple_GET_SIZE(passes);
    if (nc < 1 || nc > 16) {
        PyErr_SetString(PyExc_ValueError, "fuse_group: 1 to 16 passes");
        return NULL;
    }
    /* the states (6), then 8 per pass: acc, w, dt, rest, c, s, up_out, err_out */
    Py_buffer v[6 + 8 * 16];
    for (int i = 0; i < 6; i++)
        if (get(so[i], &v[i], i >= 3) < 0) {
            release(v, i);
            return NULL;
        }
    int held = 6;
    for (Py_ssize_t ch = 0; ch < nc; ch++) {
        PyObject *pass = PyTuple_GET_ITEM(passes, ch);
        if (!PyTuple_Check(pass) || PyTuple_GET_SIZE(pass) != 8) {
            release(v, held);
            PyErr_SetString(PyExc_TypeError, "fuse_group: each pass (acc, w, dt, rest, c, s, up_out, err_out)");
            return NULL;
        }
        if (get_args(pass, 8, 6, v + held) < 0) {
            release(v, held);
            return NULL;
        }
        held += 8;
    }
    int bad = !is_f64(&v[0], 3 * nc) || !is_f64(&v[1], 3 * nc) || !is_f64(&v[2], nc) || !is_f64(&v[3], 3 * nc) ||
              !is_f64(&v[4], 3 * nc) || !is_f64(&v[5], nc);
    long long bd[17];
    bd[0] = 0;
    for (Py_ssize_t ch = 0; ch < nc && !bad; ch++) {
        Py_buffer *p = v + 6 + 8 * ch;
        Py_ssize_t m = p[0].ndim == 2 ? p[0].shape[0] : -1, nb = m > 0 ? (m + FB - 1) / FB : 1;
        bad = m < 0 || !is_f64(&p[0], 3 * m) || !is_f64(&p[1], 3 * m) || !is_f64(&p[2], m) || p[3].itemsize != 1 ||
              p[3].len != m || !is_f64(&p[4], FB * nb) || !is_f64(&p[5], FB * nb) || !is_f64(&p[6], 3 * m) ||
              !is_f64(&p[7], m);
        bd[ch + 1] = bd[ch] + nb;
    }
    if (bad)
        return bad_args(v, held, "fuse_group: states (nc,3), (nc,); acc, w (m,3), dt (m,), rest (m,) 1 byte, c, s "
                                 "(64, ceil(m/64)), up (m,3), err (m,) float64");
    const Py_ssize_t NB = (Py_ssize_t)bd[nc], B = FB;
    /* the group's blocked arrays (as the numpy path's a, pull, kb, grow, u, err), kept from call to
     * call (fresh pages cost more than the arithmetic); used with the GIL held */
    static double *scratch = NULL;
    static size_t scratch_n = 0;
    size_t need = (size_t)(B * NB * (9 + 3 + 1 + 1 + 3 + 1));
    if (need > scratch_n) {
        double *grown = realloc(scratch, sizeof(double) * need);
        if (grown == NULL) {
            release(v, held);
            return PyErr_NoMemory();
        }
        scratch = grown, scratch_n = need;
    }
    double *A = scratch, *P = A + B * 9 * NB, *K = P + B * 3 * NB, *G = K + B * NB, *U = G + B * NB,
           *ER = U + B * 3 * NB;
    static const double zero3[3] = {0.0, 0.0, 0.0};
    for (Py_ssize_t ch = 0; ch < nc; ch++) {
        Py_buffer *p = v + 6 + 8 * ch;
        const Py_ssize_t m = p[0].shape[0], nb = (Py_ssize_t)(bd[ch + 1] - bd[ch]), off = (Py_ssize_t)bd[ch];
        const double *AC = p[0].buf, *W = p[1].buf, *DT = p[2].buf, *C = p[4].buf, *S = p[5].buf;
        const unsigned char *REST = p[3].buf;
        for (Py_ssize_t j = 0; j < B; j++) /* along the blocked arrays' rows (their memory order) */
            for (Py_ssize_t q = 0; q < nb; q++) {
                Py_ssize_t i = q * B + j, col = off + q;
                double r[9], k = 0.0, grow = 0.0, pull[3] = {0.0, 0.0, 0.0};
                const double *w = i < m ? W + 3 * i : zero3;
                rodrigues(w, C[j * nb + q], S[j * nb + q], r);
                if (i < m) {
                    const double *a = AC + 3 * i;
                    double norm_a = sqrt(rowsq3(a)), mag = sqrt(rowsq3(w));
                    double adt = fabs(DT[i]), gain = REST[i] ? rest_gain : move_gain;
                    double weight = tol > 0 ? 1.0 - fabs(norm_a - 1.0) / tol : 0.0;
                    int use = weight > 0.0 && norm_a > 0.0 && gain > 0;
                    if (turn > 0) {
                        double rate = mag / DEG_RAD / turn;
                        double rr = rate * rate;
                        weight = weight / (1.0 + rr);
                    }
                    if (use) {
                        double x = gain * adt;
                        x = x * weight;
                        k = 1.0 <= x ? 1.0 : x; /* np.minimum(1.0, x): a NaN stays */
                    }
                    double na = norm_a > 0.0 ? norm_a : 1.0;
                    for (int e = 0; e < 3; e++) {
                        double ka = k * a[e];
                        pull[e] = ka / na;
                    }
                    double cm = cross * mag;
                    grow = cm * adt;
                }
                double keep = 1.0 - k;
                for (int e = 0; e < 9; e++)
                    A[(j * 9 + e) * NB + col] = r[e] * keep;
                for (int e = 0; e < 3; e++)
                    P[(j * 3 + e) * NB + col] = pull[e];
                K[j * NB + col] = k, G[j * NB + col] = grow;
            }
    }
    const double *XF = v[0].buf, *XU = v[1].buf, *XE = v[2].buf;
    double *FE = v[3].buf, *LE = v[4].buf, *EE = v[5].buf;
    if (fuse_core(B, NB, nc, bd, A, P, K, G, XF, XU, XE, U, ER, FE, LE, EE) < 0) {
        release(v, held);
        return PyErr_NoMemory();
    }
    for (Py_ssize_t ch = 0; ch < nc; ch++) {
        Py_buffer *p = v + 6 + 8 * ch;
        const Py_ssize_t m = p[0].shape[0], nb = (Py_ssize_t)(bd[ch + 1] - bd[ch]), off = (Py_ssize_t)bd[ch];
        double *UP = p[6].buf, *EO = p[7].buf;
        for (Py_ssize_t j = 0; j < B; j++)
            for (Py_ssize_t q = 0; q < nb; q++) {
                Py_ssize_t i = q * B + j, col = off + q;
                if (i >= m)
                    break;
                double u[3] = {U[(j * 3) * NB + col], U[(j * 3 + 1) * NB + col], U[(j * 3 + 2) * NB + col]};
                double nrm = sqrt(rowsq3(u));
                UP[3 * i] = u[0] / nrm, UP[3 * i + 1] = u[1] / nrm, UP[3 * i + 2] = u[2] / nrm;
                EO[i] = ER[j * NB + col];
            }
    }
    release(v, held);
    Py_RETURN_NONE;
}

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
                for (; need < 4 * ns && SNAP_AT(need) == i; need++)
                    memcpy(snap + 9 * need, cur, sizeof cur);
                for (int e = 0; e < 9; e++)
                    cur[e] = i == 0 ? pj[e] : cur[e] + pj[e];
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

/* blend(fwd, e_f, bwd, e_b, floor2) -> None, in place on fwd: the forward and backward passes of
 * `fusion.fuse_passes` weighted by their error estimates and normalised. bwd and e_b in the
 * backward pass' order (sample i at n-1-i). Per sample: w = 1 / (e*e + floor2) for each pass,
 * s = fwd w_f + bwd w_b, s / sqrt(s0*s0 + s1*s1 + s2*s2) (np.linalg.norm's order), each operation
 * rounded as numpy's. fwd, bwd (n,3), e_f, e_b (n,) float64, C-contiguous. */
static PyObject *blend(PyObject *self, PyObject *args) {
    (void)self;
    double floor2;
    PyObject *o[4];
    if (!PyArg_ParseTuple(args, "OOOOd", &o[0], &o[1], &o[2], &o[3], &floor2))
        return NULL;
    Py_buffer v[4];
    for (int i = 0; i < 4; i++)
        if (get(o[i], &v[i], i == 0) < 0) {
            release(v, i);
            return NULL;
        }
    Py_ssize_t n = v[0].ndim == 2 ? v[0].shape[0] : -1;
    if (n < 0 || !is_f64(&v[0], 3 * n) || !is_f64(&v[1], n) || !is_f64(&v[2], 3 * n) || !is_f64(&v[3], n))
        return bad_args(v, 4, "blend: fwd, bwd (n,3), e_f, e_b (n,) float64");
    double *F = v[0].buf;
    const double *EF = v[1].buf, *BW = v[2].buf, *EB = v[3].buf;
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_ssize_t r = n - 1 - i;
        double ef = EF[i] * EF[i], eb = EB[r] * EB[r];
        double wf = 1.0 / (ef + floor2), wb = 1.0 / (eb + floor2);
        double x[3];
        for (int e = 0; e < 3; e++) {
            double f = F[3 * i + e] * wf, b = BW[3 * r + e] * wb;
            x[e] = f + b;
        }
        double p0 = x[0] * x[0], p1 = x[1] * x[1], p2 = x[2] * x[2];
        double s2 = p0 + p1;
        s2 = s2 + p2;
        double nrm = sqrt(s2);
        for (int e = 0; e < 3; e++)
            F[3 * i + e] = x[e] / nrm;
    }
    release(v, 4);
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    {"blend", blend, METH_VARARGS, "blend(fwd, e_f, bwd, e_b, floor2): fuse_passes' blend (see the source)"},
    {"angles", angles, METH_VARARGS, "angles(w, dt, theta): the blocked rotation angles (see the source)"},
    {"fuse_group", fuse_group, METH_VARARGS, "fuse_group(...): one group of fusion_scan.run_passes (see the source)"},
    {"segment_rot", segment_rot, METH_VARARGS, "segment_rot(w, c, s, first, out[, bounds, ref]) (see the source)"},
    {"window_rms", window_rms, METH_VARARGS, "window_rms(acc, gyro, a, b, out): RMS about the mean per window (see the source)"},
    {"rotations", rotations, METH_VARARGS, "rotations(w, mag, c, s, r): the Rodrigues matrices of scan.rotation_blocks"},
    {"fuse_scan", fuse_scan, METH_VARARGS, "fuse_scan(...): the scans of one group of fusion_scan.run_passes (see the source)"},
    {"states", states, METH_VARARGS, "states(last_t, last_v, x0, bounds, renorm, starts, ends): the chain of block starts (see the source)"},
    {"combine", combine, METH_VARARGS, "combine(t, st, out, accumulate, mask): samples from block starts (see the source)"},
    {"chain", chain, METH_VARARGS, "chain(a, x, b, mask): the blocked scan's block loop, in place (see the source)"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "hiplevel._native.scankernel", NULL, -1, methods};

PyMODINIT_FUNC PyInit_scankernel(void) { return PyModule_Create(&module); }
