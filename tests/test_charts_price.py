"""The candlestick chart: overlays, averages on the full history, weekly bars, labels."""

from __future__ import annotations

import matplotlib
import numpy as np
import pandas as pd
import pytest

import smallcaps as sc
from smallcaps import technicals as T

matplotlib.use("Agg")


@pytest.fixture(scope="module")
def demo() -> sc.demo.DemoMarket:
    return sc.demo.market(seed=0)


def _close(fig):
    import matplotlib.pyplot as plt

    plt.close(fig)


def test_candles_with_every_overlay_on_demo(demo):
    df = demo["SMALL"]
    tl_true = demo.truth.trendlines[0]
    start = tl_true.start - pd.Timedelta(days=60)
    end = tl_true.break_date + pd.Timedelta(days=60)
    rg = T.find_ranges(df, min_bars=60)
    tl = T.trendline(df, start=tl_true.start, end=end)
    vp = T.volume_profile(df, start, end)
    ev = T.events(df, start=start, end=end)
    fig = sc.charts.candles(df, start, end, mas=(50, 200), levels={"pivot": 1000.0},
                            ranges=rg, trendlines=tl, fib=T.fib_swing(df, start, end),
                            profile=vp, events=ev, rsi=14)
    try:
        assert isinstance(fig, matplotlib.figure.Figure)
        assert getattr(fig, "_smallcaps_finished", False)
        texts = " ".join(t.get_text() for t in fig.texts)
        assert "SYNTHETIC DEMO DATA" in texts
        ax = fig.axes[0]
        labels = ax.get_legend_handles_labels()[1]
        for want in ("50-day SMA", "200-day SMA", "trendline (lower highs)", "trendline break",
                     "point of control"):
            assert any(want in lab for lab in labels), want
        # the profile sits in its own axes titled by its basis
        assert any(a.get_title() == "volume" for a in fig.axes)
        # volume and RSI panels exist: main + volume + rsi (+ twins) + profile
        assert len(fig.axes) >= 4
    finally:
        _close(fig)


def test_moving_averages_computed_on_full_history(demo):
    df = demo["SMALL"]
    start, end = df.index[300], df.index[420]
    fig = sc.charts.candles(df, start, end, mas=(200,))
    try:
        line = next(ln for ln in fig.axes[0].get_lines() if len(ln.get_ydata()) == 121)
        y = np.asarray(line.get_ydata(), dtype=float)
        expected = T.sma(df, 200).loc[start:end].to_numpy()
        np.testing.assert_allclose(y, expected)
        assert np.isfinite(y[0])  # defined from the first bar shown
    finally:
        _close(fig)


def test_weekly_bars_by_hand():
    idx = pd.bdate_range("2024-01-01", "2024-01-19", name="date")  # three Mon-Fri weeks
    c = np.arange(len(idx), dtype=float) + 10
    df = pd.DataFrame({"open": c - 0.5, "high": c + 1, "low": c - 1, "close": c,
                       "volume": np.ones(len(idx))}, index=idx)
    df = df.drop(pd.Timestamp("2024-01-19"))  # a week ending on Thursday
    w = sc.charts.weekly_bars(df)
    assert list(w.index) == [pd.Timestamp("2024-01-05"), pd.Timestamp("2024-01-12"),
                             pd.Timestamp("2024-01-18")]
    assert list(w["open"]) == [9.5, 14.5, 19.5]
    assert list(w["high"]) == [15, 20, 24]
    assert list(w["low"]) == [9, 14, 19]
    assert list(w["close"]) == [14, 19, 23]
    assert list(w["volume"]) == [5, 5, 4]


def test_weekly_chart_and_index_without_volume(demo):
    df = demo["SMALL"].assign(volume=np.nan)
    fig = sc.charts.candles(df, df.index[-400], None, weekly=True, mas=(10, 40), log=True)
    try:
        assert "weekly candles" in fig.axes[0].get_title(loc="left")
        assert fig.axes[0].get_yscale() == "log"
    finally:
        _close(fig)
    with pytest.raises(ValueError, match="volume=True but .* has no volume"):
        sc.charts.candles(df, df.index[-50], None, mas=(), volume=True)


@pytest.mark.snapshot
def test_rut_chart_has_real_provenance():
    rut = sc.data.load("RUT")
    fig = sc.charts.candles(rut, "2025-01-01", "2025-05-23", profile=T.volume_profile(
        rut, "2025-01-01", "2025-05-23"))
    try:
        texts = " ".join(t.get_text() for t in fig.texts)
        assert "RUT: Yahoo Finance" in texts and "SYNTHETIC" not in texts
        assert any(a.get_title() == "time at price" for a in fig.axes)
    finally:
        _close(fig)


def test_chart_errors(demo):
    df = demo["SMALL"]
    with pytest.raises(ValueError, match="a candlestick chart needs at least 2 bars; prices has 0"):
        sc.charts.candles(df, "1990-01-01", "1990-02-01")
    with pytest.raises(ValueError, match=r"sma\(window=5000\) needs at least 5000 values"):
        sc.charts.candles(df, mas=(5000,))
    with pytest.raises(ValueError, match="events: needs 'date' and 'direction' columns"):
        sc.charts.candles(df, df.index[-60], None, events=pd.DataFrame({"when": [1]}))
    with pytest.raises(ValueError, match="ma_kind='wma'"):
        sc.charts.candles(df, ma_kind="wma")


def test_rsi_and_its_30_70_lines_share_one_axis(snapshot_dir, monkeypatch):
    # mplfinance's default ("auto") moved the 30/70 lines to a second, right-hand axis of
    # the RSI panel, which then showed tick labels 65-75 beside it (IWM, 2008-H1)
    monkeypatch.setenv("SMALLCAPS_SNAPSHOT", str(snapshot_dir))
    df = sc.data.load("IWM")
    fig = sc.charts.candles(df, "2008-01-01", "2008-06-30", mas=(50, 100, 200), rsi=14)
    try:
        (rax,) = [a for a in fig.axes if a.get_ylabel() == "RSI 14"]
        assert rax.get_ylim() == (0.0, 100.0)
        levels = sorted(float(np.nanmean(ln.get_ydata())) for ln in rax.get_lines()
                        if np.nanstd(ln.get_ydata()) == 0)
        assert levels == [30.0, 70.0]
        # nothing is drawn on the panel's twin axis (mplfinance makes one per panel)
        twins = [a for a in fig.axes
                 if a is not rax and a.get_position().bounds == rax.get_position().bounds]
        assert twins and all(not a.get_lines() for a in twins)
    finally:
        _close(fig)
