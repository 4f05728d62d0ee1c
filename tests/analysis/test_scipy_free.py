"""The numpy stand-ins for scipy.signal and scipy.ndimage (`hiplevel.signal.biquad`, `.peaks`,
`filters.moving_max/min`) against scipy itself as the oracle, and the start-up of `hiplevel
analyze` without those scipy modules (their import cost most of it, issue 13)."""

import json
import subprocess
import sys
import warnings

import numpy as np
import pytest
from scipy import ndimage, signal

from hiplevel.signal import biquad, peaks
from hiplevel.signal.filters import CausalLowpass, causal_delay_s, moving_max, moving_median, moving_min
from hiplevel.signal.peaks import find_peaks, peak_widths

DESIGNS = [(2, 0.12, "low"), (2, 0.008, "high"), (2, 0.001, "high"), (2, (0.01, 0.3), "band"), (1, 0.3, "low"),
           (4, 0.05, "high"), (3, (0.05, 0.5), "band")]


def _close(a, b, rel=1e-9):
    assert a.shape == b.shape
    assert np.max(np.abs(a - b)) <= rel * max(1.0, float(np.max(np.abs(a))))


@pytest.mark.parametrize("order,wn,btype", DESIGNS)
def test_butter_matches_scipy_response(order, wn, btype):
    ours = biquad.butter_sos(order, wn, btype)
    ref = signal.butter(order, wn, btype=btype, output="sos")
    b1, a1 = biquad.sos2tf(ours)
    b2, a2 = signal.sos2tf(ref)
    _close(b1, b2, 1e-12)
    _close(a1, a2, 1e-12)
    if order == 2 and btype != "band":  # one section: the same coefficients
        _close(ours, ref, 1e-13)


@pytest.mark.parametrize("order,wn,btype", DESIGNS)
@pytest.mark.parametrize("shape", [(5000, 3), (4000,), (97, 2)])
def test_sosfiltfilt_matches_scipy(order, wn, btype, shape):
    rng = np.random.default_rng(order + len(shape))
    x = np.cumsum(rng.standard_normal(shape), axis=0)
    sos = biquad.butter_sos(order, wn, btype)
    _close(biquad.sosfiltfilt(sos, x), signal.sosfiltfilt(sos, x, axis=0))
    pad = min(len(x) - 1, 300)
    _close(biquad.sosfiltfilt(sos, x, padlen=pad), signal.sosfiltfilt(sos, x, axis=0, padlen=pad))
    _close(biquad.sosfiltfilt(sos, x, padlen=0), signal.sosfiltfilt(sos, x, axis=0, padlen=0))


def test_sosfiltfilt_rejects_a_signal_shorter_than_its_padding():
    sos = biquad.butter_sos(2, 0.1)
    with pytest.raises(ValueError):
        biquad.sosfiltfilt(sos, np.ones(9))  # default padlen: 3 x 3 taps
    with pytest.raises(ValueError):
        signal.sosfiltfilt(sos, np.ones(9))
    assert biquad.sosfiltfilt(sos, np.ones(10)) == pytest.approx(signal.sosfiltfilt(sos, np.ones(10)))


@pytest.mark.parametrize("n", [1, 5, 31, 32, 33, 64, 65, 200, 4097])
def test_sosfilt_carries_state_as_scipy(n):
    rng = np.random.default_rng(n)
    sos = biquad.butter_sos(2, (0.02, 0.4), "band")
    x = rng.standard_normal((n, 2))
    zi = biquad.sosfilt_zi(sos)
    _close(zi, signal.sosfilt_zi(sos), 1e-13)
    z0 = zi[:, :, None] * x[0]
    y1, zf1 = biquad.sosfilt(sos, x, zi=z0)
    y2, zf2 = signal.sosfilt(sos, x, axis=0, zi=z0)
    _close(y1, y2)
    _close(zf1, zf2)
    # Split in two with the state carried: the same as one call.
    k = n // 3
    ya, za = biquad.sosfilt(sos, x[:k], zi=z0)
    yb, _ = biquad.sosfilt(sos, x[k:], zi=za)
    _close(np.concatenate([ya, yb]), y2)
    _close(biquad.sosfilt(sos, x[:, 0]), signal.sosfilt(sos, x[:, 0]))


def test_causal_lowpass_and_delay_as_scipy():
    sos = biquad.butter_sos(2, 6.0 / 50.0)
    w, gd = signal.group_delay(signal.sos2tf(sos), w=[2 * np.pi * 0.5 / 100.0])
    assert causal_delay_s(6.0, 100.0) == pytest.approx(gd[0] / 100.0, rel=1e-9)
    x = np.sin(np.arange(300) / 9.0) + 2.0
    lp = CausalLowpass(6.0, 100.0)
    ours = np.array([lp.push(v) for v in x])
    ref, _ = signal.sosfilt(sos, x, zi=signal.sosfilt_zi(sos) * x[0])
    _close(ours, ref)


def _signals(rng, n):
    yield rng.standard_normal(n)
    yield np.round(rng.standard_normal(n) * 2)  # flat runs (plateaus)
    yield np.sin(np.arange(n) / 7.0) * (1 + 0.3 * rng.standard_normal(n)).round(1)
    x = np.cumsum(rng.standard_normal(n))
    if n > 10:
        x[rng.integers(0, n, 3)] = np.nan
    yield x


@pytest.mark.parametrize("kw", [{}, {"height": 0.5}, {"distance": 5}, {"prominence": 0.5},
                                {"height": 0.2, "distance": 17, "prominence": 0.3}, {"distance": 1.5, "prominence": 2.0}])
@pytest.mark.parametrize("dense_max", [0, 10**9])  # the prominences' sparse table / whole comparison table
def test_find_peaks_matches_scipy(kw, dense_max, monkeypatch):
    monkeypatch.setattr(peaks, "DENSE_MAX_PAIRS", dense_max)
    rng = np.random.default_rng(3)
    for n in [0, 1, 2, 3, 10, 257, 3000]:
        for x in _signals(rng, n):
            ours, props = find_peaks(x, **kw)
            ref, ref_props = signal.find_peaks(x, **kw)
            np.testing.assert_array_equal(ours, ref)
            for key, value in props.items():
                np.testing.assert_array_equal(value, ref_props[key])
            assert ("prominences" in props) == ("prominence" in kw)


@pytest.mark.parametrize("height, distance, prominence", [(0.2, 17, 0.3), (-1.0, 1.5, 2.0), (0.0, 40, 0.0)])
def test_spaced_and_all_peaks_match_scipy_twice(height, distance, prominence):
    rng = np.random.default_rng(5)
    for n in [0, 1, 2, 3, 10, 257, 3000]:
        for x in _signals(rng, n):
            spaced, every = peaks.spaced_and_all_peaks(x, height, distance, prominence)
            np.testing.assert_array_equal(spaced, signal.find_peaks(x, height=height, distance=distance,
                                                                    prominence=prominence)[0])
            np.testing.assert_array_equal(every, signal.find_peaks(x, height=height, prominence=prominence)[0])


@pytest.mark.parametrize("rel_height", [0.5, 0.1, 1.0])
def test_peak_widths_match_scipy(rel_height):
    rng = np.random.default_rng(9)
    for n in [3, 40, 500]:
        x = np.cumsum(rng.standard_normal(n))
        maxima, _ = signal.find_peaks(x)
        anywhere = rng.integers(0, n, 5)  # the detectors may ask at any index, not only at maxima
        for peaks in (maxima, anywhere):
            ours = peak_widths(x, peaks, rel_height=rel_height)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # scipy warns of peaks without prominence; ours is silent
                ref = signal.peak_widths(x, peaks, rel_height=rel_height)
            for a, b in zip(ours, ref):
                np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)


def test_moving_max_min_match_scipy_nearest_mode():
    rng = np.random.default_rng(5)
    for n, w in [(1, 1), (1, 4), (7, 3), (50, 8), (333, 41), (400, 400), (30, 77)]:
        for x in (rng.standard_normal(n), np.round(rng.standard_normal((n, 3)))):
            for axis in range(-1, x.ndim - 1):
                np.testing.assert_array_equal(moving_max(x, w, axis),
                                              ndimage.maximum_filter1d(x, w, axis=axis, mode="nearest"))
                np.testing.assert_array_equal(moving_min(x, w, axis),
                                              ndimage.minimum_filter1d(x, w, axis=axis, mode="nearest"))


def test_moving_median_matches_scipy_nearest_mode():
    rng = np.random.default_rng(6)
    for n, w, block in [(1, 1, 4096), (1, 5, 4096), (7, 3, 4096), (50, 21, 4096), (333, 41, 7), (400, 401, 64),
                        (30, 77, 4096), (5000, 21, 4096)]:
        for x in (rng.standard_normal(n), np.round(rng.standard_normal(n))):
            np.testing.assert_array_equal(moving_median(x, w, block), ndimage.median_filter(x, size=w, mode="nearest"))
    with pytest.raises(ValueError):
        moving_median(np.ones(5), 4)


@pytest.mark.parametrize("exercise", ["walking", "clamshell", "band-walk"])
def test_analyze_command_imports_no_scipy_signal_or_ndimage(tmp_path, exercise):
    """`hiplevel analyze` of a CSV end to end in a fresh process, then the modules it loaded."""
    t = np.arange(2000) / 100.0
    rows = "\n".join(f"{v:.3f},0,0,1,0,0,0" for v in t)
    csv = tmp_path / "still.csv"
    csv.write_text("t_s,ax_g,ay_g,az_g,gx_dps,gy_dps,gz_dps\n" + rows + "\n")
    code = ("import sys, json; from hiplevel.cli import main; "
            f"main(['analyze', {str(csv)!r}, '--exercise', {exercise!r}, '--json', {str(tmp_path / 'o.json')!r}]); "
            "print(json.dumps(sorted(m for m in sys.modules if m.startswith('scipy'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    loaded = json.loads(out.strip().splitlines()[-1])
    assert (tmp_path / "o.json").exists()
    assert not [m for m in loaded if m.startswith(("scipy.signal", "scipy.ndimage", "scipy.stats"))]
