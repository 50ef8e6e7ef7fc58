"""Notebook 06 (breadth and participation) executes headless under papermill."""

import re

import pytest

from conftest import figure_count, notebook_text

pytestmark = pytest.mark.notebook


def _images(nb) -> int:
    return figure_count(nb)


def test_runs_with_defaults(execute_notebook, snapshot_dir):
    nb = execute_notebook("06_breadth_participation.ipynb")
    text = notebook_text(nb)
    assert "Empty DataFrame" not in text and "Traceback" not in text
    # coverage is stated (PROVENANCE-universe.md C.7 quarter-end counts)
    assert re.search(r"2019-03-29 +2,000 +1,369 +631 +68\.5%", text)
    assert "coverage rose from 67.2% to 97.9%" in text
    # the readings and the claim
    assert "of members above their 200-day average (1926 members with prices)" in text
    assert "the low in the window was 2.4% on 2020-03-16" in text
    assert "forward simple returns of RUT" in text and "Washed-out breadth, every washed-out session" in text
    # what cannot be shown says why, in one sentence
    assert "Component short interest is not shown: no FINRA short interest file in the cache" in text
    # provenance under tables and figures
    assert "RUT: Yahoo Finance" in text and "Breadth of russell2000 members (point in time)" in text
    assert _images(nb) >= 6


def test_short_window_and_other_windows(execute_notebook, snapshot_dir):
    nb = execute_notebook("06_breadth_participation.ipynb", start="2023-06-01", end="2023-12-29",
                          windows=[20, 100], washed_out=10.0)
    text = notebook_text(nb)
    assert "Empty DataFrame" not in text
    assert "above their 100-day average" in text
    assert "no session at or below 10% in this window, nothing to test" in text


def test_rejects_unknown_universe(execute_notebook, snapshot_dir):
    import papermill as pm

    with pytest.raises(pm.PapermillExecutionError, match="parameter 'universe'"):
        execute_notebook("06_breadth_participation.ipynb", universe="russell3000")


def test_says_why_without_a_snapshot(execute_notebook, monkeypatch):
    monkeypatch.delenv("SMALLCAPS_SNAPSHOT", raising=False)
    nb = execute_notebook("06_breadth_participation.ipynb")
    text = notebook_text(nb)
    assert "Breadth cannot be computed: russell2000: no membership data" in text
    assert "Breadth could not be computed (see the first section)" in text
    assert "Empty DataFrame" not in text
