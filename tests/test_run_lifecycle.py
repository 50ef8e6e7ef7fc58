"""Runs that are killed stay visible, workers die with their parent, and runs are quiet.

Each test starts ``python -m smallcaps run`` in a subprocess on a tiny notebook in a
private notebooks folder (``SMALLCAPS_NOTEBOOKS``), bounded in time; every process it
started is killed at the end whatever happens.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from smallcaps.cli import main
from smallcaps.run import manifest

pytestmark = [pytest.mark.notebook,
              pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")]

PARAMS = 'label: str = "a"  # a label\nnap: float = 0.0  # seconds to sleep\n'
CHECK = ('import smallcaps as sc\n'
         'p = sc.params.check(label=(label, sc.params.text()), nap=(nap, sc.params.number(min=0)))')
BODY = 'import time\ntime.sleep(p["nap"])\nprint("slept", p["label"])'


def make_notebook(folder: Path, name: str = "10_sleepy.ipynb") -> Path:
    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook

    folder.mkdir(parents=True, exist_ok=True)
    nb = new_notebook(cells=[new_code_cell(PARAMS, metadata={"tags": ["parameters"]}),
                             new_code_cell(CHECK), new_code_cell(BODY)],
                      metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                               "language": "python"}})
    nbformat.write(nb, str(folder / name))
    return folder / name


def _children() -> dict[int, int]:
    """pid -> parent pid of every process visible in /proc."""
    out = {}
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                stat = (d / "stat").read_text()
            except OSError:
                continue
            out[int(d.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    return out


def _descendants(pid: int) -> set[int]:
    tree = _children()
    found, frontier = set(), {pid}
    while frontier:
        nxt = {c for c, p in tree.items() if p in frontier} - found
        found |= nxt
        frontier = nxt
    return found


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def _kill(pids) -> None:
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass


def _env(notebooks: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SMALLCAPS_")}
    env["SMALLCAPS_NOTEBOOKS"] = str(notebooks)
    env["SMALLCAPS_DEMO"] = "1"
    env["SMALLCAPS_CACHE"] = os.environ.get("SMALLCAPS_CACHE", "")
    return env


def _wait(predicate, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out after {seconds}s waiting for {what}")


def _running(out: Path, n: int) -> bool:
    ms = list(out.glob(f"*{manifest.MANIFEST_SUFFIX}"))
    return len(ms) >= n and all(json.loads(m.read_text()).get("status") == "running" for m in ms)


def test_a_killed_run_is_marked_incomplete_and_report_refuses_it(tmp_path, capsys):
    make_notebook(tmp_path / "nbs")
    out = tmp_path / "reports"
    proc = subprocess.Popen([sys.executable, "-m", "smallcaps", "run", "10_sleepy", "-p", "nap",
                             "120", "--out", str(out), "--export", "none"],
                            env=_env(tmp_path / "nbs"), cwd=tmp_path,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    family: set[int] = set()
    try:
        _wait(lambda: _running(out, 1) and len(_descendants(proc.pid)) >= 1, 60, "the kernel")
        time.sleep(2)  # the kernel is in the sleeping cell
        family = _descendants(proc.pid)
        proc.kill()
        proc.wait(10)
        m = manifest.read(next(out.glob(f"*{manifest.MANIFEST_SUFFIX}")))
        assert m is not None and m["status"] == "incomplete"
        _wait(lambda: not any(_alive(p) for p in family), 15, "the orphaned kernel to exit")
        # the report command refuses to present it
        target = next(out.glob(f"*{manifest.MANIFEST_SUFFIX}"))
        (out / target.name.replace(manifest.MANIFEST_SUFFIX, ".ipynb")).write_text(
            json.dumps({"cells": [], "metadata": {"papermill": {}}, "nbformat": 4,
                        "nbformat_minor": 5}))  # as papermill leaves a partial notebook
        assert main(["report", str(target)]) == 1
        assert "was killed before it finished" in capsys.readouterr().err
        assert not list(out.glob("*.html")) or "incomplete" in (out / "index.html").read_text()
    finally:
        _kill([proc.pid, *family])


def test_workers_stop_when_the_batch_parent_is_killed(tmp_path):
    make_notebook(tmp_path / "nbs")
    grid = tmp_path / "grid.yaml"
    grid.write_text("label: [a, b]\nnap: [120]\n")
    out = tmp_path / "reports"
    proc = subprocess.Popen([sys.executable, "-m", "smallcaps", "run", "10_sleepy", "--grid",
                             str(grid), "--jobs", "2", "--out", str(out), "--export", "none",
                             "--no-progress"], env=_env(tmp_path / "nbs"), cwd=tmp_path,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    family: set[int] = set()
    try:
        _wait(lambda: _running(out, 2), 90, "two running manifests")
        time.sleep(3)  # both kernels started
        family = _descendants(proc.pid)
        assert len(family) >= 4  # two workers, two kernels (and helpers)
        proc.kill()
        proc.wait(10)
        _wait(lambda: not any(_alive(p) for p in family), 20, "the workers and kernels to stop")
        assert {manifest.read(m)["status"] for m in out.glob(f"*{manifest.MANIFEST_SUFFIX}")} == {
            "incomplete"}
    finally:
        _kill([proc.pid, *family])


NOISE = ("Kernel is running over TCP", "KeyboardInterrupt caught", "[IPKernelApp]", "Warning",
         "WARNING", "Traceback")


def test_runs_print_no_kernel_noise(tmp_path):
    make_notebook(tmp_path / "nbs")
    make_notebook(tmp_path / "nbs", "11_sleepy.ipynb")
    out = tmp_path / "reports"
    env = _env(tmp_path / "nbs")
    one = subprocess.run([sys.executable, "-m", "smallcaps", "run", "10_sleepy", "--out", str(out),
                          "--export", "html"], env=env, cwd=tmp_path, capture_output=True,
                         text=True, timeout=300)
    assert one.returncode == 0, one.stderr
    batch = subprocess.run([sys.executable, "-m", "smallcaps", "run", "--all", "--jobs", "2",
                            "--out", str(out), "--export", "none"], env=env, cwd=tmp_path,
                           capture_output=True, text=True, timeout=300)
    assert batch.returncode == 0, batch.stderr
    for res in (one, batch):
        text = res.stdout + res.stderr
        assert not [n for n in NOISE if n in text], text
    # one progress bar (tqdm writes its refreshes as lines when stderr is not a terminal),
    # then the summary table
    lines = [ln for ln in batch.stderr.replace("\r", "\n").splitlines() if ln.strip()]
    assert lines and all(ln.startswith("notebooks:") for ln in lines), batch.stderr
    assert "notebooks: 100%" in lines[-1]
    assert "2 ok, 0 failed" in batch.stdout
    m = manifest.read(out / f"10_sleepy{manifest.MANIFEST_SUFFIX}")
    assert m is not None and m["status"] == "ok"


def test_the_executed_notebook_is_saved_sparsely_and_at_the_end(tmp_path, monkeypatch):
    # papermill alone rewrites the output at every cell start and end; the kit's engine
    # saves at most every SAVE_EVERY seconds and once at the end, failures included
    import papermill.engines

    from smallcaps.run import execute

    writes: list[str] = []
    real = papermill.engines.write_ipynb
    monkeypatch.setattr(papermill.engines, "write_ipynb",
                        lambda nb, path: (writes.append(path), real(nb, path)))
    nb = make_notebook(tmp_path / "nbs")
    r = execute.run(nb, {"label": "quick"}, tmp_path / "out", export=(), index=False)
    assert r.ok, r.error
    assert len(writes) <= 2  # three cells: papermill alone would write 7 times
    assert "slept quick" in r.executed.read_text()

    writes.clear()
    r = execute.run(nb, {"nap": 30.0}, tmp_path / "out2", export=(), index=False, timeout=3)
    assert r.status == "failed" and "Timeout" in (r.error or "")
    assert writes, "a timed-out run must still leave its notebook"
    done = json.loads(r.executed.read_text())
    assert done["metadata"]["papermill"]["end_time"] is not None
