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
 * correctly rounded value, `fast_decimal`); a field strtod does not take whole, or one out of range
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

/* A field [+-]digits[.digits] whose digits make an integer m <= 2^53 and with at most 22 digits
 * after the point: m / 10^k of two exact doubles, one correctly rounded division, is the correctly
 * rounded value of the decimal (Clinger's fast path; what strtod returns). 1 when done, else 0. */
static int fast_decimal(const unsigned char *f, Py_ssize_t len, double *v) {
    const unsigned char *p = f, *end = f + len;
    int neg = 0, digits = 0, frac = -1;
    unsigned long long m = 0;
    if (p < end && (*p == '+' || *p == '-'))
        neg = (*p++ == '-');
    for (; p < end; p++) {
        if (*p >= '0' && *p <= '9') {
            if (++digits > 19)
                return 0;
            m = m * 10u + (unsigned)(*p - '0');
            if (frac >= 0)
                frac++;
        } else if (*p == '.' && frac < 0) {
            frac = 0;
        } else {
            return 0;
        }
    }
    if (digits == 0 || m > (1ULL << 53) || frac > 22)
        return 0;
    double x = (double)m;
    if (frac > 0)
        x = x / POW10[frac];
    *v = neg ? -x : x;
    return 1;
}

static int allowed(unsigned char c) {
    return (c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.' || c == 'e' || c == 'E';
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
    Py_ssize_t lines = 1;
    for (const unsigned char *q = p; q < end; q++)
        lines += (*q == '\n');
    double *out = (double *)PyMem_Malloc((size_t)lines * (size_t)n_cols * sizeof(double) + sizeof(double));
    if (out == NULL) {
        PyBuffer_Release(&buf);
        return PyErr_NoMemory();
    }
    Py_ssize_t k = 0;
    int ok = 1;
    char field[MAX_FIELD + 1];
    Py_BEGIN_ALLOW_THREADS
    while (p < end && ok) {
        for (int col = 0; col < n_cols; col++) {
            const unsigned char *f = p;
            while (p < end && allowed(*p))
                p++;
            Py_ssize_t len = p - f;
            if (len == 0 || len > MAX_FIELD) { ok = 0; break; }
            double v;
            if (!fast_decimal(f, len, &v)) {
                memcpy(field, f, (size_t)len);
                field[len] = '\0';
                char *stop;
                errno = 0;
                v = strtod(field, &stop);
                if (stop != field + len || errno == ERANGE) { ok = 0; break; }
            }
            out[k++] = v;
            if (col < n_cols - 1) {
                if (p >= end || *p != (unsigned char)sep) { ok = 0; break; }
                p++;
            }
        }
        if (!ok)
            break;
        if (p < end) {  /* the line's end */
            if (*p == '\r' && p + 1 < end && p[1] == '\n')
                p += 2;
            else if (*p == '\n')
                p++;
            else
                ok = 0;
        }
    }
    Py_END_ALLOW_THREADS
    PyBuffer_Release(&buf);
    if (!ok) {
        PyMem_Free(out);
        Py_RETURN_NONE;
    }
    PyObject *res = PyBytes_FromStringAndSize((const char *)out, k * (Py_ssize_t)sizeof(double));
    PyMem_Free(out);
    return res;
}

static PyMethodDef methods[] = {
    {"parse", parse, METH_VARARGS, "parse(data, n_cols, sep) -> bytes of doubles, or None (see the source)"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "hiplevel._native.csvparse", NULL, -1, methods};

PyMODINIT_FUNC PyInit_csvparse(void) { return PyModule_Create(&module); }
