"""Execute notebooks with parameters into reports: checks, batches, manifests.

One run::

    import smallcaps as sc
    r = sc.run("notebooks/01_breakout_ranges.ipynb", {"symbol": "IWM", "start": "2020-01-01"})
    r.status, r.executed, r.html, r.manifest

writes ``reports/<run>.ipynb`` (the executed notebook), ``reports/<run>.html``
(code hidden, figures embedded), ``reports/<run>.manifest.json`` and refreshes
``reports/index.html``. ``<run>`` is the notebook's name followed by the
parameters, sanitised so that no value can become a path.

Before any kernel starts, :func:`prepare` checks the parameters against the
notebook's own ``parameters`` cell (read with :mod:`smallcaps.notebook_params`):
unknown names are errors naming the close matches, values are converted to the
default's type (``"20"`` -> ``20`` for an ``int``), dates are validated, strings
with control characters or path syntax are refused, and the notebook's own
``sc.params.check(...)`` call is evaluated on the values so a bad symbol fails
at once with the notebook's message. Every problem raises
:class:`smallcaps.params.ParameterError`.

Batches (:func:`run_batch`, :func:`grid`) run in a local process pool or on a
Dask distributed cluster (``scheduler=ADDRESS``); a failed run keeps its
executed notebook with the error visible, the others go on, and
``BatchResult.ok`` is False.

The kernel of each run gets, in its environment only:

- ``SMALLCAPS_PROVENANCE_LOG``: a file ``smallcaps.data.load`` appends the
  provenance of everything it loads to; the manifest lists it under ``data``.
- ``SMALLCAPS_WIDGETS=static``: widget explorers draw the static figure.
- ``SMALLCAPS_DEMO=1`` only when no real data can be found (labelled everywhere).
"""

from __future__ import annotations

import datetime as _dt
import difflib
import hashlib
import itertools
import json
import logging
import math
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from . import config
from .notebook_params import NotebookParameter, NotebookParameters
from .notebook_params import read as read_parameters
from .params import ParameterError

__all__ = [
    "BatchResult",
    "RunResult",
    "RunSpec",
    "check_parameters",
    "grid",
    "kernel_name",
    "load_params_file",
    "notebooks",
    "prepare",
    "resolve_notebook",
    "run",
    "run_all",
    "run_batch",
    "run_name",
]

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK_DIR = ROOT / "notebooks"
MANIFEST_SUFFIX = ".manifest.json"
EXPORTS = ("html", "code", "slides")
_VERSIONS = ("smallcaps", "numpy", "pandas", "pyarrow", "matplotlib", "mplfinance", "scipy",
             "statsmodels", "papermill", "nbclient", "nbconvert", "nbformat", "ipykernel",
             "jupyter_client", "ipywidgets")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_ISO_DATE = re.compile(r"^\d{4}(-\d{2}){0,2}$")  # a day, a month (2024-01) or a year
MAX_TEXT = 200


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


@dataclass
class BatchResult:
    """Outcome of a batch: one :class:`RunResult` per run, in submission order."""

    results: list[RunResult]
    seconds: float
    index: Path | None = None

    @property
    def ok(self) -> bool:
        return all(r.ok for r in self.results)

    @property
    def failed(self) -> list[RunResult]:
        return [r for r in self.results if not r.ok]

    def __iter__(self):
        return iter(self.results)

    def __len__(self) -> int:
        return len(self.results)


@dataclass(frozen=True)
class RunSpec:
    """A checked run, ready to execute: notebook, converted parameters, output name."""

    notebook: Path
    parameters: dict[str, Any]
    name: str


# --------------------------------------------------------------------------- notebooks


def notebooks() -> list[Path]:
    """The themed notebooks (``notebooks/NN_*.ipynb``), in order."""
    return sorted(NOTEBOOK_DIR.glob("[0-9][0-9]_*.ipynb"))


def resolve_notebook(notebook: str | Path) -> Path:
    """Find ``notebook``: a path, a file in ``notebooks/``, or a stem like ``01_breakout_ranges``.

    Raises
    ------
    FileNotFoundError
        With the closest notebook names when nothing matches.
    """
    p = Path(notebook)
    candidates = [p, NOTEBOOK_DIR / p.name, NOTEBOOK_DIR / f"{p.name}.ipynb"]
    if p.suffix != ".ipynb":
        candidates.insert(1, p.with_suffix(".ipynb"))
    for c in candidates:
        if c.is_file() and c.suffix == ".ipynb":
            return c.resolve()
    names = [n.name for n in notebooks()]
    close = difflib.get_close_matches(p.name, names, n=3, cutoff=0.4)
    hint = f"; did you mean {' or '.join(close)}?" if close else (
        f"; notebooks: {', '.join(names)}" if names else "")
    raise FileNotFoundError(f"notebook {notebook} not found{hint}")


def kernel_name() -> str:
    """The venv's own kernelspec ("smallcaps", installed by ``make setup``) or "python3"."""
    from jupyter_client.kernelspec import KernelSpecManager

    return "smallcaps" if "smallcaps" in KernelSpecManager().find_kernel_specs() else "python3"


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


def _type_name(v: Any) -> str:
    return type(v).__name__


def _check_text(p: NotebookParameter, value: str) -> str:
    if _CONTROL.search(value):
        raise ParameterError(p.name, f"{value!r} contains control characters (newline, NUL...)")
    if len(value) > MAX_TEXT:
        raise ParameterError(p.name, f"is {len(value)} characters long (at most {MAX_TEXT})")
    if not p.is_path and ("/" in value or "\\" in value or ".." in value or value.startswith("~")):
        raise ParameterError(
            p.name, f"{value!r} looks like a path (/, \\, .. or ~); only path parameters may hold one")
    return value


def _check_date(p: NotebookParameter, value: str) -> str:
    text = value.strip()
    if text == "":
        if p.optional:
            return text
        raise ParameterError(p.name, "a date is required (ISO format, e.g. 2024-01-31)")
    if not _ISO_DATE.match(text):
        raise ParameterError(p.name, f"{value!r} is not an ISO date (YYYY-MM-DD, e.g. 2024-01-31; "
                                     "YYYY-MM or YYYY for a month or a year)")
    try:
        _dt.date.fromisoformat(text + {4: "-01-01", 7: "-01"}.get(len(text), ""))
    except ValueError as exc:
        raise ParameterError(p.name, f"{value!r} is not a valid date ({exc})") from None
    return text


def _scalar(p: NotebookParameter, kind: str, value: Any) -> Any:
    """Convert ``value`` to ``kind`` (str, int, float, bool), strings parsed strictly."""
    expected = {"str": "text", "int": "an integer", "float": "a number", "bool": "true or false"}
    default = f" (default {p.default!r})" if p.literal else ""
    bad = ParameterError(p.name, f"expected {expected.get(kind, kind)}{default}, got "
                                 f"{_type_name(value)} {value!r}")
    if kind == "str":
        if isinstance(value, _dt.datetime):
            value = value.date().isoformat() if value.time() == _dt.time() else value.isoformat()
        elif isinstance(value, _dt.date):
            value = value.isoformat()
        if not isinstance(value, str):
            raise bad
        if p.is_date:  # the ISO pattern admits no path syntax
            return _check_date(p, value)
        return _check_text(p, value)
    if kind == "bool":
        if isinstance(value, bool):
            return value
        if isinstance(value, str):
            low = value.strip().lower()
            if low in ("true", "yes", "on", "1"):
                return True
            if low in ("false", "no", "off", "0"):
                return False
        raise bad
    if isinstance(value, bool):
        raise bad
    if kind == "int":
        if isinstance(value, int):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, str) and re.fullmatch(r"\s*[+-]?\d+\s*", value):
            return int(value)
        raise bad
    if kind == "float":
        if isinstance(value, (int, float)):
            out = float(value)
        elif isinstance(value, str):
            try:
                out = float(value)
            except ValueError:
                raise bad from None
        else:
            raise bad
        if not math.isfinite(out):
            raise ParameterError(p.name, f"{value!r} is not a finite number")
        return out
    return value


def convert(p: NotebookParameter, value: Any) -> Any:
    """Convert ``value`` (text from the command line, or a YAML / Python value) to ``p``'s type.

    Raises
    ------
    ParameterError
        Naming ``p`` and what is wrong.
    """
    import yaml

    kind = p.base_type
    if value is None:
        if p.optional:
            return "" if p.default == "" else None
        raise ParameterError(p.name, f"a value is required (default {p.default!r})")
    if kind in ("str", "int", "float", "bool"):
        return _scalar(p, kind, value)
    if kind == "list":
        if isinstance(value, str):
            text = value.strip()
            if text.startswith("["):
                try:
                    value = yaml.safe_load(text)
                except yaml.YAMLError:
                    raise ParameterError(p.name, f"{value!r} is not a list") from None
            else:
                value = [v.strip() for v in text.split(",") if v.strip()]
        if isinstance(value, tuple):
            value = list(value)
        if not isinstance(value, list):
            raise ParameterError(p.name, f"expected a list (default {p.default!r}), got "
                                         f"{_type_name(value)} {value!r}")
        item = p.item_type
        return [_scalar(p, item, v) if item else _any(p, v) for v in value]
    if kind == "dict":
        if isinstance(value, str):
            try:
                value = yaml.safe_load(value)
            except yaml.YAMLError:
                raise ParameterError(p.name, f"{value!r} is not a mapping") from None
        if not isinstance(value, dict):
            raise ParameterError(p.name, f"expected a mapping, got {_type_name(value)} {value!r}")
        return {str(k): _any(p, v) for k, v in value.items()}
    return _any(p, value)


def _any(p: NotebookParameter, value: Any) -> Any:
    """Untyped values: plain literals only; strings checked like any text."""
    if isinstance(value, str):
        return _check_text(p, value)
    if isinstance(value, (_dt.date, _dt.datetime)):
        return _scalar(p, "str", value)
    if value is None or isinstance(value, (bool, int, float)):
        return value
    if isinstance(value, (list, tuple)):
        return [_any(p, v) for v in value]
    if isinstance(value, dict):
        return {str(k): _any(p, v) for k, v in value.items()}
    raise ParameterError(p.name, f"unsupported value {_type_name(value)} {value!r}")


def _preflight(spec: NotebookParameters, values: Mapping[str, Any]) -> None:
    """Evaluate the notebook's own ``sc.params.check(...)`` on ``values`` in this process."""
    if not spec.check_source or any(not p.literal for p in spec):
        return
    import smallcaps

    ns: dict[str, Any] = dict(values)
    ns[spec.check_root or "sc"] = smallcaps.params if spec.check_root == "params" else smallcaps
    try:
        code = compile(spec.check_source, "<parameters check>", "eval")
    except SyntaxError:
        return
    try:
        eval(code, ns)  # the notebook's own check call: the code the kernel will run first
    except ParameterError:
        raise
    except Exception:  # inconclusive here; the kernel runs the check again
        return


def check_parameters(notebook: str | Path, parameters: Mapping[str, Any] | None = None,
                     *, preflight: bool = True) -> dict[str, Any]:
    """Check and convert ``parameters`` for ``notebook`` without starting a kernel.

    Parameters
    ----------
    notebook : the notebook (path or name in ``notebooks/``).
    parameters : name -> value; values may be text (from the command line) or
        YAML / Python values.
    preflight : also evaluate the notebook's own ``sc.params.check(...)`` call.

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
    path = resolve_notebook(notebook)
    spec = read_parameters(path)
    given = dict(parameters or {})
    out: dict[str, Any] = {}
    for name, value in given.items():
        if not isinstance(name, str) or not name.isidentifier():
            raise ParameterError(str(name), "is not a valid parameter name")
        if name not in spec:
            known = spec.names()
            close = difflib.get_close_matches(name, known, n=3, cutoff=0.6)
            hint = (f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else "")
            listing = f" (parameters: {', '.join(known)})" if known else " (it has no parameters cell)"
            raise ParameterError(name, f"{path.name} has no such parameter{hint}{listing}")
        out[name] = convert(spec[name], value)
    if preflight:
        _preflight(spec, {**spec.defaults(), **out})
    return out


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


def grid(notebook: str | Path, spec: Mapping[str, Any] | str | Path) -> list[RunSpec]:
    """The product of parameter lists as checked runs.

    Parameters
    ----------
    notebook : the notebook to run.
    spec : a mapping ``name -> list of values`` (a scalar counts as a one-value
        list), or a YAML file holding one (read with ``yaml.safe_load``).

    Returns
    -------
    list of RunSpec
        One per combination, in the order of ``itertools.product``. Every
        combination is checked before any is run.
    """
    if isinstance(spec, (str, Path)):
        spec = load_params_file(spec)
    axes = {k: (list(v) if isinstance(v, (list, tuple)) else [v]) for k, v in spec.items()}
    for k, v in axes.items():
        if not v:
            raise ParameterError(k, "grid list is empty")
    keys = list(axes)
    return [prepare(notebook, dict(zip(keys, combo, strict=True)))
            for combo in itertools.product(*(axes[k] for k in keys))]


# --------------------------------------------------------------------------- environment


def _data_mode_env() -> dict[str, str]:
    """Fall back to synthetic demo data only when no real data can be found."""
    from .data import available

    if config.demo():
        return {}
    if available("RUT") is None:
        print("smallcaps: no snapshot (SMALLCAPS_SNAPSHOT) and no cached data: "
              "running on SYNTHETIC DEMO DATA (every figure is labelled as such)", file=sys.stderr)
        return {"SMALLCAPS_DEMO": "1"}
    return {}


def _kernel_manager_class(env: Mapping[str, str], cwd: str) -> type:
    """An AsyncKernelManager that starts its kernel with ``env`` and ``cwd``.

    Passing them to the kernel (instead of changing ``os.environ`` or the
    working directory of this process) keeps concurrent runs in threads apart.
    """
    from jupyter_client.manager import AsyncKernelManager

    extra = dict(env)

    class SmallcapsKernelManager(AsyncKernelManager):
        async def _async_pre_start_kernel(self, **kw: Any):
            base = dict(kw.get("env") or os.environ)
            base.pop("MPLBACKEND", None)  # a kernel with MPLBACKEND=Agg shows no figures
            base.update(extra)
            kw["env"] = base
            kw["cwd"] = cwd
            return await super()._async_pre_start_kernel(**kw)

    return SmallcapsKernelManager


def _git() -> dict[str, Any]:
    try:
        commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "HEAD"], capture_output=True,
                                text=True, timeout=10)
        if commit.returncode != 0:
            return {"commit": None}
        dirty = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain",
                                "--untracked-files=no"], capture_output=True, text=True, timeout=10)
        return {"commit": commit.stdout.strip(), "dirty": bool(dirty.stdout.strip())}
    except (OSError, subprocess.SubprocessError):
        return {"commit": None}


def _versions() -> dict[str, str | None]:
    from importlib import metadata

    out: dict[str, str | None] = {"python": platform.python_version()}
    for pkg in _VERSIONS:
        try:
            out[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            out[pkg] = None
    return out


def _read_provenance_log(path: Path) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = []
    seen: set[str] = set()
    if not path.is_file():
        return records
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line:
            continue
        try:
            rec = json.loads(line)
        except json.JSONDecodeError:
            continue
        key = json.dumps(rec, sort_keys=True)
        if key not in seen:
            seen.add(key)
            records.append(rec)
    return records


def _display_path(p: Path) -> str:
    try:
        return str(p.resolve().relative_to(ROOT))
    except ValueError:
        return str(p.resolve())


def _write_json(path: Path, data: Any) -> None:
    tmp = path.with_name(f".{path.name}.tmp{os.getpid()}")
    tmp.write_text(json.dumps(data, indent=2, default=str), encoding="utf-8")
    os.replace(tmp, path)


# --------------------------------------------------------------------------- execution


class _DropUnknownParameter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("Passed unknown parameter")


def _quiet_unknown_parameter_warnings() -> None:
    log = logging.getLogger("papermill")
    if not any(isinstance(f, _DropUnknownParameter) for f in log.filters):
        log.addFilter(_DropUnknownParameter())


def _in_fresh_context(fn, *args: Any, **kwargs: Any) -> Any:
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


def _execute(job: dict[str, Any]) -> RunResult:
    """Run one prepared job (module level so process pools and Dask can ship it)."""
    import papermill as pm

    from . import reports

    # papermill's own parameters-cell parser fails on some comments (a ';' in one) and then
    # warns about "unknown" parameters; the kit has checked the names itself (notebook_params)
    logging.getLogger("papermill.translators").setLevel(logging.ERROR)
    _quiet_unknown_parameter_warnings()

    nb_path = Path(job["notebook"])
    out = Path(job["out_dir"])
    out.mkdir(parents=True, exist_ok=True)
    name = job["name"]
    executed = out / f"{name}.ipynb"
    manifest_path = out / f"{name}{MANIFEST_SUFFIX}"
    if executed.resolve().parent != out.resolve():  # run_name makes this impossible; belt and braces
        raise ParameterError("name", f"run name {name!r} escapes the output folder")
    fd, log_name = tempfile.mkstemp(prefix=f"{name[:40]}.", suffix=".provenance.jsonl")
    os.close(fd)
    log = Path(log_name)
    env = {**job["env"], config.PROVENANCE_LOG: str(log), config.WIDGETS: "static"}
    kernel = job["kernel"]
    started = _dt.datetime.now().astimezone()
    t0 = time.perf_counter()
    status, error, error_info = "ok", None, None
    try:
        _in_fresh_context(
            pm.execute_notebook,
            str(nb_path), str(executed), parameters=job["parameters"], kernel_name=kernel,
            progress_bar=False, execution_timeout=job.get("timeout"),
            kernel_manager_class=_kernel_manager_class(env, str(nb_path.parent)),
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
        outputs["notebook"] = executed
        for kind in job["export"]:
            try:
                outputs[kind] = reports.export(executed, kind)
            except Exception as exc:  # the run stays; the export problem is recorded
                export_errors[kind] = f"{type(exc).__name__}: {exc}"
    seconds = time.perf_counter() - t0
    data = _read_provenance_log(log)
    log.unlink(missing_ok=True)
    finished = _dt.datetime.now().astimezone()
    manifest = {
        "schema": 1,
        "run": name,
        "notebook": _display_path(nb_path),
        "notebook_sha256": hashlib.sha256(nb_path.read_bytes()).hexdigest(),
        "parameters": job["parameters"],
        "effective_parameters": {**job["defaults"], **job["parameters"]},
        "status": status,
        "error": error_info,
        "started": started.isoformat(timespec="seconds"),
        "finished": finished.isoformat(timespec="seconds"),
        "seconds": round(seconds, 3),
        "execution_seconds": round(exec_seconds, 3),
        "kernel": kernel,
        "outputs": {k: v.name for k, v in outputs.items()},
        "export_errors": export_errors,
        "data": data,
        "synthetic": any(bool(d.get("synthetic")) for d in data),
        # only the documented settings: never a token or another secret in the environment
        "environment": {k: v for k, v in {**config.documented(), **job["env"]}.items()
                        if k in config.DOCUMENTED},
        "versions": job["versions"],
        "git": job["git"],
        "host": {"platform": platform.platform(), "python": sys.executable},
    }
    _write_json(manifest_path, manifest)
    files = [*outputs.values(), manifest_path]
    return RunResult(nb_path, dict(job["parameters"]), executed, outputs.get("html"), status,
                     seconds, error, files, name, manifest_path)


def _jobs(specs: Sequence[RunSpec], out_dir: str | Path, export: Iterable[str],
          kernel: str | None, timeout: float | None) -> list[dict[str, Any]]:
    export = tuple(export)
    bad = [e for e in export if e not in EXPORTS]
    if bad:
        raise ParameterError("export", f"unknown export {', '.join(bad)} (choose from {', '.join(EXPORTS)})")
    env = _data_mode_env()
    kernel = kernel or kernel_name()
    versions, git = _versions(), _git()
    out = str(Path(out_dir).resolve())
    names = [s.name for s in specs]
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        raise ParameterError("grid", f"runs would overwrite each other: {', '.join(dup)}")
    return [{"notebook": str(s.notebook), "parameters": s.parameters, "name": s.name,
             "defaults": read_parameters(s.notebook).defaults(), "out_dir": out, "export": export,
             "kernel": kernel, "timeout": timeout, "env": env, "versions": versions, "git": git}
            for s in specs]


def _index(out_dir: str | Path) -> Path | None:
    from . import reports

    try:
        return reports.write_index(out_dir)
    except OSError as exc:
        print(f"smallcaps: could not write the index page: {exc}", file=sys.stderr)
        return None


def run(notebook: str | Path, parameters: Mapping[str, Any] | None = None,
        out_dir: str | Path = "reports", *, export: Iterable[str] = ("html", "slides"),
        kernel: str | None = None, timeout: float | None = None, index: bool = True) -> RunResult:
    """Check parameters, execute ``notebook`` headless and export it into ``out_dir``.

    Parameters
    ----------
    notebook : path, or a name in ``notebooks/`` (``"01_breakout_ranges"``).
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
    spec = prepare(notebook, parameters)
    result = _execute(_jobs([spec], out_dir, export, kernel, timeout)[0])
    if index:
        _index(out_dir)
    return result


def run_batch(specs: Sequence[RunSpec], out_dir: str | Path = "reports", *, jobs: int = 1,
              scheduler: str | Any | None = None, export: Iterable[str] = ("html", "slides"),
              kernel: str | None = None, timeout: float | None = None,
              progress: bool = True) -> BatchResult:
    """Execute prepared runs in parallel; failures never stop the others.

    Parameters
    ----------
    specs : runs from :func:`prepare` or :func:`grid`.
    jobs : local worker processes (1 = in this process, one after another).
    scheduler : a Dask distributed scheduler address (``tcp://host:8786``) or a
        ``distributed.Client``; the runs become tasks on that cluster instead of a
        local pool (its workers need smallcaps installed and the data).
    progress : show a tqdm progress bar on stderr.

    Returns
    -------
    BatchResult
        Results in the order of ``specs``; ``.ok`` is False when any run failed.
    """
    from tqdm.auto import tqdm

    if jobs < 1:
        raise ParameterError("jobs", f"must be at least 1, got {jobs}")
    payloads = _jobs(specs, out_dir, export, kernel, timeout)
    t0 = time.perf_counter()
    results: list[RunResult | None] = [None] * len(payloads)
    bar = tqdm(total=len(payloads), desc="notebooks", unit="run", disable=not progress,
               file=sys.stderr)

    def done(i: int, r: RunResult) -> None:
        results[i] = r
        bar.set_postfix_str(f"{r.name[:40]} {r.status}", refresh=False)
        bar.update(1)

    try:
        if scheduler is not None:
            _run_dask(payloads, scheduler, done)
        elif jobs == 1 or len(payloads) <= 1:
            for i, job in enumerate(payloads):
                done(i, _execute(job))
        else:
            _run_pool(payloads, jobs, done)
    finally:
        bar.close()
    out = [r for r in results if r is not None]
    return BatchResult(out, time.perf_counter() - t0, _index(out_dir))


def _failed(job: dict[str, Any], exc: BaseException) -> RunResult:
    return RunResult(Path(job["notebook"]), dict(job["parameters"]),
                     Path(job["out_dir"]) / f"{job['name']}.ipynb", None, "failed", 0.0,
                     f"{type(exc).__name__}: {exc}", [], job["name"], None)


def _run_pool(payloads: list[dict[str, Any]], jobs: int, done) -> None:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed

    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=min(jobs, len(payloads)), mp_context=ctx) as pool:
        futures = {pool.submit(_execute, job): i for i, job in enumerate(payloads)}
        for fut in as_completed(futures):
            i = futures[fut]
            try:
                done(i, fut.result())
            except Exception as exc:  # a crashed worker fails its run only
                done(i, _failed(payloads[i], exc))


def _run_dask(payloads: list[dict[str, Any]], scheduler: str | Any, done) -> None:
    from distributed import Client, as_completed

    own = not isinstance(scheduler, Client)
    client = Client(scheduler) if own else scheduler
    try:
        futures = client.map(_execute, payloads, pure=False)
        index = {f.key: i for i, f in enumerate(futures)}
        for fut in as_completed(futures):
            i = index[fut.key]
            try:
                done(i, fut.result())
            except Exception as exc:
                done(i, _failed(payloads[i], exc))
    finally:
        if own:
            client.close()


def run_all(out_dir: str | Path = "reports", *, jobs: int = 1, scheduler: str | Any | None = None,
            export: Iterable[str] = ("html", "slides"), progress: bool = False,
            kernel: str | None = None) -> list[RunResult]:
    """Execute every notebook in ``notebooks/`` with its default parameters."""
    specs = [prepare(nb) for nb in notebooks()]
    return run_batch(specs, out_dir, jobs=jobs, scheduler=scheduler, export=export,
                     progress=progress, kernel=kernel).results


def result_dict(r: RunResult) -> dict[str, Any]:
    """A JSON-friendly view of a :class:`RunResult`."""
    d = asdict(r)
    return json.loads(json.dumps(d, default=str))
