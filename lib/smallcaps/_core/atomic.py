"""The kit's one atomic file write: a temporary file in the target's folder, fsync,
``os.replace``. A reader sees the old file or the new one, never a part of either; a
killed writer leaves at most a temporary file (named ``.<target>.<random><suffix>``)
that the next writer of the same folder may clean up."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

FILE_MODE = 0o644  # mkstemp makes 0600; the kit's files are plain readable files


def atomic_write(target: str | Path, write: Callable[[BinaryIO], object], *,
                 suffix: str = ".tmp", check: Callable[[Path], object] | None = None) -> Path:
    """Write ``target`` atomically.

    Parameters
    ----------
    target : the file to create or replace (its folder must exist).
    write : called with the open temporary file (binary); writes the content.
    suffix : suffix of the temporary file (lets a folder's cleaner recognise it).
    check : called with the temporary file's path after it is written and synced and
        before it replaces ``target``; an exception leaves ``target`` untouched.

    Returns
    -------
    Path
        ``target``.
    """
    target = Path(target)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=suffix, dir=target.parent)
    try:
        with contextlib.suppress(OSError):
            os.fchmod(fd, FILE_MODE)
        with os.fdopen(fd, "wb") as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        if check is not None:
            check(Path(tmp))
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return target
