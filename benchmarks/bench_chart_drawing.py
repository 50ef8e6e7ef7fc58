"""Drawing speed of the two chart hotspots, against their old form in the same run.

1. The candle chart's legend: a fixed corner (what ``candles`` does) against
   ``loc="best"``, which scores every vertex of every candle in each draw pass.
2. Weekly bars: one collection (``column_bars``) against ``ax.bar`` (one patch per bar),
   3 panels of 519 weekly bars, as the positioning chart draws them.

Each case renders PNG and SVG (what a notebook records), best of N runs; ratios > 1
mean the kit's form is faster. Synthetic data only (no snapshot needed).
"""

from __future__ import annotations

import io
import time

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

import smallcaps as sc
from smallcaps.charts._style import column_bars

RUNS = 3


def _render(fig) -> None:
    for fmt in ("png", "svg"):
        fig.savefig(io.BytesIO(), format=fmt)
    plt.close(fig)


def _best(fn) -> float:
    times = []
    for _ in range(RUNS):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def _prices(n: int = 1200) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    close = 2000 * np.exp(np.cumsum(rng.normal(0, 0.012, n)))
    idx = pd.bdate_range("2021-01-04", periods=n)
    return pd.DataFrame({"open": close * (1 + rng.normal(0, 0.003, n)), "high": close * 1.01,
                         "low": close * 0.99, "close": close}, index=idx)


def candles(best_legend: bool) -> None:
    px = _prices()
    fig = sc.charts.candles(px, px.index[-1000], None, mas=(50, 100, 200), rsi=14, log=True)
    if best_legend:
        ax = fig.axes[0]
        handles, labels = ax.get_legend_handles_labels()
        ax.legend(handles, labels, loc="best", fontsize=7, ncol=3)
    _render(fig)


def bars(collection: bool) -> None:
    idx = pd.date_range("2016-01-05", periods=519, freq="W-TUE")
    v = np.random.default_rng(1).normal(0, 5e4, (3, 519))
    fig, axes = plt.subplots(3, 1, sharex=True)
    for ax, row in zip(axes, v, strict=True):
        colors = np.where(row >= 0, "#2e7d32", "#c62828")
        if collection:
            column_bars(ax, idx, row, 6, colors)
        else:
            ax.bar(idx, row, width=6, color=colors, lw=0)
    _render(fig)


def main() -> None:
    rows = [
        ("candles, legend loc='best' (old)", _best(lambda: candles(True))),
        ("candles, legend in a fixed corner", _best(lambda: candles(False))),
        ("3 x 519 bars, ax.bar (old)", _best(lambda: bars(False))),
        ("3 x 519 bars, one collection", _best(lambda: bars(True))),
    ]
    print(f"{'case':<40}{'best s':>9}")
    for name, t in rows:
        print(f"{name:<40}{t:>9.3f}")
    print(f"legend speed-up: {rows[0][1] / rows[1][1]:.1f}x; bars speed-up: "
          f"{rows[2][1] / rows[3][1]:.1f}x")


if __name__ == "__main__":
    main()
