"""Every notebook answers every question of the sweep matrix (see tests/sweep.py).

One test per notebook found in ``notebooks/``, so new notebooks join automatically.
Each prints what every parameter set cost. The demo-data run of every notebook also
checks the SYNTHETIC DEMO DATA label (this replaced one full papermill run per
notebook that checked only the label).
"""

from __future__ import annotations

import os

import pytest

from conftest import NOTEBOOKS, SNAPSHOT

pytestmark = [pytest.mark.notebook, pytest.mark.sweep]

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
def test_notebook_answers_every_parameter_set(name, capsys):
    """Without the snapshot only the demo-data run is possible (and still checked)."""
    import sweep

    env = {**os.environ, "SMALLCAPS_STRICT": "1"}
    env.pop("MPLBACKEND", None)
    todo = sweep.cases(NOTEBOOKS / name)
    if SNAPSHOT is None:
        todo = [c for c in todo if c.label == "demo data"]
    outcomes = sweep.run(NOTEBOOKS / name, env, todo)
    with capsys.disabled():
        total = sum(o.seconds for o in outcomes)
        print(f"\nsweep {name}: {len(outcomes)} sets in {total:.1f} s")
        for o in outcomes:
            print(f"  {o.status:<8}{o.seconds:6.1f} s  {o.case.label}"
                  + (f"  ({o.detail.splitlines()[0][:120]})" if o.status == "refused" else ""))
    by_label = {o.case.label: o for o in outcomes}
    if "2022-01-01 to 2025-03-18" in by_label:  # the short-interest case of issue 12
        assert ("No short-interest reports between 2022-01-01 and 2025-03-18: this data covers "
                "2020-11-30 to 2021-06-30.") in by_label["2022-01-01 to 2025-03-18"].text
    if "RUT as of 2025-05-23" in by_label:  # one answer: the same as the library's
        import smallcaps as sc

        kl = sc.technicals.key_levels(sc.data.load("RUT"), as_of="2025-05-23")
        assert kl.describe() in by_label["RUT as of 2025-05-23"].text
    failed = [f"{o.case.label} {o.case.params}: {o.detail}" for o in outcomes if o.status == "failed"]
    assert not failed, "\n\n".join(failed)
    assert sum(o.status == "ok" for o in outcomes) >= max(1, len(outcomes) // 2)
