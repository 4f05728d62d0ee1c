"""Loaders for the real lower-back recordings in `../shared/data` (validation only, never shipped
data): mobgap-lowback (Mobilise-D example: McRoberts MM+ on the lower back, optical/INDIP gait
references) and neura-pelvis-vicon (Xsens on the pelvis with Vicon pelvis orientation).

Axes, mobgap-lowback: the data README says sensor x up, y mediolateral, z anteroposterior. Checked
on the data (Test5, Stereophoto contacts): at rest the accelerometer reads +0.94 g on x, so x is up;
in the first third of a left-stance step the rate about sensor z is positive in every step (the
swing side, right, drops: left side rising is + roll about a forward axis), so z is forward; in
mid left stance sensor y acceleration is positive (the pelvis is pushed away from the stance
side, to the right), so y points right. Body frame (x forward, y left, z up) = (z, -y, x),
right-handed, as mobgap's own `to_body_frame` (is, ml, pa) with ml to the right.
"""

from __future__ import annotations

import gzip
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from hiplevel.constants import LEFT, RIGHT, STANDARD_GRAVITY_MS2, Side
from hiplevel.samples import ImuSeries

LOWBACK_DIR = "mobgap-lowback"
PELVIS_VICON_DIR = "neura-pelvis-vicon"
# Rows: body x, y, z; columns: sensor x, y, z (see the module docstring for the sign checks).
MM_SENSOR_TO_BODY = np.array([[0.0, 0.0, 1.0], [0.0, -1.0, 0.0], [1.0, 0.0, 0.0]])
REFERENCE_SYSTEMS = ("INDIP", "Stereophoto")
DUPLICATE_S = 0.015  # two listed contacts of one foot closer than this are one contact (1.5 samples at 100 Hz)


def shared_data_dir(start: Path | None = None) -> Path | None:
    """`../shared/data` next to the repository root (the folder holding `host/`), or None.

    start: a path inside the repository (default: this file); the current directory's
    `../shared/data` is tried too, so an installed package run from the repo root finds it."""
    here = Path(start) if start is not None else Path(__file__).resolve()
    candidates = [p / "../shared/data" for p in here.parents if (p / "host").is_dir()]
    candidates.append(Path.cwd() / "../shared/data")
    for c in candidates:
        if c.is_dir():
            return c.resolve()
    return None


def split_files(data_dir: Path | None, name: str, limit: int | None = None) -> list[Path] | None:
    """The recordings of the dev split `name` in the shared data folder (sorted, the first `limit`),
    or None when that split is absent (the section then reports it n/a)."""
    root = None if data_dir is None else data_dir / name
    if root is None or not root.is_dir():
        return None
    return sorted(root.glob("*.csv.gz"))[:limit]


def gunzip_into(path: Path, folder: Path) -> Path:
    """A case's `NAME.csv.gz` decompressed to `folder/NAME.csv` (the IMU CSV reader takes plain
    files); returns that path."""
    plain = Path(folder) / Path(path).name.removesuffix(".gz")
    with gzip.open(path, "rb") as fi, open(plain, "wb") as fo:
        shutil.copyfileobj(fi, fo)
    return plain


@dataclass(frozen=True)
class GaitReference:
    """Reference gait events of one trial from one system.

    ic_s: initial contacts, s from the recording start (sorted); ic_side: the foot of each contact
    (its step is a stance on that foot); walking_bouts_s: [(start, end)] of the MicroWBs, s;
    untimed: [(after_s, before_s, n)]: n contacts the reference lists (with their foot) but could
    not time (NaN), between its timed contacts (or bout edges) after_s and before_s, and one
    between two consecutive contacts of the same foot (`_same_foot_gaps`: the other foot's
    contact is missing from the list);
    duplicates: contacts listed twice (same foot, same time), kept once in ic_s."""

    system: str
    ic_s: np.ndarray
    ic_side: tuple[Side, ...]
    walking_bouts_s: list[tuple[float, float]]
    untimed: tuple[tuple[float, float, int], ...] = ()
    duplicates: int = 0


@dataclass(frozen=True)
class LowBackTrial:
    """One mobgap-lowback trial: body-frame IMU (t_s from the recording start) and references
    (only systems that have at least one walking bout)."""

    participant: str
    test: str
    trial: str
    series: ImuSeries
    references: dict[str, GaitReference]
    path: Path

    @property
    def name(self) -> str:
        return f"{self.participant}/{self.test}/{self.trial}"


def _side(label: str) -> Side:
    s = str(label).strip().lower()
    if s not in (LEFT, RIGHT):
        raise ValueError(f"unknown contact side {label!r}")
    return LEFT if s == LEFT else RIGHT


def _reference(system: str, micro_wb) -> GaitReference | None:
    bouts = [w for w in np.atleast_1d(micro_wb) if hasattr(w, "_fieldnames")]
    if not bouts:
        return None
    ics: list[float] = []
    sides: list[Side] = []
    spans: list[tuple[float, float]] = []
    untimed: list[tuple[float, float, int]] = []
    for w in bouts:
        t = np.atleast_1d(np.asarray(w.InitialContact_Event, float))
        lr = np.atleast_1d(w.InitialContact_LeftRight)
        ok = np.isfinite(t)
        ics += t[ok].tolist()
        sides += [_side(x) for x, good in zip(lr, ok) if good]
        spans.append((float(w.Start), float(w.End)))
        untimed += _untimed_gaps(t, float(w.Start), float(w.End)) + _same_foot_gaps(t, lr)
    order = np.argsort(ics, kind="stable")
    t_s, side = np.asarray(ics, float)[order], [sides[i] for i in order]
    # The INDIP lists a few contacts twice (same foot, same instant: MS_001 Test11 16.58 s and
    # 104.00 s); one foot cannot land twice at once, and a second copy could never be matched.
    keep = np.ones(len(t_s), bool)
    for k in range(1, len(t_s)):
        keep[k] = t_s[k] - t_s[k - 1] > DUPLICATE_S or side[k] != side[k - 1]
    return GaitReference(system, t_s[keep], tuple(s for s, k in zip(side, keep) if k), spans, tuple(untimed),
                         int((~keep).sum()))


def _untimed_gaps(t: np.ndarray, start: float, end: float) -> list[tuple[float, float, int]]:
    """(after_s, before_s, n) for each run of n untimed (NaN) contacts in one bout's contact list t,
    between the timed contacts (or the bout's start / end) around it."""
    out = []
    k = 0
    while k < len(t):
        if np.isfinite(t[k]):
            k += 1
            continue
        j = k
        while j < len(t) and not np.isfinite(t[j]):
            j += 1
        out.append((float(t[k - 1]) if k > 0 else start, float(t[j]) if j < len(t) else end, j - k))
        k = j
    return out


def _same_foot_gaps(t: np.ndarray, lr) -> list[tuple[float, float, int]]:
    """(after_s, before_s, 1) for each pair of consecutive timed contacts of one bout (t, s; lr: their
    feet) with the same foot and no untimed contact between them: walking alternates the feet, so
    the reference left out the other foot's contact there, as if it were listed untimed (mobgap-lowback
    Test11: 9 such pairs; copies of one contact, `DUPLICATE_S` apart, are no pair)."""
    out = []
    for k in range(1, len(t)):
        a, b = t[k - 1], t[k]
        if np.isfinite(a) and np.isfinite(b) and b - a > DUPLICATE_S and _side(lr[k]) == _side(lr[k - 1]):
            out.append((float(a), float(b), 1))
    return out


def load_lowback_file(path: Path, tests: tuple[str, ...] = ("Test5", "Test11")) -> list[LowBackTrial]:
    """All trials of the named tests in one `<ID>/data.mat` (TimeMeasure1)."""
    from scipy.io import loadmat

    path = Path(path)
    data = loadmat(path, squeeze_me=True, struct_as_record=False)["data"].TimeMeasure1
    out: list[LowBackTrial] = []
    for test in tests:
        if test not in data._fieldnames:
            continue
        t = getattr(data, test)
        for trial in t._fieldnames:
            x = getattr(t, trial)
            if not hasattr(x, "SU"):
                continue
            su = x.SU.LowerBack
            fs = su.Fs.Acc if hasattr(su.Fs, "_fieldnames") else su.Fs
            fs = float(fs)
            acc = np.asarray(su.Acc, float) @ MM_SENSOR_TO_BODY.T
            gyr = np.asarray(su.Gyr, float) @ MM_SENSOR_TO_BODY.T
            ts = np.asarray(su.Timestamp, float)
            # Timestamps are unix seconds; the references count from the recording start.
            t_s = ts - ts[0] if len(ts) == len(acc) and np.all(np.diff(ts) > 0) else np.arange(len(acc)) / fs
            refs = {}
            for system in REFERENCE_SYSTEMS:
                if system in x.Standards._fieldnames:
                    ref = _reference(system, getattr(x.Standards, system).MicroWB)
                    if ref is not None:
                        refs[system] = ref
            series = ImuSeries(t_s, acc, gyr, meta={"source": str(path), "sample_rate_hz": fs})
            out.append(LowBackTrial(path.parent.name, test, trial, series, refs, path))
    return out


def load_lowback(root: Path, participants: tuple[str, ...] = ("HA_001", "HA_002", "MS_001"),
                 tests: tuple[str, ...] = ("Test5", "Test11")) -> list[LowBackTrial]:
    """Trials of the named participants under `root` (= .../mobgap-lowback)."""
    out: list[LowBackTrial] = []
    for pid in participants:
        f = Path(root) / pid / "data.mat"
        if f.is_file():
            out += load_lowback_file(f, tests)
    return out


def _read_csv(path: Path) -> tuple[list[str], np.ndarray]:
    lines = [ln for ln in Path(path).read_text().splitlines() if ln and not ln.startswith("//")]
    header = lines[0].split(",")
    rows = [[float(v) if v.strip() else np.nan for v in ln.split(",")] for ln in lines[1:]]
    return header, np.asarray(rows, float)


def _cols(header: list[str], table: np.ndarray, names: list[str]) -> np.ndarray:
    return table[:, [header.index(n) for n in names]]


@dataclass(frozen=True)
class PelvisViconTrial:
    """neura-pelvis-vicon walk, 100 Hz, all arrays (N, ...) on the same samples.

    sensor: Xsens IMU in its own sensor frame (acc g, gyro deg/s; NOT the body frame);
    sensor_quat_wxyz: Xsens orientation, sensor to (Xsens) world; pelvis_quat_wxyz: Vicon pelvis
    orientation, pelvis (x anterior, y left, z up) to Vicon world; obliquity_deg: asin(R[2,1]) of
    the Vicon pelvis (+ = left side higher); contact_left/right: hand-reviewed foot contact flags;
    yaw_fix_quat_wxyz: the data set's Xsens-to-Vicon world yaw fix for the pelvis sensor;
    raw_sensor: the whole export the walk was cut from (standing before it), same frame and units,
    t_s from its start; raw_start: index in raw_sensor of the walk's first sample (None if not found)."""

    sensor: ImuSeries
    sensor_quat_wxyz: np.ndarray
    pelvis_quat_wxyz: np.ndarray
    obliquity_deg: np.ndarray
    contact_left: np.ndarray
    contact_right: np.ndarray
    yaw_fix_quat_wxyz: np.ndarray
    raw_sensor: ImuSeries | None = None
    raw_start: int | None = None
    meta: dict = field(default_factory=dict)


def quat_to_matrix(q_wxyz: np.ndarray) -> np.ndarray:
    """Rotation matrices (N,3,3) from unit quaternions (N,4) w,x,y,z (normalised here)."""
    q = np.atleast_2d(np.asarray(q_wxyz, float))
    q = q / np.linalg.norm(q, axis=1, keepdims=True)
    w, x, y, z = q.T
    return np.stack([
        np.stack([1 - 2 * (y * y + z * z), 2 * (x * y - w * z), 2 * (x * z + w * y)], -1),
        np.stack([2 * (x * y + w * z), 1 - 2 * (x * x + z * z), 2 * (y * z - w * x)], -1),
        np.stack([2 * (x * z - w * y), 2 * (y * z + w * x), 1 - 2 * (x * x + y * y)], -1),
    ], 1)


def load_pelvis_vicon(root: Path, trial: str = "S02-Trial-Walk-1") -> PelvisViconTrial:
    """The pelvis IMU, Vicon pelvis and foot contacts of one trial under `root` (= .../neura-pelvis-vicon)."""
    root = Path(root)
    h, tab = _read_csv(root / f"{trial}-Pelvis.csv")
    acc = _cols(h, tab, ["acc_1", "acc_2", "acc_3"]) / STANDARD_GRAVITY_MS2
    gyr = np.degrees(_cols(h, tab, ["gyr_1", "gyr_2", "gyr_3"]))
    q_s = _cols(h, tab, ["ori_1", "ori_2", "ori_3", "ori_4"])
    hv, tv = _read_csv(root / f"{trial}-vicon.csv")
    q_p = _cols(hv, tv, ["qRPV_1", "qRPV_2", "qRPV_3", "qRPV_4"])
    r = quat_to_matrix(q_p)
    obliquity = np.degrees(np.arcsin(np.clip(r[:, 2, 1], -1.0, 1.0)))
    hs, ts = _read_csv(root / f"{trial}-revStepDetect.csv")
    fix = np.array([1.0, 0.0, 0.0, 0.0])
    calib = root / f"{trial}-Calib-SensorYawFixWorldFrame.txt"
    if calib.is_file():
        for ln in calib.read_text().splitlines()[1:]:
            parts = ln.split(",")
            if parts[0] == "Pelvis":
                fix = np.array([float(v) for v in parts[1:5]])
    n = min(len(acc), len(q_p), len(ts))
    t_s = np.arange(n) / 100.0
    raw, raw_start = None, None
    raw_files = sorted(root.glob(f"{trial}-*_rawPelvis.txt"))
    if raw_files:
        hr, tr = _read_csv(raw_files[0])
        racc = _cols(hr, tr, ["Acc_X", "Acc_Y", "Acc_Z"]) / STANDARD_GRAVITY_MS2
        rgyr = np.degrees(_cols(hr, tr, ["Gyr_X", "Gyr_Y", "Gyr_Z"]))
        raw = ImuSeries(np.arange(len(racc)) / 100.0, racc, rgyr, meta={"frame": "sensor", "file": raw_files[0].name})
        hit = np.flatnonzero(np.all(np.abs(racc - acc[0]) < 1e-6, axis=1))
        raw_start = int(hit[0]) if len(hit) else None
    return PelvisViconTrial(
        sensor=ImuSeries(t_s, acc[:n], gyr[:n], meta={"frame": "sensor", "trial": trial}),
        sensor_quat_wxyz=q_s[:n],
        pelvis_quat_wxyz=q_p[:n],
        obliquity_deg=obliquity[:n],
        contact_left=ts[:n, hs.index("stepL")] > 0.5,
        contact_right=ts[:n, hs.index("stepR")] > 0.5,
        yaw_fix_quat_wxyz=fix,
        raw_sensor=raw,
        raw_start=raw_start,
        meta={"trial": trial, "rate_hz": 100.0},
    )
