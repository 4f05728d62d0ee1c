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

`python -m bench.real_walking [INDIP|Stereophoto]` lists hiplevel's misses, false contacts and side
errors one per line, counted as above (`StepTally.errors`), to classify them by hand.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from bench.metrics import in_windows, match_events, ratio
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
    errors: list[StepError] = field(default_factory=list)

    def add(self, det_s: np.ndarray, det_side: list[str], ref, trial: str = "") -> None:
        """Count one trial: detections det_s (s) with their feet against the reference `ref`
        (`GaitReference`); its misses, false and wrong-side contacts go to `errors` under `trial`."""
        inside = in_windows(det_s, ref.walking_bouts_s, BOUT_MARGIN_S)
        self.outside += int((~inside).sum())
        d, sides = det_s[inside], [s for s, k in zip(det_side, inside) if k]
        m = match_events(d, ref.ic_s, TOLERANCE_S)
        not_judged = untimed_indices(d, {i for i, _ in m.pairs}, ref.untimed)
        at_untimed = len(not_judged)
        self.errors += step_errors(trial, d, sides, ref, m.pairs, set(not_judged))
        self.untimed += at_untimed
        self.n_ref += m.n_reference
        self.n_det += m.n_detected - at_untimed
        self.tp += m.tp
        self.side_ok += sum(sides[i] == ref.ic_side[j] for i, j in m.pairs)
        self.dt_s += m.dt_s.tolist()

    @property
    def sensitivity(self) -> float:
        return ratio(self.tp, self.n_ref)

    @property
    def precision(self) -> float:
        return ratio(self.tp, self.n_det)

    @property
    def side(self) -> float:
        return ratio(self.side_ok, self.tp)


def untimed_detections(det_s: np.ndarray, matched: set[int], untimed) -> int:
    """How many unmatched detections stand for contacts the reference lists without a time: in
    each gap (after_s, before_s, n) of `GaitReference.untimed`, up to n unmatched detections."""
    return len(untimed_indices(det_s, matched, untimed))


def untimed_indices(det_s: np.ndarray, matched: set[int], untimed) -> list[int]:
    """The detections `untimed_detections` counts (indices into det_s, one entry per gap it is
    counted in): in each gap, the first n unmatched detections inside it."""
    free = [i for i in range(len(det_s)) if i not in matched]
    return [i for a, b, n in untimed for i in [i for i in free if a < det_s[i] < b][:n]]


@dataclass(frozen=True)
class StepError:
    """One judged disagreement with a reference (`step_errors`). kind: "miss" (a reference contact
    no detection matched), "false" (a judged detection that matched none) or "side" (matched, the
    other foot); t_s, foot: the reference contact's time (s) and foot (for "false": the detection's);
    nearest_s: the nearest contact of the other list (detections for a miss, reference contacts for
    a false one, the matched detection for a side error), s relative to t_s (None: the list is
    empty); ref_gaps_s: the reference's spacing around t_s: time since its contact before and to
    its contact after, s (None at either end)."""

    trial: str
    kind: str
    t_s: float
    foot: str
    nearest_s: float | None
    ref_gaps_s: tuple[float | None, float | None]


def step_errors(trial: str, det_s: np.ndarray, det_side: list[str], ref, pairs: list[tuple[int, int]],
                not_judged: set[int]) -> list[StepError]:
    """Each miss, false contact and side error of one trial, in time order: det_s, det_side: the
    judged detections (inside the reference bouts), s; pairs: their matches (i_detected,
    i_reference: `match_events`); not_judged: unmatched detections at untimed reference contacts
    (`untimed_indices`), left out."""
    r = np.asarray(ref.ic_s, float)
    d = np.asarray(det_s, float)

    def nearest(t: float, xs: np.ndarray) -> float | None:
        return None if len(xs) == 0 else round(float(xs[np.argmin(np.abs(xs - t))] - t), 3)

    def gaps(t: float) -> tuple[float | None, float | None]:
        before, after = r[r < t], r[r > t]
        return (round(float(t - before[-1]), 3) if len(before) else None,
                round(float(after[0] - t), 3) if len(after) else None)

    hit_d, hit_r = {i for i, _ in pairs}, {j for _, j in pairs}
    out = [StepError(trial, "miss", float(t), ref.ic_side[j], nearest(t, d), gaps(t))
           for j, t in enumerate(r) if j not in hit_r]
    out += [StepError(trial, "false", float(t), det_side[i], nearest(t, r), gaps(t))
            for i, t in enumerate(d) if i not in hit_d and i not in not_judged]
    out += [StepError(trial, "side", float(r[j]), ref.ic_side[j], round(float(d[i] - r[j]), 3), gaps(r[j]))
            for i, j in pairs if det_side[i] != ref.ic_side[j]]
    return sorted(out, key=lambda e: (e.t_s, e.kind))


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
                tallies["hiplevel"].add(*hiplevel_contacts(trial.series), ref, trial.name)
            except Exception as e:  # noqa: BLE001 - a failed analysis counts as no detections, reported
                tallies["hiplevel"].failures.append(f"{trial.name}: {type(e).__name__}: {e}")
                tallies["hiplevel"].add(np.empty(0), [], ref, trial.name)
            if dataset is not None:
                tallies["mobgap"].add(*mobgap_contacts(trial, dataset), ref, trial.name)
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


def error_table(tally: StepTally) -> list[str]:
    """One line per miss, false contact and side error of a tally (`StepTally.errors`), then its
    totals: the list to classify by hand (docs: issue 14)."""
    def s(x: float | None) -> str:
        return "-" if x is None else f"{x:+.2f}"

    lines = ["trial | kind | t_s | foot | nearest other contact, s | reference gap before / after, s"]
    lines += [f"{e.trial} | {e.kind} | {e.t_s:.2f} | {e.foot} | {s(e.nearest_s)} | {s(e.ref_gaps_s[0])} / {s(e.ref_gaps_s[1])}"
              for e in tally.errors]
    lines.append(f"{tally.n_ref} reference contacts, {tally.n_det} judged detections, {tally.tp} matched, "
                 f"{tally.side_ok} on the right foot: sensitivity {pct(tally.sensitivity)}, precision "
                 f"{pct(tally.precision)}, side {pct(tally.side)}")
    return lines


def main(system: str = "INDIP") -> None:
    """`python -m bench.real_walking [SYSTEM]`: hiplevel's misses, false contacts and side errors on
    mobgap-lowback against one reference (INDIP or Stereophoto), counted as section 3 counts them."""
    from bench.realdata import LOWBACK_DIR, load_lowback, shared_data_dir

    data_dir = shared_data_dir()
    if data_dir is None:
        raise SystemExit("../shared/data is absent")
    tally = StepTally()
    for trial in load_lowback(data_dir / LOWBACK_DIR):
        if system in trial.references:
            tally.add(*hiplevel_contacts(trial.series), trial.references[system], trial.name)
    print("\n".join(error_table(tally)))


if __name__ == "__main__":
    import sys

    main(*sys.argv[1:2])
