"""Gaps split the analysis instead of being interpolated: no rep inside or across a gap, fusion
restarts after it, the gap is reported, and memory follows the samples, not the time span (a
1-day or 1e7 s timestamp jump once took minutes and gigabytes, or ended in MemoryError)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from input_synth import walking, with_times

from hiplevel.analysis import analyze
from hiplevel.cli import main
from hiplevel.imu_csv import write_imu_csv
from hiplevel.sim import match_reps
from hiplevel.signal.orientation import trace_from_imu

GAP = (14.0, 44.0)


@pytest.fixture(scope="module")
def sim():
    return walking(steps=100)


def cut(series, a_s: float, b_s: float):
    keep = (series.t_s < a_s) | (series.t_s >= b_s)
    return type(series)(series.t_s[keep], series.acc_g[keep], series.gyro_dps[keep]), keep


def test_a_30_s_gap_splits_the_walk_and_invents_no_rep(sim) -> None:
    series, _ = cut(sim.imu, *GAP)
    res = analyze(series, "walking")
    m = match_reps([r for r in sim.reps if r.end_s <= GAP[0] or r.start_s >= GAP[1]], res.reps)
    assert not m.extra, f"reps found that the walk outside the gap does not have: {m.extra}"
    assert len(m.missing) <= 3  # a step cut by the gap at each end, at most
    assert all(r.end_s <= GAP[0] or r.start_s >= GAP[1] for r in res.reps)
    assert all(p.side == t.side for t, p in m.pairs)
    (gap,) = [g for g in res.gaps if not g.interpolated]
    assert gap.start_s < GAP[0] < GAP[1] <= gap.end_s and gap.missing > 2900


def test_the_trace_has_no_samples_in_the_gap_and_fuses_each_side_apart(sim) -> None:
    series, _ = cut(sim.imu, *GAP)
    tr = trace_from_imu(series)
    assert not np.any((tr.t_s > GAP[0]) & (tr.t_s < GAP[1] - 0.01))
    (a0, a1), (b0, b1) = tr.segments
    assert a0 == 0 and a1 == b0 and b1 == len(tr.t_s) and tr.t_s[b0] >= GAP[1]
    # Fusion restarts: the second segment's orientation does not depend on the first one's samples
    # (a gyro 10 % off there, after the standing that levels the mount, changes nothing after the gap).
    shaken = series.gyro_dps.copy()
    shaken[(series.t_s > 5.0) & (series.t_s < GAP[0])] *= 1.1
    tr2 = trace_from_imu(type(series)(series.t_s, series.acc_g, shaken))
    assert tr2.mount_yaw_deg == tr.mount_yaw_deg and not np.allclose(tr2.roll_deg[:a1], tr.roll_deg[:a1], atol=1e-3)
    # Only the levelling from the standing moves, by thousandths of a degree (fused across the gap
    # the second segment would move by up to 4 deg).
    np.testing.assert_allclose(tr2.roll_deg[b0:], tr.roll_deg[b0:], atol=0.05)


def test_short_holes_are_still_bridged(sim) -> None:
    keep = np.ones(len(sim.imu), bool)
    for k in range(500, len(keep) - 100, 400):
        keep[k:k + 8] = False  # 80 ms lost every 4 s, as the real dev data lose packets
    series = type(sim.imu)(sim.imu.t_s[keep], sim.imu.acc_g[keep], sim.imu.gyro_dps[keep])
    res, clean = analyze(series, "walking"), analyze(sim.imu, "walking")
    assert len(res.reps) == len(clean.reps) and not [g for g in res.gaps if not g.interpolated]
    assert len(res.gaps) == len(range(500, len(keep) - 100, 400))


def test_the_cli_reports_the_gap_on_stderr_and_in_the_json(sim, tmp_path, capsys) -> None:
    series, _ = cut(sim.imu, *GAP)
    path = write_imu_csv(series, tmp_path / "gap.csv")
    out = tmp_path / "gap.json"
    assert main(["analyze", str(path), "--exercise", "walking", "--json", str(out)]) == 0
    err = capsys.readouterr().err
    assert "1 gap(s) split the analysis" in err and "at 14.0-44.0 s" in err
    doc = json.loads(out.read_text())
    (gap,) = doc["gaps"]
    assert gap["missing_samples"] > 2900 and not gap["interpolated"]
    assert doc["input"]["gaps"]["split"] == doc["gaps"] and doc["input"]["damaged"] is False


CHILD = """
import resource, sys
import numpy as np
resource.setrlimit(resource.RLIMIT_AS, (1500 * 2**20, 1500 * 2**20))
from hiplevel.analysis import analyze
from hiplevel.samples import ImuSeries
z = np.load(sys.argv[1])
res = analyze(ImuSeries(z["t_s"], z["acc_g"], z["gyro_dps"]), "walking")
print(len(res.reps), ",".join(r.side for r in res.reps))
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="address-space limit (RLIMIT_AS) as set on Linux")
@pytest.mark.parametrize("jump_s", [86_400.0, 1e7])
def test_a_timestamp_jump_costs_no_memory(sim, tmp_path: Path, jump_s: float) -> None:
    """Analysed in a child limited to 1.5 GB of address space: a grid over the whole span (the old
    resampling) needs 0.2 GB per channel for one day and 24 GB for 1e7 s."""
    t = sim.imu.t_s.copy()
    mid = len(t) // 2
    t[mid:] += jump_s
    path = tmp_path / "jump.npz"
    np.savez(path, t_s=t, acc_g=sim.imu.acc_g, gyro_dps=sim.imu.gyro_dps)
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
    p = subprocess.run([sys.executable, "-c", CHILD, str(path)], capture_output=True, text=True, env=env, timeout=600)
    assert p.returncode == 0, p.stderr[-2000:]
    n, sides = p.stdout.split()
    split = analyze(with_times(sim.imu, t), "walking")
    assert int(n) == len(split.reps) >= 55 and sides == ",".join(r.side for r in split.reps)
    assert [g.duration_s > jump_s for g in split.gaps] == [True]


def test_the_device_roll_stream_is_split_at_gaps_too(sim) -> None:
    from hiplevel.samples import RollSeries

    keep = (sim.truth.t_s < GAP[0]) | (sim.truth.t_s >= GAP[1])
    roll = RollSeries(sim.truth.t_s[keep], sim.truth.roll_deg[keep], sim.truth.pitch_deg[keep])
    res = analyze(roll, "walking")
    assert [g.interpolated for g in res.gaps] == [False]
    assert res.reps and all(r.end_s <= GAP[0] or r.start_s >= GAP[1] for r in res.reps)
    assert not np.any((res.t_s > GAP[0]) & (res.t_s < GAP[1] - 0.01))
