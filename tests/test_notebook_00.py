"""The data tour executes headless under papermill."""

import pytest

from conftest import figure_count, notebook_text

pytestmark = pytest.mark.notebook


def test_data_tour_runs_on_snapshot(execute_notebook, snapshot_dir):
    nb = execute_notebook("00_data_tour.ipynb", symbol="IWM", start="2020-01-01")
    text = notebook_text(nb)
    assert "IWM: Yahoo Finance; snapshot" in text
    assert "not loaded: nfib" in text
    images = figure_count(nb)
    assert images >= 2
