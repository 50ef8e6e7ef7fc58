"""Short interest of a universe's members, from FINRA's settlement files.

For each FINRA settlement date the members of the universe **as of that date**
(point in time) are joined with that date's short positions, and summed:

=============================  ======================================================
``members``                    members of the universe on the settlement date
``members_with_data``          members found in FINRA's file
``shares_short``               total shares short of those members
``days_to_cover``              aggregate: total shares short / total average daily
                               volume (FINRA's volume column)
``median_days_to_cover``       median of the members' own days to cover
``short_pct_shares_out``       total shares short / total shares outstanding of the
                               members with both, in percent (only when
                               ``shares_outstanding`` is given: FINRA's files and the
                               iShares holdings carry no share counts)
``*_pctile``                   percentile of the value among all earlier settlement
                               dates of the same frame (expanding, so point in time)
``published``                  when the settlement date's data became public
                               (release rule ``short_interest``)
=============================  ======================================================

Nothing is downloaded unless ``pull=True`` (then the missing settlement files of the
window are fetched, see :mod:`smallcaps.data.sources.finra_short_interest`).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..data.errors import DataError
from ..data.pointintime import published_dates
from ..data.provenance import Provenance, attach

__all__ = ["compare_short_interest", "universe_short_interest"]


def _files(start, end, pull: bool) -> list[tuple[pd.Timestamp, Path]]:
    from ..data.sources import finra_short_interest as fsi

    folder = fsi.files_dir()
    if pull:
        e = pd.Timestamp(end) if end is not None else pd.Timestamp.today().normalize()
        s = pd.Timestamp(start) if start is not None else e - pd.Timedelta(days=fsi.DEFAULT_HISTORY_DAYS)
        for cand in fsi.settlement_candidates(s, e):
            fsi.fetch_file(cand)
    out = []
    if folder.is_dir():
        for p in sorted(folder.glob("shrt*.csv")):
            try:
                day = pd.Timestamp(p.stem[4:])
            except ValueError:
                continue
            if (start is None or day >= pd.Timestamp(start)) and (end is None or day <= pd.Timestamp(end)):
                out.append((day, p))
    return out


def _pctile(s: pd.Series) -> pd.Series:
    # share of earlier-or-equal observations at or below the value: expanding, point in time
    vals = s.to_numpy(dtype=float)
    out = np.full(len(vals), np.nan)
    for i in range(len(vals)):  # settlement dates: ~24 a year, a short loop
        hist = vals[: i + 1]
        hist = hist[~np.isnan(hist)]
        if len(hist) >= 2 and not np.isnan(vals[i]):
            out[i] = 100.0 * (hist <= vals[i]).mean()
    return pd.Series(out, index=s.index)


def universe_short_interest(
    universe: str = "russell2000",
    start: str | pd.Timestamp | None = None,
    end: str | pd.Timestamp | None = None,
    *,
    shares_outstanding: pd.Series | None = None,
    pull: bool = False,
    snapshot: str | Path | None = None,
) -> pd.DataFrame:
    """Aggregate short interest of ``universe``'s members at each FINRA settlement date.

    Parameters
    ----------
    universe : a universe name or file (:func:`smallcaps.universe.membership`).
    start, end : settlement-date window.
    shares_outstanding : optional Series symbol -> shares outstanding (or float) to
        express short interest as a percent of shares; without it that column is
        NaN and the provenance says why.
    pull : download the window's missing FINRA files first.
    snapshot : snapshot folder for the membership.

    Returns
    -------
    DataFrame indexed by settlement date (columns in the module docstring).

    Raises
    ------
    DataError
        No FINRA file in the cache for the window (with how to get them).
    """
    from ..data.sources import finra_short_interest as fsi
    from .membership import membership

    mem = membership(universe, snapshot=snapshot)
    files = _files(start, end, pull)
    if not files:
        raise DataError(f"short interest of {mem.name}",
                        "no FINRA short interest file in the cache for this window",
                        hint="run with pull=True online (or smallcaps data pull short_interest:IWM), "
                             f"which stores the settlement files in {fsi.files_dir()}")
    so = None
    if shares_outstanding is not None:
        so = pd.Series(shares_outstanding, dtype="float64")
        so.index = so.index.astype(str).str.upper()
    rows = []
    for day, path in files:
        df = fsi.parse_file(path.read_bytes(), path.name)
        df = df[df["settlement_date"] == day] if (df["settlement_date"] == day).any() else df
        members = set(mem.members(day))
        hit = df[df["symbol"].isin(members)].drop_duplicates("symbol", keep="last")
        short = hit["shares_short"].sum()
        vol = hit["avg_daily_volume"].sum()
        row = {"date": day, "members": len(members), "members_with_data": len(hit),
               "shares_short": float(short),
               "days_to_cover": float(short / vol) if vol > 0 else np.nan,
               "median_days_to_cover": float(hit["days_to_cover"].median()) if len(hit) else np.nan,
               "short_pct_shares_out": np.nan}
        if so is not None:
            both = hit[hit["symbol"].isin(so.index)]
            denom = so.reindex(both["symbol"]).sum()
            if denom > 0:
                row["short_pct_shares_out"] = 100.0 * float(both["shares_short"].sum()) / float(denom)
        rows.append(row)
    out = pd.DataFrame(rows).set_index("date").sort_index()
    for col in ("days_to_cover", "median_days_to_cover", "short_pct_shares_out"):
        out[f"{col}_pctile"] = _pctile(out[col])
    out["published"] = published_dates(out.index, "short_interest")
    notes = [f"members point in time: {mem.describe()}",
             f"{len(files)} FINRA settlement files from {fsi.files_dir()}",
             "exchange-listed symbols are in FINRA's consolidated files from 2021-06 onward",
             "percentiles are over the settlement dates of this frame only (its window)"]
    if so is None:
        notes.append("short interest as % of shares outstanding needs share counts, which neither "
                     "FINRA's files nor the iShares holdings carry: pass shares_outstanding=")
    attach(out, Provenance(name=f"short_interest:{mem.name}", source=fsi.SOURCE, origin="computed",
                           location=str(fsi.files_dir()), units="shares; days; percent",
                           frequency="semi-monthly", notes=tuple(notes)))
    return out


def compare_short_interest(universes: dict[str, str] | list[str],
                           start: str | pd.Timestamp | None = None,
                           end: str | pd.Timestamp | None = None, *,
                           column: str = "days_to_cover", pull: bool = False,
                           snapshot: str | Path | None = None) -> pd.DataFrame:
    """One short-interest column for several universes side by side, with percentiles.

    ``universes``: names/files (``["russell2000", "sp500"]``) or ``{label: universe}``.
    Universes without membership data raise (S&P 500 / Nasdaq-100 lists are not in
    the snapshot: put a list or intervals file in ``<cache>/universes/``).
    """
    items = universes.items() if isinstance(universes, dict) else [(u, u) for u in universes]
    cols = {}
    for label, u in items:
        df = universe_short_interest(u, start, end, pull=pull, snapshot=snapshot)
        cols[label] = df[column]
        cols[f"{label}_pctile"] = df[f"{column}_pctile"]
    return pd.DataFrame(cols)
