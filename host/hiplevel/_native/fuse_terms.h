/* The fusion pass' per-sample terms (`fusekernel.fuse_pass`): computed in sample order in a loop
 * the compiler vectorises; and the accelerometer fraction
 * alone (`fusekernel.accel_fraction`, for the grid pass). Included by fusekernel.c only (setup.py
 * lists it as a dependency and ships it). */
#ifndef HIPLEVEL_NATIVE_FUSE_TERMS_H
#define HIPLEVEL_NATIVE_FUSE_TERMS_H

#include "args.h"
#include "rotation.h"
#include "vectors.h"
#include <math.h>
#include <stdlib.h>

/* x0*x0 + x1*x1 + x2*x2 as numpy's einsum("ij,ij->i") sums a row of three: (x0*x0 + x2*x2) + x1*x1
 * (its two-lane loop; `fusion_scan._einsum_rows_ok` checks it at run time, else the numpy path runs). */
static inline double rowsq3(const double *x) {
    double p0 = x[0] * x[0], p1 = x[1] * x[1], p2 = x[2] * x[2];
    double s = p0 + p2;
    return s + p1;
}

#define DEG_RAD (3.141592653589793 / 180.0)

/* The accelerometer fraction k of one sample (`fusion.accel_fraction`) from its |a| norm_a (g), |w|
 * mag (rad/s), |dt| adt (s) and gain (1/s). Each term computed, then selected (no branch: the loops
 * that call it vectorise): the kept value is the same. */
static inline double accel_k(double norm_a, double mag, double adt, double gain, double tol, double turn) {
    double dev = fabs(norm_a - 1.0) / tol;
    double weight = tol > 0 ? 1.0 - dev : 0.0;
    double pre = weight; /* the weight before the turn term, which `use` tests */
    double rate = mag / DEG_RAD / turn;
    double rr = rate * rate;
    double turned = weight / (1.0 + rr);
    weight = turn > 0 ? turned : weight;
    double x = gain * adt;
    x = x * weight;
    double k = 1.0 <= x ? 1.0 : x; /* np.minimum(1.0, x): a NaN stays */
    /* used where weight > 0, |a| > 0 and gain > 0 (each test as a select) */
    k = pre > 0.0 ? k : 0.0;
    k = norm_a > 0.0 ? k : 0.0;
    return gain > 0 ? k : 0.0;
}

/* `fusion.accel_fraction` of m samples: k, |a| (g) and |w| (rad/s) into K, NA, MG (|a| and |w| as
 * numpy's einsum sums a row: `rowsq3`'s order). Vectorised as `terms_loop`. */
VECTOR_CLONES
static void fraction_loop(Py_ssize_t m, const double *restrict AC, const double *restrict W,
                          const double *restrict DT, const unsigned char *restrict REST, double move_gain,
                          double rest_gain, double tol, double turn, double *restrict K, double *restrict NA,
                          double *restrict MG) {
    for (Py_ssize_t i = 0; i < m; i++) {
        const double w0 = W[3 * i], w1 = W[3 * i + 1], w2 = W[3 * i + 2];
        const double a0 = AC[3 * i], a1 = AC[3 * i + 1], a2 = AC[3 * i + 2];
        double qa0 = a0 * a0, qa1 = a1 * a1, qa2 = a2 * a2, qw0 = w0 * w0, qw1 = w1 * w1, qw2 = w2 * w2;
        double sa = qa0 + qa2, sw = qw0 + qw2;
        double norm_a = sqrt(sa + qa1), mag = sqrt(sw + qw1);
        double gain = REST[i] != 0 ? rest_gain : move_gain;
        K[i] = accel_k(norm_a, mag, fabs(DT[i]), gain, tol, turn);
        NA[i] = norm_a, MG[i] = mag;
    }
}

/* The per-sample terms of `fuse_pass`, in sample order (ST_N arrays of m, one after the other):
 * the step's matrix a = R (1 - k) (nine planes, row-major: R the Rodrigues rotation by the angle
 * |w| dt about w/|w|, k the accelerometer fraction), the pull k a/|a| (three), 1 - k and
 * (1 - k) growth (the error growth cross |w| |dt|). The same operations in the same order as
 * the per-sample code they replace (each division and square root rounded alike, whatever the
 * vector width: IEEE operations are exact per element), but in a plain loop over the samples,
 * which the compiler vectorises: the divisions, square roots and the rotation's products, most of
 * a step's arithmetic, then run several samples at a time (AVX2 where the CPU has it:
 * VECTOR_CLONES), not in the two-pass lanes of `step_quad`, half of whose lanes repeat the other
 * half. The angle's cosine and -sine are the small-angle polynomials; a sample whose angle is not
 * small (or NaN) is done again with the C library's (`sample_terms`' exact).
 * It vectorises only built with -fno-math-errno (sqrt sets no errno: no branch) and
 * -fno-trapping-math (the selects may test a value the branches skipped): setup.py's EXTRA. */
enum { ST_R0, ST_P0 = ST_R0 + 9, ST_P1, ST_P2, ST_KEEP, ST_KG, ST_N };

/* One sample's ST_N terms into o (see `terms_loop`); th: its angle |w| dt, rad. exact: cos and sin
 * from the C library (else the small-angle polynomials). */
static inline __attribute__((always_inline)) void sample_terms(double a0, double a1, double a2, double w0,
                                                               double w1, double w2, double dt, double gain, double tol,
                                                               double turn, double cross, int exact, double *o,
                                                               double *th_out) {
    /* rodrigues' axis (its |w| summed in order) and angle |w| dt */
    double magr = sqrt(w0 * w0 + w1 * w1 + w2 * w2);
    double mr = magr > 0.0 ? magr : 1.0;
    double kx = w0 / mr, ky = w1 / mr, kz = w2 / mr;
    double th = magr * dt;
    double c = exact ? cos(th) : small_cos(th), s = exact ? -sin(th) : -small_sin(th);
    /* |a| and |w| as numpy's einsum sums a row (`rowsq3`) */
    double qa0 = a0 * a0, qa1 = a1 * a1, qa2 = a2 * a2, qw0 = w0 * w0, qw1 = w1 * w1, qw2 = w2 * w2;
    double sa = qa0 + qa2, sw = qw0 + qw2;
    double norm_a = sqrt(sa + qa1), mag = sqrt(sw + qw1);
    double adt = fabs(dt);
    double k = accel_k(norm_a, mag, adt, gain, tol, turn);
    double na = norm_a > 0.0 ? norm_a : 1.0;
    double ka0 = k * a0, ka1 = k * a1, ka2 = k * a2;
    double cm = cross * mag;
    double grow = cm * adt;
    double r[9], keep = 1.0 - k;
    rodrigues_axis(kx, ky, kz, c, s, r);
#pragma GCC unroll 9
    for (int q = 0; q < 9; q++)
        o[ST_R0 + q] = r[q] * keep;
    o[ST_P0] = ka0 / na, o[ST_P1] = ka1 / na, o[ST_P2] = ka2 / na;
    o[ST_KEEP] = keep, o[ST_KG] = keep * grow;
    *th_out = th;
}

/* `fuse_pass`' group of samples (`fuse_pass.h`: PASS_GROUP steps of two passes) and the distance
 * between the planes of its terms, doubles: a cache line more than a plane holds, so the planes'
 * samples at one index lie in different sets of the L1 cache (64 KB apart, the twenty planes the
 * terms loop reads and writes at once all fell in one set: 8 ways; the loop ran 1.4 times as long). */
enum { PASS_GROUP = 4096, TERM_STRIDE = 2 * PASS_GROUP + 8 };

/* `sample_terms` of m <= TERM_STRIDE samples (acc AC, w W: three planes each, component c at
 * + c TERM_STRIDE, so a vector of samples is loaded, not gathered from rows of three; dt DT, gain
 * GAIN) into the planes of O (plane k at O + k TERM_STRIDE: one pointer, whose constant offsets
 * leave the loop registers for its values), th into TH: the polynomials' for all in a loop that
 * vectorises, then the C library's where an angle is not small. Every array starts 32-byte
 * aligned (`lay_scratch`). */
VECTOR_CLONES
static void terms_loop(Py_ssize_t m, const double *restrict AC, const double *restrict W, const double *restrict DT,
                       const double *restrict GAIN, double tol, double turn, double cross, double *restrict O,
                       double *restrict TH) {
#define ALIGNED(p) p = __builtin_assume_aligned(p, 32)
    ALIGNED(AC), ALIGNED(W), ALIGNED(DT), ALIGNED(GAIN), ALIGNED(TH), ALIGNED(O);
#undef ALIGNED
    long long large = 0; /* any angle not small (or NaN): then the second loop */
    for (Py_ssize_t i = 0; i < m; i++) {
        double o[ST_N], th;
        sample_terms(AC[i], AC[TERM_STRIDE + i], AC[2 * TERM_STRIDE + i], W[i], W[TERM_STRIDE + i],
                     W[2 * TERM_STRIDE + i], DT[i], GAIN[i], tol, turn, cross, 0, o, &th);
#pragma GCC unroll 14
        for (int q = 0; q < ST_N; q++)
            O[q * TERM_STRIDE + i] = o[q];
        TH[i] = th;
        large |= !(fabs(th) <= SMALL_ANGLE_RAD);
    }
    if (large)
        for (Py_ssize_t i = 0; i < m; i++)
            if (!(fabs(TH[i]) <= SMALL_ANGLE_RAD)) {
                double o[ST_N], th;
                sample_terms(AC[i], AC[TERM_STRIDE + i], AC[2 * TERM_STRIDE + i], W[i], W[TERM_STRIDE + i],
                             W[2 * TERM_STRIDE + i], DT[i], GAIN[i], tol, turn, cross, 1, o, &th);
                for (int q = 0; q < ST_N; q++)
                    O[q * TERM_STRIDE + i] = o[q];
            }
}


/* The rows m of a fusion pass's input in v[0..3]: acc, w (m,3), dt (m,) float64 and rest (m,) 1 byte;
 * -1 when one does not fit. */
static inline Py_ssize_t imu_rows(const Py_buffer *v) {
    Py_ssize_t m = v[0].ndim == 2 ? v[0].shape[0] : -1;
    if (m < 0 || !is_f64(&v[0], 3 * m) || !is_f64(&v[1], 3 * m) || !is_f64(&v[2], m) || v[3].itemsize != 1 ||
        v[3].len != m)
        return -1;
    return m;
}

/* accel_fraction(params, acc, w, dt, rest, k, norm_a, mag) -> None: `fusion.accel_fraction` of m
 * samples (`fraction_loop`: the same operations in the same order, the results to the bit where
 * numpy's einsum sums a row as `rowsq3`, `fusion_scan._einsum_rows_ok`). params: (move_gain,
 * rest_gain, acc_tolerance_g, turn_rate_dps); acc, w (m,3) float64 (g, rad/s), dt (m,) float64 s,
 * rest (m,) 1 byte; k, norm_a, mag (m,) float64 out. */
static PyObject *accel_fraction(PyObject *self, PyObject *args) {
    (void)self;
    double move_gain, rest_gain, tol, turn;
    PyObject *o[7];
    if (!PyArg_ParseTuple(args, "(dddd)OOOOOOO", &move_gain, &rest_gain, &tol, &turn, &o[0], &o[1], &o[2], &o[3],
                          &o[4], &o[5], &o[6]))
        return NULL;
    Py_buffer v[7];
    if (get_objs(o, 7, 4, 0, v) < 0)
        return NULL;
    Py_ssize_t m = imu_rows(v);
    if (m < 0 || !is_f64(&v[4], m) || !is_f64(&v[5], m) || !is_f64(&v[6], m))
        return bad_args(v, 7, "accel_fraction: acc, w (m,3), dt (m,) float64, rest (m,) 1 byte; k, norm_a, mag (m,) "
                              "float64");
    fraction_loop(m, v[0].buf, v[1].buf, v[2].buf, v[3].buf, move_gain, rest_gain, tol, turn, v[4].buf, v[5].buf,
                  v[6].buf);
    release(v, 7);
    Py_RETURN_NONE;
}

#endif
