"""Every notebook answers every question of the sweep matrix (see tests/sweep.py).

One test per notebook found in ``notebooks/``, so new notebooks join automatically.
Each prints what every parameter set cost (``-s`` shows it).
"""

from __future__ import annotations

import os

import pytest

from conftest import NOTEBOOKS

pytestmark = [pytest.mark.notebook, pytest.mark.sweep, pytest.mark.snapshot]

ALL = sorted(p.name for p in NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))


def test_sweep_matrix_covers_the_issue_list():
    import sweep

    labels = {c.label for c in sweep.cases(NOTEBOOKS / "01_breakout_ranges.ipynb")}
    for want in ("two months", "before 2000", "2008 crash", "2020 crash", "end in the past",
                 "smallest window", "largest window", "demo data", "symbol=VIX"):
        assert want in labels, want
    briefing = {c.label for c in sweep.cases(NOTEBOOKS / "05_weekly_briefing.ipynb")}
    assert "as_of in the past" in briefing and "as_of 2008 crash" in briefing


@pytest.mark.parametrize("name", ALL)
def test_notebook_answers_every_parameter_set(name, snapshot_dir, capsys):
    import sweep

    env = {**os.environ, "SMALLCAPS_STRICT": "1"}
    env.pop("MPLBACKEND", None)
    outcomes = sweep.run(NOTEBOOKS / name, env)
    with capsys.disabled():
        total = sum(o.seconds for o in outcomes)
        print(f"\nsweep {name}: {len(outcomes)} sets in {total:.1f} s")
        for o in outcomes:
            print(f"  {o.status:<8}{o.seconds:6.1f} s  {o.case.label}"
                  + (f"  ({o.detail.splitlines()[0][:120]})" if o.status == "refused" else ""))
    failed = [f"{o.case.label} {o.case.params}: {o.detail}" for o in outcomes if o.status == "failed"]
    assert not failed, "\n\n".join(failed)
    assert sum(o.status == "ok" for o in outcomes) >= len(outcomes) // 2
