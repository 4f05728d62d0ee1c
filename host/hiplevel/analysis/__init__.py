"""Analysis: samples in, scored reps out. Two entry points over one set of detectors and scoring.

    res = analyze(series, exercise="walking")              # offline: a whole recording or CSV
    results = analyze_sets(series, sets=[("walking", 12.0, 60.0), ("band-walk", 75.0, 110.0)])
    oa = OnlineAnalyzer("walking", rate_hz=100.0)          # streaming: one sample at a time (live)

`offline` runs the signal layer (fusion, alignment, neutral) over the whole series, then the
exercise detectors (`hiplevel.exercises`) and scoring (`hiplevel.scoring`), in bounded memory for a
recording of any length (`analyze_source` reads a file block by block; docs/analysis.md). `streaming` is the causal
form for live feedback: the same detectors and scoring on a rolling buffer. docs/analysis.md.
"""

from hiplevel.analysis.offline import (
    SCHEMA,
    AnalysisError,
    AnalysisResult,
    Rep,
    analyze,
    analyze_sets,
    analyze_source,
    motion_of,
    score_windows,
    window_drop_deg,
)

__all__ = ["SCHEMA", "AnalysisError", "AnalysisResult", "OnlineAnalyzer", "Rep", "analyze", "analyze_sets",
           "analyze_source", "motion_of", "score_windows", "window_drop_deg"]


def __getattr__(name: str):
    # The live analyser is loaded on first use (PEP 562): `hiplevel analyze` does not need it.
    if name == "OnlineAnalyzer":
        from hiplevel.analysis.streaming import OnlineAnalyzer

        return OnlineAnalyzer
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
