"""Every committed notebook: no outputs, a first code cell tagged `parameters` with
annotated plain values, then a `sc.params.check(...)` call, and a jupytext percent script
(`NN_name.py`, the source of truth) that is in sync with it."""

import ast
import json
from pathlib import Path

import pytest

from conftest import NOTEBOOKS

PATHS = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))


def test_there_are_notebooks():
    assert any(p.name.startswith("00_") for p in PATHS)


@pytest.mark.parametrize("path", PATHS, ids=[p.stem for p in PATHS])
def test_notebook_is_clean_and_parameterised(path: Path):
    nb = json.loads(path.read_text())
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    for c in code:
        assert c.get("outputs") == [] and c.get("execution_count") is None, "commit without outputs"
    first = code[0]
    assert "parameters" in first.get("metadata", {}).get("tags", []), "first code cell tagged parameters"
    tree = ast.parse("".join(first["source"]))
    assert tree.body, "parameters cell is empty"
    for node in tree.body:
        assert isinstance(node, ast.AnnAssign), f"parameters must be annotated: {ast.unparse(node)}"
        ast.literal_eval(node.value)  # plain scalars / lists only
    second = "".join(code[1]["source"])
    assert "sc.params.check(" in second, "the cell after parameters validates them"
    assert path.with_suffix(".py").is_file(), f"{path.with_suffix('.py').name} is its source"
    assert nb["metadata"]["kernelspec"]["name"] == "python3"


@pytest.mark.parametrize("path", PATHS, ids=[p.stem for p in PATHS])
def test_papermill_sees_every_parameter(path: Path):
    # papermill's own parser drops lines it cannot read (e.g. a comment containing "="),
    # which would hide a parameter from `papermill --help-notebook`
    import papermill as pm

    nb = json.loads(path.read_text())
    first = next(c for c in nb["cells"] if c["cell_type"] == "code")
    names = [n.target.id for n in ast.parse("".join(first["source"])).body]
    assert list(pm.inspect_notebook(str(path))) == names


def _cells(nb) -> list[tuple[str, str, list[str], str]]:
    """What pairing must keep equal: cell type, source, tags and slide type."""
    return [(c.cell_type, c.source.strip(), list(c.metadata.get("tags", [])),
             c.metadata.get("slideshow", {}).get("slide_type", ""))
            for c in nb.cells]


@pytest.mark.parametrize("path", PATHS, ids=[p.stem for p in PATHS])
def test_notebook_is_in_sync_with_its_script(path: Path):
    import jupytext

    script = path.with_suffix(".py")
    paired = jupytext.read(script)
    committed = jupytext.read(path)
    assert _cells(paired) == _cells(committed), (
        f"{path.name} and {script.name} differ: run `jupytext --sync notebooks/{script.name}`")
    assert "ipynb,py:percent" in paired.metadata["jupytext"]["formats"]


def test_every_script_has_a_notebook():
    scripts = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.py"))
    assert [p.stem for p in scripts] == [p.stem for p in PATHS]


@pytest.mark.parametrize("path", PATHS, ids=[p.stem for p in PATHS])
def test_notebook_draws_figures_as_svg(path: Path):
    # every figure is drawn once, as SVG (crisp in decks): the setup call sits in the
    # imports cell, right after the kit is imported, before any figure can be drawn
    script = path.with_suffix(".py").read_text(encoding="utf-8")
    tree = ast.parse(script)
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call)
             and ast.unparse(n.func) == "sc.charts.notebook_setup"]
    assert calls, f"{path.name}: call sc.charts.notebook_setup() after `import smallcaps as sc`"
    first_figure = min((n.lineno for n in ast.walk(tree) if isinstance(n, ast.Call)
                        and ast.unparse(n.func).startswith(("sc.charts.", "small_multiples"))
                        and ast.unparse(n.func) != "sc.charts.notebook_setup"), default=10**9)
    assert calls[0].lineno < first_figure
