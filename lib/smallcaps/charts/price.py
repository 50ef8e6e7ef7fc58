"""Candlestick chart of any window with the technicals drawn on it.

:func:`candles` draws daily or weekly mplfinance candles and, optionally, moving
averages (computed on the full history, then cut to the window), horizontal
levels, trading ranges as shaded bands, trendlines with their channel, Fibonacci
levels, a volume (or time-at-price) profile beside the price axis, event markers,
a volume panel and an RSI panel.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from ._style import COLORS, finish, kit_style

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


def _levels(levels: Any) -> list[tuple[float, str]]:
    """(price, label) pairs from a number, a list, a dict or a levels table."""
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


def _pos(index: pd.DatetimeIndex, date: Any, side: str = "left") -> int:
    return int(index.searchsorted(pd.Timestamp(date), side=side))


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
        adds.append(mpf.make_addplot(r, panel=rsi_panel, color=COLORS["accent"], width=1.0,
                                     ylim=(0, 100), ylabel=f"RSI {rsi}"))
        for lvl in (30, 70):
            adds.append(mpf.make_addplot(np.full(n, float(lvl)), panel=rsi_panel,
                                         color=COLORS["muted"], width=0.6, linestyle="--"))
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

        # trading ranges: shaded bands, exit arrows
        if ranges is not None and len(ranges):
            first_band = True
            for r in ranges.itertuples():
                end_d = r.end
                if end_d < idx[0] or r.start > idx[-1]:
                    continue
                x0, x1 = _pos(idx, r.start), min(_pos(idx, end_d, "right") - 1, n - 1)
                ax.fill_between([x0 - 0.5, x1 + 0.5], r.low, r.high, color=COLORS["price"],
                                alpha=0.13, zorder=0, lw=0,
                                label="trading range" if first_band else None)
                first_band = False
                if isinstance(r.exit_date, pd.Timestamp) and idx[0] <= r.exit_date <= idx[-1]:
                    xe = _pos(idx, r.exit_date)
                    up = r.exit == "up"
                    y = shown["low"].iloc[xe] * 0.985 if up else shown["high"].iloc[xe] * 1.015
                    ax.annotate(f"exit {r.exit}", (xe, y), xytext=(0, -22 if up else 22),
                                textcoords="offset points", ha="center", fontsize=8,
                                color=COLORS["up"] if up else COLORS["down"],
                                arrowprops={"arrowstyle": "->", "color": COLORS["muted"]})

        # horizontal levels
        for price, lab in _levels(levels):
            ax.axhline(price, color=COLORS["price"], lw=0.8, ls="-", alpha=0.6)
            ax.annotate(f"{price:,.0f} {lab}".strip(), (n - 1, price), xytext=(4, 2),
                        textcoords="offset points", fontsize=7, color=COLORS["price"])

        # Fibonacci levels
        if fib is not None and len(fib):
            for lab, row in fib.iterrows():
                ax.axhline(row["level"], color=COLORS["accent"], lw=0.8, ls=":")
                ax.annotate(f"fib {lab} {row['level']:,.0f}", (0, row["level"]), xytext=(2, 2),
                            textcoords="offset points", fontsize=7, color=COLORS["accent"])

        # trendlines
        tls = [] if trendlines is None else (list(trendlines) if isinstance(trendlines, (
            list, tuple)) else [trendlines])
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
                tx = [_pos(idx, d) for d in t_in]
                ax.scatter(tx, [tl.value_at(d) for d in t_in], s=18, facecolors="none",
                           edgecolors=color, zorder=5)
            if tl.break_date is not None and idx[0] <= tl.break_date <= idx[-1]:
                xb = _pos(idx, tl.break_date)
                ax.scatter([xb], [shown["close"].iloc[xb]], marker="*", s=90, color=color,
                           zorder=6, label="trendline break" if k == 0 else None)
            ymin, ymax = min(ymin, float(np.nanmin(chan))), max(ymax, float(np.nanmax(line)))

        # events
        if events is not None and len(events):
            if not {"date", "direction"} <= set(events.columns):
                raise ValueError("events: needs 'date' and 'direction' columns (events output)")
            ev = events[(events["date"] >= idx[0]) & (events["date"] <= idx[-1])]
            ev = ev[ev["date"].isin(idx)]
            for direction, marker, color, col, f in ((1, "^", COLORS["up"], "low", 0.985),
                                                     (-1, "v", COLORS["down"], "high", 1.015)):
                sel = ev[ev["direction"] == direction]
                if len(sel):
                    xs = [_pos(idx, d) for d in sel["date"]]
                    ax.scatter(xs, shown[col].iloc[xs].to_numpy() * f, marker=marker, s=28,
                               color=color, zorder=6,
                               label="bullish events" if direction > 0 else "bearish events")

        # use the width of the figure: mplfinance leaves wide side margins
        right = 0.83 if profile is not None else 0.95
        for a in axes:
            p = a.get_position()
            a.set_position([0.08, p.y0, right - 0.08, p.height])

        # volume profile beside the price axis
        if profile is not None:
            hist = profile.histogram
            ax.axhspan(profile.value_area_low, profile.value_area_high, color=COLORS["accent"],
                       alpha=0.06, zorder=0)
            ax.axhline(profile.poc, color=COLORS["accent"], lw=1.0, ls="-.",
                       label=f"point of control {profile.poc:,.0f}")
            p = ax.get_position()
            pax = fig.add_axes([p.x0 + p.width + 0.01, p.y0, 0.12, p.height], sharey=ax)
            inva = (hist["mid"] >= profile.value_area_low) & (hist["mid"] <= profile.value_area_high)
            pax.barh(hist["mid"], hist["weight"], height=(hist["high"] - hist["low"]) * 0.9,
                     color=np.where(inva, COLORS["accent"], COLORS["muted"]), alpha=0.7)
            pax.axhline(profile.poc, color=COLORS["accent"], lw=1.0, ls="-.")
            pax.set_xticks([])
            pax.tick_params(labelleft=False)
            pax.set_title("volume" if profile.basis == "volume" else "time at price",
                          fontsize=8)
            pax.grid(False)
            ymin = min(ymin, float(hist["low"].min()))
            ymax = max(ymax, float(hist["high"].max()))

        pad = (ymax - ymin) * 0.04
        ax.set_ylim(ymin - pad if not log else ymin * 0.97, ymax + pad if not log else ymax * 1.03)
        handles, labels = ax.get_legend_handles_labels()
        if handles:
            ax.legend(handles, labels, loc="best", fontsize=7, ncol=2, framealpha=0.7)
    params: dict[str, Any] = {"start": idx[0], "end": idx[-1], "bars": freq}
    if mas:
        params[ma_kind] = list(mas)
    if rsi is not None:
        params["rsi"] = rsi
    return finish(fig, prices, params=params)
