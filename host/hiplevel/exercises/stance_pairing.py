"""Pairing the sideways moves of a single-leg stance set into holds (`single_leg_stance.SingleLegStanceDetector`):
each shift onto a leg with the move back that ends its hold, passing over the balance wanders of a
long hold that look like a shift back. Takes the detector (p) for its parameters."""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable

from hiplevel.exercises.base import Hump

if TYPE_CHECKING:
    from hiplevel.exercises.single_leg_stance import SingleLegStanceDetector


def pair_moves(p: SingleLegStanceDetector, moves: list[tuple[Hump, float]], rate_hz: float,
               accept: Callable[[Hump, Hump], bool] | None = None,
               doubtful: Callable[[Hump, Hump], bool] | None = None,
               later_end: Callable[[Hump, Hump, Hump], bool] | None = None,
               lifts: Callable[[Hump, Hump], bool] | None = None) -> list[tuple[Hump, Hump]]:
    """(shift-in, shift-out) pairs in time order. accept(shift_in, shift_back): whether a
    candidate pair is a hold; a rejected candidate does not end the search for the shift-in's
    partner (a wander of the pelvis in a long hold can look like a shift back). A shift-in
    with candidates but no hold takes its first candidate with it (that was its return).
    doubtful(shift_in, shift_back): the hold's end is in doubt (no foot-down); the next
    candidate that is a hold in no doubt (those in doubt too are passed over: wanders without
    a foot-down) is then its end if later_end(shift_in, shift_back, that candidate) (the foot
    stayed up through a balance wander taken for the shift back). lifts(shift_in, shift_back): every
    single-support cue votes (sway, foot-off and -down jolts); the moves before a holdless shift-in's
    first candidate may start such a hold."""
    out: list[tuple[Hump, Hump]] = []
    k = 0
    guarded, passed = -1, -1  # moves up to `guarded` start a hold only if `lifts`; `passed` is a return
    while k < len(moves):
        a, size_a = moves[k]
        partner = first = None
        if size_a >= p.min_shift_m and k != passed:
            for j in range(k + 1, len(moves)):
                b, size_b = moves[j]
                if (b.sign == a.sign and size_b >= max(p.min_shift_m, p.clear_ratio * size_a)
                        and b.height >= p.clear_speed_ratio * a.height
                        and b.offset - b.onset <= p.max_shift_s * rate_hz):
                    break  # another clear shift the same way: a was not a shift onto a leg
                hold_s = (b.onset - a.offset) / rate_hz
                if hold_s > p.max_hold_s:
                    break
                if b.sign != a.sign and hold_s >= p.min_hold_s and size_b > p.max_return_ratio * size_a:
                    break  # the pelvis went far past where it stood: it moved on, not back
                if (b.sign != a.sign and hold_s >= p.min_hold_s and size_b >= p.partner_ratio * size_a
                        and b.height >= p.partner_ratio * a.height):
                    first = j if first is None else first
                    if accept is not None and not accept(a, b):
                        continue
                    if k <= guarded and not lifts(a, b):
                        continue  # between a shift-in with no hold and its return: needs every cue
                    if partner is not None:  # the hold before was in doubt: does this one end it?
                        if doubtful(a, b):
                            continue  # no foot-down here either: a later one may end it
                        if later_end(a, moves[partner][0], b):
                            partner = j
                        break
                    partner = j
                    if doubtful is None or later_end is None or not doubtful(a, b):
                        break
        if partner is None:
            # No hold: the first candidate still was a's return (a is no shift onto a leg).
            if first is not None and lifts is not None and k > guarded:
                guarded, passed = first - 1, first
            k = k + 1 if first is None or lifts is not None else first + 1
        else:
            out.append((a, moves[partner][0]))
            k = partner + 1
    return out
