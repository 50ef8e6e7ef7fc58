"""Exports of executed notebooks: presenting HTML, reviewing HTML and slides.

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

This module imports nothing else from :mod:`smallcaps.run` (the runner calls it).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

__all__ = ["SUFFIX", "export", "export_html", "export_slides"]

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
