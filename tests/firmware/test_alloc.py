"""Heap allocation of the sampling path on MicroPython (unix port, 64-bit: one GC block is 32
bytes; floats are boxed there as on the ESP32, where a block is 16 bytes).

Measured per sample (roll and raw modes, calibrated with an alignment): 4550-4806 bytes (about
142-150 objects) before the fixed-point calibration transform, the tuple-free packet writer and
the leaner fusion update; 2918 bytes (91 objects) after, all of them floats in the fusion (83)
and its inputs and outputs (8). Read, calibration, mount, alignment, wire conversion, ring
buffer and packet encoding allocate nothing."""

from __future__ import annotations

import pytest

from .conftest import run_mp

BLOCK_BYTES = 32  # MICROPY_BYTES_PER_GC_BLOCK on 64-bit unix
FUSION_FLOATS_MAX = 90  # what the float fusion update builds (83 measured, still or moving)
APP_FLOATS = 8  # 6 fusion inputs (quarter counts * scale), roll and pitch to centidegrees


@pytest.fixture(scope="module")
def res(tmp_path_factory):
    return run_mp("t_alloc.py", "x", str(tmp_path_factory.mktemp("alloc")))


def test_fixed_point_and_encoding_parts_allocate_nothing(res):
    parts = res["parts"]
    for name in ("read_raw", "transform", "add_roll", "add_raw", "temp", "ring_put"):
        assert parts[name] == 0, name
    assert 0 < parts["fusion"] <= FUSION_FLOATS_MAX * BLOCK_BYTES


@pytest.mark.parametrize("mode", ["roll_uncal", "roll", "raw"])
def test_bytes_per_sample(mode, res):
    per_sample, packets = res[mode]
    assert packets > 0  # the path really ran through encode and send
    # fusion floats + the app's own floats + one memoryview per packet (every 2.5 samples here)
    assert per_sample <= (FUSION_FLOATS_MAX + APP_FLOATS + 1) * BLOCK_BYTES
