"""The ``smallcaps`` command line: ``data`` (list, show, import, snapshot, pull),
``run`` (execute notebooks with papermill) and ``report`` (HTML / slides)."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from .. import __version__

COMMANDS = ("data", "run", "report", "check", "scan")  # each is the module that adds it


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The command line's parser: every command, or only ``command`` (some commands'
    help lists choices that live in heavy modules; ``run`` starts its kernel zygote
    before it imports pandas)."""
    parser = argparse.ArgumentParser(
        prog="smallcaps",
        description="Research kit for US small caps: data, notebooks, reports.",
    )
    parser.add_argument("--version", action="version", version=f"smallcaps {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for module in COMMANDS if command not in COMMANDS else (command,):
        importlib.import_module(f".{module}", __name__).add_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``smallcaps`` console script; returns the exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(argv[0] if argv else None)
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        # the kit's error types are imported only now, keeping pandas and the data layer
        # out of a command's start (``run`` starts its kernel zygote before them)
        from ..data.errors import DataError
        from ..params import ParameterError

        if isinstance(exc, (DataError, ParameterError)):
            print(f"smallcaps: error: {exc}", file=sys.stderr)
            return 2
        if isinstance(exc, OSError):  # a path the user gave is unusable: one line, no traceback
            print(f"smallcaps: error: {os_error_message(exc)}", file=sys.stderr)
            return 1
        raise


def os_error_message(exc: OSError) -> str:
    """One plain sentence for a file-system error (the path and what is wrong with it)."""
    import errno

    path = exc.filename or ""
    if isinstance(exc, (FileExistsError, NotADirectoryError)) or exc.errno in (
            errno.EEXIST, errno.ENOTDIR):
        from pathlib import Path

        bad = next((p for p in [*reversed(Path(path).parents), Path(path)]
                    if p.exists() and not p.is_dir()), Path(path)) if path else path
        return f"{bad} is a file, but a folder is needed there"
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return f"the disk is full (writing {path})" if path else "the disk is full"
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return f"no permission to write {path}" if path else f"permission denied ({exc})"
    return f"{exc.strerror or exc}" + (f": {path}" if path else "")
