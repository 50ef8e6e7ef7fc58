"""Shared test fixtures.

- The real snapshot is found through ``SMALLCAPS_SNAPSHOT`` or ``../shared/data``
  beside the checkout; tests that need it use the ``snapshot_dir`` fixture (or the
  ``snapshot`` marker) and are skipped, with the reason, when it is absent.
- The raw source samples come from ``SMALLCAPS_FIXTURES`` or ``../shared/fixtures/raw``.
- Every test runs with a private, empty cache (``SMALLCAPS_CACHE``), so the suite
  never reads or writes a user's cache, and offline (``SMALLCAPS_OFFLINE=1``), so
  ``load`` never downloads on demand.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"


def _find(env: str, fallback: Path) -> Path | None:
    value = os.environ.get(env)
    if value:
        p = Path(value)
        return p if p.is_dir() else None
    return fallback if fallback.is_dir() else None


SNAPSHOT = _find("SMALLCAPS_SNAPSHOT", ROOT.parent / "shared" / "data")
FIXTURES = _find("SMALLCAPS_FIXTURES", ROOT.parent / "shared" / "fixtures" / "raw")

# Figures made in the test process use Agg; kernels started by papermill must not
# inherit MPLBACKEND, or they would not emit inline figures.
os.environ.pop("MPLBACKEND", None)
import matplotlib  # noqa: E402

matplotlib.use("Agg")
if SNAPSHOT is not None:
    os.environ["SMALLCAPS_SNAPSHOT"] = str(SNAPSHOT)
else:
    os.environ.pop("SMALLCAPS_SNAPSHOT", None)
os.environ.pop("SMALLCAPS_DEMO", None)
# A notebook section that hits a bug (not missing data) raises instead of printing one
# sentence, so notebook tests and the parameter sweep catch it (sc.section).
os.environ["SMALLCAPS_STRICT"] = "1"


@pytest.fixture(autouse=True)
def _private_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch):
    cache = tmp_path_factory.mktemp("cache")
    monkeypatch.setenv("SMALLCAPS_CACHE", str(cache))
    monkeypatch.setenv("SMALLCAPS_OFFLINE", "1")  # load() never downloads on demand in tests
    yield cache


@pytest.fixture(scope="session")
def snapshot_dir() -> Path:
    """The real data snapshot folder; skips the test when it is absent."""
    if SNAPSHOT is None:
        pytest.skip("real data snapshot not found (set SMALLCAPS_SNAPSHOT or put shared/ beside the checkout)")
    return SNAPSHOT


@pytest.fixture(scope="session")
def fixtures_dir() -> Path:
    """The raw source-format samples; skips the test when they are absent."""
    if FIXTURES is None:
        pytest.skip("raw source samples not found (set SMALLCAPS_FIXTURES or put shared/ beside the checkout)")
    return FIXTURES


def pytest_collection_modifyitems(config, items):
    if SNAPSHOT is None:
        skip = pytest.mark.skip(reason="real data snapshot not found (SMALLCAPS_SNAPSHOT / ../shared/data)")
        for item in items:
            if "snapshot" in item.keywords:
                item.add_marker(skip)


@pytest.fixture(scope="session")
def kernel_zygote():
    """One pre-imported process per test worker that the notebook tests fork their kernels
    from, as ``smallcaps run --all`` does (None where it cannot run, or with
    ``SMALLCAPS_ZYGOTE=0``: kernels are then launched the usual way)."""
    from smallcaps.run import kernel_name
    from smallcaps.run.kernels import kernel_zygote as zygote

    with zygote(kernel_name()) as sock:
        yield sock


@pytest.fixture
def execute_notebook(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kernel_zygote):
    """Execute ``notebooks/<name>`` headless with papermill; returns the executed notebook.

    Usage: ``nb = execute_notebook("00_data_tour.ipynb", symbol="IWM")``.
    A failing cell raises papermill's ``PapermillExecutionError``. The kernel is the
    runner's: IPC transport, forked from the worker's :func:`kernel_zygote`.
    """
    import shutil
    import tempfile

    import nbformat
    import papermill as pm

    from smallcaps.run import execute, kernel_name

    # as the runner does: explorers draw their static figure (under pytest-xdist the
    # kernel's parent is an execnet worker, which the widget mode cannot recognise)
    monkeypatch.setenv("SMALLCAPS_WIDGETS", "static")

    def run(name: str, **parameters):
        out = tmp_path / f"out_{name}"
        sockets = tempfile.mkdtemp(prefix="sc-k")  # short: IPC socket paths are limited
        try:
            pm.execute_notebook(
                str(NOTEBOOKS / name),
                str(out),
                parameters=parameters,
                kernel_name=kernel_name(),
                cwd=str(NOTEBOOKS),
                progress_bar=False,
                kernel_manager_class=execute._kernel_manager_class({}, str(NOTEBOOKS), sockets,
                                                                   kernel_zygote),
            )
        finally:
            shutil.rmtree(sockets, ignore_errors=True)
        return nbformat.read(out, as_version=4)

    return run


@pytest.fixture
def check_notebook():
    """Run only a notebook's parameters cell (with ``parameters`` injected) and its check
    cell, in this process: what a kernel would run before any analysis, without paying
    for a kernel. Returns the checked parameters ``p``; a refusal raises
    ``sc.params.ParameterError`` naming the parameter and the rule.

    Usage: ``check_notebook("01_breakout_ranges.ipynb", ma_windows=[50, 1])``.
    """
    import nbformat
    import pandas as pd

    def run(name: str, **parameters):
        nb = nbformat.read(NOTEBOOKS / name, as_version=4)
        code = [c.source for c in nb.cells if c.cell_type == "code"]
        injected = "\n".join(f"{k} = {v!r}" for k, v in parameters.items())
        ns: dict = {"__name__": "__notebook__"}
        try:
            exec(compile(code[0] + "\n" + injected, f"{name}: parameters", "exec"), ns)
            exec(compile(code[1], f"{name}: check cell", "exec"), ns)
        finally:
            pd.reset_option("^display")  # the check cells set display options
        return ns["p"]

    return run


def figure_count(nb) -> int:
    """Figures (matplotlib outputs, SVG or PNG) in an executed notebook."""
    return sum(("image/svg+xml" in o.get("data", {}) or "image/png" in o.get("data", {}))
               for c in nb.cells for o in c.get("outputs", []))


def notebook_text(nb) -> str:
    """All text outputs (stdout, text/plain, text/html) of an executed notebook."""
    chunks: list[str] = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if "text" in out:
                chunks.append(out["text"])
            data = out.get("data", {})
            for key in ("text/plain", "text/html", "text/markdown"):
                if key in data:
                    chunks.append(data[key])
    return "\n".join(chunks)
