"""`json.dump(obj, fh, indent=...)`'s text, written faster.

With an indent the standard library encodes in Python, one generator per container and value
(its C encoder is used only without one): about 30 generator steps for each rep of an analysis,
a few hundred thousand for an hour of walking. `write_json` makes the same characters with one
plain recursive function, written to the file every few thousand pieces (a day's reps are never
all held as text). Same rules as the standard encoder with its defaults (ensure_ascii, allow_nan,
separators "," and ": ", keys in dict order, str / int / float / bool / None keys), and the same
TypeError for anything else; tests/cli/test_json_writer.py compares the two."""

from __future__ import annotations

import json
from typing import IO, Any

_encode_str = json.encoder.encode_basestring_ascii  # the C function when available, as json's
_float_repr = float.__repr__
_int_repr = int.__repr__
FLUSH_PIECES = 8192  # pieces of text gathered before each write


def _float(x: float) -> str:
    if x != x:
        return "NaN"
    if x == float("inf"):
        return "Infinity"
    if x == -float("inf"):
        return "-Infinity"
    return _float_repr(x)


def _key(k: Any) -> str:
    if isinstance(k, str):
        return k
    if isinstance(k, float):
        return _float(k)
    if k is True:
        return "true"
    if k is False:
        return "false"
    if k is None:
        return "null"
    if isinstance(k, int):
        return _int_repr(k)
    raise TypeError(f"keys must be str, int, float, bool or None, not {k.__class__.__name__}")


def write_json(obj: Any, fh: IO[str], indent: int = 1) -> None:
    """Write `obj` to the text file `fh` exactly as `json.dump(obj, fh, indent=indent)` would."""
    pad = " " * indent
    out: list[str] = []
    put = out.append
    keys: dict[str, str] = {}  # a str key's text with its ": " (a rep's keys come back 5,000 times an hour)

    def value(o: Any, level: int) -> None:
        t = type(o)
        if t is str:
            put(_encode_str(o))
        elif t is float:
            put(_float(o))
        elif o is None:
            put("null")
        elif o is True:
            put("true")
        elif o is False:
            put("false")
        elif t is int:
            put(_int_repr(o))
        elif isinstance(o, str):
            put(_encode_str(o))
        elif isinstance(o, int):
            put(_int_repr(o))
        elif isinstance(o, float):
            put(_float(o))
        elif isinstance(o, (list, tuple)):
            sequence(o, level)
        elif isinstance(o, dict):
            mapping(o, level)
        else:
            raise TypeError(f"Object of type {o.__class__.__name__} is not JSON serializable")

    def member(head: str, v: Any, level: int) -> None:
        """A list item or dict value after its head (separator, indent and key): the common
        scalars inline, in one piece with the head."""
        text = _inline(v)
        if text is not None:
            put(head + text)
        else:
            put(head)
            value(v, level + 1)

    def sequence(o: Any, level: int) -> None:
        if not o:
            put("[]")
            return
        inner = "\n" + pad * (level + 1)
        sep = "[" + inner
        for item in o:
            member(sep, item, level)
            sep = "," + inner
            if len(out) >= FLUSH_PIECES:
                fh.write("".join(out))
                out.clear()
        put("\n" + pad * level + "]")

    def mapping(o: dict, level: int) -> None:
        if not o:
            put("{}")
            return
        inner = "\n" + pad * (level + 1)
        sep = "{" + inner
        for k, v in o.items():
            if type(k) is str:
                key = keys.get(k)
                if key is None:
                    key = keys[k] = _encode_str(k) + ": "
            else:
                key = _encode_str(_key(k)) + ": "
            # A rep's members are mostly finite floats, short strings, ints and empty lists:
            # written here, in one piece with their head (`member` for the rest).
            t = type(v)
            if t is float and v - v == 0.0:
                put(sep + key + _float_repr(v))
            elif t is str:
                put(sep + key + _encode_str(v))
            elif t is int:
                put(sep + key + _int_repr(v))
            elif t is list and not v:
                put(sep + key + "[]")
            else:
                member(sep + key, v, level)
            sep = "," + inner
        put("\n" + pad * level + "}")

    value(obj, 0)
    fh.write("".join(out))


def _inline(v: Any) -> str | None:
    """The text of a float, str or int (exact types: a bool is written by `value`), else None."""
    t = type(v)
    if t is float:
        return _float_repr(v) if v - v == 0.0 else _float(v)  # finite: x - x == 0
    if t is str:
        return _encode_str(v)
    if t is int:
        return _int_repr(v)
    return None
