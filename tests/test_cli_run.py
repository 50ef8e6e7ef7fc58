"""``smallcaps run`` / ``smallcaps report`` argument handling (no kernel is started here)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from smallcaps import run as runner
from smallcaps.cli import build_parser, main
from smallcaps.run import execute as run_execute


@pytest.fixture
def no_kernel(monkeypatch):
    monkeypatch.setattr(run_execute, "execute_job", lambda job: pytest.fail("a kernel was started"))


@pytest.fixture
def nb(tmp_path: Path) -> Path:
    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook

    cells = [new_code_cell('window: int = 5  # w\nlabel: str = "x"  # l',
                           metadata={"tags": ["parameters"]}),
             new_code_cell("print(window, label)")]
    path = tmp_path / "small.ipynb"
    nbformat.write(new_notebook(cells=cells), str(path))
    return path


def test_report_subcommand_is_registered():
    parser = build_parser()
    args = parser.parse_args(["report", "x", "--to", "slides", "--code"])
    assert args.to == "slides" and args.code and args.target == "x"
    with pytest.raises(SystemExit):
        parser.parse_args(["report", "x", "--to", "pdf"])


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["run"], "give a NOTEBOOK or --all"),
        (["run", "--all", "-p", "window", "3"], "--all runs each notebook with its defaults"),
    ],
)
def test_argument_errors(argv, message, capsys, no_kernel):
    assert main(argv) == 2
    assert message in capsys.readouterr().err


def test_bad_export_and_param_file_errors(nb, tmp_path, capsys, no_kernel):
    assert main(["run", str(nb), "--export", "pdf"]) == 2
    assert "pdf not in html, code, slides" in capsys.readouterr().err
    assert main(["run", str(nb), "-f", str(tmp_path / "absent.yaml")]) == 2
    assert "parameters file not found" in capsys.readouterr().err
    grid = tmp_path / "g.yaml"
    grid.write_text("window: [3, 4]\n")
    assert main(["run", str(nb), "--grid", str(grid), "-p", "window", "9"]) == 2
    assert "both in the grid and as a fixed value" in capsys.readouterr().err
    grid.write_text("window: []\n")
    assert main(["run", str(nb), "--grid", str(grid)]) == 2
    assert "grid list is empty" in capsys.readouterr().err


def test_params_file_and_cli_values_merge(nb, tmp_path, monkeypatch):
    seen = []

    def fake_batch(specs, out, **kw):
        seen.extend(specs)
        return runner.BatchResult([], 0.0, None)

    monkeypatch.setattr(runner, "run_batch", fake_batch)
    f = tmp_path / "p.yaml"
    f.write_text("window: 7\nlabel: from-file\n")
    assert main(["run", str(nb), "-f", str(f), "-p", "label", "from-cli"]) == 0
    assert seen[0].parameters == {"window": 7, "label": "from-cli"}
    assert seen[0].name == "small__label-from-cli_window-7"


def test_python_m_smallcaps_run_fails_fast_on_a_misspelt_name(nb):
    out = subprocess.run([sys.executable, "-m", "smallcaps", "run", str(nb), "-p", "windw", "2"],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 2
    assert "did you mean 'window'" in out.stderr
    assert "Kernel" not in out.stderr  # no kernel was started


def test_breakout_notebook_misspelt_window_fails_at_once(capsys, no_kernel, tmp_path):
    # the acceptance example, on the real notebook
    from conftest import NOTEBOOKS

    code = main(["run", str(NOTEBOOKS / "01_breakout_ranges.ipynb"), "-p", "windw", "20",
                 "--out", str(tmp_path)])
    assert code == 2
    err = capsys.readouterr().err
    assert "parameter 'windw'" in err and "did you mean 'window'" in err
    assert not list(tmp_path.iterdir())  # nothing was written
