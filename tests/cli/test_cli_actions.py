"""Every command's action resolves: the parser names them as "module:function" (`common.deferred`),
imported only when the command runs, so a misspelt name would show only then."""

from __future__ import annotations

import argparse
import importlib

from hiplevel.cli.main import build_parser


def _actions(parser: argparse.ArgumentParser):
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield name, sub.get_default("func")
                yield from _actions(sub)


def test_every_deferred_action_names_a_function_that_exists():
    found = {}
    for name, func in _actions(build_parser()):
        target = getattr(func, "__name__", "").removeprefix("deferred ")
        if ":" in target:
            module, attr = target.split(":")
            found[name] = callable(getattr(importlib.import_module(module), attr, None))
    assert {"analyze", "scan", "live", "demo", "backup", "restore"} <= set(found)
    assert all(found.values()), [n for n, ok in found.items() if not ok]
