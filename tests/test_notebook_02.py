"""Notebook 02 (margin debt vs the index) executes headless for RUT and SPX."""

from __future__ import annotations

import pytest

from conftest import figure_count, notebook_text

pytestmark = pytest.mark.notebook


def _images(nb) -> int:
    return figure_count(nb)


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


def test_turning_points_and_cointegration_follow_their_tables(execute_notebook, snapshot_dir):
    nb = execute_notebook("02_margin_debt_correlation.ipynb")
    text = notebook_text(nb)
    # the 2021 peak: both bases and the daily closing high, and the sign change said
    assert ("margin debt peak 2021-10: month-end: RUT first by 4 months; monthly average: "
            "margin debt first by 1 month; daily extreme 2021-11-08") in text
    assert "the lead/lag changes sign with the basis" in text
    assert "RUT turned 4 month(s) first" not in text
    # cointegration: the words come from the robustness table, not one lag choice
    assert "Conclusion from the table: no firm long-run relation" in text
    assert "Johansen finds a relation in" in text
    # every table carries a source line: sc.tables.table writes it under the table, once in
    # the HTML and once in the plain text of the same display output, so count tables (not
    # occurrences); the seven tables over both series name the index, none falls back to
    # "computed by smallcaps"
    tables = [o["data"] for c in nb.cells for o in c.get("outputs", [])
              if "class='sc-table'" in o.get("data", {}).get("text/html", "")]
    assert len(tables) >= 8
    for t in tables:
        line = t["text/plain"].rstrip().splitlines()[-1]
        assert line.startswith("source: ") and line != "source: computed by smallcaps", line
        assert "class='sc-source'>source: " in t["text/html"]
    assert sum("source: RUT: Yahoo Finance" in t["text/plain"] for t in tables) >= 7
