"""``smallcaps report``: export a finished run, or run a notebook and export it.

A run whose manifest says it did not finish (``running`` while its process is
alive, ``incomplete`` once it is gone: killed mid-run) is refused with
:class:`IncompleteRun`: its executed notebook is partial and never presented as a
finished report.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from . import manifest as _manifest
from .export import export_html, export_slides
from .index import refresh

__all__ = ["FailedRunReport", "IncompleteRun", "report"]


class IncompleteRun(RuntimeError):
    """The run did not finish (killed, or still running): there is nothing to present."""



def _is_executed(path: Path) -> bool:
    try:
        nb = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return False
    if "papermill" in nb.get("metadata", {}):
        return True
    return any(c.get("outputs") for c in nb.get("cells", []) if c.get("cell_type") == "code")


class FailedRunReport(RuntimeError):
    """The report was written, but the run it shows failed (its error is on the page)."""

    def __init__(self, written: Path, error: str | None) -> None:
        self.written = written
        self.error = error
        super().__init__(f"the run failed ({error}); its report, with the error visible, is {written}")


def _run_failed(executed: Path) -> str | None:
    """The error of a failed run according to its manifest, or None if it did not fail.

    Raises
    ------
    IncompleteRun
        The manifest says the run never finished.
    """
    data = _manifest.read(_manifest.manifest_of(executed))
    if data is None:
        return None
    status = data.get("status")
    if status in (_manifest.RUNNING, _manifest.INCOMPLETE):
        what = ("is still running" if status == _manifest.RUNNING
                else "was killed before it finished")
        raise IncompleteRun(f"run {data['run']} {what} (started {data.get('started', '?')}); "
                            "its notebook is partial: run it again with smallcaps run")
    return (data.get("error") or "failed") if status not in (None, "ok") else None


def report(target: str | Path, to: str = "html", *, code: bool = False,
           out_dir: str | Path = "reports", parameters: dict[str, Any] | None = None,
           out: str | Path | None = None, reveal_prefix: str | None = None) -> Path:
    """Export a run, or run a notebook and export it.

    Parameters
    ----------
    target : a run's manifest (``reports/<run>.manifest.json``), its executed
        notebook, a run name in ``out_dir``, or a source notebook (path or name in
        ``notebooks/``), which is first executed by the runner with ``parameters``.
    to : "html" or "slides".
    code : keep the code (reviewing) instead of hiding it (presenting).
    out : the file to write (default: beside the executed notebook).

    Returns
    -------
    pathlib.Path
        The written file.

    Raises
    ------
    FailedRunReport
        After writing the report, when the run it shows failed.
    """
    from .execute import run

    if to not in ("html", "slides"):
        raise ValueError(f"--to must be html or slides, not {to!r}")
    p = Path(target)
    folder = Path(out_dir)
    executed: Path | None = None
    if p.name.endswith(_manifest.MANIFEST_SUFFIX) and p.is_file():
        executed = p.with_name(p.name[: -len(_manifest.MANIFEST_SUFFIX)] + ".ipynb")
    elif p.suffix == ".ipynb" and p.is_file() and _is_executed(p):
        executed = p
    elif p.suffix == "" and (folder / f"{p.name}.ipynb").is_file():
        executed = folder / f"{p.name}.ipynb"
    if executed is None:
        result = run(target, parameters or {}, folder, export=())
        if not result.executed.is_file():
            raise RuntimeError(f"running {target} produced no notebook: {result.error}")
        executed = result.executed
    elif parameters:
        raise ValueError("parameters apply to a source notebook, not to an executed run")
    if not executed.is_file():
        raise FileNotFoundError(f"executed notebook {executed} not found")
    _run_failed(executed)  # refuses an incomplete run before anything is written
    if to == "slides":
        written = export_slides(executed, hide_code=not code, out=out, reveal_prefix=reveal_prefix)
    else:
        written = export_html(executed, hide_code=not code, out=out)
    manifest = executed.with_name(executed.stem + _manifest.MANIFEST_SUFFIX)
    if manifest.is_file():
        refresh(executed.parent)
    error = _run_failed(executed)
    if error is not None:
        raise FailedRunReport(written, error)
    return written
