"""Market breadth of a universe, point in time: participation, new highs/lows, A/D.

Public API::

    b = sc.breadth.breadth("russell2000", start="2019-01-01")   # daily frame
    sc.breadth.provenance_line(b)                                # footer text
    sc.breadth.episodes(b["pct_above_200d"], below=20)           # washed-out starts

On each date only that date's members count (:func:`smallcaps.universe.membership`,
latest observation on or before the date); each member's averages and highs use its
own whole price history up to the date, so a reading never depends on ``start``
(the whole history up to ``end`` is computed, then cut). Members without a price
that day are counted (``members_without_prices``) and reported, never dropped.

Columns of :func:`breadth`:

=========================  ==========================================================
``members_listed``         members of the universe that day (membership data)
``members``                members with a price that day
``members_without_prices`` the difference (no price file, halted, not yet listed)
``coverage_pct``           ``100 * members / members_listed``
``pct_above_50d`` ...      % of members with a 50-day average whose close is above it
                           (one column per window; ``n_50d``: how many had one)
``new_52w_highs/lows``     members whose close is above (below) every close of the
                           previous 251 sessions (closing basis; ``basis="intraday"``
                           uses highs and lows); ``n_52w``: members with 252 sessions
``advances/declines``      members up/down on the previous session's close
``unchanged``              members unchanged
``net_advances``           advances - declines
``ad_line``                cumulative net advances from the first date of the data
``mcclellan_oscillator``   EMA(19) - EMA(39) (alphas 0.10 / 0.05) of ratio-adjusted
                           net advances ``1000 (A - D) / (A + D)`` (ratio-adjusted
                           because the number of members with prices changes)
``mcclellan_summation``    cumulative sum of the oscillator
``ew_return``              equal-weight mean daily return of members (``adj_close``:
                           total return)
``ew_index``               100 x cumulative ``ew_return`` from the first date of data
=========================  ==========================================================
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..data.errors import DataError
from ..data.provenance import Provenance, attach
from .kernel import add_sums, breadth_sums

__all__ = ["breadth", "breadth_from_panel", "breadth_sums", "episodes", "provenance_line",
           "warm_compiled"]


def _ts(value, what: str) -> pd.Timestamp | None:
    if value is None:
        return None
    try:
        ts = pd.Timestamp(value)
    except (ValueError, TypeError):
        raise DataError("breadth", f"{what} {value!r} is not a date (use ISO format)") from None
    if ts is pd.NaT:
        raise DataError("breadth", f"{what} {value!r} is not a date")
    return ts


def _frame(sums: dict[str, np.ndarray], dates: pd.DatetimeIndex, windows: Sequence[int],
           hl_window: int) -> pd.DataFrame:
    listed = sums["listed"].astype(float)
    priced = sums["priced"]
    with np.errstate(invalid="ignore", divide="ignore"):
        out = {
            "members_listed": sums["listed"],
            "members": priced,
            "members_without_prices": sums["listed"] - priced,
            "coverage_pct": np.where(listed > 0, 100.0 * priced / listed, np.nan),
        }
        for w in windows:
            n = sums[f"n_{w}"]
            out[f"pct_above_{w}d"] = np.where(n > 0, 100.0 * sums[f"above_{w}"] / n, np.nan)
            out[f"n_{w}d"] = n
        label = "52w" if hl_window == 252 else f"{hl_window}d"
        out[f"new_{label}_highs"] = sums["highs"]
        out[f"new_{label}_lows"] = sums["lows"]
        out[f"n_{label}"] = sums["n_hl"]
        adv, dec = sums["adv"], sums["dec"]
        out["advances"] = adv
        out["declines"] = dec
        out["unchanged"] = sums["unch"]
        out["net_advances"] = adv - dec
        out["ad_line"] = np.cumsum(adv - dec)
        tot = adv + dec
        rana = np.where(tot > 0, 1000.0 * (adv - dec) / np.where(tot > 0, tot, 1), 0.0)
        ew = np.where(sums["ret_n"] > 0, sums["ret_sum"] / np.where(sums["ret_n"] > 0, sums["ret_n"], 1),
                      np.nan)
    df = pd.DataFrame(out, index=pd.DatetimeIndex(dates, name="date"))
    r = pd.Series(rana, index=df.index)
    osc = r.ewm(alpha=0.10, adjust=False).mean() - r.ewm(alpha=0.05, adjust=False).mean()
    df["mcclellan_oscillator"] = osc
    df["mcclellan_summation"] = osc.cumsum()
    df["ew_return"] = ew
    df["ew_index"] = 100.0 * np.cumprod(1.0 + np.nan_to_num(ew, nan=0.0))
    return df


def breadth_from_panel(close: pd.DataFrame, member: pd.DataFrame | np.ndarray, *,
                       windows: Sequence[int] = (50, 200), hl_window: int = 252,
                       high: pd.DataFrame | None = None, low: pd.DataFrame | None = None,
                       ret_close: pd.DataFrame | None = None) -> pd.DataFrame:
    """Breadth of a wide close panel under a membership mask (no data loading).

    Parameters
    ----------
    close : DataFrame (dates x symbols), NaN where a symbol has no price.
    member : bool frame/array of the same shape (True: member that day).
    windows, hl_window : see :func:`breadth`.
    high, low : panels for intraday new highs/lows (default: closes).
    ret_close : prices for the equal-weight return (default: ``close``).

    Returns
    -------
    DataFrame with the columns listed in the module docstring.
    """
    m = member.to_numpy(dtype=bool) if isinstance(member, pd.DataFrame) else np.asarray(member, bool)
    arr = lambda f: None if f is None else f.reindex_like(close).to_numpy(dtype="float64")  # noqa: E731
    sums = breadth_sums(close.to_numpy(dtype="float64"), m, windows, hl_window,
                        high=arr(high), low=arr(low), ret_close=arr(ret_close))
    return _frame(sums, close.index, windows, hl_window)


def _unpriced(symbols: Sequence[str], close: np.ndarray, mask: np.ndarray,
              rows: np.ndarray) -> list[str]:
    """Symbols that are members on some date of ``rows`` and never priced while members."""
    m = mask[rows]
    listed = m.any(axis=0)
    priced = (m & ~np.isnan(close[rows])).any(axis=0)
    return [s for s, bad in zip(symbols, listed & ~priced, strict=True) if bad]


def _window_rows(calendar: pd.DatetimeIndex, s, e) -> np.ndarray:
    rows = np.ones(len(calendar), dtype=bool)
    if s is not None:
        rows &= calendar >= s
    if e is not None:
        rows &= calendar <= e
    return rows


def _chunk_sums(symbols: list[str], calendar: pd.DatetimeIndex, start, end, snapshot, universe: str,
                fields: list[str], windows, hl_window: int,
                basis: str) -> tuple[dict[str, np.ndarray], list[str]]:
    from ..universe import load_panel, membership

    p = load_panel(symbols, end=end, fields=fields, snapshot=snapshot)
    frames = {f: p.frames[f].reindex(calendar) for f in fields}
    mask = membership(universe, snapshot=snapshot).mask(calendar, p.symbols)
    close = frames["close"].to_numpy()
    sums = breadth_sums(close, mask, windows, hl_window,
                        high=frames["high"].to_numpy() if basis == "intraday" else None,
                        low=frames["low"].to_numpy() if basis == "intraday" else None,
                        ret_close=frames["adj_close"].to_numpy())
    return sums, _unpriced(p.symbols, close, mask, _window_rows(calendar, start, end))


def breadth(
    universe: str = "russell2000",
    start: str | pd.Timestamp | None = None,
    end: str | pd.Timestamp | None = None,
    *,
    windows: Sequence[int] = (50, 200),
    hl_window: int = 252,
    basis: str = "close",
    snapshot: str | Path | None = None,
    engine: str = "numpy",
    chunk_size: int = 500,
    scheduler: Any = None,
) -> pd.DataFrame:
    """Daily breadth of ``universe``'s members, point in time.

    Parameters
    ----------
    universe : a universe name or file (see :func:`smallcaps.universe.membership`).
    start, end : output window (inclusive). Indicators are computed on the whole
        history up to ``end`` and then cut, so a date's reading does not depend
        on ``start``.
    windows : moving-average lengths in sessions (default 50 and 200).
    hl_window : new-high/low lookback in sessions (252 = 52 weeks).
    basis : "close" (closing basis, default) or "intraday" (highs and lows).
    snapshot : snapshot folder (default ``SMALLCAPS_SNAPSHOT``).
    engine : "numpy" (one pass over the whole panel) or "dask" (the same sums
        over symbol chunks of ``chunk_size``, as Dask tasks; same result).
    scheduler : Dask only: None (local threads), "processes", "sync", a
        ``distributed.Client`` or a scheduler address (as ``smallcaps run
        --scheduler``).

    Returns
    -------
    DataFrame indexed by trading date (the dates of the members' prices) with the
    columns of the module docstring. ``attrs["provenance"]`` names the
    membership and price sources; ``attrs["coverage"]`` holds the coverage
    summary (members without prices are counted, never dropped).

    Raises
    ------
    DataError
        Unknown universe, bad dates or parameters, or no prices in the window.
    """
    from ..universe import load_panel, membership

    s, e = _ts(start, "start"), _ts(end, "end")
    if s is not None and e is not None and s > e:
        raise DataError("breadth", f"start {s.date()} is after end {e.date()}")
    windows = tuple(int(w) for w in windows)
    if not windows or min(windows) < 2:
        raise DataError("breadth", f"windows must be whole numbers of at least 2 sessions, got {windows}")
    if int(hl_window) < 2:
        raise DataError("breadth", f"hl_window must be at least 2 sessions, got {hl_window}")
    if basis not in ("close", "intraday"):
        raise DataError("breadth", f"basis must be 'close' or 'intraday', got {basis!r}")
    if engine not in ("numpy", "dask"):
        raise DataError("breadth", f"engine must be 'numpy' or 'dask', got {engine!r}")
    mem = membership(universe, snapshot=snapshot)
    if not mem.ever(s, e):
        raise DataError(mem.name, f"no members between {s.date() if s is not None else '...'} "
                                  f"and {e.date() if e is not None else '...'}")
    # every symbol that was a member at any time up to ``end``: cumulative columns (A/D
    # line, McClellan, equal-weight index) then do not depend on ``start``
    symbols = mem.ever(None, e)
    if not symbols:
        raise DataError(mem.name, f"no members between {s.date() if s is not None else '...'} "
                                  f"and {e.date() if e is not None else '...'}")
    fields = ["close", "adj_close"] + (["high", "low"] if basis == "intraday" else [])
    if engine == "numpy":
        p = load_panel(symbols, end=e, fields=fields, snapshot=snapshot)
        calendar = p.frames["close"].index
        if len(calendar) == 0:
            raise DataError(mem.name, "no member has prices", hint="see PROVENANCE of the snapshot's universe/")
        mask = mem.mask(calendar, p.symbols)
        sums = breadth_sums(p.close.to_numpy(), mask, windows, hl_window,
                            high=p.high.to_numpy() if basis == "intraday" else None,
                            low=p.low.to_numpy() if basis == "intraday" else None,
                            ret_close=p.adj_close.to_numpy())
        panel_prov = p.provenance
        missing = _unpriced(p.symbols, p.close.to_numpy(), mask, _window_rows(calendar, s, e))
    else:
        sums, calendar, panel_prov, missing = _dask_sums(
            symbols, s, e, snapshot, universe, fields, windows, hl_window, basis, chunk_size, scheduler)
    df = _frame(sums, calendar, windows, hl_window)
    cut = np.ones(len(df), dtype=bool)
    if s is not None:
        cut &= df.index >= s
    if e is not None:
        cut &= df.index <= e
    df = df[cut]
    if df.empty:
        raise DataError(mem.name, "no member prices in the requested window",
                        hint=f"member prices cover {calendar[0]:%Y-%m-%d} to {calendar[-1]:%Y-%m-%d}")
    return _annotate(df, mem, panel_prov, missing, windows, hl_window, basis)


def _dask_sums(symbols, start, end, snapshot, universe, fields, windows, hl_window, basis, chunk_size,
               scheduler):
    import dask

    from ..universe.panel import panel_dates

    if chunk_size < 1:
        raise DataError("breadth", f"chunk_size must be at least 1, got {chunk_size}")
    calendar, _, panel_prov = panel_dates(symbols, end=end, snapshot=snapshot)
    if len(calendar) == 0:
        raise DataError(str(universe), "no member has prices")
    chunks = [symbols[i:i + chunk_size] for i in range(0, len(symbols), chunk_size)]
    tasks = [dask.delayed(_chunk_sums)(c, calendar, start, end, snapshot, universe, fields, windows,
                                       hl_window, basis) for c in chunks]
    client = None
    if isinstance(scheduler, str) and scheduler not in ("threads", "processes", "sync", "synchronous"):
        from distributed import Client

        client = Client(scheduler)
        scheduler = client
    try:
        parts = dask.compute(*tasks, scheduler=scheduler or "threads")
    finally:
        if client is not None:
            client.close()
    total = parts[0][0]
    for part, _ in parts[1:]:
        total = add_sums(total, part)
    missing = [sym for _, miss in parts for sym in miss]
    return total, calendar, panel_prov, missing


def _annotate(df: pd.DataFrame, mem, panel_prov: Provenance | None, missing: list[str],
              windows, hl_window: int, basis: str) -> pd.DataFrame:
    listed = df["members_listed"]
    cov = df["coverage_pct"]
    yearly = cov.groupby(df.index.year).mean().round(1)
    coverage = {
        "universe": mem.name,
        "membership": mem.describe(),
        "members_without_prices_mean": round(float(df["members_without_prices"].mean()), 1),
        "coverage_pct_first": round(float(cov.iloc[0]), 1),
        "coverage_pct_last": round(float(cov.iloc[-1]), 1),
        "coverage_pct_by_year": {str(k): float(v) for k, v in yearly.items()},
        "members_never_priced": len(missing),
        "members_never_priced_list": sorted(missing),
    }
    notes = [
        f"members point in time: {mem.describe()}",
        f"coverage: {coverage['coverage_pct_first']}% of members had prices on {df.index[0]:%Y-%m-%d}, "
        f"{coverage['coverage_pct_last']}% on {df.index[-1]:%Y-%m-%d}; "
        f"{len(missing)} symbols were members in the window but never had a price while members "
        "(counted in members_without_prices)",
        f"windows {', '.join(str(w) for w in windows)} sessions; new highs/lows over {hl_window} "
        f"sessions, {basis} basis",
        *mem.notes,
    ]
    if panel_prov is not None:
        notes += [n for n in panel_prov.notes if n.startswith(("provenance:", "member prices"))]
    if float(cov.min()) < 90:
        notes.append("members without prices are disproportionately delisted or acquired names: "
                     "readings where coverage is low are survivorship-biased (too healthy)")
    prov = Provenance(
        name=f"breadth:{mem.name}",
        source="computed by smallcaps.breadth from membership and member prices "
               + (f"({panel_prov.source})" if panel_prov is not None else ""),
        origin="computed", location=panel_prov.location if panel_prov is not None else "",
        units="counts; percent of members", frequency="daily", notes=tuple(notes))
    attach(df, prov)
    df.attrs["coverage"] = coverage
    df.attrs["members_listed_max"] = int(listed.max())
    return df


def provenance_line(b: pd.DataFrame) -> str:
    """One line for a figure footer: source, window and coverage of a breadth frame."""
    c = b.attrs.get("coverage", {})
    return (f"Breadth of {c.get('universe', '?')} members (point in time), "
            f"{b.index[0]:%Y-%m-%d} to {b.index[-1]:%Y-%m-%d}; coverage "
            f"{c.get('coverage_pct_first', '?')}% -> {c.get('coverage_pct_last', '?')}% of members with prices; "
            "source: IWM holdings membership, Yahoo Finance member prices (snapshot)")


def episodes(series: pd.Series, below: float | None = None, above: float | None = None,
             min_gap: int = 0) -> pd.DatetimeIndex:
    """Dates on which ``series`` crosses into a zone: first day below ``below`` (or
    above ``above``) after a day outside it.

    Parameters
    ----------
    series : e.g. ``breadth(...)["pct_above_200d"]``.
    below, above : the threshold (exactly one of them).
    min_gap : ignore a new crossing within this many sessions of the previous one.

    Returns
    -------
    DatetimeIndex of the crossing days (usable as event dates).
    """
    if (below is None) == (above is None):
        raise DataError("episodes", "give exactly one of below= or above=")
    s = series.dropna()
    inside = (s < below) if below is not None else (s > above)
    start = inside & ~inside.shift(1, fill_value=True)  # a series that starts inside: no crossing
    days = list(s.index[start.to_numpy()])
    if min_gap > 0:
        pos = {d: i for i, d in enumerate(s.index)}
        kept: list[pd.Timestamp] = []
        for d in days:
            if not kept or pos[d] - pos[kept[-1]] > min_gap:
                kept.append(d)
        days = kept
    return pd.DatetimeIndex(days, name="date")


def warm_compiled() -> None:
    """Load the compiled breadth kernel (numba's on-disk cache, or a compilation the first
    time) with the argument types real panels give, by computing the breadth of a tiny
    synthetic panel (the result is dropped). The runner's kernel zygote calls it, so that
    kernels forked from it start with the kernel loaded."""
    idx = pd.bdate_range("2020-01-01", periods=300)
    close = pd.DataFrame(100.0 + np.arange(900.0).reshape(300, 3) % 7.0, index=idx,
                         columns=["A", "B", "C"])
    close.iloc[:40, 2] = np.nan
    breadth_from_panel(close, np.ones(close.shape, dtype=bool))
