"""Figures of the session report: pelvic roll per set with reps and drops, and per-side drops."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from hiplevel.report.reps import RepView
from hiplevel.report.style import BAND_COLOUR, CLEAN_COLOUR, FAULT_COLOUR, SIDE_COLOUR, new_figure
from hiplevel.store.records import SetReport

PANEL_HEIGHT_IN = 2.3
FIG_WIDTH_IN = 10.0


def roll_figure(
    sets: list[SetReport], reps: list[list[RepView]], flag_deg: list[float], gaps: tuple[tuple[float, float], ...]
) -> Figure:
    """One panel per set: neutral-relative roll (deg) against session time (s), the neutral line,
    the threshold band, reps shaded (green clean, orange compensated) and numbered, each drop
    marked on the side that dropped ("L 7.2°" below the line, "R 6.1°" above), lost data hatched."""
    fig = new_figure(FIG_WIDTH_IN, 0.6 + PANEL_HEIGHT_IN * len(sets))
    axes = fig.subplots(len(sets), 1, squeeze=False)[:, 0]
    finite = [np.nanmax(np.abs(s.roll_deg)) for s in sets if np.isfinite(s.roll_deg).any()]
    lim = max([*finite, *flag_deg, 4.0]) * 1.35
    prev_end = None
    for ax, s, rv, thr in zip(axes, sets, reps, flag_deg):
        t = s.start_s + np.asarray(s.t_s, dtype=float)
        ax.axhspan(-thr, thr, color=BAND_COLOUR, alpha=0.25, lw=0, label=f"within ±{thr:.0f}° of neutral")
        ax.axhline(0.0, color="black", lw=0.8, ls="--", label="neutral (own standing)")
        for r in rv:
            ax.axvspan(r.start_s, r.end_s, color=CLEAN_COLOUR if r.clean else FAULT_COLOUR,
                       alpha=0.13 if r.clean else 0.3, lw=0)
            ax.text((r.start_s + r.end_s) / 2, lim * 0.93, str(r.number), ha="center", va="top", fontsize=7,
                    color="#333333")
        for g0, gd in gaps:
            if g0 + gd >= t[0] and g0 <= t[-1]:
                ax.axvspan(g0, g0 + gd, facecolor="none", edgecolor="#666666", hatch="////", lw=0,
                           label="no data (link lost)")
        ax.plot(t, s.roll_deg, color="black", lw=0.9, label="pelvic roll")
        for r in rv:
            if not r.clean and np.isfinite(r.peak_roll_deg):
                below = r.dropped_side == "left"
                ax.plot(r.peak_t_s, r.peak_roll_deg, marker="v" if below else "^", ms=5,
                        color=SIDE_COLOUR[r.dropped_side])
                ax.annotate(f"{r.dropped_side[0].upper()} {r.drop_deg:.1f}°", (r.peak_t_s, r.peak_roll_deg),
                            xytext=(0, -9 if below else 9), textcoords="offset points", ha="center",
                            va="top" if below else "bottom", fontsize=7, color=SIDE_COLOUR[r.dropped_side],
                            fontweight="bold")
        ax.set_ylim(-lim, lim)
        ax.set_xlim(t[0], t[-1])
        ax.set_ylabel("roll from neutral (°)")
        ax.text(1.003, 0.97, "right side\nlow ↑", transform=ax.transAxes, va="top", fontsize=7,
                color=SIDE_COLOUR["right"])
        ax.text(1.003, 0.03, "left side\nlow ↓", transform=ax.transAxes, va="bottom", fontsize=7,
                color=SIDE_COLOUR["left"])
        n_bad = sum(1 for r in rv if not r.clean)
        rest = f" · rest before: {t[0] - prev_end:.0f} s" if prev_end is not None else ""
        ax.set_title(f"Set {s.set_index} · {s.exercise.replace('-', ' ')} · {len(rv)} reps, "
                     f"{n_bad} compensated · {t[0]:.0f}–{t[-1]:.0f} s{rest}", loc="left")
        prev_end = t[-1]
    axes[-1].set_xlabel("session time (s)")
    uniq: dict = {}
    for ax in axes:
        for h, lab in zip(*ax.get_legend_handles_labels()):
            uniq.setdefault(lab, h)
    fig.legend(uniq.values(), uniq.keys(), loc="outside upper right", ncol=4, fontsize=7, frameon=False)
    return fig


def side_figure(set_exercises: list[str], reps: list[list[RepView]], flag_deg: float) -> Figure:
    """Drop (deg) of every rep by exercise and stance leg, with each group's mean and the threshold.
    set_exercises[i] is the exercise of the set whose reps are reps[i]."""
    unique = list(dict.fromkeys(set_exercises))
    groups = [(ex, side) for ex in unique for side in ("left", "right")]
    fig = new_figure(FIG_WIDTH_IN * 0.62, 0.7 + 0.32 * len(groups))
    ax = fig.subplots()
    rng = np.random.default_rng(0)  # fixed jitter: the same report twice looks the same
    for y, (ex, side) in enumerate(groups):
        d = np.array([r.drop_deg for rv, e in zip(reps, set_exercises) if e == ex for r in rv if r.stance_side == side])
        if len(d):
            ax.scatter(d, y + rng.uniform(-0.15, 0.15, len(d)), s=12, color=SIDE_COLOUR[side], alpha=0.7, lw=0)
            ax.plot([d.mean()] * 2, [y - 0.3, y + 0.3], color="black", lw=1.6)
            ax.text(d.max(), y, f"  mean {d.mean():.1f}°", va="center", fontsize=7)
    ax.axvline(flag_deg, color=FAULT_COLOUR, lw=1.2, ls="--", label=f"threshold {flag_deg:.0f}°")
    ax.set_yticks(range(len(groups)), [f"{ex.replace('-', ' ')}: {side} stance" for ex, side in groups])
    ax.invert_yaxis()
    ax.set_xlabel("pelvic drop below neutral (°)")
    ax.legend(loc="best", fontsize=7, frameon=True)
    return fig
