"""The lower convex hull of (device time, host - device time) minima and the line along it: the
clock fit's estimate of offset and drift (a packet's delay is only ever positive, so the fastest
packets lie on the lower envelope)."""

from __future__ import annotations

import numpy as np

from hiplevel._native import hull_kernel


def lower_envelope_line(points: np.ndarray) -> tuple[float, float]:
    """(a, b) of the line y = a + b x below all `points` ((N, 2), sorted by x) that minimises the
    summed vertical distance to them: the lower-convex-hull edge spanning the mean x."""
    order = np.argsort(points[:, 0], kind="stable")
    pts = points[order]
    return hull_edge(lower_hull(pts), pts[:, 0])


def lower_hull(pts: np.ndarray) -> list[tuple[float, float]]:
    """The lower hull of `pts` ((N, 2), in x order) by `lower_chain`, or its compiled twin."""
    kernel = hull_kernel()
    if kernel is not None:
        return [(float(pts[i, 0]), float(pts[i, 1])) for i in kernel.lower_chain(np.ascontiguousarray(pts, np.float64))]
    hull: list[tuple[float, float]] = []
    lower_chain(hull, pts.tolist())  # Python floats: the same IEEE arithmetic as numpy's scalars, faster
    return hull


def lower_chain(hull: list[tuple[float, float]], pts) -> None:
    """Andrew's monotone chain: the lower hull of `hull`'s points and then `pts` (in x order)."""
    for x, y in pts:
        while len(hull) >= 2:
            (x1, y1), (x2, y2) = hull[-2], hull[-1]
            # Drop the middle point when it lies on or above the chord (keeps the lower hull).
            if (x2 - x1) * (y - y1) - (y2 - y1) * (x - x1) <= 0:
                hull.pop()
            else:
                break
        hull.append((x, y))


def hull_edge(hull: list[tuple[float, float]], xs: np.ndarray) -> tuple[float, float]:
    """The line through the lower hull's edge spanning the mean of `xs` (the points' x, in order)."""
    if len(hull) == 1:
        return float(hull[0][1]), 0.0
    x_mean = float(xs.mean())
    for (x1, y1), (x2, y2) in zip(hull, hull[1:], strict=False):
        if x2 >= x_mean:
            break
    if x2 == x1:
        return float(min(y1, y2)), 0.0
    b = (y2 - y1) / (x2 - x1)
    return float(y1 - b * x1), float(b)
