"""Sentiment and positioning figures.

- :func:`positioning_bars`: weekly net positions by trader group under the index;
- :func:`positioning_comparison`: one measure for several futures markets;
- :func:`short_interest_chart`: short interest (and days to cover) against price;
- :func:`putcall_chart`: a put/call ratio with its extreme readings marked;
- :func:`sentiment_heat_strip`: percentiles of several series month by month;
- :func:`event_panels`: mean forward returns after extremes, one panel per study.

Metrics are computed by :mod:`smallcaps.sentiment` on the full history and only
sliced here, so scores at the left edge use the history before it. Missing
report weeks and months are drawn as gaps (shaded or blank), never bridged.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from ._style import COLORS, column_bars, finish, kit_style

__all__ = [
    "event_panels",
    "positioning_bars",
    "positioning_comparison",
    "putcall_chart",
    "sentiment_heat_strip",
    "short_interest_chart",
]


def _ts(value) -> pd.Timestamp | None:
    return None if value is None or value == "" else pd.Timestamp(value)


def _slice(obj, start, end):
    return obj.loc[slice(_ts(start), _ts(end))]


def _name(obj, default: str) -> str:
    return str((getattr(obj, "attrs", {}).get("provenance") or {}).get("name", default))


def _shade_missing_weeks(ax, runs: pd.DataFrame, label: bool = True) -> None:
    first = True
    for a, b in zip(runs["first_missing"], runs["last_missing"], strict=True):
        ax.axvspan(a - pd.Timedelta(days=3.5), b + pd.Timedelta(days=3.5), color=COLORS["muted"],
                   alpha=0.15, lw=0, label="no report (missing weeks)" if (label and first) else None)
        first = False


def positioning_bars(
    cot: pd.DataFrame,
    prices: pd.DataFrame | None = None,
    groups: Sequence[str] = ("lev_money", "asset_mgr", "dealer"),
    *,
    measure: str = "net",
    start: str | pd.Timestamp | None = None,
    end: str | pd.Timestamp | None = None,
    title: str | None = None,
):
    """Weekly net positions by trader group, one bar panel per group, under the index.

    Parameters
    ----------
    cot : COT frame (``sc.data.load("cot:russell2000")``).
    prices : the index or ETF to draw on top (``close``); optional.
    groups : TFF groups, one panel each.
    measure : "net" (contracts) or "net_pct_oi" (% of open interest).
    start, end : window shown.

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt

    from ..sentiment.positioning import GROUP_LABELS, missing_week_runs, net_positions

    if measure not in ("net", "net_pct_oi"):
        raise ValueError(f"measure: {measure!r} is not 'net' or 'net_pct_oi'")
    table = net_positions(cot, tuple(groups))
    shown = _slice(table, start, end)
    if shown.empty:
        raise ValueError(f"cot: no report between {start} and {end}")
    lo, hi = shown.index[0], shown.index[-1]
    runs = missing_week_runs(table.index)
    runs = runs[(runs["last_missing"] >= lo) & (runs["first_missing"] <= hi)] if len(runs) else runs
    n = len(groups) + (prices is not None)
    with kit_style():
        fig, axes = plt.subplots(n, 1, figsize=(11, 2.1 * n + 1.2), sharex=True,
                                 gridspec_kw={"height_ratios": ([1.4] if prices is not None else []) + [1] * len(groups)})
        axes = np.atleast_1d(axes)
        k = 0
        if prices is not None:
            px = prices["close"].loc[lo - pd.Timedelta(days=7): hi + pd.Timedelta(days=7)]
            axes[0].plot(px.index, px.to_numpy(), color=COLORS["price"], lw=1.0)
            axes[0].set_ylabel(_name(prices, "price"))
            k = 1
        unit = "contracts" if measure == "net" else "% of open interest"
        for ax, g in zip(axes[k:], groups, strict=True):
            v = shown[f"{g}_{measure}"]
            colors = np.where(v.to_numpy() >= 0, COLORS["up"], COLORS["down"])
            column_bars(ax, v.index, v.to_numpy(), 6, colors)
            ax.axhline(0, color=COLORS["muted"], lw=0.8)
            ax.set_ylabel(f"{GROUP_LABELS.get(g, g)}\nnet, {unit}", fontsize=8)
            if len(runs):
                _shade_missing_weeks(ax, runs, label=ax is axes[k])
        if len(runs):
            axes[k].legend(loc="upper left", fontsize=8)
        axes[0].set_title(title or f"{_name(cot, 'COT')}: net positions by trader group "
                          f"({lo:%Y-%m-%d} to {hi:%Y-%m-%d})")
        fig.align_ylabels(axes)
    objs = (cot,) + ((prices,) if prices is not None else ())
    return finish(fig, *objs, params={"groups": list(groups), "measure": measure, "start": start,
                                      "end": end})


def positioning_comparison(
    wide: pd.DataFrame,
    *,
    ylabel: str = "net, % of open interest",
    start: str | pd.Timestamp | None = None,
    end: str | pd.Timestamp | None = None,
    title: str = "Positioning side by side",
    sources: Sequence[pd.DataFrame] = (),
):
    """One positioning measure for several markets (from ``compare_markets``).

    Lines break where a market has no report (missing weeks are not bridged).
    ``sources`` are the COT frames, for the provenance footer.
    """
    import matplotlib.pyplot as plt

    shown = _slice(wide, start, end)
    if shown.empty:
        raise ValueError(f"wide: no rows between {start} and {end}")
    with kit_style():
        fig, ax = plt.subplots(figsize=(11, 4.5))
        for i, col in enumerate(shown.columns):
            s = shown[col]
            # break the line across gaps longer than ~a week and a half
            full = s.dropna()
            gaps = full.index.to_series().diff() > pd.Timedelta(days=10)
            s_plot = full.copy()
            if gaps.any():
                brk = full.index[gaps.to_numpy()] - pd.Timedelta(days=1)
                s_plot = pd.concat([full, pd.Series(np.nan, index=brk)]).sort_index()
            ax.plot(s_plot.index, s_plot.to_numpy(), lw=1.1, label=str(col),
                    color=COLORS["series"][i % len(COLORS["series"])])
        ax.axhline(0, color=COLORS["muted"], lw=0.8)
        ax.set_ylabel(ylabel)
        ax.set_title(title)
        ax.legend(loc="best", ncols=min(4, len(shown.columns)))
    return finish(fig, *sources, params={"start": start, "end": end})


def short_interest_chart(
    metrics: pd.DataFrame,
    prices: pd.DataFrame,
    *,
    start: str | pd.Timestamp | None = None,
    end: str | pd.Timestamp | None = None,
    pad_days: int = 30,
    title: str | None = None,
):
    """Short interest bars against the ETF's price, with days to cover underneath.

    Parameters
    ----------
    metrics : output of ``sc.sentiment.short_interest_metrics`` (``shares_short``,
        optionally ``days_to_cover``).
    prices : the ETF's prices (``close``).
    pad_days : price shown this many days either side of the first and last report.
    """
    import matplotlib.pyplot as plt

    if "shares_short" not in metrics.columns:
        raise ValueError("metrics: needs 'shares_short' (use sc.sentiment.short_interest_metrics)")
    shown = _slice(metrics, start, end)
    if shown.empty:
        raise ValueError(f"metrics: no report between {start} and {end}")
    lo = shown.index[0] - pd.Timedelta(days=pad_days)
    hi = shown.index[-1] + pd.Timedelta(days=pad_days)
    px = prices["close"].loc[lo:hi]
    dtc = "days_to_cover" in shown.columns and shown["days_to_cover"].notna().any()
    with kit_style():
        fig, axes = plt.subplots(2 if dtc else 1, 1, figsize=(11, 6 if dtc else 4.5), sharex=True,
                                 gridspec_kw={"height_ratios": [2, 1] if dtc else [1]})
        axes = np.atleast_1d(axes)
        ax = axes[0]
        column_bars(ax, shown.index, shown["shares_short"].to_numpy() / 1e6, 8, COLORS["band"],
                    edgecolor=COLORS["price"], label="shares short (millions)")
        ax.set_ylabel("shares short, millions")
        ax2 = ax.twinx()
        ax2.plot(px.index, px.to_numpy(), color=COLORS["accent"], lw=1.1, label=f"{_name(prices, 'price')} close")
        ax2.set_ylabel(f"{_name(prices, 'price')} close")
        ax2.grid(False)
        h1, l1 = ax.get_legend_handles_labels()
        h2, l2 = ax2.get_legend_handles_labels()
        ax.legend(h1 + h2, l1 + l2, loc="upper left")
        if dtc:
            axes[1].plot(shown.index, shown["days_to_cover"].to_numpy(), marker="o", ms=3,
                         color=COLORS["price"])
            axes[1].set_ylabel("days to cover")
        ax.set_title(title or f"{_name(metrics, 'short interest')} against price "
                     f"({shown.index[0]:%Y-%m-%d} to {shown.index[-1]:%Y-%m-%d}, {len(shown)} reports)")
    return finish(fig, metrics, prices, params={"start": start, "end": end})


def putcall_chart(
    extremes,
    *,
    ratio: pd.Series | None = None,
    start: str | pd.Timestamp | None = None,
    end: str | pd.Timestamp | None = None,
    title: str | None = None,
):
    """A put/call ratio with its extreme readings marked, and its score underneath.

    Parameters
    ----------
    extremes : :class:`smallcaps.sentiment.Extremes` of the ratio (e.g. of the
        10-day average), computed on the full history.
    ratio : optional daily ratio drawn faintly behind.
    start, end : window shown.
    """
    import matplotlib.pyplot as plt

    t = _slice(extremes.table, start, end)
    if t.empty:
        raise ValueError(f"extremes: no readings between {start} and {end}")
    with kit_style():
        fig, (ax, ax2) = plt.subplots(2, 1, figsize=(11, 6), sharex=True,
                                      gridspec_kw={"height_ratios": [2, 1]})
        if ratio is not None:
            r = _slice(ratio, t.index[0], t.index[-1])
            ax.plot(r.index, r.to_numpy(), color=COLORS["muted"], lw=0.5, alpha=0.6, label="daily")
        ax.plot(t.index, t["value"].to_numpy(), color=COLORS["price"], lw=1.0, label=extremes.name)
        hi = t[t["side"] == 1]
        lo = t[t["side"] == -1]
        ax.scatter(hi.index, hi["value"].to_numpy(), s=9, color=COLORS["down"], zorder=3,
                   label=f"high extreme (score >= {extremes.high:g})")
        ax.scatter(lo.index, lo["value"].to_numpy(), s=9, color=COLORS["up"], zorder=3,
                   label=f"low extreme (score <= {extremes.low:g})")
        ax.set_ylabel("put/call ratio")
        ax.legend(loc="upper left", fontsize=8)
        ax2.plot(t.index, t["score"].to_numpy(), color=COLORS["price"], lw=0.8)
        ax2.axhline(extremes.high, color=COLORS["down"], lw=0.8, ls="--")
        ax2.axhline(extremes.low, color=COLORS["up"], lw=0.8, ls="--")
        ax2.set_ylabel("percentile" if extremes.method == "percentile" else "z-score")
        ax.set_title(title or f"{extremes.name}: extremes against a trailing {extremes.window} window "
                     f"({t.index[0]:%Y-%m-%d} to {t.index[-1]:%Y-%m-%d})")
    return finish(fig, extremes.table, *((ratio,) if ratio is not None else ()),
                  params={"method": extremes.method, "window": extremes.window,
                          "high": extremes.high, "low": extremes.low, "start": start, "end": end})


def sentiment_heat_strip(
    scores: Mapping[str, pd.Series] | pd.DataFrame,
    *,
    freq: str = "ME",
    start: str | pd.Timestamp | None = None,
    end: str | pd.Timestamp | None = None,
    title: str = "Sentiment readings against their own history (percentile)",
    sources: Sequence[pd.DataFrame] = (),
):
    """Percentile (0-100) of several series, one row each, one cell per month.

    Each cell holds the series' last reading in that month; a month without a
    reading is left blank (grey), so coverage gaps stay visible.

    Parameters
    ----------
    scores : name -> percentile Series (or a frame, one column per series).
    freq : cell length ("ME" months, "W" weeks...).
    sources : the loaded frames, for the provenance footer.
    """
    import matplotlib.pyplot as plt
    from matplotlib import colors as mcolors

    items = dict(scores.items()) if isinstance(scores, pd.DataFrame) else dict(scores)
    if not items:
        raise ValueError("scores: give at least one series")
    cols = {}
    for k, s in items.items():
        s = s.dropna()
        if not len(s):
            cols[k] = pd.Series(dtype=float)
            continue
        if not isinstance(s.index, pd.DatetimeIndex):
            raise ValueError(f"scores[{k!r}]: index must be dates")
        cols[k] = s.resample(freq).last()
    grid = pd.concat(cols, axis=1, sort=True)
    grid = _slice(grid, start, end)
    if grid.empty:
        raise ValueError(f"scores: no readings between {start} and {end}")
    full = pd.date_range(grid.index[0], grid.index[-1], freq=freq)
    grid = grid.reindex(full)
    data = np.ma.masked_invalid(grid.to_numpy(dtype=float).T)
    with kit_style():
        fig, ax = plt.subplots(figsize=(11, 0.55 * len(items) + 2.0))
        cmap = plt.get_cmap("RdYlBu_r").with_extremes(bad="#eeeeee")
        x = _edges(full)
        im = ax.pcolormesh(x, np.arange(len(items) + 1), data, cmap=cmap,
                           norm=mcolors.Normalize(0, 100), shading="flat")
        ax.set_yticks(np.arange(len(items)) + 0.5, list(items))
        ax.invert_yaxis()
        ax.xaxis_date()
        ax.grid(False)
        cb = fig.colorbar(im, ax=ax, pad=0.01, fraction=0.03)
        cb.set_label("percentile (grey: no reading)")
        ax.set_title(title)
    return finish(fig, *sources, params={"freq": freq, "start": start, "end": end})


def _edges(index: pd.DatetimeIndex) -> np.ndarray:
    """Cell edges (matplotlib date numbers) for consecutive periods ending on ``index``."""
    import matplotlib.dates as mdates

    idx = pd.DatetimeIndex(index)
    step = idx[1] - idx[0] if len(idx) > 1 else pd.Timedelta(days=30)
    return mdates.date2num(idx.insert(0, idx[0] - step).to_pydatetime())


def event_panels(
    results: Mapping[object, object],
    *,
    sources: Sequence[pd.DataFrame] = (),
    title: str = "Index returns after extreme readings (dated by publication)",
    max_panels: int = 4,
):
    """Event-study paths side by side: mean cumulative return after events vs all days.

    Parameters
    ----------
    results : label -> ``EventStudyResult`` (e.g. from
        :func:`smallcaps.sentiment.extreme_event_study`); studies without events
        are skipped.
    sources : the loaded frames (index prices, sentiment series) for the footer.
    max_panels : at most this many panels, in the order given.
    """
    import matplotlib.pyplot as plt

    keep = [(k, r) for k, r in results.items() if getattr(r, "n_events", 0) > 0][:max_panels]
    if not keep:
        raise ValueError("results: no study has any event to plot")
    with kit_style():
        fig, axes = plt.subplots(1, len(keep), figsize=(11, 4.2), squeeze=False, sharey=True)
        for ax, (k, r) in zip(axes[0], keep, strict=True):
            r.plot(ax=ax)
            label = " / ".join(map(str, k)) if isinstance(k, tuple) else str(k)
            ax.set_title(f"{label} (n={r.n_events})", fontsize=9)
            ax.legend(fontsize=7, loc="upper left")
            if ax is not axes[0][0]:
                ax.set_ylabel("")
        fig.suptitle(title, fontweight="bold")
    return finish(fig, *sources, params={"studies": len(keep)})
