/* Optional compiled kernel: the turn fit's gyro-only segment products (`scan.segment_products`,
 * `scan.segment_window_means`), step by step (the numpy path's blocked scan associates the products
 * otherwise: within a few units in the last place); the turn fit's three gyro versions with their
 * window means (`turn_windows`: `segment_steps`' values on the laid-out versions, to the bit) and its
 * reference-window accelerometer means (`window_means`: numpy's, to the bit). Built with
 * -ffp-contract=off.
 */
#include "args.h"
#include "rotation.h"
#include <string.h>
#include "vectors.h"

/* Loops along independent elements (a product's columns, a window's sums) vectorised (SSE2): each
 * element's operations and their order unchanged, so the same bits in fewer instructions. */
#pragma GCC optimize("tree-vectorize", "vect-cost-model=dynamic")

/* segment_steps(w, dt, first, out[, bounds, refs]) -> None: `scan.segment_products` step by step:
 * per sample the Rodrigues matrix R_i of w (n,3) rad/s over dt s (theta = |w| dt, its cosine and
 * -sine by `sin_cos`: within an ulp of numpy's) and the product
 * P_i = R_i P_(i-1) from the identity, restarting at P_i = R_i where first[i] (n,) 1 byte: out
 * (n,3,3). The numpy path's blocked scan forms the same products associated otherwise (each block's
 * own products, then the chain of block starts): the values agree within a few units in the last
 * place. With bounds and refs (`scan.segment_window_means`): instead of the products, each
 * segment's mean product over its first head and its last tail samples, from the running sums in
 * sample order (numpy's cumsum after a zero row), out (k,2,3,3). */
static PyObject *segment_steps(PyObject *self, PyObject *args) {
    (void)self;
    double dt;
    PyObject *o[5] = {NULL, NULL, NULL, Py_None, Py_None};
    if (!PyArg_ParseTuple(args, "OdOO|OO", &o[0], &dt, &o[1], &o[2], &o[3], &o[4]))
        return NULL;
    int windows = o[3] != Py_None && o[4] != Py_None, nv = windows ? 5 : 3;
    Py_buffer v[5];
    for (int i = 0; i < nv; i++)
        if (get(o[i], &v[i], i == 2) < 0) {
            release(v, i);
            return NULL;
        }
    Py_ssize_t n = v[0].ndim == 2 ? v[0].shape[0] : -1, ns = 0;
    int bad = n < 0 || !is_f64(&v[0], 3 * n) || v[1].itemsize != 1 || v[1].len != n;
    if (!bad && windows) {
        /* bounds (k+1,) int64: the segments laid end to end, 0 .. n; refs (k,2) int64: each
         * segment's head and tail windows, >= 1 each, together at most its length */
        ns = v[3].ndim == 1 ? v[3].shape[0] - 1 : -1;
        bad = ns < 1 || v[3].itemsize != 8 || v[4].itemsize != 8 || v[4].len != 16 * ns || !is_f64(&v[2], 18 * ns);
        const long long *bd = v[3].buf, *rf = v[4].buf;
        for (Py_ssize_t k = 0; k < ns && !bad; k++)
            bad = bd[k + 1] < bd[k] || rf[2 * k] < 1 || rf[2 * k + 1] < 1 ||
                  rf[2 * k] + rf[2 * k + 1] > bd[k + 1] - bd[k];
        bad = bad || bd[0] != 0 || bd[ns] != n;
    } else if (!bad) {
        bad = !is_f64(&v[2], 9 * n);
    }
    if (bad)
        return bad_args(v, nv, "segment_steps: w (n,3) float64, dt, first (n,) 1 byte, out (n,3,3) float64; or "
                               "bounds (k+1,) int64 0..n, refs (k,2) int64 >= 1 within each, out (k,2,3,3)");
    const double *W = v[0].buf;
    const unsigned char *F = v[1].buf;
    double *OUT = v[2].buf;
    /* windows: the running sums c (c[0] = 0, c[1] = P_0, c[i+1] = c[i] + P_i: numpy's cumsum after a
     * zero row) at each segment's s, s + head, s + n - tail and s + n */
    const long long *bd = windows ? v[3].buf : NULL, *rf = windows ? v[4].buf : NULL;
    double *snap = NULL, cur[9] = {0, 0, 0, 0, 0, 0, 0, 0, 0};
    Py_ssize_t need = 0;
    if (windows && (snap = PyMem_Malloc(sizeof(double) * 9 * 4 * ns)) == NULL) {
        release(v, nv);
        return PyErr_NoMemory();
    }
#define SNAP_AT(k4) ((k4) % 4 == 0 ? bd[(k4) / 4] : (k4) % 4 == 1 ? bd[(k4) / 4] + rf[(k4) / 4 * 2] \
                    : (k4) % 4 == 2 ? bd[(k4) / 4 + 1] - rf[(k4) / 4 * 2 + 1] : bd[(k4) / 4 + 1])
    /* the next running sum to keep is taken before sample snap_at (-1: none left) */
    Py_ssize_t snap_at = windows ? SNAP_AT(0) : -1;
    double p[9] = {1, 0, 0, 0, 1, 0, 0, 0, 1}, R[9];
    for (Py_ssize_t i = 0; i < n; i++) {
        const double *w = W + 3 * i;
        double th = sqrt(w[0] * w[0] + w[1] * w[1] + w[2] * w[2]) * dt, sn, cs;
        sin_cos(th, &sn, &cs);
        rodrigues(w, cs, -sn, R);
        double *o = windows ? p : OUT + 9 * i;
        if (F[i]) {
            for (int e = 0; e < 9; e++)
                o[e] = R[e];
        } else {
            double prev[9];
            for (int e = 0; e < 9; e++)
                prev[e] = p[e];
            mat3(R, prev, 3, o);
        }
        if (!windows) {
            for (int e = 0; e < 9; e++)
                p[e] = o[e];
            continue;
        }
        for (; i == snap_at; snap_at = ++need < 4 * ns ? SNAP_AT(need) : -1)
            memcpy(snap + 9 * need, cur, sizeof cur);
        for (int e = 0; e < 9; e++)
            cur[e] = cur[e] + p[e];
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

/* turn_windows: `turns.turn_observations`' three gyro versions of each turn and their window means
 * (`turns._gyro_versions` then `turns._window_rotations`, the same values to the bit) without laying the
 * versions out in memory. The version of a row g (deg/s) is as `_gyro_versions` converts it: g * rpd,
 * with x (version 1) or y (version 2) taken as (g_a - g_z * eps) * rpd. Each sample's angle terms run
 * for all samples of a version in a loop that vectorises (VECTOR_CLONES: AVX2 where the CPU has it),
 * then the three versions' products step by step side by side, one in each lane of a four-double
 * vector (each lane's operations those of `segment_steps`, in the same order), and last the running
 * sums in the order `_window_rotations`' batches take the segments (version by version, turn by turn,
 * restarting at each batch of at most `batch` samples, as its greedy packing: a prefix sum's rounding
 * is part of the result). */
typedef double V4 __attribute__((vector_size(32))); /* lanes: versions 0, 1, 2 and 0 again */
DEFINE_RODRIGUES_AXIS(V4, rodrigues_axis_v4)
DEFINE_MAT3(V4, mat3_v4)

/* A version's angle |w| dt (TH), cosine (C), -sine (S) and unit axis (K: x, y, z rows of n) of the
 * rows G (n,3) deg/s, as `segment_steps` (`sin_cos`, `rodrigues`) forms them. */
#define VERSION_TERMS_LOOP(W0, W1)                                                                     \
    for (Py_ssize_t i = 0; i < n; i++) {                                                               \
        const double g0 = G[3 * i], g1 = G[3 * i + 1], g2 = G[3 * i + 2];                              \
        const double w0 = (W0), w1 = (W1), w2 = g2 * rpd;                                              \
        const double mag = sqrt(w0 * w0 + w1 * w1 + w2 * w2), th = mag * dt;                           \
        const double m = mag > 0.0 ? mag : 1.0;                                                        \
        TH[i] = th, C[i] = small_cos(th), S[i] = -small_sin(th);                                       \
        K[i] = w0 / m, K[n + i] = w1 / m, K[2 * n + i] = w2 / m;                                       \
    }
VECTOR_CLONES
static void version_terms(Py_ssize_t n, const double *restrict G, int version, double eps, double rpd, double dt,
                          double *restrict TH, double *restrict C, double *restrict S, double *restrict K) {
    if (version == 1) {
        VERSION_TERMS_LOOP((g0 - g2 * eps) * rpd, g1 * rpd)
    } else if (version == 2) {
        VERSION_TERMS_LOOP(g0 * rpd, (g1 - g2 * eps) * rpd)
    } else {
        VERSION_TERMS_LOOP(g0 * rpd, g1 * rpd)
    }
    for (Py_ssize_t i = 0; i < n; i++)
        if (!(fabs(TH[i]) <= SMALL_ANGLE_RAD))
            C[i] = cos(TH[i]), S[i] = -sin(TH[i]);
}
#undef VERSION_TERMS_LOOP

/* The products P_i = R_i P_(i-1) (P_0 = R_0) of the three versions' terms (T: each version's TH, C,
 * S, K rows, 6 n doubles apart) side by side, into P (n, 9) four-lane vectors. */
VECTOR_CLONES
static void version_products(Py_ssize_t n, const double *T, V4 *P) {
    const double *C[3], *S[3], *K[3];
    for (int v = 0; v < 3; v++)
        C[v] = T + 6 * n * v + n, S[v] = C[v] + n, K[v] = S[v] + n;
#define V4AT(a, at) ((V4){(a)[0][at], (a)[1][at], (a)[2][at], (a)[0][at]})
    V4 p[9];
    rodrigues_axis_v4(V4AT(K, 0), V4AT(K, n), V4AT(K, 2 * n), V4AT(C, 0), V4AT(S, 0), p);
#pragma GCC unroll 9
    for (int e = 0; e < 9; e++)
        P[e] = p[e];
    for (Py_ssize_t i = 1; i < n; i++) {
        V4 r[9], x[9];
        rodrigues_axis_v4(V4AT(K, i), V4AT(K, n + i), V4AT(K, 2 * n + i), V4AT(C, i), V4AT(S, i), r);
        mat3_v4(r, p, 3, x);
#pragma GCC unroll 9
        for (int e = 0; e < 9; e++)
            p[e] = x[e], P[9 * i + e] = x[e];
    }
#undef V4AT
}

/* cur[e] = cur[e] + P_i[e] for i in [i0, i1), one lane of the products pv (n, 9) four-lane vectors. */
static inline void running_sum(const double *pv, Py_ssize_t i0, Py_ssize_t i1, double *cur) {
    double c[9];
    for (int e = 0; e < 9; e++)
        c[e] = cur[e];
    for (Py_ssize_t i = i0; i < i1; i++) {
        const double *pi = pv + 36 * i;
#pragma GCC unroll 9
        for (int e = 0; e < 9; e++)
            c[e] = c[e] + pi[4 * e];
    }
    for (int e = 0; e < 9; e++)
        cur[e] = c[e];
}

/* Scratch kept from call to call (fresh pages each call would be faulted in), 32-byte aligned for the
 * vectors; used with the GIL held. NULL when out of memory; need 0 frees a block larger than
 * KEPT_MAX_VECTORS (a long turn's, 8 MB: ~19,000 samples). */
enum { KEPT_MAX_VECTORS = 1 << 18 };
static V4 *kept_vectors(size_t need) {
    static V4 *buf = NULL;
    static size_t cap = 0;
    if (need == 0 && cap > KEPT_MAX_VECTORS) {
        free(buf);
        buf = NULL, cap = 0;
    }
    if (need > cap) {
        void *grown = NULL;
        if (posix_memalign(&grown, 32, sizeof(V4) * need) != 0)
            return NULL;
        free(buf);
        buf = grown, cap = need;
    }
    return buf;
}

/* turn_windows(g, starts, lengths, refs, eps, rpd, dt, batch, out) -> None: g (N,3) float64 deg/s;
 * the turns' segments [starts_k, starts_k + lengths_k) (k,) int64 with their (head, tail) windows
 * refs (k,2) int64 (>= 1 each, together at most the length); out (3k,2,3,3): per turn, per version
 * (as measured, x leak, y leak), the mean product over the head and the tail window. */
static PyObject *turn_windows(PyObject *self, PyObject *args) {
    (void)self;
    PyObject *o[5];
    double eps, rpd, dt;
    Py_ssize_t batch;
    if (!PyArg_ParseTuple(args, "OOOOdddnO", &o[0], &o[1], &o[2], &o[3], &eps, &rpd, &dt, &batch, &o[4]))
        return NULL;
    Py_buffer v[5];
    for (int i = 0; i < 5; i++)
        if (get(o[i], &v[i], i == 4) < 0) {
            release(v, i);
            return NULL;
        }
    Py_ssize_t N = v[0].ndim == 2 ? v[0].shape[0] : -1, k = v[1].len / 8, longest = 0;
    int bad = N < 0 || !is_f64(&v[0], 3 * N) || v[1].itemsize != 8 || v[2].itemsize != 8 || v[3].itemsize != 8 ||
              v[2].len != 8 * k || v[3].len != 16 * k || !is_f64(&v[4], 54 * k);
    const long long *st = v[1].buf, *ln = v[2].buf, *rf = v[3].buf;
    for (Py_ssize_t j = 0; j < k && !bad; j++) {
        bad = st[j] < 0 || ln[j] > N - st[j] || rf[2 * j] < 1 || rf[2 * j + 1] < 1 || rf[2 * j] + rf[2 * j + 1] > ln[j];
        longest = ln[j] > longest ? ln[j] : longest;
    }
    if (bad)
        return bad_args(v, 5, "turn_windows: g (N,3) float64, starts, lengths (k,) int64 within N, refs (k,2) int64 "
                              ">= 1 within each, eps, rpd, dt, batch, out (3k,2,3,3) float64");
    /* the products (n, 9) vectors, then per version TH, C, S, K (3 rows): 6 n doubles */
    V4 *P = kept_vectors(9 * (size_t)longest + (18 * (size_t)longest + 3) / 4 + 1);
    if (P == NULL) {
        release(v, 5);
        return PyErr_NoMemory();
    }
    double *T = (double *)(P + 9 * longest);
    const double *G = v[0].buf;
    double *OUT = v[4].buf, cur[9] = {0, 0, 0, 0, 0, 0, 0, 0, 0};
    Py_ssize_t total = 0;
    for (Py_ssize_t j = 0; j < k; j++) {
        const Py_ssize_t n = ln[j], h = rf[2 * j], t = rf[2 * j + 1];
        for (int ver = 0; ver < 3; ver++) {
            double *Tv = T + 6 * n * ver;
            version_terms(n, G + 3 * st[j], ver, eps, rpd, dt, Tv, Tv + n, Tv + 2 * n, Tv + 3 * n);
        }
        version_products(n, T, P);
        for (int ver = 0; ver < 3; ver++) {
            /* `_window_rotations`' batches: a segment opens one unless it fits in the open one */
            if (j + ver == 0 || total + n > batch) {
                for (int e = 0; e < 9; e++)
                    cur[e] = 0.0;
                total = n;
            } else {
                total += n;
            }
            /* the running sums before the segment, its tail window and its end, and after its head */
            double c0[9], ch[9], ct[9];
            memcpy(c0, cur, sizeof cur);
            const double *pv = (const double *)P + ver;
            running_sum(pv, 0, h, cur);
            memcpy(ch, cur, sizeof cur);
            running_sum(pv, h, n - t, cur);
            memcpy(ct, cur, sizeof cur);
            running_sum(pv, n - t, n, cur);
            double *o = OUT + 18 * (3 * j + ver);
            for (int e = 0; e < 9; e++) {
                double head = ch[e] - c0[e], tail = cur[e] - ct[e];
                o[e] = head / (double)h, o[9 + e] = tail / (double)t;
            }
        }
    }
    kept_vectors(0);
    release(v, 5);
    Py_RETURN_NONE;
}

/* window_means(acc, starts, lengths, eps, out) -> None: `turns._window_means` (the same sums in the same
 * order, so the same bits): per window [starts_k, starts_k + lengths_k) of acc (N,3) float64 g, the
 * means of x, y, z, x - eps and y - eps, each a running sum from the window's first row (numpy's
 * cumsum along the window) over its length, into out (K,5). */
static PyObject *window_means(PyObject *self, PyObject *args) {
    (void)self;
    PyObject *o[4];
    double eps;
    if (!PyArg_ParseTuple(args, "OOOdO", &o[0], &o[1], &o[2], &eps, &o[3]))
        return NULL;
    Py_buffer v[4];
    for (int i = 0; i < 4; i++)
        if (get(o[i], &v[i], i == 3) < 0) {
            release(v, i);
            return NULL;
        }
    Py_ssize_t N = v[0].ndim == 2 ? v[0].shape[0] : -1, k = v[1].len / 8;
    int bad = N < 0 || !is_f64(&v[0], 3 * N) || v[1].itemsize != 8 || v[2].itemsize != 8 || v[2].len != 8 * k ||
              !is_f64(&v[3], 5 * k);
    const long long *st = v[1].buf, *ln = v[2].buf;
    for (Py_ssize_t j = 0; j < k && !bad; j++)
        bad = st[j] < 0 || ln[j] < 1 || ln[j] > N - st[j];
    if (bad)
        return bad_args(v, 4, "window_means: acc (N,3) float64, starts, lengths (K,) int64 (>= 1, within N), eps, "
                              "out (K,5) float64");
    const double *A = v[0].buf;
    double *OUT = v[3].buf;
    for (Py_ssize_t j = 0; j < k; j++) {
        const double *a = A + 3 * st[j];
        double s[5] = {a[0], a[1], a[2], a[0] - eps, a[1] - eps};
        for (Py_ssize_t i = 1; i < ln[j]; i++) {
            const double *r = a + 3 * i;
            s[0] = s[0] + r[0], s[1] = s[1] + r[1], s[2] = s[2] + r[2];
            s[3] = s[3] + (r[0] - eps), s[4] = s[4] + (r[1] - eps);
        }
        for (int c = 0; c < 5; c++)
            OUT[5 * j + c] = s[c] / (double)ln[j];
    }
    release(v, 4);
    Py_RETURN_NONE;
}

/* sin_cos(x, s, c) -> None: `sin_cos` of each x (n,) into s, c (n,) float64 (for the tests: the
 * small-angle polynomials against the C library's sin and cos). */
static PyObject *sin_cos_py(PyObject *self, PyObject *args) {
    (void)self;
    Py_buffer v[3];
    if (get_args(args, 3, 1, v) < 0)
        return NULL;
    Py_ssize_t n = v[0].len / 8;
    if (!is_f64(&v[0], n) || !is_f64(&v[1], n) || !is_f64(&v[2], n))
        return bad_args(v, 3, "sin_cos: x, s, c (n,) float64");
    const double *X = v[0].buf;
    double *S = v[1].buf, *C = v[2].buf;
    for (Py_ssize_t i = 0; i < n; i++)
        sin_cos(X[i], S + i, C + i);
    release(v, 3);
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    {"sin_cos", sin_cos_py, METH_VARARGS, "sin_cos(x, s, c): the kernels' sine and cosine (see the source)"},
    {"segment_steps", segment_steps, METH_VARARGS, "segment_steps(w, dt, first, out[, bounds, refs]) (see the source)"},
    {"window_means", window_means, METH_VARARGS, "window_means(acc, starts, lengths, eps, out) (see the source)"},
    {"turn_windows", turn_windows, METH_VARARGS,
     "turn_windows(g, starts, lengths, refs, eps, rpd, dt, batch, out) (see the source)"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "hiplevel._native.turnkernel", NULL, -1, methods};

PyMODINIT_FUNC PyInit_turnkernel(void) { return PyModule_Create(&module); }
