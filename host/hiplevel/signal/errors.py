"""The analysis' own error type, under the package root `HiplevelError`."""

from hiplevel.errors import HiplevelError


class AnalysisError(HiplevelError):
    """Input the analysis cannot work on (too short, wrong rate, unknown exercise, bad set times)."""
