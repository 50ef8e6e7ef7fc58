"""Cboe put/call ratios: daily, N-day average and cumulative ratios.

For a product (``total``, ``equity`` or ``index``) with daily put volume ``P`` and
call volume ``C``:

- daily ratio ``r_t = P_t / C_t``;
- N-day average ``avg_N(t) = mean(r_{t-N+1..t})`` (the usual "10-day put/call");
- N-day cumulative ratio ``cum_N(t) = sum(P_{t-N+1..t}) / sum(C_{t-N+1..t})``,
  which weights each day by its volume, so a quiet holiday session with an odd
  ratio moves it less than it moves the average.

High ratios mean option buyers are buying protection (fear), low ratios that they
are complacent; contrarians read both ends. Percentiles and extremes come from
:mod:`smallcaps.sentiment.extremes`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..data.errors import DataError

__all__ = ["PRODUCTS", "putcall_metrics", "putcall_ratio"]

PRODUCTS = ("total", "equity", "index")


def _name(df: pd.DataFrame) -> str:
    return str((df.attrs.get("provenance") or {}).get("name", "putcall"))


def _volumes(pc: pd.DataFrame, product: str) -> tuple[pd.Series, pd.Series]:
    if not isinstance(pc, pd.DataFrame):
        raise TypeError(f"pc: expected the put/call DataFrame, got {type(pc).__name__}")
    if product not in PRODUCTS:
        raise ValueError(f"product: {product!r} is not one of {', '.join(PRODUCTS)}")
    name = _name(pc)
    cols = (f"{product}_put_volume", f"{product}_call_volume")
    missing = [c for c in cols if c not in pc.columns]
    if missing:
        raise DataError(name, f"missing column(s) {', '.join(missing)}",
                        hint="load it with sc.data.load('putcall')")
    if not isinstance(pc.index, pd.DatetimeIndex) or not pc.index.is_monotonic_increasing \
            or not pc.index.is_unique:
        raise DataError(name, "index must be unique ascending dates")
    puts = pd.to_numeric(pc[cols[0]], errors="coerce").astype(float)
    calls = pd.to_numeric(pc[cols[1]], errors="coerce").astype(float)
    bad = pc.index[((puts < 0) | (calls < 0)).to_numpy()]
    if len(bad):
        raise DataError(name, f"negative {product} volume", rows=[str(d.date()) for d in bad])
    return puts, calls


def putcall_ratio(pc: pd.DataFrame, product: str = "total") -> pd.Series:
    """Daily put/call volume ratio ``puts / calls`` (NaN on a day with no calls)."""
    puts, calls = _volumes(pc, product)
    r = puts / calls.where(calls > 0)
    r.name = f"{product}_pc"
    r.attrs = dict(pc.attrs)
    return r


def putcall_metrics(
    pc: pd.DataFrame, product: str = "total", windows: Sequence[int] = (10, 21)
) -> pd.DataFrame:
    """Daily, N-day average and N-day cumulative put/call ratios of one product.

    Parameters
    ----------
    pc : frame from ``sc.data.load("putcall")`` (``{product}_put_volume``,
        ``{product}_call_volume``).
    product : "total", "equity" or "index".
    windows : trading-day windows ``N``.

    Returns
    -------
    DataFrame on trading days: ``puts``, ``calls``, ``ratio`` (daily), and per
    ``N``: ``avg_N`` (mean of daily ratios) and ``cum_N`` (sum of puts / sum of
    calls); NaN until ``N`` days are available.
    """
    puts, calls = _volumes(pc, product)
    out = pd.DataFrame({"puts": puts, "calls": calls})
    out["ratio"] = puts / calls.where(calls > 0)
    for n in windows:
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
            raise ValueError(f"windows: expected positive integers, got {n!r}")
        out[f"avg_{n}"] = out["ratio"].rolling(n, min_periods=n).mean()
        sc_ = calls.rolling(n, min_periods=n).sum()
        out[f"cum_{n}"] = puts.rolling(n, min_periods=n).sum() / sc_.where(sc_ > 0)
    if "published" in pc.columns:
        out["published"] = pc["published"]
        if "usable_from" in pc.columns:
            out["usable_from"] = pc["usable_from"]
    out.attrs = dict(pc.attrs)
    return out
