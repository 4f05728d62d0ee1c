"""Section 9 of the benchmark: whether the live analyser tells the offline analysis' story."""

from __future__ import annotations

from bench.live_split import LiveTally, add_story


def _rep(start, side, drop, flags=()):
    return {"start_s": start, "end_s": start + 0.5, "side": side, "drop_deg": drop, "flags": list(flags),
            "score": 30.0 if flags else 100.0}


def test_same_leg_and_drop_words_are_counted_per_rep_and_verdicts_per_recording():
    off = [_rep(1.0, "left", 9.0, ["pelvic_drop"]), _rep(1.5, "right", 2.0), _rep(2.0, "left", 3.0),
           _rep(2.5, "right", -2.0, ["hip_hike"])]
    live = [_rep(1.05, "left", 8.5, ["pelvic_drop"]),  # same leg, same words
            _rep(1.55, "right", 2.2),  # same leg, level both
            _rep(2.05, "right", 3.0),  # the other leg
            _rep(2.55, "right", 2.0),  # same leg, level where offline saw a hike
            _rep(9.0, "left", 1.0)]  # no offline rep there: not compared
    t = LiveTally()
    add_story(t, "walking", live, off)
    assert (t.both, t.same_side, t.same_words) == (4, 3, 2)
    # Per-leg verdicts: offline has a hike on the right leg, live does not.
    assert (t.findings, t.same_findings) == (1, 0)
    add_story(t, "walking", off, off)
    assert (t.both, t.same_side, t.same_words, t.findings, t.same_findings) == (8, 7, 6, 2, 1)
    assert "same leg 87.5 %" in t.story() and "1/2 recordings" in t.story()


def test_each_step_difference_is_put_down_to_the_decision_that_differs():
    from bench.live_split import step_cause, step_row, worst_steps

    off = _rep(1.0, "left", 3.4)
    assert step_cause(_rep(1.0, "right", -2.0), off) == "side"
    assert step_cause(_rep(1.1, "left", 1.0), off) == "window"
    assert step_cause(dict(_rep(1.0, "left", 2.9), bout_neutral_deg=0.5), off) == "bout neutral"
    # Drop 3.4 against rise 3.3 offline; live's roll 0.2 deg lower reads a rise of 3.5: a hike.
    assert step_cause(_rep(1.0, "left", -3.5), off) == "sign flip"
    assert step_cause(_rep(1.0, "left", 2.9), off) == "level"
    t = LiveTally()
    t.steps = [step_row("a", _rep(1.0, "left", -3.5), off), step_row("a", _rep(2.0, "left", 3.0), _rep(2.0, "left", 3.1))]
    lines = worst_steps(t, 1)
    assert lines[0].startswith("a   1.00 s: live  -3.50 offline  +3.40") and lines[0].endswith("sign flip")
    assert lines[-1] == "1 steps differ by > 2 deg: sign flip 1"
