"""The stance sides of all a walk's bouts decided together (`combine_bouts`, `decide_bouts`: one
pass of numpy calls for every bout) are each bout's decided alone, to the bit, with the compiled
chain and without it."""

import numpy as np
import pytest

from hiplevel.exercises.walking_side import CUES, StanceSideDecider


def _bouts(seed: int) -> tuple[list[dict[str, np.ndarray]], list[np.ndarray]]:
    """Random bouts of 1-120 steps: cues of weak, typical and clipped size, repeat probabilities
    at both clamped ends."""
    rng = np.random.default_rng(seed)
    cues, repeat = [], []
    for _ in range(int(rng.integers(1, 12))):
        n = int(rng.integers(1, 120))
        cues.append({c: rng.normal(size=n) * rng.choice([0.05, 1.0, 30.0]) for c in CUES})
        repeat.append(rng.choice([0.0, 0.01, 0.3, 1.0], size=n - 1))
    return cues, repeat


@pytest.mark.parametrize("native", [True, False])
@pytest.mark.parametrize("seed", range(6))
def test_bouts_decided_together_are_each_decided_alone(monkeypatch, seed, native):
    if not native:
        monkeypatch.setenv("HIPLEVEL_NO_NATIVE", "1")
    cues, repeat = _bouts(seed)
    dec = StanceSideDecider()
    scale, weight = dec.cue_weights(cues)
    evidence = dec.combine_bouts(cues, scale, weight)
    together = dec.decide_bouts(evidence, repeat)
    assert len(evidence) == len(together) == len(cues)
    for c, rep, ev, got in zip(cues, repeat, evidence, together):
        alone_ev = dec.combine(c, scale, weight)
        assert ev.tobytes() == alone_ev.tobytes()
        alone = dec.decide(alone_ev, rep)
        assert got.sides == alone.sides
        assert got.confidence.tobytes() == alone.confidence.tobytes()
        assert got.evidence.tobytes() == alone.evidence.tobytes()


def test_bouts_with_other_cues_are_combined_each_alone():
    cues, _ = _bouts(1)
    cues[0] = {c: cues[0][c] for c in reversed(CUES)}  # another order: another sum, so bout by bout
    dec = StanceSideDecider()
    scale, weight = dec.cue_weights(cues)
    for got, c in zip(dec.combine_bouts(cues, scale, weight), cues):
        assert got.tobytes() == dec.combine(c, scale, weight).tobytes()
    assert dec.decide_bouts([], []) == []
