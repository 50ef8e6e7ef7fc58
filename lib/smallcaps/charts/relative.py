"""Relative-strength figures: ratio with regimes and a trendline, normalised performance,
daily spreads with their extremes, and the RRG-style rotation path.

Each function returns a matplotlib Figure stamped by :func:`._style.finish`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from ._style import COLORS, column_bars, finish, kit_style, shade_states

__all__ = ["performance_chart", "ratio_chart", "rotation_chart", "spread_chart"]


def _window(obj: pd.Series | pd.DataFrame, start: Any, end: Any, what: str) -> Any:
    sl = slice(pd.Timestamp(start) if start is not None else None,
               pd.Timestamp(end) if end is not None else None)
    out = obj.loc[sl]
    if len(out) == 0:
        raise ValueError(f"{what}: no data between {start} and {end}")
    return out


def _states_of(regimes: Any) -> tuple[pd.Series, tuple[str, ...]] | None:
    """(states, labels) from a RegimeFit, a Baseline or a plain Series of states."""
    if regimes is None:
        return None
    if isinstance(regimes, pd.Series):
        st = regimes.dropna().astype(int)
        k = int(st.max()) + 1 if len(st) else 2
        return st, tuple(str(i) for i in range(k))
    st = getattr(regimes, "states", None)
    labels = getattr(regimes, "labels", None)
    if st is None or labels is None:
        raise ValueError("regimes: expected a RegimeFit, a Baseline or a Series of integer states")
    return st.dropna().astype(int), tuple(labels)


def _line_values(trendline: Any, index: pd.DatetimeIndex) -> pd.Series:
    """Trendline values on ``index``: from a Series, or an object with ``value_at(date)``
    (and optional ``start`` or ``anchors``) such as ``smallcaps.technicals.trendline``'s
    result; NaN before the line's start."""
    if isinstance(trendline, pd.Series):
        return trendline.reindex(index)
    if not hasattr(trendline, "value_at"):
        raise ValueError("trendline: expected a Series of line values or an object with value_at(date)")
    first = getattr(trendline, "start", None)
    if first is None and getattr(trendline, "anchors", None):
        first = trendline.anchors[0]  # smallcaps.technicals.Trendline starts at its anchor
    vals = []
    for d in index:
        if first is not None and d < pd.Timestamp(first):
            vals.append(np.nan)
            continue
        try:
            vals.append(float(trendline.value_at(d)))
        except (KeyError, ValueError, TypeError):
            vals.append(np.nan)
    return pd.Series(vals, index=index, dtype="float64")


def ratio_chart(ratio: pd.Series, regimes: Any = None, *, trendline: Any = None,
                touches: Sequence[Any] = (), start: Any = None, end: Any = None,
                log: bool = True, probabilities: bool = True, title: str | None = None):
    """The ratio line, shaded by regime, with an optional trendline of lower highs.

    Parameters
    ----------
    ratio : the ratio line (:func:`smallcaps.relative.ratio`).
    regimes : a :class:`smallcaps.regimes.RegimeFit`, a :class:`~smallcaps.regimes.Baseline`
        or a Series of integer states; the highest state is shaded green, state 0 red.
    trendline : a Series of line values or an object with ``value_at(date)`` (and
        ``start``), drawn from its start to the end of the window; with a
        ``break_date`` attribute (``smallcaps.technicals.Trendline``) the line is
        solid up to the break and dotted after it.
    touches : dates where the ratio met the line (marked).
    start, end : the window shown (the model and line are computed on the full history).
    log : log scale (equal percentage moves look equal).
    probabilities : with a RegimeFit, a lower panel with the smoothed and filtered
        probability of the top regime.
    title : figure title.

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt

    if not isinstance(ratio, pd.Series) or not isinstance(ratio.index, pd.DatetimeIndex):
        raise ValueError("ratio: expected a Series with a DatetimeIndex")
    shown = _window(ratio.dropna(), start, end, "ratio")
    st = _states_of(regimes)
    has_prob = probabilities and hasattr(regimes, "smoothed") and hasattr(regimes, "filtered")
    name = str(ratio.name or "ratio")
    with kit_style():
        if has_prob:
            fig, (ax, ax2) = plt.subplots(2, 1, figsize=(11, 7), sharex=True,
                                          gridspec_kw={"height_ratios": [3, 1]})
        else:
            fig, ax = plt.subplots()
            ax2 = None
        ax.plot(shown.index, shown.to_numpy(), color=COLORS["price"], lw=1.0, label=name)
        if st is not None:
            states, labels = st
            s = states.loc[shown.index[0]:shown.index[-1]]
            top = len(labels) - 1
            for which, color in ((top, COLORS["up"]), (0, COLORS["down"])):
                shade_states(ax, s, which, color, f"{labels[which]} regime")
        if trendline is not None:
            line = _line_values(trendline, shown.index).dropna()
            brk = getattr(trendline, "break_date", None)
            held = line if brk is None else line.loc[:pd.Timestamp(brk)]
            ax.plot(held.index, held.to_numpy(), color=COLORS["accent"], lw=1.4, ls="--",
                    label="trendline" if brk is None else f"trendline (broken {pd.Timestamp(brk):%Y-%m-%d})")
            if brk is not None:
                after = line.loc[pd.Timestamp(brk):]
                ax.plot(after.index, after.to_numpy(), color=COLORS["accent"], lw=0.8, ls=":",
                        alpha=0.6, label="extended after the break")
        t = pd.DatetimeIndex([pd.Timestamp(d) for d in touches])
        t = t[(t >= shown.index[0]) & (t <= shown.index[-1])]
        if len(t):
            y = ratio.reindex(t, method="nearest") if not t.isin(ratio.index).all() else ratio.loc[t]
            ax.scatter(t, y.to_numpy(), s=36, color=COLORS["accent"], zorder=5, label="touches")
        if log:
            ax.set_yscale("log")
        ax.set_ylabel(f"{name} ({'log scale' if log else 'ratio'})")
        ax.set_title(title or f"{name}: relative strength "
                     f"({shown.index[0]:%Y-%m-%d} to {shown.index[-1]:%Y-%m-%d})")
        ax.legend(loc="best")
        if ax2 is not None:
            lab = regimes.labels[-1]
            sm = regimes.smoothed[lab].loc[shown.index[0]:shown.index[-1]]
            fl = regimes.filtered[lab].loc[shown.index[0]:shown.index[-1]]
            ax2.plot(sm.index, sm.to_numpy(), color=COLORS["up"], lw=1.0, label="smoothed")
            ax2.plot(fl.index, fl.to_numpy(), color=COLORS["muted"], lw=0.7, label="filtered (real time)")
            ax2.set_ylim(-0.02, 1.02)
            ax2.set_ylabel(f"P({lab})")
            ax2.legend(loc="upper left", ncol=2)
    return finish(fig, ratio, params={"start": start, "end": end, "log": log})


def performance_chart(perf: pd.DataFrame, *, log: bool = False, title: str | None = None):
    """Normalised performance lines (:func:`smallcaps.relative.performance`).

    Each line ends with its value; the base (e.g. 100) is drawn as a reference.
    """
    import matplotlib.pyplot as plt

    if not isinstance(perf, pd.DataFrame) or perf.empty:
        raise ValueError("perf: expected the non-empty frame of smallcaps.relative.performance()")
    base = float(perf.iloc[0].dropna().iloc[0])
    with kit_style():
        fig, ax = plt.subplots()
        ends = []
        for k, col in enumerate(perf.columns):
            s = perf[col].dropna()
            color = COLORS["series"][k % len(COLORS["series"])]
            ax.plot(s.index, s.to_numpy(), lw=1.3, color=color, label=str(col))
            ends.append((float(s.iloc[-1]), s.index[-1], f"  {col} {s.iloc[-1] / base * 100 - 100:+.1f}%", color))
        ax.axhline(base, color="black", lw=0.6)
        if log:
            ax.set_yscale("log")
        # end labels, nudged apart so that close finishes stay readable
        lo, hi = ax.get_ylim()
        gap = 0.035 * (hi - lo)
        ends.sort(key=lambda e: e[0])
        placed: list[float] = []
        for y, x, text, color in ends:
            yy = max(y, placed[-1] + gap) if placed and not log else y
            placed.append(yy)
            ax.annotate(text, (x, y), xytext=(x, yy), textcoords="data", fontsize=8, color=color,
                        va="center", ha="left")
        basis = perf.attrs.get("basis", {})
        kinds = sorted(set(basis.values())) if basis else []
        ax.set_ylabel(f"{base:g} = {perf.index[0]:%Y-%m-%d}" + (f" ({', '.join(kinds)})" if kinds else ""))
        ax.set_title(title or f"Performance from {perf.index[0]:%Y-%m-%d} to {perf.index[-1]:%Y-%m-%d}")
        ax.legend(loc="upper left")
    return finish(fig, perf, params={"basis": ", ".join(sorted(set(basis.values()))) or None})


def spread_chart(spread: pd.DataFrame, *, n_extremes: int = 5, start: Any = None, end: Any = None,
                 title: str | None = None):
    """Daily return spread in percentage points, with the widest days marked.

    Parameters
    ----------
    spread : the frame of :func:`smallcaps.relative.return_spread`.
    n_extremes : how many of the widest days in the window to label, each with the
        date since which no spread was as wide in the same direction.
    start, end : window shown (look-backs use the full history).
    """
    import matplotlib.pyplot as plt

    from ..relative import spread_extremes

    if not isinstance(spread, pd.DataFrame) or "spread_pp" not in spread.columns:
        raise ValueError("spread: expected the frame returned by smallcaps.relative.return_spread()")
    w = _window(spread, start, end, "spread")
    ext = spread_extremes(spread, n_extremes, start=w.index[0], end=w.index[-1]) if n_extremes else None
    name = spread.attrs.get("provenance", {}).get("name", "spread")
    with kit_style():
        fig, ax = plt.subplots()
        v = w["spread_pp"].to_numpy()
        colors = np.where(v >= 0, COLORS["up"], COLORS["down"])
        width = 1.0 if len(w) < 400 else 2.0
        column_bars(ax, w.index, v, width, colors)
        if ext is not None and len(ext):
            ext = ext.sort_index()
            ax.scatter(ext.index, ext["spread_pp"].to_numpy(), s=22, color=COLORS["accent"], zorder=5)
            lines = []
            for k, (d, row) in enumerate(ext.iterrows(), start=1):
                up = row["spread_pp"] >= 0
                ax.annotate(str(k), (d, row["spread_pp"]), xytext=(0, 5 if up else -5),
                            textcoords="offset points", fontsize=8, ha="center",
                            va="bottom" if up else "top", color=COLORS["accent"], weight="bold")
                since = row["largest_since"]
                lines.append(f"{k}. {d:%Y-%m-%d} {row['spread_pp']:+.2f} pp: " +
                             (f"widest since {since:%Y-%m-%d}" if pd.notna(since)
                              else "widest in the data"))
            ax.text(0.01, 0.99, "\n".join(lines), transform=ax.transAxes, fontsize=7.5, va="top",
                    ha="left", family="monospace",
                    bbox={"facecolor": "white", "alpha": 0.85, "edgecolor": COLORS["muted"], "lw": 0.5})
            lo, hi = ax.get_ylim()
            ax.set_ylim(lo, hi + 0.08 * len(lines) * (hi - lo))
        ax.axhline(0, color="black", lw=0.6)
        ax.set_ylabel("daily return spread (percentage points)")
        ax.set_title(title or f"{name} ({w.index[0]:%Y-%m-%d} to {w.index[-1]:%Y-%m-%d})")
    return finish(fig, spread, params={"start": start, "end": end, "n_extremes": n_extremes})


def rotation_chart(rot: Any, *, tail: int = 12, symbols: Sequence[str] | None = None,
                   title: str | None = None):
    """RRG-style rotation: each symbol's recent (RS-Ratio, RS-Momentum) path.

    Quadrants: leading (top right), weakening (bottom right), lagging (bottom
    left), improving (top left); the path ends with a marker at the latest point.

    Parameters
    ----------
    rot : a :class:`smallcaps.relative.Rotation`.
    tail : points of path per symbol.
    symbols : subset to draw (default all).
    """
    import matplotlib.pyplot as plt

    if not hasattr(rot, "path") or not hasattr(rot, "symbols"):
        raise ValueError("rot: expected the Rotation returned by smallcaps.relative.rotation()")
    if isinstance(tail, bool) or not isinstance(tail, int) or tail < 2:
        raise ValueError(f"tail: expected an integer >= 2, got {tail!r}")
    syms = list(symbols) if symbols is not None else rot.symbols
    with kit_style():
        fig, ax = plt.subplots(figsize=(8, 7))
        xs, ys = [100.0], [100.0]
        for k, s in enumerate(syms):
            p = rot.path(s, tail)
            if p.empty:
                continue
            color = COLORS["series"][k % len(COLORS["series"])]
            x, y = p["rs_ratio"].to_numpy(float), p["rs_momentum"].to_numpy(float)
            xs.extend(x)
            ys.extend(y)
            ax.plot(x, y, color=color, lw=1.2, marker="o", ms=3, alpha=0.9)
            ax.scatter(x[-1:], y[-1:], s=70, color=color, zorder=5,
                       label=f"{s} ({p.index[-1]:%Y-%m-%d}: {p['quadrant'].iloc[-1]})")
        pad = 0.5
        lo_x, hi_x = min(xs) - pad, max(xs) + pad
        lo_y, hi_y = min(ys) - pad, max(ys) + pad
        for (x0, x1, y0, y1, name, c) in (
                (100, hi_x, 100, hi_y, "leading", COLORS["up"]),
                (100, hi_x, lo_y, 100, "weakening", COLORS["accent"]),
                (lo_x, 100, lo_y, 100, "lagging", COLORS["down"]),
                (lo_x, 100, 100, hi_y, "improving", COLORS["series"][0])):
            ax.fill_between([x0, x1], y0, y1, color=c, alpha=0.06, lw=0)
            ax.text(x1 if x1 > 100 else x0, y1 if y1 > 100 else y0, name, color=c, fontsize=9,
                    ha="right" if x1 > 100 else "left", va="top" if y1 > 100 else "bottom")
        ax.axvline(100, color="black", lw=0.6)
        ax.axhline(100, color="black", lw=0.6)
        ax.set_xlim(lo_x, hi_x)
        ax.set_ylim(lo_y, hi_y)
        ax.set_xlabel("RS-Ratio (100 = neutral)")
        ax.set_ylabel("RS-Momentum (100 = neutral)")
        ax.set_title(title or f"Rotation against {rot.benchmark} ({rot.frequency}, last {tail} points)")
        ax.legend(loc="lower right", fontsize=8)
    return finish(fig, rot.frame, params={"window": rot.window, "lag": rot.lag, "tail": tail})
