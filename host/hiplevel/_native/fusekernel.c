/* Optional compiled kernel: the offline fusion's scans (`signal.fusion_scan`, `signal.fusion`).
 *
 * fuse_scan: the scans of one fusion group from its blocked arrays (the numpy path's arithmetic, to
 * the bit); fuse_pass, fuse_pair: a whole pass (two side by side) from the samples on, step by step
 * (the same recurrences, within a few units in the last place; fuse_pass.h); blend: the weighted blend of the forward and backward passes (to
 * the bit). Built with -ffp-contract=off and summing in numpy's order.
 */
#include "args.h"
#include "rotation.h"
#include <math.h>
#include <stdlib.h>

/* The per-block loops run along independent columns q: vectorising them (SSE2, two columns a step;
 * wider in the VECTOR_CLONES of fuse_terms.h) keeps each element's operations and their order, so
 * the same bits in fewer instructions. */
#pragma GCC optimize("tree-vectorize", "vect-cost-model=dynamic")

#include "fuse_terms.h" /* after the pragma: its loops vectorised alike */

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

/* The scans of `fuse_scan` on its arrays (see there): 0, or -1 when out of memory. Its loops run along
 * the blocks' columns, as wide as the CPU's vectors (VECTOR_CLONES, the helpers inlined: flatten). */
VECTOR_CLONES __attribute__((flatten))
static int fuse_core(Py_ssize_t B, Py_ssize_t nb, Py_ssize_t nc, const long long *bd, const double *A, const double *P,
                     const double *K, const double *G, const double *XF, const double *XU, const double *XE, double *U,
                     double *ER, double *FE, double *LE, double *EE) {
    const Py_ssize_t n3 = B * 3 * nb;
    static double *scratch = NULL; /* `kept_scratch` */
    static size_t scratch_n = 0;
    if (kept_scratch(&scratch, &scratch_n, (size_t)(B * 9 * nb + 3 * n3 + 3 * nb + 3 * B * nb)) == NULL)
        return -1;
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

#include "fuse_pass.h" /* fuse_pass and fuse_pair: whole passes step by step, two in vector lanes */

/* One row of `blend` (see there): f (3, in place) from its error ef, b (3) from its error eb. */
static inline __attribute__((always_inline)) void blend_one(double *f, double ef_raw, const double *b, double eb_raw,
                                                            double floor2) {
    double ef = ef_raw * ef_raw, eb = eb_raw * eb_raw;
    double wf = 1.0 / (ef + floor2), wb = 1.0 / (eb + floor2);
    const double f0 = f[0] * wf, f1 = f[1] * wf, f2 = f[2] * wf;
    const double b0 = b[0] * wb, b1 = b[1] * wb, b2 = b[2] * wb;
    const double x0 = f0 + b0, x1 = f1 + b1, x2 = f2 + b2;
    double p0 = x0 * x0, p1 = x1 * x1, p2 = x2 * x2;
    double s2 = p0 + p1;
    s2 = s2 + p2;
    double nrm = sqrt(s2);
    f[0] = x0 / nrm, f[1] = x1 / nrm, f[2] = x2 / nrm;
}

/* `blend`'s rows on arrays apart, bwd and e_b already in fwd's order (BW's row i, EB[i]: `blend`'s
 * rows n - 1 - i): a loop that vectorises, as wide as the CPU's vectors (VECTOR_CLONES); each row's
 * operations as `blend_one`'s. */
VECTOR_CLONES
static void blend_rows(Py_ssize_t n, double *restrict F, const double *restrict EF, const double *restrict BW,
                       const double *restrict EB, double floor2) {
    for (Py_ssize_t i = 0; i < n; i++)
        blend_one(F + 3 * i, EF[i], BW + 3 * i, EB[i], floor2);
}

enum { BLEND_PIECE = 4096 }; /* rows of bwd turned into fwd's order at a time (in cache) */

/* `blend` on arrays apart: pieces of bwd and e_b copied into fwd's order (kept scratch), then
 * `blend_rows` (a loop with the backward index does not vectorise). 0, or -1 when out of memory. */
static int blend_apart(Py_ssize_t n, double *F, const double *EF, const double *BW, const double *EB, double floor2) {
    static double *scratch = NULL; /* `kept_scratch` */
    static size_t scratch_n = 0;
    if (kept_scratch(&scratch, &scratch_n, 4 * BLEND_PIECE) == NULL)
        return -1;
    double *restrict RB = scratch, *restrict RE = scratch + 3 * BLEND_PIECE;
    for (Py_ssize_t i0 = 0; i0 < n; i0 += BLEND_PIECE) {
        const Py_ssize_t k = n - i0 < BLEND_PIECE ? n - i0 : BLEND_PIECE;
        const double *bw = BW + 3 * (n - 1 - i0), *eb = EB + (n - 1 - i0);
        for (Py_ssize_t i = 0; i < k; i++, bw -= 3, eb--) {
            memcpy(RB + 3 * i, bw, 3 * sizeof(double));
            RE[i] = *eb;
        }
        blend_rows(k, F + 3 * i0, EF + i0, RB, RE, floor2);
    }
    return 0;
}

static inline int apart(const Py_buffer *a, const Py_buffer *b) {
    const char *x = a->buf, *y = b->buf;
    return x + a->len <= y || y + b->len <= x;
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
    if (apart(&v[0], &v[1]) && apart(&v[0], &v[2]) && apart(&v[0], &v[3])) {
        if (blend_apart(n, v[0].buf, v[1].buf, v[2].buf, v[3].buf, floor2) < 0) {
            release(v, 4);
            return PyErr_NoMemory();
        }
    } else /* fwd shares memory with another: row by row, as the numpy path's in-place steps go */
        for (Py_ssize_t i = 0; i < n; i++)
            blend_one((double *)v[0].buf + 3 * i, ((const double *)v[1].buf)[i],
                      (const double *)v[2].buf + 3 * (n - 1 - i), ((const double *)v[3].buf)[n - 1 - i], floor2);
    release(v, 4);
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    {"accel_fraction", accel_fraction, METH_VARARGS, "accel_fraction(...): fusion.accel_fraction (see the source)"},
    {"blend", blend, METH_VARARGS, "blend(fwd, e_f, bwd, e_b, floor2): fuse_passes' blend (see the source)"},
    {"fuse_pass", fuse_pass, METH_VARARGS, "fuse_pass(...): one pass of fusion_scan.run_passes (see fuse_pass.h)"},
    {"fuse_pair", fuse_pair, METH_VARARGS, "fuse_pair(...): two passes of fusion_scan.run_passes side by side (see fuse_pass.h)"},
    {"fuse_scan", fuse_scan, METH_VARARGS, "fuse_scan(...): the scans of one group of fusion_scan.run_passes (see the source)"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "hiplevel._native.fusekernel", NULL, -1, methods};

PyMODINIT_FUNC PyInit_fusekernel(void) { return PyModule_Create(&module); }
