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
- :mod:`.zygote` and :mod:`.kernels`: the pre-imported process kernels are forked from,
  the kernelspec and its interpreter;
- :mod:`.execute`: one run (notebook lookup, parameter checks, kernel, manifest);
- :mod:`.batch`: grids, process pools and Dask clusters;
- :mod:`.report`: the ``smallcaps report`` command.

The notebooks are found in ``SMALLCAPS_NOTEBOOKS`` when set, else among the
notebooks shipped inside the installed package (:func:`notebook_dir`).

``smallcaps.run`` is this package and, for convenience, also callable:
``sc.run(notebook, parameters)`` is :func:`smallcaps.run.execute.run`.
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import TYPE_CHECKING, Any

# Loaded on first use (PEP 562): ``smallcaps.run.kernels`` and ``smallcaps.run.zygote``
# must import without pandas and the data layer, so that ``smallcaps run`` can start a
# batch's zygote before it imports the rest.
_HOME = {
    "BatchResult": "batch", "grid": "batch", "run_all": "batch", "run_batch": "batch",
    "EXPORTS": "execute", "RunResult": "execute", "RunSpec": "execute",
    "check_parameters": "execute", "load_params_file": "execute", "notebook_dir": "execute",
    "notebooks": "execute", "prepare": "execute", "resolve_notebook": "execute",
    "result_dict": "execute", "run": "execute", "run_name": "execute",
    "kernel_name": "kernels", "MANIFEST_SUFFIX": "manifest",
}

if TYPE_CHECKING:
    from .batch import BatchResult, grid, run_all, run_batch
    from .execute import (
        EXPORTS,
        RunResult,
        RunSpec,
        check_parameters,
        load_params_file,
        notebook_dir,
        notebooks,
        prepare,
        resolve_notebook,
        result_dict,
        run,
        run_name,
    )
    from .kernels import kernel_name
    from .manifest import MANIFEST_SUFFIX

__all__ = ["EXPORTS", "MANIFEST_SUFFIX", "BatchResult", "RunResult", "RunSpec",
           "check_parameters", "grid", "kernel_name", "load_params_file", "notebook_dir",
           "notebooks", "prepare", "resolve_notebook", "result_dict", "run", "run_all",
           "run_batch", "run_name"]


def __getattr__(name: str) -> Any:
    home = _HOME.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{home}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


class _CallableModule(types.ModuleType):
    """Lets ``sc.run(...)`` keep working now that ``smallcaps.run`` is a package."""

    def __call__(self, *args: Any, **kwargs: Any) -> RunResult:
        from .execute import run

        return run(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
