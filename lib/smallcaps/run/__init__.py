"""Execute notebooks with parameters into reports: checks, batches, manifests, index.

One run::

    import smallcaps as sc
    r = sc.run("01_breakout_ranges", {"symbol": "IWM", "start": "2020-01-01"})
    r.status, r.executed, r.html, r.manifest

writes ``reports/<run>.ipynb`` (the executed notebook), ``reports/<run>.html``
(code hidden, figures embedded), ``reports/<run>.manifest.json`` and refreshes
``reports/index.html``. ``<run>`` is the notebook's name followed by the
parameters, sanitised so that no value can become a path.

The package is layered without cycles; each module imports only those above it:

- :mod:`.export`: HTML / code / slides exports of an executed notebook;
- :mod:`.manifest`: writing and reading run manifests (``running`` -> final status);
- :mod:`.index`: the ``index.html`` of a reports folder, grids' adjusted p-values;
- :mod:`.execute`: one run (notebook lookup, parameter checks, kernel, manifest);
- :mod:`.batch`: grids, process pools and Dask clusters;
- :mod:`.report`: the ``smallcaps report`` command.

The notebooks are found in ``SMALLCAPS_NOTEBOOKS`` when set, else among the
notebooks shipped inside the installed package (:func:`notebook_dir`).

``smallcaps.run`` is this package and, for convenience, also callable:
``sc.run(notebook, parameters)`` is :func:`smallcaps.run.execute.run`.
"""

from __future__ import annotations

import sys
import types
from typing import Any

from .batch import BatchResult, grid, run_all, run_batch
from .execute import (
    EXPORTS,
    RunResult,
    RunSpec,
    check_parameters,
    kernel_name,
    load_params_file,
    notebook_dir,
    notebooks,
    prepare,
    resolve_notebook,
    result_dict,
    run,
    run_name,
)
from .manifest import MANIFEST_SUFFIX

__all__ = ["EXPORTS", "MANIFEST_SUFFIX", "BatchResult", "RunResult", "RunSpec",
           "check_parameters", "grid", "kernel_name", "load_params_file", "notebook_dir",
           "notebooks", "prepare", "resolve_notebook", "result_dict", "run", "run_all",
           "run_batch", "run_name"]


class _CallableModule(types.ModuleType):
    """Lets ``sc.run(...)`` keep working now that ``smallcaps.run`` is a package."""

    def __call__(self, *args: Any, **kwargs: Any) -> RunResult:
        return run(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
