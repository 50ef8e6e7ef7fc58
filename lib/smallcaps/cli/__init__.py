"""The ``smallcaps`` command line: ``data`` (list, show, import, snapshot, pull),
``run`` (execute notebooks with papermill) and ``report`` (HTML / slides)."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from .. import __version__


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="smallcaps",
        description="Research kit for US small caps: data, notebooks, reports.",
    )
    parser.add_argument("--version", action="version", version=f"smallcaps {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for module in ("data", "run", "report", "scan"):
        try:
            mod = importlib.import_module(f".{module}", __name__)
        except ModuleNotFoundError as exc:
            if exc.name != f"{__name__}.{module}":
                raise
            continue
        mod.add_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``smallcaps`` console script; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    from ..data.errors import DataError
    from ..params import ParameterError

    try:
        return int(args.func(args) or 0)
    except (DataError, ParameterError) as exc:
        print(f"smallcaps: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
