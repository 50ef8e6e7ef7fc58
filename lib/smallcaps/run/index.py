"""The index page of a reports folder, with grids' p-values adjusted for multiple tries.

:func:`write_index` lists every run of a folder (from its ``*.manifest.json``
files) in ``index.html``: status (``incomplete`` for a run killed before it
finished), parameters, data, timings and links to its files.

For every ``--grid`` batch the page says how many combinations were tried and
shows each recorded p-value (:func:`smallcaps.pvalues.record`) next to its
Benjamini-Hochberg adjusted value. The family of one adjustment is one test
(the same ``test`` name and context, e.g. the same horizon) across all the
combinations of the grid: the tries a researcher picks the best of.
"""

from __future__ import annotations

import datetime as _dt
import html as _html
import json
import sys
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from . import manifest as _manifest
from .export import SUFFIX, _write

__all__ = ["bh_adjust", "grid_pvalues", "refresh", "write_index"]


def bh_adjust(pvalues: Sequence[float]) -> list[float]:
    """Benjamini-Hochberg adjusted p-values (false discovery rate), in the input order.

    Uses :func:`statsmodels.stats.multitest.multipletests` (``method="fdr_bh"``).
    """
    if not pvalues:
        return []
    from statsmodels.stats.multitest import multipletests

    return [float(v) for v in multipletests(list(pvalues), method="fdr_bh")[1]]


def _family(rec: dict[str, Any]) -> str:
    context = {k: v for k, v in rec.items() if k not in ("test", "p")}
    return json.dumps([rec.get("test"), context], sort_keys=True, default=str)


def grid_pvalues(manifests: Sequence[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """Batch id -> rows of (run, test, context, p, p_bh) for the grid batches in ``manifests``.

    Only finished runs count; each family (one test across the grid's combinations)
    is adjusted on its own.
    """
    by_batch: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for m in manifests:
        batch = m.get("batch") or {}
        if batch.get("kind") != "grid" or m.get("status") not in ("ok", "failed"):
            continue
        for rec in m.get("pvalues") or []:
            if isinstance(rec, dict) and isinstance(rec.get("p"), (int, float)):
                by_batch[str(batch.get("id"))].append({
                    "run": m["run"], "test": rec.get("test", "?"), "p": float(rec["p"]),
                    "context": {k: v for k, v in rec.items() if k not in ("test", "p")},
                    "family": _family(rec)})
    for rows in by_batch.values():
        families: dict[str, list[int]] = defaultdict(list)
        for i, r in enumerate(rows):
            families[r["family"]].append(i)
        for idx in families.values():
            for i, adj in zip(idx, bh_adjust([rows[i]["p"] for i in idx]), strict=True):
                rows[i]["p_bh"] = adj
                rows[i]["family_size"] = len(idx)
    return dict(by_batch)


def _e(x: Any) -> str:
    return _html.escape(str(x), quote=True)


def _params_text(params: dict[str, Any]) -> str:
    if not params:
        return "<span class='muted'>defaults</span>"
    return "<br>".join(f"<code>{_e(k)}</code>={_e(json.dumps(v, default=str))}"
                       for k, v in params.items())


def _grids_html(manifests: Sequence[dict[str, Any]]) -> str:
    grids: dict[str, dict[str, Any]] = {}
    for m in manifests:
        b = m.get("batch") or {}
        if b.get("kind") == "grid":
            g = grids.setdefault(str(b.get("id")), {"size": b.get("size"), "runs": 0,
                                                    "notebook": m.get("notebook", "")})
            g["runs"] += 1
    if not grids:
        return ""
    adjusted = grid_pvalues(manifests)
    parts = ["<h2>Grids</h2>"]
    for gid, g in grids.items():
        parts.append(f"<h3>grid {_e(gid)}: {_e(g['notebook'])}, {_e(g['size'])} combinations "
                     f"tried ({_e(g['runs'])} in this folder)</h3>")
        rows = adjusted.get(gid, [])
        if not rows:
            parts.append("<p class='muted'>No p-values recorded by these runs.</p>")
            continue
        parts.append("<p class='muted'>Benjamini-Hochberg adjusted p-values: each test is "
                     "adjusted across the combinations of this grid.</p>")
        body = "".join(
            f"<tr><td>{_e(r['test'])}</td><td>{_e(json.dumps(r['context'], default=str))}</td>"
            f"<td>{_e(r['run'])}</td><td class='num'>{r['p']:.4g}</td>"
            f"<td class='num p-bh'>{r['p_bh']:.4g}</td><td class='num'>{r['family_size']}</td>"
            f"</tr>" for r in sorted(rows, key=lambda r: (r["family"], r["p"])))
        parts.append("<table class='pvalues'><thead><tr><th>test</th><th>context</th><th>run</th>"
                     "<th>p</th><th>p (BH)</th><th>tries</th></tr></thead><tbody>"
                     f"{body}</tbody></table>")
    return "\n".join(parts)


def write_index(out_dir: str | Path = "reports") -> Path:
    """Write ``out_dir/index.html``: one row per run, linking its report files.

    Columns: run (link to the presenting HTML), notebook, parameters, status (with
    the error; ``incomplete`` for a killed run), start time, duration, data loaded
    (synthetic flagged), and links to the code view, slides, executed notebook and
    manifest when they exist. Below, one section per grid with its p-values.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    manifests = _manifest.read_all(out)
    rows = []
    for m in manifests:
        name = m["run"]
        links = []
        for label, suffix in (("code", SUFFIX["code"]), ("slides", SUFFIX["slides"]),
                              ("notebook", ".ipynb"), ("manifest", _manifest.MANIFEST_SUFFIX)):
            if (out / f"{name}{suffix}").is_file():
                links.append(f"<a href='{_e(name + suffix)}'>{label}</a>")
        html_file = out / f"{name}{SUFFIX['html']}"
        title = (f"<a href='{_e(html_file.name)}'>{_e(name)}</a>" if html_file.is_file()
                 else _e(name))
        status = m.get("status", "?")
        status_text = _e(status) + (" (synthetic demo data)" if m.get("synthetic") else "")
        err = m.get("error") or {}
        err_text = (f"<div class='err'>{_e(err.get('ename', ''))}: {_e(err.get('evalue', ''))}"
                    "</div>" if err else "")
        if status == _manifest.INCOMPLETE:
            err_text = "<div class='err'>killed before it finished; its files are partial</div>"
        data = _manifest.data_names(m.get("data") or [])
        data_text = _e(", ".join(data)) or "<span class='muted'>none recorded</span>"
        if m.get("synthetic"):
            data_text += " <b class='synthetic'>SYNTHETIC DEMO DATA</b>"
        rows.append(
            f"<tr class='{_e(status)}'><td>{title}</td><td>{_e(m.get('notebook', ''))}</td>"
            f"<td>{_params_text(m.get('parameters') or {})}</td>"
            f"<td class='status'>{status_text}{err_text}</td><td>{_e(m.get('started', ''))}</td>"
            f"<td class='num'>{float(m.get('seconds') or 0):.1f}s</td><td>{data_text}</td>"
            f"<td>{' · '.join(links)}</td></tr>")
    n_fail = sum(m.get("status") == "failed" for m in manifests)
    n_inc = sum(m.get("status") == _manifest.INCOMPLETE for m in manifests)
    now = _dt.datetime.now().astimezone().isoformat(timespec="seconds")
    summary = (f"{len(rows)} run(s), {n_fail} failed"
               + (f", {n_inc} incomplete" if n_inc else "") + f"; updated {now}")
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
tr.failed td.status, tr.incomplete td.status {{ color: #b00020; font-weight: bold; }}
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
</tbody></table>
{_grids_html(manifests)}
</body></html>
"""
    return _write(out / "index.html", page)


def refresh(out_dir: str | Path) -> Path | None:
    """Rewrite the index page; a folder that cannot be written is reported, not raised."""
    try:
        return write_index(out_dir)
    except OSError as exc:
        print(f"smallcaps: could not write the index page: {exc}", file=sys.stderr)
        return None
