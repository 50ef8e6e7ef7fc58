"""Overview figures used by the data tour: a close with its moving averages, coverage bars."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from ._style import COLORS, finish, kit_style

__all__ = ["coverage_bars", "price_with_averages"]


def price_with_averages(
    prices: pd.DataFrame,
    windows: Sequence[int] = (50, 200),
    start: str | pd.Timestamp | None = None,
    end: str | pd.Timestamp | None = None,
    log: bool = False,
    title: str | None = None,
):
    """Closing price with simple moving averages, computed on the full history.

    The averages are computed on every bar of ``prices`` and only then sliced to
    ``[start, end]``, so a 200-day average is defined from the first bar shown.

    Parameters
    ----------
    prices : contract price frame (needs ``close``).
    windows : SMA lengths in bars.
    start, end : the window shown.
    log : log price axis.
    title : figure title (default: the series name and window).

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt

    if "close" not in prices.columns:
        raise ValueError("prices: needs a 'close' column")
    close = prices["close"].astype(float)
    avgs = {w: close.rolling(w, min_periods=w).mean() for w in windows}
    sl = slice(pd.Timestamp(start) if start is not None else None,
               pd.Timestamp(end) if end is not None else None)
    shown = close.loc[sl]
    if shown.empty:
        raise ValueError(f"prices: no rows between {start} and {end}")
    name = prices.attrs.get("provenance", {}).get("name", "close")
    with kit_style():
        fig, ax = plt.subplots()
        ax.plot(shown.index, shown.to_numpy(), color=COLORS["price"], lw=1.1, label=f"{name} close")
        for k, (w, s) in enumerate(avgs.items()):
            ax.plot(shown.index, s.loc[sl].to_numpy(), lw=1.0,
                    color=COLORS["series"][(k + 1) % len(COLORS["series"])], label=f"{w}-day SMA")
        if log:
            ax.set_yscale("log")
        ax.set_title(title or f"{name}: close and moving averages "
                     f"({shown.index[0]:%Y-%m-%d} to {shown.index[-1]:%Y-%m-%d})")
        ax.legend(loc="upper left")
    return finish(fig, prices, params={"windows": list(windows), "start": start, "end": end})


def coverage_bars(table: pd.DataFrame, title: str = "Coverage of each series"):
    """Horizontal bars from each series' first to last date.

    Parameters
    ----------
    table : frame indexed by series name with ``first`` and ``last`` date columns.
    """
    import matplotlib.pyplot as plt

    t = table.dropna(subset=["first", "last"])
    with kit_style():
        fig, ax = plt.subplots(figsize=(11, 0.35 * len(t) + 1.5))
        first = pd.to_datetime(t["first"])
        last = pd.to_datetime(t["last"])
        ax.barh(list(t.index), (last - first).dt.days, left=first, color=COLORS["band"],
                edgecolor=COLORS["price"])
        ax.invert_yaxis()
        ax.xaxis_date()
        ax.set_title(title)
    return finish(fig)
