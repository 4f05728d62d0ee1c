"""The package's optional compiled kernel (everything else is in pyproject.toml).

`hiplevel._native.csvparse` is built when a C compiler is at hand (no network: the C library
only); without one the build goes on and hiplevel reads CSVs with numpy's parser, with the same
results (host/hiplevel/_native/__init__.py)."""

import sys

from setuptools import Extension, setup

# No contraction of a*b+c into one rounding, no fast-math: the kernel's floats are the C library's.
FLAGS = [] if sys.platform == "win32" else ["-O2", "-ffp-contract=off"]

setup(ext_modules=[Extension("hiplevel._native.csvparse", ["host/hiplevel/_native/csvparse.c"],
                             extra_compile_args=FLAGS, optional=True)])
