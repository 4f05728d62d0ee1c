"""The progress report: a patient's sessions across weeks in one self-contained HTML file."""

from __future__ import annotations

import json
from html import escape
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure

from hiplevel import __version__
from hiplevel.report import htmlpage as H
from hiplevel.report.chromium import print_to_pdf
from hiplevel.report.progress_data import SIDES, ProgressData, ProgressSettings, compute_progress
from hiplevel.report.style import BAND_COLOUR, CLEAN_COLOUR, FAULT_COLOUR, OKABE_ITO, SIDE_COLOUR, data_uri, new_figure, png_bytes, svg_bytes
from hiplevel.store.db import SessionStore
from hiplevel.store.schema import StoreError


def load_progress(store: SessionStore, patient_id: str, settings: ProgressSettings = ProgressSettings()) -> ProgressData:
    """Progress figures of a patient from the store."""
    if store.get_patient(patient_id) is None:
        raise StoreError(f"no patient {patient_id}: see `hiplevel sessions list`")
    sessions = [(s.id, s.started_at, s.status) for s in store.list_sessions(patient_id)]
    return compute_progress(patient_id, sessions, store.patient_reps(patient_id), settings)


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
    path = out / f"{patient_id}-progress.html"
    path.write_text(render_progress(data, figs), encoding="utf-8")
    (out / f"{patient_id}-progress.json").write_text(json.dumps(progress_json(data), indent=1))
    if figures:
        for key, fig in figs.items():
            (out / f"{patient_id}-progress-{key}.svg").write_bytes(svg_bytes(fig))
            (out / f"{patient_id}-progress-{key}.png").write_bytes(png_bytes(fig))
    if pdf:
        print_to_pdf(path, path.with_suffix(".pdf"))
    return path


def progress_json(d: ProgressData) -> dict:
    """The weekly numbers as JSON (what the figures and tables show)."""
    return {
        "schema": "hiplevel.progress/1", "patient_id": d.patient_id, "weak_side": d.weak_side,
        "smallest_real_change_deg": d.settings.smallest_real_change_deg,
        "weeks": [{"week": w.week, "start": w.start.date().isoformat(), "sessions": w.n_sessions,
                   "short_rests": w.short_rests, "adherent": w.adherent, "reps": w.n_reps,
                   "clean_ratio": w.clean_ratio, "mean_drop_deg": w.mean_drop_deg, "change_deg": w.change_deg,
                   "real_change": w.real_change, "by_exercise": w.by_exercise} for w in d.weeks],
        "trend": d.trend,
        "level_changes": [{"at": t.isoformat(), "exercise": ex, "from": a, "to": b} for t, ex, a, b in d.level_changes],
    }


def drop_figure(d: ProgressData) -> Figure:
    """Weekly mean drop (deg) per stance leg, one panel per exercise, with the smallest real change."""
    exercises = list(dict.fromkeys(ex for w in d.weeks for ex in w.by_exercise))
    fig = new_figure(10.0, 2.9)
    axes = fig.subplots(1, max(1, len(exercises)), sharey=True, squeeze=False)[0]
    src = d.settings.smallest_real_change_deg
    for ax, ex in zip(axes, exercises):
        for side in SIDES:
            pts = [(w.week, w.by_exercise[ex][side]) for w in d.weeks if ex in w.by_exercise and w.by_exercise[ex][side] is not None]
            if pts:
                x, y = zip(*pts)
                ax.plot(x, y, marker="o" if side == "left" else "s", color=SIDE_COLOUR[side], label=f"{side} stance")
        ax.set_title(ex.replace("-", " "), loc="left")
        ax.set_xlabel("week")
        ax.set_xticks([w.week for w in d.weeks])
        ax.grid(axis="y", color="#e5e5e5")
    axes[0].set_ylabel("mean drop below neutral (°)")
    axes[0].set_ylim(bottom=0)
    # A bar the height of the smallest real change, so a clinician can hold it against the lines.
    x0 = d.weeks[0].week - 0.35
    axes[0].errorbar([x0], [src / 2 + 0.2], yerr=[src / 2], color="#555555", capsize=3, lw=1.2)
    axes[0].annotate(f"{src:.0f}° = smallest\nreal change", (x0, src + 0.3), fontsize=7, color="#555555", ha="left")
    axes[-1].legend(loc="upper right", fontsize=8, frameon=False)
    return fig


def adherence_figure(d: ProgressData) -> Figure:
    """Sessions per week against the 3-4 target, clean-rep share (%) and the exercise level."""
    fig = new_figure(10.0, 2.6)
    a1, a2, a3 = fig.subplots(1, 3)
    st = d.settings
    weeks = [w.week for w in d.weeks]
    a1.axhspan(st.sessions_per_week_min - 0.5, st.sessions_per_week_max + 0.5, color=BAND_COLOUR, alpha=0.35, lw=0,
               label=f"target {st.sessions_per_week_min}–{st.sessions_per_week_max}")
    colours = [CLEAN_COLOUR if w.adherent else FAULT_COLOUR for w in d.weeks]
    a1.bar(weeks, [w.n_sessions for w in d.weeks], color=colours, hatch=["" if w.short_rests == 0 else "///" for w in d.weeks])
    a1.set(xlabel="week", ylabel="sessions (count)", title="Sessions per week", xticks=weeks)
    a1.legend(fontsize=7, frameon=False, loc="upper left")
    cr = [(w.week, 100 * w.clean_ratio) for w in d.weeks if w.clean_ratio is not None]
    if cr:
        a2.plot(*zip(*cr), marker="o", color=OKABE_ITO["green"])
    a2.set(xlabel="week", ylabel="clean reps (%)", title="Reps without compensation", ylim=(0, 105), xticks=weeks)
    t0 = d.sessions[0].started_at
    exercises = list(dict.fromkeys(ex for p in d.sessions for ex in p.levels))
    palette = [OKABE_ITO[k] for k in ("blue", "orange", "purple", "sky", "black")]
    for i, ex in enumerate(exercises):
        lv = [((p.started_at - t0).total_seconds() / 86400, p.levels[ex]) for p in d.sessions if ex in p.levels]
        a3.step(*zip(*lv), where="post", color=palette[i % len(palette)], lw=2, ls=("-", "--", ":")[i % 3],
                label=ex.replace("-", " "))
    if exercises:
        a3.legend(fontsize=7, frameon=False, loc="lower right")
    a3.set(xlabel="days since first session", ylabel="exercise level", title="Level per exercise",
           yticks=[1, 2, 3], ylim=(0.5, 3.5))
    return fig


def _signed(x: float) -> str:
    """+1.2° / -0.4° / 0.0° (no negative zero)."""
    r = round(x, 1)
    return "0.0°" if r == 0 else f"{r:+.1f}°"


def _headline(d: ProgressData) -> str:
    src = d.settings.smallest_real_change_deg
    items = []
    for key, t in sorted(d.trend.items(), key=lambda kv: (kv[1]["side"] != d.weak_side, kv[0])):
        verb = "fell" if t["change_deg"] < 0 else "rose"
        real = (f"<span class=\"{'good' if t['change_deg'] < 0 else 'bad'}\">beyond the {src:.0f}° smallest real change</span>"
                if t["real"] else f"within the {src:.0f}° measurement noise")
        weak = " (weaker side)" if t["side"] == d.weak_side else ""
        items.append(f"<li><b>{escape(t['exercise'].replace('-', ' '))}, <span class=\"{t['side']}\">{t['side']} stance</span>{weak}</b>: "
                     f"mean drop {verb} from {t['first_deg']:.1f}° (week {t['first_week']}) to {t['last_deg']:.1f}° "
                     f"(week {t['last_week']}), {_signed(t['change_deg'])}: {real}.</li>")
    adherent = sum(w.adherent for w in d.weeks)
    items.append(f"<li><b>Adherence</b>: {adherent} of {len(d.weeks)} weeks met {d.settings.sessions_per_week_min}–"
                 f"{d.settings.sessions_per_week_max} sessions with ≥ {d.settings.min_rest_h:.0f} h between them.</li>")
    if d.level_changes:
        items.append("<li><b>Level changes</b>: " + "; ".join(
            f"{escape(ex.replace('-', ' '))} {a} → {b} on {t:%d %b %Y}" for t, ex, a, b in d.level_changes) + ".</li>")
    cr = [w for w in d.weeks if w.clean_ratio is not None]
    if len(cr) >= 2:
        items.insert(-1 if not d.level_changes else -2, f"<li><b>Reps without compensation</b>: {100 * cr[0].clean_ratio:.0f} % in week "
                     f"{cr[0].week}, {100 * cr[-1].clean_ratio:.0f} % in week {cr[-1].week}.</li>")
    return "<ul>" + "".join(items) + "</ul>"


def render_progress(d: ProgressData, figs: dict[str, Figure]) -> str:
    """The progress report's HTML."""
    wk_rows = []
    for w in d.weeks:
        ch = []
        for s in SIDES:
            c = w.change_deg[s]
            ch.append("–" if c is None else _signed(c) + (" (real)" if w.real_change[s] else ""))
        asym = (w.mean_drop_deg["right"] - w.mean_drop_deg["left"]) if None not in w.mean_drop_deg.values() else None
        wk_rows.append([
            w.week, f"{w.start:%d %b}", w.n_sessions,
            H.Raw(f"<span class=\"{'good' if w.adherent else 'bad'}\">{'yes' if w.adherent else 'no'}</span>"
                  + (f" ({w.short_rests} under {d.settings.min_rest_h:.0f} h)" if w.short_rests else "")),
            "–" if w.clean_ratio is None else f"{100 * w.clean_ratio:.0f} %",
            H.fmt(w.mean_drop_deg["left"]), H.fmt(w.mean_drop_deg["right"]),
            "–" if asym is None else f"{abs(asym):.1f}° more on {'right' if asym > 0 else 'left'}", ch[0], ch[1],
        ])
    ss_rows = [[f"{p.started_at:%a %d %b %H:%M}", p.session_id, p.status, ", ".join(e.replace("-", " ") for e in p.exercises),
                ", ".join(f"{ex.replace('-', ' ')} {lv}" for ex, lv in p.levels.items()) or "–", p.n_reps, f"{100 * p.n_clean / p.n_reps:.0f} %" if p.n_reps else "–",
                H.fmt(p.mean_drop_deg["left"]), H.fmt(p.mean_drop_deg["right"]),
                "–" if p.rest_before_h is None else f"{p.rest_before_h:.0f} h"] for p in d.sessions]
    body = [
        "<h2>In short</h2>", _headline(d),
        "<h2>Pelvic drop week by week</h2>",
        H.figure(data_uri(svg_bytes(figs["drops"])), "weekly mean drop per stance leg",
                 "Mean drop below the patient's standing neutral per week, by exercise and stance leg. The grey "
                 "bar is the smallest real change: smaller week-to-week moves are measurement noise."),
        H.table(["Week", "From", "Sessions", "3–4 a week, ≥ 24 h apart", "Clean reps", "Mean drop, left stance",
                 "Mean drop, right stance", "Asymmetry", "Change, left", "Change, right"], wk_rows,
                cls="weeks", numeric=[True, False, True, False, True, True, True, False, True, True]),
        "<h2>Adherence, quality and level</h2>",
        H.figure(data_uri(svg_bytes(figs["adherence"])), "sessions per week, clean reps and level",
                 "Bars: green = within the 3–4 sessions target with ≥ 24 h rests, orange = not; hatched = a rest "
                 "under 24 h."),
        "<h2>Sessions</h2>",
        H.table(["Date (UTC)", "Session", "Status", "Exercises", "Levels", "Reps", "Clean reps", "Mean drop, left stance",
                 "Mean drop, right stance", "Rest before"], ss_rows,
                numeric=[False, False, False, False, False, True, True, True, True, True]),
    ]
    first, last = d.sessions[0].started_at, d.sessions[-1].started_at
    sub = f"{len(d.sessions)} sessions over {len(d.weeks)} weeks · {first:%d %b %Y} – {last:%d %b %Y}"
    foot = (f"hiplevel {__version__}. Drops: degrees below the patient's own standing neutral, by the leg stood on. "
            f"Smallest real change {d.settings.smallest_real_change_deg:.0f}° (Youdas et al. 2007); dose 3–4 "
            "sessions a week, ≥ 24 h apart.")
    return H.page(f"Progress report · patient {d.patient_id}", sub, body, foot)
