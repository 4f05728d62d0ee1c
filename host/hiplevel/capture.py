"""Record a session from an open sensor: stream, write the recording as it arrives, mark set
boundaries, keep the store's heartbeat, then analyse the recording and store the results.

Pacing of the sets is a separate object (`Pacer`) so the same flow serves a person in front of the
terminal (prompts and a countdown) and the virtual device (the simulated patient's own script).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol


from hiplevel.errors import LinkError
from hiplevel.protocol import Cmd, StreamMode, set_mode_payload
from hiplevel.recording import FILE_SUFFIX, RecordingWriter
from hiplevel.recording.writer import record_link

HEARTBEAT_INTERVAL_S = 5.0
RAW_MODE_MIN_MTU = 27  # docs/protocol.md: a DATA_RAW packet needs 24 bytes of payload
CALIBRATION_STALE_DAYS = 90
STANDING_S = 4.0


@dataclass(frozen=True)
class PlannedSet:
    """One set of the session plan: exercise name, 1-based set number within the session."""

    exercise: str
    number: int
    side: str | None = None


class Pacer(Protocol):
    """Decides when each set starts and ends (awaits until then)."""

    async def set_starts(self, s: PlannedSet) -> None: ...
    async def set_ends(self, s: PlannedSet) -> None: ...


class PromptPacer:
    """A person at the terminal: stand still (for the neutral), go, stop after `set_s` or Enter."""

    def __init__(self, set_s: float, standing_s: float = STANDING_S, rest_s: float = 0.0,
                 say: Callable[[str], None] = print) -> None:
        self.set_s, self.standing_s, self.rest_s, self.say = set_s, standing_s, rest_s, say

    async def set_starts(self, s: PlannedSet) -> None:
        self.say(f"Set {s.number}: {s.exercise}. Stand tall and still, hip bones level, for {self.standing_s:g} s...")
        await asyncio.sleep(self.standing_s)
        self.say(f"Go! {s.exercise} for {self.set_s:g} s (press Enter to finish early).")

    async def set_ends(self, s: PlannedSet) -> None:
        loop = asyncio.get_running_loop()
        if sys.stdin is not None and sys.stdin.isatty():
            enter = loop.run_in_executor(None, sys.stdin.readline)
            await asyncio.wait([enter], timeout=self.set_s)  # whichever comes first
        else:
            await asyncio.sleep(self.set_s)
        self.say(f"Set {s.number} done. Rest.")


class ScriptPacer:
    """The virtual device's simulated patient: a set starts and ends when the stream reaches the
    script's times (the virtual device's clock is the simulation clock). `device`: a held virtual
    device (`open_sensor(hold_virtual=True)`), released when the first set is awaited, i.e. once
    START has been answered, so the stream starts before the script's first set on any machine."""

    POLL_S = 0.01

    def __init__(self, link: Any, sim: Any, say: Callable[[str], None] = lambda _m: None,
                 device: Any = None) -> None:
        self.link, self.say, self.device = link, say, device
        self.times = [(t.start_s, t.end_s) for t in sim.sets]

    async def _until(self, t_s: float) -> None:
        while (newest_device_us(self.link) or 0) < t_s * 1e6:
            if getattr(self.link, "closed", False):
                return
            await asyncio.sleep(self.POLL_S)

    async def set_starts(self, s: PlannedSet) -> None:
        if self.device is not None:
            self.device.release()
            self.device = None
        await self._until(self.times[s.number - 1][0])
        self.say(f"set {s.number}: {s.exercise}")

    async def set_ends(self, s: PlannedSet) -> None:
        await self._until(self.times[s.number - 1][1])


def newest_device_us(link: Any) -> int | None:
    """Device time (us, unwrapped) of the newest sample the link has received, if it tracks it."""
    asm = getattr(link, "assembler", None)
    newest = asm.newest if asm is not None else None
    return None if newest is None else int(newest[1])


def calibration_state(info: dict[str, Any], today: dt.date | None = None) -> tuple[str, str | None]:
    """("ok"|"stale"|"missing", date) from the device's GET_INFO document."""
    if not info.get("calibrated"):
        return "missing", None
    calib_id = str(info.get("calib_id") or "")
    try:
        made = dt.date.fromisoformat(calib_id[:10])
    except ValueError:
        return "missing", None  # an undated calibration cannot be vouched for
    age = ((today or dt.date.today()) - made).days
    return ("stale" if age > CALIBRATION_STALE_DAYS else "ok"), made.isoformat()


async def capture(sensor: Any, writer: RecordingWriter, plan: list[PlannedSet], pacer: Pacer,
                  heartbeat: Callable[[], None] = lambda: None, raw: bool = True) -> dict[str, Any]:
    """Stream from `sensor` into `writer` through the whole plan.

    Returns {"mode", "interrupted", "sets_done", "link_stats"}. If the link ends for good before
    the plan is through (the sensor was lost and did not come back), what arrived is kept, an open
    set is closed at the last sample received, and "interrupted" is True."""
    link = sensor.link
    mtu = getattr(link, "mtu", 512)
    mode = StreamMode.RAW if raw and mtu >= RAW_MODE_MIN_MTU else StreamMode.ROLL
    await link.request(Cmd.SET_MODE, set_mode_payload(mode))
    writer.write_meta(stream_mode=mode.name.lower())
    recorder = asyncio.create_task(record_link(link, writer))
    open_set: list[PlannedSet] = []
    done_sets: list[PlannedSet] = []

    def mark(kind: str, s: PlannedSet) -> None:
        # The device time of the newest sample received marks the boundary exactly on the sample
        # clock (docs/recording.md); the host time stays as the event's own time.
        writer.write_event(kind, exercise=s.exercise, set=s.number, side=s.side, device_t_us=newest_device_us(link))

    async def run_plan() -> None:
        await link.request(Cmd.START)
        for s in plan:
            await pacer.set_starts(s)
            mark("set_start", s)
            open_set.append(s)
            await pacer.set_ends(s)
            mark("set_end", s)
            open_set.remove(s)
            done_sets.append(s)
        await link.request(Cmd.STOP)
        settle = getattr(link, "settle", None)
        if settle is not None:
            await settle()

    async def beat() -> None:
        while True:
            heartbeat()
            await asyncio.sleep(HEARTBEAT_INTERVAL_S)

    beating = asyncio.create_task(beat())
    planning = asyncio.create_task(run_plan())
    interrupted = False
    try:
        await asyncio.wait({planning, recorder}, return_when=asyncio.FIRST_COMPLETED)
        if not planning.done():  # the link ended for good under the plan
            interrupted = True
            planning.cancel()
            for s in open_set:
                mark("set_end", s)
        else:
            planning.result()  # re-raise what went wrong in the plan
    except LinkError:
        interrupted = True  # a command could not reach a lost sensor
        for s in open_set:
            mark("set_end", s)
    finally:
        beating.cancel()
        if not planning.done():
            planning.cancel()
        await link.close()
        await recorder
    return {"mode": mode.name.lower(), "interrupted": interrupted, "sets_done": len(done_sets),
            "link_stats": getattr(link, "stats", None)}


def recording_path(data_dir: Path, session_id: str) -> Path:
    """Where a session's recording lives in the data folder."""
    return data_dir / "recordings" / f"{session_id}{FILE_SUFFIX}"


def analyse_recording(path: Path, thresholds: Any = None) -> tuple[list[Any], Any, dict[str, Any], float | None]:
    """Analyse every labelled set of a recording, read as a stream (`recording.streamed`: two
    passes over the file, never its samples whole in memory; the results of the recording decoded
    whole, `decode_recording` + `analyze_sets`, to the bit).

    Returns the AnalysisResult of each set in order (with its trace: the store keeps it), the data
    quality (`store.RecordingQuality`: samples received and lost, gaps on the session clock), the
    link's loss and timing figures (`DecodedSession.summary()`, plus `set_numbers`: the recorded
    number of each analysed set, and `lost_sets`: the sets that could not be analysed, with the
    reason) and the last battery level reported (%, or None). A set whose samples were all lost is
    listed, never raised on."""
    from hiplevel.analysis import analyze_source
    from hiplevel.cli.inputs import set_markers
    from hiplevel.recording.streamed import RecordingStream
    from hiplevel.store.records import RecordingQuality

    stream = RecordingStream(path)
    session = stream.session
    has_samples = stream.samples > 0 and stream.last_s is not None
    numbered, lost, _warnings = set_markers(session.events, stream) if has_samples else ([], [], [])
    sets = [(exercise, t0, t1) for _, exercise, t0, t1 in numbered]
    results = analyze_source(stream, sets, thresholds, keep_trace=True) if sets else []
    gaps: tuple[tuple[float, float], ...] = ()
    if stream.samples > 1 and stream.last_s is not None and session.gaps:
        # A gap is a run of lost sample slots; place it on the session clock by its slot numbers.
        rate = stream.sample_rate_hz()
        gaps = tuple((stream.time_of_seq(first), count / rate) for first, count in session.gaps)
    battery = session.status[-1][1].battery_pct if session.status else None
    quality = RecordingQuality(session.stats.received, session.stats.lost, gaps)
    # The firmware version is learnt from the recording when the device was not asked before.
    summary = dict(session.summary(), firmware=session.metadata.get("firmware"),
                   set_numbers=[n for n, *_ in numbered], lost_sets=lost)
    return results, quality, summary, battery


def analyse_into_store(store: Any, session_id: str, path: Path, thresholds: Any = None,
                       status: str = "complete") -> tuple[list[Any], dict[str, Any]]:
    """Analyse the recording (`analyse_recording`), store sets/reps and the data quality, finish the session.

    Returns the AnalysisResult of each set, in order, and the link's loss and timing figures
    (`DecodedSession.summary()`)."""
    from hiplevel.store import SetReport

    results, quality, summary, battery = analyse_recording(path, thresholds)
    for number, res in zip(summary["set_numbers"], results):
        store.add_set(session_id, SetReport.from_analysis(res, number, 0.0))
    store.finish_session(session_id, samples_received=quality.samples_received, samples_lost=quality.samples_lost,
                         gaps=quality.gaps, battery_pct=battery, status=status,
                         firmware=summary.get("firmware"))
    return results, summary


def describe_link(summary: dict[str, Any]) -> str:
    """One line on what arrived: samples, resent, lost in how many gaps, clock drift and jitter."""
    drift = summary["drift_ppm"]
    # A virtual device run faster than real time shows as an enormous "drift": say what it is.
    clock = (f"clock drift {drift:+.0f} ppm" if abs(drift) < 1e4
             else f"device clock ran {1.0 / max(1.0 + drift * 1e-6, 1e-9):.0f}x host time (accelerated virtual device)")
    steps = summary.get("clock_steps_s") or []
    if steps:  # the host's receive clock stepped: taken out of the fit, said so (docs/recording.md)
        clock += f", host clock stepped {len(steps)}x ({', '.join(f'{s:+.1f} s' for s in steps)}; samples keep device time)"
    return (f"{summary['samples']} samples received ({summary['resent']} resent), {summary['lost']} lost in "
            f"{summary['gaps']} gaps ({summary['loss_pct']:.2f} %), {summary['duplicated']} duplicates dropped, "
            f"{sum(summary['packet_errors'].values())} bad packets; sample rate {summary['rate_hz']:.2f} Hz, "
            f"jitter {summary['jitter_rms_us']:.0f} us RMS, {clock}")
