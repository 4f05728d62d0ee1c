"""Section 5: the development split of real recordings (`../shared/data/ipol-dev`, `stroke-dev`,
`hapt-dev`), hiplevel and mobgap on the same files, both scored with the rule of
`../shared/tools/score_reps.py`: a found rep matches the truth rep whose span holds its centre (one
to one, nearest first); side over matched reps; in hapt-dev a rep whose centre lies 1 s inside a
sitting/standing/lying interval is a false rep.

mobgap (the `bench` extra) runs its own Mobilise-D pipeline on each file: gait sequences, initial
contacts and `LrcUllrich` laterality (`MobilisedPipelineHealthy` for the healthy people of ipol-dev
and hapt-dev, `MobilisedPipelineImpaired` for the people after stroke). Its steps are its contacts:
each initial contact to the next within a gait sequence, the stance side the contact's foot (an
initial contact of the left foot starts a left-stance step), as a rep. Input: the same CSV, put on
a uniform 100 Hz grid (hapt-dev is 50 Hz; ipol-dev's lost packets are bridged) in mobgap's sensor
frame (x up, y right, z forward; m/s^2 and deg/s). The figures mobgap 1.2 reached on the held-out
people of the same sets (issue 14) stay as a reference line.

    python -m bench --only 5 --no-write      # this section alone (about 5-10 min on 2 quiet cores)
"""

from __future__ import annotations

import json
import tempfile
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from bench.metrics import ratio
from bench.rows import Row, at_least, at_most, pct, unavailable

SECTION = "5. Real people, dev split (../shared/data)"
SETS = ("ipol-dev", "stroke-dev", "hapt-dev")
# (found, extra, side) targets and mobgap 1.2 on the held-out people (issue 14).
TARGETS = {"ipol-dev": (0.98, 0.02, 0.97), "stroke-dev": (0.98, 0.03, 0.98)}
HELD_OUT_MOBGAP = {"ipol-dev": (0.950, 0.108, 0.961), "stroke-dev": (0.929, 0.057, 0.983)}
STATIC_TARGET_PER_H, HELD_OUT_MOBGAP_STATIC_PER_H = 1.0, 1.8
MOBGAP_RATE_HZ = 100.0
# The Mobilise-D pipeline for each set's people (mobgap's recommendation: healthy / impaired gait).
MOBGAP_PIPELINE = {"ipol-dev": "healthy", "stroke-dev": "impaired", "hapt-dev": "healthy"}
G_MS2 = 9.80665
# Where on an ipol-dev course a step lies (its truth file's `walk_s` and `uturn_s`): before the
# walk, the straight walks, the U-turn with the step into and out of it (TURN_MARGIN_S either
# side of `uturn_s`), and after the walk (walking off or shuffling once the course is done: the
# truth counts those steps too). Misses and extras by segment say which part of the detector to fix;
# an extra that overlaps a missed truth step of its own stance side is a step found off in time
# (its centre outside the truth's single support) rather than a step the truth does not have; a
# missed step in ambiguous truth (`ambiguous_truth`) is one the pelvis does not show as the truth
# has it.
SEGMENTS = ("before the walk", "straight", "U-turn", "after the walk")
TURN_MARGIN_S = 0.5
# Two truth steps of one stance foot this close (s, end to start: a walk's longest step,
# `WalkingDetector.max_step_s`) are the other foot swinging twice in a row: a pivot, not a walk's step.
REPEAT_GAP_S = 2.2
# A gap this long (s) between two consecutive truth single supports is both feet on the floor for
# longer than any walking step's double support (ipol-dev's straight: 0.15 s median, 0.18 s 90th
# percentile): a pause, or a pivot in the U-turn (0.46-1.46 s there). An extra centred in one is a
# step the pelvis shows where the foot sensors count no swing (docs/analysis.md round 19).
LONG_DOUBLE_SUPPORT_S = 0.4


@dataclass
class Tally:
    """Pooled counts of one method on one set."""

    files: int = 0
    n_truth: int = 0
    matched: int = 0
    extra: int = 0
    side_ok: int = 0
    static_fp: int = 0
    static_s: float = 0.0
    cpu_s: float = 0.0
    failures: list[str] = field(default_factory=list)
    # segment -> [truth steps, missed, extra, extras off in time, missed in ambiguous truth, extras in a
    # long double support] (`SEGMENTS`; sets whose truth has a course only; `off_in_time`,
    # `ambiguous_truth`, `in_long_double_support`)
    segments: dict[str, list[int]] = field(default_factory=dict)

    def add(self, truth: dict, reps: list[dict]) -> None:
        self.files += 1
        if truth.get("reps") is None:
            centres = [0.5 * (r["start_s"] + r["end_s"]) for r in reps]
            self.static_fp += sum(any(a + 1.0 <= c <= b - 1.0 for a, b in truth["static"]) for c in centres)
            self.static_s += sum(b - a for a, b in truth["static"])
            return
        got = pairs(truth["reps"], reps)
        m, e, s = _counts(truth["reps"], reps, got)
        self.n_truth += len(truth["reps"])
        self.matched, self.extra, self.side_ok = self.matched + m, self.extra + e, self.side_ok + s
        used = {id(rep) for rep in got.values()}
        for i, t in enumerate(truth["reps"]):
            self._count(truth, t, missed=i not in got, unclear=i not in got and ambiguous_truth(truth["reps"], i))
        missed = [t for i, t in enumerate(truth["reps"]) if i not in got]
        for rep in reps:
            if id(rep) not in used:
                self._count(truth, rep, extra=True, late=off_in_time(rep, missed),
                            planted=in_long_double_support(truth["reps"], 0.5 * (rep["start_s"] + rep["end_s"])))

    def _count(self, truth: dict, rep: dict, missed: bool = False, extra: bool = False, late: bool = False,
               unclear: bool = False, planted: bool = False) -> None:
        """Count a truth step (missed or not; unclear: missed in ambiguous truth) or an extra rep
        (late: off in time; planted: in a long double support) in its course segment."""
        seg = segment_of(truth, 0.5 * (rep["start_s"] + rep["end_s"]))
        if seg is not None:
            counts = self.segments.setdefault(seg, [0, 0, 0, 0, 0, 0])
            counts[0] += not extra
            counts[1] += missed
            counts[2] += extra
            counts[3] += late
            counts[4] += unclear
            counts[5] += planted

    def by_segment(self) -> str:
        """Missed and extra steps by course segment ("" without a course), with the misses in
        ambiguous truth, the extras that are a missed step found off in time and those in a long
        double support of the truth (the two can overlap):
        "U-turn 6 missed (5 in ambiguous truth), 6 extra (2 off in time, 6 in a long double support); ..."."""
        def extras(c: list[int]) -> str:
            notes = [f"{c[3]} off in time"] * bool(c[3]) + [f"{c[5]} in a long double support"] * bool(c[5])
            return f", {c[2]} extra" + (f" ({', '.join(notes)})" if notes else "")

        return "; ".join(f"{seg} {c[1]} missed" + (f" ({c[4]} in ambiguous truth)" if c[4] else "") + extras(c)
                         for seg in SEGMENTS if (c := self.segments.get(seg)))

    @property
    def found(self) -> float:
        return ratio(self.matched, self.n_truth)

    @property
    def extra_rate(self) -> float:
        return ratio(self.extra, self.n_truth)

    @property
    def side(self) -> float:
        return ratio(self.side_ok, self.matched)

    @property
    def static_per_h(self) -> float:
        return ratio(self.static_fp, self.static_s / 3600.0)

    def summary(self) -> str:
        """The score_reps SUMMARY / STATIC figures."""
        if self.static_s:
            return f"reps_in_static={self.static_fp} static_min={self.static_s / 60:.1f} fp_per_static_hour={self.static_per_h:.2f}"
        return f"reps={self.matched}/{self.n_truth} extra={self.extra} side_acc={self.side:.3f}"


def segment_of(truth: dict, centre_s: float) -> str | None:
    """The course segment (`SEGMENTS`) of a step centred at centre_s, s; None when the truth has no
    course (`walk_s` and `uturn_s`)."""
    walk, turn = truth.get("walk_s"), truth.get("uturn_s")
    if walk is None or turn is None:
        return None
    if centre_s < walk[0]:
        return "before the walk"
    if centre_s > walk[1]:
        return "after the walk"
    return "U-turn" if turn[0] - TURN_MARGIN_S <= centre_s <= turn[1] + TURN_MARGIN_S else "straight"


def off_in_time(rep: dict, missed: list[dict]) -> bool:
    """Whether an unmatched rep overlaps a missed truth step of its own stance side: the step found,
    but its centre outside the truth's span (the single support), so the scorer counts a miss and
    an extra (ipol-dev after the walk: slow steps whose swing comes late in a long double support)."""
    return any(t["side"] == rep["side"] and t["start_s"] < rep["end_s"] and t["end_s"] > rep["start_s"]
               for t in missed)


def ambiguous_truth(truth: list[dict], i: int) -> bool:
    """Whether truth step i (single supports in time order) is one the pelvis does not show as the
    truth has it (a step per contact, the feet alternating): its single support overlaps another
    one (both feet in swing at once; ipol-dev: 6 of main's 36 misses, in and after the U-turn, at a
    walk's end and after it), or the step before or after it (within REPEAT_GAP_S) has its stance
    foot (the other foot swinging twice in a row, a pivot or shuffle: 7; the pelvis shows one step
    there, docs/analysis.md round 12)."""
    t = truth[i]
    if any(j != i and u["start_s"] < t["end_s"] and t["start_s"] < u["end_s"] for j, u in enumerate(truth)):
        return True
    before = i > 0 and truth[i - 1]["side"] == t["side"] and t["start_s"] - truth[i - 1]["end_s"] < REPEAT_GAP_S
    after = (i + 1 < len(truth) and truth[i + 1]["side"] == t["side"]
             and truth[i + 1]["start_s"] - t["end_s"] < REPEAT_GAP_S)
    return bool(before or after)


def in_long_double_support(truth: list[dict], centre_s: float) -> bool:
    """Whether centre_s (s) lies in a gap of LONG_DOUBLE_SUPPORT_S up to REPEAT_GAP_S between the
    truth's single supports (both feet on the floor within a walk: a pause, or a pivot whose turning
    foot the foot sensors see no swing of; ipol-dev: every U-turn extra of main f9a6e8d,
    docs/analysis.md round 19). A longer gap, and the time before the first single support and after
    the last, is standing."""
    reach = None  # the latest end of the single supports so far (they can overlap)
    for a, b in sorted((t["start_s"], t["end_s"]) for t in truth):
        if reach is not None and reach <= centre_s <= a and LONG_DOUBLE_SUPPORT_S <= a - reach < REPEAT_GAP_S:
            return True
        reach = b if reach is None else max(reach, b)
    return False


def pairs(truth: list[dict], found: list[dict]) -> dict[int, dict]:
    """Truth index -> the found rep matched to it, by the score_reps rule (greedy, one to one, a found
    rep's centre inside the truth span, nearest centre first)."""
    used: set[int] = set()
    out: dict[int, dict] = {}
    for i, t in enumerate(truth):
        c, half = 0.5 * (t["start_s"] + t["end_s"]), 0.5 * (t["end_s"] - t["start_s"])
        best = min((j for j in range(len(found)) if j not in used
                    and abs(0.5 * (found[j]["start_s"] + found[j]["end_s"]) - c) <= half),
                   key=lambda j: abs(0.5 * (found[j]["start_s"] + found[j]["end_s"]) - c), default=None)
        if best is not None:
            used.add(best)
            out[i] = found[best]
    return out


def match(truth: list[dict], found: list[dict]) -> tuple[int, int, int]:
    """(matched, extra, side correct) by the score_reps rule."""
    return _counts(truth, found, pairs(truth, found))


def _counts(truth: list[dict], found: list[dict], got: dict[int, dict]) -> tuple[int, int, int]:
    """(matched, extra, side correct) of the pairs `got` (`pairs(truth, found)`)."""
    side_ok = sum(rep["side"] == truth[i]["side"] for i, rep in got.items())
    return len(got), len(found) - len(got), side_ok


def hiplevel_reps(series) -> list[dict]:
    """Walking reps of `hiplevel.analysis.analyze` as score_reps dicts."""
    from hiplevel.analysis import analyze

    return [{"start_s": r.start_s, "end_s": r.end_s, "side": r.side} for r in analyze(series, "walking").reps]


def mobgap_sensor_frame(t_s: np.ndarray, acc_g: np.ndarray, gyro_dps: np.ndarray,
                        rate_hz: float = MOBGAP_RATE_HZ) -> tuple[np.ndarray, np.ndarray]:
    """Samples in our body frame (x forward, y left, z up; g, deg/s) on a uniform grid at rate_hz
    (linear interpolation: bridges lost packets, doubles a 50 Hz rate) in mobgap's sensor frame:
    returns the grid times (M,) s and (M,6) acc_x, acc_y, acc_z (m/s^2), gyr_x, gyr_y, gyr_z
    (deg/s) with x up, y right, z forward (a proper rotation of ours)."""
    t = np.asarray(t_s, float)
    grid = np.arange(t[0], t[-1] + 0.5 / rate_hz, 1.0 / rate_hz)
    ours = np.column_stack([np.asarray(acc_g, float) * G_MS2, np.asarray(gyro_dps, float)])
    u = np.column_stack([np.interp(grid, t, ours[:, k]) for k in range(6)])
    axes = np.array([[0, 0, 1], [0, -1, 0], [1, 0, 0]], float)  # mobgap (x, y, z) from our (x, y, z)
    return grid, np.column_stack([u[:, :3] @ axes.T, u[:, 3:] @ axes.T])


def reps_from_contacts(ic_s: np.ndarray, sides: list[str], gs_ids: list) -> list[dict]:
    """Steps from initial contacts: within each gait sequence, each contact to the next, the
    stance side the contact's foot."""
    reps: list[dict] = []
    for gs in dict.fromkeys(gs_ids):
        k = [i for i, g in enumerate(gs_ids) if g == gs]
        k.sort(key=lambda i: ic_s[i])
        reps += [{"start_s": float(ic_s[i]), "end_s": float(ic_s[j]), "side": sides[i]} for i, j in zip(k[:-1], k[1:])]
    return reps


def mobgap_reps(series, pipeline: str) -> list[dict]:
    """Steps of mobgap's Mobilise-D pipeline ("healthy" or "impaired") on one series."""
    from types import SimpleNamespace

    import pandas as pd

    with warnings.catch_warnings():
        # Its laterality model was pickled with an older scikit-learn: a warning per load.
        warnings.simplefilter("ignore")
        from mobgap.pipeline import MobilisedPipelineHealthy, MobilisedPipelineImpaired

    grid, x = mobgap_sensor_frame(series.t_s, series.acc_g, series.gyro_dps)
    cols = ["acc_x", "acc_y", "acc_z", "gyr_x", "gyr_y", "gyr_z"]
    # The pipeline reads these attributes of a datapoint; the body metadata only feeds stride
    # length and walking speed, which are not compared here.
    dp = SimpleNamespace(participant_metadata={"cohort": "HA" if pipeline == "healthy" else "MS", "height_m": 1.7,
                                               "sensor_height_m": 0.95},
                         recording_metadata={"measurement_condition": "laboratory"}, group_label="dev",
                         sampling_rate_hz=MOBGAP_RATE_HZ, data_ss=pd.DataFrame(x, columns=cols))
    cls = MobilisedPipelineHealthy if pipeline == "healthy" else MobilisedPipelineImpaired
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pipe = cls(dmo_thresholds=None).run(dp)
    ics = pipe.raw_ic_list_.reset_index()
    if ics.empty:
        return []
    ic_s = ics["ic"].to_numpy(float) / MOBGAP_RATE_HZ + grid[0]
    return reps_from_contacts(ic_s, ics["lr_label"].astype(str).str.lower().tolist(), ics["gs_id"].tolist())


def _load(path: Path, tmp: Path):
    from bench.realdata import gunzip_into
    from hiplevel.imu_csv import read_imu_csv

    plain = gunzip_into(path, tmp)
    truth = load_truth(path)
    series = read_imu_csv(plain)
    plain.unlink()
    return series, truth


def load_truth(path: Path) -> dict:
    """The truth file beside a case's `NAME.csv.gz`."""
    return json.loads(path.with_name(path.name.removesuffix(".csv.gz") + ".truth.json").read_text())


def timed_call(tally: Tally, name: str, fn, *args, failed=None):
    """`fn(*args)`, its CPU time added to the tally; a failure is recorded and gives `failed`."""
    t0 = time.process_time()
    try:
        return fn(*args)
    except Exception as e:  # noqa: BLE001 - a failed file counts as no result, reported
        tally.failures.append(f"{name}: {type(e).__name__}: {e}")
        return failed
    finally:
        tally.cpu_s += time.process_time() - t0


def timed_reps(tally: Tally, name: str, fn, *args) -> list[dict]:
    """`fn(*args)`'s reps, its CPU time added to the tally; a failure is recorded and counts as no reps."""
    return timed_call(tally, name, fn, *args, failed=[])


def evaluate(name: str, cases: list[Path], with_mobgap: bool) -> dict[str, Tally]:
    """Tallies of hiplevel (and mobgap) over the cases of one set."""
    tallies = {"hiplevel": Tally(), **({"mobgap": Tally()} if with_mobgap else {})}
    with tempfile.TemporaryDirectory() as td:
        for path in cases:
            series, truth = _load(path, Path(td))
            tallies["hiplevel"].add(truth, timed_reps(tallies["hiplevel"], path.name, hiplevel_reps, series))
            if with_mobgap:
                tallies["mobgap"].add(truth, timed_reps(tallies["mobgap"], path.name, mobgap_reps, series, MOBGAP_PIPELINE[name]))
    return tallies


def _mobgap_available() -> str | None:
    try:
        import mobgap.pipeline  # noqa: F401
    except ImportError as e:
        return f"mobgap is not installed (pip install -e '.[bench]'): {e}"
    return None


def _rows(name: str, cases: list[Path], t: dict[str, Tally]) -> list[Row]:
    h, g = t["hiplevel"], t.get("mobgap")
    data = f"{name}: {len(cases)} recordings"
    fails = "; ".join((h.failures + (g.failures if g else []))[:2])
    cpu = f"CPU hiplevel {h.cpu_s:.0f} s" + (f", mobgap {g.cpu_s:.0f} s" if g else "")
    note = f"{cpu}{'; failed: ' + fails if fails else ''}"

    def peer(ours: float, held_out: float, fmt=pct) -> str:
        same = f"mobgap {fmt(ours)} (same files); " if g else ""
        return f"{same}held-out {fmt(held_out)}"

    if name == "hapt-dev":
        per_h = h.static_per_h
        return [Row(SECTION, "walking reps per hour of sitting/standing/lying", data + f", {h.static_s / 60:.0f} min static",
                    f"{per_h:.1f} /h ({h.static_fp} reps)",
                    peer(g.static_per_h if g else float("nan"), HELD_OUT_MOBGAP_STATIC_PER_H, lambda x: f"{x:.1f} /h"),
                    f"<= {STATIC_TARGET_PER_H:g} /h", at_most(per_h, STATIC_TARGET_PER_H), note=note)]
    (tf, te, ts), (gf, ge, gs) = TARGETS[name], HELD_OUT_MOBGAP[name]
    return [
        Row(SECTION, "steps found", data + f", {h.n_truth} steps", pct(h.found), peer(g.found if g else 0, gf),
            f">= {pct(tf, 0)}", at_least(h.found, tf), note=note),
        Row(SECTION, "extra steps", data, pct(h.extra_rate), peer(g.extra_rate if g else 0, ge), f"<= {pct(te, 0)}",
            at_most(h.extra_rate, te), note=f"hiplevel by segment: {h.by_segment()}" if h.segments else ""),
        Row(SECTION, "stance side", data, pct(h.side), peer(g.side if g else 0, gs), f">= {pct(ts, 0)}",
            at_least(h.side, ts), note="over matched steps"),
    ]


def run(quick: bool = False, data_dir: Path | None = None, log=print) -> list[Row]:
    """Rows of section 5 (one n/a row per absent set; mobgap's column says when it is not installed)."""
    from bench.realdata import shared_data_dir, split_files

    data_dir = data_dir or shared_data_dir()
    no_mobgap = _mobgap_available()
    rows: list[Row] = []
    for name in SETS:
        cases = split_files(data_dir, name, 4 if quick else None)
        if cases is None:
            rows.append(unavailable(SECTION, name, f"../shared/data/{name} is absent"))
            continue
        tallies = evaluate(name, cases, with_mobgap=no_mobgap is None)
        for method, t in tallies.items():
            log(f"[dev] {name} {method}: {t.summary()} (CPU {t.cpu_s:.0f} s)")
            if t.segments:
                log(f"[dev] {name} {method} by segment: {t.by_segment()}")
        rows += _rows(name, cases, tallies)
    if no_mobgap:
        rows.append(unavailable(SECTION, "mobgap on the same files", no_mobgap))
    return rows
