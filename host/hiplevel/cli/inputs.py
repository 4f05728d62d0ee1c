"""Turn an input file into samples for analysis: a hiplevel recording or an IMU CSV (plain or gzip),
told apart by content (not by the file name), with a clear error for anything else, plus what went
wrong on the way in (repairs, damage, lost sets) for `hiplevel analyze` to report."""

from __future__ import annotations

import gzip
import zlib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from hiplevel.cli.common import CliError
from hiplevel.samples import ImuSeries, RollSeries

# A set needs at least this many samples in its span to be analysed (analyze_sets' own minimum).
MIN_SET_SAMPLES = 10


@dataclass(frozen=True)
class LoadedInput:
    """Samples plus what the file says about its sets: (exercise, start_s, end_s) on the series clock.

    kind: "csv" or "recording". set_numbers: the recorded number of each of `sets` (1-based).
    source: the file as the analysis reads it, block by block (series is None): a CSV (its repairs
    and skipped lines are known once it has been read: `after_reading`) or a recording (a
    `RecordingStream`: its damage, losses and sets are known from its first pass).
    warnings: sentences on what was repaired or lost on the way in.
    lost_sets: sets the file recorded that cannot be analysed ({set, exercise, reason}).
    damaged: a recording whose integrity check failed in the middle (records skipped).
    report: the facts behind the warnings as plain data (the JSON `input` field)."""

    series: ImuSeries | RollSeries | None
    sets: list[tuple[str, float, float]] = field(default_factory=list)
    meta: dict = field(default_factory=dict)
    kind: str = "csv"
    warnings: list[str] = field(default_factory=list)
    lost_sets: list[dict[str, Any]] = field(default_factory=list)
    damaged: bool = False
    report: dict[str, Any] = field(default_factory=dict)
    set_numbers: list[int] = field(default_factory=list)
    source: Any = None

    def after_reading(self) -> LoadedInput:
        """For a CSV read by the analysis: its warnings and report, now that it has been read."""
        if self.source is None or self.kind != "csv":
            return self
        src = self.source
        return replace(self, warnings=list(src.warnings),
                       report={"kind": "csv", "samples": src.samples, "repairs": list(src.repairs)})


def _head(path: Path, n: int = 4096) -> bytes:
    """The first bytes of the file's content (of the uncompressed content for gzip)."""
    with path.open("rb") as f:
        head = f.read(n)
    if head.startswith(b"\x1f\x8b"):
        try:
            with gzip.open(path, "rb") as g:
                return g.read(n)
        except (OSError, EOFError, zlib.error):
            return head
    return head


def _looks_like_text(head: bytes) -> bool:
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return True  # UTF-16 with a byte order mark
    try:
        text = head.removeprefix(b"\xef\xbb\xbf").decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 4:  # not just a character cut at the end of the sample
            return False
        text = head[: exc.start].decode("utf-8", errors="ignore")
    return bool(text.strip()) and all(c.isprintable() or c in "\r\n\t" for c in text)


def load_input(path: Path) -> LoadedInput:
    """Read `path` as an IMU CSV or a hiplevel recording; CliError naming the problem otherwise."""
    from hiplevel.errors import RecordingError
    from hiplevel.recording.format import FORMAT_NAME

    head = _head(path)
    if head.startswith(b"{") and FORMAT_NAME.encode() in head.split(b"\n", 1)[0]:
        return load_recording(path)
    if _looks_like_text(head):
        return load_csv(path)
    try:
        return load_recording(path)
    except RecordingError as exc:
        from hiplevel.imu_csv import HEADER_HELP

        raise CliError(f"{exc}; nor is it an IMU CSV ({HEADER_HELP})") from None


def load_csv(path: Path) -> LoadedInput:
    """An IMU CSV, to be read block by block by the analysis (its header is checked now); its
    repairs become warnings (how many samples, first line) once read (`after_reading`)."""
    from hiplevel.imu_csv import csv_source

    return LoadedInput(series=None, kind="csv", source=csv_source(path))


def sets_from_events(events: list[tuple[float, dict]], end_s: float | None = None) -> list[tuple[str, float, float]]:
    """(exercise, start_s, end_s) of every recorded set. A set whose end marker is missing (a crash,
    a lost sensor, a damaged file) ends where the next set starts, or at `end_s`, the last sample,
    when given; otherwise it is left out."""
    return [s[1:] for s in _set_spans(events, end_s)[0]]


def _set_spans(events: list[tuple[float, dict]], end_s: float | None
               ) -> tuple[list[tuple[int, str, float, float]], list[int], list[tuple[int, str]]]:
    """([(number, exercise, start_s, end_s)] in time order, numbers closed without an end marker,
    [(number, exercise)] of end markers without a start)."""
    closed: list[tuple[int, str, float, float]] = []
    open_sets: dict[int, tuple[str, float]] = {}
    orphan_ends: list[tuple[int, str]] = []
    for t, ev in events:
        if ev.get("type") == "set_start":
            open_sets[int(ev.get("set", len(closed) + len(open_sets) + 1))] = (str(ev["exercise"]), t)
        elif ev.get("type") == "set_end":
            number = int(ev.get("set", 0))
            started = open_sets.pop(number, None)
            if started is not None:
                closed.append((number, started[0], started[1], t))
            else:
                orphan_ends.append((number, str(ev.get("exercise", "?"))))
    starts = sorted([s[2] for s in closed] + [t0 for _, t0 in open_sets.values()])
    unclosed: list[int] = []
    for number, (exercise, t0) in open_sets.items():
        later = [t for t in starts if t > t0]
        stop = min(later) if later else end_s
        if stop is not None and stop > t0:
            closed.append((number, exercise, t0, stop))
            unclosed.append(number)
    return sorted(closed, key=lambda s: s[2]), unclosed, orphan_ends


class _Times:
    """Sample times in memory, asked as a `RecordingStream` is (`set_markers`)."""

    def __init__(self, t_s: np.ndarray) -> None:
        self.t = np.asarray(t_s, float)
        self.last_s = float(self.t[-1]) if len(self.t) else None

    def count_between(self, t0: float, t1: float) -> int:
        return int(np.searchsorted(self.t, t1) - np.searchsorted(self.t, t0))


def set_markers(events: list[tuple[float, dict]], t_s: Any
                ) -> tuple[list[tuple[int, str, float, float]], list[dict], list[str]]:
    """The sets to analyse [(number, exercise, start_s, end_s)], the sets that cannot be ({set,
    exercise, reason}) and warnings about repaired markers, from a recording's events and its
    samples' times: an array, or anything with `last_s` and `count_between(t0, t1)` (a
    `recording.streamed.RecordingStream`, which does not hold them)."""
    times = t_s if hasattr(t_s, "count_between") else _Times(t_s)
    spans, unclosed, orphan_ends = _set_spans(events, times.last_s)
    lost: list[dict] = [{"set": n, "exercise": ex, "reason": "its start marker is missing (damaged or lost part of the file)"}
                        for n, ex in orphan_ends]
    known = {s[0] for s in spans} | {n for n, _ in orphan_ends}
    lost += [{"set": n, "exercise": None, "reason": "both its markers are missing (damaged or lost part of the file)"}
             for n in range(1, max(known, default=0)) if n not in known]
    warnings = []
    sets = []
    for number, exercise, t0, t1 in spans:
        n = times.count_between(t0, t1)
        if n < MIN_SET_SAMPLES:
            lost.append({"set": number, "exercise": exercise,
                         "reason": f"no samples arrived between {t0:.1f} and {t1:.1f} s (all lost)"})
            continue
        if number in unclosed:
            warnings.append(f"set {number} ({exercise}) has no end marker: taken to end at {t1:.1f} s, where the next "
                            "set or the recording ends")
        sets.append((number, exercise, t0, t1))
    lost.sort(key=lambda d: d["set"])
    return sets, lost, warnings


def load_recording(path: Path) -> LoadedInput:
    """A hiplevel recording, read as a stream (`recording.streamed`: the analysis reads its samples
    again block by block): raw 6-axis samples when it has them (host fusion), else the device roll;
    its damage, link losses and lost sets become warnings."""
    from hiplevel.cli.input_report import recording_report
    from hiplevel.recording.streamed import RecordingStream

    stream = RecordingStream(path)
    session = stream.session
    if not stream.samples or stream.last_s is None:
        raise CliError(f"{path} holds no samples ({session.summary()['samples']} received)")
    meta = dict(session.metadata)
    meta["link_summary"] = session.summary()
    sets, lost, set_warnings = set_markers(session.events, stream)
    warnings, report = recording_report(session, lost)
    return LoadedInput(series=None, source=stream, sets=[s[1:] for s in sets], meta=meta, kind="recording",
                       warnings=warnings + set_warnings, lost_sets=lost,
                       damaged=any(d.offset >= 0 for d in session.damage) or bool(lost), report=report,
                       set_numbers=[s[0] for s in sets])
