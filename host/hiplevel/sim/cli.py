"""`hiplevel simulate` (also `python -m hiplevel.sim`): write a labelled simulated session.

    hiplevel simulate OUT_DIR -e walking:reps=20,weak_side=left,drop_deg=9 -e band-walk:reps=12,sets=2 \
        --rate 100 --seed 1 --mount 2,-3,0 [--chip] [--clean]
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from hiplevel.constants import DEFAULT_MOUNT_AXES

# The main CLI builds this command's parser for every command (`analyze` too): the simulator's
# modules (spec, strategies, the IMU model, numpy) are imported when a simulate argument is read.

if TYPE_CHECKING:
    from hiplevel.sim.spec import ExerciseSpec


@cache
def _field_types() -> dict[str, object]:
    from hiplevel.sim.spec import ExerciseSpec

    return {f.name: f.type for f in dataclasses.fields(ExerciseSpec)}


def parse_exercise(text: str) -> ExerciseSpec:
    """'name:key=value,key=value' -> ExerciseSpec (values typed by the ExerciseSpec field); keys of
    the exercise's strategy (`hiplevel.sim.strategies`) build it, e.g.
    'band-walk:reps=8,profile=one-move,step_s=1.8'."""
    from hiplevel.sim.spec import ExerciseSpec
    from hiplevel.sim.strategies import is_strategy_field, strategy_class

    _FIELD_TYPES = _field_types()
    name, _, rest = text.partition(":")
    kwargs: dict[str, object] = {}
    strategy: dict[str, object] = {}
    cls = strategy_class(name.strip())
    for item in filter(None, rest.split(",")):
        key, _, value = item.partition("=")
        key = key.strip().replace("-", "_")
        if cls is not None and key != "strategy" and key not in _FIELD_TYPES and is_strategy_field(name.strip(), key):
            kind = {f.name: str(f.type) for f in dataclasses.fields(cls)}[key]
            strategy[key] = value if ("Profile" in kind or "str" in kind) else float(value)
            continue
        if key not in _FIELD_TYPES or key in ("name", "strategy"):
            raise argparse.ArgumentTypeError(f"unknown exercise option {key!r}")
        kind = str(_FIELD_TYPES[key])
        try:
            if value.lower() in ("none", ""):
                kwargs[key] = None
            elif kind.startswith("int"):
                kwargs[key] = int(value)
            elif kind.startswith("bool"):
                kwargs[key] = value.lower() in ("1", "true", "yes")
            elif "Side" in kind:
                kwargs[key] = value
            else:
                kwargs[key] = float(value)
        except ValueError:
            what = "a whole number" if kind.startswith("int") else "a number"
            raise argparse.ArgumentTypeError(f"{key}={value!r} in {text!r}: {key} must be {what}") from None
    try:
        if strategy:
            kwargs["strategy"] = cls(**strategy)  # type: ignore[misc]
        return ExerciseSpec(name.strip(), **kwargs)  # type: ignore[arg-type]
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{text!r}: {exc}") from exc


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of the simulate command (for the main CLI's sub-parser)."""
    parser.add_argument("out_dir", type=Path, help="folder for imu.csv, truth.json, truth_orientation.csv")
    parser.add_argument("-e", "--exercise", type=parse_exercise, action="append", required=True,
                        help="NAME[:key=value,...] with ExerciseSpec fields, repeatable, in session order")
    parser.add_argument("--rate", type=float, default=100.0, help="output rate, Hz (50..200)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--mount", default="0,0,0", help="mount offset roll,pitch,yaw, deg")
    parser.add_argument("--clean", action="store_true", help="ideal sensor: no noise, bias, jitter")
    parser.add_argument("--standing", type=float, default=4.0, help="quiet standing before each set, s")
    parser.add_argument("--rest", type=float, default=8.0, help="rest after each set, s")
    parser.add_argument("--chip", action="store_true", help="also write session.chip for the virtual device")
    parser.add_argument("--mount-axes", default=",".join(DEFAULT_MOUNT_AXES), help="board axes for the chip stream")


def run(args: argparse.Namespace) -> int:
    """Simulate and write; prints a one-line summary per set."""
    # Imported here: the main CLI builds this command's parser for every command (`analyze` too).
    from hiplevel.sim.chip_stream import write_chip_stream
    from hiplevel.sim.files import write_session
    from hiplevel.sim.session import simulate_session
    from hiplevel.sim.spec import SessionSpec

    mount = tuple(float(x) for x in args.mount.split(","))
    if len(mount) != 3:
        raise SystemExit("--mount needs roll,pitch,yaw")
    spec = SessionSpec(exercises=args.exercise, rate_hz=args.rate, seed=args.seed, mount_offset_deg=mount,  # type: ignore[arg-type]
                       noise=not args.clean, standing_s=args.standing, rest_s=args.rest)
    sim = simulate_session(spec)
    write_session(sim, args.out_dir)
    if args.chip:
        write_chip_stream(sim, args.out_dir / "session.chip", mount_axes=args.mount_axes.split(","))
    for s in sim.sets:
        reps = [r for r in sim.reps if (r.exercise, r.set_index) == (s.exercise, s.set_index)]
        flagged = sum(1 for r in reps if r.flags)
        print(f"{s.exercise} set {s.set_index + 1}: {len(reps)} reps, {flagged} flagged, "
              f"{s.start_s:.1f}-{s.end_s:.1f} s")
    print(f"wrote {args.out_dir} ({len(sim.imu)} samples at {spec.rate_hz:g} Hz)")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="hiplevel simulate", description="Write a labelled simulated session.")
    add_arguments(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
