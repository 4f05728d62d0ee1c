"""A faster `__init__` for the frozen dataclasses made once per rep (tens of thousands a day).

A frozen dataclass' generated `__init__` stores each field with `object.__setattr__` (its own
`__setattr__` refuses): about 0.25 us a field in CPython 3.11, 2-3 us for a rep's nine fields, so
the rep records of an hour's 5,200 steps (`RepWindow`, `RepScore`, `Rep` and its `own_phase`)
cost ~40 ms to make. `direct_init` gives the class an `__init__` that writes the instance's
`__dict__` directly: the same parameters, defaults and default factories, the same instance
(equality, hash, repr, `dataclasses.replace`, the frozen `__setattr__` unchanged)."""

from __future__ import annotations

import dataclasses
import inspect

_MISSING = dataclasses.MISSING


def direct_init(cls: type) -> type:
    """Replace the `__init__` of frozen dataclass `cls` by one storing into `__dict__` (see the
    module docstring). Only plain fields are supported (no `init=False`, `InitVar`, keyword-only
    fields, `__slots__` or `__post_init__`): anything else raises TypeError, so that a class
    changed later cannot silently lose what the generated `__init__` did."""
    params = getattr(cls, "__dataclass_params__", None)
    if params is None or not params.frozen or not params.init:
        raise TypeError(f"{cls.__name__}: direct_init needs a frozen dataclass with a generated __init__")
    if hasattr(cls, "__post_init__") or hasattr(cls, "__slots__"):
        raise TypeError(f"{cls.__name__}: direct_init does not support __post_init__ or __slots__")
    fields = dataclasses.fields(cls)
    # The generated __init__ takes exactly the fields, in order (an InitVar would add a parameter,
    # init=False remove one), none keyword-only.
    generated = list(inspect.signature(cls.__init__).parameters)[1:]
    if generated != [f.name for f in fields] or any(f.kw_only for f in fields):
        raise TypeError(f"{cls.__name__}: direct_init supports positional init fields only")
    env: dict = {"_MISSING": _MISSING}
    args, body = [], []
    for f in fields:
        if f.default is not _MISSING:
            env[f"_d_{f.name}"] = f.default
            args.append(f"{f.name}=_d_{f.name}")
            body.append(f"    d[{f.name!r}] = {f.name}")
        elif f.default_factory is not _MISSING:
            env[f"_f_{f.name}"] = f.default_factory
            args.append(f"{f.name}=_MISSING")
            body.append(f"    d[{f.name!r}] = _f_{f.name}() if {f.name} is _MISSING else {f.name}")
        else:
            args.append(f.name)
            body.append(f"    d[{f.name!r}] = {f.name}")
    src = f"def __init__(self, {', '.join(args)}):\n    d = self.__dict__\n" + "\n".join(body) + "\n"
    exec(src, env)  # noqa: S102 - the source is built from the class' own field names above
    init = env["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    init.__doc__ = cls.__init__.__doc__
    cls.__init__ = init
    return cls
