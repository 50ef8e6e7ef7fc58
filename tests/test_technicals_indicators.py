"""Indicators against TA-Lib (the reference), on the real RUT history and on synthetic data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import smallcaps as sc
from smallcaps import technicals as T

talib = pytest.importorskip("talib")


def _synthetic(n: int = 3000, seed: int = 7) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    close = 100 * np.exp(np.cumsum(rng.normal(0, 0.012, n)))
    high = close * np.exp(np.abs(rng.normal(0, 0.006, n)))
    low = close * np.exp(-np.abs(rng.normal(0, 0.006, n)))
    idx = pd.bdate_range("2000-01-03", periods=n, name="date")
    return pd.DataFrame({"open": close, "high": high, "low": low, "close": close}, index=idx)


def _same(ours: pd.Series, ref: np.ndarray, tol: float = 1e-8) -> None:
    a = ours.to_numpy()
    assert np.array_equal(np.isnan(a), np.isnan(ref)), "warm-up (NaN) bars differ from TA-Lib"
    ok = ~np.isnan(ref)
    assert ok.sum() > 0
    np.testing.assert_allclose(a[ok], ref[ok], rtol=0, atol=tol)


@pytest.fixture(scope="module")
def rut() -> pd.DataFrame:
    from conftest import SNAPSHOT

    if SNAPSHOT is None:
        pytest.skip("real data snapshot not found")
    return sc.data.load("RUT")


@pytest.mark.snapshot
@pytest.mark.parametrize("window", [2, 14, 50, 200])
def test_equal_talib_on_whole_rut_history(rut, window):
    c = rut["close"].to_numpy()
    h, lo = rut["high"].to_numpy(), rut["low"].to_numpy()
    _same(T.sma(rut, window), talib.SMA(c, window))
    _same(T.ema(rut, window), talib.EMA(c, window))
    _same(T.rsi(rut, window), talib.RSI(c, window))
    _same(T.atr(rut, window), talib.ATR(h, lo, c, window))


@pytest.mark.snapshot
def test_rut_50_day_sma_on_2025_05_23(rut):
    assert round(T.sma(rut["close"], 50).loc["2025-05-23"]) == 1991


def test_wma_bollinger_macd_equal_talib():
    df = _synthetic()
    c = df["close"].to_numpy()
    for n in (3, 20, 75):
        _same(T.wma(df, n), talib.WMA(c, n), 1e-9)
    bb = T.bollinger(df, 20, 2.0)
    up, mid, lo = talib.BBANDS(c, 20, 2.0, 2.0)
    _same(bb["upper"], up, 1e-8)
    _same(bb["middle"], mid, 1e-9)
    _same(bb["lower"], lo, 1e-8)
    m = T.macd(df, 12, 26, 9)
    ref = talib.MACD(c, 12, 26, 9)
    for col, r in zip(("macd", "signal", "hist"), ref, strict=True):
        _same(m[col], r, 1e-9)


def test_true_range_equals_talib():
    df = _synthetic(500)
    _same(T.true_range(df), talib.TRANGE(df["high"].to_numpy(), df["low"].to_numpy(),
                                         df["close"].to_numpy()), 1e-12)


def test_leading_missing_values_are_skipped_like_talib():
    df = _synthetic(400)
    c = df["close"].copy()
    c.iloc[:30] = np.nan
    _same(T.ema(c, 10), talib.EMA(c.to_numpy(), 10), 1e-9)
    _same(T.rsi(c, 14), talib.RSI(c.to_numpy(), 14), 1e-9)
    _same(T.sma(c, 20), talib.SMA(c.to_numpy(), 20), 1e-9)


def test_rsi_by_hand_and_bounds():
    # Wilder's RSI by the textbook recursion, written out independently
    c = _synthetic(300)["close"]
    n = 14
    d = np.diff(c.to_numpy())
    g, l_ = np.clip(d, 0, None), np.clip(-d, 0, None)
    ag, al = g[:n].mean(), l_[:n].mean()
    expected = [100 * ag / (ag + al)]
    for t in range(n, len(d)):
        ag = (ag * (n - 1) + g[t]) / n
        al = (al * (n - 1) + l_[t]) / n
        expected.append(100 * ag / (ag + al))
    r = T.rsi(c, n)
    np.testing.assert_allclose(r.iloc[n:].to_numpy(), expected, atol=1e-9)
    assert r.dropna().between(0, 100).all()
    # a straight rise is 100, a straight fall 0, no change at all is 50 (documented)
    idx = pd.bdate_range("2020-01-01", periods=40)
    assert T.rsi(pd.Series(np.arange(40.0) + 10, idx), 14).iloc[-1] == pytest.approx(100)
    assert T.rsi(pd.Series(50 - np.arange(40.0), idx), 14).iloc[-1] == pytest.approx(0)
    assert T.rsi(pd.Series(np.full(40, 7.0), idx), 14).iloc[-1] == 50


def test_output_keeps_index_name_and_provenance():
    df = _synthetic(100)
    df.attrs["provenance"] = {"name": "X", "source": "test", "origin": "demo"}
    s = T.sma(df, 10)
    assert s.index.equals(df.index) and s.name == "sma_10"
    assert s.attrs["provenance"]["name"] == "X"
    assert T.atr(df, 5).name == "atr_5"


def test_inputs_are_not_mutated():
    df = _synthetic(200)
    before = df.copy()
    T.rsi(df, 14), T.atr(df, 14), T.macd(df), T.bollinger(df)
    pd.testing.assert_frame_equal(df, before)


@pytest.mark.parametrize("func, kwargs, match", [
    (T.sma, {"window": 50}, r"sma\(window=50\) needs at least 50 values; close has 30"),
    (T.ema, {"window": 31}, r"ema\(window=31\) needs at least 31 values; close has 30"),
    (T.rsi, {"window": 30}, r"rsi\(window=30\) needs at least 31 values; close has 30"),
    (T.sma, {"window": 0}, r"window=0: must be at least 1"),
    (T.macd, {"fast": 26, "slow": 12}, r"fast=26 must be shorter than slow=12"),
])
def test_clear_errors_on_short_or_bad_windows(func, kwargs, match):
    c = _synthetic(30)["close"]
    with pytest.raises(ValueError, match=match):
        func(c, **kwargs)


def test_clear_errors_on_bad_inputs():
    df = _synthetic(60)
    with pytest.raises(ValueError, match=r"atr\(window=14\) needs at least 15 bars; prices has 10"):
        T.atr(df.iloc[:10], 14)
    with pytest.raises(TypeError, match="window: expected an integer"):
        T.sma(df, 2.5)
    with pytest.raises(TypeError, match="expected a pandas Series or DataFrame"):
        T.sma([1.0, 2.0, 3.0], 2)
    gap = df["close"].copy()
    gap.iloc[40] = np.nan
    with pytest.raises(ValueError, match=r"1 missing or infinite value\(s\) inside the series "
                                         rf"\(first at {df.index[40]:%Y-%m-%d}\)"):
        T.ema(gap, 10)
    with pytest.raises(ValueError, match="missing column"):
        T.atr(df.drop(columns="high"), 14)
    with pytest.raises(ValueError, match="values must be numeric"):
        T.sma(pd.Series(["a"] * 30, index=df.index[:30]), 5)


@pytest.mark.parametrize(("column", "value", "message"), [
    ("high", np.nan, "column 'high' has 1 missing value"),
    ("low", np.inf, "infinite value"),
    ("close", -np.inf, "infinite value"),
])
def test_atr_rejects_missing_or_infinite_prices(column, value, message):
    idx = pd.bdate_range("2024-01-01", periods=30)
    c = np.linspace(100, 110, 30)
    df = pd.DataFrame({"high": c + 1, "low": c - 1, "close": c}, index=idx)
    assert T.atr(df, 14).iloc[-1] == pytest.approx(2.0)
    df.iloc[20, df.columns.get_loc(column)] = value
    with pytest.raises(ValueError, match=message):
        T.atr(df, 14)
