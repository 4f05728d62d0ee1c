"""The live screen in a browser (`hiplevel live --browser`): served by the host on this computer
only, drawn in real headless Chromium from the same `LiveState` as the terminal, so the page and
the terminal tell one story: the same words for each step, for each cue, and the same finding.

The simulated patient has a weak left side (standing on the left leg the right hip drops ~10 deg,
past the 7 deg walking cue). Every wait is on what the page or the terminal shows, never on the
clock; backstops only stop a hung run."""

from __future__ import annotations

import asyncio
import io
import os
import re
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from browser_tab import Tab, open_tab
from hiplevel.cli.common import EXIT_USAGE, CliError
from hiplevel.cli.main import build_parser
from hiplevel.live_screen.browser import MAX_PAGES, BrowserView, TeeView, serve_live_page
from hiplevel.live_screen.browser_access import DEFAULT_HOST, DEFAULT_PORT, host_header_allowed, is_loopback
from hiplevel.live_screen.command import options_from_args
from hiplevel.live_screen.latency import measure_latency_async
from hiplevel.live_screen.page_state import page_state
from hiplevel.live_screen.state import CueSettings, LiveState
from hiplevel.live_screen.view import TerminalView, render
from hiplevel.report.chromium import find_chromium
from hiplevel.scoring import Rep
from ptyrun import run_in_pty

SPEED = "8"  # session seconds per wall second of the virtual device
PROCESS_BACKSTOP_S = 120.0  # a hung child is killed after this; not a timing assertion
LONG_LOSS_S = 3600.0  # a link loss lasts until the test gives the link back
URL_RE = re.compile(r"Live screen in a browser: (http://127\.0\.0\.1:\d+/)")
STEP_RE = re.compile(r"^\s*\d+:\d\d  step (\d+): (.*) \((score \d+/100)\)$")
CUE_RE = re.compile(r"^\s*\d+:\d\d  cue: ((?:left|right) hip [\d.]+ deg low), keep your hip bones level$")
STEPS_SHOWN = 8  # the page must show this many steps before the session is stopped
SCREENSHOT_ENV = "HIPLEVEL_LIVE_SCREENSHOTS"  # a folder to keep the page's screenshots in (else tmp_path)

needs_chromium = pytest.mark.skipif(find_chromium() is None, reason="chromium not installed "
                                    "(make test installs it as root via tools/ensure-test-tools)")


def parse(*argv: str):
    return build_parser().parse_args(["live", *argv])


def rep(side: str, drop_deg: float, score: float, flags: tuple[str, ...] = ()) -> Rep:
    return Rep(0, 0.0, 0.6, side, drop_deg, score, flags)


# --- who may open the page ---------------------------------------------------------------------
def test_the_page_is_for_this_computer_unless_the_lan_is_allowed_on_purpose():
    args = parse("--browser")
    assert (args.browser_host, args.browser_port) == (DEFAULT_HOST, DEFAULT_PORT) and is_loopback(DEFAULT_HOST)
    options_from_args(args)
    with pytest.raises(CliError, match="--allow-lan") as exc:
        options_from_args(parse("--browser", "--browser-host", "0.0.0.0"))
    assert exc.value.exit_code == EXIT_USAGE and "live data" in str(exc.value)
    options_from_args(parse("--browser", "--browser-host", "0.0.0.0", "--allow-lan"))
    for bad in (("--browser-host", "clinic.example"), ("--browser-port", "70000")):
        with pytest.raises(CliError):
            options_from_args(parse("--browser", *bad))
    # Bound to loopback, only requests addressed to this computer are answered (DNS rebinding).
    assert host_header_allowed("127.0.0.1:8765", False) and host_header_allowed("localhost:8765", False)
    assert host_header_allowed("[::1]:8765", False)
    assert not host_header_allowed("evil.example:8765", False) and not host_header_allowed("", False)
    assert host_header_allowed("192.168.1.20:8765", True)


async def _get(port: int, path: str, host: str | None = None, method: str = "GET") -> tuple[int, dict, bytes]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(f"{method} {path} HTTP/1.1\r\nHost: {host or f'127.0.0.1:{port}'}\r\n\r\n".encode())
    await writer.drain()
    data = await reader.read()  # every answer but the event stream closes the connection
    writer.close()
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {k.lower(): v.strip() for k, _, v in (ln.partition(":") for ln in lines[1:])}
    return int(lines[0].split()[1]), headers, body


async def test_the_server_serves_its_page_and_nothing_else():
    async with serve_live_page(port=0) as page:
        assert page.url.startswith("http://127.0.0.1:")
        status, headers, body = await _get(page.port, "/")
        assert status == 200 and b'<script src="/page.js"' in body
        assert "default-src 'none'" in headers["content-security-policy"]
        assert headers["cache-control"] == "no-store" and "access-control-allow-origin" not in headers
        for path in ("/page.css", "/page.js", "/state"):
            assert (await _get(page.port, path))[0] == 200, path
        for path in ("/web/page.html", "/page.html", "/../pyproject.toml", "/etc/passwd", "/web/", "//"):
            assert (await _get(page.port, path))[0] == 404, path
        assert (await _get(page.port, "/", host="rebound.example"))[0] == 403
        assert (await _get(page.port, "/state", method="POST"))[0] == 405
        assert (await _get(page.port, "/ HTTP/1.1 extra"))[0] == 400


# --- one story: the page's words are the terminal's ---------------------------------------------
def test_the_page_state_carries_the_terminals_words():
    s = LiveState("walking", cue=CueSettings(threshold_deg=7.0))
    s.tared = True
    s.on_rep(rep("right", 2.0, 100.0))
    s.on_rep(rep("left", 9.6, 20.0, ("pelvic_drop",)))
    assert s.on_sample(5.0, 8.4)  # right side low, past the cue
    view = BrowserView()
    view.draw(s, bell=True)
    page = view.snapshot()
    screen = "\n".join(render(s))
    last = page["reps"]["recent"][0]
    assert last["number"] == 2 and last["tone"] == "alert"
    assert last["words"] in screen and last["score"] in screen
    assert page["gauge"]["words"] == "Right hip 8.4 deg low" and page["gauge"]["tone"] == "alert"
    assert f"{page['gauge']['words']}: keep your hip bones level!" in screen and page["link"]["words"] in screen
    for leg in page["legs"]:
        assert leg["words"] in screen
    assert page["cue"] == {"active": True, "count": 1, "last": {"number": 1, "words": "Right hip 8.4 deg low"},
                           "say": "Keep your hip bones level", "how": page["cue"]["how"]}
    assert page["cue"]["how"] in screen
    # Back near level the state forgets the side; the page keeps the words the cue fired with.
    s.on_sample(5.5, 0.5)
    view.draw(s)
    assert view.snapshot()["cue"]["active"] is False and view.snapshot()["cue"]["last"]["words"] == "Right hip 8.4 deg low"
    assert page_state(s)["cue"]["last"] is None  # the words come from the frame that cued, nowhere else


# --- the real thing: `hiplevel live --browser --virtual` in headless Chromium -------------------
class Lines:
    """A child's stdout, line by line, collected in a thread (the pipe never fills)."""

    def __init__(self, stream: io.TextIOBase) -> None:
        self.lines: list[str] = []
        self.ended = False
        self.changed = threading.Condition()
        self.thread = threading.Thread(target=self._read, args=(stream,), daemon=True)
        self.thread.start()

    def _read(self, stream: io.TextIOBase) -> None:
        for line in stream:
            with self.changed:
                self.lines.append(line.rstrip("\n"))
                self.changed.notify_all()
        with self.changed:
            self.ended = True
            self.changed.notify_all()

    def wait_for(self, pattern: re.Pattern[str]) -> re.Match[str]:
        with self.changed:
            while True:
                for line in self.lines:
                    if m := pattern.search(line):
                        return m
                if self.ended or not self.changed.wait(PROCESS_BACKSTOP_S):
                    raise AssertionError(f"no line matched {pattern.pattern}:\n" + "\n".join(self.lines[-30:]))


def _env(**extra: str) -> dict[str, str]:
    env = dict(os.environ, HIPLEVEL_VIRTUAL_SPEED=SPEED, HIPLEVEL_VIRTUAL_SEED="1", **extra)
    env.pop("NO_COLOR", None)
    return env


def _keep_screenshot(png: bytes, tmp_path: Path, name: str) -> Path:
    folder = Path(os.environ.get(SCREENSHOT_ENV) or tmp_path)
    path = folder / f"live-page-{name}.png"
    path.write_bytes(png)
    return path


@pytest.mark.slow
@needs_chromium
def test_the_page_shows_the_same_steps_cues_and_finding_as_the_terminal(tmp_path: Path) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "hiplevel.cli.main", "live", "--virtual", "--browser", "--browser-port", "0",
         "--exercise", "walking", "--no-sound"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True, env=_env())
    out = Lines(proc.stdout)
    try:
        url = out.wait_for(URL_RE).group(1)
        with open_tab(url) as tab:
            tab.wait_for("window.__seen.links.includes('Sensor connected')", "the sensor connected")
            # Walking: the marker leaves level toward both sides; steps come; the weak side cues.
            tab.wait_for(f"window.__seen.minOffset < -0.15 && window.__seen.maxOffset > 0.15 && "
                         f"Object.keys(window.__seen.cues).length >= 2 && window.__seen.repCount >= {STEPS_SHOWN}",
                         "the gauge on both sides, two cues and enough steps")
            tab.wait_for("window.__seen.cueVisible", "a cue on screen")
            png = tab.screenshot_png()
            shot = _keep_screenshot(png, tmp_path, "cue")
            seen = tab.evaluate("window.__seen")
            proc.send_signal(signal.SIGINT)  # like q on the terminal: the session ends, then the finding
            end = tab.wait_for("window.__seen.end", "the end of the session")
            _keep_screenshot(tab.screenshot_png(), tmp_path, "end")
            seen = tab.evaluate("window.__seen")
            errors, requests = tab.console_errors(), tab.requests()
            big = _sizes(tab)
        assert proc.wait(PROCESS_BACKSTOP_S) == 0, proc.stderr.read()
        out.thread.join(PROCESS_BACKSTOP_S)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    terminal = out.lines
    steps = {int(m.group(1)): (m.group(2), m.group(3)) for ln in terminal if (m := STEP_RE.match(ln))}
    cues = [m.group(1) for ln in terminal if (m := CUE_RE.match(ln))]
    finding = next(ln.removeprefix("finding: ") for ln in terminal if ln.startswith("finding: "))
    summary = next(ln for ln in terminal if ln.startswith("live walking "))

    # Every step the page showed says what the terminal's line for that step says: the last step
    # in full, the ones before it as tiles (label and score).
    assert seen["reps"] and len(seen["reps"].keys() | seen["tiles"].keys()) >= STEPS_SHOWN, seen
    for number, shown in seen["reps"].items():
        words, score = steps[int(number)]
        assert (shown["label"], shown["words"], shown["score"]) == (f"Step {number}", words, score)
    for number, tile in seen["tiles"].items():
        assert tile.startswith(f"Step {number} ") and tile.endswith(f" {steps[int(number)][1]}"), tile
    # Each cue the page showed: the terminal's cue of that number, on the weak side (standing on the
    # left leg, the right hip drops), big.
    assert seen["cues"], "no cue was shown"
    for number, cue in seen["cues"].items():
        assert cue["say"] == "Keep your hip bones level"
        assert cue["words"].lower() == cues[int(number) - 1]
        assert cue["words"].startswith("Right hip ")
        assert cue["fontPx"] >= 40
    # The end: the clinician's finding and the summary line, word for word the terminal's.
    assert end == {"finding": finding, "summary": summary}
    assert finding.startswith("left hip abductors: drops of") and "(weak)" in finding  # the weak left side
    # Offline and quiet: nothing but the page's own address was asked for, no error in the console.
    assert requests and all(r.startswith(url) for r in requests), requests
    assert not errors, errors
    assert big["level"] >= 40 and big["instruction"] >= 40, big
    assert png.startswith(b"\x89PNG") and shot.stat().st_size > 10_000


def _sizes(tab: Tab) -> dict[str, float]:
    """Font sizes of the gauge's words and the instruction line, CSS px at 1280 x 720."""
    return tab.evaluate("({level: parseFloat(getComputedStyle(document.getElementById('level-words')).fontSize),"
                        " instruction: parseFloat(getComputedStyle(document.getElementById('instruction')).fontSize)})")


@pytest.mark.slow
@needs_chromium
async def test_the_page_says_reconnecting_while_the_link_is_lost_and_the_session_goes_on() -> None:
    device_box: list = []
    stop = asyncio.Event()
    async with serve_live_page(port=0) as page:

        def view_for(device):
            device_box.append(device)
            return TeeView(TerminalView(io.StringIO()), page.view)

        session = asyncio.create_task(measure_latency_async(seconds=None, speed=float(SPEED), stop=stop,
                                                            view_for=view_for))
        stack = open_tab(page.url)
        tab = await asyncio.to_thread(stack.__enter__)
        try:
            wait = lambda cond, what: asyncio.to_thread(tab.wait_for, cond, what)  # noqa: E731
            steps = await wait("window.__seen.repCount >= 4 && window.__seen.repCount", "4 steps")
            device_box[0].drop_link(LONG_LOSS_S)
            await wait("window.__seen.links.some(l => l.startsWith('Reconnecting to the sensor'))", "Reconnecting")
            device_box[0].restore_link()
            await wait(f"window.__seen.links[window.__seen.links.length - 1] === 'Sensor connected' && "
                       f"window.__seen.repCount >= {steps + 4}", "connected again, and more steps")
            stop.set()
            summary = await session
            page.view.finish(summary)
            end = await wait("window.__seen.end", "the end")
        finally:
            stop.set()
            await asyncio.to_thread(stack.__exit__, None, None, None)
            if not session.done():
                await session
    assert end["finding"] == summary.finding and end["summary"] == summary.line()
    assert summary.reps >= steps + 4


@pytest.mark.slow
def test_the_terminal_keeps_its_screen_and_says_where_the_page_is() -> None:
    env = _env(TERM="xterm")
    run = run_in_pty(["live", "--virtual", "--browser", "--browser-port", "0", "--no-sound"], env,
                     keys=[("Steps: 6 ", b"q")])
    assert run.exit_code == 0, run.tail
    url = URL_RE.search(run.output).group(1)
    frames = [f for f in run.frames if f.line("  Steps:")]
    assert frames and all(f.line(f"  Live screen in a browser: {url}") for f in frames)
    assert max(len(ln) for f in frames for ln in f.lines) <= 80
    assert "finding: left hip abductors: drops of" in run.tail.replace("\n  ", " ")


async def test_pages_beyond_the_cap_are_turned_away():
    async with serve_live_page(port=0) as page:
        streams = []
        for _ in range(MAX_PAGES):
            reader, writer = await asyncio.open_connection("127.0.0.1", page.port)
            writer.write(f"GET /events HTTP/1.1\r\nHost: 127.0.0.1:{page.port}\r\n\r\n".encode())
            await reader.readuntil(b"event: state")  # the stream is open and has sent its first frame
            streams.append(writer)
        assert (await _get(page.port, "/events"))[0] == 503
        assert (await _get(page.port, "/state"))[0] == 200
        page.view.finish(None)
        for w in streams:
            w.close()
