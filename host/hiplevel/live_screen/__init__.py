"""Live biofeedback: what the patient sees and hears while exercising (`hiplevel live`).

    state.py    cue logic and running stats (pure)        view.py     text gauge and panel frames
    feed.py     fresh packets -> samples, live loss        reps.py     the causal analyser, per sample
    timing.py   frame pacing, arrival-to-frame latency     summary.py  the closing line
    session.py  the live loop on an open link              connect.py  sensor / simulated patient
    command.py  the CLI entry `run_live(args)`             latency.py  `measure_latency(...)` on a virtual session
"""
