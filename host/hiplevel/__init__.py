"""hiplevel: belt-worn pelvic drop (Trendelenburg) biofeedback.

Data flows one way: link -> recording -> signal -> exercises -> scoring -> report.
"""

__version__ = "0.1.0"
