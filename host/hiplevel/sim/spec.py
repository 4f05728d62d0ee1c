"""What to simulate (ExerciseSpec, SessionSpec) and what came out (SimSession with its ground truth).

Frames and signs follow `hiplevel.constants`: body (pelvis) frame x forward, y left, z up;
positive roll = left side higher; positive pitch = front of the pelvis down.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from hiplevel.constants import EXERCISES, Side
from hiplevel.samples import ImuSeries
from hiplevel.sim.strategies import Strategy


@dataclass(frozen=True)
class ExerciseSpec:
    """One exercise block of a session.

    name: one of `hiplevel.constants.EXERCISES`.
    reps: steps (walking), lateral steps (band-walk), holds (single-leg-stance) or repetitions
        (step-down, single-leg-squat, clamshell) per set.
    sets: number of sets; each set starts with quiet standing (the neutral) and is followed by a rest.
    weak_side: the stance leg whose gluteus medius is weak: on reps loading that leg the opposite
        (unsupported) side drops by about `drop_deg` (negative drop_deg = hip hike). None = normal.
    drop_deg: size of the fault on weak-side reps, deg below neutral.
    hold_s: single-leg-stance hold duration, s.
    side: stance leg of single-sided exercises (single-leg-stance, step-down, single-leg-squat,
        clamshell working leg); None alternates (per hold for stance, per set for the others).
    turn_every_steps: walking: turn 180 deg after this many steps (0 = straight line).
    turn_bounce_fraction: walking: the pelvis' vertical bounce in the steps of a turn, as a fraction
        of a straight step's (1 = the same). People pivot through a U-turn on short, flat steps:
        on ipol-dev the pelvis' upward acceleration at a pivot step's contact is 0.01-0.03 g
        against 0.1-0.3 g on the straight (most U-turns there hold such a step).
    turn_lift_off_fraction: walking: in the steps of a turn, the other foot's lift-off at the end of
        a long double support (0.4 of the step after its contact) jolts the pelvis upward by this
        fraction of a straight step's heel strike (0 = no jolt). Turning on the spot, the upward
        peak comes at the lift-off as often as at the contact (ipol-dev: lift-off peaks
        0.04-0.25 g, contact peaks 0.06-0.26 g).
    turn_pivot_fraction: walking: the middle step of each turn is a pivot on both feet, this fraction
        of a step long (0 = none): the foot that closed the turn's first step lands and lifts again
        without the other foot swinging, so the pelvis yaws and shifts its weight but neither
        rises nor falls, no swing side drops, and the truth has no rep there; the lift-off jolts
        the pelvis like a soft contact, and the steps either side share their stance foot
        (ipol-dev: 7 of its U-turn extras lie between two truth steps of one stance foot).
    turn_on_spot_deg: walking: the whole walk is a turn on the spot by this much (0 = a walk): the
        feet step in place (no forward speed) while the heading ramps from the first contact to the
        last, and every contact lands as flat as turn_bounce_fraction makes it (ipol-dev, turning to
        face the front after the walk: 50-100 deg over 2-4 steps, contacts 0.016-0.05 g).
    stop_contact_fraction: walking: the walk's last contact (the braking step's heel strike, before
        the closing swing) lands at this fraction of a step's (1 = as firm): its bounce and heel-strike
        jolt are scaled by it. People brake into a stop in about one step (ipol-dev, 32 walks: the
        braking contact 0.54 of the walk's median, 0.11-1.17; ipol_3-1's 0.11, 20 mg, lies under the
        detector's contact floor); docs/analysis.md, walking round 18.
    first_swing_fraction: walking: the initiation swing (the first foot's swing from standing to the
        first contact: the truth's first single support) lasts this fraction of a step (0.75 = a
        swing of a walking step). ipol-dev's 29 walks with one: 0.38-0.91 median steps, median 0.70;
        ipol_1-2's 0.38 (0.20 s) is the shortest; docs/analysis.md, walking round 21.
    cadence_spm: walking cadence, steps/min (None = drawn, 100-120).
    lateral_sway_m: walking: the pelvis' sideways shift toward the stance leg, m (None = a walk's
        3 cm). Stepping in place (a turn on the spot by a few degrees), with no forward momentum
        the whole weight moves over each foot: ipol-dev's steps in place after a walk (ipol_1-3)
        accelerate the pelvis sideways by 190-240 mg, 2.5-3 times a straight step's 58-80 mg.
    hinge_deg: band-walk hip hinge (forward pelvic pitch), deg (None = drawn, 15-30).
    bobbing: band-walk: bob up and down each step (~6 cm instead of ~1 cm).
    step_m: band-walk lateral step length, m (None = drawn, 0.25-0.4; < 0.15 is shuffling).
    sway_deg: postural roll sway SD during holds, deg (None = drawn, 0.3-0.6).
    variation: relative rep-to-rep variation of drop size and timing (0.12 = 12 % SD).
    strategy: how this person moves (`hiplevel.sim.strategies`: HoldStrategy, BandStepStrategy,
        LoweringStrategy, ClamshellStrategy), or a `Scene` in which nobody exercises (no reps);
        None = the classic simulated person.
    """

    name: str
    reps: int = 10
    sets: int = 1
    weak_side: Side | None = None
    drop_deg: float = 8.0
    hold_s: float = 30.0
    side: Side | None = None
    turn_every_steps: int = 0
    turn_bounce_fraction: float = 1.0
    turn_lift_off_fraction: float = 0.0
    turn_pivot_fraction: float = 0.0
    turn_on_spot_deg: float = 0.0
    stop_contact_fraction: float = 1.0
    first_swing_fraction: float = 0.75
    cadence_spm: float | None = None
    lateral_sway_m: float | None = None
    hinge_deg: float | None = None
    bobbing: bool = False
    step_m: float | None = None
    sway_deg: float | None = None
    variation: float = 0.12
    strategy: Strategy | None = None

    def __post_init__(self) -> None:
        if self.name not in EXERCISES:
            raise ValueError(f"unknown exercise {self.name!r}; expected one of {EXERCISES}")
        if self.reps < 1 or self.sets < 1:
            raise ValueError("reps and sets must be >= 1")
        if self.weak_side not in (None, "left", "right") or self.side not in (None, "left", "right"):
            raise ValueError("weak_side/side must be 'left', 'right' or None")
        if not 0.0 <= self.turn_bounce_fraction <= 1.0:
            raise ValueError("turn_bounce_fraction must be within 0..1")
        if not 0.0 <= self.turn_lift_off_fraction <= 1.0:
            raise ValueError("turn_lift_off_fraction must be within 0..1")
        if not 0.0 <= self.turn_pivot_fraction <= 1.0:
            raise ValueError("turn_pivot_fraction must be within 0..1")
        if not 0.0 <= self.turn_on_spot_deg <= 360.0:
            raise ValueError("turn_on_spot_deg must be within 0..360")
        if not 0.0 <= self.stop_contact_fraction <= 1.0:
            raise ValueError("stop_contact_fraction must be within 0..1")
        if not 0.2 <= self.first_swing_fraction <= 1.0:
            raise ValueError("first_swing_fraction must be within 0.2..1")
        if self.lateral_sway_m is not None and not 0.0 <= self.lateral_sway_m <= 0.15:
            raise ValueError("lateral_sway_m must be within 0..0.15 m")
        if not 1.0 <= self.hold_s <= 120.0:
            raise ValueError("hold_s must be within 1..120 s")


@dataclass(frozen=True)
class SessionSpec:
    """A whole session: exercise blocks in order, the sensor and the person.

    rate_hz: output rate of `SimSession.imu` (50..200 Hz).
    mount_offset_deg: (roll, pitch, yaw) of the sensor relative to the pelvis frame, deg
        (the belt clip sitting a few degrees off).
    mount_slip_deg: the belt slips after the calibration: the sensor turns by this roll about its
        own forward axis (+ = its roll reads higher), over MOUNT_SLIP_S, right after the first set's
        quiet standing (the neutral the analysis takes), and stays so for the rest of the session
        (a real belt moves 1-2 deg after the standing calibration; issue 14). The gyro sees the slip.
    noise: False = an ideal chip: no noise, bias, drift, scale/cross-axis error, clock error or
        timestamp jitter (quantisation, saturation and the DLPF stay: they are deterministic).
    standing_s: quiet standing before each set (the neutral), s.
    rest_s: rest (standing with small fidgets) after each set, s.
    standing_sway: pelvic tilt sway of the standing and the rests, as a multiple of quiet standing's
        (roll SD 0.15 deg, pitch SD 0.2 deg; the hips' 3 mm of travel stay): 1 = quiet; 6-8 = a
        restless person rocking the pelvis, gyro SD 1.5-3 deg/s over 0.5 s (ipol-dev subject 4
        never stands still for 1.5 s).
    """

    exercises: list[ExerciseSpec]
    rate_hz: float = 100.0
    seed: int = 0
    mount_offset_deg: tuple[float, float, float] = (0.0, 0.0, 0.0)
    mount_slip_deg: float = 0.0
    noise: bool = True
    standing_s: float = 4.0
    rest_s: float = 8.0
    standing_sway: float = 1.0

    def __post_init__(self) -> None:
        if not self.exercises:
            raise ValueError("a session needs at least one exercise")
        if not 50.0 <= self.rate_hz <= 200.0:
            raise ValueError("rate_hz must be within 50..200 Hz")
        if self.standing_s < 2.0:
            raise ValueError("standing_s must be >= 2 s (the analysis needs a neutral)")
        if not -10.0 <= self.mount_slip_deg <= 10.0:
            raise ValueError("mount_slip_deg must be within -10..10 deg (a belt that slid, not fell)")
        if not 0.0 <= self.standing_sway <= 20.0:
            raise ValueError("standing_sway must be within 0..20 (a multiple of quiet standing's sway)")


@dataclass(frozen=True)
class TruePhase:
    """Ground truth of one single-support phase of a rep (band walk: lead swing, then trail swing).

    stance: the leg holding the pelvis; the other side is unsupported and its drop below the set's
    neutral is drop_deg (negative = hip hike); start_s/end_s: the phase's drop window, s; flags:
    its drop flags."""

    stance: Side
    start_s: float
    end_s: float
    drop_deg: float
    flags: tuple[str, ...] = ()


@dataclass(frozen=True)
class TrueRep:
    """Ground truth of one rep, as a perfect analysis would report it.

    start_s/end_s: rep bounds, s on the session clock (the IMU's t_s axis).
    side: the stance (tested) leg; band-walk: the stance leg of its worse phase; clamshell: working
        (top) leg.
    drop_deg: peak drop of the measured side below the set's neutral, deg (negative = hip hike);
        band-walk: its worse phase's; clamshell: peak backward roll of the pelvis, deg. Rules in
        docs/simulator.md.
    flags: labels a perfect analysis outputs (`pelvic_drop`, `hip_hike`, `bobbing`, ...).
    direction: band-walk: direction of travel (the leading leg); phases: band-walk: both single-
        support phases, lead swing first.
    """

    exercise: str
    set_index: int
    index: int
    start_s: float
    end_s: float
    side: Side
    drop_deg: float
    flags: tuple[str, ...] = ()
    hold_s: float | None = None
    bob_cm: float | None = None
    step_m: float | None = None
    sway_deg: float | None = None
    direction: Side | None = None
    phases: tuple[TruePhase, ...] = ()


@dataclass(frozen=True)
class TrueSet:
    """Ground truth of one set: bounds, the quiet standing before it and its true neutral roll."""

    exercise: str
    set_index: int
    start_s: float
    end_s: float
    standing_start_s: float
    standing_end_s: float
    neutral_roll_deg: float


@dataclass(frozen=True)
class TruthOrientation:
    """True pelvis orientation (ZYX Euler: yaw about z, then pitch about y, then roll about x), deg."""

    t_s: np.ndarray
    roll_deg: np.ndarray
    pitch_deg: np.ndarray
    yaw_deg: np.ndarray

    def __len__(self) -> int:
        return len(self.t_s)


@dataclass(frozen=True)
class SimSession:
    """The simulated session.

    imu: belt-sensor output at spec.rate_hz in the body frame (sensor misalignment included),
        timestamps with jitter, g and deg/s, quantised at the chip ranges.
    truth: true pelvis orientation at the IMU's true sample instants (same length as imu).
    truth_1k: true pelvis orientation on the 1 kHz internal grid.
    kinematic_1k: ideal specific force (g) and angular rate (deg/s) of the pelvis at the sensor
        position, body frame, no sensor errors, no misalignment, 1 kHz.
    sensor_1k: what the sensing elements output after noise, bias, scale errors and the DLPF, in
        the sensor frame (body frame + mount offset), 1 kHz, before quantisation; temp_c (N,).
    """

    spec: SessionSpec
    imu: ImuSeries
    truth: TruthOrientation
    truth_1k: TruthOrientation
    kinematic_1k: ImuSeries
    sensor_1k: ImuSeries
    temp_c: np.ndarray
    reps: list[TrueRep]
    sets: list[TrueSet]
    params: dict = field(default_factory=dict)
