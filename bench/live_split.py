"""Section 9: the live analyser on real people. The dev-split recordings (`../shared/data/ipol-dev`,
`stroke-dev`, `hapt-dev`) go through `hiplevel.analysis.streaming.OnlineAnalyzer` as the live
screen gets them: in packets of PACKET_S of samples (the firmware's 50 ms batches) via
`push_many`, from the first sample on, no neutral given, no tare. The emitted reps are scored by
the rule of `../shared/tools/score_reps.py` (`bench.dev_split.match`), next to the offline
analysis of the same files; for the truth steps both found, the drop live minus offline (median and
95th percentile of |difference|). One story: for each live rep whose centre lies in an offline rep,
whether the two name the same stance leg and the same drop words (pelvic drop, hip hike, level),
and for each recording whether the per-leg verdicts of the clinician's finding
(`scoring.words.leg_findings`) agree. Per-push cost: CPU time of each packet's `push_many`.

    python -m bench --only 9 --no-write        # this section alone (~5 min on 2 quiet cores)
    python -m bench.live_split [--files N] [--sets ipol-dev,stroke-dev] [--per-file] [--worst N] [--prior]

`--prior` starts each live run from the sensor errors the offline analysis of the same subject's
previous recording fitted (a proxy for one device's stored session: docs/analysis.md, Stop 40h).

`--worst N` lists the N steps both found whose drops differ most, each with the decision that differs
(`step_cause`; docs/analysis.md, "Live on real people", where the p95 comes from).
"""

from __future__ import annotations

import argparse
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from bench.dev_split import SETS, Tally, load_truth, pairs, timed_call, timed_reps
from bench.rows import Row, at_least, at_most, pct, unavailable

SECTION = "9. Live analysis on real people, dev split (../shared/data)"
PACKET_S = 0.05  # the firmware batches 50 ms of samples per packet (firmware/core/packets.py)
# Live falls behind offline "clearly" beyond these (found, side: fraction points; extra: points).
LIVE_BEHIND = {"found": 0.03, "extra": 0.03, "side": 0.02}
DROP_WORDS = ("pelvic_drop", "hip_hike")
# Two reps' bounds differ beyond this, s (the detector's grid is 10 ms); two bout neutrals beyond this, deg.
SAME_BOUNDS_S = 0.02
SAME_BOUT_NEUTRAL_DEG = 0.2


@dataclass
class LiveTally:
    """Pooled live and offline counts of one set, drop differences and per-push costs."""

    live: Tally = field(default_factory=Tally)
    offline: Tally = field(default_factory=Tally)
    drop_diff_deg: list[float] = field(default_factory=list)
    push_us_per_sample: list[float] = field(default_factory=list)  # one per packet
    packet_us: list[float] = field(default_factory=list)
    per_file: list[str] = field(default_factory=list)
    steps: list[dict] = field(default_factory=list)  # the steps both found (`step_row`)
    both: int = 0  # live reps inside an offline rep
    same_side: int = 0  # ... naming the same stance leg
    same_words: int = 0  # ... and the same drop words
    findings: int = 0  # recordings with reps either way
    same_findings: int = 0  # ... whose per-leg verdicts agree
    # --prior: each subject's last offline sensor errors (`streaming.prior`), by file-name prefix.
    priors: dict | None = None

    def cost(self) -> str:
        if not self.packet_us:
            return "no pushes"
        per = np.asarray(self.push_us_per_sample)
        pk = np.asarray(self.packet_us) / 1000
        return (f"packet of {PACKET_S * 1000:.0f} ms: p50 {np.percentile(pk, 50):.2f} ms, p99 {np.percentile(pk, 99):.1f} ms, "
                f"max {pk.max():.1f} ms; mean {per.mean():.0f} us/sample")

    def story(self) -> str:
        return (f"same leg {pct(self.same_side / max(self.both, 1))}, same leg and drop words "
                f"{pct(self.same_words / max(self.both, 1))} of {self.both} reps; same per-leg verdicts in "
                f"{self.same_findings}/{self.findings} recordings")


def _rep_dicts(reps) -> list[dict]:
    return [{"start_s": r.start_s, "end_s": r.end_s, "side": r.side, "drop_deg": r.drop_deg, "flags": list(r.flags),
             "score": r.score, "bout_neutral_deg": _bout_offset(r.details)} for r in reps]


def _bout_offset(details: dict) -> float:
    """The neutral a walking step's drop is measured from, relative to the set's, deg (0: the set's)."""
    return float(details.get("bout_neutral_deg", 0.0)) if details.get("bout_neutral_s") is not None else 0.0


def step_cause(live: dict, off: dict) -> str:
    """Which decision makes one step's live and offline drops differ: "side" (the other leg, so the
    other side measured), "window" (bounds differ), "bout neutral" (measured from another standing),
    else the roll itself: "sign flip" (the swing side's drop and rise nearly tie, so a small level
    difference turns a drop into a hike: `walking_drops.signed_drop_deg`) or "level"."""
    if live["side"] != off["side"]:
        return "side"
    if max(abs(live["start_s"] - off["start_s"]), abs(live["end_s"] - off["end_s"])) > SAME_BOUNDS_S:
        return "window"
    if abs(live.get("bout_neutral_deg", 0.0) - off.get("bout_neutral_deg", 0.0)) > SAME_BOUT_NEUTRAL_DEG:
        return "bout neutral"
    return "sign flip" if np.sign(live["drop_deg"]) != np.sign(off["drop_deg"]) else "level"


def step_row(name: str, live: dict, off: dict) -> dict:
    """One step both found: where, both drops, sides, flags and `step_cause`."""
    return {"file": name, "t_s": off["start_s"], "live_deg": live["drop_deg"], "offline_deg": off["drop_deg"],
            "side": f"{live['side']}/{off['side']}", "flags": f"{','.join(_words(live)) or '-'}/{','.join(_words(off)) or '-'}",
            "cause": step_cause(live, off)}


def worst_steps(t: "LiveTally", n: int) -> list[str]:
    """The n steps whose live and offline drops differ most, then the count of each cause among
    the steps differing by more than 2 deg."""
    rows = sorted(t.steps, key=lambda r: -abs(r["live_deg"] - r["offline_deg"]))
    out = [f"{r['file']} {r['t_s']:6.2f} s: live {r['live_deg']:+6.2f} offline {r['offline_deg']:+6.2f} deg, "
           f"stance {r['side']}, words {r['flags']}: {r['cause']}" for r in rows[:n]]
    big = [r["cause"] for r in rows if abs(r["live_deg"] - r["offline_deg"]) > 2.0]
    counts = ", ".join(f"{c} {big.count(c)}" for c in sorted(set(big), key=lambda c: -big.count(c)))
    return out + [f"{len(big)} steps differ by > 2 deg: {counts or 'none'}"]


def _words(r: dict) -> tuple[str, ...]:
    return tuple(f for f in DROP_WORDS if f in r["flags"])


def _verdicts(exercise: str, reps: list[dict]) -> dict:
    from hiplevel.scoring import Rep
    from hiplevel.scoring.words import leg_findings

    return {leg: f.verdict for leg, f in leg_findings(exercise, [Rep(k, r["start_s"], r["end_s"], r["side"], r["drop_deg"],
                                                                     r["score"], tuple(r["flags"]))
                                                                 for k, r in enumerate(reps)]).items()}


def add_story(tally: LiveTally, exercise: str, live: list[dict], off: list[dict]) -> None:
    """Whether live and offline tell the same story of one recording (see the module docstring)."""
    for r in live:
        c = 0.5 * (r["start_s"] + r["end_s"])
        o = next((o for o in off if o["start_s"] <= c <= o["end_s"]), None)
        if o is not None:
            tally.both += 1
            tally.same_side += o["side"] == r["side"]
            tally.same_words += o["side"] == r["side"] and _words(o) == _words(r)
    if live or off:
        tally.findings += 1
        tally.same_findings += _verdicts(exercise, live) == _verdicts(exercise, off)


def live_reps(series, exercise: str = "walking", packet_s: float = PACKET_S, costs: LiveTally | None = None,
              prior=None) -> list[dict]:
    """The reps `OnlineAnalyzer` emits for a whole series fed in packets of packet_s, as
    score_reps dicts (with drop_deg). costs (optional) collects the CPU time of each push;
    prior: the sensor errors to start from (`OnlineAnalyzer`'s sensor_prior)."""
    from hiplevel.analysis.streaming import OnlineAnalyzer

    t = np.asarray(series.t_s, float)
    rate = 1.0 / float(np.median(np.diff(t)))
    oa = OnlineAnalyzer(exercise, rate_hz=round(rate), sensor_prior=prior)
    n = max(1, int(round(packet_s * rate)))
    acc, gyro = np.asarray(series.acc_g, float), np.asarray(series.gyro_dps, float)
    for a in range(0, len(t), n):
        c0 = time.process_time()
        oa.push_many(t[a : a + n], acc_g=acc[a : a + n], gyro_dps=gyro[a : a + n])
        if costs is not None:
            dt_us = (time.process_time() - c0) * 1e6
            costs.packet_us.append(dt_us)
            costs.push_us_per_sample.append(dt_us / len(t[a : a + n]))
    oa.finish()  # the recording ends: what was still held back
    return _rep_dicts(oa.reps)


def offline_reps(series, exercise: str = "walking") -> tuple[list[dict], object]:
    """The offline analysis of the same series: its reps (score_reps dicts) and the sensor errors it
    fitted (`AnalysisResult.sensor_errors`, the next trial's prior)."""
    from hiplevel.analysis import analyze

    res = analyze(series, exercise)
    return _rep_dicts(res.reps), res.sensor_errors


def evaluate_file(path: Path, tally: LiveTally) -> None:
    """Feed one recording live and offline; add both to the tally."""
    from hiplevel.imu_csv import read_imu_csv

    series = read_imu_csv(path)
    truth = load_truth(path)
    exercise = truth.get("exercise", "walking")
    # A proxy for one device: the same subject's previous trial (ipol_2-3 before ipol_2-4,
    # mr_pp02_exported000 before mr_pp02_exported001).
    group = re.sub(r"(-\d+|_exported\d+)$", "", path.name.removesuffix(".csv.gz"))
    prior = tally.priors.get(group) if tally.priors is not None else None
    live = timed_reps(tally.live, path.name, live_reps, series, exercise, PACKET_S, tally, prior)
    off, errors = timed_call(tally.offline, path.name, offline_reps, series, exercise, failed=([], None))
    if tally.priors is not None and errors is not None:
        tally.priors[group] = errors
    tally.live.add(truth, live)
    tally.offline.add(truth, off)
    add_story(tally, exercise, live, off)
    name = path.name.removesuffix(".csv.gz")
    if truth.get("reps") is None:
        tally.per_file.append(f"{name}: live {len(live)} reps, offline {len(off)}")
        return
    pl, po = pairs(truth["reps"], live), pairs(truth["reps"], off)
    both = sorted(pl.keys() & po.keys())
    d = [pl[i]["drop_deg"] - po[i]["drop_deg"] for i in both]
    tally.steps += [step_row(name, pl[i], po[i]) for i in both]
    tally.drop_diff_deg += d
    dd = f" drop |live-offline| median {np.median(np.abs(d)):.2f} max {np.max(np.abs(d)):.2f}" if d else ""
    side_l = sum(pl[i]["side"] == truth["reps"][i]["side"] for i in pl)
    side_o = sum(po[i]["side"] == truth["reps"][i]["side"] for i in po)
    n = len(truth["reps"])
    tally.per_file.append(f"{name}: live {len(pl)}/{n} extra {len(live) - len(pl)} side {side_l}; "
                          f"offline {len(po)}/{n} extra {len(off) - len(po)} side {side_o};{dd}")


def evaluate(cases: list[Path], prior: bool = False) -> LiveTally:
    tally = LiveTally(priors={} if prior else None)
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
    story = Row(SECTION, "live tells offline's story", data, t.story(),
                note="reps whose centre lies in an offline rep; drop words: pelvic drop, hip hike or level")
    cost = Row(SECTION, "live per-push cost", data, t.cost(), note="CPU time of each packet's push_many")
    if name == "hapt-dev":
        return [Row(SECTION, "live walking reps per hour of sitting/standing/lying", data + f", {lv.static_s / 60:.0f} min static",
                    f"{lv.static_per_h:.1f} /h ({lv.static_fp} reps)", f"offline {of.static_per_h:.1f} /h",
                    "<= offline", at_most(lv.static_per_h, of.static_per_h), note=note), story, cost]
    b = LIVE_BEHIND
    return [
        Row(SECTION, "live steps found", data + f", {lv.n_truth} steps", pct(lv.found), f"offline {pct(of.found)}",
            f">= offline - {b['found'] * 100:.0f} pts", at_least(lv.found, of.found - b["found"]), note=note),
        Row(SECTION, "live extra steps", data, pct(lv.extra_rate), f"offline {pct(of.extra_rate)}",
            f"<= offline + {b['extra'] * 100:.0f} pts", at_most(lv.extra_rate, of.extra_rate + b["extra"])),
        Row(SECTION, "live stance side", data, pct(lv.side), f"offline {pct(of.side)}",
            f">= offline - {b['side'] * 100:.0f} pts", at_least(lv.side, of.side - b["side"]), note="over matched steps"),
        Row(SECTION, "live drop minus offline, |difference|", data, _drop(t), note="steps both found"),
        story, cost,
    ]


def run(quick: bool = False, data_dir: Path | None = None, log=print, sets=SETS, files: int | None = None,
        per_file: bool = False, worst: int = 0, prior: bool = False) -> list[Row]:
    """Rows of section 9 (one n/a row per absent set)."""
    from bench.realdata import shared_data_dir, split_files

    data_dir = data_dir or shared_data_dir()
    rows: list[Row] = []
    for name in sets:
        cases = split_files(data_dir, name, files or (4 if quick else None))
        if cases is None:
            rows.append(unavailable(SECTION, name, f"../shared/data/{name} is absent"))
            continue
        t = evaluate(cases, prior)
        if per_file:
            for line in t.per_file:
                log(f"  {line}")
        if worst and t.steps:
            for line in worst_steps(t, worst):
                log(f"  {line}")
        log(f"[live] {name}: live {t.live.summary()}; offline {t.offline.summary()}; drop {_drop(t)}; {t.story()}; "
            f"{t.cost()}")
        rows += _rows(name, cases, t)
    return rows


def main(argv: list[str] | None = None) -> int:
    from bench.report import text_table

    ap = argparse.ArgumentParser(prog="python -m bench.live_split", description=__doc__.splitlines()[0])
    ap.add_argument("--files", type=int, default=None, help="first N recordings of each set")
    ap.add_argument("--sets", default=",".join(SETS))
    ap.add_argument("--per-file", action="store_true", help="one line per recording")
    ap.add_argument("--worst", type=int, default=0, help="list the N steps whose drops differ most, with causes")
    ap.add_argument("--prior", action="store_true",
                    help="start each live run from the sensor errors of the same subject's previous recording")
    a = ap.parse_args(argv)
    print(text_table(run(sets=tuple(a.sets.split(",")), files=a.files, per_file=a.per_file, worst=a.worst,
                         prior=a.prior)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
