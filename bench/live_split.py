"""Section 9: the live analyser on real people. The dev-split recordings (`../shared/data/ipol-dev`,
`stroke-dev`, `hapt-dev`) go through `hiplevel.analysis.streaming.OnlineAnalyzer` as the live
screen gets them: in packets of PACKET_S of samples (the firmware's 50 ms batches) via
`push_many`, from the first sample on, no neutral given, no tare. The emitted reps are scored by
the rule of `../shared/tools/score_reps.py` (`bench.dev_split.match`), next to the offline
analysis of the same files; for the truth steps both found, the drop live minus offline (median and
95th percentile of |difference|). Per-push cost: CPU time of each packet's `push_many`, per sample.

    python -m bench --only 9 --no-write        # this section alone (~5 min on 2 quiet cores)
    python -m bench.live_split [--files N] [--sets ipol-dev,stroke-dev] [--per-file]
"""

from __future__ import annotations

import argparse
import json
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from bench.dev_split import SETS, Tally
from bench.rows import Row, at_least, at_most, pct, unavailable

SECTION = "9. Live analysis on real people, dev split (../shared/data)"
PACKET_S = 0.05  # the firmware batches 50 ms of samples per packet (firmware/core/packets.py)
# Live falls behind offline "clearly" beyond these (found, side: fraction points; extra: points).
LIVE_BEHIND = {"found": 0.03, "extra": 0.03, "side": 0.02}
STATIC_LIVE_MAX_PER_H = 4.0


@dataclass
class LiveTally:
    """Pooled live and offline counts of one set, drop differences and per-push costs."""

    live: Tally = field(default_factory=Tally)
    offline: Tally = field(default_factory=Tally)
    drop_diff_deg: list[float] = field(default_factory=list)
    push_us_per_sample: list[float] = field(default_factory=list)  # one per packet
    packet_us: list[float] = field(default_factory=list)
    per_file: list[str] = field(default_factory=list)

    def cost(self) -> str:
        if not self.packet_us:
            return "no pushes"
        per = np.asarray(self.push_us_per_sample)
        pk = np.asarray(self.packet_us)
        return (f"push mean {per.mean():.0f} us/sample; packet p99 {np.percentile(pk, 99) / 1000:.1f} ms, "
                f"max {pk.max() / 1000:.1f} ms")


def _rep_dicts(reps) -> list[dict]:
    return [{"start_s": r.start_s, "end_s": r.end_s, "side": r.side, "drop_deg": r.drop_deg} for r in reps]


def live_reps(series, exercise: str = "walking", packet_s: float = PACKET_S, costs: LiveTally | None = None) -> list[dict]:
    """The reps `OnlineAnalyzer` emits for a whole series fed in packets of packet_s, as
    score_reps dicts (with drop_deg). costs (optional) collects the CPU time of each push."""
    from hiplevel.analysis.streaming import OnlineAnalyzer

    t = np.asarray(series.t_s, float)
    rate = 1.0 / float(np.median(np.diff(t)))
    oa = OnlineAnalyzer(exercise, rate_hz=round(rate))
    n = max(1, int(round(packet_s * rate)))
    acc, gyro = np.asarray(series.acc_g, float), np.asarray(series.gyro_dps, float)
    for a in range(0, len(t), n):
        c0 = time.process_time()
        oa.push_many(t[a : a + n], acc_g=acc[a : a + n], gyro_dps=gyro[a : a + n])
        if costs is not None:
            dt_us = (time.process_time() - c0) * 1e6
            costs.packet_us.append(dt_us)
            costs.push_us_per_sample.append(dt_us / len(t[a : a + n]))
    return _rep_dicts(oa.reps)


def offline_reps(series, exercise: str = "walking") -> list[dict]:
    """The offline analysis' reps of the same series."""
    from hiplevel.analysis import analyze

    return _rep_dicts(analyze(series, exercise).reps)


def _pairs(truth: list[dict], found: list[dict]) -> dict[int, dict]:
    """truth index -> the found rep matched to it (the score_reps rule)."""
    used: set[int] = set()
    out: dict[int, dict] = {}
    for i, t in enumerate(truth):
        c, half = 0.5 * (t["start_s"] + t["end_s"]), 0.5 * (t["end_s"] - t["start_s"])
        best = min((j for j in range(len(found)) if j not in used
                    and abs(0.5 * (found[j]["start_s"] + found[j]["end_s"]) - c) <= half),
                   key=lambda j: abs(0.5 * (found[j]["start_s"] + found[j]["end_s"]) - c), default=None)
        if best is not None:
            used.add(best)
            out[i] = found[best]
    return out


def evaluate_file(path: Path, tally: LiveTally) -> None:
    """Feed one recording live and offline; add both to the tally."""
    from hiplevel.imu_csv import read_imu_csv

    series = read_imu_csv(path)
    truth = json.loads(path.with_name(path.name.removesuffix(".csv.gz") + ".truth.json").read_text())
    exercise = truth.get("exercise", "walking")
    live = _timed(tally.live, path.name, live_reps, series, exercise, PACKET_S, tally)
    off = _timed(tally.offline, path.name, offline_reps, series, exercise)
    tally.live.add(truth, live)
    tally.offline.add(truth, off)
    name = path.name.removesuffix(".csv.gz")
    if truth.get("reps") is None:
        tally.per_file.append(f"{name}: live {len(live)} reps, offline {len(off)}")
        return
    pl, po = _pairs(truth["reps"], live), _pairs(truth["reps"], off)
    d = [pl[i]["drop_deg"] - po[i]["drop_deg"] for i in pl.keys() & po.keys()]
    tally.drop_diff_deg += d
    dd = f" drop |live-offline| median {np.median(np.abs(d)):.2f} max {np.max(np.abs(d)):.2f}" if d else ""
    side_l = sum(pl[i]["side"] == truth["reps"][i]["side"] for i in pl)
    side_o = sum(po[i]["side"] == truth["reps"][i]["side"] for i in po)
    n = len(truth["reps"])
    tally.per_file.append(f"{name}: live {len(pl)}/{n} extra {len(live) - len(pl)} side {side_l}; "
                          f"offline {len(po)}/{n} extra {len(off) - len(po)} side {side_o};{dd}")


def _timed(t: Tally, name: str, fn, *args) -> list[dict]:
    c0 = time.process_time()
    try:
        return fn(*args)
    except Exception as e:  # noqa: BLE001 - a failed file counts as no reps, reported
        t.failures.append(f"{name}: {type(e).__name__}: {e}")
        return []
    finally:
        t.cpu_s += time.process_time() - c0


def evaluate(cases: list[Path]) -> LiveTally:
    tally = LiveTally()
    for path in cases:
        evaluate_file(path, tally)
    return tally


def _drop(t: LiveTally) -> str:
    d = np.abs(np.asarray(t.drop_diff_deg))
    if not len(d):
        return "no step found by both"
    return f"median {np.median(d):.2f} deg, p95 {np.percentile(d, 95):.2f} deg ({len(d)} steps)"


def _rows(name: str, cases: list[Path], t: LiveTally) -> list[Row]:
    lv, of = t.live, t.offline
    data = f"{name}: {len(cases)} recordings, fed in {PACKET_S * 1000:.0f} ms packets"
    fails = "; ".join((lv.failures + of.failures)[:2])
    note = f"CPU live {lv.cpu_s:.0f} s, offline {of.cpu_s:.0f} s{'; failed: ' + fails if fails else ''}"
    if name == "hapt-dev":
        return [Row(SECTION, "live walking reps per hour of sitting/standing/lying", data + f", {lv.static_s / 60:.0f} min static",
                    f"{lv.static_per_h:.1f} /h ({lv.static_fp} reps)", f"offline {of.static_per_h:.1f} /h",
                    f"<= {STATIC_LIVE_MAX_PER_H:g} /h", at_most(lv.static_per_h, STATIC_LIVE_MAX_PER_H), note=note),
                Row(SECTION, "live per-push cost", data, t.cost(), note="CPU time of each packet's push_many")]
    b = LIVE_BEHIND
    return [
        Row(SECTION, "live steps found", data + f", {lv.n_truth} steps", pct(lv.found), f"offline {pct(of.found)}",
            f">= offline - {b['found'] * 100:.0f} pts", at_least(lv.found, of.found - b["found"]), note=note),
        Row(SECTION, "live extra steps", data, pct(lv.extra_rate), f"offline {pct(of.extra_rate)}",
            f"<= offline + {b['extra'] * 100:.0f} pts", at_most(lv.extra_rate, of.extra_rate + b["extra"])),
        Row(SECTION, "live stance side", data, pct(lv.side), f"offline {pct(of.side)}",
            f">= offline - {b['side'] * 100:.0f} pts", at_least(lv.side, of.side - b["side"]), note="over matched steps"),
        Row(SECTION, "live drop minus offline, |difference|", data, _drop(t), note="steps both found"),
        Row(SECTION, "live per-push cost", data, t.cost(), note="CPU time of each packet's push_many"),
    ]


def run(quick: bool = False, data_dir: Path | None = None, log=print, sets=SETS, files: int | None = None,
        per_file: bool = False) -> list[Row]:
    """Rows of section 9 (one n/a row per absent set)."""
    from bench.realdata import shared_data_dir

    data_dir = data_dir or shared_data_dir()
    rows: list[Row] = []
    for name in sets:
        root = None if data_dir is None else data_dir / name
        if root is None or not root.is_dir():
            rows.append(unavailable(SECTION, name, f"../shared/data/{name} is absent"))
            continue
        cases = sorted(root.glob("*.csv.gz"))[: files or (4 if quick else None)]
        t = evaluate(cases)
        if per_file:
            for line in t.per_file:
                log(f"  {line}")
        log(f"[live] {name}: live {t.live.summary()}; offline {t.offline.summary()}; drop {_drop(t)}; {t.cost()}")
        rows += _rows(name, cases, t)
    return rows


def main(argv: list[str] | None = None) -> int:
    from bench.report import text_table

    ap = argparse.ArgumentParser(prog="python -m bench.live_split", description=__doc__.splitlines()[0])
    ap.add_argument("--files", type=int, default=None, help="first N recordings of each set")
    ap.add_argument("--sets", default=",".join(SETS))
    ap.add_argument("--per-file", action="store_true", help="one line per recording")
    a = ap.parse_args(argv)
    print(text_table(run(sets=tuple(a.sets.split(",")), files=a.files, per_file=a.per_file)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
