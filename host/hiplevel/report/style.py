"""Figure style shared by the report's figures: Okabe-Ito colour-blind-safe palette, one colour
and one marker per side everywhere (left blue circles, right vermillion squares), reps shaded
green (level) or hatched yellow (compensated) so "right" and "compensated" never share a colour and
both survive grey print, and SVG/PNG encoders."""

from __future__ import annotations

import base64
import io

import matplotlib

matplotlib.use("Agg")  # reports are written headless; never open a window
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

# Okabe & Ito (2008), "Color Universal Design".
OKABE_ITO = {
    "orange": "#E69F00", "sky": "#56B4E9", "green": "#009E73", "yellow": "#F0E442",
    "blue": "#0072B2", "vermillion": "#D55E00", "purple": "#CC79A7", "black": "#000000",
}
SIDE_COLOUR = {"left": OKABE_ITO["blue"], "right": OKABE_ITO["vermillion"]}
SIDE_MARKER = {"left": "o", "right": "s"}
SIDE_LINE = {"left": "-", "right": "--"}
CLEAN_COLOUR = OKABE_ITO["green"]
# Compensated reps: yellow with a hatch (the hatch carries the meaning in grey print).
FAULT_COLOUR = OKABE_ITO["yellow"]
FAULT_HATCH = "////"
FAULT_EDGE = "#7a6a00"
# The target band (within the flag limit) and the published normal range drawn beside it.
BAND_COLOUR = "#bbbbbb"
NORM_COLOUR = OKABE_ITO["sky"]
RC = {
    "font.size": 9, "axes.titlesize": 10, "axes.labelsize": 9, "axes.spines.top": False,
    "axes.spines.right": False, "svg.hashsalt": "hiplevel", "svg.fonttype": "path",
}


def new_figure(width_in: float, height_in: float) -> Figure:
    """A figure with the report style (no pyplot state kept)."""
    with plt.rc_context(RC):
        return Figure(figsize=(width_in, height_in), layout="constrained")


def svg_bytes(fig: Figure) -> bytes:
    """The figure as standalone SVG."""
    buf = io.BytesIO()
    with plt.rc_context(RC):
        fig.savefig(buf, format="svg", metadata={"Date": None})
    return buf.getvalue()


def png_bytes(fig: Figure, dpi: int = 150) -> bytes:
    """The figure as PNG."""
    buf = io.BytesIO()
    with plt.rc_context(RC):
        fig.savefig(buf, format="png", dpi=dpi)
    return buf.getvalue()


def data_uri(svg: bytes) -> str:
    """An `<img src>` value that embeds the SVG (own document: no id clashes between figures)."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii")
