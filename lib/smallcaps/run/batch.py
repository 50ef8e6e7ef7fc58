"""Many runs: grids of parameters, local process pools, Dask clusters.

A failed run keeps its executed notebook with the error visible, the others go
on, and ``BatchResult.ok`` is False. Every manifest of a batch carries the
batch's id and size (``batch``), so the index page can say how many
combinations a grid tried and adjust its p-values across them.

Local workers stop with their parent: when the process running the batch is
killed, each worker kills its running kernel and exits (Linux: the kernel's
parent-death signal; elsewhere a watchdog thread polls the parent).
"""

from __future__ import annotations

import atexit
import contextlib
import itertools
import json
import os
import signal
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..params import ParameterError
from . import execute as _execute
from . import manifest as _manifest
from .execute import RunResult, RunSpec, load_params_file, prepare
from .kernels import kernel_zygote

__all__ = ["BatchResult", "grid", "run_all", "run_batch"]


@dataclass
class BatchResult:
    """Outcome of a batch: one :class:`RunResult` per run, in submission order.

    ``combinations`` is the number of runs tried (for a grid, the size of the product).
    """

    results: list[RunResult]
    seconds: float
    index: Path | None = None
    combinations: int = 0
    batch_id: str | None = None

    @property
    def ok(self) -> bool:
        return all(r.ok for r in self.results)

    @property
    def failed(self) -> list[RunResult]:
        return [r for r in self.results if not r.ok]

    def __iter__(self) -> Any:
        return iter(self.results)

    def __len__(self) -> int:
        return len(self.results)


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
        combination is checked (every rule of the notebook's check call) before any
        is run.
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


def _failed(job: dict[str, Any], exc: BaseException) -> RunResult:
    return RunResult(Path(job["notebook"]), dict(job["parameters"]),
                     Path(job["out_dir"]) / f"{job['name']}.ipynb", None, "failed", 0.0,
                     f"{type(exc).__name__}: {exc}", [], job["name"], None)


# --------------------------------------------------------------------------- workers


def _stop_worker(signum: int, frame: Any) -> None:
    """Parent gone (or asked to stop): kill this worker's kernels, then exit at once."""
    _execute.kill_kernels()
    os._exit(128 + signum)


def _watch_parent(parent: int) -> None:
    while True:
        time.sleep(1.0)
        if os.getppid() != parent:
            _stop_worker(signal.SIGTERM, None)


def _worker_init(parent: int) -> None:
    """Make a pool worker die with the batch's process, and exit quickly when done."""
    _execute.lean_imports()
    signal.signal(signal.SIGTERM, _stop_worker)
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, int(signal.SIGTERM))  # PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent:  # the parent died before the line above took effect
        _stop_worker(signal.SIGTERM, None)
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True,
                     name="smallcaps-parent-watch").start()
    # the last exit handler to run (handlers run last-registered first): a finished worker
    # has written its results, so skip the interpreter's teardown of its modules (half a
    # second the pool's shutdown would wait for)
    atexit.register(_exit_now)


def _exit_now() -> None:
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


def _last_seconds(job: dict[str, Any]) -> float | None:
    """Wall seconds of the same run's previous manifest in the output folder, if any."""
    path = Path(job["out_dir"]) / f"{job['name']}{_manifest.MANIFEST_SUFFIX}"
    try:
        seconds = json.loads(path.read_text(encoding="utf-8")).get("seconds")
    except (OSError, ValueError, AttributeError):
        return None
    return float(seconds) if isinstance(seconds, (int, float)) else None


def _notebook_size(job: dict[str, Any]) -> int:
    try:
        return Path(job["notebook"]).stat().st_size
    except (KeyError, OSError):
        return 0


def longest_first(payloads: Sequence[dict[str, Any]]) -> list[int]:
    """Submission order for a pool: runs whose last time is unknown, then the longest.

    Starting the longest runs first keeps the workers busy to the end (the classic
    longest-processing-time rule). Runs without an earlier manifest go first, the
    larger notebook files among them first (more sections: a rough guess of the
    longer run); otherwise the order is unchanged.
    """
    last = [_last_seconds(job) for job in payloads]
    size = [_notebook_size(job) if t is None else 0 for job, t in zip(payloads, last, strict=True)]
    return sorted(range(len(payloads)),
                  key=lambda i: (last[i] is not None, -(last[i] or 0.0), -size[i], i))


def _run_pool(payloads: list[dict[str, Any]], jobs: int,
              done: Callable[[int, RunResult], None]) -> None:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed

    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=min(jobs, len(payloads)), mp_context=ctx,
                             initializer=_worker_init, initargs=(os.getpid(),)) as pool:
        futures = {pool.submit(_execute.execute_job, payloads[i]): i
                   for i in longest_first(payloads)}
        for fut in as_completed(futures):
            i = futures[fut]
            try:
                done(i, fut.result())
            except Exception as exc:  # a crashed worker fails its run only
                done(i, _failed(payloads[i], exc))


def _run_dask(payloads: list[dict[str, Any]], scheduler: str | Any,
              done: Callable[[int, RunResult], None]) -> None:
    from distributed import Client, as_completed

    own = not isinstance(scheduler, Client)
    client = scheduler if isinstance(scheduler, Client) else Client(scheduler)
    try:
        futures = client.map(_execute.execute_job, payloads, pure=False)
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


@contextlib.contextmanager
def _local_zygote(payloads: Sequence[dict[str, Any]]) -> Iterator[str | None]:
    """A kernel zygote for a local batch of two or more runs on one kernelspec (one run
    would only pay the zygote's imports instead of the kernel's)."""
    kernels = {job["kernel"] for job in payloads}
    if len(payloads) < 2 or len(kernels) != 1:
        yield None
        return
    with kernel_zygote(kernels.pop(), {**os.environ, **payloads[0]["env"]}) as sock:
        yield sock


def run_batch(specs: Sequence[RunSpec], out_dir: str | Path = "reports", *, jobs: int = 1,
              scheduler: str | Any | None = None, export: Iterable[str] = ("html", "slides"),
              kernel: str | None = None, timeout: float | None = None,
              progress: bool = True, kind: str = "batch",
              zygote: str | None = None) -> BatchResult:
    """Execute prepared runs in parallel; failures never stop the others.

    Parameters
    ----------
    specs : runs from :func:`prepare` or :func:`grid`.
    jobs : local worker processes (1 = in this process, one after another).
    scheduler : a Dask distributed scheduler address (``tcp://host:8786``) or a
        ``distributed.Client``; the runs become tasks on that cluster instead of a
        local pool (its workers need smallcaps installed and the data).
    progress : show a tqdm progress bar on stderr.
    kind : ``"grid"`` for the combinations of one notebook (the index page then
        adjusts their p-values together), ``"batch"`` otherwise.
    zygote : the socket of a kernel zygote already started for these runs' kernelspec
        (:func:`smallcaps.run.kernels.kernel_zygote`; the ``run`` command starts it
        before its own imports); by default a local batch of two or more runs starts
        its own.

    Returns
    -------
    BatchResult
        Results in the order of ``specs``; ``.ok`` is False when any run failed.
    """
    from tqdm.auto import tqdm

    from .index import refresh

    if jobs < 1:
        raise ParameterError("jobs", f"must be at least 1, got {jobs}")
    batch_id = uuid.uuid4().hex[:12]
    batch: dict[str, Any] = {"id": batch_id, "kind": kind, "size": len(specs)}
    payloads = _execute.jobs_for(specs, out_dir, export, kernel, timeout, batch)
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
        else:
            with (contextlib.nullcontext(zygote) if zygote is not None
                  else _local_zygote(payloads)) as sock:
                for job in payloads:
                    job["zygote"] = sock
                if jobs == 1 or len(payloads) <= 1:
                    for i, job in enumerate(payloads):
                        done(i, _execute.execute_job(job))
                else:
                    _run_pool(payloads, jobs, done)
    finally:
        bar.close()
    out = [r for r in results if r is not None]
    return BatchResult(out, time.perf_counter() - t0, refresh(out_dir), len(payloads), batch_id)


def run_all(out_dir: str | Path = "reports", *, jobs: int = 1, scheduler: str | Any | None = None,
            export: Iterable[str] = ("html", "slides"), progress: bool = False,
            kernel: str | None = None) -> list[RunResult]:
    """Execute every notebook of the notebooks folder with its default parameters."""
    specs = [prepare(nb) for nb in _execute.notebooks()]
    return run_batch(specs, out_dir, jobs=jobs, scheduler=scheduler, export=export,
                     progress=progress, kernel=kernel).results
