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
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>

static int get(PyObject *o, Py_buffer *v, int writable, const char *what) {
    int flags = PyBUF_C_CONTIGUOUS | PyBUF_FORMAT | PyBUF_ND | (writable ? PyBUF_WRITABLE : 0);
    if (PyObject_GetBuffer(o, v, flags) < 0)
        return -1;
    (void)what;
    return 0;
}

static PyObject *chain(PyObject *self, PyObject *args) {
    PyObject *ao, *xo, *bo, *mo;
    (void)self;
    if (!PyArg_ParseTuple(args, "OOOO", &ao, &xo, &bo, &mo))
        return NULL;
    Py_buffer a, x, b, m;
    int have_b = bo != Py_None, have_m = mo != Py_None;
    if (get(ao, &a, 0, "a") < 0)
        return NULL;
    if (get(xo, &x, 1, "x") < 0) {
        PyBuffer_Release(&a);
        return NULL;
    }
    if (have_b && get(bo, &b, 0, "b") < 0) {
        PyBuffer_Release(&a);
        PyBuffer_Release(&x);
        return NULL;
    }
    if (have_m && get(mo, &m, 0, "mask") < 0) {
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
    if (get(to, &t, 0, "t") < 0)
        return NULL;
    if (get(so, &st, 0, "st") < 0) {
        PyBuffer_Release(&t);
        return NULL;
    }
    if (get(oo, &out, 1, "out") < 0) {
        PyBuffer_Release(&t);
        PyBuffer_Release(&st);
        return NULL;
    }
    if (have_m && get(mo, &m, 0, "mask") < 0) {
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
        if (get(objs[got], bufs[got], got >= 4, "") < 0)
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

static PyMethodDef methods[] = {
    {"states", states, METH_VARARGS, "states(last_t, last_v, x0, bounds, renorm, starts, ends): the chain of block starts (see the source)"},
    {"combine", combine, METH_VARARGS, "combine(t, st, out, accumulate, mask): samples from block starts (see the source)"},
    {"chain", chain, METH_VARARGS, "chain(a, x, b, mask): the blocked scan's block loop, in place (see the source)"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "hiplevel._native.scankernel", NULL, -1, methods};

PyMODINIT_FUNC PyInit_scankernel(void) { return PyModule_Create(&module); }
