"""The record a single-leg hold is decided on (`single_leg_stance.SingleLegStanceDetector`): one
set's signals (`StanceSet`, computed once per set) and one candidate hold (`Candidate`: a shift in,
a shift back and the path that paired them), with the readings that several checks share (the
support vote, the hold window, the roll's level over it and before it, ...), each computed once on
first use. The checks (`stance_checks`) take a `Candidate`; a candidate they turn down keeps the
name of the check that did (`Rejected`); a set's holds and candidates turned down are its decision
(`StanceDecision`), which the detector hands to any listener (`decisions_reported`)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Callable, NamedTuple

import numpy as np

from hiplevel.exercises.base import Hump, Motion, RepWindow
from hiplevel.exercises.single_support import SupportSignals, reference_sway
from hiplevel.exercises.stance_turns import turned_move
from hiplevel.signal.exact_median import median

if TYPE_CHECKING:
    from hiplevel.exercises.single_leg_stance import SingleLegStanceDetector

# The two ways a candidate is found: a velocity move paired with a later one (`stance_pairing`), or a
# shift in and back fitted at the edges of a stretch on one foot (`stance_edges.edge_shifts`).
VELOCITY, EDGE = "velocity", "edge"


@dataclass(frozen=True, eq=False)
class StanceSet:
    """One set's signals as the checks read them: the detector (p, its parameters), the motion, the
    single-support signals, the stretches on one foot ([start, end) samples:
    `stance_edges.stretches_on_one_foot`), the calm samples (`SingleLegStanceDetector.calm`), the
    sideways velocity v (N,), m/s, and its moves ((hump, size m), time order)."""

    p: SingleLegStanceDetector
    m: Motion
    sig: SupportSignals
    ones: list[tuple[int, int]]
    calm: np.ndarray
    v: np.ndarray
    moves: list[tuple[Hump, float]]


@dataclass(frozen=True, eq=False)
class Candidate:
    """A candidate hold: shift in a (size_a, m) and shift back b (size_b, m) of set s, found by
    `path` (VELOCITY or EDGE). The readings below are the candidate's, computed once when a check
    first asks for them."""

    s: StanceSet
    a: Hump
    size_a: float
    b: Hump
    size_b: float
    path: str = VELOCITY

    @property
    def p(self) -> SingleLegStanceDetector:
        """The detector (its parameters)."""
        return self.s.p

    @property
    def m(self) -> Motion:
        """The set's motion."""
        return self.s.m

    @property
    def rate(self) -> float:
        """Sample rate, Hz."""
        return self.s.m.rate_hz

    @cached_property
    def turned(self) -> bool:
        """Whether the shift in or back may be a turn of the pelvis about a foot or a hip
        (`stance_turns.turned_move`); False with no gyro."""
        yaw = None if self.m.gyro_dps is None else self.m.gyro_dps[:, 2]
        return yaw is not None and any(turned_move(yaw, h, size, self.rate)
                                       for h, size in ((self.a, self.size_a), (self.b, self.size_b)))

    @cached_property
    def standing(self) -> list[tuple[int, int]]:
        """The standing on both feet around the hold ([start, end) samples:
        `SingleLegStanceDetector.standing_around`)."""
        return self.p.standing_around(self.a, self.b, self.rate)

    @cached_property
    def ref(self) -> tuple[float, float]:
        """The standing's sway around the hold (roll-rate RMS deg/s, sideways RMS g:
        `single_support.reference_sway`)."""
        return reference_sway(self.s.sig, self.rate, self.standing)

    @cached_property
    def sway_rms(self) -> tuple[float, float]:
        """The hold's typical sway over its steady middle (roll-rate RMS deg/s, sideways RMS g:
        `SupportCues.sway_rms`, between the shift in's end and the shift back's start): the sway
        vote's reading, and the roll-rate and sideways ratios of `stance_roll.sway_unseen` and
        `stance_corroboration.corrections_ratio`."""
        return self.p.cues.sway_rms(self.s.sig, self.a.offset, self.b.onset, self.rate)

    @cached_property
    def vote(self) -> tuple[dict[str, float], int, int]:
        """The single-support votes (sway, foot_down, foot_off: 0-1 each, `SupportCues.votes`), foot-off
        and foot-down (samples): the jolts or tips found, or the shifts' own ends when those two
        are under min_hold_s apart."""
        votes, off, down = self.p.cues.votes(self.s.sig, self.a.offset, self.b.onset, self.ref, self.rate,
                                             back_peak=self.b.peak, sway=self.sway_rms)
        if down - off < self.p.min_hold_s * self.rate:
            off, down = self.a.offset, self.b.onset
        return votes, off, down

    @property
    def votes(self) -> dict[str, float]:
        """The single-support votes as read (`vote`)."""
        return self.vote[0]

    @cached_property
    def support(self) -> dict[str, float]:
        """The votes to 2 places, as the hold reports them (its metrics' "support"); the checks
        after the hold is made (`stance_checks.VELOCITY_DROPS`) read these."""
        return {k: round(x, 2) for k, x in self.votes.items()}

    @cached_property
    def win(self) -> tuple[int, int]:
        """The hold window ([start, end) samples): foot-off to foot-down less transition_s each end."""
        _, off, down = self.vote
        tr = int(self.p.transition_s * self.rate)
        return off + tr, max(off + tr + 1, down - tr)

    @cached_property
    def held_deg(self) -> float:
        """The roll's median over the hold window, deg."""
        return float(median(self.m.roll_deg[self.win[0] : self.win[1]]))

    @cached_property
    def level_before_deg(self) -> float:
        """The standing's roll just before the shift in: the median over the half second up to its
        onset, deg."""
        roll, a = self.m.roll_deg, self.a
        return float(median(roll[max(0, a.onset - max(1, int(0.5 * self.rate))) : a.onset + 1]))

    @cached_property
    def second_medians(self) -> list[float]:
        """The roll's 1 s medians over the hold window, one every half second, deg."""
        roll, (a, b), k = self.m.roll_deg, self.win, max(1, int(self.rate))
        return [float(median(roll[i : i + k])) for i in range(a, max(a + 1, b - k + 1), max(1, k // 2))]

    @cached_property
    def jolt(self) -> float:
        """The foot-off jolt's vote (vertical, not the roll tip: `SupportCues.lift_vote`), 0-1."""
        return self.p.cues.lift_vote(self.s.sig, self.a.offset, self.b.onset, self.rate)[0]


class Check(NamedTuple):
    """One test of the decision chain (`stance_checks`): its name, and `rejects(candidate)`, True
    when the candidate is no hold. whole_shift: a rejection turns down the shift in itself, with
    any shift back (it is no weight shift)."""

    name: str
    rejects: Callable[[Candidate], bool]
    whole_shift: bool = False


class Rejected(NamedTuple):
    """A candidate turned down: the path that found it, its shift in and back, and the name of the
    check that turned it down."""

    path: str
    shift_in: Hump
    shift_back: Hump
    check: str


class StanceDecision(NamedTuple):
    """A set's holds (time order) and the candidates turned down on the way (in the order decided)."""

    holds: list[RepWindow]
    rejected: list[Rejected]


# The listeners open (`decisions_reported`), process-wide: diagnostics only (`bench.physics --why`).
_LISTENERS: list[Callable[[Motion, StanceDecision], None]] = []


@contextmanager
def decisions_reported(listener: Callable[[Motion, StanceDecision], None]) -> Iterator[None]:
    """While open, every `SingleLegStanceDetector.detect` hands listener the motion it read and its
    decision (`StanceDecision`: the holds, and each candidate turned down with the check that did),
    wherever the detector is called from (an analysis calls it chunk by chunk); the holds are the
    same."""
    _LISTENERS.append(listener)
    try:
        yield
    finally:
        _LISTENERS.remove(listener)


def reported(m: Motion, decision: StanceDecision) -> StanceDecision:
    """decision (of motion m), handed to each listener open (`decisions_reported`) first."""
    for listener in tuple(_LISTENERS):
        listener(m, decision)
    return decision
