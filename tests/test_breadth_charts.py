"""Breadth figures on planted frames: what is drawn is the data, as few artists as possible."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
from matplotlib.collections import PolyCollection
from matplotlib.patches import Rectangle

import smallcaps as sc


def test_highs_lows_bars_are_the_counts_in_one_collection_per_side():
    idx = pd.bdate_range("2022-01-03", periods=700)
    rng = np.random.default_rng(3)
    b = pd.DataFrame({"new_52w_highs": rng.integers(0, 150, len(idx)),
                      "new_52w_lows": rng.integers(0, 300, len(idx))}, index=idx)
    b.iloc[100, 0] = np.nan  # a session without a count draws no bar
    fig = sc.charts.highs_lows_chart(b, start="2022-03-01")
    ax = fig.axes[0]
    shown = b.loc["2022-03-01":]
    assert not [p for p in ax.patches if isinstance(p, Rectangle) and p.get_height() != 0]
    ups, downs = [c for c in ax.collections if isinstance(c, PolyCollection)]
    assert len(ups.get_paths()) == len(shown) - 1
    np.testing.assert_array_equal([p.vertices[1, 1] for p in ups.get_paths()],
                                  shown["new_52w_highs"].dropna())
    np.testing.assert_array_equal([p.vertices[1, 1] for p in downs.get_paths()], -shown["new_52w_lows"])
    # the net line is the 10-day mean of highs minus lows
    net = (shown["new_52w_highs"] - shown["new_52w_lows"]).rolling(10, min_periods=1).mean()
    np.testing.assert_allclose(ax.lines[0].get_ydata(), net.fillna(net.ffill()))
    assert "New 52w highs and lows" in ax.get_title()
