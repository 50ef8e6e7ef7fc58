"""Candlestick chart of any window with the technicals drawn on it.

:func:`candles` draws daily or weekly mplfinance candles and, optionally, moving
averages (computed on the full history, then cut to the window), horizontal
levels, trading ranges as shaded bands, trendlines with their channel, Fibonacci
levels, a volume (or time-at-price) profile beside the price axis, event markers,
a volume panel and an RSI panel.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from . import overlays as O
from ._style import COLORS, finish, kit_style
from .overlays import levels_list

__all__ = ["candles", "weekly_bars"]

_OHLC = ("open", "high", "low", "close")


def weekly_bars(prices: pd.DataFrame) -> pd.DataFrame:
    """Weekly OHLCV bars (weeks ending Friday), dated on each week's last trading day.

    ``open`` first, ``high`` max, ``low`` min, ``close`` last, ``volume`` sum (NaN
    when the week has none); ``adj_close`` last when present.
    """
    from ..technicals._checks import price_frame

    df = price_frame(prices, need=_OHLC, what="weekly bars")
    week = df.index.to_period("W-FRI")
    g = df.groupby(week)
    out = pd.DataFrame({"open": g["open"].first(), "high": g["high"].max(),
                        "low": g["low"].min(), "close": g["close"].last()})
    if "adj_close" in df.columns:
        out["adj_close"] = g["adj_close"].last()
    if "volume" in df.columns:
        out["volume"] = g["volume"].sum(min_count=1)
    out.index = pd.DatetimeIndex(df.index.to_series().groupby(week).max().to_numpy(),
                                 name="date")
    out.attrs = dict(prices.attrs)
    return out


# kept for callers of the old private name
_levels = levels_list


def candles(
    prices: pd.DataFrame,
    start: Any = None,
    end: Any = None,
    *,
    mas: Sequence[int] = (50, 200),
    ma_kind: str = "sma",
    weekly: bool = False,
    levels: Any = None,
    ranges: pd.DataFrame | None = None,
    trendlines: Any = None,
    fib: pd.DataFrame | None = None,
    profile: Any = None,
    events: pd.DataFrame | None = None,
    volume: bool | None = None,
    rsi: int | None = None,
    log: bool = False,
    title: str | None = None,
    figsize: tuple[float, float] = (12, 7),
    max_labels: int = 12,
    max_events: int = 12,
):
    """Candlesticks of a window with optional overlays.

    Parameters
    ----------
    prices : contract price frame, the full history (averages are computed on all
        of it, then cut to the window, so a 200-day line starts at the first bar).
    start, end : the window shown (default: all).
    mas : moving-average lengths, in bars of the chart (weeks on a weekly chart).
    ma_kind : ``"sma"`` or ``"ema"``.
    weekly : weekly bars instead of daily.
    levels : horizontal levels: a number, a list, ``{label: level}`` or a table with
        a ``level`` column (``support_resistance``, ``round_numbers``,
        ``breakeven_levels`` output).
    ranges : ``find_ranges`` output; each range in the window is a shaded band,
        its exit marked.
    trendlines : a ``Trendline`` or a list of them; drawn from the first anchor to a
        little after the break (or the window's end), with touches and the break.
    fib : ``fib_retracements`` / ``fib_swing`` output.
    profile : a ``VolumeProfile``, drawn as a histogram beside the price axis with
        its point of control and value area.
    events : ``events`` output (or any table with ``date`` and ``direction``):
        markers above (bearish) or below (bullish) the bars.
    volume : volume panel (default: when the window has volume).
    rsi : RSI length for a lower panel (None = no panel).
    log : log price axis.
    title : default "<name>: daily|weekly candles <start> to <end>".
    figsize : figure size in inches.
    max_labels : most price labels (levels, Fibonacci, point of control) written in
        the right margin; the most important first, none overlapping.
    max_events : most event markers; the most telling kinds first
        (:func:`smallcaps.charts.overlays.event_priority`).

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    ValueError
        Too few bars in the window, a moving average longer than the history,
        bad overlay inputs.
    """
    import matplotlib.pyplot as plt  # noqa: F401  (backend set-up before mplfinance)
    import mplfinance as mpf

    from .. import technicals as T
    from ..technicals._checks import price_frame, series_name, window_slice
    from ._style import mpf_style

    if ma_kind not in ("sma", "ema"):
        raise ValueError(f"ma_kind={ma_kind!r}: must be 'sma' or 'ema'")
    full = price_frame(prices, need=_OHLC, what="a candlestick chart")
    bars = weekly_bars(full) if weekly else full
    name = series_name(prices, "prices")
    avgs = {}
    for w in mas:
        f = T.sma if ma_kind == "sma" else T.ema
        avgs[w] = f(bars["close"], w)
    shown = window_slice(bars, start, end, min_rows=2, what="a candlestick chart")
    idx = shown.index
    n = len(shown)
    cols = list(_OHLC)
    vol = shown["volume"] if "volume" in shown.columns else pd.Series(np.nan, index=idx)
    want_volume = bool(vol.notna().any()) if volume is None else bool(volume)
    if want_volume and not vol.notna().any():
        raise ValueError(f"volume=True but {name} has no volume in the window")
    data = shown[cols].astype("float64").copy()
    if want_volume:
        data["volume"] = vol.fillna(0.0).astype("float64")
    adds = []
    for k, (w, s) in enumerate(avgs.items()):
        seg = s.loc[idx]
        if seg.notna().any():
            adds.append(mpf.make_addplot(seg.to_numpy(), color=COLORS["series"][k % 7],
                                         width=1.1, label=f"{w}-{'week' if weekly else 'day'} "
                                         f"{ma_kind.upper()}"))
    rsi_panel = None
    if rsi is not None:
        r = T.rsi(bars["close"], rsi).loc[idx].to_numpy()
        rsi_panel = 2 if want_volume else 1
        # one axis for the RSI and its 30/70 lines: mplfinance's default ("auto") can put
        # a line on a second, right-hand axis with its own tick labels
        adds.append(mpf.make_addplot(r, panel=rsi_panel, color=COLORS["accent"], width=1.0,
                                     ylim=(0, 100), ylabel=f"RSI {rsi}", secondary_y=False))
        for lvl in (30, 70):
            adds.append(mpf.make_addplot(np.full(n, float(lvl)), panel=rsi_panel,
                                         color=COLORS["muted"], width=0.6, linestyle="--",
                                         secondary_y=False))
    freq = "weekly" if weekly else "daily"
    title = title or f"{name}: {freq} candles {idx[0]:%Y-%m-%d} to {idx[-1]:%Y-%m-%d}"
    kw: dict[str, Any] = {"type": "candle", "style": mpf_style(), "volume": want_volume,
                          "returnfig": True, "figsize": figsize, "addplot": adds or None,
                          "warn_too_much_data": 10_000, "datetime_format": "%Y-%m-%d",
                          "xrotation": 0, "ylabel": name, "yscale": "log" if log else "linear",
                          "tight_layout": False}
    if rsi_panel is not None:
        ratios = (4, 1, 1) if want_volume else (4, 1)
        kw["panel_ratios"] = ratios
    with kit_style():
        fig, axes = mpf.plot(data, **{k: v for k, v in kw.items() if v is not None})
        ax = axes[0]
        ax.set_title(title, loc="left", fontsize=12, fontweight="bold")
        ymin, ymax = float(shown["low"].min()), float(shown["high"].max())

        O.draw_ranges(ax, ranges, shown)
        labels = O.draw_levels(ax, levels, shown) + O.draw_fibonacci(ax, fib, shown)
        span = O.draw_trendlines(ax, trendlines, shown)
        if span is not None:
            ymin, ymax = min(ymin, span[0]), max(ymax, span[1])
        drawn_events, window_events = O.draw_events(ax, events, shown, max_events=max_events)

        # use the width of the figure (mplfinance leaves wide side margins), keeping a
        # right margin for the price labels
        right = 0.76 if profile is not None else 0.86
        for a in axes:
            p = a.get_position()
            a.set_position([0.07, p.y0, right - 0.07, p.height])
        label_x = right + 0.005
        if profile is not None:
            p = ax.get_position()
            pax = fig.add_axes([p.x0 + p.width + 0.005, p.y0, 0.09, p.height], sharey=ax)
            lo_p, hi_p = O.draw_profile(ax, pax, profile)
            ymin, ymax = min(ymin, lo_p), max(ymax, hi_p)
            label_x = p.x0 + p.width + 0.1
            labels.append(O.PriceLabel(profile.poc, f"POC {profile.poc:,.0f}", COLORS["accent"],
                                       5))

        pad = (ymax - ymin) * 0.04
        ax.set_ylim(ymin - pad if not log else ymin * 0.97, ymax + pad if not log else ymax * 1.03)
        if log:
            from ._style import _plain_log_labels

            _plain_log_labels(ax)
        if rsi_panel is not None:
            rax = axes[2 * rsi_panel]
            rax.set_ylim(0, 100)
            rax.set_yticks([30, 50, 70])
            rax.tick_params(axis="y", labelsize=7)
        O.place_labels(fig, ax, labels, label_x, max_labels=max_labels)
        handles, names = ax.get_legend_handles_labels()
        if drawn_events < window_events:
            names = [f"{lb} ({drawn_events} of {window_events} events shown)"
                     if lb == "bullish events" else lb for lb in names]
        if handles:
            # a fixed corner: loc="best" scores every vertex of every candle twice per draw
            ax.legend(handles, names, loc="upper left", fontsize=7, ncol=3, framealpha=0.8)
    params: dict[str, Any] = {"start": idx[0], "end": idx[-1], "bars": freq}
    if mas:
        params[ma_kind] = list(mas)
    if rsi is not None:
        params["rsi"] = rsi
    return finish(fig, prices, params=params)
