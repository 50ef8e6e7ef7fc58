"""Price bases for ETFs: a dividend-adjusted history "as of" a chosen day.

Vendors adjust an ETF's history for dividends backwards from *today*: every
ex-date multiplies all earlier prices by ``1 - dividend / previous close``. A chart
drawn on day ``D`` therefore showed a different adjusted history from one drawn
now. With ``F(t) = adj_close(t) / close(t)`` (the cumulative factor of the current
vintage), the history a chart on ``D`` showed is

    ``price_D(t) = price(t) * F(t) / F(D)``  for ``t <= D``

(ex-dates after ``D`` cancel out of the ratio), so a strategist's figure quoted from
such a chart can be reproduced.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from .errors import DataError

_OHLC = ("open", "high", "low", "close")


def adjusted_as_of(prices: pd.DataFrame, as_of: Any) -> pd.DataFrame:
    """Dividend-adjusted prices as a chart on ``as_of`` showed them.

    Parameters
    ----------
    prices : ETF price frame with ``close`` (split-adjusted, not dividend-adjusted)
        and ``adj_close`` (dividend-adjusted in the data's vintage).
    as_of : the chart's date ``D``; rows after it are dropped.

    Returns
    -------
    Frame on the rows up to ``as_of`` with open/high/low/close multiplied by
    ``F(t) / F(D)``; ``adj_close`` is dropped, ``volume`` kept as is, and
    ``attrs["basis"]`` says which basis it is.

    Raises
    ------
    DataError
        If ``adj_close`` is missing or empty (price indices carry none), or ``as_of``
        is before the first row.
    """
    name = str(prices.attrs.get("provenance", {}).get("name", "prices"))
    for col in ("close", "adj_close"):
        if col not in prices.columns:
            raise DataError(name, f"no '{col}' column: an adjusted basis needs close and adj_close")
    d = pd.Timestamp(as_of)
    df = prices.loc[:d]
    if df.empty:
        raise DataError(name, f"as_of {d.date()} is before the first row ({prices.index[0].date()})")
    factor = df["adj_close"].astype(float) / df["close"].astype(float)
    if factor.isna().all():
        raise DataError(name, "adj_close is empty: no dividend adjustment to apply (a price index?)")
    last = factor.dropna()
    f_d = float(last.iloc[-1])
    out = df.drop(columns=["adj_close"]).copy()
    rel = factor / f_d
    for col in _OHLC:
        if col in out.columns:
            out[col] = out[col].astype(float) * rel
    out.attrs = dict(prices.attrs)
    out.attrs["basis"] = f"dividend-adjusted as of {last.index[-1]:%Y-%m-%d}"
    return out
