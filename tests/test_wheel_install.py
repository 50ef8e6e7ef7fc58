"""Installs anywhere: a built wheel, in a fresh venv, runs a notebook from an unrelated folder.

Slow by nature: the fresh venv installs every dependency (from pip's local cache when it
holds them; about 1-3 minutes on the 2-core development machine, the notebook about 20 s).
Run it alone with ``pytest -m slow tests/test_wheel_install.py``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from conftest import SNAPSHOT

ROOT = Path(__file__).resolve().parents[1]

pytestmark = [pytest.mark.slow, pytest.mark.notebook, pytest.mark.snapshot]


def _clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("SMALLCAPS_", "VIRTUAL_ENV", "PYTHON", "JUPYTER"))}
    env["PATH"] = "/usr/bin:/bin"
    env.update(extra)
    return env


def test_wheel_in_a_fresh_venv_runs_a_notebook_from_an_unrelated_folder(tmp_path):
    if SNAPSHOT is None:
        pytest.skip("real data snapshot not found (SMALLCAPS_SNAPSHOT / ../shared/data)")
    dist = tmp_path / "dist"
    subprocess.run([sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "-q", "-w",
                    str(dist)], check=True, timeout=300, capture_output=True)
    wheel = next(dist.glob("smallcaps-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert "smallcaps/notebooks/01_breakout_ranges.ipynb" in names
    venv = tmp_path / "venv"
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    # --no-compile: pip byte-compiles every installed file (about half of the install's
    # CPU time, measured); the run below compiles only what it imports
    install = subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "-q",
                              "--no-compile", str(wheel)], capture_output=True, text=True,
                             timeout=900, env=_clean_env())
    assert install.returncode == 0, install.stderr[-2000:]
    print(f"fresh venv with the wheel and its dependencies: {time.perf_counter() - t0:.0f} s")
    elsewhere = tmp_path / "somewhere" / "else"
    elsewhere.mkdir(parents=True)
    res = subprocess.run([str(venv / "bin" / "smallcaps"), "run", "01_breakout_ranges", "--out",
                          "out", "--export", "html"], cwd=elsewhere, capture_output=True,
                         text=True, timeout=600,
                         env=_clean_env(SMALLCAPS_SNAPSHOT=str(SNAPSHOT),
                                        SMALLCAPS_CACHE=str(tmp_path / "cache")))
    assert res.returncode == 0, res.stdout + res.stderr
    m = json.loads((elsewhere / "out" / "01_breakout_ranges.manifest.json").read_text())
    assert m["status"] == "ok" and m["notebook"] == "01_breakout_ranges.ipynb"
    assert not m["synthetic"] and m["data"]
    assert (elsewhere / "out" / "01_breakout_ranges.html").is_file()
    assert str(ROOT) not in json.dumps(m)  # nothing came from the checkout
