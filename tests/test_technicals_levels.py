"""Support/resistance, round numbers, breakevens, level tests, ranges and trendlines."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import smallcaps as sc
from smallcaps import technicals as T


def _ohlc(close, spread: float = 0.003) -> pd.DataFrame:
    c = np.asarray(close, dtype=float)
    idx = pd.bdate_range("2015-01-05", periods=len(c), name="date")
    return pd.DataFrame({"open": c, "high": c * (1 + spread), "low": c * (1 - spread),
                         "close": c, "volume": np.full(len(c), 1e6)}, index=idx)


@pytest.fixture(scope="module")
def rut() -> pd.DataFrame:
    from conftest import SNAPSHOT

    if SNAPSHOT is None:
        pytest.skip("real data snapshot not found")
    return sc.data.load("RUT")


# -- support and resistance -------------------------------------------------------------

def _bounces(lo: float, hi: float, cycles: int, bars: int = 10) -> np.ndarray:
    legs = []
    for _ in range(cycles):
        legs.append(np.linspace(lo, hi, bars, endpoint=False))
        legs.append(np.linspace(hi, lo, bars, endpoint=False))
    return np.concatenate(legs + [[lo]])


def test_support_resistance_finds_planted_levels():
    # price bounces between 100 and 120 four times, then rises to 150
    c = np.r_[_bounces(100, 120, 4), np.linspace(100, 150, 30)[1:]]
    df = _ohlc(c, spread=0.0)
    lv = T.support_resistance(df, pct=0.1, tolerance=0.01)
    top = lv[lv["role"] == "support"].sort_values("touches", ascending=False)
    assert list(np.round(top["level"].iloc[:2])) in ([120, 100], [100, 120])
    assert set(top["touches"].iloc[:2]) == {4, 5}  # 4 peaks at 120, 5 troughs at 100
    at120 = top[np.isclose(top["level"], 120)].iloc[0]
    assert at120["highs"] == 4 and at120["lows"] == 0
    assert at120["last_touch"] == df.index[70]
    assert (lv["distance"] < 0).all()  # last close 150 is above every level


def test_support_resistance_errors():
    df = _ohlc(np.linspace(100, 110, 50))
    with pytest.raises(ValueError, match="tolerance=0.9: must be in"):
        T.support_resistance(df, tolerance=0.9)
    with pytest.raises(ValueError, match="swings: needs columns date, price, kind"):
        T.support_resistance(df, swings=pd.DataFrame({"x": [1]}))


def test_round_numbers():
    r = T.round_numbers(2047.3)
    assert list(r["level"]) == [1900, 2000, 2100, 2200]
    assert list(r["side"]) == ["below", "below", "above", "above"]
    assert list(T.round_numbers(212.4, count=1)["level"]) == [210, 220]
    assert list(T.round_numbers(5010, step=250, count=1)["level"]) == [5000, 5250]
    with pytest.raises(ValueError, match="must be a positive number"):
        T.round_numbers(-3)


def test_breakeven_levels():
    idx = pd.bdate_range("2023-12-27", "2024-03-29", name="date")
    c = pd.Series(np.linspace(100, 130, len(idx)), index=idx)
    be = T.breakeven_levels(c, dates=["2024-02-01"])
    assert list(be["date"]) == [pd.Timestamp("2023-12-29"), pd.Timestamp("2024-01-01"),
                                pd.Timestamp("2024-02-01")]
    assert be["level"].iloc[0] == c.loc["2023-12-29"]
    assert be["distance"].iloc[2] == pytest.approx(130 / c.loc["2024-02-01"] - 1)
    with pytest.raises(ValueError, match="2024-02-03 is not a trading day"):
        T.breakeven_levels(c, dates=["2024-02-03"])


def test_level_test_counts_by_hand():
    c = np.array([98, 99, 101, 102, 99, 100.5, 103, 97], dtype=float)
    df = _ohlc(c, spread=0.0)
    df["high"] = df["close"] + 1.0
    df["low"] = df["close"] - 1.0
    t = T.level_test(df, 100.0)
    # ranges [c-1, c+1] that include 100: closes 99, 101, 99, 100.5 -> 4 sessions
    assert t.crossed == 4
    assert (t.closes_above, t.closes_below) == (4, 4)
    assert t.close_flips == 4  # below, above, below, above, below
    assert (t.first_cross, t.last_cross) == (df.index[1], df.index[5])
    assert "crossed intraday in 4 of 8 sessions" in t.describe()
    assert t.to_frame()["crossed"].iloc[0] == 4


def test_level_far_outside_the_data_is_refused():
    df = _ohlc(np.linspace(1700, 1900, 100))
    with pytest.raises(ValueError, match=r"level 21,000.00 is far outside the prices .* "
                                         r"check the symbol and the units"):
        T.level_test(df, 21000)
    with pytest.raises(ValueError, match="level=nan: must be a positive number"):
        T.level_test(df, float("nan"))
    untouched = T.level_test(df, 2000)
    assert untouched.crossed == 0 and "not touched" in untouched.describe()


@pytest.mark.snapshot
def test_rut_2100_crossed_again_and_again_in_may_2025(rut):
    t = T.level_test(rut, 2100, "2025-05-12", "2025-05-23")
    hand = ((rut["low"] <= 2100) & (rut["high"] >= 2100)).loc["2025-05-12":"2025-05-23"].sum()
    assert t.crossed == hand >= 4
    assert t.closes_above >= 1 and t.closes_below >= 1


# -- trading ranges ------------------------------------------------------------------------

def test_find_ranges_on_a_planted_box():
    rng = np.random.default_rng(1)
    trend_in = np.linspace(60, 100, 80)
    box = 100 * (1 + 0.04 * np.sin(np.arange(150) / 5) + rng.normal(0, 0.004, 150))
    out = 104 * np.exp(np.cumsum(np.full(60, 0.01)))
    df = _ohlc(np.r_[trend_in, box, out])
    r = T.find_ranges(df, min_bars=60, max_width=0.12, coverage=0.95)
    assert len(r) == 1
    row = r.iloc[0]
    assert row["exit"] == "up"
    assert abs(df.index.get_loc(row["exit_date"]) - 230) <= 3
    assert 0.93 * 100 < row["low"] < 0.98 * 100 and 1.02 * 100 < row["high"] < 1.06 * 100
    # it may take in the last few closes of the approach (5% may lie outside), no more
    assert 64 <= df.index.get_loc(row["start"]) <= 80
    assert row["bars"] >= 140 and row["coverage"] >= 0.95


def test_find_ranges_open_range_and_retest():
    box = 50 * (1 + 0.03 * np.sin(np.arange(120) / 4))
    df = _ohlc(box)
    r = T.find_ranges(df, min_bars=40, max_width=0.1)
    assert list(r["exit"]) == ["open"] and pd.isna(r["exit_date"].iloc[0])
    # breakout down then a rally back to the broken floor within the retest window
    c = np.r_[box, np.linspace(47, 40, 6), np.linspace(40, 48.3, 8), np.full(20, 46.0)]
    r2 = T.find_ranges(_ohlc(c), min_bars=40, max_width=0.1, tolerance=0.01)
    row = r2.iloc[0]
    assert row["exit"] == "down"
    idx = _ohlc(c).index
    # the box's last trough may already be under the 85% band: the exit run starts there
    assert 116 <= idx.get_loc(row["exit_date"]) <= 120
    # the retest is on the rebound (bars 126-133), when the high gets within 1% of the floor
    k = idx.get_loc(row["retest_date"])
    assert 126 <= k <= 133 and _ohlc(c)["high"].iloc[k] >= row["low"] * 0.99
    assert _ohlc(c)["high"].iloc[k - 1] < row["low"] * 0.99


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_find_ranges_recovers_demo_ranges(seed):
    mk = sc.demo.market(seed=seed)
    df = mk["SMALL"]
    found = T.find_ranges(df, min_bars=60, max_width=0.15, coverage=0.9)
    for pr in mk.truth.ranges:
        # a detected range overlapping most of the planted one...
        ov = [(min(r.end, pr.end) - max(r.start, pr.start)).days for r in found.itertuples()]
        j = int(np.argmax(ov))
        r = found.iloc[j]
        planted_days = (pr.end - pr.start).days
        assert ov[j] >= 0.75 * planted_days
        # ...leaving it the way it was planted, within a few bars
        assert r["exit"] == pr.exit
        lag = df.index.get_loc(r["exit_date"]) - df.index.get_loc(pr.exit_date)
        assert -8 <= lag <= 2
        # with a band about the planted one (it may take in a few closes from before it)
        assert r["low"] >= pr.low * 0.98 and r["high"] <= pr.high * 1.035
        assert r["width"] >= 0.5 * (pr.high / pr.low - 1)
    # no detected range holds both the bulk of a planted range and its exit move
    for pr in mk.truth.ranges:
        x = df.index.get_loc(pr.exit_date)
        assert not ((found["start"] <= pr.start + (pr.end - pr.start) / 2)
                    & (found["end"] >= df.index[x + 3])).any()


@pytest.mark.snapshot
def test_rut_2022_2024_range_breaks_out_up(rut):
    r = T.find_ranges(rut, start="2022-01-01", end="2024-12-31")
    hit = r[(r["exit"] == "up") & (r["exit_date"] >= "2023-11-01")
            & (r["exit_date"] <= "2024-01-31")]
    assert len(hit) == 1
    row = hit.iloc[0]
    assert 1650 <= row["low"] <= 1750 and 1850 <= row["high"] <= 2000
    assert row["bars"] >= 250  # more than a year of trading
    inside = rut["close"].loc[row["start"]:row["end"]].between(1700, 1900).mean()
    assert inside > 0.6


def test_find_ranges_errors():
    df = _ohlc(np.linspace(100, 101, 30))
    with pytest.raises(ValueError, match=r"find_ranges\(min_bars=60\) needs at least 60 bars; "
                                         r"prices has 30"):
        T.find_ranges(df, min_bars=60)
    with pytest.raises(ValueError, match="coverage=0.2: must be in"):
        T.find_ranges(df, min_bars=10, coverage=0.2)
    with pytest.raises(ValueError, match="missing column"):
        T.find_ranges(df.drop(columns="low"), min_bars=10)


# -- trendlines ----------------------------------------------------------------------------

@pytest.mark.parametrize("seed", [0, 1, 2])
def test_trendline_recovers_demo_lines(seed):
    mk = sc.demo.market(seed=seed)
    df = mk["SMALL"]
    for tl in mk.truth.trendlines:
        end = df.index[df.index.get_loc(tl.break_date) + 20]
        line = T.trendline(df, "lower_highs", start=tl.start, end=end)
        assert line.anchors[0] == tl.start
        assert line.slope == pytest.approx(tl.slope, rel=0.05)
        for d in tl.touches:
            assert line.value_at(d) == pytest.approx(tl.value_at(d), rel=0.01)
            assert np.abs((line.touches - d).days).min() <= 14
        lag = df.index.get_loc(line.break_date) - df.index.get_loc(tl.break_date)
        assert -2 <= lag <= 0
        assert len(line.touches) >= len(tl.touches)


def test_trendline_exact_on_a_planted_log_line():
    n = 200
    t = np.arange(n)
    line = 100 * np.exp(-0.002 * t)
    peaks = (t % 40 == 0)
    c = line * np.exp(-0.05 * (1 - np.cos(2 * np.pi * t / 40)) / 2 - 0.01)
    df = _ohlc(c, spread=0.0)
    df["high"] = np.where(peaks, line, c * 1.002)
    df["low"] = c * 0.995
    brk = np.r_[c[-1] * np.exp(np.linspace(0.01, 0.12, 15))]
    full = pd.concat([df, _ohlc(brk).set_axis(pd.bdate_range(df.index[-1] + pd.offsets.BDay(),
                                                              periods=15, name="date"))])
    tl = T.trendline(full)
    assert tl.anchors[0] == full.index[0]
    assert tl.slope == pytest.approx(-0.002, abs=1e-9)
    assert list(tl.touches) == list(full.index[:n][peaks])
    assert tl.value_at(full.index[120]) == pytest.approx(line[120])
    assert tl.break_date is not None and tl.break_date > full.index[n - 1]
    # off the data: extrapolated by business days
    future = full.index[-1] + pd.offsets.BDay(10)
    pos = len(full) - 1 + 10
    assert tl.value_at(future) == pytest.approx(100 * np.exp(-0.002 * pos))
    assert tl.channel_at(full.index[20]) < tl.value_at(full.index[20])
    s = tl.values()
    assert s.index.equals(full.index) and s.iloc[40] == pytest.approx(line[40])


def test_trendline_higher_lows_linear():
    n = 105  # ends mid-cycle, away from the line
    t = np.arange(n)
    base = 50 + 0.2 * t
    c = base + 3 * (1 - np.cos(2 * np.pi * t / 30)) / 2 + 0.5
    df = _ohlc(c, spread=0.0)
    df["low"] = np.where(t % 30 == 0, base, c - 0.2)
    df["high"] = c + 0.2
    tl = T.trendline(df, "higher_lows", scale="linear")
    assert tl.slope == pytest.approx(0.2)
    assert tl.value_at(df.index[90]) == pytest.approx(base[90])
    assert tl.break_date is None and len(tl.touches) == 4


def test_trendline_errors():
    df = _ohlc(np.linspace(100, 120, 40))
    with pytest.raises(ValueError, match="needs at least 10 bars; prices has 3"):
        T.trendline(df, start=df.index[0], end=df.index[2])
    with pytest.raises(ValueError, match="no lower highs line: the highest high of the window is"):
        T.trendline(df)
    with pytest.raises(ValueError, match="kind='flat'"):
        T.trendline(df, kind="flat")
    with pytest.raises(ValueError, match="anchor 2015-01-10 is not a trading day"):
        T.trendline(df, anchor="2015-01-10")


def test_rally_slopes_match_statsmodels_ols():
    sm = pytest.importorskip("statsmodels.api")
    rng = np.random.default_rng(3)
    c = 100 * np.exp(np.cumsum(rng.normal(0.001, 0.01, 300)))
    df = _ohlc(c)
    out = T.rally_slopes(df, {"a": (df.index[0], df.index[99]), "b": (df.index[150],
                                                                     df.index[299])})
    for label, (s, e) in {"a": (0, 100), "b": (150, 300)}.items():
        y = np.log(c[s:e])
        fit = sm.OLS(y, sm.add_constant(np.arange(len(y)))).fit()
        assert out.loc[label, "slope_per_bar"] == pytest.approx(np.expm1(fit.params[1]))
        assert out.loc[label, "r2"] == pytest.approx(fit.rsquared)
    assert out.loc["b", "vs_first"] == pytest.approx(out.loc["b", "slope_per_bar"]
                                                     / out.loc["a", "slope_per_bar"])


@pytest.mark.snapshot
def test_find_ranges_is_point_in_time(rut):
    # each exit is found, identically, from the data up to its known_date alone
    r = T.find_ranges(rut)
    closed = r[r["exit"] != "open"]
    assert len(closed) >= 10
    assert (closed["known_date"] >= closed["exit_date"]).all()
    for row in closed.iloc[-8:].itertuples():
        again = T.find_ranges(rut.loc[:row.known_date])
        same = again[again["start"] == row.start]
        assert len(same) == 1
        got = same.iloc[0]
        assert (got["exit"], got["exit_date"], got["known_date"]) == (
            row.exit, row.exit_date, row.known_date)


def test_trendline_double_bottom_anchors_on_the_second_low():
    n = 60
    t = np.arange(n)
    base = 100.05 * np.exp(0.01 * (t - 12))
    close = base * 1.04
    df = _ohlc(close, spread=0.0)
    df["high"] = close * 1.01
    df["low"] = np.where((t >= 12) & ((t - 12) % 10 == 0), base, close * 0.99)
    df.loc[df.index[:12], "low"] = 103.0
    df.loc[df.index[10], "low"] = 100.0  # the lowest low, two bars before a near-equal one
    tl = T.trendline(df, "higher_lows")
    assert tl.anchors[0] == df.index[12]
    assert tl.slope == pytest.approx(0.01)
    assert len(tl.touches) == 5  # bars 12, 22, 32, 42, 52
    # an explicit anchor is kept as given
    with pytest.raises(ValueError, match="no higher lows line from"):
        T.trendline(df, "higher_lows", anchor=df.index[10], tolerance=0.001)


@pytest.mark.parametrize("seed", [0, 1])
def test_support_resistance_finds_demo_range_edges(seed):
    mk = sc.demo.market(seed=seed)
    df = mk["SMALL"]
    for pr in mk.truth.ranges:
        lv = T.support_resistance(df, start=pr.start, end=pr.end, pct=0.04)
        top = lv.iloc[np.argmin(np.abs(lv["level"] / pr.high - 1))]
        bottom = lv.iloc[np.argmin(np.abs(lv["level"] / pr.low - 1))]
        assert top["level"] == pytest.approx(pr.high, rel=0.02) and top["highs"] >= 2
        assert bottom["level"] == pytest.approx(pr.low, rel=0.02) and bottom["lows"] >= 2


def test_trendline_on_a_series_uses_it_for_high_low_and_close():
    mk = sc.demo.market(seed=1)
    tl_true = mk.truth.trendlines[0]
    df = mk["SMALL"]
    end = df.index[df.index.get_loc(tl_true.break_date) + 20]
    on_highs = T.trendline(df["high"], start=tl_true.start, end=end)
    assert on_highs.anchors[0] == tl_true.start
    assert on_highs.slope == pytest.approx(tl_true.slope, rel=0.05)


def test_trendline_prefers_a_long_line_to_a_steep_short_one():
    # a long, shallow line touched at bars 0, 100, 200, 300; early on a steep burst of
    # lower highs (bars 3..15) offers a short line with more touches on daily noise
    n = 360
    t = np.arange(n)
    line = 100 * np.exp(-0.0005 * t)
    c = line * 0.93
    df = _ohlc(c, spread=0.0)
    df["low"] = c * 0.99
    high = c * 1.002
    high[t % 100 == 0] = line[t % 100 == 0]
    steep = (t >= 3) & (t <= 15) & (t % 3 == 0)
    high[steep] = line[0] * np.exp(-0.004 * t[steep])
    df["high"] = high
    tl = T.trendline(df)
    assert tl.slope == pytest.approx(-0.0005, abs=1e-9)
    assert set(df.index[t % 100 == 0]) <= set(tl.touches)
    with pytest.raises(ValueError, match="min_span=1.5"):
        T.trendline(df, min_span=1.5)


def test_trendline_touched_once_is_an_error():
    # one peak, then a steady decline far below: any line through it has one touch
    c = np.r_[np.linspace(100, 110, 20), np.linspace(108, 60, 80)]
    df = _ohlc(c, spread=0.0)
    with pytest.raises(ValueError, match="touched once"):
        T.trendline(df)


@pytest.mark.snapshot
@pytest.mark.parametrize("freq", ["daily", "weekly"])
def test_rut_spx_ratio_line_of_lower_highs_2014_2021(snapshot_dir, freq):
    rut = sc.data.load("RUT", start="2014-01-01")["close"]
    spx = sc.data.load("SPX", start="2014-01-01")["close"]
    ratio = (rut / spx).dropna().loc[:"2026-08-21"]
    if freq == "weekly":
        ratio = ratio.resample("W-FRI").last().dropna()
    tl = T.trendline(ratio)
    assert tl.anchors[0].year == 2014 and tl.anchors[0].month == 3
    assert tl.anchors[1].year == 2021 and tl.anchors[1] <= pd.Timestamp("2021-03-19")
    assert len(tl.touches) >= 3
    # the line is the envelope of the highs: no close of the ratio above it before 2021-03
    seg = ratio.loc[:"2021-03-01"]
    assert (seg.to_numpy() <= tl.values(seg.index).to_numpy() * 1.005 + 1e-12).all()
