/* Optional compiled kernel: the clean lines of an IMU CSV chunk parsed to doubles.
 *
 * parse(data: bytes, n_cols: int, sep: str) -> bytes | None
 *
 * Each line must hold exactly n_cols fields separated by `sep`, each field a plain decimal number
 * (characters 0-9 + - . e E only, nothing else: no spaces, comments, quotes, nan or inf), lines
 * ended by "\n" or "\r\n" (the last may end the data without one). Anything else returns None and
 * the caller uses numpy's loadtxt, which reads every file this accepts. Each field goes through the
 * C library's strtod (correctly rounded, as the dtoa that loadtxt uses), so the values are the same
 * to the bit (a plain decimal of up to 2^53 and 22 places is divided exactly instead: the same
 * correctly rounded value, `field_value`); a field strtod does not take whole, or one out of range
 * (ERANGE), also gives None.
 * The result: the rows' doubles (n_rows * n_cols, native order) as bytes, for numpy.frombuffer.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define MAX_FIELD 63

/* Exact powers of ten (10^22 is the largest a double holds exactly). */
static const double POW10[23] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                                 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

/* The characters a number may hold (0-9 + - . e E): 1, else 0. */
static unsigned char ALLOWED[256];

static void init_allowed(void) {
    for (int c = '0'; c <= '9'; c++)
        ALLOWED[c] = 1;
    ALLOWED['+'] = ALLOWED['-'] = ALLOWED['.'] = ALLOWED['e'] = ALLOWED['E'] = 1;
}

static int allowed(unsigned char c) { return ALLOWED[c]; }

/* The digits from p on, added to *m; returns the first byte after them. */
static const unsigned char *digits_into(const unsigned char *p, const unsigned char *end, unsigned long long *m) {
    unsigned long long x = *m;
    unsigned d;
    while (p < end && (d = (unsigned)*p - '0') < 10) {
        x = x * 10u + d;  /* wraps past 19 digits: not used then */
        p++;
    }
    *m = x;
    return p;
}

/* One field from *pp: the longest run of allowed characters (nothing else may be in a number), read
 * in the same pass as it is scanned when it is [+-]digits[.digits] with an integer m <= 2^53 of at
 * most 19 digits and at most 22 after the point: m / 10^k of two exact doubles, one correctly
 * rounded division, is the correctly rounded value of the decimal (Clinger's fast path; what strtod
 * returns). Any other run (an exponent, more digits, a sign or point out of place) goes to strtod,
 * which must take it whole and in range. 1 with *pp past the field, 0 for a bad field. */
static int field_value(const unsigned char **pp, const unsigned char *end, double *v) {
    const unsigned char *f = *pp, *p = f;
    int neg = 0;
    unsigned long long m = 0;
    if (p < end && (*p == '+' || *p == '-'))
        neg = (*p++ == '-');
    const unsigned char *d0 = p;
    p = digits_into(p, end, &m);
    Py_ssize_t digits = p - d0, frac = -1;
    if (p < end && *p == '.') {
        const unsigned char *q = ++p;
        p = digits_into(p, end, &m);
        frac = p - q;
        digits += frac;
    }
    int fast = p >= end || !allowed(*p);
    while (p < end && allowed(*p))
        p++;
    Py_ssize_t len = p - f;
    if (len == 0 || len > MAX_FIELD)
        return 0;
    *pp = p;
    if (fast && digits > 0 && digits <= 19 && m <= (1ULL << 53) && frac <= 22) {
        double x = (double)m;
        if (frac > 0)
            x = x / POW10[frac];
        *v = neg ? -x : x;
        return 1;
    }
    char field[MAX_FIELD + 1];
    memcpy(field, f, (size_t)len);
    field[len] = '\0';
    char *stop;
    errno = 0;
    *v = strtod(field, &stop);
    return stop == field + len && errno != ERANGE;
}

/* The "\n" bytes in [p, end). */
static Py_ssize_t count_newlines(const unsigned char *p, const unsigned char *end) {
    Py_ssize_t n = 0;
    while ((p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
        n++;
        p++;
    }
    return n;
}

static PyObject *parse(PyObject *self, PyObject *args) {
    Py_buffer buf;
    int n_cols;
    int sep;
    (void)self;
    if (!PyArg_ParseTuple(args, "y*iC", &buf, &n_cols, &sep))
        return NULL;
    const unsigned char *p = (const unsigned char *)buf.buf, *end = p + buf.len;
    if (n_cols < 1 || sep > 127 || allowed((unsigned char)sep) || sep == '\n' || sep == '\r' || buf.len == 0) {
        PyBuffer_Release(&buf);
        Py_RETURN_NONE;
    }
    /* Exactly the room of the lines (counted by memchr, which reads many bytes at a time), in the
     * result itself: no copy after. */
    Py_ssize_t lines = count_newlines(p, end) + (end[-1] != '\n');
    PyObject *res = PyBytes_FromStringAndSize(NULL, lines * n_cols * (Py_ssize_t)sizeof(double));
    if (res == NULL) {
        PyBuffer_Release(&buf);
        return NULL;
    }
    double *out = (double *)PyBytes_AS_STRING(res);
    Py_ssize_t k = 0;
    int ok = 1;
    Py_ssize_t room = lines * n_cols;
    Py_BEGIN_ALLOW_THREADS
    while (p < end && ok) {
        if (k + n_cols > room) { ok = 0; break; }  /* cannot happen: each row ends a line */
        for (int col = 0; col < n_cols; col++) {
            if (!field_value(&p, end, &out[k])) { ok = 0; break; }
            k++;
            if (col < n_cols - 1) {
                if (p >= end || *p != (unsigned char)sep) { ok = 0; break; }
                p++;
            }
        }
        if (!ok)
            break;
        if (p < end) {  /* the line's end */
            if (*p == '\n')
                p++;
            else if (*p == '\r' && p + 1 < end && p[1] == '\n')
                p += 2;
            else
                ok = 0;
        }
    }
    Py_END_ALLOW_THREADS
    PyBuffer_Release(&buf);
    if (!ok) {
        Py_DECREF(res);
        Py_RETURN_NONE;
    }
    if (k != room && _PyBytes_Resize(&res, k * (Py_ssize_t)sizeof(double)) < 0)
        return NULL;
    return res;
}

/* newlines(data, stop) -> int: the "\n" bytes in data[:stop] (bytes.count's answer, which looks
 * at one byte at a time: a sixth of the time of reading a clean CSV went into it). */
static PyObject *newlines(PyObject *self, PyObject *args) {
    Py_buffer buf;
    Py_ssize_t stop;
    (void)self;
    if (!PyArg_ParseTuple(args, "y*n", &buf, &stop))
        return NULL;
    const unsigned char *p = (const unsigned char *)buf.buf;
    const unsigned char *end = p + (stop < 0 ? 0 : stop > buf.len ? buf.len : stop);
    Py_ssize_t n;
    Py_BEGIN_ALLOW_THREADS
    n = count_newlines(p, end);
    Py_END_ALLOW_THREADS
    PyBuffer_Release(&buf);
    return PyLong_FromSsize_t(n);
}

static PyMethodDef methods[] = {
    {"parse", parse, METH_VARARGS, "parse(data, n_cols, sep) -> bytes of doubles, or None (see the source)"},
    {"newlines", newlines, METH_VARARGS, "newlines(data, stop) -> the number of b'\\n' in data[:stop]"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "hiplevel._native.csvparse", NULL, -1, methods};

PyMODINIT_FUNC PyInit_csvparse(void) {
    init_allowed();
    return PyModule_Create(&module);
}
