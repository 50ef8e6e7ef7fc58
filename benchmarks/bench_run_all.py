"""Benchmark ``smallcaps run --all``: wall time per notebook and the kernel start-up share.

Reference measured in the same run: the runner executing an empty one-cell notebook
with the same kernel (kernel start-up + shutdown, the fixed cost of every run).
Then every notebook in notebooks/ is run through the runner with its defaults, as
``make run`` does, and the script prints, per notebook, the wall time, the
execution and export parts, and the start-up share (reference / execution); then
``smallcaps run --all`` is timed as a command, into the same folder (so its runs are
ordered by the manifests just written, as a second ``make run`` is).
Goal: the whole suite under 30 s with --jobs 2 on a 2-core machine.

With ``--zygote-reference`` the batch first runs with every kernel launched the usual
way (``SMALLCAPS_ZYGOTE=0``) and the script prints the forked batch's ratio to it.

Usage::

    python benchmarks/bench_run_all.py [--jobs N] [--export html,slides] [--repeat 3]
                                       [--zygote-reference]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GOAL_SECONDS = 30.0  # issue 15: `smallcaps run --all --jobs 2` on a 2-core machine


def kernel_startup(repeat: int) -> float:
    """Median seconds for the runner to run an empty notebook (start, one cell, shut down).

    It goes through the same runner as the notebooks (the kit's papermill engine and
    kernel manager on IPC transport), so the reference pays the same fixed costs.
    """
    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook

    from smallcaps import run as runner

    times = []
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "empty.ipynb"
        nbformat.write(new_notebook(cells=[new_code_cell("1")], metadata={"kernelspec": {
            "name": "python3", "display_name": "Python 3", "language": "python"}}), str(src))
        for _ in range(repeat):
            t0 = time.perf_counter()
            res = runner.run(src, out_dir=Path(tmp) / "out", export=(), index=False)
            times.append(time.perf_counter() - t0)
            if res.status != "ok":
                raise RuntimeError(f"the empty reference notebook failed: {res.error}")
    return statistics.median(times)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1))
    ap.add_argument("--export", default="html,slides")
    ap.add_argument("--repeat", type=int, default=3, help="runs of the empty-notebook reference")
    ap.add_argument("--out", type=Path, help="reports folder (default: a temporary one)")
    ap.add_argument("--zygote-reference", action="store_true",
                    help="first run the batch with every kernel launched (SMALLCAPS_ZYGOTE=0) "
                         "and print the forked batch's time against it")
    args = ap.parse_args()

    os.environ.setdefault("SMALLCAPS_SNAPSHOT", str(ROOT.parent / "shared" / "data"))
    from smallcaps import run as runner

    kernel = runner.kernel_name()
    notebooks = runner.notebooks()
    if not notebooks:
        print("no notebooks to run")
        return 1
    t0 = time.perf_counter()
    specs = [runner.prepare(nb) for nb in notebooks]
    check_s = time.perf_counter() - t0
    startup = kernel_startup(args.repeat)
    export = tuple(e for e in args.export.split(",") if e)

    launched = None
    if args.zygote_reference:
        os.environ["SMALLCAPS_ZYGOTE"] = "0"
        with tempfile.TemporaryDirectory() as tmp:
            t0 = time.perf_counter()
            runner.run_batch(specs, tmp, jobs=args.jobs, export=export, progress=False)
            launched = time.perf_counter() - t0
        del os.environ["SMALLCAPS_ZYGOTE"]

    with tempfile.TemporaryDirectory() as tmp:
        out = args.out or Path(tmp)
        t0 = time.perf_counter()
        batch = runner.run_batch(specs, out, jobs=args.jobs, export=export, progress=False)
        wall = time.perf_counter() - t0
        rows = []
        for r in batch:
            m = json.loads(r.manifest.read_text()) if r.manifest and r.manifest.is_file() else {}
            exec_s = float(m.get("execution_seconds", r.seconds))
            rows.append((r.notebook.name, r.status, r.seconds, exec_s, r.seconds - exec_s,
                         startup / exec_s if exec_s else float("nan")))
        # the command itself, as a user types it (its start-up included), into the same
        # folder: the runs now start in the order of the manifests just written
        cmd = [sys.executable, "-m", "smallcaps", "run", "--all", "--jobs", str(args.jobs),
               "--out", str(out), "--export", ",".join(export) or "none", "--no-progress"]
        t0 = time.perf_counter()
        done = subprocess.run(cmd, capture_output=True, text=True)
        command = time.perf_counter() - t0
        if done.returncode != 0:
            print(done.stdout + done.stderr)

    print(f"kernel {kernel}; {len(specs)} notebooks; jobs={args.jobs}; export={','.join(export)}")
    print(f"reference: empty notebook (kernel start-up + shutdown), median of {args.repeat}: "
          f"{startup:.2f} s")
    print(f"parameter checks of all notebooks (no kernel): {check_s * 1000:.0f} ms")
    print(f"{'notebook':34} {'status':>6} {'wall s':>7} {'exec s':>7} {'export s':>8} "
          f"{'start-up share':>14}")
    for name, status, wall_s, exec_s, export_s, share in rows:
        print(f"{name:34} {status:>6} {wall_s:7.2f} {exec_s:7.2f} {export_s:8.2f} {share:14.0%}")
    serial = sum(r[2] for r in rows)
    print(f"sum of per-notebook wall times: {serial:.1f} s; batch wall time: {wall:.1f} s "
          f"(parallel speed-up {serial / wall:.2f}x)")
    print(f"kernel start-up share of the suite: {startup * len(rows) / serial:.0%}")
    if launched is not None:
        print(f"reference: the same batch with every kernel launched (no zygote): {launched:.1f} s;"
              f" forked / launched: {wall / launched:.2f}")
    print(f"batch wall time / goal {GOAL_SECONDS:.0f} s: {wall / GOAL_SECONDS:.2f} "
          f"({'within' if wall <= GOAL_SECONDS else 'OVER'} goal)")
    print(f"`{' '.join(cmd[1:5])} ...` again, from the command line: {command:.1f} s; "
          f"/ goal {GOAL_SECONDS:.0f} s: {command / GOAL_SECONDS:.2f} "
          f"({'within' if command <= GOAL_SECONDS else 'OVER'} goal)")
    return 0 if batch.ok else 1


if __name__ == "__main__":
    sys.exit(main())
