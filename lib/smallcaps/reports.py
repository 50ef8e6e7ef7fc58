"""Exports of executed notebooks, and the index page of a reports folder.

Three exports of one executed notebook, each a single HTML file with the figures
embedded and the styles inlined:

- ``html``: code hidden, for presenting (``<run>.html``);
- ``code``: with the code, for reviewing (``<run>.code.html``);
- ``slides``: reveal.js slides from the cells' ``slideshow`` metadata, code
  hidden (``<run>.slides.html``).

The exports live in :mod:`smallcaps.run.export` (self-contained: reveal.js is
inlined from an installed package, nothing comes from a CDN); the functions here
call them.

:func:`write_index` lists every run of a folder (from the ``*.manifest.json``
files the runner writes) in ``index.html``; :func:`report` is the
``smallcaps report`` command.
"""

from __future__ import annotations

import datetime as _dt
import html as _html
import json
import os
from pathlib import Path
from typing import Any

from .run.export import SUFFIX

__all__ = ["SUFFIX", "export", "export_html", "export_slides", "read_manifests", "report",
           "write_index"]


def export_html(executed: str | Path, hide_code: bool = True, out: str | Path | None = None) -> Path:
    """Write ``executed`` as one self-contained HTML file (see :mod:`smallcaps.run.export`)."""
    from .run import export as _export

    return _export.export_html(executed, hide_code=hide_code, out=out)


def export_slides(executed: str | Path, hide_code: bool = True, out: str | Path | None = None,
                  reveal_prefix: str | None = None) -> Path:
    """Write a self-contained reveal.js deck of ``executed`` (see :mod:`smallcaps.run.export`)."""
    from .run import export as _export

    return _export.export_slides(executed, hide_code=hide_code, out=out,
                                 reveal_prefix=reveal_prefix)


def export(executed: str | Path, kind: str = "html", out: str | Path | None = None) -> Path:
    """Export ``executed`` as "html" (code hidden), "code" (with code) or "slides"."""
    from .run import export as _export

    return _export.export(executed, kind=kind, out=out)


def _write(target: Path, text: str) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.tmp{os.getpid()}")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, target)
    return target


# --------------------------------------------------------------------------- index


def read_manifests(out_dir: str | Path) -> list[dict[str, Any]]:
    """Every run manifest in ``out_dir``, newest first (unreadable files skipped)."""
    from .runner import MANIFEST_SUFFIX

    runs = []
    for path in Path(out_dir).glob(f"*{MANIFEST_SUFFIX}"):
        try:
            m = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError):
            continue
        if isinstance(m, dict) and "run" in m:
            m["_path"] = path
            runs.append(m)
    return sorted(runs, key=lambda m: (str(m.get("started", "")), m["run"]), reverse=True)


def _e(x: Any) -> str:
    return _html.escape(str(x), quote=True)


def _params_text(params: dict[str, Any]) -> str:
    if not params:
        return "<span class='muted'>defaults</span>"
    return "<br>".join(f"<code>{_e(k)}</code>={_e(json.dumps(v, default=str))}"
                       for k, v in params.items())


def write_index(out_dir: str | Path = "reports") -> Path:
    """Write ``out_dir/index.html``: one row per run, linking its report files.

    Columns: run (link to the presenting HTML), notebook, parameters, status (with
    the error), start time, duration, data loaded (synthetic flagged), and links
    to the code view, slides, executed notebook and manifest when they exist.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    rows = []
    for m in read_manifests(out):
        name = m["run"]
        links = []
        for label, suffix in (("code", SUFFIX["code"]), ("slides", SUFFIX["slides"]),
                              ("notebook", ".ipynb"), ("manifest", ".manifest.json")):
            if (out / f"{name}{suffix}").is_file():
                links.append(f"<a href='{_e(name + suffix)}'>{label}</a>")
        html_file = out / f"{name}{SUFFIX['html']}"
        title = (f"<a href='{_e(html_file.name)}'>{_e(name)}</a>" if html_file.is_file()
                 else _e(name))
        status = m.get("status", "?")
        status_text = _e(status) + (" (synthetic demo data)" if m.get("synthetic") else "")
        err = m.get("error") or {}
        err_text = f"<div class='err'>{_e(err.get('ename', ''))}: {_e(err.get('evalue', ''))}</div>" \
            if err else ""
        data = sorted({d.get("name", "?") for d in m.get("data", [])})
        data_text = _e(", ".join(data)) or "<span class='muted'>none recorded</span>"
        if m.get("synthetic"):
            data_text += " <b class='synthetic'>SYNTHETIC DEMO DATA</b>"
        rows.append(
            f"<tr class='{_e(status)}'><td>{title}</td><td>{_e(m.get('notebook', ''))}</td>"
            f"<td>{_params_text(m.get('parameters') or {})}</td>"
            f"<td class='status'>{status_text}{err_text}</td><td>{_e(m.get('started', ''))}</td>"
            f"<td class='num'>{float(m.get('seconds') or 0):.1f}s</td><td>{data_text}</td>"
            f"<td>{' · '.join(links)}</td></tr>")
    n_fail = sum("class='failed'" in r for r in rows)
    now = _dt.datetime.now().astimezone().isoformat(timespec="seconds")
    summary = f"{len(rows)} run(s), {n_fail} failed; updated {now}"
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>smallcaps reports</title>
<style>
body {{ font-family: -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; margin: 2em;
  color: #1f2933; }}
table {{ border-collapse: collapse; width: 100%; font-size: 14px; }}
th, td {{ border-bottom: 1px solid #e1e4e8; padding: 6px 8px; text-align: left;
  vertical-align: top; }}
th {{ background: #f3f5f7; }}
td.num {{ text-align: right; }}
tr.failed td.status {{ color: #b00020; font-weight: bold; }}
tr.ok td.status {{ color: #2e7d32; }}
.err {{ font-weight: normal; font-size: 12px; max-width: 28em; }}
.muted {{ color: #8a8f98; }}
.synthetic {{ color: #c62828; }}
code {{ font-size: 12px; }}
</style></head><body>
<h1>smallcaps reports</h1>
<p class="muted">{_e(summary)}</p>
<table><thead><tr><th>run</th><th>notebook</th><th>parameters</th><th>status</th>
<th>started</th><th>time</th><th>data</th><th>files</th></tr></thead>
<tbody>
{chr(10).join(rows)}
</tbody></table></body></html>
"""
    return _write(out / "index.html", page)


# --------------------------------------------------------------------------- report command


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
    """The error of a failed run according to its manifest, or None if it did not fail."""
    import json

    from . import runner

    manifest = executed.with_name(executed.stem + runner.MANIFEST_SUFFIX)
    try:
        data = json.loads(manifest.read_text())
    except (OSError, ValueError):
        return None
    return (data.get("error") or "failed") if data.get("status") not in (None, "ok") else None


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
    from . import runner

    if to not in ("html", "slides"):
        raise ValueError(f"--to must be html or slides, not {to!r}")
    p = Path(target)
    folder = Path(out_dir)
    executed: Path | None = None
    if p.name.endswith(runner.MANIFEST_SUFFIX) and p.is_file():
        executed = p.with_name(p.name[: -len(runner.MANIFEST_SUFFIX)] + ".ipynb")
    elif p.suffix == ".ipynb" and p.is_file() and _is_executed(p):
        executed = p
    elif p.suffix == "" and (folder / f"{p.name}.ipynb").is_file():
        executed = folder / f"{p.name}.ipynb"
    if executed is None:
        result = runner.run(target, parameters or {}, folder, export=())
        if not result.executed.is_file():
            raise RuntimeError(f"running {target} produced no notebook: {result.error}")
        executed = result.executed
    elif parameters:
        raise ValueError("parameters apply to a source notebook, not to an executed run")
    if not executed.is_file():
        raise FileNotFoundError(f"executed notebook {executed} not found")
    if to == "slides":
        written = export_slides(executed, hide_code=not code, out=out, reveal_prefix=reveal_prefix)
    else:
        written = export_html(executed, hide_code=not code, out=out)
    manifest = executed.with_name(executed.stem + runner.MANIFEST_SUFFIX)
    if manifest.is_file():
        write_index(executed.parent)
    error = _run_failed(executed)
    if error is not None:
        raise FailedRunReport(written, error)
    return written
