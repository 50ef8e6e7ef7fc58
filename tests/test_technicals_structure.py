"""One answer per question: the latest range and the nearest levels as of a date.

``sc.technicals.key_levels`` scans the whole history up to ``as_of``; the briefing and
notebook 01 both call it, so they agree, and the answer does not depend on where the
data given to it starts or on rows after ``as_of``.
"""

from __future__ import annotations

import pandas as pd
import pytest

import smallcaps as sc
from smallcaps import briefing

T = sc.technicals

CASES = [("RUT", "2025-05-23"), ("RUT", "2024-11-29"), ("SPX", "2020-03-31"),
         ("NDX", "2021-03-26"), ("IWM", "2008-12-31")]


def _frame(kl: T.KeyLevels) -> tuple:
    r = kl.latest_range
    rng = None if r is None else (r["start"], r["low"], r["high"], r["exit"], r["exit_date"])
    sup = None if kl.support is None else kl.support["level"]
    res = None if kl.resistance is None else kl.resistance["level"]
    return rng, sup, res


def test_planted_range_and_levels_on_demo_data():
    prices = sc.demo.series("RUT")
    kl = T.key_levels(prices)
    assert kl.as_of == prices.index[-1]
    assert len(kl.ranges) >= 1 and kl.latest_range is not None
    assert kl.support is None or kl.support["level"] < kl.close
    assert kl.resistance is None or kl.resistance["level"] > kl.close
    assert (kl.levels["last_touch"] >= kl.levels_from).all() or kl.levels.empty
    assert "as of" in kl.describe()


def test_as_of_ignores_later_rows_and_earlier_start_does_not_matter():
    prices = sc.demo.series("RUT")
    d = prices.index[len(prices) * 2 // 3]
    full = T.key_levels(prices, as_of=d)
    cut = T.key_levels(prices.loc[:d])
    assert _frame(full) == _frame(cut)
    pd.testing.assert_frame_equal(full.ranges, cut.ranges)
    pd.testing.assert_frame_equal(full.levels, cut.levels)


def test_short_history_gives_no_range_not_an_error():
    prices = sc.demo.series("RUT").iloc[:60]
    kl = T.key_levels(prices)
    assert kl.ranges.empty and kl.latest_range is None


def test_bad_inputs_are_named():
    prices = sc.demo.series("RUT")
    with pytest.raises(ValueError, match="key_levels needs at least 3 bars on or before"):
        T.key_levels(prices, as_of="1900-01-01")
    with pytest.raises(ValueError, match="level_years"):
        T.key_levels(prices, level_years=0)
    with pytest.raises(TypeError, match="prices"):
        T.key_levels(prices["close"].to_numpy())


@pytest.mark.snapshot
@pytest.mark.parametrize("symbol, as_of", CASES)
def test_briefing_and_key_levels_agree(snapshot_dir, symbol, as_of):
    prices = sc.data.load(symbol)
    kl = T.key_levels(prices, as_of=as_of)
    note = briefing.build({symbol: prices}, as_of=as_of)
    facts = note.facts
    for kind, row in (("support", kl.support), ("resistance", kl.resistance)):
        if row is None:
            assert f"{kind}_level" not in facts
        else:
            assert facts[f"{kind}_level"].value == pytest.approx(row["level"], rel=1e-12)
    r = kl.latest_range
    if r is not None and r["end"] >= kl.as_of - pd.DateOffset(years=3):
        assert facts["range_low"].value == pytest.approx(r["low"], rel=1e-12)
        assert facts["range_high"].value == pytest.approx(r["high"], rel=1e-12)
        if r["exit"] != "open":
            assert facts["range_exit_date"].value == f"{r['exit_date']:%Y-%m-%d}"
    # the answer does not depend on where the data starts (the old briefing scanned
    # ranges from three years back and levels from two)
    late = T.key_levels(prices.loc[pd.Timestamp(as_of) - pd.DateOffset(years=12):], as_of=as_of)
    assert _frame(late)[1:] == _frame(kl)[1:]


@pytest.mark.snapshot
def test_rut_may_2025_one_answer(snapshot_dir):
    """The case of the issue: briefing and notebook 01 said different ranges and levels."""
    kl = T.key_levels(sc.data.load("RUT"), as_of="2025-05-23")
    r = kl.latest_range
    note = briefing.weekly_briefing("2025-05-23", ["RUT"])
    assert note.facts["range_low"].value == pytest.approx(r["low"])
    assert note.facts["range_high"].value == pytest.approx(r["high"])
    assert note.facts["support_level"].value == pytest.approx(kl.support["level"])
    assert note.facts["resistance_level"].value == pytest.approx(kl.resistance["level"])
