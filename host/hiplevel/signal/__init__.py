"""Signal layer: host tilt fusion, mounting alignment, neutral and filters (no exercise knowledge)."""

from hiplevel.signal.errors import AnalysisError
from hiplevel.signal.fusion import FusionSettings, fuse_tilt
from hiplevel.signal.live_fusion import TiltFusion
from hiplevel.signal.orientation import PelvisTrace, trace_from_series

__all__ = ["AnalysisError", "FusionSettings", "PelvisTrace", "TiltFusion", "fuse_tilt", "trace_from_series"]
