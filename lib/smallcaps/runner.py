"""Execute notebooks with papermill into reports (first version; extended by the runner issue).

``run(notebook, parameters, out_dir)`` executes one notebook headless and writes
the executed ``.ipynb`` and an HTML export (code hidden) into ``out_dir``;
``run_all(out_dir)`` does that for every notebook in ``notebooks/``.
"""

from __future__ import annotations

import os
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

NOTEBOOK_DIR = Path(__file__).resolve().parents[2] / "notebooks"


@dataclass
class RunResult:
    notebook: Path
    parameters: dict[str, Any]
    executed: Path
    html: Path | None
    status: str
    seconds: float
    error: str | None = None
    outputs: list[Path] = field(default_factory=list)


def kernel_name() -> str:
    """The venv's own kernelspec ("smallcaps", installed by ``make setup``) or "python3"."""
    from jupyter_client.kernelspec import KernelSpecManager

    return "smallcaps" if "smallcaps" in KernelSpecManager().find_kernel_specs() else "python3"


def _safe(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", text).strip("-.")[:80] or "run"


def _data_mode_env() -> dict[str, str]:
    """Fall back to synthetic demo data only when no real data can be found."""
    from .data import available

    if os.environ.get("SMALLCAPS_DEMO"):
        return {}
    if available("RUT") is None:
        print("smallcaps: no snapshot (SMALLCAPS_SNAPSHOT) and no cached data: "
              "running on SYNTHETIC DEMO DATA (every figure is labelled as such)")
        return {"SMALLCAPS_DEMO": "1"}
    return {}


def run(notebook: str | Path, parameters: dict[str, Any] | None = None,
        out_dir: str | Path = "reports") -> RunResult:
    """Execute ``notebook`` with ``parameters`` and export it to HTML in ``out_dir``."""
    import papermill as pm

    nb_path = Path(notebook)
    if not nb_path.is_file() and (NOTEBOOK_DIR / nb_path.name).is_file():
        nb_path = NOTEBOOK_DIR / nb_path.name
    if not nb_path.is_file():
        raise FileNotFoundError(f"notebook {notebook} not found")
    params = dict(parameters or {})
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    tag = "_".join(f"{k}-{v}" for k, v in sorted(params.items()))
    stem = _safe(nb_path.stem + (f"__{tag}" if tag else ""))
    executed = out / f"{stem}.ipynb"
    env_extra = _data_mode_env()
    old = {k: os.environ.get(k) for k in (*env_extra, "MPLBACKEND")}
    os.environ.update(env_extra)
    os.environ.pop("MPLBACKEND", None)  # a kernel with MPLBACKEND=Agg shows no figures
    t0 = time.perf_counter()
    status, error = "ok", None
    try:
        pm.execute_notebook(str(nb_path), str(executed), parameters=params,
                            kernel_name=kernel_name(), cwd=str(nb_path.parent),
                            progress_bar=False)
    except pm.PapermillExecutionError as exc:
        status, error = "failed", f"{exc.ename}: {exc.evalue}"
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    seconds = time.perf_counter() - t0
    html = export_html(executed) if executed.is_file() else None
    return RunResult(nb_path, params, executed, html, status, seconds, error)


def export_html(executed: Path, hide_code: bool = True) -> Path:
    """Write ``executed`` as a self-contained HTML file beside it."""
    import nbconvert
    import nbformat

    nb = nbformat.read(executed, as_version=4)
    exporter = nbconvert.HTMLExporter(exclude_input=hide_code, exclude_input_prompt=True,
                                      exclude_output_prompt=True)
    body, _ = exporter.from_notebook_node(nb)
    target = executed.with_suffix(".html")
    target.write_text(body, encoding="utf-8")
    return target


def notebooks() -> list[Path]:
    """The themed notebooks, in order."""
    return sorted(p for p in NOTEBOOK_DIR.glob("[0-9][0-9]_*.ipynb"))


def run_all(out_dir: str | Path = "reports") -> list[RunResult]:
    """Execute every notebook in ``notebooks/`` with its default parameters."""
    return [run(nb, {}, out_dir) for nb in notebooks()]
