/* What the vectorised kernels share (fusekernel.c through fuse_terms.h, filterkernel.c): functions
 * cloned per vector width, and scratch kept from call to call. setup.py lists it as a dependency and
 * ships it. */
#ifndef HIPLEVEL_NATIVE_VECTORS_H
#define HIPLEVEL_NATIVE_VECTORS_H

#include <stdlib.h>

/* A function compiled for x86-64-v3 (AVX2) and for the baseline, the one the CPU runs picked when the
 * module loads (GCC's function multiversioning): the same operations in the same order whatever the
 * vector width, so the same bits. Not AVX-512: its clones were no faster here (stop 29's fusion group 56.8
 * against 56.6 ns a sample and pass) and its wide floating-point work can lower the core's clock for
 * the code that follows. Elsewhere one version. */
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__linux__)
#define VECTOR_CLONES __attribute__((target_clones("arch=x86-64-v3", "default")))
#else
#define VECTOR_CLONES
#endif

/* GCC's loop vectoriser for one function of a file built at -O2 (its cost model as at -O3): the
 * same operations per element, fewer instructions. Elsewhere the compiler's own choice. */
#if defined(__GNUC__) && !defined(__clang__)
#define VECTORISED __attribute__((optimize("tree-vectorize", "vect-cost-model=dynamic")))
#else
#define VECTORISED
#endif

/* A scratch array of at least `need` doubles kept from call to call in *buf (capacity *cap): a fresh
 * block each time would be fresh pages from the system, each faulted in, which cost more than the
 * arithmetic. Used with the GIL held. NULL when out of memory. */
static inline double *kept_scratch(double **buf, size_t *cap, size_t need) {
    if (need > *cap) {
        double *grown = realloc(*buf, sizeof(double) * need);
        if (grown == NULL)
            return NULL;
        *buf = grown, *cap = need;
    }
    return *buf;
}

#endif
