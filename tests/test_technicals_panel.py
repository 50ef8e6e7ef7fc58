"""Panel (2-D) detectors equal the per-symbol functions, symbol by symbol.

Two kinds of panels: synthetic ones with planted ranges, breakouts and gaps in the data
(missing days, late listings, early delistings), and a real sample of at least 100
Russell 2000 members from the snapshot (universe/prices_daily.parquet).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from smallcaps import relative
from smallcaps.technicals import ema, find_ranges, ma_crosses, new_highs, panel, rsi, sma


def _planted_symbol(rng: np.random.Generator, n: int, exit_dir: str) -> tuple[np.ndarray, int]:
    """Trend, then a 200-bar range (closes within +-4%), then a breakout: returns closes
    and the first bar of the breakout."""
    a = 100 * np.exp(np.cumsum(rng.normal(0.0015, 0.012, 300)))
    mid = a[-1]
    rng_part = mid * (1 + rng.uniform(-0.04, 0.04, 200))
    sign = 1 if exit_dir == "up" else -1
    brk = rng_part[-1] * np.exp(np.cumsum(sign * np.abs(rng.normal(0.02, 0.005, 40))))
    rest = brk[-1] * np.exp(np.cumsum(rng.normal(0, 0.02, n - 540)))
    return np.r_[a, rng_part, brk, rest], 500


def _synthetic_panel(seed: int = 7, n_sym: int = 12, n: int = 900):
    rng = np.random.default_rng(seed)
    idx = pd.bdate_range("2015-01-02", periods=n, name="date")
    closes, breaks = {}, {}
    for j in range(n_sym):
        c, b = _planted_symbol(rng, n, "up" if j % 2 == 0 else "down")
        closes[f"S{j:02d}"] = c
        breaks[f"S{j:02d}"] = b
    close = pd.DataFrame(closes, index=idx)
    high = close * (1 + rng.uniform(0.001, 0.02, close.shape))
    low = close * (1 - rng.uniform(0.001, 0.02, close.shape))
    # listed late, stopped early, holes inside; one symbol too short for a range
    for f in (close, high, low):
        f.iloc[:40, 1] = np.nan
        f.iloc[850:, 2] = np.nan
        f.iloc[[100, 101, 102, 650], 3] = np.nan
        f.iloc[:-100, 4] = np.nan
    return high, low, close, breaks


def _frame(high, low, close, sym):
    return pd.DataFrame({"high": high[sym], "low": low[sym], "close": close[sym]}).dropna()


def _assert_ranges_equal(got: pd.DataFrame, high, low, close, symbols, **kw):
    checked = 0
    for sym in symbols:
        fr = _frame(high, low, close, sym)
        if len(fr) < kw.get("min_bars", 120):
            assert sym in got.attrs["short"]
            continue
        ref = find_ranges(fr, **kw)
        mine = got[got["symbol"] == sym].drop(columns="symbol").reset_index(drop=True)
        pd.testing.assert_frame_equal(mine, ref, check_exact=True, check_dtype=False,
                                      obj=f"ranges of {sym}")
        checked += 1
    return checked


def test_panel_ranges_equal_per_symbol_and_find_planted_breakouts():
    high, low, close, breaks = _synthetic_panel()
    got = panel.find_ranges(high, low, close)
    assert _assert_ranges_equal(got, high, low, close, close.columns) == 11
    assert got.attrs["short"] == ["S04"]
    # the planted breakout: a range that exits in the planted direction within a few
    # bars of the planted break, known on or after its exit date
    for j, sym in enumerate(close.columns):
        if sym == "S04":
            continue
        r = got[(got["symbol"] == sym) & got["exit"].isin(["up", "down"])]
        planted = close.index[breaks[sym]]
        near = r[(r["exit_date"] - planted).abs() <= pd.Timedelta(days=10)]
        assert len(near) == 1, (sym, r)
        assert near["exit"].iloc[0] == ("up" if j % 2 == 0 else "down")
        assert (near["known_date"] >= near["exit_date"]).all()


@pytest.mark.parametrize("kw", [{"min_bars": 60, "max_width": 0.1, "coverage": 0.9},
                                {"confirm": 3, "retest_bars": 15, "tolerance": 0.02},
                                {"min_bars": 40, "flatness": 0.2, "coverage": 1.0}])
def test_panel_ranges_equal_per_symbol_with_other_parameters(kw):
    high, low, close, _ = _synthetic_panel(seed=3, n_sym=6)
    got = panel.find_ranges(high, low, close, chunk=4, **kw)
    assert _assert_ranges_equal(got, high, low, close, close.columns, **kw) >= 5


def test_panel_ranges_point_in_time():
    """Exits known by a date are the same when the panel is cut at that date."""
    high, low, close, _ = _synthetic_panel(seed=11, n_sym=6)
    full = panel.find_ranges(high, low, close)
    cut_at = close.index[700]
    cut = panel.find_ranges(high.loc[:cut_at], low.loc[:cut_at], close.loc[:cut_at])
    cols = ["symbol", "start", "end", "low", "high", "exit", "exit_date", "known_date"]
    known = full[full["known_date"] <= cut_at][cols].reset_index(drop=True)
    exits_cut = cut[cut["exit"] != "open"][cols].reset_index(drop=True)
    pd.testing.assert_frame_equal(exits_cut, known)
    assert len(known) >= 3


def _indicator_cases():
    return [
        ("sma", lambda c: panel.sma(c, 50), lambda s: sma(s, 50), 50),
        ("ema", lambda c: panel.ema(c, 20), lambda s: ema(s, 20), 20),
        ("rsi", lambda c: panel.rsi(c, 14), lambda s: rsi(s, 14), 15),
        ("high_252", lambda c: panel.new_highs(c, 252), lambda s: new_highs(s, 252), 2),
        ("low_252", lambda c: panel.new_lows(c, 252), lambda s: new_highs(-s, 252), 2),
        ("high_all", lambda c: panel.new_highs(c, None), lambda s: new_highs(s), 2),
    ]


def _assert_indicators_equal(close: pd.DataFrame) -> int:
    checked = 0
    for name, mine, ref, need in _indicator_cases():
        got = mine(close)
        assert got.shape == close.shape
        for sym in close.columns:
            s = close[sym].dropna()
            if len(s) < need:
                assert got[sym].isna().all() or not got[sym].any(), (name, sym)
                continue
            exp = ref(s).to_numpy()
            val = got[sym].reindex(s.index).to_numpy()
            assert np.array_equal(val, exp, equal_nan=True), (name, sym)
            checked += 1
            if got[sym].dtype == bool:  # nothing reported on days without a bar
                assert not got[sym][close[sym].isna()].any()
    return checked


def _assert_crosses_equal(close: pd.DataFrame) -> int:
    got = panel.ma_crosses(close, 50, 200)
    n = 0
    for sym in close.columns:
        s = close[sym].dropna()
        if len(s) < 200:
            assert not (got["symbol"] == sym).any()
            continue
        mine = got[got["symbol"] == sym].drop(columns="symbol").reset_index(drop=True)
        # dtype: the reference's string column is object when it has no rows
        pd.testing.assert_frame_equal(mine, ma_crosses(s, 50, 200), check_exact=True,
                                      check_dtype=False)
        n += len(mine)
    return n


def test_panel_indicators_and_crosses_equal_per_symbol():
    _, _, close, _ = _synthetic_panel()
    assert _assert_indicators_equal(close) >= 60
    assert _assert_crosses_equal(close) > 0
    state = panel.ma_state(close, (50, 200))
    for sym in ["S00", "S03"]:
        s = close[sym].dropna()
        assert state.loc[sym, "date"] == s.index[-1]
        assert state.loc[sym, "sma_200"] == sma(s, 200).iloc[-1]
        assert bool(state.loc[sym, "above_50"]) == (s.iloc[-1] > sma(s, 50).iloc[-1])
        cr = ma_crosses(s, 50, 200)
        assert state.loc[sym, "last_cross_date"] == cr["date"].iloc[-1]
    assert pd.isna(state.loc["S04", "sma_200"])  # 100 bars: no 200-day average


def _ns(frame: pd.DataFrame) -> pd.DataFrame:
    lv = frame.index.levels[0]
    return frame.set_axis(frame.index.set_levels(lv.as_unit("ns"), level=0))


def _assert_rotation_equal(close: pd.DataFrame, bench: pd.Series, **kw) -> int:
    got = panel.rotation(close, bench, **kw)
    latest = got.latest()
    pd.testing.assert_frame_equal(panel.rotation_latest(close, bench, **kw), latest)
    n = 0
    for sym in close.columns:
        if sym in got.short:
            with pytest.raises(ValueError):
                relative.rotation({sym: close[sym].dropna()}, bench, **kw)
            assert sym not in latest.index
            continue
        ref = relative.rotation({sym: close[sym].dropna()}, bench, **kw)
        pd.testing.assert_frame_equal(_ns(got.to_frame([sym])), _ns(ref.frame), check_exact=True)
        cols = ["date", "rs_ratio", "rs_momentum", "quadrant"]
        assert latest.loc[sym, cols].tolist() == ref.latest().loc[sym, cols].tolist()
        path = ref.path(sym, 10_000)
        spell = path["quadrant"].ne(path["quadrant"].shift()).cumsum()
        assert latest.loc[sym, "quadrant_since"] == path.index[spell == spell.iloc[-1]][0]
        assert latest.loc[sym, "previous_quadrant"] == path["quadrant"].iloc[-2]
        n += 1
    return n


@pytest.mark.parametrize("kw", [{}, {"frequency": "daily", "window": 20, "lag": 3},
                                {"frequency": "monthly", "window": 6, "lag": 2, "smooth": 1}])
def test_panel_rotation_equals_per_symbol(kw):
    _, _, close, _ = _synthetic_panel(n=1300)
    rng = np.random.default_rng(5)
    bench = pd.Series(100 * np.exp(np.cumsum(rng.normal(0.0003, 0.01, len(close)))),
                      index=close.index, name="BENCH").iloc[5:]  # benchmark starts later
    assert _assert_rotation_equal(close, bench, **kw) >= 8
    latest = panel.rotation(close, bench, **kw).latest()
    assert set(latest["quadrant"]) <= {"leading", "weakening", "lagging", "improving"}


def test_panel_inputs_are_checked():
    _, _, close, _ = _synthetic_panel(n_sym=5)
    bad = close.copy()
    bad.iloc[500, 1] = -1.0
    with pytest.raises(ValueError, match=r"not finite and above zero.*S01.*2016"):
        panel.find_ranges(bad, bad, bad)
    with pytest.raises(TypeError, match="wide DataFrame"):
        panel.sma(close["S00"], 10)
    with pytest.raises(ValueError, match="same dates and symbols"):
        panel.find_ranges(close.iloc[:-1], close, close)
    with pytest.raises(ValueError, match="duplicate dates"):
        panel.rsi(pd.concat([close.iloc[:3], close.iloc[2:]]))


# --------------------------------------------------------------------------- real data


@pytest.fixture(scope="module")
def real_sample(snapshot_dir):
    """110 members of 2023-12-29, read with the kit's panel loader (whole history)."""
    from smallcaps import universe

    members = universe.members("russell2000", as_of="2023-12-29", snapshot=snapshot_dir)
    pick = sorted(np.random.default_rng(18).choice(members, 130, replace=False))
    p = universe.load_panel(pick, fields=["high", "low", "close"], snapshot=snapshot_dir)
    have = [s for s in pick if s not in p.missing][:110]
    return {f: p.frames[f][have] for f in ("high", "low", "close")}


@pytest.mark.snapshot
def test_panel_equals_per_symbol_on_real_members(real_sample, snapshot_dir):
    h, lo, c = real_sample["high"], real_sample["low"], real_sample["close"]
    assert c.shape[1] >= 100
    got = panel.find_ranges(h, lo, c)
    assert _assert_ranges_equal(got, h, lo, c, c.columns) >= 100
    assert (got["exit"] == "up").sum() > 20
    assert _assert_indicators_equal(c) >= 600
    assert _assert_crosses_equal(c) > 50
    iwm = pd.read_csv(snapshot_dir / "market" / "IWM.csv", index_col="date", parse_dates=True)
    assert _assert_rotation_equal(c, iwm["close"].rename("IWM")) >= 100


@pytest.mark.parametrize("how, kw", [("mean", {}), ("std", {"ddof": 0}), ("sum", {})])
def test_windows_over_all_rows_at_once_equal_pandas_on_each_row(how, kw):
    # one window call over rows laid end to end must give pandas' numbers for each row
    # bit for bit (no window crosses into the next row, running sums start afresh there)
    rng = np.random.default_rng(11)
    for s, t, n in ((1, 5, 5), (7, 40, 3), (23, 300, 26), (5, 30, 31)):
        x = rng.normal(size=(s, t)).cumsum(axis=1) * rng.choice([1e-3, 1.0, 300.0])
        x[rng.random((s, t)) < 0.07] = np.nan
        x[0, t // 2:] = np.nan  # a short row (the padding of a packed panel)
        if t > 5:
            x[-1, :5] = 3.0  # constant stretch: a zero deviation stays exactly zero
        got = panel._rolling_rows(x, n, how, **kw)
        for j in range(s):
            ref = getattr(pd.Series(x[j]).rolling(n, min_periods=n), how)(**kw).to_numpy()
            np.testing.assert_array_equal(got[j], ref)
