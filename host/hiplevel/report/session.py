"""The session report: one self-contained HTML file a clinician reads in half a minute."""

from __future__ import annotations

from hiplevel.constants import tested_leg_name

from html import escape
from pathlib import Path

from hiplevel import __version__
from hiplevel.report import htmlpage as H
from hiplevel.report.chromium import print_to_pdf
from hiplevel.report.reps import (
    RepView, advice, asymmetry_text, drop_flag_deg, rep_views, set_activity, side_stats,
)
from hiplevel.report.session_figures import roll_figure, side_figure
from hiplevel.report.style import data_uri, png_bytes, svg_bytes
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

    source: a store with `session_id`, or the session's inputs directly. Returns the HTML path.
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
    path = out / f"{name}-report.html"
    path.write_text(html, encoding="utf-8")
    if figures:
        for key, fig in figs.items():
            (out / f"{name}-{key}.svg").write_bytes(svg_bytes(fig))
            (out / f"{name}-{key}.png").write_bytes(png_bytes(fig))
    if pdf:
        print_to_pdf(path, path.with_suffix(".pdf"))
    return path


def render_session(inputs: SessionInputs) -> tuple[str, dict]:
    """The report's HTML and its matplotlib figures (by name)."""
    meta, sets = inputs.meta, list(inputs.sets)
    views = [rep_views(s) for s in sets]
    thr = [drop_flag_deg(meta, s) for s in sets]
    figs = {
        "roll": roll_figure(sets, views, thr, meta.gaps),
        "sides": side_figure([s.exercise for s in sets], views, max(thr)),
    }
    all_reps = [r for rv in views for r in rv]
    body = [
        _status_banner(meta),
        _analysis_version_note(meta),  # store: older analysis version (issue 13)
        "<h2>Can the patient progress?</h2>",
        _advice_cards(sets, views, thr),
        "<h2>Sets at a glance</h2>",
        _sets_table(sets, views),
        "<h2>Pelvic roll, rep by rep</h2>",
        H.figure(data_uri(svg_bytes(figs["roll"])), "pelvic roll over time per set",
                 "Pelvic roll (degrees from the patient's own standing neutral) against session time. Grey band: "
                 "within the threshold. Shaded reps: green = level, orange = compensated; numbers are rep numbers. "
                 "Markers name the side of the pelvis that dropped (L = left, R = right) and by how much."),
        "<h2>Left stance vs right stance</h2>",
        f"<p>Asymmetry over all reps: <b>{escape(asymmetry_text(all_reps))}</b> "
        "(mean drop on right-leg stance minus left-leg stance).</p>",
        H.figure(data_uri(svg_bytes(figs["sides"])), "drop per rep by stance leg",
                 "Each dot is one rep, grouped by exercise and the leg the patient stood on; black bar = mean.",
                 max_width_px=680),
        "<h2>Every rep</h2>",
        "<div class=\"reps\">" + "".join(_rep_table(s, rv) for s, rv in zip(sets, views)) + "</div>",
        "<h2>Data quality</h2>",
        _quality_table(meta, sets),
    ]
    when = meta.started_at.strftime("%a %d %b %Y, %H:%M UTC") if meta.started_at else "unknown date"
    title = f"Session report · patient {meta.patient_id}"
    sub = f"{when} · session {meta.session_id or '–'} · {len(sets)} sets, {len(all_reps)} reps"
    foot = (f"hiplevel {__version__}. Drops are degrees below the patient's own standing neutral, attributed to "
            "the stance leg (Trendelenburg). Week-to-week changes under about 4° are within measurement noise.")
    return H.page(title, sub, body, foot), figs


def _status_banner(meta: SessionMeta) -> str:
    if meta.status == "complete":
        return ""
    return (f"<div class=\"card stay\"><b class=\"verdict\">Session {escape(meta.status)}</b>"
            "<span class=\"why\">The recording stopped early: sets after the interruption are missing.</span></div>")


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


def _advice_cards(sets: list[SetReport], views: list[list[RepView]], thr: list[float]) -> str:
    cards = []
    for s, rv, t in zip(sets, views, thr):
        text, reason = advice(s, rv, t)
        go = text.startswith("ready to progress")
        level = f" · level {s.effective_level}" if s.effective_level else ""
        cards.append(
            f"<div class=\"card {'go' if go else 'stay'}\"><span>Set {s.set_index} · "
            f"{escape(s.exercise.replace('-', ' '))}{level}</span><b class=\"verdict\">{escape(text)}</b>"
            f"<span class=\"why\">{escape(reason)}</span></div>"
        )
    return "<div class=\"cards\">" + "".join(cards) + "</div>"


def _sets_table(sets: list[SetReport], views: list[list[RepView]]) -> str:
    rows, klass = [], []
    for s, rv in zip(sets, views):
        left, right = side_stats(rv, "left"), side_stats(rv, "right")
        n_clean = sum(r.clean for r in rv)
        activity = "; ".join(f"{k}: {v}" for k, v in set_activity(s, rv).items()) or "–"
        rows.append([
            s.set_index, s.exercise.replace("-", " "), s.effective_level or "–", len(rv),
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


def _rep_table(s: SetReport, rv: list[RepView]) -> str:
    rows = [
        [r.number, f"{r.start_s:.1f}–{r.end_s:.1f}", H.side_word(r.stance_side), H.side_word(r.dropped_side),
         f"{r.drop_deg:.1f}", "–" if r.score is None else f"{r.score:.0f}", ", ".join(r.flags) or "level"]
        for r in rv
    ]
    return (f"<div><h3>Set {s.set_index} · {escape(s.exercise.replace('-', ' '))}</h3>"
            + H.table(["#", "Time (s)", tested_leg_name(s.exercise).capitalize(), "Side that dropped", "Drop (°)", "Score", "Flags"], rows,
                      cls=f"reptable set-{s.set_index}", row_classes=["" if r.clean else "fault" for r in rv],
                      numeric=[True, True, False, False, True, True, False])
            + "</div>")


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
        ["Sensor battery", H.fmt(meta.battery_pct, " %", 0)], ["Device", f"{meta.device_id or '–'} · firmware {meta.firmware or '–'}"],
        ["Standing neutral (raw roll)", neutral], ["Session status", meta.status],
    ]
    return H.table(["", ""], rows, cls="kv")
