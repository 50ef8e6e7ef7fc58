"""Grids are honest about multiple tries: p-values recorded, counted and BH-adjusted."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest
from statsmodels.stats.multitest import multipletests

import smallcaps as sc
from smallcaps import config, pvalues
from smallcaps.cli import main
from smallcaps.run import index, manifest


def _write_manifest(folder: Path, run: str, batch: dict, recs: list[dict], status="ok"):
    manifest.write(folder / f"{run}{manifest.MANIFEST_SUFFIX}", {
        "run": run, "notebook": "01_breakout_ranges.ipynb", "status": status,
        "started": "2026-01-01T00:00:00+00:00", "parameters": {}, "batch": batch,
        "pvalues": recs, "host": manifest.host()})


def test_index_shows_bh_adjusted_pvalues_like_statsmodels(tmp_path):
    rng = np.random.default_rng(7)
    grid = {"id": "g1", "kind": "grid", "size": 8}
    raw = {h: rng.uniform(0, 0.2, 8) for h in (20, 60)}
    for i in range(8):
        _write_manifest(tmp_path, f"run{i}", grid,
                        [{"test": "breakouts up vs all days", "p": float(raw[h][i]), "row": h}
                         for h in (20, 60)])
    # another batch and a plain run must not enter the family
    _write_manifest(tmp_path, "other", {"id": "g2", "kind": "grid", "size": 1},
                    [{"test": "breakouts up vs all days", "p": 0.001, "row": 20}])
    _write_manifest(tmp_path, "single", {"id": "b", "kind": "batch", "size": 1},
                    [{"test": "breakouts up vs all days", "p": 0.5, "row": 20}])
    rows = index.grid_pvalues(manifest.read_all(tmp_path))
    assert set(rows) == {"g1", "g2"}
    for h in (20, 60):
        got = {r["run"]: r["p_bh"] for r in rows["g1"] if r["context"] == {"row": h}}
        want = multipletests(raw[h], method="fdr_bh")[1]
        np.testing.assert_allclose([got[f"run{i}"] for i in range(8)], want, rtol=1e-12)
        assert all(r["family_size"] == 8 for r in rows["g1"])
    page = index.write_index(tmp_path).read_text()
    assert "8 combinations tried" in page
    shown = [float(x) for x in re.findall(r"class='num p-bh'>([0-9.e-]+)<", page)]
    expected = np.concatenate([multipletests(raw[h], method="fdr_bh")[1] for h in (20, 60)] + [
        [0.001]])
    np.testing.assert_allclose(sorted(shown), sorted(expected), rtol=1e-3)


def test_record_writes_only_where_the_runner_asks(tmp_path, monkeypatch):
    import pandas as pd

    log = tmp_path / "p.jsonl"
    monkeypatch.delenv(config.PVALUE_LOG, raising=False)
    pvalues.record("t", 0.5)  # no log configured: nothing happens
    monkeypatch.setenv(config.PVALUE_LOG, str(log))
    pvalues.record("t", 0.25, horizon=np.int64(20))
    pvalues.record("t", float("nan"))  # a test that could not be computed is skipped
    pvalues.record_table("study", pd.DataFrame({"p_value": [0.1, 0.2]}, index=[20, 60]))
    lines = [json.loads(x) for x in log.read_text().splitlines()]
    assert lines == [{"test": "t", "p": 0.25, "horizon": 20},
                     {"test": "study", "p": 0.1, "row": 20}, {"test": "study", "p": 0.2, "row": 60}]
    with pytest.raises(ValueError, match="outside"):
        pvalues.record("t", 1.5)


def test_manifests_hold_no_home_paths(tmp_path):
    home = str(Path.home())
    path = manifest.write(tmp_path / f"x{manifest.MANIFEST_SUFFIX}", {
        "run": "x", "environment": {"SMALLCAPS_SNAPSHOT": f"{home}/data"},
        "data": [{"location": f"{home}/cache/RUT.parquet"}]})
    text = path.read_text()
    if home not in ("", "/"):
        # a path outside the snapshot and the cache is written as its last name only
        assert home + "/" not in text and '"data"' in text and '"RUT.parquet"' in text


PARAMS = 'p: float = 0.5  # the planted p-value\n'
CHECK = 'import smallcaps as sc\nq = sc.params.check(p=(p, sc.params.fraction()))'
BODY = 'sc.pvalues.record("planted test", q["p"], horizon=20)\nprint("recorded", q["p"])'


@pytest.mark.notebook
def test_a_grid_counts_its_combinations_and_adjusts_recorded_pvalues(tmp_path, monkeypatch,
                                                                     capsys):
    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook

    nbs = tmp_path / "nbs"
    nbs.mkdir()
    nbformat.write(new_notebook(cells=[new_code_cell(PARAMS, metadata={"tags": ["parameters"]}),
                                       new_code_cell(CHECK), new_code_cell(BODY)],
                                metadata={"kernelspec": {"name": "python3", "language": "python",
                                                         "display_name": "Python 3"}}),
                   str(nbs / "20_planted.ipynb"))
    monkeypatch.setenv(config.NOTEBOOKS, str(nbs))
    monkeypatch.setenv(config.DEMO, "1")
    grid = tmp_path / "grid.yaml"
    planted = [0.01, 0.04, 0.03]
    grid.write_text(f"p: {planted}\n")
    out = tmp_path / "reports"
    assert main(["run", "20_planted", "--grid", str(grid), "--out", str(out), "--export",
                 "none", "--jobs", "1", "--no-progress"]) == 0
    assert "grid: 3 combination(s) tried" in capsys.readouterr().out
    ms = manifest.read_all(out)
    assert sorted(m["pvalues"][0]["p"] for m in ms) == sorted(planted)
    assert {m["batch"]["size"] for m in ms} == {3} and len({m["batch"]["id"] for m in ms}) == 1
    rows = next(iter(index.grid_pvalues(ms).values()))
    want = dict(zip(planted, multipletests(planted, method="fdr_bh")[1], strict=True))
    assert all(abs(r["p_bh"] - want[r["p"]]) < 1e-12 for r in rows)
    assert "3 combinations tried" in (out / "index.html").read_text()
    assert sc.run.notebooks() == [nbs / "20_planted.ipynb"]
