"""The parameter bins the physics runner tallies each exercise's reps by (the brief's parameters:
shift duration, shift size, step profile, step time, pause, cadence, hike, and a few more)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np


def edges(values: tuple[float, ...], unit: str = "", fmt: str = "g") -> Callable[[float], str]:
    """A binning function: 'lo-hi unit' for the bin of edges `values` that holds x."""
    def label(x: float) -> str:
        k = int(np.clip(np.searchsorted(values, x, side="right") - 1, 0, len(values) - 2))
        return f"{values[k]:{fmt}}-{values[k + 1]:{fmt}}{unit}"
    return label


def _pause(x: float) -> str:
    return "none" if x == 0.0 else edges((0.0, 0.5, 1.0, 1.5), " s")(x)


def _hold_fault(p: dict) -> str:
    if p["fault"] == "hike":
        return "hike 1.5-4 deg"
    return edges((0.0, 3.0, 6.0, 10.0), " deg drop")(p["drop_deg"])


def _run_position(p: dict) -> str:
    k = p["index"] % 10
    return "1st step of run" if k == 0 else "2nd step of run" if k == 1 else "3rd-10th"


def _walk_rep(p: dict) -> str:
    return "initiation swing" if p["index"] == 0 else "closing swing" if p["index"] == p["steps"] else "step"


def _lowering_fault(p: dict) -> str:
    if p["fault"] == "hike":
        return "hike 1.5-4 deg"
    return edges((0.0, 3.0, 6.0, 10.0, 15.0), " deg drop")(p["drop_deg"])


def _sideways(p: dict) -> str:
    return edges((-3.0, -1.0, 1.0, 3.0), " cm (+ toward free side)")(100 * p["lateral_m"])


LOWERING_BINS: list[tuple[str, Callable[[dict], str]]] = [
    ("between reps", lambda p: p["mode"]),
    ("rep time", lambda p: edges((1.3, 2.0, 2.5, 3.0, 4.6), " s", ".1f")(p["rep_s"])),
    ("descent", lambda p: edges((0.0, 5.0, 8.0, 12.0, 16.0, 21.0), " cm")(100 * p["descent_m"])),
    ("pitch at the bottom", lambda p: edges((3.0, 6.0, 9.0, 12.0, 20.0, 36.0), " deg")(p["pitch_deg"])),
    ("drop / hike", _lowering_fault),
    ("sideways at the bottom", _sideways),
    ("shift onto the stance foot", lambda p: edges((3.0, 5.0, 7.0, 10.0), " cm")(100 * p["shift_m"])),
    ("shift duration", lambda p: edges((0.5, 0.75, 1.0, 1.25, 1.5), " s", ".2f")(p["shift_s"])),
    ("shift mean speed", lambda p: edges((2.0, 4.0, 6.0, 8.0, 20.0), " cm/s")(100 * p["shift_m"] / p["shift_s"])),
    ("balance corrections (1-3 Hz)", lambda p: edges((0.5, 1.0, 1.5, 2.0, 3.0), " mm", ".1f")(p["balance_mm"])),
    ("roll sway SD on one leg", lambda p: edges((0.2, 0.4, 0.6, 0.8, 1.0), " deg", ".1f")(p["sway_deg"])),
    ("profile", lambda p: p["profile"]),
    ("rep in the leg's five", lambda p: f"rep {p['index'] % 5 + 1}"),
]


# exercise -> [(parameter, function of the rep's params -> bin label)]
BINS: dict[str, list[tuple[str, Callable[[dict], str]]]] = {
    "single-leg-stance": [
        ("shift duration", lambda p: edges((0.5, 0.8, 1.1, 1.4, 1.7, 2.0), " s", ".1f")(p["shift_s"])),
        ("shift size", lambda p: edges((3.0, 5.0, 7.0, 9.0, 12.0), " cm")(100 * p["shift_m"])),
        ("shift mean speed", lambda p: edges((1.5, 3.0, 5.0, 8.0, 24.0), " cm/s")(100 * p["shift_m"] / p["shift_s"])),
        ("shift profile", lambda p: p["profile"]),
        ("hold", lambda p: edges((5.0, 10.0, 20.0, 30.0), " s")(p["hold_s"])),
        ("sway SD", lambda p: edges((0.2, 0.6, 1.0, 1.5), " deg", ".1f")(p["sway_deg"])),
        ("drop / hike", _hold_fault),
        ("roll transient at lift", lambda p: "yes" if p["transient_deg"] else "no"),
        ("wander", lambda p: edges((0.0, 3.0, 6.0, 10.0), " mm")(p["wander_mm"])),
    ],
    "band-walk": [
        ("step profile", lambda p: p["profile"]),
        ("step time", lambda p: edges((0.6, 1.0, 1.4, 1.8, 2.2, 2.5), " s", ".1f")(p["step_s"])),
        ("step size", lambda p: edges((10.0, 20.0, 30.0, 45.0), " cm")(100 * p["step_m"])),
        ("pause", lambda p: _pause(p["pause_s"])),
        ("lead share (lead-trail)", lambda p: edges((0.4, 0.55, 0.7, 0.9), "", ".2f")(p["lead_share"])
         if p["profile"] == "lead-trail" else None),
        ("profile x step time", lambda p: f"{p['profile']} {edges((0.6, 1.2, 1.8, 2.5), ' s', '.1f')(p['step_s'])}"),
        ("profile x pause", lambda p: f"{p['profile']} {'no pause' if p['pause_s'] == 0 else 'pause'}"),
        ("position in run", _run_position),
        ("weak leg's drop in", lambda p: "trail swing (weak leg leads)" if p["weak"] == p["way"]
         else "lead swing (weak leg trails)"),
        ("direction of travel", lambda p: p["way"]),
        ("run", lambda p: "first run" if p["index"] < 10 else "return run"),
        ("pelvis wobble in the hinge (x pitch 0.7 / yaw 1.5 deg)",
         lambda p: edges((0.25, 0.5, 0.75, 1.0, 1.25), "", ".2f")(p["wobble"])),
    ],
    "walking": [
        ("cadence", lambda p: edges((70.0, 85.0, 100.0, 115.0, 130.0), " steps/min")(p["cadence_spm"])),
        ("fault on weak leg", lambda p: p["fault"]),
        ("rep", _walk_rep),
    ],
    "step-down": LOWERING_BINS,
    "single-leg-squat": [("knee flexion", lambda p: edges((30.0, 40.0, 50.0, 60.0, 70.0, 80.0), " deg")(p["knee_deg"]))]
    + LOWERING_BINS,
    "clamshell": [
        ("rep time", lambda p: edges((0.85, 1.5, 2.0, 2.5, 3.5), " s", ".2f")(p["rep_s"])),
        ("roll-back", lambda p: edges((0.0, 0.8, 1.5, 3.0, 6.0, 11.0), " deg", ".1f")(p["rollback_deg"])),
        ("compensated side", lambda p: "yes" if p["compensation_deg"] else "no"),
        ("opening", lambda p: edges((20.0, 30.0, 38.0, 45.0), " deg")(p["opening_deg"])),
        ("held at the top", lambda p: edges((0.0, 0.3, 0.6, 0.8), " s", ".1f")(p["top_s"])),
        ("pause", lambda p: edges((0.2, 0.6, 1.0, 1.5), " s", ".1f")(p["pause_s"])),
        ("lying fidget SD", lambda p: edges((0.05, 0.1, 0.15, 0.2), " deg", ".2f")(p["fidget_deg"])),
        ("working leg", lambda p: p["working"]),
        ("profile", lambda p: p["profile"]),
    ],
}
