"""The optional compiled CSV parser (`hiplevel._native.csvparse`) gives numpy's loadtxt values to
the bit, and hands anything that is not clean lines of plain numbers back to the numpy path
(None); an IMU CSV is read the same with the kernel and without it (`HIPLEVEL_NO_NATIVE=1`)."""

from __future__ import annotations

import io

import numpy as np
import pytest

from hiplevel._native import csv_kernel

kernel = csv_kernel()
needs_kernel = pytest.mark.skipif(kernel is None, reason="the compiled CSV kernel is not built here "
                                  "(no C compiler when the package was installed): the numpy path is used")


def _fields(rng: np.random.Generator, n: int) -> list[str]:
    """Numbers as loggers and people write them: fixed places, long mantissas, exponents, leading
    zeros, signs, '.5' and '5.', 17-20 digits (beyond the exact fast path), tiny and huge values."""
    out = []
    for _ in range(n):
        kind = rng.integers(0, 9)
        x = float(rng.normal() * 10.0 ** rng.integers(-6, 7))
        if kind == 0:
            out.append(f"{x:.6f}")
        elif kind == 1:
            out.append(repr(x))  # shortest round trip, up to 17 digits, maybe an exponent
        elif kind == 2:
            out.append(f"{x:.{int(rng.integers(0, 25))}f}")  # up to 25 places (beyond 10^22)
        elif kind == 3:
            out.append(f"{x:.{int(rng.integers(1, 19))}e}")
        elif kind == 4:
            out.append("".join(rng.choice(list("0123456789"), int(rng.integers(1, 24)))))  # 2^53 and beyond
        elif kind == 5:
            out.append(("-" if x < 0 else "+") + f"{abs(x):.3f}".lstrip("0"))  # "-.123", "+4.500"
        elif kind == 6:
            out.append(f"{int(x)}.")
        elif kind == 7:
            out.append(f"{x:.9f}".replace("-", "-00"))
        else:
            out.append(rng.choice(["0", "-0", "-0.0", "0.000", "1e-300", "4.9e-300", "9007199254740993",
                                   "9007199254740992.5", "0.30000000000000004", "123456789012345678901.5"]))
    return out


@needs_kernel
@pytest.mark.parametrize("seed", range(6))
def test_the_kernel_parses_numbers_as_loadtxt_does_to_the_bit(seed: int) -> None:
    rng = np.random.default_rng(seed)
    rows, cols = 400, 7
    f = _fields(rng, rows * cols)
    text = "\n".join(",".join(f[r * cols:(r + 1) * cols]) for r in range(rows)).encode()
    for data in (text, text + b"\n", text.replace(b"\n", b"\r\n") + b"\r\n"):
        got = kernel.parse(data, cols, ",")
        assert got is not None
        want = np.loadtxt(io.BytesIO(data), delimiter=",", ndmin=2, dtype=np.float64)
        np.testing.assert_array_equal(np.frombuffer(got, np.float64).view(np.int64), want.ravel().view(np.int64))


@needs_kernel
@pytest.mark.parametrize("data", [
    b"1,2,3\n\n4,5,6\n",     # a blank line
    b"1,2,3\n# note\n4,5,6\n",  # a comment
    b"1,2,3 # note\n",      # a trailing comment
    b"1, 2,3\n",            # a space
    b"1,2\n",               # a field short
    b"1,2,3,4\n",           # one too many
    b"1,,3\n",              # an empty field
    b"1,2,nan\n",           # not a plain number
    b"1,2,inf\n",
    b"1,2,0x1p3\n",
    b"1,2,1e\n",            # strtod would stop early
    b"1,2,.\n",
    b"1,2,1e999\n",         # out of range
    b"1,2,3\r4,5,6\n",      # a bare carriage return
    b"1,2,\xc3\xa9\n",      # not ASCII
    b"",
])
def test_the_kernel_hands_anything_but_clean_plain_numbers_back(data: bytes) -> None:
    assert kernel.parse(data, 3, ",") is None


def test_an_imu_csv_reads_the_same_with_the_kernel_and_without(tmp_path, monkeypatch) -> None:
    from hiplevel.imu_csv import csv_source

    rng = np.random.default_rng(3)
    n = 30_000  # about 2 MB: pieces of 1 MB, one with the comment (loadtxt), the others clean (kernel)
    t = np.arange(n) / 100.0
    v = rng.normal(size=(n, 6)) * [0.3, 0.3, 0.3, 40, 40, 40]
    lines = ["t_s,ax_g,ay_g,az_g,gx_dps,gy_dps,gz_dps"]
    lines += [f"{a:.6f}," + ",".join(f"{x:.{5 + k % 3}f}" for k, x in enumerate(row)) for a, row in zip(t, v)]
    lines[2000] = "# a comment in the middle"  # that piece goes through loadtxt
    path = tmp_path / "imu.csv"
    path.write_text("\n".join(lines) + "\n")

    def read():
        src = csv_source(path)
        blocks = list(src.blocks())
        return np.concatenate([b.t_s for b in blocks]), np.concatenate([b.values for b in blocks]), src.warnings

    native = read()
    monkeypatch.setenv("HIPLEVEL_NO_NATIVE", "1")
    numpy_only = read()
    np.testing.assert_array_equal(native[0], numpy_only[0])
    np.testing.assert_array_equal(native[1].view(np.int64), numpy_only[1].view(np.int64))
    assert native[2] == numpy_only[2]


@needs_kernel
def test_the_kernel_counts_newlines_as_bytes_count_does() -> None:
    rng = np.random.default_rng(4)
    data = bytes(rng.choice(list(b"0123456789,.\n\r"), 100_000).astype(np.uint8))
    for stop in (0, 1, 17, 4096, 99_999, 100_000, 200_000, -3):
        assert kernel.newlines(data, stop) == data.count(b"\n", 0, max(stop, 0))
    assert kernel.newlines(b"", 5) == 0 and kernel.newlines(b"\n\n", 2) == 2


@needs_kernel
@pytest.mark.parametrize("header, row", [
    ("t_s,ax_g,ay_g,az_g,gx_dps,gy_dps,gz_dps", "{t},{a},{b},{c},{d},{e},{f}"),  # read as it is
    ("gz_dps,t_s,ax_g,ay_g,az_g,gx_dps,gy_dps", "{f},{t},{a},{b},{c},{d},{e}"),  # columns picked
    ("t_s,ax_g,ay_g,az_g,gx_dps,gy_dps,gz_dps,temp", "{t},{a},{b},{c},{d},{e},{f},21.5"),
    ("t_s,ax_ms2,ay_ms2,az_ms2,gx_rps,gy_rps,gz_rps", "{t},{a},{b},{c},{d},{e},{f}"),  # scaled
])
def test_column_orders_and_units_read_the_same_with_the_kernel_and_without(tmp_path, monkeypatch, header, row) -> None:
    from hiplevel.imu_csv import read_imu_csv

    rng = np.random.default_rng(5)
    lines = [header]
    for i in range(3000):
        x = rng.normal(size=6)
        lines.append(row.format(t=f"{i / 100:.6f}", **{k: f"{v:.6f}" for k, v in zip("abcdef", x)}))
    path = tmp_path / "imu.csv"
    path.write_text("\n".join(lines) + "\n")
    native = read_imu_csv(path)
    monkeypatch.setenv("HIPLEVEL_NO_NATIVE", "1")
    numpy_only = read_imu_csv(path)
    for a, b in ((native.t_s, numpy_only.t_s), (native.acc_g, numpy_only.acc_g), (native.gyro_dps, numpy_only.gyro_dps)):
        np.testing.assert_array_equal(a.view(np.int64), b.view(np.int64))
        assert a.flags.writeable
