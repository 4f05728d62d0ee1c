"""Transports between the belt sensor and the host, all behind `Link` (see `link/base.py`).

Concrete links are imported from their own modules (`hiplevel.link.serial_link`,
`hiplevel.link.replay`, the BLE link) so importing this package pulls in no transport library.
"""

from hiplevel.link.base import Link, Received, host_now_s

__all__ = ["Link", "Received", "host_now_s"]
