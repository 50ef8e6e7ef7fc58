"""The fact-check notebook executes headless: the verdict table, a chart for each
refuted claim, and clear messages for bad parameters."""

from __future__ import annotations

import pytest

from smallcaps import runner
from smallcaps.params import ParameterError

from conftest import NOTEBOOKS, figure_count, notebook_text

pytestmark = pytest.mark.notebook
NB = "07_fact_check.ipynb"


def _images(nb) -> int:
    return figure_count(nb)


def test_fact_check_of_the_example_note(execute_notebook, snapshot_dir):
    nb = execute_notebook(NB)
    text = notebook_text(nb)
    # April's margin debt: FINRA's "third week" rule is only a bound (by Friday 2025-05-23,
    # time of day unknown), so on the note's as_of it is not yet usable: not checkable
    assert "10 claims as of 2025-05-23: 7 verified, 1 refuted, 2 not checkable" in text
    assert "(published by 2025-05-23, usable from 2025-05-27)" in text
    assert "(published by 2025-06-20, usable from 2025-06-23)" in text
    assert "RUT: Yahoo Finance; snapshot" in text  # the data used are listed
    assert _images(nb) == 1  # one refuted claim (the RSI), one chart


def test_as_of_override_and_another_file(execute_notebook, snapshot_dir, tmp_path):
    f = tmp_path / "note.yaml"
    f.write_text("as_of: 2025-05-23\nclaims:\n"
                 "  - id: dd\n    text: Down 29.7% from the high.\n"
                 "    check: {kind: drawdown, symbol: RUT, date: 2025-04-09}\n"
                 "    expect: -29.7\n")
    nb = execute_notebook(NB, claims=str(f), as_of="2025-05-16")
    text = notebook_text(nb)
    assert "1 claims as of 2025-05-16: 0 verified, 1 refuted" in text
    assert "would match on the intraday basis" in text
    assert _images(nb) == 1


def test_bad_parameters_fail_before_a_kernel(monkeypatch):
    from smallcaps.run import execute

    monkeypatch.setattr(execute, "execute_job", lambda job: pytest.fail("kernel started"))
    with pytest.raises(ParameterError, match="'as_of'.*not a date"):
        runner.prepare(NOTEBOOKS / NB, {"as_of": "2025-02-30"})
    with pytest.raises(ParameterError, match="did you mean 'claims'"):
        runner.prepare(NOTEBOOKS / NB, {"claim": "x.yaml"})
