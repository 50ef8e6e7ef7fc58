"""Figures for :mod:`smallcaps.stats` results: each returns a matplotlib Figure.

Every function draws through the result's own ``.plot(ax)`` (or plain
matplotlib), applies the kit style and ends with :func:`finish`, which writes
the data's provenance under the figure.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from ._style import COLORS, finish, kit_style

__all__ = [
    "cross_correlogram",
    "dual_log_chart",
    "event_study_chart",
    "levels_vs_changes",
    "predictive_chart",
    "rolling_correlation_chart",
    "turning_points_chart",
]


def _carriers(*provs: Any) -> list[pd.Series]:
    """Empty Series carrying provenance dicts, so finish() can list them."""
    out = []
    for p in provs:
        if isinstance(p, dict) and p:
            s = pd.Series(dtype=float)
            s.attrs["provenance"] = p
            out.append(s)
    return out


def _report_sources(report: Any) -> list[pd.Series]:
    attrs = getattr(getattr(report, "data", None), "attrs", {}) or {}
    return _carriers(attrs.get("x_provenance"), attrs.get("y_provenance"))


def _new(figsize: tuple[float, float] = (11, 5.5), ncols: int = 1) -> tuple[Any, Any]:
    import matplotlib.pyplot as plt

    return plt.subplots(1, ncols, figsize=figsize)


def dual_log_chart(
    x: pd.Series,
    y: pd.Series,
    *,
    comparison: Any = None,
    names: tuple[str, str] | None = None,
    title: str | None = None,
    params: Mapping[str, Any] | None = None,
):
    """Two series on their own log scales (twin axes), turning points marked.

    Parameters
    ----------
    x, y : Series (e.g. monthly index closes and margin debt).
    comparison : optional :class:`~smallcaps.stats.TurningPointComparison` of the
        same series; its peaks (v) and troughs (^) are drawn.
    names : labels (default the series names).
    """
    nx, ny = names if names is not None else (str(x.name or "x"), str(y.name or "y"))
    with kit_style():
        fig, ax = _new()
        if comparison is not None:
            comparison.plot(ax)
        else:
            ax2 = ax.twinx()
            for axis, s, color, nm in ((ax, x, COLORS["price"], nx), (ax2, y, COLORS["accent"], ny)):
                axis.plot(s.index, s.to_numpy(), color=color, lw=1.2, label=nm)
                axis.set_yscale("log")
                axis.set_ylabel(f"{nm} (log scale)", color=color)
            ax2.grid(False)
        ax.set_title(title or f"{nx} and {ny}, log scales")
        fig.tight_layout()
    return finish(fig, x, y, params=params)


def rolling_correlation_chart(report: Any, *, title: str | None = None,
                              params: Mapping[str, Any] | None = None):
    """Rolling correlation of log changes and of log levels from a
    :class:`~smallcaps.stats.CorrelationReport`."""
    with kit_style():
        fig, ax = _new()
        report.plot(ax, kind="rolling")
        if title:
            ax.set_title(title)
        fig.tight_layout()
    p = {"window": report.sample["window"], "basis": report.sample["basis"], **(params or {})}
    return finish(fig, *_report_sources(report), params=p)


def levels_vs_changes(report: Any, *, params: Mapping[str, Any] | None = None):
    """Why levels mislead: scatter of log levels (left) and of log changes (right)."""
    d = report.data
    s = report.sample
    t = report.table
    with kit_style():
        fig, (a1, a2) = _new((11, 4.8), ncols=2)
        lx = d["log_x"] if d["log_x"].notna().any() else d["x"]
        ly = d["log_y"] if d["log_y"].notna().any() else d["y"]
        a1.scatter(lx, ly, s=8, c=range(len(d)), cmap="viridis")
        a1.set_xlabel(f"log {s['x']}")
        a1.set_ylabel(f"log {s['y']}")
        a1.set_title(f"Log levels: r = {t.loc['log levels', 'r']:.3f} (colour = time)")
        a2.scatter(d["dlog_x"] * 100, d["dlog_y"] * 100, s=8, color=COLORS["price"], alpha=0.6)
        a2.set_xlabel(f"{s['x']} monthly log change (%)")
        a2.set_ylabel(f"{s['y']} monthly log change (%)")
        ch = t.loc["log changes"]
        a2.set_title(f"Log changes: r = {ch['r']:.3f} [{ch['ci_low']:.2f}, {ch['ci_high']:.2f}]")
        fig.tight_layout()
    return finish(fig, *_report_sources(report), params={"basis": s["basis"], **(params or {})})


def cross_correlogram(result: Any, *, title: str | None = None,
                      params: Mapping[str, Any] | None = None, sources: tuple = ()):
    """Bars of the prewhitened cross-correlation by lag with the band
    (a :class:`~smallcaps.stats.CrossCorrelationResult` or ``LeadLagResult``)."""
    ccf = getattr(result, "ccf", result)
    with kit_style():
        fig, ax = _new()
        ccf.plot(ax)
        if title:
            ax.set_title(title)
        fig.tight_layout()
    p = {"max_lag": int(ccf.table.index.max()), "ar_order": ccf.ar_order, **(params or {})}
    return finish(fig, *sources, params=p)


def turning_points_chart(comparison: Any, *, title: str | None = None,
                         params: Mapping[str, Any] | None = None):
    """Both series on log scales with their dated peaks and troughs."""
    with kit_style():
        fig, ax = _new()
        comparison.plot(ax)
        if title:
            ax.set_title(title)
        fig.tight_layout()
    p = {"thresholds": list(comparison.thresholds), **(params or {})}
    return finish(fig, comparison.x, comparison.y, params=p)


def event_study_chart(result: Any, *, title: str | None = None,
                      params: Mapping[str, Any] | None = None):
    """Mean cumulative forward return after events vs all days
    (an :class:`~smallcaps.stats.EventStudyResult`)."""
    with kit_style():
        fig, ax = _new()
        result.plot(ax)
        if title:
            ax.set_title(title)
        fig.tight_layout()
    p = {k: result.params[k] for k in ("horizons", "kind", "min_gap", "entry_lag")}
    return finish(fig, result.events, params={**p, **(params or {})})


def predictive_chart(result: Any, horizon: int | None = None, *, title: str | None = None,
                     params: Mapping[str, Any] | None = None, sources: tuple = ()):
    """Forward return against the signal, with the OLS line and HAC t-statistic
    (a :class:`~smallcaps.stats.PredictiveResult`)."""
    with kit_style():
        fig, ax = _new()
        result.plot(ax, horizon=horizon)
        if title:
            ax.set_title(title)
        fig.tight_layout()
    return finish(fig, *sources, params={"align": result.align, **(params or {})})
