"""Run manifests: what ran, with which parameters and data, and how it ended.

Every run writes ``<run>.manifest.json`` twice: once with status ``"running"``
before its kernel starts (with the runner's process id and host), and once with
the final status (``"ok"`` or ``"failed"``) after. A run killed in between keeps
the first one, so :func:`read` reports it as ``"incomplete"`` as soon as the
process that wrote it is gone; reports refuse to present it as a finished run.

Manifests record only the documented ``SMALLCAPS_*`` settings
(:func:`smallcaps.config.documented`) and never an absolute path inside the
user's home folder (it is written ``~/...``).

This module imports nothing else from :mod:`smallcaps.run`.
"""

from __future__ import annotations

import json
import os
import platform
import socket
import subprocess
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from .export import MANIFEST_SUFFIX  # one spelling: the exports read the manifest too

__all__ = ["MANIFEST_SUFFIX", "RUNNING", "INCOMPLETE", "git", "read", "read_all",
           "read_jsonl", "publishable", "status_of", "versions", "write"]

SCHEMA = 2
RUNNING = "running"
INCOMPLETE = "incomplete"
_VERSIONS = ("smallcaps", "numpy", "pandas", "pyarrow", "matplotlib", "mplfinance", "scipy",
             "statsmodels", "papermill", "nbclient", "nbconvert", "nbformat", "ipykernel",
             "jupyter_client", "ipywidgets")


def versions() -> dict[str, str | None]:
    """Python and the installed versions of the packages a run depends on."""
    from importlib import metadata

    out: dict[str, str | None] = {"python": platform.python_version()}
    for pkg in _VERSIONS:
        try:
            out[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            out[pkg] = None
    return out


def git(folder: Path) -> dict[str, Any]:
    """The commit (and whether the tree is dirty) of the checkout holding ``folder``, if any."""
    try:
        commit = subprocess.run(["git", "-C", str(folder), "rev-parse", "HEAD"],
                                capture_output=True, text=True, timeout=10)
        if commit.returncode != 0:
            return {"commit": None}
        dirty = subprocess.run(["git", "-C", str(folder), "status", "--porcelain",
                                "--untracked-files=no"], capture_output=True, text=True,
                               timeout=10)
        return {"commit": commit.stdout.strip(), "dirty": bool(dirty.stdout.strip())}
    except (OSError, subprocess.SubprocessError):
        return {"commit": None}


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    """The distinct JSON records of a JSON-lines file (bad lines skipped), in order."""
    records: list[dict[str, Any]] = []
    seen: set[str] = set()
    if not path.is_file():
        return records
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line:
            continue
        try:
            rec = json.loads(line)
        except json.JSONDecodeError:
            continue
        key = json.dumps(rec, sort_keys=True)
        if isinstance(rec, dict) and key not in seen:
            seen.add(key)
            records.append(rec)
    return records


def publishable(value: Any) -> Any:
    """``value`` with every absolute local path written as it may be published
    (``snapshot:market/RUT.csv``, ``cache:...``, or the file name; see
    :func:`smallcaps.data.provenance.public_location`), in strings, dicts and lists."""
    from ..data.provenance import public_location

    if isinstance(value, str):
        return public_location(value)
    if isinstance(value, dict):
        return {k: publishable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [publishable(v) for v in value]
    return value


def host() -> dict[str, Any]:
    """Platform, host name and the process id that writes the manifest (to detect kills)."""
    return {"platform": platform.platform(), "hostname": socket.gethostname(), "pid": os.getpid()}


def write(path: Path, data: dict[str, Any]) -> Path:
    """Write ``data`` (home paths redacted) to ``path`` atomically."""
    data = {"schema": SCHEMA, **publishable(data)}
    tmp = path.with_name(f".{path.name}.tmp{os.getpid()}")
    tmp.write_text(json.dumps(data, indent=2, default=str), encoding="utf-8")
    os.replace(tmp, path)
    return path


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    except OSError:
        return False
    try:  # Linux: a killed process nobody has reaped yet is a zombie, not a live run
        stat = Path(f"/proc/{pid}/stat").read_text()
        return stat.rsplit(")", 1)[1].split()[0] not in ("Z", "X")
    except (OSError, IndexError):
        return True


def status_of(m: dict[str, Any]) -> str:
    """The status of a manifest: ``"running"`` turns ``"incomplete"`` once its writer is gone."""
    status = str(m.get("status", "?"))
    if status != RUNNING:
        return status
    h = m.get("host") or {}
    pid = h.get("pid")
    if h.get("hostname") not in (None, socket.gethostname()) or not isinstance(pid, int):
        return RUNNING  # cannot tell from here
    return RUNNING if _alive(pid) else INCOMPLETE


def read(path: Path) -> dict[str, Any] | None:
    """One manifest with its ``status`` resolved (see :func:`status_of`), or None if unreadable."""
    try:
        m = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return None
    if not isinstance(m, dict) or "run" not in m:
        return None
    m["status"] = status_of(m)
    m["_path"] = Path(path)
    return m


def read_all(out_dir: str | Path) -> list[dict[str, Any]]:
    """Every run manifest in ``out_dir``, newest first (unreadable files skipped)."""
    runs = [m for p in Path(out_dir).glob(f"*{MANIFEST_SUFFIX}") if (m := read(p)) is not None]
    return sorted(runs, key=lambda m: (str(m.get("started", "")), m["run"]), reverse=True)


def manifest_of(executed: Path) -> Path:
    """The manifest file of an executed notebook ``<run>.ipynb``."""
    return executed.with_name(executed.stem + MANIFEST_SUFFIX)


def data_names(records: Iterable[dict[str, Any]]) -> list[str]:
    """Sorted names of the series a run loaded."""
    return sorted({str(d.get("name", "?")) for d in records})
