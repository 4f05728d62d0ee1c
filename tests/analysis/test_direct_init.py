"""direct_init: the per-rep frozen dataclasses made by storing into __dict__ are the same objects
as the dataclass-generated __init__ makes (fields, defaults, fresh default factories, equality,
hash, replace, frozen)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import pytest

from hiplevel.direct_init import direct_init
from hiplevel.exercises.base import PhaseWindow, RepWindow
from hiplevel.scoring.reps import Phase, Rep, RepScore


def _plain(cls: type) -> type:
    """The same class with the dataclass-generated __init__ (the reference)."""
    fresh = type(cls.__name__, (), {"__annotations__": dict(cls.__annotations__),
                                    **{f.name: f for f in dataclasses.fields(cls)}})
    return dataclass(frozen=True)(fresh)


CASES = [
    (Rep, (3, 1.5, 2.25, "left", 4.0, 71.5), dict(flags=("pelvic_drop",), details={"step_s": 0.5})),
    (Phase, ("right", 1.0, 2.0, -1.5, 88.0), {}),
    (RepScore, (90.0, ("hip_hike",)), dict(reasons=("rose",))),
    (RepWindow, (10, 60, "left", (12, 58), "right"), dict(robust=True, metrics={"a": 1}, drop_deg=2.0)),
    (PhaseWindow, (10, 30, "left", (10, 30)), dict(drop_deg=None)),
]


@pytest.mark.parametrize("cls, args, kwargs", CASES, ids=[c[0].__name__ for c in CASES])
def test_the_fast_init_makes_the_objects_the_generated_init_makes(cls, args, kwargs) -> None:
    ref = _plain(cls)
    for kw in ({}, kwargs):
        got, want = cls(*args, **kw), ref(*args, **kw)
        assert vars(got) == vars(want)
        assert list(vars(got)) == [f.name for f in dataclasses.fields(cls)]  # every field, in order
        assert got == cls(*args, **kw) and repr(got) == repr(want).replace(ref.__qualname__, cls.__qualname__)
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(cls(*args), dataclasses.fields(cls)[0].name, 0)
    with pytest.raises(TypeError):
        cls(*args[:-1])  # a missing argument is still an error
    name = dataclasses.fields(cls)[0].name
    assert getattr(dataclasses.replace(cls(*args), **{name: 7}), name) == 7


def test_default_factories_give_each_instance_its_own_value() -> None:
    a, b = Rep(0, 0.0, 1.0, "left", 0.0, 100.0), Rep(0, 0.0, 1.0, "left", 0.0, 100.0)
    assert a.details == {} and a.details is not b.details
    assert RepWindow(0, 1, "left", (0, 1), "right").metrics is not RepWindow(0, 1, "left", (0, 1), "right").metrics


def test_a_class_the_fast_init_cannot_copy_is_refused() -> None:
    with pytest.raises(TypeError):
        @direct_init
        @dataclass
        class NotFrozen:
            x: int

    with pytest.raises(TypeError):
        @direct_init
        @dataclass(frozen=True)
        class WithPostInit:
            x: int

            def __post_init__(self) -> None:
                pass

    with pytest.raises(TypeError):
        @direct_init
        @dataclass(frozen=True)
        class KeywordOnly:
            x: int = field(kw_only=True, default=0)

    with pytest.raises(TypeError):
        @direct_init
        @dataclass(frozen=True)
        class NotInInit:
            x: int
            y: int = field(init=False, default=0)
