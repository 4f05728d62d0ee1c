"""Lateral band walk: one rep per lateral step, whatever the person's strategy, carrying both
single-support phases (lead swing first: the trailing leg holds the pelvis and the lead side may
drop; then the trailing leg's swing: the lead leg holds it and the trailing side may drop).

The rep's side and drop are its worse phase's (`analysis.offline.score_windows`); `direction` (left/
right) in its metrics is the direction of travel (the leading leg).

Steps: the lateral pelvis velocity (levelled frame, held at zero whenever the pelvis is still and,
second pass, at the halts between moves) shows one hump per move. A small move the other way right
before a move is a counter-shift (the weight put on the trailing leg to free the lead) and belongs
to that step. Same-direction moves with short pauses form a run; a run is one step per move or one
step per two moves (lead, then trail), decided from cues that hold across strategies
(`exercises.lateral_steps`: the step rhythm of the roll and the height, and alternating move
sizes); with two moves per step, a run starts with a lead unless the sizes clearly say otherwise.
A lone move is a weight shift or a shuffle of the feet, not a band walk, unless lone moves
follow one another, or a run of one-move steps, the same way within max_step_gap_s (a person who
stands still between one-move steps, or a slow one-move walker: `band_steps._paused_steps`).

Per step, displacements come from integrating the acceleration from rest to rest: `step_m` is the
lateral distance (shuffling below `shuffle_step_m`) and `bob_cm` the peak-to-peak height change of
the pelvis within the step (bobbing), both immune to a constant accelerometer bias.

The rules live in modules named for what they do, each a function of this detector's parameters:
`band_moves` (velocity and moves), `band_crests` (its halts where a drift hides a trail),
`band_drift` (what fast moves leave in them), `band_phase` (which way a run of back-to-back steps
goes), `band_steps` (moves into steps), `band_reps` (a step's rep) and `band_bouts` (which steps
count).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from hiplevel.exercises import band_bouts, band_steps
from hiplevel.exercises.band_moves import ACC_LOWPASS_HZ, lateral_velocity_mps, upward_acc_g
from hiplevel.exercises.band_alternation import alternating_anchors
from hiplevel.exercises.band_phase import rephased
from hiplevel.exercises.band_reps import step_rep
from hiplevel.exercises.band_steps import RHYTHM_LOWPASS_HZ, LateralStep, LoneMove
from hiplevel.exercises.base import Hump, Motion, RepWindow, calm_mask, without_rest_tilt
from hiplevel.signal.filters import zero_phase_lowpass


@dataclass(frozen=True)
class BandWalkDetector:
    """Parameters (units in the names).

    min_speed_mps: least peak lateral speed of a leg move (a 10 cm step in one 2.5 s move peaks
        ~0.08 m/s, a 3 cm trailing move in 1 s ~0.06 m/s; quiet standing sways < 0.01 m/s);
    min_move_m: least lateral distance of a leg move (standing sway moves the pelvis < 1 cm);
    min_run_m: least lateral distance of a run of moves (one 10 cm step; sway does not travel);
    run_ratio: a move under this fraction of its run's median move is the velocity settling at a
        halt, not a leg move (a trailing move of 20 % of a step is 0.4 of the median);
    min_gap_s: least time between two moves' peaks: the human range's quickest lead-then-trail
        steps (0.5 s) put them 0.21-0.22 s apart (hiplevel.sim); at 0.25 s the lead and trail of a
        0.6 s step whose peaks came 0.22 s apart were one move, and the run's lead/trail pairing
        slipped by one (every step's two phases swapped: the weak leg's drop read as a hike);
    dip_ratio: an opposite-sign hump next to moves of a run (within max_pause_s), smaller than
        this fraction of the larger of them, is the velocity settling between moves (integration
        drift), not a move back, unless it is as fast as one of them or, between two, travels as
        far as one (a step back between a slow trailing move and a brisk lead: stepping about);
    counter_ratio / counter_gap_s / counter_max_s / counter_time_ratio: an opposite move ending
        at most counter_gap_s before a move, under counter_ratio of its distance and lasting at
        most counter_max_s, or at most counter_time_ratio times as long as that move, is a
        counter-shift (a quick 1-9 cm shift onto the trailing leg), the start of that move's step.
        The relative limit is for slow steps: a 2.5 s step's counter-shift takes 0.6-0.9 s
        (simulated, measured flank to flank; its move 1.4-1.5 s) and became a move of its own;
        counter-shifts measure 0.25-0.65 of their move's duration (0.6-2.5 s steps, 1-9 cm
        counters). Not the relative limit alone: at a turn of fast steps the velocity settling
        (0.35-0.4 s, 1.6 times the next 0.23 s move) is taken up as that move's counter-shift;
        left alone, it joined the last run as a step (1 extra, 0.6 s steps). Between two moves one
        way only the relative limit holds (`band_steps._pause_drift`): the velocity drifting back
        through a pause after a quick heavy lead (1.25-3.3 times the next lead at half height) is no
        counter-shift and no move;
    max_pause_s: same-direction moves further apart (end to start) than this start a new run (a
        band walk keeps going; a weight shift pauses);
    flank_rise: a move's flank ends where the speed rises again by this fraction of its peak (the
        sensor's swing when the pelvis drops shakes the flank less; the next move rises more);
    rest_move_share / min_rest_window_s: the rest test that holds the velocity at zero judges a
        standstill over rest_move_share of the set's typical move (median duration), at least
        min_rest_window_s and at most the fusion's 0.5 s (`band_moves.rest_window_s`): the moves of
        fast steps reach into every 0.5 s window of a 0.5-0.8 s pause. A share, so that the window
        never fits in a move's own still part (the drop's plateau, the acceleration passing zero):
        on bench.physics (seed 0, 60 sets) a window forced to 0.25 s for every set found rest
        inside the moves of 9 slow sets (1.7-2.3 s moves: 0.11-0.15 of a move), 0.15 s in 21; 0.4
        of a move's measured span (0.8-0.9 of the move) is 0.33-0.36 of the move, and the new
        window put no rest sample inside a step of any set. The floor: 25 samples at 100 Hz;
    max_move_s: longest single move (a slow one-move step takes up to ~2.4 s);
    max_pitch_deg: moves while the pelvis is pitched further forward than this (bending over, not a
        15-30 deg hinge) are not steps;
    lift_lead_s: the lead foot leaves the floor about this long before the pelvis starts moving;
    pair_log_ratio: the size alternation (mean |log(lead/trail)|, 0.18 = sizes 1.2 apart) at
        which sizes alone fully vote for two moves per step (a log, so that it scales: a ratio
        below 1 would make every run vote one move per step);
    parity_margin: how much larger (geometric-mean ratio) the supposed trail moves of a run must
        look than its supposed leads before the "a run starts with a lead" rule is overturned
        (2: a lead may carry as little as 0.35 of the step and still be the lead);
    min_step_m: least lateral distance of a step, rest to rest: half the shortest human step (10 cm;
        an 8 cm shuffle measures 7-8 cm); fidgeting and the integration drift of standing, sitting
        and posture changes measure mostly < 5 cm;
    min_bout_steps / max_step_gap_s: a band walk is a series of steps one way; a step counts only
        in a bout of at least min_bout_steps steps the same way, each starting at most
        max_step_gap_s after the previous one ended (a slow, pausing walker's rhythm: standing
        0-1.5 s between steps, the simulator's human range, passes with margin to 2.5 s; a weight
        shift, a posture change or fidgeting moves once or goes back and forth);
    max_cadence_ratio / max_duration_ratio: ...and a bout keeps one rhythm: over those steps the
        longest centre-to-centre interval is at most max_cadence_ratio times the shortest and the
        longest step at most max_duration_ratio times the shortest (simulated sets across all
        strategies and 0.6-3.5 s steps: up to 1.3 and 1.8). Standing that drifts or fidgets
        (integration drift of a tilt error turns it into "moves" one way) moves irregularly: in
        hapt-dev 0.9, 2.8, 0.8 s "steps" 1-3 s apart (issue 14). Centres, not starts: where a
        step starts depends on which move took the counter-shift;
    max_lead_trail_ratio: ...and its lead-then-trail steps keep one inner rhythm: the longest lead
        to trail time (peak speed to peak speed) at most this many times the shortest. A person
        moves the trailing leg at about the same time after the lead in every step (simulated
        bouts across all strategies and rows, seeds 1-3: up to 1.4; bench.physics seed 0, 60
        sets: up to 2.26); standing with the phone creeping (hapt-dev e05 0-22 s, moves measured
        from the halt between them) pairs humps 0.3-1.5 s apart: 4.75;
    max_tilt_back_deg / max_roll_deg: a step is taken standing: the pelvis tilted back further
        than this (sitting tilts it back 15-25 deg, lying ~85) or rolled further than
        max_roll_deg from neutral (lying on the side) is not stepping;
    max_turn_dps / max_pitch_change_deg: a lateral step faces forward and holds the hinge: a move
        whose yaw rate (RMS over the move, low-passed) exceeds max_turn_dps is a turn, and one over
        which the pitch changes by more than max_pitch_change_deg is a posture change (sitting
        down, standing up, bending: the trunk leans 20-35 deg); either is no step and ends a bout;
        a bout's steps also start within max_pitch_change_deg of its first step's tilt (roll and
        pitch together: `band_bouts.in_bouts`);
    max_rotation_dps / max_off_plane_g: ...and a bout is no walk. Walking sways the pelvis over each
        stance foot and, with forward travel leaking into the lateral velocity (a belt a few degrees
        off the direction of travel, or tilt error) and no halt to anchor it, passes for one
        lateral step per stride. Two independent cues tell it (`band_bouts.walking_gait`), each
        counted in units of its parameter, their sum over 1 meaning walking: rotation (walking
        turns the pelvis toward the swing leg and back every stride, 3-8 deg a side; a band walk
        faces forward; walking's rotation is alike every stride, a band walker's wobble is not):
        the yaw rate low-passed, SD over each step, the bout's median less its median absolute
        deviation, deg/s;
        surge (walking's forward push each step, out of phase with its sway and bounce; a band
        walk's lateral step and bob stay in one plane, however a hinge or a belt turned on the
        pelvis tilts it): the bout's acceleration along its least-varying direction beyond
        `band_bouts.OFF_PLANE_SHARE` of its main one (`band_bouts.surge_g`), g. Measured per bout
        (rotation deg/s, surge g): band walks, hiplevel.sim every section 7 row (seeds 1-3,
        20261202), also 0.6-2 s steps bobbing 6 cm with the belt turned 12 deg: rotation <= 7.45
        (0.6 s steps), surge <= 0.006; bench.physics seed 0, 60 sets: <= 5.8, <= 0.012; the sum
        at most 0.84 (1.19 below 1). Walks: hiplevel.sim forward, U-turn and in place (70-130
        steps/min) 13.5-27 deg/s; bench.physics walks 9.0-29 deg/s, surge 0-0.06; real walking
        (ipol-dev, stroke-dev, hapt-dev walking labels) 4.6-44 deg/s, surge 0.028-0.13 (12 of
        176 bouts at most 9 deg/s: ipol_3-1 4.6 deg/s, 0.043 g); the sum at least 1.17
        (bench.physics walk 48: 9.03 deg/s, 0.009 g), real walks at least 1.29 (these with the
        median alone). With the median less its deviation (stop 30; the median alone took a
        simulated 0.8 s band walk whose steps spread 6.5-12.9 deg/s for walking, sum 1.13): band
        walks of hiplevel.sim (section 7 rows, seeds 1-3, 20261202, 66202; 521 bouts) at most
        0.84, bench.physics at most 0.74; walks of 3+ steps: bench.physics at least 1.22, ipol-dev
        and stroke-dev at least 1.35.
    lead_in_s: read this long before a set's start (`analysis.lead_in`): the lateral velocity is
        held at zero on calm standing (`band_moves.lateral_velocity_mps`), and a set that starts
        2 s before the first step has little of it: live, two runs over its first 7-8 s found a
        wrong-leg step there (seed 11)."""

    min_speed_mps: float = 0.035
    min_move_m: float = 0.02
    min_run_m: float = 0.08
    run_ratio: float = 0.25
    min_gap_s: float = 0.15
    dip_ratio: float = 0.6
    counter_ratio: float = 0.5
    counter_gap_s: float = 0.4
    counter_max_s: float = 0.6
    counter_time_ratio: float = 1.0
    max_pause_s: float = 1.1
    lift_lead_s: float = 0.1
    max_move_s: float = 2.6
    rest_move_share: float = 0.4
    min_rest_window_s: float = 0.25
    max_pitch_deg: float = 50.0
    anchor_passes: int = 1
    flank_rise: float = 0.15
    pair_log_ratio: float = 0.18
    parity_margin: float = 2.0
    min_step_m: float = 0.05
    min_bout_steps: int = 3
    max_step_gap_s: float = 3.5
    max_cadence_ratio: float = 2.0
    max_duration_ratio: float = 2.5
    max_lead_trail_ratio: float = 3.0
    max_tilt_back_deg: float = 12.0
    max_roll_deg: float = 30.0
    max_turn_dps: float = 45.0
    max_pitch_change_deg: float = 15.0
    max_rotation_dps: float = 9.0
    max_off_plane_g: float = 0.055
    lead_in_s: float = 5.0

    def velocity_mps(self, m: Motion) -> tuple[np.ndarray, list[Hump]]:
        """Lateral pelvis velocity, m/s (+ = leftward), zero when still and between leg moves
        (`band_moves.lateral_velocity_mps`), a run of counter-shift steps with no pause held at
        the ends of its steps' moves (`band_alternation.alternating_anchors`), a run of
        back-to-back steps whose height (one move a step) or roll (lead then trail) says the other
        way re-anchored (`band_phase.rephased`); and its moves (`band_moves.find_moves`). Where a
        drift against the way hides a trail, the halts are its crests (`band_crests`)."""
        return rephased(self, m, lateral_velocity_mps(self, m, alternating_anchors))

    def moves(self, m: Motion) -> list[Hump]:
        """Lateral leg moves (velocity humps), in time order, velocity-settling dips removed."""
        return self.velocity_mps(m)[1]

    def steps(self, m: Motion, v: np.ndarray, moves: list[Hump]) -> list[LateralStep | LoneMove]:
        """Lateral steps, and each lone move of at least min_step_m as a `LoneMove` (no step:
        `detect` ends a bout at one the other way), from the lateral velocity v, m/s, and its
        moves (`band_steps.steps`)."""
        return band_steps.steps(self, m, v, moves)

    def detect(self, m: Motion) -> list[RepWindow]:
        """Lateral steps of the set (needs the 6-axis stream)."""
        if m.acc_lin_g is None:
            return []
        roll0 = m.roll_deg  # drops on the set's roll, as every exercise (and the live analyser's)
        m = without_rest_tilt(m, calm_mask)  # slow steps look at rest to the fusion
        rate = m.rate_hz
        v, moves = self.velocity_mps(m)
        up_g = upward_acc_g(m, ACC_LOWPASS_HZ)
        yaw_dps = zero_phase_lowpass(m.gyro_dps[:, 2], RHYTHM_LOWPASS_HZ, rate) if m.gyro_dps is not None else None
        gait_g = band_bouts.gait_band_g(m.acc_lin_g, rate)
        reps: list[RepWindow | None] = []
        way = 0  # the last step's direction (+ = left)
        for step in self.steps(m, v, moves):
            if isinstance(step, LoneMove):  # a band walk goes one way: a step's worth back ends the bout
                if step.move.sign == -way:  # (moving about: stepping aside and back)
                    reps.append(None)
                continue
            way = step.first.sign
            if not band_bouts.standing(self, m, step.start, step.end, yaw_dps):
                reps.append(None)  # not a step: ends the bout
                continue
            reps.append(step_rep(self, step, v, roll0, up_g, rate))
        return self.in_bouts(reps, rate, m.up, yaw_dps, gait_g)

    def in_bouts(self, reps: list[RepWindow | None], rate_hz: float, up: np.ndarray | None = None,
                 yaw_dps: np.ndarray | None = None, gait_g: np.ndarray | None = None) -> list[RepWindow]:
        """The steps that belong to a bout (`band_bouts.in_bouts`; up: the pelvis' up-vector (N,3),
        for its posture test; yaw_dps: the low-passed yaw rate, deg/s, and gait_g: the band-passed
        acceleration (N,3), g (`band_bouts.gait_band_g`), for its walking test); None in `reps`
        ends a bout."""
        return band_bouts.in_bouts(self, reps, rate_hz, up, yaw_dps, gait_g)
