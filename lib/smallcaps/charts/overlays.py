"""Overlays of the candle chart, each a function that draws on one matplotlib Axes.

The candle chart (:func:`smallcaps.charts.candles`) is mplfinance candles plus these
overlays. Each takes the Axes and ``bars`` (the OHLC frame of the bars shown: the x
axis is bar positions 0..n-1, as mplfinance draws it), so each can be drawn and tested
on its own, on any Axes:

- :func:`draw_ranges`: trading ranges as shaded bands, their exits marked;
- :func:`draw_levels`: horizontal levels (labels collected, not drawn);
- :func:`draw_fibonacci`: Fibonacci levels (labels collected);
- :func:`draw_trendlines`: trendlines, their channel, touches and break;
- :func:`draw_events`: event markers, at most ``max_events``, the most telling first;
- :func:`draw_profile`: a volume / time-at-price profile on an Axes beside the price;
- :func:`place_labels`: writes the collected price labels in the right margin, most
  important first, never two on top of each other, at most ``max_labels``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ._style import COLORS

__all__ = ["PriceLabel", "draw_events", "draw_fibonacci", "draw_levels", "draw_profile",
           "draw_ranges", "draw_trendlines", "event_priority", "levels_list", "place_labels"]


@dataclass(frozen=True)
class PriceLabel:
    """A label for a price on the right margin; lower ``priority`` is placed first."""

    price: float
    text: str
    color: str
    priority: float


def _pos(index: pd.DatetimeIndex, date: Any, side: str = "left") -> int:
    return int(index.searchsorted(pd.Timestamp(date), side=side))


def levels_list(levels: Any) -> list[tuple[float, str]]:
    """(price, label) pairs from a number, a list, a dict or a levels table (``level`` column)."""
    if levels is None:
        return []
    if isinstance(levels, pd.DataFrame):
        if "level" not in levels.columns:
            raise ValueError("levels: a table needs a 'level' column")
        label_col = next((c for c in ("label", "role", "side") if c in levels.columns), None)
        out = []
        for key, row in levels.iterrows():
            lab = str(row[label_col]) if label_col else (str(key) if not isinstance(key, int)
                                                         else "")
            out.append((float(row["level"]), lab))
        return out
    if isinstance(levels, Mapping):
        return [(float(v), str(k)) for k, v in levels.items()]
    if isinstance(levels, (int, float, np.number)):
        return [(float(levels), "")]
    return [(float(v), "") for v in levels]


def draw_ranges(ax: Any, ranges: pd.DataFrame | None, bars: pd.DataFrame) -> int:
    """Shade each trading range of ``ranges`` (``find_ranges`` output) inside the window.

    Returns the number of ranges drawn. Exits inside the window get an arrow.
    """
    if ranges is None or not len(ranges):
        return 0
    idx, n = bars.index, len(bars)
    drawn = 0
    for r in ranges.itertuples():
        if r.end < idx[0] or r.start > idx[-1]:
            continue
        x0, x1 = _pos(idx, r.start), min(_pos(idx, r.end, "right") - 1, n - 1)
        ax.fill_between([x0 - 0.5, x1 + 0.5], r.low, r.high, color=COLORS["price"], alpha=0.13,
                        zorder=0, lw=0, label="trading range" if drawn == 0 else None)
        drawn += 1
        exit_date = getattr(r, "exit_date", None)
        if isinstance(exit_date, pd.Timestamp) and idx[0] <= exit_date <= idx[-1]:
            xe = min(_pos(idx, exit_date), n - 1)
            up = r.exit == "up"
            y = bars["low"].iloc[xe] * 0.985 if up else bars["high"].iloc[xe] * 1.015
            ax.annotate(f"exit {r.exit}", (xe, y), xytext=(0, -22 if up else 22),
                        textcoords="offset points", ha="center", fontsize=8,
                        color=COLORS["up"] if up else COLORS["down"],
                        arrowprops={"arrowstyle": "->", "color": COLORS["muted"]})
    return drawn


def draw_levels(ax: Any, levels: Any, bars: pd.DataFrame) -> list[PriceLabel]:
    """Horizontal lines at ``levels``; returns their labels (priority = order given)."""
    out = []
    for k, (price, lab) in enumerate(levels_list(levels)):
        ax.axhline(price, color=COLORS["price"], lw=0.8, ls="-", alpha=0.6, zorder=1)
        out.append(PriceLabel(price, f"{price:,.0f} {lab}".strip(), COLORS["price"], 10 + k))
    return out


# the retracements a technician reads first; the others only when there is room
_FIB_RANK = {50.0: 0, 61.8: 1, 38.2: 2, 0.0: 3, 100.0: 3, 23.6: 4, 78.6: 4}


def _fib_rank(label: Any) -> int:
    try:
        return _FIB_RANK.get(round(float(str(label).rstrip("%")), 1), 5)
    except ValueError:
        return 5


def draw_fibonacci(ax: Any, fib: pd.DataFrame | None, bars: pd.DataFrame) -> list[PriceLabel]:
    """Dotted lines at ``fib`` levels (``fib_retracements`` output); returns their labels."""
    if fib is None or not len(fib):
        return []
    out = []
    for lab, row in fib.iterrows():
        ax.axhline(row["level"], color=COLORS["accent"], lw=0.8, ls=":", zorder=1)
        rank = _fib_rank(lab)
        out.append(PriceLabel(float(row["level"]), f"fib {lab} {row['level']:,.0f}",
                              COLORS["accent"], 20 + rank))
    return out


def draw_trendlines(ax: Any, trendlines: Any, bars: pd.DataFrame) -> tuple[float, float] | None:
    """Each trendline with its channel, touches and break; returns the (low, high) drawn."""
    tls = [] if trendlines is None else (list(trendlines) if isinstance(trendlines, (list, tuple))
                                         else [trendlines])
    idx, n = bars.index, len(bars)
    lo, hi = np.inf, -np.inf
    for k, tl in enumerate(tls):
        stop = tl.break_date if tl.break_date is not None else idx[-1]
        stop_i = min(n - 1, _pos(idx, stop) + max(5, n // 20))
        a_i = _pos(idx, tl.anchors[0])
        if a_i > n - 1 or stop_i < 0:
            continue
        xs = np.arange(max(a_i, 0), stop_i + 1)
        line = tl.values(idx[xs]).to_numpy()
        chan = tl.values(idx[xs], channel=True).to_numpy()
        color = COLORS["down"] if tl.kind == "lower_highs" else COLORS["up"]
        ax.plot(xs, line, color=color, lw=1.3,
                label="trendline (lower highs)" if tl.kind == "lower_highs"
                else "trendline (higher lows)")
        ax.plot(xs, chan, color=color, lw=0.8, ls="--", alpha=0.7)
        t_in = [d for d in tl.touches if idx[0] <= d <= idx[-1]]
        if t_in:
            ax.scatter([_pos(idx, d) for d in t_in], [tl.value_at(d) for d in t_in], s=18,
                       facecolors="none", edgecolors=color, zorder=5)
        if tl.break_date is not None and idx[0] <= tl.break_date <= idx[-1]:
            xb = min(_pos(idx, tl.break_date), n - 1)
            ax.scatter([xb], [bars["close"].iloc[xb]], marker="*", s=90, color=color, zorder=6,
                       label="trendline break" if k == 0 else None)
        lo, hi = min(lo, float(np.nanmin(chan)), float(np.nanmin(line))), \
            max(hi, float(np.nanmax(line)), float(np.nanmax(chan)))
    return None if lo == np.inf else (lo, hi)


def event_priority(event: str) -> int:
    """How telling an event kind is on a chart (lower = shown first when markers are capped)."""
    e = str(event)
    if "cross" in e:
        return 0
    if "all_time" in e:
        return 1
    if "reversal" in e:
        return 2
    if "closing_high" in e or "closing_low" in e:
        return 3
    if "gap" in e:
        return 4
    return 5


def draw_events(ax: Any, events: pd.DataFrame | None, bars: pd.DataFrame,
                max_events: int = 12) -> tuple[int, int]:
    """Markers above (bearish) or below (bullish) the bars for ``events`` in the window.

    At most ``max_events`` are drawn: the most telling kinds first (crosses, all-time
    highs, key reversals, N-day highs, gaps, outside days; see :func:`event_priority`),
    the latest first within a kind; one marker per bar and direction.

    Returns
    -------
    (drawn, in_window) : markers drawn and events in the window.
    """
    if events is None or not len(events):
        return 0, 0
    if not {"date", "direction"} <= set(events.columns):
        raise ValueError("events: needs 'date' and 'direction' columns (events output)")
    idx = bars.index
    ev = events[(events["date"] >= idx[0]) & (events["date"] <= idx[-1])]
    ev = ev[ev["date"].isin(idx) & (ev["direction"] != 0)]
    in_window = len(ev)
    if not in_window:
        return 0, 0
    rank = ev["event"].map(event_priority) if "event" in ev.columns else pd.Series(0, ev.index)
    ev = (ev.assign(_rank=rank).sort_values(["_rank", "date"], ascending=[True, False])
          .drop_duplicates(["date", "direction"]).head(max_events))
    for direction, marker, color, col, f in ((1, "^", COLORS["up"], "low", 0.985),
                                             (-1, "v", COLORS["down"], "high", 1.015)):
        sel = ev[ev["direction"] == direction]
        if len(sel):
            xs = [_pos(idx, d) for d in sel["date"]]
            ax.scatter(xs, bars[col].iloc[xs].to_numpy() * f, marker=marker, s=30, color=color,
                       zorder=6, edgecolors="white", linewidths=0.4,
                       label="bullish events" if direction > 0 else "bearish events")
    return len(ev), in_window


def draw_profile(ax: Any, pax: Any, profile: Any) -> tuple[float, float]:
    """A volume / time-at-price ``profile`` (``VolumeProfile``) on ``pax`` beside price ``ax``.

    ``ax`` gets the value area shaded and the point of control; ``pax`` (sharing the
    price axis) the histogram. Returns the (low, high) price span of the histogram.
    """
    hist = profile.histogram
    ax.axhspan(profile.value_area_low, profile.value_area_high, color=COLORS["accent"],
               alpha=0.06, zorder=0)
    ax.axhline(profile.poc, color=COLORS["accent"], lw=1.0, ls="-.",
               label=f"point of control {profile.poc:,.0f}")
    inva = (hist["mid"] >= profile.value_area_low) & (hist["mid"] <= profile.value_area_high)
    pax.barh(hist["mid"], hist["weight"], height=(hist["high"] - hist["low"]) * 0.9,
             color=np.where(inva, COLORS["accent"], COLORS["muted"]), alpha=0.7)
    pax.axhline(profile.poc, color=COLORS["accent"], lw=1.0, ls="-.")
    pax.set_xticks([])
    pax.tick_params(labelleft=False, left=False)
    pax.set_title("volume" if profile.basis == "volume" else "time at price", fontsize=8)
    pax.grid(False)
    return float(hist["low"].min()), float(hist["high"].max())


def place_labels(fig: Any, ax: Any, labels: list[PriceLabel], x: float,
                 max_labels: int = 12, fontsize: float = 7.5) -> list[PriceLabel]:
    """Write ``labels`` at figure x ``x`` beside their prices: most important first, none
    overlapping, at most ``max_labels``, only prices inside the axis. Call after the
    y limits are final. Returns the labels written.
    """
    # the pixel positions need only the final axes box and limits, not a draw of the
    # figure (a full draw cost as much as printing the chart)
    ax.apply_aspect()
    lo, hi = ax.get_ylim()
    to_px = ax.transData.transform
    gap = fontsize * fig.dpi / 72 * 1.3  # one line of text, in pixels
    placed: list[tuple[float, PriceLabel]] = []
    for lab in sorted(labels, key=lambda lb: lb.priority):
        if len(placed) >= max_labels or not (min(lo, hi) <= lab.price <= max(lo, hi)):
            continue
        y = float(to_px((0, lab.price))[1])
        if any(abs(y - py) < gap for py, _ in placed):
            continue
        placed.append((y, lab))
    to_fig = fig.transFigure.inverted().transform
    for y, lab in placed:
        fy = float(to_fig((0, y))[1])
        fig.text(x, fy, lab.text, fontsize=fontsize, color=lab.color, ha="left", va="center")
    return [lab for _, lab in placed]
