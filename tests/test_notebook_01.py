"""Notebook 01 (breakouts, ranges and levels) executes headless under papermill."""

import pytest

from conftest import figure_count, notebook_text

pytestmark = pytest.mark.notebook


def _images(nb) -> int:
    return figure_count(nb)


def test_breakout_ranges_rut_default(execute_notebook, snapshot_dir):
    nb = execute_notebook("01_breakout_ranges.ipynb")
    text = notebook_text(nb)
    assert "RUT: Yahoo Finance; snapshot" in text
    assert "SYNTHETIC" not in text
    # the 2022-2024 range and its upside exit are in the ranges table of the window
    assert "2022-04-25" in text and "2024-01-25" in text
    assert "time at price" in text  # an index has no volume: said plainly
    assert "upside breakouts" in text and "p = " in text  # the event study ran
    assert _images(nb) >= 3


def test_breakout_ranges_iwm_as_of_may_2025(execute_notebook, snapshot_dir):
    nb = execute_notebook("01_breakout_ranges.ipynb", symbol="IWM", start="2024-06-01",
                          end="2025-05-23")
    text = notebook_text(nb)
    assert "IWM: 6,286 bars, 2000-05-26 to 2025-05-23" in text  # nothing after end is used
    assert "volume profile 2024-06-03 to 2025-05-23" in text  # an ETF has volume
    assert "line of lower highs from 2024-11-25" in text
    assert "The 50-day average is 198" in text
    assert _images(nb) >= 3
