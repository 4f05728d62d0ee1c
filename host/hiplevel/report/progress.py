"""The progress report: a patient's sessions across weeks in one self-contained HTML file."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime
from html import escape
from pathlib import Path

from matplotlib.figure import Figure

from hiplevel import __version__
from hiplevel.report import htmlpage as H
from hiplevel.report.norms import norm_for
from hiplevel.report.output import write_page
from hiplevel.report.progress_data import SIDES, ProgressData, ProgressSettings, compute_progress
from hiplevel.report.reps import drop_flag_deg, set_reps
from hiplevel.report.style import (
    BAND_COLOUR, CLEAN_COLOUR, FAULT_COLOUR, FAULT_EDGE, FAULT_HATCH, NORM_COLOUR, OKABE_ITO, SIDE_COLOUR, SIDE_LINE,
    SIDE_MARKER, data_uri, new_figure, svg_bytes,
)
from hiplevel.scoring.summary import LEVELS
from hiplevel.scoring.words import exercise_words, support_phases
from hiplevel.store.db import SessionStore
from hiplevel.store.schema import StoreError


def load_progress(store: SessionStore, patient_id: str, settings: ProgressSettings = ProgressSettings(),
                  now: datetime | None = None) -> ProgressData:
    """Progress figures of a patient from the store (now: when the report is made, UTC)."""
    if store.get_patient(patient_id) is None:
        raise StoreError(f"no patient {patient_id}: see `hiplevel sessions list`")
    records = store.list_sessions(patient_id)
    sessions = [(s.id, s.started_at, s.status) for s in records]
    rows: list[dict] = []
    limits: dict[str, float] = {}
    for rec in records:
        rows += _rep_rows(store, rec.id, limits)
    return replace(compute_progress(patient_id, sessions, rows, settings, now), limits_deg=limits)


def _rep_rows(store: SessionStore, session_id: str, limits: dict[str, float]) -> list[dict]:
    """A session's reps as progress rows, each with its single-support phases (stance leg, drop,
    flags) read from the stored analysis (hiplevel.scoring.words.support_phases); `limits` gets
    each exercise's drop limit, deg (the latest session's wins)."""
    out = []
    inputs = store.load_session(session_id)
    for s in inputs.sets:
        limits[s.exercise] = drop_flag_deg(inputs.meta, s)
        for rep in set_reps(s):
            out.append({
                "session_id": session_id, "exercise": s.exercise, "level": s.effective_level,
                "rep_index": rep.index, "side": rep.side, "drop_deg": rep.drop_deg, "flags": list(rep.flags),
                "phases": [{"side": p.stance, "drop_deg": p.drop_deg, "score": p.score, "flags": list(p.flags)}
                           for p in support_phases(s.exercise, rep)],
            })
    return out


def write_progress_report(
    store: SessionStore, patient_id: str, out_dir: str | Path, *, pdf: bool = False, figures: bool = False,
    settings: ProgressSettings = ProgressSettings(),
) -> Path:
    """Write `<patient>-progress.html` (its numbers also as `<patient>-progress.json`); returns the HTML."""
    data = load_progress(store, patient_id, settings)
    if not data.sessions:
        raise StoreError(f"patient {patient_id} has no sessions yet")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    figs = {"drops": drop_figure(data), "adherence": adherence_figure(data)}
    (out / f"{patient_id}-progress.json").write_text(json.dumps(progress_json(data), indent=1))
    return write_page(out / f"{patient_id}-progress.html", render_progress(data, figs), figs, f"{patient_id}-progress",
                      figures=figures, pdf=pdf)


def progress_json(d: ProgressData) -> dict:
    """The weekly numbers as JSON (what the figures and tables show); drops per exercise and stance leg."""
    return {
        "schema": "hiplevel.progress/2", "patient_id": d.patient_id, "weak_side": d.weak_side,
        "latest_finding": d.latest_finding,
        "smallest_real_change_deg": d.settings.smallest_real_change_deg,
        "weeks": [{"week": w.week, "start": w.start.date().isoformat(), "complete": w.complete,
                   "sessions": w.n_sessions, "short_rests": w.short_rests, "adherent": w.adherent, "reps": w.n_reps,
                   "clean_ratio": w.clean_ratio, "by_exercise": w.by_exercise, "change_deg": w.change_deg,
                   "real_change": w.real_change} for w in d.weeks],
        "trend": d.trend,
        "level_changes": [{"at": t.isoformat(), "exercise": ex, "from": a, "to": b} for t, ex, a, b in d.level_changes],
    }


def _week_axis(ax, d: ProgressData) -> None:
    """Weeks 1..N as ticks, with room either side even for a single week."""
    weeks = [w.week for w in d.weeks]
    ax.set_xticks(weeks)
    ax.set_xlim(weeks[0] - 0.6, weeks[-1] + 0.6)


def drop_figure(d: ProgressData) -> Figure:
    """Weekly mean drop (deg) per stance leg, one panel per exercise (never pooled), each with the
    exercise's own limit (grey band up to it), the published range of healthy people (blue band)
    and a bar the height of the smallest real change."""
    exercises = list(dict.fromkeys(ex for w in d.weeks for ex in w.by_exercise))
    fig = new_figure(10.0, 3.1)
    axes = fig.subplots(1, max(1, len(exercises)), squeeze=False)[0]
    src = d.settings.smallest_real_change_deg
    for ax, ex in zip(axes, exercises):
        limit = d.limits_deg.get(ex)
        norm = norm_for(ex)
        top = 0.0
        if limit is not None:
            ax.axhspan(0, limit, color=BAND_COLOUR, alpha=0.3, lw=0, label="within the limit")
            ax.axhline(limit, color="black", lw=0.9, ls="--")
            ax.text(0.98, limit, f"limit {limit:.0f}°", transform=ax.get_yaxis_transform(), fontsize=7, va="bottom",
                    ha="right")
            top = limit
        ax.axhspan(norm.lo_deg, norm.hi_deg, xmin=0.0, xmax=0.04, color=NORM_COLOUR, lw=0, label="healthy range")
        for side in SIDES:
            pts = [(w.week, w.by_exercise[ex][side]) for w in d.weeks
                   if ex in w.by_exercise and w.by_exercise[ex][side] is not None]
            if pts:
                x, y = zip(*pts)
                ax.plot(x, y, marker=SIDE_MARKER[side], ls=SIDE_LINE[side], color=SIDE_COLOUR[side],
                        label=f"{side} stance")
                top = max(top, *y)
        ax.set_title(exercise_words(ex), loc="left")
        ax.set_xlabel("week")
        _week_axis(ax, d)
        ax.set_ylim(0, max(top, norm.hi_deg, src) * 1.25 + 0.5)
        ax.grid(axis="y", color="#e5e5e5")
    axes[0].set_ylabel("mean drop below neutral (°)")
    # A bar the height of the smallest real change, so a clinician can hold it against the lines.
    x0 = d.weeks[0].week - 0.45
    axes[0].errorbar([x0], [src / 2 + 0.2], yerr=[src / 2], color="#555555", capsize=3, lw=1.2)
    axes[0].annotate(f"{src:.0f}° = smallest\nreal change", (x0 + 0.05, src + 0.3), fontsize=7, color="#555555")
    handles, labels = axes[-1].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside upper right", ncol=4, fontsize=7, frameon=False)
    return fig


def adherence_figure(d: ProgressData) -> Figure:
    """Sessions per week against the 3-4 target, clean-rep share (%) with the every-rep-clean goal,
    and the exercise level per week."""
    fig = new_figure(10.0, 2.7)
    a1, a2, a3 = fig.subplots(1, 3)
    st = d.settings
    weeks = [w.week for w in d.weeks]
    a1.axhspan(st.sessions_per_week_min - 0.5, st.sessions_per_week_max + 0.5, color=BAND_COLOUR, alpha=0.35, lw=0,
               label=f"target {st.sessions_per_week_min}–{st.sessions_per_week_max}")
    for w in d.weeks:
        if w.adherent is None:
            a1.bar(w.week, w.n_sessions, facecolor="white", edgecolor="#555555", ls="--", lw=1.0)
        else:
            a1.bar(w.week, w.n_sessions, color=CLEAN_COLOUR if w.adherent else FAULT_COLOUR,
                   edgecolor=FAULT_EDGE if not w.adherent else CLEAN_COLOUR,
                   hatch="" if w.adherent else FAULT_HATCH)
    a1.set(xlabel="week", ylabel="sessions (count)", title="Sessions per week",
           ylim=(0, max(st.sessions_per_week_max + 1, *(w.n_sessions for w in d.weeks)) + 0.5))
    _week_axis(a1, d)
    a1.legend(fontsize=7, frameon=False, loc="upper left")
    a2.axhspan(100, 105, color=BAND_COLOUR, alpha=0.45, lw=0, label="goal: every rep clean")
    cr = [(w.week, 100 * w.clean_ratio) for w in d.weeks if w.clean_ratio is not None]
    if cr:
        a2.plot(*zip(*cr), marker="o", color=OKABE_ITO["green"])
    a2.set(xlabel="week", ylabel="clean reps (%)", title="Reps without compensation", ylim=(0, 108))
    _week_axis(a2, d)
    a2.legend(fontsize=7, frameon=False, loc="lower left")
    exercises = list(dict.fromkeys(ex for p in d.sessions for ex in p.levels))
    palette = [OKABE_ITO[k] for k in ("blue", "orange", "purple", "sky", "black")]
    for i, ex in enumerate(exercises):
        lv = [(w.week, max(p.levels[ex] for p in d.sessions if p.week == w.week and ex in p.levels)) for w in d.weeks
              if any(p.week == w.week and ex in p.levels for p in d.sessions)]
        a3.plot(*zip(*lv), color=palette[i % len(palette)], lw=2, ls=("-", "--", ":")[i % 3],
                marker="os^"[i % 3], drawstyle="steps-mid", label=exercise_words(ex))
    if exercises:
        a3.legend(fontsize=7, frameon=False, loc="lower right")
    a3.set(xlabel="week", ylabel="exercise level", title="Level per exercise", yticks=[1, 2, 3], ylim=(0.5, 3.5))
    _week_axis(a3, d)
    return fig


def _signed(x: float) -> str:
    """+1.2° / -0.4° / 0.0° (no negative zero)."""
    r = round(x, 1)
    return "0.0°" if r == 0 else f"{r:+.1f}°"


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _headline(d: ProgressData) -> str:
    src = d.settings.smallest_real_change_deg
    items = []
    if d.latest_finding:
        items.append(f"<li><b>Latest session</b>: {escape(d.latest_finding)}</li>")
    for key, t in sorted(d.trend.items(), key=lambda kv: (kv[1]["side"] != d.weak_side, kv[0])):
        first, last = round(t["first_deg"], 1), round(t["last_deg"], 1)
        # A change that rounds to nothing reads "stayed", never "rose ... 0.0°".
        verb = "stayed at" if first == last else ("fell from" if last < first else "rose from")
        since = (f"{last:.1f}° from week {t['first_week']} to week {t['last_week']}" if first == last
                 else f"{first:.1f}° (week {t['first_week']}) to {last:.1f}° (week {t['last_week']})")
        real = (f"<span class=\"{'good' if t['change_deg'] < 0 else 'bad'}\">beyond the {src:.0f}° smallest real change</span>"
                if t["real"] else f"within the {src:.0f}° measurement noise")
        weak = " (weaker side)" if t["side"] == d.weak_side else ""
        items.append(f"<li><b>{escape(exercise_words(t['exercise']))}, <span class=\"{t['side']}\">{t['side']} stance</span>{weak}</b>: "
                     f"mean drop {verb} {since}, {_signed(t['change_deg'])}: {real}.</li>")
    if not d.trend:
        items.append("<li><b>Trend</b>: needs sessions in at least two weeks; this report shows where the patient "
                     "starts.</li>")
    done = [w for w in d.weeks if w.complete]
    dose = (f"{d.settings.sessions_per_week_min}–{d.settings.sessions_per_week_max} sessions with "
            f"≥ {d.settings.min_rest_h:.0f} h between them")
    current = next((w for w in d.weeks if not w.complete), None)
    parts = []
    if done:
        parts.append(f"{sum(bool(w.adherent) for w in done)} of {_plural(len(done), 'finished week', 'finished weeks')} "
                     f"met {dose}")
    if current is not None:
        parts.append(f"week {current.week} is under way ({_plural(current.n_sessions, 'session', 'sessions')} so far)")
    items.append(f"<li><b>Adherence</b>: {'; '.join(parts)}.</li>")
    cr = [w for w in d.weeks if w.clean_ratio is not None]
    if len(cr) >= 2:
        items.append(f"<li><b>Reps without compensation</b>: {100 * cr[0].clean_ratio:.0f} % in week "
                     f"{cr[0].week}, {100 * cr[-1].clean_ratio:.0f} % in week {cr[-1].week}.</li>")
    if d.level_changes:
        items.append("<li><b>Level changes</b>: " + "; ".join(
            f"{escape(exercise_words(ex))} {a} → {b} on {t:%d %b %Y}" for t, ex, a, b in d.level_changes) + ".</li>")
    return "<ul>" + "".join(items) + "</ul>"


def _drops_cell(table: dict[str, dict[str, float | None]]) -> str:
    """'walking L 3.6° / R 8.1°; band walk L 1.1° / R 6.9°': per exercise, never pooled."""
    return "; ".join(f"{exercise_words(ex)} L {H.fmt(m['left'])} / R {H.fmt(m['right'])}" for ex, m in table.items()) or "–"


def render_progress(d: ProgressData, figs: dict[str, Figure]) -> str:
    """The progress report's HTML."""
    src = d.settings.smallest_real_change_deg
    wk_rows, drop_rows = [], []
    for w in d.weeks:
        if w.adherent is None:
            dose = H.Raw(f"under way ({_plural(w.n_sessions, 'session', 'sessions')} so far)")
        else:
            dose = H.Raw(f"<span class=\"{'good' if w.adherent else 'bad'}\">{'yes' if w.adherent else 'no'}</span>"
                         + (f" ({w.short_rests} under {d.settings.min_rest_h:.0f} h)" if w.short_rests else ""))
        wk_rows.append([w.week, f"{w.start:%d %b}", w.n_sessions, dose,
                        "–" if w.clean_ratio is None else f"{100 * w.clean_ratio:.0f} %"])
        for ex, m in w.by_exercise.items():
            asym = (m["right"] - m["left"]) if m["left"] is not None and m["right"] is not None else None
            ch = []
            for s in SIDES:
                c = w.change_deg[ex][s]
                ch.append("–" if c is None else _signed(c) + (" (real)" if w.real_change[ex][s] else ""))
            drop_rows.append([w.week, exercise_words(ex), H.fmt(m["left"]), H.fmt(m["right"]),
                              "–" if asym is None else f"{abs(asym):.1f}° more on {'right' if asym > 0 else 'left'}",
                              ch[0], ch[1]])
    ss_rows = [[f"{p.started_at:%a %d %b %H:%M}", p.session_id, p.status, ", ".join(exercise_words(e) for e in p.exercises),
                ", ".join(f"{exercise_words(ex)} {lv}" for ex, lv in p.levels.items()) or "–", p.n_reps,
                f"{100 * p.n_clean / p.n_reps:.0f} %" if p.n_reps else "–", _drops_cell(p.by_exercise),
                "–" if p.rest_before_h is None else f"{p.rest_before_h:.0f} h"] for p in d.sessions]
    levels = sorted({lv for p in d.sessions for lv in p.levels.values() if lv in LEVELS})
    body = [
        "<h2>In short</h2>", _headline(d),
        "<h2>Pelvic drop week by week</h2>",
        H.figure(data_uri(svg_bytes(figs["drops"])), "weekly mean drop per exercise and stance leg",
                 "Mean drop below the patient's standing neutral per week, one panel per exercise (exercises are never "
                 "averaged together), by stance leg. Grey band and dashed line: the exercise's limit; blue band at the "
                 f"left edge: the published range of healthy people; the bar is the {src:.0f}° smallest real change: "
                 "smaller week-to-week moves are measurement noise."),
        H.table(["Week", "Exercise", "Mean drop, left stance", "Mean drop, right stance", "Asymmetry", "Change, left",
                 "Change, right"], drop_rows, cls="drops", numeric=[True, False, True, True, False, True, True]),
        "<h2>Adherence, quality and level</h2>",
        H.figure(data_uri(svg_bytes(figs["adherence"])), "sessions per week, clean reps and level",
                 "Bars: green = within the 3–4 sessions target with ≥ 24 h rests; hatched yellow = not; dashed outline "
                 "= the week under way (not judged yet)."),
        H.table(["Week", "From", "Sessions", "3–4 a week, ≥ 24 h apart", "Clean reps"], wk_rows, cls="weeks",
                numeric=[True, False, True, False, True]),
        (f"<p class=\"note\">Levels: " + escape("; ".join(f"level {lv} = {LEVELS[lv]}" for lv in levels)) + ".</p>")
        if levels else "",
        "<h2>Sessions</h2>",
        H.table(["Date (UTC)", "Session", "Status", "Exercises", "Levels", "Reps", "Clean reps",
                 "Mean drop by exercise (L / R stance)", "Rest before"], ss_rows,
                numeric=[False, False, False, False, False, True, True, False, True]),
    ]
    first, last = d.sessions[0].started_at, d.sessions[-1].started_at
    span = f"{first:%d %b %Y}" if first.date() == last.date() else f"{first:%d %b %Y} – {last:%d %b %Y}"
    sub = (f"{_plural(len(d.sessions), 'session', 'sessions')} in {_plural(len(d.weeks), 'week', 'weeks')} · {span}")
    foot = (f"hiplevel {__version__}. Drops: degrees below the patient's own standing neutral, by the leg stood on "
            f"(the tested leg). Smallest real change {src:.0f}° (Youdas et al. 2007); dose 3–4 "
            "sessions a week, ≥ 24 h apart.")
    return H.page(f"Progress report · patient {d.patient_id}", sub, body, foot,
                  running=f"Patient {d.patient_id} · progress report · {span}")
