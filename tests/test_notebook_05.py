"""The weekly briefing notebook executes headless and states the facts of its tables."""

from __future__ import annotations

import base64
import json

import pytest

from smallcaps import run as runner
from smallcaps.params import ParameterError
from smallcaps.run import execute as run_execute

from conftest import NOTEBOOKS, figure_count, notebook_text

pytestmark = pytest.mark.notebook
NB = "05_weekly_briefing.ipynb"


def _images(nb) -> int:
    return figure_count(nb)


def test_weekly_briefing_as_of_2025_05_23(execute_notebook, snapshot_dir):
    nb = execute_notebook(NB, as_of="2025-05-23")
    text = notebook_text(nb)
    # the note states the close, the weekly change and the 50-day average...
    assert "RUT closed at 2,039.85 on 2025-05-23, a weekly change of -3.5%" in text
    assert "above its 50-day average (1,991.02)" in text
    # ...and the tables below show the same numbers
    assert ">2,039.85</td>" in text and ">1,991.02</td>" in text and ">-3.5%</td>" in text
    # facts that cannot be computed are listed, not invented
    assert "short interest" in text and "2021-06-30" in text
    # the explorer draws its static figure under papermill (no widget views)
    assert _images(nb) == 1
    assert not any("application/vnd.jupyter.widget-view+json" in o.get("data", {})
                   for c in nb.cells for o in c.get("outputs", []))
    assert "RUT: Yahoo Finance; snapshot" in text


def test_runner_writes_notebook_html_and_manifest(tmp_path, snapshot_dir):
    r = runner.run(NOTEBOOKS / NB, {"as_of": "2024-11-29", "symbols": "IWM,SPY"}, tmp_path,
                   export=("html",))
    assert r.ok, r.error
    m = json.loads(r.manifest.read_text())
    assert m["parameters"]["symbols"] == ["IWM", "SPY"]
    loaded = {d["name"] for d in m["data"]}
    assert {"IWM", "SPY", "margin_debt", "cot:russell2000"} <= loaded
    assert all(d["as_of"] == "2024-11-29" for d in m["data"] if d["name"] in ("IWM", "SPY"))
    html = r.html.read_text()
    assert "IWM closed at" in html
    # the chart is embedded as the executed notebook's SVG (not a link, not redrawn)
    nb = json.loads(r.executed.read_text())
    [svg] = ["".join(o["data"]["image/svg+xml"]) for c in nb["cells"] for o in c.get("outputs", [])
             if "image/svg+xml" in o.get("data", {})]
    assert f"data:image/svg+xml;base64,{base64.b64encode(svg.encode()).decode()[:400]}" in html


def test_bad_parameters_fail_before_a_kernel(monkeypatch):
    monkeypatch.setattr(run_execute, "execute_job", lambda job: pytest.fail("kernel started"))
    with pytest.raises(ParameterError, match="'contract'"):
        runner.prepare(NOTEBOOKS / NB, {"contract": "russell"})
    with pytest.raises(ParameterError, match="'as_of': '2025-02-30' is not a date"):
        runner.prepare(NOTEBOOKS / NB, {"as_of": "2025-02-30"})
    with pytest.raises(ParameterError, match="'symbols'.*more than once"):
        runner.prepare(NOTEBOOKS / NB, {"symbols": "RUT,SPX,RUT"})
    with pytest.raises(ParameterError, match="did you mean 'as_of'"):
        runner.prepare(NOTEBOOKS / NB, {"asof": "2025-05-23"})
