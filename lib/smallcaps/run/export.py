"""Exports of executed notebooks that present offline: HTML report and reveal.js deck.

Three exports of one executed notebook, each ONE self-contained HTML file (nothing
is loaded from the network; a test opens them in headless Chromium with the network
off):

- ``html``: code hidden, for presenting (``<run>.html``);
- ``code``: with the code, for reviewing (``<run>.code.html``);
- ``slides``: a reveal.js deck from the cells' ``slideshow`` metadata, code hidden
  (``<run>.slides.html``).

What every export gets:

- the page title is the notebook's title (its first ``#`` heading) and the run's
  parameters; the first cell carries a line of parameters under the heading;
- a red banner at the very top (first slide of a deck) when the run used synthetic
  demo data (from the run manifest, or any output saying ``SYNTHETIC DEMO DATA``);
- no CDN: nbconvert's links to jQuery, require.js, MathJax, mermaid and the widget
  manager are taken out; reveal.js 5 (``dist/reveal.js``, its CSS, the ``white``
  theme and the speaker-notes plugin) is inlined from the ``sphinx-revealjs`` package,
  which ships reveal.js's dist files (pinned in ``pyproject.toml``);
- figures: the HTML report shows each figure's PNG (and the interactive twin where the
  notebook made one, see :func:`smallcaps.charts.interactive_chart`), the deck its SVG
  (crisp on a projector) when the notebook recorded one;
- no local path: any absolute path in the text is replaced as
  :func:`smallcaps.data.provenance.public_location` does.

Speaker notes: cells whose ``slideshow.slide_type`` is ``notes`` become reveal.js
notes (press ``s`` in the deck).
"""

from __future__ import annotations

import ast
import functools
import html as _html
import importlib.util
import json
import os
import re
from pathlib import Path
from typing import Any

__all__ = ["SUFFIX", "export", "export_html", "export_slides", "notebook_title",
           "reveal_assets", "run_parameters"]

SUFFIX = {"html": ".html", "code": ".code.html", "slides": ".slides.html"}
MANIFEST_SUFFIX = ".manifest.json"
SYNTHETIC_LABEL = "SYNTHETIC DEMO DATA"
_HIDDEN_TAGS = ("injected-parameters", "parameters")
_PAPERMILL_ERROR_TAG = "papermill-error-cell-tag"
# exceptions whose message is already the plain sentence a reader needs
_PLAIN_ERRORS = ("ParameterError", "ConfigError", "Unavailable", "DataError", "FetchError",
                 "CacheError", "CacheCorrupt", "ClaimsFileError")
_SENTINEL = "SMALLCAPS-REVEAL"  # stands for reveal.js's folder until the files are inlined

_BANNER = ("<div class='sc-synthetic-banner' style='background:#c62828;color:#fff;"
           "font-weight:bold;padding:8px 14px;margin:0 0 12px 0;border-radius:4px;"
           "font-family:sans-serif;font-size:16px;text-align:left'>"
           "SYNTHETIC DEMO DATA: every number and chart in this report is made up by "
           "smallcaps.demo; none of it describes a real market.</div>")

_REPORT_CSS = """
<style>
/* smallcaps report: tables and text fit the page; wide content wraps instead of scrolling */
.jp-RenderedHTMLCommon table { max-width: 100%; }
.jp-OutputArea-output pre { white-space: pre-wrap; overflow-wrap: anywhere; }
.jp-RenderedImage img, .jp-RenderedSVG svg { max-width: 100%; height: auto; }
.sc-params { font-size: 13px; color: #4b5563; margin-top: -4px; }
.sc-params code { font-size: 12px; background: #f3f5f7; padding: 1px 4px; border-radius: 3px; }
.sc-headline { font-size: 15px; line-height: 1.5; border-left: 4px solid #1f3b5c;
  padding: 4px 12px; background: #f7f9fb; }
</style>
"""

_SLIDES_CSS = """
<style>
/* smallcaps deck: figures and tables fit one slide */
.reveal .slides { text-align: left; }
.reveal .slides section { height: 100%; overflow-y: auto; overflow-x: hidden; }
.reveal h1 { font-size: 1.7em; } .reveal h2 { font-size: 1.3em; }
.reveal p, .reveal li { font-size: 0.62em; line-height: 1.35; }
/* text read from the back of a room: markdown and rendered notes at 20px on the 1280 canvas */
.reveal .jp-RenderedMarkdown p, .reveal .jp-RenderedMarkdown li,
.reveal .jp-RenderedHTMLCommon > ul li { font-size: 20px !important; line-height: 1.4; }
.reveal .jp-RenderedImage img, .reveal .jp-RenderedSVG svg, .reveal .jp-RenderedSVG img {
  max-width: 100%; max-height: 560px; height: auto; width: auto; margin: 0; }
.reveal .jp-OutputArea-output pre { font-size: 12px !important; line-height: 1.3; white-space: pre-wrap; }
.reveal .sc-table table { font-size: 14px; }
.reveal .jp-RenderedMarkdown p.sc-params { font-size: 14px !important; color: #4b5563; }
.reveal .sc-synthetic-banner { font-size: 0.55em; }
.reveal table { margin: 0; }
</style>
"""


# --------------------------------------------------------------------------- reveal.js


def reveal_assets() -> dict[str, str]:
    """The reveal.js files the decks inline: ``css``, ``theme``, ``js``, ``notes`` (text).

    They come from the installed ``sphinx-revealjs`` package, which ships reveal.js's
    ``dist`` folder and plugins.

    Raises
    ------
    RuntimeError
        ``sphinx-revealjs`` is not installed (it is a dependency of smallcaps).
    """
    # found, not imported: importing sphinx_revealjs imports Sphinx's builders (about a
    # second per process) for files the package only carries
    spec = importlib.util.find_spec("sphinx_revealjs")
    if spec is None or not spec.submodule_search_locations:  # pragma: no cover  (a dependency)
        raise RuntimeError("slides need reveal.js from the 'sphinx-revealjs' package: "
                           "pip install sphinx-revealjs")
    root = Path(next(iter(spec.submodule_search_locations))) / "_static" / "revealjs"
    files = {"css": "dist/reveal.css", "theme": "dist/theme/white.css", "js": "dist/reveal.js",
             "notes": "plugin/notes/notes.js"}
    out = {}
    for key, rel in files.items():
        f = root.joinpath(*rel.split("/"))
        out[key] = f.read_text(encoding="utf-8")
    # the theme imports web fonts from a CDN: the deck uses the system's sans-serif instead
    out["theme"] = re.sub(r"@import url\([^)]*\);?", "", out["theme"])
    return out


def _inline_script(text: str) -> str:
    return "<script>" + text.replace("</script", "<\\/script") + "</script>"


def _reveal_init(number: str = "c/t") -> str:
    return """<script>
Reveal.initialize({
  controls: true, progress: true, history: true, hash: true, center: false,
  transition: "none", slideNumber: "NUMBER", width: 1280, height: 800, margin: 0.04,
  plugins: [RevealNotes]
});
</script>""".replace("NUMBER", number)


# --------------------------------------------------------------------------- notebook reading


def notebook_title(nb: Any) -> str:
    """The text of the notebook's first ``#`` heading (else its ``metadata.title``, else '')."""
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        for line in cell.source.splitlines():
            m = re.match(r"^#\s+(.+?)\s*#*\s*$", line)
            if m:
                return m.group(1).strip()
    return str(nb.metadata.get("title", ""))


def _literal_assignments(source: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return out
    for node in tree.body:
        target, value = None, None
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            target, value = node.target.id, node.value
        elif isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(
                node.targets[0], ast.Name):
            target, value = node.targets[0].id, node.value
        if target is None or value is None:
            continue
        try:
            out[target] = ast.literal_eval(value)
        except (ValueError, SyntaxError):
            continue
    return out


def run_parameters(nb: Any) -> dict[str, Any]:
    """The parameters a run used: the defaults of the ``parameters`` cell, then the
    values papermill injected (``injected-parameters``) over them."""
    params: dict[str, Any] = {}
    for tag in ("parameters", "injected-parameters"):
        for cell in nb.cells:
            if cell.cell_type == "code" and tag in (cell.metadata.get("tags") or []):
                params.update(_literal_assignments(cell.source))
    return params


def _is_synthetic(executed: Path, nb: Any) -> bool:
    manifest = executed.with_name(executed.stem + MANIFEST_SUFFIX)
    try:
        if json.loads(manifest.read_text(encoding="utf-8")).get("synthetic"):
            return True
    except (OSError, ValueError, AttributeError):
        pass
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            text = out.get("text", "")
            data = out.get("data", {})
            blob = (text if isinstance(text, str) else "".join(text)) + "".join(
                v if isinstance(v, str) else "".join(v) for k, v in data.items()
                if k.startswith("text/"))
            if SYNTHETIC_LABEL in blob:
                return True
    return False


def _short(value: Any) -> str:
    if isinstance(value, str):
        return value if value else "''"
    return json.dumps(value, default=str)


def _params_html(params: dict[str, Any]) -> str:
    if not params:
        return ""
    items = " &middot; ".join(f"<code>{_html.escape(k)}={_html.escape(_short(v))}</code>"
                              for k, v in params.items())
    return f"<p class='sc-params'>parameters: {items}</p>"


def _page_title(title: str, params: dict[str, Any]) -> str:
    keys = [k for k in ("symbol", "symbols", "as_of", "start", "end") if params.get(k)]
    extra = ", ".join(f"{k} {v if isinstance(v, str) else json.dumps(v)}" for k, v in
                      ((k, params[k]) for k in keys))
    return f"{title} ({extra})" if extra else title


def _prefer(nb: Any, keep: str, drop: str) -> None:
    """In every output holding both, keep MIME type ``keep`` and drop ``drop``."""
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            data = out.get("data")
            if data and keep in data and drop in data:
                del data[drop]


def _drop_interactive(nb: Any) -> None:
    """Take the interactive twins out (slides show the static figure)."""
    for cell in nb.cells:
        if "outputs" in cell:
            cell.outputs = [o for o in cell.outputs
                            if "sc-interactive" not in str(o.get("data", {}).get("text/html", ""))]


def _prepared(executed: Path, kind: str) -> Any:
    """The executed notebook ready to export: parameter cells off the slides, title,
    parameters and synthetic banner on the first cell, one figure format per export."""
    import nbformat

    nb = nbformat.read(executed, as_version=4)
    params = run_parameters(nb)
    stopped = _cut_at_error(nb)
    title = notebook_title(nb) or executed.stem
    synthetic = _is_synthetic(executed, nb)
    for cell in nb.cells:
        tags = cell.get("metadata", {}).get("tags") or []
        if any(t in tags for t in _HIDDEN_TAGS):
            cell.metadata.setdefault("slideshow", {})["slide_type"] = "skip"
    first = next((c for c in nb.cells if c.cell_type == "markdown"), None)
    head = "\n\n".join(b for b in (_BANNER if synthetic else "", stopped) if b)
    if first is None:
        first = nbformat.v4.new_markdown_cell(f"# {title}")
        first.metadata["slideshow"] = {"slide_type": "slide"}
        nb.cells.insert(0, first)
    first.source = (head + "\n\n" if head else "") + first.source + "\n\n" + _params_html(params)
    nb.metadata["title"] = (f"{SYNTHETIC_LABEL}: " if synthetic else "") + _page_title(title, params)
    if kind == "slides":
        _prefer(nb, "image/svg+xml", "image/png")
        _drop_interactive(nb)
    else:
        _prefer(nb, "image/png", "image/svg+xml")
    return nb


def _cut_at_error(nb: Any) -> str:
    """A failed run, exported: papermill's red notices and the cells that never ran go,
    and the error becomes one sentence in a banner (no traceback reaches a reader; the
    executed ``.ipynb`` keeps it for debugging). Returns the banner, '' for a clean run."""
    nb.cells = [c for c in nb.cells
                if _PAPERMILL_ERROR_TAG not in (c.get("metadata", {}).get("tags") or [])]
    section = ""
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "markdown":
            heading = re.search(r"^#{2,3}\s+(.+?)\s*$", cell.source, re.M)  # not the title
            section = heading.group(1) if heading else section
        errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
        if errors:
            ename = str(errors[0].get("ename", ""))
            evalue = str(errors[0].get("evalue", "")).strip()
            # the kit's own refusals already read as a sentence naming the input and the rule
            reason = (evalue if ename in _PLAIN_ERRORS and evalue
                      else f"{ename}: {evalue}".strip(": "))
        elif cell.get("metadata", {}).get("papermill", {}).get("exception"):
            # a cell stopped from outside leaves no error output: a timeout or a dead kernel
            reason = "a cell did not finish (it ran out of time or its kernel stopped)"
        else:
            continue
        cell.outputs = [o for o in cell.outputs if o.get("output_type") != "error"]
        del nb.cells[i + 1:]
        where = (f" in the section <em>{_html.escape(section)}</em>" if section
                 else " before its first section")
        return (f"<div class='sc-stopped-banner' style='background:#fff4e5;color:#7a3e00;"
                f"border-left:6px solid #e65100;padding:8px 14px;margin:0 0 12px 0;"
                f"font-family:sans-serif;font-size:16px'><strong>This run stopped{where}"
                f":</strong> {_html.escape(reason)}<br>The sections after that point did not "
                f"run.</div>")
    return ""


def _tag_remover() -> Any:
    from nbconvert.preprocessors import TagRemovePreprocessor

    return TagRemovePreprocessor(
        remove_cell_tags={"remove-cell", "remove_cell"},
        remove_input_tags={"hide-input", "remove-input", "remove_input"},
        remove_all_outputs_tags={"hide-output", "remove-output", "remove_output"},
        enabled=True,
    )


# --------------------------------------------------------------------------- page text


_CDN_SCRIPT = re.compile(r"<script[^>]*\ssrc=\"https?://[^\"]*\"[^>]*>\s*</script>\s*", re.I)
_CDN_LINK = re.compile(r"<link[^>]*\shref=\"https?://[^\"]*\"[^>]*>\s*", re.I)
_MERMAID = re.compile(r"<script type=\"module\">\s*import mermaid from [^<]*</script>\s*", re.I)
_MATHJAX_CONFIG = re.compile(r"<!-- Load mathjax -->.*?<!-- End of mathjax configuration -->\s*",
                             re.S)


def _offline(body: str) -> str:
    """Take out every script and stylesheet nbconvert's templates load from a CDN."""
    body = _MATHJAX_CONFIG.sub("", body)
    body = _MERMAID.sub("", body)
    body = _CDN_SCRIPT.sub("", body)
    return _CDN_LINK.sub("", body)


def _scrub_paths(body: str) -> str:
    """Replace absolute local paths in the text (tracebacks, printed provenance)."""
    from ..data.provenance import public_location

    home = str(Path.home())
    roots = {str(Path.cwd()), home, "/tmp", "/work", "/home", "/root", "/Users", "/var"}
    pattern = re.compile("(" + "|".join(re.escape(r) for r in sorted(roots, key=len, reverse=True)
                                        if r and r != "/") + r")/[^\s<>\"'&;,)\]]*")
    return pattern.sub(lambda m: public_location(m.group(0)), body)


def publish_notebook(executed: str | Path) -> Path:
    """Rewrite an executed notebook so that it names no local folder: papermill's
    ``input_path``/``output_path`` and every text output pass through
    :func:`smallcaps.data.provenance.public_location`."""
    import nbformat

    from ..data.provenance import public_location

    executed = Path(executed)
    nb = nbformat.read(executed, as_version=4)
    pm_meta = nb.metadata.get("papermill", {})
    for key in ("input_path", "output_path"):
        if isinstance(pm_meta.get(key), str):
            pm_meta[key] = public_location(pm_meta[key])
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if isinstance(out.get("text"), str):
                out["text"] = public_location(out["text"])
            data = out.get("data", {})
            for mime in ("text/plain", "text/markdown"):
                if isinstance(data.get(mime), str):
                    data[mime] = public_location(data[mime])
            # HTML may hold inline scripts (the interactive charts): only paths under the
            # machine's folders are rewritten there, as in the exports, never a "/" of code
            if isinstance(data.get("text/html"), str):
                data["text/html"] = _scrub_paths(data["text/html"])
            if "traceback" in out:
                out["traceback"] = [public_location(t) for t in out["traceback"]]
    nbformat.write(nb, executed)
    return executed


def _insert_head(body: str, extra: str) -> str:
    cut = body.find("</head>")
    return body[:cut] + extra + body[cut:] if cut >= 0 else extra + body


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


# --------------------------------------------------------------------------- exports


# One exporter per configuration and process: each new nbconvert exporter compiles its
# Jinja templates again (0.15-0.2 s a report, measured); exporters keep no state between
# notebooks (the resources dict is new for every conversion).
@functools.cache
def _html_exporter(hide_code: bool) -> Any:
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(exclude_input=hide_code, exclude_input_prompt=hide_code,
                            exclude_output_prompt=hide_code, embed_images=True)
    exporter.register_preprocessor(_tag_remover(), enabled=True)
    return exporter


@functools.cache
def _slides_exporter(hide_code: bool) -> Any:
    from nbconvert import SlidesExporter

    exporter = SlidesExporter(exclude_input=hide_code, exclude_input_prompt=True,
                              exclude_output_prompt=True, embed_images=True,
                              reveal_url_prefix=_SENTINEL, reveal_scroll=False,
                              reveal_number="c/t", reveal_transition="none")
    exporter.register_preprocessor(_tag_remover(), enabled=True)
    return exporter


def export_html(executed: str | Path, hide_code: bool = True, out: str | Path | None = None) -> Path:
    """Write ``executed`` as one self-contained HTML file (figures embedded, no CDN).

    Parameters
    ----------
    executed : an executed notebook.
    hide_code : True for presenting (inputs and prompts hidden), False for reviewing.
    out : target file (default: beside the notebook, ``.html`` or ``.code.html``).

    Returns
    -------
    pathlib.Path
        The written file.
    """
    executed = Path(executed)
    body, _ = _html_exporter(hide_code).from_notebook_node(_prepared(executed, "html"))
    body = _insert_head(_offline(body), _REPORT_CSS)
    return _write(_target(executed, "html" if hide_code else "code", out), _scrub_paths(body))


def export_slides(executed: str | Path, hide_code: bool = True, out: str | Path | None = None,
                  reveal_prefix: str | None = None) -> Path:
    """Write a reveal.js deck of ``executed`` (cell ``slideshow`` metadata) as ONE HTML file.

    reveal.js is inlined (see :func:`reveal_assets`), so the deck presents offline.

    Parameters
    ----------
    executed : an executed notebook.
    hide_code : hide code cells' inputs (default, for presenting).
    out : target file (default ``<stem>.slides.html`` beside the notebook).
    reveal_prefix : a URL or folder to load reveal.js from instead of inlining it
        (a folder holding ``dist/reveal.js``); the default inlines it.

    Returns
    -------
    pathlib.Path
        The written file.
    """
    executed = Path(executed)
    body, _ = _slides_exporter(hide_code).from_notebook_node(_prepared(executed, "slides"))
    # nbconvert loads reveal.js through require.js; the deck loads it directly
    body = re.sub(r"<script>\s*require\(.*?</script>", "", body, count=1, flags=re.S)
    body = _offline(body)
    if reveal_prefix:
        prefix = reveal_prefix
        if "://" not in prefix and Path(prefix).is_dir():
            prefix = os.path.relpath(Path(prefix).resolve(), _target(executed, "slides", out)
                                     .resolve().parent)
        body = body.replace(_SENTINEL, prefix)
        scripts = (f"<script src='{prefix}/dist/reveal.js'></script>"
                   f"<script src='{prefix}/plugin/notes/notes.js'></script>")
    else:
        assets = reveal_assets()
        body = re.sub(r"<link[^>]*href=\"" + _SENTINEL + r"/dist/reveal\.css\"[^>]*>",
                      lambda m: f"<style>{assets['css']}</style>", body)
        body = re.sub(r"<link[^>]*href=\"" + _SENTINEL + r"/dist/theme/[a-z]+\.css\"[^>]*>",
                      lambda m: f"<style id='theme'>{assets['theme']}</style>", body)
        scripts = _inline_script(assets["js"]) + _inline_script(assets["notes"])
    body = _insert_head(body, _SLIDES_CSS)
    cut = body.rfind("</body>")
    tail = scripts + _reveal_init()
    body = body[:cut] + tail + body[cut:] if cut >= 0 else body + tail
    if _SENTINEL in body:
        raise RuntimeError("slides: a reveal.js link of nbconvert's template was not replaced "
                           "(nbconvert's reveal template changed)")
    return _write(_target(executed, "slides", out), _scrub_paths(body))


def export(executed: str | Path, kind: str = "html", out: str | Path | None = None) -> Path:
    """Export ``executed`` as "html" (code hidden), "code" (with code) or "slides"."""
    if kind == "html":
        return export_html(executed, hide_code=True, out=out)
    if kind == "code":
        return export_html(executed, hide_code=False, out=out)
    if kind == "slides":
        return export_slides(executed, out=out)
    raise ValueError(f"export kind {kind!r} is not one of html, code, slides")
