"""What the robustness table sweeps (bench/robustness.py): per detector, the nominal set, the movement
parameters (each over a range reaching beyond the human range of `hiplevel.sim.HUMAN_RANGES`) and
the detector's key thresholds (multiples of the default)."""

from __future__ import annotations

# One set per case, a weak left side so that every rep's side is unambiguous (band walk: the worse
# phase is the one on the weak leg, both ways).
NOMINAL: dict[str, dict] = {
    "walking": {"reps": 14, "weak_side": "left", "drop_deg": 9.0},
    "band-walk": {"reps": 8, "weak_side": "left", "drop_deg": 8.0},
    "single-leg-stance": {"reps": 4, "weak_side": "left", "drop_deg": 8.0, "hold_s": 10.0, "sway_deg": 0.4},
    "step-down": {"reps": 4, "weak_side": "left", "drop_deg": 8.0, "sets": 2},
    "single-leg-squat": {"reps": 4, "weak_side": "left", "drop_deg": 13.0, "sets": 2},
    "clamshell": {"reps": 6, "weak_side": "left", "drop_deg": 6.0, "sets": 2},
}

# Movement parameters: values in the order they are swept (the human range sits inside).
MOVEMENT: dict[str, dict[str, tuple]] = {
    "walking": {
        "cadence_spm": (60.0, 70.0, 80.0, 100.0, 125.0, 140.0, 160.0),
        "drop_deg": (1.5, 3.0, 6.0, 12.0, 16.0),
    },
    "band-walk": {
        "step_m": (0.06, 0.08, 0.10, 0.25, 0.45, 0.55, 0.65),
        "step_s": (0.6, 0.7, 0.8, 1.4, 2.5, 3.0, 3.5),
        "hinge_deg": (0.0, 15.0, 30.0, 40.0, 45.0),
        "lead_share": (0.4, 0.45, 0.5, 0.65, 0.8, 0.85, 0.9),
        "counter_m": (0.01, 0.03, 0.05, 0.07, 0.09),
        "pause_s": (0.0, 0.5, 1.0, 1.5, 2.0, 2.5),
        "drop_deg": (-8.0, -5.0, 4.0, 12.0, 16.0),
        "profile": ("lead-trail", "one-move", "counter-shift"),
    },
    "single-leg-stance": {
        "shift_m": (0.015, 0.02, 0.03, 0.08, 0.12, 0.15, 0.18),
        "shift_s": (0.3, 0.4, 0.5, 1.0, 2.0, 2.5, 3.0),
        "sway_deg": (0.1, 0.15, 0.2, 0.8, 1.5, 1.8, 2.2),
        "lift_roll_deg": (-4.0, -2.0, 0.0, 3.0, 5.0),
        "lift_lag_s": (-0.5, -0.3, 0.3, 1.0, 1.5),
        "hold_s": (3.0, 5.0, 30.0, 60.0, 90.0),
        "balance_mg": (0.0, 2.0, 4.0, 15.0, 20.0, 25.0),
        "landing_mm": (0.0, 0.5, 3.0, 5.0),
        "shift_profile": ("min-jerk", "even"),
        # The foot leaving with no rise (0: nor a roll transient at the nominal lift_roll_deg 0) is
        # the quiet lift, found where the sway rises (`single_support.sway_onset`).
        "lift_mm": (0.0, 0.1, 0.3, 1.0, 2.0, 3.0, 4.0),
        "wander_mm": (0.0, 2.0, 5.0, 10.0, 12.0, 15.0),
        # Balance corrections from foot-off (issue 14 part 5): at the nominal balance_mg (6) they
        # move no shift fit; the size at which the onset matters (45 mg) is pinned by
        # tests/analysis/test_stance_foot_off_corrections.py.
        "balance_fade_s": (0.05, 0.1, 0.5, 0.8, 1.2),
    },
    "step-down": {
        "shift_m": (0.005, 0.01, 0.02, 0.08, 0.10, 0.12),
        "depth_m": (0.04, 0.06, 0.08, 0.20, 0.25, 0.30),
        "pitch_deg": (3.0, 4.0, 5.0, 15.0, 20.0, 25.0),
        "down_s": (0.6, 0.8, 1.0, 3.0, 4.0, 5.0),
    },
    "single-leg-squat": {
        "shift_m": (0.01, 0.02, 0.03, 0.12, 0.15, 0.18),
        "depth_m": (0.06, 0.09, 0.12, 0.28, 0.32, 0.36),
        "pitch_deg": (6.0, 9.0, 12.0, 35.0, 40.0, 45.0),
        "down_s": (0.5, 0.65, 0.8, 2.5, 3.5, 4.5),
    },
    "clamshell": {
        "rollback_deg": (0.4, 0.6, 0.8, 2.0, 3.0),
        "open_s": (0.4, 0.5, 0.6, 2.0, 3.0, 4.0),
        "pivot_m": (0.05, 0.1, 0.2, 0.3, 0.4),
        # Quiet lying before the first rep (none is the human low end: no margin below 0 exists).
        "still_s": (0.0, 0.5, 1.5, 3.0, 5.0, 8.0),
        "fidget_deg": (0.0, 0.03, 0.05, 0.1, 0.2, 0.25, 0.3),
        # Rest between reps (stop 35; none is below the human low end of 0.2 s).
        "pause_s": (0.0, 0.1, 0.2, 0.6, 1.5, 2.5, 4.0),
    },
}

# How the belt is worn, swept for every detector (SessionSpec fields, not the exercise's): the belt
# slips by this roll right after the standing calibration and stays so (`SessionSpec.mount_slip_deg`;
# the analysis takes its neutral from that standing, so the whole set reads this much off).
SESSION_PARAMS = frozenset({"mount_slip_deg"})
MOUNT_SLIP_DEG = (-2.0, -1.5, -1.0, 0.0, 1.0, 1.5, 2.0)
for _params in MOVEMENT.values():
    _params["mount_slip_deg"] = MOUNT_SLIP_DEG

# Detector thresholds: multiples of the default swept (the detector must find every rep of the
# human-range edge cases and none in the scenes where nobody exercises).
THRESHOLDS: dict[str, tuple[str, ...]] = {
    "walking": ("contact_min_g", "max_step_s"),
    "band-walk": ("min_speed_mps", "min_move_m", "max_pause_s", "pair_log_ratio", "min_step_m", "max_turn_dps"),
    "single-leg-stance": ("min_shift_m", "min_speed_mps", "partner_ratio", "min_support"),
    "step-down": ("min_pitch_deg", "min_descent_cm", "min_move_mps"),
    "single-leg-squat": ("min_pitch_deg", "min_descent_cm", "min_move_mps"),
    "clamshell": ("min_rollback_deg", "min_rep_s"),
}
FACTORS = (0.33, 0.5, 0.7, 1.0, 1.4, 2.0, 3.0)
# Movement parameters whose human-range edge cases join the threshold battery after its scenes
# (added later: the cases before them keep their seeds, so the table stays comparable).
LATE_BATTERY: dict[str, tuple[str, ...]] = {"single-leg-stance": ("lift_mm", "wander_mm", "balance_fade_s")}
# Scenes where nobody exercises, for the detectors that must not count them.
SCENE_KINDS: dict[str, tuple[str, ...]] = {
    "band-walk": ("quiet-standing", "weight-shift", "fidgeting", "stepping-about"),
    "single-leg-stance": ("quiet-standing", "weight-shift", "bending"),
    "step-down": ("quiet-standing", "weight-shift", "bending", "sit-to-stand"),
    "single-leg-squat": ("quiet-standing", "weight-shift", "bending", "sit-to-stand"),
}
# Scenes swept over many seeds, per detector: (scene, how many seeds, most false reps allowed over
# them). One seed per scene (the threshold battery's) passed while 34 of 40 other seeds of the
# weight-shift scene gave false holds (stop 32); the sweep counts every one.
# Each: (exercise, scene, the pelvis' yaw while standing (`Scene.yaw_deg`; None: the classic scene,
# which barely turns), how many seeds, most false reps allowed). The yawing scenes turn as real
# standing does at its most (hapt-dev, `SCENE_YAW_RANGE`'s top: 3 s windows turn up to 26 deg) on
# the same seeds: the same scene plus the turns (issue 14, stop 34).
SCENE_YAW_DEG = 6.0
# Those whose detectors read the sideways move (holds, band-walk steps, the step-down's shift) or
# take a turn on the spot for steps (walking). Stop 34, 40 seeds each, stepping about, weight shift,
# quiet standing and fidgeting turning: no rep but holds (quiet standing 2, weight shift 7 after stop 34's `sway_unseen`;
# quiet standing 1 after stop 35's `stance_turns`). The
# fidgeting scene joined when its look round turned as people do (stop 34: about a pivot, at most
# 40 deg/s; before, 2 of 40 seeds spun the trunk about the pelvis' centre at up to 150 deg/s, which
# the units check refused): 0 false reps in 40 seeds, plain and turning, for every detector but
# the holds'. The holds' fidgeting and stepping about (plain: a foot lifts at each step aside) are
# swept too, as the known limits they are (stop 34: 6 in 6 and 14 in 13), so that the bench shows them
# (stop 35, `stance_roll.moved_between`: 3 in 3 and 0; `stance_roll.sway_unseen`'s short holds: fidgeting 2 in 2).
# Stop 36 (`sway_unseen`: weak foot votes): weight shift turning 6 in 6 -> 4 in 4.
# Stop 37 (`stance_corroboration`: a second sign of one leg where no foot was seen): weight shift 2 in 2 -> 1,
# turning 4 in 4 -> 2 in 2, quiet standing turning 1 -> 0 (seed 66202).
# Stop 41d (`SupportCues.min_landing_g`: a foot-down vote needs a jolt of 15 mg): weight shift 1 in 1 -> 0.
SCENE_SWEEPS: tuple[tuple[str, str, float | None, int, int], ...] = (
    ("single-leg-stance", "weight-shift", None, 40, 0),
    ("single-leg-stance", "weight-shift", SCENE_YAW_DEG, 40, 0),
    ("single-leg-stance", "quiet-standing", SCENE_YAW_DEG, 40, 0),
    ("band-walk", "stepping-about", SCENE_YAW_DEG, 40, 0),
    ("band-walk", "weight-shift", SCENE_YAW_DEG, 40, 0),
    ("walking", "stepping-about", SCENE_YAW_DEG, 40, 0),
    ("step-down", "weight-shift", SCENE_YAW_DEG, 40, 0),
    ("single-leg-stance", "fidgeting", None, 40, 0),
    ("single-leg-stance", "stepping-about", None, 40, 0),
    *((exercise, "fidgeting", yaw_deg, 40, 0)
      for exercise in ("walking", "band-walk", "step-down", "single-leg-squat", "clamshell") for yaw_deg in (None, SCENE_YAW_DEG)),
)
# The sweep's seeds start this far above the bench seed (seed 66202: 67200-67239, stop 32's).
SCENE_SWEEP_SEED_OFFSET = 998
