"""The live screen in a browser (`hiplevel live --browser`): a local page with a large level gauge
that a patient can read from across the room, served by this process beside the terminal screen.

`BrowserView` is one more `View` of the same `LiveState` (its words from `page_state`); `LivePage`
serves it over HTTP on the session's own event loop and pushes every frame to the open pages as
Server-Sent Events (the newest frame only: a slow page skips frames, it never queues them).

Security (docs/live.md): the page shows health data. Who may reach it is `browser_access`
(loopback by default, another address only with allow_lan, a Host check against DNS rebinding).
It serves exactly five fixed paths from the package (no directory, nothing from the disk by name),
sends no CORS header, forbids caching, framing and any other origin in its Content-Security-Policy,
and caps the number of open pages.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from importlib import resources
from typing import Any, Final

from hiplevel.live_screen.browser_access import (
    DEFAULT_HOST,
    DEFAULT_PORT,
    BrowserScreenError,
    check_address,
    host_header_allowed,
)
from hiplevel.live_screen.page_state import (
    STOPPED_CONNECTING,
    CueSeen,
    connecting_state,
    cue_seen,
    page_end,
    page_state,
)
from hiplevel.live_screen.view import View
from hiplevel.live_screen.state import LiveState
from hiplevel.live_screen.summary import LiveSummary

MAX_PAGES: Final[int] = 16  # open event streams at once; more get 503
REQUEST_HEAD_MAX_BYTES: Final[int] = 8192
REQUEST_HEAD_TIMEOUT_S: Final[float] = 10.0  # a client that never finishes its request is hung up on
# After the session: how long the end message may take to reach the open pages before the server
# closes anyway, s (a backstop for a stalled page, not a pace).
END_FLUSH_TIMEOUT_S: Final[float] = 5.0
ENDED_WITHOUT_SUMMARY: Final[str] = "the session stopped: the terminal says why"
SSE_RETRY_MS: Final[int] = 1000  # the page's EventSource reconnects after this if the stream breaks
# A comment on a stream that had no frame this long, s: a page that went away is noticed (and its
# place freed) even while nothing is drawn, e.g. while the sensor is being connected.
SSE_KEEPALIVE_S: Final[float] = 15.0
# path -> (file in the package, content type); nothing else is served
FILES: Final[dict[str, tuple[str, str]]] = {
    "/": ("page.html", "text/html; charset=utf-8"),
    "/page.css": ("page.css", "text/css; charset=utf-8"),
    "/page.js": ("page.js", "text/javascript; charset=utf-8"),
}
SECURITY_HEADERS: Final[tuple[tuple[str, str], ...]] = (
    ("Cache-Control", "no-store"),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "no-referrer"),
    ("X-Frame-Options", "DENY"),
    ("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
                                "img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"),
)


class BrowserView:
    """A `View` that keeps the newest frame for the open pages. `draw` only marks a new frame
    (the JSON is made once per frame, and only when a page asks): it costs the live loop nothing
    measurable."""

    def __init__(self) -> None:
        self._state: LiveState | None = None
        self._last_cue: CueSeen | None = None
        self._end: dict[str, Any] | None = None
        self._version = 0
        self._cached: tuple[int, bytes] = (-1, b"")
        self._changed = asyncio.Event()

    # --- View -----------------------------------------------------------------------------------
    def begin(self) -> None:
        self._bump()

    def draw(self, state: LiveState, bell: bool = False) -> None:
        self._state = state
        cue = cue_seen(state)
        if cue is not None and (self._last_cue is None or cue.number > self._last_cue.number):
            self._last_cue = cue  # drawn with the sample that cued: the words the cue fired with
        self._bump()

    def end(self, state: LiveState) -> None:
        self.draw(state)

    def finish(self, summary: LiveSummary | None, note: str = STOPPED_CONNECTING) -> None:
        """The session is over: the pages show the summary line and the clinician's finding (or
        `note` when there is no summary)."""
        self._end = page_end(summary, note)
        self._bump()

    # --- for the server ------------------------------------------------------------------------
    @property
    def ended(self) -> bool:
        return self._end is not None

    def snapshot(self) -> dict[str, Any]:
        """The page's state now (the screen, with the end once the session is over)."""
        live = connecting_state() if self._state is None else page_state(self._state, self._last_cue)
        if self._end is not None:
            live["end"] = self._end
        return live

    def message(self) -> tuple[int, bytes]:
        """(frame number, the newest frame as one Server-Sent Event)."""
        if self._cached[0] != self._version:
            event = "end" if self._end is not None else "state"
            data = json.dumps(self.snapshot(), separators=(",", ":"))
            self._cached = (self._version, f"event: {event}\ndata: {data}\n\n".encode())
        return self._cached

    async def changed_since(self, version: int) -> int:
        """Wait for a frame newer than `version`; returns the newest frame number."""
        while self._version == version:
            await self._changed.wait()
        return self._version

    def _bump(self) -> None:
        self._version += 1
        self._changed.set()
        self._changed = asyncio.Event()


class TeeView:
    """Draws every frame on several views (the terminal and the browser)."""

    def __init__(self, *views: View) -> None:
        self.views = views

    def begin(self) -> None:
        for v in self.views:
            v.begin()

    def draw(self, state: LiveState, bell: bool = False) -> None:
        for v in self.views:
            v.draw(state, bell)

    def end(self, state: LiveState) -> None:
        for v in self.views:
            v.end(state)


@dataclass(frozen=True)
class Request:
    """One HTTP request's line and headers (names lower-case)."""

    method: str
    path: str
    headers: dict[str, str]


class LivePage:
    """The HTTP server of the browser screen; use `serve_live_page(...)`."""

    def __init__(self, view: BrowserView, host: str, port: int, allow_lan: bool) -> None:
        check_address(host, port, allow_lan)
        self.view, self.host, self.port, self.allow_lan = view, host, port, allow_lan
        self._server: asyncio.Server | None = None
        self._streams: set[asyncio.Task[None]] = set()
        self._connections: set[asyncio.StreamWriter] = set()

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}/"

    async def start(self) -> None:
        try:
            self._server = await asyncio.start_server(self._serve, self.host, self.port,
                                                      limit=REQUEST_HEAD_MAX_BYTES)
        except OSError as exc:
            why = (f"port {self.port} is in use (another hiplevel live?): choose --browser-port N, or 0 for "
                   "any free port") if exc.errno == errno.EADDRINUSE else str(exc)
            raise BrowserScreenError(f"cannot serve the browser screen on {self.host}:{self.port}: {why}") from exc
        self.port = self._server.sockets[0].getsockname()[1]

    async def close(self) -> None:
        """Send the end to the open pages (within END_FLUSH_TIMEOUT_S), then stop serving."""
        if self._streams:
            await asyncio.wait(set(self._streams), timeout=END_FLUSH_TIMEOUT_S)
        if self._server is not None:
            self._server.close()
        for task in list(self._streams):
            task.cancel()
        for writer in list(self._connections):
            writer.close()
        await asyncio.gather(*self._streams, return_exceptions=True)
        if self._server is not None:
            await self._server.wait_closed()

    # --- one connection: one request --------------------------------------------------------------
    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._connections.add(writer)
        try:
            request = await asyncio.wait_for(_read_request(reader), REQUEST_HEAD_TIMEOUT_S)
            if request is None:
                await _send(writer, 400, b"not an HTTP request\n")
            else:
                await self._answer(request, writer)
        except (asyncio.TimeoutError, ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            pass
        finally:
            self._connections.discard(writer)
            writer.close()
            with contextlib.suppress(ConnectionError, OSError):
                await writer.wait_closed()

    async def _answer(self, request: Request, writer: asyncio.StreamWriter) -> None:
        if not host_header_allowed(request.headers.get("host", ""), self.allow_lan):
            await _send(writer, 403, b"this page answers only on this computer (see docs/live.md)\n")
            return
        if request.method not in ("GET", "HEAD"):
            await _send(writer, 405, b"only GET\n", extra=(("Allow", "GET, HEAD"),))
            return
        path = request.path.split("?", 1)[0]
        if path in FILES:
            name, ctype = FILES[path]
            body = resources.files("hiplevel.live_screen").joinpath("web", name).read_bytes()
            await _send(writer, 200, body, ctype, head=request.method == "HEAD")
        elif path == "/state":
            body = json.dumps(self.view.snapshot()).encode()
            await _send(writer, 200, body, "application/json", head=request.method == "HEAD")
        elif path == "/events":
            if len(self._streams) >= MAX_PAGES:
                await _send(writer, 503, b"too many pages open\n", extra=(("Retry-After", "5"),))
                return
            task = asyncio.current_task()
            assert task is not None
            self._streams.add(task)  # type: ignore[arg-type]
            try:
                await self._stream(writer)
            finally:
                self._streams.discard(task)  # type: ignore[arg-type]
        else:
            await _send(writer, 404, b"not found\n")

    async def _stream(self, writer: asyncio.StreamWriter) -> None:
        """Server-Sent Events: the newest frame whenever there is a new one, until the end."""
        head = _head(200, "text/event-stream; charset=utf-8", None)
        writer.write(head + f"retry: {SSE_RETRY_MS}\n\n".encode())
        while True:
            version, message = self.view.message()
            writer.write(message)
            await writer.drain()
            if self.view.ended:
                return
            while True:
                try:
                    await asyncio.wait_for(self.view.changed_since(version), SSE_KEEPALIVE_S)
                    break
                except asyncio.TimeoutError:
                    writer.write(b": still here\n\n")
                    await writer.drain()


async def _read_request(reader: asyncio.StreamReader) -> Request | None:
    head = await reader.readuntil(b"\r\n\r\n")  # LimitOverrunError past REQUEST_HEAD_MAX_BYTES
    lines = head.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ")
    if len(parts) != 3 or not parts[2].startswith("HTTP/"):
        return None
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            k, v = line.split(":", 1)
            headers[k.strip().lower()] = v.strip()
    return Request(parts[0], parts[1], headers)


REASONS: Final[dict[int, str]] = {200: "OK", 400: "Bad Request", 403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed",
                                  503: "Service Unavailable"}


def _head(status: int, ctype: str, length: int | None, extra: tuple[tuple[str, str], ...] = ()) -> bytes:
    lines = [f"HTTP/1.1 {status} {REASONS[status]}", f"Content-Type: {ctype}", "Connection: close",
             *(f"{k}: {v}" for k, v in SECURITY_HEADERS + extra)]
    if length is not None:
        lines.append(f"Content-Length: {length}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


async def _send(writer: asyncio.StreamWriter, status: int, body: bytes, ctype: str = "text/plain; charset=utf-8",
                head: bool = False, extra: tuple[tuple[str, str], ...] = ()) -> None:
    writer.write(_head(status, ctype, len(body), extra) + (b"" if head else body))
    await writer.drain()


@contextlib.asynccontextmanager
async def serve_live_page(host: str = DEFAULT_HOST, port: int = DEFAULT_PORT,
                          allow_lan: bool = False) -> AsyncIterator[LivePage]:
    """Serve the browser screen while inside (port 0: any free port; `page.url` says which);
    on the way out the open pages get the end (`page.view.finish(summary)` first) and the server
    stops."""
    page = LivePage(BrowserView(), host, port, allow_lan)
    await page.start()
    try:
        yield page
    finally:
        if not page.view.ended:
            page.view.finish(None, ENDED_WITHOUT_SUMMARY)
        await page.close()
