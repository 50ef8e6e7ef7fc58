"""Units follow the bar frequency: a slope on weekly bars is per week, not per day."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import smallcaps as sc
from smallcaps._core.frequency import bar_unit, per_month

T = sc.technicals


def _line(index: pd.DatetimeIndex, step: float) -> pd.DataFrame:
    """Log-linear closes growing ``step`` per bar, with swings large enough that a line of
    lower highs touches several of them (a line touched once is refused)."""
    n = len(index)
    c = 100 * np.exp(step * np.arange(n) + 0.03 * np.sin(np.arange(n) / 3.0))
    return pd.DataFrame({"open": c, "high": c * 1.001, "low": c * 0.999, "close": c}, index=index)


@pytest.mark.parametrize("freq, unit, per", [("B", "day", 21.0), ("W-FRI", "week", 52 / 12),
                                             ("ME", "month", 1.0), ("QE", "quarter", 1 / 3)])
def test_bar_unit_from_the_dates(freq, unit, per):
    idx = pd.date_range("2001-01-01", periods=200, freq=freq)
    assert bar_unit(idx) == unit
    assert per_month(idx) == pytest.approx(per)


def test_bar_unit_survives_holidays_and_rejects_non_dates():
    idx = pd.date_range("2001-01-05", periods=100, freq="W-FRI")
    holiday_week = idx.delete([10, 11]).append(pd.DatetimeIndex(["2001-03-15"])).sort_values()
    assert bar_unit(holiday_week) == "week"
    with pytest.raises(TypeError, match="DatetimeIndex"):
        bar_unit(pd.RangeIndex(5))


@pytest.mark.parametrize("freq, word", [("B", "a day"), ("W-FRI", "a week"), ("ME", "a month")])
def test_trendline_slope_is_described_per_bar_of_the_data(freq, word):
    idx = pd.date_range("2005-01-01", periods=150, freq=freq)
    df = _line(idx, -0.002)
    tl = T.trendline(df, "lower_highs")
    assert tl.bar == word.split()[-1]
    assert f"% {word}," in tl.describe()
    other = {"a day", "a week", "a month"} - {word}
    assert not any(o in tl.describe() for o in other)


def test_trendline_extrapolates_weekly_bars_by_weeks():
    idx = pd.date_range("2005-01-07", periods=150, freq="W-FRI")
    tl = T.trendline(_line(idx, -0.002), "lower_highs")
    last = idx[-1]
    one_bar = tl.value_at(last + pd.Timedelta(weeks=1)) / tl.value_at(last)
    assert one_bar == pytest.approx(np.exp(tl.slope), rel=1e-9)


@pytest.mark.parametrize("freq, unit, bars_per_month", [("B", "day", 21.0),
                                                        ("W-FRI", "week", 52 / 12),
                                                        ("ME", "month", 1.0)])
def test_rally_slopes_per_bar_and_per_month_follow_the_frequency(freq, unit, bars_per_month):
    idx = pd.date_range("2005-01-07", periods=120, freq=freq)
    c = pd.Series(100 * np.exp(0.003 * np.arange(120)), index=idx)
    out = T.rally_slopes(c, {"all": (idx[0], idx[-1])})
    assert out.attrs["bar"] == unit
    assert out.loc["all", "slope_per_bar"] == pytest.approx(np.expm1(0.003))
    assert out.loc["all", "slope_per_month"] == pytest.approx(np.expm1(0.003 * bars_per_month))
    assert "slope_per_day" not in out.columns
