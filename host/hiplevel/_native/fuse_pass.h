/* Whole fusion passes step by step (`fusekernel.fuse_pass`, `fusekernel.fuse_pair`), included by
 * fusekernel.c after fuse_terms.h (setup.py lists it as a dependency and ships it).
 *
 * One pass of `fusion_scan.run_passes` step by step: per sample the terms of `terms_loop`
 * (PASS_GROUP samples at a time, in cache), the rotation angle |w| |dt| and its cosine and sine
 * (`angle_terms`: within an ulp of numpy's, which calls the C library), a = R (1 - k), then the
 * recurrences the numpy path's blocked scans evaluate, here in sample order: the first solution
 * u1 = a u1 + pull; the second u2 = a u2 + pull |u1 before|, the norm 1 at a block's first sample;
 * both states made unit at every SCAN_BLOCK-th sample (a block start); the error
 * e = (1 - k) e + (1 - k) growth. The same recurrences as the blocked scans, whose transfer products
 * associate the products otherwise: the up-vectors agree within a few units in the last place
 * (tests/analysis/test_fusion_native.py), at a third of the arithmetic and with no blocked layout
 * to place the samples in. UP gets u2 / |u2| (rowsq3), EO the error.
 *
 * The steps of two passes of one length (`fuse_passes`' forward and backward) run side by side, one
 * in each lane of a two-double vector (`Lanes`, GCC's vector extensions): each lane's operations are
 * the one pass' in the same order (IEEE arithmetic lane by lane, no contraction), so each pass gets
 * the bits it gets alone, at about half the instructions of two passes one after the other (the steps'
 * ~75 products and sums a sample bound their time, not their chain). A lone pass fills both lanes. */
#ifndef HIPLEVEL_NATIVE_FUSE_PASS_H
#define HIPLEVEL_NATIVE_FUSE_PASS_H

enum { PASS_GROUP = 4096 };

typedef double Lanes __attribute__((vector_size(16))); /* lane 0: one pass, lane 1: the other */

DEFINE_RODRIGUES_AXIS(Lanes, rodrigues_axis_lanes)
DEFINE_MAT3(Lanes, mat3_lanes)

static inline Lanes sqrt_lanes(Lanes x) { return (Lanes){sqrt(x[0]), sqrt(x[1])}; }

static inline void unit3_lanes(Lanes *x) {
    Lanes nrm = sqrt_lanes(x[0] * x[0] + x[1] * x[1] + x[2] * x[2]);
    x[0] = x[0] / nrm, x[1] = x[1] / nrm, x[2] = x[2] / nrm;
}

/* Each sample's rotation angle |w| dt (TH), its cosine (C) and -sine (S): the small-angle polynomials
 * for all in a loop that vectorises, then the C library's where an angle is not small (`sin_cos`). */
VECTOR_CLONES
static void angle_terms(Py_ssize_t m, const double *restrict W, const double *restrict DT, double *restrict TH,
                        double *restrict C, double *restrict S) {
    for (Py_ssize_t i = 0; i < m; i++) {
        const double w0 = W[3 * i], w1 = W[3 * i + 1], w2 = W[3 * i + 2];
        double th = sqrt(w0 * w0 + w1 * w1 + w2 * w2) * DT[i];
        TH[i] = th, C[i] = small_cos(th), S[i] = -small_sin(th);
    }
    for (Py_ssize_t i = 0; i < m; i++)
        if (!(fabs(TH[i]) <= SMALL_ANGLE_RAD))
            C[i] = cos(TH[i]), S[i] = -sin(TH[i]);
}

VECTOR_CLONES
static void normalise_rows(Py_ssize_t m, double *restrict UP) {
    for (Py_ssize_t i = 0; i < m; i++) {
        double nrm = sqrt(rowsq3(UP + 3 * i));
        UP[3 * i] = UP[3 * i] / nrm, UP[3 * i + 1] = UP[3 * i + 1] / nrm, UP[3 * i + 2] = UP[3 * i + 2] / nrm;
    }
}

/* Rows [m - g0 - gm, m - g0) of a (m, d) array, last first, into out (gm, d): a backward pass' group
 * in its order (the arrays stay in sample order: no reversed copy of the whole pass). */
static void reversed_rows(Py_ssize_t m, Py_ssize_t g0, Py_ssize_t gm, int d, const double *x, double *out) {
    const double *src = x + (m - 1 - g0) * d;
    for (Py_ssize_t i = 0; i < gm; i++, src -= d)
        for (int e = 0; e < d; e++)
            out[i * d + e] = src[e];
}

/* One pass: its inputs as they lie (read from the last sample when backward), its start state, its
 * outputs (in the pass' order) and its group's scratch (terms T, cos C, -sin S, angle TH, and a
 * backward group's acc RA, w RW, dt RD, rest RR). */
typedef struct {
    const double *ac, *w, *dt, *u0;
    const unsigned char *rest;
    int backward;
    double *up, *eo;
    double *T, *C, *S, *TH, *RA, *RW, *RD;
    unsigned char *RR;
} Pass;

enum { PASS_SCRATCH = (ST_N + 3 + 8) * PASS_GROUP }; /* doubles of a pass' scratch */

static void lay_scratch(Pass *p, double *scratch) {
    p->T = scratch, p->C = p->T + ST_N * PASS_GROUP, p->S = p->C + PASS_GROUP, p->RA = p->S + PASS_GROUP;
    p->RW = p->RA + 3 * PASS_GROUP, p->RD = p->RW + 3 * PASS_GROUP, p->TH = p->RD + PASS_GROUP;
    p->RR = (unsigned char *)(p->TH + PASS_GROUP);
}

/* The terms, cos and -sin of samples [g0, g0 + gm) of pass p (of m) into its scratch. */
static void group_terms(const Pass *p, Py_ssize_t m, Py_ssize_t g0, Py_ssize_t gm, const double *params) {
    const double *ac = p->ac + 3 * g0, *w = p->w + 3 * g0, *dt = p->dt + g0;
    const unsigned char *rest = p->rest + g0;
    if (p->backward) {
        reversed_rows(m, g0, gm, 3, p->ac, p->RA), reversed_rows(m, g0, gm, 3, p->w, p->RW);
        reversed_rows(m, g0, gm, 1, p->dt, p->RD);
        for (Py_ssize_t i = 0; i < gm; i++)
            p->RR[i] = p->rest[m - 1 - g0 - i];
        ac = p->RA, w = p->RW, dt = p->RD, rest = p->RR;
    }
    double *T = p->T;
    terms_loop(gm, ac, w, dt, rest, params[0], params[1], params[2], params[3], params[4], T, T + gm, T + 2 * gm,
               T + 3 * gm, T + 4 * gm, T + 5 * gm, T + 6 * gm, T + 7 * gm);
    angle_terms(gm, w, dt, p->TH, p->C, p->S);
}

/* The steps of samples [g0, g0 + gm) of passes a (lane 0) and b (lane 1) from their group's terms;
 * states x1, x2 (3) and e carried in and out (in locals meanwhile: the outputs' stores could alias
 * them, and would send each step's states through memory). */
static void pass_steps(Py_ssize_t g0, Py_ssize_t gm, const Pass *a, const Pass *b, Lanes *x1, Lanes *x2, Lanes *e) {
    const double *Ta = a->T, *Tb = b->T;
    Lanes u1[3] = {x1[0], x1[1], x1[2]}, u2[3] = {x2[0], x2[1], x2[2]}, err = *e;
#define LANES(k, i) ((Lanes){Ta[(k) * gm + (i)], Tb[(k) * gm + (i)]})
    const Lanes one = {1.0, 1.0};
    for (Py_ssize_t i = 0; i < gm; i++) {
        Lanes sc = one;
        if ((g0 + i) % FB == 0)
            unit3_lanes(u1), unit3_lanes(u2);
        else
            sc = sqrt_lanes(u1[0] * u1[0] + u1[1] * u1[1] + u1[2] * u1[2]);
        Lanes r[9];
        rodrigues_axis_lanes(LANES(ST_KX, i), LANES(ST_KY, i), LANES(ST_KZ, i), (Lanes){a->C[i], b->C[i]},
                             (Lanes){a->S[i], b->S[i]}, r);
        Lanes keep = one - LANES(ST_K, i);
#pragma GCC unroll 9
        for (int q = 0; q < 9; q++)
            r[q] = r[q] * keep;
        const Lanes pull[3] = {LANES(ST_P0, i), LANES(ST_P1, i), LANES(ST_P2, i)};
        Lanes y1[3], y2[3];
        mat3_lanes(r, u1, 1, y1);
        mat3_lanes(r, u2, 1, y2);
#pragma GCC unroll 3
        for (int q = 0; q < 3; q++)
            u1[q] = y1[q] + pull[q], u2[q] = y2[q] + pull[q] * sc;
        err = keep * err + keep * LANES(ST_G, i);
        double *ua = a->up + 3 * (g0 + i), *ub = b->up + 3 * (g0 + i);
        ua[0] = u2[0][0], ua[1] = u2[1][0], ua[2] = u2[2][0], a->eo[g0 + i] = err[0];
        ub[0] = u2[0][1], ub[1] = u2[1][1], ub[2] = u2[2][1], b->eo[g0 + i] = err[1];
    }
#undef LANES
    for (int q = 0; q < 3; q++)
        x1[q] = u1[q], x2[q] = u2[q];
    *e = err;
}

/* Passes a and b (b may be a itself: a lone pass) over their m samples each, from error err0. */
static void run_passes_lanes(const Pass *a, const Pass *b, Py_ssize_t m, const double *params, double err0) {
    Lanes u1[3], u2[3], err = {err0, err0};
    for (int q = 0; q < 3; q++)
        u1[q] = (Lanes){a->u0[q], b->u0[q]}, u2[q] = u1[q];
    for (Py_ssize_t g0 = 0; g0 < m; g0 += PASS_GROUP) {
        Py_ssize_t gm = m - g0 < PASS_GROUP ? m - g0 : PASS_GROUP;
        group_terms(a, m, g0, gm, params);
        if (b != a)
            group_terms(b, m, g0, gm, params);
        pass_steps(g0, gm, a, b, u1, u2, &err);
        normalise_rows(gm, a->up + 3 * g0);
        if (b != a)
            normalise_rows(gm, b->up + 3 * g0);
    }
}

/* A pass' buffers from its arguments v[0..4] (acc, w, dt, rest, u0) and outputs v[5], v[6] (up, err):
 * its row count m, or -1 when they do not fit. */
static Py_ssize_t pass_of(const Py_buffer *v, int backward, Pass *p) {
    Py_ssize_t m = imu_rows(v);
    if (m < 1 || !is_f64(&v[4], 3) || !is_f64(&v[5], 3 * m) || !is_f64(&v[6], m))
        return -1;
    p->ac = v[0].buf, p->w = v[1].buf, p->dt = v[2].buf, p->rest = v[3].buf, p->u0 = v[4].buf;
    p->backward = backward, p->up = v[5].buf, p->eo = v[6].buf;
    return m;
}

/* fuse_pass(params, acc, w, dt, rest, backward, u0, err0, up_out, err_out) -> None: one pass of
 * `fusion_scan.run_passes` over its m samples (see above), in sample order, or from the last sample
 * to the first when backward (the inputs as they lie; the outputs in the pass' order). params:
 * (move_gain, rest_gain, acc_tolerance_g, turn_rate_dps, cross_axis_fraction); acc (m,3) g, w (m,3)
 * rad/s, dt (m,) s float64, rest (m,) 1 byte; u0 (3,) the start state, err0 the start error, deg;
 * up_out (m,3), err_out (m,) float64 out.
 * fuse_pair(params, acc, w, dt, rest, backward, u0, up_out, err_out, acc2, ..., err_out2, err0): two
 * passes of one length m side by side, each with its own arrays and flag (as fuse_pass takes them),
 * both from err0: each pass' outputs those of fuse_pass to the bit. */
static PyObject *fuse_lanes(PyObject *args, int pair) {
    double params[5], err0;
    int backward[2];
    PyObject *o[14];
    int ok = pair ? PyArg_ParseTuple(args, "(ddddd)OOOOpOOOOOOOpOOOd", &params[0], &params[1], &params[2], &params[3],
                                     &params[4], &o[0], &o[1], &o[2], &o[3], &backward[0], &o[4], &o[5], &o[6], &o[7],
                                     &o[8], &o[9], &o[10], &backward[1], &o[11], &o[12], &o[13], &err0)
                  : PyArg_ParseTuple(args, "(ddddd)OOOOpOdOO", &params[0], &params[1], &params[2], &params[3],
                                     &params[4], &o[0], &o[1], &o[2], &o[3], &backward[0], &o[4], &err0, &o[5], &o[6]);
    if (!ok)
        return NULL;
    const int n = pair ? 14 : 7;
    Py_buffer v[14];
    for (int i = 0; i < n; i++)
        if (get(o[i], &v[i], i % 7 >= 5) < 0) {
            release(v, i);
            return NULL;
        }
    Pass p[2];
    Py_ssize_t m = pass_of(v, backward[0], &p[0]);
    if (m < 1 || (pair && pass_of(v + 7, backward[1], &p[1]) != m))
        return bad_args(v, n, "fuse_pass: acc, w (m,3), dt (m,) float64, rest (m,) 1 byte, u0 (3,), up (m,3), err (m,) "
                              "float64, m >= 1 (fuse_pair: two such passes of one m)");
    /* `kept_scratch`: each pass' group scratch */
    static double *scratch = NULL;
    static size_t scratch_n = 0;
    if (kept_scratch(&scratch, &scratch_n, (size_t)(2 * PASS_SCRATCH)) == NULL) {
        release(v, n);
        return PyErr_NoMemory();
    }
    lay_scratch(&p[0], scratch);
    if (pair)
        lay_scratch(&p[1], scratch + PASS_SCRATCH);
    run_passes_lanes(&p[0], pair ? &p[1] : &p[0], m, params, err0);
    release(v, n);
    Py_RETURN_NONE;
}

static PyObject *fuse_pass(PyObject *self, PyObject *args) {
    (void)self;
    return fuse_lanes(args, 0);
}

static PyObject *fuse_pair(PyObject *self, PyObject *args) {
    (void)self;
    return fuse_lanes(args, 1);
}

#endif
