"""Batches fork their kernels from one pre-imported process, and nothing else changes.

A forked kernel must behave as a launched one: the run's own environment, folder and
process group, figures through the inline backend, interrupts and timeouts; a zygote
that is off, missing or refuses means a kernel launched the usual way.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from smallcaps import run as runner
from smallcaps.run import kernels, zygote

PY = sys.executable

# what the kernel reports about itself: was the kit already imported when it started
# (forked from the zygote), its parent, folder, per-run log variable and process group
# (names and hashes only: the runner takes local folders out of the executed notebook)
PROBE = """\
import hashlib, json, os, sys
print("PROBE", json.dumps({
    "preloaded": "smallcaps.regimes" in sys.modules,
    "ppid": os.getppid(), "pid": os.getpid(), "pgid": os.getpgid(0),
    "cwd": os.path.basename(os.getcwd()),
    "log": hashlib.sha256(os.environ["SMALLCAPS_PROVENANCE_LOG"].encode()).hexdigest(),
    "backend": os.environ.get("MPLBACKEND")}))
"""
FIGURE = "import matplotlib.pyplot as plt\nfig, ax = plt.subplots()\nax.plot([1, 2, 3])"


@pytest.mark.parametrize("cmd, ok", [
    ([PY, "-m", "ipykernel_launcher", "-f", "k.json"], True),
    ([PY, "-Xfrozen_modules=off", "-m", "ipykernel_launcher", "-f", "k.json"], True),
    ([PY, "-m", "ipykernel", "-f", "k.json"], False),  # another module
    ([PY, "-m", "ipykernel_launcher", "-f", "k.json", "--debug"], False),  # extra arguments
    (["R", "--slave", "-e", "IRkernel::main()", "k.json"], False),
    ([PY, "script.py", "-m", "ipykernel_launcher", "-f", "k.json"], False),
])
def test_only_a_plain_ipykernel_command_is_forkable(cmd, ok):
    assert zygote.forkable(cmd) is ok
    assert (zygote.interpreter(cmd) is not None) is ok


def test_the_zygote_forks_only_for_its_own_interpreter_and_options():
    cmd = [PY, "-Xfrozen_modules=off", "-m", "ipykernel_launcher", "-f", "k.json"]
    assert zygote.interpreter(cmd) == [PY, "-Xfrozen_modules=off"]
    assert zygote.forkable(cmd, [PY, "-Xfrozen_modules=off"])
    assert not zygote.forkable(cmd, [PY])  # other options: another interpreter setup
    assert not zygote.forkable(cmd, ["/usr/bin/false", "-Xfrozen_modules=off"])


def test_no_zygote_is_a_clear_oserror_in_bounded_time(tmp_path):
    with pytest.raises(OSError, match="no kernel zygote"):
        zygote.fork_kernel(str(tmp_path / "none.sock"), [PY, "-m", "ipykernel_launcher", "-f",
                                                         "k.json"], {}, str(tmp_path), wait=0.2)


def test_a_zygote_that_cannot_start_is_given_up_at_once(tmp_path):
    # an interpreter that exits at once: launches must not wait the full minute for it
    cmd = [PY, "-m", "ipykernel_launcher", "-f", "k.json"]
    with zygote.started([sys.executable, "-c", "raise SystemExit(3)"]) as sock:
        assert sock is not None
        t0 = time.monotonic()
        with pytest.raises(OSError, match="has exited"):
            zygote.fork_kernel(sock, cmd, {}, str(tmp_path), wait=60)
        assert time.monotonic() - t0 < 20


def _probe_notebooks(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name in ("a", "b"):
        nb = new_notebook(cells=[
            new_code_cell('label: str = "x"  # label', metadata={"tags": ["parameters"]}),
            new_code_cell(PROBE), new_code_cell(FIGURE)],
            metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                     "language": "python"}})
        paths.append(folder / f"{name}.ipynb")
        nbformat.write(nb, str(paths[-1]))
    return paths


def _probes(result) -> tuple[dict, int]:
    nb = nbformat.read(result.executed, as_version=4)
    text = "".join(o.get("text", "") for c in nb.cells for o in c.get("outputs", []))
    images = sum("image/png" in o.get("data", {}) or "image/svg+xml" in o.get("data", {})
                 for c in nb.cells for o in c.get("outputs", []))
    line = next(ln for ln in text.splitlines() if ln.startswith("PROBE "))
    return json.loads(line[len("PROBE "):]), images


@pytest.mark.notebook
@pytest.mark.skipif(not hasattr(os, "fork"), reason="POSIX fork")
@pytest.mark.parametrize("setting, forked", [("", True), ("0", False)])
def test_a_batch_forks_its_kernels_unless_switched_off(tmp_path, monkeypatch, setting, forked):
    monkeypatch.setenv("SMALLCAPS_ZYGOTE", setting)
    monkeypatch.delenv("SMALLCAPS_SNAPSHOT", raising=False)
    monkeypatch.setenv("SMALLCAPS_DEMO", "1")
    sockets: list[str | None] = []
    real_started = zygote.started

    @contextlib.contextmanager
    def recorded(*args, **kwargs):
        with real_started(*args, **kwargs) as sock:
            sockets.append(sock)
            yield sock

    monkeypatch.setattr(zygote, "started", recorded)
    specs = [runner.prepare(p) for p in _probe_notebooks(tmp_path / "nbs")]
    batch = runner.run_batch(specs, tmp_path / "out", jobs=1, export=(), progress=False)
    assert batch.ok, [r.error for r in batch.results]
    assert len(sockets) == (1 if forked else 0)
    for sock in sockets:  # the zygote's folder goes with the batch
        assert sock is not None and not Path(sock).parent.exists()
    probes = [_probes(r) for r in batch.results]
    for probe, images in probes:
        assert probe["preloaded"] is forked
        assert images == 1  # the inline backend shows the figure in a forked kernel too
        assert probe["cwd"] == "nbs"  # the notebook's folder
        assert probe["pgid"] == probe["pid"]  # its own group: interrupts reach only it
        assert probe["backend"] == zygote.INLINE_BACKEND
    assert probes[0][0]["log"] != probes[1][0]["log"]  # each run has its own environment
    if forked:  # both are children of the one zygote, not of this process
        assert probes[0][0]["ppid"] == probes[1][0]["ppid"] != os.getpid()


@pytest.mark.notebook
@pytest.mark.skipif(not hasattr(os, "fork"), reason="POSIX fork")
def test_a_forked_kernel_is_timed_out_and_stopped(tmp_path, monkeypatch):
    monkeypatch.delenv("SMALLCAPS_SNAPSHOT", raising=False)
    monkeypatch.setenv("SMALLCAPS_DEMO", "1")
    folder = tmp_path / "nbs"
    paths = _probe_notebooks(folder)
    nb = nbformat.read(paths[1], as_version=4)
    nb.cells.append(new_code_cell("import time\ntime.sleep(600)"))
    nbformat.write(nb, str(paths[1]))
    specs = [runner.prepare(p) for p in paths]
    batch = runner.run_batch(specs, tmp_path / "out", jobs=1, export=(), progress=False,
                             timeout=5)
    ok, slow = batch.results
    assert ok.status == "ok" and slow.status == "failed"
    assert "timed out" in (slow.error or "").lower() or "timeout" in (slow.error or "").lower()
    probe, _ = _probes(slow)
    assert probe["preloaded"]
    with pytest.raises(ProcessLookupError):  # the runner stopped the forked kernel
        os.kill(probe["pid"], 0)


def test_kernel_python_reads_the_kernelspec():
    assert kernels.kernel_python("no-such-kernel-here") is None
    assert kernels.kernel_python("python3") is not None


WARM_CHECK = """
import json
import pandas as pd
import smallcaps as sc
from smallcaps.breadth import kernel as B
from smallcaps.run import zygote
from smallcaps.technicals import _panel_kernels as K

compiled = [K.window_stats, K.scan, K.new_extremes, B._kernel]
zygote._warm_compiled()
warmed = [len(d.signatures) for d in compiled]
members = sc.universe.membership("russell2000").members("2023-06-30")[:60]
sc.universe.scan(members, "2023-06-30", benchmark="IWM")
sc.breadth.breadth("russell2000", start="2023-03-01", end="2023-06-30")
print(json.dumps({"warmed": warmed, "after": [len(d.signatures) for d in compiled]}))
"""


def test_the_zygote_loads_the_compiled_kernels_that_real_runs_call(snapshot_dir):
    # the warm-up's tiny synthetic panel must reach every compiled kernel with the argument
    # types of real runs: a scan and breadth of members afterwards add no signature
    env = {**os.environ, "SMALLCAPS_SNAPSHOT": str(snapshot_dir)}
    out = subprocess.run([PY, "-c", WARM_CHECK], capture_output=True, text=True, timeout=300,
                         env=env)
    assert out.returncode == 0, out.stderr
    got = json.loads(out.stdout.strip().splitlines()[-1])
    assert all(n >= 1 for n in got["warmed"]), got
    assert got["after"] == got["warmed"], got


def test_the_run_command_starts_its_zygote_before_importing_pandas():
    # `smallcaps run --all` starts the batch's zygote first, so that its imports overlap the
    # command's own: parsing the command and finding the kernelspec's interpreter stay light
    code = ("import sys\n"
            "from smallcaps.cli import build_parser\n"
            "from smallcaps.run import kernels\n"
            "build_parser('run').parse_args(['run', '--all', '--jobs', '2'])\n"
            "kernels.kernel_python(kernels.kernel_name())\n"
            "print(sorted(m for m in ('pandas', 'numpy', 'smallcaps.data') if m in sys.modules))")
    out = subprocess.run([PY, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().splitlines()[-1] == "[]"
