"""Plain records the store saves and returns, and the inputs the clinician report is built from.

Times inside a session are seconds since the session started (`start_s`, `end_s`); wall-clock
times are timezone-aware UTC `datetime`s. Roll traces are neutral-relative pelvic roll in degrees,
positive = left side higher (hiplevel.constants).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, Protocol

import numpy as np

from hiplevel.store.backend import StoreError

CalibrationState = Literal["ok", "stale", "missing"]
SessionStatus = Literal["recording", "complete", "interrupted"]
SESSION_STATUSES: tuple[str, ...] = ("recording", "complete", "interrupted")
CALIBRATION_STATES: tuple[str, ...] = ("ok", "stale", "missing")

# Ids name files (recordings, reports, exports): letters, digits, '-', '_' and '.', starting with a
# letter or digit, so no id can climb out of a folder ("../x") or hide as a dot-file.
PATIENT_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$")
SESSION_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


def check_patient_id(patient_id: str) -> str:
    """The id when it is a valid patient id; StoreError otherwise."""
    if not isinstance(patient_id, str) or not PATIENT_ID_RE.match(patient_id):
        raise StoreError(f"patient id {patient_id!r}: use 1-32 letters, digits, '-', '_' or '.'")
    return patient_id


def check_session_id(session_id: str) -> str:
    """The id when it is a valid session id; StoreError otherwise."""
    if not isinstance(session_id, str) or not SESSION_ID_RE.match(session_id):
        raise StoreError(f"session id {session_id!r}: use 1-64 letters, digits, '-', '_' or '.', "
                         "starting with a letter or digit")
    return session_id


# Level of each exercise in the clinicians' progression: one table, owned by the scoring layer.
from hiplevel.scoring.summary import EXERCISE_LEVEL  # noqa: E402


class AnalysisLike(Protocol):
    """What `hiplevel.analysis.AnalysisResult` offers (duck-typed so the store does not import it)."""

    t_s: np.ndarray
    roll_deg: np.ndarray

    def to_json(self) -> dict[str, Any]: ...


@dataclass(frozen=True)
class SessionMeta:
    """Everything about a session that is not a set: who, when, which device, data quality.

    gaps: (start_s, duration_s) of each stretch with no samples, seconds since session start.
    thresholds: the scoring thresholds used (e.g. {"drop_flag_deg": 6.0}), as given to analysis.
    analysis_version: `hiplevel.analysis.ANALYSIS_VERSION` that produced the stored sets (0: stored
    before versions were recorded; None: not analysed).
    """

    patient_id: str
    session_id: str | None = None
    started_at: datetime | None = None
    device_id: str | None = None
    firmware: str | None = None
    calibration_state: CalibrationState = "missing"
    calibration_date: str | None = None
    battery_pct: float | None = None
    samples_received: int = 0
    samples_lost: int = 0
    gaps: tuple[tuple[float, float], ...] = ()
    thresholds: dict[str, float] = field(default_factory=dict)
    recording_path: str | None = None
    status: SessionStatus = "complete"
    notes: str | None = None
    analysis_version: int | None = None

    def __post_init__(self) -> None:
        # Ids become file names (reports, recordings): refuse a path where it enters.
        check_patient_id(self.patient_id)
        if self.session_id is not None:
            check_session_id(self.session_id)


@dataclass(frozen=True)
class SetReport:
    """One analysed set: the analysis JSON (schema hiplevel.analysis/1) and its roll trace.

    t_s: (N,) seconds on the clock of the analysis JSON's rep times; roll_deg: (N,) neutral-relative
    roll, deg, positive = left side higher, NaN where samples were lost. start_s: offset, s, that puts
    that clock on the session clock (0 when the analysis ran on the whole session's recording).
    """

    exercise: str
    set_index: int
    start_s: float
    analysis_json: dict[str, Any]
    t_s: np.ndarray
    roll_deg: np.ndarray
    level: int | None = None
    analysis_version: int | None = None

    @property
    def span_s(self) -> tuple[float, float]:
        """(first, last) sample time of the set on the session clock, s."""
        if len(self.t_s) == 0:
            return (self.start_s, self.start_s)
        return (self.start_s + float(self.t_s[0]), self.start_s + float(self.t_s[-1]))

    @property
    def effective_level(self) -> int | None:
        """The level given, else the exercise's level in the progression."""
        return self.level if self.level is not None else EXERCISE_LEVEL.get(self.exercise)

    @property
    def reps(self) -> list[dict[str, Any]]:
        """Rep dicts of the analysis JSON (index, start_s, end_s, side, drop_deg, score, flags)."""
        return list(self.analysis_json.get("reps", []))

    @classmethod
    def from_analysis(
        cls, result: AnalysisLike, set_index: int, start_s: float, level: int | None = None
    ) -> "SetReport":
        """Wrap a `hiplevel.analysis.AnalysisResult` (anything with to_json(), t_s, roll_deg), marked
        with the running `ANALYSIS_VERSION`; its sensor errors, when its turn fit found them, kept
        in the JSON under "sensor_errors" (`analysis.streaming.prior`)."""
        from hiplevel.analysis.version import ANALYSIS_VERSION

        doc = result.to_json()
        errors = getattr(result, "sensor_errors", None)
        if errors is not None and errors.n_turns:
            # The device's sensor errors, for its next live session (`analysis.streaming.prior`).
            from hiplevel.analysis.streaming.prior import SENSOR_ERRORS_KEY, errors_to_json

            doc[SENSOR_ERRORS_KEY] = errors_to_json(errors)
        return cls(
            exercise=str(doc["exercise"]),
            set_index=set_index,
            start_s=float(start_s),
            analysis_json=doc,
            t_s=np.asarray(result.t_s, dtype=float),
            roll_deg=np.asarray(result.roll_deg, dtype=float),
            level=level,
            analysis_version=ANALYSIS_VERSION,
        )


@dataclass(frozen=True)
class SessionInputs:
    """A whole session as the report needs it."""

    meta: SessionMeta
    sets: tuple[SetReport, ...]


@dataclass(frozen=True)
class Patient:
    """A patient: a pseudonymous id; the display name only when one was given."""

    id: str
    created_at: datetime
    display_name: str | None = None


@dataclass(frozen=True)
class SessionRecord:
    """A stored session (metadata only; sets come from `SessionStore.load_session`)."""

    id: str
    patient_id: str
    started_at: datetime
    status: SessionStatus
    meta: SessionMeta
    ended_at: datetime | None = None
    heartbeat_at: datetime | None = None
    n_sets: int = 0
    n_reps: int = 0


@dataclass(frozen=True)
class RecordingQuality:
    """What decoding a recording says about the link: samples received and lost, and the gaps as
    (start_s, duration_s) on the session clock."""

    samples_received: int
    samples_lost: int
    gaps: tuple[tuple[float, float], ...] = ()
