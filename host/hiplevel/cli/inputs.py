"""Turn an input file into samples for analysis: a hiplevel recording or an IMU CSV, told apart by
content (not by the file name), with a clear error for anything else."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from hiplevel.cli.common import CliError
from hiplevel.samples import ImuSeries, RollSeries


@dataclass(frozen=True)
class LoadedInput:
    """Samples plus what the file says about its sets: (exercise, start_s, end_s) on the series clock."""

    series: ImuSeries | RollSeries
    sets: list[tuple[str, float, float]] = field(default_factory=list)
    meta: dict = field(default_factory=dict)


def _looks_like_csv(path: Path) -> bool:
    with path.open("rb") as f:
        head = f.read(4096)
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError:
        return False
    first = next((ln for ln in text.splitlines() if ln.strip() and not ln.startswith("#")), "")
    return first.replace(" ", "").startswith("t_s,")


def load_input(path: Path) -> LoadedInput:
    """Read `path` as an IMU CSV or a hiplevel recording; CliError naming the problem otherwise."""
    if path.is_file() and _looks_like_csv(path):
        from hiplevel.imu_csv import read_imu_csv

        return LoadedInput(series=read_imu_csv(path))
    return load_recording(path)


def sets_from_events(events: list[tuple[float, dict]], end_s: float | None = None) -> list[tuple[str, float, float]]:
    """(exercise, start_s, end_s) of every recorded set. A set still open when the recording stops
    (a crash, a lost sensor) ends at `end_s`, the last sample, when given; otherwise it is left out."""
    sets: list[tuple[str, float, float]] = []
    open_sets: dict[int, tuple[str, float]] = {}
    for t, ev in events:
        if ev.get("type") == "set_start":
            open_sets[int(ev.get("set", len(sets) + 1))] = (str(ev["exercise"]), t)
        elif ev.get("type") == "set_end":
            started = open_sets.pop(int(ev.get("set", 0)), None)
            if started is not None:
                sets.append((started[0], started[1], t))
    if end_s is not None:
        sets += [(exercise, t0, end_s) for exercise, t0 in open_sets.values() if end_s > t0]
    return sorted(sets, key=lambda s: s[1])


def load_recording(path: Path) -> LoadedInput:
    """A hiplevel recording: raw 6-axis samples when it has them (host fusion), else the device roll."""
    from hiplevel.recording import decode_recording

    session = decode_recording(path)
    series = session.imu if session.imu is not None and len(session.imu) else session.roll
    if series is None or len(series) == 0:
        raise CliError(f"{path} holds no samples ({session.summary()['samples']} received)")
    meta = dict(session.metadata)
    meta["link_summary"] = session.summary()
    return LoadedInput(series=series, sets=sets_from_events(session.events, end_s=float(series.t_s[-1])), meta=meta)
