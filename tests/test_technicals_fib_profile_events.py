"""Fibonacci levels, volume profile and bar events: planted answers and real facts."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import smallcaps as sc
from smallcaps import technicals as T


def _bars(rows) -> pd.DataFrame:
    """Frame from (high, low, close[, volume]) rows."""
    rows = [tuple(r) + (1000.0,) * (4 - len(r)) for r in rows]
    h, lo, c, v = (np.array(x, dtype=float) for x in zip(*rows, strict=True))
    idx = pd.bdate_range("2024-01-01", periods=len(h), name="date")
    return pd.DataFrame({"open": c, "high": h, "low": lo, "close": c, "volume": v}, index=idx)


@pytest.fixture(scope="module")
def rut() -> pd.DataFrame:
    from conftest import SNAPSHOT

    if SNAPSHOT is None:
        pytest.skip("real data snapshot not found")
    return sc.data.load("RUT")


# -- Fibonacci -------------------------------------------------------------------------

def test_fib_retracements_both_directions():
    down = T.fib_retracements(200.0, 100.0, move="down")
    assert list(down["level"]) == pytest.approx([123.6, 138.2, 150.0, 161.8, 178.6])
    assert list(down.index) == ["23.6%", "38.2%", "50.0%", "61.8%", "78.6%"]
    up = T.fib_retracements(200.0, 100.0, move="up")
    assert list(up["level"]) == pytest.approx([176.4, 161.8, 150.0, 138.2, 121.4])
    ext = T.fib_extensions(200.0, 100.0, move="up")
    assert ext.loc["161.8%", "level"] == pytest.approx(261.8)
    assert T.fib_extensions(200.0, 100.0, move="down").loc["127.2%", "level"] == \
        pytest.approx(72.8)
    with pytest.raises(ValueError, match="high=100.0 must be above low=200.0"):
        T.fib_retracements(100.0, 200.0)
    with pytest.raises(ValueError, match="move='sideways'"):
        T.fib_retracements(2.0, 1.0, move="sideways")


@pytest.mark.snapshot
def test_fib_swing_on_rut_2025(rut):
    fib = T.fib_swing(rut, "2024-11-01", "2025-04-30")
    assert fib.attrs["move"] == "down"
    assert fib.attrs["high_date"].startswith("2024-11-25")
    assert fib.attrs["low_date"].startswith("2025-04-09")
    assert fib.loc["50.0%", "level"] == pytest.approx((2466.49 + 1732.99) / 2)


# -- volume profile ------------------------------------------------------------------------

def test_volume_profile_planted_poc_and_value_area():
    # 10 bars trading 99-101 with heavy volume, 10 bars spread 90-110 with light volume
    rows = [(101.0, 99.0, 100.0, 1e6)] * 10 + [(110.0, 90.0, 100.0, 1e4)] * 10
    vp = T.volume_profile(_bars(rows), bins=20)
    assert vp.basis == "volume" and vp.note is None
    assert 99 <= vp.poc <= 101
    assert vp.value_area_low >= 98 and vp.value_area_high <= 102
    hist = vp.histogram
    assert hist["weight"].sum() == pytest.approx(10 * 1e6 + 10 * 1e4)  # volume conserved
    assert hist["share"].sum() == pytest.approx(1.0)
    # the value area holds at least 70% and is the smallest run of bins grown from the POC
    inside = hist[(hist["mid"] > vp.value_area_low) & (hist["mid"] < vp.value_area_high)]
    assert inside["share"].sum() >= 0.70


def test_volume_profile_time_fallback_and_errors():
    rows = [(101.0, 99.0, 100.0, np.nan)] * 5 + [(111.0, 109.0, 110.0, np.nan)] * 15
    df = _bars(rows)
    df.attrs["provenance"] = {"name": "RUT", "source": "test", "origin": "demo"}
    vp = T.volume_profile(df, bins=12)
    assert vp.basis == "time"
    assert "RUT has no volume (an index): time at price" in vp.note
    assert 109 <= vp.poc <= 111  # 15 of 20 bars there
    assert vp.histogram["weight"].sum() == pytest.approx(20)
    with pytest.raises(ValueError, match="RUT has no volume between 2024-01-01 and 2024-01-26"):
        T.volume_profile(df, basis="volume")
    with pytest.raises(ValueError, match="needs at least 2 bars; prices has 0"):
        T.volume_profile(df, start="2030-01-01")
    with pytest.raises(ValueError, match="basis='ticks'"):
        T.volume_profile(df, basis="ticks")


@pytest.mark.snapshot
def test_iwm_profile_uses_volume_and_rut_time(rut):
    iwm = sc.data.load("IWM")
    assert T.volume_profile(iwm, "2024-01-01", "2024-12-31").basis == "volume"
    assert T.volume_profile(rut, "2024-01-01", "2024-12-31").basis == "time"


# -- events --------------------------------------------------------------------------------

def test_gaps_outside_days_key_reversals_planted():
    df = _bars([
        (101, 99, 100),   # 0
        (102, 100, 101),  # 1
        (106, 104, 105),  # 2 gap up over 102..104
        (106.5, 104.5, 105.5),  # 3 low 104.5 > 102: the gap is still open
        (108, 101, 107),  # 4 outside day, close up: bullish; trades into 102..104: filled
        (106, 104, 105),  # 5
        (103, 100, 100.5),  # 6 gap down? high 103 < low 104: yes
        (109, 99, 99.5),  # 7 outside day, close down: bearish; new 5-bar high, close below prev
    ])
    g = T.gaps(df)
    assert list(g["kind"]) == ["gap_up", "gap_down"]
    assert g["date"].iloc[0] == df.index[2] and g["gap"].iloc[0] == pytest.approx(104 / 102 - 1)
    assert (g["zone_low"].iloc[0], g["zone_high"].iloc[0]) == (102, 104)
    assert g["filled"].iloc[0] == df.index[4]
    assert g["filled"].iloc[1] == df.index[7]  # high 109 trades back above 104
    od = T.outside_days(df)
    assert list(zip(od["date"], od["kind"], strict=True)) == [
        (df.index[4], "bullish_outside"), (df.index[7], "bearish_outside")]
    kr = T.key_reversals(df, lookback=5)
    assert list(zip(kr["date"], kr["kind"], strict=True)) == [
        (df.index[7], "bearish_key_reversal")]


def test_ma_crosses_and_order_planted():
    idx = pd.bdate_range("2020-01-01", periods=60, name="date")
    c = pd.Series(np.r_[np.linspace(100, 80, 30), np.linspace(80, 120, 30)], index=idx)
    cr = T.ma_crosses(c, 5, 20)
    assert list(cr["kind"]) == ["bullish_cross"]
    d = cr["date"].iloc[0]
    f, s = T.sma(c, 5), T.sma(c, 20)
    assert f.loc[d] > s.loc[d] and f.shift(1).loc[d] <= s.shift(1).loc[d]
    mo = T.ma_order(c, (5, 10, 20))
    assert mo["order"].iloc[29] == "20 > 10 > 5" and mo["bearish"].iloc[29]
    assert mo["order"].iloc[-1] == "5 > 10 > 20" and mo["bullish"].iloc[-1]
    assert mo["order"].iloc[10] == ""  # before the 20-day average exists
    with pytest.raises(ValueError, match="fast=20 must be shorter than slow=5"):
        T.ma_crosses(c, 20, 5)


def test_new_highs():
    idx = pd.bdate_range("2020-01-01", periods=7, name="date")
    c = pd.Series([10, 12, 11, 12, 13, 9, 12.5], index=idx)
    assert list(T.new_highs(c)) == [False, True, False, False, True, False, False]
    # 3-day: above both previous closes (a tie is not a new high; bar 1 lacks history)
    assert list(T.new_highs(c, 3)) == [False, False, False, False, True, False, False]


@pytest.mark.snapshot
def test_rut_events_2025(rut):
    ev = T.events(rut, start="2025-01-01", end="2025-06-30")
    assert ev["date"].between("2025-01-01", "2025-06-30").all()
    assert ev["date"].is_monotonic_increasing
    death = ev[ev["event"] == "death_cross"]
    assert len(death) == 1
    d = death["date"].iloc[0]
    s50, s200 = T.sma(rut, 50), T.sma(rut, 200)
    assert s50.loc[d] < s200.loc[d] and s50.shift(1).loc[d] >= s200.shift(1).loc[d]
    # 2025-04-09: the low of the selloff, then an 8.7% up day engulfing the day before
    apr9 = set(ev.loc[ev["date"] == "2025-04-09", "event"])
    assert {"bullish_outside", "bullish_key_reversal"} <= apr9
    # the 50-day under the 100 under the 200 on 2025-05-23
    assert T.ma_order(rut).loc["2025-05-23", "order"] == "200 > 100 > 50"
    ath = T.new_highs(rut)
    assert ath.loc["2024-11-25"] == (rut["close"].loc["2024-11-25"]
                                     > rut["close"].loc[:"2024-11-22"].max())
