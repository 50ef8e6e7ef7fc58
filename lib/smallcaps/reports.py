"""Exports of executed notebooks, and the index page of a reports folder.

Three exports of one executed notebook, each a single HTML file with the figures
embedded (base64 PNG) and the styles inlined:

- ``html``: code hidden, for presenting (``<run>.html``);
- ``code``: with the code, for reviewing (``<run>.code.html``);
- ``slides``: reveal.js slides from the cells' ``slideshow`` metadata, code
  hidden (``<run>.slides.html``).

Offline: HTML reports need nothing from the network to show text, tables and
figures (the require.js / MathJax links of nbconvert's template only matter for
widgets and LaTeX). reveal.js itself is not installed with Python packages, so
slides link it from ``reveal_prefix`` (default: nbconvert's CDN,
``https://unpkg.com/reveal.js@4.0.2``; pass a local copy's folder to present
without a network). When reveal.js cannot be loaded the file falls back to a
built-in minimal viewer (one slide at a time; arrow keys, space, click), so the
deck still opens and presents offline, without transitions.

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

__all__ = ["SUFFIX", "export", "export_html", "export_slides", "read_manifests", "report",
           "write_index"]

SUFFIX = {"html": ".html", "code": ".code.html", "slides": ".slides.html"}
DEFAULT_REVEAL = "https://unpkg.com/reveal.js@4.0.2"
_HIDDEN_TAGS = ("injected-parameters", "parameters")

_OFFLINE_VIEWER = """
<style>
.sc-offline .reveal .slides section { display: none; max-width: 1100px; margin: 2em auto;
  padding: 0 1em; }
.sc-offline .reveal .slides section.sc-current { display: block; }
.sc-offline .reveal .slides section.sc-current section { display: none; }
.sc-offline aside.notes { display: none; }
.sc-counter { position: fixed; bottom: 8px; right: 14px; font: 12px sans-serif; color: #888; }
</style>
<script>
/* smallcaps: minimal slide viewer used when reveal.js cannot be loaded (offline). */
(function () {
  function offline() {
    var root = document.querySelector('.reveal');
    if (!root || root.classList.contains('ready')) { return; }
    var slides = [].slice.call(root.querySelectorAll('.slides section')).filter(function (s) {
      return !s.querySelector('section');
    });
    if (!slides.length) { return; }
    document.body.classList.add('sc-offline');
    var counter = document.createElement('div');
    counter.className = 'sc-counter';
    document.body.appendChild(counter);
    var i = 0;
    function show(n) {
      i = Math.max(0, Math.min(slides.length - 1, n));
      slides.forEach(function (s, k) {
        s.classList.toggle('sc-current', k === i);
        if (s.parentElement && s.parentElement.tagName === 'SECTION') {
          s.parentElement.classList.toggle('sc-current', k === i);
        }
      });
      slides[i].classList.add('sc-current');
      counter.textContent = (i + 1) + ' / ' + slides.length + ' (offline viewer: arrow keys)';
      window.scrollTo(0, 0);
    }
    document.addEventListener('keydown', function (e) {
      if (['ArrowRight', 'ArrowDown', 'PageDown', ' ', 'Enter'].indexOf(e.key) >= 0) {
        show(i + 1); e.preventDefault();
      } else if (['ArrowLeft', 'ArrowUp', 'PageUp', 'Backspace'].indexOf(e.key) >= 0) {
        show(i - 1); e.preventDefault();
      } else if (e.key === 'Home') { show(0); } else if (e.key === 'End') { show(slides.length - 1); }
    });
    document.addEventListener('click', function (e) {
      if (e.target.closest && e.target.closest('a')) { return; }
      show(e.clientX > window.innerWidth / 2 ? i + 1 : i - 1);
    });
    show(0);
  }
  window.addEventListener('load', function () {
    setTimeout(offline, typeof require === 'undefined' ? 0 : 16000);
  });
})();
</script>
"""


def _prepared(executed: Path) -> Any:
    """The executed notebook with parameter cells kept off slides."""
    import nbformat

    nb = nbformat.read(executed, as_version=4)
    for cell in nb.cells:
        tags = cell.get("metadata", {}).get("tags") or []
        if any(t in tags for t in _HIDDEN_TAGS):
            cell.metadata.setdefault("slideshow", {})["slide_type"] = "skip"
    return nb


def _tag_remover() -> Any:
    from nbconvert.preprocessors import TagRemovePreprocessor

    return TagRemovePreprocessor(
        remove_cell_tags={"remove-cell", "remove_cell"},
        remove_input_tags={"hide-input", "remove-input", "remove_input"},
        remove_all_outputs_tags={"hide-output", "remove-output", "remove_output"},
        enabled=True,
    )


def _target(executed: Path, kind: str, out: str | Path | None) -> Path:
    if out is not None:
        return Path(out)
    return executed.with_name(executed.stem + SUFFIX[kind])


def _write(target: Path, text: str) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.tmp{os.getpid()}")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, target)
    return target


def export_html(executed: str | Path, hide_code: bool = True, out: str | Path | None = None) -> Path:
    """Write ``executed`` as one self-contained HTML file (figures embedded).

    Parameters
    ----------
    executed : an executed notebook.
    hide_code : True for presenting (inputs and prompts hidden), False for reviewing.
    out : target file (default: beside the notebook, ``.html`` or ``.code.html``).
    """
    from nbconvert import HTMLExporter

    executed = Path(executed)
    exporter = HTMLExporter(exclude_input=hide_code, exclude_input_prompt=hide_code,
                            exclude_output_prompt=hide_code, embed_images=True)
    exporter.register_preprocessor(_tag_remover(), enabled=True)
    body, _ = exporter.from_notebook_node(_prepared(executed))
    return _write(_target(executed, "html" if hide_code else "code", out), body)


def export_slides(executed: str | Path, hide_code: bool = True, out: str | Path | None = None,
                  reveal_prefix: str | None = None) -> Path:
    """Write reveal.js slides of ``executed`` (cell ``slideshow`` metadata) as one HTML file.

    Parameters
    ----------
    executed : an executed notebook.
    hide_code : hide code cells' inputs (default, for presenting).
    out : target file (default ``<stem>.slides.html`` beside the notebook).
    reveal_prefix : where reveal.js is loaded from (a URL, or a local folder holding
        ``dist/reveal.js``); default ``$SMALLCAPS_REVEAL_PREFIX`` or nbconvert's CDN.
        Without it the built-in offline viewer takes over.
    """
    from nbconvert import SlidesExporter

    executed = Path(executed)
    prefix = reveal_prefix or os.environ.get("SMALLCAPS_REVEAL_PREFIX") or DEFAULT_REVEAL
    if "://" not in prefix and Path(prefix).is_dir():
        prefix = Path(prefix).resolve().as_uri()
    exporter = SlidesExporter(exclude_input=hide_code, exclude_input_prompt=True,
                              exclude_output_prompt=True, embed_images=True,
                              reveal_url_prefix=prefix, reveal_scroll=True, reveal_number="c/t")
    exporter.register_preprocessor(_tag_remover(), enabled=True)
    body, _ = exporter.from_notebook_node(_prepared(executed))
    cut = body.rfind("</body>")
    body = body[:cut] + _OFFLINE_VIEWER + body[cut:] if cut >= 0 else body + _OFFLINE_VIEWER
    return _write(_target(executed, "slides", out), body)


def export(executed: str | Path, kind: str = "html", out: str | Path | None = None) -> Path:
    """Export ``executed`` as "html" (code hidden), "code" (with code) or "slides"."""
    if kind == "html":
        return export_html(executed, hide_code=True, out=out)
    if kind == "code":
        return export_html(executed, hide_code=False, out=out)
    if kind == "slides":
        return export_slides(executed, out=out)
    raise ValueError(f"export kind {kind!r} is not one of html, code, slides")


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
            f"<td class='status'>{_e(status)}{err_text}</td><td>{_e(m.get('started', ''))}</td>"
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
