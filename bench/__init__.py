"""Benchmark suite (`make bench` = `python -m bench`): accuracy against ground truth and peers,
speed against the limits. Each section module exposes `run(...) -> list[Row]`; `bench.report`
writes docs/benchmarks.md and the README summary row from the rows of one run."""
