/* Whole fusion passes step by step (`fusekernel.fuse_pass`, `fusekernel.fuse_pair`), included by
 * fusekernel.c after fuse_terms.h (setup.py lists it as a dependency and ships it).
 *
 * One pass of `fusion_scan.run_passes` step by step: per sample the terms of `terms_loop`
 * (PASS_GROUP samples at a time, in cache, in a loop that vectorises: the rotation angle |w| |dt|
 * and its cosine and sine, within an ulp of numpy's, which calls the C library; a = R (1 - k), the
 * pull, the error growth), then the recurrences the numpy path's blocked scans evaluate, here in
 * sample order: the first solution u1 = a u1 + pull; the second u2 = a u2 + pull |u1 before|, the
 * norm 1 at a block's first sample; both states made unit at every SCAN_BLOCK-th sample (a block start); the error
 * e = (1 - k) e + (1 - k) growth. The same recurrences as the blocked scans, whose transfer products
 * associate the products otherwise: the up-vectors agree within a few units in the last place
 * (tests/analysis/test_fusion_native.py), at a third of the arithmetic and with no blocked layout
 * to place the samples in. UP gets u2 / |u2| (rowsq3), EO the error.
 *
 * The steps of two passes of one length (`fuse_passes`' forward and backward) run side by side, one
 * in each lane of a vector (GCC's vector extensions; their two solutions in a four-double `Quad`,
 * the terms of both computed over their samples interleaved: `PairScratch`): each lane's operations
 * are the one pass' in the same order (IEEE arithmetic lane by lane, no contraction), so each pass
 * gets the bits it gets alone (a NaN's sign aside: the compiler orders a sum's operands as it likes).
 * A lone pass fills both lanes. */
#ifndef HIPLEVEL_NATIVE_FUSE_PASS_H
#define HIPLEVEL_NATIVE_FUSE_PASS_H


typedef double Lanes __attribute__((vector_size(16))); /* lane 0: one pass, lane 1: the other */


/* One pass: its inputs as they lie (read from the last sample when backward), its start state and
 * its outputs (in the pass' order). */
typedef struct {
    const double *ac, *w, *dt, *u0;
    const unsigned char *rest;
    int backward;
    double *up, *eo;
} Pass;

/* The group scratch of two passes side by side, each array's samples interleaved (sample i of pass a
 * at 2i, of pass b at 2i + 1): their inputs acc IA, w IW (three planes each: x, y, z), dt ID, the
 * accelerometer gain IG (rest or move: a double, so `terms_loop` reads no bytes, whose loop the
 * compiler made 32 samples wide and spilled),
 * the angle TH, and the terms T: plane k (TERM_STRIDE apart, k < ST_N: `terms_loop`'s) holds term k
 * of both passes, so a step reads each term of both as one pair. */
enum { PAIR_SCRATCH = (ST_N + 3 + 3 + 1 + 1 + 1) * TERM_STRIDE }; /* doubles */

typedef struct {
    double *T, *IA, *IW, *ID, *IG, *TH;
} PairScratch;

/* The planes start SCRATCH_ALIGN-aligned (each TERM_STRIDE doubles, a multiple of it): `terms_loop`
 * reads and writes them as whole aligned vectors (GCC splits a 32-byte access it cannot prove
 * aligned into two halves). */
enum { SCRATCH_ALIGN = 64 };
_Static_assert((TERM_STRIDE * sizeof(double)) % SCRATCH_ALIGN == 0, "each plane starts aligned");

static void lay_scratch(PairScratch *g, double *scratch) {
    g->T = scratch, g->IA = g->T + ST_N * TERM_STRIDE, g->IW = g->IA + 3 * TERM_STRIDE;
    g->ID = g->IW + 3 * TERM_STRIDE, g->IG = g->ID + TERM_STRIDE, g->TH = g->IG + TERM_STRIDE;
}

/* Samples [g0, g0 + gm) of passes a and b (of m each), each in its order (from the end when
 * backward), into lanes 0 and 1 of the interleaved inputs (the gain rest_gain at rest, else
 * move_gain, as `terms_loop` selected it): one loop, its pointers stepped (in locals:
 * the stores could alias the structs' fields). sa, sb: each pass' step through its arrays, +1 or
 * -1, constants in each of `interleave_inputs`' four calls (one index for all arrays, not eight
 * pointers stepped by variables: ~a third of the loop's instructions). */
static inline __attribute__((always_inline)) void interleave_steps(const double *restrict aac,
                                                                   const double *restrict aw,
                                                                   const double *restrict adt,
                                                                   const unsigned char *restrict ar,
                                                                   const double *restrict bac,
                                                                   const double *restrict bw,
                                                                   const double *restrict bdt,
                                                                   const unsigned char *restrict br, Py_ssize_t gm,
                                                                   const int sa, const int sb, double move_gain,
                                                                   double rest_gain, const PairScratch *g) {
    double *restrict IA = g->IA, *restrict IW = g->IW, *restrict ID = g->ID;
    double *restrict IG = g->IG;
    for (Py_ssize_t i = 0; i < gm; i++) {
        const Py_ssize_t ia = 3 * sa * i, ib = 3 * sb * i;
#pragma GCC unroll 3
        for (int c = 0; c < 3; c++) {
            IA[c * TERM_STRIDE + 2 * i] = aac[ia + c], IA[c * TERM_STRIDE + 2 * i + 1] = bac[ib + c];
            IW[c * TERM_STRIDE + 2 * i] = aw[ia + c], IW[c * TERM_STRIDE + 2 * i + 1] = bw[ib + c];
        }
        ID[2 * i] = adt[sa * i], ID[2 * i + 1] = bdt[sb * i];
        IG[2 * i] = ar[sa * i] != 0 ? rest_gain : move_gain, IG[2 * i + 1] = br[sb * i] != 0 ? rest_gain : move_gain;
    }
}

static void interleave_inputs(const Pass *a, const Pass *b, Py_ssize_t m, Py_ssize_t g0, Py_ssize_t gm,
                              double move_gain, double rest_gain, const PairScratch *g) {
    const Py_ssize_t fa = a->backward ? m - 1 - g0 : g0, fb = b->backward ? m - 1 - g0 : g0;
#define INTERLEAVE(sa, sb)                                                                                    \
    interleave_steps(a->ac + 3 * fa, a->w + 3 * fa, a->dt + fa, a->rest + fa, b->ac + 3 * fb, b->w + 3 * fb, \
                     b->dt + fb, b->rest + fb, gm, sa, sb, move_gain, rest_gain, g)
    if (!a->backward && b->backward)
        INTERLEAVE(1, -1);
    else if (!a->backward)
        INTERLEAVE(1, 1);
    else if (b->backward)
        INTERLEAVE(-1, -1);
    else
        INTERLEAVE(-1, 1);
#undef INTERLEAVE
}

/* The terms of samples [g0, g0 + gm) of passes a and b (of m each) into g's planes (`terms_loop`
 * over the 2 gm interleaved samples: each sample's the same values). */
static void group_terms(const Pass *a, const Pass *b, Py_ssize_t m, Py_ssize_t g0, Py_ssize_t gm, const double *params,
                        const PairScratch *g) {
    interleave_inputs(a, b, m, g0, gm, params[0], params[1], g);
    double *T = g->T;
    const Py_ssize_t n2 = 2 * gm;
    terms_loop(n2, g->IA, g->IW, g->ID, g->IG, params[2], params[3], params[4], T, g->TH);
}

/* The two passes' states side by side in a four-double vector (`Quad`): lanes 0 and 1 the first
 * solution u1 of passes a and b, lanes 2 and 3 their second solution u2. Both solutions take the
 * same a = R (1 - k) per pass, so one product of a (its rows' lanes (a, b, a, b)) turns all four:
 * half the products and sums of a step of `Lanes`, each lane's operations those of the pass alone
 * in the same order (u1 = a u1 + pull takes pull * 1, which is pull: IEEE). AVX where the CPU has
 * it (VECTOR_CLONES), else two SSE2 halves. */
typedef double Quad __attribute__((vector_size(32)));
typedef long long QuadIndex __attribute__((vector_size(32)));

DEFINE_MAT3(Quad, mat3_quad)

static inline Quad sqrt_quad(Quad x) { return (Quad){sqrt(x[0]), sqrt(x[1]), sqrt(x[2]), sqrt(x[3])}; }

/* (p[0], p[1], p[0], p[1]): four doubles loaded and the pair copied into the upper half (AVX2: one
 * vpermpd from memory). p[2], p[3] are read, not used: the next pair of the plane, or the start of
 * the next plane (or of IA after the last), inside the scratch. */
static inline __attribute__((always_inline)) Quad pair_quad(const double *p) {
    Quad q;
    memcpy(&q, p, sizeof q);
    return __builtin_shuffle(q, (QuadIndex){0, 1, 0, 1});
}

_Static_assert(PASS_GROUP % FB == 0, "a group starts at a block start");

/* One step of both passes from their terms at t (plane k at t + k TERM_STRIDE: pass a's, pass b's):
 * states u (3 Quads, one a component) and err (the two passes' errors); start: the sample begins a
 * block (the states made unit, the pull's scale 1). u2 / |u2| into ua, ub (3 each), the errors into
 * ea, eb. */
static inline __attribute__((always_inline)) void step_quad(const int start, const double *t, Quad *u, Lanes *err,
                                                            double *ua, double *ub, double *ea, double *eb) {
#define TERM(k) pair_quad(t + (k) * TERM_STRIDE)
    const Quad one = {1.0, 1.0, 1.0, 1.0};
    const Quad nrm = sqrt_quad(u[0] * u[0] + u[1] * u[1] + u[2] * u[2]);
    Quad sc = one; /* lanes 2, 3: |u1| before the step (u1's lanes 0, 1), lanes 0, 1: 1 */
    if (start)
        u[0] = u[0] / nrm, u[1] = u[1] / nrm, u[2] = u[2] / nrm;
    else
        sc = __builtin_shuffle(one, nrm, (QuadIndex){0, 1, 4, 5});
    Quad r[9]; /* a = R (1 - k), made by `terms_loop` (as vectors of samples: here half the lanes repeat) */
#pragma GCC unroll 9
    for (int q = 0; q < 9; q++)
        r[q] = TERM(ST_R0 + q);
    Quad y[3];
    mat3_quad(r, u, 1, y);
#pragma GCC unroll 3
    for (int q = 0; q < 3; q++)
        u[q] = y[q] + TERM(ST_P0 + q) * sc;
    const Lanes keep2 = {t[ST_KEEP * TERM_STRIDE], t[ST_KEEP * TERM_STRIDE + 1]};
    const Lanes kgrow = {t[ST_KG * TERM_STRIDE], t[ST_KG * TERM_STRIDE + 1]};
    *err = keep2 * *err + kgrow; /* (1 - k) e + (1 - k) growth, its product made by `terms_loop` */
    /* the outputs u2 / |u2|, |u2| summed as `rowsq3` (lanes 0, 1 computed, not used) */
    const Quad out_nrm = sqrt_quad((u[0] * u[0] + u[2] * u[2]) + u[1] * u[1]);
    const Quad o0 = u[0] / out_nrm, o1 = u[1] / out_nrm, o2 = u[2] / out_nrm;
    ua[0] = o0[2], ua[1] = o1[2], ua[2] = o2[2], *ea = (*err)[0];
    ub[0] = o0[3], ub[1] = o1[3], ub[2] = o2[3], *eb = (*err)[1];
#undef TERM
}

/* The steps of samples [g0, g0 + gm) of passes a and b from their group's terms T; state: the Quads
 * u (12 doubles) then the errors (2), carried in and out (in locals meanwhile: the outputs' stores
 * could alias them, and would send each step's states through memory). */
VECTOR_CLONES
static void pass_steps(Py_ssize_t g0, Py_ssize_t gm, const Pass *a, const Pass *b, const double *T, double *state) {
    double *UA = a->up + 3 * g0, *UB = b->up + 3 * g0, *EA = a->eo + g0, *EB = b->eo + g0;
    Quad u[3];
    for (int q = 0; q < 3; q++)
        u[q] = (Quad){state[4 * q], state[4 * q + 1], state[4 * q + 2], state[4 * q + 3]};
    Lanes err = {state[12], state[13]};
    for (Py_ssize_t i0 = 0; i0 < gm; i0 += FB) { /* g0 + i0: a block start */
        const Py_ssize_t i1 = gm - i0 < FB ? gm : i0 + FB;
        step_quad(1, T + 2 * i0, u, &err, UA + 3 * i0, UB + 3 * i0, EA + i0, EB + i0);
        for (Py_ssize_t i = i0 + 1; i < i1; i++)
            step_quad(0, T + 2 * i, u, &err, UA + 3 * i, UB + 3 * i, EA + i, EB + i);
    }
    for (int q = 0; q < 3; q++)
        for (int l = 0; l < 4; l++)
            state[4 * q + l] = u[q][l];
    state[12] = err[0], state[13] = err[1];
}

/* Passes a and b (b may be a itself: a lone pass, in both lanes) over their m samples each, from
 * error err0, with g's scratch. */
static void run_passes_lanes(const Pass *a, const Pass *b, Py_ssize_t m, const double *params, double err0,
                             const PairScratch *g) {
    double state[14];
    for (int q = 0; q < 3; q++)
        state[4 * q] = state[4 * q + 2] = a->u0[q], state[4 * q + 1] = state[4 * q + 3] = b->u0[q];
    state[12] = state[13] = err0;
    for (Py_ssize_t g0 = 0; g0 < m; g0 += PASS_GROUP) {
        Py_ssize_t gm = m - g0 < PASS_GROUP ? m - g0 : PASS_GROUP;
        group_terms(a, b, m, g0, gm, params, g);
        pass_steps(g0, gm, a, b, g->T, state);
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
    /* `kept_scratch`: the passes' group scratch */
    static double *scratch = NULL;
    static size_t scratch_n = 0;
    if (kept_scratch(&scratch, &scratch_n, (size_t)PAIR_SCRATCH + SCRATCH_ALIGN / sizeof(double)) == NULL) {
        release(v, n);
        return PyErr_NoMemory();
    }
    PairScratch g;
    lay_scratch(&g, (double *)(((uintptr_t)scratch + SCRATCH_ALIGN - 1) & ~(uintptr_t)(SCRATCH_ALIGN - 1)));
    run_passes_lanes(&p[0], pair ? &p[1] : &p[0], m, params, err0, &g);
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
