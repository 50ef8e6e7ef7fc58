"""``smallcaps run``: execute notebooks with checked parameters into reports.

Examples::

    smallcaps run notebooks/01_breakout_ranges.ipynb -p symbol IWM -p start 2020-01-01
    smallcaps run 01_breakout_ranges -f params.yaml --out reports
    smallcaps run 01_breakout_ranges --grid grid.yaml --jobs 2
    smallcaps run 01_breakout_ranges --grid grid.yaml --scheduler tcp://10.0.0.5:8786
    smallcaps run --all --out reports
    smallcaps run 01_breakout_ranges --list-params

Exit status: 0 when every run succeeded, 1 when any run failed (its executed
notebook and HTML still show the error), 2 for bad parameters or arguments
(detected before any kernel starts).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from pathlib import Path


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "run", help="execute notebooks with papermill into reports",
        description="Execute notebooks headless with checked parameters; write the executed "
                    "notebook, HTML (code hidden), slides, a manifest, and reports/index.html.")
    p.add_argument("notebook", nargs="?", help="notebook path or name in notebooks/")
    p.add_argument("--all", action="store_true", help="run every notebook in notebooks/ with its defaults")
    p.add_argument("-p", "--param", nargs=2, action="append", default=[], metavar=("NAME", "VALUE"),
                   help="parameter (repeatable); converted to the type of the notebook's default")
    p.add_argument("-f", "--params-file", type=Path, metavar="YAML",
                   help="YAML mapping of parameters (-p wins on conflicts)")
    p.add_argument("--grid", type=Path, metavar="YAML",
                   help="YAML mapping name -> list of values; runs their product")
    p.add_argument("--out", type=Path, default=Path("reports"), help="output folder (default reports)")
    p.add_argument("--jobs", "-j", type=int, default=None,
                   help="parallel runs in a local process pool (default: 1 for one notebook, "
                        "up to the number of CPUs for batches)")
    p.add_argument("--scheduler", metavar="ADDRESS",
                   help="run the batch on a Dask distributed cluster (e.g. tcp://127.0.0.1:8786)")
    p.add_argument("--export", default="html,slides",
                   help="comma list of html (code hidden), code (with code), slides; "
                        "'none' for no export (default html,slides)")
    p.add_argument("--kernel", help="kernelspec (default: smallcaps if installed, else python3)")
    p.add_argument("--timeout", type=float, help="per-cell timeout in seconds")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.add_argument("--list-params", action="store_true",
                   help="print the notebook's parameters (name, type, default, help) and exit")
    p.set_defaults(func=cmd_run)


def _exports(text: str) -> tuple[str, ...]:
    from ..params import ParameterError
    from ..run import EXPORTS

    if text.strip().lower() in ("", "none"):
        return ()
    kinds = tuple(k.strip().lower() for k in text.split(",") if k.strip())
    bad = [k for k in kinds if k not in EXPORTS]
    if bad:
        raise ParameterError("--export", f"{', '.join(bad)} not in {', '.join(EXPORTS)}")
    return kinds


def _print_params(notebook: Path) -> None:
    from ..notebook_params import read

    spec = read(notebook)
    if not len(spec):
        print(f"{notebook.name} has no parameters cell")
        return
    print(f"parameters of {notebook.name}:")
    for q in spec:
        kind = q.spec
        extra = f" [{kind.describe()}]" if kind is not None else ""
        print(f"  {q.name}: {q.type} = {q.default!r}{extra}  # {q.help}")


def cmd_run(args: argparse.Namespace) -> int:
    with _batch_zygote(args) as zygote:
        return _run(args, zygote)


def _batch_zygote(args: argparse.Namespace) -> contextlib.AbstractContextManager[str | None]:
    """For a local batch (``--all``, ``--grid``), the kernel zygote, started before the
    rest of the runner is imported: its imports (about 5 s on a 2-core machine) overlap
    this command's own start. None otherwise (the batch then decides, as from Python)."""
    if not (args.all or args.grid) or args.scheduler or args.list_params or (
            args.all == bool(args.notebook)):
        return contextlib.nullcontext(None)
    from ..run.kernels import kernel_name, kernel_zygote

    return kernel_zygote(args.kernel or kernel_name(), dict(os.environ))


def _run(args: argparse.Namespace, zygote: str | None) -> int:
    from .. import run as runner
    from ..params import ParameterError
    from ..run.execute import lean_imports

    lean_imports()

    if args.all == bool(args.notebook):
        print("smallcaps: error: give a NOTEBOOK or --all", file=sys.stderr)
        return 2
    if args.all and (args.param or args.params_file or args.grid):
        print("smallcaps: error: --all runs each notebook with its defaults; "
              "-p, -f and --grid need one NOTEBOOK", file=sys.stderr)
        return 2
    try:
        export = _exports(args.export)
        if args.list_params:
            _print_params(runner.resolve_notebook(args.notebook or ""))
            return 0
        if args.all:
            specs = [runner.prepare(nb) for nb in runner.notebooks()]
        else:
            params = runner.load_params_file(args.params_file) if args.params_file else {}
            params.update({k: v for k, v in args.param})
            if args.grid:
                axes = runner.load_params_file(args.grid)
                clash = sorted(set(axes) & set(params))
                if clash:
                    raise ParameterError(clash[0], "is given both in the grid and as a fixed value")
                specs = runner.grid(args.notebook, {**{k: [v] for k, v in params.items()}, **axes})
            else:
                specs = [runner.prepare(args.notebook, params)]
    except FileNotFoundError as exc:
        print(f"smallcaps: error: {exc}", file=sys.stderr)
        return 2
    if not specs:
        print("smallcaps: error: no notebooks to run", file=sys.stderr)
        return 2
    jobs = args.jobs or (1 if len(specs) == 1 else max(1, min(len(specs), os.cpu_count() or 1, 4)))
    batch = runner.run_batch(specs, args.out, jobs=jobs, scheduler=args.scheduler, export=export,
                             kernel=args.kernel, timeout=args.timeout,
                             progress=not args.no_progress and len(specs) > 1,
                             kind="grid" if args.grid else "batch", zygote=zygote)
    for r in batch:
        shown = r.html or r.executed
        print(f"{_status_text(r):>6}  {r.seconds:5.1f}s  {r.name} -> {shown}"
              + (f"\n        {r.error}" if r.error else ""))
    if batch.index is not None:
        print(f"index: {batch.index.resolve()}")
    n_failed = len(batch.failed)
    if args.grid:
        print(f"grid: {batch.combinations} combination(s) tried; p-values recorded by the runs "
              "are shown Benjamini-Hochberg adjusted across them on the index page")
    print(f"{len(batch) - n_failed} ok, {n_failed} failed in {batch.seconds:.1f}s; "
          f"reports in {args.out.resolve()}")
    return 0 if batch.ok else 1


def _status_text(r: object) -> str:
    """``ok``, or ``ok (synthetic demo data)`` when the run's manifest says its data was made up."""
    import json

    status = str(getattr(r, "status", "?"))
    manifest = getattr(r, "manifest", None)
    try:
        synthetic = bool(manifest and json.loads(manifest.read_text(encoding="utf-8")).get(
            "synthetic"))
    except (OSError, ValueError, AttributeError):
        synthetic = False
    return f"{status} (synthetic demo data)" if synthetic else status
