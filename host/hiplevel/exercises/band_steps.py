"""A band walk's moves grouped into lateral steps (`band_walk.BandWalkDetector`, its parameters
documented there): counter-shifts joined to the move they precede, same-direction moves into runs,
a run's settling and slow ends dropped, and each run cut into one step per move or one per two
moves (lead, then trail: `two_moves_per_step`, `lead_parity`); a lone move is no step
(`LoneMove`) unless lone moves follow one another the same way (`_paused_steps`); heavy leads
with a pause after each step keep their trails (`_paused_heavy_leads`). Each rule takes the
detector (p) for its parameters."""

from __future__ import annotations

import math
from bisect import bisect_left
from dataclasses import dataclass
from itertools import islice, takewhile
from typing import TYPE_CHECKING, Callable, TypeVar

import numpy as np

from hiplevel.exercises.band_moves import edge_gap, half_height_n, size_m, upward_acc_g
from hiplevel.exercises.base import Hump, Motion
from hiplevel.exercises.lateral_steps import alternation, rhythm_vote, size_vote
from hiplevel.signal.exact_median import median
from hiplevel.signal.filters import zero_phase_lowpass

if TYPE_CHECKING:
    from hiplevel.exercises.band_walk import BandWalkDetector

# The step rhythm is read on the roll and the vertical acceleration below this.
RHYTHM_LOWPASS_HZ = 3.0
# A move at either end of a run lasting this many times the run's typical move (and smaller) is
# drift settling into or out of the hinge, not a leg move (leg moves of a run keep its rhythm).
SLOW_END_RATIO = 2.5
# A trailing move is kept down to this fraction of min_move_m (a 10 cm step with a 90 % lead leaves
# a 1 cm trail; the velocity's jitter at the halt between two steps integrates to a few mm).
TRAIL_MIN_FRACTION = 0.5
# A run of two moves is a lead-then-trail step with a pause on either side; its median move is the
# mean of the two, half the step, and a trail of the human range's heaviest lead (90 %) is 0.2 of it,
# below run_ratio (the physics check's 88 % leads with 1.4 s pauses: 0.205-0.31, and every such
# step lost its trail swing). Settling humps under run_ratio came in long runs only (11-15 moves:
# 0.10-0.20 of their median; the structure there, `_between_moves`, keeps trails). This keeps
# trails down to 5 % of the step, half the human range's least.
PAIR_RUN_RATIO = 0.1
# A run's move under this fraction of the move before it is a heavy lead's trail (`_heavy_leads`;
# move-to-move size ratios, 5th-95th percentile, hiplevel.sim 0.6-2 s steps: lead share 0.8
# 0.10-0.27, 0.75 0.15-0.35, 0.6 0.47-0.72, one-move and counter-shift steps 0.82-0.99; 0.7,
# 0.23-0.46, is right either way). Such a run has a trail after at least HEAVY_TRAIL_SHARE of its
# leads, and leads of one size (each at least LEAD_SPREAD of their median: a trail at 0.4-0.5 of
# its lead taken for a lead fails it, and the run goes to the rhythm votes).
HEAVY_TRAIL_RATIO = 0.4
HEAVY_TRAIL_SHARE = 0.5
LEAD_SPREAD = 0.5
# Below these pattern spreads (RMS) the roll / vertical acceleration carry no step rhythm.
RHYTHM_ROLL_NOISE_DEG = 0.15
RHYTHM_VERT_NOISE_G = 0.003

_T = TypeVar("_T")


@dataclass(frozen=True)
class LateralStep:
    """One lateral step: the counter-shift that starts it (or None), its first (lead) move, and
    its trailing move (None for a one-move step). Sample indices of the motion."""

    counter: Hump | None
    first: Hump
    trail: Hump | None

    @property
    def last(self) -> Hump:
        """The step's last move: the trailing move, or the first for a one-move step."""
        return self.trail if self.trail is not None else self.first

    @property
    def start(self) -> int:
        """First sample: the counter-shift's onset, or the first move's."""
        return (self.counter or self.first).onset

    @property
    def end(self) -> int:
        """Last sample: the last move's offset."""
        return self.last.offset


@dataclass(frozen=True)
class LoneMove:
    """A lone move of at least min_step_m: a weight shift or a shuffle of the feet, no step (one
    the other way than the last step ends a bout)."""

    move: Hump


@dataclass(frozen=True)
class _Run:
    """A run of moves the same way, cleaned of its settling: its vote (`two_moves_per_step`; None: too
    short or small to vote), its heavy-lead steps (`_heavy_leads`: [(lead, trail or None)]; None:
    none) and, for a lone move, the trail found after it (`_lost_trails`; else None)."""

    moves: list[Hump]
    vote: float | None
    heavy: list[tuple[Hump, Hump | None]] | None
    lost_trail: Hump | None


def steps(p: BandWalkDetector, m: Motion, v: np.ndarray, found: list[Hump]) -> list[LateralStep | LoneMove]:
    """Lateral steps of motion m with lateral velocity v (m/s) and its moves found (`find_moves`),
    and each lone move of at least min_step_m, in time order."""
    rate = m.rate_hz
    humps = [h for h in found if float(np.max(m.pitch_deg[h.onset : h.offset + 1])) <= p.max_pitch_deg]
    size = {h: size_m(h, v, rate) for h in humps}
    # A small move between two leads the same way (each larger and at least min_move_m) is
    # a trailing leg's move (a lead that carries 85-90 % of the step leaves the
    # trail 1-4 cm), not sway: kept below min_move_m.
    leg_moves = [h for k, h in enumerate(humps) if size[h] >= p.min_move_m
                 or (size[h] >= TRAIL_MIN_FRACTION * p.min_move_m
                     and _between_moves(humps, k, size, p.max_pause_s * rate, max(p.min_move_m, size[h])))]
    counters, kept = _counter_shifts(p, leg_moves, v, rate)
    runs = _judged_runs(p, m, v, kept, counters, humps, size)
    paused = _paused_steps(p, runs, counters, size, rate)
    series = _paused_heavy_leads(p, runs, counters, humps, size, rate)

    def step(lead: Hump, trail: Hump | None = None) -> LateralStep:
        return LateralStep(counters.get(lead), lead, trail)

    out: list[LateralStep | LoneMove] = []
    for k, run in enumerate(runs):
        moves = run.moves
        if k in series:  # heavy leads with a pause after each step: one step per lead, with its trail
            out += [step(lead, trail) for lead, trail in series[k]]
        elif k in paused:  # one move per step, the person standing still between steps
            out.append(step(moves[0]))
        elif run.vote is None:
            # A lone move (a weight shift, a shuffle of the feet) or sway: no step (a big one may end a bout).
            out += [LoneMove(h) for h in moves if len(moves) == 1 and size[h] >= p.min_step_m]
        elif run.heavy is not None:  # one step per lead, with its trail where one was found
            out += [step(lead, trail) for lead, trail in run.heavy]
        elif run.vote <= 0.0:
            out += [step(h) for h in moves]
        else:  # lead then trail, from the lead's parity on
            out += [step(moves[i], moves[i + 1] if i + 1 < len(moves) else None)
                    for i in range(lead_parity(p, moves, v, rate), len(moves), 2)]
    return out


def _judged_runs(p: BandWalkDetector, m: Motion, v: np.ndarray, kept: list[Hump], counters: dict[Hump, Hump],
                 humps: list[Hump], size: dict[Hump, float]) -> list[_Run]:
    """The kept moves' runs (`_runs`; counters: the counter-shift before a move, size: m by hump,
    v: m/s), cleaned (`_cleaned`) and judged (`_Run`). A heavy lead's trail parted from the next lead
    by the velocity settling the other way in the pause (0.5-1.3 cm after quick 12-16 cm leads) was
    no move, and with pauses of about max_pause_s each step, its leads alone, lost its trailing
    swing (and drop): runs joined through such trails (`_lost_trails`) are taken where they are
    heavy-lead runs (`_heavy_or_parts`)."""
    pause = p.max_pause_s * m.rate_hz
    runs = _runs(kept, counters, pause)
    trail_of = _lost_trails(p, kept, counters, humps, size, pause)
    if trail_of:
        joined = _runs(sorted([*kept, *trail_of.values()], key=lambda h: h.onset), counters, pause)
        runs = _heavy_or_parts(joined, runs, humps, size, pause)
    cleaned = [run for run in (_cleaned(p, run, size, pause) for run in runs) if run]
    return [_Run(run, two_moves_per_step(p, m, v, run) if len(run) >= 2 and sum(size[h] for h in run) >= p.min_run_m
                 else None, _heavy_leads(run, humps, size, pause), trail_of.get(run[0]) if len(run) == 1 else None)
            for run in cleaned]


def two_moves_per_step(p: BandWalkDetector, m: Motion, v: np.ndarray, run: list[Hump]) -> float:
    """Evidence (> 0: two moves per step, lead then trail; <= 0: one move per step) from the
    step rhythm of the roll and the height and from alternating move sizes (`lateral_steps`)."""
    rate = m.rate_hz
    centres = [h.peak for h in run]
    half = int(0.5 * float(median(np.diff(centres))))
    roll = zero_phase_lowpass(m.roll_deg, RHYTHM_LOWPASS_HZ, rate)
    vert = upward_acc_g(m, RHYTHM_LOWPASS_HZ)
    return (rhythm_vote(roll, centres, half, RHYTHM_ROLL_NOISE_DEG)
            + rhythm_vote(vert, centres, half, RHYTHM_VERT_NOISE_G)
            + size_vote([size_m(h, v, rate) for h in run], p.pair_log_ratio))


def lead_parity(p: BandWalkDetector, run: list[Hump], v: np.ndarray, rate_hz: float) -> int:
    """0 when the run's even moves are the leads (the usual case), 1 when the odd ones are."""
    evidence = alternation([size_m(h, v, rate_hz) for h in run]) if len(run) >= 2 else 0.0
    # A run starts with a lead: overturn that only on clear evidence of the sizes.
    return 1 if evidence < -math.log(p.parity_margin) else 0


def _counter_shifts(p: BandWalkDetector, moves: list[Hump], v: np.ndarray,
                    rate_hz: float) -> tuple[dict[Hump, Hump], list[Hump]]:
    """({a move: the counter-shift before it}, the other moves): a small opposite move
    right before a move (ending within counter_gap_s, under counter_ratio of its size, lasting at
    most counter_max_s or, in a slow step, counter_time_ratio times as long) belongs to that move's
    step; one that is the velocity drifting back through a pause (`_pause_drift`) is neither."""
    counters: dict[Hump, Hump] = {}
    kept: list[Hump] = []
    gap = p.counter_gap_s * rate_hz
    for k, h in enumerate(moves):
        nxt = moves[k + 1] if k + 1 < len(moves) else None
        if (nxt is not None and nxt.sign != h.sign and edge_gap(h, nxt) <= gap
                and h.offset - h.onset <= max(p.counter_max_s * rate_hz, p.counter_time_ratio * (nxt.offset - nxt.onset))
                and size_m(h, v, rate_hz) < p.counter_ratio * size_m(nxt, v, rate_hz)):
            if not _pause_drift(p, moves[k - 1] if k > 0 else None, h, nxt, v, p.max_pause_s * rate_hz):
                counters[nxt] = h
        else:
            kept.append(h)
    return counters, kept


def _pause_drift(p: BandWalkDetector, prev: Hump | None, h: Hump, nxt: Hump, v: np.ndarray, pause_n: float) -> bool:
    """True when h, a counter-shift candidate before move nxt, is the velocity drifting back through
    a pause between two steps one way (prev: the move before h, or None; v: m/s): prev goes nxt's
    way and ends within pause_n samples (max_pause_s) of h, and h lasts longer than
    counter_time_ratio times nxt at half height (`band_moves.half_height_n`). A counter-shift is a
    brief push before its move; the drift after a quick heavy lead spans the pause. Flank to flank
    a counter-shift right after the last step's move took in that move's slow tail (0.29-0.91 of
    its move, 95th percentile 0.77; the drift 1.27-2.19: 9 % margin); at half height 0.31-0.77
    (95th percentile 0.64; hiplevel.sim counter-shift steps, counter_m 3-9 cm, 0.6-1.4 s steps,
    pauses 0 / 0.5 s, 20 cm and drawn steps, seeds 1-2: 643 candidates, the largest at 0.6 s
    steps, 0.62 at 0.8 s), the drift 1.25-3.33 (lead share 0.7-0.8, 0.6-0.8 s steps, 0.3-1 s
    pauses, seeds 7, 9-11: all at 0.6 s steps). It is no move: kept, it would part the run. At a
    turn (prev the other way) the velocity settling after the last run is taken up by the
    absolute limit, counter_max_s."""
    return (prev is not None and prev.sign == nxt.sign and edge_gap(prev, h) <= pause_n
            and half_height_n(h, v) > p.counter_time_ratio * half_height_n(nxt, v))


def _paused_steps(p: BandWalkDetector, runs: list[_Run], counters: dict[Hump, Hump], size: dict[Hump, float],
                  rate_hz: float) -> set[int]:
    """Indices of the runs that are one-move steps with a pause on either side: a lone move of at
    least min_run_m next to a run of one-move steps the same way (another such lone move, or a run
    of moves whose vote says one move per step), the later starting (with its counter-shift) within
    max_step_gap_s of the earlier's end. A person who stops between steps (step, stand, step: one
    move per step, or a counter-shift and one move) makes every run a lone move; a slow one-move
    walker (2-2.5 s steps) halts between steps for about max_pause_s (measured flank to flank
    0.6-1.3 s: the slow tails of the speed look still), so a run of steps breaks into runs of one
    to five moves, and its lone pieces, most often its first and last step, were lost. The bout
    rules (`band_bouts.in_bouts`: min_bout_steps one way, a steady rhythm, one posture) then decide,
    as for any step. Weight shifts and stepping about go back and forth, not one way; a lone move
    next to a run of lead-then-trail moves is no step (it may be a trail)."""
    gap = p.max_step_gap_s * rate_hz
    lone = [len(r.moves) == 1 and size[r.moves[0]] >= p.min_run_m for r in runs]
    one_move = [lone[k] or (r.vote is not None and r.vote <= 0.0) for k, r in enumerate(runs)]
    out: set[int] = set()
    for k in range(1, len(runs)):
        if (one_move[k - 1] and one_move[k] and (lone[k - 1] or lone[k])
                and _follows(runs[k - 1].moves[-1], runs[k].moves[0], counters, gap)):
            out |= {j for j in (k - 1, k) if lone[j]}
    return out


def _paused_heavy_leads(p: BandWalkDetector, runs: list[_Run], counters: dict[Hump, Hump], humps: list[Hump],
                        size: dict[Hump, float], rate_hz: float) -> dict[int, list[tuple[Hump, Hump | None]]]:
    """{index of a run: its [(lead, trail or None)]} for the runs of a series of heavy-lead steps
    with a pause after each: consecutive runs of one or two moves the same way, each starting (with
    its counter-shift) within max_step_gap_s of the one before, whose moves, with the trail found
    after each lone lead (`_Run.lost_trail`), make a heavy-lead run (`_heavy_leads`). A pause
    longer than max_pause_s parts every step into a run of its own, and a quick heavy lead's trail
    (1.1-2.1 cm after 0.6 s steps of 20 cm with 80 % leads) is under min_move_m, not between two
    leads within max_pause_s, so dropped: the lead stood alone, a one-move step (`_paused_steps`),
    and its trailing swing (and that side's drop) was read within the lead. One-move and counter-shift steps with pauses of 1.5-2.5 s leave no hump their way
    after the move (hiplevel.sim 0.6-2 s steps, seeds 1-2: 0 of 480 moves); lead-then-trail steps
    with a 70-80 % lead leave one after every lead (0.09-0.38 of it, 240 leads, 0.6-1.4 s steps)."""
    gap = p.max_step_gap_s * rate_hz
    out: dict[int, list[tuple[Hump, Hump | None]]] = {}
    for series in _chains(list(range(len(runs))), lambda i, j: len(runs[i].moves) <= 2 and len(runs[j].moves) <= 2
                          and _follows(runs[i].moves[-1], runs[j].moves[0], counters, gap)):
        if len(series) < 2:
            continue
        owner = {h: i for i in series for h in (runs[i].moves if runs[i].lost_trail is None
                                                else [runs[i].moves[0], runs[i].lost_trail])}
        moves = sorted((h for h in humps if h in owner), key=lambda h: h.onset)
        for lead, trail in _heavy_leads(moves, humps, size, p.max_pause_s * rate_hz) or []:
            out.setdefault(owner[lead], []).append((lead, trail))
    return out


def _cleaned(p: BandWalkDetector, run: list[Hump], size: dict[Hump, float], pause_n: float) -> list[Hump]:
    """The run (size: m by hump, pause_n: samples) less its settling: each move under run_ratio
    (PAIR_RUN_RATIO in a run of two) of its median move but a trailing move between two larger leads
    (`_between_moves`, down to TRAIL_MIN_FRACTION of min_move_m), and its slow ends (`_without_slow_ends`)."""
    typical = float(median([size[h] for h in run]))
    least = (p.run_ratio if len(run) != 2 else PAIR_RUN_RATIO) * typical
    kept = [h for k, h in enumerate(run) if size[h] >= least
            or (size[h] >= TRAIL_MIN_FRACTION * p.min_move_m and _between_moves(run, k, size, pause_n, size[h]))]
    return _without_slow_ends(kept, size)


def _without_slow_ends(run: list[Hump], size: dict[Hump, float]) -> list[Hump]:
    """The run less a first or last move that is smaller than its typical move and lasts over
    SLOW_END_RATIO times its typical move: the slow drift of settling into (or out of) the hinge
    next to a run of leg moves, not a leg move (it would shift the lead/trail pairing)."""
    if len(run) < 3:
        return run
    dur = float(median([h.offset - h.onset for h in run]))
    typical = float(median([size[h] for h in run]))
    slow = [h for h in (run[0], run[-1]) if h.offset - h.onset > SLOW_END_RATIO * dur and size[h] < typical]
    return [h for h in run if not any(h is x for x in slow)]


def _follows(a: Hump, b: Hump, counters: dict[Hump, Hump], gap_n: float) -> bool:
    """True when move b goes a's way, starting (with its counter-shift) within gap_n samples of a's end."""
    return a.sign == b.sign and edge_gap(a, counters.get(b, b)) <= gap_n


def _chains(items: list[_T], joins: Callable[[_T, _T], bool]) -> list[list[_T]]:
    """items (time order) cut where one does not join the one before (joins(before, item))."""
    out: list[list[_T]] = []
    for x in items:
        if out and joins(out[-1][-1], x):
            out[-1].append(x)
        else:
            out.append([x])
    return out


def _runs(moves: list[Hump], counters: dict[Hump, Hump], pause_n: float) -> list[list[Hump]]:
    """moves (time order) in runs the same way, each move starting (with its counter-shift, from
    counters) within pause_n samples of the end of the one before."""
    return _chains(moves, lambda a, b: _follows(a, b, counters, pause_n))


def _lost_trails(p: BandWalkDetector, kept: list[Hump], counters: dict[Hump, Hump], humps: list[Hump],
                 size: dict[Hump, float], pause_n: float) -> dict[Hump, Hump]:
    """{lead: its trail} for each kept move of at least min_move_m with a trail before the next kept
    move (`_trail_after`, down to TRAIL_MIN_FRACTION of min_move_m; no counter-shift): trails lost."""
    floor = TRAIL_MIN_FRACTION * p.min_move_m
    shifts = set(counters.values())
    found = {h: _trail_after(h, until, humps, size, pause_n, floor)
             for h, until in zip(kept, [h.onset for h in kept[1:]] + [None]) if size[h] >= p.min_move_m}
    return {h: t for h, t in found.items() if t is not None and t not in shifts}


def _heavy_or_parts(joined: list[list[Hump]], runs: list[list[Hump]], humps: list[Hump], size: dict[Hump, float],
                    pause_n: float) -> list[list[Hump]]:
    """Each run of joined (runs with trails added, each holding whole runs of runs) that is a
    heavy-lead run (`_heavy_leads`), else the runs it holds."""
    out: list[list[Hump]] = []
    k = 0
    for run in joined:
        held = set(run)
        parts = list(takewhile(lambda r: r[0] in held, islice(runs, k, None)))
        k += len(parts)
        out += [run] if _heavy_leads(run, humps, size, pause_n) is not None else parts
    return out


def _trail_after(lead: Hump, until: int | None, humps: list[Hump], size: dict[Hump, float], pause_n: float,
                 least_m: float) -> Hump | None:
    """The first hump lead's way (humps in time order, size: m by hump) of at least least_m and under
    HEAVY_TRAIL_RATIO of lead, starting after lead and before sample until (None: no bound),
    within pause_n samples of it: its trail, if lead is a heavy lead."""
    end = lead.offset + pause_n if until is None else until - 1
    after = islice(humps, bisect_left(humps, lead.offset, key=lambda h: h.onset), None)
    return next((h for h in takewhile(lambda h: h.onset <= end, after) if h.sign == lead.sign
                 and edge_gap(lead, h) <= pause_n and least_m <= size[h] < HEAVY_TRAIL_RATIO * size[lead]),
                None)


def _heavy_leads(run: list[Hump], humps: list[Hump], size: dict[Hump, float],
                 pause_n: float) -> list[tuple[Hump, Hump | None]] | None:
    """[(lead, its trail or None)] when run is lead-then-trail steps whose lead carries most of the
    step, else None. humps: all the motion's humps in time order (size: m by hump), pause_n: samples.
    A trail is a move of the run under HEAVY_TRAIL_RATIO of the move before it (that one a lead),
    or, for a lead the run has no trail after, the first hump its way under that ratio starting
    after it, before the run's next move and within pause_n of it (a trail under the trail floor,
    or parted from its leads by the velocity settling the other way: `_between_moves` did not keep
    it). Such a run has at least two trails of its own, trails after at least HEAVY_TRAIL_SHARE of
    its leads, and leads of one size (each at least LEAD_SPREAD of their median). A lost trail
    then costs its step nothing, where pairing the run's moves two by two slipped at each one, and
    the rhythm votes (`two_moves_per_step`), their patterns slipping likewise, turned."""
    if len(run) < 3:
        return None
    trail = [False] * len(run)
    for k in range(1, len(run)):
        trail[k] = not trail[k - 1] and size[run[k]] < HEAVY_TRAIL_RATIO * size[run[k - 1]]
    leads = [k for k in range(len(run)) if not trail[k]]
    typical = float(median([size[run[k]] for k in leads]))
    if sum(trail) < 2 or any(size[run[k]] < LEAD_SPREAD * typical for k in leads):
        return None
    out = [(run[k], run[k + 1] if k + 1 < len(run) and trail[k + 1]
            else _trail_after(run[k], run[k + 1].onset if k + 1 < len(run) else None, humps, size, pause_n, 0.0))
           for k in leads]
    if sum(t is not None for _, t in out) < HEAVY_TRAIL_SHARE * len(out):
        return None
    return out


def _between_moves(moves: list[Hump], k: int, size: dict[Hump, float], pause_n: float, least_m: float) -> bool:
    """True when moves[k] is a trailing move: it lies between two moves the same way, each within
    pause_n samples of it and at least least_m long (the leads around it), or it ends a series of
    alternating moves (after a lead at least least_m long that follows a smaller trailing move)."""
    if k == 0:
        return False
    a, h = moves[k - 1], moves[k]
    if not (a.sign == h.sign and edge_gap(a, h) <= pause_n and size[a] >= least_m):
        return False
    b = moves[k + 1] if k + 1 < len(moves) else None
    if b is not None and b.sign == h.sign and edge_gap(h, b) <= pause_n:
        return size[b] >= least_m
    c = moves[k - 2] if k >= 2 else None  # the last move of a run: the one before its lead a trail too
    return (c is not None and c.sign == h.sign and edge_gap(c, a) <= pause_n
            and size[c] <= size[a])
