"""The commands a live session sends to the sensor: its info, the stream mode, the haptic cue,
battery, START/STOP; the ones sent mid-session survive a dropped BLE link (the device keeps its
settings and stream while the link reconnects)."""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any, Final

from hiplevel.errors import CommandFailedError, HiplevelError, LinkError, ProtocolError
from hiplevel.link.base import Link
from hiplevel.live_screen.state import CueSettings, haptic_debounce_ms
from hiplevel.protocol import Cmd, Reply, ReplyStatus, StreamMode, set_haptic_payload, set_mode_payload

log = logging.getLogger(__name__)

COMMAND_TIMEOUT_S: Final[float] = 2.0
COMMAND_RETRY_S: Final[float] = 0.1  # wall s before a command that failed on a dropping link is sent again
STOP_TIMEOUT_S: Final[float] = 1.0
BATTERY_UNKNOWN: Final[int] = 255


class SensorControl:
    """Commands to one open sensor's link."""

    def __init__(self, link: Link) -> None:
        self.link = link

    async def info(self) -> dict[str, Any]:
        """GET_INFO as a dict (rate_hz, firmware, ...)."""
        reply = await self.link.request(Cmd.GET_INFO, timeout_s=COMMAND_TIMEOUT_S)
        try:
            return dict(json.loads(reply.payload.decode("utf-8")))
        except (UnicodeDecodeError, ValueError) as exc:
            raise ProtocolError(f"the sensor's GET_INFO reply is not JSON: {exc}") from exc

    async def choose_mode(self, want_raw: bool) -> StreamMode:
        """Raw 6-axis when wanted and the link's MTU allows it, else the device's fused roll."""
        mode = StreamMode.RAW if want_raw else StreamMode.ROLL
        reply = await self.link.request(Cmd.SET_MODE, set_mode_payload(mode), COMMAND_TIMEOUT_S, check=False)
        if reply.status == ReplyStatus.MTU_TOO_SMALL:
            mode = StreamMode.ROLL
            await self.link.request(Cmd.SET_MODE, set_mode_payload(mode), COMMAND_TIMEOUT_S)
        elif reply.status != ReplyStatus.OK:
            raise CommandFailedError(f"the sensor refused stream mode {mode.name}: {reply.status.name}",
                                     status=int(reply.status))
        return mode

    async def set_haptic(self, enabled: bool, cue: CueSettings, exercise: str) -> None:
        """The device's own buzz on a drop beyond the cue threshold (debounced per exercise)."""
        payload = set_haptic_payload(enabled, cue.threshold_deg, haptic_debounce_ms(exercise))
        await self.request_through_drops(Cmd.SET_HAPTIC, payload)

    async def request_through_drops(self, cmd: Cmd, payload: bytes = b"", check: bool = True) -> Reply:
        """A command that survives a dropped BLE link: after a drop it waits for the link's own
        reconnection and asks again."""
        while True:
            try:
                return await self.link.request(cmd, payload, COMMAND_TIMEOUT_S, check=check)
            except CommandFailedError:
                raise
            except LinkError:
                connected = getattr(self.link, "connected", None)
                if not isinstance(connected, asyncio.Event) or self.link.ended:
                    raise
                # A write can fail before the link's own task has seen the drop (`connected` still
                # set, and a set Event's wait() does not yield): pause, so that task runs, then
                # wait for the reconnection.
                await asyncio.sleep(COMMAND_RETRY_S)
                await connected.wait()

    async def battery_pct(self) -> int | None:
        """Battery from GET_STATUS (its first byte); None when unknown or the command failed."""
        try:
            reply = await self.link.request(Cmd.GET_STATUS, timeout_s=COMMAND_TIMEOUT_S)
        except HiplevelError as exc:
            log.info("GET_STATUS failed: %s", exc)
            return None
        if reply.payload and reply.payload[0] != BATTERY_UNKNOWN:
            return int(reply.payload[0])
        return None

    async def start(self) -> None:
        await self.link.request(Cmd.START, timeout_s=COMMAND_TIMEOUT_S)

    async def stop(self) -> None:
        """STOP, best effort (the link may already be gone)."""
        try:
            await self.link.request(Cmd.STOP, timeout_s=STOP_TIMEOUT_S)
        except HiplevelError as exc:
            log.info("STOP not acknowledged: %s", exc)
