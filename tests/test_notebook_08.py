"""Notebook 08 (universe screen) executes headless under papermill."""

import pytest

from conftest import figure_count, notebook_text

pytestmark = pytest.mark.notebook


def test_universe_screen_default(execute_notebook, snapshot_dir):
    nb = execute_notebook("08_universe_screen.ipynb")
    text = notebook_text(nb)
    assert "russell2000 on 2023-12-29" in text and "coverage" in text
    assert "exited a range upward" in text
    assert "moved into 'improving' in the week to 2023-12-29" in text
    assert "upward range exits among members" in text and "share beating members" in text
    assert "p-value" in text  # the event study ran
    assert "Traceback" not in text
    images = figure_count(nb)
    assert images >= 2


def test_universe_screen_before_membership_says_why(execute_notebook, snapshot_dir):
    nb = execute_notebook("08_universe_screen.ipynb", as_of="2010-06-30",
                          history_start="2009-01-02")
    text = notebook_text(nb)
    assert "could not run" in text and "no members" in text
    assert "No small multiples" in text and "Traceback" not in text
