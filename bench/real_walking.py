"""Section 3: real people (`../shared/data`). Step detection and left/right stance on
mobgap-lowback (HA_001, HA_002, MS_001; Test5 straight walks and Test11 simulated daily life)
against the INDIP foot-sensor reference (and the Stereophoto optical reference where it exists),
hiplevel beside mobgap on the same trials; pelvic obliquity against the optical pelvis on
neura-pelvis-vicon (`bench.real_pelvis`).

Matching (same for both methods): a detected initial contact (IC) matches a reference IC within
+-0.25 s, closest pairs first, each used once. Only detections inside a reference walking bout
(+-0.25 s, the match tolerance) are judged (the references label nothing outside their bouts, e.g. Stereophoto outside the
camera volume); detections elsewhere are counted on their own line. hiplevel's ICs are the starts
of its walking reps (the stance leg's contact) plus each bout's closing contact (the other leg).

Reference gaps: the INDIP lists some contacts with their foot but no time (NaN: 13 of the 251
INDIP contacts here, all in Test11). They cannot be matched, so they are not in the reference
count; an unmatched detection between the timed contacts around such a contact is not judged
either (at most one per untimed contact: the reference says a contact of that foot is there, so
finding it is not a false step). Two consecutive contacts of the same foot in one bout leave the
other foot's contact out just the same (9 such pairs here, none marked untimed; walking alternates
the feet), so the gap between them is treated as one untimed contact. A contact listed twice
(same foot, same time) counts once.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from bench.metrics import in_windows, match_events
from bench.rows import NA, Row, at_least, both, judge, num, pct, unavailable

SECTION = "3. Real people (../shared/data)"
TOLERANCE_S = 0.25
BOUT_MARGIN_S = 0.25  # = TOLERANCE_S: a detection that could still match a boundary contact
TARGET_SENS = 0.97
TARGET_PREC = 0.97
TARGET_SIDE = 0.95


@dataclass
class StepTally:
    """Pooled step-detection counts of one method against one reference system."""

    n_ref: int = 0
    n_det: int = 0
    tp: int = 0
    side_ok: int = 0
    outside: int = 0
    untimed: int = 0
    dt_s: list[float] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    def add(self, det_s: np.ndarray, det_side: list[str], ref) -> None:
        inside = in_windows(det_s, ref.walking_bouts_s, BOUT_MARGIN_S)
        self.outside += int((~inside).sum())
        d, sides = det_s[inside], [s for s, k in zip(det_side, inside) if k]
        m = match_events(d, ref.ic_s, TOLERANCE_S)
        at_untimed = untimed_detections(d, {i for i, _ in m.pairs}, ref.untimed)
        self.untimed += at_untimed
        self.n_ref += m.n_reference
        self.n_det += m.n_detected - at_untimed
        self.tp += m.tp
        self.side_ok += sum(sides[i] == ref.ic_side[j] for i, j in m.pairs)
        self.dt_s += m.dt_s.tolist()

    @property
    def sensitivity(self) -> float:
        return self.tp / self.n_ref if self.n_ref else float("nan")

    @property
    def precision(self) -> float:
        return self.tp / self.n_det if self.n_det else float("nan")

    @property
    def side(self) -> float:
        return self.side_ok / self.tp if self.tp else float("nan")


def untimed_detections(det_s: np.ndarray, matched: set[int], untimed) -> int:
    """How many unmatched detections stand for contacts the reference lists without a time: in
    each gap (after_s, before_s, n) of `GaitReference.untimed`, up to n unmatched detections."""
    free = np.asarray([t for i, t in enumerate(det_s) if i not in matched], float)
    return sum(min(n, int(np.sum((free > a) & (free < b)))) for a, b, n in untimed)


def hiplevel_contacts(series) -> tuple[np.ndarray, list[str]]:
    """ICs (s) and their feet from hiplevel's walking analysis of a whole recording."""
    from hiplevel.analysis import analyze

    return contacts_of(analyze(series, "walking").reps)


def contacts_of(reps) -> tuple[np.ndarray, list[str]]:
    """ICs (s) and feet from walking reps: each rep's `contact_s` (the contact that starts its
    stance: that foot) and each step's `closing_contact_s` (the next contact, by the other foot,
    unless a rep starts there); the initiation swing has no contact of its own."""
    from hiplevel.constants import other_side

    feet: dict[float, str] = {}
    for r in reps:
        c = r.details.get("contact_s")
        if c is not None:
            feet[round(float(c), 3)] = r.side
    for r in reps:
        closing = r.details.get("closing_contact_s")
        if closing is not None:
            feet.setdefault(round(float(closing), 3), other_side(r.side))
    t = sorted(feet)
    return np.asarray(t, float), [feet[x] for x in t]


def mobgap_contacts(trial, dataset) -> tuple[np.ndarray, list[str]]:
    """ICs (s) and feet from the Mobilise-D pipeline (Healthy for HA, Impaired for MS)."""
    from mobgap.pipeline import MobilisedPipelineHealthy, MobilisedPipelineImpaired

    sub = dataset.get_subset(participant_id=trial.participant, test=trial.test, trial=trial.trial)
    pipe_cls = MobilisedPipelineImpaired if trial.participant.startswith("MS") else MobilisedPipelineHealthy
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        # dmo_thresholds need the cohort, which the folder layout does not carry; thresholds only
        # filter walking-bout summaries, not the contacts compared here.
        pipe = pipe_cls(dmo_thresholds=None).run(sub)
    ics = pipe.raw_ic_list_
    if ics.empty:
        return np.empty(0), []
    t = ics["ic"].to_numpy(float) / sub.sampling_rate_hz
    order = np.argsort(t, kind="stable")
    labels = ics["lr_label"].astype(str).str.lower().tolist()
    return t[order], [labels[i] for i in order]


def _mobgap_dataset(root: Path):
    from mobgap.data import GenericMobilisedDataset

    paths = sorted(root.glob("*/data.mat"))
    return GenericMobilisedDataset(paths, GenericMobilisedDataset.COMMON_TEST_LEVEL_NAMES["tvs_lab"],
                                   ["participant_id"], measurement_condition="laboratory")


def _step_rows(system: str, tallies: dict[str, StepTally], n_trials: int) -> list[Row]:
    h, g = tallies["hiplevel"], tallies.get("mobgap")
    data = f"mobgap-lowback vs {system}: {n_trials} trials, {h.n_ref} reference steps"
    main = system == "INDIP"

    def peer(x: float) -> str:
        return "" if g is None else f"mobgap {pct(x)}"

    def status(ours: float, theirs: float | None, limit: float) -> str:
        if not main:
            return ""
        vs = NA if theirs is None or not np.isfinite(theirs) else judge(ours >= theirs)
        return both(at_least(ours, limit), vs)

    fails = "; ".join(h.failures[:2])
    rows = [
        Row(SECTION, "step sensitivity", data, pct(h.sensitivity), peer(g.sensitivity if g else np.nan),
            ">= 97 %, >= mobgap" if main else "", status(h.sensitivity, g.sensitivity if g else None, TARGET_SENS),
            note=(f"analysis failed on: {fails}" if fails else "")),
        Row(SECTION, "step precision", data, pct(h.precision), peer(g.precision if g else np.nan),
            ">= 97 %, >= mobgap" if main else "", status(h.precision, g.precision if g else None, TARGET_PREC)),
        Row(SECTION, "stance side accuracy", data, pct(h.side), peer(g.side if g else np.nan),
            ">= 95 %, >= mobgap" if main else "", status(h.side, g.side if g else None, TARGET_SIDE),
            note="over matched steps"),
    ]
    for name, t in tallies.items():
        d = np.asarray(t.dt_s)
        rows.append(Row(SECTION, f"step start timing error ({name})", data,
                        f"bias {num(1000 * d.mean() if len(d) else np.nan, 'ms', 0)}, "
                        f"median |e| {num(1000 * np.median(np.abs(d)) if len(d) else np.nan, 'ms', 0)}",
                        note=f"{t.outside} detections outside reference bouts, {t.untimed} at contacts the "
                             "reference could not time (not judged)"))
    return rows


def run_steps(data_dir: Path, quick: bool = False, log=print) -> list[Row]:
    """Step detection and stance side rows (hiplevel and mobgap on the same trials)."""
    from bench.realdata import LOWBACK_DIR, load_lowback

    root = data_dir / LOWBACK_DIR
    trials = load_lowback(root, tests=("Test5",) if quick else ("Test5", "Test11"))
    if not trials:
        return [unavailable(SECTION, "step detection", f"no trials under {root}")]
    try:
        dataset = _mobgap_dataset(root)
        mobgap_error = None
    except ImportError as e:
        dataset, mobgap_error = None, f"mobgap is not installed ({e})"
    rows: list[Row] = []
    for system in ("INDIP", "Stereophoto"):
        tallies = {"hiplevel": StepTally()}
        if dataset is not None:
            tallies["mobgap"] = StepTally()
        used = [t for t in trials if system in t.references]
        for trial in used:
            ref = trial.references[system]
            try:
                tallies["hiplevel"].add(*hiplevel_contacts(trial.series), ref)
            except Exception as e:  # noqa: BLE001 - a failed analysis counts as no detections, reported
                tallies["hiplevel"].failures.append(f"{trial.name}: {type(e).__name__}: {e}")
                tallies["hiplevel"].add(np.empty(0), [], ref)
            if dataset is not None:
                tallies["mobgap"].add(*mobgap_contacts(trial, dataset), ref)
        log(f"[real] {system}: " + ", ".join(f"{k} sens {t.sensitivity:.3f} prec {t.precision:.3f} side {t.side:.3f}"
                                             for k, t in tallies.items()))
        rows += _step_rows(system, tallies, len(used))
    if mobgap_error:
        rows.append(unavailable(SECTION, "mobgap peer", mobgap_error))
    return rows


def run(quick: bool = False, data_dir: Path | None = None, log=print) -> list[Row]:
    """Rows of section 3 (one n/a row when the shared data folder is absent)."""
    from bench.realdata import shared_data_dir

    data_dir = data_dir or shared_data_dir()
    if data_dir is None:
        return [unavailable(SECTION, "real recordings", "../shared/data is absent (a fresh clone has no shared data)")]
    try:
        import hiplevel.analysis  # noqa: F401
    except ImportError as e:
        return [unavailable(SECTION, "real recordings", f"hiplevel.analysis import failed: {e}")]
    rows = run_steps(data_dir, quick, log)
    from bench import real_pelvis

    rows += real_pelvis.run(data_dir, log=log)
    return rows
