"""Nothing under a reports folder names a folder of the machine (issue: conference-grade
output; nothing leaks): executed notebooks, manifests, HTML, decks and the index."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import smallcaps as sc
from smallcaps.run.manifest import publishable

pytestmark = pytest.mark.notebook


def _machine_folders(*extra: Path) -> list[str]:
    roots = {Path.cwd(), Path.home(), Path(__file__).resolve().parents[1], *extra}
    snap = os.environ.get("SMALLCAPS_SNAPSHOT")
    if snap:
        roots.add(Path(snap))
    return sorted({str(r.resolve()) for r in roots if str(r) not in ("", "/")}, key=len)


def test_no_file_of_a_run_names_a_local_folder(tmp_path, snapshot_dir):
    out = tmp_path / "reports"
    result = sc.run("05_weekly_briefing", {}, out_dir=out)
    assert result.status == "ok"
    files = [p for p in out.rglob("*") if p.is_file()]
    assert {p.suffix for p in files} >= {".ipynb", ".html", ".json"}
    for p in files:
        text = p.read_text(encoding="utf-8", errors="replace")
        for folder in _machine_folders(tmp_path, snapshot_dir):
            assert folder not in text, f"{p.name} names the local folder {folder}"


def test_publishable_rewrites_paths_in_nested_values(snapshot_dir):
    rec = publishable({"a": [f"{snapshot_dir}/market/RUT.csv"], "b": "/somewhere/else/x.csv",
                       "n": 3, "url": "https://example.org/data.csv"})
    assert rec == {"a": ["snapshot:market/RUT.csv"], "b": "x.csv", "n": 3,
                   "url": "https://example.org/data.csv"}
