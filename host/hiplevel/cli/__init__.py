"""The `hiplevel` command line."""

from hiplevel.cli.main import main

__all__ = ["main"]
