"""Breadth figures: participation with the index, new highs/lows, A/D line and
McClellan, equal weight against a fund, member coverage.

Each function takes a frame from :func:`smallcaps.breadth.breadth` (and price frames
where needed) and returns a matplotlib Figure stamped by :func:`._style.finish`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from ._style import COLORS, column_bars, finish, kit_style

__all__ = ["ad_line_chart", "coverage_chart", "equal_weight_chart", "event_path_chart", "highs_lows_chart",
           "participation_chart"]


def _cut(obj, start, end):
    return obj.loc[slice(pd.Timestamp(start) if start is not None else None,
                         pd.Timestamp(end) if end is not None else None)]


def _close(df: pd.DataFrame | pd.Series) -> pd.Series:
    return df["close"] if isinstance(df, pd.DataFrame) else df


def participation_chart(b: pd.DataFrame, index: pd.DataFrame | None = None, *,
                        windows: Sequence[int] = (50, 200), threshold: float | None = None,
                        references: Mapping[str, pd.Series] | None = None,
                        index_name: str = "RUT", start: Any = None, end: Any = None,
                        params: Mapping[str, Any] | None = None) -> Any:
    """Index close (top, log) and the share of members above their averages (bottom).

    ``references``: vendor breadth lines (label -> series in percent) drawn dashed;
    ``threshold``: a horizontal line (e.g. the washed-out level).
    """
    import matplotlib.pyplot as plt

    b = _cut(b, start, end)
    with kit_style():
        fig, (ax1, ax2) = plt.subplots(2, 1, sharex=True, figsize=(11, 7),
                                       gridspec_kw={"height_ratios": [1, 1.2]})
        if index is not None:
            px = _cut(_close(index), b.index[0], b.index[-1])
            ax1.plot(px.index, px, color=COLORS["price"], lw=1.2, label=index_name)
            ax1.set_yscale("log")
            ax1.set_ylabel(index_name)
            ax1.legend(loc="upper left")
        else:
            ax1.text(0.5, 0.5, f"{index_name} not loaded", ha="center", va="center",
                     transform=ax1.transAxes, color=COLORS["muted"])
        for i, w in enumerate(windows):
            col = f"pct_above_{w}d"
            if col in b:
                ax2.plot(b.index, b[col], lw=1.1 if i else 0.8, color=COLORS["series"][i],
                         label=f"% of members above their {w}-day average")
        for j, (label, s) in enumerate((references or {}).items()):
            s = _cut(s, b.index[0], b.index[-1])
            ax2.plot(s.index, s, lw=0.9, ls="--", color=COLORS["series"][3 + j % 4], label=label)
        if threshold is not None:
            ax2.axhline(threshold, color=COLORS["down"], lw=0.8, ls=":",
                        label=f"washed out: below {threshold:g}%")
        ax2.set_ylim(0, 100)
        ax2.set_ylabel("% of members")
        # above the panel, between the two: inside, the lines run through every corner
        ax2.legend(loc="lower left", bbox_to_anchor=(0.0, 1.0), fontsize=8, ncol=3,
                   borderaxespad=0.2)
        ax1.set_title("Participation: members above their moving averages, with the index")
        fig.tight_layout()
    return finish(fig, b, *([index] if index is not None else []), *(references or {}).values(),
                  params=params)


def highs_lows_chart(b: pd.DataFrame, *, start: Any = None, end: Any = None,
                     smooth: int = 10, params: Mapping[str, Any] | None = None) -> Any:
    """New 52-week highs (up) and lows (down) per day, with their ``smooth``-day net average."""
    import matplotlib.pyplot as plt

    b = _cut(b, start, end)
    hi = next(c for c in b.columns if c.startswith("new_") and c.endswith("_highs"))
    lo = hi.replace("_highs", "_lows")
    with kit_style():
        fig, ax = plt.subplots(figsize=(11, 5))
        # one collection per side: a patch per daily bar (thousands) is slow to draw
        column_bars(ax, b.index, b[hi], 1.0, COLORS["up"], label="new highs")
        column_bars(ax, b.index, -b[lo], 1.0, COLORS["down"], label="new lows (shown negative)")
        net = (b[hi] - b[lo]).rolling(smooth, min_periods=1).mean()
        ax.plot(b.index, net, color=COLORS["price"], lw=1.2, label=f"net, {smooth}-day average")
        ax.axhline(0, color=COLORS["muted"], lw=0.6)
        ax.set_ylabel("members")
        ax.set_title(f"New {hi.split('_')[1]} highs and lows among members (closing basis)")
        ax.legend(loc="lower left")
        fig.tight_layout()
    return finish(fig, b, params=params)


def ad_line_chart(b: pd.DataFrame, *, start: Any = None, end: Any = None,
                  params: Mapping[str, Any] | None = None) -> Any:
    """Advance/decline line (top) and McClellan oscillator (bottom)."""
    import matplotlib.pyplot as plt

    b = _cut(b, start, end)
    with kit_style():
        fig, (ax1, ax2) = plt.subplots(2, 1, sharex=True, figsize=(11, 6.5),
                                       gridspec_kw={"height_ratios": [1.3, 1]})
        ax1.plot(b.index, b["ad_line"], color=COLORS["price"], lw=1.2)
        ax1.set_ylabel("cumulative net advances")
        ax1.set_title("Advance/decline line of members, and the McClellan oscillator")
        osc = b["mcclellan_oscillator"]
        ax2.fill_between(osc.index, 0, osc, where=osc >= 0, color=COLORS["up"], alpha=0.6, lw=0)
        ax2.fill_between(osc.index, 0, osc, where=osc < 0, color=COLORS["down"], alpha=0.6, lw=0)
        ax2.axhline(0, color=COLORS["muted"], lw=0.6)
        ax2.set_ylabel("McClellan (ratio-adjusted)")
        fig.tight_layout()
    return finish(fig, b, params=params)


def equal_weight_chart(b: pd.DataFrame, fund: pd.DataFrame, *, fund_name: str = "IWM",
                       start: Any = None, end: Any = None,
                       params: Mapping[str, Any] | None = None) -> Any:
    """Equal-weight members' total return against the fund's (``adj_close``), both
    rebased to 100 on the first common date, and their ratio."""
    import matplotlib.pyplot as plt

    b = _cut(b, start, end)
    col = "adj_close" if "adj_close" in fund else "close"
    f = _cut(fund[col], b.index[0], b.index[-1])
    common = b.index.intersection(f.index)
    ew = b.loc[common, "ew_index"]
    ew = 100 * ew / ew.iloc[0]
    fr = 100 * f.loc[common] / f.loc[common].iloc[0]
    with kit_style():
        fig, (ax1, ax2) = plt.subplots(2, 1, sharex=True, figsize=(11, 6.5),
                                       gridspec_kw={"height_ratios": [1.6, 1]})
        ax1.plot(common, ew, color=COLORS["accent"], lw=1.2, label="members, equal weight (total return)")
        ax1.plot(common, fr, color=COLORS["price"], lw=1.2, label=f"{fund_name} (total return)")
        ax1.set_ylabel(f"rebased, 100 = {common[0]:%Y-%m-%d}")
        ax1.legend(loc="upper left")
        ax1.set_title(f"Equal-weight members against {fund_name}")
        ax2.plot(common, ew / fr, color=COLORS["series"][2], lw=1.1)
        ax2.axhline(1, color=COLORS["muted"], lw=0.6)
        ax2.set_ylabel("equal weight / fund")
        fig.tight_layout()
    return finish(fig, b, fund, params=params)


def coverage_chart(b: pd.DataFrame, *, start: Any = None, end: Any = None,
                   params: Mapping[str, Any] | None = None) -> Any:
    """Members listed each day against members with a price that day."""
    import matplotlib.pyplot as plt

    b = _cut(b, start, end)
    with kit_style():
        fig, ax = plt.subplots(figsize=(11, 4.5))
        ax.plot(b.index, b["members_listed"], color=COLORS["muted"], lw=1.2, label="members (membership data)")
        ax.plot(b.index, b["members"], color=COLORS["price"], lw=1.2, label="members with a price that day")
        ax.fill_between(b.index, b["members"], b["members_listed"], color=COLORS["down"], alpha=0.12,
                        label="members without prices (counted, not dropped)")
        ax.set_ylim(0, None)
        ax.set_ylabel("members")
        ax.set_title("Coverage: how many members the breadth readings rest on")
        ax.legend(loc="lower right")
        fig.tight_layout()
    return finish(fig, b, params=params)


def event_path_chart(result: Any, *sources: Any, params: Mapping[str, Any] | None = None) -> Any:
    """Mean cumulative return after events against all days (an event-study result's
    ``plot``), with the provenance of ``sources`` in the footer."""
    import matplotlib.pyplot as plt

    with kit_style():
        fig, ax = plt.subplots(figsize=(10, 4.5))
        result.plot(ax=ax)
        ax.set_title(result.title)
        fig.tight_layout()
    return finish(fig, *sources, params=params)
