"""Notebook 04 (sentiment and positioning) executes headless under papermill."""

import pytest

from conftest import figure_count, notebook_text

pytestmark = pytest.mark.notebook


def _images(nb) -> int:
    return figure_count(nb)


def test_runs_with_defaults(execute_notebook, snapshot_dir):
    nb = execute_notebook("04_sentiment_positioning.ipynb")
    text = notebook_text(nb)
    # coverage gaps are stated, never filled
    assert "130 report weeks missing in 3 runs" in text
    assert "2023-03-07" in text and "2025-12-30" in text
    assert "Short interest covers only 2020-11-30 to 2021-06-30 (15 reports)" in text
    assert "archive ends on 2019-10-04" in text
    assert "NFIB" in text and "not loaded" in text
    # the short-interest acceptance, checked inside the notebook too
    assert "match the source's own change column on 14 of 14 reports" in text
    # provenance under figures and tables
    assert "cot:russell2000: CFTC Commitments of Traders" in text
    assert "RUT: Yahoo Finance" in text
    # the event study table and the closing summary
    assert "forward simple returns of RUT" in text
    assert "Leveraged funds in Russell 2000 futures were net" in text
    assert _images(nb) >= 6


def test_runs_for_qqq_and_nasdaq(execute_notebook, snapshot_dir):
    nb = execute_notebook("04_sentiment_positioning.ipynb", symbol="QQQ", contract="nasdaq100")
    text = notebook_text(nb)
    assert "forward simple returns of NDX" in text
    assert "QQQ short interest" in text
    assert "Leveraged funds in Nasdaq-100 futures were net" in text
    assert _images(nb) >= 6


def test_carries_on_without_sentiment_data(execute_notebook, monkeypatch):
    """No snapshot, demo prices only: every sentiment series is reported as not loaded."""
    monkeypatch.delenv("SMALLCAPS_SNAPSHOT", raising=False)
    monkeypatch.setenv("SMALLCAPS_DEMO", "1")
    nb = execute_notebook("04_sentiment_positioning.ipynb")
    text = notebook_text(nb)
    assert "NOT LOADED - cot:russell2000" in text
    assert "NOT LOADED - putcall" in text
    assert "No sentiment series could be loaded" in text
    assert "SYNTHETIC DEMO DATA" in text
