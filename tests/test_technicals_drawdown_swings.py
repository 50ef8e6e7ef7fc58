"""Drawdowns, pullbacks and swing points: planted answers, then real RUT facts."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import smallcaps as sc
from smallcaps import technicals as T


def _frame(close, spread: float = 0.0) -> pd.DataFrame:
    c = np.asarray(close, dtype=float)
    idx = pd.bdate_range("2021-01-04", periods=len(c), name="date")
    return pd.DataFrame({"open": c, "high": c * (1 + spread), "low": c * (1 - spread),
                         "close": c}, index=idx)


def _path(*legs: tuple[float, int], start: float = 100.0) -> np.ndarray:
    """Piecewise-linear closes: each leg goes to a level in so many bars."""
    out = [start]
    for level, bars in legs:
        out.extend(np.linspace(out[-1], level, bars + 1)[1:])
    return np.array(out)


@pytest.fixture(scope="module")
def rut() -> pd.DataFrame:
    from conftest import SNAPSHOT

    if SNAPSHOT is None:
        pytest.skip("real data snapshot not found")
    return sc.data.load("RUT")


# -- drawdown ---------------------------------------------------------------------------

def test_drawdown_close_and_intraday_by_hand():
    df = _frame([100, 110, 99, 88, 120, 114])
    dd = T.drawdown(df)
    np.testing.assert_allclose(dd, [0, 0, 99 / 110 - 1, 88 / 110 - 1, 0, 114 / 120 - 1])
    df2 = df.assign(high=df["close"] + 5, low=df["close"] - 5)
    ddi = T.drawdown(df2, "intraday")
    assert ddi.iloc[3] == pytest.approx(83 / 115 - 1)
    assert T.run_up(df, start=df.index[3]).iloc[-2] == pytest.approx(120 / 88 - 1)


def test_pullback_episodes_planted():
    c = _path((120, 10), (96, 8), (125, 12), (118, 3), (140, 10), (105, 10))
    eps = T.pullbacks(_frame(c), threshold=0.10)
    assert list(eps["peak"]) == [120, 140]  # the 5.6% dip from 125 is below the threshold
    assert eps["depth"].iloc[0] == pytest.approx(-0.2)
    assert eps["trough_date"].iloc[0] == _frame(c).index[18]
    # the rebound 96 -> 125 climbs 29/12 a bar from bar 18: back to 120 after 10 bars
    assert eps["recovery_date"].iloc[0] == _frame(c).index[28]
    assert eps["bars_to_recover"].iloc[0] == 18
    assert pd.isna(eps["recovery_date"].iloc[1]) and eps["depth"].iloc[1] == pytest.approx(-0.25)


def test_level_below_high():
    c = _frame([100, 130, 125, 110, 120])
    lv = T.level_below_high(c, 0.10)
    assert (lv.high, lv.level, lv.high_date) == (130, pytest.approx(117), c.index[1])
    assert lv.distance == pytest.approx(120 / 117 - 1)
    assert "10% below" in lv.describe()
    assert T.level_below_high(c, 0.2, as_of=c.index[0]).level == pytest.approx(80)
    with pytest.raises(ValueError, match="pct=1.5: must be in"):
        T.level_below_high(c, 1.5)
    with pytest.raises(ValueError, match="before the first bar"):
        T.level_below_high(c, 0.1, as_of="1990-01-01")


def test_drawdown_errors():
    with pytest.raises(ValueError, match="basis='intraday' needs a price frame"):
        T.drawdown(_frame([1.0, 2.0])["close"], "intraday")
    with pytest.raises(ValueError, match="basis='weekly': must be 'close' or 'intraday'"):
        T.drawdown(_frame([1.0, 2.0]), "weekly")


@pytest.mark.snapshot
def test_rut_drawdown_and_rally_2024_2025(rut):
    # acceptance: -29.7% from the 2024-11-25 intraday high 2466.49 to the 2025-04-09 low
    # 1732.99, then +22.0% to the 2025-05-16 high 2114.95
    dd = T.drawdown(rut, "intraday")
    assert round(dd.loc["2025-04-09"], 3) == -0.297
    assert dd.loc["2024-11-25":"2025-05-16"].idxmin() == pd.Timestamp("2025-04-09")
    eps = T.pullbacks(rut, 0.2, "intraday")
    ep = eps[eps["peak_date"] == "2024-11-25"].iloc[0]
    assert (ep["peak"], ep["trough"]) == (2466.49, 1732.99)
    assert ep["trough_date"] == pd.Timestamp("2025-04-09") and round(ep["depth"], 3) == -0.297
    up = T.run_up(rut, "intraday", start="2025-04-09")
    assert round(up.loc["2025-05-16"], 3) == 0.220
    sw = T.swing_points(rut.loc["2025-02":"2025-07"], method="fractal", bars=10)
    hi = sw[sw["date"] == "2025-05-16"].iloc[0]
    assert hi["kind"] == "high" and hi["price"] == 2114.95 and round(hi["change"], 3) == 0.220


# -- swing points -------------------------------------------------------------------------

def test_zigzag_recovers_planted_pivots():
    c = _path((120, 10), (108, 6), (115, 4), (90, 10), (130, 15))  # 108->115 is only +6.5%
    df = _frame(c)
    sw = T.swing_points(df, pct=0.08, basis="close")
    assert list(sw["kind"]) == ["low", "high", "low", "high"]
    assert list(sw["price"]) == [100, 120, 90, 130]
    assert list(sw["date"]) == [df.index[0], df.index[10], df.index[30], df.index[45]]
    # a high is confirmed on the first bar 8% below it
    conf = sw["confirmed"].iloc[1]
    first_below = df.index[np.argmax((df["close"].to_numpy() <= 120 * 0.92)
                                     & (np.arange(len(df)) > 10))]
    assert conf == first_below
    assert pd.isna(sw["confirmed"].iloc[-1])  # last pivot is provisional
    assert sw["change"].iloc[2] == pytest.approx(-0.25)
    # with 5% the 108 -> 115 swing appears
    assert len(T.swing_points(df, pct=0.05, basis="close")) == 6


def test_zigzag_wide_bar_order_of_high_and_low():
    # a down leg ends on a bar that makes the low and rallies to close near the high
    c = _path((80, 10), start=100.0)
    df = _frame(np.r_[c, 90.0])
    df.loc[df.index[-1], ["open", "high", "low", "close"]] = [79.0, 91.0, 75.0, 90.0]
    sw = T.swing_points(df, pct=0.10)
    assert list(sw["kind"][-2:]) == ["low", "high"]
    assert sw["date"].iloc[-2] == df.index[-1] and sw["price"].iloc[-2] == 75.0
    # the same bar closing near its low: the high came first, no turn yet
    df.loc[df.index[-1], ["open", "close"]] = [90.0, 76.0]
    sw2 = T.swing_points(df, pct=0.10)
    assert sw2["kind"].iloc[-1] == "low" and pd.isna(sw2["confirmed"].iloc[-1])


def test_fractals_planted():
    c = np.array([5, 6, 7, 6, 5, 4, 3, 4, 5, 6, 5, 4, 5], dtype=float)
    df = _frame(c)
    sw = T.swing_points(df, method="fractal", bars=2, basis="close")
    assert list(zip(sw["date"], sw["kind"], strict=True)) == [
        (df.index[2], "high"), (df.index[6], "low"), (df.index[9], "high")]
    assert list(sw["confirmed"]) == [df.index[4], df.index[8], df.index[11]]
    with pytest.raises(ValueError, match="need at least 11 bars; prices has 5"):
        T.swing_points(df.iloc[:5], method="fractal", bars=5)


def test_swing_errors():
    df = _frame(np.linspace(1, 2, 20))
    with pytest.raises(ValueError, match="method='wave'"):
        T.swing_points(df, method="wave")
    with pytest.raises(ValueError, match="pct=0: must be in"):
        T.swing_points(df, pct=0)
    with pytest.raises(ValueError, match="dates are not in ascending order"):
        T.swing_points(df.iloc[::-1])


def test_swings_on_demo_trendline_touches():
    mk = sc.demo.market(seed=3)
    df = mk["SMALL"]
    tl = mk.truth.trendlines[0]
    sw = T.swing_points(df.loc[tl.start:tl.end], pct=0.04)
    highs = sw[sw["kind"] == "high"]
    for d in tl.touches:  # every planted touch is a zig-zag swing high within two weeks,
        near = highs.iloc[np.argmin(np.abs((highs["date"] - d).dt.days))]
        assert abs((near["date"] - d).days) <= 14
        line = tl.value_at(near["date"])  # at (never above) the planted line
        assert line * 0.99 <= near["price"] <= line * (1 + 1e-9)
