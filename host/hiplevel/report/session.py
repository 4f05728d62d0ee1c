"""The session report: one self-contained HTML file a clinician reads in half a minute."""

from __future__ import annotations

from html import escape
from pathlib import Path

from hiplevel import __version__
from hiplevel.constants import SIDE_DROPPED_LABEL, tested_leg_label
from hiplevel.report import htmlpage as H
from hiplevel.report.reps import (
    RepView, advice, asymmetry_text, drop_flag_deg, level_legend, rep_views, set_activity, set_reps, set_thresholds,
    side_stats,
)
from hiplevel.report.session_figures import roll_figure, side_figure
from hiplevel.report.output import write_page
from hiplevel.report.style import data_uri, svg_bytes
from hiplevel.scoring import Thresholds
from hiplevel.scoring.reps import FLAG_SCORE
from hiplevel.scoring.words import exercise_words, session_finding, set_finding
from hiplevel.store.db import SessionStore
from hiplevel.store.records import SessionInputs, SessionMeta, SetReport
from hiplevel.store.schema import StoreError


def write_session_report(
    source: SessionStore | SessionInputs,
    out_dir: str | Path,
    session_id: str | None = None,
    *,
    pdf: bool = False,
    figures: bool = False,
) -> Path:
    """Write `<session>-report.html` into out_dir (and the PDF / PNG+SVG figures when asked).

    source: a store with `session_id`, or the session's inputs directly. Returns the HTML path
    (the PDF, when asked, is the same path with `.pdf`).
    """
    if isinstance(source, SessionStore):
        if session_id is None:
            raise StoreError("which session? pass session_id with a store")
        inputs = source.load_session(session_id)
    else:
        inputs = source
    if not inputs.sets:
        raise StoreError("the session has no analysed sets to report")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    name = inputs.meta.session_id or "session"
    html, figs = render_session(inputs)
    return write_page(out / f"{name}-report.html", html, figs, name, figures=figures, pdf=pdf)


def score_line(th: Thresholds) -> str:
    """The 0-100 rep score in one line (hiplevel.scoring.reps.drop_score)."""
    return (f"Score 0–100 per rep: 100 while the drop stays within the exercise's normal range, {FLAG_SCORE:.0f} at "
            f"its limit (flagged beyond), 0 at its fail drop; {th.penalty_points:.0f} points off for each other fault "
            "(short hold, sway, bobbing, shuffling).")


def render_session(inputs: SessionInputs) -> tuple[str, dict]:
    """The report's HTML and its matplotlib figures (by name: `roll-N` per set, `sides`)."""
    meta, sets = inputs.meta, list(inputs.sets)
    th = set_thresholds(meta)
    views = [rep_views(s) for s in sets]
    thr = [drop_flag_deg(meta, s) for s in sets]
    figs = {f"roll-{s.set_index}": roll_figure([s], [rv], [t], meta.gaps) for s, rv, t in zip(sets, views, thr)}
    figs["sides"] = side_figure([s.exercise for s in sets], views, thr)
    all_reps = [r for rv in views for r in rv]
    headline = session_finding([(s.exercise, set_reps(s)) for s in sets], th.regress_fraction)
    levels = level_legend([s.effective_level for s in sets])
    roll_figs = [
        H.figure(data_uri(svg_bytes(figs[f"roll-{s.set_index}"])), f"pelvic roll over time, set {s.set_index}",
                 "") for s in sets
    ]
    body = [
        *_notices(meta),
        f"<div class=\"finding\"><b>Finding</b>{escape(headline)}</div>",
        "<h2>Can the patient progress?</h2>",
        _advice_cards(sets, th),
        f"<p class=\"note\">Levels (domain progression): {escape(levels)}.</p>" if levels else "",
        f"<p class=\"note\">{escape(score_line(th))}</p>",
        "<h2>Sets at a glance</h2>",
        _sets_table(sets, views, th),
        "<h2>Pelvic roll, rep by rep</h2>",
        "<p class=\"note\">Pelvic roll in degrees from the patient's own standing neutral against session time. "
        "Grey band: within that exercise's limit (its value is in each panel). Shaded reps: green = level, hatched "
        "yellow = compensated; numbers are rep numbers. ▼ left side dropped, ▲ right side dropped, at the lowest "
        "point of each single-support phase (filled and labelled when beyond the limit, hollow when within it); "
        "band-walk steps show both phases, split by a dotted line.</p>",
        *roll_figs,
        "<h2>Left stance vs right stance</h2>",
        f"<p>Asymmetry over all reps: <b>{escape(asymmetry_text(all_reps))}</b> "
        "(mean drop on right-leg stance minus left-leg stance; each exercise has its own limit).</p>",
        H.figure(data_uri(svg_bytes(figs["sides"])), "drop per single-support phase by stance leg",
                 "Each dot is one single-support phase (a band-walk step has two), grouped by exercise and the leg the "
                 "patient stood on; black bar = mean. Grey band and dashed line: the exercise's own limit; blue bar: "
                 "the published range of healthy people (docs/thresholds.md).", max_width_px=760),
        "<h2>Every rep</h2>",
        *(_rep_table(s, rv, th) for s, rv in zip(sets, views)),
        "<h2>Data quality</h2>",
        _quality_table(meta, sets),
    ]
    when = meta.started_at.strftime("%a %d %b %Y, %H:%M UTC") if meta.started_at else "unknown date"
    title = f"Session report · patient {meta.patient_id}"
    sub = f"{when} · session {meta.session_id or '–'} · {len(sets)} sets, {len(all_reps)} reps"
    foot = (f"hiplevel {__version__}. Drops are degrees below the patient's own standing neutral, attributed to "
            "the stance leg (Trendelenburg): the stance leg is the tested leg, the side that dropped the other one. "
            "Week-to-week changes under about 4° are within measurement noise.")
    running = f"Patient {meta.patient_id} · session {meta.session_id or '–'} · {when}"
    return H.page(title, sub, body, foot, running=running), figs


def _notices(meta: SessionMeta) -> list[str]:
    """One-line notices under the title (an interrupted session; the store adds its own here)."""
    out = []
    if meta.status != "complete":
        out.append(f"<div class=\"card stay\"><b class=\"verdict\">Session {escape(meta.status)}</b>"
                   "<span class=\"why\">The recording stopped early: sets after the interruption are missing.</span></div>")
    out.append(_analysis_version_note(meta))  # the store's note: results from an older analysis version
    return [x for x in out if x]


def _analysis_version_note(meta: SessionMeta) -> str:
    """A line when the stored results came from an older analysis than this hiplevel's (the store
    records the version per session; `hiplevel reanalyze` brings it up to date)."""
    from hiplevel.analysis.version import ANALYSIS_VERSION

    if meta.analysis_version is None or meta.analysis_version >= ANALYSIS_VERSION:
        return ""
    made_by = (f"analysis version {meta.analysis_version}" if meta.analysis_version > 0
               else "an analysis from before versions were recorded")
    return (f"<div class=\"card stay\"><b class=\"verdict\">Analysed by an older version</b><span class=\"why\">"
            f"These results come from {escape(made_by)}; this hiplevel has version {ANALYSIS_VERSION}. "
            f"Run <code>hiplevel reanalyze --patient {escape(meta.patient_id)}</code> to update them.</span></div>")


def _advice_cards(sets: list[SetReport], th: Thresholds) -> str:
    cards = []
    for s in sets:
        text, reason = advice(s, th)
        kind = ("go" if text.startswith(("ready to progress", "walking well"))
                else "back" if text.startswith(("step back", "shorter walks")) else "stay")
        level = f" · level {s.effective_level}" if s.effective_level else ""
        finding = set_finding(s.exercise, set_reps(s), th.regress_fraction)
        cards.append(
            f"<div class=\"card {kind}\"><span>Set {s.set_index} · {escape(exercise_words(s.exercise))}{level}</span>"
            f"<b class=\"verdict\">{escape(text)}</b><span class=\"why\">{escape(reason)}</span>"
            + (f"<span class=\"why\"><br>{escape(finding)}</span>" if finding else "") + "</div>"
        )
    return "<div class=\"cards\">" + "".join(cards) + "</div>"


def _sets_table(sets: list[SetReport], views: list[list[RepView]], th: Thresholds) -> str:
    rows, klass = [], []
    for s, rv in zip(sets, views):
        left, right = side_stats(rv, "left"), side_stats(rv, "right")
        n_clean = sum(r.clean for r in rv)
        activity = "; ".join(f"{k}: {v}" for k, v in set_activity(s, rv).items()) or "–"
        rows.append([
            s.set_index, exercise_words(s.exercise), s.effective_level or "–", len(rv),
            H.Raw(f"<span class=\"{'good' if n_clean == len(rv) else 'bad'}\">{n_clean} of {len(rv)}</span>"),
            H.fmt(left.mean_deg if left else None), H.fmt(right.mean_deg if right else None),
            H.fmt(max((r.drop_deg for r in rv), default=None)), asymmetry_text(rv), activity,
        ])
        klass.append("" if n_clean == len(rv) else "fault")
    return H.table(
        ["Set", "Exercise", "Level", "Reps", "Clean reps", "Mean drop, left stance", "Mean drop, right stance",
         "Largest drop", "Asymmetry", "Steps / holds"],
        rows, row_classes=klass, numeric=[True, False, True, True, True, True, True, True, False, False],
    )


def _drop_cell(drop_deg: float) -> str:
    """A drop in words: '7.2' below neutral, 'rose 3.5' for a hike (never a raw signed angle)."""
    return f"{drop_deg:.1f}" if drop_deg >= 0 else f"rose {-drop_deg:.1f}"


def _rep_table(s: SetReport, rv: list[RepView], th: Thresholds) -> str:
    """One row per single-support phase: a band-walk step has two (lead swing, trail swing)."""
    multi = any(len(r.phases) > 1 for r in rv)
    rows, klass = [], []
    for r in rv:
        for k, p in enumerate(r.phases):
            phase = (["lead swing" if k == 0 else "trail swing"] if multi else [])
            rows.append([
                r.number if k == 0 else "", f"{p.start_s:.1f}–{p.end_s:.1f}", *phase, H.side_word(p.stance_side),
                H.side_word(p.dropped_side) if p.dropped_side else "–", _drop_cell(p.drop_deg),
                "–" if p.score is None else f"{p.score:.0f}",
                ", ".join(f.replace("_", " ") for f in (p.flags if multi else r.flags)) or "level",
            ])
            klass.append(" ".join(c for c in ("fault" if (p.faulted if multi else not r.clean) else "",
                                              "phase2" if k else "") if c))
    side_col = SIDE_DROPPED_LABEL.capitalize() if s.exercise != "clamshell" else "Side that dropped (n/a: roll-back)"
    headers = ["#", "Time (s)", *(["Phase"] if multi else []), tested_leg_label(s.exercise).capitalize(), side_col,
               "Roll-back (°)" if s.exercise == "clamshell" else "Drop (°)", "Score", "Flags"]
    finding = set_finding(s.exercise, set_reps(s), th.regress_fraction)
    return (f"<h3>Set {s.set_index} · {escape(exercise_words(s.exercise))}</h3>"
            + (f"<p class=\"note\">{escape(finding)}</p>" if finding else "")
            + H.table(headers, rows, cls=f"reptable set-{s.set_index}", row_classes=klass,
                      numeric=[True, True, *([False] if multi else []), False, False, True, True, False]))


def _quality_table(meta: SessionMeta, sets: list[SetReport]) -> str:
    total = meta.samples_received + meta.samples_lost
    lost = f"{meta.samples_lost} of {total} ({100.0 * meta.samples_lost / total:.1f} %)" if total else "not recorded"
    gap_s = sum(d for _, d in meta.gaps)
    gaps = (f"{len(meta.gaps)} gaps, {gap_s:.1f} s in total, longest {max(d for _, d in meta.gaps):.1f} s"
            if meta.gaps else "none")
    cal = {"ok": "good", "stale": "stale: recalibrate before the next session",
           "missing": "missing: angles rest on the standing neutral only"}[meta.calibration_state]
    cal += f" (calibrated {meta.calibration_date})" if meta.calibration_date else ""
    neutral = ", ".join(f"set {s.set_index}: {s.analysis_json.get('neutral_roll_deg', float('nan')):.1f}°" for s in sets)
    rows = [
        ["Samples lost", lost], ["Gaps in the data", gaps], ["Calibration", cal],
        ["Sensor battery", H.fmt(meta.battery_pct, " %", 0)], ["Device", meta.device_id or "not recorded"],
        ["Firmware", meta.firmware or "not recorded"],
        ["Standing neutral (raw roll)", neutral], ["Session status", meta.status],
    ]
    return H.table(["", ""], rows, cls="kv")
