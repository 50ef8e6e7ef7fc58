"""The report of a failed run shows one sentence on why, never a traceback.

The executed notebook is marked up by papermill's own ``raise_for_execution_errors``
(its red notices and the error cell, as a real failed run leaves them), without a kernel.
"""

from __future__ import annotations

import html
from pathlib import Path

import nbformat
import papermill as pm
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from smallcaps.run import export

TRACEBACK_LINE = "Traceback (most recent call last) PLANTED"


def _failed(tmp_path: Path, ename: str, evalue: str) -> Path:
    error = new_output("error", ename=ename, evalue=evalue,
                       traceback=["\x1b[31m" + TRACEBACK_LINE, "  File 'x.py', line 1"])
    nb = new_notebook(cells=[
        new_markdown_cell("# A study\n\nWhat it asks."),
        new_code_cell('start: str = "2024-06-01"', metadata={"tags": ["parameters"]},
                      execution_count=1),
        new_markdown_cell("## The ratio line"),
        new_code_cell("print('ratio drawn')", execution_count=2,
                      outputs=[new_output("stream", name="stdout", text="RATIO_DRAWN\n")]),
        new_markdown_cell("## The regime model"),
        new_code_cell("fit = model(ratio)", execution_count=3, outputs=[error]),
        new_markdown_cell("## Never reached"),
        new_code_cell("print('later')", execution_count=None),
    ], metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                "language": "python"}})
    path = tmp_path / "study.ipynb"
    with pytest.raises(pm.PapermillExecutionError):
        pm.execute.raise_for_execution_errors(nb, str(path))
    return path


@pytest.mark.parametrize("kind", ["html", "slides", "code"])
def test_a_refusal_reads_as_its_sentence_in_every_export(tmp_path, kind):
    reason = "parameter 'start': window too short for the model: it needs at least 120"
    page = html.unescape(export.export(_failed(tmp_path, "ParameterError", reason), kind)
                         .read_text())
    assert "This run stopped in the section <em>The regime model</em>:" in page
    assert reason in page
    assert "ParameterError" not in page  # the kit's refusal is its sentence, no class name
    assert TRACEBACK_LINE not in page and "papermill" not in page.lower()
    assert "RATIO_DRAWN" in page  # what ran before stays
    assert "Never reached" not in page  # what never ran is not shown as if it had


def test_a_bug_names_the_error_in_one_line(tmp_path):
    page = html.unescape(export.export(_failed(tmp_path, "KeyError", "'close'"), "html")
                         .read_text())
    assert "KeyError: 'close'" in page
    assert TRACEBACK_LINE not in page


def test_the_executed_notebook_keeps_the_traceback_for_debugging(tmp_path):
    path = _failed(tmp_path, "KeyError", "'close'")
    export.export(path, "html")
    nb = nbformat.read(path, as_version=4)
    assert any(TRACEBACK_LINE in "".join(o.get("traceback", []))
               for c in nb.cells for o in c.get("outputs", []))


def test_a_clean_run_has_no_stop_banner(tmp_path):
    nb = new_notebook(cells=[new_markdown_cell("# A study"),
                             new_code_cell("1", execution_count=1)])
    path = tmp_path / "ok.ipynb"
    nbformat.write(nb, str(path))
    assert "sc-stopped-banner" not in export.export(path, "html").read_text()


def test_a_cell_stopped_from_outside_is_said_too(tmp_path):
    # a timeout or a dead kernel: papermill marks the cell and leaves no error output
    nb = new_notebook(cells=[
        new_markdown_cell("# A study"), new_markdown_cell("## Slow part"),
        new_code_cell("import time; time.sleep(999)", execution_count=1,
                      metadata={"papermill": {"exception": True}}),
        new_markdown_cell("## Never reached")])
    path = tmp_path / "slow.ipynb"
    nbformat.write(nb, str(path))
    page = export.export(path, "html").read_text()
    assert "This run stopped in the section <em>Slow part</em>" in page
    assert "ran out of time or its kernel stopped" in page and "Never reached" not in page
