"""Figures of the session report: pelvic roll per set with reps, phases and drops, and per-leg
drops against each exercise's own limit and published range."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from hiplevel.report.norms import norm_for
from hiplevel.report.reps import PhaseView, RepView
from hiplevel.report.style import (
    BAND_COLOUR, CLEAN_COLOUR, FAULT_COLOUR, FAULT_EDGE, FAULT_HATCH, NORM_COLOUR, SIDE_COLOUR, SIDE_MARKER,
    new_figure,
)
from hiplevel.scoring.words import exercise_words
from hiplevel.store.records import SetReport

PANEL_HEIGHT_IN = 2.3
FIG_WIDTH_IN = 10.0


def _shade(ax, a: float, b: float, faulted: bool, gid: str) -> None:
    """Shade a rep or phase: green when level, hatched yellow when compensated."""
    if faulted:
        span = ax.axvspan(a, b, facecolor=FAULT_COLOUR, alpha=0.45, edgecolor=FAULT_EDGE, hatch=FAULT_HATCH, lw=0)
    else:
        span = ax.axvspan(a, b, color=CLEAN_COLOUR, alpha=0.13, lw=0)
    span.set_gid(gid)


def _mark_phase(ax, p: PhaseView, gid: str, label: bool) -> None:
    """A marker where the phase's dropped side was lowest: filled and labelled ("L 7.2°") when
    its drop was flagged, hollow when level."""
    if p.dropped_side is None or not np.isfinite(p.peak_roll_deg):
        return
    colour = SIDE_COLOUR[p.dropped_side]
    below = p.dropped_side == "left"
    (m,) = ax.plot(p.peak_t_s, p.peak_roll_deg, marker="v" if below else "^", ms=5.5,
                   color=colour, mfc=colour if p.faulted else "white", mew=0.9, ls="none")
    m.set_gid(gid)
    if label:
        ax.annotate(f"{p.dropped_side[0].upper()} {p.drop_deg:.1f}°", (p.peak_t_s, p.peak_roll_deg),
                    xytext=(0, -9 if below else 9), textcoords="offset points", ha="center",
                    va="top" if below else "bottom", fontsize=7, color=colour, fontweight="bold")


def roll_figure(
    sets: list[SetReport], reps: list[list[RepView]], flag_deg: list[float], gaps: tuple[tuple[float, float], ...]
) -> Figure:
    """One panel per set: neutral-relative roll (deg) against session time (s), the neutral line,
    the set's own limit band (labelled in the panel), reps shaded (green level, hatched yellow
    compensated) and numbered, a marker for every single-support phase (band walk: both phases of
    each step, split by a thin line) on the side that dropped, labelled "L 7.2°" when flagged, lost
    data hatched. SVG ids: `rep-S-N` per rep shading, `phase-S-N-K` per phase marker."""
    fig = new_figure(FIG_WIDTH_IN, 0.7 + PANEL_HEIGHT_IN * len(sets))
    axes = fig.subplots(len(sets), 1, squeeze=False)[:, 0]
    finite = [np.nanmax(np.abs(s.roll_deg)) for s in sets if np.isfinite(s.roll_deg).any()]
    lim = max([*finite, *flag_deg, 4.0]) * 1.35
    prev_end = None
    any_gap = False
    for ax, s, rv, thr in zip(axes, sets, reps, flag_deg):
        t = s.start_s + np.asarray(s.t_s, dtype=float)
        ax.axhspan(-thr, thr, color=BAND_COLOUR, alpha=0.3, lw=0).set_gid(f"limit-band-{s.set_index}")
        for y in (-thr, thr):
            ax.text(0.998, y, f"±{thr:.0f}° ", transform=ax.get_yaxis_transform(), fontsize=6.5, ha="right",
                    va="bottom" if y > 0 else "top", color="#444444")
        ax.axhline(0.0, color="black", lw=0.8, ls=":")
        for r in rv:
            if len(r.phases) > 1:
                for k, p in enumerate(r.phases, start=1):
                    _shade(ax, p.start_s, p.end_s, p.faulted, f"rep-{s.set_index}-{r.number}-{k}")
                for p in r.phases[1:]:
                    ax.axvline(p.start_s, color="#777777", lw=0.5, ls=":")
            else:
                _shade(ax, r.start_s, r.end_s, not r.clean, f"rep-{s.set_index}-{r.number}")
            ax.text((r.start_s + r.end_s) / 2, lim * 0.93, str(r.number), ha="center", va="top", fontsize=7,
                    color="#333333")
        for g0, gd in gaps:
            if g0 + gd >= t[0] and g0 <= t[-1]:
                any_gap = True
                ax.axvspan(g0, g0 + gd, facecolor="none", edgecolor="#666666", hatch="xx", lw=0)
        ax.plot(t, s.roll_deg, color="black", lw=0.9)
        for r in rv:
            for k, p in enumerate(r.phases, start=1):
                _mark_phase(ax, p, f"phase-{s.set_index}-{r.number}-{k}", label=p.faulted)
        ax.set_ylim(-lim, lim)
        ax.set_xlim(t[0], t[-1])
        ax.set_ylabel("roll from neutral (°)")
        ax.text(1.003, 0.97, "right side\nlow ↑", transform=ax.transAxes, va="top", fontsize=7,
                color=SIDE_COLOUR["right"])
        ax.text(1.003, 0.03, "left side\nlow ↓", transform=ax.transAxes, va="bottom", fontsize=7,
                color=SIDE_COLOUR["left"])
        n_bad = sum(1 for r in rv if not r.clean)
        rest = f" · rest before: {t[0] - prev_end:.0f} s" if prev_end is not None else ""
        phases = " (2 phases per step)" if any(len(r.phases) > 1 for r in rv) else ""
        ax.set_title(f"Set {s.set_index} · {exercise_words(s.exercise)} · limit ±{thr:.0f}° (grey band) · "
                     f"{len(rv)} reps{phases}, {n_bad} compensated · {t[0]:.0f}–{t[-1]:.0f} s{rest}", loc="left")
        prev_end = t[-1]
    axes[-1].set_xlabel("session time (s)")
    handles = [
        Line2D([], [], color="black", lw=0.9), Line2D([], [], color="black", lw=0.8, ls=":"),
        Patch(facecolor=CLEAN_COLOUR, alpha=0.25, lw=0),
        Patch(facecolor=FAULT_COLOUR, alpha=0.45, edgecolor=FAULT_EDGE, hatch=FAULT_HATCH, lw=0),
        Line2D([], [], marker="v", color=SIDE_COLOUR["left"], ls="none"),
        Line2D([], [], marker="^", color=SIDE_COLOUR["right"], ls="none"),
        Line2D([], [], marker="v", color="#555555", mfc="white", ls="none"),
    ]
    labels = ["pelvic roll", "neutral (own standing)", "level rep / phase", "compensated rep / phase (hatched)",
              "left side dropped", "right side dropped", "within the limit (hollow)"]
    if any_gap:
        handles.append(Patch(facecolor="none", edgecolor="#666666", hatch="xx", lw=0))
        labels.append("no data (link lost)")
    fig.legend(handles, labels, loc="outside upper right", ncol=4, fontsize=7, frameon=False)
    return fig


def side_figure(set_exercises: list[str], reps: list[list[RepView]], flag_deg: list[float]) -> Figure:
    """Drop (deg) of every single-support phase by exercise and stance leg, with each group's mean,
    the exercise's own limit (grey band up to it, dashed line at it) and the published range of
    healthy people (blue bar). set_exercises[i] / flag_deg[i] belong to the set whose reps are reps[i]."""
    unique = list(dict.fromkeys(set_exercises))
    limit = {ex: max(f for e, f in zip(set_exercises, flag_deg) if e == ex) for ex in unique}
    groups = [(ex, side) for ex in unique for side in ("left", "right")]
    fig = new_figure(FIG_WIDTH_IN * 0.68, 0.9 + 0.36 * len(groups))
    ax = fig.subplots()
    rng = np.random.default_rng(0)  # fixed jitter: the same report twice looks the same
    for y, (ex, side) in enumerate(groups):
        if side == "left":
            norm = norm_for(ex)
            ax.fill_betweenx([y - 0.45, y + 1.45], 0, limit[ex], color=BAND_COLOUR, alpha=0.3, lw=0)
            ax.plot([limit[ex]] * 2, [y - 0.45, y + 1.45], color="black", lw=1.0, ls="--")
            ax.text(limit[ex], y - 0.45, f"limit {limit[ex]:.0f}° ", fontsize=7, va="top", ha="right")
            ax.fill_betweenx([y + 0.42, y + 0.58], norm.lo_deg, norm.hi_deg, color=NORM_COLOUR, lw=0)
            ax.text(norm.hi_deg, y + 0.5, f" {norm.label}", fontsize=6, va="center", color="#1f5f85")
        d = np.array([p.drop_deg for rv, e in zip(reps, set_exercises) if e == ex for r in rv for p in r.phases
                      if p.stance_side == side])
        if len(d):
            ax.scatter(d, y + rng.uniform(-0.15, 0.15, len(d)), s=14, color=SIDE_COLOUR[side], alpha=0.75, lw=0,
                       marker=SIDE_MARKER[side])
            ax.plot([d.mean()] * 2, [y - 0.3, y + 0.3], color="black", lw=1.6)
            ax.text(max(d.max(), limit[ex]), y, f"  mean {d.mean():.1f}°", va="center", fontsize=7)
    ax.set_yticks(range(len(groups)), [f"{exercise_words(ex)}: {side} stance" for ex, side in groups])
    ax.invert_yaxis()
    ax.set_xlim(left=min(0.0, ax.get_xlim()[0]))
    ax.set_xlabel("drop of the unsupported side below neutral (°)")
    fig.legend([Patch(color=BAND_COLOUR, alpha=0.4), Line2D([], [], color="black", ls="--"),
               Patch(color=NORM_COLOUR), Line2D([], [], color="black", lw=1.6)],
              ["within the exercise's limit", "limit (flag beyond)", "published range, healthy", "mean"],
              loc="outside lower center", ncol=4, fontsize=7, frameon=False)
    return fig
