"""A small chart of what the data say around a claim's date (used for refuted claims)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from .. import technicals
from .verdicts import Report, Result

__all__ = ["claim_chart", "why_no_chart"]

_PANEL_INDICATORS = ("rsi", "atr")


def why_no_chart(result: Result, report: Report) -> str | None:
    """One sentence on why a claim has no chart, or None when it has one."""
    m = result.measurement
    if m is None:
        return f"{result.id}: nothing was measured ({result.verdict}), so there is nothing to draw."
    if result.claim.kind == "correlation":
        return (f"{result.id}: a correlation is one number over the whole window; the note above "
                "gives it for every transformation and basis.")
    if m.symbol is None and result.claim.kind not in ("margin_record", "short_interest"):
        return f"{result.id}: this kind has no chart."
    if report.context is None:
        return f"{result.id}: the report carries no data to draw."
    return None


def _expected(result: Result, key: str) -> Any:
    e = result.claim.expect
    return e.get(key) if isinstance(e, dict) else e


def claim_chart(result: Result, report: Report, sessions: int = 60) -> Any:
    """Price (or the sentiment series) around the claim's date, with what was claimed.

    Parameters
    ----------
    result : a checked claim with a measurement (see :func:`why_no_chart`).
    report : its report (the data as public at ``as_of``).
    sessions : bars shown before the date (and up to 10 after it, within ``as_of``).

    Returns
    -------
    matplotlib Figure, stamped with the data's provenance.
    """
    import matplotlib.pyplot as plt

    from ..charts._style import COLORS, finish, kit_style

    reason = why_no_chart(result, report)
    if reason:
        raise ValueError(reason)
    m, c = result.measurement, result.claim
    assert m is not None and report.context is not None
    params = {"claim": c.id, "as_of": f"{report.as_of:%Y-%m-%d}" if report.as_of is not None
              else "latest"}
    title = f"{c.id}: {c.text or c.kind}"
    title = title if len(title) <= 90 else title[:87] + "..."
    with kit_style():
        if c.kind in ("margin_record", "short_interest"):
            name = "margin_debt" if c.kind == "margin_record" else f"short_interest:{c.check['symbol']}"
            df = report.context.series(name)
            col = "debit_balances_margin_accounts" if c.kind == "margin_record" else "shares_short"
            s = df[col].loc[: m.date].iloc[-36:]
            fig, ax = plt.subplots(figsize=(9, 3.8))
            ax.plot(s.index, s.to_numpy(), color=COLORS["price"], marker="o", ms=3, label=name)
            ax.axvline(m.date, color=COLORS["muted"], lw=0.8, ls=":")
            ax.set_title(title)
            ax.legend(loc="best")
            return finish(fig, df, params=params)
        prices = report.context.prices(m.symbol)
        pos = prices.index.get_loc(m.date)
        first = pos - sessions
        if c.kind == "range":  # the whole period claimed, and the range the kit found
            starts = [pd.Timestamp(c.check["start"]), m.values.get("start") or m.date]
            first = min(first, int(prices.index.searchsorted(min(starts))) - 10)
        lo, hi = max(0, first), min(len(prices), pos + 11)
        win = prices.iloc[lo:hi]
        panel = c.kind == "indicator" and c.check.get("indicator") in _PANEL_INDICATORS
        fig, axes = plt.subplots(2 if panel else 1, 1, figsize=(9, 5.2 if panel else 3.8),
                                 sharex=True, squeeze=False,
                                 gridspec_kw={"height_ratios": [2, 1]} if panel else None)
        ax = axes[0, 0]
        ax.fill_between(win.index, win["low"].to_numpy(), win["high"].to_numpy(),
                        color=COLORS["band"], label="daily range")
        ax.plot(win.index, win["close"].to_numpy(), color=COLORS["price"], lw=1.2,
                label=f"{m.symbol} close")
        ax.axvline(m.date, color=COLORS["muted"], lw=0.8, ls=":")
        if c.kind == "indicator":
            ind, n = c.check["indicator"], int(c.check["window"])
            line = {"sma": technicals.sma, "ema": technicals.ema, "rsi": technicals.rsi}.get(ind)
            full = technicals.atr(prices, n) if ind == "atr" else line(prices["close"], n)
            target = axes[1, 0] if panel else ax
            target.plot(full.index[lo:hi], full.iloc[lo:hi].to_numpy(), color=COLORS["accent"],
                         label=f"{ind.upper()}({n})")
            target.axhline(float(_expected(result, "value")), color=COLORS["down"], ls="--",
                           lw=1, label=f"claimed {_expected(result, 'value')}")
            target.legend(loc="best", fontsize=8)
        elif c.kind == "ma_order":
            for w in c.check["windows"]:
                ma = technicals.sma(prices["close"], int(w))
                ax.plot(ma.index[lo:hi], ma.iloc[lo:hi].to_numpy(), lw=1, label=f"{w}-day")
        elif c.kind == "level_test":
            ax.axhline(float(c.check["level"]), color=COLORS["accent"], ls="--", lw=1,
                       label=f"level {c.check['level']}")
            start = prices.index[pos - int(c.check["sessions"]) + 1]
            ax.axvspan(start, m.date, color=COLORS["muted"], alpha=0.12, label="sessions counted")
        elif c.kind == "close":
            ax.axhline(float(_expected(result, "value")), color=COLORS["down"], ls="--", lw=1,
                       label=f"claimed {_expected(result, 'value')}")
        elif c.kind == "drawdown" and _expected(result, "pct") is not None:
            peak = float(m.values["peak"])
            level = peak * (1 + float(_expected(result, "pct")) / 100)
            ax.axhline(level, color=COLORS["down"], ls="--", lw=1,
                       label=f"{_expected(result, 'pct')}% from the {m.values['peak_date']:%Y-%m-%d} peak")
        elif c.kind == "range":
            if m.values.get("low") is not None:
                ax.axhspan(m.values["low"], m.values["high"], color=COLORS["accent"], alpha=0.12,
                           label=f"kit band {m.values['low']:,.0f}-{m.values['high']:,.0f}")
            for key in ("low", "high"):
                if _expected(result, key) is not None and isinstance(c.expect, dict):
                    ax.axhline(float(c.expect[key]), color=COLORS["down"], ls="--", lw=1,
                               label=f"claimed {key} {c.expect[key]}")
            ax.axvspan(pd.Timestamp(c.check["start"]), pd.Timestamp(c.check["end"]),
                       color=COLORS["muted"], alpha=0.08, label="period claimed")
        ax.set_title(title)
        ax.legend(loc="best", fontsize=8)
        return finish(fig, prices, params=params)
