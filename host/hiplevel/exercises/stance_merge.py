"""How the single-leg stance detector's holds are combined (`single_leg_stance.SingleLegStanceDetector`):
the velocity path's holds split in two by a wander joined (`join_split_holds`), and the edge path's
holds put in where the velocity path's are missing or doubtful (`merge_edge_holds`); which of two
shifts back ends a hold whose first one brought no foot down (`foot_stayed_up`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Callable

from hiplevel.exercises.base import Hump, RepWindow
from hiplevel.exercises.single_support import (SupportCues, SupportSignals, ramp_vote, reference_sway, standing_spans,
                                                steady_rms)

# A foot-off or foot-down vote under this is no edge (`single_support.SupportCues.votes` places the
# foot's moment only from it on).
EDGE_VOTE = 0.5
# The foot stayed up between two shifts back if this percentile of the 1 s windows between still
# sways as one foot does (`foot_stayed_up`).
STAYED_UP_PERCENTILE = 10.0
# A velocity hold with no foot-off (foot-down) vote started (ended) late if the edge hold of its
# stretch has that vote and starts (ends) more than this before (after) it (`merge_edge_holds`).
# Without the vote the velocity hold starts where its shift in ends, and the foot leaves at most
# `single_support.SupportCues.edge_s` (0.5 s) before that (lift lag -0.3 s in people, -0.5 s swept):
# a foot-off placed earlier than that says the shift in ran on past it (a wander, or the lift's
# drift, merged into it). Not more: a 5 s hold's time is off by 20 % at a 1 s lead.
EDGE_LEAD_S = 0.5
# A velocity-path hold whose stretch's edge hold, on the other leg, has two of its three side cues
# for it (`stance_side.SideCues`): two cues each way.
SPLIT_CONFIDENCE = 0.5


def overlap(a: tuple[int, int], b: tuple[int, int]) -> int:
    """How many samples spans a and b ([start, end)) share."""
    return max(0, min(a[1], b[1]) - max(a[0], b[0]))


def over(a: tuple[int, int], b: tuple[int, int]) -> bool:
    """Whether spans a and b ([start, end), samples) share a sample (`overlap`): an empty span
    overlaps nothing, even inside another (the two tests disagreed there before)."""
    return overlap(a, b) > 0


def foot_stayed_up(sig: SupportSignals, rate_hz: float, back: Hump, later: Hump, reference_s: float,
                   cues: SupportCues) -> bool:
    """Whether the foot stayed up from shift back `back` to a `later` one (samples of `sig`): the
    sway between them votes for one foot (`SupportCues.sway_ratio`, vote >= EDGE_VOTE; roll rate or
    sideways) against the standing after `later` (its reference_s, as `single_support.reference_sway`),
    in its quieter 1 s windows too (STAYED_UP_PERCENTILE: standing on both feet anywhere between,
    as around a hold passed over, pulls them down to standing's). The sway falls where the foot
    comes down: at `later` after a balance wander on one foot taken for the shift back, at `back`
    when that was the real one and `later` belongs to a hold after it (simulator, 10 s holds:
    wanders 1.2-14x, the ones no other rule mends 3.1-14x; real shifts back 0.19-0.84x; 60-90 s
    holds have quiet spells on one foot, 0.7-1.0x, and are left to `merge_edge_holds`)."""
    if later.onset <= back.offset:
        return False
    ref = reference_sway(sig, rate_hz, standing_spans(later.onset, later.offset, rate_hz, reference_s)[1:])
    span = slice(back.offset, later.onset)
    sway = max(steady_rms(sig.roll_rate[span], rate_hz, STAYED_UP_PERCENTILE) / max(ref[0], 1e-3),
               steady_rms(sig.lateral[span], rate_hz, STAYED_UP_PERCENTILE) / max(ref[1], 1e-4))
    return ramp_vote(sway, *cues.sway_ratio) >= EDGE_VOTE


def join_split_holds(held: list[tuple[Hump, Hump, RepWindow]],
                     hold: Callable[[Hump, Hump], RepWindow | None]) -> list[RepWindow]:
    """The velocity path's holds (shift in, shift back, hold; time order), two consecutive ones on
    the same leg joined when the first has no foot-down and the second no foot-off (support votes
    under EDGE_VOTE): the foot never came down between them, so the "shift back" and "shift in"
    between were the pelvis wandering on one foot, one hold split in two. The joined hold is the
    one from the first's shift in to the second's shift back (`hold`), if that is one."""
    out: list[tuple[Hump, Hump, RepWindow]] = []
    for a, b, r in held:
        if out:
            a0, _, r0 = out[-1]
            if (r0.side == r.side and r0.metrics["support"]["foot_down"] < EDGE_VOTE
                    and r.metrics["support"]["foot_off"] < EDGE_VOTE):
                joined = hold(a0, b)
                if joined is not None:
                    out[-1] = (a0, b, joined)
                    continue
        out.append((a, b, r))
    return [r for _, _, r in out]


def rose_after_foot_off(edge: RepWindow, run: tuple[int, int], reps: list[RepWindow], rate_hz: float,
                        others: Sequence[tuple[tuple[int, int], RepWindow]] = ()) -> RepWindow | None:
    """What stands for an edge hold whose foot-off is only the sway's rise at its stretch's start
    (`stance_edges.edge_shifts`, `single_support.sway_onset`) when it lies mostly (over half of it)
    inside one of the velocity path's holds `reps` that started before its stretch `run` ([start,
    end) samples): the foot was up before the sway rose there. Its side cues not all agreeing
    (side_confidence under 1): nothing (None); a quiet spell on one foot (weak balance corrections:
    the sway falls under the stretch's ratio for a second or two) split the stretch, and the sway
    rising after it is no foot-off (the hold's shifts fitted there are the balance's, either way).
    Else, that velocity hold when it is on the same leg and ends with it (within EDGE_LEAD_S): one
    hold, found from its foot-off by the velocity path (a live window ending a few seconds after a
    20 s hold split it so, the edge hold starting 12 s late, and the live and offline holds
    differed); the edge hold itself otherwise. Not a velocity hold that ran across a foot coming
    down: one overlapping another stretch whose edge hold (`others`: (stretch, its edge hold), one
    with a foot-down vote) is on the other leg, or that it overlaps (it took the standing between
    two holds, or two holds; a stretch split by a quiet spell on one foot has no foot-down there)."""
    def across(r: RepWindow) -> bool:
        return any(over((r.start, r.end), s) and (e.side != r.side or over((r.start, r.end), (e.start, e.end)))
                   for s, e in others)

    outer = next((r for r in reps if r.start < run[0] and not across(r)
                  and min(r.end, edge.end) - max(r.start, edge.start) > 0.5 * (edge.end - edge.start)), None)
    if outer is None:
        return edge
    if edge.metrics.get("side_confidence", 1.0) < 1.0:
        return None
    return outer if outer.side == edge.side and abs(outer.end - edge.end) <= EDGE_LEAD_S * rate_hz else edge


def edge_leads(r: RepWindow, e: RepWindow) -> tuple[int | None, int | None]:
    """(start lead, end lead), samples: how much earlier the edge hold `e` starts than the velocity
    hold `r`, when `r` has no foot-off vote and `e` has one (under / from EDGE_VOTE), and how much
    later it ends, when `r` has no foot-down vote and `e` has one; None where the votes do not say
    so or the two do not overlap at that end."""
    sup, edge = r.metrics["support"], e.metrics["support"]
    start = (r.start - e.start if sup["foot_off"] < EDGE_VOTE <= edge["foot_off"] and e.end > r.start
             else None)
    end = e.end - r.end if sup["foot_down"] < EDGE_VOTE <= edge["foot_down"] and e.start < r.end else None
    return start, end


def standing_between(edge: RepWindow, reps: list[RepWindow]) -> bool:
    """Whether the edge hold `edge` of a stretch on one foot is the standing between two of the
    velocity path's holds `reps` on different legs that share the stretch (time order), or spans
    both: two holds whose standing between stayed over the sway ratio (no balance corrections, or
    strong roll sway), not one. It is when it lies mostly (over half) between the first's end and
    the second's start; or when the foot came down between them (the first's foot-down or the
    second's foot-off votes, EDGE_VOTE: a jolt) and it covers over half of each. A velocity hold
    that ran on across the standing next to the stretch (its start or end in it), or a balance
    wander on one foot taken for a shift each way (no jolt at either), is no second hold there."""
    reps = sorted(reps, key=lambda r: r.start)
    length = max(1, edge.end - edge.start)
    for r1, r2 in zip(reps, reps[1:]):
        if r1.side == r2.side:
            continue
        if 2 * overlap((edge.start, edge.end), (r1.end, r2.start)) > length:
            return True
        jolt = (r1.metrics["support"]["foot_down"] >= EDGE_VOTE or r2.metrics["support"]["foot_off"] >= EDGE_VOTE)
        if jolt and all(2 * overlap((edge.start, edge.end), (r.start, r.end)) > r.end - r.start for r in (r1, r2)):
            return True
    return False


def merge_edge_holds(reps: list[RepWindow], edged: list[tuple[tuple[int, int], RepWindow | None]],
                     lag: int, rate_hz: float) -> list[RepWindow]:
    """The velocity path's holds `reps` with the edge path's (`edged`: each stretch on one foot,
    [start, end) samples, with its hold or None). A hold is on one foot throughout: one that
    spans two stretches (standing in between) or shares its stretch with another on its leg (one
    hold split in two) is doubtful, and
    an edge hold of its stretches replaces it if the two overlap, or if that edge hold overlaps no
    other of the velocity path's holds (the doubtful hold took the standing next to it). So is one
    cut short: with no foot-down (foot-off) vote, ending (starting) more than `lag` samples before
    its stretch ends (after it starts), the most the foot comes down before the sway falls to
    standing's (`stance_edges.EdgeSettings.edge_lag_s`): the foot stayed up, and a balance wander
    was taken for the shift back (in). So is one whose start (end) has no foot-off (foot-down) vote
    where its stretch's edge hold has one more than EDGE_LEAD_S earlier (later) (`edge_leads`): a
    wander on one foot was taken for the shift in (back) inside the `lag`. So is one overlapped by
    an edge hold of its stretch on the other leg whose three side cues all agree (`stance_side`):
    the velocity path's side is the sign of one move (with two of three, it is kept, its
    side_confidence SPLIT_CONFIDENCE). A stretch none of the
    kept holds overlaps gives its edge hold. A stretch with holds on both legs may be two holds whose
    standing between stayed over the sway ratio (no balance corrections, or strong roll sway): an
    edge hold that is that standing or spans both (`standing_between`) is not taken, and sharing a
    stretch with the other leg's hold makes no hold doubtful."""
    spans = [(r.start, r.end) for r in reps]
    # A stretch with holds on both legs may be two holds whose standing between was not told apart:
    # then its edge hold is that standing, or spans both (`standing_between`).
    edged = [(run, None if e is not None and standing_between(e, [r for r, q in zip(reps, spans) if over(q, run)])
              else e) for run, e in edged]
    kept, replacing = [], set()
    for i, r in enumerate(spans):
        mine = [k for k, (run, _) in enumerate(edged) if over(r, run)]
        sup = reps[i].metrics["support"]
        cut = any((sup["foot_down"] < EDGE_VOTE and edged[k][0][1] > r[1] + lag)
                  or (sup["foot_off"] < EDGE_VOTE and edged[k][0][0] < r[0] - lag) for k in mine)
        cut = cut or any(lead is not None and lead > EDGE_LEAD_S * rate_hz for k in mine if edged[k][1] is not None
                         for lead in edge_leads(reps[i], edged[k][1]))
        doubtful = cut or len(mine) >= 2 or any(over(q, edged[k][0]) for j, q in enumerate(spans)
                                                if j != i and reps[j].side == reps[i].side for k in mine)
        # An edge hold over it on the other leg: the velocity path's side is the sign of one move,
        # the edge hold's the majority of three cues (`stance_side`). All three against it: the
        # edge hold's; two of three: two cues each way, the side is in doubt.
        rivals = [edged[k][1].metrics.get("side_confidence", 1.0) for k in mine if edged[k][1] is not None
                  and edged[k][1].side != reps[i].side and over(r, (edged[k][1].start, edged[k][1].end))]
        doubtful = doubtful or any(c >= 1.0 for c in rivals)
        if rivals and not doubtful:
            reps[i].metrics["side_confidence"] = SPLIT_CONFIDENCE
        by = [k for k in mine if doubtful and edged[k][1] is not None and (
            over(r, (edged[k][1].start, edged[k][1].end))
            or not any(over(q, (edged[k][1].start, edged[k][1].end)) for j, q in enumerate(spans) if j != i))]
        replacing.update(by)
        if not by:
            kept.append(reps[i])
    for k, (run, e) in enumerate(edged):
        if e is not None and not any(over((q.start, q.end), (e.start, e.end)) for q in kept) and (
                k in replacing or not any(over((q.start, q.end), run) for q in kept)):
            kept.append(e)
    return kept
