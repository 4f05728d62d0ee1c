"""What `hiplevel analyze` says about its input: damage, losses, repairs and gaps, as warning sentences
for stderr and as the `input` object of the analysis JSON (docs/analysis.md, "Input")."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from hiplevel.recording.decode import DecodedSession


def _n(x: int) -> str:
    return f"{x:,}"


def recording_report(session: DecodedSession, lost_sets: list[dict]) -> tuple[list[str], dict[str, Any]]:
    """(warnings, report) for a decoded recording: unreadable bytes and the samples and sets they
    took, link losses, corrected device times, a torn tail."""
    link = session.summary()
    damage = session.damage_summary()
    expected = link["samples"] + link["lost"]
    warnings: list[str] = []
    for r in damage["regions"]:
        if r["offset"] < 0:
            warnings.append(f"the recording holds an event record that is not JSON ({r['length']} bytes): ignored")
            continue
        span = (f" between t = {r['from_s']:.1f} s and {r['to_s']:.1f} s" if r["from_s"] is not None and r["to_s"] is not None
                else "")
        pct = 100.0 * r["samples_lost"] / expected if expected else 0.0
        warnings.append(f"the recording is damaged: {_n(r['length'])} bytes at offset {_n(r['offset'])} could not be read "
                        f"({r['reason']}){span}; {_n(r['samples_lost'])} samples lost there ({pct:.1f} % of the session)")
    for s in lost_sets:
        what = f"set {s['set']}" + (f" ({s['exercise']})" if s["exercise"] else "")
        warnings.append(f"{what} was not analysed: {s['reason']}")
    in_damage = damage["samples_lost"]
    if link["lost"] > in_damage:
        warnings.append(f"the link lost {_n(link['lost'] - in_damage)} samples in {link['gaps']} gap(s) "
                        f"({100.0 * (link['lost'] - in_damage) / max(expected, 1):.1f} % of the session)")
    if link["time_corrected"]:
        warnings.append(f"{link['time_corrected']} packet(s) carried a device time that disagreed with their sequence "
                        "number and the host clock (a corrupted timestamp): placed by their sequence number")
    if link["seq_corrected"]:
        warnings.append(f"{link['seq_corrected']} packet(s) carried a sequence number further ahead than the host clock "
                        "allows (a corrupted sequence number): placed by their device time")
    if session.torn_tail is not None:
        warnings.append(f"the recording ends inside a record ({session.torn_tail.length} bytes: the recorder stopped "
                        "mid-write); everything before it was read")
    report = {"kind": "recording", "samples": link["samples"], "samples_lost": link["lost"],
              "loss_pct": round(link["loss_pct"], 3), "damage": damage, "lost_sets": lost_sets,
              "link": {k: link[k] for k in ("resent", "duplicated", "restarts", "inconsistent_packets",
                                            "time_corrected", "seq_corrected", "gaps", "packet_errors")}}
    return warnings, report


def gap_report(results: Sequence[Any]) -> tuple[list[str], dict[str, Any]]:
    """(warnings, `gaps` object) from the analysed sets: the holes inside them, bridged by
    interpolation or split (no rep spans a split gap); each hole counted once."""
    seen: dict[tuple[float, float], Any] = {}
    for res in results:
        for g in getattr(res, "gaps", ()):
            seen.setdefault((g.start_s, g.end_s), g)
    gaps = sorted(seen.values(), key=lambda g: g.start_s)
    split = [g for g in gaps if not g.interpolated]
    bridged = [g for g in gaps if g.interpolated]
    warnings: list[str] = []
    if split:
        listed = "; ".join(
            (f"clock jump at {g.start_s:.1f} s" if g.break_ else
             f"{g.duration_s:.1f} s at {g.start_s:.1f}-{g.end_s:.1f} s ({_n(g.missing)} samples missing)")
            for g in split[:5]) + (f"; and {len(split) - 5} more" if len(split) > 5 else "")
        warnings.append(f"{len(split)} gap(s) split the analysis (no rep spans a gap, fusion restarts after each): {listed}")
    if bridged:
        warnings.append(f"{len(bridged)} short gap(s) ({_n(sum(g.missing for g in bridged))} samples, each at most "
                        f"{max(g.duration_s for g in bridged):.2f} s) were bridged by interpolation")
    report = {"split": [g.to_json() for g in split], "bridged": len(bridged),
              "bridged_missing_samples": sum(g.missing for g in bridged)}
    return warnings, report


def time_fix_report(fixes: Sequence[Any]) -> tuple[list[str], list[dict[str, Any]]]:
    """(warnings, repairs) for the repairs the analysis made to the sample times (`TimeFix` of
    `repair_times`, or of the windowed repair of a streamed recording): for a CSV the reader made
    them already and names their lines; for a recording, e.g. a packet whose device time was a few
    ms off and overlapped its neighbours."""
    return ([f.describe() for f in fixes],
            [{"kind": f.kind, "samples": f.count, "first_t_s": round(f.first_t_s, 3)} for f in fixes])
