"""Candle-chart overlays drawn one at a time on a plain Axes; labels never overlap."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from smallcaps.charts import overlays as O


def _bars(n: int = 100) -> pd.DataFrame:
    idx = pd.bdate_range("2024-01-01", periods=n)
    close = 2000 + np.linspace(0, 200, n)
    return pd.DataFrame({"open": close, "high": close + 10, "low": close - 10, "close": close},
                        index=idx)


def test_labels_never_overlap_and_are_capped_most_important_first():
    fig, ax = plt.subplots(figsize=(8, 4))
    ax.set_ylim(1900, 2300)
    crowded = [O.PriceLabel(2000 + k * 0.5, f"level {k}", "k", priority=k) for k in range(40)]
    spread = [O.PriceLabel(1950 + 30 * k, f"far {k}", "k", priority=100 + k) for k in range(12)]
    placed = O.place_labels(fig, ax, crowded + spread, x=0.9, max_labels=8)
    assert len(placed) == 8
    assert placed[0].text == "level 0"  # the most important of the crowded cluster wins
    ys = sorted(ax.transData.transform((0, lab.price))[1] for lab in placed)
    gap = 7.5 * fig.dpi / 72 * 1.3
    assert all(b - a >= gap for a, b in zip(ys, ys[1:], strict=False))
    # the 40 crowded labels span about 15 pixels: at most two of them fit
    assert sum(lab.text.startswith("level ") for lab in placed) <= 2


def test_events_are_capped_with_the_most_telling_first():
    bars = _bars()
    kinds = ["outside_day"] * 30 + ["golden_cross"]
    ev = pd.DataFrame({"date": bars.index[:31], "event": kinds, "direction": 1})
    fig, ax = plt.subplots()
    drawn, total = O.draw_events(ax, ev, bars, max_events=5)
    assert (drawn, total) == (5, 31)
    xs = np.concatenate([c.get_offsets()[:, 0] for c in ax.collections])
    assert 30 in xs  # the cross (bar 30) is kept although it is one of 31
    assert O.event_priority("golden_cross") < O.event_priority("gap_up") < O.event_priority("x")


def test_levels_fib_and_ranges_draw_on_any_axes():
    bars = _bars()
    fig, ax = plt.subplots()
    labels = O.draw_levels(ax, {"resistance": 2150.0, "support": 2050.0}, bars)
    assert [lab.text for lab in labels] == ["2,150 resistance", "2,050 support"]
    fib = pd.DataFrame({"level": [2100.0, 2050.0]}, index=pd.Index(["38.2%", "50.0%"]))
    fl = O.draw_fibonacci(ax, fib, bars)
    assert min(fl, key=lambda lab: lab.priority).text.startswith("fib 50.0%")
    ranges = pd.DataFrame({"start": [bars.index[10]], "end": [bars.index[40]], "low": [2010.0],
                           "high": [2060.0], "exit": ["up"], "exit_date": [bars.index[41]]})
    assert O.draw_ranges(ax, ranges, bars) == 1
    assert O.draw_ranges(ax, None, bars) == 0
