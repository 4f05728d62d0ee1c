"""An independent check of the analysis: sets generated from physics, not from `hiplevel.sim`.

The project's simulator was written together with the detectors, so detectors tuned on it can share
its blind spots. This package builds each exercise as a pelvis pose trajectory (position of the pelvis
centre, roll, pitch, yaw; `pose`, `stance`, `band_walk`, `walking`, shapes in `profiles`, sway in `sway`)
and turns it into what a belt MPU6050 8-13 cm behind the pelvis centre records (`imu`: lever arm, soft
tissue 12-20 Hz, mount +-4 deg, scale and cross-axis errors, gyro bias drift, 40 Hz low-pass, clock
0.3 % off, jitter, integer rounding). `hiplevel.sim` is neither imported nor read here; hiplevel is
used only to analyse (`hiplevel.analysis.analyze`), to match reps (`judging`, the project's one rule)
and to write CSVs. Runner: `python -m bench.physics` (`run`, bins in `bins`). docs/benchmarks.md,
"Physics check", says what it is and is not.
"""
