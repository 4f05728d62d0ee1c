/* Optional compiled kernel of the recursive filters: the block loop of the blocked biquad
 * (`signal.biquad._section_blocked`) and the forward-backward pass of the walking stance-side
 * chain (`exercises.walking_side.StanceSideDecider.decide`).
 *
 * biquad_blocks(xs, y, z0, z1, tail0, tail1, b0, b1, b2, a1, a2, r) -> None:
 *   for j = 0 .. L-1, every column i (a block of a signal column, from a zero state):
 *     y[j,i] = b0*x + z0;  t = b1*x - a1*y + z1;  z1 = b2*x - a2*y;  z0 = t
 *   and tail0/tail1 = z0/z1 after step j = r-1.
 * xs and y (L, M), z0, z1, tail0, tail1 (M,) float64, C-contiguous; z0 and z1 hold the start
 * states (zeros) and end with the final ones. Every product and sum is rounded on its own, in
 * the numpy loop's order (built with -ffp-contract=off): the results are that loop's to the bit.
 *
 * biquad_section(...) and filtfilt(...) -> None: one whole blocked section, and the whole zero-phase
 * filter (`biquad.sosfiltfilt`: extension, both passes, the middle's copy) from the same steps (see
 * each below).
 *
 * forward_backward(em, repeat, fwd, bwd) -> None: the two log-space recursions of `decide` on
 *   em (n, 2) (log emissions of left and right), repeat (n-1,) (probability that step k+1 repeats
 *   step k's foot), into fwd (n, 2) (row 0 given) and bwd (n, 2) (row n-1 given); the same
 *   operations as the Python loop on floats, with the C library's log and exp (Python's math.log
 *   and math.exp call them): the results to the bit.
 */
#include "args.h"
#include "vectors.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* One sample through a transposed direct-form II biquad section (scipy's sosfilt order of
 * operations, each product and sum rounded alone): returns y and updates the state z0, z1. */
static inline double biquad_step(double b0, double b1, double b2, double a1, double a2, double xv, double *z0,
                                 double *z1) {
    double yv = b0 * xv;
    yv = yv + *z0;
    double t = b1 * xv;
    t = t - a1 * yv;
    t = t + *z1;
    double u = b2 * xv;
    u = u - a2 * yv;
    *z0 = t;
    *z1 = u;
    return yv;
}

static PyObject *biquad_blocks(PyObject *self, PyObject *args) {
    PyObject *o[6];
    double b0, b1, b2, a1, a2;
    Py_ssize_t r;
    (void)self;
    if (!PyArg_ParseTuple(args, "OOOOOOdddddn", &o[0], &o[1], &o[2], &o[3], &o[4], &o[5], &b0, &b1, &b2, &a1, &a2,
                          &r))
        return NULL;
    Py_buffer v[6];
    if (get_objs(o, 6, 1, 1, v) < 0)
        return NULL;
    Py_ssize_t L = v[0].ndim == 2 ? v[0].shape[0] : -1, M = v[0].ndim == 2 ? v[0].shape[1] : -1;
    int bad = L < 1 || v[1].ndim != 2 || v[1].shape[0] != L || v[1].shape[1] != M || r < 1 || r > L;
    for (int i = 2; i < 6 && !bad; i++)
        bad = v[i].ndim != 1 || v[i].shape[0] != M;
    if (bad)
        return bad_args(v, 6, "biquad_blocks: xs, y (L, M); z0, z1, tail0, tail1 (M,); 1 <= r <= L");
    const double *x = (const double *)v[0].buf;
    double *y = (double *)v[1].buf, *z0 = (double *)v[2].buf, *z1 = (double *)v[3].buf;
    double *tail0 = (double *)v[4].buf, *tail1 = (double *)v[5].buf;
    Py_BEGIN_ALLOW_THREADS
    for (Py_ssize_t j = 0; j < L; j++) {
        const double *xj = x + j * M;
        double *yj = y + j * M;
        for (Py_ssize_t i = 0; i < M; i++) {
            double xv = xj[i];
            yj[i] = biquad_step(b0, b1, b2, a1, a2, xv, &z0[i], &z1[i]);
        }
        if (j == r - 1) {
            memcpy(tail0, z0, (size_t)M * sizeof(double));
            memcpy(tail1, z1, (size_t)M * sizeof(double));
        }
    }
    Py_END_ALLOW_THREADS
    release(v, 6);
    Py_RETURN_NONE;
}

/* The chain of block start states of `biquad._chain_states`: states out (Q, m, 2) of
 * s_(q+1) = T s_q + u_q from s0 (m, 2), u (Q, m, 2). Level `lv` of the plan: Q <= 32 loops on the
 * states one by one (the Python-float loop), else blocks of K[lv] with the powers P[lv]
 * ((K+1, 2, 2): T^j) side by side, recursing on their end states with T^K. Every product and sum
 * rounded alone in numpy's order: that function's results to the bit. 0, or -1 when out of memory. */
static int chain_states(const double *T, const double *u, Py_ssize_t Q, Py_ssize_t m, const double *s0,
                        const double *const *P, const Py_ssize_t *K, int nlev, int lv, double *out) {
    const double t00 = T[0], t01 = T[1], t10 = T[2], t11 = T[3];
    if (lv == nlev) {
        for (Py_ssize_t c = 0; c < m; c++) {
            double a = s0[2 * c], b = s0[2 * c + 1];
            for (Py_ssize_t q = 0; q < Q; q++) {
                Py_ssize_t i = (q * m + c) * 2;
                out[i] = a, out[i + 1] = b;
                double na = t00 * a, pb = t01 * b;
                na = na + pb;
                na = na + u[i];
                double nb = t10 * a, qb = t11 * b;
                nb = nb + qb;
                nb = nb + u[i + 1];
                a = na, b = nb;
            }
        }
        return 0;
    }
    const Py_ssize_t k = K[lv], nb = (Q + k - 1) / k, M = nb * m;
    const double *Pk = P[lv];
    /* us (k, 2, M), states (k, 2, M), a, b (M), ends and starts (nb, m, 2) */
    double *buf = malloc(sizeof(double) * (size_t)(4 * k * M + 2 * M + 4 * M));
    if (buf == NULL)
        return -1;
    double *us = buf, *st = us + 2 * k * M, *a = st + 2 * k * M, *b = a + M, *ends = b + M, *starts = ends + 2 * M;
    for (Py_ssize_t j = 0; j < k; j++)
        for (Py_ssize_t q = 0; q < nb; q++)
            for (Py_ssize_t c = 0; c < m; c++) {
                Py_ssize_t row = q * k + j, col = q * m + c;
                us[(j * 2) * M + col] = row < Q ? u[(row * m + c) * 2] : 0.0;
                us[(j * 2 + 1) * M + col] = row < Q ? u[(row * m + c) * 2 + 1] : 0.0;
            }
    for (Py_ssize_t i = 0; i < M; i++)
        a[i] = 0.0, b[i] = 0.0;
    for (Py_ssize_t j = 0; j < k; j++) {
        double *s0j = st + (j * 2) * M, *s1j = s0j + M;
        const double *u0 = us + (j * 2) * M, *u1 = u0 + M;
        for (Py_ssize_t i = 0; i < M; i++) {
            double ai = a[i], bi = b[i];
            s0j[i] = ai, s1j[i] = bi;
            double na = t00 * ai, pb = t01 * bi;
            na = na + pb;
            na = na + u0[i];
            double nb2 = t10 * ai, qb = t11 * bi;
            nb2 = nb2 + qb;
            nb2 = nb2 + u1[i];
            a[i] = na, b[i] = nb2;
        }
    }
    for (Py_ssize_t i = 0; i < M; i++)
        ends[2 * i] = a[i], ends[2 * i + 1] = b[i];
    if (chain_states(Pk + 4 * k, ends, nb, m, s0, P, K, nlev, lv + 1, starts) < 0) {
        free(buf);
        return -1;
    }
    for (Py_ssize_t j = 0; j < k; j++) {
        const double *pj = Pk + 4 * j;
        double *s0j = st + (j * 2) * M, *s1j = s0j + M;
        for (Py_ssize_t i = 0; i < M; i++) {
            double x0 = starts[2 * i], x1 = starts[2 * i + 1];
            double p = pj[0] * x0, p2 = pj[1] * x1;
            p = p + p2;
            s0j[i] = s0j[i] + p;
            double r = pj[2] * x0, r2 = pj[3] * x1;
            r = r + r2;
            s1j[i] = s1j[i] + r;
        }
    }
    for (Py_ssize_t q = 0; q < nb; q++)
        for (Py_ssize_t j = 0; j < k; j++) {
            Py_ssize_t row = q * k + j;
            if (row >= Q)
                break;
            for (Py_ssize_t c = 0; c < m; c++) {
                out[(row * m + c) * 2] = st[(j * 2) * M + q * m + c];
                out[(row * m + c) * 2 + 1] = st[(j * 2 + 1) * M + q * m + c];
            }
        }
    free(buf);
    return 0;
}

/* Blocks side by side in the blocked layout: TILE_BLOCKS blocks (TILE_BLOCKS x L doubles of x and of
 * the output) stay in the first-level cache while their rows are read or written in sample order. */
#define TILE_BLOCKS 8 /* tile_in and tile_out are written out for 8 */

/* Step j of every block of a column in turn, from zero states z0, z1 (nb,), the blocks side by side:
 * xb, yb (L, nb) (sample q L + j of the column at [j, q]); tail0, tail1: the last block's state
 * after step r - 1. The blocks are independent recurrences, each the `biquad_step` in order: the
 * loop over them vectorises (VECTOR_CLONES) with each element's operations unchanged. */
VECTOR_CLONES VECTORISED
static void block_steps(Py_ssize_t L, Py_ssize_t nb, Py_ssize_t r, const double *restrict xb, double *restrict yb,
                        double *restrict z0, double *restrict z1, double b0, double b1, double b2, double a1,
                        double a2, double *tail0, double *tail1) {
    for (Py_ssize_t qq = 0; qq < nb; qq++)
        z0[qq] = 0.0, z1[qq] = 0.0;
    for (Py_ssize_t j = 0; j < L; j++) {
        const double *restrict xj = xb + j * nb;
        double *restrict yj = yb + j * nb;
        for (Py_ssize_t qq = 0; qq < nb; qq++) {
            double xv = xj[qq];
            double yv = b0 * xv;
            yv = yv + z0[qq];
            double t = b1 * xv;
            t = t - a1 * yv;
            t = t + z1[qq];
            double u = b2 * xv;
            u = u - a2 * yv;
            z0[qq] = t;
            z1[qq] = u;
            yj[qq] = yv;
        }
        if (j == r - 1)
            *tail0 = z0[nb - 1], *tail1 = z1[nb - 1];
    }
}

/* A whole tile of TILE_BLOCKS full blocks of one column into the blocked layout: sample q L + j of
 * the tile (src: its first sample, sx0 bytes apart) to dst[j * nb + q]. What the general loop of
 * `biquad_section` does for such a tile, without its per-sample index products and end test. */
static void tile_in(const char *src, Py_ssize_t sx0, Py_ssize_t L, double *restrict dst, Py_ssize_t nb) {
    /* The tile's eight blocks by hand (each sample a load and a store: no index arithmetic). */
    const Py_ssize_t o1 = L * sx0, o2 = 2 * o1, o3 = 3 * o1, o4 = 4 * o1, o5 = 5 * o1, o6 = 6 * o1, o7 = 7 * o1;
    for (Py_ssize_t j = 0; j < L; j++, src += sx0, dst += nb) {
        dst[0] = *(const double *)src, dst[1] = *(const double *)(src + o1);
        dst[2] = *(const double *)(src + o2), dst[3] = *(const double *)(src + o3);
        dst[4] = *(const double *)(src + o4), dst[5] = *(const double *)(src + o5);
        dst[6] = *(const double *)(src + o6), dst[7] = *(const double *)(src + o7);
    }
}

/* A whole tile of TILE_BLOCKS full blocks of one column back in sample order, each block's free
 * response from its start added: out[(q L + j) m] = y[j nb + q] + (pw[4j] st0_q + pw[4j+1] st1_q),
 * st_q = starts[q m * 2 ..]: the general loop's products and sums, in its order, each rounded alone
 * (-ffp-contract=off), with the tile's start states read once. */
static void tile_out(const double *y, Py_ssize_t nb, const double *starts, Py_ssize_t m, const double *pw,
                     Py_ssize_t L, double *out) {
    double st0[TILE_BLOCKS], st1[TILE_BLOCKS];
    for (int q = 0; q < TILE_BLOCKS; q++)
        st0[q] = starts[q * m * 2], st1[q] = starts[q * m * 2 + 1];
    const Py_ssize_t o1 = L * m, o2 = 2 * o1, o3 = 3 * o1, o4 = 4 * o1, o5 = 5 * o1, o6 = 6 * o1, o7 = 7 * o1;
#define FREE_RESPONSE(q, off)                                                                                          \
    do {                                                                                                               \
        double f = p0 * st0[q], f2 = p1 * st1[q];                                                                      \
        f = f + f2;                                                                                                    \
        out[off] = y[q] + f;                                                                                           \
    } while (0)
    for (Py_ssize_t j = 0; j < L; j++, y += nb, out += m) {
        const double p0 = pw[4 * j], p1 = pw[4 * j + 1];
        FREE_RESPONSE(0, 0);
        FREE_RESPONSE(1, o1);
        FREE_RESPONSE(2, o2);
        FREE_RESPONSE(3, o3);
        FREE_RESPONSE(4, o4);
        FREE_RESPONSE(5, o5);
        FREE_RESPONSE(6, o6);
        FREE_RESPONSE(7, o7);
    }
#undef FREE_RESPONSE
}

/* biquad_section(x, out, s0, powers, levels, last_start, tail, b0, b1, b2, a1, a2, L) -> None: one
 * section of `biquad._section_blocked` whole, the results to the bit: x (n, m) cut into blocks of L
 * samples per column (the last one padded with zeros), each filtered from a zero state (the step
 * of `biquad_blocks`), the chain of block starts from s0 (m, 2) (`chain_states`, with `levels`:
 * the powers (k+1, 2, 2) of each blocked level, `biquad._chain_plan`), then each block's free
 * response from its start (powers (L+1, 2, 2): y + (P[j,0,0] s0 + P[j,0,1] s1)) into out (n, m);
 * last_start (m, 2): the last block's start state; tail (2, m): the last block's zero-start state
 * after its r = n - (nb-1) L samples (zf = powers[r] @ last_start.T + tail stays numpy's). Each
 * block runs in sample order on x where it lies (numpy's blocked layout only orders memory: the
 * same operations on each element). x float64 (n, m), any strides; the others float64 C-contiguous.
 * out may be x itself (or x read backwards): every column of x is read into the blocked scratch
 * before out is written (`biquad._passes_compiled` filters in place). */
static PyObject *biquad_section(PyObject *self, PyObject *args) {
    PyObject *o[7];
    double b0, b1, b2, a1, a2;
    Py_ssize_t L;
    (void)self;
    if (!PyArg_ParseTuple(args, "OOOOO!OOdddddn", &o[0], &o[1], &o[2], &o[3], &PyTuple_Type, &o[4], &o[5], &o[6], &b0,
                          &b1, &b2, &a1, &a2, &L))
        return NULL;
    Py_ssize_t nlev = PyTuple_GET_SIZE(o[4]);
    if (nlev > 8) {
        PyErr_SetString(PyExc_ValueError, "biquad_section: at most 8 levels");
        return NULL;
    }
    PyObject *objs[6 + 8] = {o[0], o[1], o[2], o[3], o[5], o[6]};
    for (Py_ssize_t i = 0; i < nlev; i++)
        objs[6 + i] = PyTuple_GET_ITEM(o[4], i);
    Py_buffer v[6 + 8];
    /* x with its strides; out (1), last_start (4) and tail (5) writable */
    if (PyObject_GetBuffer(objs[0], &v[0], PyBUF_STRIDES | PyBUF_FORMAT) < 0)
        return NULL;
    int held = 1;
    static const int wr[6] = {0, 1, 0, 0, 1, 1};
    for (int i = 1; i < 6 + nlev; i++, held++)
        if (get(objs[i], &v[i], i < 6 ? wr[i] : 0) < 0) {
            release(v, held);
            return NULL;
        }
    Py_ssize_t n = v[0].ndim == 2 ? v[0].shape[0] : -1, m = v[0].ndim == 2 ? v[0].shape[1] : -1;
    Py_ssize_t nb = L > 0 && n > 0 ? (n + L - 1) / L : 0;
    int bad = n < 1 || m < 1 || L < 1 || v[0].itemsize != 8 || v[0].format == NULL || strcmp(v[0].format, "d") != 0 ||
              v[0].strides == NULL || !is_f64(&v[1], n * m) || !is_f64(&v[2], 2 * m) || !is_f64(&v[3], 4 * (L + 1)) ||
              !is_f64(&v[4], 2 * m) || !is_f64(&v[5], 2 * m);
    const double *P[8];
    Py_ssize_t K[8];
    Py_ssize_t q = nb;
    for (Py_ssize_t i = 0; i < nlev && !bad; i++) {
        Py_buffer *p = &v[6 + i];
        bad = p->ndim != 3 || p->shape[1] != 2 || p->shape[2] != 2 || p->shape[0] < 2 ||
              !is_f64(p, 4 * p->shape[0]) || q <= 32;
        if (!bad) {
            P[i] = p->buf, K[i] = p->shape[0] - 1;
            q = (q + K[i] - 1) / K[i];
        }
    }
    if (!bad)
        bad = q > 32;
    if (bad)
        return bad_args(v, held, "biquad_section: x, out (n, m); s0 (m, 2); powers (L+1, 2, 2); levels of powers "
                                 "(k+1, 2, 2) down to 32 blocks; last_start (m, 2); tail (2, m); float64");
    const char *xb_in = v[0].buf;
    const Py_ssize_t sx0 = v[0].strides[0], sx1 = v[0].strides[1];
    const double *s0 = v[2].buf, *pw = v[3].buf;
    double *out = v[1].buf, *last = v[4].buf, *tail = v[5].buf;
    const Py_ssize_t r = n - (nb - 1) * L;
    /* ends, starts (nb, m, 2), the states z0, z1 (nb,) of a column's blocks, a column's samples xb
     * and every column's zero-start outputs yb in the blocked layout (L, nb), `kept_scratch` */
    static double *buf = NULL;
    static size_t buf_n = 0;
    const size_t lnb = (size_t)(L * nb);
    if (kept_scratch(&buf, &buf_n, (size_t)(4 * nb * m + 2 * nb) + lnb * (size_t)(m + 1)) == NULL) {
        release(v, held);
        return PyErr_NoMemory();
    }
    double *ends = buf, *starts = ends + 2 * nb * m, *z0 = starts + 2 * nb * m, *z1 = z0 + nb, *xb = z1 + nb;
    double *yb = xb + lnb;
    for (Py_ssize_t c = 0; c < m; c++) {
        /* The column in the blocked layout (sample q L + j at [j, q]; zeros past n), a tile of
         * blocks at a time (their rows stay in cache). */
        for (Py_ssize_t q0 = 0; q0 < nb; q0 += TILE_BLOCKS) {
            Py_ssize_t qe = q0 + TILE_BLOCKS < nb ? q0 + TILE_BLOCKS : nb;
            if (qe - q0 == TILE_BLOCKS && qe * L <= n) {
                tile_in(xb_in + c * sx1 + q0 * L * sx0, sx0, L, xb + q0, nb);
                continue;
            }
            for (Py_ssize_t j = 0; j < L; j++)
                for (Py_ssize_t qq = q0; qq < qe; qq++) {
                    Py_ssize_t p = qq * L + j;
                    xb[j * nb + qq] = p < n ? *(const double *)(xb_in + p * sx0 + c * sx1) : 0.0;
                }
        }
        double *yc = yb + (size_t)c * lnb;
        block_steps(L, nb, r, xb, yc, z0, z1, b0, b1, b2, a1, a2, &tail[c], &tail[m + c]);
        for (Py_ssize_t qq = 0; qq < nb; qq++) {
            ends[(qq * m + c) * 2] = z0[qq];
            ends[(qq * m + c) * 2 + 1] = z1[qq];
        }
    }
    /* s0 arrives as zi.T (m, 2) */
    if (chain_states(pw + 4 * L, ends, nb, m, s0, P, K, (int)nlev, 0, starts) < 0) {
        release(v, held);
        return PyErr_NoMemory();
    }
    /* Each block's free response from its start added, back in sample order, a tile at a time. */
    for (Py_ssize_t c = 0; c < m; c++) {
        const double *yc = yb + (size_t)c * lnb;
        for (Py_ssize_t q0 = 0; q0 < nb; q0 += TILE_BLOCKS) {
            Py_ssize_t qe = q0 + TILE_BLOCKS < nb ? q0 + TILE_BLOCKS : nb;
            if (qe - q0 == TILE_BLOCKS && qe * L <= n) {
                tile_out(yc + q0, nb, starts + (q0 * m + c) * 2, m, pw, L, out + q0 * L * m + c);
                continue;
            }
            for (Py_ssize_t j = 0; j < L; j++)
                for (Py_ssize_t qq = q0; qq < qe; qq++) {
                    Py_ssize_t p = qq * L + j;
                    if (p >= n)
                        break;
                    const double st0 = starts[(qq * m + c) * 2], st1 = starts[(qq * m + c) * 2 + 1];
                    double f = pw[4 * j] * st0, f2 = pw[4 * j + 1] * st1;
                    f = f + f2;
                    out[p * m + c] = yc[j * nb + qq] + f;
                }
        }
    }
    for (Py_ssize_t c = 0; c < m; c++) {
        last[2 * c] = starts[((nb - 1) * m + c) * 2];
        last[2 * c + 1] = starts[((nb - 1) * m + c) * 2 + 1];
    }
    release(v, held);
    Py_RETURN_NONE;
}

/* One block's recurrence from a zero state (`block_steps`' step, each product and sum rounded alone):
 * column q of the blocked layout xb, yb (L, nb); its end state into ends[2q], ends[2q + 1]. */
static void block_alone(Py_ssize_t L, Py_ssize_t nb, Py_ssize_t q, const double *xb, double *yb, double b0,
                        double b1, double b2, double a1, double a2, double *ends) {
    double z0 = 0.0, z1 = 0.0;
    for (Py_ssize_t j = 0; j < L; j++) {
        double xv = xb[j * nb + q];
        double yv = b0 * xv;
        yv = yv + z0;
        double t = b1 * xv;
        t = t - a1 * yv;
        t = t + z1;
        double u = b2 * xv;
        u = u - a2 * yv;
        z0 = t;
        z1 = u;
        yb[j * nb + q] = yv;
    }
    ends[2 * q] = z0, ends[2 * q + 1] = z1;
}

#if defined(__GNUC__)
/* Four blocks side by side as one vector of GCC's vector extension: elementwise IEEE operations, each
 * rounded alone as the scalar's (no contraction: -ffp-contract=off). */
typedef double v4d __attribute__((vector_size(32)));
#define BLOCK_GROUP 8
#endif

/* `block_steps` without the tail (all blocks from zero states; their end states into ends (nb, 2)),
 * eight blocks at a time with their states held in registers through the L steps (not stored and
 * loaded back at every step): each block's recurrence the same operations in the same order, so the
 * same bits. Without GCC's vector extension, a block at a time. */
VECTOR_CLONES
static void block_steps_grouped(Py_ssize_t L, Py_ssize_t nb, const double *restrict xb, double *restrict yb,
                                double b0, double b1, double b2, double a1, double a2, double *restrict ends) {
    Py_ssize_t q0 = 0;
#if defined(__GNUC__)
    const v4d B0 = {b0, b0, b0, b0}, B1 = {b1, b1, b1, b1}, B2 = {b2, b2, b2, b2}, A1 = {a1, a1, a1, a1},
              A2 = {a2, a2, a2, a2};
    for (; q0 + BLOCK_GROUP <= nb; q0 += BLOCK_GROUP) {
        v4d z0a = {0.0, 0.0, 0.0, 0.0}, z0b = z0a, z1a = z0a, z1b = z0a;
        const double *xj = xb + q0;
        double *yj = yb + q0;
        for (Py_ssize_t j = 0; j < L; j++, xj += nb, yj += nb) {
            v4d xa, xc;
            memcpy(&xa, xj, sizeof xa), memcpy(&xc, xj + 4, sizeof xc);
            v4d ya = B0 * xa, yc = B0 * xc;
            ya = ya + z0a, yc = yc + z0b;
            v4d ta = B1 * xa, tc = B1 * xc;
            ta = ta - A1 * ya, tc = tc - A1 * yc;
            ta = ta + z1a, tc = tc + z1b;
            v4d ua = B2 * xa, uc = B2 * xc;
            ua = ua - A2 * ya, uc = uc - A2 * yc;
            z0a = ta, z0b = tc, z1a = ua, z1b = uc;
            memcpy(yj, &ya, sizeof ya), memcpy(yj + 4, &yc, sizeof yc);
        }
        double *e = ends + 2 * q0;
        for (int g = 0; g < 4; g++)
            e[2 * g] = z0a[g], e[2 * g + 1] = z1a[g], e[2 * g + 8] = z0b[g], e[2 * g + 9] = z1b[g];
    }
#endif
    for (Py_ssize_t q = q0; q < nb; q++)
        block_alone(L, nb, q, xb, yb, b0, b1, b2, a1, a2, ends);
}

/* Each block's free response from its start added in the blocked layout, in place: y[j nb + q] += (pw[4j]
 * st0[q] + pw[4j+1] st1[q]), the product and sums of `tile_out` (each rounded alone, in its order),
 * every block side by side (the loop over q vectorises with each element's operations unchanged). */
VECTOR_CLONES VECTORISED
static void add_free_response(Py_ssize_t L, Py_ssize_t nb, double *restrict y, const double *restrict st0,
                              const double *restrict st1, const double *restrict pw) {
    for (Py_ssize_t j = 0; j < L; j++) {
        const double p0 = pw[4 * j], p1 = pw[4 * j + 1];
        double *restrict yj = y + j * nb;
        for (Py_ssize_t q = 0; q < nb; q++) {
            double f = p0 * st0[q], f2 = p1 * st1[q];
            f = f + f2;
            yj[q] = yj[q] + f;
        }
    }
}

/* The blocked layout (L, nb) of a signal of N samples read backwards: sample p of the reversed signal
 * (block p / L, step p % L) is sample N - 1 - p of src. Row j of dst is row (N - 1 - j) % L of src
 * read from column (N - 1 - j) / L down to 0, zeros after (the reversed signal's last block padded). */
VECTOR_CLONES VECTORISED
static void reverse_blocked(Py_ssize_t L, Py_ssize_t nb, Py_ssize_t N, const double *restrict src,
                            double *restrict dst) {
    for (Py_ssize_t j = 0; j < L; j++) {
        const Py_ssize_t i = N - 1 - j, q0 = i / L;
        const double *restrict row = src + (i % L) * nb;
        double *restrict dj = dst + j * nb;
        for (Py_ssize_t q = 0; q <= q0; q++)
            dj[q] = row[q0 - q];
        for (Py_ssize_t q = q0 + 1; q < nb; q++)
            dj[q] = 0.0;
    }
}

/* Sample i (0 <= i < n + 2 padlen, else 0) of the odd extension of column col (n samples, sx0 bytes
 * apart) by padlen samples at each end: 2 x_0 - x_(padlen-i) before it, 2 x_(n-1) - x_(n-2-t) after
 * it (t samples past its end), each product and difference rounded alone, as `biquad.sosfiltfilt`'s
 * numpy expression. */
static inline double extension(const char *col, Py_ssize_t sx0, Py_ssize_t n, Py_ssize_t padlen, Py_ssize_t i) {
#define X(k) (*(const double *)(col + (k) * sx0))
    if (i < padlen)
        return 2.0 * X(0) - X(padlen - i);
    if (i < padlen + n)
        return X(i - padlen);
    if (i < 2 * padlen + n)
        return 2.0 * X(n - 1) - X(n - 2 - (i - padlen - n));
    return 0.0;
#undef X
}

/* A whole tile of TILE_BLOCKS blocks of the blocked layout (y: its first block's row 0, rows nb apart)
 * back into a column in reverse sample order: sample q L + j of the tile to dst[-(q L + j) m] (dst:
 * where its sample 0 goes). */
static void tile_back(const double *y, Py_ssize_t nb, Py_ssize_t L, double *dst, Py_ssize_t m) {
    const Py_ssize_t o1 = L * m, o2 = 2 * o1, o3 = 3 * o1, o4 = 4 * o1, o5 = 5 * o1, o6 = 6 * o1, o7 = 7 * o1;
    for (Py_ssize_t j = 0; j < L; j++, y += nb, dst -= m) {
        dst[0] = y[0], dst[-o1] = y[1], dst[-o2] = y[2], dst[-o3] = y[3];
        dst[-o4] = y[4], dst[-o5] = y[5], dst[-o6] = y[6], dst[-o7] = y[7];
    }
}

/* One section's parameters for `filtfilt` (from its tuple: powers, levels, b0, b1, b2, a1, a2). */
typedef struct {
    Py_buffer pw, lv[8];
    const double *P[8];
    Py_ssize_t K[8];
    int nlev, held;
    double b0, b1, b2, a1, a2;
} section_args;

static void release_sections(section_args *sa, Py_ssize_t ns) {
    for (Py_ssize_t s = 0; s < ns; s++) {
        if (sa[s].held > 0)
            PyBuffer_Release(&sa[s].pw);
        for (int i = 0; i + 1 < sa[s].held; i++)
            PyBuffer_Release(&sa[s].lv[i]);
    }
}

/* A section tuple (powers (L+1, 2, 2), levels: a tuple of powers (k+1, 2, 2) down to 32 blocks,
 * b0, b1, b2, a1, a2) into sa: 0, or -1 with an exception set (sa->held says what to release). */
static int parse_section(PyObject *t, Py_ssize_t L, Py_ssize_t nb, section_args *sa) {
    PyObject *pw, *lv;
    sa->held = 0;
    if (!PyTuple_Check(t) || !PyArg_ParseTuple(t, "OO!ddddd", &pw, &PyTuple_Type, &lv, &sa->b0, &sa->b1, &sa->b2,
                                               &sa->a1, &sa->a2))
        return PyErr_Occurred() ? -1 : (PyErr_SetString(PyExc_TypeError, "filtfilt: a section is a tuple"), -1);
    if (get(pw, &sa->pw, 0) < 0)
        return -1;
    sa->held = 1;
    if (!is_f64(&sa->pw, 4 * (L + 1)) || PyTuple_GET_SIZE(lv) > 8) {
        PyErr_SetString(PyExc_ValueError, "filtfilt: powers (L+1, 2, 2) float64; at most 8 levels");
        return -1;
    }
    sa->nlev = (int)PyTuple_GET_SIZE(lv);
    Py_ssize_t q = nb;
    for (int i = 0; i < sa->nlev; i++) {
        Py_buffer *p = &sa->lv[i];
        if (get(PyTuple_GET_ITEM(lv, i), p, 0) < 0)
            return -1;
        sa->held++;
        if (p->ndim != 3 || p->shape[1] != 2 || p->shape[2] != 2 || p->shape[0] < 2 || !is_f64(p, 4 * p->shape[0]) ||
            q <= 32) {
            PyErr_SetString(PyExc_ValueError, "filtfilt: levels of powers (k+1, 2, 2) float64 down to 32 blocks");
            return -1;
        }
        sa->P[i] = p->buf, sa->K[i] = p->shape[0] - 1;
        q = (q + sa->K[i] - 1) / sa->K[i];
    }
    if (q > 32) {
        PyErr_SetString(PyExc_ValueError, "filtfilt: levels of powers (k+1, 2, 2) float64 down to 32 blocks");
        return -1;
    }
    return 0;
}

/* filtfilt(x, out, zi, sections, padlen, L) -> None: `biquad.sosfiltfilt` whole, the results of its
 * two passes of `biquad_section` calls (`biquad._passes_compiled`) to the bit: x (n, m) float64, any
 * strides, n > padlen >= 0; out (n, m) float64 C-contiguous; zi (n_sections, 2) the settled states;
 * sections: a tuple of one tuple per section (powers (L+1, 2, 2), levels (`biquad._chain_plan`), b0,
 * b1, b2, a1, a2). Per column: the odd extension by padlen samples at each end (2 x0 - x_k, as numpy's
 * expression rounds it) in the blocked layout of `biquad_section` (sample q L + j at [j, q]), each
 * section's blocks from zero states (`block_steps`), the chain of their starts from zi times the pass'
 * first sample (`chain_states`), each block's free response added; the forward pass' output turned
 * into the backward pass' blocked layout directly (`reverse_blocked`); the middle n samples of the
 * backward pass into out in sample order. The same operations on each element as those calls: no
 * padded copy, no sample-order copy between the passes, no reversed copy of the result. */
static PyObject *filtfilt(PyObject *self, PyObject *args) {
    PyObject *ox, *oout, *ozi, *osec;
    Py_ssize_t padlen, L;
    (void)self;
    if (!PyArg_ParseTuple(args, "OOOO!nn", &ox, &oout, &ozi, &PyTuple_Type, &osec, &padlen, &L))
        return NULL;
    Py_ssize_t ns = PyTuple_GET_SIZE(osec);
    if (ns < 1 || ns > 16) {
        PyErr_SetString(PyExc_ValueError, "filtfilt: 1 to 16 sections");
        return NULL;
    }
    Py_buffer v[3];
    if (PyObject_GetBuffer(ox, &v[0], PyBUF_STRIDES | PyBUF_FORMAT) < 0)
        return NULL;
    if (get(oout, &v[1], 1) < 0) {
        release(v, 1);
        return NULL;
    }
    if (get(ozi, &v[2], 0) < 0) {
        release(v, 2);
        return NULL;
    }
    const Py_ssize_t n = v[0].ndim == 2 ? v[0].shape[0] : -1, m = v[0].ndim == 2 ? v[0].shape[1] : -1;
    const Py_ssize_t N = n + 2 * padlen, nb = L > 0 && N > 0 ? (N + L - 1) / L : 0;
    if (n < 1 || m < 1 || L < 1 || padlen < 0 || padlen >= n || v[0].itemsize != 8 || v[0].format == NULL ||
        strcmp(v[0].format, "d") != 0 || v[0].strides == NULL || !is_f64(&v[1], n * m) || !is_f64(&v[2], 2 * ns))
        return bad_args(v, 3, "filtfilt: x, out (n, m) float64, n > padlen >= 0; zi (n_sections, 2); L >= 1");
    section_args sa[16];
    for (Py_ssize_t s = 0; s < ns; s++)
        if (parse_section(PyTuple_GET_ITEM(osec, s), L, nb, &sa[s]) < 0) {
            release_sections(sa, s + 1);
            release(v, 3);
            return NULL;
        }
    const char *xin = v[0].buf;
    const Py_ssize_t sx0 = v[0].strides[0], sx1 = v[0].strides[1];
    const double *zi = v[2].buf;
    double *out = v[1].buf;
    /* two blocked arrays (L, nb) the passes go back and forth between, the blocks' end states and
     * start states (nb, 2), the starts apart st0, st1 (nb) (`kept_scratch`) */
    static double *buf = NULL;
    static size_t buf_n = 0;
    const size_t lnb = (size_t)(L * nb);
    if (kept_scratch(&buf, &buf_n, 2 * lnb + (size_t)(6 * nb)) == NULL) {
        release_sections(sa, ns);
        release(v, 3);
        return PyErr_NoMemory();
    }
    double *A = buf, *B = A + lnb, *ends = B + lnb;
    double *starts = ends + 2 * nb, *st0 = starts + 2 * nb, *st1 = st0 + nb;
    int failed = 0;
    for (Py_ssize_t c = 0; c < m && !failed; c++) {
        const char *col = xin + c * sx1;
        /* the forward pass' input (the odd extension) in the blocked layout: sample q L + j at [j, q];
         * a tile of blocks within x's own samples read from x at once (`tile_in`), the others (the
         * padded ends, a last partial tile) sample by sample */
        for (Py_ssize_t q0 = 0; q0 < nb; q0 += TILE_BLOCKS) {
            if (q0 + TILE_BLOCKS <= nb && q0 * L >= padlen && (q0 + TILE_BLOCKS) * L <= padlen + n) {
                tile_in(col + (q0 * L - padlen) * sx0, sx0, L, A + q0, nb);
                continue;
            }
            const Py_ssize_t qe = q0 + TILE_BLOCKS < nb ? q0 + TILE_BLOCKS : nb;
            for (Py_ssize_t j = 0; j < L; j++)
                for (Py_ssize_t q = q0; q < qe; q++)
                    A[j * nb + q] = extension(col, sx0, n, padlen, q * L + j);
        }
        double first = extension(col, sx0, n, padlen, 0);
        for (int pass = 0; pass < 2 && !failed; pass++) {
            for (Py_ssize_t s = 0; s < ns; s++) {
                const section_args *p = &sa[s];
                const double *pw = p->pw.buf;
                double s0[2];
                s0[0] = first * zi[2 * s], s0[1] = first * zi[2 * s + 1];
                block_steps_grouped(L, nb, A, B, p->b0, p->b1, p->b2, p->a1, p->a2, ends);
                if (chain_states(pw + 4 * L, ends, nb, 1, s0, p->P, p->K, p->nlev, 0, starts) < 0) {
                    failed = 1;
                    break;
                }
                for (Py_ssize_t q = 0; q < nb; q++)
                    st0[q] = starts[2 * q], st1[q] = starts[2 * q + 1];
                add_free_response(L, nb, B, st0, st1, pw);
                double *t = A;
                A = B, B = t;
            }
            if (pass == 0 && !failed) {
                /* the backward pass starts settled at the forward pass' last output */
                first = A[((N - 1) % L) * nb + (N - 1) / L];
                reverse_blocked(L, nb, N, A, B);
                double *t = A;
                A = B, B = t;
            }
        }
        if (failed)
            break;
        /* out sample k is the backward pass' sample i = N - 1 - padlen - k (at [i % L, i / L]): a tile
         * of blocks all within the middle at once (`tile_back`), the others sample by sample */
        for (Py_ssize_t q0 = 0; q0 < nb; q0 += TILE_BLOCKS) {
            const Py_ssize_t qe = q0 + TILE_BLOCKS < nb ? q0 + TILE_BLOCKS : nb;
            if (qe - q0 == TILE_BLOCKS && q0 * L >= padlen && qe * L <= padlen + n) {
                tile_back(A + q0, nb, L, out + (N - 1 - padlen - q0 * L) * m + c, m);
                continue;
            }
            for (Py_ssize_t j = 0; j < L; j++)
                for (Py_ssize_t q = q0; q < qe; q++) {
                    const Py_ssize_t k = N - 1 - padlen - (q * L + j);
                    if (k >= 0 && k < n)
                        out[k * m + c] = A[j * nb + q];
                }
        }
    }
    release_sections(sa, ns);
    release(v, 3);
    if (failed)
        return PyErr_NoMemory();
    Py_RETURN_NONE;
}

/* log(exp(a) + exp(b)), as walking_side._lse. */
static double lse(double a, double b) {
    double m = a > b ? a : b;
    double ea = exp(a - m), eb = exp(b - m);
    return m + log(ea + eb);
}

/* (log P(same foot), log P(other foot)), as walking_side._log_trans_pair. */
static void trans_pair(double repeat, double *same, double *other) {
    double r = repeat, lo = 1e-9, hi = 1.0 - 1e-9;
    if (lo > r)
        r = lo;
    if (hi < r)
        r = hi;
    *same = log(r);
    *other = log(1.0 - r);
}

static PyObject *forward_backward(PyObject *self, PyObject *args) {
    PyObject *o[4];
    (void)self;
    if (!PyArg_ParseTuple(args, "OOOO", &o[0], &o[1], &o[2], &o[3]))
        return NULL;
    Py_buffer v[4];
    if (get_objs(o, 4, 2, 1, v) < 0)
        return NULL;
    Py_ssize_t n = v[0].ndim == 2 ? v[0].shape[0] : -1;
    int bad = n < 1 || v[0].shape[1] != 2 || v[1].ndim != 1 || v[1].shape[0] != n - 1;
    for (int i = 2; i < 4 && !bad; i++)
        bad = v[i].ndim != 2 || v[i].shape[0] != n || v[i].shape[1] != 2;
    if (bad)
        return bad_args(v, 4, "forward_backward: em (n, 2), repeat (n-1,), fwd and bwd (n, 2)");
    const double *em = (const double *)v[0].buf, *rep = (const double *)v[1].buf;
    double *fwd = (double *)v[2].buf, *bwd = (double *)v[3].buf;
    double same, other;
    double f0 = fwd[0], f1 = fwd[1];
    for (Py_ssize_t k = 1; k < n; k++) {
        trans_pair(rep[k - 1], &same, &other);
        double g0 = em[2 * k] + lse(f0 + same, f1 + other);
        double g1 = em[2 * k + 1] + lse(f0 + other, f1 + same);
        double norm = lse(g0, g1);
        f0 = g0 - norm;
        f1 = g1 - norm;
        fwd[2 * k] = f0;
        fwd[2 * k + 1] = f1;
    }
    double b0 = bwd[2 * (n - 1)], b1 = bwd[2 * (n - 1) + 1];
    for (Py_ssize_t k = n - 2; k >= 0; k--) {
        trans_pair(rep[k], &same, &other);
        double x0 = em[2 * (k + 1)] + b0, x1 = em[2 * (k + 1) + 1] + b1;
        double c0 = lse(same + x0, other + x1), c1 = lse(other + x0, same + x1);
        double norm = lse(c0, c1);
        b0 = c0 - norm;
        b1 = c1 - norm;
        bwd[2 * k] = b0;
        bwd[2 * k + 1] = b1;
    }
    release(v, 4);
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    {"biquad_blocks", biquad_blocks, METH_VARARGS, "The block loop of signal.biquad._section_blocked."},
    {"biquad_section", biquad_section, METH_VARARGS, "One section of signal.biquad._section_blocked whole (see the source)."},
    {"filtfilt", filtfilt, METH_VARARGS, "signal.biquad.sosfiltfilt whole (see the source)."},
    {"forward_backward", forward_backward, METH_VARARGS, "The recursions of walking_side.StanceSideDecider.decide."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "filterkernel", NULL, -1, methods};

PyMODINIT_FUNC PyInit_filterkernel(void) { return PyModule_Create(&module); }
