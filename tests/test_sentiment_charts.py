"""Sentiment figures: each returns a finished Figure with provenance, marks what it
claims to mark (extremes, missing weeks, months without data), and says so when the
data are synthetic."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import PathCollection, PolyCollection, QuadMesh
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

import smallcaps as sc
from smallcaps.data.provenance import SYNTHETIC_LABEL, Provenance, attach


def _synthetic(df: pd.DataFrame, name: str) -> pd.DataFrame:
    return attach(df, Provenance(name=name, source="test", origin="demo", synthetic=True))


def _texts(fig) -> str:
    return "\n".join(t.get_text() for t in fig.texts)


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def _cot(weeks=120, drop=(40, 50)):
    idx = pd.date_range("2020-01-07", periods=weeks, freq="W-TUE")
    rng = np.random.default_rng(2)
    df = pd.DataFrame({"open_interest": 1000.0 + rng.integers(0, 100, weeks)}, index=idx)
    for g in ("dealer", "asset_mgr", "lev_money", "other_rept"):
        df[f"{g}_long"] = rng.integers(100, 400, weeks).astype(float)
        df[f"{g}_short"] = rng.integers(100, 400, weeks).astype(float)
    df = df.drop(idx[drop[0]:drop[1]])
    return _synthetic(df, "cot:test")


def _prices(start="2019-12-01", n=700):
    idx = pd.bdate_range(start, periods=n)
    c = 100 * np.exp(np.cumsum(np.random.default_rng(1).normal(0, 0.01, n)))
    return _synthetic(pd.DataFrame({"close": c, "volume": 1e6}, index=idx), "TEST")


def test_positioning_bars_shades_missing_weeks_and_stamps_synthetic():
    cot = _cot()
    fig = sc.charts.positioning_bars(cot, _prices(), groups=("lev_money", "asset_mgr"))
    assert isinstance(fig, Figure) and fig._smallcaps_finished
    assert SYNTHETIC_LABEL in _texts(fig) and "cot:test" in _texts(fig)
    axes = fig.axes
    assert len(axes) == 3
    # one shaded span per run of missing weeks (one run here) in each group panel
    for ax in axes[1:]:
        spans = [p for p in ax.patches if isinstance(p, Rectangle) and p.get_alpha() == 0.15]
        assert len(spans) == 1
        # the bars are one collection (drawing speed): one rectangle per report
        bars = [c for c in ax.collections if isinstance(c, PolyCollection)]
        assert len(bars) == 1 and len(bars[0].get_paths()) == len(cot)
    # bar heights are the net positions (top edge of each rectangle; they start at 0)
    net = (cot["lev_money_long"] - cot["lev_money_short"]).to_numpy()
    polys = [c for c in axes[1].collections if isinstance(c, PolyCollection)][0]
    heights = [path.vertices[1, 1] for path in polys.get_paths()]
    np.testing.assert_allclose(heights, net)


def test_positioning_bars_window_and_errors():
    cot = _cot()
    fig = sc.charts.positioning_bars(cot, groups=("dealer",), start="2021-06-01", measure="net_pct_oi")
    shown = cot.loc["2021-06-01":]
    bars = [c for c in fig.axes[0].collections if isinstance(c, PolyCollection)]
    assert len(bars) == 1 and len(bars[0].get_paths()) == len(shown)
    with pytest.raises(ValueError, match="measure"):
        sc.charts.positioning_bars(cot, measure="gross")
    with pytest.raises(ValueError, match="no report between"):
        sc.charts.positioning_bars(cot, start="2030-01-01")


def test_putcall_chart_marks_every_extreme_reading():
    idx = pd.bdate_range("2015-01-01", periods=500)
    x = pd.Series(0.6 + 0.05 * np.sin(np.arange(500) / 9), index=idx)
    x.iloc[[300, 301, 420]] = [1.1, 1.2, 0.3]
    x = _synthetic(x.to_frame("r"), "putcall")["r"]
    ex = sc.sentiment.detect_extremes(x, window=100, high=99, low=1)
    fig = sc.charts.putcall_chart(ex, start="2015-06-01")
    assert fig._smallcaps_finished and SYNTHETIC_LABEL in _texts(fig)
    pts = [c for c in fig.axes[0].collections if isinstance(c, PathCollection)]
    shown = ex.table.loc["2015-06-01":]
    n_hi = int((shown["side"] == 1).sum())
    n_lo = int((shown["side"] == -1).sum())
    assert [len(c.get_offsets()) for c in pts] == [n_hi, n_lo]
    assert n_hi >= 2 and n_lo >= 1
    assert "high=99" in _texts(fig)


def test_short_interest_chart():
    prices = _prices("2020-10-01", 250)
    dates = pd.date_range("2020-11-30", periods=10, freq="SME")
    si = _synthetic(pd.DataFrame({"shares_short": np.linspace(80e6, 120e6, 10)}, index=dates),
                    "short_interest:TEST")
    m = sc.sentiment.short_interest_metrics(si, prices)
    fig = sc.charts.short_interest_chart(m, prices)
    assert fig._smallcaps_finished and len(fig.axes) == 3  # bars, price twin, days to cover
    bars = [c for c in fig.axes[0].collections if isinstance(c, PolyCollection)][0]
    heights = [path.vertices[1, 1] for path in bars.get_paths()]
    np.testing.assert_allclose(heights, m["shares_short"] / 1e6)
    with pytest.raises(ValueError, match="shares_short"):
        sc.charts.short_interest_chart(m.drop(columns="shares_short"), prices)


def test_heat_strip_leaves_months_without_data_blank():
    idx = pd.date_range("2020-01-31", periods=24, freq="ME")
    a = pd.Series(np.linspace(0, 100, 24), index=idx)
    b = a.drop(idx[5:9])  # four months without a reading
    fig = sc.charts.sentiment_heat_strip({"a": a, "b": b}, sources=[_synthetic(a.to_frame(), "x")])
    mesh = [c for c in fig.axes[0].collections if isinstance(c, QuadMesh)][0]
    arr = mesh.get_array()
    mask = np.ma.getmaskarray(arr).reshape(2, 24)
    assert mask[0].sum() == 0 and mask[1].sum() == 4
    assert SYNTHETIC_LABEL in _texts(fig)
    with pytest.raises(ValueError, match="at least one"):
        sc.charts.sentiment_heat_strip({})


@pytest.mark.snapshot
def test_positioning_comparison_on_snapshot():
    frames = {k: sc.data.load(f"cot:{v}") for k, v in [("Russell 2000", "russell2000"), ("S&P 500", "sp500")]}
    wide = sc.sentiment.compare_markets(frames)
    fig = sc.charts.positioning_comparison(wide, sources=list(frames.values()), start="2017-01-01")
    assert fig._smallcaps_finished
    assert "cot:russell2000" in _texts(fig) and SYNTHETIC_LABEL not in _texts(fig)
    lines = fig.axes[0].get_lines()[:2]
    # the line is broken (NaN) at the missing 2023 weeks, not drawn across them
    y = lines[0].get_ydata()
    assert np.isnan(np.asarray(y, dtype=float)).sum() >= 2


def test_event_panels_skip_studies_without_events():
    days = pd.bdate_range("2018-01-01", periods=400)
    prices = _synthetic(pd.DataFrame({"close": np.linspace(100, 140, 400)}, index=days), "IDX")
    with_events = sc.stats.event_study(days[[50, 150, 250]], prices, (10, 20), kind="simple")
    without = sc.stats.event_study(pd.DatetimeIndex([]), prices, (10, 20), kind="simple")
    fig = sc.charts.event_panels({("a", "high"): with_events, ("a", "low"): without}, sources=[prices])
    assert fig._smallcaps_finished and len(fig.axes) == 1
    assert "a / high (n=3)" in fig.axes[0].get_title()
    assert SYNTHETIC_LABEL in _texts(fig)
    with pytest.raises(ValueError, match="no study has any event"):
        sc.charts.event_panels({"x": without})
