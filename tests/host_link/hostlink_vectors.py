"""Helpers shared by the host-link tests: the protocol vectors every side is checked against."""

from __future__ import annotations

import json
from pathlib import Path

VECTORS_PATH = Path(__file__).resolve().parents[1] / "vectors" / "protocol.json"


def load_vectors(kind: str) -> list[dict]:
    """Vectors of one kind from tests/vectors/protocol.json."""
    data = json.loads(VECTORS_PATH.read_text())
    return [v for v in data["vectors"] if v["kind"] == kind]
