"""Motion simulator: a virtual patient with ground truth (docs/simulator.md).

    spec = SessionSpec([ExerciseSpec("walking", reps=20, weak_side="left", drop_deg=9.0)], rate_hz=100.0, seed=1)
    sim = simulate_session(spec)   # sim.imu, sim.truth, sim.reps, sim.sets
    write_session(sim, "out/")     # imu.csv, truth.json, truth_orientation.csv
    write_chip_stream(sim, "out/session.chip", mount_axes=["-z", "y", "x"])
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

# Loaded on first use (PEP 562): `hiplevel analyze` reads the simulate command's argument types
# from `hiplevel.sim.cli` and should not import the simulator's scipy modules (~1 s).
_WHERE = {
    "ChipStream": "chip_stream", "read_chip_stream": "chip_stream", "write_chip_stream": "chip_stream",
    "truth_dict": "files", "write_session": "files",
    "ImuModelParams": "imu_model",
    "LabelRules": "labels",
    "RepMatch": "matching", "match_reps": "matching",
    "StillRecording": "session", "simulate_session": "session", "simulate_still": "session",
    "ExerciseSpec": "spec", "SessionSpec": "spec", "SimSession": "spec", "TruePhase": "spec", "TrueRep": "spec",
    "TrueSet": "spec", "TruthOrientation": "spec",
    "HUMAN_RANGES": "strategies", "BandStepStrategy": "strategies", "ClamshellStrategy": "strategies",
    "HoldStrategy": "strategies", "LoweringStrategy": "strategies", "Scene": "strategies", "draw_strategy": "strategies",
}

if TYPE_CHECKING:
    from hiplevel.sim.chip_stream import ChipStream, read_chip_stream, write_chip_stream
    from hiplevel.sim.files import truth_dict, write_session
    from hiplevel.sim.imu_model import ImuModelParams
    from hiplevel.sim.labels import LabelRules
    from hiplevel.sim.matching import RepMatch, match_reps
    from hiplevel.sim.session import StillRecording, simulate_session, simulate_still
    from hiplevel.sim.spec import ExerciseSpec, SessionSpec, SimSession, TruePhase, TrueRep, TrueSet, TruthOrientation
    from hiplevel.sim.strategies import (HUMAN_RANGES, BandStepStrategy, ClamshellStrategy, HoldStrategy, LoweringStrategy,
                                         Scene, draw_strategy)


def __getattr__(name: str) -> object:
    if name in _WHERE:
        value = getattr(importlib.import_module(f"hiplevel.sim.{_WHERE[name]}"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'hiplevel.sim' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(list(globals()) + list(_WHERE))


__all__ = [
    "HUMAN_RANGES",
    "BandStepStrategy",
    "ClamshellStrategy",
    "HoldStrategy",
    "LoweringStrategy",
    "Scene",
    "TruePhase",
    "draw_strategy",
    "ChipStream",
    "ExerciseSpec",
    "ImuModelParams",
    "LabelRules",
    "RepMatch",
    "SessionSpec",
    "SimSession",
    "StillRecording",
    "TrueRep",
    "TrueSet",
    "TruthOrientation",
    "match_reps",
    "read_chip_stream",
    "simulate_session",
    "simulate_still",
    "truth_dict",
    "write_chip_stream",
    "write_session",
]
