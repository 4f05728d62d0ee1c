"""`write_json` writes json.dump(obj, fh, indent=...)'s characters: nesting, empty containers,
special floats, non-ASCII text, non-string keys, subclasses, lazily built lists (the reps of
`hiplevel analyze`), the same TypeError for what JSON cannot hold, and a real analysis document."""

from __future__ import annotations

import enum
import io
import json

import numpy as np
import pytest

from hiplevel.cli.json_writer import FLUSH_PIECES, write_json


def _text(obj, indent: int = 1) -> str:
    fh = io.StringIO()
    write_json(obj, fh, indent=indent)
    return fh.getvalue()


class _Level(enum.IntEnum):
    LOW = 2


class _Lazy(list):
    """As `analysis.offline.RepDocs`: empty itself, its items made when iterated."""

    def __init__(self, n: int) -> None:
        super().__init__()
        self._n = n

    def __iter__(self):
        return ({"i": k, "x": k / 7} for k in range(self._n))

    def __len__(self) -> int:
        return self._n

    def __bool__(self) -> bool:
        return self._n > 0


CASES = [
    {},
    [],
    "plain",
    3.0,
    None,
    {"a": [], "b": {}, "c": [[]], "d": [{}], "e": [1, [2, [3, {"f": None}]]]},
    {"nan": float("nan"), "inf": float("inf"), "-inf": -float("inf"), "tiny": 5e-324, "big": 1e300, "neg0": -0.0},
    {"text": "Ü – drop \"left\"\n\t\\ é 𝄞", "ctrl": "\x00\x1f"},
    {1: "int key", 2.5: "float key", True: "t", False: "f", None: "n"},
    {"tuple": (1, 2.0, "3"), "bools": [True, False, None], "big_int": 10**30, "neg": -7},
    {"np_float": np.float64(1.25), "enum": _Level.LOW, "str_sub": type("S", (str,), {})("s")},
    {"lazy": _Lazy(3), "empty_lazy": _Lazy(0)},
]


@pytest.mark.parametrize("obj", CASES, ids=range(len(CASES)))
@pytest.mark.parametrize("indent", [1, 2])
def test_the_text_is_json_dumps(obj, indent: int) -> None:
    assert _text(obj, indent) == json.dumps(obj, indent=indent)


def test_a_long_list_is_written_in_pieces_with_the_same_text() -> None:
    obj = {"reps": _Lazy(3 * FLUSH_PIECES), "summary": {"n": 1}}
    writes: list[str] = []

    class Spy(io.StringIO):
        def write(self, s: str) -> int:
            writes.append(s)
            return super().write(s)

    fh = Spy()
    write_json(obj, fh, indent=1)
    assert fh.getvalue() == json.dumps(obj, indent=1)
    assert len(writes) > 3


@pytest.mark.parametrize("bad", [{"x": np.int64(3)}, {"x": {1, 2}}, {(1, 2): "tuple key"}, [object()]])
def test_what_json_cannot_hold_raises_the_same_type_error(bad) -> None:
    with pytest.raises(TypeError) as ours:
        _text(bad)
    with pytest.raises(TypeError) as theirs:
        json.dumps(bad, indent=1)
    assert str(ours.value) == str(theirs.value)


def test_an_analysis_document_is_written_as_json_dump_writes_it(tmp_path) -> None:
    from hiplevel.analysis import analyze
    from hiplevel.sim import ExerciseSpec, SessionSpec, simulate_session

    sim = simulate_session(SessionSpec([ExerciseSpec("walking", reps=20, weak_side="left")], seed=4))
    res = analyze(sim.imu, "walking")
    doc = dict(res.to_json(lazy_reps=True), input={"path": str(tmp_path), "warnings": [], "damaged": False})
    assert len(doc["reps"]) >= 10
    assert _text(doc) == json.dumps(dict(res.to_json(), input=doc["input"]), indent=1)
