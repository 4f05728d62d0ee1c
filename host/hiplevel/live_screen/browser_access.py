"""Who may reach the browser screen (`hiplevel live --browser`, docs/live.md): its command-line
options and the address rules. The page shows health data, so it is served on this computer only
(127.0.0.1) unless the clinic asks for another address with --allow-lan; bound to loopback it
answers only requests addressed to a loopback name, so a web page elsewhere cannot reach it by
DNS rebinding. Standard library only: the CLI builds its parser from here without loading the
live session.
"""

from __future__ import annotations

import argparse
import ipaddress
from typing import Final

from hiplevel.errors import HiplevelError

DEFAULT_HOST: Final[str] = "127.0.0.1"
DEFAULT_PORT: Final[int] = 8765
LOOPBACK_NAMES: Final[frozenset[str]] = frozenset({"localhost", "127.0.0.1", "[::1]"})
PORT_MAX: Final[int] = 65535


class BrowserScreenError(HiplevelError):
    """The browser screen cannot be served (an address that is not allowed, a port in use)."""


def add_browser_options(p: argparse.ArgumentParser) -> None:
    """--browser and where to serve it (the `live` parser)."""
    p.add_argument("--browser", action="store_true",
                   help="also show the live screen as a web page with a large gauge (open the address it prints)")
    p.add_argument("--browser-port", type=int, default=DEFAULT_PORT,
                   help=f"port of the web page (default {DEFAULT_PORT}; 0: any free port)")
    p.add_argument("--browser-host", default=DEFAULT_HOST,
                   help=f"address to serve the web page on (default {DEFAULT_HOST}: this computer only)")
    p.add_argument("--allow-lan", action="store_true",
                   help="allow a --browser-host other than this computer: anyone who can reach that address "
                        "can watch the patient's live data (docs/live.md)")


def is_loopback(host: str) -> bool:
    """True for 'localhost' and loopback IP addresses (127.0.0.0/8, ::1)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_address(host: str, port: int, allow_lan: bool) -> None:
    """Refuse a port out of range, an address that is neither localhost nor an IP address, and one
    that is not loopback without `allow_lan`."""
    if not 0 <= port <= PORT_MAX:
        raise BrowserScreenError(f"--browser-port must be within 0..{PORT_MAX}, got {port}")
    if host != "localhost":
        try:
            ipaddress.ip_address(host.strip("[]"))
        except ValueError:
            raise BrowserScreenError(f"--browser-host must be an IP address or localhost, got {host!r}") from None
    if not is_loopback(host) and not allow_lan:
        raise BrowserScreenError(
            f"--browser-host {host} would show the patient's live data to anyone who can reach it; "
            "add --allow-lan to do so on purpose, on a trusted clinic network only (docs/live.md)")


def host_header_allowed(host_header: str, allow_lan: bool) -> bool:
    """Whether a request's Host header may be answered: any when the LAN is allowed, else only a
    loopback name ('127.0.0.1:8765', 'localhost:8765', '[::1]:8765')."""
    if allow_lan:
        return True
    name = host_header.strip().lower()
    if not name.endswith("]"):
        name = name.rsplit(":", 1)[0]
    return name in LOOPBACK_NAMES
