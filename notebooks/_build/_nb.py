"""Helpers for the notebook build scripts: cells with tags and slide metadata.

Notebooks are generated from these scripts so that they stay reviewable as code
and are always committed without outputs: ``python notebooks/_build/build_00.py``.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

KERNELSPEC = {"name": "python3", "display_name": "Python 3", "language": "python"}


def md(text: str, slide: str = "slide"):
    return new_markdown_cell(text.strip(), metadata={"slideshow": {"slide_type": slide}})


def code(text: str, slide: str = "-", tags: tuple[str, ...] = ()):
    meta = {"slideshow": {"slide_type": slide}}
    if tags:
        meta["tags"] = list(tags)
    return new_code_cell(text.strip(), metadata=meta)


def parameters(text: str):
    return code(text, slide="skip", tags=("parameters",))


def save(cells, path: Path) -> None:
    nb = new_notebook(cells=cells, metadata={
        "kernelspec": KERNELSPEC,
        "language_info": {"name": "python"},
    })
    for i, c in enumerate(nb.cells):
        c.id = f"cell-{i:02d}"  # stable ids: rebuilding changes only what changed
        if c.cell_type == "code":  # committed without outputs
            c.outputs, c.execution_count = [], None
    nbformat.validate(nb)
    nbformat.write(nb, str(path))
    print(f"wrote {path}")
