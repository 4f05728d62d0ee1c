"""Live biofeedback: what the patient sees and hears while exercising (`hiplevel live`).

    state.py    cue logic, per-leg stats (pure)            view.py     the screen in the patient's words:
                                                           terminal frames, or plain lines when piped
    feed.py     fresh packets -> samples, live loss        reps.py     the causal analyser, per sample
    timing.py   frame pacing, arrival-to-frame latency     summary.py  the closing line
    session.py  the live loop on an open link              connect.py  sensor / simulated patient
    command.py  the CLI entry `run_live(args)`             latency.py  `measure_latency(...)` on a virtual session
    page_state.py  the screen's words as JSON for the page browser.py  the page's server (--browser), BrowserView
    browser_access.py  who may reach the page              web/        page.html, page.css, page.js (docs/live.md)
"""
