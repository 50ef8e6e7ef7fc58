"""Notebook 02 (margin debt vs the index) executes headless for RUT and SPX."""

from __future__ import annotations

import pytest

from conftest import notebook_text

pytestmark = pytest.mark.notebook


def _images(nb) -> int:
    return sum("image/png" in o.get("data", {}) for c in nb.cells for o in c.get("outputs", []))


def test_parameters_cell_parses_for_papermill():
    import papermill as pm

    from conftest import NOTEBOOKS

    params = pm.inspect_notebook(str(NOTEBOOKS / "02_margin_debt_correlation.ipynb"))
    assert set(params) == {"symbol", "start", "end", "basis", "max_lag", "turn_threshold", "horizons"}
    assert all(v["inferred_type_name"] != "None" for v in params.values())


def test_rut_reproduces_the_headline(execute_notebook, snapshot_dir):
    nb = execute_notebook("02_margin_debt_correlation.ipynb")
    text = notebook_text(nb)
    assert "Level correlation 0.984 over 340 monthly observations" in text
    assert "April 2025: 850,558" in text and "937,253 set in January 2025" in text
    assert "spurious regression" in text
    assert "RUT: Yahoo Finance; snapshot" in text
    assert "SYNTHETIC DEMO DATA" not in text.replace("SYNTHETIC simulation", "")
    assert _images(nb) >= 7


def test_spx_with_monthly_means(execute_notebook, snapshot_dir):
    nb = execute_notebook("02_margin_debt_correlation.ipynb", symbol="SPX", basis="mean",
                          start="2010-01", end="", max_lag=6)
    text = notebook_text(nb)
    assert "monthly observations (monthly averages, 2010-01 to 2026-05)" in text
    assert "SPX: Yahoo Finance; snapshot" in text
