"""Every committed notebook: no outputs, a first code cell tagged `parameters` with
annotated plain values, then a `sc.params.check(...)` call, and a build script."""

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
    build = NOTEBOOKS / "_build" / f"build_{path.name[:2]}.py"
    assert build.is_file(), f"{build} generates this notebook"
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
