"""Relative-strength charts: figures go through finish(), carry provenance, say SYNTHETIC
on demo data, and draw what they are given (regime spans, the trendline up to its break,
the extremes, the rotation path)."""

from __future__ import annotations

import matplotlib
import numpy as np
import pandas as pd
import pytest

import smallcaps as sc
from smallcaps import regimes as rg
from smallcaps import relative as rel
from smallcaps.data.provenance import SYNTHETIC_LABEL

matplotlib.use("Agg")


@pytest.fixture(scope="module")
def demo():
    m = sc.demo.market(seed=0)
    r = rel.ratio(m["SMALL"], m["LARGE"], frequency="weekly")
    return m, r, rg.fit(r, 2, n_starts=2)


def _texts(fig) -> str:
    return "\n".join(t.get_text() for t in fig.texts)


def _spans(ax) -> list:
    from matplotlib.patches import Polygon, Rectangle

    return [p for p in ax.patches if isinstance(p, (Polygon, Rectangle))]


def test_ratio_chart_with_regimes_and_trendline(demo):
    import matplotlib.pyplot as plt

    m, r, f = demo
    top_spells = f.spells().query("state == 1")
    low_spells = f.spells().query("state == 0")
    frame = pd.DataFrame({"high": r, "low": r, "close": r})
    line = sc.technicals.trendline(frame, kind="lower_highs", start=r.index[100])
    fig = sc.charts.ratio_chart(r, f, trendline=line, touches=line.touches)
    assert getattr(fig, "_smallcaps_finished", False)
    ax = fig.axes[0]
    assert ax.get_yscale() == "log"
    assert len(fig.axes) == 2  # probabilities panel
    assert len(_spans(ax)) == len(top_spells) + len(low_spells)  # one span per spell
    assert SYNTHETIC_LABEL in _texts(fig)
    assert "SMALL/LARGE" in _texts(fig)  # provenance footer
    labels = [ln.get_label() for ln in ax.get_lines()]
    dashed = [ln for ln in ax.get_lines() if ln.get_label().startswith("trendline")]
    assert dashed, labels
    x = pd.DatetimeIndex(matplotlib.dates.num2date(dashed[0].get_xdata()) if
                         np.issubdtype(np.asarray(dashed[0].get_xdata()).dtype, np.number)
                         else dashed[0].get_xdata()).tz_localize(None)
    assert x[0] >= line.anchors[0]  # the line starts at its anchor
    if line.break_date is not None:
        assert x[-1] <= line.break_date  # solid only up to the break
    plt.close(fig)


def test_ratio_chart_window_and_errors(demo):
    import matplotlib.pyplot as plt

    _, r, f = demo
    fig = sc.charts.ratio_chart(r, rg.baseline(r, 20), start="2013-01-01", end="2014-12-31")
    xs = fig.axes[0].get_lines()[0].get_xdata()
    assert pd.Timestamp(xs[0]) >= pd.Timestamp("2013-01-01")
    assert pd.Timestamp(xs[-1]) <= pd.Timestamp("2014-12-31")
    assert len(fig.axes) == 1  # a baseline has no probabilities
    plt.close(fig)
    with pytest.raises(ValueError, match="no data between"):
        sc.charts.ratio_chart(r, start="1990-01-01", end="1990-12-31")
    with pytest.raises(ValueError, match="regimes"):
        sc.charts.ratio_chart(r, regimes="nope")


def test_performance_spread_and_rotation_charts(demo):
    import matplotlib.pyplot as plt

    m, r, _ = demo
    perf = rel.performance({"SMALL": m["SMALL"], "LARGE": m["LARGE"]}, start="2012-01-01",
                           end="2012-12-31")
    fig = sc.charts.performance_chart(perf)
    ends = {t.get_text().strip() for t in fig.axes[0].texts}
    want = f"SMALL {perf['SMALL'].iloc[-1] - 100:+.1f}%"
    assert want in ends
    assert SYNTHETIC_LABEL in _texts(fig)
    plt.close(fig)

    spread = rel.return_spread(m["SMALL"], m["LARGE"])
    fig = sc.charts.spread_chart(spread, n_extremes=3, start="2015-01-01")
    box = [t.get_text() for t in fig.axes[0].texts if "pp:" in t.get_text()]
    top = rel.spread_extremes(spread, 3, start="2015-01-01")
    assert len(box) == 1 and all(f"{d:%Y-%m-%d}" in box[0] for d in top.index)
    plt.close(fig)

    rot = rel.rotation({"SMALL": m["SMALL"]}, m["LARGE"])
    fig = sc.charts.rotation_chart(rot, tail=8)
    path = rot.path("SMALL", 8)
    line = fig.axes[0].get_lines()[0]
    np.testing.assert_allclose(line.get_xdata(), path["rs_ratio"].to_numpy())
    np.testing.assert_allclose(line.get_ydata(), path["rs_momentum"].to_numpy())
    assert path["quadrant"].iloc[-1] in fig.axes[0].get_legend().get_texts()[0].get_text()
    plt.close(fig)
    with pytest.raises(ValueError, match="tail"):
        sc.charts.rotation_chart(rot, tail=1)
    with pytest.raises(ValueError, match="spread"):
        sc.charts.spread_chart(perf)
