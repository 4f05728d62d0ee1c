"""Drive the live screen's web page in real headless Chromium (the report tests' DevTools pipe).

A recorder is installed before the page's own script runs: every time the page changes its DOM it
notes what the page shows (each rep it showed, each cue, the gauge marker's place, the link words,
the end), so a test can judge every frame the page drew, not only the one it looks at last. Waits
are on conditions evaluated in the page, with a backstop only against a hung run.
"""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from typing import Any

from tests.report.cdp import chromium_pipe

BACKSTOP_S = 240.0  # only so a broken run cannot hang the suite; never a timing assertion
EVAL_SLICE_MS = 20000  # one in-page wait (the DevTools pipe's own guard is 60 s)
VIEWPORT = (1280, 720)  # a laptop or a clinic TV, landscape

# What the page shows, noted on every DOM change. offset: the marker's centre from the level tick,
# as a fraction of the scale's half-width (negative = toward "left hip low").
RECORDER_JS = r"""
(() => {
  const seen = window.__seen = {reps: {}, tiles: {}, cues: {}, links: [], minOffset: 0, maxOffset: 0, frames: 0,
                                end: null, repCount: 0, cueVisible: false};
  const q = (id) => document.getElementById(id);
  function note() {
    if (!q("marker")) return;
    seen.frames += 1;
    const box = q("last-rep");
    if (box.dataset.number) {
      seen.reps[box.dataset.number] = {label: q("last-rep-label").textContent,
                                       words: q("last-rep-words").textContent,
                                       score: q("last-rep-score").textContent};
    }
    for (const li of q("recent").children) seen.tiles[li.dataset.number] = li.textContent;
    seen.repCount = Number(q("rep-count").textContent || 0);
    const cue = q("cue");
    seen.cueVisible = !cue.hidden;
    if (!cue.hidden) {
      seen.cues[cue.dataset.number] = {say: q("cue-say").textContent, words: q("cue-words").textContent,
                                       fontPx: parseFloat(getComputedStyle(cue).fontSize)};
    }
    const m = q("marker").getBoundingClientRect(), l = q("level-tick").getBoundingClientRect();
    const half = q("gauge").getBoundingClientRect().width * 0.44;
    const offset = ((m.x + m.width / 2) - (l.x + l.width / 2)) / half;
    seen.minOffset = Math.min(seen.minOffset, offset);
    seen.maxOffset = Math.max(seen.maxOffset, offset);
    const link = q("link-words").textContent;
    if (seen.links[seen.links.length - 1] !== link) seen.links.push(link);
    if (!q("end").hidden) seen.end = {finding: q("finding").textContent, summary: q("summary").textContent};
  }
  const start = () => new MutationObserver(note).observe(document.body,
      {subtree: true, childList: true, characterData: true, attributes: true});
  if (document.body) start(); else document.addEventListener("DOMContentLoaded", start);
})();
"""


class Tab:
    """One page in headless Chromium."""

    def __init__(self, pipe: Any, url: str) -> None:
        self.pipe, self.url = pipe, url
        target = pipe.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        self.sid = pipe.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for domain in ("Runtime", "Log", "Network", "Page"):
            pipe.call(f"{domain}.enable", session=self.sid)
        width, height = VIEWPORT
        pipe.call("Emulation.setDeviceMetricsOverride",
                  {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False}, session=self.sid)
        pipe.call("Page.addScriptToEvaluateOnNewDocument", {"source": RECORDER_JS}, session=self.sid)
        pipe.events.clear()
        pipe.call("Page.navigate", {"url": url}, session=self.sid)
        pipe.wait_event("Page.loadEventFired")

    def evaluate(self, expression: str) -> Any:
        """The value of a JavaScript expression (JSON-able)."""
        reply = self.pipe.call("Runtime.evaluate", {"expression": f"JSON.stringify({expression})",
                                                    "returnByValue": True}, session=self.sid)
        if "exceptionDetails" in reply:
            raise AssertionError(f"{expression}: {reply['exceptionDetails'].get('text')}")
        return json.loads(reply["result"]["value"])

    def wait_for(self, condition: str, what: str) -> Any:
        """Wait until the JavaScript expression `condition` is truthy in the page; returns its value.
        Checked in the page every 20 ms; gives up only after BACKSTOP_S (a hung run)."""
        js = ("new Promise((resolve) => { const t0 = performance.now(); (function check() {"
              f" const v = ({condition});"
              f" if (v || performance.now() - t0 > {EVAL_SLICE_MS}) resolve(JSON.stringify(v || null));"
              " else setTimeout(check, 20); })(); })")
        deadline = time.monotonic() + BACKSTOP_S
        while True:
            reply = self.pipe.call("Runtime.evaluate", {"expression": js, "awaitPromise": True,
                                                        "returnByValue": True}, session=self.sid)
            if "exceptionDetails" in reply:
                raise AssertionError(f"{condition}: {reply['exceptionDetails'].get('text')}")
            value = json.loads(reply["result"]["value"])
            if value:
                return value
            if time.monotonic() > deadline:
                raise AssertionError(f"the page never showed {what}; it saw {self.evaluate('window.__seen')}")

    def screenshot_png(self) -> bytes:
        shot = self.pipe.call("Page.captureScreenshot", {"format": "png"}, session=self.sid)
        return base64.b64decode(shot["data"])

    def console_errors(self) -> list[str]:
        out = []
        for e in self.pipe.events:
            m, p = e.get("method"), e.get("params", {})
            if m == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert", "warning"):
                out.append(" ".join(str(a.get("value", a.get("description"))) for a in p.get("args", [])))
            elif m == "Runtime.exceptionThrown":
                out.append(str(p.get("exceptionDetails", {}).get("text")))
            elif m == "Log.entryAdded" and p.get("entry", {}).get("level") in ("error", "warning"):
                out.append(p["entry"].get("text", ""))
        return out

    def requests(self) -> list[str]:
        return [e["params"]["request"]["url"] for e in self.pipe.events if e.get("method") == "Network.requestWillBeSent"]


@contextmanager
def open_tab(url: str) -> Iterator[Tab]:
    """The page at `url` in a fresh headless Chromium (no proxy: the page is on this computer)."""
    with ExitStack() as stack:
        pipe = stack.enter_context(chromium_pipe(("--no-proxy-server",)))
        yield Tab(pipe, url)
