"""The package's optional compiled kernel (everything else is in pyproject.toml).

`hiplevel._native.csvparse`, `.scankernel`, `.fusekernel`, `.turnkernel`, `.hullkernel`, `.filterkernel` and
`.restkernel`, `.gridkernel`, `.roundkernel`, `.tiltkernel` are built when a C compiler is at hand (no network: the C library only); without one the build
goes on and hiplevel uses its numpy paths (numpy's CSV parser, the numpy block loops of `signal.scan` and
`signal.fusion_scan`, the clock fit's Python hull loop, the biquad's numpy block loop, the builtin round, the posture rule's numpy
tilt columns), with the same results
(host/hiplevel/_native)."""

import sys

from setuptools import Extension, setup

# No contraction of a*b+c into one rounding, no fast-math: the kernel's floats are the C library's.
FLAGS = [] if sys.platform == "win32" else ["-O2", "-ffp-contract=off"]
# fusekernel's per-sample terms and restkernel's spreads run as vectors only when sqrt need not set errno
# and a compare may be evaluated where the scalar code would have skipped it: neither changes a value (no
# reassociation, no reciprocals, no finite-math assumption), so their results stay the numpy path's to the bit.
VECTOR_FLAGS = ["-fno-math-errno", "-fno-trapping-math"]
EXTRA = {} if sys.platform == "win32" else {"fusekernel": VECTOR_FLAGS, "restkernel": VECTOR_FLAGS,
                                            "turnkernel": VECTOR_FLAGS}

# args.h: the argument checks the kernels share; rotation.h: the Rodrigues matrix and 3x3 products of
# fusekernel and turnkernel; fuse_pass.h: fusekernel's whole passes; vectors.h: the per-vector-width
# clones and kept scratch of fusekernel, filterkernel and restkernel; sensor_rows.h: gridkernel's row
# helpers (dependencies of each; shipped as package data).
HEADERS = [f"host/hiplevel/_native/{h}"
           for h in ("args.h", "rotation.h", "fuse_terms.h", "fuse_pass.h", "vectors.h", "sensor_rows.h")]
KERNELS = ("csvparse", "scankernel", "fusekernel", "turnkernel", "hullkernel", "filterkernel", "restkernel",
           "gridkernel", "roundkernel", "tiltkernel")
setup(ext_modules=[Extension(f"hiplevel._native.{name}", [f"host/hiplevel/_native/{name}.c"],
                             include_dirs=["host/hiplevel/_native"], depends=HEADERS,
                             extra_compile_args=FLAGS + EXTRA.get(name, []), optional=True) for name in KERNELS])
