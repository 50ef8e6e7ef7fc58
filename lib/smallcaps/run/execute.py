"""One run: find the notebook, check its parameters, execute it headless, export it.

Before any kernel starts, :func:`prepare` checks the parameters against the
notebook's own ``parameters`` cell and ``sc.params.check(...)`` call, both read
with :mod:`ast` (:mod:`smallcaps.notebook_params`): unknown names are errors
naming the close matches, values are converted by the notebook's own specs
(:mod:`smallcaps.params`), and every rule of the check call applies. Every
problem raises :class:`smallcaps.params.ParameterError`.

The kernel of each run gets, in its environment only:

- ``SMALLCAPS_PROVENANCE_LOG``: a file ``smallcaps.data.load`` appends the
  provenance of everything it loads to; the manifest lists it under ``data``.
- ``SMALLCAPS_PVALUE_LOG``: a file :func:`smallcaps.pvalues.record` appends the
  p-values the notebook computes to; the manifest lists them under ``pvalues``.
- ``SMALLCAPS_WIDGETS=static``: widget explorers draw the static figure.
- ``SMALLCAPS_DEMO=1`` only when no real data can be found (labelled everywhere).

Kernels talk to the runner over IPC (Unix sockets in a private temporary
folder), not TCP. The manifest is written with status ``"running"`` before the
kernel starts and with the final status after, so a killed run stays visible.
"""

from __future__ import annotations

import datetime as _dt
import difflib
import functools
import hashlib
import json
import logging
import os
import re
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from .. import config
from .._core.errors import ParameterError
from .._core.imports import jsonschema_without_iri
from . import export as _export
from . import manifest as _manifest
from . import zygote as _zygote
from .kernels import kernel_name
from .manifest import MANIFEST_SUFFIX

__all__ = ["EXPORTS", "RunResult", "RunSpec", "check_parameters",
           "load_params_file", "notebook_dir", "notebooks", "prepare", "resolve_notebook",
           "run", "run_name"]

EXPORTS = ("html", "code", "slides")


# --------------------------------------------------------------------------- results


@dataclass
class RunResult:
    """Outcome of one notebook run.

    Attributes
    ----------
    notebook : the source notebook.
    parameters : the checked parameters passed to it (defaults not repeated).
    executed : the executed notebook (kept for failed runs too, error visible).
    html : the HTML export (code hidden), or None.
    status : "ok" or "failed".
    seconds : wall time of execution and export.
    error : "ExceptionName: message" for a failed run.
    outputs : every file written for the run (notebook, exports, manifest).
    name : the run's sanitised name (file stem in the output folder).
    manifest : the manifest JSON file.
    """

    notebook: Path
    parameters: dict[str, Any]
    executed: Path
    html: Path | None
    status: str
    seconds: float
    error: str | None = None
    outputs: list[Path] = field(default_factory=list)
    name: str = ""
    manifest: Path | None = None

    @property
    def ok(self) -> bool:
        return self.status == "ok"


@dataclass(frozen=True)
class RunSpec:
    """A checked run, ready to execute: notebook, converted parameters, output name."""

    notebook: Path
    parameters: dict[str, Any]
    name: str


def result_dict(r: RunResult) -> dict[str, Any]:
    """A JSON-friendly view of a :class:`RunResult`."""
    return json.loads(json.dumps(asdict(r), default=str))


# --------------------------------------------------------------------------- notebooks


def notebook_dir() -> Path:
    """The notebooks folder: ``SMALLCAPS_NOTEBOOKS``, else the notebooks shipped in the package."""
    explicit = config.notebooks()
    if explicit is not None:
        return explicit
    from importlib.resources import files

    return Path(str(files("smallcaps") / "notebooks"))


def notebooks() -> list[Path]:
    """The themed notebooks (``NN_*.ipynb`` in :func:`notebook_dir`), in order."""
    return sorted(notebook_dir().glob("[0-9][0-9]_*.ipynb"))


def resolve_notebook(notebook: str | Path) -> Path:
    """Find ``notebook``: a path, a file in the notebooks folder, or a stem like ``01_breakout_ranges``.

    Raises
    ------
    FileNotFoundError
        With the closest notebook names when nothing matches.
    """
    p = Path(notebook)
    folder = notebook_dir()
    candidates = [p, folder / p.name, folder / f"{p.name}.ipynb"]
    if p.suffix != ".ipynb":
        candidates.insert(1, p.with_suffix(".ipynb"))
    for c in candidates:
        if c.is_file() and c.suffix == ".ipynb":
            return c.resolve()
    names = [n.name for n in notebooks()]
    close = difflib.get_close_matches(p.name, names, n=3, cutoff=0.4)
    hint = f"; did you mean {' or '.join(close)}?" if close else (
        f"; notebooks: {', '.join(names)}" if names else f"; no notebooks in {folder}")
    raise FileNotFoundError(f"notebook {notebook} not found{hint}")


# --------------------------------------------------------------------------- parameters


def load_params_file(path: str | Path) -> dict[str, Any]:
    """Read a YAML (or JSON) parameters file with ``yaml.safe_load``; it must be a mapping."""
    import yaml

    p = Path(path)
    if not p.is_file():
        raise ParameterError(str(path), "parameters file not found")
    try:
        data = yaml.safe_load(p.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ParameterError(str(path), f"not valid YAML: {exc}") from None
    if data is None:
        return {}
    if not isinstance(data, dict) or not all(isinstance(k, str) for k in data):
        raise ParameterError(str(path), "must be a mapping of parameter names to values")
    return data


def check_parameters(notebook: str | Path, parameters: Mapping[str, Any] | None = None,
                     *, preflight: bool = True) -> dict[str, Any]:
    """Check and convert ``parameters`` for ``notebook`` without starting a kernel.

    Parameters
    ----------
    notebook : the notebook (path or name in the notebooks folder).
    parameters : name -> value; values may be text (from the command line) or
        YAML / Python values.
    preflight : also apply every spec and cross-parameter rule of the notebook's
        own ``sc.params.check(...)`` call (read with :mod:`ast`, never executed).

    Returns
    -------
    dict
        The given parameters converted to their declared types (defaults are not added).

    Raises
    ------
    ParameterError
        Unknown name (with close matches), a value of the wrong type, a bad date,
        an unsafe string, or a value the notebook's own check rejects.
    """
    # imported here: pool workers import this module only to run jobs, without pandas
    from ..notebook_params import check as check_notebook_parameters
    from ..notebook_params import read as read_parameters

    return check_notebook_parameters(read_parameters(resolve_notebook(notebook)), parameters,
                                     rules=preflight)


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, (list, tuple)):
        return "+".join(_text(v) for v in value)
    if isinstance(value, dict):
        return "+".join(f"{k}={_text(v)}" for k, v in value.items())
    return str(value)


def _slug(text: str) -> str:
    s = re.sub(r"[^A-Za-z0-9_+=.-]+", "-", text)
    s = re.sub(r"\.{2,}", ".", s)
    s = re.sub(r"-{2,}", "-", s)
    return s.strip("-.")


def run_name(notebook: str | Path, parameters: Mapping[str, Any] | None = None) -> str:
    """The sanitised file stem of a run: ``<notebook>__<name>-<value>_...``.

    Only ``[A-Za-z0-9_+=.-]`` survive (no separators, no ``..``, no leading dot);
    when sanitising lost information or the name is long, a short hash of the
    parameters keeps names of different runs apart.
    """
    stem = _slug(Path(notebook).stem) or "notebook"
    params = dict(parameters or {})
    if not params:
        return stem
    parts, lossy = [], False
    for k, v in sorted(params.items()):
        text = _text(v)
        sk, sv = _slug(k), _slug(text)
        lossy |= sk != k or sv != text
        parts.append(f"{sk}-{sv}")
    name = f"{stem}__{'_'.join(parts)}"
    if lossy or len(name) > 120:
        digest = hashlib.sha1(json.dumps(params, sort_keys=True, default=str).encode()).hexdigest()
        name = f"{name[:100].rstrip('-._')}-{digest[:8]}"
    return name


def prepare(notebook: str | Path, parameters: Mapping[str, Any] | None = None) -> RunSpec:
    """Resolve the notebook, check its parameters and name the run (no kernel)."""
    path = resolve_notebook(notebook)
    params = check_parameters(path, parameters)
    return RunSpec(path, params, run_name(path, params))


# --------------------------------------------------------------------------- environment


def data_mode_env() -> dict[str, str]:
    """Fall back to synthetic demo data only when no real data can be found."""
    from ..data import available

    if config.demo():
        return {}
    if available("RUT") is None:
        print("smallcaps: no snapshot (SMALLCAPS_SNAPSHOT) and no cached data: "
              "running on SYNTHETIC DEMO DATA (every figure is labelled as such)", file=sys.stderr)
        return {config.DEMO: "1"}
    return {}


_LIVE_KERNELS: set[int] = set()  # process ids of the kernels this process started


def kill_kernels() -> None:
    """Kill every kernel this process started and has not shut down (a dying worker's last act).

    Kernels run in their own session (jupyter_client), so they do not die with the
    process that started them; their process group is killed here.
    """
    import signal

    for pid in list(_LIVE_KERNELS):
        try:
            os.killpg(pid, signal.SIGKILL)
        except OSError:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        _LIVE_KERNELS.discard(pid)


def lean_imports() -> None:
    """In a process the runner owns, skip jsonschema's slow IRI format checker.

    nbformat imports jsonschema, and jsonschema imports ``rfc3987_syntax`` when it is
    installed (jupyter-events asks for it); that import builds its grammar's parsers
    and costs about 1.5 s in every runner process and pool worker (an upstream
    issue, python-jsonschema/jsonschema#1392). Notebooks are never validated
    against the ``iri`` formats, so the runner's processes go without it
    (:func:`smallcaps._core.imports.jsonschema_without_iri`). Called by the ``run``
    command and by pool workers, never on ``import smallcaps``; it does nothing once
    jsonschema is imported.
    """
    jsonschema_without_iri()  # nbformat then finds jsonschema already imported


SAVE_EVERY = 10.0
"""Seconds between saves of the executed notebook while it runs (and once at the end)."""

ENGINE = "smallcaps"
"""The papermill engine the runner registers and uses (:func:`_register_engine`)."""


def _register_engine() -> None:
    """Register papermill's nbclient engine with sparse saves under :data:`ENGINE`.

    papermill rewrites the whole output notebook at the start and the end of every cell:
    for notebooks with figures that is 20-40 ms a save, seconds a run. The kit saves at
    most every :data:`SAVE_EVERY` seconds while cells run, so a killed or timed-out run
    still leaves its progress on disk, and always once at the end (papermill's
    ``notebook_complete`` runs in a ``finally``, so failures are saved too).
    """
    from papermill.engines import papermill_engines

    papermill_engines.register(ENGINE, _engine_class())


@functools.cache
def _engine_class() -> type:
    from papermill.engines import NBClientEngine, NotebookExecutionManager

    class SparseSaves(NotebookExecutionManager):
        def save(self, **kwargs: Any) -> None:
            running = self.end_time is None
            if running and (self.now() - self.last_save_time).total_seconds() < SAVE_EVERY:
                return
            super().save(**kwargs)

    class Engine(NBClientEngine):
        # papermill's Engine.execute_notebook with the manager swapped (it has no hook)
        @classmethod
        def execute_notebook(cls, nb: Any, kernel_name: str, output_path: str | None = None,
                             progress_bar: bool = True, log_output: bool = False,
                             autosave_cell_every: int = 30, **kwargs: Any) -> Any:
            nb_man = SparseSaves(nb, output_path=output_path, progress_bar=progress_bar,
                                 log_output=log_output, autosave_cell_every=autosave_cell_every)
            nb_man.notebook_start()
            try:
                cls.execute_managed_notebook(nb_man, kernel_name, log_output=log_output, **kwargs)
            finally:
                nb_man.cleanup_pbar()
                nb_man.notebook_complete()
            return nb_man.nb

    return Engine


def _kernel_manager_class(env: Mapping[str, str], cwd: str, sockets: str,
                          zygote: str | None = None) -> type:
    """An AsyncKernelManager that starts its kernel with ``env`` and ``cwd`` over IPC.

    Passing them to the kernel (instead of changing ``os.environ`` or the
    working directory of this process) keeps concurrent runs in threads apart.
    IPC sockets live in ``sockets``, a private folder of this run: no TCP port is
    opened, so nothing on the network can talk to the kernel. With ``zygote`` (a
    batch's :mod:`~smallcaps.run.zygote` socket) the kernel is forked from the
    pre-imported process, else (or when that fails) launched as usual.
    """
    from jupyter_client.manager import AsyncKernelManager

    extra = dict(env)

    class SmallcapsKernelManager(AsyncKernelManager):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            kwargs.setdefault("transport", "ipc")
            kwargs.setdefault("ip", os.path.join(sockets, "k"))
            super().__init__(*args, **kwargs)

        async def _async_pre_start_kernel(self, **kw: Any) -> Any:
            base = dict(kw.get("env") or os.environ)
            base.pop("MPLBACKEND", None)  # a kernel with MPLBACKEND=Agg shows no figures
            base.update(extra)
            kw["env"] = base
            kw["cwd"] = cwd
            return await super()._async_pre_start_kernel(**kw)

        async def _async_launch_kernel(self, kernel_cmd: list[str], **kw: Any) -> None:
            if zygote and _zygote.forkable(kernel_cmd):
                import asyncio

                try:
                    pid = await asyncio.to_thread(_zygote.fork_kernel, zygote, kernel_cmd,
                                                  kw["env"], kw["cwd"])
                except OSError:
                    pid = None  # launched the usual way below
                if pid is not None:
                    prov = self.provisioner
                    prov.process = _zygote.ForkedKernel(pid)  # type: ignore[union-attr]
                    prov.pid, prov.pgid, prov.cwd = pid, pid, kw["cwd"]  # type: ignore[union-attr]
                    self._reconcile_connection_info(prov.connection_info)  # type: ignore[union-attr]
                    return
            await super()._async_launch_kernel(kernel_cmd, **kw)

        async def _async_post_start_kernel(self, **kw: Any) -> None:
            await super()._async_post_start_kernel(**kw)
            pid = getattr(self.provisioner, "pid", None)
            if isinstance(pid, int):
                _LIVE_KERNELS.add(pid)

        async def _async_interrupt_kernel(self) -> None:
            # jupyter_client interrupts (SIGINT) before every shutdown; an idle kernel then
            # logs "KeyboardInterrupt caught in kernel". A finished run needs no interrupt.
            if self.shutting_down:
                return
            await super()._async_interrupt_kernel()

        async def _async_shutdown_kernel(self, now: bool = False, restart: bool = False) -> None:
            pid = getattr(self.provisioner, "pid", None)
            await super()._async_shutdown_kernel(now=now, restart=restart)
            _LIVE_KERNELS.discard(pid)

    return SmallcapsKernelManager


def _display_path(p: Path) -> str:
    """The notebook's name inside the notebooks folder, else its path (home written ``~``)."""
    try:
        return str(p.resolve().relative_to(notebook_dir().resolve()))
    except (ValueError, OSError):
        return str(p.resolve())


# --------------------------------------------------------------------------- execution


class _DropUnknownParameter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("Passed unknown parameter")


def _quiet_papermill() -> None:
    # papermill's own parameters-cell parser fails on some comments (a ';' in one) and then
    # warns about "unknown" parameters; the kit has checked the names itself (notebook_params)
    logging.getLogger("papermill.translators").setLevel(logging.ERROR)
    log = logging.getLogger("papermill")
    if not any(isinstance(f, _DropUnknownParameter) for f in log.filters):
        log.addFilter(_DropUnknownParameter())


def _in_fresh_context(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Call ``fn`` in an empty :mod:`contextvars` context, closing the event loop it made.

    nbclient runs its coroutines on jupyter_core's per-context event loop. Threads
    that inherit a context (Dask workers in threads) would share one loop and
    fail with "This event loop is already running"; an empty context gives each
    run its own loop.
    """
    import contextvars

    def call() -> Any:
        try:
            return fn(*args, **kwargs)
        finally:
            try:
                from jupyter_core.utils import _loop

                loop = _loop.get()
                if loop is not None and not loop.is_running() and not loop.is_closed():
                    loop.close()
            except (ImportError, AttributeError):
                pass

    return contextvars.Context().run(call)


def execute_job(job: dict[str, Any]) -> RunResult:
    """Run one prepared job (module level so process pools and Dask can ship it)."""
    import papermill as pm

    _quiet_papermill()
    nb_path = Path(job["notebook"])
    out = Path(job["out_dir"])
    out.mkdir(parents=True, exist_ok=True)
    name = job["name"]
    executed = out / f"{name}.ipynb"
    manifest_path = out / f"{name}{MANIFEST_SUFFIX}"
    if executed.resolve().parent != out.resolve():  # run_name makes this impossible; belt and braces
        raise ParameterError("name", f"run name {name!r} escapes the output folder")
    work = Path(tempfile.mkdtemp(prefix="smallcaps-run-"))
    prov_log, pvalue_log = work / "provenance.jsonl", work / "pvalues.jsonl"
    env = {**job["env"], config.PROVENANCE_LOG: str(prov_log),
           config.PVALUE_LOG: str(pvalue_log), config.WIDGETS: "static"}
    kernel = job["kernel"]
    started = _dt.datetime.now().astimezone()
    base = {
        "run": name,
        "notebook": _display_path(nb_path),
        "notebook_sha256": hashlib.sha256(nb_path.read_bytes()).hexdigest(),
        "parameters": job["parameters"],
        "effective_parameters": {**job["defaults"], **job["parameters"]},
        "batch": job.get("batch"),
        "started": started.isoformat(timespec="seconds"),
        "kernel": kernel,
        # only the documented settings: never a token or another secret in the environment
        "environment": {k: v for k, v in {**config.documented(), **job["env"]}.items()
                        if k in config.DOCUMENTED},
        "versions": job["versions"],
        "git": job["git"],
        "host": _manifest.host(),
    }
    _manifest.write(manifest_path, {**base, "status": _manifest.RUNNING})
    t0 = time.perf_counter()
    status, error, error_info = "ok", None, None
    _register_engine()
    try:
        _in_fresh_context(
            pm.execute_notebook,
            str(nb_path), str(executed), parameters=job["parameters"], kernel_name=kernel,
            engine_name=ENGINE,
            progress_bar=False, execution_timeout=job.get("timeout"),
            kernel_manager_class=_kernel_manager_class(env, str(nb_path.parent), str(work),
                                                       job.get("zygote")),
        )
    except pm.PapermillExecutionError as exc:
        status, error = "failed", f"{exc.ename}: {exc.evalue}"
        error_info = {"ename": exc.ename, "evalue": exc.evalue, "cell_index": exc.cell_index,
                      "execution_count": exc.exec_count}
    except Exception as exc:  # a dead kernel or timeout fails this run only
        status, error = "failed", f"{type(exc).__name__}: {exc}"
        error_info = {"ename": type(exc).__name__, "evalue": str(exc)}
    exec_seconds = time.perf_counter() - t0
    outputs: dict[str, Path] = {}
    export_errors: dict[str, str] = {}
    if executed.is_file():
        _export.publish_notebook(executed)  # reports name no local folder
        outputs["notebook"] = executed
        for kind in job["export"]:
            try:
                outputs[kind] = _export.export(executed, kind)
            except Exception as exc:  # the run stays; the export problem is recorded
                export_errors[kind] = f"{type(exc).__name__}: {exc}"
    seconds = time.perf_counter() - t0
    data = _manifest.read_jsonl(prov_log)
    pvalues = _manifest.read_jsonl(pvalue_log)
    shutil.rmtree(work, ignore_errors=True)
    finished = _dt.datetime.now().astimezone()
    _manifest.write(manifest_path, {
        **base,
        "status": status,
        "error": error_info,
        "finished": finished.isoformat(timespec="seconds"),
        "seconds": round(seconds, 3),
        "execution_seconds": round(exec_seconds, 3),
        "outputs": {k: v.name for k, v in outputs.items()},
        "export_errors": export_errors,
        "data": data,
        "synthetic": any(bool(d.get("synthetic")) for d in data),
        "pvalues": pvalues,
    })
    files = [*outputs.values(), manifest_path]
    return RunResult(nb_path, dict(job["parameters"]), executed, outputs.get("html"), status,
                     seconds, error, files, name, manifest_path)


def jobs_for(specs: Iterable[RunSpec], out_dir: str | Path, export: Iterable[str],
             kernel: str | None, timeout: float | None,
             batch: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """The payloads :func:`execute_job` runs, one per spec (checked for clashes)."""
    specs = list(specs)
    export = tuple(export)
    bad = [e for e in export if e not in EXPORTS]
    if bad:
        raise ParameterError("export", f"unknown export {', '.join(bad)} (choose from {', '.join(EXPORTS)})")
    from ..notebook_params import read as read_parameters

    env = data_mode_env()
    kernel = kernel or kernel_name()
    versions = _manifest.versions()
    out = str(Path(out_dir).resolve())
    names = [s.name for s in specs]
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        raise ParameterError("grid", f"runs would overwrite each other: {', '.join(dup)}")
    gits: dict[Path, dict[str, Any]] = {}
    jobs = []
    for s in specs:
        folder = Path(s.notebook).parent
        if folder not in gits:
            gits[folder] = _manifest.git(folder)
        jobs.append({"notebook": str(s.notebook), "parameters": s.parameters, "name": s.name,
                     "defaults": read_parameters(s.notebook).defaults(), "out_dir": out,
                     "export": export, "kernel": kernel, "timeout": timeout, "env": env,
                     "versions": versions, "git": gits[folder], "batch": batch})
    return jobs


def run(notebook: str | Path, parameters: Mapping[str, Any] | None = None,
        out_dir: str | Path = "reports", *, export: Iterable[str] = ("html", "slides"),
        kernel: str | None = None, timeout: float | None = None, index: bool = True) -> RunResult:
    """Check parameters, execute ``notebook`` headless and export it into ``out_dir``.

    Parameters
    ----------
    notebook : path, or a name in the notebooks folder (``"01_breakout_ranges"``).
    parameters : name -> value (text is converted to the declared type).
    out_dir : output folder (created).
    export : any of "html" (code hidden), "code" (HTML with code), "slides" (reveal.js).
    kernel : kernelspec name (default: "smallcaps" when installed, else "python3").
    timeout : per-cell timeout in seconds (default: none).
    index : refresh ``out_dir/index.html``.

    Returns
    -------
    RunResult
        ``status`` is "failed" (not an exception) when a cell raised; the
        executed notebook shows the error.

    Raises
    ------
    ParameterError
        Bad parameters, before any kernel starts.
    FileNotFoundError
        Unknown notebook.
    """
    from .index import refresh

    spec = prepare(notebook, parameters)
    result = execute_job(jobs_for([spec], out_dir, export, kernel, timeout)[0])
    if index:
        refresh(out_dir)
    return result
