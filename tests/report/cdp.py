"""A minimal Chrome DevTools Protocol client over `--remote-debugging-pipe` for the report tests:
open a file in real headless Chromium, collect console errors, failed loads and every network
request, read the page's figure positions and take a full-page screenshot. `chromium_pipe()` is
the browser alone (the live screen's tests drive a served page with it)."""

from __future__ import annotations

import base64
import contextlib
import json
import os
import queue
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from hiplevel.report.chromium import HEADLESS_FLAGS, find_chromium

MESSAGE_TIMEOUT_S = 60.0  # a guard against a hung browser, not a timing assertion
# Each image's place, whether it loaded, and the element ids inside an embedded SVG (decoded by the
# page itself), so a test can ask what a figure marks.
FIGURE_RECTS_JS = (
    "JSON.stringify([...document.images].map(i => {const r = i.getBoundingClientRect();"
    " const svg = i.src.startsWith('data:image/svg+xml;base64,') ? atob(i.src.split(',')[1]) : '';"
    " return {x: r.x + scrollX, y: r.y + scrollY, w: r.width, h: r.height,"
    " loaded: i.complete && i.naturalWidth > 0,"
    " ids: (svg.match(/id=\"[a-z]+-[0-9-]+\"/g) || []).map(m => m.slice(4, -1))};}))"
)


@dataclass
class PageResult:
    """What Chromium saw while loading the page."""

    console_errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    figures: list[dict] = field(default_factory=list)
    screenshot_png: bytes = b""
    width_px: int = 0
    height_px: int = 0
    values: dict = field(default_factory=dict)


class _Pipe:
    def __init__(self, proc: subprocess.Popen, to_browser: int, from_browser: int) -> None:
        self.proc, self.w, self.r = proc, os.fdopen(to_browser, "wb"), os.fdopen(from_browser, "rb")
        self.next_id = 0
        self.events: list[dict] = []
        self.inbox: queue.Queue = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        buf = b""
        while chunk := self.r.read1(65536):
            buf += chunk
            *msgs, buf = buf.split(b"\0")
            for m in msgs:
                self.inbox.put(json.loads(m))
        self.inbox.put(None)

    def call(self, method: str, params: dict | None = None, session: str | None = None) -> dict:
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        self.w.write(json.dumps(msg).encode() + b"\0")
        self.w.flush()
        while True:
            reply = self.inbox.get(timeout=MESSAGE_TIMEOUT_S)
            if reply is None:
                raise RuntimeError("chromium closed the DevTools pipe")
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def wait_event(self, method: str) -> dict:
        for e in self.events:
            if e.get("method") == method:
                return e
        while True:
            e = self.inbox.get(timeout=MESSAGE_TIMEOUT_S)
            if e is None:
                raise RuntimeError("chromium closed the DevTools pipe")
            self.events.append(e)
            if e.get("method") == method:
                return e


def open_page(html: Path, width_px: int = 1100, evaluate: dict[str, str] | None = None) -> PageResult:
    """Load `html` in headless Chromium and report errors, requests, figures and a screenshot;
    evaluate: name -> JavaScript expression returning a JSON string, results in `values`."""
    with chromium_pipe() as pipe:
        return _drive(pipe, html, width_px, evaluate or {})


@contextlib.contextmanager
def chromium_pipe(extra_flags: tuple[str, ...] = ()) -> Iterator[_Pipe]:
    """A headless Chromium (a fresh profile) driven over its DevTools pipe while inside."""
    exe = find_chromium()
    assert exe, "chromium missing (callers skip first)"
    a_r, a_w = os.pipe()  # host -> browser (browser's fd 3)
    b_r, b_w = os.pipe()  # browser -> host (browser's fd 4)
    with tempfile.TemporaryDirectory(prefix="hiplevel-cdp-") as profile:

        def child_fds() -> None:
            # Move both ends clear of 3/4 first: dup2 onto itself would keep close-on-exec.
            r, w = os.dup(a_r), os.dup(b_w)
            r, w = os.dup2(r, 100), os.dup2(w, 101)
            os.dup2(r, 3)
            os.dup2(w, 4)

        proc = subprocess.Popen(
            [exe, *HEADLESS_FLAGS, *extra_flags, f"--user-data-dir={profile}", "--remote-debugging-pipe",
             "about:blank"],
            preexec_fn=child_fds, close_fds=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        os.close(a_r)
        os.close(b_w)
        pipe = _Pipe(proc, a_w, b_r)
        try:
            yield pipe
        finally:
            try:
                pipe.call("Browser.close")
            except (RuntimeError, OSError, queue.Empty):
                proc.kill()
            proc.wait(timeout=MESSAGE_TIMEOUT_S)


def _drive(pipe: _Pipe, html: Path, width_px: int, evaluate: dict[str, str]) -> PageResult:
    target = pipe.call("Target.createTarget", {"url": "about:blank"})["targetId"]
    sid = pipe.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
    for domain in ("Runtime", "Log", "Network", "Page"):
        pipe.call(f"{domain}.enable", session=sid)
    pipe.call("Emulation.setDeviceMetricsOverride",
              {"width": width_px, "height": 900, "deviceScaleFactor": 1, "mobile": False}, session=sid)
    pipe.events.clear()
    pipe.call("Page.navigate", {"url": html.resolve().as_uri()}, session=sid)
    pipe.wait_event("Page.loadEventFired")
    ev = lambda expr: pipe.call("Runtime.evaluate", {"expression": expr, "returnByValue": True}, session=sid)["result"]["value"]  # noqa: E731
    height = int(ev("document.documentElement.scrollHeight"))
    pipe.call("Emulation.setDeviceMetricsOverride",
              {"width": width_px, "height": height, "deviceScaleFactor": 1, "mobile": False}, session=sid)
    figures = json.loads(ev(FIGURE_RECTS_JS))
    shot = pipe.call("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True}, session=sid)
    res = PageResult(figures=figures, screenshot_png=base64.b64decode(shot["data"]), width_px=width_px, height_px=height,
                     values={k: json.loads(ev(js)) for k, js in evaluate.items()})
    for e in pipe.events:
        m, p = e.get("method"), e.get("params", {})
        if m == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert", "warning"):
            res.console_errors.append(" ".join(str(a.get("value", a.get("description"))) for a in p.get("args", [])))
        elif m == "Runtime.exceptionThrown":
            res.console_errors.append(str(p.get("exceptionDetails", {}).get("text")))
        elif m == "Log.entryAdded" and p.get("entry", {}).get("level") in ("error", "warning"):
            res.console_errors.append(p["entry"].get("text", ""))
        elif m == "Network.requestWillBeSent":
            res.requests.append(p["request"]["url"])
    return res
