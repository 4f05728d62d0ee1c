"""Per-bout neutral for walking in daily-life data: each walking bout's drops are measured against
the quiet standing before it (`bout_neutral` in the walking detector, `window_drop_deg` in the
analysis), not against the set's first standing."""

import numpy as np

from hiplevel.analysis import score_windows, window_drop_deg
from hiplevel.exercises import Motion, RepWindow
from hiplevel.exercises.walking_drops import bout_neutral
from hiplevel.scoring import Thresholds

RATE_HZ = 50.0
STEP_S = 0.5
DROP_DEG = 5.0


def day_with_two_walks(second_level_deg: float):
    """Standing at the set's neutral (0 deg), a 6-step walk, standing at second_level_deg (the belt
    shifted), a second 6-step walk. Every step the swing side drops DROP_DEG below the standing
    just before its walk. Returns the Motion and each walk's contact indices."""
    stand = int(3 * RATE_HZ)
    step = int(STEP_S * RATE_HZ)
    roll, still, contacts = [], [], []
    for level in (0.0, second_level_deg):
        roll.append(np.full(stand, level))
        still.append(np.ones(stand, bool))
        start = sum(len(r) for r in roll)
        bump = np.sin(np.pi * np.arange(step) / step)
        # Stance alternates left, right, ...: the swing side (right, left, ...) drops.
        for k in range(6):
            sign = 1.0 if k % 2 == 0 else -1.0  # right side down = roll up
            roll.append(level + sign * DROP_DEG * bump)
            still.append(np.zeros(step, bool))
        contacts.append(start + step * np.arange(7))
    roll.append(np.full(stand, second_level_deg))
    still.append(np.ones(stand, bool))
    roll_all = np.concatenate(roll)
    n = len(roll_all)
    m = Motion(t_s=np.arange(n) / RATE_HZ, rate_hz=RATE_HZ, roll_deg=roll_all, pitch_deg=np.zeros(n),
               acc_lin_g=None, gyro_dps=None, still=np.concatenate(still))
    return m, contacts


def walk_windows(m: Motion, contacts) -> list[RepWindow]:
    """Step windows as the walking detector builds them (stance left, right, ...; swing measured)."""
    out = []
    for c in contacts:
        neutral = bout_neutral(m, c)
        for k in range(len(c) - 1):
            stance, swing = ("left", "right") if k % 2 == 0 else ("right", "left")
            a, b = int(c[k]), int(c[k + 1])
            out.append(RepWindow(a, b, stance, (a, b), swing, metrics={"step_s": STEP_S, **neutral}))
    return out


def test_each_bout_is_measured_against_its_own_standing():
    m, contacts = day_with_two_walks(second_level_deg=2.0)
    windows = walk_windows(m, contacts)
    assert windows[0].metrics["bout_neutral_deg"] == 0.0
    assert windows[-1].metrics["bout_neutral_deg"] == 2.0 and windows[-1].metrics["bout_neutral_s"] is not None
    reps = score_windows("walking", m, windows, Thresholds())
    assert len(reps) == 12
    # Against the set neutral the second walk would read 3 deg (left) and 7 deg (right).
    assert np.allclose([r.drop_deg for r in reps], DROP_DEG, atol=0.05)
    assert {r.side for r in reps[6:]} == {"left", "right"}


def test_without_standing_before_a_bout_the_set_neutral_is_used():
    m, contacts = day_with_two_walks(second_level_deg=2.0)
    w = walk_windows(m, contacts)[-1]  # swing left, bout level 2 deg: 3 deg below the set neutral
    no_standing = RepWindow(w.start, w.end, w.side, w.win, w.measure_side,
                            metrics={**w.metrics, "bout_neutral_s": None})
    assert abs(window_drop_deg(m, w) - DROP_DEG) < 0.05
    assert abs(window_drop_deg(m, no_standing) - (DROP_DEG - 2.0)) < 0.05


def test_a_detector_measured_drop_still_wins():
    m, contacts = day_with_two_walks(second_level_deg=2.0)
    w = walk_windows(m, contacts)[-1]
    own = RepWindow(w.start, w.end, w.side, w.win, w.measure_side, metrics=w.metrics, drop_deg=1.25)
    assert window_drop_deg(m, own) == 1.25


def day_with_lying_between_walks():
    """Standing at the set's neutral (0 deg), a 6-step walk, 3 s lying on the right side (still,
    roll -85 deg), 1 s getting up, a second 6-step walk at the standing level (0 deg). As in
    hapt-dev's daily-life sessions, the only still stretch right before the second walk is the lying."""
    stand, lie, rise, step = int(3 * RATE_HZ), int(3 * RATE_HZ), int(1 * RATE_HZ), int(STEP_S * RATE_HZ)
    bump = np.sin(np.pi * np.arange(step) / step)
    roll, still, contacts = [np.zeros(stand)], [np.ones(stand, bool)], []

    def walk():
        start = sum(len(r) for r in roll)
        for k in range(6):
            roll.append((1.0 if k % 2 == 0 else -1.0) * DROP_DEG * bump)
            still.append(np.zeros(step, bool))
        contacts.append(start + step * np.arange(7))

    walk()
    roll += [np.full(lie, -85.0), np.linspace(-85.0, 0.0, rise)]
    still += [np.ones(lie, bool), np.zeros(rise, bool)]
    walk()
    roll_all = np.concatenate(roll)
    n = len(roll_all)
    m = Motion(t_s=np.arange(n) / RATE_HZ, rate_hz=RATE_HZ, roll_deg=roll_all, pitch_deg=np.zeros(n),
               acc_lin_g=None, gyro_dps=None, still=np.concatenate(still))
    return m, contacts


def test_lying_is_no_neutral_for_a_walk():
    m, contacts = day_with_lying_between_walks()
    neutral = bout_neutral(m, contacts[1])
    # The standing at the start is the nearest upright stretch within the lookback.
    assert neutral["bout_neutral_deg"] == 0.0 and neutral["bout_neutral_s"] == 0.0
    reps = score_windows("walking", m, walk_windows(m, contacts), Thresholds())
    # Against the lying the second walk's drops would read 80-90 deg.
    assert np.allclose([r.drop_deg for r in reps], DROP_DEG, atol=0.05)
