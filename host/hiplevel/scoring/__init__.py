"""Scoring layer: the clinical thresholds table, rep scores with flags and reasons, set/session
summaries and progression advice (domain primer rules)."""

from hiplevel.scoring.reps import Phase, Rep, RepScore, RepScorer, drop_score, measured_side, score_rep
from hiplevel.scoring.summary import advise, summarize_session, summarize_set
from hiplevel.scoring.thresholds import Thresholds

__all__ = [
    "Phase",
    "Rep",
    "RepScore",
    "RepScorer",
    "Thresholds",
    "advise",
    "drop_score",
    "measured_side",
    "score_rep",
    "summarize_session",
    "summarize_set",
]
