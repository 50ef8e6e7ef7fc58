"""Relative strength: ratio lines, relative performance, return spreads, return tables, rotation.

Everything here is ratio based. The relative performance of A against B from a
start date ``s`` is

.. math::  \\mathrm{rel}_t = \\frac{A_t / A_s}{B_t / B_s} - 1 = \\frac{R_t}{R_s} - 1,
           \\qquad R = A / B,

the percentage change of the ratio line, which chains multiplicatively
(``(1 + rel_{s,u}) = (1 + rel_{s,t})(1 + rel_{t,u})``). The difference of the two
percentage changes, ``A_t/A_s - B_t/B_s``, does not chain and its size depends
on where the two happened to stand at ``s``; it is not used.

Inputs are contract price frames (``close``, optional ``adj_close``) or plain
Series of prices, and mappings ``{name: frame}`` for several symbols. Two bases:

- ``basis="price"``: ``close`` (for ETFs split-adjusted, dividends excluded);
- ``basis="total"``: ``adj_close`` (total return, dividends reinvested). Indices
  (RUT, SPX, NDX, COMPQ) have no total-return series in the kit; functions say so
  (a ``basis`` column or a provenance note) rather than mixing bases silently.

Every function is pure: pandas in, pandas out, inputs untouched. Outputs carry
``attrs["provenance"]`` describing what they were derived from, so notebooks can
print it under each figure or table.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from ._core.inputs import dated_series
from .data.provenance import Provenance, attach

__all__ = [
    "FREQUENCIES",
    "PERIODS",
    "Rotation",
    "aligned",
    "largest_since",
    "performance",
    "period_returns",
    "ratio",
    "relative_performance",
    "return_spread",
    "rotation",
    "spread_extremes",
    "ytd_returns",
]

#: Accepted frequencies and their pandas resampling rule (None = no resampling).
FREQUENCIES: dict[str, str | None] = {"daily": None, "weekly": "W-FRI", "monthly": "ME"}
_FREQ_ALIASES = {"d": "daily", "day": "daily", "w": "weekly", "week": "weekly",
                 "m": "monthly", "month": "monthly", "me": "monthly"}
#: Periods per year of each frequency (for durations in years).
PERIODS_PER_YEAR = {"daily": 252, "weekly": 52, "monthly": 12}

#: Look-back periods understood by :func:`period_returns`.
PERIODS: dict[str, pd.DateOffset | None] = {
    "1D": pd.DateOffset(days=1),
    "1W": pd.DateOffset(weeks=1),
    "1M": pd.DateOffset(months=1),
    "3M": pd.DateOffset(months=3),
    "6M": pd.DateOffset(months=6),
    "YTD": None,
    "1Y": pd.DateOffset(years=1),
    "3Y": pd.DateOffset(years=3),
    "5Y": pd.DateOffset(years=5),
    "10Y": pd.DateOffset(years=10),
}

PriceLike = pd.DataFrame | pd.Series


# --------------------------------------------------------------------------- inputs


def _frequency(frequency: str) -> str:
    if not isinstance(frequency, str):
        raise ValueError(f"frequency: expected one of {', '.join(FREQUENCIES)}, got {frequency!r}")
    f = frequency.strip().lower()
    f = _FREQ_ALIASES.get(f, f)
    if f not in FREQUENCIES:
        raise ValueError(f"frequency: {frequency!r} is not one of {', '.join(FREQUENCIES)}")
    return f


def _basis(basis: str, allow_both: bool = False) -> str:
    ok = ("price", "total", "both") if allow_both else ("price", "total")
    if basis not in ok:
        raise ValueError(f"basis: {basis!r} is not one of {', '.join(ok)}")
    return basis


def _name(obj: Any, default: str) -> str:
    prov = (getattr(obj, "attrs", None) or {}).get("provenance") or {}
    if prov.get("name"):
        return str(prov["name"])
    if isinstance(obj, pd.Series) and obj.name is not None:
        return str(obj.name)
    return default


def _prices(obj: PriceLike, basis: str, label: str) -> tuple[pd.Series, str]:
    """The price series to use and the basis actually used ("price", "total", or
    "price (no total-return series)")."""
    if isinstance(obj, pd.DataFrame):
        if basis == "total" and "adj_close" in obj.columns and obj["adj_close"].notna().any():
            s, used = obj["adj_close"], "total"
        elif "close" in obj.columns:
            s = obj["close"]
            used = "price" if basis == "price" else "price (no total-return series)"
        else:
            raise ValueError(f"{label}: the frame has no 'close' column (columns: {list(obj.columns)})")
    elif isinstance(obj, pd.Series):
        s, used = obj, basis
    else:
        raise TypeError(f"{label}: expected a price DataFrame or Series, got {type(obj).__name__}")
    # the kit's input policy (smallcaps._core.inputs): missing prices are dropped
    s = dated_series(s, label, dropna=True, positive=True)
    if s.empty:
        raise ValueError(f"{label}: no prices (empty, or all NaN)")
    s.attrs = dict(obj.attrs)
    return s, used


def _derived(obj: pd.DataFrame | pd.Series, name: str, sources: Sequence[Any], how: str,
             units: str = "", frequency: str = "", notes: Sequence[str] = (),
             span: tuple[Any, Any] | None = None) -> Any:
    """Attach a 'derived' provenance naming the inputs (synthetic if any input is)."""
    parts, synthetic, all_notes = [], False, list(notes)
    for src in sources:
        d = (getattr(src, "attrs", None) or {}).get("provenance")
        if not d:
            continue
        p = Provenance.from_dict(d)
        synthetic = synthetic or p.synthetic
        parts.append(f"{p.name} ({p.source}, {p.origin}, to {p.last})")
    prov = Provenance(name=name, source="; ".join(parts) or "user data", origin="derived",
                      location=how, units=units, frequency=frequency, synthetic=synthetic,
                      notes=tuple(all_notes))
    idx = obj.index
    if isinstance(idx, pd.DatetimeIndex):
        return attach(obj, prov)
    if isinstance(idx, pd.MultiIndex) and isinstance(idx.levels[0], pd.DatetimeIndex) and len(idx):
        dates = idx.get_level_values(0)
        prov = replace(prov, first=f"{dates.min():%Y-%m-%d}", last=f"{dates.max():%Y-%m-%d}")
    elif span is not None:
        prov = replace(prov, first=f"{pd.Timestamp(span[0]):%Y-%m-%d}",
                       last=f"{pd.Timestamp(span[1]):%Y-%m-%d}")
    obj.attrs["provenance"] = replace(prov, rows=len(obj)).to_dict()  # a table, not a series
    return obj


def _align_note(names: Sequence[str], series: Sequence[pd.Series], out_index: pd.Index) -> list[str]:
    """A note when the inputs do not end (or start) on the same date."""
    notes = []
    lasts = [s.index[-1] for s in series]
    if len({*lasts}) > 1:
        desc = ", ".join(f"{n} ends {d:%Y-%m-%d}" for n, d in zip(names, lasts, strict=True))
        notes.append(f"aligned on common dates ({desc}); last common date "
                     f"{out_index[-1]:%Y-%m-%d}" if len(out_index) else f"no common dates ({desc})")
    return notes


# --------------------------------------------------------------------------- ratio lines


def aligned(a: PriceLike, b: PriceLike, *, frequency: str = "daily", basis: str = "price",
            names: tuple[str, str] | None = None, start: Any = None,
            end: Any = None) -> pd.DataFrame:
    """Two price series on their common dates, optionally resampled.

    Parameters
    ----------
    a, b : price frames (``close``/``adj_close``) or Series.
    frequency : "daily", "weekly" (last common close of each week ending Friday,
        labelled by the Friday) or "monthly" (last close of each month, labelled by
        the month end).
    basis : "price" (close) or "total" (adj_close where it exists).
    names : column names; default the catalog names from provenance.
    start, end : keep only periods in this window (after resampling).

    Returns
    -------
    DataFrame
        Two float columns named after the inputs. Dates where either is missing are
        dropped before resampling, so each period's values come from the same day.
        A provenance note says so when the inputs end on different dates (e.g. NDX
        ends 2026-07-10 while SPX runs to 2026-08-21).
    """
    freq = _frequency(frequency)
    basis = _basis(basis)
    na, nb = names or (_name(a, "a"), _name(b, "b"))
    if na == nb:
        raise ValueError(f"a and b are the same series ({na!r}); a ratio needs two different ones")
    sa, _ = _prices(a, basis, na)
    sb, _ = _prices(b, basis, nb)
    df = pd.concat({na: sa, nb: sb}, axis=1, join="inner", sort=True)
    if df.empty:
        raise ValueError(f"{na} ({sa.index[0]:%Y-%m-%d} to {sa.index[-1]:%Y-%m-%d}) and {nb} "
                         f"({sb.index[0]:%Y-%m-%d} to {sb.index[-1]:%Y-%m-%d}) have no dates in common")
    rule = FREQUENCIES[freq]
    if rule is not None:
        df = df.resample(rule).last().dropna()
    if start is not None or end is not None:
        df = df.loc[pd.Timestamp(start) if start is not None else None:
                    pd.Timestamp(end) if end is not None else None]
        if df.empty:
            raise ValueError(f"{na}/{nb}: no common dates between start={start} and end={end}")
    df.index.name = "date"
    notes = _align_note([na, nb], [sa, sb], df.index)
    return _derived(df, f"{na}, {nb}", [a, b], f"smallcaps.relative.aligned({freq}, {basis})",
                    units="price", frequency=freq, notes=notes)


def ratio(a: PriceLike, b: PriceLike, *, frequency: str = "daily", basis: str = "price",
          names: tuple[str, str] | None = None, start: Any = None, end: Any = None) -> pd.Series:
    """Ratio line ``R_t = A_t / B_t`` on common dates at the chosen frequency.

    A rising line means A outperforms B. Plot it on a log scale: equal percentage
    moves of the ratio then look equal. See :func:`aligned` for the parameters.

    Returns
    -------
    Series
        Named ``"A/B"`` with a derived provenance (inputs, alignment note).
    """
    df = aligned(a, b, frequency=frequency, basis=basis, names=names, start=start, end=end)
    na, nb = df.columns
    r = (df[na] / df[nb]).rename(f"{na}/{nb}")
    prov = Provenance.from_dict(df.attrs["provenance"])
    r.attrs = {}
    return attach(r, replace(prov, name=f"{na}/{nb}", units="ratio",
                             location=prov.location.replace("aligned", "ratio")))


def relative_performance(a: PriceLike, b: PriceLike, start: Any = None, end: Any = None, *,
                         basis: str = "price", frequency: str = "daily") -> pd.Series:
    """Relative performance of A against B since ``start``, ratio based, in percent.

    .. math::  100\\,\\left(\\frac{R_t}{R_0} - 1\\right),\\quad R = A/B,

    where ``R_0`` is the ratio at the last common close on or before ``start``
    (the first common close when ``start`` is None).

    Returns
    -------
    Series
        Percent, 0 at the base date, over ``[base date, end]``.
    """
    r = ratio(a, b, frequency=frequency, basis=basis)
    base_date = _base_date(r.index, start, r.name)
    out = 100.0 * (r.loc[base_date:end] / r.loc[base_date] - 1.0)
    out.name = f"{r.name} relative performance, %"
    out.attrs = {}
    prov = Provenance.from_dict(r.attrs["provenance"])
    return attach(out, replace(prov, units="percent"))


def _base_date(index: pd.DatetimeIndex, start: Any, label: Any) -> pd.Timestamp:
    """The last date on or before ``start`` (the first date when ``start`` is None)."""
    if start is None:
        return index[0]
    start = pd.Timestamp(start)
    pos = index.searchsorted(start, side="right") - 1
    if pos < 0:
        raise ValueError(f"{label}: no data on or before start={start:%Y-%m-%d} "
                         f"(first date {index[0]:%Y-%m-%d})")
    return index[pos]


def performance(prices: Mapping[str, PriceLike], start: Any = None, end: Any = None, *,
                basis: str = "price", base: float = 100.0, common: bool = True) -> pd.DataFrame:
    """Several symbols normalised to ``base`` at a common start (a PerfCharts view).

    .. math::  P^{(i)}_t = \\mathrm{base} \\cdot X^{(i)}_t / X^{(i)}_{s}

    where ``s`` is the last common date on or before ``start``. The ratio of two
    normalised lines is the ratio line normalised the same way, so reading the
    gap between two lines as a ratio (not a difference) is start-independent.

    Parameters
    ----------
    prices : {name: price frame or Series}.
    start, end : window; values before ``start`` are used only to find the base.
    basis : "price" or "total" (see module docstring).
    base : value at the start (100).
    common : keep only dates where every symbol has a value (default); otherwise
        each line runs on its own dates.

    Returns
    -------
    DataFrame
        One column per symbol; ``attrs["basis"]`` gives the basis used per symbol.
    """
    basis = _basis(basis)
    if not isinstance(prices, Mapping) or not prices:
        raise ValueError("prices: expected a non-empty mapping {name: price frame}")
    series, used = {}, {}
    for k, v in prices.items():
        series[k], used[k] = _prices(v, basis, str(k))
    df = pd.concat(series, axis=1, join="inner" if common else "outer", sort=True)
    if df.empty:
        raise ValueError(f"prices: {', '.join(map(str, prices))} have no dates in common")
    base_date = _base_date(df.dropna().index if common else df.index, start, "prices")
    window = df.loc[base_date:end] if end is not None else df.loc[base_date:]
    if not common:
        first = window.apply(lambda c: c.dropna().iloc[0] if c.notna().any() else np.nan)
        out = base * window / first
    else:
        out = base * window / window.iloc[0]
    out.index.name = "date"
    notes = _align_note(list(series), list(series.values()), out.index)
    if any(u.startswith("price (") for u in used.values()):
        notes.append("price basis for " + ", ".join(k for k, u in used.items() if u.startswith("price (")) +
                     " (no total-return series)")
    out = _derived(out, ", ".join(series), list(prices.values()),
                   f"smallcaps.relative.performance(base={base:g} on {base_date:%Y-%m-%d}, {basis})",
                   units=f"index, {base:g} = {base_date:%Y-%m-%d}", notes=notes)
    out.attrs["basis"] = used
    return out


# --------------------------------------------------------------------------- return tables


def _last_on_or_before(s: pd.Series, when: pd.Timestamp) -> tuple[pd.Timestamp | None, float]:
    pos = s.index.searchsorted(when, side="right") - 1
    if pos < 0:
        return None, np.nan
    return s.index[pos], float(s.iloc[pos])


def ytd_returns(prices: Mapping[str, PriceLike], year: int | None = None, as_of: Any = None, *,
                basis: str = "both") -> pd.DataFrame:
    """Year-to-date returns of several symbols, as of any date.

    .. math::  \\mathrm{YTD} = 100\\,(X_{t} / X_{b} - 1)

    with ``b`` the last close of the prior year (on or before 31 December of
    ``year - 1``) and ``t`` the last close on or before ``as_of``.

    Parameters
    ----------
    prices : {name: price frame or Series}.
    year : calendar year (default: the year of ``as_of``, or of the latest date).
    as_of : last date counted (default: 31 December of ``year``, or the latest date).
    basis : "price" (close), "total" (adj_close; falls back to close where there is
        none, said in the ``basis`` column) or "both" (``price_pct`` and
        ``total_pct`` columns; ``total_pct`` is NaN where no total-return series
        exists).

    Returns
    -------
    DataFrame
        Index = symbol; columns ``base_date, as_of_date`` and the return column(s)
        in percent. ``as_of_date`` earlier than ``as_of`` means the series ends
        sooner (or the market was closed).
    """
    basis = _basis(basis, allow_both=True)
    if not isinstance(prices, Mapping) or not prices:
        raise ValueError("prices: expected a non-empty mapping {name: price frame}")
    if as_of is not None:
        as_of = pd.Timestamp(as_of)
    if year is None:
        if as_of is not None:
            year = as_of.year
        else:
            year = max(_prices(v, "price", str(k))[0].index[-1] for k, v in prices.items()).year
    if isinstance(year, bool) or not isinstance(year, (int, np.integer)):
        raise ValueError(f"year: expected an integer year, got {year!r}")
    year_end = pd.Timestamp(year=int(year), month=12, day=31)
    if as_of is None:
        as_of = year_end
    if as_of.year != year:
        raise ValueError(f"as_of={as_of:%Y-%m-%d} is not in year {year}")
    prior_end = pd.Timestamp(year=int(year) - 1, month=12, day=31)
    rows = []
    bases = ("price", "total") if basis == "both" else (basis,)
    for k, v in prices.items():
        row: dict[str, Any] = {"symbol": k}
        for b in bases:
            try:
                s, used = _prices(v, b, str(k))
            except ValueError:
                if b == "total" and basis == "both":
                    row["total_pct"] = np.nan
                    continue
                raise
            if basis == "both" and b == "total" and used != "total":
                row["total_pct"] = np.nan
                continue
            bd, bv = _last_on_or_before(s, prior_end)
            ad, av = _last_on_or_before(s, as_of)
            if bd is None:
                raise ValueError(f"{k}: no close on or before {prior_end:%Y-%m-%d} to base "
                                 f"{year} YTD on (first date {s.index[0]:%Y-%m-%d})")
            if ad is None or ad <= bd:
                raise ValueError(f"{k}: no close in {year} on or before {as_of:%Y-%m-%d}")
            row.setdefault("base_date", bd)
            row.setdefault("as_of_date", ad)
            row[f"{b}_pct" if basis == "both" else "return_pct"] = 100.0 * (av / bv - 1.0)
            if basis != "both":
                row["basis"] = used
        rows.append(row)
    out = pd.DataFrame(rows).set_index("symbol")
    out = _derived(out, f"YTD {year}", list(prices.values()),
                   f"smallcaps.relative.ytd_returns({year}, as of {as_of:%Y-%m-%d}, {basis})",
                   units="percent", span=(out["base_date"].min(), out["as_of_date"].max()))
    return out


def period_returns(prices: Mapping[str, PriceLike], as_of: Any = None, *,
                   periods: Sequence[str] = ("1W", "1M", "3M", "YTD", "1Y", "3Y"),
                   basis: str = "price") -> pd.DataFrame:
    """Returns over standard look-back periods, in percent, as of any date.

    For a period ``p`` the base is the last close on or before ``t - p`` (``YTD``:
    the last close of the prior year), and the return is ``100 (X_t / X_base - 1)``
    with ``t`` the last close on or before ``as_of``.

    Parameters
    ----------
    prices : {name: price frame or Series}.
    as_of : default the latest date across the inputs.
    periods : names from :data:`PERIODS`.
    basis : "price" or "total".

    Returns
    -------
    DataFrame
        Index = symbol; ``as_of_date``, ``basis`` and one column per period (NaN when
        the history is too short).
    """
    basis = _basis(basis)
    bad = [p for p in periods if p not in PERIODS]
    if bad:
        raise ValueError(f"periods: {bad} not understood; use {', '.join(PERIODS)}")
    series = {k: _prices(v, basis, str(k)) for k, v in prices.items()}
    if not series:
        raise ValueError("prices: expected a non-empty mapping {name: price frame}")
    as_of = pd.Timestamp(as_of) if as_of is not None else max(s.index[-1] for s, _ in series.values())
    rows = []
    for k, (s, used) in series.items():
        ad, av = _last_on_or_before(s, as_of)
        if ad is None:
            raise ValueError(f"{k}: no data on or before {as_of:%Y-%m-%d}")
        row: dict[str, Any] = {"symbol": k, "as_of_date": ad, "basis": used}
        for p in periods:
            off = PERIODS[p]
            when = (pd.Timestamp(year=ad.year - 1, month=12, day=31) if off is None else ad - off)
            bd, bv = _last_on_or_before(s, when)
            row[p] = np.nan if bd is None or when < s.index[0] else 100.0 * (av / bv - 1.0)
        rows.append(row)
    out = pd.DataFrame(rows).set_index("symbol")
    return _derived(out, "period returns", list(prices.values()),
                    f"smallcaps.relative.period_returns(as of {as_of:%Y-%m-%d}, {basis})",
                    units="percent", span=(out["as_of_date"].min(), out["as_of_date"].max()))


# --------------------------------------------------------------------------- daily spreads


def _previous_at_least(x: np.ndarray) -> np.ndarray:
    """For each i, the largest j < i with x[j] >= x[i] (-1 when none): a monotonic stack, O(n)."""
    out = np.full(len(x), -1, dtype=np.int64)
    stack: list[int] = []
    for i, v in enumerate(x):
        while stack and x[stack[-1]] < v:
            stack.pop()
        out[i] = stack[-1] if stack else -1
        stack.append(i)
    return out


def largest_since(values: pd.Series, *, side: str = "same") -> pd.Series:
    """For each date, the last earlier date with a value at least as extreme.

    "The widest spread in a year and a half" is ``largest_since(spread)[day]``
    being about 18 months before ``day``.

    Parameters
    ----------
    values : a Series on a DatetimeIndex (NaNs are ignored).
    side : "same" (default): for a positive value, the last earlier value ``>=`` it;
        for a negative one, the last earlier value ``<=`` it; "abs": the last
        earlier value with ``|x_s| >= |x_t|``.

    Returns
    -------
    Series of Timestamps
        NaT where no earlier value is as extreme (a record for the whole sample).
    """
    if side not in ("same", "abs"):
        raise ValueError(f"side: {side!r} is not 'same' or 'abs'")
    if not isinstance(values, pd.Series) or not isinstance(values.index, pd.DatetimeIndex):
        raise ValueError("values: expected a Series with a DatetimeIndex")
    s = values.dropna().astype(float)
    x = s.to_numpy()
    idx = s.index
    if side == "abs":
        j = _previous_at_least(np.abs(x))
    else:
        up, dn = _previous_at_least(x), _previous_at_least(-x)
        j = np.where(x >= 0, up, dn)
    dates = np.where(j >= 0, idx.to_numpy()[np.maximum(j, 0)], np.datetime64("NaT"))
    out = pd.Series(pd.DatetimeIndex(dates), index=idx, name="largest_since")
    return out.reindex(values.index)


def return_spread(a: PriceLike, b: PriceLike, *, basis: str = "price") -> pd.DataFrame:
    """Daily returns of A and B and their spread in percentage points.

    .. math::  r^A_t = 100\\,(A_t/A_{t-1} - 1),\\quad s_t = r^A_t - r^B_t \\;[\\mathrm{pp}]

    on the common trading dates (``t-1`` = previous common date).

    Returns
    -------
    DataFrame
        Columns ``<A>_pct``, ``<B>_pct``, ``spread_pp``, ``largest_since`` (last
        earlier day with a spread at least as wide in the same direction; NaT = the
        widest in the sample so far) and ``days_since`` (calendar days back to it).
    """
    df = aligned(a, b, frequency="daily", basis=basis)
    na, nb = df.columns
    rets = 100.0 * (df / df.shift(1) - 1.0)
    rets = rets.iloc[1:]
    out = pd.DataFrame({f"{na}_pct": rets[na], f"{nb}_pct": rets[nb]})
    out["spread_pp"] = rets[na] - rets[nb]
    since = largest_since(out["spread_pp"])
    out["largest_since"] = since
    out["days_since"] = (out.index.to_series() - since).dt.days.astype("float64")
    out.attrs = {}
    prov = Provenance.from_dict(df.attrs["provenance"])
    return attach(out, replace(prov, name=f"{na} - {nb} daily spread", units="percentage points",
                               location="smallcaps.relative.return_spread"))


def spread_extremes(spread: pd.DataFrame, n: int = 10, *, side: str = "both",
                    start: Any = None, end: Any = None) -> pd.DataFrame:
    """The ``n`` widest daily spreads, with how long since one was as wide.

    Parameters
    ----------
    spread : the frame of :func:`return_spread` (look-backs use its full history,
        so a spread in the window can be "the widest since" a date before it).
    n : how many.
    side : "both" (largest absolute), "up" (A beat B) or "down".
    start, end : only days in this window are ranked.

    Returns
    -------
    DataFrame
        Index = date, the spread columns, ``largest_since``, ``years_since``,
        sorted from the widest.
    """
    if side not in ("both", "up", "down"):
        raise ValueError(f"side: {side!r} is not 'both', 'up' or 'down'")
    if not isinstance(spread, pd.DataFrame) or "spread_pp" not in spread.columns:
        raise ValueError("spread: expected the frame returned by return_spread() (needs 'spread_pp')")
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"n: expected a positive integer, got {n!r}")
    w = spread.loc[pd.Timestamp(start) if start is not None else None:
                   pd.Timestamp(end) if end is not None else None]
    key = {"both": w["spread_pp"].abs(), "up": w["spread_pp"], "down": -w["spread_pp"]}[side]
    top = w.loc[key.sort_values(ascending=False).index[:n]].copy()
    top["years_since"] = top["days_since"] / 365.25
    top.attrs = dict(spread.attrs)
    return top


# --------------------------------------------------------------------------- rotation


def _zscore(x: pd.Series, window: int) -> pd.Series:
    m = x.rolling(window, min_periods=window).mean()
    sd = x.rolling(window, min_periods=window).std(ddof=0)
    return (x - m) / sd.where(sd > 0)


_QUADRANTS = {(True, True): "leading", (True, False): "weakening",
              (False, False): "lagging", (False, True): "improving"}


@dataclass(frozen=True)
class Rotation:
    """RRG-style rotation of several symbols against one benchmark.

    Attributes
    ----------
    frame : long frame indexed by (date, symbol) with ``rs`` (the smoothed log
        ratio), ``rs_ratio``, ``rs_momentum``, ``quadrant``.
    benchmark : name of the benchmark.
    window, lag, smooth : the parameters of :func:`rotation`.
    frequency : of the dates.
    """

    frame: pd.DataFrame
    benchmark: str
    window: int
    lag: int
    frequency: str
    smooth: int = 5

    @property
    def symbols(self) -> list[str]:
        return list(dict.fromkeys(self.frame.index.get_level_values("symbol")))

    def path(self, symbol: str, tail: int = 12) -> pd.DataFrame:
        """The last ``tail`` points of one symbol's (RS-Ratio, RS-Momentum) path."""
        if symbol not in self.symbols:
            raise ValueError(f"symbol: {symbol!r} is not one of {', '.join(self.symbols)}")
        f = self.frame.xs(symbol, level="symbol").dropna(subset=["rs_ratio", "rs_momentum"])
        return f.iloc[-tail:]

    def latest(self) -> pd.DataFrame:
        """The last defined point of each symbol: RS-Ratio, RS-Momentum, quadrant."""
        rows = []
        for s in self.symbols:
            p = self.path(s, 1)
            if len(p):
                rows.append({"symbol": s, "date": p.index[-1], **p.iloc[-1].to_dict()})
        if not rows:
            raise ValueError("rotation: no symbol has a defined point yet (history shorter than the warm-up)")
        return pd.DataFrame(rows).set_index("symbol")

    def summary(self) -> pd.DataFrame:
        return self.latest()

    def to_frame(self) -> pd.DataFrame:
        return self.frame


def rotation(prices: Mapping[str, PriceLike], benchmark: PriceLike, *, window: int = 26,
             lag: int = 4, smooth: int = 5, frequency: str = "weekly",
             basis: str = "price") -> Rotation:
    """An open RRG-style rotation: RS-Ratio and RS-Momentum, normalised around 100.

    This is an open approximation of J. de Kempenaer's Relative Rotation Graph
    measures (JdK RS-Ratio and RS-Momentum, whose exact formulas are proprietary),
    built from rolling z-scores so that both axes are centred on 100 with a
    unit of one rolling standard deviation:

    .. math::

        \\mathrm{RS}_t &= \\mathrm{EMA}_s\\big(\\ln(X_t / B_t)\\big) \\\\
        \\text{RS-Ratio}_t &= 100 + z_n(\\mathrm{RS})_t \\\\
        \\text{RS-Momentum}_t &= 100 + z_n\\big(\\text{RS-Ratio}_t - \\text{RS-Ratio}_{t-k}\\big)

    where :math:`z_n(x)_t = (x_t - \\bar x_{t-n+1..t}) / \\mathrm{sd}(x_{t-n+1..t})`
    over the last ``n = window`` periods, ``k = lag``, and :math:`\\mathrm{EMA}_s` an
    exponential average with span ``s = smooth`` (``alpha = 2/(s+1)``, seeded with the
    first value; ``smooth=1`` = no smoothing), which calms the weekly noise so the
    paths can be read. RS-Ratio > 100: relative
    strength above its recent mean (trend); RS-Momentum > 100: that trend is
    rising faster than usual. Quadrants: leading (>100, >100), weakening (>100,
    <100), lagging (<100, <100), improving (<100, >100); symbols typically rotate
    clockwise through them. Values are NaN for the first ``2 window + lag - 2``
    periods (warm-up). Defaults (weekly, n = 26, k = 4, s = 5) were chosen so that
    RUT/SPX paths move in small steps and mostly clockwise; they are not JdK's.

    Parameters
    ----------
    prices : {name: price frame or Series} of the symbols to place.
    benchmark : price frame or Series.
    window : z-score window ``n`` in periods (>= 5).
    lag : momentum look-back ``k`` in periods (>= 1).
    smooth : EMA span ``s`` applied to the log ratio (>= 1).
    frequency : "daily", "weekly" or "monthly".
    basis : "price" or "total".

    Returns
    -------
    Rotation
    """
    for label, v, lo in (("window", window, 5), ("lag", lag, 1), ("smooth", smooth, 1)):
        if isinstance(v, bool) or not isinstance(v, int) or v < lo:
            raise ValueError(f"{label}: expected an integer >= {lo}, got {v!r}")
    if not isinstance(prices, Mapping) or not prices:
        raise ValueError("prices: expected a non-empty mapping {name: price frame}")
    bname = _name(benchmark, "benchmark")
    parts = []
    for k, v in prices.items():
        df = aligned(v, benchmark, frequency=frequency, basis=basis, names=(str(k), bname))
        need = 2 * window + lag - 1
        if len(df) < need:
            raise ValueError(f"{k}: {len(df)} {frequency} periods in common with {bname}; the "
                             f"rotation needs at least {need} (2 window + lag - 1)")
        rs = np.log(df[str(k)] / df[bname]).ewm(span=smooth, adjust=False).mean()
        rr = 100.0 + _zscore(rs, window)
        rm = 100.0 + _zscore(rr - rr.shift(lag), window)
        quad = pd.Series(
            [_QUADRANTS[(a > 100, m > 100)] if pd.notna(a) and pd.notna(m) else None
             for a, m in zip(rr, rm, strict=True)], index=rs.index, dtype="object")
        f = pd.DataFrame({"rs": rs, "rs_ratio": rr, "rs_momentum": rm, "quadrant": quad})
        f["symbol"] = str(k)
        parts.append(f)
    frame = pd.concat(parts).reset_index().set_index(["date", "symbol"]).sort_index()
    frame = _derived(frame, f"rotation vs {bname}", [*prices.values(), benchmark],
                     f"smallcaps.relative.rotation(window={window}, lag={lag}, smooth={smooth}, {frequency})",
                     units="RS-Ratio / RS-Momentum (100 = neutral)", frequency=_frequency(frequency))
    return Rotation(frame, bname, window, lag, _frequency(frequency), smooth)
